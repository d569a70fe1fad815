/* JPEG -> RGB with libjpeg-turbo; see helix/image.h. */
#include "helix/image.h"
#include "helix/file_util.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "helix/file_util.h"

/* libjpeg error manager that longjmps back instead of exit(), keeps the
 * message, and never prints. libjpeg reports damaged entropy-coded data
 * only as warnings and goes on, filling what it could not decode with grey:
 * a truncated file ends in "premature end of JPEG file" (JWRN_JPEG_EOF), but
 * one cut short and given an end marker again (or with a marker inside its
 * data) gives "premature end of data segment" (JWRN_HIT_MARKER) instead, and
 * flipped bits give bad Huffman/arithmetic codes, missing restart markers or
 * an inconsistent progression. Each of those means pixels are missing, so
 * the image is refused. Warnings that leave every pixel decoded are
 * tolerated: extraneous bytes before a marker (seen in real MJPEG frames:
 * the data before them was complete), unknown JFIF/Adobe versions, a bad
 * ICC marker (colour profile only; not used), SOS parameters. */
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int damaged;       /* first damaging warning's code, 0 if none */
    char damage[JMSG_LENGTH_MAX]; /* its message */
} error_mgr;

static void on_error_exit(j_common_ptr cinfo) {
    error_mgr *e = (error_mgr *)cinfo->err;
    longjmp(e->jump, 1);
}

