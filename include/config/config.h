/*
 * config: the campaign file (DESIGN.md section 3) loaded with libyaml through
 * a key table into a read-only struct. Pure apart from reading the file and
 * the process clock; any thread, but a loaded struct is never shared while
 * being freed.
 */
#ifndef LW_CONFIG_H
#define LW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"

struct cfg_file {
	char *path;
	struct cfg_campaign *campaigns;
	size_t ncampaigns;
};

/* Loads and validates a campaign file. On any error returns -1 and sets
 * *cause to one "FILE:LINE:COL: message" line per error found (newline
 * separated); nothing is returned then. Caller frees *out with config_free. */
int config_load_file(const char *path, struct cfg_file **out, char **cause);

/* As config_load_file, for len bytes of YAML at text; name is used as FILE in
 * messages. */
int config_load_string(
    const char *name, const char *text, size_t len, struct cfg_file **out, char **cause);

/* Frees a loaded file; NULL is a no-op. */
void config_free(struct cfg_file *f);

#endif
