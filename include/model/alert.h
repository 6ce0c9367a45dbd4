/*
 * alert: the pure model of alerting (docs/alerts.md). It owns a campaign's
 * compiled alert rules and channel settings, the candidate built from a new
 * engagement (sanitized copies of its external text), rule matching (watched
 * handles always alert), the deterministic fingerprint `_id` of an
 * alerts_sent document, the dedupe decision, the digest timing and the retry
 * backoff. No I/O and no clock reads: every time is an argument. Any thread,
 * one owner per value.
 */
#ifndef LW_ALERT_H
#define LW_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"

/* Bytes of an alerts_sent `_id`, NUL included (campaign:tweet:user:action:channel:slot). */
#define ALERT_ID_MAX 160

/* Where an alert goes; one alerts_sent document per channel. */
enum alert_channel { ALERT_SLACK, ALERT_EMAIL, ALERT__CHANNELS };

/* Returns "slack" or "email". */
const char *alert_channel_name(enum alert_channel c);

/* How an alert's delivery went, as alerts_sent.status holds it: "sent" (or
 * no status), "pending", or "failed: why". */
enum alert_delivery { ALERT_SENT, ALERT_PENDING, ALERT_FAILED, ALERT__DELIVERIES };

/* Returns "sent", "pending" or "failed". */
const char *alert_delivery_name(enum alert_delivery d);
/* Parses a stored status by its first word ("failed...", "pending...", and
 * anything else, "" included, is sent); a failed one's reason (after
 * "failed" and ": ") goes to *why as a new string, NULL when there is
 * none (why may be NULL). */
enum alert_delivery alert_delivery_parse(const char *s, char **why);
/* Writes the status as stored and shown ("sent", "pending", "failed" or
 * "failed: why") into buf of size bytes; returns buf. */
const char *alert_delivery_format(enum alert_delivery d, const char *why, char *buf, size_t size);

/* A campaign's rules, compiled from its cfg_alerts (owned copies). */
struct alert_rules {
	int min_importance;          /* 0..100 */
	unsigned buckets;            /* bit (1u << enum lw_bucket); 0 means all */
	unsigned actions;            /* bit (1u << enum lw_action); 0 means all */
	unsigned categories;         /* bit (1u << enum tweet_category); 0 means all */
	char **watch;                /* lower-case handles without '@'; always alert */
	size_t nwatch;               /* entries in watch */
	bool has_min_sentiment;      /* alerts.min_sentiment was given */
	double min_sentiment;        /* a scored engagement below this does not alert */
	bool has_negative_sentiment; /* alerts.negative_sentiment was given */
	double negative_sentiment;   /* a reply or quote scored at or below this alerts */
	int64_t quiet_window_ms;     /* no repeat of one fingerprint inside it; 0: once ever */
	int farm_threshold;          /* farm.threshold: a farm score from it skips; 0 off */
};

/* One tracked tweet of a campaign, for categories and links. */
struct alert_tweet {
	char id[LW_ID_MAX];
	enum tweet_category category;
	char *url; /* as configured (may be a bare id), owned */
};

/* What the alert worker needs of a campaign: rules, channels (secret
 * references only, never secrets) and its tweets. Built by
 * alert_campaign_init, freed by alert_campaign_done. */
struct alert_campaign {
	char id[CAMPAIGN_ID_MAX];
	char *name; /* sanitized for messages */
	struct alert_rules rules;
	struct alert_tweet *tweets;
	size_t ntweets;
	char *slack_ref; /* "env:NAME" / "file:PATH"; "" when Slack is off */
	bool has_email;
	char **email_to;
	size_t nemail_to;
	char *smtp_url;
	char *smtp_user;
	char *smtp_password_ref; /* "" when none */
	char *mail_from;         /* alerts.email.from as written, "" when none */
	uint64_t channels_hash;  /* changes when any channel setting changes */
};

/* Fills out from campaign id and its settings c (deep copies; c is
 * borrowed). */
void alert_campaign_init(struct alert_campaign *out, const char *id, const struct cfg_campaign *c);
/* Frees what a campaign owns and zeroes it. */
void alert_campaign_done(struct alert_campaign *a);
/* Splits a From setting, "address" or "Display Name <address>" (the name
 * may be quoted), into the display name (new string, sanitized, "" when
 * none) and the address (new string, unchecked: see notify_addr_ok); -1
 * with nothing allocated when spec has neither form. Pure. */
int alert_from_split(const char *spec, char **name, char **addr);
/* Returns true when channel ch is configured for a. */
bool alert_campaign_has_channel(const struct alert_campaign *a, enum alert_channel ch);
/* Returns the tweet of a with id tweet_id, or NULL (borrowed). */
const struct alert_tweet *alert_campaign_tweet(
    const struct alert_campaign *a, const char *tweet_id);

/* A new engagement offered for alerting, with its external text already
 * sanitized (text_sanitize). Owned by its holder; alert_candidate_done frees
 * it. */
