/*
** where.c — the planner's entry points: where_begin() splits the WHERE
** clause (and ON clauses) into terms, picks a join order (branch and bound
** over level costs), plans each FROM item (where_plan.c), then opens the
** nested loops (where_code.c); where_end() closes them, with the NULL-row
** pass of LEFT JOIN and the unmatched-row pass of RIGHT/FULL JOIN.
*/
#include "where_int.h"

/* ----------------------------------------------------------- analysis -- */
/* A term with virtual children is implied once every child drove a lookup. */
int wh_children_done(WhereInfo *w, const WTerm *t) {
  if (t->child < 0 || t->n_child == 0) return 0;
  for (int k = 0; k < t->n_child; k++)
    if (!w->terms[t->child + k].done) return 0;
  return 1;
}

static int src_index_of_cursor(SrcList *src, int cur) {
  if (!src) return -1;
  for (int i = 0; i < src->n; i++)
    if (src->a[i].res_cursor == cur) return i;
  return -1;
}

u64 wh_list_mask(SrcList *src, const ExprList *l) {
  u64 m = 0;
  if (l)
    for (int i = 0; i < l->n; i++) m |= wh_expr_mask(src, l->a[i].expr);
  return m;
}
u64 wh_select_mask(SrcList *src, const Select *s) {
  u64 m = 0;
  for (; s; s = s->prior) {
    m |= wh_list_mask(src, s->result) | wh_expr_mask(src, s->where) | wh_list_mask(src, s->group_by) |
         wh_expr_mask(src, s->having) | wh_list_mask(src, s->order_by) | wh_expr_mask(src, s->limit) |
         wh_expr_mask(src, s->offset);
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        m |= wh_expr_mask(src, s->from->a[i].on);
        if (s->from->a[i].subquery) m |= wh_select_mask(src, s->from->a[i].subquery);
      }
  }
  return m;
}
u64 wh_expr_mask(SrcList *src, const Expr *e) {
  if (!e) return 0;
  u64 m = 0;
  if (e->op == EX_COLUMN) {
    int i = src_index_of_cursor(src, e->res_cursor);
    if (i >= 0 && i < 64) m |= (u64)1 << i;
  }
  if (e->select) m |= wh_select_mask(src, e->select);
  m |= wh_expr_mask(src, e->left) | wh_expr_mask(src, e->right) | wh_expr_mask(src, e->extra) | wh_list_mask(src, e->list);
  return m;
}

