/*
** build.c — CREATE TABLE / INDEX / VIEW, DROP TABLE / INDEX / VIEW /
** TRIGGER, and sqlite_schema maintenance.  Every schema change writes the
** sqlite_schema rows, bumps the schema cookie and ends with OP_ParseSchema
** (P4 NULL: the SQL layer reloads that database's schema).
*/
#include "build_int.h"
#include "vtab.h"
#include <ctype.h>

/* --------------------------------------------------------- text helpers -- */
static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Skip whitespace and comments. */
static const char *skip_ws(const char *z, const char *end) {
  for (;;) {
    while (z < end && is_space(*z)) z++;
    if (z + 1 < end && z[0] == '-' && z[1] == '-') {
      while (z < end && *z != '\n') z++;
      continue;
    }
    if (z + 1 < end && z[0] == '/' && z[1] == '*') {
      z += 2;
      while (z + 1 < end && !(z[0] == '*' && z[1] == '/')) z++;
      z = z + 2 <= end ? z + 2 : end;
      continue;
    }
    return z;
  }
}

static int word_is(const char *z, const char *end, const char *w) {
  int n = (int)strlen(w);
  if (end - z < n) return 0;
  if (shale_strnicmp(z, w, n) != 0) return 0;
  if (z + n < end && (isalnum((u8)z[n]) || z[n] == '_' || z[n] == '$' || (u8)z[n] >= 0x80)) return 0;
  return 1;
}

static const char *skip_word(const char *z, const char *end) {
  while (z < end && (isalnum((u8)*z) || *z == '_' || *z == '$' || (u8)*z >= 0x80)) z++;
  return z;
}

/* Position of the object name in "CREATE ... TABLE|INDEX|VIEW|TRIGGER [IF NOT
** EXISTS] name ...". */
const char *build_name_start(const char *z, const char *end) {
  static const char *const kw[] = {"TABLE", "INDEX", "VIEW", "TRIGGER"};
  for (int guard = 0; guard < 8 && z < end; guard++) {
    z = skip_ws(z, end);
    int hit = 0;
    for (int k = 0; k < 4; k++)
      if (word_is(z, end, kw[k])) hit = 1;
    z = skip_word(z, end);
    if (hit) break;
  }
  z = skip_ws(z, end);
  if (word_is(z, end, "IF")) {
    z = skip_ws(skip_word(z, end), end); /* NOT */
    z = skip_ws(skip_word(z, end), end); /* EXISTS */
    z = skip_ws(skip_word(z, end), end);
  }
  return z;
}

/* The stored text: "CREATE <kind> " + the text from the name to the end. */
char *build_stored_sql(Parse *p, Stmt *st, const char *kind, int trim) {
  const char *start = p->sql + st->pos;
  const char *end = p->sql + st->end;
  if (end <= start) end = start + strlen(start);
  if (!trim) {
    /* CREATE INDEX keeps everything up to the ';' (or the end of input) */
    const char *tok;
    int n;
    const char *after = build_scan_token(end, &tok, &n);
    (void)after;
    if (n == 0) end = end + strlen(end);
    else if (n == 1 && *tok == ';') end = tok;
  }
  const char *name = build_name_start(start, end);
  {
    /* schema.name: the stored text starts at the unqualified name */
    const char *tok, *tok2;
    int n, n2;
    const char *after = build_scan_token(name, &tok, &n);
    const char *after2 = build_scan_token(after, &tok2, &n2);
    if (n > 0 && n2 == 1 && *tok2 == '.' && after2 < end) name = skip_ws(after2, end);
  }
  if (trim)
    while (end > name && is_space(end[-1])) end--;
  return build_mprintf("CREATE %s %.*s", kind, (int)(end - name), name);
}

