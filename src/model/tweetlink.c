/*
 * tweetlink: turns a pasted tweet link or bare id into the tweet's id, and
 * says exactly why anything else is rejected. Pure (no I/O, no globals that
 * change); any thread may call it.
 *
 * Accepted: bare ids of 1 to 19 digits, and [http[s]://]host/path[?query]
 * [#fragment] where host is x.com or twitter.com, optionally with www. or
 * mobile. (case-insensitive, optional :port), and the path starts with
 * /<user>/status/<id>, /<user>/statuses/<id>, /i/status/<id> or
 * /i/web/status/<id>; anything may follow the id segment.
 */
#include "model/tweetlink.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"
#include "base/util.h"

#define TL_MAX_INPUT 2048 /* longest text considered a link */
#define TL_QUOTE_MAX 40   /* bytes of the input quoted in a cause */

/* Hosts that serve tweets, compared case-insensitively. */
static const char *const tl_hosts[] = {
    "x.com",
    "twitter.com",
    "www.x.com",
    "www.twitter.com",
    "mobile.x.com",
    "mobile.twitter.com",
};

/* First path segments that are X pages, not user names. */
static const char *const tl_reserved[] = {
    "home",
    "explore",
    "search",
    "hashtag",
    "notifications",
    "messages",
    "settings",
    "compose",
    "intent",
    "share",
};

/* The path shapes that carry a tweet id: segments before the id. */
static const struct tl_shape {
	const char *seg[3]; /* NULL in seg[0] matches any user name */
	size_t nseg;
} tl_shapes[] = {
    {{"i", "web", "status"}, 3},
    {{"i", "status", NULL}, 2},
    {{NULL, "status", NULL}, 2},
    {{NULL, "statuses", NULL}, 2},
};

/* Sets *cause to before, the quoted part of the input, then after; returns -1. */
static int
tl_fail(char **cause, const char *before, const char *p, size_t n, const char *after)
{
	char *q = text_quote(p, n, TL_QUOTE_MAX);
	set_cause(cause, "%s%s%s", before, q, after);
	free(q);
	return -1;
}

