/*
 * sim_model: the synthetic launch behind `launchwatch sim`. Every value is
 * derived from the seed by hashing (splitmix64), so a seed always gives the
 * same ids, accounts, arrival times and texts; only how far the streams have
 * been extended depends on the virtual clock. Called under the simulator's
 * mutex (one thread at a time).
 */
#include "sim/sim_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "provider/xapi.h"

#define STREAM_CAP     200000 /* most items one stream ever gets */
#define LAUNCH_ID_BASE 1800000000000000000ULL
#define ENG_ID_BASE    1900000000000000000ULL
#define LONG_UID_BASE  1500000000000000000ULL

/* Share of a tweet's engagement rate taken by each stream. */
static const double kind_share[SK__COUNT] = {0.50, 0.35, 0.15};

/* Finalizes x (splitmix64). */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Hashes the seed with three values and a salt naming what is derived. */
static uint64_t
hash4(const struct sim_model *m, uint64_t salt, uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(mix64(mix64(mix64(m->seed ^ (salt * 0x100000001b3ULL)) ^ a) ^ b) ^ c);
}

/* Returns a uniform double in [0, 1) from h. */
static double
unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Returns the smallest prime >= n (n >= 2). */
static uint32_t
next_prime(uint32_t n)
{
	for (;; n++) {
		bool prime = n >= 2;
		for (uint32_t d = 2; prime && (uint64_t)d * d <= n; d++)
			prime = n % d != 0;
		if (prime)
			return n;
	}
}

/* ---- accounts ---- */

enum { B_INVESTOR, B_FOUNDER, B_AI, B_DEV, B_MEDIA, B_OTHER, B__COUNT };

/* Cumulative percentages of the buckets in the pool. */
static const int bucket_cum[B__COUNT] = {12, 27, 42, 62, 72, 100};

static const char *const bios[B__COUNT][5] = {
    {"Partner at Paradigm", "GP @ a16z crypto", "angel investor. prev @stripe",
        "Managing Partner, seed-stage fund", "investing in early-stage founders 🌱"},
    {"founder & CEO @%s", "co-founder, building in stealth", "Founder. Shipping things.",
        "CEO & co-founder at a YC startup", "serial founder (2 exits)"},
    {"ML researcher", "LLM evals & inference infra", "AI researcher, ex-DeepMind",
        "training LLMs at scale", "PhD student, machine learning"},
    {"rust engineer", "open source maintainer", "backend dev — Go & Rust",
        "software engineer, distributed systems", "smart contract developer"},
    {"reporter at The Block", "tech journalist", "podcast host: Bankless", "editor, crypto desk",
        "newsletter writer, 40k subs"},
    {"coffee, cats, crypto", "just here for the memes", "🌍 traveler | 📷 photos", "gm ☀️",
        "Ñandú fan — Buenos Aires"},
};

static const char *const first_names[] = {"Ana López", "Zoë Kravitz", "李明", "Алексей Смирнов",
    "Søren Berg", "Jürgen Müller", "🚀 Rocket Rita", "Ahmed علي", "Priya Sharma", "Tom Baker",
    "Kenji Sato", "Lucía Fernández", "Omar Haddad", "Mia Wong", "Chris O'Neil", "Yuki 雪"};

static const char *const stems[] = {"alex", "sam", "nina", "kenji", "lucia", "omar", "mia", "dev",
    "chris", "yuki", "rafa", "zoe", "ivan", "lee", "ada", "max"};

/* Returns the bucket of account j. */
static int
user_bucket(const struct sim_model *m, uint32_t j)
{
	int pct = (int)(hash4(m, 11, j, 0, 0) % 100);
	for (int b = 0; b < B__COUNT; b++)
		if (pct < bucket_cum[b])
			return b;
	return B_OTHER;
}

