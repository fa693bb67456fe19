/*
** vfs_sqlite.c — SQLite's VFS calls (sqlite3_vfs_find / _register /
** _unregister) over Shale's submit/complete VFS (engine/vfs/vfs.h), in both
** directions:
**
**  - A user's synchronous `sqlite3_vfs` registered with sqlite3_vfs_register()
**    is wrapped in a ShaleVfs ("UserVfs") whose requests complete inline: each
**    read/write/truncate/sync calls the user's xRead/xWrite/... and returns
**    with io->done set.  Nothing is ever PENDING, so poll() has nothing to do.
**
**  - sqlite3_vfs_find() of a Shale backend ("unix", "memdb", ...) returns a
**    descriptor ("NativeVfs") whose methods work: a user VFS that wraps the
**    default one (the usual shim pattern) calls them, and they drive each
**    request to completion (shale_vfs_wait_io).  Blocking here is fine: a
**    synchronous user VFS has already chosen to block.
**
** Adapters and descriptors live as long as the process (a connection may
** still point at an unregistered VFS, as in SQLite); they are kept in one
** mutex-protected list, the API layer's documented global.
*/
#include <pthread.h>
#include "api_internal.h"

/* Julian day number of 1970-01-01 00:00 UTC, in milliseconds. */
#define UNIX_EPOCH_JD_MS 210866760000000LL

typedef struct UserVfs UserVfs;
typedef struct NativeVfs NativeVfs;

/* A user's sqlite3_vfs as a Shale backend. */
struct UserVfs {
  ShaleVfs base;     /* registered in the Shale registry */
  sqlite3_vfs *user;
  UserVfs *next;
};

/* A Shale backend described as a sqlite3_vfs. */
struct NativeVfs {
  sqlite3_vfs desc;
  ShaleVfs *vfs;
  NativeVfs *next;
};

static pthread_mutex_t adapter_mutex = PTHREAD_MUTEX_INITIALIZER;
static UserVfs *user_vfs_list;     /* guarded by adapter_mutex */
static NativeVfs *native_vfs_list; /* guarded by adapter_mutex */

/* ================================================ user VFS as ShaleVfs === */

typedef struct UserFile {
  ShaleFile base;
  char *path;         /* the name given to xOpen, kept until xClose */
  sqlite3_file *file; /* szOsFile bytes, the user's file object */
} UserFile;

static sqlite3_vfs *user_of(ShaleVfs *v) { return ((UserVfs *)v)->user; }
static sqlite3_file *ufile(ShaleFile *f) { return ((UserFile *)f)->file; }

static int done_with(ShaleIo *io, int rc) {
  io->rc = rc;
  io->done = 1;
  return rc;
}

static int uf_close(ShaleFile *f) {
  UserFile *p = (UserFile *)f;
  int rc = SQLITE_OK;
  if (p->file->pMethods && p->file->pMethods->xClose) rc = p->file->pMethods->xClose(p->file);
  sqlite3_free(p->file);
  sqlite3_free(p->path);
  sqlite3_free(p);
  return rc;
}

static int uf_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  sqlite3_file *u = ufile(f);
  int rc = u->pMethods->xRead(u, buf, n, off);
  return done_with(io, rc);
}

static int uf_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  sqlite3_file *u = ufile(f);
  return done_with(io, u->pMethods->xWrite(u, buf, n, off));
}

static int uf_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  sqlite3_file *u = ufile(f);
  return done_with(io, u->pMethods->xTruncate(u, size));
}

static int uf_sync(ShaleFile *f, int flags, ShaleIo *io) {
  sqlite3_file *u = ufile(f);
  return done_with(io, u->pMethods->xSync(u, flags));
}

static int uf_file_size(ShaleFile *f, i64 *size) {
  sqlite3_file *u = ufile(f);
  sqlite3_int64 s = 0;
  int rc = u->pMethods->xFileSize(u, &s);
  *size = s;
  return rc;
}

static int uf_lock(ShaleFile *f, int level) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xLock ? u->pMethods->xLock(u, level) : SQLITE_OK;
}

static int uf_unlock(ShaleFile *f, int level) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xUnlock ? u->pMethods->xUnlock(u, level) : SQLITE_OK;
}

static int uf_check_reserved(ShaleFile *f, int *out) {
  sqlite3_file *u = ufile(f);
  *out = 0;
  return u->pMethods->xCheckReservedLock ? u->pMethods->xCheckReservedLock(u, out) : SQLITE_OK;
}

