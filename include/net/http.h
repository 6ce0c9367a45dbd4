/*
 * http: a thin libcurl wrapper for the provider client and the tests. One
 * struct http_client (one CURL handle, keep-alive, gzip, TLS verification
 * always on, connect and total timeouts) per thread; a client is never shared
 * between threads. http_global_init() may be called from any thread, any
 * number of times. Nothing here logs, and header values (the API key) never
 * appear in a cause.
 */
#ifndef LW_HTTP_H
#define LW_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* One HTTP response (or the absence of one). */
struct http_response {
	long status;       /* HTTP status; 0 when no response arrived */
	char *body;        /* NUL-terminated body (never NULL after a call), owned */
	size_t len;        /* body length in bytes */
	int retry_after_s; /* Retry-After in seconds, -1 when absent */
	bool timed_out;    /* the transfer hit a timeout */
};

struct http_client;

/* Calls curl_global_init once per process (pthread_once); 0 or -1 with cause. */
int http_global_init(char **cause);

/* Returns a new client (calls http_global_init; aborts if libcurl cannot start). */
struct http_client *http_client_new(void);
/* Frees c and its handle; NULL is a no-op. */
void http_client_free(struct http_client *c);
/* Sets the connect and total timeouts in milliseconds (defaults 5000 and 30000). */
void http_client_set_timeouts(struct http_client *c, long connect_ms, long total_ms);

/* Performs method ("GET" or "POST", empty body) on url with the extra headers
 * ("Name: value" strings, NULL-terminated, may be NULL; borrowed). On return
 * resp holds whatever arrived (caller frees it with http_response_done).
 * Returns 0 when a response arrived (any status), or -1 with *cause naming the
 * transport failure (timeouts set resp->timed_out). */
int http_request(struct http_client *c, const char *method, const char *url,
    const char *const *headers, struct http_response *resp, char **cause);

/* Frees the body of r and zeroes it. */
void http_response_done(struct http_response *r);

/* Returns s percent-encoded for a URL query value (RFC 3986 unreserved kept);
 * caller frees. */
char *http_escape(const char *s);

#endif