void
sim_model_user_id(const struct sim_model *m, uint32_t j, char id[LW_ID_MAX])
{
	uint64_t h = hash4(m, 12, j, 0, 0);
	if (h % 3 == 0)
		snprintf(id, LW_ID_MAX, "%llu",
		    (unsigned long long)(10000000ULL + j * 1000ULL + h % 1000));
	else
		snprintf(id, LW_ID_MAX, "%llu",
		    (unsigned long long)(LONG_UID_BASE + j * 1000000000ULL +
		                         (h >> 8) % 1000000000ULL));
}

bool
sim_model_is_farm(const struct sim_model *m, uint32_t j)
{
	return m->farm_share > 0 && unit(hash4(m, 80, j, 0, 0)) < m->farm_share;
}

/* Writes the handle of account j into buf: a stem and the index; a farm
 * account's has five more digits after the stem. */
static void
user_handle(const struct sim_model *m, uint32_t j, char *buf, size_t size)
{
	uint64_t h = hash4(m, 13, j, 0, 0);
	if (sim_model_is_farm(m, j))
		snprintf(buf, size, "%s%05u_%u", stems[h % LW_ARRAY_LEN(stems)],
		    (unsigned)((h >> 16) % 100000), j);
	else
		snprintf(buf, size, "%s_%u", stems[h % LW_ARRAY_LEN(stems)], j);
}

int
sim_model_user_by_handle(const struct sim_model *m, const char *handle, uint32_t *j)
{
	if (*handle == '@')
		handle++;
	const char *us = strrchr(handle, '_');
	if (us == NULL || !str_is_digits(us + 1) || strlen(us + 1) > 9)
		return -1;
	unsigned long v = strtoul(us + 1, NULL, 10);
	if (v >= m->accounts)
		return -1;
	char buf[32];
	user_handle(m, (uint32_t)v, buf, sizeof buf);
	if (strcasecmp(buf, handle) != 0)
		return -1;
	*j = (uint32_t)v;
	return 0;
}

/* Farm mode: the template bios, emoji bios and reply texts of farm
 * accounts (the same text across accounts is one of the farm rules). */
static const char *const farm_bios[] = {"Airdrop hunter 🪂 | follow back 100%",
    "Crypto investor | DM for promo", "Giveaway lover 🎁 #IFB", "NFT & airdrops | F4F",
    "WL hunter 🔥 free mint every day"};
static const char *const farm_emoji_bios[] = {"🚀🚀🚀", "💎🙌", "🔥💯🔥"};
static const char *const farm_texts[] = {"Great project! Strong team and huge potential 🚀",
    "This is the next 100x gem, don't miss it 💎", "Amazing project, LFG! Airdrop when? 🔥",
    "Done ✅ tagging my friends for the giveaway", "Very good project with a bright future 🚀🚀"};

#define SIM_DAY_MS 86400000LL

/* Farm mode: sets the profile of account j on u (createdAt, profilePicture,
 * bio and counts): farm accounts are young, mostly with the default avatar,
 * template or empty bios, few followers and many follows; genuine accounts
 * include the hard negatives (new accounts, a default avatar now and then,
 * digits in every handle past 999, few followers). */
