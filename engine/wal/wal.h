/*
** wal.h — write-ahead log in SQLite's `-wal` file format with the wal-index
** in SQLite's `-shm` layout (so sqlite3 processes and Shale share a WAL
** database safely), used by the pager when journal_mode=WAL.
**
** Async rule as everywhere: "may PENDING" calls submit I/O and return
** SHALE_PENDING with nothing observable changed (long operations — recovery,
** appending frames, checkpoint — keep their progress in the Wal object and
** resume on the next call with the same arguments).
*/
#ifndef SHALE_WAL_H
#define SHALE_WAL_H

#include "../util/common.h"
#include "../vfs/vfs.h"

typedef struct Wal Wal;

/* One page to append to the log. */
typedef struct WalPage {
  Pgno pgno;
  const void *data; /* page_size bytes; stays valid until wal_frames returns OK */
} WalPage;

/* Open the WAL for database file `db` (already open and SHARED-locked by the
** pager).  `wal_path` is the database path + "-wal".  exclusive: locking_mode
** EXCLUSIVE (wal-index kept in heap memory, no -shm file). */
int wal_open(ShaleVfs *, ShaleFile *db, const char *wal_path, int exclusive,
             Wal **out);
/* Close: on the last connection, checkpoint and delete the -wal (unless
** persistent).  may PENDING. */
int wal_close(Wal *, int sync_flags, u32 page_size);

/* Read transactions: pick a snapshot (running recovery if the wal-index must
** be rebuilt).  *changed set to 1 if the database may have changed since the
** previous snapshot (caller drops its cache).  may PENDING; SQLITE_BUSY. */
int wal_begin_read(Wal *, int *changed);
void wal_end_read(Wal *);
/* Newest frame for pgno visible in the snapshot (0 if none). */
int wal_find_frame(Wal *, Pgno, u32 *frame);
/* Submit a read of a frame's page image (see vfs.h for the contract). */
int wal_read_frame(Wal *, u32 frame, void *buf, int n, ShaleIo *io);
/* Database size in pages in the snapshot (0: use the database file's). */
Pgno wal_db_size(Wal *);

/* Write transactions.  SQLITE_BUSY_SNAPSHOT when the read snapshot is not
** the newest. */
int wal_begin_write(Wal *);
int wal_end_write(Wal *);
/* Append frames; is_commit marks the last one as a commit frame carrying
** db_size.  sync_flags: 0 or SQLITE_SYNC_*.  may PENDING. */
int wal_frames(Wal *, u32 page_size, const WalPage *pages, int n,
               Pgno db_size, int is_commit, int sync_flags);
/* Forget uncommitted frames (rollback); savepoints mark/rewind the write
** position. */
void wal_undo(Wal *);
void wal_savepoint(Wal *, u32 *state4);     /* state4: 4 words */
int wal_savepoint_undo(Wal *, const u32 *state4);

/* Checkpoint (SQLITE_CHECKPOINT_*).  may PENDING; SQLITE_BUSY as SQLite. */
int wal_checkpoint(Wal *, int mode, int (*busy)(void *, int), void *busy_arg,
                   int sync_flags, u32 page_size, int *n_log, int *n_ckpt);
/* Frames in the log after the last commit (for auto-checkpoint). */
int wal_frame_count(Wal *);

/* SQLITE_FCNTL_PERSIST_WAL: keep the -wal file at close (default 0). */
void wal_set_persist(Wal *, int persist);
/* PRAGMA journal_size_limit (-1: none): the commit of a transaction that
** restarted the log truncates the -wal to max(limit, its own frames); a
** persistent -wal is truncated to 0 at close. */
void wal_set_size_limit(Wal *, i64 limit);
/* locking_mode changes while open: op 1 enters exclusive mode (the caller
** holds the database file's EXCLUSIVE lock; shm locks are no longer taken),
** op 0 leaves it (fails, staying exclusive, for a heap wal-index or when
** the read lock cannot be re-taken), op -1 queries.  Returns 1 if the WAL is
** in exclusive mode afterwards. */
int wal_exclusive_mode(Wal *, int op);

#endif
