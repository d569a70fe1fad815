/* `helix udp`: undiagnosed-disease triage (docs/udp-task.md). Each
 * phenopacket's observed HPO terms are resolved in the ontology (alternative
 * ids, replacements), closed upwards over is_a, and turned into one 0/1
 * feature per HPO term a target's forest was trained on (the forest's
 * feature names); every target's forest then gives P(target = 1).
 *
 * The pipeline is the library's (helix/udp.h); this file reads the records
 * (phenopacket files or JSON Lines) and prints the results.
 *
 * Output: one JSON line per record, {"id", "p": {target: P(1)},
 * "unresolved_hpo": {id: "unknown"|"obsolete"|"malformed"}} or an error
 * record; with --evaluate, instead, the talk's table (target, correct,
 * incorrect, accuracy, majority-class rate) over the records whose target
 * is known. `helix udp ontology hp.json -o hpo.hlx` packs an obographs file
 * into the compact form. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/file_util.h"
#include "helix/hpo.h"
#include "helix/phenopacket.h"
#include "helix/udp.h"
#include "cli_util.h"

#define DOC_MAX ((size_t)1 << 28) /* one phenopacket document */

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix udp [--config CONFIG.json] [--evaluate] [-o OUT] [FILE...]\n"
            "       helix udp ontology HP.json -o HPO.hlx\n"
            "\n"
            "Undiagnosed-disease triage: from each GA4GH phenopacket's observed HPO terms,\n"
            "the probability of every target (male, pediatric, structural_variant,\n"
            "biallelic; see docs/udp-task.md), one random forest per target.\n"
            "\n"
            "Input: FILE arguments, each one phenopacket JSON document (a file ending in\n"
            ".jsonl holds one phenopacket per line); with no FILE or '-', JSON Lines on stdin.\n"
            "Output: one JSON line per record, {\"id\", \"p\": {target: P(1)},\n"
            "\"unresolved_hpo\": {id: why}} (terms the ontology lacks are reported, not\n"
            "dropped silently), or {\"error\", \"line\"} for a malformed record.\n"
            "\n"
            "  --config FILE   models (default models/udp.json): {\"ontology\": HPO.hlx or\n"
            "                  hp.json, \"targets\": [{\"name\", \"model\": FOREST.hlx}]}\n"
            "  --evaluate      print, instead of records, per target: correct, incorrect,\n"
            "                  accuracy (P >= 0.5) and the majority-class rate, over the\n"
            "                  records whose target is known from the record itself\n"
            "  -o, --output F  write to F instead of stdout\n"
            "  -h, --help      this help\n"
            "\n"
            "Exit status: 0 when every record was processed, 1 if any was malformed or\n"
            "the run failed, 2 for a usage error.\n");
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static void write_record(FILE *out, const hx_udp *m, const hx_phenopacket *p, const double *prob,
                         const hx_hpo_resolution *why) {
    fputs("{\"id\":", out);
    cli_write_json_string(out, p->id, strlen(p->id));
    fputs(",\"p\":{", out);
    for (int k = 0; k < hx_udp_n_targets(m); k++)
        fprintf(out, "%s\"%s\":%.17g", k ? "," : "", hx_udp_target_name(m, k), prob[k]);
    fputs("},\"unresolved_hpo\":{", out);
    int first = 1;
    for (size_t i = 0; i < p->n_observed; i++) {
        if (why[i] == HX_HPO_CURRENT || why[i] == HX_HPO_ALT_ID || why[i] == HX_HPO_REPLACED) continue;
        fputs(first ? "" : ",", out);
        first = 0;
        cli_write_json_string(out, p->observed[i], strlen(p->observed[i]));
        fprintf(out, ":\"%s\"", hx_hpo_resolution_name(why[i]));
    }
    fputs("}}\n", out);
}

/* One record: writes its output line (or adds to the table). */
static hx_status run_record(const hx_udp *m, const char *json, size_t len, FILE *out, bool evaluate,
                            hx_udp_table *table, hx_error *err) {
    hx_phenopacket p;
    hx_status st = hx_phenopacket_parse(json, len, &p, err);
    if (st != HX_OK) return st;
    hx_hpo_resolution *why = calloc(p.n_observed ? p.n_observed : 1, sizeof *why);
    double prob[HX_UDP_MAX_TARGETS];
    st = why ? hx_udp_score(m, &p, prob, why, err) : hx_fail(err, HX_ENOMEM, "udp: out of memory");
    if (st == HX_OK && evaluate) hx_udp_evaluate(m, &p, prob, table);
    else if (st == HX_OK) write_record(out, m, &p, prob, why);
    free(why);
    hx_phenopacket_free(&p);
    return st;
}

typedef struct {
    const hx_udp *m;
    FILE *out;
    bool evaluate;
    hx_udp_table table;
    long record;   /* 1-based count of records over all inputs */
    long errors;
    long done;
} udp_run;

