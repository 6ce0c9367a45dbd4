/*
 * scheduler_internal: the scheduler's state, shared by its threads'
 * files (scheduler.c: the scheduler and watchdog threads, sched_worker.c:
 * the workers). Everything shared is guarded by mu.
 */
#ifndef LW_SCHEDULER_INTERNAL_H
#define LW_SCHEDULER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/ingest.h"
#include "engine/schedq.h"
#include "engine/scheduler.h"

#define TICK_MS 100 /* longest wait before a thread rechecks the stop flag */

struct sched {
	struct store *s;
	struct sched_opts o;
	char owner[128];
	char host[64];
	int64_t started_ms;
	struct sti_heartbeat hb; /* the engine's heartbeat document, less beat_at */
	struct jobs *jobs;
	struct ing_log *log;
	struct ingest ing;
	struct aggregator *agg; /* borrowed; NULL: none */
	struct writer *writer;  /* borrowed; NULL: pages are written directly */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct schedq sq; /* campaigns, queue, jobs in flight, totals */
	bool finished;
	int credits_jobs; /* jobs seen snoozed on credits at the last look */
	/* the jobs of the runnable campaigns as last listed (scheduler thread),
	 * kept current by reading each finished job back by _id, so the
	 * periodic look for due jobs costs no scan of worker_state */
	struct sq_known known;
	uint64_t known_sig;     /* of the campaigns they were listed for */
	int64_t next_rescan_ms; /* the whole list is read again then */
	uint64_t camps_sig;     /* of the campaigns as last read (under mu) */
	struct stale {
		char id[JOB_ID_MAX];
		bool db_error; /* its run ended on a database error */
	} * stale;             /* finished since the last look (under mu) */
	size_t nstale;

	atomic_bool stop;
	_Atomic int64_t loop_at_ms; /* the scheduler thread's last turn of its loop */
	atomic_bool refresh_soon;   /* re-read the campaigns at the next turn */
	bool begun;                 /* sched_begin: checked, heartbeat written */
	bool hb_drop;               /* sched_wait: the heartbeat may go (sched_drop_heartbeat) */
	pthread_t sched_thread;
	pthread_t watch_thread;
	pthread_t *workers;
	int nworkers;
	bool started;
	bool watching;
};

/* Waits on sc->cv (sc->mu held) for ms, at most TICK_MS. */
void sched_wait_ms(struct sched *sc, int64_t ms);

/* A worker thread (arg: the struct sched): takes, claims, runs and records
 * jobs until the end. */
void *sched_worker_main(void *arg);

#endif
