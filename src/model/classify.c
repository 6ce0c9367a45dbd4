/*
 * classify: the bucket rules table (the built-in default, changed through
 * the builder calls by a rules file that config/rules_file.c reads),
 * matching against bio, name and handle, and the importance formula. Owns
 * nothing global: every table here is const, a rules object is
 * immutable after it is returned, and classify_user keeps its scratch space
 * on the heap per call, so any thread may classify concurrently. Matching
 * reads the word form of model/classify_norm.h (UTF-8 folded, CJK one word
 * per character, clause punctuation kept), drops a match that a negation
 * cue reaches, and never scans more than the CLASSIFY_*_MAX bytes of a
 * field.
 */
#include "model/classify.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/text.h"
#include "base/util.h"
#include "model/classify_norm.h"

/* One loaded rule. */
struct rule {
	enum lw_bucket bucket;
	enum classify_kind kind;
	int weight; /* 0 means removed by an override file */
	int line;   /* line that set it in a rules file, 0 when built in */
	char *pat;  /* words: " w1 w2 " (padded); handle kinds: "capital" */
	size_t len;
	char *show; /* the pattern as evidence shows it (CJK without spaces) */
	int next;   /* words: the next rule whose first word hashes alike, or -1 */
	bool brief; /* one word of at most two letters ("ai", "vc", "ki"): in a name
	             * it counts only after clause punctuation ("Sam | VC", not
	             * "Ai Tanaka" or "Park Ki-hoon") */
};

/* Chains of word rules by the hash of their first word, so an account costs
 * a lookup per word of its bio and name, not a search per rule. */
#define INDEX_SIZE 1024

struct classify_rules {
	char *source;
	int min_score;
	int importance[BK__COUNT];
	struct rule *v;
	size_t n;
	size_t cap;
	struct classify_cues *cues;
	int head[INDEX_SIZE]; /* first word rule of each chain, or -1 */
};

#define DEFAULT_MIN_SCORE 2

/* Importance weight of each bucket (formula term B). */
static const int default_importance[BK__COUNT] = {
    [BK_INVESTOR] = 20,
    [BK_FOUNDER] = 15,
    [BK_AI] = 10,
    [BK_DEVELOPER] = 8,
    [BK_MEDIA] = 10,
    [BK_OTHER] = 0,
};

/* The built-in rules; docs/scoring.md lists them and docs/rules.example.yaml
 * shows how to change them. */
