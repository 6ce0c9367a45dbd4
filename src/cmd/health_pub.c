/*
 * health_pub: the thread behind /healthz and /metrics
 * (include/cmd/health_pub.h). It owns nothing but its timer; the store and
 * the endpoint are borrowed.
 */
#include "cmd/health_pub.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "api/jsonapi.h"
#include "base/util.h"
#include "engine/health_collect.h"
#include "model/health.h"

struct health_pub {
	struct store *s;
	struct jsonapi *api;
	int64_t every_ms;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop; /* under mu */
	pthread_t thread;
};

/* Reads the health once and publishes it. */
static void
publish_once(struct health_pub *p)
{
	struct health h;
	struct sbuf js, prom;
	char why[320];
	health_collect(p->s, clock_now_ms(), &h);
	sbuf_init(&js);
	sbuf_init(&prom);
	health_json(&h, &js);
	health_prometheus(&h, &prom);
	enum health_verdict v = health_judge(&h, why, sizeof why);
	jsonapi_publish_health(
	    p->api, v == HEALTH_DOWN ? 503 : 200, js.s ? js.s : "{}", prom.s ? prom.s : "");
	sbuf_done(&js);
	sbuf_done(&prom);
	health_done(&h);
}

/* The thread: publish, wait, until stopped. */
static void *
pub_main(void *arg)
{
	struct health_pub *p = arg;
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		pthread_mutex_unlock(&p->mu);
		publish_once(p);
		pthread_mutex_lock(&p->mu);
		struct timespec ts = clock_deadline(CLOCK_REALTIME, p->every_ms);
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &ts) == 0) {
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct health_pub *
health_pub_start(struct store *s, struct jsonapi *api, int64_t every_ms)
{
	struct health_pub *p = xcalloc(1, sizeof *p);
	p->s = s;
	p->api = api;
	p->every_ms = every_ms > 0 ? every_ms : HEALTH_PUB_MS;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	jsonapi_serve_health(api);
	if (pthread_create(&p->thread, NULL, pub_main, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void
health_pub_stop(struct health_pub *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
