/*
** expr.c — expression code generation: values into registers, conditional
** jumps with SQL's three-valued logic, affinity and collation rules of
** comparisons (datatype3.html), IN / EXISTS / scalar subqueries, CASE,
** CAST, function calls, row values.
*/
#include "select_int.h"

/* ------------------------------------------------------------ P4 help -- */
static int add_str(Parse *p, int op, int p1, int p2, int p3, const char *z, int n) {
  char *c = n >= 0 ? shale_strndup(z ? z : "", n) : shale_strdup(z ? z : "");
  return vdbe_add_op4(p->v, op, p1, p2, p3, c, P4_DYNAMIC);
}

static CollSeq *find_coll(Parse *p, const char *name) {
  CollSeq *c = parse_collseq(p, name);
  return c ? c : coll_find(p->db, "BINARY");
}

/* ------------------------------------------------------------ affinity -- */
char expr_affinity(Parse *p, const Expr *e) {
  while (e && e->op == EX_COLLATE) e = e->left;
  if (!e) return 0;
  switch (e->op) {
    case EX_COLUMN:
      return e->res_affinity;
    case EX_AGG_COLUMN:
      return e->res_affinity;
    case EX_CAST:
      return schema_affinity_of_type(e->text);
    case EX_SUBQUERY:
      if (e->select) {
        const Select *s = e->select;
        while (s->prior) s = s->prior;
        if (s->result && s->result->n > 0) return expr_affinity(p, s->result->a[0].expr);
      }
      return 0;
    case EX_VECTOR:
      if (e->list && e->list->n > 0) return expr_affinity(p, e->list->a[0].expr);
      return 0;
    case EX_FUNCTION:
      if (e->res_ptr && (((const FuncDef *)e->res_ptr)->flags & FUNC_UNLIKELY) && e->list && e->list->n > 0)
        return expr_affinity(p, e->list->a[0].expr);
      return 0;
    default:
      return 0;
  }
}

static int is_numeric_aff(char a) { return a >= SQLITE_AFF_NUMERIC; }

char expr_compare_affinity(Parse *p, const Expr *l, const Expr *r) {
  char a1 = expr_affinity(p, l), a2 = expr_affinity(p, r);
  if (a1 > SQLITE_AFF_NONE && a2 > SQLITE_AFF_NONE) {
    if (is_numeric_aff(a1) || is_numeric_aff(a2)) return SQLITE_AFF_NUMERIC;
    return SQLITE_AFF_BLOB;
  }
  char a = a1 > SQLITE_AFF_NONE ? a1 : a2;
  return a > SQLITE_AFF_NONE ? a : SQLITE_AFF_NONE;
}

/* ----------------------------------------------------------- collation -- */
/* SQLite's EP_Collate: the expression holds a COLLATE operator outside any
** subquery (it propagates through operators, function arguments, CASE
** and IN lists, not into subqueries). */
static int has_collate(const Expr *e) {
  if (!e) return 0;
  if (e->op == EX_COLLATE) return 1;
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS) return 0;
  if (has_collate(e->left)) return 1;
  if (e->op == EX_IN_SELECT) return 0;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (has_collate(e->list->a[i].expr)) return 1;
  return has_collate(e->right);
}

/* sqlite3ExprCollSeq: a column names its collation ("BINARY" when it
** declares none; the rowid has none), CAST and unary + pass their
** operand's through, a row value its first element's; otherwise the
** COLLATE found by following the EP_Collate path (left first).  NULL when
** the expression has no collation (callers then use BINARY). */
const char *expr_collation_name(Parse *p, const Expr *e) {
  SHALE_UNUSED(p);
  while (e) {
    switch (e->op) {
      case EX_COLUMN:
      case EX_AGG_COLUMN: {
        const Table *t = (const Table *)e->res_ptr;
        if (!t || e->res_column < 0 || e->res_column >= t->n_col || e->res_column == t->ipk) return NULL;
        return t->cols[e->res_column].collate ? t->cols[e->res_column].collate : "BINARY";
      }
      case EX_COLLATE: return e->text;
      case EX_CAST: e = e->left; continue;
      case EX_VECTOR: e = e->list && e->list->n ? e->list->a[0].expr : NULL; continue;
      case EX_UNARY:
        if (e->sub_op == UN_PLUS) {
          e = e->left;
          continue;
        }
        break;
      default: break;
    }
    if (!has_collate(e)) return NULL;
    if (has_collate(e->left)) {
      e = e->left;
      continue;
    }
    const Expr *next = e->right;
    if (e->list && e->op != EX_IN_SELECT)
      for (int i = 0; i < e->list->n; i++)
        if (has_collate(e->list->a[i].expr)) {
          next = e->list->a[i].expr;
          break;
        }
    e = next;
  }
  return NULL;
}

/* Collation for a binary comparison (sqlite3BinaryCompareCollSeq): an
** explicit COLLATE on the left, then on the right, then the left
** operand's collation (a column's, even BINARY), then the right's. */
const char *expr_compare_collation(Parse *p, const Expr *l, const Expr *r) {
  if (has_collate(l)) return expr_collation_name(p, l);
  if (has_collate(r)) return expr_collation_name(p, r);
  const char *z = expr_collation_name(p, l);
  return z ? z : expr_collation_name(p, r);
}

CollSeq *expr_collseq(Parse *p, const Expr *e) {
  const char *z = expr_collation_name(p, e);
  return z ? parse_collseq(p, z) : NULL;
}

KeyInfo *expr_keyinfo_for_list(Parse *p, ExprList *l, int n_extra, int with_sort) {
  int n = l ? l->n : 0;
  KeyInfo *k = keyinfo_alloc(n, n_extra);
  if (!k) return NULL;
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < n; i++) {
    const char *z = expr_collation_name(p, l->a[i].expr);
    if (k->coll) k->coll[i] = parse_collseq(p, z);
    if (with_sort && k->sort_flags) {
      u8 f = 0;
      if (l->a[i].sort_desc) f |= KEYINFO_ORDER_DESC;
      if ((!l->a[i].sort_desc && l->a[i].nulls == 2) || (l->a[i].sort_desc && l->a[i].nulls == 1))
        f |= KEYINFO_ORDER_BIGNULL;
      k->sort_flags[i] = f;
    }
  }
  return k;
}

char *expr_affinity_string(Parse *p, ExprList *l) {
  int n = l ? l->n : 0;
  char *z = sqlite3_malloc64((u64)n + 1);
  if (!z) return NULL;
  for (int i = 0; i < n; i++) {
    char a = expr_affinity(p, l->a[i].expr);
    z[i] = a > SQLITE_AFF_NONE ? a : SQLITE_AFF_BLOB;
  }
  z[n] = 0;
  return z;
}

