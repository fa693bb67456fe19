/* pager_crash.c — a workload of committed transactions through the pager on
** the "faulty" VFS (wrapping "unix", then "pending"); power is cut before
** every write/sync/truncate in turn (unsynced writes lost, or randomly
** kept/torn), the database is reopened with hot-journal recovery, and every
** committed transaction must be present and no partial one.  Also: EIO and
** ENOSPC on writes and syncs, short writes: the transaction fails, rollback
** restores the last committed state, and the connection goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"
#include "../../engine/vfs/vfs_faulty.h"

#define PS 4096
#define MAXPG 128
#define NTXN 6

typedef struct Model {
  int gen[MAXPG + 1];
  Pgno n;
} Model;

static char g_db[256], g_jrnl[300];
static u8 *g_template;
static long g_template_size;
static Model g_models[NTXN + 1];

static void fill(u8 *d, Pgno pgno, int gen, int t) {
  if (gen < 0) {
    memset(d, 0, PS);
    return;
  }
  if (pgno == 1) {
    /* keep a valid 100-byte header; t at offset 60 */
    memset(d, 0, 100);
    memcpy(d, "SQLite format 3", 16);
    put2byte(d + 16, PS);
    d[18] = d[19] = 1;
    d[21] = 64;
    d[22] = d[23] = 32;
    put4byte(d + 60, (u32)t);
    for (u32 i = 100; i < PS; i++) d[i] = (u8)(i * 7 + gen * 13);
    return;
  }
  for (u32 i = 0; i < PS; i++) d[i] = (u8)(pgno * 31 + i * 7 + gen * 13);
}

static int drive_vfs_poll(ShaleVfs *v) { return v->poll(v, 1); }

#define DRIVE(rc, vfs, call)                                                   \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) drive_vfs_poll(vfs);              \
  } while (0)

static int close_pager(Pager *p) {
  int rc;
  while ((rc = pager_close(p)) == SHALE_PENDING) {
    ShaleVfs *v_ = shale_vfs_find("pending");
    v_->poll(v_, 1);
  }
  return rc;
}

/* Write page pgno with generation t (and page 1 with t). */
static int wpage(Pager *p, ShaleVfs *v, Model *m, Pgno pgno, int t) {
  if (m) {
    m->gen[pgno] = t;
    if (pgno > m->n) m->n = pgno;
  }
  if (!p) return SQLITE_OK;
  DbPage *pg;
  int rc;
  DRIVE(rc, v, pager_get(p, pgno, &pg, 0));
  if (rc) return rc;
  DRIVE(rc, v, pager_write(pg));
  if (rc == SQLITE_OK) fill(pager_data(pg), pgno, t, t);
  pager_unref(pg);
  return rc;
}

#define W(pg)                                                                  \
  do {                                                                         \
    int rc_ = wpage(p, v, m, (pg), t);                                         \
    if (rc_) return rc_;                                                       \
  } while (0)

/* Transaction t's changes (applied to the pager and/or the model). */
static int txn_body(Pager *p, ShaleVfs *v, Model *m, int t) {
  W(1);
  switch (t) {
    case 1:
      for (Pgno i = 2; i <= 5; i++) W(i);
      for (Pgno i = 21; i <= 25; i++) W(i);
      break;
    case 2:
      for (Pgno i = 2; i <= 61; i++) W(i);
      break;
    case 3: {
      W(10);
      W(11);
      if (p) {
        int rc = pager_savepoint(p, SAVEPOINT_BEGIN, 0);
        if (rc) return rc;
        rc = wpage(p, v, NULL, 12, t);
        if (rc) return rc;
        rc = wpage(p, v, NULL, 70, t);
        if (rc) return rc;
        DRIVE(rc, v, pager_savepoint(p, SAVEPOINT_ROLLBACK, 0));
        if (rc) return rc;
        pager_savepoint(p, SAVEPOINT_RELEASE, 0);
      }
      W(13);
      break;
    }
    case 4:
      if (p) pager_truncate_image(p, 40);
      if (m) {
        for (Pgno i = 41; i <= MAXPG; i++) m->gen[i] = -1;
        m->n = 40;
      }
      W(3);
      break;
    case 5:
      for (Pgno i = 2; i <= 40; i++) W(i);
      break;
    case 6:
      W(7);
      W(45);
      break;
  }
  return SQLITE_OK;
}

static int run_txn(Pager *p, ShaleVfs *v, int t) {
  int rc;
  DRIVE(rc, v, pager_begin_read(p));
  if (rc) return rc;
  DRIVE(rc, v, pager_begin_write(p, 0));
  if (rc) {
    pager_end_read(p);
    return rc;
  }
  rc = txn_body(p, v, NULL, t);
  if (rc == SQLITE_OK) DRIVE(rc, v, pager_commit(p));
  if (rc) {
    int rc2;
    DRIVE(rc2, v, pager_rollback(p));
    (void)rc2;
  }
  pager_end_read(p);
  return rc;
}

