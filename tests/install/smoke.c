/* The smallest client of the installed library: the header it was compiled
 * with and the library it runs against agree on the version, and a model
 * file opens. Built with pkg-config (shared and static) and with
 * find_package(helix) by tests/install/test_install.sh. */
#include <stdio.h>
#include <string.h>

#include <helix.h>

int main(int argc, char **argv) {
    if (strcmp(hx_version(), HX_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", HX_VERSION_STRING, hx_version());
        return 1;
    }
    if (argc > 1) {
        hx_error err;
        hx_hlx *f;
        if (hx_hlx_open(argv[1], &f, &err) != HX_OK) {
            fprintf(stderr, "%s: %s\n", argv[1], err.msg);
            return 1;
        }
        printf("%s: %zu tensors\n", argv[1], hx_hlx_tensor_count(f));
        hx_hlx_close(f);
    }
    printf("helix %s\n", hx_version());
    return 0;
}
