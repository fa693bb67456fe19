/*
** btree.h — table (intkey) and index B-trees in SQLite's file format over
** the pager: cells, overflow chains, freelist, balancing, pointer maps for
** auto_vacuum databases.  One Btree per connection per database file (main,
** temp, each attached file); it owns its Pager.
**
** Async rule: any call documented "may PENDING" returns SHALE_PENDING after
** submitting a page read (or a write the pager needs), leaving the Btree and
** every cursor exactly as they were.  A cursor move snapshots the cursor's
** path on entry and restores it on PENDING; an insert/delete first fetches
** and makes writable every page a balance could touch, then mutates.
**
** Other cursors: a modification through one cursor keeps every other cursor
** on the same b-tree usable; they find their position again (by key) on their
** next call.
*/
#ifndef SHALE_BTREE_H
#define SHALE_BTREE_H

#include "../util/common.h"
#include "../pager/pager.h"

typedef struct Btree Btree;
typedef struct BtCursor BtCursor;

/* btree_create_table flags */
#define BTREE_INTKEY 1  /* table b-tree: 64-bit rowid keys, data in leaves */
#define BTREE_BLOBKEY 2 /* index b-tree: record keys, no data */

/* Meta values: 4-byte header fields at offset 36 + 4*idx of page 1. */
#define BTREE_FREE_PAGE_COUNT 0
#define BTREE_SCHEMA_VERSION 1
#define BTREE_FILE_FORMAT 2
#define BTREE_DEFAULT_CACHE_SIZE 3
#define BTREE_LARGEST_ROOT_PAGE 4
#define BTREE_TEXT_ENCODING 5
#define BTREE_USER_VERSION 6
#define BTREE_INCR_VACUUM 7
#define BTREE_APPLICATION_ID 8
#define BTREE_DATA_VERSION 15 /* not in the header: the pager's data version */

/* btree_insert / btree_delete flags */
#define BTREE_SAVEPOSITION 0x02 /* leave cursor on (or next to) the changed entry */
#define BTREE_APPEND 0x08       /* hint: key is larger than every key */

/* Comparator for index b-trees, supplied by the VM (record comparison with
** collations and sort orders).  Compares the full key of an entry (a record)
** against the caller's search key described by `arg`; returns <0, 0, >0 as
** entry <, =, > search key. */
typedef int (*BtreeKeyCompare)(void *arg, const void *entry_key, int n_entry_key);

/* Open/close. path ":memory:" or NULL (temp) as in SQLite. */
int btree_open(ShaleVfs *, const char *path, int open_flags, Btree **out);
int btree_close(Btree *); /* may PENDING */
Pager *btree_pager(Btree *);

/* Transactions.  wrflag: 0 read, 1 write, 2 exclusive write.  A write
** transaction on a new empty file writes page 1 (the 100-byte header).
** may PENDING; SQLITE_BUSY. */
int btree_begin_trans(Btree *, int wrflag, int *schema_cookie);
int btree_commit(Btree *);   /* may PENDING */
int btree_rollback(Btree *); /* may PENDING; cursors become invalid */
/* Rollback as SQLite's full ROLLBACK: write cursors (every cursor if
** !write_only) fail their next move with trip_rc (SQLITE_ABORT_ROLLBACK);
** read cursors keep their place by key and the b-tree keeps a read
** transaction for them.  may PENDING. */
int btree_rollback_trip(Btree *, int trip_rc, int write_only);
/* After raw page writes through the pager inside a write transaction
** (backup, deserialize): the image is now n_pages long (cut at commit);
** pages are validated again and header parameters re-read from page 1. */
void btree_image_replaced(Btree *, Pgno n_pages);
/* In a write transaction: the file becomes an empty database (one page),
** as a backup from an empty source leaves it. */
int btree_make_empty(Btree *);
/* 1 if this write transaction changed the schema cookie. */
int btree_schema_changed(Btree *);
int btree_txn_state(Btree *); /* 0 none, 1 read, 2 write */
int btree_savepoint(Btree *, int op, int index); /* SAVEPOINT_* from pager.h */

/* Tables.  may PENDING. */
int btree_create_table(Btree *, Pgno *root, int flags);
/* Drop: frees every page.  In an auto_vacuum database the last root page may
** move into the freed slot: *moved_from is its old number (0 if none). */
int btree_drop_table(Btree *, Pgno root, Pgno *moved_from);
int btree_clear_table(Btree *, Pgno root, i64 *n_deleted);

/* Header fields (see BTREE_* above).  may PENDING (page 1). */
int btree_get_meta(Btree *, int idx, u32 *value);
int btree_update_meta(Btree *, int idx, u32 value); /* needs write trans */

