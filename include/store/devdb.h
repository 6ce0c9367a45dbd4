/*
 * devdb: finds or starts the embedded database (bin/launchwatch-devdb,
 * FerretDB with SQLite) when MONGODB_URI is unset, and opens the store on
 * whichever database applies. Main thread only (it forks and waits).
 */
#ifndef LW_DEVDB_H
#define LW_DEVDB_H

#include "store/store.h"

struct devdb;

/* Makes sure a devdb serves dir: reuses one that is running for it, else
 * starts bin/launchwatch-devdb as a child in its own session. Sets *uri (new
 * string) and *out (release with devdb_release). Returns 0, or -1 with a
 * cause that says what to run when the devdb program is missing. */
int devdb_ensure(const char *dir, char **uri, struct devdb **out, char **cause);

/* Stops the devdb when this process was its last user, waiting up to 10 s
 * for it to exit; NULL is a no-op. */
void devdb_release(struct devdb *d);
/* devdb_release waiting at most wait_ms for the server to exit: a server
 * still shutting down then has its SIGTERM and leaves by itself. Any one
 * thread, once (it frees d). */
void devdb_release_within(struct devdb *d, int wait_ms);

/* Opens the store named by MONGODB_URI and LAUNCHWATCH_DB, or, with no
 * MONGODB_URI, on the embedded devdb under the data directory (then *dd is
 * set, to be released after store_free). Returns 0, or -1 with a cause. */
int lw_store_open(struct store **out, struct devdb **dd, char **cause);

#endif
