/*
 * pane_jobs: the jobs screen (i): every tweet of the campaign with its four
 * jobs, each with its state, last success, block, requests and credits,
 * and the whole error or block reason wrapped over as many lines as it
 * needs, so a reason the tweets pane and the header cut is read in full;
 * with the simulator, which tweets it knows; the sentiment scorer's state
 * when one runs for the campaign. Curses-free; UI thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "console/pane.h"

/* The lines of the screen before scrolling. */
struct jlines {
	struct jline {
		char *text;
		enum theme_role role;
		int indent;
	} * v;
	size_t n;
};

/* Adds a line (text copied). */
static void
add_line(struct jlines *l, enum theme_role role, int indent, const char *text)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = (struct jline){xstrdup(text), role, indent};
}

/* Adds text wrapped at spaces to lines of at most w bytes (a longer word
 * is cut across lines). */
static void
add_wrapped(struct jlines *l, enum theme_role role, int indent, const char *text, int w)
{
	size_t width = w > 8 ? (size_t)w : 8;
	while (*text) {
		size_t n = draw_wrap_len(text, width);
		char *part = xasprintf("%.*s", (int)n, text);
		add_line(l, role, indent, part);
		free(part);
		text += n;
		while (*text == ' ')
			text++;
	}
}

/* Adds the lines of one job of kind k. */
static void
job_lines(struct jlines *l, const struct agg_job *j, enum job_kind k, int w, int64_t now_ms)
{
	char line[256], a[16], b[16];
	int n =
	    snprintf(line, sizeof line, "%-9s %s", job_kind_name(k), agg_job_state_name(j->state));
	if (j->last_success_ms > 0 && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, ", last success %s",
		    fmt_clock(j->last_success_ms, a, sizeof a));
	if (j->blocked_until_ms > now_ms && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, ", blocked until %s",
		    fmt_clock(j->blocked_until_ms, b, sizeof b));
	if (n < (int)sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, ", %lld requests, %lld credits",
		    (long long)j->requests, (long long)j->credits);
	enum theme_role role = j->state == JS_ERROR     ? T_ERROR
	                       : j->state == JS_BLOCKED ? T_WARN
	                       : j->state == JS_OK      ? T_OK
	                                                : T_NORMAL;
	add_line(l, role, 2, line);
	if (j->why && *j->why)
		add_wrapped(l, role == T_OK ? T_NORMAL : role, 12, j->why, w - 12);
}

void
pane_jobs_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	draw_box(g, r, T_BORDER_FOCUS, "Jobs, reasons in full (j/k scroll, Esc back)", T_TITLE);
	if (c == NULL)
		return;
	int x0 = r.x + 2, w = r.w - 4;
	struct jlines l = {0};
	char note[512];
	if (ui_sim_note(u, c, note, sizeof note))
		add_wrapped(&l, T_WARN, 0, note, w);
	else if (u->simulated && u->nsim_tweets > 0) {
		snprintf(note, sizeof note, "The simulator knows only the demo's tweets %s.",
		    u->sim_tweets_text);
		add_wrapped(&l, T_DIM, 0, note, w);
	}
	if (c->sent != NULL && c->sent->state[0]) { /* the sentiment scorer's state */
		char at[16];
		bool stale = u->now_ms - c->sent->updated_at_ms > 90000; /* renewed every 30 s */
		snprintf(note, sizeof note, "%s%s%s", c->sent->state,
		    stale ? "; nothing written since " : "",
		    stale ? fmt_clock(c->sent->updated_at_ms, at, sizeof at) : "");
		add_wrapped(&l, strstr(note, "down") || stale ? T_WARN : T_DIM, 0, note, w);
	}
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		if (!t->listed)
			continue;
		char head[160];
		snprintf(head, sizeof head, "#%zu %s %s%s %s", i + 1,
		    category_name((enum tweet_category)t->category), t->author ? "@" : "",
		    t->author ? t->author : "", t->id);
		add_line(&l, T_TITLE, 0, head);
		for (int k = 0; k < JOB__COUNT; k++)
			job_lines(&l, &t->job[k], (enum job_kind)k, w, u->now_ms);
	}
	int rows = r.h - 2;
	size_t max_off = l.n > (size_t)rows ? l.n - (size_t)rows : 0;
	if (u->jobs_off > max_off)
		u->jobs_off = max_off;
	for (size_t i = u->jobs_off; i < l.n && (int)(i - u->jobs_off) < rows; i++)
		draw_text(g, x0 + l.v[i].indent, r.y + 1 + (int)(i - u->jobs_off),
		    w - l.v[i].indent, l.v[i].role, l.v[i].text);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].text);
	free(l.v);
}
