/*
 * jsonapi: the console's read-only JSON endpoint (`launchwatch --http
 * ADDR:PORT`). The UI thread owns the console's model (model/agg.h: each
 * campaign's prepared summary and feed); after it applied what the reader
 * read, it builds an immutable snapshot of prepared JSON bodies
 * (jsonapi_snap_build, model code over the agg, no I/O) and publishes it
 * (jsonapi_publish) into a mutex-protected slot. libmicrohttpd's threads
 * take a reference to the current snapshot and answer from it alone: they
 * never call curses, never read the agg and never touch the database, so any
 * number of refreshes cost the database nothing. Bodies carry a strong ETag
 * (a hash of the body) and If-None-Match answers 304.
 *
 * Routes: GET /api/campaigns, /api/campaigns/ID/aggregates,
 * /api/campaigns/ID/engagers?limit=N&bucket=B, and /healthz and /metrics
 * where served (jsonapi_serve_health: `run --http`; no token needed from
 * loopback). Errors are JSON
 * {"error": ..., "message": ...} with 400, 401, 404 or 405.
 *
 * Binding: loopback (127.0.0.0/8, ::1, localhost) by default; any other
 * address needs a token from LAUNCHWATCH_HTTP_TOKEN or
 * LAUNCHWATCH_HTTP_TOKEN_FILE, which every request must then present as
 * `Authorization: Bearer TOKEN` (also on loopback when a token is set).
 * The token never reaches logs or error messages.
 */
#ifndef LW_JSONAPI_H
#define LW_JSONAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agg;
struct jsonapi;
struct jsonapi_snap;

#define JSONAPI_ENGAGERS_MAX     1000 /* newest engagers kept per campaign; the limit's ceiling */
#define JSONAPI_ENGAGERS_DEFAULT 50
#define JSONAPI_TOKEN_MIN        16  /* shortest accepted token */
#define JSONAPI_ETAG_LEN         35  /* '"' + 32 hex digits + '"' + NUL */
#define JSONAPI_ID_MAX           47  /* longest campaign id in a path */
#define JSONAPI_PATH_MAX         256 /* longest decoded path */

/* Builds a snapshot of a (borrowed) at now_ms, reusing the parts of prev
 * (may be NULL) whose campaign did not change. UI thread (the agg's owner).
 * Returns a new snapshot holding one reference. */
struct jsonapi_snap *jsonapi_snap_build(struct agg *a, struct jsonapi_snap *prev, int64_t now_ms);

/* Returns true when a snapshot built now would differ from prev (a campaign
 * changed, appeared, or the hour turned). UI thread. */
bool jsonapi_snap_stale(const struct jsonapi_snap *prev, const struct agg *a, int64_t now_ms);

/* Takes one more reference to s; any thread. */
struct jsonapi_snap *jsonapi_snap_ref(struct jsonapi_snap *s);
/* Drops one reference and frees s with the last; NULL is a no-op. Any thread. */
void jsonapi_snap_unref(struct jsonapi_snap *s);

/* A response: status, a body (owned) and its ETag ("" on errors). */
struct jsonapi_reply {
	int status;
	char *body;
	char etag[JSONAPI_ETAG_LEN];
	const char *type; /* Content-Type (static); NULL: application/json */
};

/* Answers GET path (query arguments limit and bucket, each may be NULL)
 * from s (borrowed; NULL answers an empty campaign list). Any thread; reads
 * only the immutable snapshot. The caller frees r->body. */
void jsonapi_answer(const struct jsonapi_snap *s, const char *path, const char *limit,
    const char *bucket, struct jsonapi_reply *r);

/* Decodes the path of a raw request target (up to '?'; the query is only
 * checked) into out (size JSONAPI_PATH_MAX). Rejects a NUL, a control
 * character, bad or non-ASCII percent-encoding, a '.' or '..' segment, an
 * empty segment inside the path, an id segment longer than JSONAPI_ID_MAX and
 * a path longer than out. Any thread. 0, or -1 with *why (static text). */
int jsonapi_path_decode(const char *raw, char out[JSONAPI_PATH_MAX], const char **why);

/* Parses ADDR:PORT (IPv4, [IPv6], localhost, or a bare PORT meaning
 * 127.0.0.1) into host (numeric, without brackets) and *port, and tells
 * whether the address is loopback. 0 or -1 with a cause. */
int jsonapi_parse_addr(
    const char *spec, char *host, size_t hostlen, int *port, bool *loopback, char **cause);

/* Reads the token from LAUNCHWATCH_HTTP_TOKEN or the file named by
 * LAUNCHWATCH_HTTP_TOKEN_FILE (first line); *token is NULL when neither is
 * set. -1 with a cause (never containing the token) when the file cannot be
 * read or the token is shorter than JSONAPI_TOKEN_MIN. */
int jsonapi_token_from_env(char **token, char **cause);

/* How the endpoint bounds its clients (see jsonapi_start). */
struct jsonapi_limits {
	unsigned header_ms; /* a request's headers must be complete this long after the
	                       connection opened or its previous answer went out */
	unsigned idle_s;    /* libmicrohttpd's idle timeout (each byte resets it) */
	unsigned per_ip;    /* open connections from one client address */
	unsigned total;     /* open connections in all */
};

/* The limits jsonapi_start uses when given none. */
#define JSONAPI_LIMITS_DEFAULT ((struct jsonapi_limits){10000, 30, 16, 64})

/* Starts serving on spec (see jsonapi_parse_addr); token (copied, may be
 * NULL) is required for a non-loopback address; lim (borrowed, NULL for
 * JSONAPI_LIMITS_DEFAULT) bounds the clients: a connection whose request
 * headers are not complete by lim->header_ms is closed however slowly its
 * bytes trickle, and at lim->total connections the one waiting longest for
 * its headers gives way to a new one. Returns the server, or NULL with a
 * cause. Main thread. */
struct jsonapi *jsonapi_start(
    const char *spec, const char *token, const struct jsonapi_limits *lim, char **cause);

/* Reads the guard's counters: connections open now (not shed) and
 * connections shed so far (headers overdue, or given way at the ceiling).
 * Any thread. */
void jsonapi_counts(struct jsonapi *j, unsigned *open, unsigned long *nshed);

/* Returns "HOST:PORT" as bound (borrowed until jsonapi_free). */
const char *jsonapi_address(const struct jsonapi *j);

/* Replaces the published snapshot (takes ownership of one reference of
 * snap). UI thread. */
void jsonapi_publish(struct jsonapi *j, struct jsonapi_snap *snap);

/* Serves GET /healthz and /metrics from now on (503 until the first
 * jsonapi_publish_health); without it they answer 404 naming `run --http`
 * (the console's endpoint: its health is the engine's). Any thread. */
void jsonapi_serve_health(struct jsonapi *j);

/* Publishes what GET /healthz (with http_status: 200 current or degraded,
 * 503 unavailable) and GET /metrics (the Prometheus text format) answer
 * from now on; both copied. Both are readable without the token from a
 * loopback client. Any thread. */
void jsonapi_publish_health(
    struct jsonapi *j, int http_status, const char *health, const char *metrics);

/* Stops serving and frees j; NULL is a no-op. Main thread. */
void jsonapi_free(struct jsonapi *j);

#endif
