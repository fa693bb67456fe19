/*
** select.c — SELECT: result rows to a destination, FROM subqueries / views /
** CTEs (materialized into ephemeral tables; WITH RECURSIVE with a queue),
** aggregates with and without GROUP BY (sorter-based grouping), DISTINCT,
** ORDER BY through the sorter, LIMIT/OFFSET, compound SELECTs, result
** column names.
*/
#include "select_int.h"
#include <math.h>

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
  int reg_cap;         /* ORDER BY + LIMIT: rows still to keep (sorter_cur is then an ephemeral index) */
  int reg_worst;       /* ORDER BY + LIMIT: n_ob registers, the sort key of the last kept row once full */
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
      /* a row equal to one already there (2 vs 2.0, 'a' vs 'A' under
      ** NOCASE) replaces it: the last one stays, as in SQLite */
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

static KeyInfo *sorter_keyinfo(Parse *p, ExprList *l, int n_extra, int with_sort);

/* ORDER BY ... LIMIT: an ordered ephemeral index keeps the best
** LIMIT+OFFSET rows (SQLite's top-N).  Once it is full, the sort key of its
** last row sits in reg_worst, so a row that does not make it costs its sort
** key and one OP_Compare (ties lose: the kept row came first); one that does
** replaces the last row and reloads reg_worst.  `lazy`: the result columns
** are not computed yet — only those an ORDER BY term reads are computed
** before the comparison, the rest only for rows that go in. */
static void emit_topn(Parse *p, Emit *em, int r, int cont, ExprList *lazy) {
  Vdbe *v = p->v;
  int n = em->n, nob = em->n_ob, nk = nob + 1;
  int base = parse_alloc_regs(p, nk + n);
  u8 done[256];
  memset(done, lazy ? 0 : 1, sizeof(done));
  if (lazy && n > (int)sizeof(done)) { /* too many to track: compute them all now */
    expr_code_list(p, lazy, r);
    lazy = NULL;
    memset(done, 1, sizeof(done));
  }
  for (int i = 0; i < nob; i++) {
    int k = em->order_by->a[i].res_order_by_col;
    if (lazy && k > 0 && !done[k - 1]) {
      expr_code(p, lazy->a[k - 1].expr, r + k - 1);
      done[k - 1] = 1;
    }
  }
  for (int i = 0; i < nob; i++) {
    ExprListItem *it = &em->order_by->a[i];
    if (it->res_order_by_col > 0)
      vdbe_add_op2(v, OP_SCopy, r + it->res_order_by_col - 1, base + i);
    else
      expr_code(p, it->expr, base + i);
  }
  int ins = vdbe_make_label(v), rep = vdbe_make_label(v);
  vdbe_add_op2(v, OP_IfNotZero, em->reg_cap, ins);
  vdbe_add_op4(v, OP_Compare, base, em->reg_worst, nob, sorter_keyinfo(p, em->order_by, 0, 1), P4_KEYINFO);
  vdbe_add_op3(v, OP_Jump, rep, cont, cont);
  vdbe_resolve_label(v, rep);
  vdbe_add_op2(v, OP_Last, em->sorter_cur, 0);
  vdbe_add_op1(v, OP_Delete, em->sorter_cur);
  vdbe_resolve_label(v, ins);
  vdbe_add_op2(v, OP_Sequence, em->sorter_cur, base + nob);
  for (int i = 0; i < n; i++) {
    if (lazy && !done[i]) expr_code(p, lazy->a[i].expr, r + i);
    vdbe_add_op2(v, OP_SCopy, r + i, base + nk + i);
  }
  int rec = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_MakeRecord, base, nk + n, rec);
  vdbe_add_op4_int(v, OP_IdxInsert, em->sorter_cur, rec, base, nk + n);
  /* still room (or no limit at all): the last row is not needed yet */
  vdbe_add_op2(v, OP_If, em->reg_cap, cont);
  vdbe_add_op2(v, OP_Last, em->sorter_cur, 0);
  for (int i = 0; i < nob; i++) vdbe_add_op3(v, OP_Column, em->sorter_cur, i, em->reg_worst + i);
}

/* One result row (in r, or still to compute from `lazy`) to the
** destination, through DISTINCT / the sorter / LIMIT as set up. */
static void emit_row_lazy(Parse *p, Emit *em, int r, int cont, ExprList *lazy) {
  Vdbe *v = p->v;
  int n = em->n;
  if (em->sorter_cur >= 0 && em->reg_cap && em->distinct_cur < 0) {
    emit_topn(p, em, r, cont, lazy);
    return;
  }
  if (lazy) expr_code_list(p, lazy, r);
  if (em->distinct_cur >= 0) {
    vdbe_add_op4_int(v, OP_Found, em->distinct_cur, cont, r, n);
    int rec = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, r, n, rec);
    vdbe_add_op4_int(v, OP_IdxInsert, em->distinct_cur, rec, r, n);
  }
  if (em->sorter_cur >= 0) {
    if (em->reg_cap) {
      emit_topn(p, em, r, cont, NULL);
      return;
    }
    /* [keys][result columns]: the sorter is stable, ties keep their order */
    int nk = em->n_ob;
    int base = parse_alloc_regs(p, nk + n);
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

static void emit_row(Parse *p, Emit *em, int r, int cont) { emit_row_lazy(p, em, r, cont, NULL); }

/* After all rows went into the sorter: read them back in order. */
static void emit_sorted(Parse *p, Emit *em) {
  Vdbe *v = p->v;
  if (em->sorter_cur < 0) return;
  int nk = em->reg_cap ? em->n_ob + 1 : em->n_ob, n = em->n; /* top-N rows have a sequence number */
  int pseudo = parse_alloc_cursor(p);
  int rec = parse_alloc_reg(p);
  int r = parse_alloc_regs(p, n);
  int done = vdbe_make_label(v);
  int next = vdbe_make_label(v);
  if (!em->reg_cap) vdbe_add_op3(v, OP_OpenPseudo, pseudo, rec, nk + n);
  if (p->explain == 2) select_explain(p, "USE TEMP B-TREE FOR ORDER BY");
  vdbe_add_op2(v, em->reg_cap ? OP_Sort : OP_SorterSort, em->sorter_cur, done);
  int top = vdbe_current_addr(v);
  if (!em->reg_cap) vdbe_add_op3(v, OP_SorterData, em->sorter_cur, rec, pseudo);
  if (em->reg_offset) vdbe_add_op3(v, OP_IfPos, em->reg_offset, next, 1);
  int src = em->reg_cap ? em->sorter_cur : pseudo;
  for (int i = 0; i < n; i++) vdbe_add_op3(v, OP_Column, src, nk + i, r + i);
  deliver(p, em, r, n);
  if (em->reg_limit) vdbe_add_op2(v, OP_DecrJumpZero, em->reg_limit, done);
  vdbe_resolve_label(v, next);
  vdbe_add_op2(v, em->reg_cap ? OP_Next : OP_SorterNext, em->sorter_cur, top);
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
  if (!em->reg_limit) {
    /* the sorter compares the ORDER BY terms only */
    KeyInfo *k = expr_keyinfo_for_list(p, ob, 0, 1);
    vdbe_add_op4(p->v, OP_SorterOpen, em->sorter_cur, ob->n + n_res, 0, k, P4_KEYINFO);
    return;
  }
  KeyInfo *k = sorter_keyinfo(p, ob, n_res, 1);
  /* with a LIMIT, an ordered ephemeral index holding the best LIMIT+OFFSET
  ** rows (top-N); a negative LIMIT keeps every row */
  vdbe_add_op4(p->v, OP_OpenEphemeral, em->sorter_cur, ob->n + 1 + n_res, 0, k, P4_KEYINFO);
  em->reg_cap = parse_alloc_reg(p);
  em->reg_worst = parse_alloc_regs(p, ob->n);
  if (em->reg_offset)
    vdbe_add_op3(p->v, OP_OffsetLimit, em->reg_limit, em->reg_cap, em->reg_offset);
  else
    vdbe_add_op2(p->v, OP_SCopy, em->reg_limit, em->reg_cap);
}

static void setup_distinct(Parse *p, Emit *em, ExprList *result) {
  em->distinct_cur = parse_alloc_cursor(p);
  KeyInfo *k = expr_keyinfo_for_list(p, result, 0, 0);
  vdbe_add_op4(p->v, OP_OpenEphemeral, em->distinct_cur, 0, 0, k, P4_KEYINFO);
}

/* ------------------------------------------------------------- FROM items -- */
/* The number EXPLAIN QUERY PLAN shows for a subquery: SQLite's select id
** (the parser's), else (a SELECT the code generator made) the next free one. */
int select_eqp_id(Parse *p, const Select *s) {
  if (s && s->sel_id) return s->sel_id;
  return ++p->eqp_id;
}
int select_src_eqp_id(const SrcItem *it) {
  return it->subquery && it->subquery->sel_id ? it->subquery->sel_id : it->res_cursor;
}

static void code_recursive_cte(Parse *p, SrcItem *it);

/* As SQLite: a FROM subquery that is the first item, alone or followed by a
** LEFT or CROSS join (so it is the outermost loop, scanned once), is run as
** a co-routine that yields its rows one at a time instead of being
** materialized.  (SQLite also does it before a RIGHT/FULL JOIN; our RIGHT
** JOIN code reads its left side again, so that stays materialized.) */
static int can_coroutine(Select *s, int i) {
  SrcList *src = s->from;
  if (i != 0) return 0;
  if (src->n > 1 && (src->a[1].join_type & (JT_RIGHT | JT_FULL))) return 0;
  if (src->n > 1 && !(src->a[1].join_type & (JT_LEFT | JT_CROSS))) return 0;
  return 1;
}

/* The co-routine's code, jumped over; where_code starts it (InitCoroutine)
** and takes each row with Yield; its columns are read from the registers
** after the yield register (coroutine_reads, once the loop is coded). */
static void code_coroutine(Parse *p, SrcItem *it, int n_col) {
  Vdbe *v = p->v;
  int reg = parse_alloc_regs(p, n_col + 1);
  int skip = vdbe_add_op0(v, OP_Goto);
  it->res_co_reg = reg;
  it->res_co_addr = vdbe_current_addr(v);
  int save_parent = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    if (it->alias || it->name)
      select_explain(p, "CO-ROUTINE %s", it->alias ? it->alias : it->name);
    else
      select_explain(p, "CO-ROUTINE (subquery-%d)", select_src_eqp_id(it));
    p->eqp_parent = id;
  }
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = SD_COROUTINE;
  d.reg = reg;
  d.n_reg = n_col;
  select_code(p, it->subquery, &d, NULL);
  vdbe_add_op1(v, OP_EndCoroutine, reg);
  p->eqp_parent = save_parent;
  vdbe_jump_here(v, skip);
}

