/*
 * prep_chunk: reading the accounts of a persisted account chunk
 * (prep_chunk_encode's format in src/model/prep.c) one by one, for
 * prep_load_chunk and for finding one account without loading a state (a
 * console's profile screen: the account's pairs (tweet index, action), its
 * best engagement and its first time). Pure; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "model/prep.h"
#include "prep_internal.h"

void
prep_account_done(struct prep_account *a)
{
	free(a->pairs);
	memset(a, 0, sizeof *a);
}

bool
prep_chunk_open(struct bytes_r *r, const void *data, size_t len, uint64_t *n, bool *v2)
{
	bytes_r_init(r, data, len);
	uint64_t magic = bytes_get_uvar(r), k = bytes_get_uvar(r);
	*n = bytes_get_uvar(r);
	*v2 = magic == CHUNK_MAGIC;
	return !r->bad && (magic == CHUNK_MAGIC || magic == CHUNK_MAGIC_V1) && k < PREP_CHUNKS &&
	       *n <= len;
}

bool
prep_chunk_next(struct bytes_r *r, size_t len, bool v2, struct prep_account *a)
{
	memset(a, 0, sizeof *a);
	bytes_get_strbuf(r, a->user_id, sizeof a->user_id);
	bytes_get_strbuf(r, a->handle, sizeof a->handle);
	a->followers = bytes_get_svar(r);
	a->first_at_ms = bytes_get_svar(r);
	uint64_t best = bytes_get_uvar(r);
	a->best_action = bytes_get_u8(r);
	a->best_importance = bytes_get_u8(r);
	a->best_bucket = bytes_get_u8(r);
	a->verified = bytes_get_u8(r) != 0;
	if (v2) { /* since LWA2 */
		a->has_farm = bytes_get_u8(r) != 0;
		a->farm_reasons = (uint16_t)bytes_get_uvar(r);
	}
	uint64_t np = bytes_get_uvar(r);
	if (r->bad || !a->user_id[0] || best > NO_TWEET || a->best_action >= ACT__COUNT ||
	    a->best_bucket >= BK__COUNT || a->best_importance > 100 || np > len)
		return false;
	a->best_tweet = best == NO_TWEET ? -1 : (int32_t)best;
	a->pairs = xcalloc(np ? np : 1, sizeof *a->pairs);
	for (uint64_t j = 0; j < np; j++) {
		uint64_t tw = bytes_get_uvar(r);
		uint8_t act = bytes_get_u8(r), bk = bytes_get_u8(r);
		uint64_t seq = bytes_get_uvar(r);
		uint64_t at_s = v2 ? bytes_get_uvar(r) : 0, text = v2 ? bytes_get_uvar(r) : 0;
		if (r->bad || tw >= NO_TWEET || act >= ACT__COUNT || bk >= BK__COUNT ||
		    seq > UINT32_MAX || at_s > UINT32_MAX || text > UINT32_MAX) {
			prep_account_done(a);
			return false;
		}
		a->pairs[a->npairs++] = (struct prep_account_pair){
		    (uint32_t)tw, act, bk, (uint32_t)seq, (uint32_t)at_s, (uint32_t)text};
	}
	return true;
}

int
prep_chunk_find(
    const void *data, size_t len, const char *user_id, struct prep_account *out, char **cause)
{
	struct bytes_r r;
	uint64_t n;
	bool v2;
	memset(out, 0, sizeof *out);
	if (!prep_chunk_open(&r, data, len, &n, &v2))
		return set_cause(cause, "an account chunk is malformed");
	for (uint64_t i = 0; i < n; i++) {
		if (!prep_chunk_next(&r, len, v2, out))
			return set_cause(cause, "an account chunk is malformed");
		if (strcmp(out->user_id, user_id) == 0)
			return 0;
		prep_account_done(out);
	}
	if (!bytes_r_done(&r))
		return set_cause(cause, "an account chunk is malformed");
	return 1;
}

int
prep_chunk_each(const void *data, size_t len,
    int (*fn)(const struct prep_account *a, void *arg, char **cause), void *arg, char **cause)
{
	struct bytes_r r;
	struct prep_account a;
	uint64_t n;
	bool v2;
	if (!prep_chunk_open(&r, data, len, &n, &v2))
		return set_cause(cause, "an account chunk is malformed");
	for (uint64_t i = 0; i < n; i++) {
		if (!prep_chunk_next(&r, len, v2, &a))
			return set_cause(cause, "an account chunk is malformed");
		int rc = fn(&a, arg, cause);
		prep_account_done(&a);
		if (rc != 0)
			return -1;
	}
	return 0;
}
