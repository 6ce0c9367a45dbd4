/*
 * Tests of the JSON endpoint's guard against hostile clients, over real
 * loopback sockets to a real libmicrohttpd server started in this process
 * (jsonapi_start with a token and short limits): slow-header connections
 * trickling a byte at a time from several loopback addresses are closed by
 * the header deadline (bytes do not reset it) while authorised requests keep
 * succeeding, one address is held to its connection limit, and a request
 * is answered (405, 401, 400) from its headers alone, before any body it
 * announces, and a target with "%00" or ".." is refused with a JSON 400.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/jsonapi.h"
#include "base/util.h"

#define TOKEN     "slow-test-token-0123456789"
#define HEADER_MS 1500
#define SLACK_MS  1500 /* scheduling on a loaded two-core machine */

/* Starts a server on 127.0.0.1 with lim and returns it; *port is its port. */
static struct jsonapi *
server(const struct jsonapi_limits *lim, int *port)
{
	char *cause = NULL;
	struct jsonapi *j = jsonapi_start("127.0.0.1:0", TOKEN, lim, &cause);
	ck_assert_msg(j != NULL, "%s", cause ? cause : "");
	const char *a = strrchr(jsonapi_address(j), ':');
	*port = atoi(a + 1);
	return j;
}

/* Returns a socket connected from loopback address src to 127.0.0.1:port
 * (non-blocking when nb), or -1 when the connection is refused. */
static int
connect_from(const char *src, int port, bool nb)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, src, &a.sin_addr);
	ck_assert_msg(
	    bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind %s: %s", src, strerror(errno));
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	if (nb)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Sends req (whole) from 127.0.0.1 and reads the answer until the server
 * closes or 5 s pass; returns the status code (0 when none came) and the
 * body in body (size n). */
static int
http_raw(int port, const char *req, char *body, size_t n)
{
	int fd = connect_from("127.0.0.1", port, false);
	if (fd < 0)
		return 0;
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char buf[8192];
	size_t got = 0;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req)) {
		ssize_t r;
		while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
			got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	const char *b = strstr(buf, "\r\n\r\n");
	snprintf(body, n, "%s", b ? b + 4 : "");
	return status;
}

/* Sends an authorised GET of path; returns the status. */
static int
get_authorised(int port, const char *path, char *body, size_t n)
{
	char req[512];
	snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " TOKEN
	    "\r\nConnection: close\r\n\r\n",
	    path);
	return http_raw(port, req, body, n);
}

/* One slow client: its socket, when it opened and when it last sent. */
struct slow {
	int fd;
	int64_t opened, sent;
	const char *src;
};

/* Opens s again from its address and sends the start of a request. */
static void
slow_open(struct slow *s, int port)
{
	s->fd = connect_from(s->src, port, true);
	s->opened = s->sent = clock_mono_ms();
	static const char start[] = "GET /api/campaigns HTTP/1.1\r\nHost: x\r\n";
	if (s->fd >= 0 && send(s->fd, start, sizeof start - 1, MSG_NOSIGNAL) < 0) {
		close(s->fd);
		s->fd = -1;
	}
}

