/*
 * report: builds the campaign report model from plain input rows (totals,
 * unique accounts per bucket, top engagers, hourly and daily series, CPM
 * savings) and converts it to and from JSON. External text is sanitized
 * here, once, so every output format gets clean strings. Pure; any thread,
 * one owner per struct at a time.
 */
#include "model/report.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"

#define HOUR_MS 3600000LL
#define DAY_MS  86400000LL

static const char *const metric_names[RM__COUNT] = {
    "views", "likes", "retweets", "replies", "quotes", "bookmarks"};

const char *
rep_metric_name(enum rep_metric m)
{
	return (unsigned)m < RM__COUNT ? metric_names[m] : "?";
}

void
rep_input_done(struct rep_input *in)
{
	free(in->name);
	free(in->client);
	free(in->client_logo);
	free(in->client_accent);
	for (size_t i = 0; i < in->ntweets; i++) {
		free(in->tweets[i].url);
		free(in->tweets[i].author);
	}
	free(in->tweets);
	memset(in, 0, sizeof *in);
}

/* Frees the strings of an engager. */
static void
engager_done(struct rep_engager *e)
{
	free(e->handle);
	free(e->name);
	free(e->evidence);
}

void
report_done(struct report *r)
{
	free(r->name);
	free(r->client);
	free(r->client_logo);
	free(r->client_accent);
	for (size_t i = 0; i < r->ntweets; i++) {
		free(r->tweets[i].url);
		free(r->tweets[i].author);
	}
	free(r->tweets);
	for (size_t i = 0; i < r->ntop; i++)
		engager_done(&r->top[i]);
	free(r->top);
	free(r->hourly);
	free(r->daily);
	free(r->minutes);
	free(r->refresh.note);
	free(r->log_aggregator);
	memset(r, 0, sizeof *r);
}

/* Returns a sanitized copy of s (NULL gives "") of at most max bytes. */
static char *
clean(const char *s, size_t max)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
}

/* Returns the index of tweet_id among the input's tweets, or -1. */
static long
tweet_index(const struct rep_input *in, const char *tweet_id)
{
	for (size_t i = 0; i < in->ntweets; i++)
		if (strcmp(in->tweets[i].tweet_id, tweet_id) == 0)
			return (long)i;
	return -1;
}

/* Adds one tweet's values to a sum. */
static void
sum_add(struct rep_sum *s, const struct rep_values *v)
{
	s->ntweets++;
	for (int m = 0; m < RM__COUNT; m++) {
		if (v->has[m]) {
			s->m.v[m] += v->v[m];
			s->m.has[m] = true;
		} else {
			s->nmissing[m]++;
		}
	}
}

void
report_cpm_one(const struct rep_sum *views, bool has_benchmark, double benchmark_usd,
    bool has_spend, double spend_usd, struct rep_cpm *out)
{
	memset(out, 0, sizeof *out);
	out->has_views = views->m.has[RM_VIEWS];
	out->views = views->m.v[RM_VIEWS];
	out->partial = out->has_views && views->nmissing[RM_VIEWS] > 0;
	out->has_benchmark = has_benchmark;
	out->benchmark_usd = has_benchmark ? benchmark_usd : 0;
	out->has_spend = has_spend;
	out->spend_usd = has_spend ? spend_usd : 0;
	if (out->has_views && has_benchmark) {
		out->has_paid = true;
		out->paid_equivalent_usd = (double)out->views / 1000.0 * benchmark_usd;
		out->has_savings = true;
		out->savings_usd = out->paid_equivalent_usd - out->spend_usd;
	}
	if (out->has_views && out->views > 0) {
		out->has_ecpm = true;
		out->effective_cpm_usd = out->spend_usd / ((double)out->views / 1000.0);
	}
}

/* Computes the overall CPM from the categories': paid equivalent and savings
 * add up over the categories that have them (partial when a category with
 * tweets or spend has none), spend over all, effective CPM from all views. */