/* Settings that live in the file header. */
int btree_set_page_size(Btree *, u32 page_size, int reserved); /* before creation */
u32 btree_get_page_size(Btree *);
int btree_set_auto_vacuum(Btree *, int mode); /* 0 none, 1 full, 2 incremental */
int btree_get_auto_vacuum(Btree *);
int btree_incr_vacuum(Btree *, int n_pages); /* may PENDING */

/* Cursors.  wrflag 1 for a cursor that will insert/delete.  cmp/cmp_arg are
** the comparator for index b-trees (NULL for tables). */
int btree_cursor_open(Btree *, Pgno root, int wrflag, BtCursor **out);
void btree_cursor_close(BtCursor *);
int btree_cursor_is_table(BtCursor *);

/* Moves.  *empty / SQLITE_DONE report an empty tree / running off the end. */
int btree_first(BtCursor *, int *empty);          /* may PENDING */
int btree_last(BtCursor *, int *empty);           /* may PENDING */
int btree_next(BtCursor *);                       /* SQLITE_DONE at end; may PENDING */
int btree_prev(BtCursor *);                       /* SQLITE_DONE at start; may PENDING */
int btree_eof(BtCursor *);                        /* not on an entry */
/* Seek.  *res: 0 exact match; <0 cursor left on an entry smaller than the
** key; >0 on an entry larger; if the tree is empty, *res = -1 and eof. */
int btree_table_moveto(BtCursor *, i64 rowid, int *res);            /* may PENDING */
int btree_index_moveto(BtCursor *, BtreeKeyCompare, void *cmp_arg,
                       int *res);                                    /* may PENDING */

/* Reading the current entry. */
i64 btree_rowid(BtCursor *);           /* table b-tree key */
u32 btree_payload_size(BtCursor *);    /* data (table) or key (index) size */
/* Pointer to the locally stored bytes of the payload, *n_local of them;
** valid until the cursor moves or the tree changes. */
const void *btree_payload_fetch(BtCursor *, u32 *n_local);
/* Both at once (one cell parse): local bytes, *n_total = payload size.
** NULL (sizes 0) when the cursor is not on an entry. */
const void *btree_payload_view(BtCursor *, u32 *n_total, u32 *n_local);
/* Copy payload bytes [offset, offset+n) (follows overflow). may PENDING. */
int btree_payload_read(BtCursor *, u32 offset, u32 n, void *buf);

/* Writing. */
typedef struct BtreePayload {
  const void *key; /* index: the record key; table: NULL */
  i64 n_key;       /* index: key bytes; table: the rowid */
  const void *data; /* table: the record */
  int n_data;
  int n_zero;       /* table: zero bytes appended after data (zeroblob) */
} BtreePayload;
/* Insert (or replace the entry with the same key).  seek_result: the *res of
** a btree_*_moveto just done on this cursor for this key, or 0 if none.
** may PENDING (nothing changed). */
int btree_insert(BtCursor *, const BtreePayload *, int flags, int seek_result);
/* Delete the current entry.  Afterwards btree_next()/btree_prev() move to the
** entry after/before the deleted one.  With BTREE_SAVEPOSITION the cursor
** usually stays on its leaf (no re-seek on that move, as SQLite's flag);
** without it, it finds its place again by key.  may PENDING (nothing
** changed). */
int btree_delete(BtCursor *, int flags);

int btree_count(BtCursor *, i64 *n); /* may PENDING */

/* PRAGMA integrity_check over the given roots; *msg gets SQLite-worded
** problems joined by '\n' (sqlite3_malloc'd, NULL if none). may PENDING
** (restarts from scratch). */
int btree_integrity_check(Btree *, const Pgno *roots, int n_roots, int max_errors,
                          int *n_errors, char **msg);

/* ---- additions (btree layer) ---- */
/* Record-vs-record comparator for an index cursor (the VM's key comparison
** of two full records a and b: <0, 0, >0 as a <, =, > b).  Used to re-find a
** saved position after another cursor changed the tree, and by btree_insert
** when it must seek itself (seek_result 0).  Without one, memcmp order. */
typedef int (*BtreeRecordCompare)(void *ctx, const void *a, int na, const void *b, int nb);
void btree_cursor_set_record_compare(BtCursor *, BtreeRecordCompare, void *ctx);
/* Re-find the position of a cursor whose tree was changed through another
** cursor (rowid/payload accessors need a positioned cursor); *differs is
** set if the saved entry is gone.  may PENDING. */
int btree_cursor_restore(BtCursor *, int *differs);
/* Text of the last corruption/limitation problem seen (or NULL). */
const char *btree_errmsg(Btree *);

#endif
