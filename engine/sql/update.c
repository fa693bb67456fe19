/*
** update.c — UPDATE: collect the rowids of matching rows (RowSet), then for
** each: read OLD, compute NEW, BEFORE triggers, constraint checks, replace
** index entries and the row, AFTER triggers, RETURNING.
*/
#include "build_int.h"
#include "vtab.h"

SrcList *build_target_src(Parse *p, SrcItem *target, Table *t, int cursor);
void build_free_target_src(SrcList *src);
void build_collect_rowids(Parse *p, Table *t, SrcList *src, int cur, Expr *where, int reg_set);
Select *build_rowid_select(SrcItem *target, Table *t, SrcList *from, Expr *where, ExprList *extra,
                           ExprList *order_by, Expr *limit, Expr *offset);
void build_run_rowid_select(Parse *p, Select *sel, int n, int eph, int reg_set);

/* WHERE rowid = <integer literal or parameter> (either side), resolved
** against the target cursor: returns the value side, else NULL. */
static Expr *rowid_eq_value(Table *t, Expr *w, int cur) {
  if (!w || w->op != EX_BINARY || w->sub_op != OP_EQ_) return NULL;
  for (int side = 0; side < 2; side++) {
    Expr *col = side ? w->right : w->left;
    Expr *val = side ? w->left : w->right;
    if (!col || !val || col->op != EX_COLUMN || col->res_cursor != cur) continue;
    if (col->res_column != -1 && (t->ipk < 0 || col->res_column != t->ipk)) continue;
    if (val->op == EX_VARIABLE || val->op == EX_INTEGER) return val;
  }
  return NULL;
}

/* Must UPDATE rewrite index ix?  Yes if a key column (or the rowid, or
** anything an expression or a partial index's WHERE could read) changes. */
static int index_changes(Table *t, Index *ix, const u8 *chng, int rowid_changed) {
  if (ix->where) return 1;
  for (int i = 0; i < ix->n_column; i++) {
    int c = ix->columns[i];
    if (c == -2) return 1;
    if (c < 0 || c == t->ipk) {
      if (rowid_changed) return 1;
    } else if (chng[c]) {
      return 1;
    }
  }
  return 0;
}

