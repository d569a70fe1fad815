/* HPO from obographs JSON: the node list gives terms (with obsolete flags,
 * replacements and alternative ids), the edge list is_a parents. Lookups go
 * through a sorted table of 7-digit numbers; closure is a depth-first walk
 * with an explicit stack, so a cyclic (hostile) graph still terminates. */
#include "helix/hpo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/file_util.h"
#include "helix/hlx.h"

#define IRI_PREFIX "http://purl.obolibrary.org/obo/HP_"
#define REPLACED_BY "http://purl.obolibrary.org/obo/IAO_0100001"
#define ALT_ID "http://www.geneontology.org/formats/oboInOwl#hasAlternativeId"
#define MAX_REPLACEMENT_HOPS 16
#define HPO_FILE_MAX ((size_t)1 << 31) /* hp.json is ~20 MB */

typedef struct {
    int32_t num;  /* the 7-digit number */
    int32_t term; /* term index */
} id_entry;

struct hx_hpo {
    char version[256];
    size_t n;
    int32_t *num;          /* n: each term's number */
    uint8_t *obsolete;     /* n */
    int32_t *replaced_by;  /* n: number of the replacement or -1 */
    size_t *par_off;       /* n+1: parents of t are par[par_off[t] .. par_off[t+1]) */
    int32_t *par;
    id_entry *by_num;      /* n, sorted by num */
    id_entry *alt;         /* n_alt, sorted by num (alt number -> owning term) */
    size_t n_alt;
};

/* "HP:nnnnnnn" or the PURL; exactly 7 digits. Returns the number or -1. */
static int32_t parse_hp_id(const char *s) {
    const char *d;
    if (!strncmp(s, "HP:", 3)) d = s + 3;
    else if (!strncmp(s, IRI_PREFIX, sizeof IRI_PREFIX - 1)) d = s + sizeof IRI_PREFIX - 1;
    else return -1;
    int32_t v = 0;
    for (int i = 0; i < 7; i++) {
        if (d[i] < '0' || d[i] > '9') return -1;
        v = v * 10 + (d[i] - '0');
    }
    return d[7] == '\0' ? v : -1;
}

static int cmp_entry(const void *a, const void *b) {
    const id_entry *x = a, *y = b;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    return (x->term > y->term) - (x->term < y->term);
}

static int32_t find_num(const id_entry *tab, size_t n, int32_t num) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tab[mid].num < num) lo = mid + 1;
        else hi = mid;
    }
    return (lo < n && tab[lo].num == num) ? tab[lo].term : -1;
}

void hx_hpo_free(hx_hpo *h) {
    if (!h) return;
    free(h->num);
    free(h->obsolete);
    free(h->replaced_by);
    free(h->par_off);
    free(h->par);
    free(h->by_num);
    free(h->alt);
    free(h);
}

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

/* Is node a term? Returns its number or -1. */
static int32_t node_term_number(const cJSON *node) {
    const cJSON *id = get(node, "id"), *type = get(node, "type");
    if (!cJSON_IsString(id) || !cJSON_IsString(type) || strcmp(type->valuestring, "CLASS")) return -1;
    if (strncmp(id->valuestring, IRI_PREFIX, sizeof IRI_PREFIX - 1)) return -1;
    return parse_hp_id(id->valuestring);
}

