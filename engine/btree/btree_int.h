/*
** btree_int.h — private declarations shared by the files of the b-tree layer
** (btree.c: open/transactions/cursors/reading; btree_write.c: insert, delete,
** balance, freelist; btree_check.c: integrity_check).  Not for other layers.
*/
#ifndef SHALE_BTREE_INT_H
#define SHALE_BTREE_INT_H

#include <stdio.h>
#include "btree.h"

#define BT_MAX_DEPTH 20
#define BT_MAX_OVFL 64
#define BT_SQLITE_VERSION_NUMBER 3040001

/* Page type flags (first byte of a b-tree page header). */
#define PTF_INDEX_INTERIOR 2
#define PTF_TABLE_INTERIOR 5
#define PTF_INDEX_LEAF 10
#define PTF_TABLE_LEAF 13

/* Per-page space the pager keeps for us (zeroed when the page is loaded). */
typedef struct PgExtra {
  u32 gen; /* == Btree.gen: validated as a b-tree page (0: not) */
  u8 full; /* with gen current: every cell's size checked too (bt_validate) */
} PgExtra;

/* A cell that did not fit on its page; `vidx` is its index in the page's
** virtual cell list (real cells with the overflow cells merged in). */
typedef struct OvflCell {
  Pgno pgno;
  int vidx;
  u8 *cell;
  int sz;
} OvflCell;

/* A parsed view of a b-tree page header. */
typedef struct PV {
  DbPage *dp;
  u8 *a;
  Pgno pgno;
  int hdr;     /* 100 on page 1, else 0 */
  u8 flags;
  u8 leaf;
  u8 intkey;
  int ncell;
  int cellptr; /* offset of the cell pointer array */
} PV;

typedef struct CellInfo {
  i64 key;     /* rowid (table) */
  u32 npay;    /* payload size */
  u32 nlocal;  /* bytes stored locally */
  u32 size;    /* bytes the cell occupies on the page (>= 4) */
  u8 *pay;     /* local payload */
  Pgno ovfl;   /* first overflow page or 0 */
} CellInfo;

/* Progress of btree_clear_table/btree_drop_table (explicit, resumable). */
typedef struct ClearProg {
  int active;
  Pgno root;
  Pgno npage;
  u8 flags;    /* root page type */
  Pgno *pg;    /* collected pages (pg[0] = root) */
  u32 *kind;   /* 0 tree page; k>0 overflow page with k pages left */
  int n, a, qi;
  i64 cells;
  u8 *seen;
} ClearProg;

struct Btree {
  Pager *pager;
  ShaleVfs *vfs;
  int txn;         /* 0 none, 1 read, 2 write */
  DbPage *page1;   /* held during a transaction (NULL on an empty file) */
  u32 pgsz, usable;
  u32 max_local, min_local, max_leaf, min_leaf;
  int autovac, incrvac;
  int av_readonly; /* auto_vacuum file: writes refused */
  int want_autovac;
  Pgno npage;      /* logical image size during a write transaction */
  int dirty;       /* this write transaction changed something */
  int hdr_done;    /* commit: header fields already updated */
  u32 cookie_at_write; /* schema cookie when the write transaction began */
  u32 gen;         /* validation generation; bumped by rollbacks */
  Pgno ic_next;    /* integrity_check prefetch progress (0: not started) */
  Pgno vac_nfin;   /* full auto_vacuum at commit: final size (0: idle) */
  Pgno *pmg;       /* pointer-map pages gathered by the current operation */
  int npmg, apmg;
  BtCursor *cursors;
  BtCursor *spare; /* closed cursors kept for reuse (linked by next) */
  int nspare;
  /* pages pinned by the operation in progress */
  DbPage **held;
  int nheld, aheld;
  /* scratch (sized for the page size; see bt_scratch) */
  u32 scratch_pgsz;
  u8 *cellbuf;     /* the cell being inserted */
  u8 *keybuf;      /* full keys read for comparisons */
  u32 akeybuf;
  u8 *bal;         /* balance: copies of sibling cells */
  u32 abal;
  u8 **bcell;
  int *bsz;
  int abcell;
  u8 *ptmp;        /* balance: copy of the parent's cells */
  u32 aptmp;
  u8 **pcell;
  int *psz;
  int apcell;
  u8 *arena;       /* overflow cells */
  u32 narena, aarena;
  u8 *tmp;         /* one page for defragmentation */
  ClearProg clr;
  OvflCell ovfl[BT_MAX_OVFL];
  int novfl;
  char errmsg[120];
};