static void
cpm_overall(struct report *r, const struct rep_sum *all)
{
	struct rep_cpm *o = &r->cpm_all;
	memset(o, 0, sizeof *o);
	o->has_views = all->m.has[RM_VIEWS];
	o->views = all->m.v[RM_VIEWS];
	o->partial = o->has_views && all->nmissing[RM_VIEWS] > 0;
	for (int c = 0; c < CAT__COUNT; c++) {
		const struct rep_cpm *k = &r->cpm[c];
		bool used = r->cat[c].ntweets > 0 || k->has_spend;
		if (k->has_spend) {
			o->has_spend = true;
			o->spend_usd += k->spend_usd;
		}
		if (k->has_paid) {
			o->has_paid = o->has_savings = true;
			o->paid_equivalent_usd += k->paid_equivalent_usd;
			o->savings_usd += k->savings_usd;
			o->partial |= k->partial;
		} else if (used) {
			o->partial = true;
		}
	}
	if (o->has_views && o->views > 0) {
		o->has_ecpm = true;
		o->effective_cpm_usd = o->spend_usd / ((double)o->views / 1000.0);
	}
}

/* Returns the start of the period of length len that holds t. */
static int64_t
period_start(int64_t t, int64_t len)
{
	int64_t q = t / len;
	if (t % len < 0)
		q--;
	return q * len;
}

/* The summary's metric (struct lw_metrics order) of each report metric. */
static const int prep_metric[RM__COUNT] = {4, 0, 1, 2, 3, 5};

/* Fills the running totals of n points. */
static void
accumulate(struct rep_point *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < RM__COUNT; m++)
			p[i].cum[m] = (i ? p[i - 1].cum[m] : 0) + p[i].delta[m];
		p[i].cum_engagements = (i ? p[i - 1].cum_engagements : 0) + p[i].engagements;
	}
}

/* Builds the hourly points of s: every hour that holds a metric slice or an
 * engagement, with the slices' deltas and the new engagements. */
static struct rep_point *
hourly_points(const struct prep_summary *s, size_t *np)
{
	const struct series *sl = &s->slice_hours, *en = &s->eng_hours;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (const struct series *x = sl; x; x = x == sl ? en : NULL)
		if (x->n > 0) {
			lo = x->base < lo ? x->base : lo;
			hi = x->base + x->n > hi ? x->base + x->n : hi;
		}
	size_t n = 0;
	for (int64_t h = lo; h < hi; h++)
		n += series_at(sl, h) != 0 || series_at(en, h) != 0;
	struct rep_point *p = xcalloc(n + 1, sizeof *p);
	n = 0;
	for (int64_t h = lo; h < hi; h++) {
		if (series_at(sl, h) == 0 && series_at(en, h) == 0)
			continue;
		struct rep_point *pt = &p[n++];
		pt->t_ms = h * HOUR_MS;
		for (int m = 0; m < RM__COUNT; m++)
			pt->delta[m] = series_at(&s->hours[CAT__COUNT][prep_metric[m]], h);
		pt->engagements = series_at(en, h);
	}
	accumulate(p, n);
	*np = n;
	return p;
}

/* Builds the daily points (UTC days) from the hourly ones. */
static struct rep_point *
daily_points(const struct rep_point *hp, size_t nh, size_t *np)
{
	struct rep_point *p = xcalloc(nh + 1, sizeof *p);
	size_t n = 0;
	for (size_t i = 0; i < nh; i++) {
		int64_t day = period_start(hp[i].t_ms, DAY_MS);
		if (n == 0 || p[n - 1].t_ms != day)
			p[n++].t_ms = day;
		for (int m = 0; m < RM__COUNT; m++)
			p[n - 1].delta[m] += hp[i].delta[m];
		p[n - 1].engagements += hp[i].engagements;
	}
	accumulate(p, n);
	*np = n;
	return p;
}

bool
report_summary_fits(const struct rep_input *in, const struct prep_summary *s)
{
	for (size_t i = 0; i < s->ntweets; i++) {
		const struct prep_tweet_sum *t = &s->tweets[i];
		int64_t n = t->slices;
		for (int a = 0; a < ACT__COUNT; a++)
			n += t->eng[a];
		if (n > 0 && tweet_index(in, t->id) < 0)
			return false;
	}
	return true;
}

