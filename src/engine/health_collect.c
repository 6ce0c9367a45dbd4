/*
 * health_collect: the database's side of `launchwatch status`, /healthz
 * and /metrics (include/engine/health_collect.h). Any thread.
 */
#include "engine/health_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/util.h"
#include "engine/heartbeat.h"
#include "model/prep.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "store/store_jobview.h"
#include "store/store_prepared.h"

#define METRIC_VIEWS 4 /* in struct lw_metrics order: likes, retweets, replies, quotes, views */

/* Notes the first read error. */
static void
read_failed(struct health *h, char *cause)
{
	if (h->read_error[0] == '\0')
		snprintf(h->read_error, sizeof h->read_error, "%s", cause ? cause : "?");
	free(cause);
}

/* Reads the live engines' heartbeats. */
static void
collect_engines(struct store *s, struct health *h)
{
	struct sti_heartbeat *v = NULL;
	size_t n = 0;
	char *cause = NULL, host[64] = "", up[32];
	gethostname(host, sizeof host - 1);
	if (sti_heartbeat_list(s, &v, &n, &cause) != 0) {
		read_failed(h, cause);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!heartbeat_alive(&v[i], host, h->at_ms))
			continue;
		if (h->engines < 4)
			snprintf(h->engine_desc[h->engines], sizeof h->engine_desc[0],
			    "%s on %s (pid %ld), up %s", v[i].mode[0] ? v[i].mode : "engine",
			    v[i].host, v[i].pid,
			    fmt_duration((h->at_ms - v[i].started_at_ms) / 1000, up, sizeof up));
		if (h->engines < 4)
			snprintf(
			    h->sentiment[h->engines], sizeof h->sentiment[0], "%s", v[i].sentiment);
		h->engines++;
	}
	free(v);
}

/* Reads campaign c's jobs into hc. */
static void
collect_jobs(
    struct store *s, const struct campaign *c, struct health *h, struct health_campaign *hc)
{
	struct stj_job *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (stj_jobs_list(s, c->id, &v, &n, &cause) != 0) {
		read_failed(h, cause);
		return;
	}
	int64_t start = c->cfg.start_s * 1000, oldest = INT64_MAX;
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		const struct stj_job *j = &v[i];
		hc->jobs[j->state]++;
		hc->requests[j->kind] += j->requests;
		hc->credits[j->kind] += j->credits;
		if (stj_job_held_back(j, buf, sizeof buf) != NULL)
			hc->held++;
		if (j->last_success_ms > hc->last_success_ms)
			hc->last_success_ms = j->last_success_ms;
		if (!hc->runnable || !job_state_runnable(j->state))
			continue;
		if (j->next_run_at_ms > 0 && h->at_ms - j->next_run_at_ms > HEALTH_LATE_MS)
			hc->late++;
		int64_t since = j->last_success_ms > 0 ? j->last_success_ms : start;
		if (since < oldest)
			oldest = since;
	}
	hc->lag_ms = oldest == INT64_MAX ? -1 : h->at_ms - oldest > 0 ? h->at_ms - oldest : 0;
	stj_jobs_summary(v, n, hc->held_why, sizeof hc->held_why);
	stj_jobs_free(v, n);
}

/* Reads campaign_id's stored engagements and views from its prepared
 * summary (-1 when there is none yet). */
static void
collect_summary(
    struct store *s, const char *campaign_id, struct health *h, struct health_campaign *hc)
{
	struct stp_head head;
	char *cause = NULL;
	void *data = NULL;
	size_t len = 0;
	int64_t seq = 0;
	hc->engagements = hc->views = -1;
	int rc = stp_head_get(s, campaign_id, &head, &cause);
	if (rc == 0)
		rc = stp_part_get(
		    s, campaign_id, head.gen, STP_SUMMARY, NULL, &seq, &data, &len, &cause);
	if (rc < 0) {
		read_failed(h, cause);
		return;
	}
	if (rc > 0)
		return;
	struct prep_summary sum;
	memset(&sum, 0, sizeof sum);
	if (prep_summary_decode(data, len, &sum, &cause) == 0) {
		hc->engagements = sum.engagements;
		hc->views = sum.total[CAT__COUNT][METRIC_VIEWS];
	} else {
		free(cause);
	}
	prep_summary_done(&sum);
	free(data);
}

void
health_collect(struct store *s, int64_t now_ms, struct health *h)
{
	memset(h, 0, sizeof *h);
	h->at_ms = now_ms;
	char *cause = NULL;
	int64_t t0 = clock_mono_ms();
	if (store_ping(s, &cause) != 0) {
		snprintf(h->db_error, sizeof h->db_error, "%s", cause ? cause : "?");
		free(cause);
		return;
	}
	h->db_ms = clock_mono_ms() - t0;
	h->db_ok = true;
	snprintf(h->db_kind, sizeof h->db_kind, "%s", store_server_kind(s));
	collect_engines(s, h);
	int64_t errs = sti_log_count(s, "alerts", "error", now_ms - HEALTH_ALERT_ERRS_MS, &cause);
	if (errs < 0)
		read_failed(h, cause), cause = NULL;
	h->alert_errors = errs > 0 ? errs : 0;
	struct campaign *v = NULL;
	size_t n = 0;
	if (store_campaign_list(s, &v, &n, &cause) != 0) {
		read_failed(h, cause);
		return;
	}
	h->c = xcalloc(n ? n : 1, sizeof *h->c);
	h->n = n;
	for (size_t i = 0; i < n; i++) {
		struct health_campaign *hc = &h->c[i];
		snprintf(hc->id, sizeof hc->id, "%s", v[i].id);
		snprintf(hc->name, sizeof hc->name, "%s", v[i].cfg.name ? v[i].cfg.name : "");
		hc->status = v[i].status;
		hc->runnable = v[i].status == CS_ACTIVE && now_ms >= v[i].cfg.start_s * 1000 &&
		               now_ms < v[i].cfg.end_s * 1000 && v[i].close_requested_at_ms == 0;
		collect_jobs(s, &v[i], h, hc);
		collect_summary(s, v[i].id, h, hc);
		hc->alerts_sent = store_count(s, "alerts_sent", v[i].id, &cause);
		if (hc->alerts_sent < 0)
			read_failed(h, cause), cause = NULL, hc->alerts_sent = 0;
		campaign_done(&v[i]);
	}
	free(v);
}
