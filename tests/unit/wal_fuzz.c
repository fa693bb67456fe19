/*
** wal_fuzz.c — random operation sequences over three connections of one
** process (read/write transactions, uncommitted frames, savepoints, undo,
** commits, checkpoints in every mode, closes and reopens), checked against
** a model of committed versions: every page read must match the
** connection's snapshot (plus its own uncommitted writes).
*/
#include "testlib.h"
#include "../../engine/wal/wal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define NP 8      /* pages in the database */
#define NCONN 3
#define MAXC 4096 /* commits tracked */
#define PGSZ 1024

static ShaleVfs *g_vfs;
static char g_db[512], g_wal[600];
static u16 hist[MAXC][NP + 1]; /* version of each page after commit i */
static int ncommit;
static u64 rng = 88172645463325252ull;

static u32 rnd(u32 n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (u32)(rng % n);
}

typedef struct Conn {
  ShaleFile *f;
  Wal *w;
  int in_read, in_write;
  int snap;
  int pend[NP + 1]; /* uncommitted version per page, -1 none */
  int sp_valid;
  u32 sp[4];
  int sp_pend[NP + 1];
} Conn;

static Conn conns[NCONN];
static int next_version = 1;

static int g_nlog, g_nckpt; /* checkpoint results, also across retries */

static int drive(Conn *c, int rc, int what, const WalPage *pg, int n, int mode) {
  int guard = 0;
  int changed;
  int *nlog = &g_nlog, *nckpt = &g_nckpt;
  while (rc == SHALE_PENDING && guard++ < 100000) {
    g_vfs->poll(g_vfs, 1);
    switch (what) {
      case 0: rc = wal_begin_read(c->w, &changed); break;
      case 1: rc = wal_frames(c->w, PGSZ, pg, n, NP, mode, 0); break;
      case 2: rc = wal_checkpoint(c->w, mode, NULL, NULL, 0, PGSZ, nlog, nckpt); break;
      default: rc = wal_close(c->w, 0, PGSZ); break;
    }
  }
  return rc;
}

static void fill(u8 *p, Pgno pg, int ver) {
  for (int i = 0; i < PGSZ; i += 4) {
    put2byte(p + i, pg);
    put2byte(p + i + 2, (u32)ver);
  }
}

static void conn_open(Conn *c) {
  memset(c, 0, sizeof(*c));
  int of = 0;
  CHECK_INT(g_vfs->open(g_vfs, g_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &c->f, &of), SQLITE_OK);
  CHECK_INT(c->f->methods->lock(c->f, SQLITE_LOCK_SHARED), SQLITE_OK);
  CHECK_INT(wal_open(g_vfs, c->f, g_wal, 0, &c->w), SQLITE_OK);
}

static void conn_close(Conn *c) {
  if (c->in_read) wal_end_read(c->w);
  CHECK_INT(drive(c, wal_close(c->w, 0, PGSZ), 3, NULL, 0, 0), SQLITE_OK);
  c->f->methods->unlock(c->f, SQLITE_LOCK_NONE);
  c->f->methods->close(c->f);
  c->w = NULL;
}

static void check_page(Conn *c, Pgno pg) {
  int want = c->pend[pg] >= 0 ? c->pend[pg] : hist[c->snap][pg];
  u8 buf[PGSZ];
  u32 frame = 0;
  CHECK_INT(wal_find_frame(c->w, pg, &frame), SQLITE_OK);
  ShaleIo io;
  shale_io_init(&io);
  int rc = frame ? wal_read_frame(c->w, frame, buf, PGSZ, &io)
                 : c->f->methods->read(c->f, buf, PGSZ, (i64)(pg - 1) * PGSZ, &io);
  rc = shale_vfs_wait_io(g_vfs, &io, rc);
  CHECK_INT(rc, SQLITE_OK);
  u8 exp[PGSZ];
  fill(exp, pg, want);
  if (memcmp(buf, exp, PGSZ) != 0) {
    testlib_fail(__FILE__, __LINE__, "page %u: got v%u (pg %u), want v%d (frame %u, snap %d)", pg,
                 get2byte(buf + 2), get2byte(buf), want, frame, c->snap);
  } else {
    testlib_passed++;
  }
}

static int anyone_writing(void) {
  for (int i = 0; i < NCONN; i++)
    if (conns[i].in_write) return 1;
  return 0;
}

