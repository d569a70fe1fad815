/* Random forests and decision trees trained in scikit-learn, evaluated with
 * scikit-learn's exact semantics (see docs/forest-format.md):
 *   - each input is cast to float32, then compared as a double with the
 *     float64 threshold, `x <= t` goes left;
 *   - NaN follows missing_go_to_left (models that accept NaN only);
 *   - classifier probabilities: the per-tree leaf rows (already normalised by
 *     the exporter, as that sklearn version's predict_proba does) are added
 *     in double in tree order, then divided by the tree count; predict is the
 *     first maximal class; regressors: the same sum and division.
 *
 * Layers: hx_forest_arrays holds a model as scikit-learn stores it (filled
 * by the weights layer from a JSON dump or an .hlx file); hx_forest_build
 * validates it and lays it out for fast evaluation. Reading and writing
 * model files: helix/forest_file.h. */
#ifndef HELIX_FOREST_H
#define HELIX_FOREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum { HX_FOREST_CLASSIFIER = 0, HX_FOREST_REGRESSOR = 1 } hx_forest_task;

/* How the summed leaf values become the output (docs/forest-format.md).
 * Gradient boosting (classic GradientBoosting*, not HistGradientBoosting):
 * raw[k] = init_raw[k] + sum over stages of learning_rate * leaf value,
 * in stage order, then the link. */
typedef enum {
    HX_FOREST_MEAN = 0,            /* forests and trees: sum / n_trees */
    HX_FOREST_GB_IDENTITY = 1,     /* GB regressor: the raw score */
    HX_FOREST_GB_LOGISTIC = 2,     /* binary log-loss: p1 = 1/(1+exp(-raw)), [1-p1, p1] */
    HX_FOREST_GB_EXPONENTIAL = 3,  /* binary exponential loss: p1 = 1/(1+exp(-2 raw)) */
    HX_FOREST_GB_SOFTMAX = 4,      /* multiclass, sklearn >= 1.3: e = exp(raw - max), e / sum e */
    HX_FOREST_GB_SOFTMAX_LSE = 5,  /* multiclass, sklearn 1.2: exp(raw - logsumexp(raw)) */
    HX_FOREST_LINK_COUNT
} hx_forest_link;

/* How that sklearn version's predict() picks the class of a GB classifier. */
typedef enum {
    HX_FOREST_LABEL_ARGMAX_PROBA = 0, /* first maximal probability (forests, GB 1.2) */
    HX_FOREST_LABEL_RAW = 1           /* one raw score: raw >= 0 -> class 1; else argmax raw */
} hx_forest_label_rule;

/* A model as scikit-learn stores it: per tree, parallel node arrays
 * concatenated over the trees (tree t owns nodes [tree_offset[t],
 * tree_offset[t+1]) and numbers them from 0 like sklearn). */
typedef struct {
    hx_forest_task task;
    int32_t n_features;
    int32_t n_values;     /* classes (classifier) or 1 (regressor) */
    int32_t n_trees;
    bool allow_nan;       /* NaN inputs accepted; then missing_left is set */
    char *estimator;      /* e.g. "RandomForestClassifier" */
    char *sklearn_version;
    char **feature_names; /* n_features strings, or NULL */
    char **classes;       /* n_values labels (classifier), else NULL */
    int64_t *tree_offset; /* n_trees + 1 */
    int32_t *left, *right;   /* child node ids within the tree, -1 at leaves */
    int32_t *feature;        /* -2 (any negative) at leaves */
    double *threshold;
    uint8_t *missing_left;   /* NULL unless allow_nan */
    double *value;           /* total_nodes x hx_forest_arrays_value_cols(a); read at leaves only */
    /* Gradient boosting only (link != HX_FOREST_MEAN; zero otherwise): n_raw
     * raw scores per row (1, or the class count for multiclass); the trees
     * are stage-major (sklearn's estimators_[stage, k] is tree stage * n_raw
     * + k and adds to raw[k]) and each node has ONE value, unscaled. */
    hx_forest_link link;
    hx_forest_label_rule label_rule;
    int32_t n_raw;
    double learning_rate;
    double *init_raw;        /* n_raw */
} hx_forest_arrays;

