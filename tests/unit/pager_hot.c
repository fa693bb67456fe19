/* pager_hot.c — hot journals across implementations:
**  1. sqlite3 is killed (-9) in the middle of a big transaction that spilled
**     (db file modified, -journal left); the pager rolls it back on
**     begin_read: the file is byte-identical to before, integrity_check ok.
**  2. a process using the pager dies mid-transaction after a spill; sqlite3
**     rolls our journal back (proves the journal format).
** Runs on "unix" and "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"

#define DRIVE(rc, vfs, call)                                                   \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) (vfs)->poll((vfs), 1);            \
  } while (0)

static ShaleVfs *g_vfs;
static char g_db[256], g_jrnl[300];

static int close_pager(Pager *p) {
  int rc;
  while ((rc = pager_close(p)) == SHALE_PENDING) {
    ShaleVfs *v_ = g_vfs;
    v_->poll(v_, 1);
  }
  return rc;
}

static int run_cmd(const char *cmd, char *out, int nout) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int n = (int)fread(out, 1, (size_t)nout - 1, f);
  out[n < 0 ? 0 : n] = 0;
  return pclose(f);
}

static u8 *slurp(const char *path, long *sz) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  u8 *b = malloc((size_t)*sz + 1);
  if (fread(b, 1, (size_t)*sz, f) != (size_t)*sz) *sz = -1;
  fclose(f);
  return b;
}

static void make_db(const char *extra_pragma) {
  char cmd[1024];
  unlink(g_db);
  unlink(g_jrnl);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s '%s CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
           "SELECT i+1 FROM c WHERE i<3000) INSERT INTO t SELECT printf(\"row %%06d\", i) FROM c;'",
           g_db, extra_pragma);
  CHECK_INT(system(cmd), 0);
}

static void test_sqlite_killed2(const char *pragma, const char *session);
static void test_sqlite_killed(const char *pragma) { test_sqlite_killed2(pragma, ""); }

/* session: statements the killed sqlite3 runs first (they may commit) */
static void test_sqlite_killed2(const char *pragma, const char *session) {
  char cmd[2048], out[4096];
  make_db(pragma);
  long osz = 0, nsz = 0;
  u8 *orig = slurp(g_db, &osz);
  /* a big spilling transaction, killed before COMMIT */
  snprintf(cmd, sizeof(cmd),
           "(printf 'PRAGMA cache_size=5;\\n%sBEGIN;\\nUPDATE t SET x = x || "
           "\"-padding-padding-padding\";\\nINSERT INTO t SELECT x FROM t;\\n"
           ".system kill -9 $PPID\\nCOMMIT;\\n' | sqlite3 %s) >/dev/null 2>&1",
           session, g_db);
  int st = system(cmd);
  (void)st;
  struct stat sb;
  CHECK(stat(g_jrnl, &sb) == 0 && sb.st_size > 0);
  u8 *mid = slurp(g_db, &nsz);
  CHECK(mid != NULL && (nsz != osz || memcmp(mid, orig, (size_t)osz) != 0)); /* db changed */
  if (session[0]) {
    /* what sqlite3 committed before the kill is the reference */
    free(orig);
    orig = NULL;
  }
  free(mid);

  Pager *p = NULL;
  /* a read-only connection cannot roll the journal back: it must refuse */
  int rc = pager_open(g_vfs, g_db, 0, SQLITE_OPEN_READONLY, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_READONLY_ROLLBACK);
  close_pager(p);
  rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  if (orig) CHECK_INT(pager_page_count(p), osz / (long)pager_page_size(p));
  pager_end_read(p);
  close_pager(p);
  CHECK(stat(g_jrnl, &sb) != 0); /* journal gone */
  u8 *after = slurp(g_db, &nsz);
  if (orig) {
    CHECK_INT(nsz, osz);
    CHECK(after && nsz == osz && memcmp(after, orig, (size_t)osz) == 0);
  }
  free(after);
  free(orig);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA integrity_check; SELECT count(*), max(x) FROM t;'", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "ok\n3000|row 003000\n");
}

static void fill(u8 *d, u32 n, u32 seed) {
  for (u32 i = 0; i < n; i++) d[i] = (u8)(seed * 17 + i);
}

/* Our process dies mid-transaction; sqlite3 must roll our journal back. */
static void test_pager_killed2(int sync_level, const char *pragma);
static void test_pager_killed(int sync_level) { test_pager_killed2(sync_level, ""); }
static void test_pager_killed2(int sync_level, const char *pragma) {
  char cmd[1024], out[4096];
  make_db(pragma);
  long osz = 0;
  u8 *orig = slurp(g_db, &osz);
  pid_t pid = fork();
  if (pid == 0) {
    Pager *p = NULL;
    int rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
    if (rc) _exit(2);
    pager_set_cache_size(p, 10);
    pager_set_synchronous(p, sync_level);
    DRIVE(rc, g_vfs, pager_begin_read(p));
    DRIVE(rc, g_vfs, pager_begin_write(p, 0));
    Pgno n = pager_page_count(p);
    for (Pgno i = 2; i <= n + 20; i++) {
      DbPage *pg;
      DRIVE(rc, g_vfs, pager_get(p, i, &pg, 0));
      if (rc) _exit(3);
      DRIVE(rc, g_vfs, pager_write(pg));
      if (rc) _exit(4);
      fill(pager_data(pg), pager_page_size(p), i);
      pager_unref(pg);
    }
    /* make sure everything submitted so far has landed, then die */
    while (g_vfs->poll(g_vfs, 0) > 0) {
    }
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  struct stat sb;
  CHECK(stat(g_jrnl, &sb) == 0 && sb.st_size > 0);
  long msz = 0;
  u8 *mid = slurp(g_db, &msz);
  CHECK(mid && (msz != osz || memcmp(mid, orig, (size_t)osz) != 0));
  free(mid);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA integrity_check; SELECT count(*), max(x) FROM t;'", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "ok\n3000|row 003000\n");
  CHECK(stat(g_jrnl, &sb) != 0);
  long nsz = 0;
  u8 *after = slurp(g_db, &nsz);
  CHECK(after && nsz == osz && memcmp(after, orig, (size_t)osz) == 0);
  free(after);
  free(orig);
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_hot_%d_%s.db", (int)getpid(),
             testlib_vfs_names[v]);
    snprintf(g_jrnl, sizeof(g_jrnl), "%s-journal", g_db);
    test_sqlite_killed("");
    test_sqlite_killed("PRAGMA page_size=512;");
    test_sqlite_killed("PRAGMA page_size=65536;");
    /* PERSIST: an earlier committed transaction left a journal with a
    ** zeroed header and stale records behind the new ones */
    test_sqlite_killed2("", "PRAGMA journal_mode=PERSIST;\\nUPDATE t SET x=x WHERE rowid<2000;\\n");
    test_sqlite_killed2("", "PRAGMA journal_mode=TRUNCATE;\\nUPDATE t SET x=x WHERE rowid<100;\\n");
    test_pager_killed(2);
    test_pager_killed(1);
    test_pager_killed(0);
    test_pager_killed2(2, "PRAGMA page_size=512;");
    test_pager_killed2(2, "PRAGMA page_size=65536;");
    unlink(g_db);
    unlink(g_jrnl);
  }
  return testlib_finish("pager_hot");
}