/* After the loop over a co-routine item is coded: its cursor was never
** opened; the column reads become copies of the co-routine's registers and
** its rowid is NULL (as in SQLite). */
static void coroutine_reads(Parse *p, Select *s, int from_addr) {
  if (!s->from) return;
  Vdbe *v = p->v;
  int end = vdbe_current_addr(v);
  for (int i = 0; i < s->from->n; i++) {
    SrcItem *it = &s->from->a[i];
    if (!it->res_co_reg) continue;
    for (int a = from_addr; a < end; a++) {
      VdbeOp *op = vdbe_get_op(v, a);
      if (!op || op->p1 != it->res_cursor) continue;
      if (op->opcode == OP_Column) {
        int col = op->p2, dst = op->p3;
        vdbe_change_to_noop(v, a);
        op = vdbe_get_op(v, a);
        op->opcode = OP_Copy;
        op->p1 = it->res_co_reg + 1 + col;
        op->p2 = dst;
        op->p3 = 0;
        op->p5 = 2; /* drops the subtype */
      } else if (op->opcode == OP_Rowid) {
        int dst = op->p2;
        op->opcode = OP_Null;
        op->p1 = 0;
        op->p2 = dst;
        op->p3 = 0;
      } else if (op->opcode == OP_NullRow || op->opcode == OP_Close) {
        vdbe_change_to_noop(v, a);
      }
    }
  }
}

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
    if (can_coroutine(s, i)) {
      code_coroutine(p, it, t->n_col);
      continue;
    }
    int once = -1;
    if (!expr_subquery_is_correlated(it->subquery)) once = vdbe_add_op0(v, OP_Once);
    vdbe_add_op2(v, OP_OpenEphemeral, it->res_cursor, t->n_col);
    int save_parent = p->eqp_parent;
    if (p->explain == 2) {
      int id = vdbe_current_addr(v);
      if (it->alias || it->name)
        select_explain(p, "MATERIALIZE %s", it->alias ? it->alias : it->name);
      else
        select_explain(p, "MATERIALIZE (subquery-%d)", select_src_eqp_id(it));
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
      CollSeq *coll = parse_collseq(p, cn);
      vdbe_add_op4(v, OP_CollSeq, reg_hit, 0, 0, coll ? coll : coll_find(p->db, "BINARY"), P4_COLLSEQ);
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
  ExprList *gb = s->group_by; /* its columns are read from the sorter key */
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

  if (!gb && !s->where && s->from && s->from->n == 1 && ai.n_func == 1 && ai.n_col == 0) {
    /* count(*) of a whole table: OP_Count */
    AggFunc *af = &ai.funcs[0];
    Table *t = (Table *)s->from->a[0].res_ptr;
    if (t && t->root && !t->is_view && !t->is_virtual && af->n_arg == 0 && !af->e->extra &&
        !(af->e->flags & EXPR_F_DISTINCT) && !shale_stricmp(af->f->name, "count") && !s->from->a[0].indexed_by) {
      SrcItem *it = &s->from->a[0];
      int cur = it->res_cursor;
      Index *best = NULL;
      Index *pkx = t->without_rowid ? table_primary_key_index(t) : NULL;
      for (Index *ix = t->indexes; ix; ix = ix->next)
        if (!ix->where && ix != pkx && (!best || ix->n_column < best->n_column)) best = ix;
      if (t->without_rowid && !best) best = pkx;
      if (t->db_index >= 0 && t->db_index < 32) p->cookie_mask |= (u32)1 << t->db_index;
      const char *nm = it->alias ? it->alias : t->name;
      if (best) {
        KeyInfo *k = keyinfo_alloc(best->n_key_col, best->n_column - best->n_key_col);
        vdbe_add_op4(v, OP_OpenRead, cur, (int)best->root, t->db_index, k, P4_KEYINFO);
        if (p->explain == 2) {
          if (best == pkx)
            select_explain(p, "SCAN %s", nm);
          else
            select_explain(p, "SCAN %s USING COVERING INDEX %s", nm, best->name);
        }
      } else {
        vdbe_add_op4_int(v, OP_OpenRead, cur, (int)t->root, t->db_index, t->n_col);
        if (p->explain == 2) select_explain(p, "SCAN %s", nm);
      }
      vdbe_add_op2(v, OP_Count, cur, af->reg_acc);
      vdbe_add_op1(v, OP_Close, cur);
      agg_funcs_to_regs(&ai);
      int cont = vdbe_make_label(v);
      if (s->having) expr_code_jump_if_false(p, s->having, cont, SQLITE_JUMPIFNULL);
      int r = parse_alloc_regs(p, n_res);
      expr_code_list(p, s->result, r);
      emit_row(p, em, r, cont);
      vdbe_resolve_label(v, cont);
      agg_free(&ai);
      return;
    }
  }
  if (!gb) {
    /* one group */
    int reg_use = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, reg_use);
    if (ai.n_func) vdbe_add_op3(v, OP_Null, 0, first_acc, last_acc);
    for (int i = 0; i < ai.n_col; i++) vdbe_add_op2(v, OP_Null, 0, ai.cols[i].reg);
    /* min(col) / max(col) alone: let the planner walk an index (or the
    ** rowid) in order and stop at the first non-NULL value */
    ExprList *mm_ob = NULL;
    Expr *mm_arg = NULL;
    if (ai.n_func == 1 && s->from && s->from->n == 1) {
      AggFunc *af = &ai.funcs[0];
      Expr *arg = af->n_arg == 1 ? af->e->list->a[0].expr : NULL;
      Expr *base = arg;
      while (base && base->op == EX_COLLATE) base = base->left;
      int is_min = !shale_stricmp(af->f->name, "min"), is_max = !shale_stricmp(af->f->name, "max");
      if ((is_min || is_max) && base && base->op == EX_COLUMN && base->res_cursor == s->from->a[0].res_cursor &&
          base->res_depth == 0 && !af->e->extra && !(af->e->flags & EXPR_F_DISTINCT)) {
        mm_ob = ast_expr_list_append(NULL, ast_dup_expr(arg));
        if (mm_ob) {
          mm_ob->a[0].sort_desc = is_max;
          mm_arg = arg;
        }
      }
    }
    WhereInfo *w = where_begin_sel(p, s, s->from, s->where, mm_ob, mm_ob ? WHERE_ORDERBY_MIN : 0);
    if (!w || p->rc) {
      ast_free_expr_list(mm_ob);
      agg_free(&ai);
      return;
    }
    int mm_active = mm_ob && where_order_satisfied(w);
    if (mm_active) {
      int r = expr_code_temp(p, mm_arg);
      vdbe_add_op2(v, OP_IsNull, r, where_continue_label(w));
    }
    int reg_hit = 0;
    agg_update(p, &ai, -1, &reg_hit);
    if (ai.n_col > 0) { /* bare columns: from the min/max row, else the first row */
      if (!reg_hit) reg_hit = reg_use;
      int a = vdbe_add_op1(v, OP_If, reg_hit);
      for (int i = 0; i < ai.n_col; i++) expr_code(p, ai.cols[i].e, ai.cols[i].reg);
      vdbe_jump_here(v, a);
      vdbe_add_op2(v, OP_Integer, 1, reg_use);
    }
    if (mm_active) vdbe_add_op2(v, OP_Goto, 0, where_break_label(w));
    where_end(w);
    ast_free_expr_list(mm_ob);
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

  /* GROUP BY through a sorter: [group keys][agg args][filters][columns].
  ** The sorter is stable, so rows of a group keep their scan order (as in
  ** SQLite) without a sequence column; a column that is a GROUP BY term is
  ** read from the key. */
  int n_gb = gb->n;
  int n_sc = n_gb;
  for (int i = 0; i < ai.n_func; i++) {
    ai.funcs[i].sorter_col = n_sc;
    n_sc += ai.funcs[i].n_arg;
    if (ai.funcs[i].e->extra) ai.funcs[i].filter_col = n_sc++;
  }
  for (int i = 0; i < ai.n_col; i++) {
    ai.cols[i].sorter_col = -1;
    for (int j = 0; j < n_gb && ai.cols[i].sorter_col < 0; j++) {
      const Expr *g = gb->a[j].expr;
      while (g && g->op == EX_COLLATE) g = g->left;
      if (g && g->op == EX_COLUMN && g->res_cursor == ai.cols[i].cursor && g->res_column == ai.cols[i].column &&
          g->res_depth == 0)
        ai.cols[i].sorter_col = j;
    }
    if (ai.cols[i].sorter_col < 0) ai.cols[i].sorter_col = n_sc++;
  }
  int sorter = parse_alloc_cursor(p);
  /* as SQLite: with an ORDER BY of as many terms, the groups are sorted in
  ** its directions (ties of the ORDER BY then come out in that order) */
  int gb_dirs = s->order_by && !s->prior && s->order_by->n == n_gb;
  if (gb_dirs)
    for (int j = 0; j < n_gb; j++) {
      gb->a[j].sort_desc = s->order_by->a[j].sort_desc;
      gb->a[j].nulls = 0;
    }
  KeyInfo *k = expr_keyinfo_for_list(p, gb, 0, 1); /* compares the keys only */
  vdbe_add_op4(v, OP_SorterOpen, sorter, n_sc, 0, k, P4_KEYINFO);
  WhereInfo *w = where_begin_sel(p, s, s->from, s->where, NULL, 0);
  if (!w || p->rc) {
    agg_free(&ai);
    return;
  }
  int base = parse_alloc_regs(p, n_sc);
  for (int i = 0; i < n_gb; i++) expr_code(p, gb->a[i].expr, base + i);
  for (int i = 0; i < ai.n_func; i++) {
    AggFunc *af = &ai.funcs[i];
    for (int j = 0; j < af->n_arg; j++) expr_code(p, af->e->list->a[j].expr, base + af->sorter_col + j);
    if (af->e->extra) expr_code(p, af->e->extra, base + af->filter_col);
  }
  for (int i = 0; i < ai.n_col; i++)
    if (ai.cols[i].sorter_col >= n_gb) expr_code(p, ai.cols[i].e, base + ai.cols[i].sorter_col);
  int rec = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_MakeRecord, base, n_sc, rec);
  vdbe_add_op2(v, OP_SorterInsert, sorter, rec);
  where_end(w);
  if (p->explain == 2) select_explain(p, "USE TEMP B-TREE FOR GROUP BY");

  /* The sorted rows, as SQLite walks them: the previous key starts as NULLs,
  ** so a first group of NULL keys simply accumulates into the freshly reset
  ** accumulators; any other key change outputs the group before (if one
  ** had rows: reg_has) and resets. */
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
  vdbe_add_op2(v, OP_Integer, 0, reg_use);
  vdbe_add_op3(v, OP_Null, 0, reg_prev, reg_prev + n_gb - 1);
  if (ai.n_func) vdbe_add_op3(v, OP_Null, 0, first_acc, last_acc);
  vdbe_add_op2(v, OP_SorterSort, sorter, l_end);
  int top = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_SorterData, sorter, reg_srec, pseudo);
  for (int i = 0; i < n_gb; i++) vdbe_add_op3(v, OP_Column, pseudo, i, reg_new + i);
  KeyInfo *k2 = expr_keyinfo_for_list(p, gb, 0, 0);
  vdbe_add_op4(v, OP_Compare, reg_prev, reg_new, n_gb, k2, P4_KEYINFO);
  int l_same = vdbe_make_label(v);
  int a_jump = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_Jump, a_jump + 1, l_same, a_jump + 1);
  /* a new group starts */
  vdbe_add_op3(v, OP_Copy, reg_new, reg_prev, n_gb - 1);
  vdbe_add_op2(v, OP_Gosub, reg_ret, l_output);
  if (ai.n_func) vdbe_add_op3(v, OP_Null, 0, first_acc, last_acc);
  for (int i = 0; i < ai.n_func; i++) {
    AggFunc *af = &ai.funcs[i];
    if (af->distinct_cur >= 0) {
      KeyInfo *kd = expr_keyinfo_for_list(p, af->e->list, 0, 0);
      vdbe_add_op4(v, OP_OpenEphemeral, af->distinct_cur, 0, 0, kd, P4_KEYINFO);
    }
  }
  if (ai.n_col > 0) vdbe_add_op2(v, OP_Integer, 0, reg_use);
  vdbe_resolve_label(v, l_same);
  int reg_hit = 0;
  agg_update(p, &ai, pseudo, &reg_hit);
  if (ai.n_col > 0) { /* columns: from the min/max row, else the group's first row */
    if (!reg_hit) reg_hit = reg_use;
    int c = vdbe_add_op1(v, OP_If, reg_hit);
    for (int i = 0; i < ai.n_col; i++) vdbe_add_op3(v, OP_Column, pseudo, ai.cols[i].sorter_col, ai.cols[i].reg);
    vdbe_jump_here(v, c);
    vdbe_add_op2(v, OP_Integer, 1, reg_use);
  }
  vdbe_add_op2(v, OP_Integer, 1, reg_has);
  vdbe_add_op2(v, OP_SorterNext, sorter, top);
  /* last group */
  vdbe_add_op2(v, OP_Gosub, reg_ret, l_output);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  /* output subroutine: nothing when no group had rows yet */
  vdbe_resolve_label(v, l_output);
  int l_ret = vdbe_make_label(v);
  vdbe_add_op2(v, OP_IfNot, reg_has, l_ret);
  agg_final(p, &ai);
  agg_funcs_to_regs(&ai);
  agg_rewrite_list(&ai, s->result);
  agg_rewrite(&ai, s->having);
  agg_rewrite_list(&ai, s->order_by);
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

/* ------------------------------------------------------- window functions -- */
/* Rows go to an ephemeral table T0 (one column per column reference); per
** distinct window (PARTITION BY + ORDER BY) they are sorted into a table W
** (rowids 1..N in window order) and every window function is computed over
** its frame with xStep / xInverse / xValue (SQLite's calling pattern, which
** the built-in window functions rely on), results into a table R keyed by
** the T0 rowid.  The output walks the last window's order. */
#define MAX_WIN 32

typedef struct WinFunc {
  Expr *e;
  const FuncDef *f;
  int spec;
  int n_arg;
  int ftype, stype, etype;   /* frame: 1 ROWS 2 RANGE 3 GROUPS; bounds as ast.h (6: next group) */
  Expr *soff, *eoff;
  int arg_col;               /* first W column of its arguments (then its FILTER value, if any) */
  int kind;                  /* 0 aggregate-style, 1 lag, 2 lead */
  int exclude;               /* EXCLUDE: 0 NO OTHERS, 1 CURRENT ROW, 2 GROUP, 3 TIES */
  int acc, fs, fe, prev_s, prev_e, res, final_reg, idx_in_spec;
  int rs, re;                /* RANGE offsets: frame start / end pointers */
  int gsp, gsg, gep, geg;    /* GROUPS offsets: first row and number of the start / end groups */
} WinFunc;

typedef struct WinSpec {
  ExprList *part, *order;
  int n_wf;
  int n_cols;                /* columns of W */
  int w_cur, wd_cur, r_cur;
} WinSpec;

static int expr_has_window(const Expr *e) {
  if (!e) return 0;
  if (e->op == EX_FUNCTION && e->over) return 1;
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS || e->op == EX_IN_SELECT) return expr_has_window(e->left);
  if (expr_has_window(e->left) || expr_has_window(e->right) || expr_has_window(e->extra)) return 1;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (expr_has_window(e->list->a[i].expr)) return 1;
  return 0;
}

static int select_has_window(const Select *s) {
  if (s->result)
    for (int i = 0; i < s->result->n; i++)
      if (expr_has_window(s->result->a[i].expr)) return 1;
  if (s->order_by)
    for (int i = 0; i < s->order_by->n; i++)
      if (expr_has_window(s->order_by->a[i].expr)) return 1;
  return 0;
}

static void win_collect(Expr *e, Expr **out, int *n) {
  if (!e) return;
  if (e->op == EX_FUNCTION && e->over) {
    if (*n < MAX_WIN) out[(*n)++] = e;
    return;
  }
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS) return;
  if (e->op == EX_IN_SELECT) {
    win_collect(e->left, out, n);
    return;
  }
  win_collect(e->left, out, n);
  win_collect(e->right, out, n);
  win_collect(e->extra, out, n);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) win_collect(e->list->a[i].expr, out, n);
}

