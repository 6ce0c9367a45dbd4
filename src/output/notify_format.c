/*
 * notify_format: the pure half of the alert channels (docs/alerts.md): the
 * Slack webhook payload (mrkdwn with Slack's escaping), the plain-text email
 * subject and body, and complete RFC 5322 messages (quoted-printable body,
 * RFC 2047 subject, checked addresses), with every piece of external text
 * sanitized on the way. No I/O; any thread.
 */
#include "output/notify_format.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/text.h"
#include "base/util.h"

#define NOTIFY_DIGEST_MAX 20 /* alerts listed in one digest message */

char *
notify_slack_escape(const char *s)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '&')
			sbuf_addstr(&b, "&amp;");
		else if (*s == '<')
			sbuf_addstr(&b, "&lt;");
		else if (*s == '>')
			sbuf_addstr(&b, "&gt;");
		else
			sbuf_add(&b, s, 1);
	}
	return sbuf_take(&b);
}

/* Past-tense verbs of the actions. */
static const char *const action_verbs[ACT__COUNT] = {"retweeted", "replied to", "quoted"};

/* Returns true when h can appear in an x.com URL path as a handle. */
static bool
handle_ok(const char *h)
{
	size_t n = 0;
	for (; h != NULL && h[n] != '\0'; n++)
		if (!(isascii((unsigned char)h[n]) &&
		        (isalnum((unsigned char)h[n]) || h[n] == '_')))
			return false;
	return n > 0 && n <= 50;
}

/* Returns the URL of what the engager did: their reply or quote, or the
 * tweet they retweeted (caller frees). */
static char *
what_link(const struct alert_candidate *c)
{
	if (c->ref_id[0] != '\0' && handle_ok(c->handle))
		return xasprintf("https://x.com/%s/status/%s", c->handle, c->ref_id);
	if (c->ref_id[0] != '\0')
		return xasprintf("https://x.com/i/status/%s", c->ref_id);
	return xasprintf("https://x.com/i/status/%s", c->tweet_id);
}

/* Returns the engager's profile URL, or NULL for an odd handle. */
static char *
profile_link(const struct alert_candidate *c)
{
	return handle_ok(c->handle) ? xasprintf("https://x.com/%s", c->handle) : NULL;
}

/* Returns "main", "influencer" or "investor" for c, or "tracked". */
static const char *
category_of(const struct alert_candidate *c)
{
	return c->category >= 0 && c->category < CAT__COUNT
	           ? category_name((enum tweet_category)c->category)
	           : "tracked";
}

/* Style of the shared renderer. */
enum style { STYLE_SLACK, STYLE_PLAIN };

/* Appends external text s, escaped for Slack when the style asks. */
static void
add_text(struct sbuf *b, enum style st, const char *s)
{
	/* candidates arrive sanitized; once more costs little and keeps every
	 * line a line */
	char *t = text_sanitize(s != NULL ? s : "", strlen(s != NULL ? s : ""), 4096);
	if (st == STYLE_SLACK) {
		char *e = notify_slack_escape(t);
		sbuf_addstr(b, e);
		free(e);
	} else {
		sbuf_addstr(b, t);
	}
	free(t);
}

/* Appends a link: <url|label> for Slack, "label url" in plain text. URLs are
 * built here from digits and checked handles only. */
static void
add_link(struct sbuf *b, enum style st, const char *url, const char *label)
{
	if (st == STYLE_SLACK)
		sbuf_printf(b, "<%s|%s>", url, label);
	else
		sbuf_printf(b, "%s", url);
}

/* Appends one alert: who, bucket, importance and evidence, what they did on
 * which tweet, their words and a link. */
