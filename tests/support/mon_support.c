/*
 * mon_support: a recording MongoDB proxy (tests/support/mon_support.h). One
 * accept thread and one thread per connection that copies bytes both ways
 * and parses the client's OP_MSG messages (body section and document
 * sequences) into recorded commands under a mutex. Test threads call the
 * functions; the proxy's threads only record.
 */
#include "mon_support.h"

#include <arpa/inet.h>
#include <bson/bson.h>
#include <mongoc/mongoc.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"

#define OP_MSG 2013

/* One recorded command. */
struct mon_cmd {
	char coll[64];
	bool read;  /* find, aggregate, count, distinct */
	bool by_id; /* its filter is exactly {_id: value} */
	bool scan;  /* a read, update or delete by another filter */
	char *json; /* the command, for messages (scans only) */
};

/* One proxied connection. */
struct mon_conn {
	struct mon *m;
	int client, server;
	bool drop_reply; /* the fault's message went to the server: drop its answer */
	pthread_t th;
	struct mon_conn *next;
};

struct mon {
	int listen_fd;
	int stop_pipe[2];
	struct sockaddr_in up;
	char uri[128];
	pthread_t accept_th;
	pthread_mutex_t mu;
	bool stop;            /* under mu */
	struct mon_cmd *cmds; /* under mu */
	size_t ncmds;
	struct mon_conn *conns; /* under mu */
	char *needle;           /* under mu: the armed fault's needle, or NULL */
	size_t dropped;         /* under mu */
	bool with_campaign;     /* not FerretDB: {_id, campaign_id} is an _id lookup too */
};

/* Returns true when it is a plain value (no operator document, no array). */
static bool
is_value(const bson_iter_t *it)
{
	return !BSON_ITER_HOLDS_DOCUMENT(it) && !BSON_ITER_HOLDS_ARRAY(it);
}

/* Returns true when filter (may be NULL) is exactly {_id: value}, value not
 * a document (an operator would make it a scan on FerretDB), or, on a
 * server other than FerretDB, {_id: value, campaign_id: value}: the store's
 * filter for a sharded cluster (st_id_sel), answered from the _id index. */
static bool
is_id_filter(const struct mon *m, const bson_t *filter)
{
	bson_iter_t it;
	uint32_t n = filter ? bson_count_keys(filter) : 0;
	if (n == 0 || n > (m->with_campaign ? 2u : 1u) || !bson_iter_init(&it, filter))
		return false;
	bool id = false, campaign = false;
	while (bson_iter_next(&it)) {
		if (!is_value(&it))
			return false;
		if (strcmp(bson_iter_key(&it), "_id") == 0)
			id = true;
		else if (strcmp(bson_iter_key(&it), "campaign_id") == 0)
			campaign = true;
	}
	return id && (n == 1 || campaign);
}

/* Reads the document at key of doc into out (false when absent). */
static bool
get_doc(const bson_t *doc, const char *key, bson_t *out)
{
	bson_iter_t it;
	uint32_t len;
	const uint8_t *data;
	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_DOCUMENT(&it))
		return false;
	bson_iter_document(&it, &len, &data);
	return bson_init_static(out, data, len);
}

/* Returns true when a write statement's filter q is a scan. */
static bool
statement_scans(const struct mon *m, const bson_t *stmt)
{
	bson_t q;
	return !(get_doc(stmt, "q", &q) && is_id_filter(m, &q));
}

/* Records one command (body) and its document sequences (seqs, nseqs). */
static void
record(struct mon *m, const bson_t *body, const bson_t *seqs, size_t nseqs)
{
	static const char *const reads[] = {"find", "aggregate", "count", "distinct"};
	static const char *const writes[] = {"update", "delete"};
	bson_iter_t it;
	if (!bson_iter_init(&it, body) || !bson_iter_next(&it) || !BSON_ITER_HOLDS_UTF8(&it))
		return;
	const char *name = bson_iter_key(&it);
	struct mon_cmd c;
	memset(&c, 0, sizeof c);
	snprintf(c.coll, sizeof c.coll, "%s", bson_iter_utf8(&it, NULL));
	for (size_t i = 0; i < LW_ARRAY_LEN(reads); i++)
		if (strcmp(name, reads[i]) == 0)
			c.read = true;
	if (c.read) {
		bson_t f;
		bool has = get_doc(body, strcmp(name, "find") == 0 ? "filter" : "query", &f);
		c.by_id = strcmp(name, "aggregate") != 0 && has && is_id_filter(m, &f);
		c.scan = !c.by_id;
	}
	for (size_t i = 0; i < LW_ARRAY_LEN(writes); i++) {
		if (strcmp(name, writes[i]) != 0)
			continue;
		const char *arr = i == 0 ? "updates" : "deletes";
		bson_iter_t a, e;
		if (bson_iter_init_find(&a, body, arr) && BSON_ITER_HOLDS_ARRAY(&a) &&
		    bson_iter_recurse(&a, &e))
			while (bson_iter_next(&e)) {
				uint32_t len;
				const uint8_t *data;
				bson_t d;
				if (!BSON_ITER_HOLDS_DOCUMENT(&e))
					continue;
				bson_iter_document(&e, &len, &data);
				if (bson_init_static(&d, data, len) && statement_scans(m, &d))
					c.scan = true;
			}
		for (size_t k = 0; k < nseqs; k++)
			if (statement_scans(m, &seqs[k]))
				c.scan = true;
	}
	if (c.scan)
		c.json = bson_as_relaxed_extended_json(body, NULL);
	pthread_mutex_lock(&m->mu);
	m->cmds = xreallocarray(m->cmds, m->ncmds + 1, sizeof *m->cmds);
	m->cmds[m->ncmds++] = c;
	pthread_mutex_unlock(&m->mu);
}

