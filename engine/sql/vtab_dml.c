/*
** vtab_dml.c — INSERT, UPDATE and DELETE on a virtual table: every row
** change is one OP_VUpdate (xUpdate) with SQLite's argv layout:
**   DELETE  argc 1:      old rowid
**   INSERT  argc N+2:    NULL, new rowid or NULL, the N column values
**   UPDATE  argc N+2:    old rowid, new rowid, the N column values
** UPDATE and DELETE read the rows first (the planner drives xFilter), into
** an ephemeral table or a RowSet, then change them, so the module never
** sees writes in the middle of its own scan.
*/
#include "vtab.h"
#include "select_int.h"

SrcList *build_target_src(Parse *p, SrcItem *target, Table *t, int cursor); /* delete.c */
void build_free_target_src(SrcList *src);
void build_collect_rowids(Parse *p, Table *t, SrcList *src, int cur, Expr *where, int reg_set);

static int on_error_of(int or_conflict) { return or_conflict ? or_conflict : OE_ABORT; }

static void code_vupdate(Parse *p, Table *t, int set_rowid, int argc, int reg, int or_conflict) {
  vdbe_add_op4(p->v, OP_VUpdate, set_rowid, argc, reg, vtable_ref(vtab_table_vtable(t)), P4_VTAB);
  vdbe_change_p5(p->v, (u16)on_error_of(or_conflict));
}

/* Does the SELECT read table t (so its rows must be gathered first)? */
static int select_reads(const Select *s, const Table *t) {
  for (; s; s = s->prior)
    for (int i = 0; s->from && i < s->from->n; i++) {
      const SrcItem *it = &s->from->a[i];
      if (it->name && !shale_stricmp(it->name, t->name)) return 1;
      if (it->subquery && select_reads(it->subquery, t)) return 1;
    }
  return 0;
}

static int dml_unsupported(Parse *p, Table *t, int returning, Upsert *upsert) {
  if (upsert) {
    parse_error(p, "UPSERT not implemented for virtual table \"%s\"", t->name);
    return 1;
  }
  if (returning) {
    parse_error(p, "RETURNING not supported for virtual table \"%s\"", t->name);
    return 1;
  }
  if (t->vt->epo_of) {
    parse_error(p, "table %s may not be modified", t->name);
    return 1;
  }
  return 0;
}

