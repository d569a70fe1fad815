/* Thread pool and CPU dispatch. */
#include <criterion/criterion.h>
#include <stdlib.h>

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
