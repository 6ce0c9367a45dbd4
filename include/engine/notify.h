/*
 * notify: delivers alerts on the channels. It formats them with
 * output/notify_format.h (the Slack payload; an RFC 5322 message) and sends
 * them through net/ (Slack's HTTPS POST with net/http.h; SMTP with STARTTLS,
 * or SMTPS, and login with net/smtp.h), classifying each outcome as ok,
 * transient or permanent with a sanitized message. Secrets (webhook URL,
 * SMTP password) are resolved from their env:/file: references at send
 * time, wiped after use, and never appear in a result or a cause. A struct
 * notify holds an HTTP and an SMTP client and belongs to one thread.
 */
#ifndef LW_NOTIFY_H
#define LW_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"

/* How a delivery went. */
enum notify_class {
	NOTIFY_OK,        /* delivered (HTTP 2xx; SMTP message accepted) */
	NOTIFY_TRANSIENT, /* 5xx, 429, timeouts, refused connections, SMTP 4xx: retry */
	NOTIFY_PERMANENT, /* other 4xx, SMTP 5xx or bad login, bad settings: stop */
	NOTIFY__CLASSES
};

/* Returns "ok", "transient" or "permanent". */
const char *notify_class_name(enum notify_class c);

/* The outcome of one delivery attempt. */
struct notify_result {
	enum notify_class cls;
	long code;         /* HTTP status or last SMTP reply code; 0 when none */
	int retry_after_s; /* Retry-After of a 429 (at most 3600), -1 when absent */
	char *message;     /* sanitized, human-readable, never a secret; NULL on OK; owned */
};

/* Frees the message of r and zeroes it. */
void notify_result_done(struct notify_result *r);

/* Resolves a secret reference ("env:NAME" or "file:PATH"; the file's first
 * line, trimmed) into *out (caller frees with notify_secret_free). Returns 0,
 * or -1 with a cause that names the reference but never the secret. */
int notify_secret_resolve(const char *ref, char **out, char **cause);
/* Wipes and frees a resolved secret; NULL is a no-op. */
void notify_secret_free(char *secret);

/* The environment variable that sets the From of alert mail for every
 * campaign without alerts.email.from. */
#define NOTIFY_MAIL_FROM_ENV "LAUNCHWATCH_MAIL_FROM"

/* Fills *name (display name, "launchwatch" by default) and *addr with the
 * From of a campaign's mail: alerts.email.from, else $LAUNCHWATCH_MAIL_FROM,
 * else the SMTP user when it is an address, else launchwatch@ the SMTP
 * server's host. Caller frees both. -1 with a cause (and nothing
 * allocated) when the chosen setting is not a plain address. Any thread. */
int notify_mail_from(const struct alert_campaign *a, char **name, char **addr, char **cause);

/* ---- delivery (one struct notify per thread) ---- */

struct notify;

/* Returns a new sender with its own clients (aborts if libcurl cannot start). */
struct notify *notify_new(void);
/* Frees n; NULL is a no-op. */
void notify_free(struct notify *n);
/* Sets the connect and total timeouts in milliseconds (defaults 5000 and 20000). */
void notify_set_timeouts(struct notify *n, long connect_ms, long total_ms);

/* POSTs payload (JSON) to the webhook whose reference is webhook_ref; fills
 * res (caller frees with notify_result_done). Returns 0 on NOTIFY_OK, else -1. */
int notify_slack_post(
    struct notify *n, const char *webhook_ref, const char *payload, struct notify_result *res);

/* Sends message (from notify_mail_build) from from to the nto addresses of to
 * through smtp_url as user with the password behind password_ref ("" or NULL:
 * no login); fills res. Returns 0 on NOTIFY_OK, else -1. */
int notify_smtp_send(struct notify *n, const char *smtp_url, const char *user,
    const char *password_ref, const char *from, char *const *to, size_t nto, const char *message,
    struct notify_result *res);

/* Formats the n alerts of v for channel ch of campaign a and delivers them
 * (title as in notify_slack_payload); fills res. Returns 0 on NOTIFY_OK, else
 * -1. */
int notify_send(struct notify *n, const struct alert_campaign *a, enum alert_channel ch,
    const struct alert_candidate *const *v, size_t nv, const char *title,
    struct notify_result *res);

#endif
