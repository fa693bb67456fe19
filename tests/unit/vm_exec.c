/* vm_exec.c — hand-built programs (builder API) run by the interpreter on a
** real b-tree, on both "unix" and "pending": create a table (with its
** sqlite_schema row), insert rows, scan and sum them, look rows up by rowid,
** build an index and seek it, sort with the sorter (incl. spill to a temp
** file), then check the file with the sqlite3 CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "vm_stubs.h"
#include "../../engine/vm/vdbe_int.h"

static ShaleVfs *g_vfs;
static long g_npending;

static int run(Vdbe *v) {
  int rc;
  while ((rc = vdbe_exec(v)) == SHALE_PENDING) {
    g_npending++;
    g_vfs->poll(g_vfs, 1);
  }
  return rc;
}

static sqlite3 *make_db(const char *path) {
  sqlite3 *db = shale_malloc_zero(sizeof(sqlite3));
  db->vfs = g_vfs;
  db->autocommit = 1;
  db->enc = SQLITE_UTF8;
  db->n_db = 1;
  db->dbs = shale_malloc_zero(sizeof(DbSlot) * 2);
  db->dbs[0].name = "main";
  int rc = btree_open(g_vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB,
                      &db->dbs[0].btree);
  CHECK_INT(rc, SQLITE_OK);
  return db;
}

static void close_db(sqlite3 *db) {
  while (db->stmts) vdbe_delete(db->stmts);
  int rc;
  while ((rc = btree_close(db->dbs[0].btree)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);
  sqlite3_free(db->dbs);
  sqlite3_free(db->err_msg);
  sqlite3_free(db);
}

/* CREATE TABLE t(a,b): new b-tree + its sqlite_schema row.  Returns root. */
static int create_table(sqlite3 *db, const char *name, const char *sql, int flags, const char *type, const char *tbl) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op3(v, OP_CreateBtree, 0, 1, flags);
  vdbe_add_op4_int(v, OP_OpenWrite, 0, 1, 0, 5);
  vdbe_add_op2(v, OP_NewRowid, 0, 2);
  vdbe_add_op4(v, OP_String8, 0, 3, 0, type, P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, 4, 0, name, P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, 5, 0, tbl, P4_STATIC);
  vdbe_add_op2(v, OP_SCopy, 1, 6);
  vdbe_add_op4(v, OP_String8, 0, 7, 0, sql, P4_STATIC);
  vdbe_add_op3(v, OP_MakeRecord, 3, 5, 8);
  vdbe_add_op3(v, OP_Insert, 0, 8, 2);
  vdbe_add_op3(v, OP_ReadCookie, 0, 9, BTREE_SCHEMA_VERSION);
  vdbe_add_op2(v, OP_AddImm, 9, 1);
  vdbe_add_op3(v, OP_SetCookie, 0, BTREE_SCHEMA_VERSION, 0); /* P3 patched below */
  int setck = vdbe_current_addr(v) - 1;
  vdbe_add_op1(v, OP_Close, 0);
  vdbe_add_op2(v, OP_ResultRow, 1, 1);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 1);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 9, 1, 0);
  /* the cookie must be a constant in P3: read it first */
  u32 ck = 0;
  int rc;
  int dummy;
  while ((rc = btree_begin_trans(db->dbs[0].btree, 0, &dummy)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);
  while ((rc = btree_get_meta(db->dbs[0].btree, BTREE_SCHEMA_VERSION, &ck)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);
  while ((rc = btree_commit(db->dbs[0].btree)) == SHALE_PENDING) g_vfs->poll(g_vfs, 1);
  vdbe_change_p3(v, setck, (int)ck + 1);
  CHECK_INT(run(v), SQLITE_ROW);
  int root = (int)mem_int_value(&v->result[0]);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
  return root;
}

/* INSERT n rows (a = i, b = 'row-<i>' padded) */
static void insert_rows(sqlite3 *db, int root, int n) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenWrite, 0, root, 0, 2);
  vdbe_add_op2(v, OP_Integer, 0, 1);
  vdbe_add_op2(v, OP_Integer, n, 7);
  int loop = vdbe_add_op2(v, OP_AddImm, 1, 1);
  vdbe_add_op2(v, OP_NewRowid, 0, 2);
  vdbe_add_op2(v, OP_SCopy, 1, 3);
  vdbe_add_op4(v, OP_String8, 0, 5, 0, "row-", P4_STATIC);
  vdbe_add_op3(v, OP_Concat, 1, 5, 4); /* 'row-' || i */
  vdbe_add_op3(v, OP_MakeRecord, 3, 2, 6);
  vdbe_add_op3(v, OP_Insert, 0, 6, 2);
  vdbe_change_p5(v, OPFLAG_NCHANGE | OPFLAG_LASTROWID);
  vdbe_add_op3(v, OP_Lt, 7, loop, 1);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 1);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 7, 1, 0);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(db->n_change, n);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
}

