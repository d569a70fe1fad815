/* A fixed pool of worker threads that run hx_parallel_for batches.
 *
 * Tasks are claimed with an atomic counter, so which thread runs a task
 * varies; callers make each task's result independent of that, which keeps
 * outputs bit-identical across thread counts. */
#include "helix/threads.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct hx_threadpool {
    int n_threads;
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t work_cv, done_cv;
    /* The current batch, published by the release store of generation. */
    hx_task_fn fn;
    void *ctx;
    size_t n_tasks;
    size_t next_task;         /* atomic */
    int workers_busy;         /* atomic: workers still inside the current batch */
    unsigned long generation; /* atomic */
    int sleepers;             /* workers blocked on work_cv (under lock) */
    int stopping;             /* atomic */
};

typedef struct {
    hx_threadpool *pool;
    int index;
} worker_arg;

/* Waiting threads spin for up to SPIN_NS before sleeping: back-to-back
 * batches (the layers of a model, the calls of a benchmark) then start
 * without a futex wake-up, which on a virtual machine can take longer than
 * a whole small GEMM; an idle pool still goes quiet. The limit is in time,
 * not in pauses, because PAUSE costs anywhere from a few to ~140 cycles
 * depending on the CPU. */
#define SPIN_NS 200000L

static inline void cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static long elapsed_ns(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

static void run_tasks(hx_threadpool *p, int thread_index) {
    for (;;) {
        size_t t = __atomic_fetch_add(&p->next_task, 1, __ATOMIC_RELAXED);
        if (t >= p->n_tasks) break;
        p->fn(p->ctx, t, thread_index);
    }
}

static void *worker_main(void *arg) {
    worker_arg *wa = arg;
    hx_threadpool *p = wa->pool;
    int index = wa->index;
    free(wa);
    unsigned long seen = 0;
    for (;;) {
        unsigned long gen = seen;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (unsigned spin = 1;; spin++) {
            gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE);
            if (gen != seen || __atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE)) break;
            if (spin % 64 == 0 && elapsed_ns(&t0) > SPIN_NS) break;
            cpu_relax();
        }
        if (gen == seen) {
            pthread_mutex_lock(&p->lock);
            p->sleepers++;
            while (!__atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE) &&
                   (gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE)) == seen)
                pthread_cond_wait(&p->work_cv, &p->lock);
            p->sleepers--;
            pthread_mutex_unlock(&p->lock);
        }
        if (__atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE)) break;
        seen = gen;
        run_tasks(p, index);
        if (__atomic_sub_fetch(&p->workers_busy, 1, __ATOMIC_ACQ_REL) == 0) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return NULL;
}

/* Set by hx_threads_set_default; 0 = the online cores. */
static int default_threads;

hx_status hx_threads_set_default(int n_threads, hx_error *err) {
    if (n_threads < 0 || n_threads > 1024)
        return hx_fail(err, HX_EINVAL, "thread count %d is outside 1..1024 (0 = the online cores)",
                       n_threads);
    __atomic_store_n(&default_threads, n_threads, __ATOMIC_RELAXED);
    return HX_OK;
}

int hx_default_threads(void) {
    int set = __atomic_load_n(&default_threads, __ATOMIC_RELAXED);
    if (set > 0) return set;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)(n > 1024 ? 1024 : n) : 1;
}

hx_status hx_threadpool_create(int n_threads, hx_threadpool **out, hx_error *err) {
    *out = NULL;
    if (n_threads <= 0) n_threads = hx_default_threads();
    if (n_threads > 1024) return hx_fail(err, HX_EINVAL, "too many threads: %d (at most 1024)", n_threads);
    hx_threadpool *p = calloc(1, sizeof *p);
    if (!p) return hx_fail(err, HX_ENOMEM, "out of memory creating a thread pool");
    p->n_threads = n_threads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    if (n_threads > 1) {
        p->workers = calloc((size_t)n_threads - 1, sizeof *p->workers);
        if (!p->workers) {
            hx_threadpool_destroy(p);
            return hx_fail(err, HX_ENOMEM, "out of memory creating a thread pool");
        }
        for (int i = 1; i < n_threads; i++) {
            worker_arg *wa = malloc(sizeof *wa);
            if (!wa || pthread_create(&p->workers[i - 1], NULL, worker_main, wa ? (wa->pool = p, wa->index = i, wa) : NULL) != 0) {
                free(wa);
                p->n_threads = i; /* only i-1 workers exist */
                hx_threadpool_destroy(p);
                return hx_fail(err, HX_EIO, "could not start thread %d of %d", i + 1, n_threads);
            }
        }
    }
    *out = p;
    return HX_OK;
}

void hx_threadpool_destroy(hx_threadpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    __atomic_store_n(&p->stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
    for (int i = 1; i < p->n_threads; i++) pthread_join(p->workers[i - 1], NULL);
    free(p->workers);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p);
}

int hx_threadpool_size(const hx_threadpool *p) { return p ? p->n_threads : 1; }

void hx_parallel_for(hx_threadpool *p, size_t n_tasks, hx_task_fn fn, void *ctx) {
    if (n_tasks == 0) return;
    if (!p || p->n_threads == 1 || n_tasks == 1) {
        for (size_t t = 0; t < n_tasks; t++) fn(ctx, t, 0);
        return;
    }
    /* Every worker is idle here (the previous batch ended with busy == 0). */
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    __atomic_store_n(&p->next_task, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&p->workers_busy, p->n_threads - 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&p->generation, 1, __ATOMIC_RELEASE);
    /* A worker about to sleep re-checks generation under the lock, so a
     * broadcast is needed only for those already asleep. */
    pthread_mutex_lock(&p->lock);
    if (p->sleepers > 0) pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);

    run_tasks(p, 0);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned spin = 1;; spin++) {
        if (__atomic_load_n(&p->workers_busy, __ATOMIC_ACQUIRE) == 0) return;
        if (spin % 64 == 0 && elapsed_ns(&t0) > SPIN_NS) break;
        cpu_relax();
    }
    pthread_mutex_lock(&p->lock);
    while (__atomic_load_n(&p->workers_busy, __ATOMIC_ACQUIRE) > 0)
        pthread_cond_wait(&p->done_cv, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
