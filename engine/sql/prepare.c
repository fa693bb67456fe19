/*
** prepare.c — sql_prepare(): parse one statement, make sure every schema is
** loaded, dispatch to the statement's code generator, and finish the
** program (OP_Init ... OP_Transaction block, names, flags).  Also the
** Parse helpers every code generator file uses.
*/
#include "build_int.h"
#include "vtab.h"
#include "../util/utf.h"
#include <stdarg.h>

/* ---------------------------------------------------------------- errors -- */
void parse_error_at(Parse *p, int offset, const char *fmt, ...) {
  if (p->rc != SQLITE_OK) return;
  va_list ap;
  va_start(ap, fmt);
  p->err = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  p->rc = SQLITE_ERROR;
  p->err_offset = offset;
}

void parse_error(Parse *p, const char *fmt, ...) {
  if (p->rc != SQLITE_OK) return;
  va_list ap;
  va_start(ap, fmt);
  p->err = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  p->rc = SQLITE_ERROR;
  p->err_offset = -1;
}

CollSeq *parse_collseq(Parse *p, const char *name) {
  if (name == NULL || shale_stricmp(name, "BINARY") == 0) return NULL;
  sqlite3 *db = p->db;
  CollSeq *c = coll_find(db, name);
  if (c == NULL && (db->coll_needed || db->coll_needed16)) {
    int enc = db->enc ? db->enc : SQLITE_UTF8;
    if (db->coll_needed) {
      db->coll_needed(db->coll_needed_arg, db, enc, name);
    } else {
      u8 *w = NULL;
      int nw = 0;
      const u16 one = 1; /* the name goes in the machine's byte order */
      int native16 = *(const u8 *)&one ? SQLITE_UTF16LE : SQLITE_UTF16BE;
      if (shale_utf8_to16((const u8 *)name, -1, native16, &w, &nw) == SQLITE_OK) {
        db->coll_needed16(db->coll_needed_arg, db, enc, w);
        sqlite3_free(w);
      }
    }
    c = coll_find(db, name);
  }
  if (c == NULL) parse_error(p, "no such collation sequence: %s", name);
  return c;
}

int parse_alloc_reg(Parse *p) { return ++p->n_mem; }

int parse_alloc_regs(Parse *p, int n) {
  int first = p->n_mem + 1;
  p->n_mem += n > 0 ? n : 0;
  return first;
}

int parse_alloc_cursor(Parse *p) { return p->n_cursor++; }

Vdbe *parse_vdbe(Parse *p) { return p->v; }

/* The temp database is opened on first use. */
static void open_temp_db(Parse *p, int idb) {
  sqlite3 *db = p->db;
  if (idb != 1 || db->n_db < 2 || db->dbs[1].btree) return;
  Btree *bt = NULL;
  int rc = btree_open(db->vfs, NULL,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE |
                          SQLITE_OPEN_DELETEONCLOSE | SQLITE_OPEN_TEMP_DB,
                      &bt);
  if (rc != SQLITE_OK || !bt) {
    parse_error(p, "unable to open a temporary database file for storing temporary tables");
    return;
  }
  db->dbs[1].btree = bt;
}

void parse_begin_read(Parse *p, int idb) {
  open_temp_db(p, idb);
  if (idb >= 0 && idb < 32) p->cookie_mask |= (u32)1 << idb;
}

void parse_begin_write(Parse *p, int idb) {
  open_temp_db(p, idb);
  if (idb >= 0 && idb < 32) {
    p->cookie_mask |= (u32)1 << idb;
    p->write_mask |= (u32)1 << idb;
  }
}

void build_string(Parse *p, const char *z, int reg) {
  if (z)
    vdbe_add_op4(p->v, OP_String8, 0, reg, 0, shale_strdup(z), P4_DYNAMIC);
  else
    vdbe_add_op2(p->v, OP_Null, 0, reg);
}

KeyInfo *build_index_keyinfo(Parse *p, Index *ix) {
  KeyInfo *k = keyinfo_alloc(ix->n_key_col, ix->n_column - ix->n_key_col);
  if (!k) return NULL;
  k->enc = p->db->enc ? p->db->enc : SQLITE_UTF8;
  for (int i = 0; i < ix->n_column; i++) {
    if (k->sort_flags) k->sort_flags[i] = ix->sort_desc && ix->sort_desc[i] ? KEYINFO_ORDER_DESC : 0;
    if (k->coll) {
      const char *c = ix->collate ? ix->collate[i] : NULL;
      k->coll[i] = parse_collseq(p, c);
    }
  }
  return k;
}

int build_open_indexes(Parse *p, Table *t, int op, int first_cursor) {
  int n = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next, n++) {
    vdbe_add_op4(p->v, op, first_cursor + n, (int)ix->root, t->db_index, build_index_keyinfo(p, ix),
                 P4_KEYINFO);
  }
  return n;
}

