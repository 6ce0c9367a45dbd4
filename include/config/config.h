/*
 * config: the campaign file (DESIGN.md section 3) loaded with libyaml through
 * a key table into a read-only struct. Pure apart from reading the file and
 * the process clock; any thread, but a loaded struct is never shared while
 * being freed.
 */
#ifndef LW_CONFIG_H
#define LW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/tweetlink.h"

enum tweet_category { CAT_MAIN, CAT_INFLUENCER, CAT_INVESTOR, CAT__COUNT };

/* Returns "main", "influencer" or "investor". */
const char *category_name(enum tweet_category c);
/* Parses a category name; 0 or -1. */
int category_parse(const char *s, enum tweet_category *out);

struct cfg_tweet {
	char id[TWEET_ID_MAX + 1];
	enum tweet_category category;
	char *url; /* as written in the file (a bare id stays bare) */
	int line;  /* 1-based position in the file, for messages */
	int column;
};

struct cfg_client {
	char *name;    /* "" when absent */
	char *contact; /* "" when absent */
	char *notes;   /* "" when absent */
};

struct cfg_email {
	char **to; /* addresses */
	size_t nto;
	char *smtp_url;     /* smtp:// or smtps:// */
	char *user;         /* "" when absent */
	char *password_ref; /* "env:NAME" or "file:PATH", "" when absent */
};

struct cfg_alerts {
	int min_importance; /* 0..100, default 70 */
	char **buckets;     /* investor founder ai developer media other */
	size_t nbuckets;
	char **actions; /* retweet reply quote; empty means all */
	size_t nactions;
	char **categories; /* main influencer investor; empty means all */
	size_t ncategories;
	char **watch; /* handles, stored lower-case without '@' */
	size_t nwatch;
	char *slack_webhook_ref; /* "env:NAME" or "file:PATH", "" when absent */
	bool has_email;
	struct cfg_email email;
	int64_t quiet_window_s; /* default 1800 */
	bool has_min_sentiment; /* min_sentiment was given */
	double min_sentiment;   /* -1..1: a scored engagement below it does not alert */
};

struct cfg_cadence { /* seconds; defaults 300, 600, 600, 600 */
	int64_t metrics;
	int64_t retweets;
	int64_t replies;
	int64_t quotes;
};

struct cfg_cpm {
	double benchmark_usd[CAT__COUNT]; /* CPM per category */
	bool has_benchmark[CAT__COUNT];
	double spend_usd[CAT__COUNT];
	bool has_spend[CAT__COUNT];
};

struct cfg_campaign {
	char *name;
	int line; /* where the campaign starts in the file */
	struct cfg_client client;
	int64_t start_s; /* window, unix seconds */
	int64_t end_s;
	struct cfg_tweet *tweets; /* in file order, no duplicate ids */
	size_t ntweets;
	struct cfg_cadence cadence;
	struct cfg_alerts alerts;
	struct cfg_cpm cpm;
};

struct cfg_file {
	char *path;
	struct cfg_campaign *campaigns;
	size_t ncampaigns;
};

/* Loads and validates a campaign file. On any error returns -1 and sets
 * *cause to one "FILE:LINE:COL: message" line per error found (newline
 * separated); nothing is returned then. Caller frees *out with config_free. */
int config_load_file(const char *path, struct cfg_file **out, char **cause);

/* As config_load_file, for len bytes of YAML at text; name is used as FILE in
 * messages. */
int config_load_string(
    const char *name, const char *text, size_t len, struct cfg_file **out, char **cause);

/* Frees a loaded file; NULL is a no-op. */
void config_free(struct cfg_file *f);

#endif
