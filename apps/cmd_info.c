/* `helix info MODEL.hlx [--verify] [--json]`: what a model file holds, and
 * (with --verify) whether it arrived intact. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_util.h"
#include "helix.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix info MODEL.hlx [--verify] [--json]\n"
            "       helix info --cpu\n"
            "\n"
            "Describes a model file: architecture, parameter count, dtypes, file size,\n"
            "labels and preprocessing (tokenizer or image settings).\n"
            "  --verify  check every checksum (header, metadata, directory, each tensor,\n"
            "            whole file); names the first damaged tensor. Exit 1 if damaged.\n"
            "  --json    one JSON object on stdout instead of text\n");
}

/* CPU seconds of this process: on a shared machine, wall time measures the
 * neighbours as much as the work. */
static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct {
    uint64_t params;
    size_t per_dtype[HX_DT_COUNT];
} tensor_stats;

/* The metadata without the tokenizer vocabulary (which can be 30k strings). */
static cJSON *summary_tokenizer(const cJSON *tok) {
    cJSON *t = cJSON_Duplicate(tok, 1);
    if (!t) return NULL;
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(t, "vocab");
    int n = cJSON_IsArray(vocab) ? cJSON_GetArraySize(vocab) : 0;
    cJSON_DeleteItemFromObjectCaseSensitive(t, "vocab");
    cJSON_AddNumberToObject(t, "vocab_size", n);
    return t;
}

/* Prints a string from the file with control characters replaced, so a
 * hostile file cannot send escape sequences to the terminal. */
static void print_clean(const char *s) {
    for (; *s; s++) putchar((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
}

static void print_field(const char *key, const cJSON *v) {
    char *s = cJSON_PrintUnformatted(v);
    if (!s) return;
    size_t n = strlen(s);
    printf("  %-24s %.*s%s\n", key, n > 300 ? 300 : (int)n, s, n > 300 ? "..." : "");
    free(s);
}

static void print_text(const char *path, const hx_hlx *f, const cJSON *meta, const tensor_stats *ts,
                       double t_open) {
    int major, minor;
    hx_hlx_version(f, &major, &minor);
    printf("file:            %s\n", path);
    printf("size:            %zu bytes (%.1f MB), format %d.%d\n", hx_hlx_file_size(f),
           hx_hlx_file_size(f) / 1e6, major, minor);
    printf("opened in:       %.2f ms (headers, metadata and directory checked)\n", t_open * 1e3);
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(meta, "arch");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
    printf("arch:            ");
    print_clean(cJSON_IsString(arch) ? arch->valuestring : "(not given)");
    if (cJSON_IsString(name)) {
        printf("\nname:            ");
        print_clean(name->valuestring);
    }
    printf("\n");
    printf("parameters:      %llu in %zu tensors (", (unsigned long long)ts->params,
           hx_hlx_tensor_count(f));
    int first = 1;
    for (int d = 0; d < HX_DT_COUNT; d++)
        if (ts->per_dtype[d]) {
            printf("%s%s: %zu", first ? "" : ", ", hx_dtype_name((hx_dtype)d), ts->per_dtype[d]);
            first = 0;
        }
    printf(")\n");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
    if (cJSON_IsArray(labels)) {
        printf("labels:          %d:", cJSON_GetArraySize(labels));
        int i = 0;
        for (const cJSON *l = labels->child; l; l = l->next, i++) {
            if (i == 20) {
                printf(" ...");
                break;
            }
            printf("%s ", i ? "," : "");
            print_clean(l->valuestring);
        }
        printf("\n");
    }
    static const char *const sections[] = {"bert", "resnet", "preprocess", "forest"};
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, sections[i]);
        if (v) {
            printf("%s:\n", sections[i]);
            for (const cJSON *e = v->child; e; e = e->next) print_field(e->string, e);
        }
    }
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(meta, "tokenizer");
    if (tok) {
        cJSON *t = summary_tokenizer(tok);
        printf("tokenizer:\n");
        for (const cJSON *e = t ? t->child : NULL; e; e = e->next) print_field(e->string, e);
        cJSON_Delete(t);
    }
}

