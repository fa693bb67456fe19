/*
** vfs_memdb.c — in-memory files ("memdb").  Every request completes inline.
**
** ":memory:" (and a NULL path, an anonymous temp file) is private to each
** open.  Any other name is a named in-memory file shared by every open of
** that name in this process (registry below, documented global state under a
** mutex) and freed when its last handle closes or it is removed.  Locks
** between handles of one named file follow the SHARED/RESERVED/PENDING/
** EXCLUSIVE protocol in process.
*/
#include "vfs_int.h"
#include <pthread.h>
#include <time.h>

typedef struct MemStore MemStore;
typedef struct MemFile MemFile;

struct MemStore {
  char *name;      /* NULL for private stores */
  u8 *data;
  i64 size;
  i64 alloc;
  int nRef;
  int linked;      /* in the named-store list */
  int nShared;     /* handles holding SHARED or more */
  MemFile *writer; /* handle holding RESERVED or more */
  MemStore *next;
};

struct MemFile {
  ShaleFile base;
  MemStore *store;
  int eLock;
  int flags;
};

static pthread_mutex_t memdb_mutex = PTHREAD_MUTEX_INITIALIZER;
static MemStore *memdb_list;

static int mem_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  MemStore *s = ((MemFile *)f)->store;
  pthread_mutex_lock(&memdb_mutex);
  i64 avail = s->size - off;
  if (avail < 0) avail = 0;
  int got = avail < n ? (int)avail : n;
  if (got > 0) memcpy(buf, s->data + off, (size_t)got);
  pthread_mutex_unlock(&memdb_mutex);
  if (got < n) {
    memset((u8 *)buf + got, 0, (size_t)(n - got));
    return shale_io_complete(io, SQLITE_IOERR_SHORT_READ);
  }
  return shale_io_complete(io, SQLITE_OK);
}

static int store_grow(MemStore *s, i64 need) {
  if (need <= s->alloc) return SQLITE_OK;
  i64 na = s->alloc ? s->alloc : 4096;
  while (na < need) na *= 2;
  u8 *d = sqlite3_realloc64(s->data, (u64)na);
  if (d == NULL) return SQLITE_FULL;
  /* no need to zero the new space: bytes past `size` are never read, and
  ** writes/truncates that leave a gap zero it themselves */
  s->data = d;
  s->alloc = na;
  return SQLITE_OK;
}

static int mem_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  MemStore *s = ((MemFile *)f)->store;
  int rc;
  pthread_mutex_lock(&memdb_mutex);
  rc = store_grow(s, off + n);
  if (rc == SQLITE_OK) {
    if (off > s->size) memset(s->data + s->size, 0, (size_t)(off - s->size));
    memcpy(s->data + off, buf, (size_t)n);
    if (off + n > s->size) s->size = off + n;
  }
  pthread_mutex_unlock(&memdb_mutex);
  return shale_io_complete(io, rc);
}

static int mem_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  MemStore *s = ((MemFile *)f)->store;
  int rc = SQLITE_OK;
  pthread_mutex_lock(&memdb_mutex);
  if (size < s->size) {
    s->size = size;
  } else if (size > s->size) {
    rc = store_grow(s, size);
    if (rc == SQLITE_OK) {
      memset(s->data + s->size, 0, (size_t)(size - s->size));
      s->size = size;
    }
  }
  pthread_mutex_unlock(&memdb_mutex);
  return shale_io_complete(io, rc);
}

static int mem_sync(ShaleFile *f, int flags, ShaleIo *io) {
  SHALE_UNUSED(f);
  SHALE_UNUSED(flags);
  return shale_io_complete(io, SQLITE_OK);
}

static int mem_file_size(ShaleFile *f, i64 *size) {
  MemStore *s = ((MemFile *)f)->store;
  pthread_mutex_lock(&memdb_mutex);
  *size = s->size;
  pthread_mutex_unlock(&memdb_mutex);
  return SQLITE_OK;
}

