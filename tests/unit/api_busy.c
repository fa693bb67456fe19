/*
** api_busy.c — busy handling.  The engine never sleeps: a lock SQLite would
** wait for with the busy handler comes back up to the API layer, which
** calls the handler (sqlite3_step, sqlite3_prepare, ...; shale_io_wait for
** async hosts) and re-executes.  Checked here:
**  (a) the handler's call counts (0, 1, 2, ... until it returns 0) for a
**      writer blocked by RESERVED, a reader blocked by EXCLUSIVE, a COMMIT
**      blocked by a reader (SHARED) and a BEGIN IMMEDIATE; the statement
**      then fails with SQLITE_BUSY and is retryable; an upgrade inside a
**      read transaction does not call the handler (SQLite's deadlock rule);
**      busy_timeout waits and gives up after about the timeout.
**  (b) (Shale only) shale_step_async returns SHALE_IO while the lock is
**      held instead of sleeping; shale_io_wait runs the handler; the
**      statement then completes once the holder commits.
** The part (a) expectations are SQLite's: this file passes linked with the
** system libsqlite3 too:
**   cc -Itests/unit tests/unit/api_busy.c tests/unit/testlib.c -lsqlite3
*/
#include "testlib.h"
#include "api_util.h"
#include <time.h>
#if defined(__has_include)
#if __has_include("shale.h")
#include "shale.h"
#endif
#endif

static char g_db[256];

typedef struct Busy {
  int calls;
  int counts[64];
  int give_up_at; /* return 0 when count reaches this */
  sqlite3 *release_db; /* if set: commit this connection at count 2 */
} Busy;

static int handler(void *arg, int count) {
  Busy *b = arg;
  if (b->calls < 64) b->counts[b->calls] = count;
  b->calls++;
  if (b->release_db && count == 2) {
    sqlite3_exec(b->release_db, "COMMIT", NULL, NULL, NULL);
  }
  return count < b->give_up_at;
}

static sqlite3 *open_db(const char *vfs) {
  sqlite3 *db = NULL;
  sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  return db;
}

