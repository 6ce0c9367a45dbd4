/*
 * notify_format: the pure half of the alert channels: formats alerts for
 * Slack (an incoming webhook; JSON with Slack's escaping of &, < and >) and
 * for email (an RFC 5322 message: Date, Message-ID, From, To, Subject, a
 * quoted-printable plain-text body; nothing external can reach a header
 * unencoded). engine/notify.h delivers what these build. No I/O; any thread.
 */
#ifndef LW_NOTIFY_FORMAT_H
#define LW_NOTIFY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"

/* Returns s with Slack's control characters escaped (& to &amp;, < to &lt;,
 * > to &gt;); caller frees. */
char *notify_slack_escape(const char *s);

/* Returns the Slack webhook JSON payload ({"text": ...} in mrkdwn) for the n
 * alerts of v on campaign a: one alert, or a digest when n > 1; title (may be
 * NULL) replaces the heading. Caller frees. */
char *notify_slack_payload(const struct alert_campaign *a, const struct alert_candidate *const *v,
    size_t n, const char *title);

/* Fills *subject (one line, sanitized) and *body (plain text, '\n' line
 * ends) for the n alerts of v on campaign a, as notify_slack_payload.
 * Caller frees both. */
void notify_mail_text(const struct alert_campaign *a, const struct alert_candidate *const *v,
    size_t n, const char *title, char **subject, char **body);

/* Returns true when addr is a plain addr-spec (local@domain, printable ASCII,
 * no spaces, quotes, brackets, commas or controls) that is safe in a header. */
bool notify_addr_ok(const char *addr);

/* Builds a complete RFC 5322 message (CRLF line ends) from from_name (the
 * display name, UTF-8; NULL or "" for "launchwatch") and from, the nto
 * addresses of to, subject and body (UTF-8; non-ASCII names and subjects
 * become RFC 2047 encoded-words, the body quoted-printable), dated now_ms
 * (RFC 5322 date, UTC); the Message-ID is unique per call (msgid_seed, the
 * time, the process and a counter). Returns the message (caller frees) or
 * NULL with a cause when an address is unsafe. */
char *notify_mail_build(const char *from_name, const char *from, char *const *to, size_t nto,
    const char *subject, const char *body, int64_t now_ms, const char *msgid_seed, char **cause);

#endif
