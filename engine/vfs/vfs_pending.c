/*
** vfs_pending.c — the "pending" test backend.  It wraps "unix" (or "memdb"
** for ":memory:"/":memdb:" paths) and makes the engine prove the async rule:
**   - the FIRST read of each (file handle, offset) returns SHALE_PENDING and
**     is performed only inside poll() (every read, with env
**     SHALE_PENDING_EVERY_READ=1);
**   - writes and syncs return SHALE_PENDING at random (deterministic PRNG
**     seeded from env SHALE_PENDING_SEED, default fixed);
**   - poll() completes everything queued, in a shuffled order (syncs after
**     the reads and writes of the same batch).
** The queue and the PRNG are process-wide state of this test backend,
** protected by a mutex.
*/
#include "vfs_int.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct PendFile PendFile;
typedef struct PendReq PendReq;

struct PendReq {
  PendFile *f;
  ShaleIo *io;
  int op; /* 'r' 'w' 's' */
  void *buf;
  int n;
  i64 off;
  int flags;
  PendReq *next;
};

struct PendFile {
  ShaleFile base;
  ShaleFile *real;
  i64 *seen; /* open-addressing set of offsets already read (+1) */
  u32 nseen, aseen;
  int nqueued;
  int nwrites_queued;
  i64 pending_end; /* max end offset of queued writes */
};

static pthread_mutex_t pend_mutex = PTHREAD_MUTEX_INITIALIZER;
static PendReq *pend_queue;
static int pend_nqueue;
static u64 pend_rng;
static int pend_rng_ready;
static int pend_every_read = -1; /* env SHALE_PENDING_EVERY_READ: defer all reads */

static u64 rng_next(void) {
  /* caller holds the mutex */
  if (!pend_rng_ready) {
    const char *z = getenv("SHALE_PENDING_SEED");
    pend_rng = z ? strtoull(z, NULL, 0) : 0x5eed5eedULL;
    pend_rng = pend_rng * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    if (pend_rng == 0) pend_rng = 88172645463325252ULL;
    pend_rng_ready = 1;
  }
  pend_rng ^= pend_rng << 13;
  pend_rng ^= pend_rng >> 7;
  pend_rng ^= pend_rng << 17;
  return pend_rng;
}

static ShaleVfs *base_for(const char *path) {
  return shale_vfs_path_is_memory(path) ? shale_vfs_memdb_object() : shale_vfs_unix_object();
}

/* offset set */
static int seen_test_and_add(PendFile *p, i64 off) {
  i64 key = off + 1;
  if (p->nseen * 2 >= p->aseen) {
    u32 na = p->aseen ? p->aseen * 2 : 64;
    i64 *ns = sqlite3_malloc64(sizeof(i64) * na);
    if (ns == NULL) return 1; /* treat as seen: completes inline */
    memset(ns, 0, sizeof(i64) * na);
    for (u32 i = 0; i < p->aseen; i++) {
      if (p->seen[i]) {
        u32 h = (u32)((u64)p->seen[i] * 0x9E3779B97F4A7C15ULL >> 40) & (na - 1);
        while (ns[h]) h = (h + 1) & (na - 1);
        ns[h] = p->seen[i];
      }
    }
    sqlite3_free(p->seen);
    p->seen = ns;
    p->aseen = na;
  }
  u32 h = (u32)((u64)key * 0x9E3779B97F4A7C15ULL >> 40) & (p->aseen - 1);
  while (p->seen[h]) {
    if (p->seen[h] == key) return 1;
    h = (h + 1) & (p->aseen - 1);
  }
  p->seen[h] = key;
  p->nseen++;
  return 0;
}

static int enqueue(PendFile *p, ShaleIo *io, int op, void *buf, int n, i64 off, int flags) {
  PendReq *r = sqlite3_malloc64(sizeof(*r));
  if (r == NULL) return SQLITE_NOMEM;
  r->f = p;
  r->io = io;
  r->op = op;
  r->buf = buf;
  r->n = n;
  r->off = off;
  r->flags = flags;
  io->done = 0;
  io->rc = SQLITE_OK;
  /* caller holds the mutex */
  r->next = pend_queue;
  pend_queue = r;
  pend_nqueue++;
  p->nqueued++;
  if (op == 'w') {
    p->nwrites_queued++;
    if (off + n > p->pending_end) p->pending_end = off + n;
  }
  return SHALE_PENDING;
}

