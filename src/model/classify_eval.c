/*
 * classify_eval: parses a labelled set (one account per line: acceptable
 * buckets, handle, name and bio separated by tabs; '#' comments) and scores
 * the classifier on it (model/classify_eval.h). Keeps no state; any thread.
 */
#include "model/classify_eval.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

/* The fields of one line, in order. */
enum { EF_BUCKETS, EF_HANDLE, EF_NAME, EF_BIO, EF__COUNT };
static const char *const eval_fields[EF__COUNT] = {"buckets", "handle", "name", "bio"};

/* Parses the comma-separated bucket list s (n bytes) into the set *set;
 * returns 0, or -1 with *bad set to a new copy of the name at fault. */
static int
parse_buckets(const char *s, size_t n, unsigned *set, char **bad)
{
	*set = 0;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		while (i < j && s[i] == ' ')
			i++;
		size_t k = j;
		while (k > i && s[k - 1] == ' ')
			k--;
		char *w = xstrndup(s + i, k - i);
		enum lw_bucket b;
		if (bucket_parse(w, &b) != 0) {
			*bad = w;
			return -1;
		}
		free(w);
		*set |= 1u << b;
		i = j + 1;
	}
	return 0;
}

/* Adds one classified account with acceptable set want and result c (at
 * line of name) to e. */
static void
tally(struct classify_eval *e, struct sbuf *miss, const char *name, int line, unsigned want,
    const char *handle, const struct classification *c)
{
	enum lw_bucket exp = c->bucket;
	e->n++;
	e->predicted[c->bucket]++;
	for (int b = 0; b < BK__COUNT; b++)
		if (want & (1u << b))
			e->labelled[b]++;
	if (want & (1u << c->bucket)) {
		e->correct++;
		e->true_pos[c->bucket]++;
	} else {
		for (int b = BK__COUNT - 1; b >= 0; b--)
			if (want & (1u << b))
				exp = (enum lw_bucket)b;
		char *h = text_quote(handle, strlen(handle), 40);
		sbuf_printf(
		    miss, "%s:%d: @%s: got %s, want ", name, line, h, bucket_name(c->bucket));
		free(h);
		const char *sep = "";
		for (int b = 0; b < BK__COUNT; b++)
			if (want & (1u << b)) {
				sbuf_printf(miss, "%s%s", sep, bucket_name((enum lw_bucket)b));
				sep = " or ";
			}
		sbuf_printf(miss, "%s%s\n", c->evidence[0] ? "; " : "", c->evidence);
	}
	e->matrix[exp][c->bucket]++;
}

int
classify_eval_text(const struct classify_rules *r, const char *name, const char *text, size_t len,
    struct classify_eval *out, char **cause)
{
	struct sbuf miss;
	sbuf_init(&miss);
	sbuf_add(&miss, "", 0);
	memset(out, 0, sizeof *out);
	int line = 0;
	bool first = true; /* no account line yet: it may be the header */
	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		size_t stop = end > i && text[end - 1] == '\r' ? end - 1 : end;
		line++;
		const char *f[EF__COUNT];
		size_t fl[EF__COUNT];
		int nf = 0;
		bool skip = stop == i || text[i] == '#';
		for (size_t p = i; !skip && nf < EF__COUNT;) {
			size_t q = p;
			while (q < stop && text[q] != '\t')
				q++;
			f[nf] = text + p;
			fl[nf++] = q - p;
			if (q >= stop)
				break;
			p = q + 1;
			if (nf == EF__COUNT) { /* a fifth field */
				nf++;
				break;
			}
		}
		size_t at = i;
		i = end + 1;
		if (skip)
			continue;
		if (nf != EF__COUNT) {
			*cause = xasprintf(
			    "%s:%d: expected 4 fields separated by tabs (buckets, handle, "
			    "name, bio), got %s",
			    name, line,
			    nf > EF__COUNT ? "more"
			                   : (nf == 1      ? "1"
			                         : nf == 2 ? "2"
			                                   : "3"));
			goto fail;
		}
		bool header = first && fl[0] == 7 && memcmp(text + at, "buckets", 7) == 0;
		first = false;
		if (header)
			continue;
		unsigned want;
		char *bad = NULL;
		if (parse_buckets(f[EF_BUCKETS], fl[EF_BUCKETS], &want, &bad) != 0) {
			char *q = text_quote(bad, strlen(bad), 40);
			*cause =
			    xasprintf("%s:%d: field %s: unknown bucket '%s' (buckets: investor, "
			              "founder, ai, developer, media, other, separated by commas)",
			        name, line, eval_fields[EF_BUCKETS], q);
			free(q);
			free(bad);
			goto fail;
		}
		char *v[EF__COUNT];
		for (int k = EF_HANDLE; k < EF__COUNT; k++)
			v[k] = xstrndup(f[k], fl[k]);
		struct lw_user u = {.handle = v[EF_HANDLE], .name = v[EF_NAME], .bio = v[EF_BIO]};
		struct classification c;
		classify_user(r, &u, ACT_RETWEET, CAT_MAIN, &c);
		tally(out, &miss, name, line, want, v[EF_HANDLE], &c);
		classification_done(&c);
		for (int k = EF_HANDLE; k < EF__COUNT; k++)
			free(v[k]);
	}
	if (out->n == 0) {
		*cause = xasprintf("%s: no labelled accounts", name);
		goto fail;
	}
	out->misses = sbuf_take(&miss);
	return 0;
fail:
	sbuf_done(&miss);
	memset(out, 0, sizeof *out);
	return -1;
}

/* Appends num / den as a percentage with one decimal ("n/a" for 0/0). */
static void
percent(struct sbuf *sb, int num, int den)
{
	if (den == 0)
		sbuf_addstr(sb, "n/a");
	else
		sbuf_printf(sb, "%d.%d %%", num * 100 / den, (num * 1000 / den) % 10);
}

char *
classify_eval_report(const struct classify_eval *e)
{
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_printf(&sb, "accounts %d, correct %d, accuracy ", e->n, e->correct);
	percent(&sb, e->correct, e->n);
	sbuf_addstr(&sb, "\n");
	for (int b = 0; b < BK_OTHER; b++) {
		sbuf_printf(&sb, "%-9s precision ", bucket_name((enum lw_bucket)b));
		percent(&sb, e->true_pos[b], e->predicted[b]);
		sbuf_printf(&sb, " (%d/%d), recall ", e->true_pos[b], e->predicted[b]);
		percent(&sb, e->true_pos[b], e->labelled[b]);
		sbuf_printf(&sb, " (%d/%d)\n", e->true_pos[b], e->labelled[b]);
	}
	sbuf_addstr(&sb, "\nexpected \\ got");
	for (int b = 0; b < BK__COUNT; b++)
		sbuf_printf(&sb, " %9s", bucket_name((enum lw_bucket)b));
	sbuf_addstr(&sb, "\n");
	for (int x = 0; x < BK__COUNT; x++) {
		sbuf_printf(&sb, "%-14s", bucket_name((enum lw_bucket)x));
		for (int b = 0; b < BK__COUNT; b++)
			sbuf_printf(&sb, " %9d", e->matrix[x][b]);
		sbuf_addstr(&sb, "\n");
	}
	return sbuf_take(&sb);
}

void
classify_eval_done(struct classify_eval *e)
{
	free(e->misses);
	memset(e, 0, sizeof *e);
}
