/*
 * test_notify: the alert channels against real servers on 127.0.0.1: the
 * Slack webhook receiver of al_support (libmicrohttpd, answering 500 and 429
 * before 200, or 404) and the aiosmtpd server of tests/al_smtpd.py (login
 * required; a bad login is refused with 535); refused connections; the
 * formatters (Slack escaping, RFC 5322 headers that nothing can inject into)
 * and secret references that never leak.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "al_support.h"
#include "model/alert.h"
#include "engine/notify.h"
#include "output/notify_format.h"
#include "testutil.h"
#include "base/util.h"

#define SECRET_PATH "/services/T000/B000/s3cr3tT0ken"

/* Fills a candidate (caller calls alert_candidate_done). */
static void
cand(struct alert_candidate *c, const char *handle, const char *name, const char *text,
    enum lw_action act)
{
	memset(c, 0, sizeof *c);
	snprintf(c->campaign_id, sizeof c->campaign_id, "acme-0badf00d");
	snprintf(c->tweet_id, sizeof c->tweet_id, "1861111111111111111");
	snprintf(c->user_id, sizeof c->user_id, "4242");
	snprintf(
	    c->ref_id, sizeof c->ref_id, "%s", act == ACT_RETWEET ? "" : "1862222222222222222");
	c->category = CAT_MAIN;
	c->action = act;
	c->bucket = BK_INVESTOR;
	c->importance = 88;
	c->handle = xstrdup(handle);
	c->name = xstrdup(name);
	c->evidence = xstrdup("bio: 'general partner', 'vc'");
	c->text = xstrdup(text);
	c->event_ms = 1767225600000LL;
}

/* A campaign with both channels (caller calls alert_campaign_done). */
static void
camp(struct alert_campaign *a, const char *slack_ref, const char *smtp_url, const char *pw_ref)
{
	memset(a, 0, sizeof *a);
	snprintf(a->id, sizeof a->id, "acme-0badf00d");
	a->name = xstrdup("Acme <L2> & friends");
	a->slack_ref = xstrdup(slack_ref);
	a->has_email = smtp_url != NULL;
	a->email_to = xcalloc(3, sizeof *a->email_to);
	a->email_to[0] = xstrdup("team@acme.example");
	a->email_to[1] = xstrdup("ops@acme.example");
	a->nemail_to = 2;
	a->smtp_url = xstrdup(smtp_url ? smtp_url : "");
	a->smtp_user = xstrdup("alerts@acme.example");
	a->smtp_password_ref = xstrdup(pw_ref ? pw_ref : "");
	a->tweets = xcalloc(1, sizeof *a->tweets);
	a->rules.watch = xcalloc(1, sizeof *a->rules.watch);
}

