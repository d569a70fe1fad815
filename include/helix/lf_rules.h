/* Labeling functions without code: keyword, regular-expression and
 * threshold rules read from a JSON file and applied to JSONL records.
 *
 *   {"cardinality": 2, "labels": ["ham", "spam"],            (labels optional)
 *    "lfs": [
 *      {"name": "kw", "type": "keyword", "field": "text", "keywords": ["check out"],
 *       "label": 1, "case_sensitive": false, "whole_word": false},
 *      {"name": "re", "type": "regex", "field": "text", "pattern": "https?://",
 *       "flags": "i", "label": 1},
 *      {"name": "th", "type": "threshold", "field": "score", "measure": "value",
 *       "op": ">=", "value": 0.5, "label": 1}]}
 *
 * Semantics (each rule votes its label or abstains with -1):
 * - keyword: the field is a string containing one of the keywords as bytes;
 *   case-insensitive means ASCII case folding; whole_word requires the match
 *   not to touch an ASCII letter, digit or '_' on either side.
 * - regex: POSIX extended regular expression (regcomp REG_EXTENDED) found
 *   anywhere in the field, "i" flag = REG_ICASE; matched on the bytes in the C
 *   locale (ASCII case folding). A string with an embedded NUL is matched up
 *   to the NUL.
 * - threshold: measure "value" (the field is a JSON number), "chars" (the
 *   number of UTF-8 code points of a string field) or "words" (runs of bytes
 *   other than ASCII whitespace), compared with op <, <=, >, >=, ==, !=.
 * A missing field or a field of the wrong type abstains. */
#ifndef HELIX_LF_RULES_H
#define HELIX_LF_RULES_H

struct cJSON;
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum { HX_LF_KEYWORD, HX_LF_REGEX, HX_LF_THRESHOLD } hx_lf_kind;
typedef enum { HX_LF_MEASURE_VALUE, HX_LF_MEASURE_CHARS, HX_LF_MEASURE_WORDS } hx_lf_measure;
typedef enum { HX_LF_LT, HX_LF_LE, HX_LF_GT, HX_LF_GE, HX_LF_EQ, HX_LF_NE } hx_lf_op;

typedef struct {
    char *name;
    char *field;
    hx_lf_kind kind;
    int32_t label;
    /* keyword */
    char **keywords;    /* lower-cased when !case_sensitive */
    size_t *keyword_len;
    int n_keywords;
    int case_sensitive, whole_word;
    /* regex */
    regex_t re;
    int re_compiled;
    /* threshold */
    hx_lf_measure measure;
    hx_lf_op op;
    double value;
} hx_lf_rule;

typedef struct {
    int k;
    int n_lfs;
    hx_lf_rule *lfs;
} hx_lf_set;

/* Parses and validates an LF file's text (hostile input: every field is
 * checked; errors name the LF index). */
hx_status hx_lf_set_parse(const char *text, size_t len, hx_lf_set *set, hx_error *err);
hx_status hx_lf_set_load(const char *path, hx_lf_set *set, hx_error *err);
void hx_lf_set_free(hx_lf_set *set);

/* votes[j] = vote of LF j on record (a JSON object; anything else abstains). */
void hx_lf_set_apply(const hx_lf_set *set, const struct cJSON *record, int32_t *votes);

/* votes[j] = vote of LF j on a record whose only field, `field`, is the
 * string text[0..len) (which need not be NUL-terminated; as for a JSON
 * string, it ends at its first NUL): rules over other fields abstain.
 * HX_ENOMEM is the only failure. */
hx_status hx_lf_set_apply_text(const hx_lf_set *set, const char *field, const char *text, size_t len,
                               int32_t *votes, hx_error *err);

HX_API_END
#endif
