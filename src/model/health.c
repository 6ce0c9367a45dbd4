/*
 * health: the verdict and the three renderings of an installation's health
 * (include/model/health.h). Pure; any thread.
 */
#include "model/health.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"

void
health_done(struct health *h)
{
	free(h->c);
	memset(h, 0, sizeof *h);
}

/* Returns true when every runnable campaign's jobs have gone without a
 * success for HEALTH_PROVIDER_MS while some of them fail: the provider
 * cannot be reached (or refuses every call). */
static bool
provider_down(const struct health *h)
{
	bool any = false;
	for (size_t i = 0; i < h->n; i++) {
		const struct health_campaign *c = &h->c[i];
		if (!c->runnable)
			continue;
		if (c->jobs[JST_RETRY] == 0 || h->at_ms - c->last_success_ms < HEALTH_PROVIDER_MS)
			return false;
		any = true;
	}
	return any;
}

enum health_verdict
health_judge(const struct health *h, char *why, size_t size)
{
	size_t held = 0, late = 0, runnable = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (!h->c[i].runnable)
			continue;
		runnable++;
		held += h->c[i].held;
		late += h->c[i].late;
	}
	if (!h->db_ok) {
		snprintf(why, size, "the database cannot be reached: %s", h->db_error);
		return HEALTH_DOWN;
	}
	if (h->read_error[0]) {
		snprintf(why, size, "the database answers but a read failed: %s", h->read_error);
		return HEALTH_DOWN;
	}
	if (provider_down(h)) {
		snprintf(why, size,
		    "the provider cannot be reached: no job succeeded for %lld minutes and "
		    "jobs are retrying",
		    (long long)(HEALTH_PROVIDER_MS / 60000));
		return HEALTH_DOWN;
	}
	if (runnable > 0 && h->engines == 0) {
		snprintf(why, size,
		    "no engine is running: %zu active campaign%s not polled (start `launchwatch "
		    "run` or the service)",
		    runnable, runnable == 1 ? " is" : "s are");
		return HEALTH_DEGRADED;
	}
	if (held > 0 || late > 0) {
		snprintf(why, size, "%zu job%s held back (blocked, retrying or stopped), %zu late",
		    held, held == 1 ? "" : "s", late);
		return HEALTH_DEGRADED;
	}
	if (h->alert_errors > 0) {
		snprintf(why, size, "%lld alert error%s in the last hour",
		    (long long)h->alert_errors, h->alert_errors == 1 ? "" : "s");
		return HEALTH_DEGRADED;
	}
	for (size_t i = 0; i < h->engines && i < 4; i++) {
		if (strstr(h->sentiment[i], "scorer down") != NULL) {
			snprintf(why, size, "%s", h->sentiment[i]);
			return HEALTH_DEGRADED;
		}
	}
	snprintf(why, size, "current: %zu active campaign%s, %zu engine%s", runnable,
	    runnable == 1 ? "" : "s", h->engines, h->engines == 1 ? "" : "s");
	return HEALTH_OK;
}

/* Returns the verdict's word. */
static const char *
verdict_word(enum health_verdict v)
{
	return v == HEALTH_OK ? "ok" : v == HEALTH_DEGRADED ? "degraded" : "unavailable";
}

/* Sums a campaign's requests (or credits) over the job kinds. */
static int64_t
sum_kinds(const int64_t *v)
{
	int64_t s = 0;
	for (int k = 0; k < JOB__COUNT; k++)
		s += v[k];
	return s;
}

void
health_text(const struct health *h, struct sbuf *b)
{
	char why[320], ago[48];
	enum health_verdict v = health_judge(h, why, sizeof why);
	sbuf_printf(b, "launchwatch: %s (exit %d): %s\n", verdict_word(v), (int)v, why);
	if (h->db_ok)
		sbuf_printf(b, "database: %s, answered in %lld ms\n",
		    h->db_kind[0] ? h->db_kind : "reachable", (long long)h->db_ms);
	else
		sbuf_printf(b, "database: unreachable: %s\n", h->db_error);
	sbuf_printf(b, "engines: %zu running\n", h->engines);
	for (size_t i = 0; i < h->engines && i < 4; i++) {
		sbuf_printf(b, "  %s\n", h->engine_desc[i]);
		if (h->sentiment[i][0])
			sbuf_printf(b, "    %s\n", h->sentiment[i]);
	}
	if (h->alert_errors > 0)
		sbuf_printf(b,
		    "alerts: %lld errors in the last hour (launchwatch campaign show ID)\n",
		    (long long)h->alert_errors);
	for (size_t i = 0; i < h->n; i++) {
		const struct health_campaign *c = &h->c[i];
		sbuf_printf(b, "%s  %s  [%s]\n", c->id, c->name, campaign_status_name(c->status));
		if (c->engagements >= 0 && c->views >= 0)
			sbuf_printf(b, "  engagements %lld, views %lld\n",
			    (long long)c->engagements, (long long)c->views);
		else if (c->engagements >= 0)
			sbuf_printf(b, "  engagements %lld\n", (long long)c->engagements);
		size_t total = 0;
		for (int s = 0; s < JST__COUNT; s++)
			total += c->jobs[s];
		sbuf_printf(b, "  jobs %zu: %s", total, c->held_why);
		if (c->late)
			sbuf_printf(b, "; %zu late", c->late);
		sbuf_addstr(b, "\n");
		if (c->runnable && c->lag_ms >= 0)
			sbuf_printf(b, "  ingest lag %s (the stalest job's last success)\n",
			    fmt_duration(c->lag_ms / 1000, ago, sizeof ago));
		sbuf_printf(b, "  requests %lld, credits %lld, alerts sent %lld\n",
		    (long long)sum_kinds(c->requests), (long long)sum_kinds(c->credits),
		    (long long)c->alerts_sent);
	}
}