START_TEST(test_slack_format)
{
	struct alert_campaign a;
	struct alert_candidate c;
	camp(&a, "env:X", NULL, NULL);
	cand(&c, "jane_vc", "Jane <b>&</b> Doe", "to the <moon> & back", ACT_QUOTE);
	char *e = notify_slack_escape("a<b>&c");
	ck_assert_str_eq(e, "a&lt;b&gt;&amp;c");
	free(e);

	const struct alert_candidate *v[1] = {&c};
	char *p = notify_slack_payload(&a, v, 1, NULL);
	json_error_t jerr;
	json_t *j = json_loads(p, 0, &jerr);
	ck_assert_msg(j != NULL, "payload is not JSON: %s", jerr.text);
	const char *text = json_string_value(json_object_get(j, "text"));
	ck_assert_ptr_nonnull(text);
	/* external text escaped, our own links intact */
	ck_assert_ptr_nonnull(strstr(text, "Jane &lt;b&gt;&amp;&lt;/b&gt; Doe"));
	ck_assert_ptr_nonnull(strstr(text, "to the &lt;moon&gt; &amp; back"));
	ck_assert_ptr_nonnull(strstr(text, "Acme &lt;L2&gt; &amp; friends"));
	ck_assert_ptr_nonnull(strstr(text, "<https://x.com/jane_vc|@jane_vc>"));
	ck_assert_ptr_nonnull(
	    strstr(text, "<https://x.com/jane_vc/status/1862222222222222222|open>"));
	ck_assert_ptr_nonnull(
	    strstr(text, "quoted the main tweet <https://x.com/i/status/1861111111111111111|"));
	ck_assert_ptr_nonnull(
	    strstr(text, "investor, importance 88 (bio: 'general partner', 'vc')"));
	/* no raw < or > outside links */
	for (const char *q = strchr(text, '<'); q != NULL; q = strchr(q + 1, '<'))
		ck_assert_msg(strncmp(q, "<https://x.com/", 15) == 0, "raw '<' at: %.30s", q);
	json_decref(j);
	free(p);

	/* a digest of 25 lists 20 and counts the rest */
	struct alert_candidate many[25];
	const struct alert_candidate *mv[25];
	for (int i = 0; i < 25; i++) {
		char h[16];
		snprintf(h, sizeof h, "vc%02d", i);
		cand(&many[i], h, h, "", ACT_RETWEET);
		mv[i] = &many[i];
	}
	p = notify_slack_payload(&a, mv, 25, NULL);
	j = json_loads(p, 0, &jerr);
	text = json_string_value(json_object_get(j, "text"));
	ck_assert_ptr_nonnull(strstr(text, "25 important engagements on Acme"));
	ck_assert_ptr_nonnull(strstr(text, "@vc19"));
	ck_assert_ptr_null(strstr(text, "@vc20"));
	ck_assert_ptr_nonnull(strstr(text, "and 5 more"));
	json_decref(j);
	free(p);
	for (int i = 0; i < 25; i++)
		alert_candidate_done(&many[i]);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
}
END_TEST

/* Returns the value of header name in the header block of msg (unfolded,
 * caller frees), or NULL; *count gets how many times it appears. */
static char *
header(const char *msg, const char *name, int *count)
{
	char *out = NULL;
	size_t nl = strlen(name);
	*count = 0;
	const char *end = strstr(msg, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	for (const char *p = msg; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			(*count)++;
			struct sbuf b;
			sbuf_init(&b);
			const char *q = p + nl + 1;
			for (;;) {
				const char *eol = strstr(q, "\r\n");
				sbuf_add(&b, q, (size_t)(eol - q));
				if (eol[2] != ' ' && eol[2] != '\t')
					break;
				q = eol + 2;
			}
			free(out);
			out = sbuf_take(&b);
		}
		if (strstr(p, "\r\n") == NULL)
			break;
	}
	return out;
}

