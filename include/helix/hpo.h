/* The Human Phenotype Ontology, read from its obographs JSON (hp.json), as
 * docs/udp-task.md defines it (tools/train/hpo.py is the same reading in
 * Python):
 *   - a term is a node with id http://purl.obolibrary.org/obo/HP_<7 digits>
 *     (written HP:<7 digits>) and type CLASS;
 *   - obsolete: meta.deprecated true; its replacement is the basic property
 *     IAO_0100001 ("term replaced by");
 *   - alternative ids: oboInOwl#hasAlternativeId values of a term;
 *   - parents: is_a edges between two terms (sub is_a obj).
 * Terms are numbered 0..n-1 in file order. */
#ifndef HELIX_HPO_H
#define HELIX_HPO_H

#include <stddef.h>
#include <stdint.h>

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_hpo hx_hpo;

typedef enum {
    HX_HPO_CURRENT = 0, /* a live term */
    HX_HPO_ALT_ID,      /* an alternative id of a live term */
    HX_HPO_REPLACED,    /* an obsolete term with a (chain of) replacement(s) */
    HX_HPO_OBSOLETE,    /* an obsolete term with no live replacement */
    HX_HPO_UNKNOWN,     /* well formed but not in this ontology (e.g. newer) */
    HX_HPO_MALFORMED    /* not an HP id (HP:nnnnnnn or its PURL) */
} hx_hpo_resolution;

/* json: the whole file (need not be NUL-terminated). */
hx_status hx_hpo_load_json(const char *json, size_t len, hx_hpo **out, hx_error *err);
/* An uncompressed hp.json file. */
hx_status hx_hpo_load_file(const char *path, hx_hpo **out, hx_error *err);
void hx_hpo_free(hx_hpo *h);

/* graphs[0].meta.version, or "" */
const char *hx_hpo_version(const hx_hpo *h);
size_t hx_hpo_n_terms(const hx_hpo *h);
/* "HP:nnnnnnn" of term t (a static buffer per ontology is NOT used: out must
 * hold 11 bytes). */
void hx_hpo_term_id(const hx_hpo *h, int32_t t, char out[11]);
int hx_hpo_is_obsolete(const hx_hpo *h, int32_t t);
/* The is_a parents of t (deduplicated, file order). */
const int32_t *hx_hpo_parents(const hx_hpo *h, int32_t t, size_t *n);

/* Maps an id (HP:nnnnnnn, or the PURL form) to a live term; *term = -1 unless
 * the result is CURRENT, ALT_ID or REPLACED. */
hx_hpo_resolution hx_hpo_resolve(const hx_hpo *h, const char *id, int32_t *term);
const char *hx_hpo_resolution_name(hx_hpo_resolution r);

/* Sets mark[a] = 1 for t and every ancestor of t by is_a (mark: n_terms
 * bytes, not cleared first, so that calls accumulate a union; already-marked
 * terms are not walked again). */
hx_status hx_hpo_mark_ancestors(const hx_hpo *h, int32_t t, uint8_t *mark, hx_error *err);


/* The ontology as an .hlx file ("arch": "hpo"): what the reader above keeps
 * (term numbers, obsolete flags, replacements, is_a parents, alternative ids)
 * as tensors, without labels or definitions, so that a 20 MB hp.json becomes
 * a ~0.4 MB file that `helix udp` can carry. Tensors: hpo.term (i32 [n],
 * the 7-digit numbers), hpo.obsolete (u8 [n]), hpo.replaced_by (i32 [n],
 * -1 = none), hpo.parent_offset (i64 [n+1]), hpo.parents (i32 [E], term
 * indices), hpo.alt_id (i32 [A]), hpo.alt_term (i32 [A]). */
hx_status hx_hpo_write_hlx(const hx_hpo *h, const char *source, const char *path, hx_error *err);
hx_status hx_hpo_open_hlx(const char *path, hx_hpo **out, hx_error *err);

HX_API_END
#endif
