/*
 * xapi_parse: pure functions from a provider response body to plain C
 * structs, and the classification of an HTTP status plus body. jansson values
 * are created and released inside each function and never escape it. Ids
 * arrive as strings or integers and are kept as digit strings (never through
 * a double). Any thread.
 */
#include "provider/xapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/text.h"
#include "base/util.h"

#define MSG_MAX 200 /* bytes of provider text kept in a message */

/* Parses body as JSON and requires an object; returns it (caller decrefs) or NULL. */
static json_t *
load_object(const char *body, size_t len, char **cause)
{
	json_error_t err;
	if (body == NULL) {
		set_cause(cause, "empty body");
		return NULL;
	}
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (root == NULL) {
		char *safe = text_sanitize(err.text, strlen(err.text), MSG_MAX);
		set_cause(cause, "not JSON (%s at byte %d)", safe, err.position);
		free(safe);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		set_cause(cause, "JSON is not an object");
		return NULL;
	}
	return root;
}

/* Returns a sanitized copy of the first of message/msg/error/detail that is a
 * non-empty string in o, or NULL. */
static char *
envelope_message(json_t *o)
{
	static const char *const keys[] = {"message", "msg", "error", "detail"};
	for (size_t i = 0; i < LW_ARRAY_LEN(keys); i++) {
		const char *s = json_string_value(json_object_get(o, keys[i]));
		if (s != NULL && *s != '\0')
			return text_sanitize(s, strlen(s), MSG_MAX);
	}
	return NULL;
}

/* Fails (returns -1 with cause) when o carries status "error"; notes whether a
 * status field was present. */
static int
check_status(json_t *o, bool *had_status, char **cause)
{
	json_t *st = json_object_get(o, "status");
	if (had_status != NULL)
		*had_status = st != NULL && !json_is_null(st);
	const char *s = json_string_value(st);
	if (s != NULL && strcasecmp(s, "error") == 0) {
		char *msg = envelope_message(o);
		set_cause(cause, "provider error: %s", msg != NULL ? msg : "(no message)");
		free(msg);
		return -1;
	}
	return 0;
}

/* Copies an id given as a digit string or a JSON integer into id; 0 or -1. */
static int
get_id(json_t *v, char id[LW_ID_MAX])
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (n == 0 || n >= LW_ID_MAX || strlen(s) != n || !str_is_digits(s))
			return -1;
		memcpy(id, s, n + 1);
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(id, LW_ID_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	return -1;
}

/* Returns a count given as an integer, a whole real or a digit string, or def. */
static int64_t
get_count(json_t *v, int64_t def)
{
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d >= -9.0e18 && d <= 9.0e18)
			return (int64_t)d;
		return def;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		long long n = strtoll(s, &end, 10);
		if (*s != '\0' && end != NULL && *end == '\0')
			return n;
	}
	return def;
}

/* Returns a copy of a string field (length-preserving up to a NUL), or "". */
static char *
get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return xstrdup("");
	return xstrndup(json_string_value(v), json_string_length(v));
}

/* Returns true for a JSON true, a non-zero integer, or the string "true". */
static bool
get_bool(json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	const char *s = json_string_value(v);
	return s != NULL && strcasecmp(s, "true") == 0;
}

/* Returns what a User object says of its profile picture: default when
 * profilePicture (or the legacy profile_image_url_https) is null, empty or a
 * default_profile image, custom for another string, unknown when absent. */
static uint8_t
avatar_of(json_t *o)
{
	json_t *p = json_object_get(o, "profilePicture");
	if (p == NULL)
		p = json_object_get(o, "profile_image_url_https");
	if (p == NULL)
		return AV_UNKNOWN;
	const char *v = json_string_value(p);
	if (v == NULL || *v == '\0' || strstr(v, "default_profile") != NULL)
		return AV_DEFAULT;
	return AV_CUSTOM;
}