/* the WINDOW clause definition a name refers to: the last one of that
** name (SQLite keeps the clause in reverse order and takes the first match) */
static Window *win_lookup(Select *s, const char *name) {
  Window *found = NULL;
  for (Window *w = s->windows; w; w = w->next)
    if (w->name && !shale_stricmp(w->name, name)) found = w;
  return found;
}

static int list_same(Parse *p, ExprList *a, ExprList *b);

/* jump to label if lhs OP rhs (integer registers) */
static void jmp_if(Parse *p, int op, int lhs, int rhs, int label) { vdbe_add_op3(p->v, op, rhs, label, lhs); }

/* Scan forward with cursor wd from the row at r_from while the n key
** columns starting at col equal those of the current row of wc (of the row
** r_from itself when wc < 0) and rowid <= r_limit if r_limit; the last such
** rowid goes to r_out. */
static void win_scan_group(Parse *p, int wc, int wd, int col, int n, ExprList *keys, int r_from, int r_limit,
                           int r_out) {
  Vdbe *v = p->v;
  int rk = parse_alloc_regs(p, n), rt = parse_alloc_regs(p, n), rr = parse_alloc_reg(p);
  int done = vdbe_make_label(v), same = vdbe_make_label(v);
  if (wc >= 0)
    for (int k = 0; k < n; k++) vdbe_add_op3(v, OP_Column, wc, col + k, rk + k);
  vdbe_add_op2(v, OP_SCopy, r_from, r_out);
  vdbe_add_op3(v, OP_SeekRowid, wd, done, r_from);
  if (wc < 0)
    for (int k = 0; k < n; k++) vdbe_add_op3(v, OP_Column, wd, col + k, rk + k);
  int loop = vdbe_current_addr(v);
  int a = vdbe_add_op2(v, OP_Next, wd, 0);
  vdbe_add_op2(v, OP_Goto, 0, done);
  vdbe_jump_here(v, a);
  vdbe_add_op2(v, OP_Rowid, wd, rr);
  if (r_limit) jmp_if(p, OP_Gt, rr, r_limit, done);
  for (int k = 0; k < n; k++) vdbe_add_op3(v, OP_Column, wd, col + k, rt + k);
  KeyInfo *ki = expr_keyinfo_for_list(p, keys, 0, 0);
  vdbe_add_op4(v, OP_Compare, rk, rt, n, ki, P4_KEYINFO);
  int j = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_Jump, j + 1, same, j + 1);
  vdbe_add_op2(v, OP_Goto, 0, done);
  vdbe_resolve_label(v, same);
  vdbe_add_op2(v, OP_SCopy, rr, r_out);
  vdbe_add_op2(v, OP_Goto, 0, loop);
  vdbe_resolve_label(v, done);
}

/* Load the arguments of wf from the row of wd, or jump to l_skip when its
** FILTER rejects the row. */
static void win_load_args(Parse *p, WinFunc *wf, int wd, int r_args, int l_skip) {
  Vdbe *v = p->v;
  if (wf->e->extra) {
    vdbe_add_op3(v, OP_Column, wd, wf->arg_col + wf->n_arg, r_args);
    vdbe_add_op3(v, OP_IfNot, r_args, l_skip, 1);
  }
  for (int j = 0; j < wf->n_arg; j++) vdbe_add_op3(v, OP_Column, wd, wf->arg_col + j, r_args + j);
}

static void win_step_rows(Parse *p, WinFunc *wf, int wd, int r_from_reg, int r_to, int op, int r_args) {
  /* while r_from_reg <= r_to (op Step) / < r_to (op Inverse): do op on row, ++ */
  Vdbe *v = p->v;
  int done = vdbe_make_label(v);
  int loop = vdbe_current_addr(v);
  if (op == OP_AggStep)
    jmp_if(p, OP_Gt, r_from_reg, r_to, done);
  else
    jmp_if(p, OP_Ge, r_from_reg, r_to, done);
  int nf = vdbe_make_label(v);
  vdbe_add_op3(v, OP_SeekRowid, wd, nf, r_from_reg);
  win_load_args(p, wf, wd, r_args, nf);
  vdbe_add_op4(v, op, 0, r_args, wf->acc, (void *)wf->f, P4_FUNCDEF);
  vdbe_change_p5(v, (u16)wf->n_arg);
  vdbe_resolve_label(v, nf);
  vdbe_add_op2(v, OP_AddImm, r_from_reg, 1);
  vdbe_add_op2(v, OP_Goto, 0, loop);
  vdbe_resolve_label(v, done);
}

/* A frame offset into a fresh register, checked as SQLite does at run time:
** ROWS and GROUPS take a non-negative integer, RANGE a non-negative number
** (after numeric affinity; NULL, text and blobs are errors). */
static int win_offset_reg(Parse *p, Expr *e, int is_start, int range) {
  Vdbe *v = p->v;
  int r = parse_alloc_reg(p), rz = parse_alloc_reg(p);
  int l_err = vdbe_make_label(v), l_ok = vdbe_make_label(v);
  expr_code(p, e, r);
  vdbe_add_op2(v, OP_Integer, 0, rz);
  if (range) {
    double *inf = sqlite3_malloc64(sizeof(double));
    if (!inf) {
      p->rc = SQLITE_NOMEM;
      return r;
    }
    *inf = INFINITY;
    int rinf = parse_alloc_reg(p);
    vdbe_add_op4(v, OP_Affinity, r, 1, 0, (void *)"C", P4_STATIC);
    vdbe_add_op2(v, OP_IsNull, r, l_err);
    jmp_if(p, OP_Lt, r, rz, l_err);
    vdbe_add_op4(v, OP_Real, 0, rinf, 0, inf, P4_REAL);
    jmp_if(p, OP_Le, r, rinf, l_ok); /* text and blobs sort after every number */
  } else {
    vdbe_add_op2(v, OP_MustBeInt, r, l_err);
    jmp_if(p, OP_Ge, r, rz, l_ok);
  }
  vdbe_resolve_label(v, l_err);
  vdbe_add_op4(v, OP_Halt, SQLITE_ERROR, OE_ABORT, 0,
               sqlite3_mprintf("frame %s offset must be a non-negative %s", is_start ? "starting" : "ending",
                               range ? "number" : "integer"),
               P4_DYNAMIC);
  vdbe_resolve_label(v, l_ok);
  return r;
}

/* GROUPS offsets: move the pointer (first row r_ptr of group number r_grp
** of the partition) forward a group at a time until group r_target or the
** end of the partition (r_ptr = r_pe + 1). */
static void win_group_advance(Parse *p, int wd, int np, int no, ExprList *order, int r_ptr, int r_grp, int r_target,
                              int r_pe) {
  Vdbe *v = p->v;
  int l_loop = vdbe_current_addr(v), l_done = vdbe_make_label(v);
  jmp_if(p, OP_Ge, r_grp, r_target, l_done);
  jmp_if(p, OP_Gt, r_ptr, r_pe, l_done);
  if (no > 0)
    win_scan_group(p, -1, wd, np, no, order, r_ptr, r_pe, r_ptr);
  else
    vdbe_add_op2(v, OP_SCopy, r_pe, r_ptr);
  vdbe_add_op2(v, OP_AddImm, r_ptr, 1);
  vdbe_add_op2(v, OP_AddImm, r_grp, 1);
  vdbe_add_op2(v, OP_Goto, 0, l_loop);
  vdbe_resolve_label(v, l_done);
}

/* Is row r_t excluded from the frame of row r_i (peers r_gs..r_ge)? */
static void win_jump_if_excluded(Parse *p, int exclude, int r_t, int r_i, int r_gs, int r_ge, int l_skip) {
  Vdbe *v = p->v;
  if (exclude == 1) {
    jmp_if(p, OP_Eq, r_t, r_i, l_skip);
    return;
  }
  int l_keep = vdbe_make_label(v);
  jmp_if(p, OP_Lt, r_t, r_gs, l_keep);
  jmp_if(p, OP_Gt, r_t, r_ge, l_keep);
  if (exclude == 3) jmp_if(p, OP_Eq, r_t, r_i, l_keep);
  vdbe_add_op2(v, OP_Goto, 0, l_skip);
  vdbe_resolve_label(v, l_keep);
}

/* A query with both aggregates and window functions: the aggregate part
** becomes a FROM subquery (one row per group) whose columns are the
** aggregates and grouped columns the window part uses. */
typedef struct Leaves {
  Expr *e[128];
  int n;
  int ok;
} Leaves;

static void leaf_walk(Parse *p, Leaves *lv, Expr *e, SrcList *src, int cursor, int collect);
static void leaf_walk_list(Parse *p, Leaves *lv, ExprList *l, SrcList *src, int cursor, int collect) {
  if (l)
    for (int i = 0; i < l->n; i++) leaf_walk(p, lv, l->a[i].expr, src, cursor, collect);
}
/* collect: 1 gather leaves; 0 replace them by columns of `cursor` */
static void leaf_walk(Parse *p, Leaves *lv, Expr *e, SrcList *src, int cursor, int collect) {
  if (!e || !lv->ok) return;
  int is_leaf = expr_is_agg_func(p, e) || (e->op == EX_COLUMN && src_has_cursor(src, e->res_cursor));
  if (is_leaf) {
    int j = -1;
    for (int k = 0; k < lv->n && j < 0; k++)
      if (resolve_expr_equal(lv->e[k], e)) j = k;
    if (collect) {
      if (j < 0) {
        if (lv->n >= 128) {
          lv->ok = 0;
          return;
        }
        lv->e[lv->n++] = e;
      }
      return;
    }
    if (j < 0) return;
    /* replace by a column of the subquery */
    Expr *c = ast_expr_new(EX_COLUMN);
    if (!c) return;
    Expr tmp = *e;
    *e = *c;
    *c = tmp;
    ast_free_expr(c);
    e->res_cursor = cursor;
    e->res_column = j;
    e->res_depth = 0;
    e->res_ptr = NULL; /* set by the caller */
    return;
  }
  if (e->select) {
    lv->ok = 0;
    return;
  }
  leaf_walk(p, lv, e->left, src, cursor, collect);
  leaf_walk(p, lv, e->right, src, cursor, collect);
  leaf_walk(p, lv, e->extra, src, cursor, collect);
  leaf_walk_list(p, lv, e->list, src, cursor, collect);
  if (e->over) {
    leaf_walk_list(p, lv, e->over->partition_by, src, cursor, collect);
    leaf_walk_list(p, lv, e->over->order_by, src, cursor, collect);
  }
}

static void fix_ptr(Expr *e, int cursor, Table *t) {
  if (!e) return;
  if (e->op == EX_COLUMN && e->res_cursor == cursor && !e->res_ptr) {
    e->res_ptr = t;
    e->res_affinity = t->cols[e->res_column].affinity;
  }
  fix_ptr(e->left, cursor, t);
  fix_ptr(e->right, cursor, t);
  fix_ptr(e->extra, cursor, t);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) fix_ptr(e->list->a[i].expr, cursor, t);
  if (e->over) {
    if (e->over->partition_by)
      for (int i = 0; i < e->over->partition_by->n; i++) fix_ptr(e->over->partition_by->a[i].expr, cursor, t);
    if (e->over->order_by)
      for (int i = 0; i < e->over->order_by->n; i++) fix_ptr(e->over->order_by->a[i].expr, cursor, t);
  }
}

static int window_split_aggregate(Parse *p, Select *s) {
  Leaves lv;
  memset(&lv, 0, sizeof(lv));
  lv.ok = 1;
  SrcList *src = s->from;
  leaf_walk_list(p, &lv, s->result, src, 0, 1);
  leaf_walk_list(p, &lv, s->order_by, src, 0, 1);
  for (Window *w = s->windows; w; w = w->next) {
    leaf_walk_list(p, &lv, w->partition_by, src, 0, 1);
    leaf_walk_list(p, &lv, w->order_by, src, 0, 1);
  }
  if (!lv.ok || lv.n == 0) return 0;
  Select *in = shale_malloc_zero(sizeof(Select));
  if (!in) return 0;
  for (int k = 0; k < lv.n; k++) {
    in->result = ast_expr_list_append(in->result, ast_dup_expr(lv.e[k]));
    if (!in->result) return 0;
  }
  in->from = s->from;
  in->where = s->where;
  in->group_by = s->group_by;
  in->having = s->having;
  in->flags = SELECT_F_RESOLVED;
  s->from = NULL;
  s->where = NULL;
  s->group_by = NULL;
  s->having = NULL;
  int cursor = parse_alloc_cursor(p);
  Table *t = q_pseudo_table(p, lv.n);
  if (!t) return 0;
  for (int k = 0; k < lv.n; k++) {
    char a = expr_affinity(p, lv.e[k]);
    t->cols[k].affinity = a > SQLITE_AFF_NONE ? a : SQLITE_AFF_BLOB;
    t->cols[k].name = sqlite3_mprintf("c%d", k);
    const char *cn = expr_collation_name(p, lv.e[k]);
    t->cols[k].collate = cn ? shale_strdup(cn) : NULL;
  }
  /* replace the leaves (compared against the copies, which stay intact) */
  for (int k = 0; k < lv.n; k++) lv.e[k] = in->result->a[k].expr;
  leaf_walk_list(p, &lv, s->result, src ? in->from : NULL, cursor, 0);
  leaf_walk_list(p, &lv, s->order_by, in->from, cursor, 0);
  for (Window *w = s->windows; w; w = w->next) {
    leaf_walk_list(p, &lv, w->partition_by, in->from, cursor, 0);
    leaf_walk_list(p, &lv, w->order_by, in->from, cursor, 0);
  }
  s->from = ast_src_list_append(NULL);
  if (!s->from) return 0;
  s->from->a[0].subquery = in;
  s->from->a[0].res_cursor = cursor;
  s->from->a[0].res_ptr = t;
  if (s->result)
    for (int i = 0; i < s->result->n; i++) fix_ptr(s->result->a[i].expr, cursor, t);
  if (s->order_by)
    for (int i = 0; i < s->order_by->n; i++) fix_ptr(s->order_by->a[i].expr, cursor, t);
  for (Window *w = s->windows; w; w = w->next) {
    if (w->partition_by)
      for (int i = 0; i < w->partition_by->n; i++) fix_ptr(w->partition_by->a[i].expr, cursor, t);
    if (w->order_by)
      for (int i = 0; i < w->order_by->n; i++) fix_ptr(w->order_by->a[i].expr, cursor, t);
  }
  return 1;
}

