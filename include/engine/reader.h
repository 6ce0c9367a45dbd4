/*
 * reader: what the console shows, read from the store. A reader owns one
 * database thread that does every read and write of the console, so the UI
 * thread never waits on the database or the network. It lists the
 * campaigns; per campaign it reads the prepared summary (two `_id` reads)
 * and then follows the change log by `_id` (seq+1, seq+2, ... until one is
 * absent), handing the log's new engagement records over for the feed and
 * reading the summary again when the log moved past it (at most once a
 * second): at idle that is one `_id` read per campaign per poll. Every
 * few polls it reads each campaign's job states, alerts and tweet authors;
 * it runs the campaign commands the console posts (add, edit tweets,
 * pause, resume, close); while the console shows a campaign's close-out it
 * reads that campaign's close-out state and final report summary; and on
 * demand it reads a tweet's own hourly series (the tweet's prepared part,
 * kept current by the log's slices) and an account's profile (its account
 * chunk and up to AGG_PROFILE_MAX of its engagement documents, by `_id`).
 * It never reads raw events on a timer. Everything is published under the
 * reader's mutex; the UI thread takes it with reader_take, and an empty
 * batch on the queue wakes it when there is something new.
 *
 * reader_start and reader_free belong to the thread that runs the console
 * (the main thread); the other functions to the UI thread.
 */
#ifndef LW_READER_H
#define LW_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/reader_news.h"
#include "model/agg.h"
#include "model/campaign.h"
#include "model/event.h"

struct store;
struct queue;
struct cfg_file;
struct reader;

/* The campaign commands the console posts (reader_post). */
enum reader_cmd {
	READER_UPSERT,   /* add or update the only campaign of f */
	READER_PAUSE,    /* pause campaign cid */
	READER_RESUME,   /* resume campaign cid */
	READER_CLOSE,    /* request the close-out of campaign cid */
	READER_TWEETS,   /* replace the tweets of cid with those of f's only campaign */
	READER_SETTINGS, /* replace the cadence, alerts and cpm of cid with f's only campaign's */
	READER_EXPORT,   /* stream every engagement of cid passing a filter to a CSV file */
};

/* Starts a reader on s and q (both borrowed until reader_free): its thread
 * reads at once and then polls every second. Aborts when it cannot start a
 * thread. */
struct reader *reader_start(struct store *s, struct queue *q);

/* Stops the reader's thread (after the command or read in progress) and
 * frees it with what it still holds; NULL is a no-op. */
void reader_free(struct reader *r);

/* Queues campaign command cmd on campaign cid (NULL for READER_UPSERT) with
 * campaign file f (takes ownership; NULL for pause, resume and close); its
 * result comes back as a message. */
void reader_post(struct reader *r, enum reader_cmd cmd, const char *cid, struct cfg_file *f);

/* Queues READER_EXPORT: every stored engagement of campaign cid passing flt
 * (copied) written to path (copied) by engine/feed_export.h; the result
 * comes back as a message. */
void reader_post_export(
    struct reader *r, const char *cid, const struct agg_filter *flt, const char *path);

/* Sets the campaign whose close-out state the reader reads at each poll
 * ("" or NULL: none). */
void reader_watch(struct reader *r, const char *cid);

/* Asks for the profile of user_id in campaign cid, whose row in the feed
 * (or top engagers) names its engagement on tweet_id with action (read
 * even when the account chunk does not list it yet); a request not
 * started yet is replaced. The result comes back as news. */
void reader_profile(struct reader *r, const char *cid, const char *user_id, const char *tweet_id,
    enum lw_action action);

/* Asks for tweet_id's own hourly series in campaign cid; it comes back as
 * news, and again whenever the change log brings new slices of it. */
void reader_series(struct reader *r, const char *cid, const char *tweet_id);

/* Moves what the reader published since the last call into *n (zeroed
 * first; the caller frees it with reader_news_done). */
void reader_take(struct reader *r, struct reader_news *n);

/* Frees what n still owns and zeroes it. */
void reader_news_done(struct reader_news *n);

#endif
