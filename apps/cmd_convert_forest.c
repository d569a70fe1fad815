/* `helix convert forest DUMP.json -o OUT.hlx`: a scikit-learn forest dump
 * (tools/export_sklearn_forest.py) into one .hlx file. The model is fully
 * validated (hx_forest_build) before anything is written. Called by the
 * convert dispatcher with argv[0] = "forest". */
#include <stdio.h>
#include <string.h>

#include "helix.h"
#include "helix/forest_file.h"
#include "cli_util.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix convert forest DUMP.json -o OUT.hlx\n"
            "\n"
            "Converts a model dumped by tools/export_sklearn_forest.py (scikit-learn\n"
            "DecisionTree/RandomForest/ExtraTrees, classifier or regressor, and classic\n"
            "GradientBoostingClassifier/Regressor) into an .hlx file for\n"
            "`helix forest predict`.\n"
            "\n"
            "  -o, --output FILE  output .hlx file\n"
            "  -h, --help         this help\n");
}

int cmd_convert_forest(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "helix convert forest: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "helix convert forest: more than one input given\n");
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "helix convert forest: need DUMP.json and -o OUT.hlx\n");
        usage(stderr);
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_forest_arrays a;
    hx_forest *f = NULL;
    hx_status st = hx_forest_dump_load(in, &a, &err);
    if (st != HX_OK) {
        fprintf(stderr, "helix convert forest: %s: %s\n", in, err.msg);
        return 1;
    }
    st = hx_forest_build(&a, &f, &err);
    if (st == HX_OK) {
        char source[256];
        snprintf(source, sizeof source, "scikit-learn %s %s, via tools/export_sklearn_forest.py",
                 a.sklearn_version, a.estimator);
        st = hx_forest_hlx_write(&a, source, out, &err);
    }
    if (st != HX_OK) {
        fprintf(stderr, "helix convert forest: %s\n", err.msg);
    } else {
        fprintf(stderr, "helix convert forest: wrote %s (%s, %d trees, %lld nodes, max depth %d)\n",
                out, a.estimator, a.n_trees, (long long)hx_forest_arrays_nodes(&a),
                hx_forest_max_depth(f));
    }
    hx_forest_free(f);
    hx_forest_arrays_free(&a);
    return st == HX_OK ? 0 : 1;
}
