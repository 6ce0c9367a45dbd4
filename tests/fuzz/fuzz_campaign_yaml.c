/*
 * fuzz_campaign_yaml: a libFuzzer target for the campaign file loader
 * (YAML through libyaml, then every key's validation and the error
 * messages with their did-you-mean). Built and run by `make fuzz`;
 * single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads one input as a campaign file; nothing may crash, leak or overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_file *f = NULL;
	char *cause = NULL;
	if (config_load_string("fuzz.yaml", (const char *)data, size, &f, &cause) == 0)
		config_free(f);
	free(cause);
	return 0;
}
