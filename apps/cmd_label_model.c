/* `helix label-model fit|predict|analyze|evaluate`: the generative label model
 * on label matrices in CSV (include/helix/label_matrix_file.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix/label_model.h"
#include "helix/label_model_file.h"
#include "helix/label_matrix_file.h"

static const char *usage_text =
    "usage: helix label-model fit      -L L.csv --cardinality K -o LM.json [options]\n"
    "       helix label-model predict  -m LM.json -L L.csv [--tie-break abstain|random] > probs.csv\n"
    "       helix label-model analyze  -L L.csv [--cardinality K] [--gold Y.csv] [-m LM.json]\n"
    "       helix label-model evaluate -L L.csv --gold Y.csv --groups NAME=COLS,... [options]\n"
    "\n"
    "A label matrix is CSV: one row per item, one integer per source, -1 = abstain,\n"
    "else a class 0..K-1; an optional first line names the sources.\n"
    "\n"
    "fit (snorkel 0.10.0 LabelModel, same defaults; results match snorkel's for the same seed):\n"
    "  --cardinality K, -k K      number of classes (required)\n"
    "  --method snorkel|dawid-skene  (default snorkel)\n"
    "  --epochs N                 optimizer steps (100)\n"
    "  --lr X                     learning rate (0.01)\n"
    "  --l2 X                     l2 strength (0)\n"
    "  --optimizer sgd|adam|adamax  (sgd, momentum 0.9)\n"
    "  --lr-scheduler constant|linear|exponential|step  (constant)\n"
    "  --warmup-epochs N, --min-lr X\n"
    "  --prec-init X              initial LF precision (0.7)\n"
    "  --mu-eps X                 clamp bound (default min(0.01, 10^-ceil(log10 n)))\n"
    "  --seed S                   random seed (0; snorkel's own default is random)\n"
    "  --class-balance p1,p2,...  class priors (default uniform)\n"
    "  --y-dev Y.csv              estimate the class balance from dev labels instead\n"
    "  -o LM.json                 output model (required)\n"
    "predict: prints prob_0..prob_K-1,pred per row (pred -1 = tie under 'abstain').\n"
    "analyze: per-source polarity, coverage, overlaps, conflicts; with --gold also\n"
    "  correct/incorrect/empirical accuracy; with -m the learned weights. --json for JSON.\n"
    "evaluate: for every non-empty combination of the named column groups, the label\n"
    "  model fitted on those columns and majority vote, scored against gold:\n"
    "  --groups LFs=0-4,RFs=5-6,BERTs=7-8   column ranges (0-based) or source names (a+b)\n"
    "  --positive C   positive class for TPR/FPR/FNR/TNR (default 1)\n"
    "  --dawid-skene  also evaluate Dawid-Skene EM;  --json  JSON instead of a table\n"
    "  plus the fit options above (--cardinality defaults to max label + 1).\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "helix label-model: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see helix label-model --help)\n");
    return 2;
}

typedef struct {
    const char *L_path, *out_path, *model_path, *gold_path, *groups, *ydev_path;
    const char *class_balance, *method;
    int k, positive, json, with_ds;
    hx_tie_policy tie;
    hx_lm_config cfg;
} options;

/* Options common to every subcommand; returns 0 ok, 2 usage error. */
static int parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    hx_lm_config_init(&o->cfg);
    o->positive = 1;
    o->method = "snorkel";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long lv;
        double dv;