/* Copies the first top engagers of s. */
static void
build_top(struct report *r, const struct prep_summary *s, size_t top)
{
	r->ntop = s->ntop < top ? s->ntop : top;
	r->top = xcalloc(r->ntop + 1, sizeof *r->top);
	for (size_t i = 0; i < r->ntop; i++) {
		const struct prep_top *t = &s->top[i];
		struct rep_engager *g = &r->top[i];
		snprintf(g->user_id, sizeof g->user_id, "%s", t->user_id);
		g->handle = clean(t->handle, 64);
		g->name = clean(t->name, 120);
		g->evidence = clean(t->evidence, 240);
		g->followers = t->followers;
		g->verified = t->verified;
		g->bucket = t->bucket < BK__COUNT ? (enum lw_bucket)t->bucket : BK_OTHER;
		g->importance = t->importance;
		memcpy(g->actions, t->actions, sizeof g->actions);
		g->ntweets = t->ntweets;
	}
}

void
report_build(const struct rep_input *in, const struct prep_summary *s, int64_t now_ms, size_t top,
    struct report *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->campaign_id, sizeof r->campaign_id, "%s", in->campaign_id);
	r->name = clean(in->name, 200);
	r->client = clean(in->client, 200);
	r->client_logo =
	    xstrdup(in->client_logo && campaign_logo_ok(in->client_logo) ? in->client_logo : "");
	r->client_accent = xstrdup(
	    in->client_accent && campaign_accent_ok(in->client_accent) ? in->client_accent : "");
	r->window_start_ms = in->window_start_ms;
	r->window_end_ms = in->window_end_ms;
	r->status = in->status;
	r->generated_at_ms = now_ms;
	r->formula_version = REPORT_CPM_FORMULA_VER;
	r->cpm_settings = in->cpm;
	r->log_seq = r->log_head = s->seq;
	r->log_aggregator = xstrdup("");

	r->ntweets = in->ntweets;
	r->tweets = xcalloc(in->ntweets + 1, sizeof *r->tweets);
	for (size_t i = 0; i < in->ntweets; i++) {
		const struct rep_in_tweet *t = &in->tweets[i];
		struct rep_tweet_row *row = &r->tweets[i];
		snprintf(row->tweet_id, sizeof row->tweet_id, "%s", t->tweet_id);
		row->category = t->category;
		row->url = clean(t->url, 300);
		row->author = clean(t->author, 64);
		row->missing = t->missing;
		row->m = t->metrics;
		int k = prep_summary_tweet(s, t->tweet_id);
		if (k >= 0)
			memcpy(row->engagements, s->tweets[k].eng, sizeof row->engagements);
		sum_add(&r->cat[t->category], &t->metrics);
		sum_add(&r->all, &t->metrics);
	}
	struct rep_sum cpm_cat[CAT__COUNT], cpm_all; /* the views CPM counts */
	report_farm_build(r, in, s, cpm_cat, &cpm_all);
	for (int c = 0; c < CAT__COUNT; c++)
		report_cpm_one(&cpm_cat[c], in->cpm.has_benchmark[c], in->cpm.benchmark_usd[c],
		    in->cpm.has_spend[c], in->cpm.spend_usd[c], &r->cpm[c]);
	cpm_overall(r, &cpm_all);

	r->engagements = s->engagements;
	memcpy(r->engagements_by_action, s->eng_action, sizeof r->engagements_by_action);
	memcpy(r->bucket_engagements, s->eng_bucket, sizeof r->bucket_engagements);
	memcpy(r->bucket_accounts, s->uniq, sizeof r->bucket_accounts);
	r->unique_accounts = s->unique_accounts;
	build_top(r, s, top);
	r->hourly = hourly_points(s, &r->nhourly);
	r->daily = daily_points(r->hourly, r->nhourly, &r->ndaily);
	r->minutes = report_minute_points(s, &r->nminutes);
}

/* ---- JSON --------------------------------------------------------------- */