static void code_window_select(Parse *p, Select *s, Emit *em) {
  Vdbe *v = p->v;
  Expr *wfe[MAX_WIN];
  int n_wf = 0;
  for (int i = 0; s->result && i < s->result->n; i++) win_collect(s->result->a[i].expr, wfe, &n_wf);
  for (int i = 0; s->order_by && i < s->order_by->n; i++) win_collect(s->order_by->a[i].expr, wfe, &n_wf);
  WinFunc wf[MAX_WIN];
  WinSpec spec[MAX_WIN];
  int n_spec = 0;
  memset(wf, 0, sizeof(wf));
  memset(spec, 0, sizeof(spec));
  for (int i = 0; i < n_wf; i++) {
    Expr *e = wfe[i];
    Window *w = e->over;
    ExprList *part = w->partition_by, *order = w->order_by;
    int ft = w->frame_type, st = w->start_type, et = w->end_type, ex = w->exclude;
    Expr *so = w->start, *eo = w->end;
    if (w->name && !w->partition_by && !w->order_by && !w->frame_type && !w->base) {
      Window *nw = win_lookup(s, w->name);
      if (!nw) {
        parse_error(p, "no such window: %s", w->name);
        return;
      }
      part = nw->partition_by;
      order = nw->order_by;
      ft = nw->frame_type, st = nw->start_type, et = nw->end_type, ex = nw->exclude;
      so = nw->start, eo = nw->end;
    } else if (w->base) {
      Window *bw = win_lookup(s, w->base);
      if (!bw) {
        parse_error(p, "no such window: %s", w->base);
        return;
      }
      const char *what = w->partition_by ? "PARTITION clause"
                         : bw->order_by && w->order_by ? "ORDER BY clause"
                         : bw->frame_type ? "frame specification"
                         : NULL;
      if (what) {
        parse_error(p, "cannot override %s of window: %s", what, w->base);
        return;
      }
      part = bw->partition_by;
      if (!order) order = bw->order_by;
      if (!ft) {
        ft = bw->frame_type, st = bw->start_type, et = bw->end_type, ex = bw->exclude;
        so = bw->start, eo = bw->end;
      }
    }
    WinFunc *f = &wf[i];
    f->e = e;
    f->f = (const FuncDef *)e->res_ptr;
    f->n_arg = e->list ? e->list->n : 0;
    const char *nm = f->f ? f->f->name : "";
    if (!ft) {
      if (order) {
        ft = 2, st = 1, et = 3;
      } else {
        ft = 1, st = 1, et = 5;
      }
    }
    /* the ranking functions ignore the frame and its EXCLUDE (as SQLite) */
    if (!shale_stricmp(nm, "row_number")) ft = 1, st = 1, et = 3, ex = 0;
    else if (!shale_stricmp(nm, "rank") || !shale_stricmp(nm, "dense_rank")) ft = 2, st = 1, et = 3, ex = 0;
    else if (!shale_stricmp(nm, "percent_rank")) ft = 3, st = 3, et = 5, ex = 0;
    else if (!shale_stricmp(nm, "cume_dist")) ft = 3, st = 6, et = 5, ex = 0;
    else if (!shale_stricmp(nm, "ntile")) ft = 1, st = 3, et = 5, ex = 0;
    else if (!shale_stricmp(nm, "lag")) f->kind = 1, ex = 0;
    else if (!shale_stricmp(nm, "lead")) f->kind = 2, ex = 0;
    else if (!shale_stricmp(nm, "first_value") || !shale_stricmp(nm, "nth_value")) f->kind = 3;
    if (ft == 2 && (st == 2 || st == 4 || et == 2 || et == 4) && (!order || order->n != 1)) {
      parse_error(p, "RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression");
      return;
    }
    f->ftype = ft, f->stype = st, f->etype = et, f->soff = so, f->eoff = eo, f->exclude = ex;
    int sp = -1;
    for (int k = 0; k < n_spec && sp < 0; k++)
      if (list_same(p, spec[k].part, part) && list_same(p, spec[k].order, order)) sp = k;
    if (sp < 0) {
      sp = n_spec++;
      spec[sp].part = part;
      spec[sp].order = order;
    }
    f->spec = sp;
    f->idx_in_spec = spec[sp].n_wf++;
  }
  if (s->group_by || select_is_agg(p, s)) {
    /* SQLite's innermost subquery (the last window's) sorts the groups in
    ** the directions of that window's PARTITION BY + ORDER BY when they
    ** have as many terms as the GROUP BY: ties between groups follow. */
    WinSpec *in = &spec[n_spec - 1];
    int np = in->part ? in->part->n : 0, no = in->order ? in->order->n : 0;
    if (s->group_by && n_spec > 0 && s->group_by->n == np + no)
      for (int j = 0; j < np + no; j++)
        s->group_by->a[j].sort_desc = j < np ? in->part->a[j].sort_desc : in->order->a[j - np].sort_desc;
    if (!window_split_aggregate(p, s)) {
      if (!p->rc) parse_error(p, "window functions together with aggregates are not supported here");
      return;
    }
    materialize_from(p, s);
    if (p->rc) return;
  }
  /* column references */
  AggInfo ai;
  memset(&ai, 0, sizeof(ai));
  ai.src = s->from;
  agg_collect_cols_list(p, &ai, s->result);
  agg_collect_cols_list(p, &ai, s->order_by);
  for (int k = 0; k < n_spec; k++) {
    agg_collect_cols_list(p, &ai, spec[k].part);
    agg_collect_cols_list(p, &ai, spec[k].order);
  }
  for (int i = 0; i < n_wf; i++) {
    agg_collect_cols(p, &ai, wf[i].soff);
    agg_collect_cols(p, &ai, wf[i].eoff);
  }
  if (p->rc) {
    agg_free(&ai);
    return;
  }
  int nc = ai.n_col;
  for (int i = 0; i < nc; i++) ai.cols[i].reg = parse_alloc_reg(p);
  /* phase 1: rows into T0 */
  int t0 = parse_alloc_cursor(p);
  vdbe_add_op2(v, OP_OpenEphemeral, t0, nc > 0 ? nc : 1);
  WhereInfo *w = where_begin_sel(p, s, s->from, s->where, NULL, 0);
  if (!w || p->rc) {
    agg_free(&ai);
    return;
  }
  {
    int base = parse_alloc_regs(p, nc > 0 ? nc : 1);
    if (nc == 0) vdbe_add_op2(v, OP_Null, 0, base);
    for (int i = 0; i < nc; i++) expr_code(p, ai.cols[i].e, base + i);
    int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, base, nc > 0 ? nc : 1, rec);
    vdbe_add_op2(v, OP_NewRowid, t0, rid);
    vdbe_add_op3(v, OP_Insert, t0, rec, rid);
  }
  where_end(w);
  /* column references now read the registers loaded from T0 */
  agg_rewrite_list(&ai, s->result);
  agg_rewrite_list(&ai, s->order_by);
  for (int k = 0; k < n_spec; k++) {
    agg_rewrite_list(&ai, spec[k].part);
    agg_rewrite_list(&ai, spec[k].order);
  }
  for (int i = 0; i < n_wf; i++) {
    agg_rewrite(&ai, wf[i].soff);
    agg_rewrite(&ai, wf[i].eoff);
  }
  int r_seq = parse_alloc_reg(p), r_ins = parse_alloc_reg(p);
  /* SQLite nests one subquery per distinct window, the first window
  ** outermost: the last window sorts the scanned rows, each earlier one sorts
  ** the rows in the order the window after it produced (ties keep that
  ** order), and the output follows the first window. */
  for (int k = n_spec - 1; k >= 0 && !p->rc; k--) {
    WinSpec *sp = &spec[k];
    int np = sp->part ? sp->part->n : 0, no = sp->order ? sp->order->n : 0;
    int na = 0;
    for (int i = 0; i < n_wf; i++)
      if (wf[i].spec == k) {
        wf[i].arg_col = np + no + 2 + na;
        na += wf[i].n_arg + (wf[i].e->extra ? 1 : 0);
      }
    int ncol = np + no + 2 + na;
    sp->n_cols = ncol;
    /* sorter: key [part][order][insertion number], then the T0 rowid and the args */
    int sorter = parse_alloc_cursor(p);
    KeyInfo *ki = keyinfo_alloc(np + no + 1, na + 1);
    if (!ki) {
      p->rc = SQLITE_NOMEM;
      break;
    }
    ki->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
    for (int j = 0; j < np + no; j++) {
      ExprListItem *it = j < np ? &sp->part->a[j] : &sp->order->a[j - np];
      const char *cn = expr_collation_name(p, it->expr);
      if (ki->coll) ki->coll[j] = parse_collseq(p, cn);
      if (j >= np && ki->sort_flags) {
        u8 fl = 0;
        if (it->sort_desc) fl |= KEYINFO_ORDER_DESC;
        if ((!it->sort_desc && it->nulls == 2) || (it->sort_desc && it->nulls == 1)) fl |= KEYINFO_ORDER_BIGNULL;
        ki->sort_flags[j] = fl;
      }
    }
    vdbe_add_op4(v, OP_SorterOpen, sorter, ncol, 0, ki, P4_KEYINFO);
    int base = parse_alloc_regs(p, ncol);
    int src = k == n_spec - 1 ? t0 : spec[k + 1].w_cur;
    int src_np = k == n_spec - 1 ? 0 : (spec[k + 1].part ? spec[k + 1].part->n : 0);
    int src_no = k == n_spec - 1 ? 0 : (spec[k + 1].order ? spec[k + 1].order->n : 0);
    int l_next = vdbe_make_label(v);
    vdbe_add_op2(v, OP_Integer, 0, r_ins);
    int a = vdbe_add_op2(v, OP_Rewind, src, 0);
    int top = vdbe_current_addr(v);
    if (src == t0) {
      vdbe_add_op2(v, OP_Rowid, t0, base + np + no + 1);
    } else {
      vdbe_add_op3(v, OP_Column, src, src_np + src_no + 1, base + np + no + 1);
      vdbe_add_op3(v, OP_SeekRowid, t0, l_next, base + np + no + 1);
    }
    for (int i = 0; i < nc; i++) vdbe_add_op3(v, OP_Column, t0, i, ai.cols[i].reg);
    for (int j = 0; j < np; j++) expr_code(p, sp->part->a[j].expr, base + j);
    for (int j = 0; j < no; j++) expr_code(p, sp->order->a[j].expr, base + np + j);
    vdbe_add_op2(v, OP_AddImm, r_ins, 1);
    vdbe_add_op2(v, OP_SCopy, r_ins, base + np + no);
    for (int i = 0; i < n_wf; i++)
      if (wf[i].spec == k)
        for (int j = 0; j < wf[i].n_arg; j++) expr_code(p, wf[i].e->list->a[j].expr, base + wf[i].arg_col + j);
    for (int i = 0; i < n_wf; i++)
      if (wf[i].spec == k && wf[i].e->extra) expr_code(p, wf[i].e->extra, base + wf[i].arg_col + wf[i].n_arg);
    int rec = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_MakeRecord, base, ncol, rec);
    vdbe_add_op2(v, OP_SorterInsert, sorter, rec);
    vdbe_resolve_label(v, l_next);
    vdbe_add_op2(v, OP_Next, src, top);
    vdbe_jump_here(v, a);
    /* sorted rows into W (rowids 1..N) */
    sp->w_cur = parse_alloc_cursor(p);
    sp->wd_cur = parse_alloc_cursor(p);
    sp->r_cur = parse_alloc_cursor(p);
    vdbe_add_op2(v, OP_OpenEphemeral, sp->w_cur, ncol);
    vdbe_add_op2(v, OP_OpenDup, sp->wd_cur, sp->w_cur);
    vdbe_add_op2(v, OP_OpenEphemeral, sp->r_cur, sp->n_wf);
    int l_sorted = vdbe_make_label(v);
    vdbe_add_op2(v, OP_SorterSort, sorter, l_sorted);
    int top2 = vdbe_current_addr(v);
    int rid = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_SorterData, sorter, rec);
    vdbe_add_op2(v, OP_NewRowid, sp->w_cur, rid);
    vdbe_add_op3(v, OP_Insert, sp->w_cur, rec, rid);
    vdbe_add_op2(v, OP_SorterNext, sorter, top2);
    vdbe_resolve_label(v, l_sorted);
    /* compute */
    int wc = sp->w_cur, wd = sp->wd_cur;
    int r_i = parse_alloc_reg(p), r_ps = parse_alloc_reg(p), r_pe = parse_alloc_reg(p);
    int r_gs = parse_alloc_reg(p), r_ge = parse_alloc_reg(p);
    int r_s = parse_alloc_reg(p), r_e = parse_alloc_reg(p), r_t = parse_alloc_reg(p);
    int r_gn = parse_alloc_reg(p); /* number of the current peer group in the partition, from 0 */
    int max_args = 1;
    for (int i = 0; i < n_wf; i++)
      if (wf[i].spec == k && wf[i].n_arg > max_args) max_args = wf[i].n_arg;
    int r_args = parse_alloc_regs(p, max_args);
    int r_out = parse_alloc_regs(p, sp->n_wf);
    for (int i = 0; i < n_wf; i++) {
      if (wf[i].spec != k) continue;
      wf[i].acc = parse_alloc_reg(p);
      wf[i].fs = parse_alloc_reg(p);
      wf[i].fe = parse_alloc_reg(p);
      wf[i].prev_s = parse_alloc_reg(p);
      wf[i].prev_e = parse_alloc_reg(p);
      wf[i].rs = parse_alloc_reg(p);
      wf[i].re = parse_alloc_reg(p);
      wf[i].gsp = parse_alloc_reg(p);
      wf[i].gsg = parse_alloc_reg(p);
      wf[i].gep = parse_alloc_reg(p);
      wf[i].geg = parse_alloc_reg(p);
      wf[i].res = r_out + wf[i].idx_in_spec;
    }
    int l_done = vdbe_make_label(v);
    vdbe_add_op2(v, OP_Integer, 0, r_pe);
    vdbe_add_op2(v, OP_Rewind, wc, l_done);
    int top3 = vdbe_current_addr(v);
    vdbe_add_op2(v, OP_Rowid, wc, r_i);
    int l_oldpart = vdbe_make_label(v);
    jmp_if(p, OP_Le, r_i, r_pe, l_oldpart);
    /* new partition */
    vdbe_add_op2(v, OP_SCopy, r_i, r_ps);
    if (np > 0) {
      win_scan_group(p, wc, wd, 0, np, sp->part, r_i, 0, r_pe);
    } else {
      int e0 = vdbe_make_label(v);
      vdbe_add_op2(v, OP_Last, wd, e0);
      vdbe_add_op2(v, OP_Rowid, wd, r_pe);
      vdbe_resolve_label(v, e0);
    }
    for (int i = 0; i < n_wf; i++) {
      if (wf[i].spec != k) continue;
      vdbe_add_op2(v, OP_Null, 0, wf[i].acc);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].fs);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].fe);
      vdbe_add_op2(v, OP_Integer, -1, wf[i].prev_s);
      vdbe_add_op2(v, OP_Integer, -1, wf[i].prev_e);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].rs);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].re);
      vdbe_add_op2(v, OP_AddImm, wf[i].re, -1);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].gsp);
      vdbe_add_op2(v, OP_Integer, 0, wf[i].gsg);
      vdbe_add_op2(v, OP_SCopy, r_ps, wf[i].gep);
      vdbe_add_op2(v, OP_Integer, 0, wf[i].geg);
    }
    vdbe_add_op2(v, OP_Integer, 0, r_ge);
    vdbe_add_op2(v, OP_Integer, -1, r_gn);
    vdbe_resolve_label(v, l_oldpart);
    int l_oldgroup = vdbe_make_label(v);
    jmp_if(p, OP_Le, r_i, r_ge, l_oldgroup);
    vdbe_add_op2(v, OP_SCopy, r_i, r_gs);
    vdbe_add_op2(v, OP_AddImm, r_gn, 1);
    if (no > 0)
      win_scan_group(p, wc, wd, np, no, sp->order, r_i, r_pe, r_ge);
    else
      vdbe_add_op2(v, OP_SCopy, r_pe, r_ge);
    vdbe_resolve_label(v, l_oldgroup);
    for (int i = 0; i < n_wf && !p->rc; i++) {
      WinFunc *f = &wf[i];
      if (f->spec != k) continue;
      if (f->kind == 1 || f->kind == 2) {
        int r_off = parse_alloc_reg(p);
        if (f->n_arg >= 2)
          vdbe_add_op3(v, OP_Column, wc, f->arg_col + 1, r_off);
        else
          vdbe_add_op2(v, OP_Integer, 1, r_off);
        vdbe_add_op3(v, f->kind == 1 ? OP_Subtract : OP_Add, r_off, r_i, r_t);
        int l_def = vdbe_make_label(v), l_end = vdbe_make_label(v);
        vdbe_add_op2(v, OP_IsNull, r_t, l_def);
        jmp_if(p, OP_Lt, r_t, r_ps, l_def);
        jmp_if(p, OP_Gt, r_t, r_pe, l_def);
        vdbe_add_op3(v, OP_SeekRowid, wd, l_def, r_t);
        vdbe_add_op3(v, OP_Column, wd, f->arg_col, f->res);
        vdbe_add_op2(v, OP_Goto, 0, l_end);
        vdbe_resolve_label(v, l_def);
        if (f->n_arg >= 3)
          vdbe_add_op3(v, OP_Column, wc, f->arg_col + 2, f->res);
        else
          vdbe_add_op2(v, OP_Null, 0, f->res);
        vdbe_resolve_label(v, l_end);
        continue;
      }
      int range_off = f->ftype == 2 && (f->stype == 2 || f->stype == 4 || f->etype == 2 || f->etype == 4);
      if (range_off) {
        /* RANGE n PRECEDING/FOLLOWING: move the start/end pointers while the
        ** (single) ORDER BY key is outside key -/+ n */
        int desc = sp->order->a[0].sort_desc;
        int nf = desc ? sp->order->a[0].nulls == 1 : sp->order->a[0].nulls != 2; /* NULLs first */
        int rk = parse_alloc_reg(p), rt = parse_alloc_reg(p), rtmp = parse_alloc_reg(p), rn = parse_alloc_reg(p);
        int l_null = vdbe_make_label(v), l_bd = vdbe_make_label(v);
        vdbe_add_op3(v, OP_Column, wc, np, rk);
        vdbe_add_op2(v, OP_IsNull, rk, l_null);
        if (f->stype == 1) {
          vdbe_add_op2(v, OP_SCopy, r_ps, r_s);
        } else if (f->stype == 3) {
          vdbe_add_op2(v, OP_SCopy, r_gs, r_s);
        } else {
          int ro = win_offset_reg(p, f->soff, 1, 1);
          int add = (f->stype == 4) != desc;
          vdbe_add_op3(v, add ? OP_Add : OP_Subtract, ro, rk, rt);
          int l_loop = vdbe_current_addr(v), l_d = vdbe_make_label(v), l_adv = vdbe_make_label(v);
          jmp_if(p, OP_Gt, f->rs, r_pe, l_d);
          vdbe_add_op3(v, OP_SeekRowid, wd, l_d, f->rs);
          vdbe_add_op3(v, OP_Column, wd, np, rtmp);
          vdbe_add_op2(v, OP_IsNull, rtmp, nf ? l_adv : l_d);
          jmp_if(p, desc ? OP_Le : OP_Ge, rtmp, rt, l_d);
          vdbe_resolve_label(v, l_adv);
          vdbe_add_op2(v, OP_AddImm, f->rs, 1);
          vdbe_add_op2(v, OP_Goto, 0, l_loop);
          vdbe_resolve_label(v, l_d);
          vdbe_add_op2(v, OP_SCopy, f->rs, r_s);
        }
        if (f->etype == 5) {
          vdbe_add_op2(v, OP_SCopy, r_pe, r_e);
        } else if (f->etype == 3) {
          vdbe_add_op2(v, OP_SCopy, r_ge, r_e);
        } else {
          int ro = win_offset_reg(p, f->eoff, 0, 1);
          int add = (f->etype == 4) != desc;
          vdbe_add_op3(v, add ? OP_Add : OP_Subtract, ro, rk, rt);
          int l_loop = vdbe_current_addr(v), l_d = vdbe_make_label(v), l_adv = vdbe_make_label(v);
          vdbe_add_op2(v, OP_SCopy, f->re, rn);
          vdbe_add_op2(v, OP_AddImm, rn, 1);
          jmp_if(p, OP_Gt, rn, r_pe, l_d);
          vdbe_add_op3(v, OP_SeekRowid, wd, l_d, rn);
          vdbe_add_op3(v, OP_Column, wd, np, rtmp);
          vdbe_add_op2(v, OP_IsNull, rtmp, nf ? l_adv : l_d);
          jmp_if(p, desc ? OP_Lt : OP_Gt, rtmp, rt, l_d);
          vdbe_resolve_label(v, l_adv);
          vdbe_add_op2(v, OP_SCopy, rn, f->re);
          vdbe_add_op2(v, OP_Goto, 0, l_loop);
          vdbe_resolve_label(v, l_d);
          vdbe_add_op2(v, OP_SCopy, f->re, r_e);
        }
        vdbe_add_op2(v, OP_Goto, 0, l_bd);
        /* a NULL key: an offset bound stops at the NULL peers' edge, an
        ** UNBOUNDED one still reaches the partition's */
        vdbe_resolve_label(v, l_null);
        vdbe_add_op2(v, OP_SCopy, f->stype == 1 ? r_ps : r_gs, r_s);
        vdbe_add_op2(v, OP_SCopy, f->etype == 5 ? r_pe : r_ge, r_e);
        vdbe_resolve_label(v, l_bd);
      }
      /* frame start */
      if (!range_off) switch (f->stype) {
        case 1: vdbe_add_op2(v, OP_SCopy, r_ps, r_s); break;
        case 3: vdbe_add_op2(v, OP_SCopy, f->ftype == 1 ? r_i : r_gs, r_s); break;
        case 6: vdbe_add_op2(v, OP_SCopy, r_ge, r_s); vdbe_add_op2(v, OP_AddImm, r_s, 1); break;
        case 2: {
          int ro = win_offset_reg(p, f->soff, 1, 0);
          if (f->ftype == 3) {
            /* first row of group max(current - N, 0) */
            int l_pos = vdbe_make_label(v);
            vdbe_add_op3(v, OP_Subtract, ro, r_gn, r_t);
            vdbe_add_op2(v, OP_IfPos, r_t, l_pos);
            vdbe_add_op2(v, OP_Integer, 0, r_t);
            vdbe_resolve_label(v, l_pos);
            win_group_advance(p, wd, np, no, sp->order, f->gsp, f->gsg, r_t, r_pe);
            vdbe_add_op2(v, OP_SCopy, f->gsp, r_s);
            break;
          }
          vdbe_add_op3(v, OP_Subtract, ro, r_i, r_s);
          int ok = vdbe_make_label(v);
          jmp_if(p, OP_Ge, r_s, r_ps, ok);
          vdbe_add_op2(v, OP_SCopy, r_ps, r_s);
          vdbe_resolve_label(v, ok);
          break;
        }
        case 4: {
          int ro = win_offset_reg(p, f->soff, 1, 0);
          if (f->ftype == 3) {
            /* first row of group current + N (past the partition: empty) */
            vdbe_add_op3(v, OP_Add, ro, r_gn, r_t);
            win_group_advance(p, wd, np, no, sp->order, f->gsp, f->gsg, r_t, r_pe);
            vdbe_add_op2(v, OP_SCopy, f->gsp, r_s);
            break;
          }
          vdbe_add_op3(v, OP_Add, ro, r_i, r_s);
          break;
        }
        default: vdbe_add_op2(v, OP_SCopy, r_ps, r_s); break;
      }
      if (!range_off) switch (f->etype) {
        case 5: vdbe_add_op2(v, OP_SCopy, r_pe, r_e); break;
        case 3: vdbe_add_op2(v, OP_SCopy, f->ftype == 1 ? r_i : r_ge, r_e); break;
        case 2:
        case 4: {
          int ro = win_offset_reg(p, f->eoff, 0, 0);
          if (f->ftype == 3) {
            /* last row of group current -/+ N; before the partition: empty */
            int l_in = vdbe_make_label(v), l_last = vdbe_make_label(v), l_gdone = vdbe_make_label(v);
            vdbe_add_op3(v, f->etype == 2 ? OP_Subtract : OP_Add, ro, r_gn, r_t);
            if (f->etype == 2) {
              int rz = parse_alloc_reg(p);
              vdbe_add_op2(v, OP_Integer, 0, rz);
              jmp_if(p, OP_Ge, r_t, rz, l_in);
              vdbe_add_op2(v, OP_SCopy, r_ps, r_e);
              vdbe_add_op2(v, OP_AddImm, r_e, -1);
              vdbe_add_op2(v, OP_Goto, 0, l_gdone);
            }
            vdbe_resolve_label(v, l_in);
            win_group_advance(p, wd, np, no, sp->order, f->gep, f->geg, r_t, r_pe);
            jmp_if(p, OP_Le, f->gep, r_pe, l_last);
            vdbe_add_op2(v, OP_SCopy, r_pe, r_e);
            vdbe_add_op2(v, OP_Goto, 0, l_gdone);
            vdbe_resolve_label(v, l_last);
            if (no > 0)
              win_scan_group(p, -1, wd, np, no, sp->order, f->gep, r_pe, r_e);
            else
              vdbe_add_op2(v, OP_SCopy, r_pe, r_e);
            vdbe_resolve_label(v, l_gdone);
            break;
          }
          if (f->etype == 2) {
            vdbe_add_op3(v, OP_Subtract, ro, r_i, r_e);
            break;
          }
          vdbe_add_op3(v, OP_Add, ro, r_i, r_e);
          int ok = vdbe_make_label(v);
          jmp_if(p, OP_Le, r_e, r_pe, ok);
          vdbe_add_op2(v, OP_SCopy, r_pe, r_e);
          vdbe_resolve_label(v, ok);
          break;
        }
        default: vdbe_add_op2(v, OP_SCopy, r_pe, r_e); break;
      }
      if (f->kind == 3) {
        /* first_value / nth_value: read row S + N - 1 of the frame */
        int r_n = parse_alloc_reg(p);
        if (f->n_arg >= 2)
          vdbe_add_op3(v, OP_Column, wc, f->arg_col + 1, r_n);
        else
          vdbe_add_op2(v, OP_Integer, 1, r_n);
        {
          int ok = vdbe_add_op3(v, OP_IfPos, r_n, 0, 0);
          vdbe_add_op4(v, OP_Halt, SQLITE_ERROR, OE_ABORT, 0,
                       shale_strdup("second argument to nth_value must be a positive integer"), P4_DYNAMIC);
          vdbe_jump_here(v, ok);
        }
        int l_null = vdbe_make_label(v), l_end = vdbe_make_label(v);
        if (f->exclude) {
          /* the N-th row of the frame that EXCLUDE leaves in */
          int l_loop, l_next = vdbe_make_label(v), l_found = vdbe_make_label(v);
          vdbe_add_op2(v, OP_SCopy, r_s, r_t);
          l_loop = vdbe_current_addr(v);
          jmp_if(p, OP_Gt, r_t, r_e, l_null);
          jmp_if(p, OP_Gt, r_t, r_pe, l_null);
          win_jump_if_excluded(p, f->exclude, r_t, r_i, r_gs, r_ge, l_next);
          vdbe_add_op3(v, OP_IfPos, r_n, l_next, 1);
          vdbe_resolve_label(v, l_next);
          vdbe_add_op2(v, OP_IfNot, r_n, l_found);
          vdbe_add_op2(v, OP_AddImm, r_t, 1);
          vdbe_add_op2(v, OP_Goto, 0, l_loop);
          vdbe_resolve_label(v, l_found);
          vdbe_add_op3(v, OP_SeekRowid, wd, l_null, r_t);
          vdbe_add_op3(v, OP_Column, wd, f->arg_col, f->res);
          vdbe_add_op2(v, OP_Goto, 0, l_end);
          vdbe_resolve_label(v, l_null);
          vdbe_add_op2(v, OP_Null, 0, f->res);
          vdbe_resolve_label(v, l_end);
          continue;
        }
        vdbe_add_op3(v, OP_Add, r_n, r_s, r_t);
        vdbe_add_op2(v, OP_AddImm, r_t, -1);
        vdbe_add_op2(v, OP_IsNull, r_t, l_null);
        jmp_if(p, OP_Lt, r_t, r_s, l_null);
        jmp_if(p, OP_Gt, r_t, r_e, l_null);
        jmp_if(p, OP_Gt, r_t, r_pe, l_null);
        vdbe_add_op3(v, OP_SeekRowid, wd, l_null, r_t);
        vdbe_add_op3(v, OP_Column, wd, f->arg_col, f->res);
        vdbe_add_op2(v, OP_Goto, 0, l_end);
        vdbe_resolve_label(v, l_null);
        vdbe_add_op2(v, OP_Null, 0, f->res);
        vdbe_resolve_label(v, l_end);
        continue;
      }
      if (f->exclude) {
        /* EXCLUDE: the frame minus the excluded rows, stepped afresh for
        ** every row (as SQLite's full scan) */
        int l_loop, l_next = vdbe_make_label(v), l_done = vdbe_make_label(v);
        vdbe_add_op2(v, OP_Null, 0, f->acc);
        vdbe_add_op2(v, OP_SCopy, r_s, r_t);
        l_loop = vdbe_current_addr(v);
        jmp_if(p, OP_Gt, r_t, r_e, l_done);
        jmp_if(p, OP_Gt, r_t, r_pe, l_done);
        win_jump_if_excluded(p, f->exclude, r_t, r_i, r_gs, r_ge, l_next);
        vdbe_add_op3(v, OP_SeekRowid, wd, l_next, r_t);
        win_load_args(p, f, wd, r_args, l_next);
        vdbe_add_op4(v, OP_AggStep, 0, r_args, f->acc, (void *)f->f, P4_FUNCDEF);
        vdbe_change_p5(v, (u16)f->n_arg);
        vdbe_resolve_label(v, l_next);
        vdbe_add_op2(v, OP_AddImm, r_t, 1);
        vdbe_add_op2(v, OP_Goto, 0, l_loop);
        vdbe_resolve_label(v, l_done);
        vdbe_add_op4(v, OP_AggValue, f->acc, f->n_arg, f->res, (void *)f->f, P4_FUNCDEF);
        continue;
      }
      int l_compute = vdbe_make_label(v), l_fin = vdbe_make_label(v);
      jmp_if(p, OP_Ne, r_s, f->prev_s, l_compute);
      jmp_if(p, OP_Ne, r_e, f->prev_e, l_compute);
      vdbe_add_op2(v, OP_Goto, 0, l_fin);
      vdbe_resolve_label(v, l_compute);
      vdbe_add_op2(v, OP_SCopy, r_s, f->prev_s);
      vdbe_add_op2(v, OP_SCopy, r_e, f->prev_e);
      win_step_rows(p, f, wd, f->fe, r_e, OP_AggStep, r_args);
      int l_nr = vdbe_make_label(v), l_val = vdbe_make_label(v);
      jmp_if(p, OP_Le, r_s, f->fe, l_nr);
      /* the frame starts after every row stepped so far: empty */
      vdbe_add_op2(v, OP_Null, 0, f->acc);
      vdbe_add_op2(v, OP_SCopy, r_s, f->fs);
      vdbe_add_op2(v, OP_SCopy, r_s, f->fe);
      vdbe_add_op2(v, OP_Goto, 0, l_val);
      vdbe_resolve_label(v, l_nr);
      if (f->f->x_inverse) {
        win_step_rows(p, f, wd, f->fs, r_s, OP_AggInverse, r_args);
      } else {
        int l_ok = vdbe_make_label(v);
        jmp_if(p, OP_Ge, f->fs, r_s, l_ok);
        vdbe_add_op2(v, OP_Null, 0, f->acc);
        vdbe_add_op2(v, OP_SCopy, r_s, f->fs);
        vdbe_add_op2(v, OP_SCopy, r_s, f->fe);
        win_step_rows(p, f, wd, f->fe, r_e, OP_AggStep, r_args);
        vdbe_resolve_label(v, l_ok);
      }
      vdbe_resolve_label(v, l_val);
      vdbe_add_op4(v, OP_AggValue, f->acc, f->n_arg, f->res, (void *)f->f, P4_FUNCDEF);
      vdbe_resolve_label(v, l_fin);
    }
    {
      int rec2 = parse_alloc_reg(p);
      vdbe_add_op3(v, OP_Column, wc, np + no + 1, r_seq);
      vdbe_add_op3(v, OP_MakeRecord, r_out, sp->n_wf, rec2);
      vdbe_add_op3(v, OP_Insert, sp->r_cur, rec2, r_seq);
    }
    vdbe_add_op2(v, OP_Next, wc, top3);
    vdbe_resolve_label(v, l_done);
  }
  if (p->rc) {
    agg_free(&ai);
    return;
  }
  /* output in the first window's order (as SQLite) */
  for (int i = 0; i < n_wf; i++) wf[i].final_reg = parse_alloc_reg(p);
  WinSpec *last = &spec[0];
  int np = last->part ? last->part->n : 0, no = last->order ? last->order->n : 0;
  int l_end = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Rewind, last->w_cur, l_end);
  int top4 = vdbe_current_addr(v);
  int cont = vdbe_make_label(v);
  vdbe_add_op3(v, OP_Column, last->w_cur, np + no + 1, r_seq);
  vdbe_add_op3(v, OP_SeekRowid, t0, cont, r_seq);
  for (int i = 0; i < nc; i++) vdbe_add_op3(v, OP_Column, t0, i, ai.cols[i].reg);
  for (int k = 0; k < n_spec; k++) {
    vdbe_add_op3(v, OP_SeekRowid, spec[k].r_cur, cont, r_seq);
    for (int i = 0; i < n_wf; i++)
      if (wf[i].spec == k) vdbe_add_op3(v, OP_Column, spec[k].r_cur, wf[i].idx_in_spec, wf[i].final_reg);
  }
  for (int i = 0; i < n_wf; i++) {
    Expr *e = wf[i].e;
    e->op = EX_AGG_COLUMN;
    e->res_agg = wf[i].final_reg;
    e->res_affinity = 0;
    e->res_ptr = NULL;
  }
  int n = s->result->n;
  int r = parse_alloc_regs(p, n);
  expr_code_list(p, s->result, r);
  emit_row(p, em, r, cont);
  vdbe_resolve_label(v, cont);
  vdbe_add_op2(v, OP_Next, last->w_cur, top4);
  vdbe_resolve_label(v, l_end);
  agg_free(&ai);
}

