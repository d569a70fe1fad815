/* Keyword / regex / threshold labeling functions (see lf_rules.h). */
#include "helix/lf_rules.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/file_util.h"

#define MAX_LFS 100000
#define LF_FILE_MAX ((size_t)1 << 30)

static void rule_free(hx_lf_rule *r) {
    free(r->name);
    free(r->field);
    if (r->keywords)
        for (int i = 0; i < r->n_keywords; i++) free(r->keywords[i]);
    free(r->keywords);
    free(r->keyword_len);
    if (r->re_compiled) regfree(&r->re);
}

void hx_lf_set_free(hx_lf_set *set) {
    if (!set) return;
    for (int i = 0; i < set->n_lfs; i++) rule_free(&set->lfs[i]);
    free(set->lfs);
    memset(set, 0, sizeof *set);
}

static void ascii_lower(char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
}

static const char *get_string(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int get_bool(const cJSON *o, const char *key, int dflt, int *ok) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) return dflt;
    if (!cJSON_IsBool(v)) *ok = 0;
    return cJSON_IsTrue(v);
}


/* glibc's regcomp copies the tree of a repeated atom once per repetition
 * ("a+" is "aa*", "a{2,9}" nine copies), so repetition stacked on repetition
 * ("e+++...", "((a+)+)+", "(a{99}){99}") grows exponentially: a 1 KB LF file
 * took more than 2 GB to compile. This estimates the compiled size the same
 * way (each atom 1, a group the sum of its parts, times 2 for +, times the
 * upper bound, or lower + 1, for {n,m}) and refuses patterns above a bound
 * no real LF pattern comes near. Malformed syntax is left to regcomp. */
#define LF_MAX_PATTERN 2048
#define LF_MAX_COST 20000.0

static double re_seq(const char **p, int depth);

static double re_atom(const char **p, int depth) {
    const char *s = *p;
    double size = 1;
    if (*s == '(') {
        s++;
        size = 1 + re_seq(&s, depth + 1);
        if (*s == ')') s++;
    } else if (*s == '[') {
        s++;
        if (*s == '^') s++;
        if (*s == ']') s++;
        while (*s && *s != ']') {
            if (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
                const char close = s[1];
                s += 2;
                while (*s && !(s[0] == close && s[1] == ']')) s++;
                if (*s) s += 2;
            } else {
                s++;
            }
        }
        if (*s) s++;
    } else if (*s == '\\' && s[1]) {
        s += 2;
    } else {
        s++;
    }
    for (;;) { /* quantifiers, possibly stacked */
        if (*s == '*' || *s == '?') {
            size += 1;
            s++;
        } else if (*s == '+') {
            size *= 2;
            s++;
        } else if (*s == '{') {
            const char *q = s + 1;
            double lo = 0, hi = -1;
            while (*q >= '0' && *q <= '9') lo = lo * 10 + (*q++ - '0');
            if (*q == ',') {
                q++;
                if (*q >= '0' && *q <= '9') {
                    hi = 0;
                    while (*q >= '0' && *q <= '9') hi = hi * 10 + (*q++ - '0');
                }
            } else {
                hi = lo;
            }
            if (*q != '}') break; /* not a bound: regcomp judges it */
            size *= (hi < 0 ? lo + 1 : hi) + 1;
            s = q + 1;
        } else {
            break;
        }
        if (size > LF_MAX_COST) break;
    }
    *p = s;
    return size;
}

/* A sequence (alternatives included) up to ')' or the end. */
static double re_seq(const char **p, int depth) {
    double total = 0;
    if (depth > 64) return LF_MAX_COST + 1;
    while (**p && **p != ')' && total <= LF_MAX_COST) {
        if (**p == '|') {
            (*p)++;
            continue;
        }
        total += re_atom(p, depth);
    }
    return total;
}

static int regex_too_costly(const char *pat) {
    if (strlen(pat) > LF_MAX_PATTERN) return 1;
    const char *p = pat;
    double cost = 0;
    while (*p && cost <= LF_MAX_COST) {
        cost += re_seq(&p, 0);
        if (*p == ')') p++; /* unbalanced: regcomp reports it */
    }
    return cost > LF_MAX_COST;
}

