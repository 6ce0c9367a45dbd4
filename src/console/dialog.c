/*
 * dialog: the add-campaign form, the edit-tweets and settings forms, the
 * filter prompt and yes/no confirmations. A form writes campaign-file YAML
 * and validates it with config_load_string, the same loader `campaign add`
 * uses, so a form can never create what a file could not; on any error it
 * shows the loader's reasons (each naming its key), puts the cursor on the
 * first field named and writes nothing. Curses-free; UI thread only.
 */
#include "console/dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/form_settings.h"
#include "console/keycode.h"
#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"

#define FIELD_MAX 2048

enum dialog_kind { D_FORM, D_EDIT, D_SETTINGS, D_FILTER, D_CONFIRM };

struct field {
	const char *label;
	char text[FIELD_MAX];
};

struct dialog {
	enum dialog_kind kind;
	struct field *fields;
	size_t nfields;
	size_t cur;
	size_t top; /* the first field shown when they do not all fit */
	char *title;
	char *error; /* the loader's reasons, shown under the fields */
	char *note;  /* a line under the fields, or NULL */
	enum reader_cmd cmd;
	char cid[64];
	char *name;            /* D_EDIT, D_SETTINGS: the campaign's name */
	char tweet[LW_ID_MAX]; /* D_SETTINGS: a listed tweet (the loader wants one) */
	int64_t start_ms;
};

/* The add form's own fields, in order; the settings fields follow them. */
enum { F_NAME, F_CLIENT, F_START, F_DURATION, F_MAIN, F_INFLUENCER, F_INVESTOR, F__COUNT };
static const char *const form_labels[F__COUNT] = {"Name", "Client", "Window start", "Duration",
    "Main links", "Influencer links", "Investor links"};

/* Returns the index of the first settings field in a dialog of kind k. */
static size_t
settings_at(enum dialog_kind k)
{
	return k == D_FORM ? F__COUNT : 0;
}

/* Appends the settings fields to d, filled from settings c. */
static void
add_settings_fields(struct dialog *d, const struct cfg_campaign *c)
{
	size_t at = d->nfields;
	d->nfields += SF__COUNT;
	d->fields = xreallocarray(d->fields, d->nfields, sizeof *d->fields);
	for (int f = 0; f < SF__COUNT; f++) {
		d->fields[at + (size_t)f].label = form_settings_label((enum sf_field)f);
		form_settings_text(c, (enum sf_field)f, d->fields[at + (size_t)f].text, FIELD_MAX);
	}
}

struct dialog *
dialog_add_campaign(int64_t now_ms)
{
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = D_FORM;
	d->title = xstrdup("Add a campaign (Tab/Down next, Up back, Enter on the last field or "
	                   "Ctrl-S saves, Esc cancels)");
	d->nfields = F__COUNT;
	d->fields = xcalloc(F__COUNT, sizeof *d->fields);
	for (size_t i = 0; i < F__COUNT; i++)
		d->fields[i].label = form_labels[i];
	timestr_format_time(now_ms / 1000, d->fields[F_START].text, FIELD_MAX);
	snprintf(d->fields[F_DURATION].text, FIELD_MAX, "7d");
	/* the settings start at the loader's defaults, alerting on investors and founders */
	static const char defaults[] = "campaigns:\n  - name: x\n    window: {start: "
	                               "2026-12-01T00:00:00Z, duration: 1d}\n    tweets: {main: "
	                               "[\"1\"]}\n    alerts: {buckets: [investor, founder]}\n";
	struct cfg_file *cf = NULL;
	char *cause = NULL;
	struct cfg_campaign none = {0}; /* (they always load: a fixed text) */
	bool ok = config_load_string("defaults", defaults, strlen(defaults), &cf, &cause) == 0;
	add_settings_fields(d, ok ? &cf->campaigns[0] : &none);
	config_free(cf);
	free(cause);
	return d;
}