static void
farm_profile(const struct sim_model *m, uint32_t j, json_t *u)
{
	uint64_t h = hash4(m, 81, j, 0, 0);
	char when[40], pic[96];
	bool farm = sim_model_is_farm(m, j);
	int64_t age;
	bool default_pic;
	if (farm) {
		age = h % 100 < 85 ? (1 + (int64_t)((h >> 8) % 25)) * SIM_DAY_MS
		                   : (40 + (int64_t)((h >> 8) % 110)) * SIM_DAY_MS;
		default_pic = (h >> 16) % 100 < 80;
		int b = (int)((h >> 24) % 100);
		json_object_set_new(u, "description",
		    json_string(b < 65 ? farm_bios[(h >> 32) % LW_ARRAY_LEN(farm_bios)]
		                : b < 85
		                    ? ""
		                    : farm_emoji_bios[(h >> 32) % LW_ARRAY_LEN(farm_emoji_bios)]));
		json_object_set_new(u, "followers", json_integer((json_int_t)((h >> 40) % 80)));
		json_object_set_new(u, "following",
		    json_integer((json_int_t)((h >> 48) % 100 < 70 ? 300 + (h >> 20) % 2700
		                                                   : 20 + (h >> 20) % 130)));
		json_object_set_new(u, "isBlueVerified", json_false());
	} else {
		age = h % 100 < 8 ? (3 + (int64_t)((h >> 8) % 25)) * SIM_DAY_MS /* new, genuine */
		                  : (365 + (int64_t)((h >> 8) % 4000)) * SIM_DAY_MS;
		default_pic = (h >> 16) % 100 < 5;
	}
	xapi_format_time(m->start_wall_ms - age, when, sizeof when);
	json_object_set_new(u, "createdAt", json_string(when));
	snprintf(pic, sizeof pic, "https://pbs.twimg.com/profile_images/%u/photo_normal.jpg", j);
	json_object_set_new(u, "profilePicture",
	    json_string(default_pic ? "https://abs.twimg.com/sticky/default_profile_images/"
	                              "default_profile_normal.png"
	                            : pic));
}

json_t *
sim_model_user_json(const struct sim_model *m, uint32_t j)
{
	char id[LW_ID_MAX], handle[32], url[64];
	uint64_t h = hash4(m, 14, j, 0, 0);
	int b = user_bucket(m, j);
	struct sbuf bio, name;

	sim_model_user_id(m, j, id);
	user_handle(m, j, handle, sizeof handle);
	snprintf(url, sizeof url, "https://x.com/%s", handle);
	sbuf_init(&bio);
	sbuf_init(&name);
	sbuf_addstr(&name, first_names[h % LW_ARRAY_LEN(first_names)]);
	const char *tpl = bios[b][(h >> 8) % 5];
	if (strstr(tpl, "%s") != NULL)
		sbuf_printf(&bio, "founder & CEO @%s_labs", stems[(h >> 16) % LW_ARRAY_LEN(stems)]);
	else
		sbuf_addstr(&bio, tpl);
	if (j % 37 == 5) { /* hostile: terminal title and screen-clearing escapes */
		char *n = sbuf_take(&name);
		sbuf_printf(&name, "\x1b]0;pwned\x07%s", n);
		free(n);
		sbuf_addstr(&bio, " \x1b[2J\x1b[31mred alert\x1b[0m");
	}
	if (j % 53 == 3) /* bidi override */
		sbuf_addstr(&bio, " \u202Eevil\u202C");
	if (j % 29 == 7)                     /* very long bio */
		for (int i = 0; i < 80; i++) /* 2400 bytes */
			sbuf_addstr(&bio, " and also a very long bio line");
	/* followers: log-uniform 10 .. 1M, more for investors and media */
	double f = pow(10.0, 1.0 + 5.0 * unit(hash4(m, 15, j, 0, 0)));
	if (b == B_INVESTOR)
		f *= 3;
	else if (b == B_MEDIA)
		f *= 2;
	int64_t followers = (int64_t)f;
	bool verified = h % 5 == 0 || (followers > 100000 && (h >> 24) % 2 == 0);

	json_t *u = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:I, s:I, s:s, s:b}",
	    "type", "user", "id", id, "userName", handle, "name", name.s, "url", url,
	    "isBlueVerified", verified, "verifiedType", "", "description", bio.s, "followers",
	    (json_int_t)followers, "following", (json_int_t)(50 + (h >> 32) % 5000), "createdAt",
	    "Thu Dec 13 08:41:26 +0000 2012", "unavailable", 0);
	if (m->farm_share > 0)
		farm_profile(m, j, u);
	else
		json_object_set_new(u, "profilePicture",
		    json_string("https://pbs.twimg.com/profile_images/1/photo_normal.jpg"));
	sbuf_done(&bio);
	sbuf_done(&name);
	return u;
}

/* ---- streams ---- */

