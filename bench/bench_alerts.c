/*
 * bench_alerts: time from an engagement being offered to the alert worker
 * (alertworker_offer) until a Slack webhook receiver on 127.0.0.1
 * (libmicrohttpd, in this process) has the message. Runs the worker on its
 * own thread with the real clock, memory-only or, with BENCH_MONGODB_URI, on
 * a real database (dedupe lookups and the alerts_sent write included).
 *
 * Build and run (from the repository, after `make`):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Iinclude $(pkg-config --cflags libcurl jansson \
 *     libmongoc-1.0 libmicrohttpd yaml-0.1) -o /tmp/bench_alerts bench/bench_alerts.c \
 *     build/liblaunchwatch.a $(pkg-config --libs libcurl jansson libmongoc-1.0 \
 *     libmicrohttpd yaml-0.1 ncursesw zlib) -lpthread -lm
 *   /tmp/bench_alerts [N]          # N sequential alerts, default 50
 */
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alertworker.h"
#include "config.h"
#include "store.h"
#include "util.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t got_ns;
static int got;

/* Returns monotonic nanoseconds. */
static int64_t
mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Answers every POST with 200 "ok" once its body arrived, noting the time. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	static int marker;
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&mu);
	got_ns = mono_ns();
	got++;
	pthread_mutex_unlock(&mu);
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* Compares two int64 values for qsort. */
static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Offers n engagements one at a time to a worker with the given group wait
 * and reports the offer-to-receiver latency. */
static void
run(struct store *s, const char *label, int n, int64_t group_wait_ms)
{
	static const char *const yaml =
	    "campaigns:\n  - name: Bench launch\n    window: {start: 2025-01-01T00:00:00Z, "
	    "duration: 3650d}\n    tweets: {main: [1861111111111111111]}\n    alerts: "
	    "{min_importance: 70, buckets: [investor], slack_webhook: env:BENCH_HOOK}\n";
	struct cfg_file *f = NULL;
	char *cause = NULL;
	if (config_load_string("bench.yaml", yaml, strlen(yaml), &f, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = s;
	o.group_wait_ms = group_wait_ms;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 0;
	struct alertworker *w = alertworker_new(&o);
	char camp[32];
	snprintf(camp, sizeof camp, "bench-%lld", (long long)(clock_now_ms() % 100000000));
	alertworker_set_campaign(w, camp, &f->campaigns[0]);
	if (alertworker_start(w, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	int64_t *lat = xcalloc((size_t)n, sizeof *lat);
	for (int i = 0; i < n; i++) {
		struct lw_engagement e;
		memset(&e, 0, sizeof e);
		snprintf(e.campaign_id, sizeof e.campaign_id, "%s", camp);
		snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111111");
		snprintf(e.user.id, sizeof e.user.id, "%d", 1000 + i);
		e.user.handle = xasprintf("vc%d", i);
		e.user.name = xasprintf("Partner %d", i);
		e.bucket = BK_INVESTOR;
		e.importance = 90;
		e.evidence = xstrdup("bio: 'vc'");
		e.first_seen_at_ms = clock_now_ms();
		pthread_mutex_lock(&mu);
		int before = got;
		pthread_mutex_unlock(&mu);
		int64_t t0 = mono_ns();
		alertworker_offer(w, &e, 1);
		for (;;) {
			pthread_mutex_lock(&mu);
			int now = got;
			int64_t at = got_ns;
			pthread_mutex_unlock(&mu);
			if (now > before) {
				lat[i] = at - t0;
				break;
			}
			usleep(200);
		}
		lw_user_done(&e.user);
		free(e.evidence);
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp64);
	printf("%-44s n=%-3d p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms\n", label, n,
	    lat[n / 2] / 1e6, lat[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] / 1e6,
	    lat[n - 1] / 1e6);
	free(lat);
	alertworker_free(w);
	config_free(f);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    answer, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
	if (d == NULL || n < 1)
		return 1;
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/services/bench",
	    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	setenv("BENCH_HOOK", url, 1);
	run(NULL, "memory only, group wait 0", n, 0);
	run(NULL, "memory only, default group wait 5 s", 3, 5000);
	const char *uri = getenv("BENCH_MONGODB_URI");
	if (uri != NULL) {
		struct store *s = NULL;
		char *cause = NULL;
		if (store_open(uri, "bench_alerts", &s, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		run(s, "devdb (dedupe + alerts_sent), group wait 0", n, 0);
		store_free(s);
	}
	MHD_stop_daemon(d);
	return 0;
}
