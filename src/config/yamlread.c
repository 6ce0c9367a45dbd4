/*
 * yamlread: the one YAML reader (include/config/yamlread.h): libyaml's
 * document behind opaque nodes, the sorted error list, did-you-mean, integer
 * reading; the key-table walk is in yamlkeys.c. Pure; any thread, each load owns its state.
 */
#include "config/yamlread.h"
#include "yamlread_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"

#define YR_MAX_SHOWN 20   /* errors shown in the cause */
#define YR_MAX_KEPT  1000 /* errors kept before counting only */
#define YR_QUOTE_MAX 60   /* bytes of a value quoted in a message */

/* ---------------------------------------------------------------------------
 * The load's state and error list.
 */

struct yr_error {
	size_t line; /* 1-based */
	size_t column;
	size_t seq; /* order found, to keep sorting stable */
	char *msg;
};

struct yr_doc {
	const char *name; /* FILE in messages */
	const struct yr_file *file;
	yaml_document_t *doc;
	struct yr_error *errs;
	size_t nerrs;  /* errors kept */
	size_t nfound; /* errors found, kept or not */
};

/* Returns the libyaml node behind n. */
static const yaml_node_t *
YN(const struct yr_node *n)
{
	return (const yaml_node_t *)(const void *)n;
}

/* Returns the opaque node for libyaml's n. */
static const struct yr_node *
RN(const yaml_node_t *n)
{
	return (const struct yr_node *)(const void *)n;
}