/* Fills u from a provider User object; 0, or -1 when it has no usable id. */
static int
user_from_json(json_t *o, struct lw_user *u)
{
	memset(u, 0, sizeof *u);
	if (!json_is_object(o))
		return -1;
	if (get_id(json_object_get(o, "id"), u->id) != 0 &&
	    get_id(json_object_get(o, "id_str"), u->id) != 0 /* legacy shape */)
		return -1;
	u->handle = get_str(o, "userName");
	if (*u->handle == '\0') {
		free(u->handle);
		u->handle = get_str(o, "screen_name");
	}
	u->name = get_str(o, "name");
	u->bio = get_str(o, "description");
	if (*u->bio == '\0') {
		json_t *pb = json_object_get(json_object_get(o, "profile_bio"), "description");
		if (json_is_string(pb)) {
			free(u->bio);
			u->bio = xstrndup(json_string_value(pb), json_string_length(pb));
		}
	}
	json_t *f = json_object_get(o, "followers");
	u->followers = get_count(f != NULL ? f : json_object_get(o, "followers_count"), 0);
	json_t *g = json_object_get(o, "following");
	u->following = get_count(g != NULL ? g : json_object_get(o, "following_count"), 0);
	const char *vt = json_string_value(json_object_get(o, "verifiedType"));
	u->verified = get_bool(json_object_get(o, "isBlueVerified")) ||
	              get_bool(json_object_get(o, "isVerified")) ||
	              get_bool(json_object_get(o, "verified")) || (vt != NULL && *vt != '\0');
	u->unavailable = get_bool(json_object_get(o, "unavailable"));
	const char *ca = json_string_value(json_object_get(o, "createdAt"));
	if (ca == NULL || xapi_parse_time(ca, &u->created_at_ms) != 0 || u->created_at_ms < 0)
		u->created_at_ms = 0; /* missing or malformed: no age signal */
	u->avatar = avatar_of(o);
	return 0;
}

/* Fills an author-less placeholder user (all strings ""). */
static void
user_blank(struct lw_user *u)
{
	memset(u, 0, sizeof *u);
	u->handle = xstrdup("");
	u->name = xstrdup("");
	u->bio = xstrdup("");
}

/* Fills t from a provider Tweet object; 0, or -1 when it has no usable id. */
static int
tweet_from_json(json_t *o, struct lw_tweet *t)
{
	memset(t, 0, sizeof *t);
	if (!json_is_object(o) || get_id(json_object_get(o, "id"), t->id) != 0)
		return -1;
	t->text = get_str(o, "text");
	const char *lang = json_string_value(json_object_get(o, "lang"));
	if (lang != NULL && strlen(lang) < sizeof t->lang &&
	    strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == strlen(lang))
		snprintf(t->lang, sizeof t->lang, "%s", lang);
	const char *ca = json_string_value(json_object_get(o, "createdAt"));
	if (ca == NULL || xapi_parse_time(ca, &t->created_at_ms) != 0)
		t->created_at_ms = 0;
	t->metrics.likes = get_count(json_object_get(o, "likeCount"), -1);
	t->metrics.retweets = get_count(json_object_get(o, "retweetCount"), -1);
	t->metrics.replies = get_count(json_object_get(o, "replyCount"), -1);
	t->metrics.quotes = get_count(json_object_get(o, "quoteCount"), -1);
	t->metrics.views = get_count(json_object_get(o, "viewCount"), -1);
	t->metrics.bookmarks = get_count(json_object_get(o, "bookmarkCount"), -1);
	if (user_from_json(json_object_get(o, "author"), &t->author) != 0) {
		lw_user_done(&t->author);
		user_blank(&t->author);
	}
	if (get_id(json_object_get(o, "inReplyToId"), t->in_reply_to_id) != 0)
		t->in_reply_to_id[0] = '\0';
	json_t *q = json_object_get(o, "quoted_tweet");
	if (!json_is_object(q) || get_id(json_object_get(q, "id"), t->quoted_id) != 0)
		t->quoted_id[0] = '\0';
	return 0;
}

/* Reads has_next_page and next_cursor into p. */
static void
page_paging(json_t *root, struct xapi_page *p)
{
	p->has_next_page = get_bool(json_object_get(root, "has_next_page"));
	json_t *c = json_object_get(root, "next_cursor");
	p->next_cursor =
	    json_is_string(c) ? xstrndup(json_string_value(c), json_string_length(c)) : xstrdup("");
}

