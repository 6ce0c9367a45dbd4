/*
 * queue: the worker-to-UI batch queue with a wake pipe. queue_push from any
 * thread; queue_pop, queue_drain_wake from the consumer thread.
 */
#include "engine/queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"

struct queue {
	pthread_mutex_t lock;
	struct event_batch *head;
	struct event_batch *tail;
	size_t len;
	int wake[2]; /* [0] read end (non-blocking), [1] write end (non-blocking) */
};

struct queue *
queue_new(void)
{
	struct queue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	if (pipe2(q->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		perror("launchwatch: pipe");
		abort();
	}
	return q;
}

void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	struct event_batch *b;
	while ((b = queue_pop(q)) != NULL)
		event_batch_free(b);
	close(q->wake[0]);
	close(q->wake[1]);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void
queue_push(struct queue *q, struct event_batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->len++;
	pthread_mutex_unlock(&q->lock);
	/* a full pipe already holds a wake-up, so EAGAIN is fine */
	char c = 1;
	ssize_t n = write(q->wake[1], &c, 1);
	(void)n;
}

struct event_batch *
queue_pop(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	struct event_batch *b = q->head;
	if (b) {
		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->len--;
		b->next = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	return b;
}

int
queue_wake_fd(const struct queue *q)
{
	return q->wake[0];
}

void
queue_drain_wake(struct queue *q)
{
	char buf[256];
	for (;;) {
		ssize_t n = read(q->wake[0], buf, sizeof buf);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break;
	}
}

size_t
queue_length(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
