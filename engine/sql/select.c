/*
** select.c — SELECT: result rows to a destination, FROM subqueries / views /
** CTEs (materialized into ephemeral tables; WITH RECURSIVE with a queue),
** aggregates with and without GROUP BY (sorter-based grouping), DISTINCT,
** ORDER BY through the sorter, LIMIT/OFFSET, compound SELECTs, result
** column names.
*/
#include "select_int.h"

#define SD_DELETE_ 100 /* internal: delete matching rows from an index (EXCEPT) */
#define SD_QUEUE_ 101  /* internal: recursive CTE queue (+ optional distinct index) */

typedef struct Emit {
  SelectDest *dest;
  int n;               /* result columns */
  int distinct_cur;    /* -1: none */
  int sorter_cur;      /* -1: no sorter */
  ExprList *order_by;
  int n_ob;
  int reg_limit, reg_offset;
  int brk;             /* label: no more rows wanted */
  int queue_distinct;  /* SD_QUEUE_: distinct index cursor or -1 */
} Emit;

/* ------------------------------------------------------------- deliver -- */
static void deliver(Parse *p, Emit *em, int r, int n) {
  Vdbe *v = p->v;
  SelectDest *d = em->dest;
  switch ((int)d->kind) {
    case SD_OUTPUT:
      vdbe_add_op2(v, OP_ResultRow, r, n);
      break;
    case SD_MEM: {
      int m = d->n_reg < n ? d->n_reg : n;
      for (int i = 0; i < m; i++) vdbe_add_op2(v, OP_Copy, r + i, d->reg + i);
      vdbe_add_op2(v, OP_Goto, 0, em->brk);
      break;
    }
    case SD_EXISTS:
      vdbe_add_op2(v, OP_Integer, 1, d->reg);
      vdbe_add_op2(v, OP_Goto, 0, em->brk);
      break;
    case SD_SET: {
      int rec = parse_alloc_reg(p);
      if (d->affinity)
        vdbe_add_op4(v, OP_MakeRecord, r, n, rec, shale_strdup(d->affinity), P4_DYNAMIC);
      else
        vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
      vdbe_add_op4_int(v, OP_IdxInsert, d->cursor, rec, r, n);
      break;
    }
    case SD_TABLE: {
      int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
      vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
      vdbe_add_op2(v, OP_NewRowid, d->cursor, rid);
      vdbe_add_op3(v, OP_Insert, d->cursor, rec, rid);
      break;
    }
    case SD_DELETE_: {
      int a = vdbe_add_op4_int(v, OP_NotFound, d->cursor, 0, r, n);
      vdbe_add_op3(v, OP_IdxDelete, d->cursor, r, n);
      vdbe_jump_here(v, a);
      break;
    }
    case SD_QUEUE_: {
      int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
      int skip = -1;
      vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
      if (em->queue_distinct >= 0) {
        skip = vdbe_add_op4_int(v, OP_Found, em->queue_distinct, 0, r, n);
        vdbe_add_op4_int(v, OP_IdxInsert, em->queue_distinct, rec, r, n);
      }
      vdbe_add_op2(v, OP_NewRowid, d->cursor, rid);
      vdbe_add_op3(v, OP_Insert, d->cursor, rec, rid);
      if (skip >= 0) vdbe_jump_here(v, skip);
      break;
    }
    case SD_COROUTINE: {
      for (int i = 0; i < n && i < d->n_reg; i++) vdbe_add_op2(v, OP_Copy, r + i, d->reg + 1 + i);
      vdbe_add_op1(v, OP_Yield, d->reg);
      break;
    }
    case SD_DISCARD:
    default:
      break;
  }
}

static void emit_row(Parse *p, Emit *em, int r, int cont) {
  Vdbe *v = p->v;
  int n = em->n;
  if (em->distinct_cur >= 0) {
    vdbe_add_op4_int(v, OP_Found, em->distinct_cur, cont, r, n);
    int rec = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
    vdbe_add_op4_int(v, OP_IdxInsert, em->distinct_cur, rec, r, n);
  }
  if (em->sorter_cur >= 0) {
    int nk = em->n_ob + 1;
    int base = parse_alloc_regs(p, nk + n);
    vdbe_add_op2(v, OP_Sequence, em->sorter_cur, base + em->n_ob);
    for (int i = 0; i < em->n_ob; i++) {
      ExprListItem *it = &em->order_by->a[i];
      if (it->res_order_by_col > 0)
        vdbe_add_op2(v, OP_SCopy, r + it->res_order_by_col - 1, base + i);
      else
        expr_code(p, it->expr, base + i);
    }
    for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_SCopy, r + i, base + nk + i);
    int rec = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, base, nk + n, rec);
    vdbe_add_op2(v, OP_SorterInsert, em->sorter_cur, rec);
    return;
  }
  if (em->reg_offset) vdbe_add_op3(v, OP_IfPos, em->reg_offset, cont, 1);
  deliver(p, em, r, n);
  if (em->reg_limit) vdbe_add_op2(v, OP_DecrJumpZero, em->reg_limit, em->brk);
}

/* After all rows went into the sorter: read them back in order. */
static void emit_sorted(Parse *p, Emit *em) {
  Vdbe *v = p->v;
  if (em->sorter_cur < 0) return;
  int nk = em->n_ob + 1, n = em->n;
  int pseudo = parse_alloc_cursor(p);
  int rec = parse_alloc_reg(p);
  int r = parse_alloc_regs(p, n);
  int done = vdbe_make_label(v);
  int next = vdbe_make_label(v);
  vdbe_add_op3(v, OP_OpenPseudo, pseudo, rec, nk + n);
  if (p->explain == 2) select_explain(p, "USE TEMP B-TREE FOR ORDER BY");
  vdbe_add_op2(v, OP_SorterSort, em->sorter_cur, done);
  int top = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_SorterData, em->sorter_cur, rec, pseudo);
  if (em->reg_offset) vdbe_add_op3(v, OP_IfPos, em->reg_offset, next, 1);
  for (int i = 0; i < n; i++) vdbe_add_op3(v, OP_Column, pseudo, nk + i, r + i);
  deliver(p, em, r, n);
  if (em->reg_limit) vdbe_add_op2(v, OP_DecrJumpZero, em->reg_limit, done);
  vdbe_resolve_label(v, next);
  vdbe_add_op2(v, OP_SorterNext, em->sorter_cur, top);
  vdbe_resolve_label(v, done);
}

