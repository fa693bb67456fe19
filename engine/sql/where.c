/*
** where.c — the planner: one nested loop per FROM item.  For each item it
** chooses a full scan, a rowid lookup or range, or an index lookup (equality
** on leading columns plus one range column), uses a covering index when it
** holds every column the query needs, and notices when an index delivers
** the ORDER BY order.  Terms of the WHERE clause are coded at the innermost
** loop where all their tables are available; LEFT JOIN ON terms at their
** own level, with the NULL-row pass SQLite uses.
*/
#include "select_int.h"
#include <stdarg.h>

#define MAX_LEVELS 64
#define MAX_TERMS 256

typedef struct WTerm {
  Expr *e;
  u64 mask;          /* FROM items referenced */
  int on_level;      /* LEFT JOIN ON term: the item index that owns it, else -1 */
  int done;
  int is_where;      /* from the WHERE clause (not an ON clause) */
  int virt;          /* synthesized (OR of equalities -> IN): never coded itself */
  int child;         /* OR term: index of its virtual IN term, or -1 */
} WTerm;

enum { PLAN_SCAN, PLAN_ROWID_EQ, PLAN_ROWID_RANGE, PLAN_INDEX, PLAN_PSEUDO, PLAN_ONEROW };

typedef struct WLevel {
  int from;            /* index in the SrcList */
  SrcItem *item;
  Table *tab;
  int cursor;
  int plan;
  Index *idx;
  int idx_cursor;
  int covering;
  int n_eq;
  WTerm *eq[16];       /* equality terms, one per leading index column */
  int eq_col_is_left[16];
  WTerm *lo, *hi;      /* range bounds */
  int lo_left, hi_left;
  int desc;            /* walk backwards */
  int left_join;
  int reg_match;
  int reg_nullpass;    /* 1 while the LEFT JOIN NULL row is being processed */
  int addr_first;      /* label: after the ON terms (match flag set) */
  int cont, brk;       /* labels */
  int top;             /* address of the loop body start */
  int next_op;         /* OP_Next / OP_Prev / 0 */
  int auto_idx;        /* idx is a transient automatic index */
  int pk_seek;         /* WITHOUT ROWID: find the row by the PK columns of the index entry */
  int n_in;            /* IN operators driving this loop (outer loops over value sets) */
  int in_cur[16], in_top[16];
  int in_exit;         /* label after the IN loops */
  int next_cursor;
} WLevel;

struct WhereInfo {
  Parse *p;
  SrcList *src;
  int n_level;
  WLevel lv[MAX_LEVELS];
  int n_term;
  int n_level_planned;
  WTerm terms[MAX_TERMS];
  int brk;             /* break out of everything */
  int cont;            /* continue the innermost loop */
  int order_ok;
  int remap_base;
  int right;           /* level index of a RIGHT/FULL JOIN item (the last), or -1 */
  int reg_ret;         /* RIGHT JOIN: the loop body is a subroutine */
  int body;            /* label of the body */
  int body_ret;        /* label: Return */
  int match_cur;       /* ephemeral index of matched right-table rowids */
  int flags;           /* WHERE_* from the caller */
  Expr *synth[32];     /* synthesized expressions, freed by where_end */
  int n_synth;
};

/* ----------------------------------------------------------- analysis -- */
static int src_index_of_cursor(SrcList *src, int cur) {
  if (!src) return -1;
  for (int i = 0; i < src->n; i++)
    if (src->a[i].res_cursor == cur) return i;
  return -1;
}

static u64 expr_mask(SrcList *src, const Expr *e);
static u64 list_mask(SrcList *src, const ExprList *l) {
  u64 m = 0;
  if (l)
    for (int i = 0; i < l->n; i++) m |= expr_mask(src, l->a[i].expr);
  return m;
}
static u64 select_mask(SrcList *src, const Select *s) {
  u64 m = 0;
  for (; s; s = s->prior) {
    m |= list_mask(src, s->result) | expr_mask(src, s->where) | list_mask(src, s->group_by) |
         expr_mask(src, s->having) | list_mask(src, s->order_by) | expr_mask(src, s->limit) |
         expr_mask(src, s->offset);
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        m |= expr_mask(src, s->from->a[i].on);
        if (s->from->a[i].subquery) m |= select_mask(src, s->from->a[i].subquery);
      }
  }
  return m;
}
static u64 expr_mask(SrcList *src, const Expr *e) {
  if (!e) return 0;
  u64 m = 0;
  if (e->op == EX_COLUMN) {
    int i = src_index_of_cursor(src, e->res_cursor);
    if (i >= 0 && i < 64) m |= (u64)1 << i;
  }
  if (e->select) m |= select_mask(src, e->select);
  m |= expr_mask(src, e->left) | expr_mask(src, e->right) | expr_mask(src, e->extra) | list_mask(src, e->list);
  return m;
}

static void add_terms_x(WhereInfo *w, Expr *e, int on_level, int is_where) {
  if (!e) return;
  if (e->op == EX_BINARY && e->sub_op == OP_AND_) {
    add_terms_x(w, e->left, on_level, is_where);
    add_terms_x(w, e->right, on_level, is_where);
    return;
  }
  if (w->n_term >= MAX_TERMS) {
    parse_error(w->p, "too many WHERE terms");
    return;
  }
  WTerm *t = &w->terms[w->n_term++];
  memset(t, 0, sizeof(*t));
  t->e = e;
  t->mask = expr_mask(w->src, e);
  t->on_level = on_level;
  t->done = 0;
  t->is_where = is_where;
  t->child = -1;
  /* x = a OR x = b OR ...  ->  a virtual  x IN (a, b, ...) */
  if (e->op == EX_BINARY && e->sub_op == OP_OR_ && w->n_synth < 32 && w->n_term < MAX_TERMS) {
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
      if (expr_mask(w->src, val) & expr_mask(w->src, c)) ok = 0;
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
        w->n_term++;
      }
    }
  }
}
static void add_terms(WhereInfo *w, Expr *e, int on_level) { add_terms_x(w, e, on_level, 0); }

/* Column usage of one cursor across the statement, for covering checks. */
typedef struct ColUse {
  int cursor;
  u64 cols;     /* bit c: column c used (c >= 63 -> bit 63 = "many") */
  int rowid;
} ColUse;

