/*
** btree.c — Btree objects, transactions, header fields, page validation,
** cursor movement, seeks and payload reads.  Writing (insert, delete,
** balance, freelist) lives in btree_write.c; integrity_check in
** btree_check.c.
*/
#include "btree_int.h"

/* ---------------------------------------------------------------- pages */

Pgno bt_pending_page(Btree *bt) { return (Pgno)(0x40000000u / bt->pgsz) + 1; }

/* Pointer maps (auto_vacuum): the page holding pg's 5-byte entry. */
Pgno bt_ptrmap_page(Btree *bt, Pgno pg) {
  if (pg < 2) return 0;
  u32 per = bt->usable / 5 + 1;
  Pgno r = ((pg - 2) / per) * per + 2;
  if (r == bt_pending_page(bt)) r++;
  return r;
}

u32 bt_local_size(Btree *bt, u8 flags, u32 P) {
  u32 X, M;
  if (flags == PTF_TABLE_LEAF) {
    X = bt->max_leaf;
    M = bt->min_leaf;
  } else {
    X = bt->max_local;
    M = bt->min_local;
  }
  if (P <= X) return P;
  u32 K = M + (P - M) % (bt->usable - 4);
  return K <= X ? K : M;
}

/* A cell's sizes, without its overflow page number (ci->ovfl = 0). */
static void parse_cell_sizes(Btree *bt, u8 flags, const u8 *c, CellInfo *ci) {
  const u8 *p = c;
  ci->key = 0;
  ci->ovfl = 0;
  if (flags == PTF_TABLE_INTERIOR) {
    u64 k;
    int n = varint_get(c + 4, &k);
    ci->key = (i64)k;
    ci->npay = ci->nlocal = 0;
    ci->pay = NULL;
    ci->size = 4 + (u32)n;
    if (ci->size < 4) ci->size = 4;
    return;
  }
  if (flags == PTF_INDEX_INTERIOR) p += 4;
  u32 np;
  p += varint_get32(p, &np);
  if (flags == PTF_TABLE_LEAF) {
    u64 k;
    p += varint_get(p, &k);
    ci->key = (i64)k;
  }
  ci->npay = np;
  ci->pay = (u8 *)p;
  ci->nlocal = bt_local_size(bt, flags, np);
  u32 sz = (u32)(p - c) + ci->nlocal;
  if (ci->nlocal < np) sz += 4;
  ci->size = sz < 4 ? 4 : sz;
}

void bt_parse_cell(Btree *bt, u8 flags, const u8 *c, CellInfo *ci) {
  parse_cell_sizes(bt, flags, c, ci);
  if (ci->nlocal < ci->npay) ci->ovfl = get4byte(ci->pay + ci->nlocal);
}

u32 bt_page_nfree(Btree *bt, const PV *v) {
  const u8 *a = v->a;
  u32 content = get2byte(a + v->hdr + 5);
  if (content == 0) content = 65536;
  u32 nfree = content - (u32)(v->cellptr + 2 * v->ncell);
  nfree += a[v->hdr + 7];
  u32 fb = get2byte(a + v->hdr + 1);
  int guard = 0;
  while (fb && fb + 4 <= bt->usable && guard++ < 20000) {
    nfree += get2byte(a + fb + 2);
    fb = get2byte(a + fb);
  }
  return nfree;
}

static int corrupt(Btree *bt, Pgno pgno, const char *what) {
  snprintf(bt->errmsg, sizeof bt->errmsg, "database disk image is malformed (page %u: %s)",
           (unsigned)pgno, what);
  return SQLITE_CORRUPT;
}

/* Are the n big-endian u16 at p all in [lo, hi] (hi < 65536)?  Run on
** every page load, so eight at a time where the compiler has vector
** extensions (GCC and clang, any target). */
static int cell_ptrs_in(const u8 *p, int n, u32 lo, u32 hi) {
  int i = 0;
  u32 bad = 0;
#if defined(__GNUC__)
  typedef u16 u16x8 __attribute__((vector_size(16)));
  typedef i16 i16x8 __attribute__((vector_size(16)));
  u16x8 vlo = {0}, vhi = {0};
  vlo += (u16)lo;
  vhi += (u16)hi;
  i16x8 vbad = {0};
  for (; i + 8 <= n; i += 8) {
    u16x8 x;
    memcpy(&x, p + 2 * i, sizeof x);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = (u16x8)((x << 8) | (x >> 8));
#endif
    vbad |= (i16x8)(x < vlo) | (i16x8)(x > vhi);
  }
  for (int k = 0; k < 8; k++) bad |= (u16)vbad[k];
#endif
  for (; i < n; i++) {
    u32 off = get2byte(p + 2 * i);
    bad |= (off < lo) | (off > hi);
  }
  return bad == 0;
}

/* What every use of a page relies on, checked when it is loaded (about what
** SQLite's btreeInitPage checks, plus the cell pointer array): the page
** type, the cell count, the content area, every cell pointer (a cell starts
** inside the content area with at least 4 bytes before the end), the
** freeblock chain and the right child.  Readers check a cell's extent when
** they use its payload (cell_fits); the pager keeps slack after every page
** so that the varints of a cell header can be read before that. */
static int validate_header(Btree *bt, const PV *v) {
  u32 U = bt->usable;
  const u8 *a = v->a;
  if (v->flags != 2 && v->flags != 5 && v->flags != 10 && v->flags != 13)
    return corrupt(bt, v->pgno, "bad page type");
  u32 end_ptrs = (u32)v->cellptr + 2u * (u32)v->ncell;
  if (end_ptrs > U) return corrupt(bt, v->pgno, "too many cells");
  u32 content = get2byte(a + v->hdr + 5);
  if (content == 0) content = 65536;
  if (content < end_ptrs || content > U) return corrupt(bt, v->pgno, "bad content area");
  if (v->ncell > 0 && (content + 4 > U || !cell_ptrs_in(a + v->cellptr, v->ncell, content, U - 4)))
    return corrupt(bt, v->pgno, "cell offset");
  u32 fb = get2byte(a + v->hdr + 1), last_end = 0, total = 0;
  while (fb) {
    if (fb < content || fb < last_end || fb + 4 > U) return corrupt(bt, v->pgno, "freeblock");
    u32 sz = get2byte(a + fb + 2);
    if (sz < 4 || fb + sz > U) return corrupt(bt, v->pgno, "freeblock size");
    total += sz;
    last_end = fb + sz;
    u32 nx = get2byte(a + fb);
    if (nx && nx <= last_end) return corrupt(bt, v->pgno, "freeblock order");
    fb = nx;
  }
  u32 nfree = content - end_ptrs + total + a[v->hdr + 7];
  if (nfree > U) return corrupt(bt, v->pgno, "free space");
  if (!v->leaf && pv_right(v) == 0) return corrupt(bt, v->pgno, "right child 0");
  return SQLITE_OK;
}

/* Every cell lies inside the page and no child pointer is 0: what code that
** moves or resizes cells (the writers, integrity_check) relies on. */
static int validate_cells(Btree *bt, const PV *v) {
  u32 U = bt->usable;
  for (int i = 0; i < v->ncell; i++) {
    u32 off = get2byte(v->a + v->cellptr + 2 * i);
    /* the cell header (at most 4 + 9 + 9 bytes) is read from a padded copy
    ** so that nothing past the page is touched before the size is known */
    u8 tmp[32];
    const u8 *cp = v->a + off;
    if (U - off < 24) {
      memset(tmp, 0, sizeof tmp);
      memcpy(tmp, cp, U - off);
      cp = tmp;
    }
    u32 sz;
    if (v->flags == PTF_TABLE_INTERIOR) {
      u64 k;
      sz = 4 + (u32)varint_get(cp + 4, &k);
    } else {
      const u8 *p = cp + (v->flags == PTF_INDEX_INTERIOR ? 4 : 0);
      u32 np;
      if (p[0] < 0x80) np = *p++;
      else p += varint_get32(p, &np);
      if (v->flags == PTF_TABLE_LEAF) {
        int k = 0;
        while (k < 8 && (p[k] & 0x80)) k++; /* the rowid varint */
        p += k + 1;
      }
      u32 local = bt_local_size(bt, v->flags, np);
      sz = (u32)(p - cp) + local + (local < np ? 4 : 0);
    }
    if (sz < 4) sz = 4;
    if (off + sz > U) return corrupt(bt, v->pgno, "cell extends off page");
    if (!v->leaf && get4byte(v->a + off) == 0) return corrupt(bt, v->pgno, "child 0");
  }
  return SQLITE_OK;
}