START_TEST(test_mail_build)
{
	char *to[] = {(char *)"team@acme.example", (char *)"ops@acme.example"};
	char *cause = NULL;
	const char *subject = "[launchwatch] @eve\r\nBcc: victim@example.com\r\n\r\nhi";
	char *m = notify_mail_build(NULL, "alerts@acme.example", to, 2, subject,
	    "line one\nZoë = 100%\n.dot line\n", 1767225600000LL, "seed", &cause);
	ck_assert_ptr_nonnull(m);
	int n;
	char *v = header(m, "Date", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v, " Thu, 01 Jan 2026 00:00:00 +0000");
	free(v);
	v = header(m, "From", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v, " launchwatch <alerts@acme.example>");
	free(v);
	v = header(m, "To", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v, " <team@acme.example>, <ops@acme.example>");
	free(v);
	v = header(m, "Message-ID", &n);
	ck_assert_int_eq(n, 1);
	ck_assert(v[1] == '<' && strstr(v, "@acme.example>") != NULL);
	free(v);
	v = header(m, "Subject", &n);
	ck_assert_int_eq(n, 1);
	free(v);
	/* the injection attempt stayed inside the Subject */
	v = header(m, "Bcc", &n);
	ck_assert_int_eq(n, 0);
	free(v);
	ck_assert_ptr_null(strstr(m, "\r\nBcc:"));
	/* one blank line, then quoted-printable body; no bare LF anywhere */
	const char *body = strstr(m, "\r\n\r\n") + 4;
	ck_assert_ptr_nonnull(strstr(body, "Zo=C3=AB =3D 100%"));
	for (const char *p = m; *p; p++)
		if (*p == '\n')
			ck_assert_msg(p > m && p[-1] == '\r', "bare LF");
	free(m);
	/* unsafe addresses are refused */
	char *bad[] = {(char *)"x@y.z>\r\nBcc: evil@e.com"};
	ck_assert_ptr_null(notify_mail_build(NULL, "a@b.c", bad, 1, "s", "b", 0, "s", &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(
	    notify_mail_build(NULL, "not an address", to, 1, "s", "b", 0, "s", &cause));
	free(cause);
	/* display names: plain ASCII words as they are; non-ASCII, specials
	 * and spoofing characters as RFC 2047 encoded-words; unique Message-IDs */
	static const struct {
		const char *name, *want;
	} names[] = {
	    {"Acme alerts", " Acme alerts <alerts@acme.example>"},
	    {"", " launchwatch <alerts@acme.example>"},
	    {"\xc3\x89quipe Caf\xc3\xa9",
	        " =?UTF-8?B?w4lxdWlwZSBDYWbDqQ==?= <alerts@acme.example>"},
	    {"Acme, Inc.", " =?UTF-8?B?QWNtZSwgSW5jLg==?= <alerts@acme.example>"},
	    {"=?UTF-8?B?QmNjOg==?=",
	        " =?UTF-8?B?PT9VVEYtOD9CP1FtTmpPZz09Pz0=?= <alerts@acme.example>"},
	    {"ev\xe2\x80\xaeil\r\nBcc: x@y.z",
	        " =?UTF-8?B?ZXZpbCAgQmNjOiB4QHkueg==?= <alerts@acme.example>"},
	};
	char *prev_id = NULL;
	for (size_t i = 0; i < LW_ARRAY_LEN(names); i++) {
		m = notify_mail_build(names[i].name, "alerts@acme.example", to, 1, "s", "b\n",
		    1767225600000LL, "seed", &cause);
		ck_assert_ptr_nonnull(m);
		v = header(m, "From", &n);
		ck_assert_int_eq(n, 1);
		ck_assert_msg(strcmp(v, names[i].want) == 0, "name %zu: %s", i, v);
		free(v);
		ck_assert_ptr_null(strstr(m, "\r\nBcc:"));
		/* the same seed, body and millisecond still give a new Message-ID */
		v = header(m, "Message-ID", &n);
		ck_assert_msg(
		    prev_id == NULL || strcmp(prev_id, v) != 0, "Message-ID repeated: %s", v);
		free(prev_id);
		prev_id = v;
		free(m);
	}
	free(prev_id);
	ck_assert(notify_addr_ok("a.b+c@d.example"));
	ck_assert(!notify_addr_ok("a@b@c"));
	ck_assert(!notify_addr_ok("@b.c"));
	ck_assert(!notify_addr_ok("a b@c.d"));
}
END_TEST

START_TEST(test_secrets)
{
	char *s = NULL, *cause = NULL;
	setenv("LW_T_SECRET", "hunter2-value\n", 1);
	ck_assert_int_eq(notify_secret_resolve("env:LW_T_SECRET", &s, &cause), 0);
	ck_assert_str_eq(s, "hunter2-value");
	notify_secret_free(s);
	char *dir = tu_tempdir();
	char *path = tu_write_file(dir, "pw", "  file-secret-42  \nsecond line\n");
	char *ref = xasprintf("file:%s", path);
	ck_assert_int_eq(notify_secret_resolve(ref, &s, &cause), 0);
	ck_assert_str_eq(s, "file-secret-42");
	notify_secret_free(s);
	/* systemd's credentials: file:$CREDENTIALS_DIRECTORY/NAME */
	unsetenv("CREDENTIALS_DIRECTORY");
	ck_assert_int_eq(notify_secret_resolve("file:$CREDENTIALS_DIRECTORY/pw", &s, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "CREDENTIALS_DIRECTORY is not set"));
	free(cause);
	cause = NULL;
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	ck_assert_int_eq(notify_secret_resolve("file:$CREDENTIALS_DIRECTORY/pw", &s, &cause), 0);
	ck_assert_str_eq(s, "file-secret-42");
	notify_secret_free(s);
	unsetenv("CREDENTIALS_DIRECTORY");
	/* failures name the reference, never a value */
	ck_assert_int_eq(notify_secret_resolve("env:LW_T_UNSET_VAR", &s, &cause), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(cause, "env:LW_T_UNSET_VAR"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(notify_secret_resolve("file:/nonexistent/x", &s, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "file:/nonexistent/x"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(notify_secret_resolve("hunter2-value", &s, &cause), -1);
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
	free(ref);
	free(path);
	tu_rmtree(dir);
	free(dir);
	unsetenv("LW_T_SECRET");
}
END_TEST

START_TEST(test_slack_500_429_then_200)
{
	static const int script[] = {500, 429, 200};
	struct al_slack *r = al_slack_start(script, 3, 7);
	char *url = xasprintf("http://127.0.0.1:%d%s", al_slack_port(r), SECRET_PATH);
	setenv("LW_T_HOOK", url, 1);
	struct notify *n = notify_new();
	struct notify_result res;
	const char *payload = "{\"text\":\"hello &lt;world&gt;\"}";

	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", payload, &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_TRANSIENT);
	ck_assert_int_eq(res.code, 500);
	ck_assert_ptr_null(strstr(res.message, "s3cr3t"));
	notify_result_done(&res);

	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", payload, &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_TRANSIENT);
	ck_assert_int_eq(res.code, 429);
	ck_assert_int_eq(res.retry_after_s, 7);
	notify_result_done(&res);

	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", payload, &res), 0);
	ck_assert_int_eq(res.cls, NOTIFY_OK);
	ck_assert_int_eq(res.code, 200);
	ck_assert_ptr_null(res.message);
	notify_result_done(&res);

	ck_assert_uint_eq(al_slack_requests(r), 3);
	ck_assert_uint_eq(al_slack_count(r), 1);
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_str_eq(body, payload);
	free(body);
	char *path = al_slack_path(r, 2);
	ck_assert_str_eq(path, SECRET_PATH);
	free(path);
	notify_free(n);
	free(url);
	al_slack_free(r);
	unsetenv("LW_T_HOOK");
}
END_TEST

START_TEST(test_slack_permanent_and_refused)
{
	static const int script[] = {404};
	struct al_slack *r = al_slack_start(script, 1, 0);
	char *url = xasprintf("http://127.0.0.1:%d%s", al_slack_port(r), SECRET_PATH);
	setenv("LW_T_HOOK", url, 1);
	struct notify *n = notify_new();
	struct notify_result res;
	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", "{}", &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	ck_assert_int_eq(res.code, 404);
	ck_assert_ptr_nonnull(strstr(res.message, "404"));
	ck_assert_ptr_nonnull(strstr(res.message, "env:LW_T_HOOK"));
	ck_assert_ptr_null(strstr(res.message, "s3cr3t"));
	notify_result_done(&res);

	/* nothing listens: transient */
	char *closed = xasprintf("http://127.0.0.1:%d%s", al_free_port(), SECRET_PATH);
	setenv("LW_T_HOOK", closed, 1);
	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", "{}", &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_TRANSIENT);
	ck_assert_ptr_null(strstr(res.message, "s3cr3t"));
	notify_result_done(&res);

	/* plain http off loopback and a missing secret: permanent, no request */
	setenv("LW_T_HOOK", "http://hooks.example.com" SECRET_PATH, 1);
	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", "{}", &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	ck_assert_ptr_null(strstr(res.message, "s3cr3t"));
	notify_result_done(&res);
	unsetenv("LW_T_HOOK");
	ck_assert_int_eq(notify_slack_post(n, "env:LW_T_HOOK", "{}", &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	notify_result_done(&res);
	ck_assert_uint_eq(al_slack_requests(r), 1);
	notify_free(n);
	free(closed);
	free(url);
	al_slack_free(r);
}
END_TEST

/* Reads DIR/N.json of the SMTP server (caller decrefs). */
static json_t *
mail_json(struct al_smtpd *d, int i)
{
	char *p = xasprintf("%s/%d.json", d->dir, i);
	json_error_t err;
	json_t *j = json_load_file(p, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j;
}

START_TEST(test_smtp_login_and_message)
{
	struct al_smtpd *d = al_smtpd_start("alerts@acme.example", "pw-Correct-9");
	char *url = xasprintf("smtp://127.0.0.1:%d", d->port);
	setenv("LW_T_PW", "pw-Correct-9", 1);
	struct alert_campaign a;
	camp(&a, "", url, "env:LW_T_PW");
	free(a.name);
	a.name = xstrdup("Café launch — ünïcode");
	struct alert_candidate c1, c2;
	cand(&c1, "jane_vc", "Jane\r\nBcc: victim@example.com", "gm & <wagmi>", ACT_QUOTE);
	cand(&c2, "bob", "Bob", "", ACT_RETWEET);
	const struct alert_candidate *v[2] = {&c1, &c2};
	struct notify *n = notify_new();
	struct notify_result res;

	/* one alert */
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res) == 0, "%s", res.message);
	ck_assert_int_eq(res.code, 250);
	notify_result_done(&res);
	/* a digest of two */
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 2, NULL, &res) == 0, "%s", res.message);
	notify_result_done(&res);
	ck_assert_int_eq(al_smtpd_count(d), 2);

	json_t *j = mail_json(d, 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "mail_from")), "alerts@acme.example");
	ck_assert_str_eq(json_string_value(json_object_get(j, "login")), "alerts@acme.example");
	json_t *rc = json_object_get(j, "rcpt_tos");
	ck_assert_uint_eq(json_array_size(rc), 2);
	ck_assert_str_eq(json_string_value(json_array_get(rc, 1)), "ops@acme.example");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "date_parsed")));
	const char *mid = json_string_value(json_object_get(j, "message_id"));
	ck_assert(mid[0] == '<' && strstr(mid, "@acme.example>") != NULL);
	ck_assert_str_eq(
	    json_string_value(json_object_get(j, "from")), "launchwatch <alerts@acme.example>");
	const char *subj = json_string_value(json_object_get(j, "subject"));
	ck_assert_str_eq(subj,
	    "[launchwatch] @jane_vc (investor, importance 88) quoted the main tweet of Café "
	    "launch — ünïcode");
	ck_assert_str_eq(json_string_value(json_object_get(j, "content_type")), "text/plain");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "defects")), 0);
	json_t *hdrs = json_object_get(j, "headers");
	size_t i;
	json_t *h;
	for (i = 0; i < json_array_size(hdrs); i++) {
		h = json_array_get(hdrs, i);
		ck_assert_str_ne(json_string_value(h), "Bcc");
	}
	const char *body = json_string_value(json_object_get(j, "body"));
	ck_assert_msg(
	    strstr(body, "Bcc: victim@example.com (@jane_vc): investor") != NULL, "%s", body);
	ck_assert_ptr_nonnull(
	    strstr(body, "quoted the main tweet https://x.com/i/status/1861111111111111111"));
	ck_assert_ptr_nonnull(strstr(body, "\"gm & <wagmi>\""));
	ck_assert_ptr_nonnull(strstr(body, "https://x.com/jane_vc/status/1862222222222222222"));
	json_decref(j);

	j = mail_json(d, 2);
	subj = json_string_value(json_object_get(j, "subject"));
	ck_assert_str_eq(subj, "[launchwatch] 2 important engagements on Café launch — ünïcode");
	body = json_string_value(json_object_get(j, "body"));
	ck_assert_ptr_nonnull(strstr(body, "(@jane_vc)"));
	ck_assert_ptr_nonnull(strstr(body, "(@bob)"));
	ck_assert_ptr_nonnull(strstr(body, "retweeted the main tweet"));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "defects")), 0);
	json_decref(j);

	/* a bad password: permanent, 535, and the password never shows */
	setenv("LW_T_PW", "pw-Wrong-1", 1);
	ck_assert_int_eq(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	ck_assert_int_eq(res.code, 535);
	ck_assert_ptr_nonnull(strstr(res.message, "login"));
	ck_assert_ptr_null(strstr(res.message, "pw-Wrong"));
	notify_result_done(&res);
	ck_assert_int_eq(al_smtpd_count(d), 2);

	/* the server gone: refused, transient */
	al_smtpd_free(d);
	d = NULL;
	setenv("LW_T_PW", "pw-Correct-9", 1);
	ck_assert_int_eq(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_TRANSIENT);
	ck_assert_ptr_null(strstr(res.message, "pw-Correct"));
	notify_result_done(&res);

	notify_free(n);
	alert_candidate_done(&c1);
	alert_candidate_done(&c2);
	alert_campaign_done(&a);
	free(url);
	unsetenv("LW_T_PW");
}
END_TEST