struct dialog *
dialog_edit_settings(const struct agg_campaign *c)
{
	const char *tweet = NULL;
	for (size_t i = 0; i < c->cfg.ntweets && tweet == NULL; i++)
		tweet = c->cfg.tweets[i].id;
	if (tweet == NULL)
		return NULL; /* not read yet, or no tweet: the loader wants one */
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = D_SETTINGS;
	d->title = xasprintf("\"%s\": empty is the default; Enter on the last field or Ctrl-S "
	                     "saves, Esc cancels",
	    c->name);
	d->note = xstrdup("Secrets as env:NAME or file:PATH. Lists: a, b. Durations: 90s, 5m, 1h.");
	add_settings_fields(d, &c->cfg);
	d->cmd = READER_SETTINGS;
	snprintf(d->cid, sizeof d->cid, "%s", c->id);
	snprintf(d->tweet, sizeof d->tweet, "%s", tweet);
	d->name = xstrdup(c->name);
	d->start_ms = c->start_ms;
	return d;
}

struct dialog *
dialog_edit_tweets(const struct agg_campaign *c)
{
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = D_EDIT;
	d->title = xasprintf("Tweets of \"%s\" (links or ids; Tab/Down next, Enter on the last "
	                     "field or Ctrl-S saves, Esc cancels)",
	    c->name);
	d->note = xstrdup("Removed tweets leave the campaign and its reports; their stored "
	                  "engagements are kept.");
	d->nfields = CAT__COUNT;
	d->fields = xcalloc(CAT__COUNT, sizeof *d->fields);
	d->fields[CAT_MAIN].label = form_labels[F_MAIN];
	d->fields[CAT_INFLUENCER].label = form_labels[F_INFLUENCER];
	d->fields[CAT_INVESTOR].label = form_labels[F_INVESTOR];
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		if (!t->listed || t->category >= CAT__COUNT)
			continue;
		struct field *f = &d->fields[t->category];
		size_t len = strlen(f->text);
		if (len + 1 + strlen(t->id) + 1 > FIELD_MAX) {
			/* a cut list would drop tweets on save: refuse instead */
			dialog_free(d);
			return NULL;
		}
		snprintf(f->text + len, FIELD_MAX - len, "%s%s", len ? " " : "", t->id);
	}
	d->cmd = READER_TWEETS;
	snprintf(d->cid, sizeof d->cid, "%s", c->id);
	d->name = xstrdup(c->name);
	d->start_ms = c->start_ms;
	return d;
}

struct dialog *
dialog_filter(const char *current)
{
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = D_FILTER;
	d->title = xstrdup("Filter the feed (Enter applies, empty clears, Esc cancels)");
	d->nfields = 1;
	d->fields = xcalloc(1, sizeof *d->fields);
	d->fields[0].label = "bucket= action= cat= min= tweet=";
	snprintf(d->fields[0].text, FIELD_MAX, "%s", current ? current : "");
	return d;
}

struct dialog *
dialog_confirm(const char *question, enum reader_cmd cmd, const char *cid)
{
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = D_CONFIRM;
	d->title = xstrdup(question);
	d->cmd = cmd;
	snprintf(d->cid, sizeof d->cid, "%s", cid ? cid : "");
	return d;
}

void
dialog_free(struct dialog *d)
{
	if (d == NULL)
		return;
	free(d->fields);
	free(d->title);
	free(d->error);
	free(d->note);
	free(d->name);
	free(d);
}