/* Returns the arrival time of item k of stream kind of tweet t. */
static int64_t
gen_at(const struct sim_model *m, int t, enum sim_kind kind, size_t k)
{
	const struct sim_tweet *tw = &m->tweets[t];
	const struct sim_stream *s = &tw->s[kind];
	if (s->lambda <= 0 || k >= s->max)
		return INT64_MAX;
	int64_t prev = k == 0 ? tw->created_ms : s->v[k - 1].at_ms;
	double u = unit(hash4(m, 20 + kind, (uint64_t)t, k, 0));
	double gap = -log(1.0 - u) / s->lambda;
	if (gap < 1)
		gap = 1;
	if (gap > 1e12)
		gap = 1e12;
	return prev + (int64_t)gap;
}

/* Returns the account at position idx of tweet t's permutation for kind. */
static uint32_t
perm_user(const struct sim_model *m, int t, enum sim_kind kind, uint32_t idx)
{
	uint64_t h = hash4(m, 30 + kind, (uint64_t)t, 0, 0);
	uint64_t off = h % m->accounts;
	uint64_t stride = 1 + (h >> 20) % (m->accounts - 1);
	return (uint32_t)((off + (uint64_t)idx * stride) % m->accounts);
}

/* Farm mode: returns one of the two farm accounts of the reply ring of the
 * 20 s window holding at: they reply to every launch tweet within seconds
 * (the burst rule). */
static uint32_t
ring_user(const struct sim_model *m, int64_t at)
{
	uint64_t w = (uint64_t)(at / 20000), slot = hash4(m, 83, w, (uint64_t)at, 0) % 2;
	for (uint64_t i = 0;; i++) {
		uint32_t j = (uint32_t)(hash4(m, 84, w, slot, i) % m->accounts);
		if (sim_model_is_farm(m, j) || i > 10000)
			return j;
	}
}

/* Appends item k (arriving at at) to stream kind of tweet t. */
static void
stream_append(struct sim_model *m, int t, enum sim_kind kind, int64_t at)
{
	struct sim_stream *s = &m->tweets[t].s[kind];
	size_t k = s->n;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	struct sim_eng *e = &s->v[k];
	uint64_t h = hash4(m, 40 + kind, (uint64_t)t, k, 0);
	e->at_ms = at;
	e->parent = -1;
	if (kind != SK_REPLY) {
		e->user = perm_user(m, t, kind, (uint32_t)k);
	} else {
		bool repeat = k > 0 && (h % 4 == 0 || s->new_authors >= m->accounts);
		if (repeat)
			e->user = s->v[(h >> 8) % k].user;
		else
			e->user = perm_user(m, t, kind, s->new_authors++);
		if (k > 0 && (h >> 32) % 5 == 0)
			e->parent = (int32_t)((h >> 40) % k);
		if (m->farm_share > 0 && unit(hash4(m, 82, (uint64_t)t, k, 0)) < m->farm_share / 2)
			e->user = ring_user(m, at);
	}
	s->n++;
}

void
sim_model_extend(struct sim_model *m, int64_t now_ms)
{
	if (now_ms < m->now_ms)
		return;
	m->now_ms = now_ms;
	for (int t = 0; t < m->n_tweets; t++)
		for (int kind = 0; kind < SK__COUNT; kind++) {
			struct sim_stream *s = &m->tweets[t].s[kind];
			while (s->next_at <= now_ms) {
				stream_append(m, t, (enum sim_kind)kind, s->next_at);
				s->next_at = gen_at(m, t, (enum sim_kind)kind, s->n);
			}
		}
}

