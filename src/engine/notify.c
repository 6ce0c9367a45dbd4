/*
 * notify: Slack and email delivery of alerts through libcurl, and the pure
 * formatters behind them (docs/alerts.md). The formatters may run on any
 * thread; a struct notify and its CURL handle belong to one thread. Secrets
 * are resolved at send time, wiped after use, and kept out of every message.
 */
#include "engine/notify.h"

#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "net/http.h"
#include "base/text.h"
#include "base/util.h"

#define NOTIFY_BODY_MAX   4096 /* bytes of a response body kept for messages */
#define NOTIFY_DIGEST_MAX 20   /* alerts listed in one digest message */

struct notify {
	CURL *curl;
	long connect_ms;
	long total_ms;
};

static const char *const class_names[NOTIFY__CLASSES] = {"ok", "transient", "permanent"};

const char *
notify_class_name(enum notify_class c)
{
	return (unsigned)c < NOTIFY__CLASSES ? class_names[c] : "?";
}

void
notify_result_done(struct notify_result *r)
{
	free(r->message);
	memset(r, 0, sizeof *r);
	r->retry_after_s = -1;
}

/* Fills res with cls, code and a formatted message; returns 0 for OK, else -1. */
static int __attribute__((format(printf, 4, 5)))
result(struct notify_result *res, enum notify_class cls, long code, const char *fmt, ...)
{
	va_list ap;
	free(res->message);
	res->cls = cls;
	res->code = code;
	res->message = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		res->message = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return cls == NOTIFY_OK ? 0 : -1;
}

/* ---- secrets ---------------------------------------------------------- */

int
notify_secret_resolve(const char *ref, char **out, char **cause)
{
	*out = NULL;
	if (ref == NULL || ref[0] == '\0')
		return set_cause(cause, "no secret reference is configured");
	if (str_has_prefix(ref, "env:")) {
		const char *v = getenv(ref + 4);
		if (v == NULL || v[0] == '\0')
			return set_cause(
			    cause, "%s: the environment variable is not set or empty", ref);
		*out = xstrdup(v);
		(*out)[strcspn(*out, "\r\n")] = '\0';
		return 0;
	}
	if (str_has_prefix(ref, "file:")) {
		char *data = NULL, *ignored = NULL;
		size_t len = 0;
		if (file_read_all(ref + 5, &data, &len, &ignored) != 0) {
			free(ignored);
			return set_cause(cause, "%s: the file cannot be read", ref);
		}
		size_t end = strcspn(data, "\r\n");
		while (end > 0 && isspace((unsigned char)data[end - 1]))
			end--;
		size_t start = 0;
		while (start < end && isspace((unsigned char)data[start]))
			start++;
		*out = xstrndup(data + start, end - start);
		explicit_bzero(data, len);
		free(data);
		if ((*out)[0] == '\0') {
			notify_secret_free(*out);
			*out = NULL;
			return set_cause(cause, "%s: the file's first line is empty", ref);
		}
		return 0;
	}
	return set_cause(cause, "a secret must be given as env:NAME or file:PATH");
}

void
notify_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

/* Returns a sanitized head of a response body with any occurrence of secret
 * blanked out (caller frees). */
static char *
body_head(const char *body, size_t len, const char *secret)
{
	char *copy = xstrndup(body, len);
	if (secret != NULL && secret[0] != '\0')
		for (char *p = strstr(copy, secret); p != NULL; p = strstr(p, secret))
			memset(p, '*', strlen(secret));
	char *s = text_sanitize(copy, strlen(copy), 160);
	free(copy);
	return s;
}

/* ---- pure formatting -------------------------------------------------- */

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

/* Appends the subject, as is when it is plain ASCII, else as RFC 2047
 * encoded-words (base64, UTF-8) folded onto continuation lines. */
