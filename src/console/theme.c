/*
 * theme: role names, the theme file (a YAML mapping of role: style, read
 * with the shared YAML reader of config/), the search path and built-in
 * copies of the default, light and mono themes (parsing is pure), and the
 * UI thread's colour setup with curses (theme_apply, theme_attr).
 */
#include "console/theme.h"

#include <curses.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "config/yamlkeys.h"
#include "config/yamlread.h"

static const char *const role_names[T__COUNT] = {"normal", "title", "header", "border",
    "border_focus", "dim", "selected", "banner", "ok", "warn", "error", "key", "axis", "status",
    "investor", "founder", "ai", "developer", "media", "other", "retweet", "reply", "quote",
    "series1", "series2", "series3", "series4", "series5", "series6"};

/* Built-in copies of themes/NAME.theme, used when no file is found. */
static const struct {
	const char *name;
	const char *text;
} builtin[] = {
    {"default", "normal:       default:default\n"
                "title:        bright-white:default bold\n"
                "header:       black:cyan\n"
                "border:       bright-black:default\n"
                "border_focus: cyan:default bold\n"
                "dim:          bright-black:default\n"
                "selected:     black:cyan\n"
                "banner:       black:yellow bold\n"
                "ok:           green:default\n"
                "warn:         yellow:default bold\n"
                "error:        bright-white:red bold\n"
                "key:          cyan:default bold\n"
                "axis:         bright-black:default\n"
                "status:       black:white\n"
                "investor:     214:default bold\n"
                "founder:      141:default\n"
                "ai:           51:default\n"
                "developer:    118:default\n"
                "media:        207:default\n"
                "other:        250:default\n"
                "retweet:      green:default\n"
                "reply:        cyan:default\n"
                "quote:        magenta:default\n"
                "series1:      203:default\n"
                "series2:      83:default\n"
                "series3:      81:default\n"
                "series4:      221:default\n"
                "series5:      177:default\n"
                "series6:      250:default\n"},
    {"light", "normal:       default:default\n"
              "title:        black:default bold\n"
              "header:       white:blue\n"
              "border:       244:default\n"
              "border_focus: blue:default bold\n"
              "dim:          244:default\n"
              "selected:     white:blue\n"
              "banner:       black:yellow bold\n"
              "ok:           22:default\n"
              "warn:         130:default bold\n"
              "error:        white:red bold\n"
              "key:          blue:default bold\n"
              "axis:         244:default\n"
              "status:       white:black\n"
              "investor:     166:default bold\n"
              "founder:      91:default\n"
              "ai:           25:default\n"
              "developer:    28:default\n"
              "media:        163:default\n"
              "other:        240:default\n"
              "retweet:      22:default\n"
              "reply:        25:default\n"
              "quote:        91:default\n"
              "series1:      160:default\n"
              "series2:      28:default\n"
              "series3:      25:default\n"
              "series4:      130:default\n"
              "series5:      91:default\n"
              "series6:      240:default\n"},
    {"mono", "normal:       default:default\n"
             "title:        default:default bold\n"
             "header:       default:default reverse\n"
             "border:       default:default\n"
             "border_focus: default:default bold\n"
             "dim:          default:default\n"
             "selected:     default:default reverse\n"
             "banner:       default:default reverse bold\n"
             "ok:           default:default\n"
             "warn:         default:default bold\n"
             "error:        default:default reverse bold\n"
             "key:          default:default bold\n"
             "axis:         default:default\n"
             "status:       default:default reverse\n"
             "investor:     default:default bold\n"
             "founder:      default:default underline\n"
             "ai:           default:default\n"
             "developer:    default:default\n"
             "media:        default:default underline\n"
             "other:        default:default\n"
             "retweet:      default:default\n"
             "reply:        default:default\n"
             "quote:        default:default\n"
             "series1:      default:default bold\n"
             "series2:      default:default\n"
             "series3:      default:default\n"
             "series4:      default:default\n"
             "series5:      default:default\n"
             "series6:      default:default\n"},
};

static const char *const builtin_names[] = {"default", "light", "mono", NULL};

/* Colour names and their numbers. */
static const struct {
	const char *name;
	short n;
} colour_names[] = {
    {"default", -1},
    {"black", 0},
    {"red", 1},
    {"green", 2},
    {"yellow", 3},
    {"blue", 4},
    {"magenta", 5},
    {"cyan", 6},
    {"white", 7},
    {"bright-black", 8},
    {"gray", 8},
    {"grey", 8},
    {"bright-red", 9},
    {"bright-green", 10},
    {"bright-yellow", 11},
    {"bright-blue", 12},
    {"bright-magenta", 13},
    {"bright-cyan", 14},
    {"bright-white", 15},
};

/* Attribute words. */
static const struct {
	const char *name;
	int bit;
} attr_names[] = {{"bold", THEME_BOLD}, {"reverse", THEME_REVERSE}, {"underline", THEME_UNDERLINE}};

const char *
theme_role_name(enum theme_role r)
{
	return (unsigned)r < T__COUNT ? role_names[r] : "?";
}