int
xapi_parse_tweets_page(const char *body, size_t len, struct xapi_page *out, char **cause)
{
	memset(out, 0, sizeof *out);
	json_t *root = load_object(body, len, cause);
	if (root == NULL)
		return -1;
	if (check_status(root, &out->had_status, cause) != 0)
		goto fail;
	json_t *arr = json_object_get(root, "tweets");
	if (!json_is_array(arr))
		arr = json_object_get(root, "replies");
	if (!json_is_array(arr)) {
		json_t *t = json_object_get(root, "tweets");
		json_t *r = json_object_get(root, "replies");
		if (!(json_is_null(t) || json_is_null(r))) {
			set_cause(cause, "no tweets or replies array in the response");
			goto fail;
		}
		arr = NULL; /* explicit null: an empty page */
	}
	size_t n = json_array_size(arr);
	out->tweets = xcalloc(n ? n : 1, sizeof *out->tweets);
	for (size_t i = 0; i < n; i++) {
		if (tweet_from_json(json_array_get(arr, i), &out->tweets[out->n_tweets]) != 0) {
			lw_tweet_done(&out->tweets[out->n_tweets]);
			out->n_skipped++;
			continue;
		}
		out->n_tweets++;
	}
	page_paging(root, out);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	xapi_page_done(out);
	return -1;
}

int
xapi_parse_users_page(const char *body, size_t len, struct xapi_page *out, char **cause)
{
	memset(out, 0, sizeof *out);
	json_t *root = load_object(body, len, cause);
	if (root == NULL)
		return -1;
	if (check_status(root, &out->had_status, cause) != 0)
		goto fail;
	json_t *arr = json_object_get(root, "users");
	if (!json_is_array(arr) && !json_is_null(arr)) {
		set_cause(cause, "no users array in the response");
		goto fail;
	}
	size_t n = json_array_size(arr);
	out->users = xcalloc(n ? n : 1, sizeof *out->users);
	for (size_t i = 0; i < n; i++) {
		if (user_from_json(json_array_get(arr, i), &out->users[out->n_users]) != 0) {
			lw_user_done(&out->users[out->n_users]);
			out->n_skipped++;
			continue;
		}
		out->n_users++;
	}
	page_paging(root, out);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	xapi_page_done(out);
	return -1;
}