void wh_add_terms(WhereInfo *w, Expr *e, int on_level, int is_where) {
  if (!e) return;
  if (e->op == EX_BINARY && e->sub_op == OP_AND_) {
    wh_add_terms(w, e->left, on_level, is_where);
    wh_add_terms(w, e->right, on_level, is_where);
    return;
  }
  if (w->n_term >= MAX_TERMS) {
    parse_error(w->p, "too many WHERE terms");
    return;
  }
  WTerm *t = &w->terms[w->n_term++];
  memset(t, 0, sizeof(*t));
  t->e = e;
  t->mask = wh_expr_mask(w->src, e);
  t->on_level = on_level;
  t->done = 0;
  t->is_where = is_where;
  t->child = -1;
  /* x BETWEEN lo AND hi  ->  virtual  x >= lo  and  x <= hi  (nodes over
  ** the BETWEEN's own operands), so either bound can drive a seek */
  if (e->op == EX_BETWEEN && !(e->flags & EXPR_F_NOT) && e->list && e->list->n == 2 && w->n_synth + 2 <= 64 &&
      w->n_term + 2 <= MAX_TERMS) {
    int parent = w->n_term - 1;
    for (int k = 0; k < 2; k++) {
      Expr *cmp = ast_expr_new(EX_BINARY);
      if (!cmp) break;
      cmp->sub_op = k == 0 ? OP_GE_ : OP_LE_;
      cmp->left = e->left;
      cmp->right = e->list->a[k].expr;
      w->synth_shallow[w->n_synth] = 1;
      w->synth[w->n_synth++] = cmp;
      WTerm *vt = &w->terms[w->n_term];
      memset(vt, 0, sizeof(*vt));
      vt->e = cmp;
      vt->mask = wh_expr_mask(w->src, cmp);
      vt->on_level = on_level;
      vt->is_where = is_where;
      vt->virt = 1;
      vt->child = -1;
      if (k == 0) w->terms[parent].child = w->n_term;
      w->terms[parent].n_child++;
      w->n_term++;
    }
    return;
  }
  /* x = a OR x = b OR ...  ->  a virtual  x IN (a, b, ...) */
  if (e->op == EX_BINARY && e->sub_op == OP_OR_ && w->n_synth < 64 && w->n_term < MAX_TERMS) {
    Expr *leaves[64];
    int n = 0, ok = 1;
    Expr *stack[64];
    int sp = 0;
    stack[sp++] = e;
    while (sp > 0 && ok) {
      Expr *x = stack[--sp];
      if (x->op == EX_BINARY && x->sub_op == OP_OR_) {
        if (sp + 2 > 64) ok = 0;
        else {
          stack[sp++] = x->right;
          stack[sp++] = x->left;
        }
      } else if (n < 64) {
        leaves[n++] = x;
      } else {
        ok = 0;
      }
    }
    const Expr *col = NULL;
    for (int i = 0; i < n && ok; i++) {
      Expr *x = leaves[i];
      if (x->op != EX_BINARY || x->sub_op != OP_EQ_) {
        ok = 0;
        break;
      }
      const Expr *c = NULL, *val = NULL;
      if (x->left->op == EX_COLUMN && x->left->res_depth == 0) c = x->left, val = x->right;
      else if (x->right->op == EX_COLUMN && x->right->res_depth == 0) c = x->right, val = x->left;
      if (!c || (col && (c->res_cursor != col->res_cursor || c->res_column != col->res_column))) {
        ok = 0;
        break;
      }
      if (wh_expr_mask(w->src, val) & wh_expr_mask(w->src, c)) ok = 0;
      if (expr_collation_name(w->p, x->left) != expr_collation_name(w->p, x->right) &&
          (x->left->op == EX_COLLATE || x->right->op == EX_COLLATE))
        ok = 0;
      col = c;
    }
    if (ok && n >= 2 && col) {
      Expr *in = ast_expr_new(EX_IN_LIST);
      if (in) {
        in->left = ast_dup_expr(col);
        for (int i = 0; i < n; i++) {
          Expr *x = leaves[i];
          const Expr *val = (x->left->op == EX_COLUMN && x->left->res_cursor == col->res_cursor &&
                             x->left->res_column == col->res_column)
                                ? x->right
                                : x->left;
          in->list = ast_expr_list_append(in->list, ast_dup_expr(val));
        }
        w->synth[w->n_synth++] = in;
        WTerm *vt = &w->terms[w->n_term];
        memset(vt, 0, sizeof(*vt));
        vt->e = in;
        vt->mask = t->mask;
        vt->on_level = on_level;
        vt->is_where = is_where;
        vt->virt = 1;
        vt->child = -1;
        t->child = w->n_term;
        t->n_child = 1;
        w->n_term++;
      }
    }
  }
}
static void add_terms(WhereInfo *w, Expr *e, int on_level) { wh_add_terms(w, e, on_level, 0); }

