/* analyze.c — ANALYZE: not yet (accepted as a no-op). */
#include "build_int.h"

int codegen_analyze(Parse *p, Stmt *st) {
  (void)st;
  return p->rc;
}
