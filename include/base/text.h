/*
 * text: makes external text (bios, names, tweet text, provider error bodies)
 * safe for a terminal, a log line, Slack or an email header. Pure; any thread.
 */
#ifndef LW_TEXT_H
#define LW_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Combining marks kept on one base character; more are dropped. */
#define TEXT_MARKS_MAX 2

/* Returns a new string holding at most max_bytes bytes of valid UTF-8 copied
 * from the len bytes at s: escape sequences (CSI, OSC, DCS and the rest) are
 * removed whole, other C0/C1 controls and DEL are dropped, newlines and tabs
 * become spaces, invisible characters that spoof a handle or reorder text
 * are dropped (bidi embeddings, overrides, isolates and marks, U+061C,
 * zero-width spaces and joiners except a joiner between two emoji, U+2060
 * to U+2064, U+FEFF, soft hyphen, Hangul fillers), a run of combining
 * diacritics keeps its first TEXT_MARKS_MAX, invalid UTF-8 becomes U+FFFD,
 * and a multibyte character is never cut in half. Caller frees. */
char *text_sanitize(const char *s, size_t len, size_t max_bytes);

/* U+FFFD, what an invalid UTF-8 sequence decodes to. */
#define TEXT_REPLACEMENT 0xfffdu

/* Decodes the UTF-8 character at s (len >= 1 bytes readable) into *cp and
 * returns the bytes it takes (1 to 4); an invalid sequence (overlong,
 * surrogate, out of range, truncated, or a stray byte) gives
 * TEXT_REPLACEMENT and 1, so a loop over a string always moves on. */
size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns a sanitized copy of the len bytes at s for quoting in a message:
 * at most max bytes, then "..." when s was longer. Caller frees. */
char *text_quote(const char *s, size_t len, size_t max);

/* Writes code point cp as UTF-8 into out; returns the bytes written (1-4). */
size_t text_utf8_encode(uint32_t cp, char out[4]);

#endif
