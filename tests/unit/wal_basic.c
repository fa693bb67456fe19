/*
** wal_basic.c — the WAL layer against the sqlite3 CLI (the oracle):
**   - frames written by Shale form a -wal that sqlite3 reads, both while
**     our connection holds the database open (shared -shm, SQLite's
**     locking protocol) and after our close-time checkpoint;
**   - a -wal written by sqlite3 with uncheckpointed frames is recovered and
**     wal_find_frame/wal_read_frame give the pages sqlite3's own checkpoint
**     produces; torn tails are ignored exactly as sqlite3 ignores them;
**   - checkpoint PASSIVE/FULL/RESTART/TRUNCATE, busy semantics with a
**     reader on an older snapshot; savepoints/undo; exclusive (heap) mode.
** Runs on every name in testlib_vfs_names.
*/
#include "testlib.h"
#include "../../engine/wal/wal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- "walpend": a private wrapper over "unix" whose every read, write,
** sync and truncate returns PENDING and completes only in poll(), so the
** WAL state machines are exercised whatever the shared "pending" backend
** does. ---- */
typedef struct PFile {
  ShaleFile base;
  ShaleFile *real;
} PFile;
typedef struct POp {
  ShaleIo *io;
  PFile *f;
  int op, n, flags;
  void *buf;
  i64 off;
} POp;
typedef struct PState {
  POp q[64];
  int n;
  int submitted;
} PState;

static int p_submit(PFile *f, int op, void *buf, int n, i64 off, int flags, ShaleIo *io) {
  PState *st = f->base.vfs->app_data;
  if (st->n >= 64) return SQLITE_IOERR;
  POp *o = &st->q[st->n++];
  o->io = io;
  o->f = f;
  o->op = op;
  o->buf = buf;
  o->n = n;
  o->off = off;
  o->flags = flags;
  io->done = 0;
  st->submitted++;
  return SHALE_PENDING;
}
static int p_read(ShaleFile *f, void *b, int n, i64 off, ShaleIo *io) { return p_submit((PFile *)f, 0, b, n, off, 0, io); }
static int p_write(ShaleFile *f, const void *b, int n, i64 off, ShaleIo *io) { return p_submit((PFile *)f, 1, (void *)b, n, off, 0, io); }
static int p_sync(ShaleFile *f, int fl, ShaleIo *io) { return p_submit((PFile *)f, 2, NULL, 0, 0, fl, io); }
static int p_trunc(ShaleFile *f, i64 sz, ShaleIo *io) { return p_submit((PFile *)f, 3, NULL, 0, sz, 0, io); }
static int p_close(ShaleFile *f) {
  int rc = ((PFile *)f)->real->methods->close(((PFile *)f)->real);
  sqlite3_free(f);
  return rc;
}
#define REAL(f) (((PFile *)(f))->real)
static int p_size(ShaleFile *f, i64 *s) { return REAL(f)->methods->file_size(REAL(f), s); }
static int p_lock(ShaleFile *f, int l) { return REAL(f)->methods->lock(REAL(f), l); }
static int p_unlock(ShaleFile *f, int l) { return REAL(f)->methods->unlock(REAL(f), l); }
static int p_ckres(ShaleFile *f, int *o) { return REAL(f)->methods->check_reserved_lock(REAL(f), o); }
static int p_fctl(ShaleFile *f, int op, void *a) { return REAL(f)->methods->file_control(REAL(f), op, a); }
static int p_sector(ShaleFile *f) { return REAL(f)->methods->sector_size(REAL(f)); }
static int p_dev(ShaleFile *f) { return REAL(f)->methods->device_characteristics(REAL(f)); }
static int p_shm_map(ShaleFile *f, int r, int sz, int ext, void volatile **pp) {
  return REAL(f)->methods->shm_map(REAL(f), r, sz, ext, pp);
}
static int p_shm_lock(ShaleFile *f, int o, int n, int fl) { return REAL(f)->methods->shm_lock(REAL(f), o, n, fl); }
static void p_shm_barrier(ShaleFile *f) { REAL(f)->methods->shm_barrier(REAL(f)); }
static int p_shm_unmap(ShaleFile *f, int d) { return REAL(f)->methods->shm_unmap(REAL(f), d); }
static const ShaleFileMethods p_methods = {p_close, p_read, p_write, p_trunc, p_sync, p_size,
                                           p_lock, p_unlock, p_ckres, p_fctl, p_sector, p_dev,
                                           p_shm_map, p_shm_lock, p_shm_barrier, p_shm_unmap};
static int p_open(ShaleVfs *v, const char *path, int flags, ShaleFile **out, int *oflags) {
  ShaleVfs *u = shale_vfs_find("unix");
  PFile *pf = shale_malloc_zero(sizeof(*pf));
  int rc = u->open(u, path, flags, &pf->real, oflags);
  if (rc) {
    sqlite3_free(pf);
    return rc;
  }
  pf->base.methods = &p_methods;
  pf->base.vfs = v;
  *out = &pf->base;
  return SQLITE_OK;
}
static int p_poll(ShaleVfs *v, int wait) {
  SHALE_UNUSED(wait);
  PState *st = v->app_data;
  int n = st->n;
  for (int i = 0; i < n; i++) {
    POp *o = &st->q[i];
    ShaleFile *r = o->f->real;
    int rc;
    switch (o->op) {
      case 0: rc = shale_file_read_blocking(r, o->buf, o->n, o->off); break;
      case 1: rc = shale_file_write_blocking(r, o->buf, o->n, o->off); break;
      case 2: rc = shale_file_sync_blocking(r, o->flags); break;
      default: rc = shale_file_truncate_blocking(r, o->off); break;
    }
    o->io->rc = rc;
    o->io->done = 1;
    if (o->io->on_done) o->io->on_done(o->io);
  }
  st->n = 0;
  return n;
}
#define FWD_UNIX(name, sig, call) static int name sig { ShaleVfs *u = shale_vfs_find("unix"); SHALE_UNUSED(v); return call; }
FWD_UNIX(p_remove, (ShaleVfs *v, const char *p, int s), u->remove(u, p, s))
FWD_UNIX(p_access, (ShaleVfs *v, const char *p, int fl, int *o), u->access(u, p, fl, o))
FWD_UNIX(p_full, (ShaleVfs *v, const char *p, int n, char *o), u->full_pathname(u, p, n, o))
FWD_UNIX(p_rand, (ShaleVfs *v, int n, char *o), u->randomness(u, n, o))
FWD_UNIX(p_sleep, (ShaleVfs *v, int us), u->sleep(u, us))
FWD_UNIX(p_time, (ShaleVfs *v, i64 *ms), u->current_time_ms(u, ms))

