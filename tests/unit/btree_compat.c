/* btree_compat.c — file compatibility with sqlite3 (driven as a separate
** process), on both "unix" and "pending":
**  1. a database written by our b-tree with hand-encoded records (schema
**     rows, a table with overflowing rows, an index, deletions that fill the
**     freelist) passes sqlite3's PRAGMA integrity_check and its queries;
**  2. databases made by the sqlite3 CLI (page sizes 512, 4096, 65536;
**     overflowing rows and index keys) read correctly through our cursors,
**     pass our integrity_check, and stay valid after we insert into them;
**  3. a sequential bulk insert fills pages like sqlite3 (page_count). */
#include <stdarg.h>
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

/* ---- a tiny record encoder/decoder (integers and text) ---- */
typedef struct Val {
  int is_text;
  i64 i;
  const char *z;
  int n;
} Val;

static int int_serial(i64 v, int *len) {
  if (v == 0) return *len = 0, 8;
  if (v == 1) return *len = 0, 9;
  if (v >= -128 && v <= 127) return *len = 1, 1;
  if (v >= -32768 && v <= 32767) return *len = 2, 2;
  if (v >= -8388608 && v <= 8388607) return *len = 3, 3;
  if (v >= -2147483648LL && v <= 2147483647LL) return *len = 4, 4;
  if (v >= -140737488355328LL && v <= 140737488355327LL) return *len = 6, 5;
  return *len = 8, 6;
}

static int encode(u8 *out, const Val *v, int n) {
  u8 hdr[64];
  int nh = 0;
  int types[16], lens[16];
  for (int i = 0; i < n; i++) {
    if (v[i].is_text) {
      types[i] = 13 + 2 * v[i].n;
      lens[i] = v[i].n;
    } else {
      types[i] = int_serial(v[i].i, &lens[i]);
    }
    nh += varint_put(hdr + nh, (u64)types[i]);
  }
  int hs = nh + 1;
  if (hs > 127) hs++;
  int o = varint_put(out, (u64)hs);
  memcpy(out + o, hdr, (size_t)nh);
  o += nh;
  for (int i = 0; i < n; i++) {
    if (v[i].is_text) {
      memcpy(out + o, v[i].z, (size_t)v[i].n);
    } else {
      u64 x = (u64)v[i].i;
      for (int b = lens[i] - 1; b >= 0; b--) {
        out[o + b] = (u8)x;
        x >>= 8;
      }
    }
    o += lens[i];
  }
  return o;
}

/* decode column `col`: integer value or text/blob length */
static int decode(const u8 *rec, int n, int col, i64 *ival, int *tlen, const u8 **tptr) {
  u64 hs;
  int p = varint_get(rec, &hs);
  int body = (int)hs;
  for (int i = 0; p < (int)hs; i++) {
    u64 t;
    p += varint_get(rec + p, &t);
    int len = 0;
    if (t >= 12) len = (int)(t - 12) / 2;
    else if (t >= 1 && t <= 4) len = (int)t;
    else if (t == 5) len = 6;
    else if (t == 6 || t == 7) len = 8;
    if (i == col) {
      if (body + len > n) return 0;
      if (t >= 12) {
        *tlen = len;
        *tptr = rec + body;
        return 2;
      }
      i64 x = 0;
      if (t == 9) x = 1;
      else if (t == 8 || t == 0) x = 0;
      else {
        u64 ux = (rec[body] & 0x80) ? ~(u64)0 : 0;
        for (int b = 0; b < len; b++) ux = (ux << 8) | rec[body + b];
        x = (i64)ux;
      }
      *ival = x;
      return 1;
    }
    body += len;
  }
  return 0;
}

/* record comparator over integer/text columns (BINARY), for index keys */
static int val_cmp_col(const u8 *a, int na, const u8 *b, int nb, int col, int *both) {
  i64 ia = 0, ib = 0;
  int la = 0, lb = 0;
  const u8 *pa = NULL, *pb = NULL;
  int ta = decode(a, na, col, &ia, &la, &pa), tb = decode(b, nb, col, &ib, &lb, &pb);
  *both = ta && tb;
  if (!ta || !tb) return ta - tb;
  if (ta != tb) return ta < tb ? -1 : 1;
  if (ta == 1) return ia < ib ? -1 : ia > ib;
  int m = la < lb ? la : lb;
  int x = memcmp(pa, pb, (size_t)m);
  return x ? x : la - lb;
}
static int rec_cmp(void *ctx, const void *a, int na, const void *b, int nb) {
  SHALE_UNUSED(ctx);
  for (int col = 0; col < 8; col++) {
    int both;
    int x = val_cmp_col(a, na, b, nb, col, &both);
    if (x || !both) return x;
  }
  return 0;
}
typedef struct SK {
  const u8 *k;
  int n;
} SK;
static int key_cmp(void *arg, const void *e, int n) {
  SK *s = arg;
  return rec_cmp(NULL, e, n, s->k, s->n);
}