char *
dialog_form_yaml(const char *name, const char *client, const char *start, const char *duration,
    const char *const links[CAT__COUNT], const char *const *settings, int head_lines[7],
    int lines[SF__COUNT])
{
	struct sbuf b;
	sbuf_init(&b);
	int line = 2, hl[F__COUNT] = {0}, sl[SF__COUNT] = {0};
	sbuf_addstr(&b, "campaigns:\n  - name: ");
	form_yaml_quoted(&b, name);
	hl[F_NAME] = line++;
	sbuf_addstr(&b, "\n    client: {name: ");
	form_yaml_quoted(&b, client);
	hl[F_CLIENT] = line++;
	sbuf_addstr(&b, "}\n    window:\n      start: ");
	line++;
	form_yaml_quoted(&b, start);
	hl[F_START] = line++;
	sbuf_addstr(&b, "\n      duration: ");
	form_yaml_quoted(&b, duration);
	hl[F_DURATION] = line++;
	sbuf_addstr(&b, "\n    tweets:\n");
	line++;
	for (int c = 0; c < CAT__COUNT; c++) {
		if (strspn(links[c], " ,\t\r\n") == strlen(links[c]))
			continue;
		sbuf_printf(&b, "      %s: ", category_name((enum tweet_category)c));
		form_yaml_list(&b, links[c]);
		sbuf_addstr(&b, "\n");
		hl[F_MAIN + c] = line++;
	}
	line--; /* the count of lines written */
	if (settings)
		form_settings_yaml(&b, settings, &line, sl);
	if (head_lines)
		memcpy(head_lines, hl, sizeof hl);
	if (lines)
		memcpy(lines, sl, sizeof sl);
	return sbuf_take(&b);
}

/* Shows the loader's reasons cause (taken) under d's fields and puts the
 * cursor on the first field, in the form's order, that a reason names by
 * its line: head[i] is the line of field i (n of them), lines[f] that of
 * settings field f (or NULL). */
static void
form_error(struct dialog *d, char *cause, const int *head, size_t n, const int *lines)
{
	free(d->error);
	d->error = cause;
	size_t best = SIZE_MAX;
	for (const char *p = cause; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		int l = 0;
		if (sscanf(p, "form:%d:", &l) != 1)
			continue;
		for (size_t i = 0; i < n; i++)
			if (i < best && head[i] == l)
				best = i;
		for (int f = 0; lines && f < SF__COUNT; f++)
			if (lines[f] == l && settings_at(d->kind) + (size_t)f < best)
				best = settings_at(d->kind) + (size_t)f;
	}
	if (best < d->nfields)
		d->cur = best;
}

/* Returns the texts of d's settings fields (borrowed from d). */
static void
settings_texts(struct dialog *d, const char *out[SF__COUNT])
{
	for (int f = 0; f < SF__COUNT; f++)
		out[f] = d->fields[settings_at(d->kind) + (size_t)f].text;
}

/* Validates the form; on success asks to post the campaign and returns
 * true. */
static bool
form_submit(struct dialog *d, struct dialog_result *res)
{
	struct field *f = d->fields;
	const char *links[CAT__COUNT] = {f[F_MAIN].text, f[F_INFLUENCER].text, f[F_INVESTOR].text};
	const char *set[SF__COUNT];
	int head[F__COUNT], lines[SF__COUNT];
	settings_texts(d, set);
	char *yaml = dialog_form_yaml(f[F_NAME].text, f[F_CLIENT].text, f[F_START].text,
	    f[F_DURATION].text, links, set, head, lines);
	struct cfg_file *cf = NULL;
	char *cause = NULL;
	int rc = config_load_string("form", yaml, strlen(yaml), &cf, &cause);
	free(yaml);
	if (rc == 0 && (cf->ncampaigns != 1 || cf->campaigns[0].ntweets == 0)) {
		config_free(cf);
		cf = NULL;
		rc = set_cause(&cause, "form: give at least one tweet link");
	}
	if (rc != 0) {
		form_error(d, cause, head, F__COUNT, lines);
		return false;
	}
	res->message = xasprintf("adding campaign \"%s\"...", cf->campaigns[0].name);
	res->post = true;
	res->cmd = READER_UPSERT;
	res->f = cf;
	return true;
}

/* Validates the edited tweet lists with the campaign-file loader (wrapped
 * in a campaign of the same name); on success asks to post them for the
 * campaign and returns true. Nothing is written on error. */
