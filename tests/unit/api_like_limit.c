/*
** api_like_limit.c — SQLITE_LIMIT_LIKE_PATTERN_LENGTH, read by like()/glob()
** on every call (a prepared statement whose pattern is analysed once must
** still see a limit lowered between executions).  Public API only: the
** expectations are SQLite 3.40's (the same checks pass against the system
** libsqlite3: cc -Itests/unit tests/unit/api_like_limit.c
** tests/unit/testlib.c -lsqlite3).
*/
#include <stdio.h>
#include <string.h>
#include "testlib.h"
#include "sqlite3.h"

/* The message is copied: sqlite3_reset sets the error again, which frees
** the string sqlite3_errmsg returned. */
static char g_msg[256];
static int run(sqlite3 *db, sqlite3_stmt *st, long long *out, const char **err) {
  int rc;
  *out = -1;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  snprintf(g_msg, sizeof g_msg, "%s", rc == SQLITE_DONE ? "" : sqlite3_errmsg(db));
  *err = g_msg;
  sqlite3_reset(st);
  return rc;
}

int main(void) {
  sqlite3 *db;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  CHECK_INT(sqlite3_exec(db,
                         "CREATE TABLE t(v); INSERT INTO t VALUES('abcdef'), ('abc'), ('xyz'), ('ABCDEFGH');",
                         NULL, NULL, NULL),
            SQLITE_OK);
  CHECK_INT(sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1), 50000);
  sqlite3_stmt *st = NULL, *gl = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE v LIKE 'abc%'", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE v GLOB '*c*'", -1, &gl, NULL), SQLITE_OK);
  long long n;
  const char *err;
  CHECK_INT(run(db, st, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 3);
  CHECK_INT(run(db, gl, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 2);
  /* exactly the pattern's length is allowed, one less is not */
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 4);
  CHECK_INT(run(db, st, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 3);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 3);
  CHECK_INT(run(db, st, &n, &err), SQLITE_ERROR);
  CHECK_STR(err, "LIKE or GLOB pattern too complex");
  CHECK_INT(run(db, gl, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 2);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 0);
  CHECK_INT(run(db, gl, &n, &err), SQLITE_ERROR);
  CHECK_STR(err, "LIKE or GLOB pattern too complex");
  /* back up: the same statements work again */
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100);
  CHECK_INT(run(db, st, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 3);
  CHECK_INT(run(db, gl, &n, &err), SQLITE_DONE);
  CHECK_INT(n, 2);
  sqlite3_finalize(st);
  sqlite3_finalize(gl);
  sqlite3_close(db);
  return testlib_finish("api_like_limit");
}
