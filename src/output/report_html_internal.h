/*
 * report_html: the parts of the HTML report that report_html_cover.c
 * renders for report_html.c (the stylesheet, the first screen, the CPM
 * section and the appendix), private to src/output/. Pure; any thread.
 */
#ifndef LW_REPORT_HTML_INTERNAL_H
#define LW_REPORT_HTML_INTERNAL_H

#include "model/report.h"
#include "base/util.h"

/* Appends the <style> element: screen and print (A4 or Letter, page breaks
 * between the first screen and the details), in the client's accent. */
void html_style(struct sbuf *b, const struct report *r);
/* Appends the first screen: the client's logo and name, the campaign, its
 * period and status, the headline numbers and the top engagers. */
void html_cover(struct sbuf *b, const struct report *r);
/* Appends the CPM savings section; nothing when the campaign set no CPM
 * benchmark or spend. */
void html_cpm(struct sbuf *b, const struct report *r);
/* Appends the appendix: run details (identifiers, schema, formula, the
 * final refresh and change-log notes) kept out of the client's view. */
void html_appendix(struct sbuf *b, const struct report *r);
/* Appends a link to the tweet on X (https://x.com/i/web/status/ID). */
void html_tweet_link(struct sbuf *b, const char *tweet_id, const char *text);

#endif
