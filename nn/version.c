/* The library's version, for embedders (the CLI prints it with --version). */
#include "helix/version.h"

const char *hx_version(void) { return HX_VERSION_STRING; }