/* ------------------------------------------------------------ constness -- */
/* The one walk behind expr_is_constant and expr_row_independent: literals
** and deterministic non-aggregate functions of them; with per_execution,
** parameters count as constants too and row values (which do not fit one
** register) do not. */
static int const_walk(const Expr *e, int per_execution) {
  if (!e) return 1;
  switch (e->op) {
    case EX_VARIABLE:
      return per_execution;
    case EX_VECTOR:
      if (per_execution) return 0;
      break;
    case EX_ID: case EX_DOT: case EX_COLUMN: case EX_AGG_COLUMN:
    case EX_SUBQUERY: case EX_EXISTS: case EX_IN_SELECT: case EX_IN_TABLE: case EX_RAISE:
    case EX_STAR:
      return 0;
    case EX_FUNCTION: {
      const FuncDef *f = (const FuncDef *)e->res_ptr;
      if (!f || !(f->flags & SQLITE_DETERMINISTIC) || (f->flags & FUNC_AGGREGATE) || e->over) return 0;
      break;
    }
    default:
      break;
  }
  if (!const_walk(e->left, per_execution) || !const_walk(e->right, per_execution) ||
      !const_walk(e->extra, per_execution))
    return 0;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (!const_walk(e->list->a[i].expr, per_execution)) return 0;
  return 1;
}

int expr_is_constant(const Expr *e) { return const_walk(e, 0); }

static int sel_has_outer_ref(const Select *s, int level);
static int expr_has_outer_ref(const Expr *e, int level) {
  if (!e) return 0;
  if (e->op == EX_COLUMN && e->res_depth > level) return 1;
  if (e->select && sel_has_outer_ref(e->select, level + 1)) return 1;
  if (expr_has_outer_ref(e->left, level) || expr_has_outer_ref(e->right, level) ||
      expr_has_outer_ref(e->extra, level))
    return 1;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (expr_has_outer_ref(e->list->a[i].expr, level)) return 1;
  return 0;
}
static int list_has_outer_ref(const ExprList *l, int level) {
  if (!l) return 0;
  for (int i = 0; i < l->n; i++)
    if (expr_has_outer_ref(l->a[i].expr, level)) return 1;
  return 0;
}
static int sel_has_outer_ref(const Select *s, int level) {
  for (; s; s = s->prior) {
    if (s->flags & SELECT_F_CORRELATED) return 1;
    if (list_has_outer_ref(s->result, level) || expr_has_outer_ref(s->where, level) ||
        list_has_outer_ref(s->group_by, level) || expr_has_outer_ref(s->having, level) ||
        list_has_outer_ref(s->order_by, level))
      return 1;
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        if (expr_has_outer_ref(s->from->a[i].on, level)) return 1;
        if (s->from->a[i].subquery && sel_has_outer_ref(s->from->a[i].subquery, level + 1)) return 1;
      }
  }
  return 0;
}

int expr_subquery_is_correlated(const Select *s) { return sel_has_outer_ref(s, 0); }

/* -------------------------------------------------------------- columns -- */
void expr_code_virtual_column(Parse *p, Table *t, int cur, int col, int reg) {
  Expr *d = ast_dup_expr(t->cols[col].generated);
  if (!d) {
    p->rc = SQLITE_NOMEM;
    return;
  }
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.table = t;
  nc.table_cursor = cur;
  nc.is_check = 1;
  if (resolve_expr(p, &nc, d) == SQLITE_OK) expr_code(p, d, reg);
  ast_free_expr(d);
  char aff = t->cols[col].affinity;
  if (aff > SQLITE_AFF_BLOB) {
    char z[2] = {aff, 0};
    vdbe_add_op4(p->v, OP_Affinity, reg, 1, 0, shale_strdup(z), P4_DYNAMIC);
  }
}

static void code_column(Parse *p, Table *t, int cursor, int col, int target) {
  Vdbe *v = p->v;
  int icol = 0;
  if (t && t->vt) {
    /* virtual table: the module's xColumn / xRowid */
    if (col < 0)
      vdbe_add_op2(v, OP_VRowid, cursor, target);
    else
      vdbe_add_op3(v, OP_VColumn, cursor, col, target);
    return;
  }
  int idx_cur = q_remap_find(p, cursor, col, &icol);
  if (idx_cur < 0 && t && t->root && !t->is_view && table_col_is_virtual(t, col)) {
    expr_code_virtual_column(p, t, cursor, col, target);
    return;
  }
  if (idx_cur >= 0) {
    if (t && t->root && (col < 0 || col == t->ipk) && !t->without_rowid)
      vdbe_add_op2(v, OP_IdxRowid, idx_cur, target);
    else
      vdbe_add_op3(v, OP_Column, idx_cur, icol, target);
  } else if (!t || !t->root || t->is_view) {
    /* ephemeral table of a subquery or view: a plain column, made REAL
    ** when its first arm's expression has REAL affinity (SQLite's
    ** sqlite3ColumnDefault: 3 from another arm of a compound reads 3.0) */
    if (col < 0) {
      vdbe_add_op2(v, OP_Rowid, cursor, target);
    } else {
      vdbe_add_op3(v, OP_Column, cursor, col, target);
      if (t && col < t->n_col && t->cols[col].affinity == SQLITE_AFF_REAL) vdbe_add_op1(v, OP_RealAffinity, target);
    }
    return;
  } else if (col < 0 || (col == t->ipk && !t->without_rowid)) {
    vdbe_add_op2(v, OP_Rowid, cursor, target);
    return;
  } else if (t->without_rowid) {
    Index *pk = table_primary_key_index(t);
    int pos = col;
    if (pk) {
      pos = -1;
      for (int j = 0; j < pk->n_key_col; j++)
        if (pk->columns[j] == col) pos = j;
      if (pos < 0) {
        int k = pk->n_key_col;
        for (int c = 0; c < t->n_col; c++) {
          int in_pk = 0;
          for (int j = 0; j < pk->n_key_col; j++)
            if (pk->columns[j] == c) in_pk = 1;
          if (in_pk) continue;
          if (c == col) {
            pos = k;
            break;
          }
          k++;
        }
      }
    }
    vdbe_add_op3(v, OP_Column, cursor, pos, target);
  } else {
    vdbe_add_op3(v, OP_Column, cursor, table_storage_col(t, col), target);
  }
  if (t && col >= 0 && col < t->n_col && t->cols[col].affinity == SQLITE_AFF_REAL)
    vdbe_add_op1(v, OP_RealAffinity, target);
}

/* ---------------------------------------------------------- comparisons -- */
static int cmp_opcode(int binop) {
  switch (binop) {
    case OP_EQ_: return OP_Eq;
    case OP_NE_: return OP_Ne;
    case OP_LT_: return OP_Lt;
    case OP_LE_: return OP_Le;
    case OP_GT_: return OP_Gt;
    case OP_GE_: return OP_Ge;
  }
  return OP_Eq;
}
static int invert_cmp(int op) {
  switch (op) {
    case OP_Eq: return OP_Ne;
    case OP_Ne: return OP_Eq;
    case OP_Lt: return OP_Ge;
    case OP_Le: return OP_Gt;
    case OP_Gt: return OP_Le;
    case OP_Ge: return OP_Lt;
  }
  return op;
}

