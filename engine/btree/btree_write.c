/*
** btree_write.c — changing b-trees: cell space management inside a page,
** the freelist (trunk and leaf pages), overflow chains, balancing (quick
** balance for appends, redistribution among up to 3 siblings, root split and
** root collapse), insert, delete, create/clear/drop table.
**
** Every write operation runs in two phases.  GATHER fetches (pager_get) and
** makes writable (pager_write) every page the operation could touch: the
** cursor path, siblings at every level a balance could reach, freelist trunk
** and leaf pages for the worst-case number of allocations, overflow chains to
** free.  Any of that may return SHALE_PENDING, and nothing has changed yet.
** MUTATE then changes bytes using only pages already held and writable
** (looked up without I/O), so it cannot be interrupted.
*/
#include "btree_int.h"

/* ------------------------------------------------------------- helpers */

static int ierr(Btree *bt, const char *what) {
  snprintf(bt->errmsg, sizeof bt->errmsg, "internal b-tree error: %s", what);
  return SQLITE_CORRUPT;
}

/* A page that GATHER made writable (no I/O). */
static DbPage *mpage(Btree *bt, Pgno pg) {
  DbPage *dp = pager_lookup(bt->pager, pg);
  if (!dp) return NULL;
  pager_unref(dp); /* still pinned by bt->held */
  if (!pager_is_writable(dp)) return NULL;
  return dp;
}

static int gather_write(Btree *bt, DbPage *dp) {
  int rc = bt_hold(bt, dp);
  if (rc) return rc;
  return pager_write(dp);
}

static int gather_pgno(Btree *bt, Pgno pg, int tree, int flags) {
  DbPage *dp;
  int rc = tree ? bt_get_page(bt, pg, &dp) : bt_get_raw(bt, pg, &dp, flags);
  if (rc) return rc;
  return gather_write(bt, dp);
}

static u32 hdr_size(u8 flags) { return (flags & 8) ? 8 : 12; }

static void page_zero(Btree *bt, u8 *a, int hdr, u8 flags) {
  memset(a + hdr, 0, hdr_size(flags));
  a[hdr] = flags;
  put2byte(a + hdr + 5, bt->usable & 0xffff);
}

/* Bytes a cell occupies (balances ask this of every cell they move: the
** usual index cell, payload all local, is sized without a full parse). */
static u32 cell_size(Btree *bt, u8 flags, const u8 *cell) {
  if (flags == PTF_INDEX_LEAF || flags == PTF_INDEX_INTERIOR) {
    const u8 *p = flags == PTF_INDEX_INTERIOR ? cell + 4 : cell;
    if (p[0] < 0x80 && p[0] <= bt->max_local) {
      u32 sz = (u32)(p - cell) + 1 + p[0];
      return sz < 4 ? 4 : sz;
    }
  }
  CellInfo ci;
  bt_parse_cell(bt, flags, cell, &ci);
  return ci.size;
}

/* Write cells[0..n) packed at the end of the page; returns how many fit. */
static int page_build(Btree *bt, u8 *a, int hdr, u8 flags, u8 **cells, int *szs, int n,
                      Pgno right) {
  u32 cp = (u32)hdr + hdr_size(flags);
  u32 top = bt->usable;
  int k;
  page_zero(bt, a, hdr, flags);
  for (k = 0; k < n; k++) {
    u32 sz = (u32)szs[k];
    if (top < sz || top - sz < cp + 2u * (u32)(k + 1)) break;
    top -= sz;
    memcpy(a + top, cells[k], sz);
    put2byte(a + cp + 2 * k, top);
  }
  put2byte(a + hdr + 3, (u32)k);
  put2byte(a + hdr + 5, top & 0xffff);
  if (!(flags & 8)) put4byte(a + hdr + 8, right);
  return k;
}

static void defragment(Btree *bt, PV *v) {
  u8 *a = v->a;
  memcpy(bt->tmp, a, bt->usable);
  u32 top = bt->usable;
  for (int i = 0; i < v->ncell; i++) {
    u32 off = get2byte(a + v->cellptr + 2 * i);
    u32 sz = cell_size(bt, v->flags, bt->tmp + off);
    top -= sz;
    memcpy(a + top, bt->tmp + off, sz);
    put2byte(a + v->cellptr + 2 * i, top);
  }
  put2byte(a + v->hdr + 1, 0);
  put2byte(a + v->hdr + 5, top & 0xffff);
  a[v->hdr + 7] = 0;
  u32 end = (u32)v->cellptr + 2u * (u32)v->ncell;
  memset(a + end, 0, top - end);
}

/* Space for a cell of sz bytes (the caller checked nfree >= sz + 2). */
static u32 alloc_space(Btree *bt, PV *v, u32 sz) {
  u8 *a = v->a;
  int h = v->hdr;
  u32 gap = (u32)v->cellptr + 2u * (u32)v->ncell;
  u32 content = get2byte(a + h + 5);
  if (content == 0) content = 65536;
  if (content >= gap + 2 && a[h + 7] <= 57) {
    u32 prev = (u32)h + 1;
    u32 fb = get2byte(a + prev);
    while (fb) {
      u32 fsz = get2byte(a + fb + 2);
      if (fsz >= sz) {
        u32 rem = fsz - sz;
        if (rem < 4) {
          put2byte(a + prev, get2byte(a + fb));
          a[h + 7] = (u8)(a[h + 7] + rem);
          return fb;
        }
        put2byte(a + fb + 2, rem);
        return fb + rem;
      }
      prev = fb;
      fb = get2byte(a + fb);
    }
  }
  if (content >= gap + 2 + sz) {
    content -= sz;
    put2byte(a + h + 5, content & 0xffff);
    return content;
  }
  defragment(bt, v);
  content = get2byte(a + h + 5);
  if (content == 0) content = 65536;
  content -= sz;
  put2byte(a + h + 5, content & 0xffff);
  return content;
}

/* Return [start, start+size) to the page's free space (freeblock list kept
** sorted, neighbours within 3 bytes coalesced, fragments accounted). */
static void free_space(Btree *bt, PV *v, u32 start, u32 size) {
  u8 *a = v->a;
  int h = v->hdr;
  u32 slot = (u32)h + 1, pslot = 0, prevblk = 0;
  u32 fb = get2byte(a + slot);
  while (fb && fb < start) {
    pslot = slot;
    prevblk = fb;
    slot = fb;
    fb = get2byte(a + fb);
  }
  u32 end = start + size;
  int frag = a[h + 7];
  u32 next = fb;
  if (fb && fb <= end + 3) {
    frag -= (int)(fb - end);
    end = fb + get2byte(a + fb + 2);
    next = get2byte(a + fb);
  }
  if (prevblk) {
    u32 pend = prevblk + get2byte(a + prevblk + 2);
    if (pend + 3 >= start) {
      frag -= (int)(start - pend);
      start = prevblk;
      slot = pslot;
    }
  }
  if (frag < 0) frag = 0;
  a[h + 7] = (u8)frag;
  u32 content = get2byte(a + h + 5);
  if (content == 0) content = 65536;
  if (start <= content) {
    /* the block starts the content area: grow the gap instead */
    put2byte(a + slot, next);
    put2byte(a + h + 5, end & 0xffff);
    return;
  }
  put2byte(a + slot, start);
  put2byte(a + start, next);
  put2byte(a + start + 2, end - start);
  SHALE_UNUSED(bt);
}

/* Remove cell idx, whose size is sz, from page v. */
static void drop_cell_sized(Btree *bt, PV *v, int idx, u32 sz) {
  u8 *a = v->a;
  u32 off = get2byte(a + v->cellptr + 2 * idx);
  free_space(bt, v, off, sz);
  memmove(a + v->cellptr + 2 * idx, a + v->cellptr + 2 * idx + 2, (size_t)(2 * (v->ncell - idx - 1)));
  v->ncell--;
  put2byte(a + v->hdr + 3, (u32)v->ncell);
  if (v->ncell == 0) {
    put2byte(a + v->hdr + 1, 0);
    put2byte(a + v->hdr + 5, bt->usable & 0xffff);
    a[v->hdr + 7] = 0;
  }
}

static void drop_cell(Btree *bt, PV *v, int idx) {
  drop_cell_sized(bt, v, idx, cell_size(bt, v->flags, pv_cell(v, idx)));
}

/* Insert a cell; returns 0, or 1 if it does not fit (nothing changed). */
static int insert_cell_raw(Btree *bt, PV *v, int idx, const u8 *cell, u32 sz) {
  if (bt_page_nfree(bt, v) < sz + 2) return 1;
  u32 off = alloc_space(bt, v, sz);
  u8 *a = v->a;
  memcpy(a + off, cell, sz);
  memmove(a + v->cellptr + 2 * idx + 2, a + v->cellptr + 2 * idx, (size_t)(2 * (v->ncell - idx)));
  put2byte(a + v->cellptr + 2 * idx, off);
  v->ncell++;
  put2byte(a + v->hdr + 3, (u32)v->ncell);
  return 0;
}

/* ------------------------------------------------------ overflow cells */

static int page_novfl(Btree *bt, Pgno pg) {
  int n = 0;
  for (int i = 0; i < bt->novfl; i++) n += bt->ovfl[i].pgno == pg;
  return n;
}

static void remove_ovfl(Btree *bt, Pgno pg) {
  int j = 0;
  for (int i = 0; i < bt->novfl; i++)
    if (bt->ovfl[i].pgno != pg) bt->ovfl[j++] = bt->ovfl[i];
  bt->novfl = j;
  if (bt->novfl == 0) bt->narena = 0;
}

static u8 *arena_alloc(Btree *bt, u32 n) {
  if (bt->narena + n > bt->aarena) {
    /* compact: live cells stored in the arena move to its start */
    u32 used = 0;
    for (int i = 0; i < bt->novfl; i++) {
      OvflCell *o = &bt->ovfl[i];
      if (o->cell >= bt->arena && o->cell < bt->arena + bt->aarena) {
        memcpy(bt->tmp + used, o->cell, (size_t)o->sz);
        used += (u32)o->sz;
      }
    }
    u32 at = 0;
    memcpy(bt->arena, bt->tmp, used);
    for (int i = 0; i < bt->novfl; i++) {
      OvflCell *o = &bt->ovfl[i];
      if (o->cell >= bt->arena && o->cell < bt->arena + bt->aarena) {
        o->cell = bt->arena + at;
        at += (u32)o->sz;
      }
    }
    bt->narena = used;
    if (bt->narena + n > bt->aarena) return NULL;
  }
  u8 *p = bt->arena + bt->narena;
  bt->narena += n;
  return p;
}

static int add_ovfl(Btree *bt, Pgno pg, int vidx, const u8 *cell, u32 sz, int copy) {
  if (bt->novfl >= BT_MAX_OVFL) return ierr(bt, "too many overflow cells");
  u8 *p = (u8 *)cell;
  if (copy) {
    p = arena_alloc(bt, sz);
    if (!p) return ierr(bt, "overflow arena full");
    memcpy(p, cell, sz);
  }
  OvflCell *o = &bt->ovfl[bt->novfl++];
  o->pgno = pg;
  o->vidx = vidx;
  o->cell = p;
  o->sz = (int)sz;
  return SQLITE_OK;
}

static int insert_or_ovfl(Btree *bt, PV *v, int idx, const u8 *cell, u32 sz, int copy) {
  if (page_novfl(bt, v->pgno) == 0 && insert_cell_raw(bt, v, idx, cell, sz) == 0) return SQLITE_OK;
  return add_ovfl(bt, v->pgno, idx, cell, sz, copy);
}

