/*
 * config: loads the campaign file (DESIGN.md section 3) with libyaml into a
 * struct cfg_file. A key table (path, type, default, help) drives the walk:
 * unknown keys get a did-you-mean from the same level, wrong types and bad
 * values are reported as "FILE:LINE:COL: message" at the offending node, every
 * error is collected (the first 20 are shown) and any error means nothing is
 * returned. Durations and times are read with base/timestr. Pure apart from
 * reading the file; any thread may call it, each load owns its state.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "model/campaign.h"
#include "model/event.h"
#include "base/text.h"
#include "model/tweetlink.h"
#include "base/timestr.h"
#include "base/util.h"

#define CFG_MAX_SHOWN 20   /* errors shown in the cause */
#define CFG_MAX_KEPT  1000 /* errors kept before counting only */
#define CFG_QUOTE_MAX 60   /* bytes of a value quoted in a message */

/* ---------------------------------------------------------------------------
 * The loader's state and error list.
 */

struct cfg_error {
	size_t line; /* 1-based */
	size_t column;
	size_t seq; /* order found, to keep sorting stable */
	char *msg;
};

/* A campaign being built, with what the checks need beside the result. */
struct camp_build {
	struct cfg_campaign c;
	bool has_end;
	bool has_duration;
	int64_t duration;
	size_t ntweet_items; /* items under tweets.*, accepted or not */
	size_t tweets_cap;
};

struct loader {
	const char *name; /* FILE in messages */
	yaml_document_t *doc;
	struct cfg_error *errs;
	size_t nerrs;  /* errors kept */
	size_t nfound; /* errors found, kept or not */
	struct camp_build *camps;
	size_t ncamps;
};

/* Records an error at 0-based line and column. */
static void ld_error(struct loader *ld, size_t line, size_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
ld_error(struct loader *ld, size_t line, size_t column, const char *fmt, ...)
{
	va_list ap;
	ld->nfound++;
	if (ld->nerrs == CFG_MAX_KEPT)
		return;
	ld->errs = xreallocarray(ld->errs, ld->nerrs + 1, sizeof *ld->errs);
	struct cfg_error *e = &ld->errs[ld->nerrs];
	e->line = line + 1;
	e->column = column + 1;
	e->seq = ld->nerrs++;
	va_start(ap, fmt);
	e->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Orders errors by position, then by the order they were found. */
static int
ld_error_cmp(const void *a, const void *b)
{
	const struct cfg_error *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Returns the sorted errors as one "FILE:LINE:COL: message" per line. */
static char *
ld_errors_text(struct loader *ld)
{
	struct sbuf b;
	sbuf_init(&b);
	qsort(ld->errs, ld->nerrs, sizeof *ld->errs, ld_error_cmp);
	for (size_t i = 0; i < ld->nerrs && i < CFG_MAX_SHOWN; i++)
		sbuf_printf(&b, "%s%s:%zu:%zu: %s", i ? "\n" : "", ld->name, ld->errs[i].line,
		    ld->errs[i].column, ld->errs[i].msg);
	if (ld->nfound > CFG_MAX_SHOWN)
		sbuf_printf(
		    &b, "\n%s: %zu more errors not shown", ld->name, ld->nfound - CFG_MAX_SHOWN);
	return sbuf_take(&b);
}

/* Returns the node at index i of the document. */
static yaml_node_t *
ld_node(struct loader *ld, int i)
{
	return yaml_document_get_node(ld->doc, i);
}

/* Returns true for a plain empty, "~" or "null" scalar. */
static bool
node_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < LW_ARRAY_LEN(nulls); i++)
		if (strcmp((const char *)n->data.scalar.value, nulls[i]) == 0)
			return true;
	return false;
}

/* Returns a scalar node's text. */
static const char *
node_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* Describes what a node is, for "got ..." in messages (caller frees). */
static char *
node_kind(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return xstrdup("a mapping");
	if (n->type == YAML_SEQUENCE_NODE)
		return xstrdup("a list");
	if (node_is_null(n))
		return xstrdup("nothing");
	char *q = text_quote(node_text(n), CFG_QUOTE_MAX);
	char *s = xasprintf("'%s'", q);
	free(q);
	return s;
}

/* Returns the value node of key name in a mapping node, or NULL. */
static yaml_node_t *
map_get(struct loader *ld, yaml_node_t *map, const char *name)
{
	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ld_node(ld, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE && strcmp(node_text(k), name) == 0)
			return ld_node(ld, p->value);
	}
	return NULL;
}

/* ---------------------------------------------------------------------------
 * The key table.
 */

enum cfg_kt {
	KT_MAP,
	KT_STR,
	KT_INT,
	KT_NUM,
	KT_RANGE,
	KT_DUR,
	KT_TIME,
	KT_LIST,
	KT_TWEETS,
	KT_CAMPAIGNS
};

#define K_REQUIRED 0x1 /* must be present */
#define K_NONEMPTY 0x2 /* a string or list that may not be empty */
#define K_HAS      0x4 /* sets the bool at aux when present */

struct cfg_key;
struct cfg_level;

/* Validates and normalizes one string; *msg is the text after the key path. */
typedef int (*cfg_item_fn)(const struct cfg_key *k, const char *in, char **out, char **msg);
/* Checks a mapping once its keys are read; clean when they had no errors. */
typedef void (*cfg_check_fn)(struct loader *ld, void *base, yaml_node_t *map, bool clean);

