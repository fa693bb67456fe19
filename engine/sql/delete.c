/*
** delete.c — DELETE: the truncate optimization (OP_Clear) when nothing
** needs to see the rows, else a first pass that collects the rowids of the
** matching rows into a RowSet and a second pass that deletes them (index
** entries first), firing triggers and producing RETURNING rows.
*/
#include "build_int.h"
#include "vtab.h"
#include "select_int.h" /* where_begin: the planner drives the first pass */

/* A one-item FROM list for the target table, for name resolution. */
SrcList *build_target_src(Parse *p, SrcItem *target, Table *t, int cursor) {
  (void)p;
  SrcList *src = ast_src_list_append(NULL);
  if (!src) return NULL;
  SrcItem *it = &src->a[0];
  it->name = shale_strdup(t->name);
  it->db = target && target->db ? shale_strdup(target->db) : NULL;
  it->alias = target && target->alias ? shale_strdup(target->alias) : NULL;
  it->res_ptr = t;
  it->res_cursor = cursor;
  return src;
}

void build_free_target_src(SrcList *src) {
  if (!src) return;
  for (int i = 0; i < src->n; i++) src->a[i].res_ptr = NULL;
  ast_free_src_list(src);
}

/* First pass: collect rowids of rows of t matching where into the RowSet
** in reg_set.  The planner (where_begin) drives the loop on its own read
** cursor, so index lookups are used when they help. */
void build_collect_rowids(Parse *p, Table *t, SrcList *src, int cur, Expr *where, int reg_set) {
  Vdbe *v = p->v;
  (void)cur;
  int scan = parse_alloc_cursor(p);
  SrcList *s2 = build_target_src(p, src ? &src->a[0] : NULL, t, scan);
  if (src && src->a[0].indexed_by) s2->a[0].indexed_by = shale_strdup(src->a[0].indexed_by);
  if (src) s2->a[0].not_indexed = src->a[0].not_indexed;
  Expr *w = NULL;
  if (where) {
    w = ast_dup_expr(where);
    NameContext nc;
    memset(&nc, 0, sizeof(nc));
    nc.src = s2;
    if (resolve_expr(p, &nc, w) != SQLITE_OK) {
      ast_free_expr(w);
      build_free_target_src(s2);
      return;
    }
  }
  vdbe_add_op2(v, OP_Null, 0, reg_set);
  WhereInfo *wi = where_begin(p, s2, w, NULL, 0);
  if (wi && p->rc == SQLITE_OK) {
    int r = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Rowid, scan, r);
    vdbe_add_op2(v, OP_RowSetAdd, reg_set, r);
  }
  if (wi) where_end(wi);
  if (w) ast_free_expr(w);
  build_free_target_src(s2);
}

