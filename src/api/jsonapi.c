/*
 * jsonapi: the HTTP side of the read-only JSON endpoint. Owns the
 * libmicrohttpd daemon (its own threads), the token and the published
 * snapshot slot (a mutex around one pointer). Request threads take a
 * reference to the current snapshot under the mutex and answer from it with
 * jsonapi_answer; they call no curses, read no agg and open no database.
 * It also owns the guard against hostile clients: a record of each open
 * connection (kept by libmicrohttpd's callbacks under a second mutex), a
 * watchdog thread that shuts down connections whose request headers are
 * overdue, and the accept policy that keeps the connection ceiling.
 * jsonapi_start and jsonapi_free run on the main thread, jsonapi_publish on
 * the UI thread, jsonapi_counts on any.
 */
#include "api/jsonapi.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/util.h"

/* One TCP connection as the guard sees it (its socket context). */
struct conn {
	struct conn *prev, *next; /* under gmu */
	int fd;
	struct sockaddr_storage peer; /* the client's address (its port ignored) */
	int64_t pending_since; /* monotonic ms its headers are awaited since; 0 in a request */
	bool shed;             /* shut down by the guard; libmicrohttpd closes it next */
	bool raw_long;         /* the request target did not fit raw */
	char raw[JSONAPI_PATH_MAX + 512]; /* the current request's target, undecoded */
};

struct jsonapi {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct jsonapi_snap *snap; /* under mu */
	char *health;              /* under mu: /healthz's body; NULL before the first */
	int health_status;         /* under mu: its HTTP status */
	char *metrics;             /* under mu: /metrics's body; NULL before the first */
	bool health_on;            /* under mu: /healthz and /metrics are served */
	char *token;               /* NULL: none required */
	char addr[80];
	struct jsonapi_limits lim;
	pthread_mutex_t gmu; /* the guard: conns, nlive, nshed, stop */
	pthread_cond_t gcv;
	struct conn *conns;
	unsigned nlive; /* open and not shed */
	unsigned long nshed;
	bool stop;
	bool watching; /* the watchdog thread was started */
	pthread_t watchdog;
};

static int conn_marker;

int
jsonapi_parse_addr(
    const char *spec, char *host, size_t hostlen, int *port, bool *loopback, char **cause)
{
	char h[64] = "127.0.0.1";
	const char *ps = spec;
	if (spec == NULL || *spec == '\0')
		return set_cause(cause, "--http needs ADDR:PORT, e.g. 127.0.0.1:8080");
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof h)
			return set_cause(cause, "--http '%s': use [IPv6]:PORT", spec);
		snprintf(h, sizeof h, "%.*s", (int)(end - spec - 1), spec + 1);
		ps = end + 2;
	} else if (strchr(spec, ':')) {
		const char *colon = strrchr(spec, ':');
		if ((size_t)(colon - spec) >= sizeof h || strchr(spec, ':') != colon)
			return set_cause(cause, "--http '%s': use ADDR:PORT ([IPv6]:PORT)", spec);
		snprintf(h, sizeof h, "%.*s", (int)(colon - spec), spec);
		ps = colon + 1;
	}
	if (strcmp(h, "localhost") == 0)
		snprintf(h, sizeof h, "127.0.0.1");
	if (!str_is_digits(ps) || strlen(ps) > 5 || atoi(ps) > 65535)
		return set_cause(
		    cause, "--http '%s': the port must be a number from 0 to 65535", spec);
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, h, &a4) == 1) {
		*loopback = (ntohl(a4.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, h, &a6) == 1) {
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6);
	} else {
		return set_cause(cause,
		    "--http '%s': '%s' is not a numeric IPv4 or IPv6 address (or localhost)", spec,
		    h);
	}
	snprintf(host, hostlen, "%s", h);
	*port = atoi(ps);
	return 0;
}