#define NEED_VALUE() do { if (!v) return usage_error("option %s needs a value", a); i++; } while (0)
        if (!strcmp(a, "-L")) { NEED_VALUE(); o->L_path = v; }
        else if (!strcmp(a, "-o")) { NEED_VALUE(); o->out_path = v; }
        else if (!strcmp(a, "-m") || !strcmp(a, "--model")) { NEED_VALUE(); o->model_path = v; }
        else if (!strcmp(a, "--gold")) { NEED_VALUE(); o->gold_path = v; }
        else if (!strcmp(a, "--y-dev")) { NEED_VALUE(); o->ydev_path = v; }
        else if (!strcmp(a, "--groups")) { NEED_VALUE(); o->groups = v; }
        else if (!strcmp(a, "--method")) {
            NEED_VALUE();
            if (strcmp(v, "snorkel") && strcmp(v, "dawid-skene"))
                return usage_error("--method must be snorkel or dawid-skene, not '%s'", v);
            o->method = v;
        } else if (!strcmp(a, "--cardinality") || !strcmp(a, "-k")) {
            NEED_VALUE();
            if (!cli_parse_int(v, 2, HX_LM_MAX_CARDINALITY, &lv)) return usage_error("bad cardinality '%s'", v);
            o->k = (int)lv;
        } else if (!strcmp(a, "--positive")) {
            NEED_VALUE();
            if (!cli_parse_int(v, 0, HX_LM_MAX_CARDINALITY - 1, &lv)) return usage_error("bad positive class '%s'", v);
            o->positive = (int)lv;
        } else if (!strcmp(a, "--epochs")) {
            NEED_VALUE();
            if (!cli_parse_int(v, 0, 100000000, &lv)) return usage_error("bad --epochs '%s'", v);
            o->cfg.n_epochs = (int)lv;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            if (!cli_parse_int(v, 0, 4294967295L, &lv)) return usage_error("bad --seed '%s' (0..2^32-1)", v);
            o->cfg.seed = (uint32_t)lv;
        } else if (!strcmp(a, "--warmup-epochs")) {
            NEED_VALUE();
            if (!cli_parse_int(v, 0, 100000000, &lv)) return usage_error("bad --warmup-epochs '%s'", v);
            o->cfg.warmup_steps = (int)lv;
        } else if (!strcmp(a, "--lr") || !strcmp(a, "--l2") || !strcmp(a, "--prec-init") ||
                   !strcmp(a, "--mu-eps") || !strcmp(a, "--min-lr")) {
            NEED_VALUE();
            if (!cli_parse_float(v, &dv) || !isfinite(dv) || dv < 0) return usage_error("bad number '%s'", v);
            if (!strcmp(a, "--lr")) o->cfg.lr = dv;
            else if (!strcmp(a, "--l2")) o->cfg.l2 = dv;
            else if (!strcmp(a, "--prec-init")) o->cfg.prec_init = dv;
            else if (!strcmp(a, "--mu-eps")) {
                if (!(dv > 0 && dv < 0.5)) return usage_error("--mu-eps must be in (0, 0.5), not '%s'", v);
                o->cfg.mu_eps = dv;
            } else o->cfg.min_lr = dv;
        } else if (!strcmp(a, "--optimizer")) {
            NEED_VALUE();
            if (!strcmp(v, "sgd")) o->cfg.optimizer = HX_LM_SGD;
            else if (!strcmp(v, "adam")) o->cfg.optimizer = HX_LM_ADAM;
            else if (!strcmp(v, "adamax")) o->cfg.optimizer = HX_LM_ADAMAX;
            else return usage_error("unknown optimizer '%s'", v);
        } else if (!strcmp(a, "--lr-scheduler")) {
            NEED_VALUE();
            if (!strcmp(v, "constant")) o->cfg.lr_scheduler = HX_LM_SCHED_CONSTANT;
            else if (!strcmp(v, "linear")) o->cfg.lr_scheduler = HX_LM_SCHED_LINEAR;
            else if (!strcmp(v, "exponential")) o->cfg.lr_scheduler = HX_LM_SCHED_EXPONENTIAL;
            else if (!strcmp(v, "step")) o->cfg.lr_scheduler = HX_LM_SCHED_STEP;
            else return usage_error("unknown lr scheduler '%s'", v);
        } else if (!strcmp(a, "--class-balance")) { NEED_VALUE(); o->class_balance = v; }
        else if (!strcmp(a, "--tie-break")) {
            NEED_VALUE();
            if (!strcmp(v, "abstain")) o->tie = HX_TIE_ABSTAIN;
            else if (!strcmp(v, "random")) o->tie = HX_TIE_RANDOM;
            else return usage_error("--tie-break must be abstain or random, not '%s'", v);
        } else if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--dawid-skene")) o->with_ds = 1;
        else return usage_error("unknown option '%s'", a);
#undef NEED_VALUE
    }
    return 0;
}

/* "0.3,0.7" -> k doubles; 0 ok, 2 usage error. */
static int parse_balance(const char *s, int k, double *p) {
    int i = 0;
    char *copy = strdup(s), *save = NULL;
    if (!copy) return 2;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double v;
        if (i >= k || !cli_parse_float(t, &v) || !isfinite(v) || v <= 0) {
            free(copy);
            return usage_error("--class-balance needs %s positive numbers", k == 2 ? "2" : "K");
        }
        p[i++] = v;
    }
    free(copy);
    if (i != k) return usage_error("--class-balance needs one number per class%s", "");
    return 0;
}