/* LIMIT / OFFSET registers; jumps to brk when LIMIT is 0. */
static void compute_limit(Parse *p, Select *s, Emit *em) {
  Vdbe *v = p->v;
  if (s->limit) {
    em->reg_limit = parse_alloc_reg(p);
    expr_code(p, s->limit, em->reg_limit);
    vdbe_add_op2(v, OP_MustBeInt, em->reg_limit, 0);
    vdbe_add_op2(v, OP_IfNot, em->reg_limit, em->brk);
    if (s->offset) {
      em->reg_offset = parse_alloc_reg(p);
      expr_code(p, s->offset, em->reg_offset);
      vdbe_add_op2(v, OP_MustBeInt, em->reg_offset, 0);
    }
  }
  if (em->dest->kind == SD_MEM || em->dest->kind == SD_EXISTS) {
    /* first row only: handled by deliver() jumping to brk */
  }
}

/* Key info for a sorter: the list's columns, then a sequence number that
** keeps equal keys in insertion order, then n_extra data columns. */
static KeyInfo *sorter_keyinfo(Parse *p, ExprList *l, int n_extra, int with_sort) {
  KeyInfo *k0 = expr_keyinfo_for_list(p, l, 0, with_sort);
  int n = l ? l->n : 0;
  KeyInfo *k = keyinfo_alloc(n + 1, n_extra);
  if (!k || !k0) {
    if (k0) keyinfo_unref(k0);
    return k;
  }
  k->enc = k0->enc;
  for (int i = 0; i < n; i++) {
    if (k->coll && k0->coll) k->coll[i] = k0->coll[i];
    if (k->sort_flags && k0->sort_flags) k->sort_flags[i] = k0->sort_flags[i];
  }
  keyinfo_unref(k0);
  return k;
}

static void setup_order_by(Parse *p, Emit *em, ExprList *ob, int n_res) {
  em->order_by = ob;
  em->n_ob = ob ? ob->n : 0;
  em->sorter_cur = -1;
  if (!ob || ob->n == 0) return;
  em->sorter_cur = parse_alloc_cursor(p);
  KeyInfo *k = sorter_keyinfo(p, ob, n_res, 1);
  vdbe_add_op4(p->v, OP_SorterOpen, em->sorter_cur, ob->n + 1 + n_res, 0, k, P4_KEYINFO);
}

static void setup_distinct(Parse *p, Emit *em, ExprList *result) {
  em->distinct_cur = parse_alloc_cursor(p);
  KeyInfo *k = expr_keyinfo_for_list(p, result, 0, 0);
  vdbe_add_op4(p->v, OP_OpenEphemeral, em->distinct_cur, 0, 0, k, P4_KEYINFO);
}

/* ------------------------------------------------------------- FROM items -- */
static void code_recursive_cte(Parse *p, SrcItem *it);

static void materialize_from(Parse *p, Select *s) {
  Vdbe *v = p->v;
  SrcList *src = s->from;
  if (!src) return;
  for (int i = 0; i < src->n && !p->rc; i++) {
    SrcItem *it = &src->a[i];
    Table *t = (Table *)it->res_ptr;
    if (!it->subquery || !t) continue;
    if (t->is_virtual == 3) {
      continue; /* recursive reference: pseudo cursor opened by the CTE code */
    }
    if (t->is_virtual == 2) {
      code_recursive_cte(p, it);
      continue;
    }
    int once = -1;
    if (!expr_subquery_is_correlated(it->subquery)) once = vdbe_add_op0(v, OP_Once);
    vdbe_add_op2(v, OP_OpenEphemeral, it->res_cursor, t->n_col);
    int save_parent = p->eqp_parent;
    if (p->explain == 2) {
      int id = vdbe_current_addr(v);
      if (it->alias)
        select_explain(p, "MATERIALIZE %s", it->alias);
      else
        select_explain(p, "MATERIALIZE (subquery-%d)", it->res_cursor);
      p->eqp_parent = id;
    }
    SelectDest d;
    memset(&d, 0, sizeof(d));
    d.kind = SD_TABLE;
    d.cursor = it->res_cursor;
    select_code(p, it->subquery, &d, NULL);
    p->eqp_parent = save_parent;
    if (once >= 0) vdbe_jump_here(v, once);
  }
}

/* ------------------------------------------------------------ aggregates -- */
typedef struct AggFunc {
  Expr *e;
  const FuncDef *f;
  int reg_acc;
  int n_arg;
  int distinct_cur;   /* -1 */
  int sorter_col;     /* first sorter column of its arguments (GROUP BY) */
  int filter_col;     /* sorter column of the FILTER value, -1 */
} AggFunc;

typedef struct AggCol {
  Expr *e;            /* one representative node */
  int cursor, column;
  Table *tab;
  int reg;
  int sorter_col;
} AggCol;

typedef struct AggInfo {
  AggFunc *funcs;
  int n_func, alloc_func;
  AggCol *cols;
  int n_col, alloc_col;
  u64 cursors_mask;   /* unused */
  SrcList *src;
} AggInfo;

static int src_has_cursor(SrcList *src, int cur) {
  if (!src) return 0;
  for (int i = 0; i < src->n; i++)
    if (src->a[i].res_cursor == cur) return 1;
  return 0;
}

static void agg_collect_funcs(Parse *p, AggInfo *ai, Expr *e) {
  if (!e || p->rc) return;
  if (e->op == EX_FUNCTION && expr_is_agg_func(p, e)) {
    if (ai->n_func >= ai->alloc_func) {
      int na = ai->alloc_func ? ai->alloc_func * 2 : 8;
      AggFunc *nf = sqlite3_realloc64(ai->funcs, sizeof(AggFunc) * (u64)na);
      if (!nf) {
        p->rc = SQLITE_NOMEM;
        return;
      }
      ai->funcs = nf;
      ai->alloc_func = na;
    }
    AggFunc *af = &ai->funcs[ai->n_func++];
    memset(af, 0, sizeof(*af));
    af->e = e;
    af->f = (const FuncDef *)e->res_ptr;
    af->n_arg = e->list ? e->list->n : 0;
    af->distinct_cur = -1;
    af->filter_col = -1;
    return; /* nested aggregates are errors caught by the resolver */
  }
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS) return;
  if (e->op == EX_IN_SELECT) {
    agg_collect_funcs(p, ai, e->left);
    return;
  }
  agg_collect_funcs(p, ai, e->left);
  agg_collect_funcs(p, ai, e->right);
  agg_collect_funcs(p, ai, e->extra);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) agg_collect_funcs(p, ai, e->list->a[i].expr);
}

