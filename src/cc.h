/* Compiler helpers for the core's sources (not part of the API). */
#ifndef SLINK_CC_H
#define SLINK_CC_H

/* Keeps a function's stack frame (a large local) off its caller's frame,
 * where inlining would put it on paths that never use it. */
#if defined(__GNUC__)
#define SLINK_NOINLINE __attribute__((noinline))
#else
#define SLINK_NOINLINE
#endif

#endif
