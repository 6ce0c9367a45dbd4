/*
 * The HTML report as a client sees it: a deterministic report (fixed data,
 * fixed times, a small SVG logo and an accent colour) rendered by
 * report_render_html, opened in headless Chromium, and its screenshot
 * (1200 px wide) compared with tests/data/report_look.png within a
 * tolerance (tests/support/pngcmp.py: grayscale, halved, at most 0.5 % of
 * the pixels differing by more than 32 levels); the same file printed to
 * PDF by Chromium has a cover page and more. Without Chromium the test
 * fails and says so (scripts/install-deps.sh installs it). Set
 * LW_UPDATE_REFERENCE=1 to rewrite the reference after a deliberate change.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "rep_raw.h"
#include "testutil.h"
#include "model/report.h"
#include "output/report_write.h"
#include "base/util.h"

#define D0  1796133600000LL /* 2026-12-01T14:00:00Z */
#define MIN 60000LL

static char *workdir;

static void
setup(void)
{
	workdir = tu_tempdir();
}

static void
teardown(void)
{
	if (getenv("LW_KEEP") == NULL)
		tu_rmtree(workdir);
	free(workdir);
}

/* A small logo: the accent's square with a white mark, as an SVG data URI. */
static const char logo[] =
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCA2NCA2NCIgd2lkdGg9"
    "IjY0IiBoZWlnaHQ9IjY0Ij48cmVjdCB3aWR0aD0iNjQiIGhlaWdodD0iNjQiIHJ4PSIxMiIgZmlsbD0iIzBhN2Y2"
    "ZiIvPjxwYXRoIGQ9Ik0xNiA0NiBMMzIgMTQgTDQ4IDQ2IFoiIGZpbGw9IiNmZmYiLz48L3N2Zz4=";

/* Adds a tweet with its latest counts (views < 0: no view count). */
static void
tweet(struct raw_input *x, const char *id, enum tweet_category cat, const char *author,
    int64_t views, int64_t likes)
{
	struct rep_input *in = &x->in;
	in->tweets = xreallocarray(in->tweets, in->ntweets + 1, sizeof *in->tweets);
	struct rep_in_tweet *t = &in->tweets[in->ntweets++];
	memset(t, 0, sizeof *t);
	snprintf(t->tweet_id, sizeof t->tweet_id, "%s", id);
	t->category = cat;
	t->url = xasprintf("https://x.com/%s/status/%s", author, id);
	t->author = xstrdup(author);
	int64_t v[RM__COUNT] = {views, likes, likes / 5, likes / 9, likes / 20, likes / 7};
	for (int m = 0; m < RM__COUNT; m++) {
		t->metrics.has[m] = v[m] >= 0;
		t->metrics.v[m] = v[m] >= 0 ? v[m] : 0;
	}
	t->metrics_at_ms = D0 + 2 * 86400000LL;
}

/* The fixed campaign: four tweets, 36 engaged accounts over two days,
 * hourly slices of the main tweet. */
static void
fixture(struct raw_input *x)
{
	static const char *const ids[] = {"1861111111111111111", "1861111111111111112",
	    "1861111111111111113", "1861111111111111114"};
	static const char *const people[] = {"a16z", "paradigm", "vitalik", "cdixon", "balajis",
	    "naval", "sama", "karpathy", "techcrunch", "theblock", "devrel", "rustlang"};
	memset(x, 0, sizeof *x);
	struct rep_input *in = &x->in;
	snprintf(in->campaign_id, sizeof in->campaign_id, "acme-l2-mainnet-1a2b3c4d");
	in->name = xstrdup("Acme L2 mainnet launch");
	in->client = xstrdup("Acme Labs");
	in->client_logo = xstrdup(logo);
	in->client_accent = xstrdup("#0a7f6f");
	in->window_start_ms = D0;
	in->window_end_ms = D0 + 7 * 86400000LL;
	in->status = CS_ACTIVE;
	in->cpm.has_benchmark[CAT_MAIN] = true;
	in->cpm.benchmark_usd[CAT_MAIN] = 6.0;
	in->cpm.has_benchmark[CAT_INFLUENCER] = true;
	in->cpm.benchmark_usd[CAT_INFLUENCER] = 14.0;
	in->cpm.has_spend[CAT_INFLUENCER] = true;
	in->cpm.spend_usd[CAT_INFLUENCER] = 12000;
	tweet(x, ids[0], CAT_MAIN, "acme", 1843200, 9120);
	tweet(x, ids[1], CAT_INFLUENCER, "kol_with_a_rather_long_handle", 652000, 3100);
	tweet(x, ids[2], CAT_INFLUENCER, "defi_daily", 211000, 870);
	tweet(x, ids[3], CAT_INVESTOR, "paradigm", 98000, 640);
	for (int i = 0; i < 36; i++) {
		struct raw_eng e = {0};
		snprintf(e.tweet_id, sizeof e.tweet_id, "%s", ids[i % 4]);
		snprintf(e.user_id, sizeof e.user_id, "%d", 5000 + i);
		e.action = (enum lw_action)(i % ACT__COUNT);
		static const int mix[12] = {0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 4, 5};
		e.bucket = (enum lw_bucket)mix[i * 5 % 12];
		e.importance = 95 - i * 2;
		char handle[64];
		snprintf(handle, sizeof handle, "%s%s", people[i % 12], i < 12 ? "" : "_fan");
		e.handle = handle;
		e.name = (char *)(i < 12 ? "Well-known account" : "Community member");
		e.evidence = (char *)"bio mentions the role";
		e.followers = 2400000 / (i + 1);
		e.verified = i < 6;
		e.first_seen_at_ms = D0 + (int64_t)i * 80 * MIN;
		raw_add_eng(x, &e);
	}
	for (int h = 0; h < 48; h++) {
		x->slices = xreallocarray(x->slices, x->nslices + 1, sizeof *x->slices);
		struct raw_slice *s = &x->slices[x->nslices++];
		memset(s, 0, sizeof *s);
		snprintf(s->tweet_id, sizeof s->tweet_id, "%s", ids[h % 2]);
		s->seq = h / 2 + 1;
		s->at_ms = D0 + (int64_t)h * 60 * MIN + 5 * MIN;
		int64_t d[RM__COUNT] = {38000 - h * 500, 190 - h * 2, 38, 21, 9, 27};
		for (int m = 0; m < RM__COUNT; m++) {
			s->deltas.has[m] = true;
			s->deltas.v[m] = d[m];
		}
	}
}

