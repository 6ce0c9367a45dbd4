/*
 * theme: role names, the theme file parser, the search path and built-in
 * copies of the default, light and mono themes (parsing is pure), and the
 * UI thread's colour setup with curses (theme_apply, theme_attr).
 */
#include "console/theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static const char *const role_names[T__COUNT] = {"normal", "title", "header", "border",
    "border_focus", "dim", "selected", "banner", "ok", "warn", "error", "key", "axis", "status",
    "investor", "founder", "ai", "developer", "media", "other", "retweet", "reply", "quote",
    "series1", "series2", "series3", "series4", "series5", "series6"};

/* Built-in copies of themes/NAME.theme, used when no file is found. */
static const struct {
	const char *name;
	const char *text;
} builtin[] = {
    {"default", "normal        default:default\n"
                "title         bright-white:default bold\n"
                "header        black:cyan\n"
                "border        bright-black:default\n"
                "border_focus  cyan:default bold\n"
                "dim           bright-black:default\n"
                "selected      black:cyan\n"
                "banner        black:yellow bold\n"
                "ok            green:default\n"
                "warn          yellow:default bold\n"
                "error         bright-white:red bold\n"
                "key           cyan:default bold\n"
                "axis          bright-black:default\n"
                "status        black:white\n"
                "investor      214:default bold\n"
                "founder       141:default\n"
                "ai            51:default\n"
                "developer     118:default\n"
                "media         207:default\n"
                "other         250:default\n"
                "retweet       green:default\n"
                "reply         cyan:default\n"
                "quote         magenta:default\n"
                "series1       203:default\n"
                "series2       83:default\n"
                "series3       81:default\n"
                "series4       221:default\n"
                "series5       177:default\n"
                "series6       250:default\n"},
    {"light", "normal        default:default\n"
              "title         black:default bold\n"
              "header        white:blue\n"
              "border        244:default\n"
              "border_focus  blue:default bold\n"
              "dim           244:default\n"
              "selected      white:blue\n"
              "banner        black:yellow bold\n"
              "ok            22:default\n"
              "warn          130:default bold\n"
              "error         white:red bold\n"
              "key           blue:default bold\n"
              "axis          244:default\n"
              "status        white:black\n"
              "investor      166:default bold\n"
              "founder       91:default\n"
              "ai            25:default\n"
              "developer     28:default\n"
              "media         163:default\n"
              "other         240:default\n"
              "retweet       22:default\n"
              "reply         25:default\n"
              "quote         91:default\n"
              "series1       160:default\n"
              "series2       28:default\n"
              "series3       25:default\n"
              "series4       130:default\n"
              "series5       91:default\n"
              "series6       240:default\n"},
    {"mono", "normal        default:default\n"
             "title         default:default bold\n"
             "header        default:default reverse\n"
             "border        default:default\n"
             "border_focus  default:default bold\n"
             "dim           default:default\n"
             "selected      default:default reverse\n"
             "banner        default:default reverse bold\n"
             "ok            default:default\n"
             "warn          default:default bold\n"
             "error         default:default reverse bold\n"
             "key           default:default bold\n"
             "axis          default:default\n"
             "status        default:default reverse\n"
             "investor      default:default bold\n"
             "founder       default:default underline\n"
             "ai            default:default\n"
             "developer     default:default\n"
             "media         default:default underline\n"
             "other         default:default\n"
             "retweet       default:default\n"
             "reply         default:default\n"
             "quote         default:default\n"
             "series1       default:default bold\n"
             "series2       default:default\n"
             "series3       default:default\n"
             "series4       default:default\n"
             "series5       default:default\n"
             "series6       default:default\n"},
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

/* Parses the lines of text into t (roles not named keep their style). */
static int
parse_into(const char *name, const char *text, size_t len, struct theme *t, char **cause)
{
	char *copy = xstrndup(text, len);
	char *save = NULL;
	int lineno = 0, rc = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *w[6];
		int nw = 0;
		char *s2 = NULL;
		for (char *tok = strtok_r(line, " \t\r", &s2); tok && nw < 6;
		     tok = strtok_r(NULL, " \t\r", &s2))
			w[nw++] = tok;
		if (nw == 0)
			continue;
		int role = -1;
		for (int r = 0; r < T__COUNT; r++)
			if (strcmp(w[0], role_names[r]) == 0)
				role = r;
		if (role < 0) {
			rc = set_cause(cause, "%s:%d: unknown role '%s'", name, lineno, w[0]);
			goto fail;
		}
		char *colon = nw > 1 ? strchr(w[1], ':') : NULL;
		struct theme_style st = {-1, -1, 0};
		if (colon == NULL || parse_colour(w[1], (size_t)(colon - w[1]), &st.fg) != 0 ||
		    parse_colour(colon + 1, strlen(colon + 1), &st.bg) != 0) {
			rc = set_cause(
			    cause, "%s:%d: expected fg:bg colours after '%s'", name, lineno, w[0]);
			goto fail;
		}
		for (int i = 2; i < nw; i++) {
			int bit = 0;
			for (size_t k = 0; k < LW_ARRAY_LEN(attr_names); k++)
				if (strcmp(w[i], attr_names[k].name) == 0)
					bit = attr_names[k].bit;
			if (bit == 0) {
				rc = set_cause(cause,
				    "%s:%d: unknown attribute '%s' (bold, reverse or underline)",
				    name, lineno, w[i]);
				goto fail;
			}
			st.attrs |= bit;
		}
		t->style[role] = st;
	}
fail:
	free(copy);
	return rc;
}

int
theme_parse(const char *name, const char *text, size_t len, struct theme *out, char **cause)
{
	struct theme t;
	memset(&t, 0, sizeof t);
	for (int r = 0; r < T__COUNT; r++)
		t.style[r] = (struct theme_style){-1, -1, 0};
	if (parse_into("built-in default", builtin[0].text, strlen(builtin[0].text), &t, cause) !=
	    0)
		return -1;
	if (parse_into(name, text, len, &t, cause) != 0)
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
