#include "testlib.h"
#include <stdarg.h>
#include <string.h>

int testlib_passed, testlib_failed;
const char *const testlib_vfs_names[2] = {"unix", "pending"};

void testlib_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  testlib_failed++;
  if (testlib_failed > 50) return; /* keep output readable */
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int testlib_finish(const char *name) {
  printf("%s: %d passed, %d failed\n", name, testlib_passed, testlib_failed);
  return testlib_failed ? 1 : 0;
}