static void one(udp_run *r, const char *json, size_t len, long line_no) {
    hx_error err;
    hx_error_clear(&err);
    r->record++;
    hx_status st = run_record(r->m, json, len, r->out, r->evaluate, &r->table, &err);
    if (st != HX_OK) {
        r->errors++;
        if (!r->evaluate) cli_write_error_record(r->out, err.msg, line_no);
        else fprintf(stderr, "helix udp: record %ld: %s\n", line_no, err.msg);
    }
    cli_progress("udp", (size_t)++r->done, 0);
}

static int run_jsonl(udp_run *r, FILE *in) {
    char *line = NULL;
    size_t cap = 0;
    long len, line_no = 0;
    while ((len = cli_read_line(in, &line, &cap)) >= 0) {
        line_no++;
        one(r, line, (size_t)len, line_no);
    }
    free(line);
    return ferror(in) ? -1 : 0;
}

static void print_table(const hx_udp *m, const hx_udp_table *tab, FILE *out) {
    fprintf(out, "%-20s %8s %8s %10s %9s %14s\n", "target", "records", "correct", "incorrect", "accuracy",
            "majority_rate");
    for (int k = 0; k < tab->n_targets; k++) {
        const hx_udp_tally *t = &tab->tally[k];
        if (t->n == 0) {
            fprintf(out, "%-20s %8d %8s %10s %9s %14s\n", hx_udp_target_name(m, k), 0, "-", "-", "-", "-");
            continue;
        }
        fprintf(out, "%-20s %8ld %8ld %10ld %9.3f %14.3f\n", hx_udp_target_name(m, k), t->n, t->correct,
                t->n - t->correct, hx_udp_tally_accuracy(t), hx_udp_tally_majority_rate(t));
    }
}

static int cmd_ontology(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: helix udp ontology HP.json -o HPO.hlx\n\n"
                   "Packs an HPO obographs file (unpacked hp.json) into the compact .hlx form\n"
                   "`helix udp` loads: terms, obsolete flags, replacements, alternative ids\n"
                   "and is_a parents, without labels or definitions.\n");
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (argv[i][0] == '-' || in) {
            fprintf(stderr, "helix udp ontology: unexpected argument %s\n", argv[i]);
            return 2;
        } else {
            in = argv[i];
        }
    }
    if (!in || !outp) {
        fprintf(stderr, "helix udp ontology: need HP.json and -o HPO.hlx\n");
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_hpo *h;
    hx_status st = hx_hpo_load_file(in, &h, &err);
    if (st == HX_OK) {
        char source[512];
        snprintf(source, sizeof source, "obographs JSON, version %s", hx_hpo_version(h));
        st = hx_hpo_write_hlx(h, source, outp, &err);
        if (st == HX_OK)
            fprintf(stderr, "helix udp ontology: wrote %s (%zu terms)\n", outp, hx_hpo_n_terms(h));
        hx_hpo_free(h);
    }
    if (st != HX_OK) {
        fprintf(stderr, "helix udp ontology: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int cmd_udp(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "ontology")) return cmd_ontology(argc - 1, argv + 1);
    const char *config = "models/udp.json", *outp = NULL;
    bool evaluate = false;
    const char **files = calloc((size_t)argc, sizeof *files);
    int n_files = 0;
    if (!files) return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            free(files);
            return 0;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (!strcmp(argv[i], "--evaluate")) {
            evaluate = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "helix udp: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            free(files);
            return 2;
        } else {
            files[n_files++] = argv[i];
        }
    }
    hx_error err;
    hx_error_clear(&err);
    hx_udp *m;
    if (hx_udp_open(config, NULL, &m, &err) != HX_OK) {
        fprintf(stderr, "helix udp: %s\n", err.msg);
        free(files);
        return 1;
    }
    FILE *out = outp ? fopen(outp, "w") : stdout;
    if (!out) {
        fprintf(stderr, "helix udp: cannot write %s\n", outp);
        hx_udp_close(m);
        free(files);
        return 1;
    }
    udp_run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.out = out;
    r.evaluate = evaluate;
    hx_udp_table_init(m, &r.table);
    int failed = 0;
    if (n_files == 0) failed |= run_jsonl(&r, stdin) != 0;
    for (int i = 0; i < n_files && !failed; i++) {
        if (!strcmp(files[i], "-")) {
            failed |= run_jsonl(&r, stdin) != 0;
            continue;
        }
        if (ends_with(files[i], ".jsonl")) {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                fprintf(stderr, "helix udp: cannot open %s\n", files[i]);
                failed = 1;
                break;
            }
            failed |= run_jsonl(&r, f) != 0;
            fclose(f);
            continue;
        }
        size_t len = 0;
        char *doc = NULL;
        if (hx_read_file(files[i], DOC_MAX, &doc, &len, &err) != HX_OK) {
            fprintf(stderr, "helix udp: %s\n", err.msg);
            failed = 1;
            break;
        }
        one(&r, doc, len, r.record + 1);
        free(doc);
    }
    cli_progress_end();
    if (evaluate && !failed) print_table(m, &r.table, out);
    if (outp && fclose(out) != 0) failed = 1;
    else if (!outp) fflush(out);
    hx_udp_close(m);
    free(files);
    if (failed) fprintf(stderr, "helix udp: input error\n");
    return failed || r.errors ? 1 : 0;
}