static hx_status parse_rule(const cJSON *o, int idx, int k, hx_lf_rule *r, hx_error *err) {
    if (!cJSON_IsObject(o)) return hx_fail(err, HX_EFORMAT, "LF %d is not a JSON object", idx);
    const char *name = get_string(o, "name"), *field = get_string(o, "field"), *type = get_string(o, "type");
    if (!field || !*field) return hx_fail(err, HX_EFORMAT, "LF %d: \"field\" must be a non-empty string", idx);
    if (!type) return hx_fail(err, HX_EFORMAT, "LF %d: \"type\" is missing", idx);
    char dflt[32];
    snprintf(dflt, sizeof dflt, "lf_%d", idx);
    r->name = strdup(name && *name ? name : dflt);
    r->field = strdup(field);
    if (!r->name || !r->field) return hx_fail(err, HX_ENOMEM, "out of memory");
    const cJSON *lab = cJSON_GetObjectItemCaseSensitive(o, "label");
    if (!cJSON_IsNumber(lab) || lab->valuedouble != floor(lab->valuedouble) || lab->valuedouble < 0 ||
        lab->valuedouble >= k)
        return hx_fail(err, HX_EFORMAT, "LF %d: \"label\" must be an integer in 0..%d", idx, k - 1);
    r->label = (int32_t)lab->valuedouble;
    int ok = 1;
    if (!strcmp(type, "keyword")) {
        r->kind = HX_LF_KEYWORD;
        r->case_sensitive = get_bool(o, "case_sensitive", 0, &ok);
        r->whole_word = get_bool(o, "whole_word", 0, &ok);
        if (!ok) return hx_fail(err, HX_EFORMAT, "LF %d: case_sensitive / whole_word must be booleans", idx);
        const cJSON *kw = cJSON_GetObjectItemCaseSensitive(o, "keywords");
        int n = cJSON_IsArray(kw) ? cJSON_GetArraySize(kw) : 0;
        if (n <= 0 || n > 1000000)
            return hx_fail(err, HX_EFORMAT, "LF %d: \"keywords\" must be a non-empty array of strings", idx);
        r->keywords = calloc((size_t)n, sizeof *r->keywords);
        r->keyword_len = calloc((size_t)n, sizeof *r->keyword_len);
        if (!r->keywords || !r->keyword_len) return hx_fail(err, HX_ENOMEM, "out of memory");
        const cJSON *it;
        cJSON_ArrayForEach(it, kw) {
            if (!cJSON_IsString(it) || !it->valuestring[0])
                return hx_fail(err, HX_EFORMAT, "LF %d: keyword %d is not a non-empty string", idx, r->n_keywords);
            size_t len = strlen(it->valuestring);
            char *s = strdup(it->valuestring);
            if (!s) return hx_fail(err, HX_ENOMEM, "out of memory");
            if (!r->case_sensitive) ascii_lower(s, len);
            r->keywords[r->n_keywords] = s;
            r->keyword_len[r->n_keywords++] = len;
        }
    } else if (!strcmp(type, "regex")) {
        r->kind = HX_LF_REGEX;
        const char *pat = get_string(o, "pattern");
        if (!pat) return hx_fail(err, HX_EFORMAT, "LF %d: \"pattern\" must be a string", idx);
        const char *flags = get_string(o, "flags");
        int cflags = REG_EXTENDED | REG_NOSUB;
        if (cJSON_GetObjectItemCaseSensitive(o, "flags") && !flags)
            return hx_fail(err, HX_EFORMAT, "LF %d: \"flags\" must be a string", idx);
        for (const char *f = flags; f && *f; f++) {
            if (*f == 'i') cflags |= REG_ICASE;
            else return hx_fail(err, HX_EFORMAT, "LF %d: unknown regex flag (only \"i\")", idx);
        }
        if (regex_too_costly(pat))
            return hx_fail(err, HX_EFORMAT,
                           "LF %d: regular expression too long or too deeply repeated "
                           "(stacked or nested repetition; at most %d bytes)",
                           idx, LF_MAX_PATTERN);
        int rc = regcomp(&r->re, pat, cflags);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &r->re, msg, sizeof msg);
            return hx_fail(err, HX_EFORMAT, "LF %d: bad regular expression: %s", idx, msg);
        }
        r->re_compiled = 1;
    } else if (!strcmp(type, "threshold")) {
        r->kind = HX_LF_THRESHOLD;
        const char *measure = get_string(o, "measure");
        if (!measure || !strcmp(measure, "value")) r->measure = HX_LF_MEASURE_VALUE;
        else if (!strcmp(measure, "chars")) r->measure = HX_LF_MEASURE_CHARS;
        else if (!strcmp(measure, "words")) r->measure = HX_LF_MEASURE_WORDS;
        else return hx_fail(err, HX_EFORMAT, "LF %d: \"measure\" must be value, chars or words", idx);
        if (cJSON_GetObjectItemCaseSensitive(o, "measure") && !measure)
            return hx_fail(err, HX_EFORMAT, "LF %d: \"measure\" must be a string", idx);
        const char *op = get_string(o, "op");
        static const char *ops[] = {"<", "<=", ">", ">=", "==", "!="};
        int found = -1;
        for (int i = 0; op && i < 6; i++)
            if (!strcmp(op, ops[i])) found = i;
        if (found < 0) return hx_fail(err, HX_EFORMAT, "LF %d: \"op\" must be one of < <= > >= == !=", idx);
        r->op = (hx_lf_op)found;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return hx_fail(err, HX_EFORMAT, "LF %d: \"value\" must be a finite number", idx);
        r->value = v->valuedouble;
    } else {
        return hx_fail(err, HX_EFORMAT, "LF %d: unknown type (keyword, regex or threshold)", idx);
    }
    return HX_OK;
}