struct cfg_key {
	const char *path; /* dotted, from the level's root mapping */
	enum cfg_kt type;
	unsigned flags;
	const char *def;  /* default, as it would be written in the file */
	const char *help; /* one line for messages and documentation */
	size_t off;       /* where the value goes, from the level's base */
	size_t aux;       /* list count (size_t) or K_HAS flag (bool) */
	int64_t min;      /* range for integers, minimum for durations */
	int64_t max;
	cfg_item_fn item;   /* for strings and list items */
	cfg_check_fn check; /* for mappings */
	const char *example;
	enum tweet_category cat; /* for tweet lists */
};

struct cfg_level {
	const struct cfg_key *keys;
	size_t nkeys;
	const char *where; /* "in campaign": where its root mapping is */
	cfg_check_fn check;
};

/* How each type is read: scalar types through scalar, the rest through node. */
struct cfg_kt_ops {
	const char *what; /* "a list": what the value must be */
	int (*scalar)(const struct cfg_key *k, const char *v, void *dst, char **msg);
	void (*node)(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k,
	    yaml_node_t *n, void *base);
};

static void cfg_map(struct loader *ld, const struct cfg_level *lv, const char *prefix,
    yaml_node_t *map, void *base);

/* Reads a string, through k->item when set. */
static int
kt_str(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	char **sp = dst;
	char *val;
	if ((k->flags & K_NONEMPTY) && v[strspn(v, " \t")] == '\0') {
		*msg = xstrdup(" must not be empty");
		return -1;
	}
	if (k->item != NULL) {
		if (k->item(k, v, &val, msg) != 0)
			return -1;
	} else
		val = xstrdup(v);
	free(*sp);
	*sp = val;
	return 0;
}

/* Reads a decimal integer within [k->min, k->max] into an int. */
static int
kt_int(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	const char *p = v + (*v == '-' || *v == '+');
	char *end;
	long long n;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!str_is_digits(p) || errno != 0 || *end != '\0' || n < k->min || n > k->max) {
		char *q = text_quote(v, CFG_QUOTE_MAX);
		*msg = xasprintf(" must be an integer from %lld to %lld, got '%s'",
		    (long long)k->min, (long long)k->max, q);
		free(q);
		return -1;
	}
	*(int *)dst = (int)n;
	return 0;
}

/* Returns true when v looks like a plain decimal number (optional exponent). */
static bool
num_shape(const char *v)
{
	size_t digits = 0;
	if (*v == '+' || *v == '-')
		v++;
	for (; isdigit((unsigned char)*v); v++)
		digits++;
	if (*v == '.')
		for (v++; isdigit((unsigned char)*v); v++)
			digits++;
	if (digits == 0)
		return false;
	if (*v == 'e' || *v == 'E') {
		v++;
		if (*v == '+' || *v == '-')
			v++;
		if (!isdigit((unsigned char)*v))
			return false;
		while (isdigit((unsigned char)*v))
			v++;
	}
	return *v == '\0';
}

/* Reads a non-negative finite number into a double. */
static int
kt_num(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	double d = 0;
	(void)k;
	if (num_shape(v))
		d = strtod(v, NULL);
	if (!num_shape(v) || !isfinite(d) || d < 0 || *v == '-') {
		char *q = text_quote(v, CFG_QUOTE_MAX);
		*msg = xasprintf(" must be a non-negative number, got '%s'", q);
		free(q);
		return -1;
	}
	*(double *)dst = d;
	return 0;
}

/* Reads a number within [k->min, k->max] (signed) into a double. */
static int
kt_range(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	double d = 0;
	if (num_shape(v))
		d = strtod(v, NULL);
	if (!num_shape(v) || !isfinite(d) || d < (double)k->min || d > (double)k->max) {
		char *q = text_quote(v, CFG_QUOTE_MAX);
		*msg = xasprintf(" must be a number from %lld to %lld, got '%s'", (long long)k->min,
		    (long long)k->max, q);
		free(q);
		return -1;
	}
	*(double *)dst = d;
	return 0;
}

/* Reads a duration of at least k->min seconds into an int64_t. */
static int
kt_dur(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	int64_t s;
	char *cause = NULL;
	if (timestr_parse_duration(v, &s, &cause) != 0) {
		*msg = xasprintf(": %s", cause);
		free(cause);
		return -1;
	}
	if (s < k->min) {
		char buf[32], *q = text_quote(v, CFG_QUOTE_MAX);
		timestr_format_duration(k->min, buf, sizeof buf);
		*msg = xasprintf(" must be at least %s, got '%s'", buf, q);
		free(q);
		return -1;
	}
	*(int64_t *)dst = s;
	return 0;
}

