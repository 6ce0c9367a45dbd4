/*
 * Integration tests of reports from the prepared aggregates, against a real
 * devdb. A campaign is written through the engine's own writer path
 * (engagement pages with their change-log entries, metric slices with
 * theirs, tweet baselines); its report, read from the prepared summary,
 * renders the same bytes in every format as the raw-row reference reading
 * the stored events (rep_raw.c), whether the aggregates were caught up by
 * the report itself (no engine), written by an aggregator, rebuilt (a
 * database without them) or recomputed from the listed tweets (a tweet
 * dropped from the campaign). A report of a campaign whose aggregates lag
 * equals the one after an aggregator caught them up; a lagging summary
 * whose lease an engine holds is used and says which entry it covers, and
 * a close-out waits for it rather than freeze it. The engagement table has
 * one row per engagement, guarded cells and a progress line. The clock is
 * injected (clock_set).
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "config/config.h"
#include "engine/aggregator.h"
#include "engine/closeout.h"
#include "engine/prep_io.h"
#include "engine/report_data.h"
#include "engine/writer.h"
#include "model/prep.h"
#include "model/report.h"
#include "output/archive.h"
#include "output/report_write.h"
#include "rep_raw.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "store/store_prepared.h"
#include "store/store_report.h"
#include "testutil.h"

#define T0     1796220000000LL /* 2026-12-02T14:00:00Z, inside the window */
#define MIN_MS 60000LL
#define NT     6

static struct tu_devdb *db;
static char *workdir;
static int64_t fake_now = T0;

static int64_t
fake_clock(void)
{
	return fake_now;
}

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
	workdir = tu_tempdir();
	setenv("XDG_DATA_HOME", workdir, 1); /* the archive signing key goes there */
	fake_now = T0;
	clock_set(fake_clock);
}

static void
teardown(void)
{
	clock_set(NULL);
	tu_devdb_free(db);
	tu_rmtree(workdir);
	free(workdir);
}

static const char *const tids[NT] = {"1861111111111111111", "1861111111111111112",
    "1861111111111111113", "1861111111111111114", "1861111111111111115", "1861111111111111116"};

#define ALL ((1u << NT) - 1) /* every tweet listed */

/* The campaign file listing the tweets of mask (bit t: tids[t]). */
static char *
yaml(unsigned mask)
{
	static const char *const cats[NT] = {
	    "main", "main", "influencer", "influencer", "investor", "investor"};
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b,
	    "campaigns:\n  - name: Prep Test\n    client: {name: Acme, accent: \"#0a7f6f\", "
	    "logo: \"https://acme.example/l.png\"}\n"
	    "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
	    "    cpm: {benchmark_usd: {main: 6.0, influencer: 14.0}, spend_usd: "
	    "{influencer: 1200}}\n    tweets:\n");
	for (int c = 0; c < 3; c++) {
		sbuf_printf(&b, "      %s: [", cats[2 * c]);
		int k = 0;
		for (int t = 0; t < NT; t++)
			if ((mask & 1u << t) && strcmp(cats[t], cats[2 * c]) == 0)
				sbuf_printf(&b, "%s%s", k++ ? ", " : "", tids[t]);
		sbuf_addstr(&b, "]\n");
	}
	return sbuf_take(&b);
}

static struct store *
open_db(const char *dbname)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, dbname, &s, &cause) == 0, "store_open: %s", cause);
	return s;
}

/* Adds (or updates) the campaign listing the tweets of mask; its id goes
 * to cid. */
static void
add_campaign(struct store *s, unsigned mask, char cid[CAMPAIGN_ID_MAX])
{
	struct cfg_file *f = NULL;
	struct store_upsert_result res;
	char *cause = NULL, *y = yaml(mask);
	ck_assert_msg(config_load_string("t.yaml", y, strlen(y), &f, &cause) == 0, "%s", cause);
	ck_assert_msg(
	    store_campaign_upsert(s, &f->campaigns[0], T0 - 600 * MIN_MS, &res, &cause) == 0, "%s",
	    cause);
	snprintf(cid, CAMPAIGN_ID_MAX, "%s", res.id);
	config_free(f);
	free(y);
}

