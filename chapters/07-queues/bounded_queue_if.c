/*
 * bounded_queue_if.c - bounded_queue.c with the classic bug: `if` instead
 * of `while` around the wait in queue_get. A consumer that wakes up takes
 * an item without looking again; when another consumer woke first and
 * took it (a "stolen wakeup"), the queue is empty.
 *
 *   build/chapter07/bounded_queue_if                   # 3 producers, 3 consumers
 *   build/chapter07/bounded_queue_if --consumers 1     # nobody to steal from
 *
 * It prints what bounded_queue prints, and how many times a consumer woke
 * to an empty queue. What to expect, with several consumers: "every item
 * exactly once: NO", one item too many for each of those wake-ups. A real
 * `if` would read a stale slot and break the count; this one records what
 * it would have taken (a duplicate, or an item nobody sent) and leaves the
 * queue intact, so that the damage can be counted. With one consumer no
 * one else can take its item, and every item arrives once.
 *
 * Compare with bounded_queue.c, the queue as it should be. The two
 * programs differ in queue_get alone, so this file holds queue_get alone:
 * the queue's put and close, the producers, the consumers, the shutdown,
 * the checks and the options are bounded_queue.c's, included below (with
 * QUEUE_GET_WITH_IF defined, it leaves out its own queue_get), rather than
 * a copy that would drift apart from them.
 */
#define QUEUE_GET_WITH_IF
#include "bounded_queue.c"

// snippet-begin: queue-get-if
/* Meant to block while the queue is empty; false once it is closed and empty. */
static bool queue_get(queue *q, void *item)
{
    lock(&q->lock);
    if (q->count == 0 && !q->closed) {      /* WRONG: looks only once */
        q->waits++;
        wait_on(&q->not_empty, &q->lock);
    }
    if (q->count == 0 && q->closed) {
        unlock(&q->lock);
        return false;
    }
    if (q->count == 0) {                    /* another consumer took it first */
        q->stolen++;
        memcpy(item, q->slots + q->head * q->item_bytes, q->item_bytes); /* a stale slot */
        unlock(&q->lock);
        return true;
    }
    memcpy(item, q->slots + q->head * q->item_bytes, q->item_bytes);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    signal_one(&q->not_full);
    unlock(&q->lock);
    return true;
}
// snippet-end: queue-get-if
