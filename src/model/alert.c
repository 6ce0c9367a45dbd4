/*
 * alert: rules, fingerprints, dedupe and digest timing for alerts
 * (docs/alerts.md). Pure: no I/O, no clock; every time is an argument. Any
 * thread, one owner per value.
 */
#include "model/alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "model/prep.h"

static const char *const channel_names[ALERT__CHANNELS] = {"slack", "email"};

const char *
alert_channel_name(enum alert_channel c)
{
	return (unsigned)c < ALERT__CHANNELS ? channel_names[c] : "?";
}

/* The one table between enum alert_delivery and alerts_sent.status. */
static const char *const delivery_names[ALERT__DELIVERIES] = {"sent", "pending", "failed"};

const char *
alert_delivery_name(enum alert_delivery d)
{
	return (unsigned)d < ALERT__DELIVERIES ? delivery_names[d] : "?";
}

enum alert_delivery
alert_delivery_parse(const char *s, char **why)
{
	if (why)
		*why = NULL;
	if (s == NULL)
		return ALERT_SENT;
	if (str_has_prefix(s, delivery_names[ALERT_PENDING]))
		return ALERT_PENDING;
	if (!str_has_prefix(s, delivery_names[ALERT_FAILED]))
		return ALERT_SENT;
	const char *rest = s + strlen(delivery_names[ALERT_FAILED]);
	rest += strspn(rest, ":");
	rest += strspn(rest, " ");
	if (why && *rest)
		*why = xstrdup(rest);
	return ALERT_FAILED;
}

const char *
alert_delivery_format(enum alert_delivery d, const char *why, char *buf, size_t size)
{
	if (d == ALERT_FAILED && why && *why)
		snprintf(buf, size, "%s: %s", alert_delivery_name(d), why);
	else
		snprintf(buf, size, "%s", alert_delivery_name(d));
	return buf;
}

/* Returns a bit mask of the names in v that parse with parse (unknown names
 * are ignored: the config loader has already rejected them). */
static unsigned
name_mask(char *const *v, size_t n, int (*parse)(const char *, int *))
{
	unsigned m = 0;
	for (size_t i = 0; i < n; i++) {
		int x;
		if (parse(v[i], &x) == 0)
			m |= 1u << x;
	}
	return m;
}

/* Parses a bucket name into an int. */
static int
parse_bucket(const char *s, int *out)
{
	enum lw_bucket b;
	if (bucket_parse(s, &b) != 0)
		return -1;
	*out = (int)b;
	return 0;
}

/* Parses an action name into an int. */
static int
parse_action(const char *s, int *out)
{
	enum lw_action a;
	if (action_parse(s, &a) != 0)
		return -1;
	*out = (int)a;
	return 0;
}

/* Parses a category name into an int. */
static int
parse_category(const char *s, int *out)
{
	enum tweet_category c;
	if (category_parse(s, &c) != 0)
		return -1;
	*out = (int)c;
	return 0;
}

/* Returns a copy of the n strings of v. */
static char **
copy_strv(char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* Frees n strings of v and v. */
static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* Returns s, or "" when s is NULL. */
static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

void
alert_campaign_init(struct alert_campaign *out, const char *id, const struct cfg_campaign *c)
{
	const struct cfg_alerts *a = &c->alerts;
	memset(out, 0, sizeof *out);
	snprintf(out->id, sizeof out->id, "%s", id);
	out->name = text_sanitize(nz(c->name), strlen(nz(c->name)), 200);
	out->rules.min_importance = a->min_importance;
	out->rules.buckets = name_mask(a->buckets, a->nbuckets, parse_bucket);
	out->rules.actions = name_mask(a->actions, a->nactions, parse_action);
	out->rules.categories = name_mask(a->categories, a->ncategories, parse_category);
	out->rules.watch = copy_strv(a->watch, a->nwatch);
	out->rules.nwatch = a->nwatch;
	out->rules.quiet_window_ms = a->quiet_window_s > 0 ? a->quiet_window_s * 1000 : 0;
	out->rules.has_min_sentiment = a->has_min_sentiment;
	out->rules.min_sentiment = a->min_sentiment;
	out->rules.farm_threshold = c->farm.threshold;
	out->rules.has_negative_sentiment = a->has_negative_sentiment;
	out->rules.negative_sentiment = a->negative_sentiment;
	out->tweets = xcalloc(c->ntweets + 1, sizeof *out->tweets);
	out->ntweets = c->ntweets;
	for (size_t i = 0; i < c->ntweets; i++) {
		snprintf(out->tweets[i].id, sizeof out->tweets[i].id, "%s", c->tweets[i].id);
		out->tweets[i].category = c->tweets[i].category;
		out->tweets[i].url = xstrdup(c->tweets[i].url ? c->tweets[i].url : c->tweets[i].id);
	}
	out->slack_ref = xstrdup(nz(a->slack_webhook_ref));
	out->has_email = a->has_email && a->email.nto > 0 && a->email.smtp_url != NULL &&
	                 a->email.smtp_url[0] != '\0';
	out->email_to = copy_strv(a->email.to, a->has_email ? a->email.nto : 0);
	out->nemail_to = a->has_email ? a->email.nto : 0;
	out->smtp_url = xstrdup(nz(a->email.smtp_url));
	out->smtp_user = xstrdup(nz(a->email.user));
	out->smtp_password_ref = xstrdup(nz(a->email.password_ref));
	out->mail_from = xstrdup(nz(a->email.from));

	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "%s\n%d\n", out->slack_ref, out->has_email);
	for (size_t i = 0; i < out->nemail_to; i++)
		sbuf_printf(&b, "%s\n", out->email_to[i]);
	sbuf_printf(&b, "%s\n%s\n%s\n%s", out->smtp_url, out->smtp_user, out->smtp_password_ref,
	    out->mail_from);
	out->channels_hash = hash_fnv1a(b.s, b.len);
	sbuf_done(&b);
}

