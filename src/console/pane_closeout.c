/*
 * pane_closeout: the close-out screen: the steps of a campaign's close-out
 * (requested, final refresh and freeze, audit archive and report files) as
 * the database shows them, then the final report's summary. The reader
 * reads the state (src/engine/reader.c); this only draws it. Curses-free;
 * UI thread.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Draws one step line: a mark, the step and its detail. */
static void
step(struct draw_grid *g, int x, int y, int w, bool done, bool active, const char *what,
    const char *detail)
{
	draw_text(g, x, y, 4,
	    done     ? T_OK
	    : active ? T_WARN
	             : T_DIM,
	    done     ? "[x]"
	    : active ? "[~]"
	             : "[ ]");
	draw_text(g, x + 4, y, 30, done ? T_NORMAL : T_DIM, what);
	if (w > 36)
		draw_text(g, x + 36, y, w - 36, active ? T_WARN : T_DIM, detail);
}

void
pane_closeout_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = agg_campaign(u->agg, u->closeout_cid);
	char title[200];
	snprintf(
	    title, sizeof title, "Close-out of \"%s\" (Esc back)", c ? c->name : u->closeout_cid);
	draw_box(g, r, T_BORDER_FOCUS, title, T_TITLE);
	int x = r.x + 2, w = r.w - 4, y = r.y + 1, end = r.y + r.h - 1;
	const struct reader_closeout *co = u->closeout;
	if (co == NULL || strcmp(co->cid, u->closeout_cid) != 0) {
		draw_text(g, x, y, w, T_DIM, "reading the close-out state from the database...");
		return;
	}
	char when[32], dt[160];
	bool req = co->requested_ms > 0 || co->completed, frozen = co->frozen_ms > 0;
	if (co->requested_ms > 0)
		snprintf(dt, sizeof dt, "at %s", fmt_clock(co->requested_ms, when, sizeof when));
	else
		snprintf(dt, sizeof dt, "%s", co->completed ? "window ended" : "not requested");
	step(g, x, y++, w, req, false, "close-out requested", dt);
	if (frozen)
		snprintf(dt, sizeof dt, "frozen at %s, campaign completed",
		    fmt_clock(co->frozen_ms, when, sizeof when));
	else if (req)
		snprintf(dt, sizeof dt, "waiting for the report job (final metrics, freeze, CPM)");
	else
		dt[0] = '\0';
	step(g, x, y++, w, frozen, req && !frozen, "final refresh, freeze, CPM", dt);
	if (co->archived)
		snprintf(dt, sizeof dt, "%s", co->archive_dir);
	else if (frozen)
		snprintf(dt, sizeof dt, "writing the archive and report files to %s",
		    *co->archive_dir ? co->archive_dir : "the archive directory");
	else
		dt[0] = '\0';
	step(g, x, y++, w, co->archived, frozen && !co->archived, "audit archive and reports", dt);
	y++;
	if (co->error && y < end)
		draw_textf(g, x, y++, w, T_ERROR, "database: %s", co->error);
	if (req && !frozen && y < end) {
		/* the job runs where the engine runs: say so when it is not here */
		const char *es = u->engine_status ? u->engine_status : "";
		if (strncmp(es, "engine running", 14) != 0)
			draw_textf(g, x, y++, w, T_WARN,
			    "this console runs no engine (%s): the report job runs in `launchwatch "
			    "run` "
			    "or the console that does",
			    es);
	}
	if (co->nsummary == 0) {
		if (y < end)
			draw_text(g, x, y, w, T_DIM,
			    frozen
			        ? "building the report summary..."
			        : "The report summary appears here once the numbers are frozen.");
		return;
	}
	if (y < end)
		draw_text(g, x, y++, w, T_TITLE, "Final report");
	for (size_t i = 0; i < co->nsummary && y < end; i++)
		draw_text(g, x + 2, y++, w - 2, T_NORMAL, co->summary[i]);
}
