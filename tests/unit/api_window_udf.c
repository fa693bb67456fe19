/*
** api_window_udf.c — a user aggregate registered with
** sqlite3_create_window_function whose state owns heap memory (freed only by
** its xFinal).  Used as a window function (partitions, sliding frames,
** EXCLUDE, a statement reset or finalized mid-scan) and as a plain
** aggregate, its results must equal the built-in sum() over the same window,
** and when the statement is finalized no state may still be allocated: the
** engine runs xFinal on every accumulator it drops, as SQLite does.
*/
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "sqlite3.h"

typedef struct Live { int n; } Live;          /* allocations not yet freed */
typedef struct Acc { sqlite3_int64 *v; int n, cap; } Acc;

static void acc_step(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  Acc *a = sqlite3_aggregate_context(c, sizeof(Acc));
  Live *live = sqlite3_user_data(c);
  if (!a || sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  if (a->n == a->cap) {
    int cap = a->cap ? a->cap * 2 : 4;
    sqlite3_int64 *nv = malloc(sizeof(*nv) * (size_t)cap);
    if (!nv) return;
    if (a->n) memcpy(nv, a->v, sizeof(*nv) * (size_t)a->n);
    if (a->v) free(a->v), live->n--;
    a->v = nv, a->cap = cap;
    live->n++;
  }
  a->v[a->n++] = sqlite3_value_int64(argv[0]);
}

static void acc_inverse(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  Acc *a = sqlite3_aggregate_context(c, sizeof(Acc));
  if (!a || sqlite3_value_type(argv[0]) == SQLITE_NULL || a->n == 0) return;
  memmove(a->v, a->v + 1, sizeof(*a->v) * (size_t)(a->n - 1)); /* oldest row leaves first */
  a->n--;
}

static void acc_result(sqlite3_context *c, Acc *a) {
  if (!a || a->n == 0) {
    sqlite3_result_null(c);
    return;
  }
  sqlite3_int64 s = 0;
  for (int i = 0; i < a->n; i++) s += a->v[i];
  sqlite3_result_int64(c, s);
}

static void acc_value(sqlite3_context *c) { acc_result(c, sqlite3_aggregate_context(c, 0)); }

static void acc_final(sqlite3_context *c) {
  Acc *a = sqlite3_aggregate_context(c, 0);
  Live *live = sqlite3_user_data(c);
  acc_result(c, a);
  if (a && a->v) {
    free(a->v);
    a->v = NULL;
    live->n--;
  }
}

/* Every row's two columns must be equal (or both NULL); returns the row count. */
static int rows_equal(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) {
    fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    return 0;
  }
  int rows = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    int t0 = sqlite3_column_type(st, 0), t1 = sqlite3_column_type(st, 1);
    CHECK_INT(t0, t1);
    if (t0 == SQLITE_INTEGER) CHECK_INT(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  }
  CHECK_INT(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  return rows;
}

int main(void) {
  Live live = {0};
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  CHECK_INT(sqlite3_create_window_function(db, "lsum", 1, SQLITE_UTF8, &live, acc_step, acc_final, acc_value,
                                           acc_inverse, NULL),
            SQLITE_OK);
  CHECK_INT(sqlite3_exec(db,
                         "CREATE TABLE t(p, o, x);"
                         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<60)"
                         " INSERT INTO t SELECT i % 4, i / 3, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 3 END FROM c;",
                         NULL, NULL, NULL),
            SQLITE_OK);
  static const char *const frames[] = {
      "PARTITION BY p ORDER BY o",
      "ORDER BY o ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
      "PARTITION BY p ORDER BY o ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING",
      "PARTITION BY p",
      "ORDER BY o RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING",
      "ORDER BY o GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW",
      "PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW",
      "ORDER BY o RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP",
      "ORDER BY o GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES",
  };
  for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT lsum(x) OVER w, sum(x) OVER w FROM t WINDOW w AS (%s)", frames[i]);
    CHECK_INT(rows_equal(db, sql), 60);
    CHECK_INT(live.n, 0);
  }
  /* as a plain aggregate, grouped and not */
  CHECK_INT(rows_equal(db, "SELECT lsum(x), sum(x) FROM t GROUP BY p"), 4);
  CHECK_INT(rows_equal(db, "SELECT lsum(x), sum(x) FROM t"), 1);
  CHECK_INT(live.n, 0);
  /* a statement stopped in the middle: reset, then finalized */
  {
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT lsum(x) OVER (PARTITION BY p ORDER BY o) FROM t", -1, &st, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    sqlite3_reset(st);
    CHECK_INT(live.n, 0);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    sqlite3_finalize(st);
    CHECK_INT(live.n, 0);
  }
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
  CHECK_INT(live.n, 0);
  return testlib_finish("api_window_udf");
}