static char g_dir[256];
static ShaleVfs *g_vfs;

static int run(const char *cmd) {
  int rc = system(cmd);
  return rc;
}

/* Run sqlite3 on `db` with `sql`, capture stdout (trimmed) into out. */
static void sq(const char *db, const char *sql, char *out, size_t n) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\" 2>&1", db, sql);
  FILE *p = popen(cmd, "r");
  size_t k = 0;
  if (p) {
    k = fread(out, 1, n - 1, p);
    pclose(p);
  }
  out[k] = 0;
  while (k > 0 && (out[k - 1] == '\n' || out[k - 1] == ' ')) out[--k] = 0;
}

static void path(char *buf, const char *name) { snprintf(buf, 512, "%s/%s", g_dir, name); }

static int wait_rc(int rc) {
  while (rc == SHALE_PENDING) {
    g_vfs->poll(g_vfs, 1);
    return SHALE_PENDING;
  }
  return rc;
}

/* Drive an operation that may return PENDING until it settles. */
#define DRIVE(expr)                                                            \
  ({                                                                           \
    int r_;                                                                    \
    int guard_ = 0;                                                            \
    while ((r_ = (expr)) == SHALE_PENDING && guard_++ < 100000)                \
      wait_rc(r_);                                                             \
    r_;                                                                        \
  })

static ShaleFile *open_db(const char *p) {
  ShaleFile *f = NULL;
  int oflags = 0;
  int rc = g_vfs->open(g_vfs, p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &f, &oflags);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) return NULL;
  CHECK_INT(f->methods->lock(f, SQLITE_LOCK_SHARED), SQLITE_OK);
  return f;
}

static void close_db(ShaleFile *f) {
  if (!f) return;
  f->methods->unlock(f, SQLITE_LOCK_NONE);
  f->methods->close(f);
}

static Wal *open_wal(ShaleFile *db, const char *dbpath, int excl) {
  char wp[600];
  snprintf(wp, sizeof(wp), "%s-wal", dbpath);
  Wal *w = NULL;
  CHECK_INT(wal_open(g_vfs, db, wp, excl, &w), SQLITE_OK);
  return w;
}

/* Read page pgno as seen by w's snapshot. */
static int read_page(Wal *w, ShaleFile *db, Pgno pgno, u32 pgsz, u8 *buf) {
  u32 frame = 0;
  int rc = wal_find_frame(w, pgno, &frame);
  if (rc) return rc;
  ShaleIo io;
  shale_io_init(&io);
  if (frame) {
    rc = wal_read_frame(w, frame, buf, (int)pgsz, &io);
  } else {
    rc = db->methods->read(db, buf, (int)pgsz, (i64)(pgno - 1) * pgsz, &io);
  }
  rc = shale_vfs_wait_io(g_vfs, &io, rc);
  if (rc == SQLITE_IOERR_SHORT_READ) rc = SQLITE_OK;
  return rc;
}

static long file_size(const char *p) {
  struct stat st;
  if (stat(p, &st) != 0) return -1;
  return (long)st.st_size;
}

static u8 *slurp(const char *p, long *n) {
  FILE *f = fopen(p, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *n = ftell(f);
  fseek(f, 0, SEEK_SET);
  u8 *b = malloc((size_t)*n + 1);
  if (fread(b, 1, (size_t)*n, f) != (size_t)*n) *n = 0;
  fclose(f);
  return b;
}

/* Replace the first occurrence of `from` in buf by `to` (same length). */
static int patch(u8 *buf, int n, const char *from, const char *to) {
  size_t l = strlen(from);
  for (int i = 0; i + (int)l <= n; i++)
    if (memcmp(buf + i, from, l) == 0) {
      memcpy(buf + i, to, l);
      return 1;
    }
  return 0;
}

/* 1. Frames written by us are read by sqlite3 (live, then after close). */
static void test_write_read_by_sqlite3(void) {
  char db[512], out[4096];
  path(db, "w1.db");
  unlink(db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one'),(2,'two');", out, sizeof(out));
  CHECK_STR(out, "wal");
  ShaleFile *f = open_db(db);
  Wal *w = open_wal(f, db, 0);
  if (!w) return;
  int changed = 0;
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(changed, 1);
  CHECK_INT(wal_db_size(w), 0); /* empty log: use the file's size */
  u8 page[4096];
  CHECK_INT(read_page(w, f, 2, 4096, page), SQLITE_OK);
  CHECK(patch(page, 4096, "one", "ONE"));
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage wp = {2, page};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, SQLITE_SYNC_NORMAL)), SQLITE_OK);
  wal_end_write(w);
  wal_end_read(w);
  CHECK_INT(wal_frame_count(w), 1);

  /* sqlite3 reads through our wal-index while we hold the database open */
  sq(db, "PRAGMA integrity_check; SELECT group_concat(b) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nONE,two");
  /* sqlite3 writes; we see its frames */
  sq(db, "INSERT INTO t VALUES(3,'three');", out, sizeof(out));
  CHECK_STR(out, "");
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(changed, 1);
  CHECK(wal_frame_count(w) >= 2);
  CHECK_INT(read_page(w, f, 2, 4096, page), SQLITE_OK);
  CHECK(patch(page, 4096, "three", "THREE"));
  CHECK(patch(page, 4096, "ONE", "one"));
  /* and we write again on top of sqlite3's frames */
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w);
  sq(db, "PRAGMA integrity_check; SELECT group_concat(b) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\none,two,THREE");

  /* close: last connection checkpoints and deletes the -wal */
  CHECK_INT(DRIVE(wal_close(w, SQLITE_SYNC_NORMAL, 4096)), SQLITE_OK);
  close_db(f);
  char wp2[600];
  snprintf(wp2, sizeof(wp2), "%s-wal", db);
  CHECK_INT(file_size(wp2), -1);
  sq(db, "PRAGMA integrity_check; SELECT group_concat(b) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\none,two,THREE");
}

