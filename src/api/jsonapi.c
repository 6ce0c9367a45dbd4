/*
 * jsonapi: the HTTP side of the read-only JSON endpoint. Owns the
 * libmicrohttpd daemon (its own threads), the token and the published
 * snapshot slot (a mutex around one pointer). Request threads take a
 * reference to the current snapshot under the mutex and answer from it with
 * jsonapi_answer; they call no curses, read no agg and open no database.
 * jsonapi_start and jsonapi_free run on the main thread, jsonapi_publish on
 * the UI thread.
 */
#include "api/jsonapi.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/util.h"

struct jsonapi {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct jsonapi_snap *snap; /* under mu */
	char *token;               /* NULL: none required */
	char addr[80];
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

/* libmicrohttpd access handler: answers one request from the snapshot. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct jsonapi *j = cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &conn_marker;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* bodies are ignored */
		return MHD_YES;
	}
	struct jsonapi_reply r = {0};
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		r.status = 405;
		r.body = xstrdup("{\"error\":\"method_not_allowed\",\"message\":\"the endpoint is "
		                 "read-only: GET or HEAD\"}");
	} else if (!authorized(j, c)) {
		r.status = 401;
		r.body = xstrdup("{\"error\":\"unauthorized\",\"message\":\"send Authorization: "
		                 "Bearer <token>\"}");
	} else {
		pthread_mutex_lock(&j->mu);
		struct jsonapi_snap *s = jsonapi_snap_ref(j->snap);
		pthread_mutex_unlock(&j->mu);
		jsonapi_answer(s, url,
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"),
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "bucket"), &r);
		jsonapi_snap_unref(s);
	}
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
		MHD_add_response_header(resp, "Content-Type", "application/json");
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

struct jsonapi *
jsonapi_start(const char *spec, const char *token, char **cause)
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
	j->token = token && *token ? xstrdup(token) : NULL;
	/* a small pool of threads: answers are copies of prepared bodies */
	j->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, j,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_END);
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
jsonapi_free(struct jsonapi *j)
{
	if (j == NULL)
		return;
	if (j->d)
		MHD_stop_daemon(j->d);
	jsonapi_snap_unref(j->snap);
	if (j->token) {
		explicit_bzero(j->token, strlen(j->token));
		free(j->token);
	}
	pthread_mutex_destroy(&j->mu);
	free(j);
}