static int mem_lock(ShaleFile *f, int level) {
  MemFile *p = (MemFile *)f;
  MemStore *s = p->store;
  int rc = SQLITE_OK;
  if (p->eLock >= level) return SQLITE_OK;
  pthread_mutex_lock(&memdb_mutex);
  if (level == SQLITE_LOCK_SHARED) {
    if (s->writer && s->writer != p && s->writer->eLock >= SQLITE_LOCK_PENDING) {
      rc = SQLITE_BUSY;
    } else {
      s->nShared++;
      p->eLock = SQLITE_LOCK_SHARED;
    }
  } else {
    if (s->writer && s->writer != p) {
      rc = SQLITE_BUSY;
    } else {
      s->writer = p;
      if (level == SQLITE_LOCK_EXCLUSIVE && s->nShared > 1) {
        p->eLock = SQLITE_LOCK_PENDING;
        rc = SQLITE_BUSY;
      } else {
        p->eLock = level;
      }
    }
  }
  pthread_mutex_unlock(&memdb_mutex);
  return rc;
}

static int mem_unlock(ShaleFile *f, int level) {
  MemFile *p = (MemFile *)f;
  MemStore *s = p->store;
  if (p->eLock <= level) return SQLITE_OK;
  pthread_mutex_lock(&memdb_mutex);
  if (p->eLock > SQLITE_LOCK_SHARED && s->writer == p) s->writer = NULL;
  if (level == SQLITE_LOCK_NONE && p->eLock >= SQLITE_LOCK_SHARED) s->nShared--;
  p->eLock = level;
  pthread_mutex_unlock(&memdb_mutex);
  return SQLITE_OK;
}

static int mem_check_reserved_lock(ShaleFile *f, int *out) {
  MemFile *p = (MemFile *)f;
  pthread_mutex_lock(&memdb_mutex);
  *out = p->store->writer != NULL;
  pthread_mutex_unlock(&memdb_mutex);
  return SQLITE_OK;
}

static int mem_file_control(ShaleFile *f, int op, void *arg) {
  MemFile *p = (MemFile *)f;
  if (op == SQLITE_FCNTL_LOCKSTATE) {
    *(int *)arg = p->eLock;
    return SQLITE_OK;
  }
  if (op == SQLITE_FCNTL_VFSNAME) {
    *(char **)arg = shale_strdup("memdb");
    return SQLITE_OK;
  }
  return SQLITE_NOTFOUND;
}

static int mem_sector_size(ShaleFile *f) {
  SHALE_UNUSED(f);
  return 1024;
}

static int mem_device_characteristics(ShaleFile *f) {
  SHALE_UNUSED(f);
  return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_POWERSAFE_OVERWRITE |
         SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL;
}

static void store_unref(MemStore *s) {
  /* caller holds the mutex */
  if (--s->nRef > 0) return;
  if (s->linked) {
    MemStore **pp = &memdb_list;
    while (*pp && *pp != s) pp = &(*pp)->next;
    if (*pp) *pp = s->next;
  }
  sqlite3_free(s->name);
  sqlite3_free(s->data);
  sqlite3_free(s);
}

static int mem_close(ShaleFile *f) {
  MemFile *p = (MemFile *)f;
  mem_unlock(f, SQLITE_LOCK_NONE);
  pthread_mutex_lock(&memdb_mutex);
  store_unref(p->store);
  pthread_mutex_unlock(&memdb_mutex);
  sqlite3_free(p);
  return SQLITE_OK;
}

static const ShaleFileMethods mem_methods = {
    mem_close,        mem_read,        mem_write,
    mem_truncate,     mem_sync,        mem_file_size,
    mem_lock,         mem_unlock,      mem_check_reserved_lock,
    mem_file_control, mem_sector_size, mem_device_characteristics,
    NULL,             NULL,            NULL,
    NULL};

static int is_private(const char *path) {
  return path == NULL || path[0] == 0 || strcmp(path, ":memory:") == 0 ||
         strncmp(path, "file::memory:", 13) == 0;
}

