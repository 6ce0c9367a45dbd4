/*
 * agg: the console's model (see include/model/agg.h): campaigns, their
 * tweets, summaries, feeds, jobs, alerts and authors. How feed rows merge
 * and the profiles live in agg_feed.c. Model code: no curses, no I/O; the UI thread owns the
 * model and calls everything.
 */
#include "model/agg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "model/campaign.h"

static const char *const metric_names[M__COUNT] = {
    "likes", "retweets", "replies", "quotes", "views", "bookmarks"};
static const char *const job_state_names[JS__COUNT] = {
    "new", "backfilling", "ok", "blocked", "error"};
static const char *const prep_state_names[] = {"loading", "preparing", "ready"};

const char *
agg_metric_name(enum agg_metric m)
{
	return (unsigned)m < M__COUNT ? metric_names[m] : "?";
}

const char *
agg_job_state_name(enum agg_job_state s)
{
	return (unsigned)s < JS__COUNT ? job_state_names[s] : "?";
}

enum agg_job_state
agg_job_state_of(enum job_state s)
{
	static const enum agg_job_state shown[JST__COUNT] = {[JST_NEW] = JS_NEW,
	    [JST_IDLE] = JS_OK,
	    [JST_RUNNING] = JS_OK,
	    [JST_RETRY] = JS_NEW,
	    [JST_BLOCKED] = JS_BLOCKED,
	    [JST_STOPPED] = JS_NEW,
	    [JST_MISSING] = JS_NEW};
	return (unsigned)s < JST__COUNT ? shown[s] : JS_NEW;
}

/* Replaces *dst with a sanitized copy of src cut to max bytes. */
static void
set_clean(char **dst, const char *src, size_t max)
{
	char *c = text_sanitize(src ? src : "", src ? strlen(src) : 0, max);
	if (*dst && strcmp(*dst, c) == 0) {
		free(c);
		return;
	}
	free(*dst);
	*dst = c;
}

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
static char *
sanitized(const char *s, size_t max)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
}

struct agg *
agg_new(void)
{
	return xcalloc(1, sizeof(struct agg));
}

/* Frees one job's reason. */
static void
agg_job_done(struct agg_job *j)
{
	free(j->why);
	memset(j, 0, sizeof *j);
}

/* Frees n alerts and their array. */
static void
alerts_free(struct agg_alert *al, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(al[i].handle);
		free(al[i].channel);
		free(al[i].why);
	}
	free(al);
}

/* Frees a tweet's own series. */
static void
tweet_series_done(struct agg_tweet *t)
{
	for (int m = 0; m < M__COUNT; m++)
		series_done(&t->m[m]);
	minutes_done(&t->mins);
}

/* Frees a campaign and everything it owns. */
static void
campaign_free(struct agg_campaign *c)
{
	for (size_t i = 0; i < c->ntweets; i++) {
		struct agg_tweet *t = &c->tweets[i];
		free(t->author);
		tweet_series_done(t);
		for (int k = 0; k < JOB__COUNT; k++)
			agg_job_done(&t->job[k]);
	}
	free(c->tweets);
	free(c->tweet_map);
	for (size_t i = 0; i < c->nfeed; i++)
		prep_eng_done(&c->feed[i]);
	free(c->feed);
	prep_summary_done(&c->sum);
	alerts_free(c->alerts, c->nalerts);
	if (c->sent)
		sent_state_done(c->sent);
	free(c->sent);
	free(c->name);
	free(c->client);
	cfg_campaign_done(&c->cfg);
	free(c);
}

void
agg_free(struct agg *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->ncampaigns; i++)
		campaign_free(a->campaigns[i]);
	free(a->campaigns);
	free(a);
}

/* Mixes a 64-bit key into a table slot. */
static size_t
slot_of(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)(k & (cap - 1));
}

