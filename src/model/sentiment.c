/*
 * sentiment: a campaign's sentiment sums (include/model/sentiment.h). Pure;
 * one owner at a time, any thread.
 */
#include "model/sentiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void
sent_sums_add(struct sent_sums *s, bool scored, double score)
{
	if (!scored) {
		s->not_scored++;
		return;
	}
	s->count++;
	s->sum += score;
	if (score >= SENT_POSITIVE)
		s->positive++;
	else if (score <= SENT_NEGATIVE)
		s->negative++;
	else
		s->neutral++;
}

/* Returns tweet_id's entry of st, adding it when absent. */
static struct sent_tweet *
tweet_of(struct sent_state *st, const char *tweet_id)
{
	for (size_t i = 0; i < st->ntweets; i++)
		if (strcmp(st->tweets[i].tweet_id, tweet_id) == 0)
			return &st->tweets[i];
	st->tweets = xreallocarray(st->tweets, st->ntweets + 1, sizeof *st->tweets);
	struct sent_tweet *t = &st->tweets[st->ntweets++];
	memset(t, 0, sizeof *t);
	snprintf(t->tweet_id, sizeof t->tweet_id, "%s", tweet_id);
	return t;
}

void
sent_state_add(
    struct sent_state *st, const char *tweet_id, enum lw_bucket b, bool scored, double score)
{
	sent_sums_add(&st->total, scored, score);
	if ((int)b >= 0 && b < BK__COUNT)
		sent_sums_add(&st->bucket[b], scored, score);
	sent_sums_add(&tweet_of(st, tweet_id)->s, scored, score);
}

const struct sent_sums *
sent_state_tweet(const struct sent_state *st, const char *tweet_id)
{
	for (size_t i = 0; st && i < st->ntweets; i++)
		if (strcmp(st->tweets[i].tweet_id, tweet_id) == 0)
			return &st->tweets[i].s;
	return NULL;
}

bool
sent_sums_mean(const struct sent_sums *s, double *mean)
{
	if (s == NULL || s->count <= 0)
		return false;
	*mean = s->sum / (double)s->count;
	return true;
}

void
sent_sums_text(const struct sent_sums *s, char *buf, size_t size)
{
	double m;
	if (!sent_sums_mean(s, &m))
		snprintf(buf, size, "not scored");
	else
		snprintf(buf, size, "%+.2f (%lld)", m, (long long)s->count);
}

void
sent_state_done(struct sent_state *st)
{
	free(st->tweets);
	memset(st, 0, sizeof *st);
}