int
jsonapi_token_from_env(char **token, char **cause)
{
	const char *t = getenv("LAUNCHWATCH_HTTP_TOKEN");
	const char *path = getenv("LAUNCHWATCH_HTTP_TOKEN_FILE");
	char *v = NULL;
	*token = NULL;
	if (t && *t) {
		v = xstrdup(t);
	} else if (path && *path) {
		size_t len = 0;
		char *why = NULL;
		if (file_read_all(path, &v, &len, &why) != 0) {
			set_cause(cause, "LAUNCHWATCH_HTTP_TOKEN_FILE: %s", why);
			free(why);
			return -1;
		}
		v[strcspn(v, "\r\n")] = '\0';
	} else {
		return 0;
	}
	if (strlen(v) < JSONAPI_TOKEN_MIN) {
		free(v);
		return set_cause(cause,
		    "the HTTP token (LAUNCHWATCH_HTTP_TOKEN%s) is shorter than %d "
		    "characters",
		    t && *t ? "" : "_FILE", JSONAPI_TOKEN_MIN);
	}
	*token = v;
	return 0;
}

/* Returns true when the request carries the token (compared in constant
 * time over the token's length). */
static bool
authorized(struct jsonapi *j, struct MHD_Connection *c)
{
	if (j->token == NULL)
		return true;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	size_t n = strlen(j->token);
	if (strlen(h) != n)
		return false;
	unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(h[i] ^ j->token[i]);
	return diff == 0;
}

/* Returns true when If-None-Match lists etag (or is "*"). */
static bool
etag_matches(const char *inm, const char *etag)
{
	if (inm == NULL || *etag == '\0')
		return false;
	if (strcmp(inm, "*") == 0)
		return true;
	size_t n = strlen(etag);
	for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += n) {
		const char *after = p + n;
		if (*after == '\0' || *after == ',' || *after == ' ')
			return true;
	}
	return false;
}

/* Marks the request on c as past its headers (the guard stops timing it)
 * and returns its connection record. Request thread. */
static struct conn *
headers_done(struct jsonapi *j, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;
	if (k) {
		pthread_mutex_lock(&j->gmu);
		k->pending_since = 0;
		pthread_mutex_unlock(&j->gmu);
	}
	return k;
}

/* Returns true when the request announces a body (Content-Length above
 * zero or any Transfer-Encoding). */
static bool
has_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
	return te != NULL || (cl != NULL && strspn(cl, "0 \t") != strlen(cl));
}

/* Fills r with a JSON error (message is static text). */
static void
reply_error(struct jsonapi_reply *r, int status, const char *error, const char *message)
{
	json_t *o = json_pack("{s:s, s:s}", "error", error, "message", message);
	r->status = status;
	r->body = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (r->body == NULL)
		abort(); /* jansson fails only when out of memory */
}

/* Returns true when the peer address a is loopback (127.0.0.0/8, ::1, or
 * an IPv4-mapped 127.x). */
static bool
peer_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->ss_family != AF_INET6)
		return false;
	const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(x) || (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
}

/* Returns true when the request on k is for /healthz or /metrics from a
 * loopback client: a monitor on the same machine needs no token. */
static bool
ops_from_loopback(const struct conn *k)
{
	char path[JSONAPI_PATH_MAX];
	const char *why = NULL;
	if (k == NULL || k->raw_long || jsonapi_path_decode(k->raw, path, &why) != 0)
		return false;
	return (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0) &&
	       peer_loopback(&k->peer);
}

/* Answers /healthz or /metrics from what was published (503 before the
 * first); returns false for any other path. */
static bool
answer_ops(struct jsonapi *j, const char *path, struct jsonapi_reply *r)
{
	bool health = strcmp(path, "/healthz") == 0;
	if (!health && strcmp(path, "/metrics") != 0)
		return false;
	pthread_mutex_lock(&j->mu);
	if (!j->health_on) {
		pthread_mutex_unlock(&j->mu);
		reply_error(r, 404, "not_found",
		    "no such endpoint here: /healthz and /metrics are served by `launchwatch run "
		    "--http ADDR:PORT`");
		return true;
	}
	const char *body = health ? j->health : j->metrics;
	if (body) {
		r->status = health ? j->health_status : 200;
		r->body = xstrdup(body);
		r->type = health ? NULL : "text/plain; version=0.0.4; charset=utf-8";
	}
	pthread_mutex_unlock(&j->mu);
	if (body == NULL)
		reply_error(r, 503, "starting", "the first health check has not finished yet");
	return true;
}