/* ---------------------------------------------------- sqlite_schema rows -- */
/* Insert a row into sqlite_schema of idb.  reg_root: register holding the
** root page (0 => 0). */
void build_emit_schema_row(Parse *p, int idb, const char *type, const char *name,
                            const char *tbl, int reg_root, const char *sql) {
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int r = parse_alloc_regs(p, 5);
  int rrec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op4_int(v, OP_OpenWrite, cur, 1, idb, 5);
  vdbe_add_op2(v, OP_NewRowid, cur, rid);
  vdbe_add_op4(v, OP_String8, 0, r, 0, type, P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, r + 1, 0, shale_strdup(name), P4_DYNAMIC);
  vdbe_add_op4(v, OP_String8, 0, r + 2, 0, shale_strdup(tbl), P4_DYNAMIC);
  if (reg_root)
    vdbe_add_op2(v, OP_SCopy, reg_root, r + 3);
  else
    vdbe_add_op2(v, OP_Integer, 0, r + 3);
  if (sql)
    vdbe_add_op4(v, OP_String8, 0, r + 4, 0, shale_strdup(sql), P4_DYNAMIC);
  else
    vdbe_add_op2(v, OP_Null, 0, r + 4);
  vdbe_add_op4(v, OP_MakeRecord, r, 5, rrec, "BBBDB", P4_STATIC);
  vdbe_add_op3(v, OP_Insert, cur, rrec, rid);
  vdbe_add_op1(v, OP_Close, cur);
}

/* Set the file format / encoding on first use, as SQLite does. */
static void emit_file_format(Parse *p, int idb) {
  Vdbe *v = p->v;
  int r = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_ReadCookie, idb, r, BTREE_FILE_FORMAT);
  int a = vdbe_add_op1(v, OP_If, r);
  vdbe_add_op3(v, OP_SetCookie, idb, BTREE_FILE_FORMAT, 4);
  vdbe_add_op3(v, OP_SetCookie, idb, BTREE_TEXT_ENCODING, p->db->enc ? p->db->enc : SQLITE_UTF8);
  vdbe_jump_here(v, a);
}

void build_change_cookie(Parse *p, int idb) {
  Schema *s = p->db->dbs[idb].schema;
  vdbe_add_op3(p->v, OP_SetCookie, idb, BTREE_SCHEMA_VERSION, (int)((s ? s->cookie : 0) + 1));
}

void build_reload_schema(Parse *p, int idb) {
  vdbe_add_op4(p->v, OP_ParseSchema, idb, 0, 0, NULL, P4_NOTUSED);
}

/* Delete rows of sqlite_schema in idb where column col == name (and, when
** type is given, column 0 == type). */
void build_delete_schema_rows(Parse *p, int idb, int col, const char *name, const char *type) {
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int r = parse_alloc_regs(p, 4);
  vdbe_add_op4_int(v, OP_OpenWrite, cur, 1, idb, 5);
  vdbe_add_op4(v, OP_String8, 0, r, 0, shale_strdup(name), P4_DYNAMIC);
  if (type) vdbe_add_op4(v, OP_String8, 0, r + 2, 0, type, P4_STATIC);
  int rw = vdbe_add_op1(v, OP_Rewind, cur);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  vdbe_add_op3(v, OP_Column, cur, col, r + 1);
  vdbe_add_op3(v, OP_Ne, r, lnext, r + 1);
  if (type) {
    vdbe_add_op3(v, OP_Column, cur, 0, r + 3);
    vdbe_add_op3(v, OP_Ne, r + 2, lnext, r + 3);
  }
  vdbe_add_op1(v, OP_Delete, cur);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, cur, top);
  vdbe_jump_here(v, rw);
  vdbe_add_op1(v, OP_Close, cur);
}

int check_name_reserved(Parse *p, const char *name) {
  if (!p->nested && !(p->db->flags & SQLITE_WriteSchema) && shale_strnicmp(name, "sqlite_", 7) == 0) {
    parse_error(p, "object name reserved for internal use: %s", name);
    return 1;
  }
  return 0;
}

