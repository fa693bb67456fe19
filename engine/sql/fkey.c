/*
** fkey.c — foreign key enforcement (PRAGMA foreign_keys=ON), SQLite's way:
** violations are counted with OP_FkCounter (immediate constraints per
** statement, checked at its end; deferred ones per transaction, checked at
** COMMIT by the VM); ON DELETE / ON UPDATE actions (CASCADE, SET NULL, SET
** DEFAULT) run as synthetic trigger programs; RESTRICT fails at once.
** Row registers: rowid at base, column i at base+1+i.
*/
#include "build_int.h"

enum { FK_NONE = 0, FK_SETNULL = 1, FK_SETDFLT = 2, FK_CASCADE = 3, FK_RESTRICT = 4, FK_NOACTION = 5 };

static int fk_on(Parse *p) { return (p->db->flags & SQLITE_ForeignKeys) != 0; }

static Table *fk_parent(Parse *p, Table *child, FKey *k) {
  return schema_find_table(p->db, p->db->dbs[child->db_index].name, k->to_table, NULL);
}

/* The parent key of k in pt: pcols[i] = parent column for FK column i (-1 =
** rowid); *pix = the unique index holding it (NULL for the rowid).  Returns
** 0, or 1 after reporting "foreign key mismatch". */
static int fk_parent_key(Parse *p, Table *ct, Table *pt, FKey *k, int *pcols, Index **pix) {
  *pix = NULL;
  int n = k->n_col;
  int named = 0;
  for (int i = 0; i < n; i++)
    if (k->cols[i].to_col) named = 1;
  if (!named) {
    if (pt->ipk >= 0 && n == 1) {
      pcols[0] = -1;
      return 0;
    }
    Index *pk = table_primary_key_index(pt);
    if (pk && pk->n_key_col == n) {
      for (int i = 0; i < n; i++) pcols[i] = pk->columns[i];
      *pix = pk;
      return 0;
    }
  } else {
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
      int c = k->cols[i].to_col ? table_column_index(pt, k->cols[i].to_col) : -1;
      if (c == -2) c = -1;
      else if (c < 0) ok = 0;
      if (c == pt->ipk && c >= 0) c = -1;
      pcols[i] = c;
    }
    if (ok && n == 1 && pcols[0] == -1) return 0;
    if (ok) {
      for (Index *ix = pt->indexes; ix; ix = ix->next) {
        if (!ix->unique || ix->where || ix->n_key_col != n) continue;
        int all = 1;
        for (int j = 0; j < n && all; j++) {
          int found = 0;
          for (int i = 0; i < n; i++)
            if (pcols[i] == ix->columns[j]) found = 1;
          if (!found) all = 0;
        }
        if (all) {
          *pix = ix;
          return 0;
        }
      }
    }
  }
  parse_error(p, "foreign key mismatch - \"%s\" referencing \"%s\"", ct->name, pt->name);
  return 1;
}

static int reg_of(Table *t, int base, int col) { return (col < 0 || col == t->ipk) ? base : base + 1 + col; }

int fkey_active(Parse *p, Table *t) {
  if (!fk_on(p)) return 0;
  if (t->fkeys) return 1;
  Schema *s = p->db->dbs[t->db_index].schema;
  if (!s) return 0;
  for (int b = 0; b < s->tables.n_bucket; b++)
    for (HashEntry *e = s->tables.buckets[b]; e; e = e->next) {
      Table *c = e->value;
      for (FKey *k = c->fkeys; k; k = k->next)
        if (shale_stricmp(k->to_table, t->name) == 0) return 1;
    }
  return 0;
}