/* A small deterministic generator. */
static uint64_t rng_state;
static uint64_t
rng(void)
{
	return tu_rand(&rng_state);
}

static const char *const handles[] = {
    "alice", "bob", "=cmd|' /C calc'!A0", "\x1b]0;t\x07ev", "carol", "+plus", "@at", "dave"};
static const char *const buckets_ev[] = {"bio: partner at", "bio: founder", "-builds AI"};

/* Writes round r of the campaign's events through the writer path: for
 * each tweet and action one page of engagements (users overlapping across
 * tweets and rounds), then one metric observation per tweet (a slice each,
 * some taken back within the hour), then the tweets' baselines. */
static void
write_round(struct store *s, const char *cid, int r)
{
	static int64_t slice_seq[NT];
	static struct lw_metrics counts[NT];
	char *cause = NULL;
	if (r == 0) {
		memset(slice_seq, 0, sizeof slice_seq);
		memset(counts, 0, sizeof counts);
	}
	rng_state = 0x5eed0000ULL + (uint64_t)r;
	int64_t base = T0 - (3 - r) * 600 * MIN_MS;
	for (int t = 0; t < NT; t++)
		for (int a = 0; a < ACT__COUNT; a++) {
			struct lw_engagement v[20];
			size_t n = 0;
			bool used[60] = {false};
			for (int k = 0; k < 20; k++) {
				int u = (int)(rng() % 60);
				if (used[u])
					continue;
				used[u] = true;
				struct lw_engagement *e = &v[n++];
				memset(e, 0, sizeof *e);
				snprintf(e->campaign_id, sizeof e->campaign_id, "%s", cid);
				snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tids[t]);
				e->category = t / 2;
				e->action = (enum lw_action)a;
				snprintf(e->user.id, sizeof e->user.id, "%d", 5000 + u);
				e->user.handle = xstrdup(handles[u % LW_ARRAY_LEN(handles)]);
				e->user.name = xasprintf("User %d <b>", u);
				e->user.bio = xstrdup("bio");
				e->user.followers = (u % 7) * 1000;
				e->user.verified = u % 5 == 0;
				e->bucket = (enum lw_bucket)((u + t + a) % BK__COUNT);
				e->importance = (int)((u * 13 + t * 7 + a) % 5) * 20;
				e->evidence = xstrdup(buckets_ev[u % LW_ARRAY_LEN(buckets_ev)]);
				e->created_at_ms = k % 3 ? 0 : base - (int64_t)k * 7 * MIN_MS;
				if (a != ACT_RETWEET)
					e->text = xstrdup("congrats");
			}
			bool is_new[20];
			struct writer_page pg = {.campaign_id = cid,
			    .eng = v,
			    .n = n,
			    .now_ms = base + (int64_t)(t * 3 + a) * 9 * MIN_MS,
			    .above = n,
			    .is_new = is_new};
			ck_assert_msg(writer_put_page(NULL, s, &pg, &cause) == 0, "%s", cause);
			for (size_t k = 0; k < n; k++)
				lw_engagement_done(&v[k]);
		}
	struct sti_slice sl[2 * NT];
	struct prep_slice rec[2 * NT];
	struct sti_baseline_set bs[NT];
	size_t ns = 0;
	for (int t = 0; t < NT; t++) {
		int64_t at = base + (int64_t)(10 + t) * MIN_MS;
		int64_t d = (int64_t)(rng() % 900) + 1;
		for (int back = 0; back < (t == 1 ? 2 : 1); back++) {
			struct sti_slice *x = &sl[ns];
			memset(x, 0, sizeof *x);
			snprintf(x->sl.campaign_id, sizeof x->sl.campaign_id, "%s", cid);
			snprintf(x->sl.tweet_id, sizeof x->sl.tweet_id, "%s", tids[t]);
			x->sl.category = t / 2;
			x->sl.seq = ++slice_seq[t];
			x->sl.at_ms = at + back * 30 * MIN_MS;
			x->sl.deltas.views = back ? -d : d; /* tweet 1 takes it back */
			x->sl.deltas.likes = back ? -(d / 10) : d / 10;
			counts[t].views += x->sl.deltas.views;
			counts[t].likes += x->sl.deltas.likes;
			x->counts = counts[t];
			prep_slice_from(&rec[ns], &x->sl);
			ns++;
		}
		bs[t] = (struct sti_baseline_set){
		    .campaign_id = cid, .tweet_id = tids[t], .m = counts[t], .seq = slice_seq[t]};
	}
	bool dup[2 * NT];
	ck_assert_msg(sti_slices_insert(s, sl, ns, dup, &cause) == 0, "%s", cause);
	ck_assert_msg(
	    writer_append(NULL, s, cid, CHK_SLICES, NULL, 0, rec, ns, &cause) == 0, "%s", cause);
	ck_assert_msg(sti_baselines_set(s, bs, NT, base + 30 * MIN_MS, &cause) == 0, "%s", cause);
}

