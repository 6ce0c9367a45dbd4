/*
 * test_classify: table tests of the built-in bucket rules (every bucket, word
 * boundaries, case, evidence text, ties, hostile bios), of the importance
 * formula (the worked examples of docs/scoring.md, monotonicity, clamping,
 * each term) and of the YAML rules loader (the example file, a valid file and
 * broken files with their exact "FILE:LINE:COL: message"). Data files are
 * found under $LAUNCHWATCH_SRCDIR (default "."). Single-threaded except for
 * the concurrency test, which starts its own threads.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/rules_file.h"
#include "model/classify.h"
#include "model/classify_norm.h"
#include "base/util.h"

/* Returns a new path to a file under the source tree. */
static char *
src_path(const char *rel)
{
	const char *dir = getenv("LAUNCHWATCH_SRCDIR");
	return xasprintf("%s/%s", dir != NULL && dir[0] != '\0' ? dir : ".", rel);
}

/* Classifies one profile with rules r into *c (followers 0, retweet, main). */
static void
classify_profile(const struct classify_rules *r, const char *handle, const char *name,
    const char *bio, struct classification *c)
{
	struct lw_user u = {.handle = (char *)handle, .name = (char *)name, .bio = (char *)bio};
	classify_user(r, &u, ACT_RETWEET, CAT_MAIN, c);
}

/* ---- The built-in rules. ---- */

struct profile {
	const char *handle;
	const char *name;
	const char *bio;
	enum lw_bucket want;
	const char *evidence;
};

static const struct profile profiles[] = {
    /* investor */
    {"janecapital", "Jane Doe", "General Partner @a16z. Views my own.", BK_INVESTOR,
        "bio: 'general partner', 'a16z'; handle: 'capital'"},
    {"angel_bob", "Bob", "Angel investor in 40+ startups", BK_INVESTOR,
        "bio: 'angel investor', 'investor', 'angel'"},
    {"seedfundvc", "", "", BK_INVESTOR, "handle: 'vc'"},
    {"sam", "Sam | VC", "Dad. Runner.", BK_INVESTOR, "name: 'vc'"},
    {"@AcmeCAPITAL", "Acme", "", BK_INVESTOR, "handle: 'capital'"},
    {"x", "", "\xff\xfeVC\xc3", BK_INVESTOR, "bio: 'vc'"},
    {"x", "", "VC turned CEO", BK_INVESTOR, "bio: 'vc'"}, /* tie 4:4, investor first */
    /* founder */
    {"alice", "Alice", "Co-founder & CEO @acme (YC W23)", BK_FOUNDER,
        "bio: 'founder', 'co founder', 'ceo', 'yc'"},
    {"x", "Founder", "Founder of X", BK_FOUNDER, "bio: 'founder'"},
    {"x", "",
        "Co\xe2\x80\x94"
        "Founder, bootstrapped",
        BK_FOUNDER, "bio: 'founder', 'co founder', 'bootstrapped'"},
    {"x", "", "Founder\nCEO\tof X", BK_FOUNDER, "bio: 'founder', 'ceo'"},
    {"x", "", "CEO. Developer.", BK_FOUNDER, "bio: 'ceo'"}, /* tie 4:4, founder first */
    /* ai */
    {"r", "R", "Researching LLMs and machine learning", BK_AI, "bio: 'machine learning', 'llms'"},
    {"r", "R", "AI/ML at BigCo", BK_AI, "bio: 'ai', 'ml'"},
    {"r", "",
        "\xf0\x9f\xa4\x96"
        "AI\xf0\x9f\x9a\x80 builder",
        BK_AI, "bio: 'ai'"},
    {"r", "", "\x1b[1mAI\x1b[0m researcher", BK_AI, "bio: 'ai'"},
    {"r", "", "na\xc3\xafve about AI in Thailand", BK_AI, "bio: 'ai'"},
    {"r", "", "AI editor", BK_AI, "bio: 'ai'"}, /* tie 4:4 with media, ai first */
    {"jane_ai", "", "", BK_AI, "handle: '_ai'"},
    /* developer */
    {"d", "", "Senior Software Engineer. Rustacean. Open source maintainer.", BK_DEVELOPER,
        "bio: 'software engineer', 'engineer', 'open source', 'maintainer', 'rustacean'"},
    {"jane_dev", "", "", BK_DEVELOPER, "handle: 'dev'"},
    {"d", "", "developer and editor", BK_DEVELOPER, "bio: 'developer'"}, /* tie with media */
    {"d", "", "FULL-STACK DEV", BK_DEVELOPER, "bio: 'dev', 'full stack'"},
    /* media */
    {"m", "", "Senior reporter at TechCrunch. Tips: DMs open", BK_MEDIA,
        "bio: 'reporter', 'techcrunch', 'tips'"},
    {"cryptonews", "", "", BK_MEDIA, "handle: 'news'"},
    {"m", "", "Founder. Journalist, editor, podcaster.", BK_MEDIA,
        "bio: 'journalist', 'editor', 'podcaster'"},
    /* other: word-boundary traps and weak signals */
    {"t", "", "He said Thailand is paid in aid; retail, email, Sustainable.", BK_OTHER, ""},
    {"t", "", "Devoted dad; development of devices; invested in fundamentals", BK_OTHER, ""},
    {"t", "Vcard", "Mainly capitalism and reporters' gossip", BK_OTHER, ""},
    {"t", "", "Building things", BK_OTHER, ""}, /* founder 1 < min_score 2 */
    {"shanghai", "", "cooking", BK_OTHER, ""},
    {NULL, NULL, NULL, BK_OTHER, ""},
    {"", "", "\x1b]0;pwned\x07\x1b[2J", BK_OTHER, ""},
};

