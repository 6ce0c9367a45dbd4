/*
 * yamlkeys: the YAML reader's key tables (campaign files, rules files,
 * themes). A level is a table of keys with dotted paths relative to the
 * mapping it reads ("window.start"); a YR_MAP key's children are read from
 * its own mapping. Values go to base + off. Pure; any thread.
 */
#ifndef LW_YAMLKEYS_H
#define LW_YAMLKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/yamlread.h"

/* Value types. */
enum yr_type {
	YR_MAP,    /* a mapping of the level's keys under this path */
	YR_STR,    /* char *, through item when set; null gives "" */
	YR_INT,    /* int in min..max */
	YR_NUM,    /* double >= 0 */
	YR_RANGE,  /* double in min..max */
	YR_DUR,    /* int64_t seconds >= min ("90s", "5m", "7d") */
	YR_TIME,   /* int64_t unix seconds (RFC 3339) */
	YR_LIST,   /* char ** at off, size_t count at aux, items through item */
	YR_SCALAR, /* any scalar, parsed by scalar into base + off */
	YR_NODE,   /* any node, read by node */
	YR__TYPES
};

#define YR_REQUIRED 0x1 /* must be present */
#define YR_NONEMPTY 0x2 /* a string or list that may not be empty */
#define YR_HAS      0x4 /* sets the bool at aux when present */
#define YR_PLAIN    0x8 /* integers: a plain scalar only ("3", not "\"3\"") */

struct yr_key;

/* Validates and normalizes one string into *out (caller frees); on error
 * sets *msg to the text after the key path (" must ...") and returns -1. */
typedef int (*yr_item_fn)(const struct yr_key *k, const char *in, char **out, char **msg);
/* Parses one scalar into dst; on error sets *msg as yr_item_fn does. */
typedef int (*yr_scalar_fn)(const struct yr_key *k, const char *in, void *dst, char **msg);
/* Reads the value val of key node key; records its own errors. */
typedef void (*yr_node_fn)(struct yr_doc *d, const struct yr_key *k, const struct yr_node *key,
    const struct yr_node *val, void *base);
/* Checks a mapping once its keys are read; clean when they had no errors. */
typedef void (*yr_check_fn)(struct yr_doc *d, void *base, const struct yr_node *map, bool clean);

struct yr_key {
	const char *path; /* dotted, from the level's root mapping */
	enum yr_type type;
	unsigned flags;      /* YR_REQUIRED | YR_NONEMPTY | YR_HAS | YR_PLAIN */
	const char *def;     /* default, as it would be written in the file */
	const char *help;    /* one line for messages and documentation */
	size_t off;          /* where the value goes, from the level's base */
	size_t aux;          /* list count (size_t) or YR_HAS flag (bool) */
	int64_t min;         /* range for integers, minimum for durations */
	int64_t max;         /* range for integers and YR_RANGE */
	yr_item_fn item;     /* YR_STR and YR_LIST items */
	yr_scalar_fn scalar; /* YR_SCALAR */
	yr_node_fn node;     /* YR_NODE */
	yr_check_fn check;   /* YR_MAP */
	const char *what;    /* YR_SCALAR: what the value must be ("colours") */
	const char *example; /* for messages: "address", "env:SLACK_WEBHOOK_URL" */
	int tag;             /* for the table's own use (a category, a bucket) */
};

struct yr_level {
	const struct yr_key *keys;
	size_t nkeys;
	const char *where; /* "in campaign": where the root mapping is; NULL names
	                    * no place in messages */
	const char *noun;  /* what a key is called in messages; NULL is "key" */
	bool list_names;   /* an unknown key with no close name lists the names */
	yr_check_fn check; /* the root mapping, once its keys are read */
};

/* Stores every default of the level into base. */
void yr_defaults(const struct yr_level *lv, void *base);

/* Reads mapping map (or a null node: nothing but the missing keys) through
 * the level into base, then runs the level's check. */
void yr_walk(struct yr_doc *d, const struct yr_level *lv, const struct yr_node *map, void *base);

#endif
