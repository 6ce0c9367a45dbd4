/*
 * pane_header: the two header rows: campaign, client, status, window
 * countdown; provider and database health, requests and credits spent,
 * engaged accounts and views (or that the summary is still loading or
 * being prepared). Curses-free; UI thread.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "console/pane.h"

/* Writes the provider's health as c's jobs show it into buf ("" when no job
 * has run yet): errors first, then blocks, then the last success. */
static void
header_job_health(const struct agg_campaign *c, int64_t now_ms, bool brief, char *buf, size_t len,
    enum theme_role *role)
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
		snprintf(buf, len, "ok%s %s", brief ? "" : ", last success",
		    fmt_ago(h.last_success_ms, now_ms, ago, sizeof ago));
		*role = T_OK;
	}
}

/* Writes the first row for c at compaction level lvl into buf: 0 names the
 * program and the client, 1 drops the program's name, 2 the client too. */
static void
header_title(struct ui *u, const struct agg_campaign *c, int lvl, char *buf, size_t len)
{
	char win[48];
	fmt_window(c->start_ms, c->end_ms, u->now_ms, win, sizeof win);
	/* after the close-out the report is frozen; "closing" only until then */
	const char *when = c->status == CS_COMPLETED ? "report frozen"
	                   : c->close_requested_ms   ? "closing"
	                                             : win;
	bool client = lvl < 2 && *c->client;
	snprintf(buf, len, "%s[%zu/%zu] %s%s%s  %s  %s", lvl == 0 ? "launchwatch  " : "",
	    u->cur + 1, u->agg->ncampaigns, c->name, client ? " - " : "", client ? c->client : "",
	    campaign_status_name(c->status), when);
}

/* Writes the second row's numbers for c into buf: "loading..." instead of
 * zeros until the first complete read, and a mark on partial ones. */
static void
header_numbers(const struct agg_campaign *c, bool shorter, char *buf, size_t len)
{
	char a[16], b[16], cr[16], rq[16];
	if (c->prep != AGG_PREP_READY) {
		snprintf(buf, len, "%s",
		    c->prep == AGG_PREP_LOADING ? "loading...  " : "preparing...  ");
		return;
	}
	int64_t acc = agg_unique_total(c), views = c->sum.total[CAT__COUNT][M_VIEWS];
	bool loading = agg_loading(c);
	fmt_count(c->requests, rq, sizeof rq);
	fmt_count(c->credits, cr, sizeof cr);
	if (loading && acc == 0 && views <= 0) {
		snprintf(buf, len, "loading...  %s %s  credits %s  ", shorter ? "req" : "requests",
		    rq, cr);
		return;
	}
	snprintf(buf, len, "%saccounts %s  views %s  %s %s  credits %s  ",
	    loading ? "loading: " : "", fmt_count(acc, a, sizeof a),
	    fmt_count(views < 0 ? 0 : views, b, sizeof b), shorter ? "req" : "requests", rq, cr);
}

/* Draws (or, when g is NULL, measures) the second row at level lvl: 0 in
 * full, 1 without the engine's state, 2 with shorter words, 3 with a brief
 * health, 4 with the provider's short name, 5 without the provider.
 * Returns the width used. */
static int
header_status(struct ui *u, const struct agg_campaign *c, int lvl, struct draw_grid *g, int x0,
    int y, int end)
{
	char nums[160], prov[160], health[200];
	enum theme_role role = T_HEADER;
	nums[0] = '\0';
	if (c)
		header_numbers(c, lvl >= 2, nums, sizeof nums);
	const char *name = u->provider ? u->provider : "?";
	/* "simulator (127.0.0.1:PORT)", "HOST, key set": the simulator or the host */
	bool full = lvl < 4;
	int plen = full ? (int)strlen(name) : (int)strcspn(name, " ,");
	header_job_health(c, u->now_ms, lvl >= 3, health, sizeof health, &role);
	bool engine = lvl == 0 && u->engine_status;
	if (lvl >= 5)
		prov[0] = '\0';
	else if (health[0] == '\0')
		snprintf(prov, sizeof prov, "  %s%.*s%s%s%s", full ? "provider: " : "", plen, name,
		    lvl < 3 ? ": no job reported yet" : "", engine ? "; " : "",
		    engine ? u->engine_status : "");
	else
		snprintf(prov, sizeof prov, "  %s%.*s: ", full ? "provider: " : "", plen, name);
	struct {
		const char *text;
		enum theme_role role;
	} part[] = {{nums, T_HEADER}, {"db ", T_HEADER},
	    {u->db_ok ? "ok" : "DOWN", u->db_ok ? T_OK : T_ERROR},
	    {u->db_status ? " " : "", T_HEADER},
	    {u->db_status ? u->db_status : "", u->db_ok ? T_WARN : T_ERROR}, {prov, T_HEADER},
	    {lvl < 5 ? health : "", role}};
	int x = x0;
	for (size_t i = 0; i < LW_ARRAY_LEN(part); i++) {
		if (g == NULL)
			x += draw_text_width(part[i].text);
		else if (x < end)
			x += draw_text(g, x, y, end - x, part[i].role, part[i].text);
	}
	return x - x0;
}

void
pane_header_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	draw_fill(g, (struct draw_rect){r.x, r.y, r.w, 2}, ' ', T_HEADER);
	int room = r.w - 2; /* a column of margin each side */
	if (c == NULL) {
		draw_text(g, r.x + 1, r.y, room, T_HEADER, "launchwatch  (no campaigns)");
	} else {
		/* the most that fits: the program's name and the client go first */
		char line[512];
		for (int lvl = 0; lvl < 3; lvl++) {
			header_title(u, c, lvl, line, sizeof line);
			if (draw_text_width(line) <= room)
				break;
		}
		draw_text(g, r.x + 1, r.y, room, T_HEADER, line);
	}
	/* second row: numbers first (they matter most on a narrow terminal), then
	 * health, in the fullest form that fits */
	int lvl = 0;
	while (lvl < 5 && header_status(u, c, lvl, NULL, 0, 0, 0) > room)
		lvl++;
	if (lvl == 5 && c) {
		/* failing or blocked jobs are never dropped from the row: their
		 * brief health with the provider, cut at the edge */
		char h[200];
		enum theme_role role = T_HEADER;
		header_job_health(c, u->now_ms, true, h, sizeof h, &role);
		if (role == T_ERROR || role == T_WARN)
			lvl = 3;
	}
	header_status(u, c, lvl, g, r.x + 1, r.y + 1, r.x + r.w - 1);
}