static void scan_sum(sqlite3 *db, int root, i64 *sum, i64 *count) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenRead, 0, root, 0, 2);
  vdbe_add_op2(v, OP_Integer, 0, 1);
  vdbe_add_op2(v, OP_Integer, 0, 2);
  vdbe_add_op2(v, OP_Integer, 1, 4);
  int rw = vdbe_add_op2(v, OP_Rewind, 0, 0);
  int loop = vdbe_add_op3(v, OP_Column, 0, 0, 3);
  vdbe_add_op3(v, OP_Add, 3, 1, 1);
  vdbe_add_op3(v, OP_Add, 4, 2, 2);
  vdbe_add_op2(v, OP_Next, 0, loop);
  vdbe_jump_here(v, rw);
  vdbe_add_op2(v, OP_ResultRow, 1, 2);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 4, 1, 0);
  CHECK_INT(run(v), SQLITE_ROW);
  *sum = mem_int_value(&v->result[0]);
  *count = mem_int_value(&v->result[1]);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
}

/* SELECT b FROM t WHERE rowid = ?1 */
static void lookup(sqlite3 *db, int root, i64 rowid, const char *expect) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenRead, 0, root, 0, 2);
  vdbe_add_op2(v, OP_Variable, 1, 1);
  int sk = vdbe_add_op3(v, OP_SeekRowid, 0, 0, 1);
  vdbe_add_op3(v, OP_Column, 0, 1, 2);
  vdbe_add_op2(v, OP_ResultRow, 2, 1);
  vdbe_jump_here(v, sk);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 2, 1, 1);
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)rowid);
  mem_set_str(&v->vars[0], buf, -1, SQLITE_TRANSIENT); /* text '5' -> SeekRowid applies affinity */
  int rc = run(v);
  if (expect) {
    CHECK_INT(rc, SQLITE_ROW);
    if (rc == SQLITE_ROW) CHECK_STR((const char *)sqlite3_value_text(&v->result[0]), expect);
    rc = run(v);
  }
  CHECK_INT(rc, SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
}

