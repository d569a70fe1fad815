/* JPEG decoding and timm eval preprocessing against PIL + torchvision
 * (tests/oracle/make_image_fixtures.py) on the real files in
 * ../shared/data/jpeg_test and ultrasound images; plus the error paths. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "helix/image.h"

static uint64_t fnv1a64(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* NAME -> path of the JPEG in shared data. */
static void jpeg_path(const char *name, char *out, size_t cap) {
    if (!strncmp(name, "convex__", 8))
        snprintf(out, cap, "%s/data/ultrasound/pocus_lung/%s.%s", HX_SHARED_DIR, name,
                 strstr(name, "Pneu_Avi") ? "JPG" : "jpg");
    else
        snprintf(out, cap, "%s/data/jpeg_test/%s.jpg", HX_SHARED_DIR, name);
}

static int read_u8(const char *path, uint8_t *buf, size_t n) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    const size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n;
}

Test(image, decode_and_preprocess_match_pil) {
    char list[512], line[256];
    snprintf(list, sizeof list, "%s/image/decode.txt", HX_TEST_FIXTURES);
    FILE *f = fopen(list, "r");
    cr_assert_not_null(f);
    int checked = 0;
    static const struct { int size; const char *interp; hx_interp mode; } crops[] = {
        {64, "bilinear", HX_INTERP_BILINEAR}, {64, "bicubic", HX_INTERP_BICUBIC}, {37, "bilinear", HX_INTERP_BILINEAR}};
    while (fgets(line, sizeof line, f)) {
        char name[128], hash[32];
        int w, h;
        const int fields = sscanf(line, "%127s %d %d %31s", name, &w, &h, hash);
        if (fields < 1) continue;
        char path[512];
        jpeg_path(name, path, sizeof path);
        hx_image img;
        hx_error e;
        const hx_status st = hx_decode_jpeg_file(path, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e);
        if (fields < 4) { /* PIL could not decode it: neither may we */
            cr_assert_neq(st, HX_OK, "%s decoded but PIL refused it", name);
            continue;
        }
        cr_assert_eq(st, HX_OK, "%s: %s", name, e.msg);
        cr_assert_eq(img.width, w, "%s width", name);
        cr_assert_eq(img.height, h, "%s height", name);
        char got[32];
        snprintf(got, sizeof got, "%016" PRIx64, fnv1a64(img.rgb, (size_t)w * h * 3));
        cr_expect(!strcmp(got, hash), "%s: decode differs from PIL", name);
        for (size_t c = 0; c < sizeof crops / sizeof crops[0]; c++) {
            const int S = crops[c].size;
            hx_preprocess_cfg cfg = {S, S, 0.875, crops[c].mode, {0, 0, 0}, {1, 1, 1}};
            uint8_t *mine = malloc((size_t)S * S * 3), *want = malloc((size_t)S * S * 3);
            cr_assert_eq(hx_preprocess_crop_rgb8(img.rgb, w, h, &cfg, mine, &e), HX_OK, "%s", e.msg);
            char fx[512];
            snprintf(fx, sizeof fx, "%s/image/%s.%d.%s.u8", HX_TEST_FIXTURES, name, S, crops[c].interp);
            cr_assert(read_u8(fx, want, (size_t)S * S * 3), "missing %s", fx);
            int worst = 0;
            for (int i = 0; i < S * S * 3; i++) {
                const int d = abs((int)mine[i] - (int)want[i]);
                if (d > worst) worst = d;
            }
            cr_expect(worst <= 1, "%s %d %s: max |diff| %d > 1/255", name, S, crops[c].interp, worst);
            free(mine);
            free(want);
        }
        hx_image_free(&img);
        checked++;
    }
    fclose(f);
    cr_assert_geq(checked, 30);
}

