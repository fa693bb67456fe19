/* btree_random.c — random insert/delete/seek sequences on a rowid table and
** an index tree (memcmp keys), payloads of mixed sizes including overflow,
** checked against an in-test model, with integrity_check, commits,
** rollbacks and a second cursor; on both "unix" and "pending", which must
** give identical results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/btree/btree.h"

#define RUN(rc, call)                                                         \
  do {                                                                        \
    while (((rc) = (call)) == SHALE_PENDING) g_npending++, g_vfs->poll(g_vfs, 1); \
  } while (0)

static ShaleVfs *g_vfs;
static long g_npending;

static u64 g_rng;
static u32 rnd(void) {
  g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (u32)(g_rng >> 33);
}

#define NKEY 3000
typedef struct Model {
  int len[NKEY]; /* -1 absent */
  int ver[NKEY];
  int nz[NKEY];  /* trailing zero bytes (n_zero) */
  u8 ix[NKEY];   /* index key present */
} Model;

static int pay_len(void) {
  u32 r = rnd() % 100;
  if (r < 60) return (int)(rnd() % 60);
  if (r < 90) return (int)(rnd() % 400);
  if (r < 98) return (int)(rnd() % 3000);
  return (int)(rnd() % 12000);
}
static void make_pay(u8 *b, int key, int ver, int n) {
  for (int i = 0; i < n; i++) b[i] = (u8)(key * 31 + ver * 7 + i * 3);
}
/* index key for k: 4-byte big-endian k, then k-dependent filler */
static int ikey(int k, u8 *b) {
  put4byte(b, (u32)k * 2654435761u);
  int n = 4 + (k % 7 == 0 ? 900 + k % 1000 : k % 5 == 0 ? 60 + k % 1100 : k % 40);
  for (int i = 4; i < n; i++) b[i] = (u8)(k + i);
  return n;
}
static int ikey_of_order(const u8 *a, int na, const u8 *b, int nb) {
  int m = na < nb ? na : nb;
  int x = memcmp(a, b, (size_t)m);
  return x ? x : na - nb;
}
typedef struct SK {
  const u8 *k;
  int n;
} SK;
static int cmp_fn(void *arg, const void *entry, int n) {
  SK *s = arg;
  return ikey_of_order(entry, n, s->k, s->n);
}

static u8 g_buf[70000], g_buf2[70000];

static int verify_table(BtCursor *c, Model *m) {
  int rc, empty = 0, bad = 0;
  RUN(rc, btree_first(c, &empty));
  if (rc) return 1000;
  int k = 0;
  i64 cnt = 0;
  if (!empty) {
    for (;;) {
      i64 r = btree_rowid(c);
      while (k < NKEY && m->len[k] < 0) k++;
      if (k >= NKEY || r != k) {
        bad++;
        break;
      }
      u32 n = btree_payload_size(c);
      if ((int)n != m->len[k]) bad++;
      else {
        RUN(rc, btree_payload_read(c, 0, n, g_buf));
        make_pay(g_buf2, k, m->ver[k], (int)n - m->nz[k]);
        memset(g_buf2 + n - m->nz[k], 0, (size_t)m->nz[k]);
        if (rc || memcmp(g_buf, g_buf2, n)) bad++;
      }
      cnt++;
      k++;
      RUN(rc, btree_next(c));
      if (rc == SQLITE_DONE) break;
      if (rc) return 1000;
    }
  }
  while (k < NKEY && m->len[k] < 0) k++;
  if (k < NKEY) bad++;
  i64 n2 = 0;
  RUN(rc, btree_count(c, &n2));
  if (n2 != cnt) bad++;
  /* backwards */
  RUN(rc, btree_last(c, &empty));
  k = NKEY - 1;
  if (!empty) {
    for (;;) {
      while (k >= 0 && m->len[k] < 0) k--;
      if (btree_rowid(c) != k) {
        bad++;
        break;
      }
      k--;
      RUN(rc, btree_prev(c));
      if (rc == SQLITE_DONE) break;
      if (rc) return 1000;
    }
  }
  return bad;
}

static int verify_index(BtCursor *c, Model *m) {
  /* collect expected keys sorted by memcmp order */
  static int order[NKEY];
  static u8 kb[NKEY][2100];
  static int kn[NKEY];
  int n = 0, rc, empty, bad = 0;
  for (int k = 0; k < NKEY; k++)
    if (m->ix[k]) {
      kn[k] = ikey(k, kb[k]);
      order[n++] = k;
    }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && ikey_of_order(kb[order[j - 1]], kn[order[j - 1]], kb[order[j]], kn[order[j]]) > 0; j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  RUN(rc, btree_first(c, &empty));
  int i = 0;
  if (!empty) {
    for (;;) {
      u32 sz = btree_payload_size(c);
      RUN(rc, btree_payload_read(c, 0, sz, g_buf));
      if (i >= n || (int)sz != kn[order[i]] || memcmp(g_buf, kb[order[i]], sz)) {
        bad++;
        break;
      }
      i++;
      RUN(rc, btree_next(c));
      if (rc == SQLITE_DONE) break;
      if (rc) return 1000;
    }
  }
  if (i != n) bad++;
  i64 cnt;
  RUN(rc, btree_count(c, &cnt));
  if (cnt != n) bad++;
  return bad;
}

