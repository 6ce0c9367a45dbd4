/*
 * prefs: the console's remembered theme and last campaign
 * (console/prefs.h), a small key=value file in the XDG configuration
 * directory. The UI thread (or a test) only.
 */
#include "console/prefs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The keys, each with its field and size. */
static const struct {
	const char *key;
	size_t off, size;
} pref_keys[] = {
    {"theme", offsetof(struct prefs, theme), sizeof((struct prefs *)0)->theme},
    {"campaign", offsetof(struct prefs, campaign), sizeof((struct prefs *)0)->campaign},
    {"chart", offsetof(struct prefs, chart), sizeof((struct prefs *)0)->chart},
};

/* Returns true when v (n bytes) is a plain name or id: letters, digits,
 * '-', '_' and '.', not empty, shorter than size. */
static bool
plain_value(const char *v, size_t n, size_t size)
{
	if (n == 0 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

void
prefs_parse(struct prefs *p, const char *text, size_t len)
{
	memset(p, 0, sizeof *p);
	const char *end = text + len;
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *le = nl ? nl : end;
		const char *eq = memchr(l, '=', (size_t)(le - l));
		for (size_t k = 0; eq && k < LW_ARRAY_LEN(pref_keys); k++) {
			size_t kl = strlen(pref_keys[k].key);
			const char *v = eq + 1;
			size_t vn = (size_t)(le - v);
			if (vn > 0 && v[vn - 1] == '\r')
				vn--;
			if ((size_t)(eq - l) == kl && memcmp(l, pref_keys[k].key, kl) == 0 &&
			    plain_value(v, vn, pref_keys[k].size)) {
				char *dst = (char *)p + pref_keys[k].off;
				memcpy(dst, v, vn);
				dst[vn] = '\0';
			}
		}
		l = nl ? nl + 1 : end;
	}
}

char *
prefs_format(const struct prefs *p)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(
	    &b, "# launchwatch console: what it remembers between runs (written at quit)\n");
	for (size_t k = 0; k < LW_ARRAY_LEN(pref_keys); k++) {
		const char *v = (const char *)p + pref_keys[k].off;
		if (plain_value(v, strlen(v), pref_keys[k].size))
			sbuf_printf(&b, "%s=%s\n", pref_keys[k].key, v);
	}
	return sbuf_take(&b);
}

char *
prefs_path(void)
{
	char *dir = lw_config_dir();
	char *path = xasprintf("%s/console.conf", dir);
	free(dir);
	return path;
}

void
prefs_load(struct prefs *p)
{
	char *path = prefs_path(), *text = NULL;
	size_t len = 0;
	memset(p, 0, sizeof *p);
	if (file_read_all(path, &text, &len, NULL) == 0)
		prefs_parse(p, text, len);
	free(text);
	free(path);
}

int
prefs_save(const struct prefs *p, char **cause)
{
	char *dir = lw_config_dir();
	char *path = xasprintf("%s/console.conf", dir);
	char *text = prefs_format(p);
	int rc = mkdir_p(dir, cause);
	if (rc == 0)
		rc = file_write_atomic(path, text, strlen(text), cause);
	free(text);
	free(path);
	free(dir);
	return rc;
}