struct sim_model *
sim_model_new(const struct sim_model_params *p, int64_t start_wall_ms)
{
	struct sim_model *m = xcalloc(1, sizeof *m);
	m->seed = p->seed;
	m->n_tweets = p->tweets > 0 ? p->tweets : 1;
	m->accounts = next_prime(p->accounts > 16 ? (uint32_t)p->accounts : 17);
	m->rate = p->rate;
	m->start_wall_ms = start_wall_ms;
	m->farm_share = p->farm_share > 0.9 ? 0.9 : p->farm_share > 0 ? p->farm_share : 0;
	m->eng_base = ENG_ID_BASE + (mix64(p->seed) % 40) * 10000000000000000ULL;
	m->now_ms = -((int64_t)1 << 40); /* before any tweet exists */
	m->tweets = xcalloc((size_t)m->n_tweets, sizeof *m->tweets);
	for (int t = 0; t < m->n_tweets; t++) {
		struct sim_tweet *tw = &m->tweets[t];
		for (uint64_t salt = 0;; salt++) {
			uint64_t id = LAUNCH_ID_BASE +
			              hash4(m, 1, (uint64_t)t, salt, 0) % 100000000000000000ULL;
			snprintf(tw->id, sizeof tw->id, "%llu", (unsigned long long)id);
			if (sim_model_find_tweet(m, tw->id) == t)
				break;
		}
		tw->created_ms = -(int64_t)p->head_start_s * 1000 -
		                 (int64_t)(hash4(m, 2, (uint64_t)t, 0, 0) % 60000);
		tw->author = (uint32_t)(hash4(m, 3, (uint64_t)t, 0, 0) % m->accounts);
		tw->mult = 0.5 + unit(hash4(m, 4, (uint64_t)t, 0, 0));
		for (int kind = 0; kind < SK__COUNT; kind++) {
			struct sim_stream *s = &tw->s[kind];
			s->lambda =
			    p->rate > 0 ? p->rate / 60000.0 * kind_share[kind] * tw->mult : 0;
			s->max = kind == SK_REPLY
			             ? STREAM_CAP
			             : (m->accounts < STREAM_CAP ? m->accounts : STREAM_CAP);
			s->next_at = gen_at(m, t, (enum sim_kind)kind, 0);
		}
	}
	return m;
}

void
sim_model_free(struct sim_model *m)
{
	if (m == NULL)
		return;
	for (int t = 0; t < m->n_tweets; t++)
		for (int kind = 0; kind < SK__COUNT; kind++)
			free(m->tweets[t].s[kind].v);
	free(m->tweets);
	free(m);
}

int
sim_model_find_tweet(const struct sim_model *m, const char *id)
{
	for (int t = 0; t < m->n_tweets; t++)
		if (m->tweets[t].id[0] != '\0' && strcmp(m->tweets[t].id, id) == 0)
			return t;
	return -1;
}

void
sim_model_eng_id(const struct sim_model *m, int t, enum sim_kind kind, size_t k, char id[LW_ID_MAX])
{
	uint64_t ta = (uint64_t)t * 2 + (kind == SK_QUOTE);
	uint64_t low = hash4(m, 50, (uint64_t)t, (uint64_t)kind, k) % 1000;
	uint64_t v = m->eng_base + (ta * 10000000ULL + k) * 1000ULL + low;
	snprintf(id, LW_ID_MAX, "%llu", (unsigned long long)v);
}

int
sim_model_decode_eng(
    const struct sim_model *m, const char *id, int *t, enum sim_kind *kind, size_t *k)
{
	if (!str_is_digits(id) || strlen(id) != 19)
		return -1;
	unsigned long long v = strtoull(id, NULL, 10);
	if (v < m->eng_base || v - m->eng_base >= 10000000000000000ULL)
		return -1;
	unsigned long long q = (v - m->eng_base) / 1000;
	unsigned long long ta = q / 10000000ULL;
	*t = (int)(ta / 2);
	*kind = ta % 2 ? SK_QUOTE : SK_REPLY;
	*k = (size_t)(q % 10000000ULL);
	if (*t >= m->n_tweets || *k >= m->tweets[*t].s[*kind].n)
		return -1;
	char check[LW_ID_MAX];
	sim_model_eng_id(m, *t, *kind, *k, check);
	return strcmp(check, id) == 0 ? 0 : -1;
}

/* ---- tweets ---- */

/* Reply and quote texts, with strongly negative and positive ones for the
 * sentiment scorer (docs/alerts.md section 9; VADER scores the negative ones
 * below -0.85 and the positive ones above 0.8). */
