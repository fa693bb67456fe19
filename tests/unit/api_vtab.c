/*
** api_vtab.c — a virtual table module written against SQLite's public API
** (sqlite3_create_module_v2): a sorted key/value store.  Checks what the
** engine hands the module and what it does with the answers: xCreate
** arguments and the stored CREATE text, xBestIndex constraints (usable
** flags across join orders), argvIndex/omit/idxNum/idxStr,
** orderByConsumed, EXPLAIN QUERY PLAN, hidden columns as table-valued
** function arguments, INSERT/UPDATE/DELETE through xUpdate (argv layouts,
** last_insert_rowid, changes, constraint errors with the module's message),
** xBegin/xSync/xCommit/xRollback, xDestroy on DROP TABLE, the client-data
** destructor at close, an eponymous-only module, and error messages.
** Public API only; passes against the system libsqlite3 too:
**   cc -Itests/unit tests/unit/api_vtab.c tests/unit/testlib.c -lsqlite3
*/
#include "testlib.h"
#include "api_util.h"

typedef struct Row {
  sqlite3_int64 k;
  char v[32];
} Row;

typedef struct Store {
  int n;
  Row rows[64];
  /* what the engine did */
  int n_create, n_connect, n_destroy, n_disconnect, create_argc;
  char create_args[128];
  int n_best, last_n_cons, last_usable_eq, last_order_consumed;
  char last_v_coll[16]; /* sqlite3_vtab_collation of a constraint on v */
  int n_filter, last_idx_num;
  char last_idx_str[32];
  int n_begin, n_sync, n_commit, n_rollback;
  int n_update, last_update_argc;
  int freed; /* client-data destructor */
} Store;

typedef struct KvTab {
  sqlite3_vtab base;
  Store *s;
} KvTab;

typedef struct KvCur {
  sqlite3_vtab_cursor base;
  int i, end;
} KvCur;

static int kv_init(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err,
                   int create) {
  Store *s = aux;
  if (argc > 3 && strcmp(argv[3], "fail") == 0) {
    *err = sqlite3_mprintf("kv: refusing to %s", create ? "create" : "connect");
    return SQLITE_ERROR;
  }
  if (create) {
    s->n_create++;
    s->create_argc = argc;
    s->create_args[0] = 0;
    for (int i = 0; i < argc; i++) {
      size_t k = strlen(s->create_args);
      snprintf(s->create_args + k, sizeof(s->create_args) - k, "%s%s", i ? "," : "", argv[i]);
    }
  } else {
    s->n_connect++;
  }
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(k INTEGER, v TEXT, tag HIDDEN)");
  if (rc) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  KvTab *t = sqlite3_malloc(sizeof(KvTab));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  t->s = s;
  *pp = &t->base;
  return SQLITE_OK;
}

static int kv_create(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  return kv_init(db, aux, argc, argv, pp, err, 1);
}
static int kv_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  return kv_init(db, aux, argc, argv, pp, err, 0);
}
static int kv_disconnect(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_disconnect++;
  sqlite3_free(vt);
  return SQLITE_OK;
}
static int kv_destroy(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_destroy++;
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* k = ? drives a lookup (idxNum 1); ORDER BY k ASC is what the store
** delivers anyway.  The other constraints are left to the engine. */
static int kv_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  Store *s = ((KvTab *)vt)->s;
  s->n_best++;
  s->last_n_cons = info->nConstraint;
  s->last_usable_eq = 0;
  int eq = -1;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (c->iColumn == 0 && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
      eq = i;
      s->last_usable_eq = 1;
    }
    if (c->iColumn == 1) snprintf(s->last_v_coll, sizeof(s->last_v_coll), "%s", sqlite3_vtab_collation(info, i));
  }
  if (eq >= 0) {
    info->aConstraintUsage[eq].argvIndex = 1;
    info->aConstraintUsage[eq].omit = 1;
    info->idxNum = 1;
    info->idxStr = sqlite3_mprintf("k=");
    info->needToFreeIdxStr = 1;
    info->estimatedCost = 1;
    info->estimatedRows = 1;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  } else {
    info->idxNum = 0;
    info->estimatedCost = 1000;
    info->estimatedRows = 100;
  }
  info->orderByConsumed = info->nOrderBy == 1 && info->aOrderBy[0].iColumn == 0 && !info->aOrderBy[0].desc;
  s->last_order_consumed = info->orderByConsumed;
  return SQLITE_OK;
}

