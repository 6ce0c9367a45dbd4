/*
 * util: allocation that aborts on failure, string buffers, error causes, the
 * injectable clock, small file helpers. Any thread may call these; clock_set()
 * is for tests and must be called before other threads start.
 */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	fputs("launchwatch: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		oom();
	size_t total = n * sz;
	void *q = realloc(p, total ? total : 1);
	if (q == NULL)
		oom();
	return q;
}

char *
xstrdup(const char *s)
{
	if (s == NULL)
		return NULL;
	char *p = strdup(s);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
set_cause(char **cause, const char *fmt, ...)
{
	if (cause == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(*cause);
	*cause = s;
	return -1;
}

void
sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void
sbuf_done(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

static void
sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			oom();
		cap *= 2;
	}
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	sbuf_reserve(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_addstr(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addstr(b, s);
	free(s);
}

char *
sbuf_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sbuf_init(b);
	return s;
}

static int64_t
real_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t (*clock_fn)(void) = real_clock;

int64_t
clock_now_ms(void)
{
	return clock_fn();
}

void
clock_set(int64_t (*fn)(void))
{
	clock_fn = fn ? fn : real_clock;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timespec
clock_deadline(clockid_t clk, int64_t ms)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	int64_t ns = ts.tv_nsec + (ms % 1000) * 1000000;
	ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	return ts;
}

int
str_index(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n && s != NULL; i++)
		if (strcmp(v[i], s) == 0)
			return (int)i;
	return -1;
}

uint64_t
hash_fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

bool
str_is_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
file_read_all(const char *path, char **out, size_t *len, char **cause)
{
	struct sbuf b;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	sbuf_init(&b);
	sbuf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		sbuf_done(&b);
		return set_cause(cause, "%s: %s", path, strerror(e));
	}
	fclose(f);
	if (len != NULL)
		*len = b.len;
	*out = sbuf_take(&b);
	return 0;
}

int
file_write_atomic(const char *path, const void *data, size_t len, char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;
	if (fd < 0) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			set_cause(cause, "%s: %s", tmp, strerror(errno));
			close(fd);
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

int
mkdir_p(const char *path, char **cause)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			set_cause(cause, "%s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST) {
		set_cause(cause, "%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* Returns $var/launchwatch when var holds an absolute path, else
 * ~/fallback/launchwatch (new string). */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char *xdg = getenv(var);
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/launchwatch", xdg);
	const char *home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		home = "/tmp";
	return xasprintf("%s/%s/launchwatch", home, fallback);
}

char *
lw_data_dir(void)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share");
}

char *
lw_config_dir(void)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config");
}

int
env_ms(const char *name, int64_t min, int64_t max, int64_t *out, char **cause)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (!str_is_digits(v) || errno != 0 || n < min || n > max)
		return set_cause(cause,
		    "%s must be a whole number of milliseconds from %lld to %lld", name,
		    (long long)min, (long long)max);
	*out = (int64_t)n;
	return 0;
}
