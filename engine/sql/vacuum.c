/* vacuum.c — VACUUM [schema] [INTO file]: OP_Vacuum (the VM/btree copy). */
#include "build_int.h"

int codegen_vacuum(Parse *p, Stmt *st) {
  int idb = 0;
  if (st->u.vacuum.db) {
    idb = schema_db_index(p->db, st->u.vacuum.db);
    if (idb < 0) {
      parse_error(p, "unknown database %s", st->u.vacuum.db);
      return p->rc;
    }
  }
  if (st->u.vacuum.into) {
    Expr *e = ast_dup_expr(st->u.vacuum.into);
    NameContext nc;
    memset(&nc, 0, sizeof(nc));
    int r = parse_alloc_reg(p);
    if (resolve_expr(p, &nc, e) == SQLITE_OK) expr_code(p, e, r);
    ast_free_expr(e);
    vdbe_add_op2(p->v, OP_Vacuum, idb, r);
  } else {
    vdbe_add_op2(p->v, OP_Vacuum, idb, 0);
  }
  return p->rc;
}
