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
#include "output/notify_format.h"
#include "base/text.h"
#include "base/util.h"

#define NOTIFY_BODY_MAX 4096 /* bytes of a response body kept for messages */

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
