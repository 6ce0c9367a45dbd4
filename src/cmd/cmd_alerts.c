/*
 * cmd_alerts: `launchwatch alerts test ID`: sends one test alert through
 * each channel the campaign configures (Slack, email) and prints what
 * happened per channel. Nothing is written to alerts_sent. Main thread only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/alert.h"
#include "model/campaign.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "store/devdb.h"
#include "engine/notify.h"
#include "store/store.h"
#include "base/text.h"
#include "base/util.h"

static const char alerts_usage[] =
    "usage: launchwatch alerts test ID|NAME\n\n"
    "Sends a test alert through each channel the campaign configures (Slack\n"
    "webhook, email over SMTP) and prints one line per channel: sent, or why not\n"
    "and whether retrying could help (transient) or the settings are wrong\n"
    "(permanent). Secrets are read from their env:/file: references now and are\n"
    "never printed. Nothing is recorded in alerts_sent.\n\n"
    "Exit status: 0 every channel delivered, 1 a channel failed or none is\n"
    "configured, 64 usage, 69 database unreachable.\n";

/* Fills a sample alert on campaign a (for the test message). */
static void
sample(const struct alert_campaign *a, struct alert_candidate *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->campaign_id, sizeof c->campaign_id, "%s", a->id);
	snprintf(c->tweet_id, sizeof c->tweet_id, "%s", a->ntweets > 0 ? a->tweets[0].id : "20");
	snprintf(c->user_id, sizeof c->user_id, "%s", "1");
	c->category = a->ntweets > 0 ? (int)a->tweets[0].category : -1;
	c->action = ACT_RETWEET;
	c->bucket = BK_INVESTOR;
	c->importance = 100;
	c->handle = xstrdup("launchwatch");
	c->name = xstrdup("launchwatch test alert");
	c->evidence = xstrdup("a test: no real account engaged");
	c->text = xstrdup("");
	c->event_ms = clock_now_ms();
}

/* Sends the test through every configured channel; returns the exit status. */
static int
run_test(const struct campaign *camp)
{
	struct alert_campaign a;
	struct alert_candidate c;
	int rc = LW_EXIT_OK, tried = 0;
	alert_campaign_init(&a, camp->id, &camp->cfg);
	sample(&a, &c);
	const struct alert_candidate *v[1] = {&c};
	char *title = xasprintf("Test alert for %s: alerts will look like this", a.name);
	struct notify *n = notify_new();
	for (int k = 0; k < ALERT__CHANNELS; k++) {
		enum alert_channel ch = (enum alert_channel)k;
		struct notify_result res;
		if (!alert_campaign_has_channel(&a, ch)) {
			printf("%s: not configured\n", alert_channel_name(ch));
			continue;
		}
		tried++;
		int64_t t0 = clock_now_ms();
		if (notify_send(n, &a, ch, v, 1, title, &res) == 0) {
			printf("%s: sent (%s %ld, %" PRId64 " ms)\n", alert_channel_name(ch),
			    ch == ALERT_SLACK ? "HTTP" : "SMTP reply", res.code,
			    clock_now_ms() - t0);
		} else {
			printf("%s: failed (%s): %s\n", alert_channel_name(ch),
			    notify_class_name(res.cls),
			    res.message ? res.message : "unknown error");
			rc = LW_EXIT_ERROR;
		}
		notify_result_done(&res);
	}
	if (tried == 0) {
		printf("campaign %s configures no alert channel (alerts.slack_webhook or "
		       "alerts.email)\n",
		    a.id);
		rc = LW_EXIT_ERROR;
	}
	notify_free(n);
	free(title);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
	return rc;
}

int
cmd_alerts(int argc, char **argv)
{
	struct cmd_opts o = {.prog = "alerts", .usage = alerts_usage, .in_order = true};
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign camp;
	char *cause = NULL;
	int rc;
	if ((rc = cmd_plain_args(&o, argc, argv, 1, 2)) >= 0)
		return rc;
	if (strcmp(argv[optind], "test") != 0)
		return cmd_usage_error(&o, "unknown command '%s'", argv[optind]);
	/* the verb's command line: --help and one campaign */
	argc -= optind;
	argv += optind;
	o = (struct cmd_opts){.prog = "alerts test", .usage = alerts_usage};
	if ((rc = cmd_plain_args(&o, argc, argv, 1, 1)) >= 0)
		return rc;
	const char *key = argv[optind];
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
		return rc;
	int found = store_campaign_get(s, key, &camp, &cause);
	if (found != 0) {
		char *k = text_sanitize(key, strlen(key), 200);
		if (found < 0)
			cmd_error(NULL, "%s", cause);
		else
			cmd_error(NULL, "no campaign '%s' (see: launchwatch campaign list)", k);
		free(k);
		rc = found < 0 ? LW_EXIT_UNAVAILABLE : LW_EXIT_ERROR;
		goto done;
	}
	rc = run_test(&camp);
	campaign_done(&camp);
done:
	free(cause);
	cmd_store_close(s, dd);
	return rc;
}