/* Which database does a new object go into?  -1 on error. */
static int target_db(Parse *p, const char *db_name, int temp) {
  if (temp) {
    if (db_name && shale_stricmp(db_name, "temp") != 0) {
      parse_error(p, "temporary table name must be unqualified");
      return -1;
    }
    return 1;
  }
  if (!db_name) return 0;
  int i = schema_db_index(p->db, db_name);
  if (i < 0 || i >= p->db->n_db) {
    parse_error(p, "unknown database %s", db_name);
    return -1;
  }
  return i;
}

/* Is the name taken by a table/view/index in idb?  Emits the error. */
static int name_taken(Parse *p, int idb, const char *name, int if_not_exists, int is_index) {
  const char *dbn = p->db->dbs[idb].name;
  Table *t = schema_find_table(p->db, dbn, name, NULL);
  if (t) {
    if (if_not_exists) return 2;
    if (is_index)
      parse_error(p, "there is already a table named %s", name);
    else
      parse_error(p, "%s %s already exists", t->is_view ? "view" : "table", name);
    return 1;
  }
  Index *ix = schema_find_index(p->db, dbn, name, NULL);
  if (ix) {
    if (if_not_exists && is_index) return 2;
    if (is_index)
      parse_error(p, "index %s already exists", name);
    else
      parse_error(p, "there is already an index named %s", name);
    return 1;
  }
  return 0;
}

/* --------------------------------------------------------- CREATE TABLE -- */
static void emit_sqlite_sequence(Parse *p, int idb) {
  Table *t = schema_find_table(p->db, p->db->dbs[idb].name, "sqlite_sequence", NULL);
  if (t) return;
  int r = parse_alloc_reg(p);
  vdbe_add_op3(p->v, OP_CreateBtree, idb, r, BTREE_INTKEY);
  build_emit_schema_row(p, idb, "table", "sqlite_sequence", "sqlite_sequence", r,
                  "CREATE TABLE sqlite_sequence(name,seq)");
}

int codegen_create_table(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  int idb = target_db(p, st->u.create_table.db, st->u.create_table.temp);
  if (idb < 0) return p->rc;
  const char *name = st->u.create_table.name;
  if (check_name_reserved(p, name)) return p->rc;
  parse_begin_write(p, idb);
  int taken = name_taken(p, idb, name, st->u.create_table.if_not_exists, 0);
  if (taken == 1) return p->rc;
  if (taken == 2) return SQLITE_OK;
  if (st->u.create_table.as_select) {
    emit_file_format(p, idb);
    return build_create_table_as(p, st, idb);
  }
  char *err = NULL;
  Table *t = table_from_create(db, st, idb, &err);
  if (!t) {
    parse_error(p, "%s", err ? err : "out of memory");
    sqlite3_free(err);
    return p->rc;
  }
  for (int i = 0; i < t->n_col && p->rc == SQLITE_OK; i++) parse_collseq(p, t->cols[i].collate);
  for (Index *ix = t->indexes; ix && p->rc == SQLITE_OK; ix = ix->next)
    for (int i = 0; ix->collate && i < ix->n_column && p->rc == SQLITE_OK; i++) parse_collseq(p, ix->collate[i]);
  if (p->rc) {
    table_free(t);
    return p->rc;
  }
  for (int i = 0; i < t->n_col; i++)
    if (table_col_is_virtual(t, i) && t->without_rowid) {
      table_free(t);
      parse_error(p, "VIRTUAL generated columns in WITHOUT ROWID tables are not supported yet (use STORED)");
      return p->rc;
    }
  char *sql = build_stored_sql(p, st, "TABLE", 1);
  Vdbe *v = p->v;
  emit_file_format(p, idb);
  int rroot = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_CreateBtree, idb, rroot, t->without_rowid ? BTREE_BLOBKEY : BTREE_INTKEY);
  /* oldest index first (the list is newest first); the PRIMARY KEY of a
  ** WITHOUT ROWID table is the table itself */
  Index *arr[128];
  int n_idx = 0;
  for (Index *ix = t->indexes; ix && n_idx < 128; ix = ix->next)
    if (!(t->without_rowid && ix->origin == 'p')) arr[n_idx++] = ix;
  for (int i = 0; i < n_idx / 2; i++) {
    Index *x = arr[i];
    arr[i] = arr[n_idx - 1 - i];
    arr[n_idx - 1 - i] = x;
  }
  int ridx = parse_alloc_regs(p, n_idx);
  for (int k = 0; k < n_idx; k++) vdbe_add_op3(v, OP_CreateBtree, idb, ridx + k, BTREE_BLOBKEY);
  build_emit_schema_row(p, idb, "table", t->name, t->name, rroot, sql);
  for (int k = 0; k < n_idx; k++) build_emit_schema_row(p, idb, "index", arr[k]->name, t->name, ridx + k, NULL);
  if (t->autoincrement) emit_sqlite_sequence(p, idb);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  sqlite3_free(sql);
  table_free(t);
  return p->rc;
}