static char g_out[4096];
static const char *sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *sh(const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  g_out[0] = 0;
  FILE *f = popen(cmd, "r");
  if (!f) return g_out;
  size_t n = fread(g_out, 1, sizeof g_out - 1, f);
  g_out[n] = 0;
  pclose(f);
  while (n > 0 && (g_out[n - 1] == '\n' || g_out[n - 1] == '\r')) g_out[--n] = 0;
  return g_out;
}

static u8 g_rec[80000], g_buf[80000];
static char g_text[70000];

static Btree *open_bt(const char *path) {
  Btree *bt = NULL;
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &bt);
  CHECK_INT(rc, SQLITE_OK);
  return bt;
}

static int our_integrity(Btree *bt, Pgno *roots, int n) {
  int rc, nerr = 0;
  char *msg = NULL;
  RUN(rc, btree_integrity_check(bt, roots, n, 100, &nerr, &msg));
  if (rc) return -1;
  if (msg) {
    fprintf(stderr, "our integrity_check: %s\n", msg);
    sqlite3_free(msg);
  }
  return nerr;
}

static void insert_row(BtCursor *c, i64 rowid, i64 a, int blen) {
  memset(g_text, 'x', (size_t)blen);
  Val v[2] = {{0, a, NULL, 0}, {1, 0, g_text, blen}};
  int n = encode(g_rec, v, 2);
  BtreePayload p = {NULL, rowid, g_rec, n, 0};
  int rc;
  RUN(rc, btree_insert(c, &p, BTREE_APPEND, 0));
  CHECK_INT(rc, SQLITE_OK);
}
static void insert_idx(BtCursor *c, i64 a, i64 rowid) {
  Val v[2] = {{0, a, NULL, 0}, {0, rowid, NULL, 0}};
  u8 rec[64];
  int n = encode(rec, v, 2);
  BtreePayload p = {rec, n, NULL, 0, 0};
  int rc;
  RUN(rc, btree_insert(c, &p, 0, 0));
  CHECK_INT(rc, SQLITE_OK);
}
static void insert_schema2(BtCursor *c, i64 rowid, const char *type, const char *name,
                           const char *tbl, Pgno root, const char *sql) {
  Val v[5] = {{1, 0, type, (int)strlen(type)}, {1, 0, name, (int)strlen(name)},
              {1, 0, tbl, (int)strlen(tbl)}, {0, root, NULL, 0}, {1, 0, sql, (int)strlen(sql)}};
  int n = encode(g_rec, v, 5);
  BtreePayload p = {NULL, rowid, g_rec, n, 0};
  int rc;
  RUN(rc, btree_insert(c, &p, 0, 0));
  CHECK_INT(rc, SQLITE_OK);
}
static void insert_schema(BtCursor *c, i64 rowid, const char *type, const char *name, Pgno root,
                          const char *sql) {
  Val v[5] = {{1, 0, type, (int)strlen(type)}, {1, 0, name, (int)strlen(name)},
              {1, 0, "t", 1}, {0, root, NULL, 0}, {1, 0, sql, (int)strlen(sql)}};
  int n = encode(g_rec, v, 5);
  BtreePayload p = {NULL, rowid, g_rec, n, 0};
  int rc;
  RUN(rc, btree_insert(c, &p, 0, 0));
  CHECK_INT(rc, SQLITE_OK);
}

static int blen_of(int i) { return (i * 37) % 101 == 0 ? 3000 + i % 5000 : (i * 13) % 90; }