/* Decides the reply to a request whose headers are complete and whose body
 * (if any) is unread: method, token (none for /healthz and /metrics from
 * loopback), body, path, then the snapshot. */
static void
decide(struct jsonapi *j, struct MHD_Connection *c, const struct conn *k, const char *method,
    struct jsonapi_reply *r)
{
	char path[JSONAPI_PATH_MAX];
	const char *why = NULL;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		reply_error(r, 405, "method_not_allowed", "the endpoint is read-only: GET or HEAD");
	else if (!ops_from_loopback(k) && !authorized(j, c))
		reply_error(r, 401, "unauthorized", "send Authorization: Bearer <token>");
	else if (has_body(c))
		reply_error(r, 400, "bad_request", "a GET or HEAD request carries no body");
	else if (k == NULL || k->raw_long)
		reply_error(r, 400, "bad_request", "the request target is too long");
	else if (jsonapi_path_decode(k->raw, path, &why) != 0)
		reply_error(r, 400, "bad_request", why);
	else if (answer_ops(j, path, r))
		return;
	else {
		pthread_mutex_lock(&j->mu);
		struct jsonapi_snap *s = jsonapi_snap_ref(j->snap);
		pthread_mutex_unlock(&j->mu);
		jsonapi_answer(s, path,
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"),
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "bucket"), r);
		jsonapi_snap_unref(s);
	}
}

/* libmicrohttpd access handler: answers one request from the snapshot on
 * its first call, once the headers are in and before any body is read (a
 * response queued then makes libmicrohttpd close instead of reading it). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct jsonapi *j = cls;
	(void)url; /* decoded by libmicrohttpd, so "%00" would cut it: the raw target is used */
	(void)version;
	(void)upload_data;
	if (*con_cls == &conn_marker) {
		*upload_data_size = 0; /* answered already; a body is dropped */
		return MHD_YES;
	}
	*con_cls = &conn_marker;
	struct conn *k = headers_done(j, c);
	struct jsonapi_reply r = {0};
	decide(j, c, k, method, &r);
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	bool not_modified = r.status == 200 && etag_matches(inm, r.etag);
	struct MHD_Response *resp;
	if (not_modified) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		r.status = 304;
	} else {
		/* for HEAD libmicrohttpd sends the headers of this body only */
		resp =
		    MHD_create_response_from_buffer(strlen(r.body), r.body, MHD_RESPMEM_MUST_FREE);
		if (resp)
			r.body = NULL; /* now libmicrohttpd's */
	}
	free(r.body);
	if (resp == NULL)
		return MHD_NO;
	if (r.status != 304)
		MHD_add_response_header(resp, "Content-Type", r.type ? r.type : "application/json");
	if (r.etag[0])
		MHD_add_response_header(resp, "ETag", r.etag);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (r.status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	if (r.status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Shuts down k's socket so its polling thread sees the end and closes it;
 * gmu held. The descriptor stays k's until libmicrohttpd reports the close
 * (on_connection), which takes gmu first, so it cannot be another's. */
static void
shed(struct jsonapi *j, struct conn *k)
{
	shutdown(k->fd, SHUT_RDWR);
	k->shed = true;
	j->nlive--;
	j->nshed++;
}

/* libmicrohttpd connection callback: keeps the guard's record of each open
 * connection (started: waiting for headers since now; closed: gone). */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct jsonapi *j = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *k = xcalloc(1, sizeof *k);
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k->fd = ci ? ci->connect_fd : -1;
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr)
			memcpy(&k->peer, ci->client_addr,
			    ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
			                                           : sizeof(struct sockaddr_in));
		k->pending_since = clock_mono_ms();
		pthread_mutex_lock(&j->gmu);
		k->next = j->conns;
		if (j->conns)
			j->conns->prev = k;
		j->conns = k;
		j->nlive++;
		pthread_mutex_unlock(&j->gmu);
		*socket_context = k;
		return;
	}
	struct conn *k = *socket_context;
	if (k == NULL)
		return;
	pthread_mutex_lock(&j->gmu);
	if (k->prev)
		k->prev->next = k->next;
	else
		j->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	if (!k->shed)
		j->nlive--;
	pthread_mutex_unlock(&j->gmu);
	*socket_context = NULL;
	free(k);
}

