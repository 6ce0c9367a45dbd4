/*
 * form_settings: the campaign settings a user sets by hand in the console's
 * forms (CPM benchmarks and spend per category, cadences, alert rules and
 * channels), one text field each: their labels, their text from stored
 * settings, and the campaign-file YAML they stand for, which the loader
 * (config/config.h) then validates like any file. Secrets are only ever
 * env: or file: references here, as in a file. Pure; any thread.
 */
#ifndef LW_FORM_SETTINGS_H
#define LW_FORM_SETTINGS_H

#include <stddef.h>

#include "base/util.h"
#include "model/campaign.h"

/* The settings fields, in the order the forms show them. */
enum sf_field {
	SF_CPM_MAIN,
	SF_CPM_INFLUENCER,
	SF_CPM_INVESTOR,
	SF_SPEND_MAIN,
	SF_SPEND_INFLUENCER,
	SF_SPEND_INVESTOR,
	SF_CAD_METRICS,
	SF_CAD_RETWEETS,
	SF_CAD_REPLIES,
	SF_CAD_QUOTES,
	SF_MIN_IMPORTANCE,
	SF_BUCKETS,
	SF_ACTIONS,
	SF_CATEGORIES,
	SF_WATCH,
	SF_QUIET,
	SF_MIN_SENTIMENT,
	SF_SLACK,
	SF_EMAIL_TO,
	SF_SMTP_URL,
	SF_SMTP_USER,
	SF_SMTP_PASSWORD,
	SF_EMAIL_FROM,
	SF_NEGATIVE_SENTIMENT, /* last, so the fields above keep their places */
	SF__COUNT
};

/* Returns the label of field f (static). */
const char *form_settings_label(enum sf_field f);

/* Writes field f of settings c as the form shows it into buf ("" for a key
 * c does not set). */
void form_settings_text(const struct cfg_campaign *c, enum sf_field f, char *buf, size_t len);

/* Appends to b (which holds *line lines, the campaign's mapping open at
 * four spaces) the cadence, alerts and cpm keys that the texts
 * text[0..SF__COUNT) give, one key a line, advancing *line; lines[f] gets
 * the 1-based line of field f, 0 when it wrote nothing for it. */
void form_settings_yaml(
    struct sbuf *b, const char *const text[SF__COUNT], int *line, int lines[SF__COUNT]);

/* Appends a YAML double-quoted scalar of s to b. */
void form_yaml_quoted(struct sbuf *b, const char *s);

/* Appends a YAML flow list of the words of s (split on spaces, commas and
 * newlines), each quoted. */
void form_yaml_list(struct sbuf *b, const char *s);

#endif
