/*
** alter.c — ALTER TABLE: RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN.
** The stored CREATE texts are rewritten token by token (the renamed
** identifier replaced, everything else kept as written), sqlite_schema rows
** are updated in place (same rowid), then the schema is reloaded.
** DROP COLUMN rewrites the text and every row.
*/
#include "build_int.h"
#include "vtab.h"

static int is_ident_tok(const char *t, int n) {
  if (n <= 0) return 0;
  char c = t[0];
  return c == '"' || c == '`' || c == '[' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (u8)c >= 0x80;
}

static int tok_equals(const char *t, int n, const char *name) {
  if (!is_ident_tok(t, n)) return 0;
  char *d = build_dequote_ident(t, n);
  int eq = d && shale_stricmp(d, name) == 0;
  sqlite3_free(d);
  return eq;
}

/* "name" with embedded quotes doubled */
static char *quote_ident(const char *z) { return build_mprintf("\"%w\"", z); }

static char *ident_for(const char *z) {
  int plain = z[0] && !(z[0] >= '0' && z[0] <= '9');
  for (const char *q = z; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
          (u8)*q >= 0x80))
      plain = 0;
  if (plain && sql_is_keyword(z, (int)strlen(z))) plain = 0;
  return plain ? shale_strdup(z) : quote_ident(z);
}

/* Replace identifier tokens equal to old_name by repl.  mode 0: all; mode 1:
** only inside parentheses; mode 2: only the first token after keyword `kw`
** (at depth 0). */
static char *rewrite_tokens(const char *sql, const char *old_name, const char *repl, int mode, const char *kw) {
  if (!sql) return NULL;
  sqlite3_str *s = sqlite3_str_new(NULL);
  const char *z = sql, *tok;
  int n, depth = 0, done = 0, after_kw = 0;
  const char *copied = sql;
  for (;;) {
    const char *nz = build_scan_token(z, &tok, &n);
    if (n == 0) break;
    int hit = 0;
    if (n == 1 && *tok == '(') depth++;
    else if (n == 1 && *tok == ')') depth--;
    else if (mode == 0) hit = tok_equals(tok, n, old_name);
    else if (mode == 3) {
      /* the table name after REFERENCES */
      if (after_kw && is_ident_tok(tok, n)) hit = tok_equals(tok, n, old_name);
      after_kw = n == 10 && shale_strnicmp(tok, "REFERENCES", 10) == 0;
    }
    else if (mode == 1) hit = depth > 0 && tok_equals(tok, n, old_name);
    else if (mode == 2 && !done) {
      if (after_kw && is_ident_tok(tok, n)) {
        /* skip a schema qualifier */
        const char *t2;
        int n2;
        const char *nz2 = build_scan_token(nz, &t2, &n2);
        if (n2 == 1 && *t2 == '.') {
          z = nz2;
          continue;
        }
        hit = tok_equals(tok, n, old_name);
        done = 1;
      } else if (depth == 0 && n == (int)strlen(kw) && shale_strnicmp(tok, kw, n) == 0) {
        after_kw = 1;
      }
    }
    if (hit) {
      sqlite3_str_append(s, copied, (int)(tok - copied));
      sqlite3_str_appendall(s, repl);
      copied = tok + n;
    }
    z = nz;
  }
  sqlite3_str_appendall(s, copied);
  return sqlite3_str_finish(s);
}

