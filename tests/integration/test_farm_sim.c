/*
 * test_farm_sim: the farm / bot signal end to end. A simulated launch in farm
 * mode (sim --farm: farm accounts with young ages, default avatars, digit
 * handles, template bios, the same replies and a reply ring that bursts,
 * beside genuine hard negatives) is ingested by the real engine (`run
 * --once` against a devdb or mongo-java-server); then
 * - the accounts counted as likely farmed, recomputed here from the stored
 *   engagement documents with the rules of docs/scoring.md section 7, are
 *   measured against the simulator's truth: precision >= 90 % (precision,
 *   recall and the confusion counts printed);
 * - the prepared summary's likely-farmed counts per bucket and per tweet
 *   equal that count from the raw documents (and ing_check_prepared: the
 *   whole summary equals a rebuild from the stored events);
 * - stored farm accounts' engagements, logged for a campaign whose alerts
 *   take every importance and bucket, reach the alert worker: a farmed
 *   account that is not watched is skipped (verdict farm), a watched one is
 *   sent to a real webhook receiver.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "al_support.h"
#include "alw_support.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/alertworker.h"
#include "engine/prep_io.h"
#include "ing_support.h"
#include "model/alert.h"
#include "model/farm.h"
#include "model/prep.h"
#include "store/store.h"
#include "store/store_events.h"
#include "testutil.h"

/* One stored engagement, reduced to what the farm rules read. */
struct row {
	char tweet[LW_ID_MAX], user[LW_ID_MAX], handle[64];
	int action, importance, bucket;
	bool has_farm;
	uint16_t farm;
	uint32_t text;
	uint32_t at_s;
	struct lw_engagement e; /* a deep copy, for the alert case */
};

struct rows {
	struct row *v;
	size_t n;
};

/* Keeps one stored engagement. */
static int
keep_row(const struct lw_engagement *e, void *arg)
{
	struct rows *r = arg;
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	struct row *w = &r->v[r->n++];
	memset(w, 0, sizeof *w);
	snprintf(w->tweet, sizeof w->tweet, "%s", e->tweet_id);
	snprintf(w->user, sizeof w->user, "%s", e->user.id);
	snprintf(w->handle, sizeof w->handle, "%s", e->user.handle);
	w->action = (int)e->action;
	w->importance = e->importance;
	w->bucket = (int)e->bucket;
	w->has_farm = e->has_farm;
	w->farm = e->farm_reasons;
	w->text = e->action == ACT_RETWEET ? 0 : farm_text_hash(e->text);
	int64_t at = e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms;
	w->at_s = e->action == ACT_RETWEET ? 0 : (uint32_t)(at / 1000);
	w->e = *e;
	w->e.user.handle = xstrdup(e->user.handle);
	w->e.user.name = xstrdup(e->user.name);
	w->e.user.bio = xstrdup(e->user.bio);
	w->e.evidence = xstrdup(e->evidence ? e->evidence : "");
	w->e.text = e->text ? xstrdup(e->text) : NULL;
	w->e.ref_ids = NULL;
	w->e.nref = 0;
	return 0;
}

/* Orders rows by user, then the best-engagement rule (importance highest,
 * tweet id smallest, action smallest). */
static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->user, y->user);
	if (c)
		return c;
	if (x->importance != y->importance)
		return x->importance > y->importance ? -1 : 1;
	c = strcmp(x->tweet, y->tweet);
	return c ? c : x->action - y->action;
}

/* One account as recomputed from its rows. */
struct acc {
	const char *user;
	size_t first, n; /* its rows */
	int bucket, score;
	uint16_t mask; /* the rules it met */
	bool farm_truth;
};

/* Returns the index of tweet id in ids (adding it). */
static uint32_t
tweet_ix(char ids[][LW_ID_MAX], size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(ids[i], id) == 0)
			return (uint32_t)i;
	snprintf(ids[*n], LW_ID_MAX, "%s", id);
	return (uint32_t)(*n)++;
}

/* Recomputes every account's final farm score from the rows (sorted), by
 * docs/scoring.md section 7, independently of model/prep_summary.c. */
