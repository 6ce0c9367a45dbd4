/*
 * test_health: the verdict of `launchwatch status` and its renderings
 * (src/model/health.c) on hand-made states: each exit code with its
 * reason, the Prometheus text (families, labels escaped), the JSON object.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "model/health.h"

#define NOW 1800000000000LL

/* A healthy installation with one active campaign and one engine. */
static void
healthy(struct health *h)
{
	memset(h, 0, sizeof *h);
	h->at_ms = NOW;
	h->db_ok = true;
	h->db_ms = 3;
	snprintf(h->db_kind, sizeof h->db_kind, "FerretDB");
	h->engines = 1;
	snprintf(h->engine_desc[0], sizeof h->engine_desc[0], "run on box (pid 7), up 1h");
	h->n = 1;
	h->c = calloc(1, sizeof *h->c);
	struct health_campaign *c = &h->c[0];
	snprintf(c->id, sizeof c->id, "acme-\"x\"");
	snprintf(c->name, sizeof c->name, "Acme launch");
	c->status = CS_ACTIVE;
	c->runnable = true;
	c->jobs[JST_IDLE] = 8;
	snprintf(c->held_why, sizeof c->held_why, "ok");
	c->last_success_ms = NOW - 30000;
	c->lag_ms = 60000;
	c->requests[JOB_METRICS] = 12;
	c->requests[JOB_REPLIES] = 30;
	c->credits[JOB_REPLIES] = 450;
	c->engagements = 1234;
	c->views = 99000;
	c->alerts_sent = 7;
}

START_TEST(verdicts)
{
	struct health h;
	char why[320];
	healthy(&h);
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_OK);
	ck_assert_str_eq(why, "current: 1 active campaign, 1 engine");
	/* the engine's sentiment scorer: shown, and degraded while it is down */
	snprintf(h.sentiment[0], sizeof h.sentiment[0], "sentiment: vader 3.3.2 scoring");
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_OK);
	struct sbuf b;
	sbuf_init(&b);
	health_text(&h, &b);
	ck_assert_ptr_nonnull(
	    strstr(b.s, "  run on box (pid 7), up 1h\n    sentiment: vader 3.3.2"));
	sbuf_done(&b);
	snprintf(h.sentiment[0], sizeof h.sentiment[0],
	    "sentiment: scorer down, restarting (the scorer exited)");
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DEGRADED);
	ck_assert_str_eq(why, "sentiment: scorer down, restarting (the scorer exited)");
	h.sentiment[0][0] = '\0';
	h.alert_errors = 2;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DEGRADED);
	ck_assert_str_eq(why, "2 alert errors in the last hour");
	h.c[0].held = 1;
	h.c[0].late = 3;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DEGRADED);
	ck_assert_str_eq(why, "1 job held back (blocked, retrying or stopped), 3 late");
	h.engines = 0;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DEGRADED);
	ck_assert_ptr_nonnull(strstr(why, "no engine is running"));
	/* every job failing and nothing succeeded for 15 minutes: the provider */
	h.c[0].jobs[JST_RETRY] = 4;
	h.c[0].last_success_ms = NOW - HEALTH_PROVIDER_MS - 1;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DOWN);
	ck_assert_ptr_nonnull(strstr(why, "the provider cannot be reached"));
	/* a recent success means it answers */
	h.c[0].last_success_ms = NOW - 1000;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DEGRADED);
	h.db_ok = false;
	snprintf(h.db_error, sizeof h.db_error, "connection refused");
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_DOWN);
	ck_assert_str_eq(why, "the database cannot be reached: connection refused");
	health_done(&h);
	/* nothing active and no engine: nothing to be late */
	memset(&h, 0, sizeof h);
	h.db_ok = true;
	ck_assert_int_eq(health_judge(&h, why, sizeof why), HEALTH_OK);
}
END_TEST

START_TEST(prometheus_text)
{
	struct health h;
	struct sbuf b;
	healthy(&h);
	sbuf_init(&b);
	health_prometheus(&h, &b);
	ck_assert_ptr_nonnull(strstr(b.s, "# TYPE launchwatch_up gauge\nlaunchwatch_up 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(b.s, "launchwatch_jobs{campaign=\"acme-\\\"x\\\"\",state=\"idle\"} 8\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "launchwatch_provider_requests_total{campaign=\"acme-"
	                                  "\\\"x\\\"\",kind=\"replies\"} 30\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "launchwatch_provider_credits_total{campaign=\"acme-"
	                                  "\\\"x\\\"\",kind=\"replies\"} 450\n"));
	ck_assert_ptr_nonnull(
	    strstr(b.s, "launchwatch_ingest_lag_seconds{campaign=\"acme-\\\"x\\\"\"} 60.000\n"));
	ck_assert_ptr_nonnull(
	    strstr(b.s, "launchwatch_engagements_stored{campaign=\"acme-\\\"x\\\"\"} 1234\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "launchwatch_database_ping_seconds 0.003\n"));
	ck_assert_ptr_nonnull(
	    strstr(b.s, "launchwatch_alerts_sent_total{campaign=\"acme-\\\"x\\\"\"} 7\n"));
	/* every sample line belongs to a family declared before it */
	for (const char *l = b.s; *l;) {
		const char *e = strchr(l, '\n');
		ck_assert_ptr_nonnull(e);
		if (*l != '#') {
			size_t n = strcspn(l, "{ ");
			char *decl = calloc(1, n + 16);
			memcpy(decl, "# TYPE ", 7);
			memcpy(decl + 7, l, n);
			ck_assert_msg(
			    strstr(b.s, decl) && strstr(b.s, decl) < l, "%.*s", (int)(e - l), l);
			free(decl);
		}
		l = e + 1;
	}
	sbuf_done(&b);
	health_done(&h);
}
END_TEST

START_TEST(json_form)
{
	struct health h;
	struct sbuf b;
	healthy(&h);
	h.c[0].held = 2;
	sbuf_init(&b);
	health_json(&h, &b);
	json_t *j = json_loads(b.s, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "degraded");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "exit_code")), 1);
	json_t *c = json_array_get(json_object_get(j, "campaigns"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "id")), "acme-\"x\"");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(c, "jobs"), "idle")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "engagements")), 1234);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "alerts_sent")), 7);
	json_decref(j);
	sbuf_done(&b);
	/* the text form */
	sbuf_init(&b);
	health_text(&h, &b);
	ck_assert_ptr_nonnull(strstr(b.s, "launchwatch: degraded (exit 1): 2 jobs held back"));
	ck_assert_ptr_nonnull(strstr(b.s, "  engagements 1234, views 99000\n"));
	sbuf_done(&b);
	health_done(&h);
}
END_TEST

static Suite *
health_suite(void)
{
	Suite *s = suite_create("test_health");
	TCase *tc = tcase_create("health");
	tcase_add_test(tc, verdicts);
	tcase_add_test(tc, prometheus_text);
	tcase_add_test(tc, json_form);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(health_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
