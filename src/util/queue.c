/* SPDX-License-Identifier: GPL-2.0-or-later */
/* queue.c -- bounded queue of pointers between threads */
#include "util/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

int queue_init(struct queue *q, size_t cap)
{
	pthread_condattr_t attr;

	q->slots = calloc(cap, sizeof(*q->slots));
	if (!q->slots)
		return -1;
	q->cap = cap;
	q->head = 0;
	q->count = 0;
	q->closed = false;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

void queue_destroy(struct queue *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
	free(q->slots);
	q->slots = NULL;
}

int queue_push(struct queue *q, void *item)
{
	int rc = -1;

	pthread_mutex_lock(&q->lock);
	if (!q->closed && q->count < q->cap) {
		q->slots[(q->head + q->count) % q->cap] = item;
		q->count++;
		rc = 0;
		pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void *queue_pop(struct queue *q, int timeout_ms, bool *closed)
{
	struct timespec deadline;
	void *item = NULL;

	if (closed)
		*closed = false;
	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed) {
		int rc;

		if (timeout_ms < 0) {
			pthread_cond_wait(&q->nonempty, &q->lock);
			continue;
		}
		rc = pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
		if (rc == ETIMEDOUT)
			break;
	}
	if (q->count) {
		item = q->slots[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
	} else if (q->closed && closed) {
		*closed = true;
	}
	pthread_mutex_unlock(&q->lock);
	return item;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_length(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
