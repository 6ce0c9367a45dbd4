/*
 * feed_export: the console's export of the engagers feed: every stored
 * engagement of a campaign that passes the feed's filter, streamed from
 * the database into a CSV file (written beside as PATH.tmp, then renamed),
 * cells through the one guarded writer (base/csv.h). Run by the reader on
 * its database thread.
 */
#ifndef LW_FEED_EXPORT_H
#define LW_FEED_EXPORT_H

#include <stdint.h>

#include "model/agg.h"

struct store;

/* The header line of the export. */
extern const char feed_export_header[];

/* Writes campaign cid's engagements passing flt to path, in the database's
 * order, and sets *rows. 0, or -1 with a cause (no file is left). */
int feed_export(struct store *s, const char *cid, const struct agg_filter *flt, const char *path,
    int64_t *rows, char **cause);

#endif
