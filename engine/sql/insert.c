/*
** insert.c — INSERT (VALUES, SELECT, DEFAULT VALUES, OR <conflict>,
** UPSERT, RETURNING) and the constraint checking / record writing shared
** with UPDATE: NOT NULL, CHECK, rowid uniqueness, UNIQUE indexes, REPLACE.
**
** Register layout of a row being written: reg_rowid, then the n_col column
** registers (reg_data = reg_rowid + 1) — the same layout triggers use for
** NEW.* / OLD.* (Parse.new_base / old_base).
*/
#include "build_int.h"
#include "vtab.h"

/* --------------------------------------------- column refs -> registers -- */
static void walk_to_regs(Expr *e, int cursor, int base, Table *t);
static void walk_list_to_regs(ExprList *l, int cursor, int base, Table *t) {
  if (!l) return;
  for (int i = 0; i < l->n; i++) walk_to_regs(l->a[i].expr, cursor, base, t);
}
static void walk_to_regs(Expr *e, int cursor, int base, Table *t) {
  if (!e) return;
  if (e->op == EX_COLUMN && e->res_cursor == cursor) {
    int c = e->res_column;
    e->op = EX_AGG_COLUMN;
    e->res_ptr = NULL;
    if (c < 0 || c == t->ipk) {
      e->res_agg = base;
      e->res_affinity = SQLITE_AFF_INTEGER;
    } else {
      e->res_agg = base + 1 + c;
    }
    return;
  }
  walk_to_regs(e->left, cursor, base, t);
  walk_to_regs(e->right, cursor, base, t);
  walk_to_regs(e->extra, cursor, base, t);
  walk_list_to_regs(e->list, cursor, base, t);
  /* excluded.* referenced from inside a subquery */
  for (Select *s = e->select; s; s = s->prior) {
    walk_list_to_regs(s->result, cursor, base, t);
    walk_to_regs(s->where, cursor, base, t);
    walk_list_to_regs(s->group_by, cursor, base, t);
    walk_to_regs(s->having, cursor, base, t);
    walk_list_to_regs(s->order_by, cursor, base, t);
    walk_to_regs(s->limit, cursor, base, t);
    walk_to_regs(s->offset, cursor, base, t);
    if (s->from)
      for (int i = 0; i < s->from->n; i++) {
        walk_to_regs(s->from->a[i].on, cursor, base, t);
        if (s->from->a[i].subquery) {
          Expr tmp;
          memset(&tmp, 0, sizeof(tmp));
          tmp.op = EX_SUBQUERY;
          tmp.select = s->from->a[i].subquery;
          walk_to_regs(&tmp, cursor, base, t);
        }
      }
  }
}

/* Resolve a copy of e against t's columns held in registers (rowid at base,
** column i at base+1+i).  Returns the copy (caller frees) or NULL. */
Expr *build_expr_on_regs(Parse *p, const Expr *e, Table *t, int base) {
  Expr *d = ast_dup_expr(e);
  if (!d) return NULL;
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.table = t;
  nc.table_cursor = 1000000 + base; /* a cursor number never opened */
  nc.is_check = 1;
  if (resolve_expr(p, &nc, d) != SQLITE_OK) {
    ast_free_expr(d);
    return NULL;
  }
  walk_to_regs(d, nc.table_cursor, base, t);
  return d;
}

/* STORED generated columns: computed from the other columns of the row
** (twice, so one generated column may use another). */
void insert_compute_generated(Parse *p, Table *t, int base) {
  int any = 0;
  for (int i = 0; i < t->n_col; i++)
    if (t->cols[i].generated) any = 1;
  if (!any) return;
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < t->n_col; i++) {
      if (!t->cols[i].generated) continue;
      Expr *d = build_expr_on_regs(p, t->cols[i].generated, t, base);
      if (!d) return;
      expr_code(p, d, base + 1 + i);
      ast_free_expr(d);
    }
}

/* ----------------------------------------------------------- affinity -- */
char *build_table_affinity(Table *t) {
  char *z = sqlite3_malloc64((u64)t->n_col + 1);
  if (!z) return NULL;
  for (int i = 0; i < t->n_col; i++) z[i] = t->cols[i].affinity ? t->cols[i].affinity : SQLITE_AFF_BLOB;
  z[t->n_col] = 0;
  return z;
}

void insert_affinity(Parse *p, Table *t, int reg_data) {
  if (t->n_col == 0) return;
  vdbe_add_op4(p->v, OP_Affinity, reg_data, t->n_col, 0, build_table_affinity(t), P4_DYNAMIC);
}

/* -------------------------------------------------- constraint helpers -- */
static void halt_constraint(Parse *p, int code, int oe, char *msg, int p5) {
  vdbe_add_op4(p->v, OP_Halt, code, oe, 0, msg, P4_DYNAMIC);
  vdbe_change_p5(p->v, (u16)p5);
}

static int resolve_oe(int stmt_oe, int cons_oe) {
  if (stmt_oe != OE_DEFAULT) return stmt_oe;
  if (cons_oe != OE_DEFAULT) return cons_oe;
  return OE_ABORT;
}

/* Does the upsert target match index ix (or the rowid when ix NULL)? */
static int upsert_matches(Upsert *u, Table *t, Index *ix) {
  if (!u) return 0;
  if (!u->target) return 1; /* no target: any uniqueness conflict */
  int n = u->target->n;
  if (!ix) {
    if (n != 1 || t->ipk < 0) return 0;
    Expr *e = u->target->a[0].expr;
    while (e && e->op == EX_COLLATE) e = e->left;
    return e && e->op == EX_ID && table_column_index(t, e->text) == t->ipk;
  }
  if (n != ix->n_key_col) return 0;
  for (int i = 0; i < n; i++) {
    int found = 0;
    for (int j = 0; j < n; j++) {
      Expr *e = u->target->a[j].expr;
      while (e && e->op == EX_COLLATE) e = e->left;
      if (e && e->op == EX_ID && table_column_index(t, e->text) == ix->columns[i]) found = 1;
    }
    if (!found) return 0;
  }
  return 1;
}

static Upsert *upsert_find(Upsert *u, Table *t, Index *ix) {
  for (; u; u = u->next)
    if (upsert_matches(u, t, ix)) return u;
  return NULL;
}

static void upsert_do_update(Parse *p, WriteCtx *w, Upsert *u, int reg_target, Index *cix, int ck, int cregs);

