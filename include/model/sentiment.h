/*
 * sentiment: the sentiment sums of one campaign (docs/alerts.md section 9),
 * pure: per tweet, per engager bucket and in all, how many replies and
 * quotes the scorer looked at, the sum of their scores, how many were
 * positive, neutral and negative, and how many it could not score. The
 * engine's sentiment supervisor owns one per campaign and stores it with
 * its position in the change log (`aggregates` `<cid>:sentiment`); the
 * console and the reports read it. One owner at a time; any thread.
 */
#ifndef LW_MODEL_SENTIMENT_H
#define LW_MODEL_SENTIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

/* VADER's usual thresholds: compound >= 0.05 positive, <= -0.05 negative. */
#define SENT_POSITIVE 0.05
#define SENT_NEGATIVE (-0.05)

/* Sums of scores. */
struct sent_sums {
	int64_t count;      /* scored */
	double sum;         /* of the scores */
	int64_t positive;   /* score >= SENT_POSITIVE */
	int64_t neutral;    /* in between */
	int64_t negative;   /* score <= SENT_NEGATIVE */
	int64_t not_scored; /* looked at, language unreadable */
};

/* One tweet's sums. */
struct sent_tweet {
	char tweet_id[LW_ID_MAX];
	struct sent_sums s;
};

/* A campaign's sentiment document. */
struct sent_state {
	int64_t seq;            /* the last change-log entry counted */
	char owner[128];        /* the supervisor's lease owner, "" when none */
	int64_t lease_until_ms; /* 0 when free */
	char scorer[32];        /* the scorer of the last score ("" when none yet) */
	char state[160];        /* the supervisor's state line ("sentiment: scorer down, ...") */
	char version[32];
	int64_t updated_at_ms;
	struct sent_sums total;
	struct sent_sums bucket[BK__COUNT];
	struct sent_tweet *tweets; /* owned, ntweets, in the order first scored */
	size_t ntweets;
};

/* Adds one look to s: a score when scored, else one not scored. */
void sent_sums_add(struct sent_sums *s, bool scored, double score);
/* Adds one look at a reply or quote of tweet_id by an account of bucket b. */
void sent_state_add(
    struct sent_state *st, const char *tweet_id, enum lw_bucket b, bool scored, double score);
/* Returns tweet_id's sums (borrowed), or NULL when none was scored. */
const struct sent_sums *sent_state_tweet(const struct sent_state *st, const char *tweet_id);
/* Sets *mean to the mean score; false when nothing was scored. */
bool sent_sums_mean(const struct sent_sums *s, double *mean);
/* Writes the short form of s into buf ("+0.42 (12)", "not scored"). */
void sent_sums_text(const struct sent_sums *s, char *buf, size_t size);
/* Frees what st owns and zeroes it. */
void sent_state_done(struct sent_state *st);

#endif
