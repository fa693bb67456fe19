/*
** api_blob.c — sqlite3_txn_state and incremental BLOB I/O (sqlite3_blob_*):
** open errors (no such table / column / rowid, views, WITHOUT ROWID,
** values that are not text or blob, indexed and foreign key columns for
** writing), read/write ranges, SQLITE_READONLY, SQLITE_ABORT once the row
** changed or was deleted, reopen, sizes that never change.  Public API only;
** passes against the system libsqlite3 too (make api-oracle):
**   cc -Itests/unit tests/unit/api_blob.c tests/unit/testlib.c -lsqlite3
*/
#include <string.h>
#include "testlib.h"
#include "api_util.h"

static void exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) testlib_fail(__FILE__, __LINE__, "exec %s: %s", sql, err ? err : "?");
  sqlite3_free(err);
}

static const char *q(sqlite3 *db, const char *sql) {
  static char out[4096];
  au_query(db, sql, out, sizeof(out));
  return out;
}

static void test_txn_state(const char *path) {
  sqlite3 *db = NULL;
  au_unlink_db(path);
  CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
  exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(1)");
  CHECK_INT(sqlite3_txn_state(db, NULL), SQLITE_TXN_NONE);
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_NONE);
  CHECK_INT(sqlite3_txn_state(db, "nosuch"), -1);
  exec(db, "BEGIN");
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_NONE);
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT a FROM t", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_READ);
  CHECK_INT(sqlite3_txn_state(db, NULL), SQLITE_TXN_READ);
  sqlite3_finalize(st);
  exec(db, "INSERT INTO t VALUES(2)");
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_WRITE);
  CHECK_INT(sqlite3_txn_state(db, "MAIN"), SQLITE_TXN_WRITE);
  CHECK_INT(sqlite3_txn_state(db, NULL), SQLITE_TXN_WRITE);
  CHECK_INT(sqlite3_txn_state(db, "temp"), SQLITE_TXN_NONE);
  exec(db, "COMMIT");
  CHECK_INT(sqlite3_txn_state(db, NULL), SQLITE_TXN_NONE);
  exec(db, "BEGIN IMMEDIATE");
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_WRITE);
  exec(db, "ROLLBACK");
  CHECK_INT(sqlite3_txn_state(db, "main"), SQLITE_TXN_NONE);
  sqlite3_close(db);
  au_unlink_db(path);
}