/* 1. we write, sqlite3 checks */
static void test_write(const char *vfsname) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_w_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  Pgno troot, iroot;
  RUN(rc, btree_create_table(bt, &troot, BTREE_INTKEY));
  RUN(rc, btree_create_table(bt, &iroot, BTREE_BLOBKEY));
  BtCursor *cs, *ct, *ci;
  btree_cursor_open(bt, 1, 1, &cs);
  btree_cursor_open(bt, troot, 1, &ct);
  btree_cursor_open(bt, iroot, 1, &ci);
  btree_cursor_set_record_compare(ci, rec_cmp, NULL);
  insert_schema(cs, 1, "table", "t", troot, "CREATE TABLE t(a INTEGER, b TEXT)");
  insert_schema(cs, 2, "index", "ta", iroot, "CREATE INDEX ta ON t(a)");
  RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, 1));
  int N = 3000;
  i64 sum = 0;
  for (int i = 1; i <= N; i++) {
    i64 a = (i * 7919) % 10007 - 5000;
    insert_row(ct, i, a, blen_of(i));
    insert_idx(ci, a, i);
  }
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  /* delete every third row (and its index entry) in a second transaction */
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  int ndel = 0;
  for (int i = 1; i <= N; i++) {
    i64 a = (i * 7919) % 10007 - 5000;
    if (i % 3 == 0) {
      int res;
      RUN(rc, btree_table_moveto(ct, i, &res));
      CHECK_INT(res, 0);
      RUN(rc, btree_delete(ct, 0));
      CHECK_INT(rc, SQLITE_OK);
      Val v[2] = {{0, a, NULL, 0}, {0, i, NULL, 0}};
      u8 rec[64];
      SK sk = {rec, encode(rec, v, 2)};
      RUN(rc, btree_index_moveto(ci, key_cmp, &sk, &res));
      CHECK_INT(res, 0);
      RUN(rc, btree_delete(ci, 0));
      CHECK_INT(rc, SQLITE_OK);
      ndel++;
    } else {
      sum += a;
    }
  }
  Pgno roots[3] = {1, troot, iroot};
  CHECK_INT(our_integrity(bt, roots, 3), 0);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  u32 nfree = 0;
  RUN(rc, btree_begin_trans(bt, 0, NULL));
  btree_get_meta(bt, BTREE_FREE_PAGE_COUNT, &nfree);
  CHECK(nfree > 0);
  RUN(rc, btree_commit(bt));
  btree_cursor_close(cs);
  btree_cursor_close(ct);
  btree_cursor_close(ci);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  char want[64];
  snprintf(want, sizeof want, "%d|%lld", N - ndel, (long long)sum);
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*), sum(a) FROM t' 2>&1", path), want);
  snprintf(want, sizeof want, "%d", N - ndel);
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*) FROM t INDEXED BY ta WHERE a > -100000' 2>&1", path), want);
  /* sqlite3 writes to our file; we read it back */
  sh("sqlite3 %s \"INSERT INTO t SELECT a+1, b FROM t WHERE rowid < 200\" 2>&1", path);
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  unlink(path);
}

