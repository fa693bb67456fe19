/* pager_basic.c — the pager on both "unix" and "pending": create, read back,
** rollback, spills with a tiny cache, savepoints, journal modes, two
** connections on one file, and interop with sqlite3 files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"

#define DRIVE(rc, vfs, call)                                                   \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) g_npending++, (vfs)->poll((vfs), 1); \
  } while (0)

static ShaleVfs *g_vfs;
static long g_npending;
static char g_db[256];

static int close_pager(Pager *p) {
  int rc;
  while ((rc = pager_close(p)) == SHALE_PENDING) {
    ShaleVfs *v_ = g_vfs;
    v_->poll(v_, 1);
  }
  return rc;
}

static void make_page1(u8 *d, u32 ps, Pgno npages) {
  memset(d, 0, ps);
  memcpy(d, "SQLite format 3", 16);
  put2byte(d + 16, ps == 65536 ? 1 : ps);
  d[18] = 1;
  d[19] = 1;
  d[21] = 64;
  d[22] = 32;
  d[23] = 32;
  put4byte(d + 28, npages);
  put4byte(d + 44, 4);
  put4byte(d + 56, 1);
  d[100] = 0x0d;
  put2byte(d + 105, ps == 65536 ? 0 : ps);
}

static void fill(u8 *d, u32 ps, Pgno pgno, int gen) {
  for (u32 i = 0; i < ps; i++) d[i] = (u8)(pgno * 31 + i * 7 + gen * 13);
}

static int check_page(Pager *p, Pgno pgno, int gen) {
  DbPage *pg;
  int rc;
  DRIVE(rc, g_vfs, pager_get(p, pgno, &pg, 0));
  if (rc != SQLITE_OK) return 0;
  u8 want[65536];
  fill(want, pager_page_size(p), pgno, gen);
  int ok = memcmp(pager_data(pg), want, pager_page_size(p)) == 0;
  pager_unref(pg);
  return ok;
}

static int write_page(Pager *p, Pgno pgno, int gen) {
  DbPage *pg;
  int rc;
  DRIVE(rc, g_vfs, pager_get(p, pgno, &pg, 0));
  if (rc != SQLITE_OK) return rc;
  DRIVE(rc, g_vfs, pager_write(pg));
  if (rc == SQLITE_OK) fill(pager_data(pg), pager_page_size(p), pgno, gen);
  pager_unref(pg);
  return rc;
}

static Pager *open_db(void) {
  Pager *p = NULL;
  int rc = pager_open(g_vfs, g_db, 0, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 16, &p);
  CHECK_INT(rc, SQLITE_OK);
  return p;
}

static void begin(Pager *p) {
  int rc;
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_write(p, 0));
  CHECK_INT(rc, SQLITE_OK);
}

static void commit(Pager *p) {
  int rc;
  DRIVE(rc, g_vfs, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
}

static void rollback(Pager *p) {
  int rc;
  DRIVE(rc, g_vfs, pager_rollback(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
}

/* Create a 50-page database: page 1 valid header, pages 2.. patterns gen 0 */
static void test_create(void) {
  Pager *p = open_db();
  begin(p);
  CHECK_INT(pager_page_count(p), 0);
  DbPage *pg;
  int rc;
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_write(pg), SQLITE_OK);
  make_page1(pager_data(pg), 4096, 50);
  pager_unref(pg);
  for (Pgno i = 2; i <= 50; i++) CHECK_INT(write_page(p, i, 0), SQLITE_OK);
  CHECK_INT(pager_page_count(p), 50);
  commit(p);
  CHECK_INT(close_pager(p), SQLITE_OK);
  struct stat st;
  CHECK(stat(g_db, &st) == 0 && st.st_size == 50 * 4096);
  char jp[300];
  snprintf(jp, sizeof(jp), "%s-journal", g_db);
  CHECK(access(jp, F_OK) != 0);

  p = open_db();
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_page_count(p), 50);
  int good = 1;
  for (Pgno i = 2; i <= 50; i++) good &= check_page(p, i, 0);
  CHECK(good);
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg, 0));
  CHECK_INT(rc, SQLITE_OK);
  u8 *d = pager_data(pg);
  CHECK_INT(get4byte(d + 24), 1); /* change counter */
  CHECK_INT(get4byte(d + 92), 1);
  CHECK_INT(get4byte(d + 96), SQLITE_VERSION_NUMBER);
  CHECK_INT(get4byte(d + 28), 50);
  pager_unref(pg);
  pager_end_read(p);
  close_pager(p);
}

