/*
 * fuzz_theme: a libFuzzer target for the console theme parser (theme_parse
 * only: no curses is started). Built and run by `make fuzz`;
 * single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "console/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input as a theme file; nothing may crash, leak or overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t;
	char *cause = NULL;
	theme_parse("fuzz", (const char *)data, size, &t, &cause);
	free(cause);
	return 0;
}
