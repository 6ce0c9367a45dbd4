/*
 * jsonapi_snap: the JSON endpoint's snapshots and its request router. A
 * snapshot is built on the UI thread from the console's model (jansson
 * values are made and dumped there and never leave it) and is immutable
 * afterwards: prepared bodies for the campaign list and each campaign's
 * aggregates (from its prepared summary), and each campaign's newest
 * engagers (the model's feed) as prepared JSON objects with their bucket,
 * from which any thread composes an engagers answer. Parts of
 * campaigns that did not change are shared with the previous snapshot by
 * reference count. No I/O, no curses.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/agg.h"
#include "model/campaign.h"
#include "api/jsonapi.h"
#include "base/sha256.h"
#include "base/timestr.h"
#include "base/util.h"

#define SERIES_HOURS_MAX 1488 /* 62 days of hourly points */
#define SERIES_DAYS_MAX  366
#define TOP_MAX          20

/* One campaign's prepared answers; immutable once built. */
struct part {
	atomic_int refs;
	char id[48];
	uint64_t version;
	char *agg_body;
	char agg_etag[JSONAPI_ETAG_LEN];
	size_t neng;  /* newest first */
	char **eng;   /* one JSON object each */
	uint8_t *bkt; /* its bucket */
};

struct jsonapi_snap {
	atomic_int refs;
	int64_t hour; /* the hour it was built in: series end there */
	char *list_body;
	char list_etag[JSONAPI_ETAG_LEN];
	size_t nparts;
	struct part **parts;
};

/* Writes the strong ETag of body into etag. */
static void
etag_of(const char *body, size_t len, char etag[JSONAPI_ETAG_LEN])
{
	char hex[SHA256_HEX_LEN];
	sha256_hex(body, len, hex);
	snprintf(etag, JSONAPI_ETAG_LEN, "\"%.32s\"", hex);
}

/* Returns an ISO-8601 UTC time of ms, or JSON null for 0. */
static json_t *
jtime(int64_t ms)
{
	if (ms <= 0)
		return json_null();
	char buf[32];
	timestr_format_time(ms / 1000, buf, sizeof buf);
	return json_string(buf);
}

/* Returns total v, never below zero: a count that a provider corrected
 * downwards, before the reading that raised it again, is no final total. */
static json_int_t
jtotal(int64_t v)
{
	return v < 0 ? 0 : (json_int_t)v;
}

/* Returns the six metric totals of v as an object. */
static json_t *
jmetrics(const int64_t v[M__COUNT])
{
	json_t *o = json_object();
	for (int m = 0; m < M__COUNT; m++)
		json_object_set_new(
		    o, agg_metric_name((enum agg_metric)m), json_integer(jtotal(v[m])));
	return o;
}

/* Returns {bucket: n} for the counts in v. */
static json_t *
jbuckets(const int64_t v[BK__COUNT])
{
	json_t *o = json_object();
	for (int b = 0; b < BK__COUNT; b++)
		json_object_set_new(o, bucket_name((enum lw_bucket)b), json_integer(v[b]));
	return o;
}

/* Dumps o compactly (takes o) into a new string. */
static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		abort(); /* jansson fails only when out of memory */
	char *copy = xstrdup(s);
	free(s);
	return copy;
}

/* Returns the cumulative series of h on the grid of `n` units (hours, or
 * days when daily) ending in the unit of now_ms, as an array. */
static json_t *
jseries(const struct series *h, bool daily, int64_t now_ms, size_t n, int64_t first_ms)
{
	double *v = xcalloc(n ? n : 1, sizeof *v);
	int64_t got_first = 0;
	size_t got = series_out(h, daily, true, now_ms, v, n, &got_first);
	json_t *arr = json_array();
	/* series_out starts at the series' own first unit; align it to the
	 * common grid, which starts at first_ms */
	int64_t unit = (daily ? 24 : 1) * SERIES_HOUR_MS;
	int64_t lead = h->n > 0 ? (got_first - first_ms) / unit : (int64_t)n;
	if (lead < 0)
		lead = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t k = (int64_t)i - lead;
		double x = k < 0 ? 0 : (size_t)k < got ? v[k] : (got ? v[got - 1] : 0);
		json_array_append_new(arr, json_integer((json_int_t)x));
	}
	free(v);
	return arr;
}

