/* Undiagnosed-disease triage (docs/udp-task.md): a phenopacket's observed
 * HPO terms are resolved in the ontology (alternative ids, replacements),
 * closed upwards over is_a, and turned into one 0/1 feature per HPO term a
 * target's forest was trained on (the forest's feature names); every
 * target's forest then gives P(target = 1).
 *
 * The models come from a config JSON, paths relative to it:
 *   {"format": "helix-udp-v1", "ontology": "hpo.hlx" | "hp.json",
 *    "targets": [{"name": "male", "model": "udp_male.hlx"}, ...]}
 * A forest whose feature names are not current terms of the ontology is
 * refused. */
#ifndef HELIX_UDP_H
#define HELIX_UDP_H

#include <stddef.h>

#include "helix/hpo.h"
#include "helix/phenopacket.h"
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

#define HX_UDP_MAX_TARGETS 32

typedef struct hx_udp hx_udp;

typedef struct {
    int reserved; /* no options yet; pass NULL */
} hx_udp_options;

hx_status hx_udp_open(const char *config_path, const hx_udp_options *opts, hx_udp **out, hx_error *err);
void hx_udp_close(hx_udp *u);

/* The targets in config order: their names, and each one's index into
 * hx_udp_target_names (HX_UDP_MALE ...). */
int hx_udp_n_targets(const hx_udp *u);
const char *hx_udp_target_name(const hx_udp *u, int k);
int hx_udp_target(const hx_udp *u, int k);
const hx_hpo *hx_udp_ontology(const hx_udp *u);

/* prob[k] = P(target k = 1) for one patient (hx_udp_n_targets values). why
 * (p->n_observed entries, may be NULL) receives how each observed id
 * resolved: ids that are not CURRENT, ALT_ID or REPLACED contribute no
 * feature and are the record's unresolved ones. */
hx_status hx_udp_score(const hx_udp *u, const hx_phenopacket *p, double *prob, hx_hpo_resolution *why,
                       hx_error *err);

/* The talk's table, accumulated one patient at a time: per target, over the
 * patients whose target the record itself gives (hx_phenopacket_targets),
 * the number, correct answers at P >= 0.5 and positives. */
typedef struct {
    long n, correct, ones;
} hx_udp_tally;

typedef struct {
    int n_targets;
    hx_udp_tally tally[HX_UDP_MAX_TARGETS];
} hx_udp_table;

void hx_udp_table_init(const hx_udp *u, hx_udp_table *table);
/* Adds patient p with its probabilities prob (from hx_udp_score). */
void hx_udp_evaluate(const hx_udp *u, const hx_phenopacket *p, const double *prob, hx_udp_table *table);
/* accuracy = correct / n; majority rate = share of the more frequent class
 * (ties count the positives); both NaN when n == 0. */
double hx_udp_tally_accuracy(const hx_udp_tally *t);
double hx_udp_tally_majority_rate(const hx_udp_tally *t);

HX_API_END
#endif
