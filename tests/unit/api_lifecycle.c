/*
** api_lifecycle.c — statement and connection lifetimes around transaction
** ends, compared with SQLite 3.40 transcripts:
**  (a) a full ROLLBACK (explicit, or by an ON CONFLICT ROLLBACK error)
**      while other statements are mid-step: readers go on from where they
**      were, unless the transaction changed the schema -- then their next
**      step fails with SQLITE_ABORT_ROLLBACK "abort due to ROLLBACK";
**  (b) sqlite3_close with unfinalized statements: SQLITE_BUSY "unable to
**      close due to unfinalized statements or unfinished backups";
**      sqlite3_close_v2: a zombie whose statements still step, closed when
**      the last one is finalized.
** Runs on "unix" and "pending" (file database).  The expected transcript is
** what this same program prints when linked with the system libsqlite3:
** (make api-oracle; that build runs the "unix" pass only).
*/
#include "testlib.h"
#include "api_util.h"
#if defined(__has_include)
#if __has_include("shale.h")
#include "shale.h"
#endif
#endif
#include <stdarg.h>

typedef struct Buf {
  char z[8192];
  size_t n;
} Buf;

static void out(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(b->z + b->n, sizeof(b->z) - b->n, fmt, ap);
  va_end(ap);
  if (w > 0) b->n += (size_t)w;
  if (b->n >= sizeof(b->z)) b->n = sizeof(b->z) - 1;
}

static void ex(Buf *b, sqlite3 *db, const char *sql) {
  char *e = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
  out(b, "exec rc=%d%s%s\n", rc, e ? " " : "", e ? e : "");
  sqlite3_free(e);
}

static void steps(Buf *b, sqlite3 *db, sqlite3_stmt *st, int n, const char *tag) {
  for (int i = 0; i < n; i++) {
    int rc = sqlite3_step(st);
    out(b, "%s %d", tag, rc);
    if (rc == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); c++)
        out(b, " %s", (const char *)sqlite3_column_text(st, c));
      out(b, "\n");
    } else if (rc == SQLITE_DONE) {
      out(b, "\n");
      break;
    } else {
      out(b, " ext=%d %s\n", sqlite3_extended_errcode(db), sqlite3_errmsg(db));
      break;
    }
  }
}

static const char *expected =
    "exec rc=0\n"
    "exec rc=0\n"
    "read 100 1\n"
    "read 100 2\n"
    "exec rc=0\n"
    "read 100 3\n"
    "read 100 4\n"
    "read 100 5\n"
    "read 101\n"
    "reset 0\n"
    "exec rc=0\n"
    "join 100 1 1\n"
    "join 100 1 2\n"
    "exec rc=0\n"
    "join 100 1 3\n"
    "join 100 1 4\n"
    "join 100 1 5\n"
    "join 100 2 1\n"
    "reset 0\n"
    "exec rc=0\n"
    "read2 100 1\n"
    "read2 100 2\n"
    "exec rc=0\n"
    "read2 4 ext=516 abort due to ROLLBACK\n"
    "reset 4\n"
    "read2 100 1\n"
    "reset 0\n"
    "exec rc=0\n"
    "exec rc=0\n"
    "exec rc=0\n"
    "read3 100 1\n"
    "read3 100 2\n"
    "exec rc=19 UNIQUE constraint failed: k.x\n"
    "read3 100 3\n"
    "read3 100 4\n"
    "read3 100 5\n"
    "read3 101\n"
    "reset 0 autocommit 1\n"
    "exec rc=0\n"
    "read4 100 1\n"
    "exec rc=19 UNIQUE constraint failed: k.x\n"
    "read4 4 ext=516 abort due to ROLLBACK\n"
    "reset 4 autocommit 1\n"
    "count 100 5\n"
    "close 5 unable to close due to unfinalized statements or unfinished backups\n"
    "close_v2 0\n"
    "zombie 100 1\n"
    "zombie 100 2\n"
    "finalize 0\n"
    "zombie 100 5\n"
    "finalize 0\n";

