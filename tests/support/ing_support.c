/*
 * ing_support: shared pieces of the ingest engine's tests: a world of a real
 * devdb, the in-process simulator (frozen clock) and a campaign of its launch
 * tweets; runs of the real `launchwatch run --once`; the exactness check
 * against /_sim/truth. Test threads only.
 */
#include "ing_support.h"

#include "engine/prep_io.h"
#include "model/prep.h"
#include "store/store_events.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/http.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "testutil.h"
#include "base/util.h"

void
ing_campaign_add(struct ing_world *w, int ntweets)
{
	ing_campaign_add_cadence(w, ntweets, "1s");
}

void
ing_env_add(struct ing_world *w, const char *entry)
{
	size_t n = 0;
	while (w->env[n])
		n++;
	ck_assert_uint_lt(n + 1, sizeof w->env / sizeof w->env[0]);
	w->env[n] = entry;
	w->env[n + 1] = NULL;
}

void
ing_campaign_add_cadence(struct ing_world *w, int ntweets, const char *cadence)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "campaigns:\n  - name: Ingest test\n"
	                "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	                "    tweets:\n      main: [");
	for (int i = 0; i < ntweets; i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "", sim_tweet_id(w->sim, i));
	sbuf_printf(&b, "]\n    cadence: {metrics: %s, retweets: %s, replies: %s, quotes: %s}\n",
	    cadence, cadence, cadence, cadence);
	char *path = tu_write_file(w->dir, "c.yaml", b.s);
	sbuf_done(&b);
	struct tu_run r;
	const char *args[] = {"campaign", "add", path, NULL};
	tu_run(&r, w->env, 30000, args);
	ck_assert_msg(r.status == 0, "campaign add: %d %s", r.status, r.err);
	tu_run_done(&r);
	free(path);
}

/* Starts everything with the simulator options o and adds the campaign. */
void
ing_world_start(struct ing_world *w, struct sim_opts *o, const char *qps)
{
	static char env_qps[64];
	char *cause = NULL;
	memset(w, 0, sizeof *w);
	w->dir = tu_tempdir();
	w->db = tu_devdb_start(NULL, 0);
	o->frozen = true;
	o->tweets = NTWEETS;
	w->sim = sim_start(o, &cause);
	ck_assert_msg(w->sim != NULL, "sim_start: %s", cause);
	snprintf(w->base, sizeof w->base, "http://127.0.0.1:%d", sim_port(w->sim));
	snprintf(w->env_uri, sizeof w->env_uri, "MONGODB_URI=%s", w->db->uri);
	snprintf(w->env_base, sizeof w->env_base, "TWITTERAPI_BASE_URL=%s", w->base);
	snprintf(w->env_data, sizeof w->env_data, "XDG_DATA_HOME=%s", w->dir);
	snprintf(env_qps, sizeof env_qps, "LAUNCHWATCH_QPS=%s", qps);
	w->env[0] = w->env_uri;
	w->env[1] = w->env_base;
	w->env[2] = w->env_data;
	w->env[3] = env_qps;
	w->env[4] = "LAUNCHWATCH_CREDITS_RECHECK=1";
	w->env[5] = NULL;

	ing_campaign_add(w, NTWEETS);
	campaign_make_id("Ingest test", w->campaign_id);
	ck_assert_int_eq(store_open(w->db->uri, "launchwatch", &w->s, &cause), 0);
}

/* Stops and removes everything. */
void
ing_world_stop(struct ing_world *w)
{
	store_free(w->s);
	sim_free(w->sim);
	tu_devdb_free(w->db);
	tu_rmtree(w->dir);
	free(w->dir);
}

int
ing_run_once_r(struct ing_world *w, int timeout_ms, struct tu_run *r)
{
	const char *args[] = {"run", "--once", "--workers", "3", NULL};
	/* no wait for the cadence: --once brings every job current whatever
	 * its due time (DESIGN.md section 2) */
	tu_run(r, w->env, timeout_ms, args);
	if (timeout_ms >= 60000 && r->status != 0)
		fprintf(stderr, "run --once: %d\n%s\n%s\n", r->status, r->out, r->err);
	return r->status;
}

/* Runs `launchwatch run --once` (killed after timeout_ms); returns the status. */
int
ing_run_once(struct ing_world *w, int timeout_ms)
{
	struct tu_run r;
	int st = ing_run_once_r(w, timeout_ms, &r);
	tu_run_done(&r);
	return st;
}

/* GETs or POSTs a simulator path and returns the parsed JSON body. */
json_t *
ing_sim_call(struct ing_world *w, const char *method, const char *path)
{
	struct http_client *h = http_client_new();
	struct http_response resp;
	char *cause = NULL;
	char *url = xasprintf("%s%s", w->base, path);
	ck_assert_msg(http_request(h, method, url, NULL, &resp, &cause) == 0, "%s", cause);
	json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	http_response_done(&resp);
	http_client_free(h);
	free(url);
	return j;
}

/* Returns an integer at a path of two keys of a JSON object. */
int64_t
ing_jint2(json_t *o, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(o, a), b));
}

