/*
 * yamlread: the one YAML reader, used by campaign files (config), classifier
 * rules files (rules_file) and themes (console/theme.c). It loads a single
 * document with libyaml (which stays inside config/), refuses aliases and a
 * second document, collects every error as "FILE:LINE:COL: message" at the
 * node it is about, sorted by position (the first 20 shown, then a count),
 * names unknown keys with a did-you-mean, and walks mappings through key
 * tables (dotted path, type, default, help) into the caller's struct. Nodes
 * are opaque and borrowed from the load, so callers never see libyaml. Pure;
 * any thread may load, each load owns its state.
 */
#ifndef LW_YAMLREAD_H
#define LW_YAMLREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A load in progress: the document and the errors found so far. */
struct yr_doc;
/* A node of the document; borrowed from its yr_doc for the load's life. */
struct yr_node;

/* What a kind of file says in the reader's own messages. */
struct yr_file {
	/* An empty document: "the rules file is empty"; NULL accepts one (the
	 * root function is not called then). */
	const char *empty;
	/* Said after "the file holds more than one YAML document" ("use one
	 * 'campaigns:' list"), or NULL. */
	const char *one_document;
	/* The rules file's older message forms: libyaml's context without its
	 * position, "expected a plain key, got a list". */
	bool terse;
};

/* Reads the document's root node (never NULL, maybe a null scalar when the
 * file has an empty document and f->empty is NULL: not called then). */
typedef void (*yr_root_fn)(struct yr_doc *d, const struct yr_node *root, void *arg);

/* Loads len bytes of YAML at text (name is FILE in messages), calls fn with
 * the root and arg, and returns 0 when neither the load nor fn found an
 * error; else -1 with *cause set to the sorted "FILE:LINE:COL: message"
 * lines (newline separated). */
int yr_load(const char *name, const char *text, size_t len, const struct yr_file *f, yr_root_fn fn,
    void *arg, char **cause);

/* Records an error at node at (its first line and column). */
void yr_error(struct yr_doc *d, const struct yr_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns how many errors the load has found so far. */
size_t yr_error_count(const struct yr_doc *d);

/* The shapes of a node. */
enum yr_kind { YRN_SCALAR, YRN_MAPPING, YRN_LIST };

/* Returns the node's shape. */
enum yr_kind yr_kind(const struct yr_node *n);
/* Returns true for a plain empty, "~" or "null" scalar. */
bool yr_is_null(const struct yr_node *n);
/* Returns true for a scalar written without quotes or block style. */
bool yr_is_plain(const struct yr_node *n);
/* Returns a scalar's text (NUL-terminated; "" for other shapes); borrowed. */
const char *yr_text(const struct yr_node *n);
/* Returns a scalar's length in bytes (it may hold a NUL before the end). */
size_t yr_length(const struct yr_node *n);
/* Returns the 1-based line of the node's start. */
int yr_line(const struct yr_node *n);
/* Returns the 1-based column of the node's start. */
int yr_column(const struct yr_node *n);
/* Describes the node for "got ..." in messages: "a mapping", "a list",
 * "nothing" or the quoted text. Caller frees. */
char *yr_describe(const struct yr_node *n);
/* Returns s sanitized and cut for quoting in a message. Caller frees. */
char *yr_quote(const char *s);

/* Returns the number of items of a list or pairs of a mapping (0 else). */
size_t yr_count(const struct yr_node *n);
/* Returns item i of a list. */
const struct yr_node *yr_item(struct yr_doc *d, const struct yr_node *list, size_t i);
/* Returns the value of key name in a mapping, or NULL. */
const struct yr_node *yr_get(struct yr_doc *d, const struct yr_node *map, const char *name);

/* Called for one pair of a mapping. */
typedef void (*yr_pair_fn)(
    struct yr_doc *d, const struct yr_node *key, const struct yr_node *val, void *arg);
/* Calls fn on each pair of a mapping in order, reporting (and skipping) a
 * key that is not a scalar and a key seen before. */
void yr_each_pair(struct yr_doc *d, const struct yr_node *map, yr_pair_fn fn, void *arg);

/* Returns the index of the name among names[0..n) closest to name (within
 * two edits, ASCII case ignored), or -1 when none is close. */
int yr_suggest(const char *name, const char *const *names, size_t n);

/* Records "unknown NOUN 'KEY' WHERE (did you mean 'NAME'?)" at key node k
 * (where may be NULL); with no close name, lists the names when list is set.
 * Returns the suggested index or -1. */
int yr_unknown(struct yr_doc *d, const struct yr_node *k, const char *noun, const char *where,
    const char *const *names, size_t n, bool list);

/* Reads node n as a decimal integer in lo..hi (only a plain scalar when
 * plain is set); else records "WHAT must be an integer from LO to HI, got X"
 * and returns -1. */
int yr_int(struct yr_doc *d, const struct yr_node *n, const char *what, int64_t lo, int64_t hi,
    bool plain, int64_t *out);

/*
 * Key tables. A level is a table of keys with dotted paths relative to the
 * mapping it reads ("window.start"); a YR_MAP key's children are read from
 * its own mapping. Values go to base + off.
 */

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
