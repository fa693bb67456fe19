/*
** trigger_view.c — UPDATE and DELETE on a view: the matching rows of the
** view are materialized into an ephemeral table first, then the INSTEAD OF
** trigger fires once per row with OLD.* = the row (OLD.rowid NULL) and, for
** UPDATE, NEW.* = the row with the SET expressions applied.
*/
#include "build_int.h"

static int view_dml(Parse *p, Table *v, SrcItem *target, Expr *where, ExprList *set, int event, int or_conflict) {
  Vdbe *vd = p->v;
  if (build_view_columns(p, v)) return p->rc;
  /* a DML statement: changes() is set (to 0) even though only trigger
  ** programs write */
  if (!p->trigger_table) vdbe_add_op0(vd, OP_ResetCount);
  int n = v->n_col;
  /* SELECT * FROM view [AS alias] WHERE ... */
  Select *sel = shale_malloc_zero(sizeof(Select));
  if (!sel) return SQLITE_NOMEM;
  sel->result = ast_expr_list_append(NULL, ast_expr_new(EX_STAR));
  sel->from = ast_src_list_append(NULL);
  if (!sel->result || !sel->from) {
    ast_free_select(sel);
    return SQLITE_NOMEM;
  }
  sel->from->a[0].name = shale_strdup(v->name);
  sel->from->a[0].db = target && target->db ? shale_strdup(target->db) : NULL;
  sel->from->a[0].alias = target && target->alias ? shale_strdup(target->alias) : NULL;
  sel->where = where ? ast_dup_expr(where) : NULL;

  /* SET columns */
  u8 chng[2000];
  int set_of[2000];
  if (n > 2000) n = 2000;
  memset(chng, 0, sizeof(chng));
  for (int i = 0; i < n; i++) set_of[i] = -1;
  for (int k = 0; set && k < set->n; k++) {
    int c = set->a[k].alias ? table_column_index(v, set->a[k].alias) : -1;
    if (c < 0) {
      parse_error(p, "no such column: %s", set->a[k].alias ? set->a[k].alias : "?");
      ast_free_select(sel);
      return p->rc;
    }
    chng[c] = 1;
    set_of[c] = k;
  }

  int eph = parse_alloc_cursor(p);
  vdbe_add_op2(vd, OP_OpenEphemeral, eph, n);
  int reg_yield = parse_alloc_regs(p, n + 1);
  int a = vdbe_add_op3(vd, OP_InitCoroutine, reg_yield, 0, vdbe_current_addr(vd) + 1);
  SelectDest dest;
  memset(&dest, 0, sizeof(dest));
  dest.kind = SD_COROUTINE;
  dest.reg = reg_yield;
  dest.n_reg = n;
  select_code(p, sel, &dest, NULL);
  ast_free_select(sel);
  if (p->rc) return p->rc;
  vdbe_add_op1(vd, OP_EndCoroutine, reg_yield);
  vdbe_jump_here(vd, a);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  int top = vdbe_current_addr(vd);
  int y = vdbe_add_op1(vd, OP_Yield, reg_yield);
  vdbe_add_op3(vd, OP_MakeRecord, reg_yield + 1, n, rec);
  vdbe_add_op2(vd, OP_NewRowid, eph, rid);
  vdbe_add_op3(vd, OP_Insert, eph, rec, rid);
  vdbe_add_op2(vd, OP_Goto, 0, top);
  vdbe_jump_here(vd, y);

  int reg_old = parse_alloc_regs(p, 2 * (n + 1));
  int reg_new = reg_old + n + 1;
  int end = vdbe_make_label(vd);
  vdbe_add_op2(vd, OP_Rewind, eph, end);
  int loop = vdbe_current_addr(vd);
  int next = vdbe_make_label(vd);
  vdbe_add_op2(vd, OP_Null, 0, reg_old);
  for (int i = 0; i < n; i++) vdbe_add_op3(vd, OP_Column, eph, i, reg_old + 1 + i);
  if (event == ST_UPDATE) {
    vdbe_add_op2(vd, OP_Null, 0, reg_new);
    for (int i = 0; i < n; i++) {
      if (set_of[i] >= 0) {
        Expr *d = build_expr_on_regs(p, set->a[set_of[i]].expr, v, reg_old);
        if (!d) return p->rc;
        expr_code(p, d, reg_new + 1 + i);
        ast_free_expr(d);
      } else {
        vdbe_add_op2(vd, OP_SCopy, reg_old + 1 + i, reg_new + 1 + i);
      }
    }
    trigger_code_all(p, v, ST_UPDATE, 2, NULL, chng, reg_new, reg_old, or_conflict, next);
  } else {
    trigger_code_all(p, v, ST_DELETE, 2, NULL, NULL, 0, reg_old, or_conflict, next);
  }
  vdbe_resolve_label(vd, next);
  vdbe_add_op2(vd, OP_Next, eph, loop);
  vdbe_resolve_label(vd, end);
  return p->rc;
}

int trigger_view_update(Parse *p, Stmt *st, Table *v) {
  return view_dml(p, v, st->u.update.target, st->u.update.where, st->u.update.set, ST_UPDATE,
                  st->u.update.or_conflict);
}

int trigger_view_delete(Parse *p, Stmt *st, Table *v) {
  return view_dml(p, v, st->u.del.target, st->u.del.where, NULL, ST_DELETE, OE_DEFAULT);
}