/* Update the sqlite_schema row (type, old_name) in place. */
static void update_schema_row(Parse *p, int idb, const char *type, const char *old_name, const char *new_name,
                              const char *new_tbl, const char *new_sql) {
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int r = parse_alloc_regs(p, 3);
  int rr = parse_alloc_regs(p, 5);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op4_int(v, OP_OpenWrite, cur, 1, idb, 5);
  vdbe_add_op4(v, OP_String8, 0, r, 0, type, P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, r + 1, 0, shale_strdup(old_name), P4_DYNAMIC);
  int rw = vdbe_add_op1(v, OP_Rewind, cur);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v), done = vdbe_make_label(v);
  vdbe_add_op3(v, OP_Column, cur, 0, r + 2);
  vdbe_add_op3(v, OP_Ne, r, lnext, r + 2);
  vdbe_add_op3(v, OP_Column, cur, 1, r + 2);
  vdbe_add_op3(v, OP_Ne, r + 1, lnext, r + 2);
  vdbe_add_op4(v, OP_String8, 0, rr, 0, type, P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, rr + 1, 0, shale_strdup(new_name), P4_DYNAMIC);
  vdbe_add_op4(v, OP_String8, 0, rr + 2, 0, shale_strdup(new_tbl), P4_DYNAMIC);
  vdbe_add_op3(v, OP_Column, cur, 3, rr + 3);
  if (new_sql)
    vdbe_add_op4(v, OP_String8, 0, rr + 4, 0, shale_strdup(new_sql), P4_DYNAMIC);
  else
    vdbe_add_op2(v, OP_Null, 0, rr + 4);
  vdbe_add_op4(v, OP_MakeRecord, rr, 5, rec, "BBBDB", P4_STATIC);
  vdbe_add_op2(v, OP_Rowid, cur, rid);
  vdbe_add_op3(v, OP_Insert, cur, rec, rid);
  vdbe_add_op2(v, OP_Goto, 0, done);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, rw);
  vdbe_resolve_label(v, done);
  vdbe_add_op1(v, OP_Close, cur);
}

static void rename_table(Parse *p, Table *t, const char *new_name) {
  sqlite3 *db = p->db;
  int idb = t->db_index;
  const char *dbn = db->dbs[idb].name;
  if (schema_find_table(db, dbn, new_name, NULL) || schema_find_index(db, dbn, new_name, NULL)) {
    parse_error(p, "there is already another table or index with this name: %s", new_name);
    return;
  }
  if (check_name_reserved(p, new_name)) return;
  char *q = quote_ident(new_name);
  char *tsql = rewrite_tokens(t->sql, t->name, q, 2, t->is_view ? "VIEW" : "TABLE");
  update_schema_row(p, idb, t->is_view ? "view" : "table", t->name, new_name, new_name, tsql);
  sqlite3_free(tsql);
  for (Index *ix = t->indexes; ix; ix = ix->next) {
    if (ix->sql) {
      char *isql = rewrite_tokens(ix->sql, t->name, q, 2, "ON");
      update_schema_row(p, idb, "index", ix->name, ix->name, new_name, isql);
      sqlite3_free(isql);
    } else {
      const char *suffix = ix->name + strlen("sqlite_autoindex_") + strlen(t->name);
      char *nn = build_mprintf("sqlite_autoindex_%s%s", new_name, suffix);
      update_schema_row(p, idb, "index", ix->name, nn, new_name, NULL);
      sqlite3_free(nn);
    }
  }
  Trigger *trs[64];
  int n = 0;
  n += schema_triggers_for(db, t, ST_INSERT, -1, trs + n, 64 - n);
  n += schema_triggers_for(db, t, ST_UPDATE, -1, trs + n, 64 - n);
  n += schema_triggers_for(db, t, ST_DELETE, -1, trs + n, 64 - n);
  for (int i = 0; i < n; i++) {
    char *ts = rewrite_tokens(trs[i]->sql, t->name, q, 0, NULL);
    parse_begin_write(p, trs[i]->db_index);
    update_schema_row(p, trs[i]->db_index, "trigger", trs[i]->name, trs[i]->name, new_name, ts);
    sqlite3_free(ts);
    if (trs[i]->db_index != idb) {
      build_change_cookie(p, trs[i]->db_index);
      build_reload_schema(p, trs[i]->db_index);
    }
  }
  /* references from other tables (REFERENCES), views and other tables'
  ** triggers */
  Schema *sch = db->dbs[idb].schema;
  for (int b = 0; sch && b < sch->tables.n_bucket; b++)
    for (HashEntry *e = sch->tables.buckets[b]; e; e = e->next) {
      Table *o = e->value;
      if (o == t || o->root == 1 || !o->sql) continue;
      int refs = 0;
      for (FKey *k = o->fkeys; k; k = k->next)
        if (shale_stricmp(k->to_table, t->name) == 0) refs = 1;
      if (o->is_view) {
        char *vs = rewrite_tokens(o->sql, t->name, q, 0, NULL);
        if (vs && strcmp(vs, o->sql) != 0) update_schema_row(p, idb, "view", o->name, o->name, o->name, vs);
        sqlite3_free(vs);
      } else if (refs) {
        char *os = rewrite_tokens(o->sql, t->name, q, 3, NULL);
        if (os) update_schema_row(p, idb, "table", o->name, o->name, o->name, os);
        sqlite3_free(os);
      }
    }
  for (int b = 0; sch && b < sch->triggers.n_bucket; b++)
    for (HashEntry *e = sch->triggers.buckets[b]; e; e = e->next) {
      Trigger *tr = e->value;
      if (shale_stricmp(tr->table, t->name) == 0 || !tr->sql) continue; /* done above */
      char *ts = rewrite_tokens(tr->sql, t->name, q, 0, NULL);
      if (ts && strcmp(ts, tr->sql) != 0) update_schema_row(p, idb, "trigger", tr->name, tr->name, tr->table, ts);
      sqlite3_free(ts);
    }
  if (t->autoincrement) {
    Table *seq = schema_find_table(db, dbn, "sqlite_sequence", NULL);
    if (seq) {
      Vdbe *v = p->v;
      int cur = parse_alloc_cursor(p);
      int r = parse_alloc_regs(p, 5);
      vdbe_add_op3(v, OP_OpenWrite, cur, (int)seq->root, idb);
      vdbe_add_op4(v, OP_String8, 0, r, 0, shale_strdup(t->name), P4_DYNAMIC);
      vdbe_add_op4(v, OP_String8, 0, r + 2, 0, shale_strdup(new_name), P4_DYNAMIC);
      int rw = vdbe_add_op1(v, OP_Rewind, cur);
      int top = vdbe_current_addr(v);
      vdbe_add_op3(v, OP_Column, cur, 0, r + 1);
      int ne = vdbe_add_op3(v, OP_Ne, r, 0, r + 1);
      vdbe_add_op3(v, OP_Column, cur, 1, r + 3);
      vdbe_add_op3(v, OP_MakeRecord, r + 2, 2, r + 4);
      vdbe_add_op2(v, OP_Rowid, cur, r + 1);
      vdbe_add_op3(v, OP_Insert, cur, r + 4, r + 1);
      vdbe_jump_here(v, ne);
      vdbe_add_op2(v, OP_Next, cur, top);
      vdbe_jump_here(v, rw);
      vdbe_add_op1(v, OP_Close, cur);
    }
  }
  sqlite3_free(q);
}