static void agg_collect_cols_select(Parse *p, AggInfo *ai, Select *s);
static void agg_collect_cols(Parse *p, AggInfo *ai, Expr *e) {
  if (!e || p->rc) return;
  if (e->op == EX_COLUMN && src_has_cursor(ai->src, e->res_cursor)) {
    for (int i = 0; i < ai->n_col; i++)
      if (ai->cols[i].cursor == e->res_cursor && ai->cols[i].column == e->res_column) return;
    if (ai->n_col >= ai->alloc_col) {
      int na = ai->alloc_col ? ai->alloc_col * 2 : 8;
      AggCol *nc = sqlite3_realloc64(ai->cols, sizeof(AggCol) * (u64)na);
      if (!nc) {
        p->rc = SQLITE_NOMEM;
        return;
      }
      ai->cols = nc;
      ai->alloc_col = na;
    }
    AggCol *c = &ai->cols[ai->n_col++];
    memset(c, 0, sizeof(*c));
    c->e = e;
    c->cursor = e->res_cursor;
    c->column = e->res_column;
    c->tab = (Table *)e->res_ptr;
    return;
  }
  if (e->op == EX_AGG_COLUMN) return;
  if (e->select) agg_collect_cols_select(p, ai, e->select);
  agg_collect_cols(p, ai, e->left);
  agg_collect_cols(p, ai, e->right);
  agg_collect_cols(p, ai, e->extra);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) agg_collect_cols(p, ai, e->list->a[i].expr);
}
static void agg_collect_cols_list(Parse *p, AggInfo *ai, ExprList *l) {
  if (l)
    for (int i = 0; i < l->n; i++) agg_collect_cols(p, ai, l->a[i].expr);
}
static void agg_collect_cols_select(Parse *p, AggInfo *ai, Select *s) {
  for (; s; s = s->prior) {
    agg_collect_cols_list(p, ai, s->result);
    agg_collect_cols(p, ai, s->where);
    agg_collect_cols_list(p, ai, s->group_by);
    agg_collect_cols(p, ai, s->having);
    agg_collect_cols_list(p, ai, s->order_by);
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        agg_collect_cols(p, ai, s->from->a[i].on);
        if (s->from->a[i].subquery) agg_collect_cols_select(p, ai, s->from->a[i].subquery);
      }
  }
}

/* Rewrite column references (outside aggregates, also inside subqueries)
** into register references. */
static void agg_rewrite_select(AggInfo *ai, Select *s);
static void agg_rewrite(AggInfo *ai, Expr *e) {
  if (!e) return;
  if (e->op == EX_COLUMN && src_has_cursor(ai->src, e->res_cursor)) {
    for (int i = 0; i < ai->n_col; i++)
      if (ai->cols[i].cursor == e->res_cursor && ai->cols[i].column == e->res_column) {
        e->op = EX_AGG_COLUMN;
        e->res_agg = ai->cols[i].reg;
        return;
      }
    return;
  }
  if (e->op == EX_AGG_COLUMN) return;
  if (e->select) agg_rewrite_select(ai, e->select);
  agg_rewrite(ai, e->left);
  agg_rewrite(ai, e->right);
  agg_rewrite(ai, e->extra);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) agg_rewrite(ai, e->list->a[i].expr);
}
static void agg_rewrite_list(AggInfo *ai, ExprList *l) {
  if (l)
    for (int i = 0; i < l->n; i++) agg_rewrite(ai, l->a[i].expr);
}
static void agg_rewrite_select(AggInfo *ai, Select *s) {
  for (; s; s = s->prior) {
    agg_rewrite_list(ai, s->result);
    agg_rewrite(ai, s->where);
    agg_rewrite_list(ai, s->group_by);
    agg_rewrite(ai, s->having);
    agg_rewrite_list(ai, s->order_by);
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        agg_rewrite(ai, s->from->a[i].on);
        if (s->from->a[i].subquery) agg_rewrite_select(ai, s->from->a[i].subquery);
      }
  }
}

static void agg_free(AggInfo *ai) {
  sqlite3_free(ai->funcs);
  sqlite3_free(ai->cols);
}

/* AggStep for every aggregate.  args_from_sorter: read arguments from the
** pseudo cursor (GROUP BY), else evaluate them. reg_hit: min/max flag. */
static int agg_update(Parse *p, AggInfo *ai, int pseudo, int *reg_hit_io) {
  Vdbe *v = p->v;
  int reg_hit = 0;
  for (int i = 0; i < ai->n_func; i++) {
    AggFunc *af = &ai->funcs[i];
    int skip = vdbe_make_label(v);
    int n = af->n_arg;
    if (af->e->extra) {
      if (pseudo >= 0) {
        int r = parse_alloc_reg(p);
        vdbe_add_op3(v, OP_Column, pseudo, af->filter_col, r);
        vdbe_add_op3(v, OP_IfNot, r, skip, 1);
      } else {
        expr_code_jump_if_false(p, af->e->extra, skip, SQLITE_JUMPIFNULL);
      }
    }
    int r = n ? parse_alloc_regs(p, n) : 0;
    for (int k = 0; k < n; k++) {
      if (pseudo >= 0)
        vdbe_add_op3(v, OP_Column, pseudo, af->sorter_col + k, r + k);
      else
        expr_code(p, af->e->list->a[k].expr, r + k);
    }
    if (af->distinct_cur >= 0 && n >= 1) {
      vdbe_add_op4_int(v, OP_Found, af->distinct_cur, skip, r, n);
      int rec = parse_alloc_reg(p);
      vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
      vdbe_add_op4_int(v, OP_IdxInsert, af->distinct_cur, rec, r, n);
    }
    if (af->f->flags & FUNC_NEEDCOLL) {
      const char *cn = NULL;
      for (int k = 0; k < n && !cn; k++) cn = expr_collation_name(p, af->e->list->a[k].expr);
      if (!reg_hit) reg_hit = parse_alloc_reg(p);
      vdbe_add_op4(v, OP_CollSeq, reg_hit, 0, 0, coll_find(p->db, cn ? cn : "BINARY"), P4_COLLSEQ);
    }
    vdbe_add_op4(v, OP_AggStep, 0, r, af->reg_acc, (void *)af->f, P4_FUNCDEF);
    vdbe_change_p5(v, (u16)n);
    vdbe_resolve_label(v, skip);
  }
  *reg_hit_io = reg_hit;
  return reg_hit;
}