/* The virtual cell list of a page (overflow cells merged in); pointers are
** into the page or the overflow cells.  Returns the count or -1. */
static int vcells(Btree *bt, const PV *v, u8 **cells, int *szs, int max) {
  int nov = 0;
  OvflCell *ov[BT_MAX_OVFL];
  for (int i = 0; i < bt->novfl; i++)
    if (bt->ovfl[i].pgno == v->pgno) ov[nov++] = &bt->ovfl[i];
  /* sort by vidx (tiny) */
  for (int i = 1; i < nov; i++)
    for (int j = i; j > 0 && ov[j - 1]->vidx > ov[j]->vidx; j--) {
      OvflCell *t = ov[j];
      ov[j] = ov[j - 1];
      ov[j - 1] = t;
    }
  int tot = v->ncell + nov;
  if (tot > max) return -1;
  int e = 0, r = 0;
  for (int i = 0; i < tot; i++) {
    if (e < nov && ov[e]->vidx == i) {
      cells[i] = ov[e]->cell;
      szs[i] = ov[e]->sz;
      e++;
    } else {
      if (r >= v->ncell) return -1;
      cells[i] = pv_cell(v, r);
      szs[i] = (int)cell_size(bt, v->flags, cells[i]);
      r++;
    }
  }
  return tot;
}

/* ---------------------------------------------------- pointer maps */

#define PTRMAP_ROOTPAGE 1
#define PTRMAP_FREEPAGE 2
#define PTRMAP_OVERFLOW1 3
#define PTRMAP_OVERFLOW2 4
#define PTRMAP_BTREE 5

static int is_ptrmap(Btree *bt, Pgno pg) {
  return bt->autovac && pg >= 2 && bt_ptrmap_page(bt, pg) == pg;
}

/* GATHER the pointer-map page holding pg's entry (once per operation). */
static int gather_ptrmap(Btree *bt, Pgno pg) {
  if (!bt->autovac || pg < 3) return SQLITE_OK;
  Pgno mp = bt_ptrmap_page(bt, pg);
  for (int i = 0; i < bt->npmg; i++)
    if (bt->pmg[i] == mp) return SQLITE_OK;
  int rc;
  if (mp > bt->npage) {
    /* created when the file grows over it (alloc_page zeroes it) */
    DbPage *dp;
    rc = pager_get(bt->pager, mp, &dp, PAGER_GET_NOCONTENT);
    if (!rc) rc = gather_write(bt, dp);
  } else {
    rc = gather_pgno(bt, mp, 0, 0);
  }
  if (rc) return rc;
  if (bt->npmg == bt->apmg) {
    int na = bt->apmg ? bt->apmg * 2 : 16;
    Pgno *p = sqlite3_realloc64(bt->pmg, sizeof(Pgno) * (u64)na);
    if (!p) return SQLITE_NOMEM;
    bt->pmg = p;
    bt->apmg = na;
  }
  bt->pmg[bt->npmg++] = mp;
  return SQLITE_OK;
}

/* GATHER the pointer-map pages of every page a tree page refers to. */
static int gather_ptrmap_refs(Btree *bt, DbPage *dp) {
  if (!bt->autovac) return SQLITE_OK;
  PV v;
  bt_pv(dp, &v);
  for (int i = 0; i < v.ncell; i++) {
    u8 *cell = pv_cell(&v, i);
    if (!v.leaf) SHALE_TRY(gather_ptrmap(bt, get4byte(cell)));
    if (v.flags == PTF_TABLE_INTERIOR) continue;
    CellInfo ci;
    bt_parse_cell(bt, v.flags, cell, &ci);
    if (ci.ovfl) SHALE_TRY(gather_ptrmap(bt, ci.ovfl));
  }
  if (!v.leaf) SHALE_TRY(gather_ptrmap(bt, pv_right(&v)));
  return SQLITE_OK;
}

/* MUTATE: set pg's entry. */
static int ptrmap_put(Btree *bt, Pgno pg, u8 type, Pgno parent) {
  if (!bt->autovac || pg < 3) return SQLITE_OK;
  Pgno mp = bt_ptrmap_page(bt, pg);
  if (mp == pg) return SQLITE_CORRUPT;
  DbPage *dp = mpage(bt, mp);
  if (!dp) return ierr(bt, "pointer-map page not gathered");
  u8 *a = pager_data(dp);
  u32 off = 5 * (pg - mp - 1);
  if (off + 5 > bt->usable) return SQLITE_CORRUPT;
  a[off] = type;
  put4byte(a + off + 1, parent);
  return SQLITE_OK;
}

/* MUTATE: entries of everything a rebuilt tree page refers to. */
static int ptrmap_fix_page(Btree *bt, DbPage *dp) {
  if (!bt->autovac) return SQLITE_OK;
  PV v;
  bt_pv(dp, &v);
  for (int i = 0; i < v.ncell; i++) {
    u8 *cell = pv_cell(&v, i);
    if (!v.leaf) SHALE_TRY(ptrmap_put(bt, get4byte(cell), PTRMAP_BTREE, v.pgno));
    if (v.flags == PTF_TABLE_INTERIOR) continue;
    CellInfo ci;
    bt_parse_cell(bt, v.flags, cell, &ci);
    if (ci.ovfl) SHALE_TRY(ptrmap_put(bt, ci.ovfl, PTRMAP_OVERFLOW1, v.pgno));
  }
  if (!v.leaf) SHALE_TRY(ptrmap_put(bt, pv_right(&v), PTRMAP_BTREE, v.pgno));
  return SQLITE_OK;
}

/* ------------------------------------------------------------ freelist */

/* GATHER for n page allocations (freelist trunks and leaves, or new pages
** at the end of the image). */
static int gather_alloc(Btree *bt, int n) {
  u8 *p1 = pager_data(bt->page1);
  Pgno trunk = get4byte(p1 + 32);
  Pgno guard = 0;
  int rc;
  /* the trunk that is first after the allocations is gathered too: frees
  ** later in the same operation go there */
  while (trunk) {
    if (trunk > bt->npage || ++guard > bt->npage) return SQLITE_CORRUPT;
    DbPage *tp;
    rc = bt_get_raw(bt, trunk, &tp, 0);
    if (rc) return rc;
    rc = gather_write(bt, tp);
    if (rc) return rc;
    const u8 *ta = pager_data(tp);
    u32 nleaf = get4byte(ta + 4);
    if (nleaf > bt->usable / 4 - 2) return SQLITE_CORRUPT;
    u32 take = nleaf < (u32)n ? nleaf : (u32)n;
    for (u32 j = 0; j < take; j++) {
      Pgno lf = get4byte(ta + 8 + 4 * (nleaf - 1 - j));
      if (lf < 2 || lf > bt->npage || is_ptrmap(bt, lf)) return SQLITE_CORRUPT;
      rc = gather_pgno(bt, lf, 0, PAGER_GET_NOCONTENT);
      if (!rc) rc = gather_ptrmap(bt, lf);
      if (rc) return rc;
    }
    rc = gather_ptrmap(bt, trunk);
    if (rc) return rc;
    n -= (int)take;
    if (n == 0) break;
    n--;
    trunk = get4byte(ta);
  }
  Pgno next = bt->npage;
  while (n > 0) {
    next++;
    while (next == bt_pending_page(bt) || is_ptrmap(bt, next)) {
      if (is_ptrmap(bt, next)) {
        DbPage *mp;
        rc = pager_get(bt->pager, next, &mp, PAGER_GET_NOCONTENT);
        if (!rc) rc = gather_write(bt, mp);
        if (rc) return rc;
      }
      next++;
    }
    rc = gather_ptrmap(bt, next);
    if (rc) return rc;
    DbPage *dp;
    rc = pager_get(bt->pager, next, &dp, PAGER_GET_NOCONTENT);
    if (rc) return rc;
    rc = gather_write(bt, dp);
    if (rc) return rc;
    n--;
  }
  return SQLITE_OK;
}

static int gather_trunk(Btree *bt) {
  u8 *p1 = pager_data(bt->page1);
  Pgno trunk = get4byte(p1 + 32);
  if (!trunk) return SQLITE_OK;
  if (trunk > bt->npage) return SQLITE_CORRUPT;
  return gather_pgno(bt, trunk, 0, 0);
}

static int alloc_page(Btree *bt, Pgno *out, DbPage **dpout) {
  u8 *p1 = pager_data(bt->page1);
  Pgno trunk = get4byte(p1 + 32), pg;
  if (trunk) {
    DbPage *tp = mpage(bt, trunk);
    if (!tp) return ierr(bt, "trunk not gathered");
    u8 *ta = pager_data(tp);
    u32 nleaf = get4byte(ta + 4);
    if (nleaf > 0) {
      pg = get4byte(ta + 8 + 4 * (nleaf - 1));
      put4byte(ta + 4, nleaf - 1);
    } else {
      pg = trunk;
      put4byte(p1 + 32, get4byte(ta));
    }
    put4byte(p1 + 36, get4byte(p1 + 36) - 1);
  } else {
    pg = ++bt->npage;
    while (pg == bt_pending_page(bt) || is_ptrmap(bt, pg)) {
      if (is_ptrmap(bt, pg)) {
        DbPage *mp = mpage(bt, pg);
        if (!mp) return ierr(bt, "new pointer-map page not gathered");
        memset(pager_data(mp), 0, bt->pgsz);
      }
      pg = ++bt->npage;
    }
  }
  DbPage *dp = mpage(bt, pg);
  if (!dp) return ierr(bt, "allocated page not gathered");
  ((PgExtra *)pager_extra(dp))->gen = 0;
  *out = pg;
  *dpout = dp;
  return SQLITE_OK;
}

static int free_page(Btree *bt, Pgno pg) {
  u8 *p1 = pager_data(bt->page1);
  Pgno trunk = get4byte(p1 + 32);
  DbPage *dp = pager_lookup(bt->pager, pg);
  if (dp) {
    ((PgExtra *)pager_extra(dp))->gen = 0;
    pager_unref(dp);
  }
  put4byte(p1 + 36, get4byte(p1 + 36) + 1);
  SHALE_TRY(ptrmap_put(bt, pg, PTRMAP_FREEPAGE, 0));
  if (trunk) {
    DbPage *tp = mpage(bt, trunk);
    if (!tp) return ierr(bt, "trunk not gathered");
    u8 *ta = pager_data(tp);
    u32 nleaf = get4byte(ta + 4);
    if (nleaf < bt->usable / 4 - 8) {
      put4byte(ta + 8 + 4 * nleaf, pg);
      put4byte(ta + 4, nleaf + 1);
      return SQLITE_OK;
    }
  }
  dp = mpage(bt, pg);
  if (!dp) return ierr(bt, "freed page not gathered");
  u8 *a = pager_data(dp);
  put4byte(a, trunk);
  put4byte(a + 4, 0);
  put4byte(p1 + 32, pg);
  return SQLITE_OK;
}

/* ---------------------------------------------------- overflow chains */

static u32 n_ovfl_pages(Btree *bt, u32 npay, u32 nlocal) {
  if (npay <= nlocal) return 0;
  u32 per = bt->usable - 4;
  return (npay - nlocal + per - 1) / per;
}

/* GATHER an overflow chain that will be freed. */
static int gather_chain(Btree *bt, u8 flags, const u8 *cell) {
  CellInfo ci;
  bt_parse_cell(bt, flags, cell, &ci);
  u32 n = n_ovfl_pages(bt, ci.npay, ci.nlocal);
  Pgno pg = ci.ovfl;
  for (u32 i = 0; i < n; i++) {
    if (pg < 2 || pg > bt->npage) return SQLITE_CORRUPT;
    DbPage *dp;
    int rc = bt_get_raw(bt, pg, &dp, 0);
    if (rc) return rc;
    rc = gather_write(bt, dp);
    if (!rc) rc = gather_ptrmap(bt, pg);
    if (rc) return rc;
    pg = get4byte((u8 *)pager_data(dp));
  }
  return SQLITE_OK;
}

static int free_chain(Btree *bt, u8 flags, const u8 *cell) {
  CellInfo ci;
  bt_parse_cell(bt, flags, cell, &ci);
  u32 n = n_ovfl_pages(bt, ci.npay, ci.nlocal);
  Pgno pg = ci.ovfl;
  for (u32 i = 0; i < n; i++) {
    DbPage *dp = mpage(bt, pg);
    if (!dp) return ierr(bt, "overflow page not gathered");
    Pgno nx = get4byte((u8 *)pager_data(dp));
    SHALE_TRY(free_page(bt, pg));
    pg = nx;
  }
  return SQLITE_OK;
}

