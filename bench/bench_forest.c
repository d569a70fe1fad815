/* `helix bench forest`: rows/s of the forest evaluator at several batch
 * sizes. The peers (scikit-learn predict_proba, treelite/tl2cgen) run from
 * bench/forest_peers.py on the same model and rows, which calls this. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helix.h"
#include "helix/file_util.h"
#include "helix/forest_file.h"
#include "cli_util.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench forest (-m FOREST.hlx | --dump DUMP.json) [--x ROWS.f32]\n"
            "                          [--batch 1,100,100000] [--threads N] [--seconds S]\n"
            "\n"
            "  --x FILE      rows as raw little-endian float32, n_features per row (default:\n"
            "                4096 random 0/1 rows); batches cycle through them\n"
            "  --batch LIST  batch sizes (default 1,100,100000)\n"
            "  --threads N   threads (default 1)\n"
            "  --seconds S   minimum time per batch size (default 1)\n"
            "Prints one line per batch: rows/s, and microseconds per batch (CPU time of\n"
            "the calling thread with --threads 1, else wall time).\n");
}

/* The evaluator from an .hlx (the model's own file) or straight from a
 * dump (to time a model before converting it). */
static int load(const char *hlx, const char *dump, hx_forest_file *f) {
    hx_error err;
    hx_error_clear(&err);
    memset(f, 0, sizeof *f);
    hx_status st;
    if (hlx) {
        st = hx_forest_file_open(hlx, f, &err);
    } else {
        hx_forest_arrays a;
        st = hx_forest_dump_load(dump, &a, &err);
        if (st == HX_OK) {
            st = hx_forest_build(&a, &f->forest, &err);
            hx_forest_arrays_free(&a);
        }
    }
    if (st != HX_OK) fprintf(stderr, "helix bench forest: %s\n", err.msg);
    return st == HX_OK ? 0 : 1;
}

/* Rows as raw float32, n_features per row; NULL (message in err) if the
 * file is not a whole number of rows. */
static float *load_rows(const char *path, int nf, size_t *n_rows, hx_error *err) {
    char *buf = NULL;
    size_t bytes = 0;
    if (hx_read_file(path, (size_t)1 << 34, &buf, &bytes, err) != HX_OK) return NULL;
    const size_t row = (size_t)nf * sizeof(float);
    if (bytes == 0 || bytes % row) {
        hx_fail(err, HX_EFORMAT, "%s is not a float32 file of %d-feature rows", path, nf);
        free(buf);
        return NULL;
    }
    /* malloc's alignment serves float; the bytes are the file's, in order. */
    *n_rows = bytes / row;
    return (float *)(void *)buf;
}

/* Single-threaded runs are timed in CPU time of this thread: the machine
 * may be shared, and wall time would count other processes' turns. */
static double now(bool cpu) {
    if (!cpu) return cli_now();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bench_forest(int argc, char **argv) {
    const char *hlx = NULL, *dump = NULL, *xpath = NULL, *batches = "1,100,100000";
    long threads = 1;
    double seconds = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            hlx = argv[++i];
        } else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
            dump = argv[++i];
        } else if (!strcmp(argv[i], "--x") && i + 1 < argc) {
            xpath = argv[++i];
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            batches = argv[++i];
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) {
                fprintf(stderr, "helix bench forest: bad --threads\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            if (!cli_parse_float(argv[++i], &seconds) || seconds <= 0 || seconds > 3600) {
                fprintf(stderr, "helix bench forest: bad --seconds\n");
                return 2;
            }
        } else {
            fprintf(stderr, "helix bench forest: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!hlx == !dump) {
        fprintf(stderr, "helix bench forest: give one of -m FOREST.hlx or --dump DUMP.json\n");
        return 2;
    }
    hx_forest_file file;
    if (load(hlx, dump, &file)) return 1;
    hx_forest *f = file.forest;
    int nf = hx_forest_n_features(f), K = hx_forest_n_values(f);
    size_t pool_rows = 4096;
    float *pool_x;
    hx_error err;
    hx_error_clear(&err);
    if (xpath) {
        pool_x = load_rows(xpath, nf, &pool_rows, &err);
        if (!pool_x) {
            fprintf(stderr, "helix bench forest: %s\n", err.msg);
            hx_forest_file_close(&file);
            return 1;
        }
    } else {
        pool_x = malloc(pool_rows * nf * sizeof *pool_x);
        uint32_t s = 12345;
        for (size_t i = 0; pool_x && i < pool_rows * nf; i++) {
            s = s * 1664525u + 1013904223u;
            pool_x[i] = (float)(s >> 31);
        }
    }
    hx_threadpool *tp = NULL;
    if (threads > 1 && hx_threadpool_create((int)threads, &tp, &err) != HX_OK) {
        fprintf(stderr, "helix bench forest: %s\n", err.msg);
        return 1;
    }
    printf("forest: %d trees, %d features, %d outputs, max depth %d, %zu distinct rows, %ld thread(s)\n",
           hx_forest_n_trees(f), nf, K, hx_forest_max_depth(f), pool_rows, threads);
    int rc = 0;
    char *list = strdup(batches);
    for (char *tok = strtok(list, ","); tok && rc == 0; tok = strtok(NULL, ",")) {
        long b;
        if (!cli_parse_int(tok, 1, 10000000, &b)) {
            fprintf(stderr, "helix bench forest: bad batch size %s\n", tok);
            rc = 2;
            break;
        }
        /* A batch is b consecutive rows of the pool, repeated as needed. */
        float *x = malloc((size_t)b * nf * sizeof *x);
        double *out = malloc((size_t)b * K * sizeof *out);
        for (long r = 0; r < b; r++)
            memcpy(x + (size_t)r * nf, pool_x + (size_t)(r % pool_rows) * nf, nf * sizeof *x);
        /* For small batches, time runs of many calls over different rows. */
        size_t calls = b >= 1000 ? 1 : (size_t)(2000 / b + 1);
        double times[64];
        int n_t = 0;
        bool cpu = threads == 1;
        double start = now(cpu);
        size_t off = 0;
        while (n_t < 64 && (n_t < 3 || now(cpu) - start < seconds)) {
            double t0 = now(cpu);
            for (size_t c = 0; c < calls; c++) {
                const float *xb = x;
                if ((size_t)b <= pool_rows) { /* walk through the pool so the rows vary */
                    xb = pool_x + (off % (pool_rows - (size_t)b + 1)) * nf;
                    off += (size_t)b;
                }
                if (hx_forest_predict(f, xb, (size_t)b, out, tp, &err) != HX_OK) {
                    fprintf(stderr, "helix bench forest: %s\n", err.msg);
                    rc = 1;
                    break;
                }
            }
            times[n_t++] = (now(cpu) - t0) / (double)calls;
            if (rc) break;
        }
        if (rc == 0) {
            qsort(times, (size_t)n_t, sizeof times[0], cmp_double);
            double med = times[n_t / 2];
            printf("batch %-8ld rows/s %12.0f   us/batch %12.2f   (median of %d, %s time)\n", b,
                   (double)b / med, med * 1e6, n_t, cpu ? "cpu" : "wall");
        }
        free(x);
        free(out);
    }
    free(list);
    free(pool_x);
    hx_threadpool_destroy(tp);
    hx_forest_file_close(&file);
    return rc;
}
