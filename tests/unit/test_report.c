/*
 * Unit tests of the pure report model: totals with missing values, CPM edge
 * cases (zero views, missing views, no spend, no benchmark), unique accounts
 * per bucket, top engagers, the hourly series, the JSON round trip and the
 * output formats (Markdown, CSV, HTML well-formedness and chart points).
 * The fixture's engagements and slices reach the model as the production
 * path gives them: change-log records applied to a prepared state, whose
 * summary report_build reads (rep_raw.c's raw_summary); the same campaign
 * built the old way from raw rows (raw_report_build) renders the same bytes
 * in every format.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rep_html.h"
#include "rep_raw.h"
#include "testutil.h"
#include "model/report.h"
#include "output/engagements_csv.h"
#include "output/engagers.h"
#include "output/report_write.h"
#include "base/util.h"

#define H0  1796133600000LL /* 2026-12-01T14:00:00Z */
#define MIN 60000LL

/* Sets the six metrics of v; a negative value means missing. */
static void
vals(struct rep_values *v, int64_t views, int64_t likes, int64_t rts, int64_t replies,
    int64_t quotes, int64_t bookmarks)
{
	int64_t a[RM__COUNT] = {views, likes, rts, replies, quotes, bookmarks};
	for (int m = 0; m < RM__COUNT; m++) {
		v->has[m] = a[m] >= 0;
		v->v[m] = a[m] >= 0 ? a[m] : 0;
	}
}

/* Adds a tweet row. */
static void
add_tweet(struct raw_input *x, const char *id, enum tweet_category cat)
{
	struct rep_input *in = &x->in;
	in->tweets = xreallocarray(in->tweets, in->ntweets + 1, sizeof *in->tweets);
	struct rep_in_tweet *t = &in->tweets[in->ntweets++];
	memset(t, 0, sizeof *t);
	snprintf(t->tweet_id, sizeof t->tweet_id, "%s", id);
	t->category = cat;
	t->url = xasprintf("https://x.com/a/status/%s", id);
	t->author = xstrdup("acme");
}

/* Adds an engagement row. */
static void
add_eng(struct raw_input *x, const char *tid, const char *uid, enum lw_action a, enum lw_bucket b,
    int imp, const char *handle, int64_t seen)
{
	struct raw_eng e = {0};
	snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tid);
	snprintf(e.user_id, sizeof e.user_id, "%s", uid);
	e.action = a;
	e.bucket = b;
	e.importance = imp;
	e.handle = (char *)handle;
	e.name = (char *)"Name <script>alert(1)</script> | pipe";
	e.evidence = (char *)"bio: \"partner at\" & fund";
	e.followers = 1000 * imp;
	e.first_seen_at_ms = seen;
	raw_add_eng(x, &e);
}

/* Adds a slice row. */
static void
add_slice(
    struct raw_input *x, const char *tid, int64_t seq, int64_t at, int64_t views, int64_t likes)
{
	x->slices = xreallocarray(x->slices, x->nslices + 1, sizeof *x->slices);
	struct raw_slice *s = &x->slices[x->nslices++];
	memset(s, 0, sizeof *s);
	snprintf(s->tweet_id, sizeof s->tweet_id, "%s", tid);
	s->seq = seq;
	s->at_ms = at;
	vals(&s->deltas, views, likes, 0, 0, 0, 0);
}

/* The fixture described in the file comment of each test. */
static void
fixture(struct raw_input *x)
{
	memset(x, 0, sizeof *x);
	struct rep_input *in = &x->in;
	snprintf(in->campaign_id, sizeof in->campaign_id, "acme-1234abcd");
	in->name = xstrdup("Acme \x1b[31mlaunch");
	in->client = xstrdup("Acme Labs");
	in->window_start_ms = H0;
	in->window_end_ms = H0 + 7 * 86400000LL;
	in->status = CS_ACTIVE;
	in->cpm.has_benchmark[CAT_MAIN] = true;
	in->cpm.benchmark_usd[CAT_MAIN] = 6.0;
	in->cpm.has_benchmark[CAT_INFLUENCER] = true;
	in->cpm.benchmark_usd[CAT_INFLUENCER] = 14.0;
	in->cpm.has_spend[CAT_INFLUENCER] = true;
	in->cpm.spend_usd[CAT_INFLUENCER] = 12000;
	add_tweet(x, "101", CAT_MAIN);
	vals(&in->tweets[0].metrics, 1000000, 500, 40, 30, 20, 10);
	add_tweet(x, "102", CAT_MAIN);
	vals(&in->tweets[1].metrics, -1, 100, 4, 3, 2, 1); /* no view count */
	add_tweet(x, "103", CAT_INFLUENCER);
	vals(&in->tweets[2].metrics, 200000, 50, 5, 5, 5, 5);
	add_tweet(x, "104", CAT_INVESTOR); /* never read: all missing */
	add_eng(x, "101", "1", ACT_RETWEET, BK_INVESTOR, 90, "\x1b]0;evil\x07vc", H0 + 10 * MIN);
	add_eng(x, "103", "1", ACT_REPLY, BK_INVESTOR, 85, "vc", H0 + 12 * MIN);
	add_eng(x, "101", "2", ACT_QUOTE, BK_FOUNDER, 70, "founder", H0 + 15 * MIN);
	add_eng(x, "101", "3", ACT_RETWEET, BK_OTHER, 10, "rando", H0 + 20 * MIN);
	add_eng(x, "101", "4", ACT_RETWEET, BK_MEDIA, 50, "late", H0 + 600 * MIN);
	add_eng(x, "999", "5", ACT_RETWEET, BK_MEDIA, 99, "unlisted", H0 + 5 * MIN);
	add_slice(x, "101", 1, H0 + 5 * MIN, 1000, 5);
	add_slice(x, "101", 2, H0 + 35 * MIN, 500, -1);
	add_slice(x, "103", 1, H0 + 125 * MIN, 200, 7);
	add_slice(x, "101", 3, H0 + 700 * MIN, 9999, 9); /* after the cutoff */
}