static void col_use_expr(ColUse *u, const Expr *e);
static void col_use_list(ColUse *u, const ExprList *l) {
  if (l)
    for (int i = 0; i < l->n; i++) col_use_expr(u, l->a[i].expr);
}
static void col_use_select(ColUse *u, const Select *s) {
  for (; s; s = s->prior) {
    col_use_list(u, s->result);
    col_use_expr(u, s->where);
    col_use_list(u, s->group_by);
    col_use_expr(u, s->having);
    col_use_list(u, s->order_by);
    for (Window *w = s->windows; w; w = w->next) {
      col_use_list(u, w->partition_by);
      col_use_list(u, w->order_by);
    }
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        col_use_expr(u, s->from->a[i].on);
        if (s->from->a[i].subquery) col_use_select(u, s->from->a[i].subquery);
      }
  }
}
static void col_use_expr(ColUse *u, const Expr *e) {
  if (!e) return;
  if (e->op == EX_COLUMN && e->res_cursor == u->cursor) {
    if (e->res_column < 0)
      u->rowid = 1;
    else
      u->cols |= (u64)1 << (e->res_column < 63 ? e->res_column : 63);
  }
  if (e->select) col_use_select(u, e->select);
  col_use_expr(u, e->left);
  col_use_expr(u, e->right);
  col_use_expr(u, e->extra);
  col_use_list(u, e->list);
  if (e->order_by) col_use_list(u, e->order_by);
  if (e->over) {
    col_use_list(u, e->over->partition_by);
    col_use_list(u, e->over->order_by);
    col_use_expr(u, e->over->start);
    col_use_expr(u, e->over->end);
  }
}

/* ------------------------------------------------------------ planning -- */
/* If term e is "col OP expr" (or reversed) on cursor `cur`, return the
** column (-1 rowid) via *col and the normalized operator; else 0. */
static int is_in_term(const Expr *e) {
  if (!e || (e->op != EX_IN_LIST && e->op != EX_IN_SELECT) || (e->flags & EXPR_F_NOT)) return 0;
  const Expr *l = e->left;
  if (!l || l->op != EX_COLUMN) return 0;
  if (e->op == EX_IN_LIST) return e->list && e->list->n > 0;
  const Select *s = e->select;
  if (!s) return 0;
  while (s->prior) s = s->prior;
  return s->result && s->result->n == 1;
}

static int term_on_column(const Expr *e, int cur, int *col, int *op, int *col_is_left) {
  if (is_in_term(e) && e->left->res_cursor == cur && e->left->res_depth == 0) {
    *col = e->left->res_column;
    *op = OP_EQ_;
    *col_is_left = 1;
    return 1;
  }
  if (!e || e->op != EX_BINARY) return 0;
  int bop = e->sub_op;
  if (bop < OP_EQ_ || bop > OP_GE_ || bop == OP_NE_) return 0;
  const Expr *l = e->left, *r = e->right;
  while (l && l->op == EX_COLLATE) l = l->left;
  while (r && r->op == EX_COLLATE) r = r->left;
  if (l && l->op == EX_COLUMN && l->res_cursor == cur && l->res_depth == 0) {
    *col = l->res_column;
    *op = bop;
    *col_is_left = 1;
    return 1;
  }
  if (r && r->op == EX_COLUMN && r->res_cursor == cur && r->res_depth == 0) {
    *col = r->res_column;
    switch (bop) {
      case OP_LT_: bop = OP_GT_; break;
      case OP_LE_: bop = OP_GE_; break;
      case OP_GT_: bop = OP_LT_; break;
      case OP_GE_: bop = OP_LE_; break;
    }
    *op = bop;
    *col_is_left = 0;
    return 1;
  }
  return 0;
}

static int aff_ok_for_index(Parse *p, const Expr *e, char col_aff) {
  if (e->op == EX_IN_SELECT) {
    const Select *s = e->select; /* the right-most arm, as SQLite */
    char a = expr_compare_affinity(p, e->left, s->result->a[0].expr);
    if (a <= SQLITE_AFF_BLOB) return 1;
    if (a == SQLITE_AFF_TEXT) return col_aff == SQLITE_AFF_TEXT;
    return col_aff >= SQLITE_AFF_NUMERIC;
  }
  if (e->op == EX_IN_LIST) return 1;
  char aff = expr_compare_affinity(p, e->left, e->right);
  if (aff <= SQLITE_AFF_BLOB) return 1;
  if (aff == SQLITE_AFF_TEXT) return col_aff == SQLITE_AFF_TEXT;
  return col_aff >= SQLITE_AFF_NUMERIC;
}