static hx_status load_nodes(hx_hpo *h, const cJSON *nodes, hx_error *err) {
    size_t n = 0, n_alt = 0;
    const cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        if (node_term_number(node) < 0) continue;
        n++;
        const cJSON *bpv = get(get(node, "meta"), "basicPropertyValues");
        const cJSON *bp;
        cJSON_ArrayForEach(bp, bpv) {
            const cJSON *pred = get(bp, "pred");
            if (cJSON_IsString(pred) && !strcmp(pred->valuestring, ALT_ID)) n_alt++;
        }
    }
    if (n == 0) return hx_fail(err, HX_EFORMAT, "hpo: no HP term nodes in graphs[0].nodes");
    if (n > (size_t)INT32_MAX / 2) return hx_fail(err, HX_ERANGE, "hpo: too many terms");
    h->num = malloc(n * sizeof *h->num);
    h->obsolete = calloc(n, 1);
    h->replaced_by = malloc(n * sizeof *h->replaced_by);
    h->by_num = malloc(n * sizeof *h->by_num);
    h->alt = malloc((n_alt ? n_alt : 1) * sizeof *h->alt);
    if (!h->num || !h->obsolete || !h->replaced_by || !h->by_num || !h->alt)
        return hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    size_t t = 0, a = 0, k = 0;
    cJSON_ArrayForEach(node, nodes) {
        k++;
        int32_t num = node_term_number(node);
        if (num < 0) continue;
        const cJSON *meta = get(node, "meta");
        h->num[t] = num;
        h->by_num[t] = (id_entry){num, (int32_t)t};
        h->replaced_by[t] = -1;
        h->obsolete[t] = cJSON_IsTrue(get(meta, "deprecated"));
        const cJSON *bp;
        cJSON_ArrayForEach(bp, get(meta, "basicPropertyValues")) {
            const cJSON *pred = get(bp, "pred"), *val = get(bp, "val");
            if (!cJSON_IsString(pred)) continue;
            int is_alt = !strcmp(pred->valuestring, ALT_ID);
            int is_rep = !strcmp(pred->valuestring, REPLACED_BY);
            if (!is_alt && !is_rep) continue;
            int32_t v = cJSON_IsString(val) ? parse_hp_id(val->valuestring) : -1;
            if (v < 0)
                return hx_fail(err, HX_EFORMAT, "hpo: node %zu has a malformed %s value", k - 1,
                               is_alt ? "alternative id" : "replaced_by");
            if (is_alt) h->alt[a++] = (id_entry){v, (int32_t)t};
            else h->replaced_by[t] = v;
        }
        t++;
    }
    h->n = n;
    h->n_alt = a;
    qsort(h->by_num, n, sizeof *h->by_num, cmp_entry);
    for (size_t i = 1; i < n; i++)
        if (h->by_num[i].num == h->by_num[i - 1].num)
            return hx_fail(err, HX_EFORMAT, "hpo: term HP:%07d appears twice", (int)h->by_num[i].num);
    qsort(h->alt, a, sizeof *h->alt, cmp_entry);
    return HX_OK;
}

/* Two passes over the edges: count per child, then fill (CSR layout). */
static hx_status load_edges(hx_hpo *h, const cJSON *edges, hx_error *err) {
    size_t n = h->n, total = 0;
    h->par_off = calloc(n + 1, sizeof *h->par_off);
    if (!h->par_off) return hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = NULL;
        if (pass == 1) {
            for (size_t t = 0; t < n; t++) h->par_off[t + 1] += h->par_off[t];
            total = h->par_off[n];
            h->par = malloc((total ? total : 1) * sizeof *h->par);
            fill = calloc(n, sizeof *fill);
            if (!h->par || !fill) {
                free(fill);
                return hx_fail(err, HX_ENOMEM, "hpo: out of memory");
            }
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, edges) {
            const cJSON *pred = get(e, "pred"), *sub = get(e, "sub"), *obj = get(e, "obj");
            if (!cJSON_IsString(pred) || strcmp(pred->valuestring, "is_a")) continue;
            if (!cJSON_IsString(sub) || !cJSON_IsString(obj)) continue;
            if (strncmp(sub->valuestring, IRI_PREFIX, sizeof IRI_PREFIX - 1) ||
                strncmp(obj->valuestring, IRI_PREFIX, sizeof IRI_PREFIX - 1))
                continue;
            int32_t s = find_num(h->by_num, n, parse_hp_id(sub->valuestring));
            int32_t o = find_num(h->by_num, n, parse_hp_id(obj->valuestring));
            if (s < 0 || o < 0) continue;
            if (pass == 0) {
                h->par_off[s + 1]++;
                continue;
            }
            /* drop duplicate edges, keeping the first */
            size_t base = h->par_off[s], dup = 0;
            for (size_t i = 0; i < fill[s]; i++) dup |= h->par[base + i] == o;
            if (!dup) h->par[base + fill[s]++] = o;
        }
        if (pass == 1) {
            /* compact away the slots left by dropped duplicates */
            size_t w = 0;
            for (size_t t = 0; t < n; t++) {
                size_t start = h->par_off[t];
                h->par_off[t] = w;
                for (size_t i = 0; i < fill[t]; i++) h->par[w++] = h->par[start + i];
            }
            h->par_off[n] = w;
            free(fill);
        }
    }
    return HX_OK;
}

