/*
 * sim: a twitterapi.io-compatible HTTP server (libmicrohttpd, 127.0.0.1
 * only) serving a synthetic, seeded launch that grows with a virtual clock,
 * with fault injection, a credit budget, and ground-truth endpoints for tests
 * (docs/provider.md lists every option and endpoint). sim_start and sim_free
 * are called by one owner thread; the server answers on its own threads and
 * guards its state with a mutex, so sim_advance may be called from any thread.
 */
#ifndef LW_SIM_H
#define LW_SIM_H

#include <stdbool.h>
#include <stdint.h>

/* Options of a simulator; sim_opts_init sets the defaults noted here. */
struct sim_opts {
	int port;                  /* 0: pick a free port */
	uint64_t seed;             /* 1 */
	int tweets;                /* launch tweets, 3 */
	double rate;               /* engagements per minute per tweet, 30 */
	const char *key;           /* required X-API-Key; NULL: none (copied by sim_start) */
	int fault_429_every;       /* every Nth provider request gets 429 + Retry-After: 1; 0 off */
	int fault_5xx_every;       /* every Nth gets 500; 0 off */
	int fault_malformed_every; /* every Nth gets a truncated JSON body (HTTP 200); 0 off */
	int64_t credits;           /* credit budget; -1: unlimited */
	int expire_cursors_s;      /* cursors older than this (virtual s) are rejected; 0 never */
	int overlap;               /* items repeated across page boundaries, 0 */
	bool phantom_next_page;    /* last page says has_next_page with a cursor to an empty page */
	bool frozen;               /* virtual time moves only by /_sim/advance */
	bool short_pages;          /* replies and retweeters pages sometimes come up short */
	int head_start_s;          /* the launch tweets were posted this long before start, 600 */
	int accounts;              /* size of the account pool (rounded up to a prime), 5003 */
	int64_t start_ms;          /* wall-clock ms of virtual time 0; 0: now, whole seconds */
	double farm_share;         /* share of the pool that are farm accounts (0..0.9), 0 */
};

struct sim;

/* Sets the defaults above. */
void sim_opts_init(struct sim_opts *o);

/* Builds the model and starts serving on 127.0.0.1; returns the simulator
 * (caller frees with sim_free) or NULL with *cause. */
struct sim *sim_start(const struct sim_opts *o, char **cause);
/* Returns the port the simulator listens on. */
int sim_port(struct sim *s);
/* Returns the id of launch tweet i (0-based; borrowed for the simulator's
 * life), or NULL when i is out of range. */
const char *sim_tweet_id(struct sim *s, int i);
/* Moves the virtual clock forward by ms milliseconds (like POST /_sim/advance). */
void sim_advance(struct sim *s, int64_t ms);
/* Stops the server (closing connections) and frees everything; NULL is a no-op. */
void sim_free(struct sim *s);

#endif
