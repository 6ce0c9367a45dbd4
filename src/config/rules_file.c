/*
 * rules_file: the classifier rules file (docs/scoring.md) read with the YAML
 * reader (config/yamlread, config/yamlkeys) into a rules table built through
 * classify's builder API. The top level is read first, so `base` decides
 * what the buckets change wherever it is written. Pure apart from reading
 * the file; any thread, each load owns its state.
 */
#include "config/rules_file.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "config/yamlkeys.h"
#include "config/yamlread.h"
#include "model/classify_norm.h"
#include "model/event.h"

/* What the reader says about rules files (their messages predate it). */
static const struct yr_file rules_file_kind = {
    .empty = "the rules file is empty",
    .one_document = NULL,
    .terse = true,
};

/* One load: where the rules go. */
struct rules_load {
	const char *name;
	struct classify_rules *r;
};

/* The top level while it is read. */
struct rules_top {
	int version;
	char *base; /* "default" or "empty" */
	int min_score;
	bool has_min_score;
	const struct yr_node *buckets; /* read once base is known */
	const struct yr_node *cues;    /* read once the rules object exists */
};

/* A bucket's mapping while it is read. */
struct bucket_ctx {
	struct rules_load *load;
	enum lw_bucket bucket;
};

/* A bucket's pattern mapping (words, handle_suffix or handle_contains). */
struct entry_ctx {
	struct rules_load *load;
	enum lw_bucket bucket;
	enum classify_kind kind;
};

