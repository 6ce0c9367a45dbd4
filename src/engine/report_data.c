/*
 * report_data: where reports get their numbers (include/engine/
 * report_data.h): the prepared summary, caught up with the change log when
 * nobody aggregates the campaign, rebuilt when it was never prepared,
 * recomputed from the listed tweets' events when the campaign dropped a
 * tweet with data; the report at any time (frozen or live); and the
 * streamed engagement table. Runs on its caller's thread.
 */
#include "engine/report_data.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"
#include "base/util.h"
#include "engine/prep_io.h"
#include "output/engagements_csv.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_prepared.h"
#include "store/store_report.h"
#include "store/store_sentiment.h"

#define LEASE_MS      120000 /* a report's hold on the aggregates while it catches up */
#define REPLAY_STEP   500    /* change-log entries between progress lines */
#define PROGRESS_ROWS 50000  /* documents between progress lines of a stream */
#define WAIT_STEP_MS  500    /* how often a close-out looks at an engine's summary */
/* The generation of a report's own prepared state of a campaign's listed
 * tweets (parts <cid>:-1:...), kept once a campaign dropped a tweet that has
 * data: the main aggregates count every tweet. */
#define LISTED_GEN REPORT_DATA_LISTED_GEN

static const char *const how_names[RH__COUNT] = {
    "current", "aggregated by a running engine", "caught up", "rebuilt", "frozen"};

const char *
report_how_name(enum report_how how)
{
	return (unsigned)how < RH__COUNT ? how_names[how] : "?";
}

