/*
 * heartbeat: the engine's heartbeat document (include/engine/heartbeat.h):
 * writing a beat, and finding the other live engines on a database while
 * cleaning up after dead ones. Any thread.
 */
#include "engine/heartbeat.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/ingest.h"
#include "store/store_prepared.h"

/* A dead engine's writes are looked for from its last beat less this. */
#define RECOVER_MARGIN_MS (10 * 60 * 1000)

bool
heartbeat_alive(const struct sti_heartbeat *h, const char *host, int64_t now)
{
	if (now - h->beat_at_ms > HEARTBEAT_STALE_MS)
		return false;
	if (strcmp(h->host, host) == 0 && h->pid > 0 && kill((pid_t)h->pid, 0) != 0 &&
	    errno == ESRCH)
		return false;
	return true;
}

/* Frees the job and aggregate leases of owner, a dead engine, and asks
 * for a look for its writes since since_ms that no change-log entry lists,
 * in every campaign still open. 0 or -1. */
static int
recover_after(struct store *s, const char *owner, int64_t since_ms, char **cause)
{
	struct campaign *v;
	size_t n;
	if (store_campaign_list(s, &v, &n, cause) != 0)
		return -1;
	const char **ids = xcalloc(n ? n : 1, sizeof *ids);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		ids[i] = v[i].id;
		if (rc == 0)
			rc = stp_head_release(s, v[i].id, owner, cause);
		if (rc == 0 && (v[i].status != CS_COMPLETED || v[i].closeout_pending))
			rc = stp_recover_request(s, v[i].id, since_ms, cause);
	}
	/* by campaign: a sharded cluster routes the update by its shard key */
	if (rc == 0)
		rc = sti_jobs_release_owner(s, owner, ids, n, cause);
	free(ids);
	for (size_t i = 0; i < n; i++)
		campaign_done(&v[i]);
	free(v);
	return rc;
}

int
heartbeat_find_runner(struct store *s, const char *owner, struct sti_heartbeat *other, char **cause)
{
	struct sti_heartbeat *v;
	size_t n;
	char host[64] = "";
	int found = 0;
	gethostname(host, sizeof host - 1);
	if (sti_heartbeat_list(s, &v, &n, cause) != 0)
		return -1;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].owner, owner) == 0)
			continue;
		if (heartbeat_alive(&v[i], host, now)) {
			if (!found && other)
				*other = v[i];
			found = 1;
			continue;
		}
		if (recover_after(s, v[i].owner, v[i].beat_at_ms - RECOVER_MARGIN_MS, cause) != 0 ||
		    sti_heartbeat_delete(s, v[i].owner, cause) != 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return found;
}

void
heartbeat_beat(struct ing_log *l, struct store *s, const struct sti_heartbeat *h)
{
	struct sti_heartbeat beat = *h;
	char *cause = NULL;
	beat.beat_at_ms = clock_now_ms();
	if (sti_heartbeat_beat(s, &beat, &cause) != 0)
		ing_logf(l, "warn", NULL, "%s", cause);
	free(cause);
}
