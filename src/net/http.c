/*
 * http: libcurl easy handles, one per thread, with keep-alive, gzip, TLS
 * verification and bounded timeouts. A struct http_client belongs to the thread
 * that made it; http_global_init() is safe from any thread. No logging: a
 * cause names the failure class and URL path only, never a header value.
 */
#include "net/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/util.h"

#define HTTP_MAX_BODY (64u * 1024 * 1024) /* refuse bodies larger than this */

struct http_client {
	CURL *curl;
	long connect_ms;
	long total_ms;
};

/* State of one transfer, seen by the write and header callbacks. */
struct transfer {
	struct sbuf body;
	int retry_after_s;
	bool too_big;
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

/* Appends received body bytes, refusing bodies over HTTP_MAX_BODY. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (t->body.len + len > HTTP_MAX_BODY) {
		t->too_big = true;
		return 0;
	}
	sbuf_add(&t->body, p, len);
	return len;
}

/* Parses a Retry-After header (delta-seconds or an HTTP date). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len <= sizeof name - 1 || strncasecmp(p, name, sizeof name - 1) != 0)
		return len;
	char *v = xstrndup(p + sizeof name - 1, len - (sizeof name - 1));
	char *s = v;
	while (*s == ' ' || *s == '\t')
		s++;
	s[strcspn(s, "\r\n")] = '\0';
	if (isdigit((unsigned char)*s)) {
		long secs = strtol(s, NULL, 10);
		t->retry_after_s = secs > 86400 ? 86400 : (int)secs;
	} else if (*s != '\0') {
		time_t when = curl_getdate(s, NULL);
		int64_t now = clock_now_ms() / 1000;
		if (when > 0)
			t->retry_after_s = when > now ? (int)(when - now) : 0;
	}
	free(v);
	return len;
}

int
http_request(struct http_client *c, const char *method, const char *url, const char *const *headers,
    struct http_response *resp, char **cause)
{
	struct transfer t = {.retry_after_s = -1};
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

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->total_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "launchwatch/0.1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}

	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->retry_after_s = t.retry_after_s;
	if (cc != CURLE_OK) {
		resp->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
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

void
http_response_done(struct http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
	r->retry_after_s = -1;
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
