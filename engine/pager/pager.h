/*
** pager.h — page cache, locking, and atomic commit (rollback journal or WAL)
** for one database file on behalf of one connection.
**
** Async rule: every function documented "may PENDING" can return
** SHALE_PENDING after submitting I/O.  It then has changed nothing the caller
** can observe (or only progress kept in the Pager's own state machine), and
** the caller retries the same call after the VFS has completed I/O.
**
** Pages are reference counted.  A page returned by pager_get() stays in the
** cache, unchanged by anyone else, until pager_unref().  Before modifying a
** page's bytes the caller must call pager_write() on it (journaling); dirty
** pages are written at commit, or earlier when the cache must spill.
*/
#ifndef SHALE_PAGER_H
#define SHALE_PAGER_H

#include "../util/common.h"
#include "../vfs/vfs.h"

typedef struct Pager Pager;
typedef struct DbPage DbPage;

/* Journal modes (values as PRAGMA journal_mode reports them by index). */
#define PAGER_JOURNALMODE_QUERY (-1)
#define PAGER_JOURNALMODE_DELETE 0
#define PAGER_JOURNALMODE_PERSIST 1
#define PAGER_JOURNALMODE_OFF 2
#define PAGER_JOURNALMODE_TRUNCATE 3
#define PAGER_JOURNALMODE_MEMORY 4
#define PAGER_JOURNALMODE_WAL 5

/* pager_open flags */
#define PAGER_OMIT_JOURNAL 0x0001 /* temp/transient databases */
#define PAGER_MEMORY 0x0002       /* ":memory:" — never touches a file */

/* pager_get flags */
#define PAGER_GET_NOCONTENT 0x01 /* caller will overwrite every byte */
#define PAGER_GET_READONLY 0x02

/* pager_savepoint ops */
#define SAVEPOINT_BEGIN 0
#define SAVEPOINT_RELEASE 1
#define SAVEPOINT_ROLLBACK 2

/* Open.  `extra` bytes of zeroed per-page space are kept with each cached
** page for the B-tree (reset to zero whenever the page is (re)loaded).
** At least 24 bytes after a page's data (extra included) are readable.
** `open_flags` are SQLITE_OPEN_* as given to sqlite3_open_v2. */
int pager_open(ShaleVfs *, const char *path, int pager_flags, int open_flags,
               int extra, Pager **out);
int pager_close(Pager *); /* may PENDING (rollback, checkpoint on last close) */

/* Page size: settable until the first page is read from a non-empty file;
** the file's own page size wins once read.  reserved = bytes reserved at the
** end of each page (header byte 20). */
int pager_set_page_size(Pager *, u32 page_size, int reserved);
u32 pager_page_size(Pager *);
int pager_reserved(Pager *);

void pager_set_cache_size(Pager *, int n); /* PRAGMA cache_size semantics */
int pager_get_cache_size(Pager *);
/* Let the cache grow to n_pages regardless of cache_size (0 ends it): a
** whole-file pass that restarts after PENDING (integrity_check) must not
** evict what it loaded, or on an asynchronous VFS it never finishes. */
void pager_cache_reserve(Pager *, int n_pages);
void pager_set_synchronous(Pager *, int level); /* 0 OFF 1 NORMAL 2 FULL 3 EXTRA */
int pager_set_locking_mode(Pager *, int exclusive); /* -1 queries */
int pager_journal_mode(Pager *, int mode); /* set (or query with -1); returns mode */
void pager_set_busy_handler(Pager *, int (*handler)(void *, int), void *arg);
/* Call the busy handler (0 if none): for callers that retry a whole
** begin-read + begin-write after dropping their read lock, as SQLite does
** when a write transaction starts from no transaction and gets BUSY. */
int pager_invoke_busy(Pager *, int count);
/* Busy waits without blocking (the API layer's choice, so that no sleep
** happens inside the engine): with defer on, a lock that SQLite would wait
** for with the busy handler makes the call return SHALE_PENDING with
** pager_busy_waiting() true; the caller runs the handler with the count
** and reports its answer (retry, or give up: the re-executed call then
** returns SQLITE_BUSY).  Without defer the handler is called inline. */
void pager_set_busy_defer(Pager *, int on);
int pager_busy_waiting(Pager *, int *count);
void pager_busy_answer(Pager *, int retry);
/* One busy-handler decision for a wait on `level` (count: inline mode's
** call count): SQLITE_OK retry now, SQLITE_BUSY give up, SHALE_PENDING
** deferred to the caller as above. */
int pager_busy_step(Pager *, int level, int count);