struct agg_campaign *
agg_campaign(struct agg *a, const char *id)
{
	if (a->ncampaigns > 0 && strcmp(a->campaigns[a->ncampaigns - 1]->id, id) == 0)
		return a->campaigns[a->ncampaigns - 1];
	for (size_t i = 0; i < a->ncampaigns; i++)
		if (strcmp(a->campaigns[i]->id, id) == 0)
			return a->campaigns[i];
	return NULL;
}

/* Returns campaign id, creating a placeholder when it is new. */
static struct agg_campaign *
campaign_get(struct agg *a, const char *id)
{
	struct agg_campaign *c = agg_campaign(a, id);
	if (c)
		return c;
	c = xcalloc(1, sizeof *c);
	snprintf(c->id, sizeof c->id, "%s", id);
	c->name = xstrdup(id);
	c->client = xstrdup("");
	a->campaigns = xreallocarray(a->campaigns, a->ncampaigns + 1, sizeof *a->campaigns);
	a->campaigns[a->ncampaigns++] = c;
	return c;
}

int
agg_tweet_index(const struct agg_campaign *c, const char *tweet_id)
{
	if (c->tweet_cap == 0)
		return -1;
	size_t s = slot_of(hash_fnv1a(tweet_id, strlen(tweet_id)), c->tweet_cap);
	for (; c->tweet_map[s] != 0; s = (s + 1) & (c->tweet_cap - 1))
		if (strcmp(c->tweets[c->tweet_map[s] - 1].id, tweet_id) == 0)
			return (int)c->tweet_map[s] - 1;
	return -1;
}

/* Adds tweet index i of c to the tweet map, growing it when half full. */
static void
tweet_map_add(struct agg_campaign *c, size_t i)
{
	if ((c->ntweets + 1) * 2 > c->tweet_cap) {
		free(c->tweet_map);
		c->tweet_cap = c->tweet_cap ? c->tweet_cap * 2 : 16;
		c->tweet_map = xcalloc(c->tweet_cap, sizeof *c->tweet_map);
		for (size_t k = 0; k < c->ntweets; k++)
			if (k != i)
				tweet_map_add(c, k);
	}
	const char *id = c->tweets[i].id;
	size_t s = slot_of(hash_fnv1a(id, strlen(id)), c->tweet_cap);
	while (c->tweet_map[s] != 0)
		s = (s + 1) & (c->tweet_cap - 1);
	c->tweet_map[s] = (uint32_t)i + 1;
}

/* Returns the index of tweet_id in c, adding it with category cat if new. */
static int
tweet_get(struct agg_campaign *c, const char *tweet_id, int cat)
{
	int i = agg_tweet_index(c, tweet_id);
	if (i >= 0)
		return i;
	c->tweets = xreallocarray(c->tweets, c->ntweets + 1, sizeof *c->tweets);
	struct agg_tweet *t = &c->tweets[c->ntweets];
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", tweet_id);
	t->category = (uint8_t)((unsigned)cat < CAT__COUNT ? cat : CAT_MAIN);
	tweet_map_add(c, c->ntweets);
	return (int)c->ntweets++;
}

/* Writes into c->alert_rule what campaign settings cp alert on and where
 * they send, so an empty alerts pane says why. */
static void
describe_alerts(struct agg_campaign *c, const struct cfg_alerts *al)
{
	bool slack = al->slack_webhook_ref && *al->slack_webhook_ref;
	if (!slack && !al->has_email) {
		snprintf(c->alert_rule, sizeof c->alert_rule,
		    "no channel: the campaign names no Slack webhook or email (E: its settings)");
		return;
	}
	char b[64] = "", w[72] = "";
	size_t at = 0;
	for (size_t i = 0; i < al->nbuckets && at < sizeof b; i++)
		at +=
		    (size_t)snprintf(b + at, sizeof b - at, "%s%s", i ? ", " : "", al->buckets[i]);
	if (al->nwatch)
		snprintf(w, sizeof w, ", or any of %zu watched account%s", al->nwatch,
		    al->nwatch == 1 ? "" : "s");
	snprintf(c->alert_rule, sizeof c->alert_rule, "to %s%s%s when importance >= %d in %s%s",
	    slack ? "Slack" : "", slack && al->has_email ? " and " : "",
	    al->has_email ? "email" : "", al->min_importance, *b ? b : "any bucket", w);
}