/* ---------------------------------------------------------- CREATE VIEW -- */
int codegen_create_view(Parse *p, Stmt *st) {
  int idb = target_db(p, st->u.create_view.db, st->u.create_view.temp);
  if (idb < 0) return p->rc;
  const char *name = st->u.create_view.name;
  if (check_name_reserved(p, name)) return p->rc;
  parse_begin_write(p, idb);
  int taken = name_taken(p, idb, name, st->u.create_view.if_not_exists, 0);
  if (taken == 1) return p->rc;
  if (taken == 2) return SQLITE_OK;
  char *sql = build_stored_sql(p, st, "VIEW", 1);
  emit_file_format(p, idb);
  build_emit_schema_row(p, idb, "view", name, name, 0, sql);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  sqlite3_free(sql);
  return p->rc;
}

/* --------------------------------------------------------- CREATE INDEX -- */
void build_open_table(Parse *p, Table *t, int cur, int op) {
  if (t->without_rowid) {
    Index *pk = table_primary_key_index(t);
    vdbe_add_op4(p->v, op, cur, (int)t->root, t->db_index, pk ? build_index_keyinfo(p, pk) : NULL, P4_KEYINFO);
  } else {
    vdbe_add_op4_int(p->v, op, cur, (int)t->root, t->db_index, t->n_col);
  }
}

void build_column_value(Parse *p, Table *t, int cur, int col, int reg) {
  if (t->without_rowid && col >= 0) {
    /* the record is in PRIMARY KEY order */
    Index *pk = table_primary_key_index(t);
    int pos = col;
    for (int j = 0; pk && j < pk->n_column; j++)
      if (pk->columns[j] == col) pos = j;
    vdbe_add_op3(p->v, OP_Column, cur, pos, reg);
    if (t->cols[col].affinity == SQLITE_AFF_REAL) vdbe_add_op1(p->v, OP_RealAffinity, reg);
    return;
  }
  if (col < 0 || col == t->ipk) {
    vdbe_add_op2(p->v, OP_Rowid, cur, reg);
    return;
  }
  if (table_col_is_virtual(t, col)) {
    expr_code_virtual_column(p, t, cur, col, reg);
    return;
  }
  vdbe_add_op3(p->v, OP_Column, cur, table_storage_col(t, col), reg);
  if (t->cols[col].affinity == SQLITE_AFF_REAL) vdbe_add_op1(p->v, OP_RealAffinity, reg);
}