/* Child side: does the row (registers at base) have its parent?  incr +1:
** count a violation if not; -1: uncount (deferred constraints only). */
void fkey_child_check(Parse *p, Table *ct, int base, u8 *chng, int incr) {
  if (!fk_on(p)) return;
  Vdbe *v = p->v;
  for (FKey *k = ct->fkeys; k && p->rc == SQLITE_OK; k = k->next) {
    if (incr < 0 && !k->deferred) continue;
    if (chng) {
      int any = 0;
      for (int i = 0; i < k->n_col; i++)
        if (k->cols[i].from_col >= 0 && chng[k->cols[i].from_col]) any = 1;
      if (!any) continue;
    }
    int n = k->n_col;
    if (n <= 0 || n > 32) continue;
    int ok = vdbe_make_label(v), viol = vdbe_make_label(v);
    for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_IsNull, reg_of(ct, base, k->cols[i].from_col), ok);
    Table *pt = fk_parent(p, ct, k);
    if (pt) {
      int pcols[32];
      Index *pix = NULL;
      if (fk_parent_key(p, ct, pt, k, pcols, &pix)) return;
      if (!pix) {
        int tmp = parse_alloc_reg(p);
        vdbe_add_op2(v, OP_SCopy, reg_of(ct, base, k->cols[0].from_col), tmp);
        vdbe_add_op2(v, OP_MustBeInt, tmp, viol);
        if (pt == ct && incr > 0) vdbe_add_op3(v, OP_Eq, tmp, ok, base);
        int pc = parse_alloc_cursor(p);
        vdbe_add_op3(v, OP_OpenRead, pc, (int)pt->root, pt->db_index);
        vdbe_add_op3(v, OP_NotExists, pc, viol, tmp);
        vdbe_add_op1(v, OP_Close, pc);
        vdbe_add_op2(v, OP_Goto, 0, ok);
      } else {
        int regs = parse_alloc_regs(p, n);
        char aff[33];
        for (int j = 0; j < n; j++) {
          int fi = 0;
          for (int i = 0; i < n; i++)
            if (pcols[i] == pix->columns[j]) fi = i;
          vdbe_add_op2(v, OP_SCopy, reg_of(ct, base, k->cols[fi].from_col), regs + j);
          int pc = pix->columns[j];
          aff[j] = pc >= 0 ? pt->cols[pc].affinity : SQLITE_AFF_INTEGER;
          if (!aff[j]) aff[j] = SQLITE_AFF_BLOB;
        }
        aff[n] = 0;
        vdbe_add_op4(v, OP_Affinity, regs, n, 0, shale_strdup(aff), P4_DYNAMIC);
        if (pt == ct && incr > 0) {
          /* a row may reference itself */
          int notself = vdbe_make_label(v);
          for (int j = 0; j < n; j++)
            vdbe_add_op3(v, OP_Ne, regs + j, notself, reg_of(pt, base, pix->columns[j]));
          vdbe_add_op2(v, OP_Goto, 0, ok);
          vdbe_resolve_label(v, notself);
        }
        int ic = parse_alloc_cursor(p);
        vdbe_add_op4(v, OP_OpenRead, ic, (int)pix->root, pt->db_index, build_index_keyinfo(p, pix), P4_KEYINFO);
        int f = vdbe_add_op4_int(v, OP_Found, ic, 0, regs, n);
        vdbe_add_op1(v, OP_Close, ic);
        vdbe_add_op2(v, OP_Goto, 0, viol);
        vdbe_jump_here(v, f);
        vdbe_add_op1(v, OP_Close, ic);
        vdbe_add_op2(v, OP_Goto, 0, ok);
      }
    }
    vdbe_resolve_label(v, viol);
    vdbe_add_op2(v, OP_FkCounter, k->deferred ? 1 : 0, incr);
    vdbe_resolve_label(v, ok);
  }
}

