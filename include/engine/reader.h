/*
 * reader: the console's database thread, moved out of src/console/ui.c as
 * it was (the next commits give it its own interface). It does every read
 * and write of the console: the rebuild, polling past watermarks, the
 * campaign commands and the close-out state.
 */
#ifndef LW_READER_H
#define LW_READER_H

#include <pthread.h>

#include "console/ui.h"

/* A command for the database thread. */
struct ui_cmdq {
	enum ui_cmd cmd;
	char cid[64];
	struct cfg_file *f;
	struct ui_cmdq *next;
};

/* One campaign's details as published by the database thread. */
struct ui_snap {
	char cid[64];
	struct agg_jobrow *rows;
	size_t nrows;
	struct agg_alert *alerts;
	size_t nalerts;
	char **tids, **handles;
	size_t nauth;
};

struct ui_db {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct store *s;
	struct queue *q;
	struct ui_cmdq *cmds; /* under mu */
	/* published under mu, taken by the UI thread */
	struct campaign *camps;
	size_t ncamps;
	bool have_camps;
	struct ui_snap *snaps;
	size_t nsnaps;
	char *msg;
	bool ok;
	char *status;
	char watch[64];               /* the campaign whose close-out the UI shows, or "" */
	struct ui_closeout *closeout; /* its state as read, taken by the UI */
	/* database thread only */
	struct ui_wm *wms;
	size_t nwms;
	int64_t max_seen; /* the watermark the current load advanced to */
	int64_t max_at;
};

/* Frees a snapshot's contents. */
void snap_done(struct ui_snap *s);
/* Starts the database thread on s and q. */
struct ui_db *db_start(struct store *s, struct queue *q);
/* Stops and frees the database thread. */
void db_stop(struct ui_db *d);

#endif
