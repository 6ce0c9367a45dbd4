/*
 * report_write: the report's output formats by name, and the writer that
 * renders a report in one format (report_md.c, report_csv.c, report_json.c,
 * report_html.c) and writes its files atomically into a directory. Any
 * thread, one report per call.
 */
#include "output/report_write.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const format_names[RF__COUNT] = {"md", "csv", "json", "html"};
static const char *const csv_names[RC__COUNT] = {
    "summary", "categories", "cpm", "tweets", "buckets", "top_engagers", "hourly", "daily"};

const char *
report_format_name(enum report_format f)
{
	return (unsigned)f < RF__COUNT ? format_names[f] : "?";
}

int
report_format_parse(const char *s, enum report_format *out)
{
	for (int i = 0; i < RF__COUNT; i++)
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

const char *
report_csv_table_name(enum report_csv_table t)
{
	return (unsigned)t < RC__COUNT ? csv_names[t] : "?";
}
/* ---- files -------------------------------------------------------------- */

/* Writes text to dir/name atomically and records the path. */
static int
write_one(
    const char *dir, const char *name, char *text, char ***paths, size_t *npaths, char **cause)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = file_write_atomic(path, text, strlen(text), cause);
	free(text);
	if (rc != 0) {
		free(path);
		return -1;
	}
	*paths = xreallocarray(*paths, *npaths + 1, sizeof **paths);
	(*paths)[(*npaths)++] = path;
	return 0;
}

int
report_write(const struct report *r, enum report_format f, const char *dir, char ***paths,
    size_t *npaths, char **cause)
{
	static char *(*const render[RF__COUNT])(const struct report *) = {
	    report_render_md, NULL, report_render_json, report_render_html};
	if (mkdir_p(dir, cause) != 0)
		return -1;
	if (f == RF_CSV) {
		for (int t = 0; t < RC__COUNT; t++) {
			char *name = xasprintf("%s-%s.csv", r->campaign_id, csv_names[t]);
			int rc = write_one(dir, name,
			    report_render_csv(r, (enum report_csv_table)t), paths, npaths, cause);
			free(name);
			if (rc != 0)
				return -1;
		}
		return 0;
	}
	char *name = xasprintf("%s.%s", r->campaign_id, format_names[f]);
	int rc = write_one(dir, name, render[f](r), paths, npaths, cause);
	free(name);
	return rc;
}
