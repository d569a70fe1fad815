/* The library's version, for embedders (the CLI prints it with --version). */
#include "helix.h"

const char *hx_version(void) { return "0.1.0"; }
