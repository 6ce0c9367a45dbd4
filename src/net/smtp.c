/*
 * smtp: one libcurl easy handle per thread for SMTP submission, with the
 * same base options (timeouts, TLS verification always on, no redirects)
 * and failure table as http.c, shared through http_internal.h. A struct smtp_client belongs to the thread that
 * made it. No logging; the password is handed to libcurl for one transfer
 * and cleared from the handle after it.
 */
#include "net/smtp.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/util.h"
#include "net/http.h"
#include "http_internal.h"

struct smtp_client {
	CURL *curl;
	long connect_ms;
	long total_ms;
};

struct smtp_client *
smtp_client_new(void)
{
	char *cause = NULL;
	if (http_global_init(&cause) != 0)
		abort();
	struct smtp_client *c = xcalloc(1, sizeof *c);
	c->curl = curl_easy_init();
	if (c->curl == NULL)
		abort();
	c->connect_ms = 5000;
	c->total_ms = 20000;
	return c;
}

void
smtp_client_free(struct smtp_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void
smtp_client_set_timeouts(struct smtp_client *c, long connect_ms, long total_ms)
{
	c->connect_ms = connect_ms;
	c->total_ms = total_ms;
}

/* Ignores what the server sends back besides its replies. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
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
smtp_send(struct smtp_client *c, const struct smtp_mail *m, struct smtp_result *r)
{
	struct curl_slist *rcpt = NULL;
	struct upload up = {m->message, strlen(m->message)};
	CURL *h = c->curl;
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < m->nto; i++) {
		char *a = xasprintf("<%s>", m->to[i]);
		struct curl_slist *nl = curl_slist_append(rcpt, a);
		free(a);
		if (nl == NULL)
			abort();
		rcpt = nl;
	}
	char *mail_from = xasprintf("<%s>", m->from);
	http_curl_base(h, m->url, c->connect_ms, c->total_ms, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	/* STARTTLS: required whenever a password would cross a network; a relay
	 * on loopback or without login may answer in plain text */
	bool login = m->user != NULL && m->user[0] != '\0';
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    str_has_prefix(m->url, "smtps://") ||
	            (login && m->password != NULL && !http_url_is_loopback(m->url))
	        ? (long)CURLUSESSL_ALL
	        : (long)CURLUSESSL_TRY);
	if (login) {
		curl_easy_setopt(h, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, m->password != NULL ? m->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->code);
	if (cc != CURLE_OK) {
		r->login_denied = cc == CURLE_LOGIN_DENIED;
		r->error = curl_easy_strerror(cc);
		r->hint = http_fail_hint(cc);
	}
	/* the handle must not keep pointers to our data */
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_PASSWORD, "");
	curl_slist_free_all(rcpt);
	free(mail_from);
	return cc == CURLE_OK ? 0 : -1;
}
