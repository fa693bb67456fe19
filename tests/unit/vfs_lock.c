/* vfs_lock.c — the "unix" VFS's locks exclude sqlite3 processes (and vice
** versa) and several connections of one process on one file; closing one
** connection does not drop another's POSIX locks. Also run via "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/vfs/vfs.h"

static char g_db[256];

static int run_cmd(const char *cmd, char *out, int nout) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int n = (int)fread(out, 1, (size_t)nout - 1, f);
  out[n < 0 ? 0 : n] = 0;
  return pclose(f);
}

static int sqlite_reads(void) {
  char cmd[512], out[256];
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'SELECT count(*) FROM t;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  return strncmp(out, "1\n", 2) == 0;
}

static int sqlite_writes(void) {
  char cmd[512], out[256];
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'UPDATE t SET x=x+1;' 2>&1", g_db);
  run_cmd(cmd, out, sizeof(out));
  return out[0] == 0;
}

static void test_vfs(ShaleVfs *vfs) {
  char cmd[512];
  unlink(g_db);
  snprintf(cmd, sizeof(cmd), "sqlite3 %s 'CREATE TABLE t(x); INSERT INTO t VALUES(1);'", g_db);
  CHECK_INT(system(cmd), 0);
  ShaleFile *a = NULL, *b = NULL;
  int fl = SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB;
  CHECK_INT(vfs->open(vfs, g_db, fl, &a, NULL), SQLITE_OK);
  CHECK_INT(vfs->open(vfs, g_db, fl, &b, NULL), SQLITE_OK);
  if (!a || !b) return;
  /* SHARED: sqlite3 reads, cannot commit a write */
  CHECK_INT(a->methods->lock(a, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK(sqlite_reads());
  CHECK(!sqlite_writes());
  /* in-process: b shares, both can't escalate to exclusive */
  CHECK_INT(b->methods->lock(b, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK_INT(a->methods->lock(a, SQLITE_LOCK_RESERVED), SQLITE_OK);
  CHECK_INT(b->methods->lock(b, SQLITE_LOCK_RESERVED), SQLITE_BUSY);
  int r = 0;
  CHECK_INT(b->methods->check_reserved_lock(b, &r), SQLITE_OK);
  CHECK_INT(r, 1);
  CHECK(sqlite_reads());
  CHECK(!sqlite_writes());
  CHECK_INT(a->methods->lock(a, SQLITE_LOCK_EXCLUSIVE), SQLITE_BUSY); /* b reads */
  /* a now holds PENDING: no new SHARED, in or out of process */
  int st = -1;
  a->methods->file_control(a, SQLITE_FCNTL_LOCKSTATE, &st);
  CHECK_INT(st, SQLITE_LOCK_PENDING);
  CHECK(!sqlite_reads());
  CHECK_INT(b->methods->unlock(b, SQLITE_LOCK_NONE), SQLITE_OK);
  CHECK_INT(a->methods->lock(a, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  CHECK_INT(b->methods->lock(b, SQLITE_LOCK_SHARED), SQLITE_BUSY);
  CHECK(!sqlite_reads());
  /* closing b must not drop a's POSIX locks */
  CHECK_INT(b->methods->close(b), SQLITE_OK);
  CHECK(!sqlite_reads());
  CHECK_INT(a->methods->unlock(a, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK(sqlite_reads());
  CHECK(!sqlite_writes());
  CHECK_INT(a->methods->unlock(a, SQLITE_LOCK_NONE), SQLITE_OK);
  CHECK(sqlite_writes());
  /* sqlite3 holds EXCLUSIVE: we get BUSY for SHARED, then succeed */
  snprintf(cmd, sizeof(cmd),
           "(printf 'BEGIN EXCLUSIVE;\\n'; sleep 1) | sqlite3 %s >/dev/null 2>&1 &", g_db);
  CHECK_INT(system(cmd), 0);
  int busy = 0;
  for (int i = 0; i < 40 && !busy; i++) {
    int rc = a->methods->lock(a, SQLITE_LOCK_SHARED);
    if (rc == SQLITE_BUSY) busy = 1;
    else a->methods->unlock(a, SQLITE_LOCK_NONE);
    if (!busy) usleep(10000);
  }
  CHECK(busy);
  int ok = 0;
  for (int i = 0; i < 300 && !ok; i++) {
    if (a->methods->lock(a, SQLITE_LOCK_SHARED) == SQLITE_OK) ok = 1;
    else usleep(10000);
  }
  CHECK(ok);
  a->methods->unlock(a, SQLITE_LOCK_NONE);
  CHECK_INT(a->methods->close(a), SQLITE_OK);
}

static void test_pending_semantics(void) {
  ShaleVfs *vfs = shale_vfs_find("pending");
  ShaleFile *f = NULL;
  CHECK_INT(vfs->open(vfs, g_db, SQLITE_OPEN_READWRITE, &f, NULL), SQLITE_OK);
  if (!f) return;
  char buf[16];
  ShaleIo io;
  shale_io_init(&io);
  CHECK_INT(f->methods->read(f, buf, 16, 0, &io), SHALE_PENDING);
  CHECK_INT(io.done, 0);
  CHECK(vfs->poll(vfs, 1) >= 1);
  CHECK_INT(io.done, 1);
  CHECK_INT(io.rc, SQLITE_OK);
  CHECK(memcmp(buf, "SQLite format 3", 16) == 0);
  shale_io_init(&io);
  CHECK_INT(f->methods->read(f, buf, 16, 0, &io), SQLITE_OK); /* second read inline */
  CHECK_INT(io.done, 1);
  /* writes: some pend, all complete after poll; size includes outstanding */
  int npend = 0;
  ShaleIo w[32];
  char data[32][8];
  for (int i = 0; i < 32; i++) {
    memset(data[i], 'a' + i % 26, 8);
    shale_io_init(&w[i]);
    int rc = f->methods->write(f, data[i], 8, 1000000 + i * 8, &w[i]);
    if (rc == SHALE_PENDING) npend++;
    else CHECK_INT(rc, SQLITE_OK);
  }
  CHECK(npend > 0 && npend < 32);
  i64 sz = 0;
  f->methods->file_size(f, &sz);
  CHECK_INT(sz, 1000000 + 32 * 8);
  vfs->poll(vfs, 1);
  int all = 1;
  for (int i = 0; i < 32; i++) all &= w[i].done && w[i].rc == SQLITE_OK;
  CHECK(all);
  char back[8];
  CHECK_INT(shale_file_read_blocking(f, back, 8, 1000000 + 31 * 8), SQLITE_OK);
  CHECK(memcmp(back, data[31], 8) == 0);
  /* short read zero-fills */
  memset(back, 'x', 8);
  CHECK_INT(shale_file_read_blocking(f, back, 8, sz - 4), SQLITE_IOERR_SHORT_READ);
  CHECK(back[4] == 0 && back[7] == 0);
  f->methods->close(f);
}

static void test_memdb(void) {
  ShaleVfs *m = shale_vfs_find("memdb");
  ShaleFile *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  int fl = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  CHECK_INT(m->open(m, ":memory:", fl, &a, NULL), SQLITE_OK);
  CHECK_INT(m->open(m, ":memory:", fl, &b, NULL), SQLITE_OK);
  CHECK_INT(shale_file_write_blocking(a, "hello", 5, 0), SQLITE_OK);
  i64 sz = -1;
  b->methods->file_size(b, &sz);
  CHECK_INT(sz, 0); /* private */
  CHECK_INT(m->open(m, ":memdb:shared", fl, &c, NULL), SQLITE_OK);
  CHECK_INT(m->open(m, ":memdb:shared", fl, &d, NULL), SQLITE_OK);
  CHECK_INT(shale_file_write_blocking(c, "hello", 5, 10), SQLITE_OK);
  d->methods->file_size(d, &sz);
  CHECK_INT(sz, 15);
  char buf[5];
  CHECK_INT(shale_file_read_blocking(d, buf, 5, 10), SQLITE_OK);
  CHECK(memcmp(buf, "hello", 5) == 0);
  CHECK_INT(c->methods->lock(c, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK_INT(d->methods->lock(d, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK_INT(c->methods->lock(c, SQLITE_LOCK_EXCLUSIVE), SQLITE_BUSY);
  CHECK_INT(d->methods->unlock(d, SQLITE_LOCK_NONE), SQLITE_OK);
  CHECK_INT(c->methods->lock(c, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  CHECK_INT(d->methods->lock(d, SQLITE_LOCK_SHARED), SQLITE_BUSY);
  a->methods->close(a);
  b->methods->close(b);
  c->methods->close(c);
  d->methods->close(d);
  int ex = 1;
  m->access(m, ":memdb:shared", SQLITE_ACCESS_EXISTS, &ex);
  CHECK_INT(ex, 0); /* freed with its last handle */
}

int main(void) {
  snprintf(g_db, sizeof(g_db), "/tmp/shale_vfs_lock_%d.db", (int)getpid());
  for (int v = 0; v < 2; v++) test_vfs(shale_vfs_find(testlib_vfs_names[v]));
  test_pending_semantics();
  test_memdb();
  unlink(g_db);
  return testlib_finish("vfs_lock");
}