static int warning_loses_pixels(int code) {
    switch (code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_BOGUS_PROGRESSION: return 1;
    default: return 0;
    }
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    error_mgr *e = (error_mgr *)cinfo->err;
    if (level < 0) {
        if (!e->damaged && warning_loses_pixels(e->pub.msg_code)) {
            e->damaged = e->pub.msg_code;
            e->pub.format_message(cinfo, e->damage);
        }
        e->pub.num_warnings++;
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

/* Reads a TIFF-ordered 16/32-bit value. */
static unsigned rd16(const uint8_t *p, int le) { return le ? p[0] | p[1] << 8 : p[0] << 8 | p[1]; }
static uint32_t rd32(const uint8_t *p, int le) {
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int hx_exif_orientation(const uint8_t *app1, size_t len) {
    if (len < 6 + 8 || memcmp(app1, "Exif\0\0", 6)) return 1;
    const uint8_t *t = app1 + 6; /* TIFF header */
    const size_t n = len - 6;
    int le;
    if (t[0] == 'I' && t[1] == 'I') le = 1;
    else if (t[0] == 'M' && t[1] == 'M') le = 0;
    else return 1;
    if (rd16(t + 2, le) != 42) return 1;
    const uint32_t ifd = rd32(t + 4, le);
    if (ifd > n || n - ifd < 2) return 1;
    const unsigned count = rd16(t + ifd, le);
    for (unsigned i = 0; i < count; i++) {
        const size_t e = (size_t)ifd + 2 + (size_t)i * 12;
        if (e > n || n - e < 12) return 1;
        if (rd16(t + e, le) != 0x0112) continue;
        const unsigned type = rd16(t + e + 2, le);
        const uint32_t cnt = rd32(t + e + 4, le);
        if (type != 3 || cnt < 1) return 1; /* SHORT */
        const unsigned v = rd16(t + e + 8, le);
        return (v >= 1 && v <= 8) ? (int)v : 1;
    }
    return 1;
}

hx_status hx_image_apply_orientation(hx_image *img, int o, hx_error *err) {
    if (o <= 1 || o > 8) return HX_OK;
    const int W = img->width, H = img->height;
    const int swap = o >= 5;
    const int ow = swap ? H : W, oh = swap ? W : H;
    uint8_t *out = malloc((size_t)W * H * 3);
    if (!out) return hx_fail(err, HX_ENOMEM, "out of memory rotating a %dx%d image", W, H);
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int sx, sy; /* source pixel of output (x, y) */
            switch (o) {
            case 2: sx = W - 1 - x, sy = y; break;         /* mirror left-right */
            case 3: sx = W - 1 - x, sy = H - 1 - y; break; /* rotate 180 */
            case 4: sx = x, sy = H - 1 - y; break;         /* mirror top-bottom */
            case 5: sx = y, sy = x; break;                 /* transpose */
            case 6: sx = y, sy = H - 1 - x; break;         /* rotate 90 clockwise */
            case 7: sx = W - 1 - y, sy = H - 1 - x; break; /* transverse */
            default: sx = W - 1 - y, sy = x; break;        /* 8: rotate 90 counter-clockwise */
            }
            memcpy(out + ((size_t)y * ow + x) * 3, img->rgb + ((size_t)sy * W + sx) * 3, 3);
        }
    free(img->rgb);
    img->rgb = out;
    img->width = ow;
    img->height = oh;
    return HX_OK;
}

/* PIL's CMYK -> RGB (on ink amounts): R = (255 - K) - (C * (255 - K)) / 255, rounded. */
static uint8_t cmyk_channel(unsigned ink, unsigned k) {
    const unsigned nk = 255 - k;
    const unsigned t = ink * nk + 128;
    const unsigned m = ((t >> 8) + t) >> 8;
    return (uint8_t)(nk > m ? nk - m : 0);
}

/* The decode itself. The row buffer comes from libjpeg's pool, so the
 * caller's jpeg_destroy_decompress frees it even after a longjmp; out->rgb is
 * freed by the caller on error. */
static hx_status decode(struct jpeg_decompress_struct *ci, error_mgr *em, const uint8_t *buf,
                        size_t len, size_t max_pixels, hx_image *out, hx_error *err) {
    jpeg_mem_src(ci, buf, (unsigned long)len);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
    if (jpeg_read_header(ci, TRUE) != JPEG_HEADER_OK)
        return hx_fail(err, HX_EFORMAT, "not a JPEG image (no image header)");
    if (ci->data_precision != 8)
        return hx_fail(err, HX_EUNSUPPORTED, "%d-bit JPEG is not supported (8-bit only)",
                       ci->data_precision);
    const size_t w = ci->image_width, h = ci->image_height;
    if (w == 0 || h == 0) return hx_fail(err, HX_EFORMAT, "JPEG has zero width or height");
    if (w > 65500 || h > 65500 || w * h > max_pixels)
        return hx_fail(err, HX_ERANGE, "JPEG is %zux%zu pixels, above the limit of %zu pixels", w, h,
                       max_pixels);
    int cmyk = 0;
    switch (ci->jpeg_color_space) {
    case JCS_GRAYSCALE: ci->out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: ci->out_color_space = JCS_CMYK, cmyk = 1; break;
    case JCS_YCbCr:
    case JCS_RGB: ci->out_color_space = JCS_RGB; break;
    default:
        return hx_fail(err, HX_EUNSUPPORTED, "JPEG colour space with %d components is not supported",
                       ci->num_components);
    }
    int orientation = 1;
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && !memcmp(m->data, "Exif\0\0", 6)) {
            orientation = hx_exif_orientation(m->data, m->data_length);
            break;
        }
    jpeg_start_decompress(ci);
    const int single_scan = !jpeg_has_multiple_scans(ci);
    const size_t imcu_rows = (size_t)ci->max_v_samp_factor * DCTSIZE;
    const int nc = ci->output_components;
    if (ci->output_width != w || ci->output_height != h || (nc != 1 && nc != 3 && nc != 4))
        return hx_fail(err, HX_EINTERNAL, "unexpected libjpeg output geometry");
    out->rgb = malloc(w * h * 3);
    JSAMPARRAY rows = (*ci->mem->alloc_sarray)((j_common_ptr)ci, JPOOL_IMAGE, (JDIMENSION)(w * (size_t)nc), 1);
    if (!out->rgb) return hx_fail(err, HX_ENOMEM, "out of memory for a %zux%zu image", w, h);
    out->width = (int)w;
    out->height = (int)h;
    const int adobe_inverted = cmyk && ci->saw_Adobe_marker;
    while (ci->output_scanline < h) {
        const size_t y = ci->output_scanline;
        const JSAMPROW row = rows[0];
        if (jpeg_read_scanlines(ci, rows, 1) != 1) return hx_fail(err, HX_EFORMAT, "JPEG data ends early");
        /* The arithmetic decoder meets a marker without a warning and goes
         * on with zeros. In a single-scan file it reaches the end marker
         * only in the last rows (it reads a few bytes ahead); meeting one
         * earlier means the data was cut short and an end marker put back
         * (restart markers RST0..7 belong inside the data). */
        if (single_scan && !em->damaged && ci->unread_marker &&
            (ci->unread_marker < JPEG_RST0 || ci->unread_marker > JPEG_RST0 + 7) &&
            (size_t)ci->output_scanline + 2 * imcu_rows < h) {
            em->damaged = JWRN_HIT_MARKER;
            snprintf(em->damage, sizeof em->damage, "marker 0x%02x inside the image data",
                     (unsigned)ci->unread_marker);
        }
        uint8_t *d = out->rgb + y * w * 3;
        for (size_t x = 0; x < w; x++) {
            const uint8_t *s = row + x * (size_t)nc;
            if (nc == 1) {
                d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = s[0];
            } else if (nc == 3) {
                memcpy(d + 3 * x, s, 3);
            } else {
                unsigned ink[4];
                for (int c = 0; c < 4; c++) ink[c] = adobe_inverted ? 255u - s[c] : s[c];
                for (int c = 0; c < 3; c++) d[3 * x + c] = cmyk_channel(ink[c], ink[3]);
            }
        }
    }
    /* A progressive file cut at a scan boundary and given its end marker
     * back warns about nothing but lacks the later scans: some coefficient
     * was never sent (-1) or never refined to full precision (> 0). */
    if (ci->progressive_mode && ci->coef_bits && !em->damaged)
        for (int c = 0; c < ci->num_components && !em->damaged; c++)
            for (int k = 0; k < DCTSIZE2; k++)
                if (ci->coef_bits[c][k] != 0) {
                    em->damaged = JWRN_JPEG_EOF;
                    snprintf(em->damage, sizeof em->damage, "progressive scans missing");
                    break;
                }
    jpeg_finish_decompress(ci);
    if (em->damaged)
        return hx_fail(err, HX_EFORMAT, "JPEG data is %s (%s)",
                       em->damaged == JWRN_JPEG_EOF || em->damaged == JWRN_HIT_MARKER
                           ? "truncated or damaged" : "damaged",
                       em->damage);
    out->orientation = orientation;
    return hx_image_apply_orientation(out, orientation, err);
}

hx_status hx_decode_jpeg(const uint8_t *buf, size_t len, size_t max_pixels, hx_image *out,
                         hx_error *err) {
    memset(out, 0, sizeof *out);
    if (len < 4 || buf[0] != 0xFF || buf[1] != 0xD8)
        return hx_fail(err, HX_EFORMAT, "not a JPEG file (no SOI marker)");
    if (len > HX_IMAGE_MAX_FILE_BYTES) return hx_fail(err, HX_ERANGE, "JPEG file is too large");
    struct jpeg_decompress_struct ci;
    error_mgr em;
    memset(&ci, 0, sizeof ci);
    ci.err = jpeg_std_error(&em.pub);
    em.pub.error_exit = on_error_exit;
    em.pub.emit_message = on_emit_message;
    em.pub.output_message = on_output_message;
    em.damaged = 0;
    em.damage[0] = 0;
    hx_status st;
    if (setjmp(em.jump)) {
        char msg[JMSG_LENGTH_MAX];
        em.pub.format_message((j_common_ptr)&ci, msg);
        const int precision = em.pub.msg_code == JERR_BAD_PRECISION;
        st = hx_fail(err, precision ? HX_EUNSUPPORTED : HX_EFORMAT, "%s%s",
                     precision ? "unsupported JPEG sample precision (8-bit only): " : "bad JPEG: ", msg);
        goto done;
    }
    jpeg_create_decompress(&ci);
    st = decode(&ci, &em, buf, len, max_pixels, out, err);
done:
    jpeg_destroy_decompress(&ci);
    if (st != HX_OK) hx_image_free(out);
    return st;
}

hx_status hx_decode_jpeg_file(const char *path, size_t max_pixels, hx_image *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    char *buf;
    size_t len;
    hx_status st = hx_read_file(path, HX_IMAGE_MAX_FILE_BYTES, &buf, &len, err);
    if (st != HX_OK) return st; /* the message names path */
    st = hx_decode_jpeg((const uint8_t *)buf, len, max_pixels, out, err);
    free(buf);
    if (st != HX_OK && err) {
        /* Name the file, as every reader does. */
        char msg[HX_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        hx_fail(err, st, "%s: %s", path, msg);
    }
    return st;
}

void hx_image_free(hx_image *img) {
    if (!img) return;
    free(img->rgb);
    img->rgb = NULL;
}