/* REPLACE in a WITHOUT ROWID table: find the row owning the conflicting
** entry of index ix (cursor idx_cur + k) and remove all its entries. */
static void wr_replace_conflict(Parse *p, WriteCtx *w, Index *ix, int k, int regs, int done) {
  Vdbe *v = p->v;
  Table *t = w->tab;
  Index *pk = table_primary_key_index(t);
  if (!pk) return;
  int k_pk = 0, kk = 0;
  for (Index *q = t->indexes; q; q = q->next, kk++)
    if (q == pk) k_pk = kk;
  int pkcur = w->idx_cur + k_pk;
  vdbe_add_op4_int(v, OP_NotFound, w->idx_cur + k, done, regs, ix->n_key_col);
  if (ix != pk) {
    int pkregs = parse_alloc_regs(p, pk->n_key_col);
    for (int j = 0; j < pk->n_key_col; j++) {
      int pos = 0;
      for (int q = 0; q < ix->n_column; q++)
        if (ix->columns[q] == pk->columns[j]) pos = q;
      vdbe_add_op3(v, OP_Column, w->idx_cur + k, pos, pkregs + j);
    }
    vdbe_add_op4_int(v, OP_NotFound, pkcur, done, pkregs, pk->n_key_col);
  }
  int block = parse_alloc_regs(p, t->n_col + 1);
  vdbe_add_op2(v, OP_Null, 0, block);
  for (int c = 0; c < t->n_col; c++) build_column_value(p, t, pkcur, c, block + 1 + c);
  wr_delete_entries(p, t, w->idx_cur, block, 1);
}

/* Delete the row the data cursor is on (REPLACE), with its index entries. */
static void delete_row_for_replace(Parse *p, WriteCtx *w, int reg_rowid) {
  Table *t = w->tab;
  int trig = (p->db->flags & SQLITE_RecTriggers) ? trigger_exists(p, t, ST_DELETE, NULL) : 0;
  if (trig) {
    /* with recursive_triggers, REPLACE fires the DELETE triggers */
    Vdbe *v = p->v;
    int reg_old = parse_alloc_regs(p, t->n_col + 1);
    int skip = vdbe_make_label(v);
    vdbe_add_op2(v, OP_Copy, reg_rowid, reg_old);
    for (int c = 0; c < t->n_col; c++) build_column_value(p, t, w->data_cur, c, reg_old + 1 + c);
    if (trig & 1) {
      trigger_code_all(p, t, ST_DELETE, 0, NULL, NULL, 0, reg_old, OE_DEFAULT, skip);
      vdbe_add_op3(v, OP_NotExists, w->data_cur, skip, reg_old);
    }
    insert_delete_index_entries(p, t, w->data_cur, w->idx_cur, reg_old);
    vdbe_add_op2(v, OP_Delete, w->data_cur, 0);
    if (trig & 2) trigger_code_all(p, t, ST_DELETE, 1, NULL, NULL, 0, reg_old, OE_DEFAULT, skip);
    vdbe_resolve_label(v, skip);
    return;
  }
  insert_delete_index_entries(p, t, w->data_cur, w->idx_cur, reg_rowid);
  vdbe_add_op2(p->v, OP_Delete, w->data_cur, 0);
}

/* Build index key registers for the new row (from registers). */
static void new_index_key(Parse *p, WriteCtx *w, Index *ix, int regs) {
  Table *t = w->tab;
  for (int i = 0; i < ix->n_column; i++) {
    int c = ix->columns[i];
    if (c == -2) {
      Expr *e = ix->exprs && i < ix->exprs->n ? ix->exprs->a[i].expr : NULL;
      Expr *d = e ? build_expr_on_regs(p, e, t, w->reg_rowid) : NULL;
      if (d) {
        expr_code(p, d, regs + i);
        ast_free_expr(d);
      } else {
        vdbe_add_op2(p->v, OP_Null, 0, regs + i);
      }
    } else if (c < 0 || c == t->ipk) {
      vdbe_add_op2(p->v, OP_SCopy, w->reg_rowid, regs + i);
    } else {
      vdbe_add_op2(p->v, OP_SCopy, w->reg_data + c, regs + i);
    }
  }
}