/* Compute index key columns for the row at table cursor cur into regs
** (n_column of them: key + rowid).  Skips the row (jumps to skip_label)
** when a partial index's WHERE is false. */
void build_index_key(Parse *p, Index *ix, int cur, int reg_rowid, int regs, int skip_label) {
  Table *t = ix->table;
  if (ix->where && skip_label) {
    NameContext nc;
    memset(&nc, 0, sizeof(nc));
    nc.table = t;
    nc.table_cursor = cur;
    nc.is_check = 1;
    Expr *w = ast_dup_expr(ix->where);
    if (resolve_expr(p, &nc, w) == SQLITE_OK) expr_code_jump_if_false(p, w, skip_label, 1);
    ast_free_expr(w);
  }
  for (int i = 0; i < ix->n_column; i++) {
    int c = ix->columns[i];
    if (c == -2) {
      Expr *e = ix->exprs && i < ix->exprs->n ? ix->exprs->a[i].expr : NULL;
      if (e) {
        NameContext nc;
        memset(&nc, 0, sizeof(nc));
        nc.table = t;
        nc.table_cursor = cur;
        nc.is_check = 1;
        Expr *d = ast_dup_expr(e);
        if (resolve_expr(p, &nc, d) == SQLITE_OK) expr_code(p, d, regs + i);
        ast_free_expr(d);
      } else {
        vdbe_add_op2(p->v, OP_Null, 0, regs + i);
      }
    } else if (c < 0) {
      if (reg_rowid)
        vdbe_add_op2(p->v, OP_SCopy, reg_rowid, regs + i);
      else
        vdbe_add_op2(p->v, OP_Rowid, cur, regs + i);
    } else {
      build_column_value(p, t, cur, c, regs + i);
    }
  }
}

/* What a UNIQUE violation names, in SQLite's words: "t.a, t.b", or
** "index 'name'" for an index on expressions. */
char *build_index_colnames(Index *ix) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  for (int i = 0; i < ix->n_column; i++) {
    if (ix->columns[i] == -2) {
      sqlite3_str_appendf(s, "index '%s'", ix->name);
      return sqlite3_str_finish(s);
    }
  }
  for (int i = 0; i < ix->n_key_col; i++) {
    int c = ix->columns[i];
    const char *cn = c >= 0 ? ix->table->cols[c].name : c == -1 ? "rowid" : "<expr>";
    sqlite3_str_appendf(s, "%s%s.%s", i ? ", " : "", ix->table->name, cn);
  }
  return sqlite3_str_finish(s);
}

/* Fill index ix (cursor icur open for writing) from table t (cursor tcur).
** As in SQLite, the keys go through a sorter first and are then appended to
** the b-tree in order (OP_SeekEnd + OP_IdxInsert with the seek result): an
** append needs no search and splits only the rightmost leaf.  A UNIQUE
** index compares each sorted key with the previous one (OP_SorterCompare
** treats NULLs as distinct). */
void build_fill_index(Parse *p, Index *ix, int tcur, int icur) {
  Vdbe *v = p->v;
  int n = ix->n_column;
  int regs = parse_alloc_regs(p, n);
  int rrec = parse_alloc_reg(p);
  int sorter = parse_alloc_cursor(p);
  vdbe_add_op4(v, OP_SorterOpen, sorter, n, 0, build_index_keyinfo(p, ix), P4_KEYINFO);
  int rw = vdbe_add_op1(v, OP_Rewind, tcur);
  int top = vdbe_current_addr(v);
  int lnext = vdbe_make_label(v);
  build_index_key(p, ix, tcur, 0, regs, lnext);
  vdbe_add_op3(v, OP_MakeRecord, regs, n, rrec);
  vdbe_add_op2(v, OP_SorterInsert, sorter, rrec);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, tcur, top);
  vdbe_jump_here(v, rw);
  int srt = vdbe_add_op1(v, OP_SorterSort, sorter);
  int loop;
  if (ix->unique) {
    int first = vdbe_add_op0(v, OP_Goto);
    loop = vdbe_current_addr(v);
    vdbe_add_op4_int(v, OP_SorterCompare, sorter, first, rrec, ix->n_key_col);
    char *msg = build_index_colnames(ix);
    vdbe_add_op4(v, OP_Halt, SQLITE_CONSTRAINT_UNIQUE, OE_ABORT, 0, msg, P4_DYNAMIC);
    vdbe_change_p5(v, 2);
    vdbe_jump_here(v, first);
  } else {
    loop = vdbe_current_addr(v);
  }
  vdbe_add_op3(v, OP_SorterData, sorter, rrec, icur);
  vdbe_add_op1(v, OP_SeekEnd, icur);
  vdbe_add_op2(v, OP_IdxInsert, icur, rrec);
  vdbe_change_p5(v, OPFLAG_USESEEKRESULT | OPFLAG_APPEND);
  vdbe_add_op2(v, OP_SorterNext, sorter, loop);
  vdbe_jump_here(v, srt);
  vdbe_add_op1(v, OP_Close, sorter);
}