static int ex(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void check_counts(Busy *b, int n) {
  CHECK_INT(b->calls, n);
  for (int i = 0; i < n && i < 64; i++) CHECK_INT(b->counts[i], i);
}

static void test_counts(const char *vfs) {
  au_unlink_db(g_db);
  sqlite3 *a = open_db(vfs), *b = open_db(vfs);
  CHECK_INT(ex(a, "CREATE TABLE t(x); INSERT INTO t VALUES(1)"), SQLITE_OK);
  Busy bz = {0, {0}, 3, NULL};
  sqlite3_busy_handler(b, handler, &bz);

  /* a writer blocked by RESERVED */
  CHECK_INT(ex(a, "BEGIN IMMEDIATE; INSERT INTO t VALUES(2)"), SQLITE_OK);
  CHECK_INT(ex(b, "INSERT INTO t VALUES(3)"), SQLITE_BUSY);
  check_counts(&bz, 4);
  CHECK_STR(sqlite3_errmsg(b), "database is locked");
  bz.calls = 0;
  CHECK_INT(ex(b, "BEGIN IMMEDIATE"), SQLITE_BUSY);
  check_counts(&bz, 4);
  /* readers still read (RESERVED allows SHARED) */
  bz.calls = 0;
  char out[256];
  CHECK_INT(au_query(b, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "1");
  CHECK_INT(bz.calls, 0);
  /* the holder commits while b waits: b's statement succeeds */
  bz.calls = 0;
  bz.give_up_at = 1000;
  bz.release_db = a;
  CHECK_INT(ex(b, "INSERT INTO t VALUES(3)"), SQLITE_OK);
  check_counts(&bz, 3);
  bz.release_db = NULL;
  bz.give_up_at = 3;

  /* a COMMIT blocked by a reader's SHARED lock: BUSY, transaction kept */
  sqlite3_stmt *rd = NULL;
  sqlite3_prepare_v2(a, "SELECT x FROM t", -1, &rd, NULL);
  CHECK_INT(sqlite3_step(rd), SQLITE_ROW);
  bz.calls = 0;
  CHECK_INT(ex(b, "BEGIN; INSERT INTO t VALUES(4)"), SQLITE_OK);
  CHECK_INT(ex(b, "COMMIT"), SQLITE_BUSY);
  check_counts(&bz, 4);
  CHECK_INT(sqlite3_get_autocommit(b), 0);
  sqlite3_finalize(rd);
  CHECK_INT(ex(b, "COMMIT"), SQLITE_OK);
  CHECK_INT(au_query(a, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "4");

  /* an upgrade inside a read transaction: no handler call (deadlock) */
  CHECK_INT(ex(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  CHECK_INT(ex(b, "BEGIN; SELECT count(*) FROM t"), SQLITE_OK);
  bz.calls = 0;
  CHECK_INT(ex(b, "INSERT INTO t VALUES(5)"), SQLITE_BUSY);
  CHECK_INT(bz.calls, 0);
  CHECK_INT(ex(b, "ROLLBACK"), SQLITE_OK);
  CHECK_INT(ex(a, "ROLLBACK"), SQLITE_OK);

  /* a reader blocked by EXCLUSIVE */
  CHECK_INT(ex(a, "BEGIN EXCLUSIVE"), SQLITE_OK);
  bz.calls = 0;
  CHECK_INT(au_query(b, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_BUSY);
  check_counts(&bz, 4);
  CHECK_INT(ex(a, "COMMIT"), SQLITE_OK);

  /* busy_timeout: waits about the timeout, then SQLITE_BUSY */
  CHECK_INT(ex(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  sqlite3_busy_timeout(b, 120);
  double t0 = now_ms();
  CHECK_INT(ex(b, "INSERT INTO t VALUES(6)"), SQLITE_BUSY);
  double dt = now_ms() - t0;
  CHECK(dt >= 100 && dt < 2000);
  CHECK_INT(ex(a, "ROLLBACK"), SQLITE_OK);
  CHECK_INT(ex(b, "INSERT INTO t VALUES(6)"), SQLITE_OK);

  /* PRAGMA busy_timeout is sqlite3_busy_timeout: it reports the timeout,
  ** installs the waiting handler (replacing a custom one), 0 removes it */
  CHECK_INT(au_query(b, "PRAGMA busy_timeout", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "120");
  sqlite3_busy_handler(b, handler, &bz);
  CHECK_INT(au_query(b, "PRAGMA busy_timeout", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "0");
  CHECK_INT(au_query(b, "PRAGMA busy_timeout=150", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "150");
  CHECK_INT(ex(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  bz.calls = 0;
  t0 = now_ms();
  CHECK_INT(ex(b, "INSERT INTO t VALUES(7)"), SQLITE_BUSY);
  dt = now_ms() - t0;
  CHECK(dt >= 130 && dt < 2000);
  CHECK_INT(bz.calls, 0); /* the custom handler was replaced */
  CHECK_INT(au_query(b, "PRAGMA busy_timeout=0", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "0");
  t0 = now_ms();
  CHECK_INT(ex(b, "INSERT INTO t VALUES(7)"), SQLITE_BUSY);
  CHECK(now_ms() - t0 < 100);
  CHECK_INT(au_query(b, "PRAGMA busy_timeout=-5; PRAGMA busy_timeout", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "0\n0");
  CHECK_INT(ex(a, "ROLLBACK"), SQLITE_OK);
  CHECK_INT(ex(b, "INSERT INTO t VALUES(7)"), SQLITE_OK);
  sqlite3_close(b);
  sqlite3_close(a);
  au_unlink_db(g_db);
}

#ifdef SHALE_H
/* Async hosts: no sleep inside the engine. */
static void test_async(const char *vfs) {
  au_unlink_db(g_db);
  sqlite3 *a = open_db(vfs), *b = open_db(vfs);
  CHECK_INT(ex(a, "CREATE TABLE t(x)"), SQLITE_OK);
  Busy bz = {0, {0}, 1000000, NULL};
  sqlite3_busy_handler(b, handler, &bz);
  CHECK_INT(ex(a, "BEGIN IMMEDIATE; INSERT INTO t VALUES(1)"), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  int rc;
  do rc = shale_prepare_async(b, "INSERT INTO t VALUES(2)", -1, &st, NULL);
  while (rc == SHALE_IO && shale_io_wait(b) == SQLITE_OK);
  CHECK_INT(rc, SQLITE_OK);
  int io = 0;
  bz.calls = 0;
  double t0 = now_ms();
  for (int i = 0; i < 5; i++) {
    rc = shale_step_async(st);
    if (rc != SHALE_IO) break;
    io++;
    shale_io_poll(b); /* completes I/O; never runs the busy handler */
  }
  CHECK_INT(rc, SHALE_IO);
  CHECK_INT(io, 5);
  CHECK_INT(bz.calls, 0); /* the engine did not call (sleep in) the handler */
  CHECK(now_ms() - t0 < 1000);
  /* shale_io_wait runs the handler for the lock wait */
  CHECK_INT(shale_io_wait(b), SQLITE_OK);
  CHECK(bz.calls >= 1);
  CHECK_INT(ex(a, "COMMIT"), SQLITE_OK);
  do rc = shale_step_async(st);
  while (rc == SHALE_IO && shale_io_wait(b) == SQLITE_OK);
  CHECK_INT(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  char out[64];
  CHECK_INT(au_query(a, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "2");
  /* without a handler an async step gets SQLITE_BUSY at once */
  sqlite3_busy_handler(b, NULL, NULL);
  CHECK_INT(ex(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  sqlite3_prepare_v2(b, "INSERT INTO t VALUES(3)", -1, &st, NULL);
  do rc = shale_step_async(st);
  while (rc == SHALE_IO && shale_io_wait(b) == SQLITE_OK);
  CHECK_INT(rc, SQLITE_BUSY);
  sqlite3_finalize(st);
  CHECK_INT(ex(a, "ROLLBACK"), SQLITE_OK);
  sqlite3_close(b);
  sqlite3_close(a);
  au_unlink_db(g_db);
}
#endif

int main(void) {
  snprintf(g_db, sizeof(g_db), "/tmp/shale_api_busy_%d.db", (int)getpid());
#ifdef SHALE_H
  for (int i = 0; i < 2; i++) {
    test_counts(testlib_vfs_names[i]);
    test_async(testlib_vfs_names[i]);
  }
#else
  test_counts(NULL);
#endif
  return testlib_finish("api_busy");
}