/* libmicrohttpd URI callback: keeps the raw request target (before
 * libmicrohttpd decodes it) on the connection's record. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;
	if (k) {
		k->raw_long = strlen(uri) >= sizeof k->raw;
		snprintf(k->raw, sizeof k->raw, "%s", k->raw_long ? "" : uri);
	}
	return NULL;
}

/* libmicrohttpd completion callback: the connection waits for its next
 * request's headers from now on. */
static void
on_completed(
    void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct jsonapi *j = cls;
	(void)con_cls;
	(void)toe;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;
	if (k) {
		pthread_mutex_lock(&j->gmu);
		k->pending_since = clock_mono_ms();
		pthread_mutex_unlock(&j->gmu);
	}
}

/* Returns true when a and b are the same client host (ports aside). */
static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		           &((const struct sockaddr_in6 *)b)->sin6_addr,
		           sizeof(struct in6_addr)) == 0;
	return false;
}

/* Returns the connection to give way at the ceiling, or NULL: of those
 * waiting for headers, one from the host holding the most connections,
 * the oldest among them; gmu held. O(n^2) in the (bounded) open connections. */
static struct conn *
shed_victim(struct jsonapi *j)
{
	struct conn *best = NULL;
	unsigned best_n = 0;
	for (struct conn *k = j->conns; k; k = k->next) {
		if (k->shed || k->pending_since == 0)
			continue;
		unsigned n = 0;
		for (struct conn *o = j->conns; o; o = o->next)
			n += !o->shed && same_host(&k->peer, &o->peer);
		if (best == NULL || n > best_n ||
		    (n == best_n && k->pending_since < best->pending_since)) {
			best = k;
			best_n = n;
		}
	}
	return best;
}

/* libmicrohttpd accept policy: at the connection ceiling, a connection
 * still waiting for its headers from the host holding the most (its
 * oldest) gives way, so a client with one request in flight is not pushed
 * out by a crowd from elsewhere; when every connection is inside a
 * request, the new one is refused. */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct jsonapi *j = cls;
	(void)addr;
	(void)addrlen;
	enum MHD_Result ok = MHD_YES;
	pthread_mutex_lock(&j->gmu);
	if (j->nlive >= j->lim.total) {
		struct conn *victim = shed_victim(j);
		if (victim)
			shed(j, victim);
		else
			ok = MHD_NO;
	}
	pthread_mutex_unlock(&j->gmu);
	return ok;
}

/* The guard's thread: closes every connection whose headers are overdue,
 * however recently its last byte came. */
static void *
watchdog(void *arg)
{
	struct jsonapi *j = arg;
	int64_t tick = j->lim.header_ms / 10;
	tick = tick < 20 ? 20 : tick > 250 ? 250 : tick;
	pthread_mutex_lock(&j->gmu);
	while (!j->stop) {
		int64_t now = clock_mono_ms();
		for (struct conn *k = j->conns; k; k = k->next)
			if (!k->shed && k->pending_since > 0 &&
			    now - k->pending_since >= (int64_t)j->lim.header_ms)
				shed(j, k);
		struct timespec ts = clock_deadline(CLOCK_MONOTONIC, tick);
		pthread_cond_timedwait(&j->gcv, &j->gmu, &ts);
	}
	pthread_mutex_unlock(&j->gmu);
	return NULL;
}