/* Reads an RFC 3339 time into unix seconds. */
static int
kt_time(const struct cfg_key *k, const char *v, void *dst, char **msg)
{
	char *cause = NULL;
	(void)k;
	if (timestr_parse_time(v, dst, &cause) != 0) {
		*msg = xasprintf(": %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Reads a nested mapping through the same level's table. */
static void
kt_map(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k, yaml_node_t *n,
    void *base)
{
	size_t before = ld->nfound;
	cfg_map(ld, lv, k->path, n, base);
	if (k->check != NULL)
		k->check(ld, base, n, ld->nfound == before);
}

/* Reports a value of the wrong shape for key k. */
static void
cfg_type_error(struct loader *ld, const struct cfg_key *k, const char *what, yaml_node_t *n)
{
	char *kind = node_kind(n);
	ld_error(ld, n->start_mark.line, n->start_mark.column, "%s must be %s, got %s", k->path,
	    what, kind);
	free(kind);
}

/* Reads a list of strings, each through k->item, refusing repeats. */
static void
kt_list(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k, yaml_node_t *n,
    void *base)
{
	char ***vp = (char ***)((char *)base + k->off);
	size_t *np = (size_t *)((char *)base + k->aux);
	size_t before = ld->nfound;
	(void)lv;

	if (node_is_null(n))
		goto done;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg_type_error(ld, k, "a list", n);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *in = ld_node(ld, *it);
		char *val = NULL, *msg = NULL;
		size_t i;
		if (in->type != YAML_SCALAR_NODE || node_is_null(in)) {
			char *kind = node_kind(in);
			ld_error(ld, in->start_mark.line, in->start_mark.column,
			    "%s items must be strings, got %s", k->path, kind);
			free(kind);
			continue;
		}
		if (k->item == NULL)
			val = xstrdup(node_text(in));
		else if (k->item(k, node_text(in), &val, &msg) != 0) {
			ld_error(
			    ld, in->start_mark.line, in->start_mark.column, "%s%s", k->path, msg);
			free(msg);
			continue;
		}
		for (i = 0; i < *np; i++)
			if (strcmp((*vp)[i], val) == 0)
				break;
		if (i < *np) {
			char *q = text_quote(val, CFG_QUOTE_MAX);
			ld_error(ld, in->start_mark.line, in->start_mark.column,
			    "%s lists '%s' twice", k->path, q);
			free(q);
			free(val);
			continue;
		}
		*vp = xreallocarray(*vp, *np + 1, sizeof **vp);
		(*vp)[(*np)++] = val;
	}
done:
	if ((k->flags & K_NONEMPTY) && *np == 0 && ld->nfound == before)
		ld_error(ld, n->start_mark.line, n->start_mark.column,
		    "%s must list at least one %s", k->path, k->example);
}

/* Reads a list of tweet links or ids into the campaign's tweets. */
static void
kt_tweets(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k, yaml_node_t *n,
    void *base)
{
	struct camp_build *b = base;
	(void)lv;

	if (node_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg_type_error(ld, k, "a list of tweet links or ids", n);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *in = ld_node(ld, *it);
		char id[TWEET_ID_MAX + 1], *cause = NULL;
		size_t i;
		b->ntweet_items++;
		if (in->type != YAML_SCALAR_NODE || node_is_null(in)) {
			char *kind = node_kind(in);
			ld_error(ld, in->start_mark.line, in->start_mark.column,
			    "%s items must be tweet links or ids, got %s", k->path, kind);
			free(kind);
			continue;
		}
		if (tweetlink_parse(node_text(in), id, &cause) != 0) {
			ld_error(ld, in->start_mark.line, in->start_mark.column, "%s: %s", k->path,
			    cause);
			free(cause);
			continue;
		}
		for (i = 0; i < b->c.ntweets; i++)
			if (strcmp(b->c.tweets[i].id, id) == 0)
				break;
		if (i < b->c.ntweets) {
			ld_error(ld, in->start_mark.line, in->start_mark.column,
			    "tweet %s is already listed at line %d (%s)", id, b->c.tweets[i].line,
			    category_name(b->c.tweets[i].category));
			continue;
		}
		if (b->c.ntweets == b->tweets_cap) {
			b->tweets_cap = b->tweets_cap ? b->tweets_cap * 2 : 8;
			b->c.tweets =
			    xreallocarray(b->c.tweets, b->tweets_cap, sizeof *b->c.tweets);
		}
		struct cfg_tweet *t = &b->c.tweets[b->c.ntweets++];
		memcpy(t->id, id, sizeof t->id);
		t->category = k->cat;
		t->url = xstrdup(node_text(in));
		t->line = (int)in->start_mark.line + 1;
		t->column = (int)in->start_mark.column + 1;
	}
}

static void kt_campaigns(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k,
    yaml_node_t *n, void *base);

/* Indexed by enum cfg_kt. */
static const struct cfg_kt_ops kt_ops[] = {
    [KT_MAP] = {"a mapping", NULL, kt_map},
    [KT_STR] = {"a string", kt_str, NULL},
    [KT_INT] = {"an integer", kt_int, NULL},
    [KT_NUM] = {"a non-negative number", kt_num, NULL},
    [KT_RANGE] = {"a number", kt_range, NULL},
    [KT_DUR] = {"a duration such as 90s, 5m, 2h or 7d", kt_dur, NULL},
    [KT_TIME] = {"an RFC 3339 time such as 2026-12-01T14:00:00Z", kt_time, NULL},
    [KT_LIST] = {"a list", NULL, kt_list},
    [KT_TWEETS] = {"a list of tweet links or ids", NULL, kt_tweets},
    [KT_CAMPAIGNS] = {"a list of campaigns", NULL, kt_campaigns},
};

/* Reads one value node for key k into base. */
static void
cfg_value(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k, yaml_node_t *n,
    void *base)
{
	const struct cfg_kt_ops *ops = &kt_ops[k->type];
	char *msg = NULL;

	if (ops->node != NULL) {
		if (k->type == KT_MAP && n->type != YAML_MAPPING_NODE && !node_is_null(n)) {
			cfg_type_error(ld, k, ops->what, n);
			return;
		}
		ops->node(ld, lv, k, n, base);
		return;
	}
	if (n->type != YAML_SCALAR_NODE || (k->type != KT_STR && node_is_null(n))) {
		char what[64];
		if (k->type == KT_INT)
			snprintf(what, sizeof what, "an integer from %lld to %lld",
			    (long long)k->min, (long long)k->max);
		else
			snprintf(what, sizeof what, "%s", ops->what);
		cfg_type_error(ld, k, what, n);
		return;
	}
	if (strlen(node_text(n)) != n->data.scalar.length) {
		ld_error(ld, n->start_mark.line, n->start_mark.column,
		    "%s contains a NUL character", k->path);
		return;
	}
	if (ops->scalar(k, node_is_null(n) ? "" : node_text(n), (char *)base + k->off, &msg) != 0) {
		ld_error(ld, n->start_mark.line, n->start_mark.column, "%s%s", k->path, msg);
		free(msg);
	}
}

/* Returns the last component of a dotted path. */
static const char *
key_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* Returns true when path is a direct child of prefix ("" is the level root). */
static bool
key_is_child(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 0)
		return strchr(path, '.') == NULL;
	return strncmp(path, prefix, n) == 0 && path[n] == '.' && strchr(path + n + 1, '.') == NULL;
}

/* Returns the edit distance between a and b, ignoring ASCII case. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la >= LW_ARRAY_LEN(row) || lb >= LW_ARRAY_LEN(row))
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t keep = row[j];
			size_t cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = keep;
		}
	}
	return row[lb];
}

/* Returns the key of the level at prefix closest to name, or NULL. */
static const struct cfg_key *
key_suggest(const struct cfg_level *lv, const char *prefix, const char *name)
{
	const struct cfg_key *best = NULL;
	size_t bestd = 3; /* suggest within 2 edits */
	for (size_t i = 0; i < lv->nkeys; i++) {
		const struct cfg_key *k = &lv->keys[i];
		if (!key_is_child(k->path, prefix))
			continue;
		size_t d = edit_distance(name, key_name(k->path));
		if (d < bestd && d < strlen(key_name(k->path))) {
			best = k;
			bestd = d;
		}
	}
	return best;
}

/* Returns the key of the level at prefix named name, or NULL. */
static const struct cfg_key *
key_find(const struct cfg_level *lv, const char *prefix, const char *name)
{
	if (strchr(name, '.') != NULL)
		return NULL;
	for (size_t i = 0; i < lv->nkeys; i++)
		if (key_is_child(lv->keys[i].path, prefix) &&
		    strcmp(key_name(lv->keys[i].path), name) == 0)
			return &lv->keys[i];
	return NULL;
}

/* Stores every default of the level into base. */
static void
cfg_defaults(const struct cfg_level *lv, void *base)
{
	for (size_t i = 0; i < lv->nkeys; i++) {
		const struct cfg_key *k = &lv->keys[i];
		char *msg = NULL;
		if (k->def == NULL)
			continue;
		if (k->type == KT_STR) { /* "" when absent, whatever the checks say */
			char **sp = (char **)((char *)base + k->off);
			free(*sp);
			*sp = xstrdup(k->def);
			continue;
		}
		if (kt_ops[k->type].scalar(k, k->def, (char *)base + k->off, &msg) != 0) {
			fprintf(stderr, "launchwatch: bad default for %s:%s\n", k->path, msg);
			abort();
		}
	}
}

/* Reports key k missing from the mapping at prefix. */
static void
cfg_missing(struct loader *ld, const struct cfg_level *lv, const char *prefix,
    const struct cfg_key *k, const yaml_node_t *map)
{
	if (*prefix == '\0')
		ld_error(ld, map->start_mark.line, map->start_mark.column,
		    "missing required key '%s' %s (%s)", key_name(k->path), lv->where, k->help);
	else
		ld_error(ld, map->start_mark.line, map->start_mark.column,
		    "missing required key '%s' in %s (%s)", key_name(k->path), prefix, k->help);
}

/* Reads the keys of a mapping (or of nothing, for a null value) at prefix. */
static void
cfg_map(
    struct loader *ld, const struct cfg_level *lv, const char *prefix, yaml_node_t *map, void *base)
{
	bool *seen = xcalloc(lv->nkeys, sizeof *seen);
	yaml_node_pair_t *start = NULL, *top = NULL;
	if (map->type == YAML_MAPPING_NODE) {
		start = map->data.mapping.pairs.start;
		top = map->data.mapping.pairs.top;
	}
	for (yaml_node_pair_t *p = start; p < top; p++) {
		yaml_node_t *kn = ld_node(ld, p->key), *vn = ld_node(ld, p->value);
		const struct cfg_key *k;
		yaml_node_pair_t *q;
		char *name;

		if (kn->type != YAML_SCALAR_NODE) {
			ld_error(ld, kn->start_mark.line, kn->start_mark.column,
			    "keys must be plain names, not %s",
			    kn->type == YAML_MAPPING_NODE ? "mappings" : "lists");
			continue;
		}
		for (q = start; q < p; q++) {
			yaml_node_t *qn = ld_node(ld, q->key);
			if (qn->type == YAML_SCALAR_NODE &&
			    strcmp(node_text(qn), node_text(kn)) == 0)
				break;
		}
		name = text_quote(node_text(kn), CFG_QUOTE_MAX);
		if (q < p) {
			ld_error(ld, kn->start_mark.line, kn->start_mark.column,
			    "duplicate key '%s' (first at line %zu)", name,
			    ld_node(ld, q->key)->start_mark.line + 1);
			free(name);
			continue;
		}
		k = key_find(lv, prefix, node_text(kn));
		if (k == NULL) {
			const struct cfg_key *s = key_suggest(lv, prefix, node_text(kn));
			char *where = *prefix ? xasprintf("in %s", prefix) : xstrdup(lv->where);
			if (s != NULL) {
				seen[s - lv->keys] =
				    true; /* no "missing" for the misspelt key too */
				ld_error(ld, kn->start_mark.line, kn->start_mark.column,
				    "unknown key '%s' %s (did you mean '%s'?)", name, where,
				    key_name(s->path));
			} else
				ld_error(ld, kn->start_mark.line, kn->start_mark.column,
				    "unknown key '%s' %s", name, where);
			free(where);
			free(name);
			continue;
		}
		free(name);
		seen[k - lv->keys] = true;
		if (k->flags & K_HAS)
			*(bool *)((char *)base + k->aux) = true;
		cfg_value(ld, lv, k, vn, base);
	}
	for (size_t i = 0; i < lv->nkeys; i++)
		if ((lv->keys[i].flags & K_REQUIRED) && !seen[i] &&
		    key_is_child(lv->keys[i].path, prefix))
			cfg_missing(ld, lv, prefix, &lv->keys[i], map);
	free(seen);
}

/* ---------------------------------------------------------------------------
 * Item checks and mapping checks used by the campaign table.
 */

/* Sets *msg to " must list NOUN (a, b, c), got 'in'" from a name table. */
static int
item_names_fail(const char *noun, const char *(*name)(int), int count, const char *in, char **msg)
{
	struct sbuf b;
	char *q = text_quote(in, CFG_QUOTE_MAX);
	sbuf_init(&b);
	sbuf_printf(&b, " must list %s (", noun);
	for (int i = 0; i < count; i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "", name(i));
	sbuf_printf(&b, "), got '%s'", q);
	free(q);
	*msg = sbuf_take(&b);
	return -1;
}

/* Returns the bucket name at index i. */
static const char *
bucket_at(int i)
{
	return bucket_name((enum lw_bucket)i);
}

/* Returns the action name at index i. */
static const char *
action_at(int i)
{
	return action_name((enum lw_action)i);
}

/* Returns the category name at index i. */
static const char *
category_at(int i)
{
	return category_name((enum tweet_category)i);
}

/* Accepts an engager bucket name. */
static int
item_bucket(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	enum lw_bucket b;
	(void)k;
	if (bucket_parse(in, &b) != 0)
		return item_names_fail("bucket names", bucket_at, BK__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts an engagement action name. */
static int
item_action(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	enum lw_action a;
	(void)k;
	if (action_parse(in, &a) != 0)
		return item_names_fail("actions", action_at, ACT__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts a tweet category name. */
static int
item_category(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	enum tweet_category c;
	(void)k;
	if (category_parse(in, &c) != 0)
		return item_names_fail("categories", category_at, CAT__COUNT, in, msg);
	*out = xstrdup(in);
	return 0;
}

/* Accepts an X handle with or without '@'; stores it lower-case without '@'. */
static int
item_handle(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	const char *h = in + (*in == '@');
	size_t n = strlen(h);
	bool ok = n >= 1 && n <= 15;
	(void)k;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)h[i]) || h[i] == '_';
	if (!ok) {
		char *q = text_quote(in, CFG_QUOTE_MAX);
		*msg =
		    xasprintf(" must list X handles of 1 to 15 letters, digits or _, got '%s'", q);
		free(q);
		return -1;
	}
	*out = xstrdup(h);
	for (char *p = *out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Accepts an email address of the plain local@domain.tld form. */
static int
item_email(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	const char *at = strchr(in, '@');
	size_t n = strlen(in);
	bool ok = at != NULL && at != in && strchr(at + 1, '@') == NULL && n <= 254 &&
	          (size_t)(at - in) <= 64;
	(void)k;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		ok = c > ' ' && c != 0x7f && strchr("<>()[],;:\"\\", c) == NULL;
	}
	if (ok) {
		const char *dom = at + 1, *dot = strrchr(dom, '.');
		ok = dot != NULL && dom[0] != '.' && dot[1] != '\0' && strstr(dom, "..") == NULL;
	}
	if (!ok) {
		char *q = text_quote(in, CFG_QUOTE_MAX);
		*msg =
		    xasprintf(" must list email addresses such as team@acme.example, got '%s'", q);
		free(q);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Accepts "" or an env:NAME or file:PATH reference; never echoes the value. */
static int
item_secret(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	if (*in == '\0') {
		*out = xstrdup("");
		return 0;
	}
	if (str_has_prefix(in, "env:")) {
		const char *v = in + 4;
		bool ok = *v != '\0' && (isalpha((unsigned char)*v) || *v == '_');
		for (; ok && *v; v++)
			ok = isalnum((unsigned char)*v) || *v == '_';
		if (!ok) {
			*msg = xstrdup(" must name an environment variable after env: (letters, "
			               "digits and _, not starting with a digit)");
			return -1;
		}
	} else if (str_has_prefix(in, "file:")) {
		if (in[5] == '\0') {
			*msg = xstrdup(" needs a path after file:");
			return -1;
		}
	} else {
		*msg =
		    xasprintf(" must be a reference such as %s or file:/path, not a literal secret",
		        k->example);
		return -1;
	}
	*out = xstrdup(in);
	return 0;
}

/* Accepts an smtp:// or smtps:// URL with a host and no credentials. */
static int
item_smtp_url(const struct cfg_key *k, const char *in, char **out, char **msg)
{
	const char *rest = NULL;
	(void)k;
	if (strncasecmp(in, "smtps://", 8) == 0)
		rest = in + 8;
	else if (strncasecmp(in, "smtp://", 7) == 0)
		rest = in + 7;
	if (rest == NULL || *rest == '\0' || *rest == '/' || *rest == ':') {
		*msg = xstrdup(" must start with smtp:// or smtps:// and name a host, as in "
		               "smtps://smtp.example:465");
		return -1;
	}
	if (memchr(rest, '@', strcspn(rest, "/?#")) != NULL) {
		*msg = xstrdup(" must not hold a user or password; use alerts.email.user and "
		               "alerts.email.password");
		return -1;
	}
	for (const char *p = in; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*msg = xstrdup(" must not contain spaces or control characters");
			return -1;
		}
	*out = xstrdup(in);
	return 0;
}

/* Checks window: exactly one of end and duration, and end after start. */
static void
check_window(struct loader *ld, void *base, yaml_node_t *map, bool clean)
{
	struct camp_build *b = base;
	yaml_node_t *end = map_get(ld, map, "end"), *dur = map_get(ld, map, "duration");
	if (b->has_end && b->has_duration) {
		ld_error(ld, dur->start_mark.line, dur->start_mark.column,
		    "window has both end and duration; give only one");
		return;
	}
	if (!b->has_end && !b->has_duration) {
		ld_error(ld, map->start_mark.line, map->start_mark.column,
		    "window needs end or duration (such as duration: 7d)");
		return;
	}
	if (!clean || map_get(ld, map, "start") == NULL)
		return;
	if (b->has_duration)
		b->c.end_s = b->c.start_s + b->duration; /* both bounded: no overflow */
	else if (b->c.end_s <= b->c.start_s)
		ld_error(ld, end->start_mark.line, end->start_mark.column,
		    "window.end must be after window.start");
}

#define CB(m) offsetof(struct camp_build, m)

/* Every key of a campaign, paths relative to the campaign's mapping. */
static const struct cfg_key campaign_keys[] = {
    {.path = "name",
        .type = KT_STR,
        .flags = K_REQUIRED | K_NONEMPTY,
        .off = CB(c.name),
        .help = "the campaign's unique name"},
    {.path = "client", .type = KT_MAP, .help = "who the campaign is for"},
    {.path = "client.name",
        .type = KT_STR,
        .def = "",
        .off = CB(c.client.name),
        .help = "client's name"},
    {.path = "client.contact",
        .type = KT_STR,
        .def = "",
        .off = CB(c.client.contact),
        .help = "client's contact"},
    {.path = "client.notes",
        .type = KT_STR,
        .def = "",
        .off = CB(c.client.notes),
        .help = "free notes"},
    {.path = "window",
        .type = KT_MAP,
        .flags = K_REQUIRED,
        .check = check_window,
        .help = "when to watch: start, and end or duration"},
    {.path = "window.start",
        .type = KT_TIME,
        .flags = K_REQUIRED,
        .off = CB(c.start_s),
        .help = "an RFC 3339 time such as 2026-12-01T14:00:00Z"},
    {.path = "window.end",
        .type = KT_TIME,
        .flags = K_HAS,
        .off = CB(c.end_s),
        .aux = CB(has_end),
        .help = "an RFC 3339 time after start"},
    {.path = "window.duration",
        .type = KT_DUR,
        .flags = K_HAS,
        .off = CB(duration),
        .aux = CB(has_duration),
        .min = 1,
        .help = "how long after start, such as 7d"},
    {.path = "tweets", .type = KT_MAP, .help = "the campaign's tweets by category"},
    {.path = "tweets.main",
        .type = KT_TWEETS,
        .cat = CAT_MAIN,
        .help = "links or ids of the client's own tweets"},
    {.path = "tweets.influencer",
        .type = KT_TWEETS,
        .cat = CAT_INFLUENCER,
        .help = "links or ids of paid influencer tweets"},
    {.path = "tweets.investor",
        .type = KT_TWEETS,
        .cat = CAT_INVESTOR,
        .help = "links or ids of investor tweets"},
    {.path = "cadence", .type = KT_MAP, .help = "how often each worker polls"},
    {.path = "cadence.metrics",
        .type = KT_DUR,
        .def = "5m",
        .min = 1,
        .off = CB(c.cadence.metrics),
        .help = "poll interval for public counts"},
    {.path = "cadence.retweets",
        .type = KT_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.retweets),
        .help = "poll interval for retweeters"},
    {.path = "cadence.replies",
        .type = KT_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.replies),
        .help = "poll interval for replies"},
    {.path = "cadence.quotes",
        .type = KT_DUR,
        .def = "10m",
        .min = 1,
        .off = CB(c.cadence.quotes),
        .help = "poll interval for quotes"},
    {.path = "alerts", .type = KT_MAP, .help = "which engagements raise alerts and where"},
    {.path = "alerts.min_importance",
        .type = KT_INT,
        .def = "70",
        .min = 0,
        .max = 100,
        .off = CB(c.alerts.min_importance),
        .help = "lowest importance score that alerts"},
    {.path = "alerts.buckets",
        .type = KT_LIST,
        .item = item_bucket,
        .off = CB(c.alerts.buckets),
        .aux = CB(c.alerts.nbuckets),
        .help = "engager buckets that alert"},
    {.path = "alerts.actions",
        .type = KT_LIST,
        .item = item_action,
        .off = CB(c.alerts.actions),
        .aux = CB(c.alerts.nactions),
        .help = "actions that alert; empty means all"},
    {.path = "alerts.categories",
        .type = KT_LIST,
        .item = item_category,
        .off = CB(c.alerts.categories),
        .aux = CB(c.alerts.ncategories),
        .help = "tweet categories that alert; empty means all"},
    {.path = "alerts.watch",
        .type = KT_LIST,
        .item = item_handle,
        .off = CB(c.alerts.watch),
        .aux = CB(c.alerts.nwatch),
        .help = "handles that always alert"},
    {.path = "alerts.slack_webhook",
        .type = KT_STR,
        .def = "",
        .item = item_secret,
        .example = "env:SLACK_WEBHOOK_URL",
        .off = CB(c.alerts.slack_webhook_ref),
        .help = "Slack incoming webhook, as env:NAME or file:PATH"},
    {.path = "alerts.email",
        .type = KT_MAP,
        .flags = K_HAS,
        .aux = CB(c.alerts.has_email),
        .help = "email alerts over SMTP"},
    {.path = "alerts.email.to",
        .type = KT_LIST,
        .flags = K_REQUIRED | K_NONEMPTY,
        .item = item_email,
        .example = "address",
        .off = CB(c.alerts.email.to),
        .aux = CB(c.alerts.email.nto),
        .help = "a list of recipient addresses"},
    {.path = "alerts.email.smtp_url",
        .type = KT_STR,
        .flags = K_REQUIRED | K_NONEMPTY,
        .def = "",
        .item = item_smtp_url,
        .off = CB(c.alerts.email.smtp_url),
        .help = "smtp:// or smtps:// server URL"},
    {.path = "alerts.email.user",
        .type = KT_STR,
        .def = "",
        .off = CB(c.alerts.email.user),
        .help = "SMTP user name"},
    {.path = "alerts.email.password",
        .type = KT_STR,
        .def = "",
        .item = item_secret,
        .example = "env:SMTP_PASSWORD",
        .off = CB(c.alerts.email.password_ref),
        .help = "SMTP password, as env:NAME or file:PATH"},
    {.path = "alerts.quiet_window",
        .type = KT_DUR,
        .def = "30m",
        .min = 0,
        .off = CB(c.alerts.quiet_window_s),
        .help = "no repeat of the same alert inside it"},
    {.path = "alerts.min_sentiment",
        .type = KT_RANGE,
        .flags = K_HAS,
        .min = -1,
        .max = 1,
        .aux = CB(c.alerts.has_min_sentiment),
        .off = CB(c.alerts.min_sentiment),
        .help = "once a scorer sets engagements.sentiment, lowest score that alerts"},
    {.path = "cpm", .type = KT_MAP, .help = "cost per thousand views"},
    {.path = "cpm.benchmark_usd", .type = KT_MAP, .help = "benchmark CPM in USD by category"},
    {.path = "cpm.benchmark_usd.main",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_MAIN]),
        .aux = CB(c.cpm.has_benchmark[CAT_MAIN]),
        .help = "benchmark CPM for main tweets"},
    {.path = "cpm.benchmark_usd.influencer",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_INFLUENCER]),
        .aux = CB(c.cpm.has_benchmark[CAT_INFLUENCER]),
        .help = "benchmark CPM for influencer tweets"},
    {.path = "cpm.benchmark_usd.investor",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.benchmark_usd[CAT_INVESTOR]),
        .aux = CB(c.cpm.has_benchmark[CAT_INVESTOR]),
        .help = "benchmark CPM for investor tweets"},
    {.path = "cpm.spend_usd", .type = KT_MAP, .help = "spend in USD by category"},
    {.path = "cpm.spend_usd.main",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.spend_usd[CAT_MAIN]),
        .aux = CB(c.cpm.has_spend[CAT_MAIN]),
        .help = "spend on main tweets"},
    {.path = "cpm.spend_usd.influencer",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.spend_usd[CAT_INFLUENCER]),
        .aux = CB(c.cpm.has_spend[CAT_INFLUENCER]),
        .help = "spend on influencer tweets"},
    {.path = "cpm.spend_usd.investor",
        .type = KT_NUM,
        .flags = K_HAS,
        .off = CB(c.cpm.spend_usd[CAT_INVESTOR]),
        .aux = CB(c.cpm.has_spend[CAT_INVESTOR]),
        .help = "spend on investor tweets"},
};