START_TEST(test_profile)
{
	const struct profile *p = &profiles[_i];
	struct classify_rules *r = classify_rules_default();
	struct classification c;
	classify_profile(r, p->handle, p->name, p->bio, &c);
	ck_assert_msg(c.bucket == p->want, "profile %d (%s): got %s, want %s", _i,
	    p->bio ? p->bio : "NULL", bucket_name(c.bucket), bucket_name(p->want));
	ck_assert_str_eq(c.evidence, p->evidence);
	ck_assert_int_eq(c.score[BK_OTHER], 0);
	classification_done(&c);
	ck_assert_ptr_null(c.evidence);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_scores)
{
	struct classify_rules *r = classify_rules_default();
	struct classification c;
	classify_profile(r, "janecapital", "Jane", "General Partner @a16z; ex-founder", &c);
	ck_assert_int_eq(c.score[BK_INVESTOR], 5 + 4 + 4);
	ck_assert_int_eq(c.score[BK_FOUNDER], 0); /* "ex-" negates founder */
	ck_assert_int_eq(c.score[BK_AI], 0);
	classification_done(&c);
	/* A word in both bio and name counts once, reported for the bio. */
	classify_profile(r, "x", "Founder", "Founder", &c);
	ck_assert_int_eq(c.score[BK_FOUNDER], 5);
	classification_done(&c);
	/* Below min_score the points are still reported. */
	classify_profile(r, "x", "", "building", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	ck_assert_int_eq(c.score[BK_FOUNDER], 1);
	classification_done(&c);
	ck_assert_str_eq(classify_rules_source(r), "built-in");
	classify_rules_free(r);
}
END_TEST

/* Returns a new string of n filler bytes with head at the start and tail at
 * the end. */
static char *
long_bio(size_t n, const char *head, const char *tail)
{
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 7 == 6) ? ' ' : "xyzzy\xc3\xa9"[i % 7];
	memcpy(s, head, strlen(head));
	memcpy(s + n - strlen(tail), tail, strlen(tail));
	s[n] = '\0';
	return s;
}