static struct acc *
recompute(struct rows *r, size_t *nacc, char tw[][LW_ID_MAX], size_t *ntw)
{
	struct acc *a = xcalloc(r->n + 1, sizeof *a);
	size_t na = 0;
	for (size_t i = 0; i < r->n;) {
		size_t j = i;
		while (j < r->n && strcmp(r->v[j].user, r->v[i].user) == 0)
			j++;
		a[na++] = (struct acc){
		    .user = r->v[i].user, .first = i, .n = j - i, .bucket = r->v[i].bucket};
		i = j;
	}
	for (size_t k = 0; k < na; k++) {
		struct acc *x = &a[k];
		const struct row *best = &r->v[x->first];
		uint16_t m = best->has_farm ? best->farm : 0;
		uint32_t at[256], ti[256];
		size_t nt = 0;
		bool repeated = false;
		for (size_t i = x->first; i < x->first + x->n; i++) {
			const struct row *w = &r->v[i];
			uint32_t t = tweet_ix(tw, ntw, w->tweet);
			if (w->at_s && nt < 256) {
				at[nt] = w->at_s;
				ti[nt++] = t;
			}
			if (w->text == 0 || repeated)
				continue;
			/* accounts posting this text, and tweets this account posted it on */
			size_t accounts = 0, tweets = 0;
			for (size_t q = 0; q < na; q++) {
				bool hit = false;
				for (size_t z = a[q].first; z < a[q].first + a[q].n; z++)
					if (r->v[z].text == w->text) {
						hit = true;
						if (q == k) {
							bool again = false;
							for (size_t y = a[q].first; y < z && !again;
							     y++)
								again = r->v[y].text == w->text &&
								        strcmp(r->v[y].tweet,
								            r->v[z].tweet) == 0;
							tweets += !again;
						}
					}
				accounts += hit;
			}
			repeated = accounts >= FARM_TEXT_ACCOUNTS || tweets >= FARM_TEXT_TWEETS;
		}
		if (repeated)
			m |= 1u << FR_REPEATED_TEXT;
		if (farm_burst(at, ti, nt))
			m |= 1u << FR_BURST;
		x->score = farm_score(m);
		x->mask = m;
	}
	*nacc = na;
	return a;
}

