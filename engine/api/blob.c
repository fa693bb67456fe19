/*
** blob.c — sqlite3_txn_state and incremental BLOB I/O (sqlite3_blob_*).
**
** A blob handle reads and writes its value through internal statements
** (SELECT / UPDATE by rowid), so every page it touches goes through
** sqlite3_step and its blocking I/O loop: the async rule holds without a
** second path into the b-tree.  SQLite's checks and messages are kept: no
** such table / column / rowid, views, virtual and WITHOUT ROWID tables,
** "cannot open value of type …", indexed and foreign key columns for
** writing, SQLITE_READONLY for a read-only handle, SQLITE_ERROR for a
** range outside the value (writes never change its size) and SQLITE_ABORT
** once the row changed or went away (the handle then stays invalid: only
** sqlite3_blob_close is left, as in SQLite).
**
** Known differences: SQLite's handle keeps its statement running, so an
** open handle holds a read (or write) transaction; here each call is its
** own statement.  A write is an UPDATE of the one column, so UPDATE
** triggers fire, and a row rewritten with identical contents does not
** invalidate the handle (in SQLite any write to the row does).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "api_internal.h"

/* ------------------------------------------------------- sqlite3_txn_state -- */
int sqlite3_txn_state(sqlite3 *db, const char *zSchema) {
  if (!api_db_ok(db)) return -1;
  int state = zSchema ? -1 : SQLITE_TXN_NONE;
  for (int i = 0; i < db->n_db; i++) {
    if (zSchema && (!db->dbs[i].name || shale_stricmp(zSchema, db->dbs[i].name))) continue;
    int s = db->dbs[i].btree ? btree_txn_state(db->dbs[i].btree) : SQLITE_TXN_NONE;
    if (s > state) state = s;
  }
  return state;
}

/* ---------------------------------------------------------------- handles -- */
struct sqlite3_blob {
  sqlite3 *db;
  char *zDb, *zTable, *zColumn;
  int writable;
  sqlite3_stmt *read; /* SELECT col, * … WHERE rowid = ?; NULL once the handle is invalid */
  sqlite3_int64 rowid;
  int n_byte;
  int is_text;
  unsigned char *sig; /* the row as last seen: its change invalidates the handle */
  int n_sig;
};

static void blob_error(sqlite3 *db, int rc, const char *fmt, ...) {
  sqlite3_free(db->err_msg);
  db->err_msg = NULL;
  db->err_code = rc;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    db->err_msg = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
  }
}

/* The first row of an internal query's column `col` as text (NULL if none). */
static char *query_text(sqlite3 *db, const char *sql, int col) {
  sqlite3_stmt *st = NULL;
  char *out = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(st, col);
    out = z ? shale_strdup(z) : NULL;
  }
  sqlite3_finalize(st);
  return out;
}

/* The current row of the read statement, every column, as one byte string. */
static unsigned char *row_signature(sqlite3_stmt *st, int *n_out) {
  int nc = sqlite3_column_count(st);
  sqlite3_int64 n = 0;
  for (int i = 1; i < nc; i++) n += 1 + 4 + sqlite3_column_bytes(st, i);
  unsigned char *z = sqlite3_malloc64((sqlite3_uint64)n + 1), *p = z;
  if (!z) return NULL;
  for (int i = 1; i < nc; i++) {
    int t = sqlite3_column_type(st, i);
    const void *v = t == SQLITE_BLOB ? sqlite3_column_blob(st, i) : (const void *)sqlite3_column_text(st, i);
    int k = sqlite3_column_bytes(st, i);
    *p++ = (unsigned char)t;
    memcpy(p, &k, 4);
    p += 4;
    if (k > 0) memcpy(p, v, (size_t)k);
    p += k;
  }
  *n_out = (int)(p - z);
  return z;
}

static void blob_invalidate(sqlite3_blob *b) {
  sqlite3_finalize(b->read);
  b->read = NULL;
}