Test(image, full_size_crop_and_normalise_match_torchvision) {
    /* The 224 crops the SE-ResNet fixtures were made from. */
    static const char *names[2][2] = {{"tower", "jd__tower"}, {"lung", "convex__Cov_Oliviera_2020_Fig4A"}};
    for (int i = 0; i < 2; i++) {
        char path[512];
        jpeg_path(names[i][1], path, sizeof path);
        hx_image img;
        hx_error e;
        cr_assert_eq(hx_decode_jpeg_file(path, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_OK, "%s", e.msg);
        hx_preprocess_cfg cfg = {224, 224, 0.875, HX_INTERP_BILINEAR, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
        uint8_t *want = malloc(224 * 224 * 3);
        float *x = malloc(sizeof(float) * 3 * 224 * 224);
        char fx[512];
        snprintf(fx, sizeof fx, "%s/seresnet/full_%s.u8", HX_TEST_FIXTURES, names[i][0]);
        cr_assert(read_u8(fx, want, 224 * 224 * 3));
        cr_assert_eq(hx_preprocess_rgb8(img.rgb, img.width, img.height, &cfg, x, &e), HX_OK);
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 224 * 224; p++) {
                const float ref = ((float)want[p * 3 + c] / 255.0f - cfg.mean[c]) / cfg.std[c];
                cr_assert(fabsf(x[c * 224 * 224 + p] - ref) <= (1.0f / 255.0f) / cfg.std[c] + 1e-6f,
                          "%s channel %d pixel %d", names[i][0], c, p);
            }
        free(want);
        free(x);
        hx_image_free(&img);
    }
}

Test(image, unsupported_and_damaged_files_are_clear_errors) {
    char path[512];
    hx_image img;
    hx_error e;
    snprintf(path, sizeof path, "%s/data/jpeg_test/ljt__monkey12.jpg", HX_SHARED_DIR);
    cr_assert_eq(hx_decode_jpeg_file(path, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_EUNSUPPORTED);
    cr_assert(strstr(e.msg, "precision") || strstr(e.msg, "12-bit"), "%s", e.msg);
    /* decompression-bomb guard */
    snprintf(path, sizeof path, "%s/data/jpeg_test/jd__tower.jpg", HX_SHARED_DIR);
    cr_assert_eq(hx_decode_jpeg_file(path, 512 * 512 - 1, &img, &e), HX_ERANGE);
    cr_assert_eq(hx_decode_jpeg_file(path, 512 * 512, &img, &e), HX_OK);
    hx_image_free(&img);
    /* truncated: the first half of a real file */
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    uint8_t *buf = malloc(80000);
    const size_t n = fread(buf, 1, 80000, f);
    fclose(f);
    cr_assert_eq(hx_decode_jpeg(buf, n / 2, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_EFORMAT);
    /* garbage after a valid SOI */
    for (size_t i = 2; i < 400; i++) buf[i] = (uint8_t)(i * 37);
    cr_assert_neq(hx_decode_jpeg(buf, 400, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_OK);
    cr_assert_eq(hx_decode_jpeg((const uint8_t *)"GIF89a", 6, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_EFORMAT);
    free(buf);
    snprintf(path, sizeof path, "%s/data/jpeg_test/missing.jpg", HX_SHARED_DIR);
    cr_assert_eq(hx_decode_jpeg_file(path, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_EIO);
}

/* issue 14.7: damage that libjpeg only warns about is refused. A file cut
 * short and given its end marker again decodes "whole" with the rest grey
 * (libjpeg's "premature end of data segment", not "premature end of file");
 * a marker inside the entropy data does the same. The error names the
 * file. */
Test(image, truncated_with_end_marker_is_refused) {
    static const char *const names[] = {"jd__tower", "jd__tower_progressive", "ljt__testorig",
                                        "jd__restarts", "ljt__testimgari"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        char path[512];
        jpeg_path(names[k], path, sizeof path);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        uint8_t *buf = malloc(1 << 20);
        const size_t n = fread(buf, 1, 1 << 20, f);
        fclose(f);
        hx_image img;
        hx_error e;
        cr_assert_eq(hx_decode_jpeg(buf, n, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e), HX_OK, "%s: %s",
                     names[k], e.msg);
        hx_image_free(&img);
        /* cut at 60 % and re-append EOI */
        size_t cut = n * 6 / 10;
        uint8_t *t = malloc(cut + 2);
        memcpy(t, buf, cut);
        t[cut] = 0xFF, t[cut + 1] = 0xD9;
        hx_status st = hx_decode_jpeg(t, cut + 2, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e);
        cr_assert_eq(st, HX_EFORMAT, "%s cut+EOI: got %s", names[k], hx_status_name(st));
        cr_assert(strstr(e.msg, "truncated or damaged") || strstr(e.msg, "damaged"), "%s: %s",
                  names[k], e.msg);
        /* the same through a file: the message names it */
        char tmp[128];
        snprintf(tmp, sizeof tmp, "/tmp/hx_test_trunc_%d.jpg", (int)getpid());
        FILE *o = fopen(tmp, "wb");
        cr_assert_eq(fwrite(t, 1, cut + 2, o), cut + 2);
        fclose(o);
        st = hx_decode_jpeg_file(tmp, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e);
        unlink(tmp);
        cr_assert_eq(st, HX_EFORMAT, "%s", names[k]);
        cr_assert(!strncmp(e.msg, tmp, strlen(tmp)), "message does not name the file: %s", e.msg);
        free(t);
        free(buf);
    }
}

/* Every real JPEG in the shared data decodes without a damage error (the
 * 12-bit one is unsupported, not damaged); jd__mjpeg.jpg has extraneous
 * bytes before its restart markers, which libjpeg warns about but which
 * lose no pixels. */
Test(image, real_jpegs_still_decode) {
    static const char *const dirs[] = {"data/jpeg_test", "data/ultrasound/pocus_lung"};
    int decoded = 0;
    for (size_t d = 0; d < 2; d++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", HX_SHARED_DIR, dirs[d]);
        DIR *dp = opendir(dir);
        if (!dp) {
            cr_log_info("skipped: %s not found", dir);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dp))) {
            const size_t l = strlen(de->d_name);
            if (l < 4 || strcasecmp(de->d_name + l - 4, ".jpg")) continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            hx_image img;
            hx_error e;
            hx_status st = hx_decode_jpeg_file(path, HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &e);
            if (strstr(de->d_name, "monkey12")) {
                cr_assert_eq(st, HX_EUNSUPPORTED, "%s", path);
                continue;
            }
            cr_assert_eq(st, HX_OK, "%s: %s", path, e.msg);
            hx_image_free(&img);
            decoded++;
        }
        closedir(dp);
    }
    cr_log_info("%d real JPEGs decoded", decoded);
}

Test(image, exif_orientation_parser_is_bounds_checked) {
    /* big-endian TIFF, IFD0 at 8 with one entry: Orientation SHORT 1 = 6 */
    uint8_t ex[6 + 8 + 2 + 12 + 4] = "Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0";
    cr_assert_eq(hx_exif_orientation(ex, sizeof ex), 6);
    for (size_t cut = 0; cut < sizeof ex - 4; cut++) cr_assert_eq(hx_exif_orientation(ex, cut), cut >= 6 + 8 + 2 + 12 ? 6 : 1);
    ex[13] = 0xF0; /* IFD offset past the end */
    cr_assert_eq(hx_exif_orientation(ex, sizeof ex), 1);
    uint8_t le[6 + 8 + 2 + 12] = "Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x03\0\0";
    cr_assert_eq(hx_exif_orientation(le, sizeof le), 3);
    le[6 + 8 + 2 + 8] = 9; /* out-of-range value */
    cr_assert_eq(hx_exif_orientation(le, sizeof le), 1);
}
