/* btree_cursors.c — several cursors on one b-tree: after changes through
** one cursor the others find their position again; delete-while-iterating
** (next and prev); a corrupt file gives errors, never a crash; auto_vacuum
** files are read-only.  On "unix" and "pending" with identical results. */
#include <stdint.h>
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
static u8 g_buf[20000];

static void ins(BtCursor *c, i64 k, int n) {
  for (int i = 0; i < n; i++) g_buf[i] = (u8)(k + i);
  BtreePayload p = {NULL, k, g_buf, n, 0};
  int rc;
  RUN(rc, btree_insert(c, &p, 0, 0));
  CHECK_INT(rc, SQLITE_OK);
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

#define N 3000
static u8 present[N + 1000];

static i64 next_present(i64 k) {
  for (i64 j = k + 1; j < N + 1000; j++)
    if (present[j]) return j;
  return -1;
}
static i64 prev_present(i64 k) {
  for (i64 j = k - 1; j >= 0; j--)
    if (present[j]) return j;
  return -1;
}

static long run(const char *vfsname) {
  g_vfs = shale_vfs_find(vfsname);
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btcur_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  Btree *bt;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  pager_set_page_size(btree_pager(bt), 512, 0);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  Pgno root;
  RUN(rc, btree_create_table(bt, &root, BTREE_INTKEY));
  BtCursor *w, *r[6];
  btree_cursor_open(bt, root, 1, &w);
  memset(present, 0, sizeof present);
  for (int k = 1; k <= N; k++) {
    ins(w, k, k % 13 == 0 ? 700 : k % 50);
    present[k] = 1;
  }
  long sig = 0;
  /* readers at several positions; writes through w; readers continue */
  i64 pos[6] = {1, 100, 777, 1500, 2999, 3000};
  for (int i = 0; i < 6; i++) {
    btree_cursor_open(bt, root, 0, &r[i]);
    int res;
    RUN(rc, btree_table_moveto(r[i], pos[i], &res));
    CHECK_INT(res, 0);
  }
  u64 rng = 99;
  int bad = 0;
  for (int round = 0; round < 400; round++) {
    for (int j = 0; j < 10; j++) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      i64 k = 1 + (i64)((rng >> 33) % (N + 500));
      int res;
      if (present[k] && (rng >> 20) % 3) {
        RUN(rc, btree_table_moveto(w, k, &res));
        RUN(rc, btree_delete(w, 0));
        CHECK_INT(rc, SQLITE_OK);
        present[k] = 0;
      } else {
        ins(w, k, (int)((rng >> 40) % 900));
        present[k] = 1;
      }
    }
    for (int i = 0; i < 6; i++) {
      /* a reader whose entry was deleted moves to the neighbour */
      int fwd = (round + i) % 2;
      i64 want = fwd ? next_present(pos[i]) : prev_present(pos[i]);
      /* sometimes read first: the accessor re-finds the position, and the
      ** following step must still honour "the entry is gone" */
      if (round % 3 == 0) (void)btree_payload_size(r[i]);
      if (round % 5 == 1) {
        int differs = 0;
        RUN(rc, btree_cursor_restore(r[i], &differs));
      }
      RUN(rc, fwd ? btree_next(r[i]) : btree_prev(r[i]));
      if (want < 0) {
        if (rc != SQLITE_DONE) bad++;
        int res;
        RUN(rc, btree_table_moveto(r[i], 1500, &res));
        pos[i] = btree_rowid(r[i]);
      } else {
        if (rc != SQLITE_OK || btree_rowid(r[i]) != want) {
          bad++;
          fprintf(stderr, "reader %d: got %lld want %lld (rc %d)\n", i, (long long)btree_rowid(r[i]),
                  (long long)want, rc);
        }
        pos[i] = want;
      }
      sig += pos[i];
    }
  }
  CHECK_INT(bad, 0);
  Pgno roots[2] = {1, root};
  CHECK_INT(integrity(bt, roots, 2), 0);
  /* delete while iterating forward: every entry with an even rowid (half
  ** of them with BTREE_SAVEPOSITION: the cursor stays on its leaf) */
  int empty;
  RUN(rc, btree_first(w, &empty));
  while (rc == SQLITE_OK) {
    i64 k = btree_rowid(w);
    if (k % 2 == 0) {
      RUN(rc, btree_delete(w, k % 4 == 0 ? BTREE_SAVEPOSITION : 0));
      CHECK_INT(rc, SQLITE_OK);
      present[k] = 0;
    }
    RUN(rc, btree_next(w));
  }
  CHECK_INT(rc, SQLITE_DONE);
  /* backward: every multiple of 3 */
  RUN(rc, btree_last(w, &empty));
  while (rc == SQLITE_OK) {
    i64 k = btree_rowid(w);
    if (k % 3 == 0) {
      RUN(rc, btree_delete(w, k % 2 ? BTREE_SAVEPOSITION : 0));
      present[k] = 0;
    }
    RUN(rc, btree_prev(w));
  }
  CHECK_INT(rc, SQLITE_DONE);
  i64 cnt = 0, want = 0;
  for (int k = 0; k < N + 1000; k++) want += present[k];
  RUN(rc, btree_count(w, &cnt));
  CHECK_INT(cnt, want);
  CHECK_INT(integrity(bt, roots, 2), 0);
  /* delete everything one by one, keeping the position */
  RUN(rc, btree_first(w, &empty));
  while (rc == SQLITE_OK) {
    RUN(rc, btree_delete(w, BTREE_SAVEPOSITION));
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_next(w));
  }
  RUN(rc, btree_count(w, &cnt));
  CHECK_INT(cnt, 0);
  CHECK_INT(integrity(bt, roots, 2), 0);
  for (int i = 0; i < 6; i++) btree_cursor_close(r[i]);
  btree_cursor_close(w);
  /* clear and drop */
  Pgno r2;
  RUN(rc, btree_create_table(bt, &r2, BTREE_INTKEY));
  btree_cursor_open(bt, r2, 1, &w);
  for (int k = 1; k <= 2000; k++) ins(w, k, k % 7 == 0 ? 1500 : 30);
  btree_cursor_close(w);
  i64 nd = 0;
  RUN(rc, btree_clear_table(bt, r2, &nd));
  CHECK_INT(nd, 2000);
  btree_cursor_open(bt, r2, 1, &w);
  for (int k = 1; k <= 500; k++) ins(w, k, 100);
  btree_cursor_close(w);
  Pgno moved = 9;
  RUN(rc, btree_drop_table(bt, r2, &moved));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(moved, 0);
  CHECK_INT(integrity(bt, roots, 2), 0);
  u32 nfree = 0;
  btree_get_meta(bt, BTREE_FREE_PAGE_COUNT, &nfree);
  sig = sig * 7 + nfree;
  /* a big tree dropped with a tiny cache (explicit progress, few pins) */
  RUN(rc, btree_commit(bt));
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  Pgno r3;
  RUN(rc, btree_create_table(bt, &r3, BTREE_INTKEY));
  btree_cursor_open(bt, r3, 1, &w);
  for (int k = 1; k <= 12000; k++) ins(w, k, k % 17 == 0 ? 2000 : 60);
  btree_cursor_close(w);
  RUN(rc, btree_commit(bt));
  Pgno before = pager_page_count(btree_pager(bt));
  pager_set_cache_size(btree_pager(bt), 10);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  RUN(rc, btree_drop_table(bt, r3, &moved));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(integrity(bt, roots, 2), 0);
  u32 nfree2 = 0;
  btree_get_meta(bt, BTREE_FREE_PAGE_COUNT, &nfree2);
  CHECK(before > 3000);
  CHECK_INT(nfree2, before - 2); /* every page but 1 and root are free */
  pager_set_cache_size(btree_pager(bt), 2000);
  /* extreme and negative rowids */
  {
    Pgno r5;
    RUN(rc, btree_create_table(bt, &r5, BTREE_INTKEY));
    btree_cursor_open(bt, r5, 1, &w);
    i64 keys[7] = {INT64_MAX, -1, 0, INT64_MIN, 1, -300, 1LL << 40};
    for (int i = 0; i < 7; i++) ins(w, keys[i], 10);
    i64 want5[7] = {INT64_MIN, -300, -1, 0, 1, 1LL << 40, INT64_MAX};
    int e5 = 0, i5 = 0;
    RUN(rc, btree_first(w, &e5));
    while (rc == SQLITE_OK) {
      if (i5 < 7) CHECK(btree_rowid(w) == want5[i5]);
      i5++;
      RUN(rc, btree_next(w));
    }
    CHECK_INT(i5, 7);
    int res5;
    RUN(rc, btree_table_moveto(w, -2, &res5));
    CHECK(res5 != 0);
    RUN(rc, btree_table_moveto(w, INT64_MIN, &res5));
    CHECK_INT(res5, 0);
    btree_cursor_close(w);
    RUN(rc, btree_drop_table(bt, r5, &moved));
  }
  /* a statement rollback under an open reader: the reader keeps its place */
  {
    Pgno r4;
    RUN(rc, btree_create_table(bt, &r4, BTREE_INTKEY));
    btree_cursor_open(bt, r4, 1, &w);
    for (int k = 1; k <= 500; k++) ins(w, k, k % 9 == 0 ? 900 : 40);
    BtCursor *rd;
    btree_cursor_open(bt, r4, 0, &rd);
    int res;
    RUN(rc, btree_table_moveto(rd, 250, &res));
    CHECK_INT(res, 0);
    RUN(rc, btree_savepoint(bt, SAVEPOINT_BEGIN, 0));
    for (int k = 240; k <= 260; k++) {
      RUN(rc, btree_table_moveto(w, k, &res));
      RUN(rc, btree_delete(w, 0));
    }
    for (int k = 1000; k <= 1500; k++) ins(w, k, 300);
    RUN(rc, btree_savepoint(bt, SAVEPOINT_ROLLBACK, 0));
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_savepoint(bt, SAVEPOINT_RELEASE, 0));
    RUN(rc, btree_next(rd));
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(btree_rowid(rd), 251);
    i64 cnt4 = 0;
    RUN(rc, btree_count(w, &cnt4));
    CHECK_INT(cnt4, 500);
    Pgno roots4[3] = {1, root, r4};
    CHECK_INT(integrity(bt, roots4, 3), 0);
    btree_cursor_close(rd);
    btree_cursor_close(w);
    RUN(rc, btree_drop_table(bt, r4, &moved));
  }
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  unlink(path);
  return sig;
}

