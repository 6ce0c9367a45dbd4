/*
 * alertsend: the sending side of the alert worker (docs/alerts.md): a
 * channel's pending alerts become one message when its group is due; the
 * message is tried, retried with capped backoff, given up, or stops the
 * channel on a permanent failure; a delivered message is logged in
 * alerts_sent (kept and retried when that write fails). Worker thread only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/notify.h"
#include "store/store_alerts.h"
#include "base/text.h"
#include "base/util.h"
#include "provider/xapi.h"
#include "alertsend_internal.h"

#define UNLOGGED_RETRY 2000 /* retry of a failed alerts_sent write, ms */

void
alertsend_vlog(const struct alertsend *s, const char *level, const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	char *msg = text_sanitize(raw, strlen(raw), 1000);
	free(raw);
	if (s->log != NULL)
		s->log(s->log_arg, level, msg);
	if (s->store != NULL) {
		char *cause = NULL;
		if (store_alerts_log(s->store, level, msg, clock_now_ms(), &cause) != 0)
			free(cause); /* the log hook has the line; nothing more to do */
	}
	free(msg);
}

/* Reports a notable event of the sending side, as alertsend_vlog. */
static void __attribute__((format(printf, 3, 4)))
slog(const struct alertsend *s, const char *level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	alertsend_vlog(s, level, fmt, ap);
	va_end(ap);
}

void
alertsend_chan_done(struct chan *ch)
{
	for (size_t i = 0; i < ch->npending; i++)
		alert_candidate_done(&ch->pending[i].c);
	free(ch->pending);
	for (size_t i = 0; i < ch->nmsg; i++)
		alert_candidate_done(&ch->msg[i]);
	free(ch->msg);
	for (size_t i = 0; i < ch->nunlogged; i++) {
		for (size_t j = 0; j < ch->unlogged[i].n; j++)
			alert_candidate_done(&ch->unlogged[i].v[j]);
		free(ch->unlogged[i].v);
	}
	free(ch->unlogged);
	memset(ch, 0, sizeof *ch);
}

/* Writes the alerts_sent documents of a delivered message; on failure keeps
 * them for a later try (takes ownership of v). */
static void
record(struct alertsend *s, const struct alert_campaign *a, struct chan *cs, enum alert_channel ch,
    struct alert_candidate *v, size_t n, int64_t sent_ms)
{
	if (s->store != NULL) {
		const struct alert_candidate **p = xcalloc(n + 1, sizeof *p);
		for (size_t i = 0; i < n; i++)
			p[i] = &v[i];
		char *cause = NULL;
		int rc = store_alerts_record(
		    s->store, p, n, ch, sent_ms, a->rules.quiet_window_ms, &cause);
		free(p);
		if (rc != 0) {
			s->cnt->log_errors++;
			slog(s, "warn", "campaign %s: %s: recording sent alerts: %s (will retry)",
			    a->id, alert_channel_name(ch), cause);
			free(cause);
			cs->unlogged =
			    xreallocarray(cs->unlogged, cs->nunlogged + 1, sizeof *cs->unlogged);
			cs->unlogged[cs->nunlogged++] = (struct unlogged){v, n, sent_ms};
			return;
		}
	}
	for (size_t i = 0; i < n; i++)
		alert_candidate_done(&v[i]);
	free(v);
}

/* Retries alerts_sent writes that failed earlier. */
static void
record_retry(
    struct alertsend *s, const struct alert_campaign *a, struct chan *cs, enum alert_channel ch)
{
	size_t n = cs->nunlogged;
	struct unlogged *u = cs->unlogged;
	cs->unlogged = NULL;
	cs->nunlogged = 0;
	for (size_t i = 0; i < n; i++)
		record(s, a, cs, ch, u[i].v, u[i].n, u[i].sent_ms);
	free(u);
}

/* Drops the message in flight and everything pending on a channel, counting
 * them as failed. */
static void
chan_fail_all(struct alertsend *s, struct chan *cs)
{
	s->cnt->failed += cs->nmsg + cs->npending;
	for (size_t i = 0; i < cs->nmsg; i++)
		alert_candidate_done(&cs->msg[i]);
	free(cs->msg);
	cs->msg = NULL;
	cs->nmsg = 0;
	for (size_t i = 0; i < cs->npending; i++)
		alert_candidate_done(&cs->pending[i].c);
	free(cs->pending);
	cs->pending = NULL;
	cs->npending = 0;
	cs->attempts = 0;
	cs->next_try_ms = 0;
}