static int pend_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  PendFile *p = (PendFile *)f;
  pthread_mutex_lock(&pend_mutex);
  if (pend_every_read < 0) {
    const char *z = getenv("SHALE_PENDING_EVERY_READ");
    pend_every_read = z && z[0] && z[0] != '0';
  }
  int seen = seen_test_and_add(p, off);
  if (!seen || pend_every_read) {
    int rc = enqueue(p, io, 'r', buf, n, off, 0);
    pthread_mutex_unlock(&pend_mutex);
    return rc;
  }
  pthread_mutex_unlock(&pend_mutex);
  return p->real->methods->read(p->real, buf, n, off, io);
}

static int pend_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  PendFile *p = (PendFile *)f;
  pthread_mutex_lock(&pend_mutex);
  if (rng_next() % 3 == 0) {
    int rc = enqueue(p, io, 'w', (void *)buf, n, off, 0);
    pthread_mutex_unlock(&pend_mutex);
    return rc;
  }
  pthread_mutex_unlock(&pend_mutex);
  return p->real->methods->write(p->real, buf, n, off, io);
}

static int pend_sync(ShaleFile *f, int flags, ShaleIo *io) {
  PendFile *p = (PendFile *)f;
  pthread_mutex_lock(&pend_mutex);
  if (rng_next() % 3 == 0) {
    int rc = enqueue(p, io, 's', NULL, 0, 0, flags);
    pthread_mutex_unlock(&pend_mutex);
    return rc;
  }
  pthread_mutex_unlock(&pend_mutex);
  return p->real->methods->sync(p->real, flags, io);
}

static int pend_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->truncate(p->real, size, io);
}

static int pend_file_size(ShaleFile *f, i64 *size) {
  PendFile *p = (PendFile *)f;
  int rc = p->real->methods->file_size(p->real, size);
  pthread_mutex_lock(&pend_mutex);
  if (rc == SQLITE_OK && p->nwrites_queued && p->pending_end > *size) *size = p->pending_end;
  pthread_mutex_unlock(&pend_mutex);
  return rc;
}

static int pend_lock(ShaleFile *f, int l) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->lock(p->real, l);
}
static int pend_unlock(ShaleFile *f, int l) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->unlock(p->real, l);
}
static int pend_check_reserved(ShaleFile *f, int *out) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->check_reserved_lock(p->real, out);
}
static int pend_file_control(ShaleFile *f, int op, void *arg) {
  PendFile *p = (PendFile *)f;
  if (op == SQLITE_FCNTL_VFSNAME) {
    *(char **)arg = shale_strdup("pending");
    return SQLITE_OK;
  }
  return p->real->methods->file_control(p->real, op, arg);
}
static int pend_sector_size(ShaleFile *f) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->sector_size(p->real);
}
static int pend_devchar(ShaleFile *f) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->device_characteristics(p->real);
}
static int pend_shm_map(ShaleFile *f, int r, int sz, int ext, void volatile **pp) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->shm_map(p->real, r, sz, ext, pp);
}
static int pend_shm_lock(ShaleFile *f, int off, int n, int flags) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->shm_lock(p->real, off, n, flags);
}
static void pend_shm_barrier(ShaleFile *f) {
  PendFile *p = (PendFile *)f;
  if (p->real->methods->shm_barrier) p->real->methods->shm_barrier(p->real);
}
static int pend_shm_unmap(ShaleFile *f, int del) {
  PendFile *p = (PendFile *)f;
  return p->real->methods->shm_unmap ? p->real->methods->shm_unmap(p->real, del) : SQLITE_OK;
}

static void run_req(PendReq *r) {
  ShaleFile *real = r->f->real;
  ShaleIo tmp;
  shale_io_init(&tmp);
  int rc;
  switch (r->op) {
    case 'r': rc = real->methods->read(real, r->buf, r->n, r->off, &tmp); break;
    case 'w': rc = real->methods->write(real, r->buf, r->n, r->off, &tmp); break;
    default: rc = real->methods->sync(real, r->flags, &tmp); break;
  }
  if (rc == SQLITE_OK || tmp.done) rc = tmp.rc;
  pthread_mutex_lock(&pend_mutex);
  r->f->nqueued--;
  if (r->op == 'w' && --r->f->nwrites_queued == 0) r->f->pending_end = 0;
  pthread_mutex_unlock(&pend_mutex);
  r->io->rc = rc;
  __atomic_store_n(&r->io->done, 1, __ATOMIC_RELEASE);
  if (r->io->on_done) r->io->on_done(r->io);
}