static int fail(const hx_error *err) {
    fprintf(stderr, "helix label-model: %s\n", err->msg);
    return 1;
}

/* "-" is stdin, as for -o. */
static hx_status read_L(const char *path, int k, hx_label_csv *c, hx_error *err) {
    return strcmp(path, "-") ? hx_label_csv_read(path, k, c, err)
                             : hx_label_csv_read_stream(stdin, "-", k, c, err);
}

static hx_status read_gold(const char *path, int k, const char *column, int32_t **gold, size_t *n,
                           hx_error *err) {
    hx_label_csv c;
    hx_status st = read_L(path, k, &c, err);
    if (st != HX_OK) return st;
    st = hx_label_csv_column(&c, path, column, gold, n, err);
    hx_label_csv_free(&c);
    return st;
}

/* ------------------------------------------------------------------ */

static int cmd_fit(options *o) {
    if (!o->L_path || !o->out_path || !o->k)
        return usage_error("fit needs -L L.csv, --cardinality K and -o LM.json%s", "");
    double bal[HX_LM_MAX_CARDINALITY];
    if (o->class_balance && o->ydev_path)
        return usage_error("give --class-balance or --y-dev, not both%s", "");
    if (o->class_balance) {
        if (parse_balance(o->class_balance, o->k, bal)) return 2;
        o->cfg.class_balance = bal;
    }
    hx_error err;
    hx_error_clear(&err);
    if (o->ydev_path) {
        int32_t *y = NULL;
        size_t ny = 0;
        if (read_gold(o->ydev_path, o->k, NULL, &y, &ny, &err) != HX_OK) return fail(&err);
        hx_status st = hx_lm_class_balance_from_gold(y, ny, o->k, bal, &err);
        free(y);
        if (st != HX_OK) return fail(&err);
        o->cfg.class_balance = bal;
    }
    hx_label_csv c;
    if (read_L(o->L_path, o->k, &c, &err) != HX_OK) return fail(&err);
    hx_lm_file f;
    memset(&f, 0, sizeof f);
    f.k = o->k;
    f.m = c.m;
    double t0 = cli_now();
    hx_status st;
    char fit_json[512];
    if (!strcmp(o->method, "dawid-skene")) {
        f.is_dawid_skene = 1;
        st = hx_ds_fit(c.L, c.n, c.m, o->k, NULL, &f.ds, &err);
        snprintf(fit_json, sizeof fit_json, "{\"n_train\": %zu, \"iterations\": %d}", c.n,
                 st == HX_OK ? f.ds.iterations : 0);
    } else {
        st = hx_lm_fit(c.L, c.n, c.m, o->k, &o->cfg, &f.lm, &err);
        static const char *opt[] = {"sgd", "adam", "adamax"};
        snprintf(fit_json, sizeof fit_json,
                 "{\"n_train\": %zu, \"seed\": %u, \"n_epochs\": %d, \"lr\": %.17g, \"l2\": %.17g, "
                 "\"optimizer\": \"%s\", \"prec_init\": %.17g}",
                 c.n, (unsigned)o->cfg.seed, o->cfg.n_epochs, o->cfg.lr, o->cfg.l2,
                 opt[o->cfg.optimizer], o->cfg.prec_init);
    }
    double t1 = cli_now();
    if (st != HX_OK) {
        hx_label_csv_free(&c);
        return fail(&err);
    }
    f.sources = c.names;
    st = strcmp(o->out_path, "-") ? hx_lm_file_write(o->out_path, &f, fit_json, &err)
                                   : hx_lm_file_write_stream(stdout, "stdout", &f, fit_json, &err);
    f.sources = NULL;
    if (f.is_dawid_skene) hx_ds_free(&f.ds);
    else hx_lm_free(&f.lm);
    if (st != HX_OK) {
        hx_label_csv_free(&c);
        return fail(&err);
    }
    if (cli_progress_enabled())
        fprintf(stderr, "fitted on %zu rows x %d sources in %.3f s\n", c.n, c.m, t1 - t0);
    hx_label_csv_free(&c);
    return 0;
}

