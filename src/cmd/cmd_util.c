/*
 * cmd_rules: the one rules lookup of the classifying commands
 * (include/cmd/cmd_rules.h). Main thread only.
 */
#include "cmd/cmd_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine/engine.h"

int
cmd_rules_load(const char *prog, const char *path, struct classify_rules **out)
{
	char *cause = NULL;
	int rc = engine_load_rules(path, out, &cause);
	if (rc != 0)
		fprintf(stderr, "launchwatch %s: %s\n", prog, cause);
	free(cause);
	return rc;
}
