/*
 * fuzz_rules_yaml: a libFuzzer target for the classifier rules file loader
 * (buckets, keywords, handles, importance). Built and run by `make fuzz`;
 * single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/rules_file.h"
#include "model/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads one input as a rules file; nothing may crash, leak or overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_rules *r = NULL;
	char *cause = NULL;
	if (rules_file_load_string("fuzz.yaml", (const char *)data, size, &r, &cause) == 0)
		classify_rules_free(r);
	free(cause);
	return 0;
}