/* Readers' check of a page (see validate_header); once per load. */
static int validate_light(Btree *bt, DbPage *dp) {
  PgExtra *ex = (PgExtra *)pager_extra(dp);
  if (ex->gen == bt->gen) return SQLITE_OK;
  PV v;
  bt_pv(dp, &v);
  int rc = validate_header(bt, &v);
  if (rc) return rc;
  ex->gen = bt->gen;
  ex->full = 0;
  return SQLITE_OK;
}

int bt_validate(Btree *bt, DbPage *dp) {
  PgExtra *ex = (PgExtra *)pager_extra(dp);
  int known = ex->gen == bt->gen;
  if (known && ex->full) return SQLITE_OK;
  PV v;
  bt_pv(dp, &v);
  int rc = known ? SQLITE_OK : validate_header(bt, &v);
  if (!rc) rc = validate_cells(bt, &v);
  if (rc) return rc;
  ex->gen = bt->gen;
  ex->full = 1;
  return SQLITE_OK;
}

/* Does the cell's local payload (and overflow pointer) end inside the page?
** Pages are checked lazily for this (validate_header). */
static int cell_fits(Btree *bt, const u8 *a, const u8 *cell, const CellInfo *ci) {
  return (u32)(cell - a) + ci->size <= bt->usable;
}

/* bt_parse_cell for readers: SQLITE_CORRUPT for a cell off its page. */
int bt_parse_cell_in(Btree *bt, const PV *v, const u8 *cell, CellInfo *ci) {
  parse_cell_sizes(bt, v->flags, cell, ci);
  if (!cell_fits(bt, v->a, cell, ci)) return corrupt(bt, v->pgno, "cell extends off page");
  if (ci->nlocal < ci->npay) ci->ovfl = get4byte(ci->pay + ci->nlocal);
  return SQLITE_OK;
}

int bt_get_raw(Btree *bt, Pgno pgno, DbPage **out, int flags) {
  *out = NULL;
  if (pgno == 0 || pgno > pager_page_count(bt->pager) + 64u) return corrupt(bt, pgno, "page number");
  int rc = pager_get(bt->pager, pgno, out, flags);
  /* Raw pages are about to be written as something else (freelist,
  ** overflow, pointer map, moved page): in a damaged file the same page
  ** may also be a tree page, whose checks must then be done again. */
  if (rc == SQLITE_OK) ((PgExtra *)pager_extra(*out))->gen = 0;
  return rc;
}

static int get_page(Btree *bt, Pgno pgno, DbPage **out, int full) {
  *out = NULL;
  if (pgno == 0 || pgno > pager_page_count(bt->pager)) return corrupt(bt, pgno, "page number");
  DbPage *dp;
  int rc = pager_get(bt->pager, pgno, &dp, 0);
  if (rc) return rc;
  rc = full ? bt_validate(bt, dp) : validate_light(bt, dp);
  if (rc) {
    pager_unref(dp);
    return rc;
  }
  *out = dp;
  return SQLITE_OK;
}

int bt_get_page(Btree *bt, Pgno pgno, DbPage **out) { return get_page(bt, pgno, out, 1); }

/* Tree pages for cursor moves and reads (validate_light). */
static int get_read_page(Btree *bt, Pgno pgno, DbPage **out) { return get_page(bt, pgno, out, 0); }

int bt_hold(Btree *bt, DbPage *dp) {
  /* A tree page pinned for a write (GATHER) that only a reader checked so
  ** far: the writers rely on every cell's size. */
  PgExtra *ex = (PgExtra *)pager_extra(dp);
  if (ex->gen == bt->gen && !ex->full) {
    int rc = bt_validate(bt, dp);
    if (rc) {
      pager_unref(dp);
      return rc;
    }
  }
  if (bt->nheld == bt->aheld) {
    int n = bt->aheld ? bt->aheld * 2 : 64;
    DbPage **p = sqlite3_realloc64(bt->held, sizeof(DbPage *) * (u64)n);
    if (!p) {
      pager_unref(dp);
      return SQLITE_NOMEM;
    }
    bt->held = p;
    bt->aheld = n;
  }
  bt->held[bt->nheld++] = dp;
  return SQLITE_OK;
}

void bt_release_held(Btree *bt) {
  for (int i = 0; i < bt->nheld; i++) pager_unref(bt->held[i]);
  bt->nheld = 0;
}

static void *grow(void *p, u64 n) { return sqlite3_realloc64(p, n); }

int bt_scratch(Btree *bt) {
  if (bt->scratch_pgsz == bt->pgsz && bt->cellbuf) return SQLITE_OK;
  u32 P = bt->pgsz;
  sqlite3_free(bt->cellbuf);
  sqlite3_free(bt->bal);
  sqlite3_free(bt->bcell);
  sqlite3_free(bt->bsz);
  sqlite3_free(bt->ptmp);
  sqlite3_free(bt->pcell);
  sqlite3_free(bt->psz);
  sqlite3_free(bt->arena);
  sqlite3_free(bt->tmp);
  bt->cellbuf = grow(NULL, P + 64);
  bt->abal = 8 * P + 1024;
  bt->bal = grow(NULL, bt->abal);
  bt->abcell = (int)(5 * (P / 6)) + 64;
  bt->bcell = grow(NULL, sizeof(u8 *) * (u64)bt->abcell);
  bt->bsz = grow(NULL, sizeof(int) * (u64)bt->abcell);
  bt->aptmp = 3 * P + 1024;
  bt->ptmp = grow(NULL, bt->aptmp);
  bt->apcell = (int)(2 * (P / 6)) + 64 + BT_MAX_OVFL;
  bt->pcell = grow(NULL, sizeof(u8 *) * (u64)bt->apcell);
  bt->psz = grow(NULL, sizeof(int) * (u64)bt->apcell);
  bt->aarena = 4 * P + 1024;
  bt->arena = grow(NULL, bt->aarena);
  bt->tmp = grow(NULL, P + 64);
  bt->narena = 0;
  if (!bt->cellbuf || !bt->bal || !bt->bcell || !bt->bsz || !bt->ptmp || !bt->pcell ||
      !bt->psz || !bt->arena || !bt->tmp) {
    bt->scratch_pgsz = 0;
    return SQLITE_NOMEM;
  }
  bt->scratch_pgsz = P;
  return SQLITE_OK;
}

/* ------------------------------------------------------- open / close */

int btree_open(ShaleVfs *vfs, const char *path, int open_flags, Btree **out) {
  *out = NULL;
  Btree *bt = shale_malloc_zero(sizeof(Btree));
  if (!bt) return SQLITE_NOMEM;
  int pflags = 0;
  if (path && strcmp(path, ":memory:") == 0) pflags |= PAGER_MEMORY;
  if (!path || !path[0]) pflags |= PAGER_OMIT_JOURNAL;
  int rc = pager_open(vfs, path, pflags, open_flags, (int)sizeof(PgExtra), &bt->pager);
  if (rc) {
    sqlite3_free(bt);
    return rc;
  }
  bt->vfs = vfs;
  bt->gen = 1;
  bt->pgsz = pager_page_size(bt->pager);
  *out = bt;
  return SQLITE_OK;
}

static void release_page1(Btree *bt) {
  if (bt->page1) {
    pager_unref(bt->page1);
    bt->page1 = NULL;
  }
}

int btree_close(Btree *bt) {
  if (!bt) return SQLITE_OK;
  while (bt->cursors) btree_cursor_close(bt->cursors);
  bt_release_held(bt);
  if (bt->txn == 2) {
    int rc = pager_rollback(bt->pager);
    if (rc == SHALE_PENDING) return rc;
    bt->txn = 1;
  }
  release_page1(bt);
  if (bt->txn) {
    pager_end_read(bt->pager);
    bt->txn = 0;
  }
  int rc = pager_close(bt->pager);
  if (rc == SHALE_PENDING) return rc;
  while (bt->spare) {
    BtCursor *c = bt->spare;
    bt->spare = c->next;
    sqlite3_free(c);
  }
  bt->nspare = 0;
  sqlite3_free(bt->held);
  sqlite3_free(bt->cellbuf);
  sqlite3_free(bt->keybuf);
  sqlite3_free(bt->bal);
  sqlite3_free(bt->bcell);
  sqlite3_free(bt->bsz);
  sqlite3_free(bt->ptmp);
  sqlite3_free(bt->pcell);
  sqlite3_free(bt->psz);
  sqlite3_free(bt->arena);
  sqlite3_free(bt->tmp);
  bt_clear_reset(bt);
  sqlite3_free(bt->pmg);
  sqlite3_free(bt);
  return rc;
}