/* Position on b->rowid (blobSeekToRow): SQLITE_OK with the value's size and
** the row's signature, or an error with SQLite's message and the handle
** invalid. */
static int blob_seek(sqlite3_blob *b) {
  sqlite3 *db = b->db;
  sqlite3_reset(b->read);
  sqlite3_bind_int64(b->read, 1, b->rowid);
  int rc = sqlite3_step(b->read);
  if (rc == SQLITE_ROW) {
    int t = sqlite3_column_type(b->read, 0);
    if (t != SQLITE_BLOB && t != SQLITE_TEXT) {
      static const char *const names[] = {"", "integer", "real", "text", "blob", "null"};
      blob_invalidate(b);
      blob_error(db, SQLITE_ERROR, "cannot open value of type %s", names[t]);
      return SQLITE_ERROR;
    }
    b->is_text = t == SQLITE_TEXT;
    if (!b->is_text) sqlite3_column_blob(b->read, 0);
    b->n_byte = sqlite3_column_bytes(b->read, 0);
    sqlite3_free(b->sig);
    b->sig = row_signature(b->read, &b->n_sig);
    sqlite3_reset(b->read);
    if (!b->sig) {
      blob_invalidate(b);
      blob_error(db, SQLITE_NOMEM, NULL);
      return SQLITE_NOMEM;
    }
    return SQLITE_OK;
  }
  rc = sqlite3_reset(b->read);
  if (rc == SQLITE_OK) {
    blob_invalidate(b);
    blob_error(db, SQLITE_ERROR, "no such rowid: %lld", (long long)b->rowid);
    return SQLITE_ERROR;
  }
  char *msg = shale_strdup(sqlite3_errmsg(db));
  blob_invalidate(b);
  blob_error(db, rc, "%s", msg ? msg : "");
  sqlite3_free(msg);
  return rc;
}

/* Is the column (0-based cid) a key column of an index, or is any index
** key an expression?  Is it a foreign key column of the table? */
static const char *write_restriction(sqlite3 *db, const char *zDb, const char *zTable, int cid,
                                     const char *zColumn) {
  const char *why = NULL;
  sqlite3_stmt *st = NULL;
  char *sql = sqlite3_mprintf("PRAGMA \"%w\".index_list(\"%w\")", zDb, zTable);
  if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    while (!why && sqlite3_step(st) == SQLITE_ROW) {
      char *q = sqlite3_mprintf("PRAGMA \"%w\".index_xinfo(\"%w\")", zDb, (const char *)sqlite3_column_text(st, 1));
      sqlite3_stmt *x = NULL;
      if (q && sqlite3_prepare_v2(db, q, -1, &x, NULL) == SQLITE_OK)
        while (sqlite3_step(x) == SQLITE_ROW)
          if (sqlite3_column_int(x, 5) && (sqlite3_column_int(x, 1) == cid || sqlite3_column_int(x, 1) == -2))
            why = "cannot open indexed column for writing";
      sqlite3_finalize(x);
      sqlite3_free(q);
    }
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  if (why) return why;
  char *fk = query_text(db, "PRAGMA foreign_keys", 0);
  int fk_on = fk && fk[0] == '1';
  sqlite3_free(fk);
  if (!fk_on) return NULL;
  sql = sqlite3_mprintf("PRAGMA \"%w\".foreign_key_list(\"%w\")", zDb, zTable);
  if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
    while (!why && sqlite3_step(st) == SQLITE_ROW) {
      const char *from = (const char *)sqlite3_column_text(st, 3);
      if (from && !shale_stricmp(from, zColumn)) why = "cannot open foreign key column for writing";
    }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return why;
}

