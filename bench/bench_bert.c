/* `helix bench bert`: whole-model BERT latency. Either B sequences of S
 * synthetic token ids (--seq S --batch B; ids from the formula in
 * bench/bert_peers.py so the peers see the same input), or real tokenized
 * records (--ids FILE: `helix tokenize` JSONL) run in batches of B packed
 * without padding, timing one pass over the whole file. Reports the median,
 * min and max of R timed runs after W warm-up runs, GFLOP/s at the median
 * and the peak RSS. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bert_load.h"
#include "cli_util.h"
#include "helix.h"

int bench_bert(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench bert -m MODEL.hlx (--seq S | --ids FILE) [--batch B] [--threads N]\n"
            "                        [--runs R] [--warmup W] [--json]\n"
            "\n"
            "BERT classifier latency: median/min/max over R timed runs after W warm-up runs.\n"
            "  -m MODEL.hlx   BERT model (helix convert bert)\n"
            "  --seq S        B sequences of S synthetic tokens per run\n"
            "  --ids FILE     instead, every record of FILE (JSONL with input_ids and\n"
            "                 optionally token_type_ids, as helix tokenize writes) per run,\n"
            "                 in batches of B sequences of mixed lengths, packed\n"
            "  --batch B      sequences per batch (default 1)\n"
            "  --threads N    threads (default: HELIX_THREADS or all cores)\n"
            "  --runs R       timed runs, >= 10 (default 10)\n"
            "  --warmup W     untimed runs first (default 2)\n"
            "  --json         one line {\"model\",\"batch\",\"seq\",\"threads\",\"median_ms\",\"min_ms\",\n"
            "                 \"max_ms\",...}\n"
            "The ISA follows HELIX_ISA (default: the best this CPU has).\n");
}

/* Peak resident set of this process in MB: VmHWM from /proc (getrusage's
 * ru_maxrss would carry over a parent's peak across fork + exec). */
static double peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = strtod(line + 6, NULL);
    if (f) fclose(f);
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = (double)ru.ru_maxrss;
    }
    return kb / 1024.0;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Multiply-adds x 2 of the encoder for one sequence of L tokens. */
static double encoder_flops(const hx_bert_config *c, double L) {
    double H = (double)c->hidden_size, I = (double)c->intermediate_size;
    return (double)c->num_layers * (2.0 * L * (4.0 * H * H + 2.0 * H * I) + 4.0 * L * L * H);
}

typedef struct {
    size_t n, cap_tokens, n_tokens;
    size_t *lengths;
    int32_t *ids, *types;
} records;

static int add_record(records *r, const cJSON *ids, const cJSON *types) {
    size_t L = (size_t)cJSON_GetArraySize(ids);
    if (L == 0 || (types && (size_t)cJSON_GetArraySize(types) != L)) return 0;
    if (r->n_tokens + L > r->cap_tokens) {
        size_t cap = (r->cap_tokens + L) * 2;
        int32_t *a = realloc(r->ids, cap * sizeof *a), *b = a ? realloc(r->types, cap * sizeof *b) : NULL;
        if (a) r->ids = a;
        if (!a || !b) return 0;
        r->types = b;
        r->cap_tokens = cap;
    }
    size_t *nl = realloc(r->lengths, (r->n + 1) * sizeof *nl);
    if (!nl) return 0;
    r->lengths = nl;
    for (size_t i = 0; i < L; i++) {
        const cJSON *v = cJSON_GetArrayItem(ids, (int)i), *t = types ? cJSON_GetArrayItem(types, (int)i) : NULL;
        if (!cJSON_IsNumber(v) || (t && !cJSON_IsNumber(t))) return 0;
        r->ids[r->n_tokens + i] = (int32_t)v->valueint;
        r->types[r->n_tokens + i] = t ? (int32_t)t->valueint : 0;
    }
    r->lengths[r->n++] = L;
    r->n_tokens += L;
    return 1;
}

