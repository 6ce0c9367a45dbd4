/*
 * store_filter: the filter of a write to one document of a per-campaign
 * collection, which carries the campaign id (part of the shard key
 * {campaign_id: "hashed", _id: 1}, docs/operations.md) on every server but
 * FerretDB. Any thread.
 */
#include <string.h>

#include "store_internal.h"

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