/* Returns the first hour (absolute) of any series of c, or -1. */
static int64_t
first_hour(const struct agg_campaign *c)
{
	int64_t first = -1;
	const struct prep_summary *s = &c->sum;
	for (int k = 0; k <= CAT__COUNT; k++)
		for (int m = 0; m < M__COUNT; m++)
			if (s->hours[k][m].n > 0 && (first < 0 || s->hours[k][m].base < first))
				first = s->hours[k][m].base;
	for (int b = 0; b < BK__COUNT; b++)
		if (s->bucket_hours[b].n > 0 && (first < 0 || s->bucket_hours[b].base < first))
			first = s->bucket_hours[b].base;
	return first;
}

/* Returns the cumulative series of c per hour or per day: {"unit",
 * "start", "all": {metric: [...]}, "main": ..., "bucket_events": ...}. */
static json_t *
jcumulative(const struct agg_campaign *c, bool daily, int64_t now_ms)
{
	int64_t unit_h = daily ? 24 : 1, max = daily ? SERIES_DAYS_MAX : SERIES_HOURS_MAX;
	int64_t last = now_ms / SERIES_HOUR_MS / unit_h, fh = first_hour(c);
	int64_t first = fh < 0 ? last : fh / unit_h;
	if (first > last)
		last = first;
	if (last - first + 1 > max)
		first = last - max + 1;
	size_t n = (size_t)(last - first + 1);
	int64_t first_ms = first * unit_h * SERIES_HOUR_MS;
	json_t *o = json_pack("{s:s, s:o, s:I}", "unit", daily ? "day" : "hour", "start",
	    jtime(first_ms), "points", (json_int_t)n);
	for (int k = 0; k <= CAT__COUNT; k++) {
		json_t *ms = json_object();
		for (int m = 0; m < M__COUNT; m++)
			json_object_set_new(ms, agg_metric_name((enum agg_metric)m),
			    jseries(&c->sum.hours[k][m], daily, now_ms, n, first_ms));
		json_object_set_new(
		    o, k == CAT__COUNT ? "all" : category_name((enum tweet_category)k), ms);
	}
	json_t *be = json_object();
	for (int b = 0; b < BK__COUNT; b++)
		json_object_set_new(be, bucket_name((enum lw_bucket)b),
		    jseries(&c->sum.bucket_hours[b], daily, now_ms, n, first_ms));
	json_object_set_new(o, "bucket_events", be);
	return o;
}

/* Returns top engager t as an object (last_at stays null: the summary
 * keeps no account's last time; the member stays for the JSON's shape). */
static json_t *
jaccount(const struct prep_top *t)
{
	json_t *acts = json_array();
	int64_t n = 0;
	for (int k = 0; k < ACT__COUNT; k++) {
		n += t->actions[k];
		if (t->actions[k] > 0)
			json_array_append_new(acts, json_string(action_name((enum lw_action)k)));
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:b, s:s, s:i, s:I, s:o, s:I, s:n}", "user_id",
	    t->user_id, "handle", t->handle ? t->handle : "", "name", t->name ? t->name : "",
	    "followers", (json_int_t)t->followers, "verified", t->verified, "bucket",
	    bucket_name((enum lw_bucket)t->bucket), "importance", (int)t->importance, "engagements",
	    (json_int_t)n, "actions", acts, "tweets", (json_int_t)t->ntweets, "last_at");
}

/* Returns one job as an object. */
static json_t *
jjob(const struct agg_job *j)
{
	return json_pack("{s:s, s:o, s:o, s:I, s:I, s:s?}", "state", agg_job_state_name(j->state),
	    "last_success_at", jtime(j->last_success_ms), "blocked_until",
	    jtime(j->blocked_until_ms), "requests", (json_int_t)j->requests, "credits",
	    (json_int_t)j->credits, "why", j->why);
}

/* Returns the campaign's identity fields as an object. */
static json_t *
jcampaign_head(const struct agg_campaign *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:b, s:b}", "id", c->id, "name",
	    c->name ? c->name : c->id, "client", c->client ? c->client : "", "status",
	    campaign_status_name(c->status), "window", "start", jtime(c->start_ms), "end",
	    jtime(c->end_ms), "close_requested_at", jtime(c->close_requested_ms), "prepared",
	    c->prep == AGG_PREP_READY, "loading", agg_loading(c));
}

