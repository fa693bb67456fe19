/*
** vfs_faulty.c — the "faulty" test VFS (control API in vfs_faulty.h):
** injected I/O errors, short and torn writes, and simulated power loss with
** per-path tracking of what was durable at the last sync.  Process-wide test
** state behind a mutex.
*/
#include "vfs_int.h"
#include "vfs_faulty.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct LogEnt LogEnt;
typedef struct FPath FPath;
typedef struct FFile FFile;

struct LogEnt {
  int op; /* 'w' or 't' */
  i64 off;
  int n;
  LogEnt *next;
  /* data follows for writes */
};

struct FPath {
  char *path;
  int tracked;  /* durable image captured, unsynced changes logged */
  u8 *durable;
  i64 dsize;
  LogEnt *log, *log_tail;
  FPath *next;
};

struct FFile {
  ShaleFile base;
  ShaleFile *real;
  FPath *fp; /* NULL: not tracked (memory, anonymous temp) */
};

static pthread_mutex_t fmutex = PTHREAD_MUTEX_INITIALIZER;
static struct {
  int ops;
  int fail_write_n, fail_write_rc, fail_write_sticky;
  int fail_sync_n, fail_sync_rc, fail_sync_sticky;
  int short_n, torn_n, loss_n;
  int crashed;
  const char *base;
  FPath *paths;
} G;

static ShaleVfs *fbase(const char *path) {
  if (shale_vfs_path_is_memory(path)) return shale_vfs_memdb_object();
  if (G.base && strcmp(G.base, "pending") == 0) return shale_vfs_pending_object();
  return shale_vfs_unix_object();
}

static void log_clear(FPath *fp) {
  while (fp->log) {
    LogEnt *e = fp->log;
    fp->log = e->next;
    sqlite3_free(e);
  }
  fp->log_tail = NULL;
  sqlite3_free(fp->durable);
  fp->durable = NULL;
  fp->dsize = 0;
  fp->tracked = 0;
}

static FPath *path_get(const char *path) {
  /* caller holds fmutex */
  for (FPath *fp = G.paths; fp; fp = fp->next) {
    if (strcmp(fp->path, path) == 0) return fp;
  }
  FPath *fp = shale_malloc_zero(sizeof(*fp));
  if (fp == NULL) return NULL;
  fp->path = shale_strdup(path);
  if (fp->path == NULL) {
    sqlite3_free(fp);
    return NULL;
  }
  fp->next = G.paths;
  G.paths = fp;
  return fp;
}

void shale_faulty_reset(void) {
  pthread_mutex_lock(&fmutex);
  const char *base = G.base;
  while (G.paths) {
    FPath *fp = G.paths;
    G.paths = fp->next;
    log_clear(fp);
    sqlite3_free(fp->path);
    sqlite3_free(fp);
  }
  memset(&G, 0, sizeof(G));
  G.base = base;
  pthread_mutex_unlock(&fmutex);
}

void shale_faulty_set_base(const char *name) {
  pthread_mutex_lock(&fmutex);
  G.base = (name && strcmp(name, "pending") == 0) ? "pending" : NULL;
  pthread_mutex_unlock(&fmutex);
}

int shale_faulty_op_count(void) {
  pthread_mutex_lock(&fmutex);
  int n = G.ops;
  pthread_mutex_unlock(&fmutex);
  return n;
}

void shale_faulty_fail_write(int nth, int rc, int sticky) {
  pthread_mutex_lock(&fmutex);
  G.fail_write_n = nth;
  G.fail_write_rc = rc;
  G.fail_write_sticky = sticky;
  pthread_mutex_unlock(&fmutex);
}

void shale_faulty_fail_sync(int nth, int rc, int sticky) {
  pthread_mutex_lock(&fmutex);
  G.fail_sync_n = nth;
  G.fail_sync_rc = rc;
  G.fail_sync_sticky = sticky;
  pthread_mutex_unlock(&fmutex);
}

void shale_faulty_short_write(int nth) {
  pthread_mutex_lock(&fmutex);
  G.short_n = nth;
  pthread_mutex_unlock(&fmutex);
}

void shale_faulty_torn_write(int nth) {
  pthread_mutex_lock(&fmutex);
  G.torn_n = nth;
  pthread_mutex_unlock(&fmutex);
}

void shale_faulty_power_loss_at(int nth) {
  pthread_mutex_lock(&fmutex);
  G.loss_n = nth;
  pthread_mutex_unlock(&fmutex);
}

