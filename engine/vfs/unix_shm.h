/*
** unix_shm.h — the POSIX implementation of the WAL-index shared memory
** (the "-shm" file), compatible with SQLite's unix VFS so that sqlite3
** processes and Shale connections can share one WAL database:
**   - the -shm file is the database path + "-shm", mmap()ed in regions;
**   - the eight WAL locks (WRITE=0, CKPT=1, RECOVER=2, READ0..4=3..7) are
**     POSIX fcntl() byte-range locks on bytes 120..127 of the -shm file;
**   - byte 128 is the "dead man switch" (DMS): every process using the -shm
**     holds a shared lock on it; the first process (exclusive lock OK)
**     truncates the file so a stale wal-index is never trusted.
** Connections of one process that use the same -shm file share one mapping
** and one file descriptor (fcntl locks are per process); the lock state of
** each connection is tracked in memory.  The per-process table of -shm
** nodes is part of the documented open-file registry exception (static,
** mutex-protected).
**
** Wiring: vfs_unix.c forwards its shm methods (weak references) to
** shale_unix_shm_map/lock/barrier/unmap declared in vfs_unix.h; unix_shm.c
** defines them on top of the UnixShm handle kept in the file's shm slot
** (shale_unix_file_shm_slot) and the file's path (shale_unix_file_path).
** The UnixShm-level functions below are usable directly (tests).
*/
#ifndef SHALE_UNIX_SHM_H
#define SHALE_UNIX_SHM_H

#include "vfs.h"

typedef struct UnixShm UnixShm; /* one per connection (per open db file) */

/* Map region `region` (of `region_size` bytes, always 32768 for the WAL) of
** the -shm file belonging to database `db_path`, opening/attaching the -shm
** on first use (*pp NULL).  extend=0 and the file is too small: *out = NULL
** and SQLITE_OK.  Errors: SQLITE_IOERR_SHMOPEN / SHMSIZE / SHMMAP, or
** SQLITE_BUSY when another process is mid-initialisation. */
int unix_shm_map(UnixShm **pp, const char *db_path, int region,
                 int region_size, int extend, void volatile **out);
/* SQLITE_SHM_LOCK|SQLITE_SHM_SHARED (n must be 1), SQLITE_SHM_LOCK|
** SQLITE_SHM_EXCLUSIVE, or SQLITE_SHM_UNLOCK|either, on lock slots
** [offset, offset+n) of SQLITE_SHM_NLOCK (8).  Never waits: SQLITE_BUSY. */
int unix_shm_lock(UnixShm *, int offset, int n, int flags);
/* Full memory barrier. */
void unix_shm_barrier(UnixShm *);
/* Detach this connection (releasing its locks); the last connection of the
** process unmaps and closes, and deletes the -shm file if delete_flag. */
int unix_shm_unmap(UnixShm **pp, int delete_flag);

#endif