/* Tries to deliver the message in flight on channel ch (cs) of campaign a. */
static void
attempt(struct alertsend *s, const struct alert_campaign *a, struct chan *cs, enum alert_channel ch,
    int64_t now)
{
	struct notify_result res;
	const struct alert_candidate **p = xcalloc(cs->nmsg + 1, sizeof *p);
	for (size_t i = 0; i < cs->nmsg; i++)
		p[i] = &cs->msg[i];
	notify_send(s->notify, a, ch, p, cs->nmsg, NULL, &res);
	free(p);
	const char *chn = alert_channel_name(ch);
	if (res.cls == NOTIFY_OK) {
		int64_t sent = clock_now_ms();
		s->cnt->sent_messages++;
		s->cnt->sent_alerts += cs->nmsg;
		if (cs->attempts > 0)
			slog(s, "info", "campaign %s: %s delivered after %d failed tries", a->id,
			    chn, cs->attempts);
		cs->last_sent_ms = sent;
		cs->last_error[0] = '\0';
		if (s->after_send != NULL)
			s->after_send(s->hook_arg, a->id, ch, cs->nmsg);
		struct alert_candidate *v = cs->msg;
		size_t n = cs->nmsg;
		cs->msg = NULL;
		cs->nmsg = 0;
		cs->attempts = 0;
		cs->next_try_ms = 0;
		record(s, a, cs, ch, v, n, sent);
	} else if (res.cls == NOTIFY_TRANSIENT && cs->attempts + 1 < s->max_attempts) {
		cs->attempts++;
		s->cnt->retries++;
		int64_t d = alert_backoff_ms(cs->attempts, res.retry_after_s, s->retry_base_ms,
		    s->retry_cap_ms, xapi_rand());
		cs->next_try_ms = now + d;
		snprintf(
		    cs->last_error, sizeof cs->last_error, "%s", res.message ? res.message : "");
		if (cs->attempts == 1)
			slog(s, "warn", "campaign %s: %s (retrying with backoff)", a->id,
			    cs->last_error);
	} else if (res.cls == NOTIFY_TRANSIENT) {
		snprintf(
		    cs->last_error, sizeof cs->last_error, "%s", res.message ? res.message : "");
		slog(s, "error",
		    "campaign %s: %s: gave up a message of %zu alerts after %d tries: %s", a->id,
		    chn, cs->nmsg, cs->attempts + 1, cs->last_error);
		size_t keep = cs->npending;
		struct pend *pend = cs->pending;
		cs->pending = NULL;
		cs->npending = 0;
		chan_fail_all(s, cs);
		cs->pending = pend;
		cs->npending = keep;
	} else {
		snprintf(
		    cs->last_error, sizeof cs->last_error, "%s", res.message ? res.message : "");
		slog(s, "error",
		    "campaign %s: %s (permanent; %s alerts stop until the campaign's %s settings "
		    "change)",
		    a->id, cs->last_error, chn, chn);
		cs->broken = true;
		cs->broken_hash = a->channels_hash;
		chan_fail_all(s, cs);
	}
	notify_result_done(&res);
}

int64_t
alertsend_oldest_seq(const struct chan *cs)
{
	int64_t low = INT64_MAX;
	for (size_t i = 0; i < cs->npending; i++)
		if (cs->pending[i].c.log_seq > 0 && cs->pending[i].c.log_seq < low)
			low = cs->pending[i].c.log_seq;
	for (size_t i = 0; i < cs->nmsg; i++)
		if (cs->msg[i].log_seq > 0 && cs->msg[i].log_seq < low)
			low = cs->msg[i].log_seq;
	return low;
}

int64_t
alertsend_deliver(struct alertsend *s, const struct alert_campaign *a, struct chan *cs,
    enum alert_channel ch, int64_t now)
{
	if (cs->nunlogged > 0)
		record_retry(s, a, cs, ch);
	if (cs->nmsg == 0 && cs->npending > 0 &&
	    now >= alert_group_due(cs->pending[0].arrived_ms, cs->last_sent_ms, s->group_wait_ms,
	               s->group_interval_ms)) {
		cs->msg = xcalloc(cs->npending + 1, sizeof *cs->msg);
		for (size_t i = 0; i < cs->npending; i++)
			cs->msg[i] = cs->pending[i].c;
		cs->nmsg = cs->npending;
		free(cs->pending);
		cs->pending = NULL;
		cs->npending = 0;
		cs->attempts = 0;
		cs->next_try_ms = now;
	}
	if (cs->nmsg > 0 && now >= cs->next_try_ms)
		attempt(s, a, cs, ch, now);
	int64_t next = INT64_MAX;
	if (cs->nmsg > 0)
		next = cs->next_try_ms;
	else if (cs->npending > 0)
		next = alert_group_due(cs->pending[0].arrived_ms, cs->last_sent_ms,
		    s->group_wait_ms, s->group_interval_ms);
	if (cs->nunlogged > 0 && now + UNLOGGED_RETRY < next)
		next = now + UNLOGGED_RETRY;
	return next;
}
