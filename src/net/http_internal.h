/*
 * http_internal: what http.c shares with smtp.c, the other libcurl user of
 * src/net/. Any thread.
 */
#ifndef LW_HTTP_INTERNAL_H
#define LW_HTTP_INTERNAL_H

/* Resets the easy handle curl (a CURL *) and sets what every transfer of
 * src/net/ shares: url, the timeouts, TLS peer and host verification, no
 * signals, no redirects, the allowed protocols and the user agent. */
void http_curl_base(
    void *curl, const char *url, long connect_ms, long total_ms, const char *protocols);

/* Returns what to check for a libcurl failure (a CURLcode) that retrying
 * cannot fix (settings, TLS), or NULL for one that may pass later. */
const char *http_fail_hint(int curl_code);

#endif
