/* Weak supervision: combining the votes of many noisy sources (labeling
 * functions, forests, BERTs) into one probabilistic label.
 *
 * - The generative label model of Snorkel (snorkel.labeling.model.LabelModel,
 *   0.10.0): matrix completion over the overlap matrix O, fitted exactly as
 *   snorkel does (same initialisation, seeded RNG draw, optimisers, schedules,
 *   clamp and column-permutation step), so that for the same seed and settings
 *   the learned mu and probabilities agree with snorkel's to float32 level.
 *   The behaviour is specified in ../shared/specs/label_model.md.
 * - Baselines: majority label vote and majority class vote.
 * - Dawid-Skene EM, a second label model with full confusion matrices.
 * - LF analysis (coverage, overlaps, conflicts, empirical accuracy).
 * - Source-subset evaluation against gold labels (the talk's TPR/FPR table).
 *
 * A label matrix L is n x m int32, row-major; L[r*m + j] is the vote of
 * source j on item r: -1 = abstain, else a class in 0..k-1. */
#ifndef HELIX_LABEL_MODEL_H
#define HELIX_LABEL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

#define HX_LM_ABSTAIN (-1)
#define HX_LM_MAX_CARDINALITY 1024
#define HX_LM_MAX_SOURCES 100000
#define HX_LM_MAX_D 4096 /* m * k: mu is d x k, the overlap matrix d x d */

/* ------------------------------------------------------------------ */
/* Label-matrix checks                                                 */

/* HX_EINVAL (naming row and column) unless every entry is in -1..k-1;
 * also rejects n == 0, m == 0 and k < 2. */
hx_status hx_label_matrix_check(const int32_t *L, size_t n, int m, int k, hx_error *err);

/* ------------------------------------------------------------------ */
/* Snorkel LabelModel                                                  */

typedef enum { HX_LM_SGD = 0, HX_LM_ADAM, HX_LM_ADAMAX } hx_lm_optimizer;
typedef enum {
    HX_LM_SCHED_CONSTANT = 0,
    HX_LM_SCHED_LINEAR,
    HX_LM_SCHED_EXPONENTIAL,
    HX_LM_SCHED_STEP
} hx_lm_scheduler;

typedef struct {
    int n_epochs;           /* 100; 0 is allowed (mu stays at its initial value) */
    double lr;              /* 0.01 */
    double l2;              /* 0.0: pulls mu to mu_init (weight l2^2) and to 0 (weight decay l2) */
    hx_lm_optimizer optimizer;  /* sgd */
    double sgd_momentum;    /* 0.9 */
    double beta1, beta2;    /* 0.9, 0.999 (adam, adamax) */
    double eps;             /* 1e-8 (adam, adamax) */
    int amsgrad;            /* 0 (adam) */
    hx_lm_scheduler lr_scheduler;  /* constant */
    int warmup_steps;       /* 0 (epochs) */
    double warmup_percentage;  /* 0.0, used when warmup_steps == 0 */
    double min_lr;          /* 0.0 = no floor */
    double exponential_gamma;  /* 0.9 */
    double step_gamma;      /* 0.9 */
    int step_size;          /* 5 */
    double prec_init;       /* 0.7, used when prec_init_per_lf is NULL */
    const double *prec_init_per_lf;  /* length m, or NULL */
    uint32_t seed;          /* 0; snorkel draws a random default, helix never does */
    double mu_eps;          /* <= 0: min(0.01, 10^-ceil(log10 n)) */
    const double *class_balance;     /* length k, or NULL = uniform */
} hx_lm_config;

/* Fills cfg with snorkel's defaults (seed 0). */
void hx_lm_config_init(hx_lm_config *cfg);

/* A fitted model. mu is d x k row-major (d = m*k): mu[(i*k + j)*k + y] =
 * P(lambda_i = j | Y = y). */
typedef struct {
    int k, m;
    double *p;        /* k class priors */
    float *mu;        /* d * k */
    double *coverage; /* m: fraction of rows where source i voted (for weights) */
} hx_label_model;

