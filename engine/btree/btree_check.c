/*
** btree_check.c — PRAGMA integrity_check for b-tree files: page references
** (each page used exactly once: trees, overflow chains, freelist), overflow
** chain lengths, freelist count, rowid order, cell bounds and overlap,
** fragmentation count, and pages never used.  Messages use SQLite's words.
*/
#include <stdarg.h>
#include <stdlib.h>
#include "btree_int.h"

typedef struct Chk {
  Btree *bt;
  Pgno npage;
  u8 *seen;
  int nerr, maxerr;
  char *msg;
  size_t nmsg, amsg;
  int rc;
  u8 *used; /* per-byte usage map of one page */
} Chk;

static void chk_msg(Chk *k, const char *fmt, ...) {
  if (k->nerr >= k->maxerr) return;
  k->nerr++;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  size_t need = k->nmsg + (size_t)n + 2;
  if (need > k->amsg) {
    size_t na = need * 2 + 256;
    char *p = sqlite3_realloc64(k->msg, na);
    if (!p) {
      k->rc = SQLITE_NOMEM;
      return;
    }
    k->msg = p;
    k->amsg = na;
  }
  if (k->nmsg) k->msg[k->nmsg++] = '\n';
  memcpy(k->msg + k->nmsg, buf, (size_t)n);
  k->nmsg += (size_t)n;
  k->msg[k->nmsg] = 0;
}

static int done(Chk *k) { return k->nerr >= k->maxerr || k->rc != SQLITE_OK; }

/* 1 if the page cannot be used (error reported with prefix pfx). */
static int chk_ref(Chk *k, Pgno pg, const char *pfx) {
  if (pg == 0 || pg > k->npage) {
    chk_msg(k, "%sinvalid page number %u", pfx, (unsigned)pg);
    return 1;
  }
  if (k->seen[pg / 8] & (1 << (pg % 8))) {
    chk_msg(k, "%s2nd reference to page %u", pfx, (unsigned)pg);
    return 1;
  }
  k->seen[pg / 8] |= (u8)(1 << (pg % 8));
  return 0;
}

static int chk_get(Chk *k, Pgno pg, DbPage **dp) {
  int rc = pager_get(k->bt->pager, pg, dp, 0);
  if (rc == SHALE_PENDING || rc == SQLITE_NOMEM) {
    k->rc = rc;
    return 1;
  }
  if (rc) {
    chk_msg(k, "failed to get page %u", (unsigned)pg);
    return 1;
  }
  return 0;
}

#define ptrmap_page bt_ptrmap_page

static void chk_ptrmap(Chk *k, Pgno child, int type, Pgno parent, const char *pfx) {
  Btree *bt = k->bt;
  if (!bt->autovac || done(k)) return;
  Pgno mp = ptrmap_page(bt, child);
  u32 off = mp && child > mp ? 5 * (child - mp - 1) : bt->usable;
  if (child > k->npage) mp = 0; /* past the end: unreadable */
  DbPage *dp = NULL;
  int rc = (mp == 0 || mp > k->npage || off + 5 > bt->usable) ? SQLITE_CORRUPT
                                                                : pager_get(bt->pager, mp, &dp, 0);
  if (rc == SHALE_PENDING || rc == SQLITE_NOMEM) {
    k->rc = rc;
    return;
  }
  if (rc) {
    chk_msg(k, "%sFailed to read ptrmap key=%u", pfx, (unsigned)child);
    return;
  }
  const u8 *a = pager_data(dp);
  int et = a[off];
  Pgno ep = get4byte(a + off + 1);
  pager_unref(dp);
  if (et < 1 || et > 5) {
    chk_msg(k, "%sFailed to read ptrmap key=%u", pfx, (unsigned)child);
    return;
  }
  if (et != type || ep != parent)
    chk_msg(k, "%sBad ptr map entry key=%u expected=(%d,%u) got=(%d,%u)", pfx, (unsigned)child,
            type, (unsigned)parent, et, (unsigned)ep);
}

