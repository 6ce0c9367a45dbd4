/*
 * wire_proxy: a TCP proxy in front of a test's devdb, for tests that need
 * to see what a process asks of the database: it forwards every byte both
 * ways unchanged and records each command the client sends (MongoDB OP_MSG:
 * the command's name, its collection, and whether its filter is exactly
 * {_id: value}). Started and read by test threads; it runs threads of its
 * own until wire_proxy_free.
 */
#ifndef LW_WIRE_PROXY_H
#define LW_WIRE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wire_proxy;

/* One command a client sent. */
struct wire_cmd {
	char name[32]; /* find, getMore, insert, ... */
	char coll[64]; /* the collection it names ("" for none) */
	bool id_only;  /* a find whose filter is exactly {_id: <string>} */
	char *filter;  /* its filter as relaxed extended JSON, "" when none; owned */
	int64_t at_ms; /* when it passed */
};

/* Starts a proxy on a free loopback port forwarding to 127.0.0.1:port;
 * aborts the test on failure. */
struct wire_proxy *wire_proxy_start(int port);

/* Returns the port the proxy listens on. */
int wire_proxy_port(const struct wire_proxy *p);

/* Moves the commands recorded since the last call into *v (caller frees
 * with wire_cmds_free) and returns how many. */
size_t wire_proxy_take(struct wire_proxy *p, struct wire_cmd **v);

/* Frees n commands and their array. */
void wire_cmds_free(struct wire_cmd *v, size_t n);

/* Closes every connection, stops the threads and frees p; NULL is a no-op. */
void wire_proxy_free(struct wire_proxy *p);

#endif