#define CUTOFF (H0 + 300 * MIN)

/* Builds the report of x from its prepared summary: the events first seen
 * (taken) at or before cutoff, of listed tweets (what a campaign that
 * dropped a tweet reports, report_data.c's scan). */
static void
build(const struct raw_input *x, int64_t cutoff, int64_t now, size_t top, struct report *r)
{
	struct prep_summary s;
	raw_summary(x, cutoff, true, &s);
	ck_assert(report_summary_fits(&x->in, &s));
	report_build(&x->in, &s, now, top, r);
	prep_summary_done(&s);
}

/* Likely farmed: the fixture with account 3 (other, on 101) scored 70 by
 * the summary and the campaign leaving likely-farmed accounts out of CPM:
 * the shares per bucket and per tweet, 101's views counted at its
 * non-farmed share (2 of 3 accounts), the JSON round trip, the markdown
 * sentence and the CSV cells; without farm data nothing changes. */
START_TEST(test_farm_shares_and_cpm)
{
	struct raw_input x;
	fixture(&x);
	struct prep_summary s;
	raw_summary(&x, CUTOFF, true, &s);
	ck_assert(s.has_farm);
	int t101 = prep_summary_tweet(&s, "101");
	ck_assert_int_ge(t101, 0);
	s.farm_unknown = 0; /* as if its engagements carried farm data */
	s.farm[BK_OTHER][0]--;
	s.farm[BK_OTHER][70]++;
	s.tweets[t101].farm[0]--;
	s.tweets[t101].farm[70]++;
	struct report plain, r;
	report_build(&x.in, &s, H0, 10, &plain); /* farm.threshold 0: off */
	ck_assert(!plain.farm.has);
	x.in.farm.threshold = 60;
	x.in.farm.exclude = true;
	report_build(&x.in, &s, H0, 10, &r);
	ck_assert(r.farm.has && r.farm.cpm_excludes);
	ck_assert_int_eq(r.farm.likely, 1);
	ck_assert_int_eq(r.farm.bucket[BK_OTHER], 1);
	ck_assert_int_eq(r.tweets[0].farm_accounts, 3);
	ck_assert_int_eq(r.tweets[0].farm_likely, 1);
	ck_assert_int_eq(plain.cpm[CAT_MAIN].views, 1000000);
	ck_assert_int_eq(r.cpm[CAT_MAIN].views, 666666);
	ck_assert_int_eq(r.cpm[CAT_INFLUENCER].views, 200000); /* nobody farmed there */
	ck_assert_int_eq(r.cpm_all.views, 866666);
	ck_assert_int_eq(r.cat[CAT_MAIN].m.v[RM_VIEWS], 1000000); /* the totals stay */
	/* JSON round trip */
	json_t *j = report_to_json(&r);
	struct report back;
	char *cause = NULL;
	ck_assert_int_eq(report_from_json(j, &back, &cause), 0);
	ck_assert(back.farm.has && back.farm.cpm_excludes);
	ck_assert_int_eq(back.farm.threshold, 60);
	ck_assert_int_eq(back.farm.likely, 1);
	ck_assert_int_eq(back.farm.bucket[BK_OTHER], 1);
	ck_assert_int_eq(back.tweets[0].farm_likely, 1);
	ck_assert_int_eq(back.tweets[0].farm_accounts, 3);
	json_decref(j);
	j = report_to_json(&plain);
	ck_assert_ptr_null(json_object_get(j, "farm"));
	json_decref(j);
	/* the renderers */
	char *md = report_render_md(&r);
	ck_assert_ptr_nonnull(
	    strstr(md, "Likely farmed: 1 of 3 engaged accounts (33.3%, farm score "
	               "\\>= 60")); /* '>' escaped for markdown */
	ck_assert_ptr_nonnull(strstr(md, "CPM leaves them out"));
	ck_assert_ptr_nonnull(strstr(md, "other 1 of 1"));
	free(md);
	md = report_render_md(&plain);
	ck_assert_ptr_null(strstr(md, "Likely farmed"));
	free(md);
	char *csv = report_render_csv(&r, RC_TWEETS);
	ck_assert_ptr_nonnull(strstr(csv, ",farm_accounts,likely_farmed\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, ",3,1\r\n"));
	free(csv);
	csv = report_render_csv(&r, RC_CPM);
	ck_assert_ptr_nonnull(strstr(csv, "overall,866666,"));
	ck_assert_ptr_nonnull(strstr(csv, ",true\r\n"));
	free(csv);
	csv = report_render_csv(&plain, RC_BUCKETS);
	ck_assert_ptr_nonnull(strstr(csv, "other,1,1,\r\n")); /* no farm data: an empty cell */
	free(csv);
	char *html = report_render_html(&r);
	ck_assert_ptr_nonnull(strstr(html, "id=\"farm\" data-likely=\"1\" data-excluded=\"true\""));
	ck_assert_ptr_nonnull(strstr(html, "<th class=\"n\">likely farmed</th>"));
	free(html);
	html = report_render_html(&plain);
	ck_assert_ptr_null(strstr(html, "likely farmed"));
	free(html);
	report_done(&back);
	report_done(&r);
	report_done(&plain);
	prep_summary_done(&s);
	raw_input_done(&x);
}
END_TEST

START_TEST(test_totals_and_missing)
{
	struct raw_input in;
	struct report r;
	fixture(&in);
	build(&in, CUTOFF, H0 + 301 * MIN, 20, &r);
	ck_assert_int_eq(r.ntweets, 4);
	ck_assert(!r.tweets[1].m.has[RM_VIEWS]);
	ck_assert(r.cat[CAT_MAIN].m.has[RM_VIEWS]);
	ck_assert_int_eq(r.cat[CAT_MAIN].m.v[RM_VIEWS], 1000000);
	ck_assert_int_eq(r.cat[CAT_MAIN].nmissing[RM_VIEWS], 1);
	ck_assert_int_eq(r.cat[CAT_MAIN].m.v[RM_LIKES], 600);
	ck_assert(!r.cat[CAT_INVESTOR].m.has[RM_VIEWS]);
	ck_assert(!r.cat[CAT_INVESTOR].m.has[RM_LIKES]);
	ck_assert_int_eq(r.cat[CAT_INVESTOR].ntweets, 1);
	ck_assert_int_eq(r.all.m.v[RM_VIEWS], 1200000);
	ck_assert_int_eq(r.all.nmissing[RM_VIEWS], 2);
	ck_assert_int_eq(r.all.m.v[RM_BOOKMARKS], 16);
	/* engagements: the late one and the unlisted tweet's do not count */
	ck_assert_int_eq(r.engagements, 4);
	ck_assert_int_eq(r.engagements_by_action[ACT_RETWEET], 2);
	ck_assert_int_eq(r.tweets[0].engagements[ACT_RETWEET], 2);
	ck_assert_int_eq(r.tweets[2].engagements[ACT_REPLY], 1);
	ck_assert_int_eq(r.unique_accounts, 3);
	ck_assert_int_eq(r.bucket_accounts[BK_INVESTOR], 1);
	ck_assert_int_eq(r.bucket_engagements[BK_INVESTOR], 2);
	ck_assert_int_eq(r.bucket_accounts[BK_FOUNDER], 1);
	ck_assert_int_eq(r.bucket_accounts[BK_OTHER], 1);
	ck_assert_int_eq(r.bucket_accounts[BK_MEDIA], 0);
	/* top engagers by importance, with their evidence and actions */
	ck_assert_uint_eq(r.ntop, 3);
	ck_assert_str_eq(r.top[0].user_id, "1");
	ck_assert_int_eq(r.top[0].importance, 90);
	ck_assert_int_eq(r.top[0].ntweets, 2);
	ck_assert_int_eq(r.top[0].actions[ACT_RETWEET], 1);
	ck_assert_int_eq(r.top[0].actions[ACT_REPLY], 1);
	ck_assert_ptr_null(strchr(r.top[0].handle, '\x1b'));
	ck_assert_ptr_null(strchr(r.name, '\x1b'));
	ck_assert_str_eq(r.top[1].user_id, "2");
	ck_assert_str_eq(r.top[2].user_id, "3");
	ck_assert_ptr_nonnull(strstr(r.top[1].evidence, "partner at"));
	report_done(&r);
	/* top is a limit */
	build(&in, CUTOFF, CUTOFF, 1, &r);
	ck_assert_uint_eq(r.ntop, 1);
	ck_assert_int_eq(r.unique_accounts, 3);
	report_done(&r);
	/* no cutoff: the late engagement and slice count */
	build(&in, INT64_MAX, CUTOFF, 20, &r);
	ck_assert_int_eq(r.engagements, 5);
	ck_assert_int_eq(r.bucket_accounts[BK_MEDIA], 1);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_series)
{
	struct raw_input in;
	struct report r;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	/* hours 14:00 (slices 1+2, four engagements) and 16:00 (slice of 103) */
	ck_assert_uint_eq(r.nhourly, 2);
	ck_assert_int_eq(r.hourly[0].t_ms, H0);
	ck_assert_int_eq(r.hourly[0].delta[RM_VIEWS], 1500);
	ck_assert_int_eq(r.hourly[0].delta[RM_LIKES], 5);
	ck_assert_int_eq(r.hourly[0].engagements, 4);
	ck_assert_int_eq(r.hourly[1].t_ms, H0 + 120 * MIN);
	ck_assert_int_eq(r.hourly[1].cum[RM_VIEWS], 1700);
	ck_assert_int_eq(r.hourly[1].cum[RM_LIKES], 12);
	ck_assert_int_eq(r.hourly[1].cum_engagements, 4);
	ck_assert_uint_eq(r.ndaily, 1);
	ck_assert_int_eq(r.daily[0].t_ms, H0 - 14 * 60 * MIN);
	ck_assert_int_eq(r.daily[0].cum[RM_VIEWS], 1700);
	/* per minute: the three slices' minutes */
	ck_assert_uint_eq(r.nminutes, 3);
	ck_assert_int_eq(r.minutes[0].t_ms, H0 + 5 * MIN);
	ck_assert_int_eq(r.minutes[1].cum[RM_VIEWS], 1500);
	ck_assert_int_eq(r.minutes[2].t_ms, H0 + 125 * MIN);
	/* the charts' points: the auto rule per width, and at every resolution
	 * the last step's running totals are the report's */
	static const struct {
		size_t width;
		enum res res;
		size_t n;
	} cases[] = {{300, RES_1M, 296}, {240, RES_5M, 60}, {40, RES_15M, 21}, {10, RES_HOUR, 2},
	    {3, RES_DAY, 1}};
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		enum res res;
		size_t n;
		struct rep_point *p = report_chart_points(&r, cases[i].width, &res, &n);
		ck_assert_int_eq(res, cases[i].res);
		ck_assert_uint_eq(n, cases[i].n);
		for (int m = 0; m < RM__COUNT; m++)
			ck_assert_int_eq(p[n - 1].cum[m], r.hourly[r.nhourly - 1].cum[m]);
		int64_t sum = 0;
		for (size_t k = 0; k < n; k++)
			sum += p[k].delta[RM_LIKES];
		ck_assert_int_eq(sum, r.hourly[r.nhourly - 1].cum[RM_LIKES]);
		free(p);
	}
	/* the JSON keeps them; a report frozen before them draws hours */
	json_t *j = report_to_json(&r);
	struct report back;
	char *cause = NULL;
	ck_assert_msg(report_from_json(j, &back, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(back.nminutes, 3);
	ck_assert_int_eq(back.minutes[2].cum[RM_VIEWS], 1700);
	report_done(&back);
	json_object_del(j, "minutes");
	ck_assert_msg(report_from_json(j, &back, &cause) == 0, "%s", cause);
	enum res res;
	size_t n;
	struct rep_point *p = report_chart_points(&back, REPORT_CHART_STEPS, &res, &n);
	ck_assert_int_eq(res, RES_HOUR);
	ck_assert_uint_eq(n, 2);
	free(p);
	report_done(&back);
	json_decref(j);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

#define EPS 1e-9

START_TEST(test_cpm_categories)
{
	struct raw_input in;
	struct report r;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	const struct rep_cpm *m = &r.cpm[CAT_MAIN], *i = &r.cpm[CAT_INFLUENCER],
	                     *v = &r.cpm[CAT_INVESTOR], *o = &r.cpm_all;
	/* main: missing views on one tweet make it partial; no spend counts as 0 */
	ck_assert(m->has_views && m->partial);
	ck_assert(m->has_paid && fabs(m->paid_equivalent_usd - 6000.0) < EPS);
	ck_assert(!m->has_spend && m->spend_usd == 0);
	ck_assert(m->has_savings && fabs(m->savings_usd - 6000.0) < EPS);
	ck_assert(m->has_ecpm && m->effective_cpm_usd == 0);
	/* influencer: 200k views at $14 = $2,800 against $12,000 spend */
	ck_assert(!i->partial);
	ck_assert(fabs(i->paid_equivalent_usd - 2800.0) < EPS);
	ck_assert(fabs(i->savings_usd - (2800.0 - 12000.0)) < EPS);
	ck_assert(fabs(i->effective_cpm_usd - 60.0) < EPS);
	/* investor: no view count and no benchmark: everything missing */
	ck_assert(
	    !v->has_views && !v->has_benchmark && !v->has_paid && !v->has_savings && !v->has_ecpm);
	/* overall: sums over categories that have a paid equivalent, partial */
	ck_assert(o->partial);
	ck_assert_int_eq(o->views, 1200000);
	ck_assert(fabs(o->paid_equivalent_usd - 8800.0) < EPS);
	ck_assert(fabs(o->spend_usd - 12000.0) < EPS);
	ck_assert(fabs(o->savings_usd - (8800.0 - 12000.0)) < EPS);
	ck_assert(fabs(o->effective_cpm_usd - 10.0) < EPS);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_cpm_edges)
{
	struct rep_sum s;
	struct rep_cpm c;
	/* zero views (known): paid 0, savings = -spend, no effective CPM */
	memset(&s, 0, sizeof s);
	s.ntweets = 1;
	s.m.has[RM_VIEWS] = true;
	report_cpm_one(&s, true, 10.0, true, 500.0, &c);
	ck_assert(c.has_views && c.views == 0 && !c.partial);
	ck_assert(c.has_paid && c.paid_equivalent_usd == 0);
	ck_assert(c.has_savings && fabs(c.savings_usd + 500.0) < EPS);
	ck_assert(!c.has_ecpm);
	/* missing views: nothing computed, never zero */
	memset(&s, 0, sizeof s);
	s.ntweets = 2;
	s.nmissing[RM_VIEWS] = 2;
	report_cpm_one(&s, true, 10.0, true, 500.0, &c);
	ck_assert(!c.has_views && !c.has_paid && !c.has_savings && !c.has_ecpm);
	ck_assert(c.has_spend && c.spend_usd == 500.0);
	/* no spend: savings = paid equivalent, effective CPM 0 */
	s.m.has[RM_VIEWS] = true;
	s.m.v[RM_VIEWS] = 250000;
	s.nmissing[RM_VIEWS] = 0;
	report_cpm_one(&s, true, 8.0, false, 0, &c);
	ck_assert(fabs(c.paid_equivalent_usd - 2000.0) < EPS);
	ck_assert(fabs(c.savings_usd - 2000.0) < EPS);
	ck_assert(c.has_ecpm && c.effective_cpm_usd == 0);
	/* no benchmark: no paid equivalent or savings, effective CPM still */
	report_cpm_one(&s, false, 0, true, 1000.0, &c);
	ck_assert(!c.has_paid && !c.has_savings);
	ck_assert(c.has_ecpm && fabs(c.effective_cpm_usd - 4.0) < EPS);
	/* a fractional result keeps its precision */
	s.m.v[RM_VIEWS] = 333;
	report_cpm_one(&s, true, 7.5, true, 1.0, &c);
	ck_assert(fabs(c.paid_equivalent_usd - 333.0 / 1000.0 * 7.5) < EPS);
	ck_assert(fabs(c.effective_cpm_usd - 1.0 / 0.333) < 1e-9);
}
END_TEST

START_TEST(test_json_round_trip)
{
	struct raw_input in;
	struct report r, back;
	char *cause = NULL;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	r.final = true;
	json_t *j = report_to_json(&r);
	char *a = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	ck_assert_ptr_null(json_object_get(json_object_get(json_object_get(j, "cpm"), "investor"),
	                       "views") == json_null()
	                       ? NULL
	                       : "investor views should be null");
	ck_assert_int_eq(report_from_json(j, &back, &cause), 0);
	json_t *j2 = report_to_json(&back);
	char *b = json_dumps(j2, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	ck_assert_str_eq(a, b);
	ck_assert(back.final);
	ck_assert_int_eq(back.formula_version, REPORT_CPM_FORMULA_VER);
	/* the rendered outputs agree too */
	char *m1 = report_render_md(&r), *m2 = report_render_md(&back);
	ck_assert_str_eq(m1, m2);
	free(m1);
	free(m2);
	json_t *bad = json_pack("{s:s}", "schema", "something-else");
	struct report none;
	ck_assert_int_eq(report_from_json(bad, &none, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "launchwatch-report"));
	json_decref(bad);
	free(cause);
	free(a);
	free(b);
	json_decref(j);
	json_decref(j2);
	report_done(&back);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_sentiment_section)
{
	/* no scorer ran: every format says "not scored"; with sums: per
	 * audience, in all and per tweet, kept through the frozen JSON */
	struct raw_input in;
	struct report r, back;
	char *cause = NULL;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	char *md = report_render_md(&r), *html = report_render_html(&r);
	ck_assert_ptr_nonnull(strstr(md, "## Sentiment of replies and quotes\n\nNot scored: no "
	                                 "sentiment scorer ran"));
	ck_assert_ptr_nonnull(strstr(html, "<p>Not scored: no sentiment scorer ran"));
	json_t *j = report_to_json(&r);
	ck_assert(json_is_null(json_object_get(j, "sentiment")));
	json_decref(j);
	free(md);
	free(html);
	struct sent_state st;
	memset(&st, 0, sizeof st);
	snprintf(st.scorer, sizeof st.scorer, "vader");
	snprintf(st.version, sizeof st.version, "3.3.2");
	sent_state_add(&st, r.tweets[0].tweet_id, BK_INVESTOR, true, -0.9);
	sent_state_add(&st, r.tweets[0].tweet_id, BK_OTHER, true, 0.5);
	sent_state_add(&st, r.tweets[0].tweet_id, BK_OTHER, false, 0);
	report_set_sentiment(&r, &st);
	sent_state_done(&st);
	ck_assert(r.has_sentiment);
	ck_assert_int_eq(r.tweets[0].sentiment.count, 2);
	ck_assert_int_eq(r.tweets[1].sentiment.count, 0);
	md = report_render_md(&r);
	ck_assert_ptr_nonnull(strstr(md, "scored by vader 3.3.2"));
	ck_assert_ptr_nonnull(strstr(md, "| investor | 1 | -0.90 | 0 | 0 | 1 | 0 |\n"));
	ck_assert_ptr_nonnull(strstr(md, "| other | 1 | +0.50 | 1 | 0 | 0 | 1 |\n"));
	ck_assert_ptr_nonnull(strstr(md, "| **total** | 2 | -0.20 | 1 | 0 | 1 | 1 |\n"));
	html = report_render_html(&r);
	ck_assert_ptr_nonnull(strstr(html, "<table id=\"sentiment\">"));
	j = report_to_json(&r);
	ck_assert_int_eq(report_from_json(j, &back, &cause), 0);
	ck_assert(back.has_sentiment);
	ck_assert_str_eq(back.sentiment_by, "vader 3.3.2");
	ck_assert_int_eq(back.sentiment_all.not_scored, 1);
	ck_assert_double_eq_tol(back.tweets[0].sentiment.sum, -0.4, 1e-12);
	char *md2 = report_render_md(&back);
	ck_assert_str_eq(md, md2);
	free(md2);
	free(md);
	free(html);
	json_decref(j);
	report_done(&back);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_formats)
{
	struct raw_input in;
	struct report r;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	char *md = report_render_md(&r);
	ck_assert_ptr_nonnull(strstr(md, "LIVE, NOT FINAL"));
	ck_assert_ptr_nonnull(strstr(md, "1,000,000 (1 of 2 tweets missing)"));
	ck_assert_ptr_nonnull(strstr(md, "| 102 | main | acme | missing | 100 |"));
	ck_assert_ptr_nonnull(strstr(md,
	    "| influencer | 200,000 | $14.00 | $2,800.00 | $12,000.00 | -$9,200.00 | $60.00 |"));
	ck_assert_ptr_nonnull(strstr(
	    md, "| investor | missing | missing | missing | n/a (none set) | missing | n/a |"));
	/* no spend set: never "$0", and the effective CPM is n/a */
	ck_assert_ptr_null(strstr(md, "$0.00"));
	ck_assert_ptr_nonnull(
	    strstr(md, "| main | 1,000,000 (partial) | $6.00 | $6,000.00 (partial) | "
	               "n/a (none set) | $6,000.00 (partial) | n/a |"));
	ck_assert_ptr_nonnull(strstr(md, "CPM formula version 1"));
	ck_assert_ptr_null(strchr(md, '\x1b'));
	ck_assert_ptr_nonnull(strstr(md, "\\| pipe"));
	free(md);

	char *csv = report_render_csv(&r, RC_TWEETS);
	ck_assert_int_eq(rep_count(csv, "\r\n"), 5);
	ck_assert_ptr_nonnull(strstr(
	    csv, "\"102\",main,\"https://x.com/a/status/102\",\"acme\",false,,100,4,3,2,1,"));
	free(csv);
	csv = report_render_csv(&r, RC_CPM);
	ck_assert_ptr_nonnull(strstr(csv,
	    "influencer,200000,false,14.000000,12000.000000,2800.000000,-9200.000000,60.000000"));
	ck_assert_ptr_nonnull(strstr(csv, "investor,,false,,,,,"));
	free(csv);
	csv = report_render_csv(&r, RC_SUMMARY);
	ck_assert_ptr_nonnull(strstr(csv, "live, not final"));
	ck_assert_ptr_nonnull(strstr(csv, "cpm-v1"));
	free(csv);

	char *html = report_render_html(&r);
	const char *why = rep_html_check(html);
	ck_assert_msg(why == NULL, "HTML not well-formed: %s", why);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "http://") && !strstr(html, "http://www.w3.org/2000/svg")
	                       ? "external"
	                       : NULL);
	ck_assert_ptr_nonnull(strstr(html, "LIVE, NOT FINAL"));
	/* five hours from the first slice to the report: drawn per 5 minutes,
	 * quiet steps too (the launch's shape, not two hourly dots) */
	ck_assert_ptr_nonnull(strstr(html, "Cumulative views over time (per 5-min, UTC)"));
	char want[160];
	static const struct {
		int64_t min, v;
	} pts[] = {{5, 1000}, {30, 1000}, {35, 1500}, {120, 1500}, {125, 1700}, {300, 1700}};
	for (size_t i = 0; i < LW_ARRAY_LEN(pts); i++) {
		snprintf(want, sizeof want, "data-metric=\"views\" data-t=\"%lld\" data-v=\"%lld\"",
		    (long long)(H0 + pts[i].min * MIN), (long long)pts[i].v);
		ck_assert_msg(strstr(html, want) != NULL, "no %s", want);
	}
	ck_assert_ptr_nonnull(strstr(html, "data-bucket=\"investor\" data-v=\"1\""));
	ck_assert_ptr_nonnull(
	    strstr(html, "data-category=\"influencer\" data-metric=\"views\" data-v=\"200000\""));
	ck_assert_ptr_nonnull(
	    strstr(html, "data-category=\"investor\" data-metric=\"views\">missing"));
	free(html);
	/* a final report says so */
	r.final = true;
	html = report_render_html(&r);
	ck_assert_ptr_nonnull(strstr(html, "data-final=\"true\""));
	ck_assert_ptr_null(strstr(html, "LIVE, NOT FINAL"));
	free(html);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_final_refresh)
{
	struct raw_input in;
	struct report r, back;
	char *cause = NULL;
	fixture(&in);
	build(&in, CUTOFF, CUTOFF, 20, &r);
	/* a live report has no final_refresh member: its shape is unchanged */
	json_t *j = report_to_json(&r);
	ck_assert_ptr_null(json_object_get(j, "final_refresh"));
	json_decref(j);
	ck_assert_ptr_null(report_refresh_text(&r));
	r.final = true;
	r.refresh.ran = true;
	r.refresh.complete = false;
	r.refresh.at_ms = CUTOFF;
	r.refresh.jobs = 12;
	r.refresh.failed = 2;
	r.refresh.requests = 3;
	r.refresh.note = xstrdup("metrics of 101: retry after 3 runs: transient: HTTP 500 <b>&");
	j = report_to_json(&r);
	json_t *fr = json_object_get(j, "final_refresh");
	ck_assert(json_is_false(json_object_get(fr, "complete")));
	ck_assert_int_eq(json_integer_value(json_object_get(fr, "failed")), 2);
	ck_assert_int_eq(report_from_json(j, &back, &cause), 0);
	ck_assert(back.refresh.ran && !back.refresh.complete);
	ck_assert_int_eq(back.refresh.jobs, 12);
	ck_assert_int_eq(back.refresh.requests, 3);
	ck_assert_int_eq(back.refresh.at_ms, CUTOFF);
	ck_assert_str_eq(back.refresh.note, r.refresh.note);
	json_decref(j);
	char *md = report_render_md(&back);
	ck_assert_ptr_nonnull(strstr(md, "Final refresh INCOMPLETE: 2 of 12 jobs"));
	free(md);
	char *html = report_render_html(&back);
	const char *why = rep_html_check(html);
	ck_assert_msg(why == NULL, "HTML not well-formed: %s", why);
	ck_assert_ptr_nonnull(strstr(html, "id=\"final-refresh\" data-complete=\"false\""));
	ck_assert_ptr_nonnull(strstr(html, "HTTP 500 &lt;b&gt;&amp;"));
	free(html);
	/* a complete refresh gets one plain line */
	back.refresh.complete = true;
	back.refresh.failed = 0;
	md = report_render_md(&back);
	ck_assert_ptr_nonnull(strstr(md, "Final refresh: every tweet's metrics were read"));
	ck_assert_ptr_null(strstr(md, "INCOMPLETE"));
	free(md);
	report_done(&back);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_html_deliverable)
{
	struct raw_input in;
	struct report r, back;
	char *cause = NULL;
	fixture(&in);
	in.in.client_logo = xstrdup("https://acme.example/logo.png");
	in.in.client_accent = xstrdup("#0a7f6f");
	build(&in, CUTOFF, CUTOFF, 20, &r);
	char *html = report_render_html(&r);
	ck_assert_msg(rep_html_check(html) == NULL, "%s", rep_html_check(html));
	/* the first screen: branding and headline numbers */
	ck_assert_ptr_nonnull(strstr(html, "--accent:#0a7f6f"));
	ck_assert_ptr_nonnull(strstr(html, "src=\"https://acme.example/logo.png\""));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"client\" id=\"client\">Acme Labs</p>"));
	ck_assert_ptr_nonnull(strstr(html, "id=\"h-views\""));
	ck_assert_ptr_nonnull(strstr(html, "id=\"h-savings\""));
	ck_assert_ptr_nonnull(strstr(html, "@media print"));
	/* tweets linked; numbers one way; jargon in the appendix only */
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"https://x.com/i/web/status/101\">@acme</a>"));
	ck_assert_ptr_nonnull(strstr(html, "1,000,000"));
	ck_assert_ptr_null(strstr(html, ">1000000<"));
	const char *appendix = strstr(html, "id=\"appendix\"");
	ck_assert_ptr_nonnull(appendix);
	const char *schema = strstr(html, REPORT_SCHEMA);
	ck_assert(schema != NULL && schema > appendix);
	ck_assert_ptr_null(strstr(html, "$0.00 (none set)"));
	/* the overall views are partial (tweet 102 has none); the investor row
	 * has no value at all: n/a */
	ck_assert_ptr_nonnull(strstr(html, "<th>investor</th><td class=\"n\">n/a</td>"));
	free(html);
	/* the branding goes through the frozen JSON, and a bad one is dropped */
	json_t *j = report_to_json(&r);
	json_object_set_new(json_object_get(j, "campaign"), "client_accent", json_string("red"));
	ck_assert_int_eq(report_from_json(j, &back, &cause), 0);
	ck_assert_str_eq(back.client_logo, "https://acme.example/logo.png");
	ck_assert_str_eq(back.client_accent, "");
	json_decref(j);
	report_done(&back);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