int sqlite3_blob_open(sqlite3 *db, const char *zDb, const char *zTable, const char *zColumn,
                      sqlite3_int64 iRow, int flags, sqlite3_blob **ppBlob) {
  if (!ppBlob) return SQLITE_MISUSE;
  *ppBlob = NULL;
  if (!api_db_ok(db) || !zTable || !zColumn) return SQLITE_MISUSE;
  if (!zDb) zDb = "main";
  /* the table: kind, WITHOUT ROWID */
  char *sql = sqlite3_mprintf("PRAGMA \"%w\".table_list(\"%w\")", zDb, zTable);
  sqlite3_stmt *st = NULL;
  char kind[16] = "";
  char *tname = NULL;
  int without_rowid = 0;
  if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    snprintf(kind, sizeof kind, "%s", (const char *)sqlite3_column_text(st, 2));
    tname = shale_strdup((const char *)sqlite3_column_text(st, 1));
    without_rowid = sqlite3_column_int(st, 4);
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  int rc = SQLITE_ERROR;
  if (!tname || !strncmp(tname, "sqlite_", 7)) {
    blob_error(db, rc, "no such table: %s.%s", zDb, zTable);
    sqlite3_free(tname);
    return api_result(db, rc);
  }
  if (!strcmp(kind, "view") || !strcmp(kind, "virtual") || without_rowid) {
    blob_error(db, rc, "cannot open %s: %s",
               !strcmp(kind, "view") ? "view" : !strcmp(kind, "virtual") ? "virtual table" : "table without rowid",
               tname);
    sqlite3_free(tname);
    return api_result(db, rc);
  }
  /* the column */
  int cid = -1, n_pk = 0, ipk = -1;
  sql = sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", zDb, tname);
  if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) {
      int c = sqlite3_column_int(st, 0);
      const char *type = (const char *)sqlite3_column_text(st, 2);
      if (cid < 0 && !shale_stricmp((const char *)sqlite3_column_text(st, 1), zColumn)) cid = c;
      if (sqlite3_column_int(st, 5)) {
        n_pk++;
        if (type && !shale_stricmp(type, "INTEGER")) ipk = c;
      }
    }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  if (cid < 0) {
    blob_error(db, rc, "no such column: \"%s\"", zColumn);
    sqlite3_free(tname);
    return api_result(db, rc);
  }
  if (flags) {
    const char *why = write_restriction(db, zDb, tname, cid, zColumn);
    if (why) {
      blob_error(db, rc, "%s", why);
      sqlite3_free(tname);
      return api_result(db, rc);
    }
  }
  sqlite3_blob *b = sqlite3_malloc64(sizeof(*b));
  if (!b) {
    sqlite3_free(tname);
    return SQLITE_NOMEM;
  }
  memset(b, 0, sizeof(*b));
  b->db = db;
  b->zDb = shale_strdup(zDb);
  b->zTable = tname;
  b->zColumn = shale_strdup(zColumn);
  b->writable = flags != 0;
  b->rowid = iRow;
  /* the rowid alias reads as its record field: NULL */
  if (n_pk == 1 && ipk == cid)
    sql = sqlite3_mprintf("SELECT NULL, * FROM \"%w\".\"%w\" WHERE rowid = ?1", zDb, tname);
  else
    sql = sqlite3_mprintf("SELECT \"%w\", * FROM \"%w\".\"%w\" WHERE rowid = ?1", zColumn, zDb, tname);
  rc = sql ? sqlite3_prepare_v2(db, sql, -1, &b->read, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_OK) rc = blob_seek(b);
  if (rc != SQLITE_OK) {
    sqlite3_blob_close(b);
    /* blob_close cleared nothing of the error: keep the message */
    return api_result(db, rc);
  }
  blob_error(db, SQLITE_OK, NULL);
  *ppBlob = b;
  return SQLITE_OK;
}

int sqlite3_blob_close(sqlite3_blob *b) {
  if (!b) return SQLITE_OK;
  sqlite3_finalize(b->read);
  sqlite3_free(b->zDb);
  sqlite3_free(b->zTable);
  sqlite3_free(b->zColumn);
  sqlite3_free(b->sig);
  sqlite3_free(b);
  return SQLITE_OK;
}

int sqlite3_blob_bytes(sqlite3_blob *b) { return b && b->read ? b->n_byte : 0; }

/* Re-read the row: SQLITE_OK (the row is as it was; *pv is the value, valid
** until the read statement is reset) or SQLITE_ABORT (handle invalidated). */
static int blob_recheck(sqlite3_blob *b, const unsigned char **pv) {
  sqlite3_reset(b->read);
  sqlite3_bind_int64(b->read, 1, b->rowid);
  int rc = sqlite3_step(b->read);
  if (rc != SQLITE_ROW) {
    rc = sqlite3_reset(b->read);
    if (rc != SQLITE_OK) return rc;
    blob_invalidate(b);
    return SQLITE_ABORT;
  }
  int n = 0;
  unsigned char *sig = row_signature(b->read, &n);
  if (!sig) return SQLITE_NOMEM;
  int same = n == b->n_sig && !memcmp(sig, b->sig, (size_t)n);
  sqlite3_free(sig);
  if (!same) {
    blob_invalidate(b);
    return SQLITE_ABORT;
  }
  *pv = b->is_text ? sqlite3_column_text(b->read, 0) : sqlite3_column_blob(b->read, 0);
  return SQLITE_OK;
}

