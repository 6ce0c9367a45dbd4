/*
 * classify_norm: the classifier's word form and its negation cues
 * (model/classify_norm.h). Every table here is const and the cue table is
 * built once per rules object and only read afterwards, so any thread may
 * call these functions concurrently.
 */
#include "model/classify_norm.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

/* What a code point is to the word form. */
enum cp_class {
	CP_BREAK,  /* a word break (space, symbol, emoji, hyphen) */
	CP_CLAUSE, /* clause punctuation: the word "." */
	CP_WORD,   /* part of a word, written folded */
	CP_SOLO,   /* a word by itself (Han, kana, Hangul) */
	CP_DROP,   /* nothing (combining accents) */
};

/* U+00C0..U+017F folded to ASCII: '?' is one of the two-letter foldings
 * below, '/' a break (the multiplication and division signs). */
static const char latin_fold[] =
    "aaaaaa?ceeeeiiiidnooooo/ouuuuy??"
    "aaaaaa?ceeeeiiiidnooooo/ouuuuy?y"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkk"
    "llllllllllnnnnnnnnnoooooo??rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* The two-letter foldings of latin_fold's '?'. */
static const struct {
	uint32_t cp;
	const char *to;
} latin_pairs[] = {
    {0xc6, "ae"},
    {0xde, "th"},
    {0xdf, "ss"},
    {0xe6, "ae"},
    {0xfe, "th"},
    {0x132, "ij"},
    {0x133, "ij"},
    {0x152, "oe"},
    {0x153, "oe"},
};

/* Code point ranges that are word breaks (symbols, punctuation, emoji). */
static const uint32_t break_ranges[][2] = {
    {0x80, 0xbf},
    {0x2000, 0x2bff},
    {0x3000, 0x303f},
    {0xe000, 0xf8ff},
    {0xfe00, 0xfe6f},
    {0xff00, 0xff0f},
    {0xff1a, 0xff20},
    {0xff3b, 0xff40},
    {0xff5b, 0xff65},
    {0xfff0, 0xffff},
    {0x1f000, 0x1faff},
};

/* Code point ranges of scripts written without spaces (each character is
 * a word). */
static const uint32_t solo_ranges[][2] = {
    {0x1100, 0x11ff},
    {0x3040, 0x30ff},
    {0x3130, 0x318f},
    {0x31f0, 0x31ff},
    {0x3400, 0x4dbf},
    {0x4e00, 0x9fff},
    {0xac00, 0xd7af},
    {0xf900, 0xfaff},
    {0xff66, 0xff9f},
    {0x20000, 0x2ffff},
};

/* Clause punctuation: ASCII and the fullwidth and CJK forms. */
static const uint32_t clause_points[] = {'.', ',', ';', '!', '?', '|', 0xb7, 0x2022, 0x3001, 0x3002,
    0xff0c, 0xff1b, 0xff01, 0xff1f, 0xff5c, 0x2026};

/* Returns true when cp lies in one of the n ranges. */
static bool
in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i][0] && cp <= r[i][1])
			return true;
	return false;
}

/* Classifies code point cp and writes its folded form to out (at most 4
 * bytes) with its length in *outlen. */
static enum cp_class
cp_fold(uint32_t cp, char out[4], size_t *outlen)
{
	*outlen = 0;
	if (cp >= 0xff01 && cp <= 0xff5e) /* fullwidth ASCII */
		cp -= 0xfee0;
	for (size_t i = 0; i < LW_ARRAY_LEN(clause_points); i++)
		if (cp == clause_points[i])
			return CP_CLAUSE;
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			out[(*outlen)++] = (char)cp;
			return CP_WORD;
		}
		if (cp >= 'A' && cp <= 'Z') {
			out[(*outlen)++] = (char)(cp - 'A' + 'a');
			return CP_WORD;
		}
		return CP_BREAK;
	}
	if ((cp >= 0x300 && cp <= 0x36f) || cp == TEXT_REPLACEMENT)
		return cp == TEXT_REPLACEMENT ? CP_BREAK : CP_DROP;
	if (cp >= 0xc0 && cp <= 0x17f) {
		char f = latin_fold[cp - 0xc0];
		if (f == '/')
			return CP_BREAK;
		if (f != '?') {
			out[(*outlen)++] = f;
			return CP_WORD;
		}
		for (size_t i = 0; i < LW_ARRAY_LEN(latin_pairs); i++)
			if (latin_pairs[i].cp == cp) {
				memcpy(out, latin_pairs[i].to, 2);
				*outlen = 2;
			}
		return CP_WORD;
	}
	if (cp >= 0x218 && cp <= 0x21b) { /* Romanian comma-below s and t */
		out[(*outlen)++] = cp < 0x21a ? 's' : 't';
		return CP_WORD;
	}
	if (in_ranges(cp, break_ranges, LW_ARRAY_LEN(break_ranges)))
		return CP_BREAK;
	if (cp >= 0x410 && cp <= 0x42f) /* Cyrillic capitals */
		cp += 0x20;
	else if (cp >= 0x400 && cp <= 0x40f)
		cp += 0x50;
	else if (cp >= 0x391 && cp <= 0x3a9) /* Greek capitals */
		cp += 0x20;
	if (cp == 0x451) /* ё reads as е */
		cp = 0x435;
	*outlen = text_utf8_encode(cp, out);
	return in_ranges(cp, solo_ranges, LW_ARRAY_LEN(solo_ranges)) ? CP_SOLO : CP_WORD;
}