/* Returns an integer, or null when missing. */
static json_t *
jint_or_null(bool has, int64_t v)
{
	return has ? json_integer(v) : json_null();
}

/* Returns a real, or null when missing. */
static json_t *
jreal_or_null(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

/* Returns {"views": n|null, ...} for a set of values. */
static json_t *
values_json(const struct rep_values *v)
{
	json_t *o = json_object();
	for (int m = 0; m < RM__COUNT; m++)
		json_object_set_new(o, metric_names[m], jint_or_null(v->has[m], v->v[m]));
	return o;
}

/* Returns {"views": n, ...} for n plain counts. */
static json_t *
counts_json(const int64_t *v, const char *const *names, int n)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer(v[i]));
	return o;
}

/* Returns the JSON of a sum over tweets. */
static json_t *
sum_json(const struct rep_sum *s)
{
	return json_pack("{s:I, s:o, s:o}", "tweets", (json_int_t)s->ntweets, "metrics",
	    values_json(&s->m), "missing", counts_json(s->nmissing, metric_names, RM__COUNT));
}

/* Returns the JSON of one CPM row. */
static json_t *
cpm_json(const struct rep_cpm *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "views", jint_or_null(c->has_views, c->views));
	json_object_set_new(o, "partial", json_boolean(c->partial));
	json_object_set_new(
	    o, "benchmark_cpm_usd", jreal_or_null(c->has_benchmark, c->benchmark_usd));
	json_object_set_new(o, "spend_usd", jreal_or_null(c->has_spend, c->spend_usd));
	json_object_set_new(
	    o, "paid_equivalent_usd", jreal_or_null(c->has_paid, c->paid_equivalent_usd));
	json_object_set_new(o, "savings_usd", jreal_or_null(c->has_savings, c->savings_usd));
	json_object_set_new(
	    o, "effective_cpm_usd", jreal_or_null(c->has_ecpm, c->effective_cpm_usd));
	return o;
}

/* Returns an RFC 3339 string for a time in milliseconds. */
static json_t *
jtime(int64_t ms)
{
	char buf[40];
	timestr_format_time(ms / 1000, buf, sizeof buf);
	return json_string(buf);
}

/* Returns the JSON array of a series. */
static json_t *
series_json(const struct rep_point *p, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:I, s:o, s:o, s:o, s:I, s:I}", "t_ms", (json_int_t)p[i].t_ms, "t",
		        jtime(p[i].t_ms), "delta", counts_json(p[i].delta, metric_names, RM__COUNT),
		        "cum", counts_json(p[i].cum, metric_names, RM__COUNT), "engagements",
		        (json_int_t)p[i].engagements, "cum_engagements",
		        (json_int_t)p[i].cum_engagements));
	return a;
}

static const char *const action_names_json[ACT__COUNT] = {"retweet", "reply", "quote"};

