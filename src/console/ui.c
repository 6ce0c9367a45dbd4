/*
 * ui: the console's curses loop.
 *
 * Threads. The UI thread (ui_main) is the only one that calls curses. It
 * polls stdin and the queue's wake pipe with a short tick, takes what the
 * reader published (campaigns, prepared summaries, the change log's new
 * engagements, tweets' series and profiles read on demand, jobs, alerts,
 * authors, command results, the close-out state) into the model, handles
 * keys and mouse events, renders the frame into a draw_grid (curses-free
 * panes) and copies the changed cells to the terminal. With --http it also
 * builds the JSON endpoint's snapshots from the model and publishes them
 * (jsonapi.h).
 *
 * The reader (engine/reader.h) does every read and write on its own thread
 * and wakes this one with an empty batch on the queue, so a slow or dead
 * database never freezes the screen. An engine in this process hands
 * nothing to the console directly: what it stores reaches the screen
 * through the change log, as it does for a console beside `launchwatch
 * run`.
 */
#include "console/ui.h"

#include <curses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console/dispatch.h"
#include "api/jsonapi.h"
#include "console/keys.h"
#include "console/pane.h"
#include "console/prefs.h"
#include "engine/queue.h"
#include "engine/reader.h"
#include "console/theme.h"
#include "base/util.h"

#define TICK_MS      250 /* the loop wakes at least this often */
#define API_EVERY_MS 500 /* the JSON endpoint's snapshot is rebuilt at most this often */

static volatile sig_atomic_t got_stop;

/* Notes a stop signal for the loop. */
static void
on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

/* curses key codes and what the key table calls them. */
static const struct {
	int curses;
	int code;
} key_map[] = {
    {KEY_UP, KEY_CODE_UP},
    {KEY_DOWN, KEY_CODE_DOWN},
    {KEY_PPAGE, KEY_CODE_PGUP},
    {KEY_NPAGE, KEY_CODE_PGDN},
    {KEY_BTAB, KEY_CODE_BTAB},
    {KEY_HOME, KEY_CODE_HOME},
    {KEY_END, KEY_CODE_END},
    {KEY_BACKSPACE, KEY_CODE_BACKSPACE},
    {KEY_ENTER, KEY_CODE_ENTER},
    {KEY_LEFT, KEY_CODE_LEFT},
    {KEY_RIGHT, KEY_CODE_RIGHT},
};

/* Returns the enum key_mouse of a curses mouse event, or -1 for one the
 * console does not use. */