static int kv_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **pp) {
  (void)vt;
  KvCur *c = sqlite3_malloc(sizeof(KvCur));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}
static int kv_close(sqlite3_vtab_cursor *cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int find(Store *s, sqlite3_int64 k) {
  for (int i = 0; i < s->n; i++)
    if (s->rows[i].k == k) return i;
  return -1;
}

static int kv_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv) {
  KvCur *c = (KvCur *)cur;
  Store *s = ((KvTab *)cur->pVtab)->s;
  s->n_filter++;
  s->last_idx_num = idx_num;
  snprintf(s->last_idx_str, sizeof(s->last_idx_str), "%s", idx_str ? idx_str : "(null)");
  c->i = 0;
  c->end = s->n;
  if (idx_num == 1 && argc == 1) {
    int i = find(s, sqlite3_value_int64(argv[0]));
    c->i = i < 0 ? 0 : i;
    c->end = i < 0 ? 0 : i + 1;
  }
  return SQLITE_OK;
}
static int kv_next(sqlite3_vtab_cursor *cur) {
  ((KvCur *)cur)->i++;
  return SQLITE_OK;
}
static int kv_eof(sqlite3_vtab_cursor *cur) {
  KvCur *c = (KvCur *)cur;
  return c->i >= c->end;
}
static int kv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  KvCur *c = (KvCur *)cur;
  Row *r = &((KvTab *)cur->pVtab)->s->rows[c->i];
  if (col == 0) sqlite3_result_int64(ctx, r->k);
  else if (col == 1) sqlite3_result_text(ctx, r->v, -1, SQLITE_TRANSIENT);
  else sqlite3_result_text(ctx, "tagged", -1, SQLITE_STATIC);
  return SQLITE_OK;
}
static int kv_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  KvCur *c = (KvCur *)cur;
  *rowid = ((KvTab *)cur->pVtab)->s->rows[c->i].k;
  return SQLITE_OK;
}

static void put(Store *s, sqlite3_int64 k, const char *v) {
  int at = 0;
  while (at < s->n && s->rows[at].k < k) at++;
  memmove(&s->rows[at + 1], &s->rows[at], sizeof(Row) * (size_t)(s->n - at));
  s->rows[at].k = k;
  snprintf(s->rows[at].v, sizeof(s->rows[at].v), "%s", v ? v : "");
  s->n++;
}
static void del(Store *s, int i) {
  memmove(&s->rows[i], &s->rows[i + 1], sizeof(Row) * (size_t)(s->n - i - 1));
  s->n--;
}

static int kv_update(sqlite3_vtab *vt, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
  Store *s = ((KvTab *)vt)->s;
  s->n_update++;
  s->last_update_argc = argc;
  if (argc == 1) {
    int i = find(s, sqlite3_value_int64(argv[0]));
    if (i >= 0) del(s, i);
    return SQLITE_OK;
  }
  sqlite3_int64 k = sqlite3_value_int64(argv[2]);
  const char *v = (const char *)sqlite3_value_text(argv[3]);
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    if (find(s, k) >= 0) {
      vt->zErrMsg = sqlite3_mprintf("duplicate k %lld", k);
      return SQLITE_CONSTRAINT;
    }
    put(s, k, v);
    *rowid = k;
    return SQLITE_OK;
  }
  int i = find(s, sqlite3_value_int64(argv[0]));
  if (i < 0) return SQLITE_OK;
  del(s, i);
  put(s, k, v);
  return SQLITE_OK;
}

static int kv_begin(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_begin++;
  return SQLITE_OK;
}
static int kv_sync(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_sync++;
  return SQLITE_OK;
}
static int kv_commit(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_commit++;
  return SQLITE_OK;
}
static int kv_rollback(sqlite3_vtab *vt) {
  ((KvTab *)vt)->s->n_rollback++;
  return SQLITE_OK;
}

static const sqlite3_module kv_module = {
    1,         kv_create, kv_connect, kv_best_index, kv_disconnect, kv_destroy, kv_open, kv_close, kv_filter,
    kv_next,   kv_eof,    kv_column,  kv_rowid,      kv_update,     kv_begin,   kv_sync, kv_commit, kv_rollback,
    NULL,      NULL,      NULL,       NULL,          NULL,          NULL};

