/*
 * yamlkeys: the YAML reader's key-table walk (include/config/yamlkeys.h):
 * reads a mapping through a table of dotted key paths into the caller's
 * struct, with defaults, required keys, typed values, unknown keys named with
 * a did-you-mean, and checks once a mapping is read. Pure; any thread.
 */
#include "config/yamlkeys.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"
#include "base/util.h"
#include "yamlread_internal.h"

static void yr_map(struct yr_doc *d, const struct yr_level *lv, const char *prefix,
    const struct yr_node *map, void *base);

/* Reads a string, through k->item when set. */
static int
yr_str(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	char **sp = dst;
	char *val;
	if ((k->flags & YR_NONEMPTY) && v[strspn(v, " \t")] == '\0') {
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
yr_int_value(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	int64_t n;
	if (!yr_int_parse(v, k->min, k->max, &n)) {
		char *q = yr_quote(v), *must = yr_int_what(k->min, k->max);
		*msg = xasprintf(" must be %s, got '%s'", must, q);
		free(must);
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
yr_num(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	double d = 0;
	(void)k;
	if (num_shape(v))
		d = strtod(v, NULL);
	if (!num_shape(v) || !isfinite(d) || d < 0 || *v == '-') {
		char *q = yr_quote(v);
		*msg = xasprintf(" must be a non-negative number, got '%s'", q);
		free(q);
		return -1;
	}
	*(double *)dst = d;
	return 0;
}

/* Reads a number within [k->min, k->max] (signed) into a double. */
static int
yr_range(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	double d = 0;
	if (num_shape(v))
		d = strtod(v, NULL);
	if (!num_shape(v) || !isfinite(d) || d < (double)k->min || d > (double)k->max) {
		char *q = yr_quote(v);
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
yr_dur(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	int64_t s;
	char *cause = NULL;
	if (timestr_parse_duration(v, &s, &cause) != 0) {
		*msg = xasprintf(": %s", cause);
		free(cause);
		return -1;
	}
	if (s < k->min) {
		char buf[32], *q = yr_quote(v);
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
yr_time(const struct yr_key *k, const char *v, void *dst, char **msg)
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

/* Reads a scalar through the key's own parser. */
static int
yr_custom(const struct yr_key *k, const char *v, void *dst, char **msg)
{
	return k->scalar(k, v, dst, msg);
}

/* Reports a value of the wrong shape for key k. */
static void
yr_type_error(struct yr_doc *d, const struct yr_key *k, const char *what, const struct yr_node *n)
{
	char *kind = yr_describe(n);
	yr_error(d, n, "%s must be %s, got %s", k->path, what, kind);
	free(kind);
}

/* Reads a nested mapping through the same level's table. */
static void
yr_map_value(struct yr_doc *d, const struct yr_level *lv, const struct yr_key *k,
    const struct yr_node *key, const struct yr_node *n, void *base)
{
	size_t before = yr_error_count(d);
	(void)key;
	yr_map(d, lv, k->path, n, base);
	if (k->check != NULL)
		k->check(d, base, n, yr_error_count(d) == before);
}

/* Reads a list of strings, each through k->item, refusing repeats. */
static void
yr_list(struct yr_doc *d, const struct yr_level *lv, const struct yr_key *k,
    const struct yr_node *key, const struct yr_node *n, void *base)
{
	char ***vp = (char ***)((char *)base + k->off);
	size_t *np = (size_t *)((char *)base + k->aux);
	size_t before = yr_error_count(d);
	(void)lv;
	(void)key;

	if (yr_is_null(n))
		goto done;
	if (yr_kind(n) != YRN_LIST) {
		yr_type_error(d, k, "a list", n);
		return;
	}
	for (size_t it = 0; it < yr_count(n); it++) {
		const struct yr_node *in = yr_item(d, n, it);
		char *val = NULL, *msg = NULL;
		size_t i;
		if (yr_kind(in) != YRN_SCALAR || yr_is_null(in)) {
			char *kind = yr_describe(in);
			yr_error(d, in, "%s items must be strings, got %s", k->path, kind);
			free(kind);
			continue;
		}
		if (strlen(yr_text(in)) != yr_length(in)) {
			yr_error(d, in, "%s items must not contain a NUL character", k->path);
			continue;
		}
		if (k->item == NULL)
			val = xstrdup(yr_text(in));
		else if (k->item(k, yr_text(in), &val, &msg) != 0) {
			yr_error(d, in, "%s%s", k->path, msg);
			free(msg);
			continue;
		}
		for (i = 0; i < *np; i++)
			if (strcmp((*vp)[i], val) == 0)
				break;
		if (i < *np) {
			char *q = yr_quote(val);
			yr_error(d, in, "%s lists '%s' twice", k->path, q);
			free(q);
			free(val);
			continue;
		}
		*vp = xreallocarray(*vp, *np + 1, sizeof **vp);
		(*vp)[(*np)++] = val;
	}
done:
	if ((k->flags & YR_NONEMPTY) && *np == 0 && yr_error_count(d) == before)
		yr_error(d, n, "%s must list at least one %s", k->path, k->example);
}

/* Reads any node through the key's own reader. */
static void
yr_node_value(struct yr_doc *d, const struct yr_level *lv, const struct yr_key *k,
    const struct yr_node *key, const struct yr_node *n, void *base)
{
	(void)lv;
	k->node(d, k, key, n, base);
}

/* How each type is read: scalar types through scalar, the rest through node. */
static const struct {
	const char *what; /* "a list": what the value must be */
	int (*scalar)(const struct yr_key *k, const char *v, void *dst, char **msg);
	void (*node)(struct yr_doc *d, const struct yr_level *lv, const struct yr_key *k,
	    const struct yr_node *key, const struct yr_node *n, void *base);
} yr_types[YR__TYPES] = {
    [YR_MAP] = {"a mapping", NULL, yr_map_value},
    [YR_STR] = {"a string", yr_str, NULL},
    [YR_INT] = {"an integer", yr_int_value, NULL},
    [YR_NUM] = {"a non-negative number", yr_num, NULL},
    [YR_RANGE] = {"a number", yr_range, NULL},
    [YR_DUR] = {"a duration such as 90s, 5m, 2h or 7d", yr_dur, NULL},
    [YR_TIME] = {"an RFC 3339 time such as 2026-12-01T14:00:00Z", yr_time, NULL},
    [YR_LIST] = {"a list", NULL, yr_list},
    [YR_SCALAR] = {"a string", yr_custom, NULL},
    [YR_NODE] = {"a value", NULL, yr_node_value},
};

/* Reads one value node for key k (at key node key) into base. */
static void
yr_value(struct yr_doc *d, const struct yr_level *lv, const struct yr_key *k,
    const struct yr_node *key, const struct yr_node *n, void *base)
{
	char *msg = NULL;

	if (yr_types[k->type].node != NULL) {
		if (k->type == YR_MAP && yr_kind(n) != YRN_MAPPING && !yr_is_null(n)) {
			yr_type_error(d, k, yr_types[k->type].what, n);
			return;
		}
		yr_types[k->type].node(d, lv, k, key, n, base);
		return;
	}
	if (yr_kind(n) != YRN_SCALAR || (k->type != YR_STR && yr_is_null(n)) ||
	    ((k->flags & YR_PLAIN) && !yr_is_plain(n))) {
		char *what;
		if (k->type == YR_INT)
			what = yr_int_what(k->min, k->max);
		else if (k->type == YR_SCALAR && k->what != NULL)
			what = xstrdup(k->what);
		else
			what = xstrdup(yr_types[k->type].what);
		yr_type_error(d, k, what, n);
		free(what);
		return;
	}
	if (strlen(yr_text(n)) != yr_length(n)) {
		yr_error(d, n, "%s contains a NUL character", k->path);
		return;
	}
	if (yr_types[k->type].scalar(
	        k, yr_is_null(n) ? "" : yr_text(n), (char *)base + k->off, &msg) != 0) {
		yr_error(d, n, "%s%s", k->path, msg);
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

/* Returns the key of the level at prefix named by key node kn, or NULL. */
static const struct yr_key *
key_find(const struct yr_level *lv, const char *prefix, const struct yr_node *kn)
{
	if (strchr(yr_text(kn), '.') != NULL)
		return NULL;
	for (size_t i = 0; i < lv->nkeys; i++)
		if (key_is_child(lv->keys[i].path, prefix) &&
		    yr_text_is(kn, key_name(lv->keys[i].path)))
			return &lv->keys[i];
	return NULL;
}

/* Reports the unknown key node kn of the level at prefix, with a
 * did-you-mean among its siblings; returns the suggested key or NULL. */
static const struct yr_key *
key_unknown(
    struct yr_doc *d, const struct yr_level *lv, const char *prefix, const struct yr_node *kn)
{
	const char **names = xcalloc(lv->nkeys + 1, sizeof *names);
	const struct yr_key **keys = xcalloc(lv->nkeys + 1, sizeof *keys);
	size_t n = 0;
	char *where = NULL;
	for (size_t i = 0; i < lv->nkeys; i++)
		if (key_is_child(lv->keys[i].path, prefix)) {
			keys[n] = &lv->keys[i];
			names[n++] = key_name(lv->keys[i].path);
		}
	if (lv->where != NULL)
		where = *prefix ? xasprintf("in %s", prefix) : xstrdup(lv->where);
	int s = yr_unknown(d, kn, lv->noun ? lv->noun : "key", where, names, n, lv->list_names);
	const struct yr_key *k = s >= 0 ? keys[s] : NULL;
	free(where);
	free(names);
	free(keys);
	return k;
}

void
yr_defaults(const struct yr_level *lv, void *base)
{
	for (size_t i = 0; i < lv->nkeys; i++) {
		const struct yr_key *k = &lv->keys[i];
		char *msg = NULL;
		if (k->def == NULL)
			continue;
		if (k->type == YR_STR) { /* "" when absent, whatever the checks say */
			char **sp = (char **)((char *)base + k->off);
			free(*sp);
			*sp = xstrdup(k->def);
			continue;
		}
		if (yr_types[k->type].scalar(k, k->def, (char *)base + k->off, &msg) != 0) {
			fprintf(stderr, "launchwatch: bad default for %s:%s\n", k->path, msg);
			abort();
		}
	}
}

/* Reports key k missing from the mapping at prefix. */
static void
yr_missing(struct yr_doc *d, const struct yr_level *lv, const char *prefix, const struct yr_key *k,
    const struct yr_node *map)
{
	if (*prefix != '\0')
		yr_error(d, map, "missing required key '%s' in %s (%s)", key_name(k->path), prefix,
		    k->help);
	else if (lv->where != NULL)
		yr_error(d, map, "missing required key '%s' %s (%s)", key_name(k->path), lv->where,
		    k->help);
	else
		yr_error(d, map, "missing required key '%s' (%s)", key_name(k->path), k->help);
}

/* Reads the keys of a mapping (or of nothing, for a null value) at prefix. */
static void
yr_map(struct yr_doc *d, const struct yr_level *lv, const char *prefix, const struct yr_node *map,
    void *base)
{
	bool *seen = xcalloc(lv->nkeys, sizeof *seen);
	for (size_t i = 0; i < yr_count(map) && yr_kind(map) == YRN_MAPPING; i++) {
		const struct yr_node *kn = yr_pair_key(d, map, i);
		const struct yr_key *k;
		if (yr_bad_key(d, map, i))
			continue;
		k = key_find(lv, prefix, kn);
		if (k == NULL) {
			const struct yr_key *s = key_unknown(d, lv, prefix, kn);
			if (s != NULL) /* no "missing" for the misspelt key too */
				seen[s - lv->keys] = true;
			continue;
		}
		seen[k - lv->keys] = true;
		if (k->flags & YR_HAS)
			*(bool *)((char *)base + k->aux) = true;
		yr_value(d, lv, k, kn, yr_pair_value(d, map, i), base);
	}
	for (size_t i = 0; i < lv->nkeys; i++)
		if ((lv->keys[i].flags & YR_REQUIRED) && !seen[i] &&
		    key_is_child(lv->keys[i].path, prefix))
			yr_missing(d, lv, prefix, &lv->keys[i], map);
	free(seen);
}

void
yr_walk(struct yr_doc *d, const struct yr_level *lv, const struct yr_node *map, void *base)
{
	size_t before = yr_error_count(d);
	yr_map(d, lv, "", map, base);
	if (lv->check != NULL)
		lv->check(d, base, map, yr_error_count(d) == before);
}