const char *const *
theme_builtin_names(void)
{
	return builtin_names;
}

/* Parses a colour name or number; 0 or -1. */
static int
parse_colour(const char *s, size_t n, short *out)
{
	char buf[32];
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < LW_ARRAY_LEN(colour_names); i++)
		if (strcmp(buf, colour_names[i].name) == 0) {
			*out = colour_names[i].n;
			return 0;
		}
	if (!str_is_digits(buf) || n > 3 || atoi(buf) > 255)
		return -1;
	*out = (short)atoi(buf);
	return 0;
}

/* Sets *msg to ": unknown WHAT 'word' (did you mean 'x'?)", naming the
 * choices when none is close; returns -1. */
static int
unknown_word(const char *what, const char *word, size_t n, const char *const *names, size_t count,
    const char *choices, char **msg)
{
	char *w = xstrndup(word, n), *q = yr_quote(w);
	int s = yr_suggest(w, names, count);
	if (s >= 0)
		*msg = xasprintf(": unknown %s '%s' (did you mean '%s'?)", what, q, names[s]);
	else
		*msg = xasprintf(": unknown %s '%s' (%s)", what, q, choices);
	free(q);
	free(w);
	return -1;
}

/* Parses one colour of a style, fg or bg, reporting an unknown one. */
static int
style_colour(const char *s, size_t n, short *out, char **msg)
{
	const char *names[LW_ARRAY_LEN(colour_names)];
	if (parse_colour(s, n, out) == 0)
		return 0;
	for (size_t i = 0; i < LW_ARRAY_LEN(colour_names); i++)
		names[i] = colour_names[i].name;
	return unknown_word("colour", s, n, names, LW_ARRAY_LEN(names),
	    "a name such as bright-white, or a number from 0 to 255", msg);
}

/* Parses a role's style, "FG:BG [bold] [reverse] [underline]", into the
 * struct theme_style at dst. */
static int
parse_style(const struct yr_key *k, const char *in, void *dst, char **msg)
{
	static const char *const attrs[] = {"bold", "reverse", "underline"};
	struct theme_style st = {-1, -1, 0};
	const char *p = in + strspn(in, " \t");
	size_t n = strcspn(p, " \t");
	const char *colon = memchr(p, ':', n);
	(void)k;
	if (colon == NULL) {
		char *q = yr_quote(in);
		*msg = xasprintf(" must be FG:BG colours, then any of bold, reverse and underline "
		                 "(such as cyan:default bold), got '%s'",
		    q);
		free(q);
		return -1;
	}
	if (style_colour(p, (size_t)(colon - p), &st.fg, msg) != 0 ||
	    style_colour(colon + 1, (size_t)(p + n - colon - 1), &st.bg, msg) != 0)
		return -1;
	for (p += n; *(p += strspn(p, " \t")) != '\0'; p += n) {
		size_t a;
		n = strcspn(p, " \t");
		for (a = 0; a < LW_ARRAY_LEN(attr_names); a++)
			if (strlen(attr_names[a].name) == n &&
			    memcmp(p, attr_names[a].name, n) == 0)
				break;
		if (a == LW_ARRAY_LEN(attr_names))
			return unknown_word("attribute", p, n, attrs, LW_ARRAY_LEN(attrs),
			    "bold, reverse or underline", msg);
		st.attrs |= attr_names[a].bit;
	}
	*(struct theme_style *)dst = st;
	return 0;
}

/* What the reader says about theme files: an empty one changes nothing. */
static const struct yr_file theme_file = {.empty = NULL, .one_document = NULL, .terse = false};

/* Reads a theme's root mapping of role: style into the struct theme at arg. */
static void
read_theme(struct yr_doc *d, const struct yr_node *root, void *arg)
{
	struct yr_key keys[T__COUNT];
	const struct yr_level lv = {keys, T__COUNT, NULL, "role", false, NULL};
	if (yr_kind(root) != YRN_MAPPING) {
		char *kind = yr_describe(root);
		yr_error(d, root,
		    "a theme must be a mapping of role: colours (such as title: "
		    "bright-white:default bold), got %s",
		    kind);
		free(kind);
		return;
	}
	for (int r = 0; r < T__COUNT; r++)
		keys[r] = (struct yr_key){.path = role_names[r],
		    .type = YR_SCALAR,
		    .scalar = parse_style,
		    .what = "colours such as cyan:default bold",
		    .off = offsetof(struct theme, style) + (size_t)r * sizeof(struct theme_style),
		    .help = "FG:BG colours and attributes"};
	yr_walk(d, &lv, root, arg);
}

int
theme_parse(const char *name, const char *text, size_t len, struct theme *out, char **cause)
{
	struct theme t;
	memset(&t, 0, sizeof t);
	for (int r = 0; r < T__COUNT; r++)
		t.style[r] = (struct theme_style){-1, -1, 0};
	if (yr_load("built-in default", builtin[0].text, strlen(builtin[0].text), &theme_file,
	        read_theme, &t, cause) != 0)
		return -1;
	if (yr_load(name, text, len, &theme_file, read_theme, &t, cause) != 0)
		return -1;
	snprintf(t.name, sizeof t.name, "%s", name);
	*out = t;
	return 0;
}