/* Returns the aggregates body of c. */
static char *
aggregates_body(struct agg_campaign *c, int64_t now_ms)
{
	const struct prep_summary *s = &c->sum;
	json_t *o = json_object();
	json_object_set_new(o, "campaign", jcampaign_head(c));
	json_t *tot = json_object();
	json_object_set_new(tot, "all", jmetrics(s->total[CAT__COUNT]));
	for (int k = 0; k < CAT__COUNT; k++)
		json_object_set_new(
		    tot, category_name((enum tweet_category)k), jmetrics(s->total[k]));
	json_object_set_new(o, "totals", tot);
	json_t *ua = json_object();
	for (int k = 0; k < ACT__COUNT; k++)
		json_object_set_new(ua, action_name((enum lw_action)k), jbuckets(s->uniq_act[k]));
	json_object_set_new(o, "unique_accounts",
	    json_pack("{s:I, s:o, s:o}", "total", (json_int_t)agg_unique_total(c), "by_bucket",
	        jbuckets(s->uniq), "by_action", ua));
	json_t *ev = json_object();
	for (int k = 0; k < ACT__COUNT; k++)
		json_object_set_new(
		    ev, action_name((enum lw_action)k), json_integer(s->eng_action[k]));
	json_object_set_new(o, "events", ev);
	int thr = c->cfg.farm.threshold;
	bool farm = prep_has_farm(s) && thr > 0; /* docs/scoring.md section 7 */
	if (farm) {
		int64_t fb[BK__COUNT];
		for (int k = 0; k < BK__COUNT; k++)
			fb[k] = prep_farmed(s, k, thr);
		json_object_set_new(o, "likely_farmed",
		    json_pack("{s:i, s:b, s:I, s:o}", "threshold", thr, "exclude_default",
		        c->cfg.farm.exclude, "total", (json_int_t)prep_farmed(s, BK__COUNT, thr),
		        "by_bucket", jbuckets(fb)));
	}
	json_t *tw = json_array();
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		json_t *eng = json_object(), *jobs = json_object();
		for (int k = 0; k < ACT__COUNT; k++)
			json_object_set_new(
			    eng, action_name((enum lw_action)k), json_integer(t->eng[k]));
		for (int k = 0; k < JOB__COUNT; k++)
			json_object_set_new(
			    jobs, job_kind_name((enum job_kind)k), jjob(&t->job[k]));
		json_t *row = json_pack("{s:s, s:s, s:s?, s:o, s:o, s:o}", "tweet_id", t->id,
		    "category", category_name((enum tweet_category)t->category), "author",
		    t->author, "metrics", jmetrics(t->total), "engagements", eng, "jobs", jobs);
		int si = farm ? prep_summary_tweet(s, t->id) : -1;
		int64_t fl = 0;
		if (si >= 0) {
			prep_tweet_farmed(s, (size_t)si, thr, &fl);
			json_object_set_new(row, "likely_farmed", json_integer(fl));
		}
		json_array_append_new(tw, row);
	}
	json_object_set_new(o, "tweets", tw);
	json_object_set_new(o, "hourly", jcumulative(c, false, now_ms));
	json_object_set_new(o, "daily", jcumulative(c, true, now_ms));
	json_t *top = json_array();
	for (size_t i = 0; i < s->ntop && i < TOP_MAX; i++)
		json_array_append_new(top, jaccount(&s->top[i]));
	json_object_set_new(o, "top_engagers", top);
	size_t al[ALERT__DELIVERIES] = {0};
	for (size_t i = 0; i < c->nalerts; i++)
		if ((unsigned)c->alerts[i].status < ALERT__DELIVERIES)
			al[c->alerts[i].status]++;
	json_object_set_new(o, "alerts",
	    json_pack("{s:I, s:I, s:I}", alert_delivery_name(ALERT_SENT),
	        (json_int_t)al[ALERT_SENT], alert_delivery_name(ALERT_PENDING),
	        (json_int_t)al[ALERT_PENDING], alert_delivery_name(ALERT_FAILED),
	        (json_int_t)al[ALERT_FAILED]));
	/* last_status and last_status_at stay null: no job status line was ever
	 * produced (the members stay, so the JSON keeps its shape) */
	json_object_set_new(o, "health",
	    json_pack("{s:I, s:I, s:n, s:n}", "requests", (json_int_t)c->requests, "credits",
	        (json_int_t)c->credits, "last_status", "last_status_at"));
	return dump(o);
}