static int list_same(Parse *p, ExprList *a, ExprList *b) {
  SHALE_UNUSED(p);
  int na = a ? a->n : 0, nb = b ? b->n : 0;
  if (na != nb) return 0;
  for (int i = 0; i < na; i++) {
    if (a->a[i].sort_desc != b->a[i].sort_desc || a->a[i].nulls != b->a[i].nulls) return 0;
    if (!resolve_expr_equal(a->a[i].expr, b->a[i].expr)) return 0;
  }
  return 1;
}

/* ------------------------------------------------------------- flattening -- */
/* A FROM subquery (or view) that is a plain join/filter/projection is merged
** into the outer query, as SQLite's flattener does: its FROM items replace
** the subquery item, its WHERE is ANDed in, and references to its columns
** become copies of its result expressions. */
static void flat_subst_select(Select *s, int cursor, ExprList *res, int depth);
static void flat_subst(Expr *e, int cursor, ExprList *res, int depth);

static void flat_add_depth(Expr *e, int depth) {
  if (!e || depth == 0) return;
  if (e->op == EX_COLUMN) e->res_depth += depth;
  flat_add_depth(e->left, depth);
  flat_add_depth(e->right, depth);
  flat_add_depth(e->extra, depth);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) flat_add_depth(e->list->a[i].expr, depth);
}