int codegen_update(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  SrcItem *target = st->u.update.target;
  Table *t = schema_locate_table(p, target->db, target->name, 1);
  if (!t) return p->rc;
  if (t->vt) return vtab_code_update(p, st, t);
  if (t->is_view) {
    Trigger *trs[1];
    if (schema_triggers_for(db, t, ST_UPDATE, 2, trs, 1) == 0) {
      parse_error(p, "cannot modify %s because it is a view", t->name);
      return p->rc;
    }
    if (st->u.update.from) {
      parse_error(p, "UPDATE ... FROM is not supported yet");
      return p->rc;
    }
    return trigger_view_update(p, st, t);
  }
  if (t->root == 1 && !(db->flags & SQLITE_WriteSchema)) {
    parse_error(p, "table %s may not be modified", t->name);
    return p->rc;
  }
  int wr = t->without_rowid;
  Index *wr_pk = wr ? table_primary_key_index(t) : NULL;
  if (wr && !wr_pk) {
    parse_error(p, "PRIMARY KEY missing on table %s", t->name);
    return p->rc;
  }
  int n_key = wr ? wr_pk->n_key_col : 1;
  int from_mode = st->u.update.from != NULL;
  int eph_mode = wr || from_mode || st->u.update.order_by || st->u.update.limit;
  int n_col = t->n_col;
  int idb = t->db_index;
  ExprList *set = st->u.update.set;
  u8 chng_local[2000];
  if (n_col > 2000) return SQLITE_ERROR;
  memset(chng_local, 0, sizeof(chng_local));
  int set_of[2000];
  for (int i = 0; i < n_col; i++) set_of[i] = -1;
  int rowid_set = -1;
  for (int k = 0; k < (set ? set->n : 0); k++) {
    const char *cn = set->a[k].alias;
    int c = cn ? table_column_index(t, cn) : -1;
    if (c == -1) {
      parse_error(p, "no such column: %s", cn ? cn : "?");
      return p->rc;
    }
    if (c == -2 || c == t->ipk) {
      rowid_set = k;
      if (c >= 0) {
        chng_local[c] = 1;
        set_of[c] = k;
      }
    } else {
      if (t->cols[c].generated) {
        parse_error(p, "cannot UPDATE generated column \"%s\"", t->cols[c].name);
        return p->rc;
      }
      chng_local[c] = 1;
      set_of[c] = k;
    }
  }
  for (int c = 0; c < n_col; c++)
    if (t->cols[c].generated) chng_local[c] = 1; /* recomputed */
  parse_begin_write(p, idb);
  int trig = trigger_exists(p, t, ST_UPDATE, chng_local);
  ExprList *ret = st->u.update.returning;
  if (ret) returning_setup(p, ret, t);
  int n_idx = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next) n_idx++;

  WriteCtx w;
  memset(&w, 0, sizeof(w));
  w.tab = t;
  w.idb = idb;
  w.on_error = st->u.update.or_conflict;
  w.is_update = 1;
  w.chng = chng_local;
  w.rowid_changed = rowid_set >= 0;
  w.data_cur = parse_alloc_cursor(p);
  w.idx_cur = p->n_cursor;
  p->n_cursor += n_idx;
  w.n_idx = n_idx;
  if (!wr) vdbe_add_op4_int(v, OP_OpenWrite, w.data_cur, (int)t->root, idb, n_col);
  build_open_indexes(p, t, OP_OpenWrite, w.idx_cur);
  if (wr) {
    /* the PRIMARY KEY index is the table */
    int k = 0;
    for (Index *ix = t->indexes; ix; ix = ix->next, k++)
      if (ix == wr_pk) w.data_cur = w.idx_cur + k;
  }
  int idx_regs_local[256];
  if (n_idx > 256) {
    parse_error(p, "too many indexes on %s", t->name);
    return p->rc;
  }
  w.idx_regs = idx_regs_local;
  for (int k = 0; k < n_idx && k < 256; k++) idx_regs_local[k] = parse_alloc_reg(p);
  /* indexes whose key does not change are left alone (as SQLite does) */
  u8 idx_unchanged[256];
  if (!wr) {
    int k = 0;
    for (Index *ix = t->indexes; ix && k < 256; ix = ix->next, k++)
      idx_unchanged[k] = (u8)!index_changes(t, ix, chng_local, rowid_set >= 0);
    w.idx_unchanged = idx_unchanged;
  }

  SrcList *src = build_target_src(p, target, t, w.data_cur);
  int reg_set = parse_alloc_reg(p);
  int one_pass = 0, one_pass_end = 0;
  int eph = -1;
  int n_set = set ? set->n : 0;
  if (eph_mode) {
    /* first pass into an ephemeral table: (rowid [, SET values when FROM]) */
    int n_res = n_key + (from_mode ? n_set : 0);
    eph = parse_alloc_cursor(p);
    vdbe_add_op2(v, OP_OpenEphemeral, eph, n_res);
    Select *sel = build_rowid_select(target, t, st->u.update.from, st->u.update.where, from_mode ? set : NULL,
                                     st->u.update.order_by, st->u.update.limit, st->u.update.offset);
    if (sel) build_run_rowid_select(p, sel, n_res, eph, 0);
    ast_free_select(sel);
  } else {
    /* WHERE rowid = ?: seek the row directly, no RowSet (one pass) */
    Expr *wdup = NULL;
    if (st->u.update.where && !target->indexed_by && !target->not_indexed) {
      wdup = ast_dup_expr(st->u.update.where);
      NameContext nc1;
      memset(&nc1, 0, sizeof(nc1));
      nc1.src = src;
      if (wdup && resolve_expr(p, &nc1, wdup) != SQLITE_OK) {
        ast_free_expr(wdup);
        build_free_target_src(src);
        return p->rc;
      }
    }
    Expr *key = rowid_eq_value(t, wdup, w.data_cur);
    if (key) {
      one_pass = 1;
      one_pass_end = vdbe_make_label(v);
      int r = parse_alloc_reg(p);
      expr_code(p, key, r);
      vdbe_add_op3(v, OP_SeekRowid, w.data_cur, one_pass_end, r);
    } else {
      build_collect_rowids(p, t, src, w.data_cur, st->u.update.where, reg_set);
    }
    if (wdup) ast_free_expr(wdup);
  }
  if (p->rc) {
    build_free_target_src(src);
    return p->rc;
  }
  /* Resolve the SET expressions against the target cursor. */
  ExprList *vals = ast_dup_expr_list(set);
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.src = src;
  for (int k = 0; !from_mode && vals && k < vals->n && p->rc == SQLITE_OK; k++) resolve_expr(p, &nc, vals->a[k].expr);
  if (p->rc) {
    ast_free_expr_list(vals);
    build_free_target_src(src);
    return p->rc;
  }

  int reg_old = parse_alloc_regs(p, 2 * (n_col + 1));
  int reg_new = reg_old + n_col + 1;
  w.reg_old_rowid = reg_old;
  w.reg_rowid = reg_new;
  w.reg_data = reg_new + 1;
  w.reg_record = parse_alloc_reg(p);
  int end = vdbe_make_label(v);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  w.ignore_label = lnext;
  int keys = parse_alloc_regs(p, n_key);