/* Checks a whole campaign: a unique name and at least one tweet. */
static void
check_campaign(struct loader *ld, void *base, yaml_node_t *map, bool clean)
{
	struct camp_build *b = base;
	(void)clean;
	if (b->c.name != NULL && b->c.name[0] != '\0') {
		for (struct camp_build *o = ld->camps; o < b; o++)
			if (o->c.name != NULL && strcmp(o->c.name, b->c.name) == 0) {
				yaml_node_t *n = map_get(ld, map, "name");
				char *q = text_quote(b->c.name, CFG_QUOTE_MAX);
				ld_error(ld, n->start_mark.line, n->start_mark.column,
				    "campaign name '%s' is already used at line %d", q, o->c.line);
				free(q);
				break;
			}
	}
	if (b->ntweet_items == 0) {
		yaml_node_t *n = map_get(ld, map, "tweets");
		if (n == NULL)
			n = map;
		ld_error(ld, n->start_mark.line, n->start_mark.column,
		    "campaign lists no tweets; add at least one under tweets.main, "
		    "tweets.influencer or tweets.investor");
	}
}

static const struct cfg_level campaign_level = {
    campaign_keys, LW_ARRAY_LEN(campaign_keys), "in campaign", check_campaign};

/* The top level of the file. */
static const struct cfg_key file_keys[] = {
    {.path = "campaigns", .type = KT_CAMPAIGNS, .flags = K_REQUIRED, .help = "a list of campaigns"},
};

