/*
 * service: `launchwatch run` under systemd (Type=notify): readiness, the
 * watchdog and the stop, through libsystemd's sd_notify. Nothing happens
 * when NOTIFY_SOCKET is unset. service_start/service_stop belong to the
 * main thread; the watchdog runs on a thread of its own.
 */
#ifndef LW_SERVICE_H
#define LW_SERVICE_H

#include <signal.h>
#include <stdbool.h>

struct engine;
struct service;

/* Tells systemd the engine e is ready (READY=1 with a STATUS line), then
 * pings the watchdog (WATCHDOG=1) every half of WATCHDOG_USEC while the
 * engine's scheduler loop keeps moving, and says STOPPING=1 as soon as
 * *stopping is set (by a signal handler). Returns NULL when the process
 * is not a notify service (no NOTIFY_SOCKET). */
struct service *service_start(struct engine *e, const volatile sig_atomic_t *stopping);

/* Says STOPPING=1 (once) and ends the watchdog thread; NULL is a no-op. */
void service_stop(struct service *sv);

/* Returns true when stderr is connected to the journal (JOURNAL_STREAM
 * names stderr's device and inode): log lines then carry a level prefix
 * and no timestamps of their own. */
bool service_journal_stderr(void);

#endif