Pager *btree_pager(Btree *bt) { return bt->pager; }

/* ------------------------------------------------------- transactions */

static void set_params(Btree *bt) {
  bt->pgsz = pager_page_size(bt->pager);
  bt->usable = bt->pgsz - (u32)pager_reserved(bt->pager);
  u32 U = bt->usable;
  bt->max_local = (U - 12) * 64 / 255 - 23;
  bt->min_local = (U - 12) * 32 / 255 - 23;
  bt->max_leaf = U - 35;
  bt->min_leaf = (U - 12) * 32 / 255 - 23;
}

static int load_page1(Btree *bt) {
  if (bt->page1) return SQLITE_OK;
  if (pager_page_count(bt->pager) == 0) {
    set_params(bt);
    return SQLITE_OK;
  }
  DbPage *dp;
  int rc = pager_get(bt->pager, 1, &dp, 0);
  if (rc) return rc;
  const u8 *a = pager_data(dp);
  if (memcmp(a, "SQLite format 3\0", 16) != 0) {
    pager_unref(dp);
    return SQLITE_NOTADB;
  }
  u32 ps = get2byte(a + 16);
  if (ps == 1) ps = 65536;
  if (ps != pager_page_size(bt->pager) || a[21] != 64 || a[22] != 32 || a[23] != 32) {
    pager_unref(dp);
    return SQLITE_NOTADB;
  }
  if (a[18] > 2) {
    pager_unref(dp);
    return SQLITE_NOTADB;
  }
  set_params(bt);
  if (bt->usable < 480) {
    pager_unref(dp);
    return SQLITE_NOTADB;
  }
  bt->autovac = get4byte(a + 52) != 0;
  bt->incrvac = get4byte(a + 64) != 0;
  /* auto_vacuum files: pointer maps are maintained for row changes; schema
  ** changes (root page moves) are refused (btree_create/drop_table) */
  bt->av_readonly = 0;
  bt->page1 = dp;
  return bt_scratch(bt);
}

static int new_page1(Btree *bt) {
  DbPage *dp;
  set_params(bt);
  int rc = bt_scratch(bt);
  if (rc) return rc;
  rc = pager_get(bt->pager, 1, &dp, PAGER_GET_NOCONTENT);
  if (rc) return rc;
  rc = pager_write(dp);
  if (rc) {
    pager_unref(dp);
    return rc;
  }
  u8 *a = pager_data(dp);
  memset(a, 0, bt->pgsz);
  memcpy(a, "SQLite format 3\0", 16);
  put2byte(a + 16, bt->pgsz == 65536 ? 1 : bt->pgsz);
  a[18] = a[19] = 1;
  if (pager_journal_mode(bt->pager, PAGER_JOURNALMODE_QUERY) == PAGER_JOURNALMODE_WAL)
    a[18] = a[19] = 2;
  a[20] = (u8)(bt->pgsz - bt->usable);
  a[21] = 64;
  a[22] = 32;
  a[23] = 32;
  put4byte(a + 28, 1);
  put4byte(a + 44, 4);
  put4byte(a + 56, 1);
  put4byte(a + 96, BT_SQLITE_VERSION_NUMBER);
  if (bt->want_autovac) {
    put4byte(a + 52, 1); /* largest root page: page 1 */
    put4byte(a + 64, bt->want_autovac == 2);
  }
  bt->autovac = bt->want_autovac != 0;
  bt->incrvac = bt->want_autovac == 2;
  a[100] = PTF_TABLE_LEAF;
  put2byte(a + 105, bt->usable == 65536 ? 0 : bt->usable);
  ((PgExtra *)pager_extra(dp))->gen = bt->gen;
  bt->page1 = dp;
  bt->npage = 1;
  bt->dirty = 1;
  return SQLITE_OK;
}

static int begin_trans_once(Btree *bt, int wrflag, int *schema_cookie) {
  int rc;
  if (bt->txn == 0) {
    rc = pager_begin_read(bt->pager);
    if (rc) return rc;
    bt->txn = 1;
  }
  rc = load_page1(bt);
  if (rc) {
    /* Leave no half-begun transaction behind, PENDING included: the read
    ** of page 1 stays in flight in the pager and the re-executed begin
    ** starts the read transaction again and finds it there. */
    if (!bt->cursors) {
      pager_end_read(bt->pager);
      bt->txn = 0;
    }
    return rc;
  }
  if (wrflag && bt->txn < 2) {
    if (bt->av_readonly) {
      snprintf(bt->errmsg, sizeof bt->errmsg,
               "auto_vacuum databases are read-only in this version of shale");
      return SQLITE_READONLY;
    }
    if (pager_is_readonly(bt->pager)) return SQLITE_READONLY;
    rc = pager_begin_write(bt->pager, wrflag == 2);
    if (rc) return rc;
    bt->txn = 2;
    bt->cookie_at_write = bt->page1 ? get4byte((u8 *)pager_data(bt->page1) + 40) : 0;
    bt->npage = pager_page_count(bt->pager);
    bt->dirty = 0;
    bt->hdr_done = 0;
  }
  if (bt->txn == 2 && !bt->page1) {
    rc = new_page1(bt);
    if (rc) return rc;
  }
  if (schema_cookie) *schema_cookie = bt->page1 ? (int)get4byte((u8 *)pager_data(bt->page1) + 40) : 0;
  return SQLITE_OK;
}

int btree_begin_trans(Btree *bt, int wrflag, int *schema_cookie) {
  int from_none = bt->txn == 0;
  for (int busy_count = 0;; busy_count++) {
    int rc = begin_trans_once(bt, wrflag, schema_cookie);
    /* Like SQLite: a write transaction started from no transaction that
    ** cannot get its write lock drops its read lock, lets the busy handler
    ** wait, and starts over.  (BUSY on the read lock itself was already
    ** waited for by the pager.) */
    if ((rc & 0xff) != SQLITE_BUSY || !wrflag || !from_none || bt->txn != 1 || bt->cursors)
      return rc;
    release_page1(bt);
    pager_end_read(bt->pager);
    bt->txn = 0;
    /* the busy handler decides: inline, or (deferred) by the API layer,
    ** which re-executes this call after waiting */
    int r = pager_busy_step(bt->pager, SQLITE_LOCK_RESERVED, busy_count);
    if (r != SQLITE_OK) return r == SHALE_PENDING ? r : rc;
  }
}

/* Cursors at a full rollback.  trip_rc 0: all become invalid (eof).
** Otherwise (SQLite's rule) write cursors -- all cursors if !write_only --
** fail their next move with trip_rc; read cursors keep their place by key,
** saved before anything changed. */
static void trip_cursors(Btree *bt, int trip_rc, int write_only) {
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    c->skip = 0;
    c->cnt_active = 0;
    if (trip_rc && write_only && !c->wrflag && c->state == CUR_REQUIRESEEK) continue;
    bt_cursor_release(c);
    if (trip_rc && (!write_only || c->wrflag)) {
      c->state = CUR_FAULT;
      c->fault_rc = trip_rc;
    } else if (!trip_rc || c->state != CUR_FAULT) {
      c->state = CUR_INVALID;
    }
  }
}

int btree_schema_changed(Btree *bt) {
  return bt->txn == 2 && bt->page1 &&
         get4byte((u8 *)pager_data(bt->page1) + 40) != bt->cookie_at_write;
}

static void end_txn(Btree *bt) {
  bt->novfl = 0;
  if (bt->ic_next) { /* an integrity_check abandoned mid-way */
    bt->ic_next = 0;
    pager_cache_reserve(bt->pager, 0);
  }
  if (!bt->cursors) {
    release_page1(bt);
    pager_end_read(bt->pager);
    bt->txn = 0;
  } else {
    bt->txn = 1;
  }
}

