/*
** testlib.h — a tiny assertion library for the C unit tests.
** Each test binary runs its cases, counting checks; main() ends with
** `return testlib_finish("name");`, which prints "name: N passed, M failed".
*/
#ifndef SHALE_TESTLIB_H
#define SHALE_TESTLIB_H
#include <stdio.h>
#include <stdint.h>

extern int testlib_passed, testlib_failed;
void testlib_fail(const char *file, int line, const char *fmt, ...);
int testlib_finish(const char *name);

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (cond) testlib_passed++;                                              \
    else testlib_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);               \
  } while (0)
#define CHECK_INT(a, b)                                                      \
  do {                                                                       \
    long long a_ = (long long)(a), b_ = (long long)(b);                      \
    if (a_ == b_) testlib_passed++;                                          \
    else testlib_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
                      #a, a_, #b, b_);                                       \
  } while (0)
#define CHECK_STR(a, b)                                                      \
  do {                                                                       \
    const char *a_ = (a), *b_ = (b);                                         \
    if (a_ && b_ && strcmp(a_, b_) == 0) testlib_passed++;                   \
    else testlib_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"",   \
                      #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");           \
  } while (0)

/* The VFS names every storage test runs on: the synchronous backend and the
** `pending` backend that answers every first read with PENDING. */
extern const char *const testlib_vfs_names[2];
#endif