static int read_records(const char *path, records *r) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0;
    long len, no = 0;
    int ok = 1;
    while (ok && (len = cli_read_line(f, &line, &cap)) >= 0) {
        no++;
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(rec, "input_ids");
        const cJSON *types = cJSON_GetObjectItemCaseSensitive(rec, "token_type_ids");
        if (!cJSON_IsArray(ids) || !add_record(r, ids, cJSON_IsArray(types) ? types : NULL)) {
            fprintf(stderr, "helix bench bert: %s line %ld: no usable input_ids\n", path, no);
            ok = 0;
        }
        cJSON_Delete(rec);
    }
    free(line);
    fclose(f);
    return ok && r->n > 0;
}

/* The synthetic ids, also computed by bench/bert_peers.py: [CLS], then
 * 1000 + (7919 * (s * S + i)) mod (vocab - 1000), then [SEP]. */
static void synthetic(records *r, size_t batch, size_t S, size_t vocab) {
    r->n = batch;
    r->n_tokens = batch * S;
    r->lengths = malloc(batch * sizeof *r->lengths);
    r->ids = malloc(batch * S * sizeof *r->ids);
    r->types = calloc(batch * S, sizeof *r->types);
    for (size_t s = 0; s < batch; s++) {
        r->lengths[s] = S;
        for (size_t i = 0; i < S; i++)
            r->ids[s * S + i] = (int32_t)(1000 + (7919 * (s * S + i)) % (vocab > 1000 ? vocab - 1000 : 1));
        r->ids[s * S] = 101;
        if (S > 1) r->ids[s * S + S - 1] = 102;
    }
}