static void rename_column(Parse *p, Table *t, const char *old_col, const char *new_col) {
  sqlite3 *db = p->db;
  int idb = t->db_index;
  int c = table_column_index(t, old_col);
  if (c < 0) {
    parse_error(p, "no such column: \"%s\"", old_col);
    return;
  }
  if (table_column_index(t, new_col) >= 0) {
    parse_error(p, "duplicate column name: %s", new_col);
    return;
  }
  char *q = ident_for(new_col);
  const char *cname = t->cols[c].name;
  char *tsql = rewrite_tokens(t->sql, cname, q, 1, NULL);
  update_schema_row(p, idb, t->is_view ? "view" : "table", t->name, t->name, t->name, tsql);
  sqlite3_free(tsql);
  for (Index *ix = t->indexes; ix; ix = ix->next) {
    if (!ix->sql) continue;
    char *isql = rewrite_tokens(ix->sql, cname, q, 1, NULL);
    update_schema_row(p, idb, "index", ix->name, ix->name, t->name, isql);
    sqlite3_free(isql);
  }
  Trigger *trs[64];
  int n = 0;
  n += schema_triggers_for(db, t, ST_INSERT, -1, trs + n, 64 - n);
  n += schema_triggers_for(db, t, ST_UPDATE, -1, trs + n, 64 - n);
  n += schema_triggers_for(db, t, ST_DELETE, -1, trs + n, 64 - n);
  for (int i = 0; i < n; i++) {
    char *ts = rewrite_tokens(trs[i]->sql, cname, q, 0, NULL);
    parse_begin_write(p, trs[i]->db_index);
    update_schema_row(p, trs[i]->db_index, "trigger", trs[i]->name, trs[i]->name, t->name, ts);
    sqlite3_free(ts);
    if (trs[i]->db_index != idb) {
      build_change_cookie(p, trs[i]->db_index);
      build_reload_schema(p, trs[i]->db_index);
    }
  }
  sqlite3_free(q);
}