/* The From of alert mail: alerts.email.from (a non-ASCII display name as
 * an RFC 2047 encoded-word), else $LAUNCHWATCH_MAIL_FROM, else the SMTP
 * user; the envelope sender follows it; Date parses and each message has
 * its own Message-ID, as the receiving server reads them. */
START_TEST(test_smtp_from_setting)
{
	struct al_smtpd *d = al_smtpd_start("alerts@acme.example", "pw-Correct-9");
	char *url = xasprintf("smtp://127.0.0.1:%d", d->port);
	setenv("LW_T_PW", "pw-Correct-9", 1);
	struct alert_campaign a;
	camp(&a, "", url, "env:LW_T_PW");
	struct alert_candidate c1;
	cand(&c1, "jane_vc", "Jane", "gm", ACT_QUOTE);
	const struct alert_candidate *v[1] = {&c1};
	struct notify *n = notify_new();
	struct notify_result res;

	unsetenv(NOTIFY_MAIL_FROM_ENV);
	a.mail_from = xstrdup("\xc3\x89quipe Caf\xc3\xa9 <launch@acme.example>");
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res) == 0, "%s", res.message);
	notify_result_done(&res);
	setenv(NOTIFY_MAIL_FROM_ENV, "\"Acme Ops\" <ops-bot@acme.example>", 1);
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res) == 0, "%s", res.message);
	notify_result_done(&res);
	free(a.mail_from);
	a.mail_from = xstrdup("");
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res) == 0, "%s", res.message);
	notify_result_done(&res);
	unsetenv(NOTIFY_MAIL_FROM_ENV);
	ck_assert_msg(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res) == 0, "%s", res.message);
	notify_result_done(&res);
	ck_assert_int_eq(al_smtpd_count(d), 4);

	/* the campaign's setting wins over the environment's */
	static const char *const want_from[] = {"\xc3\x89quipe Caf\xc3\xa9 <launch@acme.example>",
	    "\xc3\x89quipe Caf\xc3\xa9 <launch@acme.example>", "Acme Ops <ops-bot@acme.example>",
	    "launchwatch <alerts@acme.example>"};
	static const char *const want_env[] = {"launch@acme.example", "launch@acme.example",
	    "ops-bot@acme.example", "alerts@acme.example"};
	char *ids[4];
	for (int i = 0; i < 4; i++) {
		json_t *j = mail_json(d, i + 1);
		ck_assert_str_eq(json_string_value(json_object_get(j, "from")), want_from[i]);
		ck_assert_str_eq(json_string_value(json_object_get(j, "mail_from")), want_env[i]);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "date_parsed")));
		ck_assert_uint_eq(json_array_size(json_object_get(j, "defects")), 0);
		ids[i] = xstrdup(json_string_value(json_object_get(j, "message_id")));
		for (int k = 0; k < i; k++)
			ck_assert_str_ne(ids[k], ids[i]);
		json_decref(j);
	}
	for (int i = 0; i < 4; i++)
		free(ids[i]);
	/* the raw bytes carry the name as an encoded-word, never as 8-bit */
	char *eml = xasprintf("%s/1.eml", d->dir);
	char *raw = NULL;
	size_t len = 0;
	ck_assert_int_eq(file_read_all(eml, &raw, &len, NULL), 0);
	ck_assert_ptr_nonnull(
	    strstr(raw, "From: =?UTF-8?B?w4lxdWlwZSBDYWbDqQ==?= <launch@acme.example>"));
	free(raw);
	free(eml);

	/* a setting that is not an address fails permanently, naming it */
	setenv(NOTIFY_MAIL_FROM_ENV, "not an address", 1);
	ck_assert_int_eq(notify_send(n, &a, ALERT_EMAIL, v, 1, NULL, &res), -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	ck_assert_ptr_nonnull(strstr(res.message, NOTIFY_MAIL_FROM_ENV));
	notify_result_done(&res);
	unsetenv(NOTIFY_MAIL_FROM_ENV);
	ck_assert_int_eq(al_smtpd_count(d), 4);

	notify_free(n);
	alert_candidate_done(&c1);
	alert_campaign_done(&a);
	al_smtpd_free(d);
	free(url);
	unsetenv("LW_T_PW");
}
END_TEST