/* Builds the live report of cid from its prepared aggregates. */
static void
prepared(
    struct store *s, const char *cid, size_t top, struct report *r, struct report_data_info *info)
{
	char *cause = NULL;
	ck_assert_msg(
	    report_data_get(s, cid, fake_now, top, NULL, r, info, &cause) == 0, "%s", cause);
	ck_assert(!r->final);
}

/* Checks that the report of cid from its prepared aggregates renders the
 * same as the raw-row reference over its stored events; returns how the
 * numbers were obtained. */
static struct report_data_info
check_same_as_raw(struct store *s, const char *cid, size_t top)
{
	struct report p, raw;
	struct raw_input x;
	struct report_data_info info;
	char *cause = NULL;
	prepared(s, cid, top, &p, &info);
	ck_assert_msg(raw_input_load(s, cid, &x, &cause) == 0, "%s", cause);
	raw_report_build(&x, INT64_MAX, fake_now, top, &raw);
	ck_assert_int_gt(raw.engagements, 0);
	raw.log_seq = p.log_seq;
	raw.log_head = p.log_head;
	char *a = raw_render_all(&p), *b = raw_render_all(&raw);
	tu_same_text("renders", a, b);
	free(a);
	free(b);
	report_done(&p);
	report_done(&raw);
	raw_input_done(&x);
	return info;
}

/* Runs a command given as JSON; fails on an error. */
static void
command(struct store *s, const char *json)
{
	char *reply = NULL, *cause = NULL;
	ck_assert_msg(store_report_test_command(s, json, &reply, &cause) == 0, "%s", cause);
	free(reply);
}

/* Starts an aggregator of cid, waits until it caught up, stops it. */
static void
aggregate(struct store *s, const char *cid)
{
	struct aggregator *a;
	char *cause = NULL;
	struct aggregator_opts ao = {.store = s, .owner = "engine-test"};
	ck_assert_msg(aggregator_start(&ao, &a, &cause) == 0, "%s", cause);
	const char *ids[1] = {cid};
	aggregator_set_campaigns(a, ids, 1);
	ck_assert_msg(aggregator_flush(a, cid, 60000, &cause) == 0, "%s", cause);
	aggregator_free(a);
}

