/*
 * report_sent: the sentiment part of the report model (include/model/
 * report.h, docs/alerts.md section 9): the campaign's sums copied in, and
 * their JSON form in frozen and JSON reports. Pure; any thread.
 */
#include <stdio.h>
#include <string.h>

#include "model/report.h"

void
report_set_sentiment(struct report *r, const struct sent_state *st)
{
	r->has_sentiment = st != NULL && (st->total.count > 0 || st->total.not_scored > 0);
	if (!r->has_sentiment)
		return;
	snprintf(r->sentiment_by, sizeof r->sentiment_by, "%s %s", st->scorer, st->version);
	r->sentiment_all = st->total;
	memcpy(r->sentiment_bucket, st->bucket, sizeof r->sentiment_bucket);
	for (size_t i = 0; i < r->ntweets; i++) {
		const struct sent_sums *s = sent_state_tweet(st, r->tweets[i].tweet_id);
		if (s != NULL)
			r->tweets[i].sentiment = *s;
	}
}

/* The JSON names of struct sent_sums' fields. */
static const char *const KEYS[] = {
    "scored", "sum", "positive", "neutral", "negative", "not_scored"};

/* Returns s as a JSON object (with its mean when any was scored). */
static json_t *
sums_json(const struct sent_sums *s)
{
	double m;
	json_t *o = json_pack("{s:I, s:f, s:I, s:I, s:I, s:I}", KEYS[0], (json_int_t)s->count,
	    KEYS[1], s->sum, KEYS[2], (json_int_t)s->positive, KEYS[3], (json_int_t)s->neutral,
	    KEYS[4], (json_int_t)s->negative, KEYS[5], (json_int_t)s->not_scored);
	json_object_set_new(o, "mean", sent_sums_mean(s, &m) ? json_real(m) : json_null());
	return o;
}

/* Reads a sums object (absent: zeros) into *s. */
static void
sums_from(const json_t *o, struct sent_sums *s)
{
	memset(s, 0, sizeof *s);
	int64_t *ints[] = {
	    &s->count, NULL, &s->positive, &s->neutral, &s->negative, &s->not_scored};
	for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++) {
		const json_t *v = json_object_get(o, KEYS[k]);
		if (ints[k] != NULL && json_is_integer(v))
			*ints[k] = (int64_t)json_integer_value(v);
		else if (ints[k] == NULL && json_is_number(v))
			s->sum = json_number_value(v);
	}
}

json_t *
report_sentiment_json(const struct report *r)
{
	if (!r->has_sentiment)
		return json_null();
	json_t *o = json_object(), *b = json_object(), *t = json_object();
	json_object_set_new(o, "scorer", json_string(r->sentiment_by));
	json_object_set_new(o, "overall", sums_json(&r->sentiment_all));
	for (int k = 0; k < BK__COUNT; k++)
		json_object_set_new(
		    b, bucket_name((enum lw_bucket)k), sums_json(&r->sentiment_bucket[k]));
	json_object_set_new(o, "buckets", b);
	for (size_t i = 0; i < r->ntweets; i++)
		json_object_set_new(t, r->tweets[i].tweet_id, sums_json(&r->tweets[i].sentiment));
	json_object_set_new(o, "tweets", t);
	return o;
}

void
report_sentiment_from_json(const json_t *j, struct report *r)
{
	r->has_sentiment = json_is_object(j);
	if (!r->has_sentiment)
		return;
	const char *by = json_string_value(json_object_get(j, "scorer"));
	snprintf(r->sentiment_by, sizeof r->sentiment_by, "%s", by ? by : "");
	sums_from(json_object_get(j, "overall"), &r->sentiment_all);
	const json_t *b = json_object_get(j, "buckets"), *t = json_object_get(j, "tweets");
	for (int k = 0; k < BK__COUNT; k++)
		sums_from(
		    json_object_get(b, bucket_name((enum lw_bucket)k)), &r->sentiment_bucket[k]);
	for (size_t i = 0; i < r->ntweets; i++)
		sums_from(json_object_get(t, r->tweets[i].tweet_id), &r->tweets[i].sentiment);
}
