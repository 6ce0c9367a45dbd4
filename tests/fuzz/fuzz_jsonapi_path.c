/*
 * fuzz_jsonapi_path: a libFuzzer target for the JSON endpoint's request
 * target: jsonapi_path_decode on the raw path and query, then, when it is
 * accepted, the query's limit and bucket arguments and the answer from a
 * snapshot of one campaign (acme-1234abcd, three engagements) and from none. An accepted path holds no NUL, control
 * character, '.' or '..' segment. Built and run by `make fuzz`;
 * single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/jsonapi.h"
#include "model/agg.h"
#include "model/event.h"
#include "model/prep.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies the value of query argument name (up to '&') out of query, or
 * NULL when it is absent (new string). */
static char *
arg(const char *query, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1;
			return xstrndup(v, strcspn(v, "&"));
		}
	}
	return NULL;
}

/* Aborts when an accepted path breaks the decoder's promises. */
static void
check_path(const char *path)
{
	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./"))
		abort();
	size_t n = strlen(path);
	if ((n >= 3 && strcmp(path + n - 3, "/..") == 0) ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0))
		abort();
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort();
}

#define T0 1700000000000LL

/* Builds the snapshot the target answers from: campaign acme-1234abcd with
 * three engagements in different buckets, as the console's reader would. */
static struct jsonapi_snap *
snapshot(void)
{
	static const char cid[] = "acme-1234abcd";
	struct agg *a = agg_new();
	struct prep *p = prep_new(cid);
	struct prep_eng v[3];
	for (int i = 0; i < 3; i++) {
		struct lw_engagement e;
		memset(&e, 0, sizeof e);
		snprintf(e.campaign_id, sizeof e.campaign_id, "%s", cid);
		snprintf(e.tweet_id, sizeof e.tweet_id, "%d", 1000 + i % 2);
		e.action = (enum lw_action)(i % ACT__COUNT);
		snprintf(e.user.id, sizeof e.user.id, "%d", 5000 + i);
		e.user.handle = xasprintf("acct%d", i);
		e.user.name = xasprintf("Person %d", i);
		e.user.followers = 100 * i;
		e.bucket = (enum lw_bucket)(i % BK__COUNT);
		e.importance = 40 + i;
		e.first_seen_at_ms = T0 + i * 60000LL;
		prep_eng_from(&v[i], &e);
		lw_engagement_done(&e);
		prep_apply_eng(p, &v[i], 1);
	}
	prep_set_seq(p, 1);
	struct prep_summary sum;
	prep_summary_build(p, T0, &sum);
	agg_set_summary(a, cid, &sum);
	agg_feed_add(a, cid, v, 3);
	for (int i = 0; i < 3; i++)
		prep_eng_done(&v[i]);
	struct jsonapi_snap *s = jsonapi_snap_build(a, NULL, T0 + 3600000);
	prep_free(p);
	agg_free(a);
	return s;
}

/* Decodes and answers one request target; nothing may crash, leak or
 * overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsonapi_snap *snap;
	if (snap == NULL)
		snap = snapshot();
	char *raw = xstrndup((const char *)data, size), out[JSONAPI_PATH_MAX];
	const char *why = NULL;
	if (jsonapi_path_decode(raw, out, &why) == 0) {
		check_path(out);
		const char *q = strchr(raw, '?');
		char *limit = arg(q ? q + 1 : NULL, "limit"),
		     *bucket = arg(q ? q + 1 : NULL, "bucket");
		struct jsonapi_reply r;
		jsonapi_answer(snap, out, limit, bucket, &r);
		free(r.body);
		jsonapi_answer(NULL, out, limit, bucket, &r);
		free(r.body);
		free(limit);
		free(bucket);
	} else if (why == NULL) {
		abort(); /* a refusal always says why */
	}
	free(raw);
	return 0;
}
