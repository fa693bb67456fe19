/*
** where_vtab.c — the planner's side of virtual tables: each candidate plan
** of a virtual-table level asks the module's xBestIndex (SQLite's
** sqlite3_index_info contract, https://sqlite.org/vtab.html#xbestindex):
** every `col OP value` term on the table is a constraint, usable when its
** value side reads only tables already available; the ORDER BY is offered
** when the table is the outer loop and every term is one of its columns.
** The answer (argvIndex / omit / idxNum / idxStr / orderByConsumed /
** estimatedCost / estimatedRows) becomes VFilter's arguments and the
** level's cost; SQLITE_CONSTRAINT makes the plan impossible.
*/
#include "where_int.h"
#include "vtab.h"

/* What sqlite3_vtab_collation() needs: the index info first, so the
** module's pointer converts back. */
typedef struct VtIndexInfo {
  sqlite3_index_info info;
  Parse *p;
  WTerm **terms;
} VtIndexInfo;

typedef struct VtStr {
  struct VtStr *next;
  char *z;
} VtStr;

void wh_free_vtab(WhereInfo *w) {
  while (w->vt_strs) {
    VtStr *s = w->vt_strs;
    w->vt_strs = s->next;
    sqlite3_free(s->z);
    sqlite3_free(s);
  }
}

static int index_op(int wo) {
  switch (wo) {
    case WO_EQ: return SQLITE_INDEX_CONSTRAINT_EQ;
    case WO_LT: return SQLITE_INDEX_CONSTRAINT_LT;
    case WO_LE: return SQLITE_INDEX_CONSTRAINT_LE;
    case WO_GT: return SQLITE_INDEX_CONSTRAINT_GT;
    case WO_GE: return SQLITE_INDEX_CONSTRAINT_GE;
    case WO_IS: return SQLITE_INDEX_CONSTRAINT_IS;
    case WO_ISNULL: return SQLITE_INDEX_CONSTRAINT_ISNULL;
  }
  return 0;
}

const char *sqlite3_vtab_collation(sqlite3_index_info *info, int i) {
  VtIndexInfo *x = (VtIndexInfo *)info;
  if (!info || i < 0 || i >= info->nConstraint) return NULL;
  const Expr *e = x->terms[i]->e;
  const char *c = e ? expr_compare_collation(x->p, e->left, e->right) : NULL;
  return c ? c : "BINARY";
}

int sqlite3_vtab_distinct(sqlite3_index_info *info) {
  SHALE_UNUSED(info);
  return 0;
}

int sqlite3_vtab_in(sqlite3_index_info *info, int i, int handle) {
  SHALE_UNUSED(info);
  SHALE_UNUSED(i);
  SHALE_UNUSED(handle);
  return 0; /* IN constraints are never offered as such */
}

int sqlite3_vtab_in_first(sqlite3_value *v, sqlite3_value **out) {
  SHALE_UNUSED(v);
  *out = NULL;
  return SQLITE_ERROR;
}

int sqlite3_vtab_in_next(sqlite3_value *v, sqlite3_value **out) {
  SHALE_UNUSED(v);
  *out = NULL;
  return SQLITE_ERROR;
}

int sqlite3_vtab_rhs_value(sqlite3_index_info *info, int i, sqlite3_value **out) {
  SHALE_UNUSED(info);
  SHALE_UNUSED(i);
  *out = NULL;
  return SQLITE_NOTFOUND;
}

/* ORDER BY terms as the module sees them, if every one is a plain column of
** this level's table; else 0. */
static int order_terms(WhereInfo *w, int li, WLevel *lv, struct sqlite3_index_orderby *ob, int max) {
  ExprList *l = w->order_by;
  if (!l || li != 0 || l->n > max) return 0;
  for (int i = 0; i < l->n; i++) {
    const Expr *e = l->a[i].expr;
    if (!e || e->op != EX_COLUMN || e->res_cursor != lv->cursor || e->res_depth != 0) return 0;
    if (l->a[i].nulls) return 0;
    ob[i].iColumn = e->res_column;
    ob[i].desc = (unsigned char)(l->a[i].sort_desc != 0);
  }
  return l->n;
}

static u64 columns_used(WhereInfo *w, WLevel *lv) {
  ColUse u;
  memset(&u, 0, sizeof(u));
  u.cursor = lv->cursor;
  if (!w->sel) return ~(u64)0;
  wh_col_use_select(&u, w->sel);
  for (int i = 0; i < w->n_term; i++) wh_col_use_expr(&u, w->terms[i].e);
  return u.cols;
}