/* Emit "if r_left OP r_right goto dest" with the affinity/collation of the
** two expressions.  flags: SQLITE_JUMPIFNULL / SQLITE_NULLEQ. */
static void code_compare(Parse *p, const Expr *l, const Expr *r, int op, int rl, int rr, int dest, int flags) {
  char aff = expr_compare_affinity(p, l, r);
  const char *coll = expr_compare_collation(p, l, r);
  CollSeq *cs = find_coll(p, coll);
  if (cs)
    vdbe_add_op4(p->v, op, rr, dest, rl, cs, P4_COLLSEQ);
  else
    vdbe_add_op3(p->v, op, rr, dest, rl);
  vdbe_change_p5(p->v, (u16)((u8)aff | flags));
}

static int is_vector(const Expr *e) {
  if (!e) return 0;
  if (e->op == EX_VECTOR) return e->list ? e->list->n : 0;
  if (e->op == EX_SUBQUERY && e->select) {
    const Select *s = e->select;
    while (s->prior) s = s->prior;
    int n = s->result ? s->result->n : 1;
    return n > 1 ? n : 0;
  }
  return 0;
}

static int vector_size(const Expr *e) {
  int n = is_vector(e);
  return n ? n : 1;
}

static int code_subquery_regs(Parse *p, Expr *e, int n);

/* Code a vector (or scalar) into n consecutive registers; returns first. */
static int code_vector(Parse *p, Expr *e, int n) {
  if (e->op == EX_VECTOR) {
    int r = parse_alloc_regs(p, n);
    for (int i = 0; i < n; i++) expr_code(p, e->list->a[i].expr, r + i);
    return r;
  }
  if (e->op == EX_SUBQUERY) return code_subquery_regs(p, e, n);
  int r = parse_alloc_reg(p);
  expr_code(p, e, r);
  return r;
}

static const Expr *vector_elem(const Expr *e, int i) {
  if (e->op == EX_VECTOR) return e->list->a[i].expr;
  if (e->op == EX_SUBQUERY) {
    const Select *s = e->select;
    while (s->prior) s = s->prior;
    return s->result->a[i].expr;
  }
  return e;
}

/* Row-value comparison: value (1/0/NULL) into target. */
static void code_vector_compare(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  int n = vector_size(e->left);
  if (vector_size(e->right) != n) {
    parse_error(p, "row value misused");
    return;
  }
  int rl = code_vector(p, e->left, n);
  int rr = code_vector(p, e->right, n);
  int l_true = vdbe_make_label(v), l_false = vdbe_make_label(v), l_null = vdbe_make_label(v);
  int l_end = vdbe_make_label(v);
  int op = e->op == EX_BINARY ? e->sub_op : OP_EQ_;
  int is_is = e->op == EX_IS || e->op == EX_ISNOT;
  if (op == OP_EQ_ || op == OP_NE_ || is_is) {
    int has_null = 0;
    for (int i = 0; i < n; i++) {
      const Expr *le = vector_elem(e->left, i), *re = vector_elem(e->right, i);
      if (is_is) {
        code_compare(p, le, re, OP_Ne, rl + i, rr + i, l_false, SQLITE_NULLEQ);
      } else {
        code_compare(p, le, re, OP_Ne, rl + i, rr + i, l_false, 0);
        has_null = 1;
      }
    }
    if (has_null) {
      for (int i = 0; i < n; i++) {
        vdbe_add_op2(v, OP_IsNull, rl + i, l_null);
        vdbe_add_op2(v, OP_IsNull, rr + i, l_null);
      }
    }
    vdbe_add_op2(v, OP_Goto, 0, l_true);
    int want_eq = (op == OP_EQ_ && !is_is) || e->op == EX_IS;
    vdbe_resolve_label(v, l_true);
    vdbe_add_op2(v, OP_Integer, want_eq ? 1 : 0, target);
    vdbe_add_op2(v, OP_Goto, 0, l_end);
    vdbe_resolve_label(v, l_false);
    vdbe_add_op2(v, OP_Integer, want_eq ? 0 : 1, target);
    vdbe_add_op2(v, OP_Goto, 0, l_end);
    vdbe_resolve_label(v, l_null);
    vdbe_add_op2(v, OP_Null, 0, target);
    vdbe_resolve_label(v, l_end);
    return;
  }
  int strict = (op == OP_LT_ || op == OP_LE_) ? OP_Lt : OP_Gt;
  for (int i = 0; i < n; i++) {
    const Expr *le = vector_elem(e->left, i), *re = vector_elem(e->right, i);
    if (i < n - 1) {
      code_compare(p, le, re, strict, rl + i, rr + i, l_true, 0);
      code_compare(p, le, re, OP_Ne, rl + i, rr + i, l_false, 0);
      int next = vdbe_make_label(v);
      code_compare(p, le, re, OP_Eq, rl + i, rr + i, next, 0);
      vdbe_add_op2(v, OP_Goto, 0, l_null);
      vdbe_resolve_label(v, next);
    } else {
      code_compare(p, le, re, cmp_opcode(op), rl + i, rr + i, l_true, 0);
      vdbe_add_op2(v, OP_IsNull, rl + i, l_null);
      vdbe_add_op2(v, OP_IsNull, rr + i, l_null);
      vdbe_add_op2(v, OP_Goto, 0, l_false);
    }
  }
  vdbe_resolve_label(v, l_true);
  vdbe_add_op2(v, OP_Integer, 1, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_false);
  vdbe_add_op2(v, OP_Integer, 0, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_null);
  vdbe_add_op2(v, OP_Null, 0, target);
  vdbe_resolve_label(v, l_end);
}

/* ------------------------------------------------------------ subqueries -- */
/* Code a scalar / row subquery into n fresh registers. */
static int code_subquery_regs(Parse *p, Expr *e, int n) {
  Vdbe *v = p->v;
  int r = parse_alloc_regs(p, n);
  int once = -1;
  int corr = expr_subquery_is_correlated(e->select);
  if (!corr) once = vdbe_add_op0(v, OP_Once);
  int sp = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "%sSCALAR SUBQUERY %d", corr ? "CORRELATED " : "", select_eqp_id(p, e->select));
    p->eqp_parent = id;
  }
  vdbe_add_op3(v, OP_Null, 0, r, r + n - 1);
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = SD_MEM;
  d.reg = r;
  d.n_reg = n;
  select_code(p, e->select, &d, NULL);
  p->eqp_parent = sp;
  if (once >= 0) vdbe_jump_here(v, once);
  return r;
}