int codegen_create_index(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *name = st->u.create_index.name;
  Table *t = schema_locate_table(p, st->u.create_index.db, st->u.create_index.table, 1);
  if (!t) return p->rc;
  if (t->vt) {
    parse_error(p, "virtual tables may not be indexed");
    return p->rc;
  }
  int idb = t->db_index;
  if (st->u.create_index.db) {
    int d = schema_db_index(db, st->u.create_index.db);
    if (d != idb) {
      parse_error(p, "no such table: %s.%s", st->u.create_index.db, st->u.create_index.table);
      return p->rc;
    }
  }
  if (check_name_reserved(p, name)) return p->rc;
  if (shale_strnicmp(t->name, "sqlite_", 7) == 0 && !p->nested) {
    parse_error(p, "table %s may not be indexed", t->name);
    return p->rc;
  }
  if (t->is_view) {
    parse_error(p, "views may not be indexed");
    return p->rc;
  }
  parse_begin_write(p, idb);
  int taken = name_taken(p, idb, name, st->u.create_index.if_not_exists, 1);
  if (taken == 1) return p->rc;
  if (taken == 2) return SQLITE_OK;
  char *err = NULL;
  Index *ix = index_from_create(db, st, t, &err);
  if (!ix) {
    parse_error(p, "%s", err ? err : "out of memory");
    sqlite3_free(err);
    return p->rc;
  }
  if (t->without_rowid) schema_without_rowid_index(t, ix);
  char *sql = build_stored_sql(p, st, st->u.create_index.unique ? "UNIQUE INDEX" : "INDEX", 0);
  Vdbe *v = p->v;
  int rroot = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_CreateBtree, idb, rroot, BTREE_BLOBKEY);
  build_emit_schema_row(p, idb, "index", ix->name, t->name, rroot, sql);
  int tcur = parse_alloc_cursor(p), icur = parse_alloc_cursor(p);
  build_open_table(p, t, tcur, OP_OpenRead);
  vdbe_add_op4(v, OP_OpenWrite, icur, rroot, idb, build_index_keyinfo(p, ix), P4_KEYINFO);
  vdbe_change_p5(v, OPFLAG_P2ISREG);
  build_fill_index(p, ix, tcur, icur);
  vdbe_add_op1(v, OP_Close, tcur);
  vdbe_add_op1(v, OP_Close, icur);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  sqlite3_free(sql);
  index_free(ix);
  return p->rc;
}

/* ------------------------------------------------------------------ DROP -- */
static void emit_destroy(Parse *p, int idb, Pgno root) {
  int r = parse_alloc_reg(p);
  vdbe_add_op3(p->v, OP_Destroy, (int)root, r, idb);
}

