/* Reading the UDP fields out of a phenopacket: see phenopacket.h. */
#include "helix/phenopacket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

const char *const hx_udp_target_names[HX_UDP_N_TARGETS] = {"male", "pediatric", "structural_variant",
                                                          "biallelic"};

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

void hx_phenopacket_free(hx_phenopacket *p) {
    if (!p) return;
    free(p->id);
    for (size_t i = 0; i < p->n_observed; i++) free(p->observed[i]);
    for (size_t i = 0; i < p->n_excluded; i++) free(p->excluded[i]);
    free(p->observed);
    free(p->excluded);
    free(p->variants);
    memset(p, 0, sizeof *p);
}

/* Reads up to 9 digits followed by unit; advances *s. 1 if read, 0 if the
 * unit is not next, -1 if malformed. */
static int duration_part(const char **s, char unit, long *value) {
    const char *q = *s;
    long v = 0;
    int digits = 0;
    while (*q >= '0' && *q <= '9') {
        if (++digits > 9) return -1;
        v = v * 10 + (*q++ - '0');
    }
    if (digits == 0 || *q != unit) return 0;
    *value = v;
    *s = q + 1;
    return 1;
}

hx_status hx_iso8601_age_years(const char *s, double *years, hx_error *err) {
    const char *q = s;
    long part[4] = {0, 0, 0, 0};
    static const char date_units[4] = {'Y', 'M', 'W', 'D'};
    if (*q++ != 'P') goto bad;
    int any = 0;
    for (int i = 0; i < 4; i++) {
        int r = duration_part(&q, date_units[i], &part[i]);
        if (r < 0) goto bad;
        any |= r;
    }
    if (*q == 'T') {
        q++;
        long ignored;
        int r = duration_part(&q, 'H', &ignored);
        if (r < 0) goto bad;
        any |= r;
        r = duration_part(&q, 'M', &ignored);
        if (r < 0) goto bad;
        any |= r;
        /* seconds: digits, optional fraction, 'S' */
        const char *d = q;
        while (*d >= '0' && *d <= '9') d++;
        if (d > q) {
            if (*d == '.') {
                const char *f = ++d;
                while (*d >= '0' && *d <= '9') d++;
                if (d == f) goto bad;
            }
            if (*d != 'S') goto bad;
            q = d + 1;
            any = 1;
        }
    }
    if (*q != '\0' || !any) goto bad;
    *years = (double)part[0] + (double)part[1] / 12.0 + (double)part[2] * 7 / 365.25 +
             (double)part[3] / 365.25;
    return HX_OK;
bad:
    return hx_fail(err, HX_EFORMAT, "iso8601duration is not a duration like P3Y6M");
}

/* Optional member that must be an object when present; NULL when absent. */
static hx_status opt_object(const cJSON *o, const char *k, const char *where, const cJSON **out,
                            hx_error *err) {
    const cJSON *v = get(o, k);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return HX_OK;
    if (!cJSON_IsObject(v)) return hx_fail(err, HX_EFORMAT, "phenopacket: %s is not an object", where);
    *out = v;
    return HX_OK;
}

static hx_status opt_array(const cJSON *o, const char *k, const char *where, const cJSON **out,
                           hx_error *err) {
    const cJSON *v = get(o, k);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return HX_OK;
    if (!cJSON_IsArray(v)) return hx_fail(err, HX_EFORMAT, "phenopacket: %s is not an array", where);
    *out = v;
    return HX_OK;
}

