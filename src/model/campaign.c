/*
 * campaign: names, deterministic ids, initial status and the settings
 * fingerprint of a campaign. Pure; any thread.
 */
#include "model/campaign.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/farm.h"

static const char *const category_names[CAT__COUNT] = {"main", "influencer", "investor"};
static const char *const status_names[CS__COUNT] = {"scheduled", "active", "paused", "completed"};
static const char *const kind_names[JOB__COUNT] = {"metrics", "retweets", "replies", "quotes"};

/* Returns "main", "influencer" or "investor" ("?" when out of range). */
const char *
category_name(enum tweet_category c)
{
	return (unsigned)c < CAT__COUNT ? category_names[c] : "?";
}

/* Parses a category name into *out; 0 or -1. */
int
category_parse(const char *s, enum tweet_category *out)
{
	int i = str_index(category_names, CAT__COUNT, s);
	if (i >= 0)
		*out = (enum tweet_category)i;
	return i >= 0 ? 0 : -1;
}

const char *
campaign_status_name(enum campaign_status s)
{
	return (unsigned)s < CS__COUNT ? status_names[s] : "?";
}

int
campaign_status_parse(const char *s, enum campaign_status *out)
{
	int i = str_index(status_names, CS__COUNT, s);
	if (i >= 0)
		*out = (enum campaign_status)i;
	return i >= 0 ? 0 : -1;
}

const char *
job_kind_name(enum job_kind k)
{
	return (unsigned)k < JOB__COUNT ? kind_names[k] : "?";
}

void
campaign_make_id(const char *name, char id[CAMPAIGN_ID_MAX])
{
	size_t n = 0;
	int dash = 0, cut = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (!isascii(*p) || !isalnum(*p)) {
			dash = 1;
			continue;
		}
		if (n + (dash && n > 0) >= 24) {
			cut = 1;
			break;
		}
		if (dash && n > 0)
			id[n++] = '-';
		dash = 0;
		id[n++] = (char)tolower(*p);
	}
	/* a word cut in half reads badly: end at the last whole word */
	if (cut) {
		size_t last = n;
		while (last > 0 && id[last - 1] != '-')
			last--;
		if (last > 8)
			n = last - 1;
	}
	if (n == 0)
		memcpy(id, "campaign", (n = 8));
	snprintf(id + n, CAMPAIGN_ID_MAX - n, "-%08" PRIx32,
	    (uint32_t)(hash_fnv1a(name, strlen(name)) >> 32));
}

enum campaign_status
campaign_initial_status(const struct cfg_campaign *c, int64_t now_ms)
{
	return now_ms < c->start_s * 1000 ? CS_SCHEDULED : CS_ACTIVE;
}

/* Appends a list of strings to a canonical description. */
static void
add_list(struct sbuf *b, const char *key, char *const *v, size_t n)
{
	sbuf_printf(b, "%s=%zu[", key, n);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, "%zu:%s,", strlen(v[i]), v[i]);
	sbuf_addstr(b, "]\n");
}

/* Appends one string with its length, so no two settings collide. */
static void
add_str(struct sbuf *b, const char *key, const char *v)
{
	v = v ? v : "";
	sbuf_printf(b, "%s=%zu:%s\n", key, strlen(v), v);
}

char *
campaign_settings_hash(const struct cfg_campaign *c)
{
	struct sbuf b;
	sbuf_init(&b);
	add_str(&b, "name", c->name);
	add_str(&b, "client.name", c->client.name);
	add_str(&b, "client.contact", c->client.contact);
	add_str(&b, "client.notes", c->client.notes);
	if (c->client.logo && *c->client.logo)
		add_str(&b, "client.logo", c->client.logo);
	if (c->client.accent && *c->client.accent)
		add_str(&b, "client.accent", c->client.accent);
	sbuf_printf(&b, "window=%" PRId64 ",%" PRId64 "\n", c->start_s, c->end_s);
	for (size_t i = 0; i < c->ntweets; i++) {
		sbuf_printf(&b, "tweet=%s,%d,", c->tweets[i].id, (int)c->tweets[i].category);
		add_str(&b, "url", c->tweets[i].url);
	}
	sbuf_printf(&b, "cadence=%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
	    c->cadence.metrics, c->cadence.retweets, c->cadence.replies, c->cadence.quotes);
	const struct cfg_alerts *a = &c->alerts;
	sbuf_printf(&b, "alerts=%d,%" PRId64 "\n", a->min_importance, a->quiet_window_s);
	add_list(&b, "buckets", a->buckets, a->nbuckets);
	add_list(&b, "actions", a->actions, a->nactions);
	add_list(&b, "categories", a->categories, a->ncategories);
	add_list(&b, "watch", a->watch, a->nwatch);
	if (a->has_min_sentiment)
		sbuf_printf(&b, "min_sentiment=%.17g\n", a->min_sentiment);
	if (a->has_negative_sentiment)
		sbuf_printf(&b, "negative_sentiment=%.17g\n", a->negative_sentiment);
	add_str(&b, "slack", a->slack_webhook_ref);
	sbuf_printf(&b, "email=%d\n", a->has_email);
	if (a->has_email) {
		add_list(&b, "to", a->email.to, a->email.nto);
		add_str(&b, "smtp", a->email.smtp_url);
		add_str(&b, "user", a->email.user);
		add_str(&b, "password", a->email.password_ref);
		add_str(&b, "from", a->email.from);
	}
	for (int i = 0; i < CAT__COUNT; i++)
		sbuf_printf(&b, "cpm%d=%d:%.6f,%d:%.6f\n", i, c->cpm.has_benchmark[i],
		    c->cpm.benchmark_usd[i], c->cpm.has_spend[i], c->cpm.spend_usd[i]);
	if (c->farm.threshold != FARM_THRESHOLD_DEFAULT || c->farm.exclude) /* old hashes hold */
		sbuf_printf(&b, "farm=%d,%d\n", c->farm.threshold, c->farm.exclude);
	uint64_t h = hash_fnv1a(b.s, b.len);
	sbuf_done(&b);
	return xasprintf("%016" PRIx64, h);
}