/* Compares strings for qsort. */
static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks that engagements equal the truth and slices add up; returns the
 * number of engagements. */
size_t
ing_check_exact(struct ing_world *w)
{
	json_t *truth = ing_sim_call(w, "GET", "/_sim/truth");
	json_t *engs = json_object_get(truth, "engagements");
	size_t n = json_array_size(engs);
	char **want = xcalloc(n ? n : 1, sizeof *want);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(engs, i);
		json_t *refs = json_object_get(e, "ref_ids");
		size_t nr = json_array_size(refs);
		char **rv = xcalloc(nr ? nr : 1, sizeof *rv);
		for (size_t k = 0; k < nr; k++)
			rv[k] = (char *)json_string_value(json_array_get(refs, k));
		qsort(rv, nr, sizeof *rv, cmp_strp);
		struct sbuf b;
		sbuf_init(&b);
		sbuf_printf(&b, "%s:%s:%s:%s|", w->campaign_id,
		    json_string_value(json_object_get(e, "tweet_id")),
		    json_string_value(json_object_get(e, "user_id")),
		    json_string_value(json_object_get(e, "action")));
		for (size_t k = 0; k < nr; k++)
			sbuf_printf(&b, "%s%s", k ? "," : "", rv[k]);
		free(rv);
		want[i] = sbuf_take(&b);
	}
	qsort(want, n, sizeof *want, cmp_strp);

	struct sti_eng_key *have;
	size_t nhave;
	char *cause = NULL;
	ck_assert_msg(
	    sti_engagements_keys(w->s, w->campaign_id, &have, &nhave, &cause) == 0, "%s", cause);
	char **got = xcalloc(nhave ? nhave : 1, sizeof *got);
	for (size_t i = 0; i < nhave; i++) {
		got[i] = xasprintf("%s|%s", have[i].id, have[i].ref_ids);
		free(have[i].id);
		free(have[i].ref_ids);
	}
	free(have);
	qsort(got, nhave, sizeof *got, cmp_strp);
	/* merge the sorted lists: report what is missing and what is extra */
	size_t missing = 0, extra = 0, a = 0, c = 0;
	while (a < n || c < nhave) {
		int d = a == n ? 1 : c == nhave ? -1 : strcmp(want[a], got[c]);
		if (d == 0) {
			a++;
			c++;
			continue;
		}
		if (d < 0)
			missing++;
		else
			extra++;
		if (missing + extra <= 8)
			fprintf(stderr, "%s %s\n", d < 0 ? "missing" : "extra",
			    d < 0 ? want[a] : got[c]);
		if (d < 0)
			a++;
		else
			c++;
	}
	ck_assert_msg(missing == 0 && extra == 0,
	    "engagements: %zu missing, %zu extra (of %zu true, %zu stored)", missing, extra, n,
	    nhave);
	ck_assert_uint_gt(n, 0);

	/* slices: latest counts minus the first baseline, per tweet */
	json_t *tweets = json_object_get(truth, "tweets");
	for (size_t i = 0; i < json_array_size(tweets); i++) {
		json_t *t = json_array_get(tweets, i);
		const char *tid = json_string_value(json_object_get(t, "tweet_id"));
		struct sti_baseline bl;
		struct lw_metrics sum;
		size_t count;
		ck_assert_int_eq(sti_baselines_get(w->s, w->campaign_id, &tid, 1, &bl, &cause), 0);
		ck_assert(bl.known && bl.has_first);
		ck_assert_int_eq(
		    sti_slices_sum(w->s, w->campaign_id, tid, &sum, &count, &cause), 0);
		ck_assert_int_eq((int64_t)count, bl.seq);
		ck_assert_int_eq(bl.m.likes, ing_jint2(t, "metrics", "likes"));
		ck_assert_int_eq(bl.m.retweets, ing_jint2(t, "metrics", "retweets"));
		ck_assert_int_eq(bl.m.replies, ing_jint2(t, "metrics", "replies"));
		ck_assert_int_eq(bl.m.views, ing_jint2(t, "metrics", "views"));
		/* slices count from zero, so they add up to the latest counts */
		struct lw_metrics zero = {0};
		ck_assert_mem_eq(&bl.first, &zero, sizeof zero);
		ck_assert_int_eq(sum.likes, bl.m.likes);
		ck_assert_int_eq(sum.retweets, bl.m.retweets);
		ck_assert_int_eq(sum.replies, bl.m.replies);
		ck_assert_int_eq(sum.quotes, bl.m.quotes);
		ck_assert_int_eq(sum.views, bl.m.views);
		ck_assert_int_eq(sum.bookmarks, bl.m.bookmarks);
	}
	for (size_t i = 0; i < n; i++)
		free(want[i]);
	free(want);
	for (size_t i = 0; i < nhave; i++)
		free(got[i]);
	free(got);
	json_decref(truth);
	return n;
}

/* Advances the simulator's clock by secs. */
void
ing_advance(struct ing_world *w, int secs)
{
	char path[64];
	snprintf(path, sizeof path, "/_sim/advance?secs=%d", secs);
	json_decref(ing_sim_call(w, "POST", path));
}