static void test_rollback(void) {
  Pager *p = open_db();
  begin(p);
  for (Pgno i = 2; i <= 10; i++) CHECK_INT(write_page(p, i, 5), SQLITE_OK);
  for (Pgno i = 51; i <= 60; i++) CHECK_INT(write_page(p, i, 5), SQLITE_OK);
  CHECK_INT(pager_page_count(p), 60);
  CHECK(check_page(p, 3, 5));
  rollback(p);
  int rc;
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(pager_page_count(p), 50);
  int good = 1;
  for (Pgno i = 2; i <= 50; i++) good &= check_page(p, i, 0);
  CHECK(good);
  pager_end_read(p);
  close_pager(p);
  struct stat st;
  CHECK(stat(g_db, &st) == 0 && st.st_size == 50 * 4096);
}

/* Tiny cache: transactions larger than the cache spill (and roll back). */
static void test_spill(void) {
  Pager *p = open_db();
  pager_set_cache_size(p, 10);
  begin(p);
  for (Pgno i = 2; i <= 200; i++) CHECK_INT(write_page(p, i, 1), SQLITE_OK);
  commit(p);
  int rc;
  DRIVE(rc, g_vfs, pager_begin_read(p));
  int good = 1;
  for (Pgno i = 2; i <= 200; i++) good &= check_page(p, i, 1);
  CHECK(good);
  pager_end_read(p);
  /* a spilling transaction that rolls back */
  begin(p);
  for (Pgno i = 2; i <= 300; i++) CHECK_INT(write_page(p, i, 2), SQLITE_OK);
  rollback(p);
  struct stat st;
  CHECK(stat(g_db, &st) == 0 && st.st_size == 200 * 4096);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(pager_page_count(p), 200);
  good = 1;
  for (Pgno i = 2; i <= 200; i++) good &= check_page(p, i, 1);
  CHECK(good);
  pager_end_read(p);
  close_pager(p);
  /* a fresh connection sees the same */
  p = open_db();
  DRIVE(rc, g_vfs, pager_begin_read(p));
  good = 1;
  for (Pgno i = 2; i <= 200; i++) good &= check_page(p, i, 1);
  CHECK(good);
  pager_end_read(p);
  close_pager(p);
}

