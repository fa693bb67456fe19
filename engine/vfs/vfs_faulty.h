/*
** vfs_faulty.h — control API of the "faulty" test VFS (vfs_faulty.c).
**
** "faulty" wraps a base VFS ("unix" by default; ":memory:" paths go to
** memdb) and counts every write, sync and truncate submitted through it
** (one process-wide counter since the last reset, 1-based).  It can:
**   - fail the Nth write or sync with an error code (once, or sticky);
**   - make the Nth write short (first half written, SQLITE_FULL returned);
**   - tear the Nth write (only a partial sector reaches the file) and lose
**     power right there;
**   - lose power before the Nth operation: that operation and every later
**     one fail with SQLITE_IOERR until shale_faulty_power_restore().
** Durability is tracked per path: the content as of the last successful
** sync of that file is remembered before the first unsynced change.
** shale_faulty_power_restore() (call it once every handle is closed) makes
** each file hold only synced data (mode 0), or in mode 1 re-applies each
** unsynced write at random: kept, lost, or torn (seeded).
** All of this is process-wide test state behind a mutex.
*/
#ifndef SHALE_VFS_FAULTY_H
#define SHALE_VFS_FAULTY_H

#include "vfs.h"

void shale_faulty_reset(void);
/* Base VFS to wrap ("unix" or "pending"); NULL restores "unix". */
void shale_faulty_set_base(const char *name);
int shale_faulty_op_count(void);
void shale_faulty_fail_write(int nth, int rc, int sticky);
void shale_faulty_fail_sync(int nth, int rc, int sticky);
void shale_faulty_short_write(int nth);
void shale_faulty_torn_write(int nth);
void shale_faulty_power_loss_at(int nth_op);
int shale_faulty_crashed(void);
int shale_faulty_power_restore(int mode, u32 seed);

#endif