/* Overall views are not "(partial)" when every tweet has a view count, even
 * when a category could not be priced. */
START_TEST(test_html_views_not_partial)
{
	struct raw_input in;
	struct report r;
	fixture(&in);
	in.in.tweets[1].metrics.has[RM_VIEWS] = true; /* 102 gets a view count */
	in.in.tweets[1].metrics.v[RM_VIEWS] = 5;
	in.in.tweets[3].metrics.has[RM_VIEWS] = true; /* and 104 */
	in.in.tweets[3].metrics.v[RM_VIEWS] = 7;
	build(&in, CUTOFF, CUTOFF, 20, &r);
	ck_assert(r.cpm_all.partial); /* investor has no benchmark */
	char *html = report_render_html(&r);
	ck_assert_ptr_nonnull(strstr(html, "<th>overall</th><td class=\"n\">1,200,012</td>"));
	ck_assert_ptr_nonnull(strstr(html, " (partial)</td>")); /* paid equivalent */
	free(html);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_engagers_rows)
{
	/* one account's row: its best bucket and importance, actions counted
	 * per pair, distinct tweets; the handle guarded like every text cell */
	struct prep_account_pair pairs[] = {{0, ACT_REPLY, BK_MEDIA, 1, 0, 0},
	    {0, ACT_RETWEET, BK_MEDIA, 2, 0, 0}, {2, ACT_REPLY, BK_MEDIA, 3, 0, 0}};
	struct prep_account a = {.user_id = "42",
	    .handle = "=cmd",
	    .followers = 1500,
	    .verified = true,
	    .first_at_ms = H0,
	    .best_tweet = 0,
	    .best_action = ACT_REPLY,
	    .best_importance = 77,
	    .best_bucket = BK_FOUNDER,
	    .pairs = pairs,
	    .npairs = 3};
	struct rep_account_row r;
	report_account_row(&a, &r);
	ck_assert_int_eq(r.actions[ACT_REPLY], 2);
	ck_assert_int_eq(r.actions[ACT_RETWEET], 1);
	ck_assert_int_eq(r.ntweets, 2);
	struct sbuf b;
	sbuf_init(&b);
	engagers_csv_row(&b, &r);
	ck_assert_str_eq(
	    b.s, "\"42\",\"'=cmd\",founder,77,1500,true,2026-12-01T14:00:00Z,1,2,0,2\r\n");
	b.len = 0;
	engagers_json_row(&b, &r);
	ck_assert_str_eq(b.s, "{\"user_id\":\"42\",\"handle\":\"=cmd\",\"bucket\":\"founder\","
	                      "\"importance\":77,\"followers\":1500,\"verified\":true,"
	                      "\"first_engaged_at\":\"2026-12-01T14:00:00Z\",\"retweets\":1,"
	                      "\"replies\":2,\"quotes\":0,\"tweets\":2}");
	sbuf_done(&b);
}
END_TEST