static void
add_item(struct sbuf *b, enum style st, const struct alert_candidate *c)
{
	char *link = what_link(c);
	char *prof = profile_link(c);
	char *tweet = xasprintf("https://x.com/i/status/%s", c->tweet_id);
	const char *verb = (unsigned)c->action < ACT__COUNT ? action_verbs[c->action] : "engaged";

	sbuf_addstr(b, st == STYLE_SLACK ? "• *" : "- ");
	add_text(b, st, c->name != NULL && c->name[0] != '\0' ? c->name : c->handle);
	sbuf_addstr(b, st == STYLE_SLACK ? "* (" : " (");
	if (prof != NULL && st == STYLE_SLACK) {
		char *h = xasprintf("@%s", c->handle);
		add_link(b, st, prof, h);
		free(h);
	} else {
		sbuf_addstr(b, "@");
		add_text(b, st, c->handle);
	}
	sbuf_printf(b, "): %s, importance %d", bucket_name(c->bucket), c->importance);
	if (c->evidence != NULL && c->evidence[0] != '\0') {
		sbuf_addstr(b, " (");
		add_text(b, st, c->evidence);
		sbuf_addstr(b, ")");
	}
	if (c->watched)
		sbuf_addstr(b, st == STYLE_SLACK ? ", _watched_" : ", watched");
	if (c->has_sentiment)
		sbuf_printf(b, ", sentiment %+.2f", c->sentiment);
	sbuf_printf(b, "\n   %s the %s tweet ", verb, category_of(c));
	if (st == STYLE_SLACK)
		add_link(b, st, tweet, c->tweet_id);
	else
		sbuf_addstr(b, tweet);
	if (c->text != NULL && c->text[0] != '\0') {
		sbuf_addstr(b, st == STYLE_SLACK ? ": “" : "\n   \"");
		add_text(b, st, c->text);
		sbuf_addstr(b, st == STYLE_SLACK ? "”" : "\"");
	}
	if (st == STYLE_SLACK) {
		sbuf_addstr(b, " ");
		add_link(b, st, link, c->action == ACT_RETWEET ? "open tweet" : "open");
	} else if (c->action != ACT_RETWEET) {
		sbuf_printf(b, "\n   %s", link);
	}
	sbuf_addstr(b, "\n");
	free(link);
	free(prof);
	free(tweet);
}

/* Returns the heading of a message about n alerts on campaign a. */
static char *
heading(const struct alert_campaign *a, const struct alert_candidate *const *v, size_t n)
{
	if (n == 1) {
		const char *verb =
		    (unsigned)v[0]->action < ACT__COUNT ? action_verbs[v[0]->action] : "engaged";
		return xasprintf("@%s (%s, importance %d) %s the %s tweet of %s", v[0]->handle,
		    bucket_name(v[0]->bucket), v[0]->importance, verb, category_of(v[0]), a->name);
	}
	return xasprintf("%zu important engagements on %s", n, a->name);
}

/* Renders the whole message body in style st. */
static char *
render(const struct alert_campaign *a, const struct alert_candidate *const *v, size_t n,
    const char *title, enum style st)
{
	struct sbuf b;
	sbuf_init(&b);
	char *head = title != NULL ? xstrdup(title) : heading(a, v, n);
	if (st == STYLE_SLACK) {
		sbuf_addstr(&b, "*");
		add_text(&b, st, head);
		sbuf_addstr(&b, "*\n");
	} else {
		sbuf_printf(&b, "%s\n\nCampaign: %s (%s)\n\n", head, a->name, a->id);
	}
	free(head);
	size_t shown = n > NOTIFY_DIGEST_MAX ? NOTIFY_DIGEST_MAX : n;
	for (size_t i = 0; i < shown; i++)
		add_item(&b, st, v[i]);
	if (n > shown)
		sbuf_printf(&b, "…and %zu more (see the alerts pane)\n", n - shown);
	if (st == STYLE_PLAIN)
		sbuf_addstr(&b, "\n-- \nlaunchwatch alerts; repeats are held back for the quiet "
		                "window.\n");
	return sbuf_take(&b);
}

char *
notify_slack_payload(const struct alert_campaign *a, const struct alert_candidate *const *v,
    size_t n, const char *title)
{
	char *text = render(a, v, n, title, STYLE_SLACK);
	json_t *j = json_pack("{s:s, s:b}", "text", text, "unfurl_links", 0);
	char *out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(text);
	if (out == NULL)
		abort();
	char *ret = xstrdup(out);
	free(out);
	return ret;
}

void
notify_mail_text(const struct alert_campaign *a, const struct alert_candidate *const *v, size_t n,
    const char *title, char **subject, char **body)
{
	char *head = title != NULL ? xstrdup(title) : heading(a, v, n);
	char *s = xasprintf("[launchwatch] %s", head);
	*subject = text_sanitize(s, strlen(s), 200);
	free(s);
	free(head);
	*body = render(a, v, n, title, STYLE_PLAIN);
}

bool
notify_addr_ok(const char *addr)
{
	static const char bad[] = " \"(),:;<>[\\]";
	const char *at = addr != NULL ? strchr(addr, '@') : NULL;
	if (at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	if (strlen(addr) > 254)
		return false;
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 || strchr(bad, *p) != NULL)
			return false;
	return true;
}

/* Appends an RFC 5322 date for ms (UTC, English names, no locale). */
static void
add_date(struct sbuf *b, int64_t ms)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	sbuf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Returns true when s can stand in a header as is: printable ASCII, no
 * "=?" that a reader would take for an encoded-word, and (for a display
 * name, specials non-NULL) none of the RFC 5322 specials. */
static bool
header_plain(const char *s, const char *specials)
{
	if (strstr(s, "=?") != NULL)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p >= 127 || (specials && strchr(specials, *p)))
			return false;
	return true;
}

