/*
 * xapi_walk: paging guards for one walk over a cursor-paged list: stop on an
 * empty page, on has_next_page without a cursor, on a cursor seen before in
 * this walk, or at a page limit; drop items seen earlier in the walk (pages
 * may overlap). A walk belongs to the thread that runs it.
 */
#include "provider/xapi.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* An open-addressing set of owned strings. */
struct strset {
	char **slots;
	size_t cap; /* a power of two */
	size_t n;
};

/* Returns a new empty set. */
static struct strset *
strset_new(void)
{
	struct strset *s = xcalloc(1, sizeof *s);
	s->cap = 64;
	s->slots = xcalloc(s->cap, sizeof *s->slots);
	return s;
}

/* Frees s and its strings; NULL is a no-op. */
static void
strset_free(struct strset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	free(s);
}

/* Places an owned string into slots without growing (it must be absent). */
static void
strset_place(char **slots, size_t cap, char *str)
{
	size_t i = hash_fnv1a(str, strlen(str)) & (cap - 1);
	while (slots[i] != NULL)
		i = (i + 1) & (cap - 1);
	slots[i] = str;
}

/* Adds a copy of str; returns true when it was not in the set before. */
static bool
strset_add(struct strset *s, const char *str)
{
	size_t i = hash_fnv1a(str, strlen(str)) & (s->cap - 1);
	while (s->slots[i] != NULL) {
		if (strcmp(s->slots[i], str) == 0)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap * 2;
		char **slots = xcalloc(cap, sizeof *slots);
		for (size_t j = 0; j < s->cap; j++)
			if (s->slots[j] != NULL)
				strset_place(slots, cap, s->slots[j]);
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	strset_place(s->slots, s->cap, xstrdup(str));
	s->n++;
	return true;
}

static const char *const stop_names[] = {
    [XAPI_STOP_NONE] = "more pages",
    [XAPI_STOP_LAST_PAGE] = "last page",
    [XAPI_STOP_EMPTY_PAGE] = "empty page",
    [XAPI_STOP_NO_CURSOR] = "next page announced without a cursor",
    [XAPI_STOP_CURSOR_CYCLE] = "cursor seen before in this walk",
    [XAPI_STOP_MAX_PAGES] = "page limit reached",
};

const char *
xapi_stop_name(enum xapi_stop s)
{
	return (unsigned)s < LW_ARRAY_LEN(stop_names) ? stop_names[s] : "?";
}

void
xapi_walk_init(struct xapi_walk *w, const char *cursor, int max_pages)
{
	memset(w, 0, sizeof *w);
	w->cursor = xstrdup(cursor != NULL ? cursor : "");
	w->max_pages = max_pages;
	w->seen_cursors = strset_new();
	w->seen_ids = strset_new();
	if (*w->cursor != '\0')
		strset_add(w->seen_cursors, w->cursor);
}

void
xapi_walk_done(struct xapi_walk *w)
{
	free(w->cursor);
	strset_free(w->seen_cursors);
	strset_free(w->seen_ids);
	memset(w, 0, sizeof *w);
}

bool
xapi_walk_feed(struct xapi_walk *w, struct xapi_page *page)
{
	size_t raw = page->n_users + page->n_tweets;
	size_t k = 0;

	w->pages++;
	for (size_t i = 0; i < page->n_users; i++) {
		if (strset_add(w->seen_ids, page->users[i].id)) {
			if (k != i)
				page->users[k] = page->users[i];
			k++;
		} else {
			lw_user_done(&page->users[i]);
			w->duplicates++;
		}
	}
	page->n_users = k;
	w->items += k;
	k = 0;
	for (size_t i = 0; i < page->n_tweets; i++) {
		if (strset_add(w->seen_ids, page->tweets[i].id)) {
			if (k != i)
				page->tweets[k] = page->tweets[i];
			k++;
		} else {
			lw_tweet_done(&page->tweets[i]);
			w->duplicates++;
		}
	}
	page->n_tweets = k;
	w->items += k;

	const char *next = page->next_cursor != NULL ? page->next_cursor : "";
	if (raw == 0)
		w->stop = XAPI_STOP_EMPTY_PAGE;
	else if (!page->has_next_page)
		w->stop = XAPI_STOP_LAST_PAGE;
	else if (*next == '\0')
		w->stop = XAPI_STOP_NO_CURSOR;
	else if (!strset_add(w->seen_cursors, next))
		w->stop = XAPI_STOP_CURSOR_CYCLE;
	if (w->stop == XAPI_STOP_NONE) {
		free(w->cursor);
		w->cursor = xstrdup(next);
		if (w->max_pages > 0 && w->pages >= w->max_pages)
			w->stop = XAPI_STOP_MAX_PAGES;
	}
	return w->stop == XAPI_STOP_NONE;
}