static const struct classify_default_rule default_rules[] = {
    /* investor */
    {BK_INVESTOR, RK_WORD, "general partner", 5},
    {BK_INVESTOR, RK_WORD, "managing partner", 4},
    {BK_INVESTOR, RK_WORD, "limited partner", 4},
    {BK_INVESTOR, RK_WORD, "angel investor", 5},
    {BK_INVESTOR, RK_WORD, "venture capital", 5},
    {BK_INVESTOR, RK_WORD, "venture capitalist", 5},
    {BK_INVESTOR, RK_WORD, "family office", 4},
    {BK_INVESTOR, RK_WORD, "investor", 4},
    {BK_INVESTOR, RK_WORD, "investing", 3},
    {BK_INVESTOR, RK_WORD, "invests", 3},
    {BK_INVESTOR, RK_WORD, "vc", 4},
    {BK_INVESTOR, RK_WORD, "gp", 3},
    {BK_INVESTOR, RK_WORD, "lp", 2},
    {BK_INVESTOR, RK_WORD, "angel", 1},
    {BK_INVESTOR, RK_WORD, "pre seed", 2},
    {BK_INVESTOR, RK_WORD, "portfolio", 1},
    {BK_INVESTOR, RK_WORD, "fund", 2},
    {BK_INVESTOR, RK_WORD, "capital", 1},
    {BK_INVESTOR, RK_WORD, "ventures", 2},
    {BK_INVESTOR, RK_WORD, "a16z", 4},
    {BK_INVESTOR, RK_WORD, "sequoia", 4},
    {BK_INVESTOR, RK_WORD, "paradigm", 2},
    {BK_INVESTOR, RK_HANDLE_SUFFIX, "vc", 4},
    {BK_INVESTOR, RK_HANDLE_SUFFIX, "vcs", 4},
    {BK_INVESTOR, RK_HANDLE_SUFFIX, "fund", 3},
    {BK_INVESTOR, RK_HANDLE_CONTAINS, "capital", 4},
    {BK_INVESTOR, RK_HANDLE_CONTAINS, "ventures", 4},
    {BK_INVESTOR, RK_HANDLE_CONTAINS, "a16z", 4},
    /* founder */
    {BK_FOUNDER, RK_WORD, "founder", 5},
    {BK_FOUNDER, RK_WORD, "co founder", 5},
    {BK_FOUNDER, RK_WORD, "cofounder", 5},
    {BK_FOUNDER, RK_WORD, "founding", 3},
    {BK_FOUNDER, RK_WORD, "ceo", 4},
    {BK_FOUNDER, RK_WORD, "entrepreneur", 3},
    {BK_FOUNDER, RK_WORD, "indie hacker", 4},
    {BK_FOUNDER, RK_WORD, "solopreneur", 3},
    {BK_FOUNDER, RK_WORD, "bootstrapped", 3},
    {BK_FOUNDER, RK_WORD, "startup", 2},
    {BK_FOUNDER, RK_WORD, "stealth", 2},
    {BK_FOUNDER, RK_WORD, "yc", 2},
    {BK_FOUNDER, RK_WORD, "y combinator", 2},
    {BK_FOUNDER, RK_WORD, "building", 1},
    {BK_FOUNDER, RK_HANDLE_CONTAINS, "founder", 3},
    /* ai */
    {BK_AI, RK_WORD, "ai", 4},
    {BK_AI, RK_WORD, "genai", 4},
    {BK_AI, RK_WORD, "artificial intelligence", 5},
    {BK_AI, RK_WORD, "machine learning", 5},
    {BK_AI, RK_WORD, "deep learning", 5},
    {BK_AI, RK_WORD, "ml", 3},
    {BK_AI, RK_WORD, "llm", 4},
    {BK_AI, RK_WORD, "llms", 4},
    {BK_AI, RK_WORD, "nlp", 3},
    {BK_AI, RK_WORD, "computer vision", 4},
    {BK_AI, RK_WORD, "agi", 3},
    {BK_AI, RK_WORD, "rlhf", 4},
    {BK_AI, RK_WORD, "ai agents", 2},
    {BK_AI, RK_WORD, "neural networks", 3},
    {BK_AI, RK_WORD, "openai", 3},
    {BK_AI, RK_WORD, "anthropic", 3},
    {BK_AI, RK_WORD, "deepmind", 3},
    {BK_AI, RK_WORD, "hugging face", 3},
    {BK_AI, RK_WORD, "huggingface", 3},
    {BK_AI, RK_HANDLE_SUFFIX, "_ai", 3},
    {BK_AI, RK_HANDLE_CONTAINS, "gpt", 2},
    {BK_AI, RK_HANDLE_CONTAINS, "llm", 3},
    /* developer */
    {BK_DEVELOPER, RK_WORD, "developer", 4},
    {BK_DEVELOPER, RK_WORD, "dev", 3},
    {BK_DEVELOPER, RK_WORD, "software engineer", 5},
    {BK_DEVELOPER, RK_WORD, "engineer", 3},
    {BK_DEVELOPER, RK_WORD, "programmer", 4},
    {BK_DEVELOPER, RK_WORD, "coder", 3},
    {BK_DEVELOPER, RK_WORD, "full stack", 3},
    {BK_DEVELOPER, RK_WORD, "fullstack", 3},
    {BK_DEVELOPER, RK_WORD, "frontend", 3},
    {BK_DEVELOPER, RK_WORD, "backend", 3},
    {BK_DEVELOPER, RK_WORD, "devops", 3},
    {BK_DEVELOPER, RK_WORD, "sre", 3},
    {BK_DEVELOPER, RK_WORD, "open source", 3},
    {BK_DEVELOPER, RK_WORD, "maintainer", 3},
    {BK_DEVELOPER, RK_WORD, "rustacean", 4},
    {BK_DEVELOPER, RK_WORD, "rust", 2},
    {BK_DEVELOPER, RK_WORD, "golang", 2},
    {BK_DEVELOPER, RK_WORD, "python", 2},
    {BK_DEVELOPER, RK_WORD, "typescript", 2},
    {BK_DEVELOPER, RK_WORD, "javascript", 2},
    {BK_DEVELOPER, RK_WORD, "solidity", 3},
    {BK_DEVELOPER, RK_WORD, "smart contracts", 2},
    {BK_DEVELOPER, RK_WORD, "github", 2},
    {BK_DEVELOPER, RK_HANDLE_SUFFIX, "dev", 3},
    {BK_DEVELOPER, RK_HANDLE_SUFFIX, "codes", 2},
    /* media */
    {BK_MEDIA, RK_WORD, "journalist", 5},
    {BK_MEDIA, RK_WORD, "reporter", 5},
    {BK_MEDIA, RK_WORD, "correspondent", 4},
    {BK_MEDIA, RK_WORD, "columnist", 4},
    {BK_MEDIA, RK_WORD, "editor", 4},
    {BK_MEDIA, RK_WORD, "writer", 2},
    {BK_MEDIA, RK_WORD, "newsletter", 3},
    {BK_MEDIA, RK_WORD, "podcast", 3},
    {BK_MEDIA, RK_WORD, "podcaster", 4},
    {BK_MEDIA, RK_WORD, "host", 2},
    {BK_MEDIA, RK_WORD, "news", 3},
    {BK_MEDIA, RK_WORD, "youtuber", 4},
    {BK_MEDIA, RK_WORD, "substack", 3},
    {BK_MEDIA, RK_WORD, "techcrunch", 4},
    {BK_MEDIA, RK_WORD, "the verge", 4},
    {BK_MEDIA, RK_WORD, "coindesk", 4},
    {BK_MEDIA, RK_WORD, "bloomberg", 3},
    {BK_MEDIA, RK_WORD, "forbes", 3},
    {BK_MEDIA, RK_WORD, "wired", 3},
    {BK_MEDIA, RK_WORD, "tips", 2},
    {BK_MEDIA, RK_HANDLE_SUFFIX, "news", 4},
    {BK_MEDIA, RK_HANDLE_SUFFIX, "media", 3},
    {BK_MEDIA, RK_HANDLE_SUFFIX, "daily", 2},
    {BK_MEDIA, RK_HANDLE_SUFFIX, "pod", 2},
};