static const struct cfg_level file_level = {
    file_keys, LW_ARRAY_LEN(file_keys), "at the top level", NULL};

/* Reads the list of campaigns into ld->camps. */
static void
kt_campaigns(struct loader *ld, const struct cfg_level *lv, const struct cfg_key *k, yaml_node_t *n,
    void *base)
{
	size_t count;
	(void)lv;
	(void)base;
	if (n->type != YAML_SEQUENCE_NODE && !node_is_null(n)) {
		cfg_type_error(ld, k, "a list of campaigns", n);
		return;
	}
	count = node_is_null(n)
	            ? 0
	            : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count == 0) {
		ld_error(ld, n->start_mark.line, n->start_mark.column,
		    "campaigns must list at least one campaign");
		return;
	}
	ld->camps = xcalloc(count, sizeof *ld->camps);
	ld->ncamps = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *cn = ld_node(ld, n->data.sequence.items.start[i]);
		struct camp_build *b = &ld->camps[i];
		size_t before = ld->nfound;
		b->c.line = (int)cn->start_mark.line + 1;
		cfg_defaults(&campaign_level, b);
		if (cn->type != YAML_MAPPING_NODE) {
			char *kind = node_kind(cn);
			ld_error(ld, cn->start_mark.line, cn->start_mark.column,
			    "each campaign must be a mapping with name, window and tweets, got %s",
			    kind);
			free(kind);
			continue;
		}
		cfg_map(ld, &campaign_level, "", cn, b);
		campaign_level.check(ld, b, cn, ld->nfound == before);
	}
}

