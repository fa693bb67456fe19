/*
** host_vfs.c — the "host" VFS of the WebAssembly builds: file operations are
** executed by the embedder (JavaScript).
**
** Every read/write/truncate/sync submitted by the engine is appended to a
** request queue and answered SHALE_PENDING (except reads wholly past the
** known end of file, which complete inline zero-filled as short reads).
** JavaScript drains the queue with shale_w_next_request(), performs the I/O
** asynchronously (copying read data into the request's buffer in wasm
** memory), and posts the result with shale_w_complete(id, rc).  poll() only
** runs completions that were already posted: it never blocks.  When the
** engine insists on waiting (poll(wait=1): open/close and a few cleanup
** paths), poll calls the host's synchronous fallback hook
** (shale_host_io_wait, an import) which may perform the queued requests at
** once; if it cannot, poll reports SQLITE_IOERR instead of spinning.
**
** open()/access()/remove() are immediate: a table of files (name -> id,
** size, exists) is seeded by JavaScript before a database is opened
** (shale_w_host_set_file) and kept current by this file on writes,
** truncates and removes; remove() also queues a request so the host
** deletes the real file in order with the other requests.  Temporary files
** (path NULL or DELETEONCLOSE) live in memory (the memdb backend).
**
** The file table and the request queue are this backend's process-wide
** state, like the memdb store list; the wasm builds are single-threaded.
**
** In the wasm builds this object is also what shale_vfs_unix_object()
** returns (vfs_unix.c is not compiled there), so the registry's default VFS
** is "host", and memdb/pending/faulty delegate randomness/time to it.
*/
#include "vfs_int.h" /* engine/vfs, via -I */
#include "host_vfs.h"
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
/* The glue sets Module.shaleHostIoWait to a synchronous drain function. */
EM_JS(int, shale_host_io_wait, (void), {
  return Module["shaleHostIoWait"] ? Module["shaleHostIoWait"]() : 0;
});
#else
__attribute__((import_module("shale"), import_name("host_io_wait")))
int shale_host_io_wait(void);
#endif

/* Up to this many leading bytes of each file are mirrored in memory: the
** database header and page 1 are read at the start of every transaction,
** and the mirror serves them without a round trip to the host. */
#define HOST_PREFIX_MAX 65536

typedef struct HostEntry HostEntry;
typedef struct HostFile HostFile;
typedef struct HostReq HostReq;

struct HostEntry {
  char *name;
  int id;
  int exists;
  i64 size;
  int nopen;       /* open handles */
  int nshared;     /* handles holding SHARED or more */
  HostFile *writer;/* handle holding RESERVED or more */
  u8 *prefix;      /* known content of [0, nprefix): served inline */
  int nprefix;
  /* WAL index ("-shm"), in memory: shared by the handles of this instance */
  u8 **shm;
  int nshm;
  int shm_shared[SQLITE_SHM_NLOCK];
  HostFile *shm_excl[SQLITE_SHM_NLOCK];
  HostEntry *next;
};

struct HostFile {
  ShaleFile base;
  HostEntry *e;
  int elock;
  u8 shm_shared_mask; /* shm lock slots this handle holds SHARED */
  u8 shm_excl_mask;   /* ... and EXCLUSIVE */
};

struct HostReq {
  int id;
  int kind;    /* HOST_REQ_* */
  int file_id;
  i64 off;
  int n;
  void *buf;
  ShaleIo *io; /* NULL for close/remove, and once orphaned */
  HostFile *owner; /* NULL for close/remove */
  int live;    /* 0 once its file was closed: buffers are gone */
  int rc;
  HostReq *next;
};

static HostEntry *host_files;
static int host_next_file_id = 1;
static int host_next_req_id = 1;
static HostReq *q_head, *q_tail;   /* submitted, not yet taken by the host */
static HostReq *taken;             /* taken by the host, not completed */
static HostReq *done_head, *done_tail; /* completed, not yet polled */
static int n_outstanding;          /* queued + taken + done-unpolled */
static int desc[8];                /* shale_w_next_request's answer */

static HostEntry *entry_find(const char *name) {
  for (HostEntry *e = host_files; e; e = e->next) {
    if (strcmp(e->name, name) == 0) return e;
  }
  return NULL;
}

static HostEntry *entry_get(const char *name) {
  HostEntry *e = entry_find(name);
  if (e) return e;
  e = shale_malloc_zero(sizeof(*e));
  if (!e) return NULL;
  e->name = shale_strdup(name);
  if (!e->name) {
    sqlite3_free(e);
    return NULL;
  }
  e->id = host_next_file_id++;
  e->next = host_files;
  host_files = e;
  return e;
}