int64_t hx_forest_arrays_nodes(const hx_forest_arrays *a); /* tree_offset[n_trees] */
/* Values per node: n_values, or 1 for gradient boosting. */
int32_t hx_forest_arrays_value_cols(const hx_forest_arrays *a);
/* Link name in dumps and .hlx ("mean", "identity", "logistic",
 * "exponential", "softmax", "softmax_logsumexp"); parse returns -1 if unknown. */
const char *hx_forest_link_name(hx_forest_link link);
int hx_forest_link_parse(const char *name);
void hx_forest_arrays_free(hx_forest_arrays *a); /* frees every member; a itself not */

typedef struct hx_forest hx_forest;

/* Validates a (children in range and greater than their parent, one parent
 * per node, leaf iff both children are -1, feature in range, thresholds not
 * NaN, leaf values finite) and builds the evaluator. a may be freed after. */
hx_status hx_forest_build(const hx_forest_arrays *a, hx_forest **out, hx_error *err);
void hx_forest_free(hx_forest *f);

hx_forest_task hx_forest_task_of(const hx_forest *f);
int hx_forest_n_features(const hx_forest *f);
int hx_forest_n_values(const hx_forest *f);
int hx_forest_n_trees(const hx_forest *f);
bool hx_forest_allow_nan(const hx_forest *f);
int hx_forest_max_depth(const hx_forest *f);
hx_forest_link hx_forest_link_of(const hx_forest *f);
/* Raw scores per row: n_raw for gradient boosting, n_values otherwise. */
int hx_forest_n_raw(const hx_forest *f);

/* Casts one row of doubles to float32 as sklearn does and checks it:
 * HX_ERANGE naming the column (0-based) of a value that is infinite after
 * the cast, HX_EINVAL for NaN when the model does not accept it. */
hx_status hx_forest_cast_row(const hx_forest *f, const double *x, float *x32,
                             hx_error *err);

/* out[r * n_values + k]: class probabilities (classifier, = predict_proba)
 * or the prediction (regressor, = predict) for rows x32[r * n_features ..].
 * Rows must already be float32 and valid (hx_forest_check_rows); a row with
 * a non-finite value is rejected, naming it. Threads split the rows into
 * blocks of a fixed size: results are bit-identical for any pool. */
hx_status hx_forest_predict(const hx_forest *f, const float *x32, size_t n_rows,
                            double *out, hx_threadpool *pool, hx_error *err);

/* raw[r * n_raw + k]: gradient boosting's raw scores (sklearn's
 * decision_function before the link, bit-identical); for other models the
 * same as hx_forest_predict. Same row rules as hx_forest_predict. */
hx_status hx_forest_predict_raw(const hx_forest *f, const float *x32, size_t n_rows, double *raw,
                                hx_threadpool *pool, hx_error *err);

/* labels[r]: index into the classes of what sklearn's predict() returns
 * (classifiers only; HX_EINVAL for a regressor). Forests: first maximal
 * probability; GB: that sklearn version's rule (hx_forest_label_rule). */
hx_status hx_forest_predict_labels(const hx_forest *f, const float *x32, size_t n_rows,
                                   int32_t *labels, hx_threadpool *pool, hx_error *err);

/* HX_OK when every value is finite, or NaN with a model that accepts it;
 * else names the first bad row and column (0-based). */
hx_status hx_forest_check_rows(const hx_forest *f, const float *x32, size_t n_rows,
                               hx_error *err);

/* leaves[r * n_trees + t] = sklearn's node id of the leaf row r reaches in
 * tree t (estimator.apply; for gradient boosting apply's (n, stages, K)
 * array in C order, as trees are stage-major). */
hx_status hx_forest_apply(const hx_forest *f, const float *x32, size_t n_rows,
                          int32_t *leaves, hx_error *err);

/* Index of the first maximal value (numpy.argmax on NaN-free rows). */
int hx_forest_argmax(const double *p, int n);

HX_API_END
#endif
