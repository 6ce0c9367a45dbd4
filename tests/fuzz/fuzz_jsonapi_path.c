/*
 * fuzz_jsonapi_path: a libFuzzer target for the JSON endpoint's request
 * target: jsonapi_path_decode on the raw path and query, then, when it is
 * accepted, the query's limit and bucket arguments and the answer from an
 * empty snapshot and from none. An accepted path holds no NUL, control
 * character, '.' or '..' segment. Built and run by `make fuzz`;
 * single-threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/jsonapi.h"
#include "model/agg.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies the value of query argument name (up to '&') out of query, or
 * NULL when it is absent (new string). */
static char *
arg(const char *query, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1;
			return xstrndup(v, strcspn(v, "&"));
		}
	}
	return NULL;
}

/* Aborts when an accepted path breaks the decoder's promises. */
static void
check_path(const char *path)
{
	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./"))
		abort();
	size_t n = strlen(path);
	if ((n >= 3 && strcmp(path + n - 3, "/..") == 0) ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0))
		abort();
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort();
}

/* Decodes and answers one request target; nothing may crash, leak or
 * overflow. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsonapi_snap *snap;
	if (snap == NULL) {
		struct agg *a = agg_new();
		snap = jsonapi_snap_build(a, NULL, 1700000000000);
		agg_free(a);
	}
	char *raw = xstrndup((const char *)data, size), out[JSONAPI_PATH_MAX];
	const char *why = NULL;
	if (jsonapi_path_decode(raw, out, &why) == 0) {
		check_path(out);
		const char *q = strchr(raw, '?');
		char *limit = arg(q ? q + 1 : NULL, "limit"),
		     *bucket = arg(q ? q + 1 : NULL, "bucket");
		struct jsonapi_reply r;
		jsonapi_answer(snap, out, limit, bucket, &r);
		free(r.body);
		jsonapi_answer(NULL, out, limit, bucket, &r);
		free(r.body);
		free(limit);
		free(bucket);
	} else if (why == NULL) {
		abort(); /* a refusal always says why */
	}
	free(raw);
	return 0;
}
