/* Runner for the minimal Criterion stand-in (see criterion/criterion.h). */
#include "criterion/criterion.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *suite, *name;
    hx_shim_fn fn;
} shim_test;

static shim_test *tests;
static size_t n_tests, cap_tests;
static jmp_buf current_jmp;
static int current_failed;

void hx_shim_register(const char *suite, const char *name, hx_shim_fn fn) {
    if (n_tests == cap_tests) {
        cap_tests = cap_tests ? 2 * cap_tests : 64;
        tests = realloc(tests, cap_tests * sizeof *tests);
        if (!tests) abort();
    }
    tests[n_tests++] = (shim_test){suite, name, fn};
}

void hx_shim_check(int ok, int fatal, const char *file, int line, const char *expr, const char *fmt, ...) {
    if (ok) return;
    fprintf(stderr, "%s:%d: Assertion failed: %s", file, line, expr);
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    current_failed = 1;
    if (fatal) longjmp(current_jmp, 1);
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    /* Static: a failed assertion longjmps back into this loop. */
    static size_t passed, failed, i;
    for (i = 0; i < n_tests; i++) {
        current_failed = 0;
        if (setjmp(current_jmp) == 0) tests[i].fn();
        if (current_failed) {
            failed++;
            fprintf(stderr, "[FAIL] %s::%s\n", tests[i].suite, tests[i].name);
        } else {
            passed++;
        }
    }
    printf("[====] Synthesis: Tested: %zu | Passing: %zu | Failing: %zu | Crashing: 0\n",
           n_tests, passed, failed);
    free(tests);
    return failed ? 1 : 0;
}