static int coll_ok_for_index(Parse *p, const Expr *e, const char *idx_coll) {
  const char *c = NULL;
  if (e->op == EX_IN_LIST || e->op == EX_IN_SELECT) {
    c = expr_collation_name(p, e->left);
    if (!c && e->op == EX_IN_SELECT) {
      const Select *s = e->select;
      c = expr_collation_name(p, s->result->a[0].expr);
    }
    return shale_stricmp(c ? c : "BINARY", idx_coll ? idx_coll : "BINARY") == 0;
  }
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

/* the non-column side of the term */
static Expr *term_value(const WTerm *t, int col_is_left) { return col_is_left ? t->e->right : t->e->left; }
static u64 value_mask(WhereInfo *w, const WTerm *t, int col_is_left) {
  if (is_in_term(t->e)) {
    u64 m = 0;
    if (t->e->list)
      for (int i = 0; i < t->e->list->n; i++) m |= expr_mask(w->src, t->e->list->a[i].expr);
    if (t->e->select) m |= select_mask(w->src, t->e->select);
    return m;
  }
  return expr_mask(w->src, term_value(t, col_is_left));
}

static int term_usable(WhereInfo *w, WTerm *t, int li, u64 avail, u64 self) {
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

static void plan_level(WhereInfo *w, int li, u64 avail, Select *sel) {
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
    int eql = 0, lol = 0, hil = 0;
    for (int i = 0; i < w->n_term; i++) {
      WTerm *tm = &w->terms[i];
      int col, op, cil;
      if (!term_usable(w, tm, li, avail, self)) continue;
      if (!term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
      if (!(col < 0 || col == t->ipk)) continue;
      if (value_mask(w, tm, cil) & self) continue;
      if (op == OP_EQ_ && !eq) {
        eq = tm;
        eql = cil;
      } else if ((op == OP_GT_ || op == OP_GE_) && !lo) {
        lo = tm;
        lol = cil;
      } else if ((op == OP_LT_ || op == OP_LE_) && !hi) {
        hi = tm;
        hil = cil;
      }
    }
    if (eq) {
      lv->plan = PLAN_ROWID_EQ;
      lv->eq[0] = eq;
      lv->eq_col_is_left[0] = eql;
      lv->n_eq = 1;
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
      }
    }
  }
  /* columns used, for covering */
  ColUse u;
  memset(&u, 0, sizeof(u));
  u.cursor = lv->cursor;
  if (sel)
    col_use_select(&u, sel);
  else
    u.cols = ~(u64)0;
  for (int i = 0; i < w->n_term; i++) col_use_expr(&u, w->terms[i].e);
  for (Index *ix = t->indexes; ix; ix = ix->next) {
    if (ix->where) continue; /* partial indexes: not used */
    if (lv->item->indexed_by && shale_stricmp(lv->item->indexed_by, ix->name)) continue;
    int has_expr = 0;
    for (int j = 0; j < ix->n_key_col; j++)
      if (ix->columns[j] == -2) has_expr = 1;
    if (has_expr) continue;
    WTerm *eqs[16];
    int eql[16];
    int n_eq = 0;
    WTerm *lo = NULL, *hi = NULL;
    int lol = 0, hil = 0;
    for (int j = 0; j < ix->n_key_col && j < 16; j++) {
      int icol = ix->columns[j];
      char caff = icol >= 0 ? t->cols[icol].affinity : SQLITE_AFF_INTEGER;
      const char *icoll = ix->collate ? ix->collate[j] : NULL;
      WTerm *found = NULL;
      int fl = 0;
      for (int i = 0; i < w->n_term; i++) {
        WTerm *tm = &w->terms[i];
        int col, op, cil;
        if (!term_usable(w, tm, li, avail, self)) continue;
        if (!term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
        if (col == t->ipk && col >= 0) col = -1;
        int want = icol == t->ipk && icol >= 0 ? -1 : icol;
        if (col != want) continue;
        if (value_mask(w, tm, cil) & self) continue;
        if (!aff_ok_for_index(p, tm->e, caff) || !coll_ok_for_index(p, tm->e, icoll)) continue;
        int used = 0;
        for (int q = 0; q < n_eq; q++)
          if (eqs[q] == tm) used = 1;
        if (used) continue; /* an index listing a column twice: one term, one key */
        if (op == OP_EQ_) {
          found = tm;
          fl = cil;
          break;
        }
        if ((op == OP_GT_ || op == OP_GE_) && !lo) {
          lo = tm;
          lol = cil;
        }
        if ((op == OP_LT_ || op == OP_LE_) && !hi) {
          hi = tm;
          hil = cil;
        }
      }
      if (found) {
        eqs[n_eq] = found;
        eql[n_eq] = fl;
        n_eq++;
        lo = hi = NULL;
        continue;
      }
      if (ix->sort_desc && ix->sort_desc[j]) lo = hi = NULL; /* ranges on DESC columns: not used */
      break;
    }
    if (n_eq == 0 && !lo && !hi && !lv->item->indexed_by) {
      /* maybe a covering full-index scan is useful for ORDER BY; handled by caller */
      continue;
    }
    /* covering? */
    int covering = !u.rowid || !t->without_rowid;
    if (u.cols & ((u64)1 << 63)) covering = 0;
    for (int c = 0; c < t->n_col && c < 63 && covering; c++) {
      if (!(u.cols & ((u64)1 << c))) continue;
      int in = 0;
      if (c == t->ipk) in = 1;
      for (int j = 0; j < ix->n_column; j++)
        if (ix->columns[j] == c) in = 1;
      if (!in) covering = 0;
    }
    double c = n_rows;
    for (int k = 0; k < n_eq; k++) c /= (ix->unique && k == ix->n_key_col - 1) ? n_rows : 10.0;
    for (int k = 0; k < n_eq; k++)
      if (is_in_term(eqs[k]->e)) c *= eqs[k]->e->list ? eqs[k]->e->list->n : 10;
    if (lo || hi) c /= (lo && hi) ? 16 : 4;
    if (c < 1) c = 1;
    c *= covering ? 1.0 : 2.0;
    if (n_eq == ix->n_key_col && ix->unique) c = covering ? 1 : 2;
    if (c < best || (lv->item->indexed_by && lv->plan != PLAN_INDEX)) {
      best = c;
      lv->plan = PLAN_INDEX;
      lv->idx = ix;
      lv->n_eq = n_eq;
      for (int k = 0; k < n_eq; k++) {
        lv->eq[k] = eqs[k];
        lv->eq_col_is_left[k] = eql[k];
      }
      lv->lo = lo;
      lv->hi = hi;
      lv->lo_left = lol;
      lv->hi_left = hil;
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
      int ok = 1;
      for (int j = 0; j < ix->n_key_col; j++)
        if (ix->columns[j] == -2) ok = 0;
      for (int c = 0; c < t->n_col && c < 63 && ok; c++) {
        if (!(u.cols & ((u64)1 << c)) || c == t->ipk) continue;
        int in = 0;
        for (int j = 0; j < ix->n_column; j++)
          if (ix->columns[j] == c) in = 1;
        if (!in) ok = 0;
      }
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
}

/* Can an index (or the rowid) of level 0 give the ORDER BY order? */
static void plan_order_by(WhereInfo *w, ExprList *ob, Select *sel) {
  if (!ob || w->n_level == 0) return;
  WLevel *lv = &w->lv[0];
  Table *t = lv->tab;
  if (lv->plan == PLAN_PSEUDO || lv->plan == PLAN_ROWID_EQ || lv->plan == PLAN_ONEROW) {
    return;
  }
  for (int k = 0; k < lv->n_eq; k++)
    if (is_in_term(lv->eq[k]->e)) return;
  int all_asc = 1, all_desc = 1;
  for (int i = 0; i < ob->n; i++) {
    if (ob->a[i].sort_desc) {
      all_asc = 0;
      if (ob->a[i].nulls == 1) return;
    } else {
      all_desc = 0;
      if (ob->a[i].nulls == 2) return;
    }
  }
  if (!all_asc && !all_desc) return;
  int want_desc = !all_asc;
  /* rowid order */
  int full_index_scan = lv->plan == PLAN_INDEX && lv->n_eq == 0 && !lv->lo && !lv->hi && !lv->item->indexed_by &&
                        !lv->auto_idx && !t->without_rowid;
  if (ob->n == 1 && (lv->plan == PLAN_SCAN || full_index_scan || (lv->plan == PLAN_ROWID_RANGE && !want_desc)) &&
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
      return;
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
    int j = n_eq, ok = 1;
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
      if (ic != col || (ix->sort_desc && ix->sort_desc[j])) {
        ok = 0;
        break;
      }
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
        ColUse u;
        memset(&u, 0, sizeof(u));
        u.cursor = lv->cursor;
        if (sel)
          col_use_select(&u, sel);
        else
          u.cols = ~(u64)0;
        for (int i = 0; i < w->n_term; i++) col_use_expr(&u, w->terms[i].e);
        int covering = !(u.cols & ((u64)1 << 63));
        for (int c = 0; c < t->n_col && c < 63 && covering; c++) {
          if (!(u.cols & ((u64)1 << c))) continue;
          int in = c == t->ipk;
          for (int q = 0; q < ix->n_column; q++)
            if (ix->columns[q] == c) in = 1;
          if (!in) covering = 0;
        }
        lv->plan = PLAN_INDEX;
        lv->idx = ix;
        lv->n_eq = 0;
        lv->lo = lv->hi = NULL;
        lv->covering = covering;
      }
      w->order_ok = 1;
      lv->desc = want_desc;
      return;
    }
  }
}

/* --------------------------------------------------------------- explain -- */
void select_explain(Parse *p, const char *fmt, ...) {
  if (p->explain != 2) return;
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!z) return;
  int id = vdbe_current_addr(p->v);
  vdbe_add_op4(p->v, OP_Explain, id, p->eqp_parent, 0, z, P4_DYNAMIC);
}

static const char *op_text(int op) {
  switch (op) {
    case OP_LT_: return "<";
    case OP_LE_: return "<=";
    case OP_GT_: return ">";
    case OP_GE_: return ">=";
  }
  return "=";
}

static int term_op(const WTerm *t, int col_is_left) {
  int bop = t->e->sub_op;
  if (!col_is_left) {
    switch (bop) {
      case OP_LT_: return OP_GT_;
      case OP_LE_: return OP_GE_;
      case OP_GT_: return OP_LT_;
      case OP_GE_: return OP_LE_;
    }
  }
  return bop;
}

static void explain_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  if (p->explain != 2) return;
  SrcItem *it = lv->item;
  char name_buf[64];
  const char *name = it->alias ? it->alias : it->name;
  if (!name) {
    sqlite3_snprintf(sizeof(name_buf), name_buf, "(subquery-%d)", it->res_cursor);
    name = name_buf;
  }
  const char *lj = lv->left_join ? " LEFT-JOIN" : "";
  const char *scan = (w->flags & WHERE_ORDERBY_MIN) ? "SEARCH" : "SCAN";
  switch (lv->plan) {
    case PLAN_SCAN:
    case PLAN_PSEUDO:
    case PLAN_ONEROW:
      select_explain(p, "%s %s%s", scan, name, lj);
      return;
    case PLAN_ROWID_EQ:
      select_explain(p, "SEARCH %s USING INTEGER PRIMARY KEY (rowid=?)%s", name, lj);
      return;
    case PLAN_ROWID_RANGE:
      if (lv->lo && lv->hi)
        select_explain(p, "SEARCH %s USING INTEGER PRIMARY KEY (rowid%s? AND rowid%s?)%s", name,
                       op_text(term_op(lv->lo, lv->lo_left)), op_text(term_op(lv->hi, lv->hi_left)), lj);
      else
        select_explain(p, "SEARCH %s USING INTEGER PRIMARY KEY (rowid%s?)%s", name,
                       op_text(term_op(lv->lo ? lv->lo : lv->hi, lv->lo ? lv->lo_left : lv->hi_left)), lj);
      return;
    case PLAN_INDEX: {
      Index *ix = lv->idx;
      Table *t = lv->tab;
      const char *kind = lv->auto_idx ? "AUTOMATIC COVERING INDEX" : lv->covering ? "COVERING INDEX" : "INDEX";
      int is_pk_wr = t->without_rowid && ix->origin == 'p';
      if (lv->n_eq == 0 && !lv->lo && !lv->hi) {
        if (is_pk_wr)
          select_explain(p, "%s %s%s", scan, name, lj);
        else
          select_explain(p, "%s %s USING %s %s%s", scan, name, kind, ix->name, lj);
        return;
      }
      sqlite3_str *s = sqlite3_str_new(NULL);
      for (int k = 0; k < lv->n_eq; k++) {
        int c = ix->columns[k];
        const char *cn = c >= 0 ? t->cols[c].name : "rowid";
        sqlite3_str_appendf(s, "%s%s=?", k ? " AND " : "", cn);
      }
      int rc = ix->columns[lv->n_eq];
      const char *rn = rc >= 0 ? t->cols[rc].name : "rowid";
      if (lv->lo) sqlite3_str_appendf(s, "%s%s%s?", lv->n_eq ? " AND " : "", rn, op_text(term_op(lv->lo, lv->lo_left)));
      if (lv->hi)
        sqlite3_str_appendf(s, "%s%s%s?", (lv->n_eq || lv->lo) ? " AND " : "", rn, op_text(term_op(lv->hi, lv->hi_left)));
      char *z = sqlite3_str_finish(s);
      if (is_pk_wr)
        select_explain(p, "SEARCH %s USING PRIMARY KEY (%s)%s", name, z ? z : "", lj);
      else if (lv->auto_idx)
        select_explain(p, "SEARCH %s USING %s (%s)%s", name, kind, z ? z : "", lj);
      else
        select_explain(p, "SEARCH %s USING %s %s (%s)%s", name, kind, ix->name, z ? z : "", lj);
      sqlite3_free(z);
      return;
    }
  }
}