/* Returns the directories searched for themes, in order (caller frees each
 * and the array, NULL-terminated). */
static char **
search_dirs(void)
{
	char **v = xcalloc(6, sizeof *v);
	size_t n = 0;
	const char *env = getenv("LAUNCHWATCH_THEMES");
	if (env && *env)
		v[n++] = xstrdup(env);
	char *data = lw_data_dir();
	v[n++] = xasprintf("%s/themes", data);
	free(data);
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		exe[k] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			v[n++] = xasprintf("%s/../themes", exe);
			v[n++] = xasprintf("%s/../share/launchwatch/themes", exe);
		}
	}
	v[n++] = xstrdup("/usr/local/share/launchwatch/themes");
	return v;
}

int
theme_load(const char *name, struct theme *out, char **cause)
{
	if (name == NULL || *name == '\0' || strchr(name, '/') || strchr(name, '.'))
		return set_cause(cause, "theme name '%s' is not valid (use a name like 'light')",
		    name ? name : "");
	char **dirs = search_dirs();
	int rc = 1;
	for (size_t i = 0; dirs[i] && rc == 1; i++) {
		char *path = xasprintf("%s/%s.theme", dirs[i], name);
		char *text = NULL;
		size_t len = 0;
		if (access(path, R_OK) == 0) {
			rc = file_read_all(path, &text, &len, cause) == 0
			         ? theme_parse(path, text, len, out, cause)
			         : -1;
			if (rc == 0)
				snprintf(out->name, sizeof out->name, "%s", name);
		}
		free(text);
		free(path);
	}
	for (size_t i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
	for (size_t i = 0; i < LW_ARRAY_LEN(builtin) && rc == 1; i++)
		if (strcmp(builtin[i].name, name) == 0) {
			rc =
			    theme_parse(name, builtin[i].text, strlen(builtin[i].text), out, cause);
		}
	if (rc == 1)
		return set_cause(cause,
		    "no theme '%s' (built in: default, light, mono; or put %s.theme in "
		    "$LAUNCHWATCH_THEMES or the data directory's themes/)",
		    name, name);
	return rc;
}

/* The 16 ANSI colours as RGB, for mapping 256-colour numbers down. */
static const unsigned char ansi_rgb[16][3] = {{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0},
    {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},
    {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255}};

short
theme_downsample(short c, int ncolors)
{
	if (c < 0 || c < ncolors)
		return c;
	int r, g, b;
	if (c < 16) {
		r = ansi_rgb[c][0], g = ansi_rgb[c][1], b = ansi_rgb[c][2];
	} else if (c < 232) {
		static const int level[6] = {0, 95, 135, 175, 215, 255};
		int k = c - 16;
		r = level[k / 36], g = level[(k / 6) % 6], b = level[k % 6];
	} else {
		r = g = b = 8 + (c - 232) * 10;
	}
	int limit = ncolors >= 16 ? 16 : 8;
	short best = 0;
	long bestd = -1;
	for (short i = 0; i < limit; i++) {
		long dr = r - ansi_rgb[i][0], dg = g - ansi_rgb[i][1], db = b - ansi_rgb[i][2];
		long d = dr * dr + dg * dg + db * db;
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

static attr_t role_attr[T__COUNT];

/* Returns the curses flags of THEME_ attribute bits. */
static attr_t
flags_of(int attrs)
{
	attr_t a = 0;
	if (attrs & THEME_BOLD)
		a |= A_BOLD;
	if (attrs & THEME_REVERSE)
		a |= A_REVERSE;
	if (attrs & THEME_UNDERLINE)
		a |= A_UNDERLINE;
	return a;
}

void
theme_apply(const struct theme *t)
{
	const char *nc = getenv("NO_COLOR");
	bool colour = has_colors() && !(nc && *nc);
	struct theme mono;
	if (!colour) {
		/* attributes only: the mono theme keeps roles apart */
		if (theme_parse("mono", builtin[2].text, strlen(builtin[2].text), &mono, NULL) == 0)
			t = &mono;
		for (int r = 0; r < T__COUNT; r++)
			role_attr[r] = flags_of(t->style[r].attrs);
		return;
	}
	start_color();
	use_default_colors();
	for (int r = 0; r < T__COUNT; r++) {
		short fg = theme_downsample(t->style[r].fg, COLORS);
		short bg = theme_downsample(t->style[r].bg, COLORS);
		attr_t extra = 0;
		if (COLORS < 16 && fg >= 8) { /* 8 colours: bright means bold */
			fg -= 8;
			extra = A_BOLD;
		}
		if (COLORS < 16 && bg >= 8)
			bg -= 8;
		init_pair((short)(r + 1), fg, bg);
		role_attr[r] = COLOR_PAIR(r + 1) | flags_of(t->style[r].attrs) | extra;
	}
}

unsigned long
theme_attr(enum theme_role r)
{
	return (unsigned)r < T__COUNT ? role_attr[r] : 0;
}
