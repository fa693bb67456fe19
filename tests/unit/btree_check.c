/* btree_check.c — integrity_check messages match sqlite3's on damaged
** files (freelist count, unused page, rowid order, bad child pointer,
** fragment count, overlapping cells), on "unix" and "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/btree/btree.h"

#define RUN(rc, call)                                                         \
  do {                                                                        \
    while (((rc) = (call)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);           \
  } while (0)

static ShaleVfs *g_vfs;
#define PS 1024
static u8 img[PS * 200];
static size_t nimg;

static void load(const char *path) {
  FILE *f = fopen(path, "rb");
  nimg = f ? fread(img, 1, sizeof img, f) : 0;
  if (f) fclose(f);
}
static void save(const char *path, const u8 *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(d, 1, n, f);
  fclose(f);
}

/* sqlite3's PRAGMA integrity_check output without its first line */
static void theirs(const char *path, char *out, size_t n) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "sqlite3 %s 'PRAGMA integrity_check' 2>/dev/null | tail -n +2", path);
  FILE *p = popen(cmd, "r");
  size_t k = p ? fread(out, 1, n - 1, p) : 0;
  out[k] = 0;
  if (p) pclose(p);
  while (k > 0 && out[k - 1] == '\n') out[--k] = 0;
}

static Pgno g_troot = 2;
static void ours(const char *path, char *out, size_t n) {
  Btree *bt;
  out[0] = 0;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &bt);
  if (rc) return;
  RUN(rc, btree_begin_trans(bt, 0, NULL));
  if (rc == SQLITE_OK) {
    Pgno roots[2] = {1, g_troot};
    int nerr = 0;
    char *msg = NULL;
    RUN(rc, btree_integrity_check(bt, roots, 2, 100, &nerr, &msg));
    snprintf(out, n, "%s", msg ? msg : "");
    sqlite3_free(msg);
    RUN(rc, btree_commit(bt));
  }
  RUN(rc, btree_close(bt));
}

static u8 *page(u8 *d, int pg) { return d + (size_t)(pg - 1) * PS; }

int main(void) {
  char src[128], path[128];
  snprintf(src, sizeof src, "/tmp/shale_btchk_src_%d.db", (int)getpid());
  unlink(src);
  char cmd[600];
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"PRAGMA page_size=%d; CREATE TABLE t(a,b); WITH RECURSIVE c(i) AS (SELECT 1 UNION "
           "ALL SELECT i+1 FROM c WHERE i<300) INSERT INTO t SELECT i, randomblob(CASE WHEN i%%50=0 THEN "
           "3000 ELSE 30 END) FROM c; DELETE FROM t WHERE a%%60=0;\"",
           src, PS);
  CHECK_INT(system(cmd), 0);
  load(src);
  CHECK(nimg > 20 * PS);
  static u8 d[sizeof img];
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(path, sizeof path, "/tmp/shale_btchk_%d_%s.db", (int)getpid(), testlib_vfs_names[v]);
    for (int kase = 0; kase < 8; kase++) {
      memcpy(d, img, nimg);
      size_t n = nimg;
      int leaf = 0;
      for (int pg = 3; pg <= (int)(n / PS); pg++)
        if (page(d, pg)[0] == 13 && get2byte(page(d, pg) + 3) > 4) {
          leaf = pg;
          break;
        }
      CHECK(leaf > 0);
      u8 *L = page(d, leaf);
      switch (kase) {
        case 0: /* nothing */
          break;
        case 1: /* freelist count */
          put4byte(d + 36, get4byte(d + 36) + 1);
          break;
        case 2: /* a page nobody uses */
          memset(d + n, 0, PS);
          n += PS;
          put4byte(d + 28, (u32)(n / PS));
          break;
        case 3: { /* rowid order: swap two cell pointers */
          u8 t[2];
          memcpy(t, L + 8, 2);
          memcpy(L + 8, L + 10, 2);
          memcpy(L + 10, t, 2);
          break;
        }
        case 4: { /* bad child pointer in the root */
          u8 *R = page(d, 2);
          put4byte(R + get2byte(R + 12), 9999);
          break;
        }
        case 5: /* fragment count */
          L[7] = 5;
          break;
        case 6: /* two cells share bytes */
          memcpy(L + 10, L + 8, 2);
          break;
        case 7: /* bad right-child pointer in the root */
          put4byte(page(d, 2) + 8, 9999);
          break;
      }
      save(path, d, n);
      char a[2000], b[2000];
      theirs(path, a, sizeof a);
      ours(path, b, sizeof b);
      if (a[0] == 0) snprintf(a, sizeof a, "ok");
      if (b[0] == 0) snprintf(b, sizeof b, "ok");
      CHECK_STR(b, a);
      if (kase) CHECK(strcmp(b, "ok") != 0);
    }
    unlink(path);
  }
  unlink(src);
  /* auto_vacuum (incremental, so free pages stay): pointer-map checks */
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"PRAGMA page_size=%d; PRAGMA auto_vacuum=INCREMENTAL; CREATE TABLE t(a,b); WITH RECURSIVE "
           "c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<300) INSERT INTO t SELECT i, "
           "randomblob(CASE WHEN i%%50=0 THEN 3000 ELSE 30 END) FROM c; DELETE FROM t WHERE a%%3=0;\"",
           src, PS);
  CHECK_INT(system(cmd), 0);
  load(src);
  g_troot = 3;
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(path, sizeof path, "/tmp/shale_btchk_av_%d_%s.db", (int)getpid(), testlib_vfs_names[v]);
    for (int kase = 0; kase < 5; kase++) {
      memcpy(d, img, nimg);
      u8 *M = page(d, 2); /* the pointer map: entry i is for page 3 + i */
      switch (kase) {
        case 1: M[0] = 5; break;                   /* root recorded as b-tree page */
        case 2: put4byte(M + 5 * 3 + 1, 77); break; /* wrong parent of page 6 */
        case 3: M[5 * 10] = 0; break;               /* page 13: no entry */
        case 4: put4byte(page(d, 3) + 8, 9999); break; /* right child, av prefix */
      }
      save(path, d, nimg);
      char a[2000], b[2000];
      theirs(path, a, sizeof a);
      ours(path, b, sizeof b);
      if (a[0] == 0) snprintf(a, sizeof a, "ok");
      if (b[0] == 0) snprintf(b, sizeof b, "ok");
      CHECK_STR(b, a);
      if (kase) CHECK(strcmp(b, "ok") != 0);
    }
    unlink(path);
  }
  unlink(src);
  return testlib_finish("btree_check");
}
