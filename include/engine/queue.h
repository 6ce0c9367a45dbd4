/*
 * queue: hands event batches from worker threads to the UI thread (cmus's
 * design): a mutex-guarded FIFO plus one byte on a wake pipe per push, so the
 * UI can poll() the pipe beside stdin. Push from any thread; pop and drain
 * from the consumer thread only.
 */
#ifndef LW_QUEUE_H
#define LW_QUEUE_H

#include <stddef.h>

#include "model/event.h"

struct queue;

/* Creates an empty queue with its wake pipe (aborts on failure). */
struct queue *queue_new(void);
/* Frees the queue and any batches still in it; NULL is a no-op. */
void queue_free(struct queue *q);
/* Appends b (takes ownership) and wakes the consumer. */
void queue_push(struct queue *q, struct event_batch *b);
/* Removes and returns the oldest batch (caller owns it), or NULL. */
struct event_batch *queue_pop(struct queue *q);
/* Returns the read end of the wake pipe, for poll(). */
int queue_wake_fd(const struct queue *q);
/* Reads and discards pending wake bytes (call before popping). */
void queue_drain_wake(struct queue *q);
/* Returns how many batches wait. */
size_t queue_length(struct queue *q);

#endif
