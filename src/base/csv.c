/*
 * csv: the one CSV cell writer (base/csv.h), shared by the console's
 * exports and the reports' CSV files. Any thread (pure).
 */
#include "base/csv.h"

#include <string.h>

bool
csv_is_formula(const char *s)
{
	return s && *s && strchr("=+-@\t\r", *s) != NULL;
}

void
csv_text(struct sbuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	sbuf_addstr(b, "\"");
	if (csv_is_formula(s))
		sbuf_addstr(b, "'");
	for (; *s; s++) {
		if (*s == '"')
			sbuf_addstr(b, "\"");
		sbuf_add(b, s, 1);
	}
	sbuf_addstr(b, "\"");
}

void
csv_field(struct sbuf *b, const char *s, bool last)
{
	csv_text(b, s);
	sbuf_addstr(b, last ? "\n" : ",");
}