/* UPDATE … SET (a, b) = (SELECT …): the parser leaves one EX_SUBQUERY
** copy per assigned column (sub_op = 1..u.i, consecutive in the list).
** SQLite runs the subquery once per row: code it once here and turn the
** copies into references to its registers (EX_AGG_COLUMN). */
void expr_code_set_subqueries(Parse *p, ExprList *set) {
  for (int k = 0; set && k < set->n && !p->rc; k++) {
    Expr *e = set->a[k].expr;
    if (!e || e->op != EX_SUBQUERY || e->sub_op != 1) continue;
    int n = vector_size(e), m = (int)e->u.i;
    if (n != m) {
      parse_error(p, "%d columns assigned %d values", m, n);
      return;
    }
    int r = code_subquery_regs(p, e, n);
    for (int j = 0; j < m && k + j < set->n; j++) {
      Expr *x = set->a[k + j].expr;
      if (!x || x->op != EX_SUBQUERY || x->sub_op != j + 1) break;
      char aff = expr_affinity(p, x);
      ast_free_select(x->select);
      x->select = NULL;
      x->op = EX_AGG_COLUMN;
      x->res_agg = r + j;
      x->res_affinity = aff;
      x->res_ptr = NULL;
    }
  }
}

static void code_exists(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  int r = parse_alloc_reg(p);
  int once = -1;
  int corr = expr_subquery_is_correlated(e->select);
  if (!corr) once = vdbe_add_op0(v, OP_Once);
  int sp = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "%sSCALAR SUBQUERY %d", corr ? "CORRELATED " : "", select_eqp_id(p, e->select));
    p->eqp_parent = id;
  }
  vdbe_add_op2(v, OP_Integer, 0, r);
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = SD_EXISTS;
  d.reg = r;
  select_code(p, e->select, &d, NULL);
  p->eqp_parent = sp;
  if (once >= 0) vdbe_jump_here(v, once);
  if (e->flags & EXPR_F_NOT)
    vdbe_add_op2(v, OP_Not, r, target);
  else
    vdbe_add_op2(v, OP_Copy, r, target);
}

/* Affinity to apply for IN: lhs vs each rhs column. */
static char in_affinity(Parse *p, const Expr *lhs, const Expr *rhs) {
  char a = expr_compare_affinity(p, lhs, rhs);
  return a > SQLITE_AFF_NONE ? a : SQLITE_AFF_BLOB;
}

/* x [NOT] IN (SELECT ...): value into target. */
static void code_in_select(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  Select *s = e->select;
  Select *first = s;
  while (first->prior) first = first->prior;
  int n = first->result ? first->result->n : 0;
  int nl = vector_size(e->left);
  if (n != nl) {
    parse_error(p, "sub-select returns %d columns - expected %d", n, nl);
    return;
  }
  int cur = parse_alloc_cursor(p);
  KeyInfo *k = keyinfo_alloc(n, 0);
  char *aff = sqlite3_malloc64((u64)n + 1);
  if (!k || !aff) {
    if (k) keyinfo_unref(k);
    sqlite3_free(aff);
    p->rc = SQLITE_NOMEM;
    return;
  }
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < n; i++) {
    const Expr *le = vector_elem(e->left, i);
    /* SQLite takes the right-most arm of a compound for the comparison */
    const Expr *re = (s->result && i < s->result->n ? s : first)->result->a[i].expr;
    aff[i] = in_affinity(p, le, re);
    const char *cn = expr_compare_collation(p, le, re);
    if (k->coll) k->coll[i] = parse_collseq(p, cn);
  }
  aff[n] = 0;
  int once = -1;
  int corr = expr_subquery_is_correlated(s);
  if (!corr) once = vdbe_add_op0(v, OP_Once);
  vdbe_add_op4(v, OP_OpenEphemeral, cur, n, 0, k, P4_KEYINFO);
  int sp = p->eqp_parent;
  if (p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "%sLIST SUBQUERY %d", corr ? "CORRELATED " : "", select_eqp_id(p, e->select));
    p->eqp_parent = id;
  }
  SelectDest d;
  memset(&d, 0, sizeof(d));
  d.kind = SD_SET;
  d.cursor = cur;
  d.affinity = aff;
  select_code(p, s, &d, NULL);
  p->eqp_parent = sp;
  if (once >= 0) vdbe_jump_here(v, once);
  /* test */
  int rl = code_vector(p, e->left, n);
  int l_true = vdbe_make_label(v), l_false = vdbe_make_label(v), l_null = vdbe_make_label(v);
  int l_end = vdbe_make_label(v);
  int is_not = (e->flags & EXPR_F_NOT) != 0;
  /* empty set: false */
  int r_tmp = parse_alloc_regs(p, n);
  vdbe_add_op2(v, OP_Rewind, cur, l_false);
  for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_IsNull, rl + i, l_null);
  for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_SCopy, rl + i, r_tmp + i);
  add_str(p, OP_Affinity, r_tmp, n, 0, aff, n);
  vdbe_add_op4_int(v, OP_Found, cur, l_true, r_tmp, n);
  /* not found: NULL if the set holds a NULL (they sort first) */
  vdbe_add_op2(v, OP_Rewind, cur, l_false);
  for (int i = 0; i < n; i++) {
    vdbe_add_op3(v, OP_Column, cur, i, r_tmp + i);
    vdbe_add_op2(v, OP_IsNull, r_tmp + i, l_null);
  }
  vdbe_add_op2(v, OP_Goto, 0, l_false);
  vdbe_resolve_label(v, l_true);
  vdbe_add_op2(v, OP_Integer, is_not ? 0 : 1, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_false);
  vdbe_add_op2(v, OP_Integer, is_not ? 1 : 0, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_null);
  vdbe_add_op2(v, OP_Null, 0, target);
  vdbe_resolve_label(v, l_end);
  sqlite3_free(aff);
}