/* CREATE INDEX i ON t(b DESC): fill it from the table, then seek it. */
static void index_test(sqlite3 *db, int troot, int n) {
  int iroot = create_table(db, "i", "CREATE INDEX i ON t(b DESC)", BTREE_BLOBKEY, "index", "t");
  KeyInfo *ki = keyinfo_alloc(1, 1);
  ki->sort_flags[0] = KEYINFO_ORDER_DESC;
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenRead, 0, troot, 0, 2);
  vdbe_add_op4(v, OP_OpenWrite, 1, iroot, 0, keyinfo_ref(ki), P4_KEYINFO);
  int rw = vdbe_add_op2(v, OP_Rewind, 0, 0);
  int loop = vdbe_add_op3(v, OP_Column, 0, 1, 1);
  vdbe_add_op2(v, OP_Rowid, 0, 2);
  vdbe_add_op3(v, OP_MakeRecord, 1, 2, 3);
  vdbe_add_op3(v, OP_IdxInsert, 1, 3, 1);
  vdbe_add_op2(v, OP_Next, 0, loop);
  vdbe_jump_here(v, rw);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 1);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 3, 2, 0);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);

  /* SELECT rowid FROM t INDEXED BY i WHERE b >= 'row-5' (DESC index: SeekLE
  ** walks the keys <= in index order... use SeekGE on the index order:
  ** index order is descending b; entries from 'row-5' downwards) */
  v = vdbe_create(db);
  init = vdbe_add_op0(v, OP_Init);
  body = vdbe_current_addr(v);
  vdbe_add_op4(v, OP_OpenRead, 1, iroot, 0, keyinfo_ref(ki), P4_KEYINFO);
  vdbe_add_op4(v, OP_String8, 0, 1, 0, "row-5", P4_STATIC);
  vdbe_add_op2(v, OP_Integer, 0, 3);
  int sk = vdbe_add_op4_int(v, OP_SeekGE, 1, 0, 1, 1);
  loop = vdbe_add_op2(v, OP_IdxRowid, 1, 2);
  vdbe_add_op2(v, OP_AddImm, 3, 1);
  vdbe_add_op2(v, OP_Next, 1, loop);
  vdbe_jump_here(v, sk);
  vdbe_add_op2(v, OP_ResultRow, 3, 1);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 3, 2, 0);
  CHECK_INT(run(v), SQLITE_ROW);
  /* keys <= 'row-5' in text order among row-1..row-n */
  int expect = 0;
  for (int i = 1; i <= n; i++) {
    char b[32];
    snprintf(b, sizeof b, "row-%d", i);
    if (strcmp(b, "row-5") <= 0) expect++;
  }
  CHECK_INT(mem_int_value(&v->result[0]), expect);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);

  /* Found / NotFound with an unpacked key */
  v = vdbe_create(db);
  init = vdbe_add_op0(v, OP_Init);
  body = vdbe_current_addr(v);
  vdbe_add_op4(v, OP_OpenRead, 1, iroot, 0, keyinfo_ref(ki), P4_KEYINFO);
  vdbe_add_op4(v, OP_String8, 0, 1, 0, "row-7", P4_STATIC);
  vdbe_add_op2(v, OP_Integer, 0, 2);
  int nf = vdbe_add_op4_int(v, OP_NotFound, 1, 0, 1, 1);
  vdbe_add_op2(v, OP_Integer, 1, 2);
  vdbe_jump_here(v, nf);
  vdbe_add_op4(v, OP_String8, 0, 1, 0, "nope", P4_STATIC);
  int f2 = vdbe_add_op4_int(v, OP_Found, 1, 0, 1, 1);
  vdbe_add_op2(v, OP_AddImm, 2, 10);
  vdbe_jump_here(v, f2);
  vdbe_add_op2(v, OP_ResultRow, 2, 1);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 2, 2, 0);
  CHECK_INT(run(v), SQLITE_ROW);
  CHECK_INT(mem_int_value(&v->result[0]), 11);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
  keyinfo_unref(ki);
}