/* Fits model on L (n x m, n >= 1, m >= 3, k >= 2, entries -1..k-1).
 * The model is allocated here; release with hx_lm_free. Fails with
 * HX_EINVAL on bad input/config and HX_ERANGE if the loss becomes NaN
 * ("reduce the learning rate"), like snorkel. */
hx_status hx_lm_fit(const int32_t *L, size_t n, int m, int k, const hx_lm_config *cfg,
                    hx_label_model *model, hx_error *err);

/* Allocates an empty model of the given shape (zeros; p uniform). */
hx_status hx_lm_alloc(hx_label_model *model, int m, int k, hx_error *err);
void hx_lm_free(hx_label_model *model);

/* probs (n x k, row-major) = P(Y | votes) in float64. Votes outside 0..k-1
 * count as abstains (as in snorkel). Computed with log-sum-exp, so unlike
 * snorkel a row whose every product underflows still gets finite values.
 * Requires m == model->m (and m >= 3, like snorkel). */
hx_status hx_lm_predict_proba(const hx_label_model *model, const int32_t *L, size_t n, int m,
                              double *probs, hx_error *err);

/* weights[i] = clip(sum_y mu[i*k+y, y] p_y / coverage_i, 1e-6, 1); NaN for
 * a source that never voted (as snorkel). */
void hx_lm_weights(const hx_label_model *model, double *weights);

/* cprobs m x (k+1) x k: [i][0][y] = 1 - sum_j mu[i*k+j, y] (abstain),
 * [i][j+1][y] = mu[i*k+j, y]. */
void hx_lm_conditional_probs(const hx_label_model *model, double *cprobs);

/* The class balance snorkel estimates from dev labels: counts / n. Every
 * label must be in 0..k-1 and every class present (HX_EINVAL otherwise). */
hx_status hx_lm_class_balance_from_gold(const int32_t *Y, size_t n, int k, double *p,
                                        hx_error *err);

/* ------------------------------------------------------------------ */
/* Probabilities -> predictions                                        */

typedef enum {
    HX_TIE_ABSTAIN = 0, /* -1 (LabelModel.predict's default) */
    HX_TIE_RANDOM       /* snorkel's deterministic hash: SHA-1 of the row index */
} hx_tie_policy;

/* preds[r] = the class whose probability is within 1e-5 of the row maximum if
 * unique, else by policy. Row indices for the hash are 0..n-1 of this call. */
void hx_probs_to_preds(const double *probs, size_t n, int k, hx_tie_policy policy,
                       int32_t *preds);

/* ------------------------------------------------------------------ */
/* Baselines                                                           */

/* Majority vote: equal probability on each class with the most votes;
 * all-abstain rows are uniform. Votes outside -1..k-1 are HX_EINVAL. */
hx_status hx_majority_label_proba(const int32_t *L, size_t n, int m, int k, double *probs,
                                  hx_error *err);

/* Every row: equal probability on the class(es) of maximal balance. */
void hx_majority_class_proba(const double *balance, int k, size_t n, double *probs);

/* ------------------------------------------------------------------ */
/* Dawid-Skene EM                                                      */

typedef struct {
    int max_iter;      /* 100 */
    double tol;        /* 1e-6: stop when the mean log-likelihood improves less */
    double smoothing;  /* 0.01: Dirichlet pseudo-count on every confusion cell */
    int model_abstain; /* 1: an abstain is a response with its own probability
                          P(abstain | Y), so one-sided sources (a keyword LF that
                          only ever votes "spam") still carry information;
                          0: abstains are missing at random (classic DS, where
                          such a source is uninformative) */
} hx_ds_config;

void hx_ds_config_init(hx_ds_config *cfg);

typedef struct {
    int k, m;
    int model_abstain;
    double *pi;     /* k */
    double *theta;  /* m x k x (k+1): theta[(i*k + y)*(k+1) + 1 + l] = P(lambda_i = l | Y = y),
                       [.. + 0] = P(abstain | Y = y) when model_abstain (else the
                       responses are conditional on voting and [.. + 0] is 0) */
    int iterations;
    double log_likelihood;  /* mean per row, of the observed votes */
} hx_dawid_skene;