/* x [NOT] IN (list): value into target. */
static void code_in_list(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  int is_not = (e->flags & EXPR_F_NOT) != 0;
  ExprList *l = e->list;
  int l_true = vdbe_make_label(v), l_false = vdbe_make_label(v), l_null = vdbe_make_label(v);
  int l_end = vdbe_make_label(v);
  if (!l || l->n == 0) {
    vdbe_add_op2(v, OP_Integer, is_not ? 1 : 0, target);
    return;
  }
  int nl = vector_size(e->left);
  if (nl > 1) {
    /* (a,b) IN ((1,2),(3,4)): chain of vector equalities */
    int r = parse_alloc_reg(p);
    int saw_null = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, saw_null);
    for (int i = 0; i < l->n; i++) {
      Expr eq;
      memset(&eq, 0, sizeof(eq));
      eq.op = EX_BINARY;
      eq.sub_op = OP_EQ_;
      eq.left = e->left;
      eq.right = l->a[i].expr;
      if (vector_size(eq.right) != nl) {
        parse_error(p, "row value misused");
        return;
      }
      code_vector_compare(p, &eq, r);
      vdbe_add_op3(v, OP_If, r, l_true, 0);
      int a = vdbe_add_op1(v, OP_NotNull, r);
      vdbe_add_op2(v, OP_Integer, 1, saw_null);
      vdbe_jump_here(v, a);
    }
    vdbe_add_op3(v, OP_If, saw_null, l_null, 0);
    vdbe_add_op2(v, OP_Goto, 0, l_false);
  } else {
    int rl = expr_code_temp(p, e->left);
    char aff = expr_affinity(p, e->left);
    if (aff <= SQLITE_AFF_NONE) aff = SQLITE_AFF_BLOB;
    const char *coll = expr_collation_name(p, e->left);
    CollSeq *cs = find_coll(p, coll);
    int r_ck = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, r_ck);
    vdbe_add_op2(v, OP_IsNull, rl, l_null);
    int r = parse_alloc_reg(p);
    for (int i = 0; i < l->n; i++) {
      expr_code(p, l->a[i].expr, r);
      vdbe_add_op3(v, OP_BitAnd, r, r_ck, r_ck);
      if (cs)
        vdbe_add_op4(v, OP_Eq, r, l_true, rl, cs, P4_COLLSEQ);
      else
        vdbe_add_op3(v, OP_Eq, r, l_true, rl);
      vdbe_change_p5(v, (u16)(u8)aff);
    }
    vdbe_add_op2(v, OP_IsNull, r_ck, l_null);
    vdbe_add_op2(v, OP_Goto, 0, l_false);
  }
  vdbe_resolve_label(v, l_true);
  vdbe_add_op2(v, OP_Integer, is_not ? 0 : 1, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_false);
  vdbe_add_op2(v, OP_Integer, is_not ? 1 : 0, target);
  vdbe_add_op2(v, OP_Goto, 0, l_end);
  vdbe_resolve_label(v, l_null);
  vdbe_add_op2(v, OP_Null, 0, target);
  vdbe_resolve_label(v, l_end);
}

/* -------------------------------------------------------------- functions -- */
static void code_arg(Parse *p, Expr *e, int reg);

static void code_function(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  const FuncDef *f = (const FuncDef *)e->res_ptr;
  int n = e->list ? e->list->n : 0;
  if (!f) {
    int wrong = 0;
    f = func_find(p->db, e->text, n, &wrong);
    if (!f) {
      if (wrong)
        parse_error_at(p, e->pos, "wrong number of arguments to function %s()", e->text);
      else
        parse_error_at(p, e->pos, "no such function: %s", e->text);
      return;
    }
  }
  if ((f->flags & FUNC_AGGREGATE) || e->over) {
    parse_error_at(p, e->pos, "misuse of aggregate: %s()", e->text);
    return;
  }
  if ((f->flags & FUNC_COALESCE) && n >= 2) {
    int end = vdbe_make_label(v);
    expr_code(p, e->list->a[0].expr, target);
    for (int i = 1; i < n; i++) {
      vdbe_add_op2(v, OP_NotNull, target, end);
      expr_code(p, e->list->a[i].expr, target);
    }
    vdbe_resolve_label(v, end);
    return;
  }
  if ((f->flags & FUNC_UNLIKELY) && n >= 1) {
    expr_code(p, e->list->a[0].expr, target);
    return;
  }
  if (!shale_stricmp(f->name, "iif") && n == 3) {
    int l_else = vdbe_make_label(v), end = vdbe_make_label(v);
    expr_code_jump_if_false(p, e->list->a[0].expr, l_else, SQLITE_JUMPIFNULL);
    expr_code(p, e->list->a[1].expr, target);
    vdbe_add_op2(v, OP_Goto, 0, end);
    vdbe_resolve_label(v, l_else);
    expr_code(p, e->list->a[2].expr, target);
    vdbe_resolve_label(v, end);
    return;
  }
  int r = n ? parse_alloc_regs(p, n) : 0;
  int const_mask = 0;
  for (int i = 0; i < n; i++) {
    code_arg(p, e->list->a[i].expr, r + i);
    if (i < 32 && expr_is_constant(e->list->a[i].expr)) const_mask |= 1 << i;
  }
  if (f->flags & FUNC_NEEDCOLL) {
    const char *cn = NULL;
    for (int i = 0; i < n && !cn; i++) cn = expr_collation_name(p, e->list->a[i].expr);
    CollSeq *cs = find_coll(p, cn);
    vdbe_add_op4(v, OP_CollSeq, 0, 0, 0, cs, P4_COLLSEQ);
  }
  vdbe_add_op4(v, OP_Function, const_mask, r, target, (void *)f, P4_FUNCDEF);
  vdbe_change_p5(v, (u16)n);
}

static void code_like(Parse *p, Expr *e, int target) {
  static const char *const names[] = {"like", "glob", "regexp", "match"};
  const char *name = names[e->sub_op >= 0 && e->sub_op < 4 ? e->sub_op : 0];
  int n = e->extra ? 3 : 2;
  int wrong = 0;
  const FuncDef *f = func_find(p->db, name, n, &wrong);
  if (!f) {
    if (e->sub_op == LIKE_REGEXP || e->sub_op == LIKE_MATCH)
      parse_error_at(p, e->pos, "no such function: %s", name);
    else
      parse_error_at(p, e->pos, "wrong number of arguments to function %s()", name);
    return;
  }
  int r = parse_alloc_regs(p, n);
  code_arg(p, e->right, r);
  code_arg(p, e->left, r + 1);
  if (e->extra) code_arg(p, e->extra, r + 2);
  int mask = expr_is_constant(e->right) ? 1 : 0;
  vdbe_add_op4(p->v, OP_Function, mask, r, target, (void *)f, P4_FUNCDEF);
  vdbe_change_p5(p->v, (u16)n);
  if (e->flags & EXPR_F_NOT) vdbe_add_op2(p->v, OP_Not, target, target);
}

/* ------------------------------------------------------------- literals -- */
static void code_int(Parse *p, i64 val, int target) {
  if (val >= -2147483647LL - 1 && val <= 2147483647LL)
    vdbe_add_op2(p->v, OP_Integer, (int)val, target);
  else
    vdbe_add_op4_dup8(p->v, OP_Int64, 0, target, 0, &val, P4_INT64);
}

static void code_real(Parse *p, double r, int target) {
  vdbe_add_op4_dup8(p->v, OP_Real, 0, target, 0, &r, P4_REAL);
}

static void code_literal_number(Parse *p, const Expr *e, int negate, int target) {
  if (e->op == EX_INTEGER && !(e->flags & EXPR_F_BIGNUM)) {
    i64 val = e->u.i;
    if (negate) {
      if (val == (i64)(-9223372036854775807LL - 1)) {
        code_real(p, 9223372036854775808.0, target);
        return;
      }
      val = -val;
    }
    code_int(p, val, target);
    return;
  }
  if (e->op == EX_INTEGER) {
    /* out of range integer */
    if (negate && e->text && !(e->flags & EXPR_F_HEX) && !strcmp(e->text, "9223372036854775808")) {
      code_int(p, (i64)(-9223372036854775807LL - 1), target);
      return;
    }
    code_real(p, negate ? -e->u.r : e->u.r, target);
    return;
  }
  code_real(p, negate ? -e->u.r : e->u.r, target);
}