START_TEST(test_long_bios)
{
	struct classify_rules *r = classify_rules_default();
	struct classification c;
	/* A keyword past the scan cap is not seen. */
	char *bio = long_bio(100000, "", " AI");
	classify_profile(r, "x", "", bio, &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	free(bio);
	/* One inside it is. */
	bio = long_bio(100000, "VC ", "");
	classify_profile(r, "x", "", bio, &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_str_eq(c.evidence, "bio: 'vc'");
	classification_done(&c);
	free(bio);
	/* A word cut by the cap ("aid" cut to "ai") does not match. */
	bio = xmalloc(CLASSIFY_BIO_MAX + 8);
	memset(bio, ' ', CLASSIFY_BIO_MAX - 2);
	strcpy(bio + CLASSIFY_BIO_MAX - 2, "aid now");
	classify_profile(r, "x", "", bio, &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	/* A whole word that ends exactly at the cap does. */
	strcpy(bio + CLASSIFY_BIO_MAX - 2, "ai now");
	classify_profile(r, "x", "", bio, &c);
	ck_assert_int_eq(c.bucket, BK_AI);
	classification_done(&c);
	free(bio);
	/* A very long handle and name are capped too. */
	char *handle = long_bio(10000, "", "capital");
	classify_profile(r, handle, handle, "", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	free(handle);
	classify_rules_free(r);
}
END_TEST

/* Arguments and results of one concurrent classifier thread. */
struct worker {
	const struct classify_rules *r;
	int mismatches;
};

/* Classifies every profile many times and counts results that differ from
 * the table. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < LW_ARRAY_LEN(profiles); i++) {
			struct classification c;
			classify_profile(
			    w->r, profiles[i].handle, profiles[i].name, profiles[i].bio, &c);
			if (c.bucket != profiles[i].want ||
			    strcmp(c.evidence, profiles[i].evidence) != 0)
				w->mismatches++;
			classification_done(&c);
		}
	return NULL;
}

START_TEST(test_concurrent)
{
	struct classify_rules *r = classify_rules_default();
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){r, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].mismatches, 0);
	}
	classify_rules_free(r);
}
END_TEST

/* ---- The importance formula. ---- */

struct fp_case {
	int64_t followers;
	int points;
};

static const struct fp_case fp_cases[] = {
    {-5, 0},
    {0, 0},
    {9, 0},
    {11, 0},
    {12, 1},
    {99, 10},
    {100, 10},
    {999, 20},
    {1200, 20},
    {9999, 30},
    {12000, 30},
    {250000, 43},
    {999999, 50},
    {5000000, 50},
    {INT64_MAX, 50},
};

START_TEST(test_follower_points)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(fp_cases); i++)
		ck_assert_msg(classify_follower_points(fp_cases[i].followers) == fp_cases[i].points,
		    "followers %lld: got %d, want %d", (long long)fp_cases[i].followers,
		    classify_follower_points(fp_cases[i].followers), fp_cases[i].points);
}
END_TEST

struct worked {
	int64_t followers;
	bool verified;
	enum lw_bucket bucket;
	enum lw_action action;
	enum tweet_category cat;
	int importance;
};

/* The worked examples of docs/scoring.md. */
static const struct worked worked[] = {
    {250000, true, BK_INVESTOR, ACT_QUOTE, CAT_MAIN, 93},
    {1200, false, BK_DEVELOPER, ACT_RETWEET, CAT_INFLUENCER, 36},
    {3, false, BK_OTHER, ACT_REPLY, CAT_INVESTOR, 12},
    {12000, true, BK_FOUNDER, ACT_REPLY, CAT_INVESTOR, 67},
    {5000000, true, BK_AI, ACT_QUOTE, CAT_MAIN, 90},
};

START_TEST(test_worked_examples)
{
	struct classify_rules *r = classify_rules_default();
	const struct worked *w = &worked[_i];
	ck_assert_int_eq(
	    classify_importance(r, w->followers, w->verified, w->bucket, w->action, w->cat),
	    w->importance);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_worked_end_to_end)
{
	/* Example 1 of docs/scoring.md through classify_user. */
	struct classify_rules *r = classify_rules_default();
	struct lw_user u = {.handle = (char *)"janecapital",
	    .name = (char *)"Jane Doe",
	    .bio = (char *)"General Partner @a16z. Views my own.",
	    .followers = 250000,
	    .verified = true};
	struct classification c;
	classify_user(r, &u, ACT_QUOTE, CAT_MAIN, &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_int_eq(c.importance, 93);
	ck_assert_str_eq(c.evidence, "bio: 'general partner', 'a16z'; handle: 'capital'");
	classification_done(&c);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_importance_monotonic)
{
	struct classify_rules *r = classify_rules_default();
	int prev = -1;
	for (int64_t f = 0; f < 3000000; f = f < 100 ? f + 1 : f + f / 50) {
		int v = classify_importance(r, f, false, BK_MEDIA, ACT_REPLY, CAT_INFLUENCER);
		ck_assert_int_ge(v, prev);
		ck_assert_int_ge(v, 0);
		ck_assert_int_le(v, 100);
		prev = v;
	}
	ck_assert_int_eq(prev, 50 + 10 + 6 + 4);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_importance_terms)
{
	struct classify_rules *r = classify_rules_default();
	/* Verification adds exactly 10. */
	ck_assert_int_eq(classify_importance(r, 5000, true, BK_AI, ACT_REPLY, CAT_MAIN) -
	                     classify_importance(r, 5000, false, BK_AI, ACT_REPLY, CAT_MAIN),
	    10);
	/* Action: quote 10 > reply 6 > retweet 4. */
	int q = classify_importance(r, 0, false, BK_OTHER, ACT_QUOTE, CAT_MAIN);
	int p = classify_importance(r, 0, false, BK_OTHER, ACT_REPLY, CAT_MAIN);
	int t = classify_importance(r, 0, false, BK_OTHER, ACT_RETWEET, CAT_MAIN);
	ck_assert_int_eq(q, 20);
	ck_assert_int_eq(p, 16);
	ck_assert_int_eq(t, 14);
	/* Category: main 10 > investor 6 > influencer 4. */
	ck_assert_int_eq(classify_importance(r, 0, false, BK_OTHER, ACT_RETWEET, CAT_INVESTOR), 10);
	ck_assert_int_eq(
	    classify_importance(r, 0, false, BK_OTHER, ACT_RETWEET, CAT_INFLUENCER), 8);
	/* Bucket weights 20, 15, 10, 8, 10, 0. */
	static const int bw[BK__COUNT] = {20, 15, 10, 8, 10, 0};
	for (int b = 0; b < BK__COUNT; b++)
		ck_assert_int_eq(classify_importance(
		                     r, 0, false, (enum lw_bucket)b, ACT_RETWEET, CAT_INFLUENCER),
		    8 + bw[b]);
	/* The maximum of the built-in weights is exactly 100. */
	ck_assert_int_eq(
	    classify_importance(r, INT64_MAX, true, BK_INVESTOR, ACT_QUOTE, CAT_MAIN), 100);
	ck_assert_int_eq(CLASSIFY_FORMULA_VERSION, 1);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_importance_clamp)
{
	static const char yaml[] = "buckets:\n  investor:\n    importance: 40\n";
	struct classify_rules *r = NULL;
	char *cause = NULL;
	ck_assert_int_eq(rules_file_load_string("clamp.yaml", yaml, strlen(yaml), &r, &cause), 0);
	ck_assert_int_eq(
	    classify_importance(r, 10000000, true, BK_INVESTOR, ACT_QUOTE, CAT_MAIN), 100);
	ck_assert_int_eq(classify_importance(r, 1000, false, BK_INVESTOR, ACT_RETWEET, CAT_MAIN),
	    20 + 40 + 4 + 10);
	/* Out-of-range enums earn nothing rather than reading past a table. */
	ck_assert_int_eq(classify_importance(r, -1, false, BK__COUNT, ACT__COUNT, CAT__COUNT), 0);
	classify_rules_free(r);
}
END_TEST

/* ---- The YAML loader. ---- */

START_TEST(test_load_example)
{
	char *path = src_path("docs/rules.example.yaml");
	struct classify_rules *r = NULL;
	char *cause = NULL;
	int rc = rules_file_load(path, &r, &cause);
	ck_assert_msg(rc == 0, "%s", cause ? cause : "");
	ck_assert_str_eq(classify_rules_source(r), path);
	struct classification c;
	classify_profile(r, "x", "", "Solo GP, emerging manager", &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_str_eq(c.evidence, "bio: 'gp', 'solo gp', 'emerging manager'");
	ck_assert_int_eq(c.score[BK_INVESTOR], 3 + 5 + 4);
	classification_done(&c);
	/* fund: 0 removed the built-in keyword; built-ins not named remain. */
	classify_profile(r, "x", "", "fund", &c);
	ck_assert_int_eq(c.score[BK_INVESTOR], 0);
	classification_done(&c);
	classify_profile(r, "x", "", "angel investor", &c);
	ck_assert_int_eq(c.score[BK_INVESTOR], 5 + 4 + 1);
	classification_done(&c);
	/* A new handle suffix and a changed importance weight. */
	classify_profile(r, "x", "", "Second time founder", &c);
	ck_assert_str_eq(c.evidence, "bio: 'founder', 'second time founder'");
	ck_assert_int_eq(c.score[BK_FOUNDER], 5 + 3);
	classification_done(&c);
	classify_profile(r, "acmepartners", "", "", &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_str_eq(c.evidence, "handle: 'partners'");
	classification_done(&c);
	/* Keywords in other scripts, folded and matched like bios. */
	classify_profile(r, "x", "", "MODERATORIN und 财经主播", &c);
	ck_assert_int_eq(c.bucket, BK_MEDIA);
	ck_assert_str_eq(c.evidence, "bio: 'moderatorin', '主播'");
	classification_done(&c);
	classify_profile(r, "janehacks", "", "Zig", &c);
	ck_assert_int_eq(c.bucket, BK_DEVELOPER);
	ck_assert_str_eq(c.evidence, "bio: 'zig'; handle: 'hacks'");
	classification_done(&c);
	ck_assert_int_eq(
	    classify_importance(r, 0, false, BK_AI, ACT_RETWEET, CAT_MAIN), 12 + 4 + 10);
	classify_rules_free(r);
	free(path);
}
END_TEST

START_TEST(test_load_valid)
{
	char *path = src_path("tests/data/rules/valid.yaml");
	struct classify_rules *r = NULL;
	char *cause = NULL;
	int rc = rules_file_load(path, &r, &cause);
	ck_assert_msg(rc == 0, "%s", cause ? cause : "");
	ck_assert_ptr_null(cause);
	struct classification c;
	/* base: empty drops every built-in rule. */
	classify_profile(r, "x", "", "VC and founder, AI journalist", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	classify_profile(r, "x", "", "Solo GP", &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_str_eq(c.evidence, "bio: 'solo gp'");
	classification_done(&c);
	/* min_score 3: the handle's 2 points alone are not enough. */
	classify_profile(r, "foocapital", "", "", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	ck_assert_int_eq(c.score[BK_INVESTOR], 2);
	classification_done(&c);
	classify_profile(r, "x", "Maker", "", &c);
	ck_assert_int_eq(c.bucket, BK_FOUNDER);
	ck_assert_str_eq(c.evidence, "name: 'maker'");
	classification_done(&c);
	ck_assert_int_eq(
	    classify_importance(r, 0, false, BK_INVESTOR, ACT_RETWEET, CAT_MAIN), 25 + 4 + 10);
	ck_assert_int_eq(
	    classify_importance(r, 0, false, BK_OTHER, ACT_RETWEET, CAT_MAIN), 1 + 4 + 10);
	classify_rules_free(r);
	free(path);
}
END_TEST

struct broken {
	const char *file;
	const char *message; /* after "PATH:" */
	const char *second;  /* a second message after "\nPATH:", or NULL */
};

static const struct broken broken[] = {
    {"unknown_bucket.yaml", "5:3: unknown bucket 'investors' (did you mean 'investor'?)", NULL},
    {"unknown_top_key.yaml", "2:1: unknown key 'bucket' (did you mean 'buckets'?)", NULL},
    {"unknown_bucket_key.yaml", "3:5: unknown key 'word' (did you mean 'words'?)", NULL},
    {"weight_range.yaml", "4:12: weight of 'llm' must be an integer from 0 to 20, got '50'", NULL},
    {"importance_type.yaml",
        "3:17: importance of bucket 'media' must be an integer from 0 to 40, got 'high'", NULL},
    {"duplicate_keyword.yaml", "5:7: duplicate keyword 'VC' in bucket 'investor' (first at line 4)",
        NULL},
    {"bad_handle.yaml", "4:7: handle pattern 'dev ops' may hold only ASCII letters, digits and '_'",
        NULL},
    {"syntax.yaml",
        "5:4: YAML syntax error: did not find expected key (while parsing a block mapping)", NULL},
    {"other_words.yaml", "3:5: bucket 'other' takes only 'importance'", NULL},
    {"empty_keyword.yaml", "4:7: keyword '!!!' has no letters or digits", NULL},
    {"empty.yaml", "1:1: the rules file is empty", NULL},
    {"version_min_score.yaml", "1:10: version must be 1, got '2'",
        "2:12: min_score must be an integer from 1 to 100, got '0'"},
};

START_TEST(test_load_broken)
{
	const struct broken *b = &broken[_i];
	char *rel = xasprintf("tests/data/rules/%s", b->file);
	char *path = src_path(rel);
	struct classify_rules *r = NULL;
	char *cause = NULL;
	ck_assert_int_eq(rules_file_load(path, &r, &cause), -1);
	ck_assert_ptr_null(r);
	char *want = b->second != NULL
	                 ? xasprintf("%s:%s\n%s:%s", path, b->message, path, b->second)
	                 : xasprintf("%s:%s", path, b->message);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
	free(rel);
}
END_TEST

struct inline_case {
	const char *yaml;
	const char *message;
};

static const struct inline_case inline_cases[] = {
    {"buckets: {}\nbuckets: {}\n", "t.yaml:2:1: duplicate key 'buckets' (first at line 1)"},
    {"- a\n- b\n", "t.yaml:1:1: expected a mapping with 'buckets' at the top level"},
    {"buckets: [investor]\n", "t.yaml:1:10: 'buckets' must be a mapping of bucket names"},
    {"buckets:\n  ai: 3\n", "t.yaml:2:7: bucket 'ai' must be a mapping"},
    {"buckets:\n  ai:\n    words: [llm]\n",
        "t.yaml:3:12: 'words' must be a mapping of pattern: weight, got a list"},
    {"base: none\n", "t.yaml:1:7: base must be 'default' or 'empty', got 'none'"},
    {"buckets:\n  ai:\n    words:\n      llm: \"3\"\n",
        "t.yaml:4:12: weight of 'llm' must be an integer from 0 to 20, got '3'"},
    {"buckets:\n  ai:\n    words:\n      llm: -1\n",
        "t.yaml:4:12: weight of 'llm' must be an integer from 0 to 20, got '-1'"},
    {"buckets:\n  ai:\n    words:\n      co-founder: 2\n      co founder: 3\n",
        "t.yaml:5:7: duplicate keyword 'co founder' in bucket 'ai' (first at line 4)"},
    {"buckets:\n  robots: {}\n",
        "t.yaml:2:3: unknown bucket 'robots' (expected one of: investor, founder, ai, "
        "developer, media, other)"},
    {"colour: red\nbuckets:\n  investr: {}\n",
        "t.yaml:1:1: unknown key 'colour' (expected one of: version, base, min_score, "
        "buckets, cues)\nt.yaml:3:3: unknown bucket 'investr' (did you mean 'investor'?)"},
    {"buckets:\n  ai:\n    words:\n      ? [a]\n      : 1\n",
        "t.yaml:4:9: expected a plain key, got a list"},
    {"cues: [not]\n", "t.yaml:1:7: 'cues' must be a mapping of before, near, after, skip, stop "
                      "and remove lists"},
    {"cues:\n  before: hardly\n",
        "t.yaml:2:11: 'cues.before' must be a list of words or phrases, got a scalar"},
    {"cues:\n  before: [hardly, Hardly]\n",
        "t.yaml:2:20: duplicate cue 'Hardly' in 'cues.before' (first at line 2)"},
    {"cues:\n  remove: [hardly]\n",
        "t.yaml:2:12: 'hardly' is not a built-in cue (docs/scoring.md lists them)"},
    {"cues:\n  after: ['!!!']\n", "t.yaml:2:11: cue '!!!' has no letters or digits"},
    {"cues:\n  stop: [{a: 1}]\n", "t.yaml:2:10: each item of 'cues.stop' must be a word or phrase"},
    {"cues:\n  befor: [x]\n", "t.yaml:2:3: unknown key 'befor' (did you mean 'before'?)"},
};

/* Loads c->yaml as t.yaml and asserts it fails with exactly c->message. */
static void
load_fails(const struct inline_case *c)
{
	struct classify_rules *r = NULL;
	char *cause = NULL;
	ck_assert_int_eq(
	    rules_file_load_string("t.yaml", c->yaml, strlen(c->yaml), &r, &cause), -1);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(cause, c->message);
	free(cause);
}

START_TEST(test_load_inline)
{
	load_fails(&inline_cases[_i]);
}
END_TEST

START_TEST(test_load_misc)
{
	struct classify_rules *r = NULL;
	char *cause = NULL;
	char *path = src_path("tests/data/rules/no-such-file.yaml");
	ck_assert_int_eq(rules_file_load(path, &r, &cause), -1);
	char *want = xasprintf("%s: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(path);
	free(cause);
	cause = NULL;
	classify_rules_free(NULL);
	/* A file with only comments is empty too; a minimal file is fine. */
	static const char only_comments[] = "# nothing here\n";
	ck_assert_int_eq(
	    rules_file_load_string("c.yaml", only_comments, strlen(only_comments), &r, &cause), -1);
	ck_assert_str_eq(cause, "c.yaml:1:1: the rules file is empty");
	free(cause);
	cause = NULL;
	static const char minimal[] = "version: 1\n";
	ck_assert_int_eq(rules_file_load_string("m.yaml", minimal, strlen(minimal), &r, &cause), 0);
	ck_assert_str_eq(classify_rules_source(r), "m.yaml");
	struct classification c;
	classify_profile(r, "x", "", "General Partner", &c);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	classification_done(&c);
	classify_rules_free(r);
	/* Many errors are capped with a count of the rest. */
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_addstr(&sb, "buckets:\n  ai:\n    words:\n");
	for (int i = 0; i < 25; i++)
		sbuf_printf(&sb, "      w%d: 99\n", i);
	r = NULL;
	ck_assert_int_eq(rules_file_load_string("e.yaml", sb.s, sb.len, &r, &cause), -1);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(cause, "\ne.yaml: 5 more errors"));
	free(cause);
	sbuf_done(&sb);
}
END_TEST

/* The shared YAML reader's rules for rules files: errors sorted by position,
 * a did-you-mean on every level, aliases and second documents refused. */
static const struct inline_case reader_cases[] = {
    {"buckets:\n  ai:\n    handle_sufix: {x: 1}\n",
        "t.yaml:3:5: unknown key 'handle_sufix' (did you mean 'handle_suffix'?)"},
    {"buckets:\n  ai:\n    importanse: 3\n",
        "t.yaml:3:5: unknown key 'importanse' (did you mean 'importance'?)"},
    {"min_scor: 3\nversio: 1\n", "t.yaml:1:1: unknown key 'min_scor' (did you mean 'min_score'?)\n"
                                 "t.yaml:2:1: unknown key 'versio' (did you mean 'version'?)"},
    {"buckets:\n  ai:\n    importance: 99\nmin_score: 0\n",
        "t.yaml:3:17: importance of bucket 'ai' must be an integer from 0 to 40, got '99'\n"
        "t.yaml:4:12: min_score must be an integer from 1 to 100, got '0'"},
    {"base: &b empty\nbuckets: {other: {importance: *b}}\n",
        "t.yaml:2:31: YAML aliases (*b) are not supported; write the value out"},
    {"version: 1\n---\nversion: 1\n", "t.yaml:2:1: the file holds more than one YAML document"},
    {"version: \"1\"\n", "t.yaml:1:10: version must be 1, got '1'"},
};

START_TEST(test_load_reader)
{
	load_fails(&reader_cases[_i]);
}
END_TEST

/* The builder calls the rules file goes through. */
START_TEST(test_builder)
{
	struct classify_rules *r = classify_rules_new("b", true);
	struct classification c;
	int first = 0;
	ck_assert_str_eq(classify_rules_source(r), "b");
	ck_assert_int_eq(classify_pattern_check(RK_WORD, "!!!", 3), CLASSIFY_PUT_EMPTY);
	ck_assert_int_eq(classify_pattern_check(RK_HANDLE_SUFFIX, "", 0), CLASSIFY_PUT_EMPTY);
	ck_assert_int_eq(
	    classify_pattern_check(RK_HANDLE_SUFFIX, "a-b", 3), CLASSIFY_PUT_BAD_HANDLE);
	ck_assert_int_eq(classify_pattern_check(RK_HANDLE_CONTAINS, "a_b", 3), CLASSIFY_PUT_ADDED);
	char longp[CLASSIFY_PATTERN_MAX + 2];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	ck_assert_int_eq(
	    classify_pattern_check(RK_WORD, longp, strlen(longp)), CLASSIFY_PUT_TOO_LONG);
	/* Built in nothing: a new word is added, the same normalized words twice
	 * from a file are a duplicate. */
	ck_assert_int_eq(classify_rules_put(r, BK_AI, RK_WORD, "Deep-Learning", 13, 5, 7, &first),
	    CLASSIFY_PUT_ADDED);
	ck_assert_int_eq(classify_rules_put(r, BK_AI, RK_WORD, "deep learning", 13, 2, 9, &first),
	    CLASSIFY_PUT_DUPLICATE);
	ck_assert_int_eq(first, 7);
	classify_rules_set_min_score(r, 5);
	classify_profile(r, "x", "", "deep learning", &c);
	ck_assert_int_eq(c.bucket, BK_AI);
	ck_assert_int_eq(c.score[BK_AI], 5);
	classification_done(&c);
	classify_rules_set_min_score(r, 6);
	classify_profile(r, "x", "", "deep learning", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	classify_rules_free(r);
	/* On the built-in rules a known pattern is replaced (0 removes it). */
	r = classify_rules_new("b", false);
	ck_assert_int_eq(classify_rules_put(r, BK_INVESTOR, RK_WORD, "vc", 2, 0, 3, &first),
	    CLASSIFY_PUT_REPLACED);
	classify_profile(r, "x", "", "vc", &c);
	ck_assert_int_eq(c.bucket, BK_OTHER);
	classification_done(&c);
	classify_rules_set_importance(r, BK_MEDIA, 40);
	ck_assert_int_eq(
	    classify_importance(r, 0, false, BK_MEDIA, ACT_RETWEET, CAT_MAIN), 40 + 4 + 10);
	classify_rules_free(r);
}
END_TEST

/* Returns the bucket rules file yaml (built in: NULL) gives bio. */
static enum lw_bucket
bucket_with(const char *yaml, const char *bio)
{
	struct classify_rules *r = classify_rules_default();
	char *cause = NULL;
	if (yaml) {
		classify_rules_free(r);
		r = NULL;
		ck_assert_msg(rules_file_load_string("c.yaml", yaml, strlen(yaml), &r, &cause) == 0,
		    "%s", cause);
	}
	struct classification c;
	classify_profile(r, "x", "", bio, &c);
	enum lw_bucket b = c.bucket;
	classification_done(&c);
	classify_rules_free(r);
	return b;
}

/* The cues a rules file adds and removes: a new cue negates as a built-in
 * one does, a removed one no longer does. */
START_TEST(test_cues)
{
	ck_assert_int_eq(bucket_with(NULL, "not a VC"), BK_OTHER);
	ck_assert_int_eq(bucket_with("cues: {remove: [not]}\n", "not a VC"), BK_INVESTOR);
	ck_assert_int_eq(bucket_with(NULL, "hardly a VC"), BK_INVESTOR);
	ck_assert_int_eq(bucket_with("cues: {before: [hardly]}\n", "hardly a VC"), BK_OTHER);
	ck_assert_int_eq(bucket_with("cues: {after: [cosplay]}\n", "VC cosplay"), BK_OTHER);
	ck_assert_int_eq(bucket_with(NULL, "VC cosplay"), BK_INVESTOR);
	/* a stop word ends a cue's reach; a skip word is not counted */
	ck_assert_int_eq(
	    bucket_with("cues: {before: [hardly], stop: [today]}\n", "hardly today VC"),
	    BK_INVESTOR);
	ck_assert_int_eq(
	    bucket_with("cues: {before: [hardly], skip: [el, la]}\n", "hardly la el VC"), BK_OTHER);
	/* a built-in cue named again is no error; the builder says so */
	ck_assert_int_eq(bucket_with("cues: {before: [not]}\n", "not a VC"), BK_OTHER);
	struct classify_rules *r = classify_rules_default();
	int first = 0;
	ck_assert_int_eq(classify_cues_put(classify_rules_cues(r), CUE_BEFORE, "not", 3, 4, &first),
	    CUE_PUT_KNOWN);
	char longc[CLASSIFY_CUE_MAX + 2];
	memset(longc, 'a', sizeof longc - 1);
	longc[sizeof longc - 1] = '\0';
	ck_assert_int_eq(
	    classify_cues_put(classify_rules_cues(r), CUE_AFTER, longc, strlen(longc), 5, &first),
	    CUE_PUT_TOO_LONG);
	ck_assert_str_eq(classify_cue_kind_name(CUE_STOP), "stop");
	classify_rules_free(r);
}
END_TEST

/* Builds the suite. */
/* The terms the profile shows add up to the stored importance, and give
 * back the bucket weight of the rules that scored it. */
START_TEST(test_profile_importance_terms)
{
	struct classify_rules *r = classify_rules_default();
	classify_rules_set_importance(r, BK_FOUNDER, 17); /* as a rules file may */
	static const int64_t followers[] = {0, 150, 12000, 2000000};
	for (int b = 0; b < BK__COUNT; b++)
		for (int a = 0; a < ACT__COUNT; a++)
			for (int c = 0; c < CAT__COUNT; c++)
				for (size_t f = 0; f < LW_ARRAY_LEN(followers); f++)
					for (int v = 0; v < 2; v++) {
						int imp = classify_importance(r, followers[f], v,
						    (enum lw_bucket)b, (enum lw_action)a,
						    (enum tweet_category)c);
						struct importance_terms t;
						classify_importance_terms(imp, followers[f], v,
						    (enum lw_action)a, (enum tweet_category)c, &t);
						int sum = t.followers + t.verified + t.bucket +
						          t.action + t.category;
						if (!t.capped) {
							ck_assert_int_eq(sum, imp);
							ck_assert_int_eq(t.followers,
							    classify_follower_points(followers[f]));
						}
					}
	/* a founder engaging, uncapped: the weight set above comes back */
	int imp = classify_importance(r, 12000, false, BK_FOUNDER, ACT_RETWEET, CAT_MAIN);
	struct importance_terms t;
	classify_importance_terms(imp, 12000, false, ACT_RETWEET, CAT_MAIN, &t);
	ck_assert(!t.capped);
	ck_assert_int_eq(t.bucket, 17);
	classify_rules_free(r);
}
END_TEST

static Suite *
classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_profile, 0, (int)LW_ARRAY_LEN(profiles));
	tcase_add_test(tc, test_scores);
	tcase_add_test(tc, test_long_bios);
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);
	tc = tcase_create("importance");
	tcase_add_test(tc, test_follower_points);
	tcase_add_loop_test(tc, test_worked_examples, 0, (int)LW_ARRAY_LEN(worked));
	tcase_add_test(tc, test_worked_end_to_end);
	tcase_add_test(tc, test_importance_monotonic);
	tcase_add_test(tc, test_importance_terms);
	tcase_add_test(tc, test_importance_clamp);
	suite_add_tcase(s, tc);
	tc = tcase_create("loader");
	tcase_add_test(tc, test_load_example);
	tcase_add_test(tc, test_load_valid);
	tcase_add_loop_test(tc, test_load_broken, 0, (int)LW_ARRAY_LEN(broken));
	tcase_add_loop_test(tc, test_load_inline, 0, (int)LW_ARRAY_LEN(inline_cases));
	tcase_add_test(tc, test_load_misc);
	tcase_add_loop_test(tc, test_load_reader, 0, (int)LW_ARRAY_LEN(reader_cases));
	tcase_add_test(tc, test_builder);
	tcase_add_test(tc, test_cues);
	tcase_add_test(tc, test_profile_importance_terms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(classify_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