/* The column definition text of "ALTER TABLE x ADD [COLUMN] def". */
static char *add_column_text(Parse *p, Stmt *st) {
  const char *z = p->sql + st->pos, *end = p->sql + st->end, *tok;
  int n;
  if (end <= z) end = z + strlen(z);
  for (;;) {
    const char *nz = build_scan_token(z, &tok, &n);
    if (n == 0 || tok >= end) return NULL;
    z = nz;
    if (n == 3 && shale_strnicmp(tok, "ADD", 3) == 0) break;
  }
  const char *nz = build_scan_token(z, &tok, &n);
  if (n == 6 && shale_strnicmp(tok, "COLUMN", 6) == 0) z = nz;
  build_scan_token(z, &tok, &n);
  const char *start = tok;
  while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == ';'))
    end--;
  return shale_strndup(start, (int)(end - start));
}

/* A WITHOUT ROWID table is an index b-tree keyed by its record: the rows
** are copied to an ephemeral table with the default appended (the new
** column is the record's last field), the tree cleared, and the longer
** records inserted again. */
static void add_column_rewrite_without_rowid(Parse *p, Table *t, ColumnDef *cd, Expr *dflt) {
  Vdbe *v = p->v;
  int idb = t->db_index;
  int ns = 0;
  for (int i = 0; i < t->n_col; i++)
    if (!table_col_is_virtual(t, i)) ns++;
  int cur = parse_alloc_cursor(p), eph = parse_alloc_cursor(p);
  int regs = parse_alloc_regs(p, ns + 1);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op4(v, OP_OpenWrite, cur, (int)t->root, idb, build_index_keyinfo(p, table_primary_key_index(t)),
               P4_KEYINFO);
  vdbe_add_op2(v, OP_OpenEphemeral, eph, ns + 1);
  int rw = vdbe_add_op1(v, OP_Rewind, cur);
  int top = vdbe_current_addr(v);
  for (int k = 0; k < ns; k++) vdbe_add_op3(v, OP_Column, cur, k, regs + k);
  Expr *d = ast_dup_expr(dflt);
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  if (resolve_expr(p, &nc, d) == SQLITE_OK) expr_code(p, d, regs + ns);
  ast_free_expr(d);
  char aff[2] = {schema_affinity_of_type(cd->type), 0};
  vdbe_add_op4(v, OP_Affinity, regs + ns, 1, 0, shale_strdup(aff), P4_DYNAMIC);
  vdbe_add_op3(v, OP_MakeRecord, regs, ns + 1, rec);
  vdbe_add_op2(v, OP_NewRowid, eph, rid);
  vdbe_add_op3(v, OP_Insert, eph, rec, rid);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, rw);
  vdbe_add_op2(v, OP_Clear, (int)t->root, idb);
  int rw2 = vdbe_add_op1(v, OP_Rewind, eph);
  int top2 = vdbe_current_addr(v);
  for (int k = 0; k <= ns; k++) vdbe_add_op3(v, OP_Column, eph, k, regs + k);
  vdbe_add_op3(v, OP_MakeRecord, regs, ns + 1, rec);
  vdbe_add_op4_int(v, OP_IdxInsert, cur, rec, regs, ns + 1);
  vdbe_add_op2(v, OP_Next, eph, top2);
  vdbe_jump_here(v, rw2);
  vdbe_add_op1(v, OP_Close, eph);
  vdbe_add_op1(v, OP_Close, cur);
}

