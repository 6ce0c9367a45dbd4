/*
 * reader: what the console shows, read from the store. A reader owns one
 * database thread that does every read and write of the console, so the UI
 * thread never waits on the database or the network: it lists the
 * campaigns, finds their new engagements and metric slices and pushes them
 * as event batches onto the queue an in-process engine pushes to, reads
 * each campaign's job states, alerts and tweet authors every few polls,
 * runs the campaign commands the console posts (add, edit tweets, pause,
 * resume, close), and while the console shows a campaign's close-out reads
 * that campaign's close-out state and final report summary. Everything but
 * the batches is published under the reader's mutex; the UI thread takes it
 * with reader_take, and an empty batch on the queue wakes it when there is
 * something new.
 *
 * How new rows are found is one internal function of reader.c (new_rows):
 * today a rebuild from every stored engagement and slice at the first poll,
 * then `engagements` and `metric_slices` past per-campaign watermarks every
 * 2 s, so writes of another process (`launchwatch run`) show up too. The
 * next issue replaces it with prepared aggregate documents at start and a
 * per-campaign change log read by _id (seq+1, seq+2, ...); what the reader
 * hands the console (event batches on the queue, the snapshots below) stays
 * as it is.
 *
 * reader_start and reader_free belong to the thread that runs the console
 * (the main thread); the other functions to the UI thread.
 */
#ifndef LW_READER_H
#define LW_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "model/campaign.h"

struct store;
struct queue;
struct cfg_file;
struct reader;

/* The campaign commands the console posts (reader_post). */
enum reader_cmd {
	READER_UPSERT, /* add or update the only campaign of f */
	READER_PAUSE,  /* pause campaign cid */
	READER_RESUME, /* resume campaign cid */
	READER_CLOSE,  /* request the close-out of campaign cid */
	READER_TWEETS, /* replace the tweets of cid with those of f's only campaign */
};

/* One campaign's close-out as the reader last read it (the campaign
 * document's close_requested_at, frozen and closeout fields, and the final
 * report built from campaigns.frozen). Owned by whoever holds it; freed
 * with reader_closeout_free. */
struct reader_closeout {
	char cid[64];
	int64_t read_ms;      /* when it was read */
	int64_t requested_ms; /* close_requested_at, 0 when not requested */
	bool completed;
	int64_t frozen_ms; /* closeout.frozen_at, 0 while not frozen */
	bool archived;     /* closeout.state is "done": archive and report files written */
	char *archive_dir; /* "" while none */
	char **summary;    /* the final report's summary lines, once frozen */
	size_t nsummary;
	char *error; /* why the last read failed, or NULL */
};

/* Frees c and what it owns; NULL is a no-op. */
void reader_closeout_free(struct reader_closeout *c);

/* One campaign's details: its job states, newest alerts and tweet authors
 * (parallel arrays tids and handles). */
struct reader_detail {
	char cid[64];
	struct agg_jobrow *rows; /* for agg_set_jobs */
	size_t nrows;
	struct agg_alert *alerts; /* for agg_set_alerts, which takes them */
	size_t nalerts;
	char **tids, **handles; /* for agg_set_author */
	size_t nauth;
};

/* What the reader published since the last reader_take. The taker owns it
 * all and may move any part out (setting the pointer to NULL);
 * reader_news_done frees the rest. */
struct reader_news {
	bool have_camps;        /* a new campaign list: camps[0..ncamps) */
	struct campaign *camps; /* for agg_set_campaign */
	size_t ncamps;
	struct reader_detail *details; /* the campaigns' details, when read again */
	size_t ndetails;
	char *message;                    /* a command's result, or NULL */
	struct reader_closeout *closeout; /* the watched close-out as read again, or NULL */
	bool db_ok;                       /* the database's health as last seen (always set) */
	char *db_status;                  /* why it is down, or NULL */
};

/* Starts a reader on s and q (both borrowed until reader_free): its thread
 * rebuilds at once and polls every 2 s. Aborts when it cannot start a
 * thread. */
struct reader *reader_start(struct store *s, struct queue *q);

/* Stops the reader's thread (after the command or read in progress) and
 * frees it with what it still holds; NULL is a no-op. */
void reader_free(struct reader *r);

/* Queues campaign command cmd on campaign cid (NULL for READER_UPSERT) with
 * campaign file f (takes ownership; NULL for pause, resume and close); its
 * result comes back as a message. */
void reader_post(struct reader *r, enum reader_cmd cmd, const char *cid, struct cfg_file *f);

/* Sets the campaign whose close-out state the reader reads at each poll
 * ("" or NULL: none). */
void reader_watch(struct reader *r, const char *cid);

/* Moves what the reader published since the last call into *n (zeroed
 * first; the caller frees it with reader_news_done). */
void reader_take(struct reader *r, struct reader_news *n);

/* Frees what n still owns and zeroes it. */
void reader_news_done(struct reader_news *n);

#endif
