/*
** api_extras.c — less common entry points, through the public API only (the
** same program links with the system libsqlite3 and passes there):
**   (a) sqlite3_collation_needed / _needed16: asked once for an unknown
**       collation, which it may then register; without one, "no such
**       collation sequence: X";
**   (b) sqlite3_create_function16, sqlite3_create_collation16,
**       sqlite3_complete16, sqlite3_db_name;
**   (c) sqlite3_trace_v2 STMT/ROW/PROFILE events (also when a run is reset
**       early) and the legacy sqlite3_trace (expanded SQL) / sqlite3_profile;
**   (d) sqlite3_load_extension fails ("not authorized" once disabled).
**   cc -Itests/unit tests/unit/api_extras.c tests/unit/testlib.c -lsqlite3
*/
#include "testlib.h"
#include "api_util.h"

static char out[4096];
static const char *q(sqlite3 *db, const char *sql) {
  au_query(db, sql, out, sizeof out);
  return out;
}

/* "rev": reverse binary order */
static int rev_cmp(void *arg, int n1, const void *a, int n2, const void *b) {
  (void)arg;
  int n = n1 < n2 ? n1 : n2;
  int c = memcmp(a, b, (size_t)n);
  if (c == 0) c = n1 - n2;
  return -c;
}

static int needed_calls;
static char needed_name[64];
static void on_needed(void *arg, sqlite3 *db, int enc, const char *name) {
  (void)arg;
  (void)enc;
  needed_calls++;
  snprintf(needed_name, sizeof needed_name, "%s", name);
  if (strcmp(name, "rev") == 0) sqlite3_create_collation(db, "rev", SQLITE_UTF8, NULL, rev_cmp);
}

static void on_needed16(void *arg, sqlite3 *db, int enc, const void *name16) {
  (void)arg;
  (void)enc;
  needed_calls++;
  const unsigned short *w = name16;
  int i = 0;
  for (; w[i] && i < 63; i++) needed_name[i] = (char)w[i];
  needed_name[i] = 0;
  if (strcmp(needed_name, "rev16") == 0) sqlite3_create_collation(db, "rev16", SQLITE_UTF8, NULL, rev_cmp);
}

static void test_collation_needed(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  CHECK_STR(q(db, "SELECT 'a' < 'b' COLLATE nosuch"), "ERR 1 no such collation sequence: nosuch");
  CHECK_INT(sqlite3_collation_needed(db, NULL, on_needed), SQLITE_OK);
  needed_calls = 0;
  CHECK_STR(q(db, "SELECT 'a' < 'b' COLLATE rev, 'a' < 'b'"), "0|1");
  CHECK_INT(needed_calls, 1);
  CHECK_STR(needed_name, "rev");
  CHECK_STR(q(db, "SELECT 'b' < 'a' COLLATE rev"), "1");
  CHECK_INT(needed_calls, 1); /* registered now: not asked again */
  CHECK_STR(q(db, "CREATE TABLE t(x COLLATE other)"), "ERR 1 no such collation sequence: other");
  CHECK_INT(needed_calls, 2);
  CHECK_STR(needed_name, "other");
  CHECK_INT(sqlite3_collation_needed16(db, NULL, on_needed16), SQLITE_OK);
  CHECK_STR(q(db, "CREATE TABLE t(x COLLATE rev16); INSERT INTO t VALUES('a'),('c'),('b');"
                  "SELECT group_concat(x, '') FROM (SELECT x FROM t ORDER BY x)"),
            "cba");
  CHECK_INT(needed_calls, 3);
  CHECK_STR(needed_name, "rev16");
  sqlite3_close(db);
}

static void twice(sqlite3_context *c, int n, sqlite3_value **v) {
  (void)n;
  sqlite3_result_int64(c, 2 * sqlite3_value_int64(v[0]));
}

