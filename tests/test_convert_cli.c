/* The `helix convert` and `helix info` commands: exit statuses (0 success,
 * 1 failure, 2 usage) and that --verify catches a damaged file. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_convert(int argc, char **argv);
int cmd_info(int argc, char **argv);

#define FIX HX_TEST_FIXTURES "/convert/"
/* Runs a command on a NULL-terminated argument list. */
static int run_cmd(int (*fn)(int, char **), char **args) {
    int argc = 0;
    while (args[argc]) argc++;
    return fn(argc, args);
}
#define RUN(fn, ...) run_cmd(fn, (char *[]){__VA_ARGS__, NULL})

static void quiet(void) {
    cr_redirect_stdout();
    cr_redirect_stderr();
}

Test(cli_convert, usage_and_failures, .init = quiet) {
    cr_assert_eq(RUN(cmd_convert, "convert"), 2);
    cr_assert_eq(RUN(cmd_convert, "convert", "--help"), 0);
    cr_assert_eq(RUN(cmd_convert, "convert", "bert", "--help"), 0);
    cr_assert_eq(RUN(cmd_convert, "convert", "gpt", "x", "-o", "y"), 2);
    cr_assert_eq(RUN(cmd_convert, "convert", "bert", FIX "bert_tiny"), 2, "no -o");
    cr_assert_eq(RUN(cmd_convert, "convert", "bert", FIX "bert_tiny", "-o", "/tmp/x.hlx", "--bogus"), 2);
    cr_assert_eq(RUN(cmd_convert, "convert", "seresnet", FIX "seresnet_tiny", "-o", "/tmp/x.hlx",
                     "--mean", "1,2"), 2);
    cr_assert_eq(RUN(cmd_convert, "convert", "bert", "/nonexistent", "-o", "/tmp/x.hlx"), 1);
    cr_assert_eq(RUN(cmd_info, "info"), 2);
    cr_assert_eq(RUN(cmd_info, "info", "--help"), 0);
    cr_assert_eq(RUN(cmd_info, "info", "a.hlx", "--frobnicate"), 2);
    cr_assert_eq(RUN(cmd_info, "info", "/nonexistent.hlx"), 1);
}

Test(cli_convert, convert_info_verify, .init = quiet) {
    char out[128];
    snprintf(out, sizeof out, "/tmp/hx_test_cli_%d.hlx", (int)getpid());
    cr_assert_eq(RUN(cmd_convert, "convert", "seresnet", FIX "seresnet_tiny", "-o", out, "--labels",
                     "n,m,c", "--input-size", "96", "--std", "0.3,0.3,0.3"), 0);
    cr_assert_eq(RUN(cmd_info, "info", out), 0);
    cr_assert_eq(RUN(cmd_info, "info", out, "--verify", "--json"), 0);
    /* Damage one byte in the middle of the tensor data. */
    FILE *f = fopen(out, "r+b");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, n - 1000, SEEK_SET);
    int c = fgetc(f);
    fseek(f, n - 1000, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    cr_assert_eq(RUN(cmd_info, "info", out), 0, "open does not read the data");
    cr_assert_eq(RUN(cmd_info, "info", out, "--verify"), 1);
    unlink(out);
    cr_assert_eq(RUN(cmd_convert, "convert", "bert", FIX "bert_tiny_sharded", "-o", out, "--cased"), 0);
    cr_assert_eq(RUN(cmd_info, "info", out, "--verify"), 0);
    unlink(out);
}