/* SELECT <target>.rowid [, extra...] FROM target [, from...] WHERE where
** ORDER BY .. LIMIT .. OFFSET .. — the first pass of UPDATE ... FROM and of
** UPDATE/DELETE with ORDER BY / LIMIT.  Everything is copied. */
Select *build_rowid_select(SrcItem *target, Table *t, SrcList *from, Expr *where, ExprList *extra,
                           ExprList *order_by, Expr *limit, Expr *offset) {
  Select *sel = shale_malloc_zero(sizeof(Select));
  if (!sel) return NULL;
  /* the row's key: the rowid, or the PRIMARY KEY columns (WITHOUT ROWID) */
  Index *pk = t->without_rowid ? table_primary_key_index(t) : NULL;
  int n_key = pk ? pk->n_key_col : 1;
  for (int k = 0; k < n_key; k++) {
    Expr *rid = ast_expr_new(EX_DOT);
    if (rid) {
      rid->table = shale_strdup(target && target->alias ? target->alias : t->name);
      rid->text = shale_strdup(pk ? t->cols[pk->columns[k]].name : "rowid");
      rid->n_text = (int)strlen(rid->text);
    }
    sel->result = ast_expr_list_append(sel->result, rid);
  }
  for (int i = 0; extra && i < extra->n; i++)
    sel->result = ast_expr_list_append(sel->result, ast_dup_expr(extra->a[i].expr));
  SrcList *src = from ? ast_dup_src_list(from) : NULL;
  src = ast_src_list_append(src);
  if (src) {
    if (src->n > 1) {
      SrcItem last = src->a[src->n - 1];
      memmove(&src->a[1], &src->a[0], sizeof(SrcItem) * (size_t)(src->n - 1));
      src->a[0] = last;
    }
    SrcItem *it = &src->a[0];
    it->name = shale_strdup(t->name);
    it->db = target && target->db ? shale_strdup(target->db) : NULL;
    it->alias = target && target->alias ? shale_strdup(target->alias) : NULL;
    it->indexed_by = target && target->indexed_by ? shale_strdup(target->indexed_by) : NULL;
    it->not_indexed = target ? target->not_indexed : 0;
  }
  sel->from = src;
  sel->where = where ? ast_dup_expr(where) : NULL;
  sel->order_by = order_by ? ast_dup_expr_list(order_by) : NULL;
  sel->limit = limit ? ast_dup_expr(limit) : NULL;
  sel->offset = offset ? ast_dup_expr(offset) : NULL;
  return sel;
}

/* Run sel (first column a rowid) as a coroutine; each row goes to the
** ephemeral table eph (n columns) or, when eph < 0, its rowid to the RowSet
** reg_set. */
void build_run_rowid_select(Parse *p, Select *sel, int n, int eph, int reg_set) {
  Vdbe *v = p->v;
  int reg_yield = parse_alloc_regs(p, n + 1);
  int a = vdbe_add_op3(v, OP_InitCoroutine, reg_yield, 0, vdbe_current_addr(v) + 1);
  SelectDest dest;
  memset(&dest, 0, sizeof(dest));
  dest.kind = SD_COROUTINE;
  dest.reg = reg_yield;
  dest.n_reg = n;
  select_code(p, sel, &dest, NULL);
  if (p->rc) return;
  vdbe_add_op1(v, OP_EndCoroutine, reg_yield);
  vdbe_jump_here(v, a);
  if (eph < 0) vdbe_add_op2(v, OP_Null, 0, reg_set);
  int top = vdbe_current_addr(v);
  int y = vdbe_add_op1(v, OP_Yield, reg_yield);
  if (eph < 0) {
    int skip = vdbe_add_op1(v, OP_IsNull, reg_yield + 1);
    vdbe_add_op2(v, OP_RowSetAdd, reg_set, reg_yield + 1);
    vdbe_jump_here(v, skip);
  } else {
    int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, reg_yield + 1, n, rec);
    vdbe_add_op2(v, OP_NewRowid, eph, rid);
    vdbe_add_op3(v, OP_Insert, eph, rec, rid);
  }
  vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_jump_here(v, y);
}

/* WITHOUT ROWID: the keys of the matching rows go to an ephemeral table
** first; then each row is found by its PRIMARY KEY in the table b-tree, its
** other index entries are removed and the entry is deleted. */
void wr_delete_entries(Parse *p, Table *t, int icur, int reg_old, int with_pk);