struct alert_candidate {
	char campaign_id[CAMPAIGN_ID_MAX];
	char tweet_id[LW_ID_MAX];
	char user_id[LW_ID_MAX];
	char ref_id[LW_ID_MAX]; /* the newest reply or quote tweet id; "" for retweets */
	int category;           /* enum tweet_category, or -1 when unknown */
	enum lw_action action;
	enum lw_bucket bucket;
	int importance;
	char *handle;   /* without '@', sanitized */
	char *name;     /* sanitized */
	char *evidence; /* sanitized; "" when none */
	char *text;     /* reply or quote text, sanitized; "" for retweets */
	int64_t followers;
	int64_t event_ms; /* first_seen_at (else created_at, else when offered): picks the slot */
	bool has_sentiment;
	double sentiment; /* -1..1 once an external scorer has set it */
	int farm_score;   /* the static farm score of the record (model/farm.h); -1 unknown */
	bool watched;     /* set by alert_match */
	int64_t log_seq;  /* the change-log entry that announced it (0: none) */
};

/* Fills out from engagement e (deep, sanitized copies; e is borrowed);
 * now_ms stands in for a missing first_seen_at. */
void alert_candidate_from_engagement(
    struct alert_candidate *out, const struct lw_engagement *e, int64_t now_ms);
struct prep_eng;
/* Fills out from record r of a change-log entry of campaign campaign_id
 * (sanitized copies; r is borrowed): everything the rules need, the name
 * and the reply or quote snippet as text; the event time is r's
 * first_seen_at (else its at). log_seq stays 0 for the caller to set. */
void alert_candidate_from_record(
    struct alert_candidate *out, const char *campaign_id, const struct prep_eng *r);
/* Completes c with what a message needs from its stored engagement e
 * (borrowed; sanitized copies): the full name, the evidence, the full text,
 * the newest reply or quote id and the sentiment. Identity, rule inputs and
 * the event time stay c's. */
void alert_candidate_add_details(struct alert_candidate *c, const struct lw_engagement *e);
/* Deep-copies src into dst. */
void alert_candidate_copy(struct alert_candidate *dst, const struct alert_candidate *src);
/* Frees what c owns and zeroes it. */
void alert_candidate_done(struct alert_candidate *c);

/* Why a candidate alerts (or which rule stopped it). */
enum alert_verdict {
	ALERT_MATCH_WATCHED,   /* a watched handle: always alerts */
	ALERT_MATCH_RULES,     /* passed every rule */
	ALERT_SKIP_IMPORTANCE, /* below min_importance */
	ALERT_SKIP_BUCKET,     /* bucket not listed */
	ALERT_SKIP_ACTION,     /* action not listed */
	ALERT_SKIP_CATEGORY,   /* tweet category not listed (or tweet unknown) */
	ALERT_SKIP_SENTIMENT,  /* scored below min_sentiment */
	ALERT_SKIP_FARM,       /* likely farmed: farm score >= farm.threshold */
	ALERT_MATCH_NEGATIVE,  /* a reply or quote scored at or below negative_sentiment */
	ALERT__VERDICTS
};

/* Returns a short name for v ("watched", "rules", "importance", ...). */
const char *alert_verdict_name(enum alert_verdict v);
/* Returns true when v means the candidate alerts. */
bool alert_verdict_alerts(enum alert_verdict v);

/* Matches c against the rules of a (the rules table in alert.c, in order);
 * sets c->watched and fills c->category from a's tweets when unknown. A
 * reply or quote scored at or below negative_sentiment alerts
 * (ALERT_MATCH_NEGATIVE) when no other rule lets it. */
enum alert_verdict alert_match(const struct alert_campaign *a, struct alert_candidate *c);

/* Returns true when a's sentiment keys could change c's verdict once its
 * engagement is scored: a reply or quote of a campaign with
 * negative_sentiment or min_sentiment set. */
bool alert_wants_score(const struct alert_rules *r, const struct alert_candidate *c);

/* Returns the quiet-window slot of event_ms: event_ms / quiet_window_ms
 * (floor), or 0 when the window is 0. */
int64_t alert_slot(int64_t event_ms, int64_t quiet_window_ms);

/* Writes the deterministic `_id` of the alerts_sent document of c on channel
 * ch in slot: "CAMPAIGN:TWEET:USER:ACTION:CHANNEL:SLOT" (every part is digits
 * or a fixed name, so distinct fingerprints never collide). */
void alert_fingerprint(
    const struct alert_candidate *c, enum alert_channel ch, int64_t slot, char out[ALERT_ID_MAX]);

/* The dedupe decision: given the event times of earlier sends of the same
 * fingerprint (any slot), returns true when an alert at event_ms must be
 * sent: no earlier send lies less than quiet_window_ms away (with a window of
 * 0, any earlier send suppresses). Pure. */
bool alert_should_send(
    const int64_t *prior_event_ms, size_t nprior, int64_t event_ms, int64_t quiet_window_ms);

/* Digest timing (Alertmanager's group_wait and group_interval): returns when
 * a channel's pending group is due: at least wait_ms after its oldest pending
 * alert arrived and at least interval_ms after the channel's previous
 * message (last_sent_ms 0 when none). Pure. */
int64_t alert_group_due(
    int64_t oldest_pending_ms, int64_t last_sent_ms, int64_t wait_ms, int64_t interval_ms);

/* Retry delay after the attempt-th failure (1 for the first): base_ms doubled
 * per attempt, capped at cap_ms, with jitter drawn from rnd in [d/2, d];
 * never shorter than retry_after_s when that is >= 0 (a 429). Pure. */
int64_t alert_backoff_ms(
    int attempt, int retry_after_s, int64_t base_ms, int64_t cap_ms, uint64_t rnd);

#endif
