/*
** wal_threads.c — several connections of one process (one thread each)
** share a WAL through the in-process -shm bookkeeping of unix_shm.c:
** a writer commits pages 2 and 3 together (same counter), readers check
** every snapshot is consistent and never goes back in time, a checkpointer
** cycles PASSIVE/FULL/RESTART/TRUNCATE with a sleeping busy handler.
*/
#include "testlib.h"
#include "../../engine/wal/wal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NCOMMIT 2000

typedef struct Shared {
  ShaleVfs *vfs;
  char db[512], walp[600];
  volatile int writer_done;
  int errors;
  int snapshots, ckpts, commits;
} Shared;

typedef struct Conn {
  ShaleFile *f;
  Wal *w;
} Conn;

static int conn_open(Shared *s, Conn *c) {
  int of = 0;
  int rc = s->vfs->open(s->vfs, s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &c->f, &of);
  if (rc) return rc;
  rc = c->f->methods->lock(c->f, SQLITE_LOCK_SHARED);
  if (rc) return rc;
  return wal_open(s->vfs, c->f, s->walp, 0, &c->w);
}

static void conn_close(Conn *c) {
  int rc;
  while ((rc = wal_close(c->w, 0, 4096)) == SHALE_PENDING) c->f->vfs->poll(c->f->vfs, 1);
  c->f->methods->unlock(c->f, SQLITE_LOCK_NONE);
  c->f->methods->close(c->f);
}

static int drive_read(Conn *c) {
  int rc, changed;
  while ((rc = wal_begin_read(c->w, &changed)) == SHALE_PENDING) c->f->vfs->poll(c->f->vfs, 1);
  return rc;
}

static int read_page(Conn *c, Pgno pg, u8 *buf) {
  u32 frame = 0;
  int rc = wal_find_frame(c->w, pg, &frame);
  if (rc) return rc;
  ShaleIo io;
  shale_io_init(&io);
  rc = frame ? wal_read_frame(c->w, frame, buf, 4096, &io)
             : c->f->methods->read(c->f, buf, 4096, (i64)(pg - 1) * 4096, &io);
  rc = shale_vfs_wait_io(c->f->vfs, &io, rc);
  return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
}

static void fill(u8 *p, u32 v) {
  memset(p, (int)(v & 0xff), 4096);
  put4byte(p, v);
}
static int check_page(const u8 *p, u32 *v) {
  *v = get4byte(p);
  for (int i = 4; i < 4096; i++)
    if (p[i] != (u8)(*v & 0xff)) return 0;
  return 1;
}

static int commit(Conn *c, u32 v) {
  u8 a[4096], b[4096];
  fill(a, v);
  fill(b, v);
  WalPage pages[2] = {{2, a}, {3, b}};
  int rc;
  while ((rc = wal_frames(c->w, 4096, pages, 2, 3, 1, 0)) == SHALE_PENDING)
    c->f->vfs->poll(c->f->vfs, 1);
  return rc;
}

static void *writer(void *arg) {
  Shared *s = arg;
  Conn c;
  if (conn_open(s, &c)) {
    __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
    return NULL;
  }
  u32 v = 1;
  int tries = 0;
  while (v <= NCOMMIT && tries++ < 200000) {
    if (drive_read(&c) != SQLITE_OK) {
      usleep(100);
      continue;
    }
    u8 p[4096];
    u32 cur;
    if (read_page(&c, 2, p) != SQLITE_OK || !check_page(p, &cur) || cur != v - 1) {
      fprintf(stderr, "writer: page 2 holds %u, expected %u\n", get4byte(p), v - 1);
      __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
      wal_end_read(c.w);
      break;
    }
    int rc = wal_begin_write(c.w);
    if (rc == SQLITE_OK) {
      rc = commit(&c, v);
      if (rc == SQLITE_OK) {
        v++;
        __atomic_fetch_add(&s->commits, 1, __ATOMIC_SEQ_CST);
      } else {
        wal_undo(c.w);
        __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
      }
    }
    wal_end_read(c.w);
    if (rc != SQLITE_OK) usleep(50);
  }
  s->writer_done = 1;
  conn_close(&c);
  return NULL;
}

static void *reader(void *arg) {
  Shared *s = arg;
  Conn c;
  if (conn_open(s, &c)) {
    __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
    return NULL;
  }
  u32 last = 0;
  while (!s->writer_done) {
    if (drive_read(&c) != SQLITE_OK) {
      usleep(100);
      continue;
    }
    u8 a[4096], b[4096];
    u32 va = 0, vb = 0;
    int ok = read_page(&c, 2, a) == SQLITE_OK && read_page(&c, 3, b) == SQLITE_OK &&
             check_page(a, &va) && check_page(b, &vb) && va == vb && va >= last;
    if (!ok) {
      fprintf(stderr, "reader: inconsistent snapshot %u/%u (last %u)\n", get4byte(a), get4byte(b), last);
      __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
    }
    if (ok) last = va;
    __atomic_fetch_add(&s->snapshots, 1, __ATOMIC_SEQ_CST);
    wal_end_read(c.w);
  }
  conn_close(&c);
  return NULL;
}

