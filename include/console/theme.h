/*
 * theme: colour roles and the themes that map them to terminal colours
 * (themes/NAME.theme: a YAML mapping "ROLE: FG:BG [bold] [reverse]
 * [underline]", one key per role).
 * Panes and the draw layer name roles, never colours. Parsing is pure and
 * curses-free; theme_apply and theme_attr talk to curses and belong to the UI
 * thread only.
 */
#ifndef LW_THEME_H
#define LW_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* Every role a pane may draw with. */
enum theme_role {
	T_NORMAL,
	T_TITLE,
	T_HEADER,
	T_BORDER,
	T_BORDER_FOCUS,
	T_DIM,
	T_SELECTED,
	T_BANNER,
	T_OK,
	T_WARN,
	T_ERROR,
	T_KEY,
	T_AXIS,
	T_STATUS,
	T_BK_INVESTOR, /* T_BK_INVESTOR + enum lw_bucket */
	T_BK_FOUNDER,
	T_BK_AI,
	T_BK_DEVELOPER,
	T_BK_MEDIA,
	T_BK_OTHER,
	T_ACT_RETWEET, /* T_ACT_RETWEET + enum lw_action */
	T_ACT_REPLY,
	T_ACT_QUOTE,
	T_SERIES1, /* chart series, one per metric */
	T_SERIES2,
	T_SERIES3,
	T_SERIES4,
	T_SERIES5,
	T_SERIES6,
	T__COUNT
};

/* Text attributes a role may carry besides its colours. */
enum { THEME_BOLD = 1, THEME_REVERSE = 2, THEME_UNDERLINE = 4 };

/* One role's style: colours are -1 (terminal default) or 0..255. */
struct theme_style {
	short fg;
	short bg;
	int attrs; /* THEME_BOLD | THEME_REVERSE | THEME_UNDERLINE */
};

/* A theme: a style per role. */
struct theme {
	char name[32];
	struct theme_style style[T__COUNT];
};

/* Returns the role's name as written in theme files ("normal", "investor"). */
const char *theme_role_name(enum theme_role r);

/* Parses theme text (len bytes of YAML) into *out, starting from the
 * built-in default so a file may name only some roles (an empty file is the
 * default). Returns 0, or -1 with a cause of one "NAME:LINE:COL: message"
 * line per error (unknown roles, colours and attributes with a
 * did-you-mean). */
int theme_parse(const char *name, const char *text, size_t len, struct theme *out, char **cause);

/* Loads the theme called name: themes/NAME.theme from the search path
 * ($LAUNCHWATCH_THEMES, the data directory, next to the binary, the install
 * prefix), else the built-in copy of default, light or mono. 0 or -1 with a
 * cause naming the places tried. */
int theme_load(const char *name, struct theme *out, char **cause);

/* Returns the names of the built-in themes in cycling order (NULL-terminated). */
const char *const *theme_builtin_names(void);

/* Makes t current: with colours when the terminal has them and NO_COLOR is
 * unset, mapping 256-colour numbers down to 16 or 8. UI thread only, after
 * initscr. */
void theme_apply(const struct theme *t);

/* Returns the curses attributes (colour pair and flags) of role r in the
 * current theme. UI thread only. */
unsigned long theme_attr(enum theme_role r);

/* Maps a colour 0..255 to the nearest of the first ncolors (8 or 16). Pure. */
short theme_downsample(short c, int ncolors);

#endif
