/*
 * smtp: sends one message through libcurl's SMTP client: smtps:// (TLS
 * from the start) or smtp:// with STARTTLS, which is required whenever a
 * password would cross a network (a relay on loopback, or one without login,
 * may answer in plain text), and a login when a user is given. One struct
 * smtp_client (one CURL handle) per thread; a client is never shared between
 * threads. Nothing here logs, and the password never appears in a result.
 */
#ifndef LW_SMTP_H
#define LW_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/* One message to send; everything is borrowed for the call. */
struct smtp_mail {
	const char *url;      /* smtp://HOST[:PORT] or smtps://HOST[:PORT] */
	const char *user;     /* NULL or "": no login */
	const char *password; /* the login's password (a resolved secret); may be NULL */
	const char *from;     /* envelope sender, a plain address */
	char *const *to;      /* the nto envelope recipients, plain addresses */
	size_t nto;
	const char *message; /* the whole RFC 5322 message, CRLF line ends */
};

/* How a send went. */
struct smtp_result {
	long code;         /* the last SMTP reply code; 0 when none arrived */
	bool login_denied; /* the server refused the login */
	const char *error; /* a failed send: libcurl's description (static); else NULL */
	const char *hint;  /* a failure retrying cannot fix (settings, TLS): what to check
	                      (static); NULL for one that may pass later */
};

struct smtp_client;

/* Returns a new client (aborts if libcurl cannot start). */
struct smtp_client *smtp_client_new(void);
/* Frees c and its handle; NULL is a no-op. */
void smtp_client_free(struct smtp_client *c);
/* Sets the connect and total timeouts in milliseconds (defaults 5000 and 20000). */
void smtp_client_set_timeouts(struct smtp_client *c, long connect_ms, long total_ms);

/* Sends m and fills r. Returns 0 when the server accepted the message, else
 * -1 (r says why). */
int smtp_send(struct smtp_client *c, const struct smtp_mail *m, struct smtp_result *r);

#endif
