/*
** schema.c — the in-memory schema: loading sqlite_schema, building Table /
** Index / Trigger objects from CREATE statements, lookups, type affinity.
**
** Loading reads sqlite_schema (root page 1) with a b-tree cursor and decodes
** the 5-column records itself.  A PENDING anywhere discards the partial
** schema; the retry starts over (the pages read so far stay cached).
*/
#include "build_int.h"
#include "vtab.h"
#include "../util/utf.h"
#include "../vm/record.h"
#include <stdarg.h>
#include <stdio.h>

char *build_mprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return z;
}

/* ------------------------------------------------------------ affinity -- */
char schema_affinity_of_type(const char *z) {
  char aff = SQLITE_AFF_NUMERIC;
  if (z == NULL || *z == 0) return SQLITE_AFF_BLOB;
  u32 h = 0;
  int seen_blob = 0;
  for (; *z; z++) {
    h = (h << 8) + shale_upper_to_lower[(u8)*z];
    if (h == (('c' << 24) + ('h' << 16) + ('a' << 8) + 'r')) {
      aff = SQLITE_AFF_TEXT;
    } else if (h == (('c' << 24) + ('l' << 16) + ('o' << 8) + 'b')) {
      aff = SQLITE_AFF_TEXT;
    } else if (h == (('t' << 24) + ('e' << 16) + ('x' << 8) + 't')) {
      aff = SQLITE_AFF_TEXT;
    } else if (h == (('b' << 24) + ('l' << 16) + ('o' << 8) + 'b') &&
               (aff == SQLITE_AFF_NUMERIC || aff == SQLITE_AFF_REAL)) {
      aff = SQLITE_AFF_BLOB;
      seen_blob = 1;
    } else if (h == (('r' << 24) + ('e' << 16) + ('a' << 8) + 'l') && aff == SQLITE_AFF_NUMERIC) {
      aff = SQLITE_AFF_REAL;
    } else if (h == (('f' << 24) + ('l' << 16) + ('o' << 8) + 'a') && aff == SQLITE_AFF_NUMERIC) {
      aff = SQLITE_AFF_REAL;
    } else if (h == (('d' << 24) + ('o' << 16) + ('u' << 8) + 'b') && aff == SQLITE_AFF_NUMERIC) {
      aff = SQLITE_AFF_REAL;
    } else if ((h & 0x00FFFFFF) == (('i' << 16) + ('n' << 8) + 't')) {
      aff = SQLITE_AFF_INTEGER;
      break;
    }
  }
  (void)seen_blob;
  return aff;
}

/* -------------------------------------------------------------- objects -- */
Schema *schema_new(void) {
  Schema *s = shale_malloc_zero(sizeof(Schema));
  if (!s) return NULL;
  hash_init(&s->tables);
  hash_init(&s->indexes);
  hash_init(&s->triggers);
  s->enc = SQLITE_UTF8;
  return s;
}

void index_free(Index *ix) {
  if (!ix) return;
  sqlite3_free(ix->name);
  sqlite3_free(ix->columns);
  if (ix->exprs) ast_free_expr_list(ix->exprs);
  if (ix->collate) {
    for (int i = 0; i < ix->n_column; i++) sqlite3_free(ix->collate[i]);
    sqlite3_free(ix->collate);
  }
  sqlite3_free(ix->sort_desc);
  if (ix->where) ast_free_expr(ix->where);
  sqlite3_free(ix->sql);
  sqlite3_free(ix->stat_est);
  sqlite3_free(ix);
}

void table_free(Table *t) {
  if (!t) return;
  for (int i = 0; i < t->n_col; i++) {
    Column *c = &t->cols[i];
    sqlite3_free(c->name);
    sqlite3_free(c->type);
    sqlite3_free(c->collate);
    if (c->default_value) ast_free_expr(c->default_value);
    sqlite3_free(c->default_text);
    sqlite3_free(c->src_table);
    if (c->generated) ast_free_expr(c->generated);
  }
  sqlite3_free(t->cols);
  Index *ix = t->indexes;
  while (ix) {
    Index *nx = ix->next;
    index_free(ix);
    ix = nx;
  }
  FKey *fk = t->fkeys;
  while (fk) {
    FKey *nx = fk->next;
    sqlite3_free(fk->to_table);
    for (int i = 0; i < fk->n_col; i++) sqlite3_free(fk->cols[i].to_col);
    sqlite3_free(fk->cols);
    sqlite3_free(fk);
    fk = nx;
  }
  if (t->vt) vtab_info_free(t->vt);
  if (t->checks) ast_free_expr(t->checks);
  if (t->check_list) ast_free_expr_list(t->check_list);
  if (t->view_select) ast_free_select(t->view_select);
  if (t->view_columns) ast_free_id_list(t->view_columns);
  sqlite3_free(t->name);
  sqlite3_free(t->sql);
  sqlite3_free(t);
}

void trigger_free(Trigger *tr) {
  if (!tr) return;
  sqlite3_free(tr->name);
  sqlite3_free(tr->table);
  sqlite3_free(tr->sql);
  if (tr->update_of) ast_free_id_list(tr->update_of);
  if (tr->when) ast_free_expr(tr->when);
  TriggerStep *s = tr->steps;
  while (s) {
    TriggerStep *nx = s->next;
    if (s->stmt) ast_free_stmt(s->stmt);
    sqlite3_free(s);
    s = nx;
  }
  sqlite3_free(tr);
}

void schema_free(Schema *s) {
  if (!s) return;
  /* Indexes are owned by their tables; the index hash only references. */
  for (int i = 0; i < s->tables.n_bucket; i++)
    for (HashEntry *e = s->tables.buckets[i]; e; e = e->next) table_free(e->value);
  for (int i = 0; i < s->triggers.n_bucket; i++)
    for (HashEntry *e = s->triggers.buckets[i]; e; e = e->next) trigger_free(e->value);
  hash_clear(&s->tables);
  hash_clear(&s->indexes);
  hash_clear(&s->triggers);
  sqlite3_free(s);
}

/* ------------------------------------------------------------- lookups -- */
int schema_db_index(sqlite3 *db, const char *name) {
  if (name == NULL) return 0;
  for (int i = 0; i < db->n_db; i++)
    if (db->dbs[i].name && shale_stricmp(db->dbs[i].name, name) == 0) return i;
  if (shale_stricmp(name, "main") == 0) return 0;
  if (shale_stricmp(name, "temp") == 0) return 1;
  return -1;
}

/* A VIRTUAL generated column: computed on read, not in the record. */
int table_col_is_virtual(const Table *t, int col) {
  return col >= 0 && col < t->n_col && t->cols[col].generated && !t->cols[col].generated_stored;
}

int table_has_virtual(const Table *t) {
  for (int i = 0; i < t->n_col; i++)
    if (table_col_is_virtual(t, i)) return 1;
  return 0;
}

/* The record field of a stored column (sqlite3TableColumnToStorage):
** VIRTUAL columns take no field, so later columns move down. */
int table_storage_col(const Table *t, int col) {
  int n = col;
  for (int i = 0; i < col && i < t->n_col; i++)
    if (table_col_is_virtual(t, i)) n--;
  return n;
}

