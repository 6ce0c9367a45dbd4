/*
 * yamlread: the one YAML reader, used by campaign files (config), classifier
 * rules files (rules_file) and themes (console/theme.c). It loads a single
 * document with libyaml (which stays inside config/), refuses aliases and a
 * second document, collects every error as "FILE:LINE:COL: message" at the
 * node it is about, sorted by position (the first 20 shown, then a count),
 * and names unknown keys with a did-you-mean; config/yamlkeys.h walks
 * mappings through key tables into the caller's struct. Nodes
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

#endif
