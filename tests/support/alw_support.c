/*
 * alw_support: alert worker test worlds (tests/support/alw_support.h). Test
 * threads only.
 */
#include "alw_support.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "al_support.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/writer.h"
#include "model/prep.h"
#include "mon_support.h"
#include "seed_support.h"
#include "store/store.h"
#include "store/store_prepared.h"
#include "testutil.h"

struct store *
alw_open_store(const char *uri, const char *dbname)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(uri, dbname, &s, &cause) == 0, "%s", cause ? cause : "");
	return s;
}

struct cfg_file *
alw_load_yaml(const char *text)
{
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(config_load_string("e2e.yaml", text, strlen(text), &f, &cause) == 0, "%s",
	    cause ? cause : "");
	return f;
}

void
alw_fix_start(struct alw_fix *x, const char *dbname, const int *script, size_t n, int retry_after_s,
    const char *path)
{
	x->db = tu_devdb_start(NULL, 0);
	x->mon = mon_start(x->db->uri);
	x->s = alw_open_store(mon_uri(x->mon), dbname);
	x->direct = alw_open_store(x->db->uri, dbname);
	x->r = al_slack_start(script, n, retry_after_s);
	x->url = xasprintf("http://127.0.0.1:%d%s", al_slack_port(x->r), path);
	setenv("LW_E_HOOK", x->url, 1);
}

void
alw_fix_done(struct alw_fix *x)
{
	clock_set(NULL);
	store_free(x->s);
	store_free(x->direct);
	mon_free(x->mon);
	al_slack_free(x->r);
	free(x->url);
	unsetenv("LW_E_HOOK");
	tu_devdb_free(x->db);
}

int64_t
alw_log_engagements(struct store *s, const char *campaign_id, const struct lw_engagement *e,
    size_t n, enum change_kind kind)
{
	char *cause = NULL;
	ck_assert_msg(seed_engagements_absent(s, e, n, &cause) == 0, "%s", cause ? cause : "");
	struct prep_eng *r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		prep_eng_from(&r[i], &e[i]);
	ck_assert_msg(writer_append(NULL, s, campaign_id, kind, r, n, NULL, 0, &cause) == 0, "%s",
	    cause ? cause : "");
	for (size_t i = 0; i < n; i++)
		prep_eng_done(&r[i]);
	free(r);
	int64_t head = 0;
	ck_assert_msg(stc_head(s, campaign_id, 0, &head, &cause) == 0, "%s", cause ? cause : "");
	return head;
}

int64_t
alw_position(struct store *s, const char *campaign_id)
{
	int64_t seq = 0;
	char *cause = NULL;
	int rc = stp_position_get(s, campaign_id, "alerts", &seq, &cause);
	ck_assert_msg(rc >= 0, "%s", cause ? cause : "");
	return rc == 0 ? seq : -1;
}

void
alw_assert_no_scan(struct mon *m, size_t mark)
{
	static const char *const colls[] = {"engagements", "changes", "aggregates"};
	for (size_t i = 0; i < LW_ARRAY_LEN(colls); i++) {
		struct mon_counts c;
		mon_count(m, mark, colls[i], &c);
		ck_assert_msg(c.scans == 0, "%zu scans of %s, the first: %s", c.scans, colls[i],
		    c.first_scan);
	}
}