static int busy_sleep(void *arg, int n) {
  SHALE_UNUSED(arg);
  if (n > 50) return 0;
  usleep(200);
  return 1;
}

static void *checkpointer(void *arg) {
  Shared *s = arg;
  Conn c;
  if (conn_open(s, &c)) {
    __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
    return NULL;
  }
  static const int modes[4] = {SQLITE_CHECKPOINT_PASSIVE, SQLITE_CHECKPOINT_FULL,
                               SQLITE_CHECKPOINT_RESTART, SQLITE_CHECKPOINT_TRUNCATE};
  int k = 0;
  while (!s->writer_done) {
    int nlog, nckpt, rc;
    while ((rc = wal_checkpoint(c.w, modes[k++ % 4], busy_sleep, NULL, 0, 4096, &nlog, &nckpt)) ==
           SHALE_PENDING)
      c.f->vfs->poll(c.f->vfs, 1);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      fprintf(stderr, "checkpoint: rc=%d\n", rc);
      __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
    }
    if (rc == SQLITE_OK) __atomic_fetch_add(&s->ckpts, 1, __ATOMIC_SEQ_CST);
    usleep(100);
  }
  conn_close(&c);
  return NULL;
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    Shared s;
    memset(&s, 0, sizeof(s));
    s.vfs = shale_vfs_find(testlib_vfs_names[v]);
    CHECK(s.vfs != NULL);
    if (!s.vfs) continue;
    char dir[256], cmd[2048];
    snprintf(dir, sizeof(dir), "/tmp/shale_walthr_%d_%s", (int)getpid(), testlib_vfs_names[v]);
    snprintf(s.db, sizeof(s.db), "%s/t.db", dir);
    snprintf(s.walp, sizeof(s.walp), "%s-wal", s.db);
    snprintf(cmd, sizeof(cmd),
             "rm -rf '%s' && mkdir -p '%s' && sqlite3 '%s' 'PRAGMA journal_mode=wal; CREATE TABLE a(x); CREATE TABLE b(x);' >/dev/null",
             dir, dir, s.db);
    CHECK_INT(system(cmd), 0);
    /* counter 0 in pages 2 and 3 */
    Conn c0;
    CHECK_INT(conn_open(&s, &c0), SQLITE_OK);
    CHECK_INT(drive_read(&c0), SQLITE_OK);
    CHECK_INT(wal_begin_write(c0.w), SQLITE_OK);
    CHECK_INT(commit(&c0, 0), SQLITE_OK);
    wal_end_read(c0.w);

    pthread_t tw, tr1, tr2, tc;
    pthread_create(&tw, NULL, writer, &s);
    pthread_create(&tr1, NULL, reader, &s);
    pthread_create(&tr2, NULL, reader, &s);
    pthread_create(&tc, NULL, checkpointer, &s);
    pthread_join(tw, NULL);
    pthread_join(tr1, NULL);
    pthread_join(tr2, NULL);
    pthread_join(tc, NULL);
    CHECK_INT(s.errors, 0);
    CHECK_INT(s.commits, NCOMMIT);
    CHECK(s.snapshots > 10);
    CHECK(s.ckpts > 0);

    /* the final state, through a fresh snapshot and after the close-time
    ** checkpoint straight from the database file */
    u8 p[4096];
    u32 val = 0;
    CHECK_INT(drive_read(&c0), SQLITE_OK);
    CHECK_INT(read_page(&c0, 3, p), SQLITE_OK);
    CHECK(check_page(p, &val) && val == NCOMMIT);
    wal_end_read(c0.w);
    conn_close(&c0);
    FILE *f = fopen(s.db, "rb");
    CHECK(f != NULL);
    if (f) {
      CHECK(fseek(f, 4096, SEEK_SET) == 0 && fread(p, 1, 4096, f) == 4096);
      CHECK(check_page(p, &val) && val == NCOMMIT);
      fclose(f);
    }
    CHECK_INT(access(s.walp, 0), -1);
    if (testlib_failed == 0) {
      snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
      CHECK_INT(system(cmd), 0);
    }
    printf("wal_threads[%s]: %d commits, %d snapshots, %d checkpoints\n", testlib_vfs_names[v],
           s.commits, s.snapshots, s.ckpts);
  }
  return testlib_finish("wal_threads");
}