int shale_faulty_crashed(void) {
  pthread_mutex_lock(&fmutex);
  int c = G.crashed;
  pthread_mutex_unlock(&fmutex);
  return c;
}

/* Count an operation; returns its number, or 0 if power is (now) lost. */
static int next_op(void) {
  /* caller holds fmutex */
  if (G.crashed) return 0;
  int n = ++G.ops;
  if (G.loss_n && n >= G.loss_n) {
    G.crashed = 1;
    return 0;
  }
  return n;
}

/* Capture the durable image of the file before its first unsynced change. */
static int capture(FFile *p) {
  FPath *fp = p->fp;
  if (fp == NULL || fp->tracked) return SQLITE_OK;
  i64 sz = 0;
  int rc = p->real->methods->file_size(p->real, &sz);
  if (rc != SQLITE_OK) return rc;
  fp->durable = NULL;
  if (sz > 0) {
    fp->durable = sqlite3_malloc64((u64)sz);
    if (fp->durable == NULL) return SQLITE_NOMEM;
    rc = shale_file_read_blocking(p->real, fp->durable, (int)sz, 0);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
      sqlite3_free(fp->durable);
      fp->durable = NULL;
      return rc;
    }
  }
  fp->dsize = sz;
  fp->tracked = 1;
  return SQLITE_OK;
}

static void log_add(FPath *fp, int op, i64 off, const void *data, int n) {
  if (fp == NULL) return;
  LogEnt *e = sqlite3_malloc64(sizeof(LogEnt) + (op == 'w' ? (u64)n : 0));
  if (e == NULL) return;
  e->op = op;
  e->off = off;
  e->n = n;
  e->next = NULL;
  if (op == 'w') memcpy(e + 1, data, (size_t)n);
  if (fp->log_tail) fp->log_tail->next = e;
  else fp->log = e;
  fp->log_tail = e;
}

static int f_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  FFile *p = (FFile *)f;
  pthread_mutex_lock(&fmutex);
  int crashed = G.crashed;
  pthread_mutex_unlock(&fmutex);
  if (crashed) return shale_io_complete(io, SQLITE_IOERR_READ);
  return p->real->methods->read(p->real, buf, n, off, io);
}

static int f_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  FFile *p = (FFile *)f;
  int rc;
  pthread_mutex_lock(&fmutex);
  int k = next_op();
  if (k == 0) {
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, SQLITE_IOERR_WRITE);
  }
  if (G.fail_write_n && (k == G.fail_write_n || (G.fail_write_sticky && k > G.fail_write_n))) {
    rc = G.fail_write_rc ? G.fail_write_rc : SQLITE_IOERR_WRITE;
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, rc);
  }
  rc = capture(p);
  if (rc != SQLITE_OK) {
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, rc);
  }
  if (k == G.short_n || k == G.torn_n) {
    int part = (k == G.short_n) ? n / 2 : (n > 512 ? 512 - 64 : (n + 1) / 2);
    if (part > 0) {
      log_add(p->fp, 'w', off, buf, part);
      rc = shale_file_write_blocking(p->real, buf, part, off);
    }
    if (k == G.torn_n) G.crashed = 1;
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, k == G.short_n ? SQLITE_FULL : SQLITE_IOERR_WRITE);
  }
  log_add(p->fp, 'w', off, buf, n);
  pthread_mutex_unlock(&fmutex);
  return p->real->methods->write(p->real, buf, n, off, io);
}

static int f_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  FFile *p = (FFile *)f;
  pthread_mutex_lock(&fmutex);
  int k = next_op();
  if (k == 0) {
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, SQLITE_IOERR_TRUNCATE);
  }
  int rc = capture(p);
  if (rc != SQLITE_OK) {
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, rc);
  }
  log_add(p->fp, 't', size, NULL, 0);
  pthread_mutex_unlock(&fmutex);
  return p->real->methods->truncate(p->real, size, io);
}

static int f_sync(ShaleFile *f, int flags, ShaleIo *io) {
  FFile *p = (FFile *)f;
  pthread_mutex_lock(&fmutex);
  int k = next_op();
  if (k == 0) {
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, SQLITE_IOERR_FSYNC);
  }
  if (G.fail_sync_n && (k == G.fail_sync_n || (G.fail_sync_sticky && k > G.fail_sync_n))) {
    int rc = G.fail_sync_rc ? G.fail_sync_rc : SQLITE_IOERR_FSYNC;
    pthread_mutex_unlock(&fmutex);
    return shale_io_complete(io, rc);
  }
  pthread_mutex_unlock(&fmutex);
  /* Durability is simulated (power_restore), so the real fsync is skipped:
  ** the sweep tests stay fast.  Completed inline so it is known exactly. */
  SHALE_UNUSED(flags);
  int rc = SQLITE_OK;
  if (rc == SQLITE_OK && p->fp) {
    pthread_mutex_lock(&fmutex);
    log_clear(p->fp);
    pthread_mutex_unlock(&fmutex);
  }
  return shale_io_complete(io, rc);
}