hx_status hx_lf_set_parse(const char *text, size_t len, hx_lf_set *set, hx_error *err) {
    memset(set, 0, sizeof *set);
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j) return hx_fail(err, HX_EFORMAT, "the LF file is not valid JSON");
    hx_status st = HX_OK;
    const cJSON *kj = cJSON_GetObjectItemCaseSensitive(j, "cardinality");
    const cJSON *lfs = cJSON_GetObjectItemCaseSensitive(j, "lfs");
    if (!cJSON_IsNumber(kj) || kj->valuedouble != floor(kj->valuedouble) || kj->valuedouble < 2 ||
        kj->valuedouble > 1024) {
        st = hx_fail(err, HX_EFORMAT, "LF file: \"cardinality\" must be an integer in 2..1024");
        goto out;
    }
    int n = cJSON_IsArray(lfs) ? cJSON_GetArraySize(lfs) : 0;
    if (n <= 0 || n > MAX_LFS) {
        st = hx_fail(err, HX_EFORMAT, "LF file: \"lfs\" must be a non-empty array (at most %d)", MAX_LFS);
        goto out;
    }
    set->k = (int)kj->valuedouble;
    set->lfs = calloc((size_t)n, sizeof *set->lfs);
    if (!set->lfs) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto out; }
    const cJSON *it;
    cJSON_ArrayForEach(it, lfs) {
        st = parse_rule(it, set->n_lfs, set->k, &set->lfs[set->n_lfs], err);
        set->n_lfs++; /* so that free() releases a half-parsed rule too */
        if (st != HX_OK) goto out;
    }
out:
    cJSON_Delete(j);
    if (st != HX_OK) hx_lf_set_free(set);
    return st;
}

hx_status hx_lf_set_load(const char *path, hx_lf_set *set, hx_error *err) {
    memset(set, 0, sizeof *set);
    char *buf;
    size_t n;
    hx_status st = hx_read_file(path, LF_FILE_MAX, &buf, &n, err);
    if (st != HX_OK) return st;
    st = hx_lf_set_parse(buf, n, set, err);
    free(buf);
    return st;
}

static int is_word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int keyword_hit(const char *t, size_t n, const char *kw, size_t kl, int whole_word) {
    const char *p = t, *end = t + n;
    while (p + kl <= end) {
        const char *hit = memmem(p, (size_t)(end - p), kw, kl);
        if (!hit) return 0;
        if (!whole_word) return 1;
        int left = hit == t || !is_word_byte((unsigned char)hit[-1]);
        int right = hit + kl == end || !is_word_byte((unsigned char)hit[kl]);
        if (left && right) return 1;
        p = hit + 1;
    }
    return 0;
}

