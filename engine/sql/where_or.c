/*
** where_or.c — MULTI-INDEX OR: a term "A OR B OR ..." where every disjunct
** can drive a lookup of its own (an index or the rowid) is answered by one
** loop per disjunct; each loop tests the whole disjunct, puts the rowid in a
** RowSet so that a row matching several disjuncts is seen once, and calls
** the rest of the loop nest as a subroutine, as SQLite does:
**
**     Null        rowset
**     <loop over disjunct 1>  RowSetTest rowset, next, rowid;  Gosub ret, body
**     <loop over disjunct 2>  ...
**     Goto brk
**   body:  <terms and inner loops>  ...  Return ret
**
** Rowid tables only (the RowSet holds rowids).  Each disjunct is planned as
** its own single-level WhereInfo over the same FROM list, so masks, outer
** tables and LEFT JOIN ON rules are the main plan's.
*/
#include "where_int.h"

#define MAX_OR_TERMS 16

/* The disjuncts of an OR tree, left to right; 0 if too many. */
static int or_leaves(Expr *e, Expr **out, int max) {
  Expr *stack[2 * MAX_OR_TERMS + 2];
  int sp = 0, n = 0;
  stack[sp++] = e;
  while (sp > 0) {
    Expr *x = stack[--sp];
    if (x->op == EX_BINARY && x->sub_op == OP_OR_) {
      if (sp + 2 > (int)SHALE_ARRAY_SIZE(stack)) return 0;
      stack[sp++] = x->right;
      stack[sp++] = x->left;
    } else {
      if (n == max) return 0;
      out[n++] = x;
    }
  }
  return n;
}

/* A WhereInfo for one disjunct at level li of w: the same FROM item and
** outer tables, the disjunct's AND-terms.  Its loop seeks the table row
** even from a covering index (the body reads the table cursor); "covering"
** only shows in EXPLAIN QUERY PLAN, as in SQLite. */
static WhereInfo *sub_plan(WhereInfo *w, int li, WTerm *or_term, Expr *disjunct, u64 avail) {
  WhereInfo *s = shale_malloc_zero(sizeof(WhereInfo));
  if (!s) {
    w->p->rc = SQLITE_NOMEM;
    return NULL;
  }
  QState *q = q_state(w->p);
  s->p = w->p;
  s->src = w->src;
  s->right = -1;
  s->remap_base = q ? q->n_remap : 0;
  wh_add_terms(s, disjunct, or_term->on_level, or_term->is_where);
  WLevel *lv = &w->lv[li], *sl = &s->lv[0];
  sl->from = lv->from;
  sl->item = lv->item;
  sl->tab = lv->tab;
  sl->cursor = lv->cursor;
  sl->or_sub_level = 1;
  sl->or_left_join = lv->left_join;
  s->n_level = s->n_level_planned = 1;
  s->sel = w->sel;
  wh_plan_level_one(s, 0, avail, w->sel);
  return s;
}

static int sub_is_lookup(const WhereInfo *s) {
  int plan = s->lv[0].plan;
  return plan == PLAN_ROWID_EQ || plan == PLAN_ROWID_RANGE || (plan == PLAN_INDEX && !s->lv[0].auto_idx &&
                                                             (s->lv[0].n_eq || s->lv[0].lo || s->lv[0].hi));
}

/* Switch level li to a MULTI-INDEX OR when an OR term allows one that is
** cheaper than the plan it has. */
void wh_plan_or(WhereInfo *w, int li, u64 avail) {
  WLevel *lv = &w->lv[li];
  Table *t = lv->tab;
  if (lv->plan != PLAN_SCAN && lv->plan != PLAN_INDEX && lv->plan != PLAN_ROWID_RANGE) return;
  if (!t || !t->root || t->is_view || t->without_rowid || lv->item->indexed_by || lv->item->not_indexed) return;
  if (w->right >= 0 || (w->flags & WHERE_ORDERBY_MIN) || lv->cost < 0) return;
  u64 self = (u64)1 << lv->from;
  for (int i = 0; i < w->n_term; i++) {
    WTerm *tm = &w->terms[i];
    if (tm->virt || tm->e->op != EX_BINARY || tm->e->sub_op != OP_OR_) continue;
    if (!(tm->mask & self) || !wh_term_usable(w, tm, li, avail, self)) continue;
    Expr *leaves[MAX_OR_TERMS];
    int n = or_leaves(tm->e, leaves, MAX_OR_TERMS);
    if (n < 2) continue;
    double cost = n; /* the RowSet */
    for (int k = 0; k < n && cost < lv->cost; k++) {
      WhereInfo *s = sub_plan(w, li, tm, leaves[k], avail);
      if (!s) return;
      if (sub_is_lookup(s) && !w->p->rc)
        cost += s->lv[0].cost;
      else
        cost = lv->cost;
      wh_free(w->p, s);
    }
    if (cost < lv->cost) {
      lv->plan = PLAN_MULTI_OR;
      lv->cost = cost;
      lv->or_term = tm;
      lv->or_avail = avail;
      lv->idx = NULL;
      lv->n_eq = 0;
      lv->lo = lv->hi = NULL;
      lv->covering = 0;
    }
  }
}

