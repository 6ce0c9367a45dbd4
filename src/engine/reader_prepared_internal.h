/*
 * reader_prepared_internal: the reader's side of the prepared aggregates
 * (src/engine/reader_prepared.c), private to src/engine/: per campaign
 * the summary, the change log followed by `_id`, and what is read on
 * demand (a tweet's own series, an account's profile). Everything it reads
 * goes into a struct reader_feed (engine/reader.h) that reader.c
 * publishes; nothing here calls back into the reader. The reader's
 * database thread only.
 */
#ifndef LW_READER_PREPARED_INTERNAL_H
#define LW_READER_PREPARED_INTERNAL_H

#include <stdint.h>

#include "engine/reader_news.h"
#include "model/agg.h"

struct store;
struct rp_camp;

/* Returns the reader's state of campaign cid (copied), with nothing read
 * yet (caller frees with rp_free). */
struct rp_camp *rp_new(const char *cid);
/* Frees c; NULL is a no-op. */
void rp_free(struct rp_camp *c);
/* Returns c's campaign id (borrowed). */
const char *rp_cid(const struct rp_camp *c);

/* One poll of campaign c at now_ms: until it has a summary, the summary
 * (and then the log's starting point, found once); then the change log
 * past the newest entry read (at most a bounded number of entries per
 * call) and, when the log moved past the summary, the summary again (at
 * most once a second, less often while it does not change). Adds what it
 * read to f (f->cid set by the caller). 0, or -1 with a cause (what was
 * read before the error stays in f). */
int rp_poll(
    struct store *s, struct rp_camp *c, int64_t now_ms, struct reader_feed *f, char **cause);

/* Reads tweet_id's own series into f: its prepared part of the summary's
 * generation, then its newer metric slices by `_id`; the log's slices keep
 * it current afterwards (rp_poll adds them to f). 0, or -1 with a cause
 * (f then says it failed). */
int rp_series(
    struct store *s, struct rp_camp *c, const char *tweet_id, struct reader_feed *f, char **cause);

/* Reads the profile of user_id into *out (caller frees with
 * agg_profile_free): its account chunk (prep_chunk_of(user_id) of the
 * summary's generation), then up to AGG_PROFILE_MAX of its engagement
 * documents by `_id`, the most recently stored first, always including
 * (tweet_id, action), the row it was asked from. 0, or -1 with a cause. */
int rp_profile(struct store *s, struct rp_camp *c, const char *user_id, const char *tweet_id,
    enum lw_action action, struct agg_profile **out, char **cause);

/* Moves what src holds into dst (a newer summary replaces dst's, records
 * merge, series replace those of the same tweet) and zeroes src. */
void reader_feed_merge(struct reader_feed *dst, struct reader_feed *src);

#endif