/* Returns true when the server closed s (EOF, reset or a refused write). */
static bool
slow_closed(struct slow *s)
{
	char b[512];
	ssize_t r = read(s->fd, b, sizeof b);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* What one attack measured. */
struct attack {
	int asked, ok;              /* authorised GETs and the ones answered 200 */
	int closed;                 /* slow connections the server closed */
	int64_t min_life, max_life; /* of those closed, ms from connect */
	unsigned long nshed;
};

/* nslow slow clients from five addresses trickle a header byte every
 * 100 ms and reconnect when closed, for four header deadlines; meanwhile an
 * authorised GET goes out every ~50 ms from 127.0.0.1. */
static void
attack(int nslow, int total, struct attack *m)
{
	struct jsonapi_limits lim = {
	    .header_ms = HEADER_MS, .idle_s = 30, .per_ip = 16, .total = (unsigned)total};
	int port;
	struct jsonapi *j = server(&lim, &port);
	static const char *const srcs[] = {
	    "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"};
	struct slow sl[64];
	ck_assert_int_le(nslow, (int)LW_ARRAY_LEN(sl));
	for (int i = 0; i < nslow; i++) {
		sl[i].src = srcs[i % LW_ARRAY_LEN(srcs)];
		slow_open(&sl[i], port);
	}
	memset(m, 0, sizeof *m);
	m->min_life = INT64_MAX;
	int64_t end = clock_mono_ms() + 4 * HEADER_MS, last_get = 0;
	char body[4096];
	while (clock_mono_ms() < end) {
		int64_t now = clock_mono_ms();
		for (int i = 0; i < nslow; i++) {
			struct slow *s = &sl[i];
			if (s->fd < 0) {
				slow_open(s, port);
				continue;
			}
			if (slow_closed(s)) {
				int64_t life = now - s->opened;
				m->max_life = life > m->max_life ? life : m->max_life;
				m->min_life = life < m->min_life ? life : m->min_life;
				m->closed++;
				close(s->fd);
				slow_open(s, port);
			} else if (now - s->sent >= 100) {
				/* one byte of an endless header line: each resets an idle timer */
				if (send(s->fd, "X", 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
					close(s->fd);
					s->fd = -1;
				}
				s->sent = now;
			}
		}
		if (now - last_get >= 50) {
			last_get = now;
			m->asked++;
			int st = get_authorised(port, "/api/campaigns", body, sizeof body);
			if (st == 200 && strstr(body, "\"campaigns\""))
				m->ok++;
			else
				fprintf(stderr, "authorised GET %d failed: %d %s\n", m->asked, st,
				    body);
		}
		usleep(10 * 1000);
	}
	/* the ones still open must be younger than the deadline allows */
	int64_t now = clock_mono_ms();
	for (int i = 0; i < nslow; i++) {
		if (sl[i].fd < 0)
			continue;
		if (!slow_closed(&sl[i]) && now - sl[i].opened > m->max_life)
			m->max_life = now - sl[i].opened;
		close(sl[i].fd);
	}
	unsigned open;
	jsonapi_counts(j, &open, &m->nshed);
	fprintf(stderr,
	    "slow headers, %d slow clients, ceiling %d: %d/%d authorised GETs answered 200 "
	    "(%.1f %%); %d slow connections closed by the server (%lu shed by the guard), "
	    "lifetimes %lld..%lld ms (deadline %d ms)\n",
	    nslow, total, m->ok, m->asked, m->asked ? 100.0 * m->ok / m->asked : 0.0, m->closed,
	    m->nshed, (long long)m->min_life, (long long)m->max_life, HEADER_MS);
	jsonapi_free(j);
}

/* Below the ceiling, 24 slow clients each hold a connection until the
 * header deadline, not past it and not before (their bytes do not extend
 * it); every authorised GET meanwhile is answered. */
START_TEST(test_slow_headers_deadline)
{
	struct attack m;
	attack(24, 32, &m);
	ck_assert_int_ge(m.asked, 20);
	ck_assert_int_eq(m.ok, m.asked);
	ck_assert_int_ge(m.closed, 24); /* every one closed at least once */
	ck_assert_msg(m.min_life >= HEADER_MS - 50, "a slow connection closed after %lld ms",
	    (long long)m.min_life);
	ck_assert_msg(m.max_life <= HEADER_MS + SLACK_MS, "a slow connection lived %lld ms",
	    (long long)m.max_life);
}
END_TEST

/* Above the ceiling (48 slow clients reconnecting at once for 32 places),
 * the connection waiting longest for its headers gives way to each new
 * one, so every authorised GET is still answered. */
START_TEST(test_slow_headers_ceiling)
{
	struct attack m;
	attack(48, 32, &m);
	ck_assert_int_ge(m.asked, 20);
	ck_assert_int_eq(m.ok, m.asked);
	ck_assert_int_ge((int)m.nshed, 48);
	ck_assert_msg(m.max_life <= HEADER_MS + SLACK_MS, "a slow connection lived %lld ms",
	    (long long)m.max_life);
}
END_TEST

/* One address gets per_ip connections; the next ones are closed at once
 * while another address is still served. */
START_TEST(test_per_ip_limit)
{
	struct jsonapi_limits lim = {.header_ms = 5000, .idle_s = 30, .per_ip = 4, .total = 64};
	int port;
	struct jsonapi *j = server(&lim, &port);
	int fds[8];
	for (int i = 0; i < 8; i++)
		fds[i] = connect_from("127.0.0.9", port, true);
	/* the server accepts and closes the extra ones: poll for their EOF */
	int64_t deadline = clock_mono_ms() + 3000;
	int gone = 0;
	while (clock_mono_ms() < deadline) {
		gone = 0;
		for (int i = 0; i < 8; i++) {
			struct slow s = {.fd = fds[i]};
			gone += fds[i] < 0 || slow_closed(&s);
		}
		if (gone >= 4)
			break;
		usleep(20 * 1000);
	}
	ck_assert_int_eq(gone, 4);
	char body[4096];
	ck_assert_int_eq(get_authorised(port, "/api/campaigns", body, sizeof body), 200);
	/* the GET's own connection closes on the server's side soon after */
	unsigned open = 0;
	unsigned long nshed;
	for (deadline = clock_mono_ms() + 3000; clock_mono_ms() < deadline; usleep(20 * 1000)) {
		jsonapi_counts(j, &open, &nshed);
		if (open == 4)
			break;
	}
	ck_assert_uint_eq(open, 4);
	for (int i = 0; i < 8; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	jsonapi_free(j);
}
END_TEST

/* Requests answered from their headers: a body they announce is never
 * awaited (the answer comes though the body never does). */
static const struct {
	const char *req;
	int status;
	const char *word;
} early[] = {
    {"POST /api/campaigns HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 405, "read-only"},
    {"GET /api/campaigns HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 401,
        "unauthorized"},
    {"GET /api/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
     "\r\nContent-Length: 100000\r\n\r\n",
        400, "no body"},
    {"GET /api/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
     "\r\nTransfer-Encoding: chunked\r\n\r\n",
        400, "no body"},
    {"GET /api/campaigns/%00/aggregates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
     "\r\nConnection: close\r\n\r\n",
        400, "NUL"},
    {"GET /api/campaigns/../campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
     "\r\nConnection: close\r\n\r\n",
        400, ".."},
    {"GET /api/campaigns/%zz/aggregates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
     "\r\nConnection: close\r\n\r\n",
        400, "percent"},
};

START_TEST(test_answer_before_body)
{
	int port;
	struct jsonapi *j = server(NULL, &port);
	char body[4096];
	for (size_t i = 0; i < LW_ARRAY_LEN(early); i++) {
		int64_t t0 = clock_mono_ms();
		int st = http_raw(port, early[i].req, body, sizeof body);
		int64_t ms = clock_mono_ms() - t0;
		ck_assert_msg(st == early[i].status, "request %zu: %d %s", i, st, body);
		ck_assert_msg(strstr(body, early[i].word) && strstr(body, "\"error\""),
		    "request %zu: %s", i, body);
		ck_assert_msg(ms < 4000, "request %zu waited %lld ms", i, (long long)ms);
	}
	ck_assert_int_eq(get_authorised(port, "/api/campaigns", body, sizeof body), 200);
	jsonapi_free(j);
}
END_TEST

static Suite *
api_slow_suite(void)
{
	Suite *s = suite_create("api_slow");
	TCase *tc = tcase_create("guard");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_slow_headers_deadline);
	tcase_add_test(tc, test_slow_headers_ceiling);
	tcase_add_test(tc, test_per_ip_limit);
	tcase_add_test(tc, test_answer_before_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(api_slow_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