void wh_col_use_list(ColUse *u, const ExprList *l) {
  if (l)
    for (int i = 0; i < l->n; i++) wh_col_use_expr(u, l->a[i].expr);
}
void wh_col_use_select(ColUse *u, const Select *s) {
  for (; s; s = s->prior) {
    wh_col_use_list(u, s->result);
    wh_col_use_expr(u, s->where);
    wh_col_use_list(u, s->group_by);
    wh_col_use_expr(u, s->having);
    wh_col_use_list(u, s->order_by);
    for (Window *w = s->windows; w; w = w->next) {
      wh_col_use_list(u, w->partition_by);
      wh_col_use_list(u, w->order_by);
    }
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        wh_col_use_expr(u, s->from->a[i].on);
        if (s->from->a[i].subquery) wh_col_use_select(u, s->from->a[i].subquery);
      }
  }
}
void wh_col_use_expr(ColUse *u, const Expr *e) {
  if (!e) return;
  if (e->op == EX_COLUMN && e->res_cursor == u->cursor) {
    if (e->res_column < 0)
      u->rowid = 1;
    else
      u->cols |= (u64)1 << (e->res_column < 63 ? e->res_column : 63);
  }
  if (e->select) wh_col_use_select(u, e->select);
  wh_col_use_expr(u, e->left);
  wh_col_use_expr(u, e->right);
  wh_col_use_expr(u, e->extra);
  wh_col_use_list(u, e->list);
  if (e->order_by) wh_col_use_list(u, e->order_by);
  if (e->over) {
    wh_col_use_list(u, e->over->partition_by);
    wh_col_use_list(u, e->over->order_by);
    wh_col_use_expr(u, e->over->start);
    wh_col_use_expr(u, e->over->end);
  }
}

/* ------------------------------------------------------------ planning -- */

/* ------------------------------------------------------- join order -- */
typedef struct JoinSearch {
  WhereInfo *w;
  Select *sel;
  int n;
  int cur[MAX_LEVELS];
  int best_order[MAX_LEVELS];
  double best;
  int steps;
} JoinSearch;

/* Cost of putting item i at position k with `avail` before it. */
static double level_cost(WhereInfo *w, int k, int i, u64 avail, Select *sel, double *rows_out) {
  SrcList *src = w->src;
  WLevel save = w->lv[k];
  WLevel *lv = &w->lv[k];
  memset(lv, 0, sizeof(*lv));
  lv->from = i;
  lv->item = &src->a[i];
  lv->tab = (Table *)src->a[i].res_ptr;
  lv->cursor = src->a[i].res_cursor;
  wh_plan_level(w, k, avail, sel);
  Table *t = lv->tab;
  double rows = (double)(t && t->n_row_est > 0 ? t->n_row_est : 1000000);
  double cost, out;
  switch (lv->plan) {
    case PLAN_ROWID_EQ: cost = 1; out = 1; break;
    case PLAN_ROWID_RANGE: cost = out = rows / ((lv->lo && lv->hi) ? 16 : 4); break;
    case PLAN_INDEX:
      out = rows;
      for (int e = 0; e < lv->n_eq; e++) out /= 10;
      if (lv->n_eq == lv->idx->n_key_col && lv->idx->unique) out = 1;
      if (lv->lo || lv->hi) out /= 4;
      if (out < 1) out = 1;
      cost = out * (lv->covering ? 1 : 2) + 1;
      if (lv->n_eq == 0 && !lv->lo && !lv->hi) cost = rows * 1.5;
      break;
    case PLAN_MULTI_OR: cost = out = lv->cost / 2; break;
    case PLAN_VTAB:
      cost = lv->cost;
      out = lv->vt_rows > 1 ? lv->vt_rows : 1;
      break;
    default: cost = rows; out = rows; break;
  }
  /* WHERE terms that become testable here filter the output */
  int n_filters = 0;
  u64 now = avail | ((u64)1 << i);
  for (int q = 0; q < w->n_term; q++) {
    WTerm *tm = &w->terms[q];
    if ((tm->mask & ((u64)1 << i)) && (tm->mask & ~now) == 0) n_filters++;
  }
  for (int f = 0; f < n_filters && out > 1; f++) out /= 4;
  if (out < 1) out = 1;
  *lv = save;
  *rows_out = out;
  return cost;
}

