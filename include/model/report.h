/*
 * report: the campaign report as a pure model: totals per tweet, per category
 * and overall, unique engaged accounts per bucket, the top engagers, the
 * engagement over time and the CPM savings (DESIGN.md section 5), built from
 * the campaign's settings and tweets documents (store_report.h reads them)
 * and its prepared summary (model/prep.h: everything that comes from
 * engagements and metric slices), and serialized to and from JSON (the json
 * format, and campaigns.frozen). No I/O; any thread, one owner per struct at
 * a time.
 */
#ifndef LW_REPORT_H
#define LW_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"
#include "model/prep.h"
#include "model/sentiment.h"

/* Written into every report and frozen document; bump when a formula or a
 * field's meaning changes. docs/reports.md describes each version. */
#define REPORT_CPM_FORMULA                                                                         \
	"cpm-v1: paid_equivalent = sum(views / 1000 * benchmark_cpm); "                            \
	"savings = paid_equivalent - spend; effective_cpm = spend / (views / 1000)"
#define REPORT_CPM_FORMULA_VER 1
#define REPORT_SCHEMA          "launchwatch-report/1"
#define REPORT_TOP_DEFAULT     20
#define REPORT_CHART_STEPS     240 /* steps an over-time chart draws at most */

/* The six public counts of a tweet, in report order. */
enum rep_metric { RM_VIEWS, RM_LIKES, RM_RETWEETS, RM_REPLIES, RM_QUOTES, RM_BOOKMARKS, RM__COUNT };

/* Returns "views", "likes", "retweets", "replies", "quotes" or "bookmarks". */
const char *rep_metric_name(enum rep_metric m);

/* A set of counts where each may be missing (has[m] false). */
struct rep_values {
	int64_t v[RM__COUNT];
	bool has[RM__COUNT];
};

/* ---- input (strings owned; rep_input_done frees them) -------------------- */

struct rep_in_tweet {
	char tweet_id[LW_ID_MAX];
	enum tweet_category category; /* from the campaign's tweet list */
	char *url;
	char *author;              /* "" when unknown */
	bool missing;              /* deleted or protected */
	struct rep_values metrics; /* latest baseline; all missing before the first reading */
	int64_t metrics_at_ms;     /* 0 when never read */
};

/* What a report is built from besides the prepared summary. */
struct rep_input {
	char campaign_id[CAMPAIGN_ID_MAX];
	char *name;
	char *client;
	char *client_logo;   /* "" or campaign_logo_ok's form */
	char *client_accent; /* "" or #rrggbb */
	int64_t window_start_ms;
	int64_t window_end_ms;
	enum campaign_status status;
	struct cfg_cpm cpm;
	struct cfg_farm farm;
	struct rep_in_tweet *tweets; /* the campaign's listed tweets, in its order */
	size_t ntweets;
};

/* Frees what in owns and zeroes it. */
void rep_input_done(struct rep_input *in);

/* ---- the model ---------------------------------------------------------- */

struct rep_tweet_row {
	char tweet_id[LW_ID_MAX];
	enum tweet_category category;
	char *url;    /* sanitized */
	char *author; /* sanitized, "" when unknown */
	bool missing;
	struct rep_values m;
	int64_t engagements[ACT__COUNT]; /* engagement documents per action */
	int64_t farm_accounts;           /* accounts that engaged it (with report.farm.has) */
	int64_t farm_likely;             /* ... of them likely farmed */
	struct sent_sums sentiment;      /* its replies' and quotes' scores (has_sentiment) */
};

/* A sum over tweets: v[m] adds the known values, nmissing[m] counts tweets
 * without one; has[m] is false only when no tweet has a value. */
struct rep_sum {
	struct rep_values m;
	int64_t nmissing[RM__COUNT];
	int64_t ntweets;
};

/* CPM savings of one category or overall; a has_ flag false means missing
 * (shown as such, never as zero), partial means some views were missing. */
struct rep_cpm {
	bool has_views;
	bool partial;
	int64_t views;
	bool has_benchmark;
	double benchmark_usd;
	bool has_spend; /* false: no spend configured, counted as 0 */
	double spend_usd;
	bool has_paid;
	double paid_equivalent_usd;
	bool has_savings;
	double savings_usd;
	bool has_ecpm;
	double effective_cpm_usd;
};