struct agg_campaign *
agg_set_campaign(struct agg *a, const struct campaign *cp)
{
	struct agg_campaign *c = campaign_get(a, cp->id);
	set_clean(&c->name, cp->cfg.name, 120);
	set_clean(&c->client, cp->cfg.client.name, 120);
	c->start_ms = cp->cfg.start_s * 1000;
	c->end_ms = cp->cfg.end_s * 1000;
	c->status = cp->status;
	c->close_requested_ms = cp->close_requested_at_ms;
	describe_alerts(c, &cp->cfg.alerts);
	cfg_campaign_done(&c->cfg); /* the settings the forms start from */
	cfg_campaign_copy(&c->cfg, &cp->cfg);
	for (size_t i = 0; i < c->ntweets; i++)
		c->tweets[i].listed = false;
	for (size_t i = 0; i < cp->cfg.ntweets; i++) {
		const struct cfg_tweet *ct = &cp->cfg.tweets[i];
		int ti = tweet_get(c, ct->id, (int)ct->category);
		c->tweets[ti].listed = true;
		/* the stored data's category wins once the summary has the tweet */
		if (prep_summary_tweet(&c->sum, ct->id) < 0)
			c->tweets[ti].category = (uint8_t)ct->category;
	}
	c->known = true;
	c->version++;
	return c;
}

/* Sanitizes the text of s that the console shows (it was sanitized when
 * written; another writer of the database may not have been careful). */
static void
summary_clean(struct prep_summary *s)
{
	for (size_t i = 0; i < s->ntop; i++) {
		struct prep_top *t = &s->top[i];
		set_clean(&t->handle, t->handle, PREP_HANDLE_MAX);
		set_clean(&t->name, t->name, 120);
		set_clean(&t->evidence, t->evidence, PREP_EVIDENCE_MAX);
	}
}

void
agg_set_summary(struct agg *a, const char *id, struct prep_summary *s)
{
	struct agg_campaign *c = campaign_get(a, id);
	prep_summary_done(&c->sum);
	c->sum = *s;
	memset(s, 0, sizeof *s);
	summary_clean(&c->sum);
	for (size_t i = 0; i < c->ntweets; i++) {
		memset(c->tweets[i].total, 0, sizeof c->tweets[i].total);
		memset(c->tweets[i].eng, 0, sizeof c->tweets[i].eng);
		if (c->tweets[i].load == AGG_LOAD_FAILED)
			c->tweets[i].load = AGG_LOAD_NONE; /* asked again with the news */
	}
	for (size_t i = 0; i < c->sum.ntweets; i++) {
		const struct prep_tweet_sum *ts = &c->sum.tweets[i];
		int ti = tweet_get(c, ts->id, ts->category); /* may move c->tweets */
		struct agg_tweet *t = &c->tweets[ti];
		t->category = ts->category < CAT__COUNT ? ts->category : CAT_MAIN;
		memcpy(t->total, ts->total, sizeof t->total);
		memcpy(t->eng, ts->eng, sizeof t->eng);
	}
	c->prep = AGG_PREP_READY;
	agg_feed_add(a, id, c->sum.latest, c->sum.nlatest);
	c->version++;
}