json_t *
report_to_json(const struct report *r)
{
	json_t *o = json_object(), *a, *x;
	json_object_set_new(o, "schema", json_string(REPORT_SCHEMA));
	json_object_set_new(o, "formula_version", json_integer(r->formula_version));
	json_object_set_new(o, "formula", json_string(REPORT_CPM_FORMULA));
	json_object_set_new(o, "campaign",
	    json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o}", "id", r->campaign_id, "name", r->name,
	        "client", r->client, "window_start_ms", (json_int_t)r->window_start_ms,
	        "window_end_ms", (json_int_t)r->window_end_ms, "window_start",
	        jtime(r->window_start_ms), "window_end", jtime(r->window_end_ms)));
	/* the branding keys only when set, so reports frozen before them keep
	 * their bytes */
	json_t *camp = json_object_get(o, "campaign");
	if (r->client_logo && *r->client_logo)
		json_object_set_new(camp, "client_logo", json_string(r->client_logo));
	if (r->client_accent && *r->client_accent)
		json_object_set_new(camp, "client_accent", json_string(r->client_accent));
	json_object_set_new(o, "status", json_string(campaign_status_name(r->status)));
	json_object_set_new(o, "final", json_boolean(r->final));
	json_object_set_new(o, "generated_at_ms", json_integer(r->generated_at_ms));
	json_object_set_new(o, "generated_at", jtime(r->generated_at_ms));

	json_t *bench = json_object(), *spend = json_object();
	for (int c = 0; c < CAT__COUNT; c++) {
		const char *cn = category_name((enum tweet_category)c);
		json_object_set_new(bench, cn,
		    jreal_or_null(
		        r->cpm_settings.has_benchmark[c], r->cpm_settings.benchmark_usd[c]));
		json_object_set_new(spend, cn,
		    jreal_or_null(r->cpm_settings.has_spend[c], r->cpm_settings.spend_usd[c]));
	}
	json_object_set_new(o, "cpm_settings",
	    json_pack("{s:o, s:o}", "benchmark_cpm_usd", bench, "spend_usd", spend));

	a = json_array();
	for (size_t i = 0; i < r->ntweets; i++) {
		const struct rep_tweet_row *t = &r->tweets[i];
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "tweet_id", t->tweet_id,
		        "category", category_name(t->category), "url", t->url, "author", t->author,
		        "missing", t->missing, "metrics", values_json(&t->m), "engagements",
		        counts_json(t->engagements, action_names_json, ACT__COUNT)));
	}
	json_object_set_new(o, "tweets", a);

	x = json_object();
	for (int c = 0; c < CAT__COUNT; c++)
		json_object_set_new(x, category_name((enum tweet_category)c), sum_json(&r->cat[c]));
	json_object_set_new(o, "categories", x);
	json_object_set_new(o, "overall", sum_json(&r->all));

	x = json_object();
	for (int c = 0; c < CAT__COUNT; c++)
		json_object_set_new(x, category_name((enum tweet_category)c), cpm_json(&r->cpm[c]));
	json_object_set_new(x, "overall", cpm_json(&r->cpm_all));
	json_object_set_new(o, "cpm", x);

	x = json_object();
	for (int b = 0; b < BK__COUNT; b++)
		json_object_set_new(x, bucket_name((enum lw_bucket)b),
		    json_pack("{s:I, s:I}", "accounts", (json_int_t)r->bucket_accounts[b],
		        "engagements", (json_int_t)r->bucket_engagements[b]));
	json_object_set_new(o, "buckets", x);
	json_object_set_new(o, "unique_accounts", json_integer(r->unique_accounts));
	x = counts_json(r->engagements_by_action, action_names_json, ACT__COUNT);
	json_object_set_new(x, "total", json_integer(r->engagements));
	json_object_set_new(o, "engagements", x);

	a = json_array();
	for (size_t i = 0; i < r->ntop; i++) {
		const struct rep_engager *e = &r->top[i];
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:i, s:o, s:I}", "user_id",
		        e->user_id, "handle", e->handle, "name", e->name, "evidence", e->evidence,
		        "followers", (json_int_t)e->followers, "verified", e->verified, "bucket",
		        bucket_name(e->bucket), "importance", e->importance, "actions",
		        counts_json(e->actions, action_names_json, ACT__COUNT), "tweets",
		        (json_int_t)e->ntweets));
	}
	json_object_set_new(o, "top_engagers", a);
	json_object_set_new(o, "hourly", series_json(r->hourly, r->nhourly));
	json_object_set_new(o, "daily", series_json(r->daily, r->ndaily));
	a = json_array(); /* metric deltas only: engagements are not kept per minute */
	for (size_t i = 0; i < r->nminutes; i++)
		json_array_append_new(
		    a, json_pack("{s:I, s:o}", "t_ms", (json_int_t)r->minutes[i].t_ms, "delta",
		           counts_json(r->minutes[i].delta, metric_names, RM__COUNT)));
	json_object_set_new(o, "minutes", a);
	report_farm_json(r, o);
	if (r->log_head > 0) { /* absent in reports frozen before the change log */
		x = json_pack(
		    "{s:I, s:I}", "seq", (json_int_t)r->log_seq, "head", (json_int_t)r->log_head);
		if (r->log_aggregator && *r->log_aggregator)
			json_object_set_new(x, "aggregator", json_string(r->log_aggregator));
		json_object_set_new(o, "change_log", x);
	}
	json_object_set_new(o, "sentiment", report_sentiment_json(r));
	if (r->refresh.ran) /* absent in live reports, so they keep their shape */
		json_object_set_new(o, "final_refresh",
		    json_pack("{s:b, s:I, s:o, s:I, s:I, s:I, s:s}", "complete",
		        r->refresh.complete, "at_ms", (json_int_t)r->refresh.at_ms, "at",
		        jtime(r->refresh.at_ms), "jobs", (json_int_t)r->refresh.jobs, "failed",
		        (json_int_t)r->refresh.failed, "requests", (json_int_t)r->refresh.requests,
		        "note", r->refresh.note ? r->refresh.note : ""));
	return o;
}

