/*
 * reader_closeout_internal: reading one campaign's close-out for the
 * reader (src/engine/reader_closeout.c), private to src/engine/. The
 * reader's database thread only.
 */
#ifndef LW_READER_CLOSEOUT_INTERNAL_H
#define LW_READER_CLOSEOUT_INTERNAL_H

#include "engine/reader_news.h"

struct store;

/* Reads campaign cid's close-out state and, once frozen, its final
 * report's summary lines (caller frees with reader_closeout_free); a
 * failed read is said in the result's error. */
struct reader_closeout *reader_closeout_read(struct store *s, const char *cid);

#endif