static void
add_subject(struct sbuf *b, const char *s)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	bool plain = strstr(s, "=?") == NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
		plain = *p >= 32 && *p < 127;
	if (plain) {
		sbuf_addstr(b, s);
		return;
	}
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
notify_mail_build(const char *from, char *const *to, size_t nto, const char *subject,
    const char *body, int64_t now_ms, const char *msgid_seed, char **cause)
{
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
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "Date: ");
	add_date(&b, now_ms);
	sbuf_printf(&b, "\r\nFrom: launchwatch <%s>\r\nTo: ", from);
	for (size_t i = 0; i < nto; i++)
		sbuf_printf(&b, "%s<%s>", i > 0 ? ",\r\n " : "", to[i]);
	sbuf_addstr(&b, "\r\nSubject: ");
	add_subject(&b, subj);
	uint64_t h1 = hash_fnv1a(msgid_seed, strlen(msgid_seed));
	uint64_t h2 = hash_fnv1a(body, strlen(body)) ^ (uint64_t)now_ms;
	sbuf_printf(&b,
	    "\r\nMessage-ID: <lw.%016" PRIx64 ".%016" PRIx64 "@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n",
	    h1, h2, domain_of(from));
	add_qp(&b, body);
	free(subj);
	return sbuf_take(&b);
}

/* Returns the host of url as a new string, or NULL when it has none. */
static char *
url_host(const char *url)
{
	char *host = NULL, *ret = NULL;
	CURLU *u = curl_url();
	if (u == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ret = xstrdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

/* Returns true when url carries a user name or password. */
static bool
url_has_userinfo(const char *url)
{
	char *user = NULL, *pw = NULL;
	CURLU *u = curl_url();
	if (u == NULL)
		abort();
	bool has = false;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		has = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
		      curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK;
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	return has;
}

/* Returns true when host is a loopback name or address. */
static bool
host_is_loopback(const char *host)
{
	return host != NULL && (strcmp(host, "localhost") == 0 || str_has_prefix(host, "127.") ||
	                           strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0);
}

char *
notify_mail_from(const struct alert_campaign *a)
{
	if (notify_addr_ok(a->smtp_user))
		return xstrdup(a->smtp_user);
	char *host = url_host(a->smtp_url);
	char *from =
	    xasprintf("launchwatch@%s", host != NULL && host[0] != '[' ? host : "localhost");
	free(host);
	if (!notify_addr_ok(from)) {
		free(from);
		from = xstrdup("launchwatch@localhost");
	}
	return from;
}

/* ---- delivery --------------------------------------------------------- */

struct notify *
notify_new(void)
{
	char *cause = NULL;
	if (http_global_init(&cause) != 0)
		abort();
	struct notify *n = xcalloc(1, sizeof *n);
	n->curl = curl_easy_init();
	if (n->curl == NULL)
		abort();
	n->connect_ms = 5000;
	n->total_ms = 20000;
	return n;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	curl_easy_cleanup(n->curl);
	free(n);
}

void
notify_set_timeouts(struct notify *n, long connect_ms, long total_ms)
{
	n->connect_ms = connect_ms;
	n->total_ms = total_ms;
}

/* What the write and header callbacks of one transfer see. */
struct xfer {
	struct sbuf body;
	int retry_after_s;
};

/* Keeps the first NOTIFY_BODY_MAX bytes of a response body. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	if (x->body.len < NOTIFY_BODY_MAX)
		sbuf_add(&x->body, p,
		    len < NOTIFY_BODY_MAX - x->body.len ? len : NOTIFY_BODY_MAX - x->body.len);
	return len;
}

/* Reads Retry-After (delta-seconds or an HTTP date). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "retry-after:";
	struct xfer *x = arg;
	size_t len = size * n;
	if (len <= sizeof name - 1 || strncasecmp(p, name, sizeof name - 1) != 0)
		return len;
	char *v = xstrndup(p + sizeof name - 1, len - (sizeof name - 1));
	char *s = v + strspn(v, " \t");
	s[strcspn(s, "\r\n")] = '\0';
	if (isdigit((unsigned char)*s)) {
		long secs = strtol(s, NULL, 10);
		x->retry_after_s = secs > 3600 ? 3600 : (int)secs;
	} else if (*s != '\0') {
		time_t when = curl_getdate(s, NULL);
		int64_t now = clock_now_ms() / 1000;
		if (when > 0)
			x->retry_after_s =
			    when > now ? (int)(when - now > 3600 ? 3600 : when - now) : 0;
	}
	free(v);
	return len;
}

/* Transport failures that retrying cannot fix (settings or certificates);
 * every other libcurl failure is transient. */
static const struct {
	CURLcode cc;
	const char *hint;
} permanent_transport[] = {
    {CURLE_UNSUPPORTED_PROTOCOL, "unsupported URL scheme"},
    {CURLE_URL_MALFORMAT, "malformed URL"},
    {CURLE_LOGIN_DENIED, "login refused: check the user and password"},
    {CURLE_USE_SSL_FAILED, "the server does not offer STARTTLS, which a login requires"},
    {CURLE_PEER_FAILED_VERIFICATION, "the server's TLS certificate does not verify"},
    {CURLE_SSL_CACERT_BADFILE, "CA certificates cannot be read"},
    {CURLE_SSL_CONNECT_ERROR, "TLS handshake failed"},
    {CURLE_REMOTE_ACCESS_DENIED, "access denied"},
};

/* Classifies a libcurl failure cc of channel what into res. */
static int
transport_failure(struct notify_result *res, const char *what, CURLcode cc, long code)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(permanent_transport); i++)
		if (permanent_transport[i].cc == cc)
			return result(res, NOTIFY_PERMANENT, code, "%s: %s (%s)", what,
			    permanent_transport[i].hint, curl_easy_strerror(cc));
	return result(res, NOTIFY_TRANSIENT, code, "%s: %s", what, curl_easy_strerror(cc));
}

