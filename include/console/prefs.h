/*
 * prefs: what the console remembers between runs, the theme, the last
 * campaign viewed and the chart's time resolution, in $XDG_CONFIG_HOME/launchwatch/console.conf (default
 * ~/.config): `key=value` lines, unknown keys and bad values ignored,
 * written atomically. The UI thread (or a test) only.
 */
#ifndef LW_PREFS_H
#define LW_PREFS_H

#include <stddef.h>

/* The remembered values ("" when unset). */
struct prefs {
	char theme[32];
	char campaign[64];
	char chart[16]; /* the chart's resolution: auto, 1-min ... day */
};

/* Fills p from text (len bytes): unknown keys, and values that are not a
 * plain name or id, are ignored. */
void prefs_parse(struct prefs *p, const char *text, size_t len);
/* Returns p as the file's text (new string). */
char *prefs_format(const struct prefs *p);
/* Returns the file's path (new string). */
char *prefs_path(void);
/* Fills p from the file (empty when it is absent or unreadable). */
void prefs_load(struct prefs *p);
/* Writes p to the file atomically, creating its directory; 0 or -1 with a
 * cause. */
int prefs_save(const struct prefs *p, char **cause);

#endif