/* Formula v1 term A: points per action. */
static const int action_points[ACT__COUNT] = {
    [ACT_RETWEET] = 4,
    [ACT_REPLY] = 6,
    [ACT_QUOTE] = 10,
};

/* Formula v1 term C: points per category of the engaged tweet. */
static const int category_points[CAT__COUNT] = {
    [CAT_MAIN] = 10,
    [CAT_INFLUENCER] = 4,
    [CAT_INVESTOR] = 6,
};

/* Formula v1 term V: points for a verified account. */
#define VERIFIED_POINTS 10

/* ceil(10^(p/10)) for p = 11..60: followers + 1 at or above entry i earns
 * i + 1 follower points (so 10 followers earn 0, 100 earn 10, 1M earn 50). */
static const int64_t follower_steps[] = {
    13,
    16,
    20,
    26,
    32,
    40,
    51,
    64,
    80,
    100,
    126,
    159,
    200,
    252,
    317,
    399,
    502,
    631,
    795,
    1000,
    1259,
    1585,
    1996,
    2512,
    3163,
    3982,
    5012,
    6310,
    7944,
    10000,
    12590,
    15849,
    19953,
    25119,
    31623,
    39811,
    50119,
    63096,
    79433,
    100000,
    125893,
    158490,
    199527,
    251189,
    316228,
    398108,
    501188,
    630958,
    794329,
    1000000,
};

/* Returns true for an ASCII letter or digit. */
static bool
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Folds an ASCII upper-case letter to lower case; other bytes unchanged. */
static unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* One field in word form, with the way back to its sanitized text. */
struct field_text {
	char *clean;   /* sanitized text (what evidence quotes) */
	char *words;   /* padded word form */
	uint32_t *off; /* per byte of words: end of its character in clean */
	size_t len;    /* bytes in words */
};

/* Returns true for a byte that may be part of a word: an ASCII letter or
 * digit, or any byte of a multibyte UTF-8 character. */
static bool
is_word_part(unsigned char c)
{
	return is_word_byte(c) || c >= 0x80;
}