int
xapi_parse_user_info(const char *body, size_t len, struct lw_user *out, char **cause)
{
	memset(out, 0, sizeof *out);
	json_t *root = load_object(body, len, cause);
	if (root == NULL)
		return -1;
	if (check_status(root, NULL, cause) != 0)
		goto fail;
	if (user_from_json(json_object_get(root, "data"), out) != 0) {
		lw_user_done(out);
		set_cause(cause, "no user in the response");
		goto fail;
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	return -1;
}

int
xapi_parse_balance(const char *body, size_t len, struct xapi_balance *out, char **cause)
{
	memset(out, 0, sizeof *out);
	json_t *root = load_object(body, len, cause);
	if (root == NULL)
		return -1;
	if (check_status(root, NULL, cause) != 0)
		goto fail;
	json_t *data = json_object_get(root, "data"); /* tolerate a wrapped shape */
	json_t *o = json_object_get(root, "recharge_credits") != NULL ? root : data;
	out->recharge_credits = get_count(json_object_get(o, "recharge_credits"), -1);
	if (out->recharge_credits < 0) {
		set_cause(cause, "no recharge_credits in the response");
		goto fail;
	}
	out->bonus_credits = get_count(json_object_get(o, "total_bonus_credits"), 0);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	return -1;
}

int
xapi_parse_tweet(const char *body, size_t len, struct lw_tweet *out, char **cause)
{
	memset(out, 0, sizeof *out);
	json_t *root = load_object(body, len, cause);
	if (root == NULL)
		return -1;
	int rc = tweet_from_json(root, out);
	if (rc != 0) {
		lw_tweet_done(out);
		set_cause(cause, "tweet has no usable id");
	}
	json_decref(root);
	return rc;
}

void
xapi_page_done(struct xapi_page *p)
{
	for (size_t i = 0; i < p->n_users; i++)
		lw_user_done(&p->users[i]);
	for (size_t i = 0; i < p->n_tweets; i++)
		lw_tweet_done(&p->tweets[i]);
	free(p->users);
	free(p->tweets);
	free(p->next_cursor);
	memset(p, 0, sizeof *p);
}

/* Returns true when s contains "cursor" in any case. */
static bool
mentions_cursor(const char *s)
{
	return s != NULL && strcasestr(s, "cursor") != NULL;
}

/* Maps a non-200 HTTP status to a class; one row per status range. */
static const struct {
	long lo, hi;
	enum xapi_class cls;
} status_classes[] = {
    {401, 401, XAPI_AUTH},
    {403, 403, XAPI_AUTH},
    {402, 402, XAPI_CREDITS},
    {408, 408, XAPI_TRANSIENT},
    {429, 429, XAPI_RATE_LIMIT},
    {500, 599, XAPI_TRANSIENT},
};

enum xapi_class
xapi_classify(long status, const char *body, size_t len, char **message)
{
	enum xapi_class cls = XAPI_BAD_RESPONSE;
	char *msg = NULL;
	char *cause = NULL;
	json_t *root = load_object(body, len, &cause);
	free(cause);
	if (root != NULL)
		msg = envelope_message(root);
	if (status == 200) {
		const char *st = root ? json_string_value(json_object_get(root, "status")) : NULL;
		if (root == NULL)
			cls = XAPI_BAD_RESPONSE;
		else if (st != NULL && strcasecmp(st, "error") == 0)
			cls = mentions_cursor(msg) ? XAPI_CURSOR : XAPI_BAD_RESPONSE;
		else
			cls = XAPI_OK;
	} else if (status == 400 && mentions_cursor(msg)) {
		cls = XAPI_CURSOR;
	} else {
		for (size_t i = 0; i < LW_ARRAY_LEN(status_classes); i++)
			if (status >= status_classes[i].lo && status <= status_classes[i].hi)
				cls = status_classes[i].cls;
	}
	json_decref(root);
	if (message != NULL)
		*message = msg;
	else
		free(msg);
	return cls;
}

static const char *const month_names[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int
xapi_parse_time(const char *s, int64_t *ms)
{
	char wday[4], mon[4], zone[6];
	int day, hh, mm, ss, year, used = 0;
	struct tm tm = {0};
	if (sscanf(s, "%3s %3s %d %d:%d:%d %5s %d%n", wday, mon, &day, &hh, &mm, &ss, zone, &year,
	        &used) == 8 &&
	    s[used] == '\0') {
		int m = -1;
		for (int i = 0; i < 12; i++)
			if (strcmp(mon, month_names[i]) == 0)
				m = i;
		if (m < 0 || (zone[0] != '+' && zone[0] != '-') || strlen(zone) != 5 ||
		    !isdigit((unsigned char)zone[1]) || !isdigit((unsigned char)zone[2]) ||
		    !isdigit((unsigned char)zone[3]) || !isdigit((unsigned char)zone[4]))
			return -1;
		int off = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
		          ((zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
		if (zone[0] == '-')
			off = -off;
		tm.tm_mon = m;
		tm.tm_mday = day;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_year = year - 1900;
		if (day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
		    ss > 60 || year < 1970 || year > 9999)
			return -1;
		*ms = ((int64_t)timegm(&tm) - off) * 1000;
		return 0;
	}
	/* ISO 8601 fallback: 2024-12-10T07:00:30(.000)Z */
	int frac = 0;
	used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &tm.tm_mon, &day, &hh, &mm, &ss, &used) ==
	    6) {
		const char *p = s + used;
		if (*p == '.') {
			p++;
			int digits = 0;
			while (isdigit((unsigned char)*p)) {
				if (digits < 3)
					frac = frac * 10 + (*p - '0');
				digits++;
				p++;
			}
			for (; digits < 3; digits++)
				frac *= 10;
		}
		if (strcmp(p, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || day < 1 || day > 31 ||
		    hh > 23 || mm > 59 || ss > 60 || year < 1970)
			return -1;
		tm.tm_mon -= 1;
		tm.tm_mday = day;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_year = year - 1900;
		*ms = (int64_t)timegm(&tm) * 1000 + frac;
		return 0;
	}
	return -1;
}

void
xapi_format_time(int64_t ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%s %s %02d %02d:%02d:%02d +0000 %04d", day_names[tm.tm_wday % 7],
	    month_names[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_year + 1900);
}