/* The same with an index b-tree: keys are 4-byte big-endian numbers plus
** filler (some overflowing), compared by a record comparator (memcmp). */
static int mcmp(void *ctx, const void *a, int na, const void *b, int nb) {
  (void)ctx;
  int m = na < nb ? na : nb;
  int x = memcmp(a, b, (size_t)m);
  return x ? x : na - nb;
}
typedef struct SK {
  const u8 *k;
  int n;
} SK;
static int kcmp(void *arg, const void *e, int n) {
  SK *s = arg;
  return mcmp(NULL, e, n, s->k, s->n);
}
static int mkkey(u8 *b, i64 k) {
  put4byte(b, (u32)k);
  int n = 4 + (k % 11 == 0 ? 700 : (int)(k % 30));
  for (int i = 4; i < n; i++) b[i] = (u8)k;
  return n;
}
static i64 key_of(BtCursor *c) {
  u8 b[8];
  u32 n = 0;
  const u8 *p = btree_payload_fetch(c, &n);
  if (!p || n < 4) return -1;
  memcpy(b, p, 4);
  return get4byte(b);
}
static long run_index(const char *vfsname) {
  g_vfs = shale_vfs_find(vfsname);
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btcuri_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  Btree *bt;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  pager_set_page_size(btree_pager(bt), 1024, 0);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  Pgno root;
  RUN(rc, btree_create_table(bt, &root, BTREE_BLOBKEY));
  BtCursor *w, *r[5];
  btree_cursor_open(bt, root, 1, &w);
  btree_cursor_set_record_compare(w, mcmp, NULL);
  memset(present, 0, sizeof present);
  u8 kb[800];
  for (int k = 1; k <= N; k++) {
    BtreePayload p = {kb, mkkey(kb, k), NULL, 0, 0};
    RUN(rc, btree_insert(w, &p, 0, 0));
    present[k] = 1;
  }
  i64 pos[5] = {1, 200, 1111, 2500, 3000};
  for (int i = 0; i < 5; i++) {
    btree_cursor_open(bt, root, 0, &r[i]);
    btree_cursor_set_record_compare(r[i], mcmp, NULL);
    SK sk = {kb, mkkey(kb, pos[i])};
    int res;
    RUN(rc, btree_index_moveto(r[i], kcmp, &sk, &res));
    CHECK_INT(res, 0);
  }
  u64 rng = 5;
  int bad = 0;
  long sig = 0;
  for (int round = 0; round < 300; round++) {
    for (int j = 0; j < 10; j++) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      i64 k = 1 + (i64)((rng >> 33) % (N + 500));
      SK sk = {kb, mkkey(kb, k)};
      int res;
      if (present[k]) {
        RUN(rc, btree_index_moveto(w, kcmp, &sk, &res));
        CHECK_INT(res, 0);
        RUN(rc, btree_delete(w, (k & 1) ? BTREE_SAVEPOSITION : 0));
        CHECK_INT(rc, SQLITE_OK);
        present[k] = 0;
      } else {
        BtreePayload p = {kb, sk.n, NULL, 0, 0};
        RUN(rc, btree_insert(w, &p, 0, 0));
        CHECK_INT(rc, SQLITE_OK);
        present[k] = 1;
      }
    }
    for (int i = 0; i < 5; i++) {
      int fwd = (round + i) % 2;
      i64 want = fwd ? next_present(pos[i]) : prev_present(pos[i]);
      /* sometimes read first: the accessor re-finds the position, and the
      ** following step must still honour "the entry is gone" */
      if (round % 3 == 0) (void)btree_payload_size(r[i]);
      if (round % 5 == 1) {
        int differs = 0;
        RUN(rc, btree_cursor_restore(r[i], &differs));
      }
      RUN(rc, fwd ? btree_next(r[i]) : btree_prev(r[i]));
      if (want < 0) {
        if (rc != SQLITE_DONE) bad++;
        SK sk = {kb, mkkey(kb, 1500)};
        int res;
        RUN(rc, btree_index_moveto(r[i], kcmp, &sk, &res));
        pos[i] = key_of(r[i]);
      } else {
        if (rc != SQLITE_OK || key_of(r[i]) != want) {
          bad++;
          fprintf(stderr, "index reader %d: got %lld want %lld (rc %d)\n", i, (long long)key_of(r[i]),
                  (long long)want, rc);
        }
        pos[i] = want;
      }
      sig += pos[i];
    }
  }
  CHECK_INT(bad, 0);
  Pgno roots[2] = {1, root};
  CHECK_INT(integrity(bt, roots, 2), 0);
  /* walk the index forward deleting every third key with SAVEPOSITION (as
  ** a one-pass DELETE walks an index): every key is seen once, in order */
  {
    int empty, seen = 0, bad_order = 0;
    i64 last = -1, want_seen = 0;
    for (int k = 0; k < N + 500; k++) want_seen += present[k];
    RUN(rc, btree_first(w, &empty));
    while (rc == SQLITE_OK && !empty) {
      i64 k = key_of(w);
      if (k <= last) bad_order++;
      last = k;
      seen++;
      if (k % 3 == 0) {
        RUN(rc, btree_delete(w, BTREE_SAVEPOSITION));
        CHECK_INT(rc, SQLITE_OK);
        present[k] = 0;
      }
      RUN(rc, btree_next(w));
    }
    CHECK_INT(rc, SQLITE_DONE);
    CHECK_INT(bad_order, 0);
    CHECK_INT(seen, want_seen);
    i64 cnt = 0;
    want_seen = 0;
    for (int k = 0; k < N + 500; k++) want_seen += present[k];
    RUN(rc, btree_count(w, &cnt));
    CHECK_INT(cnt, want_seen);
    CHECK_INT(integrity(bt, roots, 2), 0);
  }
  for (int i = 0; i < 5; i++) btree_cursor_close(r[i]);
  btree_cursor_close(w);
  RUN(rc, btree_commit(bt));
  RUN(rc, btree_close(bt));
  unlink(path);
  return sig;
}

