/*
** api_bindref.c — Shale's guarantee beyond SQLite's: registers read bound
** text and blobs by reference while a statement runs (OP_Variable, as in
** SQLite), and sqlite3_clear_bindings in the middle of a run (undefined in
** SQLite: its registers would point at freed bindings) first gives the
** registers their own copies, so the rows that follow are still intact.
** Run under ASan by `make asan-core`.
*/
#include "testlib.h"
#include "api_util.h"

static void free_text(void *p) { free(p); }

int main(void) {
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  CHECK_INT(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(1),(2),(3),(4)", NULL, NULL, &err), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  CHECK_INT(sqlite3_prepare_v2(db, "SELECT ?1 || a, ?2 FROM t ORDER BY a", -1, &st, NULL), SQLITE_OK);
  for (int mode = 0; mode < 3; mode++) {
    const char *text = "a bound string that is long enough to be heap allocated";
    if (mode == 0) sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    else if (mode == 1) sqlite3_bind_text(st, 1, strdup(text), -1, free_text);
    else sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, "\x01\x02\x03", 3, SQLITE_TRANSIENT);
    int rows = 0, bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      rows++;
      char want[128];
      snprintf(want, sizeof want, "%s%d", text, rows);
      const unsigned char *t = sqlite3_column_text(st, 0);
      /* after the first row the bindings are gone: the row values the
      ** statement computed from them stay what they were */
      if (rows == 1) {
        if (!t || strcmp((const char *)t, want) != 0) bad++;
        sqlite3_clear_bindings(st);
        /* the current row is still readable */
        t = sqlite3_column_text(st, 0);
        if (!t || strcmp((const char *)t, want) != 0) bad++;
        if (sqlite3_column_bytes(st, 1) != 3) bad++;
      } else {
        /* ?1 may be re-read (NULL now) or kept: either way no garbage */
        if (t && strcmp((const char *)t, want) != 0) bad++;
      }
    }
    CHECK_INT(rows, 4);
    CHECK_INT(bad, 0);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return testlib_finish("api_bindref");
}
