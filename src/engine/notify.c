/*
 * notify: Slack and email delivery of alerts (docs/alerts.md): secret
 * references, the channels' settings checks, and the classification of each
 * outcome into ok, transient or permanent with a message. The messages come
 * from output/notify_format.c; the transfers go through net/http.c (Slack's
 * POST) and net/smtp.c. A struct notify and its two clients belong to one
 * thread. Secrets are resolved at send time, wiped after use, and kept out of
 * every message.
 */
#include "engine/notify.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "net/smtp.h"
#include "output/notify_format.h"
#include "base/text.h"
#include "base/util.h"

#define NOTIFY_BODY_MAX        4096 /* bytes of a response body kept for messages */
#define NOTIFY_RETRY_AFTER_MAX 3600 /* the longest Retry-After a channel honours, s */

struct notify {
	struct http_client *http; /* Slack */
	struct smtp_client *smtp; /* email */
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
		char *data = NULL, *ignored = NULL, *path = NULL;
		size_t len = 0;
		/* systemd's credentials (LoadCredential=) */
		static const char creds[] = "$CREDENTIALS_DIRECTORY/";
		if (str_has_prefix(ref + 5, creds)) {
			const char *dir = getenv("CREDENTIALS_DIRECTORY");
			if (dir == NULL || *dir == '\0')
				return set_cause(cause,
				    "%s: CREDENTIALS_DIRECTORY is not set (a service with "
				    "LoadCredential= sets it)",
				    ref);
			path = xasprintf("%s/%s", dir, ref + 5 + strlen(creds));
		}
		int rd = file_read_all(path ? path : ref + 5, &data, &len, &ignored);
		free(path);
		if (rd != 0) {
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

int
notify_mail_from(const struct alert_campaign *a, char **name, char **addr, char **cause)
{
	const char *env = getenv(NOTIFY_MAIL_FROM_ENV);
	const char *spec = a->mail_from && *a->mail_from ? a->mail_from : env && *env ? env : NULL;
	*name = *addr = NULL;
	if (spec != NULL) {
		if (alert_from_split(spec, name, addr) != 0 || !notify_addr_ok(*addr)) {
			free(*name);
			free(*addr);
			*name = *addr = NULL;
			return set_cause(cause, "%s is not an address or 'Name <address>'",
			    spec == a->mail_from ? "alerts.email.from" : NOTIFY_MAIL_FROM_ENV);
		}
		if (**name == '\0') {
			free(*name);
			*name = xstrdup("launchwatch");
		}
		return 0;
	}
	*name = xstrdup("launchwatch");
	if (notify_addr_ok(a->smtp_user)) {
		*addr = xstrdup(a->smtp_user);
		return 0;
	}
	char *host = http_url_host(a->smtp_url);
	*addr = xasprintf("launchwatch@%s", host != NULL && host[0] != '[' ? host : "localhost");
	free(host);
	if (!notify_addr_ok(*addr)) {
		free(*addr);
		*addr = xstrdup("launchwatch@localhost");
	}
	return 0;
}

/* ---- delivery --------------------------------------------------------- */

struct notify *
notify_new(void)
{
	struct notify *n = xcalloc(1, sizeof *n);
	n->http = http_client_new();
	http_client_set_body_keep(n->http, NOTIFY_BODY_MAX);
	n->smtp = smtp_client_new();
	notify_set_timeouts(n, 5000, 20000);
	return n;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	http_client_free(n->http);
	smtp_client_free(n->smtp);
	free(n);
}

void
notify_set_timeouts(struct notify *n, long connect_ms, long total_ms)
{
	http_client_set_timeouts(n->http, connect_ms, total_ms);
	smtp_client_set_timeouts(n->smtp, connect_ms, total_ms);
}

/* Classifies a failed transfer of channel what (libcurl's error text, and
 * hint when retrying cannot fix it) into res. */
static int
transport_failure(
    struct notify_result *res, const char *what, const char *error, const char *hint, long code)
{
	if (hint != NULL)
		return result(res, NOTIFY_PERMANENT, code, "%s: %s (%s)", what, hint, error);
	return result(res, NOTIFY_TRANSIENT, code, "%s: %s", what, error);
}

int
notify_slack_post(
    struct notify *n, const char *webhook_ref, const char *payload, struct notify_result *res)
{
	static const char *const headers[] = {
	    "Content-Type: application/json; charset=utf-8", NULL};
	char *url = NULL, *cause = NULL;
	struct http_response resp;
	int rc;
	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
	memset(&resp, 0, sizeof resp);
	if (notify_secret_resolve(webhook_ref, &url, &cause) != 0) {
		rc = result(res, NOTIFY_PERMANENT, 0, "slack: webhook %s", cause);
		goto fail;
	}
	if (!str_has_prefix(url, "https://") &&
	    !(str_has_prefix(url, "http://") && http_url_is_loopback(url))) {
		rc = result(res, NOTIFY_PERMANENT, 0,
		    "slack: the webhook behind %s is not an https:// URL", webhook_ref);
		goto fail;
	}
	int sent = http_post(n->http, url, headers, payload, strlen(payload), &resp, &cause);
	res->retry_after_s = resp.retry_after_s > NOTIFY_RETRY_AFTER_MAX ? NOTIFY_RETRY_AFTER_MAX
	                                                                 : resp.retry_after_s;
	long status = resp.status;
	if (sent != 0) {
		rc = transport_failure(res, "slack", resp.error, resp.hint, status);
		goto fail;
	}
	char *head = body_head(resp.body, resp.len, url);
	if (status >= 200 && status < 300)
		rc = result(res, NOTIFY_OK, status, NULL);
	else if (status == 429)
		rc = result(res, NOTIFY_TRANSIENT, status,
		    "slack: rate limited (HTTP 429), retry after %d s",
		    res->retry_after_s < 0 ? 0 : res->retry_after_s);
	else if (status >= 500 || status == 408)
		rc = result(res, NOTIFY_TRANSIENT, status, "slack: HTTP %ld %s", status, head);
	else
		rc = result(res, NOTIFY_PERMANENT, status,
		    "slack: the webhook answered HTTP %ld %s (check %s)", status, head,
		    webhook_ref);
	free(head);
fail:
	http_response_done(&resp);
	notify_secret_free(url);
	free(cause);
	return rc;
}

int
notify_smtp_send(struct notify *n, const char *smtp_url, const char *user, const char *password_ref,
    const char *from, char *const *to, size_t nto, const char *message, struct notify_result *res)
{
	char *pw = NULL, *cause = NULL;
	int rc;
	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
	if (smtp_url == NULL ||
	    !(str_has_prefix(smtp_url, "smtp://") || str_has_prefix(smtp_url, "smtps://"))) {
		rc =
		    result(res, NOTIFY_PERMANENT, 0, "email: smtp_url must be smtp:// or smtps://");
		goto fail;
	}
	if (http_url_has_userinfo(smtp_url)) {
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
	for (size_t i = 0; i < nto; i++)
		if (!notify_addr_ok(to[i])) {
			rc = result(
			    res, NOTIFY_PERMANENT, 0, "email: recipient %zu is not plain", i + 1);
			goto fail;
		}
	struct smtp_mail m = {.url = smtp_url,
	    .user = user,
	    .password = pw,
	    .from = from,
	    .to = to,
	    .nto = nto,
	    .message = message};
	struct smtp_result sr;
	int sent = smtp_send(n->smtp, &m, &sr);
	long code = sr.code;
	if (sent == 0)
		rc = result(res, NOTIFY_OK, code, NULL);
	else if (sr.login_denied)
		rc = result(res, NOTIFY_PERMANENT, code,
		    "email: SMTP login refused (reply %ld): check user and %s", code,
		    password_ref != NULL && password_ref[0] ? password_ref : "password");
	else if (code >= 500 && code < 600)
		rc = result(res, NOTIFY_PERMANENT, code,
		    "email: the SMTP server refused (reply %ld, %s)", code, sr.error);
	else if (code >= 400 && code < 500)
		rc = result(res, NOTIFY_TRANSIENT, code, "email: SMTP server busy (reply %ld, %s)",
		    code, sr.error);
	else
		rc = transport_failure(res, "email", sr.error, sr.hint, code);
fail:
	notify_secret_free(pw);
	free(cause);
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
	char *subject = NULL, *body = NULL, *cause = NULL, *from_name = NULL, *from = NULL;
	char *msg = NULL;
	char *seed = xasprintf("%s:%zu:%s", a->id, nv, nv > 0 ? v[0]->user_id : "test");
	notify_mail_text(a, v, nv, title, &subject, &body);
	if (notify_mail_from(a, &from_name, &from, &cause) == 0)
		msg = notify_mail_build(from_name, from, a->email_to, a->nemail_to, subject, body,
		    clock_now_ms(), seed, &cause);
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
	free(from_name);
	free(seed);
	free(msg);
	free(cause);
	return rc;
}