size_t
classify_norm(const char *s, size_t n, char *dst, uint32_t *off, bool clause)
{
	size_t o = 0;
	dst[o] = ' ';
	if (off != NULL)
		off[o] = 0;
	o++;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		char f[4];
		size_t fl;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		enum cp_class k = cp_fold(cp, f, &fl);
		i += len;
		if (k == CP_CLAUSE && !clause)
			k = CP_BREAK;
		if (k == CP_DROP)
			continue;
		if (k == CP_CLAUSE) { /* one "." for a run of punctuation */
			if (o >= 2 && dst[o - 2] == '.' && dst[o - 1] == ' ')
				continue;
			memcpy(f, ".", 1);
			fl = 1;
		}
		if (k != CP_WORD && dst[o - 1] != ' ') {
			if (off != NULL)
				off[o] = (uint32_t)(i - len);
			dst[o++] = ' ';
		}
		if (k == CP_BREAK)
			continue;
		for (size_t j = 0; j < fl; j++) {
			if (off != NULL)
				off[o] = (uint32_t)(i - len);
			dst[o++] = f[j];
		}
		if (k != CP_WORD) {
			if (off != NULL)
				off[o] = (uint32_t)i;
			dst[o++] = ' ';
		}
	}
	if (dst[o - 1] != ' ') {
		if (off != NULL)
			off[o] = (uint32_t)n;
		dst[o++] = ' ';
	}
	dst[o] = '\0';
	return o;
}

bool
classify_norm_folds(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		char f[4];
		size_t fl;
		i += text_utf8_decode(s + i, n - i, &cp);
		if (cp >= 0x80 && cp_fold(cp, f, &fl) == CP_WORD)
			return true;
	}
	return false;
}

_Static_assert(sizeof latin_fold == 0x180 - 0xc0 + 1, "latin_fold covers U+00C0..U+017F");

/* One cue as written. */
struct cue_src {
	enum cue_kind kind;
	const char *text;
};

