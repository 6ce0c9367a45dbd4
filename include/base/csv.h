/*
 * csv: the one CSV cell writer of the console's exports and the reports.
 * A text cell is always quoted (doubled quotes inside) and, when it starts
 * like a spreadsheet formula (= + - @, a tab or a carriage return), gets a
 * leading apostrophe, so a reply's text like =cmd|' /C calc'!A0 opens as
 * text. Any thread (pure).
 */
#ifndef LW_CSV_H
#define LW_CSV_H

#include <stdbool.h>

#include "base/util.h"

/* Returns true when s would start a formula in a spreadsheet. */
bool csv_is_formula(const char *s);
/* Appends s (NULL: empty) as one guarded, quoted cell. */
void csv_text(struct sbuf *b, const char *s);
/* csv_text followed by "\n" when last, else ",". */
void csv_field(struct sbuf *b, const char *s, bool last);

#endif
