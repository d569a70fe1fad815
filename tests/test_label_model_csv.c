/* The strict L.csv reader: every malformed input is an error naming the line. */
#include <criterion/criterion.h>
#include <string.h>

#include "helix/label_matrix_file.h"

static hx_status parse(const char *s, int k, hx_label_csv *c, hx_error *err) {
    hx_error_clear(err);
    return hx_label_csv_parse(s, strlen(s), k, "L.csv", c, err);
}

Test(label_csv, valid_inputs) {
    hx_label_csv c;
    hx_error err;
    cr_assert_eq(parse("a,b,c\n0,1,-1\r\n-1, 1 ,0\n\n", 2, &c, &err), HX_OK, "%s", err.msg);
    cr_expect_eq(c.n, 2);
    cr_expect_eq(c.m, 3);
    cr_expect_str_eq(c.names[1], "b");
    int32_t want[6] = {0, 1, -1, -1, 1, 0};
    for (int i = 0; i < 6; i++) cr_expect_eq(c.L[i], want[i]);
    hx_label_csv_free(&c);
    cr_assert_eq(parse("3,-1", 4, &c, &err), HX_OK); /* no final newline, no header */
    cr_expect_null(c.names);
    cr_expect_eq(c.n, 1);
    hx_label_csv_free(&c);
    /* k = 0: no upper bound */
    cr_assert_eq(parse("7,0\n", 0, &c, &err), HX_OK);
    hx_label_csv_free(&c);
}

Test(label_csv, errors_name_the_line) {
    struct { const char *in; int k; const char *needle; } cases[] = {
        {"0,1\n1,0,1\n", 2, "line 2 has 3 fields"},
        {"0,1\n1,2\n", 2, "line 2: field 2 is 2, outside -1..1"},
        {"0,1\n-2,0\n", 2, "line 2: field 1 is -2"},
        {"0,1\n\n1,0\n", 2, "line 2 is empty"},
        {"0,1\n1,\n", 2, "line 2: field 2 is empty"},
        {"0,1\n1,x\n", 2, "line 2: field 2 is not an integer"},
        {"0,1\n1,1.0\n", 2, "line 2: field 2 is not an integer"},
        {"0,1\n1,99999999999999999999\n", 0, "line 2: field 2 is not an integer"},
        {"", 2, "no data rows"},
        {"a,b,c\n", 2, "no data rows"},
        {"\n", 2, "no data rows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hx_label_csv c;
        hx_error err;
        cr_expect_neq(parse(cases[i].in, cases[i].k, &c, &err), HX_OK, "case %zu accepted", i);
        cr_expect(strstr(err.msg, cases[i].needle) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg,
                  cases[i].needle);
        cr_expect_null(c.L);
    }
    hx_label_csv c;
    hx_error err;
    const char nul[] = "0,1\n1,\0\n";
    cr_expect_neq(hx_label_csv_parse(nul, sizeof nul - 1, 2, "L.csv", &c, &err), HX_OK);
}

Test(label_csv, gold_column) {
    char path[] = "/tmp/hx_gold_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("id,gold\n5,1\n6,-1\n7,0\n", f);
    fclose(f);
    int32_t *g = NULL;
    size_t n = 0;
    hx_error err;
    cr_expect_neq(hx_gold_csv_read(path, 2, NULL, &g, &n, &err), HX_OK); /* two columns, none named */
    cr_expect_neq(hx_gold_csv_read(path, 2, "gold", &g, &n, &err), HX_OK); /* id 5 > k-1 */
    cr_assert_eq(hx_gold_csv_read(path, 0, "gold", &g, &n, &err), HX_OK, "%s", err.msg);
    cr_expect_eq(n, 3);
    cr_expect_eq(g[0], 1);
    cr_expect_eq(g[1], -1);
    free(g);
    remove(path);
}