void wh_plan_vtab(WhereInfo *w, int li, u64 avail) {
  Parse *p = w->p;
  WLevel *lv = &w->lv[li];
  Table *t = lv->tab;
  VTable *vt = vtab_table_vtable(t);
  u64 self = (u64)1 << lv->from;
  lv->plan = PLAN_VTAB;
  lv->vt_n_arg = 0;
  lv->vt_idx_num = 0;
  lv->vt_idx_str = NULL;
  lv->vt_order = 0;
  lv->vt_impossible = 0;
  lv->cost = 1e300;
  lv->vt_rows = 1e300;
  if (!vt) return;
  int n_term = w->n_term;
  VtIndexInfo x;
  memset(&x, 0, sizeof(x));
  struct sqlite3_index_constraint *cons = sqlite3_malloc64(sizeof(*cons) * (u64)(n_term + 1));
  struct sqlite3_index_constraint_usage *use = sqlite3_malloc64(sizeof(*use) * (u64)(n_term + 1));
  struct sqlite3_index_orderby ob[64];
  WTerm **terms = sqlite3_malloc64(sizeof(WTerm *) * (u64)(n_term + 1));
  int *lefts = sqlite3_malloc64(sizeof(int) * (u64)(n_term + 1));
  if (!cons || !use || !terms || !lefts) {
    p->rc = SQLITE_NOMEM;
    goto done;
  }
  int n = 0;
  for (int i = 0; i < n_term; i++) {
    WTerm *tm = &w->terms[i];
    int col, op, cil;
    if (lv->left_join ? tm->on_level != lv->from : (tm->on_level >= 0 && tm->on_level != lv->from)) continue;
    if (!wh_term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
    int iop = index_op(op);
    if (!iop) continue;
    int usable = (tm->mask & ~(avail | self)) == 0 && !(wh_value_mask(w, tm, cil) & self);
    cons[n].iColumn = col;
    cons[n].op = (unsigned char)iop;
    cons[n].usable = (unsigned char)usable;
    cons[n].iTermOffset = i;
    terms[n] = tm;
    lefts[n] = cil;
    n++;
  }
  memset(use, 0, sizeof(*use) * (size_t)(n + 1));
  x.p = p;
  x.terms = terms;
  x.info.nConstraint = n;
  x.info.aConstraint = cons;
  x.info.nOrderBy = order_terms(w, li, lv, ob, 64);
  x.info.aOrderBy = ob;
  x.info.aConstraintUsage = use;
  x.info.estimatedCost = 5e98;
  x.info.estimatedRows = 25;
  x.info.colUsed = columns_used(w, lv);
  sqlite3_vtab *pv = vt->vtab;
  int rc = pv->pModule->xBestIndex(pv, &x.info);
  if (rc == SQLITE_CONSTRAINT) {
    sqlite3_free(pv->zErrMsg);
    pv->zErrMsg = NULL;
    lv->vt_impossible = 1;
    goto done;
  }
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_NOMEM) {
      p->rc = SQLITE_NOMEM;
    } else {
      char *msg = vtab_take_errmsg(pv, rc);
      parse_error(p, "%s", msg ? msg : "error");
      sqlite3_free(msg);
    }
    goto done;
  }
  /* argvIndex: 1..n_arg, each once, on usable constraints only */
  int n_arg = 0;
  memset(lv->vt_arg, 0, sizeof(lv->vt_arg));
  for (int k = 0; k < n; k++) {
    int a = use[k].argvIndex;
    if (a <= 0) continue;
    if (a > n || a > VT_MAX_ARG || !cons[k].usable || lv->vt_arg[a - 1]) {
      parse_error(p, "%s.xBestIndex malfunction", t->name);
      goto done;
    }
    lv->vt_arg[a - 1] = terms[k];
    lv->vt_arg_left[a - 1] = lefts[k];
    lv->vt_omit[a - 1] = use[k].omit;
    if (a > n_arg) n_arg = a;
  }
  for (int a = 0; a < n_arg; a++)
    if (!lv->vt_arg[a]) {
      parse_error(p, "%s.xBestIndex malfunction", t->name);
      goto done;
    }
  lv->vt_n_arg = n_arg;
  lv->vt_idx_num = x.info.idxNum;
  lv->vt_idx_str = x.info.idxStr;
  if (x.info.idxStr && x.info.needToFreeIdxStr) {
    VtStr *s = sqlite3_malloc(sizeof(VtStr));
    if (!s) {
      sqlite3_free(x.info.idxStr);
      lv->vt_idx_str = NULL;
      p->rc = SQLITE_NOMEM;
      goto done;
    }
    s->z = x.info.idxStr;
    s->next = w->vt_strs;
    w->vt_strs = s;
  }
  lv->vt_order = x.info.nOrderBy > 0 && x.info.orderByConsumed;
  lv->cost = x.info.estimatedCost;
  lv->vt_rows = x.info.estimatedRows > 0 ? (double)x.info.estimatedRows : 1;
done:
  sqlite3_free(cons);
  sqlite3_free(use);
  sqlite3_free(terms);
  sqlite3_free(lefts);
}

void wh_explain_vtab(WhereInfo *w, WLevel *lv, const char *name, const char *lj) {
  select_explain(w->p, "SCAN %s VIRTUAL TABLE INDEX %d:%s%s", name, lv->vt_idx_num,
                 lv->vt_idx_str ? lv->vt_idx_str : "", lj);
}

void wh_code_vtab_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  if (lv->vt_impossible) {
    parse_error(p, "no query solution");
    return;
  }
  int n = lv->vt_n_arg;
  int r = parse_alloc_regs(p, n + 2);
  vdbe_add_op2(v, OP_Integer, lv->vt_idx_num, r);
  vdbe_add_op2(v, OP_Integer, n, r + 1);
  for (int k = 0; k < n; k++) {
    Expr *val = wh_term_value(lv->vt_arg[k], lv->vt_arg_left[k]);
    if (val)
      expr_code(p, val, r + 2 + k);
    else
      vdbe_add_op2(v, OP_Null, 0, r + 2 + k);
  }
  if (lv->vt_idx_str)
    vdbe_add_op4(v, OP_VFilter, lv->cursor, lv->brk, r, shale_strdup(lv->vt_idx_str), P4_DYNAMIC);
  else
    vdbe_add_op3(v, OP_VFilter, lv->cursor, lv->brk, r);
  for (int k = 0; k < n; k++)
    if (lv->vt_omit[k]) lv->vt_arg[k]->done = 1;
  lv->top = vdbe_current_addr(v);
  lv->next_op = OP_VNext;
  lv->next_cursor = lv->cursor;
}