static void store_free(void *p) { ((Store *)p)->freed++; }

/* An eponymous-only module (no xCreate): count(start, stop) -> value. */
typedef struct CntCur {
  sqlite3_vtab_cursor base;
  sqlite3_int64 i, stop;
} CntCur;
static int cnt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  (void)aux, (void)argc, (void)argv, (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(value, start HIDDEN, stop HIDDEN)");
  if (rc) return rc;
  *pp = sqlite3_malloc(sizeof(sqlite3_vtab));
  if (!*pp) return SQLITE_NOMEM;
  memset(*pp, 0, sizeof(sqlite3_vtab));
  return SQLITE_OK;
}
static int cnt_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}
static int cnt_best(sqlite3_vtab *vt, sqlite3_index_info *info) {
  (void)vt;
  int n = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (c->iColumn < 1 || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c->usable) return SQLITE_CONSTRAINT;
    info->aConstraintUsage[i].argvIndex = c->iColumn; /* start = 1, stop = 2 */
    info->aConstraintUsage[i].omit = 1;
    n++;
  }
  if (n != 2) {
    vt->zErrMsg = sqlite3_mprintf("count() needs start and stop");
    return SQLITE_ERROR;
  }
  info->estimatedCost = 10;
  return SQLITE_OK;
}
static int cnt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **pp) {
  (void)vt;
  CntCur *c = sqlite3_malloc(sizeof(CntCur));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}
static int cnt_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv) {
  (void)idx_num, (void)idx_str;
  CntCur *c = (CntCur *)cur;
  c->i = argc > 0 ? sqlite3_value_int64(argv[0]) : 0;
  c->stop = argc > 1 ? sqlite3_value_int64(argv[1]) : -1;
  return SQLITE_OK;
}
static int cnt_next(sqlite3_vtab_cursor *cur) {
  ((CntCur *)cur)->i++;
  return SQLITE_OK;
}
static int cnt_eof(sqlite3_vtab_cursor *cur) { return ((CntCur *)cur)->i > ((CntCur *)cur)->stop; }
static int cnt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  (void)col;
  sqlite3_result_int64(ctx, ((CntCur *)cur)->i);
  return SQLITE_OK;
}
static int cnt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *r) {
  *r = ((CntCur *)cur)->i;
  return SQLITE_OK;
}
static const sqlite3_module cnt_module = {0,       NULL,    cnt_connect, cnt_best, cnt_disconnect, NULL,
                                          cnt_open, kv_close, cnt_filter, cnt_next, cnt_eof,        cnt_column,
                                          cnt_rowid, NULL,  NULL,        NULL,     NULL,           NULL,
                                          NULL,     NULL,    NULL,        NULL,     NULL,           NULL};

static const char *q(sqlite3 *db, const char *sql) {
  static char out[4096];
  au_query(db, sql, out, sizeof(out));
  return out;
}