/* --------------------------------------------------------- the new cell */

typedef struct NewCell {
  u8 *cell; /* cell start (leaf format; interior format = cell - 4) */
  u32 sz;   /* leaf-format size */
  u32 hdrlen, npay, nlocal, novfl;
} NewCell;

static void pay_copy(const BtreePayload *p, int intkey, u32 off, u32 n, u8 *dst) {
  if (!intkey) {
    memcpy(dst, (const u8 *)p->key + off, n);
    return;
  }
  u32 nd = (u32)p->n_data;
  if (off < nd) {
    u32 m = nd - off < n ? nd - off : n;
    memcpy(dst, (const u8 *)p->data + off, m);
    dst += m;
    off += m;
    n -= m;
  }
  if (n) memset(dst, 0, n);
}

static void build_cell(Btree *bt, int intkey, const BtreePayload *p, NewCell *nc) {
  u8 *c = bt->cellbuf + 4;
  u32 h;
  u8 flags = intkey ? PTF_TABLE_LEAF : PTF_INDEX_LEAF;
  u32 P = intkey ? (u32)p->n_data + (u32)(p->n_zero > 0 ? p->n_zero : 0) : (u32)p->n_key;
  h = (u32)varint_put(c, P);
  if (intkey) h += (u32)varint_put(c + h, (u64)p->n_key);
  u32 local = bt_local_size(bt, flags, P);
  pay_copy(p, intkey, 0, local, c + h);
  u32 sz = h + local;
  if (local < P) {
    put4byte(c + sz, 0);
    sz += 4;
  }
  while (sz < 4) c[sz++] = 0;
  nc->cell = c;
  nc->sz = sz;
  nc->hdrlen = h;
  nc->npay = P;
  nc->nlocal = local;
  nc->novfl = n_ovfl_pages(bt, P, local);
}

/* MUTATE: allocate and fill the overflow chain of the new cell. */
static int write_chain(Btree *bt, const BtreePayload *p, int intkey, NewCell *nc, Pgno owner) {
  if (!nc->novfl) return SQLITE_OK;
  Pgno prevpg = 0;
  u8 *ptr = nc->cell + nc->hdrlen + nc->nlocal;
  u32 off = nc->nlocal, per = bt->usable - 4;
  while (off < nc->npay) {
    Pgno pg;
    DbPage *dp;
    SHALE_TRY(alloc_page(bt, &pg, &dp));
    SHALE_TRY(ptrmap_put(bt, pg, prevpg ? PTRMAP_OVERFLOW2 : PTRMAP_OVERFLOW1, prevpg ? prevpg : owner));
    prevpg = pg;
    put4byte(ptr, pg);
    u8 *a = pager_data(dp);
    u32 m = nc->npay - off < per ? nc->npay - off : per;
    put4byte(a, 0);
    pay_copy(p, intkey, off, m, a + 4);
    if (m < per) memset(a + 4 + m, 0, per - m);
    if (bt->pgsz > bt->usable) memset(a + bt->usable, 0, bt->pgsz - bt->usable);
    ptr = a;
    off += m;
  }
  return SQLITE_OK;
}

/* --------------------------------------------------------------- balance */

typedef struct BalPath {
  int depth;
  Pgno pg[BT_MAX_DEPTH + 2];
  int idx[BT_MAX_DEPTH + 2]; /* child index taken at each interior level */
  u8 mb[BT_MAX_DEPTH + 2];   /* GATHER prepared a balance at this level */
  u8 touched[BT_MAX_DEPTH + 2];
  int balanced;
  u8 append; /* BTREE_APPEND insert: pack left siblings full (SQLite's bulk load) */
} BalPath;

/* The siblings a balance works on (SQLite's choice): up to three around the
** child; two for a bulk load (BTREE_APPEND), so that at the right edge only
** the last two children take part and the pages before stay as they are. */
static void sib_range(int np, int pidx, int bulk, int *first, int *nold) {
  if (np < 2) {
    *first = 0;
    *nold = np + 1;
    return;
  }
  if (pidx == 0) *first = 0;
  else if (pidx == np) *first = np - 2 + bulk;
  else *first = pidx - 1;
  *nold = 3 - bulk;
}

static u32 max_divider(Btree *bt, int intkey) { return intkey ? 13 : bt->max_local + 26; }

/* GATHER the siblings of path level L (children of its parent). */
static int gather_siblings(Btree *bt, BalPath *bp, int L, u8 flags) {
  DbPage *pp = mpage(bt, bp->pg[L - 1]);
  if (!pp) return ierr(bt, "parent not gathered");
  PV pv;
  bt_pv(pp, &pv);
  int first, nold;
  sib_range(pv.ncell, bp->idx[L - 1], bp->append, &first, &nold);
  for (int j = 0; j < nold; j++) {
    Pgno cp = pv_child(&pv, first + j);
    /* a corrupt tree could name an ancestor or the same page twice */
    for (int a = 0; a < L; a++)
      if (bp->pg[a] == cp) return SQLITE_CORRUPT;
    for (int b = 0; b < j; b++)
      if (pv_child(&pv, first + b) == cp) return SQLITE_CORRUPT;
    DbPage *dp;
    int rc = bt_get_page(bt, cp, &dp);
    if (rc) return rc;
    rc = gather_write(bt, dp);
    if (rc) return rc;
    PV cv;
    bt_pv(dp, &cv);
    if (cv.flags != flags || cp == 1) return SQLITE_CORRUPT;
    SHALE_TRY(gather_ptrmap_refs(bt, dp));
  }
  SHALE_TRY(gather_ptrmap_refs(bt, pp));
  return SQLITE_OK;
}

/* GATHER for balancing: mb[depth..] already set for the levels the change
** itself may unbalance; cascade upward pessimistically; returns the number
** of page allocations to prepare. */
static int gather_balance(Btree *bt, BalPath *bp, int *nalloc) {
  int intkey = 0;
  u32 U = bt->usable;
  *nalloc = 0;
  for (int L = bp->depth; L >= 0; L--) {
    DbPage *dp = mpage(bt, bp->pg[L]);
    if (!dp) return ierr(bt, "path page not gathered");
    PV v;
    bt_pv(dp, &v);
    intkey = v.intkey;
    if (!bp->mb[L]) continue;
    *nalloc += 3;
    if (L == 0) {
      SHALE_TRY(gather_ptrmap_refs(bt, dp));
      break;
    }
    SHALE_TRY(gather_siblings(bt, bp, L, v.flags));
    DbPage *pp = mpage(bt, bp->pg[L - 1]);
    PV pv;
    bt_pv(pp, &pv);
    u32 nf = bt_page_nfree(bt, &pv);
    u32 risk = 4 * (max_divider(bt, intkey) + 2) + 16;
    if (nf < risk || nf + risk > U * 2 / 3 || (L - 1 == 0 && pv.ncell <= 2)) bp->mb[L - 1] = 1;
  }
  return SQLITE_OK;
}

static int balance_deeper(Btree *bt, BalPath *bp) {
  DbPage *rp = mpage(bt, bp->pg[0]);
  if (!rp) return ierr(bt, "root not gathered");
  PV rv;
  bt_pv(rp, &rv);
  int n = vcells(bt, &rv, bt->pcell, bt->psz, bt->apcell);
  if (n < 0) return ierr(bt, "root cells");
  u32 used = 0;
  for (int i = 0; i < n; i++) {
    memcpy(bt->ptmp + used, bt->pcell[i], (size_t)bt->psz[i]);
    bt->pcell[i] = bt->ptmp + used;
    used += (u32)bt->psz[i];
  }
  remove_ovfl(bt, rv.pgno);
  Pgno cpg;
  DbPage *cp;
  SHALE_TRY(alloc_page(bt, &cpg, &cp));
  u8 *ca = pager_data(cp);
  Pgno right = rv.leaf ? 0 : pv_right(&rv);
  int k = page_build(bt, ca, 0, rv.flags, bt->pcell, bt->psz, n, right);
  ((PgExtra *)pager_extra(cp))->gen = bt->gen;
  for (int i = k; i < n; i++) SHALE_TRY(add_ovfl(bt, cpg, i, bt->pcell[i], (u32)bt->psz[i], 1));
  u8 nflags = rv.flags & ~8;
  page_zero(bt, rv.a, rv.hdr, nflags);
  put4byte(rv.a + rv.hdr + 8, cpg);
  SHALE_TRY(ptrmap_fix_page(bt, cp));
  SHALE_TRY(ptrmap_put(bt, cpg, PTRMAP_BTREE, rv.pgno));
  {
    u32 cpt = (u32)rv.hdr + 12;
    memset(rv.a + cpt, 0, bt->usable - cpt);
  }
  /* the new child sits between the root and the rest of the path */
  for (int L = bp->depth + 1; L >= 2; L--) {
    bp->pg[L] = bp->pg[L - 1];
    bp->idx[L] = bp->idx[L - 1];
    bp->mb[L] = bp->mb[L - 1];
    bp->touched[L] = bp->touched[L - 1];
  }
  bp->depth++;
  bp->pg[1] = cpg;
  bp->idx[0] = 0;
  bp->mb[1] = 1;
  bp->touched[1] = 1;
  return SQLITE_OK;
}

/* Root is an interior page with no cells: pull its only child up. */
static int balance_shallower(Btree *bt, BalPath *bp) {
  DbPage *rp = mpage(bt, bp->pg[0]);
  PV rv;
  bt_pv(rp, &rv);
  Pgno cpg = pv_right(&rv);
  DbPage *cp = mpage(bt, cpg);
  if (!cp) return SQLITE_OK; /* child not prepared: leave as is (valid) */
  PV cv;
  bt_pv(cp, &cv);
  if (cv.flags != (rv.flags | 8) && cv.flags != rv.flags) return SQLITE_OK;
  u32 need = hdr_size(cv.flags) + (u32)rv.hdr;
  for (int i = 0; i < cv.ncell; i++) need += cell_size(bt, cv.flags, pv_cell(&cv, i)) + 2;
  if (need > bt->usable) return SQLITE_OK;
  int n = vcells(bt, &cv, bt->pcell, bt->psz, bt->apcell);
  if (n < 0) return ierr(bt, "child cells");
  Pgno right = cv.leaf ? 0 : pv_right(&cv);
  int k = page_build(bt, rv.a, rv.hdr, cv.flags, bt->pcell, bt->psz, n, right);
  if (k != n) return ierr(bt, "shallower");
  SHALE_TRY(free_page(bt, cpg));
  return ptrmap_fix_page(bt, rp);
}

static int balance_quick(Btree *bt, BalPath *bp, int L) {
  DbPage *lp = mpage(bt, bp->pg[L]), *pp = mpage(bt, bp->pg[L - 1]);
  PV lv, pv;
  bt_pv(lp, &lv);
  bt_pv(pp, &pv);
  OvflCell oc = {0, 0, NULL, 0};
  for (int i = 0; i < bt->novfl; i++)
    if (bt->ovfl[i].pgno == lv.pgno) oc = bt->ovfl[i];
  remove_ovfl(bt, lv.pgno);
  Pgno npg;
  DbPage *np;
  SHALE_TRY(alloc_page(bt, &npg, &np));
  u8 *cells[1] = {oc.cell};
  int szs[1] = {oc.sz};
  page_build(bt, pager_data(np), 0, lv.flags, cells, szs, 1, 0);
  ((PgExtra *)pager_extra(np))->gen = bt->gen;
  /* divider: (old leaf, largest key on it) at the end of the parent */
  CellInfo ci;
  bt_parse_cell(bt, lv.flags, pv_cell(&lv, lv.ncell - 1), &ci);
  u8 div[16];
  put4byte(div, lv.pgno);
  u32 dsz = 4 + (u32)varint_put(div + 4, (u64)ci.key);
  put4byte(pv.a + pv.hdr + 8, npg);
  SHALE_TRY(ptrmap_fix_page(bt, np));
  SHALE_TRY(ptrmap_put(bt, npg, PTRMAP_BTREE, pv.pgno));
  return insert_or_ovfl(bt, &pv, pv.ncell, div, dsz, 1);
}