/* 2. sqlite3 writes, we read (and then write) */
static void test_read(const char *vfsname, int pgsz) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_r_%d_%s_%d.db", (int)getpid(), vfsname, pgsz);
  unlink(path);
  sh("sqlite3 %s \"PRAGMA page_size=%d; CREATE TABLE t(a INTEGER, b TEXT); "
     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<2000) "
     "INSERT INTO t SELECT (i*7919)%%10007, printf('%%.*c', CASE WHEN i%%101=0 THEN 1000+i*7%%(%d) ELSE i%%97 END, 'x') FROM c; "
     "CREATE INDEX ta ON t(a); CREATE INDEX tb ON t(b); DELETE FROM t WHERE rowid%%5=0;\" 2>&1",
     path, pgsz, pgsz * 3);
  const char *o = sh("sqlite3 %s \"SELECT rootpage FROM sqlite_schema WHERE name='t'; SELECT rootpage FROM sqlite_schema WHERE name='ta'; SELECT rootpage FROM sqlite_schema WHERE name='tb'; SELECT count(*), sum(a), sum(length(b)) FROM t;\"", path);
  unsigned rt = 0, ra = 0, rb = 0;
  long long cnt = 0, suma = 0, sumb = 0;
  CHECK(sscanf(o, "%u\n%u\n%u\n%lld|%lld|%lld", &rt, &ra, &rb, &cnt, &suma, &sumb) == 6);
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  RUN(rc, btree_begin_trans(bt, 0, NULL));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(btree_get_page_size(bt), pgsz);
  BtCursor *ct, *ca, *cb;
  btree_cursor_open(bt, rt, 0, &ct);
  btree_cursor_open(bt, ra, 0, &ca);
  btree_cursor_open(bt, rb, 0, &cb);
  i64 n = 0;
  RUN(rc, btree_count(ct, &n));
  CHECK_INT(n, cnt);
  /* walk the table, decoding records through overflow */
  int empty;
  RUN(rc, btree_first(ct, &empty));
  long long sa = 0, sb = 0, rows = 0;
  int badbytes = 0;
  i64 lastrowid = -1;
  while (rc == SQLITE_OK && !empty) {
    u32 sz = btree_payload_size(ct);
    RUN(rc, btree_payload_read(ct, 0, sz, g_buf));
    CHECK_INT(rc, SQLITE_OK);
    i64 a = 0;
    int tl = 0;
    const u8 *tp = NULL;
    decode(g_buf, (int)sz, 0, &a, &tl, &tp);
    sa += a;
    if (decode(g_buf, (int)sz, 1, &a, &tl, &tp) == 2) {
      sb += tl;
      for (int i = 0; i < tl; i++) badbytes += tp[i] != 'x';
    }
    if (btree_rowid(ct) <= lastrowid) badbytes++;
    lastrowid = btree_rowid(ct);
    rows++;
    RUN(rc, btree_next(ct));
  }
  CHECK_INT(rc, SQLITE_DONE);
  CHECK_INT(rows, cnt);
  CHECK_INT(sa, suma);
  CHECK_INT(sb, sumb);
  CHECK_INT(badbytes, 0);
  /* index ta: ascending keys; index tb: overflowing keys ascending */
  for (int which = 0; which < 2; which++) {
    BtCursor *c = which ? cb : ca;
    RUN(rc, btree_count(c, &n));
    CHECK_INT(n, cnt);
    RUN(rc, btree_first(c, &empty));
    static u8 prev[70000];
    int nprev = -1, disorder = 0;
    rows = 0;
    while (rc == SQLITE_OK && !empty) {
      u32 sz = btree_payload_size(c);
      RUN(rc, btree_payload_read(c, 0, sz, g_buf));
      if (nprev >= 0 && rec_cmp(NULL, prev, nprev, g_buf, (int)sz) >= 0) disorder++;
      memcpy(prev, g_buf, sz);
      nprev = (int)sz;
      rows++;
      RUN(rc, btree_next(c));
    }
    CHECK_INT(rows, cnt);
    CHECK_INT(disorder, 0);
  }
  /* seek in ta with the comparator */
  {
    i64 a = (77 * 7919) % 10007;
    Val v[2] = {{0, a, NULL, 0}, {0, 77, NULL, 0}};
    u8 rec[64];
    SK sk = {rec, encode(rec, v, 2)};
    int res = 9;
    RUN(rc, btree_index_moveto(ca, key_cmp, &sk, &res));
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(res, 0);
  }
  Pgno roots[4] = {1, rt, ra, rb};
  CHECK_INT(our_integrity(bt, roots, 4), 0);
  btree_cursor_close(ct);
  btree_cursor_close(ca);
  btree_cursor_close(cb);
  RUN(rc, btree_commit(bt));
  /* now write into sqlite3's file: rows 5000.. and their ta entries */
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  btree_cursor_open(bt, rt, 1, &ct);
  btree_cursor_open(bt, ra, 1, &ca);
  btree_cursor_open(bt, rb, 1, &cb);
  btree_cursor_set_record_compare(ca, rec_cmp, NULL);
  btree_cursor_set_record_compare(cb, rec_cmp, NULL);
  for (int i = 5000; i < 5300; i++) {
    int bl = i % 10 == 0 ? pgsz + 100 : i % 50;
    insert_row(ct, i, i, bl);
    insert_idx(ca, i, i);
    memset(g_text, 'x', (size_t)bl);
    Val v[2] = {{1, 0, g_text, bl}, {0, i, NULL, 0}};
    int kn = encode(g_rec, v, 2);
    BtreePayload p = {g_rec, kn, NULL, 0, 0};
    RUN(rc, btree_insert(cb, &p, 0, 0));
    CHECK_INT(rc, SQLITE_OK);
  }
  CHECK_INT(our_integrity(bt, roots, 4), 0);
  btree_cursor_close(ct);
  btree_cursor_close(ca);
  btree_cursor_close(cb);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  char want[64];
  snprintf(want, sizeof want, "%lld", cnt + 300);
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*) FROM t' 2>&1", path), want);
  unlink(path);
}