/* Returns true for the bytes treated as surrounding white space. */
static bool
tl_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Returns true when n bytes at p are all ASCII digits (n > 0). */
static bool
tl_digits(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Returns true when the n bytes at seg equal word, ignoring ASCII case. */
static bool
tl_seg_is(const char *seg, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(seg, word, n) == 0;
}

/* Checks that the n bytes at p form a tweet id and copies it to id. */
static int
tl_take_id(const char *p, size_t n, char id[TWEET_ID_MAX + 1], char **cause)
{
	if (!tl_digits(p, n))
		return tl_fail(cause, "tweet id '", p, n, "' is not 1 to 19 digits");
	if (n > TWEET_ID_MAX)
		return tl_fail(cause, "tweet id '", p, n, "' has more than 19 digits");
	memcpy(id, p, n);
	id[n] = '\0';
	return 0;
}

/* Checks the scheme (if any) and returns where the authority starts. */
static int
tl_scheme(const char *s, size_t n, size_t *pos, char **cause)
{
	size_t i = 0;
	while (i < n && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	*pos = 0;
	if (i == n || s[i] != ':') {
		if (n >= 2 && s[0] == '/' && s[1] == '/')
			*pos = 2;
		return 0;
	}
	/* "x.com:443/..." is a host with a port, not a scheme. */
	if (memchr(s, '.', i) != NULL && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return 0;
	if (i == 0)
		return set_cause(cause, "the link starts with ':'; expected https://x.com/...");
	if ((i == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (i == 5 && strncasecmp(s, "https", 5) == 0)) {
		if (n < i + 3 || s[i + 1] != '/' || s[i + 2] != '/')
			return set_cause(cause, "'%.*s:' must be followed by //", (int)i, s);
		*pos = i + 3;
		return 0;
	}
	return tl_fail(cause, "scheme '", s, i, "' is not http or https");
}

/* Checks the authority (host and optional port) of n bytes at a. */
static int
tl_authority(const char *a, size_t n, char **cause)
{
	size_t hlen = n;
	if (n == 0)
		return set_cause(cause, "the link has no host; expected x.com or twitter.com");
	if (memchr(a, '@', n) != NULL)
		return tl_fail(
		    cause, "the link has a user name before the host ('", a, n, "'); not allowed");
	const char *colon = memchr(a, ':', n);
	if (colon != NULL) {
		hlen = (size_t)(colon - a);
		size_t plen = n - hlen - 1;
		if (!tl_digits(colon + 1, plen) || plen > 5)
			return tl_fail(cause, "port '", colon + 1, plen, "' is not a number");
	}
	for (size_t i = 0; i < LW_ARRAY_LEN(tl_hosts); i++)
		if (strlen(tl_hosts[i]) == hlen && strncasecmp(a, tl_hosts[i], hlen) == 0)
			return 0;
	return tl_fail(cause, "host '", a, hlen, "' is not x.com or twitter.com");
}

/* Returns true when the n bytes at seg are a plausible user name. */
static bool
tl_user(const char *seg, size_t n)
{
	if (n == 0 || n > 50)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = seg[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '_'))
			return false;
	}
	return true;
}

/* Matches the path (n bytes at p, starting with '/') against the shapes. */
static int
tl_path(const char *p, size_t n, char id[TWEET_ID_MAX + 1], char **cause)
{
	const char *seg[5];
	size_t len[5];
	size_t nseg = 0;
	size_t i = 0;

	/* Split the first five segments; the rest is free-form. */
	while (i < n && nseg < LW_ARRAY_LEN(seg)) {
		i++; /* skip '/' */
		seg[nseg] = p + i;
		while (i < n && p[i] != '/')
			i++;
		len[nseg] = (size_t)(p + i - seg[nseg]);
		nseg++;
	}
	if (nseg == 0 || (nseg == 1 && len[0] == 0))
		return set_cause(cause, "the link has no path; expected /<user>/status/<id>");

	for (size_t k = 0; k < LW_ARRAY_LEN(tl_shapes); k++) {
		const struct tl_shape *sh = &tl_shapes[k];
		size_t j;
		if (nseg < sh->nseg)
			continue;
		for (j = 0; j < sh->nseg; j++) {
			if (sh->seg[j] == NULL) {
				if (tl_seg_is(seg[j], len[j], "i") || !tl_user(seg[j], len[j]))
					break;
			} else if (!tl_seg_is(seg[j], len[j], sh->seg[j]))
				break;
		}
		if (j < sh->nseg)
			continue;
		if (nseg == sh->nseg || len[j] == 0)
			return set_cause(
			    cause, "no tweet id after /%.*s/", (int)len[j - 1], seg[j - 1]);
		return tl_take_id(seg[j], len[j], id, cause);
	}

	if (tl_seg_is(seg[0], len[0], "i"))
		return set_cause(
		    cause, "an x.com page, not a tweet link (expected /i/status/<id>)");
	for (size_t k = 0; k < LW_ARRAY_LEN(tl_reserved); k++)
		if (tl_seg_is(seg[0], len[0], tl_reserved[k]))
			return tl_fail(
			    cause, "an x.com page ('/", seg[0], len[0], "'), not a tweet link");
	if (!tl_user(seg[0], len[0]))
		return tl_fail(cause, "'", seg[0], len[0],
		    "' is not a user name; expected /<user>/status/<id>");
	return set_cause(cause, "a profile link, not a tweet link (expected /<user>/status/<id>)");
}

/* Parses s (a link or a bare id) into id; 0, or -1 with *cause. */
int
tweetlink_parse(const char *s, char id[TWEET_ID_MAX + 1], char **cause)
{
	size_t n, pos, end;

	id[0] = '\0';
	if (s == NULL)
		return set_cause(cause, "empty tweet link");
	while (tl_space((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && tl_space((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return set_cause(cause, "empty tweet link");
	if (n > TL_MAX_INPUT)
		return set_cause(cause, "tweet link is too long (%zu bytes)", n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f)
			return set_cause(cause, "tweet link contains a space or control character");
	}

	if (tl_digits(s, n))
		return tl_take_id(s, n, id, cause);
	if (n <= TWEET_ID_MAX + 4 && (s[0] >= '0' && s[0] <= '9') && memchr(s, '/', n) == NULL &&
	    memchr(s, '.', n) == NULL)
		return tl_fail(cause, "tweet id '", s, n, "' is not 1 to 19 digits");

	if (tl_scheme(s, n, &pos, cause) != 0)
		return -1;
	end = pos;
	while (end < n && s[end] != '/' && s[end] != '?' && s[end] != '#')
		end++;
	if (tl_authority(s + pos, end - pos, cause) != 0)
		return -1;
	pos = end;
	while (end < n && s[end] != '?' && s[end] != '#')
		end++;
	return tl_path(s + pos, end - pos, id, cause);
}