/* Appending to an index in key order (BTREE_APPEND: CREATE INDEX, VACUUM):
** the new cell went past the end of the rightmost leaf.  It moves alone to a
** new rightmost leaf and the old leaf's last cell becomes the divider in the
** parent.  This is what SQLite's bulk-load balance (two siblings, no cells
** shifted left) produces, without rebuilding any page. */
static int balance_quick_index(Btree *bt, BalPath *bp, int L, const OvflCell *oc) {
  DbPage *lp = mpage(bt, bp->pg[L]), *pp = mpage(bt, bp->pg[L - 1]);
  PV lv, pv;
  bt_pv(lp, &lv);
  bt_pv(pp, &pv);
  OvflCell nc = *oc;
  remove_ovfl(bt, lv.pgno); /* nc.cell stays readable until the next arena use */
  Pgno npg;
  DbPage *np;
  SHALE_TRY(alloc_page(bt, &npg, &np));
  u8 *cells[1] = {nc.cell};
  int szs[1] = {nc.sz};
  page_build(bt, pager_data(np), 0, lv.flags, cells, szs, 1, 0);
  ((PgExtra *)pager_extra(np))->gen = bt->gen;
  /* divider: (old leaf, its last cell), copied out before the cell is dropped */
  u8 *div = bt->ptmp;
  u8 *last = pv_cell(&lv, lv.ncell - 1);
  u32 lsz = cell_size(bt, lv.flags, last);
  if (lsz + 4 > bt->aptmp) return ierr(bt, "divider copy");
  put4byte(div, lv.pgno);
  memcpy(div + 4, last, lsz);
  drop_cell(bt, &lv, lv.ncell - 1);
  put4byte(pv.a + pv.hdr + 8, npg);
  SHALE_TRY(ptrmap_fix_page(bt, np));
  SHALE_TRY(ptrmap_put(bt, npg, PTRMAP_BTREE, pv.pgno));
  SHALE_TRY(insert_or_ovfl(bt, &pv, pv.ncell, div, lsz + 4, 1));
  /* the divider's overflow chain now belongs to the parent */
  if (!page_novfl(bt, pv.pgno)) SHALE_TRY(ptrmap_fix_page(bt, pp));
  return SQLITE_OK;
}

/* Bulk load at the right edge: would the left sibling of the last child
** take the divider (SQLite's redistribution fills it first)?  Then the full
** two-sibling balance runs instead of balance_quick_index. */
static int left_takes_divider(Btree *bt, const PV *pv) {
  if (pv->ncell == 0) return 0;
  const u8 *d = pv_cell(pv, pv->ncell - 1);
  DbPage *lp = mpage(bt, get4byte(d));
  if (!lp) return 1; /* not gathered: let the general balance decide */
  PV lv;
  bt_pv(lp, &lv);
  return bt_page_nfree(bt, &lv) >= cell_size(bt, pv->flags, d) - 4 + 2;
}

static int balance_nonroot(Btree *bt, BalPath *bp, int L) {
  u32 U = bt->usable;
  DbPage *pp = mpage(bt, bp->pg[L - 1]);
  if (!pp) return ierr(bt, "parent not gathered");
  PV pv;
  bt_pv(pp, &pv);
  /* 1. parent cells, copied out of the page */
  int np = vcells(bt, &pv, bt->pcell, bt->psz, bt->apcell - 8);
  if (np < 0) return ierr(bt, "parent cells");
  u32 used = 0;
  for (int i = 0; i < np; i++) {
    if (used + (u32)bt->psz[i] > bt->aptmp) return ierr(bt, "parent copy");
    memcpy(bt->ptmp + used, bt->pcell[i], (size_t)bt->psz[i]);
    bt->pcell[i] = bt->ptmp + used;
    used += (u32)bt->psz[i];
  }
  Pgno pright = pv_right(&pv);
  remove_ovfl(bt, pv.pgno);
  int first, nold;
  sib_range(np, bp->idx[L - 1], bp->append, &first, &nold);
  Pgno oldpg[3];
  PV sv[3];
  for (int j = 0; j < nold; j++) {
    oldpg[j] = first + j < np ? get4byte(bt->pcell[first + j]) : pright;
    DbPage *dp = mpage(bt, oldpg[j]);
    if (!dp) return ierr(bt, "sibling not gathered");
    bt_pv(dp, &sv[j]);
  }
  u8 flags = sv[0].flags;
  int leaf = (flags & 8) != 0, leafint = flags == PTF_TABLE_LEAF;
  for (int j = 1; j < nold; j++)
    if (sv[j].flags != flags) return SQLITE_CORRUPT;
  /* 2. all cells of the siblings (and the dividers) into bt->bal */
  int n = 0;
  u32 bused = 0;
  Pgno lastright = 0;
  for (int j = 0; j < nold; j++) {
    u8 **vc = bt->bcell + n;
    int *vs = bt->bsz + n;
    int m = vcells(bt, &sv[j], vc, vs, bt->abcell - n - 8);
    if (m < 0) return ierr(bt, "sibling cells");
    for (int i = 0; i < m; i++) {
      if (bused + (u32)vs[i] > bt->abal) return ierr(bt, "balance buffer");
      memcpy(bt->bal + bused, vc[i], (size_t)vs[i]);
      vc[i] = bt->bal + bused;
      bused += (u32)vs[i];
    }
    n += m;
    remove_ovfl(bt, sv[j].pgno);
    Pgno rp = leaf ? 0 : pv_right(&sv[j]);
    if (j == nold - 1) {
      lastright = rp;
    } else if (!leafint) {
      u8 *d = bt->pcell[first + j];
      int dsz = bt->psz[first + j];
      u8 *dst = bt->bal + bused;
      u32 sz;
      if (leaf) {
        sz = cell_size(bt, flags, d + 4);
        memcpy(dst, d + 4, sz);
      } else {
        sz = (u32)dsz;
        memcpy(dst, d, sz);
        put4byte(dst, rp);
      }
      bused += sz;
      bt->bcell[n] = dst;
      bt->bsz[n] = (int)sz;
      n++;
    }
  }
  /* 3. distribution */
  u32 cap = U - hdr_size(flags);
  int st[8], en[8], k = 0, i = 0;
  while (i < n) {
    if (k >= 7) return ierr(bt, "too many pages");
    st[k] = i;
    u32 u = 0;
    while (i < n && u + (u32)bt->bsz[i] + 2 <= cap) {
      u += (u32)bt->bsz[i] + 2;
      i++;
    }
    if (i == st[k]) return SQLITE_CORRUPT;
    en[k] = i;
    k++;
    if (!leafint && i < n) {
      i++;
      if (i == n) {
        if (en[k - 1] - st[k - 1] < 2) return ierr(bt, "distribution");
        en[k - 1]--;
        i = en[k - 1] + 1;
      }
    }
  }
  if (k == 0) {
    st[0] = en[0] = 0;
    k = 1;
  }
  for (int b = k - 1; b >= 1; b--) {
    /* running sums: recomputing them per moved cell was quadratic */
    u32 left = 0, right = 0;
    for (int x = st[b - 1]; x < en[b - 1]; x++) left += (u32)bt->bsz[x] + 2;
    for (int x = st[b]; x < en[b]; x++) right += (u32)bt->bsz[x] + 2;
    for (;;) {
      if (en[b - 1] - st[b - 1] < 2) break;
      /* appending in key order: leave the left pages full, or every few
      ** appends would re-balance the nearly full rightmost siblings */
      if (bp->append && right > 0) break;
      u32 nl, nr;
      if (leafint) {
        u32 s = (u32)bt->bsz[en[b - 1] - 1] + 2;
        nl = left - s;
        nr = right + s;
      } else {
        nl = left - ((u32)bt->bsz[en[b - 1] - 1] + 2);
        nr = right + (u32)bt->bsz[en[b - 1]] + 2;
      }
      if (nr > cap || nr > nl) break;
      en[b - 1]--;
      st[b]--;
      left = nl;
      right = nr;
    }
  }
  /* 4. page numbers: reuse the old siblings, allocate or free the rest */
  Pgno newpg[8];
  DbPage *newdp[8];
  for (int j = 0; j < k; j++) {
    if (j < nold) {
      newpg[j] = oldpg[j];
      newdp[j] = mpage(bt, oldpg[j]);
    } else {
      SHALE_TRY(alloc_page(bt, &newpg[j], &newdp[j]));
    }
  }
  for (int a = 1; a < k; a++)
    for (int b = a; b > 0 && newpg[b - 1] > newpg[b]; b--) {
      Pgno t = newpg[b];
      newpg[b] = newpg[b - 1];
      newpg[b - 1] = t;
      DbPage *td = newdp[b];
      newdp[b] = newdp[b - 1];
      newdp[b - 1] = td;
    }
  /* 5. write the siblings and build the new dividers */
  u8 *divc[8];
  int divs[8];
  for (int j = 0; j < k; j++) {
    Pgno right = 0;
    if (!leaf) right = j < k - 1 ? get4byte(bt->bcell[en[j]]) : lastright;
    u8 *a = pager_data(newdp[j]);
    int w = page_build(bt, a, 0, flags, bt->bcell + st[j], bt->bsz + st[j], en[j] - st[j], right);
    if (w != en[j] - st[j]) return ierr(bt, "sibling overfull");
    ((PgExtra *)pager_extra(newdp[j]))->gen = bt->gen;
    if (j == k - 1) break;
    u8 *dst = bt->bal + bused;
    if (bused + U / 2 + 32 > bt->abal) return ierr(bt, "balance buffer");
    u32 sz;
    if (leafint) {
      CellInfo ci;
      bt_parse_cell(bt, flags, bt->bcell[en[j] - 1], &ci);
      put4byte(dst, newpg[j]);
      sz = 4 + (u32)varint_put(dst + 4, (u64)ci.key);
    } else if (leaf) {
      u32 lsz = (u32)bt->bsz[en[j]];
      put4byte(dst, newpg[j]);
      memcpy(dst + 4, bt->bcell[en[j]], lsz);
      sz = cell_size(bt, PTF_INDEX_INTERIOR, dst);
    } else {
      sz = (u32)bt->bsz[en[j]];
      memcpy(dst, bt->bcell[en[j]], sz);
      put4byte(dst, newpg[j]);
    }
    bused += sz;
    divc[j] = dst;
    divs[j] = (int)sz;
  }
  for (int j = k; j < nold; j++) SHALE_TRY(free_page(bt, oldpg[j]));
  /* 6. the parent: cells before, new dividers, cells after */
  int tail = np - (first + nold - 1);
  int nn = first + (k - 1) + tail;
  if (nn > bt->apcell) return ierr(bt, "parent cell array");
  memmove(bt->pcell + first + (k - 1), bt->pcell + first + nold - 1, sizeof(u8 *) * (size_t)tail);
  memmove(bt->psz + first + (k - 1), bt->psz + first + nold - 1, sizeof(int) * (size_t)tail);
  for (int j = 0; j < k - 1; j++) {
    bt->pcell[first + j] = divc[j];
    bt->psz[first + j] = divs[j];
  }
  Pgno nright = pright;
  if (tail > 0) put4byte(bt->pcell[first + k - 1], newpg[k - 1]);
  else nright = newpg[k - 1];
  int w = page_build(bt, pv.a, pv.hdr, pv.flags, bt->pcell, bt->psz, nn, nright);
  ((PgExtra *)pager_extra(pp))->gen = bt->gen;
  for (int j = 0; j < k; j++) SHALE_TRY(ptrmap_fix_page(bt, newdp[j]));
  SHALE_TRY(ptrmap_fix_page(bt, pp));
  for (int x = w; x < nn; x++) SHALE_TRY(add_ovfl(bt, pv.pgno, x, bt->pcell[x], (u32)bt->psz[x], 1));
  return SQLITE_OK;
}

