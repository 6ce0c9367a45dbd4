/*
 * scorer_internal: the sentiment scorer process (scorer.c), private to
 * src/engine/: starting `launchwatch-sentiment` (or LAUNCHWATCH_SENTIMENT_CMD)
 * on a socket pair, reading its hello, one request and its answer at a
 * time with a deadline, its stderr lines, and stopping it. The sentiment
 * supervisor (sentiment.c) owns one and restarts it; nothing here waits
 * longer than the deadline it is given. Supervisor thread only.
 */
#ifndef LW_SCORER_INTERNAL_H
#define LW_SCORER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A running scorer. */
struct scorer {
	pid_t pid;        /* 0 when not running */
	int fd;           /* its stdin and stdout */
	int err_fd;       /* its stderr */
	char scorer[32];  /* from the hello: "vader" */
	char version[32]; /* "3.3.2" */
	char *buf;        /* bytes read and not yet a whole line */
	size_t len, cap;
	char *ebuf; /* stderr bytes not yet a whole line */
	size_t elen, ecap;
	uint64_t next_id; /* the id of the next request */
};

/* The answer to one request. */
struct scorer_answer {
	bool scored;  /* false: not scored (language) */
	double score; /* -1..1 when scored */
};

/* Returns the command that starts the scorer (a new string, caller frees):
 * cmd when given, else $LAUNCHWATCH_SENTIMENT_CMD, else launchwatch-sentiment
 * beside this executable. */
char *scorer_command(const char *cmd);

/* Starts cmd (through /bin/sh -c "exec CMD") and reads its hello within
 * timeout_ms. 0, or -1 with a cause (the process is stopped again). */
int scorer_start(struct scorer *sc, const char *cmd, int64_t timeout_ms, char **cause);

/* Sends {id, text, lang} and reads its answer within timeout_ms. 0, or -1
 * with a cause (the scorer died, hung or said something unreadable: the
 * caller stops it). */
int scorer_ask(struct scorer *sc, const char *text, const char *lang, int64_t timeout_ms,
    struct scorer_answer *out, char **cause);

/* Calls fn for each whole line the scorer wrote on its stderr so far
 * (without waiting). */
void scorer_drain_stderr(struct scorer *sc, void (*fn)(void *arg, const char *line), void *arg);

/* Returns true while the process runs (reaps it when it ended). */
bool scorer_running(struct scorer *sc);

/* Stops the scorer (SIGTERM, SIGKILL after 500 ms), reaps it and frees
 * what sc holds; a scorer not running is a no-op. */
void scorer_stop(struct scorer *sc);

#endif