START_TEST(test_same_as_raw_every_way)
{
	struct store *s = open_db("t_ways");
	char cid[CAMPAIGN_ID_MAX], q[256];
	add_campaign(s, ALL, cid);
	write_round(s, cid, 0);
	write_round(s, cid, 1);

	/* no engine ever aggregated it: the report catches up and stores */
	struct report_data_info info = check_same_as_raw(s, cid, 20);
	ck_assert_int_eq(info.how, RH_CAUGHT_UP);
	ck_assert(info.persisted && !info.scanned);
	ck_assert_int_eq(info.seq, info.head);
	/* so the next one reads the stored summary as it is */
	info = check_same_as_raw(s, cid, PREP_TOP_MAX);
	ck_assert_int_eq(info.how, RH_CURRENT);

	/* written by an aggregator */
	write_round(s, cid, 2);
	aggregate(s, cid);
	info = check_same_as_raw(s, cid, 20);
	ck_assert_int_eq(info.how, RH_CURRENT);

	/* a database of the previous release: no aggregates at all */
	snprintf(q, sizeof q,
	    "{\"delete\": \"aggregates\", \"deletes\": [{\"q\": {\"_id\": \"%s\"}, \"limit\": "
	    "1}]}",
	    cid);
	command(s, q);
	info = check_same_as_raw(s, cid, 20);
	ck_assert_int_eq(info.how, RH_REBUILT);

	/* tweets dropped from the campaign keep their data, outside the report:
	 * its listed tweets' own aggregates, computed once, then caught up */
	char cid2[CAMPAIGN_ID_MAX];
	add_campaign(s, ALL & ~(3u << 4), cid2);
	ck_assert_str_eq(cid, cid2);
	info = check_same_as_raw(s, cid, 20);
	ck_assert(info.listed && info.scanned);
	info = check_same_as_raw(s, cid, 20);
	ck_assert(info.listed && !info.scanned);
	write_round(s, cid, 3);
	info = check_same_as_raw(s, cid, PREP_TOP_MAX);
	ck_assert(info.listed && !info.scanned);
	ck_assert_int_eq(info.seq, info.head);
	/* one of them listed again: its older data is counted again */
	add_campaign(s, ALL & ~(1u << 4), cid2);
	info = check_same_as_raw(s, cid, 20);
	ck_assert(info.listed && info.scanned);
	/* all of them: the campaign's aggregates as they are */
	add_campaign(s, ALL, cid2);
	info = check_same_as_raw(s, cid, 20);
	ck_assert(!info.listed && info.how == RH_CURRENT);
	store_free(s);
}
END_TEST

/* The aggregates documents of a campaign, kept to be put back. */
struct snapshot {
	char **docs;
	size_t n;
};

/* Saves every document of the aggregates collection (one campaign's:
 * fewer than a batch). */
static void
snapshot_take(struct store *s, struct snapshot *sn)
{
	char *reply = NULL, *cause = NULL;
	ck_assert_msg(store_report_test_command(s,
	                  "{\"find\": \"aggregates\", \"filter\": {}, \"batchSize\": 1000}", &reply,
	                  &cause) == 0,
	    "%s", cause);
	json_error_t jerr;
	json_t *j = json_loads(reply, 0, &jerr);
	json_t *batch = json_object_get(json_object_get(j, "cursor"), "firstBatch");
	sn->n = json_array_size(batch);
	ck_assert_uint_gt(sn->n, 2);
	ck_assert_uint_lt(sn->n, 1000);
	sn->docs = xcalloc(sn->n, sizeof *sn->docs);
	for (size_t i = 0; i < sn->n; i++)
		sn->docs[i] = json_dumps(json_array_get(batch, i), JSON_COMPACT);
	json_decref(j);
	free(reply);
}

/* Puts the saved documents back in place of the current ones. */
static void
snapshot_restore(struct store *s, struct snapshot *sn)
{
	char *cause = NULL;
	command(s, "{\"delete\": \"aggregates\", \"deletes\": [{\"q\": {}, \"limit\": 0}]}");
	for (size_t i = 0; i < sn->n; i++) {
		ck_assert_msg(store_report_test_insert(s, "aggregates", sn->docs[i], &cause) == 0,
		    "%s", cause);
		free(sn->docs[i]);
	}
	free(sn->docs);
}

