/* A fixed-size thread pool.
 *
 * Work is described as n_tasks independent tasks; a task's result must not
 * depend on which thread runs it or how many threads exist, which is what
 * makes every helix result bit-identical across thread counts. Callers split
 * work into tasks by a size fixed by the problem, never by the thread count. */
#ifndef HELIX_THREADS_H
#define HELIX_THREADS_H

#include <stddef.h>
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_threadpool hx_threadpool;

/* task_index in [0, n_tasks); thread_index in [0, pool size), usable to pick
 * per-thread scratch memory. */
typedef void (*hx_task_fn)(void *ctx, size_t task_index, int thread_index);

/* n_threads <= 0 means the default (hx_default_threads). */
hx_status hx_threadpool_create(int n_threads, hx_threadpool **out, hx_error *err);
void hx_threadpool_destroy(hx_threadpool *pool);
int hx_threadpool_size(const hx_threadpool *pool); /* 1 for NULL */

/* Runs fn for every task and returns when all are done. pool may be NULL
 * (runs serially on the caller). The calling thread takes part as thread 0. */
void hx_parallel_for(hx_threadpool *pool, size_t n_tasks, hx_task_fn fn, void *ctx);

/* The default thread count: the one hx_threads_set_default set, else the
 * number of online cores. The library reads no environment variable; the
 * helix command line passes HELIX_THREADS here. */
int hx_default_threads(void);
/* Sets the default for the whole process; 0 restores the online cores.
 * HX_EINVAL outside 0..1024. */
hx_status hx_threads_set_default(int n_threads, hx_error *err);

HX_API_END
#endif
