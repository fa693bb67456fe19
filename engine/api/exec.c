/* exec.c — sqlite3_exec and sqlite3_get_table, built on prepare/step. */
#include "api_internal.h"

int sqlite3_exec(sqlite3 *db, const char *sql, sqlite3_callback cb, void *arg, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  if (sql == NULL) sql = "";
  sqlite3_mutex_enter(db->mutex);
  int rc = SQLITE_OK;
  const char *tail = sql;
  char **names_and_values = NULL;
  while (rc == SQLITE_OK && tail && *tail) {
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
    if (rc != SQLITE_OK) break;
    if (st == NULL) continue; /* comment or whitespace */
    int ncol = sqlite3_column_count(st);
    int called_header = 0;
    for (;;) {
      int src = sqlite3_step(st);
      if (cb && (src == SQLITE_ROW ||
                 (src == SQLITE_DONE && !called_header && (db->flags & SQLITE_NullCallback) && ncol > 0))) {
        if (names_and_values == NULL) {
          names_and_values = sqlite3_malloc64(sizeof(char *) * (size_t)(2 * ncol + 1));
          if (names_and_values == NULL) {
            rc = SQLITE_NOMEM;
            break;
          }
        }
        for (int i = 0; i < ncol; i++) names_and_values[i] = (char *)sqlite3_column_name(st, i);
        if (src == SQLITE_ROW) {
          for (int i = 0; i < ncol; i++)
            names_and_values[ncol + i] = (char *)sqlite3_column_text(st, i);
        }
        called_header = 1;
        if (cb(arg, ncol, src == SQLITE_ROW ? names_and_values + ncol : NULL, names_and_values)) {
          sqlite3_finalize(st);
          st = NULL;
          db_error(db, SQLITE_ABORT, NULL);
          rc = SQLITE_ABORT;
          break;
        }
      }
      if (src != SQLITE_ROW) {
        rc = sqlite3_finalize(st);
        st = NULL;
        break;
      }
    }
    if (st) sqlite3_finalize(st);
    sqlite3_free(names_and_values);
    names_and_values = NULL;
  }
  if (rc != SQLITE_OK && errmsg) *errmsg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  else if (rc == SQLITE_OK) db_error_clear(db);
  rc = api_result(db, rc);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

/* get_table: results[0] holds the row count below the returned pointer so
** that free_table can free every string. */
typedef struct TableResult {
  char **az;
  size_t n, cap;
  int nrow, ncol;
  int rc;
} TableResult;

static int table_push(TableResult *t, const char *z) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    char **p = sqlite3_realloc64(t->az, sizeof(char *) * cap);
    if (!p) return 1;
    t->az = p, t->cap = cap;
  }
  char *copy = NULL;
  if (z) {
    copy = shale_strdup(z);
    if (!copy) return 1;
  }
  t->az[t->n++] = copy;
  return 0;
}

static int table_cb(void *arg, int ncol, char **vals, char **names) {
  TableResult *t = arg;
  if (t->nrow == 0 && t->ncol == 0) {
    t->ncol = ncol;
    for (int i = 0; i < ncol; i++)
      if (table_push(t, names[i])) return t->rc = SQLITE_NOMEM, 1;
  } else if (t->ncol != ncol) {
    t->rc = SQLITE_ERROR;
    return 1;
  }
  if (vals) {
    for (int i = 0; i < ncol; i++)
      if (table_push(t, vals[i])) return t->rc = SQLITE_NOMEM, 1;
    t->nrow++;
  }
  return 0;
}

int sqlite3_get_table(sqlite3 *db, const char *zSql, char ***pazResult, int *pnRow,
                      int *pnColumn, char **pzErrmsg) {
  if (pazResult == NULL) return SQLITE_MISUSE;
  *pazResult = NULL;
  if (pnRow) *pnRow = 0;
  if (pnColumn) *pnColumn = 0;
  TableResult t = {0};
  t.rc = SQLITE_OK;
  if (table_push(&t, NULL)) return SQLITE_NOMEM; /* slot for the count */
  int rc = sqlite3_exec(db, zSql, table_cb, &t, pzErrmsg);
  if (rc == SQLITE_ABORT && t.rc != SQLITE_OK) {
    if (pzErrmsg) {
      sqlite3_free(*pzErrmsg);
      *pzErrmsg = t.rc == SQLITE_ERROR ? sqlite3_mprintf("sqlite3_get_table() called with two or more incompatible queries") : NULL;
    }
    rc = t.rc;
  }
  t.az[0] = (char *)(intptr_t)t.n;
  if (rc != SQLITE_OK) {
    sqlite3_free_table(t.az + 1);
    return rc;
  }
  *pazResult = t.az + 1;
  if (pnRow) *pnRow = t.nrow;
  if (pnColumn) *pnColumn = t.ncol;
  return SQLITE_OK;
}

void sqlite3_free_table(char **result) {
  if (result == NULL) return;
  char **base = result - 1;
  size_t n = (size_t)(intptr_t)base[0];
  for (size_t i = 1; i < n; i++) sqlite3_free(base[i]);
  sqlite3_free(base);
}
