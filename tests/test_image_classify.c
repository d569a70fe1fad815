/* `helix classify-image` end to end: a tiny seeded SE-ResNet written to an
 * .hlx file, real JPEGs, a directory, an unreadable file and a 12-bit JPEG
 * (error records, the run goes on), batch and thread invariance. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helix/hlx.h"
#include "seresnet_gen.h"
#include "helix/seresnet_file.h"
#include "test_util.h"

static const char *META =
    "{\"arch\": \"seresnet\", \"name\": \"tiny\", \"source\": \"test\","
    " \"labels\": [\"neurogenic\", \"myogenic\", \"control\"],"
    " \"resnet\": {\"depth\": 10, \"layers\": [1,1,1,1], \"block\": \"basic\", \"se\": true, \"num_classes\": 3},"
    " \"preprocess\": {\"input_size\": [3,48,48], \"crop_pct\": 0.875, \"crop_mode\": \"center\","
    " \"interpolation\": \"bilinear\", \"mean\": [0.485,0.456,0.406], \"std\": [0.229,0.224,0.225]}}";

static void write_model(const char *path) {
    static gen_model g;
    const int layers[4] = {1, 1, 1, 1};
    gen_model_make(&g, 1, layers, 3);
    hx_hlx_writer *w;
    hx_error e;
    cr_assert_eq(hx_hlx_writer_new(&w, &e), HX_OK, "%s", e.msg);
    cr_assert_eq(hx_hlx_writer_set_metadata(w, META, &e), HX_OK, "%s", e.msg);
    for (int i = 0; i < g.count; i++)
        cr_assert_eq(hx_hlx_writer_add(w, g.t[i].name, HX_DT_F32, g.t[i].rank, g.t[i].dims, g.t[i].data,
                                       g.t[i].n * sizeof(float), &e), HX_OK, "%s", e.msg);
    cr_assert_eq(hx_hlx_writer_write(w, path, &e), HX_OK, "%s", e.msg);
    hx_hlx_writer_free(w);
    gen_model_free(&g);
}

/* Runs helix with args, returns stdout (malloc'd) and the exit status. */
static char *run(const char *args, int *status) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s/helix %s 2>/dev/null", HX_BINARY_DIR, args);
    return tu_run_capture(cmd, NULL, status);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

Test(classify_image, jsonl_records_errors_and_invariance) {
    char model[256];
    snprintf(model, sizeof model, "/tmp/hx_test_classify_%d.hlx", (int)getpid());
    write_model(model);
    /* The loader reads back what the writer wrote. */
    hx_seresnet_file m;
    hx_error e;
    cr_assert_eq(hx_seresnet_file_open(model, &m, &e), HX_OK, "%s", e.msg);
    cr_assert_eq(m.n_labels, 3);
    cr_assert_str_eq(m.labels[1], "myogenic");
    cr_assert_eq(m.pre.height, 48);
    hx_seresnet_file_close(&m);

    char args[2048];
    const char *D = HX_SHARED_DIR "/data/jpeg_test";
    snprintf(args, sizeof args,
             "classify-image -m %s --threads 1 --batch 1 %s/jd__tower.jpg %s/nope.jpg %s/ljt__monkey12.jpg %s/jd__mozilla_jpg-cmyk-1.jpg",
             model, D, D, D, D);
    int st;
    char *a = run(args, &st);
    cr_assert_eq(st, 1, "failed images give exit status 1");
    cr_assert_eq(count_lines(a), 4, "%s", a);
    char *l2 = strchr(a, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
    cr_assert(!strncmp(a, "{\"file\": ", 9) && strstr(a, "\"label\": ") < l2 && strstr(a, "\"probs\": {\"neurogenic\": ") < l2, "%s", a);
    cr_assert(strstr(l2, "\"error\": ") && strstr(l2, "\"error\": ") < l3, "%s", l2);
    cr_assert(strstr(l3, "\"error\": ") && strstr(l3, "\"error\": ") < l4, "%s", l3);
    cr_assert(strstr(l4, "\"label\": "), "%s", l4);
    /* Same answers with batch 3 and 2 threads. */
    snprintf(args, sizeof args,
             "classify-image -m %s --threads 2 --batch 3 %s/jd__tower.jpg %s/nope.jpg %s/ljt__monkey12.jpg %s/jd__mozilla_jpg-cmyk-1.jpg",
             model, D, D, D, D);
    char *b = run(args, &st);
    cr_assert_str_eq(a, b);
    free(b);
    free(a);
    /* A directory: every .jpg in name order, one line each. */
    snprintf(args, sizeof args, "classify-image -m %s --batch 4 %s", model, D);
    a = run(args, &st);
    cr_assert_eq(count_lines(a), 30, "%s", a);
    free(a);
    /* usage errors */
    a = run("classify-image", &st);
    cr_assert_eq(st, 2);
    free(a);
    snprintf(args, sizeof args, "classify-image -m %s --batch 0 x.jpg", model);
    a = run(args, &st);
    cr_assert_eq(st, 2);
    free(a);
    a = run("classify-image --help", &st);
    cr_assert_eq(st, 0);
    cr_assert(strstr(a, "usage: helix classify-image"));
    free(a);
    unlink(model);
}
