/* SPDX-License-Identifier: GPL-2.0-or-later */
/* queue.h -- bounded queue of pointers between threads */
#ifndef DROPEXEC_QUEUE_H
#define DROPEXEC_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	void **slots;
	size_t cap, head, count;
	bool closed;
};

int queue_init(struct queue *q, size_t cap);
void queue_destroy(struct queue *q);

/* Add ITEM without ever waiting; -1 when the queue is full or closed. */
int queue_push(struct queue *q, void *item);

/*
 * Take the oldest item, waiting at most TIMEOUT_MS (negative: forever).
 * Returns NULL on timeout, or when the queue is closed and empty
 * (*CLOSED is then set).
 */
void *queue_pop(struct queue *q, int timeout_ms, bool *closed);

/* No more pushes; poppers drain what is left, then see closed. */
void queue_close(struct queue *q);
size_t queue_length(struct queue *q);

#endif