/* MUTATE: rebalance every touched level, bottom up. */
static int balance(Btree *bt, BalPath *bp) {
  u32 U = bt->usable;
  for (int L = bp->depth; L >= 0; L--) {
    if (!bp->touched[L]) continue;
    DbPage *dp = mpage(bt, bp->pg[L]);
    if (!dp) return ierr(bt, "balance page not gathered");
    PV v;
    bt_pv(dp, &v);
    int nov = page_novfl(bt, v.pgno);
    if (L == 0) {
      if (nov) {
        if (!bp->mb[0]) return ierr(bt, "root split not prepared");
        SHALE_TRY(balance_deeper(bt, bp));
        bp->balanced = 1;
        L = 2; /* continue with the new level 1 */
        continue;
      }
      if (!v.leaf && v.ncell == 0) {
        SHALE_TRY(balance_shallower(bt, bp));
        bp->balanced = 1;
      }
      break;
    }
    if (nov == 0 && bt_page_nfree(bt, &v) <= U * 2 / 3) continue;
    if (!bp->mb[L]) {
      if (nov) return ierr(bt, "balance not prepared");
      continue; /* underfull pages are legal */
    }
    bp->balanced = 1;
    DbPage *pp = mpage(bt, bp->pg[L - 1]);
    PV pv;
    bt_pv(pp, &pv);
    if (v.flags == PTF_TABLE_LEAF && nov == 1 && v.ncell > 0 &&
        page_novfl(bt, pv.pgno) == 0 && bp->idx[L - 1] == pv.ncell) {
      int quick = 0;
      for (int i = 0; i < bt->novfl; i++)
        if (bt->ovfl[i].pgno == v.pgno && bt->ovfl[i].vidx == v.ncell) quick = 1;
      if (quick) {
        SHALE_TRY(balance_quick(bt, bp, L));
        bp->touched[L - 1] = 1;
        continue;
      }
    }
    if (v.flags == PTF_INDEX_LEAF && bp->append && nov == 1 && v.ncell >= 2 &&
        page_novfl(bt, pv.pgno) == 0 && bp->idx[L - 1] == pv.ncell) {
      const OvflCell *oc = NULL;
      for (int i = 0; i < bt->novfl; i++)
        if (bt->ovfl[i].pgno == v.pgno && bt->ovfl[i].vidx == v.ncell) oc = &bt->ovfl[i];
      if (oc && !left_takes_divider(bt, &pv)) {
        SHALE_TRY(balance_quick_index(bt, bp, L, oc));
        bp->touched[L - 1] = 1;
        continue;
      }
    }
    SHALE_TRY(balance_nonroot(bt, bp, L));
    bp->touched[L - 1] = 1;
  }
  if (bt->novfl) return ierr(bt, "overflow cells left");
  return SQLITE_OK;
}

/* ------------------------------------------------------------ op frame */

static int write_ok(BtCursor *c) {
  Btree *bt = c->bt;
  if (bt->clr.active) bt_clear_reset(bt);
  if (bt->txn != 2) return SQLITE_READONLY;
  if (bt->av_readonly) return SQLITE_READONLY;
  if (!c->wrflag) return SQLITE_READONLY;
  if (c->state == CUR_FAULT) return c->fault_rc;
  return bt_scratch(bt);
}

/* Finish an operation: release gathered pages; drop unused growth. */
static int op_end(Btree *bt, int rc) {
  bt_release_held(bt);
  bt->npmg = 0;
  if (rc != SQLITE_OK) bt->novfl = 0;
  if (bt->txn == 2 && pager_page_count(bt->pager) > bt->npage)
    pager_truncate_image(bt->pager, bt->npage);
  return rc;
}

/* Hold and make writable the cursor's path pages and page 1. */
static int gather_path(BtCursor *c, BalPath *bp) {
  Btree *bt = c->bt;
  SHALE_TRY(pager_write(bt->page1));
  bp->depth = c->depth;
  for (int i = 0; i <= c->depth; i++) {
    pager_ref(c->pg[i]);
    SHALE_TRY(gather_write(bt, c->pg[i]));
    bp->pg[i] = pager_pgno(c->pg[i]);
    bp->idx[i] = c->idx[i];
    bp->mb[i] = 0;
    bp->touched[i] = 0;
  }
  bp->balanced = 0;
  bp->append = 0;
  return SQLITE_OK;
}

/* Seek for insert with the cursor's own comparator (index) or rowid. */
int bt_index_seek_key(BtCursor *c, const u8 *key, int n, int *res);

int btree_insert(BtCursor *c, const BtreePayload *p, int flags, int seek_result) {
  Btree *bt = c->bt;
  int rc = write_ok(c);
  if (rc) return rc;
  int res = seek_result;
  if (c->state == CUR_REQUIRESEEK || c->state == CUR_INVALID || c->depth < 0) res = 0;
  if (c->intkey == 2) {
    /* tree type not known yet: read the root (may PENDING; no change) */
    DbPage *rp;
    rc = bt_get_page(bt, c->root, &rp);
    if (rc) return rc;
    PV rv;
    bt_pv(rp, &rv);
    c->intkey = rv.intkey;
    pager_unref(rp);
  }
  int intkey = c->intkey == 1;
  if (!intkey && p->n_key < 0) return SQLITE_MISUSE;
  if (intkey && (p->n_data < 0)) return SQLITE_MISUSE;
  /* 1. position (a cursor move: restores itself on PENDING) */
  if (res == 0) {
    if (intkey) rc = btree_table_moveto(c, p->n_key, &res);
    else rc = bt_index_seek_key(c, p->key, (int)p->n_key, &res);
    if (rc) return rc;
  }
  if (c->depth < 0) return SQLITE_CORRUPT;
  /* 2. the new cell */
  NewCell nc;
  build_cell(bt, intkey, p, &nc);
  /* Overwrite in place: a table row replaced by one whose cell has the same
  ** size, neither with overflow pages.  Only the leaf changes and every cell
  ** stays where it is, so other cursors keep their positions. */
  if (intkey && res == 0 && c->state == CUR_VALID && nc.novfl == 0) {
    DbPage *ldp = c->pg[c->depth];
    PV lv;
    bt_pv(ldp, &lv);
    if (lv.leaf && lv.ncell > 0) {
      u8 *oc = pv_cell(&lv, c->idx[c->depth]);
      CellInfo ci; /* the leaf may not be checked completely yet */
      if (bt_parse_cell_in(bt, &lv, oc, &ci) == SQLITE_OK && ci.key == p->n_key &&
          ci.ovfl == 0 && ci.nlocal == ci.npay && ci.size == nc.sz &&
          (u32)(oc - lv.a) + nc.sz <= bt->usable) {
        rc = pager_write(bt->page1); /* as gather_path: the commit updates the header */
        if (!rc) rc = pager_write(ldp);
        if (rc) return rc; /* nothing changed yet */
        memcpy(oc, nc.cell, nc.sz);
        bt->dirty = 1;
        c->skip = 0;
        return SQLITE_OK;
      }
    }
  }
  /* Fits on its leaf: a new cell (not a replacement) without overflow pages
  ** changes only the leaf (and page 1's header at commit); no other page
  ** needs gathering, no balance.  Most inserts take this path. */
  if (nc.novfl == 0 && !(res == 0 && c->state == CUR_VALID)) {
    DbPage *ldp = c->pg[c->depth];
    PV lv;
    bt_pv(ldp, &lv);
    if (lv.leaf && bt_page_nfree(bt, &lv) >= nc.sz + 2 && bt->novfl == 0) {
      rc = bt_validate(bt, ldp); /* writers rely on every cell's size (once per page) */
      if (!rc) rc = bt_save_others(bt, c->root, c);
      if (!rc) rc = pager_write(bt->page1);
      if (!rc) rc = pager_write(ldp);
      if (rc) return rc; /* nothing changed yet */
      int at = lv.ncell == 0 ? 0 : c->idx[c->depth] + (res < 0);
      insert_cell_raw(bt, &lv, at, nc.cell, nc.sz);
      bt->dirty = 1;
      c->idx[c->depth] = at;
      c->state = CUR_VALID;
      c->skip = 0;
      return SQLITE_OK;
    }
  }
  /* 3. gather */
  rc = bt_save_others(bt, c->root, c);
  if (rc) return op_end(bt, rc);
  BalPath bp;
  rc = gather_path(c, &bp);
  if (rc) return op_end(bt, rc);
  bp.append = (flags & BTREE_APPEND) && !intkey; /* tables: balance_quick */
  int D = c->depth;
  DbPage *tdp = c->pg[D];
  PV tv;
  bt_pv(tdp, &tv);
  int replace = (res == 0 && c->state == CUR_VALID && tv.ncell > 0);
  int at = c->idx[D];
  if (!replace) {
    if (!tv.leaf) return op_end(bt, SQLITE_CORRUPT);
    if (tv.ncell > 0 && res < 0) at++;
    if (tv.ncell == 0) at = 0;
  }
  u32 oldsz = 0;
  if (replace) {
    u8 *oc = pv_cell(&tv, at);
    oldsz = cell_size(bt, tv.flags, oc);
    rc = gather_chain(bt, tv.flags, oc);
    if (rc) return op_end(bt, rc);
  }
  u32 newsz = nc.sz + (tv.leaf ? 0 : 4);
  u32 nf = bt_page_nfree(bt, &tv) + (replace ? oldsz + 2 : 0);
  /* like SQLite, an insert balances only when the cell does not fit */
  if (nf < newsz + 2) bp.mb[D] = 1;
  int nalloc = 0;
  rc = gather_balance(bt, &bp, &nalloc);
  if (!rc) rc = gather_trunk(bt);
  if (!rc) rc = gather_alloc(bt, nalloc + (int)nc.novfl);
  if (rc) return op_end(bt, rc);
  /* 4. mutate */
  bt->dirty = 1;
  rc = write_chain(bt, p, intkey, &nc, tv.pgno);
  if (rc) goto fault;
  u8 *cell = nc.cell;
  if (!tv.leaf) {
    cell -= 4;
    put4byte(cell, get4byte(pv_cell(&tv, at)));
    newsz = cell_size(bt, tv.flags, cell);
  }
  if (replace) {
    rc = free_chain(bt, tv.flags, pv_cell(&tv, at));
    if (rc) goto fault;
    drop_cell(bt, &tv, at);
  }
  rc = insert_or_ovfl(bt, &tv, at, cell, newsz, 0);
  if (rc) goto fault;
  bp.touched[D] = page_novfl(bt, tv.pgno) > 0;
  rc = balance(bt, &bp);
  if (rc) goto fault;
  op_end(bt, SQLITE_OK);
  if (bp.balanced) {
    bt_cursor_release(c);
    if (intkey) {
      c->nkey = p->n_key;
    } else {
      if (c->akey < (u32)p->n_key + 1) {
        u8 *k = sqlite3_realloc64(c->key, (u64)p->n_key + 32);
        if (!k) {
          c->state = CUR_INVALID;
          return SQLITE_OK;
        }
        c->key = k;
        c->akey = (u32)p->n_key + 32;
      }
      memcpy(c->key, p->key, (size_t)p->n_key);
      c->nkey = p->n_key;
    }
    c->state = CUR_REQUIRESEEK;
    c->skip = 0;
  } else {
    c->idx[D] = at;
    c->state = CUR_VALID;
    c->skip = 0;
  }
  return SQLITE_OK;
fault:
  /* cannot happen when GATHER is right; the tree may be damaged */
  op_end(bt, rc);
  c->state = CUR_FAULT;
  c->fault_rc = rc;
  return rc;
}