START_TEST(test_empty_campaign)
{
	struct raw_input in = {0};
	struct report r;
	in.in.name = xstrdup("Empty");
	in.in.client = xstrdup("");
	build(&in, INT64_MAX, H0, 20, &r);
	ck_assert(!r.cpm_all.has_views && !r.cpm_all.has_paid && !r.cpm_all.partial);
	char *html = report_render_html(&r);
	ck_assert_msg(rep_html_check(html) == NULL, "%s", rep_html_check(html));
	ck_assert_ptr_nonnull(strstr(html, "no engaged accounts yet"));
	/* no CPM values set: no CPM table, no tile, and never a "$0" */
	ck_assert_ptr_null(strstr(html, "id=\"cpm\""));
	ck_assert_ptr_null(strstr(html, "h-savings"));
	ck_assert_ptr_null(strstr(html, "$0"));
	free(html);
	char *md = report_render_md(&r);
	ck_assert_ptr_nonnull(strstr(md, "no engagers yet"));
	free(md);
	report_done(&r);
	raw_input_done(&in);
}
END_TEST

START_TEST(test_unlisted_tweet_does_not_fit)
{
	/* a summary with data of a tweet the campaign no longer lists cannot
	 * be reported as it is: report_data.c recomputes it from the listed
	 * tweets' events */
	struct raw_input in;
	struct prep_summary s;
	fixture(&in);
	raw_summary(&in, CUTOFF, false, &s);
	ck_assert(!report_summary_fits(&in.in, &s));
	prep_summary_done(&s);
	raw_summary(&in, CUTOFF, true, &s);
	ck_assert(report_summary_fits(&in.in, &s));
	prep_summary_done(&s);
	raw_input_done(&in);
}
END_TEST