/* Count (incr) the rows of child table ct referencing the parent key held
** in registers (reg_of(pt, base, pcols[i])).  restrict_: fail at once if any. */
static void scan_children(Parse *p, Table *pt, Table *ct, FKey *k, const int *pcols, int base, int incr,
                          int restrict_, int is_delete) {
  Vdbe *v = p->v;
  int n = k->n_col;
  int end = vdbe_make_label(v);
  for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_IsNull, reg_of(pt, base, pcols[i]), end);
  int cc = parse_alloc_cursor(p);
  int tmp = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_OpenRead, cc, (int)ct->root, ct->db_index);
  vdbe_add_op2(v, OP_Rewind, cc, end);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  for (int i = 0; i < n; i++) {
    int cfrom = k->cols[i].from_col;
    build_column_value(p, ct, cc, cfrom, tmp);
    char aff = cfrom >= 0 ? ct->cols[cfrom].affinity : SQLITE_AFF_INTEGER;
    vdbe_add_op3(v, OP_Ne, reg_of(pt, base, pcols[i]), lnext, tmp);
    vdbe_change_p5(v, (u16)((aff ? aff : SQLITE_AFF_BLOB) | SQLITE_JUMPIFNULL));
  }
  if (ct == pt && is_delete) {
    /* the row being deleted referencing itself is no violation */
    vdbe_add_op2(v, OP_Rowid, cc, tmp);
    vdbe_add_op3(v, OP_Eq, tmp, lnext, base);
  }
  if (restrict_) {
    vdbe_add_op4(v, OP_Halt, SQLITE_CONSTRAINT_FOREIGNKEY, OE_ABORT, 0, NULL, P4_NOTUSED);
    vdbe_change_p5(v, 4);
  } else {
    vdbe_add_op2(v, OP_FkCounter, k->deferred ? 1 : 0, incr);
  }
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, cc, top);
  vdbe_resolve_label(v, end);
  vdbe_add_op1(v, OP_Close, cc);
}

/* Iterate FKs referencing pt: calls fn for each. */
#define FOR_EACH_CHILD_FK(p, pt, ct, k)                                                   \
  Schema *s_ = (p)->db->dbs[(pt)->db_index].schema;                                     \
  for (int b_ = 0; s_ && b_ < s_->tables.n_bucket; b_++)                                  \
    for (HashEntry *e_ = s_->tables.buckets[b_]; e_; e_ = e_->next)                       \
      for (Table *ct = e_->value; ct; ct = NULL)                                          \
        for (FKey *k = ct->fkeys; k; k = k->next)                                         \
          if (shale_stricmp(k->to_table, (pt)->name) == 0)

static int key_changed(FKey *k, const int *pcols, Table *pt, u8 *chng) {
  if (!chng) return 1;
  for (int i = 0; i < k->n_col; i++) {
    int c = pcols[i] < 0 ? pt->ipk : pcols[i];
    if (c >= 0 && chng[c]) return 1;
    if (pcols[i] < 0 && pt->ipk < 0) return 1;
  }
  return 0;
}

/* Parent side, before a row is deleted / updated (reg_old) or after it is
** inserted / updated (reg_new). */
void fkey_parent_check(Parse *p, Table *pt, int reg_old, int reg_new, u8 *chng) {
  if (!fk_on(p)) return;
  FOR_EACH_CHILD_FK(p, pt, ct, k) {
    if (p->rc) return;
    int pcols[32];
    Index *pix;
    if (k->n_col > 32) continue;
    if (fk_parent_key(p, ct, pt, k, pcols, &pix)) return;
    if (!key_changed(k, pcols, pt, chng)) continue;
    int action = reg_new && reg_old ? k->on_update : k->on_delete;
    if (reg_old) {
      if (action == FK_RESTRICT)
        scan_children(p, pt, ct, k, pcols, reg_old, 1, 1, reg_new == 0);
      else if (action == FK_NONE || action == FK_NOACTION)
        scan_children(p, pt, ct, k, pcols, reg_old, 1, 0, reg_new == 0);
    }
    if (reg_new && k->deferred) scan_children(p, pt, ct, k, pcols, reg_new, -1, 0, 0);
  }
}

/* ------------------------------------------------------------ actions -- */
static Expr *ex_id(const char *name) {
  Expr *e = ast_expr_new(EX_ID);
  if (e) {
    e->text = shale_strdup(name);
    e->n_text = (int)strlen(name);
  }
  return e;
}
static Expr *ex_dot(const char *tab, const char *name) {
  Expr *e = ast_expr_new(EX_DOT);
  if (e) {
    e->table = shale_strdup(tab);
    e->text = shale_strdup(name);
    e->n_text = (int)strlen(name);
  }
  return e;
}
static Expr *ex_bin(int op, Expr *l, Expr *r) {
  if (!l) return r;
  Expr *e = ast_expr_new(EX_BINARY);
  if (e) {
    e->sub_op = op;
    e->left = l;
    e->right = r;
  }
  return e;
}