int codegen_drop(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *dbn = st->u.drop.db;
  const char *name = st->u.drop.name;
  if (dbn && schema_db_index(db, dbn) < 0) {
    if (st->u.drop.if_exists) return SQLITE_OK;
    parse_error(p, "unknown database %s", dbn);
    return p->rc;
  }
  if (st->kind == ST_DROP_TRIGGER) {
    int idb = 0;
    Trigger *tr = schema_find_trigger(db, dbn, name, &idb);
    if (!tr) {
      if (st->u.drop.if_exists) return SQLITE_OK;
      if (dbn)
        parse_error(p, "no such trigger: %s.%s", dbn, name);
      else
        parse_error(p, "no such trigger: %s", name);
      return p->rc;
    }
    parse_begin_write(p, idb);
    build_delete_schema_rows(p, idb, 1, tr->name, "trigger");
    build_change_cookie(p, idb);
    build_reload_schema(p, idb);
    return p->rc;
  }
  if (st->kind == ST_DROP_INDEX) {
    int idb = 0;
    Index *ix = schema_find_index(db, dbn, name, &idb);
    if (!ix) {
      if (st->u.drop.if_exists) {
        return SQLITE_OK;
      }
      if (dbn)
        parse_error(p, "no such index: %s.%s", dbn, name);
      else
        parse_error(p, "no such index: %s", name);
      return p->rc;
    }
    if (ix->origin != 'c') {
      parse_error(p, "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
      return p->rc;
    }
    parse_begin_write(p, idb);
    build_delete_schema_rows(p, idb, 1, ix->name, "index");
    emit_destroy(p, idb, ix->root);
    build_change_cookie(p, idb);
    build_reload_schema(p, idb);
    return p->rc;
  }
  /* DROP TABLE / DROP VIEW */
  int idb = 0;
  Table *t = schema_find_table(db, dbn, name, &idb);
  int is_view = st->kind == ST_DROP_VIEW;
  if (!t && !is_view && vtab_eponymous(p, dbn, name)) {
    parse_error(p, "table %s may not be dropped", name);
    return p->rc;
  }
  if (!t) {
    if (st->u.drop.if_exists) return SQLITE_OK;
    if (dbn)
      parse_error(p, "no such %s: %s.%s", is_view ? "view" : "table", dbn, name);
    else
      parse_error(p, "no such %s: %s", is_view ? "view" : "table", name);
    return p->rc;
  }
  if (t->root == 1 || (shale_strnicmp(t->name, "sqlite_", 7) == 0 &&
                       shale_stricmp(t->name, "sqlite_stat1") != 0 &&
                       shale_stricmp(t->name, "sqlite_stat4") != 0)) {
    parse_error(p, "table %s may not be dropped", t->name);
    return p->rc;
  }
  if (is_view && !t->is_view) {
    parse_error(p, "use DROP TABLE to delete table %s", t->name);
    return p->rc;
  }
  if (!is_view && t->is_view) {
    parse_error(p, "use DROP VIEW to delete view %s", t->name);
    return p->rc;
  }
  if (t->vt) return vtab_code_drop(p, t, idb);
  parse_begin_write(p, idb);
  if (!t->is_view && fkey_active(p, t)) {
    /* foreign keys: an implicit DELETE FROM first (checks and actions, no
    ** triggers), as SQLite does */
    Stmt del;
    memset(&del, 0, sizeof(del));
    SrcItem target;
    memset(&target, 0, sizeof(target));
    target.name = t->name;
    target.db = db->dbs[idb].name;
    del.kind = ST_DELETE;
    del.u.del.target = &target;
    int saved = p->nested;
    int first_cur = p->n_cursor;
    p->nested = 2;
    codegen_delete(p, &del);
    p->nested = saved;
    if (p->rc) return p->rc;
    /* no cursor may stay open on a b-tree that is destroyed */
    for (int c = first_cur; c < p->n_cursor; c++) vdbe_add_op1(p->v, OP_Close, c);
  }
  /* Triggers on the table (in any database). */
  Trigger *trs[64];
  int n_tr = 0;
  n_tr += schema_triggers_for(db, t, ST_INSERT, -1, trs + n_tr, 64 - n_tr);
  n_tr += schema_triggers_for(db, t, ST_UPDATE, -1, trs + n_tr, 64 - n_tr);
  n_tr += schema_triggers_for(db, t, ST_DELETE, -1, trs + n_tr, 64 - n_tr);
  for (int i = 0; i < n_tr; i++) {
    if (trs[i]->db_index != idb) {
      parse_begin_write(p, trs[i]->db_index);
      build_delete_schema_rows(p, trs[i]->db_index, 1, trs[i]->name, "trigger");
      build_change_cookie(p, trs[i]->db_index);
      build_reload_schema(p, trs[i]->db_index);
    }
  }
  if (t->autoincrement) {
    Table *seq = schema_find_table(db, db->dbs[idb].name, "sqlite_sequence", NULL);
    if (seq) {
      /* DELETE FROM sqlite_sequence WHERE name = t */
      Vdbe *v = p->v;
      int cur = parse_alloc_cursor(p);
      int r = parse_alloc_regs(p, 2);
      vdbe_add_op3(v, OP_OpenWrite, cur, (int)seq->root, idb);
      vdbe_add_op4(v, OP_String8, 0, r, 0, shale_strdup(t->name), P4_DYNAMIC);
      int rw = vdbe_add_op1(v, OP_Rewind, cur);
      int top = vdbe_current_addr(v);
      vdbe_add_op3(v, OP_Column, cur, 0, r + 1);
      int ne = vdbe_add_op3(v, OP_Ne, r, 0, r + 1);
      vdbe_add_op1(v, OP_Delete, cur);
      vdbe_jump_here(v, ne);
      vdbe_add_op2(v, OP_Next, cur, top);
      vdbe_jump_here(v, rw);
      vdbe_add_op1(v, OP_Close, cur);
    }
  }
  /* All rows with tbl_name = t (table, its indexes, its triggers). */
  build_delete_schema_rows(p, idb, 2, t->name, NULL);
  if (!t->is_view) {
    /* Destroy b-trees, largest root first (auto_vacuum moves). */
    Pgno roots[128];
    int n = 0;
    roots[n++] = t->root;
    for (Index *ix = t->indexes; ix && n < 128; ix = ix->next)
      if (ix->root != t->root) roots[n++] = ix->root;
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++)
        if (roots[j] > roots[i]) {
          Pgno x = roots[i];
          roots[i] = roots[j];
          roots[j] = x;
        }
    for (int i = 0; i < n; i++)
      if (roots[i]) emit_destroy(p, idb, roots[i]);
  }
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  return p->rc;
}