/* Checks that x reports the same both ways at cutoff with top engagers. */
static void
check_both_ways(const struct raw_input *x, int64_t cutoff, size_t top)
{
	struct report prep, raw;
	build(x, cutoff, H0 + 999 * MIN, top, &prep);
	raw_report_build(x, cutoff, H0 + 999 * MIN, top, &raw);
	raw.log_seq = prep.log_seq; /* what only the prepared path knows */
	raw.log_head = prep.log_head;
	char *a = raw_render_all(&prep), *b = raw_render_all(&raw);
	tu_same_text("renders", a, b);
	free(a);
	free(b);
	report_done(&prep);
	report_done(&raw);
}

/* A small deterministic generator. */
static uint64_t rng_state;
static uint64_t
rng(void)
{
	return tu_rand(&rng_state);
}

/* Returns true when x already has engagement (tweet, user, action) of e. */
static bool
find_dup(const struct raw_input *x, const struct raw_eng *e)
{
	for (size_t i = 0; i < x->neng; i++)
		if (x->eng[i].action == e->action && strcmp(x->eng[i].tweet_id, e->tweet_id) == 0 &&
		    strcmp(x->eng[i].user_id, e->user_id) == 0)
			return true;
	return false;
}

/* Generates a campaign: listed and unlisted tweets, accounts on several
 * tweets with ties in importance, followers and handles, hostile text,
 * engagements with and without created_at, slices whose deltas cancel out
 * within an hour. */