/* ---------------------------------------------------------------------------
 * Loading and freeing.
 */

/* Frees a loaded file; NULL is a no-op. */
void
config_free(struct cfg_file *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->ncampaigns; i++)
		cfg_campaign_done(&f->campaigns[i]);
	free(f->campaigns);
	free(f->path);
	free(f);
}

/* Records libyaml's problem as an error at its mark. */
static void
ld_yaml_error(struct loader *ld, const yaml_parser_t *p, const char *text, size_t len)
{
	size_t line = p->problem_mark.line, column = p->problem_mark.column;
	const char *problem = p->problem ? p->problem : "unknown problem";

	if (p->error == YAML_MEMORY_ERROR) {
		fputs("launchwatch: out of memory\n", stderr);
		abort();
	}
	if (p->error == YAML_READER_ERROR) {
		line = column = 0;
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				line++;
				column = 0;
			} else
				column++;
		}
	}
	if (p->context != NULL)
		ld_error(ld, line, column, "YAML syntax error: %s (%s at line %zu, column %zu)",
		    problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else
		ld_error(ld, line, column, "YAML syntax error: %s", problem);
}

/* Scans the event stream for syntax errors, aliases and extra documents. */
static int
ld_prescan(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int docs = 0, rc = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ld_yaml_error(ld, &parser, text, len);
			rc = -1;
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			char *q = text_quote((const char *)ev.data.alias.anchor, CFG_QUOTE_MAX);
			ld_error(ld, ev.start_mark.line, ev.start_mark.column,
			    "YAML aliases (*%s) are not supported; write the value out", q);
			free(q);
			rc = -1;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
			ld_error(ld, ev.start_mark.line, ev.start_mark.column,
			    "the file holds more than one YAML document; use one 'campaigns:' "
			    "list");
			rc = -1;
		} else if (ev.type == YAML_STREAM_END_EVENT)
			done = true;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* Loads the single document and walks it through the file level. */