static int uf_file_control(ShaleFile *f, int op, void *arg) {
  sqlite3_file *u = ufile(f);
  if (op == SQLITE_FCNTL_FILE_POINTER) { /* the user's own file object */
    *(sqlite3_file **)arg = u;
    return SQLITE_OK;
  }
  if (op == SQLITE_FCNTL_VFS_POINTER) {
    *(sqlite3_vfs **)arg = user_of(f->vfs);
    return SQLITE_OK;
  }
  return u->pMethods->xFileControl ? u->pMethods->xFileControl(u, op, arg) : SQLITE_NOTFOUND;
}

static int uf_sector_size(ShaleFile *f) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xSectorSize ? u->pMethods->xSectorSize(u) : 4096;
}

static int uf_device_characteristics(ShaleFile *f) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xDeviceCharacteristics ? u->pMethods->xDeviceCharacteristics(u) : 0;
}

static int uf_shm_map(ShaleFile *f, int region, int size, int extend, void volatile **pp) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xShmMap(u, region, size, extend, pp);
}

static int uf_shm_lock(ShaleFile *f, int offset, int n, int flags) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xShmLock(u, offset, n, flags);
}

static void uf_shm_barrier(ShaleFile *f) {
  sqlite3_file *u = ufile(f);
  if (u->pMethods->xShmBarrier) u->pMethods->xShmBarrier(u);
}

static int uf_shm_unmap(ShaleFile *f, int delete_flag) {
  sqlite3_file *u = ufile(f);
  return u->pMethods->xShmUnmap ? u->pMethods->xShmUnmap(u, delete_flag) : SQLITE_OK;
}

/* Files whose io methods have shared memory (iVersion >= 2 with xShmMap and
** xShmLock) get the shm methods; the others run WAL only in exclusive mode. */
static const ShaleFileMethods user_file_methods_shm = {
    uf_close, uf_read, uf_write, uf_truncate, uf_sync, uf_file_size,
    uf_lock, uf_unlock, uf_check_reserved, uf_file_control, uf_sector_size,
    uf_device_characteristics, uf_shm_map, uf_shm_lock, uf_shm_barrier, uf_shm_unmap};
static const ShaleFileMethods user_file_methods = {
    uf_close, uf_read, uf_write, uf_truncate, uf_sync, uf_file_size,
    uf_lock, uf_unlock, uf_check_reserved, uf_file_control, uf_sector_size,
    uf_device_characteristics, NULL, NULL, NULL, NULL};

static int uv_open(ShaleVfs *v, const char *path, int flags, ShaleFile **out, int *out_flags) {
  sqlite3_vfs *user = user_of(v);
  *out = NULL;
  UserFile *p = shale_malloc_zero(sizeof(*p));
  int sz = user->szOsFile > (int)sizeof(sqlite3_file) ? user->szOsFile : (int)sizeof(sqlite3_file);
  if (p) p->file = shale_malloc_zero((size_t)sz);
  if (p && path) {
    /* SQLite passes names followed by (empty) URI parameters: "name\0\0\0". */
    size_t n = strlen(path);
    p->path = sqlite3_malloc64(n + 4);
    if (p->path) memcpy(p->path, path, n), memset(p->path + n, 0, 4);
  }
  if (!p || !p->file || (path && !p->path)) {
    if (p) sqlite3_free(p->file), sqlite3_free(p->path);
    sqlite3_free(p);
    return SQLITE_NOMEM;
  }
  int oflags = 0;
  int rc = user->xOpen(user, p->path, p->file, flags, &oflags);
  if (rc != SQLITE_OK) {
    /* SQLite's rule: xClose is called when pMethods was set, even on failure */
    if (p->file->pMethods && p->file->pMethods->xClose) p->file->pMethods->xClose(p->file);
    sqlite3_free(p->file);
    sqlite3_free(p->path);
    sqlite3_free(p);
    return rc;
  }
  if (p->file->pMethods == NULL) {
    sqlite3_free(p->file);
    sqlite3_free(p->path);
    sqlite3_free(p);
    return SQLITE_CANTOPEN;
  }
  const sqlite3_io_methods *m = p->file->pMethods;
  int has_shm = m->iVersion >= 2 && m->xShmMap && m->xShmLock;
  p->base.methods = has_shm ? &user_file_methods_shm : &user_file_methods;
  p->base.vfs = v;
  if (out_flags) *out_flags = oflags ? oflags : flags;
  *out = &p->base;
  return SQLITE_OK;
}