hx_status hx_hpo_load_json(const char *json, size_t len, hx_hpo **out, hx_error *err) {
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return hx_fail(err, HX_EFORMAT, "hpo: not valid JSON");
    hx_status st = HX_OK;
    hx_hpo *h = calloc(1, sizeof *h);
    const cJSON *g0 = cJSON_GetArrayItem(get(root, "graphs"), 0);
    if (!h) st = hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    else if (!cJSON_IsObject(g0))
        st = hx_fail(err, HX_EFORMAT, "hpo: no graphs[0] object (not an obographs file)");
    else if (!cJSON_IsArray(get(g0, "nodes")) || !cJSON_IsArray(get(g0, "edges")))
        st = hx_fail(err, HX_EFORMAT, "hpo: graphs[0] needs \"nodes\" and \"edges\" arrays");
    if (st == HX_OK) {
        const cJSON *v = get(get(g0, "meta"), "version");
        if (cJSON_IsString(v)) snprintf(h->version, sizeof h->version, "%s", v->valuestring);
        st = load_nodes(h, get(g0, "nodes"), err);
    }
    if (st == HX_OK) st = load_edges(h, get(g0, "edges"), err);
    cJSON_Delete(root);
    if (st != HX_OK) {
        hx_hpo_free(h);
        return st;
    }
    *out = h;
    return HX_OK;
}

hx_status hx_hpo_load_file(const char *path, hx_hpo **out, hx_error *err) {
    *out = NULL;
    char *buf;
    size_t len;
    hx_status st = hx_read_file(path, HPO_FILE_MAX, &buf, &len, err);
    if (st != HX_OK) return st;
    st = hx_hpo_load_json(buf, len, out, err);
    free(buf);
    return st;
}

const char *hx_hpo_version(const hx_hpo *h) { return h->version; }
size_t hx_hpo_n_terms(const hx_hpo *h) { return h->n; }
int hx_hpo_is_obsolete(const hx_hpo *h, int32_t t) { return h->obsolete[t]; }

void hx_hpo_term_id(const hx_hpo *h, int32_t t, char out[11]) {
    snprintf(out, 11, "HP:%07d", (int)h->num[t]);
}

const int32_t *hx_hpo_parents(const hx_hpo *h, int32_t t, size_t *n) {
    *n = h->par_off[t + 1] - h->par_off[t];
    return h->par + h->par_off[t];
}

hx_hpo_resolution hx_hpo_resolve(const hx_hpo *h, const char *id, int32_t *term) {
    *term = -1;
    int32_t num = parse_hp_id(id);
    if (num < 0) return HX_HPO_MALFORMED;
    hx_hpo_resolution how = HX_HPO_CURRENT;
    for (int hop = 0; hop <= MAX_REPLACEMENT_HOPS; hop++) {
        int32_t t = find_num(h->by_num, h->n, num);
        if (t >= 0 && !h->obsolete[t]) {
            *term = t;
            return how;
        }
        if (t < 0) {
            int32_t owner = find_num(h->alt, h->n_alt, num);
            if (owner < 0) return hop == 0 ? HX_HPO_UNKNOWN : HX_HPO_OBSOLETE;
            if (!h->obsolete[owner]) {
                *term = owner;
                return how == HX_HPO_CURRENT ? HX_HPO_ALT_ID : how;
            }
            t = owner; /* an alt id of an obsolete term: follow that term */
        }
        if (h->replaced_by[t] < 0) return HX_HPO_OBSOLETE;
        num = h->replaced_by[t];
        how = HX_HPO_REPLACED;
    }
    return HX_HPO_OBSOLETE; /* a replacement chain too long or circular */
}

const char *hx_hpo_resolution_name(hx_hpo_resolution r) {
    switch (r) {
    case HX_HPO_CURRENT: return "current";
    case HX_HPO_ALT_ID: return "alt_id";
    case HX_HPO_REPLACED: return "replaced";
    case HX_HPO_OBSOLETE: return "obsolete";
    case HX_HPO_UNKNOWN: return "unknown";
    case HX_HPO_MALFORMED: return "malformed";
    }
    return "?";
}

hx_status hx_hpo_mark_ancestors(const hx_hpo *h, int32_t t, uint8_t *mark, hx_error *err) {
    if (t < 0 || (size_t)t >= h->n) return hx_fail(err, HX_EINVAL, "hpo: term index out of range");
    if (mark[t]) return HX_OK;
    /* every term is pushed at most once (marked when pushed): n slots suffice */
    int32_t *stack = malloc(h->n * sizeof *stack);
    if (!stack) return hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    size_t top = 0;
    mark[t] = 1;
    stack[top++] = t;
    while (top) {
        int32_t u = stack[--top];
        for (size_t i = h->par_off[u]; i < h->par_off[u + 1]; i++) {
            int32_t p = h->par[i];
            if (!mark[p]) {
                mark[p] = 1;
                stack[top++] = p;
            }
        }
    }
    free(stack);
    return HX_OK;
}

/* ------------------------------------------------------------------ */
/* .hlx storage                                                        */