static void write_template(void) {
  unlink(g_jrnl);
  FILE *f = fopen(g_db, "wb");
  fwrite(g_template, 1, (size_t)g_template_size, f);
  fclose(f);
}

/* Returns the transaction number found, or -1 when inconsistent. */
static int verify(const char *vfsname) {
  ShaleVfs *v = shale_vfs_find(vfsname);
  Pager *p = NULL;
  int rc = pager_open(v, g_db, 0, 0, 0, &p);
  if (rc) return -1;
  pager_set_synchronous(p, 0); /* recovery without fsync: keeps the sweep fast */
  int found = -1;
  DRIVE(rc, v, pager_begin_read(p));
  if (rc == SQLITE_OK) {
    DbPage *pg;
    DRIVE(rc, v, pager_get(p, 1, &pg, 0));
    if (rc == SQLITE_OK) {
      int t = (int)get4byte((u8 *)pager_data(pg) + 60);
      pager_unref(pg);
      if (t >= 0 && t <= NTXN) {
        Model *m = &g_models[t];
        int ok = pager_page_count(p) == m->n;
        if (!ok && getenv("DBG")) fprintf(stderr, "t=%d count %u want %u\n", t, pager_page_count(p), m->n);
        u8 want[PS];
        for (Pgno i = 1; ok && i <= m->n; i++) {
          DRIVE(rc, v, pager_get(p, i, &pg, 0));
          if (rc) {
            ok = 0;
            break;
          }
          fill(want, i, m->gen[i], t);
          if (i == 1) {
            u8 *d = pager_data(pg);
            if (get4byte(d + 28) != m->n || get4byte(d + 24) != get4byte(d + 92)) ok = 0;
            memcpy(want + 24, d + 24, 8);
            memcpy(want + 92, d + 92, 8);
          }
          if (memcmp(pager_data(pg), want, PS) != 0) {
            ok = 0;
            if (getenv("DBG")) fprintf(stderr, "t=%d page %u differs (gen want %d)\n", t, i, m->gen[i]);
          }
          pager_unref(pg);
        }
        if (ok) found = t;
      }
    }
    pager_end_read(p);
  }
  close_pager(p);
  if (access(g_jrnl, F_OK) == 0) {
    /* a leftover journal must not be hot */
    FILE *f = fopen(g_jrnl, "rb");
    int c = f ? fgetc(f) : 0;
    if (f) fclose(f);
    if (c > 0) found = -2;
  }
  return found;
}

static void setup(void) {
  /* t=0: 20 pages, through the plain unix VFS */
  ShaleVfs *v = shale_vfs_find("unix");
  unlink(g_db);
  unlink(g_jrnl);
  Pager *p = NULL;
  CHECK_INT(pager_open(v, g_db, 0, 0, 0, &p), SQLITE_OK);
  int rc;
  DRIVE(rc, v, pager_begin_read(p));
  DRIVE(rc, v, pager_begin_write(p, 0));
  for (Pgno i = 1; i <= 20; i++) wpage(p, v, NULL, i, 0);
  DRIVE(rc, v, pager_commit(p));
  CHECK_INT(rc, SQLITE_OK);
  pager_end_read(p);
  close_pager(p);
  FILE *f = fopen(g_db, "rb");
  fseek(f, 0, SEEK_END);
  g_template_size = ftell(f);
  fseek(f, 0, SEEK_SET);
  g_template = malloc((size_t)g_template_size);
  CHECK_INT(fread(g_template, 1, (size_t)g_template_size, f), g_template_size);
  fclose(f);
  /* models */
  memset(&g_models[0], 0, sizeof(Model));
  g_models[0].n = 20;
  for (int t = 1; t <= NTXN; t++) {
    g_models[t] = g_models[t - 1];
    txn_body(NULL, NULL, &g_models[t], t);
  }
}

static Pager *open_faulty(int jmode, int sync) {
  Pager *p = NULL;
  int rc = pager_open(shale_vfs_find("faulty"), g_db, 0, 0, 0, &p);
  if (rc) return NULL;
  pager_set_cache_size(p, 10);
  pager_journal_mode(p, jmode);
  pager_set_synchronous(p, sync);
  return p;
}

