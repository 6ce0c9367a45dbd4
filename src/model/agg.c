/*
 * agg: the console's in-memory aggregates (see include/model/agg.h). Model code:
 * no curses, no I/O; the UI thread owns the model and calls everything.
 */
#include "model/agg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"
#include "model/campaign.h"
#include "base/text.h"
#include "base/util.h"

static const char *const metric_names[M__COUNT] = {
    "likes", "retweets", "replies", "quotes", "views", "bookmarks"};
static const char *const job_state_names[JS__COUNT] = {
    "new", "backfilling", "ok", "blocked", "error"};

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

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
static char *
clean(const char *s, size_t max)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
}

struct agg *
agg_new(void)
{
	struct agg *a = xcalloc(1, sizeof *a);
	a->user_cap = 1024;
	a->user_keys = xcalloc(a->user_cap, sizeof *a->user_keys);
	a->user_vals = xcalloc(a->user_cap, sizeof *a->user_vals);
	return a;
}

/* Frees one job's reason. */
static void
agg_job_done(struct agg_job *j)
{
	free(j->why);
	memset(j, 0, sizeof *j);
}

/* Frees the alerts of c. */
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

/* Frees a campaign and everything it owns. */
static void
campaign_free(struct agg_campaign *c)
{
	for (size_t i = 0; i < c->ntweets; i++) {
		struct agg_tweet *t = &c->tweets[i];
		free(t->author);
		free(t->seqs);
		for (int m = 0; m < M__COUNT; m++)
			agg_hours_done(&t->hours[m]);
		for (int k = 0; k < JOB__COUNT; k++)
			agg_job_done(&t->job[k]);
	}
	free(c->tweets);
	free(c->tweet_map);
	for (int k = 0; k <= CAT__COUNT; k++)
		for (int m = 0; m < M__COUNT; m++)
			agg_hours_done(&c->hours[k][m]);
	for (int b = 0; b < BK__COUNT; b++)
		agg_hours_done(&c->bucket_events[b]);
	free(c->eng);
	free(c->cu);
	free(c->cu_map);
	alerts_free(c->alerts, c->nalerts);
	free(c->name);
	free(c->client);
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
	for (size_t i = 0; i < a->nusers; i++) {
		free(a->users[i].handle);
		free(a->users[i].name);
		free(a->users[i].bio);
	}
	free(a->users);
	free(a->user_keys);
	free(a->user_vals);
	free(a->text);
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

/* Returns the numeric key of a user id (digits, else a hash with the top bit). */
static uint64_t
user_key(const char *id)
{
	uint64_t v = 0;
	size_t n = strlen(id);
	if (n > 0 && n <= 19 && str_is_digits(id)) {
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (uint64_t)(id[i] - '0');
		if (v != 0)
			return v;
	}
	return hash_fnv1a(id, n) | (1ULL << 63);
}

/* Doubles the user table. */
static void
users_grow(struct agg *a)
{
	size_t cap = a->user_cap * 2;
	uint64_t *keys = xcalloc(cap, sizeof *keys);
	uint32_t *vals = xcalloc(cap, sizeof *vals);
	for (size_t i = 0; i < a->user_cap; i++) {
		if (a->user_keys[i] == 0)
			continue;
		size_t s = slot_of(a->user_keys[i], cap);
		while (keys[s] != 0)
			s = (s + 1) & (cap - 1);
		keys[s] = a->user_keys[i];
		vals[s] = a->user_vals[i];
	}
	free(a->user_keys);
	free(a->user_vals);
	a->user_keys = keys;
	a->user_vals = vals;
	a->user_cap = cap;
}

/* Replaces *dst with a sanitized copy of src when they differ. */
static void
set_clean(char **dst, const char *src, size_t max)
{
	char *c = clean(src, max);
	if (*dst && strcmp(*dst, c) == 0) {
		free(c);
		return;
	}
	free(*dst);
	*dst = c;
}

/* Returns a hash of the raw profile text (handle, name, bio). */
static uint64_t
profile_hash(const struct lw_user *u)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[3] = {u->handle, u->name, u->bio};
	for (int i = 0; i < 3; i++) {
		h ^= parts[i] ? hash_fnv1a(parts[i], strlen(parts[i])) : 0;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Interns the profile u and returns its index; a known account takes the
 * newer profile. */
static uint32_t
user_intern(struct agg *a, const struct lw_user *u, int64_t seen_ms)
{
	uint64_t k = user_key(u->id);
	if ((a->nusers + 1) * 2 > a->user_cap)
		users_grow(a);
	size_t s = slot_of(k, a->user_cap);
	while (a->user_keys[s] != 0 && a->user_keys[s] != k)
		s = (s + 1) & (a->user_cap - 1);
	struct agg_user *p;
	if (a->user_keys[s] == k) {
		p = &a->users[a->user_vals[s]];
	} else {
		if (a->nusers == a->capusers) {
			a->capusers = a->capusers ? a->capusers * 2 : 256;
			a->users = xreallocarray(a->users, a->capusers, sizeof *a->users);
		}
		a->user_keys[s] = k;
		a->user_vals[s] = (uint32_t)a->nusers;
		p = &a->users[a->nusers++];
		memset(p, 0, sizeof *p);
		p->id = k;
		p->seen_ms = INT64_MIN;
	}
	if (seen_ms < p->seen_ms)
		return a->user_vals[s]; /* an older observation of a known account */
	p->seen_ms = seen_ms;
	p->followers = u->followers;
	p->following = u->following;
	p->verified = u->verified;
	uint64_t h = profile_hash(u);
	if (p->handle && h == p->profile_hash)
		return a->user_vals[s]; /* the same text again: nothing to sanitize */
	p->profile_hash = h;
	set_clean(&p->handle, u->handle, 64);
	set_clean(&p->name, u->name, 128);
	set_clean(&p->bio, u->bio, AGG_BIO_MAX);
	return a->user_vals[s];
}

/* Stores a snippet in the arena and returns 1 + its offset (0 for none). */
static uint32_t
text_add(struct agg *a, const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	char *c = clean(s, AGG_SNIPPET_MAX);
	size_t n = strlen(c) + 1;
	if (a->ntext + n > a->captext) {
		a->captext = (a->ntext + n) * 2 > 4096 ? (a->ntext + n) * 2 : 4096;
		a->text = xreallocarray(a->text, a->captext, 1);
	}
	memcpy(a->text + a->ntext, c, n);
	free(c);
	uint32_t off = (uint32_t)a->ntext + 1;
	a->ntext += n;
	return off;
}

const char *
agg_eng_text(const struct agg *a, const struct agg_eng *e)
{
	return e->text ? a->text + e->text - 1 : "";
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
	c->cu_cap = 64;
	c->cu_map = xcalloc(c->cu_cap, sizeof *c->cu_map);
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
	if (c->ntweets >= UINT16_MAX)
		return -1;
	c->tweets = xreallocarray(c->tweets, c->ntweets + 1, sizeof *c->tweets);
	struct agg_tweet *t = &c->tweets[c->ntweets];
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", tweet_id);
	t->category = (uint8_t)((unsigned)cat < CAT__COUNT ? cat : CAT_MAIN);
	tweet_map_add(c, c->ntweets);
	return (int)c->ntweets++;
}

/* Returns the slot of user u in c's account map (empty or holding u). */
static size_t
cu_slot(const struct agg_campaign *c, uint32_t u)
{
	size_t s = slot_of((uint64_t)u + 1, c->cu_cap);
	while (c->cu_map[s] != 0 && c->cu[c->cu_map[s] - 1].user != u)
		s = (s + 1) & (c->cu_cap - 1);
	return s;
}

const struct agg_cu *
agg_cu_find(const struct agg_campaign *c, uint32_t u)
{
	if (c->cu_cap == 0)
		return NULL;
	size_t s = cu_slot(c, u);
	return c->cu_map[s] ? &c->cu[c->cu_map[s] - 1] : NULL;
}

/* Returns c's record of user u, creating it. */
static struct agg_cu *
cu_get(struct agg_campaign *c, uint32_t u)
{
	if ((c->ncu + 1) * 2 > c->cu_cap) {
		size_t cap = c->cu_cap * 2;
		uint32_t *map = xcalloc(cap, sizeof *map);
		for (size_t i = 0; i < c->ncu; i++) {
			size_t s = slot_of((uint64_t)c->cu[i].user + 1, cap);
			while (map[s] != 0)
				s = (s + 1) & (cap - 1);
			map[s] = (uint32_t)i + 1;
		}
		free(c->cu_map);
		c->cu_map = map;
		c->cu_cap = cap;
	}
	size_t s = cu_slot(c, u);
	if (c->cu_map[s])
		return &c->cu[c->cu_map[s] - 1];
	if (c->ncu == c->capcu) {
		c->capcu = c->capcu ? c->capcu * 2 : 256;
		c->cu = xreallocarray(c->cu, c->capcu, sizeof *c->cu);
	}
	struct agg_cu *r = &c->cu[c->ncu];
	memset(r, 0, sizeof *r);
	r->user = u;
	r->last = AGG_NONE;
	r->last_at = INT64_MIN;
	c->cu_map[s] = (uint32_t)++c->ncu;
	return r;
}

/* Moves an account's unique counts from one bucket to another. */
static void
uniq_move(struct agg_campaign *c, const struct agg_cu *r, int from, int to)
{
	if (from >= 0) {
		c->uniq[from]--;
		for (int k = 0; k < ACT__COUNT; k++)
			if (r->mask & (1u << k))
				c->uniq_act[k][from]--;
	}
	c->uniq[to]++;
	for (int k = 0; k < ACT__COUNT; k++)
		if (r->mask & (1u << k))
			c->uniq_act[k][to]++;
}

/* Applies one engagement unless it was applied before. */
static void
apply_engagement(struct agg *a, const struct lw_engagement *e)
{
	if (e->campaign_id[0] == '\0' || e->tweet_id[0] == '\0' || e->user.id[0] == '\0' ||
	    (unsigned)e->action >= ACT__COUNT || (unsigned)e->bucket >= BK__COUNT)
		return;
	struct agg_campaign *c = campaign_get(a, e->campaign_id);
	int ti = tweet_get(c, e->tweet_id, e->category);
	if (ti < 0)
		return;
	uint32_t u = user_intern(a, &e->user,
	    e->last_seen_at_ms > e->first_seen_at_ms ? e->last_seen_at_ms : e->first_seen_at_ms);
	struct agg_cu *r = cu_get(c, u);
	for (uint32_t i = r->last; i != AGG_NONE; i = c->eng[i].prev)
		if (c->eng[i].tweet == ti && c->eng[i].action == e->action)
			return; /* seen: a replay or an overlap of poll and queue */
	if (c->neng == c->capeng) {
		c->capeng = c->capeng ? c->capeng * 2 : 1024;
		c->eng = xreallocarray(c->eng, c->capeng, sizeof *c->eng);
	}
	struct agg_tweet *t = &c->tweets[ti];
	struct agg_eng *g = &c->eng[c->neng];
	g->at_ms = e->created_at_ms ? e->created_at_ms : e->first_seen_at_ms;
	g->user = u;
	g->prev = r->last;
	g->text = text_add(a, e->text);
	g->tweet = (uint16_t)ti;
	g->action = (uint8_t)e->action;
	g->bucket = (uint8_t)e->bucket;
	g->importance = (uint8_t)(e->importance < 0     ? 0
	                          : e->importance > 100 ? 100
	                                                : e->importance);
	g->category = t->category;
	r->last = (uint32_t)c->neng++;

	int old_bucket = r->n ? r->bucket : -1;
	uint8_t old_mask = r->mask;
	r->n++;
	if (r->importance < g->importance)
		r->importance = g->importance;
	int new_bucket = old_bucket;
	if (g->at_ms >= r->last_at) { /* the bucket follows the newest engagement */
		r->last_at = g->at_ms;
		new_bucket = g->bucket;
	}
	if (old_bucket != new_bucket) {
		r->mask = old_mask;
		uniq_move(c, r, old_bucket, new_bucket);
		r->bucket = (uint8_t)new_bucket;
	}
	if (!(r->mask & (1u << g->action))) {
		r->mask |= (uint8_t)(1u << g->action);
		c->uniq_act[g->action][r->bucket]++;
	}
	t->eng[g->action]++;
	c->events[g->action]++;
	agg_hours_add(&c->bucket_events[g->bucket], agg_hour_of(g->at_ms), 1);
	if (e->first_seen_at_ms > c->eng_watermark_ms)
		c->eng_watermark_ms = e->first_seen_at_ms;
	c->top_dirty = true;
	c->version++;
}

/* Returns the delta of metric m in d. */
static int64_t
metric_of(const struct lw_metrics *d, int m)
{
	const int64_t v[M__COUNT] = {
	    d->likes, d->retweets, d->replies, d->quotes, d->views, d->bookmarks};
	return v[m]; /* a delta, summed as given (negative when a count fell) */
}

/* Applies one metric slice unless its sequence number was applied before. */
static void
apply_slice(struct agg *a, const struct lw_slice *s)
{
	if (s->campaign_id[0] == '\0' || s->tweet_id[0] == '\0' || s->seq < 1 || s->seq > (1 << 24))
		return;
	struct agg_campaign *c = campaign_get(a, s->campaign_id);
	int ti = tweet_get(c, s->tweet_id, s->category);
	if (ti < 0)
		return;
	struct agg_tweet *t = &c->tweets[ti];
	size_t byte = (size_t)s->seq / 8;
	if (byte >= t->nseqs) {
		size_t n = byte + 1 > t->nseqs * 2 ? byte + 16 : t->nseqs * 2;
		t->seqs = xreallocarray(t->seqs, n, 1);
		memset(t->seqs + t->nseqs, 0, n - t->nseqs);
		t->nseqs = n;
	}
	if (t->seqs[byte] & (1u << (s->seq % 8)))
		return;
	t->seqs[byte] |= (uint8_t)(1u << (s->seq % 8));
	int64_t h = agg_hour_of(s->at_ms);
	for (int m = 0; m < M__COUNT; m++) {
		int64_t d = metric_of(&s->deltas, m);
		t->total[m] += d;
		agg_hours_add(&t->hours[m], h, d);
		c->total[t->category][m] += d;
		agg_hours_add(&c->hours[t->category][m], h, d);
		c->total[CAT__COUNT][m] += d;
		agg_hours_add(&c->hours[CAT__COUNT][m], h, d);
	}
	if (s->at_ms > c->slice_watermark_ms)
		c->slice_watermark_ms = s->at_ms;
	c->version++;
}

void
agg_apply(struct agg *a, const struct event_batch *b)
{
	for (size_t i = 0; i < b->neng; i++)
		apply_engagement(a, &b->eng[i]);
	for (size_t i = 0; i < b->nslices; i++)
		apply_slice(a, &b->slices[i]);
	a->batches++;
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
	for (size_t i = 0; i < c->ntweets; i++)
		c->tweets[i].listed = false;
	for (size_t i = 0; i < cp->cfg.ntweets; i++) {
		int ti = tweet_get(c, cp->cfg.tweets[i].id, (int)cp->cfg.tweets[i].category);
		if (ti >= 0)
			c->tweets[ti].listed = true;
		if (ti >= 0 && c->tweets[ti].category != cp->cfg.tweets[i].category && c->neng == 0)
			c->tweets[ti].category = (uint8_t)cp->cfg.tweets[i].category;
	}
	c->known = true;
	c->version++;
	return c;
}

void
agg_job_health(const struct agg_campaign *c, int64_t now_ms, struct agg_health *h)
{
	memset(h, 0, sizeof *h);
	for (size_t i = 0; c && i < c->ntweets; i++)
		for (int k = 0; k < JOB__COUNT; k++) {
			const struct agg_job *j = &c->tweets[i].job[k];
			if (j->last_success_ms > h->last_success_ms)
				h->last_success_ms = j->last_success_ms;
			if (j->state == JS_ERROR) {
				h->failing++;
				h->why_failing = j->why ? j->why : h->why_failing;
			} else if (j->state == JS_BLOCKED && j->blocked_until_ms > now_ms) {
				h->blocked++;
				h->why_blocked = j->why ? j->why : h->why_blocked;
				if (j->blocked_until_ms > h->blocked_until_ms)
					h->blocked_until_ms = j->blocked_until_ms;
			}
		}
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
agg_filter_match(const struct agg_filter *f, const struct agg_eng *e)
{
	if (f->buckets && !(f->buckets & (1u << e->bucket)))
		return false;
	if (f->actions && !(f->actions & (1u << e->action)))
		return false;
	if (f->categories && !(f->categories & (1u << e->category)))
		return false;
	return e->importance >= f->min_importance;
}

int64_t
agg_unique_total(const struct agg_campaign *c)
{
	int64_t n = 0;
	for (int b = 0; b < BK__COUNT; b++)
		n += c->uniq[b];
	return n;
}

/* Returns true when account x ranks above account y. */
static bool
ranks_above(const struct agg *a, const struct agg_cu *x, const struct agg_cu *y)
{
	if (x->importance != y->importance)
		return x->importance > y->importance;
	if (x->n != y->n)
		return x->n > y->n;
	const struct agg_user *ux = &a->users[x->user], *uy = &a->users[y->user];
	if (ux->followers != uy->followers)
		return ux->followers > uy->followers;
	return ux->id < uy->id;
}

void
agg_rank_top(const struct agg *a, struct agg_campaign *c)
{
	if (!c->top_dirty)
		return;
	c->ntop = 0;
	for (size_t i = 0; i < c->ncu; i++) {
		const struct agg_cu *r = &c->cu[i];
		if (c->ntop == AGG_TOP_MAX && !ranks_above(a, r, &c->cu[c->top[c->ntop - 1]]))
			continue;
		size_t at = c->ntop < AGG_TOP_MAX ? c->ntop++ : AGG_TOP_MAX - 1;
		while (at > 0 && ranks_above(a, r, &c->cu[c->top[at - 1]])) {
			c->top[at] = c->top[at - 1];
			at--;
		}
		c->top[at] = (uint32_t)i;
	}
	c->top_dirty = false;
}

/* Appends a series to a digest. */
static void
digest_hours(struct sbuf *b, const char *name, const struct agg_hours *h)
{
	sbuf_printf(b, "%s:", name);
	for (int32_t i = 0; i < h->n; i++)
		if (h->v[i])
			sbuf_printf(b, " %" PRId64 "=%" PRId64, h->base + i, h->v[i]);
	sbuf_addstr(b, "\n");
}

/* Orders digest lines. */
static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

char *
agg_digest(const struct agg *a, const struct agg_campaign *c)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "campaign %s engagements %zu accounts %zu\n", c->id, c->neng, c->ncu);
	for (int k = 0; k <= CAT__COUNT; k++)
		for (int m = 0; m < M__COUNT; m++) {
			char name[64];
			snprintf(name, sizeof name, "%s.%s total=%" PRId64,
			    k < CAT__COUNT ? category_name((enum tweet_category)k) : "all",
			    metric_names[m], c->total[k][m]);
			digest_hours(&b, name, &c->hours[k][m]);
		}
	for (int bk = 0; bk < BK__COUNT; bk++) {
		sbuf_printf(&b, "uniq.%s=%" PRId64, bucket_name((enum lw_bucket)bk), c->uniq[bk]);
		for (int k = 0; k < ACT__COUNT; k++)
			sbuf_printf(
			    &b, " %s=%" PRId64, action_name((enum lw_action)k), c->uniq_act[k][bk]);
		sbuf_addstr(&b, "\n");
		digest_hours(&b, bucket_name((enum lw_bucket)bk), &c->bucket_events[bk]);
	}
	/* tweets in id order */
	char **lines = xcalloc(c->ntweets + c->neng + 1, sizeof *lines);
	size_t nl = 0;
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		struct sbuf l;
		sbuf_init(&l);
		sbuf_printf(
		    &l, "tweet %s %s", t->id, category_name((enum tweet_category)t->category));
		for (int m = 0; m < M__COUNT; m++)
			sbuf_printf(&l, " %" PRId64, t->total[m]);
		for (int k = 0; k < ACT__COUNT; k++)
			sbuf_printf(&l, " %s=%" PRId64, action_name((enum lw_action)k), t->eng[k]);
		for (int m = 0; m < M__COUNT; m++)
			for (int32_t h = 0; h < t->hours[m].n; h++)
				if (t->hours[m].v[h])
					sbuf_printf(&l, " %d@%" PRId64 "=%" PRId64, m,
					    t->hours[m].base + h, t->hours[m].v[h]);
		lines[nl++] = sbuf_take(&l);
	}
	/* engagements as a sorted set, with each account's timeline length */
	for (size_t i = 0; i < c->neng; i++) {
		const struct agg_eng *e = &c->eng[i];
		const struct agg_user *u = &a->users[e->user];
		const struct agg_cu *r = agg_cu_find(c, e->user);
		lines[nl++] =
		    xasprintf("eng %" PRIu64 " %s %s %" PRId64 " %s %s %d %s n=%u b=%d @%s", u->id,
		        c->tweets[e->tweet].id, action_name((enum lw_action)e->action), e->at_ms,
		        bucket_name((enum lw_bucket)e->bucket),
		        category_name((enum tweet_category)e->category), e->importance,
		        agg_eng_text(a, e), r ? r->n : 0, r ? r->bucket : -1, u->handle);
	}
	qsort(lines, nl, sizeof *lines, cmp_str);
	for (size_t i = 0; i < nl; i++) {
		sbuf_addstr(&b, lines[i]);
		sbuf_addstr(&b, "\n");
		free(lines[i]);
	}
	free(lines);
	agg_rank_top(a, (struct agg_campaign *)c);
	sbuf_addstr(&b, "top:");
	for (size_t i = 0; i < c->ntop; i++)
		sbuf_printf(&b, " %" PRIu64, a->users[c->cu[c->top[i]].user].id);
	sbuf_addstr(&b, "\n");
	return sbuf_take(&b);
}