static void test_open_errors(sqlite3 *db) {
  sqlite3_blob *b = (sqlite3_blob *)1;
  CHECK_INT(sqlite3_blob_open(db, "main", "nosuch", "x", 1, 0, &b), SQLITE_ERROR);
  CHECK(b == NULL);
  CHECK_STR(sqlite3_errmsg(db), "no such table: main.nosuch");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "nosuch", 1, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "no such column: \"nosuch\"");
  CHECK_INT(sqlite3_blob_open(db, "main", "v", "a", 1, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open view: v");
  CHECK_INT(sqlite3_blob_open(db, "main", "w", "b", 1, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open table without rowid: w");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 99, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "no such rowid: 99");
  CHECK(b == NULL);
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 3, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open value of type null");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 4, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open value of type integer");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 5, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open value of type real");
  /* the rowid alias: its record field is NULL */
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "id", 1, 0, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open value of type null");
  /* writing: indexed columns, foreign key columns */
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "tag", 1, 1, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open indexed column for writing");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "tag", 1, 0, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_bytes(b), 3);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  exec(db, "PRAGMA foreign_keys = ON");
  CHECK_INT(sqlite3_blob_open(db, "main", "c", "ref", 1, 1, &b), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open foreign key column for writing");
  exec(db, "PRAGMA foreign_keys = OFF");
  CHECK_INT(sqlite3_blob_open(db, "main", "c", "ref", 1, 1, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_close(NULL), SQLITE_OK);
}

static void test_read_write(sqlite3 *db) {
  sqlite3_blob *b = NULL;
  unsigned char buf[64];
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 1, 0, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_bytes(b), 10);
  memset(buf, 0, sizeof buf);
  CHECK_INT(sqlite3_blob_read(b, buf, 10, 0), SQLITE_OK);
  CHECK(memcmp(buf, "0123456789", 10) == 0);
  CHECK_INT(sqlite3_blob_read(b, buf, 3, 7), SQLITE_OK);
  CHECK(memcmp(buf, "789", 3) == 0);
  CHECK_INT(sqlite3_blob_read(b, buf, 0, 10), SQLITE_OK);
  CHECK_INT(sqlite3_blob_read(b, buf, 4, 8), SQLITE_ERROR);
  CHECK_INT(sqlite3_blob_read(b, buf, -1, 0), SQLITE_ERROR);
  CHECK_INT(sqlite3_blob_read(b, buf, 1, -1), SQLITE_ERROR);
  /* a read-only handle */
  CHECK_INT(sqlite3_blob_write(b, "xx", 2, 0), SQLITE_READONLY);
  /* reopen on another row: a text value is readable as bytes */
  CHECK_INT(sqlite3_blob_reopen(b, 2), SQLITE_OK);
  CHECK_INT(sqlite3_blob_bytes(b), 5);
  CHECK_INT(sqlite3_blob_read(b, buf, 5, 0), SQLITE_OK);
  CHECK(memcmp(buf, "hello", 5) == 0);
  /* reopen on a bad row invalidates the handle */
  CHECK_INT(sqlite3_blob_reopen(b, 3), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "cannot open value of type null");
  CHECK_INT(sqlite3_blob_read(b, buf, 1, 0), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_reopen(b, 1), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_bytes(b), 0);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);

  /* writing */
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 1, 1, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_write(b, "AB", 2, 3), SQLITE_OK);
  CHECK_STR(q(db, "SELECT CAST(data AS TEXT), typeof(data) FROM t WHERE id = 1"), "012AB56789|blob");
  CHECK_INT(sqlite3_blob_read(b, buf, 10, 0), SQLITE_OK);
  CHECK(memcmp(buf, "012AB56789", 10) == 0);
  CHECK_INT(sqlite3_blob_write(b, "xyz", 3, 8), SQLITE_ERROR); /* the size never changes */
  CHECK_INT(sqlite3_blob_write(b, "Z", 1, 9), SQLITE_OK);
  CHECK_STR(q(db, "SELECT CAST(data AS TEXT) FROM t WHERE id = 1"), "012AB5678Z");
  CHECK_INT(sqlite3_blob_reopen(b, 2), SQLITE_OK);
  CHECK_INT(sqlite3_blob_write(b, "J", 1, 0), SQLITE_OK);
  CHECK_STR(q(db, "SELECT data, typeof(data) FROM t WHERE id = 2"), "Jello|text");
  /* the row changes under the handle: SQLITE_ABORT from then on */
  exec(db, "UPDATE t SET data = 'other' WHERE id = 2");
  CHECK_INT(sqlite3_blob_read(b, buf, 1, 0), SQLITE_ABORT);
  CHECK_INT(sqlite3_errcode(db), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_write(b, "x", 1, 0), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_read(b, buf, 1, 0), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  /* deleted */
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 1, 0, &b), SQLITE_OK);
  exec(db, "DELETE FROM t WHERE id = 1");
  CHECK_INT(sqlite3_blob_read(b, buf, 1, 0), SQLITE_ABORT);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  /* an empty blob */
  exec(db, "INSERT INTO t(id, data) VALUES(6, x'')");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 6, 1, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_bytes(b), 0);
  CHECK_INT(sqlite3_blob_read(b, buf, 0, 0), SQLITE_OK);
  CHECK_INT(sqlite3_blob_write(b, "a", 1, 0), SQLITE_ERROR);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  /* a zeroblob filled in place, inside a transaction */
  exec(db, "BEGIN; INSERT INTO t(id, data) VALUES(7, zeroblob(5000))");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 7, 1, &b), SQLITE_OK);
  CHECK_INT(sqlite3_blob_bytes(b), 5000);
  unsigned char big[5000];
  for (int i = 0; i < 5000; i++) big[i] = (unsigned char)(i * 7);
  CHECK_INT(sqlite3_blob_write(b, big, 5000, 0), SQLITE_OK);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  exec(db, "COMMIT");
  CHECK_INT(sqlite3_blob_open(db, "main", "t", "data", 7, 0, &b), SQLITE_OK);
  unsigned char back[5000];
  CHECK_INT(sqlite3_blob_read(b, back, 5000, 0), SQLITE_OK);
  CHECK(memcmp(big, back, 5000) == 0);
  CHECK_INT(sqlite3_blob_read(b, back, 100, 4900), SQLITE_OK);
  CHECK(memcmp(big + 4900, back, 100) == 0);
  CHECK_INT(sqlite3_blob_close(b), SQLITE_OK);
  CHECK_STR(q(db, "SELECT length(data), hex(substr(data, 4999)) FROM t WHERE id = 7"), "5000|AAB1");
}

int main(void) {
  char path[256];
  snprintf(path, sizeof(path), "/tmp/shale_api_blob_%d.db", (int)getpid());
  test_txn_state(path);
  au_unlink_db(path);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
  exec(db,
       "CREATE TABLE t(id INTEGER PRIMARY KEY, data, tag);"
       "CREATE INDEX t_tag ON t(tag);"
       "INSERT INTO t VALUES(1, CAST('0123456789' AS BLOB), 'abc'), (2, 'hello', 'x'), (3, NULL, 'y'),"
       "  (4, 42, 'z'), (5, 1.5, 'w');"
       "CREATE VIEW v AS SELECT 1 AS a;"
       "CREATE TABLE w(a PRIMARY KEY, b) WITHOUT ROWID;"
       "CREATE TABLE p(k PRIMARY KEY);"
       "CREATE TABLE c(ref REFERENCES p(k), note);"
       "INSERT INTO p VALUES(x'01'); INSERT INTO c VALUES(x'01', 'n');");
  test_open_errors(db);
  test_read_write(db);
  sqlite3_close(db);
  au_unlink_db(path);
  return testlib_finish("api_blob");
}