/* Returns feed row e as a JSON object string. */
static char *
engager_json(const struct prep_eng *e)
{
	json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:i, s:s, s:s, s:s?}", "at",
	    jtime(e->at_ms), "action", action_name((enum lw_action)e->action), "user_id",
	    e->user_id, "handle", e->handle ? e->handle : "", "name", e->name ? e->name : "",
	    "followers", (json_int_t)e->followers, "verified", e->verified, "bucket",
	    bucket_name((enum lw_bucket)e->bucket), "importance", (int)e->importance, "tweet_id",
	    e->tweet_id, "category", category_name((enum tweet_category)e->category), "text",
	    e->snippet && *e->snippet ? e->snippet : NULL);
	return dump(o);
}

/* Builds the part of campaign c. */
static struct part *
part_build(struct agg_campaign *c, int64_t now_ms)
{
	struct part *p = xcalloc(1, sizeof *p);
	atomic_init(&p->refs, 1);
	snprintf(p->id, sizeof p->id, "%s", c->id);
	p->version = c->version;
	p->agg_body = aggregates_body(c, now_ms);
	etag_of(p->agg_body, strlen(p->agg_body), p->agg_etag);
	size_t n = c->nfeed < JSONAPI_ENGAGERS_MAX ? c->nfeed : JSONAPI_ENGAGERS_MAX;
	p->eng = xcalloc(n ? n : 1, sizeof *p->eng);
	p->bkt = xcalloc(n ? n : 1, sizeof *p->bkt);
	for (size_t i = 0; i < n; i++) {
		p->eng[i] = engager_json(&c->feed[i]);
		p->bkt[i] = c->feed[i].bucket;
	}
	p->neng = n;
	return p;
}

/* Drops one reference of p. */
static void
part_unref(struct part *p)
{
	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	free(p->agg_body);
	for (size_t i = 0; i < p->neng; i++)
		free(p->eng[i]);
	free(p->eng);
	free(p->bkt);
	free(p);
}

bool
jsonapi_snap_stale(const struct jsonapi_snap *prev, const struct agg *a, int64_t now_ms)
{
	if (prev == NULL || prev->nparts != a->ncampaigns || prev->hour != now_ms / SERIES_HOUR_MS)
		return true;
	for (size_t i = 0; i < a->ncampaigns; i++)
		if (strcmp(prev->parts[i]->id, a->campaigns[i]->id) != 0 ||
		    prev->parts[i]->version != a->campaigns[i]->version)
			return true;
	return false;
}

struct jsonapi_snap *
jsonapi_snap_build(struct agg *a, struct jsonapi_snap *prev, int64_t now_ms)
{
	struct jsonapi_snap *s = xcalloc(1, sizeof *s);
	atomic_init(&s->refs, 1);
	s->hour = now_ms / SERIES_HOUR_MS;
	s->nparts = a->ncampaigns;
	s->parts = xcalloc(s->nparts ? s->nparts : 1, sizeof *s->parts);
	json_t *list = json_array();
	for (size_t i = 0; i < a->ncampaigns; i++) {
		struct agg_campaign *c = a->campaigns[i];
		struct part *p = NULL;
		/* the series end at the current hour: a new hour rebuilds every part */
		for (size_t k = 0; prev && prev->hour == s->hour && k < prev->nparts && !p; k++)
			if (strcmp(prev->parts[k]->id, c->id) == 0 &&
			    prev->parts[k]->version == c->version) {
				p = prev->parts[k];
				atomic_fetch_add(&p->refs, 1);
			}
		s->parts[i] = p ? p : part_build(c, now_ms);
		json_t *o = jcampaign_head(c);
		json_object_set_new(o, "tweets", json_integer((json_int_t)c->ntweets));
		json_object_set_new(o, "unique_accounts", json_integer(agg_unique_total(c)));
		json_object_set_new(o, "engagements", json_integer(c->sum.engagements));
		json_object_set_new(
		    o, "views", json_integer(jtotal(c->sum.total[CAT__COUNT][M_VIEWS])));
		json_object_set_new(o, "requests", json_integer(c->requests));
		json_object_set_new(o, "credits", json_integer(c->credits));
		/* the provider's health as the campaign's jobs show it (the header's) */
		struct agg_health h;
		agg_job_health(c, now_ms, &h);
		json_object_set_new(o, "jobs",
		    json_pack("{s:i, s:i, s:o, s:o, s:s?}", "failing", h.failing, "blocked",
		        h.blocked, "blocked_until", jtime(h.blocked_until_ms), "last_success_at",
		        jtime(h.last_success_ms), "last_error",
		        h.failing ? h.why_failing : h.why_blocked));
		json_array_append_new(list, o);
	}
	/* provider.status and status_at stay null, as health.last_status */
	s->list_body = dump(
	    json_pack("{s:o, s:{s:n, s:n}}", "campaigns", list, "provider", "status", "status_at"));
	etag_of(s->list_body, strlen(s->list_body), s->list_etag);
	return s;
}

