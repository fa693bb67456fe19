/* pager_wal.c — the pager in journal_mode=WAL (through engine/wal) on
** "unix" and "pending": switching a sqlite3 database to WAL, commits as
** frames that sqlite3 reads concurrently, sqlite3's commits seen by our
** snapshots, rollback and savepoints, auto-checkpoint, checkpoint on close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"

#define DRIVE(rc, vfs, call)                                                   \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) (vfs)->poll((vfs), 1);            \
  } while (0)

static ShaleVfs *g_vfs;
static char g_db[256], g_wal[300];

static int run_cmd(const char *cmd, char *out, int nout) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int n = (int)fread(out, 1, (size_t)nout - 1, f);
  out[n < 0 ? 0 : n] = 0;
  return pclose(f);
}

static u32 get_meta(Pager *p, int off) {
  DbPage *pg;
  int rc;
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg, 0));
  if (rc) return 0xffffffff;
  u32 v = get4byte((u8 *)pager_data(pg) + off);
  pager_unref(pg);
  return v;
}

static int set_meta(Pager *p, int off, u32 v) {
  DbPage *pg;
  int rc;
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg, 0));
  if (rc) return rc;
  rc = pager_write(pg);
  if (rc == SQLITE_OK) put4byte((u8 *)pager_data(pg) + off, v);
  pager_unref(pg);
  return rc;
}

/* rewrite pages [a..b] unchanged (forces frames) */
static int touch(Pager *p, Pgno a, Pgno b) {
  for (Pgno i = a; i <= b; i++) {
    DbPage *pg;
    int rc;
    DRIVE(rc, g_vfs, pager_get(p, i, &pg, 0));
    if (rc) return rc;
    rc = pager_write(pg);
    pager_unref(pg);
    if (rc) return rc;
  }
  return SQLITE_OK;
}