int btree_commit(Btree *bt) {
  int rc;
  bt_release_held(bt);
  if (bt->txn == 2) {
    if (bt->dirty && !bt->hdr_done && bt->page1 && bt->autovac && !bt->incrvac) {
      rc = bt_av_vacuum(bt); /* full auto_vacuum: shrink before writing */
      if (rc) return rc;
    }
    if (bt->dirty && !bt->hdr_done && bt->page1) {
      /* the pager sets the change counter, version fields and size (28) */
      if (pager_page_count(bt->pager) > bt->npage) pager_truncate_image(bt->pager, bt->npage);
      bt->hdr_done = 1;
    }
    rc = pager_commit(bt->pager);
    if (rc) return rc;
    bt->dirty = 0;
    bt->hdr_done = 0;
    end_txn(bt);
    return SQLITE_OK;
  }
  if (bt->txn == 1) end_txn(bt);
  return SQLITE_OK;
}

int btree_rollback(Btree *bt) { return btree_rollback_trip(bt, SQLITE_OK, 0); }

int btree_rollback_trip(Btree *bt, int trip_rc, int write_only) {
  int keep_read = 0;
  if (trip_rc && write_only && bt->txn) {
    /* save read cursors first: may PENDING, nothing changed yet */
    for (BtCursor *c = bt->cursors; c; c = c->next) {
      if (c->wrflag) continue;
      if (c->state == CUR_VALID) SHALE_TRY(bt_cursor_save(c));
      keep_read = 1;
    }
  }
  bt_release_held(bt);
  bt->vac_nfin = 0;
  bt_clear_reset(bt);
  trip_cursors(bt, trip_rc, write_only);
  if (++bt->gen == 0) bt->gen = 1;
  int rc = SQLITE_OK;
  if (bt->txn == 2) {
    rc = pager_rollback(bt->pager);
    if (rc == SHALE_PENDING) return rc;
    /* An error here (the journal could not be finalized) still ends the
    ** transaction: the pager dropped it and left the journal hot, so the
    ** b-tree must not think it is writing (like SQLite's BtreeRollback);
    ** the pager lost its read lock too, so readers cannot go on. */
    if (rc != SQLITE_OK && keep_read) {
      trip_cursors(bt, trip_rc, 0);
      keep_read = 0;
    }
    bt->dirty = 0;
    bt->hdr_done = 0;
    /* page 1 may have been created in this transaction */
    release_page1(bt);
  }
  bt->novfl = 0;
  if (bt->txn) {
    release_page1(bt);
    if (keep_read) {
      bt->txn = 1; /* surviving readers go on in a read transaction */
    } else {
      pager_end_read(bt->pager);
      bt->txn = 0;
    }
  }
  return rc;
}

int btree_txn_state(Btree *bt) { return bt->txn; }

void btree_image_replaced(Btree *bt, Pgno n_pages) {
  if (bt->txn != 2) return;
  if (pager_page_count(bt->pager) > n_pages) pager_truncate_image(bt->pager, n_pages);
  bt->npage = n_pages;
  bt->dirty = 1;
  if (++bt->gen == 0) bt->gen = 1; /* every page is validated again */
  set_params(bt);
  if (bt->page1) {
    const u8 *a = pager_data(bt->page1);
    bt->autovac = get4byte(a + 52) != 0;
    bt->incrvac = get4byte(a + 64) != 0;
  }
  bt_scratch(bt); /* sized for the (unchanged) page size already */
}

int btree_make_empty(Btree *bt) {
  if (bt->txn != 2) return SQLITE_MISUSE;
  release_page1(bt);
  int rc = new_page1(bt);
  if (rc) return rc;
  btree_image_replaced(bt, 1);
  return SQLITE_OK;
}

int btree_savepoint(Btree *bt, int op, int index) {
  if (bt->txn != 2) return SQLITE_OK;
  if (op == SAVEPOINT_ROLLBACK) {
    /* cursors keep their place by key (like SQLite's statement rollback
    ** under a running SELECT); saving may PENDING before anything changed */
    bt_release_held(bt);
    bt_clear_reset(bt);
    for (BtCursor *c = bt->cursors; c; c = c->next) {
      c->cnt_active = 0;
      if (c->state == CUR_VALID) SHALE_TRY(bt_cursor_save(c));
      else if (c->state == CUR_INVALID) bt_cursor_release(c);
    }
    if (++bt->gen == 0) bt->gen = 1;
  }
  int rc = pager_savepoint(bt->pager, op, index);
  if (rc) return rc;
  if (op == SAVEPOINT_ROLLBACK) {
    bt->npage = pager_page_count(bt->pager);
    if (bt->page1) {
      const u8 *a = pager_data(bt->page1);
      if (memcmp(a, "SQLite format 3", 15) != 0) {
        /* page 1 did not exist at the savepoint: recreate on next write */
        release_page1(bt);
        bt->npage = 0;
        return new_page1(bt);
      }
    }
  }
  return SQLITE_OK;
}

/* ------------------------------------------------------- header fields */

int btree_get_meta(Btree *bt, int idx, u32 *value) {
  *value = 0;
  if (idx < 0 || idx > 15) return SQLITE_RANGE;
  if (idx == BTREE_DATA_VERSION) {
    *value = pager_data_version(bt->pager);
    return SQLITE_OK;
  }
  if (!bt->page1) {
    if (bt->txn == 1) {
      /* A btree_begin_trans() returned PENDING before page 1 arrived: finish
      ** loading it within that (caller's) read transaction. */
      int rc = btree_begin_trans(bt, 0, NULL);
      if (rc) return rc;
    } else if (bt->txn == 0) {
      /* outside a transaction: read it through a short read transaction */
      int rc = btree_begin_trans(bt, 0, NULL);
      if (rc) return rc;
      if (bt->page1) *value = get4byte((u8 *)pager_data(bt->page1) + 36 + 4 * idx);
      if (!bt->cursors) {
        release_page1(bt);
        pager_end_read(bt->pager);
        bt->txn = 0;
      }
      return SQLITE_OK;
    }
    if (!bt->page1) {
      if (idx == BTREE_TEXT_ENCODING) *value = 0;
      return SQLITE_OK;
    }
  }
  *value = get4byte((u8 *)pager_data(bt->page1) + 36 + 4 * idx);
  return SQLITE_OK;
}

int btree_update_meta(Btree *bt, int idx, u32 value) {
  if (bt->txn != 2 || !bt->page1) return SQLITE_MISUSE;
  if (idx < 1 || idx > 15) return SQLITE_RANGE;
  int rc = pager_write(bt->page1);
  if (rc) return rc;
  put4byte((u8 *)pager_data(bt->page1) + 36 + 4 * idx, value);
  bt->dirty = 1;
  return SQLITE_OK;
}

int btree_set_page_size(Btree *bt, u32 page_size, int reserved) {
  if (bt->page1 || pager_page_count(bt->pager) > 0) return SQLITE_READONLY;
  int rc = pager_set_page_size(bt->pager, page_size, reserved);
  bt->pgsz = pager_page_size(bt->pager);
  return rc;
}

u32 btree_get_page_size(Btree *bt) { return pager_page_size(bt->pager); }

int btree_set_auto_vacuum(Btree *bt, int mode) {
  if (mode < 0 || mode > 2) return SQLITE_MISUSE;
  if (!bt->page1 && pager_page_count(bt->pager) == 0) {
    bt->want_autovac = mode; /* applied when page 1 is written */
    return SQLITE_OK;
  }
  /* full <-> incremental can switch; none <-> auto_vacuum needs VACUUM
  ** (which this layer does not do): ignored, as sqlite3 does until then */
  if (bt->autovac && mode != 0 && bt->txn == 2 && bt->page1) {
    int rc = pager_write(bt->page1);
    if (rc) return rc;
    put4byte((u8 *)pager_data(bt->page1) + 64, mode == 2);
    bt->incrvac = mode == 2;
    bt->dirty = 1;
  }
  return SQLITE_OK;
}

int btree_get_auto_vacuum(Btree *bt) {
  if (!bt->page1 && pager_page_count(bt->pager) == 0) return bt->want_autovac;
  if (!bt->autovac) return 0;
  return bt->incrvac ? 2 : 1;
}