START_TEST(test_smtp_requires_tls_for_remote_login)
{
	/* a password to a non-loopback smtp:// server demands STARTTLS; a server
	 * here that offers none (aiosmtpd without TLS on 127.0.0.2) is refused
	 * before any login, permanently */
	struct al_smtpd *d = al_smtpd_start("u@x.example", "pw");
	char *url = xasprintf("smtp://127.0.0.1:%d", d->port);
	char *to[] = {(char *)"a@b.example"};
	setenv("LW_T_PW", "pw", 1);
	struct notify *n = notify_new();
	struct notify_result res;
	/* loopback: plain text allowed, works */
	char *msg = notify_mail_build(NULL, "u@x.example", to, 1, "s", "b\n", 0, "x", NULL);
	ck_assert_int_eq(
	    notify_smtp_send(n, url, "u@x.example", "env:LW_T_PW", "u@x.example", to, 1, msg, &res),
	    0);
	notify_result_done(&res);
	/* smtps:// to a plain server fails, never silently in clear */
	char *tls = xasprintf("smtps://127.0.0.1:%d", d->port);
	notify_set_timeouts(n, 3000, 5000);
	ck_assert_int_eq(
	    notify_smtp_send(n, tls, "u@x.example", "env:LW_T_PW", "u@x.example", to, 1, msg, &res),
	    -1);
	ck_assert_int_ne(res.cls, NOTIFY_OK);
	notify_result_done(&res);
	/* credentials in the URL are refused outright */
	ck_assert_int_eq(
	    notify_smtp_send(n, "smtp://u:pw@127.0.0.1:1", "", "", "u@x.example", to, 1, msg, &res),
	    -1);
	ck_assert_int_eq(res.cls, NOTIFY_PERMANENT);
	ck_assert_ptr_null(strstr(res.message, ":pw@"));
	notify_result_done(&res);
	ck_assert_int_eq(al_smtpd_count(d), 1);
	free(msg);
	free(tls);
	free(url);
	notify_free(n);
	al_smtpd_free(d);
	unsetenv("LW_T_PW");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, test_slack_format);
	tcase_add_test(tc, test_mail_build);
	tcase_add_test(tc, test_secrets);
	suite_add_tcase(s, tc);
	tc = tcase_create("loopback");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_slack_500_429_then_200);
	tcase_add_test(tc, test_slack_permanent_and_refused);
	tcase_add_test(tc, test_smtp_login_and_message);
	tcase_add_test(tc, test_smtp_from_setting);
	tcase_add_test(tc, test_smtp_requires_tls_for_remote_login);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
