/*
 * bytes: a compact binary encoding for what launchwatch stores as opaque
 * blobs (change-log records, prepared-aggregate chunks): unsigned and
 * zigzag-signed LEB128 varints, bytes and length-prefixed strings, written
 * into an sbuf and read back with bounds checks (a short or malformed input
 * sets the reader's error flag and yields zeros, never reads past the end).
 * Pure; any thread, one owner per struct.
 */
#ifndef LW_BYTES_H
#define LW_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Appends v as an unsigned varint. */
void bytes_put_uvar(struct sbuf *b, uint64_t v);
/* Appends v as a zigzag-signed varint. */
void bytes_put_svar(struct sbuf *b, int64_t v);
/* Appends one byte. */
void bytes_put_u8(struct sbuf *b, uint8_t v);
/* Appends s (NULL is "") cut to at most max bytes at a UTF-8 boundary, with
 * its length as a varint first. */
void bytes_put_str(struct sbuf *b, const char *s, size_t max);

/* Appends n bytes at p in base64 (RFC 4648, padded, no line breaks). */
void bytes_put_base64(struct sbuf *b, const void *p, size_t n);

/* A reader over borrowed bytes. */
struct bytes_r {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad; /* set by the first read past the end or malformed varint */
};

/* Starts reading len bytes at p (borrowed for the reader's life). */
void bytes_r_init(struct bytes_r *r, const void *p, size_t len);
/* Reads an unsigned varint (0 and bad on error). */
uint64_t bytes_get_uvar(struct bytes_r *r);
/* Reads a zigzag-signed varint (0 and bad on error). */
int64_t bytes_get_svar(struct bytes_r *r);
/* Reads one byte (0 and bad on error). */
uint8_t bytes_get_u8(struct bytes_r *r);
/* Reads a length-prefixed string into a new NUL-terminated copy (caller
 * frees; "" and bad on error; embedded NULs end it). */
char *bytes_get_str(struct bytes_r *r);
/* Reads a length-prefixed string into buf of size n (cut, NUL-terminated;
 * "" and bad on error). */
void bytes_get_strbuf(struct bytes_r *r, char *buf, size_t n);
/* Returns true when every byte was read and nothing went wrong. */
bool bytes_r_done(const struct bytes_r *r);

#endif
