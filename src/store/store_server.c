/*
 * store_server: the kinds of server the store may talk to, told apart by
 * the buildInfo reply store_open asks for once, and the choices that differ
 * between them: FerretDB answers cheaply only filters of exactly
 * {_id: value}; mongo-java-server cannot create capped collections, so its
 * worker_log is a plain collection that store_heartbeats.c keeps to the
 * newest lines. Any thread (the kind is set before store_open returns and
 * read-only after).
 */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

/* The kinds, tried in order: the first whose buildInfo field is present
 * wins; the last (no field) is a server whose buildInfo names no build. */
static const struct st_server_kind kinds[] = {
    /* FerretDB also answers gitVersion, so it comes first */
    {"FerretDB", "ferretdbVersion", true, true},
    {"MongoDB", "gitVersion", false, true},
    /* buildInfo with a version only: mongo-java-server (its create answers
     * "Creating capped collections is not yet implemented") */
    {"mongo-java-server", NULL, false, false},
};

/* A server whose buildInfo failed is taken for MongoDB (what the default
 * choices were made for). */
static const struct st_server_kind *const unknown = &kinds[1];

const struct st_server_kind *
st_server_kind_of(const bson_t *build_info)
{
	if (build_info == NULL)
		return unknown;
	for (size_t i = 0; i < LW_ARRAY_LEN(kinds); i++) {
		bson_iter_t it;
		if (kinds[i].field == NULL || bson_iter_init_find(&it, build_info, kinds[i].field))
			return &kinds[i];
	}
	return unknown;
}

const char *
store_server_kind(const struct store *s)
{
	return s->server->name;
}

bool
store_is_ferretdb(const struct store *s)
{
	return s->ferretdb;
}

void
store_use_mongodb_shapes(struct store *s)
{
	s->ferretdb = false;
}
