/*
 * wire_proxy: a recording TCP proxy for tests (tests/unit/wire_proxy.h).
 * One accepting thread, one thread per connection that copies bytes both
 * ways with poll() and parses the client's messages (a 16-byte header, then
 * for OP_MSG the flags and sections: kind 0 is the command document). The
 * log is guarded by a mutex; a pipe tells the threads to stop.
 */
#include "wire_proxy.h"

#include <arpa/inet.h>
#include <bson/bson.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"

#define OP_MSG 2013

struct conn {
	int cfd, sfd;
	pthread_t th;
	struct wire_proxy *p;
	unsigned char *buf; /* the client's bytes not parsed yet */
	size_t len, cap;
};

struct wire_proxy {
	int lfd, port, target;
	int stop[2]; /* a byte on stop[1] ends every thread */
	pthread_t th;
	pthread_mutex_t mu;
	struct conn **conns; /* under mu */
	size_t nconns;
	struct wire_cmd *cmds; /* under mu */
	size_t ncmds;
};

/* Writes all n bytes of p to fd; false when the peer is gone. */
static bool
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Returns the little-endian int32 at p. */
static int32_t
le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	                 (uint32_t)p[3] << 24);
}

/* Returns true when filter doc f is exactly {_id: <string>}. */
static bool
is_id_only(const bson_t *f)
{
	bson_iter_t it;
	return bson_count_keys(f) == 1 && bson_iter_init_find(&it, f, "_id") &&
	       BSON_ITER_HOLDS_UTF8(&it);
}

/* Records the command document doc[0..len). */
static void
record(struct wire_proxy *p, const unsigned char *doc, size_t len)
{
	bson_t b;
	bson_iter_t it;
	if (!bson_init_static(&b, doc, len) || !bson_iter_init(&it, &b) || !bson_iter_next(&it))
		return;
	struct wire_cmd c;
	memset(&c, 0, sizeof c);
	snprintf(c.name, sizeof c.name, "%s", bson_iter_key(&it));
	if (BSON_ITER_HOLDS_UTF8(&it))
		snprintf(c.coll, sizeof c.coll, "%s", bson_iter_utf8(&it, NULL));
	bson_iter_t f;
	if (strcmp(c.name, "getMore") == 0 && bson_iter_init_find(&f, &b, "collection") &&
	    BSON_ITER_HOLDS_UTF8(&f))
		snprintf(c.coll, sizeof c.coll, "%s", bson_iter_utf8(&f, NULL));
	c.filter = xstrdup("");
	static const char *const filters[] = {"filter", "query"};
	for (size_t i = 0; i < LW_ARRAY_LEN(filters); i++) {
		if (!bson_iter_init_find(&f, &b, filters[i]) || !BSON_ITER_HOLDS_DOCUMENT(&f))
			continue;
		const uint8_t *data;
		uint32_t dlen;
		bson_iter_document(&f, &dlen, &data);
		bson_t fd;
		if (!bson_init_static(&fd, data, dlen))
			continue;
		char *json = bson_as_relaxed_extended_json(&fd, NULL);
		free(c.filter);
		c.filter = xstrdup(json ? json : "");
		bson_free(json);
		c.id_only = strcmp(c.name, "find") == 0 && is_id_only(&fd);
	}
	c.at_ms = clock_now_ms();
	pthread_mutex_lock(&p->mu);
	p->cmds = xreallocarray(p->cmds, p->ncmds + 1, sizeof *p->cmds);
	p->cmds[p->ncmds++] = c;
	pthread_mutex_unlock(&p->mu);
}