/* NOT NULL, CHECK, rowid and UNIQUE checks.  Fills w->idx_regs[k] with the
** register holding each index's new record (NULL when a partial index does
** not apply). */
void insert_check_constraints(Parse *p, WriteCtx *w) {
  Vdbe *v = p->v;
  Table *t = w->tab;
  sqlite3 *db = p->db;
  /* NOT NULL */
  for (int i = 0; i < t->n_col; i++) {
    if (i == t->ipk || !t->cols[i].not_null) continue;
    if (w->chng && !w->chng[i]) continue;
    int oe = resolve_oe(w->on_error, t->cols[i].not_null - 1);
    if (oe == OE_REPLACE && !t->cols[i].default_value) oe = OE_ABORT;
    int reg = w->reg_data + i;
    if (oe == OE_IGNORE) {
      vdbe_add_op2(v, OP_IsNull, reg, w->ignore_label);
    } else if (oe == OE_REPLACE) {
      int a = vdbe_add_op1(v, OP_NotNull, reg);
      Expr *d = build_expr_on_regs(p, t->cols[i].default_value, t, w->reg_rowid);
      if (d) {
        expr_code(p, d, reg);
        ast_free_expr(d);
      }
      vdbe_jump_here(v, a);
    } else {
      vdbe_add_op4(v, OP_HaltIfNull, SQLITE_CONSTRAINT_NOTNULL, oe, reg,
                   build_mprintf("%s.%s", t->name, t->cols[i].name), P4_DYNAMIC);
      vdbe_change_p5(v, 1);
    }
  }
  /* STRICT: each value must have the column's type */
  if (t->strict) {
    int wrong = 0;
    const FuncDef *typeof_fn = func_find(db, "typeof", 1, &wrong);
    int rt = parse_alloc_reg(p), rs = parse_alloc_reg(p);
    for (int i = 0; i < t->n_col && typeof_fn; i++) {
      Column *c = &t->cols[i];
      if (i == t->ipk || !c->type || shale_stricmp(c->type, "ANY") == 0) continue;
      if (w->chng && !w->chng[i]) continue;
      const char *allowed = (shale_stricmp(c->type, "INT") == 0 || shale_stricmp(c->type, "INTEGER") == 0)
                                ? "integer"
                            : shale_stricmp(c->type, "REAL") == 0 ? "real"
                            : shale_stricmp(c->type, "TEXT") == 0 ? "text"
                                                                   : "blob";
      vdbe_add_op4(v, OP_Function, 0, w->reg_data + i, rt, typeof_fn, P4_FUNCDEF);
      vdbe_change_p5(v, 1);
      static const char *const kinds[4] = {"integer", "real", "text", "blob"};
      static const char *const upper[4] = {"INT", "REAL", "TEXT", "BLOB"}; /* SQLite's value type names */
      for (int k = 0; k < 4; k++) {
        if (strcmp(kinds[k], allowed) == 0) continue;
        if (k == 0 && strcmp(allowed, "real") == 0) continue; /* integers are stored in REAL columns */
        int next = vdbe_make_label(v);
        vdbe_add_op4(v, OP_String8, 0, rs, 0, kinds[k], P4_STATIC);
        vdbe_add_op3(v, OP_Ne, rs, next, rt);
        int oe = resolve_oe(w->on_error, OE_DEFAULT);
        if (oe == OE_REPLACE) oe = OE_ABORT;
        if (oe == OE_IGNORE) {
          vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
        } else {
          char *up = build_mprintf("%s", c->type);
          for (char *q = up; q && *q; q++)
            if (*q >= 'a' && *q <= 'z') *q = (char)(*q - 32);
          vdbe_add_op4(v, OP_Halt, SQLITE_CONSTRAINT_DATATYPE, oe, 0,
                       build_mprintf("cannot store %s value in %s column %s.%s", upper[k], up, t->name, c->name),
                       P4_DYNAMIC);
          sqlite3_free(up);
        }
        vdbe_resolve_label(v, next);
      }
    }
  }
  /* CHECK */
  if (t->check_list && !(db->flags & SQLITE_IgnoreChecks)) {
    for (int k = 0; k < t->check_list->n; k++) {
      ExprListItem *it = &t->check_list->a[k];
      Expr *d = build_expr_on_regs(p, it->expr, t, w->reg_rowid);
      if (!d) return;
      int ok = vdbe_make_label(v);
      expr_code_jump_if_true(p, d, ok, 1);
      ast_free_expr(d);
      int oe = resolve_oe(w->on_error, OE_DEFAULT);
      if (oe == OE_REPLACE) oe = OE_ABORT;
      if (oe == OE_IGNORE) {
        vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
      } else {
        const char *nm = it->alias ? it->alias : it->span;
        halt_constraint(p, SQLITE_CONSTRAINT_CHECK, oe, nm ? shale_strdup(nm) : NULL, 3);
      }
      vdbe_resolve_label(v, ok);
    }
  }
  /* Rowid uniqueness */
  /* as SQLite: a rowid from OP_NewRowid is not checked for a conflict */
  int check_rowid = t->without_rowid || w->rowid_is_new ? 0 : w->is_update ? w->rowid_changed : 1;
  if (check_rowid) {
    int oe = resolve_oe(w->on_error, t->pk_on_conflict);
    Upsert *up = upsert_find(w->upsert, t, NULL);
    int ok = vdbe_make_label(v);
    if (w->is_update) vdbe_add_op3(v, OP_Eq, w->reg_rowid, ok, w->reg_old_rowid);
    vdbe_add_op3(v, OP_NotExists, w->data_cur, ok, w->reg_rowid);
    if (up && !up->do_nothing) {
      upsert_do_update(p, w, up, w->reg_rowid, NULL, 0, 0);
    } else if (up) {
      vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
    } else if (oe == OE_IGNORE) {
      vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
    } else if (oe == OE_REPLACE) {
      delete_row_for_replace(p, w, w->reg_rowid);
    } else {
      const char *cn = t->ipk >= 0 ? t->cols[t->ipk].name : "rowid";
      halt_constraint(p, SQLITE_CONSTRAINT_PRIMARYKEY, oe, build_mprintf("%s.%s", t->name, cn), 2);
    }
    vdbe_resolve_label(v, ok);
  }
  /* Indexes: the UPSERT target first (SQLite checks it before the others) */
  Index *order[256];
  int korder[256];
  int n_order = 0;
  {
    int kk = 0;
    Index *first = NULL;
    if (w->upsert && w->upsert->target) {
      for (Index *ix = t->indexes; ix; ix = ix->next)
        if (ix->unique && upsert_matches(w->upsert, t, ix)) {
          first = ix;
          break;
        }
    }
    kk = 0;
    for (Index *ix = t->indexes; ix; ix = ix->next, kk++)
      if (ix == first && n_order < 256) order[n_order] = ix, korder[n_order++] = kk;
    kk = 0;
    for (Index *ix = t->indexes; ix; ix = ix->next, kk++)
      if (ix != first && n_order < 256) order[n_order] = ix, korder[n_order++] = kk;
  }
  for (int oi = 0; oi < n_order; oi++) {
    Index *ix = order[oi];
    int k = korder[oi];
    if (w->idx_unchanged && w->idx_unchanged[k]) continue; /* UPDATE leaves it as it is */
    int rrec = w->idx_regs[k];
    int skip = vdbe_make_label(v);
    if (ix->where) {
      vdbe_add_op2(v, OP_Null, 0, rrec);
      Expr *d = build_expr_on_regs(p, ix->where, t, w->reg_rowid);
      if (d) {
        expr_code_jump_if_false(p, d, skip, 1);
        ast_free_expr(d);
      }
    }
    int regs = parse_alloc_regs(p, ix->n_column);
    new_index_key(p, w, ix, regs);
    vdbe_add_op3(v, OP_MakeRecord, regs, ix->n_column, rrec);
    if (ix->unique) {
      int oe = resolve_oe(w->on_error, ix->on_error);
      Upsert *up = upsert_find(w->upsert, t, ix);
      int ok = vdbe_make_label(v);
      vdbe_add_op4_int(v, OP_NoConflict, w->idx_cur + k, ok, regs, ix->n_key_col);
      int rr = parse_alloc_reg(p);
      if (!t->without_rowid) vdbe_add_op2(v, OP_IdxRowid, w->idx_cur + k, rr);
      if (w->is_update && !t->without_rowid) vdbe_add_op3(v, OP_Eq, rr, ok, w->reg_old_rowid);
      if (w->is_update && t->without_rowid) {
        /* the conflicting entry is this row if its PRIMARY KEY is the old one */
        Index *pk = table_primary_key_index(t);
        int differ = vdbe_make_label(v);
        for (int j = 0; pk && j < pk->n_key_col; j++) {
          int pos = -1;
          for (int q = 0; q < ix->n_column; q++)
            if (ix->columns[q] == pk->columns[j]) pos = q;
          if (pos < 0) break;
          vdbe_add_op3(v, OP_Column, w->idx_cur + k, pos, rr);
          vdbe_add_op3(v, OP_Ne, w->reg_old_rowid + 1 + pk->columns[j], differ, rr);
        }
        vdbe_add_op2(v, OP_Goto, 0, ok);
        vdbe_resolve_label(v, differ);
      }
      if (up && !up->do_nothing) {
        upsert_do_update(p, w, up, rr, ix, k, regs);
      } else if (up || oe == OE_IGNORE) {
        vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
      } else if (oe == OE_REPLACE && t->without_rowid) {
        wr_replace_conflict(p, w, ix, k, regs, ok);
      } else if (oe == OE_REPLACE) {
        int nf = vdbe_add_op3(v, OP_NotExists, w->data_cur, 0, rr);
        delete_row_for_replace(p, w, rr);
        vdbe_jump_here(v, nf);
      } else {
        halt_constraint(p, ix->origin == 'p' ? SQLITE_CONSTRAINT_PRIMARYKEY : SQLITE_CONSTRAINT_UNIQUE, oe,
                        build_index_colnames(ix), 2);
      }
      vdbe_resolve_label(v, ok);
    }
    vdbe_resolve_label(v, skip);
  }
}