static int cmd_predict(options *o) {
    if (!o->L_path || !o->model_path) return usage_error("predict needs -m LM.json and -L L.csv%s", "");
    hx_error err;
    hx_error_clear(&err);
    hx_lm_file f;
    if (hx_lm_file_read(o->model_path, &f, &err) != HX_OK) return fail(&err);
    hx_label_csv c;
    if (read_L(o->L_path, f.k, &c, &err) != HX_OK) {
        hx_lm_file_free(&f);
        return fail(&err);
    }
    int rc = 0;
    double *probs = malloc(c.n * (size_t)f.k * sizeof *probs);
    int32_t *pred = malloc(c.n * sizeof *pred);
    if (!probs || !pred) {
        hx_fail(&err, HX_ENOMEM, "out of memory");
        rc = fail(&err);
    } else if (hx_lm_file_predict_proba(&f, c.L, c.n, c.m, probs, &err) != HX_OK) {
        rc = fail(&err);
    } else {
        hx_probs_to_preds(probs, c.n, f.k, o->tie, pred);
        for (int y = 0; y < f.k; y++) printf("prob_%d,", y);
        printf("pred\n");
        for (size_t r = 0; r < c.n; r++) {
            for (int y = 0; y < f.k; y++) printf("%.9g,", probs[r * f.k + y]);
            printf("%d\n", (int)pred[r]);
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "helix label-model: error writing the output\n");
            rc = 1;
        }
    }
    free(probs);
    free(pred);
    hx_label_csv_free(&c);
    hx_lm_file_free(&f);
    return rc;
}

static void print_num(double v, int json) {
    if (isnan(v)) printf(json ? "null" : "%8s", json ? "" : "-");
    else printf(json ? "%.9g" : "%8.4f", v);
}

static int cmd_analyze(options *o) {
    if (!o->L_path) return usage_error("analyze needs -L L.csv%s", "");
    hx_error err;
    hx_error_clear(&err);
    hx_label_csv c;
    if (read_L(o->L_path, o->k, &c, &err) != HX_OK) return fail(&err);
    int k = o->k ? o->k : hx_label_csv_cardinality(&c, HX_LM_MAX_CARDINALITY);
    int32_t *gold = NULL;
    size_t ng = 0;
    hx_lm_file f;
    memset(&f, 0, sizeof f);
    double *w = NULL;
    int rc = 0;
    hx_lf_analysis a;
    memset(&a, 0, sizeof a);
    if (o->gold_path && read_gold(o->gold_path, k, NULL, &gold, &ng, &err) != HX_OK) {
        rc = fail(&err);
        goto out;
    }
    if (gold && ng != c.n) {
        fprintf(stderr, "helix label-model: %s has %zu rows but %s has %zu\n", o->gold_path, ng, o->L_path, c.n);
        rc = 1;
        goto out;
    }
    if (o->model_path) {
        if (hx_lm_file_read(o->model_path, &f, &err) != HX_OK) { rc = fail(&err); goto out; }
        if (f.is_dawid_skene || f.m != c.m) {
            fprintf(stderr, "helix label-model: %s is not a snorkel model over %d sources\n", o->model_path, c.m);
            rc = 1;
            goto out;
        }
        w = malloc((size_t)c.m * sizeof *w);
        if (!w) { rc = 1; goto out; }
        hx_lm_weights(&f.lm, w);
    }
    if (hx_lf_analyze(c.L, c.n, c.m, k, gold, &a, &err) != HX_OK) { rc = fail(&err); goto out; }
    if (o->json) {
        printf("{\"n\": %zu, \"coverage\": %.9g, \"overlap\": %.9g, \"conflict\": %.9g, \"sources\": [\n",
               c.n, a.coverage, a.overlap, a.conflict);
    } else {
        printf("%zu rows, %d sources, %d classes: coverage %.4f, overlap %.4f, conflict %.4f\n\n",
               c.n, c.m, k, a.coverage, a.overlap, a.conflict);
        printf("%-4s %-24s %-10s %8s %8s %8s", "j", "source", "polarity", "coverage", "overlaps", "conflict");
        if (gold) printf(" %8s %8s %8s", "correct", "incorrec", "emp.acc");
        if (w) printf(" %8s", "weight");
        printf("\n");
    }
    for (int j = 0; j < c.m; j++) {
        char name[32], pol[64];
        const char *nm = c.names ? c.names[j] : (snprintf(name, sizeof name, "source_%d", j), name);
        size_t pl = 0;
        pol[0] = '\0';
        for (int y = 0; y < k && pl + 12 < sizeof pol; y++)
            if (hx_lf_has_polarity(&a, j, y)) pl += (size_t)snprintf(pol + pl, sizeof pol - pl, "%s%d", pl ? "," : "", y);
        if (o->json) {
            printf("  {\"index\": %d, \"name\": ", j);
            cli_write_json_string(stdout, nm, strlen(nm));
            printf(", \"polarity\": [%s], \"coverage\": %.9g, \"overlaps\": %.9g, \"conflicts\": %.9g", pol,
                   a.lf_coverage[j], a.lf_overlap[j], a.lf_conflict[j]);
            if (gold)
                printf(", \"correct\": %lld, \"incorrect\": %lld, \"emp_acc\": %.9g",
                       (long long)a.correct[j], (long long)a.incorrect[j], a.emp_accuracy[j]);
            if (w) { printf(", \"learned_weight\": "); print_num(w[j], 1); }
            printf("}%s\n", j + 1 < c.m ? "," : "");
        } else {
            printf("%-4d %-24.24s %-10s %8.4f %8.4f %8.4f", j, nm, pol[0] ? pol : "-", a.lf_coverage[j],
                   a.lf_overlap[j], a.lf_conflict[j]);
            if (gold)
                printf(" %8lld %8lld %8.4f", (long long)a.correct[j], (long long)a.incorrect[j], a.emp_accuracy[j]);
            if (w) { printf(" "); print_num(w[j], 0); }
            printf("\n");
        }
    }
    if (o->json) printf("]}\n");
out:
    hx_lf_analysis_free(&a);
    hx_lm_file_free(&f);
    free(w);
    free(gold);
    hx_label_csv_free(&c);
    return rc;
}

