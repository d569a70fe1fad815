/* `helix forest predict`: a tree ensemble (forest, tree or gradient
 * boosting) over CSV rows.
 *
 * Input: a header line (feature names, checked against the model's when it
 * has them), then one row of numbers per line; an empty or NaN cell is a
 * missing value. Output: a header, then one line per input row: the class
 * probabilities (--proba), the predicted label, or the regression value,
 * followed by an `error` column that is empty unless that row could not be
 * used (wrong column count, a non-numeric cell, a value out of float32
 * range, NaN for a model that does not accept it). Rows are read and
 * predicted in batches; the numbers do not depend on --threads or the batch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix.h"
#include "cli_util.h"

#define BATCH_ROWS 4096

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix forest predict -m FOREST.hlx [--proba] [--threads N] < X.csv > OUT.csv\n"
            "\n"
            "Evaluates a scikit-learn forest, tree or gradient-boosting model converted\n"
            "with `helix convert forest`, with scikit-learn's numerics (float32 inputs,\n"
            "exact float64 soft voting or boosting sums; labels as its predict()).\n"
            "\n"
            "  -m, --model FILE   forest .hlx file\n"
            "  --proba            write class probabilities (classifiers), one column per class\n"
            "  --threads N        worker threads (default: HELIX_THREADS or all cores)\n"
            "  -h, --help         this help\n"
            "\n"
            "Input CSV: a header naming the features (must match the model's feature names\n"
            "when it has them), then one row per line; an empty or NaN cell is missing.\n"
            "Output CSV: a header; per input row the probabilities, the label or the\n"
            "regression value, and an `error` column (empty unless the row was bad).\n"
            "Exit status: 0 when every row was predicted, 1 if any row had an error or the\n"
            "run failed, 2 for a usage error.\n");
}

typedef struct {
    hx_forest_file model; /* the evaluator, labels and feature names */
    hx_forest *forest;    /* = model.forest */
    hx_threadpool *pool;
    bool proba;
    /* one batch */
    float *x32;      /* good rows only, packed */
    double *out;     /* per good row */
    int32_t *labels; /* per good row (labels output) */
    long *line_no;   /* per batch row */
    char **error;    /* per batch row: NULL, or a message */
    int32_t *good;   /* per batch row: index into x32/out, or -1 */
    size_t n, n_good;
    long bad_rows, total_rows;
} run_state;

static int load_model(const char *path, run_state *s) {
    hx_error err;
    hx_error_clear(&err);
    if (hx_forest_file_open(path, &s->model, &err) != HX_OK) {
        fprintf(stderr, "helix forest: %s: %s\n", path, err.msg);
        return 1;
    }
    s->forest = s->model.forest;
    return 0;
}

static void write_header(run_state *s) {
    int K = hx_forest_n_values(s->forest);
    if (hx_forest_task_of(s->forest) == HX_FOREST_REGRESSOR) {
        fputs("prediction", stdout);
    } else if (s->proba) {
        for (int k = 0; k < K; k++) {
            if (k) fputc(',', stdout);
            hx_csv_write_field(stdout, s->model.classes[k]);
        }
    } else {
        fputs("label", stdout);
    }
    fputs(",error\n", stdout);
}

/* Parses one data line into the batch (a good row or an error). */
static void add_row(run_state *s, hx_forest_csv *csv, char *line, long len, long line_no) {
    size_t i = s->n++;
    s->line_no[i] = line_no;
    s->good[i] = -1;
    s->error[i] = NULL;
    hx_error err;
    hx_error_clear(&err);
    float *x = s->x32 + s->n_good * (size_t)hx_forest_n_features(s->forest);
    if (hx_forest_csv_row(csv, &s->model, line, (size_t)len, x, &err) != HX_OK) s->error[i] = strdup(err.msg);
    else s->good[i] = (int32_t)s->n_good++;
}