static int uv_remove(ShaleVfs *v, const char *path, int sync_dir) {
  sqlite3_vfs *user = user_of(v);
  return user->xDelete ? user->xDelete(user, path, sync_dir) : SQLITE_IOERR_DELETE;
}

static int uv_access(ShaleVfs *v, const char *path, int flags, int *out) {
  sqlite3_vfs *user = user_of(v);
  *out = 0;
  return user->xAccess ? user->xAccess(user, path, flags, out) : SQLITE_OK;
}

static int uv_full_pathname(ShaleVfs *v, const char *path, int n_out, char *out) {
  sqlite3_vfs *user = user_of(v);
  if (user->xFullPathname) return user->xFullPathname(user, path, n_out, out);
  sqlite3_snprintf(n_out, out, "%s", path);
  return SQLITE_OK;
}

static int uv_randomness(ShaleVfs *v, int n, char *out) {
  sqlite3_vfs *user = user_of(v);
  if (user->xRandomness) return user->xRandomness(user, n, out);
  memset(out, 0, (size_t)n);
  return n;
}

static int uv_sleep(ShaleVfs *v, int us) {
  sqlite3_vfs *user = user_of(v);
  return user->xSleep ? user->xSleep(user, us) : 0;
}

/* SQLite's rule: xCurrentTimeInt64 when iVersion >= 2 and present, else
** xCurrentTime (a Julian day number as a double). */
static int uv_current_time_ms(ShaleVfs *v, i64 *unix_ms) {
  sqlite3_vfs *user = user_of(v);
  sqlite3_int64 jd_ms = 0;
  int rc;
  if (user->iVersion >= 2 && user->xCurrentTimeInt64) {
    rc = user->xCurrentTimeInt64(user, &jd_ms);
  } else if (user->xCurrentTime) {
    double d = 0;
    rc = user->xCurrentTime(user, &d);
    jd_ms = (sqlite3_int64)(d * 86400000.0);
  } else {
    return SQLITE_ERROR;
  }
  *unix_ms = jd_ms - UNIX_EPOCH_JD_MS;
  return rc;
}

static int uv_poll(ShaleVfs *v, int wait) {
  (void)v, (void)wait;
  return 0; /* every request completed inline */
}

/* ================================== Shale backend as a sqlite3_vfs ====== */

typedef struct NativeFile {
  sqlite3_file base;
  ShaleFile *file;
} NativeFile;

static ShaleVfs *native_of(sqlite3_vfs *d) { return (ShaleVfs *)d->pAppData; }
static ShaleFile *nfile(sqlite3_file *f) { return ((NativeFile *)f)->file; }

static int nf_close(sqlite3_file *f) {
  ShaleFile *s = nfile(f);
  ((NativeFile *)f)->file = NULL;
  return s ? s->methods->close(s) : SQLITE_OK;
}

static int nf_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
  return shale_file_read_blocking(nfile(f), buf, n, off);
}

static int nf_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off) {
  return shale_file_write_blocking(nfile(f), buf, n, off);
}

static int nf_truncate(sqlite3_file *f, sqlite3_int64 size) {
  return shale_file_truncate_blocking(nfile(f), size);
}

static int nf_sync(sqlite3_file *f, int flags) { return shale_file_sync_blocking(nfile(f), flags); }

static int nf_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  i64 s = 0;
  int rc = nfile(f)->methods->file_size(nfile(f), &s);
  *size = s;
  return rc;
}

static int nf_lock(sqlite3_file *f, int level) { return nfile(f)->methods->lock(nfile(f), level); }
static int nf_unlock(sqlite3_file *f, int level) { return nfile(f)->methods->unlock(nfile(f), level); }
static int nf_check_reserved(sqlite3_file *f, int *out) {
  return nfile(f)->methods->check_reserved_lock(nfile(f), out);
}
static int nf_file_control(sqlite3_file *f, int op, void *arg) {
  ShaleFile *s = nfile(f);
  return s->methods->file_control ? s->methods->file_control(s, op, arg) : SQLITE_NOTFOUND;
}
static int nf_sector_size(sqlite3_file *f) {
  ShaleFile *s = nfile(f);
  return s->methods->sector_size ? s->methods->sector_size(s) : 4096;
}
static int nf_device_characteristics(sqlite3_file *f) {
  ShaleFile *s = nfile(f);
  return s->methods->device_characteristics ? s->methods->device_characteristics(s) : 0;
}
static int nf_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **pp) {
  return nfile(f)->methods->shm_map(nfile(f), region, size, extend, pp);
}
static int nf_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
  return nfile(f)->methods->shm_lock(nfile(f), offset, n, flags);
}
static void nf_shm_barrier(sqlite3_file *f) {
  if (nfile(f)->methods->shm_barrier) nfile(f)->methods->shm_barrier(nfile(f));
}
static int nf_shm_unmap(sqlite3_file *f, int delete_flag) {
  return nfile(f)->methods->shm_unmap(nfile(f), delete_flag);
}