/* "LFs=0-4,RFs=5-6,BERTs=kw_a+kw_b": group names and each column's group.
 * Returns 0, or 2 after printing a usage error. */
static int parse_groups(const char *spec, const hx_label_csv *c, char names[16][64], int *n_groups,
                        int *group_of) {
    for (int j = 0; j < c->m; j++) group_of[j] = -1;
    *n_groups = 0;
    char *copy = strdup(spec), *save = NULL;
    if (!copy) return 2;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t || !eq[1]) { rc = usage_error("--groups: '%s' is not NAME=COLUMNS", t); break; }
        if (*n_groups == 16) { rc = usage_error("--groups: at most 16 groups%s", ""); break; }
        *eq = '\0';
        int g = (*n_groups)++;
        snprintf(names[g], 64, "%s", t);
        char *save2 = NULL;
        for (char *part = strtok_r(eq + 1, "+", &save2); part; part = strtok_r(NULL, "+", &save2)) {
            long lo, hi;
            char *dash = strchr(part, '-');
            int ok = 0;
            if (dash && dash != part) {
                *dash = '\0';
                ok = cli_parse_int(part, 0, c->m - 1, &lo) && cli_parse_int(dash + 1, 0, c->m - 1, &hi) && lo <= hi;
                *dash = '-';
            } else if (cli_parse_int(part, 0, c->m - 1, &lo)) {
                hi = lo;
                ok = 1;
            }
            if (!ok && c->names) /* a source name (which may contain '-') */
                for (int j = 0; j < c->m; j++)
                    if (!strcmp(c->names[j], part)) { lo = hi = j; ok = 1; }
            if (!ok) { rc = usage_error("--groups: '%s' is not a column index, range or source name", part); break; }
            for (long j = lo; j <= hi; j++) {
                if (group_of[j] >= 0) { rc = usage_error("--groups: a column is in two groups (%s)", part); break; }
                group_of[j] = g;
            }
            if (rc) break;
        }
        if (rc) break;
    }
    free(copy);
    if (!rc && *n_groups == 0) rc = usage_error("--groups is empty%s", "");
    return rc;
}