static void test_utf16_and_names(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  static const unsigned short fname[] = {'t', 'w', 'i', 'c', 'e', '1', '6', 0};
  static const unsigned short cname[] = {'r', 'e', 'v', 'e', 'r', 's', 'e', 0};
  CHECK_INT(sqlite3_create_function16(db, fname, 1, SQLITE_UTF8, NULL, twice, NULL, NULL), SQLITE_OK);
  CHECK_STR(q(db, "SELECT twice16(21)"), "42");
  CHECK_INT(sqlite3_create_collation16(db, cname, SQLITE_UTF8, NULL, rev_cmp), SQLITE_OK);
  CHECK_STR(q(db, "SELECT 'a' < 'b' COLLATE reverse"), "0");
  static const unsigned short done[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', ';', 0};
  static const unsigned short open_[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', 'x', 0};
  CHECK_INT(sqlite3_complete16(done), 1);
  CHECK_INT(sqlite3_complete16(open_), 0);
  sqlite3 *db16 = NULL; /* sqlite3_open16: a UTF-16 path (here ":memory:") */
  static const unsigned short mem16[] = {':', 'm', 'e', 'm', 'o', 'r', 'y', ':', 0};
  CHECK_INT(sqlite3_open16(mem16, &db16), SQLITE_OK);
  CHECK_STR(q(db16, "SELECT 6 * 7"), "42");
  CHECK_STR(sqlite3_db_filename(db16, "main"), "");
  sqlite3_close(db16);
  CHECK_STR(sqlite3_db_name(db, 0), "main");
  CHECK_STR(sqlite3_db_name(db, 1), "temp");
  CHECK(sqlite3_db_name(db, 2) == NULL);
  CHECK_STR(q(db, "ATTACH ':memory:' AS aux"), "");
  CHECK_STR(sqlite3_db_name(db, 2), "aux");
  CHECK(sqlite3_db_name(db, 3) == NULL);
  CHECK(sqlite3_db_name(db, -1) == NULL);
  sqlite3_close(db);
}

static int n_stmt, n_row, n_profile;
static char stmt_sql[256];
static int on_trace(unsigned event, void *ctx, void *p, void *x) {
  (void)ctx;
  (void)p;
  if (event == SQLITE_TRACE_STMT) {
    n_stmt++;
    snprintf(stmt_sql, sizeof stmt_sql, "%s", (const char *)x);
  } else if (event == SQLITE_TRACE_ROW) {
    n_row++;
  } else if (event == SQLITE_TRACE_PROFILE) {
    n_profile++;
    CHECK(*(sqlite3_int64 *)x >= 0);
  }
  return 0;
}

static char legacy_sql[256];
static int n_legacy, n_legacy_profile;
static void on_legacy(void *arg, const char *sql) {
  (void)arg;
  n_legacy++;
  snprintf(legacy_sql, sizeof legacy_sql, "%s", sql);
}
static void on_legacy_profile(void *arg, const char *sql, sqlite3_uint64 ns) {
  (void)arg;
  (void)ns;
  (void)sql;
  n_legacy_profile++;
}

static void test_trace(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  CHECK_INT(sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE, on_trace, NULL),
            SQLITE_OK);
  CHECK_STR(q(db, "SELECT 1 UNION ALL SELECT 2"), "1\n2");
  CHECK_INT(n_stmt, 1);
  CHECK_STR(stmt_sql, "SELECT 1 UNION ALL SELECT 2");
  CHECK_INT(n_row, 2);
  CHECK_INT(n_profile, 1);
  /* a run reset after its first row still reports its time */
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT 1 UNION ALL SELECT 2", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(n_profile, 1);
  sqlite3_reset(st);
  CHECK_INT(n_profile, 2);
  CHECK_INT(n_stmt, 2);
  sqlite3_finalize(st);
  CHECK_INT(n_profile, 2); /* nothing was running */
  /* only the events asked for */
  CHECK_INT(sqlite3_trace_v2(db, SQLITE_TRACE_ROW, on_trace, NULL), SQLITE_OK);
  n_stmt = n_row = n_profile = 0;
  CHECK_STR(q(db, "SELECT 3"), "3");
  CHECK_INT(n_stmt, 0);
  CHECK_INT(n_row, 1);
  CHECK_INT(n_profile, 0);
  CHECK_INT(sqlite3_trace_v2(db, 0, NULL, NULL), SQLITE_OK);
  /* the legacy pair: the trace callback sees the SQL with parameters
  ** expanded; sqlite3_profile silences it (SQLite 3.40 does so too) */
  sqlite3_trace(db, on_legacy, NULL);
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT ?1 + 1", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int(st, 1, 41);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_column_int(st, 0), 42);
  CHECK_INT(sqlite3_step(st), SQLITE_DONE);
  CHECK_INT(n_legacy, 1);
  CHECK_STR(legacy_sql, "SELECT 41 + 1");
  sqlite3_profile(db, on_legacy_profile, NULL);
  sqlite3_reset(st);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  CHECK_INT(n_legacy, 1);
  CHECK_INT(n_legacy_profile, 1);
  /* trace_v2 and sqlite3_profile run side by side */
  n_stmt = 0;
  CHECK_INT(sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_trace, NULL), SQLITE_OK);
  sqlite3_profile(db, on_legacy_profile, NULL);
  CHECK_STR(q(db, "SELECT 5"), "5");
  CHECK_INT(n_stmt, 1);
  CHECK_INT(n_legacy_profile, 2);
  CHECK_INT(sqlite3_trace_v2(db, 0, NULL, NULL), SQLITE_OK); /* ends both */
  CHECK_STR(q(db, "SELECT 6"), "6");
  CHECK_INT(n_stmt, 1);
  CHECK_INT(n_legacy_profile, 2);
  sqlite3_trace(db, on_legacy, NULL);
  sqlite3_trace(db, NULL, NULL);
  CHECK_STR(q(db, "SELECT 1"), "1");
  CHECK_INT(n_legacy, 1);
  sqlite3_close(db);
}

static void test_load_extension(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  CHECK_INT(sqlite3_load_extension(db, "/nonexistent/ext.so", NULL, &err), SQLITE_ERROR);
  CHECK(err != NULL);
  sqlite3_free(err);
  CHECK_INT(sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL), SQLITE_OK);
  err = NULL;
  CHECK_INT(sqlite3_load_extension(db, "/nonexistent/ext.so", NULL, &err), SQLITE_ERROR);
  CHECK_STR(err ? err : "", "not authorized");
  sqlite3_free(err);
  CHECK_INT(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
  err = NULL;
  CHECK_INT(sqlite3_load_extension(db, "/nonexistent/ext.so", NULL, &err), SQLITE_ERROR);
  CHECK(err != NULL);
  sqlite3_free(err);
  CHECK_STR(q(db, "SELECT 1"), "1"); /* the connection goes on */
  sqlite3_close(db);
}

int main(void) {
  test_collation_needed();
  test_utf16_and_names();
  test_trace();
  test_load_extension();
  return testlib_finish("api_extras");
}
