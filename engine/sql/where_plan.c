/*
** where_plan.c — the plan of one FROM item: a full scan, a rowid lookup or
** range, or an index lookup (equality on leading columns plus a range on the
** next one), a covering index when it holds every column the query needs,
** an automatic index for an inner loop, and whether an index delivers the
** ORDER BY order.
*/
#include "where_int.h"
#include <math.h>

int wh_is_in_term(const Expr *e) {
  if (!e || (e->op != EX_IN_LIST && e->op != EX_IN_SELECT) || (e->flags & EXPR_F_NOT)) return 0;
  const Expr *l = e->left;
  if (!l || l->op != EX_COLUMN) return 0;
  if (e->op == EX_IN_LIST) return e->list && e->list->n > 0;
  const Select *s = e->select;
  if (!s) return 0;
  while (s->prior) s = s->prior;
  return s->result && s->result->n == 1;
}

static int is_column_of(const Expr *e, int cur) {
  while (e && e->op == EX_COLLATE) e = e->left;
  return e && e->op == EX_COLUMN && e->res_cursor == cur && e->res_depth == 0;
}
static int column_of(const Expr *e) {
  while (e->op == EX_COLLATE) e = e->left;
  return e->res_column;
}

/* If term e can drive a lookup on cursor `cur` ("col OP value", "value OP
** col", "col IN (...)", "col IS value", "col IS NULL"), return 1 with the
** column (-1 rowid), the operator as WO_* seen from the column, and which
** side the column is on; else 0.  Whether the value depends on the cursor
** itself is the caller's check (wh_value_mask). */
int wh_term_on_column(const Expr *e, int cur, int *col, int *op, int *col_is_left) {
  if (!e) return 0;
  if (wh_is_in_term(e) && e->left->res_cursor == cur && e->left->res_depth == 0) {
    *col = e->left->res_column;
    *op = WO_IN;
    *col_is_left = 1;
    return 1;
  }
  if (e->op == EX_ISNULL) {
    if (!is_column_of(e->left, cur)) return 0;
    *col = column_of(e->left);
    *op = WO_ISNULL;
    *col_is_left = 1;
    return 1;
  }
  int wo;
  if (e->op == EX_IS) {
    if (!e->right || e->right->op == EX_TRUE || e->right->op == EX_FALSE) return 0;
    wo = WO_IS;
  } else if (e->op == EX_BINARY) {
    switch (e->sub_op) {
      case OP_EQ_: wo = WO_EQ; break;
      case OP_LT_: wo = WO_LT; break;
      case OP_LE_: wo = WO_LE; break;
      case OP_GT_: wo = WO_GT; break;
      case OP_GE_: wo = WO_GE; break;
      default: return 0;
    }
  } else {
    return 0;
  }
  if (is_column_of(e->left, cur)) {
    *col = column_of(e->left);
    *op = wo;
    *col_is_left = 1;
    return 1;
  }
  if (is_column_of(e->right, cur)) {
    *col = column_of(e->right);
    switch (wo) {
      case WO_LT: wo = WO_GT; break;
      case WO_LE: wo = WO_GE; break;
      case WO_GT: wo = WO_LT; break;
      case WO_GE: wo = WO_LE; break;
    }
    *op = wo;
    *col_is_left = 0;
    return 1;
  }
  return 0;
}

int wh_aff_ok_for_index(Parse *p, const Expr *e, char col_aff) {
  if (e->op == EX_IN_SELECT) {
    const Select *s = e->select; /* the right-most arm, as SQLite */
    char a = expr_compare_affinity(p, e->left, s->result->a[0].expr);
    if (a <= SQLITE_AFF_BLOB) return 1;
    if (a == SQLITE_AFF_TEXT) return col_aff == SQLITE_AFF_TEXT;
    return col_aff >= SQLITE_AFF_NUMERIC;
  }
  if (e->op == EX_IN_LIST || e->op == EX_ISNULL) return 1;
  char aff = expr_compare_affinity(p, e->left, e->right);
  if (aff <= SQLITE_AFF_BLOB) return 1;
  if (aff == SQLITE_AFF_TEXT) return col_aff == SQLITE_AFF_TEXT;
  return col_aff >= SQLITE_AFF_NUMERIC;
}

