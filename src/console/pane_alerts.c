/*
 * pane_alerts: the alerts in alerts_sent (sent, pending and failed, newest
 * first) with a count of each; the alert worker is a separate issue, so this
 * shows what the database holds. Curses-free; UI thread.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "console/pane.h"

void
pane_alerts_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	int count[ALERT__DELIVERIES] = {0};
	for (size_t i = 0; c && i < c->nalerts; i++)
		if ((unsigned)c->alerts[i].status < ALERT__DELIVERIES)
			count[c->alerts[i].status]++;
	char title[96];
	snprintf(title, sizeof title, "Alerts: %d sent, %d pending, %d failed", count[ALERT_SENT],
	    count[ALERT_PENDING], count[ALERT_FAILED]);
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	int rows = r.h - 2, w = r.w - 2;
	if (c->nalerts == 0) {
		draw_text(g, r.x + 2, r.y + 1, w - 1, T_DIM, "no alerts yet");
		/* and why: what the campaign alerts on, and where, wrapped */
		const char *t = c->alert_rule;
		for (int y = 1; *t && y < rows; y++) {
			size_t n = draw_wrap_len(t, (size_t)(w > 9 ? w - 1 : 8));
			draw_textf(g, r.x + 2, r.y + 1 + y, w - 1, T_DIM, "%.*s", (int)n, t);
			for (t += n; *t == ' '; t++)
				;
		}
	}
	for (int i = 0; i < rows && u->alerts_off + (size_t)i < c->nalerts; i++) {
		const struct agg_alert *a = &c->alerts[u->alerts_off + (size_t)i];
		static const enum theme_role roles[ALERT__DELIVERIES] = {
		    [ALERT_SENT] = T_NORMAL, [ALERT_PENDING] = T_WARN, [ALERT_FAILED] = T_ERROR};
		char t[16], st[160], line[256];
		enum theme_role role =
		    (unsigned)a->status < ALERT__DELIVERIES ? roles[a->status] : T_NORMAL;
		snprintf(line, sizeof line, "%s %s  %s @%s %s", fmt_clock(a->at_ms, t, sizeof t),
		    alert_delivery_format(a->status, a->why, st, sizeof st), a->channel, a->handle,
		    action_name((enum lw_action)a->action));
		draw_text(g, r.x + 1, r.y + 1 + i, w, role, line);
	}
}