/* Build a db whose -wal holds uncheckpointed sqlite3 frames: we hold a
** SHARED lock so sqlite3 cannot checkpoint at close. */
static ShaleFile *make_sqlite_wal(const char *db, int nrows) {
  char out[4096], sql[2048];
  unlink(db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a INTEGER PRIMARY KEY, b); CREATE INDEX tb ON t(b);", out, sizeof(out));
  ShaleFile *f = open_db(db);
  snprintf(sql, sizeof(sql),
           "PRAGMA wal_autocheckpoint=0; "
           "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<%d) "
           "INSERT INTO t SELECT x, printf('row-%%d-%%s', x, hex(randomblob(20))) FROM c; "
           "UPDATE t SET b='upd' WHERE a%%7=0; DELETE FROM t WHERE a%%11=0; "
           "BEGIN; INSERT INTO t(b) VALUES('last-txn'); COMMIT;",
           nrows);
  sq(db, sql, out, sizeof(out));
  return f;
}

/* Copy db + -wal into `dst` and let sqlite3 checkpoint it there. */
static void oracle_copy(const char *src, const char *dst) {
  char cmd[4096], out[256];
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s-wal' '%s-wal' && rm -f '%s-shm'", src, dst,
           src, dst, dst);
  CHECK_INT(run(cmd), 0);
  sq(dst, "PRAGMA wal_checkpoint(TRUNCATE);", out, sizeof(out));
}

/* Compare every page of our snapshot with the oracle's database file. */
static void compare_pages(Wal *w, ShaleFile *f, const char *oracle_db) {
  long n = 0;
  u8 *want = slurp(oracle_db, &n);
  CHECK(want != NULL);
  if (!want) return;
  u32 pgsz = 4096;
  Pgno npage = wal_db_size(w);
  CHECK_INT((long)npage * pgsz, n);
  u8 page[4096];
  int bad = 0;
  for (Pgno p = 1; p <= npage && (long)p * pgsz <= n; p++) {
    if (read_page(w, f, p, pgsz, page) != SQLITE_OK) bad++;
    else if (memcmp(page, want + (size_t)(p - 1) * pgsz, pgsz) != 0) bad++;
  }
  CHECK_INT(bad, 0);
  free(want);
}


/* Damage a copy of db's -wal (kind 0: flip a page byte in the middle
** frame, 1: flip a salt byte of the middle frame, 2: append a garbage
** partial frame, 3: zero the last frame's header checksum) and check that
** our recovery sees exactly what sqlite3 recovers from the same files. */
static void check_damaged(const char *db, int kind) {
  char d[512], o[512], cmd[4096], out[256], wp[600];
  char nm[64];
  snprintf(nm, sizeof(nm), "dmg%d.db", kind);
  path(d, nm);
  snprintf(nm, sizeof(nm), "dmg%d-oracle.db", kind);
  path(o, nm);
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s-wal' '%s-wal' && rm -f '%s-shm'", db, d, db, d, d);
  CHECK_INT(run(cmd), 0);
  snprintf(wp, sizeof(wp), "%s-wal", d);
  long n = 0;
  u8 *b = slurp(wp, &n);
  if (!b) {
    CHECK(0);
    return;
  }
  u32 pgsz = get4byte(b + 8), fsz = pgsz + 24;
  long nframes = (n - 32) / fsz;
  long mid = 32 + (nframes / 2) * fsz;
  FILE *fo = fopen(wp, "r+b");
  switch (kind) {
    case 0: fseek(fo, mid + 24 + 100, SEEK_SET); fputc(b[mid + 24 + 100] ^ 0x40, fo); break;
    case 1: fseek(fo, mid + 9, SEEK_SET); fputc(b[mid + 9] ^ 1, fo); break;
    case 2: fseek(fo, 0, SEEK_END); for (u32 i = 0; i < fsz / 2; i++) fputc((int)(i * 7), fo); break;
    default: fseek(fo, 32 + (nframes - 1) * fsz + 16, SEEK_SET); for (int i = 0; i < 8; i++) fputc(0, fo); break;
  }
  fclose(fo);
  free(b);
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s-wal' '%s-wal' && rm -f '%s-shm'", d, o, d, o, o);
  CHECK_INT(run(cmd), 0);
  sq(o, "PRAGMA wal_checkpoint(TRUNCATE);", out, sizeof(out));
  ShaleFile *f = open_db(d);
  Wal *w = open_wal(f, d, 0);
  int changed;
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  compare_pages(w, f, o);
  if (kind == 2) CHECK_INT(wal_frame_count(w), nframes);
  if (kind == 0 || kind == 1) CHECK(wal_frame_count(w) < nframes / 2 + 1);
  wal_end_read(w);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
}

