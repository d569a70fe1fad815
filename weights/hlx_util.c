/* Small checks shared by the .hlx writer, reader and safetensors parser. */
#include "weights/hlx_internal.h"

int hlx_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == 0) return 0;
        if (c < 0x80) { i++; continue; }
        size_t need;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) need = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) need = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) need = 4, cp = c & 0x07;
        else return 0;
        if (n - i < need) return 0;
        for (size_t k = 1; k < need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need;
    }
    return 1;
}