static hx_status read_subject(const cJSON *root, hx_phenopacket *p, hx_error *err) {
    const cJSON *subj, *t, *age;
    hx_status st = opt_object(root, "subject", "subject", &subj, err);
    if (st != HX_OK || !subj) return st;
    const cJSON *sex = get(subj, "sex");
    if (sex) {
        if (!cJSON_IsString(sex)) return hx_fail(err, HX_EFORMAT, "phenopacket: subject.sex is not a string");
        const char *s = sex->valuestring;
        if (!strcmp(s, "MALE")) p->sex = HX_SEX_MALE;
        else if (!strcmp(s, "FEMALE")) p->sex = HX_SEX_FEMALE;
        else if (!strcmp(s, "OTHER_SEX")) p->sex = HX_SEX_OTHER;
        else if (!strcmp(s, "UNKNOWN_SEX")) p->sex = HX_SEX_UNKNOWN;
        else return hx_fail(err, HX_EFORMAT, "phenopacket: subject.sex is not a GA4GH Sex value");
    }
    st = opt_object(subj, "timeAtLastEncounter", "subject.timeAtLastEncounter", &t, err);
    if (st != HX_OK || !t) return st;
    st = opt_object(t, "age", "subject.timeAtLastEncounter.age", &age, err);
    if (st != HX_OK) return st;
    if (age) {
        const cJSON *d = get(age, "iso8601duration");
        if (!cJSON_IsString(d))
            return hx_fail(err, HX_EFORMAT, "phenopacket: timeAtLastEncounter.age has no iso8601duration string");
        st = hx_iso8601_age_years(d->valuestring, &p->age_years, err);
        if (st != HX_OK) {
            /* copied first: hx_fail formats into err->msg, which must not be
             * an argument of that same format */
            char why[HX_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            return hx_fail(err, st, "phenopacket: subject.timeAtLastEncounter.age: %.400s", why);
        }
        p->has_age = true;
    } else if (get(t, "gestationalAge")) {
        p->has_age = true; /* before birth */
        p->age_years = 0.0;
    }
    return HX_OK;
}

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static hx_status read_features(const cJSON *root, hx_phenopacket *p, hx_error *err) {
    const cJSON *arr, *pf;
    hx_status st = opt_array(root, "phenotypicFeatures", "phenotypicFeatures", &arr, err);
    if (st != HX_OK || !arr) return st;
    size_t n = (size_t)cJSON_GetArraySize(arr);
    p->observed = calloc(n ? n : 1, sizeof *p->observed);
    p->excluded = calloc(n ? n : 1, sizeof *p->excluded);
    if (!p->observed || !p->excluded) return hx_fail(err, HX_ENOMEM, "phenopacket: out of memory");
    size_t i = 0;
    cJSON_ArrayForEach(pf, arr) {
        const cJSON *type;
        if (!cJSON_IsObject(pf))
            return hx_fail(err, HX_EFORMAT, "phenopacket: phenotypicFeatures[%zu] is not an object", i);
        st = opt_object(pf, "type", "phenotypicFeatures[].type", &type, err);
        if (st != HX_OK) return st;
        const cJSON *id = get(type, "id");
        if (!cJSON_IsString(id))
            return hx_fail(err, HX_EFORMAT, "phenopacket: phenotypicFeatures[%zu].type.id missing", i);
        const cJSON *ex = get(pf, "excluded");
        if (ex && !cJSON_IsBool(ex))
            return hx_fail(err, HX_EFORMAT, "phenopacket: phenotypicFeatures[%zu].excluded is not a boolean", i);
        char *s = dup_string(id->valuestring);
        if (!s) return hx_fail(err, HX_ENOMEM, "phenopacket: out of memory");
        if (ex && cJSON_IsTrue(ex)) p->excluded[p->n_excluded++] = s;
        else p->observed[p->n_observed++] = s;
        i++;
    }
    return HX_OK;
}

static hx_status read_variants(const cJSON *root, hx_phenopacket *p, hx_error *err) {
    const cJSON *its, *it;
    hx_status st = opt_array(root, "interpretations", "interpretations", &its, err);
    if (st != HX_OK || !its) return st;
    for (int pass = 0; pass < 2; pass++) {
        size_t count = 0;
        cJSON_ArrayForEach(it, its) {
            const cJSON *diag, *gis, *gi;
            if (!cJSON_IsObject(it)) return hx_fail(err, HX_EFORMAT, "phenopacket: interpretations entry is not an object");
            if ((st = opt_object(it, "diagnosis", "interpretations[].diagnosis", &diag, err))) return st;
            if (!diag) continue;
            if ((st = opt_array(diag, "genomicInterpretations", "diagnosis.genomicInterpretations", &gis, err)))
                return st;
            cJSON_ArrayForEach(gi, gis) {
                const cJSON *vi, *vd, *as;
                if (!cJSON_IsObject(gi))
                    return hx_fail(err, HX_EFORMAT, "phenopacket: genomicInterpretations entry is not an object");
                if ((st = opt_object(gi, "variantInterpretation", "variantInterpretation", &vi, err))) return st;
                if (!vi) continue;
                if ((st = opt_object(vi, "variationDescriptor", "variationDescriptor", &vd, err))) return st;
                if (pass == 1) {
                    hx_pp_variant *v = &p->variants[count];
                    v->kind = get(vd, "structuralType") ? HX_VARIANT_STRUCTURAL
                              : get(vd, "vcfRecord")    ? HX_VARIANT_SMALL
                                                        : HX_VARIANT_OTHER;
                    v->state = HX_ALLELE_UNKNOWN;
                    if ((st = opt_object(vd, "allelicState", "variationDescriptor.allelicState", &as, err)))
                        return st;
                    const cJSON *label = get(as, "label");
                    if (cJSON_IsString(label)) {
                        const char *l = label->valuestring;
                        if (!strcmp(l, "heterozygous")) v->state = HX_ALLELE_HETEROZYGOUS;
                        else if (!strcmp(l, "homozygous")) v->state = HX_ALLELE_HOMOZYGOUS;
                        else if (!strcmp(l, "hemizygous")) v->state = HX_ALLELE_HEMIZYGOUS;
                    }
                }
                count++;
            }
        }
        if (pass == 0) {
            p->variants = calloc(count ? count : 1, sizeof *p->variants);
            if (!p->variants) return hx_fail(err, HX_ENOMEM, "phenopacket: out of memory");
        } else {
            p->n_variants = count;
        }
    }
    return HX_OK;
}

hx_status hx_phenopacket_from_json(const cJSON *root, hx_phenopacket *p, hx_error *err) {
    memset(p, 0, sizeof *p);
    if (!cJSON_IsObject(root)) return hx_fail(err, HX_EFORMAT, "phenopacket: record is not a JSON object");
    const cJSON *id = get(root, "id");
    if (!cJSON_IsString(id)) return hx_fail(err, HX_EFORMAT, "phenopacket: missing \"id\" string");
    hx_status st = HX_OK;
    if (!(p->id = dup_string(id->valuestring))) st = hx_fail(err, HX_ENOMEM, "phenopacket: out of memory");
    if (st == HX_OK) st = read_subject(root, p, err);
    if (st == HX_OK) st = read_features(root, p, err);
    if (st == HX_OK) st = read_variants(root, p, err);
    if (st != HX_OK) hx_phenopacket_free(p);
    return st;
}

hx_status hx_phenopacket_parse(const char *json, size_t len, hx_phenopacket *p, hx_error *err) {
    memset(p, 0, sizeof *p);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return hx_fail(err, HX_EFORMAT, "phenopacket: not valid JSON");
    hx_status st = hx_phenopacket_from_json(root, p, err);
    cJSON_Delete(root);
    return st;
}

void hx_phenopacket_targets(const hx_phenopacket *p, int out[HX_UDP_N_TARGETS]) {
    out[HX_UDP_MALE] = p->sex == HX_SEX_MALE ? 1 : p->sex == HX_SEX_FEMALE ? 0 : -1;
    out[HX_UDP_PEDIATRIC] = p->has_age ? (p->age_years < 18.0) : -1;
    int structural = 0, hom = 0, het = 0;
    for (size_t i = 0; i < p->n_variants; i++) {
        structural |= p->variants[i].kind == HX_VARIANT_STRUCTURAL;
        hom |= p->variants[i].state == HX_ALLELE_HOMOZYGOUS;
        het += p->variants[i].state == HX_ALLELE_HETEROZYGOUS;
    }
    out[HX_UDP_STRUCTURAL] = p->n_variants ? structural : -1;
    out[HX_UDP_BIALLELIC] = p->n_variants ? (hom || het >= 2) : -1;
}
