/*
 * config: the campaign file (DESIGN.md section 3) read with the YAML reader
 * (config/yamlread) through the campaign key table into a struct cfg_file:
 * unknown keys get a did-you-mean from the same level, wrong types and bad
 * values are reported as "FILE:LINE:COL: message" at the offending node,
 * every error is collected (the first 20 are shown) and any error means
 * nothing is returned. Durations and times are read with base/timestr. Pure
 * apart from reading the file; any thread may call it, each load owns its
 * state.
 */
#include "config/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytes.h"
#include "base/timestr.h"
#include "base/util.h"
#include "config/yamlkeys.h"
#include "config/yamlread.h"
#include "model/alert.h"
#include "model/campaign.h"
#include "model/event.h"
#include "model/tweetlink.h"

struct camp_load;

/* A campaign being built, with what the checks need beside the result. */
struct camp_build {
	struct cfg_campaign c;
	struct camp_load *load; /* the campaigns before it, for unique names */
	bool has_end;
	bool has_duration;
	int64_t duration;
	size_t ntweet_items; /* items under tweets.*, accepted or not */
	size_t tweets_cap;
};

/* The campaigns of one file being loaded. */
struct camp_load {
	struct camp_build *camps;
	size_t ncamps;
};

/* Reads a list of tweet links or ids into the campaign's tweets. */
static void
read_tweets(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *n, void *base)
{
	struct camp_build *b = base;
	(void)key;

	if (yr_is_null(n))
		return;
	if (yr_kind(n) != YRN_LIST) {
		char *kind = yr_describe(n);
		yr_error(d, n, "%s must be a list of tweet links or ids, got %s", k->path, kind);
		free(kind);
		return;
	}
	for (size_t it = 0; it < yr_count(n); it++) {
		const struct yr_node *in = yr_item(d, n, it);
		char id[TWEET_ID_MAX + 1], *cause = NULL;
		size_t i;
		b->ntweet_items++;
		if (yr_kind(in) != YRN_SCALAR || yr_is_null(in)) {
			char *kind = yr_describe(in);
			yr_error(
			    d, in, "%s items must be tweet links or ids, got %s", k->path, kind);
			free(kind);
			continue;
		}
		if (strlen(yr_text(in)) != yr_length(in)) {
			yr_error(d, in, "%s items must not contain a NUL character", k->path);
			continue;
		}
		if (tweetlink_parse(yr_text(in), id, &cause) != 0) {
			yr_error(d, in, "%s: %s", k->path, cause);
			free(cause);
			continue;
		}
		for (i = 0; i < b->c.ntweets; i++)
			if (strcmp(b->c.tweets[i].id, id) == 0)
				break;
		if (i < b->c.ntweets) {
			yr_error(d, in, "tweet %s is already listed at line %d (%s)", id,
			    b->c.tweets[i].line, category_name(b->c.tweets[i].category));
			continue;
		}
		if (b->c.ntweets == b->tweets_cap) {
			b->tweets_cap = b->tweets_cap ? b->tweets_cap * 2 : 8;
			b->c.tweets =
			    xreallocarray(b->c.tweets, b->tweets_cap, sizeof *b->c.tweets);
		}
		struct cfg_tweet *t = &b->c.tweets[b->c.ntweets++];
		memcpy(t->id, id, sizeof t->id);
		t->category = (enum tweet_category)k->tag;
		t->url = xstrdup(yr_text(in));
		t->line = yr_line(in);
		t->column = yr_column(in);
	}
}

/* ---------------------------------------------------------------------------
 * Item checks and mapping checks used by the campaign table.
 */

/* Sets *msg to " must list NOUN (a, b, c), got 'in'" from a name table. */
static int
item_names_fail(const char *noun, const char *(*name)(int), int count, const char *in, char **msg)
{
	struct sbuf b;
	char *q = yr_quote(in);
	sbuf_init(&b);
	sbuf_printf(&b, " must list %s (", noun);
	for (int i = 0; i < count; i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "", name(i));
	sbuf_printf(&b, "), got '%s'", q);
	free(q);
	*msg = sbuf_take(&b);
	return -1;
}

