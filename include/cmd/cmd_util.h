/*
 * cmd_rules: how the commands that classify engagers (`run`, `tweet-report`)
 * find their classifier rules, so both always use the same table: --rules
 * FILE, else DATA/rules.yaml when it exists, else the built-in rules. Main
 * thread only (it prints to stderr).
 */
#ifndef LW_CMD_RULES_H
#define LW_CMD_RULES_H

#include "model/classify.h"

/* Loads the rules from path (may be NULL), DATA/rules.yaml or the built-in
 * table into *out (caller frees with classify_rules_free). On a bad file
 * prints "launchwatch PROG: FILE:LINE:COL: message" lines to stderr and
 * returns -1. */
int cmd_rules_load(const char *prog, const char *path, struct classify_rules **out);

#endif