/* Fills *ft from field s (NULL is empty), scanning at most cap bytes,
 * without a word that the cap cut in two. */
static void
field_words(const char *s, size_t cap, struct field_text *ft)
{
	size_t n = s != NULL ? strnlen(s, cap) : 0;
	if (n == cap && is_word_part((unsigned char)s[n]))
		while (n > 0 && is_word_part((unsigned char)s[n - 1]))
			n--;
	/* Drop escape sequences whole so "\033[1mAI" still shows the word "AI". */
	ft->clean = text_sanitize(n > 0 ? s : "", n, 3 * n + 4);
	size_t m = strlen(ft->clean);
	ft->words = xmalloc(3 * m + 4);
	ft->off = xreallocarray(NULL, 3 * m + 4, sizeof *ft->off);
	ft->len = classify_norm(ft->clean, m, ft->words, ft->off, true);
}

/* Frees what field_words put in ft. */
static void
field_done(struct field_text *ft)
{
	free(ft->clean);
	free(ft->words);
	free(ft->off);
}

/* Returns a new folded copy of handle h without a leading '@', at most cap
 * bytes; sets *len. */
static char *
field_handle(const char *h, size_t cap, size_t *len)
{
	if (h == NULL)
		h = "";
	if (h[0] == '@')
		h++;
	size_t n = strnlen(h, cap);
	char *out = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)fold((unsigned char)h[i]);
	out[n] = '\0';
	*len = n;
	return out;
}

int
classify_follower_points(int64_t followers)
{
	int64_t n = followers < 0 ? 1 : (followers == INT64_MAX ? INT64_MAX : followers + 1);
	int p = 0;
	for (size_t i = 0; i < LW_ARRAY_LEN(follower_steps) && n >= follower_steps[i]; i++)
		p = (int)i + 1;
	return p;
}

int
classify_importance(const struct classify_rules *r, int64_t followers, bool verified,
    enum lw_bucket bucket, enum lw_action action, enum tweet_category cat)
{
	int total = classify_follower_points(followers);
	if (verified)
		total += VERIFIED_POINTS;
	if ((unsigned)bucket < BK__COUNT)
		total += r->importance[bucket];
	if ((unsigned)action < ACT__COUNT)
		total += action_points[action];
	if ((unsigned)cat < CAT__COUNT)
		total += category_points[cat];
	return total < 0 ? 0 : (total > 100 ? 100 : total);
}

void
classify_importance_terms(int imp, int64_t followers, bool verified, enum lw_action action,
    enum tweet_category cat, struct importance_terms *t)
{
	t->followers = classify_follower_points(followers);
	t->verified = verified ? VERIFIED_POINTS : 0;
	t->action = (unsigned)action < ACT__COUNT ? action_points[action] : 0;
	t->category = (unsigned)cat < CAT__COUNT ? category_points[cat] : 0;
	t->bucket = imp - t->followers - t->verified - t->action - t->category;
	t->capped = imp <= 0 || imp >= 100 || t->bucket < 0 || t->bucket > CLASSIFY_IMPORTANCE_MAX;
	if (t->bucket < 0)
		t->bucket = 0;
	else if (t->bucket > CLASSIFY_IMPORTANCE_MAX)
		t->bucket = CLASSIFY_IMPORTANCE_MAX;
}

/* Names of the fields, in evidence order. */
enum field { F_BIO, F_NAME, F_HANDLE, F__COUNT };
static const char *const field_names[F__COUNT] = {"bio", "name", "handle"};

/* The fields of one account, ready to match. */
struct scan {
	const struct classify_rules *r;
	struct field_text f[F_HANDLE]; /* bio and name */
	const char *handle;            /* folded, without '@' */
	size_t hlen;
};

/* Returns the chain of the word of n bytes at w. */
static unsigned
word_hash(const char *w, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h & (INDEX_SIZE - 1);
}

/* Returns the bytes of the first word of padded text t from p + 1 on. */
static size_t
word_len(const char *t, size_t p)
{
	const char *sp = strchr(t + p + 1, ' ');
	return (size_t)(sp - (t + p + 1));
}

/* Finds, for every word rule, its first match without a negation cue (bio
 * first, then name, left to right): sets where[i] and pos[i] and adds the
 * weights to out. */
