/*
 * rules_file: the classifier rules file (docs/scoring.md) read with libyaml
 * into a rules table built through classify's builder API. Pure apart from
 * reading the file; any thread, each load owns its state.
 */
#include "config/rules_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"
#include "model/event.h"

#define MAX_ERRORS 20

/* State of one load: the document, the rules being built, the messages. */
struct loader {
	const char *name;
	yaml_document_t *doc;
	struct classify_rules *r;
	struct sbuf errs;
	int nerr;
};

/* Records "NAME:LINE:COL: message" at node n's position. */
static void __attribute__((format(printf, 3, 4)))
lerr(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
{
	if (L->nerr++ >= MAX_ERRORS)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_printf(&L->errs, "%s%s:%zu:%zu: %s", L->errs.len > 0 ? "\n" : "", L->name,
	    n->start_mark.line + 1, n->start_mark.column + 1, msg);
	free(msg);
}

/* Copies scalar node n into q (at most 40 bytes shown, controls as '?') for
 * a message; returns q. */
static const char *
quote(const yaml_node_t *n, char q[64])
{
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(q, 64, "%s", n->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
		return q;
	}
	size_t len = n->data.scalar.length, o = 0;
	for (size_t i = 0; i < len && o < 40; i++) {
		unsigned char c = n->data.scalar.value[i];
		q[o++] = (char)((c < 0x20 || c == 0x7f) ? '?' : c);
	}
	if (len > 40) {
		memcpy(q + o, "...", 3);
		o += 3;
	}
	q[o] = '\0';
	return q;
}

/* Returns true when scalar node n holds exactly the string s. */
static bool
scalar_is(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* Returns the edit distance of a and b (both at most 64 bytes), else 99. */
static int
edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	int prev[65], cur[65];
	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] +
			          (tolower((unsigned char)a[i - 1]) != (unsigned char)b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof prev);
	}
	return prev[lb];
}

/* Records an unknown-name error for key node k with a did-you-mean from the
 * n names in cands, or the list of names when none is close. */
static void
err_unknown(
    struct loader *L, const yaml_node_t *k, const char *what, const char *const *cands, size_t n)
{
	char q[64];
	const char *best = NULL;
	int bestd = 3;
	for (size_t i = 0; k->type == YAML_SCALAR_NODE && i < n; i++) {
		int d = edit_distance(
		    (const char *)k->data.scalar.value, k->data.scalar.length, cands[i]);
		if (d < bestd && (size_t)d < strlen(cands[i])) {
			bestd = d;
			best = cands[i];
		}
	}
	if (best != NULL) {
		lerr(L, k, "unknown %s '%s' (did you mean '%s'?)", what, quote(k, q), best);
		return;
	}
	struct sbuf sb;
	sbuf_init(&sb);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&sb, "%s%s", i ? ", " : "", cands[i]);
	lerr(L, k, "unknown %s '%s' (expected one of: %s)", what, quote(k, q), sb.s);
	sbuf_done(&sb);
}

/* Parses scalar node n as a plain decimal integer in lo..hi into *v; records
 * "WHAT must be an integer from LO to HI, got 'X'" and returns -1 otherwise. */
static int
get_int(struct loader *L, const yaml_node_t *n, const char *what, int lo, int hi, int *v)
{
	char q[64], buf[24];
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    n->data.scalar.length > 0 && n->data.scalar.length < sizeof buf) {
		memcpy(buf, n->data.scalar.value, n->data.scalar.length);
		buf[n->data.scalar.length] = '\0';
		const char *digits = buf[0] == '-' ? buf + 1 : buf;
		if (str_is_digits(digits)) {
			errno = 0;
			long x = strtol(buf, NULL, 10);
			if (errno == 0 && x >= lo && x <= hi) {
				*v = (int)x;
				return 0;
			}
		}
	}
	if (lo == hi)
		lerr(L, n, "%s must be %d, got '%s'", what, lo, quote(n, q));
	else
		lerr(L, n, "%s must be an integer from %d to %d, got '%s'", what, lo, hi,
		    quote(n, q));
	return -1;
}

/* Calls fn on each pair of mapping node m, reporting duplicate plain keys and
 * non-scalar keys once each. */
typedef void (*pair_fn)(
    struct loader *L, const yaml_node_t *key, const yaml_node_t *val, void *arg);