char *
report_refresh_text(const struct report *r)
{
	const struct rep_refresh *f = &r->refresh;
	char when[40];
	if (!f->ran)
		return NULL;
	timestr_format_time(f->at_ms / 1000, when, sizeof when);
	if (f->complete)
		return xasprintf(
		    "Final refresh: every tweet's metrics were read and its retweets, "
		    "replies and quotes walked once more before the freeze (%lld jobs, "
		    "%lld requests, ended %s).",
		    (long long)f->jobs, (long long)f->requests, when);
	return xasprintf("Final refresh INCOMPLETE: %lld of %lld jobs could not be refreshed "
	                 "before the freeze (%s); their numbers are the last ones stored before "
	                 "%s.",
	    (long long)f->failed, (long long)f->jobs,
	    f->note && *f->note ? f->note : "provider failure", when);
}

char *
report_log_text(const struct report *r)
{
	if (r->log_head <= r->log_seq)
		return NULL;
	const char *who = r->log_aggregator && *r->log_aggregator ? r->log_aggregator : NULL;
	return xasprintf("These numbers cover the campaign's change log up to entry %lld of %lld: "
	                 "%s%s is still aggregating the newest entries (at most about a second "
	                 "behind).",
	    (long long)r->log_seq, (long long)r->log_head, who ? "the engine " : "an engine",
	    who ? who : "");
}

/* Reads an integer member (integral reals are accepted; BSON round trips may
 * turn one into the other); false when absent or null. */
static bool
jget_int(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		*out = (int64_t)json_real_value(v);
		return true;
	}
	*out = 0;
	return false;
}

/* Reads a number member; false when absent or null. */
static bool
jget_real(const json_t *o, const char *key, double *out)
{
	const json_t *v = json_object_get(o, key);
	*out = json_is_number(v) ? json_number_value(v) : 0;
	return json_is_number(v);
}

/* Returns a copy of a string member ("" when absent). */
static char *
jget_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return xstrdup(s ? s : "");
}

/* Reads {"views": n|null, ...}. */
static void
values_from(const json_t *o, struct rep_values *v)
{
	for (int m = 0; m < RM__COUNT; m++)
		v->has[m] = jget_int(o, metric_names[m], &v->v[m]);
}

/* Reads n plain counts by name. */
static void
counts_from(const json_t *o, const char *const *names, int n, int64_t *v)
{
	for (int i = 0; i < n; i++)
		jget_int(o, names[i], &v[i]);
}

/* Reads a sum over tweets. */
static void
sum_from(const json_t *o, struct rep_sum *s)
{
	jget_int(o, "tweets", &s->ntweets);
	values_from(json_object_get(o, "metrics"), &s->m);
	counts_from(json_object_get(o, "missing"), metric_names, RM__COUNT, s->nmissing);
}

/* Reads one CPM row. */
static void
cpm_from(const json_t *o, struct rep_cpm *c)
{
	c->has_views = jget_int(o, "views", &c->views);
	c->partial = json_is_true(json_object_get(o, "partial"));
	c->has_benchmark = jget_real(o, "benchmark_cpm_usd", &c->benchmark_usd);
	c->has_spend = jget_real(o, "spend_usd", &c->spend_usd);
	c->has_paid = jget_real(o, "paid_equivalent_usd", &c->paid_equivalent_usd);
	c->has_savings = jget_real(o, "savings_usd", &c->savings_usd);
	c->has_ecpm = jget_real(o, "effective_cpm_usd", &c->effective_cpm_usd);
}