static bool
edit_submit(struct dialog *d, struct dialog_result *res)
{
	char start[32];
	timestr_format_time(d->start_ms / 1000, start, sizeof start);
	const char *links[CAT__COUNT] = {
	    d->fields[CAT_MAIN].text, d->fields[CAT_INFLUENCER].text, d->fields[CAT_INVESTOR].text};
	int head[F__COUNT];
	char *yaml = dialog_form_yaml(d->name, "", start, "1d", links, NULL, head, NULL);
	struct cfg_file *cf = NULL;
	char *cause = NULL;
	int rc = config_load_string("form", yaml, strlen(yaml), &cf, &cause);
	free(yaml);
	if (rc == 0 && (cf->ncampaigns != 1 || cf->campaigns[0].ntweets == 0)) {
		config_free(cf);
		cf = NULL;
		rc = set_cause(&cause, "form: keep at least one tweet link (close the campaign "
		                       "with c instead)");
	}
	if (rc != 0) {
		form_error(d, cause, head + F_MAIN, CAT__COUNT, NULL);
		return false;
	}
	res->message = xasprintf("saving the tweets of \"%s\"...", d->name);
	res->post = true;
	res->cmd = READER_TWEETS;
	snprintf(res->cid, sizeof res->cid, "%s", d->cid);
	res->f = cf;
	return true;
}

/* Validates the edited settings with the campaign-file loader (inside a
 * campaign of the same name and one of its tweets); on success asks to
 * post them for the campaign and returns true. Nothing is written on
 * error. */
static bool
settings_submit(struct dialog *d, struct dialog_result *res)
{
	char start[32];
	timestr_format_time(d->start_ms / 1000, start, sizeof start);
	const char *links[CAT__COUNT] = {d->tweet, "", ""};
	const char *set[SF__COUNT];
	int lines[SF__COUNT];
	settings_texts(d, set);
	char *yaml = dialog_form_yaml(d->name, "", start, "1d", links, set, NULL, lines);
	struct cfg_file *cf = NULL;
	char *cause = NULL;
	if (config_load_string("form", yaml, strlen(yaml), &cf, &cause) != 0) {
		free(yaml);
		form_error(d, cause, NULL, 0, lines);
		return false;
	}
	free(yaml);
	res->message = xasprintf("saving the settings of \"%s\"...", d->name);
	res->post = true;
	res->cmd = READER_SETTINGS;
	snprintf(res->cid, sizeof res->cid, "%s", d->cid);
	res->f = cf;
	return true;
}

/* Checks the filter prompt; returns true when it was valid, asking to set
 * it. */
static bool
filter_submit(struct dialog *d, struct dialog_result *res)
{
	struct agg_filter f;
	char *cause = NULL;
	if (ui_filter_parse(d->fields[0].text, &f, &cause) != 0) {
		free(d->error);
		d->error = cause;
		return false;
	}
	res->filter = true;
	res->filt = f;
	snprintf(res->filter_text, sizeof res->filter_text, "%.*s",
	    (int)sizeof res->filter_text - 1, d->fields[0].text);
	return true;
}

/* Appends code point cp to field f as UTF-8. */
static void
field_add(struct field *f, int cp)
{
	char u[4];
	size_t n = text_utf8_encode((uint32_t)cp, u);
	size_t len = strlen(f->text);
	if (len + n >= FIELD_MAX)
		return;
	memcpy(f->text + len, u, n);
	f->text[len + n] = '\0';
}

/* Removes the last UTF-8 character of field f. */
static void
field_backspace(struct field *f)
{
	size_t len = strlen(f->text);
	while (len > 0 && ((unsigned char)f->text[len - 1] & 0xc0) == 0x80)
		len--;
	if (len > 0)
		len--;
	f->text[len] = '\0';
}