/* Parses the complete messages at the start of c's buffer. */
static void
parse(struct conn *c)
{
	size_t off = 0;
	while (c->len - off >= 16) {
		const unsigned char *m = c->buf + off;
		int32_t len = le32(m), op = le32(m + 12);
		if (len < 16 || (size_t)len > c->len - off)
			break;
		if (op == OP_MSG && len >= 21) {
			uint32_t flags = (uint32_t)le32(m + 16);
			size_t end = (size_t)len - ((flags & 1) ? 4 : 0), s = 20;
			while (s < end) {
				int kind = m[s++];
				if (s + 4 > end)
					break;
				int32_t sz = le32(m + s);
				if (sz < 5 || s + (size_t)sz > end)
					break;
				if (kind == 0)
					record(c->p, m + s, (size_t)sz);
				s += (size_t)sz;
			}
		}
		off += (size_t)len;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

/* Copies one connection's bytes both ways until either side or the proxy
 * stops. */
static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	unsigned char buf[65536];
	for (;;) {
		struct pollfd pf[3] = {
		    {c->cfd, POLLIN, 0}, {c->sfd, POLLIN, 0}, {c->p->stop[0], POLLIN, 0}};
		if (poll(pf, 3, -1) < 0 && errno != EINTR)
			break;
		if (pf[2].revents)
			break;
		if (pf[0].revents) {
			ssize_t n = read(c->cfd, buf, sizeof buf);
			if (n <= 0 || !write_all(c->sfd, buf, (size_t)n))
				break;
			if (c->len + (size_t)n > c->cap) {
				c->cap = (c->len + (size_t)n) * 2;
				c->buf = xreallocarray(c->buf, c->cap, 1);
			}
			memcpy(c->buf + c->len, buf, (size_t)n);
			c->len += (size_t)n;
			parse(c);
		}
		if (pf[1].revents) {
			ssize_t n = read(c->sfd, buf, sizeof buf);
			if (n <= 0 || !write_all(c->cfd, buf, (size_t)n))
				break;
		}
	}
	shutdown(c->cfd, SHUT_RDWR);
	shutdown(c->sfd, SHUT_RDWR);
	return NULL;
}

/* Accepts connections and starts a thread for each. */
static void *
accept_main(void *arg)
{
	struct wire_proxy *p = arg;
	for (;;) {
		struct pollfd pf[2] = {{p->lfd, POLLIN, 0}, {p->stop[0], POLLIN, 0}};
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		if (!pf[0].revents)
			continue;
		int cfd = accept(p->lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		int sfd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET,
		    .sin_port = htons((uint16_t)p->target),
		    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		if (sfd < 0 || connect(sfd, (struct sockaddr *)&a, sizeof a) != 0) {
			close(cfd);
			if (sfd >= 0)
				close(sfd);
			continue;
		}
		struct conn *c = xcalloc(1, sizeof *c);
		c->cfd = cfd;
		c->sfd = sfd;
		c->p = p;
		pthread_mutex_lock(&p->mu);
		p->conns = xreallocarray(p->conns, p->nconns + 1, sizeof *p->conns);
		p->conns[p->nconns++] = c;
		pthread_mutex_unlock(&p->mu);
		if (pthread_create(&c->th, NULL, conn_main, c) != 0)
			abort();
	}
	return NULL;
}

struct wire_proxy *
wire_proxy_start(int port)
{
	struct wire_proxy *p = xcalloc(1, sizeof *p);
	p->target = port;
	pthread_mutex_init(&p->mu, NULL);
	ck_assert_int_eq(pipe(p->stop), 0);
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(p->lfd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	ck_assert_int_eq(bind(p->lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(p->lfd, 64), 0);
	ck_assert_int_eq(getsockname(p->lfd, (struct sockaddr *)&a, &len), 0);
	p->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&p->th, NULL, accept_main, p), 0);
	return p;
}

int
wire_proxy_port(const struct wire_proxy *p)
{
	return p->port;
}

size_t
wire_proxy_take(struct wire_proxy *p, struct wire_cmd **v)
{
	pthread_mutex_lock(&p->mu);
	*v = p->cmds;
	size_t n = p->ncmds;
	p->cmds = NULL;
	p->ncmds = 0;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
wire_cmds_free(struct wire_cmd *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].filter);
	free(v);
}

void
wire_proxy_free(struct wire_proxy *p)
{
	if (p == NULL)
		return;
	ssize_t w = write(p->stop[1], "x", 1);
	(void)w;
	pthread_join(p->th, NULL);
	for (size_t i = 0; i < p->nconns; i++) {
		pthread_join(p->conns[i]->th, NULL);
		close(p->conns[i]->cfd);
		close(p->conns[i]->sfd);
		free(p->conns[i]->buf);
		free(p->conns[i]);
	}
	free(p->conns);
	close(p->lfd);
	close(p->stop[0]);
	close(p->stop[1]);
	wire_cmds_free(p->cmds, p->ncmds);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
