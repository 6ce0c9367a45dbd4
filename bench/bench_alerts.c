/*
 * bench_alerts: alert latency on a database (BENCH_MONGODB_URI; without it
 * the program says so and does nothing). First the worker alone: a page of
 * one matching engagement handed to the engine's group-commit writer
 * (writer_put_page: the insert, the change-log entry, the wake-up of the
 * alert worker) until a Slack webhook receiver on 127.0.0.1 (libmicrohttpd,
 * in this process) has the message, the worker on its own thread with the
 * real clock (the engagement read by `_id`, dedupe lookups and the
 * alerts_sent write included).
 *
 * Build and run (from the repository, after `make`):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Iinclude $(pkg-config --cflags libcurl jansson \
 *     libmongoc-1.0 libmicrohttpd yaml-0.1) -o /tmp/bench_alerts bench/bench_alerts.c \
 *     build/liblaunchwatch.a $(pkg-config --libs libcurl jansson libmongoc-1.0 \
 *     libmicrohttpd yaml-0.1 ncursesw zlib) -lpthread -lm
 *   BENCH_MONGODB_URI=... /tmp/bench_alerts [N]   # N sequential alerts, default 50
 *
 * Then the whole path through the engine (include/engine/engine.h:
 * scheduler, ingest workers, the writer's wake-up of the alert worker,
 * digests, Slack and SMTP): the in-process simulator (frozen clock) gets a
 * campaign whose every engagement alerts; at a random moment the
 * simulator's clock is advanced (new engagements exist from then on) and
 * the time until the Slack receiver and the aiosmtpd server of
 * tests/al_smtpd.py (run with /usr/bin/python3 from the repository) have
 * the message is recorded. Rows: every cadence 2 s with short alert
 * timings, every cadence 2 s with the default alert timings (samples a
 * group interval apart), and the default cadences (metrics 5m, lists 10m)
 * with BENCH_ALERTS_DEFAULT_SAMPLES samples (default 1; each takes up to one
 * cadence). BENCH_ALERTS_E2E=short, default or none picks which.
 */
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/alertworker.h"
#include "engine/writer.h"
#include "model/classify.h"
#include "config/config.h"
#include "engine/engine.h"
#include "sim/sim.h"
#include "store/store.h"
#include "base/util.h"
#include "provider/xapi.h"

extern char **environ;

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

/* The writer appended to a campaign's log: wake the worker, as the engine
 * does. */
static void
on_appended(void *arg, const char *campaign_id, int64_t seq)
{
	alertworker_notify(arg, campaign_id, seq);
}

/* Hands n pages of one matching engagement each, one at a time, to a writer
 * that wakes a worker with the given group wait, and reports the
 * page-to-receiver latency. */
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
	struct alertworker *w = alertworker_new(&o);
	struct writer_opts wo = {.store = s, .owner = "bench", .appended = on_appended, .arg = w};
	struct writer *wr = NULL;
	char camp[32];
	snprintf(camp, sizeof camp, "bench-%lld", (long long)(clock_now_ms() % 100000000));
	alertworker_set_campaign(w, camp, &f->campaigns[0]);
	if (alertworker_start(w, &cause) != 0 || writer_start(&wo, &wr, &cause) != 0) {
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
		bool is_new = false;
		struct writer_page pg = {.campaign_id = camp,
		    .eng = &e,
		    .n = 1,
		    .now_ms = clock_now_ms(),
		    .is_new = &is_new};
		pthread_mutex_lock(&mu);
		int before = got;
		pthread_mutex_unlock(&mu);
		int64_t t0 = mono_ns();
		if (writer_put_page(wr, s, &pg, &cause) != 0) {
			fprintf(stderr, "bench: %s\n", cause);
			exit(1);
		}
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
	writer_free(wr);
	alertworker_free(w);
	config_free(f);
}

/* ---- end to end through the engine ------------------------------------ */

