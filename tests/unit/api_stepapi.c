/*
** api_stepapi.c — the per-row statement API: the progress handler and
** sqlite3_interrupt (checked at jumps, as in SQLite), bindings kept across
** reset and copied or referenced as the destructor says, and the lifetime
** rules of sqlite3_column_text/blob pointers (valid until the next step,
** reset or finalize, or a type conversion of that column).  Public API only;
** passes against the system libsqlite3 too:
**   cc -Itests/unit tests/unit/api_stepapi.c tests/unit/testlib.c -lsqlite3
*/
#include "testlib.h"
#include "api_util.h"

static void exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) testlib_fail(__FILE__, __LINE__, "exec %s: %s", sql, err ? err : "?");
  sqlite3_free(err);
}

static sqlite3 *open_db(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  exec(db, "CREATE TABLE t(a INTEGER, b TEXT, c BLOB, d REAL);"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<500)"
           " INSERT INTO t SELECT i, 'text ' || i, zeroblob(i % 7), i / 4.0 FROM n;");
  return db;
}

typedef struct Prog {
  int calls;
  int stop_after; /* return nonzero on this call (0: never) */
} Prog;

static int progress(void *arg) {
  Prog *p = arg;
  p->calls++;
  return p->stop_after && p->calls >= p->stop_after;
}

static void test_progress(void) {
  sqlite3 *db = open_db();
  Prog p = {0, 0};
  sqlite3_progress_handler(db, 10, progress, &p);
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT sum(a) FROM t WHERE b LIKE '%1%'", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_column_int64(st, 0), 34426);
  CHECK_INT(sqlite3_step(st), SQLITE_DONE);
  CHECK(p.calls > 20); /* a scan of 500 rows is hundreds of opcodes */
  sqlite3_finalize(st);

  /* a nonzero return interrupts the statement */
  p.calls = 0;
  p.stop_after = 3;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM t, t AS u", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_INTERRUPT);
  CHECK_STR(sqlite3_errmsg(db), "interrupted");
  CHECK_INT(p.calls, 3);
  sqlite3_finalize(st);

  /* removed handler: never called again */
  sqlite3_progress_handler(db, 0, NULL, NULL);
  p.calls = 0;
  char out[64];
  au_query(db, "SELECT count(*) FROM t", out, sizeof out);
  CHECK_STR(out, "500");
  CHECK_INT(p.calls, 0);
  sqlite3_close(db);
}

static void interrupt_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  if (sqlite3_value_int(argv[0]) == 250) sqlite3_interrupt(sqlite3_context_db_handle(ctx));
  sqlite3_result_int(ctx, 1);
}

static void test_interrupt(void) {
  sqlite3 *db = open_db();
  sqlite3_create_function(db, "intr", 1, SQLITE_UTF8, NULL, interrupt_fn, NULL, NULL);
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT a FROM t WHERE intr(a)", -1, &st, NULL), SQLITE_OK);
  int rows = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) rows++;
  CHECK_INT(rc, SQLITE_INTERRUPT);
  CHECK(rows >= 249 && rows <= 250); /* stops at the next jump */
  CHECK_STR(sqlite3_errmsg(db), "interrupted");
  sqlite3_finalize(st);
  /* the next statement runs normally */
  char out[64];
  au_query(db, "SELECT count(*) FROM t", out, sizeof out);
  CHECK_STR(out, "500");
  sqlite3_close(db);
}

