/*
 * sim_model: the simulator's synthetic launch as a pure function of (seed,
 * virtual time): launch tweets, an account pool, and for each tweet three
 * streams (retweets, replies, quotes) whose k-th item has a fixed arrival time,
 * author and parent. The state at virtual time T is every item arrived by T.
 * Not thread-safe: the server calls it under its mutex.
 */
#ifndef LW_SIM_MODEL_H
#define LW_SIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model/event.h"

/* Stream kinds, in the order of enum lw_action. */
enum sim_kind { SK_RETWEET, SK_REPLY, SK_QUOTE, SK__COUNT };

/* One arrived engagement of a stream. */
struct sim_eng {
	int64_t at_ms;  /* virtual ms (0 = simulator start; negative: before start) */
	uint32_t user;  /* account index */
	int32_t parent; /* replies: index of the reply it answers, -1 for the root */
};

/* The arrived items of one stream, oldest first, and the next arrival. */
struct sim_stream {
	struct sim_eng *v;
	size_t n, cap, max;
	int64_t next_at;      /* arrival of item n, INT64_MAX when none */
	double lambda;        /* arrivals per virtual ms */
	uint32_t new_authors; /* replies: distinct authors handed out so far */
};

/* One launch tweet. */
struct sim_tweet {
	char id[LW_ID_MAX];
	int64_t created_ms; /* virtual ms */
	uint32_t author;
	double mult; /* this tweet's share of attention (0.5 to 1.5) */
	struct sim_stream s[SK__COUNT];
};

/* The whole model. */
struct sim_model {
	uint64_t seed;
	int n_tweets;
	struct sim_tweet *tweets;
	uint32_t accounts; /* a prime */
	double rate;
	int64_t start_wall_ms;
	uint64_t eng_base; /* base of reply/quote tweet ids */
	int64_t now_ms;    /* virtual time the streams are extended to */
	double farm_share; /* share of farm accounts (farm mode when > 0) */
};

/* What the launch is made of (the server fills it from its sim_opts). */
struct sim_model_params {
	uint64_t seed;
	int tweets;        /* launch tweets; at least 1 is made */
	double rate;       /* engagements per minute per tweet */
	int accounts;      /* size of the account pool (rounded up to a prime, at least 17) */
	int head_start_s;  /* the launch tweets were posted this long before virtual time 0 */
	double farm_share; /* farm mode: this share of the pool are farm accounts; 0 off */
};

/* Builds the model of p with virtual time 0 at start_wall_ms; caller frees. */
struct sim_model *sim_model_new(const struct sim_model_params *p, int64_t start_wall_ms);
/* Frees m; NULL is a no-op. */
void sim_model_free(struct sim_model *m);
/* Adds every arrival up to virtual time now_ms (time never goes back). */
void sim_model_extend(struct sim_model *m, int64_t now_ms);

/* Returns the index of the launch tweet with id, or -1. */
int sim_model_find_tweet(const struct sim_model *m, const char *id);
/* Decodes a reply or quote tweet id that has arrived; 0 or -1. */
int sim_model_decode_eng(
    const struct sim_model *m, const char *id, int *t, enum sim_kind *kind, size_t *k);
/* Writes the id of item k of stream kind (reply or quote) of tweet t. */
void sim_model_eng_id(
    const struct sim_model *m, int t, enum sim_kind kind, size_t k, char id[LW_ID_MAX]);
/* Writes the id of account j. */
void sim_model_user_id(const struct sim_model *m, uint32_t j, char id[LW_ID_MAX]);
/* Finds an account by handle (case-insensitive, '@' optional); 0 or -1. */
int sim_model_user_by_handle(const struct sim_model *m, const char *handle, uint32_t *j);
/* Returns true when account j is a farm account (farm mode only): the
 * ground truth the farm test measures against. */
bool sim_model_is_farm(const struct sim_model *m, uint32_t j);
/* Returns the provider User object of account j (new reference). */
json_t *sim_model_user_json(const struct sim_model *m, uint32_t j);
/* Returns the provider Tweet object of launch tweet t at the current time. */
json_t *sim_model_tweet_json(const struct sim_model *m, int t);
/* Returns the provider Tweet object of reply or quote k of tweet t. */
json_t *sim_model_eng_json(const struct sim_model *m, int t, enum sim_kind kind, size_t k);
/* Fills the current metrics of launch tweet t. */
void sim_model_metrics(const struct sim_model *m, int t, struct lw_metrics *out);
/* Returns the index of the first item of stream s that arrived at or after
 * wall-clock second since_s. */
size_t sim_model_since_index(
    const struct sim_model *m, const struct sim_stream *s, int64_t since_s);
/* Returns the ground truth at the current time (new reference). */
json_t *sim_model_truth(const struct sim_model *m);

#endif