static void
generate(struct raw_input *x, uint64_t seed)
{
	static const char *const handles[] = {"alice", "bob", "=cmd|' /C calc'!A0",
	    "\x1b]0;x\x07ev", "carol", "dave\xff", "+plus", "@at"};
	fixture(x);
	rng_state = seed;
	for (int t = 0; t < 6; t++) {
		char id[24];
		snprintf(id, sizeof id, "18611%02d", t);
		if (t < 5)
			add_tweet(x, id, (enum tweet_category)(t % CAT__COUNT));
	}
	for (int k = 0; k < 400; k++) {
		char tid[24], uid[24];
		snprintf(tid, sizeof tid, "18611%02d", (int)(rng() % 6));
		snprintf(uid, sizeof uid, "%d", 7000 + (int)(rng() % 90));
		struct raw_eng e = {0};
		snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tid);
		snprintf(e.user_id, sizeof e.user_id, "%s", uid);
		e.action = (enum lw_action)(rng() % ACT__COUNT);
		if (find_dup(x, &e))
			continue;
		e.bucket = (enum lw_bucket)(rng() % BK__COUNT);
		e.importance = (int)(rng() % 5) * 20;
		e.followers = (int64_t)(rng() % 3) * 500;
		e.verified = rng() % 2;
		e.handle = (char *)handles[rng() % LW_ARRAY_LEN(handles)];
		e.name = (char *)(rng() % 2 ? "Name\n<b>bold</b>" : "=SUM(A1)");
		e.evidence = (char *)(rng() % 2 ? "bio: vc" : "-1 words");
		e.first_seen_at_ms = H0 + (int64_t)(rng() % (3 * 24 * 60)) * MIN;
		e.created_at_ms = rng() % 3 ? e.first_seen_at_ms - (int64_t)(rng() % 90) * MIN : 0;
		raw_add_eng(x, &e);
	}
	int64_t seq[6] = {0};
	for (int k = 0; k < 120; k++) {
		int t = (int)(rng() % 6);
		char tid[24];
		snprintf(tid, sizeof tid, "18611%02d", t);
		int64_t at = H0 + (int64_t)(rng() % (4 * 24 * 60)) * MIN;
		int64_t d = (int64_t)(rng() % 200) - 50;
		add_slice(x, tid, 100 + ++seq[t], at, d, d / 3);
		if (k % 10 == 0) /* the change is taken back within the hour */
			add_slice(
			    x, tid, 100 + ++seq[t], at - at % (60 * MIN) + 59 * MIN, -d, -(d / 3));
	}
}