/* Reads a series array. */
static struct rep_point *
series_from(const json_t *a, size_t *n)
{
	size_t len = json_array_size(a);
	struct rep_point *p = xcalloc(len + 1, sizeof *p);
	for (size_t i = 0; i < len; i++) {
		const json_t *e = json_array_get(a, i);
		jget_int(e, "t_ms", &p[i].t_ms);
		counts_from(json_object_get(e, "delta"), metric_names, RM__COUNT, p[i].delta);
		counts_from(json_object_get(e, "cum"), metric_names, RM__COUNT, p[i].cum);
		jget_int(e, "engagements", &p[i].engagements);
		jget_int(e, "cum_engagements", &p[i].cum_engagements);
	}
	*n = len;
	return p;
}

int
report_from_json(const json_t *j, struct report *r, char **cause)
{
	const json_t *x, *a;
	int64_t v;
	memset(r, 0, sizeof *r);
	const char *schema = json_string_value(json_object_get(j, "schema"));
	if (!json_is_object(j) || schema == NULL || strcmp(schema, REPORT_SCHEMA) != 0)
		return set_cause(cause, "the stored report is not a %s document", REPORT_SCHEMA);
	jget_int(j, "formula_version", &v);
	r->formula_version = (int)v;
	x = json_object_get(j, "campaign");
	char *id = jget_str(x, "id");
	snprintf(r->campaign_id, sizeof r->campaign_id, "%s", id);
	free(id);
	r->name = jget_str(x, "name");
	r->client = jget_str(x, "client");
	r->client_logo = jget_str(x, "client_logo");
	r->client_accent = jget_str(x, "client_accent");
	if (!campaign_logo_ok(r->client_logo))
		r->client_logo[0] = '\0';
	if (!campaign_accent_ok(r->client_accent))
		r->client_accent[0] = '\0';
	jget_int(x, "window_start_ms", &r->window_start_ms);
	jget_int(x, "window_end_ms", &r->window_end_ms);
	const char *st = json_string_value(json_object_get(j, "status"));
	if (st == NULL || campaign_status_parse(st, &r->status) != 0)
		r->status = CS_COMPLETED;
	r->final = json_is_true(json_object_get(j, "final"));
	jget_int(j, "generated_at_ms", &r->generated_at_ms);

	x = json_object_get(j, "cpm_settings");
	for (int c = 0; c < CAT__COUNT; c++) {
		const char *cn = category_name((enum tweet_category)c);
		r->cpm_settings.has_benchmark[c] = jget_real(
		    json_object_get(x, "benchmark_cpm_usd"), cn, &r->cpm_settings.benchmark_usd[c]);
		r->cpm_settings.has_spend[c] =
		    jget_real(json_object_get(x, "spend_usd"), cn, &r->cpm_settings.spend_usd[c]);
	}

	a = json_object_get(j, "tweets");
	r->ntweets = json_array_size(a);
	r->tweets = xcalloc(r->ntweets + 1, sizeof *r->tweets);
	for (size_t i = 0; i < r->ntweets; i++) {
		const json_t *e = json_array_get(a, i);
		struct rep_tweet_row *t = &r->tweets[i];
		char *tid = jget_str(e, "tweet_id");
		snprintf(t->tweet_id, sizeof t->tweet_id, "%s", tid);
		free(tid);
		const char *cat = json_string_value(json_object_get(e, "category"));
		if (cat == NULL || category_parse(cat, &t->category) != 0)
			t->category = CAT_MAIN;
		t->url = jget_str(e, "url");
		t->author = jget_str(e, "author");
		t->missing = json_is_true(json_object_get(e, "missing"));
		values_from(json_object_get(e, "metrics"), &t->m);
		counts_from(json_object_get(e, "engagements"), action_names_json, ACT__COUNT,
		    t->engagements);
	}
	x = json_object_get(j, "categories");
	for (int c = 0; c < CAT__COUNT; c++)
		sum_from(json_object_get(x, category_name((enum tweet_category)c)), &r->cat[c]);
	sum_from(json_object_get(j, "overall"), &r->all);
	x = json_object_get(j, "cpm");
	for (int c = 0; c < CAT__COUNT; c++)
		cpm_from(json_object_get(x, category_name((enum tweet_category)c)), &r->cpm[c]);
	cpm_from(json_object_get(x, "overall"), &r->cpm_all);

	x = json_object_get(j, "buckets");
	for (int b = 0; b < BK__COUNT; b++) {
		const json_t *e = json_object_get(x, bucket_name((enum lw_bucket)b));
		jget_int(e, "accounts", &r->bucket_accounts[b]);
		jget_int(e, "engagements", &r->bucket_engagements[b]);
	}
	jget_int(j, "unique_accounts", &r->unique_accounts);
	x = json_object_get(j, "engagements");
	jget_int(x, "total", &r->engagements);
	counts_from(x, action_names_json, ACT__COUNT, r->engagements_by_action);

	a = json_object_get(j, "top_engagers");
	r->ntop = json_array_size(a);
	r->top = xcalloc(r->ntop + 1, sizeof *r->top);
	for (size_t i = 0; i < r->ntop; i++) {
		const json_t *e = json_array_get(a, i);
		struct rep_engager *g = &r->top[i];
		char *uid = jget_str(e, "user_id");
		snprintf(g->user_id, sizeof g->user_id, "%s", uid);
		free(uid);
		g->handle = jget_str(e, "handle");
		g->name = jget_str(e, "name");
		g->evidence = jget_str(e, "evidence");
		jget_int(e, "followers", &g->followers);
		g->verified = json_is_true(json_object_get(e, "verified"));
		const char *bk = json_string_value(json_object_get(e, "bucket"));
		if (bk == NULL || bucket_parse(bk, &g->bucket) != 0)
			g->bucket = BK_OTHER;
		jget_int(e, "importance", &v);
		g->importance = (int)v;
		counts_from(
		    json_object_get(e, "actions"), action_names_json, ACT__COUNT, g->actions);
		jget_int(e, "tweets", &g->ntweets);
	}
	r->hourly = series_from(json_object_get(j, "hourly"), &r->nhourly);
	r->daily = series_from(json_object_get(j, "daily"), &r->ndaily);
	r->minutes = series_from(json_object_get(j, "minutes"), &r->nminutes);
	accumulate(r->minutes, r->nminutes);
	report_farm_from_json(r, j);
	x = json_object_get(j, "change_log");
	jget_int(x, "seq", &r->log_seq);
	jget_int(x, "head", &r->log_head);
	r->log_aggregator = jget_str(x, "aggregator");
	report_sentiment_from_json(json_object_get(j, "sentiment"), r);
	x = json_object_get(j, "final_refresh");
	if (json_is_object(x)) {
		r->refresh.ran = true;
		r->refresh.complete = json_is_true(json_object_get(x, "complete"));
		jget_int(x, "at_ms", &r->refresh.at_ms);
		jget_int(x, "jobs", &r->refresh.jobs);
		jget_int(x, "failed", &r->refresh.failed);
		jget_int(x, "requests", &r->refresh.requests);
		r->refresh.note = jget_str(x, "note");
	}
	return 0;
}

void
report_account_row(const struct prep_account *a, struct rep_account_row *out)
{
	memset(out, 0, sizeof *out);
	out->user_id = a->user_id;
	out->handle = a->handle;
	out->bucket = (enum lw_bucket)a->best_bucket;
	out->importance = a->best_importance;
	out->followers = a->followers;
	out->verified = a->verified;
	out->first_at_ms = a->first_at_ms;
	for (size_t i = 0; i < a->npairs; i++) {
		const struct prep_account_pair *p = &a->pairs[i];
		out->actions[p->action]++;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = a->pairs[j].tweet == p->tweet;
		out->ntweets += !seen;
	}
}
