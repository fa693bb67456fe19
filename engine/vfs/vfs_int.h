/*
** vfs_int.h — private declarations shared by the VFS backends in this folder
** (not for use above the vfs layer).
*/
#ifndef SHALE_VFS_INT_H
#define SHALE_VFS_INT_H

#include "vfs.h"

/* Built-in backends; each returns its static ShaleVfs object. */
ShaleVfs *shale_vfs_unix_object(void);
ShaleVfs *shale_vfs_memdb_object(void);
ShaleVfs *shale_vfs_pending_object(void);
ShaleVfs *shale_vfs_faulty_object(void);

/* Complete an inline request: sets io->rc, io->done and returns rc. */
static inline int shale_io_complete(ShaleIo *io, int rc) {
  io->rc = rc;
  io->done = 1;
  return rc;
}

/* True for paths that the wrapping test VFSes route to memdb. */
int shale_vfs_path_is_memory(const char *path);

#endif
