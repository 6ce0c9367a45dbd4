/*
 * tweetlink: turns a pasted tweet link or bare id into a tweet id. Pure;
 * any thread.
 */
#ifndef LW_TWEETLINK_H
#define LW_TWEETLINK_H

#define TWEET_ID_MAX 19 /* digits in a tweet id (ids fit in a signed 64-bit int) */

/* Parses s (a link in any form DESIGN.md section 3 accepts, or a bare id of 1
 * to 19 digits, surrounding spaces ignored) and writes the id's digits into
 * id; returns 0, or -1 with *cause saying why the text was rejected. */
int tweetlink_parse(const char *s, char id[TWEET_ID_MAX + 1], char **cause);

#endif
