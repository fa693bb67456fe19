/*
** pragma.c — PRAGMA statements, with SQLite's result column names.
** Values known at prepare time (schema introspection, settings kept on the
** connection) are emitted as constant rows; header fields are read and
** written with OP_ReadCookie / OP_SetCookie inside a transaction.
*/
#include "build_int.h"
#include "vtab.h"
#include "../pager/pager.h"
#include <stdlib.h>
#include <stdarg.h>

static void set_cols(Parse *p, int n, const char *const *names) {
  vdbe_set_num_cols(p->v, n);
  for (int i = 0; i < n; i++) vdbe_set_col_name(p->v, i, 0, names[i]);
}

static void set_col1(Parse *p, const char *name) { set_cols(p, 1, &name); }

static void emit_int(Parse *p, i64 x, int reg) {
  if (x == (int)x)
    vdbe_add_op2(p->v, OP_Integer, (int)x, reg);
  else
    vdbe_add_op4_dup8(p->v, OP_Int64, 0, reg, 0, &x, P4_INT64);
}

static void emit_str(Parse *p, const char *z, int reg) {
  if (z)
    vdbe_add_op4(p->v, OP_String8, 0, reg, 0, shale_strdup(z), P4_DYNAMIC);
  else
    vdbe_add_op2(p->v, OP_Null, 0, reg);
}

/* One result row built from a format: 'i' int, 's' string (NULL ok). */
static void emit_row(Parse *p, const char *fmt, ...) {
  int n = (int)strlen(fmt);
  int r = parse_alloc_regs(p, n);
  va_list ap;
  va_start(ap, fmt);
  for (int i = 0; i < n; i++) {
    if (fmt[i] == 'i')
      emit_int(p, va_arg(ap, i64), r + i);
    else
      emit_str(p, va_arg(ap, const char *), r + i);
  }
  va_end(ap);
  vdbe_add_op2(p->v, OP_ResultRow, r, n);
}

static int get_bool(const char *z, int dflt) {
  if (!z) return dflt;
  if (!shale_stricmp(z, "on") || !shale_stricmp(z, "yes") || !shale_stricmp(z, "true")) return 1;
  if (!shale_stricmp(z, "off") || !shale_stricmp(z, "no") || !shale_stricmp(z, "false")) return 0;
  return atoi(z) != 0;
}

static i64 get_int(const char *z) {
  if (!z) return 0;
  return strtoll(z, NULL, 0);
}

static const char *pk_of(Table *t, int c, int *pkpos) {
  *pkpos = 0;
  if (c == t->ipk) {
    *pkpos = 1;
    return NULL;
  }
  Index *pk = table_primary_key_index(t);
  if (pk)
    for (int k = 0; k < pk->n_key_col; k++)
      if (pk->columns[k] == c) *pkpos = k + 1;
  return NULL;
}

static void pragma_table_info(Parse *p, Table *t, int extended) {
  static const char *const n1[] = {"cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"};
  set_cols(p, extended ? 7 : 6, n1);
  for (int i = 0; i < t->n_col; i++) {
    Column *c = &t->cols[i];
    int hidden = c->generated ? (c->generated_stored ? 3 : 2) : c->hidden;
    if (!extended && hidden) continue;
    int pk;
    pk_of(t, i, &pk);
    if (extended)
      emit_row(p, "issisii", (i64)i, c->name, c->type ? c->type : "", (i64)(c->not_null != 0), c->default_text,
               (i64)pk, (i64)hidden);
    else
      emit_row(p, "issisi", (i64)i, c->name, c->type ? c->type : "", (i64)(c->not_null != 0), c->default_text,
               (i64)pk);
  }
}

static void pragma_index_info(Parse *p, Index *ix, int extended) {
  static const char *const n1[] = {"seqno", "cid", "name", "desc", "coll", "key"};
  set_cols(p, extended ? 6 : 3, n1);
  int n = extended ? ix->n_column : ix->n_key_col;
  for (int i = 0; i < n; i++) {
    int c = ix->columns[i];
    /* a key column that is the INTEGER PRIMARY KEY is named as such */
    if (c == -1 && i < ix->n_key_col && ix->table->ipk >= 0) c = ix->table->ipk;
    const char *nm = c >= 0 ? ix->table->cols[c].name : NULL;
    if (extended)
      emit_row(p, "iisisi", (i64)i, (i64)c, nm, (i64)ix->sort_desc[i], ix->collate[i] ? ix->collate[i] : "BINARY",
               (i64)(i < ix->n_key_col));
    else
      emit_row(p, "iis", (i64)i, (i64)c, nm);
  }
}

