/* btree_seek.c — table seeks from a positioned cursor (answered on its
** current leaf when the key is the current or next cell, inside the leaf's
** key range, or past an edge leaf) must land exactly where a seek from the
** root lands: same result, same entry, same neighbours.  Rowids are sparse,
** negative and multi-byte, payloads of mixed sizes make trees of several
** levels; sequences walk forwards, backwards, by repeats and at random,
** with deletes in between.  On "unix" and "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/btree/btree.h"

#define RUN(rc, call)                                                       \
  do {                                                                      \
    while (((rc) = (call)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);        \
  } while (0)

static ShaleVfs *g_vfs;
static u64 g_rng;
static u32 rnd(void) {
  g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (u32)(g_rng >> 33);
}

#define NKEY 2500
static i64 g_keys[NKEY]; /* sorted, distinct */
static u8 g_live[NKEY];

static i64 key_at(int i) {
  /* sparse keys around 0, with a few huge ones at both ends */
  if (i == 0) return (i64)(-9223372036854775807LL - 1);
  if (i == NKEY - 1) return 9223372036854775807LL;
  if (i < 5) return -((i64)1 << (60 - i * 8));
  if (i > NKEY - 6) return (i64)1 << (30 + (i - (NKEY - 6)) * 8);
  return (i64)(i - NKEY / 3) * 7 + (i % 3);
}

/* A key to seek: an existing one, a neighbour, or far outside. */
static i64 probe(int i) {
  switch (rnd() % 6) {
    case 0: return (i64)((u64)g_keys[i] - 1); /* wraps at the ends */
    case 1: return (i64)((u64)g_keys[i] + 1);
    case 2: return (i64)(rnd() % 40000) - 20000;
    default: return g_keys[i];
  }
}

typedef struct Where {
  int rc, res, eof;
  i64 rowid, next, prev;
} Where;

/* Seek c to k, then record where it landed and its neighbours (moving a
** second cursor, so that c keeps its position for the next seek). */
static void seek(BtCursor *c, BtCursor *probe_c, i64 k, Where *w) {
  int rc;
  RUN(rc, btree_table_moveto(c, k, &w->res));
  w->rc = rc;
  w->eof = btree_eof(c);
  w->rowid = w->eof ? 0 : btree_rowid(c);
  w->next = w->prev = 0;
  if (rc || w->eof) return;
  int res2;
  RUN(rc, btree_table_moveto(probe_c, w->rowid, &res2));
  RUN(rc, btree_next(probe_c));
  w->next = rc == SQLITE_OK ? btree_rowid(probe_c) : -1;
  RUN(rc, btree_table_moveto(probe_c, w->rowid, &res2));
  RUN(rc, btree_prev(probe_c));
  w->prev = rc == SQLITE_OK ? btree_rowid(probe_c) : -1;
}

static void run(const char *vfsname, u32 pgsz) {
  g_vfs = shale_vfs_find(vfsname);
  CHECK(g_vfs != NULL);
  if (!g_vfs) return;
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btree_seek_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  Btree *bt;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) return;
  pager_set_page_size(btree_pager(bt), pgsz, 0);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  Pgno root = 0;
  RUN(rc, btree_create_table(bt, &root, BTREE_INTKEY));
  CHECK_INT(rc, SQLITE_OK);
  BtCursor *w, *c, *fresh, *nb;
  CHECK_INT(btree_cursor_open(bt, root, 1, &w), SQLITE_OK);
  g_rng = 4242;
  static u8 pay[3000];
  memset(pay, 'p', sizeof pay);
  for (int i = 0; i < NKEY; i++) {
    g_keys[i] = key_at(i);
    g_live[i] = 1;
  }
  for (int n = 0; n < NKEY; n++) {
    int i = (int)((u64)n * 1543 % NKEY); /* insert out of order */
    u32 r = rnd() % 100;
    int len = r < 70 ? (int)(rnd() % 40) : r < 97 ? (int)(rnd() % 300) : (int)(rnd() % 3000);
    BtreePayload p = {NULL, g_keys[i], pay, len, 0};
    RUN(rc, btree_insert(w, &p, 0, 0));
    CHECK_INT(rc, SQLITE_OK);
  }
  CHECK_INT(btree_cursor_open(bt, root, 0, &c), SQLITE_OK);
  CHECK_INT(btree_cursor_open(bt, root, 0, &nb), SQLITE_OK);
  int mismatches = 0, fast_hits = 0, n_seeks = 0;
  for (int round = 0; round < 8; round++) {
    int i = (int)(rnd() % NKEY);
    for (int s = 0; s < 1500; s++) {
      switch (round % 4) {
        case 0: i = (i + 1) % NKEY; break;                       /* forwards */
        case 1: i = (i + NKEY - 1) % NKEY; break;               /* backwards */
        case 2: if (rnd() % 3 == 0) i = (int)(rnd() % NKEY); break; /* repeats */
        default: i = (int)((i + rnd() % 9 + NKEY - 4) % NKEY); break; /* nearby */
      }
      i64 k = probe(i);
      Where a, b;
      seek(c, nb, k, &a);
      /* the same seek from a cursor that has no position */
      CHECK_INT(btree_cursor_open(bt, root, 0, &fresh), SQLITE_OK);
      seek(fresh, nb, k, &b);
      btree_cursor_close(fresh);
      n_seeks++;
      if (a.rc != b.rc || a.res != b.res || a.eof != b.eof || a.rowid != b.rowid || a.next != b.next ||
          a.prev != b.prev) {
        if (mismatches++ < 5)
          fprintf(stderr, "seek %lld: res %d/%d rowid %lld/%lld next %lld/%lld prev %lld/%lld\n", (long long)k,
                  a.res, b.res, (long long)a.rowid, (long long)b.rowid, (long long)a.next, (long long)b.next,
                  (long long)a.prev, (long long)b.prev);
      }
      if (a.res == 0) fast_hits++;
      /* now and then delete a row through the writer (c must re-find its
      ** place) */
      if (rnd() % 50 == 0) {
        int d = (int)(rnd() % NKEY);
        int res;
        RUN(rc, btree_table_moveto(w, g_keys[d], &res));
        if (rc == SQLITE_OK && res == 0) {
          RUN(rc, btree_delete(w, 0));
          CHECK_INT(rc, SQLITE_OK);
          g_live[d] = 0;
        }
      }
    }
  }
  CHECK_INT(mismatches, 0);
  CHECK(fast_hits > 1000);
  printf("%s page size %u: %d seeks, %d exact\n", vfsname, pgsz, n_seeks, fast_hits);
  btree_cursor_close(c);
  btree_cursor_close(nb);
  btree_cursor_close(w);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  btree_close(bt);
  unlink(path);
}

int main(void) {
  u32 sizes[3] = {512, 1024, 4096};
  for (int z = 0; z < 3; z++)
    for (int v = 0; v < 2; v++) run(testlib_vfs_names[v], sizes[z]);
  return testlib_finish("btree_seek");
}