#define CUR_INVALID 0
#define CUR_VALID 1
#define CUR_REQUIRESEEK 2
#define CUR_FAULT 3

typedef BtreeRecordCompare BtreeRecordCompareFn;

struct BtCursor {
  Btree *bt;
  BtCursor *next;
  Pgno root;
  u8 wrflag;
  u8 intkey;
  u8 state;
  int fault_rc;
  int depth; /* index of the current page in pg[]; -1 if none */
  DbPage *pg[BT_MAX_DEPTH];
  int idx[BT_MAX_DEPTH];
  /* saved position (CUR_REQUIRESEEK) */
  i64 nkey;
  u8 *key;
  u32 akey;
  int skip; /* after restore: >0 next() is a no-op, <0 prev() is a no-op */
  BtreeRecordCompareFn rcmp;
  void *rcmp_ctx;
  /* btree_count progress */
  int cnt_active;
  i64 cnt_acc;
};

/* Varints read inline on the hot paths (rowids and sizes are mostly 1-3
** bytes); longer ones go to util's varint_get. */
static inline int bt_varint(const u8 *p, u64 *v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  if (p[1] < 0x80) {
    *v = ((u64)(p[0] & 0x7f) << 7) | p[1];
    return 2;
  }
  if (p[2] < 0x80) {
    *v = ((u64)(p[0] & 0x7f) << 14) | ((u64)(p[1] & 0x7f) << 7) | p[2];
    return 3;
  }
  return varint_get(p, v);
}
/* Length of the varint at p (at most 9). */
static inline int bt_varint_len(const u8 *p) {
  int k = 0;
  while (k < 8 && (p[k] & 0x80)) k++;
  return k + 1;
}

/* btree.c */
/* Parsed on every step of every cursor move: inline. */
static inline void bt_pv(DbPage *dp, PV *v) {
  v->dp = dp;
  v->a = (u8 *)pager_data(dp);
  v->pgno = pager_pgno(dp);
  v->hdr = v->pgno == 1 ? 100 : 0;
  v->flags = v->a[v->hdr];
  v->leaf = (v->flags & 8) != 0;
  v->intkey = (v->flags & 1) != 0;
  v->ncell = (int)get2byte(v->a + v->hdr + 3);
  v->cellptr = v->hdr + (v->leaf ? 8 : 12);
}
static inline u8 *pv_cell(const PV *v, int i) {
  return v->a + get2byte(v->a + v->cellptr + 2 * i);
}
static inline Pgno pv_right(const PV *v) { return get4byte(v->a + v->hdr + 8); }
static inline Pgno pv_child(const PV *v, int i) {
  return i < v->ncell ? get4byte(pv_cell(v, i)) : pv_right(v);
}
void bt_parse_cell(Btree *, u8 flags, const u8 *cell, CellInfo *);
/* bt_parse_cell of a cell on page v for code that runs before the page was
** checked completely (readers; a writer before GATHER): SQLITE_CORRUPT if
** the cell runs off the page. */
int bt_parse_cell_in(Btree *, const PV *v, const u8 *cell, CellInfo *);
u32 bt_local_size(Btree *, u8 flags, u32 npay);
int bt_get_page(Btree *, Pgno, DbPage **out);      /* validated tree page */
int bt_get_raw(Btree *, Pgno, DbPage **out, int flags);
int bt_validate(Btree *, DbPage *);
int bt_hold(Btree *, DbPage *);                    /* keeps the ref */
void bt_release_held(Btree *);
int bt_scratch(Btree *);
int bt_read_payload(Btree *, const PV *page, const u8 *cell, u32 off, u32 n, u8 *buf);
int bt_cursor_save(BtCursor *);
int bt_save_others(Btree *, Pgno root, BtCursor *except);
void bt_cursor_release(BtCursor *);
int bt_cursor_restore(BtCursor *);
int bt_full_key(BtCursor *, const u8 **key, u32 *n); /* current index key */
u32 bt_page_nfree(Btree *, const PV *);
Pgno bt_pending_page(Btree *);
Pgno bt_ptrmap_page(Btree *, Pgno);

/* btree_write.c */
void bt_clear_reset(Btree *);
int bt_av_vacuum(Btree *); /* may PENDING; resumes */

#endif
