/*
 * engine: starts and stops the scheduler (which closes campaigns out at
 * window end) and the alert worker together, so the console and
 * `launchwatch run` run the same things. The owner thread calls
 * engine_start/stop/free.
 */
#include "engine/engine.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "engine/aggregator.h"
#include "engine/alertworker.h"
#include "engine/ingest.h"
#include "engine/sentiment.h"
#include "config/rules_file.h"
#include "engine/scheduler.h"
#include "engine/writer.h"
#include "store/store.h"
#include "base/util.h"
#include "provider/xapi.h"

struct engine {
	struct store *store;
	struct classify_rules *rules;
	struct classify_rules **retired; /* replaced by reloads: a worker may still read one */
	size_t nretired;
	struct xapi_config xcfg;
	struct sched *sched;
	struct alertworker *alerts;
	struct sentiment *sent; /* the sentiment supervisor, when enabled */
	struct ing_log *log;    /* the writer's and the aggregator's lines */
	struct writer *writer;
	struct aggregator *agg;
};

/* The aggregator's log lines go to the engine's log. */
static void
agg_log(void *arg, const char *level, const char *campaign_id, const char *msg)
{
	struct engine *e = arg;
	if (campaign_id)
		ing_logf(e->log, level, NULL, "campaign %s: %s", campaign_id, msg);
	else
		ing_logf(e->log, level, NULL, "%s", msg);
}

/* The writer appended to a campaign's log: the aggregator and the alert
 * worker follow. */
static void
on_appended(void *arg, const char *campaign_id, int64_t seq)
{
	struct engine *e = arg;
	if (e->agg)
		aggregator_notify(e->agg, campaign_id, seq);
	if (e->alerts)
		alertworker_notify(e->alerts, campaign_id, seq);
	if (e->sent)
		sentiment_notify(e->sent, campaign_id, seq);
}

/* The sentiment supervisor's log lines go to the engine's log. */
static void
sent_log(void *arg, const char *level, const char *msg)
{
	struct engine *e = arg;
	ing_logf(e->log, level, NULL, "%s", msg);
}

/* Tells the alert worker whether campaign_id's replies are being scored. */
static bool
engine_scoring(void *arg, const char *campaign_id)
{
	struct engine *e = arg;
	return e->sent != NULL && sentiment_scoring(e->sent, campaign_id);
}

int
engine_load_rules(const char *path, struct classify_rules **out, char **cause)
{
	char *data = lw_data_dir();
	char *def = xasprintf("%s/rules.yaml", data);
	struct stat sb;
	int rc = 0;
	free(data);
	if (path == NULL && stat(def, &sb) == 0)
		path = def;
	if (path == NULL)
		*out = classify_rules_default();
	else
		rc = rules_file_load(path, out, cause);
	free(def);
	return rc;
}

