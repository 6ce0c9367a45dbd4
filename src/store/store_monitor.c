/*
 * store_monitor: the driver's command monitoring on the store's pool: the
 * commands in flight, one per thread (store_oldest_call, for the "database
 * slow" lines), and the test hook store_watch_commands. The callbacks run
 * on whichever thread sends a command; the table of calls takes a mutex.
 */
#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

/* Command monitoring: a command started on this thread. */
static void
call_started(const mongoc_apm_command_started_t *ev)
{
	struct store *s = mongoc_apm_command_started_get_context(ev);
	const bson_t *cmd = mongoc_apm_command_started_get_command(ev);
	const char *name = mongoc_apm_command_started_get_command_name(ev);
	bson_iter_t it;
	const char *coll = "";
	/* the first field's value names the collection of most commands */
	if (bson_iter_init(&it, cmd) && bson_iter_next(&it) && BSON_ITER_HOLDS_UTF8(&it))
		coll = bson_iter_utf8(&it, NULL);
	else if (bson_iter_init_find(&it, cmd, "collection") && BSON_ITER_HOLDS_UTF8(&it))
		coll = bson_iter_utf8(&it, NULL); /* getMore */
	if (s->watch)
		s->watch(name, cmd, s->watch_arg);
	pthread_t self = pthread_self();
	pthread_mutex_lock(&s->calls_mu);
	struct st_call *slot = NULL;
	for (size_t i = 0; i < ST_CALLS_MAX && slot == NULL; i++)
		if (s->calls[i].busy && pthread_equal(s->calls[i].thread, self))
			slot = &s->calls[i];
	for (size_t i = 0; i < ST_CALLS_MAX && slot == NULL; i++)
		if (!s->calls[i].busy)
			slot = &s->calls[i];
	if (slot) {
		slot->thread = self;
		slot->busy = true;
		slot->since_ms = clock_now_ms();
		snprintf(slot->what, sizeof slot->what, "%s%s%s", name, *coll ? " " : "", coll);
	}
	pthread_mutex_unlock(&s->calls_mu);
}

/* Command monitoring: the command of this thread ended. */
static void
call_ended(struct store *s)
{
	pthread_t self = pthread_self();
	pthread_mutex_lock(&s->calls_mu);
	for (size_t i = 0; i < ST_CALLS_MAX; i++)
		if (s->calls[i].busy && pthread_equal(s->calls[i].thread, self))
			s->calls[i].busy = false;
	pthread_mutex_unlock(&s->calls_mu);
}

/* Command monitoring: a reply came. */
static void
call_succeeded(const mongoc_apm_command_succeeded_t *ev)
{
	call_ended(mongoc_apm_command_succeeded_get_context(ev));
}

/* Command monitoring: the command failed. */
static void
call_failed(const mongoc_apm_command_failed_t *ev)
{
	call_ended(mongoc_apm_command_failed_get_context(ev));
}

bool
store_oldest_call(struct store *s, struct store_call *c)
{
	bool found = false;
	pthread_mutex_lock(&s->calls_mu);
	for (size_t i = 0; i < ST_CALLS_MAX; i++) {
		const struct st_call *k = &s->calls[i];
		if (k->busy && (!found || k->since_ms < c->since_ms)) {
			found = true;
			c->since_ms = k->since_ms;
			snprintf(c->what, sizeof c->what, "%s", k->what);
		}
	}
	pthread_mutex_unlock(&s->calls_mu);
	return found;
}

void
st_monitor_attach(struct store *s)
{
	mongoc_apm_callbacks_t *cb = mongoc_apm_callbacks_new();
	mongoc_apm_set_command_started_cb(cb, call_started);
	mongoc_apm_set_command_succeeded_cb(cb, call_succeeded);
	mongoc_apm_set_command_failed_cb(cb, call_failed);
	mongoc_client_pool_set_apm_callbacks(s->pool, cb, s);
	mongoc_apm_callbacks_destroy(cb);
}

void
store_watch_commands(struct store *s, store_command_fn fn, void *arg)
{
	s->watch = fn;
	s->watch_arg = arg;
}