void
health_json(const struct health *h, struct sbuf *b)
{
	char why[320];
	enum health_verdict v = health_judge(h, why, sizeof why);
	json_t *o = json_object(), *camps = json_array(), *engines = json_array();
	json_object_set_new(o, "status", json_string(verdict_word(v)));
	json_object_set_new(o, "exit_code", json_integer(v));
	json_object_set_new(o, "reason", json_string(why));
	json_object_set_new(o, "at_ms", json_integer(h->at_ms));
	json_t *db = json_object();
	json_object_set_new(db, "reachable", json_boolean(h->db_ok));
	json_object_set_new(db, "kind", json_string(h->db_kind));
	json_object_set_new(db, "ping_ms", json_integer(h->db_ms));
	if (!h->db_ok)
		json_object_set_new(db, "error", json_string(h->db_error));
	json_object_set_new(o, "database", db);
	for (size_t i = 0; i < h->engines && i < 4; i++)
		json_array_append_new(engines, json_string(h->engine_desc[i]));
	json_object_set_new(o, "engines_running", json_integer((json_int_t)h->engines));
	json_object_set_new(o, "engines", engines);
	json_object_set_new(o, "alert_errors_last_hour", json_integer(h->alert_errors));
	json_t *sent = json_array();
	for (size_t i = 0; i < h->engines && i < 4; i++)
		if (h->sentiment[i][0])
			json_array_append_new(sent, json_string(h->sentiment[i]));
	json_object_set_new(o, "sentiment", sent);
	for (size_t i = 0; i < h->n; i++) {
		const struct health_campaign *c = &h->c[i];
		json_t *j = json_object(), *st = json_object(), *rq = json_object(),
		       *cr = json_object();
		json_object_set_new(j, "id", json_string(c->id));
		json_object_set_new(j, "name", json_string(c->name));
		json_object_set_new(j, "status", json_string(campaign_status_name(c->status)));
		json_object_set_new(j, "runnable", json_boolean(c->runnable));
		for (int s = 0; s < JST__COUNT; s++)
			json_object_set_new(st, job_state_name((enum job_state)s),
			    json_integer((json_int_t)c->jobs[s]));
		json_object_set_new(j, "jobs", st);
		json_object_set_new(j, "held", json_integer((json_int_t)c->held));
		json_object_set_new(j, "late", json_integer((json_int_t)c->late));
		json_object_set_new(j, "held_why", json_string(c->held_why));
		json_object_set_new(
		    j, "lag_ms", c->lag_ms >= 0 ? json_integer(c->lag_ms) : json_null());
		for (int k = 0; k < JOB__COUNT; k++) {
			json_object_set_new(
			    rq, job_kind_name((enum job_kind)k), json_integer(c->requests[k]));
			json_object_set_new(
			    cr, job_kind_name((enum job_kind)k), json_integer(c->credits[k]));
		}
		json_object_set_new(j, "requests", rq);
		json_object_set_new(j, "credits", cr);
		json_object_set_new(j, "engagements",
		    c->engagements >= 0 ? json_integer(c->engagements) : json_null());
		json_object_set_new(
		    j, "views", c->views >= 0 ? json_integer(c->views) : json_null());
		json_object_set_new(j, "alerts_sent", json_integer(c->alerts_sent));
		json_array_append_new(camps, j);
	}
	json_object_set_new(o, "campaigns", camps);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	sbuf_addstr(b, s ? s : "{}");
	sbuf_addstr(b, "\n");
	free(s);
	json_decref(o);
}

/* Appends v as a Prometheus label value (backslash, quote and newline
 * escaped). */
