/* `helix convert forest` and `helix forest predict` end to end: each command
 * runs in a child process with stdin/stdout redirected to files; outputs
 * are checked against scikit-learn's (tests/oracle/make_forest_fixtures.py). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

#define FIX HX_TEST_FIXTURES "/forest/"

int cmd_forest(int argc, char **argv);
int cmd_convert_forest(int argc, char **argv);

static char tmpdir[256];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "%s/forest_cli_%d", HX_BINARY_DIR, (int)getpid());
    mkdir(tmpdir, 0700);
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

/* Runs fn(argv) with stdin from in_path (or /dev/null) and stdout/stderr
 * into files under tmpdir; returns the exit status. */
static int run(int (*fn)(int, char **), const char *in_path, int argc, char **argv) {
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/out.csv", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/err.txt", tmpdir);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0) _exit(99);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        int rc = fn(argc, argv);
        fflush(NULL);
        _exit(rc);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "command crashed");
    return WEXITSTATUS(status);
}

static char *output(void) {
    char p[512];
    snprintf(p, sizeof p, "%s/out.csv", tmpdir);
    return tu_read_file(p, NULL);
}

static void convert(const char *name, char *hlx, size_t cap) {
    char dump[512];
    snprintf(dump, sizeof dump, FIX "%s.dump.json", name);
    snprintf(hlx, cap, "%s/%s.hlx", tmpdir, name);
    char *argv[] = {"forest", dump, "-o", hlx, NULL};
    cr_assert_eq(run(cmd_convert_forest, NULL, 4, argv), 0, "convert %s", name);
}

/* Each output line's numbers, bit for bit against the .proba file. */
static void check_proba_output(const char *name, const char *out, int K) {
    char path[512];
    snprintf(path, sizeof path, FIX "%s.proba", name);
    char *want = tu_read_file(path, NULL);
    const char *o = strchr(out, '\n') + 1; /* skip the header */
    char *w = want;
    int row = 0;
    while (*w) {
        for (int k = 0; k < K; k++) {
            char *e1, *e2;
            double got = strtod(o, &e1), exp = strtod(w, &e2);
            cr_assert(e1 != o && e2 != w, "%s row %d: unparsable", name, row);
            cr_assert(memcmp(&got, &exp, sizeof got) == 0, "%s row %d col %d: %.17g vs %.17g", name,
                      row, k, got, exp);
            o = e1 + 1; /* the comma */
            w = e2;
        }
        cr_assert_eq(*(o - 1), ',');
        cr_assert_eq(*o, '\n', "%s row %d: error column not empty", name, row);
        o++;
        while (*w == ' ' || *w == '\n') w++;
        row++;
    }
    cr_assert_eq(*o, '\0');
    free(want);
}

TestSuite(forest_cli, .init = setup, .fini = teardown);

Test(forest_cli, proba_and_labels_match_sklearn) {
    char hlx[512], x[512];
    const char *names[] = {"hpo_rf_new", "many_classes_old", "reg_et_new", "gb_hpo_bin_new",
                           "gb_exp_old", "gb_reg_old"};
    const int K[] = {2, 11, 1, 2, 2, 1};
    for (int i = 0; i < 6; i++) {
        convert(names[i], hlx, sizeof hlx);
        snprintf(x, sizeof x, FIX "%s.x.csv", names[i]);
        char *argv[] = {"forest", "predict", "-m", hlx, K[i] > 1 ? "--proba" : "--threads", "2", NULL};
        int argc = K[i] > 1 ? 5 : 6;
        cr_assert_eq(run(cmd_forest, x, argc, argv), 0, "%s", names[i]);
        char *out = output();
        check_proba_output(names[i], out, K[i]);
        free(out);
    }
    /* Labels: the class of predict(). */
    convert("syn_et3_new", hlx, sizeof hlx);
    char *argv[] = {"forest", "predict", "-m", hlx, NULL};
    cr_assert_eq(run(cmd_forest, FIX "syn_et3_new.x.csv", 4, argv), 0);
    char *out = output(), *pred = tu_read_file(FIX "syn_et3_new.pred", NULL);
    const char *labels[] = {"a", "b", "c"};
    char *o = strchr(out, '\n') + 1, *p = pred;
    cr_assert(strncmp(out, "label,error\n", 12) == 0);
    int rows = 0;
    while (*p) {
        long k = strtol(p, &p, 10);
        while (*p == '\n') p++;
        cr_assert(strncmp(o, labels[k], 1) == 0 && o[1] == ',' && o[2] == '\n', "row %d", rows);
        o += 3;
        rows++;
    }
    cr_assert_gt(rows, 100);
    free(out);
    free(pred);
}

/* Gradient boosting labels: that sklearn version's predict() rule (classes
 * are "0".."K-1", so the label is the index in the .pred file). */
Test(forest_cli, gb_labels_match_sklearn) {
    const char *names[] = {"gb_exp_old", "gb_exp_new", "gb_multi_old", "gb_multi_new"};
    for (int i = 0; i < 4; i++) {
        char hlx[512], x[512], pp[512];
        convert(names[i], hlx, sizeof hlx);
        snprintf(x, sizeof x, FIX "%s.x.csv", names[i]);
        snprintf(pp, sizeof pp, FIX "%s.pred", names[i]);
        char *argv[] = {"forest", "predict", "-m", hlx, NULL};
        cr_assert_eq(run(cmd_forest, x, 4, argv), 0, "%s", names[i]);
        char *out = output(), *pred = tu_read_file(pp, NULL);
        cr_assert(strncmp(out, "label,error\n", 12) == 0);
        char *o = out + 12, *p = pred;
        int rows = 0;
        while (*p) {
            long want = strtol(p, &p, 10);
            while (*p == '\n') p++;
            char *end;
            long got = strtol(o, &end, 10);
            cr_assert(end != o && got == want && end[0] == ',' && end[1] == '\n', "%s row %d", names[i],
                      rows);
            o = end + 2;
            rows++;
        }
        cr_assert_eq(*o, '\0');
        cr_assert_gt(rows, 100);
        free(out);
        free(pred);
    }
}

