/*
 * bytes: LEB128 varints and length-prefixed strings in an sbuf, and a
 * bounds-checked reader for them (include/base/bytes.h). Pure; any thread.
 */
#include "base/bytes.h"

#include <string.h>

void
bytes_put_uvar(struct sbuf *b, uint64_t v)
{
	uint8_t buf[10];
	size_t n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		buf[n++] = (uint8_t)(c | (v ? 0x80 : 0));
	} while (v);
	sbuf_add(b, buf, n);
}

void
bytes_put_svar(struct sbuf *b, int64_t v)
{
	bytes_put_uvar(b, ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

void
bytes_put_u8(struct sbuf *b, uint8_t v)
{
	sbuf_add(b, &v, 1);
}

void
bytes_put_str(struct sbuf *b, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* do not cut inside a UTF-8 sequence */
	}
	bytes_put_uvar(b, n);
	if (n)
		sbuf_add(b, s, n);
}

void
bytes_r_init(struct bytes_r *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->bad = false;
}

uint64_t
bytes_get_uvar(struct bytes_r *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->bad || r->off >= r->len) {
			r->bad = true;
			return 0;
		}
		uint8_t c = r->p[r->off++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true; /* more than ten bytes */
	return 0;
}

int64_t
bytes_get_svar(struct bytes_r *r)
{
	uint64_t u = bytes_get_uvar(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

uint8_t
bytes_get_u8(struct bytes_r *r)
{
	if (r->bad || r->off >= r->len) {
		r->bad = true;
		return 0;
	}
	return r->p[r->off++];
}

/* Reads a string's length and checks that many bytes remain; returns the
 * length, or 0 with bad set. */
static size_t
str_len(struct bytes_r *r)
{
	uint64_t n = bytes_get_uvar(r);
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

char *
bytes_get_str(struct bytes_r *r)
{
	size_t n = str_len(r);
	char *s = xstrndup((const char *)r->p + r->off, n);
	r->off += n;
	return s;
}

void
bytes_get_strbuf(struct bytes_r *r, char *buf, size_t n)
{
	size_t len = str_len(r);
	if (n > 0) {
		size_t k = len < n ? len : n - 1;
		memcpy(buf, r->p + r->off, k);
		buf[k] = '\0';
	}
	r->off += len;
}

bool
bytes_r_done(const struct bytes_r *r)
{
	return !r->bad && r->off == r->len;
}

void
bytes_put_base64(struct sbuf *b, const void *p, size_t n)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *u = p;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)u[i + 1] << 8;
		if (i + 2 < n)
			v |= u[i + 2];
		char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63],
		    i + 1 < n ? abc[v >> 6 & 63] : '=', i + 2 < n ? abc[v & 63] : '='};
		sbuf_add(b, q, 4);
	}
}
