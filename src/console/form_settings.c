/*
 * form_settings: the settings fields of the console's campaign forms, a
 * table of label, YAML key and kind; the text of each from stored
 * settings; and the YAML the texts stand for, one key a line so that a
 * loader message's line names its field. What a field may hold is the
 * loader's to say: numbers that look like numbers are written plain so it
 * checks their type, the rest quoted. Pure; any thread.
 */
#include "console/form_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"

/* How a field is written. */
enum sf_kind { SK_NUM, SK_TEXT, SK_LIST };

/* Where a field goes in the campaign's mapping. */
enum sf_group { SG_CADENCE, SG_ALERTS, SG_EMAIL, SG_BENCH, SG_SPEND, SG__COUNT };

static const struct {
	const char *label;
	const char *key;
	enum sf_kind kind;
	enum sf_group group;
} defs[SF__COUNT] = {
    [SF_CPM_MAIN] = {"CPM benchmark main $", "main", SK_NUM, SG_BENCH},
    [SF_CPM_INFLUENCER] = {"CPM benchmark infl. $", "influencer", SK_NUM, SG_BENCH},
    [SF_CPM_INVESTOR] = {"CPM benchmark invest. $", "investor", SK_NUM, SG_BENCH},
    [SF_SPEND_MAIN] = {"Spend main $", "main", SK_NUM, SG_SPEND},
    [SF_SPEND_INFLUENCER] = {"Spend influencer $", "influencer", SK_NUM, SG_SPEND},
    [SF_SPEND_INVESTOR] = {"Spend investor $", "investor", SK_NUM, SG_SPEND},
    [SF_CAD_METRICS] = {"Cadence metrics", "metrics", SK_TEXT, SG_CADENCE},
    [SF_CAD_RETWEETS] = {"Cadence retweets", "retweets", SK_TEXT, SG_CADENCE},
    [SF_CAD_REPLIES] = {"Cadence replies", "replies", SK_TEXT, SG_CADENCE},
    [SF_CAD_QUOTES] = {"Cadence quotes", "quotes", SK_TEXT, SG_CADENCE},
    [SF_MIN_IMPORTANCE] = {"Alert min importance", "min_importance", SK_NUM, SG_ALERTS},
    [SF_BUCKETS] = {"Alert buckets", "buckets", SK_LIST, SG_ALERTS},
    [SF_ACTIONS] = {"Alert actions (all)", "actions", SK_LIST, SG_ALERTS},
    [SF_CATEGORIES] = {"Alert categories (all)", "categories", SK_LIST, SG_ALERTS},
    [SF_WATCH] = {"Watch handles", "watch", SK_LIST, SG_ALERTS},
    [SF_QUIET] = {"Alert quiet window", "quiet_window", SK_TEXT, SG_ALERTS},
    [SF_MIN_SENTIMENT] = {"Alert min sentiment", "min_sentiment", SK_NUM, SG_ALERTS},
    [SF_SLACK] = {"Slack webhook env:/file:", "slack_webhook", SK_TEXT, SG_ALERTS},
    [SF_EMAIL_TO] = {"Email to", "to", SK_LIST, SG_EMAIL},
    [SF_SMTP_URL] = {"SMTP URL", "smtp_url", SK_TEXT, SG_EMAIL},
    [SF_SMTP_USER] = {"SMTP user", "user", SK_TEXT, SG_EMAIL},
    [SF_SMTP_PASSWORD] = {"SMTP password env:/file:", "password", SK_TEXT, SG_EMAIL},
    [SF_EMAIL_FROM] = {"Email from", "from", SK_TEXT, SG_EMAIL},
    [SF_NEGATIVE_SENTIMENT] = {"Alert negative sentiment", "negative_sentiment", SK_NUM, SG_ALERTS},
};

const char *
form_settings_label(enum sf_field f)
{
	return (unsigned)f < SF__COUNT ? defs[f].label : "?";
}

/* Writes the n strings v joined by ", " into buf. */
static void
join(char *const *v, size_t n, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", v[i] ? v[i] : "");
}

/* Numbers are written with 15 significant digits, so a form saved
 * unchanged stores what it showed (12345.678 stays 12345.678). */