void fkey_parent_actions(Parse *p, Table *pt, int reg_old, u8 *chng) {
  if (!fk_on(p)) return;
  int is_update = chng != NULL;
  FOR_EACH_CHILD_FK(p, pt, ct, k) {
    if (p->rc) return;
    int action = is_update ? k->on_update : k->on_delete;
    if (action != FK_CASCADE && action != FK_SETNULL && action != FK_SETDFLT) continue;
    int pcols[32];
    Index *pix;
    if (k->n_col > 32) continue;
    if (fk_parent_key(p, ct, pt, k, pcols, &pix)) return;
    if (!key_changed(k, pcols, pt, chng)) continue;
    Stmt *st = shale_malloc_zero(sizeof(Stmt));
    SrcItem *target = shale_malloc_zero(sizeof(SrcItem));
    if (!st || !target) {
      sqlite3_free(st);
      sqlite3_free(target);
      return;
    }
    target->name = shale_strdup(ct->name);
    Expr *where = NULL;
    for (int i = 0; i < k->n_col; i++) {
      const char *cn = ct->cols[k->cols[i].from_col].name;
      const char *pn = pcols[i] < 0 ? "rowid" : pt->cols[pcols[i]].name;
      Expr *eq = ex_bin(OP_EQ_, ex_id(cn), ex_dot("old", pn));
      where = where ? ex_bin(OP_AND_, where, eq) : eq;
    }
    if (action == FK_CASCADE && !is_update) {
      st->kind = ST_DELETE;
      st->u.del.target = target;
      st->u.del.where = where;
    } else {
      st->kind = ST_UPDATE;
      st->u.update.target = target;
      st->u.update.where = where;
      for (int i = 0; i < k->n_col; i++) {
        int cf = k->cols[i].from_col;
        const char *pn = pcols[i] < 0 ? "rowid" : pt->cols[pcols[i]].name;
        Expr *val;
        if (action == FK_CASCADE)
          val = ex_dot("new", pn);
        else if (action == FK_SETDFLT && ct->cols[cf].default_value)
          val = ast_dup_expr(ct->cols[cf].default_value);
        else
          val = ast_expr_new(EX_NULL);
        st->u.update.set = ast_expr_list_append(st->u.update.set, val);
        if (st->u.update.set) st->u.update.set->a[st->u.update.set->n - 1].alias = shale_strdup(ct->cols[cf].name);
      }
    }
    Trigger tr;
    memset(&tr, 0, sizeof(tr));
    TriggerStep step;
    memset(&step, 0, sizeof(step));
    step.kind = st->kind;
    step.stmt = st;
    tr.name = (char *)"fk";
    tr.table = pt->name;
    tr.time = 1;
    tr.event = is_update ? ST_UPDATE : ST_DELETE;
    tr.steps = &step;
    tr.db_index = pt->db_index;
    tr.table_db_index = pt->db_index;
    tr.sql = pt->sql;
    trigger_code_one(p, &tr, pt, reg_old, OE_DEFAULT, 0, (const char *)k + (is_update ? 1 : 0));
    ast_free_stmt(st);
  }
}

/* End of a top-level statement: immediate violations fail it. */
void fkey_statement_end(Parse *p) {
  if (!fk_on(p) || p->trigger_table) return;
  Vdbe *v = p->v;
  int a = vdbe_add_op2(v, OP_FkIfZero, 0, 0);
  vdbe_add_op4(v, OP_Halt, SQLITE_CONSTRAINT_FOREIGNKEY, OE_ABORT, 0, NULL, P4_NOTUSED);
  vdbe_change_p5(v, 4);
  vdbe_jump_here(v, a);
}