int main(void) {
  static Store s;
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  CHECK_INT(sqlite3_create_module_v2(db, "kvmod", &kv_module, &s, store_free), SQLITE_OK);
  CHECK_INT(sqlite3_create_module(db, "count", &cnt_module, NULL), SQLITE_OK);

  /* CREATE VIRTUAL TABLE: xCreate's argv and the stored text */
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE main.kv USING kvmod(a, 'b c' , x=(1,2))"), "");
  CHECK_INT(s.n_create, 1);
  CHECK_INT(s.create_argc, 6);
  CHECK_STR(s.create_args, "kvmod,main,kv,a,'b c',x=(1,2)");
  CHECK_STR(q(db, "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema"),
            "table|kv|kv|0|CREATE VIRTUAL TABLE kv USING kvmod(a, 'b c' , x=(1,2))");
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE kv USING kvmod"), "ERR 1 table kv already exists");
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE IF NOT EXISTS kv USING kvmod"), "");
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE kv2 USING kvmod(fail)"), "ERR 1 kv: refusing to create");
  CHECK_STR(q(db, "SELECT count(*) FROM sqlite_schema"), "1");
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE zz USING nosuch(1)"), "ERR 1 no such module: nosuch");

  /* INSERT through xUpdate: argc = 2 + columns (the hidden one too) */
  CHECK_STR(q(db, "INSERT INTO kv VALUES(3, 'three'); INSERT INTO kv(k, v) VALUES(1, 'one'), (2, 'two')"), "");
  CHECK_INT(s.last_update_argc, 5);
  CHECK_INT(sqlite3_last_insert_rowid(db), 2);
  CHECK_INT(sqlite3_changes(db), 2);
  CHECK_STR(q(db, "INSERT INTO kv VALUES(2, 'again')"), "ERR 19 duplicate k 2");
  CHECK_STR(q(db, "INSERT INTO kv VALUES(1)"), "ERR 1 table kv has 2 columns but 1 values were supplied");
  CHECK_STR(q(db, "INSERT INTO kv(nope) VALUES(1)"), "ERR 1 table kv has no column named nope");

  /* SELECT: full scan, then k = ? through argvIndex/omit/idxStr */
  CHECK_STR(q(db, "SELECT k, v FROM kv"), "1|one\n2|two\n3|three");
  CHECK_INT(s.last_idx_num, 0);
  CHECK_STR(q(db, "SELECT v FROM kv WHERE k = 2"), "two");
  CHECK_INT(s.last_idx_num, 1);
  CHECK_STR(s.last_idx_str, "k=");
  CHECK_STR(q(db, "SELECT v FROM kv WHERE k = 2 + 1 AND v LIKE 't%'"), "three");
  {
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT v FROM kv WHERE k = ?", -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 3), "SCAN kv VIRTUAL TABLE INDEX 1:k=");
    sqlite3_finalize(st);
  }
  CHECK_STR(q(db, "SELECT tag, k FROM kv WHERE k = 1"), "tagged|1");
  /* the collation of a constraint (sqlite3_vtab_collation) */
  CHECK_STR(q(db, "SELECT k FROM kv WHERE v = 'ONE' COLLATE NOCASE"), "1");
  CHECK_STR(s.last_v_coll, "NOCASE");
  CHECK_STR(q(db, "SELECT k FROM kv WHERE v > 'p'"), "2\n3");
  CHECK_STR(s.last_v_coll, "BINARY");
  CHECK_INT(s.last_n_cons, 1);
  CHECK_STR(q(db, "SELECT * FROM kv WHERE k = 1"), "1|one");
  CHECK_STR(q(db, "SELECT rowid, k FROM kv WHERE rowid > 2"), "3|3");

  /* ORDER BY k is consumed (no sorter); DESC is not */
  CHECK_STR(q(db, "SELECT k FROM kv ORDER BY k"), "1\n2\n3");
  CHECK_INT(s.last_order_consumed, 1);
  CHECK_STR(q(db, "SELECT k FROM kv ORDER BY k DESC"), "3\n2\n1");
  CHECK_INT(s.last_order_consumed, 0);
  {
    sqlite3_stmt *st = NULL;
    int n = 0;
    CHECK_INT(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT k FROM kv ORDER BY k", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) n++;
    CHECK_INT(n, 1); /* no "USE TEMP B-TREE FOR ORDER BY" */
    sqlite3_finalize(st);
  }

  /* joins: the constraint k = t.x is usable only with t outside */
  CHECK_STR(q(db, "CREATE TABLE t(x); INSERT INTO t VALUES(2),(3),(9)"), "");
  CHECK_STR(q(db, "SELECT t.x, kv.v FROM t, kv WHERE kv.k = t.x ORDER BY 1"), "2|two\n3|three");
  CHECK_INT(s.last_idx_num, 1);
  CHECK_STR(q(db, "SELECT t.x, kv.v FROM t LEFT JOIN kv ON kv.k = t.x ORDER BY 1"), "2|two\n3|three\n9|");

  /* hidden columns: a table-valued function argument */
  CHECK_STR(q(db, "SELECT count(*) FROM kv('tagged')"), "3");
  CHECK_STR(q(db, "SELECT count(*) FROM kv('other')"), "0");
  CHECK_STR(q(db, "SELECT * FROM kv('a', 'b')"), "ERR 1 too many arguments on kv() - max 1");

  /* UPDATE and DELETE */
  CHECK_STR(q(db, "UPDATE kv SET v = upper(v) WHERE k >= 2"), "");
  CHECK_INT(sqlite3_changes(db), 2);
  CHECK_INT(s.last_update_argc, 5);
  CHECK_STR(q(db, "UPDATE kv SET k = 10 WHERE k = 1"), "");
  CHECK_STR(q(db, "SELECT k, v FROM kv"), "2|TWO\n3|THREE\n10|one");
  CHECK_STR(q(db, "DELETE FROM kv WHERE v = 'TWO'"), "");
  CHECK_INT(sqlite3_changes(db), 1);
  CHECK_INT(s.last_update_argc, 1);
  CHECK_STR(q(db, "SELECT k FROM kv"), "3\n10");

  /* INSERT ... SELECT from the table itself: the rows are gathered first */
  CHECK_STR(q(db, "INSERT INTO kv SELECT k + 100, v || '!' FROM kv"), "");
  CHECK_STR(q(db, "SELECT k, v FROM kv"), "3|THREE\n10|one\n103|THREE!\n110|one!");
  CHECK_STR(q(db, "DELETE FROM kv WHERE k > 100"), "");
  CHECK_INT(sqlite3_changes(db), 2);

  /* transactions: xBegin once per transaction, xSync + xCommit, xRollback */
  int b0 = s.n_begin, c0 = s.n_commit, r0 = s.n_rollback, y0 = s.n_sync;
  CHECK_STR(q(db, "BEGIN; INSERT INTO kv VALUES(20, 'x'); INSERT INTO kv VALUES(21, 'y'); COMMIT"), "");
  CHECK_INT(s.n_begin - b0, 1);
  CHECK_INT(s.n_sync - y0, 1);
  CHECK_INT(s.n_commit - c0, 1);
  CHECK_STR(q(db, "BEGIN; DELETE FROM kv WHERE k = 20; ROLLBACK"), "");
  CHECK_INT(s.n_begin - b0, 2);
  CHECK_INT(s.n_rollback - r0, 1);

  /* an eponymous-only module as a table-valued function */
  CHECK_STR(q(db, "SELECT group_concat(value) FROM count(2, 5)"), "2,3,4,5");
  CHECK_STR(q(db, "SELECT t.x, c.value FROM t, count(1, t.x) c WHERE t.x < 3"), "2|1\n2|2");
  CHECK_STR(q(db, "SELECT * FROM count(1)"), "ERR 1 count() needs start and stop");
  CHECK_STR(q(db, "CREATE VIRTUAL TABLE c2 USING count"), "ERR 1 no such module: count");

  /* a second connection sees the table through xConnect */
  {
    sqlite3 *db2 = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db2), SQLITE_OK);
    CHECK_STR(q(db2, "SELECT 1 FROM json_each('[1]')"), "1");
    sqlite3_close(db2);
  }

  /* DROP TABLE: xDestroy */
  CHECK_STR(q(db, "DROP TABLE kv"), "");
  CHECK_INT(s.n_destroy, 1);
  CHECK_STR(q(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'kv'"), "0");
  CHECK_STR(q(db, "SELECT * FROM kv"), "ERR 1 no such table: kv");

  /* the client-data destructor runs when the module goes (at close) */
  CHECK_INT(s.freed, 0);
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
  CHECK_INT(s.freed, 1);

  /* a module replaced by another registration frees its data at once;
  ** drop_modules keeps the listed ones */
  {
    static Store s2, s3;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(sqlite3_create_module_v2(db, "m1", &kv_module, &s2, store_free), SQLITE_OK);
    CHECK_INT(sqlite3_create_module_v2(db, "m2", &kv_module, &s3, store_free), SQLITE_OK);
    const char *keep[] = {"m2", NULL};
    CHECK_INT(sqlite3_drop_modules(db, keep), SQLITE_OK);
    CHECK_INT(s2.freed, 1);
    CHECK_INT(s3.freed, 0);
    CHECK_STR(q(db, "CREATE VIRTUAL TABLE a USING m1"), "ERR 1 no such module: m1");
    CHECK_STR(q(db, "CREATE VIRTUAL TABLE b USING m2"), "");
    /* json_each went too (SQLite registers it at open); pragma_* are made on demand */
    CHECK_STR(q(db, "SELECT * FROM json_each('[1]')"), "ERR 1 no such table: json_each");
    CHECK_STR(q(db, "SELECT count(*) FROM pragma_table_info('b')"), "2");
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
    CHECK_INT(s3.freed, 1);
  }
  return testlib_finish("api_vtab");
}