static void chk_list(Chk *k, int freelist, Pgno pg, u32 expected, const char *pfx) {
  i64 N = expected;
  int err0 = k->nerr;
  u32 U = k->bt->usable;
  while (pg != 0 && !done(k)) {
    N--;
    if (chk_ref(k, pg, pfx)) break;
    DbPage *dp;
    if (chk_get(k, pg, &dp)) break;
    const u8 *a = pager_data(dp);
    if (freelist) {
      u32 n = get4byte(a + 4);
      chk_ptrmap(k, pg, 2, 0, pfx);
      if (n > U / 4 - 2) {
        chk_msg(k, "%sfreelist leaf count too big on page %u", pfx, (unsigned)pg);
        N--;
      } else {
        for (u32 i = 0; i < n; i++) {
          Pgno lf = get4byte(a + 8 + 4 * i);
          chk_ptrmap(k, lf, 2, 0, pfx);
          chk_ref(k, lf, pfx);
        }
        N -= n;
      }
    } else if (N > 0) {
      chk_ptrmap(k, get4byte(a), 4, pg, pfx);
    }
    pg = get4byte(a);
    pager_unref(dp);
    if (N < -(i64)k->npage) break; /* cycle guard */
  }
  if (N && err0 == k->nerr && k->rc == SQLITE_OK) {
    chk_msg(k, "%s%s is %lld but should be %u", pfx, freelist ? "size" : "overflow list length",
            (long long)((i64)expected - N), (unsigned)expected);
  }
}

typedef struct Span {
  u32 start, end; /* [start, end] inclusive */
} Span;