static int f_file_size(ShaleFile *f, i64 *s) {
  FFile *p = (FFile *)f;
  return p->real->methods->file_size(p->real, s);
}
static int f_lock(ShaleFile *f, int l) {
  FFile *p = (FFile *)f;
  return p->real->methods->lock(p->real, l);
}
static int f_unlock(ShaleFile *f, int l) {
  FFile *p = (FFile *)f;
  return p->real->methods->unlock(p->real, l);
}
static int f_check_reserved(ShaleFile *f, int *o) {
  FFile *p = (FFile *)f;
  return p->real->methods->check_reserved_lock(p->real, o);
}
static int f_file_control(ShaleFile *f, int op, void *arg) {
  FFile *p = (FFile *)f;
  if (op == SQLITE_FCNTL_VFSNAME) {
    *(char **)arg = shale_strdup("faulty");
    return SQLITE_OK;
  }
  return p->real->methods->file_control(p->real, op, arg);
}
static int f_sector_size(ShaleFile *f) {
  FFile *p = (FFile *)f;
  return p->real->methods->sector_size(p->real);
}
static int f_devchar(ShaleFile *f) {
  FFile *p = (FFile *)f;
  /* no POWERSAFE_OVERWRITE: torn writes are possible here */
  return p->real->methods->device_characteristics(p->real) & ~SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}
static int f_shm_map(ShaleFile *f, int r, int sz, int ext, void volatile **pp) {
  FFile *p = (FFile *)f;
  return p->real->methods->shm_map(p->real, r, sz, ext, pp);
}
static int f_shm_lock(ShaleFile *f, int off, int n, int flags) {
  FFile *p = (FFile *)f;
  return p->real->methods->shm_lock(p->real, off, n, flags);
}
static void f_shm_barrier(ShaleFile *f) {
  FFile *p = (FFile *)f;
  if (p->real->methods->shm_barrier) p->real->methods->shm_barrier(p->real);
}
static int f_shm_unmap(ShaleFile *f, int del) {
  FFile *p = (FFile *)f;
  return p->real->methods->shm_unmap ? p->real->methods->shm_unmap(p->real, del) : SQLITE_OK;
}

static int f_close(ShaleFile *f) {
  FFile *p = (FFile *)f;
  int rc = p->real->methods->close(p->real);
  sqlite3_free(p);
  return rc;
}

static const ShaleFileMethods f_methods = {
    f_close, f_read, f_write, f_truncate, f_sync, f_file_size, f_lock, f_unlock,
    f_check_reserved, f_file_control, f_sector_size, f_devchar, NULL, NULL, NULL, NULL};
static const ShaleFileMethods f_methods_shm = {
    f_close, f_read, f_write, f_truncate, f_sync, f_file_size, f_lock, f_unlock,
    f_check_reserved, f_file_control, f_sector_size, f_devchar,
    f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap};

static int f_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out, int *out_flags) {
  FFile *p = shale_malloc_zero(sizeof(*p));
  *out = NULL;
  if (p == NULL) return SQLITE_NOMEM;
  pthread_mutex_lock(&fmutex);
  ShaleVfs *b = fbase(path);
  int crashed = G.crashed;
  pthread_mutex_unlock(&fmutex);
  if (crashed) {
    sqlite3_free(p);
    return SQLITE_CANTOPEN;
  }
  int rc = b->open(b, path, flags, &p->real, out_flags);
  if (rc != SQLITE_OK) {
    sqlite3_free(p);
    return rc;
  }
  if (path && !shale_vfs_path_is_memory(path)) {
    char full[4096];
    if (b->full_pathname(b, path, (int)sizeof(full), full) == SQLITE_OK) {
      pthread_mutex_lock(&fmutex);
      p->fp = path_get(full);
      pthread_mutex_unlock(&fmutex);
    }
  }
  p->base.methods = p->real->methods->shm_map ? &f_methods_shm : &f_methods;
  p->base.vfs = vfs;
  *out = &p->base;
  return SQLITE_OK;
}