int
engine_start(struct store *s, const struct engine_opts *o, struct engine **out, char **cause)
{
	struct engine *e = xcalloc(1, sizeof *e);
	struct sched_opts so;
	struct alertworker_opts ao;
	int rc = -1;
	e->store = s;
	xapi_config_init(&e->xcfg);
	*out = NULL;
	if (o->rules == NULL && engine_load_rules(o->rules_path, &e->rules, cause) != 0)
		goto fail;
	if (o->xcfg == NULL && xapi_config_from_env(&e->xcfg, cause) != 0)
		goto fail;
	alertworker_opts_init(&ao);
	ao.store = s;
	ao.poll_all_active = true;
	ao.scoring = engine_scoring;
	ao.scoring_arg = e;
	bool bad = false;
	bool sentiment_on = o->sentiment || sentiment_enabled_by_env(&bad, cause);
	if (bad)
		goto fail;
	if (!o->no_alerts && alertworker_opts_from_env(&ao, cause) != 0)
		goto fail;
	sched_opts_init(&so);
	if (o->workers > 0)
		so.workers = o->workers;
	so.once = o->once;
	if (o->once_wait_ms > 0)
		so.once_wait_ms = o->once_wait_ms;
	so.for_ms = o->for_ms;
	so.log = o->log;
	so.rules = o->rules ? o->rules : e->rules;
	so.xcfg = o->xcfg ? o->xcfg : &e->xcfg;
	so.embedded = o->embedded;
	so.console = o->console;
	so.closeout = true;
	so.closeout_progress = o->closeout_progress;
	so.closeout_progress_arg = o->closeout_progress_arg;
	if (env_ms("LAUNCHWATCH_CLOSE_RETRY_MS", 100, 86400000, &so.close_retry_ms, cause) != 0)
		goto fail;
	if (!o->no_alerts) /* before the writer, which wakes it; started below */
		e->alerts = alertworker_new(&ao);
	e->sched = sched_new(s, &so);
	e->log = ing_log_new(o->log, s, sched_owner(e->sched));
	struct writer_opts wo = {
	    .store = s, .owner = sched_owner(e->sched), .appended = on_appended, .arg = e};
	struct aggregator_opts go = {
	    .store = s, .owner = sched_owner(e->sched), .log = agg_log, .log_arg = e};
	/* the heartbeat before the aggregator takes a lease: an engine killed
	 * in between would hold it with no heartbeat to free it, and the
	 * next engines' prepared aggregates would wait for it to expire */
	rc = sched_begin(e->sched, cause);
	if (rc != 0) {
		sched_wait(e->sched, NULL);
		goto fail;
	}
	rc = -1;
	if (writer_start(&wo, &e->writer, cause) != 0)
		goto fail;
	go.writer = e->writer;
	if (aggregator_start(&go, &e->agg, cause) != 0)
		goto fail;
	sched_set_prepared(e->sched, e->writer, e->agg);
	if (sentiment_on) { /* after the writer, which wakes it */
		struct sentiment_opts sno;
		sentiment_opts_init(&sno);
		sno.store = s;
		sno.owner = sched_owner(e->sched);
		sno.log = sent_log;
		sno.log_arg = e;
		e->sent = sentiment_new(&sno);
		if (sentiment_start(e->sent, cause) != 0)
			goto fail;
	}
	rc = sched_start(e->sched, cause);
	if (rc != 0) {
		sched_wait(e->sched, NULL);
		goto fail;
	}
	if (e->alerts) {
		if (alertworker_start(e->alerts, cause) != 0) {
			engine_request_stop(e);
			engine_wait(e, NULL);
			rc = -1;
			goto fail;
		}
	}
	*out = e;
	return 0;
fail:
	engine_free(e);
	return rc;
}

void
engine_request_stop(struct engine *e)
{
	if (e && e->sched)
		sched_request_stop(e->sched);
}

int
engine_reload_rules(struct engine *e, const char *path, char **cause)
{
	struct classify_rules *r = NULL;
	if (engine_load_rules(path, &r, cause) != 0) {
		ing_logf(e->log, "warn", NULL, "reload: the rules are unchanged: %s", *cause);
		return -1;
	}
	ing_logf(e->log, "info", NULL, "reload: rules from %s; campaigns re-read",
	    path ? path : "the data directory's rules.yaml or the built-in ones");
	e->retired = xreallocarray(e->retired, e->nretired + 1, sizeof *e->retired);
	e->retired[e->nretired++] = r;
	sched_set_rules(e->sched, r);
	sched_refresh_soon(e->sched);
	return 0;
}

int64_t
engine_alive_at(struct engine *e)
{
	return e && e->sched ? sched_loop_at(e->sched) : 0;
}

int
engine_wait(struct engine *e, struct sched_stats *st)
{
	/* the alert worker winds down beside the scheduler, not after it */
	if (e->alerts && sched_stopping(e->sched))
		alertworker_request_stop(e->alerts);
	if (sched_stopping(e->sched))
		sentiment_request_stop(e->sent);
	int rc = sched_wait(e->sched, st);
	if (e->alerts)
		alertworker_stop(e->alerts);
	sentiment_stop(e->sent); /* its leases go back while the heartbeat stands */
	return rc;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	/* the aggregator gives its leases back before the heartbeat goes: a
	 * kill in between leaves the heartbeat, so the next engine frees them */
	aggregator_free(e->agg);
	sentiment_free(e->sent);
	sched_drop_heartbeat(e->sched);
	sched_free(e->sched);
	writer_free(e->writer);
	ing_log_free(e->log);
	alertworker_free(e->alerts);
	classify_rules_free(e->rules);
	for (size_t i = 0; i < e->nretired; i++)
		classify_rules_free(e->retired[i]);
	free(e->retired);
	xapi_config_done(&e->xcfg);
	free(e);
}