static void agg_final(Parse *p, AggInfo *ai) {
  for (int i = 0; i < ai->n_func; i++) {
    AggFunc *af = &ai->funcs[i];
    vdbe_add_op4(p->v, OP_AggFinal, af->reg_acc, af->n_arg, 0, (void *)af->f, P4_FUNCDEF);
  }
}

/* Replace aggregate nodes by their accumulator registers. */
static void agg_funcs_to_regs(AggInfo *ai) {
  for (int i = 0; i < ai->n_func; i++) {
    Expr *e = ai->funcs[i].e;
    e->op = EX_AGG_COLUMN;
    e->res_agg = ai->funcs[i].reg_acc;
    e->res_affinity = 0;
    e->res_ptr = NULL;
  }
}

static void code_aggregate(Parse *p, Select *s, Emit *em, int brk) {
  Vdbe *v = p->v;
  AggInfo ai;
  memset(&ai, 0, sizeof(ai));
  ai.src = s->from;
  int n_res = s->result->n;
  /* aggregates in result, HAVING, ORDER BY */
  for (int i = 0; i < n_res; i++) agg_collect_funcs(p, &ai, s->result->a[i].expr);
  agg_collect_funcs(p, &ai, s->having);
  if (s->order_by)
    for (int i = 0; i < s->order_by->n; i++) agg_collect_funcs(p, &ai, s->order_by->a[i].expr);
  if (p->rc) {
    agg_free(&ai);
    return;
  }
  /* temporarily hide aggregate nodes so column collection skips their args */
  for (int i = 0; i < ai.n_func; i++) ai.funcs[i].e->op = EX_AGG_COLUMN;
  agg_collect_cols_list(p, &ai, s->result);
  agg_collect_cols(p, &ai, s->having);
  agg_collect_cols_list(p, &ai, s->order_by);
  ExprList *gb = s->group_by;
  if (gb) agg_collect_cols_list(p, &ai, gb);
  for (int i = 0; i < ai.n_func; i++) ai.funcs[i].e->op = EX_FUNCTION;
  if (p->rc) {
    agg_free(&ai);
    return;
  }
  for (int i = 0; i < ai.n_func; i++) {
    AggFunc *af = &ai.funcs[i];
    af->reg_acc = parse_alloc_reg(p);
    if ((af->e->flags & EXPR_F_DISTINCT) && af->n_arg == 1) {
      af->distinct_cur = parse_alloc_cursor(p);
      KeyInfo *k = expr_keyinfo_for_list(p, af->e->list, 0, 0);
      vdbe_add_op4(v, OP_OpenEphemeral, af->distinct_cur, 0, 0, k, P4_KEYINFO);
    }
  }
  for (int i = 0; i < ai.n_col; i++) ai.cols[i].reg = parse_alloc_reg(p);
  int first_acc = ai.n_func ? ai.funcs[0].reg_acc : 0;
  int last_acc = ai.n_func ? ai.funcs[ai.n_func - 1].reg_acc : 0;

  if (!gb) {
    /* one group */
    int reg_use = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, reg_use);
    if (ai.n_func) vdbe_add_op3(v, OP_Null, 0, first_acc, last_acc);
    for (int i = 0; i < ai.n_col; i++) vdbe_add_op2(v, OP_Null, 0, ai.cols[i].reg);
    WhereInfo *w = where_begin_sel(p, s, s->from, s->where, NULL, 0);
    if (!w || p->rc) {
      agg_free(&ai);
      return;
    }
    int reg_hit = 0;
    agg_update(p, &ai, -1, &reg_hit);
    if (!reg_hit) reg_hit = reg_use;
    int a = vdbe_add_op1(v, OP_If, reg_hit);
    for (int i = 0; i < ai.n_col; i++) expr_code(p, ai.cols[i].e, ai.cols[i].reg);
    vdbe_jump_here(v, a);
    vdbe_add_op2(v, OP_Integer, 1, reg_use);
    where_end(w);
    agg_final(p, &ai);
    agg_funcs_to_regs(&ai);
    agg_rewrite_list(&ai, s->result);
    agg_rewrite(&ai, s->having);
    agg_rewrite_list(&ai, s->order_by);
    int cont = vdbe_make_label(v);
    if (s->having) expr_code_jump_if_false(p, s->having, cont, SQLITE_JUMPIFNULL);
    int r = parse_alloc_regs(p, n_res);
    expr_code_list(p, s->result, r);
    emit_row(p, em, r, cont);
    vdbe_resolve_label(v, cont);
    SHALE_UNUSED(brk);
    agg_free(&ai);
    return;
  }

  /* GROUP BY through a sorter: [group keys][agg args][filters][columns] */
  int n_gb = gb->n;
  int n_sc = n_gb + 1; /* + sequence */
  for (int i = 0; i < ai.n_func; i++) {
    ai.funcs[i].sorter_col = n_sc;
    n_sc += ai.funcs[i].n_arg;
    if (ai.funcs[i].e->extra) ai.funcs[i].filter_col = n_sc++;
  }
  for (int i = 0; i < ai.n_col; i++) ai.cols[i].sorter_col = n_sc++;
  int sorter = parse_alloc_cursor(p);
  KeyInfo *k = sorter_keyinfo(p, gb, n_sc - n_gb - 1, 0);
  vdbe_add_op4(v, OP_SorterOpen, sorter, n_sc, 0, k, P4_KEYINFO);
  WhereInfo *w = where_begin_sel(p, s, s->from, s->where, NULL, 0);
  if (!w || p->rc) {
    agg_free(&ai);
    return;
  }
  int base = parse_alloc_regs(p, n_sc);
  for (int i = 0; i < n_gb; i++) expr_code(p, gb->a[i].expr, base + i);
  vdbe_add_op2(v, OP_Sequence, sorter, base + n_gb);
  for (int i = 0; i < ai.n_func; i++) {
    AggFunc *af = &ai.funcs[i];
    for (int j = 0; j < af->n_arg; j++) expr_code(p, af->e->list->a[j].expr, base + af->sorter_col + j);
    if (af->e->extra) expr_code(p, af->e->extra, base + af->filter_col);
  }
  for (int i = 0; i < ai.n_col; i++) expr_code(p, ai.cols[i].e, base + ai.cols[i].sorter_col);
  int rec = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_MakeRecord, base, n_sc, rec);
  vdbe_add_op2(v, OP_SorterInsert, sorter, rec);
  where_end(w);
  if (p->explain == 2) select_explain(p, "USE TEMP B-TREE FOR GROUP BY");

  int pseudo = parse_alloc_cursor(p);
  int reg_srec = parse_alloc_reg(p);
  int reg_prev = parse_alloc_regs(p, n_gb);
  int reg_new = parse_alloc_regs(p, n_gb);
  int reg_has = parse_alloc_reg(p);
  int reg_use = parse_alloc_reg(p);
  int reg_ret = parse_alloc_reg(p);
  int l_output = vdbe_make_label(v);
  int l_end = vdbe_make_label(v);
  vdbe_add_op3(v, OP_OpenPseudo, pseudo, reg_srec, n_sc);
  vdbe_add_op2(v, OP_Integer, 0, reg_has);
  vdbe_add_op3(v, OP_Null, 0, reg_prev, reg_prev + n_gb - 1);
  vdbe_add_op2(v, OP_SorterSort, sorter, l_end);
  int top = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_SorterData, sorter, reg_srec, pseudo);
  for (int i = 0; i < n_gb; i++) vdbe_add_op3(v, OP_Column, pseudo, i, reg_new + i);
  KeyInfo *k2 = expr_keyinfo_for_list(p, gb, 0, 0);
  vdbe_add_op4(v, OP_Compare, reg_prev, reg_new, n_gb, k2, P4_KEYINFO);
  int l_same = vdbe_make_label(v);
  int a_jump = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_Jump, a_jump + 1, l_same, a_jump + 1);
  int l_change = a_jump + 1;
  /* a new group starts (the very first row also compares unequal: prev NULLs
  ** vs. NULL keys compare equal, so use reg_has) */
  int a = vdbe_add_op1(v, OP_IfNot, reg_has);
  vdbe_add_op2(v, OP_Gosub, reg_ret, l_output);
  vdbe_jump_here(v, a);
  int l_reset = vdbe_current_addr(v);
  SHALE_UNUSED(l_reset);
  for (int i = 0; i < n_gb; i++) vdbe_add_op2(v, OP_Copy, reg_new + i, reg_prev + i);
  if (ai.n_func) vdbe_add_op3(v, OP_Null, 0, first_acc, last_acc);
  for (int i = 0; i < ai.n_func; i++) {
    AggFunc *af = &ai.funcs[i];
    if (af->distinct_cur >= 0) {
      KeyInfo *kd = expr_keyinfo_for_list(p, af->e->list, 0, 0);
      vdbe_add_op4(v, OP_OpenEphemeral, af->distinct_cur, 0, 0, kd, P4_KEYINFO);
    }
  }
  vdbe_add_op2(v, OP_Integer, 1, reg_has);
  vdbe_add_op2(v, OP_Integer, 0, reg_use);
  vdbe_resolve_label(v, l_same);
  /* the first row: group must start even if keys are NULL = NULL */
  int b = vdbe_add_op1(v, OP_If, reg_has);
  vdbe_add_op2(v, OP_Goto, 0, l_change); /* an address, not a label */
  vdbe_jump_here(v, b);
  int reg_hit = 0;
  agg_update(p, &ai, pseudo, &reg_hit);
  if (!reg_hit) reg_hit = reg_use;
  int c = vdbe_add_op1(v, OP_If, reg_hit);
  for (int i = 0; i < ai.n_col; i++) vdbe_add_op3(v, OP_Column, pseudo, ai.cols[i].sorter_col, ai.cols[i].reg);
  vdbe_jump_here(v, c);
  vdbe_add_op2(v, OP_Integer, 1, reg_use);
  vdbe_add_op2(v, OP_SorterNext, sorter, top);
  /* last group */
  int d = vdbe_add_op1(v, OP_IfNot, reg_has);
  vdbe_add_op2(v, OP_Gosub, reg_ret, l_output);
  vdbe_jump_here(v, d);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  /* output subroutine */
  vdbe_resolve_label(v, l_output);
  agg_final(p, &ai);
  agg_funcs_to_regs(&ai);
  agg_rewrite_list(&ai, s->result);
  agg_rewrite(&ai, s->having);
  agg_rewrite_list(&ai, s->order_by);
  int l_ret = vdbe_make_label(v);
  if (s->having) expr_code_jump_if_false(p, s->having, l_ret, SQLITE_JUMPIFNULL);
  int r = parse_alloc_regs(p, n_res);
  expr_code_list(p, s->result, r);
  emit_row(p, em, r, l_ret);
  vdbe_resolve_label(v, l_ret);
  vdbe_add_op1(v, OP_Return, reg_ret);
  vdbe_resolve_label(v, l_end);
  agg_free(&ai);
}

