/*
 * credits: the engine's credits gate. A 402 from the provider closes it:
 * no job sends a request until the next balance check, due
 * LAUNCHWATCH_CREDITS_RECHECK after the last one (the 402, or a check that
 * found none); then one caller polls the balance (/oapi/my/info, free) and
 * credits found open it again, so the engine resumes within one recheck of
 * credits coming back. An engine that starts with jobs an earlier process
 * snoozed on credits seeds the gate from their snooze time, so it checks
 * the balance as soon as one recheck has passed since, whatever those jobs'
 * stored blocked_until says. Any worker thread; the gate has its own mutex.
 */
#ifndef LW_CREDITS_H
#define LW_CREDITS_H

#include <stdbool.h>
#include <stdint.h>

struct xapi;
struct credits_gate;

/* Returns an open gate whose checks are recheck_ms apart. Caller frees. */
struct credits_gate *credits_gate_new(int64_t recheck_ms);
/* Frees g; NULL is a no-op. */
void credits_gate_free(struct credits_gate *g);

/* Closes g after a 402 at now_ms: the next balance check is one recheck
 * later. */
void credits_gate_close(struct credits_gate *g, int64_t now_ms);
/* Closes g for jobs snoozed on credits by an earlier process, the last at
 * last_ms: the next balance check is one recheck after that (at once when
 * that has passed). A gate already closed keeps its earlier check. */
void credits_gate_seed(struct credits_gate *g, int64_t last_ms);

/* What credits_gate_check decided. */
struct credits_check {
	int64_t blocked_until_ms; /* 0: requests may go out; else the next check */
	int requests;             /* balance requests made (0 or 1) */
	int64_t opened_with;      /* > 0: this call found credits (the balance) */
	char *error;              /* the balance call's failure, or NULL; owned */
};

/* Decides whether requests may go out at now_ms; when the gate is closed
 * and its check is due, polls the balance with x (one caller at a time; a
 * rate-limited poll is tried again a second later). Fills *out (free its
 * error). */
void credits_gate_check(
    struct credits_gate *g, struct xapi *x, int64_t now_ms, struct credits_check *out);

/* Returns true when g is closed, with the next check in *next_ms (may be
 * NULL), and the balance checks that found no credits so far in
 * *empty_polls (may be NULL). */
bool credits_gate_closed(struct credits_gate *g, int64_t *next_ms, int *empty_polls);

#endif