static const char *const reply_texts[] = {"Congrats on the launch! 🎉",
    "This is huge for the ecosystem", "When token? 👀", "Tried it, the latency is impressive",
    "gm — finally mainnet", "Бомба! 🔥", "素晴らしいローンチ", "Is there a testnet faucet?",
    "\x1b[2Jclear your screen lol", "Great work team 🙌", "How does this compare to Optimism?",
    "Docs link is broken btw", "bullish", "ratio",
    "This is a scam. Terrible, dishonest team, avoid!",
    "Worst launch ever, total garbage and broken. Disgusting.",
    "Absolutely amazing launch, love it! Best team ever 🎉",
    "Wonderful work, incredibly fast and beautiful docs"};
static const char *const quote_texts[] = {"Big day for this team 🚀", "Been waiting for this one",
    "Thread on why this matters 🧵", "Not convinced, here's why", "My notes from the launch",
    "\x1b]0;pwned\x07 look at this", "Ça y est ! 🇫🇷",
    "You lied to everyone. Pathetic rug pull, shame on you",
    "Love this, brilliant and exciting. Great job!"};
/* The texts above not in English, with the language the provider names
 * (every other one is "en"). */
static const struct {
	const char *text, *lang;
} text_langs[] = {{"Бомба! 🔥", "ru"}, {"素晴らしいローンチ", "ja"}, {"Ça y est ! 🇫🇷", "fr"}};

/* Returns the provider's language code of reply or quote text. */
static const char *
text_lang(const char *text)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(text_langs); i++)
		if (strcmp(text_langs[i].text, text) == 0)
			return text_langs[i].lang;
	return "en";
}

void
sim_model_metrics(const struct sim_model *m, int t, struct lw_metrics *out)
{
	const struct sim_tweet *tw = &m->tweets[t];
	int64_t el_s = (m->now_ms - tw->created_ms) / 1000;
	if (el_s < 0)
		el_s = 0;
	double per_s = m->rate / 60.0 * tw->mult * 2.0; /* likes per second */
	int64_t base = (int64_t)((double)el_s * per_s);
	int64_t jit = (int64_t)(per_s * 15.0) + 4; /* wider than 10 s of growth */
	uint64_t h = hash4(m, 60, (uint64_t)t, (uint64_t)(el_s / 10), 0);
	int64_t likes = base + (int64_t)(h % (uint64_t)(jit + 1)) - jit / 2;
	if (likes < 0)
		likes = 0;
	out->likes = likes;
	out->retweets = (int64_t)tw->s[SK_RETWEET].n;
	out->replies = (int64_t)tw->s[SK_REPLY].n;
	out->quotes = (int64_t)tw->s[SK_QUOTE].n;
	out->views = likes * 37 + el_s * 3;
	out->bookmarks = likes / 25 + (int64_t)((h >> 20) % 2);
}

/* Adds the provider's tweet fields shared by launch, reply and quote tweets. */
static json_t *
tweet_common(const struct sim_model *m, const char *id, const char *text, int64_t at_ms,
    uint32_t author, const struct lw_metrics *mt)
{
	char when[40], url[96], handle[32];
	xapi_format_time(m->start_wall_ms + at_ms, when, sizeof when);
	user_handle(m, author, handle, sizeof handle);
	snprintf(url, sizeof url, "https://x.com/%s/status/%s", handle, id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:o, "
	                 "s:{s:[], s:[], s:[]}, s:n, s:n, s:b}",
	    "type", "tweet", "id", id, "url", url, "text", text, "source", "Twitter for iPhone",
	    "retweetCount", (json_int_t)mt->retweets, "replyCount", (json_int_t)mt->replies,
	    "likeCount", (json_int_t)mt->likes, "quoteCount", (json_int_t)mt->quotes, "viewCount",
	    (json_int_t)mt->views, "bookmarkCount", (json_int_t)mt->bookmarks, "createdAt", when,
	    "lang", "en", "author", sim_model_user_json(m, author), "entities", "hashtags", "urls",
	    "user_mentions", "quoted_tweet", "retweeted_tweet", "isLimitedReply", 0);
}