/* Accepts `base: default` or `base: empty`. */
static int
item_base(const struct yr_key *k, const char *in, char **out, char **msg)
{
	(void)k;
	if (strcmp(in, "default") != 0 && strcmp(in, "empty") != 0) {
		char *q = yr_quote(in);
		*msg = xasprintf(" must be 'default' or 'empty', got '%s'", q);
		free(q);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Keeps a node (buckets, cues) at k->off of the top level for after it. */
static void
keep_node(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base)
{
	(void)d;
	(void)key;
	memcpy((char *)base + k->off, &val, sizeof val);
}

#define RT(m) offsetof(struct rules_top, m)

/* The top-level keys. */
static const struct yr_key top_keys[] = {
    {.path = "version",
        .type = YR_INT,
        .flags = YR_PLAIN,
        .min = CLASSIFY_RULES_FORMAT,
        .max = CLASSIFY_RULES_FORMAT,
        .off = RT(version),
        .help = "the rules file format"},
    {.path = "base",
        .type = YR_STR,
        .def = "default",
        .item = item_base,
        .off = RT(base),
        .help = "the rules the file changes: default (built in) or empty"},
    {.path = "min_score",
        .type = YR_INT,
        .flags = YR_PLAIN | YR_HAS,
        .min = 1,
        .max = CLASSIFY_MIN_SCORE_MAX,
        .off = RT(min_score),
        .aux = RT(has_min_score),
        .help = "the lowest score that puts an account in a bucket"},
    {.path = "buckets",
        .type = YR_NODE,
        .node = keep_node,
        .off = RT(buckets),
        .help = "keywords, handle patterns and importance by bucket"},
    {.path = "cues",
        .type = YR_NODE,
        .node = keep_node,
        .off = RT(cues),
        .help = "negation and self-reference cues added or removed"},
};

static const struct yr_level top_level = {top_keys, LW_ARRAY_LEN(top_keys), NULL, NULL, true, NULL};

/* Loads one "pattern: weight" pair into the rules, replacing a built-in rule
 * with the same pattern (weight 0 removes it). */
static void
read_entry(struct yr_doc *d, const struct yr_node *key, const struct yr_node *val, void *arg)
{
	const struct entry_ctx *c = arg;
	const char *raw = yr_text(key);
	size_t rawlen = yr_length(key);
	char *q = yr_quote(raw), *what = NULL;
	int64_t weight;
	int first = 0;

	switch (classify_pattern_check(c->kind, raw, rawlen)) {
	case CLASSIFY_PUT_TOO_LONG:
		yr_error(d, key, "pattern '%s' is longer than %d bytes", q, CLASSIFY_PATTERN_MAX);
		goto done;
	case CLASSIFY_PUT_BAD_HANDLE:
		yr_error(
		    d, key, "handle pattern '%s' may hold only ASCII letters, digits and '_'", q);
		goto done;
	case CLASSIFY_PUT_EMPTY:
		yr_error(d, key, "keyword '%s' has no letters or digits", q);
		goto done;
	default:
		break;
	}
	what = xasprintf("weight of '%s'", q);
	if (yr_int(d, val, what, 0, CLASSIFY_WEIGHT_MAX, true, &weight) != 0)
		goto done;
	switch (classify_rules_put(
	    c->load->r, c->bucket, c->kind, raw, rawlen, (int)weight, yr_line(key), &first)) {
	case CLASSIFY_PUT_DUPLICATE:
		yr_error(d, key, "duplicate %s '%s' in bucket '%s' (first at line %d)",
		    c->kind == RK_WORD ? "keyword" : "handle pattern", q, bucket_name(c->bucket),
		    first);
		break;
	case CLASSIFY_PUT_FULL:
		yr_error(d, key, "too many rules (at most %d)", CLASSIFY_RULES_MAX);
		break;
	default:
		break;
	}
done:
	free(what);
	free(q);
}

/* Reads a bucket's importance weight. */
static void
read_importance(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base)
{
	const struct bucket_ctx *c = base;
	char *what = xasprintf("importance of bucket '%s'", bucket_name(c->bucket));
	int64_t x;
	(void)k;
	(void)key;
	if (yr_int(d, val, what, 0, CLASSIFY_IMPORTANCE_MAX, true, &x) == 0)
		classify_rules_set_importance(c->load->r, c->bucket, (int)x);
	free(what);
}

/* Reads a bucket's mapping of patterns of kind k->tag. */
static void
read_patterns(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base)
{
	const struct bucket_ctx *c = base;
	struct entry_ctx e = {c->load, c->bucket, (enum classify_kind)k->tag};
	if (c->bucket == BK_OTHER)
		yr_error(d, key, "bucket 'other' takes only 'importance'");
	else if (yr_kind(val) != YRN_MAPPING)
		yr_error(d, val, "'%s' must be a mapping of pattern: weight, got %s", k->path,
		    yr_kind(val) == YRN_SCALAR ? "a scalar" : "a list");
	else
		yr_each_pair(d, val, read_entry, &e);
}

/* The keys of a bucket. */
static const struct yr_key bucket_keys[] = {
    {.path = "importance",
        .type = YR_NODE,
        .node = read_importance,
        .help = "the bucket's importance weight"},
    {.path = "words",
        .type = YR_NODE,
        .node = read_patterns,
        .tag = RK_WORD,
        .help = "keywords in bio or name: weight"},
    {.path = "handle_suffix",
        .type = YR_NODE,
        .node = read_patterns,
        .tag = RK_HANDLE_SUFFIX,
        .help = "handle endings: weight"},
    {.path = "handle_contains",
        .type = YR_NODE,
        .node = read_patterns,
        .tag = RK_HANDLE_CONTAINS,
        .help = "parts of handles: weight"},
};

static const struct yr_level bucket_level = {
    bucket_keys, LW_ARRAY_LEN(bucket_keys), NULL, NULL, true, NULL};

/* Reads one bucket of the buckets mapping (its key's tag is the bucket). */
static void
read_bucket(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base)
{
	struct bucket_ctx c = {base, (enum lw_bucket)k->tag};
	(void)key;
	if (yr_kind(val) != YRN_MAPPING)
		yr_error(d, val, "bucket '%s' must be a mapping", k->path);
	else
		yr_walk(d, &bucket_level, val, &c);
}

/* Reads the buckets mapping: one key per bucket name. */
static void
read_buckets(struct yr_doc *d, const struct yr_node *buckets, struct rules_load *L)
{
	struct yr_key keys[BK__COUNT];
	struct yr_level lv = {keys, BK__COUNT, NULL, "bucket", true, NULL};
	if (yr_kind(buckets) != YRN_MAPPING) {
		yr_error(d, buckets, "'buckets' must be a mapping of bucket names");
		return;
	}
	for (int b = 0; b < BK__COUNT; b++)
		keys[b] = (struct yr_key){.path = bucket_name((enum lw_bucket)b),
		    .type = YR_NODE,
		    .node = read_bucket,
		    .tag = b,
		    .help = "a bucket's rules"};
	yr_walk(d, &lv, buckets, L);
}

/* Adds (tag: a cue kind) or removes (tag CUE__COUNT) the cue of one
 * list item. */
static void
read_cue(struct yr_doc *d, const struct yr_key *k, const struct yr_node *item,
    struct classify_cues *cues)
{
	if (yr_kind(item) != YRN_SCALAR || yr_is_null(item)) {
		yr_error(d, item, "each item of 'cues.%s' must be a word or phrase", k->path);
		return;
	}
	const char *raw = yr_text(item);
	size_t n = yr_length(item);
	char *q = yr_quote(raw);
	int first = 0;
	if (k->tag == CUE__COUNT) {
		if (classify_cues_remove(cues, raw, n) == 0)
			yr_error(
			    d, item, "'%s' is not a built-in cue (docs/scoring.md lists them)", q);
		free(q);
		return;
	}
	switch (classify_cues_put(cues, (enum cue_kind)k->tag, raw, n, yr_line(item), &first)) {
	case CUE_PUT_TOO_LONG:
		yr_error(d, item, "cue '%s' is longer than %d bytes", q, CLASSIFY_CUE_MAX);
		break;
	case CUE_PUT_EMPTY:
		yr_error(d, item, "cue '%s' has no letters or digits", q);
		break;
	case CUE_PUT_DUPLICATE:
		yr_error(d, item, "duplicate cue '%s' in 'cues.%s' (first at line %d)", q, k->path,
		    first);
		break;
	case CUE_PUT_FULL:
		yr_error(d, item, "too many cues (at most %d)", CLASSIFY_CUES_MAX);
		break;
	default: /* added, or built in already */
		break;
	}
	free(q);
}

/* Reads one list of the cues mapping. */
static void
read_cue_list(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base)
{
	struct rules_load *L = base;
	(void)key;
	if (yr_kind(val) != YRN_LIST) {
		yr_error(d, val, "'cues.%s' must be a list of words or phrases, got %s", k->path,
		    yr_kind(val) == YRN_SCALAR ? "a scalar" : "a mapping");
		return;
	}
	for (size_t i = 0; i < yr_count(val); i++)
		read_cue(d, k, yr_item(d, val, i), classify_rules_cues(L->r));
}

/* The keys of the cues mapping: one list per kind, and the built-in cues to
 * remove. */
static const struct yr_key cue_keys[] = {
    {.path = "before",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE_BEFORE,
        .help = "negates a match up to two words after it"},
    {.path = "near",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE_NEAR,
        .help = "negates only the match right after it"},
    {.path = "after",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE_AFTER,
        .help = "negates the match right before it"},
    {.path = "skip",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE_SKIP,
        .help = "an article, not counted as a word between"},
    {.path = "stop",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE_STOP,
        .help = "ends the reach of a cue before it"},
    {.path = "remove",
        .type = YR_NODE,
        .node = read_cue_list,
        .tag = CUE__COUNT,
        .help = "built-in cues to drop, of any kind"},
};

static const struct yr_level cue_level = {cue_keys, LW_ARRAY_LEN(cue_keys), NULL, NULL, true, NULL};

/* Reads the root mapping into a new rules table at ((struct rules_load *)arg)->r. */
static void
read_root(struct yr_doc *d, const struct yr_node *root, void *arg)
{
	struct rules_load *L = arg;
	struct rules_top top;
	if (yr_kind(root) != YRN_MAPPING) {
		yr_error(d, root, "expected a mapping with 'buckets' at the top level");
		return;
	}
	memset(&top, 0, sizeof top);
	yr_defaults(&top_level, &top);
	yr_walk(d, &top_level, root, &top);
	L->r = classify_rules_new(L->name, top.base != NULL && strcmp(top.base, "empty") == 0);
	if (top.has_min_score)
		classify_rules_set_min_score(L->r, top.min_score);
	if (top.buckets != NULL)
		read_buckets(d, top.buckets, L);
	if (top.cues != NULL && yr_kind(top.cues) != YRN_MAPPING)
		yr_error(d, top.cues,
		    "'cues' must be a mapping of before, near, after, skip, stop "
		    "and remove lists");
	else if (top.cues != NULL)
		yr_walk(d, &cue_level, top.cues, L);
	free(top.base);
}

int
rules_file_load_string(
    const char *name, const char *text, size_t len, struct classify_rules **out, char **cause)
{
	struct rules_load L = {name, NULL};
	if (yr_load(name, text, len, &rules_file_kind, read_root, &L, cause) != 0) {
		classify_rules_free(L.r);
		return -1;
	}
	*out = L.r;
	return 0;
}

int
rules_file_load(const char *path, struct classify_rules **out, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	if (file_read_all(path, &text, &len, cause) < 0)
		return -1;
	int rc = rules_file_load_string(path, text, len, out, cause);
	free(text);
	return rc;
}