/* --------------------------------------------------------------- REINDEX -- */
int codegen_reindex(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *name = st->u.target.name;
  Vdbe *v = p->v;
  if (name) {
    int found = 0;
    if (!st->u.target.db && coll_find(db, name)) found = 1;
    if (schema_find_table(db, st->u.target.db, name, NULL)) found = 1;
    if (schema_find_index(db, st->u.target.db, name, NULL)) found = 1;
    if (!found) {
      parse_error(p, "unable to identify the object to be reindexed");
      return p->rc;
    }
  }
  for (int idb = 0; idb < db->n_db; idb++) {
    Schema *s = db->dbs[idb].schema;
    if (!s) continue;
    if (st->u.target.db && schema_db_index(db, st->u.target.db) != idb) continue;
    for (int b = 0; b < s->tables.n_bucket; b++)
      for (HashEntry *e = s->tables.buckets[b]; e; e = e->next) {
        Table *t = e->value;
        if (t->is_view || t->root == 1) continue;
        for (Index *ix = t->indexes; ix; ix = ix->next) {
          int match = !name || shale_stricmp(name, t->name) == 0 || shale_stricmp(name, ix->name) == 0;
          if (!match && name) {
            for (int i = 0; i < ix->n_key_col; i++)
              if (ix->collate[i] && shale_stricmp(ix->collate[i], name) == 0) match = 1;
          }
          if (!match) continue;
          if (t->without_rowid && ix->origin == 'p') continue; /* the table itself */
          parse_begin_write(p, idb);
          vdbe_add_op2(v, OP_Clear, (int)ix->root, idb);
          int tcur = parse_alloc_cursor(p), icur = parse_alloc_cursor(p);
          build_open_table(p, t, tcur, OP_OpenRead);
          vdbe_add_op4(v, OP_OpenWrite, icur, (int)ix->root, idb, build_index_keyinfo(p, ix), P4_KEYINFO);
          build_fill_index(p, ix, tcur, icur);
          vdbe_add_op1(v, OP_Close, tcur);
          vdbe_add_op1(v, OP_Close, icur);
        }
      }
  }
  return p->rc;
}