#define SEEK_ROW()                                                              \
  do {                                                                          \
    if (wr)                                                                     \
      vdbe_add_op4_int(v, OP_NotFound, w.data_cur, lnext, keys, n_key);         \
    else                                                                        \
      vdbe_add_op3(v, OP_NotExists, w.data_cur, lnext, reg_old);                \
  } while (0)
  if (eph_mode) {
    vdbe_add_op2(v, OP_Rewind, eph, end);
    top = vdbe_current_addr(v);
    if (wr) {
      for (int j = 0; j < n_key; j++) vdbe_add_op3(v, OP_Column, eph, j, keys + j);
      vdbe_add_op2(v, OP_Null, 0, reg_old);
    } else {
      vdbe_add_op3(v, OP_Column, eph, 0, reg_old);
    }
  } else if (one_pass) {
    vdbe_add_op2(v, OP_Rowid, w.data_cur, reg_old);
  } else {
    vdbe_add_op3(v, OP_RowSetRead, reg_set, end, reg_old);
  }
  SEEK_ROW();
  int fk = fkey_active(p, t);
  if (trig || ret || fk || wr) {
    for (int c = 0; c < n_col; c++) build_column_value(p, t, w.data_cur, c, reg_old + 1 + c);
  }
  /* NEW values */
  if (!from_mode) expr_code_set_subqueries(p, vals);
  for (int c = 0; c < n_col; c++) {
    if (c == t->ipk) continue;
    if (set_of[c] >= 0 && from_mode)
      vdbe_add_op3(v, OP_Column, eph, n_key + set_of[c], w.reg_data + c);
    else if (set_of[c] >= 0)
      expr_code(p, vals->a[set_of[c]].expr, w.reg_data + c);
    else
      build_column_value(p, t, w.data_cur, c, w.reg_data + c);
  }
  if (rowid_set >= 0) {
    if (from_mode)
      vdbe_add_op3(v, OP_Column, eph, n_key + rowid_set, w.reg_rowid);
    else
      expr_code(p, vals->a[rowid_set].expr, w.reg_rowid);
    vdbe_add_op2(v, OP_MustBeInt, w.reg_rowid, 0);
  } else {
    vdbe_add_op2(v, OP_Copy, reg_old, w.reg_rowid);
  }
  if (t->ipk >= 0) vdbe_add_op2(v, OP_SCopy, w.reg_rowid, w.reg_data + t->ipk);
  ast_free_expr_list(vals);
  build_free_target_src(src);
  if (p->rc) return p->rc;
  if (trig & 1) {
    insert_affinity(p, t, w.reg_data);
    trigger_code_all(p, t, ST_UPDATE, 0, NULL, chng_local, reg_new, reg_old, w.on_error, lnext);
    /* The row may have been deleted or changed by the trigger. */
    SEEK_ROW();
    for (int c = 0; c < n_col; c++)
      if (set_of[c] < 0 && c != t->ipk) build_column_value(p, t, w.data_cur, c, w.reg_data + c);
  }
  insert_compute_generated(p, t, w.reg_rowid);
  insert_affinity(p, t, w.reg_data);
  insert_check_constraints(p, &w);
  if (fk) {
    fkey_child_check(p, t, reg_new, chng_local, 1);
    fkey_child_check(p, t, reg_old, chng_local, -1);
    fkey_parent_check(p, t, reg_old, reg_new, chng_local);
  }
  /* Remove the old index entries (re-seek: REPLACE may have moved the cursor) */
  SEEK_ROW();
  if (wr)
    wr_delete_entries(p, t, w.idx_cur, reg_old, 1);
  else
    insert_delete_index_entries_skip(p, t, w.data_cur, w.idx_cur, reg_old, w.idx_unchanged);
  if (rowid_set >= 0) {
    int same = vdbe_add_op3(v, OP_Eq, w.reg_rowid, 0, reg_old);
    vdbe_add_op2(v, OP_Delete, w.data_cur, 0);
    vdbe_jump_here(v, same);
  }
  insert_complete(p, &w, 1, 0);
  if (fk) fkey_parent_actions(p, t, reg_old, chng_local);
  if (trig & 2) trigger_code_all(p, t, ST_UPDATE, 1, NULL, chng_local, reg_new, reg_old, w.on_error, lnext);
  if (ret) returning_row(p, ret, t, w.reg_rowid, w.reg_data);
  vdbe_resolve_label(v, lnext);
  if (eph_mode)
    vdbe_add_op2(v, OP_Next, eph, top);
  else if (!one_pass)
    vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_resolve_label(v, end);
  if (one_pass) vdbe_resolve_label(v, one_pass_end);
  if (fk) fkey_statement_end(p);
  returning_finish(p, ret, t);
  /* one row, every check before the first write: no statement journal */
  if (one_pass && !p->trigger_table && !p->nested && !trig && !fk && !ret && !insert_may_replace(t, w.on_error))
    vdbe_set_single_write(v);
  return p->rc;
}