/* SELECT a FROM t ORDER BY b DESC, through the sorter. */
static void sorter_test(sqlite3 *db, int root, int n) {
  db->sorter_mem_limit = 4096; /* force spills */
  KeyInfo *ki = keyinfo_alloc(1, 1);
  ki->sort_flags[0] = KEYINFO_ORDER_DESC;
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4(v, OP_SorterOpen, 1, 2, 0, ki, P4_KEYINFO);
  vdbe_add_op4_int(v, OP_OpenRead, 0, root, 0, 2);
  int rw = vdbe_add_op2(v, OP_Rewind, 0, 0);
  int loop = vdbe_add_op3(v, OP_Column, 0, 1, 1);
  vdbe_add_op3(v, OP_Column, 0, 0, 2);
  vdbe_add_op3(v, OP_MakeRecord, 1, 2, 3);
  vdbe_add_op2(v, OP_SorterInsert, 1, 3);
  vdbe_add_op2(v, OP_Next, 0, loop);
  vdbe_jump_here(v, rw);
  vdbe_add_op3(v, OP_OpenPseudo, 2, 4, 2);
  int ss = vdbe_add_op2(v, OP_SorterSort, 1, 0);
  int l2 = vdbe_add_op3(v, OP_SorterData, 1, 4, 2);
  vdbe_add_op3(v, OP_Column, 2, 0, 5);
  vdbe_add_op3(v, OP_Column, 2, 1, 6);
  vdbe_add_op2(v, OP_ResultRow, 5, 2);
  vdbe_add_op2(v, OP_SorterNext, 1, l2);
  vdbe_jump_here(v, ss);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 6, 3, 0);
  char prev[64] = "zzzz";
  int rows = 0, ordered = 1;
  i64 sum = 0;
  int rc;
  int runs = 0;
  while ((rc = run(v)) == SQLITE_ROW) {
    if (rows == 0) runs = sorter_n_runs(v->csr[1]->sorter);
    const char *b = (const char *)sqlite3_value_text(&v->result[0]);
    if (strcmp(b, prev) > 0) ordered = 0;
    snprintf(prev, sizeof prev, "%s", b);
    sum += mem_int_value(&v->result[1]);
    rows++;
  }
  CHECK_INT(rc, SQLITE_DONE);
  CHECK_INT(rows, n);
  CHECK(ordered);
  CHECK_INT(sum, (i64)n * (n + 1) / 2);
  CHECK(runs > 1);
  CHECK_INT(vdbe_finalize(v), SQLITE_OK);
  db->sorter_mem_limit = 0;
}

/* errors: a constraint Halt rolls back the statement's changes */
static void halt_test(sqlite3 *db, int root) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenWrite, 0, root, 0, 2);
  vdbe_add_op2(v, OP_NewRowid, 0, 2);
  vdbe_add_op2(v, OP_Integer, 1000000, 3);
  vdbe_add_op2(v, OP_Null, 0, 4);
  vdbe_add_op3(v, OP_MakeRecord, 3, 2, 5);
  vdbe_add_op3(v, OP_Insert, 0, 5, 2);
  vdbe_add_op4(v, OP_Halt, SQLITE_CONSTRAINT_NOTNULL, 2, 0, "t.b", P4_STATIC);
  vdbe_change_p5(v, 1);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 1);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 5, 1, 0);
  int rc = run(v);
  CHECK_INT(rc, SQLITE_CONSTRAINT_NOTNULL);
  CHECK_STR(v->err_msg, "NOT NULL constraint failed: t.b");
  CHECK_INT(vdbe_finalize(v), SQLITE_CONSTRAINT_NOTNULL);
  CHECK_INT(btree_txn_state(db->dbs[0].btree), 0);
}

/* an immediate FK violation counted by OP_FkCounter fails the statement
** at its end and undoes its insert; a deferred one fails the COMMIT */
static void fk_test(sqlite3 *db, int root) {
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenWrite, 0, root, 0, 2);
  vdbe_add_op2(v, OP_NewRowid, 0, 2);
  vdbe_add_op3(v, OP_MakeRecord, 3, 2, 5);
  vdbe_add_op3(v, OP_Insert, 0, 5, 2);
  vdbe_add_op2(v, OP_FkCounter, 0, 1);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 1);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 5, 1, 0);
  CHECK_INT(run(v), SQLITE_CONSTRAINT_FOREIGNKEY);
  CHECK_STR(v->err_msg, "FOREIGN KEY constraint failed");
  vdbe_finalize(v);
  /* BEGIN; deferred violation; COMMIT fails and the transaction stays */
  db->autocommit = 0;
  db->n_deferred_fk = 1;
  v = vdbe_create(db);
  vdbe_add_op2(v, OP_AutoCommit, 1, 0);
  vdbe_add_op0(v, OP_Halt);
  vdbe_make_ready(v, 0, 0, 0);
  CHECK_INT(run(v), SQLITE_CONSTRAINT_FOREIGNKEY);
  CHECK_INT(db->autocommit, 0);
  vdbe_finalize(v);
  db->n_deferred_fk = 0;
  v = vdbe_create(db);
  vdbe_add_op2(v, OP_AutoCommit, 1, 0);
  vdbe_add_op0(v, OP_Halt);
  vdbe_make_ready(v, 0, 0, 0);
  CHECK_INT(run(v), SQLITE_DONE);
  CHECK_INT(db->autocommit, 1);
  vdbe_finalize(v);
}

