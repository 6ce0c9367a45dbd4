/*
 * event: names of actions and buckets, the engagement key, and freeing of
 * event values. Pure; any thread.
 */
#include "model/event.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const action_names[ACT__COUNT] = {"retweet", "reply", "quote"};
static const char *const bucket_names[BK__COUNT] = {
    "investor", "founder", "ai", "developer", "media", "other"};

const char *
action_name(enum lw_action a)
{
	return (unsigned)a < ACT__COUNT ? action_names[a] : "?";
}

int
action_parse(const char *s, enum lw_action *out)
{
	int i = str_index(action_names, ACT__COUNT, s);
	if (i >= 0)
		*out = (enum lw_action)i;
	return i >= 0 ? 0 : -1;
}

const char *
bucket_name(enum lw_bucket b)
{
	return (unsigned)b < BK__COUNT ? bucket_names[b] : "?";
}

int
bucket_parse(const char *s, enum lw_bucket *out)
{
	int i = str_index(bucket_names, BK__COUNT, s);
	if (i >= 0)
		*out = (enum lw_bucket)i;
	return i >= 0 ? 0 : -1;
}

void
lw_user_done(struct lw_user *u)
{
	free(u->handle);
	free(u->name);
	free(u->bio);
	memset(u, 0, sizeof *u);
}

void
lw_user_copy(struct lw_user *dst, const struct lw_user *src)
{
	*dst = *src;
	dst->handle = xstrdup(src->handle);
	dst->name = xstrdup(src->name);
	dst->bio = xstrdup(src->bio);
}

void
lw_tweet_done(struct lw_tweet *t)
{
	free(t->text);
	lw_user_done(&t->author);
	memset(t, 0, sizeof *t);
}

char *
lw_engagement_key(
    const char *campaign_id, const char *tweet_id, const char *user_id, enum lw_action action)
{
	return xasprintf("%s:%s:%s:%s", campaign_id, tweet_id, user_id, action_name(action));
}

void
lw_engagement_done(struct lw_engagement *e)
{
	lw_user_done(&e->user);
	free(e->evidence);
	free(e->text);
	for (size_t i = 0; i < e->nref; i++)
		free(e->ref_ids[i]);
	free(e->ref_ids);
	memset(e, 0, sizeof *e);
}

void
event_batch_free(struct event_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->neng; i++)
		lw_engagement_done(&b->eng[i]);
	free(b->eng);
	free(b->slices);
	free(b);
}