/* Frees an array of n strings. */
static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
cfg_campaign_done(struct cfg_campaign *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->client.name);
	free(c->client.contact);
	free(c->client.notes);
	free(c->client.logo);
	free(c->client.accent);
	for (size_t i = 0; i < c->ntweets; i++)
		free(c->tweets[i].url);
	free(c->tweets);
	free_list(c->alerts.buckets, c->alerts.nbuckets);
	free_list(c->alerts.actions, c->alerts.nactions);
	free_list(c->alerts.categories, c->alerts.ncategories);
	free_list(c->alerts.watch, c->alerts.nwatch);
	free(c->alerts.slack_webhook_ref);
	free_list(c->alerts.email.to, c->alerts.email.nto);
	free(c->alerts.email.smtp_url);
	free(c->alerts.email.user);
	free(c->alerts.email.password_ref);
	free(c->alerts.email.from);
	memset(c, 0, sizeof *c);
}

/* Returns a copy of n strings v (NULL strings stay NULL), or NULL when n is
 * 0. */
static char **
copy_list(char *const *v, size_t n)
{
	if (n == 0)
		return NULL;
	char **out = xcalloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = v[i] ? xstrdup(v[i]) : NULL;
	return out;
}

/* Returns a copy of s, or NULL when s is NULL. */
static char *
copy_str(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
cfg_campaign_copy(struct cfg_campaign *dst, const struct cfg_campaign *src)
{
	*dst = *src; /* the numbers, then a copy of everything src owns */
	dst->name = copy_str(src->name);
	dst->client.name = copy_str(src->client.name);
	dst->client.contact = copy_str(src->client.contact);
	dst->client.notes = copy_str(src->client.notes);
	dst->client.logo = copy_str(src->client.logo);
	dst->client.accent = copy_str(src->client.accent);
	dst->tweets = src->ntweets ? xcalloc(src->ntweets, sizeof *dst->tweets) : NULL;
	for (size_t i = 0; i < src->ntweets; i++) {
		dst->tweets[i] = src->tweets[i];
		dst->tweets[i].url = copy_str(src->tweets[i].url);
	}
	const struct cfg_alerts *a = &src->alerts;
	struct cfg_alerts *d = &dst->alerts;
	d->buckets = copy_list(a->buckets, a->nbuckets);
	d->actions = copy_list(a->actions, a->nactions);
	d->categories = copy_list(a->categories, a->ncategories);
	d->watch = copy_list(a->watch, a->nwatch);
	d->slack_webhook_ref = copy_str(a->slack_webhook_ref);
	d->email.to = copy_list(a->email.to, a->email.nto);
	d->email.smtp_url = copy_str(a->email.smtp_url);
	d->email.user = copy_str(a->email.user);
	d->email.password_ref = copy_str(a->email.password_ref);
	d->email.from = copy_str(a->email.from);
}

void
campaign_done(struct campaign *c)
{
	if (c == NULL)
		return;
	cfg_campaign_done(&c->cfg);
	memset(c, 0, sizeof *c);
}

bool
campaign_logo_ok(const char *s)
{
	if (str_has_prefix(s, "https://")) {
		size_t n = strlen(s);
		if (n <= 8 || n > 2000)
			return false;
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"'<>\\`", *p))
				return false;
		return true;
	}
	if (!str_has_prefix(s, "data:image/") || strlen(s) > CLIENT_LOGO_MAX)
		return false;
	const char *p = s + 11;
	size_t t = strspn(p, "abcdefghijklmnopqrstuvwxyz+-.");
	if (t == 0 || strncmp(p + t, ";base64,", 8) != 0)
		return false;
	p += t + 8;
	size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
	return n > 0 && p[n] == '\0';
}

bool
campaign_accent_ok(const char *s)
{
	return s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}
