/*
** api_async_err.c — a failed commit on an asynchronous VFS.  "faulty" over
** "pending" (every read, and writes/syncs at random, complete only in
** poll()) fails every write from some point on with SQLITE_FULL, as a JS
** storage over its quota does.  Like SQLite (and like the synchronous VFS,
** see api_vfs_shim.c): the failed autocommit statement is rolled back at
** once, so the next statement on the connection works, and the file holds
** only what was committed.  The same with WAL, and with the rollback-journal
** modes' failure at each write of the commit; and a commit hook's
** rollback, which PENDINGs as well.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "api_util.h"
#include "../../engine/vfs/vfs_faulty.h"

static char g_db[256];

/* Fail the nth write of the INSERT (and every later one while sticky), then
** check the connection recovers. */
static void one(const char *mode, int nth, int sticky, int *nfail) {
  char out[512], sql[256];
  au_unlink_db(g_db);
  shale_faulty_reset();
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "faulty"), SQLITE_OK);
  snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s; CREATE TABLE t(x); INSERT INTO t VALUES('before')", mode);
  CHECK_INT(au_query(db, sql, out, sizeof out), SQLITE_OK);
  int base_ops = shale_faulty_op_count();
  shale_faulty_fail_write(base_ops + nth, SQLITE_FULL, sticky);
  int rc = sqlite3_exec(db, "INSERT INTO t VALUES('a')", 0, 0, 0);
  /* The op counter counts syncs too: a fault that only meets syncs, or
  ** writes after the commit point, is none; the INSERT then succeeded. */
  int wrote_all = rc == SQLITE_OK;
  if (!wrote_all) {
    if ((rc & 0xff) != SQLITE_FULL)
      fprintf(stderr, "api_async_err %s write %d sticky %d: INSERT rc %d\n", mode, nth, sticky, rc);
    CHECK_INT(rc & 0xff, SQLITE_FULL);
    CHECK_INT(sqlite3_get_autocommit(db), 1);
    (*nfail)++;
  }
  shale_faulty_fail_write(0, 0, 0); /* writes work again (reset would free open files' state) */
  /* the next statement works (not the sticky error of the failed commit) */
  rc = au_query(db, "INSERT INTO t VALUES('b')", out, sizeof out);
  if (rc != SQLITE_OK) fprintf(stderr, "api_async_err %s write %d sticky %d: %s\n", mode, nth, sticky, out);
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT group_concat(x) FROM t", out, sizeof out), SQLITE_OK);
  CHECK_STR(out, wrote_all ? "before,a,b" : "before,b");
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
  /* a fresh connection sees the same, and an intact file */
  CHECK_INT(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE, "pending"), SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT group_concat(x) FROM t; PRAGMA integrity_check", out, sizeof out), SQLITE_OK);
  CHECK_STR(out, wrote_all ? "before,a,b\nok" : "before,b\nok");
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
}

static int reject(void *arg) {
  (*(int *)arg)++;
  return 1;
}

/* A commit hook that turns the commit into a rollback: that rollback reads
** the journal, which PENDINGs too; it must complete all the same. */
static void commit_hook_rollback(const char *mode) {
  char out[512], sql[256];
  au_unlink_db(g_db);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "pending"), SQLITE_OK);
  snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s; CREATE TABLE t(x); INSERT INTO t VALUES('before')", mode);
  CHECK_INT(au_query(db, sql, out, sizeof out), SQLITE_OK);
  int calls = 0;
  sqlite3_commit_hook(db, reject, &calls);
  CHECK_INT(sqlite3_exec(db, "INSERT INTO t VALUES('a')", 0, 0, 0), SQLITE_CONSTRAINT);
  CHECK_INT(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_COMMITHOOK);
  CHECK_INT(calls, 1);
  CHECK_INT(sqlite3_get_autocommit(db), 1);
  sqlite3_commit_hook(db, NULL, NULL);
  CHECK_INT(au_query(db, "INSERT INTO t VALUES('b'); SELECT group_concat(x) FROM t", out, sizeof out), SQLITE_OK);
  CHECK_STR(out, "before,b");
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
}

int main(void) {
  setenv("SHALE_PENDING_EVERY_READ", "1", 1);
  snprintf(g_db, sizeof g_db, "/tmp/shale_api_async_err_%d.db", (int)getpid());
  shale_faulty_set_base("pending");
  static const char *modes[] = {"DELETE", "TRUNCATE", "PERSIST", "WAL"};
  for (int m = 0; m < 4; m++) {
    int nfail = 0;
    for (int nth = 1; nth <= 6; nth++) {
      one(modes[m], nth, 1, &nfail);
      one(modes[m], nth, 0, &nfail);
    }
    /* the first write always precedes the commit point (WAL: one frame
    ** write and one sync in all; the journal modes: several writes) */
    int want = m == 3 ? 2 : 6;
    if (nfail < want) fprintf(stderr, "api_async_err %s: only %d INSERTs failed\n", modes[m], nfail);
    CHECK(nfail >= want);
  }
  for (int m = 0; m < 4; m++) commit_hook_rollback(modes[m]);
  shale_faulty_set_base(NULL);
  shale_faulty_reset();
  au_unlink_db(g_db);
  return testlib_finish("api_async_err");
}
