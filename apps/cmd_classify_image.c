/* `helix classify-image -m MODEL.hlx [--threads N] [--batch N] FILE... | DIR`
 *
 * Decodes each JPEG, applies the model's timm eval preprocessing, runs the
 * SE-ResNet in batches and writes one JSON line per image, in input order:
 *   {"file": PATH, "label": NAME, "probs": {NAME: p, ...}}
 * An unreadable or unsupported image gives {"file": PATH, "error": MSG} and
 * the run goes on (exit status 1 at the end if any image failed). A directory
 * argument stands for its *.jpg / *.jpeg files in name order. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "helix.h"
#include "helix/seresnet.h"
#include "helix/image.h"
#include "helix/seresnet_file.h"
#include "helix/transformer_ops.h"

int cmd_classify_image(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix classify-image -m MODEL.hlx [--threads N] [--batch N] FILE... | DIR\n"
            "\n"
            "Classifies JPEG images with an SE-ResNet model; one JSON line per image:\n"
            "  {\"file\": ..., \"label\": ..., \"probs\": {LABEL: p, ...}}\n"
            "or {\"file\": ..., \"error\": ...} for an image that cannot be read.\n"
            "A directory stands for its .jpg/.jpeg files in name order.\n"
            "\n"
            "  -m MODEL.hlx      model file (arch seresnet or resnet)\n"
            "  --threads N       worker threads (default: HELIX_THREADS or all cores)\n"
            "  --batch N         images per network call (default 1; results do not depend on it)\n"
            "  --max-pixels N    refuse larger images (default %zu)\n",
            HX_IMAGE_MAX_PIXELS_DEFAULT);
}

typedef struct {
    char **v;
    size_t n, cap;
} strlist;

static int push(strlist *l, const char *s) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return -1;
        l->v = nv;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_jpeg_ext(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* Adds the JPEGs of a directory (sorted); -1 on error. */
static int add_dir(strlist *l, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    strlist names = {0};
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && has_jpeg_ext(e->d_name) && push(&names, e->d_name)) rc = -1;
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    for (size_t i = 0; i < names.n; i++) {
        size_t len = strlen(dir) + strlen(names.v[i]) + 2;
        char *p = malloc(len);
        if (!p) rc = -1;
        else {
            snprintf(p, len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", names.v[i]);
            if (push(l, p)) rc = -1;
            free(p);
        }
        free(names.v[i]);
    }
    free(names.v);
    return rc;
}

static void write_error(const char *file, const char *msg) {
    fputs("{\"file\": ", stdout);
    cli_write_json_string(stdout, file, strlen(file));
    fputs(", \"error\": ", stdout);
    cli_write_json_string(stdout, msg, strlen(msg));
    fputs("}\n", stdout);
}

static void write_result(const hx_seresnet_file *m, const char *file, const float *logits) {
    float probs[64];
    float *p = m->n_labels <= 64 ? probs : malloc(sizeof(float) * m->n_labels);
    if (!p) {
        write_error(file, "out of memory");
        return;
    }
    hx_softmax_rows(1, (size_t)m->n_labels, logits, (size_t)m->n_labels, p, (size_t)m->n_labels);
    int best = 0;
    for (int k = 1; k < m->n_labels; k++)
        if (p[k] > p[best]) best = k;
    fputs("{\"file\": ", stdout);
    cli_write_json_string(stdout, file, strlen(file));
    fputs(", \"label\": ", stdout);
    cli_write_json_string(stdout, m->labels[best], strlen(m->labels[best]));
    fputs(", \"probs\": {", stdout);
    for (int k = 0; k < m->n_labels; k++) {
        if (k) fputs(", ", stdout);
        cli_write_json_string(stdout, m->labels[k], strlen(m->labels[k]));
        printf(": %.7g", p[k]);
    }
    fputs("}}\n", stdout);
    if (p != probs) free(p);
}