/* Read transaction: SHARED lock, hot-journal rollback, cache validation
** against the change counter, or a WAL read snapshot.  May PENDING. */
int pager_begin_read(Pager *);
void pager_end_read(Pager *);
/* Write transaction (from inside a read transaction): RESERVED lock, or the
** WAL write lock (SQLITE_BUSY_SNAPSHOT if the snapshot is stale).
** exclusive=1 takes EXCLUSIVE at once.  May PENDING. */
int pager_begin_write(Pager *, int exclusive);
/* Commit the write transaction durably: journal sync, page writes, sync,
** journal finalize (or WAL frames + commit frame + sync).  A small explicit
** state machine: may PENDING any number of times; SQLITE_OK when durable. */
int pager_commit(Pager *);
int pager_rollback(Pager *); /* may PENDING */
int pager_savepoint(Pager *, int op, int index);
int pager_in_write_trans(Pager *);

/* Pages. */
int pager_get(Pager *, Pgno, DbPage **out, int flags); /* may PENDING */
DbPage *pager_lookup(Pager *, Pgno); /* cached page (ref'd) or NULL; no I/O */
void pager_ref(DbPage *);
void pager_unref(DbPage *);
int pager_write(DbPage *); /* may PENDING; idempotent; call before any byte changes */
int pager_is_writable(DbPage *);
/* The page bytes, the caller's extra space, the page number: the first
** three fields of every DbPage (pager.c checks the layout), read inline
** because the b-tree asks for them on every cell access.  memcpy keeps the
** reads free of aliasing assumptions; it compiles to one load. */
#define PAGER_HEAD_DATA 0
#define PAGER_HEAD_EXTRA (sizeof(void *))
#define PAGER_HEAD_PGNO (2 * sizeof(void *))
static inline void *pager_data(DbPage *pg) {
  void *d;
  memcpy(&d, (const char *)pg + PAGER_HEAD_DATA, sizeof d);
  return d;
}
static inline void *pager_extra(DbPage *pg) {
  void *x;
  memcpy(&x, (const char *)pg + PAGER_HEAD_EXTRA, sizeof x);
  return x;
}
static inline Pgno pager_pgno(DbPage *pg) {
  Pgno n;
  memcpy(&n, (const char *)pg + PAGER_HEAD_PGNO, sizeof n);
  return n;
}
Pager *pager_of(DbPage *);

/* Size of the database image in pages (including uncommitted growth). */
Pgno pager_page_count(Pager *);
/* Shrink the image at commit (auto-vacuum, VACUUM). */
void pager_truncate_image(Pager *, Pgno n);

/* WAL checkpoint (PRAGMA wal_checkpoint); mode SQLITE_CHECKPOINT_*.
** May PENDING. */
int pager_checkpoint(Pager *, int mode, int *n_log, int *n_ckpt);
void pager_set_autocheckpoint(Pager *, int n_pages);
/* Frames in the WAL after this connection's last commit (SQLite's wal hook
** argument), then 0 until the next commit. */
int pager_wal_callback(Pager *);
/* Run a PASSIVE checkpoint at the next begin_read (non-blocking). */
void pager_checkpoint_soon(Pager *);

/* Incremented whenever another connection's commit invalidated our cache
** (schema reload trigger, PRAGMA data_version). */
u32 pager_data_version(Pager *);
const char *pager_filename(Pager *);
ShaleFile *pager_file(Pager *);
ShaleVfs *pager_vfs(Pager *);
int pager_is_readonly(Pager *);
int pager_is_memory(Pager *);
/* Cache statistics for sqlite3_db_status. */
void pager_cache_stats(Pager *, int *hit, int *miss, int *write, int reset);

#endif
