/*
 * pane_header: the two header rows: campaign, client, status, window
 * countdown; provider and database health, requests and credits spent,
 * engaged accounts and views (or that the summary is still loading or
 * being prepared). Curses-free; UI thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Writes the provider's health as c's jobs show it into buf ("" when no job
 * has run yet): errors first, then blocks, then the last success. */
static void
header_job_health(
    const struct agg_campaign *c, int64_t now_ms, char *buf, size_t len, enum theme_role *role)
{
	struct agg_health h;
	char ago[24], in[24];
	agg_job_health(c, now_ms, &h);
	buf[0] = '\0';
	if (h.failing > 0) {
		snprintf(buf, len, "%d job%s failing (i: in full): %s", h.failing,
		    h.failing == 1 ? "" : "s", h.why_failing ? h.why_failing : "error");
		*role = T_ERROR;
	} else if (h.blocked > 0) {
		/* a block past its time waits for an engine to look again */
		snprintf(buf, len, "%d job%s blocked (i: in full)%s%s%s%s", h.blocked,
		    h.blocked == 1 ? "" : "s", h.blocked_until_ms > now_ms ? " for " : "",
		    h.blocked_until_ms > now_ms
		        ? fmt_duration((h.blocked_until_ms - now_ms) / 1000, in, sizeof in)
		        : "",
		    h.why_blocked ? ": " : "", h.why_blocked ? h.why_blocked : "");
		*role = T_WARN;
	} else if (h.last_success_ms > 0) {
		snprintf(buf, len, "ok, last success %s",
		    fmt_ago(h.last_success_ms, now_ms, ago, sizeof ago));
		*role = T_OK;
	}
}

void
pane_header_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	char win[48], a[16], b[16], cr[16], rq[16];
	draw_fill(g, (struct draw_rect){r.x, r.y, r.w, 2}, ' ', T_HEADER);
	if (c == NULL) {
		draw_text(g, r.x + 1, r.y, r.w - 2, T_HEADER, "launchwatch  (no campaigns)");
	} else {
		fmt_window(c->start_ms, c->end_ms, u->now_ms, win, sizeof win);
		/* after the close-out the report is frozen; "closing" only until then */
		const char *when = c->status == CS_COMPLETED ? "report frozen"
		                   : c->close_requested_ms   ? "closing"
		                                             : win;
		char line[512];
		snprintf(line, sizeof line, "launchwatch  [%zu/%zu] %s%s%s  %s  %s", u->cur + 1,
		    u->agg->ncampaigns, c->name, *c->client ? " - " : "", c->client,
		    campaign_status_name(c->status), when);
		draw_text(g, r.x + 1, r.y, r.w - 2, T_HEADER, line);
	}
	/* second row: numbers first (they matter most on a narrow terminal), then health */
	int x = r.x + 1, end = r.x + r.w - 1;
	if (c && c->prep != AGG_PREP_READY) {
		x += draw_text(g, x, r.y + 1, end - x, T_HEADER,
		    c->prep == AGG_PREP_LOADING ? "loading...  " : "preparing...  ");
	} else if (c) {
		char nums[160];
		snprintf(nums, sizeof nums, "accounts %s  views %s  requests %s  credits %s  ",
		    fmt_count(agg_unique_total(c), a, sizeof a),
		    fmt_count(c->sum.total[CAT__COUNT][M_VIEWS], b, sizeof b),
		    fmt_count(c->requests, rq, sizeof rq), fmt_count(c->credits, cr, sizeof cr));
		x += draw_text(g, x, r.y + 1, end - x, T_HEADER, nums);
	}
	if (x < end)
		x += draw_text(g, x, r.y + 1, end - x, T_HEADER, "db ");
	if (x < end)
		x += draw_text(
		    g, x, r.y + 1, end - x, u->db_ok ? T_OK : T_ERROR, u->db_ok ? "ok" : "DOWN");
	if (u->db_status && x < end) /* why it is down, or a call that keeps waiting */
		x += draw_textf(
		    g, x, r.y + 1, end - x, u->db_ok ? T_WARN : T_ERROR, " %s", u->db_status);
	if (x >= end)
		return;
	/* which provider from the start (set by tui), then its health as the
	 * campaign's jobs show it */
	x += draw_textf(
	    g, x, r.y + 1, end - x, T_HEADER, "  provider: %s", u->provider ? u->provider : "?");
	if (x >= end)
		return;
	enum theme_role role = T_HEADER;
	char health[200];
	header_job_health(c, u->now_ms, health, sizeof health, &role);
	if (health[0] == '\0')
		draw_textf(g, x, r.y + 1, end - x, T_HEADER, ": no job reported yet%s%s",
		    u->engine_status ? "; " : "", u->engine_status ? u->engine_status : "");
	else
		draw_textf(g, x, r.y + 1, end - x, role, ": %s", health);
}