/* ------------------------------------------------------------- dispatch -- */
static int dispatch2(Parse *p, Stmt *st);

/* WITH on INSERT / UPDATE / DELETE: the CTEs are in scope for the whole
** statement. */
static int dispatch(Parse *p, Stmt *st) {
  int pushed = 0;
  if (st->with && p->n_with < (int)SHALE_ARRAY_SIZE(p->with_stack)) {
    p->with_stack[p->n_with++] = st->with;
    pushed = 1;
  }
  int rc = dispatch2(p, st);
  if (pushed) p->n_with--;
  return rc;
}

static int dispatch2(Parse *p, Stmt *st) {
  switch (st->kind) {
    case ST_SELECT: return codegen_select_stmt(p, st);
    case ST_INSERT: return codegen_insert(p, st);
    case ST_UPDATE: return codegen_update(p, st);
    case ST_DELETE: return codegen_delete(p, st);
    case ST_CREATE_TABLE: return codegen_create_table(p, st);
    case ST_CREATE_INDEX: return codegen_create_index(p, st);
    case ST_CREATE_VIEW: return codegen_create_view(p, st);
    case ST_CREATE_TRIGGER: return codegen_create_trigger(p, st);
    case ST_CREATE_VIRTUAL_TABLE: return codegen_create_vtab(p, st);
    case ST_DROP_TABLE:
    case ST_DROP_INDEX:
    case ST_DROP_VIEW:
    case ST_DROP_TRIGGER: return codegen_drop(p, st);
    case ST_ALTER_TABLE: return codegen_alter(p, st);
    case ST_BEGIN:
    case ST_COMMIT:
    case ST_ROLLBACK:
    case ST_SAVEPOINT:
    case ST_RELEASE: return codegen_transaction(p, st);
    case ST_PRAGMA: return codegen_pragma(p, st);
    case ST_VACUUM: return codegen_vacuum(p, st);
    case ST_ANALYZE: return codegen_analyze(p, st);
    case ST_REINDEX: return codegen_reindex(p, st);
    case ST_ATTACH:
    case ST_DETACH: return codegen_attach(p, st);
  }
  parse_error(p, "not supported");
  return p->rc;
}

static int load_all_schemas(sqlite3 *db) {
  if (db->schema_stale) {
    for (int i = 0; i < db->n_db; i++) {
      if (db->dbs[i].schema) schema_free(db->dbs[i].schema);
      db->dbs[i].schema = NULL;
      db->dbs[i].schema_loaded = 0;
    }
    db->schema_stale = 0;
  }
  for (int i = 0; i < db->n_db; i++) {
    if (i == 1 && db->dbs[i].btree == NULL && db->dbs[i].schema_loaded) continue;
    char *err = NULL;
    int rc = schema_ensure_loaded(db, i, &err);
    if (rc != SQLITE_OK) {
      if (rc != SHALE_PENDING) {
        if (err)
          db_error_take(db, rc, err);
        else
          db_error(db, rc, NULL);
      } else {
        sqlite3_free(err);
      }
      return rc;
    }
    sqlite3_free(err);
  }
  return SQLITE_OK;
}

/* After a compile error: has another connection changed a schema?  Then
** the cached schemas are dropped (the caller prepares again). */
static int schema_changed_on_disk(sqlite3 *db, int *changed) {
  *changed = 0;
  for (int i = 0; i < db->n_db; i++) {
    Btree *bt = db->dbs[i].btree;
    Schema *s = db->dbs[i].schema;
    if (!bt || !s || !db->dbs[i].schema_loaded) continue;
    int started = 0;
    if (btree_txn_state(bt) == 0) {
      int ck = 0;
      int rc = btree_begin_trans(bt, 0, &ck);
      if (rc) return rc;
      started = 1;
    }
    u32 v = 0;
    int rc = btree_get_meta(bt, BTREE_SCHEMA_VERSION, &v);
    if (rc == SHALE_PENDING) return rc; /* keep the read transaction for the retry */
    if (started) btree_commit(bt);
    if (rc) return rc;
    if (v != s->cookie) *changed = 1;
  }
  if (*changed) db->schema_stale = 1;
  return SQLITE_OK;
}

static int prepare_once(sqlite3 *db, const char *zSql, int nBytes, unsigned prep_flags, Vdbe **out,
                        const char **tail, int *retry);

int sql_prepare(sqlite3 *db, const char *zSql, int nBytes, unsigned prep_flags, Vdbe **out,
                const char **tail) {
  int retry = 0;
  int rc = prepare_once(db, zSql, nBytes, prep_flags, out, tail, &retry);
  if (retry) rc = prepare_once(db, zSql, nBytes, prep_flags, out, tail, NULL);
  return rc;
}