const char *btree_errmsg(Btree *bt) { return bt->errmsg[0] ? bt->errmsg : NULL; }

/* -------------------------------------------------------------- cursors */

int btree_cursor_open(Btree *bt, Pgno root, int wrflag, BtCursor **out) {
  *out = NULL;
  if (bt->txn == 0) return SQLITE_MISUSE;
  if (wrflag && bt->txn != 2) return SQLITE_READONLY;
  BtCursor *c = bt->spare;
  if (c) {
    /* reuse a closed cursor */
    bt->spare = c->next;
    bt->nspare--;
    memset(c, 0, sizeof(*c));
  } else {
    c = shale_malloc_zero(sizeof(BtCursor));
    if (!c) return SQLITE_NOMEM;
  }
  c->bt = bt;
  c->root = root;
  c->wrflag = (u8)(wrflag != 0);
  c->depth = -1;
  c->state = CUR_INVALID;
  c->intkey = 1;
  /* learn the tree type from the root page if it is at hand */
  if (root >= 1 && root <= pager_page_count(bt->pager)) {
    DbPage *dp = pager_lookup(bt->pager, root);
    if (dp) {
      if (validate_light(bt, dp) == SQLITE_OK) {
        PV v;
        bt_pv(dp, &v);
        c->intkey = v.intkey;
      }
      pager_unref(dp);
    } else {
      c->intkey = 2; /* unknown until the root is read */
    }
  }
  c->next = bt->cursors;
  bt->cursors = c;
  *out = c;
  return SQLITE_OK;
}

void bt_cursor_release(BtCursor *c) {
  for (int i = 0; i <= c->depth; i++) pager_unref(c->pg[i]);
  c->depth = -1;
}

void btree_cursor_close(BtCursor *c) {
  if (!c) return;
  Btree *bt = c->bt;
  bt_cursor_release(c);
  for (BtCursor **pp = &bt->cursors; *pp; pp = &(*pp)->next) {
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  }
  sqlite3_free(c->key);
  c->key = NULL;
  if (bt->nspare < 8) {
    c->next = bt->spare;
    bt->spare = c;
    bt->nspare++;
    return;
  }
  sqlite3_free(c);
}

void btree_cursor_set_record_compare(BtCursor *c, BtreeRecordCompareFn cmp, void *ctx) {
  c->rcmp = cmp;
  c->rcmp_ctx = ctx;
}

int btree_cursor_is_table(BtCursor *c) {
  if (c->intkey == 2 && c->depth >= 0) {
    PV v;
    bt_pv(c->pg[0], &v);
    c->intkey = v.intkey;
  }
  if (c->intkey == 2) {
    DbPage *dp;
    if (get_read_page(c->bt, c->root, &dp) == SQLITE_OK) {
      PV v;
      bt_pv(dp, &v);
      c->intkey = v.intkey;
      pager_unref(dp);
    }
  }
  return c->intkey == 1;
}

/* Snapshot of a cursor's path, holding its own page references. */
typedef struct Snap {
  int depth, state, skip;
  DbPage *pg[BT_MAX_DEPTH];
  int idx[BT_MAX_DEPTH];
} Snap;

static void snap_take(BtCursor *c, Snap *s) {
  s->depth = c->depth;
  s->state = c->state;
  s->skip = c->skip;
  for (int i = 0; i <= c->depth; i++) {
    s->pg[i] = c->pg[i];
    s->idx[i] = c->idx[i];
    pager_ref(c->pg[i]);
  }
}
static void snap_drop(Snap *s) {
  for (int i = 0; i <= s->depth; i++) pager_unref(s->pg[i]);
}
static void snap_restore(BtCursor *c, Snap *s) {
  bt_cursor_release(c);
  c->depth = s->depth;
  c->state = (u8)s->state;
  c->skip = s->skip;
  for (int i = 0; i <= s->depth; i++) {
    c->pg[i] = s->pg[i];
    c->idx[i] = s->idx[i];
  }
}
/* Finish a move: keep the new position on success, else restore. */
static int snap_end(BtCursor *c, Snap *s, int rc) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE) {
    snap_drop(s);
  } else {
    snap_restore(c, s);
  }
  return rc;
}

static int move_to_root(BtCursor *c) {
  if (c->state == CUR_FAULT) return c->fault_rc;
  while (c->depth > 0) pager_unref(c->pg[c->depth--]);
  if (c->depth < 0 && c->root == 1 && pager_page_count(c->bt->pager) == 0) {
    c->state = CUR_INVALID; /* empty database: an empty schema table */
    return SQLITE_EMPTY;
  }
  if (c->depth < 0) {
    DbPage *dp;
    int rc = get_read_page(c->bt, c->root, &dp);
    if (rc) return rc;
    c->pg[0] = dp;
    c->depth = 0;
  }
  PV v;
  bt_pv(c->pg[0], &v);
  c->intkey = v.intkey;
  c->idx[0] = 0;
  return SQLITE_OK;
}

static int move_to_child(BtCursor *c, Pgno child) {
  if (c->depth + 1 >= BT_MAX_DEPTH) return corrupt(c->bt, child, "tree too deep");
  DbPage *dp;
  int rc = get_read_page(c->bt, child, &dp);
  if (rc) return rc;
  PV v, p;
  bt_pv(dp, &v);
  bt_pv(c->pg[c->depth], &p);
  if ((v.flags & 7) != (p.flags & 7)) {
    pager_unref(dp);
    return corrupt(c->bt, child, "child page type");
  }
  for (int i = 0; i <= c->depth; i++) {
    if (c->pg[i] == dp) {
      pager_unref(dp);
      return corrupt(c->bt, child, "cycle");
    }
  }
  c->depth++;
  c->pg[c->depth] = dp;
  c->idx[c->depth] = 0;
  return SQLITE_OK;
}

static void move_to_parent(BtCursor *c) { pager_unref(c->pg[c->depth--]); }

static int move_leftmost(BtCursor *c) {
  for (;;) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.leaf) return SQLITE_OK;
    SHALE_TRY(move_to_child(c, pv_child(&v, c->idx[c->depth])));
    c->idx[c->depth] = 0;
  }
}

static int move_rightmost(BtCursor *c) {
  for (;;) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.leaf) {
      c->idx[c->depth] = v.ncell > 0 ? v.ncell - 1 : 0;
      return SQLITE_OK;
    }
    c->idx[c->depth] = v.ncell;
    SHALE_TRY(move_to_child(c, pv_right(&v)));
  }
}

/* next/prev from a valid position, without snapshot handling */
static int do_next(BtCursor *c) {
  PV v;
  bt_pv(c->pg[c->depth], &v);
  if (!v.leaf) {
    /* on an index interior entry: go to the leftmost of the next child */
    c->idx[c->depth]++;
    SHALE_TRY(move_to_child(c, pv_child(&v, c->idx[c->depth])));
    return move_leftmost(c);
  }
  if (++c->idx[c->depth] < v.ncell) return SQLITE_OK;
  for (;;) {
    if (c->depth == 0) {
      c->idx[0] = v.ncell > 0 ? v.ncell - 1 : 0;
      return SQLITE_DONE;
    }
    move_to_parent(c);
    bt_pv(c->pg[c->depth], &v);
    int i = c->idx[c->depth];
    if (i < v.ncell) {
      if (!v.intkey) return SQLITE_OK; /* the interior entry itself */
      c->idx[c->depth] = i + 1;
      SHALE_TRY(move_to_child(c, pv_child(&v, i + 1)));
      return move_leftmost(c);
    }
  }
}

static int do_prev(BtCursor *c) {
  PV v;
  bt_pv(c->pg[c->depth], &v);
  if (!v.leaf) {
    SHALE_TRY(move_to_child(c, pv_child(&v, c->idx[c->depth])));
    return move_rightmost(c);
  }
  if (c->idx[c->depth] > 0) {
    c->idx[c->depth]--;
    return SQLITE_OK;
  }
  for (;;) {
    if (c->depth == 0) return SQLITE_DONE;
    move_to_parent(c);
    bt_pv(c->pg[c->depth], &v);
    int i = c->idx[c->depth];
    if (i > 0) {
      if (!v.intkey) {
        c->idx[c->depth] = i - 1;
        return SQLITE_OK;
      }
      c->idx[c->depth] = i - 1;
      SHALE_TRY(move_to_child(c, pv_child(&v, i - 1)));
      return move_rightmost(c);
    }
  }
}

