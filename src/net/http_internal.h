/*
 * http_internal: what http.c shares with smtp.c, the other libcurl user of
 * src/net/. Any thread.
 */
#ifndef LW_HTTP_INTERNAL_H
#define LW_HTTP_INTERNAL_H

/* Returns what to check for a libcurl failure (a CURLcode) that retrying
 * cannot fix (settings, TLS), or NULL for one that may pass later. */
const char *http_fail_hint(int curl_code);

#endif
