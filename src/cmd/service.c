/*
 * service: the sd_notify side of `launchwatch run` under systemd
 * (include/cmd/service.h). The watchdog thread reads only the engine's
 * atomic sign of life and the signal flag; sd_notify is never called from
 * a signal handler.
 */
#include "cmd/service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "base/util.h"

struct service {
	struct engine *e;
	const volatile sig_atomic_t *stopping;
	uint64_t watchdog_us; /* 0: no watchdog */
	atomic_bool quit;
	bool said_stopping;
	bool threaded;
	pthread_t thread;
};

/* Says STOPPING=1 once. */
static void
say_stopping(struct service *sv)
{
	if (sv->said_stopping)
		return;
	sv->said_stopping = true;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: storing pages in flight, releasing jobs");
}

/* The watchdog thread: pings while the scheduler's loop moves, says
 * STOPPING=1 when the signal flag is set, ends on quit. */
static void *
watchdog_main(void *arg)
{
	struct service *sv = arg;
	int64_t every_ms = sv->watchdog_us ? (int64_t)(sv->watchdog_us / 2000) : 100;
	if (every_ms < 10)
		every_ms = 10;
	int64_t next = 0;
	while (!atomic_load(&sv->quit)) {
		if (*sv->stopping)
			say_stopping(sv);
		int64_t now = clock_now_ms();
		if (sv->watchdog_us && now >= next) {
			/* a scheduler stuck for a whole interval gets no ping:
			 * systemd restarts the service */
			int64_t alive = engine_alive_at(sv->e);
			if (alive > 0 && now - alive <= (int64_t)(sv->watchdog_us / 1000))
				sd_notify(0, "WATCHDOG=1");
			next = now + every_ms;
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

struct service *
service_start(struct engine *e, const volatile sig_atomic_t *stopping)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	if (sock == NULL || *sock == '\0')
		return NULL;
	struct service *sv = xcalloc(1, sizeof *sv);
	sv->e = e;
	sv->stopping = stopping;
	uint64_t us = 0;
	if (sd_watchdog_enabled(0, &us) > 0)
		sv->watchdog_us = us;
	sd_notifyf(
	    0, "READY=1\nSTATUS=running: polling active campaigns (pid %ld)", (long)getpid());
	sv->threaded = pthread_create(&sv->thread, NULL, watchdog_main, sv) == 0;
	return sv;
}

void
service_stop(struct service *sv)
{
	if (sv == NULL)
		return;
	atomic_store(&sv->quit, true);
	if (sv->threaded)
		pthread_join(sv->thread, NULL);
	say_stopping(sv);
	free(sv);
}

bool
service_journal_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev = 0, ino = 0;
	struct stat st;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