static void run(const char *vfs) {
  char path[256];
  snprintf(path, sizeof(path), "/tmp/shale_api_lifecycle_%d.db", (int)getpid());
  au_unlink_db(path);
  Buf b = {{0}, 0};
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) {
    sqlite3_close(db);
    return;
  }
  sqlite3_stmt *r = NULL, *j = NULL, *c = NULL;
  ex(&b, db, "CREATE TABLE t(a); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c"
             " WHERE i<5) INSERT INTO t SELECT i FROM c;");
  /* (a) a reader inside the transaction goes on after ROLLBACK */
  ex(&b, db, "BEGIN; INSERT INTO t VALUES(100)");
  sqlite3_prepare_v2(db, "SELECT a FROM t", -1, &r, NULL);
  steps(&b, db, r, 2, "read");
  ex(&b, db, "ROLLBACK");
  steps(&b, db, r, 10, "read");
  out(&b, "reset %d\n", sqlite3_reset(r));
  /* a join: the inner cursor is rewound after the rollback */
  ex(&b, db, "BEGIN; DELETE FROM t WHERE a=5");
  sqlite3_prepare_v2(db, "SELECT x.a, y.a FROM t x CROSS JOIN t y", -1, &j, NULL);
  steps(&b, db, j, 2, "join");
  ex(&b, db, "ROLLBACK");
  steps(&b, db, j, 4, "join");
  out(&b, "reset %d\n", sqlite3_reset(j));
  sqlite3_finalize(j);
  /* a schema change in the transaction trips every statement */
  ex(&b, db, "BEGIN; CREATE TABLE u(x)");
  steps(&b, db, r, 2, "read2");
  ex(&b, db, "ROLLBACK");
  steps(&b, db, r, 3, "read2");
  out(&b, "reset %d\n", sqlite3_reset(r));
  steps(&b, db, r, 1, "read2"); /* usable again after reset */
  out(&b, "reset %d\n", sqlite3_reset(r));
  /* rollback by an error (ON CONFLICT ROLLBACK), no schema change */
  ex(&b, db, "CREATE TABLE k(x UNIQUE ON CONFLICT ROLLBACK)");
  ex(&b, db, "INSERT INTO k VALUES(1)");
  ex(&b, db, "BEGIN; INSERT INTO t VALUES(7)");
  steps(&b, db, r, 2, "read3");
  ex(&b, db, "INSERT INTO k VALUES(1)");
  steps(&b, db, r, 4, "read3");
  out(&b, "reset %d autocommit %d\n", sqlite3_reset(r), sqlite3_get_autocommit(db));
  /* rollback by an error in a transaction that created a table */
  ex(&b, db, "BEGIN; CREATE TABLE v(y)");
  steps(&b, db, r, 1, "read4");
  ex(&b, db, "INSERT INTO k VALUES(1)");
  steps(&b, db, r, 1, "read4");
  out(&b, "reset %d autocommit %d\n", sqlite3_reset(r), sqlite3_get_autocommit(db));
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &c, NULL);
  steps(&b, db, c, 1, "count");
  sqlite3_finalize(c);
  /* (b) close with statements open (r needs a re-prepare after the schema
  ** changes, which a zombie refuses: use fresh statements) */
  sqlite3_finalize(r);
  sqlite3_prepare_v2(db, "SELECT a FROM t", -1, &r, NULL);
  rc = sqlite3_close(db);
  out(&b, "close %d %s\n", rc, sqlite3_errmsg(db));
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &c, NULL);
  out(&b, "close_v2 %d\n", sqlite3_close_v2(db));
  steps(&b, db, r, 2, "zombie");
  out(&b, "finalize %d\n", sqlite3_finalize(r));
  steps(&b, db, c, 1, "zombie");
  out(&b, "finalize %d\n", sqlite3_finalize(c)); /* closes the connection */
  CHECK_STR(b.z, expected);
  if (strcmp(b.z, expected) != 0) fprintf(stderr, "--- %s got:\n%s", vfs, b.z);
  /* the file is consistent and unlocked afterwards */
  CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  char res[256];
  CHECK_INT(au_query(db, "BEGIN IMMEDIATE; SELECT count(*) FROM t; PRAGMA integrity_check; COMMIT",
                     res, sizeof(res)), SQLITE_OK);
  CHECK_STR(res, "5\nok");
  sqlite3_close(db);
  au_unlink_db(path);
}

/* linked with the system libsqlite3 (make api-oracle) only "unix" exists */
#ifdef SHALE_H
#define N_VFS 2
#else
#define N_VFS 1
#endif

int main(void) {
  for (int i = 0; i < N_VFS; i++) run(testlib_vfs_names[i]);
  return testlib_finish("api_lifecycle");
}