/* The cues; docs/scoring.md lists them. */
static const struct cue_src cue_table[] = {
    /* en */
    {CUE_BEFORE, "not"},
    {CUE_BEFORE, "ex"},
    {CUE_BEFORE, "former"},
    {CUE_BEFORE, "formerly"},
    {CUE_BEFORE, "aspiring"},
    {CUE_BEFORE, "wannabe"},
    {CUE_BEFORE, "future"},
    {CUE_BEFORE, "no longer"},
    {CUE_BEFORE, "backed by"},
    {CUE_BEFORE, "funded by"},
    {CUE_BEFORE, "raised from"},
    {CUE_BEFORE, "pitching"},
    {CUE_BEFORE, "learning"},
    {CUE_BEFORE, "learning about"},
    {CUE_BEFORE, "curious about"},
    {CUE_BEFORE, "interested in"},
    {CUE_AFTER, "wannabe"},
    {CUE_AFTER, "in myself"},
    {CUE_AFTER, "in yourself"},
    {CUE_AFTER, "in me"},
    {CUE_AFTER, "in my"},
    {CUE_AFTER, "relations"},
    {CUE_AFTER, "backed"},
    {CUE_AFTER, "of my"},
    {CUE_AFTER, "of vibes"},
    {CUE_AFTER, "of memes"},
    {CUE_AFTER, "of chaos"},
    {CUE_AFTER, "of the house"},
    {CUE_AFTER, "shift"},
    {CUE_AFTER, "shifts"},
    {CUE_SKIP, "a"},
    {CUE_SKIP, "an"},
    {CUE_SKIP, "the"},
    {CUE_STOP, "now"},
    {CUE_STOP, "turned"},
    {CUE_STOP, "but"},
    {CUE_STOP, "currently"},
    {CUE_STOP, "just"},
    {CUE_STOP, "only"},
    {CUE_STOP, "machine learning"},
    {CUE_STOP, "deep learning"},
    /* es, pt, it, fr */
    {CUE_BEFORE, "no soy"},
    {CUE_BEFORE, "nao sou"},
    {CUE_BEFORE, "non sono"},
    {CUE_BEFORE, "pas"},
    {CUE_BEFORE, "antiguo"},
    {CUE_BEFORE, "antigua"},
    {CUE_BEFORE, "antigo"},
    {CUE_BEFORE, "ancien"},
    {CUE_BEFORE, "ancienne"},
    {CUE_BEFORE, "aspirante"},
    {CUE_BEFORE, "aspirant"},
    {CUE_BEFORE, "futuro"},
    {CUE_BEFORE, "futura"},
    {CUE_BEFORE, "futur"},
    {CUE_AFTER, "en mi mismo"},
    {CUE_AFTER, "em mim mesmo"},
    {CUE_AFTER, "miei"},
    {CUE_AFTER, "tempi"},
    {CUE_AFTER, "suoi"},
    {CUE_AFTER, "nostri"},
    {CUE_SKIP, "un"},
    {CUE_SKIP, "una"},
    {CUE_SKIP, "um"},
    {CUE_SKIP, "uma"},
    {CUE_SKIP, "une"},
    {CUE_SKIP, "el"},
    {CUE_SKIP, "la"},
    {CUE_SKIP, "le"},
    {CUE_STOP, "ahora"},
    {CUE_STOP, "agora"},
    {CUE_STOP, "maintenant"},
    {CUE_STOP, "ora"},
    {CUE_STOP, "pero"},
    {CUE_STOP, "mais"},
    /* de */
    {CUE_BEFORE, "kein"},
    {CUE_BEFORE, "keine"},
    {CUE_BEFORE, "nicht"},
    {CUE_BEFORE, "ehemaliger"},
    {CUE_BEFORE, "ehemalige"},
    {CUE_BEFORE, "ehem"},
    {CUE_BEFORE, "angehender"},
    {CUE_BEFORE, "angehende"},
    {CUE_BEFORE, "lerne"},
    {CUE_SKIP, "ein"},
    {CUE_SKIP, "eine"},
    {CUE_STOP, "jetzt"},
    {CUE_STOP, "aber"},
    /* tr */
    {CUE_BEFORE, "eski"},
    {CUE_AFTER, "degil"},
    {CUE_AFTER, "degilim"},
    {CUE_AFTER, "adayi"},
    {CUE_STOP, "simdi"},
    /* ru */
    {CUE_BEFORE, "не"},
    {CUE_BEFORE, "бывший"},
    {CUE_BEFORE, "бывшая"},
    {CUE_BEFORE, "экс"},
    {CUE_BEFORE, "будущий"},
    {CUE_STOP, "сейчас"},
    {CUE_STOP, "теперь"},
    /* ja, ko, zh */
    {CUE_NEAR, "元"},
    {CUE_NEAR, "前"},
    {CUE_NEAR, "전"},
    {CUE_BEFORE, "不是"},
    {CUE_AFTER, "志望"},
    {CUE_AFTER, "ではない"},
    {CUE_AFTER, "じゃない"},
    {CUE_AFTER, "ではありません"},
    {CUE_AFTER, "を目指"},
    {CUE_AFTER, "になりたい"},
    {CUE_AFTER, "지망생"},
    {CUE_AFTER, "지망"},
    {CUE_AFTER, "아님"},
    {CUE_AFTER, "아닙니다"},
    {CUE_AFTER, "가 아닙니다"},
    {CUE_AFTER, "이 아닙니다"},
    {CUE_STOP, "现在"},
    {CUE_STOP, "現在"},
    {CUE_STOP, "지금"},
};

/* One normalized cue. */
struct cue {
	enum cue_kind kind;
	char *pat; /* padded word form */
	size_t len;
	int line; /* of the rules file that put it; 0 built in */
};

struct classify_cues {
	struct cue *v;
	size_t n, cap;
};