int cmd_classify_image(int argc, char **argv) {
    const char *model_path = NULL;
    long threads = 0, batch = 1, max_pixels = (long)HX_IMAGE_MAX_PIXELS_DEFAULT;
    strlist inputs = {0};
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            model_path = argv[++i];
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) {
                fprintf(stderr, "helix classify-image: --threads must be 1..1024\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 256, &batch)) {
                fprintf(stderr, "helix classify-image: --batch must be 1..256\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--max-pixels") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1L << 40, &max_pixels)) {
                fprintf(stderr, "helix classify-image: --max-pixels must be a positive integer\n");
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "helix classify-image: unknown option %s (see --help)\n", argv[i]);
            return 2;
        } else {
            struct stat sb;
            if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
                if (add_dir(&inputs, argv[i])) {
                    fprintf(stderr, "helix classify-image: cannot read directory %s: %s\n", argv[i], strerror(errno));
                    rc = 1;
                }
            } else if (push(&inputs, argv[i])) {
                fprintf(stderr, "helix classify-image: out of memory\n");
                return 1;
            }
        }
    }
    if (!model_path || !inputs.n) {
        fprintf(stderr, "helix classify-image: need -m MODEL.hlx and at least one image (see --help)\n");
        for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
        free(inputs.v);
        return 2;
    }
    hx_error err;
    hx_seresnet_file model;
    hx_threadpool *pool = NULL;
    hx_seresnet_session *sess = NULL;
    float *x = NULL, *logits = NULL;
    int *slot_of = NULL;
    if (hx_isa_init(&err) != HX_OK || hx_seresnet_file_open(model_path, &model, &err) != HX_OK) {
        fprintf(stderr, "helix classify-image: %s\n", err.msg);
        rc = 1;
        goto out_inputs;
    }
    if (hx_threadpool_create((int)threads, &pool, &err) != HX_OK) {
        fprintf(stderr, "helix classify-image: %s\n", err.msg);
        rc = 1;
        goto out_model;
    }
    /* One workspace for every batch: the run allocates once, not per image. */
    const int max_batch = inputs.n < (size_t)batch ? (int)inputs.n : (int)batch;
    if (hx_seresnet_session_create(model.net, max_batch, model.pre.height, model.pre.width, pool,
                                   &sess, &err) != HX_OK) {
        fprintf(stderr, "helix classify-image: %s\n", err.msg);
        rc = 1;
        goto out_all;
    }
    const size_t per = (size_t)3 * model.pre.height * model.pre.width;
    x = malloc(sizeof(float) * per * (size_t)batch);
    logits = malloc(sizeof(float) * (size_t)model.n_labels * batch);
    slot_of = malloc(sizeof(int) * (size_t)batch);
    char (*msgs)[HX_ERROR_MSG_MAX] = malloc(sizeof(*msgs) * (size_t)batch);
    if (!x || !logits || !slot_of || !msgs) {
        fprintf(stderr, "helix classify-image: out of memory for batch %ld\n", batch);
        rc = 1;
        free(msgs);
        goto out_all;
    }
    for (size_t start = 0; start < inputs.n; start += (size_t)batch) {
        const size_t end = start + (size_t)batch < inputs.n ? start + (size_t)batch : inputs.n;
        int ok = 0;
        for (size_t i = start; i < end; i++) {
            hx_error e;
            slot_of[i - start] = -1;
            hx_status st = hx_preprocess_jpeg_file(inputs.v[i], (size_t)max_pixels, &model.pre,
                                                   x + per * ok, &e);
            if (st == HX_OK) slot_of[i - start] = ok++;
            else snprintf(msgs[i - start], HX_ERROR_MSG_MAX, "%s", e.msg);
        }
        if (ok > 0 && hx_seresnet_session_forward(sess, ok, model.pre.height, model.pre.width, x,
                                                  logits, &err) != HX_OK) {
            for (size_t i = start; i < end; i++)
                if (slot_of[i - start] >= 0) {
                    slot_of[i - start] = -1;
                    snprintf(msgs[i - start], HX_ERROR_MSG_MAX, "%s", err.msg);
                }
        }
        for (size_t i = start; i < end; i++) {
            if (slot_of[i - start] < 0) {
                write_error(inputs.v[i], msgs[i - start]);
                rc = 1;
            } else {
                write_result(&model, inputs.v[i], logits + (size_t)slot_of[i - start] * model.n_labels);
            }
        }
        fflush(stdout);
        cli_progress("images", end, inputs.n);
    }
    cli_progress_end();
    free(msgs);
out_all:
    hx_seresnet_session_free(sess);
    free(x);
    free(logits);
    free(slot_of);
    hx_threadpool_destroy(pool);
out_model:
    hx_seresnet_file_close(&model);
out_inputs:
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    free(inputs.v);
    return rc;
}