int bench_bert(int argc, char **argv) {
    const char *model_path = NULL, *ids_path = NULL;
    long seq = 0, batch = 1, threads = 0, runs = 10, warmup = 2;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-m") && more) {
            model_path = argv[++i];
        } else if (!strcmp(a, "--ids") && more) {
            ids_path = argv[++i];
        } else if (!strcmp(a, "--seq") && more) {
            if (!cli_parse_int(argv[++i], 1, 1 << 20, &seq)) goto bad;
        } else if (!strcmp(a, "--batch") && more) {
            if (!cli_parse_int(argv[++i], 1, 4096, &batch)) goto bad;
        } else if (!strcmp(a, "--threads") && more) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) goto bad;
        } else if (!strcmp(a, "--runs") && more) {
            if (!cli_parse_int(argv[++i], 10, 100000, &runs)) goto bad;
        } else if (!strcmp(a, "--warmup") && more) {
            if (!cli_parse_int(argv[++i], 0, 100000, &warmup)) goto bad;
        } else {
            goto bad_opt;
        }
        continue;
    bad:
        fprintf(stderr, "helix bench bert: bad value for %s\n", a);
        return 2;
    bad_opt:
        fprintf(stderr, "helix bench bert: unknown option %s (see --help)\n", a);
        return 2;
    }
    if (!model_path || (seq > 0) == (ids_path != NULL)) {
        fprintf(stderr, "helix bench bert: need -m MODEL.hlx and one of --seq S or --ids FILE\n");
        return 2;
    }

    hx_error err;
    hx_bert_app app;
    double t_load = cli_now();
    if (hx_bert_app_load(model_path, 0, &app, &err) != HX_OK) {
        fprintf(stderr, "helix bench bert: %s\n", err.msg);
        return 1;
    }
    t_load = cli_now() - t_load;
    const hx_bert_config *cfg = &app.cfg;
    records rec = {0};
    if (ids_path) {
        if (!read_records(ids_path, &rec)) {
            fprintf(stderr, "helix bench bert: cannot read records from %s\n", ids_path);
            hx_bert_app_free(&app);
            return 1;
        }
    } else {
        synthetic(&rec, (size_t)batch, (size_t)seq, cfg->vocab_size);
    }
    size_t max_len = 0;
    double flops = 0;
    for (size_t i = 0; i < rec.n; i++) {
        if (rec.lengths[i] > max_len) max_len = rec.lengths[i];
        flops += encoder_flops(cfg, (double)rec.lengths[i]);
    }
    hx_threadpool *pool = NULL;
    hx_bert_session *s = NULL;
    size_t K = cfg->num_labels ? cfg->num_labels : 1;
    float *out = malloc((size_t)batch * (cfg->num_labels ? K : cfg->hidden_size) * sizeof *out);
    double *times = calloc((size_t)runs, sizeof *times);
    int rc = 1;
    if (!out || !times || hx_threadpool_create((int)threads, &pool, &err) != HX_OK ||
        hx_bert_session_create(app.model, (size_t)batch, max_len, pool, &s, &err) != HX_OK) {
        fprintf(stderr, "helix bench bert: %s\n", out && times ? err.msg : "out of memory");
        goto done;
    }
    for (long r = -warmup; r < runs; r++) {
        double t0 = cli_now();
        size_t tok = 0;
        for (size_t i = 0; i < rec.n; i += (size_t)batch) {
            size_t n = rec.n - i < (size_t)batch ? rec.n - i : (size_t)batch;
            hx_bert_batch b = {n, rec.lengths + i, rec.ids + tok, rec.types + tok};
            for (size_t k = 0; k < n; k++) tok += rec.lengths[i + k];
            hx_status st = cfg->num_labels ? hx_bert_classify(s, &b, out, &err)
                                           : hx_bert_embed(s, &b, HX_BERT_POOL_CLS, out, &err);
            if (st != HX_OK) {
                fprintf(stderr, "helix bench bert: %s\n", err.msg);
                goto done;
            }
        }
        if (r >= 0) times[r] = (cli_now() - t0) * 1e3;
    }
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    double med = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    double rss_mb = peak_rss_mb(), file_mb = hx_hlx_file_size(app.file) / 1048576.0;
    int nthreads = hx_threadpool_size(pool);
    if (json) {
        printf("{\"model\": ");
        cli_write_json_string(stdout, model_path, strlen(model_path));
        if (ids_path) printf(", \"batch\": %ld, \"seq\": \"mixed\", \"records\": %zu, \"tokens\": %zu", batch, rec.n, rec.n_tokens);
        else printf(", \"batch\": %ld, \"seq\": %ld", batch, seq);
        printf(", \"threads\": %d, \"isa\": \"%s\", \"median_ms\": %.3f, \"min_ms\": %.3f, \"max_ms\": %.3f,"
               " \"runs\": %ld, \"gflops\": %.2f, \"seqs_per_s\": %.2f, \"peak_rss_mb\": %.1f,"
               " \"file_mb\": %.1f, \"packed_mb\": %.1f, \"arena_mb\": %.1f, \"load_s\": %.3f}\n",
               nthreads, hx_isa_name(hx_isa_active()), med, times[0], times[runs - 1], runs,
               flops / (med * 1e6), rec.n / (med * 1e-3), rss_mb, file_mb,
               hx_bert_packed_bytes(app.model) / 1048576.0, hx_bert_session_bytes(s) / 1048576.0, t_load);
    } else {
        printf("bert %s: %zu sequences (%zu tokens) in batches of %ld, %d thread(s), %s\n", model_path,
               rec.n, rec.n_tokens, batch, nthreads, hx_isa_name(hx_isa_active()));
        printf("  median %.2f ms  (min %.2f, max %.2f over %ld runs)  %.1f GFLOP/s  %.2f seq/s\n", med,
               times[0], times[runs - 1], runs, flops / (med * 1e6), rec.n / (med * 1e-3));
        printf("  peak RSS %.1f MB (file %.1f MB, packed weights %.1f MB, arena %.1f MB), load %.2f s\n",
               rss_mb, file_mb, hx_bert_packed_bytes(app.model) / 1048576.0,
               hx_bert_session_bytes(s) / 1048576.0, t_load);
    }
    rc = 0;
done:
    free(out);
    free(times);
    free(rec.lengths);
    free(rec.ids);
    free(rec.types);
    hx_bert_session_free(s);
    hx_threadpool_destroy(pool);
    hx_bert_app_free(&app);
    return rc;
}
