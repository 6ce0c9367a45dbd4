/*
 * writer: the group-commit writer of engagement pages and change-log
 * entries (include/engine/writer.h). Workers queue a request and wait on
 * it; the thread takes every waiting request (up to max_docs engagement
 * documents), writes them together and wakes their owners. Its seq cache
 * and the entries it still owes belong to the thread.
 */
#include "engine/writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store/store_changes.h"
#include "store/store_ingest.h"

#define APPEND_TRIES 8 /* re-probes when other engines take our seqs */

/* A page or an entry waiting for the writer. */
struct wreq {
	struct writer_page *pg; /* NULL: an entry (below) */
	const char *cid;
	enum change_kind kind;
	const struct prep_eng *e;
	size_t ne;
	const struct prep_slice *sv;
	size_t ns;
	bool done;
	int rc;
	char *cause;
	struct wreq *next;
};

/* The next seq of one campaign's log (0: not probed yet). */
struct seqc {
	char cid[CAMPAIGN_ID_MAX];
	int64_t next;
};

struct writer {
	struct writer_opts o;
	char owner[128];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* work queued */
	pthread_cond_t done_cv; /* requests done */
	struct wreq *head, *tail;
	bool stop;
	bool pending; /* entries owed (under mu, for writer_clean) */
	/* thread only */
	struct seqc *seqs;
	size_t nseqs;
	struct change_entry *owed; /* entries whose write failed, retried first */
	size_t nowed;
};

/* Returns the seq cache of cid. */
static struct seqc *
seq_of(struct writer *w, const char *cid)
{
	for (size_t i = 0; i < w->nseqs; i++)
		if (strcmp(w->seqs[i].cid, cid) == 0)
			return &w->seqs[i];
	w->seqs = xreallocarray(w->seqs, w->nseqs + 1, sizeof *w->seqs);
	struct seqc *c = &w->seqs[w->nseqs++];
	snprintf(c->cid, sizeof c->cid, "%s", cid);
	c->next = 0;
	return c;
}

/* Writes entries v[0..n) of one campaign, giving them seqs (probing the
 * head when unknown or taken by another engine). 0 or -1. */
static int
append_entries(struct store *s, struct seqc *c, struct change_entry *v, size_t n, char **cause)
{
	size_t off = 0;
	for (int tries = 0; off < n; tries++) {
		if (c->next <= 0 || tries > 0) {
			int64_t head;
			if (tries >= APPEND_TRIES)
				return set_cause(
				    cause, "the change log of %s keeps moving", c->cid);
			if (stc_head(s, c->cid, c->next > 1 ? c->next - 1 : 0, &head, cause) != 0)
				return -1;
			c->next = head + 1;
		}
		for (size_t i = off; i < n; i++)
			v[i].seq = c->next + (int64_t)(i - off);
		size_t in;
		if (stc_append(s, v + off, n - off, &in, cause) != 0) {
			c->next = 0; /* unknown what went in: probe next time */
			return -1;
		}
		c->next += (int64_t)in;
		off += in;
	}
	return 0;
}

/* Fills entry e of campaign cid from records; items encoded into b. */
static void
entry_init(struct writer *w, struct change_entry *e, const char *cid, enum change_kind kind,
    const struct prep_eng *ev, size_t ne, const struct prep_slice *sv, size_t ns)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign_id, sizeof e->campaign_id, "%s", cid);
	e->at_ms = clock_now_ms();
	e->kind = kind;
	snprintf(e->owner, sizeof e->owner, "%s", w->owner);
	e->n = (int64_t)(ne + ns);
	struct sbuf b;
	sbuf_init(&b);
	prep_items_encode(&b, ev, ne, sv, ns);
	e->items = b.s;
	e->len = b.len;
}

/* Writes the entries still owed; keeps what fails again. */
static void
retry_owed(struct writer *w)
{
	size_t kept = 0;
	for (size_t i = 0; i < w->nowed; i++) {
		char *cause = NULL;
		struct change_entry *e = &w->owed[i];
		struct seqc *c = seq_of(w, e->campaign_id);
		if (append_entries(w->o.store, c, e, 1, &cause) == 0) {
			if (w->o.appended)
				w->o.appended(w->o.arg, e->campaign_id, e->seq);
			change_entry_done(e);
		} else {
			w->owed[kept++] = *e;
		}
		free(cause);
	}
	w->nowed = kept;
}

/* Writes each campaign's entry of the group: entries[i] for campaign i. */
static void
write_entries(struct writer *w, struct change_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;
		struct seqc *c = seq_of(w, v[i].campaign_id);
		if (append_entries(w->o.store, c, &v[i], 1, &cause) == 0) {
			if (w->o.appended)
				w->o.appended(w->o.arg, v[i].campaign_id, v[i].seq);
			change_entry_done(&v[i]);
		} else {
			/* the documents are stored: the entry is owed until it
			 * goes in (retried before every group) */
			w->owed = xreallocarray(w->owed, w->nowed + 1, sizeof *w->owed);
			w->owed[w->nowed++] = v[i];
		}
		free(cause);
	}
}