/* ---------------------------------------------------------------- main -- */
static int arith_opcode(int binop) {
  switch (binop) {
    case OP_PLUS_: return OP_Add;
    case OP_MINUS_: return OP_Subtract;
    case OP_STAR_: return OP_Multiply;
    case OP_SLASH_: return OP_Divide;
    case OP_REM_: return OP_Remainder;
    case OP_BITAND_: return OP_BitAnd;
    case OP_BITOR_: return OP_BitOr;
    case OP_LSHIFT_: return OP_ShiftLeft;
    case OP_RSHIFT_: return OP_ShiftRight;
    case OP_CONCAT_: return OP_Concat;
  }
  return -1;
}

static int is_truth_const(const Expr *e) { return e && (e->op == EX_TRUE || e->op == EX_FALSE); }

static void code_is_truth(Parse *p, Expr *e, int target) {
  /* x IS [NOT] TRUE/FALSE */
  int is_true = e->right->op == EX_TRUE;
  int is_not = e->op == EX_ISNOT;
  int r = expr_code_temp(p, e->left);
  int p3, p4;
  if (!is_not) {
    p3 = is_true ? 0 : 1;
    p4 = is_true ? 0 : 1;
  } else {
    p3 = is_true ? 0 : 1;
    p4 = is_true ? 1 : 0;
  }
  vdbe_add_op4_int(p->v, OP_IsTrue, r, target, p3, p4);
}

/* A value that is the same for every row of one execution: constants,
** parameters, deterministic functions of them. */
static int expr_row_independent(const Expr *e) { return const_walk(e, 1); }

/* Worth computing once: more than a literal or a parameter. */
static int expr_worth_factoring(const Expr *e) {
  switch (e->op) {
    case EX_FUNCTION: case EX_BINARY: case EX_CAST: case EX_CASE: case EX_BETWEEN: case EX_LIKE:
      return expr_row_independent(e);
    default:
      return 0;
  }
}

/* Prologue constants (SQLite's pConstExpr): in a per-row filter, a literal,
** parameter, or operators over them (no function call) is computed into
** its own register by code placed after the OP_Transaction block, once per
** execution, instead of inside the loop.  Expressions that call functions
** keep OP_Once in place (expr_code), as in SQLite, so that a function's
** error is raised only when the loop reaches it. */
struct PrologueConst {
  Expr *e; /* a copy: the statement's tree may change before the end */
  int reg;
};

static int prologue_eligible(const Expr *e) {
  if (!e) return 1;
  switch (e->op) {
    case EX_NULL: case EX_INTEGER: case EX_FLOAT: case EX_STRING: case EX_BLOB:
    case EX_TRUE: case EX_FALSE: case EX_VARIABLE:
      return 1;
    case EX_UNARY: case EX_CAST: case EX_COLLATE:
      return prologue_eligible(e->left);
    case EX_BINARY:
      if (e->sub_op == OP_JSON_ARROW_ || e->sub_op == OP_JSON_ARROW2_) return 0; /* functions */
      return prologue_eligible(e->left) && prologue_eligible(e->right);
    default:
      return 0;
  }
}

/* Code e into reg in the prologue if it is eligible; 1 if done. */
static int code_in_prologue(Parse *p, Expr *e, int reg) {
  if (!p->factor_const || !p->const_ok || !e || !prologue_eligible(e)) return 0;
  if (p->n_consts == p->a_consts) {
    int na = p->a_consts ? p->a_consts * 2 : 8;
    struct PrologueConst *c = sqlite3_realloc64(p->consts, sizeof(*c) * (u64)na);
    if (!c) return 0;
    p->consts = c;
    p->a_consts = na;
  }
  Expr *d = ast_dup_expr(e);
  if (!d) return 0;
  p->consts[p->n_consts].e = d;
  p->consts[p->n_consts].reg = reg;
  p->n_consts++;
  return 1;
}

void expr_code_prologue(Parse *p) {
  int fc = p->factor_const;
  p->factor_const = 0;
  for (int i = 0; i < p->n_consts && !p->rc; i++) expr_code(p, p->consts[i].e, p->consts[i].reg);
  p->factor_const = fc;
  expr_prologue_free(p);
}

void expr_prologue_free(Parse *p) {
  for (int i = 0; i < p->n_consts; i++) ast_free_expr(p->consts[i].e);
  sqlite3_free(p->consts);
  p->consts = NULL;
  p->n_consts = p->a_consts = 0;
}

/* A function argument (its own register, read only by the call). */
static void code_arg(Parse *p, Expr *e, int reg) {
  if (!code_in_prologue(p, e, reg)) expr_code(p, e, reg);
}

