/*
 * engine: starts and stops the scheduler, the alert worker and the
 * close-out hook together, so the console and `launchwatch run` run the same
 * things. The owner thread calls engine_start/stop/free; report_window_end
 * runs on the scheduler thread.
 */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/alertworker.h"
#include "engine/closeout.h"
#include "store/devdb.h"
#include "engine/ingest.h"
#include "engine/scheduler.h"
#include "store/store.h"
#include "base/util.h"
#include "provider/xapi.h"

struct engine {
	struct store *store;
	struct classify_rules *rules;
	struct xapi_config xcfg;
	struct sched *sched;
	struct alertworker *alerts;
	void (*progress)(const char *message, void *arg); /* close-out progress */
	void *progress_arg;
};

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
		rc = classify_rules_load(path, out, cause);
	free(def);
	return rc;
}

/* The close-out's final refresh hook: the engine's scheduler reads every
 * tweet's metrics and walks its lists once more (sched_final_refresh). */
static int
engine_final_refresh(
    struct store *s, const struct campaign *c, void *arg, struct rep_refresh *out, char **cause)
{
	struct engine *e = arg;
	(void)s;
	return sched_final_refresh(e->sched, c, e->progress, e->progress_arg, out, cause);
}

/* The scheduler's window-end hook (declared in scheduler.h): closes campaign
 * c out with closeout_run (final refresh, freeze, CPM, archive, reports).
 * arg is the engine, or NULL to open a store from the environment (then
 * without a final refresh). Scheduler thread. */
int
report_window_end(void *arg, const struct campaign *c)
{
	struct engine *e = arg;
	struct store *s = e ? e->store : NULL;
	struct devdb *dd = NULL;
	struct closeout_result res;
	struct closeout_hooks hooks;
	struct closeout_opts opts;
	char *cause = NULL;
	int rc = -1;
	memset(&hooks, 0, sizeof hooks);
	memset(&opts, 0, sizeof opts);
	opts.write_reports = true;
	if (e) {
		hooks.final_refresh = engine_final_refresh;
		hooks.progress = e->progress;
		hooks.arg = e;
	}
	if (s == NULL && lw_store_open(&s, &dd, &cause) != 0)
		goto done;
	/* the scheduler already ran the campaign's last due jobs; a failure
	 * here leaves it unfrozen (or frozen and not yet archived), and the
	 * next engine start tries again */
	rc = closeout_run(s, c->id, &hooks, &opts, &res, &cause);
	if (e) {
		if (rc == 0)
			ing_logf(sched_log(e->sched), "info", NULL, "campaign %s: close-out %s%s",
			    c->id, res.already_done ? "already done" : "finished; archive ",
			    res.already_done ? "" : res.archive_dir);
		else
			ing_logf(sched_log(e->sched), "error", NULL,
			    "campaign %s: close-out failed: %s; it is tried again later", c->id,
			    cause);
		if (rc != 0 && e->progress) {
			char *msg = xasprintf("close-out failed: %s", cause);
			e->progress(msg, e->progress_arg);
			free(msg);
		}
	}
	if (e == NULL)
		store_free(s);
	devdb_release(dd);
done:
	free(cause);
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
	if (!o->no_alerts && alertworker_opts_from_env(&ao, cause) != 0)
		goto fail;
	sched_opts_init(&so);
	if (o->workers > 0)
		so.workers = o->workers;
	so.once = o->once;
	so.for_ms = o->for_ms;
	so.log = o->log;
	so.rules = o->rules ? o->rules : e->rules;
	so.xcfg = o->xcfg ? o->xcfg : &e->xcfg;
	so.queue = o->queue;
	so.embedded = o->embedded;
	so.window_end = report_window_end;
	so.window_end_arg = e;
	if (env_ms("LAUNCHWATCH_CLOSE_RETRY_MS", 100, 86400000, &so.close_retry_ms, cause) != 0)
		goto fail;
	e->progress = o->closeout_progress;
	e->progress_arg = o->closeout_progress_arg;
	e->sched = sched_new(s, &so);
	rc = sched_start(e->sched, cause);
	if (rc != 0) {
		sched_wait(e->sched, NULL);
		goto fail;
	}
	if (!o->no_alerts) {
		e->alerts = alertworker_new(&ao);
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
engine_wait(struct engine *e, struct sched_stats *st)
{
	int rc = sched_wait(e->sched, st);
	if (e->alerts)
		alertworker_stop(e->alerts);
	return rc;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	sched_free(e->sched);
	alertworker_free(e->alerts);
	classify_rules_free(e->rules);
	xapi_config_done(&e->xcfg);
	free(e);
}