static int enqueue(int kind, HostEntry *e, i64 off, int n, void *buf, ShaleIo *io,
                   HostFile *owner) {
  HostReq *r = sqlite3_malloc64(sizeof(*r));
  if (!r) return SQLITE_NOMEM;
  r->id = host_next_req_id++;
  if (host_next_req_id > 0x3fffffff) host_next_req_id = 1;
  r->kind = kind;
  r->file_id = e->id;
  r->off = off;
  r->n = n;
  r->buf = buf;
  r->io = io;
  r->owner = owner;
  r->live = 1;
  r->rc = SQLITE_OK;
  r->next = NULL;
  if (io) {
    io->done = 0;
    io->rc = SQLITE_OK;
  }
  if (q_tail) q_tail->next = r;
  else q_head = r;
  q_tail = r;
  n_outstanding++;
  return SHALE_PENDING;
}

/* ------------------------------------------------------ file methods -- */
static int host_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  HostEntry *e = ((HostFile *)f)->e;
  if (off >= e->size) {
    memset(buf, 0, (size_t)n);
    return shale_io_complete(io, SQLITE_IOERR_SHORT_READ);
  }
  if (off + n <= e->nprefix) {
    memcpy(buf, e->prefix + off, (size_t)n);
    return shale_io_complete(io, SQLITE_OK);
  }
  return enqueue(HOST_REQ_READ, e, off, n, buf, io, (HostFile *)f);
}

/* Keep the known prefix current: overlapping writes update it, a write
** that starts inside or right at its end extends it (up to the cap). */
static void prefix_write(HostEntry *e, const void *buf, int n, i64 off) {
  if (off > e->nprefix || off >= HOST_PREFIX_MAX) return;
  i64 end = off + n;
  if (end > HOST_PREFIX_MAX) end = HOST_PREFIX_MAX;
  if (!e->prefix) {
    e->prefix = sqlite3_malloc64(HOST_PREFIX_MAX);
    if (!e->prefix) return;
  }
  memcpy(e->prefix + off, buf, (size_t)(end - off));
  if (end > e->nprefix) e->nprefix = (int)end;
}

static int host_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  HostEntry *e = ((HostFile *)f)->e;
  e->exists = 1;
  if (off + n > e->size) e->size = off + n;
  prefix_write(e, buf, n, off);
  return enqueue(HOST_REQ_WRITE, e, off, n, (void *)buf, io, (HostFile *)f);
}

static int host_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  HostEntry *e = ((HostFile *)f)->e;
  if (size < e->size) e->size = size;
  if (size < e->nprefix) e->nprefix = (int)size;
  return enqueue(HOST_REQ_TRUNCATE, e, size, 0, NULL, io, (HostFile *)f);
}

static int host_sync(ShaleFile *f, int flags, ShaleIo *io) {
  HostEntry *e = ((HostFile *)f)->e;
  return enqueue(HOST_REQ_SYNC, e, 0, flags, NULL, io, (HostFile *)f);
}

static int host_file_size(ShaleFile *f, i64 *size) {
  *size = ((HostFile *)f)->e->size;
  return SQLITE_OK;
}

static int host_lock(ShaleFile *f, int level) {
  HostFile *p = (HostFile *)f;
  HostEntry *e = p->e;
  if (p->elock >= level) return SQLITE_OK;
  if (level == SQLITE_LOCK_SHARED) {
    if (e->writer && e->writer != p && e->writer->elock >= SQLITE_LOCK_PENDING) return SQLITE_BUSY;
    e->nshared++;
    p->elock = SQLITE_LOCK_SHARED;
    return SQLITE_OK;
  }
  if (e->writer && e->writer != p) return SQLITE_BUSY;
  e->writer = p;
  if (level == SQLITE_LOCK_EXCLUSIVE && e->nshared > 1) {
    p->elock = SQLITE_LOCK_PENDING;
    return SQLITE_BUSY;
  }
  p->elock = level;
  return SQLITE_OK;
}

static int host_unlock(ShaleFile *f, int level) {
  HostFile *p = (HostFile *)f;
  HostEntry *e = p->e;
  if (p->elock <= level) return SQLITE_OK;
  if (p->elock > SQLITE_LOCK_SHARED && e->writer == p) e->writer = NULL;
  if (level == SQLITE_LOCK_NONE && p->elock >= SQLITE_LOCK_SHARED) e->nshared--;
  p->elock = level;
  return SQLITE_OK;
}

static int host_check_reserved_lock(ShaleFile *f, int *out) {
  *out = ((HostFile *)f)->e->writer != NULL;
  return SQLITE_OK;
}