int expr_code(Parse *p, Expr *e, int target) {
  Vdbe *v = p->v;
  if (!e) {
    vdbe_add_op2(v, OP_Null, 0, target);
    return target;
  }
  if (p->rc) return target;
  if (p->factor_const && expr_worth_factoring(e)) {
    /* computed the first time this point is reached in an execution, as
    ** SQLite's constants factored into the Init prologue */
    int r = parse_alloc_reg(p);
    int once = vdbe_add_op0(v, OP_Once);
    p->factor_const = 0;
    expr_code(p, e, r);
    p->factor_const = 1;
    vdbe_jump_here(v, once);
    vdbe_add_op2(v, OP_Copy, r, target);
    return target;
  }
  switch (e->op) {
    case EX_NULL:
      vdbe_add_op2(v, OP_Null, 0, target);
      break;
    case EX_TRUE:
      vdbe_add_op2(v, OP_Integer, 1, target);
      break;
    case EX_FALSE:
      vdbe_add_op2(v, OP_Integer, 0, target);
      break;
    case EX_INTEGER:
    case EX_FLOAT:
      code_literal_number(p, e, 0, target);
      break;
    case EX_STRING:
      add_str(p, OP_String8, 0, target, 0, e->text, e->n_text);
      break;
    case EX_BLOB: {
      char *c = sqlite3_malloc64((u64)e->n_text + 1);
      if (!c) {
        p->rc = SQLITE_NOMEM;
        break;
      }
      if (e->n_text) memcpy(c, e->text, (size_t)e->n_text);
      c[e->n_text] = 0;
      vdbe_add_op4(v, OP_Blob, e->n_text, target, 0, c, P4_BLOB);
      break;
    }
    case EX_VARIABLE:
      vdbe_add_op2(v, OP_Variable, e->u.var_index, target);
      break;
    case EX_ID:
    case EX_DOT:
      parse_error_at(p, e->pos, "no such column: %s", e->text ? e->text : "");
      break;
    case EX_COLUMN:
      code_column(p, (Table *)e->res_ptr, e->res_cursor, e->res_column, target);
      break;
    case EX_AGG_COLUMN:
      if (e->res_agg != target) vdbe_add_op2(v, OP_Copy, e->res_agg, target);
      break;
    case EX_COLLATE:
      expr_code(p, e->left, target);
      break;
    case EX_CAST: {
      expr_code(p, e->left, target);
      char aff = schema_affinity_of_type(e->text);
      vdbe_add_op2(v, OP_Cast, target, aff ? aff : SQLITE_AFF_BLOB);
      break;
    }
    case EX_UNARY: {
      Expr *l = e->left;
      switch (e->sub_op) {
        case UN_NEG:
          if (l && (l->op == EX_INTEGER || l->op == EX_FLOAT)) {
            code_literal_number(p, l, 1, target);
          } else {
            int r0 = parse_alloc_reg(p);
            int r1 = expr_code_temp(p, l);
            vdbe_add_op2(v, OP_Integer, 0, r0);
            vdbe_add_op3(v, OP_Subtract, r1, r0, target);
          }
          break;
        case UN_PLUS:
          expr_code(p, l, target);
          break;
        case UN_BITNOT: {
          int r1 = expr_code_temp(p, l);
          vdbe_add_op2(v, OP_BitNot, r1, target);
          break;
        }
        case UN_NOT: {
          int r1 = expr_code_temp(p, l);
          vdbe_add_op2(v, OP_Not, r1, target);
          break;
        }
      }
      break;
    }
    case EX_BINARY: {
      int bop = e->sub_op;
      if (bop >= OP_EQ_ && bop <= OP_GE_) {
        if (is_vector(e->left) || is_vector(e->right) || e->left->op == EX_VECTOR || e->right->op == EX_VECTOR) {
          code_vector_compare(p, e, target);
          break;
        }
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        vdbe_add_op2(v, OP_Integer, 1, target);
        code_compare(p, e->left, e->right, cmp_opcode(bop), r1, r2, vdbe_current_addr(v) + 2, 0);
        vdbe_add_op3(v, OP_ZeroOrNull, r1, target, r2);
        break;
      }
      if (bop == OP_AND_ || bop == OP_OR_) {
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        vdbe_add_op3(v, bop == OP_AND_ ? OP_And : OP_Or, r1, r2, target);
        break;
      }
      if (bop == OP_JSON_ARROW_ || bop == OP_JSON_ARROW2_) {
        int wrong = 0;
        const char *nm = bop == OP_JSON_ARROW_ ? "->" : "->>";
        const FuncDef *f = func_find(p->db, nm, 2, &wrong);
        if (!f) {
          parse_error(p, "no such function: %s", nm);
          break;
        }
        int r = parse_alloc_regs(p, 2);
        expr_code(p, e->left, r);
        expr_code(p, e->right, r + 1);
        vdbe_add_op4(v, OP_Function, 0, r, target, (void *)f, P4_FUNCDEF);
        vdbe_change_p5(v, 2);
        break;
      }
      int op = arith_opcode(bop);
      int r1 = expr_code_temp(p, e->left);
      int r2 = expr_code_temp(p, e->right);
      vdbe_add_op3(v, op, r2, r1, target);
      break;
    }
    case EX_IS:
    case EX_ISNOT: {
      if (is_truth_const(e->right)) {
        code_is_truth(p, e, target);
        break;
      }
      if (is_vector(e->left) || e->left->op == EX_VECTOR) {
        code_vector_compare(p, e, target);
        break;
      }
      int r1 = expr_code_temp(p, e->left);
      int r2 = expr_code_temp(p, e->right);
      vdbe_add_op2(v, OP_Integer, 1, target);
      code_compare(p, e->left, e->right, e->op == EX_IS ? OP_Eq : OP_Ne, r1, r2, vdbe_current_addr(v) + 2,
                   SQLITE_NULLEQ);
      vdbe_add_op2(v, OP_Integer, 0, target);
      break;
    }
    case EX_ISNULL:
    case EX_NOTNULL: {
      int r1 = expr_code_temp(p, e->left);
      vdbe_add_op2(v, OP_Integer, 1, target);
      int a = vdbe_add_op1(v, e->op == EX_ISNULL ? OP_IsNull : OP_NotNull, r1);
      vdbe_add_op2(v, OP_Integer, 0, target);
      vdbe_jump_here(v, a);
      break;
    }
    case EX_BETWEEN: {
      int rx = expr_code_temp(p, e->left);
      int ra = expr_code_temp(p, e->list->a[0].expr);
      int rb = expr_code_temp(p, e->list->a[1].expr);
      int t1 = parse_alloc_reg(p), t2 = parse_alloc_reg(p);
      vdbe_add_op2(v, OP_Integer, 1, t1);
      code_compare(p, e->left, e->list->a[0].expr, OP_Ge, rx, ra, vdbe_current_addr(v) + 2, 0);
      vdbe_add_op3(v, OP_ZeroOrNull, rx, t1, ra);
      vdbe_add_op2(v, OP_Integer, 1, t2);
      code_compare(p, e->left, e->list->a[1].expr, OP_Le, rx, rb, vdbe_current_addr(v) + 2, 0);
      vdbe_add_op3(v, OP_ZeroOrNull, rx, t2, rb);
      vdbe_add_op3(v, OP_And, t1, t2, target);
      if (e->flags & EXPR_F_NOT) vdbe_add_op2(v, OP_Not, target, target);
      break;
    }
    case EX_IN_LIST:
      code_in_list(p, e, target);
      break;
    case EX_IN_SELECT:
      code_in_select(p, e, target);
      break;
    case EX_IN_TABLE:
      parse_error(p, "no such table: %s", e->text ? e->text : "");
      break;
    case EX_LIKE:
      code_like(p, e, target);
      break;
    case EX_CASE: {
      int end = vdbe_make_label(v);
      int rbase = 0;
      ExprList *l = e->list;
      if (e->left) rbase = expr_code_temp(p, e->left);
      for (int i = 0; l && i + 1 < l->n; i += 2) {
        int next = vdbe_make_label(v);
        Expr *w = l->a[i].expr;
        if (e->left) {
          int rw = expr_code_temp(p, w);
          code_compare(p, e->left, w, OP_Ne, rbase, rw, next, SQLITE_JUMPIFNULL);
        } else {
          expr_code_jump_if_false(p, w, next, SQLITE_JUMPIFNULL);
        }
        expr_code(p, l->a[i + 1].expr, target);
        vdbe_add_op2(v, OP_Goto, 0, end);
        vdbe_resolve_label(v, next);
      }
      if (e->extra)
        expr_code(p, e->extra, target);
      else
        vdbe_add_op2(v, OP_Null, 0, target);
      vdbe_resolve_label(v, end);
      break;
    }
    case EX_EXISTS:
      code_exists(p, e, target);
      break;
    case EX_SUBQUERY: {
      int n = vector_size(e);
      if (e->sub_op > 0) {
        /* UPDATE … SET (a, b) = (SELECT …): column sub_op of the row */
        if (n != e->u.i) {
          parse_error(p, "%d columns assigned %d values", (int)e->u.i, n);
          break;
        }
        int r = code_subquery_regs(p, e, n);
        vdbe_add_op2(v, OP_Copy, r + e->sub_op - 1, target);
        break;
      }
      if (n > 1) {
        parse_error(p, "sub-select returns %d columns - expected 1", n);
        break;
      }
      int r = code_subquery_regs(p, e, 1);
      vdbe_add_op2(v, OP_Copy, r, target);
      break;
    }
    case EX_VECTOR:
      if (e->list && e->list->n == 1) {
        expr_code(p, e->list->a[0].expr, target);
        break;
      }
      parse_error(p, "row value misused");
      break;
    case EX_FUNCTION:
      code_function(p, e, target);
      break;
    case EX_RAISE:
      if (e->sub_op == RAISE_IGNORE) {
        vdbe_add_op2(v, OP_Halt, SQLITE_OK, OE_IGNORE);
      } else {
        int oe = e->sub_op == RAISE_ROLLBACK ? OE_ROLLBACK : e->sub_op == RAISE_FAIL ? OE_FAIL : OE_ABORT;
        add_str(p, OP_Halt, SQLITE_CONSTRAINT_TRIGGER, oe, 0, e->text ? e->text : "", -1);
      }
      break;
    case EX_STAR:
      parse_error(p, "near \"*\": syntax error");
      break;
  }
  return target;
}

