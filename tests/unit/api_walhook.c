/*
** api_walhook.c — sqlite3_wal_hook (called after each commit to a WAL
** database with the number of frames in the WAL), sqlite3_wal_autocheckpoint
** built on it (a user hook replaces auto-checkpointing; 0 turns it off),
** PRAGMA data_version (moves when another connection commits, not for our
** own commits) and sqlite3_stmt_status counters.  Public API only; passes
** against the system libsqlite3 too:
**   cc -Itests/unit tests/unit/api_walhook.c tests/unit/testlib.c -lsqlite3
*/
#include "testlib.h"
#include "api_util.h"

typedef struct HookLog {
  int calls;
  int last_frames;
  char last_name[32];
  sqlite3 *last_db;
  int ret;
} HookLog;

static int hook(void *arg, sqlite3 *db, const char *name, int n) {
  HookLog *h = arg;
  h->calls++;
  h->last_frames = n;
  h->last_db = db;
  snprintf(h->last_name, sizeof(h->last_name), "%s", name);
  return h->ret;
}

static const char *q(sqlite3 *db, const char *sql) {
  static char out[4096];
  au_query(db, sql, out, sizeof(out));
  return out;
}

static int wal_frames(sqlite3 *db) {
  int nlog = -1, nckpt = -1;
  /* a PASSIVE checkpoint that cannot run reports the log size */
  sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
  return nlog;
}

static void test_hook(const char *path) {
  au_unlink_db(path);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
  HookLog h = {0, 0, "", NULL, SQLITE_OK};
  CHECK_STR(q(db, "PRAGMA journal_mode=WAL"), "wal");
  void *old = sqlite3_wal_hook(db, hook, &h);
  (void)old;
  CHECK_STR(q(db, "CREATE TABLE t(x)"), "");
  CHECK_INT(h.calls, 1);
  CHECK(h.last_frames >= 1);
  CHECK_STR(h.last_name, "main");
  CHECK(h.last_db == db);
  int before = h.last_frames;
  CHECK_STR(q(db, "INSERT INTO t VALUES(1)"), "");
  CHECK_INT(h.calls, 2);
  CHECK(h.last_frames > before);
  /* a read-only statement commits nothing: no call */
  CHECK_STR(q(db, "SELECT count(*) FROM t"), "1");
  CHECK_INT(h.calls, 2);
  /* inside BEGIN ... COMMIT: one call, at the COMMIT */
  CHECK_STR(q(db, "BEGIN; INSERT INTO t VALUES(2); INSERT INTO t VALUES(3)"), "");
  CHECK_INT(h.calls, 2);
  CHECK_STR(q(db, "COMMIT"), "");
  CHECK_INT(h.calls, 3);
  /* a rolled back transaction: no call */
  CHECK_STR(q(db, "BEGIN; INSERT INTO t VALUES(4); ROLLBACK"), "");
  CHECK_INT(h.calls, 3);
  /* a hook that fails makes the statement return SQLITE_ERROR; the commit
  ** stands */
  h.ret = SQLITE_ERROR;
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(5)", -1, &st, NULL);
  CHECK_INT(sqlite3_step(st), SQLITE_ERROR);
  sqlite3_finalize(st);
  h.ret = SQLITE_OK;
  CHECK_STR(q(db, "SELECT count(*) FROM t"), "4");
  /* the user hook replaced auto-checkpointing: the WAL keeps growing */
  CHECK(wal_frames(db) > 0);
  /* sqlite3_wal_autocheckpoint replaces the user hook */
  int calls = h.calls;
  CHECK_INT(sqlite3_wal_autocheckpoint(db, 0), SQLITE_OK);
  CHECK_STR(q(db, "INSERT INTO t VALUES(6)"), "");
  CHECK_INT(h.calls, calls);
  /* PRAGMA wal_autocheckpoint reports SQLite's default hook's N (0 while a
  ** user hook is installed) and setting it replaces the user hook */
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint"), "0");
  sqlite3_wal_hook(db, hook, &h);
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint"), "0");
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint=77"), "77");
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint"), "77");
  calls = h.calls;
  CHECK_STR(q(db, "INSERT INTO t VALUES(6)"), "");
  CHECK_INT(h.calls, calls);
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint=-3"), "0");
  CHECK_INT(sqlite3_wal_autocheckpoint(db, 1000), SQLITE_OK);
  CHECK_STR(q(db, "PRAGMA wal_autocheckpoint"), "1000");
  /* the hook is not called for a rollback-journal database */
  sqlite3_wal_hook(db, hook, &h);
  CHECK_STR(q(db, "PRAGMA journal_mode=DELETE"), "delete");
  calls = h.calls;
  CHECK_STR(q(db, "INSERT INTO t VALUES(7)"), "");
  CHECK_INT(h.calls, calls);
  sqlite3_close(db);
  au_unlink_db(path);
}