/* Returns CLOCK_REALTIME nanoseconds (the SMTP server's file times). */
static int64_t
real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleeps ns nanoseconds (nothing when ns <= 0). */
static void
sleep_ns(int64_t ns)
{
	if (ns <= 0)
		return;
	struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A running tests/al_smtpd.py. */
struct smtpd {
	pid_t pid;
	int port;
	char dir[64];
};

/* Starts tests/al_smtpd.py on a free port, saving into a new temp dir. */
static int
smtpd_start(struct smtpd *d)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	close(fd);
	d->port = ntohs(sa.sin_port);
	snprintf(d->dir, sizeof d->dir, "/tmp/bench_smtpd.XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		return -1;
	char port[16];
	snprintf(port, sizeof port, "%d", d->port);
	int out[2];
	if (pipe(out) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {
	    (char *)"/usr/bin/python3", (char *)"tests/al_smtpd.py", port, d->dir, NULL};
	int rc = posix_spawn(&d->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	char buf[64] = "";
	size_t got_b = 0;
	int64_t end = mono_ns() + 20000000000LL;
	while (
	    rc == 0 && strstr(buf, "READY") == NULL && mono_ns() < end && got_b < sizeof buf - 1) {
		struct pollfd p = {out[0], POLLIN, 0};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t k = read(out[0], buf + got_b, sizeof buf - 1 - got_b);
		if (k <= 0)
			break;
		got_b += (size_t)k;
		buf[got_b] = '\0';
	}
	close(out[0]);
	return rc == 0 && strstr(buf, "READY") != NULL ? 0 : -1;
}

/* Returns the number of messages saved so far; *last_ns gets the newest
 * one's file time (CLOCK_REALTIME). */
static int
smtpd_count(const struct smtpd *d, int64_t *last_ns)
{
	for (int n = 0;; n++) {
		char p[128];
		struct stat sb;
		snprintf(p, sizeof p, "%s/%d.json", d->dir, n + 1);
		if (stat(p, &sb) != 0)
			return n;
		*last_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	}
}

/* Stops the server and removes its directory. */
static void
smtpd_stop(struct smtpd *d)
{
	int st;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, &st, 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", d->dir);
}

/* Returns the Slack messages received so far and the newest one's time. */
static int
slack_count(int64_t *last_ns)
{
	pthread_mutex_lock(&mu);
	int n = got;
	*last_ns = got_ns;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Waits until both receivers have more than the given counts (or 30 min);
 * fills the arrival times. 0, or -1 on timeout. */
static int
wait_both(int slack0, int mail0, const struct smtpd *d, int64_t *slack_ns, int64_t *mail_ns)
{
	int64_t end = mono_ns() + 1800 * 1000000000LL;
	bool s_ok = false, m_ok = false;
	while ((!s_ok || !m_ok) && mono_ns() < end) {
		int64_t t;
		if (!s_ok && slack_count(&t) > slack0) {
			s_ok = true;
			*slack_ns = t;
		}
		if (!m_ok && smtpd_count(d, &t) > mail0) {
			m_ok = true;
			*mail_ns = t;
		}
		usleep(2000);
	}
	return s_ok && m_ok ? 0 : -1;
}

/* Prints p50 and max of n latencies in seconds. */
static void
print_row(const char *label, const char *which, int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp64);
	printf("%-58s %-5s n=%-2d min %7.2f s  p50 %7.2f s  max %7.2f s\n", label, which, n,
	    v[0] / 1e9, v[n / 2] / 1e9, v[n - 1] / 1e9);
}

/* One end-to-end row: a fresh database and simulator, the engine with
 * every cadence cadence_s (0: the defaults, 5m metrics and 10m lists) and
 * the alert timings in env (NULL: defaults), samples advances at a random
 * moment, at least gap_s after the previous alert. */
static void
run_e2e(const char *uri, const struct smtpd *d, const char *label, int cadence_s,
    const char *const *env, int samples, int gap_s)
{
	int phase_s = cadence_s > 0 ? cadence_s : 600;
	static const char *const knobs[] = {"LAUNCHWATCH_ALERT_GROUP_WAIT_MS",
	    "LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS", "LAUNCHWATCH_ALERT_POLL_MS"};
	for (int i = 0; i < 3; i++)
		if (env != NULL && env[i] != NULL)
			setenv(knobs[i], env[i], 1);
		else
			unsetenv(knobs[i]);
	char *cause = NULL;
	struct sim_opts so;
	sim_opts_init(&so);
	so.frozen = true;
	so.tweets = 1;
	so.rate = 6;
	so.seed = (uint64_t)phase_s * 7 + (uint64_t)samples;
	struct sim *sim = sim_start(&so, &cause);
	struct store *s = NULL;
	char dbname[64];
	snprintf(dbname, sizeof dbname, "bench_alerts_e2e_%lld", (long long)(real_ns() / 1000000));
	if (sim == NULL || store_open(uri, dbname, &s, &cause) != 0) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	char *cad = cadence_s > 0 ? xasprintf("    cadence: {metrics: %ds, retweets: %ds, "
	                                      "replies: %ds, quotes: %ds}\n",
	                                cadence_s, cadence_s, cadence_s, cadence_s)
	                          : xstrdup("");
	char *yaml = xasprintf(
	    "campaigns:\n  - name: Bench e2e launch\n"
	    "    window: {start: 2025-01-01T00:00:00Z, duration: 3650d}\n"
	    "    tweets: {main: [%s]}\n%s"
	    "    alerts: {min_importance: 0, slack_webhook: env:BENCH_HOOK, quiet_window: 30m,\n"
	    "             email: {to: [team@acme.example], smtp_url: \"smtp://127.0.0.1:%d\"}}\n",
	    sim_tweet_id(sim, 0), cad, d->port);
	free(cad);
	struct cfg_file *f = NULL;
	struct store_upsert_result up;
	if (config_load_string("bench.yaml", yaml, strlen(yaml), &f, &cause) != 0 ||
	    store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &up, &cause) != 0 ||
	    store_campaign_set_status(s, up.id, CS_ACTIVE, clock_now_ms(), &cause) != 0) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	struct xapi_config xcfg;
	xapi_config_init(&xcfg);
	xcfg.base_url = xasprintf("http://127.0.0.1:%d", sim_port(sim));
	struct classify_rules *rules = classify_rules_default();
	struct engine_opts eo = {.workers = 2, .rules = rules, .xcfg = &xcfg};
	struct engine *eng = NULL;
	int64_t t;
	int slack0 = slack_count(&t), mail0 = smtpd_count(d, &t);
	if (engine_start(s, &eo, &eng, &cause) != 0) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	/* the backfill's alert: the launch so far, one digest per channel */
	int64_t s_ns = 0, m_ns = 0;
	if (wait_both(slack0, mail0, d, &s_ns, &m_ns) != 0) {
		fprintf(stderr, "bench: the first alert never came\n");
		exit(1);
	}
	int64_t last_real = m_ns > real_ns() ? m_ns : real_ns();
	int64_t *ls = xcalloc((size_t)samples, sizeof *ls);
	int64_t *lm = xcalloc((size_t)samples, sizeof *lm);
	srand((unsigned)phase_s * 31u + (unsigned)samples);
	for (int i = 0; i < samples; i++) {
		/* wait out the group interval since the last message, then a
		 * random part of the cadence, so the advance lands at a random
		 * phase of the ingest schedule */
		sleep_ns(last_real + (int64_t)gap_s * 1000000000LL - real_ns());
		sleep_ns((int64_t)(rand() % (phase_s * 1000)) * 1000000LL);
		slack0 = slack_count(&t);
		mail0 = smtpd_count(d, &t);
		int64_t t_mono = mono_ns(), t_real = real_ns();
		sim_advance(sim, 60000); /* about 6 new engagements, all alerting */
		if (wait_both(slack0, mail0, d, &s_ns, &m_ns) != 0) {
			fprintf(stderr, "bench: sample %d never arrived\n", i);
			exit(1);
		}
		ls[i] = s_ns - t_mono;
		lm[i] = m_ns - t_real;
		last_real = m_ns;
		if (getenv("BENCH_VERBOSE"))
			fprintf(stderr, "%s: sample %d: slack %.2f s, email %.2f s\n", label, i,
			    ls[i] / 1e9, lm[i] / 1e9);
	}
	print_row(label, "slack", ls, samples);
	print_row(label, "email", lm, samples);
	fflush(stdout);
	engine_request_stop(eng);
	engine_wait(eng, NULL);
	engine_free(eng);
	classify_rules_free(rules);
	xapi_config_done(&xcfg);
	config_free(f);
	free(yaml);
	free(ls);
	free(lm);
	store_free(s);
	sim_free(sim);
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
	const char *uri = getenv("BENCH_MONGODB_URI");
	if (uri == NULL) {
		printf("bench_alerts: set BENCH_MONGODB_URI (the worker follows a change log in a "
		       "database)\n");
		MHD_stop_daemon(d);
		return 0;
	}
	{
		struct store *s = NULL;
		char *cause = NULL;
		if (store_open(uri, "bench_alerts", &s, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		run(s, "writer to receiver, group wait 0", n, 0);
		run(s, "writer to receiver, default group wait 5 s", 3, 5000);
		store_free(s);

		struct smtpd sd;
		if (smtpd_start(&sd) != 0) {
			fprintf(stderr, "bench: cannot start tests/al_smtpd.py\n");
			return 1;
		}
		const char *only = getenv("BENCH_ALERTS_E2E"); /* "short", "default" */
		const char *dn = getenv("BENCH_ALERTS_DEFAULT_SAMPLES");
		int ndef = dn != NULL ? atoi(dn) : 1;
		static const char *const quick[] = {"1000", "0", "1000"};
		if (only == NULL || strcmp(only, "short") == 0) {
			run_e2e(
			    uri, &sd, "engine, cadence 2s, alert timings 1s/0/1s", 2, quick, 10, 2);
			run_e2e(
			    uri, &sd, "engine, cadence 2s, default alert timings", 2, NULL, 4, 61);
		}
		if ((only == NULL || strcmp(only, "default") == 0) && ndef > 0)
			run_e2e(uri, &sd,
			    "engine, default cadences (5m/10m), default alert timings", 0, NULL,
			    ndef, 61);
		smtpd_stop(&sd);
	}
	MHD_stop_daemon(d);
	return 0;
}