static void add_column(Parse *p, Stmt *st, Table *t) {
  ColumnDef *cd = st->u.alter.add;
  int idb = t->db_index;
  if (!cd) return;
  if (table_column_index(t, cd->name) >= 0) {
    parse_error(p, "duplicate column name: %s", cd->name);
    return;
  }
  if (cd->primary_key) {
    parse_error(p, "Cannot add a PRIMARY KEY column");
    return;
  }
  if (cd->unique) {
    parse_error(p, "Cannot add a UNIQUE column");
    return;
  }
  Expr *dflt = cd->default_value;
  int null_default = !dflt || dflt->op == EX_NULL;
  if (cd->not_null && null_default) {
    parse_error(p, "Cannot add a NOT NULL column with default value NULL");
    return;
  }
  if (dflt && !expr_is_constant(dflt)) {
    parse_error(p, "Cannot add a column with non-constant default");
    return;
  }
  if (cd->generated && cd->generated_stored) {
    parse_error(p, "cannot add a STORED column");
    return;
  }
  char *coldef = add_column_text(p, st);
  if (!coldef) {
    parse_error(p, "malformed ALTER TABLE");
    return;
  }
  /* insert ", coldef" where SQLite does: at the comma before the first
  ** table constraint, else before the ')' closing the column list */
  const char *z = t->sql, *tok, *close = NULL, *comma = NULL;
  int n, depth = 0;
  for (;;) {
    const char *nz = build_scan_token(z, &tok, &n);
    if (n == 0) break;
    if (comma) {
      static const char *const kw[] = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"};
      for (size_t i = 0; i < sizeof kw / sizeof kw[0] && !close; i++)
        if ((size_t)n == strlen(kw[i]) && shale_strnicmp(tok, kw[i], n) == 0) close = comma;
      if (close) break;
      comma = NULL;
    }
    if (n == 1 && *tok == '(') depth++;
    if (n == 1 && *tok == ',' && depth == 1) comma = tok;
    if (n == 1 && *tok == ')' && --depth == 0) {
      close = tok;
      break;
    }
    z = nz;
  }
  if (!close) {
    sqlite3_free(coldef);
    parse_error(p, "malformed table definition");
    return;
  }
  char *nsql = build_mprintf("%.*s, %s%s", (int)(close - t->sql), t->sql, coldef, close);
  sqlite3_free(coldef);
  update_schema_row(p, idb, "table", t->name, t->name, t->name, nsql);
  sqlite3_free(nsql);
  if (!null_default) {
    /* existing rows get the default: rewrite them */
    if (t->without_rowid) {
      add_column_rewrite_without_rowid(p, t, cd, dflt);
      return;
    }
    Vdbe *v = p->v;
    int cur = parse_alloc_cursor(p);
    int n_col = t->n_col + 1;
    int regs = parse_alloc_regs(p, n_col);
    int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_OpenWrite, cur, (int)t->root, idb);
    int rw = vdbe_add_op1(v, OP_Rewind, cur);
    int top = vdbe_current_addr(v);
    /* stored columns only (VIRTUAL generated ones have no field) */
    int ns = 0;
    for (int i = 0; i < t->n_col; i++)
      if (!table_col_is_virtual(t, i)) vdbe_add_op3(v, OP_Column, cur, table_storage_col(t, i), regs + ns++);
    Expr *d = ast_dup_expr(dflt);
    NameContext nc;
    memset(&nc, 0, sizeof(nc));
    if (resolve_expr(p, &nc, d) == SQLITE_OK) expr_code(p, d, regs + ns);
    ast_free_expr(d);
    char aff[2] = {schema_affinity_of_type(cd->type), 0};
    vdbe_add_op4(v, OP_Affinity, regs + ns, 1, 0, aff, P4_STATIC);
    vdbe_change_p4(v, -1, shale_strdup(aff), P4_DYNAMIC);
    vdbe_add_op3(v, OP_MakeRecord, regs, ns + 1, rec);
    SHALE_UNUSED(n_col);
    vdbe_add_op2(v, OP_Rowid, cur, rid);
    vdbe_add_op3(v, OP_Insert, cur, rec, rid);
    vdbe_add_op2(v, OP_Next, cur, top);
    vdbe_jump_here(v, rw);
    vdbe_add_op1(v, OP_Close, cur);
  }
}