struct rep_engager {
	char user_id[LW_ID_MAX];
	char *handle;   /* sanitized */
	char *name;     /* sanitized */
	char *evidence; /* sanitized */
	int64_t followers;
	bool verified;
	enum lw_bucket bucket;
	int importance;
	int64_t actions[ACT__COUNT];
	int64_t ntweets; /* distinct tweets engaged */
};

/* One hour or day with data: deltas of the slices in it, cumulative totals
 * up to its end, and new engagements (by created_at, else first_seen_at). */
struct rep_point {
	int64_t t_ms; /* start of the hour or day, UTC */
	int64_t delta[RM__COUNT];
	int64_t cum[RM__COUNT];
	int64_t engagements;
	int64_t cum_engagements;
};

/* What the close-out's final refresh (one last metrics reading and delta
 * walk of every tweet) did before the freeze; ran is false in live reports
 * and when no refresh ran. */
struct rep_refresh {
	bool ran;
	bool complete;    /* every job ran to the end (or its tweet is gone) */
	int64_t at_ms;    /* when it ended */
	int64_t jobs;     /* jobs it had to run (metrics and list jobs) */
	int64_t failed;   /* of them, jobs that failed or were not run */
	int64_t requests; /* provider requests it made */
	char *note;       /* sanitized: what failed and why; "" or NULL when complete */
};

/* The likely-farmed shares (docs/scoring.md section 7); has is false when
 * the summary had no farm data (or the report was frozen before it). */
struct rep_farm {
	bool has;
	int threshold;
	bool cpm_excludes; /* CPM counts each tweet's views times its non-farmed share */
	int64_t likely;    /* unique accounts likely farmed */
	int64_t bucket[BK__COUNT];
};

struct report {
	char campaign_id[CAMPAIGN_ID_MAX];
	char *name;          /* sanitized */
	char *client;        /* sanitized */
	char *client_logo;   /* "" or a logo that passes campaign_logo_ok */
	char *client_accent; /* "" or #rrggbb */
	int64_t window_start_ms;
	int64_t window_end_ms;
	enum campaign_status status;
	bool final;              /* built at close-out (from campaigns.frozen) */
	int64_t generated_at_ms; /* when the model was built (the freeze time when final) */
	int formula_version;
	struct cfg_cpm cpm_settings; /* the benchmark and spend values used */
	struct rep_tweet_row *tweets;
	size_t ntweets;
	struct rep_sum cat[CAT__COUNT];
	struct rep_sum all;
	struct rep_cpm cpm[CAT__COUNT];
	struct rep_cpm cpm_all;
	int64_t bucket_accounts[BK__COUNT];    /* unique accounts, each in one bucket */
	int64_t bucket_engagements[BK__COUNT]; /* engagement documents */
	int64_t unique_accounts;
	int64_t engagements;
	int64_t engagements_by_action[ACT__COUNT];
	struct rep_engager *top; /* by importance, then followers, then handle */
	size_t ntop;
	struct rep_point *hourly;
	size_t nhourly;
	struct rep_point *daily;
	size_t ndaily;
	/* metric deltas per minute that holds any (no engagement counts), kept
	 * only when the data span fits a chart by the quarter hour; absent from
	 * reports frozen before issue 16 */
	struct rep_point *minutes;
	size_t nminutes;
	struct rep_refresh refresh; /* final reports: the final refresh (owns note) */
	/* the change log the numbers cover: the summary's seq, and the log's
	 * head when it was read (higher when an engine was still aggregating
	 * the last entries); 0 and 0 in reports frozen before issue 13 */
	struct rep_farm farm;
	int64_t log_seq;
	int64_t log_head;
	char *log_aggregator; /* sanitized: the engine aggregating when behind, else "" */
	/* the sentiment of replies and quotes (docs/alerts.md section 9), from
	 * <cid>:sentiment; has_sentiment false when no scorer ran */
	bool has_sentiment;
	char sentiment_by[72]; /* "vader 3.3.2" */
	struct sent_sums sentiment_all;
	struct sent_sums sentiment_bucket[BK__COUNT];
};

/* Copies the sentiment sums of st (borrowed) into r: in all, per bucket and
 * per listed tweet (report_sent.c). */
