/* register.c — application-defined functions and collations, and column
** metadata lookups. */
#include "api_internal.h"
#include "../sql/codegen.h"
#include "../util/utf.h"

static int check_function_args(sqlite3 *db, const char *name, int n_arg,
                               void *x_func, void *x_step, void *x_final) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  if (name == NULL || strlen(name) > 255 || n_arg < -1 || n_arg > 127 ||
      (x_func && (x_step || x_final)) || (!x_func && ((x_step == NULL) != (x_final == NULL)))) {
    db_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
    return SQLITE_MISUSE;
  }
  return SQLITE_OK;
}

int sqlite3_create_function_v2(sqlite3 *db, const char *name, int n_arg, int enc, void *app,
                               void (*x_func)(sqlite3_context *, int, sqlite3_value **),
                               void (*x_step)(sqlite3_context *, int, sqlite3_value **),
                               void (*x_final)(sqlite3_context *), void (*x_destroy)(void *)) {
  int rc = check_function_args(db, name, n_arg, (void *)x_func, (void *)x_step, (void *)x_final);
  if (rc) {
    if (x_destroy) x_destroy(app); /* SQLite destroys the user data on any failure */
    return rc;
  }
  u32 flags = (u32)enc & (SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY | SQLITE_SUBTYPE | SQLITE_INNOCUOUS);
  if (x_step) flags |= FUNC_AGGREGATE;
  sqlite3_mutex_enter(db->mutex);
  rc = func_register(db, name, n_arg, enc & 7, flags, app, x_func, x_step, x_final, NULL, NULL,
                     x_destroy);
  if (rc != SQLITE_OK) db_error(db, rc, NULL);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_create_function(sqlite3 *db, const char *name, int n_arg, int enc, void *app,
                            void (*x_func)(sqlite3_context *, int, sqlite3_value **),
                            void (*x_step)(sqlite3_context *, int, sqlite3_value **),
                            void (*x_final)(sqlite3_context *)) {
  return sqlite3_create_function_v2(db, name, n_arg, enc, app, x_func, x_step, x_final, NULL);
}

int sqlite3_create_window_function(sqlite3 *db, const char *name, int n_arg, int enc, void *app,
                                   void (*x_step)(sqlite3_context *, int, sqlite3_value **),
                                   void (*x_final)(sqlite3_context *),
                                   void (*x_value)(sqlite3_context *),
                                   void (*x_inverse)(sqlite3_context *, int, sqlite3_value **),
                                   void (*x_destroy)(void *)) {
  int rc = check_function_args(db, name, n_arg, NULL, (void *)x_step, (void *)x_final);
  if (rc == SQLITE_OK && (x_value == NULL) != (x_inverse == NULL)) rc = SQLITE_MISUSE;
  if (rc) {
    if (x_destroy) x_destroy(app);
    return rc;
  }
  u32 flags = ((u32)enc & (SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY | SQLITE_INNOCUOUS)) | FUNC_AGGREGATE;
  sqlite3_mutex_enter(db->mutex);
  rc = func_register(db, name, n_arg, enc & 7, flags, app, NULL, x_step, x_final, x_value,
                     x_inverse, x_destroy);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_create_collation_v2(sqlite3 *db, const char *name, int enc, void *arg,
                                int (*x_cmp)(void *, int, const void *, int, const void *),
                                void (*x_destroy)(void *)) {
  if (!api_db_ok(db) || name == NULL) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = coll_register(db, name, enc, arg, x_cmp, x_destroy);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_create_collation(sqlite3 *db, const char *name, int enc, void *arg,
                             int (*x_cmp)(void *, int, const void *, int, const void *)) {
  return sqlite3_create_collation_v2(db, name, enc, arg, x_cmp, NULL);
}

int sqlite3_table_column_metadata(sqlite3 *db, const char *db_name, const char *table_name,
                                  const char *column_name, char const **data_type,
                                  char const **coll_seq, int *not_null, int *primary_key,
                                  int *autoinc) {
  if (!api_db_ok(db) || table_name == NULL) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = SQLITE_OK;
  for (int i = 0; i < db->n_db && rc == SQLITE_OK; i++) {
    char *err = NULL;
    if (db->dbs[i].btree == NULL) continue;
    API_DRIVE(db, rc, schema_ensure_loaded(db, i, &err));
    if (rc != SQLITE_OK) db_error_take(db, rc, err);
    else sqlite3_free(err);
  }
  Table *t = rc == SQLITE_OK ? schema_find_table(db, db_name, table_name, NULL) : NULL;
  const char *type = NULL, *coll = "BINARY";
  int nn = 0, pk = 0, ai = 0;
  if (rc == SQLITE_OK && (t == NULL || t->is_view)) {
    db_error(db, SQLITE_ERROR, "no such table column: %s.%s", table_name, column_name ? column_name : "");
    rc = SQLITE_ERROR;
  } else if (rc == SQLITE_OK && column_name) {
    int c = table_column_index(t, column_name);
    if (c >= 0) {
      Column *col = &t->cols[c];
      type = col->type;
      if (col->collate) coll = col->collate;
      nn = col->not_null != 0;
      pk = col->is_pk != 0;
      ai = t->ipk == c && t->autoincrement;
    } else if (c == -2 && !t->without_rowid) { /* rowid alias names */
      type = "INTEGER";
      pk = 1;
    } else {
      db_error(db, SQLITE_ERROR, "no such table column: %s.%s", table_name, column_name);
      rc = SQLITE_ERROR;
    }
  }
  if (data_type) *data_type = type;
  if (coll_seq) *coll_seq = coll;
  if (not_null) *not_null = nn;
  if (primary_key) *primary_key = pk;
  if (autoinc) *autoinc = ai;
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

char *api_utf16_to_utf8(const void *z16) {
  if (z16 == NULL) return NULL;
  const u16 one = 1;
  int native = *(const u8 *)&one ? SQLITE_UTF16LE : SQLITE_UTF16BE;
  const u16 *w = z16;
  int n = 0;
  while (w[n]) n++;
  u8 *out = NULL;
  int nout = 0;
  if (shale_utf16_to8(z16, n * 2, native, &out, &nout) != SQLITE_OK) return NULL;
  return (char *)out;
}

int sqlite3_create_function16(sqlite3 *db, const void *name16, int n_arg, int enc, void *app,
                              void (*x_func)(sqlite3_context *, int, sqlite3_value **),
                              void (*x_step)(sqlite3_context *, int, sqlite3_value **),
                              void (*x_final)(sqlite3_context *)) {
  if (!api_db_ok(db) || name16 == NULL) return SQLITE_MISUSE;
  char *name = api_utf16_to_utf8(name16);
  if (name == NULL) return SQLITE_NOMEM;
  int rc = sqlite3_create_function_v2(db, name, n_arg, enc, app, x_func, x_step, x_final, NULL);
  sqlite3_free(name);
  return rc;
}

int sqlite3_create_collation16(sqlite3 *db, const void *name16, int enc, void *arg,
                               int (*x_cmp)(void *, int, const void *, int, const void *)) {
  if (!api_db_ok(db) || name16 == NULL) return SQLITE_MISUSE;
  char *name = api_utf16_to_utf8(name16);
  if (name == NULL) return SQLITE_NOMEM;
  int rc = sqlite3_create_collation_v2(db, name, enc, arg, x_cmp, NULL);
  sqlite3_free(name);
  return rc;
}

/* The callbacks asked for a collation that statement compilation needs
** and does not know (sql/prepare.c parse_collseq); setting one clears the
** other, as in SQLite. */
int sqlite3_collation_needed(sqlite3 *db, void *arg, void (*x)(void *, sqlite3 *, int, const char *)) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  db->coll_needed = x, db->coll_needed16 = NULL, db->coll_needed_arg = arg;
  sqlite3_mutex_leave(db->mutex);
  return SQLITE_OK;
}

int sqlite3_collation_needed16(sqlite3 *db, void *arg, void (*x)(void *, sqlite3 *, int, const void *)) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  db->coll_needed16 = x, db->coll_needed = NULL, db->coll_needed_arg = arg;
  sqlite3_mutex_leave(db->mutex);
  return SQLITE_OK;
}