int vtab_code_insert(Parse *p, Stmt *st, Table *t) {
  Vdbe *v = p->v;
  if (dml_unsupported(p, t, st->u.insert.returning != NULL, st->u.insert.upsert)) return p->rc;
  int n_col = t->n_col;
  IdList *cols = st->u.insert.columns;
  /* target[j]: table column of source value j (-2 = rowid) */
  int *target = sqlite3_malloc64(sizeof(int) * (u64)(n_col + (cols ? cols->n : 0) + 1));
  if (!target) return SQLITE_NOMEM;
  int n_target = 0;
  if (cols) {
    for (int j = 0; j < cols->n; j++) {
      int c = table_column_index(t, cols->names[j]);
      if (c == -1) {
        parse_error(p, "table %s has no column named %s", t->name, cols->names[j]);
        sqlite3_free(target);
        return p->rc;
      }
      target[n_target++] = c;
    }
  } else {
    for (int c = 0; c < n_col; c++)
      if (!t->cols[c].hidden) target[n_target++] = c;
  }
  Select *sel = st->u.insert.select;
  int n_val = 0;
  if (!st->u.insert.default_values && sel) {
    n_val = select_result_column_count(p, sel);
    if (p->rc) {
      sqlite3_free(target);
      return p->rc;
    }
    if (n_val != n_target) {
      if (cols)
        parse_error(p, "%d values for %d columns", n_val, n_target);
      else
        parse_error(p, "table %s has %d columns but %d values were supplied", t->name, n_target, n_val);
      sqlite3_free(target);
      return p->rc;
    }
  } else if (cols) {
    parse_error(p, "0 values for %d columns", cols->n);
    sqlite3_free(target);
    return p->rc;
  }
  parse_begin_write(p, t->db_index);
  vtab_code_begin(p, t);
  int regs = parse_alloc_regs(p, n_col + 2);
  int loop_end = vdbe_make_label(v), loop_top = 0, reg_yield = 0, reg_src = 0, tmp = -1;
  if (n_val > 0) {
    reg_yield = parse_alloc_regs(p, n_val + 1);
    reg_src = reg_yield + 1;
    int a = vdbe_add_op3(v, OP_InitCoroutine, reg_yield, 0, vdbe_current_addr(v) + 1);
    SelectDest dest;
    memset(&dest, 0, sizeof(dest));
    dest.kind = SD_COROUTINE;
    dest.reg = reg_yield;
    dest.n_reg = n_val;
    select_code(p, sel, &dest, NULL);
    if (p->rc) {
      sqlite3_free(target);
      return p->rc;
    }
    vdbe_add_op1(v, OP_EndCoroutine, reg_yield);
    vdbe_jump_here(v, a);
    if (select_reads(sel, t)) {
      /* the module must not see its own new rows while it is scanned */
      tmp = parse_alloc_cursor(p);
      int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
      vdbe_add_op2(v, OP_OpenEphemeral, tmp, n_val);
      int top = vdbe_current_addr(v);
      int y = vdbe_add_op1(v, OP_Yield, reg_yield);
      vdbe_add_op3(v, OP_MakeRecord, reg_src, n_val, rec);
      vdbe_add_op2(v, OP_NewRowid, tmp, rid);
      vdbe_add_op3(v, OP_Insert, tmp, rec, rid);
      vdbe_add_op2(v, OP_Goto, 0, top);
      vdbe_jump_here(v, y);
      vdbe_add_op2(v, OP_Rewind, tmp, loop_end);
      loop_top = vdbe_current_addr(v);
      for (int j = 0; j < n_val; j++) vdbe_add_op3(v, OP_Column, tmp, j, reg_src + j);
    } else {
      loop_top = vdbe_current_addr(v);
      vdbe_add_op2(v, OP_Yield, reg_yield, loop_end);
    }
  }
  vdbe_add_op2(v, OP_Null, 0, regs);
  vdbe_add_op2(v, OP_Null, 0, regs + 1);
  for (int c = 0; c < n_col; c++) {
    int src = -1;
    for (int j = 0; j < n_val; j++)
      if (target[j] == c) src = j;
    if (src >= 0)
      vdbe_add_op2(v, OP_SCopy, reg_src + src, regs + 2 + c);
    else if (t->cols[c].default_value)
      expr_code(p, t->cols[c].default_value, regs + 2 + c);
    else
      vdbe_add_op2(v, OP_Null, 0, regs + 2 + c);
  }
  for (int j = 0; j < n_val; j++)
    if (target[j] == -2) vdbe_add_op2(v, OP_SCopy, reg_src + j, regs + 1);
  code_vupdate(p, t, 1, n_col + 2, regs, st->u.insert.or_conflict);
  if (tmp >= 0)
    vdbe_add_op2(v, OP_Next, tmp, loop_top);
  else if (n_val > 0)
    vdbe_add_op2(v, OP_Goto, 0, loop_top);
  vdbe_resolve_label(v, loop_end);
  sqlite3_free(target);
  return p->rc;
}

int vtab_code_delete(Parse *p, Stmt *st, Table *t) {
  Vdbe *v = p->v;
  if (dml_unsupported(p, t, st->u.del.returning != NULL, NULL)) return p->rc;
  if (st->u.del.order_by || st->u.del.limit) {
    parse_error(p, "ORDER BY and LIMIT are not supported for virtual tables");
    return p->rc;
  }
  parse_begin_write(p, t->db_index);
  vtab_code_begin(p, t);
  int reg_set = parse_alloc_reg(p);
  SrcList *src = build_target_src(p, st->u.del.target, t, parse_alloc_cursor(p));
  if (!src) return SQLITE_NOMEM;
  build_collect_rowids(p, t, src, 0, st->u.del.where, reg_set);
  build_free_target_src(src);
  if (p->rc) return p->rc;
  int r = parse_alloc_reg(p);
  int end = vdbe_make_label(v);
  int top = vdbe_add_op3(v, OP_RowSetRead, reg_set, end, r);
  code_vupdate(p, t, 0, 1, r, 0);
  vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_resolve_label(v, end);
  return p->rc;
}