/* Leaf with no cells (only possible at the root): report empty. */
static int leaf_empty(BtCursor *c) {
  PV v;
  bt_pv(c->pg[c->depth], &v);
  return v.leaf && v.ncell == 0;
}

int btree_first(BtCursor *c, int *empty) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  Snap s;
  snap_take(c, &s);
  c->skip = 0;
  int rc = move_to_root(c);
  if (!rc) rc = move_leftmost(c);
  if (rc == SQLITE_EMPTY) {
    *empty = 1;
    rc = SQLITE_OK;
  } else if (!rc) {
    if (leaf_empty(c)) {
      *empty = 1;
      c->state = CUR_INVALID;
    } else {
      *empty = 0;
      c->state = CUR_VALID;
    }
  }
  return snap_end(c, &s, rc);
}

int btree_last(BtCursor *c, int *empty) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  Snap s;
  snap_take(c, &s);
  c->skip = 0;
  int rc = move_to_root(c);
  if (!rc) rc = move_rightmost(c);
  if (rc == SQLITE_EMPTY) {
    *empty = 1;
    rc = SQLITE_OK;
  } else if (!rc) {
    if (leaf_empty(c)) {
      *empty = 1;
      c->state = CUR_INVALID;
    } else {
      *empty = 0;
      c->state = CUR_VALID;
    }
  }
  return snap_end(c, &s, rc);
}

int btree_eof(BtCursor *c) { return c->state != CUR_VALID && c->state != CUR_REQUIRESEEK; }

int btree_next(BtCursor *c) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  if (c->state == CUR_VALID && c->skip) {
    /* restored earlier onto the entry after a vanished one */
    int sk = c->skip;
    c->skip = 0;
    if (sk > 0) return SQLITE_OK;
  }
  if (c->state == CUR_VALID && c->depth >= 0) {
    /* fast path: stay on the leaf.  pg[0] is the root, so page 1 (header
    ** after the file header) can only be there; anywhere else a corrupt
    ** tree's page 1 reads as a non-leaf ('S') and takes the slow path. */
    const u8 *h = (const u8 *)pager_data(c->pg[c->depth]) + (c->depth == 0 && c->root == 1 ? 100 : 0);
    if ((h[0] & 8) && c->idx[c->depth] + 1 < (int)get2byte(h + 3)) {
      c->idx[c->depth]++;
      return SQLITE_OK;
    }
  }
  if (c->state == CUR_FAULT) return c->fault_rc;
  Snap s;
  snap_take(c, &s);
  int rc = SQLITE_OK;
  if (c->state == CUR_REQUIRESEEK) {
    rc = bt_cursor_restore(c);
    if (rc) return snap_end(c, &s, rc);
    if (c->state != CUR_VALID) return snap_end(c, &s, SQLITE_DONE);
    if (c->skip > 0) {
      c->skip = 0;
      return snap_end(c, &s, SQLITE_OK);
    }
    c->skip = 0;
  }
  if (c->state != CUR_VALID) return snap_end(c, &s, SQLITE_DONE);
  rc = do_next(c);
  if (rc == SQLITE_DONE) c->state = CUR_INVALID;
  return snap_end(c, &s, rc);
}

int btree_prev(BtCursor *c) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  if (c->state == CUR_VALID && c->skip) {
    int sk = c->skip;
    c->skip = 0;
    if (sk < 0) return SQLITE_OK;
  }
  if (c->state == CUR_VALID && c->depth >= 0) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.leaf && c->idx[c->depth] > 0) {
      c->idx[c->depth]--;
      return SQLITE_OK;
    }
  }
  if (c->state == CUR_FAULT) return c->fault_rc;
  Snap s;
  snap_take(c, &s);
  int rc = SQLITE_OK;
  if (c->state == CUR_REQUIRESEEK) {
    rc = bt_cursor_restore(c);
    if (rc) return snap_end(c, &s, rc);
    if (c->state != CUR_VALID) return snap_end(c, &s, SQLITE_DONE);
    if (c->skip < 0) {
      c->skip = 0;
      return snap_end(c, &s, SQLITE_OK);
    }
    c->skip = 0;
  }
  if (c->state != CUR_VALID) return snap_end(c, &s, SQLITE_DONE);
  rc = do_prev(c);
  if (rc == SQLITE_DONE) c->state = CUR_INVALID;
  return snap_end(c, &s, rc);
}

/* ---------------------------------------------------------------- seeks */

/* Rowid of a table b-tree cell: a leaf cell starts with its payload size,
** an interior cell with a 4-byte child page number. */
static inline i64 table_cell_key(const u8 *cell, int leaf) {
  const u8 *p = cell + 4;
  if (leaf) {
    int k = 0;
    while (k < 8 && (cell[k] & 0x80)) k++;
    p = cell + k + 1;
  }
  if (p[0] < 0x80) return p[0];
  u64 x;
  varint_get(p, &x);
  return (i64)x;
}

/* Every ancestor of the cursor's page points at its rightmost (edge > 0) or
** leftmost (edge < 0) child. */
static int on_edge(BtCursor *c, int edge) {
  for (int i = 0; i < c->depth; i++) {
    PV v;
    bt_pv(c->pg[i], &v);
    if (c->idx[i] != (edge > 0 ? v.ncell : 0)) return 0;
  }
  return 1;
}

/* First cell in [lo, hi] of a table page with key >= target (hi if none
** before it). */
static int table_search(const PV *v, int lo, int hi, i64 key) {
  while (lo < hi) {
    int mid = (lo + hi) >> 1;
    if (table_cell_key(pv_cell(v, mid), v->leaf) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* A table seek answered on the cursor's current leaf, without fetching or
** releasing a page (so it needs no snapshot): the target is the current
** cell or the next one (a join walking its keys in order), inside the
** leaf's key range (a descent from the root would reach this same leaf:
** the dividers around it bound its keys), before the first cell of the
** leftmost leaf or after the last cell of the rightmost one.  Returns 0 when
** none of that holds and the caller must seek from the root. */
static int seek_within_leaf(BtCursor *c, i64 key, int *res) {
  PV v;
  bt_pv(c->pg[c->depth], &v);
  int cur = c->idx[c->depth];
  if (!v.leaf || !v.intkey || v.ncell == 0 || cur < 0 || cur >= v.ncell) return 0;
  i64 k = table_cell_key(pv_cell(&v, cur), 1);
  int lo, hi;
  if (k == key) {
    *res = 0;
    return 1;
  }
  if (k < key) {
    int last = v.ncell - 1;
    if (cur < last) {
      i64 k2 = table_cell_key(pv_cell(&v, cur + 1), 1);
      if (k2 >= key) {
        c->idx[c->depth] = cur + 1;
        *res = k2 == key ? 0 : 1;
        return 1;
      }
    }
    if (cur == last || table_cell_key(pv_cell(&v, last), 1) < key) {
      if (!on_edge(c, 1)) return 0;
      c->idx[c->depth] = last;
      *res = -1;
      return 1;
    }
    lo = cur + 2; /* cells cur+1 and before are below the key, last is not */
    hi = last;
  } else {
    i64 k0 = cur == 0 ? k : table_cell_key(pv_cell(&v, 0), 1);
    if (k0 >= key) {
      if (k0 > key && !on_edge(c, -1)) return 0;
      c->idx[c->depth] = 0;
      *res = k0 == key ? 0 : 1;
      return 1;
    }
    lo = 1;
    hi = cur;
  }
  lo = table_search(&v, lo, hi, key);
  c->idx[c->depth] = lo;
  *res = table_cell_key(pv_cell(&v, lo), 1) == key ? 0 : 1;
  return 1;
}

static int table_seek(BtCursor *c, i64 key, int *res) {
  Btree *bt = c->bt;
  int rc = move_to_root(c);
  if (rc) return rc;
  for (;;) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (!v.intkey) return corrupt(bt, v.pgno, "not a table b-tree");
    int lo = table_search(&v, 0, v.ncell, key); /* first cell with key >= target */
    if (v.leaf) {
      if (v.ncell == 0) {
        c->idx[c->depth] = 0;
        c->state = CUR_INVALID;
        *res = -1;
        return SQLITE_OK;
      }
      c->state = CUR_VALID;
      if (lo < v.ncell) {
        c->idx[c->depth] = lo;
        *res = table_cell_key(pv_cell(&v, lo), 1) == key ? 0 : 1;
      } else {
        c->idx[c->depth] = v.ncell - 1;
        *res = -1;
      }
      return SQLITE_OK;
    }
    c->idx[c->depth] = lo;
    rc = move_to_child(c, pv_child(&v, lo));
    if (rc) return rc;
  }
}

int btree_table_moveto(BtCursor *c, i64 rowid, int *res) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  if (c->state == CUR_FAULT) return c->fault_rc;
  if (c->state == CUR_VALID && c->depth >= 0 && c->skip == 0 && seek_within_leaf(c, rowid, res))
    return SQLITE_OK;
  Snap s;
  snap_take(c, &s);
  c->skip = 0;
  int rc = table_seek(c, rowid, res);
  if (rc == SQLITE_EMPTY) {
    *res = -1;
    rc = SQLITE_OK;
  }
  return snap_end(c, &s, rc);
}