/* ON CONFLICT DO UPDATE: update the existing row whose rowid is in
** reg_target (excluded.* = the row that was to be inserted), then skip the
** insert. */
static void upsert_do_update(Parse *p, WriteCtx *w, Upsert *u, int reg_target, Index *cix, int ck, int cregs) {
  Vdbe *v = p->v;
  Table *t = w->tab;
  /* WITHOUT ROWID: the row is found through its PRIMARY KEY b-tree */
  int wr = t->without_rowid;
  Index *pk = wr ? table_primary_key_index(t) : NULL;
  int data_cur = w->data_cur;
  if (wr) {
    int kk = 0;
    for (Index *q = t->indexes; q; q = q->next, kk++)
      if (q == pk) data_cur = w->idx_cur + kk;
  }
  int n_col = t->n_col;
  int sentinel = 2000000 + w->reg_rowid;
  SrcList *tsrc = ast_src_list_append(NULL);
  SrcList *xsrc = ast_src_list_append(NULL);
  if (!tsrc || !xsrc) return;
  tsrc->a[0].name = shale_strdup(t->name);
  tsrc->a[0].res_ptr = t;
  tsrc->a[0].res_cursor = data_cur;
  xsrc->a[0].name = shale_strdup("excluded");
  xsrc->a[0].res_ptr = t;
  xsrc->a[0].res_cursor = sentinel;
  NameContext outer, inner;
  memset(&outer, 0, sizeof(outer));
  memset(&inner, 0, sizeof(inner));
  outer.src = xsrc;
  inner.src = tsrc;
  inner.outer = &outer;
  ExprList *set = ast_dup_expr_list(u->set);
  Expr *where = u->where ? ast_dup_expr(u->where) : NULL;
  for (int k = 0; set && k < set->n && p->rc == SQLITE_OK; k++) {
    resolve_expr(p, &inner, set->a[k].expr);
    walk_to_regs(set->a[k].expr, sentinel, w->reg_rowid, t);
  }
  if (where && p->rc == SQLITE_OK) {
    resolve_expr(p, &inner, where);
    walk_to_regs(where, sentinel, w->reg_rowid, t);
  }
  tsrc->a[0].res_ptr = NULL;
  xsrc->a[0].res_ptr = NULL;
  ast_free_src_list(tsrc);
  ast_free_src_list(xsrc);
  int set_of[2000];
  u8 chng[2000];
  memset(chng, 0, sizeof(chng));
  for (int i = 0; i < n_col && i < 2000; i++) set_of[i] = -1;
  int rowid_set = -1;
  for (int k = 0; set && k < set->n && p->rc == SQLITE_OK; k++) {
    const char *cn = set->a[k].alias;
    int c = cn ? table_column_index(t, cn) : -1;
    if (c == -1) {
      parse_error(p, "no such column: %s", cn ? cn : "?");
      break;
    }
    if (c == -2 || c == t->ipk) {
      rowid_set = k;
      if (c >= 0) chng[c] = 1, set_of[c] = k;
    } else {
      chng[c] = 1;
      set_of[c] = k;
    }
  }
  if (p->rc) {
    ast_free_expr_list(set);
    ast_free_expr(where);
    return;
  }
  int pkregs = 0;
  if (wr) {
    /* position the PRIMARY KEY cursor on the conflicting row */
    vdbe_add_op4_int(v, OP_NotFound, w->idx_cur + ck, w->ignore_label, cregs, cix->n_key_col);
    pkregs = parse_alloc_regs(p, pk->n_key_col);
    for (int j = 0; j < pk->n_key_col; j++) {
      int pos = 0;
      for (int q = 0; q < cix->n_column; q++)
        if (cix->columns[q] == pk->columns[j]) pos = q;
      vdbe_add_op3(v, OP_Column, w->idx_cur + ck, pos, pkregs + j);
    }
    vdbe_add_op4_int(v, OP_NotFound, data_cur, w->ignore_label, pkregs, pk->n_key_col);
  } else {
    vdbe_add_op3(v, OP_NotExists, data_cur, w->ignore_label, reg_target);
  }
  if (where) expr_code_jump_if_false(p, where, w->ignore_label, 1);
  WriteCtx u2;
  memset(&u2, 0, sizeof(u2));
  u2.tab = t;
  u2.idb = w->idb;
  u2.data_cur = data_cur;
  u2.idx_cur = w->idx_cur;
  u2.n_idx = w->n_idx;
  u2.on_error = OE_DEFAULT;
  u2.is_update = 1;
  u2.chng = chng;
  u2.rowid_changed = rowid_set >= 0;
  u2.ignore_label = w->ignore_label;
  int regs_idx = parse_alloc_regs(p, w->n_idx);
  int idx_regs_local[256];
  for (int k = 0; k < w->n_idx && k < 256; k++) idx_regs_local[k] = regs_idx + k;
  u2.idx_regs = idx_regs_local;
  if (wr) {
    /* the old row in registers (the WITHOUT ROWID self-conflict test and
    ** the removal of its entries use them) */
    u2.reg_old_rowid = parse_alloc_regs(p, n_col + 1);
    vdbe_add_op2(v, OP_Null, 0, u2.reg_old_rowid);
    for (int c = 0; c < n_col; c++) build_column_value(p, t, data_cur, c, u2.reg_old_rowid + 1 + c);
  } else {
    u2.reg_old_rowid = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Copy, reg_target, u2.reg_old_rowid);
  }
  u2.reg_rowid = parse_alloc_regs(p, n_col + 1);
  u2.reg_data = u2.reg_rowid + 1;
  u2.reg_record = parse_alloc_reg(p);
  expr_code_set_subqueries(p, set);
  for (int c = 0; c < n_col; c++) {
    if (c == t->ipk) continue;
    if (set_of[c] >= 0)
      expr_code(p, set->a[set_of[c]].expr, u2.reg_data + c);
    else
      build_column_value(p, t, data_cur, c, u2.reg_data + c);
  }
  if (rowid_set >= 0) {
    expr_code(p, set->a[rowid_set].expr, u2.reg_rowid);
    vdbe_add_op2(v, OP_MustBeInt, u2.reg_rowid, 0);
  } else if (wr) {
    vdbe_add_op2(v, OP_Null, 0, u2.reg_rowid);
  } else {
    vdbe_add_op2(v, OP_Copy, reg_target, u2.reg_rowid);
  }
  if (t->ipk >= 0) vdbe_add_op2(v, OP_SCopy, u2.reg_rowid, u2.reg_data + t->ipk);
  ast_free_expr_list(set);
  ast_free_expr(where);
  insert_affinity(p, t, u2.reg_data);
  insert_check_constraints(p, &u2);
  if (wr) {
    vdbe_add_op4_int(v, OP_NotFound, data_cur, w->ignore_label, pkregs, pk->n_key_col);
    wr_delete_entries(p, t, w->idx_cur, u2.reg_old_rowid, 1);
  } else {
    vdbe_add_op3(v, OP_NotExists, data_cur, w->ignore_label, u2.reg_old_rowid);
    insert_delete_index_entries(p, t, data_cur, w->idx_cur, u2.reg_old_rowid);
  }
  if (rowid_set >= 0) {
    int same = vdbe_add_op3(v, OP_Eq, u2.reg_rowid, 0, u2.reg_old_rowid);
    vdbe_add_op2(v, OP_Delete, data_cur, 0);
    vdbe_jump_here(v, same);
  }
  insert_complete(p, &u2, 1, 0);
  if (w->returning) returning_row(p, w->returning, t, u2.reg_rowid, u2.reg_data);
  vdbe_add_op2(v, OP_Goto, 0, w->ignore_label);
}