size_t
agg_feed_add(struct agg *a, const char *id, const struct prep_eng *v, size_t n)
{
	struct agg_campaign *c = agg_campaign(a, id);
	if (c == NULL || n == 0)
		return 0;
	struct prep_eng *copy = xcalloc(n, sizeof *copy);
	for (size_t i = 0; i < n; i++) {
		copy[i] = v[i];
		copy[i].handle = sanitized(v[i].handle, PREP_HANDLE_MAX);
		copy[i].name = sanitized(v[i].name, PREP_NAME_MAX);
		copy[i].snippet = sanitized(v[i].snippet, PREP_SNIPPET_MAX);
		if (copy[i].action >= ACT__COUNT || copy[i].bucket >= BK__COUNT ||
		    copy[i].category >= CAT__COUNT) {
			prep_eng_done(&copy[i]); /* never shown: not a row the model can name */
			copy[i].tweet_id[0] = '\0';
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (copy[i].tweet_id[0])
			copy[k++] = copy[i];
	size_t added = agg_eng_merge(&c->feed, &c->nfeed, &c->capfeed, copy, k, AGG_FEED_MAX);
	free(copy);
	if (added)
		c->version++;
	return added;
}

void
agg_set_preparing(struct agg *a, const char *id)
{
	struct agg_campaign *c = campaign_get(a, id);
	if (c->prep == AGG_PREP_PREPARING)
		return;
	c->prep = AGG_PREP_PREPARING;
	c->version++;
}

void
agg_job_health(const struct agg_campaign *c, int64_t now_ms, struct agg_health *h)
{
	(void)now_ms; /* a block past its time counts too: no engine looked again yet */
	memset(h, 0, sizeof *h);
	for (size_t i = 0; c && i < c->ntweets; i++)
		for (int k = 0; k < JOB__COUNT; k++) {
			const struct agg_job *j = &c->tweets[i].job[k];
			if (j->last_success_ms > h->last_success_ms)
				h->last_success_ms = j->last_success_ms;
			if (j->state == JS_ERROR) {
				h->failing++;
				h->why_failing = j->why ? j->why : h->why_failing;
			} else if (j->state == JS_BLOCKED) { /* also past its time: still blocked */
				h->blocked++;
				h->why_blocked = j->why ? j->why : h->why_blocked;
				if (j->blocked_until_ms > h->blocked_until_ms)
					h->blocked_until_ms = j->blocked_until_ms;
			}
		}
}

bool
agg_loading(const struct agg_campaign *c)
{
	if (c->prep != AGG_PREP_READY)
		return true;
	if (c->status != CS_ACTIVE || c->close_requested_ms > 0)
		return false; /* nothing is being read for it: what it has is all */
	for (size_t i = 0; i < c->ntweets; i++)
		for (int k = 0; c->tweets[i].listed && k < JOB__COUNT; k++) {
			const struct agg_job *j = &c->tweets[i].job[k];
			if (j->last_success_ms == 0 && j->why == NULL && j->state != JS_ERROR &&
			    j->state != JS_BLOCKED)
				return true;
		}
	return false;
}

void
agg_cpm(const struct agg_campaign *c, struct agg_cpm *out)
{
	agg_cpm_farm(c, false, out);
}

void
agg_cpm_farm(const struct agg_campaign *c, bool exclude, struct agg_cpm *out)
{
	memset(out, 0, sizeof *out);
	int64_t excl[CAT__COUNT] = {0};
	for (size_t i = 0; exclude && i < c->sum.ntweets; i++) {
		const struct prep_tweet_sum *t = &c->sum.tweets[i];
		excl[t->category] +=
		    prep_views_excl_farm(&c->sum, t->id, t->total[M_VIEWS], c->cfg.farm.threshold);
	}
	out->farm_excluded = exclude && prep_has_farm(&c->sum);
	for (int k = 0; k < CAT__COUNT; k++) {
		int64_t v = out->farm_excluded ? excl[k] : c->sum.total[k][M_VIEWS];
		if (c->cfg.cpm.has_benchmark[k]) {
			out->has_paid = true;
			out->paid_usd +=
			    (double)(v < 0 ? 0 : v) / 1000.0 * c->cfg.cpm.benchmark_usd[k];
		}
		if (c->cfg.cpm.has_spend[k]) {
			out->has_spend = true;
			out->spend_usd += c->cfg.cpm.spend_usd[k];
		}
	}
	out->savings_usd = out->paid_usd - out->spend_usd;
}

void
agg_set_jobs(struct agg *a, const char *id, struct agg_jobrow *rows, size_t n)
{
	struct agg_campaign *c = campaign_get(a, id);
	c->requests = c->credits = 0;
	for (size_t i = 0; i < n; i++) {
		struct agg_jobrow *r = &rows[i];
		int ti = agg_tweet_index(c, r->tweet_id);
		c->requests += r->job.requests;
		c->credits += r->job.credits;
		if (ti < 0 || (unsigned)r->kind >= JOB__COUNT) {
			free(r->job.why);
			r->job.why = NULL;
			continue;
		}
		struct agg_job *j = &c->tweets[ti].job[r->kind];
		agg_job_done(j);
		*j = r->job;
		r->job.why = NULL;
	}
	c->version++;
}

void
agg_set_alerts(struct agg *a, const char *id, struct agg_alert *alerts, size_t n)
{
	struct agg_campaign *c = campaign_get(a, id);
	alerts_free(c->alerts, c->nalerts);
	c->alerts = alerts;
	c->nalerts = n;
	c->version++;
}

void
agg_set_sentiment(struct agg *a, const char *id, struct sent_state *sent)
{
	struct agg_campaign *c = campaign_get(a, id);
	if (c->sent)
		sent_state_done(c->sent);
	free(c->sent);
	c->sent = sent;
	c->version++;
}

void
agg_set_author(struct agg *a, const char *id, const char *tweet_id, const char *handle)
{
	struct agg_campaign *c = campaign_get(a, id);
	int ti = agg_tweet_index(c, tweet_id);
	if (ti < 0)
		return;
	set_clean(&c->tweets[ti].author, handle, 64);
	c->version++;
}

bool
agg_tweet_ask(struct agg_campaign *c, size_t i)
{
	if (i >= c->ntweets || c->tweets[i].load != AGG_LOAD_NONE)
		return false; /* asked, read, or failed (asked again after the next summary) */
	c->tweets[i].load = AGG_LOAD_ASKED;
	return true;
}

void
agg_set_tweet_minutes(struct agg *a, const char *id, const char *tweet_id, struct minutes *mins)
{
	struct agg_campaign *c = agg_campaign(a, id);
	int ti = c ? agg_tweet_index(c, tweet_id) : -1;
	if (ti >= 0) {
		minutes_done(&c->tweets[ti].mins);
		c->tweets[ti].mins = *mins;
		memset(mins, 0, sizeof *mins);
	}
	minutes_done(mins);
}

void
agg_set_tweet_series(
    struct agg *a, const char *id, const char *tweet_id, struct series m[M__COUNT], bool ok)
{
	struct agg_campaign *c = agg_campaign(a, id);
	int ti = c ? agg_tweet_index(c, tweet_id) : -1;
	if (ti < 0) {
		for (int k = 0; k < M__COUNT; k++)
			series_done(&m[k]);
		return;
	}
	struct agg_tweet *t = &c->tweets[ti];
	if (!ok) {
		t->load = t->load == AGG_LOAD_READY ? AGG_LOAD_READY : AGG_LOAD_FAILED;
	} else {
		struct minutes keep = t->mins; /* set just before by agg_set_tweet_minutes */
		memset(&t->mins, 0, sizeof t->mins);
		tweet_series_done(t);
		t->mins = keep;
		memcpy(t->m, m, sizeof t->m);
		memset(m, 0, M__COUNT * sizeof *m);
		t->load = AGG_LOAD_READY;
	}
	for (int k = 0; k < M__COUNT; k++)
		series_done(&m[k]);
	c->version++;
}

bool
agg_filter_match(const struct agg_filter *f, const struct prep_eng *e)
{
	if (f->buckets && !(f->buckets & (1u << e->bucket)))
		return false;
	if (f->actions && !(f->actions & (1u << e->action)))
		return false;
	if (f->categories && !(f->categories & (1u << e->category)))
		return false;
	if (f->tweet_id[0] && strcmp(f->tweet_id, e->tweet_id) != 0)
		return false;
	return e->importance >= f->min_importance;
}

int64_t
agg_unique_total(const struct agg_campaign *c)
{
	return c->sum.unique_accounts;
}

char *
agg_digest(const struct agg_campaign *c)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "campaign %s %s\n", c->id,
	    prep_state_names[(unsigned)c->prep < LW_ARRAY_LEN(prep_state_names) ? c->prep : 0]);
	char *d = prep_summary_digest(&c->sum);
	sbuf_addstr(&b, d);
	free(d);
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		sbuf_printf(&b, "tweet %s %s listed=%d author=%s", t->id,
		    category_name((enum tweet_category)t->category), t->listed,
		    t->author ? t->author : "");
		for (int m = 0; m < M__COUNT; m++)
			sbuf_printf(&b, " %" PRId64, t->total[m]);
		for (int k = 0; k < ACT__COUNT; k++)
			sbuf_printf(&b, " %s=%" PRId64, action_name((enum lw_action)k), t->eng[k]);
		sbuf_addstr(&b, "\n");
	}
	for (size_t i = 0; i < c->nfeed; i++) {
		const struct prep_eng *e = &c->feed[i];
		sbuf_printf(&b, "feed %s %s %s %" PRId64 " %s %d @%s %s: %s\n", e->tweet_id,
		    e->user_id, action_name((enum lw_action)e->action), e->at_ms,
		    bucket_name((enum lw_bucket)e->bucket), e->importance, e->handle, e->name,
		    e->snippet);
	}
	return sbuf_take(&b);
}

