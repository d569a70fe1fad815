/* The library's version. The numbers below are the one place it is set:
 * CMake reads them for the shared library's SONAME, helix.pc and the
 * package version file, so a header and the library it came with agree. */
#ifndef HELIX_VERSION_H
#define HELIX_VERSION_H

#include "helix/export.h"

#define HX_VERSION_MAJOR 0
#define HX_VERSION_MINOR 1
#define HX_VERSION_PATCH 0
#define HX_VERSION_STRING "0.1.0"

HX_API_BEGIN

/* The version of the library actually linked (may differ from
 * HX_VERSION_STRING when a program runs against a newer shared library). */
const char *hx_version(void);

HX_API_END
#endif
