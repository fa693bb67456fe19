/*
** where_code.c — code for the plan of each level: EXPLAIN QUERY PLAN rows,
** opening cursors, seeks and loop bounds, IN loops, and the WHERE/ON terms
** coded at the innermost level where all their tables are available.
*/
#include "where_int.h"
#include "vtab.h"
#include <stdarg.h>

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

void wh_explain_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  if (p->explain != 2) return;
  SrcItem *it = lv->item;
  char name_buf[64];
  const char *name = it->alias ? it->alias : it->name;
  if (!name) {
    sqlite3_snprintf(sizeof(name_buf), name_buf, "(subquery-%d)", select_src_eqp_id(it));
    name = name_buf;
  }
  const char *lj = lv->left_join || lv->or_left_join ? " LEFT-JOIN" : "";
  const char *scan = (w->flags & WHERE_ORDERBY_MIN) ? "SEARCH" : "SCAN";
  switch (lv->plan) {
    case PLAN_SCAN:
    case PLAN_PSEUDO:
    case PLAN_ONEROW:
      select_explain(p, "%s %s%s", scan, name, lj);
      return;
    case PLAN_VTAB:
      wh_explain_vtab(w, lv, name, lj);
      return;
    case PLAN_ROWID_EQ:
      select_explain(p, "SEARCH %s USING INTEGER PRIMARY KEY (rowid=?)%s", name, lj);
      return;
    case PLAN_ROWID_RANGE: /* SQLite prints ">" for any lower bound, "<" for any upper one */
      select_explain(p, "SEARCH %s USING INTEGER PRIMARY KEY (rowid%s)%s", name,
                     lv->lo && lv->hi ? ">? AND rowid<?" : lv->lo ? ">?" : "<?", lj);
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
      if (lv->lo) sqlite3_str_appendf(s, "%s%s>?", lv->n_eq ? " AND " : "", rn);
      if (lv->hi) sqlite3_str_appendf(s, "%s%s<?", (lv->n_eq || lv->lo) ? " AND " : "", rn);
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
void wh_open_level(WhereInfo *w, WLevel *lv) {
  Parse *p = w->p;
  Vdbe *v = p->v;
  Table *t = lv->tab;
  if (lv->plan == PLAN_PSEUDO || lv->plan == PLAN_ONEROW) return;
  if (lv->plan == PLAN_VTAB) {
    VTable *vt = t->vt ? vtab_table_vtable(t) : NULL;
    if (vt) vdbe_add_op4(v, OP_VOpen, lv->cursor, 0, 0, vtable_ref(vt), P4_VTAB);
    return;
  }
  if (lv->plan == PLAN_MULTI_OR) {
    wh_open_or_level(w, lv);
    return;
  }
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
      KeyInfo *k = pk ? build_index_keyinfo(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      lv->idx_cursor = parse_alloc_cursor(p);
      vdbe_add_op4(v, OP_OpenRead, lv->idx_cursor, (int)lv->idx->root, idb, build_index_keyinfo(p, lv->idx),
                   P4_KEYINFO);
      lv->pk_seek = 1;
      return;
    }
    if (lv->plan == PLAN_INDEX && lv->idx == pk) {
      lv->idx_cursor = lv->cursor;
      KeyInfo *k = pk ? build_index_keyinfo(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      lv->covering = 1; /* the table itself */
      return;
    }
    if (lv->plan != PLAN_INDEX) {
      KeyInfo *k = pk ? build_index_keyinfo(p, pk) : NULL;
      vdbe_add_op4(v, OP_OpenRead, lv->cursor, (int)(pk ? pk->root : t->root), idb, k, P4_KEYINFO);
      return;
    }
  }
  int onepass = (w->flags & WHERE_ONE_PASS) != 0;
  if (!(lv->plan == PLAN_INDEX && lv->covering) || t->without_rowid) {
    if (!t->without_rowid) {
      vdbe_add_op4_int(v, onepass ? OP_OpenWrite : OP_OpenRead, lv->cursor, (int)t->root, idb, t->n_col);
    }
  }
  if (lv->plan == PLAN_INDEX && onepass) return; /* the caller's index cursor, open */
  if (lv->plan == PLAN_INDEX) {
    if (lv->idx_cursor <= 0 || lv->idx_cursor == lv->cursor) lv->idx_cursor = parse_alloc_cursor(p);
    vdbe_add_op4(v, OP_OpenRead, lv->idx_cursor, (int)lv->idx->root, idb, build_index_keyinfo(p, lv->idx),
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

void wh_code_terms(WhereInfo *w, int li, u64 avail, int only_on) {
  Parse *p = w->p;
  WLevel *lv = &w->lv[li];
  for (int i = 0; i < w->n_term; i++) {
    WTerm *t = &w->terms[i];
    if (t->done || t->virt) continue;
    if (wh_children_done(w, t)) {
      t->done = 1; /* implied by the lookups its virtual terms drove */
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
    /* a filter runs once per row: its row-independent parts once in all */
    int fc = p->factor_const;
    p->factor_const = 1;
    expr_code_jump_if_false(p, t->e, lv->cont, SQLITE_JUMPIFNULL);
    p->factor_const = fc;
    t->done = 1;
  }
}

/* The value side of a term into reg (NULL for "col IS NULL"). */
static void code_term_value(Parse *p, WTerm *t, int col_is_left, int reg) {
  Expr *val = wh_term_value(t, col_is_left);
  if (val)
    expr_code(p, val, reg);
  else
    vdbe_add_op2(p->v, OP_Null, 0, reg);
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
    if (!val && j < lv->n_eq && lv->eq_op[j] == WO_IN) a = SQLITE_AFF_BLOB; /* applied when the set was built */
    if (!val && j < lv->n_eq && lv->eq_op[j] != WO_IN) val = wh_term_value(lv->eq[j], lv->eq_col_is_left[j]);
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
    constant = !expr_subquery_is_correlated(e->select) && wh_value_mask(w, t, 1) == 0;
  }
  int once = constant ? vdbe_add_op0(v, OP_Once) : -1;
  int sp = p->eqp_parent;
  if (e->op == EX_IN_SELECT && p->explain == 2) {
    int id = vdbe_current_addr(v);
    select_explain(p, "%sLIST SUBQUERY %d", expr_subquery_is_correlated(e->select) ? "CORRELATED " : "",
                   select_eqp_id(p, e->select));
    p->eqp_parent = id;
  }
  KeyInfo *k = keyinfo_alloc(1, 0);
  if (k) {
    k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
    if (k->coll) k->coll[0] = parse_collseq(p, coll);
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
  p->eqp_parent = sp;
  if (once >= 0) vdbe_jump_here(v, once);
  if (lv->n_in == 0) lv->in_exit = vdbe_make_label(v);
  /* a walk backwards in ORDER BY order takes the values backwards too */
  vdbe_add_op2(v, lv->desc ? OP_Last : OP_Rewind, cur, lv->in_exit);
  lv->in_top[lv->n_in] = vdbe_current_addr(v);
  lv->in_cur[lv->n_in] = cur;
  lv->n_in++;
  vdbe_add_op3(v, OP_Column, cur, 0, reg);
  t->done = 1;
}

void wh_begin_level(WhereInfo *w, int li, u64 avail_before) {
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
  wh_explain_level(w, lv);
  switch (lv->plan) {
    case PLAN_PSEUDO:
      if (lv->item->res_co_reg) { /* a co-routine's rows (select.c) */
        vdbe_add_op3(v, OP_InitCoroutine, lv->item->res_co_reg, 0, lv->item->res_co_addr);
        lv->top = vdbe_current_addr(v);
        vdbe_add_op2(v, OP_Yield, lv->item->res_co_reg, lv->brk);
        lv->next_op = OP_Goto;
        lv->next_cursor = 0;
        break;
      }
      /* fall through */
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
    case PLAN_MULTI_OR:
      wh_code_or_level(w, lv);
      break;
    case PLAN_VTAB:
      wh_code_vtab_level(w, lv);
      break;
    case PLAN_ROWID_EQ: {
      int r = parse_alloc_reg(p);
      if (lv->eq_op[0] == WO_IN)
        code_in_loop(w, lv, lv->eq[0], r, SQLITE_AFF_INTEGER, NULL);
      else
        code_term_value(p, lv->eq[0], lv->eq_col_is_left[0], r);
      vdbe_add_op3(v, OP_SeekRowid, lv->cursor, lv->brk, r);
      lv->eq[0]->done = 1;
      lv->top = vdbe_current_addr(v);
      lv->next_op = 0;
      break;
    }
    case PLAN_ROWID_RANGE: {
      /* the bound where the walk starts (lo forwards, hi backwards), then
      ** a rowid comparison against the other one on every row */
      int rev = lv->desc;
      WTerm *start = rev ? lv->hi : lv->lo, *end = rev ? lv->lo : lv->hi;
      int start_left = rev ? lv->hi_left : lv->lo_left, end_left = rev ? lv->lo_left : lv->hi_left;
      int start_op = rev ? lv->hi_op : lv->lo_op, end_op = rev ? lv->lo_op : lv->hi_op;
      int r_end = 0;
      if (start) {
        int r = parse_alloc_reg(p);
        code_term_value(p, start, start_left, r);
        vdbe_add_op2(v, OP_IsNull, r, lv->brk);
        int incl = start_op == WO_GE || start_op == WO_LE;
        int op = rev ? (incl ? OP_SeekLE : OP_SeekLT) : (incl ? OP_SeekGE : OP_SeekGT);
        vdbe_add_op3(v, op, lv->cursor, lv->brk, r);
        start->done = 1;
      } else {
        vdbe_add_op2(v, rev ? OP_Last : OP_Rewind, lv->cursor, lv->brk);
      }
      if (end) {
        r_end = parse_alloc_reg(p);
        code_term_value(p, end, end_left, r_end);
        vdbe_add_op2(v, OP_IsNull, r_end, lv->brk);
      }
      lv->top = vdbe_current_addr(v);
      if (end) {
        int r = parse_alloc_reg(p);
        vdbe_add_op2(v, OP_Rowid, lv->cursor, r);
        /* leave once the rowid is past the bound (jump if r[P3] op r[P1]) */
        int op;
        switch (end_op) {
          case WO_LT: op = OP_Ge; break;
          case WO_LE: op = OP_Gt; break;
          case WO_GT: op = OP_Le; break;
          default: op = OP_Lt; break;
        }
        vdbe_add_op3(v, op, r_end, lv->brk, r);
        vdbe_change_p5(v, SQLITE_AFF_NUMERIC | SQLITE_JUMPIFNULL);
        end->done = 1;
      }
      lv->next_op = rev ? OP_Prev : OP_Next;
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
        KeyInfo *k = build_index_keyinfo(p, ix);
        vdbe_add_op4(v, OP_OpenAutoindex, cur, ix->n_column, 0, k, P4_KEYINFO);
        int r = parse_alloc_regs(p, ix->n_column), rec = parse_alloc_reg(p);
        int a = vdbe_add_op2(v, OP_Rewind, lv->cursor, 0);
        int top = vdbe_current_addr(v);
        for (int j = 0; j < ix->n_column; j++) {
          int c = ix->columns[j];
          if (c < 0 || (c == t->ipk && t->root))
            vdbe_add_op2(v, OP_Rowid, lv->cursor, r + j);
          else if (table_col_is_virtual(t, c))
            expr_code_virtual_column(p, t, lv->cursor, c, r + j);
          else
            vdbe_add_op3(v, OP_Column, lv->cursor, t->root ? table_storage_col(t, c) : c, r + j);
        }
        vdbe_add_op3(v, OP_MakeRecord, r, ix->n_column, rec);
        vdbe_add_op4_int(v, OP_IdxInsert, cur, rec, r, ix->n_column);
        vdbe_add_op2(v, OP_Next, lv->cursor, top);
        vdbe_jump_here(v, a);
        vdbe_jump_here(v, once);
      }
      /* As SQLite's codeOneLoopStart: the range bound met first in the
      ** walk's direction is the start key, the other the end key; which is
      ** which depends on the scan direction and on the column's ASC/DESC.
      ** NULLs sort lowest: with no lower bound the walk must step over
      ** them at whichever end they are. */
      Index *ix = lv->idx;
      int rev = lv->desc;
      int has_range = lv->lo || lv->hi;
      int col_desc = has_range && ix->sort_desc && ix->sort_desc[n_eq];
      WTerm *start = lv->lo, *end = lv->hi;
      int start_left = lv->lo_left, end_left = lv->hi_left;
      int start_op = lv->lo_op, end_op = lv->hi_op;
      int seek_past_null = has_range && !lv->lo, stop_at_null = 0;
      if (has_range && rev != col_desc) {
        start = lv->hi, end = lv->lo;
        start_left = lv->hi_left, end_left = lv->lo_left;
        start_op = lv->hi_op, end_op = lv->lo_op;
        stop_at_null = seek_past_null;
        seek_past_null = 0;
      }
      int r_key = parse_alloc_regs(p, n_eq + 1);
      for (int k = 0; k < n_eq; k++) {
        if (lv->eq_op[k] != WO_IN) continue;
        int c = ix->columns[k];
        char a = c >= 0 ? lv->tab->cols[c].affinity : SQLITE_AFF_INTEGER;
        code_in_loop(w, lv, lv->eq[k], r_key + k, a, ix->collate ? ix->collate[k] : NULL);
      }
      for (int k = 0; k < n_eq; k++) {
        if (lv->eq_op[k] != WO_IN) code_term_value(p, lv->eq[k], lv->eq_col_is_left[k], r_key + k);
        if (!WO_NULL_OK(lv->eq_op[k])) vdbe_add_op2(v, OP_IsNull, r_key + k, lv->brk);
      }
      if (n_eq) apply_index_affinity(w, lv, r_key, 0, n_eq);
      int n_start = n_eq, start_incl = 1;
      if (start) {
        code_term_value(p, start, start_left, r_key + n_eq);
        vdbe_add_op2(v, OP_IsNull, r_key + n_eq, lv->brk);
        apply_index_affinity_x(w, lv, r_key + n_eq, n_eq, 1, wh_term_value(start, start_left));
        n_start++;
        start_incl = start_op == WO_GE || start_op == WO_LE;
      } else if (seek_past_null) {
        vdbe_add_op2(v, OP_Null, 0, r_key + n_eq);
        n_start++;
        start_incl = 0;
      }
      int r_end = r_key, end_n = n_eq, end_incl = 1;
      if (end || stop_at_null) {
        r_end = parse_alloc_regs(p, n_eq + 1);
        for (int k = 0; k < n_eq; k++) vdbe_add_op2(v, OP_SCopy, r_key + k, r_end + k);
        if (end) {
          code_term_value(p, end, end_left, r_end + n_eq);
          vdbe_add_op2(v, OP_IsNull, r_end + n_eq, lv->brk);
          apply_index_affinity_x(w, lv, r_end + n_eq, n_eq, 1, wh_term_value(end, end_left));
          end_incl = end_op == WO_GE || end_op == WO_LE;
        } else {
          vdbe_add_op2(v, OP_Null, 0, r_end + n_eq);
          end_incl = 0;
        }
        end_n = n_eq + 1;
      }
      if (n_start == 0)
        vdbe_add_op2(v, rev ? OP_Last : OP_Rewind, cur, lv->brk);
      else
        vdbe_add_op4_int(v, rev ? (start_incl ? OP_SeekLE : OP_SeekLT) : (start_incl ? OP_SeekGE : OP_SeekGT), cur,
                         lv->brk, r_key, n_start);
      int end_opcode = rev ? (end_incl ? OP_IdxLT : OP_IdxLE) : (end_incl ? OP_IdxGT : OP_IdxGE);
      if (lv->lo) lv->lo->done = 1;
      if (lv->hi) lv->hi->done = 1;
      lv->top = vdbe_current_addr(v);
      if (end_n > 0) vdbe_add_op4_int(v, end_opcode, cur, lv->brk, r_end, end_n);
      for (int k = 0; k < n_eq; k++) lv->eq[k]->done = 1;
      if ((!lv->covering || lv->or_sub_level) && !lv->tab->without_rowid) {
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
    wh_code_terms(w, li, avail, 1);
    lv->addr_first = vdbe_current_addr(v);
    vdbe_add_op2(v, OP_Integer, 1, lv->reg_match);
  }
  if (w->right == li) {
    /* RIGHT/FULL JOIN: every ON condition first, then remember the match */
    wh_code_terms(w, li, avail, 2);
    int r = parse_alloc_reg(p), rec = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Rowid, lv->cursor, r);
    vdbe_add_op3(v, OP_MakeRecord, r, 1, rec);
    vdbe_add_op4_int(v, OP_IdxInsert, w->match_cur, rec, r, 1);
  }
  wh_code_terms(w, li, avail, 0);
  /* terms whose equality drove an index but that belong to WHERE on a
  ** left-join level were not marked done; wh_code_terms handled them. */
}
