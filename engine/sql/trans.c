/*
** trans.c — BEGIN / COMMIT / END / ROLLBACK, SAVEPOINT / RELEASE /
** ROLLBACK TO.  The VM (OP_AutoCommit, OP_Savepoint) produces SQLite's
** errors ("cannot start a transaction within a transaction", "cannot commit
** - no transaction is active", "no such savepoint: x").
*/
#include "build_int.h"

int codegen_transaction(Parse *p, Stmt *st) {
  Vdbe *v = p->v;
  sqlite3 *db = p->db;
  switch (st->kind) {
    case ST_BEGIN: {
      int mode = st->u.begin.mode;
      if (mode == 1 || mode == 2) {
        for (int i = 0; i < db->n_db; i++) {
          if (i == 1 && db->dbs[i].btree == NULL) continue;
          vdbe_add_op2(v, OP_Transaction, i, mode == 2 ? 2 : 1);
        }
      }
      vdbe_add_op2(v, OP_AutoCommit, 0, 0);
      break;
    }
    case ST_COMMIT:
      vdbe_add_op2(v, OP_AutoCommit, 1, 0);
      break;
    case ST_ROLLBACK:
      if (st->u.trans.savepoint) {
        vdbe_add_op4(v, OP_Savepoint, 2, 0, 0, shale_strdup(st->u.trans.savepoint), P4_DYNAMIC);
      } else {
        vdbe_add_op2(v, OP_AutoCommit, 1, 1);
      }
      break;
    case ST_SAVEPOINT:
      vdbe_add_op4(v, OP_Savepoint, 0, 0, 0, shale_strdup(st->u.trans.savepoint), P4_DYNAMIC);
      break;
    case ST_RELEASE:
      vdbe_add_op4(v, OP_Savepoint, 1, 0, 0, shale_strdup(st->u.trans.savepoint), P4_DYNAMIC);
      break;
    default:
      break;
  }
  return p->rc;
}