/* Sets the options every transfer shares. */
static void
common_opts(struct notify *n, const char *url, struct xfer *x, const char *protocols)
{
	CURL *h = n->curl;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, n->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, n->total_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "launchwatch/0.1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
}

int
notify_slack_post(
    struct notify *n, const char *webhook_ref, const char *payload, struct notify_result *res)
{
	char *url = NULL, *cause = NULL, *host = NULL;
	struct curl_slist *hl = NULL;
	struct xfer x = {.retry_after_s = -1};
	int rc;
	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
	sbuf_init(&x.body);
	if (notify_secret_resolve(webhook_ref, &url, &cause) != 0) {
		rc = result(res, NOTIFY_PERMANENT, 0, "slack: webhook %s", cause);
		goto fail;
	}
	host = url_host(url);
	if (!str_has_prefix(url, "https://") &&
	    !(str_has_prefix(url, "http://") && host_is_loopback(host))) {
		rc = result(res, NOTIFY_PERMANENT, 0,
		    "slack: the webhook behind %s is not an https:// URL", webhook_ref);
		goto fail;
	}
	hl = curl_slist_append(hl, "Content-Type: application/json; charset=utf-8");
	if (hl == NULL)
		abort();
	common_opts(n, url, &x, "http,https");
	curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(n->curl, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(n->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
	CURLcode cc = curl_easy_perform(n->curl);
	long status = 0;
	curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &status);
	res->retry_after_s = x.retry_after_s;
	if (cc != CURLE_OK) {
		rc = transport_failure(res, "slack", cc, status);
		goto fail;
	}
	char *head = body_head(x.body.s != NULL ? x.body.s : "", x.body.len, url);
	if (status >= 200 && status < 300)
		rc = result(res, NOTIFY_OK, status, NULL);
	else if (status == 429)
		rc = result(res, NOTIFY_TRANSIENT, status,
		    "slack: rate limited (HTTP 429), retry after %d s",
		    x.retry_after_s < 0 ? 0 : x.retry_after_s);
	else if (status >= 500 || status == 408)
		rc = result(res, NOTIFY_TRANSIENT, status, "slack: HTTP %ld %s", status, head);
	else
		rc = result(res, NOTIFY_PERMANENT, status,
		    "slack: the webhook answered HTTP %ld %s (check %s)", status, head,
		    webhook_ref);
	free(head);
fail:
	curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	notify_secret_free(url);
	free(host);
	free(cause);
	sbuf_done(&x.body);
	return rc;
}

/* The unsent part of a message, for libcurl's read callback. */
struct upload {
	const char *p;
	size_t left;
};

/* Feeds the message to libcurl. */
static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t len = size * n < u->left ? size * n : u->left;
	memcpy(buf, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

int
notify_smtp_send(struct notify *n, const char *smtp_url, const char *user, const char *password_ref,
    const char *from, char *const *to, size_t nto, const char *message, struct notify_result *res)
{
	char *pw = NULL, *cause = NULL, *host = NULL;
	struct curl_slist *rcpt = NULL;
	struct xfer x = {.retry_after_s = -1};
	struct upload up = {message, strlen(message)};
	int rc;
	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
	sbuf_init(&x.body);
	if (smtp_url == NULL ||
	    !(str_has_prefix(smtp_url, "smtp://") || str_has_prefix(smtp_url, "smtps://"))) {
		rc =
		    result(res, NOTIFY_PERMANENT, 0, "email: smtp_url must be smtp:// or smtps://");
		goto fail;
	}
	if (url_has_userinfo(smtp_url)) {
		rc = result(res, NOTIFY_PERMANENT, 0,
		    "email: smtp_url must not carry credentials; use user and password");
		goto fail;
	}
	if (password_ref != NULL && password_ref[0] != '\0' &&
	    notify_secret_resolve(password_ref, &pw, &cause) != 0) {
		rc = result(res, NOTIFY_PERMANENT, 0, "email: password %s", cause);
		goto fail;
	}
	if (!notify_addr_ok(from)) {
		rc = result(res, NOTIFY_PERMANENT, 0, "email: the From address is not plain");
		goto fail;
	}
	for (size_t i = 0; i < nto; i++) {
		if (!notify_addr_ok(to[i])) {
			rc = result(
			    res, NOTIFY_PERMANENT, 0, "email: recipient %zu is not plain", i + 1);
			goto fail;
		}
		char *r = xasprintf("<%s>", to[i]);
		struct curl_slist *nl = curl_slist_append(rcpt, r);
		free(r);
		if (nl == NULL)
			abort();
		rcpt = nl;
	}
	host = url_host(smtp_url);
	char *mail_from = xasprintf("<%s>", from);
	common_opts(n, smtp_url, &x, "smtp,smtps");
	CURL *h = n->curl;
	/* STARTTLS: required whenever a password would cross a network; a relay
	 * on loopback or without login may answer in plain text */
	bool login = user != NULL && user[0] != '\0';
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    str_has_prefix(smtp_url, "smtps://") || (login && pw != NULL && !host_is_loopback(host))
	        ? (long)CURLUSESSL_ALL
	        : (long)CURLUSESSL_TRY);
	if (login) {
		curl_easy_setopt(h, CURLOPT_USERNAME, user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, pw != NULL ? pw : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	free(mail_from);
	if (cc == CURLE_OK)
		rc = result(res, NOTIFY_OK, code, NULL);
	else if (cc == CURLE_LOGIN_DENIED || (code >= 500 && code < 600))
		rc = cc == CURLE_LOGIN_DENIED
		         ? result(res, NOTIFY_PERMANENT, code,
		               "email: SMTP login refused (reply %ld): check user and %s", code,
		               password_ref != NULL && password_ref[0] ? password_ref : "password")
		         : result(res, NOTIFY_PERMANENT, code,
		               "email: the SMTP server refused (reply %ld, %s)", code,
		               curl_easy_strerror(cc));
	else if (code >= 400 && code < 500)
		rc = result(res, NOTIFY_TRANSIENT, code, "email: SMTP server busy (reply %ld, %s)",
		    code, curl_easy_strerror(cc));
	else
		rc = transport_failure(res, "email", cc, code);
	/* the handle must not keep pointers to our data */
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_PASSWORD, "");
fail:
	curl_slist_free_all(rcpt);
	notify_secret_free(pw);
	free(host);
	free(cause);
	sbuf_done(&x.body);
	return rc;
}

int
notify_send(struct notify *n, const struct alert_campaign *a, enum alert_channel ch,
    const struct alert_candidate *const *v, size_t nv, const char *title, struct notify_result *res)
{
	if (ch == ALERT_SLACK) {
		char *payload = notify_slack_payload(a, v, nv, title);
		int rc = notify_slack_post(n, a->slack_ref, payload, res);
		free(payload);
		return rc;
	}
	char *subject = NULL, *body = NULL, *cause = NULL;
	notify_mail_text(a, v, nv, title, &subject, &body);
	char *from = notify_mail_from(a);
	char *seed = xasprintf("%s:%zu:%s", a->id, nv, nv > 0 ? v[0]->user_id : "test");
	char *msg = notify_mail_build(
	    from, a->email_to, a->nemail_to, subject, body, clock_now_ms(), seed, &cause);
	int rc;
	if (msg == NULL) {
		memset(res, 0, sizeof *res);
		res->retry_after_s = -1;
		rc = result(res, NOTIFY_PERMANENT, 0, "email: %s", cause);
	} else {
		rc = notify_smtp_send(n, a->smtp_url, a->smtp_user, a->smtp_password_ref, from,
		    a->email_to, a->nemail_to, msg, res);
	}
	free(subject);
	free(body);
	free(from);
	free(seed);
	free(msg);
	free(cause);
	return rc;
}