static const sqlite3_io_methods native_io_methods_shm = {
    2, nf_close, nf_read, nf_write, nf_truncate, nf_sync, nf_file_size, nf_lock, nf_unlock,
    nf_check_reserved, nf_file_control, nf_sector_size, nf_device_characteristics,
    nf_shm_map, nf_shm_lock, nf_shm_barrier, nf_shm_unmap, NULL, NULL};
static const sqlite3_io_methods native_io_methods = {
    1, nf_close, nf_read, nf_write, nf_truncate, nf_sync, nf_file_size, nf_lock, nf_unlock,
    nf_check_reserved, nf_file_control, nf_sector_size, nf_device_characteristics,
    NULL, NULL, NULL, NULL, NULL, NULL};

static int nv_open(sqlite3_vfs *d, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags) {
  ShaleVfs *v = native_of(d);
  NativeFile *nf = (NativeFile *)f;
  nf->base.pMethods = NULL;
  nf->file = NULL;
  int oflags = 0;
  ShaleFile *s = NULL;
  int rc = v->open(v, name, flags, &s, &oflags);
  if (rc != SQLITE_OK) return rc;
  nf->file = s;
  nf->base.pMethods = s->methods->shm_map ? &native_io_methods_shm : &native_io_methods;
  if (out_flags) *out_flags = oflags;
  return SQLITE_OK;
}

static int nv_delete(sqlite3_vfs *d, const char *name, int sync_dir) {
  ShaleVfs *v = native_of(d);
  return v->remove ? v->remove(v, name, sync_dir) : SQLITE_IOERR_DELETE;
}

static int nv_access(sqlite3_vfs *d, const char *name, int flags, int *out) {
  ShaleVfs *v = native_of(d);
  *out = 0;
  return v->access ? v->access(v, name, flags, out) : SQLITE_OK;
}

static int nv_full_pathname(sqlite3_vfs *d, const char *name, int n, char *out) {
  ShaleVfs *v = native_of(d);
  if (v->full_pathname) return v->full_pathname(v, name, n, out);
  sqlite3_snprintf(n, out, "%s", name);
  return SQLITE_OK;
}

/* The clock, randomness and sleep methods of a descriptor are often copied
** into a user's shim VFS and called with the shim as their argument (SQLite's
** own methods ignore it); such a call uses the default backend. */
static ShaleVfs *native_or_default(sqlite3_vfs *d) {
  if (d && d->xOpen == nv_open && d->pAppData) return native_of(d);
  return shale_vfs_find(NULL);
}

static int nv_randomness(sqlite3_vfs *d, int n, char *out) {
  ShaleVfs *v = native_or_default(d);
  if (v == NULL) {
    memset(out, 0, (size_t)n);
    return n;
  }
  if (v->randomness) return v->randomness(v, n, out);
  memset(out, 0, (size_t)n);
  return n;
}

static int nv_sleep(sqlite3_vfs *d, int us) {
  ShaleVfs *v = native_or_default(d);
  return v && v->sleep ? v->sleep(v, us) : 0;
}

static int nv_current_time_int64(sqlite3_vfs *d, sqlite3_int64 *jd_ms) {
  ShaleVfs *v = native_or_default(d);
  i64 ms = 0;
  int rc = v && v->current_time_ms ? v->current_time_ms(v, &ms) : SQLITE_ERROR;
  *jd_ms = ms + UNIX_EPOCH_JD_MS;
  return rc;
}

static int nv_current_time(sqlite3_vfs *d, double *jd) {
  sqlite3_int64 ms = 0;
  int rc = nv_current_time_int64(d, &ms);
  *jd = (double)ms / 86400000.0;
  return rc;
}

static int nv_get_last_error(sqlite3_vfs *d, int n, char *out) {
  (void)d;
  if (n > 0) out[0] = 0;
  return 0;
}