/* Random byte damage to a sqlite3-made file: errors, no crash, no hang. */
static void corrupt_test(const char *vfsname, int av) {
  g_vfs = shale_vfs_find(vfsname);
  char src[128], path[128], cmd[512];
  snprintf(src, sizeof src, "/tmp/shale_btcor_src_%d.db", (int)getpid());
  snprintf(path, sizeof path, "/tmp/shale_btcor_%d_%s.db", (int)getpid(), vfsname);
  unlink(src);
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"PRAGMA page_size=512; PRAGMA auto_vacuum=%d; CREATE TABLE t(a,b); WITH RECURSIVE c(i) AS (SELECT 1 "
           "UNION ALL SELECT i+1 FROM c WHERE i<600) INSERT INTO t SELECT i, randomblob(i%%300) FROM c; "
           "CREATE INDEX tb ON t(b);\"",
           src, av);
  if (system(cmd) != 0) {
    CHECK(0);
    return;
  }
  FILE *f = fopen(src, "rb");
  static u8 img[1 << 20];
  size_t n = fread(img, 1, sizeof img, f);
  fclose(f);
  u64 rng = 7;
  int errors = 0, trials = 60;
  if (getenv("BTREE_FUZZ")) { /* longer runs by hand: BTREE_FUZZ=<trials> */
    trials = atoi(getenv("BTREE_FUZZ"));
    rng = getenv("BTREE_FUZZ_SEED") ? (u64)atoll(getenv("BTREE_FUZZ_SEED")) : (u64)getpid();
    printf("corrupt_test %s av=%d: BTREE_FUZZ_SEED=%llu\n", vfsname, av, (unsigned long long)rng);
    fflush(stdout);
  }
  for (int trial = 0; trial < trials; trial++) {
    static u8 bad[1 << 20];
    memcpy(bad, img, n);
    for (int j = 0; j < 20; j++) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      size_t off = 512 + (size_t)((rng >> 33) % (n - 512));
      bad[off] = (u8)(rng >> 17);
    }
    f = fopen(path, "wb");
    fwrite(bad, 1, n, f);
    fclose(f);
    Btree *bt;
    int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &bt);
    if (rc) continue;
    RUN(rc, btree_begin_trans(bt, 1, NULL));
    if (rc == SQLITE_OK) {
      for (Pgno root = 2; root <= 8; root++) {
        BtCursor *c;
        if (btree_cursor_open(bt, root, 1, &c)) continue;
        int empty;
        RUN(rc, btree_first(c, &empty));
        int steps = 0;
        while (rc == SQLITE_OK && !empty && steps++ < 5000) {
          u32 sz = btree_payload_size(c);
          if (sz < sizeof g_buf) RUN(rc, btree_payload_read(c, 0, sz, g_buf));
          if (rc) break;
          RUN(rc, btree_next(c));
        }
        if (rc != SQLITE_OK && rc != SQLITE_DONE) errors++;
        int res;
        RUN(rc, btree_table_moveto(c, 300, &res));
        if (rc == SQLITE_OK && !btree_eof(c) && btree_cursor_is_table(c)) {
          RUN(rc, btree_delete(c, 0));
          BtreePayload p = {NULL, 301, g_buf, 50, 0};
          RUN(rc, btree_insert(c, &p, 0, 0));
        }
        btree_cursor_close(c);
      }
      Pgno roots[4] = {1, 2, 3, 4};
      int nerr;
      char *msg = NULL;
      RUN(rc, btree_integrity_check(bt, roots, 4, 20, &nerr, &msg));
      if (nerr) errors++;
      sqlite3_free(msg);
      RUN(rc, btree_rollback(bt));
    }
    RUN(rc, btree_close(bt));
  }
  CHECK(errors > 0); /* damage was noticed, and we got here */
  unlink(path);
  unlink(src);
}