/* Open the table and the cursors of every disjunct's plan (once, before
** the loops). */
void wh_open_or_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  Table *t = lv->tab;
  int li = (int)(lv - w->lv);
  if (t->db_index >= 0 && t->db_index < 32) p->cookie_mask |= (u32)1 << t->db_index;
  /* one-pass DELETE: the body deletes through the table cursor */
  int op = (w->flags & WHERE_ONE_PASS) ? OP_OpenWrite : OP_OpenRead;
  vdbe_add_op4_int(p->v, op, lv->cursor, (int)t->root, t->db_index, t->n_col);
  Expr *leaves[MAX_OR_TERMS];
  int n = or_leaves(lv->or_term->e, leaves, MAX_OR_TERMS);
  lv->or_sub = shale_malloc_zero(sizeof(WhereInfo *) * (size_t)(n > 0 ? n : 1));
  if (!lv->or_sub) {
    p->rc = SQLITE_NOMEM;
    return;
  }
  for (int k = 0; k < n; k++) {
    WhereInfo *s = sub_plan(w, li, lv->or_term, leaves[k], lv->or_avail);
    if (!s) return;
    lv->or_sub[lv->n_or++] = s;
    WLevel *sl = &s->lv[0];
    if (sl->plan == PLAN_INDEX) {
      sl->idx_cursor = parse_alloc_cursor(p);
      vdbe_add_op4(p->v, OP_OpenRead, sl->idx_cursor, (int)sl->idx->root, t->db_index,
                   build_index_keyinfo(p, sl->idx), P4_KEYINFO);
    }
  }
}

/* Close the loop of a disjunct (its own level 0, never a LEFT JOIN). */
static void end_sub_level(Vdbe *v, WLevel *sl) {
  vdbe_resolve_label(v, sl->cont);
  if (sl->next_op) vdbe_add_op2(v, sl->next_op, sl->next_cursor, sl->top);
  vdbe_resolve_label(v, sl->brk);
  for (int i = sl->n_in - 1; i >= 0; i--) vdbe_add_op2(v, sl->desc ? OP_Prev : OP_Next, sl->in_cur[i], sl->in_top[i]);
  if (sl->n_in) vdbe_resolve_label(v, sl->in_exit);
}

/* The loops over the disjuncts; afterwards the body (lv->top) follows. */
void wh_code_or_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  int reg_rowset = parse_alloc_reg(p), r_rowid = parse_alloc_reg(p);
  lv->reg_or_ret = parse_alloc_reg(p);
  int body = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Null, 0, reg_rowset);
  int sp = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "MULTI-INDEX OR");
    p->eqp_parent = id;
  }
  for (int k = 0; k < lv->n_or; k++) {
    WhereInfo *s = lv->or_sub[k];
    WLevel *sl = &s->lv[0];
    int sp2 = p->eqp_parent;
    if (p->explain == 2) {
      int id = vdbe_current_addr(v);
      select_explain(p, "INDEX %d", k + 1);
      p->eqp_parent = id;
    }
    wh_begin_level(s, 0, lv->or_avail);
    p->eqp_parent = sp2;
    if (sl->plan == PLAN_INDEX)
      vdbe_add_op2(v, OP_IdxRowid, sl->idx_cursor, r_rowid);
    else
      vdbe_add_op2(v, OP_Rowid, lv->cursor, r_rowid);
    /* the last disjunct only tests: no later loop looks for its rows */
    vdbe_add_op4_int(v, OP_RowSetTest, reg_rowset, sl->cont, r_rowid, k == lv->n_or - 1 ? -1 : k);
    vdbe_add_op2(v, OP_Gosub, lv->reg_or_ret, body);
    end_sub_level(v, sl);
  }
  p->eqp_parent = sp;
  vdbe_add_op2(v, OP_Goto, 0, lv->brk);
  vdbe_resolve_label(v, body);
  lv->top = vdbe_current_addr(v);
  lv->or_term->done = 1;
  lv->next_op = OP_Return;
  lv->next_cursor = lv->reg_or_ret;
}

void wh_free_or(WhereInfo *w) {
  for (int k = 0; k < w->n_level; k++) {
    WLevel *lv = &w->lv[k];
    for (int i = 0; i < lv->n_or; i++) wh_free(w->p, lv->or_sub[i]);
    sqlite3_free(lv->or_sub);
    lv->or_sub = NULL;
    lv->n_or = 0;
  }
}