/* Sends a formatted progress line to o's progress function, if any. */
static void progress(const struct report_data_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
progress(const struct report_data_opts *o, const char *fmt, ...)
{
	if (o == NULL || o->progress == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	o->progress(msg, o->arg);
	free(msg);
}

/* Sleeps ms milliseconds. */
static void
nap(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- the listed tweets, for filters over a scan ---- */

struct tweet_set {
	char (*ids)[LW_ID_MAX]; /* sorted */
	size_t n;
};

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Fills set with n ids taken from id_at (borrowed strings). */
static void
tweet_set_init(
    struct tweet_set *set, size_t n, const char *(*id_at)(const void *, size_t), const void *arg)
{
	set->ids = xcalloc(n + 1, sizeof *set->ids);
	set->n = n;
	for (size_t i = 0; i < n; i++)
		snprintf(set->ids[i], sizeof set->ids[i], "%s", id_at(arg, i));
	qsort(set->ids, n, sizeof *set->ids, cmp_id);
}

/* Returns true when id is in set. */
static bool
tweet_set_has(const struct tweet_set *set, const char *id)
{
	return bsearch(id, set->ids, set->n, sizeof *set->ids, cmp_id) != NULL;
}

/* Returns the id of listed tweet i of a rep_input. */
static const char *
input_tweet(const void *in, size_t i)
{
	return ((const struct rep_input *)in)->tweets[i].tweet_id;
}

/* Returns the id of tweet row i of a report. */
static const char *
report_tweet(const void *r, size_t i)
{
	return ((const struct report *)r)->tweets[i].tweet_id;
}

/* ---- the summary ---- */

/* Writes this process's lease owner name into buf. */
static void
default_owner(char *buf, size_t size)
{
	char host[64] = "localhost";
	gethostname(host, sizeof host - 1);
	snprintf(buf, size, "report:%s:%ld", host, (long)getpid());
}

/* Returns true when owner is a report process of this host that is gone
 * (killed while it caught up): its lease need not be waited out. */
static bool
dead_report(const char *owner)
{
	char host[64] = "localhost", want[96];
	long pid;
	gethostname(host, sizeof host - 1);
	int n = snprintf(want, sizeof want, "report:%s:", host);
	if (n <= 0 || (size_t)n >= sizeof want || strncmp(owner, want, (size_t)n) != 0)
		return false;
	char *end;
	pid = strtol(owner + n, &end, 10);
	return *end == '\0' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Catches campaign cid's state of generation gen up with the change log
 * in memory and builds its summary into *out; with lease, it first takes
 * the aggregator lease for owner and, when that worked, writes the result
 * back (and does a pending crash recovery). 0 or -1. */
static int
catch_up(struct store *s, const char *cid, int64_t gen, bool lease, const char *owner,
    const struct report_data_opts *o, struct report_data_info *info, struct prep_summary *out,
    char **cause)
{
	struct stp_head h;
	bool taken = false;
	if (lease) {
		int64_t now = clock_now_ms();
		int rc = stp_head_claim(s, cid, owner, now, now + LEASE_MS, &h, cause);
		if (rc < 0)
			return -1;
		taken = rc == 0;
		if (taken)
			gen = h.gen;
	}
	struct prep_loaded l;
	int rc = prep_load(s, cid, gen, &l, cause);
	if (rc == 0 && taken && h.recover_from_ms > 0) {
		/* a dead engine's writes no entry lists: log them first */
		size_t ne = 0, ns = 0;
		bool done = false;
		int64_t last = 0;
		for (; rc == 0 && !done;) {
			rc = prep_replay(s, cid, l.p, l.from, 0, &last, cause);
			l.from = last;
			if (rc == 0)
				rc = prep_recover(
				    s, NULL, cid, l.p, h.recover_from_ms, &ne, &ns, &done, cause);
		}
	}
	int64_t last = l.from;
	while (rc == 0) {
		int64_t from = last;
		rc = prep_replay(s, cid, l.p, from, REPLAY_STEP, &last, cause);
		if (rc != 0 || last - from < REPLAY_STEP)
			break;
		progress(
		    o, "catching up with the change log of %s: entry %lld", cid, (long long)last);
	}
	int64_t now = clock_now_ms();
	if (rc == 0 && taken)
		rc = prep_persist(s, cid, gen, l.p, !l.all_parts, now, cause);
	if (rc == 0 && prep_build_summary(s, cid, l.p, now, out, cause) != 0)
		rc = -1;
	info->persisted = rc == 0 && taken;
	if (taken) {
		char *why = NULL;
		if (stp_head_release(s, cid, owner, &why) != 0)
			free(why); /* it expires by itself */
	}
	prep_free(l.p);
	return rc;
}

struct scan_arg {
	struct prep *p;
	const struct tweet_set *listed;
	const struct report_data_opts *o;
	const char *cid;
	int64_t n;
};

/* Applies one stored engagement of a listed tweet. */
static int
scan_eng(const struct lw_engagement *e, void *arg)
{
	struct scan_arg *a = arg;
	if (!tweet_set_has(a->listed, e->tweet_id))
		return 0;
	struct prep_eng r;
	prep_eng_from(&r, e);
	prep_apply_eng(a->p, &r, 0);
	prep_eng_done(&r);
	if (++a->n % PROGRESS_ROWS == 0)
		progress(a->o, "recomputing %s from its listed tweets: %lld engagements read",
		    a->cid, (long long)a->n);
	return 0;
}

/* Applies one stored slice of a listed tweet. */
static int
scan_slice(const struct lw_slice *sl, void *arg)
{
	struct scan_arg *a = arg;
	if (!tweet_set_has(a->listed, sl->tweet_id))
		return 0;
	struct prep_slice r;
	prep_slice_from(&r, sl);
	prep_apply_slice(a->p, &r);
	return 0;
}

/* Keeps the records of listed tweets in a replay. */
static bool
keep_listed(const char *tweet_id, void *arg)
{
	return tweet_set_has(arg, tweet_id);
}

/* Returns true when fs (of the listed tweets) holds at least what main
 * holds of each listed tweet: fewer means a tweet listed again after it was
 * dropped, whose older data fs never saw. */
static bool
covers(const struct prep_summary *fs, const struct prep_summary *main_s,
    const struct tweet_set *listed)
{
	for (size_t i = 0; i < main_s->ntweets; i++) {
		const struct prep_tweet_sum *m = &main_s->tweets[i];
		if (!tweet_set_has(listed, m->id))
			continue;
		int k = prep_summary_tweet(fs, m->id);
		const struct prep_tweet_sum *f = k >= 0 ? &fs->tweets[k] : NULL;
		if (m->slices > (f ? f->slices : 0))
			return false;
		for (int a = 0; a < ACT__COUNT; a++)
			if (m->eng[a] > (f ? f->eng[a] : 0))
				return false;
	}
	return true;
}

/* Recomputes the state of the listed tweets from their stored events into
 * a new *p covering the log up to head (read before), then catches it up
 * with the log. 0 or -1. */
static int
scan_listed(struct store *s, const struct rep_input *in, const struct tweet_set *listed,
    int64_t head, const struct report_data_opts *o, struct prep **p, char **cause)
{
	struct scan_arg a = {
	    .p = prep_new(in->campaign_id), .listed = listed, .o = o, .cid = in->campaign_id};
	progress(o,
	    "%s has data of tweets it no longer lists: recomputing its numbers from the stored "
	    "events of its listed tweets (once: they are kept and caught up from then on)",
	    in->campaign_id);
	int rc = ste_scan_engagements(s, in->campaign_id, 0, scan_eng, &a, cause);
	if (rc == 0)
		rc = ste_scan_slices(s, in->campaign_id, scan_slice, &a, cause);
	prep_set_seq(a.p, (uint64_t)head);
	int64_t last;
	if (rc == 0) /* what came meanwhile; what the scan saw too changes nothing */
		rc = prep_replay_only(
		    s, in->campaign_id, a.p, head, 0, keep_listed, (void *)listed, &last, cause);
	*p = a.p;
	return rc;
}

/* Builds the summary of in's listed tweets only (a campaign that dropped a
 * tweet with data; main is its full summary): from the report's own
 * prepared state of the listed tweets (generation LISTED_GEN), caught up
 * with the log, or, when there is none yet or it no longer matches the
 * list, recomputed from the stored events; either way written back. 0 or
 * -1. */
static int
listed_summary(struct store *s, const struct rep_input *in, const struct prep_summary *main_s,
    int64_t head, const struct report_data_opts *o, struct prep_summary *out,
    struct report_data_info *info, char **cause)
{
	const char *cid = in->campaign_id;
	struct tweet_set listed;
	struct prep_loaded l;
	int64_t last = 0;
	tweet_set_init(&listed, in->ntweets, input_tweet, in);
	memset(out, 0, sizeof *out);
	int rc = prep_load(s, cid, LISTED_GEN, &l, cause);
	bool ok = rc == 0 && l.all_parts;
	if (ok)
		rc = prep_replay_only(s, cid, l.p, l.from, 0, keep_listed, &listed, &last, cause);
	if (ok && rc == 0)
		rc = prep_build_summary(s, cid, l.p, clock_now_ms(), out, cause);
	ok = ok && rc == 0 && report_summary_fits(in, out) && covers(out, main_s, &listed);
	if (rc == 0 && !ok) {
		prep_summary_done(out);
		prep_free(l.p);
		l.p = NULL;
		info->scanned = true;
		rc = scan_listed(s, in, &listed, head, o, &l.p, cause);
	}
	if (rc == 0 && (info->scanned || last > l.from))
		rc = prep_persist(s, cid, LISTED_GEN, l.p, info->scanned, clock_now_ms(), cause);
	if (rc == 0 && info->scanned)
		rc = prep_build_summary(s, cid, l.p, clock_now_ms(), out, cause);
	info->listed = rc == 0;
	prep_free(l.p);
	free(listed.ids);
	return rc;
}

/* Shows how far a rebuild got. */
static void
rebuild_progress(void *arg, const char *what, int64_t done)
{
	const void *const *v = arg;
	progress(v[0], "rebuilding the prepared aggregates of %s: %lld %s read", (const char *)v[1],
	    (long long)done, what);
}

int
report_data_summary(struct store *s, const struct rep_input *in, const struct report_data_opts *o,
    struct prep_summary *out, struct report_data_info *info, char **cause)
{
	const char *cid = in->campaign_id;
	char mine[128];
	if (o && o->owner)
		snprintf(mine, sizeof mine, "%s", o->owner);
	else
		default_owner(mine, sizeof mine);
	memset(info, 0, sizeof *info);
	memset(out, 0, sizeof *out);
	int64_t deadline = clock_mono_ms() + (o ? o->wait_ms : 0);
	bool rebuilt = false;
	for (;;) {
		struct stp_head h;
		int64_t head = 0;
		int rc = prep_read_summary_head(s, cid, out, &h, cause);
		if (rc < 0)
			return -1;
		if (rc == 1 && h.gen == 0) { /* no head: a previous release's campaign */
			if (rebuilt)
				return set_cause(
				    cause, "the rebuilt aggregates of %s vanished", cid);
			progress(o,
			    "%s has no prepared aggregates yet (a database from the previous "
			    "release): rebuilding them from its stored events",
			    cid);
			const void *arg[2] = {o, cid};
			if (prep_rebuild(s, cid, rebuild_progress, (void *)arg, cause) != 0)
				return -1;
			rebuilt = true;
			continue;
		}
		bool have = rc == 0;
		if (stc_head(s, cid, have ? out->seq : 0, &head, cause) != 0) {
			prep_summary_done(out);
			return -1;
		}
		info->head = head;
		info->how = rebuilt ? RH_REBUILT : RH_CURRENT;
		if (have && out->seq >= head)
			break;
		bool held = h.owner[0] && strcmp(h.owner, mine) != 0 &&
		            h.lease_until_ms > clock_now_ms() && !dead_report(h.owner);
		if (held && have && !(o && o->need_current)) {
			info->how = RH_ENGINE; /* about a second behind: say so */
			snprintf(info->aggregator, sizeof info->aggregator, "%s", h.owner);
			break;
		}
		if (held && o && o->need_current && clock_mono_ms() < deadline) {
			prep_summary_done(out);
			nap(WAIT_STEP_MS);
			continue;
		}
		if (held && o && o->need_current) {
			int64_t seq = have ? out->seq : 0;
			prep_summary_done(out);
			return set_cause(cause,
			    "the prepared aggregates of %s cover its change log up to entry %lld "
			    "of "
			    "%lld, and %s, which aggregates them, did not catch up within %lld s",
			    cid, (long long)seq, (long long)head, h.owner,
			    (long long)(o->wait_ms / 1000));
		}
		prep_summary_done(out);
		if (catch_up(s, cid, h.gen, !held, mine, o, info, out, cause) != 0)
			return -1;
		if (!rebuilt)
			info->how = RH_CAUGHT_UP;
		info->head = out->seq > head ? out->seq : head;
		break;
	}
	info->seq = out->seq;
	if (report_summary_fits(in, out))
		return 0;
	struct prep_summary main_s = *out;
	int rc = listed_summary(s, in, &main_s, info->head, o, out, info, cause);
	prep_summary_done(&main_s);
	if (rc == 0) {
		info->seq = out->seq;
		info->head = out->seq > info->head ? out->seq : info->head;
	}
	return rc;
}

/* Reads the frozen report of a campaign (its JSON) into *out. 0 or -1. */
static int
frozen_report(const char *cid, const char *frozen_json, struct report *out, char **cause)
{
	json_error_t jerr;
	json_t *j = json_loads(frozen_json, 0, &jerr);
	if (j == NULL)
		return set_cause(
		    cause, "the frozen report of %s does not parse: %s", cid, jerr.text);
	int rc = report_from_json(j, out, cause);
	json_decref(j);
	return rc;
}

void
report_data_sentiment(struct store *s, const char *cid, struct report *r)
{
	struct sent_state st;
	char *cause = NULL;
	if (sts_get(s, cid, &st, &cause) == 0)
		report_set_sentiment(r, &st);
	sent_state_done(&st);
	free(cause);
}

int
report_data_get(struct store *s, const char *key, int64_t now_ms, size_t top,
    const struct report_data_opts *o, struct report *out, struct report_data_info *info,
    char **cause)
{
	struct campaign c;
	struct store_closeout st;
	struct report_data_info none;
	if (info == NULL)
		info = &none;
	memset(info, 0, sizeof *info);
	memset(out, 0, sizeof *out);
	int rc = store_campaign_get(s, key, &c, cause);
	if (rc != 0)
		return rc;
	rc = store_closeout_get(s, c.id, &st, cause);
	if (rc == 0 && st.frozen_json && st.frozen_at_ms) {
		info->how = RH_FROZEN;
		rc = frozen_report(c.id, st.frozen_json, out, cause);
		info->seq = out->log_seq;
		info->head = out->log_head;
	} else if (rc == 0) {
		struct rep_input in;
		struct prep_summary sum;
		char id[CAMPAIGN_ID_MAX];
		snprintf(id, sizeof id, "%s", c.id);
		campaign_done(&c);
		rc = store_report_load(s, id, &c, &in, cause);
		if (rc != 0) {
			store_closeout_done(&st);
			return rc < 0 ? -1 : set_cause(cause, "campaign %s vanished", id);
		}
		rc = report_data_summary(s, &in, o, &sum, info, cause);
		if (rc == 0) {
			top = top ? top : REPORT_TOP_DEFAULT;
			report_build(
			    &in, &sum, now_ms, top < PREP_TOP_MAX ? top : PREP_TOP_MAX, out);
			out->log_seq = info->seq;
			out->log_head = info->head;
			report_data_sentiment(s, id, out);
			free(out->log_aggregator);
			out->log_aggregator =
			    text_sanitize(info->aggregator, strlen(info->aggregator), 120);
			prep_summary_done(&sum);
		}
		rep_input_done(&in);
	}
	store_closeout_done(&st);
	campaign_done(&c);
	return rc < 0 ? -1 : rc;
}

/* ---- the engagement table ---- */

struct report_table {
	struct engcsv *w;
	struct tweet_set listed;
	int64_t cutoff_ms;
	report_progress_fn progress;
	void *arg;
	char *name;
};

int
report_table_open(const struct report *r, int64_t cutoff_ms, const char *dir,
    report_progress_fn progress_fn, void *arg, struct report_table **out, char **cause)
{
	struct report_table *t = xcalloc(1, sizeof *t);
	*out = NULL;
	if (engcsv_open(dir, r->campaign_id, &t->w, cause) != 0) {
		free(t);
		return -1;
	}
	tweet_set_init(&t->listed, r->ntweets, report_tweet, r);
	t->cutoff_ms = cutoff_ms;
	t->progress = progress_fn;
	t->arg = arg;
	t->name = xasprintf("%s-engagements.csv", r->campaign_id);
	*out = t;
	return 0;
}

int
report_table_add(struct report_table *t, const struct lw_engagement *e, char **cause)
{
	if (e->first_seen_at_ms > t->cutoff_ms || !tweet_set_has(&t->listed, e->tweet_id))
		return 0;
	if (engcsv_add(t->w, e, cause) != 0)
		return -1;
	int64_t n = engcsv_rows(t->w);
	if (n % PROGRESS_ROWS == 0 && t->progress) {
		char *msg = xasprintf("writing %s: %lld rows", t->name, (long long)n);
		t->progress(msg, t->arg);
		free(msg);
	}
	return 0;
}

/* Frees what t owns besides its file. */
static void
table_free(struct report_table *t)
{
	free(t->listed.ids);
	free(t->name);
	free(t);
}

void
report_table_abort(struct report_table *t)
{
	if (t == NULL)
		return;
	engcsv_abort(t->w);
	table_free(t);
}

int
report_table_close(struct report_table *t, char **path, int64_t *rows, char **cause)
{
	*rows = engcsv_rows(t->w);
	int rc = engcsv_close(t->w, path, cause);
	if (rc == 0 && t->progress) {
		char *msg = xasprintf("wrote %s: %lld rows", t->name, (long long)*rows);
		t->progress(msg, t->arg);
		free(msg);
	}
	table_free(t);
	return rc;
}

struct table_scan {
	struct report_table *t;
	char *cause;
};

/* Hands one stored engagement to the table. */
static int
table_row(const struct lw_engagement *e, void *arg)
{
	struct table_scan *x = arg;
	return report_table_add(x->t, e, &x->cause) != 0;
}

int
report_data_engagements(struct store *s, const struct report *r, int64_t cutoff_ms, const char *dir,
    report_progress_fn progress_fn, void *arg, char **path, int64_t *rows, char **cause)
{
	struct table_scan x = {0};
	*path = NULL;
	*rows = 0;
	if (report_table_open(r, cutoff_ms, dir, progress_fn, arg, &x.t, cause) != 0)
		return -1;
	int rc = ste_scan_engagements(s, r->campaign_id, 0, table_row, &x, cause);
	if (rc == 0 && x.cause) {
		set_cause(cause, "%s", x.cause);
		rc = -1;
	}
	if (rc == 0)
		rc = report_table_close(x.t, path, rows, cause);
	else
		report_table_abort(x.t);
	free(x.cause);
	return rc;
}