json_t *
sim_model_tweet_json(const struct sim_model *m, int t)
{
	const struct sim_tweet *tw = &m->tweets[t];
	struct lw_metrics mt;
	char text[96];
	sim_model_metrics(m, t, &mt);
	snprintf(text, sizeof text, "Acme L2 mainnet is live 🚀 (post %d of the launch)", t + 1);
	json_t *o = tweet_common(m, tw->id, text, tw->created_ms, tw->author, &mt);
	json_object_set_new(o, "isReply", json_false());
	json_object_set_new(o, "inReplyToId", json_string(""));
	json_object_set_new(o, "conversationId", json_string(tw->id));
	json_object_set_new(o, "inReplyToUserId", json_string(""));
	json_object_set_new(o, "inReplyToUsername", json_string(""));
	return o;
}

json_t *
sim_model_eng_json(const struct sim_model *m, int t, enum sim_kind kind, size_t k)
{
	const struct sim_tweet *tw = &m->tweets[t];
	const struct sim_eng *e = &tw->s[kind].v[k];
	char id[LW_ID_MAX], parent_id[LW_ID_MAX], parent_uid[LW_ID_MAX], parent_handle[32];
	uint64_t h = hash4(m, 70 + kind, (uint64_t)t, k, 0);
	struct lw_metrics mt = {.likes = (int64_t)(h % 50),
	    .retweets = (int64_t)((h >> 8) % 5),
	    .replies = (int64_t)((h >> 16) % 3),
	    .quotes = 0,
	    .views = (int64_t)(h % 50) * 30 + (int64_t)((h >> 24) % 500),
	    .bookmarks = (int64_t)((h >> 32) % 3)};
	const char *text = kind == SK_REPLY ? reply_texts[(h >> 40) % LW_ARRAY_LEN(reply_texts)]
	                                    : quote_texts[(h >> 40) % LW_ARRAY_LEN(quote_texts)];
	if (sim_model_is_farm(m, e->user))
		text = farm_texts[(h >> 44) % LW_ARRAY_LEN(farm_texts)];
	sim_model_eng_id(m, t, kind, k, id);
	json_t *o = tweet_common(m, id, text, e->at_ms, e->user, &mt);
	json_object_set_new(o, "lang", json_string(text_lang(text)));
	if (kind == SK_REPLY) {
		uint32_t pu = tw->author;
		if (e->parent >= 0) {
			sim_model_eng_id(m, t, SK_REPLY, (size_t)e->parent, parent_id);
			pu = tw->s[SK_REPLY].v[e->parent].user;
		} else {
			snprintf(parent_id, sizeof parent_id, "%s", tw->id);
		}
		sim_model_user_id(m, pu, parent_uid);
		user_handle(m, pu, parent_handle, sizeof parent_handle);
		json_object_set_new(o, "isReply", json_true());
		json_object_set_new(o, "inReplyToId", json_string(parent_id));
		json_object_set_new(o, "inReplyToUserId", json_string(parent_uid));
		json_object_set_new(o, "inReplyToUsername", json_string(parent_handle));
	} else {
		json_object_set_new(o, "isReply", json_false());
		json_object_set_new(o, "inReplyToId", json_string(""));
		json_object_set_new(o, "inReplyToUserId", json_string(""));
		json_object_set_new(o, "inReplyToUsername", json_string(""));
		json_object_set_new(
		    o, "quoted_tweet", json_pack("{s:s, s:s}", "type", "tweet", "id", tw->id));
	}
	json_object_set_new(o, "conversationId", json_string(kind == SK_REPLY ? tw->id : id));
	return o;
}