/* After a delete: the cursor stays on the entry that followed the deleted
** cell `at` of its leaf (next() is then a no-op), or on the leaf's last cell
** when the deleted one was the last (prev() is then the no-op and next()
** climbs to the parent as usual).  SQLite's BTREE_SAVEPOSITION. */
static void stay_after_delete(BtCursor *c, int at, int ncell) {
  int D = c->depth;
  c->state = CUR_VALID;
  if (at < ncell) {
    c->idx[D] = at;
    c->skip = 1;
  } else {
    c->idx[D] = ncell - 1;
    c->skip = -1;
  }
}

#define DELETE_DECLINED (-1)

/* The common delete: a leaf cell without an overflow chain whose page stays
** at least a third full (or is the root), so no balance follows and only the
** leaf (and page 1, as for every write) changes.  Returns DELETE_DECLINED,
** having changed nothing, when the general path is needed. */
static int delete_leaf_simple(BtCursor *c, int flags) {
  Btree *bt = c->bt;
  int D = c->depth;
  PV v;
  bt_pv(c->pg[D], &v);
  if (!v.leaf || bt->autovac || c->idx[D] >= v.ncell) return DELETE_DECLINED;
  int at = c->idx[D];
  u8 *cell = pv_cell(&v, at);
  CellInfo ci;
  bt_parse_cell(bt, v.flags, cell, &ci);
  if (ci.ovfl || ci.nlocal != ci.npay || (u32)(cell - v.a) + ci.size > bt->usable) return DELETE_DECLINED;
  if (D > 0 && bt_page_nfree(bt, &v) + ci.size + 2 > bt->usable * 2 / 3) return DELETE_DECLINED;
  int stay = (flags & BTREE_SAVEPOSITION) && v.ncell > 1;
  if (!stay) {
    /* the key, to find the position again on the next move */
    if (v.intkey) {
      c->nkey = ci.key;
    } else {
      if (c->akey < ci.npay + 1) {
        u8 *k = sqlite3_realloc64(c->key, (u64)ci.npay + 32);
        if (!k) return SQLITE_NOMEM;
        c->key = k;
        c->akey = ci.npay + 32;
      }
      memcpy(c->key, ci.pay, ci.npay);
      c->nkey = ci.npay;
    }
  }
  int rc = bt_save_others(bt, c->root, c);
  if (!rc) rc = pager_write(bt->page1); /* as gather_path: the commit updates the header */
  if (!rc) rc = pager_write(v.dp);
  if (rc) return rc; /* nothing changed yet */
  bt->dirty = 1;
  drop_cell_sized(bt, &v, at, ci.size);
  if (stay) {
    stay_after_delete(c, at, v.ncell);
  } else {
    bt_cursor_release(c);
    c->state = CUR_REQUIRESEEK;
    c->skip = 0;
  }
  return SQLITE_OK;
}

int btree_delete(BtCursor *c, int flags) {
  Btree *bt = c->bt;
  int rc = write_ok(c);
  if (rc) return rc;
  if (c->state == CUR_REQUIRESEEK) {
    rc = bt_cursor_restore(c);
    if (rc) return rc;
  }
  if (c->state == CUR_VALID && c->skip != 0) return SQLITE_OK; /* entry already gone */
  if (c->state != CUR_VALID || c->depth < 0) return SQLITE_MISUSE;
  rc = delete_leaf_simple(c, flags);
  if (rc != DELETE_DECLINED) return rc;
  /* the key, to reposition afterwards */
  {
    PV v;
    bt_pv(c->pg[c->depth], &v);
    if (v.intkey) {
      c->nkey = btree_rowid(c);
    } else {
      const u8 *key;
      u32 n;
      rc = bt_full_key(c, &key, &n);
      if (rc) return rc;
      if (c->akey < n + 1) {
        u8 *k = sqlite3_realloc64(c->key, (u64)n + 32);
        if (!k) return SQLITE_NOMEM;
        c->key = k;
        c->akey = n + 32;
      }
      memcpy(c->key, key, n);
      c->nkey = n;
    }
  }
  rc = bt_save_others(bt, c->root, c);
  if (rc) return op_end(bt, rc);
  BalPath bp;
  rc = gather_path(c, &bp);
  if (rc) return op_end(bt, rc);
  int I = c->depth;
  PV iv;
  bt_pv(c->pg[I], &iv);
  int at = c->idx[I];
  u8 *dcell = pv_cell(&iv, at);
  u32 dsz = cell_size(bt, iv.flags, dcell);
  rc = gather_chain(bt, iv.flags, dcell);
  if (rc) return op_end(bt, rc);
  u32 U = bt->usable;
  int D = I;
  if (!iv.leaf) {
    /* predecessor: rightmost leaf of the left subtree */
    Pgno child = get4byte(dcell);
    for (;;) {
      if (D + 1 >= BT_MAX_DEPTH) return op_end(bt, SQLITE_CORRUPT);
      DbPage *dp;
      rc = bt_get_page(bt, child, &dp);
      if (rc) return op_end(bt, rc);
      rc = gather_write(bt, dp);
      if (rc) return op_end(bt, rc);
      PV v;
      bt_pv(dp, &v);
      if ((v.flags | 8) != (iv.flags | 8)) return op_end(bt, SQLITE_CORRUPT);
      D++;
      bp.pg[D] = child;
      bp.idx[D] = v.ncell;
      bp.mb[D] = 0;
      bp.touched[D] = 0;
      bp.depth = D;
      if (v.leaf) {
        if (v.ncell == 0) return op_end(bt, SQLITE_CORRUPT);
        bp.idx[D] = v.ncell - 1;
        break;
      }
      child = pv_right(&v);
    }
    DbPage *lp = mpage(bt, bp.pg[D]);
    PV lv;
    bt_pv(lp, &lv);
    u32 psz = cell_size(bt, lv.flags, pv_cell(&lv, lv.ncell - 1));
    if (bt->autovac) {
      CellInfo pci;
      bt_parse_cell(bt, lv.flags, pv_cell(&lv, lv.ncell - 1), &pci);
      rc = gather_ptrmap_refs(bt, c->pg[I]);
      if (!rc && pci.ovfl) rc = gather_ptrmap(bt, pci.ovfl);
      if (rc) return op_end(bt, rc);
    }
    if (bt_page_nfree(bt, &lv) + psz + 2 > U * 2 / 3) bp.mb[D] = 1;
    u32 nf = bt_page_nfree(bt, &iv) + dsz;
    if (nf < psz + 4 + 2 || nf - psz - 4 > U * 2 / 3) bp.mb[I] = 1;
  } else {
    if (I > 0 && bt_page_nfree(bt, &iv) + dsz + 2 > U * 2 / 3) bp.mb[I] = 1;
  }
  int nalloc = 0;
  rc = gather_balance(bt, &bp, &nalloc);
  if (!rc) rc = gather_trunk(bt);
  if (!rc && nalloc) rc = gather_alloc(bt, nalloc);
  if (rc) return op_end(bt, rc);
  /* mutate */
  bt->dirty = 1;
  rc = free_chain(bt, iv.flags, dcell);
  if (rc) goto fault;
  if (iv.leaf) {
    drop_cell(bt, &iv, at);
    bp.touched[I] = 1;
  } else {
    DbPage *lp = mpage(bt, bp.pg[D]);
    PV lv;
    bt_pv(lp, &lv);
    u8 *pc = pv_cell(&lv, lv.ncell - 1);
    u32 psz = cell_size(bt, lv.flags, pc);
    u8 *nc = bt->cellbuf;
    put4byte(nc, get4byte(dcell));
    memcpy(nc + 4, pc, psz);
    u32 nsz = cell_size(bt, iv.flags, nc);
    drop_cell(bt, &lv, lv.ncell - 1);
    drop_cell(bt, &iv, at);
    rc = insert_or_ovfl(bt, &iv, at, nc, nsz, 1);
    if (!rc && page_novfl(bt, iv.pgno) == 0) rc = ptrmap_fix_page(bt, iv.dp);
    if (rc) goto fault;
    bp.touched[D] = 1;
    bp.touched[I] = 1;
  }
  rc = balance(bt, &bp);
  if (rc) goto fault;
  op_end(bt, SQLITE_OK);
  if ((flags & BTREE_SAVEPOSITION) && iv.leaf && !bp.balanced) {
    /* only the leaf lost a cell: the cursor's path still holds */
    bt_pv(c->pg[I], &iv);
    if (iv.ncell > 0) {
      stay_after_delete(c, at, iv.ncell);
      return SQLITE_OK;
    }
  }
  /* the key saved above re-finds the position on the next move */
  bt_cursor_release(c);
  c->state = CUR_REQUIRESEEK;
  c->skip = 0;
  return SQLITE_OK;
fault:
  op_end(bt, rc);
  c->state = CUR_FAULT;
  c->fault_rc = rc;
  return rc;
}

/* ------------------------------------------------------- whole tables */

static int av_schema_refused(Btree *bt) {
  snprintf(bt->errmsg, sizeof bt->errmsg,
           "auto_vacuum database: only the newest table/index can be dropped (unsupported)");
  return SQLITE_READONLY;
}

/* auto_vacuum: root pages sit right after each other at the front of the
** file (after page 1, skipping pointer-map pages), so a new root goes to
** page R = largest root + 1.  Whatever uses R now moves: a free page leaves
** the freelist, a tree or overflow page is copied to a newly allocated page
** and its one referrer (found through the pointer map) is repointed. */
typedef struct AvPlan {
  Pgno R;
  int kind;       /* 0 grow the file, 1 free page, 2 move a used page */
  u8 type;        /* R's pointer-map entry (kind 2) */
  Pgno parent;
  Pgno prev_trunk; /* kind 1: trunk before the one involved (0: header) */
  Pgno trunk;      /* kind 1: trunk holding R (== R if R is a trunk) */
  int leaf_idx;    /* kind 1: R's slot in the trunk, -1 if R is the trunk */
} AvPlan;

/* Where in page P (a tree page or an overflow page) the pointer to R is;
** 0 if nowhere. */
static u8 *find_ref(Btree *bt, DbPage *pp, u8 type, Pgno R) {
  u8 *a = pager_data(pp);
  if (type == PTRMAP_OVERFLOW2) return get4byte(a) == R ? a : NULL;
  if (bt_validate(bt, pp)) return NULL;
  PV v;
  bt_pv(pp, &v);
  for (int i = 0; i < v.ncell; i++) {
    u8 *cell = pv_cell(&v, i);
    if (type == PTRMAP_BTREE) {
      if (!v.leaf && get4byte(cell) == R) return cell;
    } else if (v.flags != PTF_TABLE_INTERIOR) {
      CellInfo ci;
      bt_parse_cell(bt, v.flags, cell, &ci);
      if (ci.ovfl == R) return cell + ci.size - 4;
    }
  }
  if (type == PTRMAP_BTREE && !v.leaf && pv_right(&v) == R) return v.a + v.hdr + 8;
  return NULL;
}

/* GATHER the removal of one page from the freelist: page R itself, or
** (R == 0) any free page <= limit.  Fills pl->R, trunk, leaf_idx and
** prev_trunk; SQLITE_CORRUPT if there is none. */
static int fl_find(Btree *bt, Pgno R, Pgno limit, AvPlan *pl) {
  u8 *p1 = pager_data(bt->page1);
  Pgno prev = 0, t = get4byte(p1 + 32), guard = 0;
  while (t) {
    if (t > bt->npage || ++guard > bt->npage) return SQLITE_CORRUPT;
    SHALE_TRY(gather_pgno(bt, t, 0, 0));
    const u8 *ta = pager_data(mpage(bt, t));
    u32 n = get4byte(ta + 4);
    if (n > bt->usable / 4 - 2) return SQLITE_CORRUPT;
    for (u32 i = 0; i < n; i++) {
      Pgno lf = get4byte(ta + 8 + 4 * i);
      if (R ? lf == R : (lf >= 2 && lf <= limit)) {
        pl->R = lf;
        pl->trunk = t;
        pl->leaf_idx = (int)i;
        SHALE_TRY(gather_ptrmap(bt, lf));
        return gather_pgno(bt, lf, 0, PAGER_GET_NOCONTENT);
      }
    }
    if (R ? t == R : t <= limit) {
      pl->R = t;
      pl->trunk = t;
      pl->leaf_idx = -1;
      pl->prev_trunk = prev;
      if (n > 0) {
        Pgno lf = get4byte(ta + 8 + 4 * (n - 1));
        if (lf < 2 || lf > bt->npage) return SQLITE_CORRUPT;
        SHALE_TRY(gather_pgno(bt, lf, 0, PAGER_GET_NOCONTENT));
      }
      if (prev) SHALE_TRY(gather_pgno(bt, prev, 0, 0));
      return gather_ptrmap(bt, t);
    }
    prev = t;
    t = get4byte(ta);
  }
  return SQLITE_CORRUPT; /* not on the freelist */
}

