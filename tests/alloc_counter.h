/* Counting allocations, for the "no allocation per inference" tests: the
 * allocator is replaced by forwarders to glibc's own that count while
 * counting is on. Not under AddressSanitizer, which owns malloc: there
 * HX_MALLOC_COUNT stays undefined and the tests skip. Include once, from the
 * test's only source file. */
#ifndef HX_TEST_ALLOC_COUNTER_H
#define HX_TEST_ALLOC_COUNTER_H

#include <stdatomic.h>
#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define HX_NO_MALLOC_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HX_NO_MALLOC_COUNT 1
#endif
#endif

static atomic_int counting;
static atomic_long allocations;

#if !defined(HX_NO_MALLOC_COUNT) && defined(__GLIBC__)
#define HX_MALLOC_COUNT 1
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);

static void count(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) atomic_fetch_add(&allocations, 1);
}
void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *aligned_alloc(size_t align, size_t n) { count(); return __libc_memalign(align, n); }
void *memalign(size_t align, size_t n) { count(); return __libc_memalign(align, n); }
int posix_memalign(void **out, size_t align, size_t n) {
    count();
    void *p = __libc_memalign(align, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
#endif

static inline long counted(void) { return atomic_load(&allocations); }
static inline void count_from_zero(void) { atomic_store(&allocations, 0); atomic_store(&counting, 1); }
static inline void stop_counting(void) { atomic_store(&counting, 0); }

#endif