static void step(void) {
  Conn *c = &conns[rnd(NCONN)];
  int r = (int)rnd(100);
  if (!c->in_read) {
    if (r < 8) {
      /* checkpoint outside a transaction */
      static const int modes[4] = {SQLITE_CHECKPOINT_PASSIVE, SQLITE_CHECKPOINT_FULL,
                                   SQLITE_CHECKPOINT_RESTART, SQLITE_CHECKPOINT_TRUNCATE};
      int mode = modes[rnd(4)];
      int rc = drive(c, wal_checkpoint(c->w, mode, NULL, NULL, 0, PGSZ, &g_nlog, &g_nckpt), 2, NULL, 0, mode);
      int nlog = g_nlog, nckpt = g_nckpt;
      CHECK(rc == SQLITE_OK || rc == SQLITE_BUSY);
      int quiet = 1;
      for (int i = 0; i < NCONN; i++)
        if (conns[i].in_read) quiet = 0;
      if (quiet) {
        /* nobody reads or writes: every mode completes */
        CHECK_INT(rc, SQLITE_OK);
        CHECK_INT(nckpt, nlog);
        if (mode == SQLITE_CHECKPOINT_TRUNCATE) {
          struct stat st;
          CHECK(stat(g_wal, &st) == 0 && st.st_size == 0);
          CHECK_INT(nlog, 0);
        }
      }
    } else if (r < 10) {
      conn_close(c);
      conn_open(c);
    } else {
      int changed;
      int rc = drive(c, wal_begin_read(c->w, &changed), 0, NULL, 0, 0);
      CHECK_INT(rc, SQLITE_OK);
      if (rc == SQLITE_OK) {
        c->in_read = 1;
        c->snap = ncommit;
        for (int p = 1; p <= NP; p++) c->pend[p] = -1;
      }
    }
    return;
  }
  if (!c->in_write) {
    if (r < 40) {
      check_page(c, 1 + rnd(NP));
    } else if (r < 55) {
      wal_end_read(c->w);
      c->in_read = 0;
    } else if (r < 60) {
      int rc = drive(c, wal_checkpoint(c->w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, PGSZ, &g_nlog, &g_nckpt),
                     2, NULL, 0, SQLITE_CHECKPOINT_PASSIVE);
      CHECK(rc == SQLITE_OK || rc == SQLITE_BUSY);
    } else {
      int rc = wal_begin_write(c->w);
      if (anyone_writing()) {
        CHECK_INT(rc, SQLITE_BUSY);
      } else if (c->snap != ncommit) {
        CHECK_INT(rc, SQLITE_BUSY_SNAPSHOT);
      } else {
        CHECK_INT(rc, SQLITE_OK);
      }
      if (rc == SQLITE_OK) {
        c->in_write = 1;
        c->sp_valid = 0;
      }
    }
    return;
  }
  /* in a write transaction */
  if (r < 25) {
    check_page(c, 1 + rnd(NP));
  } else if (r < 60 || r >= 85) {
    int commit = r >= 85;
    WalPage pages[NP];
    static u8 data[NP][PGSZ];
    int n = 0;
    for (int p = 1; p <= NP; p++) {
      if (rnd(3) == 0 || (n == 0 && p == NP)) {
        int v = next_version++;
        if (next_version > 60000) next_version = 1;
        fill(data[n], (Pgno)p, v);
        pages[n].pgno = (Pgno)p;
        pages[n].data = data[n];
        n++;
      }
    }
    int rc = drive(c, wal_frames(c->w, PGSZ, pages, n, NP, commit, 0), 1, pages, n, commit);
    CHECK_INT(rc, SQLITE_OK);
    for (int i = 0; i < n; i++) c->pend[pages[i].pgno] = get2byte(data[i] + 2);
    if (commit && ncommit + 1 < MAXC) {
      ncommit++;
      for (int p = 1; p <= NP; p++)
        hist[ncommit][p] = (u16)(c->pend[p] >= 0 ? c->pend[p] : hist[c->snap][p]);
      c->snap = ncommit;
      for (int p = 1; p <= NP; p++) c->pend[p] = -1;
      wal_end_write(c->w);
      c->in_write = 0;
    }
  } else if (r < 68) {
    wal_savepoint(c->w, c->sp);
    memcpy(c->sp_pend, c->pend, sizeof(c->pend));
    c->sp_valid = 1;
  } else if (r < 76) {
    if (c->sp_valid) {
      CHECK_INT(wal_savepoint_undo(c->w, c->sp), SQLITE_OK);
      memcpy(c->pend, c->sp_pend, sizeof(c->pend));
    }
  } else {
    wal_undo(c->w);
    for (int p = 1; p <= NP; p++) c->pend[p] = -1;
    c->sp_valid = 0;
    if (rnd(2)) {
      wal_end_write(c->w);
      c->in_write = 0;
    }
  }
}

int main(void) {
  const char *seed = getenv("WAL_FUZZ_SEED");
  if (seed) rng = strtoull(seed, NULL, 10) * 2654435761ull + 1;
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    CHECK(g_vfs != NULL);
    if (!g_vfs) continue;
    char dir[256], cmd[1024];
    snprintf(dir, sizeof(dir), "/tmp/shale_walfuzz_%d_%s", (int)getpid(), testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "%s/f.db", dir);
    snprintf(g_wal, sizeof(g_wal), "%s-wal", g_db);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK_INT(system(cmd), 0);
    /* the database file: every page at version 0 */
    FILE *f = fopen(g_db, "wb");
    u8 p[PGSZ];
    for (Pgno pg = 1; pg <= NP; pg++) {
      fill(p, pg, 0);
      fwrite(p, 1, PGSZ, f);
    }
    fclose(f);
    memset(hist, 0, sizeof(hist));
    ncommit = 0;
    for (int i = 0; i < NCONN; i++) conn_open(&conns[i]);
    int f0 = testlib_failed;
    for (int s = 0; s < 40000 && testlib_failed - f0 < 5; s++) step();
    for (int i = 0; i < NCONN; i++) conn_close(&conns[i]);
    if (testlib_failed == f0) {
      snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
      CHECK_INT(system(cmd), 0);
    }
    printf("wal_fuzz[%s]: %d commits\n", testlib_vfs_names[v], ncommit);
  }
  return testlib_finish("wal_fuzz");
}