/* A cell whose payload runs off the end of its page.  Pages are checked
** cheaply on load (header, cell pointers, freeblocks); a reader finds the
** bad cell when it uses it, a writer when it gathers the page.  Every path
** gives SQLITE_CORRUPT; the good cells stay readable (as in SQLite). */
static void cell_overrun_test(const char *vfsname) {
  g_vfs = shale_vfs_find(vfsname);
  char path[128], cmd[400];
  snprintf(path, sizeof path, "/tmp/shale_btovr_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"PRAGMA page_size=512; CREATE TABLE t(a,b); INSERT INTO t VALUES(1, zeroblob(40)),"
           "(2, zeroblob(40)),(3, zeroblob(40));\"",
           path);
  if (system(cmd) != 0) {
    CHECK(0);
    return;
  }
  /* page 2 is t's leaf; its cell 0 (rowid 1) sits at the end of the page:
  ** claim 127 payload bytes where about 45 fit */
  FILE *f = fopen(path, "r+b");
  u8 pg[512];
  CHECK(fseek(f, 512, SEEK_SET) == 0 && fread(pg, 1, 512, f) == 512);
  u32 off = get2byte(pg + 8);
  CHECK_INT(pg[off + 1], 1); /* the rowid */
  CHECK(pg[off] < 0x80 && off + 2 + 127 > 512);
  pg[off] = 127;
  CHECK(fseek(f, 512, SEEK_SET) == 0 && fwrite(pg, 1, 512, f) == 512);
  fclose(f);
  for (int mode = 0; mode < 4; mode++) {
    Btree *bt;
    int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &bt);
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_begin_trans(bt, mode >= 2, NULL));
    CHECK_INT(rc, SQLITE_OK);
    BtCursor *c;
    CHECK_INT(btree_cursor_open(bt, 2, mode >= 2, &c), SQLITE_OK);
    int res;
    RUN(rc, btree_table_moveto(c, 2, &res)); /* a good cell on the page */
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(res, 0);
    u32 sz = btree_payload_size(c);
    RUN(rc, btree_payload_read(c, 0, sz, g_buf));
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_table_moveto(c, 1, &res));
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(res, 0);
    u32 ntot = 0, nloc = 0;
    (void)btree_payload_view(c, &ntot, &nloc);
    CHECK(nloc < ntot); /* nothing of it is handed out in place */
    u32 nl = 99;
    CHECK(btree_payload_fetch(c, &nl) == NULL && nl == 0);
    if (mode == 0) {
      RUN(rc, btree_payload_read(c, 0, btree_payload_size(c), g_buf));
      CHECK_INT(rc, SQLITE_CORRUPT);
    } else if (mode == 1) {
      Pgno roots[2] = {1, 2};
      CHECK(integrity(bt, roots, 2) > 0);
    } else if (mode == 2) {
      RUN(rc, btree_delete(c, 0));
      CHECK_INT(rc, SQLITE_CORRUPT);
    } else {
      BtreePayload p = {NULL, 4, g_buf, 20, 0};
      RUN(rc, btree_insert(c, &p, 0, 0));
      CHECK_INT(rc, SQLITE_CORRUPT);
    }
    btree_cursor_close(c);
    RUN(rc, btree_rollback(bt));
    RUN(rc, btree_close(bt));
  }
  unlink(path);
}