/* The full key of an index cell (reading overflow into bt->keybuf). */
static inline int cell_full_key(Btree *bt, const PV *v, const u8 *cell, const u8 **key, u32 *n) {
  u8 flags = v->flags;
  /* the common case: an index cell whose key is all on the page */
  const u8 *p = cell + (flags == PTF_INDEX_INTERIOR ? 4 : 0);
  if (p[0] < 0x80 && p[0] <= bt->max_local && flags != PTF_TABLE_LEAF && flags != PTF_TABLE_INTERIOR) {
    if ((u32)(p + 1 - v->a) + p[0] > bt->usable) return corrupt(bt, v->pgno, "cell extends off page");
    *n = p[0];
    *key = p + 1;
    return SQLITE_OK;
  }
  CellInfo ci;
  SHALE_TRY(bt_parse_cell_in(bt, v, cell, &ci));
  *n = ci.npay;
  if (ci.nlocal == ci.npay) {
    *key = ci.pay;
    return SQLITE_OK;
  }
  if (ci.npay > (u32)0x7fffffff - 64) return corrupt(bt, 0, "key size");
  if (bt->akeybuf < ci.npay + 16) {
    u8 *p = sqlite3_realloc64(bt->keybuf, (u64)ci.npay + 64);
    if (!p) return SQLITE_NOMEM;
    bt->keybuf = p;
    bt->akeybuf = ci.npay + 64;
  }
  int rc = bt_read_payload(bt, v, cell, 0, ci.npay, bt->keybuf);
  if (rc) return rc;
  *key = bt->keybuf;
  return SQLITE_OK;
}

static int index_seek(BtCursor *c, BtreeKeyCompare cmp, void *arg, int *res) {
  Btree *bt = c->bt;
  int rc = move_to_root(c);
  if (rc) return rc;
  for (;;) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.intkey) return corrupt(bt, v.pgno, "not an index b-tree");
    int lo = 0, hi = v.ncell, exact = -1, lastcmp = 0;
    while (lo < hi) {
      int mid = (lo + hi) >> 1;
      const u8 *key;
      u32 n;
      const u8 *cell = pv_cell(&v, mid) + (v.leaf ? 0 : 4);
      if (cell[0] < 0x80 && cell[0] <= bt->max_local && (u32)(cell + 1 - v.a) + cell[0] <= bt->usable) {
        n = cell[0]; /* the common case: a short key stored on the page */
        key = cell + 1;
      } else {
        rc = cell_full_key(bt, &v, pv_cell(&v, mid), &key, &n);
        if (rc) return rc;
      }
      int r = cmp(arg, key, (int)n);
      if (r == 0) {
        exact = mid;
        break;
      }
      if (r < 0) lo = mid + 1;
      else {
        hi = mid;
        lastcmp = r;
      }
    }
    SHALE_UNUSED(lastcmp);
    if (exact >= 0) {
      c->idx[c->depth] = exact;
      c->state = CUR_VALID;
      *res = 0;
      return SQLITE_OK;
    }
    if (v.leaf) {
      if (v.ncell == 0) {
        c->idx[c->depth] = 0;
        c->state = CUR_INVALID;
        *res = -1;
        return SQLITE_OK;
      }
      c->state = CUR_VALID;
      if (lo < v.ncell) {
        c->idx[c->depth] = lo;
        *res = 1;
      } else {
        c->idx[c->depth] = v.ncell - 1;
        *res = -1;
      }
      return SQLITE_OK;
    }
    c->idx[c->depth] = lo;
    rc = move_to_child(c, pv_child(&v, lo));
    if (rc) return rc;
  }
}

int btree_index_moveto(BtCursor *c, BtreeKeyCompare cmp, void *arg, int *res) {
  c->cnt_active = 0; /* an explicit move abandons a count in progress */
  if (c->state == CUR_FAULT) return c->fault_rc;
  Snap s;
  snap_take(c, &s);
  c->skip = 0;
  int rc = index_seek(c, cmp, arg, res);
  if (rc == SQLITE_EMPTY) {
    *res = -1;
    rc = SQLITE_OK;
  }
  return snap_end(c, &s, rc);
}

/* ------------------------------------------------- save / restore position */

typedef struct RecArg {
  BtreeRecordCompareFn cmp;
  void *ctx;
  const u8 *key;
  int n;
} RecArg;

static int rec_compare(void *arg, const void *entry, int n) {
  RecArg *r = arg;
  if (r->cmp) return r->cmp(r->ctx, entry, n, r->key, r->n);
  int m = n < r->n ? n : r->n;
  int x = memcmp(entry, r->key, (size_t)m);
  if (x) return x;
  return n - r->n;
}

/* Seek a cursor to a full index key using its record comparator. */
int bt_index_seek_key(BtCursor *c, const u8 *key, int n, int *res) {
  RecArg r = {c->rcmp, c->rcmp_ctx, key, n};
  Snap s;
  snap_take(c, &s);
  c->skip = 0;
  int rc = index_seek(c, rec_compare, &r, res);
  if (rc == SQLITE_EMPTY) {
    *res = -1;
    rc = SQLITE_OK;
  }
  return snap_end(c, &s, rc);
}

int bt_full_key(BtCursor *c, const u8 **key, u32 *n) {
  PV v;
  bt_pv(c->pg[c->depth], &v);
  return cell_full_key(c->bt, &v, pv_cell(&v, c->idx[c->depth]), key, n);
}

/* Save the cursor's key and release its pages (may PENDING reading an
** overflowing key; then nothing changed). */
int bt_cursor_save(BtCursor *c) {
  if (c->state != CUR_VALID) {
    if (c->state == CUR_INVALID) bt_cursor_release(c);
    return SQLITE_OK;
  }
  PV v;
  bt_pv(c->pg[c->depth], &v);
  if (v.intkey) {
    c->nkey = btree_rowid(c);
  } else {
    const u8 *key;
    u32 n;
    int rc = bt_full_key(c, &key, &n);
    if (rc) return rc;
    if (c->akey < n + 1) {
      u8 *p = sqlite3_realloc64(c->key, (u64)n + 32);
      if (!p) return SQLITE_NOMEM;
      c->key = p;
      c->akey = n + 32;
    }
    memcpy(c->key, key, n);
    c->nkey = n;
  }
  bt_cursor_release(c);
  c->state = CUR_REQUIRESEEK;
  /* c->skip stays: a cursor left on the entry after a deleted one (skip > 0,
  ** BTREE_SAVEPOSITION or an earlier restore) must still not step over that
  ** entry once it is found again (SQLite keeps skipNext the same way) */
  return SQLITE_OK;
}

int bt_save_others(Btree *bt, Pgno root, BtCursor *except) {
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    if (c == except || c->root != root) continue;
    if (c->state == CUR_VALID || c->state == CUR_INVALID) {
      c->cnt_active = 0;
      SHALE_TRY(bt_cursor_save(c));
    }
  }
  return SQLITE_OK;
}

