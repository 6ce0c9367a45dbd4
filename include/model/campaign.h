/*
 * campaign: a campaign's settings (struct cfg_campaign: client, window,
 * tweets by category, cadence, alerts, CPM, as the campaign file gives them;
 * config/ loads and validates them, the store keeps them), a stored campaign
 * (the settings plus what the database adds: id, status, timestamps),
 * deterministic ids, and the status rules for pause, resume and close. Pure;
 * any thread, one owner at a time.
 */
#ifndef LW_CAMPAIGN_H
#define LW_CAMPAIGN_H

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
	char *logo;    /* "", an https:// URL or a data:image/...;base64 URI */
	char *accent;  /* "" or a colour "#rrggbb" */
};

struct cfg_email {
	char **to; /* addresses */
	size_t nto;
	char *smtp_url;     /* smtp:// or smtps:// */
	char *user;         /* "" when absent */
	char *password_ref; /* "env:NAME" or "file:PATH", "" when absent */
	char *from;         /* "address" or "Name <address>", "" when absent */
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
	int64_t quiet_window_s;      /* default 1800 */
	bool has_min_sentiment;      /* min_sentiment was given */
	double min_sentiment;        /* -1..1: a scored engagement below it does not alert */
	bool has_negative_sentiment; /* negative_sentiment was given */
	double negative_sentiment;   /* -1..1: a reply or quote scored at or below it alerts */
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

/* The farm / bot signal's settings (docs/scoring.md section 7). */
struct cfg_farm {
	int threshold; /* farm score from which an account is likely farmed; 0 off; default 60 */
	bool exclude;  /* likely farmed left out of the pie and CPM by default */
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
	struct cfg_farm farm;
};

#define CAMPAIGN_ID_MAX 40 /* slug (up to 24) + '-' + 8 hex digits + NUL, with room */

enum campaign_status { CS_SCHEDULED, CS_ACTIVE, CS_PAUSED, CS_COMPLETED, CS__COUNT };

/* Job kinds, one worker_state document each per campaign x tweet. */
enum job_kind { JOB_METRICS, JOB_RETWEETS, JOB_REPLIES, JOB_QUOTES, JOB__COUNT };

struct campaign {
	char id[CAMPAIGN_ID_MAX];
	enum campaign_status status;
	int64_t created_at_ms;
	int64_t updated_at_ms;
	int64_t completed_at_ms;       /* 0 while not completed */
	int64_t close_requested_at_ms; /* 0 unless a close-out was requested */
	bool closeout_pending;         /* frozen, archive not written yet */
	struct cfg_campaign cfg;       /* owned */
};

/* Returns "scheduled", "active", "paused" or "completed". */
const char *campaign_status_name(enum campaign_status s);
/* Parses a status name; 0 or -1. */
int campaign_status_parse(const char *s, enum campaign_status *out);
/* Returns "metrics", "retweets", "replies" or "quotes". */
const char *job_kind_name(enum job_kind k);

/* Writes the deterministic id of the campaign called name into id: a slug of
 * the name (lower-case ASCII letters and digits, '-' between words, at most 24
 * characters) and 8 hex digits of a hash of the exact name. */
void campaign_make_id(const char *name, char id[CAMPAIGN_ID_MAX]);

/* Returns the status a new campaign gets at now_ms: scheduled before its
 * window starts, active from then on (the report job closes it at the end). */
enum campaign_status campaign_initial_status(const struct cfg_campaign *c, int64_t now_ms);

/* Returns a fingerprint of every setting in c (stable across runs), used to
 * tell an unchanged re-add from an update. Caller frees. */
char *campaign_settings_hash(const struct cfg_campaign *c);

/* Returns true when s is a usable client logo: an https:// URL of at most
 * 2,000 bytes without spaces, quotes, angle brackets or control
 * characters, or a data:image/TYPE;base64, URI (CLIENT_LOGO_MAX bytes). */
bool campaign_logo_ok(const char *s);
/* Returns true when s is an accent colour "#rrggbb". */
bool campaign_accent_ok(const char *s);
/* The largest logo file a campaign file may name (it is embedded). */
#define CLIENT_LOGO_FILE_MAX (256 * 1024)
#define CLIENT_LOGO_MAX      (CLIENT_LOGO_FILE_MAX / 3 * 4 + 64)

/* Frees everything the settings c own and zeroes them: the one free of a
 * campaign's settings, whether config_load_file or the store built them. */
void cfg_campaign_done(struct cfg_campaign *c);

/* Fills *dst with a deep copy of settings src (dst's old contents are not
 * freed); free it with cfg_campaign_done. */
void cfg_campaign_copy(struct cfg_campaign *dst, const struct cfg_campaign *src);

/* Frees what a stored campaign owns and zeroes it. */
void campaign_done(struct campaign *c);

#endif
