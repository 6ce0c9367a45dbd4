/*
 * report_json: renders a report model as indented JSON (report_to_json
 * plus the marker). Pure; any thread, one report per call.
 */
#include "output/report_write.h"

#include <stdlib.h>

#include "base/util.h"
#include "report_cells_internal.h"

/* ---- JSON --------------------------------------------------------------- */

char *
report_render_json(const struct report *r)
{
	json_t *j = report_to_json(r);
	json_object_set_new(j, "marker", json_string(cell_marker(r)));
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (s == NULL)
		abort(); /* only fails when out of memory */
	char *out = xasprintf("%s\n", s);
	free(s);
	return out;
}
