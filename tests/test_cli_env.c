/* The environment variables are the command line's, read once in apps/
 * (apps/cli_env.c): good values reach the library as options, bad ones are
 * refused with a message naming the variable and exit status 2. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

/* Runs `VAR=value helix info --cpu`, stderr folded into the output. */
static char *run_env(const char *assign, int *status) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env %s %s/helix info --cpu 2>&1", assign, HX_BINARY_DIR);
    return tu_run_capture(cmd, NULL, status);
}

Test(cli_env, bad_values_are_refused) {
    const struct { const char *assign, *names; } bad[] = {
        {"HELIX_THREADS=abc", "HELIX_THREADS=abc"}, {"HELIX_THREADS=0", "HELIX_THREADS=0"},
        {"HELIX_THREADS=4x", "HELIX_THREADS=4x"},   {"HELIX_THREADS=2000", "HELIX_THREADS=2000"},
        {"HELIX_GEMM=bogus", "HELIX_GEMM=bogus"},   {"HELIX_ISA=sse9", "HELIX_ISA=sse9"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st;
        char *out = run_env(bad[i].assign, &st);
        cr_expect_eq(st, 2, "%s: exit %d", bad[i].assign, st);
        cr_expect(strstr(out, bad[i].names) != NULL, "%s: message '%s'", bad[i].assign, out);
        free(out);
    }
}

Test(cli_env, good_values_are_applied) {
    int st;
    char *out = run_env("HELIX_THREADS=3", &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "threads:        3") != NULL, "%s", out);
    free(out);
    out = run_env("HELIX_ISA=scalar", &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "chosen ISA:     scalar") != NULL, "%s", out);
    free(out);
    out = run_env("HELIX_GEMM=helix", &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "GEMM backend:   helix") != NULL, "%s", out);
    free(out);
}