static void
each_pair(struct loader *L, const yaml_node_t *m, pair_fn fn, void *arg)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			lerr(L, k, "expected a plain key, got %s",
			    k->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
			continue;
		}
		bool dup = false;
		for (yaml_node_pair_t *e = m->data.mapping.pairs.start; e < p && !dup; e++) {
			const yaml_node_t *ek = yaml_document_get_node(L->doc, e->key);
			if (ek != NULL && ek->type == YAML_SCALAR_NODE &&
			    ek->data.scalar.length == k->data.scalar.length &&
			    memcmp(ek->data.scalar.value, k->data.scalar.value,
			        k->data.scalar.length) == 0) {
				char q[64];
				lerr(L, k, "duplicate key '%s' (first at line %zu)", quote(k, q),
				    ek->start_mark.line + 1);
				dup = true;
			}
		}
		if (!dup)
			fn(L, k, v, arg);
	}
}

/* Names of the rule kinds as keys under a bucket. */
static const char *const kind_keys[RK__COUNT] = {
    [RK_WORD] = "words",
    [RK_HANDLE_SUFFIX] = "handle_suffix",
    [RK_HANDLE_CONTAINS] = "handle_contains",
};

/* Where one rule entry is being loaded. */
struct entry_ctx {
	enum lw_bucket bucket;
	enum classify_kind kind;
};

/* Loads one "pattern: weight" pair into the rules, replacing a built-in rule
 * with the same pattern (weight 0 removes it). */
static void
load_entry(struct loader *L, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	const struct entry_ctx *c = arg;
	char q[64];
	const char *raw = (const char *)k->data.scalar.value;
	size_t rawlen = k->data.scalar.length;
	int weight, first = 0;
	switch (classify_pattern_check(c->kind, raw, rawlen)) {
	case CLASSIFY_PUT_TOO_LONG:
		lerr(L, k, "pattern '%s' is longer than %d bytes", quote(k, q),
		    CLASSIFY_PATTERN_MAX);
		return;
	case CLASSIFY_PUT_BAD_HANDLE:
		lerr(L, k, "handle pattern '%s' may hold only ASCII letters, digits and '_'",
		    quote(k, q));
		return;
	case CLASSIFY_PUT_EMPTY:
		lerr(L, k, "keyword '%s' has no ASCII letters or digits", quote(k, q));
		return;
	default:
		break;
	}
	char *what = xasprintf("weight of '%s'", quote(k, q));
	int rc = get_int(L, v, what, 0, CLASSIFY_WEIGHT_MAX, &weight);
	free(what);
	if (rc < 0)
		return;
	switch (classify_rules_put(
	    L->r, c->bucket, c->kind, raw, rawlen, weight, (int)k->start_mark.line + 1, &first)) {
	case CLASSIFY_PUT_DUPLICATE:
		lerr(L, k, "duplicate %s '%s' in bucket '%s' (first at line %d)",
		    c->kind == RK_WORD ? "keyword" : "handle pattern", quote(k, q),
		    bucket_name(c->bucket), first);
		break;
	case CLASSIFY_PUT_FULL:
		lerr(L, k, "too many rules (at most %d)", CLASSIFY_RULES_MAX);
		break;
	default:
		break;
	}
}

/* Keys allowed under a bucket: importance, then one per rule kind. */
static const char *const bucket_keys[] = {
    "importance", "words", "handle_suffix", "handle_contains"};

/* Loads one key of a bucket's mapping; arg points at the bucket. */
static void
load_bucket_key(struct loader *L, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	enum lw_bucket b = *(const enum lw_bucket *)arg;
	if (scalar_is(k, "importance")) {
		char *what = xasprintf("importance of bucket '%s'", bucket_name(b));
		int x;
		if (get_int(L, v, what, 0, CLASSIFY_IMPORTANCE_MAX, &x) == 0)
			classify_rules_set_importance(L->r, b, x);
		free(what);
		return;
	}
	for (int kind = 0; kind < RK__COUNT; kind++) {
		if (!scalar_is(k, kind_keys[kind]))
			continue;
		if (b == BK_OTHER) {
			lerr(L, k, "bucket 'other' takes only 'importance'");
		} else if (v->type != YAML_MAPPING_NODE) {
			lerr(L, v, "'%s' must be a mapping of pattern: weight, got %s",
			    kind_keys[kind], v->type == YAML_SCALAR_NODE ? "a scalar" : "a list");
		} else {
			struct entry_ctx c = {b, (enum classify_kind)kind};
			each_pair(L, v, load_entry, &c);
		}
		return;
	}
	err_unknown(L, k, "key", bucket_keys, LW_ARRAY_LEN(bucket_keys));
}

