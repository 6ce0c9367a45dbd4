/*
 * sim: the HTTP side of the simulator. Owns the libmicrohttpd daemon (bound
 * to 127.0.0.1, one thread per connection), the virtual clock, the fault
 * schedule, the credit budget, the request statistics and the routing table.
 * Every request runs under one mutex, so the model (src/sim/sim_model.c) sees one
 * caller at a time. sim_start/sim_free belong to the owner thread.
 */
#include "sim/sim.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sim/sim_model.h"
#include "base/util.h"
#include "provider/xapi.h"

/* Endpoints, for routing and statistics. */
enum ep {
	EP_TWEETS,
	EP_RETWEETERS,
	EP_REPLIES,
	EP_QUOTES,
	EP_USER_INFO,
	EP_BALANCE,
	EP_SIM_STATS,
	EP_SIM_TRUTH,
	EP_SIM_ADVANCE,
	EP_SIM_CREDITS,
	EP_SIM_RESET,
	EP_OTHER,
	EP__COUNT
};

/* Faults and refusals counted in the statistics. */
enum fault { F_429, F_5XX, F_MALFORMED, F_402, F_401, F_CURSOR, F__COUNT };
static const char *const fault_names[F__COUNT] = {
    "429", "5xx", "malformed", "402", "401", "cursor"};

/* What a handler answers. */
struct reply {
	unsigned status;
	char *body;      /* owned; freed by libmicrohttpd */
	int retry_after; /* seconds, -1 none */
	int64_t cost;    /* credits charged when served with status 200 */
};

struct sim {
	struct sim_opts o;
	char *key;
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t mu;
	struct sim_model *m;
	int64_t mono_start_ms;
	int64_t advanced_ms;
	uint64_t provider_requests; /* drives the fault schedule */
	uint64_t requests[EP__COUNT];
	uint64_t useful[EP__COUNT]; /* answered 200 with a whole body */
	uint64_t faults[F__COUNT];
	int64_t credits_used;
	int64_t credits_left; /* -1: unlimited */
};

static int conn_marker; /* marks a request seen once (two-phase access handler) */

/* Returns the virtual time in ms since start (caller holds mu). */
static int64_t
virtual_now(const struct sim *s)
{
	int64_t real = s->o.frozen ? 0 : clock_mono_ms() - s->mono_start_ms;
	return real + s->advanced_ms;
}

/* Sets r to a JSON reply from o (consumed). */
static void
reply_json(struct reply *r, unsigned status, json_t *o)
{
	r->status = status;
	free(r->body);
	r->body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (r->body == NULL)
		r->body = xstrdup("{}");
}

/* Sets r to a provider error body {"status":"error","message":msg}. */
static void
reply_error(struct reply *r, unsigned status, const char *msg)
{
	reply_json(r, status, json_pack("{s:s, s:s}", "status", "error", "message", msg));
}

/* Returns a query argument or NULL. */
static const char *
arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- cursors: "DAAB<k>-<issued s>-<check>", k = items older than index k ---- */

/* Writes the cursor of position k for stream kind of tweet t issued now. */
static void
cursor_encode(const struct sim *s, int t, enum sim_kind kind, size_t k, int64_t issued_s, char *buf,
    size_t size)
{
	char key[96];
	int n = snprintf(key, sizeof key, "%llu:%d:%d:%zu:%lld", (unsigned long long)s->o.seed, t,
	    (int)kind, k, (long long)issued_s);
	uint64_t check = hash_fnv1a(key, (size_t)n) & 0xffffff;
	snprintf(buf, size, "DAAB%zx-%llx-%06llx", k, (unsigned long long)issued_s,
	    (unsigned long long)check);
}

/* Decodes a cursor of stream kind of tweet t; 0 or -1 (foreign or forged). */
static int
cursor_decode(
    const struct sim *s, int t, enum sim_kind kind, const char *cur, size_t *k, int64_t *issued_s)
{
	size_t kk;
	unsigned long long iss, check;
	char again[96];
	if (strlen(cur) > 64 || sscanf(cur, "DAAB%zx-%llx-%llx", &kk, &iss, &check) != 3)
		return -1;
	cursor_encode(s, t, kind, kk, (int64_t)iss, again, sizeof again);
	if (strcmp(again, cur) != 0)
		return -1;
	*k = kk;
	*issued_s = (int64_t)iss;
	return 0;
}