static void
match_words(const struct scan *sc, unsigned char *where, uint32_t *pos, struct classification *out)
{
	const struct classify_rules *r = sc->r;
	for (int f = F_BIO; f <= F_NAME; f++) {
		const char *t = sc->f[f].words;
		size_t tl = sc->f[f].len;
		bool clause = f == F_BIO; /* a brief word counts in this clause */
		for (size_t p = 0; p + 1 < tl; p += word_len(t, p) + 1) {
			clause = clause || (t[p + 1] == '.' && t[p + 2] == ' ');
			for (int i = r->head[word_hash(t + p + 1, word_len(t, p))]; i >= 0;
			     i = r->v[i].next) {
				const struct rule *ru = &r->v[i];
				if (where[i] != F__COUNT || ru->weight <= 0 || p + ru->len > tl ||
				    (ru->brief && !clause) ||
				    memcmp(t + p, ru->pat, ru->len) != 0 ||
				    classify_negated(r->cues, t, tl, p, ru->len))
					continue;
				where[i] = (unsigned char)f;
				pos[i] = (uint32_t)p;
				out->score[ru->bucket] += ru->weight;
			}
		}
	}
}

/* Returns F_HANDLE when the handle ends with ru's pattern, else F__COUNT. */
static enum field
match_suffix(const struct rule *ru, const struct scan *sc, uint32_t *pos)
{
	*pos = 0;
	if (sc->hlen >= ru->len && memcmp(sc->handle + sc->hlen - ru->len, ru->pat, ru->len) == 0)
		return F_HANDLE;
	return F__COUNT;
}

/* Returns F_HANDLE when the handle contains ru's pattern, else F__COUNT. */
static enum field
match_contains(const struct rule *ru, const struct scan *sc, uint32_t *pos)
{
	*pos = 0;
	if (memmem(sc->handle, sc->hlen, ru->pat, ru->len) != NULL)
		return F_HANDLE;
	return F__COUNT;
}

/* The matcher of each handle rule kind (word rules go by the index). */
static enum field (*const matchers[RK__COUNT])(
    const struct rule *, const struct scan *, uint32_t *) = {
    [RK_HANDLE_SUFFIX] = match_suffix,
    [RK_HANDLE_CONTAINS] = match_contains,
};

/* Bytes of the original text quoted after a rule in evidence. */
#define EVIDENCE_QUOTE_MAX 64
/* Bytes of evidence at most. */
#define EVIDENCE_MAX 1024

/* Appends to sb the original text of the match of ru at pos in field ft,
 * sanitized and bounded, when it is not what the rule shows (an accent, a
 * capital of another script). */
static void
evidence_quote(struct sbuf *sb, const struct rule *ru, const struct field_text *ft, uint32_t pos)
{
	size_t a = ft->off[pos + 1], z = ft->off[pos + ru->len - 1];
	if (z <= a || !classify_norm_folds(ft->clean + a, z - a) ||
	    (z - a == strlen(ru->show) && memcmp(ft->clean + a, ru->show, z - a) == 0))
		return;
	char *q = text_sanitize(ft->clean + a, z - a, EVIDENCE_QUOTE_MAX);
	sbuf_printf(sb, " (%s)", q);
	free(q);
}

/* Returns the evidence text for bucket b from the per-rule match fields and
 * positions. */
static char *
evidence_text(
    const struct scan *sc, enum lw_bucket b, const unsigned char *where, const uint32_t *pos)
{
	const struct classify_rules *r = sc->r;
	struct sbuf sb;
	sbuf_init(&sb);
	for (int f = 0; f < F__COUNT; f++) {
		bool first = true;
		for (size_t i = 0; i < r->n; i++) {
			const struct rule *ru = &r->v[i];
			if (ru->bucket != b || where[i] != f)
				continue;
			if (first)
				sbuf_printf(&sb, "%s%s: ", sb.len > 0 ? "; " : "", field_names[f]);
			else
				sbuf_addstr(&sb, ", ");
			sbuf_printf(&sb, "'%s'", ru->show);
			if (f != F_HANDLE)
				evidence_quote(&sb, ru, &sc->f[f], pos[i]);
			first = false;
		}
	}
	char *s = text_sanitize(sb.s != NULL ? sb.s : "", sb.len, EVIDENCE_MAX);
	sbuf_done(&sb);
	return s;
}