static int cmd_evaluate(options *o) {
    if (!o->L_path || !o->gold_path || !o->groups)
        return usage_error("evaluate needs -L L.csv, --gold Y.csv and --groups%s", "");
    hx_error err;
    hx_error_clear(&err);
    hx_label_csv c;
    if (read_L(o->L_path, o->k, &c, &err) != HX_OK) return fail(&err);
    int k = o->k ? o->k : hx_label_csv_cardinality(&c, HX_LM_MAX_CARDINALITY);
    int32_t *gold = NULL;
    size_t ng = 0;
    int rc = 0;
    hx_eval_row *rows = NULL;
    size_t nr = 0;
    char names[16][64];
    int n_groups = 0;
    int *group_of = malloc((size_t)c.m * sizeof *group_of);
    if (!group_of) { rc = 1; goto out; }
    if ((rc = parse_groups(o->groups, &c, names, &n_groups, group_of))) goto out;
    if (o->positive >= k) { rc = usage_error("--positive must be below the cardinality%s", ""); goto out; }
    double bal[HX_LM_MAX_CARDINALITY];
    if (o->class_balance) {
        if ((rc = parse_balance(o->class_balance, k, bal))) goto out;
        o->cfg.class_balance = bal;
    }
    if (read_gold(o->gold_path, k, NULL, &gold, &ng, &err) != HX_OK) { rc = fail(&err); goto out; }
    if (ng != c.n) {
        fprintf(stderr, "helix label-model: %s has %zu rows but %s has %zu\n", o->gold_path, ng, o->L_path, c.n);
        rc = 1;
        goto out;
    }
    hx_eval_config ec = {.n_groups = n_groups, .group_of_column = group_of, .positive = o->positive,
                         .lm = o->cfg, .with_dawid_skene = o->with_ds, .tie_policy = o->tie};
    if (hx_eval_source_subsets(c.L, c.n, c.m, k, gold, &ec, &rows, &nr, &err) != HX_OK) {
        rc = fail(&err);
        goto out;
    }
    static const char *method_name[] = {"label model", "majority vote", "dawid-skene"};
    if (!o->json)
        printf("%-28s %-14s %4s %8s %8s %8s %8s %8s %8s %8s\n", "sources", "method", "cols", "TPR", "FPR",
               "FNR", "TNR", "accuracy", "F1", "coverage");
    else
        printf("[\n");
    for (size_t i = 0; i < nr; i++) {
        const hx_eval_row *r = &rows[i];
        char label[256];
        size_t ll = 0;
        label[0] = '\0';
        for (int g = 0; g < n_groups; g++)
            if ((r->group_mask >> g) & 1u)
                ll += (size_t)snprintf(label + ll, sizeof label - ll, "%s%s", ll ? "+" : "", names[g]);
        const hx_confusion *cf = &r->conf;
        if (o->json) {
            printf("  {\"sources\": ");
            cli_write_json_string(stdout, label, strlen(label));
            printf(", \"method\": \"%s\", \"columns\": %d, \"fitted\": %s", method_name[r->method],
                   r->n_columns, r->fitted ? "true" : "false");
            if (r->fitted) {
                printf(", \"tp\": %lld, \"fp\": %lld, \"fn\": %lld, \"tn\": %lld, \"abstained\": %lld",
                       (long long)cf->tp, (long long)cf->fp, (long long)cf->fn, (long long)cf->tn,
                       (long long)cf->abstained);
                const char *keys[] = {"tpr", "fpr", "fnr", "tnr", "accuracy", "f1", "coverage"};
                double vals[] = {cf->tpr, cf->fpr, cf->fnr, cf->tnr, cf->accuracy, cf->f1, cf->coverage};
                for (int q = 0; q < 7; q++) { printf(", \"%s\": ", keys[q]); print_num(vals[q], 1); }
            }
            printf("}%s\n", i + 1 < nr ? "," : "");
        } else {
            printf("%-28.28s %-14s %4d", label, method_name[r->method], r->n_columns);
            if (!r->fitted) {
                printf("   (needs >= 3 sources)\n");
                continue;
            }
            double vals[] = {cf->tpr, cf->fpr, cf->fnr, cf->tnr, cf->accuracy, cf->f1, cf->coverage};
            for (int q = 0; q < 7; q++) { printf(" "); print_num(vals[q], 0); }
            printf("\n");
        }
    }
    if (o->json) printf("]\n");
out:
    free(rows);
    free(group_of);
    free(gold);
    hx_label_csv_free(&c);
    return rc;
}

int cmd_label_model(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc;
    if (!strcmp(sub, "fit")) return cmd_fit(&o);
    if (!strcmp(sub, "predict")) return cmd_predict(&o);
    if (!strcmp(sub, "analyze")) return cmd_analyze(&o);
    if (!strcmp(sub, "evaluate")) return cmd_evaluate(&o);
    return usage_error("unknown subcommand '%s' (fit, predict, analyze, evaluate)", sub);
}