static void
prom_label(struct sbuf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sbuf_addstr(b, "\\n");
		else
			sbuf_add(b, v, 1);
	}
}

/* Appends a metric family's HELP and TYPE lines. */
static void
prom_family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Appends the start of a sample of a campaign: name{campaign="ID". */
static void
prom_campaign(struct sbuf *b, const char *name, const struct health_campaign *c)
{
	sbuf_printf(b, "%s{campaign=\"", name);
	prom_label(b, c->id);
	sbuf_addstr(b, "\"");
}

void
health_prometheus(const struct health *h, struct sbuf *b)
{
	char why[320];
	enum health_verdict v = health_judge(h, why, sizeof why);
	prom_family(b, "launchwatch_up", "gauge",
	    "1 when everything is current, 0 when degraded or unavailable");
	sbuf_printf(b, "launchwatch_up %d\n", v == HEALTH_OK);
	prom_family(b, "launchwatch_status_code", "gauge",
	    "the exit code of launchwatch status: 0 ok, 1 degraded, 69 unavailable");
	sbuf_printf(b, "launchwatch_status_code %d\n", (int)v);
	prom_family(b, "launchwatch_database_up", "gauge", "1 when the database answers");
	sbuf_printf(b, "launchwatch_database_up %d\n", h->db_ok);
	prom_family(b, "launchwatch_database_ping_seconds", "gauge",
	    "round trip of a ping to the database");
	sbuf_printf(b, "launchwatch_database_ping_seconds %.3f\n", (double)h->db_ms / 1000.0);
	prom_family(b, "launchwatch_engines_running", "gauge", "engines with a live heartbeat");
	sbuf_printf(b, "launchwatch_engines_running %zu\n", h->engines);
	prom_family(b, "launchwatch_alert_errors_last_hour", "gauge",
	    "errors the alert workers logged in the last hour");
	sbuf_printf(b, "launchwatch_alert_errors_last_hour %lld\n", (long long)h->alert_errors);
	prom_family(b, "launchwatch_jobs", "gauge", "jobs by campaign and state");
	for (size_t i = 0; i < h->n; i++)
		for (int s = 0; s < JST__COUNT; s++) {
			prom_campaign(b, "launchwatch_jobs", &h->c[i]);
			sbuf_printf(b, ",state=\"%s\"} %zu\n", job_state_name((enum job_state)s),
			    h->c[i].jobs[s]);
		}
	prom_family(b, "launchwatch_jobs_late", "gauge",
	    "runnable jobs more than 5 minutes past their due time");
	for (size_t i = 0; i < h->n; i++) {
		prom_campaign(b, "launchwatch_jobs_late", &h->c[i]);
		sbuf_printf(b, "} %zu\n", h->c[i].late);
	}
	prom_family(b, "launchwatch_ingest_lag_seconds", "gauge",
	    "since the stalest runnable job of an active campaign last succeeded");
	for (size_t i = 0; i < h->n; i++)
		if (h->c[i].runnable && h->c[i].lag_ms >= 0) {
			prom_campaign(b, "launchwatch_ingest_lag_seconds", &h->c[i]);
			sbuf_printf(b, "} %.3f\n", (double)h->c[i].lag_ms / 1000.0);
		}
	static const char *const what[2] = {"requests", "credits"};
	for (int w = 0; w < 2; w++) {
		char name[64], help[96];
		snprintf(name, sizeof name, "launchwatch_provider_%s_total", what[w]);
		snprintf(help, sizeof help, "provider %s by campaign and job kind", what[w]);
		prom_family(b, name, "counter", help);
		for (size_t i = 0; i < h->n; i++)
			for (int k = 0; k < JOB__COUNT; k++) {
				prom_campaign(b, name, &h->c[i]);
				sbuf_printf(b, ",kind=\"%s\"} %lld\n",
				    job_kind_name((enum job_kind)k),
				    (long long)(w == 0 ? h->c[i].requests[k] : h->c[i].credits[k]));
			}
	}
	prom_family(b, "launchwatch_alerts_sent_total", "counter",
	    "alerts delivered per campaign (one per alert and channel)");
	for (size_t i = 0; i < h->n; i++) {
		prom_campaign(b, "launchwatch_alerts_sent_total", &h->c[i]);
		sbuf_printf(b, "} %lld\n", (long long)h->c[i].alerts_sent);
	}
	prom_family(b, "launchwatch_engagements_stored", "gauge",
	    "engagements stored per campaign (the prepared summary)");
	for (size_t i = 0; i < h->n; i++)
		if (h->c[i].engagements >= 0) {
			prom_campaign(b, "launchwatch_engagements_stored", &h->c[i]);
			sbuf_printf(b, "} %lld\n", (long long)h->c[i].engagements);
		}
}