static int select_is_agg(Parse *p, Select *s) {
  if (s->group_by) return 1;
  AggInfo ai;
  memset(&ai, 0, sizeof(ai));
  for (int i = 0; s->result && i < s->result->n; i++) agg_collect_funcs(p, &ai, s->result->a[i].expr);
  agg_collect_funcs(p, &ai, s->having);
  int r = ai.n_func > 0;
  agg_free(&ai);
  return r;
}

/* ---------------------------------------------------------- simple SELECT -- */
/* Code one SELECT (no compound) producing rows into em (whose limit /
** order-by the caller set up, or which this function sets up when
** own_output is set). */
static void code_simple_core(Parse *p, Select *s, Emit *em) {
  Vdbe *v = p->v;
  materialize_from(p, s);
  if (p->rc) return;
  if (select_is_agg(p, s)) {
    code_aggregate(p, s, em, em->brk);
    return;
  }
  WhereInfo *w = where_begin_sel(p, s, s->from, s->where, em->sorter_cur >= 0 ? em->order_by : NULL, 0);
  if (!w || p->rc) return;
  if (em->sorter_cur >= 0 && where_order_satisfied(w) && em->distinct_cur < 0) {
    /* the loop delivers rows in ORDER BY order: no sorter needed */
    VdbeOp *op = NULL;
    SHALE_UNUSED(op);
    em->sorter_cur = -2; /* mark: opened but unused */
  }
  int n = s->result ? s->result->n : 0;
  int r = parse_alloc_regs(p, n);
  expr_code_list(p, s->result, r);
  if (em->sorter_cur == -2) {
    int save = em->sorter_cur;
    em->sorter_cur = -1;
    emit_row(p, em, r, where_continue_label(w));
    em->sorter_cur = save;
  } else {
    emit_row(p, em, r, where_continue_label(w));
  }
  where_end(w);
  SHALE_UNUSED(v);
}