bool
dialog_key(struct dialog *d, int key, struct dialog_result *res)
{
	memset(res, 0, sizeof *res);
	if (d->kind == D_CONFIRM) {
		if (key == 'y' || key == 'Y') {
			res->post = true;
			res->cmd = d->cmd;
			snprintf(res->cid, sizeof res->cid, "%s", d->cid);
			res->show_closeout = d->cmd == READER_CLOSE; /* follow the report job */
			return true;
		}
		return key == 'n' || key == 'N' || key == KEY_CODE_ESC || key == 'q';
	}
	struct field *f = &d->fields[d->cur];
	if (key == KEY_CODE_ESC)
		return true;
	if (key == KEY_CODE_TAB || key == KEY_CODE_DOWN) {
		d->cur = (d->cur + 1) % d->nfields;
	} else if (key == KEY_CODE_BTAB || key == KEY_CODE_UP) {
		d->cur = (d->cur + d->nfields - 1) % d->nfields;
	} else if (key == KEY_CODE_BACKSPACE || key == 127 || key == 8) {
		field_backspace(f);
	} else if (key == 21) { /* Ctrl-U clears the field */
		f->text[0] = '\0';
	} else if (key == KEY_CODE_ENTER || key == '\n' || key == 19 /* Ctrl-S */) {
		if (d->kind == D_FILTER)
			return filter_submit(d, res);
		if (key != 19 && d->cur + 1 < d->nfields) {
			d->cur++;
			return false;
		}
		return d->kind == D_EDIT       ? edit_submit(d, res)
		       : d->kind == D_SETTINGS ? settings_submit(d, res)
		                               : form_submit(d, res);
	} else if (key >= 0x20 && key < 0x110000 && key != 0x7f) {
		field_add(f, key);
	}
	return false;
}

/* Draws the loader's reasons err wrapped to width w from row y on, above
 * row ymax (when g is NULL, only counts); returns the rows they take. */
static int
error_lines(struct draw_grid *g, const char *err, int x, int y, int w, int ymax)
{
	int n = 0;
	for (const char *p = err; *p;) {
		size_t line = strcspn(p, "\n");
		char *one = xstrndup(p, line);
		for (const char *q = one; *q || q == one; n++) {
			/* continued lines are indented under their reason */
			size_t k = draw_wrap_len(q, (size_t)(w > 10 ? w - 2 : 8));
			if (g && y + n < ymax)
				draw_textf(g, x + (q == one ? 0 : 2), y + n, w - 2, T_ERROR, "%.*s",
				    (int)k, q);
			q += k;
			q += strspn(q, " ");
			if (k == 0)
				break;
		}
		free(one);
		p += line;
		p += *p == '\n';
	}
	return n;
}

void
dialog_draw(struct dialog *d, struct draw_grid *g)
{
	int w = g->w - 4 < 100 ? g->w - 4 : 100;
	int errl = d->error ? error_lines(NULL, d->error, 0, 0, w - 4, 0) : 0;
	int h = d->kind == D_CONFIRM
	            ? 5
	            : (int)d->nfields + 4 + (errl ? errl + 1 : 0) + (d->note ? 2 : 0);
	h = h > g->h - 2 ? g->h - 2 : h;
	struct draw_rect r = {(g->w - w) / 2, (g->h - h) / 2, w, h};
	/* the fields that fit, scrolled to keep the cursor's shown */
	int vis = h - 4 - (errl ? errl + 1 : 0) - (d->note ? 2 : 0);
	int least = d->nfields < 3 ? (int)d->nfields : 3;
	vis = vis < least ? least : vis > (int)d->nfields ? (int)d->nfields : vis;
	if (d->cur < d->top)
		d->top = d->cur;
	if (vis > 0 && d->cur >= d->top + (size_t)vis)
		d->top = d->cur - (size_t)vis + 1;
	char box[64];
	snprintf(box, sizeof box, "%s",
	    d->kind == D_FORM       ? "Add a campaign"
	    : d->kind == D_EDIT     ? "Edit tweets"
	    : d->kind == D_SETTINGS ? "Campaign settings"
	                            : "");
	if (vis < (int)d->nfields) /* say where the cursor is among them */
		snprintf(box + strlen(box), sizeof box - strlen(box), " (field %zu of %zu)",
		    d->cur + 1, d->nfields);
	draw_fill(g, r, ' ', T_NORMAL);
	draw_box(g, r, T_BORDER_FOCUS, box, T_TITLE);
	draw_text(g, r.x + 2, r.y + 1, w - 4, T_TITLE, d->title);
	if (d->kind == D_CONFIRM) {
		draw_text(g, r.x + 2, r.y + 3, w - 4, T_KEY, "y: yes   n: no");
		return;
	}
	int lw = d->kind == D_FILTER ? 26 : 24;
	for (int k = 0; k < vis && r.y + 2 + k < r.y + h - 1; k++) {
		size_t i = d->top + (size_t)k;
		int y = r.y + 2 + k;
		bool cur = i == d->cur;
		draw_text(g, r.x + 2, y, lw, cur ? T_KEY : T_DIM, d->fields[i].label);
		int fw = w - lw - 5;
		const char *t = d->fields[i].text;
		/* show the end of a long field so the cursor stays visible */
		int tw = draw_text_width(t);
		while (tw > fw - 1 && *t) {
			uint32_t cp;
			size_t n = text_utf8_decode(t, strlen(t), &cp);
			tw -= draw_cp_width(cp);
			t += n;
		}
		draw_fill(g, (struct draw_rect){r.x + 3 + lw, y, fw, 1}, ' ',
		    cur ? T_SELECTED : T_NORMAL);
		int used = draw_text(g, r.x + 3 + lw, y, fw, cur ? T_SELECTED : T_NORMAL, t);
		if (cur && used < fw)
			draw_put(g, r.x + 3 + lw + used, y, '_', T_SELECTED);
	}
	int below = r.y + 2 + vis + 1;
	if (d->note && below < r.y + h - 1) {
		draw_text(g, r.x + 2, below, w - 4, T_DIM, d->note);
		below += 2;
	}
	if (d->error)
		error_lines(g, d->error, r.x + 2, below, w - 4, r.y + h - 1);
}