/* 2b. a file with reserved bytes at the end of each page (header byte 20) */
static void test_reserved(const char *vfsname) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_res_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  char script[160];
  snprintf(script, sizeof script, "%s.sql", path);
  FILE *f = fopen(script, "w");
  if (!f) return;
  fprintf(f, ".filectrl reserve_bytes 32\nCREATE TABLE t(a INTEGER, b TEXT);\n"
             "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<500) "
             "INSERT INTO t SELECT i, printf('%%.*c', i*13%%3000, 'x') FROM c;\n");
  fclose(f);
  sh("sqlite3 %s < %s", path, script);
  unlink(script);
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*) FROM t'", path), "500");
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(pager_reserved(btree_pager(bt)), 32);
  BtCursor *ct;
  btree_cursor_open(bt, 2, 1, &ct);
  i64 n = 0;
  RUN(rc, btree_count(ct, &n));
  CHECK_INT(n, 500);
  for (int i = 501; i <= 800; i++) insert_row(ct, i, i, (i * 17) % 5000);
  Pgno roots[2] = {1, 2};
  CHECK_INT(our_integrity(bt, roots, 2), 0);
  btree_cursor_close(ct);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*), sum(length(b)) = (SELECT sum(length(b)) FROM t WHERE rowid<=500) + (SELECT sum(length(b)) FROM t WHERE rowid>500) FROM t' 2>&1", path), "800|1");
  unlink(path);
}

/* 2c. auto_vacuum files (full and incremental): our row changes keep the
** pointer map exact (sqlite3's integrity_check verifies every entry, and its
** own auto-vacuum commit afterwards relocates pages by it). */
static void test_autovac(const char *vfsname, const char *mode) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_av_%d_%s_%s.db", (int)getpid(), vfsname, mode);
  unlink(path);
  sh("sqlite3 %s \"PRAGMA page_size=1024; PRAGMA auto_vacuum=%s; CREATE TABLE t(a INTEGER, b TEXT); "
     "CREATE INDEX ta ON t(a); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<800) "
     "INSERT INTO t SELECT i, printf('%%.*c', CASE WHEN i%%40=0 THEN 2500 ELSE i%%90 END, 'x') FROM c; "
     "DELETE FROM t WHERE a%%7=0;\"",
     path, mode);
  unsigned rt = 0, ra = 0;
  CHECK(sscanf(sh("sqlite3 %s \"SELECT rootpage FROM sqlite_schema WHERE name='t'; SELECT rootpage FROM "
                  "sqlite_schema WHERE name='ta'\"", path), "%u\n%u", &rt, &ra) == 2);
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(btree_get_auto_vacuum(bt) != 0);
  BtCursor *ct, *ca;
  btree_cursor_open(bt, rt, 1, &ct);
  btree_cursor_open(bt, ra, 1, &ca);
  btree_cursor_set_record_compare(ca, rec_cmp, NULL);
  for (int i = 801; i <= 2500; i++) {
    insert_row(ct, i, i, i % 25 == 0 ? 3000 + i : i % 70);
    insert_idx(ca, i, i);
  }
  int ndel = 0;
  for (int i = 1; i <= 2500; i += 3) {
    if (i <= 800 && i % 7 == 0) continue;
    int res;
    RUN(rc, btree_table_moveto(ct, i, &res));
    if (res) continue;
    RUN(rc, btree_delete(ct, 0));
    CHECK_INT(rc, SQLITE_OK);
    Val v[2] = {{0, i, NULL, 0}, {0, i, NULL, 0}};
    u8 rec[64];
    SK sk = {rec, encode(rec, v, 2)};
    RUN(rc, btree_index_moveto(ca, key_cmp, &sk, &res));
    CHECK_INT(res, 0);
    RUN(rc, btree_delete(ca, 0));
    CHECK_INT(rc, SQLITE_OK);
    ndel++;
  }
  Pgno roots[3] = {1, rt, ra};
  CHECK_INT(our_integrity(bt, roots, 3), 0);
  btree_cursor_close(ct);
  btree_cursor_close(ca);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  if (strcmp(mode, "FULL") == 0) CHECK_STR(sh("sqlite3 %s 'PRAGMA freelist_count' 2>&1", path), "0");
  char want[64];
  snprintf(want, sizeof want, "%d", 800 - 800 / 7 + 1700 - ndel);
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*) FROM t' 2>&1", path), want);
  /* schema changes: a new table and index (roots placed after the last
  ** root, moving the pages that were there), then sqlite3 reads them */
  bt = open_bt(path);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  Pgno r2 = 0, r3 = 0;
  RUN(rc, btree_create_table(bt, &r2, BTREE_INTKEY));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_create_table(bt, &r3, BTREE_BLOBKEY));
  CHECK_INT(rc, SQLITE_OK);
  CHECK(r2 > (Pgno)ra && r3 > r2);
  BtCursor *cs, *c2, *c3;
  btree_cursor_open(bt, 1, 1, &cs);
  btree_cursor_open(bt, r2, 1, &c2);
  btree_cursor_open(bt, r3, 1, &c3);
  btree_cursor_set_record_compare(c3, rec_cmp, NULL);
  insert_schema2(cs, 10, "table", "t2", "t2", r2, "CREATE TABLE t2(a INTEGER, b TEXT)");
  insert_schema2(cs, 11, "index", "t2a", "t2", r3, "CREATE INDEX t2a ON t2(a)");
  u32 cookie = 0;
  btree_get_meta(bt, BTREE_SCHEMA_VERSION, &cookie);
  RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, cookie + 1));
  for (int i = 1; i <= 700; i++) {
    insert_row(c2, i, i * 3, i % 30 == 0 ? 2000 : i % 40);
    insert_idx(c3, i * 3, i);
  }
  Pgno roots2[5] = {1, rt, ra, r2, r3};
  CHECK_INT(our_integrity(bt, roots2, 5), 0);
  btree_cursor_close(cs);
  btree_cursor_close(c2);
  btree_cursor_close(c3);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  CHECK_STR(sh("sqlite3 %s 'SELECT count(*), sum(a) FROM t2; SELECT count(*) FROM t2 WHERE a > 600' 2>&1", path),
            "700|736050\n500");
  sh("sqlite3 %s \"DELETE FROM t WHERE a%%5=0; INSERT INTO t SELECT a+10000, b FROM t WHERE a%%11=0; "
     "DELETE FROM t2 WHERE a%%2=0; PRAGMA incremental_vacuum;\" 2>&1", path);
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  unlink(path);
}