/* ---- provider endpoints ---- */

/* Page sizes of the list endpoints, like the real provider. */
static const size_t page_size[SK__COUNT] = {100, 20, 20};

/* Serves one page of retweeters, replies or quotes. */
static void
serve_list(struct sim *s, struct MHD_Connection *c, enum sim_kind kind, struct reply *r)
{
	const char *tid = arg(c, "tweetId");
	const char *cur = arg(c, "cursor");
	const char *since = kind == SK_RETWEET ? NULL : arg(c, "sinceTime");
	const char *until = kind == SK_RETWEET ? NULL : arg(c, "untilTime");
	int64_t now_s = s->m->now_ms / 1000;
	char next[96] = "";
	bool has_next = false;

	if (tid == NULL || *tid == '\0') {
		reply_error(r, 400, "tweetId is required");
		return;
	}
	int t = sim_model_find_tweet(s->m, tid);
	json_t *items = json_array();
	if (t < 0)
		goto out; /* unknown tweet: an empty page (a guess) */
	const struct sim_stream *st = &s->m->tweets[t].s[kind];
	size_t k = st->n;
	if (cur != NULL && *cur != '\0') {
		int64_t issued;
		if (cursor_decode(s, t, kind, cur, &k, &issued) != 0 || k > st->n) {
			s->faults[F_CURSOR]++;
			json_decref(items);
			reply_error(r, 400, "Invalid cursor: unknown or malformed cursor");
			return;
		}
		if (s->o.expire_cursors_s > 0 && now_s - issued > s->o.expire_cursors_s) {
			s->faults[F_CURSOR]++;
			json_decref(items);
			reply_error(r, 400, "Invalid cursor: the cursor has expired");
			return;
		}
	}
	/* untilTime (exclusive): only items that arrived before it */
	if (until != NULL && str_is_digits(until) && strlen(until) < 16) {
		size_t hi = sim_model_since_index(s->m, st, strtoll(until, NULL, 10));
		if (k > hi)
			k = hi;
	}
	size_t lo_since = since != NULL && str_is_digits(since)
	                      ? sim_model_since_index(s->m, st, strtoll(since, NULL, 10))
	                      : 0;
	size_t ps = page_size[kind];
	if (s->o.short_pages && kind != SK_QUOTE)
		ps -= hash_fnv1a(&k, sizeof k) % (kind == SK_RETWEET ? 8 : 4);
	size_t lo = k > lo_since + ps ? k - ps : lo_since;
	for (size_t i = k; i > lo; i--) {
		size_t idx = i - 1;
		if (kind == SK_RETWEET)
			json_array_append_new(items, sim_model_user_json(s->m, st->v[idx].user));
		else
			json_array_append_new(items, sim_model_eng_json(s->m, t, kind, idx));
	}
	if (k > lo && lo > lo_since) {
		size_t overlap = (size_t)(s->o.overlap > 0 ? s->o.overlap : 0);
		size_t nk = lo + overlap;
		if (nk >= k)
			nk = k - 1;
		has_next = true;
		cursor_encode(s, t, kind, nk, now_s, next, sizeof next);
	} else if (k > lo && s->o.phantom_next_page) {
		has_next = true;
		cursor_encode(s, t, kind, lo_since, now_s, next, sizeof next);
	}
out:;
	size_t n = json_array_size(items);
	json_t *o = json_pack("{s:o, s:b, s:s}", kind == SK_RETWEET ? "users" : "tweets", items,
	    "has_next_page", has_next, "next_cursor", next);
	/* the real retweeters endpoint sometimes omits status; so do we */
	if (kind != SK_RETWEET || hash_fnv1a(next, strlen(next)) % 3 != 0) {
		json_object_set_new(o, "status", json_string("success"));
		json_object_set_new(o, "message", json_string(""));
	}
	r->cost = kind == SK_RETWEET ? xapi_credits_estimate(0, n) : xapi_credits_estimate(n, 0);
	reply_json(r, 200, o);
}

/* GET /twitter/tweet/retweeters. */
static void
h_retweeters(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	serve_list(s, c, SK_RETWEET, r);
}