/* ---------------------------------------------------------------- coding -- */
static KeyInfo *build_index_keyinfo_q(Parse *p, Index *ix) {
  KeyInfo *k = keyinfo_alloc(ix->n_key_col, ix->n_column - ix->n_key_col);
  if (!k) return NULL;
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < ix->n_column; i++) {
    if (k->sort_flags) k->sort_flags[i] = ix->sort_desc && ix->sort_desc[i] ? KEYINFO_ORDER_DESC : 0;
    if (k->coll) {
      const char *c = ix->collate ? ix->collate[i] : NULL;
      k->coll[i] = (c && shale_stricmp(c, "BINARY") != 0) ? coll_find(p->db, c) : NULL;
    }
  }
  return k;
}

static void open_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  Table *t = lv->tab;
  if (lv->plan == PLAN_PSEUDO || lv->plan == PLAN_ONEROW) return;
  if (lv->auto_idx) {
    if (t->root && !t->is_view)
      vdbe_add_op4_int(v, OP_OpenRead, lv->cursor, (int)t->root, t->db_index, t->n_col);
    if (t->db_index >= 0 && t->db_index < 32) p->cookie_mask |= (u32)1 << t->db_index;
    lv->idx_cursor = parse_alloc_cursor(p);
    QState *q = q_state(p);
    if (q && q->n_remap < (int)SHALE_ARRAY_SIZE(q->remap)) {
      q->remap[q->n_remap].table_cursor = lv->cursor;
      q->remap[q->n_remap].index_cursor = lv->idx_cursor;
      q->remap[q->n_remap].index = lv->idx;
      q->n_remap++;
    }
    return;
  }
  int idb = t->db_index;
  if (idb >= 0 && idb < 32) p->cookie_mask |= (u32)1 << idb;
  if (t->without_rowid) {
    Index *pk = table_primary_key_index(t);
    if (lv->plan == PLAN_INDEX && lv->idx != pk && !lv->covering) {
      /* secondary index on WITHOUT ROWID: the row is found by its PRIMARY
      ** KEY columns (stored in the index entry); open the table too */
      KeyInfo *k = pk ? build_index_keyinfo_q(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      lv->idx_cursor = parse_alloc_cursor(p);
      vdbe_add_op4(v, OP_OpenRead, lv->idx_cursor, (int)lv->idx->root, idb, build_index_keyinfo_q(p, lv->idx),
                   P4_KEYINFO);
      lv->pk_seek = 1;
      return;
    }
    if (lv->plan == PLAN_INDEX && lv->idx == pk) {
      lv->idx_cursor = lv->cursor;
      KeyInfo *k = pk ? build_index_keyinfo_q(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      lv->covering = 1; /* the table itself */
      return;
    }
    if (lv->plan != PLAN_INDEX) {
      KeyInfo *k = pk ? build_index_keyinfo_q(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      return;
    }
  }
  if (!(lv->plan == PLAN_INDEX && lv->covering) || t->without_rowid) {
    if (!t->without_rowid) {
      vdbe_add_op4_int(v, OP_OpenRead, lv->cursor, (int)t->root, idb, t->n_col);
    }
  }
  if (lv->plan == PLAN_INDEX) {
    if (lv->idx_cursor <= 0 || lv->idx_cursor == lv->cursor) lv->idx_cursor = parse_alloc_cursor(p);
    vdbe_add_op4(v, OP_OpenRead, lv->idx_cursor, (int)lv->idx->root, idb, build_index_keyinfo_q(p, lv->idx),
                 P4_KEYINFO);
    if (lv->covering) {
      QState *q = q_state(p);
      if (q && q->n_remap < (int)SHALE_ARRAY_SIZE(q->remap)) {
        q->remap[q->n_remap].table_cursor = lv->cursor;
        q->remap[q->n_remap].index_cursor = lv->idx_cursor;
        q->remap[q->n_remap].index = lv->idx;
        q->n_remap++;
      }
    }
  }
}

static void code_terms(WhereInfo *w, int li, u64 avail, int only_on) {
  Parse *p = w->p;
  WLevel *lv = &w->lv[li];
  for (int i = 0; i < w->n_term; i++) {
    WTerm *t = &w->terms[i];
    if (t->done || t->virt) continue;
    if (t->child >= 0 && w->terms[t->child].done) {
      t->done = 1; /* implied by the IN lookup */
      continue;
    }
    if ((t->mask & ~avail) != 0) continue;
    if (w->right >= 0 && t->is_where && (only_on == 2 || li != w->n_level_planned - 1)) continue;
    if (only_on == 2) {
      if (t->on_level >= 0 && t->on_level != lv->from) continue;
    } else if (only_on) {
      if (t->on_level != lv->from) continue;
    } else {
      if (t->on_level >= 0) {
        /* an ON term of a later LEFT JOIN item waits for its level */
        int owner_done = 0;
        for (int k = 0; k <= li; k++)
          if (w->lv[k].from == t->on_level) owner_done = 1;
        if (!owner_done) continue;
      }
    }
    expr_code_jump_if_false(p, t->e, lv->cont, SQLITE_JUMPIFNULL);
    t->done = 1;
  }
}

/* Affinity for seek keys: the column's, unless the comparison would apply
** none (the value has an affinity and neither side is numeric), as SQLite's
** codeAllEqualityTerms does.  range_val: the value of a single range key. */
static void apply_index_affinity_x(WhereInfo *w, WLevel *lv, int reg, int first_col, int n, const Expr *range_val) {
  Parse *p = w->p;
  char buf[32];
  if (n > 30) return;
  int any = 0;
  for (int k = 0; k < n; k++) {
    int c = lv->idx->columns[first_col + k];
    char a = c >= 0 ? lv->tab->cols[c].affinity : SQLITE_AFF_INTEGER;
    if (a < SQLITE_AFF_BLOB) a = SQLITE_AFF_BLOB;
    const Expr *val = range_val;
    int j = first_col + k;
    if (!val && j < lv->n_eq && is_in_term(lv->eq[j]->e)) a = SQLITE_AFF_BLOB; /* applied when the set was built */
    if (!val && j < lv->n_eq && !is_in_term(lv->eq[j]->e)) val = term_value(lv->eq[j], lv->eq_col_is_left[j]);
    if (val) {
      char va = expr_affinity(p, val);
      if (va > SQLITE_AFF_NONE && va < SQLITE_AFF_NUMERIC && a < SQLITE_AFF_NUMERIC) a = SQLITE_AFF_BLOB;
    }
    buf[k] = a;
    if (a != SQLITE_AFF_BLOB) any = 1;
  }
  buf[n] = 0;
  if (any) vdbe_add_op4(p->v, OP_Affinity, reg, n, 0, shale_strdup(buf), P4_DYNAMIC);
}
static void apply_index_affinity(WhereInfo *w, WLevel *lv, int reg, int first_col, int n) {
  apply_index_affinity_x(w, lv, reg, first_col, n, NULL);
}

/* Open an outer loop over the values of an IN operator; each iteration puts
** the value into reg. */
static void code_in_loop(WhereInfo *w, WLevel *lv, WTerm *t, int reg, char aff, const char *coll) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  Expr *e = t->e;
  if (lv->n_in >= 16) return;
  int cur = parse_alloc_cursor(p);
  int constant = 1;
  if (e->op == EX_IN_LIST) {
    for (int i = 0; i < e->list->n; i++)
      if (!expr_is_constant(e->list->a[i].expr)) constant = 0;
  } else {
    constant = !expr_subquery_is_correlated(e->select) && value_mask(w, t, 1) == 0;
  }
  int once = constant ? vdbe_add_op0(v, OP_Once) : -1;
  KeyInfo *k = keyinfo_alloc(1, 0);
  if (k) {
    k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
    if (k->coll) k->coll[0] = (coll && shale_stricmp(coll, "BINARY")) ? coll_find(p->db, coll) : NULL;
  }
  vdbe_add_op4(v, OP_OpenEphemeral, cur, 1, 0, k, P4_KEYINFO);
  if (aff <= SQLITE_AFF_NONE) aff = SQLITE_AFF_BLOB;
  char affs[2] = {aff, 0};
  if (e->op == EX_IN_SELECT) {
    /* the comparison's affinity (lhs column vs. the subquery's column) */
    const Select *first = e->select; /* right-most arm */
    char va = expr_affinity(p, first->result->a[0].expr);
    if (va > SQLITE_AFF_NONE && va < SQLITE_AFF_NUMERIC && aff < SQLITE_AFF_NUMERIC) affs[0] = SQLITE_AFF_BLOB;
  }
  if (e->op == EX_IN_LIST) {
    int r = parse_alloc_reg(p), rec = parse_alloc_reg(p);
    for (int i = 0; i < e->list->n; i++) {
      expr_code(p, e->list->a[i].expr, r);
      char va = expr_affinity(p, e->list->a[i].expr);
      affs[0] = (va > SQLITE_AFF_NONE && va < SQLITE_AFF_NUMERIC && aff < SQLITE_AFF_NUMERIC) ? SQLITE_AFF_BLOB : aff;
      vdbe_add_op4(v, OP_MakeRecord, r, 1, rec, shale_strdup(affs), P4_DYNAMIC);
      vdbe_add_op4_int(v, OP_IdxInsert, cur, rec, r, 1);
    }
  } else {
    SelectDest d;
    memset(&d, 0, sizeof(d));
    d.kind = SD_SET;
    d.cursor = cur;
    d.affinity = affs;
    select_code(p, e->select, &d, NULL);
  }
  if (once >= 0) vdbe_jump_here(v, once);
  if (lv->n_in == 0) lv->in_exit = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Rewind, cur, lv->in_exit);
  lv->in_top[lv->n_in] = vdbe_current_addr(v);
  lv->in_cur[lv->n_in] = cur;
  lv->n_in++;
  vdbe_add_op3(v, OP_Column, cur, 0, reg);
  t->done = 1;
}