int table_column_index(const Table *t, const char *name) {
  for (int i = 0; i < t->n_col; i++)
    if (shale_stricmp(t->cols[i].name, name) == 0) return i;
  if (!t->without_rowid && (shale_stricmp(name, "rowid") == 0 || shale_stricmp(name, "_rowid_") == 0 ||
                            shale_stricmp(name, "oid") == 0))
    return -2;
  return -1;
}

Index *table_primary_key_index(const Table *t) {
  for (Index *ix = t->indexes; ix; ix = ix->next)
    if (ix->origin == 'p') return ix;
  return NULL;
}

/* Map the built-in names to the key under which the schema table is stored. */
/* qualified: the database was named explicitly ("temp.sqlite_master") */
static const char *builtin_key(int idb, const char *name, int qualified) {
  if (shale_stricmp(name, "sqlite_master") == 0 || shale_stricmp(name, "sqlite_schema") == 0) {
    if (idb == 1 && !qualified) return NULL;
    return idb == 1 ? "sqlite_temp_master" : "sqlite_master";
  }
  if (idb == 1 && (shale_stricmp(name, "sqlite_temp_master") == 0 ||
                   shale_stricmp(name, "sqlite_temp_schema") == 0))
    return "sqlite_temp_master";
  return NULL;
}

static Table *find_table_in(sqlite3 *db, int idb, const char *name, int qualified) {
  Schema *s = db->dbs[idb].schema;
  if (!s) return NULL;
  Table *t = hash_find(&s->tables, name);
  if (t && t->root == 1) t = NULL; /* only through the built-in names */
  if (t) return t;
  const char *k = builtin_key(idb, name, qualified);
  if (k) return schema_table_for_sqlite_schema(db, idb);
  return NULL;
}

Table *schema_find_table(sqlite3 *db, const char *db_name, const char *name, int *idb) {
  if (!name) return NULL;
  if (db_name) {
    int i = schema_db_index(db, db_name);
    if (i < 0 || i >= db->n_db) return NULL;
    Table *t = find_table_in(db, i, name, 1);
    if (t && idb) *idb = i;
    return t;
  }
  /* temp first, then main, then attached */
  static const int order0[2] = {1, 0};
  for (int k = 0; k < db->n_db + 0; k++) {
    int i = k < 2 ? order0[k] : k;
    if (i >= db->n_db) continue;
    Table *t = find_table_in(db, i, name, 0);
    if (t) {
      if (idb) *idb = i;
      return t;
    }
  }
  return NULL;
}

#define FIND_IN_HASH(field)                                                    \
  if (db_name) {                                                               \
    int i = schema_db_index(db, db_name);                                      \
    if (i < 0 || i >= db->n_db || !db->dbs[i].schema) return NULL;            \
    void *x = hash_find(&db->dbs[i].schema->field, name);                      \
    if (x && idb) *idb = i;                                                    \
    return x;                                                                  \
  }                                                                            \
  for (int k = 0; k < db->n_db; k++) {                                         \
    int i = k == 0 ? 1 : k == 1 ? 0 : k;                                       \
    if (i >= db->n_db || !db->dbs[i].schema) continue;                        \
    void *x = hash_find(&db->dbs[i].schema->field, name);                      \
    if (x) {                                                                   \
      if (idb) *idb = i;                                                       \
      return x;                                                                \
    }                                                                          \
  }                                                                            \
  return NULL;

Index *schema_find_index(sqlite3 *db, const char *db_name, const char *name, int *idb) {
  if (!name) return NULL;
  FIND_IN_HASH(indexes)
}

Trigger *schema_find_trigger(sqlite3 *db, const char *db_name, const char *name, int *idb) {
  if (!name) return NULL;
  FIND_IN_HASH(triggers)
}

Table *schema_locate_table(Parse *p, const char *db_name, const char *name, int is_view_ok) {
  sqlite3 *db = p->db;
  if (db_name && schema_db_index(db, db_name) < 0) {
    parse_error(p, "no such table: %s.%s", db_name, name);
    return NULL;
  }
  Table *t = schema_find_table(db, db_name, name, NULL);
  if (!t) t = vtab_eponymous(p, db_name, name);
  if (p->rc) return NULL;
  if (!t) {
    if (db_name)
      parse_error(p, "no such table: %s.%s", db_name, name);
    else
      parse_error(p, "no such table: %s", name);
    return NULL;
  }
  if (t->is_view && !is_view_ok) {
    parse_error(p, "cannot modify %s because it is a view", t->name);
    return NULL;
  }
  if (t->vt && vtab_connect(p, t)) return NULL;
  return t;
}

int schema_triggers_for(sqlite3 *db, Table *tab, int event, int time, Trigger **arr, int max) {
  int n = 0;
  for (int i = 0; i < db->n_db; i++) {
    Schema *s = db->dbs[i].schema;
    if (!s) continue;
    for (int b = 0; b < s->triggers.n_bucket; b++)
      for (HashEntry *e = s->triggers.buckets[b]; e; e = e->next) {
        Trigger *tr = e->value;
        if (tr->table_db_index != tab->db_index) continue;
        if (shale_stricmp(tr->table, tab->name) != 0) continue;
        if ((int)tr->event != event) continue;
        if (time >= 0 && tr->time != time) continue;
        if (n < max) arr[n++] = tr;
      }
  }
  return n;
}

/* The built-in sqlite_schema table: created on first use, kept in the hash. */
static Table *make_schema_table(int idb) {
  static const char *const names[5] = {"type", "name", "tbl_name", "rootpage", "sql"};
  static const char *const types[5] = {"TEXT", "TEXT", "TEXT", "INT", "TEXT"};
  Table *t = shale_malloc_zero(sizeof(Table));
  if (!t) return NULL;
  t->name = shale_strdup(idb == 1 ? "sqlite_temp_master" : "sqlite_master");
  t->sql = shale_strdup(
      "CREATE TABLE sqlite_master(type text,name text,tbl_name text,rootpage int,sql text)");
  t->root = 1;
  t->n_col = 5;
  t->cols = shale_malloc_zero(sizeof(Column) * 5);
  t->ipk = -1;
  t->db_index = idb;
  t->n_row_est = 10;
  if (!t->cols || !t->name) {
    table_free(t);
    return NULL;
  }
  for (int i = 0; i < 5; i++) {
    t->cols[i].name = shale_strdup(names[i]);
    t->cols[i].type = shale_strdup(types[i]);
    t->cols[i].affinity = schema_affinity_of_type(types[i]);
  }
  return t;
}

Table *schema_table_for_sqlite_schema(sqlite3 *db, int idb) {
  if (idb < 0 || idb >= db->n_db) return NULL;
  Schema *s = db->dbs[idb].schema;
  if (!s) return NULL;
  const char *key = idb == 1 ? "sqlite_temp_master" : "sqlite_master";
  Table *t = hash_find(&s->tables, key);
  if (t) return t;
  t = make_schema_table(idb);
  if (t) hash_insert(&s->tables, key, t);
  return t;
}