/* GET /twitter/tweet/replies. */
static void
h_replies(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	serve_list(s, c, SK_REPLY, r);
}

/* GET /twitter/tweet/quotes. */
static void
h_quotes(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	serve_list(s, c, SK_QUOTE, r);
}

/* GET /twitter/tweets?tweet_ids=a,b: known ids in request order, others omitted. */
static void
h_tweets(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	const char *ids = arg(c, "tweet_ids");
	if (ids == NULL || *ids == '\0') {
		reply_error(r, 400, "tweet_ids is required");
		return;
	}
	json_t *arr = json_array();
	char *copy = xstrdup(ids), *save = NULL;
	for (char *id = strtok_r(copy, ",", &save); id != NULL; id = strtok_r(NULL, ",", &save)) {
		int t = sim_model_find_tweet(s->m, id);
		enum sim_kind kind;
		size_t k;
		if (t >= 0)
			json_array_append_new(arr, sim_model_tweet_json(s->m, t));
		else if (sim_model_decode_eng(s->m, id, &t, &kind, &k) == 0)
			json_array_append_new(arr, sim_model_eng_json(s->m, t, kind, k));
	}
	free(copy);
	r->cost = xapi_credits_estimate(json_array_size(arr), 0);
	reply_json(r, 200,
	    json_pack("{s:o, s:s, s:s}", "tweets", arr, "status", "success", "message", ""));
}

/* GET /twitter/user/info?userName=h. */
static void
h_user_info(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	const char *h = arg(c, "userName");
	uint32_t j;
	if (h == NULL || sim_model_user_by_handle(s->m, h, &j) != 0) {
		r->cost = XAPI_CREDITS_MIN;
		reply_json(r, 200,
		    json_pack(
		        "{s:n, s:s, s:s}", "data", "status", "error", "msg", "User not found"));
		return;
	}
	r->cost = XAPI_CREDITS_USER;
	reply_json(r, 200,
	    json_pack("{s:o, s:s, s:s}", "data", sim_model_user_json(s->m, j), "status", "success",
	        "msg", "success"));
}

/* GET /oapi/my/info: the balance (free). */
static void
h_balance(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	(void)c;
	int64_t left = s->credits_left >= 0 ? s->credits_left : 1000000000;
	reply_json(r, 200,
	    json_pack("{s:I, s:I}", "recharge_credits", (json_int_t)left, "total_bonus_credits",
	        (json_int_t)0));
}

/* ---- /_sim endpoints ---- */

static const char *const ep_names[EP__COUNT] = {"tweets", "retweeters", "replies", "quotes",
    "user_info", "balance", "sim_stats", "sim_truth", "sim_advance", "sim_credits", "sim_reset",
    "other"};

/* GET /_sim/stats. */
static void
h_stats(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	(void)c;
	json_t *req = json_object(), *faults = json_object(), *useful = json_object();
	uint64_t total = 0;
	for (int i = 0; i < EP__COUNT; i++) {
		json_object_set_new(req, ep_names[i], json_integer((json_int_t)s->requests[i]));
		if (i <= EP_BALANCE)
			json_object_set_new(
			    useful, ep_names[i], json_integer((json_int_t)s->useful[i]));
		if (i <= EP_BALANCE)
			total += s->requests[i];
	}
	for (int i = 0; i < F__COUNT; i++)
		json_object_set_new(faults, fault_names[i], json_integer((json_int_t)s->faults[i]));
	reply_json(r, 200,
	    json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:I, s:b}", "provider_requests",
	        (json_int_t)total, "requests", req, "useful", useful, "faults", faults,
	        "credits_used", (json_int_t)s->credits_used, "credits_left",
	        s->credits_left >= 0 ? json_integer((json_int_t)s->credits_left) : json_null(),
	        "elapsed_ms", (json_int_t)s->m->now_ms, "frozen", s->o.frozen));
}

/* GET /_sim/truth. */
static void
h_truth(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	(void)c;
	reply_json(r, 200, sim_model_truth(s->m));
}