static void begin_level(WhereInfo *w, int li, u64 avail_before) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  WLevel *lv = &w->lv[li];
  u64 avail = avail_before | ((u64)1 << lv->from);
  lv->cont = vdbe_make_label(v);
  lv->brk = vdbe_make_label(v);
  if (lv->left_join) {
    lv->reg_match = parse_alloc_reg(p);
    lv->reg_nullpass = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, lv->reg_match);
    vdbe_add_op2(v, OP_Integer, 0, lv->reg_nullpass);
  }
  explain_level(w, lv);
  switch (lv->plan) {
    case PLAN_PSEUDO:
    case PLAN_SCAN:
      vdbe_add_op2(v, lv->desc ? OP_Last : OP_Rewind, lv->cursor, lv->brk);
      lv->top = vdbe_current_addr(v);
      lv->next_op = lv->desc ? OP_Prev : OP_Next;
      lv->next_cursor = lv->cursor;
      break;
    case PLAN_ONEROW:
      lv->top = vdbe_current_addr(v);
      lv->next_op = 0;
      break;
    case PLAN_ROWID_EQ: {
      int r = parse_alloc_reg(p);
      if (is_in_term(lv->eq[0]->e))
        code_in_loop(w, lv, lv->eq[0], r, SQLITE_AFF_INTEGER, NULL);
      else
        expr_code(p, term_value(lv->eq[0], lv->eq_col_is_left[0]), r);
      vdbe_add_op3(v, OP_SeekRowid, lv->cursor, lv->brk, r);
      lv->eq[0]->done = 1;
      lv->top = vdbe_current_addr(v);
      lv->next_op = 0;
      break;
    }
    case PLAN_ROWID_RANGE: {
      int r_hi = 0;
      if (lv->lo) {
        int r = parse_alloc_reg(p);
        expr_code(p, term_value(lv->lo, lv->lo_left), r);
        vdbe_add_op2(v, OP_IsNull, r, lv->brk);
        int op = term_op(lv->lo, lv->lo_left) == OP_GT_ ? OP_SeekGT : OP_SeekGE;
        vdbe_add_op3(v, op, lv->cursor, lv->brk, r);
        lv->lo->done = 1;
      } else {
        vdbe_add_op2(v, OP_Rewind, lv->cursor, lv->brk);
      }
      if (lv->hi) {
        r_hi = parse_alloc_reg(p);
        expr_code(p, term_value(lv->hi, lv->hi_left), r_hi);
        vdbe_add_op2(v, OP_IsNull, r_hi, lv->brk);
      }
      lv->top = vdbe_current_addr(v);
      if (lv->hi) {
        int r = parse_alloc_reg(p);
        vdbe_add_op2(v, OP_Rowid, lv->cursor, r);
        int op = term_op(lv->hi, lv->hi_left) == OP_LT_ ? OP_Ge : OP_Gt;
        vdbe_add_op3(v, op, r_hi, lv->brk, r);
        vdbe_change_p5(v, SQLITE_AFF_NUMERIC | SQLITE_JUMPIFNULL);
        lv->hi->done = 1;
      }
      lv->next_op = OP_Next;
      lv->next_cursor = lv->cursor;
      break;
    }
    case PLAN_INDEX: {
      int n_eq = lv->n_eq;
      int cur = lv->idx_cursor;
      if (lv->auto_idx) {
        Index *ix = lv->idx;
        Table *t = lv->tab;
        int once = vdbe_add_op0(v, OP_Once);
        KeyInfo *k = build_index_keyinfo_q(p, ix);
        vdbe_add_op4(v, OP_OpenAutoindex, cur, ix->n_column, 0, k, P4_KEYINFO);
        int r = parse_alloc_regs(p, ix->n_column), rec = parse_alloc_reg(p);
        int a = vdbe_add_op2(v, OP_Rewind, lv->cursor, 0);
        int top = vdbe_current_addr(v);
        for (int j = 0; j < ix->n_column; j++) {
          int c = ix->columns[j];
          if (c < 0 || (c == t->ipk && t->root))
            vdbe_add_op2(v, OP_Rowid, lv->cursor, r + j);
          else
            vdbe_add_op3(v, OP_Column, lv->cursor, c, r + j);
        }
        vdbe_add_op3(v, OP_MakeRecord, r, ix->n_column, rec);
        vdbe_add_op4_int(v, OP_IdxInsert, cur, rec, r, ix->n_column);
        vdbe_add_op2(v, OP_Next, lv->cursor, top);
        vdbe_jump_here(v, a);
        vdbe_jump_here(v, once);
      }
      int n_key = n_eq + ((lv->lo || lv->hi) ? 1 : 0);
      int r_key = parse_alloc_regs(p, n_key > 0 ? n_key : 1);
      for (int k = 0; k < n_eq; k++) {
        if (!is_in_term(lv->eq[k]->e)) continue;
        int c = lv->idx->columns[k];
        char a = c >= 0 ? lv->tab->cols[c].affinity : SQLITE_AFF_INTEGER;
        code_in_loop(w, lv, lv->eq[k], r_key + k, a, lv->idx->collate ? lv->idx->collate[k] : NULL);
      }
      for (int k = 0; k < n_eq; k++) {
        if (!is_in_term(lv->eq[k]->e)) expr_code(p, term_value(lv->eq[k], lv->eq_col_is_left[k]), r_key + k);
        vdbe_add_op2(v, OP_IsNull, r_key + k, lv->brk);
      }
      if (n_eq) apply_index_affinity(w, lv, r_key, 0, n_eq);
      int r_end = 0, end_n = n_eq, end_op = OP_IdxGT;
      if (lv->desc) {
        /* backwards: start at the upper bound, stop below the lower one */
        int r_hi = 0;
        if (lv->hi) {
          r_hi = parse_alloc_regs(p, n_eq + 1);
          for (int k = 0; k < n_eq; k++) vdbe_add_op2(v, OP_SCopy, r_key + k, r_hi + k);
          expr_code(p, term_value(lv->hi, lv->hi_left), r_hi + n_eq);
          vdbe_add_op2(v, OP_IsNull, r_hi + n_eq, lv->brk);
          apply_index_affinity_x(w, lv, r_hi + n_eq, n_eq, 1, term_value(lv->hi, lv->hi_left));
        }
        if (lv->lo) {
          expr_code(p, term_value(lv->lo, lv->lo_left), r_key + n_eq);
          vdbe_add_op2(v, OP_IsNull, r_key + n_eq, lv->brk);
          apply_index_affinity_x(w, lv, r_key + n_eq, n_eq, 1, term_value(lv->lo, lv->lo_left));
          end_op = term_op(lv->lo, lv->lo_left) == OP_GT_ ? OP_IdxLE : OP_IdxLT;
          end_n = n_eq + 1;
          r_end = r_key;
          lv->lo->done = 1;
        } else if (lv->hi) {
          vdbe_add_op2(v, OP_Null, 0, r_key + n_eq); /* stop at the NULLs */
          end_op = OP_IdxLE;
          end_n = n_eq + 1;
          r_end = r_key;
        } else if (n_eq) {
          end_op = OP_IdxLT;
          r_end = r_key;
        }
        if (lv->hi) {
          int op = term_op(lv->hi, lv->hi_left) == OP_LT_ ? OP_SeekLT : OP_SeekLE;
          vdbe_add_op4_int(v, op, cur, lv->brk, r_hi, n_eq + 1);
          lv->hi->done = 1;
        } else if (n_eq) {
          vdbe_add_op4_int(v, OP_SeekLE, cur, lv->brk, r_key, n_eq);
        } else {
          vdbe_add_op2(v, OP_Last, cur, lv->brk);
        }
      } else {
      if (lv->hi) {
        r_end = parse_alloc_regs(p, n_eq + 1);
        for (int k = 0; k < n_eq; k++) vdbe_add_op2(v, OP_SCopy, r_key + k, r_end + k);
        expr_code(p, term_value(lv->hi, lv->hi_left), r_end + n_eq);
        vdbe_add_op2(v, OP_IsNull, r_end + n_eq, lv->brk);
        apply_index_affinity_x(w, lv, r_end + n_eq, n_eq, 1, term_value(lv->hi, lv->hi_left));
        end_n = n_eq + 1;
        end_op = term_op(lv->hi, lv->hi_left) == OP_LT_ ? OP_IdxGE : OP_IdxGT;
        lv->hi->done = 1;
      } else if (n_eq) {
        r_end = r_key;
      }
      if (lv->lo) {
        expr_code(p, term_value(lv->lo, lv->lo_left), r_key + n_eq);
        vdbe_add_op2(v, OP_IsNull, r_key + n_eq, lv->brk);
        apply_index_affinity_x(w, lv, r_key + n_eq, n_eq, 1, term_value(lv->lo, lv->lo_left));
        int op = term_op(lv->lo, lv->lo_left) == OP_GT_ ? OP_SeekGT : OP_SeekGE;
        vdbe_add_op4_int(v, op, cur, lv->brk, r_key, n_eq + 1);
        lv->lo->done = 1;
      } else if (lv->hi) {
        /* skip NULLs: seek past (eq..., NULL) */
        vdbe_add_op2(v, OP_Null, 0, r_key + n_eq);
        vdbe_add_op4_int(v, OP_SeekGT, cur, lv->brk, r_key, n_eq + 1);
      } else if (n_eq) {
        vdbe_add_op4_int(v, OP_SeekGE, cur, lv->brk, r_key, n_eq);
      } else {
        vdbe_add_op2(v, OP_Rewind, cur, lv->brk);
      }
      }
      lv->top = vdbe_current_addr(v);
      if (end_n > 0) vdbe_add_op4_int(v, end_op, cur, lv->brk, r_end, end_n);
      for (int k = 0; k < n_eq; k++) lv->eq[k]->done = 1;
      if (!lv->covering && !lv->tab->without_rowid) {
        vdbe_add_op3(v, OP_DeferredSeek, cur, 0, lv->cursor);
      } else if (lv->pk_seek) {
        Index *pk = table_primary_key_index(lv->tab);
        int npk = pk ? pk->n_key_col : 0;
        int rk = parse_alloc_regs(p, npk > 0 ? npk : 1);
        for (int j = 0; j < npk; j++) {
          int pos = -1;
          for (int q = 0; q < lv->idx->n_column; q++)
            if (lv->idx->columns[q] == pk->columns[j]) pos = q;
          vdbe_add_op3(v, OP_Column, cur, pos, rk + j);
        }
        vdbe_add_op4_int(v, OP_NotFound, lv->cursor, lv->cont, rk, npk);
      }
      lv->next_op = lv->desc ? OP_Prev : OP_Next;
      lv->next_cursor = cur;
      break;
    }
  }
  /* LEFT JOIN: ON terms, then the match flag */
  if (lv->left_join) {
    code_terms(w, li, avail, 1);
    lv->addr_first = vdbe_current_addr(v);
    vdbe_add_op2(v, OP_Integer, 1, lv->reg_match);
  }
  if (w->right == li) {
    /* RIGHT/FULL JOIN: every ON condition first, then remember the match */
    code_terms(w, li, avail, 2);
    int r = parse_alloc_reg(p), rec = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Rowid, lv->cursor, r);
    vdbe_add_op3(v, OP_MakeRecord, r, 1, rec);
    vdbe_add_op4_int(v, OP_IdxInsert, w->match_cur, rec, r, 1);
  }
  code_terms(w, li, avail, 0);
  /* terms whose equality drove an index but that belong to WHERE on a
  ** left-join level were not marked done; code_terms handled them. */
}