static void code_simple(Parse *p, Select *s, SelectDest *dest) {
  Vdbe *v = p->v;
  Emit em;
  memset(&em, 0, sizeof(em));
  em.dest = dest;
  em.n = s->result ? s->result->n : 0;
  em.distinct_cur = -1;
  em.sorter_cur = -1;
  em.queue_distinct = -1;
  em.brk = vdbe_make_label(v);
  compute_limit(p, s, &em);
  int sorter_addr = vdbe_current_addr(v);
  int is_agg = select_is_agg(p, s);
  ExprList *ob = s->order_by;
  if (dest->kind == SD_EXISTS) ob = NULL;
  setup_order_by(p, &em, ob, em.n);
  if ((s->flags & SELECT_F_DISTINCT) && !(is_agg && !s->group_by)) setup_distinct(p, &em, s->result);
  if (!s->from || s->from->n == 0) {
    if (p->explain == 2 && !is_agg) select_explain(p, "SCAN CONSTANT ROW");
  }
  code_simple_core(p, s, &em);
  if (em.distinct_cur >= 0 && p->explain == 2) select_explain(p, "USE TEMP B-TREE FOR DISTINCT");
  if (em.sorter_cur == -2) {
    /* sorter not needed after all */
    vdbe_change_to_noop(v, sorter_addr);
    em.sorter_cur = -1;
  }
  emit_sorted(p, &em);
  vdbe_resolve_label(v, em.brk);
}

/* -------------------------------------------------------------- compound -- */
static KeyInfo *compound_keyinfo(Parse *p, Select **arms, int na, int n) {
  KeyInfo *k = keyinfo_alloc(n, 0);
  if (!k) return NULL;
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < n; i++) {
    const char *cn = NULL;
    for (int a = na - 1; a >= 0 && !cn; a--)
      if (arms[a]->result && i < arms[a]->result->n) cn = expr_collation_name(p, arms[a]->result->a[i].expr);
    if (k->coll) k->coll[i] = (cn && shale_stricmp(cn, "BINARY")) ? coll_find(p->db, cn) : NULL;
  }
  return k;
}

static void code_arm_into(Parse *p, Select *arm, SelectDest *d, int n) {
  Vdbe *v = p->v;
  Emit em;
  memset(&em, 0, sizeof(em));
  em.dest = d;
  em.n = n;
  em.distinct_cur = -1;
  em.sorter_cur = -1;
  em.queue_distinct = -1;
  em.brk = vdbe_make_label(v);
  int is_agg = select_is_agg(p, arm);
  if ((arm->flags & SELECT_F_DISTINCT) && !(is_agg && !arm->group_by)) setup_distinct(p, &em, arm->result);
  if ((!arm->from || arm->from->n == 0) && p->explain == 2 && !is_agg) select_explain(p, "SCAN CONSTANT ROW");
  code_simple_core(p, arm, &em);
  vdbe_resolve_label(v, em.brk);
}

static int arm_op(const Select *a) {
  if (a->flags & SELECT_F_VALUES) return CO_UNION_ALL;
  return a->op;
}

static void copy_set(Parse *p, int from_cur, int to_cur, int n, int to_is_index) {
  Vdbe *v = p->v;
  int r = parse_alloc_regs(p, n);
  int rec = parse_alloc_reg(p);
  int a = vdbe_add_op2(v, OP_Rewind, from_cur, 0);
  int top = vdbe_current_addr(v);
  for (int i = 0; i < n; i++) vdbe_add_op3(v, OP_Column, from_cur, i, r + i);
  vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
  if (to_is_index) {
    vdbe_add_op4_int(v, OP_IdxInsert, to_cur, rec, r, n);
  } else {
    int rid = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_NewRowid, to_cur, rid);
    vdbe_add_op3(v, OP_Insert, to_cur, rec, rid);
  }
  vdbe_add_op2(v, OP_Next, from_cur, top);
  vdbe_jump_here(v, a);
}