static int wr_delete(Parse *p, Stmt *st, Table *t, int trig, ExprList *ret, int fk) {
  Vdbe *v = p->v;
  Index *pk = table_primary_key_index(t);
  if (!pk) return p->rc;
  int n_key = pk->n_key_col;
  int n_idx = 0, k_pk = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next, n_idx++)
    if (ix == pk) k_pk = n_idx;
  int icur = p->n_cursor;
  p->n_cursor += n_idx;
  build_open_indexes(p, t, OP_OpenWrite, icur);
  int cur = icur + k_pk;
  int eph = parse_alloc_cursor(p);
  vdbe_add_op2(v, OP_OpenEphemeral, eph, n_key);
  Select *sel = build_rowid_select(st->u.del.target, t, NULL, st->u.del.where, NULL, st->u.del.order_by,
                                   st->u.del.limit, st->u.del.offset);
  if (sel) build_run_rowid_select(p, sel, n_key, eph, 0);
  ast_free_select(sel);
  if (p->rc) return p->rc;
  int reg_old = parse_alloc_regs(p, t->n_col + 1);
  int keys = parse_alloc_regs(p, n_key);
  int end = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Rewind, eph, end);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  for (int j = 0; j < n_key; j++) vdbe_add_op3(v, OP_Column, eph, j, keys + j);
  vdbe_add_op4_int(v, OP_NotFound, cur, lnext, keys, n_key);
  vdbe_add_op2(v, OP_Null, 0, reg_old);
  for (int c = 0; c < t->n_col; c++) build_column_value(p, t, cur, c, reg_old + 1 + c);
  if (trig & 1) {
    trigger_code_all(p, t, ST_DELETE, 0, NULL, NULL, 0, reg_old, OE_DEFAULT, lnext);
    vdbe_add_op4_int(v, OP_NotFound, cur, lnext, keys, n_key);
  }
  if (fk) {
    fkey_parent_check(p, t, reg_old, 0, NULL);
    fkey_child_check(p, t, reg_old, NULL, -1);
  }
  wr_delete_entries(p, t, icur, reg_old, 0);
  vdbe_add_op2(v, OP_Delete, cur, 0);
  vdbe_change_p4(v, -1, shale_strdup(t->name), P4_DYNAMIC);
  vdbe_change_p5(v, OPFLAG_NCHANGE);
  if (fk) fkey_parent_actions(p, t, reg_old, NULL);
  if (trig & 2) trigger_code_all(p, t, ST_DELETE, 1, NULL, NULL, 0, reg_old, OE_DEFAULT, lnext);
  if (ret) returning_row(p, ret, t, reg_old, reg_old + 1);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, eph, top);
  vdbe_resolve_label(v, end);
  if (fk) fkey_statement_end(p);
  returning_finish(p, ret, t);
  return p->rc;
}

/* Remove the index entries of a WITHOUT ROWID row held in registers
** (column i at base+1+i); with_pk: the PRIMARY KEY entry (the row) too. */
void wr_delete_entries(Parse *p, Table *t, int icur, int reg_old, int with_pk) {
  Vdbe *v = p->v;
  Index *pk = table_primary_key_index(t);
  int k = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next, k++) {
    if (ix == pk && !with_pk) continue;
    int regs = parse_alloc_regs(p, ix->n_column);
    int skip = vdbe_make_label(v);
    if (ix->where) {
      Expr *d = build_expr_on_regs(p, ix->where, t, reg_old);
      if (d) {
        expr_code_jump_if_false(p, d, skip, 1);
        ast_free_expr(d);
      }
    }
    for (int i = 0; i < ix->n_column; i++) {
      int c = ix->columns[i];
      if (c == -2) {
        Expr *e = ix->exprs && i < ix->exprs->n ? ix->exprs->a[i].expr : NULL;
        Expr *d = e ? build_expr_on_regs(p, e, t, reg_old) : NULL;
        if (d) {
          expr_code(p, d, regs + i);
          ast_free_expr(d);
        } else {
          vdbe_add_op2(v, OP_Null, 0, regs + i);
        }
      } else {
        vdbe_add_op2(v, OP_SCopy, reg_old + 1 + c, regs + i);
      }
    }
    vdbe_add_op3(v, OP_IdxDelete, icur + k, regs, ix->n_column);
    vdbe_resolve_label(v, skip);
  }
}