START_TEST(test_same_as_raw_rows)
{
	struct raw_input x;
	static const size_t tops[] = {1, 20, PREP_TOP_MAX};
	fixture(&x);
	for (size_t i = 0; i < LW_ARRAY_LEN(tops); i++) {
		check_both_ways(&x, CUTOFF, tops[i]);
		check_both_ways(&x, INT64_MAX, tops[i]);
	}
	raw_input_done(&x);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		generate(&x, seed * 0x9e3779b97f4a7c15ULL);
		check_both_ways(&x, INT64_MAX, 20);
		check_both_ways(&x, H0 + 36 * 60 * MIN, PREP_TOP_MAX);
		raw_input_done(&x);
	}
}
END_TEST

START_TEST(test_engagement_row)
{
	/* one row per engagement: text sanitized, quoted, and guarded against
	 * spreadsheet formulas; numbers and times plain */
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111111");
	snprintf(e.user.id, sizeof e.user.id, "42");
	e.user.handle = (char *)"=HYPERLINK(\"http://x\")";
	e.user.name = (char *)"Ann \x1b[31mRed\x1b[0m\nLine, \"Q\"";
	e.evidence = (char *)"@bio: -vc, +fund";
	e.action = ACT_QUOTE;
	e.bucket = BK_INVESTOR;
	e.importance = 87;
	e.user.followers = 12345;
	e.user.verified = true;
	e.first_seen_at_ms = H0;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, engcsv_header);
	engcsv_row(&b, &e);
	ck_assert_str_eq(b.s,
	    "tweet_id,user_id,handle,name,action,bucket,importance,followers,verified,"
	    "first_seen_at,created_at,evidence\r\n"
	    "\"1861111111111111111\",\"42\",\"'=HYPERLINK(\"\"http://x\"\")\","
	    "\"Ann Red Line, \"\"Q\"\"\",quote,investor,87,12345,true,2026-12-01T14:00:00Z,,"
	    "\"'@bio: -vc, +fund\"\r\n");
	sbuf_done(&b);
	/* a spoofed handle (bidi override, zero-width space) is shown as it is */
	e.user.handle = (char *)"vitalik\xe2\x80\xae"
	                        "etub";
	e.user.name = (char *)"Vi\xe2\x80\x8btalik";
	e.evidence = (char *)"";
	sbuf_init(&b);
	engcsv_row(&b, &e);
	ck_assert_ptr_nonnull(strstr(b.s, "\"vitaliketub\",\"Vitalik\""));
	sbuf_done(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_totals_and_missing);
	tcase_add_test(tc, test_farm_shares_and_cpm);
	tcase_add_test(tc, test_series);
	tcase_add_test(tc, test_cpm_categories);
	tcase_add_test(tc, test_cpm_edges);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_sentiment_section);
	tcase_add_test(tc, test_final_refresh);
	tcase_add_test(tc, test_empty_campaign);
	tcase_add_test(tc, test_html_deliverable);
	tcase_add_test(tc, test_html_views_not_partial);
	tcase_add_test(tc, test_engagers_rows);
	tcase_add_test(tc, test_unlisted_tweet_does_not_fit);
	tcase_add_test(tc, test_same_as_raw_rows);
	tcase_add_test(tc, test_engagement_row);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