/* Write index entries and the table row.  The record for the table is made
** here from the column registers (IPK column stored as NULL). */
void insert_complete(Parse *p, WriteCtx *w, int is_update, int append) {
  Vdbe *v = p->v;
  Table *t = w->tab;
  int rec = w->reg_record;
  /* The table record first: once an index is written nothing may fail
  ** (record too big) before the row itself is. */
  if (!t->without_rowid && table_has_virtual(t)) {
    /* VIRTUAL generated columns take no field: the stored ones, packed */
    int n = 0, regs = parse_alloc_regs(p, t->n_col);
    for (int c = 0; c < t->n_col; c++) {
      if (table_col_is_virtual(t, c)) continue;
      if (c == t->ipk) vdbe_add_op2(v, OP_Null, 0, regs + n++);
      else vdbe_add_op2(v, OP_SCopy, w->reg_data + c, regs + n++);
    }
    vdbe_add_op3(v, OP_MakeRecord, regs, n, rec);
  } else if (!t->without_rowid) {
    if (t->ipk >= 0) {
      /* the INTEGER PRIMARY KEY column is stored as NULL in the record */
      int tmp = parse_alloc_reg(p);
      vdbe_add_op2(v, OP_SCopy, w->reg_data + t->ipk, tmp);
      vdbe_add_op2(v, OP_Null, 0, w->reg_data + t->ipk);
      vdbe_add_op3(v, OP_MakeRecord, w->reg_data, t->n_col, rec);
      vdbe_add_op2(v, OP_Copy, tmp, w->reg_data + t->ipk);
    } else {
      vdbe_add_op3(v, OP_MakeRecord, w->reg_data, t->n_col, rec);
    }
  }
  int k = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next, k++) {
    if (w->idx_unchanged && w->idx_unchanged[k]) continue;
    int a = 0;
    if (ix->where) a = vdbe_add_op1(v, OP_IsNull, w->idx_regs[k]);
    vdbe_add_op4_int(v, OP_IdxInsert, w->idx_cur + k, w->idx_regs[k], 0, ix->n_column);
    if (t->without_rowid && ix->origin == 'p' && !p->trigger_table) vdbe_change_p5(v, OPFLAG_NCHANGE);
    if (a) vdbe_jump_here(v, a);
  }
  if (t->without_rowid) return; /* the PRIMARY KEY index is the table */
  vdbe_add_op3(v, OP_Insert, w->data_cur, rec, w->reg_rowid);
  int p5 = OPFLAG_NCHANGE; /* in trigger programs the VM counts them for total_changes only */
  if (is_update)
    p5 |= OPFLAG_ISUPDATE;
  else
    p5 |= OPFLAG_LASTROWID;
  if (append) p5 |= OPFLAG_APPEND;
  /* a new rowid: OP_NewRowid left the cursor on the last row, the insert
  ** needs no seek (nothing in between can move the cursor) */
  if (!is_update && w->rowid_is_new && !w->upsert && !insert_may_replace(t, w->on_error))
    p5 |= OPFLAG_USESEEKRESULT;
  if (p->nested == 2) p5 &= ~OPFLAG_LASTROWID; /* (triggers set it; the VM restores it after) */
  vdbe_change_p5(v, (u16)p5);
  vdbe_change_p4(v, -1, shale_strdup(t->name), P4_DYNAMIC);
}

/* Could a conflict under on_error (the statement's OR clause) delete other
** rows (REPLACE on the PRIMARY KEY or a UNIQUE index)? */
int insert_may_replace(Table *t, int on_error) {
  if (on_error == OE_REPLACE) return 1;
  if (on_error != OE_DEFAULT) return 0;
  if (t->pk_on_conflict == OE_REPLACE) return 1;
  for (Index *ix = t->indexes; ix; ix = ix->next)
    if (ix->unique && ix->on_error == OE_REPLACE) return 1;
  return 0;
}

/* Delete the index entries of the row at data_cur (rowid in reg_rowid, or
** 0 to read it from the cursor). */
void insert_delete_index_entries(Parse *p, Table *t, int data_cur, int idx_cur, int reg_rowid) {
  insert_delete_index_entries_skip(p, t, data_cur, idx_cur, reg_rowid, NULL);
}

/* The same, leaving alone index k when skip && skip[k]. */
void insert_delete_index_entries_skip(Parse *p, Table *t, int data_cur, int idx_cur, int reg_rowid,
                                      const u8 *skip_idx) {
  int k = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next, k++) {
    if (skip_idx && skip_idx[k]) continue;
    int regs = parse_alloc_regs(p, ix->n_column);
    int skip = vdbe_make_label(p->v);
    if (ix->where) {
      /* partial: evaluate on the row's current values */
      int base = parse_alloc_regs(p, t->n_col + 1);
      if (reg_rowid)
        vdbe_add_op2(p->v, OP_SCopy, reg_rowid, base);
      else
        vdbe_add_op2(p->v, OP_Rowid, data_cur, base);
      for (int c = 0; c < t->n_col; c++) build_column_value(p, t, data_cur, c, base + 1 + c);
      Expr *d = build_expr_on_regs(p, ix->where, t, base);
      if (d) {
        expr_code_jump_if_false(p, d, skip, 1);
        ast_free_expr(d);
      }
    }
    build_index_key(p, ix, data_cur, reg_rowid, regs, 0);
    vdbe_add_op3(p->v, OP_IdxDelete, idx_cur + k, regs, ix->n_column);
    vdbe_resolve_label(p->v, skip);
  }
}

/* ------------------------------------------------------------ RETURNING -- */
static int returning_count(Table *t, ExprList *ret) {
  int n = 0;
  for (int i = 0; i < ret->n; i++) {
    Expr *e = ret->a[i].expr;
    if (e && e->op == EX_STAR) {
      for (int c = 0; c < t->n_col; c++)
        if (!t->cols[c].hidden) n++;
    } else {
      n++;
    }
  }
  return n;
}

void returning_setup(Parse *p, ExprList *ret, Table *t) {
  if (!ret) return;
  int n = returning_count(t, ret);
  /* rows are buffered and returned after all changes are made, as SQLite */
  int cur = parse_alloc_cursor(p);
  vdbe_add_op2(p->v, OP_OpenEphemeral, cur, n);
  p->returning_cur1 = cur + 1;
  vdbe_set_num_cols(p->v, n);
  int k = 0;
  for (int i = 0; i < ret->n; i++) {
    Expr *e = ret->a[i].expr;
    if (e && e->op == EX_STAR) {
      for (int c = 0; c < t->n_col; c++)
        if (!t->cols[c].hidden) vdbe_set_col_name(p->v, k++, 0, t->cols[c].name);
    } else {
      const char *nm = ret->a[i].alias ? ret->a[i].alias : ret->a[i].span;
      if (!nm && e && (e->op == EX_ID || e->op == EX_DOT)) nm = e->text;
      vdbe_set_col_name(p->v, k++, 0, nm ? nm : "?");
    }
  }
}