int expr_code_temp(Parse *p, Expr *e) {
  if (e && e->op == EX_AGG_COLUMN) return e->res_agg;
  int r = parse_alloc_reg(p);
  if (code_in_prologue(p, e, r)) return r; /* callers only read it */
  return expr_code(p, e, r);
}

void expr_code_list(Parse *p, ExprList *l, int target) {
  if (!l) return;
  expr_code_set_subqueries(p, l); /* the SET values of UPDATE … FROM */
  for (int i = 0; i < l->n; i++) expr_code(p, l->a[i].expr, target + i);
}

/* ---------------------------------------------------------------- jumps -- */
void expr_code_jump_if_true(Parse *p, Expr *e, int dest, int jump_if_null) {
  Vdbe *v = p->v;
  if (!e || p->rc) return;
  int jn = jump_if_null ? SQLITE_JUMPIFNULL : 0;
  switch (e->op) {
    case EX_TRUE:
      vdbe_add_op2(v, OP_Goto, 0, dest);
      return;
    case EX_FALSE:
      return;
    case EX_UNARY:
      if (e->sub_op == UN_NOT) {
        expr_code_jump_if_false(p, e->left, dest, jump_if_null);
        return;
      }
      break;
    case EX_BINARY: {
      int bop = e->sub_op;
      if (bop == OP_AND_) {
        int d2 = vdbe_make_label(v);
        expr_code_jump_if_false(p, e->left, d2, !jump_if_null);
        expr_code_jump_if_true(p, e->right, dest, jump_if_null);
        vdbe_resolve_label(v, d2);
        return;
      }
      if (bop == OP_OR_) {
        expr_code_jump_if_true(p, e->left, dest, jump_if_null);
        expr_code_jump_if_true(p, e->right, dest, jump_if_null);
        return;
      }
      if (bop >= OP_EQ_ && bop <= OP_GE_ && !is_vector(e->left) && !is_vector(e->right) &&
          e->left->op != EX_VECTOR && e->right->op != EX_VECTOR) {
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        code_compare(p, e->left, e->right, cmp_opcode(bop), r1, r2, dest, jn);
        return;
      }
      break;
    }
    case EX_IS:
    case EX_ISNOT:
      if (!is_truth_const(e->right) && !is_vector(e->left) && e->left->op != EX_VECTOR) {
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        code_compare(p, e->left, e->right, e->op == EX_IS ? OP_Eq : OP_Ne, r1, r2, dest, SQLITE_NULLEQ);
        return;
      }
      break;
    case EX_ISNULL:
    case EX_NOTNULL: {
      int r1 = expr_code_temp(p, e->left);
      vdbe_add_op2(v, e->op == EX_ISNULL ? OP_IsNull : OP_NotNull, r1, dest);
      return;
    }
    default:
      break;
  }
  int r = expr_code_temp(p, e);
  vdbe_add_op3(v, OP_If, r, dest, jump_if_null ? 1 : 0);
}

void expr_code_jump_if_false(Parse *p, Expr *e, int dest, int jump_if_null) {
  Vdbe *v = p->v;
  if (!e || p->rc) return;
  int jn = jump_if_null ? SQLITE_JUMPIFNULL : 0;
  switch (e->op) {
    case EX_TRUE:
      return;
    case EX_FALSE:
      vdbe_add_op2(v, OP_Goto, 0, dest);
      return;
    case EX_UNARY:
      if (e->sub_op == UN_NOT) {
        expr_code_jump_if_true(p, e->left, dest, jump_if_null);
        return;
      }
      break;
    case EX_BINARY: {
      int bop = e->sub_op;
      if (bop == OP_AND_) {
        expr_code_jump_if_false(p, e->left, dest, jump_if_null);
        expr_code_jump_if_false(p, e->right, dest, jump_if_null);
        return;
      }
      if (bop == OP_OR_) {
        int d2 = vdbe_make_label(v);
        expr_code_jump_if_true(p, e->left, d2, !jump_if_null);
        expr_code_jump_if_false(p, e->right, dest, jump_if_null);
        vdbe_resolve_label(v, d2);
        return;
      }
      if (bop >= OP_EQ_ && bop <= OP_GE_ && !is_vector(e->left) && !is_vector(e->right) &&
          e->left->op != EX_VECTOR && e->right->op != EX_VECTOR) {
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        code_compare(p, e->left, e->right, invert_cmp(cmp_opcode(bop)), r1, r2, dest, jn);
        return;
      }
      break;
    }
    case EX_IS:
    case EX_ISNOT:
      if (!is_truth_const(e->right) && !is_vector(e->left) && e->left->op != EX_VECTOR) {
        int r1 = expr_code_temp(p, e->left);
        int r2 = expr_code_temp(p, e->right);
        code_compare(p, e->left, e->right, e->op == EX_IS ? OP_Ne : OP_Eq, r1, r2, dest, SQLITE_NULLEQ);
        return;
      }
      break;
    case EX_ISNULL:
    case EX_NOTNULL: {
      int r1 = expr_code_temp(p, e->left);
      vdbe_add_op2(v, e->op == EX_ISNULL ? OP_NotNull : OP_IsNull, r1, dest);
      return;
    }
    default:
      break;
  }
  int r = expr_code_temp(p, e);
  vdbe_add_op3(v, OP_IfNot, r, dest, jump_if_null ? 1 : 0);
}