/* EM initialised from the majority vote (ties split evenly). Same input
 * rules as hx_lm_fit except m >= 1. Free with hx_ds_free. */
hx_status hx_ds_fit(const int32_t *L, size_t n, int m, int k, const hx_ds_config *cfg,
                    hx_dawid_skene *model, hx_error *err);
hx_status hx_ds_predict_proba(const hx_dawid_skene *model, const int32_t *L, size_t n, int m,
                              double *probs, hx_error *err);
void hx_ds_free(hx_dawid_skene *model);

/* ------------------------------------------------------------------ */
/* LF analysis (snorkel.labeling.LFAnalysis)                           */

typedef struct {
    size_t n;
    int m, k;
    double coverage, overlap, conflict;  /* fraction of rows with >=1 vote, >=2, disagreeing */
    uint64_t *polarity;     /* m x ceil(k/64) bitsets of the classes each LF emitted */
    double *lf_coverage;    /* m */
    double *lf_overlap;     /* m */
    double *lf_conflict;    /* m */
    /* with gold labels (else NULL): */
    int64_t *correct;       /* m: votes equal to gold, rows with gold -1 dropped */
    int64_t *incorrect;     /* m: votes not equal to gold, rows with gold -1 dropped */
    double *emp_accuracy;   /* m: #(vote == gold) / #votes (gold -1 counts as wrong) */
} hx_lf_analysis;

/* gold may be NULL; gold values must be in -1..k-1. */
hx_status hx_lf_analyze(const int32_t *L, size_t n, int m, int k, const int32_t *gold,
                        hx_lf_analysis *out, hx_error *err);
void hx_lf_analysis_free(hx_lf_analysis *a);
static inline int hx_lf_has_polarity(const hx_lf_analysis *a, int lf, int cls) {
    int words = (a->k + 63) / 64;
    return (int)((a->polarity[(size_t)lf * words + cls / 64] >> (cls % 64)) & 1u);
}

/* ------------------------------------------------------------------ */
/* Evaluation of source subsets against gold (the talk's table)        */

typedef enum { HX_EVAL_LABEL_MODEL = 0, HX_EVAL_MAJORITY, HX_EVAL_DAWID_SKENE } hx_eval_method;

/* Confusion of predictions against gold for one positive class (one-vs-rest).
 * Rows with gold -1 are skipped; rows the method abstains on (ties) are
 * counted in `abstained` and excluded from the rates, like snorkel's Scorer. */
typedef struct {
    int64_t tp, fp, fn, tn, abstained, total;
    double tpr, fpr, fnr, tnr, accuracy, f1, coverage;  /* NaN when undefined */
} hx_confusion;

void hx_confusion_from_preds(const int32_t *preds, const int32_t *gold, size_t n, int positive,
                             hx_confusion *c);

/* One row of the table: a non-empty set of groups and a method. */
typedef struct {
    uint32_t group_mask;  /* bit g = group g included */
    int n_columns;
    hx_eval_method method;
    int fitted;           /* 0 when the method could not run (label model needs >= 3 columns) */
    hx_confusion conf;
} hx_eval_row;

typedef struct {
    int n_groups;              /* 1..16 */
    const int *group_of_column; /* length m: group index, or -1 = column unused */
    int positive;              /* positive class for the rates (1 for binary) */
    hx_lm_config lm;           /* label-model settings for every subset */
    int with_dawid_skene;      /* also evaluate Dawid-Skene */
    hx_tie_policy tie_policy;  /* abstain by default */
} hx_eval_config;

/* For every non-empty subset of groups (in increasing mask order), fits the
 * label model (and DS if asked) on those columns and runs majority vote, and
 * scores each against gold. *rows is allocated (free()); *n_rows set. */
hx_status hx_eval_source_subsets(const int32_t *L, size_t n, int m, int k, const int32_t *gold,
                                 const hx_eval_config *cfg, hx_eval_row **rows, size_t *n_rows,
                                 hx_error *err);

HX_API_END
#endif