static void flat_subst(Expr *e, int cursor, ExprList *res, int depth) {
  if (!e) return;
  if (e->op == EX_COLUMN && e->res_cursor == cursor) {
    int c = e->res_column;
    if (c < 0) {
      e->op = EX_NULL; /* the rowid of a flattened subquery (as SQLite) */
      return;
    }
    if (c >= res->n) return;
    Expr *cp = ast_dup_expr(res->a[c].expr);
    if (!cp) return;
    flat_add_depth(cp, depth);
    int pos = e->pos;
    Expr tmp = *e;
    *e = *cp;
    *cp = tmp;
    e->pos = pos;
    ast_free_expr(cp);
    return;
  }
  if (e->select) flat_subst_select(e->select, cursor, res, depth + 1);
  flat_subst(e->left, cursor, res, depth);
  flat_subst(e->right, cursor, res, depth);
  flat_subst(e->extra, cursor, res, depth);
  if (e->list)
    for (int i = 0; i < e->list->n; i++) flat_subst(e->list->a[i].expr, cursor, res, depth);
  if (e->order_by)
    for (int i = 0; i < e->order_by->n; i++) flat_subst(e->order_by->a[i].expr, cursor, res, depth);
  if (e->over) {
    if (e->over->partition_by)
      for (int i = 0; i < e->over->partition_by->n; i++) flat_subst(e->over->partition_by->a[i].expr, cursor, res, depth);
    if (e->over->order_by)
      for (int i = 0; i < e->over->order_by->n; i++) flat_subst(e->over->order_by->a[i].expr, cursor, res, depth);
  }
}

static void flat_subst_list(ExprList *l, int cursor, ExprList *res, int depth) {
  if (l)
    for (int i = 0; i < l->n; i++) flat_subst(l->a[i].expr, cursor, res, depth);
}

static void flat_subst_select(Select *s, int cursor, ExprList *res, int depth) {
  for (; s; s = s->prior) {
    flat_subst_list(s->result, cursor, res, depth);
    flat_subst(s->where, cursor, res, depth);
    flat_subst_list(s->group_by, cursor, res, depth);
    flat_subst(s->having, cursor, res, depth);
    flat_subst_list(s->order_by, cursor, res, depth);
    for (Window *w = s->windows; w; w = w->next) {
      flat_subst_list(w->partition_by, cursor, res, depth);
      flat_subst_list(w->order_by, cursor, res, depth);
    }
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        flat_subst(s->from->a[i].on, cursor, res, depth);
        if (s->from->a[i].subquery) flat_subst_select(s->from->a[i].subquery, cursor, res, depth + 1);
      }
  }
}

static int expr_has_subquery(const Expr *e) {
  if (!e) return 0;
  if (e->select) return 1;
  if (expr_has_subquery(e->left) || expr_has_subquery(e->right) || expr_has_subquery(e->extra)) return 1;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (expr_has_subquery(e->list->a[i].expr)) return 1;
  return 0;
}

