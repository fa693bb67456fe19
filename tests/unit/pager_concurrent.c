/* pager_concurrent.c — a sqlite3 process and this process write the same
** database at the same time (rollback journal): sqlite3 inserts rows in
** BEGIN IMMEDIATE transactions with a busy timeout while the pager
** increments user_version (page 1, offset 60) in read-modify-write
** transactions with a busy handler.  No update may be lost, no lock
** protocol violation may corrupt the file.  Runs on "unix" and "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"

#define N 60

static ShaleVfs *g_vfs;
static char g_db[256];

#define DRIVE(rc, call)                                                        \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);            \
  } while (0)

static int g_busy_calls;
static int busy_cb(void *arg, int n) {
  (void)arg;
  g_busy_calls++;
  if (n > 5000) return 0;
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, NULL);
  return 1;
}

static int run_cmd(const char *cmd, char *out, int nout) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int n = (int)fread(out, 1, (size_t)nout - 1, f);
  out[n < 0 ? 0 : n] = 0;
  return pclose(f);
}

static int increment(Pager *p, int *busy_seen) {
  int rc;
  for (int attempt = 0; attempt < 20000; attempt++) {
    DRIVE(rc, pager_begin_read(p));
    if (rc == SQLITE_BUSY) {
      (*busy_seen)++;
      busy_cb(NULL, 0);
      continue;
    }
    if (rc) return rc;
    DRIVE(rc, pager_begin_write(p, 0));
    if (rc == SQLITE_BUSY) {
      /* as SQLite does: drop the read lock, wait, start over */
      (*busy_seen)++;
      pager_end_read(p);
      pager_invoke_busy(p, attempt);
      continue;
    }
    if (rc) return rc;
    DbPage *pg;
    DRIVE(rc, pager_get(p, 1, &pg, 0));
    if (rc == SQLITE_OK) {
      rc = pager_write(pg);
      if (rc == SQLITE_OK) {
        u8 *d = pager_data(pg);
        put4byte(d + 60, get4byte(d + 60) + 1);
      }
      pager_unref(pg);
    }
    if (rc == SQLITE_OK) DRIVE(rc, pager_commit(p));
    if (rc == SQLITE_OK) {
      pager_end_read(p);
      return SQLITE_OK;
    }
    int rc2;
    DRIVE(rc2, pager_rollback(p));
    pager_end_read(p);
    if (rc != SQLITE_BUSY) return rc;
    (*busy_seen)++;
  }
  return SQLITE_BUSY;
}

static void test_concurrent(void) {
  char cmd[1024], out[4096];
  unlink(g_db);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'CREATE TABLE t(x);'", g_db);
  CHECK_INT(system(cmd), 0);
  char script[300];
  snprintf(script, sizeof(script), "/tmp/shale_pager_conc_%d.sql", (int)getpid());
  FILE *f = fopen(script, "w");
  fprintf(f, ".timeout 20000\n");
  for (int i = 0; i < N; i++) {
    fprintf(f, "BEGIN IMMEDIATE;\nINSERT INTO t VALUES(%d);\nINSERT INTO t VALUES(randomblob(3000));\nCOMMIT;\n", i);
  }
  fclose(f);
  pid_t pid = fork();
  if (pid == 0) {
    snprintf(cmd, sizeof(cmd), "sqlite3 %s < %s > /dev/null 2>&1", g_db, script);
    _exit(system(cmd) == 0 ? 0 : 1);
  }
  Pager *p = NULL;
  CHECK_INT(pager_open(g_vfs, g_db, 0, 0, 0, &p), SQLITE_OK);
  pager_set_busy_handler(p, busy_cb, NULL);
  int busy = 0, fails = 0;
  /* wait until sqlite3 has started writing, then interleave */
  for (int i = 0; i < 2000; i++) {
    snprintf(cmd, sizeof(cmd), "%s-journal", g_db);
    if (access(cmd, F_OK) == 0) break;
    struct timespec ts = {0, 500000};
    nanosleep(&ts, NULL);
  }
  for (int i = 0; i < N; i++) {
    if (increment(p, &busy) != SQLITE_OK) fails++;
    struct timespec ts = {0, 1500000};
    nanosleep(&ts, NULL);
    if (i % 8 == 0) {
      /* and read the table's pages now and then, while sqlite3 writes */
      int rc;
      DRIVE(rc, pager_begin_read(p));
      if (rc == SQLITE_OK) {
        for (Pgno k = 1; k <= pager_page_count(p); k++) {
          DbPage *pg;
          DRIVE(rc, pager_get(p, k, &pg, 0));
          if (rc) break;
          pager_unref(pg);
        }
        pager_end_read(p);
      }
    }
  }
  CHECK_INT(fails, 0);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  int rc;
  while ((rc = pager_close(p)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'PRAGMA user_version; SELECT count(*) FROM t; PRAGMA integrity_check;'", g_db);
  run_cmd(cmd, out, sizeof(out));
  char want[64];
  snprintf(want, sizeof(want), "%d\n%d\nok\n", N, 2 * N);
  CHECK_STR(out, want);
  if (getenv("DBG")) fprintf(stderr, "%s: busy retries %d, busy handler calls %d\n", g_vfs->name, busy, g_busy_calls);
  unlink(script);
  unlink(g_db);
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_conc_%d_%s.db", (int)getpid(),
             testlib_vfs_names[v]);
    test_concurrent();
  }
  return testlib_finish("pager_concurrent");
}