START_TEST(test_lagging_equals_caught_up)
{
	struct store *s = open_db("t_lag");
	char cid[CAMPAIGN_ID_MAX];
	add_campaign(s, ALL, cid);
	write_round(s, cid, 0);
	aggregate(s, cid);
	struct snapshot sn;
	snapshot_take(s, &sn);
	write_round(s, cid, 1); /* the log grows; nobody aggregates it */

	struct report lag, caught;
	struct report_data_info info;
	prepared(s, cid, PREP_TOP_MAX, &lag, &info);
	ck_assert_int_eq(info.how, RH_CAUGHT_UP);
	ck_assert(lag.log_seq == lag.log_head);

	/* the same lagging aggregates, caught up by an engine this time */
	snapshot_restore(s, &sn);
	aggregate(s, cid);
	prepared(s, cid, PREP_TOP_MAX, &caught, &info);
	ck_assert_int_eq(info.how, RH_CURRENT);
	char *a = raw_render_all(&lag), *b = raw_render_all(&caught);
	tu_same_text("renders", a, b);
	free(a);
	free(b);
	report_done(&lag);
	report_done(&caught);
	store_free(s);
}
END_TEST

START_TEST(test_engine_holds_the_lease)
{
	struct store *s = open_db("t_held");
	char cid[CAMPAIGN_ID_MAX], *cause = NULL;
	add_campaign(s, ALL, cid);
	write_round(s, cid, 0);
	aggregate(s, cid);
	struct report before;
	prepared(s, cid, 20, &before, NULL);
	write_round(s, cid, 1);
	/* an engine aggregates it: the summary is about a second behind */
	struct stp_head h;
	ck_assert_int_eq(
	    stp_head_claim(s, cid, "engine-x", fake_now, fake_now + 60000, &h, &cause), 0);
	struct report r;
	struct report_data_info info;
	prepared(s, cid, 20, &r, &info);
	ck_assert_int_eq(info.how, RH_ENGINE);
	ck_assert_str_eq(info.aggregator, "engine-x");
	ck_assert_int_lt(r.log_seq, r.log_head);
	ck_assert_int_eq(r.engagements, before.engagements); /* as the summary says */
	char *md = report_render_md(&r), *html = report_render_html(&r);
	char want[160];
	snprintf(want, sizeof want, "change log up to entry %lld of %lld", (long long)r.log_seq,
	    (long long)r.log_head);
	ck_assert_msg(strstr(md, want) != NULL, "%s", md);
	ck_assert_ptr_nonnull(strstr(md, "engine-x"));
	ck_assert_ptr_nonnull(strstr(html, "id=\"change-log\""));
	free(md);
	free(html);
	report_done(&r);
	report_done(&before);

	/* a close-out never freezes it: it waits, then gives up */
	struct rep_input in;
	struct campaign c;
	struct prep_summary sum;
	ck_assert_int_eq(store_report_load(s, cid, &c, &in, &cause), 0);
	struct report_data_opts o = {.need_current = true, .wait_ms = 1200};
	ck_assert_int_eq(report_data_summary(s, &in, &o, &sum, &info, &cause), -1);
	ck_assert_msg(strstr(cause, "engine-x") && strstr(cause, "did not catch up"), "%s", cause);
	free(cause);
	cause = NULL;
	/* once the lease is free (given back, expired, or held by a report
	 * process of this host that was killed) it catches up itself */
	ck_assert_int_eq(stp_head_release(s, cid, "engine-x", &cause), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	char host[64] = "localhost", owner[128];
	gethostname(host, sizeof host - 1);
	snprintf(owner, sizeof owner, "report:%s:%ld", host, (long)pid);
	ck_assert_int_eq(stp_head_claim(s, cid, owner, fake_now, fake_now + 60000, &h, &cause), 0);
	o.wait_ms = 60000; /* not waited for */
	int64_t t0 = clock_mono_ms();
	ck_assert_msg(report_data_summary(s, &in, &o, &sum, &info, &cause) == 0, "%s", cause);
	ck_assert_int_lt(clock_mono_ms() - t0, 20000);
	ck_assert_int_eq(info.how, RH_CAUGHT_UP);
	ck_assert_int_eq(sum.seq, info.head);
	prep_summary_done(&sum);
	rep_input_done(&in);
	campaign_done(&c);
	check_same_as_raw(s, cid, 20);
	store_free(s);
}
END_TEST

/* Returns the number of CRLF-ended lines of file path. */
static int64_t
csv_lines(const char *path, char **text)
{
	size_t len;
	char *cause = NULL;
	ck_assert_msg(file_read_all(path, text, &len, &cause) == 0, "%s", cause);
	int64_t n = 0;
	for (const char *p = *text; (p = strstr(p, "\r\n")) != NULL; p += 2)
		n++;
	return n;
}

/* Returns the number a shell command line prints. */
static long
count_of(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	long n = -1;
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &n), 1);
	pclose(f);
	return n;
}

