/*
 * farm: the farm / bot rules table and the pure functions that apply it
 * (include/model/farm.h; docs/scoring.md section 7 lists the rules and
 * their weights). Owns nothing global but const tables; any thread.
 */
#include "model/farm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

#define DAY_MS      86400000LL
#define BIO_SCAN    512 /* bytes of a bio the rules read */
#define TEXT_SCAN   280 /* bytes of a reply the normalization reads */
#define BURST_STACK 64  /* timed engagements a burst test sorts without the heap */

static const struct farm_rule_def rules[FR__COUNT] = {
    [FR_NEW_ACCOUNT] = {"new_account", 25, "account created less than 30 days before it engaged"},
    [FR_YOUNG_ACCOUNT] = {"young_account", 10, "account created 30 to 179 days before it engaged"},
    [FR_FOLLOW_RATIO] = {"follow_ratio", 15,
        "follows 200 or more accounts and has fewer than a tenth as many followers"},
    [FR_DEFAULT_AVATAR] = {"default_avatar", 20, "no profile picture, or the default one"},
    [FR_HANDLE_DIGITS] = {"handle_digits", 10, "handle ends in 4+ digits or holds 6+ digits"},
    [FR_EMPTY_BIO] = {"empty_bio", 10, "no bio"},
    [FR_TEMPLATE_BIO] = {"template_bio", 25,
        "bio matches an airdrop, follow-back, giveaway or paid-promo template"},
    [FR_EMOJI_BIO] = {"emoji_bio", 10, "bio of emoji and symbols only"},
    [FR_REPEATED_TEXT] = {"repeated_text", 20,
        "its reply or quote text is posted by 3+ accounts, or by it on 3+ tweets"},
    [FR_BURST] = {"burst", 20, "replied to or quoted 3+ of the campaign's tweets within 60 s"},
};

/* Template bio phrases, matched in the lower-cased bio; a leading or
 * trailing space stands for a word boundary. */
static const char *const templates[] = {"airdrop", "follow back", "followback", "follow for follow",
    "follow4follow", " f4f ", " ifb ", "giveaway", "dm for promo", "dm for collab", "dm for paid",
    "dm for business", "promo dm", "wl hunter", "whitelist hunter", "free mint", "retweet to win",
    "100% follow", "100x gem", "send dm for"};

const struct farm_rule_def *
farm_rule(enum farm_rule r)
{
	return &rules[(unsigned)r < FR__COUNT ? r : 0];
}

int
farm_rule_parse(const char *name, enum farm_rule *out)
{
	for (int r = 0; r < FR__COUNT; r++)
		if (name && strcmp(name, rules[r].name) == 0) {
			*out = (enum farm_rule)r;
			return 0;
		}
	return -1;
}

/* Returns true when the handle ends in 4+ digits or holds 6+ digits. */
static bool
handle_digits(const char *h)
{
	size_t n = h ? strlen(h) : 0, all = 0, tail = 0;
	for (size_t i = 0; i < n; i++)
		if (h[i] >= '0' && h[i] <= '9') {
			all++;
			tail++;
		} else {
			tail = 0;
		}
	return tail >= 4 || all >= 6;
}

/* Returns a padded, lower-cased ASCII fold of at most BIO_SCAN bytes of s
 * (" text "); bytes outside ASCII kept. Caller frees. */
static char *
fold_padded(const char *s)
{
	size_t n = strnlen(s, BIO_SCAN);
	char *o = xcalloc(n + 3, 1);
	o[0] = ' ';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool word = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		            (c >= 'A' && c <= 'Z') || c == '%';
		o[i + 1] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : word ? c : ' ');
	}
	o[n + 1] = ' ';
	return o;
}

/* Returns true when the bio matches a template phrase. */
static bool
template_bio(const char *bio)
{
	char *f = fold_padded(bio);
	bool hit = false;
	for (size_t i = 0; i < LW_ARRAY_LEN(templates) && !hit; i++)
		hit = strstr(f, templates[i]) != NULL;
	free(f);
	return hit;
}