/* The outer query's result uses an aggregate whose value depends on the order
** of its input rows (anything but count(), min() and max(): SQLite's
** SF_OrderByReqd), so a FROM subquery's ORDER BY must be kept for it. */
static int expr_has_ordered_agg(Parse *p, const Expr *e) {
  if (!e) return 0;
  if (e->op == EX_FUNCTION && !e->over && expr_is_agg_func(p, e)) {
    const FuncDef *f = (const FuncDef *)e->res_ptr;
    const char *n = f ? f->name : NULL;
    if (!n || (shale_stricmp(n, "count") && shale_stricmp(n, "min") && shale_stricmp(n, "max"))) return 1;
  }
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS) return 0;
  if (expr_has_ordered_agg(p, e->left) || expr_has_ordered_agg(p, e->right) || expr_has_ordered_agg(p, e->extra))
    return 1;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (expr_has_ordered_agg(p, e->list->a[i].expr)) return 1;
  return 0;
}

/* SQLite's omit-ORDER-BY step before flattening: a FROM subquery's ORDER BY
** (without LIMIT) is dropped when it cannot matter — the outer query has its
** own ORDER BY, or the subquery is one side of a join — unless an outer
** aggregate depends on the row order. */
static void omit_useless_order_by(Parse *p, Select *outer, SrcItem *it) {
  Select *sub = it->subquery;
  if (!sub || !sub->order_by || sub->limit) return;
  if (!outer->order_by && outer->from->n < 2) return;
  if (outer->result)
    for (int k = 0; k < outer->result->n; k++)
      if (expr_has_ordered_agg(p, outer->result->a[k].expr)) return;
  ast_free_expr_list(sub->order_by);
  sub->order_by = NULL;
}

/* How the outer query is used (flatten_from). */
#define FLAT_COMPOUND 1  /* an arm of a compound, whose ORDER BY / LIMIT belong to the
                            whole compound (rule 15; here a subquery with ORDER BY is
                            not merged into an arm either) */
#define FLAT_LIMIT1 2    /* a scalar or EXISTS subquery: SQLite gives it a LIMIT 1 */

/* SQLite's flattening restrictions (numbers as in its optoverview
** document, and what sqlite3 3.40 does where the document is silent). */
static int can_flatten(Parse *p, Select *outer, int i, int how) {
  SrcItem *it = &outer->from->a[i];
  Select *sub = it->subquery;
  Table *t = (Table *)it->res_ptr;
  if (!sub || !t || t->is_virtual) return 0;
  if (sub->prior || sub->with || sub->windows) return 0;
  if (sub->flags & (SELECT_F_DISTINCT | SELECT_F_VALUES)) return 0;
  if (sub->group_by || sub->having || sub->offset) return 0;            /* (14) */
  if (sub->limit || sub->order_by) {
    int outer_agg = select_is_agg(p, outer);
    if ((how & FLAT_COMPOUND) || select_has_window(outer)) return 0;    /* (15) (25) */
    if (sub->order_by && (outer->order_by || outer_agg)) return 0;      /* (11) (16) */
    if (sub->order_by && outer->from->n > 1) return 0;
    if (sub->order_by && outer->result)
      for (int k = 0; k < outer->result->n; k++)
        if (expr_has_subquery(outer->result->a[k].expr)) return 0;
    if (sub->limit && (outer->limit || (how & FLAT_LIMIT1))) return 0;  /* (13) */
    if (sub->limit && (outer->from->n > 1 || outer_agg)) return 0;      /* (8) (9) */
    if (sub->limit && (outer->where || (outer->flags & SELECT_F_DISTINCT))) return 0; /* (19) (21) */
  }
  if (!sub->from || sub->from->n == 0 || sub->from->n + outer->from->n > 60) return 0;
  if (select_is_agg(p, sub) || select_has_window(sub)) return 0;
  if (sub->flags & SELECT_F_CORRELATED) return 0;
  if (it->join_type & (JT_LEFT | JT_RIGHT | JT_FULL)) return 0;
  if (i + 1 < outer->from->n && (outer->from->a[i + 1].join_type & (JT_RIGHT | JT_FULL))) return 0;
  if (outer->from->n > 1 && (outer->flags & SELECT_F_DISTINCT)) return 0;
  for (int k = 0; k < sub->from->n; k++) {
    SrcItem *si = &sub->from->a[k];
    if (k > 0 && (si->join_type & (JT_LEFT | JT_RIGHT | JT_FULL))) return 0;
    Table *st = (Table *)si->res_ptr;
    if (!st || st->is_virtual == 2 || st->is_virtual == 3) return 0;
  }
  for (int k = 0; k < sub->result->n; k++)
    if (expr_has_subquery(sub->result->a[k].expr)) return 0;
  if (select_has_window(outer) && outer->from->n > 1) return 0;
  return 1;
}

/* The subquery's ORDER BY and LIMIT become the outer query's (can_flatten
** made sure the outer query has none).  ORDER BY terms that equal an outer
** result column are read from it, as resolve_order_by marks them. */
static void flat_take_order_limit(Select *s, Select *sub) {
  if (sub->order_by) {
    s->order_by = sub->order_by;
    sub->order_by = NULL;
    for (int k = 0; k < s->order_by->n; k++) {
      ExprListItem *ob = &s->order_by->a[k];
      Expr *inner = ob->expr;
      while (inner && inner->op == EX_COLLATE) inner = inner->left;
      ob->res_order_by_col = 0;
      for (int j = 0; s->result && j < s->result->n; j++)
        if (resolve_expr_equal(inner, s->result->a[j].expr)) {
          ob->res_order_by_col = j + 1;
          break;
        }
    }
  }
  if (sub->limit) {
    s->limit = sub->limit;
    sub->limit = NULL;
  }
}

static Expr *flat_and(Expr *a, Expr *b) {
  if (!a) return b;
  if (!b) return a;
  Expr *e = ast_expr_new(EX_BINARY);
  if (!e) return a;
  e->sub_op = OP_AND_;
  e->left = a;
  e->right = b;
  return e;
}

static void flatten_from(Parse *p, Select *s, int how) {
  if (!s->from || p->rc) return;
  for (int i = 0; i < s->from->n; i++) {
    if (!(how & FLAT_COMPOUND)) omit_useless_order_by(p, s, &s->from->a[i]);
    if (!can_flatten(p, s, i, how)) continue;
    SrcItem *it = &s->from->a[i];
    Select *sub = it->subquery;
    int cursor = it->res_cursor;
    /* 1. references to the subquery's columns */
    flat_subst_select(s, cursor, sub->result, 0);
    flat_take_order_limit(s, sub);
    /* 2. WHERE and the item's ON clause */
    s->where = flat_and(s->where, sub->where);
    sub->where = NULL;
    s->where = flat_and(s->where, it->on);
    it->on = NULL;
    /* 3. FROM items */
    SrcList *nl = NULL;
    for (int k = 0; k < s->from->n; k++) {
      if (k != i) {
        nl = ast_src_list_append(nl);
        if (!nl) return;
        nl->a[nl->n - 1] = s->from->a[k];
        memset(&s->from->a[k], 0, sizeof(SrcItem));
        continue;
      }
      for (int m = 0; m < sub->from->n; m++) {
        nl = ast_src_list_append(nl);
        if (!nl) return;
        nl->a[nl->n - 1] = sub->from->a[m];
        if (m == 0) nl->a[nl->n - 1].join_type = it->join_type & ~(JT_NATURAL);
        memset(&sub->from->a[m], 0, sizeof(SrcItem));
      }
    }
    /* the old item (with its now-empty subquery) goes away */
    ast_free_src_list(s->from);
    s->from = nl;
    i = -1; /* start again: the merged items may flatten further */
  }
}

