/*
** vdbe_vtab.c — the virtual-table opcodes (SQLite 3.40's OP_VBegin,
** OP_VCreate, OP_VDestroy, OP_VOpen, OP_VFilter, OP_VColumn, OP_VNext,
** OP_VRowid, OP_VUpdate), cursor close, and the transaction calls
** (xBegin / xSync / xCommit / xRollback).
**
** Async rule: module methods never return SHALE_PENDING (modules are
** synchronous by contract); OP_VCreate / OP_VDestroy go through the SQL
** layer's callbacks, which touch only in-memory schema objects.
*/
#include "vdbe_int.h"

/* ------------------------------------------------------ ref counting -- */
VtabModule *vtab_module_ref(VtabModule *m) {
  if (m) m->ref++;
  return m;
}

void vtab_module_unref(VtabModule *m) {
  if (!m || --m->ref > 0) return;
  if (m->destroy) m->destroy(m->aux);
  sqlite3_free(m->name);
  sqlite3_free(m);
}

VTable *vtable_ref(VTable *t) {
  if (t) t->ref++;
  return t;
}

void vtable_unref(VTable *t) {
  if (!t || --t->ref > 0) return;
  if (!t->destroyed && t->vtab && t->vtab->pModule->xDisconnect) t->vtab->pModule->xDisconnect(t->vtab);
  vtab_module_unref(t->mod);
  sqlite3_free(t);
}

char *vtab_take_errmsg(sqlite3_vtab *vt, int rc) {
  char *z = NULL;
  if (vt && vt->zErrMsg) {
    z = shale_strdup(vt->zErrMsg);
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = NULL;
  }
  if (!z) z = shale_strdup(vdbe_errstr(rc));
  return z;
}

/* ------------------------------------------------------------ cursors -- */
void vdbe_vtab_cursor_close(VdbeCursor *c) {
  if (c->vcsr && c->vtable) c->vtable->vtab->pModule->xClose(c->vcsr);
  c->vcsr = NULL;
  vtable_unref(c->vtable);
  c->vtable = NULL;
}

int vdbe_vtab_rowid(VdbeCursor *c, Mem *out, char **err) {
  if (!c->vcsr || c->null_row) {
    mem_set_null(out);
    return SQLITE_OK;
  }
  sqlite3_int64 rowid = 0;
  sqlite3_vtab *vt = c->vtable->vtab;
  int rc = vt->pModule->xRowid(c->vcsr, &rowid);
  if (rc) {
    *err = vtab_take_errmsg(vt, rc);
    return rc;
  }
  mem_set_int(out, rowid);
  return SQLITE_OK;
}

sqlite3_value *vdbe_row_value(Vdbe *v, int i) {
  return v && v->result && i >= 0 && i < v->n_result ? &v->result[i] : NULL;
}

static VdbeCursor *vcursor(Vdbe *v, int i) {
  if (i < 0 || i >= v->n_csr || !v->csr[i] || v->csr[i]->type != CURTYPE_VTAB) return NULL;
  return v->csr[i];
}

/* ------------------------------------------------------- transactions -- */
static int vtrans_add(sqlite3 *db, VTable *t) {
  void **a = sqlite3_realloc64(db->vtrans, sizeof(void *) * (u64)(db->n_vtrans + 1));
  if (!a) return SQLITE_NOMEM;
  db->vtrans = a;
  a[db->n_vtrans++] = vtable_ref(t);
  t->in_txn = 1;
  return SQLITE_OK;
}

int vdbe_vtab_sync(sqlite3 *db, char **err) {
  for (int i = 0; i < db->n_vtrans; i++) {
    VTable *t = db->vtrans[i];
    if (!t->vtab->pModule->xSync) continue;
    int rc = t->vtab->pModule->xSync(t->vtab);
    if (rc) {
      *err = vtab_take_errmsg(t->vtab, rc);
      return rc;
    }
  }
  return SQLITE_OK;
}

void vdbe_vtab_end(sqlite3 *db, int commit) {
  void **a = db->vtrans;
  int n = db->n_vtrans;
  db->vtrans = NULL;
  db->n_vtrans = 0;
  for (int i = 0; i < n; i++) {
    VTable *t = a[i];
    const sqlite3_module *m = t->vtab->pModule;
    int (*x)(sqlite3_vtab *) = commit ? m->xCommit : m->xRollback;
    if (x) x(t->vtab);
    t->in_txn = 0;
    vtable_unref(t);
  }
  sqlite3_free(a);
}

/* SQLite's answer to sqlite3_vtab_on_conflict for an OE_* action. */
static u8 on_conflict_code(int oe) {
  static const u8 map[] = {SQLITE_ABORT, SQLITE_ROLLBACK, SQLITE_ABORT, SQLITE_FAIL, SQLITE_IGNORE, SQLITE_REPLACE};
  return oe >= 0 && oe <= 5 ? map[oe] : SQLITE_ABORT;
}