hx_status hx_hpo_write_hlx(const hx_hpo *h, const char *source, const char *path, hx_error *err) {
    size_t n = h->n, ne = h->par_off[n], na = h->n_alt;
    int64_t *off = malloc((n + 1) * sizeof *off);
    int32_t *alt_id = malloc((na ? na : 1) * sizeof *alt_id), *alt_term = malloc((na ? na : 1) * sizeof *alt_term);
    cJSON *meta = cJSON_CreateObject(), *o = cJSON_CreateObject();
    char *text = NULL;
    hx_hlx_writer *w = NULL;
    hx_status st = HX_OK;
    if (!off || !alt_id || !alt_term || !meta || !o) {
        st = hx_fail(err, HX_ENOMEM, "hpo: out of memory");
        goto done;
    }
    for (size_t i = 0; i <= n; i++) off[i] = (int64_t)h->par_off[i];
    for (size_t i = 0; i < na; i++) alt_id[i] = h->alt[i].num, alt_term[i] = h->alt[i].term;
    cJSON_AddStringToObject(meta, "arch", "hpo");
    cJSON_AddStringToObject(meta, "name", "Human Phenotype Ontology (is_a graph)");
    cJSON_AddStringToObject(meta, "source", source ? source : "");
    cJSON_AddStringToObject(o, "version", h->version);
    cJSON_AddNumberToObject(o, "n_terms", (double)n);
    cJSON_AddNumberToObject(o, "n_edges", (double)ne);
    cJSON_AddNumberToObject(o, "n_alt_ids", (double)na);
    cJSON_AddItemToObject(meta, "hpo", o);
    o = NULL;
    text = cJSON_PrintUnformatted(meta);
    if (!text) {
        st = hx_fail(err, HX_ENOMEM, "hpo: out of memory");
        goto done;
    }
    int64_t dn = (int64_t)n, dn1 = (int64_t)n + 1, de = (int64_t)(ne ? ne : 0), da = (int64_t)na;
    st = hx_hlx_writer_new(&w, err);
    if (st == HX_OK) st = hx_hlx_writer_set_metadata(w, text, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.term", HX_DT_I32, 1, &dn, h->num, n * 4, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.obsolete", HX_DT_U8, 1, &dn, h->obsolete, n, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.replaced_by", HX_DT_I32, 1, &dn, h->replaced_by, n * 4, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.parent_offset", HX_DT_I64, 1, &dn1, off, (n + 1) * 8, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.parents", HX_DT_I32, 1, &de, h->par, ne * 4, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.alt_id", HX_DT_I32, 1, &da, alt_id, na * 4, err);
    if (st == HX_OK) st = hx_hlx_writer_add(w, "hpo.alt_term", HX_DT_I32, 1, &da, alt_term, na * 4, err);
    if (st == HX_OK) st = hx_hlx_writer_write(w, path, err);
done:
    hx_hlx_writer_free(w);
    cJSON_free(text);
    cJSON_Delete(meta);
    cJSON_Delete(o);
    free(off);
    free(alt_id);
    free(alt_term);
    return st;
}

/* A rank-1 tensor of the given dtype; its length in *len. */
static hx_status vector(const hx_hlx *f, const char *name, hx_dtype dt, const void **data, size_t *len,
                        hx_error *err) {
    hx_tensor_view v;
    hx_status st = hx_hlx_find(f, name, &v, err);
    if (st != HX_OK) return st;
    if (v.dtype != dt || v.rank != 1 || v.dims[0] < 0 || (uint64_t)v.dims[0] * hx_dtype_size(dt) != v.nbytes)
        return hx_fail(err, HX_EFORMAT, "hpo .hlx: tensor %s has the wrong type or shape", name);
    *data = v.data;
    *len = (size_t)v.dims[0];
    return HX_OK;
}