void
classify_user(const struct classify_rules *r, const struct lw_user *u, enum lw_action action,
    enum tweet_category cat, struct classification *out)
{
	struct scan sc = {.r = r};
	field_words(u->bio, CLASSIFY_BIO_MAX, &sc.f[F_BIO]);
	field_words(u->name, CLASSIFY_NAME_MAX, &sc.f[F_NAME]);
	char *handle = field_handle(u->handle, CLASSIFY_HANDLE_MAX, &sc.hlen);
	sc.handle = handle;

	memset(out, 0, sizeof *out);
	unsigned char *where = xmalloc(r->n + 1);
	uint32_t *pos = xreallocarray(NULL, r->n + 1, sizeof *pos);
	memset(where, F__COUNT, r->n);
	match_words(&sc, where, pos, out);
	for (size_t i = 0; i < r->n; i++) {
		const struct rule *ru = &r->v[i];
		if (ru->weight <= 0 || ru->kind == RK_WORD)
			continue;
		where[i] = (unsigned char)matchers[ru->kind](ru, &sc, &pos[i]);
		if (where[i] != F__COUNT)
			out->score[ru->bucket] += ru->weight;
	}

	/* Highest score wins; strict > keeps the earlier bucket on a tie. */
	int best = 0;
	out->bucket = BK_OTHER;
	for (int b = 0; b < BK_OTHER; b++)
		if (out->score[b] >= r->min_score && out->score[b] > best) {
			best = out->score[b];
			out->bucket = (enum lw_bucket)b;
		}
	out->evidence =
	    out->bucket == BK_OTHER ? xstrdup("") : evidence_text(&sc, out->bucket, where, pos);
	out->importance =
	    classify_importance(r, u->followers, u->verified, out->bucket, action, cat);
	free(where);
	free(pos);
	field_done(&sc.f[F_BIO]);
	field_done(&sc.f[F_NAME]);
	free(handle);
}

void
classification_done(struct classification *c)
{
	free(c->evidence);
	memset(c, 0, sizeof *c);
}

/* Returns a new empty rules object with the default importance weights. */
static struct classify_rules *
rules_new(const char *source)
{
	struct classify_rules *r = xcalloc(1, sizeof *r);
	r->source = xstrdup(source);
	r->min_score = DEFAULT_MIN_SCORE;
	memcpy(r->importance, default_importance, sizeof r->importance);
	r->cues = classify_cues_new();
	for (size_t i = 0; i < INDEX_SIZE; i++)
		r->head[i] = -1;
	return r;
}

/* Normalizes pattern text p (n bytes) for kind into a new string; returns
 * NULL when it has nothing to match. */
static char *
pattern_norm(enum classify_kind kind, const char *p, size_t n, size_t *len)
{
	char *out = xmalloc(3 * n + 4);
	if (kind == RK_WORD) {
		*len = classify_norm(p, n, out, NULL, false);
	} else {
		for (size_t i = 0; i < n; i++)
			out[i] = (char)fold((unsigned char)p[i]);
		out[n] = '\0';
		*len = n;
	}
	if ((kind == RK_WORD && *len <= 1) || (kind != RK_WORD && *len == 0)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Returns a new copy of pattern pat (len bytes, padded for words) as
 * evidence shows it: without the padding, and without the spaces between
 * two characters of a script written without spaces. */
static char *
pattern_show(enum classify_kind kind, const char *pat, size_t len)
{
	if (kind != RK_WORD)
		return xstrdup(pat);
	char *out = xmalloc(len + 1);
	size_t o = 0;
	for (size_t i = 1; i + 1 < len; i++) {
		/* a space between two multibyte characters: CJK is each its own word */
		if (pat[i] == ' ' && (unsigned char)pat[i - 1] >= 0x80 &&
		    (unsigned char)pat[i + 1] >= 0xe3 && (unsigned char)pat[i - 1] < 0xc0)
			continue;
		out[o++] = pat[i];
	}
	out[o] = '\0';
	return out;
}

/* Returns the index of the rule of bucket b and kind k with pattern pat, or
 * -1. */
static ssize_t
rules_find(const struct classify_rules *r, enum lw_bucket b, enum classify_kind k, const char *pat)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].bucket == b && r->v[i].kind == k && strcmp(r->v[i].pat, pat) == 0)
			return (ssize_t)i;
	return -1;
}