/* Reads a little-endian int32 at p. */
static int32_t
le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	                 (uint32_t)p[3] << 24);
}

/* Returns true (and disarms the fault) when the armed fault's needle is in
 * the message of len bytes at p. */
static bool
fault_hit(struct mon *m, const uint8_t *p, size_t len)
{
	bool hit = false;
	pthread_mutex_lock(&m->mu);
	if (m->needle && memmem(p, len, m->needle, strlen(m->needle)) != NULL) {
		hit = true;
		free(m->needle);
		m->needle = NULL;
	}
	pthread_mutex_unlock(&m->mu);
	return hit;
}

/* Parses one OP_MSG message of len bytes at p and records its command. */
static void
parse_msg(struct mon *m, const uint8_t *p, size_t len)
{
	if (len < 21 || le32(p + 12) != OP_MSG)
		return;
	uint32_t flags = (uint32_t)le32(p + 16);
	size_t end = len - ((flags & 1u) ? 4 : 0), off = 20;
	bson_t body;
	bool has_body = false;
	bson_t seqs[64];
	size_t nseqs = 0;
	while (off < end) {
		uint8_t kind = p[off++];
		if (kind == 0 && off + 4 <= end) {
			size_t n = (size_t)le32(p + off);
			if (off + n > end || !bson_init_static(&body, p + off, n))
				return;
			has_body = true;
			off += n;
		} else if (kind == 1 && off + 4 <= end) {
			size_t n = (size_t)le32(p + off), sec_end = off + n;
			if (sec_end > end)
				return;
			size_t q = off + 4;
			while (q < sec_end && p[q] != '\0')
				q++;
			q++;
			while (q + 4 <= sec_end) {
				size_t dn = (size_t)le32(p + q);
				if (q + dn > sec_end)
					break;
				if (nseqs < LW_ARRAY_LEN(seqs) &&
				    bson_init_static(&seqs[nseqs], p + q, dn))
					nseqs++;
				q += dn;
			}
			off = sec_end;
		} else {
			return;
		}
	}
	if (has_body)
		record(m, &body, seqs, nseqs);
}

/* Writes all of buf to fd; false on failure. */
static bool
write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		buf += k;
		n -= (size_t)k;
	}
	return true;
}

/* Copies bytes both ways until either side closes or the proxy stops,
 * parsing the client's messages on the way. */
static void *
conn_main(void *arg)
{
	struct mon_conn *c = arg;
	uint8_t buf[65536];
	uint8_t *pend = NULL; /* the client's bytes not parsed yet */
	size_t npend = 0;
	for (;;) {
		pthread_mutex_lock(&c->m->mu);
		bool stop = c->m->stop;
		pthread_mutex_unlock(&c->m->mu);
		if (stop)
			break;
		struct pollfd pf[2] = {{c->client, POLLIN, 0}, {c->server, POLLIN, 0}};
		int r = poll(pf, 2, 100);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		bool done = false;
		for (int i = 0; i < 2 && !done; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t k = read(pf[i].fd, buf, sizeof buf);
			if (k <= 0) {
				done = true;
				break;
			}
			if (i == 1 && c->drop_reply) {
				/* the server answered the fault's message: lose it */
				pthread_mutex_lock(&c->m->mu);
				c->m->dropped++;
				pthread_mutex_unlock(&c->m->mu);
				done = true;
				break;
			}
			if (!write_all(i == 0 ? c->server : c->client, buf, (size_t)k)) {
				done = true;
				break;
			}
			if (i != 0)
				continue;
			pend = xreallocarray(pend, npend + (size_t)k, 1);
			memcpy(pend + npend, buf, (size_t)k);
			npend += (size_t)k;
			size_t off = 0;
			while (npend - off >= 16) {
				size_t len = (size_t)le32(pend + off);
				if (len < 16 || npend - off < len)
					break;
				parse_msg(c->m, pend + off, len);
				if (fault_hit(c->m, pend + off, len))
					c->drop_reply = true;
				off += len;
			}
			memmove(pend, pend + off, npend - off);
			npend -= off;
		}
		if (done)
			break;
	}
	free(pend);
	close(c->client);
	close(c->server);
	return NULL;
}