/* Checks dir's full engagers table of campaign cid: one row per engaged
 * account in ID-engagers.csv, ID-engagers.json and ID.xlsx's engagers
 * sheet, the buckets adding up as the report's do. */
static void
check_engagers(const char *dir, const char *cid, int64_t accounts, const int64_t *buckets)
{
	char *path = xasprintf("%s/%s-engagers.csv", dir, cid), *text = NULL;
	ck_assert_int_eq(csv_lines(path, &text), 1 + accounts);
	ck_assert(strncmp(text, "user_id,handle,bucket,importance,", 33) == 0);
	free(text);
	free(path);
	path = xasprintf("%s/%s-engagers.json", dir, cid);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	ck_assert_msg(json_is_array(j), "%s: %s", path, jerr.text);
	ck_assert_int_eq((int64_t)json_array_size(j), accounts);
	int64_t per[BK__COUNT] = {0};
	for (size_t i = 0; i < json_array_size(j); i++) {
		enum lw_bucket b;
		const char *name =
		    json_string_value(json_object_get(json_array_get(j, i), "bucket"));
		ck_assert_int_eq(bucket_parse(name, &b), 0);
		per[b]++;
	}
	for (int b = 0; b < BK__COUNT; b++)
		ck_assert_int_eq(per[b], buckets[b]);
	json_decref(j);
	free(path);
	/* the workbook opens as a zip with one sheet per table and the
	 * engagers sheet last: its header and one row per account */
	path = xasprintf("%s/%s.xlsx", dir, cid);
	char *cmd = xasprintf("unzip -l %s | grep -c 'xl/worksheets/sheet[0-9]*.xml'", path);
	ck_assert_int_eq(count_of(cmd), RC__COUNT + 1);
	free(cmd);
	cmd = xasprintf(
	    "unzip -p %s xl/worksheets/sheet%d.xml | grep -o '<row ' | wc -l", path, RC__COUNT + 1);
	ck_assert_int_eq(count_of(cmd), 1 + accounts);
	free(cmd);
	/* every part of it is well-formed XML (what a spreadsheet reads) */
	cmd = xasprintf("python3 -c \"import sys, zipfile, xml.dom.minidom as m; "
	                "z = zipfile.ZipFile(sys.argv[1]); "
	                "print(sum(1 for n in z.namelist() if n.endswith('.xml') and "
	                "m.parseString(z.read(n))))\" %s",
	    path);
	ck_assert_int_ge(count_of(cmd), RC__COUNT + 1 + 3);
	free(cmd);
	cmd = xasprintf("unzip -p %s xl/workbook.xml | grep -c 'name=\"engagers\"'", path);
	ck_assert_int_eq(count_of(cmd), 1);
	free(cmd);
	free(path);
}