static int span_cmp(const void *a, const void *b) {
  const Span *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

/* Check one tree page and its subtree, in SQLite's order (right child
** first, then cells from last to first).  Table keys must be <= maxkey
** (only the last key of the page may equal it); *pmin gets the smallest key
** seen.  Returns the depth (leaf 0; also 0 after an error, as SQLite). */
static int chk_tree(Chk *k, Pgno pg, i64 *pmin, i64 maxkey, const char *pfx, int level, int v2) {
  Btree *bt = k->bt;
  if (done(k)) return 0;
  if (pg == 0) return 0;
  if (chk_ref(k, pg, pfx)) return 0;
  if (level > BT_MAX_DEPTH) {
    chk_msg(k, "Page %u: tree too deep", (unsigned)pg);
    return 0;
  }
  DbPage *dp;
  int rc = pager_get(bt->pager, pg, &dp, 0);
  if (rc == SHALE_PENDING || rc == SQLITE_NOMEM) {
    k->rc = rc;
    return 0;
  }
  if (rc) {
    chk_msg(k, "Page %u: unable to get the page. error code=%d", (unsigned)pg, rc);
    return 0;
  }
  ((PgExtra *)pager_extra(dp))->gen = 0; /* checked afresh, whatever was cached */
  rc = bt_validate(bt, dp);
  if (rc) {
    chk_msg(k, "Page %u: btreeInitPage() returns error code %d", (unsigned)pg, rc);
    pager_unref(dp);
    return 0;
  }
  PV v;
  bt_pv(dp, &v);
  u32 U = bt->usable;
  u32 content = get2byte(v.a + v.hdr + 5);
  if (content == 0) content = 65536;
  char cpfx[64];
  int depth = -1, d2, cover = 1, can_equal = 1;
  Span *sp = sqlite3_malloc64(sizeof(Span) * ((u64)v.ncell + U / 4 + 2));
  int nsp = 0;
  if (!sp) {
    k->rc = SQLITE_NOMEM;
    pager_unref(dp);
    return 0;
  }
  /* Message prefixes follow sqlite3 3.40 exactly: the right child is
  ** reported under the cell index this page was reached by, except in
  ** auto_vacuum files, where "at right child" then stays for the page. */
  int at_right = 0;
  if (!v.leaf) {
    if (bt->autovac) {
      at_right = 1;
      snprintf(cpfx, sizeof cpfx, "On page %u at right child: ", (unsigned)pg);
      chk_ptrmap(k, pv_right(&v), 5, pg, cpfx);
    } else {
      snprintf(cpfx, sizeof cpfx, "On tree page %u cell %d: ", (unsigned)pg, v2);
    }
    depth = chk_tree(k, pv_right(&v), &maxkey, maxkey, cpfx, level + 1, v2);
    can_equal = 0;
  }
  for (int i = v.ncell - 1; i >= 0 && !done(k); i--) {
    if (at_right) snprintf(cpfx, sizeof cpfx, "On page %u at right child: ", (unsigned)pg);
    else snprintf(cpfx, sizeof cpfx, "On tree page %u cell %d: ", (unsigned)pg, i);
    u32 pc = get2byte(v.a + v.cellptr + 2 * i);
    if (pc < content || pc > U - 4) {
      chk_msg(k, "%sOffset %u out of range %u..%u", cpfx, pc, content, U - 4);
      cover = 0;
      continue;
    }
    CellInfo ci;
    if (bt_parse_cell_in(bt, &v, v.a + pc, &ci) != SQLITE_OK || pc + ci.size > U) {
      chk_msg(k, "%sExtends off end of page", cpfx);
      cover = 0;
      continue;
    }
    if (v.intkey) {
      if (can_equal ? (ci.key > maxkey) : (ci.key >= maxkey))
        chk_msg(k, "%sRowid %lld out of order", cpfx, (long long)ci.key);
      maxkey = ci.key;
      can_equal = 0;
    }
    if (ci.npay > ci.nlocal) {
      u32 n = (ci.npay - ci.nlocal + U - 5) / (U - 4);
      chk_ptrmap(k, get4byte(v.a + pc + ci.size - 4), 3, pg, cpfx);
      chk_list(k, 0, get4byte(v.a + pc + ci.size - 4), n, cpfx);
    }
    if (!v.leaf) {
      chk_ptrmap(k, get4byte(v.a + pc), 5, pg, cpfx);
      d2 = chk_tree(k, get4byte(v.a + pc), &maxkey, maxkey, cpfx, level + 1, i);
      can_equal = 0;
      if (d2 != depth) {
        chk_msg(k, "%sChild page depth differs", cpfx);
        depth = d2;
      }
    }
    sp[nsp].start = pc;
    sp[nsp].end = pc + ci.size - 1;
    nsp++;
  }
  *pmin = maxkey;
  /* coverage: cells and freeblocks must not overlap; the bytes nobody
  ** owns are the fragment count */
  if (cover && !done(k)) {
    u32 fb = get2byte(v.a + v.hdr + 1);
    int guard = 0;
    while (fb > 0 && guard++ < 20000) {
      if (fb + 4 > U) break;
      u32 sz = get2byte(v.a + fb + 2);
      if (sz == 0 || fb + sz > U) break;
      sp[nsp].start = fb;
      sp[nsp].end = fb + sz - 1;
      nsp++;
      u32 nx = get2byte(v.a + fb);
      if (nx && nx <= fb) break;
      fb = nx;
    }
    qsort(sp, (size_t)nsp, sizeof(Span), span_cmp);
    u32 prev = content - 1, nfrag = 0;
    int multiple = 0;
    for (int i = 0; i < nsp; i++) {
      if (prev >= sp[i].start) {
        chk_msg(k, "Multiple uses for byte %u of page %u", sp[i].start, (unsigned)pg);
        /* like SQLite, the fragment count is still checked when the
        ** overlapping span was the last one */
        multiple = i < nsp - 1;
        break;
      }
      nfrag += sp[i].start - prev - 1;
      prev = sp[i].end;
    }
    nfrag += U - prev - 1;
    if (!multiple && nfrag != v.a[v.hdr + 7])
      chk_msg(k, "Fragmentation of %u bytes reported as %u on page %u", nfrag,
              (unsigned)v.a[v.hdr + 7], (unsigned)pg);
  }
  sqlite3_free(sp);
  pager_unref(dp);
  return depth + 1;
}

int btree_integrity_check(Btree *bt, const Pgno *roots, int n_roots, int max_errors,
                          int *n_errors, char **msg) {
  *n_errors = 0;
  *msg = NULL;
  if (!bt->page1) return SQLITE_OK; /* empty database */
  /* Prefetch every page first, with explicit progress (bt->ic_next) and a
  ** window of outstanding reads, so that an asynchronous VFS does not make
  ** the (restart-from-scratch) check below quadratic. */
  {
    Pgno np = pager_page_count(bt->pager), first_pending = 0;
    int outstanding = 0;
    if (bt->ic_next == 0) bt->ic_next = 1;
    for (Pgno pg = bt->ic_next; pg <= np && outstanding < 64; pg++) {
      DbPage *dp;
      int rc = pager_get(bt->pager, pg, &dp, 0);
      if (rc == SHALE_PENDING) {
        if (!first_pending) first_pending = pg;
        outstanding++;
        continue;
      }
      if (rc == SQLITE_OK) pager_unref(dp);
      if (!first_pending) bt->ic_next = pg + 1;
    }
    if (first_pending || bt->ic_next <= np) {
      if (first_pending) bt->ic_next = first_pending;
      /* an asynchronous VFS: keep every page until the check is done */
      pager_cache_reserve(bt->pager, (int)np + 16);
      return SHALE_PENDING;
    }
  }
  Chk k;
  memset(&k, 0, sizeof k);
  k.bt = bt;
  k.npage = pager_page_count(bt->pager);
  k.maxerr = max_errors > 0 ? max_errors : 100;
  k.seen = shale_malloc_zero(k.npage / 8 + 2);
  if (!k.seen) return SQLITE_NOMEM;
  const u8 *p1 = pager_data(bt->page1);
  chk_list(&k, 1, get4byte(p1 + 32), get4byte(p1 + 36), "Main freelist: ");
  if (bt->autovac) {
    Pgno mx = 0;
    for (int i = 0; i < n_roots; i++)
      if (roots[i] > mx) mx = roots[i];
    if (mx != get4byte(p1 + 52))
      chk_msg(&k, "max rootpage (%u) disagrees with header (%u)", (unsigned)mx,
              (unsigned)get4byte(p1 + 52));
  } else if (get4byte(p1 + 64) != 0) {
    chk_msg(&k, "incremental_vacuum enabled with a max rootpage of zero");
  }
  for (int i = 0; i < n_roots && !done(&k); i++) {
    if (roots[i] == 0) continue;
    if (roots[i] > 1) chk_ptrmap(&k, roots[i], 1, 0, "");
    i64 mk = 0;
    chk_tree(&k, roots[i], &mk, INT64_MAX, "", 1, 0);
  }
  Pgno pend = bt_pending_page(bt);
  for (Pgno pg = 1; pg <= k.npage && !done(&k); pg++) {
    if (pg == pend) continue;
    int used = (k.seen[pg / 8] & (1 << (pg % 8))) != 0;
    int is_map = bt->autovac && ptrmap_page(bt, pg) == pg;
    if (!used && !is_map) chk_msg(&k, "Page %u is never used", (unsigned)pg);
    if (used && is_map) chk_msg(&k, "Pointer map page %u is referenced", (unsigned)pg);
  }
  sqlite3_free(k.seen);
  if (k.rc) {
    sqlite3_free(k.msg);
    if (k.rc != SHALE_PENDING) {
      bt->ic_next = 0;
      pager_cache_reserve(bt->pager, 0);
    }
    return k.rc;
  }
  bt->ic_next = 0;
  pager_cache_reserve(bt->pager, 0);
  *n_errors = k.nerr;
  *msg = k.msg;
  return SQLITE_OK;
}