static int prepare_once(sqlite3 *db, const char *zSql, int nBytes, unsigned prep_flags, Vdbe **out,
                        const char **tail, int *retry) {
  *out = NULL;
  if (tail) *tail = zSql;
  db->schema_reload = schema_reload_callback;
  db->vtab_create = vtab_create_callback;
  db->vtab_destroy = vtab_destroy_callback;
  db->stats_reload = schema_stats_reload_callback;
  int rc = load_all_schemas(db);
  if (rc != SQLITE_OK) return rc;

  ParseResult pr;
  memset(&pr, 0, sizeof(pr));
  rc = sql_parse(zSql, nBytes, &pr);
  if (tail) *tail = pr.tail ? pr.tail : zSql;
  if (rc != SQLITE_OK) {
    db->err_offset = pr.err_pos;
    if (pr.err) {
      db_error_take(db, rc, pr.err);
      pr.err = NULL;
    } else {
      db_error(db, rc, NULL);
    }
    db->err_offset = pr.err_pos;
    parse_result_clear(&pr);
    return rc;
  }
  if (pr.stmt == NULL) {
    parse_result_clear(&pr);
    return SQLITE_OK;
  }
  Stmt *st = pr.stmt;
  Parse parse;
  memset(&parse, 0, sizeof(parse));
  Parse *p = &parse;
  p->db = db;
  p->sql = zSql;
  p->err_offset = -1;
  p->n_var = pr.n_vars;
  p->explain = st->explain;
  p->const_ok = 1;
  p->ainc_ok = 1;
  p->v = vdbe_create(db);
  if (!p->v) {
    parse_result_clear(&pr);
    db_error(db, SQLITE_NOMEM, NULL);
    return SQLITE_NOMEM;
  }
  int addr_init = vdbe_add_op0(p->v, OP_Init);
  dispatch(p, st);
  if (p->rc == SQLITE_OK) {
    codegen_autoinc_save(p); /* maxima changed by trigger programs of UPDATE/DELETE */
    vdbe_add_op0(p->v, OP_Halt);
    vdbe_jump_here(p->v, addr_init);
    for (int i = 0; i < db->n_db && i < 32; i++) {
      if (!(p->cookie_mask & ((u32)1 << i))) continue;
      int wr = (p->write_mask & ((u32)1 << i)) ? 1 : 0;
      Schema *s = db->dbs[i].schema;
      vdbe_add_op4_int(p->v, OP_Transaction, i, wr, s ? (int)s->cookie : 0, s ? s->generation : 0);
      vdbe_change_p5(p->v, 1);
    }
    expr_code_prologue(p); /* constants factored out of loops (expr.c) */
    codegen_autoinc_prologue(p);   /* AUTOINCREMENT maxima (insert.c) */
  }
  if (p->rc == SQLITE_OK) {
    vdbe_add_op2(p->v, OP_Goto, 0, 1);
    vdbe_make_ready(p->v, p->n_mem, p->n_cursor, p->n_var);
    vdbe_set_sql(p->v, zSql, (int)((pr.tail ? pr.tail : zSql + strlen(zSql)) - zSql), (int)prep_flags);
    if (pr.var_names) {
      vdbe_set_var_names(p->v, pr.n_vars, pr.var_names);
      pr.var_names = NULL;
    }
    int ro = p->write_mask == 0;
    vdbe_set_readonly(p->v, ro);
    if (st->explain) vdbe_set_explain(p->v, st->explain);
    *out = p->v;
    p->v = NULL;
  } else {
    vdbe_delete(p->v);
    p->v = NULL;
    rc = p->rc;
    if (retry && rc != SQLITE_NOMEM && db->autocommit) {
      /* maybe the schema changed under us: check the cookies, then retry */
      int changed = 0;
      int rc2 = schema_changed_on_disk(db, &changed);
      if (rc2 == SHALE_PENDING) {
        sqlite3_free(p->err);
        p->err = NULL;
        codegen_query_cleanup(p);
        expr_prologue_free(p);
  codegen_autoinc_free(p);
        ast_free_stmt(st);
        pr.stmt = NULL;
        parse_result_clear(&pr);
        return rc2;
      }
      if (changed) {
        *retry = 1;
        sqlite3_free(p->err);
        p->err = NULL;
        codegen_query_cleanup(p);
        expr_prologue_free(p);
  codegen_autoinc_free(p);
        ast_free_stmt(st);
        pr.stmt = NULL;
        parse_result_clear(&pr);
        return rc;
      }
    }
    db_error_take(db, rc, p->err);
    p->err = NULL;
    db->err_offset = p->err_offset;
  }
  sqlite3_free(p->err);
  codegen_query_cleanup(p);
  expr_prologue_free(p);
  codegen_autoinc_free(p);
  ast_free_stmt(st);
  pr.stmt = NULL;
  parse_result_clear(&pr);
  return rc;
}
