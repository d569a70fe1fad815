/* The fields of a GA4GH phenopacket (schema v2) that `helix udp` uses, read
 * as docs/udp-task.md defines them (tools/train/phenopacket.py is the same
 * reading in Python):
 *   id        "id" (a string; required)
 *   sex       subject.sex: MALE, FEMALE, OTHER_SEX, UNKNOWN_SEX (absent: unknown)
 *   age       subject.timeAtLastEncounter: age.iso8601duration "PnYnMnWnD[T...]"
 *             -> Y + M/12 + W*7/365.25 + D/365.25 years (double, in that
 *             order); gestationalAge -> 0; absent or another form -> unknown
 *   observed / excluded  phenotypicFeatures[].type.id by its "excluded" flag
 *   variants  interpretations[].diagnosis.genomicInterpretations[]
 *             .variantInterpretation.variationDescriptor: structural when it has
 *             structuralType, else small when it has vcfRecord, else other;
 *             allelicState.label heterozygous / homozygous / hemizygous.
 * A field of the wrong JSON type is a malformed record (HX_EFORMAT naming
 * the field, never its value). */
#ifndef HELIX_PHENOPACKET_H
#define HELIX_PHENOPACKET_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum { HX_SEX_UNKNOWN = 0, HX_SEX_MALE, HX_SEX_FEMALE, HX_SEX_OTHER } hx_sex;
typedef enum { HX_VARIANT_SMALL = 0, HX_VARIANT_STRUCTURAL, HX_VARIANT_OTHER } hx_variant_kind;
typedef enum {
    HX_ALLELE_UNKNOWN = 0,
    HX_ALLELE_HETEROZYGOUS,
    HX_ALLELE_HOMOZYGOUS,
    HX_ALLELE_HEMIZYGOUS
} hx_allelic_state;

typedef struct {
    hx_variant_kind kind;
    hx_allelic_state state;
} hx_pp_variant;

typedef struct {
    char *id;
    hx_sex sex;
    bool has_age;
    double age_years;
    char **observed; /* HPO ids as written (not yet resolved) */
    size_t n_observed;
    char **excluded;
    size_t n_excluded;
    hx_pp_variant *variants;
    size_t n_variants;
} hx_phenopacket;

/* The targets of the UDP task, in this order; value -1 = unknown. */
enum { HX_UDP_MALE = 0, HX_UDP_PEDIATRIC, HX_UDP_STRUCTURAL, HX_UDP_BIALLELIC, HX_UDP_N_TARGETS };
extern const char *const hx_udp_target_names[HX_UDP_N_TARGETS];

hx_status hx_phenopacket_from_json(const struct cJSON *root, hx_phenopacket *out, hx_error *err);
/* json need not be NUL-terminated. */
hx_status hx_phenopacket_parse(const char *json, size_t len, hx_phenopacket *out, hx_error *err);
void hx_phenopacket_free(hx_phenopacket *p);

/* ISO-8601 duration "PnYnMnWnD" with an optional well-formed time part
 * (which adds nothing), at most 9 digits per number; to years as above. */
hx_status hx_iso8601_age_years(const char *s, double *years, hx_error *err);

/* male: sex MALE 1 / FEMALE 0; pediatric: age < 18; structural: some variant
 * is structural; biallelic: some variant homozygous or >= 2 heterozygous.
 * The last two are unknown when there is no variant. */
void hx_phenopacket_targets(const hx_phenopacket *p, int out[HX_UDP_N_TARGETS]);

HX_API_END
#endif