static void join_search(JoinSearch *js, int k, u64 avail, double rows_in, double cost_acc) {
  if (js->best >= 0 && cost_acc >= js->best) return;
  if (k == js->n) {
    js->best = cost_acc;
    memcpy(js->best_order, js->cur, sizeof(int) * (size_t)js->n);
    return;
  }
  if (++js->steps > 20000) return;
  for (int i = 0; i < js->n; i++) {
    if (avail & ((u64)1 << i)) continue;
    double out;
    double c = level_cost(js->w, k, i, avail, js->sel, &out);
    js->cur[k] = i;
    join_search(js, k + 1, avail | ((u64)1 << i), rows_in * out, cost_acc + rows_in * c);
  }
}

WhereInfo *where_begin(Parse *p, SrcList *src, Expr *where, ExprList *order_by, int flags) {
  return where_begin_sel(p, NULL, src, where, order_by, flags);
}

static WhereInfo *where_begin_inner(Parse *p, Select *sel, SrcList *src, Expr *where,
                                    ExprList *order_by, int flags, int idx_cur_base);

/* Release a plan: restore the remap depth and free its synthesized terms. */
void wh_free(Parse *p, WhereInfo *w) {
  wh_free_or(w);
  wh_free_vtab(w);
  QState *q = (QState *)p->query;
  if (q) q->n_remap = w->remap_base;
  for (int i = 0; i < w->n_synth; i++) {
    if (w->synth_shallow[i]) w->synth[i]->left = w->synth[i]->right = NULL;
    ast_free_expr(w->synth[i]);
  }
  sqlite3_free(w);
}

/* On an error the plan is discarded here (callers return at once). */
WhereInfo *where_begin_sel(Parse *p, Select *sel, SrcList *src, Expr *where, ExprList *order_by, int flags) {
  WhereInfo *w = where_begin_inner(p, sel, src, where, order_by, flags & ~WHERE_ONE_PASS, -1);
  if (w && p->rc) {
    wh_free(p, w);
    return NULL;
  }
  return w;
}

WhereInfo *where_begin_onepass(Parse *p, SrcList *src, Expr *where, int idx_cur_base) {
  if (!src || src->n != 1) {
    parse_error(p, "internal error: one-pass loop over %d tables", src ? src->n : 0);
    return NULL;
  }
  WhereInfo *w = where_begin_inner(p, NULL, src, where, NULL, WHERE_ONE_PASS, idx_cur_base);
  if (w && p->rc) {
    wh_free(p, w);
    return NULL;
  }
  return w;
}

int where_onepass_index_cursor(WhereInfo *w) {
  WLevel *lv = &w->lv[0];
  if (!(w->flags & WHERE_ONE_PASS) || lv->plan != PLAN_INDEX) return -1;
  return lv->idx_cursor;
}

/* One-pass: the table row is always visited (never covering), and an index
** the loop walks is walked on the caller's write cursor of that index. */
static void onepass_cursors(WhereInfo *w) {
  WLevel *lv = &w->lv[0];
  if (lv->plan != PLAN_INDEX) return;
  lv->covering = 0;
  int k = 0;
  for (Index *ix = lv->tab->indexes; ix && ix != lv->idx; ix = ix->next) k++;
  lv->idx_cursor = w->onepass_idx_base + k;
}

