/*
 * reader_news: what the console's reader (engine/reader.h) hands the UI
 * thread: the types of struct reader_news and its parts (close-out state,
 * campaign details, prepared data, series and profiles read on demand),
 * each owned by whoever holds it. Any thread, one owner at a time.
 */
#ifndef LW_READER_NEWS_H
#define LW_READER_NEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "model/campaign.h"
#include "model/prep.h"
#include "model/series.h"

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
	bool has_jobs;           /* rows and authors were read this time (else keep them) */
	struct agg_jobrow *rows; /* for agg_set_jobs */
	size_t nrows;
	struct agg_alert *alerts; /* for agg_set_alerts, which takes them */
	size_t nalerts;
	char **tids, **handles; /* for agg_set_author */
	size_t nauth;
	bool has_sent;           /* sent was read this time (else keep the one shown) */
	struct sent_state *sent; /* for agg_set_sentiment, which takes it; NULL: no scorer ran */
};

/* One tweet's own hourly series as read (for agg_set_tweet_series). */
struct reader_series {
	char tweet_id[LW_ID_MAX];
	bool ok; /* false: it could not be read */
	struct series m[M__COUNT];
	struct minutes mins; /* the same per minute */
};

/* What the reader read of one campaign's prepared data since the last
 * reader_take. */
struct reader_feed {
	char cid[64];
	bool preparing;               /* it has no prepared summary yet */
	struct prep_summary *summary; /* a newer summary (for agg_set_summary), or NULL */
	struct prep_eng *eng;         /* the change log's new records (for agg_feed_add), */
	size_t neng, capeng;          /* newest first, each once, at most AGG_FEED_MAX */
	struct reader_series *series; /* tweets' own series, read or changed */
	size_t nseries;
};

/* Frees what f owns and zeroes it. */
void reader_feed_done(struct reader_feed *f);

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
	struct reader_feed *feeds;        /* campaigns' prepared data read since the last take */
	size_t nfeeds;
	struct agg_profile *profile; /* the profile asked for with reader_profile, as read */
};

#endif