int wh_coll_ok_for_index(Parse *p, const Expr *e, const char *idx_coll) {
  const char *c = NULL;
  if (e->op == EX_IN_LIST || e->op == EX_IN_SELECT) {
    c = expr_collation_name(p, e->left);
    if (!c && e->op == EX_IN_SELECT) {
      const Select *s = e->select;
      c = expr_collation_name(p, s->result->a[0].expr);
    }
    return shale_stricmp(c ? c : "BINARY", idx_coll ? idx_coll : "BINARY") == 0;
  }
  if (e->op == EX_ISNULL) return 1;
  /* the comparison's collation */
  const Expr *l = e->left, *r = e->right;
  const char *cl = NULL, *cr = NULL;
  if (l->op == EX_COLLATE) cl = l->text;
  if (r->op == EX_COLLATE) cr = r->text;
  c = cl ? cl : cr ? cr : expr_collation_name(p, l);
  if (!c) c = expr_collation_name(p, r);
  if (!c) c = "BINARY";
  if (!idx_coll) idx_coll = "BINARY";
  return shale_stricmp(c, idx_coll) == 0;
}

/* the non-column side of the term (NULL for "col IS NULL") */
Expr *wh_term_value(const WTerm *t, int col_is_left) {
  if (t->e->op == EX_ISNULL) return NULL;
  return col_is_left ? t->e->right : t->e->left;
}
u64 wh_value_mask(WhereInfo *w, const WTerm *t, int col_is_left) {
  if (wh_is_in_term(t->e)) {
    u64 m = 0;
    if (t->e->list)
      for (int i = 0; i < t->e->list->n; i++) m |= wh_expr_mask(w->src, t->e->list->a[i].expr);
    if (t->e->select) m |= wh_select_mask(w->src, t->e->select);
    return m;
  }
  return wh_expr_mask(w->src, wh_term_value(t, col_is_left));
}

int wh_term_usable(WhereInfo *w, WTerm *t, int li, u64 avail, u64 self) {
  WLevel *lv = &w->lv[li];
  if (t->done) return 0;
  if ((t->mask & ~(avail | self)) != 0) return 0;
  /* the other side may not reference this table */
  if (lv->left_join) {
    if (t->on_level != lv->from) return 0;
  } else if (t->on_level >= 0 && t->on_level != lv->from) {
    return 0;
  }
  return 1;
}

static double log_est(i64 n) {
  double d = (double)(n > 0 ? n : 1);
  return d;
}

/* The columns of level lv's table that the query reads (all of them when
** there is no SELECT to look at, e.g. UPDATE/DELETE). */
static ColUse level_col_use(WhereInfo *w, WLevel *lv, Select *sel) {
  ColUse u;
  memset(&u, 0, sizeof(u));
  u.cursor = lv->cursor;
  if (sel)
    wh_col_use_select(&u, sel);
  else
    u.cols = ~(u64)0;
  for (int i = 0; i < w->n_term; i++) wh_col_use_expr(&u, w->terms[i].e);
  return u;
}

/* Does index ix hold every column in u (so the table need not be read)? */
static int index_covers(const Table *t, const Index *ix, const ColUse *u) {
  if (u->rowid && t->without_rowid) return 0;
  if (u->cols & ((u64)1 << 63)) return 0;
  for (int c = 0; c < t->n_col && c < 63; c++) {
    if (!(u->cols & ((u64)1 << c)) || c == t->ipk) continue;
    int in = 0;
    for (int j = 0; j < ix->n_column; j++)
      if (ix->columns[j] == c) in = 1;
    if (!in) return 0;
  }
  return 1;
}