static void
ld_walk(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ld_yaml_error(ld, &parser, text, len);
		yaml_parser_delete(&parser);
		return;
	}
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || node_is_null(root))
		ld_error(ld, 0, 0, "the file is empty; it needs a 'campaigns:' list");
	else if (root->type != YAML_MAPPING_NODE) {
		char *kind = node_kind(root);
		ld_error(ld, root->start_mark.line, root->start_mark.column,
		    "the file must be a mapping with a 'campaigns:' list, got %s", kind);
		free(kind);
	} else
		cfg_map(ld, &file_level, "", root, NULL);
	ld->doc = NULL;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

/* Loads len bytes of YAML named name; see config.h. */
int
config_load_string(
    const char *name, const char *text, size_t len, struct cfg_file **out, char **cause)
{
	struct loader ld;
	struct cfg_file *f = NULL;
	int rc = -1;

	memset(&ld, 0, sizeof ld);
	ld.name = name;
	*out = NULL;
	if (ld_prescan(&ld, text, len) == 0)
		ld_walk(&ld, text, len);
	if (ld.nfound > 0) {
		char *msg = ld_errors_text(&ld);
		set_cause(cause, "%s", msg);
		free(msg);
		goto fail;
	}
	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(name);
	f->ncampaigns = ld.ncamps;
	f->campaigns = xcalloc(ld.ncamps, sizeof *f->campaigns);
	for (size_t i = 0; i < ld.ncamps; i++)
		f->campaigns[i] = ld.camps[i].c;
	ld.ncamps = 0;
	*out = f;
	rc = 0;
fail:
	for (size_t i = 0; i < ld.ncamps; i++)
		cfg_campaign_done(&ld.camps[i].c);
	free(ld.camps);
	for (size_t i = 0; i < ld.nerrs; i++)
		free(ld.errs[i].msg);
	free(ld.errs);
	return rc;
}

/* Loads the campaign file at path; see config.h. */
int
config_load_file(const char *path, struct cfg_file **out, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (file_read_all(path, &text, &len, cause) != 0)
		return -1;
	rc = config_load_string(path, text, len, out, cause);
	free(text);
	return rc;
}