/* Returns true when code point c is an emoji or a symbol (not a letter). */
static bool
symbol_cp(uint32_t c)
{
	return (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x1F000 && c <= 0x1FAFF) ||
	       (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D || c == 0x20E3 ||
	       (c >= 0xE0020 && c <= 0xE007F);
}

/* Returns true when the bio holds emoji or symbols and nothing that reads as
 * words (ASCII letters or digits, or letters of any script). */
static bool
emoji_bio(const char *bio)
{
	size_t n = strnlen(bio, BIO_SCAN), i = 0;
	bool sym = false;
	while (i < n) {
		uint32_t c;
		i += text_utf8_decode(bio + i, n - i, &c);
		if (c < 0x80) {
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z'))
				return false;
		} else if (symbol_cp(c)) {
			sym = sym || c >= 0x2100;
		} else {
			return false;
		}
	}
	return sym;
}

/* Returns true when s holds nothing but spaces. */
static bool
blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

uint16_t
farm_static(const struct lw_user *u, int64_t at_ms)
{
	unsigned m = 0;
	if (u->created_at_ms > 0 && at_ms > 0) {
		int64_t age = at_ms - u->created_at_ms;
		if (age < 30 * DAY_MS)
			m |= 1u << FR_NEW_ACCOUNT;
		else if (age < 180 * DAY_MS)
			m |= 1u << FR_YOUNG_ACCOUNT;
	}
	if (u->following >= 200 && u->followers >= 0 && u->followers * 10 < u->following)
		m |= 1u << FR_FOLLOW_RATIO;
	if (u->avatar == AV_DEFAULT)
		m |= 1u << FR_DEFAULT_AVATAR;
	if (handle_digits(u->handle))
		m |= 1u << FR_HANDLE_DIGITS;
	if (blank(u->bio))
		m |= 1u << FR_EMPTY_BIO;
	else if (template_bio(u->bio))
		m |= 1u << FR_TEMPLATE_BIO;
	else if (emoji_bio(u->bio))
		m |= 1u << FR_EMOJI_BIO;
	return (uint16_t)m;
}

int
farm_score(uint16_t reasons)
{
	int s = 0;
	for (int r = 0; r < FR__COUNT; r++)
		if (reasons & (1u << r))
			s += rules[r].weight;
	return s > 100 ? 100 : s;
}

bool
farm_likely(int score, int threshold)
{
	return threshold > 0 && score >= threshold;
}

void
farm_reasons_text(uint16_t reasons, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int r = 0; r < FR__COUNT && at < size; r++)
		if (reasons & (1u << r)) {
			int n = snprintf(buf + at, size - at, "%s%s +%d", at ? ", " : "",
			    rules[r].name, rules[r].weight);
			if (n < 0)
				break;
			at += (size_t)n;
		}
}

uint32_t
farm_text_hash(const char *text)
{
	if (text == NULL)
		return 0;
	size_t n = strnlen(text, TEXT_SCAN), len = 0;
	char o[TEXT_SCAN + 1];
	bool space = true;
	for (size_t i = 0; i < n;) {
		if ((i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n') &&
		    (text[i] == '@' || strncmp(text + i, "http", 4) == 0)) {
			while (i < n && text[i] != ' ' && text[i] != '\n')
				i++; /* a mention or a link */
			continue;
		}
		unsigned char c = (unsigned char)text[i++];
		bool word = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		            (c >= 'A' && c <= 'Z');
		if (!word) {
			if (!space)
				o[len++] = ' ';
			space = true;
			continue;
		}
		o[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		space = false;
	}
	while (len > 0 && o[len - 1] == ' ')
		len--;
	if (len < FARM_TEXT_MIN)
		return 0;
	uint32_t h = (uint32_t)hash_fnv1a(o, len);
	return h ? h : 1;
}

/* Orders (time, tweet) index pairs by time. */
static int
cmp_at(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

bool
farm_burst(const uint32_t *at_s, const uint32_t *tweet, size_t n)
{
	uint32_t stack[BURST_STACK][2], (*v)[2] = n > BURST_STACK ? xcalloc(n, sizeof *v) : stack;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (at_s[i] != 0) {
			v[k][0] = at_s[i];
			v[k++][1] = tweet[i];
		}
	qsort(v, k, sizeof v[0], cmp_at);
	bool hit = false;
	for (size_t i = 0; i < k && !hit; i++) {
		/* distinct tweets in the window from v[i]: enough once it has
		 * FARM_BURST_TWEETS of them, so a window is read only that far */
		uint32_t seen[FARM_BURST_TWEETS];
		size_t distinct = 0;
		for (size_t j = i; j < k && v[j][0] - v[i][0] <= FARM_BURST_S && !hit; j++) {
			bool again = false;
			for (size_t q = 0; q < distinct && !again; q++)
				again = seen[q] == v[j][1];
			if (!again)
				seen[distinct++] = v[j][1];
			hit = distinct >= FARM_BURST_TWEETS;
		}
	}
	if (v != stack)
		free(v);
	return hit;
}

int64_t
farm_count_at(const int64_t hist[FARM_SCORES], int threshold)
{
	int64_t n = 0;
	for (int s = threshold < 1 ? FARM_SCORES : threshold; s < FARM_SCORES; s++)
		n += hist[s];
	return n;
}
