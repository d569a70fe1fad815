/* `helix label-model` and `helix lf` exit statuses and outputs: usage errors
 * exit 2, failures 1; fit -> LM.json -> predict reproduces the library's
 * probabilities; a damaged LM.json is rejected. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/label_model.h"
#include "helix/label_matrix_file.h"

int cmd_label_model(int argc, char **argv);
int cmd_lf(int argc, char **argv);

static int run(int (*fn)(int, char **), const char *out_path, const char *in_path, ...) {
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, in_path);
    for (const char *a; argc < 31 && (a = va_arg(ap, const char *)) != NULL;) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    int saved_out = dup(1), saved_in = dup(0);
    FILE *o = freopen(out_path ? out_path : "/dev/null", "w", stdout);
    cr_assert_not_null(o);
    if (in_path) cr_assert_not_null(freopen(in_path, "r", stdin));
    int rc = fn(argc, argv);
    fflush(stdout);
    dup2(saved_out, 1);
    dup2(saved_in, 0);
    close(saved_out);
    close(saved_in);
    clearerr(stdin);
    return rc;
}

#define FIX(name) HX_TEST_FIXTURES "/label_model/" name

Test(label_model_cli, usage_and_failures) {
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "--help", NULL), 0);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", NULL), 2);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "frobnicate", NULL), 2);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "fit", "-L", FIX("youtube_L.csv"), NULL), 2);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "fit", "-L", FIX("youtube_L.csv"), "-k", "2",
                     "-o", "/tmp/x.json", "--lr", "abc", NULL), 2);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "fit", "-L", "/nonexistent/L.csv", "-k", "2",
                     "-o", "/tmp/x.json", NULL), 1);
    /* cardinality 1 is a usage error; labels above k-1 a failure */
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "fit", "-L", FIX("youtube_L.csv"), "-k", "1",
                     "-o", "/tmp/x.json", NULL), 2);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "evaluate", "-L", FIX("youtube_L.csv"),
                     "--gold", FIX("youtube_gold.csv"), "--groups", "a=0-99", NULL), 2);
    cr_expect_eq(run(cmd_lf, NULL, NULL, "lf", "--help", NULL), 0);
    cr_expect_eq(run(cmd_lf, NULL, NULL, "lf", "apply", NULL), 2);
    cr_expect_eq(run(cmd_lf, NULL, NULL, "lf", "apply", "--lfs", "/nonexistent.json", NULL), 1);
}

Test(label_model_cli, fit_predict_roundtrip) {
    char model[] = "/tmp/hx_lm_XXXXXX", probs[] = "/tmp/hx_pr_XXXXXX";
    close(mkstemp(model));
    close(mkstemp(probs));
    cr_assert_eq(run(cmd_label_model, NULL, NULL, "label-model", "fit", "-L", FIX("youtube_L.csv"), "-k", "2",
                     "--seed", "123", "-o", model, NULL), 0);
    cr_assert_eq(run(cmd_label_model, probs, NULL, "label-model", "predict", "-m", model, "-L",
                     FIX("youtube_L.csv"), NULL), 0);
    hx_label_csv c;
    hx_error err;
    cr_assert_eq(hx_label_csv_read(FIX("youtube_L.csv"), 2, &c, &err), HX_OK);
    hx_lm_config cfg;
    hx_lm_config_init(&cfg);
    cfg.seed = 123;
    hx_label_model lm;
    cr_assert_eq(hx_lm_fit(c.L, c.n, c.m, 2, &cfg, &lm, &err), HX_OK);
    double *pr = malloc(c.n * 2 * sizeof *pr);
    cr_assert_eq(hx_lm_predict_proba(&lm, c.L, c.n, c.m, pr, &err), HX_OK);
    FILE *f = fopen(probs, "r");
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "prob_0,prob_1,pred\n");
    size_t r = 0;
    double p0, p1;
    int pred;
    while (fscanf(f, "%lf,%lf,%d", &p0, &p1, &pred) == 3) {
        cr_assert_lt(r, c.n);
        cr_expect_float_eq(p0, pr[2 * r], 1e-7, "row %zu", r);
        cr_expect_float_eq(p1, pr[2 * r + 1], 1e-7, "row %zu", r);
        r++;
    }
    fclose(f);
    cr_expect_eq(r, c.n);

    /* damage the model: a mu entry out of range */
    f = fopen(model, "r+");
    char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    char *mu = strstr(buf, "\"mu\": [");
    cr_assert_not_null(mu);
    char *num = strchr(mu + 7, '[') + 1;
    num[0] = '-'; /* a negative probability (or invalid JSON) */
    rewind(f);
    fwrite(buf, 1, len, f);
    fclose(f);
    cr_expect_eq(run(cmd_label_model, NULL, NULL, "label-model", "predict", "-m", model, "-L",
                     FIX("youtube_L.csv"), NULL), 1);
    free(pr);
    hx_lm_free(&lm);
    hx_label_csv_free(&c);
    remove(model);
    remove(probs);
}

Test(label_model_cli, lf_apply_and_evaluate) {
    char out[] = "/tmp/hx_L_XXXXXX";
    close(mkstemp(out));
    cr_assert_eq(run(cmd_lf, out, FIX("youtube.jsonl"), "lf", "apply", "--lfs", FIX("youtube_lfs.json"), NULL), 0);
    hx_label_csv a, b;
    hx_error err;
    cr_assert_eq(hx_label_csv_read(out, 2, &a, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_label_csv_read(FIX("youtube_L.csv"), 2, &b, &err), HX_OK);
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(a.m, b.m);
    cr_expect_eq(memcmp(a.L, b.L, a.n * a.m * sizeof *a.L), 0);
    hx_label_csv_free(&a);
    hx_label_csv_free(&b);
    cr_expect_eq(run(cmd_label_model, out, NULL, "label-model", "evaluate", "-L", FIX("youtube_L.csv"), "--gold",
                     FIX("youtube_gold.csv"), "--groups", "kw=0-2+4-5,re=3+6+8,other=7+9-13", "--json", NULL), 0);
    cr_expect_eq(run(cmd_label_model, out, NULL, "label-model", "analyze", "-L", FIX("youtube_L.csv"), "--gold",
                     FIX("youtube_gold.csv"), NULL), 0);
    remove(out);
}