static void read_cookie_pragma(Parse *p, int idb, const char *name, int meta, const char *value) {
  Vdbe *v = p->v;
  if (value) {
    parse_begin_write(p, idb);
    vdbe_add_op3(v, OP_SetCookie, idb, meta, (int)get_int(value));
    return;
  }
  parse_begin_read(p, idb);
  set_col1(p, name);
  int r = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_ReadCookie, idb, r, meta);
  vdbe_add_op2(v, OP_ResultRow, r, 1);
}

int codegen_pragma(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  const char *name = st->u.pragma.name;
  const char *val = st->u.pragma.has_value ? st->u.pragma.value : NULL;
  int idb = 0;
  if (st->u.pragma.db) {
    idb = schema_db_index(db, st->u.pragma.db);
    if (idb < 0) {
      parse_error(p, "unknown database %s", st->u.pragma.db);
      return p->rc;
    }
  }
  const char *dbn = st->u.pragma.db;
#define IS(x) (shale_stricmp(name, x) == 0)
  if (IS("table_info") || IS("table_xinfo")) {
    if (!val) return p->rc;
    Table *t = schema_find_table(db, dbn, val, NULL);
    if (t && t->is_view && build_view_columns(p, t)) return p->rc;
    if (t && t->vt && vtab_connect(p, t)) return p->rc;
    if (t) pragma_table_info(p, t, IS("table_xinfo"));
    return p->rc;
  }
  if (IS("index_info") || IS("index_xinfo")) {
    if (!val) return p->rc;
    Index *ix = schema_find_index(db, dbn, val, NULL);
    if (ix) pragma_index_info(p, ix, IS("index_xinfo"));
    return p->rc;
  }
  if (IS("index_list")) {
    if (!val) return p->rc;
    Table *t = schema_find_table(db, dbn, val, NULL);
    static const char *const nm[] = {"seq", "name", "unique", "origin", "partial"};
    set_cols(p, 5, nm);
    if (!t) return p->rc;
    int i = 0;
    for (Index *ix = t->indexes; ix; ix = ix->next, i++) {
      const char *origin = ix->origin == 'p' ? "pk" : ix->origin == 'u' ? "u" : "c";
      emit_row(p, "isisi", (i64)i, ix->name, (i64)ix->unique, origin, (i64)(ix->where != NULL));
    }
    return p->rc;
  }
  if (IS("foreign_key_list")) {
    if (!val) return p->rc;
    Table *t = schema_find_table(db, dbn, val, NULL);
    static const char *const nm[] = {"id", "seq", "table", "from", "to", "on_update", "on_delete", "match"};
    set_cols(p, 8, nm);
    if (!t) return p->rc;
    static const char *const act[] = {"NO ACTION", "SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION"};
    int id = 0;
    for (FKey *k = t->fkeys; k; k = k->next, id++)
      for (int j = 0; j < k->n_col; j++)
        emit_row(p, "iissssss", (i64)id, (i64)j, k->to_table,
                 k->cols[j].from_col >= 0 ? t->cols[k->cols[j].from_col].name : NULL, k->cols[j].to_col,
                 act[k->on_update % 6], act[k->on_delete % 6], "NONE");
    return p->rc;
  }
  if (IS("foreign_key_check")) {
    static const char *const nm[] = {"table", "rowid", "parent", "fkid"};
    set_cols(p, 4, nm);
    Table *only = NULL;
    if (val) {
      only = schema_find_table(db, dbn, val, NULL);
      if (!only) {
        parse_error(p, "no such table: %s", val);
        return p->rc;
      }
      fkey_check_pragma(p, only->db_index, only);
      return p->rc;
    }
    for (int i = 0; i < db->n_db; i++) {
      if (dbn && i != idb) continue;
      fkey_check_pragma(p, i, NULL);
    }
    return p->rc;
  }
  if (IS("database_list")) {
    static const char *const nm[] = {"seq", "name", "file"};
    set_cols(p, 3, nm);
    for (int i = 0; i < db->n_db; i++) {
      if (i == 1 && !db->dbs[i].btree) continue;
      const char *f = db->dbs[i].btree ? pager_filename(btree_pager(db->dbs[i].btree)) : "";
      emit_row(p, "iss", (i64)i, db->dbs[i].name, f ? f : "");
    }
    return p->rc;
  }
  if (IS("table_list")) {
    static const char *const nm[] = {"schema", "name", "type", "ncol", "wr", "strict"};
    set_cols(p, 6, nm);
    for (int i = 0; i < db->n_db; i++) {
      Schema *s = db->dbs[i].schema;
      if (!s || (dbn && i != idb)) continue;
      if (i == 1 && !db->dbs[i].btree) {
        if (val && shale_stricmp(val, "sqlite_temp_schema")) continue;
        emit_row(p, "sssiii", "temp", "sqlite_temp_schema", "table", (i64)5, (i64)0, (i64)0);
        continue;
      }
      for (int b = 0; b < s->tables.n_bucket; b++)
        for (HashEntry *e = s->tables.buckets[b]; e; e = e->next) {
          Table *t = e->value;
          if (t->root == 1) continue;
          if (val && shale_stricmp(val, t->name)) continue;
          if (t->is_view && t->n_col == 0) {
            build_view_columns(p, t);
            if (p->rc) return p->rc;
          }
          emit_row(p, "sssiii", db->dbs[i].name, t->name, t->is_view ? "view" : "table", (i64)t->n_col,
                   (i64)t->without_rowid, (i64)t->strict);
        }
      if (!val || !shale_stricmp(val, i == 1 ? "sqlite_temp_schema" : "sqlite_schema"))
        emit_row(p, "sssiii", db->dbs[i].name, i == 1 ? "sqlite_temp_schema" : "sqlite_schema", "table", (i64)5,
                 (i64)0, (i64)0);
    }
    return p->rc;
  }
  if (IS("user_version")) {
    read_cookie_pragma(p, idb, "user_version", BTREE_USER_VERSION, val);
    return p->rc;
  }
  if (IS("application_id")) {
    read_cookie_pragma(p, idb, "application_id", BTREE_APPLICATION_ID, val);
    return p->rc;
  }
  if (IS("schema_version")) {
    read_cookie_pragma(p, idb, "schema_version", BTREE_SCHEMA_VERSION, val);
    return p->rc;
  }
  if (IS("freelist_count")) {
    read_cookie_pragma(p, idb, "freelist_count", BTREE_FREE_PAGE_COUNT, NULL);
    return p->rc;
  }
  if (IS("page_count")) {
    parse_begin_read(p, idb);
    set_col1(p, "page_count");
    int r = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Pagecount, idb, r);
    vdbe_add_op2(v, OP_ResultRow, r, 1);
    return p->rc;
  }
  if (IS("page_size")) {
    Btree *bt = db->dbs[idb].btree;
    if (val) {
      if (bt) btree_set_page_size(bt, (u32)get_int(val), -1);
      return p->rc;
    }
    set_col1(p, "page_size");
    emit_row(p, "i", (i64)(bt ? btree_get_page_size(bt) : 4096));
    return p->rc;
  }
  if (IS("cache_size")) {
    Btree *bt = db->dbs[idb].btree;
    if (val) {
      int n = (int)get_int(val);
      if (idb == 0) db->cache_size = n; /* also bounds the sorter's memory */
      if (bt) pager_set_cache_size(btree_pager(bt), n);
      return p->rc;
    }
    set_col1(p, "cache_size");
    emit_row(p, "i", (i64)(bt ? pager_get_cache_size(btree_pager(bt)) : db->cache_size));
    return p->rc;
  }
  if (IS("journal_mode")) {
    static const char *const modes[] = {"delete", "persist", "off", "truncate", "memory", "wal"};
    int m = -1;
    if (val) {
      for (int i = 0; i < 6; i++)
        if (!shale_stricmp(val, modes[i])) m = i;
    }
    set_col1(p, "journal_mode");
    int r = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_JournalMode, idb, r, m);
    vdbe_add_op2(v, OP_ResultRow, r, 1);
    return p->rc;
  }
  if (IS("synchronous")) {
    if (val) {
      int lv = -1;
      if (!shale_stricmp(val, "off")) lv = 0;
      else if (!shale_stricmp(val, "normal")) lv = 1;
      else if (!shale_stricmp(val, "full")) lv = 2;
      else if (!shale_stricmp(val, "extra")) lv = 3;
      else lv = (int)get_int(val) & 3;
      db->dbs[idb].safety_level = (u8)(lv + 1);
      return p->rc;
    }
    set_col1(p, "synchronous");
    int sl = db->dbs[idb].safety_level;
    emit_row(p, "i", (i64)(sl ? sl - 1 : 2));
    return p->rc;
  }
  if (IS("locking_mode")) {
    set_col1(p, "locking_mode");
    emit_row(p, "s", val && !shale_stricmp(val, "exclusive") ? "exclusive" : "normal");
    return p->rc;
  }
  if (IS("wal_checkpoint")) {
    static const char *const nm[] = {"busy", "log", "checkpointed"};
    set_cols(p, 3, nm);
    int mode = 0;
    if (val) {
      if (!shale_stricmp(val, "full")) mode = 1;
      else if (!shale_stricmp(val, "restart")) mode = 2;
      else if (!shale_stricmp(val, "truncate")) mode = 3;
    }
    int r = parse_alloc_regs(p, 3);
    vdbe_add_op3(v, OP_Checkpoint, st->u.pragma.db ? idb : 10 /* all */, mode, r);
    vdbe_add_op2(v, OP_ResultRow, r, 3);
    return p->rc;
  }
  if (IS("wal_autocheckpoint")) {
    /* as sqlite3_wal_autocheckpoint(): SQLite's default WAL hook with N */
    if (val) {
      i64 n = get_int(val);
      db->wal_hook = NULL;
      db->wal_arg = NULL;
      db->wal_autockpt = n > 0 ? (int)n : 0;
    }
    set_col1(p, "wal_autocheckpoint");
    emit_row(p, "i", (i64)(db->wal_hook ? 0 : db->wal_autockpt));
    return p->rc;
  }
  if (IS("integrity_check") || IS("quick_check")) {
    int max = val ? (int)get_int(val) : 100;
    if (max <= 0) max = 100;
    set_col1(p, IS("integrity_check") ? "integrity_check" : "quick_check");
    int rcount = parse_alloc_reg(p);
    int rmsg = parse_alloc_reg(p);
    int any = parse_alloc_reg(p);
    vdbe_add_op2(v, OP_Integer, 0, any);
    for (int i = 0; i < db->n_db; i++) {
      if (i == 1 && !db->dbs[i].btree) continue;
      if (st->u.pragma.db && i != idb) continue;
      Schema *s = db->dbs[i].schema;
      if (!s) continue;
      parse_begin_read(p, i);
      int n = 1;
      for (int b = 0; b < s->tables.n_bucket; b++)
        for (HashEntry *e = s->tables.buckets[b]; e; e = e->next) {
          Table *t = e->value;
          if (t->is_view || t->root <= 1) continue;
          n++;
          for (Index *ix = t->indexes; ix; ix = ix->next)
            if (ix->root != t->root) n++;
        }
      int *roots = sqlite3_malloc64(sizeof(int) * (u64)(n + 1));
      if (!roots) return SQLITE_NOMEM;
      roots[0] = n;
      int k = 1;
      roots[k++] = 1;
      for (int b = 0; b < s->tables.n_bucket; b++)
        for (HashEntry *e = s->tables.buckets[b]; e; e = e->next) {
          Table *t = e->value;
          if (t->is_view || t->root <= 1) continue;
          roots[k++] = (int)t->root;
          for (Index *ix = t->indexes; ix; ix = ix->next)
            if (ix->root != t->root) roots[k++] = (int)ix->root;
        }
      vdbe_add_op2(v, OP_Integer, max - 1, rcount);
      vdbe_add_op4(v, OP_IntegrityCk, rmsg, 0, rcount, roots, P4_INTARRAY);
      vdbe_change_p5(v, (u16)i);
      int a = vdbe_add_op1(v, OP_IsNull, rmsg);
      vdbe_add_op2(v, OP_ResultRow, rmsg, 1);
      vdbe_add_op2(v, OP_Integer, 1, any);
      vdbe_jump_here(v, a);
    }
    int a = vdbe_add_op1(v, OP_If, any);
    vdbe_add_op4(v, OP_String8, 0, rmsg, 0, "ok", P4_STATIC);
    vdbe_add_op2(v, OP_ResultRow, rmsg, 1);
    vdbe_jump_here(v, a);
    return p->rc;
  }
  static const struct {
    const char *name;
    u32 flag;
  } flags[] = {
      {"foreign_keys", SQLITE_ForeignKeys},
      {"recursive_triggers", SQLITE_RecTriggers},
      {"case_sensitive_like", SQLITE_CaseSensitiveLike},
      {"reverse_unordered_selects", SQLITE_ReverseOrder},
      {"count_changes", SQLITE_CountRows},
      {"ignore_check_constraints", SQLITE_IgnoreChecks},
      {"writable_schema", SQLITE_WriteSchema},
      {"short_column_names", SQLITE_ShortColNames},
  };
  for (size_t i = 0; i < SHALE_ARRAY_SIZE(flags); i++) {
    if (!IS(flags[i].name)) continue;
    if (val) {
      if (get_bool(val, 0))
        db->flags |= flags[i].flag;
      else
        db->flags &= ~flags[i].flag;
      vdbe_add_op0(v, OP_Expire);
      return p->rc;
    }
    if (flags[i].flag == SQLITE_CaseSensitiveLike) return p->rc; /* write-only */
    set_col1(p, flags[i].name);
    emit_row(p, "i", (i64)((db->flags & flags[i].flag) != 0));
    return p->rc;
  }
  if (IS("encoding")) {
    set_col1(p, "encoding");
    u8 e = db->enc ? db->enc : SQLITE_UTF8;
    emit_row(p, "s", e == SQLITE_UTF16LE ? "UTF-16le" : e == SQLITE_UTF16BE ? "UTF-16be" : "UTF-8");
    return p->rc;
  }
  if (IS("auto_vacuum")) {
    Btree *bt = db->dbs[idb].btree;
    if (val) {
      int m = !shale_stricmp(val, "none") ? 0 : !shale_stricmp(val, "full") ? 1
              : !shale_stricmp(val, "incremental") ? 2 : (int)get_int(val);
      if (bt) btree_set_auto_vacuum(bt, m);
      return p->rc;
    }
    set_col1(p, "auto_vacuum");
    emit_row(p, "i", (i64)(bt ? btree_get_auto_vacuum(bt) : 0));
    return p->rc;
  }
  if (IS("busy_timeout")) {
    /* exactly sqlite3_busy_timeout(db, N): installs (or, N <= 0, removes)
    ** the sleeping handler, replacing any sqlite3_busy_handler */
    if (val && db->set_busy_timeout) db->set_busy_timeout(db, (int)get_int(val));
    set_col1(p, "timeout");
    emit_row(p, "i", (i64)db->busy_timeout_ms);
    return p->rc;
  }
  if (IS("temp_store")) {
    if (val) {
      db->temp_store = !shale_stricmp(val, "file") ? 1 : !shale_stricmp(val, "memory") ? 2
                       : !shale_stricmp(val, "default") ? 0 : (int)get_int(val);
      return p->rc;
    }
    set_col1(p, "temp_store");
    emit_row(p, "i", (i64)db->temp_store);
    return p->rc;
  }
  if (IS("compile_options")) {
    set_col1(p, "compile_options");
    static const char *const opts[] = {"ATOMIC_INTRINSICS=1", "COMPILER=gcc", "DEFAULT_AUTOVACUUM",
                                       "DEFAULT_CACHE_SIZE=-2000", "DEFAULT_FILE_FORMAT=4",
                                       "DEFAULT_JOURNAL_SIZE_LIMIT=-1", "DEFAULT_PAGE_SIZE=4096",
                                       "THREADSAFE=1"};
    for (size_t i = 0; i < SHALE_ARRAY_SIZE(opts); i++) emit_row(p, "s", opts[i]);
    return p->rc;
  }
  if (IS("collation_list")) {
    static const char *const nm[] = {"seq", "name"};
    set_cols(p, 2, nm);
    int i = 0;
    for (CollSeq *c = db->funcs.colls; c; c = c->next) emit_row(p, "is", (i64)i++, c->name);
    emit_row(p, "is", (i64)i++, "RTRIM");
    emit_row(p, "is", (i64)i++, "NOCASE");
    emit_row(p, "is", (i64)i++, "BINARY");
    return p->rc;
  }
  if (IS("data_version")) {
    /* read-only: changes when another connection commits (checked by the
    ** read transaction the statement opens) */
    read_cookie_pragma(p, idb, "data_version", BTREE_DATA_VERSION, NULL);
    return p->rc;
  }
  /* Unknown pragmas are ignored, as in SQLite. */
  return p->rc;
}
