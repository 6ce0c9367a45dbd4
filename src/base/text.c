/*
 * text: sanitizing external text. Pure functions, callable from any thread.
 */
#include "base/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

size_t
text_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;
	uint32_t c, min;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (n < len)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = TEXT_REPLACEMENT;
	return 1;
}

/* Skips an escape sequence that starts at s[i] == ESC; returns the index after it. */
static size_t
skip_escape(const unsigned char *s, size_t n, size_t i)
{
	i++; /* ESC */
	if (i >= n)
		return i;
	unsigned char k = s[i++];
	if (k == '[') { /* CSI: parameters, intermediates, one final byte */
		while (i < n && s[i] >= 0x20 && s[i] <= 0x3f)
			i++;
		while (i < n && s[i] >= 0x20 && s[i] <= 0x2f)
			i++;
		if (i < n && s[i] >= 0x40 && s[i] <= 0x7e)
			i++;
		return i;
	}
	if (k == ']' || k == 'P' || k == '_' || k == '^' || k == 'X') {
		/* OSC, DCS, APC, PM, SOS: up to BEL or ST (ESC \) */
		while (i < n) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\')
				return i + 2;
			i++;
		}
		return i;
	}
	/* two- or three-byte sequences such as ESC ( B or ESC c */
	while (i < n && s[i - 1] >= 0x20 && s[i - 1] <= 0x2f && s[i] >= 0x20 && s[i] <= 0x7e)
		i++;
	return i;
}

/* Returns true for the invisible code points that are dropped: C1
 * controls, bidi embeddings, overrides, isolates and marks, zero-width
 * spaces and joiners (a joiner between two emoji is judged by the caller),
 * invisible operators, fillers that render as nothing, soft hyphen, the
 * combining grapheme joiner and the byte order mark. */
static bool
is_dropped_codepoint(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) ||     /* C1 controls */
	       (c >= 0x202a && c <= 0x202e) || /* bidi embeddings and overrides */
	       (c >= 0x2066 && c <= 0x2069) || /* bidi isolates */
	       c == 0x200e || c == 0x200f ||   /* directional marks */
	       c == 0x061c ||                  /* Arabic letter mark */
	       (c >= 0x200b && c <= 0x200d) || /* zero-width space, non-joiner, joiner */
	       (c >= 0x2060 && c <= 0x2064) || /* word joiner, invisible operators */
	       c == 0x00ad || c == 0x034f ||   /* soft hyphen, grapheme joiner */
	       c == 0x180e || c == 0x115f || c == 0x1160 || c == 0x3164 ||
	       c == 0xffa0 || /* Mongolian separator, Hangul fillers */
	       c == 0xfeff;   /* byte order mark, zero-width no-break */
}

/* Returns true for a combining mark of the generic diacritic blocks (the
 * ones stacked into "zalgo" text). */
static bool
is_combining(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036f) || (c >= 0x0483 && c <= 0x0489) ||
	       (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) ||
	       (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
}

/* Returns true for a pictograph a zero-width joiner may bind into one
 * emoji (people, families, flags of the emoji blocks). */
static bool
is_emoji(uint32_t c)
{
	return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
	       (c >= 0x2b00 && c <= 0x2bff) || c == 0xfe0f;
}

/* Returns true when the zero-width joiner at s[i] (len bytes) joins two
 * emoji: prev (the last code point kept) and the next one. */
static bool
zwj_joins_emoji(const char *s, size_t n, size_t i, size_t len, uint32_t prev)
{
	uint32_t next = 0;
	if (!is_emoji(prev) || i + len >= n)
		return false;
	text_utf8_decode(s + i + len, n - i - len, &next);
	return is_emoji(next);
}

char *
text_sanitize(const char *str, size_t n, size_t max_bytes)
{
	const unsigned char *s = (const unsigned char *)str;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_add(&b, "", 0);
	size_t i = 0;
	uint32_t prev = 0; /* the last code point kept */
	int marks = 0;     /* combining marks kept on the current base */
	while (i < n) {
		uint32_t cp;
		size_t len;
		const char *out;
		size_t outlen;
		if (s[i] == 0x1b) {
			i = skip_escape(s, n, i);
			continue;
		}
		len = text_utf8_decode(str + i, n - i, &cp);
		if (cp == TEXT_REPLACEMENT) { /* invalid input, or U+FFFD itself */
			out = "\xef\xbf\xbd";
			outlen = 3;
		} else if (cp == '\n' || cp == '\t' || cp == '\r') {
			out = " ";
			outlen = 1;
		} else if (cp == 0x200d && zwj_joins_emoji(str, n, i, len, prev)) {
			out = (const char *)s + i; /* a family or profession emoji stays whole */
			outlen = len;
		} else if (cp < 0x20 || cp == 0x7f || is_dropped_codepoint(cp) ||
		           (is_combining(cp) && marks >= TEXT_MARKS_MAX)) {
			i += len;
			continue;
		} else {
			out = (const char *)s + i;
			outlen = len;
		}
		if (b.len + outlen > max_bytes)
			break;
		sbuf_add(&b, out, outlen);
		marks = is_combining(cp) ? marks + 1 : 0;
		prev = cp;
		i += len;
	}
	return sbuf_take(&b);
}

char *
text_quote(const char *s, size_t len, size_t max)
{
	char *q = text_sanitize(s, len, max);
	if (len > max) {
		char *t = xasprintf("%s...", q);
		free(q);
		q = t;
	}
	return q;
}

size_t
text_utf8_encode(uint32_t cp, char u[4])
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | (cp >> 18));
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
