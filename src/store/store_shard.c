/*
 * store_shard: what makes the store ready for a sharded MongoDB: the filter
 * of a write to one document of a per-campaign collection, which carries
 * the campaign id (part of the shard key {campaign_id: "hashed", _id: 1})
 * on every server but FerretDB; and the notes about the schema that
 * store_open leaves (an index of another name, kept). Any thread, except
 * that notes are added while one thread owns the store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

void
st_append_campaign_of(const struct store *s, bson_t *sel, const char *id)
{
	if (s->ferretdb)
		return; /* FerretDB v1 scans for anything but exactly {_id: value} */
	const char *colon = strchr(id, ':');
	size_t n = colon ? (size_t)(colon - id) : strlen(id);
	bson_append_utf8(sel, "campaign_id", -1, id, (int)n);
}

bson_t *
st_id_sel(const struct store *s, const char *id)
{
	bson_t *sel = bson_new();
	BSON_APPEND_UTF8(sel, "_id", id);
	st_append_campaign_of(s, sel, id);
	return sel;
}

void
st_note(struct store *s, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	s->notes = xreallocarray(s->notes, s->nnotes + 1, sizeof *s->notes);
	s->notes[s->nnotes++] = msg;
}

const char *const *
store_schema_notes(const struct store *s, size_t *n)
{
	*n = s->nnotes;
	return (const char *const *)s->notes;
}