/* MUTATE: take pl->R off the freelist. */
static int fl_remove(Btree *bt, AvPlan *pl) {
  u8 *p1 = pager_data(bt->page1);
  DbPage *tp = mpage(bt, pl->trunk);
  if (!tp) return ierr(bt, "trunk not gathered");
  u8 *ta = pager_data(tp);
  u32 n = get4byte(ta + 4);
  if (pl->leaf_idx >= 0) {
    put4byte(ta + 8 + 4 * pl->leaf_idx, get4byte(ta + 8 + 4 * (n - 1)));
    put4byte(ta + 4, n - 1);
  } else {
    Pgno repl = get4byte(ta); /* the trunk's successor, or its last leaf */
    if (n > 0) {
      repl = get4byte(ta + 8 + 4 * (n - 1));
      DbPage *lp = mpage(bt, repl);
      if (!lp) return ierr(bt, "freelist leaf not gathered");
      u8 *la = pager_data(lp);
      memcpy(la, ta, 8 + 4 * (n - 1));
      put4byte(la + 4, n - 1);
    }
    if (pl->prev_trunk) {
      DbPage *pp = mpage(bt, pl->prev_trunk);
      if (!pp) return ierr(bt, "trunk not gathered");
      put4byte((u8 *)pager_data(pp), repl);
    } else {
      put4byte(p1 + 32, repl);
    }
  }
  put4byte(p1 + 36, get4byte(p1 + 36) - 1);
  return SQLITE_OK;
}

/* GATHER moving page L (not free, not a root) elsewhere: L, its referrer,
** and the pointer-map pages of L and of everything L refers to. */
static int mv_gather(Btree *bt, Pgno L, u8 type, Pgno parent) {
  DbPage *rp;
  if (type != PTRMAP_BTREE && type != PTRMAP_OVERFLOW1 && type != PTRMAP_OVERFLOW2)
    return SQLITE_CORRUPT;
  if (type == PTRMAP_BTREE) {
    SHALE_TRY(gather_pgno(bt, L, 1, 0));
    rp = mpage(bt, L);
    SHALE_TRY(gather_ptrmap_refs(bt, rp));
  } else {
    SHALE_TRY(gather_pgno(bt, L, 0, 0));
    rp = mpage(bt, L);
    Pgno nx = get4byte((u8 *)pager_data(rp));
    if (nx) SHALE_TRY(gather_ptrmap(bt, nx));
  }
  SHALE_TRY(gather_ptrmap(bt, L));
  if (parent < 1 || parent > bt->npage || parent == L) return SQLITE_CORRUPT;
  SHALE_TRY(gather_pgno(bt, parent, 0, 0));
  if (!find_ref(bt, mpage(bt, parent), type, L)) return SQLITE_CORRUPT;
  return SQLITE_OK;
}

/* MUTATE: copy L into page N (already taken for it) and repoint. */
static int mv_do(Btree *bt, Pgno L, Pgno N, DbPage *np, u8 type, Pgno parent) {
  DbPage *rp = mpage(bt, L), *pp = mpage(bt, parent);
  if (!rp || !pp || !np) return ierr(bt, "move not gathered");
  memcpy(pager_data(np), pager_data(rp), bt->pgsz);
  u8 *ref = find_ref(bt, pp, type, L);
  if (!ref) return ierr(bt, "referrer");
  put4byte(ref, N);
  SHALE_TRY(ptrmap_put(bt, N, type, parent));
  if (type == PTRMAP_BTREE) {
    SHALE_TRY(ptrmap_fix_page(bt, np));
  } else {
    Pgno nx = get4byte((u8 *)pager_data(np));
    if (nx) SHALE_TRY(ptrmap_put(bt, nx, PTRMAP_OVERFLOW2, N));
  }
  ((PgExtra *)pager_extra(np))->gen = 0;
  ((PgExtra *)pager_extra(rp))->gen = 0;
  return SQLITE_OK;
}

static int av_gather(Btree *bt, AvPlan *pl) {
  u8 *p1 = pager_data(bt->page1);
  /* The largest root page lies inside the file; a header that says
  ** otherwise is corrupt (and would make us allocate pages up to it). */
  if (get4byte(p1 + 52) > bt->npage) return SQLITE_CORRUPT;
  Pgno R = get4byte(p1 + 52) + 1;
  while (R == bt_pending_page(bt) || is_ptrmap(bt, R)) R++;
  memset(pl, 0, sizeof *pl);
  pl->R = R;
  int rc;
  SHALE_TRY(gather_trunk(bt));
  if (R > bt->npage) {
    pl->kind = 0;
    for (Pgno pg = bt->npage + 1; pg <= R; pg++) {
      DbPage *dp;
      rc = pager_get(bt->pager, pg, &dp, PAGER_GET_NOCONTENT);
      if (!rc) rc = gather_write(bt, dp);
      if (rc) return rc;
    }
    return gather_ptrmap(bt, R);
  }
  SHALE_TRY(gather_ptrmap(bt, R));
  DbPage *mp = mpage(bt, bt_ptrmap_page(bt, R));
  if (!mp) return ierr(bt, "pointer map");
  const u8 *ma = pager_data(mp);
  u32 off = 5 * (R - bt_ptrmap_page(bt, R) - 1);
  pl->type = ma[off];
  pl->parent = get4byte(ma + off + 1);
  if (pl->type == PTRMAP_FREEPAGE) {
    pl->kind = 1;
    return fl_find(bt, R, 0, pl);
  }
  if (pl->type != PTRMAP_BTREE && pl->type != PTRMAP_OVERFLOW1 && pl->type != PTRMAP_OVERFLOW2)
    return SQLITE_CORRUPT;
  pl->kind = 2;
  SHALE_TRY(mv_gather(bt, R, pl->type, pl->parent));
  return gather_alloc(bt, 1);
}

static int av_mutate(Btree *bt, AvPlan *pl) {
  Pgno R = pl->R;
  if (pl->kind == 0) {
    while (bt->npage < R) {
      Pgno pg = ++bt->npage;
      if (is_ptrmap(bt, pg)) {
        DbPage *mp = mpage(bt, pg);
        if (!mp) return ierr(bt, "new pointer-map page not gathered");
        memset(pager_data(mp), 0, bt->pgsz);
      }
    }
  } else if (pl->kind == 1) {
    SHALE_TRY(fl_remove(bt, pl));
  } else {
    Pgno npg;
    DbPage *np;
    SHALE_TRY(alloc_page(bt, &npg, &np));
    SHALE_TRY(mv_do(bt, R, npg, np, pl->type, pl->parent));
  }
  return SQLITE_OK;
}

/* Full auto_vacuum at commit: the file shrinks to the size it has without
** free pages.  Working from the last page down, a free page leaves the
** freelist, a used page moves into a free page below the final size.  Each
** step is one GATHER/MUTATE operation, so a PENDING between steps leaves a
** consistent file (and the loop just continues on the retry). */
static Pgno vac_final_size(Btree *bt, Pgno norig, u32 nfree) {
  if (nfree >= norig) return 0;
  Pgno nfin = norig - nfree;
  for (int it = 0; it < 64; it++) {
    Pgno cnt = 0;
    for (Pgno pg = nfin + 1; pg <= norig; pg++)
      if (pg == bt_pending_page(bt) || is_ptrmap(bt, pg)) cnt++;
    Pgno n2 = norig - nfree - cnt;
    if (n2 == nfin) break;
    nfin = n2;
  }
  while (nfin > 1 && (nfin == bt_pending_page(bt) || is_ptrmap(bt, nfin))) nfin--;
  return nfin;
}

static int vac_step(Btree *bt) {
  Pgno L = bt->npage;
  int rc = pager_write(bt->page1);
  if (rc) return op_end(bt, rc);
  if (L == bt_pending_page(bt) || is_ptrmap(bt, L)) {
    bt->npage--;
    return op_end(bt, SQLITE_OK);
  }
  rc = gather_ptrmap(bt, L);
  if (rc) return op_end(bt, rc);
  DbPage *mp = mpage(bt, bt_ptrmap_page(bt, L));
  if (!mp) return op_end(bt, ierr(bt, "pointer map"));
  const u8 *ma = pager_data(mp);
  u32 off = 5 * (L - bt_ptrmap_page(bt, L) - 1);
  u8 type = ma[off];
  Pgno parent = get4byte(ma + off + 1);
  AvPlan pl;
  memset(&pl, 0, sizeof pl);
  if (type == PTRMAP_FREEPAGE) {
    rc = fl_find(bt, L, 0, &pl);
    if (rc) return op_end(bt, rc);
    rc = fl_remove(bt, &pl);
  } else {
    if (type == PTRMAP_ROOTPAGE) return op_end(bt, SQLITE_CORRUPT);
    rc = mv_gather(bt, L, type, parent);
    if (!rc) rc = fl_find(bt, 0, bt->vac_nfin, &pl);
    if (rc) return op_end(bt, rc);
    rc = fl_remove(bt, &pl);
    if (!rc) rc = mv_do(bt, L, pl.R, mpage(bt, pl.R), type, parent);
  }
  if (rc == SQLITE_OK) bt->npage--;
  return op_end(bt, rc);
}

int bt_av_vacuum(Btree *bt) {
  int rc = bt_scratch(bt);
  if (rc) return rc;
  u8 *p1 = pager_data(bt->page1);
  if (get4byte(p1 + 36) == 0 && !bt->vac_nfin) return SQLITE_OK;
  /* pages of any tree may move: cursors re-find their place later */
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    c->cnt_active = 0;
    if (c->state == CUR_VALID) SHALE_TRY(bt_cursor_save(c));
    else if (c->state == CUR_INVALID) bt_cursor_release(c);
  }
  if (!bt->vac_nfin) {
    bt->vac_nfin = vac_final_size(bt, bt->npage, get4byte(p1 + 36));
    if (bt->vac_nfin == 0 || bt->vac_nfin < get4byte(p1 + 52)) {
      bt->vac_nfin = 0;
      return SQLITE_CORRUPT;
    }
  }
  while (bt->npage > bt->vac_nfin) {
    rc = vac_step(bt);
    if (rc) {
      if (rc != SHALE_PENDING) bt->vac_nfin = 0;
      return rc;
    }
  }
  bt->vac_nfin = 0;
  bt->dirty = 1;
  if (get4byte(p1 + 36) != 0) return ierr(bt, "auto_vacuum left free pages");
  return SQLITE_OK;
}

/* PRAGMA incremental_vacuum: one page per call (SQLITE_DONE when there is
** nothing left), like sqlite3. */
int btree_incr_vacuum(Btree *bt, int n_pages) {
  SHALE_UNUSED(n_pages);
  if (!bt->autovac || !bt->incrvac || !bt->page1) return SQLITE_DONE;
  if (bt->txn != 2) return SQLITE_READONLY;
  int rc = bt_scratch(bt);
  if (rc) return rc;
  u8 *p1 = pager_data(bt->page1);
  u32 nfree = get4byte(p1 + 36);
  if (nfree == 0) return SQLITE_DONE;
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    c->cnt_active = 0;
    if (c->state == CUR_VALID) SHALE_TRY(bt_cursor_save(c));
    else if (c->state == CUR_INVALID) bt_cursor_release(c);
  }
  Pgno nfin = vac_final_size(bt, bt->npage, nfree);
  if (nfin == 0 || nfin < get4byte(p1 + 52)) return SQLITE_CORRUPT;
  bt->dirty = 1;
  while (bt->npage > nfin) {
    Pgno L = bt->npage;
    int skip = L == bt_pending_page(bt) || is_ptrmap(bt, L);
    bt->vac_nfin = nfin;
    rc = vac_step(bt);
    bt->vac_nfin = 0;
    if (rc || !skip) break;
  }
  return rc;
}