struct jsonapi *
jsonapi_start(const char *spec, const char *token, const struct jsonapi_limits *lim, char **cause)
{
	char host[64];
	int port = 0;
	bool loopback = false;
	if (jsonapi_parse_addr(spec, host, sizeof host, &port, &loopback, cause) != 0)
		return NULL;
	if (!loopback && (token == NULL || *token == '\0')) {
		set_cause(cause,
		    "--http %s is not a loopback address: set LAUNCHWATCH_HTTP_TOKEN or "
		    "LAUNCHWATCH_HTTP_TOKEN_FILE (at least %d characters; clients send "
		    "Authorization: Bearer TOKEN), or bind 127.0.0.1",
		    spec, JSONAPI_TOKEN_MIN);
		return NULL;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
	}
	struct jsonapi *j = xcalloc(1, sizeof *j);
	pthread_mutex_init(&j->mu, NULL);
	pthread_mutex_init(&j->gmu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->gcv, &ca);
	pthread_condattr_destroy(&ca);
	j->lim = lim ? *lim : JSONAPI_LIMITS_DEFAULT;
	j->token = token && *token ? xstrdup(token) : NULL;
	if (pthread_create(&j->watchdog, NULL, watchdog, j) != 0) {
		set_cause(cause, "--http: cannot start the connection guard");
		jsonapi_free(j);
		return NULL;
	}
	j->watching = true;
	/* a small pool of threads: answers are copies of prepared bodies. The
	 * guard (on_accept) keeps lim.total; libmicrohttpd's own ceiling,
	 * shared by the pool, leaves room for shed connections still closing */
	j->d = MHD_start_daemon(flags, (uint16_t)port, on_accept, j, on_request, j,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2,
	    MHD_OPTION_CONNECTION_TIMEOUT, j->lim.idle_s, MHD_OPTION_CONNECTION_LIMIT,
	    4 * j->lim.total + 8, MHD_OPTION_PER_IP_CONNECTION_LIMIT, j->lim.per_ip,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, j, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, j, MHD_OPTION_URI_LOG_CALLBACK, on_uri, j, MHD_OPTION_END);
	if (j->d == NULL) {
		set_cause(
		    cause, "--http: cannot listen on %s (port in use or address not local?)", spec);
		jsonapi_free(j);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(j->d, MHD_DAEMON_INFO_BIND_PORT);
	int bound = info != NULL && info->port ? info->port : port;
	snprintf(j->addr, sizeof j->addr, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, bound);
	return j;
}

void
jsonapi_counts(struct jsonapi *j, unsigned *open, unsigned long *nshed)
{
	pthread_mutex_lock(&j->gmu);
	*open = j->nlive;
	*nshed = j->nshed;
	pthread_mutex_unlock(&j->gmu);
}

const char *
jsonapi_address(const struct jsonapi *j)
{
	return j->addr;
}

void
jsonapi_publish(struct jsonapi *j, struct jsonapi_snap *snap)
{
	pthread_mutex_lock(&j->mu);
	struct jsonapi_snap *old = j->snap;
	j->snap = snap;
	pthread_mutex_unlock(&j->mu);
	jsonapi_snap_unref(old); /* request threads may still hold their own reference */
}

void
jsonapi_serve_health(struct jsonapi *j)
{
	pthread_mutex_lock(&j->mu);
	j->health_on = true;
	pthread_mutex_unlock(&j->mu);
}

void
jsonapi_publish_health(struct jsonapi *j, int http_status, const char *health, const char *metrics)
{
	char *h = xstrdup(health), *m = xstrdup(metrics);
	pthread_mutex_lock(&j->mu);
	char *oh = j->health, *om = j->metrics;
	j->health = h;
	j->metrics = m;
	j->health_status = http_status;
	pthread_mutex_unlock(&j->mu);
	free(oh);
	free(om);
}

void
jsonapi_free(struct jsonapi *j)
{
	if (j == NULL)
		return;
	if (j->d)
		MHD_stop_daemon(j->d);
	if (j->watching) {
		pthread_mutex_lock(&j->gmu);
		j->stop = true;
		pthread_cond_signal(&j->gcv);
		pthread_mutex_unlock(&j->gmu);
		pthread_join(j->watchdog, NULL);
	}
	pthread_cond_destroy(&j->gcv);
	pthread_mutex_destroy(&j->gmu);
	jsonapi_snap_unref(j->snap);
	free(j->health);
	free(j->metrics);
	if (j->token) {
		explicit_bzero(j->token, strlen(j->token));
		free(j->token);
	}
	pthread_mutex_destroy(&j->mu);
	free(j);
}