/* The campaigns of a group and the new engagements of each. */
struct gcamp {
	const char *cid;
	struct prep_eng *e;
	size_t ne, cap;
};

/* Writes one group of pages. Returns 0 or -1 with a cause for all of them;
 * pages whose checkpoint failed get their own error. */
static int
commit_pages(struct writer *w, struct wreq **pages, size_t np, char **cause)
{
	size_t total = 0;
	for (size_t i = 0; i < np; i++)
		total += pages[i]->pg->n;
	struct lw_engagement *flat = xcalloc(total ? total : 1, sizeof *flat);
	bool *is_new = xcalloc(total ? total : 1, sizeof *is_new);
	size_t k = 0;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < pages[i]->pg->n; j++)
			flat[k++] = pages[i]->pg->eng[j]; /* shallow: read only */
	int rc = sti_engagements_insert(w->o.store, flat, total, now, is_new, cause);
	const struct lw_engagement **known = xcalloc(total ? total : 1, sizeof *known);
	size_t nknown = 0;
	struct gcamp *gc = NULL;
	size_t ngc = 0;
	k = 0;
	for (size_t i = 0; rc == 0 && i < np; i++) {
		struct writer_page *pg = pages[i]->pg;
		struct gcamp *g = NULL;
		for (size_t q = 0; q < ngc && !g; q++)
			if (strcmp(gc[q].cid, pg->campaign_id) == 0)
				g = &gc[q];
		if (g == NULL) {
			gc = xreallocarray(gc, ngc + 1, sizeof *gc);
			g = &gc[ngc++];
			memset(g, 0, sizeof *g);
			g->cid = pg->campaign_id;
		}
		for (size_t j = 0; j < pg->n; j++, k++) {
			pg->is_new[j] = is_new[k];
			if (!is_new[k]) {
				if (j < pg->above)
					known[nknown++] = &pg->eng[j];
				continue;
			}
			struct lw_engagement stored = pg->eng[j];
			stored.first_seen_at_ms = stored.last_seen_at_ms = now;
			if (g->ne == g->cap) {
				g->cap = g->cap ? 2 * g->cap : 64;
				g->e = xreallocarray(g->e, g->cap, sizeof *g->e);
			}
			prep_eng_from(&g->e[g->ne++], &stored);
		}
	}
	/* what the insert stored is logged whatever happens next: a failed
	 * update or checkpoint fails the pages (they are walked again), but
	 * their new documents must not be left without an entry */
	bool inserted = rc == 0;
	if (inserted) {
		struct change_entry *ev = xcalloc(ngc ? ngc : 1, sizeof *ev);
		size_t nev = 0;
		for (size_t q = 0; q < ngc; q++)
			if (gc[q].ne)
				entry_init(w, &ev[nev++], gc[q].cid, CHK_ENGAGEMENTS, gc[q].e,
				    gc[q].ne, NULL, 0);
		write_entries(w, ev, nev);
		free(ev);
	}
	if (inserted)
		rc = sti_engagements_touch(w->o.store, known, nknown, now, cause);
	if (rc == 0) {
		const char **ids = xcalloc(np, sizeof *ids);
		const struct sti_job_update **ups = xcalloc(np, sizeof *ups);
		size_t nu = 0;
		for (size_t i = 0; i < np; i++)
			if (pages[i]->pg->checkpoint) {
				ids[nu] = pages[i]->pg->job_id;
				ups[nu++] = pages[i]->pg->checkpoint;
			}
		rc = sti_jobs_update_many(w->o.store, ids, ups, nu, now, cause);
		free(ids);
		free(ups);
	}
	for (size_t q = 0; q < ngc; q++) {
		for (size_t j = 0; j < gc[q].ne; j++)
			prep_eng_done(&gc[q].e[j]);
		free(gc[q].e);
	}
	free(gc);
	free(known);
	free(flat);
	free(is_new);
	return rc;
}

/* Writes one queued entry request. */
static int
commit_entry(struct writer *w, struct wreq *r, char **cause)
{
	struct change_entry e;
	entry_init(w, &e, r->cid, r->kind, r->e, r->ne, r->sv, r->ns);
	struct seqc *c = seq_of(w, r->cid);
	int rc = append_entries(w->o.store, c, &e, 1, cause);
	if (rc == 0 && w->o.appended)
		w->o.appended(w->o.arg, e.campaign_id, e.seq);
	change_entry_done(&e);
	return rc;
}