/* 2d. a new auto_vacuum file made by us: roots grow the file, move used
** pages, or come off the freelist; sqlite3 checks every pointer-map entry */
static void test_autovac_new(const char *vfsname, int mode) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_avn_%d_%s_%d.db", (int)getpid(), vfsname, mode);
  unlink(path);
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  pager_set_page_size(btree_pager(bt), 1024, 0);
  CHECK_INT(btree_set_auto_vacuum(bt, mode), SQLITE_OK);
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  CHECK_INT(rc, SQLITE_OK);
  Pgno rt = 0, ra = 0, r3 = 0, r4 = 0;
  RUN(rc, btree_create_table(bt, &rt, BTREE_INTKEY));
  RUN(rc, btree_create_table(bt, &ra, BTREE_BLOBKEY));
  CHECK_INT(rt, 3); /* page 2 is the pointer map */
  CHECK_INT(ra, 4);
  BtCursor *cs, *ct, *ca;
  btree_cursor_open(bt, 1, 1, &cs);
  btree_cursor_open(bt, rt, 1, &ct);
  btree_cursor_open(bt, ra, 1, &ca);
  btree_cursor_set_record_compare(ca, rec_cmp, NULL);
  insert_schema2(cs, 1, "table", "t", "t", rt, "CREATE TABLE t(a INTEGER, b TEXT)");
  insert_schema2(cs, 2, "index", "ta", "t", ra, "CREATE INDEX ta ON t(a)");
  for (int i = 1; i <= 1500; i++) {
    insert_row(ct, i, i, i % 20 == 0 ? 2500 : i % 60);
    insert_idx(ca, i, i);
  }
  btree_cursor_close(ct);
  btree_cursor_close(ca);
  RUN(rc, btree_create_table(bt, &r3, BTREE_INTKEY)); /* page 5 is in use: it moves */
  CHECK_INT(r3, 5);
  btree_cursor_open(bt, r3, 1, &ct);
  insert_schema2(cs, 3, "table", "t3", "t3", r3, "CREATE TABLE t3(a INTEGER, b TEXT)");
  for (int i = 1; i <= 200; i++) insert_row(ct, i, i, 100);
  btree_cursor_close(ct);
  RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, 1));
  Pgno roots[4] = {1, rt, ra, r3};
  CHECK_INT(our_integrity(bt, roots, 4), 0);
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  /* empty t3's neighbour pages onto the freelist, then place a new root */
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  i64 nd = 0;
  RUN(rc, btree_clear_table(bt, rt, &nd));
  CHECK_INT(nd, 1500);
  RUN(rc, btree_clear_table(bt, ra, &nd));
  RUN(rc, btree_create_table(bt, &r4, BTREE_INTKEY));
  if (rc) fprintf(stderr, "create_table rc=%d %s\n", rc, btree_errmsg(bt) ? btree_errmsg(bt) : "");
  CHECK_INT(r4, 6);
  btree_cursor_open(bt, r4, 1, &ct);
  insert_schema2(cs, 4, "table", "t4", "t4", r4, "CREATE TABLE t4(a INTEGER, b TEXT)");
  for (int i = 1; i <= 300; i++) insert_row(ct, i, i, i % 9 == 0 ? 1500 : 20);
  btree_cursor_close(ct);
  btree_cursor_close(cs);
  RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, 2));
  Pgno roots2[5] = {1, rt, ra, r3, r4};
  CHECK_INT(our_integrity(bt, roots2, 5), 0);
  if (mode == 2) {
    /* PRAGMA incremental_vacuum: one page per call until DONE */
    u32 nf = 0;
    btree_get_meta(bt, BTREE_FREE_PAGE_COUNT, &nf);
    CHECK(nf > 0);
    int steps = 0;
    do {
      RUN(rc, btree_incr_vacuum(bt, 1));
      steps++;
    } while (rc == SQLITE_OK && steps < 100000);
    CHECK_INT(rc, SQLITE_DONE);
    CHECK_INT(steps, (int)nf + 1);
    btree_get_meta(bt, BTREE_FREE_PAGE_COUNT, &nf);
    CHECK_INT(nf, 0);
    CHECK_INT(our_integrity(bt, roots2, 5), 0);
  }
  RUN(rc, btree_commit(bt));
  CHECK_INT(rc, SQLITE_OK);
  RUN(rc, btree_close(bt));
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  /* full mode: our commit vacuumed the free pages away */
  CHECK_STR(sh("sqlite3 %s 'PRAGMA freelist_count' 2>&1", path), "0");
  char want[80];
  snprintf(want, sizeof want, "%d\n0|200|300", mode);
  CHECK_STR(sh("sqlite3 %s 'PRAGMA auto_vacuum; SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM t3), "
               "(SELECT count(*) FROM t4)' 2>&1", path), want);
  sh("sqlite3 %s \"INSERT INTO t SELECT a, b FROM t4; DROP TABLE t3; PRAGMA incremental_vacuum;\" 2>&1", path);
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check; SELECT count(*) FROM t' 2>&1", path), "ok\n300");
  unlink(path);
}