/* ------------------------------------------------------------ opcodes -- */
int vdbe_vtab_op(Vdbe *v, VdbeOp *op, int *jump, char **err) {
  sqlite3 *db = v->db;
  Mem *mem = v->mem;
  VdbeCursor *c;
  int rc = SQLITE_OK;
  switch (op->opcode) {
    case OP_VBegin: {
      VTable *t = op->p4.p;
      if (!t || t->in_txn || !t->vtab->pModule->xBegin) return SQLITE_OK;
      rc = t->vtab->pModule->xBegin(t->vtab);
      if (rc) {
        *err = vtab_take_errmsg(t->vtab, rc);
        return rc;
      }
      return vtrans_add(db, t);
    }
    case OP_VCreate:
    case OP_VDestroy: {
      const char *name = op->opcode == OP_VCreate ? (const char *)sqlite3_value_text(&mem[op->p2]) : op->p4.z;
      int (*cb)(sqlite3 *, int, const char *, char **) = op->opcode == OP_VCreate ? db->vtab_create : db->vtab_destroy;
      if (!cb || !name) return SQLITE_INTERNAL;
      return cb(db, op->p1, name, err);
    }
    case OP_VOpen: {
      VTable *t = op->p4.p;
      c = vcursor(v, op->p1);
      if (c && c->vtable == t) return SQLITE_OK; /* already open (re-run of a loop) */
      sqlite3_vtab_cursor *vc = NULL;
      rc = t->vtab->pModule->xOpen(t->vtab, &vc);
      if (rc) {
        *err = vtab_take_errmsg(t->vtab, rc);
        return rc;
      }
      vc->pVtab = t->vtab;
      c = vdbe_cursor_new(v, op->p1, CURTYPE_VTAB);
      if (!c) {
        t->vtab->pModule->xClose(vc);
        return SQLITE_NOMEM;
      }
      c->vcsr = vc;
      c->vtable = vtable_ref(t);
      return SQLITE_OK;
    }
    case OP_VFilter: {
      c = vcursor(v, op->p1);
      if (!c) return SQLITE_INTERNAL;
      sqlite3_vtab *vt = c->vtable->vtab;
      int idx_num = (int)mem_int_value(&mem[op->p3]);
      int argc = (int)mem_int_value(&mem[op->p3 + 1]);
      sqlite3_value *argv[128];
      if (argc > 128) argc = 128;
      for (int i = 0; i < argc; i++) argv[i] = &mem[op->p3 + 2 + i];
      const char *idx_str = op->p4type == P4_DYNAMIC || op->p4type == P4_STATIC ? op->p4.z : NULL;
      rc = vt->pModule->xFilter(c->vcsr, idx_num, idx_str, argc, argv);
      if (rc) {
        *err = vtab_take_errmsg(vt, rc);
        return rc;
      }
      c->null_row = 0;
      *jump = vt->pModule->xEof(c->vcsr) != 0;
      return SQLITE_OK;
    }
    case OP_VColumn: {
      Mem *out = &mem[op->p3];
      c = vcursor(v, op->p1);
      if (!c || c->null_row) {
        mem_set_null(out);
        return SQLITE_OK;
      }
      sqlite3_vtab *vt = c->vtable->vtab;
      sqlite3_context ctx;
      memset(&ctx, 0, sizeof(ctx));
      Mem result;
      mem_init(&result, db);
      ctx.out = &result;
      ctx.db = db;
      ctx.vdbe = v;
      ctx.now_ms = v->start_time_ms;
      ctx.vtab_nochange = (op->p5 & OPFLAG_NOCHNG) != 0;
      rc = vt->pModule->xColumn(c->vcsr, &ctx, op->p2);
      if (ctx.is_error) {
        *err = ctx.err ? ctx.err : shale_strdup(vdbe_errstr(ctx.is_error));
        mem_release(&result);
        return ctx.is_error;
      }
      sqlite3_free(ctx.err);
      if (rc) {
        mem_release(&result);
        *err = vtab_take_errmsg(vt, rc);
        return rc;
      }
      mem_move(out, &result);
      mem_release(&result);
      out->db = db;
      return SQLITE_OK;
    }
    case OP_VNext: {
      c = vcursor(v, op->p1);
      if (!c || c->null_row) return SQLITE_OK;
      sqlite3_vtab *vt = c->vtable->vtab;
      rc = vt->pModule->xNext(c->vcsr);
      if (rc) {
        *err = vtab_take_errmsg(vt, rc);
        return rc;
      }
      *jump = vt->pModule->xEof(c->vcsr) == 0;
      return SQLITE_OK;
    }
    case OP_VRowid: {
      c = vcursor(v, op->p1);
      if (!c) {
        mem_set_null(&mem[op->p2]);
        return SQLITE_OK;
      }
      return vdbe_vtab_rowid(c, &mem[op->p2], err);
    }
    case OP_VUpdate: {
      VTable *t = op->p4.p;
      sqlite3_vtab *vt = t->vtab;
      if (!vt->pModule->xUpdate) {
        *err = sqlite3_mprintf("table is read-only");
        return SQLITE_ERROR;
      }
      sqlite3_value *argv[256];
      int argc = op->p2 > 256 ? 256 : op->p2;
      for (int i = 0; i < argc; i++) argv[i] = &mem[op->p3 + i];
      u8 saved = db->vtab_on_conflict;
      db->vtab_on_conflict = on_conflict_code(op->p5);
      sqlite3_int64 rowid = 0;
      rc = vt->pModule->xUpdate(vt, argc, argv, &rowid);
      db->vtab_on_conflict = saved;
      if (rc == SQLITE_CONSTRAINT && t->constraint_support && (op->p5 == 4 || op->p5 == 5)) {
        sqlite3_free(vt->zErrMsg);
        vt->zErrMsg = NULL;
        return SQLITE_OK; /* OR IGNORE / OR REPLACE: the module skipped the row */
      }
      if (rc) {
        *err = vtab_take_errmsg(vt, rc);
        return rc;
      }
      if (op->p1) db->last_rowid = rowid;
      v->count_changes = 1;
      v->n_change++;
      return SQLITE_OK;
    }
  }
  return SQLITE_INTERNAL;
}