/* The names of the cue kinds, as the rules file writes them. */
static const char *const cue_kind_names[CUE__COUNT] = {"before", "near", "after", "skip", "stop"};

const char *
classify_cue_kind_name(enum cue_kind k)
{
	return (unsigned)k < CUE__COUNT ? cue_kind_names[k] : "?";
}

/* Returns the index of the cue of kind k with normalized pattern pat (len
 * bytes) in c, or -1. */
static ptrdiff_t
cue_find(const struct classify_cues *c, enum cue_kind k, const char *pat, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == k && c->v[i].len == len && memcmp(c->v[i].pat, pat, len) == 0)
			return (ptrdiff_t)i;
	return -1;
}

/* Returns the n bytes at text in padded word form (a new string, length in
 * *len), or NULL when it holds no word. */
static char *
cue_norm(const char *text, size_t n, size_t *len)
{
	char *pat = xmalloc(3 * n + 4);
	*len = classify_norm(text, n, pat, NULL, false);
	if (*len <= 1) {
		free(pat);
		return NULL;
	}
	return pat;
}

struct classify_cues *
classify_cues_new(void)
{
	struct classify_cues *c = xcalloc(1, sizeof *c);
	for (size_t i = 0; i < LW_ARRAY_LEN(cue_table); i++)
		classify_cues_put(
		    c, cue_table[i].kind, cue_table[i].text, strlen(cue_table[i].text), 0, NULL);
	return c;
}

enum cue_put
classify_cues_put(
    struct classify_cues *c, enum cue_kind k, const char *text, size_t n, int line, int *first_line)
{
	if (n > CLASSIFY_CUE_MAX)
		return CUE_PUT_TOO_LONG;
	size_t len;
	char *pat = cue_norm(text, n, &len);
	if (pat == NULL)
		return CUE_PUT_EMPTY;
	ptrdiff_t at = cue_find(c, k, pat, len);
	if (at >= 0) {
		free(pat);
		if (c->v[at].line == 0)
			return CUE_PUT_KNOWN;
		if (first_line)
			*first_line = c->v[at].line;
		return CUE_PUT_DUPLICATE;
	}
	if (c->n >= CLASSIFY_CUES_MAX) {
		free(pat);
		return CUE_PUT_FULL;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n++] = (struct cue){k, pat, len, line};
	return CUE_PUT_ADDED;
}

size_t
classify_cues_remove(struct classify_cues *c, const char *text, size_t n)
{
	size_t len, removed = 0, k = 0;
	char *pat = cue_norm(text, n, &len);
	if (pat == NULL)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].line == 0 && c->v[i].len == len && memcmp(c->v[i].pat, pat, len) == 0) {
			free(c->v[i].pat);
			removed++;
		} else {
			c->v[k++] = c->v[i];
		}
	}
	c->n = k;
	free(pat);
	return removed;
}

void
classify_cues_free(struct classify_cues *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].pat);
	free(c->v);
	free(c);
}

/* Returns true when a cue of kind k (or, with any, of any kind) ends at e
 * in t: t[e] is the space after its last word. */
static bool
cue_ends_at(const struct classify_cues *c, enum cue_kind k, bool near, const char *t, size_t e)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct cue *q = &c->v[i];
		if ((q->kind == k || (near && q->kind == CUE_NEAR)) && e + 1 >= q->len &&
		    memcmp(t + e + 1 - q->len, q->pat, q->len) == 0)
			return true;
	}
	return false;
}

bool
classify_negated(const struct classify_cues *c, const char *t, size_t tlen, size_t p, size_t len)
{
	/* Right after: the match's trailing space starts the cue. */
	size_t q = p + len - 1;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == CUE_AFTER && q + c->v[i].len <= tlen &&
		    memcmp(t + q, c->v[i].pat, c->v[i].len) == 0)
			return true;
	/* Before: walk back word by word within the clause. */
	size_t e = p; /* t[e] is the space after the word looked at */
	for (int words = 0; e > 0 && words <= 2;) {
		size_t b = e;
		while (b > 0 && t[b - 1] != ' ')
			b--;
		if (b == e || (e - b == 1 && t[b] == '.') || cue_ends_at(c, CUE_STOP, false, t, e))
			return false;
		if (cue_ends_at(c, CUE_BEFORE, words == 0, t, e))
			return true;
		if (!cue_ends_at(c, CUE_SKIP, false, t, e))
			words++;
		if (b == 0)
			break;
		e = b - 1;
	}
	return false;
}