/* Runs a shell command line; returns its exit status (-1 when it did not
 * run). */
static int
run(const char *cmd)
{
	int st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The Chromium command line of this machine, NULL when none is installed. */
static const char *
chromium(void)
{
	static const char *const names[] = {"chromium", "chromium-browser"};
	for (size_t i = 0; i < LW_ARRAY_LEN(names); i++) {
		char *cmd = xasprintf("command -v %s >/dev/null 2>&1", names[i]);
		int rc = run(cmd);
		free(cmd);
		if (rc == 0)
			return names[i];
	}
	return NULL;
}

/* Runs headless Chromium on file page with what (--screenshot=... or
 * --print-to-pdf=...); fails the test when it does not finish. */
static void
chromium_run(const char *bin, const char *page, const char *what)
{
	char *profile = xasprintf("%s/profile-%d", workdir, rand());
	char *cmd = xasprintf("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic "
	                      "--no-first-run --disable-background-networking "
	                      "--disable-component-update --disable-sync --hide-scrollbars "
	                      "--force-device-scale-factor=1 --user-data-dir=%s %s "
	                      "--window-size=1200,2000 file://%s >%s/chromium.log 2>&1",
	    bin, profile, what, page, workdir);
	int rc = run(cmd);
	ck_assert_msg(rc == 0, "chromium exited %d: %s (log in %s/chromium.log)", rc, cmd, workdir);
	free(cmd);
	free(profile);
}

/* Counts the pages of a PDF (its /Type /Page objects). */
static int
pdf_pages(const char *text, size_t len)
{
	int n = 0;
	for (size_t i = 0; i + 11 <= len; i++)
		if (memcmp(text + i, "/Type /Page", 11) == 0 && text[i + 11] != 's')
			n++;
	return n;
}

START_TEST(test_screenshot_matches_reference)
{
	const char *bin = chromium();
	ck_assert_msg(bin != NULL, "chromium is not installed: the report's screenshot test cannot "
	                           "run (scripts/install-deps.sh installs the Debian package "
	                           "chromium)");
	struct raw_input x;
	struct report r;
	fixture(&x);
	raw_report_build(&x, INT64_MAX, D0 + 2 * 86400000LL, 20, &r);
	char *html = report_render_html(&r);
	char *page = tu_write_file(workdir, "report.html", html);
	free(html);
	char *png = xasprintf("%s/shot.png", workdir);
	char *opt = xasprintf("--screenshot=%s", png);
	chromium_run(bin, page, opt);
	free(opt);

	const char *src = getenv("LAUNCHWATCH_SRCDIR");
	char *ref = xasprintf("%s/tests/data/report_look.png", src ? src : ".");
	char *cmp = xasprintf("python3 %s/tests/support/pngcmp.py %s %s %s", src ? src : ".", png,
	    ref, getenv("LW_UPDATE_REFERENCE") ? "--update" : "");
	int rc = run(cmp);
	ck_assert_msg(rc == 0,
	    "the report's screenshot %s differs from %s (pngcmp exit %d); look at both, and if "
	    "the change is meant, rerun with LW_UPDATE_REFERENCE=1",
	    png, ref, rc);
	free(cmp);
	free(ref);

	/* printed: the cover alone on the first page, then the details */
	char *pdf = xasprintf("%s/report.pdf", workdir);
	opt = xasprintf("--print-to-pdf=%s --no-pdf-header-footer", pdf);
	chromium_run(bin, page, opt);
	free(opt);
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	ck_assert_msg(file_read_all(pdf, &text, &len, &cause) == 0, "%s", cause);
	ck_assert(len > 4 && memcmp(text, "%PDF", 4) == 0);
	int pages = pdf_pages(text, len);
	ck_assert_msg(pages >= 3 && pages <= 8, "the printed report has %d pages", pages);
	free(text);
	free(pdf);
	free(png);
	free(page);
	report_done(&r);
	raw_input_done(&x);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("report_look");
	TCase *tc = tcase_create("report_look");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_screenshot_matches_reference);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
