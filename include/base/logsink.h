/*
 * logsink: the log stream an engine writes its lines to ("<time> <level>
 * <text>" lines, one fprintf and fflush each), as a stdio FILE that either
 * appends to a file rotated by size (path, path.1) or hands the lines to
 * the journal on stderr with a syslog level prefix ("<4>warn ...") and
 * without their own timestamps (journald adds them). Any thread may write
 * (stdio locks the FILE); fclose ends it.
 */
#ifndef LW_LOGSINK_H
#define LW_LOGSINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Opens a log appending to path, rotated to path.1 (the older one dropped)
 * once it would pass max_bytes (0: never). Returns NULL with a cause naming
 * the path. Caller fcloses. */
FILE *logsink_file(const char *path, int64_t max_bytes, char **cause);

/* Opens a log whose lines go to stderr for the journal. Caller fcloses
 * (stderr stays open). */
FILE *logsink_journal(void);

/* Writes into out (size bytes) the journal form of one log line: its
 * leading timestamp dropped and a syslog prefix for its level (<3> error,
 * <4> warn, <6> info, <7> debug; other lines <6>). Returns out. */
char *logsink_journal_line(const char *line, size_t len, char *out, size_t size);

#endif