static void code_compound(Parse *p, Select *last, SelectDest *dest) {
  Vdbe *v = p->v;
  Select *arms[512];
  int na = 0;
  for (Select *a = last; a && na < 512; a = a->prior) arms[na++] = a;
  /* arms[na-1] is the first */
  Select *first = arms[na - 1];
  int n = first->result ? first->result->n : 0;
  Emit em;
  memset(&em, 0, sizeof(em));
  em.dest = dest;
  em.n = n;
  em.distinct_cur = -1;
  em.sorter_cur = -1;
  em.queue_distinct = -1;
  em.brk = vdbe_make_label(v);
  compute_limit(p, last, &em);
  ExprList *ob = dest->kind == SD_EXISTS ? NULL : last->order_by;
  int all_union_all = 1;
  for (int i = 0; i < na - 1; i++)
    if (arm_op(arms[i]) != CO_UNION_ALL) all_union_all = 0;
  int save_parent = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "COMPOUND QUERY");
    p->eqp_parent = id;
  }
  if (ob) {
    setup_order_by(p, &em, ob, n);
  }
  if (all_union_all) {
    for (int i = na - 1; i >= 0 && !p->rc; i--) {
      if (p->explain == 2) {
        int id0 = vdbe_current_addr(v);
        select_explain(p, i == na - 1 ? "LEFT-MOST SUBQUERY" : "UNION ALL");
        int sp = p->eqp_parent;
        p->eqp_parent = id0;
        Emit arm_em = em;
        arm_em.distinct_cur = -1;
        if ((arms[i]->flags & SELECT_F_DISTINCT)) setup_distinct(p, &arm_em, arms[i]->result);
        code_simple_core(p, arms[i], &arm_em);
        p->eqp_parent = sp;
        continue;
      }
      Emit arm_em = em;
      arm_em.distinct_cur = -1;
      if (arms[i]->flags & SELECT_F_DISTINCT) {
        int is_agg = select_is_agg(p, arms[i]);
        if (!(is_agg && !arms[i]->group_by)) setup_distinct(p, &arm_em, arms[i]->result);
      }
      code_simple_core(p, arms[i], &arm_em);
    }
    emit_sorted(p, &em);
    vdbe_resolve_label(v, em.brk);
    p->eqp_parent = save_parent;
    return;
  }
  /* general case: build the result set step by step */
  int cur = parse_alloc_cursor(p);
  int cur_is_index = 0;
  int op2 = arm_op(arms[na - 2]);
  if (op2 == CO_UNION_ALL) {
    vdbe_add_op2(v, OP_OpenEphemeral, cur, n);
  } else {
    cur_is_index = 1;
    vdbe_add_op4(v, OP_OpenEphemeral, cur, n, 0, compound_keyinfo(p, arms, na, n), P4_KEYINFO);
  }
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = cur_is_index ? SD_SET : SD_TABLE;
  d.cursor = cur;
  int sp0 = p->eqp_parent;
  if (p->explain == 2) {
    int id0 = vdbe_current_addr(v);
    select_explain(p, "LEFT-MOST SUBQUERY");
    p->eqp_parent = id0;
  }
  code_arm_into(p, first, &d, n);
  p->eqp_parent = sp0;
  for (int i = na - 2; i >= 0 && !p->rc; i--) {
    int op = arm_op(arms[i]);
    int sp1 = p->eqp_parent;
    if (p->explain == 2) {
      int id1 = vdbe_current_addr(v);
      select_explain(p, op == CO_UNION_ALL ? "UNION ALL" : op == CO_UNION ? "UNION USING TEMP B-TREE"
                        : op == CO_EXCEPT ? "EXCEPT USING TEMP B-TREE" : "INTERSECT USING TEMP B-TREE");
      p->eqp_parent = id1;
    }
    if (op == CO_UNION_ALL) {
      memset(&d, 0, sizeof(d));
      d.kind = cur_is_index ? SD_SET : SD_TABLE;
      if (cur_is_index) {
        /* duplicates must survive: move to a table */
        int nc = parse_alloc_cursor(p);
        vdbe_add_op2(v, OP_OpenEphemeral, nc, n);
        copy_set(p, cur, nc, n, 0);
        cur = nc;
        cur_is_index = 0;
        d.kind = SD_TABLE;
      }
      d.cursor = cur;
      code_arm_into(p, arms[i], &d, n);
      p->eqp_parent = sp1;
      continue;
    }
    if (!cur_is_index) {
      int nc = parse_alloc_cursor(p);
      vdbe_add_op4(v, OP_OpenEphemeral, nc, n, 0, compound_keyinfo(p, arms, na, n), P4_KEYINFO);
      copy_set(p, cur, nc, n, 1);
      cur = nc;
      cur_is_index = 1;
    }
    memset(&d, 0, sizeof(d));
    if (op == CO_UNION) {
      d.kind = SD_SET;
      d.cursor = cur;
      code_arm_into(p, arms[i], &d, n);
    } else if (op == CO_EXCEPT) {
      d.kind = SD_DELETE_;
      d.cursor = cur;
      code_arm_into(p, arms[i], &d, n);
    } else { /* INTERSECT */
      int tmp = parse_alloc_cursor(p);
      vdbe_add_op4(v, OP_OpenEphemeral, tmp, n, 0, compound_keyinfo(p, arms, na, n), P4_KEYINFO);
      d.kind = SD_SET;
      d.cursor = tmp;
      code_arm_into(p, arms[i], &d, n);
      int nc = parse_alloc_cursor(p);
      vdbe_add_op4(v, OP_OpenEphemeral, nc, n, 0, compound_keyinfo(p, arms, na, n), P4_KEYINFO);
      int r = parse_alloc_regs(p, n);
      int rec = parse_alloc_reg(p);
      int a = vdbe_add_op2(v, OP_Rewind, cur, 0);
      int top = vdbe_current_addr(v);
      for (int j = 0; j < n; j++) vdbe_add_op3(v, OP_Column, cur, j, r + j);
      int f = vdbe_add_op4_int(v, OP_NotFound, tmp, 0, r, n);
      vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
      vdbe_add_op4_int(v, OP_IdxInsert, nc, rec, r, n);
      vdbe_jump_here(v, f);
      vdbe_add_op2(v, OP_Next, cur, top);
      vdbe_jump_here(v, a);
      cur = nc;
    }
    p->eqp_parent = sp1;
  }
  /* output */
  int r = parse_alloc_regs(p, n);
  int a = vdbe_add_op2(v, OP_Rewind, cur, 0);
  int top = vdbe_current_addr(v);
  int cont = vdbe_make_label(v);
  for (int j = 0; j < n; j++) vdbe_add_op3(v, OP_Column, cur, j, r + j);
  emit_row(p, &em, r, cont);
  vdbe_resolve_label(v, cont);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, a);
  emit_sorted(p, &em);
  vdbe_resolve_label(v, em.brk);
  p->eqp_parent = save_parent;
}

/* ---------------------------------------------------------- WITH RECURSIVE -- */
static int select_has_recursive_ref(Select *s) {
  if (!s->from) return 0;
  for (int i = 0; i < s->from->n; i++) {
    Table *t = (Table *)s->from->a[i].res_ptr;
    if (t && t->is_virtual == 3) return 1;
  }
  return 0;
}