/* Bad rows get an error in their own line; the other rows are unaffected
 * and the exit status says something failed. */
Test(forest_cli, bad_rows_become_error_rows) {
    char hlx[512], in[512];
    convert("ties_old", hlx, sizeof hlx);
    snprintf(in, sizeof in, "%s/in.csv", tmpdir);
    FILE *f = fopen(in, "w");
    fputs("f0,f1,f2,f3\n"
          "0.5,-1,2,0\n"
          "0.5,-1,2\n"          /* too few columns */
          "0.5,abc,2,0\n"       /* not a number */
          "1e39,0,0,0\n"        /* float32 overflow */
          ",0,0,0\n"            /* NaN: this 1.2.1 model refuses it */
          "\"0.5\",-1,2,0\n"    /* quoted number is fine */
          " 0.25 ,1e-46,0,0\n", /* spaces, underflow to 0 */
          f);
    fclose(f);
    char *argv[] = {"forest", "predict", "-m", hlx, "--proba", NULL};
    cr_assert_eq(run(cmd_forest, in, 5, argv), 1);
    char *out = output();
    char *lines[16];
    int n = 0;
    for (char *s = strtok(out, "\n"); s && n < 16; s = strtok(NULL, "\n")) lines[n++] = s;
    cr_assert_eq(n, 8);
    cr_assert_str_eq(lines[0], "0,1,error");
    cr_assert(strstr(lines[2], "line 3:") && strstr(lines[2], "columns"), "%s", lines[2]);
    cr_assert(strstr(lines[3], "line 4:") && strstr(lines[3], "column 2"), "%s", lines[3]);
    cr_assert(strstr(lines[4], "line 5:") && strstr(lines[4], "float32"), "%s", lines[4]);
    cr_assert(strstr(lines[5], "line 6:") && strstr(lines[5], "NaN"), "%s", lines[5]);
    cr_assert_str_eq(lines[6], lines[1]);
    cr_assert(lines[1][strlen(lines[1]) - 1] == ',' && lines[7][strlen(lines[7]) - 1] == ',');
    free(out);
}

Test(forest_cli, usage_and_header_errors) {
    char hlx[512];
    convert("hpo_rf_old", hlx, sizeof hlx);
    char *help[] = {"forest", "--help", NULL};
    cr_assert_eq(run(cmd_forest, NULL, 2, help), 0);
    char *nomodel[] = {"forest", "predict", NULL};
    cr_assert_eq(run(cmd_forest, NULL, 2, nomodel), 2);
    char *badthreads[] = {"forest", "predict", "-m", hlx, "--threads", "zero", NULL};
    cr_assert_eq(run(cmd_forest, NULL, 6, badthreads), 2);
    char *missing[] = {"forest", "predict", "-m", "/nonexistent.hlx", NULL};
    cr_assert_eq(run(cmd_forest, NULL, 4, missing), 1);
    /* The header must name the model's features (HPO ids, in order). */
    char in[512];
    snprintf(in, sizeof in, "%s/in.csv", tmpdir);
    FILE *f = fopen(in, "w");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    char *ok[] = {"forest", "predict", "-m", hlx, NULL};
    cr_assert_eq(run(cmd_forest, in, 4, ok), 1);
    /* The right header, behind a UTF-8 byte order mark, is accepted; a NUL
     * byte makes an error row. */
    char *x = tu_read_file(FIX "hpo_rf_old.x.csv", NULL);
    char *second = strchr(strchr(x, '\n') + 1, '\n') + 1;
    f = fopen(in, "wb");
    fputs("\xEF\xBB\xBF", f);
    fwrite(x, 1, (size_t)(second - x), f);
    fwrite(x + (strchr(x, '\n') + 1 - x), 1, 2, f);
    fputc('\0', f);
    fwrite(x + (strchr(x, '\n') + 3 - x), 1, (size_t)(second - strchr(x, '\n') - 3), f);
    fclose(f);
    free(x);
    cr_assert_eq(run(cmd_forest, in, 4, ok), 1);
    char *out = output();
    cr_assert_eq(strstr(out, "line 2:"), NULL, "%s", out);
    cr_assert_neq(strstr(out, "line 3: NUL byte"), NULL, "%s", out);
    free(out);
    char *reg_proba[] = {"forest", "predict", "-m", NULL, "--proba", NULL};
    char reg[512];
    convert("reg_rf_old", reg, sizeof reg);
    reg_proba[3] = reg;
    cr_assert_eq(run(cmd_forest, FIX "reg_rf_old.x.csv", 5, reg_proba), 2);
    char *conv_help[] = {"forest", "--help", NULL};
    cr_assert_eq(run(cmd_convert_forest, NULL, 2, conv_help), 0);
    char *conv_bad[] = {"forest", FIX "ties_old.x.csv", "-o", reg, NULL};
    cr_assert_eq(run(cmd_convert_forest, NULL, 4, conv_bad), 1);
    char *conv_usage[] = {"forest", FIX "ties_old.dump.json", NULL};
    cr_assert_eq(run(cmd_convert_forest, NULL, 2, conv_usage), 2);
}