static cJSON *make_json(const char *path, const hx_hlx *f, const cJSON *meta, const tensor_stats *ts) {
    int major, minor;
    hx_hlx_version(f, &major, &minor);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddNumberToObject(o, "size_bytes", (double)hx_hlx_file_size(f));
    char ver[32];
    snprintf(ver, sizeof ver, "%d.%d", major, minor);
    cJSON_AddStringToObject(o, "format_version", ver);
    cJSON_AddNumberToObject(o, "parameters", (double)ts->params);
    cJSON_AddNumberToObject(o, "tensors", (double)hx_hlx_tensor_count(f));
    cJSON *dt = cJSON_AddObjectToObject(o, "dtypes");
    for (int d = 0; d < HX_DT_COUNT; d++)
        if (ts->per_dtype[d]) cJSON_AddNumberToObject(dt, hx_dtype_name((hx_dtype)d), (double)ts->per_dtype[d]);
    for (const cJSON *e = meta->child; e; e = e->next) {
        if (!strcmp(e->string, "tokenizer")) cJSON_AddItemToObject(o, "tokenizer", summary_tokenizer(e));
        else if (!cJSON_GetObjectItemCaseSensitive(o, e->string))
            cJSON_AddItemToObject(o, e->string, cJSON_Duplicate(e, 1));
    }
    return o;
}

int cmd_info(int argc, char **argv) {
    const char *path = NULL;
    int verify = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--verify")) {
            verify = 1;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "helix info: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (path) {
            fprintf(stderr, "helix info: one model file at a time\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_hlx *f;
    double t_open = cli_now(), c_open = cpu_now();
    /* Structure only: info shows a damaged file and verifies on request. */
    hx_status os = hx_hlx_open_with(path, HX_HLX_OPEN_NO_VERIFY, &f, &err);
    t_open = cli_now() - t_open;
    c_open = cpu_now() - c_open;
    if (os != HX_OK) {
        fprintf(stderr, "helix info: %s\n", err.msg);
        return 1;
    }
    size_t mlen;
    const char *mtext = hx_hlx_metadata(f, &mlen);
    cJSON *meta = cJSON_ParseWithLength(mtext, mlen); /* validated at open */
    if (!meta) {
        fprintf(stderr, "helix info: out of memory reading the metadata\n");
        hx_hlx_close(f);
        return 1;
    }
    tensor_stats ts;
    ts.params = hx_hlx_parameter_count(f, ts.per_dtype);
    int rc = 0;
    hx_status vs = HX_OK;
    double secs = 0, cpu_secs = 0;
    if (verify) {
        double t0 = cli_now(), c0 = cpu_now();
        vs = hx_hlx_verify(f, &err);
        secs = cli_now() - t0;
        cpu_secs = cpu_now() - c0;
        if (vs != HX_OK) rc = 1;
    }
    double gbps = secs > 0 ? hx_hlx_file_size(f) / secs / 1e9 : 0;
    if (json) {
        cJSON *o = make_json(path, f, meta, &ts);
        cJSON_AddNumberToObject(o, "open_ms", t_open * 1e3);
        cJSON_AddNumberToObject(o, "open_cpu_ms", c_open * 1e3);
        if (verify) {
            cJSON *v = cJSON_AddObjectToObject(o, "verify");
            cJSON_AddBoolToObject(v, "ok", vs == HX_OK);
            if (vs != HX_OK) cJSON_AddStringToObject(v, "error", err.msg);
            cJSON_AddNumberToObject(v, "seconds", secs);
            cJSON_AddNumberToObject(v, "gb_per_s", gbps);
            cJSON_AddNumberToObject(v, "cpu_seconds", cpu_secs);
        }
        char *s = cJSON_PrintUnformatted(o);
        if (s) printf("%s\n", s);
        free(s);
        cJSON_Delete(o);
    } else {
        print_text(path, f, meta, &ts, t_open);
        if (verify && vs == HX_OK)
            printf("verify:          ok (%.3f s, %.2f GB/s)\n", secs, gbps);
    }
    if (verify && vs != HX_OK) fprintf(stderr, "helix info: verify failed: %s\n", err.msg);
    cJSON_Delete(meta);
    hx_hlx_close(f);
    return rc;
}
