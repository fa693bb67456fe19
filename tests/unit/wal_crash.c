/*
** wal_crash.c — power loss at every write/sync/truncate of a WAL workload
** (three commits, a FULL checkpoint, a log restart, a TRUNCATE checkpoint)
** through the "faulty" VFS; after restoring power, sqlite3 must find an
** intact database holding at least every transaction whose commit returned
** SQLITE_OK.  Runs with "faulty" over each of testlib_vfs_names.
*/
#include "testlib.h"
#include "../../engine/wal/wal.h"

#if !__has_include("../../engine/vfs/vfs_faulty.h")
/* The fault-injecting VFS has not landed yet. */
int main(void) {
  printf("wal_crash: skipped (no vfs_faulty.h yet)\n");
  return testlib_finish("wal_crash");
}
#else
#include "../../engine/vfs/vfs_faulty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ShaleVfs *g_vfs;
static char g_dir[256], g_db[512], g_tmpl[512];

static void sq(const char *db, const char *sql, char *out, size_t n) {
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\" 2>&1", db, sql);
  FILE *p = popen(cmd, "r");
  size_t k = 0;
  if (p) {
    k = fread(out, 1, n - 1, p);
    pclose(p);
  }
  out[k] = 0;
  while (k > 0 && out[k - 1] == '\n') out[--k] = 0;
}

static int drive(int rc, int (*again)(void *), void *arg) {
  int guard = 0;
  while (rc == SHALE_PENDING && guard++ < 100000) {
    g_vfs->poll(g_vfs, 1);
    rc = again(arg);
  }
  return rc;
}

typedef struct Op {
  Wal *w;
  WalPage pg;
  int kind; /* 0 begin_read, 1 frames(commit), 2 ckpt FULL, 3 ckpt TRUNCATE, 4 close */
  int changed;
} Op;

static int op_step(void *arg) {
  Op *o = arg;
  int a, b;
  switch (o->kind) {
    case 0: return wal_begin_read(o->w, &o->changed);
    case 1: return wal_frames(o->w, 4096, &o->pg, 1, 2, 1, SQLITE_SYNC_NORMAL);
    case 2: return wal_checkpoint(o->w, SQLITE_CHECKPOINT_FULL, NULL, NULL, SQLITE_SYNC_NORMAL, 4096, &a, &b);
    case 3: return wal_checkpoint(o->w, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, SQLITE_SYNC_NORMAL, 4096, &a, &b);
    default: return wal_close(o->w, SQLITE_SYNC_NORMAL, 4096);
  }
}
static int run_op(Op *o, int kind) {
  o->kind = kind;
  return drive(op_step(o), op_step, o);
}

static int patch(u8 *buf, const char *from, const char *to) {
  for (int i = 0; i + 3 <= 4096; i++)
    if (memcmp(buf + i, from, 3) == 0) {
      memcpy(buf + i, to, 3);
      return 1;
    }
  return 0;
}

static const char *const vals[4] = {"one", "AAA", "BBB", "CCC"};

/* The workload; returns how many commits returned SQLITE_OK. */
static int workload(void) {
  int committed = 0;
  ShaleFile *f = NULL;
  int oflags = 0;
  if (g_vfs->open(g_vfs, g_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &f, &oflags)) return 0;
  if (f->methods->lock(f, SQLITE_LOCK_SHARED) != SQLITE_OK) {
    f->methods->close(f);
    return 0;
  }
  char wp[600];
  snprintf(wp, sizeof(wp), "%s-wal", g_db);
  Op o;
  memset(&o, 0, sizeof(o));
  if (wal_open(g_vfs, f, wp, 0, &o.w) != SQLITE_OK) {
    f->methods->close(f);
    return 0;
  }
  u8 page[4096];
  o.pg.pgno = 2;
  o.pg.data = page;
  for (int t = 1; t <= 3; t++) {
    if (run_op(&o, 0) != SQLITE_OK) break;
    u32 frame = 0;
    wal_find_frame(o.w, 2, &frame);
    ShaleIo io;
    shale_io_init(&io);
    int rc = frame ? wal_read_frame(o.w, frame, page, 4096, &io)
                   : f->methods->read(f, page, 4096, 4096, &io);
    rc = shale_vfs_wait_io(g_vfs, &io, rc);
    if (rc != SQLITE_OK || !patch(page, vals[t - 1], vals[t])) {
      wal_end_read(o.w);
      break;
    }
    if (wal_begin_write(o.w) != SQLITE_OK) {
      wal_end_read(o.w);
      break;
    }
    rc = run_op(&o, 1);
    if (rc == SQLITE_OK) {
      committed = t;
    } else {
      wal_undo(o.w);
    }
    wal_end_write(o.w);
    wal_end_read(o.w);
    if (rc != SQLITE_OK) break;
    if (t == 2) run_op(&o, 2);
  }
  run_op(&o, 3);
  run_op(&o, 4);
  f->methods->unlock(f, SQLITE_LOCK_NONE);
  f->methods->close(f);
  return committed;
}

static void fresh_db(void) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm' && cp '%s' '%s'", g_db, g_db, g_db, g_tmpl, g_db);
  if (system(cmd) != 0) CHECK(0);
}

static void verify(int committed, int n, int mode) {
  char out[512];
  sq(g_db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  int ok = 0;
  for (int v = committed; v <= 3; v++) {
    char want[64];
    snprintf(want, sizeof(want), "ok\n%s", vals[v]);
    if (strcmp(out, want) == 0) ok = 1;
  }
  if (!ok) fprintf(stderr, "power loss at op %d (mode %d): committed %d, sqlite3 says '%s'\n", n, mode, committed, out);
  CHECK(ok);
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find("faulty");
    CHECK(g_vfs != NULL);
    if (!g_vfs) break;
    shale_faulty_set_base(testlib_vfs_names[v]);
    snprintf(g_dir, sizeof(g_dir), "/tmp/shale_walcrash_%d_%s", (int)getpid(), testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "%s/c.db", g_dir);
    snprintf(g_tmpl, sizeof(g_tmpl), "%s/tmpl.db", g_dir);
    char cmd[1024], out[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", g_dir, g_dir);
    if (system(cmd) != 0) CHECK(0);
    sq(g_tmpl, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
    CHECK_STR(out, "wal");

    /* count the operations of a clean run */
    fresh_db();
    shale_faulty_reset();
    int c = workload();
    CHECK_INT(c, 3);
    int total = shale_faulty_op_count();
    CHECK(total > 8);
    verify(3, 0, 0);

    int f0 = testlib_failed;
    for (int mode = 0; mode < 3; mode++) {
      for (int n = 1; n <= total; n++) {
        fresh_db();
        shale_faulty_reset();
        /* mode 2: the nth write is torn (partial sector) and power is lost */
        if (mode == 2) shale_faulty_torn_write(n);
        else shale_faulty_power_loss_at(n);
        c = workload();
        if (mode < 2) CHECK(shale_faulty_crashed());
        shale_faulty_power_restore(mode == 2 ? 0 : mode, (u32)(n * 7919 + mode));
        verify(c, n, mode);
      }
    }
    shale_faulty_reset();
    if (testlib_failed == f0) {
      snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
      if (system(cmd) != 0) CHECK(0);
    }
  }
  shale_faulty_set_base(NULL);
  return testlib_finish("wal_crash");
}
#endif
