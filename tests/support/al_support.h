/*
 * al_support: loopback servers for the alert tests: a Slack webhook receiver
 * (libmicrohttpd, in process) that can answer a scripted sequence of
 * statuses, and the aiosmtpd server of tests/al_smtpd.py as a child process.
 * Names start with al_ (this file is linked into every test program).
 */
#ifndef LW_AL_SUPPORT_H
#define LW_AL_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct al_slack;

/* Starts a receiver on 127.0.0.1 (free port) that answers request i with
 * statuses[i] for i < n (429 with Retry-After: retry_after_s) and 200 "ok"
 * after that; statuses is copied. Aborts the test on failure. */
struct al_slack *al_slack_start(const int *statuses, size_t n, int retry_after_s);
/* While hold is set, the receiver records each request and then keeps its
 * answer back until hold is cleared (a sender killed meanwhile never learns
 * that its message arrived). */
void al_slack_hold(struct al_slack *r, bool hold);
/* Returns the receiver's port. */
int al_slack_port(struct al_slack *r);
/* Returns the number of requests answered 200 so far. */
size_t al_slack_count(struct al_slack *r);
/* Returns the number of requests of any status so far. */
size_t al_slack_requests(struct al_slack *r);
/* Returns a copy of the body of the i-th request answered 200 (caller
 * frees), or NULL; *at_ns (may be NULL) gets its CLOCK_MONOTONIC arrival. */
char *al_slack_body(struct al_slack *r, size_t i, int64_t *at_ns);
/* Returns the path of the i-th request of any status (caller frees). */
char *al_slack_path(struct al_slack *r, size_t i);
/* Waits until at least want requests were answered 200 or timeout_ms of
 * real time passed; returns the count. */
size_t al_slack_wait(struct al_slack *r, size_t want, int timeout_ms);
/* Stops the receiver and frees it; NULL is a no-op. */
void al_slack_free(struct al_slack *r);

/* Returns a TCP port on 127.0.0.1 that was free a moment ago. */
int al_free_port(void);

/* A running tests/al_smtpd.py. */
struct al_smtpd {
	pid_t pid;
	int port;
	char *dir; /* where messages land (N.eml, N.json) */
};

/* Starts the SMTP server on a free port saving into a new temp dir; with
 * user and password non-NULL, AUTH is required. Aborts the test on failure. */
struct al_smtpd *al_smtpd_start(const char *user, const char *password);
/* Returns how many messages arrived. */
int al_smtpd_count(struct al_smtpd *d);
/* Stops the server, removes its directory and frees d; NULL is a no-op. */
void al_smtpd_free(struct al_smtpd *d);

/* Returns monotonic nanoseconds. */
int64_t al_mono_ns(void);

/* One alert message as a receiver got it: how many alerts it announces and
 * the ones it lists (a digest lists at most 20), each as
 * "HANDLE|TWEET_ID|ACTION". */
struct al_msg {
	int n;
	char **items;
	size_t nitems;
	int64_t at_ns; /* Slack: CLOCK_MONOTONIC arrival; email: file time, CLOCK_REALTIME */
};
/* Parses the i-th Slack message answered 200 into m; false when there is none. */
bool al_slack_msg(struct al_slack *r, size_t i, struct al_msg *m);
/* Parses the i-th email (1-based file N = i + 1) into m; false when there is none. */
bool al_smtpd_msg(struct al_smtpd *d, size_t i, struct al_msg *m);
/* Frees what m holds. */
void al_msg_done(struct al_msg *m);

/* Starts LAUNCHWATCH_BIN with args (NULL-terminated), the test's
 * environment plus env (entries of env win), stdin from /dev/null and
 * stdout and stderr appended to log_path; returns its pid. */
pid_t al_spawn(const char *const *env, const char *const *args, const char *log_path);
/* Sends sig (0: none) to pid and waits up to timeout_ms for it to end, then
 * SIGKILLs it; returns its wait status. */
int al_reap(pid_t pid, int sig, int timeout_ms);

#endif