static void crash_sweep(int jmode, int sync, int restore_mode) {
  ShaleVfs *v = shale_vfs_find("faulty");
  /* count the operations of a clean run */
  write_template();
  shale_faulty_reset();
  Pager *p = open_faulty(jmode, sync);
  for (int t = 1; t <= NTXN; t++) CHECK_INT(run_txn(p, v, t), SQLITE_OK);
  close_pager(p);
  int nops = shale_faulty_op_count();
  CHECK(nops > 20);
  CHECK_INT(verify("unix"), NTXN);
  int bad = 0;
  for (int k = 1; k <= nops + 1; k++) {
    write_template();
    shale_faulty_reset();
    shale_faulty_power_loss_at(k);
    p = open_faulty(jmode, sync);
    int committed = 0;
    for (int t = 1; t <= NTXN; t++) {
      if (run_txn(p, v, t) != SQLITE_OK) break;
      committed = t;
    }
    close_pager(p);
    shale_faulty_power_restore(restore_mode, (u32)k * 2654435761u);
    int found = verify(k & 1 ? "unix" : "pending");
    if (!(found == committed || found == committed + 1)) {
      if (bad++ < 5)
        fprintf(stderr, "crash at op %d/%d (jmode %d sync %d restore %d): committed %d, found %d\n",
                k, nops, jmode, sync, restore_mode, committed, found);
    }
    if (k == nops + 1) CHECK_INT(found, NTXN);
  }
  CHECK_INT(bad, 0);
}

/* Errors that are not crashes: the transaction fails and is rolled back. */
static void error_sweep(int kind, int stride) {
  ShaleVfs *v = shale_vfs_find("faulty");
  write_template();
  shale_faulty_reset();
  Pager *p = open_faulty(PAGER_JOURNALMODE_DELETE, 2);
  for (int t = 1; t <= NTXN; t++) run_txn(p, v, t);
  close_pager(p);
  int nops = shale_faulty_op_count();
  int bad = 0;
  for (int k = 1; k <= nops; k += stride) {
    write_template();
    shale_faulty_reset();
    switch (kind) {
      case 0: shale_faulty_fail_write(k, SQLITE_IOERR_WRITE, 0); break;
      case 1: shale_faulty_fail_write(k, SQLITE_FULL, 0); break;
      case 2: shale_faulty_fail_sync(k, SQLITE_IOERR_FSYNC, 0); break;
      default: shale_faulty_short_write(k); break;
    }
    p = open_faulty(PAGER_JOURNALMODE_DELETE, 2);
    int committed = 0, failed = 0;
    for (int t = 1; t <= NTXN; t++) {
      int rc = run_txn(p, v, t);
      if (rc != SQLITE_OK) {
        failed = t;
        break;
      }
      committed = t;
    }
    /* same connection: after the failure the state is the last commit */
    if (failed) {
      int rc;
      DRIVE(rc, v, pager_begin_read(p));
      DbPage *pg = NULL;
      if (rc == SQLITE_OK) DRIVE(rc, v, pager_get(p, 1, &pg, 0));
      int t = -1;
      if (rc == SQLITE_OK) {
        t = (int)get4byte((u8 *)pager_data(pg) + 60);
        pager_unref(pg);
      }
      pager_end_read(p);
      if (t != committed) {
        if (bad++ < 5) fprintf(stderr, "error kind %d at op %d: in-connection t=%d committed=%d\n", kind, k, t, committed);
      }
      /* and the connection still works */
      if (run_txn(p, v, committed + 1) == SQLITE_OK) committed++;
    }
    close_pager(p);
    shale_faulty_reset();
    int found = verify("unix");
    if (found != committed) {
      if (bad++ < 5) fprintf(stderr, "error kind %d at op %d: committed %d found %d\n", kind, k, committed, found);
    }
  }
  CHECK_INT(bad, 0);
}

int main(void) {
  snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_crash_%d.db", (int)getpid());
  snprintf(g_jrnl, sizeof(g_jrnl), "%s-journal", g_db);
  setup();
  /* SHALE_CRASH_FULL=1 runs every combination; the default keeps the test
  ** to a few seconds (crash points are still every single operation). */
  int full = getenv("SHALE_CRASH_FULL") != NULL;
  for (int b = 0; b < 2; b++) {
    shale_faulty_set_base(testlib_vfs_names[b]);
    crash_sweep(PAGER_JOURNALMODE_DELETE, 2, 1);
    if (b == 0 || full) {
      crash_sweep(PAGER_JOURNALMODE_DELETE, 2, 0);
      crash_sweep(PAGER_JOURNALMODE_TRUNCATE, 2, 0);
      crash_sweep(PAGER_JOURNALMODE_PERSIST, 1, 0);
    }
    if (full) crash_sweep(PAGER_JOURNALMODE_DELETE, 1, 0);
    for (int kind = 0; kind < 4; kind++) error_sweep(kind, full ? 1 : 11);
  }
  shale_faulty_set_base(NULL);
  shale_faulty_reset();
  free(g_template);
  unlink(g_db);
  unlink(g_jrnl);
  return testlib_finish("pager_crash");
}