/* 2e. new roots over a freelist trunk page and over a second overflow page */
static void test_autovac_cases(const char *vfsname) {
  for (int kase = 0; kase < 2; kase++) {
    char path[128];
    snprintf(path, sizeof path, "/tmp/shale_btc_avc_%d_%s_%d.db", (int)getpid(), vfsname, kase);
    unlink(path);
    if (kase == 0) /* page 4 becomes the freelist trunk */
      sh("sqlite3 %s \"PRAGMA page_size=1024; PRAGMA auto_vacuum=2; CREATE TABLE t(a INTEGER, b TEXT); "
         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<400) INSERT INTO t "
         "SELECT i, printf('%%.*c', 100, 'x') FROM c; DELETE FROM t;\"", path);
    else /* page 5 is the second page of an overflow chain */
      sh("sqlite3 %s \"PRAGMA page_size=1024; PRAGMA auto_vacuum=1; CREATE TABLE t(a INTEGER, b TEXT); "
         "INSERT INTO t VALUES(1, printf('%%.*c', 5000, 'x')); CREATE TABLE u(x);\"", path);
    Btree *bt = open_bt(path);
    if (!bt) return;
    int rc;
    RUN(rc, btree_begin_trans(bt, 1, NULL));
    CHECK_INT(rc, SQLITE_OK);
    u32 mx = 0;
    btree_get_meta(bt, BTREE_LARGEST_ROOT_PAGE, &mx);
    Pgno r = 0;
    RUN(rc, btree_create_table(bt, &r, BTREE_INTKEY));
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(r, mx + 1);
    BtCursor *cs, *c2;
    btree_cursor_open(bt, 1, 1, &cs);
    btree_cursor_open(bt, r, 1, &c2);
    insert_schema2(cs, 20, "table", "t9", "t9", r, "CREATE TABLE t9(a INTEGER, b TEXT)");
    for (int i = 1; i <= 50; i++) insert_row(c2, i, i, i % 10 == 0 ? 3000 : 10);
    u32 cookie = 0;
    btree_get_meta(bt, BTREE_SCHEMA_VERSION, &cookie);
    RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, cookie + 1));
    btree_cursor_close(cs);
    btree_cursor_close(c2);
    RUN(rc, btree_commit(bt));
    CHECK_INT(rc, SQLITE_OK);
    RUN(rc, btree_close(bt));
    CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
    CHECK_STR(sh("sqlite3 %s 'SELECT count(*), sum(length(b)) FROM t; SELECT count(*) FROM t9' 2>&1", path),
              kase == 0 ? "0|\n50" : "1|5000\n50");
    sh("sqlite3 %s \"DELETE FROM t9 WHERE a%%2=0; PRAGMA incremental_vacuum;\"", path);
    CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
    unlink(path);
  }
}