/* Returns ceil(a / b). */
int64_t
ing_ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

struct stj_job *
ing_jobs_read(struct ing_world *w, size_t *n)
{
	struct stj_job *v = NULL;
	char *cause = NULL;
	ck_assert_msg(stj_jobs_list(w->s, w->campaign_id, &v, n, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(*n, NTWEETS * JOB__COUNT);
	return v;
}

void
ing_devdb_restart(struct ing_world *w)
{
	struct tu_devdb *old = w->db;
	tu_devdb_stop(old);
	w->db = tu_devdb_start(old->dir, old->port);
	ck_assert_str_eq(w->db->uri, old->uri);
	/* tu_devdb_free would remove the data directory, which lives on */
	free(old->dir);
	free(old->uri);
	free(old);
}

/* ---- prepared aggregates ---- */

struct direct {
	struct prep *p;
	/* per account: its most important engagement's bucket (report rule) */
	char (*user)[LW_ID_MAX];
	int *imp;
	char (*tweet)[LW_ID_MAX];
	int *action;
	int *bucket;
	size_t n, cap;
};

/* Applies a stored engagement to the recomputation and to the direct count. */
static int
direct_eng(const struct lw_engagement *e, void *arg)
{
	struct direct *d = arg;
	struct prep_eng r;
	prep_eng_from(&r, e);
	prep_apply_eng(d->p, &r, 0);
	prep_eng_done(&r);
	size_t i = 0;
	while (i < d->n && strcmp(d->user[i], e->user.id) != 0)
		i++;
	if (i == d->n) {
		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 256;
			d->user = xreallocarray(d->user, d->cap, sizeof *d->user);
			d->imp = xreallocarray(d->imp, d->cap, sizeof *d->imp);
			d->tweet = xreallocarray(d->tweet, d->cap, sizeof *d->tweet);
			d->action = xreallocarray(d->action, d->cap, sizeof *d->action);
			d->bucket = xreallocarray(d->bucket, d->cap, sizeof *d->bucket);
		}
		snprintf(d->user[i], sizeof d->user[i], "%s", e->user.id);
		d->imp[i] = -1;
		d->n++;
	}
	int c = strcmp(e->tweet_id, d->tweet[i]);
	if (e->importance > d->imp[i] ||
	    (e->importance == d->imp[i] && (c < 0 || (c == 0 && (int)e->action < d->action[i])))) {
		d->imp[i] = e->importance;
		snprintf(d->tweet[i], sizeof d->tweet[i], "%s", e->tweet_id);
		d->action[i] = (int)e->action;
		d->bucket[i] = (int)e->bucket;
	}
	return 0;
}

/* Applies a stored slice to the recomputation. */
static int
direct_slice(const struct lw_slice *sl, void *arg)
{
	struct direct *d = arg;
	struct prep_slice r;
	prep_slice_from(&r, sl);
	prep_apply_slice(d->p, &r);
	return 0;
}

int64_t
ing_check_prepared(struct ing_world *w)
{
	char *cause = NULL;
	struct prep_summary have, want;
	ck_assert_msg(prep_read_summary(w->s, w->campaign_id, &have, NULL, &cause) == 0,
	    "no prepared summary: %s", cause ? cause : "none written");
	struct direct d = {.p = prep_new(w->campaign_id)};
	ck_assert_msg(ste_scan_engagements(w->s, w->campaign_id, 0, direct_eng, &d, &cause) == 0,
	    "%s", cause);
	ck_assert_msg(
	    ste_scan_slices(w->s, w->campaign_id, direct_slice, &d, &cause) == 0, "%s", cause);
	prep_summary_build(d.p, 0, &want);
	char *hd = prep_summary_digest(&have), *wd = prep_summary_digest(&want);
	if (strcmp(hd, wd) != 0) {
		const char *g = hd, *x = wd;
		while (*g && *g == *x)
			g++, x++;
		while (g > hd && g[-1] != '\n')
			g--, x--;
		ck_abort_msg(
		    "prepared aggregates differ from a recomputation:\n have: %.300s\n want: "
		    "%.300s",
		    g, x);
	}
	int64_t uniq[BK__COUNT] = {0};
	for (size_t i = 0; i < d.n; i++)
		uniq[d.bucket[i]]++;
	for (int b = 0; b < BK__COUNT; b++)
		ck_assert_msg(have.uniq[b] == uniq[b],
		    "unique %s accounts: prepared %lld, counted %lld",
		    bucket_name((enum lw_bucket)b), (long long)have.uniq[b], (long long)uniq[b]);
	ck_assert_int_eq(have.unique_accounts, (int64_t)d.n);
	int64_t n = have.unique_accounts;
	free(hd);
	free(wd);
	prep_summary_done(&have);
	prep_summary_done(&want);
	prep_free(d.p);
	free(d.user);
	free(d.imp);
	free(d.tweet);
	free(d.action);
	free(d.bucket);
	return n;
}