static int
mouse_event(const MEVENT *me)
{
	if (me->bstate & BUTTON4_PRESSED)
		return MOUSE_WHEEL_UP;
	if (me->bstate & BUTTON5_PRESSED)
		return MOUSE_WHEEL_DOWN;
	if (me->bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		return MOUSE_CLICK;
	return -1;
}

/* Carries out what a handler asked for beyond the state it changed
 * (enum key_react flags r): sets *quit, and *all when every cell must be
 * painted again. */
static void
react(struct ui *u, unsigned r, bool *quit, bool *all)
{
	if (r & KR_REDRAW)
		u->dirty = true;
	if (r & KR_QUIT)
		*quit = true;
	if (r & KR_THEME) {
		struct theme t;
		char *cause = NULL;
		if (theme_load(u->theme_name, &t, &cause) == 0)
			theme_apply(&t);
		free(cause);
		*all = true;
	}
}

/* Copies the cells of g that differ from prev to the screen. */
static void
blit(struct draw_grid *g, struct draw_grid *prev, bool all)
{
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++) {
			struct draw_cell *c = draw_at(g, x, y), *p = draw_at(prev, x, y);
			if (!all && p && p->ch == c->ch && p->role == c->role &&
			    p->width == c->width)
				continue;
			if (c->width == 0)
				continue;
			wchar_t wc[2] = {(wchar_t)c->ch, 0};
			cchar_t cc;
			/* setcchar takes the colour pair apart from the attributes:
			 * a pair left in attrs with pair 0 is dropped */
			attr_t a = (attr_t)theme_attr((enum theme_role)c->role);
			setcchar(&cc, wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
			mvadd_wch(y, x, &cc);
		}
	memcpy(prev->cells, g->cells, (size_t)g->w * (size_t)g->h * sizeof *g->cells);
}

int
ui_main(const struct ui_opts *o, struct reader *rd, struct queue *q, bool simulated)
{
	struct theme th;
	char *cause = NULL;
	struct prefs remembered;
	prefs_load(&remembered);
	/* --theme, else the theme remembered (when it still loads), else the default */
	const char *tname = o->theme ? o->theme : "default";
	if (o->theme == NULL && remembered.theme[0] && theme_load(remembered.theme, &th, NULL) == 0)
		tname = remembered.theme;
	if (theme_load(tname, &th, &cause) != 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		free(cause);
		return LW_EXIT_USAGE;
	}
	struct agg *agg = agg_new();
	struct ui u;
	ui_init(&u, agg);
	snprintf(u.theme_name, sizeof u.theme_name, "%s", tname);
	if (!res_parse(remembered.chart, &u.res))
		u.res = RES_AUTO;
	u.pick_pending = true;
	snprintf(u.pick_cid, sizeof u.pick_cid, "%s", remembered.campaign);
	u.simulated = simulated;
	size_t nsim = 0;
	while (nsim < LW_ARRAY_LEN(o->sim_tweets) && o->sim_tweets[nsim])
		nsim++;
	ui_set_sim_tweets(&u, o->sim_tweets, nsim);
	u.now_ms = clock_now_ms();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the engine (scheduler, workers, alerts, close-out) is started by
	 * cmd_tui before this loop; the reader (also started by cmd_tui)
	 * follows the database, where this process's engine and another's
	 * write alike */
	u.engine_status = o->engine_status;
	u.provider = o->provider;
	if (o->engine_status)
		ui_message(&u, "%s", o->engine_status);

	initscr();
	cbreak();
	/* Ctrl-S saves in the forms: take it from the terminal's XON/XOFF flow
	 * control, which would freeze the output until Ctrl-Q */
	struct termios tio;
	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			def_prog_mode();
	}
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* clicks focus panes, the wheel scrolls (Shift keeps the terminal's own
	 * selection); LAUNCHWATCH_NO_MOUSE=1 leaves the mouse to the terminal */
	const char *nomouse = getenv("LAUNCHWATCH_NO_MOUSE");
	if (!(nomouse && *nomouse && strcmp(nomouse, "0") != 0)) {
		mousemask(
		    BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	theme_apply(&th);
	bool ascii = o->ascii || MB_CUR_MAX == 1;
	u.ascii = ascii;
	struct draw_grid *g = draw_grid_new(COLS, LINES, ascii);
	struct draw_grid *prev = draw_grid_new(COLS, LINES, ascii);
	bool all = true, quit = false;
	int64_t last_draw = 0, last_api = 0;
	struct jsonapi_snap *api_snap = NULL; /* the last one published (our reference) */
	while (!quit && !got_stop) {
		struct pollfd pf[2] = {{0, POLLIN, 0}, {queue_wake_fd(q), POLLIN, 0}};
		poll(pf, 2, TICK_MS);
		u.now_ms = clock_now_ms();
		queue_drain_wake(q);
		/* the reader's wake-ups: what it read waits in reader_take */
		for (struct event_batch *b; (b = queue_pop(q)) != NULL;)
			event_batch_free(b);
		dispatch_take(&u, rd);
		/* the JSON endpoint answers from immutable snapshots built here, on
		 * the agg's thread; its own threads never touch agg or the database */
		if (o->api && u.now_ms - last_api >= API_EVERY_MS &&
		    (api_snap == NULL || jsonapi_snap_stale(api_snap, agg, u.now_ms))) {
			struct jsonapi_snap *next = jsonapi_snap_build(agg, api_snap, u.now_ms);
			jsonapi_publish(o->api, jsonapi_snap_ref(next));
			jsonapi_snap_unref(api_snap);
			api_snap = next;
			last_api = u.now_ms;
		}
		wint_t wch;
		int r;
		while ((r = get_wch(&wch)) != ERR) {
			int key = (int)wch;
			if (r == KEY_CODE_YES) {
				if (wch == KEY_MOUSE) {
					MEVENT me;
					int ev = getmouse(&me) == OK ? mouse_event(&me) : -1;
					if (ev >= 0 && !u.dialog && !u.help)
						react(&u,
						    keys_mouse(&u, (enum key_mouse)ev, me.x, me.y),
						    &quit, &all);
					continue;
				}
				if (wch == KEY_RESIZE) {
					draw_grid_resize(g, COLS, LINES);
					draw_grid_resize(prev, COLS, LINES);
					clearok(stdscr, TRUE);
					all = true;
					u.dirty = true;
					continue;
				}
				for (size_t k = 0; k < LW_ARRAY_LEN(key_map); k++)
					if (key_map[k].curses == (int)wch)
						key = key_map[k].code;
			}
			react(&u, dispatch_key(&u, key), &quit, &all);
		}
		/* what the keys queued for the reader goes at once */
		dispatch_commands(&u, rd);
		if (u.dirty || u.now_ms - last_draw >= 1000) {
			ui_render(&u, g);
			blit(g, prev, all);
			refresh();
			all = false;
			u.dirty = false;
			last_draw = u.now_ms;
		}
	}
	/* the terminal is the shell's again at once; the caller stops the
	 * rest within its quit budget, counted from here */
	if (o->left_at_ms)
		*o->left_at_ms = clock_mono_ms();
	endwin();
	/* remember the theme and the campaign for the next start */
	struct agg_campaign *cur = ui_campaign(&u);
	snprintf(remembered.theme, sizeof remembered.theme, "%s", u.theme_name);
	snprintf(remembered.chart, sizeof remembered.chart, "%s", res_name(u.res));
	if (cur && !u.pick_pending)
		snprintf(remembered.campaign, sizeof remembered.campaign, "%s", cur->id);
	if (prefs_save(&remembered, &cause) != 0) {
		fprintf(
		    stderr, "launchwatch: could not remember the theme and campaign: %s\n", cause);
		free(cause);
	}
	jsonapi_snap_unref(api_snap);
	draw_grid_free(g);
	draw_grid_free(prev);
	ui_done(&u);
	agg_free(agg);
	return LW_EXIT_OK;
}