/* =============================================================== registry */

static int is_native(sqlite3_vfs *d) { return d && d->xOpen == nv_open; }

/* The sqlite3_vfs that names v: the user's own object for a user VFS, else
** a descriptor (made on first use).  Caller holds adapter_mutex. */
static sqlite3_vfs *describe_locked(ShaleVfs *v) {
  if (v == NULL) return NULL;
  if (v->open == uv_open) return user_of(v);
  NativeVfs *d;
  for (d = native_vfs_list; d; d = d->next)
    if (d->vfs == v) return &d->desc;
  d = shale_malloc_zero(sizeof(*d));
  if (d == NULL) return NULL;
  d->vfs = v;
  d->desc.iVersion = 2;
  d->desc.szOsFile = (int)sizeof(NativeFile);
  d->desc.mxPathname = v->max_pathname ? v->max_pathname : 512;
  d->desc.zName = v->name;
  d->desc.pAppData = v;
  d->desc.xOpen = nv_open;
  d->desc.xDelete = nv_delete;
  d->desc.xAccess = nv_access;
  d->desc.xFullPathname = nv_full_pathname;
  d->desc.xRandomness = nv_randomness;
  d->desc.xSleep = nv_sleep;
  d->desc.xCurrentTime = nv_current_time;
  d->desc.xGetLastError = nv_get_last_error;
  d->desc.xCurrentTimeInt64 = nv_current_time_int64;
  d->next = native_vfs_list;
  native_vfs_list = d;
  return &d->desc;
}

sqlite3_vfs *sqlite3_vfs_find(const char *name) {
  ShaleVfs *v = shale_vfs_find(name);
  if (v == NULL) return NULL;
  /* Walk the registry from the default so every pNext is in its order. */
  pthread_mutex_lock(&adapter_mutex);
  sqlite3_vfs *found = NULL, *prev = NULL;
  for (ShaleVfs *w = shale_vfs_find(NULL); w; w = w->next) {
    sqlite3_vfs *d = describe_locked(w);
    if (d == NULL) continue;
    if (prev) prev->pNext = d;
    d->pNext = NULL;
    prev = d;
    if (w == v) found = d;
  }
  if (found == NULL) found = describe_locked(v);
  pthread_mutex_unlock(&adapter_mutex);
  return found;
}

/* The ShaleVfs that stands for `d` (a descriptor's backend, or the adapter
** of a user VFS registered before); NULL if none.  Caller holds the mutex. */
static ShaleVfs *backend_of_locked(sqlite3_vfs *d) {
  if (is_native(d)) return native_of(d);
  for (UserVfs *u = user_vfs_list; u; u = u->next)
    if (u->user == d) return &u->base;
  return NULL;
}

int sqlite3_vfs_register(sqlite3_vfs *vfs, int make_default) {
  if (vfs == NULL || vfs->zName == NULL || vfs->xOpen == NULL) return SQLITE_MISUSE;
  pthread_mutex_lock(&adapter_mutex);
  ShaleVfs *v = backend_of_locked(vfs);
  if (v == NULL) {
    UserVfs *u = shale_malloc_zero(sizeof(*u));
    if (u == NULL) {
      pthread_mutex_unlock(&adapter_mutex);
      return SQLITE_NOMEM;
    }
    u->user = vfs;
    u->base.name = vfs->zName;
    u->base.app_data = vfs->pAppData;
    u->base.max_pathname = vfs->mxPathname > 0 ? vfs->mxPathname : 512;
    u->base.open = uv_open;
    u->base.remove = uv_remove;
    u->base.access = uv_access;
    u->base.full_pathname = uv_full_pathname;
    u->base.randomness = uv_randomness;
    u->base.sleep = uv_sleep;
    u->base.current_time_ms = uv_current_time_ms;
    u->base.poll = uv_poll;
    u->next = user_vfs_list;
    user_vfs_list = u;
    v = &u->base;
  }
  pthread_mutex_unlock(&adapter_mutex);
  return shale_vfs_register(v, make_default);
}

int sqlite3_vfs_unregister(sqlite3_vfs *vfs) {
  if (vfs == NULL) return SQLITE_MISUSE;
  pthread_mutex_lock(&adapter_mutex);
  ShaleVfs *v = backend_of_locked(vfs);
  pthread_mutex_unlock(&adapter_mutex);
  return v ? shale_vfs_unregister(v) : SQLITE_OK;
}