void
form_settings_text(const struct cfg_campaign *c, enum sf_field f, char *buf, size_t len)
{
	const struct cfg_alerts *a = &c->alerts;
	const struct cfg_email *e = &c->alerts.email;
	const int64_t cad[JOB__COUNT] = {
	    c->cadence.metrics, c->cadence.retweets, c->cadence.replies, c->cadence.quotes};
	buf[0] = '\0';
	if (f <= SF_CPM_INVESTOR && c->cpm.has_benchmark[f - SF_CPM_MAIN])
		snprintf(buf, len, "%.15g", c->cpm.benchmark_usd[f - SF_CPM_MAIN]);
	else if (f >= SF_SPEND_MAIN && f <= SF_SPEND_INVESTOR &&
	         c->cpm.has_spend[f - SF_SPEND_MAIN])
		snprintf(buf, len, "%.15g", c->cpm.spend_usd[f - SF_SPEND_MAIN]);
	else if (f >= SF_CAD_METRICS && f <= SF_CAD_QUOTES && cad[f - SF_CAD_METRICS] > 0)
		timestr_format_duration(cad[f - SF_CAD_METRICS], buf, len);
	else if (f == SF_MIN_IMPORTANCE)
		snprintf(buf, len, "%d", a->min_importance);
	else if (f == SF_BUCKETS)
		join(a->buckets, a->nbuckets, buf, len);
	else if (f == SF_ACTIONS)
		join(a->actions, a->nactions, buf, len);
	else if (f == SF_CATEGORIES)
		join(a->categories, a->ncategories, buf, len);
	else if (f == SF_WATCH)
		join(a->watch, a->nwatch, buf, len);
	else if (f == SF_QUIET)
		timestr_format_duration(a->quiet_window_s, buf, len);
	else if (f == SF_MIN_SENTIMENT && a->has_min_sentiment)
		snprintf(buf, len, "%.15g", a->min_sentiment);
	else if (f == SF_NEGATIVE_SENTIMENT && a->has_negative_sentiment)
		snprintf(buf, len, "%.15g", a->negative_sentiment);
	else if (f == SF_SLACK && a->slack_webhook_ref)
		snprintf(buf, len, "%s", a->slack_webhook_ref); /* a reference, never a secret */
	else if (f == SF_EMAIL_TO && a->has_email)
		join(e->to, e->nto, buf, len);
	else if (f == SF_SMTP_URL && a->has_email && e->smtp_url)
		snprintf(buf, len, "%s", e->smtp_url);
	else if (f == SF_SMTP_USER && a->has_email && e->user)
		snprintf(buf, len, "%s", e->user);
	else if (f == SF_SMTP_PASSWORD && a->has_email && e->password_ref)
		snprintf(buf, len, "%s", e->password_ref);
	else if (f == SF_EMAIL_FROM && a->has_email && e->from)
		snprintf(buf, len, "%s", e->from);
}

void
form_yaml_quoted(struct sbuf *b, const char *s)
{
	sbuf_addstr(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			sbuf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			sbuf_add(b, s, 1);
	}
	sbuf_addstr(b, "\"");
}

void
form_yaml_list(struct sbuf *b, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;
	bool first = true;
	sbuf_addstr(b, "[");
	for (char *w = strtok_r(copy, " ,\t\r\n", &save); w;
	     w = strtok_r(NULL, " ,\t\r\n", &save)) {
		if (!first)
			sbuf_addstr(b, ", ");
		form_yaml_quoted(b, w);
		first = false;
	}
	sbuf_addstr(b, "]");
	free(copy);
}

/* Returns true when s is blank. */
static bool
blank(const char *s)
{
	return strspn(s, " ,\t\r\n") == strlen(s);
}

/* Returns true when s reads as a plain YAML number (written unquoted so
 * the loader checks its type and range). */
static bool
plain_number(const char *s)
{
	return *s && strspn(s, "0123456789.-+eE") == strlen(s) && strchr("0123456789.-+", *s);
}

/* Appends field f's key and value at indent ind, one line. */
static void
put_field(struct sbuf *b, const char *text, enum sf_field f, int ind, int *line, int *lines)
{
	const char *t = text + strspn(text, " \t");
	sbuf_printf(b, "%*s%s: ", ind, "", defs[f].key);
	if (defs[f].kind == SK_LIST)
		form_yaml_list(b, t);
	else if (defs[f].kind == SK_NUM && plain_number(t))
		sbuf_addstr(b, t);
	else
		form_yaml_quoted(b, t);
	sbuf_addstr(b, "\n");
	lines[f] = ++*line;
}

/* Returns true when some field of group g has text. */
static bool
group_used(const char *const text[SF__COUNT], enum sf_group g)
{
	for (int f = 0; f < SF__COUNT; f++)
		if (defs[f].group == g && !blank(text[f]))
			return true;
	return false;
}

/* Appends the fields of group g with text at indent ind. */
static void
put_group(struct sbuf *b, const char *const text[SF__COUNT], enum sf_group g, int ind, int *line,
    int *lines)
{
	for (int f = 0; f < SF__COUNT; f++)
		if (defs[f].group == g && !blank(text[f]))
			put_field(b, text[f], (enum sf_field)f, ind, line, lines);
}

void
form_settings_yaml(
    struct sbuf *b, const char *const text[SF__COUNT], int *line, int lines[SF__COUNT])
{
	memset(lines, 0, SF__COUNT * sizeof *lines);
	/* an empty field leaves its key out: the loader's default, or unset */
	if (group_used(text, SG_CADENCE)) {
		sbuf_addstr(b, "    cadence:\n");
		++*line;
		put_group(b, text, SG_CADENCE, 6, line, lines);
	}
	if (group_used(text, SG_ALERTS) || group_used(text, SG_EMAIL)) {
		sbuf_addstr(b, "    alerts:\n");
		++*line;
		put_group(b, text, SG_ALERTS, 6, line, lines);
		/* a buckets field left empty alerts on no bucket, as in a file */
		if (blank(text[SF_BUCKETS])) {
			sbuf_addstr(b, "      buckets: []\n");
			lines[SF_BUCKETS] = ++*line;
		}
		if (group_used(text, SG_EMAIL)) {
			sbuf_addstr(b, "      email:\n");
			++*line;
			put_group(b, text, SG_EMAIL, 8, line, lines);
		}
	}
	if (group_used(text, SG_BENCH) || group_used(text, SG_SPEND)) {
		sbuf_addstr(b, "    cpm:\n");
		++*line;
		static const char *const sub[2] = {"benchmark_usd", "spend_usd"};
		for (int k = 0; k < 2; k++) {
			enum sf_group g = k ? SG_SPEND : SG_BENCH;
			if (!group_used(text, g))
				continue;
			sbuf_printf(b, "      %s:\n", sub[k]);
			++*line;
			put_group(b, text, g, 8, line, lines);
		}
	}
}