START_TEST(test_farm_campaign_precision_and_summary)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 18;
	o.farm_share = 0.3;
	o.rate = 90;
	o.accounts = 2003;
	ing_world_start(&w, &o, "200");
	ing_advance(&w, 240);
	ck_assert_int_eq(ing_run_once(&w, 120000), 0);
	ing_check_exact(&w);
	ing_check_prepared(&w);

	/* the truth: which engaged accounts are farm accounts */
	json_t *truth = ing_sim_call(&w, "GET", "/_sim/truth");
	json_t *engs = json_object_get(truth, "engagements");
	ck_assert_uint_gt(json_array_size(engs), 200);

	struct rows r = {0};
	char *cause = NULL;
	ck_assert_msg(
	    ste_scan_engagements(w.s, w.campaign_id, 0, keep_row, &r, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(r.n, json_array_size(engs));
	qsort(r.v, r.n, sizeof *r.v, cmp_row);
	for (size_t i = 0; i < r.n; i++) { /* stored and read back */
		ck_assert_msg(r.v[i].has_farm, "engagement of %s has no farm data", r.v[i].user);
		ck_assert_int_gt(r.v[i].e.user.created_at_ms, 0);
		ck_assert_int_ne(r.v[i].e.user.avatar, AV_UNKNOWN);
	}
	static char tw[64][LW_ID_MAX];
	size_t ntw = 0, na = 0;
	struct acc *a = recompute(&r, &na, tw, &ntw);
	for (size_t i = 0; i < json_array_size(engs); i++) {
		json_t *e = json_array_get(engs, i);
		const char *uid = json_string_value(json_object_get(e, "user_id"));
		bool farm = json_is_true(json_object_get(e, "farm"));
		for (size_t k = 0; k < na; k++)
			if (strcmp(a[k].user, uid) == 0)
				a[k].farm_truth = farm;
	}
	size_t tp = 0, fp = 0, fn = 0, tn = 0;
	int64_t likely_bucket[BK__COUNT] = {0};
	for (size_t k = 0; k < na; k++) {
		bool likely = farm_likely(a[k].score, FARM_THRESHOLD_DEFAULT);
		tp += likely && a[k].farm_truth;
		fp += likely && !a[k].farm_truth;
		fn += !likely && a[k].farm_truth;
		tn += !likely && !a[k].farm_truth;
		likely_bucket[a[k].bucket] += likely;
	}
	double precision = tp + fp ? (double)tp / (double)(tp + fp) : 0;
	double recall = tp + fn ? (double)tp / (double)(tp + fn) : 0;
	printf("farm: %zu accounts, %zu farm in truth; precision %.3f recall %.3f "
	       "(tp %zu fp %zu fn %zu tn %zu)\n",
	    na, tp + fn, precision, recall, tp, fp, fn, tn);
	ck_assert_uint_gt(tp + fn, 50);
	ck_assert_uint_gt(tn, 100);
	ck_assert_msg(precision >= 0.90, "precision %.3f below 0.90", precision);
	ck_assert_msg(recall >= 0.70, "recall %.3f below 0.70", recall);
	/* the rules that only the whole campaign sees (repeated text, bursts)
	 * raised farm accounts' scores */
	size_t burst = 0, repeated = 0;
	for (size_t k = 0; k < na; k++) {
		burst += (a[k].mask >> FR_BURST) & 1;
		repeated += (a[k].mask >> FR_REPEATED_TEXT) & 1;
	}
	printf("farm: repeated_text met by %zu accounts, burst by %zu\n", repeated, burst);
	ck_assert_uint_gt(repeated, 50);
	ck_assert_uint_ge(burst, 3);

	/* the prepared summary counts the same */
	struct prep_summary s;
	ck_assert_msg(prep_read_summary(w.s, w.campaign_id, &s, NULL, &cause) == 0, "%s",
	    cause ? cause : "no summary");
	ck_assert(s.has_farm);
	ck_assert_int_eq(s.farm_unknown, 0);
	for (int b = 0; b < BK__COUNT; b++)
		ck_assert_msg(farm_count_at(s.farm[b], FARM_THRESHOLD_DEFAULT) == likely_bucket[b],
		    "bucket %s: summary %lld, documents %lld", bucket_name((enum lw_bucket)b),
		    (long long)farm_count_at(s.farm[b], FARM_THRESHOLD_DEFAULT),
		    (long long)likely_bucket[b]);
	for (size_t t = 0; t < s.ntweets; t++) {
		int64_t want = 0;
		for (size_t k = 0; k < na; k++) {
			if (!farm_likely(a[k].score, FARM_THRESHOLD_DEFAULT))
				continue;
			bool on = false;
			for (size_t i = a[k].first; i < a[k].first + a[k].n && !on; i++)
				on = strcmp(r.v[i].tweet, s.tweets[t].id) == 0;
			want += on;
		}
		ck_assert_int_eq(farm_count_at(s.tweets[t].farm, FARM_THRESHOLD_DEFAULT), want);
		printf("farm: tweet %s: %lld of %lld accounts likely farmed\n", s.tweets[t].id,
		    (long long)want,
		    (long long)(s.tweets[t].uniq[0] + s.tweets[t].uniq[1] + s.tweets[t].uniq[2] +
		                s.tweets[t].uniq[3] + s.tweets[t].uniq[4] + s.tweets[t].uniq[5]));
	}
	prep_summary_done(&s);
	json_decref(truth);
	free(a);
	for (size_t i = 0; i < r.n; i++)
		lw_engagement_done(&r.v[i].e);
	free(r.v);
	ing_world_stop(&w);
}
END_TEST

/* Returns a stored engagement of a farm account whose static rules alone
 * make it likely farmed, other than skip (NULL for none). */
static const struct row *
statically_farmed(const struct rows *r, const struct row *skip)
{
	for (size_t i = 0; i < r->n; i++)
		if (&r->v[i] != skip && r->v[i].has_farm &&
		    farm_likely(farm_score(r->v[i].farm), FARM_THRESHOLD_DEFAULT) &&
		    (skip == NULL || strcmp(skip->user, r->v[i].user) != 0))
			return &r->v[i];
	return NULL;
}

START_TEST(test_alerts_skip_farmed_unless_watched)
{
	/* two farm accounts' engagements as the engine stored them */
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 19;
	o.farm_share = 0.3;
	ing_world_start(&w, &o, "200");
	ing_advance(&w, 120);
	ck_assert_int_eq(ing_run_once(&w, 120000), 0);
	struct rows r = {0};
	char *cause = NULL;
	ck_assert_msg(
	    ste_scan_engagements(w.s, w.campaign_id, 0, keep_row, &r, &cause) == 0, "%s", cause);
	ing_world_stop(&w);
	const struct row *one = statically_farmed(&r, NULL);
	ck_assert_ptr_nonnull(one);
	const struct row *two = statically_farmed(&r, one);
	ck_assert_ptr_nonnull(two);

	/* a campaign that alerts on everything, watching the second */
	struct alw_fix x;
	alw_fix_start(&x, "farm", NULL, 0, 0, "/services/T/B/farm");
	char *yaml = xasprintf("campaigns:\n"
	                       "  - name: Farm alerts\n"
	                       "    window: {start: 2025-12-01T00:00:00Z, duration: 90d}\n"
	                       "    tweets: {main: [%s, %s]}\n"
	                       "    alerts: {min_importance: 0, watch: [\"@%s\"], "
	                       "slack_webhook: env:LW_E_HOOK, quiet_window: 30m}\n",
	    one->tweet, strcmp(one->tweet, two->tweet) ? two->tweet : "1", two->handle);
	struct cfg_file *f = alw_load_yaml(yaml);
	struct store_upsert_result up;
	ck_assert_msg(
	    store_campaign_upsert(x.direct, &f->campaigns[0], clock_now_ms(), &up, &cause) == 0,
	    "%s", cause);
	struct lw_engagement e[2];
	e[0] = one->e;
	e[1] = two->e;
	for (int i = 0; i < 2; i++) {
		snprintf(e[i].campaign_id, sizeof e[i].campaign_id, "%s", up.id);
		e[i].first_seen_at_ms = clock_now_ms() - 1000 + i;
	}
	ck_assert_int_eq(alw_log_engagements(x.s, up.id, e, 2, CHK_ENGAGEMENTS), 1);
	struct alertworker_opts ao;
	alertworker_opts_init(&ao);
	ao.store = x.s;
	ao.group_wait_ms = 0;
	ao.group_interval_ms = 0;
	ao.poll_interval_ms = 50;
	struct alertworker *wk = alertworker_new(&ao);
	int64_t end = al_mono_ns() + 30000000000LL;
	struct alertworker_status st;
	for (;;) {
		alertworker_run_once(wk);
		alertworker_status(wk, &st);
		bool done = st.evaluated == 2 && st.pending == 0 && al_slack_count(x.r) >= 1;
		if (done || al_mono_ns() > end)
			break;
		alertworker_status_done(&st);
	}
	ck_assert_uint_eq(st.evaluated, 2);
	ck_assert_uint_eq(st.matched, 1);
	ck_assert_uint_eq(st.skipped, 1);
	alertworker_status_done(&st);
	ck_assert_uint_eq(al_slack_count(x.r), 1);
	char *body = al_slack_body(x.r, 0, NULL);
	char *who_two = xasprintf("@%s", two->handle), *who_one = xasprintf("@%s>", one->handle);
	ck_assert_msg(
	    strstr(body, who_two) != NULL, "the watched farm account was not sent: %s", body);
	ck_assert_msg(strstr(body, who_one) == NULL, "a farmed account alerted: %s", body);
	free(who_one);
	free(who_two);
	free(body);
	alertworker_free(wk);
	config_free(f);
	free(yaml);
	alw_fix_done(&x);
	for (size_t i = 0; i < r.n; i++)
		lw_engagement_done(&r.v[i].e);
	free(r.v);
}
END_TEST

static Suite *
farm_suite(void)
{
	Suite *s = suite_create("farm");
	TCase *tc = tcase_create("campaign");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_farm_campaign_precision_and_summary);
	suite_add_tcase(s, tc);
	tc = tcase_create("alerts");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_alerts_skip_farmed_unless_watched);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(farm_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
