/* `helix bench label-model`: time of LabelModel fit (snorkel defaults: 100
 * SGD epochs, lr 0.01) on an n x m label matrix, read from -L or generated
 * (synthetic sources of varying accuracy and abstain rate). Prints the median
 * and minimum over --repeat runs. bench/label_model_peer.py runs this and
 * snorkel's fit on the same matrices and prints the ratio. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_util.h"
#include "helix/label_model.h"
#include "helix/label_matrix_file.h"

static uint64_t splitmix(uint64_t *s) {
    *s += 0x9E3779B97F4A7C15ull;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double unif(uint64_t *s) { return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0); }

/* LF j abstains with probability 0.1 + 0.8 j/m and is right with 0.55 + 0.4 j/m. */
static void generate(int32_t *L, size_t n, int m, int k, uint64_t seed) {
    for (size_t r = 0; r < n; r++) {
        int y = (int)(unif(&seed) * k);
        for (int j = 0; j < m; j++) {
            double ab = 0.1 + 0.8 * j / m, acc = 0.55 + 0.4 * j / m;
            int32_t v;
            if (unif(&seed) < ab) v = -1;
            else if (unif(&seed) < acc) v = y;
            else {
                int o = (int)(unif(&seed) * (k - 1));
                v = o < y ? o : o + 1;
            }
            L[r * (size_t)m + j] = v;
        }
    }
}

/* CPU time of this process: on a shared, oversubscribed machine it is a
 * steadier measure of a single-threaded fit than the wall clock. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bench_label_model(int argc, char **argv) {
    long n = 100000, m = 20, k = 2, repeat = 7, seed = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i += 2) { /* every option takes one value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: helix bench label-model [-L L.csv] [--n N] [--m M] [-k K] [--repeat R] [--seed S]\n"
                   "Times the label-model fit with snorkel's defaults (100 SGD epochs) on L.csv or on a\n"
                   "generated n x m matrix (default 100000 x 20, K = 2); prints median and min of R runs.\n"
                   "bench/label_model_peer.py compares with snorkel 0.10.0 in the same run.\n");
            return 0;
        }
        int ok = v != NULL;
        if (!strcmp(a, "-L")) path = v;
        else if (!strcmp(a, "--n")) ok = ok && cli_parse_int(v, 1, 100000000, &n);
        else if (!strcmp(a, "--m")) ok = ok && cli_parse_int(v, 3, 10000, &m);
        else if (!strcmp(a, "-k") || !strcmp(a, "--cardinality")) ok = ok && cli_parse_int(v, 2, 64, &k);
        else if (!strcmp(a, "--repeat")) ok = ok && cli_parse_int(v, 1, 1000, &repeat);
        else if (!strcmp(a, "--seed")) ok = ok && cli_parse_int(v, 0, 1L << 40, &seed);
        else ok = 0;
        if (!ok) {
            fprintf(stderr, "helix bench label-model: bad or unknown option '%s'\n", a);
            return 2;
        }
    }
    hx_error err;
    hx_error_clear(&err);
    hx_label_csv c;
    memset(&c, 0, sizeof c);
    if (path) {
        if (hx_label_csv_read(path, (int)k, &c, &err) != HX_OK) {
            fprintf(stderr, "helix bench label-model: %s\n", err.msg);
            return 1;
        }
    } else {
        c.n = (size_t)n;
        c.m = (int)m;
        c.L = malloc(c.n * (size_t)c.m * sizeof *c.L);
        if (!c.L) {
            fprintf(stderr, "helix bench label-model: out of memory\n");
            return 1;
        }
        generate(c.L, c.n, c.m, (int)k, (uint64_t)seed);
    }
    hx_lm_config cfg;
    hx_lm_config_init(&cfg);
    double *t = malloc((size_t)repeat * sizeof *t), *tc = malloc((size_t)repeat * sizeof *tc);
    if (!t || !tc) {
        free(t);
        free(tc);
        hx_label_csv_free(&c);
        return 1;
    }
    int rc = 0;
    for (long r = 0; r < repeat; r++) {
        hx_label_model lm;
        double t0 = cli_now(), c0 = cpu_now();
        hx_status st = hx_lm_fit(c.L, c.n, c.m, (int)k, &cfg, &lm, &err);
        t[r] = cli_now() - t0;
        tc[r] = cpu_now() - c0;
        if (st != HX_OK) {
            fprintf(stderr, "helix bench label-model: %s\n", err.msg);
            rc = 1;
            break;
        }
        hx_lm_free(&lm);
    }
    if (!rc) {
        qsort(t, (size_t)repeat, sizeof *t, cmp_double);
        qsort(tc, (size_t)repeat, sizeof *tc, cmp_double);
        printf("label-model fit: n=%zu m=%d k=%ld epochs=%d: median %.3f ms, min %.3f ms wall; "
               "median %.3f ms cpu (%ld runs, 1 thread)\n",
               c.n, c.m, k, cfg.n_epochs, 1e3 * t[repeat / 2], 1e3 * t[0], 1e3 * tc[repeat / 2], repeat);
    }
    free(t);
    free(tc);
    hx_label_csv_free(&c);
    return rc;
}