static int f_remove(ShaleVfs *v, const char *path, int sd) {
  SHALE_UNUSED(v);
  pthread_mutex_lock(&fmutex);
  ShaleVfs *b = fbase(path);
  if (G.crashed) {
    pthread_mutex_unlock(&fmutex);
    return SQLITE_IOERR_DELETE;
  }
  char full[4096];
  if (!shale_vfs_path_is_memory(path) &&
      b->full_pathname(b, path, (int)sizeof(full), full) == SQLITE_OK) {
    /* deleting is durable: the path now holds nothing */
    FPath *fp = path_get(full);
    if (fp) {
      log_clear(fp);
      fp->tracked = 1;
      fp->dsize = 0;
    }
  }
  pthread_mutex_unlock(&fmutex);
  return b->remove(b, path, sd);
}
static int f_access(ShaleVfs *v, const char *path, int fl, int *out) {
  SHALE_UNUSED(v);
  ShaleVfs *b = fbase(path);
  return b->access(b, path, fl, out);
}
static int f_full(ShaleVfs *v, const char *path, int n, char *out) {
  SHALE_UNUSED(v);
  ShaleVfs *b = fbase(path);
  return b->full_pathname(b, path, n, out);
}
static int f_rand(ShaleVfs *v, int n, char *out) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->randomness(u, n, out);
}
static int f_sleep(ShaleVfs *v, int us) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->sleep(u, us);
}
static int f_time(ShaleVfs *v, i64 *ms) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->current_time_ms(u, ms);
}
static int f_poll(ShaleVfs *v, int wait) {
  SHALE_UNUSED(v);
  ShaleVfs *p = shale_vfs_pending_object();
  return p->poll(p, wait);
}

static u32 xr(u32 *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

int shale_faulty_power_restore(int mode, u32 seed) {
  int rc = SQLITE_OK;
  u32 rs = seed ? seed : 0x1234567u;
  ShaleVfs *u = shale_vfs_unix_object();
  pthread_mutex_lock(&fmutex);
  for (FPath *fp = G.paths; fp; fp = fp->next) {
    if (!fp->tracked) continue;
    /* build the image that survives */
    i64 cap = fp->dsize;
    for (LogEnt *e = fp->log; e; e = e->next) {
      if (e->op == 'w' && e->off + e->n > cap) cap = e->off + e->n;
      if (e->op == 't' && e->off > cap) cap = e->off;
    }
    u8 *img = sqlite3_malloc64((u64)cap + 1);
    if (img == NULL) {
      rc = SQLITE_NOMEM;
      break;
    }
    memset(img, 0, (size_t)cap + 1);
    if (fp->dsize) memcpy(img, fp->durable, (size_t)fp->dsize);
    i64 size = fp->dsize;
    if (mode == 1) {
      for (LogEnt *e = fp->log; e; e = e->next) {
        u32 r = xr(&rs) % 3;
        if (r == 0) continue; /* lost */
        if (e->op == 't') {
          if (e->off < size) memset(img + e->off, 0, (size_t)(size - e->off));
          size = e->off;
          continue;
        }
        int n = e->n;
        if (r == 2 && n > 1) n = 1 + (int)(xr(&rs) % (u32)(n - 1)); /* torn */
        memcpy(img + e->off, (u8 *)(e + 1), (size_t)n);
        if (e->off + n > size) size = e->off + n;
      }
    }
    int exists = 0;
    u->access(u, fp->path, SQLITE_ACCESS_EXISTS, &exists);
    if (size > 0 || exists) {
      ShaleFile *f = NULL;
      int r2 = u->open(u, fp->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f, NULL);
      if (r2 == SQLITE_OK) {
        if (size > 0) shale_file_write_blocking(f, img, (int)size, 0);
        shale_file_truncate_blocking(f, size);
        f->methods->close(f);
      } else {
        rc = r2;
      }
    }
    sqlite3_free(img);
    log_clear(fp);
  }
  G.crashed = 0;
  G.loss_n = G.torn_n = G.short_n = 0;
  G.fail_write_n = G.fail_sync_n = 0;
  pthread_mutex_unlock(&fmutex);
  return rc;
}

static ShaleVfs faulty_vfs = {"faulty", NULL, 4096, f_open, f_remove, f_access, f_full,
                              f_rand, f_sleep, f_time, f_poll, NULL};

ShaleVfs *shale_vfs_faulty_object(void) { return &faulty_vfs; }