/* PRAGMA foreign_key_check: one row (table, rowid, parent, fkid) per
** violation; rows outer, foreign keys inner (fkid = foreign_key_list id). */
void fkey_check_pragma(Parse *p, int idb, Table *only) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  Schema *s = db->dbs[idb].schema;
  if (!s) return;
  parse_begin_read(p, idb);
  Table *tabs[512];
  int n_tabs = 0;
  if (only) {
    tabs[n_tabs++] = only;
  } else {
    for (int b = 0; b < s->tables.n_bucket; b++)
      for (HashEntry *e = s->tables.buckets[b]; e && n_tabs < 512; e = e->next) tabs[n_tabs++] = e->value;
  }
  int out = parse_alloc_regs(p, 4);
  for (int ti = 0; ti < n_tabs && p->rc == SQLITE_OK; ti++) {
    Table *t = tabs[ti];
    if (!t->fkeys || t->is_view || t->root <= 1) continue;
    int cur = parse_alloc_cursor(p);
    build_open_table(p, t, cur, OP_OpenRead);
    int base = parse_alloc_regs(p, t->n_col + 1);
    int end = vdbe_make_label(v);
    vdbe_add_op2(v, OP_Rewind, cur, end);
    int top = vdbe_current_addr(v);
    if (t->without_rowid)
      vdbe_add_op2(v, OP_Null, 0, base);
    else
      vdbe_add_op2(v, OP_Rowid, cur, base);
    for (int c = 0; c < t->n_col; c++) build_column_value(p, t, cur, c, base + 1 + c);
    int fkid = 0;
    for (FKey *k = t->fkeys; k && p->rc == SQLITE_OK; k = k->next, fkid++) {
      int n = k->n_col;
      if (n <= 0 || n > 32) continue;
      int ok = vdbe_make_label(v), viol = vdbe_make_label(v);
      for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_IsNull, reg_of(t, base, k->cols[i].from_col), ok);
      Table *pt = fk_parent(p, t, k);
      if (pt) {
        int pcols[32];
        Index *pix = NULL;
        if (fk_parent_key(p, t, pt, k, pcols, &pix)) return;
        if (!pix) {
          int tmp = parse_alloc_reg(p);
          vdbe_add_op2(v, OP_SCopy, reg_of(t, base, k->cols[0].from_col), tmp);
          vdbe_add_op2(v, OP_MustBeInt, tmp, viol);
          int pc = parse_alloc_cursor(p);
          vdbe_add_op3(v, OP_OpenRead, pc, (int)pt->root, pt->db_index);
          vdbe_add_op3(v, OP_NotExists, pc, viol, tmp);
          vdbe_add_op2(v, OP_Goto, 0, ok);
        } else {
          int regs = parse_alloc_regs(p, n);
          char aff[33];
          for (int j = 0; j < n; j++) {
            int fi = 0;
            for (int i = 0; i < n; i++)
              if (pcols[i] == pix->columns[j]) fi = i;
            vdbe_add_op2(v, OP_SCopy, reg_of(t, base, k->cols[fi].from_col), regs + j);
            int pc = pix->columns[j];
            aff[j] = pc >= 0 ? pt->cols[pc].affinity : SQLITE_AFF_INTEGER;
            if (!aff[j]) aff[j] = SQLITE_AFF_BLOB;
          }
          aff[n] = 0;
          vdbe_add_op4(v, OP_Affinity, regs, n, 0, shale_strdup(aff), P4_DYNAMIC);
          int ic = parse_alloc_cursor(p);
          vdbe_add_op4(v, OP_OpenRead, ic, (int)pix->root, pt->db_index, build_index_keyinfo(p, pix), P4_KEYINFO);
          vdbe_add_op4_int(v, OP_Found, ic, ok, regs, n);
        }
      }
      vdbe_resolve_label(v, viol);
      vdbe_add_op4(v, OP_String8, 0, out, 0, shale_strdup(t->name), P4_DYNAMIC);
      vdbe_add_op2(v, OP_SCopy, base, out + 1);
      vdbe_add_op4(v, OP_String8, 0, out + 2, 0, shale_strdup(k->to_table), P4_DYNAMIC);
      vdbe_add_op2(v, OP_Integer, fkid, out + 3);
      vdbe_add_op2(v, OP_ResultRow, out, 4);
      vdbe_resolve_label(v, ok);
    }
    vdbe_add_op2(v, OP_Next, cur, top);
    vdbe_resolve_label(v, end);
  }
}