/* Names of filter keys and what each sets. */
enum filter_key { FK_BUCKET, FK_ACTION, FK_CATEGORY, FK_MIN, FK_TWEET };
static const struct {
	const char *name;
	enum filter_key k;
} filter_keys[] = {{"bucket", FK_BUCKET}, {"b", FK_BUCKET}, {"action", FK_ACTION}, {"a", FK_ACTION},
    {"cat", FK_CATEGORY}, {"category", FK_CATEGORY}, {"c", FK_CATEGORY}, {"min", FK_MIN},
    {"importance", FK_MIN}, {"tweet", FK_TWEET}, {"t", FK_TWEET}};

int
ui_filter_parse(const char *text, struct agg_filter *out, char **cause)
{
	struct agg_filter f = {0};
	char *copy = xstrdup(text), *save = NULL;
	int rc = 0;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		int k = -1;
		if (eq) {
			*eq = '\0';
			for (size_t i = 0; i < LW_ARRAY_LEN(filter_keys); i++)
				if (strcmp(w, filter_keys[i].name) == 0)
					k = (int)filter_keys[i].k;
		}
		if (k < 0) {
			rc =
			    set_cause(cause, "'%s': use bucket=, action=, cat=, min= or tweet=", w);
			goto fail;
		}
		char *s2 = NULL;
		for (char *v = strtok_r(eq + 1, ",", &s2); v; v = strtok_r(NULL, ",", &s2)) {
			enum lw_bucket b;
			enum lw_action a;
			enum tweet_category c;
			if (k == FK_BUCKET && bucket_parse(v, &b) == 0)
				f.buckets |= 1u << b;
			else if (k == FK_ACTION && action_parse(v, &a) == 0)
				f.actions |= 1u << a;
			else if (k == FK_CATEGORY && category_parse(v, &c) == 0)
				f.categories |= 1u << c;
			else if (k == FK_MIN && str_is_digits(v) && atoi(v) <= 100)
				f.min_importance = atoi(v);
			else if (k == FK_TWEET && str_is_digits(v) && strlen(v) < sizeof f.tweet_id)
				snprintf(
				    f.tweet_id, sizeof f.tweet_id, "%s", v); /* one tweet's id */
			else {
				rc = set_cause(cause, "'%s' is not a valid %s", v,
				    (const char *const[]){"bucket", "action", "category",
				        "importance (0-100)", "tweet id"}[k]);
				goto fail;
			}
		}
	}
	*out = f;
fail:
	free(copy);
	return rc;
}
