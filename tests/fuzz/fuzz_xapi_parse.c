/*
 * fuzz_xapi_parse: a libFuzzer target for the provider response parsers,
 * the classifier, the time parser and the paging walker. Built and run by
 * `make fuzz` (clang); single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "provider/xapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one input to every parser; nothing may crash, leak or overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct xapi_page p;
	struct xapi_walk w;
	struct lw_user u;
	struct lw_tweet t;
	struct xapi_balance b;
	char *cause = NULL, *msg = NULL;

	xapi_walk_init(&w, NULL, 3);
	if (xapi_parse_tweets_page(body, size, &p, &cause) == 0) {
		xapi_walk_feed(&w, &p);
		xapi_page_done(&p);
	}
	free(cause);
	cause = NULL;
	if (xapi_parse_users_page(body, size, &p, &cause) == 0) {
		xapi_walk_feed(&w, &p);
		xapi_page_done(&p);
	}
	xapi_walk_done(&w);
	free(cause);
	cause = NULL;
	if (xapi_parse_user_info(body, size, &u, &cause) == 0)
		lw_user_done(&u);
	free(cause);
	cause = NULL;
	if (xapi_parse_tweet(body, size, &t, &cause) == 0)
		lw_tweet_done(&t);
	free(cause);
	cause = NULL;
	(void)xapi_parse_balance(body, size, &b, &cause);
	free(cause);
	static const long statuses[] = {200, 400, 402, 429, 500};
	(void)xapi_classify(statuses[size % 5], body, size, &msg);
	free(msg);
	if (size < 64) {
		char s[64];
		int64_t ms;
		memcpy(s, data, size);
		s[size] = '\0';
		(void)xapi_parse_time(s, &ms);
	}
	return 0;
}