static void explain_test(sqlite3 *db) {
  Vdbe *v = vdbe_create(db);
  vdbe_add_op2(v, OP_Init, 0, 2);
  vdbe_add_op4(v, OP_Explain, 1, 0, 0, "SCAN t", P4_STATIC);
  vdbe_add_op0(v, OP_Halt);
  vdbe_make_ready(v, 0, 0, 0);
  vdbe_set_explain(v, 1);
  int rows = 0;
  while (run(v) == SQLITE_ROW) rows++;
  CHECK_INT(rows, 3);
  vdbe_reset(v);
  vdbe_set_explain(v, 2);
  CHECK_INT(run(v), SQLITE_ROW);
  CHECK_STR((const char *)sqlite3_value_text(&v->result[3]), "SCAN t");
  CHECK_INT(run(v), SQLITE_DONE);
  vdbe_finalize(v);
}

static int sh(const char *cmd, char *out, int n) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  int k = (int)fread(out, 1, (size_t)n - 1, f);
  out[k > 0 ? k : 0] = 0;
  return pclose(f);
}

/* Records made by sqlite3: read them with OP_Column, and check that
** record_make() re-encodes each row to the very same bytes. */
static void sqlite3_records_test(void) {
  char path[128], cmd[1024];
  snprintf(path, sizeof path, "/tmp/shale_vm_rec_%d.db", (int)getpid());
  unlink(path);
  snprintf(cmd, sizeof cmd,
           "sqlite3 %s \"CREATE TABLE r(a,b,c,d); INSERT INTO r VALUES"
           "(0,1,NULL,-1),(127,-128,32767,-32769),(8388607,-8388609,2147483647,-2147483649),"
           "(140737488355327,-140737488355329,9223372036854775807,-9223372036854775808),"
           "(1.5,-0.25,1e300,0.1),('','x','h\xc3\xa9llo',x''),(x'00ff',zeroblob(3),'%s',2.0);\"",
           path, "a long text value that spans more than a few bytes of the record body");
  CHECK_INT(system(cmd), 0);
  sqlite3 *db = make_db(path);
  Vdbe *v = vdbe_create(db);
  int init = vdbe_add_op0(v, OP_Init);
  int body = vdbe_current_addr(v);
  vdbe_add_op4_int(v, OP_OpenRead, 0, 2, 0, 4);
  int rw = vdbe_add_op2(v, OP_Rewind, 0, 0);
  int loop = vdbe_add_op3(v, OP_Column, 0, 0, 1);
  vdbe_add_op3(v, OP_Column, 0, 1, 2);
  vdbe_add_op3(v, OP_Column, 0, 2, 3);
  vdbe_add_op3(v, OP_Column, 0, 3, 4);
  vdbe_add_op3(v, OP_RowData, 0, 5, 0);
  vdbe_add_op2(v, OP_ResultRow, 1, 5);
  vdbe_add_op2(v, OP_Next, 0, loop);
  vdbe_jump_here(v, rw);
  vdbe_add_op0(v, OP_Halt);
  vdbe_jump_here(v, init);
  vdbe_add_op2(v, OP_Transaction, 0, 0);
  vdbe_add_op2(v, OP_Goto, 0, body);
  vdbe_make_ready(v, 5, 1, 0);
  int rows = 0, same = 0;
  Mem rec;
  mem_init(&rec, db);
  while (run(v) == SQLITE_ROW) {
    Mem *r = v->result;
    if (rows == 0) {
      CHECK_INT(sqlite3_value_int(&r[0]), 0);
      CHECK_INT(sqlite3_value_int(&r[1]), 1);
      CHECK_INT(sqlite3_value_type(&r[2]), SQLITE_NULL);
      CHECK_INT(sqlite3_value_int(&r[3]), -1);
    } else if (rows == 3) {
      CHECK_INT(sqlite3_value_int64(&r[0]), 140737488355327LL);
      CHECK_INT(sqlite3_value_int64(&r[3]), (-9223372036854775807LL - 1));
    } else if (rows == 4) {
      CHECK(sqlite3_value_double(&r[0]) == 1.5);
      CHECK_STR((const char *)sqlite3_value_text(&r[2]), "1.0e+300");
    } else if (rows == 5) {
      CHECK_STR((const char *)sqlite3_value_text(&r[2]), "h\xc3\xa9llo");
      CHECK_INT(sqlite3_value_type(&r[3]), SQLITE_BLOB);
      CHECK_INT(sqlite3_value_bytes(&r[3]), 0);
    } else if (rows == 6) {
      CHECK_INT(sqlite3_value_bytes(&r[1]), 3);
      CHECK_INT(sqlite3_value_type(&r[3]), SQLITE_FLOAT);
    }
    CHECK_INT(record_make(r, 4, 4, SQLITE_UTF8, &rec), SQLITE_OK);
    if (rec.n == r[4].n && memcmp(rec.z, r[4].z, (size_t)rec.n) == 0) same++;
    rows++;
  }
  CHECK_INT(rows, 7);
  CHECK_INT(same, 7);
  mem_release(&rec);
  vdbe_finalize(v);
  close_db(db);
  unlink(path);
}