void
alert_campaign_done(struct alert_campaign *a)
{
	free(a->name);
	free_strv(a->rules.watch, a->rules.nwatch);
	for (size_t i = 0; i < a->ntweets; i++)
		free(a->tweets[i].url);
	free(a->tweets);
	free(a->slack_ref);
	free_strv(a->email_to, a->nemail_to);
	free(a->smtp_url);
	free(a->smtp_user);
	free(a->smtp_password_ref);
	free(a->mail_from);
	memset(a, 0, sizeof *a);
}

int
alert_from_split(const char *spec, char **name, char **addr)
{
	const char *lt = spec ? strrchr(spec, '<') : NULL;
	*name = *addr = NULL;
	if (spec == NULL || *spec == '\0')
		return -1;
	if (lt == NULL) {
		if (strchr(spec, '>') || strchr(spec, ' '))
			return -1;
		*name = xstrdup("");
		*addr = xstrdup(spec);
		return 0;
	}
	size_t alen = strlen(lt + 1);
	/* exactly one '<' and one '>', the latter closing the string */
	if (alen < 2 || lt[alen] != '>' || strchr(spec, '<') != lt ||
	    strchr(spec, '>') != lt + alen)
		return -1;
	size_t nlen = (size_t)(lt - spec);
	while (nlen > 0 && (spec[nlen - 1] == ' ' || spec[nlen - 1] == '\t'))
		nlen--;
	/* a quoted display name loses its quotes; controls and spoofing go */
	if (nlen >= 2 && spec[0] == '"' && spec[nlen - 1] == '"')
		*name = text_sanitize(spec + 1, nlen - 2, 200);
	else
		*name = text_sanitize(spec, nlen, 200);
	*addr = xstrndup(lt + 1, alen - 1);
	return 0;
}

bool
alert_campaign_has_channel(const struct alert_campaign *a, enum alert_channel ch)
{
	if (ch == ALERT_SLACK)
		return a->slack_ref != NULL && a->slack_ref[0] != '\0';
	return ch == ALERT_EMAIL && a->has_email;
}

const struct alert_tweet *
alert_campaign_tweet(const struct alert_campaign *a, const char *tweet_id)
{
	for (size_t i = 0; i < a->ntweets; i++)
		if (strcmp(a->tweets[i].id, tweet_id) == 0)
			return &a->tweets[i];
	return NULL;
}

/* Returns a sanitized copy of s (NULL gives "") of at most max bytes. */
static char *
clean(const char *s, size_t max)
{
	return text_sanitize(nz(s), strlen(nz(s)), max);
}

