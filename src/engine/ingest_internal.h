/*
 * ingest_internal: what the ingest engine's two files share: the outcome
 * helpers and the credits gate check of src/engine/ingest.c, used by the
 * list walks in src/engine/ingest_walk.c. Only those two files include it.
 * Worker threads.
 */
#ifndef LW_INGEST_INTERNAL_H
#define LW_INGEST_INTERNAL_H

#include <stdint.h>

#include "engine/ingest.h"

/* Records a database failure (takes cause): the job keeps its lease until
 * it expires. */
void ing_db_failed(struct ingest *ing, const struct job *j, struct ing_outcome *o, char *cause);

/* Records the outcome of a failed provider call per the policy table; a
 * retry waits at most max_delay_ms when that is > 0 (a live cursor's safe
 * window). */
void ing_call_failed(struct ingest *ing, const struct job *j, const struct xapi_result *res,
    int64_t requests, int64_t credits, int64_t max_delay_ms, struct ing_outcome *o);

/* Returns 0 when requests may go out now, else until when the credits are
 * out (checking the balance when that is due; its requests are added to
 * *requests). */
int64_t ing_gate_check(struct ingest *ing, struct xapi *x, int64_t *requests);

/* Snoozes job j while the credits gate is closed until until_ms (no
 * request made). */
void ing_gate_blocked(struct ingest *ing, const struct job *j, int64_t until_ms, int64_t requests,
    int64_t credits, struct ing_outcome *o);

#endif