/* Loads one bucket of the `buckets` mapping. */
static void
load_bucket(struct loader *L, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	(void)arg;
	const char *names[BK__COUNT];
	enum lw_bucket b = BK_OTHER;
	char name[32] = "";
	size_t n = k->data.scalar.length;
	if (n < sizeof name) {
		memcpy(name, k->data.scalar.value, n);
		name[n] = '\0';
	}
	if (n >= sizeof name || strlen(name) != n || bucket_parse(name, &b) < 0) {
		for (int i = 0; i < BK__COUNT; i++)
			names[i] = bucket_name((enum lw_bucket)i);
		err_unknown(L, k, "bucket", names, BK__COUNT);
		return;
	}
	if (v->type != YAML_MAPPING_NODE) {
		lerr(L, v, "bucket '%s' must be a mapping", name);
		return;
	}
	each_pair(L, v, load_bucket_key, &b);
}

/* Top-level keys, in the order they are applied (base first). */
enum top_key { TK_VERSION, TK_BASE, TK_MIN_SCORE, TK_BUCKETS, TK__COUNT };
static const char *const top_keys[TK__COUNT] = {"version", "base", "min_score", "buckets"};

/* Collects one top-level pair into the slots in arg. */
static void
collect_top(struct loader *L, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	const yaml_node_t **slot = arg;
	for (int i = 0; i < TK__COUNT; i++)
		if (scalar_is(k, top_keys[i])) {
			slot[i] = v;
			return;
		}
	err_unknown(L, k, "key", top_keys, TK__COUNT);
}

/* Loads the root mapping into L->r (created here from the chosen base). */
static void
load_root(struct loader *L, const yaml_node_t *root)
{
	const yaml_node_t *slot[TK__COUNT] = {NULL};
	char q[64];
	bool empty = false;
	int x;
	if (root->type != YAML_MAPPING_NODE) {
		lerr(L, root, "expected a mapping with 'buckets' at the top level");
		L->r = classify_rules_new(L->name, true);
		return;
	}
	each_pair(L, root, collect_top, slot);
	if (slot[TK_VERSION] != NULL) /* an error is recorded; the value is always 1 */
		(void)get_int(L, slot[TK_VERSION], "version", CLASSIFY_RULES_FORMAT,
		    CLASSIFY_RULES_FORMAT, &x);
	if (slot[TK_BASE] != NULL) {
		if (scalar_is(slot[TK_BASE], "empty"))
			empty = true;
		else if (!scalar_is(slot[TK_BASE], "default"))
			lerr(L, slot[TK_BASE], "base must be 'default' or 'empty', got '%s'",
			    quote(slot[TK_BASE], q));
	}
	L->r = classify_rules_new(L->name, empty);
	if (slot[TK_MIN_SCORE] != NULL &&
	    get_int(L, slot[TK_MIN_SCORE], "min_score", 1, CLASSIFY_MIN_SCORE_MAX, &x) == 0)
		classify_rules_set_min_score(L->r, x);
	if (slot[TK_BUCKETS] != NULL) {
		if (slot[TK_BUCKETS]->type != YAML_MAPPING_NODE)
			lerr(L, slot[TK_BUCKETS], "'buckets' must be a mapping of bucket names");
		else
			each_pair(L, slot[TK_BUCKETS], load_bucket, NULL);
	}
}

int
rules_file_load_string(
    const char *name, const char *text, size_t len, struct classify_rules **out, char **cause)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct loader L = {.name = name, .doc = &doc};
	bool have_doc = false;
	int rc = -1;

	sbuf_init(&L.errs);
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		set_cause(cause, "%s:%zu:%zu: YAML syntax error: %s%s%s%s", name,
		    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "unreadable input",
		    parser.context ? " (" : "", parser.context ? parser.context : "",
		    parser.context ? ")" : "");
		goto fail;
	}
	have_doc = true;
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		set_cause(cause, "%s:1:1: the rules file is empty", name);
		goto fail;
	}
	load_root(&L, root);
	if (L.nerr > 0) {
		if (L.nerr > MAX_ERRORS)
			sbuf_printf(&L.errs, "\n%s: %d more errors", name, L.nerr - MAX_ERRORS);
		set_cause(cause, "%s", L.errs.s);
		goto fail;
	}
	*out = L.r;
	L.r = NULL;
	rc = 0;
fail:
	classify_rules_free(L.r);
	sbuf_done(&L.errs);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
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