/* Returns the bytes a series holds. */
static size_t
series_bytes(const struct series *s)
{
	return (size_t)s->cap * sizeof *s->v;
}

/* Returns the bytes of a string (0 for NULL). */
static size_t
str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Returns the bytes summary s holds beyond its struct. */
static size_t
summary_bytes(const struct prep_summary *s)
{
	size_t n = s->ntweets * sizeof *s->tweets + series_bytes(&s->eng_hours) +
	           s->ntop * sizeof *s->top + s->nlatest * sizeof *s->latest;
	for (int k = 0; k <= CAT__COUNT; k++)
		for (int m = 0; m < PREP_METRICS; m++)
			n += series_bytes(&s->hours[k][m]);
	for (int b = 0; b < BK__COUNT; b++)
		n += series_bytes(&s->bucket_hours[b]);
	for (int k = 0; k <= CAT__COUNT; k++)
		n += s->mins[k].cap * sizeof(struct minute_row);
	for (size_t i = 0; i < s->ntop; i++)
		n += str_bytes(s->top[i].handle) + str_bytes(s->top[i].name) +
		     str_bytes(s->top[i].evidence);
	for (size_t i = 0; i < s->nlatest; i++)
		n += str_bytes(s->latest[i].handle) + str_bytes(s->latest[i].name) +
		     str_bytes(s->latest[i].snippet);
	return n;
}

size_t
agg_memory(const struct agg *a)
{
	size_t n = sizeof *a + a->ncampaigns * sizeof *a->campaigns;
	for (size_t i = 0; i < a->ncampaigns; i++) {
		const struct agg_campaign *c = a->campaigns[i];
		n += sizeof *c + summary_bytes(&c->sum) + c->ntweets * sizeof *c->tweets +
		     c->tweet_cap * sizeof *c->tweet_map + c->capfeed * sizeof *c->feed;
		for (size_t t = 0; t < c->ntweets; t++) {
			for (int m = 0; m < M__COUNT; m++)
				n += series_bytes(&c->tweets[t].m[m]);
			n += c->tweets[t].mins.cap * sizeof(struct minute_row);
		}
		for (size_t k = 0; k < c->nfeed; k++)
			n += str_bytes(c->feed[k].handle) + str_bytes(c->feed[k].name) +
			     str_bytes(c->feed[k].snippet);
	}
	return n;
}