void returning_row(Parse *p, ExprList *ret, Table *t, int reg_rowid, int reg_data) {
  if (!ret) return;
  (void)reg_data;
  int n = returning_count(t, ret);
  int out = parse_alloc_regs(p, n);
  int k = 0;
  for (int i = 0; i < ret->n; i++) {
    Expr *e = ret->a[i].expr;
    if (e && e->op == EX_STAR) {
      for (int c = 0; c < t->n_col; c++) {
        if (t->cols[c].hidden) continue;
        vdbe_add_op2(p->v, OP_SCopy, c == t->ipk ? reg_rowid : reg_rowid + 1 + c, out + k);
        k++;
      }
    } else {
      Expr *d = build_expr_on_regs(p, e, t, reg_rowid);
      if (!d) return;
      expr_code(p, d, out + k);
      ast_free_expr(d);
      k++;
    }
  }
  if (p->returning_cur1) {
    int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
    vdbe_add_op3(p->v, OP_MakeRecord, out, n, rec);
    vdbe_add_op2(p->v, OP_NewRowid, p->returning_cur1 - 1, rid);
    vdbe_add_op3(p->v, OP_Insert, p->returning_cur1 - 1, rec, rid);
  } else {
    vdbe_add_op2(p->v, OP_ResultRow, out, n);
  }
}

void returning_finish(Parse *p, ExprList *ret, Table *t) {
  if (!ret || !p->returning_cur1) return;
  Vdbe *v = p->v;
  int cur = p->returning_cur1 - 1;
  int n = returning_count(t, ret);
  int out = parse_alloc_regs(p, n);
  int end = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Rewind, cur, end);
  int top = vdbe_current_addr(v);
  for (int i = 0; i < n; i++) vdbe_add_op3(v, OP_Column, cur, i, out + i);
  vdbe_add_op2(v, OP_ResultRow, out, n);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_resolve_label(v, end);
  p->returning_cur1 = 0;
}

/* -------------------------------------------------------- AUTOINCREMENT -- */
typedef struct AutoInc {
  Table *seq;
  int reg_name, reg_max, reg_seq_rowid;
} AutoInc;

struct AutoIncEntry {
  Table *t, *seq;
  AutoInc regs;
};

/* Load sqlite_sequence's row for t into ai's registers (name, maximum,
** rowid of the row or NULL). */
static void autoinc_load(Parse *p, Table *t, const AutoInc *ai) {
  Vdbe *v = p->v;
  int tmp = parse_alloc_reg(p);
  int cur = parse_alloc_cursor(p);
  vdbe_add_op4(v, OP_String8, 0, ai->reg_name, 0, shale_strdup(t->name), P4_DYNAMIC);
  vdbe_add_op2(v, OP_Integer, 0, ai->reg_max);
  vdbe_add_op2(v, OP_Null, 0, ai->reg_seq_rowid);
  vdbe_add_op3(v, OP_OpenRead, cur, (int)ai->seq->root, t->db_index);
  int rw = vdbe_add_op1(v, OP_Rewind, cur);
  int top = vdbe_current_addr(v);
  int done = vdbe_make_label(v);
  vdbe_add_op3(v, OP_Column, cur, 0, tmp);
  int ne = vdbe_add_op3(v, OP_Ne, ai->reg_name, 0, tmp);
  vdbe_add_op2(v, OP_Rowid, cur, ai->reg_seq_rowid);
  vdbe_add_op3(v, OP_Column, cur, 1, ai->reg_max);
  vdbe_add_op2(v, OP_Goto, 0, done);
  vdbe_jump_here(v, ne);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, rw);
  vdbe_resolve_label(v, done);
  vdbe_add_op1(v, OP_Close, cur);
}

static void autoinc_store(Parse *p, Table *t, const AutoInc *ai) {
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int rec = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_OpenWrite, cur, (int)ai->seq->root, t->db_index);
  int a = vdbe_add_op1(v, OP_NotNull, ai->reg_seq_rowid);
  vdbe_add_op2(v, OP_NewRowid, cur, ai->reg_seq_rowid);
  vdbe_jump_here(v, a);
  vdbe_add_op3(v, OP_MakeRecord, ai->reg_name, 2, rec);
  vdbe_add_op3(v, OP_Insert, cur, rec, ai->reg_seq_rowid);
  vdbe_add_op1(v, OP_Close, cur);
}

/* The registers for t's AUTOINCREMENT maximum.  Under a top-level Parse
** with a prologue they live there (shared with trigger programs, loaded in
** the prologue, saved at the end); otherwise they are loaded here and
** saved by autoinc_end. */
static int autoinc_begin(Parse *p, Table *t, AutoInc *ai) {
  memset(ai, 0, sizeof(*ai));
  if (!t->autoincrement) return 0;
  sqlite3 *db = p->db;
  Table *seq = schema_find_table(db, db->dbs[t->db_index].name, "sqlite_sequence", NULL);
  if (!seq) return 0;
  Parse *top = p->toplevel ? p->toplevel : p;
  if (!top->ainc_ok) {
    ai->seq = seq;
    ai->reg_name = parse_alloc_reg(p);
    ai->reg_max = parse_alloc_reg(p);
    ai->reg_seq_rowid = parse_alloc_reg(p);
    autoinc_load(p, t, ai);
    return 1;
  }
  for (int i = 0; i < top->n_ainc; i++)
    if (top->ainc[i].t == t) {
      *ai = top->ainc[i].regs;
      return 1;
    }
  if (top->n_ainc == top->a_ainc) {
    int na = top->a_ainc ? top->a_ainc * 2 : 4;
    struct AutoIncEntry *e = sqlite3_realloc64(top->ainc, sizeof(*e) * (u64)na);
    if (!e) {
      parse_error(p, "out of memory");
      return 0;
    }
    top->ainc = e;
    top->a_ainc = na;
  }
  struct AutoIncEntry *e = &top->ainc[top->n_ainc++];
  e->t = t;
  e->seq = seq;
  e->regs.seq = seq;
  e->regs.reg_name = parse_alloc_reg(top);
  e->regs.reg_max = parse_alloc_reg(top);
  e->regs.reg_seq_rowid = parse_alloc_reg(top);
  *ai = e->regs;
  return 1;
}

static void autoinc_end(Parse *p, Table *t, AutoInc *ai) {
  if (!ai->seq) return;
  if (p->toplevel) return; /* a trigger program: the statement saves */
  if (!p->ainc_ok) {
    autoinc_store(p, t, ai);
    return;
  }
  codegen_autoinc_save(p); /* a top-level INSERT: before RETURNING, as SQLite */
}

void codegen_autoinc_prologue(Parse *p) {
  for (int i = 0; i < p->n_ainc; i++) autoinc_load(p, p->ainc[i].t, &p->ainc[i].regs);
}