/* ------------------------------------------------ building from the AST -- */
static Index *index_alloc(int n_key) {
  Index *ix = shale_malloc_zero(sizeof(Index));
  if (!ix) return NULL;
  ix->n_key_col = n_key;
  ix->n_column = n_key + 1;
  ix->columns = shale_malloc_zero(sizeof(i16) * (size_t)(n_key + 1));
  ix->collate = shale_malloc_zero(sizeof(char *) * (size_t)(n_key + 1));
  ix->sort_desc = shale_malloc_zero((size_t)(n_key + 1));
  if (!ix->columns || !ix->collate || !ix->sort_desc) {
    index_free(ix);
    return NULL;
  }
  ix->columns[n_key] = -1;
  return ix;
}

/* Newest first, as SQLite keeps them (REPLACE indexes go last). */
static void table_add_index(Table *t, Index *ix) {
  ix->table = t;
  if (ix->on_error != OE_REPLACE || !t->indexes || t->indexes->on_error == OE_REPLACE) {
    ix->next = t->indexes;
    t->indexes = ix;
    return;
  }
  Index *q = t->indexes;
  while (q->next && q->next->on_error != OE_REPLACE) q = q->next;
  ix->next = q->next;
  q->next = ix;
}

static int index_count(Table *t) {
  int n = 0;
  for (Index *ix = t->indexes; ix; ix = ix->next) n++;
  return n;
}

/* Does t already have an index on exactly these columns (same order)? */
static Index *same_index(Table *t, Index *ix) {
  for (Index *o = t->indexes; o; o = o->next) {
    if (o->n_key_col != ix->n_key_col) continue;
    int k;
    for (k = 0; k < ix->n_key_col; k++) {
      if (o->columns[k] != ix->columns[k] || o->columns[k] < 0) break;
      const char *a = o->collate[k], *b = ix->collate[k];
      if ((a ? a : "BINARY") && shale_stricmp(a ? a : "BINARY", b ? b : "BINARY") != 0) break;
    }
    if (k == ix->n_key_col) return o;
  }
  return NULL;
}

/* Add an automatic index (PK or UNIQUE).  cols: column numbers.  Returns 0,
** or -1 on OOM. */
static int add_auto_index(Table *t, int n, const int *cols, char **coll, const u8 *desc,
                          int on_error, char origin) {
  Index *ix = index_alloc(n);
  if (!ix) return -1;
  for (int i = 0; i < n; i++) {
    ix->columns[i] = (i16)cols[i];
    const char *c = coll && coll[i] ? coll[i] : t->cols[cols[i]].collate;
    ix->collate[i] = c ? shale_strdup(c) : NULL;
    ix->sort_desc[i] = desc ? desc[i] : 0;
  }
  ix->unique = 1;
  ix->on_error = (u8)(on_error == OE_DEFAULT ? OE_ABORT : on_error);
  ix->origin = origin;
  Index *o = same_index(t, ix);
  if (o) {
    if (origin == 'p') o->origin = 'p';
    index_free(ix);
    return 0;
  }
  ix->name = build_mprintf("sqlite_autoindex_%s_%d", t->name, index_count(t) + 1);
  table_add_index(t, ix);
  return 0;
}

static FKey *fkey_from_def(Table *t, ForeignKeyDef *fk, int single_col) {
  FKey *k = shale_malloc_zero(sizeof(FKey));
  if (!k) return NULL;
  k->from = t;
  k->to_table = shale_strdup(fk->to_table);
  int n = single_col >= 0 ? 1 : (fk->from_columns ? fk->from_columns->n : 0);
  k->n_col = n;
  k->cols = shale_malloc_zero(sizeof(*k->cols) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) {
    k->cols[i].from_col = single_col >= 0 ? single_col : table_column_index(t, fk->from_columns->names[i]);
    if (fk->to_columns && i < fk->to_columns->n) k->cols[i].to_col = shale_strdup(fk->to_columns->names[i]);
  }
  k->on_delete = (u8)fk->on_delete;
  k->on_update = (u8)fk->on_update;
  k->deferred = (u8)fk->deferrable;
  return k;
}

static void add_check(Table *t, Expr *e, const char *name) {
  if (!e) return;
  Expr *d = ast_dup_expr(e);
  t->check_list = ast_expr_list_append(t->check_list, d);
  if (t->check_list && name) t->check_list->a[t->check_list->n - 1].alias = shale_strdup(name);
  Expr *d2 = ast_dup_expr(e);
  if (!t->checks) {
    t->checks = d2;
  } else {
    Expr *a = ast_expr_new(EX_BINARY);
    if (a) {
      a->sub_op = OP_AND_;
      a->left = t->checks;
      a->right = d2;
      t->checks = a;
    }
  }
}

/* WITHOUT ROWID: the PRIMARY KEY index holds every column (key columns
** first); other indexes end with the PRIMARY KEY columns instead of a rowid. */
static int index_set_tail(Index *ix, const i16 *tail, int n_tail, Table *t) {
  int n = ix->n_key_col + n_tail;
  i16 *cols = sqlite3_malloc64(sizeof(i16) * (u64)(n ? n : 1));
  char **coll = shale_malloc_zero(sizeof(char *) * (size_t)(n ? n : 1));
  u8 *desc = shale_malloc_zero((size_t)(n ? n : 1));
  if (!cols || !coll || !desc) {
    sqlite3_free(cols);
    sqlite3_free(coll);
    sqlite3_free(desc);
    return -1;
  }
  for (int i = 0; i < ix->n_key_col; i++) {
    cols[i] = ix->columns[i];
    coll[i] = ix->collate[i];
    desc[i] = ix->sort_desc[i];
  }
  for (int i = 0; i < n_tail; i++) {
    cols[ix->n_key_col + i] = tail[i];
    const char *c = tail[i] >= 0 ? t->cols[tail[i]].collate : NULL;
    coll[ix->n_key_col + i] = c ? shale_strdup(c) : NULL;
  }
  for (int i = ix->n_key_col; i < ix->n_column; i++) sqlite3_free(ix->collate[i]);
  sqlite3_free(ix->columns);
  sqlite3_free(ix->collate);
  sqlite3_free(ix->sort_desc);
  ix->columns = cols;
  ix->collate = coll;
  ix->sort_desc = desc;
  ix->n_column = n;
  return 0;
}

static int in_key(const Index *ix, int c) {
  for (int i = 0; i < ix->n_key_col; i++)
    if (ix->columns[i] == c) return 1;
  return 0;
}

void schema_without_rowid_index(Table *t, Index *ix) {
  Index *pk = table_primary_key_index(t);
  if (!pk) return;
  i16 tail[2000];
  int n = 0;
  if (ix == pk) {
    for (int c = 0; c < t->n_col && n < 2000; c++)
      if (!in_key(pk, c)) tail[n++] = (i16)c;
  } else {
    for (int i = 0; i < pk->n_key_col && n < 2000; i++)
      if (!in_key(ix, pk->columns[i])) tail[n++] = pk->columns[i];
  }
  index_set_tail(ix, tail, n, t);
}