int main(void) {
  for (int k = 0; k < 2; k++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[k]);
    CHECK(g_vfs != NULL);
    if (!g_vfs) continue;
    sqlite3_records_test();
    char path[128];
    snprintf(path, sizeof path, "/tmp/shale_vm_exec_%d_%d.db", (int)getpid(), k);
    unlink(path);
    sqlite3 *db = make_db(path);
    int n = 2000;
    int root = create_table(db, "t", "CREATE TABLE t(a,b)", BTREE_INTKEY, "table", "t");
    CHECK_INT(root, 2);
    insert_rows(db, root, n);
    CHECK_INT(db->last_rowid, n);
    i64 sum = 0, count = 0;
    scan_sum(db, root, &sum, &count);
    CHECK_INT(sum, (i64)n * (n + 1) / 2);
    CHECK_INT(count, n);
    CHECK_INT(btree_txn_state(db->dbs[0].btree), 0); /* cursors closed, txn ended */
    CHECK_INT(db->n_vdbe_active, 0);
    lookup(db, root, 5, "row-5");
    lookup(db, root, 1999, "row-1999");
    lookup(db, root, n + 10, NULL);
    index_test(db, root, n);
    sorter_test(db, root, n);
    halt_test(db, root);
    fk_test(db, root);
    scan_sum(db, root, &sum, &count);
    CHECK_INT(count, n);
    explain_test(db);
    {
      /* VACUUM rebuilds the file; the sqlite3 checks below must still pass */
      Vdbe *v = vdbe_create(db);
      vdbe_add_op2(v, OP_Vacuum, 0, 0);
      vdbe_add_op0(v, OP_Halt);
      vdbe_make_ready(v, 1, 0, 0);
      CHECK_INT(run(v), SQLITE_DONE);
      CHECK_INT(vdbe_finalize(v), SQLITE_OK);
      CHECK_INT(btree_txn_state(db->dbs[0].btree), 0);
      scan_sum(db, 2, &sum, &count);
      CHECK_INT(count, n);
    }
    close_db(db);
    char cmd[512], out[512];
    snprintf(cmd, sizeof cmd, "sqlite3 %s 'PRAGMA integrity_check; SELECT count(*), sum(a) FROM t; SELECT count(*) FROM t INDEXED BY i WHERE b <= \"row-5\";' 2>&1", path);
    sh(cmd, out, sizeof out);
    char expect[128];
    snprintf(expect, sizeof expect, "ok\n%d|%lld\n", n, (long long)n * (n + 1) / 2);
    CHECK(strncmp(out, expect, strlen(expect)) == 0);
    if (strncmp(out, expect, strlen(expect)) != 0) fprintf(stderr, "sqlite3 said: %s\n", out);
    unlink(path);
  }
  fprintf(stderr, "pending rounds: %ld\n", g_npending);
  return testlib_finish("vm_exec");
}