struct jsonapi_snap *
jsonapi_snap_ref(struct jsonapi_snap *s)
{
	if (s)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void
jsonapi_snap_unref(struct jsonapi_snap *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->nparts; i++)
		part_unref(s->parts[i]);
	free(s->parts);
	free(s->list_body);
	free(s);
}

/* Fills r with a JSON error. */
static void
answer_error(struct jsonapi_reply *r, int status, const char *error, const char *msg)
{
	r->status = status;
	r->etag[0] = '\0';
	r->body = dump(json_pack("{s:s, s:s}", "error", error, "message", msg));
}

/* Fills r with a prepared body (copied) and its ETag. */
static void
answer_body(struct jsonapi_reply *r, const char *body, const char *etag)
{
	r->status = 200;
	r->body = xstrdup(body);
	snprintf(r->etag, sizeof r->etag, "%s", etag);
}

/* Answers the engagers of p. */
static void
answer_engagers(
    const struct part *p, const char *limit, const char *bucket, struct jsonapi_reply *r)
{
	long n = JSONAPI_ENGAGERS_DEFAULT;
	if (limit) {
		if (!str_is_digits(limit) || strlen(limit) > 6 || (n = atol(limit)) < 1 ||
		    n > JSONAPI_ENGAGERS_MAX) {
			char *m = xasprintf(
			    "limit must be a whole number from 1 to %d", JSONAPI_ENGAGERS_MAX);
			answer_error(r, 400, "bad_request", m);
			free(m);
			return;
		}
	}
	int bk = -1;
	if (bucket && strcmp(bucket, "all") != 0) {
		enum lw_bucket b;
		if (bucket_parse(bucket, &b) != 0) {
			answer_error(r, 400, "bad_request",
			    "bucket must be one of investor, founder, ai, developer, media, other, "
			    "all");
			return;
		}
		bk = (int)b;
	}
	struct sbuf b;
	sbuf_init(&b);
	json_t *id = json_string(p->id);
	char *idq = json_dumps(id, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	json_decref(id);
	if (idq == NULL)
		abort();
	sbuf_printf(&b, "{\"campaign_id\":%s,\"bucket\":\"%s\",\"limit\":%ld,\"engagers\":[", idq,
	    bk < 0 ? "all" : bucket_name((enum lw_bucket)bk), n);
	free(idq);
	long got = 0;
	for (size_t i = 0; i < p->neng && got < n; i++) {
		if (bk >= 0 && p->bkt[i] != bk)
			continue;
		if (got++)
			sbuf_addstr(&b, ",");
		sbuf_addstr(&b, p->eng[i]);
	}
	sbuf_addstr(&b, "]}");
	r->status = 200;
	r->body = sbuf_take(&b);
	etag_of(r->body, strlen(r->body), r->etag);
}

/* Returns the value of hex digit c, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns the decoded octet of the escape at p ("%XY"), or -1 when it is
 * malformed. */
static int
pct_octet(const char *p)
{
	int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
	return lo < 0 ? -1 : hi * 16 + lo;
}

int
jsonapi_path_decode(const char *raw, char out[JSONAPI_PATH_MAX], const char **why)
{
	size_t n = 0, seg = 0, nseg = 0;
	*why = NULL;
	if (raw == NULL || raw[0] != '/')
		return *why = "the path must start with '/'", -1;
	for (const char *p = raw; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			if ((c = pct_octet(p)) < 0)
				return *why = "the path has a malformed percent-escape", -1;
			if (c == 0)
				return *why = "the path holds a NUL (%00)", -1;
			if (c >= 0x80)
				return *why = "the path holds a non-ASCII byte", -1;
			if (c == '/' || c == '?')
				return *why = "the path holds an encoded '/' or '?'", -1;
			p += 2;
		} else if (c == '?') {
			for (const char *q = p + 1; *q; q++) {
				if (*q == '%' && pct_octet(q) < 0)
					return *why = "the query has a malformed percent-escape",
					       -1;
				if (*q == '%' && pct_octet(q) == 0)
					return *why = "the query holds a NUL (%00)", -1;
				if ((unsigned char)*q < 0x20 || *q == 0x7f)
					return *why = "the query holds a control character", -1;
			}
			break;
		}
		if (c < 0x20 || c == 0x7f)
			return *why = "the path holds a control character", -1;
		if (c >= 0x80)
			return *why = "the path holds a non-ASCII byte", -1;
		if (n + 1 >= JSONAPI_PATH_MAX)
			return *why = "the path is too long", -1;
		if (c == '/') {
			if (n > 0 && seg == 0 && p[1] != '\0' && p[1] != '?')
				return *why = "the path has an empty segment", -1;
			out[n] = '\0';
			const char *last = out + n - seg;
			if (seg > 0 && (strcmp(last, ".") == 0 || strcmp(last, "..") == 0))
				return *why = "the path has a '.' or '..' segment", -1;
			seg = 0;
			nseg++;
		} else if (++seg > JSONAPI_ID_MAX && nseg == 3) {
			return *why = "the campaign id is too long", -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	const char *last = out + n - seg;
	if (seg > 0 && (strcmp(last, ".") == 0 || strcmp(last, "..") == 0))
		return *why = "the path has a '.' or '..' segment", -1;
	return 0;
}

void
jsonapi_answer(const struct jsonapi_snap *s, const char *path, const char *limit,
    const char *bucket, struct jsonapi_reply *r)
{
	static const char prefix[] = "/api/campaigns";
	memset(r, 0, sizeof *r);
	if (!str_has_prefix(path, prefix)) {
		answer_error(r, 404, "not_found",
		    "no such endpoint; try /api/campaigns, /api/campaigns/ID/aggregates or "
		    "/api/campaigns/ID/engagers");
		return;
	}
	const char *rest = path + strlen(prefix);
	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		if (s)
			answer_body(r, s->list_body, s->list_etag);
		else
			answer_body(r, "{\"campaigns\":[]}", "\"empty\"");
		return;
	}
	const char *id = rest + 1, *slash = *rest == '/' ? strchr(id, '/') : NULL;
	const char *what = slash ? slash + 1 : "";
	bool aggs = strcmp(what, "aggregates") == 0, engs = strcmp(what, "engagers") == 0;
	if (slash == NULL || (!aggs && !engs)) {
		answer_error(r, 404, "not_found",
		    "no such endpoint; try /api/campaigns/ID/aggregates or "
		    "/api/campaigns/ID/engagers");
		return;
	}
	size_t idlen = (size_t)(slash - id);
	const struct part *p = NULL;
	for (size_t i = 0; s && i < s->nparts && !p; i++)
		if (strlen(s->parts[i]->id) == idlen && memcmp(s->parts[i]->id, id, idlen) == 0)
			p = s->parts[i];
	if (p == NULL) {
		char *m = xasprintf("no campaign with id '%.*s'; /api/campaigns lists them",
		    (int)(idlen > 64 ? 64 : idlen), id);
		answer_error(r, 404, "not_found", m);
		free(m);
		return;
	}
	if (aggs)
		answer_body(r, p->agg_body, p->agg_etag);
	else
		answer_engagers(p, limit, bucket, r);
}