static int av_create_table(Btree *bt, Pgno *root, int flags) {
  int rc = pager_write(bt->page1);
  /* a page of any tree may move: every cursor re-finds its place later */
  for (BtCursor *c = bt->cursors; rc == SQLITE_OK && c; c = c->next) {
    c->cnt_active = 0;
    if (c->state == CUR_VALID) rc = bt_cursor_save(c);
    else if (c->state == CUR_INVALID) bt_cursor_release(c);
  }
  AvPlan pl;
  if (!rc) rc = av_gather(bt, &pl);
  if (rc) return op_end(bt, rc);
  bt->dirty = 1;
  rc = av_mutate(bt, &pl);
  if (rc) return op_end(bt, rc);
  DbPage *dp = mpage(bt, pl.R);
  if (!dp) return op_end(bt, ierr(bt, "new root not gathered"));
  u8 *a = pager_data(dp);
  memset(a, 0, bt->pgsz);
  page_zero(bt, a, 0, (flags & BTREE_INTKEY) ? PTF_TABLE_LEAF : PTF_INDEX_LEAF);
  ((PgExtra *)pager_extra(dp))->gen = bt->gen;
  rc = ptrmap_put(bt, pl.R, PTRMAP_ROOTPAGE, 0);
  put4byte((u8 *)pager_data(bt->page1) + 52, pl.R);
  *root = pl.R;
  return op_end(bt, rc);
}

int btree_create_table(Btree *bt, Pgno *root, int flags) {
  *root = 0;
  if (bt->txn != 2) return SQLITE_READONLY;
  if (bt->av_readonly) return SQLITE_READONLY;
  if (bt->autovac) {
    SHALE_TRY(bt_scratch(bt));
    if (bt->clr.active) bt_clear_reset(bt);
    return av_create_table(bt, root, flags);
  }
  int rc = bt_scratch(bt);
  if (rc) return rc;
  if (bt->clr.active) bt_clear_reset(bt);
  rc = pager_write(bt->page1);
  if (!rc) rc = gather_trunk(bt);
  if (!rc) rc = gather_alloc(bt, 1);
  if (rc) return op_end(bt, rc);
  Pgno pg;
  DbPage *dp;
  bt->dirty = 1;
  rc = alloc_page(bt, &pg, &dp);
  if (rc) return op_end(bt, rc);
  u8 *a = pager_data(dp);
  memset(a, 0, bt->pgsz);
  page_zero(bt, a, 0, (flags & BTREE_INTKEY) ? PTF_TABLE_LEAF : PTF_INDEX_LEAF);
  ((PgExtra *)pager_extra(dp))->gen = bt->gen;
  *root = pg;
  return op_end(bt, SQLITE_OK);
}

/* Clearing a tree: the page list is collected with explicit progress kept
** in the Btree (ClearProg), so a PENDING read resumes where it stopped and
** a large tree is not pinned in the cache.  Nothing changes until the list
** is complete; then the pages that will become freelist trunks are made
** writable, and only then are pages freed. */
void bt_clear_reset(Btree *bt) {
  ClearProg *cp = &bt->clr;
  sqlite3_free(cp->pg);
  sqlite3_free(cp->kind);
  sqlite3_free(cp->seen);
  memset(cp, 0, sizeof *cp);
}

static int clear_push(Btree *bt, Pgno pg, u32 kind) {
  ClearProg *cp = &bt->clr;
  if (pg < 2 || pg > bt->npage || (cp->seen[pg / 8] & (1 << (pg % 8)))) return SQLITE_CORRUPT;
  cp->seen[pg / 8] |= (u8)(1 << (pg % 8));
  if (cp->n == cp->a) {
    int na = cp->a ? cp->a * 2 : 256;
    Pgno *p = sqlite3_realloc64(cp->pg, sizeof(Pgno) * (u64)na);
    if (!p) return SQLITE_NOMEM;
    cp->pg = p;
    u32 *k = sqlite3_realloc64(cp->kind, sizeof(u32) * (u64)na);
    if (!k) return SQLITE_NOMEM;
    cp->kind = k;
    cp->a = na;
  }
  cp->pg[cp->n] = pg;
  cp->kind[cp->n] = kind;
  cp->n++;
  return SQLITE_OK;
}

/* Collect every page of the tree: kind 0 = tree page, k > 0 = overflow page
** with k pages left in its chain.  Resumable after PENDING. */
static int clear_collect(Btree *bt, Pgno root) {
  ClearProg *cp = &bt->clr;
  int rc;
  if (!cp->active || cp->root != root || cp->npage != bt->npage) {
    bt_clear_reset(bt);
    cp->seen = shale_malloc_zero(bt->npage / 8 + 2);
    if (!cp->seen) return SQLITE_NOMEM;
    cp->active = 1;
    cp->root = root;
    cp->npage = bt->npage;
    if (root < 1 || root > bt->npage) return SQLITE_CORRUPT;
    cp->seen[root / 8] |= (u8)(1 << (root % 8));
    cp->pg = sqlite3_malloc64(sizeof(Pgno) * 256);
    cp->kind = sqlite3_malloc64(sizeof(u32) * 256);
    if (!cp->pg || !cp->kind) return SQLITE_NOMEM;
    cp->a = 256;
    cp->pg[0] = root;
    cp->kind[0] = 0;
    cp->n = 1;
  }
  while (cp->qi < cp->n) {
    Pgno pg = cp->pg[cp->qi];
    u32 kind = cp->kind[cp->qi];
    DbPage *dp;
    if (kind) {
      if (kind > 1) {
        rc = bt_get_raw(bt, pg, &dp, 0);
        if (rc) return rc;
        Pgno nx = get4byte((u8 *)pager_data(dp));
        pager_unref(dp);
        rc = clear_push(bt, nx, kind - 1);
        if (rc) return rc;
      }
      cp->qi++;
      continue;
    }
    rc = bt_get_page(bt, pg, &dp);
    if (rc) return rc;
    PV v;
    bt_pv(dp, &v);
    if (cp->qi == 0) cp->flags = v.flags;
    else if ((v.flags & 7) != (cp->flags & 7)) rc = SQLITE_CORRUPT;
    i64 cells = 0;
    for (int i = 0; rc == SQLITE_OK && i < v.ncell; i++) {
      u8 *cell = pv_cell(&v, i);
      if (!v.leaf) rc = clear_push(bt, get4byte(cell), 0);
      if (rc || v.flags == PTF_TABLE_INTERIOR) continue;
      CellInfo ci;
      bt_parse_cell(bt, v.flags, cell, &ci);
      if (v.leaf) cells++;
      if (ci.ovfl) rc = clear_push(bt, ci.ovfl, n_ovfl_pages(bt, ci.npay, ci.nlocal));
    }
    if (rc == SQLITE_OK && !v.leaf) rc = clear_push(bt, pv_right(&v), 0);
    pager_unref(dp);
    if (rc) {
      /* undo this page's pushes so a retry (after NOMEM) is consistent */
      return rc;
    }
    cp->cells += cells;
    cp->qi++;
  }
  return SQLITE_OK;
}

static int do_clear(Btree *bt, Pgno root, int drop, i64 *n_deleted) {
  if (n_deleted) *n_deleted = 0;
  if (bt->txn != 2) return SQLITE_READONLY;
  if (bt->av_readonly) return SQLITE_READONLY;
  /* auto_vacuum: only the last root can go without moving another root
  ** (which would need the schema table rewritten) */
  if (drop && bt->autovac && bt->page1 && root != get4byte((u8 *)pager_data(bt->page1) + 52))
    return av_schema_refused(bt);
  if (drop && root == 1) return SQLITE_CORRUPT;
  int rc = bt_scratch(bt);
  if (rc) return rc;
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    if (c->root == root && (c->state == CUR_VALID || c->state == CUR_REQUIRESEEK) && drop)
      return SQLITE_LOCKED;
  }
  rc = clear_collect(bt, root);
  if (rc) {
    if (rc != SHALE_PENDING) bt_clear_reset(bt);
    return rc;
  }
  ClearProg *cp = &bt->clr;
  /* GATHER: page 1, the root, the first trunk, and the freed pages that
  ** will become trunks (simulating free_page) */
  rc = pager_write(bt->page1);
  if (!rc) rc = gather_pgno(bt, root, 1, 0);
  if (!rc) rc = gather_trunk(bt);
  for (int i = 1; rc == SQLITE_OK && i < cp->n; i++) rc = gather_ptrmap(bt, cp->pg[i]);
  if (rc == SQLITE_OK && drop) rc = gather_ptrmap(bt, root);
  if (rc) goto gather_failed;
  {
    u8 *p1 = pager_data(bt->page1);
    Pgno trunk = get4byte(p1 + 32);
    u32 fill = 0, cap = bt->usable / 4 - 8;
    if (trunk) {
      DbPage *tp = mpage(bt, trunk);
      if (!tp) {
        rc = ierr(bt, "trunk");
        goto gather_failed;
      }
      fill = get4byte((u8 *)pager_data(tp) + 4);
    }
    for (int i = 1; i < cp->n + (drop ? 1 : 0); i++) {
      if (trunk && fill < cap) {
        fill++;
      } else {
        trunk = i < cp->n ? cp->pg[i] : root;
        fill = 0;
        if (trunk != root) {
          DbPage *dp;
          rc = pager_get(bt->pager, trunk, &dp, PAGER_GET_NOCONTENT);
          if (!rc) rc = gather_write(bt, dp);
          if (rc) goto gather_failed;
        }
      }
    }
  }
  /* MUTATE */
  for (BtCursor *c = bt->cursors; c; c = c->next) {
    if (c->root == root) {
      bt_cursor_release(c);
      c->state = CUR_INVALID;
      c->cnt_active = 0;
    }
  }
  bt->dirty = 1;
  {
    i64 cells = cp->cells;
    u8 leaf_flags = cp->flags | 8;
    for (int i = 1; i < cp->n && rc == SQLITE_OK; i++) rc = free_page(bt, cp->pg[i]);
    if (rc == SQLITE_OK) {
      if (drop) {
        rc = free_page(bt, root);
        if (rc == SQLITE_OK && bt->autovac) {
          Pgno mx = root - 1;
          while (mx > 1 && (mx == bt_pending_page(bt) || is_ptrmap(bt, mx))) mx--;
          put4byte((u8 *)pager_data(bt->page1) + 52, mx);
        }
      } else {
        DbPage *rootdp = mpage(bt, root);
        if (!rootdp) rc = ierr(bt, "root");
        else {
          PV rv;
          bt_pv(rootdp, &rv);
          page_zero(bt, rv.a, rv.hdr, leaf_flags);
          u32 cpo = (u32)rv.hdr + 8;
          memset(rv.a + cpo, 0, bt->usable - cpo);
          ((PgExtra *)pager_extra(rootdp))->gen = bt->gen;
        }
      }
    }
    if (n_deleted) *n_deleted = cells;
  }
  bt_clear_reset(bt);
  return op_end(bt, rc);
gather_failed:
  if (rc != SHALE_PENDING) bt_clear_reset(bt);
  return op_end(bt, rc);
}

int btree_clear_table(Btree *bt, Pgno root, i64 *n_deleted) {
  return do_clear(bt, root, 0, n_deleted);
}

int btree_drop_table(Btree *bt, Pgno root, Pgno *moved_from) {
  if (moved_from) *moved_from = 0;
  return do_clear(bt, root, 1, NULL);
}