static int mem_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out,
                    int *out_flags) {
  MemFile *p = shale_malloc_zero(sizeof(*p));
  MemStore *s = NULL;
  *out = NULL;
  if (p == NULL) return SQLITE_NOMEM;
  pthread_mutex_lock(&memdb_mutex);
  if (!is_private(path)) {
    for (s = memdb_list; s; s = s->next) {
      if (strcmp(s->name, path) == 0) break;
    }
    if (s && (flags & SQLITE_OPEN_EXCLUSIVE)) {
      pthread_mutex_unlock(&memdb_mutex);
      sqlite3_free(p);
      return SQLITE_CANTOPEN;
    }
    if (s == NULL && !(flags & SQLITE_OPEN_CREATE)) {
      pthread_mutex_unlock(&memdb_mutex);
      sqlite3_free(p);
      return SQLITE_CANTOPEN;
    }
  }
  if (s == NULL) {
    s = shale_malloc_zero(sizeof(*s));
    if (s == NULL) {
      pthread_mutex_unlock(&memdb_mutex);
      sqlite3_free(p);
      return SQLITE_NOMEM;
    }
    if (!is_private(path)) {
      s->name = shale_strdup(path);
      if (s->name == NULL) {
        pthread_mutex_unlock(&memdb_mutex);
        sqlite3_free(s);
        sqlite3_free(p);
        return SQLITE_NOMEM;
      }
      s->linked = 1;
      s->next = memdb_list;
      memdb_list = s;
    }
  }
  s->nRef++;
  pthread_mutex_unlock(&memdb_mutex);
  p->store = s;
  p->flags = flags | SQLITE_OPEN_READWRITE;
  p->base.methods = &mem_methods;
  p->base.vfs = vfs;
  if (out_flags) *out_flags = p->flags;
  *out = &p->base;
  return SQLITE_OK;
}

static int mem_remove(ShaleVfs *vfs, const char *path, int sync_dir) {
  SHALE_UNUSED(vfs);
  SHALE_UNUSED(sync_dir);
  int rc = SQLITE_IOERR_DELETE_NOENT;
  pthread_mutex_lock(&memdb_mutex);
  MemStore **pp = &memdb_list;
  while (*pp) {
    if (strcmp((*pp)->name, path) == 0) {
      MemStore *s = *pp;
      *pp = s->next;
      s->linked = 0;
      s->size = 0; /* open handles see an empty file, like an unlinked one */
      s->nRef++;
      store_unref(s);
      rc = SQLITE_OK;
      break;
    }
    pp = &(*pp)->next;
  }
  pthread_mutex_unlock(&memdb_mutex);
  return rc;
}

static int mem_access(ShaleVfs *vfs, const char *path, int flags, int *out) {
  SHALE_UNUSED(vfs);
  SHALE_UNUSED(flags);
  *out = 0;
  pthread_mutex_lock(&memdb_mutex);
  for (MemStore *s = memdb_list; s; s = s->next) {
    if (strcmp(s->name, path) == 0) {
      *out = flags == SQLITE_ACCESS_EXISTS ? s->size > 0 : 1;
      break;
    }
  }
  pthread_mutex_unlock(&memdb_mutex);
  return SQLITE_OK;
}

static int mem_full_pathname(ShaleVfs *vfs, const char *path, int n_out, char *out) {
  SHALE_UNUSED(vfs);
  if ((int)strlen(path) >= n_out) return SQLITE_CANTOPEN;
  strcpy(out, path);
  return SQLITE_OK;
}

static int mem_randomness(ShaleVfs *vfs, int n, char *out) {
  SHALE_UNUSED(vfs);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->randomness(u, n, out);
}

static int mem_sleep(ShaleVfs *vfs, int us) {
  SHALE_UNUSED(vfs);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->sleep(u, us);
}

static int mem_current_time_ms(ShaleVfs *vfs, i64 *ms) {
  SHALE_UNUSED(vfs);
  ShaleVfs *u = shale_vfs_unix_object();
  return u->current_time_ms(u, ms);
}

static int mem_poll(ShaleVfs *vfs, int wait) {
  SHALE_UNUSED(vfs);
  SHALE_UNUSED(wait);
  return 0;
}

static ShaleVfs memdb_vfs = {
    "memdb",        NULL,          1024,      mem_open,
    mem_remove,     mem_access,    mem_full_pathname,
    mem_randomness, mem_sleep,     mem_current_time_ms,
    mem_poll,       NULL};

ShaleVfs *shale_vfs_memdb_object(void) { return &memdb_vfs; }