/* 2+3. Recovery of sqlite3's -wal, torn tails, checkpoint into the file. */
static void test_recover_and_checkpoint(void) {
  char db[512], db2[512], db3[512], walp[600], out[4096], cmd[4096];
  path(db, "w2.db");
  path(db2, "w2-oracle.db");
  path(db3, "w2-torn.db");
  snprintf(walp, sizeof(walp), "%s-wal", db);
  ShaleFile *f = make_sqlite_wal(db, 400);
  long walsz = file_size(walp);
  CHECK(walsz > 32 + 10 * 4120);
  oracle_copy(db, db2);

  /* a torn copy: cut the last frame in half */
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s-wal' '%s-wal' && truncate -s %ld '%s-wal' && rm -f '%s-shm'",
           db, db3, db, db3, walsz - 2000, db3, db3);
  CHECK_INT(run(cmd), 0);

  /* recover: we are the first -shm user (sqlite3 exited), so the index is
  ** rebuilt from the -wal */
  Wal *w = open_wal(f, db, 0);
  int changed = 0;
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(changed, 1);
  CHECK(wal_frame_count(w) > 10);
  compare_pages(w, f, db2);
  wal_end_read(w);

  /* torn tail: the oracle copy of the torn log */
  {
    char db4[512];
    path(db4, "w2-torn-oracle.db");
    ShaleFile *f3 = open_db(db3);
    Wal *w3 = open_wal(f3, db3, 0);
    CHECK_INT(DRIVE(wal_begin_read(w3, &changed)), SQLITE_OK);
    CHECK_INT(wal_frame_count(w3) < wal_frame_count(w), 1);
    /* sqlite3's view of the torn log */
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s-wal' '%s-wal' && rm -f '%s-shm'", db3, db4, db3,
             db4, db4);
    CHECK_INT(run(cmd), 0);
    sq(db4, "PRAGMA wal_checkpoint(TRUNCATE);", out, sizeof(out));
    compare_pages(w3, f3, db4);
    sq(db4, "SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
    CHECK_STR(out, "0");
    wal_end_read(w3);
    CHECK_INT(DRIVE(wal_close(w3, 0, 4096)), SQLITE_OK);
    close_db(f3);
  }

  for (int kind = 0; kind < 4; kind++) check_damaged(db, kind);

  /* a second connection in this process, on an old snapshot */
  ShaleFile *fr = open_db(db);
  Wal *wr = open_wal(fr, db, 0);
  CHECK_INT(DRIVE(wal_begin_read(wr, &changed)), SQLITE_OK);
  u32 mx_reader = (u32)wal_frame_count(wr);

  /* we commit one more transaction: page 1 rewritten unchanged */
  u8 p1[4096];
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 1, 4096, p1), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage wp = {1, p1};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, wal_db_size(w), 1, 0)), SQLITE_OK);
  wal_end_read(w);
  /* the old reader's snapshot is now stale: it cannot write */
  CHECK_INT(wal_begin_write(wr), SQLITE_BUSY_SNAPSHOT);

  /* PASSIVE: copies up to the reader's mark only */
  int nlog = -1, nckpt = -1;
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nlog, mx_reader + 1);
  CHECK_INT(nckpt, mx_reader);
  /* FULL with a busy handler that gives up: BUSY, nothing more copied */
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_FULL, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_BUSY);
  CHECK_INT(nckpt, mx_reader);
  /* the reader still sees its snapshot (pages from the log are intact) */
  compare_pages(wr, fr, db2);
  wal_end_read(wr);

  /* now FULL completes; the database file equals the oracle's */
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_FULL, NULL, NULL, SQLITE_SYNC_NORMAL, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nckpt, nlog);
  {
    /* (read through our handle: closing another fd of the database file
    ** would drop this process's POSIX locks) */
    long n2 = 0;
    i64 n1 = 0;
    u8 *b = slurp(db2, &n2);
    CHECK_INT(f->methods->file_size(f, &n1), SQLITE_OK);
    CHECK_INT(n1, n2);
    u8 *a = malloc((size_t)n2 + 1);
    CHECK_INT(shale_file_read_blocking(f, a, (int)n2, 0), SQLITE_OK);
    CHECK(b && memcmp(a, b, (size_t)n2) == 0);
    free(a);
    free(b);
  }
  /* RESTART: the next writer starts the log over (salt-1 + 1) */
  long w0 = 0;
  u8 *hdr0 = slurp(walp, &w0);
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_RESTART, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 1, 4096, p1), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, wal_db_size(w), 1, 0)), SQLITE_OK);
  wal_end_read(w);
  CHECK_INT(wal_frame_count(w), 1);
  {
    long w1 = 0;
    u8 *hdr1 = slurp(walp, &w1);
    CHECK(hdr0 && hdr1 && w1 >= 32);
    if (hdr0 && hdr1) {
      CHECK_INT(get4byte(hdr1 + 16), get4byte(hdr0 + 16) + 1);
      CHECK_INT(get4byte(hdr1 + 12), get4byte(hdr0 + 12) + 1);
    }
    free(hdr1);
  }
  free(hdr0);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");
  /* TRUNCATE: -wal is 0 bytes afterwards */
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(file_size(walp), 0);
  CHECK_INT(nlog, 0);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\n365");
  /* and sqlite3 can keep writing after our truncate, we read it */
  sq(db, "INSERT INTO t(b) VALUES('after-truncate');", out, sizeof(out));
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(changed, 1);
  CHECK(wal_frame_count(w) >= 1);
  wal_end_read(w);

  CHECK_INT(DRIVE(wal_close(wr, 0, 4096)), SQLITE_OK);
  close_db(fr);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  CHECK_INT(file_size(walp), -1);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\n366");
}