/* auto_vacuum files written by sqlite3: readable; creating tables refused. */
static void autovac_test(const char *vfsname) {
  g_vfs = shale_vfs_find(vfsname);
  char path[128], cmd[400];
  snprintf(path, sizeof path, "/tmp/shale_btav_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"PRAGMA auto_vacuum=FULL; CREATE TABLE t(a,b); WITH RECURSIVE c(i) AS (SELECT 1 "
           "UNION ALL SELECT i+1 FROM c WHERE i<500) INSERT INTO t SELECT i, randomblob(200) FROM c;\"",
           path);
  CHECK_INT(system(cmd), 0);
  Btree *bt;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_begin_trans(bt, 0, NULL));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(btree_get_auto_vacuum(bt), 1);
  BtCursor *c;
  btree_cursor_open(bt, 3, 0, &c); /* page 2 is the pointer map */
  i64 n = 0;
  RUN(rc, btree_count(c, &n));
  CHECK_INT(n, 500);
  Pgno roots[2] = {1, 3};
  int nerr = 0;
  char *msg = NULL;
  RUN(rc, btree_integrity_check(bt, roots, 2, 10, &nerr, &msg));
  CHECK_INT(nerr, 0);
  if (msg) fprintf(stderr, "autovac integrity: %s\n", msg);
  sqlite3_free(msg);
  btree_cursor_close(c);
  RUN(rc, btree_commit(bt));
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  /* a new root goes right after the last one (page 4, in use: it moves) */
  Pgno nr = 0, nr2 = 0;
  RUN(rc, btree_create_table(bt, &nr, BTREE_INTKEY));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(nr, 4);
  RUN(rc, btree_create_table(bt, &nr2, BTREE_BLOBKEY));
  CHECK_INT(nr2, 5);
  btree_cursor_open(bt, nr, 1, &c);
  for (int k = 1; k <= 300; k++) ins(c, k, k % 10 == 0 ? 1500 : 50);
  btree_cursor_close(c);
  Pgno roots3[4] = {1, 3, nr, nr2};
  RUN(rc, btree_integrity_check(bt, roots3, 4, 10, &nerr, &msg));
  CHECK_INT(nerr, 0);
  if (msg) fprintf(stderr, "autovac integrity: %s\n", msg);
  sqlite3_free(msg);
  msg = NULL;
  Pgno mv = 9;
  RUN(rc, btree_drop_table(bt, nr, &mv));
  CHECK_INT(rc, SQLITE_READONLY); /* not the newest root */
  RUN(rc, btree_drop_table(bt, nr2, &mv));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_drop_table(bt, nr, &mv));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(mv, 0);
  RUN(rc, btree_integrity_check(bt, roots, 2, 10, &nerr, &msg));
  CHECK_INT(nerr, 0);
  if (msg) fprintf(stderr, "autovac integrity: %s\n", msg);
  sqlite3_free(msg);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  {
    char cmd2[300];
    snprintf(cmd2, sizeof cmd2, "sqlite3 %s 'PRAGMA integrity_check; SELECT count(*) FROM t' 2>&1", path);
    FILE *pp = popen(cmd2, "r");
    char out[300] = "";
    size_t nn = pp ? fread(out, 1, sizeof out - 1, pp) : 0;
    out[nn] = 0;
    if (pp) pclose(pp);
    CHECK_STR(out, "ok\n500\n");
  }
  RUN(rc, btree_close(bt));
  unlink(path);
}

