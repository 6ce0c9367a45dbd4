/*
 * ing_support: helpers of the ingest engine's tests (tests/integration/test_ingest*.c):
 * a devdb + simulator + campaign world, runs of `launchwatch run --once`, and
 * the exactness check against the simulator's truth. Test threads only.
 */
#ifndef LW_ING_SUPPORT_H
#define LW_ING_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model/campaign.h"
#include "sim/sim.h"
#include "store/store_jobview.h"
#include "testutil.h"

#define NTWEETS 3

/* One test's world: a devdb, a simulator, a data dir and a campaign. */
struct ing_world {
	struct tu_devdb *db;
	struct sim *sim;
	struct store *s;
	char *dir;
	char base[64];
	char campaign_id[CAMPAIGN_ID_MAX];
	char env_uri[256], env_base[128], env_data[256];
	const char *env[10]; /* NULL-terminated; ing_env_add appends */
};

/* Starts a devdb, the simulator (o, frozen, NTWEETS tweets) and adds a
 * campaign of its tweets with 1 s cadences; runs use LAUNCHWATCH_QPS=qps. */
void ing_world_start(struct ing_world *w, struct sim_opts *o, const char *qps);
/* Stops and removes everything. */
/* Adds (or re-adds) the campaign with the first ntweets launch tweets. */
void ing_campaign_add(struct ing_world *w, int ntweets);
/* Adds (or re-adds) the campaign with the first ntweets launch tweets and
 * every cadence set to cadence ("1s", "10m"). */
void ing_campaign_add_cadence(struct ing_world *w, int ntweets, const char *cadence);
/* Adds "NAME=value" (borrowed; must outlive the world) to the runs'
 * environment. */
void ing_env_add(struct ing_world *w, const char *entry);
void ing_world_stop(struct ing_world *w);
/* Runs `run --once` right away (SIGKILLed after timeout_ms: then -1);
 * returns the exit status. */
int ing_run_once(struct ing_world *w, int timeout_ms);
/* As ing_run_once, keeping the run's output in *r (caller calls
 * tu_run_done). */
int ing_run_once_r(struct ing_world *w, int timeout_ms, struct tu_run *r);
/* Calls a simulator endpoint and returns its JSON (caller decrefs). */
json_t *ing_sim_call(struct ing_world *w, const char *method, const char *path);
/* Returns o[a][b] as an integer. */
int64_t ing_jint2(json_t *o, const char *a, const char *b);
/* Asserts engagements equal the truth and every tweet's slices add up to its
 * latest counts minus its first baseline; returns the engagement count. */
size_t ing_check_exact(struct ing_world *w);
/* Asserts the campaign's prepared aggregates in the database equal a
 * recomputation from its stored engagements and slices field by field, and
 * that its unique accounts per bucket equal a count made from the
 * engagements directly (each account in the bucket of its most important
 * engagement); returns the unique accounts. */
int64_t ing_check_prepared(struct ing_world *w);
/* Stops the devdb and starts it again over the same data and port. */
void ing_devdb_restart(struct ing_world *w);
/* Moves the simulator's clock forward by secs. */
void ing_advance(struct ing_world *w, int secs);
/* Returns ceil(a / b). */
int64_t ing_ceil_div(int64_t a, int64_t b);
/* Reads the campaign's jobs into a new array (free it with stj_jobs_free)
 * and asserts there is one per tweet and kind. */
struct stj_job *ing_jobs_read(struct ing_world *w, size_t *n);

#endif
