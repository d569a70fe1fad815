/* What the helix shared library exports.
 *
 * The library is built with -fvisibility=hidden, so only what a public header
 * declares between HX_API_BEGIN and HX_API_END (or marks HX_API one by one) is
 * visible to an embedder; every helper shared between the library's own files
 * stays internal even when it is not static. The two macros also open and
 * close the extern "C" block for C++ callers. */
#ifndef HELIX_EXPORT_H
#define HELIX_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define HX_API __attribute__((visibility("default")))
#define HX_VISIBILITY_PUSH_ _Pragma("GCC visibility push(default)")
#define HX_VISIBILITY_POP_ _Pragma("GCC visibility pop")
#else
#define HX_API
#define HX_VISIBILITY_PUSH_
#define HX_VISIBILITY_POP_
#endif

#ifdef __cplusplus
#define HX_API_BEGIN extern "C" { HX_VISIBILITY_PUSH_
#define HX_API_END HX_VISIBILITY_POP_ }
#else
#define HX_API_BEGIN HX_VISIBILITY_PUSH_
#define HX_API_END HX_VISIBILITY_POP_
#endif

#endif
