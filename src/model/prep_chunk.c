/*
 * prep_chunk: reading one account out of a persisted account chunk
 * (prep_chunk_encode's format in src/model/prep.c) without loading a
 * state, for a console's profile screen: the account's pairs (tweet index,
 * action), its best engagement and its first time. Pure; any thread.
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

/* Reads one account's pairs into out (when keep) or past them. false when
 * they are malformed. */
static bool
read_pairs(struct bytes_r *r, uint64_t np, bool keep, struct prep_account *out)
{
	if (keep)
		out->pairs = xcalloc(np ? np : 1, sizeof *out->pairs);
	for (uint64_t j = 0; j < np; j++) {
		uint64_t tw = bytes_get_uvar(r);
		uint8_t act = bytes_get_u8(r), bk = bytes_get_u8(r);
		uint64_t seq = bytes_get_uvar(r);
		if (r->bad || tw >= NO_TWEET || act >= ACT__COUNT || bk >= BK__COUNT ||
		    seq > UINT32_MAX)
			return false;
		if (keep)
			out->pairs[out->npairs++] =
			    (struct prep_account_pair){(uint32_t)tw, act, bk, (uint32_t)seq};
	}
	return true;
}

int
prep_chunk_find(
    const void *data, size_t len, const char *user_id, struct prep_account *out, char **cause)
{
	struct bytes_r r;
	memset(out, 0, sizeof *out);
	bytes_r_init(&r, data, len);
	uint64_t magic = bytes_get_uvar(&r), k = bytes_get_uvar(&r), n = bytes_get_uvar(&r);
	if (r.bad || magic != CHUNK_MAGIC || k >= PREP_CHUNKS || n > len)
		return set_cause(cause, "an account chunk is malformed");
	for (uint64_t i = 0; i < n; i++) {
		char id[LW_ID_MAX], handle[PREP_HANDLE_MAX + 1];
		bytes_get_strbuf(&r, id, sizeof id);
		bytes_get_strbuf(&r, handle, sizeof handle);
		int64_t followers = bytes_get_svar(&r), first_at = bytes_get_svar(&r);
		uint64_t best = bytes_get_uvar(&r);
		uint8_t bact = bytes_get_u8(&r), bimp = bytes_get_u8(&r), bbk = bytes_get_u8(&r);
		bool verified = bytes_get_u8(&r) != 0;
		uint64_t np = bytes_get_uvar(&r);
		if (r.bad || !id[0] || best > NO_TWEET || bact >= ACT__COUNT || bbk >= BK__COUNT ||
		    bimp > 100 || np > len)
			break;
		bool mine = strcmp(id, user_id) == 0;
		if (!read_pairs(&r, np, mine, out)) {
			prep_account_done(out);
			break;
		}
		if (!mine)
			continue;
		snprintf(out->user_id, sizeof out->user_id, "%s", id);
		snprintf(out->handle, sizeof out->handle, "%s", handle);
		out->followers = followers;
		out->verified = verified;
		out->first_at_ms = first_at;
		out->best_tweet = best == NO_TWEET ? -1 : (int32_t)best;
		out->best_action = bact;
		out->best_importance = bimp;
		out->best_bucket = bbk;
		return 0;
	}
	if (r.bad || !bytes_r_done(&r)) {
		prep_account_done(out);
		return set_cause(cause, "an account chunk is malformed");
	}
	return 1;
}