/* A new, empty file: the schema table reads as empty; page 1 appears on
** the first write transaction with the header sqlite3 writes. */
static void empty_test(const char *vfsname) {
  g_vfs = shale_vfs_find(vfsname);
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btempty_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  Btree *bt;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_begin_trans(bt, 0, NULL));
  BtCursor *c;
  btree_cursor_open(bt, 1, 0, &c);
  int empty = 0, res = 0;
  RUN(rc, btree_first(c, &empty));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(empty, 1);
  RUN(rc, btree_table_moveto(c, 5, &res));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(btree_eof(c));
  CHECK_INT(btree_next(c), SQLITE_DONE);
  btree_cursor_close(c);
  RUN(rc, btree_commit(bt));
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_update_meta(bt, BTREE_USER_VERSION, 7));
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  FILE *f = fopen(path, "rb");
  u8 h[100];
  CHECK(f && fread(h, 1, 100, f) == 100);
  if (f) fclose(f);
  CHECK(memcmp(h, "SQLite format 3", 16) == 0);
  CHECK_INT(get2byte(h + 16), 4096);
  CHECK_INT(h[18], 1);
  CHECK_INT(h[21], 64);
  CHECK_INT(get4byte(h + 28), 1);
  CHECK_INT(get4byte(h + 44), 4);
  CHECK_INT(get4byte(h + 56), 1);
  CHECK_INT(get4byte(h + 60), 7);
  CHECK_INT(get4byte(h + 96), 3040001);
  CHECK_INT(get4byte(h + 24), get4byte(h + 92));
  char cmd[300];
  snprintf(cmd, sizeof cmd, "sqlite3 %s 'PRAGMA integrity_check; PRAGMA user_version' 2>&1", path);
  FILE *p = popen(cmd, "r");
  char out[200] = "";
  size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
  out[n] = 0;
  if (p) pclose(p);
  CHECK_STR(out, "ok\n7\n");
  unlink(path);
}

int main(void) {
  long sig[2];
  for (int v = 0; v < 2; v++) {
    sig[v] = run(testlib_vfs_names[v]);
    printf("%s: signature %ld\n", testlib_vfs_names[v], sig[v]);
    corrupt_test(testlib_vfs_names[v], 0);
    corrupt_test(testlib_vfs_names[v], 1); /* auto_vacuum: damaged pointer maps too */
    autovac_test(testlib_vfs_names[v]);
    cell_overrun_test(testlib_vfs_names[v]);
    empty_test(testlib_vfs_names[v]);
  }
  CHECK(sig[0] == sig[1]);
  long isig[2];
  for (int v = 0; v < 2; v++) isig[v] = run_index(testlib_vfs_names[v]);
  CHECK(isig[0] == isig[1]);
  return testlib_finish("btree_cursors");
}