/* 4. Savepoints and undo rewind uncommitted frames. */
static void test_undo(void) {
  char db[512], out[4096];
  path(db, "w3.db");
  unlink(db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
  ShaleFile *f = open_db(db);
  Wal *w = open_wal(f, db, 0);
  int changed;
  u8 orig[4096], a[4096], b[4096], got[4096];
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, orig), SQLITE_OK);
  memcpy(a, orig, 4096);
  memcpy(b, orig, 4096);
  CHECK(patch(a, 4096, "one", "AAA"));
  CHECK(patch(b, 4096, "one", "BBB"));
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage pa = {2, a}, pb = {2, b};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &pa, 1, 0, 0, 0)), SQLITE_OK);
  u32 sp[4];
  wal_savepoint(w, sp);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &pb, 1, 0, 0, 0)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, b, 4096) == 0);
  CHECK_INT(wal_savepoint_undo(w, sp), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, a, 4096) == 0);
  wal_undo(w);
  CHECK_INT(read_page(w, f, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, orig, 4096) == 0);
  /* commit b after the rollback; the uncommitted frames are overwritten */
  CHECK_INT(DRIVE(wal_frames(w, 4096, &pb, 1, 2, 1, 0)), SQLITE_OK);
  CHECK_INT(wal_frame_count(w), 1);
  wal_end_read(w);
  sq(db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nBBB");
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
}

/* 5. Exclusive locking mode: wal-index in heap memory, no -shm. */
static void test_exclusive(void) {
  char db[512], out[4096], shm[600];
  path(db, "w4.db");
  unlink(db);
  snprintf(shm, sizeof(shm), "%s-shm", db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
  unlink(shm);
  ShaleFile *f = open_db(db);
  CHECK_INT(f->methods->lock(f, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  Wal *w = open_wal(f, db, 1);
  int changed;
  u8 page[4096], got[4096];
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, page), SQLITE_OK);
  CHECK(patch(page, 4096, "one", "xxx"));
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage wp = {2, page};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w);
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, page, 4096) == 0);
  wal_end_read(w);
  CHECK_INT(file_size(shm), -1);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  sq(db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nxxx");
}


/* Generic page comparison for any page size (our snapshot vs a file). */
static int compare_pages_sz(Wal *w, ShaleFile *f, const char *oracle_db, u32 pgsz) {
  long n = 0;
  u8 *want = slurp(oracle_db, &n);
  if (!want) return -1;
  Pgno npage = wal_db_size(w);
  int bad = ((long)npage * pgsz != n);
  u8 *page = malloc(pgsz);
  for (Pgno p = 1; p <= npage && (long)p * pgsz <= n; p++) {
    if (read_page(w, f, p, pgsz, page) != SQLITE_OK) bad++;
    else if (memcmp(page, want + (size_t)(p - 1) * pgsz, pgsz) != 0) bad++;
  }
  free(page);
  free(want);
  return bad;
}

/* 6. A log spanning several wal-index hash regions (512-byte pages, more
** than 4062 frames): recovery, lookups, checkpoint. */
static void test_many_frames(void) {
  char db[512], db2[512], out[4096];
  path(db, "w6.db");
  path(db2, "w6-oracle.db");
  unlink(db);
  sq(db, "PRAGMA page_size=512; PRAGMA journal_mode=wal; CREATE TABLE t(a INTEGER PRIMARY KEY, b); CREATE INDEX tb ON t(b);", out, sizeof(out));
  ShaleFile *f = open_db(db);
  sq(db,
     "PRAGMA wal_autocheckpoint=0; "
     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<6000) "
     "INSERT INTO t SELECT x, hex(randomblob(12)) FROM c; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%3=0; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%5=0; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%2=0; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%2=1; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%4=1; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%3=1; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%3=2; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%2=0; "
     "UPDATE t SET b=hex(randomblob(12)) WHERE a%2=1;",
     out, sizeof(out));
  oracle_copy(db, db2);
  Wal *w = open_wal(f, db, 0);
  int changed = 0;
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK(wal_frame_count(w) > 4062 + 4096);
  CHECK_INT(compare_pages_sz(w, f, db2, 512), 0);
  wal_end_read(w);
  int nlog = 0, nckpt = 0;
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, 512, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nckpt, nlog);
  {
    long n2 = 0;
    i64 n1 = 0;
    u8 *b = slurp(db2, &n2);
    CHECK_INT(f->methods->file_size(f, &n1), SQLITE_OK);
    CHECK_INT(n1, n2);
    u8 *a = malloc((size_t)n2 + 1);
    CHECK_INT(shale_file_read_blocking(f, a, (int)n2, 0), SQLITE_OK);
    CHECK(b && memcmp(a, b, (size_t)n2) == 0);
    free(a);
    free(b);
  }
  CHECK_INT(DRIVE(wal_close(w, 0, 512)), SQLITE_OK);
  close_db(f);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\n6000");
}

/* SQLite's checksum, big-endian words (for the 0x377f0683 test). */
static void be_cksum(const u8 *a, int n, u32 *s) {
  for (int i = 0; i < n; i += 8) {
    s[0] += get4byte(a + i) + s[1];
    s[1] += get4byte(a + i + 4) + s[0];
  }
}

/* 7. A -wal with big-endian checksums (magic 0x377f0683) is recovered. */
static void test_bigendian_cksum(void) {
  char db[512], db2[512], walp[600];
  path(db, "w7.db");
  path(db2, "w7-oracle.db");
  snprintf(walp, sizeof(walp), "%s-wal", db);
  ShaleFile *f = make_sqlite_wal(db, 50);
  oracle_copy(db, db2);
  long n = 0;
  u8 *b = slurp(walp, &n);
  CHECK(b && n > 32);
  if (!b) return;
  CHECK_INT(get4byte(b), 0x377f0682);
  u32 pgsz = get4byte(b + 8);
  put4byte(b, 0x377f0683);
  u32 s[2] = {0, 0};
  be_cksum(b, 24, s);
  put4byte(b + 24, s[0]);
  put4byte(b + 28, s[1]);
  for (long off = 32; off + 24 + (long)pgsz <= n; off += 24 + pgsz) {
    be_cksum(b + off, 8, s);
    be_cksum(b + off + 24, (int)pgsz, s);
    put4byte(b + off + 16, s[0]);
    put4byte(b + off + 20, s[1]);
  }
  FILE *o = fopen(walp, "wb");
  fwrite(b, 1, (size_t)n, o);
  fclose(o);
  free(b);
  Wal *w = open_wal(f, db, 0);
  int changed;
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK(wal_frame_count(w) > 3);
  compare_pages(w, f, db2);
  /* append a frame: it must continue the big-endian chain */
  u8 p1[4096];
  CHECK_INT(read_page(w, f, 1, 4096, p1), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage wp = {1, p1};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, wal_db_size(w), 1, 0)), SQLITE_OK);
  wal_end_read(w);
  char out[4096];
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
}