static void test_savepoints(void) {
  Pager *p = open_db();
  begin(p);
  CHECK_INT(pager_savepoint(p, SAVEPOINT_BEGIN, 0), SQLITE_OK);
  CHECK_INT(write_page(p, 3, 7), SQLITE_OK);
  CHECK_INT(write_page(p, 201, 7), SQLITE_OK);
  CHECK_INT(pager_savepoint(p, SAVEPOINT_BEGIN, 1), SQLITE_OK);
  CHECK_INT(write_page(p, 3, 8), SQLITE_OK);
  CHECK_INT(write_page(p, 4, 8), SQLITE_OK);
  CHECK_INT(write_page(p, 202, 8), SQLITE_OK);
  CHECK_INT(pager_page_count(p), 202);
  int rc;
  DRIVE(rc, g_vfs, pager_savepoint(p, SAVEPOINT_ROLLBACK, 1));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(check_page(p, 3, 7));
  CHECK(check_page(p, 4, 1));
  CHECK_INT(pager_page_count(p), 201);
  CHECK_INT(write_page(p, 5, 9), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_savepoint(p, SAVEPOINT_ROLLBACK, 0));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(check_page(p, 3, 1));
  CHECK(check_page(p, 5, 1));
  CHECK_INT(pager_page_count(p), 200);
  CHECK_INT(write_page(p, 6, 10), SQLITE_OK);
  CHECK_INT(pager_savepoint(p, SAVEPOINT_RELEASE, 0), SQLITE_OK);
  commit(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK(check_page(p, 6, 10));
  CHECK(check_page(p, 3, 1));
  CHECK_INT(pager_page_count(p), 200);
  pager_end_read(p);
  close_pager(p);
}

static void test_journal_modes(void) {
  static const int modes[] = {PAGER_JOURNALMODE_DELETE, PAGER_JOURNALMODE_TRUNCATE,
                              PAGER_JOURNALMODE_PERSIST, PAGER_JOURNALMODE_MEMORY,
                              PAGER_JOURNALMODE_OFF};
  char jp[300];
  snprintf(jp, sizeof(jp), "%s-journal", g_db);
  for (size_t m = 0; m < SHALE_ARRAY_SIZE(modes); m++) {
    Pager *p = open_db();
    CHECK_INT(pager_journal_mode(p, modes[m]), modes[m]);
    begin(p);
    CHECK_INT(write_page(p, 7, 20 + (int)m), SQLITE_OK);
    commit(p);
    struct stat st;
    int ex = stat(jp, &st) == 0;
    if (modes[m] == PAGER_JOURNALMODE_TRUNCATE) CHECK(ex && st.st_size == 0);
    else if (modes[m] == PAGER_JOURNALMODE_PERSIST) {
      CHECK(ex && st.st_size > 0);
      FILE *f = fopen(jp, "rb");
      u8 h[28] = {1};
      if (f) {
        CHECK_INT(fread(h, 1, 28, f), 28);
        fclose(f);
      }
      int zero = 1;
      for (int i = 0; i < 28; i++) zero &= h[i] == 0;
      CHECK(zero);
    } else {
      CHECK(!ex);
    }
    if (modes[m] != PAGER_JOURNALMODE_OFF) {
      begin(p);
      CHECK_INT(write_page(p, 7, 99), SQLITE_OK);
      rollback(p);
    }
    int rc;
    DRIVE(rc, g_vfs, pager_begin_read(p));
    CHECK(check_page(p, 7, 20 + (int)m));
    pager_end_read(p);
    close_pager(p);
    unlink(jp);
  }
}

static int busy_calls;
static int busy_cb(void *arg, int n) {
  (void)arg;
  (void)n;
  busy_calls++;
  return 0;
}

static void test_two_connections(void) {
  Pager *a = open_db(), *b = open_db();
  int rc;
  pager_set_busy_handler(a, busy_cb, NULL);
  DRIVE(rc, g_vfs, pager_begin_read(a));
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_read(b));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(check_page(b, 8, 1));
  u32 dv = pager_data_version(b);
  DRIVE(rc, g_vfs, pager_begin_write(a, 0));
  CHECK_INT(rc, SQLITE_OK);
  DRIVE(rc, g_vfs, pager_begin_write(b, 0));
  CHECK_INT(rc, SQLITE_BUSY);
  CHECK_INT(write_page(a, 8, 33), SQLITE_OK);
  busy_calls = 0;
  DRIVE(rc, g_vfs, pager_commit(a));
  CHECK_INT(rc, SQLITE_BUSY); /* b still reads */
  CHECK(busy_calls > 0);
  CHECK(check_page(b, 8, 1)); /* b's snapshot unchanged */
  pager_end_read(b);
  DRIVE(rc, g_vfs, pager_commit(a));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(a);
  DRIVE(rc, g_vfs, pager_begin_read(b));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(pager_data_version(b) != dv);
  CHECK(check_page(b, 8, 33));
  pager_end_read(b);
  close_pager(a);
  close_pager(b);
}

static int run_cmd(const char *cmd, char *out, int nout) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int n = (int)fread(out, 1, (size_t)nout - 1, f);
  out[n < 0 ? 0 : n] = 0;
  return pclose(f);
}

static void test_sqlite_interop(void) {
  char cmd[1024], out[4096];
  unlink(g_db);
  snprintf(cmd, sizeof(cmd),
           "sqlite3 %s 'PRAGMA page_size=1024; CREATE TABLE t(x); WITH RECURSIVE c(i) AS "
           "(SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<2000) INSERT INTO t SELECT "
           "printf(\"row %%d\", i) FROM c;'",
           g_db);
  CHECK_INT(system(cmd), 0);
  FILE *f = fopen(g_db, "rb");
  CHECK(f != NULL);
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  u8 *raw = malloc((size_t)sz);
  CHECK_INT(fread(raw, 1, (size_t)sz, f), sz);
  fclose(f);
  Pager *p = open_db();
  int rc;
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_page_size(p), 1024);
  CHECK_INT(pager_page_count(p), sz / 1024);
  int same = 1;
  for (Pgno i = 1; i <= pager_page_count(p); i++) {
    DbPage *pg;
    DRIVE(rc, g_vfs, pager_get(p, i, &pg, 0));
    if (rc != SQLITE_OK) {
      same = 0;
      break;
    }
    same &= memcmp(pager_data(pg), raw + (i - 1) * 1024, 1024) == 0;
    pager_unref(pg);
  }
  CHECK(same);
  u32 cc0 = get4byte(raw + 24);
  pager_end_read(p);
  /* set user_version through the pager, with a tiny cache */
  pager_set_cache_size(p, 10);
  begin(p);
  DbPage *pg1;
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg1, 0));
  CHECK_INT(pager_write(pg1), SQLITE_OK);
  put4byte((u8 *)pager_data(pg1) + 60, 7);
  pager_unref(pg1);
  /* touch every page (rewrite them unchanged) to force spills */
  for (Pgno i = 2; i <= pager_page_count(p); i++) {
    DbPage *pg;
    DRIVE(rc, g_vfs, pager_get(p, i, &pg, 0));
    CHECK_INT(pager_write(pg), SQLITE_OK);
    pager_unref(pg);
  }
  commit(p);
  close_pager(p);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version; PRAGMA integrity_check; SELECT count(*) FROM t;'", g_db);
  run_cmd(cmd, out, sizeof(out));
  CHECK_STR(out, "7\nok\n2000\n");
  f = fopen(g_db, "rb");
  u8 h[100];
  CHECK_INT(fread(h, 1, 100, f), 100);
  fclose(f);
  CHECK_INT(get4byte(h + 24), cc0 + 1);
  CHECK_INT(get4byte(h + 92), cc0 + 1);
  free(raw);
  /* sqlite3 writes again; our cache must notice */
  p = open_db();
  DRIVE(rc, g_vfs, pager_begin_read(p));
  pager_end_read(p);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version=9;'", g_db);
  CHECK_INT(system(cmd), 0);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  DRIVE(rc, g_vfs, pager_get(p, 1, &pg1, 0));
  CHECK_INT(get4byte((u8 *)pager_data(pg1) + 60), 9);
  pager_unref(pg1);
  pager_end_read(p);
  close_pager(p);
}