/* Returns the bucket name at index i. */
static const char *
bucket_at(int i)
{
	return bucket_name((enum lw_bucket)i);
}

/* Returns the action name at index i. */
static const char *
action_at(int i)
{
	return action_name((enum lw_action)i);
}

/* Returns the category name at index i. */
static const char *
category_at(int i)
{
	return category_name((enum tweet_category)i);
}

/* Parses true or false into the bool at dst. */
static int
scalar_bool(const struct yr_key *k, const char *in, void *dst, char **msg)
{
	(void)k;
	if (strcmp(in, "true") != 0 && strcmp(in, "false") != 0) {
		*msg = xasprintf(" must be true or false, got '%s'", in);
		return -1;
	}
	*(bool *)dst = strcmp(in, "true") == 0;
	return 0;
}

/* Accepts an engager bucket name. */
static int
item_bucket(const struct yr_key *k, const char *in, char **out, char **msg)
{
	enum lw_bucket b;
	(void)k;
	if (bucket_parse(in, &b) != 0)
		return item_names_fail("bucket names", bucket_at, BK__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts an engagement action name. */
static int
item_action(const struct yr_key *k, const char *in, char **out, char **msg)
{
	enum lw_action a;
	(void)k;
	if (action_parse(in, &a) != 0)
		return item_names_fail("actions", action_at, ACT__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts a tweet category name. */
static int
item_category(const struct yr_key *k, const char *in, char **out, char **msg)
{
	enum tweet_category c;
	(void)k;
	if (category_parse(in, &c) != 0)
		return item_names_fail("categories", category_at, CAT__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts an X handle with or without '@'; stores it lower-case without '@'. */
static int
item_handle(const struct yr_key *k, const char *in, char **out, char **msg)
{
	const char *h = in + (*in == '@');
	size_t n = strlen(h);
	bool ok = n >= 1 && n <= 15;
	(void)k;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)h[i]) || h[i] == '_';
	if (!ok) {
		char *q = yr_quote(in);
		*msg =
		    xasprintf(" must list X handles of 1 to 15 letters, digits or _, got '%s'", q);
		free(q);
		return -1;
	}
	*out = xstrdup(h);
	for (char *p = *out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Returns true when in is a plain address such as team@acme.example. */
static bool
addr_ok(const char *in)
{
	const char *at = strchr(in, '@');
	size_t n = strlen(in);
	bool ok = at != NULL && at != in && strchr(at + 1, '@') == NULL && n <= 254 &&
	          (size_t)(at - in) <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		ok = c > ' ' && c != 0x7f && strchr("<>()[],;:\"\\", c) == NULL;
	}
	if (ok) {
		const char *dom = at + 1, *dot = strrchr(dom, '.');
		ok = dot != NULL && dom[0] != '.' && dot[1] != '\0' && strstr(dom, "..") == NULL;
	}
	return ok;
}

/* Checks alerts.email.from: an address or "Display Name <address>". */
static int
item_mail_from(const struct yr_key *k, const char *in, char **out, char **msg)
{
	char *name = NULL, *addr = NULL;
	(void)k;
	bool ok = *in == '\0' || (alert_from_split(in, &name, &addr) == 0 && addr_ok(addr));
	free(name);
	free(addr);
	if (!ok) {
		char *q = yr_quote(in);
		*msg = xasprintf(" must be an address or 'Name <address>' such as 'Acme alerts "
		                 "<alerts@acme.example>', got '%s'",
		    q);
		free(q);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Accepts an email address of the plain local@domain.tld form. */
static int
item_email(const struct yr_key *k, const char *in, char **out, char **msg)
{
	(void)k;
	if (!addr_ok(in)) {
		char *q = yr_quote(in);
		*msg =
		    xasprintf(" must list email addresses such as team@acme.example, got '%s'", q);
		free(q);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Returns true when path has a ".." segment. */
static bool
path_has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

/* Accepts "" or an env:NAME or file:PATH reference (no ".." segment); never
 * echoes the value. */
static int
item_secret(const struct yr_key *k, const char *in, char **out, char **msg)
{
	if (*in == '\0') {
		*out = xstrdup("");
		return 0;
	}
	if (str_has_prefix(in, "env:")) {
		const char *v = in + 4;
		bool ok = *v != '\0' && (isalpha((unsigned char)*v) || *v == '_');
		for (; ok && *v; v++)
			ok = isalnum((unsigned char)*v) || *v == '_';
		if (!ok) {
			*msg = xstrdup(" must name an environment variable after env: (letters, "
			               "digits and _, not starting with a digit)");
			return -1;
		}
	} else if (str_has_prefix(in, "file:")) {
		if (in[5] == '\0') {
			*msg = xstrdup(" needs a path after file:");
			return -1;
		}
		if (path_has_dotdot(in + 5)) {
			*msg =
			    xstrdup(" must not name a path with a '..' segment after file: (give "
			            "the file's own path)");
			return -1;
		}
	} else {
		*msg =
		    xasprintf(" must be a reference such as %s or file:/path, not a literal secret",
		        k->example);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Accepts an smtp:// or smtps:// URL with a host and no credentials. */
static int
item_smtp_url(const struct yr_key *k, const char *in, char **out, char **msg)
{
	const char *rest = NULL;
	(void)k;
	if (strncasecmp(in, "smtps://", 8) == 0)
		rest = in + 8;
	else if (strncasecmp(in, "smtp://", 7) == 0)
		rest = in + 7;
	if (rest == NULL || *rest == '\0' || *rest == '/' || *rest == ':') {
		*msg = xstrdup(" must start with smtp:// or smtps:// and name a host, as in "
		               "smtps://smtp.example:465");
		return -1;
	}
	if (memchr(rest, '@', strcspn(rest, "/?#")) != NULL) {
		*msg = xstrdup(" must not hold a user or password; use alerts.email.user and "
		               "alerts.email.password");
		return -1;
	}
	for (const char *p = in; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*msg = xstrdup(" must not contain spaces or control characters");
			return -1;
		}
	*out = xstrdup(in);
	return 0;
}

/* The image types a logo file may have, by their first bytes. */
static const struct {
	const char *magic;
	size_t len;
	const char *type;
} logo_types[] = {{"\x89PNG\r\n\x1a\n", 8, "png"}, {"\xff\xd8\xff", 3, "jpeg"}, {"GIF8", 4, "gif"},
    {"<svg", 4, "svg+xml"}, {"<?xml", 5, "svg+xml"}};

/* Accepts "", an https:// URL, or a readable image file (PNG, JPEG, GIF,
 * SVG; a path from the current directory) embedded as a data: URI. */
static int
item_logo(const struct yr_key *k, const char *in, char **out, char **msg)
{
	(void)k;
	if (*in == '\0' || (str_has_prefix(in, "https://") && campaign_logo_ok(in))) {
		*out = xstrdup(in);
		return 0;
	}
	if (strstr(in, "://") != NULL || str_has_prefix(in, "data:")) {
		*msg = xstrdup(" must be an https:// URL (no spaces, quotes or angle brackets) or "
		               "the path of a PNG, JPEG, GIF or SVG file");
		return -1;
	}
	char *data = NULL, *cause = NULL;
	size_t len = 0;
	if (file_read_all(in, &data, &len, &cause) != 0) {
		*msg = xasprintf(": cannot read the logo file: %s", cause);
		free(cause);
		return -1;
	}
	const char *type = NULL;
	for (size_t i = 0; i < LW_ARRAY_LEN(logo_types) && type == NULL; i++)
		if (len >= logo_types[i].len &&
		    memcmp(data, logo_types[i].magic, logo_types[i].len) == 0)
			type = logo_types[i].type;
	if (type == NULL || len > CLIENT_LOGO_FILE_MAX) {
		*msg =
		    type ? xasprintf(
		               ": the logo file %s is over %d KiB", in, CLIENT_LOGO_FILE_MAX / 1024)
		         : xasprintf(": the logo file %s is not a PNG, JPEG, GIF or SVG image", in);
		free(data);
		return -1;
	}
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "data:image/%s;base64,", type);
	bytes_put_base64(&b, data, len);
	free(data);
	*out = sbuf_take(&b);
	return 0;
}

/* Accepts "" or an accent colour #rrggbb. */
static int
item_accent(const struct yr_key *k, const char *in, char **out, char **msg)
{
	(void)k;
	if (*in != '\0' && !campaign_accent_ok(in)) {
		*msg = xasprintf(" must be a colour written #rrggbb, such as #0a66c2");
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Checks window: exactly one of end and duration, and end after start. */
static void
check_window(struct yr_doc *d, void *base, const struct yr_node *map, bool clean)
{
	struct camp_build *b = base;
	const struct yr_node *end = yr_get(d, map, "end"), *dur = yr_get(d, map, "duration");
	if (b->has_end && b->has_duration) {
		yr_error(d, dur, "window has both end and duration; give only one");
		return;
	}
	if (!b->has_end && !b->has_duration) {
		yr_error(d, map, "window needs end or duration (such as duration: 7d)");
		return;
	}
	if (!clean || yr_get(d, map, "start") == NULL)
		return;
	if (b->has_duration)
		b->c.end_s = b->c.start_s + b->duration; /* both bounded: no overflow */
	else if (b->c.end_s <= b->c.start_s)
		yr_error(d, end, "window.end must be after window.start");
}

#define CB(m) offsetof(struct camp_build, m)

/* Every key of a campaign, paths relative to the campaign's mapping. */
static const struct yr_key campaign_keys[] = {
    {.path = "name",
        .type = YR_STR,
        .flags = YR_REQUIRED | YR_NONEMPTY,
        .off = CB(c.name),
        .help = "the campaign's unique name"},
    {.path = "client", .type = YR_MAP, .help = "who the campaign is for"},
    {.path = "client.name",
        .type = YR_STR,
        .def = "",
        .off = CB(c.client.name),
        .help = "client's name"},
    {.path = "client.contact",
        .type = YR_STR,
        .def = "",
        .off = CB(c.client.contact),
        .help = "client's contact"},
    {.path = "client.notes",
        .type = YR_STR,
        .def = "",
        .off = CB(c.client.notes),
        .help = "free notes"},
    {.path = "client.logo",
        .type = YR_STR,
        .def = "",
        .item = item_logo,
        .off = CB(c.client.logo),
        .help = "the client's logo on the report: an https:// URL or an image file"},
    {.path = "client.accent",
        .type = YR_STR,
        .def = "",
        .item = item_accent,
        .off = CB(c.client.accent),
        .help = "the report's accent colour, #rrggbb"},
    {.path = "window",
        .type = YR_MAP,
        .flags = YR_REQUIRED,
        .check = check_window,
        .help = "when to watch: start, and end or duration"},
    {.path = "window.start",
        .type = YR_TIME,
        .flags = YR_REQUIRED,
        .off = CB(c.start_s),
        .help = "an RFC 3339 time such as 2026-12-01T14:00:00Z"},
    {.path = "window.end",
        .type = YR_TIME,
        .flags = YR_HAS,
        .off = CB(c.end_s),
        .aux = CB(has_end),
        .help = "an RFC 3339 time after start"},
    {.path = "window.duration",
        .type = YR_DUR,
        .flags = YR_HAS,
        .off = CB(duration),
        .aux = CB(has_duration),
        .min = 1,
        .help = "how long after start, such as 7d"},
    {.path = "tweets", .type = YR_MAP, .help = "the campaign's tweets by category"},
    {.path = "tweets.main",
        .type = YR_NODE,
        .node = read_tweets,
        .tag = CAT_MAIN,
        .help = "links or ids of the client's own tweets"},
    {.path = "tweets.influencer",
        .type = YR_NODE,
        .node = read_tweets,
        .tag = CAT_INFLUENCER,
        .help = "links or ids of paid influencer tweets"},
    {.path = "tweets.investor",
        .type = YR_NODE,
        .node = read_tweets,
        .tag = CAT_INVESTOR,
        .help = "links or ids of investor tweets"},
    {.path = "cadence", .type = YR_MAP, .help = "how often each worker polls"},
    {.path = "cadence.metrics",
        .type = YR_DUR,
        .def = "5m",
        .min = 1,
        .off = CB(c.cadence.metrics),
        .help = "poll interval for public counts"},
    {.path = "cadence.retweets",
        .type = YR_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.retweets),
        .help = "poll interval for retweeters"},
    {.path = "cadence.replies",
        .type = YR_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.replies),
        .help = "poll interval for replies"},
    {.path = "cadence.quotes",
        .type = YR_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.quotes),
        .help = "poll interval for quotes"},
    {.path = "alerts", .type = YR_MAP, .help = "which engagements raise alerts and where"},
    {.path = "alerts.min_importance",
        .type = YR_INT,
        .def = "70",
        .min = 0,
        .max = 100,
        .off = CB(c.alerts.min_importance),
        .help = "lowest importance score that alerts"},
    {.path = "alerts.buckets",
        .type = YR_LIST,
        .item = item_bucket,
        .off = CB(c.alerts.buckets),
        .aux = CB(c.alerts.nbuckets),
        .help = "engager buckets that alert"},
    {.path = "alerts.actions",
        .type = YR_LIST,
        .item = item_action,
        .off = CB(c.alerts.actions),
        .aux = CB(c.alerts.nactions),
        .help = "actions that alert; empty means all"},
    {.path = "alerts.categories",
        .type = YR_LIST,
        .item = item_category,
        .off = CB(c.alerts.categories),
        .aux = CB(c.alerts.ncategories),
        .help = "tweet categories that alert; empty means all"},
    {.path = "alerts.watch",
        .type = YR_LIST,
        .item = item_handle,
        .off = CB(c.alerts.watch),
        .aux = CB(c.alerts.nwatch),
        .help = "handles that always alert"},
    {.path = "alerts.slack_webhook",
        .type = YR_STR,
        .def = "",
        .item = item_secret,
        .example = "env:SLACK_WEBHOOK_URL",
        .off = CB(c.alerts.slack_webhook_ref),
        .help = "Slack incoming webhook, as env:NAME or file:PATH"},
    {.path = "alerts.email",
        .type = YR_MAP,
        .flags = YR_HAS,
        .aux = CB(c.alerts.has_email),
        .help = "email alerts over SMTP"},
    {.path = "alerts.email.to",
        .type = YR_LIST,
        .flags = YR_REQUIRED | YR_NONEMPTY,
        .item = item_email,
        .example = "address",
        .off = CB(c.alerts.email.to),
        .aux = CB(c.alerts.email.nto),
        .help = "a list of recipient addresses"},
    {.path = "alerts.email.smtp_url",
        .type = YR_STR,
        .flags = YR_REQUIRED | YR_NONEMPTY,
        .def = "",
        .item = item_smtp_url,
        .off = CB(c.alerts.email.smtp_url),
        .help = "smtp:// or smtps:// server URL"},
    {.path = "alerts.email.user",
        .type = YR_STR,
        .def = "",
        .off = CB(c.alerts.email.user),
        .help = "SMTP user name"},
    {.path = "alerts.email.password",
        .type = YR_STR,
        .def = "",
        .item = item_secret,
        .example = "env:SMTP_PASSWORD",
        .off = CB(c.alerts.email.password_ref),
        .help = "SMTP password, as env:NAME or file:PATH"},
    {.path = "alerts.email.from",
        .type = YR_STR,
        .def = "",
        .item = item_mail_from,
        .example = "Acme alerts <alerts@acme.example>",
        .off = CB(c.alerts.email.from),
        .help = "the From of alert mail; default $LAUNCHWATCH_MAIL_FROM, else the user"},
    {.path = "alerts.quiet_window",
        .type = YR_DUR,
        .def = "30m",
        .min = 0,
        .off = CB(c.alerts.quiet_window_s),
        .help = "no repeat of the same alert inside it"},
    {.path = "alerts.min_sentiment",
        .type = YR_RANGE,
        .flags = YR_HAS,
        .min = -1,
        .max = 1,
        .aux = CB(c.alerts.has_min_sentiment),
        .off = CB(c.alerts.min_sentiment),
        .help = "once a scorer sets engagements.sentiment, lowest score that alerts"},
    {.path = "alerts.negative_sentiment",
        .type = YR_RANGE,
        .flags = YR_HAS,
        .min = -1,
        .max = 1,
        .aux = CB(c.alerts.has_negative_sentiment),
        .off = CB(c.alerts.negative_sentiment),
        .help = "a reply or quote scored at or below it alerts (the sentiment scorer)"},
    {.path = "farm", .type = YR_MAP, .help = "the farm / bot signal (docs/scoring.md section 7)"},
    {.path = "farm.threshold",
        .type = YR_INT,
        .def = "60",
        .min = 0,
        .max = 100,
        .off = CB(c.farm.threshold),
        .help = "farm score from which an account counts as likely farmed; 0 turns it off"},
    {.path = "farm.exclude",
        .type = YR_SCALAR,
        .def = "false",
        .scalar = scalar_bool,
        .what = "true or false",
        .off = CB(c.farm.exclude),
        .help = "leave likely-farmed accounts out of the pie and CPM by default"},
    {.path = "cpm", .type = YR_MAP, .help = "cost per thousand views"},
    {.path = "cpm.benchmark_usd", .type = YR_MAP, .help = "benchmark CPM in USD by category"},
    {.path = "cpm.benchmark_usd.main",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_MAIN]),
        .aux = CB(c.cpm.has_benchmark[CAT_MAIN]),
        .help = "benchmark CPM for main tweets"},
    {.path = "cpm.benchmark_usd.influencer",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_INFLUENCER]),
        .aux = CB(c.cpm.has_benchmark[CAT_INFLUENCER]),
        .help = "benchmark CPM for influencer tweets"},
    {.path = "cpm.benchmark_usd.investor",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_INVESTOR]),
        .aux = CB(c.cpm.has_benchmark[CAT_INVESTOR]),
        .help = "benchmark CPM for investor tweets"},
    {.path = "cpm.spend_usd", .type = YR_MAP, .help = "spend in USD by category"},
    {.path = "cpm.spend_usd.main",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.spend_usd[CAT_MAIN]),
        .aux = CB(c.cpm.has_spend[CAT_MAIN]),
        .help = "spend on main tweets"},
    {.path = "cpm.spend_usd.influencer",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.spend_usd[CAT_INFLUENCER]),
        .aux = CB(c.cpm.has_spend[CAT_INFLUENCER]),
        .help = "spend on influencer tweets"},
    {.path = "cpm.spend_usd.investor",
        .type = YR_NUM,
        .flags = YR_HAS,
        .off = CB(c.cpm.spend_usd[CAT_INVESTOR]),
        .aux = CB(c.cpm.has_spend[CAT_INVESTOR]),
        .help = "spend on investor tweets"},
};

/* Checks a whole campaign: a unique name and at least one tweet. */
static void
check_campaign(struct yr_doc *d, void *base, const struct yr_node *map, bool clean)
{
	struct camp_build *b = base;
	(void)clean;
	if (b->c.name != NULL && b->c.name[0] != '\0') {
		for (struct camp_build *o = b->load->camps; o < b; o++)
			if (o->c.name != NULL && strcmp(o->c.name, b->c.name) == 0) {
				char *q = yr_quote(b->c.name);
				yr_error(d, yr_get(d, map, "name"),
				    "campaign name '%s' is already used at line %d", q, o->c.line);
				free(q);
				break;
			}
	}
	if (b->ntweet_items == 0) {
		const struct yr_node *n = yr_get(d, map, "tweets");
		yr_error(d, n != NULL ? n : map,
		    "campaign lists no tweets; add at least one under tweets.main, "
		    "tweets.influencer or tweets.investor");
	}
}

static const struct yr_level campaign_level = {
    campaign_keys, LW_ARRAY_LEN(campaign_keys), "in campaign", NULL, false, check_campaign};

/* Reads the list of campaigns into the struct camp_load at base. */
static void
read_campaigns(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *n, void *base)
{
	struct camp_load *ld = base;
	size_t count;
	(void)key;
	if (yr_kind(n) != YRN_LIST && !yr_is_null(n)) {
		char *kind = yr_describe(n);
		yr_error(d, n, "%s must be a list of campaigns, got %s", k->path, kind);
		free(kind);
		return;
	}
	count = yr_count(n);
	if (count == 0) {
		yr_error(d, n, "campaigns must list at least one campaign");
		return;
	}
	ld->camps = xcalloc(count, sizeof *ld->camps);
	ld->ncamps = count;
	for (size_t i = 0; i < count; i++) {
		const struct yr_node *cn = yr_item(d, n, i);
		struct camp_build *b = &ld->camps[i];
		b->load = ld;
		b->c.line = yr_line(cn);
		yr_defaults(&campaign_level, b);
		if (yr_kind(cn) != YRN_MAPPING) {
			char *kind = yr_describe(cn);
			yr_error(d, cn,
			    "each campaign must be a mapping with name, window and tweets, got %s",
			    kind);
			free(kind);
			continue;
		}
		yr_walk(d, &campaign_level, cn, b);
	}
}

/* The top level of the file. */
static const struct yr_key file_keys[] = {
    {.path = "campaigns",
        .type = YR_NODE,
        .node = read_campaigns,
        .flags = YR_REQUIRED,
        .help = "a list of campaigns"},
};

static const struct yr_level file_level = {
    file_keys, LW_ARRAY_LEN(file_keys), "at the top level", NULL, false, NULL};

/* What the reader says about campaign files. */
static const struct yr_file campaign_file = {
    .empty = "the file is empty; it needs a 'campaigns:' list",
    .one_document = "use one 'campaigns:' list",
};

/* Reads the file's root mapping into the struct camp_load at arg. */
static void
read_root(struct yr_doc *d, const struct yr_node *root, void *arg)
{
	if (yr_kind(root) != YRN_MAPPING) {
		char *kind = yr_describe(root);
		yr_error(
		    d, root, "the file must be a mapping with a 'campaigns:' list, got %s", kind);
		free(kind);
		return;
	}
	yr_walk(d, &file_level, root, arg);
}

void
config_free(struct cfg_file *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->ncampaigns; i++)
		cfg_campaign_done(&f->campaigns[i]);
	free(f->campaigns);
	free(f->path);
	free(f);
}

int
config_load_string(
    const char *name, const char *text, size_t len, struct cfg_file **out, char **cause)
{
	struct camp_load ld = {NULL, 0};
	struct cfg_file *f;

	*out = NULL;
	if (yr_load(name, text, len, &campaign_file, read_root, &ld, cause) == 0) {
		f = xcalloc(1, sizeof *f);
		f->path = xstrdup(name);
		f->ncampaigns = ld.ncamps;
		f->campaigns = xcalloc(ld.ncamps, sizeof *f->campaigns);
		for (size_t i = 0; i < ld.ncamps; i++)
			f->campaigns[i] = ld.camps[i].c;
		ld.ncamps = 0;
		*out = f;
	}
	for (size_t i = 0; i < ld.ncamps; i++)
		cfg_campaign_done(&ld.camps[i].c);
	free(ld.camps);
	return *out != NULL ? 0 : -1;
}

int
config_load_file(const char *path, struct cfg_file **out, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (file_read_all(path, &text, &len, cause) != 0)
		return -1;
	rc = config_load_string(path, text, len, out, cause);
	free(text);
	return rc;
}
