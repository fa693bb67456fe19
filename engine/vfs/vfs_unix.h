/*
** vfs_unix.h — what the POSIX backend exposes to its neighbours in
** engine/vfs (the -shm implementation in unix_shm.c in particular).
**
** Shared memory: the "unix" file methods forward shm_map/shm_lock/
** shm_barrier/shm_unmap to the functions below, which unix_shm.c defines
** with exactly these names and signatures (anonymous temp files have no
** shm: their shm_map is NULL).
*/
#ifndef SHALE_VFS_UNIX_H
#define SHALE_VFS_UNIX_H

#include "vfs.h"

/* The file descriptor of an open "unix" file (any fd of the inode works
** for POSIX locks), and its identity. */
int shale_unix_file_fd(ShaleFile *);
void shale_unix_file_id(ShaleFile *, u64 *dev, u64 *ino);
const char *shale_unix_file_path(ShaleFile *);
/* Per-file slot the shm implementation may use for its own state. */
void **shale_unix_file_shm_slot(ShaleFile *);

int shale_unix_shm_map(ShaleFile *, int region, int region_size, int extend,
                       void volatile **pp);
int shale_unix_shm_lock(ShaleFile *, int offset, int n, int flags);
void shale_unix_shm_barrier(ShaleFile *);
int shale_unix_shm_unmap(ShaleFile *, int delete_flag);

/* SQLite's lock bytes. */
#define SHALE_PENDING_BYTE 0x40000000
#define SHALE_RESERVED_BYTE (SHALE_PENDING_BYTE + 1)
#define SHALE_SHARED_FIRST (SHALE_PENDING_BYTE + 2)
#define SHALE_SHARED_SIZE 510

#endif