START_TEST(test_engagement_table)
{
	struct store *s = open_db("t_table");
	char cid[CAMPAIGN_ID_MAX], *cause = NULL, *text = NULL;
	add_campaign(s, ALL, cid);
	write_round(s, cid, 0);
	write_round(s, cid, 1);
	add_campaign(s, ALL & ~(1u << (NT - 1)), cid); /* a dropped tweet's rows stay out */
	struct report r;
	prepared(s, cid, 20, &r, NULL);

	/* the command writes it with the CSV tables, with a progress line */
	char *said;
	char *uri = xasprintf("MONGODB_URI=%s", db->uri);
	const char *env[] = {uri, "LAUNCHWATCH_DB=t_table", NULL};
	char *out = xasprintf("%s/out", workdir);
	char *slashed = xasprintf("%s//", out); /* the paths printed have no "//" */
	const char *args[] = {
	    "report", cid, "--format", "csv,json,xlsx,html", "--out", slashed, NULL};
	struct tu_run run;
	tu_run(&run, env, 60000, args);
	free(slashed);
	/* every engaged account, once, in the CSV, the JSON and the workbook */
	ck_assert_msg(run.status == 0, "report: %s", run.err);
	check_engagers(out, cid, r.unique_accounts, r.bucket_accounts);
	/* the client's branding went from the campaign file to the HTML */
	char *hp = xasprintf("%s/%s.html", out, cid), *html = NULL;
	size_t hlen;
	ck_assert_msg(file_read_all(hp, &html, &hlen, &cause) == 0, "%s", cause);
	ck_assert_ptr_nonnull(strstr(html, "--accent:#0a7f6f"));
	ck_assert_ptr_nonnull(strstr(html, "src=\"https://acme.example/l.png\""));
	free(html);
	free(hp);
	said = xasprintf("wrote the engagers of %s: %lld rows", cid, (long long)r.unique_accounts);
	ck_assert_msg(strstr(run.err, said) != NULL, "%s", run.err);
	free(said);
	ck_assert_msg(run.status == 0, "report: %s", run.err);
	char *path = xasprintf("%s/%s-engagements.csv", out, cid);
	ck_assert_ptr_nonnull(strstr(run.out, path));
	ck_assert_ptr_null(strstr(run.out, "//"));
	said = xasprintf("wrote %s-engagements.csv: %lld rows", cid, (long long)r.engagements);
	ck_assert_msg(strstr(run.err, said) != NULL, "%s", run.err);
	free(said);
	tu_run_done(&run);
	ck_assert_int_eq(csv_lines(path, &text), 1 + r.engagements);
	ck_assert(strncmp(text, "tweet_id,user_id,handle,", 24) == 0);
	ck_assert_ptr_nonnull(strstr(text, ",\"'=cmd|' /C calc'!A0\","));
	ck_assert_ptr_nonnull(strstr(text, ",\"'+plus\","));
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_null(strstr(text, tids[NT - 1]));
	free(text);
	free(path);

	/* the close-out writes it into the archive's report folder, up to the
	 * freeze, and streams the archive */
	char *root = xasprintf("%s/archives", workdir);
	struct closeout_opts o = {.archive_root = root, .write_reports = true};
	struct closeout_result res;
	ck_assert_msg(closeout_run(s, cid, NULL, &o, &res, &cause) == 0, "%s", cause);
	char *report = NULL;
	ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 0);
	free(report);
	struct report fin;
	ck_assert_int_eq(closeout_report(s, cid, fake_now, 20, &fin, &cause), 0);
	ck_assert(fin.final);
	ck_assert_int_eq(fin.engagements, r.engagements);
	path = xasprintf("%s/report/%s-engagements.csv", res.archive_dir, cid);
	ck_assert_int_eq(csv_lines(path, &text), 1 + fin.engagements);
	free(text);
	free(path);
	/* the archive has every engagement of the campaign, dropped tweet too */
	ck_assert_int_gt(res.manifest.files[2].documents, fin.engagements);
	report_done(&fin);
	report_done(&r);
	free(root);
	free(out);
	free(uri);
	store_free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report_prep");
	TCase *tc = tcase_create("report_prep");
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_same_as_raw_every_way);
	tcase_add_test(tc, test_lagging_equals_caught_up);
	tcase_add_test(tc, test_engine_holds_the_lease);
	tcase_add_test(tc, test_engagement_table);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