void report_set_sentiment(struct report *r, const struct sent_state *st);
/* Returns r's sentiment as a JSON object, or JSON null when none (new). */
json_t *report_sentiment_json(const struct report *r);
/* Reads the sentiment of a report's JSON (absent or null: none) into r. */
void report_sentiment_from_json(const json_t *j, struct report *r);

/* One engaged account of the full engagers table, made from its prepared
 * account (strings borrowed from it): the bucket and importance of its most
 * important engagement, its engagements per action and the tweets it
 * engaged. */
struct rep_account_row {
	const char *user_id;
	const char *handle;
	enum lw_bucket bucket;
	int importance;
	int64_t followers;
	bool verified;
	int64_t first_at_ms; /* its earliest engagement */
	int64_t actions[ACT__COUNT];
	int64_t ntweets;
};

/* Fills *out from prepared account a (borrowing its strings). */
void report_account_row(const struct prep_account *a, struct rep_account_row *out);

/* Returns true when summary s holds no engagement or slice of a tweet that
 * in does not list (a tweet dropped from the campaign after it gathered
 * data): only then does report_build count listed tweets only. */
bool report_summary_fits(const struct rep_input *in, const struct prep_summary *s);

/* Builds the model of in and its prepared summary s into *out (caller calls
 * report_done), at now_ms, listing at most top engagers (the summary keeps
 * PREP_TOP_MAX). s must fit in (report_summary_fits); it follows the rules
 * the report always had (an account counts once, in the bucket of its most
 * important engagement; engagements and slices by their own time). */
void report_build(const struct rep_input *in, const struct prep_summary *s, int64_t now_ms,
    size_t top, struct report *out);

/* Returns the report's points per minute of summary s (caller frees; NULL
 * and 0 when it has none or they span more than REPORT_CHART_STEPS quarter
 * hours, where the charts draw hours or days). */
struct rep_point *report_minute_points(const struct prep_summary *s, size_t *np);
/* Returns the points r's over-time charts draw (caller frees; never NULL)
 * and their resolution in *res: the finest whose steps from the first data
 * to the report's time (its window's end once over) number at most width;
 * per minute resolutions give every step, quiet ones too; hour and day
 * give r's hourly or daily points. */
struct rep_point *report_chart_points(
    const struct report *r, size_t width, enum res *res, size_t *np);

/* Frees what r owns and zeroes it; a zeroed report is fine. */
void report_done(struct report *r);

/* Computes the CPM of one category from its views and settings (the pure
 * formula, exposed for tests). */
void report_cpm_one(const struct rep_sum *views, bool has_benchmark, double benchmark_usd,
    bool has_spend, double spend_usd, struct rep_cpm *out);

/* ---- likely farmed (model/report_farm.c) ---- */

/* Fills r->farm and the tweets' farm counts from summary s and in's farm
 * settings, and the views CPM counts into cat[] and *all: r's sums, with each
 * tweet's views times its non-farmed share when the campaign excludes
 * likely-farmed accounts (farm.exclude) and s has farm data. */
void report_farm_build(struct report *r, const struct rep_input *in, const struct prep_summary *s,
    struct rep_sum cat[CAT__COUNT], struct rep_sum *all);
/* Adds the farm object (and each tweet's farm counts) to report JSON o when
 * r has farm data, so reports without it keep their shape. */
void report_farm_json(const struct report *r, json_t *o);
/* Reads what report_farm_json wrote from j into r (nothing when absent). */
void report_farm_from_json(struct report *r, const json_t *j);
/* Returns one sentence on the likely-farmed share and whether CPM leaves it
 * out ("Likely farmed: ..."), or NULL without farm data. Caller frees. */
char *report_farm_text(const struct report *r);

/* Returns one sentence about the final refresh of a final report ("Final
 * refresh: ..."), or NULL when none ran. Caller frees. */
char *report_refresh_text(const struct report *r);

/* Returns one sentence saying which change-log entry the numbers cover when
 * they lag the log (an engine was still aggregating its newest entries), or
 * NULL when they cover all of it. Caller frees. */
char *report_log_text(const struct report *r);

/* Returns the model as a new JSON object (the json format and the frozen
 * document; missing values are null). Caller decrefs. */
json_t *report_to_json(const struct report *r);

/* Rebuilds a model from report_to_json's output into *out (caller calls
 * report_done). Returns 0, or -1 with a cause. */
int report_from_json(const json_t *j, struct report *out, char **cause);

#endif