static void test_memory(void) {
  Pager *p = NULL;
  int rc = pager_open(g_vfs, ":memory:", PAGER_MEMORY, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  CHECK(pager_is_memory(p));
  pager_set_cache_size(p, 10);
  begin(p);
  for (Pgno i = 1; i <= 100; i++) CHECK_INT(write_page(p, i, 3), SQLITE_OK);
  commit(p);
  begin(p);
  for (Pgno i = 1; i <= 120; i++) CHECK_INT(write_page(p, i, 4), SQLITE_OK);
  rollback(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(pager_page_count(p), 100);
  int good = 1;
  for (Pgno i = 1; i <= 100; i++) good &= check_page(p, i, 3);
  CHECK(good);
  pager_end_read(p);
  /* the cache is the database: nothing went to the memdb file */
  i64 sz = -1;
  CHECK_INT(pager_file(p)->methods->file_size(pager_file(p), &sz), SQLITE_OK);
  CHECK_INT(sz, 0);
  /* savepoint rollback, then a shrink: pages past the end are gone */
  begin(p);
  CHECK_INT(pager_savepoint(p, SAVEPOINT_BEGIN, 0), SQLITE_OK);
  for (Pgno i = 1; i <= 50; i++) CHECK_INT(write_page(p, i, 5), SQLITE_OK);
  DRIVE(rc, g_vfs, pager_savepoint(p, SAVEPOINT_ROLLBACK, 0));
  CHECK_INT(rc, SQLITE_OK);
  pager_truncate_image(p, 60);
  commit(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(pager_page_count(p), 60);
  good = 1;
  for (Pgno i = 1; i <= 60; i++) good &= check_page(p, i, 3);
  CHECK(good);
  CHECK(pager_lookup(p, 61) == NULL);
  pager_end_read(p);
  /* journal_mode=OFF: no journal and no image, ROLLBACK keeps the changes
  ** (as SQLite's in-memory databases do) */
  CHECK_INT(pager_journal_mode(p, PAGER_JOURNALMODE_OFF), PAGER_JOURNALMODE_OFF);
  begin(p);
  for (Pgno i = 1; i <= 70; i++) CHECK_INT(write_page(p, i, 6), SQLITE_OK);
  rollback(p);
  DRIVE(rc, g_vfs, pager_begin_read(p));
  CHECK_INT(pager_page_count(p), 70);
  good = 1;
  for (Pgno i = 1; i <= 70; i++) good &= check_page(p, i, 6);
  CHECK(good);
  pager_end_read(p);
  close_pager(p);
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    CHECK(g_vfs != NULL);
    if (!g_vfs) continue;
    snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_basic_%d_%s.db", (int)getpid(),
             testlib_vfs_names[v]);
    unlink(g_db);
    test_create();
    test_rollback();
    test_spill();
    test_savepoints();
    test_journal_modes();
    test_two_connections();
    test_memory();
    test_sqlite_interop();
    if (v == 0) CHECK_INT(g_npending, 0);
    else CHECK(g_npending > 100);
    g_npending = 0;
    unlink(g_db);
    char jp[300];
    snprintf(jp, sizeof(jp), "%s-journal", g_db);
    unlink(jp);
  }
  return testlib_finish("pager_basic");
}