static int integrity(Btree *bt, Pgno *roots, int n) {
  int rc, nerr = 0;
  char *msg = NULL;
  RUN(rc, btree_integrity_check(bt, roots, n, 100, &nerr, &msg));
  if (rc) return -1;
  if (msg) {
    fprintf(stderr, "integrity: %s\n", msg);
    sqlite3_free(msg);
  }
  return nerr;
}

static long run(const char *vfsname, u32 pgsz, int av, long *sig) {
  g_vfs = shale_vfs_find(vfsname);
  CHECK(g_vfs != NULL);
  if (!g_vfs) return 0;
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btree_random_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  char jp[160];
  snprintf(jp, sizeof jp, "%s-journal", path);
  unlink(jp);
  Btree *bt;
  if (av) {
    /* an auto_vacuum file made by sqlite3: page 2 is the pointer map, the
    ** table and the index are pages 3 and 4 */
    char cmd[300];
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s 'PRAGMA page_size=%u; PRAGMA auto_vacuum=%s; CREATE TABLE t(x); CREATE INDEX i ON t(x);'",
             path, pgsz, av == 1 ? "FULL" : "INCREMENTAL");
    CHECK_INT(system(cmd), 0);
  }
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) return 0;
  pager_set_page_size(btree_pager(bt), pgsz, 0);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  Pgno troot = 3, iroot = 4;
  if (!av) {
    RUN(rc, btree_create_table(bt, &troot, BTREE_INTKEY));
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_create_table(bt, &iroot, BTREE_BLOBKEY));
    CHECK_INT(rc, SQLITE_OK);
  } else {
    CHECK_INT(btree_get_auto_vacuum(bt), av);
  }
  RUN(rc, btree_commit(bt)); /* the trees survive the rollbacks below */
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  static Model m, saved;
  for (int k = 0; k < NKEY; k++) m.len[k] = -1, m.ver[k] = 0, m.ix[k] = 0, m.nz[k] = 0;
  static Model msp;
  g_rng = getenv("BTREE_SEED") ? (u64)atoll(getenv("BTREE_SEED")) : 12345;
  BtCursor *c, *ci, *c2;
  CHECK_INT(btree_cursor_open(bt, troot, 1, &c), SQLITE_OK);
  CHECK_INT(btree_cursor_open(bt, iroot, 1, &ci), SQLITE_OK);
  CHECK_INT(btree_cursor_open(bt, troot, 0, &c2), SQLITE_OK);
  long s = 0;
  int nops = getenv("BTREE_OPS") ? atoi(getenv("BTREE_OPS")) : 30000, bad = 0;
  saved = m;
  for (int op = 0; op < nops; op++) {
    u32 r = rnd() % 100;
    int k = (int)(rnd() % NKEY);
    if (op > nops / 2 && r < 50) r += 20; /* second half: more deletes */
    if (r < 45) {
      int n = pay_len();
      int nz = rnd() % 8 == 0 ? (int)(rnd() % 2000) : 0;
      m.ver[k]++;
      make_pay(g_buf, k, m.ver[k], n);
      BtreePayload p = {NULL, k, g_buf, n, nz};
      int res = 0;
      if (rnd() % 2) RUN(rc, btree_table_moveto(c, k, &res));
      RUN(rc, btree_insert(c, &p, 0, res));
      if (rc) {
        bad++;
        fprintf(stderr, "insert rc=%d %s\n", rc, btree_errmsg(bt) ? btree_errmsg(bt) : "");
        break;
      }
      m.len[k] = n + nz;
      m.nz[k] = nz;
    } else if (r < 70) {
      u8 kb[2100];
      int n = ikey(k, kb);
      BtreePayload p = {kb, n, NULL, 0, 0};
      RUN(rc, btree_insert(ci, &p, 0, 0));
      if (rc) {
        bad++;
        fprintf(stderr, "index insert rc=%d %s\n", rc, btree_errmsg(bt) ? btree_errmsg(bt) : "");
        break;
      }
      m.ix[k] = 1;
    } else if (r < 85) {
      int res = 0;
      RUN(rc, btree_table_moveto(c, k, &res));
      if (rc == SQLITE_OK && res == 0) {
        RUN(rc, btree_delete(c, 0));
        if (rc) {
          bad++;
          fprintf(stderr, "delete rc=%d %s\n", rc, btree_errmsg(bt) ? btree_errmsg(bt) : "");
          break;
        }
        m.len[k] = -1;
      }
      s += res + 3;
    } else if (r < 95) {
      u8 kb[2100];
      int n = ikey(k, kb);
      SK sk = {kb, n};
      int res = 0;
      RUN(rc, btree_index_moveto(ci, cmp_fn, &sk, &res));
      if (rc == SQLITE_OK && res == 0) {
        if (!m.ix[k]) bad++;
        RUN(rc, btree_delete(ci, 0));
        if (rc) {
          bad++;
          fprintf(stderr, "index delete rc=%d %s\n", rc, btree_errmsg(bt) ? btree_errmsg(bt) : "");
          break;
        }
        m.ix[k] = 0;
      } else if (m.ix[k]) {
        bad++;
      }
    } else {
      /* seek with the second cursor, then step it */
      int res = 0;
      RUN(rc, btree_table_moveto(c2, k, &res));
      if (rc == SQLITE_OK && !btree_eof(c2)) {
        i64 got = btree_rowid(c2);
        if (res == 0 && (got != k || m.len[k] < 0)) bad++;
        if (res != 0 && m.len[k] >= 0) bad++;
        s += got * 3 + res;
        RUN(rc, btree_next(c2));
        if (rc == SQLITE_OK) s += btree_rowid(c2);
      }
    }
    if (av == 2 && op % 700 == 350) {
      /* a few steps of PRAGMA incremental_vacuum */
      for (int st = 0; st < 20; st++) {
        RUN(rc, btree_incr_vacuum(bt, 1));
        if (rc != SQLITE_OK) break;
      }
      if (rc != SQLITE_DONE && rc != SQLITE_OK) bad++;
    }
    if (op % 1000 == 100) {
      RUN(rc, btree_savepoint(bt, SAVEPOINT_BEGIN, 0));
      CHECK_INT(rc, SQLITE_OK);
      msp = m;
    }
    if (op % 1000 == 800) {
      if (rnd() % 2) {
        RUN(rc, btree_savepoint(bt, SAVEPOINT_ROLLBACK, 0));
        CHECK_INT(rc, SQLITE_OK);
        m = msp;
      }
      RUN(rc, btree_savepoint(bt, SAVEPOINT_RELEASE, 0));
      CHECK_INT(rc, SQLITE_OK);
    }
    if (op % 5000 == 4999) {
      bad += verify_table(c2, &m);
      bad += verify_index(ci, &m);
      Pgno roots[3] = {1, troot, iroot};
      int ne = integrity(bt, roots, 3);
      CHECK_INT(ne, 0);
      if (rnd() % 3 == 0) {
        /* roll back to the last commit */
        RUN(rc, btree_rollback(bt));
        CHECK_INT(rc, SQLITE_OK);
        m = saved;
      } else {
        RUN(rc, btree_commit(bt));
        CHECK_INT(rc, SQLITE_OK);
        saved = m;
      }
      RUN(rc, btree_begin_trans(bt, 1, NULL));
      CHECK_INT(rc, SQLITE_OK);
      bad += verify_table(c2, &m);
      bad += verify_index(ci, &m);
    }
  }
  CHECK_INT(bad, 0);
  bad = verify_table(c2, &m) + verify_index(ci, &m);
  CHECK_INT(bad, 0);
  Pgno roots[3] = {1, troot, iroot};
  CHECK_INT(integrity(bt, roots, 3), 0);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  s = s * 31 + (long)pager_page_count(btree_pager(bt));
  btree_cursor_close(c);
  btree_cursor_close(ci);
  btree_cursor_close(c2);
  RUN(rc, btree_close(bt));
  CHECK_INT(rc, SQLITE_OK);
  /* external check */
  char cmd[300];
  snprintf(cmd, sizeof cmd, "sqlite3 %s 'PRAGMA integrity_check' 2>&1", path);
  FILE *f = popen(cmd, "r");
  char line[200] = "";
  if (f) {
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    pclose(f);
  }
  /* the file has no schema rows, so sqlite3 reports the b-trees as unused
  ** pages; only require that it opens as a database */
  CHECK(strstr(line, "not a database") == NULL);
  if (!getenv("BTREE_KEEP")) unlink(path);
  *sig = s;
  return s;
}

int main(void) {
  u32 sizes[5] = {512, 1024, 4096, 512, 1024};
  int avs[5] = {0, 0, 0, 1, 2}; /* the last two: auto_vacuum full / incremental */
  for (int z = 0; z < 5; z++) {
    long sig[2] = {0, 0};
    for (int v = 0; v < 2; v++) {
      g_npending = 0;
      run(testlib_vfs_names[v], sizes[z], avs[z], &sig[v]);
      printf("%s page size %u%s: signature %ld, pending %ld\n", testlib_vfs_names[v], sizes[z],
             avs[z] ? " auto_vacuum" : "", sig[v], g_npending);
    }
    CHECK(sig[0] == sig[1]);
  }
  return testlib_finish("btree_random");
}