static int host_file_control(ShaleFile *f, int op, void *arg) {
  HostFile *p = (HostFile *)f;
  if (op == SQLITE_FCNTL_LOCKSTATE) {
    *(int *)arg = p->elock;
    return SQLITE_OK;
  }
  if (op == SQLITE_FCNTL_VFSNAME) {
    *(char **)arg = shale_strdup("host");
    return SQLITE_OK;
  }
  return SQLITE_NOTFOUND;
}

static int host_sector_size(ShaleFile *f) {
  SHALE_UNUSED(f);
  return 4096;
}

static int host_device_characteristics(ShaleFile *f) {
  SHALE_UNUSED(f);
  return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

/* A file closed with requests still outstanding (the engine gave up
** waiting): its buffers and ShaleIo structs may be freed next, so the
** requests are cut loose — the host skips their data, poll ignores them. */
static void orphan_list(HostReq *r, HostFile *p) {
  for (; r; r = r->next) {
    if (r->owner == p) {
      r->io = NULL;
      r->buf = NULL;
      r->owner = NULL;
      r->live = 0;
    }
  }
}

static void orphan(HostFile *p) {
  orphan_list(q_head, p);
  orphan_list(taken, p);
  orphan_list(done_head, p);
}

static void shm_release(HostFile *p, int ofs, int n);

static int host_close(ShaleFile *f) {
  HostFile *p = (HostFile *)f;
  HostEntry *e = p->e;
  host_unlock(f, SQLITE_LOCK_NONE);
  shm_release(p, 0, SQLITE_SHM_NLOCK);
  orphan(p);
  if (--e->nopen == 0) enqueue(HOST_REQ_CLOSE, e, 0, 0, NULL, NULL, NULL);
  sqlite3_free(p);
  return SQLITE_OK;
}

/* ---- WAL index in memory.  One wasm instance is one process: the index
** is shared by the connections of this instance (other instances/tabs
** need the embedder's coordination, later work). */
static int host_shm_map(ShaleFile *f, int region, int region_size, int extend,
                        void volatile **pp) {
  HostEntry *e = ((HostFile *)f)->e;
  *pp = NULL;
  if (region >= e->nshm) {
    if (!extend) return SQLITE_OK;
    u8 **na = sqlite3_realloc64(e->shm, sizeof(u8 *) * (u64)(region + 1));
    if (!na) return SQLITE_NOMEM;
    e->shm = na;
    while (e->nshm <= region) {
      u8 *r = shale_malloc_zero((size_t)region_size);
      if (!r) return SQLITE_NOMEM;
      e->shm[e->nshm++] = r;
    }
  }
  *pp = e->shm[region];
  return SQLITE_OK;
}

static void shm_release(HostFile *p, int ofs, int n) {
  HostEntry *e = p->e;
  for (int i = ofs; i < ofs + n && i < SQLITE_SHM_NLOCK; i++) {
    u8 bit = (u8)(1u << i);
    if (p->shm_shared_mask & bit) {
      e->shm_shared[i]--;
      p->shm_shared_mask &= (u8)~bit;
    }
    if (p->shm_excl_mask & bit) {
      e->shm_excl[i] = NULL;
      p->shm_excl_mask &= (u8)~bit;
    }
  }
}

static int host_shm_lock(ShaleFile *f, int ofs, int n, int flags) {
  HostFile *p = (HostFile *)f;
  HostEntry *e = p->e;
  if (ofs < 0 || n < 1 || ofs + n > SQLITE_SHM_NLOCK) return SQLITE_MISUSE;
  if (flags & SQLITE_SHM_UNLOCK) {
    shm_release(p, ofs, n);
    return SQLITE_OK;
  }
  for (int i = ofs; i < ofs + n; i++) {
    u8 bit = (u8)(1u << i);
    if (e->shm_excl[i] && e->shm_excl[i] != p) return SQLITE_BUSY;
    if ((flags & SQLITE_SHM_EXCLUSIVE) &&
        e->shm_shared[i] - ((p->shm_shared_mask & bit) ? 1 : 0) > 0)
      return SQLITE_BUSY;
  }
  for (int i = ofs; i < ofs + n; i++) {
    u8 bit = (u8)(1u << i);
    if (flags & SQLITE_SHM_EXCLUSIVE) {
      e->shm_excl[i] = p;
      p->shm_excl_mask |= bit;
    } else if (!(p->shm_shared_mask & bit)) {
      e->shm_shared[i]++;
      p->shm_shared_mask |= bit;
    }
  }
  return SQLITE_OK;
}

static void host_shm_barrier(ShaleFile *f) { SHALE_UNUSED(f); }

static int host_shm_unmap(ShaleFile *f, int delete_flag) {
  HostFile *p = (HostFile *)f;
  HostEntry *e = p->e;
  SHALE_UNUSED(delete_flag);
  shm_release(p, 0, SQLITE_SHM_NLOCK);
  /* The last handle drops the index whether or not asked to delete it: the
  ** next connection rebuilds it from the -wal file (which other processes,
  ** e.g. the sqlite3 CLI, may have changed or removed meanwhile). */
  if (e->nopen <= 1) {
    for (int i = 0; i < e->nshm; i++) sqlite3_free(e->shm[i]);
    sqlite3_free(e->shm);
    e->shm = NULL;
    e->nshm = 0;
  }
  return SQLITE_OK;
}

static const ShaleFileMethods host_methods = {
    host_close,        host_read,        host_write,
    host_truncate,     host_sync,        host_file_size,
    host_lock,         host_unlock,      host_check_reserved_lock,
    host_file_control, host_sector_size, host_device_characteristics,
    host_shm_map,      host_shm_lock,    host_shm_barrier,
    host_shm_unmap};

/* ------------------------------------------------------- vfs methods -- */
static int host_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out,
                     int *out_flags) {
  *out = NULL;
  if (path == NULL || (flags & SQLITE_OPEN_DELETEONCLOSE) || shale_vfs_path_is_memory(path)) {
    ShaleVfs *m = shale_vfs_memdb_object();
    return m->open(m, NULL, flags | SQLITE_OPEN_CREATE, out, out_flags);
  }
  HostEntry *e = entry_get(path);
  if (!e) return SQLITE_NOMEM;
  if (!e->exists) {
    if (!(flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
    e->exists = 1;
    e->size = 0;
    e->nprefix = 0;
  } else if ((flags & SQLITE_OPEN_EXCLUSIVE) && (flags & SQLITE_OPEN_CREATE)) {
    return SQLITE_CANTOPEN;
  }
  HostFile *p = shale_malloc_zero(sizeof(*p));
  if (!p) return SQLITE_NOMEM;
  p->base.methods = &host_methods;
  p->base.vfs = vfs;
  p->e = e;
  e->nopen++;
  if (out_flags) *out_flags = flags;
  *out = &p->base;
  return SQLITE_OK;
}

static int host_remove(ShaleVfs *vfs, const char *path, int sync_dir) {
  SHALE_UNUSED(vfs);
  SHALE_UNUSED(sync_dir);
  HostEntry *e = entry_find(path);
  if (!e || !e->exists) return SQLITE_IOERR_DELETE_NOENT;
  e->exists = 0;
  e->size = 0;
  e->nprefix = 0;
  return enqueue(HOST_REQ_REMOVE, e, 0, 0, NULL, NULL, NULL) == SHALE_PENDING ? SQLITE_OK : SQLITE_NOMEM;
}

static int host_access(ShaleVfs *vfs, const char *path, int flags, int *out) {
  SHALE_UNUSED(vfs);
  HostEntry *e = entry_find(path);
  *out = 0;
  if (e && e->exists) *out = flags == SQLITE_ACCESS_EXISTS ? e->size > 0 : 1;
  return SQLITE_OK;
}

static int host_full_pathname(ShaleVfs *vfs, const char *path, int n_out, char *out) {
  SHALE_UNUSED(vfs);
  if ((int)strlen(path) >= n_out) return SQLITE_CANTOPEN;
  strcpy(out, path);
  return SQLITE_OK;
}

static int host_randomness(ShaleVfs *vfs, int n, char *out) {
  SHALE_UNUSED(vfs);
  int got = 0;
  while (got < n) {
    int k = n - got > 256 ? 256 : n - got;
    if (getentropy(out + got, (size_t)k) != 0) break;
    got += k;
  }
  if (got < n) memset(out + got, 0, (size_t)(n - got));
  return n;
}

static int host_sleep(ShaleVfs *vfs, int us) {
  SHALE_UNUSED(vfs);
  return us; /* never blocks; busy handlers retry at once */
}

static int host_current_time_ms(ShaleVfs *vfs, i64 *ms) {
  SHALE_UNUSED(vfs);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  *ms = (i64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return SQLITE_OK;
}

static int run_completions(void) {
  int n = 0;
  while (done_head) {
    HostReq *r = done_head;
    done_head = r->next;
    if (!done_head) done_tail = NULL;
    n_outstanding--;
    if (r->io) {
      ShaleIo *io = r->io;
      /* a short read: the host zero-filled the tail of the buffer */
      io->rc = r->rc;
      io->done = 1;
      if (io->on_done) io->on_done(io);
      n++;
    }
    sqlite3_free(r);
  }
  return n;
}

static int host_poll(ShaleVfs *vfs, int wait) {
  SHALE_UNUSED(vfs);
  int n = run_completions();
  if (n > 0 || !wait) return n;
  if (n_outstanding == 0) return 0;
  /* The engine must wait: ask the host to finish the I/O synchronously. */
  shale_host_io_wait();
  n = run_completions();
  if (n == 0 && n_outstanding > 0) return -SQLITE_IOERR;
  return n;
}

static ShaleVfs host_vfs = {
    "host",          NULL,           1024,      host_open,
    host_remove,     host_access,    host_full_pathname,
    host_randomness, host_sleep,     host_current_time_ms,
    host_poll,       NULL};

ShaleVfs *shale_vfs_host_object(void) { return &host_vfs; }

/* vfs_unix.c is not part of the wasm builds: the registry's default and the
** helpers memdb/pending/faulty delegate to are this backend. */
ShaleVfs *shale_vfs_unix_object(void) { return &host_vfs; }

/* ------------------------------------------------ embedder interface -- */
int EXPORT(shale_w_host_set_file)(const char *name, double size) {
  HostEntry *e = entry_get(name);
  if (!e) return SQLITE_NOMEM;
  e->exists = size >= 0;
  e->size = size >= 0 ? (i64)size : 0;
  e->nprefix = 0;
  return e->id;
}

/* Give the file's first n bytes (its current content, n <= 64 KiB) so that
** reads of the header and page 1 complete inline. */
int EXPORT(shale_w_host_set_prefix)(const char *name, const void *data, int n) {
  HostEntry *e = entry_find(name);
  if (!e) return SQLITE_NOTFOUND;
  e->nprefix = 0;
  if (n > HOST_PREFIX_MAX) n = HOST_PREFIX_MAX;
  if (n > 0) prefix_write(e, data, n, 0);
  return SQLITE_OK;
}

double EXPORT(shale_w_host_file_size)(const char *name) {
  HostEntry *e = entry_find(name);
  return e && e->exists ? (double)e->size : -1;
}

int EXPORT(shale_w_host_file_id)(const char *name) {
  HostEntry *e = entry_find(name);
  return e ? e->id : 0;
}

const char *EXPORT(shale_w_host_file_name)(int id) {
  for (HostEntry *e = host_files; e; e = e->next) {
    if (e->id == id) return e->name;
  }
  return NULL;
}

/* The strongest lock this instance's handles hold on the file (0 none,
** 1 SHARED, 2 RESERVED, 3 PENDING, 4 EXCLUSIVE): 0 means no connection of
** this instance has a transaction on it, so the cross-tab lock may go. */
int EXPORT(shale_w_host_lock_level)(const char *name) {
  HostEntry *e = entry_find(name);
  if (!e) return 0;
  if (e->writer) return e->writer->elock;
  return e->nshared > 0 ? SQLITE_LOCK_SHARED : 0;
}

int EXPORT(shale_w_host_file_open_count)(const char *name) {
  HostEntry *e = entry_find(name);
  return e ? e->nopen : 0;
}

int *EXPORT(shale_w_next_request)(void) {
  HostReq *r = q_head;
  if (!r) return NULL;
  q_head = r->next;
  if (!q_head) q_tail = NULL;
  r->next = taken;
  taken = r;
  desc[0] = r->id;
  desc[1] = r->kind;
  desc[2] = r->file_id;
  desc[3] = (int)(u32)(u64)r->off;
  desc[4] = (int)(u32)((u64)r->off >> 32);
  desc[5] = r->n;
  desc[6] = (int)(uintptr_t)r->buf;
  desc[7] = 0;
  return desc;
}

int EXPORT(shale_w_complete)(int id, int rc) {
  HostReq **pp = &taken;
  while (*pp && (*pp)->id != id) pp = &(*pp)->next;
  HostReq *r = *pp;
  if (!r) return SQLITE_NOTFOUND;
  *pp = r->next;
  r->rc = rc;
  r->next = NULL;
  if (done_tail) done_tail->next = r;
  else done_head = r;
  done_tail = r;
  return SQLITE_OK;
}

/* 1 while the request's buffer may be used (its file is still open). */
int EXPORT(shale_w_request_live)(int id) {
  for (HostReq *r = taken; r; r = r->next) {
    if (r->id == id) return r->live;
  }
  return 0;
}

int EXPORT(shale_w_host_outstanding)(void) { return n_outstanding; }

int EXPORT(shale_w_host_poll)(void) { return run_completions(); }