static WhereInfo *where_begin_inner(Parse *p, Select *sel, SrcList *src, Expr *where,
                                    ExprList *order_by, int flags, int idx_cur_base) {
  Vdbe *v = p->v;
  WhereInfo *w = shale_malloc_zero(sizeof(WhereInfo));
  if (!w) {
    p->rc = SQLITE_NOMEM;
    return NULL;
  }
  w->p = p;
  w->src = src;
  w->flags = flags;
  w->onepass_idx_base = idx_cur_base;
  w->sel = sel;
  w->brk = vdbe_make_label(v);
  QState *q = q_state(p);
  w->remap_base = q ? q->n_remap : 0;
  int n = src ? src->n : 0;
  if (n > MAX_LEVELS) {
    parse_error(p, "at most %d tables in a join", MAX_LEVELS);
    return w;
  }
  wh_add_terms(w, where, -1, 1);
  w->order_by = order_by;
  w->right = -1;
  for (int i = 0; i < n; i++) {
    SrcItem *it = &src->a[i];
    if (i > 0 && (it->join_type & (JT_RIGHT | JT_FULL))) {
      Table *rt = (Table *)it->res_ptr;
      if (i != n - 1 || w->right >= 0 || (rt && (rt->without_rowid || rt->vt))) {
        parse_error(p, "RIGHT and FULL OUTER JOINs are not currently supported");
        return w;
      }
      w->right = i;
    }
    if (!it->on) continue;
    if (it->join_type & (JT_LEFT | JT_FULL | JT_RIGHT))
      add_terms(w, it->on, i);
    else
      add_terms(w, it->on, -1);
  }
  int order[MAX_LEVELS];
  int any_left = 0;
  for (int i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && (src->a[i].join_type & (JT_LEFT | JT_CROSS | JT_RIGHT | JT_FULL))) any_left = 1;
  }
  if (!any_left && n > 1 && n <= 8) {
    JoinSearch js;
    memset(&js, 0, sizeof(js));
    js.w = w;
    js.sel = sel;
    js.n = n;
    js.best = -1;
    join_search(&js, 0, 0, 1.0, 0.0);
    if (js.best >= 0) memcpy(order, js.best_order, sizeof(int) * (size_t)n);
  }
  u64 avail = 0;
  for (int k = 0; k < n; k++) {
    WLevel *lv = &w->lv[k];
    int i = order[k];
    memset(lv, 0, sizeof(*lv));
    lv->from = i;
    lv->item = &src->a[i];
    lv->tab = (Table *)src->a[i].res_ptr;
    lv->cursor = src->a[i].res_cursor;
    lv->left_join = (src->a[i].join_type & (JT_LEFT | JT_FULL)) != 0 && i > 0;
    wh_plan_level(w, k, avail, sel);
    if (w->right != i) wh_try_autoindex(w, k, avail, sel);
    if (w->right == i && lv->plan == PLAN_INDEX) lv->covering = 0;
    avail |= (u64)1 << i;
  }
  w->n_level = n;
  w->n_level_planned = n;
  if (p->rc) return w;
  if (w->right < 0) wh_plan_order_by(w, order_by, sel);
  if (w->right >= 0) {
    w->match_cur = parse_alloc_cursor(p);
    KeyInfo *k = keyinfo_alloc(1, 0);
    vdbe_add_op4(v, OP_OpenEphemeral, w->match_cur, 1, 0, k, P4_KEYINFO);
  }
  if (flags & WHERE_ONE_PASS) onepass_cursors(w);
  for (int k = 0; k < n; k++) wh_open_level(w, &w->lv[k]);
  /* constant terms (no tables): test once before the loops */
  for (int i = 0; i < w->n_term; i++) {
    WTerm *t = &w->terms[i];
    if (t->mask == 0 && t->on_level < 0 && expr_is_constant(t->e)) {
      expr_code_jump_if_false(p, t->e, w->brk, SQLITE_JUMPIFNULL);
      t->done = 1;
    }
  }
  avail = 0;
  for (int k = 0; k < n && !p->rc; k++) {
    wh_begin_level(w, k, avail);
    avail |= (u64)1 << w->lv[k].from;
  }
  /* anything left (e.g. terms with no tables at all when n == 0) */
  int cont = n ? w->lv[n - 1].cont : vdbe_make_label(v);
  for (int i = 0; i < w->n_term; i++) {
    WTerm *t = &w->terms[i];
    if (t->done || t->virt) continue;
    if (wh_children_done(w, t)) continue;
    expr_code_jump_if_false(p, t->e, cont, SQLITE_JUMPIFNULL);
    t->done = 1;
  }
  w->cont = cont;
  if (n == 0) w->lv[0].cont = cont;
  if (w->right >= 0) {
    w->reg_ret = parse_alloc_reg(p);
    w->body = vdbe_make_label(v);
    w->body_ret = vdbe_make_label(v);
    vdbe_add_op2(v, OP_Gosub, w->reg_ret, w->body);
    vdbe_add_op2(v, OP_Goto, 0, cont);
    vdbe_resolve_label(v, w->body);
    w->cont = w->body_ret;
  }
  return w;
}

