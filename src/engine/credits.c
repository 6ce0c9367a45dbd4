/*
 * credits: the credits gate (include/engine/credits.h): closed by a 402 or
 * seeded from an earlier process's snoozes, opened by a balance check that
 * finds credits. The balance call runs under the gate's mutex, so one
 * worker checks while the others wait for its answer. Any thread.
 */
#include "engine/credits.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/util.h"
#include "provider/xapi.h"

struct credits_gate {
	pthread_mutex_t mu;
	int64_t recheck_ms;
	bool closed;
	int64_t next_ms; /* when the next balance check may run */
	int empty_polls; /* checks that found no credits */
};

struct credits_gate *
credits_gate_new(int64_t recheck_ms)
{
	struct credits_gate *g = xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	g->recheck_ms = recheck_ms > 0 ? recheck_ms : 300000;
	return g;
}

void
credits_gate_free(struct credits_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void
credits_gate_close(struct credits_gate *g, int64_t now_ms)
{
	pthread_mutex_lock(&g->mu);
	g->closed = true;
	g->next_ms = now_ms + g->recheck_ms;
	pthread_mutex_unlock(&g->mu);
}

void
credits_gate_seed(struct credits_gate *g, int64_t last_ms)
{
	pthread_mutex_lock(&g->mu);
	if (!g->closed) {
		g->closed = true;
		g->next_ms = last_ms + g->recheck_ms;
	}
	pthread_mutex_unlock(&g->mu);
}

void
credits_gate_check(
    struct credits_gate *g, struct xapi *x, int64_t now_ms, struct credits_check *out)
{
	out->blocked_until_ms = 0;
	out->requests = 0;
	out->opened_with = 0;
	out->error = NULL;
	pthread_mutex_lock(&g->mu);
	if (g->closed && now_ms < g->next_ms) {
		out->blocked_until_ms = g->next_ms;
	} else if (g->closed) {
		struct xapi_balance bal;
		struct xapi_result res;
		int rc = xapi_balance(x, &bal, &res);
		out->requests = res.requests;
		if (rc == 0 && bal.recharge_credits + bal.bonus_credits > 0) {
			g->closed = false;
			out->opened_with = bal.recharge_credits + bal.bonus_credits;
		} else {
			if (rc == 0)
				g->empty_polls++;
			else
				out->error =
				    xstrdup(res.message ? res.message : "balance call failed");
			/* a rate-limited check is tried again soon; anything else
			 * waits one recheck */
			g->next_ms =
			    clock_now_ms() + (res.cls == XAPI_RATE_LIMIT ? 1000 : g->recheck_ms);
			out->blocked_until_ms = g->next_ms;
		}
		xapi_result_done(&res);
	}
	pthread_mutex_unlock(&g->mu);
}

bool
credits_gate_closed(struct credits_gate *g, int64_t *next_ms, int *empty_polls)
{
	pthread_mutex_lock(&g->mu);
	bool closed = g->closed;
	if (next_ms)
		*next_ms = g->next_ms;
	if (empty_polls)
		*empty_polls = g->empty_polls;
	pthread_mutex_unlock(&g->mu);
	return closed;
}