static int flush_batch(run_state *s) {
    int K = hx_forest_n_values(s->forest);
    hx_error err;
    hx_error_clear(&err);
    bool reg = hx_forest_task_of(s->forest) == HX_FOREST_REGRESSOR;
    /* Labels come from the model's own rule (gradient boosting may decide
     * on the raw score, not on the probabilities). */
    hx_status st = !reg && !s->proba
                       ? hx_forest_predict_labels(s->forest, s->x32, s->n_good, s->labels, s->pool, &err)
                       : hx_forest_predict(s->forest, s->x32, s->n_good, s->out, s->pool, &err);
    if (st != HX_OK) {
        fprintf(stderr, "helix forest: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < s->n; i++) {
        s->total_rows++;
        if (s->good[i] < 0) {
            s->bad_rows++;
            int cols = (!reg && s->proba) ? K : 1;
            for (int k = 1; k < cols; k++) fputc(',', stdout);
            char msg[HX_ERROR_MSG_MAX + 64];
            snprintf(msg, sizeof msg, "line %ld: %s", s->line_no[i] + cli_line_base,
                     s->error[i] ? s->error[i] : "out of memory");
            fputc(',', stdout);
            hx_csv_write_field(stdout, msg);
            fputc('\n', stdout);
            free(s->error[i]);
            continue;
        }
        const double *p = s->out + (size_t)s->good[i] * K;
        if (reg) {
            printf("%.17g", p[0]);
        } else if (s->proba) {
            for (int k = 0; k < K; k++) printf(k ? ",%.17g" : "%.17g", p[k]);
        } else {
            hx_csv_write_field(stdout, s->model.classes[s->labels[s->good[i]]]);
        }
        fputs(",\n", stdout);
    }
    s->n = s->n_good = 0;
    if (cli_progress_enabled()) cli_progress("rows", (size_t)s->total_rows, 0);
    return ferror(stdout) ? 1 : 0;
}

static int predict_main(int argc, char **argv) {
    const char *model = NULL;
    bool proba = false;
    long threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "--model")) && i + 1 < argc) {
            model = argv[++i];
        } else if (!strcmp(argv[i], "--proba")) {
            proba = true;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) {
                fprintf(stderr, "helix forest: --threads must be an integer in [1, 1024]\n");
                return 2;
            }
        } else {
            fprintf(stderr, "helix forest: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!model) {
        fprintf(stderr, "helix forest: -m FOREST.hlx is required\n");
        usage(stderr);
        return 2;
    }
    run_state s;
    memset(&s, 0, sizeof s);
    s.proba = proba;
    if (load_model(model, &s)) return 1;
    int rc = 1;
    char *line = NULL;
    size_t cap = 0;
    hx_forest_csv csv = {0};
    int nf = hx_forest_n_features(s.forest), K = hx_forest_n_values(s.forest);
    hx_error err;
    hx_error_clear(&err);
    if (proba && hx_forest_task_of(s.forest) == HX_FOREST_REGRESSOR) {
        fprintf(stderr, "helix forest: --proba needs a classifier; this model is a regressor\n");
        rc = 2;
        goto done;
    }
    if (hx_threadpool_create(threads > 0 ? (int)threads : 0, &s.pool, &err) != HX_OK) {
        fprintf(stderr, "helix forest: %s\n", err.msg);
        goto done;
    }
    s.x32 = malloc((size_t)BATCH_ROWS * nf * sizeof *s.x32);
    s.out = malloc((size_t)BATCH_ROWS * K * sizeof *s.out);
    s.labels = malloc(BATCH_ROWS * sizeof *s.labels);
    s.line_no = malloc(BATCH_ROWS * sizeof *s.line_no);
    s.error = malloc(BATCH_ROWS * sizeof *s.error);
    s.good = malloc(BATCH_ROWS * sizeof *s.good);
    if (!s.x32 || !s.out || !s.labels || !s.line_no || !s.error || !s.good) {
        fprintf(stderr, "helix forest: out of memory\n");
        goto done;
    }
    long len = cli_read_line(stdin, &line, &cap);
    if (len < 0) {
        fprintf(stderr, "helix forest: no header line on stdin\n");
        goto done;
    }
    if (hx_forest_csv_header(&csv, &s.model, line, (size_t)len, &err) != HX_OK) {
        fprintf(stderr, "helix forest: %s\n", err.msg);
        goto done;
    }
    write_header(&s);
    long line_no = 1;
    while ((len = cli_read_line(stdin, &line, &cap)) >= 0) {
        add_row(&s, &csv, line, len, ++line_no);
        if (s.n == BATCH_ROWS && flush_batch(&s)) goto done;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "helix forest: error reading stdin\n");
        goto done;
    }
    if (flush_batch(&s)) goto done;
    cli_progress_end();
    if (fflush(stdout) != 0) {
        fprintf(stderr, "helix forest: error writing stdout\n");
        goto done;
    }
    if (s.bad_rows) {
        fprintf(stderr, "helix forest: %ld of %ld rows had errors (see the error column)\n",
                s.bad_rows, s.total_rows);
        goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; i < s.n; i++) free(s.error[i]);
    free(line);
    hx_forest_csv_free(&csv);
    free(s.x32);
    free(s.out);
    free(s.labels);
    free(s.line_no);
    free(s.error);
    free(s.good);
    hx_threadpool_destroy(s.pool);
    hx_forest_file_close(&s.model);
    return rc;
}

int cmd_forest(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "predict") != 0) {
        fprintf(stderr, "helix forest: unknown action %s (only `predict`)\n", argv[1]);
        return 2;
    }
    return predict_main(argc - 1, argv + 1);
}