/* Does e read a table through a subquery (or a table-valued IN)?  Such a
** WHERE could see rows this statement already deleted, so SQLite takes the
** two-pass form for it (NC_Subquery). */
static int expr_has_subquery(const Expr *e) {
  for (; e; e = e->left) {
    if (e->select || e->op == EX_IN_SELECT || e->op == EX_IN_TABLE || e->op == EX_EXISTS || e->op == EX_SUBQUERY)
      return 1;
    if (expr_has_subquery(e->right) || expr_has_subquery(e->extra)) return 1;
    for (int i = 0; e->list && i < e->list->n; i++)
      if (expr_has_subquery(e->list->a[i].expr)) return 1;
    for (int i = 0; e->order_by && i < e->order_by->n; i++)
      if (expr_has_subquery(e->order_by->a[i].expr)) return 1;
  }
  return 0;
}

/* One pass (SQLite's ONEPASS_MULTI): the planner's loop runs on the write
** cursors and each matching row is deleted where the loop stands -- its
** index entries (the one the loop walks through that cursor itself), then
** the row, both with SAVEPOSITION so the loop's Next lands on the row that
** followed.  Only when nothing but the WHERE clause looks at the table
** while rows vanish: no triggers, foreign keys, RETURNING, ORDER BY/LIMIT
** or subqueries (the caller checks). */
static int delete_onepass(Parse *p, Stmt *st, Table *t, int n_idx) {
  Vdbe *v = p->v;
  SrcItem *target = st->u.del.target;
  int cur = parse_alloc_cursor(p);
  int icur = p->n_cursor;
  p->n_cursor += n_idx;
  build_open_indexes(p, t, OP_OpenWrite, icur);
  SrcList *src = build_target_src(p, target, t, cur);
  if (!src) {
    p->rc = SQLITE_NOMEM;
    return p->rc;
  }
  if (target->indexed_by) src->a[0].indexed_by = shale_strdup(target->indexed_by);
  src->a[0].not_indexed = target->not_indexed;
  Expr *w = ast_dup_expr(st->u.del.where);
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.src = src;
  WhereInfo *wi = NULL;
  if (resolve_expr(p, &nc, w) == SQLITE_OK) wi = where_begin_onepass(p, src, w, icur);
  if (wi && p->rc == SQLITE_OK) {
    int walked = where_onepass_index_cursor(wi);
    u8 skip[64] = {0};
    int k = 0;
    for (Index *ix = t->indexes; ix; ix = ix->next, k++)
      if (icur + k == walked && k < 64) skip[k] = 1;
    /* the loop may have found the row through an index (deferred seek) */
    if (walked >= 0) vdbe_add_op1(v, OP_FinishSeek, cur);
    insert_delete_index_entries_skip(p, t, cur, icur, 0, skip);
    if (walked >= 0) {
      vdbe_add_op2(v, OP_Delete, walked, 0);
      vdbe_change_p5(v, OPFLAG_SAVEPOSITION);
    }
    vdbe_add_op2(v, OP_Delete, cur, OPFLAG_NCHANGE);
    vdbe_change_p4(v, -1, shale_strdup(t->name), P4_DYNAMIC);
    vdbe_change_p5(v, OPFLAG_SAVEPOSITION);
  }
  if (wi) where_end(wi);
  ast_free_expr(w);
  build_free_target_src(src);
  return p->rc;
}

