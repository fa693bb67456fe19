/* attach.c — ATTACH / DETACH: not yet. */
#include "build_int.h"

int codegen_attach(Parse *p, Stmt *st) {
  (void)st;
  parse_error(p, "ATTACH is not supported yet");
  return p->rc;
}