/* Wait until file p is non-empty (a live sqlite3 answered). */
static int wait_output(const char *p) {
  for (int i = 0; i < 500; i++) {
    if (file_size(p) > 0) return 1;
    usleep(10000);
  }
  return 0;
}

/* 8. A live sqlite3 process: its read transaction holds a read mark that
** blocks FULL/RESTART checkpoints; its write lock blocks our writer. */
static void test_live_sqlite3(void) {
  char db[512], out[4096], o1[512], cmd[2048];
  path(db, "w8.db");
  path(o1, "w8.out");
  unlink(db);
  unlink(o1);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
  ShaleFile *f = open_db(db);
  Wal *w = open_wal(f, db, 0);
  int changed, nlog, nckpt;
  u8 page[4096];
  WalPage wp = {2, page};
  /* one committed frame so the reader uses a read mark > 0 */
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 2, 4096, page), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w);

  snprintf(cmd, sizeof(cmd), "sqlite3 '%s' > '%s' 2>&1", db, o1);
  FILE *p = popen(cmd, "w");
  CHECK(p != NULL);
  if (!p) return;
  fputs("BEGIN; SELECT count(*) FROM t;\n", p);
  fflush(p);
  CHECK(wait_output(o1));
  /* we commit again: the reader's snapshot is now older than the log */
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK(patch(page, 4096, "one", "ONE"));
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w);
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nlog, 2);
  CHECK_INT(nckpt, 1);
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_FULL, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_BUSY);
  /* the reader's write attempt (stale snapshot) fails; end its txn and
  ** start a write transaction that keeps the WRITE lock */
  fputs("COMMIT; BEGIN IMMEDIATE; SELECT 'locked';\n", p);
  fflush(p);
  for (int i = 0; i < 500; i++) {
    long n = 0;
    u8 *b = slurp(o1, &n);
    int ok = b && n > 0 && memmem(b, (size_t)n, "locked", 6) != NULL;
    free(b);
    if (ok) break;
    usleep(10000);
  }
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_BUSY);
  wal_end_read(w);
  /* FULL needs the writer lock: with it taken, it degrades to BUSY */
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_FULL, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_BUSY);
  CHECK_INT(nckpt, 2); /* but it still checkpointed everything passively */
  fputs("INSERT INTO t VALUES(2,'two'); COMMIT;\n.quit\n", p);
  pclose(p);
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nlog, 0);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  sq(db, "PRAGMA integrity_check; SELECT group_concat(b) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nONE,two");
}