static int blob_range_ok(sqlite3_blob *b, int n, int off) {
  return n >= 0 && off >= 0 && (sqlite3_int64)off + n <= b->n_byte;
}

int sqlite3_blob_read(sqlite3_blob *b, void *z, int n, int iOffset) {
  if (!b) return SQLITE_MISUSE;
  sqlite3 *db = b->db;
  int rc;
  const unsigned char *v = NULL;
  if (!blob_range_ok(b, n, iOffset)) rc = SQLITE_ERROR;
  else if (!b->read) rc = SQLITE_ABORT;
  else rc = blob_recheck(b, &v);
  if (rc == SQLITE_OK && n > 0) memcpy(z, v + iOffset, (size_t)n);
  if (b->read) sqlite3_reset(b->read);
  blob_error(db, rc, NULL);
  return api_result(db, rc);
}

int sqlite3_blob_write(sqlite3_blob *b, const void *z, int n, int iOffset) {
  if (!b) return SQLITE_MISUSE;
  sqlite3 *db = b->db;
  int rc;
  const unsigned char *v = NULL;
  unsigned char *nv = NULL;
  if (!blob_range_ok(b, n, iOffset)) rc = SQLITE_ERROR;
  else if (!b->read) rc = SQLITE_ABORT;
  else if (!b->writable) rc = SQLITE_READONLY;
  else rc = blob_recheck(b, &v);
  if (rc == SQLITE_OK) {
    nv = sqlite3_malloc64((sqlite3_uint64)b->n_byte + 1);
    if (!nv) rc = SQLITE_NOMEM;
    else {
      if (b->n_byte) memcpy(nv, v, (size_t)b->n_byte);
      if (n > 0) memcpy(nv + iOffset, z, (size_t)n);
    }
  }
  if (b->read) sqlite3_reset(b->read);
  if (rc == SQLITE_OK) {
    char *sql = sqlite3_mprintf("UPDATE \"%w\".\"%w\" SET \"%w\" = ?1 WHERE rowid = ?2", b->zDb, b->zTable,
                                b->zColumn);
    sqlite3_stmt *st = NULL;
    rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
      if (b->is_text) sqlite3_bind_text(st, 1, (const char *)nv, b->n_byte, SQLITE_TRANSIENT);
      else sqlite3_bind_blob(st, 1, nv, b->n_byte, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 2, b->rowid);
      rc = sqlite3_step(st);
      rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_reset(st);
    }
    if (rc != SQLITE_OK) {
      char *msg = shale_strdup(sqlite3_errmsg(db));
      sqlite3_finalize(st);
      sqlite3_free(nv);
      blob_error(db, rc, "%s", msg ? msg : "");
      sqlite3_free(msg);
      return api_result(db, rc);
    }
    sqlite3_finalize(st);
    /* our own write: the row as it is now is the one the handle knows */
    int n_old = b->n_byte;
    rc = blob_seek(b);
    if (rc == SQLITE_OK && b->n_byte != n_old) rc = SQLITE_ABORT;
  }
  sqlite3_free(nv);
  blob_error(db, rc, NULL);
  return api_result(db, rc);
}

int sqlite3_blob_reopen(sqlite3_blob *b, sqlite3_int64 iRow) {
  if (!b) return SQLITE_MISUSE;
  sqlite3 *db = b->db;
  if (!b->read) {
    blob_error(db, SQLITE_ABORT, NULL);
    return api_result(db, SQLITE_ABORT);
  }
  b->rowid = iRow;
  int rc = blob_seek(b);
  if (rc == SQLITE_OK) blob_error(db, SQLITE_OK, NULL);
  return api_result(db, rc);
}