/* Appends a rule; takes ownership of pat. */
static void
rules_add(struct classify_rules *r, enum lw_bucket b, enum classify_kind k, char *pat, size_t len,
    int weight, int line)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n] =
	    (struct rule){b, k, weight, line, pat, len, pattern_show(k, pat, len), -1, false};
	if (k == RK_WORD) {
		size_t letters = 0;
		for (size_t i = 1; i + 1 < len; i++)
			letters += ((unsigned char)pat[i] & 0xc0) != 0x80;
		r->v[r->n].brief = word_len(pat, 0) + 2 == len && letters <= 2;
		unsigned h = word_hash(pat + 1, word_len(pat, 0));
		r->v[r->n].next = r->head[h];
		r->head[h] = (int)r->n;
	}
	r->n++;
}

struct classify_rules *
classify_rules_new(const char *source, bool empty)
{
	struct classify_rules *r = rules_new(source);
	size_t n = LW_ARRAY_LEN(default_rules);
	for (size_t i = 0; !empty && i < n + classify_lang_rules_len; i++) {
		const struct classify_default_rule *d =
		    i < n ? &default_rules[i] : &classify_lang_rules[i - n];
		size_t len;
		char *pat = pattern_norm(d->kind, d->pat, strlen(d->pat), &len);
		rules_add(r, d->bucket, d->kind, pat, len, d->weight, 0);
	}
	return r;
}

struct classify_cues *
classify_rules_cues(struct classify_rules *r)
{
	return r->cues;
}

struct classify_rules *
classify_rules_default(void)
{
	return classify_rules_new("built-in", false);
}

void
classify_rules_set_min_score(struct classify_rules *r, int min_score)
{
	r->min_score = min_score;
}

void
classify_rules_set_importance(struct classify_rules *r, enum lw_bucket b, int importance)
{
	if ((unsigned)b < BK__COUNT)
		r->importance[b] = importance;
}

enum classify_put
classify_pattern_check(enum classify_kind kind, const char *pat, size_t len)
{
	if (len > CLASSIFY_PATTERN_MAX)
		return CLASSIFY_PUT_TOO_LONG;
	if (kind != RK_WORD) {
		for (size_t i = 0; i < len; i++)
			if (!is_word_byte((unsigned char)pat[i]) && pat[i] != '_')
				return CLASSIFY_PUT_BAD_HANDLE;
		return len > 0 ? CLASSIFY_PUT_ADDED : CLASSIFY_PUT_EMPTY;
	}
	size_t n;
	char *norm = pattern_norm(kind, pat, len, &n);
	free(norm);
	return norm != NULL ? CLASSIFY_PUT_ADDED : CLASSIFY_PUT_EMPTY;
}

enum classify_put
classify_rules_put(struct classify_rules *r, enum lw_bucket b, enum classify_kind kind,
    const char *pat, size_t len, int weight, int line, int *first_line)
{
	enum classify_put c = classify_pattern_check(kind, pat, len);
	size_t n;
	if (c != CLASSIFY_PUT_ADDED)
		return c;
	char *norm = pattern_norm(kind, pat, len, &n);
	ssize_t i = rules_find(r, b, kind, norm);
	if (i >= 0 && r->v[i].line > 0) {
		*first_line = r->v[i].line;
		c = CLASSIFY_PUT_DUPLICATE;
	} else if (i >= 0) {
		r->v[i].weight = weight;
		r->v[i].line = line;
		c = CLASSIFY_PUT_REPLACED;
	} else if (r->n >= CLASSIFY_RULES_MAX) {
		c = CLASSIFY_PUT_FULL;
	} else {
		rules_add(r, b, kind, norm, n, weight, line);
		return CLASSIFY_PUT_ADDED;
	}
	free(norm);
	return c;
}

void
classify_rules_free(struct classify_rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].pat);
		free(r->v[i].show);
	}
	free(r->v);
	classify_cues_free(r->cues);
	free(r->source);
	free(r);
}

const char *
classify_rules_source(const struct classify_rules *r)
{
	return r->source;
}