static void test_wal(void) {
  char cmd[1024], out[4096];
  unlink(g_db);
  unlink(g_wal);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
           "SELECT i+1 FROM c WHERE i<20000) INSERT INTO t SELECT printf(\"row %%d\", i) FROM c;'",
           g_db);
  CHECK_INT(system(cmd), 0);
  Pager *p = NULL;
  int rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_journal_mode(p, PAGER_JOURNALMODE_WAL), PAGER_JOURNALMODE_WAL);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  Pgno n = pager_page_count(p);
  CHECK(n > 5);
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(set_meta(p, 60, 7), SQLITE_OK);
  CHECK_INT(touch(p, 2, n), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
  struct stat st;
  CHECK(stat(g_wal, &st) == 0 && st.st_size > 32);
  /* sqlite3 reads through our WAL while we keep it open */
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'PRAGMA user_version; PRAGMA journal_mode; PRAGMA integrity_check; "
           "SELECT count(*) FROM t;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "7\nwal\nok\n20000\n");

  /* sqlite3 commits; our next snapshot sees it */
  DRIVE(rc, g_vfs, pager_begin_read(p));
  u32 dv = pager_data_version(p);
  pager_end_read(p);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version=11; INSERT INTO t VALUES(1);' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "");
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(get_meta(p, 60), 11);
  CHECK(pager_data_version(p) != dv);
  pager_end_read(p);

  /* rollback and savepoints */
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(set_meta(p, 60, 99), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_rollback(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(get_meta(p, 60), 11);
  pager_end_read(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(set_meta(p, 60, 12), SQLITE_OK);
  CHECK_INT(pager_savepoint(p, SAVEPOINT_BEGIN, 0), SQLITE_OK);
  CHECK_INT(set_meta(p, 60, 13), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_savepoint(p, SAVEPOINT_ROLLBACK, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(get_meta(p, 60), 12);
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);

  /* transactions bigger than the cache spill as non-commit frames */
  pager_set_cache_size(p, 10);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(set_meta(p, 60, 20), SQLITE_OK);
  CHECK_INT(touch(p, 2, n), SQLITE_OK);
  CHECK_INT(set_meta(p, 64, 0), SQLITE_OK); /* page 1 dirty again after spills */
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version; PRAGMA integrity_check;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "20\nok\n");
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(set_meta(p, 60, 21), SQLITE_OK);
  CHECK_INT(touch(p, 2, n), SQLITE_OK);
  DbPage *pgx;
  DRIVE(rc, g_vfs, pager_get(p, n + 5, &pgx, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_write(pgx), SQLITE_OK);
  memset(pager_data(pgx), 0x55, pager_page_size(p));
  pager_unref(pgx);
  CHECK_INT(touch(p, 2, n), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_rollback(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(get_meta(p, 60), 20);
  CHECK_INT(pager_page_count(p), n);
  pager_end_read(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(get_meta(p, 60), 20);
  CHECK_INT(pager_page_count(p), n);
  pager_end_read(p);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version; PRAGMA integrity_check;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "20\nok\n");
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(set_meta(p, 60, 12), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_commit(p));
  pager_end_read(p);

  /* auto-checkpoint */
  pager_set_autocheckpoint(p, 20);
  for (int i = 0; i < 5; i++) {
    DRIVE(rc, g_vfs, pager_begin_read(p));
    DRIVE(rc, g_vfs, pager_begin_write(p, 0));
    CHECK_INT(touch(p, 1, n < 15 ? n : 15), SQLITE_OK);
    DRIVE(rc, g_vfs, pager_commit(p));
    CHECK_INT(rc, SQLITE_OK);
    pager_end_read(p);
  }
  int nlog = -1, nckpt = -1;
  DRIVE(rc, g_vfs, pager_checkpoint(p, SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt));
  CHECK_INT(rc, SQLITE_OK);
  if (!(nlog >= 0 && nlog < 40)) fprintf(stderr, "nlog %d nckpt %d\n", nlog, nckpt);
  CHECK(nlog >= 0 && nlog < 40); /* restarted by the auto-checkpoints */
  DRIVE(rc, g_vfs, pager_close(p));
  CHECK_INT(rc, SQLITE_OK);
  /* last close: checkpointed and removed */
  CHECK(stat(g_wal, &st) != 0);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'PRAGMA user_version; PRAGMA journal_mode; PRAGMA integrity_check; "
           "SELECT count(*) FROM t;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "12\nwal\nok\n20001\n");
  /* a database in WAL mode (header bytes 18/19 = 2) is opened in WAL mode */
  rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_journal_mode(p, PAGER_JOURNALMODE_QUERY), PAGER_JOURNALMODE_WAL);
  CHECK_INT(get_meta(p, 60), 12);
  pager_end_read(p);
  /* back to DELETE */
  CHECK_INT(pager_journal_mode(p, PAGER_JOURNALMODE_DELETE), PAGER_JOURNALMODE_DELETE);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(set_meta(p, 60, 14), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
  DRIVE(rc, g_vfs, pager_close(p));
  CHECK(stat(g_wal, &st) != 0);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'PRAGMA user_version; PRAGMA journal_mode; PRAGMA integrity_check;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "14\ndelete\nok\n");
}

/* locking_mode=EXCLUSIVE: the wal-index lives in heap memory (no -shm) */
static void test_wal_exclusive(void) {
  char cmd[1024], out[256];
  unlink(g_db);
  unlink(g_wal);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'CREATE TABLE t(x); INSERT INTO t VALUES(1);'", g_db);
  CHECK_INT(system(cmd), 0);
  Pager *p = NULL;
  int rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_set_locking_mode(p, 1), 1);
  CHECK_INT(pager_journal_mode(p, PAGER_JOURNALMODE_WAL), PAGER_JOURNALMODE_WAL);
  for (u32 i = 0; i < 3; i++) {
    DRIVE(rc, g_vfs, pager_begin_read(p));
    CHECK_INT(rc, SQLITE_OK);
    DRIVE(rc, g_vfs, pager_begin_write(p, 0));
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(set_meta(p, 60, 40 + i), SQLITE_OK);
    DRIVE(rc, g_vfs, pager_commit(p));
    CHECK_INT(rc, SQLITE_OK);
    pager_end_read(p);
  }
  /* another process is locked out meanwhile */
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'SELECT count(*) FROM t;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK(strstr(out, "locked") != NULL);
  DRIVE(rc, g_vfs, pager_close(p));
  CHECK_INT(rc, SQLITE_OK);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version; PRAGMA journal_mode; PRAGMA integrity_check;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "42\nwal\nok\n");
}

/* two connections of this process on one WAL database: snapshots */
static void test_wal_two(void) {
  char cmd[1024], out[256];
  unlink(g_db);
  unlink(g_wal);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA journal_mode=WAL; CREATE TABLE t(x); PRAGMA user_version=1;' >/dev/null", g_db);
  CHECK_INT(system(cmd), 0);
  Pager *p = NULL, *q = NULL;
  int rc;
  CHECK_INT(pager_open(g_vfs, g_db, 0, 0, 0, &p), SQLITE_OK);
  CHECK_INT(pager_open(g_vfs, g_db, 0, 0, 0, &q), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_read(q));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_journal_mode(q, PAGER_JOURNALMODE_QUERY), PAGER_JOURNALMODE_WAL);
  CHECK_INT(get_meta(q, 60), 1);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_write(q, 0));
  CHECK_INT(rc, SQLITE_BUSY); /* one writer at a time */
  CHECK_INT(set_meta(p, 60, 2), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
  CHECK_INT(get_meta(q, 60), 1); /* q's snapshot is unchanged */
  DRIVE(rc, g_vfs, pager_begin_write(q, 0));
  CHECK_INT(rc, SQLITE_BUSY_SNAPSHOT); /* stale snapshot cannot write */
  pager_end_read(q);
  DRIVE(rc, g_vfs, pager_begin_read(q));
  CHECK_INT(get_meta(q, 60), 2);
  DRIVE(rc, g_vfs, pager_begin_write(q, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(set_meta(q, 60, 3), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_commit(q));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(q);
  DRIVE(rc, g_vfs, pager_close(q));
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(get_meta(p, 60), 3);
  pager_end_read(p);
  DRIVE(rc, g_vfs, pager_close(p));
  CHECK_INT(rc, SQLITE_OK);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version; PRAGMA integrity_check;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "3\nok\n");
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_wal_%d_%s.db", (int)getpid(),
             testlib_vfs_names[v]);
    snprintf(g_wal, sizeof(g_wal), "%s-wal", g_db);
    test_wal();
    test_wal_exclusive();
    test_wal_two();
    unlink(g_db);
    unlink(g_wal);
    char shm[300];
    snprintf(shm, sizeof(shm), "%s-shm", g_db);
    unlink(shm);
  }
  return testlib_finish("pager_wal");
}