Table *table_from_create(sqlite3 *db, Stmt *st, int idb, char **err) {
  (void)db;
  Table *t = shale_malloc_zero(sizeof(Table));
  if (!t) return NULL;
  t->name = shale_strdup(st->u.create_table.name);
  t->ipk = -1;
  t->db_index = idb;
  t->n_row_est = 1000000;
  t->without_rowid = (u8)st->u.create_table.without_rowid;
  t->strict = (u8)st->u.create_table.strict;
  int n = st->u.create_table.n_col;
  t->n_col = n;
  t->cols = shale_malloc_zero(sizeof(Column) * (size_t)(n ? n : 1));
  if (!t->cols || !t->name) goto oom;
  for (int i = 0; i < n; i++) {
    ColumnDef *cd = &st->u.create_table.cols[i];
    Column *c = &t->cols[i];
    for (int j = 0; j < i; j++)
      if (shale_stricmp(t->cols[j].name, cd->name) == 0) {
        *err = build_mprintf("duplicate column name: %s", cd->name);
        table_free(t);
        return NULL;
      }
    c->name = shale_strdup(cd->name);
    c->type = cd->type ? shale_strdup(cd->type) : NULL;
    if (c->type && cd->generated) {
      /* "x INT GENERATED ALWAYS AS (...)": the type is "INT" */
      size_t len = strlen(c->type);
      if (len >= 16 && shale_stricmp(c->type + len - 16, "GENERATED ALWAYS") == 0) {
        len -= 16;
        while (len > 0 && c->type[len - 1] == ' ') len--;
        c->type[len] = 0;
        if (len == 0) {
          sqlite3_free(c->type);
          c->type = NULL;
        }
      }
      c->affinity = schema_affinity_of_type(c->type);
    }
    if (c->type) {
      /* the standard type names are reported in upper case, as SQLite does */
      static const char *const std_types[] = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
      for (int k = 0; k < 6; k++)
        if (shale_stricmp(c->type, std_types[k]) == 0) memcpy(c->type, std_types[k], strlen(std_types[k]));
    }
    c->affinity = schema_affinity_of_type(cd->type);
    c->not_null = (u8)cd->not_null;
    c->collate = cd->collate ? shale_strdup(cd->collate) : NULL;
    c->default_value = cd->default_value ? ast_dup_expr(cd->default_value) : NULL;
    c->default_text = cd->default_text ? shale_strdup(cd->default_text) : NULL;
    c->generated = cd->generated ? ast_dup_expr(cd->generated) : NULL;
    c->generated_stored = cd->generated_stored;
    c->hidden = (u8)cd->hidden; /* generated columns are not hidden from SELECT * */
  }
  if (t->strict) {
    for (int i = 0; i < n; i++) {
      Column *c = &t->cols[i];
      if (!c->type) {
        *err = build_mprintf("missing datatype for %s.%s", t->name, c->name);
        table_free(t);
        return NULL;
      }
      static const char *const ok_types[] = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
      int ok = 0;
      for (int k = 0; k < 6; k++)
        if (shale_stricmp(c->type, ok_types[k]) == 0) ok = 1;
      if (!ok) {
        *err = build_mprintf("unknown datatype for %s.%s: \"%s\"", t->name, c->name, c->type);
        table_free(t);
        return NULL;
      }
      if (shale_stricmp(c->type, "ANY") == 0) c->affinity = SQLITE_AFF_BLOB;
    }
  }
  /* PRIMARY KEY: count declarations. */
  int n_pk = 0;
  for (int i = 0; i < n; i++)
    if (st->u.create_table.cols[i].primary_key) n_pk++;
  for (int i = 0; i < st->u.create_table.n_cons; i++)
    if (st->u.create_table.cons[i].type == TC_PRIMARY_KEY) n_pk++;
  if (n_pk > 1) {
    *err = build_mprintf("table \"%s\" has more than one primary key", t->name);
    table_free(t);
    return NULL;
  }
  /* Column-level constraints, in column order. */
  for (int i = 0; i < n; i++) {
    ColumnDef *cd = &st->u.create_table.cols[i];
    if (cd->primary_key) {
      t->cols[i].is_pk = 1;
      t->pk_on_conflict = (u8)(cd->primary_key - 1);
      if (cd->type && shale_stricmp(cd->type, "INTEGER") == 0 && !cd->pk_desc && !t->without_rowid) {
        t->ipk = i;
        t->autoincrement = (u8)cd->autoincrement;
      } else {
        if (cd->autoincrement) {
          *err = build_mprintf("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
          table_free(t);
          return NULL;
        }
        u8 d = (u8)cd->pk_desc;
        if (add_auto_index(t, 1, &i, NULL, &d, cd->primary_key - 1, 'p')) goto oom;
      }
    }
    if (cd->unique) {
      if (add_auto_index(t, 1, &i, NULL, NULL, cd->unique - 1, 'u')) goto oom;
    }
    if (cd->check) add_check(t, cd->check, NULL);
    if (cd->fk) {
      FKey *k = fkey_from_def(t, cd->fk, i);
      if (k) {
        k->next = t->fkeys;
        t->fkeys = k;
      }
    }
  }
  for (int ci = 0; ci < st->u.create_table.n_cons; ci++) {
    TableConstraint *tc = &st->u.create_table.cons[ci];
    if (tc->type == TC_PRIMARY_KEY || tc->type == TC_UNIQUE) {
      int m = tc->columns ? tc->columns->n : 0;
      int cols[64];
      char *coll[64];
      u8 desc[64];
      if (m > 64) m = 64;
      for (int k = 0; k < m; k++) {
        Expr *e = tc->columns->a[k].expr;
        while (e && e->op == EX_COLLATE) e = e->left;
        const char *cname = e ? e->text : NULL;
        int c = (e && (e->op == EX_ID || e->op == EX_STRING) && cname) ? table_column_index(t, cname) : -1;
        if (c < 0) {
          if (e && (e->op == EX_ID || e->op == EX_STRING) && cname)
            *err = build_mprintf("no such column: %s", cname);
          else
            *err = build_mprintf("expressions prohibited in PRIMARY KEY and UNIQUE constraints");
          table_free(t);
          return NULL;
        }
        cols[k] = c;
        coll[k] = tc->columns->a[k].collate;
        if (!coll[k] && tc->columns->a[k].expr && tc->columns->a[k].expr->op == EX_COLLATE)
          coll[k] = tc->columns->a[k].expr->text;
        desc[k] = (u8)tc->columns->a[k].sort_desc;
      }
      if (tc->type == TC_PRIMARY_KEY) {
        for (int k = 0; k < m; k++) t->cols[cols[k]].is_pk = 1;
        t->pk_on_conflict = (u8)tc->on_conflict;
        if (m == 1 && t->cols[cols[0]].type && shale_stricmp(t->cols[cols[0]].type, "INTEGER") == 0 &&
            !t->without_rowid) {
          t->ipk = cols[0];
          t->autoincrement = (u8)tc->autoincrement;
          continue;
        }
        if (tc->autoincrement) {
          *err = build_mprintf("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
          table_free(t);
          return NULL;
        }
        if (add_auto_index(t, m, cols, coll, desc, tc->on_conflict, 'p')) goto oom;
      } else {
        if (add_auto_index(t, m, cols, coll, desc, tc->on_conflict, 'u')) goto oom;
      }
    } else if (tc->type == TC_CHECK) {
      add_check(t, tc->check, tc->name);
    } else if (tc->type == TC_FOREIGN_KEY && tc->fk) {
      FKey *k = fkey_from_def(t, tc->fk, -1);
      if (k) {
        k->next = t->fkeys;
        t->fkeys = k;
      }
    }
  }
  if (t->without_rowid && !table_primary_key_index(t)) {
    *err = build_mprintf("PRIMARY KEY missing on table %s", t->name);
    table_free(t);
    return NULL;
  }
  if (t->without_rowid) {
    Index *pk = table_primary_key_index(t);
    for (Index *ix = t->indexes; ix; ix = ix->next)
      if (ix != pk) schema_without_rowid_index(t, ix);
    schema_without_rowid_index(t, pk);
    for (int k = 0; k < pk->n_key_col; k++)
      if (pk->columns[k] >= 0 && !t->cols[pk->columns[k]].not_null) t->cols[pk->columns[k]].not_null = OE_ABORT + 1;
  }
  /* NOT NULL is implied for PRIMARY KEY columns of WITHOUT ROWID tables. */
  return t;
oom:
  table_free(t);
  *err = build_mprintf("out of memory");
  return NULL;
}

Index *index_from_create(sqlite3 *db, Stmt *st, Table *t, char **err) {
  (void)db;
  ExprList *cl = st->u.create_index.columns;
  int n = cl ? cl->n : 0;
  Index *ix = index_alloc(n);
  if (!ix) return NULL;
  ix->name = shale_strdup(st->u.create_index.name);
  ix->table = t;
  ix->unique = (u8)st->u.create_index.unique;
  ix->on_error = ix->unique ? OE_ABORT : OE_DEFAULT;
  ix->origin = 'c';
  for (int i = 0; i < n; i++) {
    Expr *e = cl->a[i].expr;
    const char *coll = cl->a[i].collate;
    while (e && e->op == EX_COLLATE) {
      if (!coll) coll = e->text;
      e = e->left;
    }
    int c = -2;
    if (e && (e->op == EX_ID || (e->op == EX_STRING && e == cl->a[i].expr)) && e->text) {
      c = table_column_index(t, e->text);
      if (c == -1) {
        if (e->op == EX_ID) {
          *err = build_mprintf("no such column: %s", e->text);
          index_free(ix);
          return NULL;
        }
        c = -2;
      }
      if (c == -2 && e->op == EX_ID) c = -1; /* rowid */
    }
    if (c == t->ipk && c >= 0) c = -1;
    ix->columns[i] = (i16)c;
    if (c == -2) {
      while ((ix->exprs ? ix->exprs->n : 0) < i) ix->exprs = ast_expr_list_append(ix->exprs, NULL);
      ix->exprs = ast_expr_list_append(ix->exprs, ast_dup_expr(e));
    }
    if (!coll && c >= 0) coll = t->cols[c].collate;
    ix->collate[i] = coll ? shale_strdup(coll) : NULL;
    ix->sort_desc[i] = (u8)cl->a[i].sort_desc;
  }
  if (st->u.create_index.where) ix->where = ast_dup_expr(st->u.create_index.where);
  return ix;
}

Table *view_from_create(sqlite3 *db, Stmt *st, int idb, char **err) {
  (void)db;
  (void)err;
  Table *t = shale_malloc_zero(sizeof(Table));
  if (!t) return NULL;
  t->name = shale_strdup(st->u.create_view.name);
  t->is_view = 1;
  t->ipk = -1;
  t->db_index = idb;
  t->view_select = ast_dup_select(st->u.create_view.select);
  if (st->u.create_view.columns) t->view_columns = ast_dup_id_list(st->u.create_view.columns);
  return t;
}

Trigger *trigger_from_create(sqlite3 *db, Stmt *st, int idb, char **err) {
  (void)err;
  Trigger *tr = shale_malloc_zero(sizeof(Trigger));
  if (!tr) return NULL;
  tr->name = shale_strdup(st->u.create_trigger.name);
  tr->table = shale_strdup(st->u.create_trigger.table);
  tr->time = st->u.create_trigger.time;
  tr->event = st->u.create_trigger.event;
  if (st->u.create_trigger.update_of) tr->update_of = ast_dup_id_list(st->u.create_trigger.update_of);
  if (st->u.create_trigger.when) tr->when = ast_dup_expr(st->u.create_trigger.when);
  /* Steal the steps from the statement (it is freed by the caller). */
  tr->steps = st->u.create_trigger.steps;
  st->u.create_trigger.steps = NULL;
  tr->db_index = idb;
  int tdb = idb;
  if (idb == 1) {
    /* A TEMP trigger may be on a table of any database. */
    int x = -1;
    if (schema_find_table(db, st->u.create_trigger.db, tr->table, &x) && x >= 0) tdb = x;
  }
  tr->table_db_index = tdb;
  return tr;
}

/* CHECK constraint names for error messages: the CONSTRAINT name, or the
** expression text as written (trimmed), found by scanning the CREATE text. */
const char *build_scan_token(const char *z, const char **tok, int *n) {
  for (;;) {
    while (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r' || *z == '\f') z++;
    if (z[0] == '-' && z[1] == '-') {
      while (*z && *z != '\n') z++;
      continue;
    }
    if (z[0] == '/' && z[1] == '*') {
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/')) z++;
      if (*z) z += 2;
      continue;
    }
    break;
  }
  *tok = z;
  if (!*z) {
    *n = 0;
    return z;
  }
  char c = *z;
  if (c == '\'' || c == '"' || c == '`' || c == '[') {
    char close = c == '[' ? ']' : c;
    z++;
    while (*z) {
      if (*z == close) {
        if (close != ']' && z[1] == close) {
          z += 2;
          continue;
        }
        z++;
        break;
      }
      z++;
    }
  } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (u8)c >= 0x80 ||
             (c >= '0' && c <= '9') || c == '$') {
    while ((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') || *z == '_' || (u8)*z >= 0x80 ||
           (*z >= '0' && *z <= '9') || *z == '$')
      z++;
  } else {
    z++;
  }
  *n = (int)(z - *tok);
  return z;
}

char *build_dequote_ident(const char *z, int n) {
  if (n >= 2 && (z[0] == '"' || z[0] == '\'' || z[0] == '`' || z[0] == '[')) {
    char close = z[0] == '[' ? ']' : z[0];
    char *out = sqlite3_malloc64((u64)n);
    if (!out) return NULL;
    int j = 0;
    for (int i = 1; i < n - 1; i++) {
      if (z[i] == close && close != ']' && z[i + 1] == close) i++;
      out[j++] = z[i];
    }
    out[j] = 0;
    return out;
  }
  return shale_strndup(z, n);
}

static void name_checks(Table *t, const char *sql) {
  if (!t->check_list || !sql) return;
  char *names[256];
  int n_names = 0;
  const char *z = sql, *tok;
  int n, depth = 0;
  char *cons_name = NULL;
  while (*z && n_names < 256) {
    z = build_scan_token(z, &tok, &n);
    if (n == 0) break;
    if (n == 1 && *tok == '(') {
      depth++;
    } else if (n == 1 && *tok == ')') {
      depth--;
    } else if (n == 1 && *tok == ',' && depth == 1) {
      sqlite3_free(cons_name);
      cons_name = NULL;
    } else if (n == 10 && shale_strnicmp(tok, "CONSTRAINT", 10) == 0) {
      const char *nt;
      int nn;
      z = build_scan_token(z, &nt, &nn);
      sqlite3_free(cons_name);
      cons_name = build_dequote_ident(nt, nn);
    } else if (n == 5 && shale_strnicmp(tok, "CHECK", 5) == 0 && depth >= 1) {
      const char *ot;
      int on;
      const char *after = build_scan_token(z, &ot, &on);
      if (on != 1 || *ot != '(') continue;
      const char *start = after, *end = after;
      int d = 1;
      z = after;
      while (*z) {
        const char *tt;
        int tn;
        const char *nz = build_scan_token(z, &tt, &tn);
        if (tn == 0) break;
        if (tn == 1 && *tt == '(') d++;
        if (tn == 1 && *tt == ')') {
          d--;
          if (d == 0) {
            end = tt;
            z = nz;
            break;
          }
        }
        z = nz;
      }
      while (start < end && (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')) start++;
      while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) end--;
      names[n_names++] = cons_name ? shale_strdup(cons_name) : shale_strndup(start, (int)(end - start));
      sqlite3_free(cons_name);
      cons_name = NULL;
    }
  }
  sqlite3_free(cons_name);
  if (n_names == t->check_list->n) {
    for (int i = 0; i < n_names; i++) {
      ExprListItem *it = &t->check_list->a[i];
      if (!it->alias) {
        it->alias = names[i];
        names[i] = NULL;
      }
    }
  }
  for (int i = 0; i < n_names; i++) sqlite3_free(names[i]);
}

/* --------------------------------------------------------------- loading -- */
typedef struct SchemaRow {
  const char *f[5];
  int n[5];
  i64 root;
} SchemaRow;

/* Decode the first 5 fields of a record; text fields point into rec. */
static int decode_row(const u8 *rec, u32 n, SchemaRow *r) {
  memset(r, 0, sizeof(*r));
  u64 hdr;
  u32 off = (u32)varint_get(rec, &hdr);
  if (hdr > n || hdr < off) return SQLITE_CORRUPT;
  u32 data = (u32)hdr;
  for (int i = 0; i < 5 && off < hdr; i++) {
    u64 t;
    off += (u32)varint_get(rec + off, &t);
    if (t > 0xffffffffu) return SQLITE_CORRUPT;
    u32 len = record_serial_len((u32)t);
    if ((u64)data + len > n) return SQLITE_CORRUPT;
    const u8 *p = rec + data;
    if (t >= 13 && (t & 1)) {
      r->f[i] = (const char *)p;
      r->n[i] = (int)len;
    } else if (t >= 1 && t <= 6) {
      i64 v = (p[0] & 0x80) ? -1 : 0;
      for (u32 k = 0; k < len; k++) v = (i64)(((u64)v << 8) | p[k]);
      if (i == 3) r->root = v;
    } else if (t == 8) {
      if (i == 3) r->root = 0;
    } else if (t == 9) {
      if (i == 3) r->root = 1;
    }
    data += len;
  }
  return SQLITE_OK;
}

static int schema_add_object(sqlite3 *db, int idb, Schema *s, SchemaRow *r, char **err);
static int load_stat1(sqlite3 *db, int idb, Schema *s, u32 enc);

/* A sqlite_schema record of a UTF-16 database with its text fields re-encoded
** as UTF-8 (*out, sqlite3_malloc'd), so the loader reads every file alike. */
static int record_to_utf8(const u8 *rec, u32 n, int enc, u8 **out, u32 *n_out) {
  enum { MAX_FIELDS = 8 };
  u64 types[MAX_FIELDS];
  const u8 *vals[MAX_FIELDS];
  u8 *texts[MAX_FIELDS] = {0};
  u32 lens[MAX_FIELDS];
  int nf = 0, rc = SQLITE_OK;
  u64 hdr;
  u32 off = (u32)varint_get(rec, &hdr), data = (u32)hdr;
  if (hdr > n || hdr < off) return SQLITE_CORRUPT;
  u64 head = 0, body = 0;
  while (off < hdr && nf < MAX_FIELDS) {
    u64 t;
    off += (u32)varint_get(rec + off, &t);
    u32 len = t > 0xffffffffu ? 0xffffffffu : record_serial_len((u32)t);
    if ((u64)data + len > n) {
      rc = SQLITE_CORRUPT;
      break;
    }
    vals[nf] = rec + data;
    lens[nf] = len;
    data += len;
    if (t >= 13 && (t & 1)) {
      int n8 = 0;
      if (shale_utf16_to8(vals[nf], (int)len, enc, &texts[nf], &n8) != SQLITE_OK) {
        rc = SQLITE_NOMEM;
        break;
      }
      vals[nf] = texts[nf];
      lens[nf] = (u32)n8;
      t = 13 + 2 * (u64)n8;
    }
    types[nf] = t;
    head += (u64)varint_len(t);
    body += lens[nf];
    nf++;
  }
  if (rc == SQLITE_OK) {
    u64 hsize = head + 1;
    if (varint_len(hsize) > 1) hsize = head + (u64)varint_len(head + 9);
    u8 *o = sqlite3_malloc64(hsize + body + 1);
    if (o == NULL) {
      rc = SQLITE_NOMEM;
    } else {
      u32 k = (u32)varint_put(o, hsize);
      for (int i = 0; i < nf; i++) k += (u32)varint_put(o + k, types[i]);
      for (int i = 0; i < nf; i++) {
        memcpy(o + k, vals[i], lens[i]);
        k += lens[i];
      }
      *out = o;
      *n_out = k;
    }
  }
  for (int i = 0; i < nf; i++) sqlite3_free(texts[i]);
  return rc;
}

/* The record under cur as UTF-8 (*rec, *n): in place when it is all on its
** page, else read into *buf; UTF-16 databases re-encode it into *utf8,
** which the caller frees. */
static int cursor_record(BtCursor *cur, u32 enc, u8 **buf, u32 *buf_n, const u8 **rec, u32 *n,
                         u8 **utf8) {
  u32 sz = btree_payload_size(cur), n_local = 0;
  const u8 *p = btree_payload_fetch(cur, &n_local);
  if (n_local < sz) {
    if (*buf_n < sz) {
      u8 *nb = sqlite3_realloc64(*buf, sz);
      if (!nb) return SQLITE_NOMEM;
      *buf = nb;
      *buf_n = sz;
    }
    int rc = btree_payload_read(cur, 0, sz, *buf);
    if (rc) return rc;
    p = *buf;
  }
  *utf8 = NULL;
  if (enc != SQLITE_UTF8) {
    int rc = record_to_utf8(p, sz, (int)enc, utf8, &sz);
    if (rc) return rc;
    p = *utf8;
  }
  *rec = p;
  *n = sz;
  return SQLITE_OK;
}

static int load_schema(sqlite3 *db, int idb, Schema *s, char **err) {
  Btree *bt = db->dbs[idb].btree;
  BtCursor *cur = NULL;
  if (pager_page_count(btree_pager(bt)) == 0) return SQLITE_OK; /* empty file */
  u32 enc = SQLITE_UTF8;
  int rc = btree_get_meta(bt, BTREE_TEXT_ENCODING, &enc);
  if (rc) return rc;
  if (enc != SQLITE_UTF16LE && enc != SQLITE_UTF16BE) enc = SQLITE_UTF8;
  rc = btree_cursor_open(bt, 1, 0, &cur);
  if (rc) return rc;
  int empty = 0;
  rc = btree_first(cur, &empty);
  u8 *buf = NULL;
  u32 buf_n = 0;
  /* Index rows must be added after their tables: two passes over a small list. */
  typedef struct Pending {
    SchemaRow r;
    u8 *copy;
  } Pending;
  Pending *later = NULL;
  int n_later = 0, alloc_later = 0;
  while (rc == SQLITE_OK && !empty && !btree_eof(cur)) {
    const u8 *p;
    u32 sz;
    u8 *utf8 = NULL;
    rc = cursor_record(cur, enc, &buf, &buf_n, &p, &sz, &utf8);
    if (rc) break;
    SchemaRow r;
    rc = decode_row(p, sz, &r);
    if (rc) {
      sqlite3_free(utf8);
      break;
    }
    int is_table = r.n[0] == 5 && memcmp(r.f[0], "table", 5) == 0;
    if (is_table) {
      rc = schema_add_object(db, idb, s, &r, err);
      if (rc) break;
    } else {
      if (n_later == alloc_later) {
        alloc_later = alloc_later ? alloc_later * 2 : 16;
        Pending *nl = sqlite3_realloc64(later, sizeof(Pending) * (u64)alloc_later);
        if (!nl) {
          rc = SQLITE_NOMEM;
          break;
        }
        later = nl;
      }
      u8 *copy = sqlite3_malloc64(sz ? sz : 1);
      if (!copy) {
        rc = SQLITE_NOMEM;
        break;
      }
      memcpy(copy, p, sz);
      later[n_later].copy = copy;
      decode_row(copy, sz, &later[n_later].r);
      n_later++;
    }
    sqlite3_free(utf8);
    rc = btree_next(cur);
    if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
      break;
    }
  }
  btree_cursor_close(cur);
  sqlite3_free(buf);
  /* views, then indexes, then triggers */
  for (int pass = 0; pass < 3 && rc == SQLITE_OK; pass++) {
    static const char *const kinds[3] = {"view", "index", "trigger"};
    for (int i = 0; i < n_later && rc == SQLITE_OK; i++) {
      SchemaRow *r = &later[i].r;
      if (r->n[0] == (int)strlen(kinds[pass]) && memcmp(r->f[0], kinds[pass], (size_t)r->n[0]) == 0)
        rc = schema_add_object(db, idb, s, r, err);
    }
  }
  for (int i = 0; i < n_later; i++) sqlite3_free(later[i].copy);
  sqlite3_free(later);
  if (rc == SQLITE_OK) rc = load_stat1(db, idb, s, enc);
  return rc;
}

/* One sqlite_stat1 row: "N a b c ..." (then keywords such as "unordered"
** or "sz=N", which are skipped) for an index, "N" for a table. */
static void apply_stat1(Schema *s, const SchemaRow *r) {
  char tbl[256], idx[256], stat[512];
  if (!r->f[0] || !r->f[2] || r->n[0] >= (int)sizeof tbl || r->n[2] >= (int)sizeof stat) return;
  memcpy(tbl, r->f[0], (size_t)r->n[0]);
  tbl[r->n[0]] = 0;
  memcpy(stat, r->f[2], (size_t)r->n[2]);
  stat[r->n[2]] = 0;
  Table *t = hash_find(&s->tables, tbl);
  if (!t) return;
  i64 v[64];
  int nv = 0;
  for (const char *z = stat; *z && nv < 64;) {
    while (*z == ' ') z++;
    if (*z < '0' || *z > '9') break;
    i64 x = 0;
    while (*z >= '0' && *z <= '9') x = x * 10 + (*z++ - '0');
    v[nv++] = x > 0 ? x : 1;
  }
  if (nv == 0) return;
  if (!r->f[1]) {
    t->n_row_est = v[0];
    return;
  }
  if (r->n[1] >= (int)sizeof idx) return;
  memcpy(idx, r->f[1], (size_t)r->n[1]);
  idx[r->n[1]] = 0;
  Index *ix = NULL;
  for (Index *i = t->indexes; i; i = i->next)
    if (shale_stricmp(i->name, idx) == 0) ix = i;
  if (!ix) return;
  int want = ix->n_key_col + 1;
  i64 *est = sqlite3_malloc64(sizeof(i64) * (u64)want);
  if (!est) return; /* estimates are optional */
  for (int k = 0; k < want; k++) est[k] = k < nv ? v[k] : (k > 0 ? est[k - 1] : v[0]);
  sqlite3_free(ix->stat_est);
  ix->stat_est = est;
  if (!ix->where) t->n_row_est = v[0];
}

/* The planner's row estimates from sqlite_stat1, when the table exists
** (SQLite reads them with the schema too).  May PENDING like the schema. */
static int load_stat1(sqlite3 *db, int idb, Schema *s, u32 enc) {
  Table *st = hash_find(&s->tables, "sqlite_stat1");
  if (!st || !st->root) return SQLITE_OK;
  BtCursor *cur = NULL;
  int rc = btree_cursor_open(db->dbs[idb].btree, st->root, 0, &cur);
  if (rc) return rc;
  int empty = 0;
  rc = btree_first(cur, &empty);
  u8 *buf = NULL;
  u32 buf_n = 0;
  while (rc == SQLITE_OK && !empty && !btree_eof(cur)) {
    const u8 *p;
    u32 sz;
    u8 *utf8 = NULL;
    rc = cursor_record(cur, enc, &buf, &buf_n, &p, &sz, &utf8);
    if (rc) break;
    SchemaRow r;
    if (decode_row(p, sz, &r) == SQLITE_OK) apply_stat1(s, &r); /* a bad row is ignored, as in SQLite */
    sqlite3_free(utf8);
    rc = btree_next(cur);
    if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
      break;
    }
  }
  btree_cursor_close(cur);
  sqlite3_free(buf);
  return rc;
}

static int schema_add_object(sqlite3 *db, int idb, Schema *s, SchemaRow *r, char **err) {
  char *name = shale_strndup(r->f[1] ? r->f[1] : "", r->n[1]);
  char *sql = r->f[4] ? shale_strndup(r->f[4], r->n[4]) : NULL;
  int rc = SQLITE_OK;
  if (!name) return SQLITE_NOMEM;
  if (r->n[0] == 5 && memcmp(r->f[0], "index", 5) == 0 && sql == NULL) {
    /* automatic index: find it on its table */
    char *tname = shale_strndup(r->f[2] ? r->f[2] : "", r->n[2]);
    Table *t = tname ? hash_find(&s->tables, tname) : NULL;
    sqlite3_free(tname);
    if (t) {
      for (Index *ix = t->indexes; ix; ix = ix->next)
        if (ix->name && shale_stricmp(ix->name, name) == 0) {
          ix->root = (Pgno)r->root;
          hash_insert(&s->indexes, ix->name, ix);
        }
    }
    sqlite3_free(name);
    return SQLITE_OK;
  }
  if (sql == NULL) {
    sqlite3_free(name);
    return SQLITE_OK;
  }
  ParseResult pr;
  memset(&pr, 0, sizeof(pr));
  rc = sql_parse(sql, -1, &pr);
  if (rc != SQLITE_OK || pr.stmt == NULL) {
    if (rc == SQLITE_NOMEM) {
      parse_result_clear(&pr);
      sqlite3_free(name);
      sqlite3_free(sql);
      return rc;
    }
    *err = build_mprintf("malformed database schema (%s)%s%s", name, pr.err ? " - " : "",
                         pr.err ? pr.err : "");
    parse_result_clear(&pr);
    sqlite3_free(name);
    sqlite3_free(sql);
    return SQLITE_CORRUPT;
  }
  Stmt *st = pr.stmt;
  char *e = NULL;
  switch (st->kind) {
    case ST_CREATE_TABLE: {
      Table *t = table_from_create(db, st, idb, &e);
      if (t) {
        t->root = (Pgno)r->root;
        if (t->without_rowid) {
          Index *pk = table_primary_key_index(t);
          if (pk) pk->root = t->root;
        }
        name_checks(t, sql);
        t->sql = sql;
        sql = NULL;
        sqlite3_free(t->name);
        t->name = shale_strdup(name);
        hash_insert(&s->tables, t->name, t);
        if (shale_stricmp(t->name, "sqlite_sequence") == 0) t->n_row_est = 10;
      }
      break;
    }
    case ST_CREATE_VIEW: {
      Table *t = view_from_create(db, st, idb, &e);
      if (t) {
        t->sql = sql;
        sql = NULL;
        hash_insert(&s->tables, t->name, t);
      }
      break;
    }
    case ST_CREATE_INDEX: {
      Table *t = hash_find(&s->tables, st->u.create_index.table);
      if (t) {
        Index *ix = index_from_create(db, st, t, &e);
        if (ix) {
          if (t->without_rowid) schema_without_rowid_index(t, ix);
          ix->root = (Pgno)r->root;
          ix->sql = sql;
          sql = NULL;
          table_add_index(t, ix);
          hash_insert(&s->indexes, ix->name, ix);
        }
      }
      break;
    }
    case ST_CREATE_TRIGGER: {
      Trigger *tr = trigger_from_create(db, st, idb, &e);
      if (tr) {
        tr->sql = sql;
        tr->seq = s->triggers.n + 1;
        sql = NULL;
        Trigger *old = hash_insert(&s->triggers, tr->name, tr);
        trigger_free(old);
      }
      break;
    }
    case ST_CREATE_VIRTUAL_TABLE: {
      /* connected (xConnect) on first use: vtab_connect */
      Table *t = vtab_table_from_create(db, st, idb);
      if (t) {
        t->sql = sql;
        sql = NULL;
        table_free(hash_insert(&s->tables, t->name, t));
      }
      break;
    }
    default:
      break;
  }
  if (e) {
    sqlite3_free(e);
  }
  ast_free_stmt(st);
  pr.stmt = NULL;
  parse_result_clear(&pr);
  sqlite3_free(name);
  sqlite3_free(sql);
  return rc;
}

int schema_ensure_loaded(sqlite3 *db, int idb, char **err) {
  if (idb < 0 || idb >= db->n_db) return SQLITE_ERROR;
  DbSlot *slot = &db->dbs[idb];
  if (slot->schema_loaded && slot->schema) return SQLITE_OK;
  if (slot->schema) {
    schema_free(slot->schema);
    slot->schema = NULL;
  }
  Schema *s = schema_new();
  if (!s) return SQLITE_NOMEM;
  Btree *bt = slot->btree;
  if (bt == NULL) {
    slot->schema = s;
    slot->schema_loaded = 1;
    return SQLITE_OK;
  }
  int started = 0;
  int rc = SQLITE_OK;
  if (btree_txn_state(bt) == 0) {
    int cookie = 0;
    rc = btree_begin_trans(bt, 0, &cookie);
    if (rc) {
      schema_free(s);
      return rc;
    }
    started = 1;
  }
  u32 v = 0;
  rc = btree_get_meta(bt, BTREE_SCHEMA_VERSION, &v);
  if (rc == SQLITE_OK) {
    s->cookie = v;
    rc = btree_get_meta(bt, BTREE_FILE_FORMAT, &v);
    s->file_format = (int)v;
  }
  if (rc == SQLITE_OK) {
    rc = btree_get_meta(bt, BTREE_TEXT_ENCODING, &v);
    s->enc = (u8)(v ? v : SQLITE_UTF8);
    if (idb == 0) db->enc = s->enc;
  }
  if (rc == SQLITE_OK) rc = load_schema(db, idb, s, err);
  if (rc != SQLITE_OK) {
    schema_free(s);
    /* On PENDING keep the read transaction: the retry reuses cached pages. */
    if (rc != SHALE_PENDING && started) btree_commit(bt);
    return rc;
  }
  if ((started || (db->autocommit && db->n_vdbe_active == 0)) && btree_txn_state(bt) == 1) {
    int rc2 = btree_commit(bt);
    if (rc2 == SHALE_PENDING) {
      /* ending a read transaction should not need I/O; ignore */
    }
  }
  slot->schema = s;
  slot->schema_loaded = 1;
  return SQLITE_OK;
}

int schema_stats_reload_callback(sqlite3 *db, int idb) {
  if (idb < 0 || idb >= db->n_db || !db->dbs[idb].btree || !db->dbs[idb].schema) return SQLITE_OK;
  Schema *s = db->dbs[idb].schema;
  return load_stat1(db, idb, s, s->enc ? s->enc : SQLITE_UTF8);
}

int schema_reload_callback(sqlite3 *db, int idb, const char *where) {
  (void)where; /* always reload the whole schema of idb */
  if (idb < 0 || idb >= db->n_db) return SQLITE_OK;
  DbSlot *slot = &db->dbs[idb];
  Schema *s = schema_new();
  if (!s) return SQLITE_NOMEM;
  char *err = NULL;
  int rc = SQLITE_OK;
  if (slot->btree) {
    u32 v = 0;
    rc = btree_get_meta(slot->btree, BTREE_SCHEMA_VERSION, &v);
    s->cookie = v;
    if (rc == SQLITE_OK) rc = load_schema(db, idb, s, &err);
  }
  sqlite3_free(err);
  if (rc != SQLITE_OK) {
    schema_free(s);
    return rc;
  }
  if (slot->schema) {
    s->generation = slot->schema->generation + 1;
    schema_free(slot->schema);
  }
  s->enc = db->enc ? db->enc : SQLITE_UTF8;
  slot->schema = s;
  slot->schema_loaded = 1;
  return SQLITE_OK;
}