/* ------------------------------------------------------------ DROP COLUMN -- */
static int expr_refs(const Expr *e, const char *name);
static int list_refs(const ExprList *l, const char *name) {
  for (int i = 0; l && i < l->n; i++)
    if (expr_refs(l->a[i].expr, name)) return 1;
  return 0;
}
static int expr_refs(const Expr *e, const char *name) {
  if (!e) return 0;
  if ((e->op == EX_ID || e->op == EX_DOT) && e->text && shale_stricmp(e->text, name) == 0) return 1;
  return expr_refs(e->left, name) || expr_refs(e->right, name) || expr_refs(e->extra, name) ||
         list_refs(e->list, name);
}

static int idlist_has(const IdList *l, const char *name) {
  for (int i = 0; l && i < l->n; i++)
    if (shale_stricmp(l->names[i], name) == 0) return 1;
  return 0;
}

/* The stored text without column ic's definition (SQLite's cut points). */
static char *text_without_column(const char *sql, int ic, int n_col) {
  const char *z = sql, *tok;
  int n, depth = 0, col = 0;
  const char *starts[2] = {NULL, NULL}; /* start of def ic, of def ic+1 */
  const char *comma_before = NULL, *cons_comma = NULL, *close = NULL, *last_comma = NULL;
  int at_def_start = 0;
  for (;;) {
    const char *nz = build_scan_token(z, &tok, &n);
    if (n == 0) break;
    if (n == 1 && *tok == '(') {
      depth++;
      if (depth == 1) at_def_start = 1;
      z = nz;
      continue;
    }
    if (n == 1 && *tok == ')') {
      depth--;
      if (depth == 0) {
        close = tok;
        break;
      }
      z = nz;
      continue;
    }
    if (depth == 1 && n == 1 && *tok == ',') {
      last_comma = tok;
      at_def_start = 1;
      z = nz;
      continue;
    }
    if (depth == 1 && at_def_start) {
      at_def_start = 0;
      int is_cons = (n == 10 && !shale_strnicmp(tok, "CONSTRAINT", 10)) ||
                    (n == 7 && !shale_strnicmp(tok, "PRIMARY", 7)) || (n == 6 && !shale_strnicmp(tok, "UNIQUE", 6)) ||
                    (n == 5 && !shale_strnicmp(tok, "CHECK", 5)) || (n == 7 && !shale_strnicmp(tok, "FOREIGN", 7));
      if (col >= n_col || is_cons) {
        if (!cons_comma) cons_comma = last_comma;
      } else {
        if (col == ic) {
          starts[0] = tok;
          comma_before = last_comma;
        }
        if (col == ic + 1) starts[1] = tok;
        col++;
      }
    }
    z = nz;
  }
  if (!starts[0] || !close) return NULL;
  if (starts[1]) return build_mprintf("%.*s%s", (int)(starts[0] - sql), sql, starts[1]);
  const char *from = comma_before ? comma_before : starts[0];
  const char *to = cons_comma ? cons_comma : close;
  return build_mprintf("%.*s%s", (int)(from - sql), sql, to);
}