void codegen_autoinc_save(Parse *p) {
  if (p->ainc_saved) return;
  p->ainc_saved = 1;
  /* newest table first, as SQLite's list (new sqlite_sequence rows are
  ** created in that order) */
  for (int i = p->n_ainc - 1; i >= 0; i--) autoinc_store(p, p->ainc[i].t, &p->ainc[i].regs);
}

void codegen_autoinc_free(Parse *p) {
  sqlite3_free(p->ainc);
  p->ainc = NULL;
  p->n_ainc = p->a_ainc = 0;
}

/* -------------------------------------------------------------- INSERT -- */
static int select_reads_table(Select *s, Table *t) {
  for (; s; s = s->prior) {
    if (!s->from) continue;
    for (int i = 0; i < s->from->n; i++) {
      SrcItem *it = &s->from->a[i];
      if (it->name && shale_stricmp(it->name, t->name) == 0) return 1;
      if (it->subquery && select_reads_table(it->subquery, t)) return 1;
    }
  }
  return 0;
}

static int instead_of_view(Table *t) { return t->is_view; }

int codegen_insert(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  Table *t = schema_locate_table(p, st->u.insert.db, st->u.insert.table, 1);
  if (!t) return p->rc;
  if (t->vt) return vtab_code_insert(p, st, t);
  if (t->is_view) {
    Trigger *trs[1];
    if (schema_triggers_for(db, t, ST_INSERT, 2, trs, 1) == 0) {
      parse_error(p, "cannot modify %s because it is a view", t->name);
      return p->rc;
    }
  }
  if (t->root == 1 && !(db->flags & SQLITE_WriteSchema)) {
    parse_error(p, "table %s may not be modified", t->name);
    return p->rc;
  }
  int idb = t->db_index;
  if (t->is_view && build_view_columns(p, t)) return p->rc;
  if (t->is_view && !p->trigger_table) vdbe_add_op0(v, OP_ResetCount); /* changes() for view DML */
  parse_begin_write(p, idb);
  int n_col = t->n_col;
  IdList *cols = st->u.insert.columns;
  int col_src[2000];
  if (n_col > 2000) {
    parse_error(p, "too many columns on %s", t->name);
    return p->rc;
  }
  int rowid_src = -1;
  int n_target;
  for (int i = 0; i < n_col; i++) col_src[i] = -1;
  if (cols) {
    n_target = cols->n;
    for (int j = 0; j < cols->n; j++) {
      int c = table_column_index(t, cols->names[j]);
      if (c == -1) {
        parse_error(p, "table %s has no column named %s", t->name, cols->names[j]);
        return p->rc;
      }
      if (c == -2) {
        if (t->ipk >= 0)
          col_src[t->ipk] = j;
        else
          rowid_src = j;
      } else {
        if (t->cols[c].generated) {
          parse_error(p, "cannot INSERT into generated column \"%s\"", t->cols[c].name);
          return p->rc;
        }
        col_src[c] = j;
      }
    }
  } else {
    n_target = 0;
    for (int i = 0; i < n_col; i++)
      if (!t->cols[i].hidden && !t->cols[i].generated) col_src[i] = n_target++;
  }
  if (t->ipk >= 0 && col_src[t->ipk] >= 0) rowid_src = col_src[t->ipk];

  /* The source. */
  Select *sel = st->u.insert.select;
  int n_val = 0;
  int single_row = 0;
  if (st->u.insert.default_values || !sel) {
    n_val = 0;
  } else if ((sel->flags & SELECT_F_VALUES) && !sel->prior && !sel->from) {
    single_row = 1;
    n_val = sel->result ? sel->result->n : 0;
  } else {
    n_val = select_result_column_count(p, sel);
    if (p->rc) return p->rc;
  }
  if (!st->u.insert.default_values && sel && n_val != n_target) {
    if (cols)
      parse_error(p, "%d values for %d columns", n_val, n_target);
    else
      parse_error(p, "table %s has %d columns but %d values were supplied", t->name, n_target, n_val);
    return p->rc;
  }
  if (st->u.insert.default_values && cols) {
    parse_error(p, "0 values for %d columns", cols->n);
    return p->rc;
  }

  int fk = !instead_of_view(t) && fkey_active(p, t);
  /* Triggers */
  int has_before = trigger_exists(p, t, ST_INSERT, NULL) & 1;
  int has_after = trigger_exists(p, t, ST_INSERT, NULL) & 2;
  int instead = t->is_view;

  /* Cursors */
  WriteCtx w;
  memset(&w, 0, sizeof(w));
  w.tab = t;
  w.idb = idb;
  w.on_error = st->u.insert.or_conflict;
  w.upsert = st->u.insert.upsert;
  w.returning = st->u.insert.returning;
  if (w.upsert && w.upsert->target) {
    /* a target must match a uniqueness constraint */
    int ok = upsert_matches(w.upsert, t, NULL);
    for (Index *ix = t->indexes; ix && !ok; ix = ix->next)
      if (ix->unique && upsert_matches(w.upsert, t, ix)) ok = 1;
    if (!ok) {
      parse_error(p, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
      return p->rc;
    }
  }
  int n_idx = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next) n_idx++;
  if (st->u.insert.returning) returning_setup(p, st->u.insert.returning, t);
  AutoInc ai;
  autoinc_begin(p, t, &ai);
  if (!instead) {
    w.data_cur = parse_alloc_cursor(p);
    w.idx_cur = p->n_cursor;
    p->n_cursor += n_idx;
    if (!t->without_rowid) vdbe_add_op4_int(v, OP_OpenWrite, w.data_cur, (int)t->root, idb, n_col);
    build_open_indexes(p, t, OP_OpenWrite, w.idx_cur);
  }
  w.n_idx = n_idx;
  int idx_regs_local[256];
  if (n_idx > 256) {
    parse_error(p, "too many indexes on %s", t->name);
    return p->rc;
  }
  w.idx_regs = idx_regs_local;
  for (int k = 0; k < n_idx && k < 256; k++) idx_regs_local[k] = parse_alloc_reg(p);
  /* an (unused) OLD block precedes NEW: trigger programs get both */
  w.reg_rowid = parse_alloc_regs(p, 2 * (n_col + 1)) + n_col + 1;
  w.reg_data = w.reg_rowid + 1;
  w.reg_record = parse_alloc_reg(p);

  /* Row source loop */
  int reg_src = 0;
  int loop_top = 0, loop_end = vdbe_make_label(v);
  int reg_yield = 0, tmp_cur = -1;
  if (!single_row && n_val > 0) {
    reg_yield = parse_alloc_regs(p, n_val + 1);
    reg_src = reg_yield + 1;
    int a = vdbe_add_op3(v, OP_InitCoroutine, reg_yield, 0, vdbe_current_addr(v) + 1);
    SelectDest dest;
    memset(&dest, 0, sizeof(dest));
    dest.kind = SD_COROUTINE;
    dest.reg = reg_yield;
    dest.n_reg = n_val;
    select_code(p, sel, &dest, NULL);
    if (p->rc) return p->rc;
    vdbe_add_op1(v, OP_EndCoroutine, reg_yield);
    vdbe_jump_here(v, a);
    if (select_reads_table(sel, t)) {
      /* materialize first: the SELECT reads the table being written */
      tmp_cur = parse_alloc_cursor(p);
      int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
      vdbe_add_op2(v, OP_OpenEphemeral, tmp_cur, n_val);
      int top = vdbe_current_addr(v);
      int y = vdbe_add_op1(v, OP_Yield, reg_yield);
      vdbe_add_op3(v, OP_MakeRecord, reg_src, n_val, rec);
      vdbe_add_op2(v, OP_NewRowid, tmp_cur, rid);
      vdbe_add_op3(v, OP_Insert, tmp_cur, rec, rid);
      vdbe_add_op2(v, OP_Goto, 0, top);
      vdbe_jump_here(v, y);
      vdbe_add_op2(v, OP_Rewind, tmp_cur, loop_end);
      loop_top = vdbe_current_addr(v);
      for (int j = 0; j < n_val; j++) vdbe_add_op3(v, OP_Column, tmp_cur, j, reg_src + j);
    } else {
      loop_top = vdbe_current_addr(v);
      vdbe_add_op2(v, OP_Yield, reg_yield, loop_end);
    }
  }
  w.ignore_label = vdbe_make_label(v);

  /* Column values */
  NameContext nc0;
  memset(&nc0, 0, sizeof(nc0));
  for (int i = 0; i < n_col; i++) {
    int reg = w.reg_data + i;
    int j = col_src[i];
    if (i == t->ipk) {
      /* filled from the rowid below */
      continue;
    }
    if (j >= 0 && !st->u.insert.default_values) {
      if (single_row) {
        Expr *e = ast_dup_expr(sel->result->a[j].expr);
        if (resolve_expr(p, &nc0, e) == SQLITE_OK) expr_code(p, e, reg);
        ast_free_expr(e);
      } else {
        vdbe_add_op2(v, OP_SCopy, reg_src + j, reg);
      }
    } else if (t->cols[i].default_value) {
      Expr *e = ast_dup_expr(t->cols[i].default_value);
      if (resolve_expr(p, &nc0, e) == SQLITE_OK) expr_code(p, e, reg);
      ast_free_expr(e);
    } else {
      vdbe_add_op2(v, OP_Null, 0, reg);
    }
    if (p->rc) return p->rc;
  }
  /* Rowid value as given (NULL if none) */
  int reg_given = 0;
  if (rowid_src >= 0) {
    reg_given = parse_alloc_reg(p);
    if (single_row) {
      Expr *e = ast_dup_expr(sel->result->a[rowid_src].expr);
      if (resolve_expr(p, &nc0, e) == SQLITE_OK) expr_code(p, e, reg_given);
      ast_free_expr(e);
    } else {
      vdbe_add_op2(v, OP_SCopy, reg_src + rowid_src, reg_given);
    }
  } else if (t->ipk >= 0 && t->cols[t->ipk].default_value) {
    reg_given = parse_alloc_reg(p);
    Expr *e = ast_dup_expr(t->cols[t->ipk].default_value);
    if (resolve_expr(p, &nc0, e) == SQLITE_OK) expr_code(p, e, reg_given);
    ast_free_expr(e);
  }
  if (p->rc) return p->rc;

  if (has_before || instead) {
    /* NEW.rowid for BEFORE triggers: the given value, or -1 */
    if (reg_given) {
      vdbe_add_op2(v, OP_Copy, reg_given, w.reg_rowid);
      int a = vdbe_add_op1(v, OP_NotNull, w.reg_rowid);
      vdbe_add_op2(v, OP_Integer, -1, w.reg_rowid);
      int b = vdbe_add_op0(v, OP_Goto);
      vdbe_jump_here(v, a);
      vdbe_add_op2(v, OP_MustBeInt, w.reg_rowid, 0);
      vdbe_jump_here(v, b);
    } else {
      vdbe_add_op2(v, OP_Integer, -1, w.reg_rowid);
    }
    if (t->ipk >= 0) vdbe_add_op2(v, OP_SCopy, w.reg_rowid, w.reg_data + t->ipk);
    insert_affinity(p, t, w.reg_data);
    trigger_code_all(p, t, ST_INSERT, instead ? 2 : 0, NULL, NULL, w.reg_rowid, 0, w.on_error,
                     w.ignore_label);
    if (instead) {
      vdbe_add_op0(v, OP_Noop);
      goto row_done;
    }
  }

  /* The real rowid */
  if (t->without_rowid) {
    vdbe_add_op2(v, OP_Null, 0, w.reg_rowid);
  } else if (reg_given) {
    vdbe_add_op2(v, OP_Copy, reg_given, w.reg_rowid);
    int a = vdbe_add_op1(v, OP_NotNull, w.reg_rowid);
    vdbe_add_op3(v, OP_NewRowid, w.data_cur, w.reg_rowid, ai.seq ? ai.reg_max : 0);
    int b = vdbe_add_op0(v, OP_Goto);
    vdbe_jump_here(v, a);
    vdbe_add_op2(v, OP_MustBeInt, w.reg_rowid, 0);
    vdbe_jump_here(v, b);
  } else {
    vdbe_add_op3(v, OP_NewRowid, w.data_cur, w.reg_rowid, ai.seq ? ai.reg_max : 0);
    w.rowid_is_new = 1;
  }
  if (t->ipk >= 0) vdbe_add_op2(v, OP_SCopy, w.reg_rowid, w.reg_data + t->ipk);
  insert_compute_generated(p, t, w.reg_rowid);
  insert_affinity(p, t, w.reg_data);
  insert_check_constraints(p, &w);
  if (fk) {
    fkey_child_check(p, t, w.reg_rowid, NULL, 1);
    fkey_parent_check(p, t, 0, w.reg_rowid, NULL);
  }
  insert_complete(p, &w, 0, 0);
  if (ai.seq) vdbe_add_op2(v, OP_MemMax, ai.reg_max, w.reg_rowid);
  if (has_after)
    trigger_code_all(p, t, ST_INSERT, 1, NULL, NULL, w.reg_rowid, 0, w.on_error, w.ignore_label);
row_done:
  if (st->u.insert.returning) returning_row(p, st->u.insert.returning, t, w.reg_rowid, w.reg_data);
  vdbe_resolve_label(v, w.ignore_label);
  if (!single_row && n_val > 0) {
    if (tmp_cur >= 0)
      vdbe_add_op2(v, OP_Next, tmp_cur, loop_top);
    else
      vdbe_add_op2(v, OP_Goto, 0, loop_top);
  }
  vdbe_resolve_label(v, loop_end);
  autoinc_end(p, t, &ai);
  if (fk) fkey_statement_end(p);
  returning_finish(p, st->u.insert.returning, t);
  /* One row, every check before the first write: no statement journal. */
  if (!p->trigger_table && !p->nested && !instead && (single_row || n_val == 0) && !fk && !has_before &&
      !has_after && !st->u.insert.returning && !ai.seq && !w.upsert && !insert_may_replace(t, w.on_error))
    vdbe_set_single_write(v);
  return p->rc;
}