void
alert_candidate_from_engagement(
    struct alert_candidate *out, const struct lw_engagement *e, int64_t now_ms)
{
	memset(out, 0, sizeof *out);
	snprintf(
	    out->campaign_id, sizeof out->campaign_id, "%.*s", CAMPAIGN_ID_MAX - 1, e->campaign_id);
	snprintf(out->tweet_id, sizeof out->tweet_id, "%s", e->tweet_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", e->user.id);
	if (e->nref > 0 && e->ref_ids[e->nref - 1] != NULL &&
	    str_is_digits(e->ref_ids[e->nref - 1]))
		snprintf(out->ref_id, sizeof out->ref_id, "%.*s", LW_ID_MAX - 1,
		    e->ref_ids[e->nref - 1]);
	out->category = e->category >= 0 && e->category < CAT__COUNT ? e->category : -1;
	out->action = e->action;
	out->bucket = e->bucket;
	out->importance = e->importance;
	out->handle = clean(e->user.handle, 64);
	out->name = clean(e->user.name, 200);
	out->evidence = clean(e->evidence, 300);
	out->text = clean(e->text, 600);
	out->followers = e->user.followers;
	out->event_ms = e->first_seen_at_ms > 0 ? e->first_seen_at_ms
	                : e->created_at_ms > 0  ? e->created_at_ms
	                                        : now_ms;
	out->has_sentiment = e->has_sentiment;
	out->sentiment = e->sentiment;
	out->farm_score = e->has_farm ? farm_score(e->farm_reasons & FARM_STATIC_MASK) : -1;
}

void
alert_candidate_from_record(
    struct alert_candidate *out, const char *campaign_id, const struct prep_eng *r)
{
	memset(out, 0, sizeof *out);
	snprintf(
	    out->campaign_id, sizeof out->campaign_id, "%.*s", CAMPAIGN_ID_MAX - 1, campaign_id);
	snprintf(out->tweet_id, sizeof out->tweet_id, "%s", r->tweet_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", r->user_id);
	out->category = r->category < CAT__COUNT ? (int)r->category : -1;
	out->action = r->action < ACT__COUNT ? (enum lw_action)r->action : ACT_RETWEET;
	out->bucket = r->bucket < BK__COUNT ? (enum lw_bucket)r->bucket : BK_OTHER;
	out->importance = r->importance;
	out->handle = clean(r->handle, 64);
	out->name = clean(r->name, 200);
	out->evidence = xstrdup("");
	out->text = clean(r->snippet, 600);
	out->followers = r->followers;
	out->event_ms = r->first_seen_at_ms > 0 ? r->first_seen_at_ms : r->at_ms;
	out->farm_score = r->has_farm ? farm_score(r->farm_reasons) : -1;
}

void
alert_candidate_add_details(struct alert_candidate *c, const struct lw_engagement *e)
{
	if (e->user.name != NULL && e->user.name[0] != '\0') {
		free(c->name);
		c->name = clean(e->user.name, 200);
	}
	free(c->evidence);
	c->evidence = clean(e->evidence, 300);
	if (e->text != NULL) {
		free(c->text);
		c->text = clean(e->text, 600);
	}
	if (e->nref > 0 && e->ref_ids[e->nref - 1] != NULL &&
	    str_is_digits(e->ref_ids[e->nref - 1]))
		snprintf(
		    c->ref_id, sizeof c->ref_id, "%.*s", LW_ID_MAX - 1, e->ref_ids[e->nref - 1]);
	c->has_sentiment = e->has_sentiment;
	c->sentiment = e->sentiment;
}

void
alert_candidate_copy(struct alert_candidate *dst, const struct alert_candidate *src)
{
	*dst = *src;
	dst->handle = xstrdup(nz(src->handle));
	dst->name = xstrdup(nz(src->name));
	dst->evidence = xstrdup(nz(src->evidence));
	dst->text = xstrdup(nz(src->text));
}

void
alert_candidate_done(struct alert_candidate *c)
{
	free(c->handle);
	free(c->name);
	free(c->evidence);
	free(c->text);
	memset(c, 0, sizeof *c);
}

/* ---- rules ----------------------------------------------------------- */

/* Returns true when the candidate's handle is on the watch list. */
static bool
is_watched(const struct alert_rules *r, const struct alert_candidate *c)
{
	if (c->handle == NULL || c->handle[0] == '\0')
		return false;
	for (size_t i = 0; i < r->nwatch; i++)
		if (strcasecmp(r->watch[i], c->handle) == 0)
			return true;
	return false;
}

/* Returns true when the importance is at least the minimum. */
static bool
pass_importance(const struct alert_rules *r, const struct alert_candidate *c)
{
	return c->importance >= r->min_importance;
}

/* Returns true when the bucket is listed (or none are). */
static bool
pass_bucket(const struct alert_rules *r, const struct alert_candidate *c)
{
	return r->buckets == 0 || (r->buckets & (1u << c->bucket)) != 0;
}

/* Returns true when the action is listed (or none are). */
static bool
pass_action(const struct alert_rules *r, const struct alert_candidate *c)
{
	return r->actions == 0 || (r->actions & (1u << c->action)) != 0;
}

/* Returns true when the tweet's category is listed (or none are). */
static bool
pass_category(const struct alert_rules *r, const struct alert_candidate *c)
{
	if (r->categories == 0)
		return true;
	return c->category >= 0 && (r->categories & (1u << c->category)) != 0;
}

/* Returns true unless a scored sentiment is below the armed threshold: an
 * engagement nobody has scored yet is not held back. */
static bool
pass_sentiment(const struct alert_rules *r, const struct alert_candidate *c)
{
	return !r->has_min_sentiment || !c->has_sentiment || c->sentiment >= r->min_sentiment;
}

/* Returns true unless the account is likely farmed by its static farm rules
 * (the cross-account rules need the whole campaign; docs/alerts.md). */
static bool
pass_farm(const struct alert_rules *r, const struct alert_candidate *c)
{
	return c->farm_score < 0 || !farm_likely(c->farm_score, r->farm_threshold);
}

/* The rules every candidate that is not watched must pass, in order. */
static const struct alert_rule {
	enum alert_verdict fail;
	bool (*pass)(const struct alert_rules *, const struct alert_candidate *);
} rules_table[] = {
    {ALERT_SKIP_IMPORTANCE, pass_importance},
    {ALERT_SKIP_BUCKET, pass_bucket},
    {ALERT_SKIP_ACTION, pass_action},
    {ALERT_SKIP_CATEGORY, pass_category},
    {ALERT_SKIP_SENTIMENT, pass_sentiment},
    {ALERT_SKIP_FARM, pass_farm},
};

static const char *const verdict_names[ALERT__VERDICTS] = {"watched", "rules", "importance",
    "bucket", "action", "category", "sentiment", "farm", "negative"};

const char *
alert_verdict_name(enum alert_verdict v)
{
	return (unsigned)v < ALERT__VERDICTS ? verdict_names[v] : "?";
}

bool
alert_verdict_alerts(enum alert_verdict v)
{
	return v == ALERT_MATCH_WATCHED || v == ALERT_MATCH_RULES || v == ALERT_MATCH_NEGATIVE;
}

bool
alert_wants_score(const struct alert_rules *r, const struct alert_candidate *c)
{
	return (c->action == ACT_REPLY || c->action == ACT_QUOTE) &&
	       (r->has_negative_sentiment || r->has_min_sentiment);
}

/* Returns true when c is a reply or quote scored at or below the armed
 * negative_sentiment (a PR risk the team hears of whatever its rules), by
 * an account not likely farmed (a bot's hostility is noise). */
static bool
is_negative(const struct alert_rules *r, const struct alert_candidate *c)
{
	return r->has_negative_sentiment && c->has_sentiment &&
	       (c->action == ACT_REPLY || c->action == ACT_QUOTE) &&
	       c->sentiment <= r->negative_sentiment && pass_farm(r, c);
}

enum alert_verdict
alert_match(const struct alert_campaign *a, struct alert_candidate *c)
{
	if (c->category < 0) {
		const struct alert_tweet *t = alert_campaign_tweet(a, c->tweet_id);
		if (t != NULL)
			c->category = (int)t->category;
	}
	c->watched = is_watched(&a->rules, c);
	if (c->watched)
		return ALERT_MATCH_WATCHED;
	for (size_t i = 0; i < LW_ARRAY_LEN(rules_table); i++)
		if (!rules_table[i].pass(&a->rules, c))
			return is_negative(&a->rules, c) ? ALERT_MATCH_NEGATIVE
			                                 : rules_table[i].fail;
	return ALERT_MATCH_RULES;
}

/* ---- fingerprints, dedupe, digests, backoff ---------------------------- */

int64_t
alert_slot(int64_t event_ms, int64_t quiet_window_ms)
{
	if (quiet_window_ms <= 0)
		return 0;
	int64_t q = event_ms / quiet_window_ms;
	if (event_ms % quiet_window_ms != 0 && event_ms < 0)
		q--;
	return q;
}

void
alert_fingerprint(
    const struct alert_candidate *c, enum alert_channel ch, int64_t slot, char out[ALERT_ID_MAX])
{
	snprintf(out, ALERT_ID_MAX, "%s:%s:%s:%s:%s:%" PRId64, c->campaign_id, c->tweet_id,
	    c->user_id, action_name(c->action), alert_channel_name(ch), slot);
}

bool
alert_should_send(
    const int64_t *prior_event_ms, size_t nprior, int64_t event_ms, int64_t quiet_window_ms)
{
	for (size_t i = 0; i < nprior; i++) {
		int64_t d = event_ms - prior_event_ms[i];
		if (d < 0)
			d = -d;
		if (quiet_window_ms <= 0 || d < quiet_window_ms)
			return false;
	}
	return true;
}

int64_t
alert_group_due(
    int64_t oldest_pending_ms, int64_t last_sent_ms, int64_t wait_ms, int64_t interval_ms)
{
	int64_t due = oldest_pending_ms + wait_ms;
	if (last_sent_ms > 0 && last_sent_ms + interval_ms > due)
		due = last_sent_ms + interval_ms;
	return due;
}

int64_t
alert_backoff_ms(int attempt, int retry_after_s, int64_t base_ms, int64_t cap_ms, uint64_t rnd)
{
	int64_t d = base_ms > 0 ? base_ms : 1;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	int64_t half = d / 2;
	d = half + (int64_t)(rnd % (uint64_t)(d - half + 1));
	if (retry_after_s >= 0 && (int64_t)retry_after_s * 1000 > d)
		d = (int64_t)retry_after_s * 1000;
	return d;
}