/* ---------------------------------------------------------- simple SELECT -- */
/* Code one SELECT (no compound) producing rows into em (whose limit /
** order-by the caller set up, or which this function sets up when
** own_output is set). */
static void code_simple_core(Parse *p, Select *s, Emit *em) {
  Vdbe *v = p->v;
  flatten_from(p, s, FLAT_COMPOUND); /* code_simple flattened already; compound arms here */
  int start = vdbe_current_addr(v);
  materialize_from(p, s);
  if (p->rc) return;
  if (select_has_window(s)) {
    code_window_select(p, s, em);
    coroutine_reads(p, s, start);
    return;
  }
  if (select_is_agg(p, s)) {
    code_aggregate(p, s, em, em->brk);
    coroutine_reads(p, s, start);
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
  if (em->sorter_cur == -2) {
    int save = em->sorter_cur;
    em->sorter_cur = -1;
    emit_row_lazy(p, em, r, where_continue_label(w), s->result);
    em->sorter_cur = save;
  } else {
    emit_row_lazy(p, em, r, where_continue_label(w), s->result);
  }
  where_end(w);
  coroutine_reads(p, s, start);
  SHALE_UNUSED(v);
}

/* An aggregate query whose ORDER BY needs no sort, as in SQLite: without
** GROUP BY there is one row; an ORDER BY naming the GROUP BY terms in
** order (any directions, default NULLs placement) is how the groups come
** out already (code_aggregate sorts the groups in its directions). */
static int agg_order_by_is_free(Select *s) {
  ExprList *ob = s->order_by, *gb = s->group_by;
  if (!ob || select_has_window(s)) return 0;
  if (!gb) return 1;
  if (ob->n != gb->n) return 0;
  for (int i = 0; i < ob->n; i++) {
    int nulls = ob->a[i].nulls;
    if ((nulls == 2 && !ob->a[i].sort_desc) || (nulls == 1 && ob->a[i].sort_desc)) return 0;
    if (!resolve_expr_equal(ob->a[i].expr, gb->a[i].expr)) return 0;
  }
  return 1;
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
  /* may bring the subquery's ORDER BY / LIMIT */
  flatten_from(p, s, dest->kind == SD_MEM || dest->kind == SD_EXISTS ? FLAT_LIMIT1 : 0);
  compute_limit(p, s, &em);
  int sorter_addr = vdbe_current_addr(v);
  int is_agg = select_is_agg(p, s);
  ExprList *ob = s->order_by;
  if (dest->kind == SD_EXISTS || (is_agg && agg_order_by_is_free(s))) ob = NULL;
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
    if (k->coll) k->coll[i] = parse_collseq(p, cn);
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

/* ------------------------------------------- compound with ORDER BY: merge -- */
/* SQLite's multiSelectOrderBy.  The left part of the compound (itself
** merged, recursively) and its last arm each run as a co-routine that
** delivers rows sorted by the ORDER BY terms — extended to every result
** column unless the operator is UNION ALL, each term with its explicit
** COLLATE or else the compound's collation for that column.  The two
** sorted streams are merged; for UNION, EXCEPT and INTERSECT an output row
** equal to the previous one (under this part's column collations) is
** skipped.  Which of several equal rows survives follows from that, as in
** SQLite. */
typedef struct MergeTerm {
  int col;          /* 0-based result column */
  const char *coll; /* collation name */
  int desc, nulls;  /* as ExprListItem.sort_desc / nulls */
} MergeTerm;

/* The compound's collation for result column i (multiSelectCollSeq): the
** first arm, left to right, whose expression has one. arms[na-1] is the
** first arm. */
static const char *compound_coll_name(Parse *p, Select **arms, int na, int i) {
  for (int a = na - 1; a >= 0; a--)
    if (arms[a]->result && i < arms[a]->result->n) {
      const char *cn = expr_collation_name(p, arms[a]->result->a[i].expr);
      if (cn) return cn;
    }
  return "BINARY";
}

static KeyInfo *merge_keyinfo(Parse *p, const MergeTerm *t, int nt) {
  KeyInfo *k = keyinfo_alloc(nt, 0);
  if (!k) return NULL;
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < nt; i++) {
    if (k->coll) k->coll[i] = shale_stricmp(t[i].coll, "BINARY") ? coll_find(p->db, t[i].coll) : NULL;
    if (k->sort_flags) {
      u8 f = t[i].desc ? KEYINFO_ORDER_DESC : 0;
      if ((!t[i].desc && t[i].nulls == 2) || (t[i].desc && t[i].nulls == 1)) f |= KEYINFO_ORDER_BIGNULL;
      k->sort_flags[i] = f;
    }
  }
  return k;
}

/* One arm as a co-routine whose rows come out sorted by the terms: the
** arm gets an ORDER BY of its own for the duration (its result columns
** under the terms' collations, so the planner may deliver the order from
** an index as SQLite's does). */
static void merge_code_arm(Parse *p, Select *arm, const MergeTerm *t, int nt, SelectDest *d) {
  int plain = !select_is_agg(p, arm) && !select_has_window(arm);
  ExprList *ob = NULL;
  /* without FROM the arm is at most one row: already in order */
  if (!arm->from || arm->from->n == 0) nt = 0;
  for (int i = 0; i < nt; i++) {
    const Expr *re = arm->result && t[i].col < arm->result->n ? arm->result->a[t[i].col].expr : NULL;
    Expr *inner = plain && re && re->op == EX_COLUMN ? ast_dup_expr(re) : ast_expr_new(EX_NULL);
    Expr *c = ast_expr_new(EX_COLLATE);
    ExprList *nl = c && inner ? ast_expr_list_append(ob, c) : NULL;
    if (!nl) {
      ast_free_expr(inner);
      ast_free_expr(c);
      ast_free_expr_list(ob);
      p->rc = SQLITE_NOMEM;
      return;
    }
    ob = nl;
    c->left = inner;
    c->text = shale_strdup(t[i].coll);
    ob->a[i].sort_desc = t[i].desc;
    ob->a[i].nulls = t[i].nulls;
    ob->a[i].res_order_by_col = t[i].col + 1;
  }
  ExprList *save_ob = arm->order_by;
  Expr *save_limit = arm->limit, *save_offset = arm->offset;
  arm->order_by = ob;
  arm->limit = arm->offset = NULL;
  code_simple(p, arm, d);
  arm->order_by = save_ob;
  arm->limit = save_limit;
  arm->offset = save_offset;
  ast_free_expr_list(ob);
}

/* A subroutine that outputs the n registers at r through out (skipping a
** row equal to the previous one when reg_prev is set); returns its
** address. */
static int merge_output_sub(Parse *p, Emit *out, int r, int reg_ret, int reg_prev, KeyInfo *kdup) {
  Vdbe *v = p->v;
  int n = out->n;
  int cont = vdbe_make_label(v);
  int addr = vdbe_current_addr(v);
  if (reg_prev) {
    int a1 = vdbe_add_op1(v, OP_IfNot, reg_prev);
    int a2 = vdbe_add_op4(v, OP_Compare, r, reg_prev + 1, n, kdup, P4_KEYINFO);
    vdbe_add_op3(v, OP_Jump, a2 + 2, cont, a2 + 2);
    vdbe_jump_here(v, a1);
    vdbe_add_op3(v, OP_Copy, r, reg_prev + 1, n - 1);
    vdbe_add_op2(v, OP_Integer, 1, reg_prev);
  } else if (kdup) {
    keyinfo_unref(kdup);
  }
  emit_row(p, out, r, cont);
  vdbe_resolve_label(v, cont);
  vdbe_add_op1(v, OP_Return, reg_ret);
  return addr;
}

/* Merge the compound whose last arm is arms[j] (arms[na-1] is the first)
** into out, sorted by the terms. */
static void merge_level(Parse *p, Select **arms, int na, int j, const MergeTerm *terms, int n_terms, Emit *out) {
  Vdbe *v = p->v;
  int n = out->n;
  int op = arm_op(arms[j]);
  MergeTerm *t = sqlite3_malloc64(sizeof(MergeTerm) * (u64)(n_terms + n + 1));
  int *perm = sqlite3_malloc64(sizeof(int) * (u64)(n_terms + n + 1));
  if (!t || !perm) {
    sqlite3_free(t);
    sqlite3_free(perm);
    p->rc = SQLITE_NOMEM;
    return;
  }
  int nt = n_terms;
  memcpy(t, terms, sizeof(MergeTerm) * (size_t)n_terms);
  if (op != CO_UNION_ALL) /* every column takes part in the order */
    for (int c = 0; c < n; c++) {
      int k = 0;
      while (k < nt && t[k].col != c) k++;
      if (k == nt) t[nt++] = (MergeTerm){c, compound_coll_name(p, arms + j, na - j, c), 0, 0};
    }
  perm[0] = nt;
  for (int k = 0; k < nt; k++) perm[k + 1] = t[k].col;

  static const char *const names[] = {"UNION ALL", "UNION", "EXCEPT", "INTERSECT"};
  int oi = op == CO_UNION_ALL ? 0 : op == CO_UNION ? 1 : op == CO_EXCEPT ? 2 : 3;
  int save_parent = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "MERGE (%s)", names[oi]);
    p->eqp_parent = id;
  }
  int reg_prev = 0;
  if (op != CO_UNION_ALL) {
    reg_prev = parse_alloc_regs(p, n + 1);
    vdbe_add_op2(v, OP_Integer, 0, reg_prev);
  }
  int label_end = out->brk;
  int reg_a = parse_alloc_regs(p, n + 1), reg_b = parse_alloc_regs(p, n + 1);
  SelectDest da, db;
  memset(&da, 0, sizeof(da));
  da.kind = SD_COROUTINE;
  da.reg = reg_a;
  da.n_reg = n;
  db = da;
  db.reg = reg_b;

  /* co-routine A: everything left of the last operator */
  int sp = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "LEFT");
    p->eqp_parent = id;
  }
  int init_a = vdbe_add_op3(v, OP_InitCoroutine, reg_a, 0, vdbe_current_addr(v) + 1);
  if (j + 1 < na - 1) {
    Emit ea;
    memset(&ea, 0, sizeof(ea));
    ea.dest = &da;
    ea.n = n;
    ea.distinct_cur = ea.sorter_cur = ea.queue_distinct = -1;
    ea.brk = vdbe_make_label(v);
    merge_level(p, arms, na, j + 1, t, nt, &ea);
    vdbe_resolve_label(v, ea.brk);
  } else {
    merge_code_arm(p, arms[j + 1], t, nt, &da);
  }
  vdbe_add_op1(v, OP_EndCoroutine, reg_a);
  vdbe_jump_here(v, init_a);
  p->eqp_parent = sp;

  /* co-routine B: the last arm */
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "RIGHT");
    p->eqp_parent = id;
  }
  int init_b = vdbe_add_op3(v, OP_InitCoroutine, reg_b, 0, vdbe_current_addr(v) + 1);
  merge_code_arm(p, arms[j], t, nt, &db);
  vdbe_add_op1(v, OP_EndCoroutine, reg_b);
  p->eqp_parent = sp;

  /* output subroutines */
  int ret_a = parse_alloc_reg(p), ret_b = parse_alloc_reg(p);
  KeyInfo *kdup_a = reg_prev ? compound_keyinfo(p, arms + j, na - j, n) : NULL;
  KeyInfo *kdup_b = reg_prev ? compound_keyinfo(p, arms + j, na - j, n) : NULL;
  int out_a = merge_output_sub(p, out, reg_a + 1, ret_a, reg_prev, kdup_a);
  int out_b = merge_output_sub(p, out, reg_b + 1, ret_b, reg_prev, kdup_b);

  /* A is exhausted: the rest of B (UNION, UNION ALL) */
  int eof_a, eof_a_nob;
  if (op == CO_EXCEPT || op == CO_INTERSECT) {
    eof_a = eof_a_nob = label_end;
  } else {
    eof_a = vdbe_add_op2(v, OP_Gosub, ret_b, out_b);
    eof_a_nob = vdbe_add_op2(v, OP_Yield, reg_b, label_end);
    vdbe_add_op2(v, OP_Goto, 0, eof_a);
  }
  /* B is exhausted: the rest of A (not INTERSECT) */
  int eof_b;
  if (op == CO_INTERSECT) {
    eof_b = eof_a;
  } else {
    eof_b = vdbe_add_op2(v, OP_Gosub, ret_a, out_a);
    vdbe_add_op2(v, OP_Yield, reg_a, label_end);
    vdbe_add_op2(v, OP_Goto, 0, eof_b);
  }
  int label_cmp = vdbe_make_label(v);
  /* A < B: output A (not INTERSECT), next A */
  int a_lt_b = vdbe_add_op2(v, OP_Gosub, ret_a, out_a);
  vdbe_add_op2(v, OP_Yield, reg_a, eof_a);
  vdbe_add_op2(v, OP_Goto, 0, label_cmp);
  /* A == B */
  int a_eq_b;
  if (op == CO_UNION_ALL) {
    a_eq_b = a_lt_b;
  } else if (op == CO_INTERSECT) {
    a_eq_b = a_lt_b;
    a_lt_b++;
  } else {
    a_eq_b = vdbe_add_op2(v, OP_Yield, reg_a, eof_a);
    vdbe_add_op2(v, OP_Goto, 0, label_cmp);
  }
  /* A > B: output B (UNION, UNION ALL), next B */
  int a_gt_b = vdbe_current_addr(v);
  if (op == CO_UNION_ALL || op == CO_UNION) vdbe_add_op2(v, OP_Gosub, ret_b, out_b);
  vdbe_add_op2(v, OP_Yield, reg_b, eof_b);
  vdbe_add_op2(v, OP_Goto, 0, label_cmp);

  /* start: first row of each */
  vdbe_jump_here(v, init_b);
  vdbe_add_op2(v, OP_Yield, reg_a, eof_a_nob);
  vdbe_add_op2(v, OP_Yield, reg_b, eof_b);
  vdbe_resolve_label(v, label_cmp);
  vdbe_add_op4(v, OP_Permutation, 0, 0, 0, perm, P4_INTARRAY);
  vdbe_add_op4(v, OP_Compare, reg_a + 1, reg_b + 1, nt, merge_keyinfo(p, t, nt), P4_KEYINFO);
  vdbe_change_p5(v, OPFLAG_PERMUTE);
  vdbe_add_op3(v, OP_Jump, a_lt_b, a_eq_b, a_gt_b);
  sqlite3_free(t);
  p->eqp_parent = save_parent;
}

/* The ORDER BY of a compound sorted as a subquery: each term reads its
** result column under its COLLATE, or else the collation of the first
** arm's expression (the subquery column's), or BINARY. */
static ExprList *subquery_sort_terms(Parse *p, Select *first, ExprList *ob) {
  ExprList *l = NULL;
  for (int i = 0; i < ob->n; i++) {
    const ExprListItem *it = &ob->a[i];
    int col = it->res_order_by_col - 1;
    const char *cn = it->expr->op == EX_COLLATE ? it->expr->text : NULL;
    if (!cn && first->result && col < first->result->n) cn = expr_collation_name(p, first->result->a[col].expr);
    Expr *c = ast_expr_new(EX_COLLATE);
    ExprList *nl = c ? ast_expr_list_append(l, c) : NULL;
    if (!nl) {
      ast_free_expr(c);
      ast_free_expr_list(l);
      p->rc = SQLITE_NOMEM;
      return NULL;
    }
    l = nl;
    c->left = ast_expr_new(EX_NULL);
    c->text = shale_strdup(cn ? cn : "BINARY");
    l->a[i].sort_desc = it->sort_desc;
    l->a[i].nulls = it->nulls;
    l->a[i].res_order_by_col = it->res_order_by_col;
  }
  return l;
}

static void code_merge(Parse *p, Select **arms, int na, ExprList *ob, Emit *em) {
  MergeTerm *t = sqlite3_malloc64(sizeof(MergeTerm) * (u64)(ob->n + 1));
  if (!t) {
    p->rc = SQLITE_NOMEM;
    return;
  }
  for (int i = 0; i < ob->n; i++) {
    const ExprListItem *it = &ob->a[i];
    t[i].col = it->res_order_by_col - 1;
    t[i].coll = it->expr && it->expr->op == EX_COLLATE ? it->expr->text
                                                       : compound_coll_name(p, arms, na, t[i].col);
    t[i].desc = it->sort_desc;
    t[i].nulls = it->nulls;
  }
  merge_level(p, arms, na, 0, t, ob->n, em);
  sqlite3_free(t);
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
  int all_union_all = 1;
  for (int i = 0; i < na - 1; i++)
    if (arm_op(arms[i]) != CO_UNION_ALL) all_union_all = 0;
  /* With an ORDER BY (not needed for EXISTS), SQLite merges sorted arms;
  ** but when an ORDER BY term has a COLLATE and some operator is not UNION
  ** ALL, it sorts the rows of the compound computed without it
  ** (convertCompoundSelectToSubquery). */
  ExprList *sort_ob = NULL;
  if (last->order_by && dest->kind != SD_EXISTS) {
    int has_collate = 0;
    for (int i = 0; i < last->order_by->n; i++)
      if (last->order_by->a[i].expr && last->order_by->a[i].expr->op == EX_COLLATE) has_collate = 1;
    if (all_union_all || !has_collate) {
      code_merge(p, arms, na, last->order_by, &em);
      vdbe_resolve_label(v, em.brk);
      return;
    }
    sort_ob = subquery_sort_terms(p, first, last->order_by);
    if (!sort_ob) return;
    setup_order_by(p, &em, sort_ob, n);
  }
  /* A multi-row VALUES list shows as one row of the plan, as in SQLite. */
  int values_list = all_union_all && !last->limit;
  for (int i = 0; i < na && values_list; i++)
    if (!(arms[i]->flags & SELECT_F_VALUES)) values_list = 0;
  int save_parent = p->eqp_parent;
  if (p->explain == 2 && values_list) {
    select_explain(p, "SCAN %d CONSTANT ROWS", na);
  } else if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "COMPOUND QUERY");
    p->eqp_parent = id;
  }
  if (all_union_all) {
    for (int i = na - 1; i >= 0 && !p->rc; i--) {
      if (p->explain == 2 && !values_list) {
        int id0 = vdbe_current_addr(v);
        select_explain(p, i == na - 1 ? "LEFT-MOST SUBQUERY" : "UNION ALL");
        int sp = p->eqp_parent;
        p->eqp_parent = id0;
        Emit arm_em = em;
        arm_em.distinct_cur = -1;
        if ((arms[i]->flags & SELECT_F_DISTINCT)) setup_distinct(p, &arm_em, arms[i]->result);
        if ((!arms[i]->from || arms[i]->from->n == 0) && !select_is_agg(p, arms[i]))
          select_explain(p, "SCAN CONSTANT ROW");
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
  for (int j = 0; j < n; j++) {
    vdbe_add_op3(v, OP_Column, cur, j, r + j);
    /* sorted as a subquery: its columns' REAL affinity applies on reading */
    if (sort_ob && first->result && j < first->result->n &&
        expr_affinity(p, first->result->a[j].expr) == SQLITE_AFF_REAL)
      vdbe_add_op1(v, OP_RealAffinity, r + j);
  }
  emit_row(p, &em, r, cont);
  vdbe_resolve_label(v, cont);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, a);
  emit_sorted(p, &em);
  vdbe_resolve_label(v, em.brk);
  p->eqp_parent = save_parent;
  ast_free_expr_list(sort_ob);
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
      char *name = resolve_column_name(p, it, i);
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