/* Auto-checkpoint with a small N: the WAL is checkpointed (reset) once it
** holds N frames; with auto-checkpoint off it only grows. */
static void test_autocheckpoint(const char *path) {
  au_unlink_db(path);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
  CHECK_STR(q(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(x)"), "wal");
  CHECK_INT(sqlite3_wal_autocheckpoint(db, 5), SQLITE_OK);
  for (int i = 0; i < 30; i++) CHECK_STR(q(db, "INSERT INTO t VALUES(randomblob(100))"), "");
  CHECK_STR(q(db, "SELECT count(*) FROM t"), "30");
  int with_ckpt = wal_frames(db);
  CHECK(with_ckpt >= 0 && with_ckpt < 12);
  CHECK_INT(sqlite3_wal_autocheckpoint(db, 0), SQLITE_OK);
  CHECK_STR(q(db, "PRAGMA wal_checkpoint(TRUNCATE)"), "0|0|0");
  for (int i = 0; i < 30; i++) CHECK_STR(q(db, "INSERT INTO t VALUES(randomblob(100))"), "");
  CHECK(wal_frames(db) >= 30);
  sqlite3_close(db);
  au_unlink_db(path);
}

static void test_data_version(const char *path) {
  au_unlink_db(path);
  sqlite3 *a = NULL, *b = NULL;
  CHECK_INT(sqlite3_open(path, &a), SQLITE_OK);
  CHECK_INT(sqlite3_open(path, &b), SQLITE_OK);
  CHECK_STR(q(a, "CREATE TABLE t(x)"), "");
  int va = atoi(q(a, "PRAGMA data_version"));
  int vb = atoi(q(b, "PRAGMA data_version"));
  CHECK_STR(q(a, "INSERT INTO t VALUES(1)"), ""); /* own commit: a unchanged */
  CHECK_INT(atoi(q(a, "PRAGMA data_version")), va);
  CHECK(atoi(q(b, "PRAGMA data_version")) != vb); /* b sees a's commit */
  vb = atoi(q(b, "PRAGMA data_version"));
  CHECK_INT(atoi(q(b, "PRAGMA data_version")), vb); /* stable without commits */
  CHECK_STR(q(b, "INSERT INTO t VALUES(2)"), "");
  CHECK(atoi(q(a, "PRAGMA data_version")) != va);
  CHECK_INT(atoi(q(b, "PRAGMA data_version")), vb);
  /* the same in WAL mode */
  CHECK_STR(q(a, "PRAGMA journal_mode=WAL"), "wal");
  va = atoi(q(a, "PRAGMA data_version"));
  vb = atoi(q(b, "PRAGMA data_version"));
  CHECK_STR(q(a, "INSERT INTO t VALUES(3)"), "");
  CHECK_INT(atoi(q(a, "PRAGMA data_version")), va);
  CHECK(atoi(q(b, "PRAGMA data_version")) != vb);
  sqlite3_close(b);
  sqlite3_close(a);
  au_unlink_db(path);
}

static void test_stmt_status(void) {
  sqlite3 *db = NULL;
  sqlite3_open(":memory:", &db);
  /* db_status: deferred foreign key violations outstanding */
  int cur = -1, hi = -1;
  CHECK_STR(q(db, "PRAGMA foreign_keys=ON; CREATE TABLE p(id INTEGER PRIMARY KEY);"
                  "CREATE TABLE c(pid REFERENCES p DEFERRABLE INITIALLY DEFERRED);"
                  "BEGIN; INSERT INTO c VALUES(5)"), "");
  CHECK_INT(sqlite3_db_status(db, SQLITE_DBSTATUS_DEFERRED_FKS, &cur, &hi, 0), SQLITE_OK);
  CHECK_INT(cur, 1);
  CHECK_INT(hi, 0);
  CHECK_STR(q(db, "INSERT INTO p VALUES(5)"), "");
  CHECK_INT(sqlite3_db_status(db, SQLITE_DBSTATUS_DEFERRED_FKS, &cur, &hi, 0), SQLITE_OK);
  CHECK_INT(cur, 0);
  CHECK_STR(q(db, "COMMIT"), "");
  CHECK_STR(q(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b); "
                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<50)"
                  " INSERT INTO t SELECT i, i%7 FROM c"), "");
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(db, "SELECT b FROM t ORDER BY b", -1, &st, NULL);
  while (sqlite3_step(st) == SQLITE_ROW) {}
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 49);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), 1);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0), 1);
  CHECK(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0) > 50);
  sqlite3_reset(st);
  while (sqlite3_step(st) == SQLITE_ROW) {}
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 1), 2);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0), 0);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 1), 2);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), 0);
  sqlite3_finalize(st);
  /* a rowid lookup is no full scan */
  sqlite3_prepare_v2(db, "SELECT b FROM t WHERE a=7", -1, &st, NULL);
  while (sqlite3_step(st) == SQLITE_ROW) {}
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 0);
  CHECK_INT(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int main(void) {
  char path[256];
  snprintf(path, sizeof(path), "/tmp/shale_api_walhook_%d.db", (int)getpid());
  test_hook(path);
  test_autocheckpoint(path);
  test_data_version(path);
  test_stmt_status();
  return testlib_finish("api_walhook");
}