/* POST /_sim/advance?secs=N (N may have a fraction). */
static void
h_advance(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	const char *v = arg(c, "secs");
	char *end = NULL;
	double secs = v != NULL ? strtod(v, &end) : -1;
	if (v == NULL || *end != '\0' || !(secs >= 0) || secs > 1e8) {
		reply_error(r, 400, "secs must be a number of seconds >= 0");
		return;
	}
	s->advanced_ms += (int64_t)(secs * 1000.0);
	sim_model_extend(s->m, virtual_now(s));
	reply_json(r, 200, json_pack("{s:I}", "elapsed_ms", (json_int_t)s->m->now_ms));
}

/* POST /_sim/credits?add=N. */
static void
h_credits(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	const char *v = arg(c, "add");
	if (v == NULL || !str_is_digits(v) || strlen(v) > 15) {
		reply_error(r, 400, "add must be a whole number of credits");
		return;
	}
	if (s->credits_left >= 0)
		s->credits_left += strtoll(v, NULL, 10);
	reply_json(r, 200,
	    json_pack("{s:o}", "credits_left",
	        s->credits_left >= 0 ? json_integer((json_int_t)s->credits_left) : json_null()));
}

/* POST /_sim/reset-stats: zero the counters and restart the fault schedule. */
static void
h_reset(struct sim *s, struct MHD_Connection *c, struct reply *r)
{
	(void)c;
	memset(s->requests, 0, sizeof s->requests);
	memset(s->useful, 0, sizeof s->useful);
	memset(s->faults, 0, sizeof s->faults);
	s->provider_requests = 0;
	s->credits_used = 0;
	reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* The routing table. */
static const struct route {
	const char *method;
	const char *path;
	enum ep ep;
	bool provider; /* key, faults and credits apply */
	void (*fn)(struct sim *, struct MHD_Connection *, struct reply *);
} routes[] = {
    {"GET", "/twitter/tweets", EP_TWEETS, true, h_tweets},
    {"GET", "/twitter/tweet/retweeters", EP_RETWEETERS, true, h_retweeters},
    {"GET", "/twitter/tweet/replies", EP_REPLIES, true, h_replies},
    {"GET", "/twitter/tweet/quotes", EP_QUOTES, true, h_quotes},
    {"GET", "/twitter/user/info", EP_USER_INFO, true, h_user_info},
    {"GET", "/oapi/my/info", EP_BALANCE, true, h_balance},
    {"GET", "/_sim/stats", EP_SIM_STATS, false, h_stats},
    {"GET", "/_sim/truth", EP_SIM_TRUTH, false, h_truth},
    {"POST", "/_sim/advance", EP_SIM_ADVANCE, false, h_advance},
    {"POST", "/_sim/credits", EP_SIM_CREDITS, false, h_credits},
    {"POST", "/_sim/reset-stats", EP_SIM_RESET, false, h_reset},
};

/* Runs a provider request through the key check, the fault schedule and the
 * credit budget around the handler. */
static void
serve_provider(struct sim *s, const struct route *rt, struct MHD_Connection *c, struct reply *r)
{
	const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
	if (s->key != NULL && (key == NULL || strcmp(key, s->key) != 0)) {
		s->faults[F_401]++;
		reply_json(r, 401,
		    json_pack("{s:s, s:s}", "error", "Unauthorized", "message",
		        "Invalid API key. Please check your API key"));
		return;
	}
	uint64_t n = ++s->provider_requests;
	if (s->o.fault_429_every > 0 && n % (uint64_t)s->o.fault_429_every == 0) {
		s->faults[F_429]++;
		r->retry_after = 1;
		reply_json(r, 429,
		    json_pack("{s:s, s:s}", "error", "Too Many Requests", "message",
		        "Rate limit exceeded"));
		return;
	}
	if (s->o.fault_5xx_every > 0 && n % (uint64_t)s->o.fault_5xx_every == 0) {
		s->faults[F_5XX]++;
		reply_json(r, 500,
		    json_pack("{s:s, s:s}", "error", "Internal Server Error", "message",
		        "upstream error"));
		return;
	}
	if (rt->ep != EP_BALANCE && s->credits_left == 0) {
		s->faults[F_402]++;
		reply_json(r, 402,
		    json_pack("{s:s, s:s}", "error", "Unauthorized", "message",
		        "Credits is not enough.Please recharge"));
		return;
	}
	rt->fn(s, c, r);
	if (r->status != 200)
		return;
	if (s->o.fault_malformed_every > 0 && n % (uint64_t)s->o.fault_malformed_every == 0) {
		s->faults[F_MALFORMED]++;
		size_t len = strlen(r->body);
		r->body[len / 2 > 0 ? len / 2 : 1] = '\0'; /* truncated JSON */
		if (len < 2)
			r->body[0] = '{';
		r->cost = r->cost > 0 ? XAPI_CREDITS_MIN : 0;
	} else {
		s->useful[rt->ep]++;
	}
	s->credits_used += r->cost;
	if (s->credits_left >= 0)
		s->credits_left = s->credits_left > r->cost ? s->credits_left - r->cost : 0;
}

/* libmicrohttpd access handler: routes one request. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct sim *s = cls;
	struct reply r = {.status = 404, .retry_after = -1};
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &conn_marker;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* bodies are ignored */
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	sim_model_extend(s->m, virtual_now(s));
	const struct route *rt = NULL;
	for (size_t i = 0; i < LW_ARRAY_LEN(routes); i++)
		if (strcmp(url, routes[i].path) == 0)
			rt = &routes[i];
	if (rt == NULL) {
		s->requests[EP_OTHER]++;
		reply_json(&r, 404,
		    json_pack("{s:s, s:s}", "error", "Not Found", "message", "no such endpoint"));
	} else if (strcmp(method, rt->method) != 0) {
		s->requests[EP_OTHER]++;
		reply_error(&r, 405, "method not allowed");
	} else {
		s->requests[rt->ep]++;
		if (rt->provider)
			serve_provider(s, rt, c, &r);
		else
			rt->fn(s, c, &r);
	}
	pthread_mutex_unlock(&s->mu);

	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(r.body), r.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(r.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (r.retry_after >= 0) {
		char v[16];
		snprintf(v, sizeof v, "%d", r.retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

void
sim_opts_init(struct sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->tweets = 3;
	o->rate = 30;
	o->credits = -1;
	o->head_start_s = 600;
	o->accounts = 5003;
}

struct sim *
sim_start(const struct sim_opts *o, char **cause)
{
	struct sim *s = xcalloc(1, sizeof *s);
	struct sockaddr_in sa;

	if (o->port < 0 || o->port > 65535 || o->tweets < 1 || o->tweets > 100000 || o->rate < 0 ||
	    o->overlap < 0 || o->overlap >= 20) {
		set_cause(cause,
		    "invalid simulator options (port 0-65535, tweets 1-100000, rate >= 0, "
		    "overlap 0-19)");
		free(s);
		return NULL;
	}
	s->o = *o;
	s->key = o->key != NULL && *o->key != '\0' ? xstrdup(o->key) : NULL;
	s->o.key = NULL;
	s->credits_left = o->credits;
	pthread_mutex_init(&s->mu, NULL);
	int64_t start = o->start_ms > 0 ? o->start_ms : clock_now_ms() / 1000 * 1000;
	struct sim_model_params mp = {.seed = o->seed,
	    .tweets = o->tweets,
	    .rate = o->rate,
	    .accounts = o->accounts,
	    .head_start_s = o->head_start_s,
	    .farm_share = o->farm_share};
	s->m = sim_model_new(&mp, start);
	s->mono_start_ms = clock_mono_ms();
	sim_model_extend(s->m, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
	    (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
	if (s->d == NULL) {
		set_cause(cause, "cannot listen on 127.0.0.1:%d (port in use?)", o->port);
		sim_free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : o->port;
	return s;
}

int
sim_port(struct sim *s)
{
	return s->port;
}

const char *
sim_tweet_id(struct sim *s, int i)
{
	return i >= 0 && i < s->m->n_tweets ? s->m->tweets[i].id : NULL;
}

void
sim_advance(struct sim *s, int64_t ms)
{
	if (ms <= 0)
		return;
	pthread_mutex_lock(&s->mu);
	s->advanced_ms += ms;
	sim_model_extend(s->m, virtual_now(s));
	pthread_mutex_unlock(&s->mu);
}

void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	sim_model_free(s->m);
	pthread_mutex_destroy(&s->mu);
	free(s->key);
	free(s);
}