/* 9. locking_mode toggled while open; persistent WAL kept at close. */
static void test_mode_and_persist(void) {
  char db[512], out[4096], walp[600];
  path(db, "w9.db");
  unlink(db);
  snprintf(walp, sizeof(walp), "%s-wal", db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
  ShaleFile *f = open_db(db);
  Wal *w = open_wal(f, db, 0);
  wal_set_persist(w, 1);
  int changed;
  u8 page[4096];
  WalPage wp = {2, page};
  CHECK_INT(f->methods->lock(f, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(wal_exclusive_mode(w, -1), 0);
  CHECK_INT(wal_exclusive_mode(w, 1), 1);
  CHECK_INT(read_page(w, f, 2, 4096, page), SQLITE_OK);
  CHECK(patch(page, 4096, "one", "uno"));
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w);
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(wal_exclusive_mode(w, 0), 0);
  wal_end_read(w);
  CHECK_INT(f->methods->unlock(f, SQLITE_LOCK_SHARED), SQLITE_OK);
  sq(db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nuno");
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  CHECK(file_size(walp) >= 32); /* persistent: kept */
  sq(db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nuno");
}

/* 10. Checkpoint from inside a read transaction (the pager's
** auto-checkpoint right after commit): the snapshot survives. */
static void test_ckpt_in_read(void) {
  char db[512], out[4096];
  path(db, "w10.db");
  unlink(db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(1,'one');", out, sizeof(out));
  ShaleFile *f1 = open_db(db), *f2 = open_db(db);
  Wal *w1 = open_wal(f1, db, 0), *w2 = open_wal(f2, db, 0);
  int changed, nlog, nckpt;
  u8 base[4096], a[4096], b[4096], got[4096];
  WalPage pa = {2, a}, pb = {2, b};
  /* w1 commits a, and stays in its read transaction */
  CHECK_INT(DRIVE(wal_begin_read(w1, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w1, f1, 2, 4096, base), SQLITE_OK);
  memcpy(a, base, 4096);
  memcpy(b, base, 4096);
  CHECK(patch(a, 4096, "one", "AAA"));
  CHECK(patch(b, 4096, "one", "BBB"));
  CHECK_INT(wal_begin_write(w1), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w1, 4096, &pa, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_write(w1);
  /* w2 commits b on top */
  CHECK_INT(DRIVE(wal_begin_read(w2, &changed)), SQLITE_OK);
  CHECK_INT(wal_begin_write(w2), SQLITE_OK);
  CHECK_INT(DRIVE(wal_frames(w2, 4096, &pb, 1, 2, 1, 0)), SQLITE_OK);
  wal_end_read(w2);
  /* w1, still on its snapshot, checkpoints: only up to its own frame */
  CHECK_INT(DRIVE(wal_checkpoint(w1, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nlog, 2);
  CHECK_INT(nckpt, 1);
  CHECK_INT(read_page(w1, f1, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, a, 4096) == 0);
  CHECK_INT(DRIVE(wal_checkpoint(w1, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_LOCKED);
  CHECK_INT(wal_begin_write(w1), SQLITE_BUSY_SNAPSHOT);
  wal_end_read(w1);
  CHECK_INT(DRIVE(wal_checkpoint(w1, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(DRIVE(wal_begin_read(w1, &changed)), SQLITE_OK);
  CHECK_INT(changed, 1);
  CHECK_INT(read_page(w1, f1, 2, 4096, got), SQLITE_OK);
  CHECK(memcmp(got, b, 4096) == 0);
  wal_end_read(w1);
  CHECK_INT(DRIVE(wal_close(w2, 0, 4096)), SQLITE_OK);
  close_db(f2);
  CHECK_INT(DRIVE(wal_close(w1, 0, 4096)), SQLITE_OK);
  close_db(f1);
  sq(db, "PRAGMA integrity_check; SELECT b FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\nBBB");
}

static int busy_sleep(void *arg, int n) {
  SHALE_UNUSED(arg);
  if (n > 200) return 0;
  usleep(1000);
  return 1;
}

/* 11. Concurrency with a live sqlite3 writer: every snapshot we take,
** materialized page by page into a file, is a consistent database; our
** checkpoints and (no-op) write transactions interleave with its commits. */
static void test_concurrent_sqlite3(void) {
  char db[512], snap[512], out[4096], cmd[2048];
  path(db, "w11.db");
  path(snap, "w11-snap.db");
  unlink(db);
  sq(db, "PRAGMA journal_mode=wal; CREATE TABLE t(a,b); INSERT INTO t VALUES(0,0); CREATE TABLE filler(x);", out, sizeof(out));
  ShaleFile *f = open_db(db);
  Wal *w = open_wal(f, db, 0);
  snprintf(cmd, sizeof(cmd), "sqlite3 '%s' > /dev/null 2>&1", db);
  FILE *p = popen(cmd, "w");
  CHECK(p != NULL);
  if (!p) return;
  fputs(".timeout 10000\nPRAGMA wal_autocheckpoint=50;\n", p);
  for (int i = 0; i < 150; i++)
    fputs("BEGIN; UPDATE t SET a=a+1; INSERT INTO filler VALUES(randomblob(700)); UPDATE t SET b=b+1; COMMIT;\n", p);
  fflush(p);
  int changed, nlog, nckpt, writes = 0, snaps = 0;
  u8 page[4096];
  for (int k = 0; k < 25; k++) {
    int rc = DRIVE(wal_begin_read(w, &changed));
    if (rc != SQLITE_OK) {
      usleep(2000);
      continue;
    }
    Pgno n = wal_db_size(w);
    if (n == 0) {
      i64 sz = 0;
      f->methods->file_size(f, &sz);
      n = (Pgno)(sz / 4096);
    }
    FILE *o = fopen(snap, "wb");
    int bad = 0;
    for (Pgno pg = 1; pg <= n; pg++) {
      if (read_page(w, f, pg, 4096, page) != SQLITE_OK) bad++;
      fwrite(page, 1, 4096, o);
    }
    fclose(o);
    CHECK_INT(bad, 0);
    /* a no-op write transaction: page 1 rewritten as in our snapshot */
    if (k % 3 == 0 && wal_begin_write(w) == SQLITE_OK) {
      CHECK_INT(read_page(w, f, 1, 4096, page), SQLITE_OK);
      WalPage wp = {1, page};
      CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, n, 1, 0)), SQLITE_OK);
      writes++;
    }
    wal_end_read(w);
    char snapwal[600];
    snprintf(snapwal, sizeof(snapwal), "%s-wal", snap);
    unlink(snapwal);
    sq(snap, "PRAGMA integrity_check; SELECT a=b FROM t;", out, sizeof(out));
    CHECK_STR(out, "ok\n1");
    snaps++;
    if (k % 2 == 0) {
      rc = DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, 0, 4096, &nlog, &nckpt));
      CHECK(rc == SQLITE_OK || rc == SQLITE_BUSY);
    }
  }
  pclose(p);
  CHECK(snaps > 10);
  CHECK(writes > 0);
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_TRUNCATE, busy_sleep, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  sq(db, "PRAGMA integrity_check; SELECT a, b, (SELECT count(*) FROM filler) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\n150|150|150");
}

/* 12. Other page sizes (65536 is stored as 1 in the wal-index header). */
static void test_page_sizes(void) {
  static const u32 sizes[2] = {1024, 65536};
  for (int i = 0; i < 2; i++) {
    u32 sz = sizes[i];
    char db[512], db2[512], out[4096], sql[1024], nm[64];
    snprintf(nm, sizeof(nm), "ps%u.db", sz);
    path(db, nm);
    snprintf(nm, sizeof(nm), "ps%u-oracle.db", sz);
    path(db2, nm);
    unlink(db);
    snprintf(sql, sizeof(sql), "PRAGMA page_size=%u; PRAGMA journal_mode=wal; CREATE TABLE t(a,b);", sz);
    sq(db, sql, out, sizeof(out));
    ShaleFile *f = open_db(db);
    sq(db,
       "PRAGMA wal_autocheckpoint=0; "
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300) "
       "INSERT INTO t SELECT x, randomblob(500) FROM c; DELETE FROM t WHERE a%3=0;",
       out, sizeof(out));
    oracle_copy(db, db2);
    Wal *w = open_wal(f, db, 0);
    int changed;
    CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
    CHECK(wal_frame_count(w) > 1);
    CHECK_INT(compare_pages_sz(w, f, db2, sz), 0);
    u8 *p1 = malloc(sz);
    CHECK_INT(read_page(w, f, 1, sz, p1), SQLITE_OK);
    CHECK_INT(wal_begin_write(w), SQLITE_OK);
    WalPage wp = {1, p1};
    CHECK_INT(DRIVE(wal_frames(w, sz, &wp, 1, wal_db_size(w), 1, 0)), SQLITE_OK);
    wal_end_read(w);
    sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
    CHECK_STR(out, "ok\n200");
    int nlog, nckpt;
    CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, sz, &nlog, &nckpt)),
              SQLITE_OK);
    CHECK_INT(DRIVE(wal_close(w, 0, sz)), SQLITE_OK);
    close_db(f);
    free(p1);
    sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
    CHECK_STR(out, "ok\n200");
  }
}

/* 13. journal_size_limit: a restarted log is trimmed at commit; a
** persistent log is truncated to 0 at close. */
static void test_size_limit(void) {
  char db[512], walp[600], out[4096];
  path(db, "w13.db");
  snprintf(walp, sizeof(walp), "%s-wal", db);
  ShaleFile *f = make_sqlite_wal(db, 200);
  CHECK(file_size(walp) > 10 * 4120);
  Wal *w = open_wal(f, db, 0);
  wal_set_size_limit(w, 0);
  wal_set_persist(w, 1);
  int changed, nlog, nckpt;
  CHECK_INT(DRIVE(wal_checkpoint(w, SQLITE_CHECKPOINT_FULL, NULL, NULL, 0, 4096, &nlog, &nckpt)), SQLITE_OK);
  CHECK_INT(nlog, nckpt);
  u8 p1[4096];
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK_INT(read_page(w, f, 1, 4096, p1), SQLITE_OK);
  CHECK_INT(wal_begin_write(w), SQLITE_OK);
  WalPage wp = {1, p1};
  CHECK_INT(DRIVE(wal_frames(w, 4096, &wp, 1, wal_db_size(w), 1, 0)), SQLITE_OK);
  wal_end_read(w);
  CHECK_INT(file_size(walp), 32 + 4096 + 24);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  close_db(f);
  CHECK_INT(file_size(walp), 0);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");
}

/* 14. Operations abandoned after PENDING (the caller closes instead of
** retrying) release their locks; the next connection recovers fine. */
static void test_abandon(void) {
  char db[512], out[4096];
  path(db, "w14.db");
  ShaleFile *f = make_sqlite_wal(db, 100);
  int changed, nlog, nckpt;
  /* a second connection holds SHARED so a close cannot checkpoint */
  ShaleFile *f2 = open_db(db);
  /* abandoned recovery */
  Wal *w = open_wal(f, db, 0);
  int rc = wal_begin_read(w, &changed);
  CHECK(rc == SQLITE_OK || rc == SHALE_PENDING);
  if (rc == SQLITE_OK) wal_end_read(w);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  Wal *w2 = open_wal(f2, db, 0);
  CHECK_INT(DRIVE(wal_begin_read(w2, &changed)), SQLITE_OK);
  w = open_wal(f, db, 0);
  CHECK_INT(DRIVE(wal_begin_read(w, &changed)), SQLITE_OK);
  CHECK(wal_frame_count(w) > 5);
  wal_end_read(w);
  /* abandoned checkpoint (FULL: copies, then BUSY because of w2... which
  ** reads the latest snapshot, so it would complete) */
  rc = wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, SQLITE_SYNC_NORMAL, 4096, &nlog, &nckpt);
  CHECK(rc == SQLITE_OK || rc == SHALE_PENDING);
  CHECK_INT(DRIVE(wal_close(w, 0, 4096)), SQLITE_OK);
  wal_end_read(w2);
  /* everything still works: w2 checkpoints fully and sqlite3 agrees */
  CHECK_INT(DRIVE(wal_checkpoint(w2, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL, 0, 4096, &nlog, &nckpt)),
            SQLITE_OK);
  CHECK_INT(nlog, 0);
  CHECK_INT(DRIVE(wal_close(w2, 0, 4096)), SQLITE_OK);
  close_db(f2);
  close_db(f);
  sq(db, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b='last-txn';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");
}

int main(void) {
  PState pstate;
  memset(&pstate, 0, sizeof(pstate));
  ShaleVfs walpend = {"walpend", &pstate, 4096, p_open, p_remove, p_access, p_full,
                      p_rand, p_sleep, p_time, p_poll, NULL};
  const char *names[3] = {testlib_vfs_names[0], testlib_vfs_names[1], "walpend"};
  for (int v = 0; v < 3; v++) {
    g_vfs = v == 2 ? &walpend : shale_vfs_find(names[v]);
    CHECK(g_vfs != NULL);
    if (!g_vfs) continue;
    snprintf(g_dir, sizeof(g_dir), "/tmp/shale_wal_%d_%s", (int)getpid(), names[v]);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", g_dir, g_dir);
    run(cmd);
    int f0 = testlib_failed;
    test_write_read_by_sqlite3();
    test_recover_and_checkpoint();
    test_undo();
    test_exclusive();
    test_many_frames();
    test_bigendian_cksum();
    test_live_sqlite3();
    test_mode_and_persist();
    test_ckpt_in_read();
    test_concurrent_sqlite3();
    test_page_sizes();
    test_size_limit();
    test_abandon();
    if (testlib_failed == f0) {
      snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
      run(cmd);
    } else {
      fprintf(stderr, "(%s: files kept in %s)\n", names[v], g_dir);
    }
  }
  CHECK(pstate.submitted > 100); /* the walpend run really went async */
  return testlib_finish("wal_basic");
}