static void code_recursive_cte(Parse *p, SrcItem *it) {
  Vdbe *v = p->v;
  Table *t = (Table *)it->res_ptr;
  Select *last = it->subquery;
  int n = t->n_col;
  Select *arms[512];
  int na = 0;
  for (Select *a = last; a && na < 512; a = a->prior) arms[na++] = a;
  int once = -1;
  if (!expr_subquery_is_correlated(last)) once = vdbe_add_op0(v, OP_Once);
  int result = it->res_cursor;
  vdbe_add_op2(v, OP_OpenEphemeral, result, n);
  int queue = parse_alloc_cursor(p);
  vdbe_add_op2(v, OP_OpenEphemeral, queue, n);
  int distinct = -1;
  int is_union = 0;
  for (int i = 0; i < na - 1; i++)
    if (arm_op(arms[i]) == CO_UNION) is_union = 1;
  if (is_union) {
    distinct = parse_alloc_cursor(p);
    vdbe_add_op4(v, OP_OpenEphemeral, distinct, n, 0, compound_keyinfo(p, arms, na, n), P4_KEYINFO);
  }
  int reg_current = parse_alloc_reg(p);
  /* pseudo cursors of the self references */
  for (int i = 0; i < na; i++) {
    Select *a = arms[i];
    if (!a->from) continue;
    for (int k = 0; k < a->from->n; k++) {
      Table *ct = (Table *)a->from->a[k].res_ptr;
      if (ct && ct->is_virtual == 3) vdbe_add_op3(v, OP_OpenPseudo, a->from->a[k].res_cursor, reg_current, n);
    }
  }
  if (p->explain == 2) select_explain(p, "MATERIALIZE %s", t->name ? t->name : "cte");
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = (SelectDestKind)SD_QUEUE_;
  d.cursor = queue;
  /* LIMIT / OFFSET of the CTE body */
  Emit lim;
  memset(&lim, 0, sizeof(lim));
  lim.dest = &d;
  lim.brk = vdbe_make_label(v);
  compute_limit(p, last, &lim);
  for (int i = na - 1; i >= 0 && !p->rc; i--) {
    if (select_has_recursive_ref(arms[i])) continue;
    Emit em;
    memset(&em, 0, sizeof(em));
    em.dest = &d;
    em.n = n;
    em.distinct_cur = -1;
    em.sorter_cur = -1;
    em.queue_distinct = distinct;
    em.brk = vdbe_make_label(v);
    code_simple_core(p, arms[i], &em);
    vdbe_resolve_label(v, em.brk);
  }
  /* loop: take the first queued row */
  int l_done = lim.brk;
  int top = vdbe_current_addr(v);
  vdbe_add_op2(v, OP_Rewind, queue, l_done);
  vdbe_add_op2(v, OP_RowData, queue, reg_current);
  vdbe_add_op1(v, OP_Delete, queue);
  int l_skip = vdbe_make_label(v);
  if (lim.reg_offset) vdbe_add_op3(v, OP_IfPos, lim.reg_offset, l_skip, 1);
  {
    int rid = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_NewRowid, result, rid);
    vdbe_add_op3(v, OP_Insert, result, reg_current, rid);
  }
  if (lim.reg_limit) vdbe_add_op2(v, OP_DecrJumpZero, lim.reg_limit, l_done);
  vdbe_resolve_label(v, l_skip);
  for (int i = na - 1; i >= 0 && !p->rc; i--) {
    if (!select_has_recursive_ref(arms[i])) continue;
    Emit em;
    memset(&em, 0, sizeof(em));
    em.dest = &d;
    em.n = n;
    em.distinct_cur = -1;
    em.sorter_cur = -1;
    em.queue_distinct = distinct;
    em.brk = vdbe_make_label(v);
    code_simple_core(p, arms[i], &em);
    vdbe_resolve_label(v, em.brk);
  }
  vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_resolve_label(v, l_done);
  if (once >= 0) vdbe_jump_here(v, once);
}

/* ------------------------------------------------------------ entry points -- */
int select_code(Parse *p, Select *s, SelectDest *dest, NameContext *outer) {
  if (!s || p->rc) return p->rc;
  resolve_select(p, s, outer);
  if (p->rc) return p->rc;
  int pushed = 0;
  if (s->with && p->n_with < (int)SHALE_ARRAY_SIZE(p->with_stack)) {
    p->with_stack[p->n_with++] = s->with;
    pushed = 1;
  }
  int is_compound = s->prior != NULL;
  if (is_compound)
    code_compound(p, s, dest);
  else
    code_simple(p, s, dest);
  if (pushed) p->n_with--;
  return p->rc;
}

static int db_index_of_table(Parse *p, Table *t) {
  if (!t || t->db_index < 0 || t->db_index >= p->db->n_db) return -1;
  return t->db_index;
}

int codegen_select_stmt(Parse *p, Stmt *st) {
  Select *s = st->u.select;
  resolve_select(p, s, NULL);
  if (p->rc) {
    codegen_query_cleanup(p);
    return p->rc;
  }
  Select *first = s;
  while (first->prior) first = first->prior;
  int n = first->result ? first->result->n : 0;
  if (!st->explain) {
    vdbe_set_num_cols(p->v, n);
    for (int i = 0; i < n; i++) {
      ExprListItem *it = &first->result->a[i];
      char *name = resolve_column_name(p, it, 0);
      vdbe_set_col_name(p->v, i, 0, name ? name : "");
      sqlite3_free(name);
      const Expr *e = it->expr;
      const char *dt = resolve_expr_decltype(e);
      if (dt) vdbe_set_col_name(p->v, i, 1, dt);
      if (e && e->op == EX_COLUMN && e->res_ptr) {
        Table *t = (Table *)e->res_ptr;
        int idb = db_index_of_table(p, t);
        if (idb >= 0 && t->root) {
          vdbe_set_col_name(p->v, i, 2, p->db->dbs[idb].name);
          vdbe_set_col_name(p->v, i, 3, t->name);
          int c = e->res_column < 0 ? t->ipk : e->res_column;
          vdbe_set_col_name(p->v, i, 4, c >= 0 ? t->cols[c].name : "rowid");
        }
      }
    }
  }
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = SD_OUTPUT;
  select_code(p, s, &d, NULL);
  codegen_query_cleanup(p);
  return p->rc;
}