int codegen_delete(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  SrcItem *target = st->u.del.target;
  Table *t = schema_locate_table(p, target->db, target->name, 1);
  if (!t) return p->rc;
  if (t->vt) return vtab_code_delete(p, st, t);
  int instead = 0;
  if (t->is_view) {
    Trigger *trs[1];
    if (schema_triggers_for(db, t, ST_DELETE, 2, trs, 1) == 0) {
      parse_error(p, "cannot modify %s because it is a view", t->name);
      return p->rc;
    }
    instead = 1;
  }
  if (t->root == 1 && !(db->flags & SQLITE_WriteSchema)) {
    parse_error(p, "table %s may not be modified", t->name);
    return p->rc;
  }

  if (instead) return trigger_view_delete(p, st, t);
  int idb = t->db_index;
  parse_begin_write(p, idb);
  int trig = trigger_exists(p, t, ST_DELETE, NULL);
  ExprList *ret = st->u.del.returning;
  if (ret) returning_setup(p, ret, t);
  int n_idx = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next) n_idx++;

  int fk = fkey_active(p, t);
  if (!st->u.del.where && !trig && !ret && !fk && !st->u.del.limit) {
    /* truncate optimization */
    vdbe_add_op3(v, OP_Clear, (int)t->root, idb, p->trigger_table ? 0 : -1);
    vdbe_change_p4(v, -1, shale_strdup(t->name), P4_DYNAMIC);
    for (Index *ix = t->indexes; ix; ix = ix->next)
      if (ix->root != t->root) vdbe_add_op2(v, OP_Clear, (int)ix->root, idb);
    return p->rc;
  }
  if (t->without_rowid) return wr_delete(p, st, t, trig, ret, fk);
  if (!trig && !ret && !fk && !st->u.del.order_by && !st->u.del.limit && n_idx <= 64 &&
      !expr_has_subquery(st->u.del.where))
    return delete_onepass(p, st, t, n_idx);
  int cur = parse_alloc_cursor(p);
  int icur = p->n_cursor;
  p->n_cursor += n_idx;
  vdbe_add_op4_int(v, OP_OpenWrite, cur, (int)t->root, idb, t->n_col);
  build_open_indexes(p, t, OP_OpenWrite, icur);
  int reg_set = parse_alloc_reg(p);
  if (st->u.del.order_by || st->u.del.limit) {
    Select *sel = build_rowid_select(target, t, NULL, st->u.del.where, NULL, st->u.del.order_by,
                                     st->u.del.limit, st->u.del.offset);
    if (sel) build_run_rowid_select(p, sel, 1, -1, reg_set);
    ast_free_select(sel);
  } else {
    SrcList *src = build_target_src(p, target, t, cur);
    build_collect_rowids(p, t, src, cur, st->u.del.where, reg_set);
    build_free_target_src(src);
  }
  if (p->rc) return p->rc;

  /* Second pass */
  int reg_old = parse_alloc_regs(p, t->n_col + 1);
  int end = vdbe_make_label(v);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  vdbe_add_op3(v, OP_RowSetRead, reg_set, end, reg_old);
  vdbe_add_op3(v, OP_NotExists, cur, lnext, reg_old);
  if (trig || ret || fk) {
    for (int c = 0; c < t->n_col; c++) build_column_value(p, t, cur, c, reg_old + 1 + c);
  }
  if (trig & 1) {
    trigger_code_all(p, t, ST_DELETE, 0, NULL, NULL, 0, reg_old, OE_DEFAULT, lnext);
    /* the row may be gone or moved */
    vdbe_add_op3(v, OP_NotExists, cur, lnext, reg_old);
  }
  if (fk) {
    fkey_parent_check(p, t, reg_old, 0, NULL);
    fkey_child_check(p, t, reg_old, NULL, -1);
    vdbe_add_op3(v, OP_NotExists, cur, lnext, reg_old);
  }
  insert_delete_index_entries(p, t, cur, icur, reg_old);
  vdbe_add_op2(v, OP_Delete, cur, 0);
  vdbe_change_p4(v, -1, shale_strdup(t->name), P4_DYNAMIC);
  vdbe_change_p5(v, OPFLAG_NCHANGE);
  if (fk) fkey_parent_actions(p, t, reg_old, NULL);
  if (trig & 2) trigger_code_all(p, t, ST_DELETE, 1, NULL, NULL, 0, reg_old, OE_DEFAULT, lnext);
  if (ret) returning_row(p, ret, t, reg_old, reg_old + 1);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_resolve_label(v, end);
  if (fk) fkey_statement_end(p);
  returning_finish(p, ret, t);
  return p->rc;
}
