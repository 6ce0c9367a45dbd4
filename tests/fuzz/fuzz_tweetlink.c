/*
 * fuzz_tweetlink: a libFuzzer target for the tweet link parser (a link or
 * id pasted by a user or read from a campaign file). An accepted input
 * gives 1 to TWEET_ID_MAX digits. Built and run by `make fuzz`; single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/tweetlink.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input as a C string; nothing may crash, leak or overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1), id[TWEET_ID_MAX + 1], *cause = NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(id, 'x', sizeof id);
	if (tweetlink_parse(s, id, &cause) == 0) {
		size_t n = strnlen(id, sizeof id);
		if (n == 0 || n > TWEET_ID_MAX || strspn(id, "0123456789") != n)
			abort(); /* an accepted link gives digits only */
	}
	free(cause);
	free(s);
	return 0;
}