/* Records an error at 0-based line and column. */
static void yr_error_at(struct yr_doc *d, size_t line, size_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void yr_error_va(struct yr_doc *d, size_t line, size_t column, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Records an error at 0-based line and column from a va_list. */
static void
yr_error_va(struct yr_doc *d, size_t line, size_t column, const char *fmt, va_list ap)
{
	d->nfound++;
	if (d->nerrs == YR_MAX_KEPT)
		return;
	d->errs = xreallocarray(d->errs, d->nerrs + 1, sizeof *d->errs);
	struct yr_error *e = &d->errs[d->nerrs];
	e->line = line + 1;
	e->column = column + 1;
	e->seq = d->nerrs++;
	e->msg = xvasprintf(fmt, ap);
}

static void
yr_error_at(struct yr_doc *d, size_t line, size_t column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yr_error_va(d, line, column, fmt, ap);
	va_end(ap);
}

void
yr_error(struct yr_doc *d, const struct yr_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yr_error_va(d, YN(at)->start_mark.line, YN(at)->start_mark.column, fmt, ap);
	va_end(ap);
}

size_t
yr_error_count(const struct yr_doc *d)
{
	return d->nfound;
}

/* Orders errors by position, then by the order they were found. */
static int
yr_error_cmp(const void *a, const void *b)
{
	const struct yr_error *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Returns the sorted errors as one "FILE:LINE:COL: message" per line. */
static char *
yr_errors_text(struct yr_doc *d)
{
	struct sbuf b;
	sbuf_init(&b);
	qsort(d->errs, d->nerrs, sizeof *d->errs, yr_error_cmp);
	for (size_t i = 0; i < d->nerrs && i < YR_MAX_SHOWN; i++)
		sbuf_printf(&b, "%s%s:%zu:%zu: %s", i ? "\n" : "", d->name, d->errs[i].line,
		    d->errs[i].column, d->errs[i].msg);
	if (d->nfound > YR_MAX_SHOWN)
		sbuf_printf(
		    &b, "\n%s: %zu more errors not shown", d->name, d->nfound - YR_MAX_SHOWN);
	return sbuf_take(&b);
}

/* ---------------------------------------------------------------------------
 * Nodes.
 */

/* Returns the node at index i of the document. */
static const struct yr_node *
yr_node_at(struct yr_doc *d, int i)
{
	return RN(yaml_document_get_node(d->doc, i));
}

enum yr_kind
yr_kind(const struct yr_node *n)
{
	if (YN(n)->type == YAML_MAPPING_NODE)
		return YRN_MAPPING;
	return YN(n)->type == YAML_SEQUENCE_NODE ? YRN_LIST : YRN_SCALAR;
}

bool
yr_is_null(const struct yr_node *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	if (!yr_is_plain(n))
		return false;
	for (size_t i = 0; i < LW_ARRAY_LEN(nulls); i++)
		if (strcmp(yr_text(n), nulls[i]) == 0)
			return true;
	return false;
}

bool
yr_is_plain(const struct yr_node *n)
{
	return YN(n)->type == YAML_SCALAR_NODE &&
	       YN(n)->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

const char *
yr_text(const struct yr_node *n)
{
	return YN(n)->type == YAML_SCALAR_NODE ? (const char *)YN(n)->data.scalar.value : "";
}

size_t
yr_length(const struct yr_node *n)
{
	return YN(n)->type == YAML_SCALAR_NODE ? YN(n)->data.scalar.length : 0;
}

int
yr_line(const struct yr_node *n)
{
	return (int)YN(n)->start_mark.line + 1;
}

int
yr_column(const struct yr_node *n)
{
	return (int)YN(n)->start_mark.column + 1;
}

char *
yr_quote(const char *s)
{
	return text_quote(s, strlen(s), YR_QUOTE_MAX);
}

char *
yr_describe(const struct yr_node *n)
{
	if (yr_kind(n) == YRN_MAPPING)
		return xstrdup("a mapping");
	if (yr_kind(n) == YRN_LIST)
		return xstrdup("a list");
	if (yr_is_null(n))
		return xstrdup("nothing");
	char *q = yr_quote(yr_text(n));
	char *s = xasprintf("'%s'", q);
	free(q);
	return s;
}

size_t
yr_count(const struct yr_node *n)
{
	if (YN(n)->type == YAML_MAPPING_NODE)
		return (size_t)(YN(n)->data.mapping.pairs.top - YN(n)->data.mapping.pairs.start);
	if (YN(n)->type == YAML_SEQUENCE_NODE)
		return (size_t)(YN(n)->data.sequence.items.top - YN(n)->data.sequence.items.start);
	return 0;
}

const struct yr_node *
yr_item(struct yr_doc *d, const struct yr_node *list, size_t i)
{
	return yr_node_at(d, YN(list)->data.sequence.items.start[i]);
}

/* Returns the key node of pair i of a mapping. */
const struct yr_node *
yr_pair_key(struct yr_doc *d, const struct yr_node *map, size_t i)
{
	return yr_node_at(d, YN(map)->data.mapping.pairs.start[i].key);
}

/* Returns the value node of pair i of a mapping. */
const struct yr_node *
yr_pair_value(struct yr_doc *d, const struct yr_node *map, size_t i)
{
	return yr_node_at(d, YN(map)->data.mapping.pairs.start[i].value);
}

/* Returns true when scalar node n holds exactly the string s (no NUL). */
bool
yr_text_is(const struct yr_node *n, const char *s)
{
	return yr_kind(n) == YRN_SCALAR && yr_length(n) == strlen(s) && strcmp(yr_text(n), s) == 0;
}

const struct yr_node *
yr_get(struct yr_doc *d, const struct yr_node *map, const char *name)
{
	if (yr_kind(map) != YRN_MAPPING)
		return NULL;
	for (size_t i = 0; i < yr_count(map); i++)
		if (yr_text_is(yr_pair_key(d, map, i), name))
			return yr_pair_value(d, map, i);
	return NULL;
}

/* Returns true (after reporting it) when key i of map is not a plain name
 * or repeats an earlier key. */
bool
yr_bad_key(struct yr_doc *d, const struct yr_node *map, size_t i)
{
	const struct yr_node *k = yr_pair_key(d, map, i);
	if (yr_kind(k) != YRN_SCALAR) {
		bool m = yr_kind(k) == YRN_MAPPING;
		if (d->file->terse)
			yr_error(d, k, "expected a plain key, got %s", m ? "a mapping" : "a list");
		else
			yr_error(
			    d, k, "keys must be plain names, not %s", m ? "mappings" : "lists");
		return true;
	}
	for (size_t j = 0; j < i; j++) {
		const struct yr_node *e = yr_pair_key(d, map, j);
		if (yr_kind(e) == YRN_SCALAR && yr_length(e) == yr_length(k) &&
		    memcmp(yr_text(e), yr_text(k), yr_length(k)) == 0) {
			char *q = yr_quote(yr_text(k));
			yr_error(d, k, "duplicate key '%s' (first at line %d)", q, yr_line(e));
			free(q);
			return true;
		}
	}
	return false;
}

void
yr_each_pair(struct yr_doc *d, const struct yr_node *map, yr_pair_fn fn, void *arg)
{
	for (size_t i = 0; i < yr_count(map) && yr_kind(map) == YRN_MAPPING; i++)
		if (!yr_bad_key(d, map, i))
			fn(d, yr_pair_key(d, map, i), yr_pair_value(d, map, i), arg);
}

/* ---------------------------------------------------------------------------
 * Did you mean.
 */

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

int
yr_suggest(const char *name, const char *const *names, size_t n)
{
	int best = -1;
	size_t bestd = 3; /* suggest within 2 edits */
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, names[i]);
		if (d < bestd && d < strlen(names[i])) {
			best = (int)i;
			bestd = d;
		}
	}
	return best;
}

int
yr_unknown(struct yr_doc *d, const struct yr_node *k, const char *noun, const char *where,
    const char *const *names, size_t n, bool list)
{
	int s = yr_suggest(yr_text(k), names, n);
	char *q = yr_quote(yr_text(k));
	const char *sp = where != NULL ? " " : "";
	where = where != NULL ? where : "";
	if (s >= 0) {
		yr_error(
		    d, k, "unknown %s '%s'%s%s (did you mean '%s'?)", noun, q, sp, where, names[s]);
	} else if (list) {
		struct sbuf b;
		sbuf_init(&b);
		for (size_t i = 0; i < n; i++)
			sbuf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		yr_error(d, k, "unknown %s '%s'%s%s (expected one of: %s)", noun, q, sp, where,
		    b.len ? b.s : "");
		sbuf_done(&b);
	} else {
		yr_error(d, k, "unknown %s '%s'%s%s", noun, q, sp, where);
	}
	free(q);
	return s;
}

/* ---------------------------------------------------------------------------
 * Scalars.
 */

/* Parses v as a decimal integer in lo..hi into *out; false if it is not. */
bool
yr_int_parse(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	const char *p = v + (*v == '-' || *v == '+');
	char *end;
	long long n;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!str_is_digits(p) || errno != 0 || *end != '\0' || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* Returns what an integer in lo..hi must be: "an integer from 0 to 100", or
 * "1" when lo is hi. Caller frees. */
char *
yr_int_what(int64_t lo, int64_t hi)
{
	if (lo == hi)
		return xasprintf("%lld", (long long)lo);
	return xasprintf("an integer from %lld to %lld", (long long)lo, (long long)hi);
}

int
yr_int(struct yr_doc *d, const struct yr_node *n, const char *what, int64_t lo, int64_t hi,
    bool plain, int64_t *out)
{
	if (yr_kind(n) == YRN_SCALAR && !yr_is_null(n) && (!plain || yr_is_plain(n)) &&
	    strlen(yr_text(n)) == yr_length(n) && yr_int_parse(yr_text(n), lo, hi, out))
		return 0;
	char *must = yr_int_what(lo, hi), *got = yr_describe(n);
	yr_error(d, n, "%s must be %s, got %s", what, must, got);
	free(must);
	free(got);
	return -1;
}

/* ---------------------------------------------------------------------------
 * Loading.
 */

/* Records libyaml's problem as an error at its mark. */
static void
yr_syntax_error(struct yr_doc *d, const yaml_parser_t *p, const char *text, size_t len)
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
	if (p->context != NULL && d->file->terse)
		yr_error_at(d, line, column, "YAML syntax error: %s (%s)", problem, p->context);
	else if (p->context != NULL)
		yr_error_at(d, line, column, "YAML syntax error: %s (%s at line %zu, column %zu)",
		    problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else
		yr_error_at(d, line, column, "YAML syntax error: %s", problem);
}

/* Scans the event stream for syntax errors, aliases and extra documents. */
static int
yr_prescan(struct yr_doc *d, const char *text, size_t len)
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
			yr_syntax_error(d, &parser, text, len);
			rc = -1;
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			char *q = yr_quote((const char *)ev.data.alias.anchor);
			yr_error_at(d, ev.start_mark.line, ev.start_mark.column,
			    "YAML aliases (*%s) are not supported; write the value out", q);
			free(q);
			rc = -1;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
			yr_error_at(d, ev.start_mark.line, ev.start_mark.column,
			    "the file holds more than one YAML document%s%s",
			    d->file->one_document ? "; " : "",
			    d->file->one_document ? d->file->one_document : "");
			rc = -1;
		} else if (ev.type == YAML_STREAM_END_EVENT)
			done = true;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* Loads the single document and hands its root to fn. */
static void
yr_read(struct yr_doc *d, const char *text, size_t len, yr_root_fn fn, void *arg)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *root;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yr_syntax_error(d, &parser, text, len);
		yaml_parser_delete(&parser);
		return;
	}
	d->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || yr_is_null(RN(root))) {
		if (d->file->empty != NULL)
			yr_error_at(d, 0, 0, "%s", d->file->empty);
	} else
		fn(d, RN(root), arg);
	d->doc = NULL;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

int
yr_load(const char *name, const char *text, size_t len, const struct yr_file *f, yr_root_fn fn,
    void *arg, char **cause)
{
	struct yr_doc d;
	int rc = 0;

	memset(&d, 0, sizeof d);
	d.name = name;
	d.file = f;
	if (yr_prescan(&d, text, len) == 0)
		yr_read(&d, text, len, fn, arg);
	if (d.nfound > 0) {
		char *msg = yr_errors_text(&d);
		set_cause(cause, "%s", msg);
		free(msg);
		rc = -1;
	}
	for (size_t i = 0; i < d.nerrs; i++)
		free(d.errs[i].msg);
	free(d.errs);
	return rc;
}