int vtab_code_update(Parse *p, Stmt *st, Table *t) {
  Vdbe *v = p->v;
  if (dml_unsupported(p, t, st->u.update.returning != NULL, NULL)) return p->rc;
  if (st->u.update.from || st->u.update.order_by || st->u.update.limit) {
    parse_error(p, "UPDATE FROM, ORDER BY and LIMIT are not supported for virtual tables");
    return p->rc;
  }
  int n_col = t->n_col;
  ExprList *set = st->u.update.set;
  int cur = parse_alloc_cursor(p);
  SrcList *src = build_target_src(p, st->u.update.target, t, cur);
  if (!src) return SQLITE_NOMEM;
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.src = src;
  /* the SET expressions, resolved against the table (copies) */
  int n_set = set ? set->n : 0;
  Expr **val = shale_malloc_zero(sizeof(Expr *) * (size_t)(n_col + 2));
  Expr *where = st->u.update.where ? ast_dup_expr(st->u.update.where) : NULL;
  if (!val) {
    build_free_target_src(src);
    ast_free_expr(where);
    return SQLITE_NOMEM;
  }
  for (int i = 0; i < n_set && !p->rc; i++) {
    const char *name = set->a[i].alias;
    int c = name ? table_column_index(t, name) : -1;
    if (c == -1) {
      parse_error(p, "no such column: %s", name ? name : "");
      break;
    }
    int slot = c == -2 ? n_col : c;
    ast_free_expr(val[slot]);
    val[slot] = ast_dup_expr(set->a[i].expr);
    if (!val[slot] || resolve_expr(p, &nc, val[slot])) break;
  }
  if (!p->rc && where) resolve_expr(p, &nc, where);
  if (!p->rc) {
    parse_begin_write(p, t->db_index);
    vtab_code_begin(p, t);
    int eph = parse_alloc_cursor(p);
    int regs = parse_alloc_regs(p, n_col + 2);
    int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_OpenEphemeral, eph, n_col + 2);
    WhereInfo *wi = where_begin(p, src, where, NULL, 0);
    if (wi && !p->rc) {
      vdbe_add_op2(v, OP_VRowid, cur, regs);
      if (val[n_col])
        expr_code(p, val[n_col], regs + 1);
      else
        vdbe_add_op2(v, OP_SCopy, regs, regs + 1);
      for (int c = 0; c < n_col; c++) {
        if (val[c])
          expr_code(p, val[c], regs + 2 + c);
        else
          vdbe_add_op3(v, OP_VColumn, cur, c, regs + 2 + c);
      }
      vdbe_add_op3(v, OP_MakeRecord, regs, n_col + 2, rec);
      vdbe_add_op2(v, OP_NewRowid, eph, rid);
      vdbe_add_op3(v, OP_Insert, eph, rec, rid);
    }
    if (wi) where_end(wi);
    if (!p->rc) {
      int end = vdbe_make_label(v);
      vdbe_add_op2(v, OP_Rewind, eph, end);
      int top = vdbe_current_addr(v);
      for (int j = 0; j < n_col + 2; j++) vdbe_add_op3(v, OP_Column, eph, j, regs + j);
      code_vupdate(p, t, 0, n_col + 2, regs, st->u.update.or_conflict);
      vdbe_add_op2(v, OP_Next, eph, top);
      vdbe_resolve_label(v, end);
      vdbe_add_op1(v, OP_Close, eph);
    }
  }
  for (int c = 0; c <= n_col; c++) ast_free_expr(val[c]);
  sqlite3_free(val);
  ast_free_expr(where);
  build_free_target_src(src);
  return p->rc;
}