static void test_bindings(void) {
  sqlite3 *db = open_db();
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT ?1, ?2, typeof(?2), ?3", -1, &st, NULL), SQLITE_OK);
  char buf[16] = "hello";
  CHECK_INT(sqlite3_bind_text(st, 1, buf, -1, SQLITE_TRANSIENT), SQLITE_OK);
  strcpy(buf, "HELLO"); /* TRANSIENT: the statement kept its own copy */
  CHECK_INT(sqlite3_bind_int64(st, 2, 1234567890123LL), SQLITE_OK);
  static const char stat[] = "static text";
  CHECK_INT(sqlite3_bind_text(st, 3, stat, 6, SQLITE_STATIC), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_STR((const char *)sqlite3_column_text(st, 0), "hello");
  CHECK_INT(sqlite3_column_int64(st, 1), 1234567890123LL);
  CHECK_STR((const char *)sqlite3_column_text(st, 2), "integer");
  CHECK_STR((const char *)sqlite3_column_text(st, 3), "static");
  CHECK_INT(sqlite3_column_bytes(st, 3), 6);
  /* binding while the statement runs is misuse */
  CHECK_INT(sqlite3_bind_int(st, 1, 5), SQLITE_MISUSE);
  CHECK_INT(sqlite3_bind_int(st, 4, 5), SQLITE_MISUSE);
  CHECK_INT(sqlite3_reset(st), SQLITE_OK);
  CHECK_INT(sqlite3_bind_int(st, 4, 5), SQLITE_RANGE);
  /* bindings survive reset */
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_STR((const char *)sqlite3_column_text(st, 0), "hello");
  CHECK_INT(sqlite3_column_type(st, 1), SQLITE_INTEGER);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_column_type(st, 0), SQLITE_NULL);
  CHECK_STR((const char *)sqlite3_column_text(st, 2), "null");
  sqlite3_reset(st);
  /* rebinding a text slot with an integer, and back */
  for (int i = 0; i < 3; i++) {
    char s[32];
    snprintf(s, sizeof s, "row %d text", i);
    sqlite3_bind_text(st, 1, s, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, i);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), s);
    CHECK_INT(sqlite3_column_int(st, 1), i);
    sqlite3_reset(st);
    sqlite3_bind_int(st, 1, i * 10);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_type(st, 0), SQLITE_INTEGER);
    CHECK_INT(sqlite3_column_int(st, 0), i * 10);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* Bound text is read by reference while the statement runs: rebinding
** (after reset) with shorter, longer and non-text values, STATIC and
** user-freed buffers, must always read back the current binding. */
static void free_text(void *p) { free(p); }

