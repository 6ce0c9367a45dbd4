/*
 * http: libcurl easy handles, one per thread, with keep-alive, gzip, TLS
 * verification and bounded timeouts; the Retry-After parser, the table of
 * transport failures that retrying cannot fix (shared with smtp.c through
 * http_internal.h) and URL helpers. A struct http_client belongs to the
 * thread that made it; http_global_init() and the helpers are safe from any
 * thread. No logging: a cause names the failure class only, never a header
 * value or the URL.
 */
#include "net/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/util.h"
#include "http_internal.h"

#define HTTP_MAX_BODY (64u * 1024 * 1024) /* refuse bodies larger than this */

struct http_client {
	CURL *curl;
	long connect_ms;
	long total_ms;
	size_t keep_body; /* 0: whole bodies */
};

/* State of one transfer, seen by the write and header callbacks. */
struct transfer {
	struct sbuf body;
	size_t keep; /* 0: whole body, up to HTTP_MAX_BODY */
	int retry_after_s;
	bool too_big;
};

/* Transport failures that retrying cannot fix (settings or certificates),
 * with what to check; every other libcurl failure may pass later. */
static const struct {
	CURLcode cc;
	const char *hint;
} permanent_failures[] = {
    {CURLE_UNSUPPORTED_PROTOCOL, "unsupported URL scheme"},
    {CURLE_URL_MALFORMAT, "malformed URL"},
    {CURLE_LOGIN_DENIED, "login refused: check the user and password"},
    {CURLE_USE_SSL_FAILED, "the server does not offer STARTTLS, which a login requires"},
    {CURLE_PEER_FAILED_VERIFICATION, "the server's TLS certificate does not verify"},
    {CURLE_SSL_CACERT_BADFILE, "CA certificates cannot be read"},
    {CURLE_SSL_CONNECT_ERROR, "TLS handshake failed"},
    {CURLE_REMOTE_ACCESS_DENIED, "access denied"},
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

/* Runs curl_global_init exactly once. */
static void
global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
http_global_init(char **cause)
{
	pthread_once(&global_once, global_init_once);
	if (global_rc != CURLE_OK)
		return set_cause(cause, "libcurl: %s", curl_easy_strerror(global_rc));
	return 0;
}

struct http_client *
http_client_new(void)
{
	char *cause = NULL;
	if (http_global_init(&cause) != 0)
		abort();
	struct http_client *c = xcalloc(1, sizeof *c);
	c->curl = curl_easy_init();
	if (c->curl == NULL)
		abort();
	c->connect_ms = 5000;
	c->total_ms = 30000;
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void
http_client_set_timeouts(struct http_client *c, long connect_ms, long total_ms)
{
	c->connect_ms = connect_ms;
	c->total_ms = total_ms;
}

void
http_client_set_body_keep(struct http_client *c, size_t keep)
{
	c->keep_body = keep;
}

void
http_curl_base(void *curl, const char *url, long connect_ms, long total_ms, const char *protocols)
{
	CURL *h = curl;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "launchwatch/0.1");
}

const char *
http_fail_hint(int curl_code)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(permanent_failures); i++)
		if ((int)permanent_failures[i].cc == curl_code)
			return permanent_failures[i].hint;
	return NULL;
}

/* Appends received body bytes: the first t->keep of them, or all of them up
 * to HTTP_MAX_BODY. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (t->keep > 0) {
		if (t->body.len < t->keep)
			sbuf_add(
			    &t->body, p, len < t->keep - t->body.len ? len : t->keep - t->body.len);
		return len;
	}
	if (t->body.len + len > HTTP_MAX_BODY) {
		t->too_big = true;
		return 0;
	}
	sbuf_add(&t->body, p, len);
	return len;
}

int
http_retry_after(const char *value, int64_t now_s, int max_s)
{
	if (isdigit((unsigned char)*value)) {
		long secs = strtol(value, NULL, 10);
		return secs > max_s ? max_s : (int)secs;
	}
	if (*value == '\0')
		return -1;
	time_t when = curl_getdate(value, NULL);
	if (when <= 0)
		return -1;
	if (when <= now_s)
		return 0;
	return when - now_s > max_s ? max_s : (int)(when - now_s);
}

/* Reads a Retry-After header (the last valid one wins). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len <= sizeof name - 1 || strncasecmp(p, name, sizeof name - 1) != 0)
		return len;
	char *v = xstrndup(p + sizeof name - 1, len - (sizeof name - 1));
	char *s = v + strspn(v, " \t");
	s[strcspn(s, "\r\n")] = '\0';
	int secs = http_retry_after(s, clock_now_ms() / 1000, HTTP_RETRY_AFTER_MAX);
	if (secs >= 0)
		t->retry_after_s = secs;
	free(v);
	return len;
}

/* Performs one request (a POST when method is "POST", with the len bytes of
 * body, or an empty one when body is NULL); see http_request. */
static int
perform(struct http_client *c, const char *method, const char *url, const char *const *headers,
    const char *body, size_t len, struct http_response *resp, char **cause)
{
	struct transfer t = {.keep = c->keep_body, .retry_after_s = -1};
	struct curl_slist *hl = NULL;
	CURL *h = c->curl;
	int rc = -1;

	memset(resp, 0, sizeof *resp);
	resp->retry_after_s = -1;
	sbuf_init(&t.body);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		struct curl_slist *nl = curl_slist_append(hl, headers[i]);
		if (nl == NULL)
			abort();
		hl = nl;
	}

	http_curl_base(h, url, c->connect_ms, c->total_ms, "http,https");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, body != NULL ? (long)len : 0L);
	}

	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->retry_after_s = t.retry_after_s;
	if (cc != CURLE_OK) {
		resp->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		resp->error = curl_easy_strerror(cc);
		resp->hint = http_fail_hint(cc);
		if (t.too_big)
			set_cause(cause, "response body larger than %u bytes", HTTP_MAX_BODY);
		else
			set_cause(cause, "transport: %s", curl_easy_strerror(cc));
		goto fail;
	}
	rc = 0;
fail:
	curl_slist_free_all(hl);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	sbuf_addstr(&t.body, "");
	resp->len = t.body.len;
	resp->body = sbuf_take(&t.body);
	return rc;
}

int
http_request(struct http_client *c, const char *method, const char *url, const char *const *headers,
    struct http_response *resp, char **cause)
{
	return perform(c, method, url, headers, NULL, 0, resp, cause);
}

int
http_post(struct http_client *c, const char *url, const char *const *headers, const char *body,
    size_t len, struct http_response *resp, char **cause)
{
	return perform(c, "POST", url, headers, body, len, resp, cause);
}

void
http_response_done(struct http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
	r->retry_after_s = -1;
}

char *
http_url_host(const char *url)
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

bool
http_url_has_userinfo(const char *url)
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

bool
http_url_is_loopback(const char *url)
{
	char *host = http_url_host(url);
	bool loop =
	    host != NULL && (strcmp(host, "localhost") == 0 || str_has_prefix(host, "127.") ||
	                        strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0);
	free(host);
	return loop;
}

char *
http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			sbuf_add(&b, p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			sbuf_add(&b, e, 3);
		}
	}
	return sbuf_take(&b);
}