int where_continue_label(WhereInfo *w) { return w->cont; }
int where_break_label(WhereInfo *w) { return w->brk; }
int where_order_satisfied(WhereInfo *w) { return w->order_ok; }

void where_end(WhereInfo *w) {
  if (!w) return;
  Parse *p = w->p;
  Vdbe *v = p->v;
  if (w->n_level == 0) {
    vdbe_resolve_label(v, w->cont);
  }
  if (w->right >= 0) {
    vdbe_resolve_label(v, w->body_ret);
    vdbe_add_op1(v, OP_Return, w->reg_ret);
  }
  for (int k = w->n_level - 1; k >= 0; k--) {
    WLevel *lv = &w->lv[k];
    vdbe_resolve_label(v, lv->cont);
    int a_np = -1;
    if (lv->left_join) a_np = vdbe_add_op1(v, OP_If, lv->reg_nullpass); /* the NULL row: no Next */
    if (lv->next_op) vdbe_add_op2(v, lv->next_op, lv->next_cursor, lv->top);
    vdbe_resolve_label(v, lv->brk);
    for (int i = lv->n_in - 1; i >= 0; i--) vdbe_add_op2(v, lv->desc ? OP_Prev : OP_Next, lv->in_cur[i], lv->in_top[i]);
    if (lv->n_in) vdbe_resolve_label(v, lv->in_exit);
    if (lv->left_join) {
      int a = vdbe_add_op1(v, OP_IfPos, lv->reg_match);
      if (!(lv->plan == PLAN_INDEX && lv->covering && lv->idx_cursor != lv->cursor))
        vdbe_add_op1(v, OP_NullRow, lv->cursor);
      if (lv->plan == PLAN_INDEX && lv->idx_cursor != lv->cursor) vdbe_add_op1(v, OP_NullRow, lv->idx_cursor);
      vdbe_add_op2(v, OP_Integer, 1, lv->reg_nullpass);
      vdbe_add_op2(v, OP_Goto, 0, lv->addr_first);
      vdbe_jump_here(v, a);
    }
    if (a_np >= 0) vdbe_jump_here(v, a_np);
  }
  if (w->right >= 0) {
    /* rows of the right table that matched nothing: left side NULL */
    WLevel *rl = &w->lv[w->n_level - 1];
    int done = vdbe_make_label(v), next = vdbe_make_label(v);
    int r = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Rewind, rl->cursor, done);
    int top = vdbe_current_addr(v);
    vdbe_add_op2(v, OP_Rowid, rl->cursor, r);
    vdbe_add_op4_int(v, OP_Found, w->match_cur, next, r, 1);
    for (int k = 0; k < w->n_level - 1; k++) {
      WLevel *lv = &w->lv[k];
      if (!(lv->plan == PLAN_INDEX && lv->covering && lv->idx_cursor != lv->cursor))
        vdbe_add_op1(v, OP_NullRow, lv->cursor);
      if (lv->plan == PLAN_INDEX && lv->idx_cursor != lv->cursor) vdbe_add_op1(v, OP_NullRow, lv->idx_cursor);
    }
    for (int i = 0; i < w->n_term; i++)
      if (w->terms[i].is_where && !w->terms[i].virt)
        expr_code_jump_if_false(p, w->terms[i].e, next, SQLITE_JUMPIFNULL);
    vdbe_add_op2(v, OP_Gosub, w->reg_ret, w->body);
    vdbe_resolve_label(v, next);
    vdbe_add_op2(v, OP_Next, rl->cursor, top);
    vdbe_resolve_label(v, done);
  }
  vdbe_resolve_label(v, w->brk);
  wh_free(p, w);
}
