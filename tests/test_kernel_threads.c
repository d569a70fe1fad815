/* Thread pool and CPU dispatch. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/cpu.h"
#include "helix/threads.h"

static void mark(void *ctx, size_t t, int thread) {
    int *hits = ctx;
    __atomic_fetch_add(&hits[t], 1, __ATOMIC_RELAXED);
    (void)thread;
}

Test(threads, every_task_runs_exactly_once) {
    for (int n = 1; n <= 4; n++) {
        hx_threadpool *pool;
        cr_assert_eq(hx_threadpool_create(n, &pool, NULL), HX_OK);
        cr_assert_eq(hx_threadpool_size(pool), n);
        for (size_t tasks = 0; tasks < 300; tasks += 37) {
            int *hits = calloc(tasks + 1, sizeof *hits);
            hx_parallel_for(pool, tasks, mark, hits);
            for (size_t t = 0; t < tasks; t++) cr_assert_eq(hits[t], 1, "task %zu ran %d times", t, hits[t]);
            free(hits);
        }
        hx_threadpool_destroy(pool);
    }
}

Test(cpu, scalar_always_supported_and_set_refuses_missing) {
    cr_assert(hx_isa_supported(HX_ISA_SCALAR));
    cr_assert_eq(hx_isa_set(HX_ISA_SCALAR, NULL), HX_OK);
    cr_assert_eq(hx_isa_active(), HX_ISA_SCALAR);
#if defined(__x86_64__)
    cr_assert(!hx_isa_supported(HX_ISA_NEON));
    hx_error e;
    cr_assert_eq(hx_isa_set(HX_ISA_NEON, &e), HX_EISA);
#endif
    hx_isa parsed;
    cr_assert(hx_isa_parse("avx512", &parsed));
    cr_assert_eq(parsed, HX_ISA_AVX512);
    cr_assert(!hx_isa_parse("sse9", &parsed));
}

/* Many short batches back to back and with pauses between them, so workers
 * take both the spinning and the sleeping way to the next batch; every task
 * of every batch runs once, and destroying right after a batch is safe. */
typedef struct {
    int *hits;
    size_t batch;
} batch_ctx;

static void mark_batch(void *ctx, size_t t, int thread) {
    batch_ctx *b = ctx;
    __atomic_fetch_add(&b->hits[t], (int)b->batch, __ATOMIC_RELAXED);
    (void)thread;
}

Test(threads, rapid_and_paused_batches) {
    for (int n = 2; n <= 4; n++) {
        hx_threadpool *pool;
        cr_assert_eq(hx_threadpool_create(n, &pool, NULL), HX_OK);
        int hits[64];
        for (size_t batch = 1; batch <= 400; batch++) {
            size_t tasks = 1 + batch % 64;
            memset(hits, 0, sizeof hits);
            batch_ctx b = {hits, batch};
            hx_parallel_for(pool, tasks, mark_batch, &b);
            for (size_t t = 0; t < tasks; t++)
                cr_assert_eq(hits[t], (int)batch, "batch %zu task %zu", batch, t);
            if (batch % 100 == 0) usleep(20000); /* let the workers fall asleep */
        }
        hx_threadpool_destroy(pool);
    }
}

/* The default is an option (the CLI passes HELIX_THREADS), not the
 * environment: the library ignores the variable. */
Test(threads, default_threads_is_an_option) {
    setenv("HELIX_THREADS", "3", 1);
    int cores = hx_default_threads();
    cr_assert_geq(cores, 1);
    cr_assert_eq(hx_threads_set_default(3, NULL), HX_OK);
    cr_assert_eq(hx_default_threads(), 3);
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(0, &pool, NULL), HX_OK);
    cr_assert_eq(hx_threadpool_size(pool), 3);
    hx_threadpool_destroy(pool);
    hx_error e;
    cr_assert_eq(hx_threads_set_default(-1, &e), HX_EINVAL);
    cr_assert_eq(hx_threads_set_default(1025, &e), HX_EINVAL);
    cr_assert_eq(hx_default_threads(), 3);
    cr_assert_eq(hx_threads_set_default(0, NULL), HX_OK);
    cr_assert_eq(hx_default_threads(), cores);
    unsetenv("HELIX_THREADS");
}