size_t
agg_memory(const struct agg *a)
{
	size_t n = sizeof *a + a->capusers * sizeof *a->users +
	           a->user_cap * (sizeof *a->user_keys + sizeof *a->user_vals) + a->captext;
	for (size_t i = 0; i < a->nusers; i++) {
		const struct agg_user *u = &a->users[i];
		n += strlen(u->handle) + strlen(u->name) + strlen(u->bio) + 3;
	}
	for (size_t i = 0; i < a->ncampaigns; i++) {
		const struct agg_campaign *c = a->campaigns[i];
		n += sizeof *c + c->capeng * sizeof *c->eng + c->capcu * sizeof *c->cu +
		     c->cu_cap * sizeof *c->cu_map + c->ntweets * sizeof *c->tweets;
		for (size_t t = 0; t < c->ntweets; t++) {
			n += c->tweets[t].nseqs;
			for (int m = 0; m < M__COUNT; m++)
				n += (size_t)c->tweets[t].hours[m].cap * sizeof(int64_t);
		}
		for (int k = 0; k <= CAT__COUNT; k++)
			for (int m = 0; m < M__COUNT; m++)
				n += (size_t)c->hours[k][m].cap * sizeof(int64_t);
		for (int b = 0; b < BK__COUNT; b++)
			n += (size_t)c->bucket_events[b].cap * sizeof(int64_t);
	}
	return n;
}
