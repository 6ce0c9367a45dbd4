/*
 * http: the one HTTP client, a thin libcurl wrapper for the provider client,
 * Slack's webhook (engine/notify.c) and the tests, and the URL helpers they
 * share. One struct http_client (one CURL handle, keep-alive, gzip, TLS
 * verification always on, connect and total timeouts) per thread; a client
 * is never shared between threads. http_global_init() may be called from any
 * thread, any number of times. Nothing here logs, and neither header values
 * (the API key) nor the URL (a webhook's secret) ever appear in a cause.
 */
#ifndef LW_HTTP_H
#define LW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One HTTP response (or the absence of one). */
struct http_response {
	long status;       /* HTTP status; 0 when no response arrived */
	char *body;        /* NUL-terminated body (never NULL after a call), owned */
	size_t len;        /* body length in bytes */
	int retry_after_s; /* Retry-After in seconds (at most HTTP_RETRY_AFTER_MAX), -1 when absent */
	bool timed_out;    /* the transfer hit a timeout */
	const char *error; /* a failed transfer: libcurl's description (static); else NULL */
	const char *hint;  /* a failure retrying cannot fix (settings, TLS): what to check
	                      (static); NULL for one that may pass later */
};

/* The longest wait a Retry-After header can ask for, in seconds. */
#define HTTP_RETRY_AFTER_MAX 86400

struct http_client;

/* Calls curl_global_init once per process (pthread_once); 0 or -1 with cause. */
int http_global_init(char **cause);

/* Returns a new client (calls http_global_init; aborts if libcurl cannot start). */
struct http_client *http_client_new(void);
/* Frees c and its handle; NULL is a no-op. */
void http_client_free(struct http_client *c);
/* Sets the connect and total timeouts in milliseconds (defaults 5000 and 30000). */
void http_client_set_timeouts(struct http_client *c, long connect_ms, long total_ms);
/* Makes c keep only the first keep bytes of each response body and read past
 * the rest; 0 (the default) keeps bodies whole and fails on one over 64 MiB. */
void http_client_set_body_keep(struct http_client *c, size_t keep);

/* Performs method ("GET" or "POST", empty body) on url with the extra headers
 * ("Name: value" strings, NULL-terminated, may be NULL; borrowed). On return
 * resp holds whatever arrived (caller frees it with http_response_done).
 * Returns 0 when a response arrived (any status), or -1 with *cause naming the
 * transport failure (timeouts set resp->timed_out). */
int http_request(struct http_client *c, const char *method, const char *url,
    const char *const *headers, struct http_response *resp, char **cause);
/* POSTs the len bytes of body (borrowed) to url, as http_request. */
int http_post(struct http_client *c, const char *url, const char *const *headers, const char *body,
    size_t len, struct http_response *resp, char **cause);

/* Frees the body of r and zeroes it. */
void http_response_done(struct http_response *r);

/* Returns the seconds a Retry-After value asks to wait: delta-seconds
 * ("120"), or an HTTP date read against now_s (a past date gives 0); at most
 * max_s. Returns -1 for an empty value or one that is neither. */
int http_retry_after(const char *value, int64_t now_s, int max_s);

/* Returns the host of url (any scheme) as a new string, or NULL when it has
 * none or url does not parse. */
char *http_url_host(const char *url);
/* Returns true when url carries a user name or a password. */
bool http_url_has_userinfo(const char *url);
/* Returns true when the host of url is loopback (localhost, 127.x, ::1). */
bool http_url_is_loopback(const char *url);

/* Returns s percent-encoded for a URL query value (RFC 3986 unreserved kept);
 * caller frees. */
char *http_escape(const char *s);

#endif