/* An automatic (transient, covering) index for an inner loop that would
** otherwise be a full scan but has equality terms on outer tables. */
static void try_autoindex(WhereInfo *w, int li, u64 avail, Select *sel) {
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
      if (!term_usable(w, tm, li, avail, self)) continue;
      if (!term_on_column(tm->e, lv->cursor, &col, &op, &cil)) continue;
      if (col != c || op != OP_EQ_ || tm->e->op != EX_BINARY) continue;
      Expr *val = term_value(tm, cil);
      if (expr_mask(w->src, val) & self) continue;
      if ((expr_mask(w->src, val) & ~avail) != 0) continue;
      char caff = t->cols[c].affinity ? t->cols[c].affinity : SQLITE_AFF_BLOB;
      if (!aff_ok_for_index(p, tm->e, caff) || !coll_ok_for_index(p, tm->e, t->cols[c].collate)) continue;
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
  col_use_select(&u, sel);
  for (int i = 0; i < w->n_term; i++) col_use_expr(&u, w->terms[i].e);
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
  }
}

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
  plan_level(w, k, avail, sel);
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
                                    ExprList *order_by, int flags);

/* Release a plan: restore the remap depth and free its synthesized terms. */
static void where_free(Parse *p, WhereInfo *w) {
  QState *q = (QState *)p->query;
  if (q) q->n_remap = w->remap_base;
  for (int i = 0; i < w->n_synth; i++) ast_free_expr(w->synth[i]);
  sqlite3_free(w);
}

