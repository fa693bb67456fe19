/*
** fuzz_dbfile.c — libFuzzer target over database files: the input becomes a
** database file; opening it and running the queries a user would run must
** give results or an error (SQLITE_CORRUPT, SQLITE_NOTADB, ...), never a
** crash, a sanitizer report or a hang.
**
** Build and run: make fuzz (FUZZ_SECONDS=N).  Seeds: small valid databases
** made by sqlite3 in tests/fuzz/seeds-dbfile/ (created by `make fuzz`).
*/
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "sqlite3.h"

static int count_rows(void *arg, int n, char **v, char **c) {
  (void)n, (void)v, (void)c;
  return ++*(int *)arg > 10000; /* bound the work per input */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/dev/shm/shale-fuzz-%d.db", (int)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  if (size) fwrite(data, 1, size, f);
  fclose(f);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
    static const char *const queries[] = {
        "PRAGMA integrity_check",
        "SELECT * FROM sqlite_schema",
        "SELECT name FROM sqlite_schema WHERE type='table'",
        "PRAGMA page_count",
        "PRAGMA freelist_count",
    };
    int rows = 0;
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
      sqlite3_exec(db, queries[i], count_rows, &rows, NULL);
    /* Every table, fully scanned, and a write that may hit corruption. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='table' LIMIT 8", -1, &st,
                           NULL) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        char *q = sqlite3_mprintf("SELECT * FROM \"%w\"", (const char *)sqlite3_column_text(st, 0));
        sqlite3_exec(db, q, count_rows, &rows, NULL);
        sqlite3_free(q);
        q = sqlite3_mprintf("DELETE FROM \"%w\" WHERE rowid %% 2 = 0",
                            (const char *)sqlite3_column_text(st, 0));
        sqlite3_exec(db, q, NULL, NULL, NULL);
        sqlite3_free(q);
      }
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS fuzz_extra(x); INSERT INTO fuzz_extra VALUES(randomblob(3000))",
                 NULL, NULL, NULL);
  }
  sqlite3_close(db);
  unlink(path);
  char side[80];
  snprintf(side, sizeof side, "%s-journal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  return 0;
}
