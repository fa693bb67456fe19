/*
** vfs.h — the I/O layer.  Every read, write, truncate and sync is SUBMITTED
** with a ShaleIo request and COMPLETED, either inline (the POSIX and memory
** backends) or later (io_uring, the browser's OPFS/IndexedDB, the `pending`
** test backend).  Nothing above this layer ever blocks on I/O.
**
** Contract of a submit call (read/write/truncate/sync):
**   - returns SQLITE_OK: the operation completed inline; io->done == 1 and
**     io->rc holds its result (also returned if it is an error);
**   - returns SHALE_PENDING: the operation is outstanding.  The caller keeps
**     `io` and the buffer alive and unchanged until io->done becomes 1, which
**     happens only inside shale_vfs_poll() / ShaleVfs.poll on the same VFS;
**   - returns an error code: nothing was submitted.
** A short read completes with io->rc = SQLITE_IOERR_SHORT_READ and the
** unread tail of the buffer zero-filled (SQLite's rule: reading past EOF is
** not an error for the pager).
**
** Locks are immediate: lock()/unlock() return SQLITE_OK or SQLITE_BUSY
** without waiting.  file_size() is immediate (backends track the size,
** including writes still outstanding).
**
** Backends are registered by name in the process-wide VFS registry
** (vfs_registry.c, the one documented global, protected by a mutex):
** "unix" (POSIX, default), "memdb" (in-memory), "pending" (test: every
** first read, and at random writes/syncs, return PENDING; wraps "unix" or
** "memdb"), "faulty" (test: injects EIO/ENOSPC/short/torn writes and power
** loss; see vfs_faulty.h).
*/
#ifndef SHALE_VFS_H
#define SHALE_VFS_H

#include "../util/common.h"

typedef struct ShaleVfs ShaleVfs;
typedef struct ShaleFile ShaleFile;
typedef struct ShaleFileMethods ShaleFileMethods;
typedef struct ShaleIo ShaleIo;

struct ShaleIo {
  volatile int done; /* 0 while outstanding, 1 once completed */
  int rc;            /* result once done */
  /* Optional: called by poll() right after completion (may be NULL). */
  void (*on_done)(ShaleIo *);
  void *arg;         /* for the submitter's use */
  ShaleIo *next;     /* for the backend's queues; do not touch */
};

static inline void shale_io_init(ShaleIo *io) {
  memset(io, 0, sizeof(*io));
}

struct ShaleFile {
  const ShaleFileMethods *methods;
  ShaleVfs *vfs;
};

struct ShaleFileMethods {
  int (*close)(ShaleFile *);
  int (*read)(ShaleFile *, void *buf, int n, i64 off, ShaleIo *io);
  int (*write)(ShaleFile *, const void *buf, int n, i64 off, ShaleIo *io);
  int (*truncate)(ShaleFile *, i64 size, ShaleIo *io);
  int (*sync)(ShaleFile *, int flags, ShaleIo *io); /* SQLITE_SYNC_* */
  int (*file_size)(ShaleFile *, i64 *size);
  int (*lock)(ShaleFile *, int level);   /* SQLITE_LOCK_* */
  int (*unlock)(ShaleFile *, int level); /* to SHARED or NONE */
  int (*check_reserved_lock)(ShaleFile *, int *out);
  int (*file_control)(ShaleFile *, int op, void *arg); /* SQLITE_NOTFOUND if unknown */
  int (*sector_size)(ShaleFile *);
  int (*device_characteristics)(ShaleFile *);
  /* Shared memory for the WAL index, in SQLite's -shm layout (32 KiB
  ** regions); NULL shm_map means the backend has none (WAL then needs
  ** locking_mode=EXCLUSIVE, served from heap memory by the WAL layer). */
  int (*shm_map)(ShaleFile *, int region, int region_size, int extend,
                 void volatile **pp);
  int (*shm_lock)(ShaleFile *, int offset, int n, int flags); /* SQLITE_SHM_* */
  void (*shm_barrier)(ShaleFile *);
  int (*shm_unmap)(ShaleFile *, int delete_flag);
};

struct ShaleVfs {
  const char *name;
  void *app_data;
  int max_pathname;
  /* flags: SQLITE_OPEN_* (MAIN_DB, MAIN_JOURNAL, WAL, TEMP_*, CREATE, ...).
  ** path NULL means an anonymous temporary file. */
  int (*open)(ShaleVfs *, const char *path, int flags, ShaleFile **out,
              int *out_flags);
  int (*remove)(ShaleVfs *, const char *path, int sync_dir);
  int (*access)(ShaleVfs *, const char *path, int flags, int *out);
  int (*full_pathname)(ShaleVfs *, const char *path, int n_out, char *out);
  int (*randomness)(ShaleVfs *, int n, char *out);
  int (*sleep)(ShaleVfs *, int microseconds);
  int (*current_time_ms)(ShaleVfs *, i64 *unix_ms); /* ms since 1970 */
  /* Complete outstanding I/O.  wait=0: run what is ready; wait=1: block until
  ** at least one request completes (returns at once if none is outstanding).
  ** Returns the number of requests completed, or a negative error code. */
  int (*poll)(ShaleVfs *, int wait);
  ShaleVfs *next; /* registry link */
};

/* Registry (vfs_registry.c). find(NULL) returns the default ("unix"). */
ShaleVfs *shale_vfs_find(const char *name);
int shale_vfs_register(ShaleVfs *, int make_default);
int shale_vfs_unregister(ShaleVfs *);

/* Convenience for code that may drive I/O to completion itself (the blocking
** API, tests): submit through `submit_rc`, then poll until io->done. */
int shale_vfs_wait_io(ShaleVfs *, ShaleIo *io, int submit_rc);

/* Blocking helpers built on the above (tests, CLI, journal hot-checks that
** are allowed to block).  Return io->rc. */
int shale_file_read_blocking(ShaleFile *, void *buf, int n, i64 off);
int shale_file_write_blocking(ShaleFile *, const void *buf, int n, i64 off);
int shale_file_sync_blocking(ShaleFile *, int flags);
int shale_file_truncate_blocking(ShaleFile *, i64 size);

#endif