size_t
sim_model_since_index(const struct sim_model *m, const struct sim_stream *s, int64_t since_s)
{
	int64_t at = since_s * 1000 - m->start_wall_ms; /* virtual ms */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].at_ms < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Compares two item indices of the stream items in arg by author, then
 * arrival (for grouping one account's items into one engagement). */
static int
cmp_by_user(const void *a, const void *b, void *arg)
{
	const struct sim_eng *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (v[x].user != v[y].user)
		return v[x].user < v[y].user ? -1 : 1;
	return x < y ? -1 : (x > y);
}

json_t *
sim_model_truth(const struct sim_model *m)
{
	static const char *const action[SK__COUNT] = {"retweet", "reply", "quote"};
	json_t *tweets = json_array();
	json_t *engs = json_array();
	size_t total = 0;
	for (int t = 0; t < m->n_tweets; t++) {
		const struct sim_tweet *tw = &m->tweets[t];
		struct lw_metrics mt;
		char uid[LW_ID_MAX], rid[LW_ID_MAX], pid[LW_ID_MAX], handle[32];
		sim_model_metrics(m, t, &mt);
		sim_model_user_id(m, tw->author, uid);
		json_array_append_new(tweets,
		    json_pack("{s:s, s:s, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "tweet_id",
		        tw->id, "author_id", uid, "created_at_ms",
		        (json_int_t)(m->start_wall_ms + tw->created_ms), "metrics", "likes",
		        (json_int_t)mt.likes, "retweets", (json_int_t)mt.retweets, "replies",
		        (json_int_t)mt.replies, "quotes", (json_int_t)mt.quotes, "views",
		        (json_int_t)mt.views, "bookmarks", (json_int_t)mt.bookmarks));
		for (int kind = 0; kind < SK__COUNT; kind++) {
			const struct sim_stream *s = &tw->s[kind];
			size_t *idx = xcalloc(s->n ? s->n : 1, sizeof *idx);
			for (size_t k = 0; k < s->n; k++)
				idx[k] = k;
			qsort_r(idx, s->n, sizeof *idx, cmp_by_user, s->v);
			for (size_t i = 0; i < s->n;) {
				size_t j = i;
				const struct sim_eng *first = &s->v[idx[i]];
				json_t *ref_ids = json_array(), *refs = json_array();
				for (; j < s->n && s->v[idx[j]].user == first->user; j++) {
					const struct sim_eng *e = &s->v[idx[j]];
					if (kind == SK_RETWEET)
						continue;
					sim_model_eng_id(m, t, (enum sim_kind)kind, idx[j], rid);
					if (e->parent >= 0)
						sim_model_eng_id(
						    m, t, SK_REPLY, (size_t)e->parent, pid);
					else
						snprintf(pid, sizeof pid, "%s", tw->id);
					json_array_append_new(ref_ids, json_string(rid));
					json_array_append_new(
					    refs, json_pack("{s:s, s:s, s:I}", "id", rid,
					              "in_reply_to_id", kind == SK_REPLY ? pid : "",
					              "at_ms",
					              (json_int_t)(m->start_wall_ms + e->at_ms)));
				}
				sim_model_user_id(m, first->user, uid);
				user_handle(m, first->user, handle, sizeof handle);
				json_t *one = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s}",
				    "tweet_id", tw->id, "user_id", uid, "handle", handle, "action",
				    action[kind], "ref_ids", ref_ids, "refs", refs, "first_at_ms",
				    (json_int_t)(m->start_wall_ms + first->at_ms), "bucket_hint",
				    bucket_name((enum lw_bucket)user_bucket(m, first->user)));
				if (m->farm_share > 0)
					json_object_set_new(one, "farm",
					    json_boolean(sim_model_is_farm(m, first->user)));
				json_array_append_new(engs, one);
				total++;
				i = j;
			}
			free(idx);
		}
	}
	return json_pack("{s:I, s:I, s:I, s:o, s:o}", "now_ms",
	    (json_int_t)(m->start_wall_ms + m->now_ms), "elapsed_ms", (json_int_t)m->now_ms,
	    "engagement_count", (json_int_t)total, "tweets", tweets, "engagements", engs);
}
