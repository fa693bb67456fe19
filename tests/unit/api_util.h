/*
** api_util.h — small helpers shared by the api_crash / api_concurrency
** system tests: run SQL and collect the result as one string, run the
** sqlite3 CLI (the oracle) as a subprocess, remove a database's files.
** Header-only (static functions); tests include it after testlib.h.
*/
#ifndef SHALE_API_UTIL_H
#define SHALE_API_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sqlite3.h"

/* Run every statement of zSql; the rows of all of them go into out as
** "col|col\n" lines (trailing newline stripped).  Returns the first error
** code (out then holds "ERR <code> <message>"), or SQLITE_OK. */
static inline int au_query(sqlite3 *db, const char *zSql, char *out, size_t n) {
  size_t k = 0;
  out[0] = 0;
  const char *tail = zSql;
  while (tail && *tail) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
    if (rc != SQLITE_OK) {
      snprintf(out, n, "ERR %d %s", rc, sqlite3_errmsg(db));
      return rc;
    }
    if (st == NULL) break;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int nc = sqlite3_column_count(st);
      for (int i = 0; i < nc; i++) {
        const unsigned char *t = sqlite3_column_text(st, i);
        int w = snprintf(out + k, k < n ? n - k : 0, "%s%s", i ? "|" : "", t ? (const char *)t : "");
        if (w > 0) k += (size_t)w;
      }
      int w = snprintf(out + k, k < n ? n - k : 0, "\n");
      if (w > 0) k += (size_t)w;
    }
    if (rc != SQLITE_DONE) {
      rc = sqlite3_finalize(st);
      if (rc == SQLITE_OK) rc = SQLITE_ERROR;
      snprintf(out, n, "ERR %d %s", rc, sqlite3_errmsg(db));
      return rc;
    }
    sqlite3_finalize(st);
  }
  if (k >= n) k = n - 1;
  while (k > 0 && out[k - 1] == '\n') k--;
  out[k] = 0;
  return SQLITE_OK;
}

/* Run `sqlite3 db "sql"`, capturing stdout+stderr (trailing newlines cut).
** Returns the exit status. */
static inline int au_cli(const char *db, const char *sql, char *out, size_t n) {
  char cmd[8192];
  snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\" 2>&1", db, sql);
  FILE *p = popen(cmd, "r");
  size_t k = 0;
  int st = -1;
  if (p) {
    k = fread(out, 1, n - 1, p);
    st = pclose(p);
  }
  out[k] = 0;
  while (k > 0 && out[k - 1] == '\n') out[--k] = 0;
  return st;
}

/* Remove db and its -journal, -wal, -shm files. */
static inline void au_unlink_db(const char *db) {
  char b[1024];
  unlink(db);
  snprintf(b, sizeof(b), "%s-journal", db);
  unlink(b);
  snprintf(b, sizeof(b), "%s-wal", db);
  unlink(b);
  snprintf(b, sizeof(b), "%s-shm", db);
  unlink(b);
}

/* Copy a file (missing source: destination removed).  Returns 0 on success. */
static inline int au_copy_file(const char *from, const char *to) {
  FILE *a = fopen(from, "rb");
  unlink(to);
  if (a == NULL) return 0;
  FILE *b = fopen(to, "wb");
  if (b == NULL) {
    fclose(a);
    return -1;
  }
  char buf[65536];
  size_t r;
  while ((r = fread(buf, 1, sizeof(buf), a)) > 0) fwrite(buf, 1, r, b);
  fclose(a);
  fclose(b);
  return 0;
}

/* Copy db and its -wal and -journal (not -shm: the copy recovers its own
** wal-index) from db to dst. */
static inline void au_copy_db(const char *db, const char *dst) {
  char a[1024], b[1024];
  au_unlink_db(dst);
  au_copy_file(db, dst);
  snprintf(a, sizeof(a), "%s-wal", db);
  snprintf(b, sizeof(b), "%s-wal", dst);
  au_copy_file(a, b);
  snprintf(a, sizeof(a), "%s-journal", db);
  snprintf(b, sizeof(b), "%s-journal", dst);
  au_copy_file(a, b);
}

#endif