/* Accepts clients and gives each a connection to the server and a thread. */
static void *
accept_main(void *arg)
{
	struct mon *m = arg;
	for (;;) {
		struct pollfd pf[2] = {{m->listen_fd, POLLIN, 0}, {m->stop_pipe[0], POLLIN, 0}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		int cfd = accept(m->listen_fd, NULL, NULL);
		if (cfd < 0)
			continue;
		int sfd = socket(AF_INET, SOCK_STREAM, 0);
		if (sfd < 0 || connect(sfd, (struct sockaddr *)&m->up, sizeof m->up) != 0) {
			close(cfd);
			if (sfd >= 0)
				close(sfd);
			continue;
		}
		struct mon_conn *c = xcalloc(1, sizeof *c);
		c->m = m;
		c->client = cfd;
		c->server = sfd;
		pthread_mutex_lock(&m->mu);
		c->next = m->conns;
		m->conns = c;
		pthread_mutex_unlock(&m->mu);
		if (pthread_create(&c->th, NULL, conn_main, c) != 0)
			ck_abort_msg("mon: cannot start a connection thread");
	}
	return NULL;
}

/* Returns true when the server of uri says it is FerretDB (buildInfo). */
static bool
server_is_ferretdb(const char *uri)
{
	bson_t *cmd = BCON_NEW("buildInfo", BCON_INT32(1));
	bson_t reply;
	bson_error_t err;
	bson_iter_t it;
	mongoc_init();
	mongoc_client_t *c = mongoc_client_new(uri);
	ck_assert_msg(c != NULL, "mon: not a URI: %s", uri);
	bool ok = mongoc_client_command_simple(c, "admin", cmd, NULL, &reply, &err);
	ck_assert_msg(ok, "mon: buildInfo: %s", err.message);
	bool yes = bson_iter_init_find(&it, &reply, "ferretdbVersion");
	bson_destroy(&reply);
	bson_destroy(cmd);
	mongoc_client_destroy(c);
	return yes;
}

struct mon *
mon_start(const char *upstream_uri)
{
	struct mon *m = xcalloc(1, sizeof *m);
	int port = 0;
	char host[64] = "";
	ck_assert_msg(sscanf(upstream_uri, "mongodb://%63[^:/]:%d", host, &port) == 2,
	    "mon: cannot read the server of %s", upstream_uri);
	m->with_campaign = !server_is_ferretdb(upstream_uri);
	m->up.sin_family = AF_INET;
	m->up.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
	                     &m->up.sin_addr),
	    1);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	m->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(m->listen_fd, 0);
	ck_assert_int_eq(bind(m->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(m->listen_fd, 64), 0);
	ck_assert_int_eq(getsockname(m->listen_fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(m->uri, sizeof m->uri, "mongodb://127.0.0.1:%d/", ntohs(sa.sin_port));
	ck_assert_int_eq(pipe(m->stop_pipe), 0);
	pthread_mutex_init(&m->mu, NULL);
	ck_assert_int_eq(pthread_create(&m->accept_th, NULL, accept_main, m), 0);
	return m;
}

void
mon_drop_reply_once(struct mon *m, const char *needle)
{
	pthread_mutex_lock(&m->mu);
	free(m->needle);
	m->needle = xstrdup(needle);
	pthread_mutex_unlock(&m->mu);
}

size_t
mon_dropped(struct mon *m)
{
	pthread_mutex_lock(&m->mu);
	size_t n = m->dropped;
	pthread_mutex_unlock(&m->mu);
	return n;
}

const char *
mon_uri(struct mon *m)
{
	return m->uri;
}

size_t
mon_mark(struct mon *m)
{
	pthread_mutex_lock(&m->mu);
	size_t n = m->ncmds;
	pthread_mutex_unlock(&m->mu);
	return n;
}

void
mon_count(struct mon *m, size_t mark, const char *collection, struct mon_counts *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&m->mu);
	for (size_t i = mark; i < m->ncmds; i++) {
		const struct mon_cmd *c = &m->cmds[i];
		if (collection != NULL && strcmp(c->coll, collection) != 0)
			continue;
		out->commands++;
		out->reads += c->read;
		out->id_reads += c->by_id;
		if (c->scan && out->scans++ == 0)
			snprintf(out->first_scan, sizeof out->first_scan, "%s", c->json);
	}
	pthread_mutex_unlock(&m->mu);
}

void
mon_free(struct mon *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = true;
	pthread_mutex_unlock(&m->mu);
	if (write(m->stop_pipe[1], "x", 1) != 1)
		ck_abort_msg("mon: cannot stop the proxy");
	pthread_join(m->accept_th, NULL);
	for (struct mon_conn *c = m->conns, *next; c != NULL; c = next) {
		next = c->next;
		pthread_join(c->th, NULL);
		free(c);
	}
	for (size_t i = 0; i < m->ncmds; i++)
		bson_free(m->cmds[i].json);
	free(m->cmds);
	free(m->needle);
	close(m->listen_fd);
	close(m->stop_pipe[0]);
	close(m->stop_pipe[1]);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