static void test_rebinding(void) {
  sqlite3 *db = open_db();
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT ?1, length(?1), a, ?1 || b FROM t WHERE a <= 3 ORDER BY a", -1, &st, NULL),
            SQLITE_OK);
  int bad = 0;
  for (int round = 0; round < 40; round++) {
    char want[200];
    int len = (round * 37) % 150;
    for (int k = 0; k < len; k++) want[k] = (char)('a' + (round + k) % 26);
    want[len] = 0;
    switch (round % 4) {
      case 0: sqlite3_bind_text(st, 1, want, -1, SQLITE_TRANSIENT); break;
      case 1: sqlite3_bind_text(st, 1, want, len, SQLITE_STATIC); break;
      case 2: sqlite3_bind_text(st, 1, strdup(want), len, free_text); break;
      default: sqlite3_bind_blob(st, 1, want, len, SQLITE_TRANSIENT); break;
    }
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      rows++;
      const unsigned char *t = sqlite3_column_text(st, 0);
      if (sqlite3_column_bytes(st, 0) != len || (len && memcmp(t, want, (size_t)len) != 0)) bad++;
      if (sqlite3_column_int(st, 1) != len) bad++;
      char cat[256];
      snprintf(cat, sizeof cat, "%stext %d", want, rows);
      const unsigned char *c3 = sqlite3_column_text(st, 3);
      if (!c3 || strcmp((const char *)c3, cat) != 0) bad++;
    }
    if (rows != 3) bad++;
    sqlite3_reset(st);
    /* an integer binding in between */
    sqlite3_bind_int(st, 1, round);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != round ||
        sqlite3_column_type(st, 0) != SQLITE_INTEGER)
      bad++;
    sqlite3_reset(st);
  }
  CHECK_INT(bad, 0);
  sqlite3_finalize(st);
  /* bound text stored in a table is a copy */
  CHECK_INT(sqlite3_prepare_v2(db, "INSERT INTO t(a, b) VALUES(?1, ?2)", -1, &st, NULL), SQLITE_OK);
  char buf[32];
  for (int i = 0; i < 5; i++) {
    snprintf(buf, sizeof buf, "bound %d", i);
    sqlite3_bind_int(st, 1, 1000 + i);
    sqlite3_bind_text(st, 2, buf, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  memset(buf, 'x', sizeof buf - 1);
  sqlite3_finalize(st);
  char out[256];
  au_query(db, "SELECT group_concat(b, ',') FROM t WHERE a >= 1000", out, sizeof out);
  CHECK_STR(out, "bound 0,bound 1,bound 2,bound 3,bound 4");
  sqlite3_close(db);
}

/* Every row's columns read back through each accessor, pointers checked
** while they are promised to be valid. */
static void test_column_pointers(void) {
  sqlite3 *db = open_db();
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT a, b, c, d, b || '' FROM t ORDER BY a", -1, &st, NULL), SQLITE_OK);
  int row = 0, bad = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    row++;
    char want[32];
    snprintf(want, sizeof want, "text %d", row);
    /* text pointer of a TEXT column, read twice: same pointer, same bytes */
    const unsigned char *t1 = sqlite3_column_text(st, 1);
    int n1 = sqlite3_column_bytes(st, 1);
    const unsigned char *t2 = sqlite3_column_text(st, 1);
    if (t1 != t2 || n1 != (int)strlen(want) || strcmp((const char *)t1, want) != 0) bad++;
    /* other columns read in between do not move it */
    (void)sqlite3_column_int64(st, 0);
    (void)sqlite3_column_blob(st, 2);
    (void)sqlite3_column_double(st, 3);
    const unsigned char *t4 = sqlite3_column_text(st, 4);
    if (sqlite3_column_text(st, 1) != t1 || strcmp((const char *)t1, want) != 0) bad++;
    if (!t4 || strcmp((const char *)t4, want) != 0) bad++;
    /* a blob column: zero bytes of the right length */
    int nb = sqlite3_column_bytes(st, 2);
    const unsigned char *b = sqlite3_column_blob(st, 2);
    if (nb != row % 7) bad++;
    for (int k = 0; k < nb; k++)
      if (!b || b[k] != 0) bad++;
    /* integer column as text: converted, NUL-terminated */
    char num[16];
    snprintf(num, sizeof num, "%d", row);
    const unsigned char *ta = sqlite3_column_text(st, 0);
    if (!ta || strcmp((const char *)ta, num) != 0 || sqlite3_column_bytes(st, 0) != (int)strlen(num)) bad++;
    if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) bad++;
    /* real column as text */
    const unsigned char *td = sqlite3_column_text(st, 3);
    char rtxt[32];
    snprintf(rtxt, sizeof rtxt, "%.2f", row / 4.0);
    if (!td || strtod((const char *)td, NULL) != row / 4.0 || sqlite3_column_type(st, 3) != SQLITE_FLOAT) bad++;
    /* UTF-16 view of the text column */
    const unsigned short *w = sqlite3_column_text16(st, 1);
    if (!w || sqlite3_column_bytes16(st, 1) != 2 * (int)strlen(want) || w[0] != 't') bad++;
  }
  CHECK_INT(row, 500);
  CHECK_INT(bad, 0);
  sqlite3_finalize(st);

  /* column values are copies: changing the table under a finished
  ** statement's last row does not alter what was read */
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT b FROM t WHERE a = 7", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  const unsigned char *t = sqlite3_column_text(st, 0);
  char saved[32];
  snprintf(saved, sizeof saved, "%s", t);
  CHECK_STR(saved, "text 7");
  CHECK_INT(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);

  /* sqlite3_column_value of the current row, copied with sqlite3_value_dup */
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT b, a FROM t WHERE a BETWEEN 10 AND 12 ORDER BY a", -1, &st, NULL),
            SQLITE_OK);
  sqlite3_value *kept[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3 && sqlite3_step(st) == SQLITE_ROW; i++) kept[i] = sqlite3_value_dup(sqlite3_column_value(st, 0));
  sqlite3_finalize(st);
  for (int i = 0; i < 3; i++) {
    char want[32];
    snprintf(want, sizeof want, "text %d", 10 + i);
    CHECK(kept[i] != NULL);
    if (kept[i]) CHECK_STR((const char *)sqlite3_value_text(kept[i]), want);
    sqlite3_value_free(kept[i]);
  }
  sqlite3_close(db);
}

/* Out-of-range and no-row column access. */
static void test_column_range(void) {
  sqlite3 *db = open_db();
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT a, b FROM t WHERE a = 1", -1, &st, NULL), SQLITE_OK);
  CHECK_INT(sqlite3_column_count(st), 2);
  CHECK_INT(sqlite3_data_count(st), 0);
  CHECK(sqlite3_column_text(st, 0) == NULL);
  CHECK_INT(sqlite3_step(st), SQLITE_ROW);
  CHECK_INT(sqlite3_data_count(st), 2);
  CHECK(sqlite3_column_text(st, 2) == NULL);
  CHECK_INT(sqlite3_column_type(st, -1), SQLITE_NULL);
  CHECK_INT(sqlite3_column_int(st, 5), 0);
  CHECK_INT(sqlite3_step(st), SQLITE_DONE);
  CHECK_INT(sqlite3_data_count(st), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int main(void) {
  test_progress();
  test_interrupt();
  test_bindings();
  test_rebinding();
  test_column_pointers();
  test_column_range();
  return testlib_finish("api_stepapi");
}