static double measure_string(const char *s, hx_lf_measure m) {
    size_t count = 0;
    if (m == HX_LF_MEASURE_CHARS) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) count += (*p & 0xC0) != 0x80;
    } else {
        int in_word = 0;
        for (const char *p = s; *p; p++) {
            int ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f';
            if (!ws && !in_word) count++;
            in_word = !ws;
        }
    }
    return (double)count;
}

static int compare(double x, hx_lf_op op, double c) {
    switch (op) {
    case HX_LF_LT: return x < c;
    case HX_LF_LE: return x <= c;
    case HX_LF_GT: return x > c;
    case HX_LF_GE: return x >= c;
    case HX_LF_EQ: return x == c;
    case HX_LF_NE: return x != c;
    }
    return 0;
}

/* The lower-cased copy of a string field, made once per record and field. */
typedef struct {
    const cJSON *item;
    char *lower;
} lower_cache;

void hx_lf_set_apply(const hx_lf_set *set, const cJSON *record, int32_t *votes) {
    lower_cache cache[8];
    int n_cache = 0;
    for (int j = 0; j < set->n_lfs; j++) {
        const hx_lf_rule *r = &set->lfs[j];
        votes[j] = -1;
        if (!cJSON_IsObject(record)) continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(record, r->field);
        if (!v) continue;
        int hit = 0;
        if (r->kind == HX_LF_THRESHOLD) {
            if (r->measure == HX_LF_MEASURE_VALUE) {
                if (!cJSON_IsNumber(v)) continue;
                hit = compare(v->valuedouble, r->op, r->value);
            } else {
                if (!cJSON_IsString(v)) continue;
                hit = compare(measure_string(v->valuestring, r->measure), r->op, r->value);
            }
        } else {
            if (!cJSON_IsString(v)) continue;
            const char *text = v->valuestring;
            if (r->kind == HX_LF_REGEX) {
                hit = regexec(&r->re, text, 0, NULL, 0) == 0;
            } else {
                size_t n = strlen(text);
                if (!r->case_sensitive) {
                    const char *low = NULL;
                    for (int c = 0; c < n_cache; c++)
                        if (cache[c].item == v) low = cache[c].lower;
                    if (!low) {
                        char *s = malloc(n + 1);
                        if (!s) continue; /* out of memory: this LF abstains */
                        memcpy(s, text, n + 1);
                        ascii_lower(s, n);
                        if (n_cache == 8) {
                            free(cache[0].lower);
                            memmove(cache, cache + 1, 7 * sizeof *cache);
                            n_cache--;
                        }
                        cache[n_cache].item = v;
                        cache[n_cache++].lower = s;
                        low = s;
                    }
                    text = low;
                }
                for (int q = 0; q < r->n_keywords && !hit; q++)
                    hit = keyword_hit(text, n, r->keywords[q], r->keyword_len[q], r->whole_word);
            }
        }
        if (hit) votes[j] = r->label;
    }
    for (int c = 0; c < n_cache; c++) free(cache[c].lower);
}

hx_status hx_lf_set_apply_text(const hx_lf_set *set, const char *field, const char *text, size_t len,
                               int32_t *votes, hx_error *err) {
    /* The same rules as for a parsed record, on a one-field record: a JSON
     * string ends at its first NUL, so the text does too. */
    char *s = malloc(len + 1);
    if (!s) return hx_fail(err, HX_ENOMEM, "out of memory for a %zu-byte text", len);
    if (len) memcpy(s, text, len);
    s[len] = '\0';
    cJSON *rec = cJSON_CreateObject();
    if (!rec || !cJSON_AddStringToObject(rec, field, s)) {
        cJSON_Delete(rec);
        free(s);
        return hx_fail(err, HX_ENOMEM, "out of memory for a %zu-byte text", len);
    }
    free(s);
    hx_lf_set_apply(set, rec, votes);
    cJSON_Delete(rec);
    return HX_OK;
}