static hx_status from_hlx(const hx_hlx *f, hx_hpo *h, hx_error *err) {
    size_t mlen = 0;
    const char *mtext = hx_hlx_metadata(f, &mlen);
    cJSON *meta = cJSON_ParseWithLength(mtext, mlen);
    const cJSON *arch = get(meta, "arch"), *ver = get(get(meta, "hpo"), "version");
    if (!cJSON_IsString(arch) || strcmp(arch->valuestring, "hpo")) {
        cJSON_Delete(meta);
        return hx_fail(err, HX_EFORMAT, "hpo .hlx: metadata \"arch\" is not \"hpo\"");
    }
    if (cJSON_IsString(ver)) snprintf(h->version, sizeof h->version, "%s", ver->valuestring);
    cJSON_Delete(meta);

    const void *term = NULL, *obs = NULL, *rep = NULL, *off = NULL, *par = NULL, *aid = NULL, *aterm = NULL;
    size_t n = 0, n2 = 0, n3 = 0, n4 = 0, ne = 0, na = 0, na2 = 0;
    hx_status st;
    if ((st = vector(f, "hpo.term", HX_DT_I32, &term, &n, err)) ||
        (st = vector(f, "hpo.obsolete", HX_DT_U8, &obs, &n2, err)) ||
        (st = vector(f, "hpo.replaced_by", HX_DT_I32, &rep, &n3, err)) ||
        (st = vector(f, "hpo.parent_offset", HX_DT_I64, &off, &n4, err)) ||
        (st = vector(f, "hpo.parents", HX_DT_I32, &par, &ne, err)) ||
        (st = vector(f, "hpo.alt_id", HX_DT_I32, &aid, &na, err)) ||
        (st = vector(f, "hpo.alt_term", HX_DT_I32, &aterm, &na2, err)))
        return st;
    if (n == 0 || n > (size_t)INT32_MAX / 2 || n2 != n || n3 != n || n4 != n + 1 || na2 != na)
        return hx_fail(err, HX_EFORMAT, "hpo .hlx: tensor lengths disagree");
    h->n = n;
    h->n_alt = na;
    h->num = malloc(n * sizeof *h->num);
    h->obsolete = malloc(n);
    h->replaced_by = malloc(n * sizeof *h->replaced_by);
    h->par_off = malloc((n + 1) * sizeof *h->par_off);
    h->par = malloc((ne ? ne : 1) * sizeof *h->par);
    h->by_num = malloc(n * sizeof *h->by_num);
    h->alt = malloc((na ? na : 1) * sizeof *h->alt);
    if (!h->num || !h->obsolete || !h->replaced_by || !h->par_off || !h->par || !h->by_num || !h->alt)
        return hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    /* the mapped data need not be aligned for these types: copy bytewise */
    memcpy(h->num, term, n * 4);
    memcpy(h->obsolete, obs, n);
    memcpy(h->replaced_by, rep, n * 4);
    memcpy(h->par, par, ne * 4);
    for (size_t i = 0; i <= n; i++) {
        int64_t o;
        memcpy(&o, (const char *)off + 8 * i, 8);
        if (o < 0 || (uint64_t)o > ne || (i == 0 && o != 0) || (i == n && (size_t)o != ne) ||
            (i > 0 && (size_t)o < h->par_off[i - 1]))
            return hx_fail(err, HX_EFORMAT, "hpo .hlx: parent_offset %zu out of order or range", i);
        h->par_off[i] = (size_t)o;
    }
    for (size_t i = 0; i < n; i++) {
        if (h->num[i] < 0 || h->num[i] > 9999999 || h->obsolete[i] > 1 || h->replaced_by[i] < -1 ||
            h->replaced_by[i] > 9999999)
            return hx_fail(err, HX_EFORMAT, "hpo .hlx: term %zu has an out-of-range field", i);
        h->by_num[i] = (id_entry){h->num[i], (int32_t)i};
    }
    for (size_t i = 0; i < ne; i++)
        if (h->par[i] < 0 || (size_t)h->par[i] >= n)
            return hx_fail(err, HX_EFORMAT, "hpo .hlx: parent %zu out of range", i);
    for (size_t i = 0; i < na; i++) {
        int32_t a, t;
        memcpy(&a, (const char *)aid + 4 * i, 4);
        memcpy(&t, (const char *)aterm + 4 * i, 4);
        if (a < 0 || a > 9999999 || t < 0 || (size_t)t >= n)
            return hx_fail(err, HX_EFORMAT, "hpo .hlx: alternative id %zu out of range", i);
        h->alt[i] = (id_entry){a, t};
    }
    qsort(h->by_num, n, sizeof *h->by_num, cmp_entry);
    for (size_t i = 1; i < n; i++)
        if (h->by_num[i].num == h->by_num[i - 1].num)
            return hx_fail(err, HX_EFORMAT, "hpo .hlx: term HP:%07d appears twice", (int)h->by_num[i].num);
    qsort(h->alt, na, sizeof *h->alt, cmp_entry);
    return HX_OK;
}

hx_status hx_hpo_open_hlx(const char *path, hx_hpo **out, hx_error *err) {
    *out = NULL;
    hx_hlx *f;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    hx_hpo *h = calloc(1, sizeof *h);
    st = h ? from_hlx(f, h, err) : hx_fail(err, HX_ENOMEM, "hpo: out of memory");
    hx_hlx_close(f);
    if (st != HX_OK) {
        hx_hpo_free(h);
        return st;
    }
    *out = h;
    return HX_OK;
}
