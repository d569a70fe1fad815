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
 * validates it and lays it out for fast evaluation. */
#ifndef HELIX_FOREST_H
#define HELIX_FOREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/threads.h"
#include "helix/hlx.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { HX_FOREST_CLASSIFIER = 0, HX_FOREST_REGRESSOR = 1 } hx_forest_task;

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
    double *value;           /* total_nodes x n_values; read at leaves only */
} hx_forest_arrays;

int64_t hx_forest_arrays_nodes(const hx_forest_arrays *a); /* tree_offset[n_trees] */
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

/* HX_OK when every value is finite, or NaN with a model that accepts it;
 * else names the first bad row and column (0-based). */
hx_status hx_forest_check_rows(const hx_forest *f, const float *x32, size_t n_rows,
                               hx_error *err);

/* leaves[r * n_trees + t] = sklearn's node id of the leaf row r reaches in
 * tree t (estimator.apply). */
hx_status hx_forest_apply(const hx_forest *f, const float *x32, size_t n_rows,
                          int32_t *leaves, hx_error *err);

/* Index of the first maximal value (numpy.argmax on NaN-free rows). */
int hx_forest_argmax(const double *p, int n);

/* ---- weights layer (weights/forest_*.c): reading and writing models ---- */

/* Parses the JSON written by tools/export_sklearn_forest.py (schema in
 * docs/forest-format.md); checks types, sizes and counts. The node
 * structure itself is checked by hx_forest_build. */
hx_status hx_forest_dump_parse(const char *json, size_t len, hx_forest_arrays *out,
                               hx_error *err);
hx_status hx_forest_dump_load(const char *path, hx_forest_arrays *out, hx_error *err);

/* Writes a as an .hlx file ("arch": "forest"); source is a free-text
 * description of what it was converted from. */
hx_status hx_forest_hlx_write(const hx_forest_arrays *a, const char *source, const char *path,
                              hx_error *err);
/* Reads the forest of an open .hlx file (arrays are copied out of it). */
hx_status hx_forest_hlx_read(const hx_hlx *f, hx_forest_arrays *out, hx_error *err);

#ifdef __cplusplus
}
#endif
#endif
