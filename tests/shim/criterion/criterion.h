/* A minimal stand-in for Criterion's test macros, used only by the aarch64
 * cross build (run under qemu), where Debian's Criterion is not installed.
 * Supports Test(suite, name[, ...]), cr_assert*, cr_expect*, cr_log_info. The
 * runner prints Criterion's closing line format ("Synthesis: Tested: ..."). */
#ifndef HX_CRITERION_SHIM_H
#define HX_CRITERION_SHIM_H

#include <stdio.h>

typedef void (*hx_shim_fn)(void);
void hx_shim_register(const char *suite, const char *name, hx_shim_fn fn);
void hx_shim_check(int ok, int fatal, const char *file, int line, const char *expr, const char *fmt, ...);

#define Test(suite, name, ...)                                                         \
    static void suite##_##name(void);                                                  \
    __attribute__((constructor)) static void hx_shim_reg_##suite##_##name(void) {      \
        hx_shim_register(#suite, #name, suite##_##name);                               \
    }                                                                                  \
    static void suite##_##name(void)

#define cr_assert(cond, ...) hx_shim_check(!!(cond), 1, __FILE__, __LINE__, #cond, "" __VA_ARGS__)
#define cr_expect(cond, ...) hx_shim_check(!!(cond), 0, __FILE__, __LINE__, #cond, "" __VA_ARGS__)
#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(p, ...) cr_assert((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...) cr_assert((p) != NULL, __VA_ARGS__)
#define cr_assert_float_eq(a, b, eps, ...) \
    cr_assert(((a) - (b) <= (eps)) && ((b) - (a) <= (eps)), __VA_ARGS__)
#define cr_expect_eq(a, b, ...) cr_expect((a) == (b), __VA_ARGS__)
#define cr_expect_float_eq(a, b, eps, ...) \
    cr_expect(((a) - (b) <= (eps)) && ((b) - (a) <= (eps)), __VA_ARGS__)
#define cr_assert_fail(...) hx_shim_check(0, 1, __FILE__, __LINE__, "fail", "" __VA_ARGS__)
#define cr_log_info(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))

#endif