/* On an error the plan is discarded here (callers return at once). */
WhereInfo *where_begin_sel(Parse *p, Select *sel, SrcList *src, Expr *where, ExprList *order_by, int flags) {
  WhereInfo *w = where_begin_inner(p, sel, src, where, order_by, flags);
  if (w && p->rc) {
    where_free(p, w);
    return NULL;
  }
  return w;
}

static WhereInfo *where_begin_inner(Parse *p, Select *sel, SrcList *src, Expr *where,
                                    ExprList *order_by, int flags) {
  Vdbe *v = p->v;
  WhereInfo *w = shale_malloc_zero(sizeof(WhereInfo));
  if (!w) {
    p->rc = SQLITE_NOMEM;
    return NULL;
  }
  w->p = p;
  w->src = src;
  w->flags = flags;
  w->brk = vdbe_make_label(v);
  QState *q = q_state(p);
  w->remap_base = q ? q->n_remap : 0;
  int n = src ? src->n : 0;
  if (n > MAX_LEVELS) {
    parse_error(p, "at most %d tables in a join", MAX_LEVELS);
    return w;
  }
  add_terms_x(w, where, -1, 1);
  w->right = -1;
  for (int i = 0; i < n; i++) {
    SrcItem *it = &src->a[i];
    if (i > 0 && (it->join_type & (JT_RIGHT | JT_FULL))) {
      Table *rt = (Table *)it->res_ptr;
      if (i != n - 1 || w->right >= 0 || (rt && rt->without_rowid)) {
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
    plan_level(w, k, avail, sel);
    if (w->right != i) try_autoindex(w, k, avail, sel);
    if (w->right == i && lv->plan == PLAN_INDEX) lv->covering = 0;
    avail |= (u64)1 << i;
  }
  w->n_level = n;
  w->n_level_planned = n;
  if (p->rc) return w;
  if (w->right < 0) plan_order_by(w, order_by, sel);
  if (w->right >= 0) {
    w->match_cur = parse_alloc_cursor(p);
    KeyInfo *k = keyinfo_alloc(1, 0);
    vdbe_add_op4(v, OP_OpenEphemeral, w->match_cur, 1, 0, k, P4_KEYINFO);
  }
  for (int k = 0; k < n; k++) open_level(w, &w->lv[k]);
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
    begin_level(w, k, avail);
    avail |= (u64)1 << w->lv[k].from;
  }
  /* anything left (e.g. terms with no tables at all when n == 0) */
  int cont = n ? w->lv[n - 1].cont : vdbe_make_label(v);
  for (int i = 0; i < w->n_term; i++) {
    WTerm *t = &w->terms[i];
    if (t->done || t->virt) continue;
    if (t->child >= 0 && w->terms[t->child].done) continue;
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
    for (int i = lv->n_in - 1; i >= 0; i--) vdbe_add_op2(v, OP_Next, lv->in_cur[i], lv->in_top[i]);
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
  where_free(p, w);
}