/* Appends s as RFC 2047 encoded-words (base64, UTF-8) of at most 45 bytes
 * each, folded onto continuation lines, never splitting a character. */
static void
add_encoded_words(struct sbuf *b, const char *s)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s), i = 0;
	while (i < len) {
		size_t n = len - i > 45 ? 45 : len - i;
		while (i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--; /* never split a character between words */
		if (i > 0)
			sbuf_addstr(b, "\r\n ");
		sbuf_addstr(b, "=?UTF-8?B?");
		for (size_t j = 0; j < n; j += 3) {
			const unsigned char *q = (const unsigned char *)s + i + j;
			size_t k = n - j;
			uint32_t v = (uint32_t)q[0] << 16 | (k > 1 ? (uint32_t)q[1] << 8 : 0) |
			             (k > 2 ? q[2] : 0);
			char e[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			    k > 1 ? b64[v >> 6 & 63] : '=', k > 2 ? b64[v & 63] : '='};
			sbuf_add(b, e, 4);
		}
		sbuf_addstr(b, "?=");
		i += n;
	}
}

/* Appends the subject, as is when it is plain ASCII, else as encoded-words. */
static void
add_subject(struct sbuf *b, const char *s)
{
	if (header_plain(s, NULL))
		sbuf_addstr(b, s);
	else
		add_encoded_words(b, s);
}

/* Appends a display name: as is when it is plain ASCII words, else as
 * encoded-words (which also carry ASCII specials such as '"' or ','). */
static void
add_display_name(struct sbuf *b, const char *name)
{
	if (header_plain(name, "()<>[]:;@\\,.\""))
		sbuf_addstr(b, name);
	else
		add_encoded_words(b, name);
}

/* Appends body as quoted-printable with CRLF line ends (RFC 2045). */
static void
add_qp(struct sbuf *b, const char *body)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)body;
	int col = 0;
	for (; *p != '\0'; p++) {
		if (*p == '\n') {
			sbuf_addstr(b, "\r\n");
			col = 0;
			continue;
		}
		bool eol = p[1] == '\n' || p[1] == '\0';
		bool lit =
		    (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !eol);
		int w = lit ? 1 : 3;
		if (col + w > 75) {
			sbuf_addstr(b, "=\r\n");
			col = 0;
		}
		if (lit) {
			sbuf_add(b, p, 1);
		} else {
			char e[3] = {'=', hex[*p >> 4], hex[*p & 15]};
			sbuf_add(b, e, 3);
		}
		col += w;
	}
	if (col > 0)
		sbuf_addstr(b, "\r\n");
}

/* Returns the domain part of an address ("localhost" when it has none). */
static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at != NULL && at[1] != '\0' ? at + 1 : "localhost";
}

char *
notify_mail_build(const char *from_name, const char *from, char *const *to, size_t nto,
    const char *subject, const char *body, int64_t now_ms, const char *msgid_seed, char **cause)
{
	static atomic_uint_fast64_t counter;
	if (!notify_addr_ok(from)) {
		set_cause(cause, "the From address is not a plain address");
		return NULL;
	}
	if (nto == 0) {
		set_cause(cause, "no recipient addresses");
		return NULL;
	}
	for (size_t i = 0; i < nto; i++)
		if (!notify_addr_ok(to[i])) {
			set_cause(cause, "recipient %zu is not a plain address", i + 1);
			return NULL;
		}
	char *subj = text_sanitize(subject, strlen(subject), 400);
	const char *fn = from_name && *from_name ? from_name : "launchwatch";
	char *name = text_sanitize(fn, strlen(fn), 200);
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "Date: ");
	add_date(&b, now_ms);
	sbuf_addstr(&b, "\r\nFrom: ");
	add_display_name(&b, *name ? name : "launchwatch");
	sbuf_printf(&b, " <%s>\r\nTo: ", from);
	for (size_t i = 0; i < nto; i++)
		sbuf_printf(&b, "%s<%s>", i > 0 ? ",\r\n " : "", to[i]);
	sbuf_addstr(&b, "\r\nSubject: ");
	add_subject(&b, subj);
	/* unique: the seed and body hashed, the time, this process and a counter */
	uint64_t h1 = hash_fnv1a(msgid_seed, strlen(msgid_seed)) ^ hash_fnv1a(body, strlen(body));
	uint64_t n = atomic_fetch_add(&counter, 1);
	sbuf_printf(&b,
	    "\r\nMessage-ID: <lw.%" PRIx64 ".%" PRIx64 ".%ld.%" PRIu64 "@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n",
	    h1, (uint64_t)now_ms, (long)getpid(), n, domain_of(from));
	add_qp(&b, body);
	free(subj);
	free(name);
	return sbuf_take(&b);
}