/* 3. page fill of a sequential bulk insert vs sqlite3 */
static void test_fill(const char *vfsname) {
  char path[128], path2[128];
  snprintf(path, sizeof path, "/tmp/shale_btc_f_%d_%s.db", (int)getpid(), vfsname);
  snprintf(path2, sizeof path2, "/tmp/shale_btc_f2_%d_%s.db", (int)getpid(), vfsname);
  unlink(path);
  unlink(path2);
  int N = 20000;
  sh("sqlite3 %s \"CREATE TABLE t(a INTEGER, b TEXT); "
     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d) "
     "INSERT INTO t SELECT i, printf('%%.*c', i%%61, 'y') FROM c;\"",
     path2, N);
  long theirs = atol(sh("sqlite3 %s 'PRAGMA page_count'", path2));
  Btree *bt = open_bt(path);
  if (!bt) return;
  int rc;
  RUN(rc, btree_begin_trans(bt, 1, NULL));
  Pgno troot;
  RUN(rc, btree_create_table(bt, &troot, BTREE_INTKEY));
  BtCursor *cs, *ct;
  btree_cursor_open(bt, 1, 1, &cs);
  btree_cursor_open(bt, troot, 1, &ct);
  insert_schema(cs, 1, "table", "t", troot, "CREATE TABLE t(a INTEGER, b TEXT)");
  RUN(rc, btree_update_meta(bt, BTREE_SCHEMA_VERSION, 1));
  for (int i = 1; i <= N; i++) {
    memset(g_text, 'y', (size_t)(i % 61));
    Val v[2] = {{0, i, NULL, 0}, {1, 0, g_text, i % 61}};
    int n = encode(g_rec, v, 2);
    BtreePayload p = {NULL, i, g_rec, n, 0};
    int res = 0;
    RUN(rc, btree_table_moveto(ct, i, &res));
    RUN(rc, btree_insert(ct, &p, BTREE_APPEND, res));
    if (rc) break;
  }
  CHECK_INT(rc, SQLITE_OK);
  btree_cursor_close(cs);
  btree_cursor_close(ct);
  RUN(rc, btree_commit(bt));
  long ours = (long)pager_page_count(btree_pager(bt));
  RUN(rc, btree_close(bt));
  printf("%s: bulk insert of %d rows: %ld pages (sqlite3: %ld)\n", vfsname, N, ours, theirs);
  CHECK(ours <= theirs + theirs / 50 + 2);
  CHECK_STR(sh("sqlite3 %s 'PRAGMA integrity_check' 2>&1", path), "ok");
  char mine[128];
  snprintf(mine, sizeof mine, "%s", sh("sqlite3 %s 'SELECT count(*), sum(a) FROM t' 2>&1", path));
  CHECK_STR(mine, sh("sqlite3 %s 'SELECT count(*), sum(a) FROM t' 2>&1", path2));
  unlink(path);
  unlink(path2);
}

int main(void) {
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    CHECK(g_vfs != NULL);
    if (!g_vfs) continue;
    g_npending = 0;
    test_write(testlib_vfs_names[v]);
    test_read(testlib_vfs_names[v], 512);
    test_read(testlib_vfs_names[v], 4096);
    test_read(testlib_vfs_names[v], 65536);
    test_fill(testlib_vfs_names[v]);
    test_reserved(testlib_vfs_names[v]);
    test_autovac(testlib_vfs_names[v], "FULL");
    test_autovac(testlib_vfs_names[v], "INCREMENTAL");
    test_autovac_new(testlib_vfs_names[v], 1);
    test_autovac_new(testlib_vfs_names[v], 2);
    test_autovac_cases(testlib_vfs_names[v]);
    printf("%s: %ld PENDING retries\n", testlib_vfs_names[v], g_npending);
  }
  return testlib_finish("btree_compat");
}