void wh_plan_level_one(WhereInfo *w, int li, u64 avail, Select *sel) {
  Parse *p = w->p;
  WLevel *lv = &w->lv[li];
  Table *t = lv->tab;
  u64 self = (u64)1 << lv->from;
  lv->plan = PLAN_SCAN;
  if (t->is_virtual == 3) {
    lv->plan = PLAN_ONEROW;
    return;
  }
  if (!t->root || t->is_view) {
    lv->plan = PLAN_PSEUDO;
    return;
  }
  if (lv->item->not_indexed) return;
  double n_rows = log_est(t->n_row_est > 0 ? t->n_row_est : 1000000);
  double best = n_rows * 3.0;
  /* rowid */
  if (!t->without_rowid && !lv->item->indexed_by) {
    WTerm *eq = NULL, *lo = NULL, *hi = NULL;
    int eql = 0, lol = 0, hil = 0, eqo = 0, loo = 0, hio = 0;
    for (int i = 0; i < w->n_term; i++) {
      WTerm *tm = &w->terms[i];
      int col, op, cil;
      if (!wh_term_usable(w, tm, li, avail, self)) continue;
      if (!wh_term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
      if (!(col < 0 || col == t->ipk) || op == WO_ISNULL) continue;
      if (wh_value_mask(w, tm, cil) & self) continue;
      if (WO_IS_EQ(op)) {
        if (!eq || (eqo == WO_IN && op != WO_IN)) eq = tm, eql = cil, eqo = op;
      } else if (WO_IS_LO(op) && !lo) {
        lo = tm, lol = cil, loo = op;
      } else if (WO_IS_HI(op) && !hi) {
        hi = tm, hil = cil, hio = op;
      }
    }
    if (eq) {
      lv->plan = PLAN_ROWID_EQ;
      lv->eq[0] = eq;
      lv->eq_col_is_left[0] = eql;
      lv->eq_op[0] = eqo;
      lv->n_eq = 1;
      lv->cost = 1;
      return;
    }
    if (lo || hi) {
      double c = n_rows / ((lo && hi) ? 16 : 4);
      if (c < best) {
        best = c;
        lv->plan = PLAN_ROWID_RANGE;
        lv->lo = lo;
        lv->hi = hi;
        lv->lo_left = lol;
        lv->hi_left = hil;
        lv->lo_op = loo;
        lv->hi_op = hio;
      }
    }
  }
  /* columns used, for covering */
  ColUse u = level_col_use(w, lv, sel);
  for (Index *ix = t->indexes; ix; ix = ix->next) {
    if (ix->where) continue; /* partial indexes: not used */
    if (lv->item->indexed_by && shale_stricmp(lv->item->indexed_by, ix->name)) continue;
    int has_expr = 0;
    for (int j = 0; j < ix->n_key_col; j++)
      if (ix->columns[j] == -2) has_expr = 1;
    if (has_expr) continue;
    WTerm *eqs[16];
    int eql[16], eqo[16];
    int n_eq = 0;
    WTerm *lo = NULL, *hi = NULL;
    int lol = 0, hil = 0, loo = 0, hio = 0;
    for (int j = 0; j < ix->n_key_col && j < 16; j++) {
      int icol = ix->columns[j];
      char caff = icol >= 0 ? t->cols[icol].affinity : SQLITE_AFF_INTEGER;
      const char *icoll = ix->collate ? ix->collate[j] : NULL;
      WTerm *found = NULL;
      int fl = 0, fo = 0;
      for (int i = 0; i < w->n_term; i++) {
        WTerm *tm = &w->terms[i];
        int col, op, cil;
        if (!wh_term_usable(w, tm, li, avail, self)) continue;
        if (!wh_term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
        if (col == t->ipk && col >= 0) col = -1;
        int want = icol == t->ipk && icol >= 0 ? -1 : icol;
        if (col != want) continue;
        if (wh_value_mask(w, tm, cil) & self) continue;
        if (!wh_aff_ok_for_index(p, tm->e, caff) || !wh_coll_ok_for_index(p, tm->e, icoll)) continue;
        int used = 0;
        for (int q = 0; q < n_eq; q++)
          if (eqs[q] == tm) used = 1;
        if (used) continue; /* an index listing a column twice: one term, one key */
        if (op == WO_ISNULL && icol >= 0 && t->cols[icol].not_null) continue;
        if (WO_IS_EQ(op)) {
          /* "=" or IS before IN: one key beats a loop over a set */
          if (!found || (fo == WO_IN && op != WO_IN)) found = tm, fl = cil, fo = op;
          if (op != WO_IN) break;
        } else if (WO_IS_LO(op) && !lo) {
          lo = tm, lol = cil, loo = op;
        } else if (WO_IS_HI(op) && !hi) {
          hi = tm, hil = cil, hio = op;
        }
      }
      if (found) {
        eqs[n_eq] = found;
        eql[n_eq] = fl;
        eqo[n_eq] = fo;
        n_eq++;
        lo = hi = NULL;
        continue;
      }
      break;
    }
    if (n_eq == 0 && !lo && !hi && !lv->item->indexed_by) {
      /* maybe a covering full-index scan is useful for ORDER BY; handled by caller */
      continue;
    }
    /* covering? */
    int covering = index_covers(t, ix, &u);
    double c = n_rows;
    if (ix->stat_est && n_eq > 0) /* ANALYZE: rows per value of the first n_eq columns */
      c = (double)ix->stat_est[n_eq < ix->n_key_col ? n_eq : ix->n_key_col];
    else
      for (int k = 0; k < n_eq; k++) c /= (ix->unique && k == ix->n_key_col - 1) ? n_rows : 10.0;
    for (int k = 0; k < n_eq; k++)
      if (wh_is_in_term(eqs[k]->e)) c *= eqs[k]->e->list ? eqs[k]->e->list->n : 10;
    if (lo || hi) c /= (lo && hi) ? 16 : 4;
    if (c < 1) c = 1;
    c *= covering ? 1.0 : 2.0;
    if (n_eq == ix->n_key_col && ix->unique) c = covering ? 1 : 2;
    /* equal costs: the narrower index (fewer bytes per entry), as SQLite */
    int narrower = c == best && lv->plan == PLAN_INDEX && ix->n_column < lv->idx->n_column;
    if (c < best || narrower || (lv->item->indexed_by && lv->plan != PLAN_INDEX)) {
      best = c;
      lv->plan = PLAN_INDEX;
      lv->idx = ix;
      lv->n_eq = n_eq;
      for (int k = 0; k < n_eq; k++) {
        lv->eq[k] = eqs[k];
        lv->eq_col_is_left[k] = eql[k];
        lv->eq_op[k] = eqo[k];
      }
      lv->lo = lo;
      lv->hi = hi;
      lv->lo_left = lol;
      lv->hi_left = hil;
      lv->lo_op = loo;
      lv->hi_op = hio;
      lv->covering = covering;
    }
  }
  if (lv->plan == PLAN_SCAN && !lv->item->indexed_by && !t->without_rowid && !(u.cols & ((u64)1 << 63))) {
    /* a covering index is a cheaper full scan than the table */
    int n_tab = 0;
    for (int c = 0; c < t->n_col; c++)
      if (c != t->ipk) n_tab++;
    Index *bestix = NULL;
    for (Index *ix = t->indexes; ix; ix = ix->next) {
      if (ix->where || ix->n_key_col >= n_tab) continue;
      int ok = index_covers(t, ix, &u);
      for (int j = 0; j < ix->n_key_col; j++)
        if (ix->columns[j] == -2) ok = 0;
      if (ok && (!bestix || ix->n_key_col < bestix->n_key_col)) bestix = ix;
    }
    if (bestix) {
      lv->plan = PLAN_INDEX;
      lv->idx = bestix;
      lv->n_eq = 0;
      lv->lo = lv->hi = NULL;
      lv->covering = 1;
    }
  }
  if (lv->item->indexed_by && lv->plan != PLAN_INDEX) {
    Index *ix = NULL;
    for (ix = t->indexes; ix; ix = ix->next)
      if (!shale_stricmp(ix->name, lv->item->indexed_by)) break;
    if (!ix) {
      parse_error(p, "no such index: %s", lv->item->indexed_by);
      return;
    }
    lv->plan = PLAN_INDEX;
    lv->idx = ix;
    lv->n_eq = 0;
    lv->lo = lv->hi = NULL;
    lv->covering = 0;
  }
  lv->cost = best;
}

/* Plan level li: the best single plan, then maybe a MULTI-INDEX OR. */
void wh_plan_level(WhereInfo *w, int li, u64 avail, Select *sel) {
  w->lv[li].cost = -1;
  if (w->lv[li].tab && w->lv[li].tab->vt) {
    wh_plan_vtab(w, li, avail);
    return;
  }
  wh_plan_level_one(w, li, avail, sel);
  if (!w->p->rc) wh_plan_or(w, li, avail);
}

/* Can an index (or the rowid) of level 0 give the ORDER BY order?  Sets
** w->order_ok and the walk direction; returns w->order_ok. */
static int order_from_plan(WhereInfo *w, ExprList *ob, Select *sel) {
  WLevel *lv = &w->lv[0];
  Table *t = lv->tab;
  if (lv->plan == PLAN_PSEUDO || lv->plan == PLAN_ONEROW) return w->order_ok;
  /* NULLs come first walking up and last walking down: other placements
  ** need the sorter */
  for (int i = 0; i < ob->n; i++)
    if (ob->a[i].nulls == (ob->a[i].sort_desc ? 1 : 2)) return w->order_ok;
  int want_desc = ob->a[0].sort_desc != 0;
  if (lv->plan == PLAN_ROWID_EQ) {
    /* rowid IN (...): the value set is walked in order, one row each */
    const Expr *e = ob->a[0].expr;
    if (lv->eq_op[0] == WO_IN && ob->n == 1 && e->op == EX_COLUMN && e->res_cursor == lv->cursor &&
        (e->res_column < 0 || e->res_column == t->ipk)) {
      w->order_ok = 1;
      lv->desc = want_desc;
    }
    return w->order_ok;
  }
  for (int k = 0; k < lv->n_eq; k++)
    if (lv->eq_op[k] == WO_IN) return w->order_ok;
  /* rowid order */
  int full_index_scan = lv->plan == PLAN_INDEX && lv->n_eq == 0 && !lv->lo && !lv->hi && !lv->item->indexed_by &&
                        !lv->auto_idx && !t->without_rowid;
  if (ob->n == 1 && (lv->plan == PLAN_SCAN || full_index_scan || lv->plan == PLAN_ROWID_RANGE) &&
      !t->without_rowid) {
    const Expr *e = ob->a[0].expr;
    if (e->op == EX_COLUMN && e->res_cursor == lv->cursor && (e->res_column < 0 || e->res_column == t->ipk)) {
      if (full_index_scan) {
        lv->plan = PLAN_SCAN;
        lv->idx = NULL;
        lv->covering = 0;
      }
      w->order_ok = 1;
      lv->desc = want_desc;
      return w->order_ok;
    }
  }
  Index *cands[64];
  int nc = 0;
  if (lv->plan == PLAN_INDEX) {
    cands[nc++] = lv->idx;
  } else if (lv->plan == PLAN_SCAN && !lv->item->not_indexed) {
    for (Index *ix = t->indexes; ix && nc < 64; ix = ix->next)
      if (!ix->where) cands[nc++] = ix;
  }
  for (int k = 0; k < nc; k++) {
    Index *ix = cands[k];
    int n_eq = (lv->plan == PLAN_INDEX) ? lv->n_eq : 0;
    int j = n_eq, ok = 1, rev = -1;
    for (int i = 0; i < ob->n && ok; i++) {
      const Expr *e = ob->a[i].expr;
      const char *oc = expr_collation_name(w->p, e);
      while (e->op == EX_COLLATE) e = e->left;
      if (e->op != EX_COLUMN || e->res_cursor != lv->cursor) {
        ok = 0;
        break;
      }
      int col = e->res_column == t->ipk && e->res_column >= 0 ? -1 : e->res_column;
      /* skip equality-constrained columns that appear in ORDER BY */
      int matched = 0;
      for (int q = 0; q < n_eq && !matched; q++) {
        int ic = ix->columns[q] == t->ipk && ix->columns[q] >= 0 ? -1 : ix->columns[q];
        if (ic == col) matched = 1;
      }
      if (matched) continue;
      if (j >= ix->n_column) {
        ok = 0;
        break;
      }
      int ic = ix->columns[j] == t->ipk && ix->columns[j] >= 0 ? -1 : ix->columns[j];
      /* the walk direction this term needs: all terms must agree */
      int r = (ob->a[i].sort_desc != 0) != (ix->sort_desc && ix->sort_desc[j]);
      if (ic != col || (rev >= 0 && r != rev)) {
        ok = 0;
        break;
      }
      rev = r;
      const char *icoll = ix->collate ? ix->collate[j] : NULL;
      if (shale_stricmp(oc ? oc : "BINARY", icoll ? icoll : "BINARY")) {
        ok = 0;
        break;
      }
      j++;
    }
    if (ok) {
      if (lv->plan == PLAN_SCAN) {
        /* full index scan in order */
        ColUse u = level_col_use(w, lv, sel);
        int covering = index_covers(t, ix, &u);
        lv->plan = PLAN_INDEX;
        lv->idx = ix;
        lv->n_eq = 0;
        lv->lo = lv->hi = NULL;
        lv->covering = covering;
      }
      w->order_ok = 1;
      lv->desc = rev > 0;
      return w->order_ok;
    }
  }
  return 0;
}

void wh_plan_order_by(WhereInfo *w, ExprList *ob, Select *sel) {
  if (!ob || w->n_level == 0) return;
  if (w->lv[0].plan == PLAN_VTAB) {
    /* only when every ORDER BY term went to xBestIndex (wh_plan_vtab) */
    w->order_ok = w->lv[0].vt_order && w->n_level == 1;
    return;
  }
  if (order_from_plan(w, ob, sel)) return;
  /* A range with one bound keeps a quarter of the rows by the estimate;
  ** sorting those costs more than walking the whole table in ORDER BY
  ** order (by rowid, or a covering index) once the table is large, so
  ** SQLite walks the table then.  Do the same. */
  WLevel *lv = &w->lv[0];
  Table *t = lv->tab;
  int one_sided = (lv->lo != NULL) != (lv->hi != NULL);
  if (!one_sided || lv->item->indexed_by || t->without_rowid || lv->auto_idx) return;
  if (!(lv->plan == PLAN_ROWID_RANGE || (lv->plan == PLAN_INDEX && lv->n_eq == 0))) return;
  double n = (double)(t->n_row_est > 0 ? t->n_row_est : 1000000);
  double kept = n / 4 > 2 ? n / 4 : 2;
  if (kept * log2(kept) <= 3 * n) return;
  WLevel save = *lv;
  lv->plan = PLAN_SCAN;
  lv->idx = NULL;
  lv->n_eq = 0;
  lv->lo = lv->hi = NULL;
  lv->covering = 0;
  lv->desc = 0;
  if (order_from_plan(w, ob, sel) && (lv->plan == PLAN_SCAN || lv->covering)) return;
  w->order_ok = 0;
  *lv = save;
}


/* An automatic (transient, covering) index for an inner loop that would
** otherwise be a full scan but has equality terms on outer tables. */
void wh_try_autoindex(WhereInfo *w, int li, u64 avail, Select *sel) {
  Parse *p = w->p;
  WLevel *lv = &w->lv[li];
  Table *t = lv->tab;
  if (li == 0 || avail == 0 || !t || t->without_rowid || t->is_virtual == 3) return;
  if (lv->plan != PLAN_SCAN && lv->plan != PLAN_PSEUDO) return;
  if (lv->item->not_indexed || lv->item->indexed_by) return;
  u64 self = (u64)1 << lv->from;
  int cols[8];
  WTerm *terms[8];
  int lefts[8];
  int n_eq = 0;
  for (int c = 0; c < t->n_col && n_eq < 8; c++) {
    if (c == t->ipk) continue;
    for (int i = 0; i < w->n_term; i++) {
      WTerm *tm = &w->terms[i];
      int col, op, cil;
      if (!wh_term_usable(w, tm, li, avail, self)) continue;
      if (!wh_term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
      if (col != c || op != WO_EQ) continue;
      Expr *val = wh_term_value(tm, cil);
      if (wh_expr_mask(w->src, val) & self) continue;
      if ((wh_expr_mask(w->src, val) & ~avail) != 0) continue;
      char caff = t->cols[c].affinity ? t->cols[c].affinity : SQLITE_AFF_BLOB;
      if (!wh_aff_ok_for_index(p, tm->e, caff) || !wh_coll_ok_for_index(p, tm->e, t->cols[c].collate)) continue;
      cols[n_eq] = c;
      terms[n_eq] = tm;
      lefts[n_eq] = cil;
      n_eq++;
      break;
    }
  }
  if (n_eq == 0) return;
  ColUse u;
  memset(&u, 0, sizeof(u));
  u.cursor = lv->cursor;
  if (!sel) return;
  wh_col_use_select(&u, sel);
  for (int i = 0; i < w->n_term; i++) wh_col_use_expr(&u, w->terms[i].e);
  if (u.cols & ((u64)1 << 63)) return;
  int n_col = n_eq + 1;
  for (int c = 0; c < t->n_col && c < 63; c++) {
    if (!(u.cols & ((u64)1 << c)) || c == t->ipk) continue;
    int dup = 0;
    for (int k = 0; k < n_eq; k++)
      if (cols[k] == c) dup = 1;
    if (!dup) n_col++;
  }
  Index *ix = q_alloc(p, sizeof(Index));
  i16 *ic = q_alloc(p, sizeof(i16) * (size_t)n_col);
  char **coll = q_alloc(p, sizeof(char *) * (size_t)n_col);
  u8 *desc = q_alloc(p, (size_t)n_col);
  if (!ix || !ic || !coll || !desc) return;
  int j = 0;
  for (int k = 0; k < n_eq; k++) {
    ic[j] = (i16)cols[k];
    coll[j] = t->cols[cols[k]].collate;
    j++;
  }
  for (int c = 0; c < t->n_col && c < 63; c++) {
    if (!(u.cols & ((u64)1 << c)) || c == t->ipk) continue;
    int dup = 0;
    for (int k = 0; k < n_eq; k++)
      if (cols[k] == c) dup = 1;
    if (dup) continue;
    ic[j] = (i16)c;
    coll[j] = t->cols[c].collate;
    j++;
  }
  ic[j] = -1;
  coll[j] = NULL;
  ix->name = "auto";
  ix->table = t;
  ix->n_key_col = n_eq;
  ix->n_column = n_col;
  ix->columns = ic;
  ix->collate = coll;
  ix->sort_desc = desc;
  lv->plan = PLAN_INDEX;
  lv->idx = ix;
  lv->auto_idx = 1;
  lv->covering = 1;
  lv->n_eq = n_eq;
  lv->lo = lv->hi = NULL;
  for (int k = 0; k < n_eq; k++) {
    lv->eq[k] = terms[k];
    lv->eq_col_is_left[k] = lefts[k];
    lv->eq_op[k] = WO_EQ;
  }
}