static void drop_column(Parse *p, Table *t, const char *cname) {
  int ic = table_column_index(t, cname);
  if (ic < 0) {
    parse_error(p, "no such column: \"%s\"", cname);
    return;
  }
  const char *cn = t->cols[ic].name;
  if (t->cols[ic].is_pk) {
    parse_error(p, "cannot drop PRIMARY KEY column: \"%s\"", cn);
    return;
  }
  for (Index *ix = t->indexes; ix; ix = ix->next)
    if (ix->origin == 'u' && ix->n_key_col == 1 && ix->columns[0] == ic) {
      parse_error(p, "cannot drop UNIQUE column: \"%s\"", cn);
      return;
    }
  if (t->n_col <= 1) {
    parse_error(p, "cannot drop column \"%s\": no other columns exist", cn);
    return;
  }
  /* references from the rest of the table definition */
  ParseResult pr;
  memset(&pr, 0, sizeof(pr));
  if (sql_parse(t->sql, -1, &pr) == SQLITE_OK && pr.stmt && pr.stmt->kind == ST_CREATE_TABLE) {
    Stmt *ct = pr.stmt;
    int bad = 0;
    for (int i = 0; i < ct->u.create_table.n_col && !bad; i++) {
      if (i == ic) continue;
      ColumnDef *cd = &ct->u.create_table.cols[i];
      if (expr_refs(cd->check, cn) || expr_refs(cd->generated, cn)) bad = 1;
    }
    for (int i = 0; i < ct->u.create_table.n_cons && !bad; i++) {
      TableConstraint *tc = &ct->u.create_table.cons[i];
      if (list_refs(tc->columns, cn) || expr_refs(tc->check, cn)) bad = 1;
      if (tc->fk && idlist_has(tc->fk->from_columns, cn)) bad = 1;
    }
    if (bad) parse_error(p, "error in table %s after drop column: no such column: %s", t->name, cn);
  }
  parse_result_clear(&pr);
  if (p->rc) return;
  for (Index *ix = t->indexes; ix; ix = ix->next) {
    if (ix->origin != 'c') continue;
    int bad = expr_refs(ix->where, cn) || list_refs(ix->exprs, cn);
    for (int k = 0; k < ix->n_key_col; k++)
      if (ix->columns[k] == ic) bad = 1;
    if (bad) {
      parse_error(p, "error in index %s after drop column: no such column: %s", ix->name, cn);
      return;
    }
  }
  char *nsql = text_without_column(t->sql, ic, t->n_col);
  if (!nsql) {
    parse_error(p, "malformed table definition");
    return;
  }
  int idb = t->db_index;
  update_schema_row(p, idb, "table", t->name, t->name, t->name, nsql);
  sqlite3_free(nsql);
  /* rewrite every row without the column */
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int n = t->n_col - 1;
  int regs = parse_alloc_regs(p, n);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_OpenWrite, cur, (int)t->root, idb);
  int rw = vdbe_add_op1(v, OP_Rewind, cur);
  int top = vdbe_current_addr(v);
  /* stored columns only (VIRTUAL generated ones have no field) */
  n = 0;
  for (int i = 0; i < t->n_col; i++)
    if (i != ic && !table_col_is_virtual(t, i)) vdbe_add_op3(v, OP_Column, cur, table_storage_col(t, i), regs + n++);
  vdbe_add_op3(v, OP_MakeRecord, regs, n, rec);
  vdbe_add_op2(v, OP_Rowid, cur, rid);
  vdbe_add_op3(v, OP_Insert, cur, rec, rid);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, rw);
  vdbe_add_op1(v, OP_Close, cur);
}

int codegen_alter(Parse *p, Stmt *st) {
  Table *t = schema_locate_table(p, st->u.alter.db, st->u.alter.table, 1);
  if (!t) return p->rc;
  if (shale_strnicmp(t->name, "sqlite_", 7) == 0 || (t->vt && t->vt->epo_of)) {
    parse_error(p, "table %s may not be altered", t->name);
    return p->rc;
  }
  if (t->vt) {
    parse_error(p, "virtual tables may not be altered");
    return p->rc;
  }
  int idb = t->db_index;
  switch (st->u.alter.action) {
    case 1:
      parse_begin_write(p, idb);
      rename_table(p, t, st->u.alter.new_name);
      break;
    case 2:
      if (t->is_view) {
        parse_error(p, "cannot rename columns of view \"%s\"", t->name);
        return p->rc;
      }
      parse_begin_write(p, idb);
      rename_column(p, t, st->u.alter.column, st->u.alter.new_name);
      break;
    case 3:
      if (t->is_view) {
        parse_error(p, "Cannot add a column to a view");
        return p->rc;
      }
      parse_begin_write(p, idb);
      add_column(p, st, t);
      break;
    default:
      if (t->is_view) {
        parse_error(p, "cannot drop column from view \"%s\"", t->name);
        return p->rc;
      }
      parse_begin_write(p, idb);
      drop_column(p, t, st->u.alter.column);
      break;
  }
  if (p->rc) return p->rc;
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  return p->rc;
}