/* Complete queued requests (only those of `only` if not NULL). */
static int pend_run(PendFile *only) {
  PendReq *batch[256];
  int n = 0, total = 0;
  for (;;) {
    n = 0;
    pthread_mutex_lock(&pend_mutex);
    PendReq **pp = &pend_queue;
    while (*pp && n < (int)SHALE_ARRAY_SIZE(batch)) {
      if (only == NULL || (*pp)->f == only) {
        batch[n++] = *pp;
        *pp = (*pp)->next;
        pend_nqueue--;
      } else {
        pp = &(*pp)->next;
      }
    }
    /* shuffle (Fisher-Yates), then move syncs to the end */
    for (int i = n - 1; i > 0; i--) {
      int j = (int)(rng_next() % (u64)(i + 1));
      PendReq *t = batch[i];
      batch[i] = batch[j];
      batch[j] = t;
    }
    pthread_mutex_unlock(&pend_mutex);
    if (n == 0) break;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < n; i++) {
        if ((batch[i]->op == 's') == (pass == 1)) run_req(batch[i]);
      }
    }
    for (int i = 0; i < n; i++) sqlite3_free(batch[i]);
    total += n;
  }
  return total;
}

static int pend_close(ShaleFile *f) {
  PendFile *p = (PendFile *)f;
  pend_run(p);
  int rc = p->real->methods->close(p->real);
  sqlite3_free(p->seen);
  sqlite3_free(p);
  return rc;
}

static const ShaleFileMethods pend_methods = {
    pend_close,        pend_read,        pend_write,     pend_truncate,
    pend_sync,         pend_file_size,   pend_lock,      pend_unlock,
    pend_check_reserved, pend_file_control, pend_sector_size, pend_devchar,
    NULL,              NULL,             NULL,           NULL};

static const ShaleFileMethods pend_methods_shm = {
    pend_close,        pend_read,        pend_write,     pend_truncate,
    pend_sync,         pend_file_size,   pend_lock,      pend_unlock,
    pend_check_reserved, pend_file_control, pend_sector_size, pend_devchar,
    pend_shm_map,      pend_shm_lock,    pend_shm_barrier, pend_shm_unmap};

static int pend_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out,
                     int *out_flags) {
  ShaleVfs *b = base_for(path);
  PendFile *p = shale_malloc_zero(sizeof(*p));
  *out = NULL;
  if (p == NULL) return SQLITE_NOMEM;
  int rc = b->open(b, path, flags, &p->real, out_flags);
  if (rc != SQLITE_OK) {
    sqlite3_free(p);
    return rc;
  }
  p->base.methods = p->real->methods->shm_map ? &pend_methods_shm : &pend_methods;
  p->base.vfs = vfs;
  *out = &p->base;
  return SQLITE_OK;
}

static int pend_remove(ShaleVfs *v, const char *path, int sd) {
  SHALE_UNUSED(v);
  ShaleVfs *b = base_for(path);
  return b->remove(b, path, sd);
}
static int pend_access(ShaleVfs *v, const char *path, int fl, int *out) {
  SHALE_UNUSED(v);
  ShaleVfs *b = base_for(path);
  return b->access(b, path, fl, out);
}
static int pend_full(ShaleVfs *v, const char *path, int n, char *out) {
  SHALE_UNUSED(v);
  ShaleVfs *b = base_for(path);
  return b->full_pathname(b, path, n, out);
}
static int pend_rand(ShaleVfs *v, int n, char *out) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->randomness(u, n, out);
}
static int pend_sleep(ShaleVfs *v, int us) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->sleep(u, us);
}
static int pend_time(ShaleVfs *v, i64 *ms) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->current_time_ms(u, ms);
}
static int pend_poll(ShaleVfs *v, int wait) {
  SHALE_UNUSED(v);
  SHALE_UNUSED(wait);
  return pend_run(NULL);
}

static ShaleVfs pending_vfs = {"pending", NULL, 4096, pend_open, pend_remove, pend_access,
                               pend_full, pend_rand, pend_sleep, pend_time, pend_poll, NULL};

ShaleVfs *shale_vfs_pending_object(void) { return &pending_vfs; }