/* The thread. */
static void *
run(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head && w->stop)
			break;
		/* take the waiting requests: entries, and pages up to max_docs */
		struct wreq *take = NULL, **tail = &take;
		size_t docs = 0;
		while (w->head) {
			struct wreq *r = w->head;
			if (r->pg && docs > 0 && docs + r->pg->n > w->o.max_docs)
				break;
			docs += r->pg ? r->pg->n : 0;
			w->head = r->next;
			r->next = NULL;
			*tail = r;
			tail = &r->next;
		}
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);

		if (w->nowed)
			retry_owed(w);
		size_t np = 0;
		for (struct wreq *r = take; r; r = r->next)
			np += r->pg != NULL;
		struct wreq **pages = xcalloc(np ? np : 1, sizeof *pages);
		np = 0;
		for (struct wreq *r = take; r; r = r->next) {
			if (r->pg)
				pages[np++] = r;
			else
				r->rc = commit_entry(w, r, &r->cause);
		}
		if (np) {
			char *cause = NULL;
			int rc = commit_pages(w, pages, np, &cause);
			for (size_t i = 0; i < np; i++) {
				pages[i]->rc = rc;
				if (rc != 0)
					pages[i]->cause = xstrdup(cause ? cause : "writing failed");
			}
			free(cause);
		}
		free(pages);

		pthread_mutex_lock(&w->mu);
		w->pending = w->nowed > 0;
		for (struct wreq *r = take; r; r = r->next)
			r->done = true;
		pthread_cond_broadcast(&w->done_cv);
	}
	pthread_mutex_unlock(&w->mu);
	if (w->nowed)
		retry_owed(w);
	pthread_mutex_lock(&w->mu);
	w->pending = w->nowed > 0;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
writer_start(const struct writer_opts *o, struct writer **out, char **cause)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->o = *o;
	snprintf(w->owner, sizeof w->owner, "%s", o->owner ? o->owner : "launchwatch");
	w->o.owner = w->owner;
	if (w->o.max_docs == 0)
		w->o.max_docs = 1000;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	int err = pthread_create(&w->th, NULL, run, w);
	if (err != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		pthread_cond_destroy(&w->done_cv);
		free(w);
		return set_cause(cause, "cannot start the writer: %s", strerror(err));
	}
	*out = w;
	return 0;
}

/* Queues r and waits until the thread did it; returns its result. */
static int
submit(struct writer *w, struct wreq *r, char **cause)
{
	pthread_mutex_lock(&w->mu);
	if (w->stop) {
		pthread_mutex_unlock(&w->mu);
		return set_cause(cause, "the writer is stopping");
	}
	if (w->tail)
		w->tail->next = r;
	else
		w->head = r;
	w->tail = r;
	pthread_cond_signal(&w->cv);
	while (!r->done)
		pthread_cond_wait(&w->done_cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (r->rc != 0) {
		if (cause) {
			free(*cause);
			*cause = r->cause;
		} else {
			free(r->cause);
		}
		return -1;
	}
	return 0;
}

/* Prepares a writer without a thread for one direct write on s. */
static void
direct_init(struct writer *w, struct store *s)
{
	memset(w, 0, sizeof *w);
	w->o.store = s;
	snprintf(w->owner, sizeof w->owner, "launchwatch");
}

/* Ends a direct write: what is still owed is written once more, else the
 * call fails (the documents are stored, so the caller walks again and a
 * crash recovery would find them). */
static int
direct_done(struct writer *w, int rc, char **cause)
{
	if (w->nowed)
		retry_owed(w);
	if (rc == 0 && w->nowed)
		rc = set_cause(cause, "the change log could not be written");
	for (size_t i = 0; i < w->nowed; i++)
		change_entry_done(&w->owed[i]);
	free(w->owed);
	free(w->seqs);
	return rc;
}

int
writer_put_page(struct writer *w, struct store *s, struct writer_page *pg, char **cause)
{
	if (w == NULL) {
		struct writer d;
		direct_init(&d, s);
		struct wreq r = {.pg = pg};
		struct wreq *one = &r;
		int rc = commit_pages(&d, &one, 1, cause);
		return direct_done(&d, rc, cause);
	}
	struct wreq r = {.pg = pg};
	return submit(w, &r, cause);
}

int
writer_append(struct writer *w, struct store *s, const char *campaign_id, enum change_kind kind,
    const struct prep_eng *e, size_t ne, const struct prep_slice *sv, size_t ns, char **cause)
{
	if (w) {
		struct wreq r = {
		    .cid = campaign_id, .kind = kind, .e = e, .ne = ne, .sv = sv, .ns = ns};
		return submit(w, &r, cause);
	}
	struct writer d;
	direct_init(&d, s);
	struct wreq r = {.cid = campaign_id, .kind = kind, .e = e, .ne = ne, .sv = sv, .ns = ns};
	int rc = commit_entry(&d, &r, cause);
	return direct_done(&d, rc, cause);
}

bool
writer_clean(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	bool clean = !w->pending && w->head == NULL;
	pthread_mutex_unlock(&w->mu);
	return clean;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->done_cv);
	for (size_t i = 0; i < w->nowed; i++)
		change_entry_done(&w->owed[i]);
	free(w->owed);
	free(w->seqs);
	free(w);
}