/* Re-find a saved position (may PENDING; then the cursor is unchanged).
** Sets skip as SQLite does: the cursor sits on the entry after (skip>0) or
** before (skip<0) the saved key when that key is gone. */
int bt_cursor_restore(BtCursor *c) {
  if (c->state != CUR_REQUIRESEEK) return SQLITE_OK;
  int res = 0, rc, saved_skip = c->skip;
  Snap s;
  snap_take(c, &s);
  if (c->intkey == 1 || c->key == NULL) {
    rc = table_seek(c, c->nkey, &res);
  } else {
    rc = bt_index_seek_key(c, c->key, (int)c->nkey, &res);
  }
  if (rc == SQLITE_EMPTY) rc = SQLITE_OK;
  if (rc) return snap_end(c, &s, rc);
  snap_drop(&s);
  if (c->state != CUR_VALID) c->skip = 0;
  else if (res != 0) c->skip = res; /* the saved entry is gone */
  else c->skip = saved_skip;        /* found again: keep the skip it was saved with */
  return SQLITE_OK;
}

int btree_cursor_restore(BtCursor *c, int *differs) {
  int rc = bt_cursor_restore(c);
  if (differs) *differs = (rc == SQLITE_OK && c->skip != 0);
  return rc;
}

/* ---------------------------------------------------------- reading */

i64 btree_rowid(BtCursor *c) {
  if (c->state == CUR_REQUIRESEEK) return c->nkey;
  if (c->state != CUR_VALID || c->depth < 0) return 0;
  PV v;
  bt_pv(c->pg[c->depth], &v);
  const u8 *p = pv_cell(&v, c->idx[c->depth]);
  if (!v.leaf) p += 4;
  else p += bt_varint_len(p);
  u64 k;
  bt_varint(p, &k);
  return (i64)k;
}

/* Accessors on a cursor whose tree was changed through another cursor
** re-find the position first; that needs no I/O when the path is cached
** (btree_cursor_restore, which may PENDING, is the reliable way). */
static int accessor_restore(BtCursor *c) {
  if (c->state == CUR_REQUIRESEEK) {
    if (bt_cursor_restore(c) != SQLITE_OK) return 0;
  }
  return c->state == CUR_VALID && c->depth >= 0;
}

u32 btree_payload_size(BtCursor *c) {
  if (!accessor_restore(c)) return 0;
  PV v;
  bt_pv(c->pg[c->depth], &v);
  CellInfo ci;
  parse_cell_sizes(c->bt, v.flags, pv_cell(&v, c->idx[c->depth]), &ci);
  return ci.npay;
}

const void *btree_payload_fetch(BtCursor *c, u32 *n_local) {
  *n_local = 0;
  if (!accessor_restore(c)) return NULL;
  PV v;
  bt_pv(c->pg[c->depth], &v);
  CellInfo ci;
  const u8 *cell = pv_cell(&v, c->idx[c->depth]);
  parse_cell_sizes(c->bt, v.flags, cell, &ci);
  /* a cell off the page: nothing local (btree_payload_read reports it) */
  if (!cell_fits(c->bt, v.a, cell, &ci)) return NULL;
  *n_local = ci.nlocal;
  return ci.pay;
}

const void *btree_payload_view(BtCursor *c, u32 *n_total, u32 *n_local) {
  if ((c->state != CUR_VALID || c->depth < 0) && !accessor_restore(c)) {
    *n_total = *n_local = 0;
    return NULL;
  }
  DbPage *dp = c->pg[c->depth];
  u8 *a = (u8 *)pager_data(dp);
  u8 *hdr = a + (pager_pgno(dp) == 1 ? 100 : 0);
  u8 flags = hdr[0];
  const u8 *cell = a + get2byte(hdr + ((flags & 8) ? 8 : 12) + 2 * c->idx[c->depth]);
  if (flags == PTF_TABLE_LEAF || flags == PTF_INDEX_LEAF) {
    /* the common case: a row or key stored entirely on its leaf */
    const u8 *p = cell;
    u32 np;
    if (p[0] < 0x80) np = *p++;
    else p += varint_get32(p, &np);
    if (flags == PTF_INDEX_LEAF) {
      if (np <= c->bt->max_local && (u32)(p - a) + np <= c->bt->usable) {
        *n_total = *n_local = np;
        return p;
      }
    } else {
      int k = 0;
      while (k < 8 && (p[k] & 0x80)) k++; /* skip the rowid varint */
      p += k + 1;
      if (np <= c->bt->max_leaf && (u32)(p - a) + np <= c->bt->usable) {
        *n_total = *n_local = np;
        return p;
      }
    }
  } else if (flags == PTF_INDEX_LEAF) {
    /* an index entry stored entirely on its leaf */
    const u8 *p = cell;
    u32 np;
    if (p[0] < 0x80) np = *p++;
    else p += varint_get32(p, &np);
    if (np <= c->bt->max_local) {
      *n_total = *n_local = np;
      return p;
    }
  }
  CellInfo ci;
  parse_cell_sizes(c->bt, flags, cell, &ci);
  *n_total = ci.npay;
  /* a cell off the page: nothing local (btree_payload_read reports it) */
  if (!cell_fits(c->bt, a, cell, &ci)) return NULL;
  *n_local = ci.nlocal;
  return ci.pay;
}

/* Copy payload bytes [off, off+n) of a cell, following its overflow chain.
** Pages read are released again; a retry after PENDING finds them cached. */
int bt_read_payload(Btree *bt, const PV *v, const u8 *cell, u32 off, u32 n, u8 *buf) {
  CellInfo ci;
  SHALE_TRY(bt_parse_cell_in(bt, v, cell, &ci));
  if ((u64)off + n > ci.npay) return SQLITE_CORRUPT;
  if (off < ci.nlocal) {
    u32 m = ci.nlocal - off;
    if (m > n) m = n;
    memcpy(buf, ci.pay + off, m);
    buf += m;
    off += m;
    n -= m;
  }
  if (n == 0) return SQLITE_OK;
  u32 per = bt->usable - 4;
  u32 pos = ci.nlocal; /* payload offset of the current overflow page */
  Pgno pg = ci.ovfl;
  Pgno limit = pager_page_count(bt->pager);
  u32 guard = 0;
  while (n > 0) {
    if (pg == 0 || pg > limit || ++guard > limit) return corrupt(bt, pg, "overflow chain");
    if (off >= pos + per) {
      /* skip this page without copying: still need its next pointer */
    }
    DbPage *dp;
    int rc = pager_get(bt->pager, pg, &dp, 0);
    if (rc) return rc;
    const u8 *a = pager_data(dp);
    Pgno nx = get4byte(a);
    if (off < pos + per) {
      u32 s = off - pos;
      u32 m = per - s;
      if (m > n) m = n;
      memcpy(buf, a + 4 + s, m);
      buf += m;
      off += m;
      n -= m;
    }
    pager_unref(dp);
    pos += per;
    pg = nx;
  }
  return SQLITE_OK;
}

int btree_payload_read(BtCursor *c, u32 offset, u32 n, void *buf) {
  if (c->state == CUR_REQUIRESEEK) SHALE_TRY(bt_cursor_restore(c));
  if (c->state != CUR_VALID || c->depth < 0) return SQLITE_MISUSE;
  PV v;
  bt_pv(c->pg[c->depth], &v);
  return bt_read_payload(c->bt, &v, pv_cell(&v, c->idx[c->depth]), offset, n, buf);
}

/* ---------------------------------------------------------------- count */

int btree_count(BtCursor *c, i64 *n) {
  int rc;
  if (!c->cnt_active || c->state != CUR_VALID) {
    int empty = 0;
    rc = btree_first(c, &empty);
    if (rc) return rc;
    if (empty) {
      *n = 0;
      return SQLITE_OK;
    }
    c->cnt_acc = 0;
  }
  for (;;) {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.leaf) {
      /* count the whole leaf, then step past it */
      c->cnt_acc += v.ncell;
      c->idx[c->depth] = v.ncell - 1;
    } else {
      c->cnt_acc += 1; /* index interior entry */
    }
    rc = btree_next(c);
    if (rc == SQLITE_DONE) break;
    if (rc) {
      /* undo this page's contribution; the cursor stayed where it was */
      if (v.leaf) c->cnt_acc -= v.ncell;
      else c->cnt_acc -= 1;
      c->cnt_active = 1; /* resume here on the retry */
      return rc;
    }
  }
  c->cnt_active = 0;
  *n = c->cnt_acc;
  return SQLITE_OK;
}
