/*
 * report_farm: the likely-farmed part of the report model
 * (include/model/report.h): the shares per tweet and per bucket taken from
 * the prepared summary, the views CPM counts when the campaign leaves
 * likely-farmed accounts out (farm.exclude), their JSON form and the
 * sentence the renderers print. Pure; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/farm.h"
#include "model/report.h"

void
report_farm_build(struct report *r, const struct rep_input *in, const struct prep_summary *s,
    struct rep_sum cat[CAT__COUNT], struct rep_sum *all)
{
	memcpy(cat, r->cat, CAT__COUNT * sizeof *cat);
	*all = r->all;
	memset(&r->farm, 0, sizeof r->farm);
	if (!prep_has_farm(s) || in->farm.threshold <= 0)
		return;
	struct rep_farm *f = &r->farm;
	f->has = true;
	f->threshold = in->farm.threshold;
	f->cpm_excludes = in->farm.exclude;
	for (int b = 0; b < BK__COUNT; b++)
		f->likely += f->bucket[b] = prep_farmed(s, b, f->threshold);
	for (size_t i = 0; i < r->ntweets; i++) {
		struct rep_tweet_row *t = &r->tweets[i];
		int k = prep_summary_tweet(s, t->tweet_id);
		if (k >= 0)
			t->farm_accounts =
			    prep_tweet_farmed(s, (size_t)k, f->threshold, &t->farm_likely);
		if (!f->cpm_excludes || !t->m.has[RM_VIEWS])
			continue;
		int64_t v = t->m.v[RM_VIEWS];
		int64_t kept = prep_views_excl_farm(s, t->tweet_id, v, f->threshold);
		cat[t->category].m.v[RM_VIEWS] -= v - kept;
		all->m.v[RM_VIEWS] -= v - kept;
	}
}

void
report_farm_json(const struct report *r, json_t *o)
{
	const struct rep_farm *f = &r->farm;
	if (!f->has)
		return;
	json_t *b = json_object();
	for (int k = 0; k < BK__COUNT; k++)
		json_object_set_new(b, bucket_name((enum lw_bucket)k), json_integer(f->bucket[k]));
	json_object_set_new(o, "farm",
	    json_pack("{s:i, s:b, s:I, s:I, s:o}", "threshold", f->threshold, "cpm_excludes_farmed",
	        f->cpm_excludes, "likely_farmed", (json_int_t)f->likely, "accounts",
	        (json_int_t)r->unique_accounts, "buckets", b));
	json_t *tw = json_object_get(o, "tweets");
	for (size_t i = 0; i < r->ntweets && i < json_array_size(tw); i++)
		json_object_set_new(json_array_get(tw, i), "farm",
		    json_pack("{s:I, s:I}", "accounts", (json_int_t)r->tweets[i].farm_accounts,
		        "likely_farmed", (json_int_t)r->tweets[i].farm_likely));
}

/* Reads an integer member (0 when absent). */
static int64_t
jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

void
report_farm_from_json(struct report *r, const json_t *j)
{
	const json_t *f = json_object_get(j, "farm");
	if (!json_is_object(f))
		return;
	r->farm.has = true;
	r->farm.threshold = (int)jint(f, "threshold");
	r->farm.cpm_excludes = json_is_true(json_object_get(f, "cpm_excludes_farmed"));
	r->farm.likely = jint(f, "likely_farmed");
	const json_t *b = json_object_get(f, "buckets");
	for (int k = 0; k < BK__COUNT; k++)
		r->farm.bucket[k] = jint(b, bucket_name((enum lw_bucket)k));
	const json_t *tw = json_object_get(j, "tweets");
	for (size_t i = 0; i < r->ntweets && i < json_array_size(tw); i++) {
		const json_t *t = json_object_get(json_array_get(tw, i), "farm");
		r->tweets[i].farm_accounts = jint(t, "accounts");
		r->tweets[i].farm_likely = jint(t, "likely_farmed");
	}
}

char *
report_farm_text(const struct report *r)
{
	const struct rep_farm *f = &r->farm;
	if (!f->has)
		return NULL;
	double pct =
	    r->unique_accounts > 0 ? 100.0 * (double)f->likely / (double)r->unique_accounts : 0.0;
	return xasprintf("Likely farmed: %lld of %lld engaged accounts (%.1f%%, farm score >= %d, "
	                 "docs/scoring.md section 7); CPM %s.",
	    (long long)f->likely, (long long)r->unique_accounts, pct, f->threshold,
	    f->cpm_excludes ? "leaves them out (each tweet's views times its non-farmed share)"
	                    : "counts all views, farmed included");
}
