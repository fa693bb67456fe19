/* api_prepare.c — sqlite3_prepare* and shale_prepare_async: compile the
** first statement of a string (the SQL layer does the work; here the API
** contract: argument checks, error state, the blocking retry loop). */
#include "api_internal.h"
#include "../sql/codegen.h"

static int prepare_once(sqlite3 *db, const char *zSql, int nByte, unsigned flags,
                        sqlite3_stmt **ppStmt, const char **pzTail) {
  Vdbe *v = NULL;
  const char *tail = zSql;
  db_error_clear(db);
  int rc = sql_prepare(db, zSql, nByte, flags, &v, &tail);
  if (rc == SHALE_PENDING) return rc;
  *ppStmt = (sqlite3_stmt *)v;
  if (pzTail) *pzTail = tail;
  if (rc != SQLITE_OK && db->err_code == SQLITE_OK) db_error(db, rc, NULL);
  return rc;
}

static int prepare_common(sqlite3 *db, const char *zSql, int nByte, unsigned flags,
                          sqlite3_stmt **ppStmt, const char **pzTail, int blocking) {
  if (ppStmt == NULL) return SQLITE_MISUSE;
  *ppStmt = NULL;
  if (pzTail) *pzTail = zSql;
  if (!api_db_ok(db) || zSql == NULL) {
    if (api_db_ok(db)) db_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
    return SQLITE_MISUSE;
  }
  sqlite3_mutex_enter(db->mutex);
  int rc;
  if (blocking) {
    API_DRIVE(db, rc, prepare_once(db, zSql, nByte, flags, ppStmt, pzTail));
  } else {
    rc = prepare_once(db, zSql, nByte, flags, ppStmt, pzTail);
  }
  rc = api_result(db, rc);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_prepare(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt,
                    const char **pzTail) {
  return prepare_common(db, zSql, nByte, 0, ppStmt, pzTail, 1);
}

int sqlite3_prepare_v2(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt,
                       const char **pzTail) {
  return prepare_common(db, zSql, nByte, 0, ppStmt, pzTail, 1);
}

int sqlite3_prepare_v3(sqlite3 *db, const char *zSql, int nByte, unsigned int prepFlags,
                       sqlite3_stmt **ppStmt, const char **pzTail) {
  return prepare_common(db, zSql, nByte, prepFlags, ppStmt, pzTail, 1);
}

int shale_prepare_async(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt,
                        const char **pzTail) {
  return prepare_common(db, zSql, nByte, 0, ppStmt, pzTail, 0);
}

/* UTF-16 SQL: convert to UTF-8, prepare, and map the tail back. */
int sqlite3_prepare16_v2(sqlite3 *db, const void *zSql, int nByte, sqlite3_stmt **ppStmt,
                         const void **pzTail) {
  if (zSql == NULL) return prepare_common(db, NULL, 0, 0, ppStmt, NULL, 1);
  const unsigned short *w = zSql;
  size_t n = 0;
  while ((nByte < 0 || (int)(n * 2) < nByte) && w[n]) n++;
  char *z = sqlite3_malloc64(n * 3 + 1);
  int *map = sqlite3_malloc64((n * 3 + 1) * sizeof(int)); /* utf8 offset -> utf16 index */
  if (!z || !map) {
    sqlite3_free(z);
    sqlite3_free(map);
    return SQLITE_NOMEM;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = w[i];
    size_t start = i;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) c = 0x10000 + ((c - 0xd800) << 10) + (w[++i] - 0xdc00);
    size_t before = o;
    if (c < 0x80) z[o++] = (char)c;
    else if (c < 0x800) z[o++] = (char)(0xc0 | (c >> 6)), z[o++] = (char)(0x80 | (c & 0x3f));
    else if (c < 0x10000)
      z[o++] = (char)(0xe0 | (c >> 12)), z[o++] = (char)(0x80 | ((c >> 6) & 0x3f)),
      z[o++] = (char)(0x80 | (c & 0x3f));
    else
      z[o++] = (char)(0xf0 | (c >> 18)), z[o++] = (char)(0x80 | ((c >> 12) & 0x3f)),
      z[o++] = (char)(0x80 | ((c >> 6) & 0x3f)), z[o++] = (char)(0x80 | (c & 0x3f));
    for (size_t k = before; k < o; k++) map[k] = (int)start;
  }
  z[o] = 0;
  map[o] = (int)n;
  const char *tail8 = NULL;
  int rc = prepare_common(db, z, (int)o, 0, ppStmt, &tail8, 1);
  if (pzTail) *pzTail = w + (tail8 ? map[tail8 - z] : 0);
  sqlite3_free(z);
  sqlite3_free(map);
  return rc;
}

int sqlite3_complete(const char *sql) { return sql ? sql_complete(sql) : 0; }

int sqlite3_complete16(const void *sql16) {
  char *z = api_utf16_to_utf8(sql16);
  if (z == NULL) return sql16 ? SQLITE_NOMEM : 0;
  int rc = sql_complete(z);
  sqlite3_free(z);
  return rc;
}
