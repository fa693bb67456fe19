/*
** vtab_api.c — the virtual-table entry points of the C API:
** sqlite3_create_module[_v2], sqlite3_drop_modules, sqlite3_declare_vtab,
** sqlite3_vtab_config, sqlite3_vtab_on_conflict, sqlite3_vtab_nochange.
** The registry and the constructors live in ../sql/vtab.c; xBestIndex
** helpers (sqlite3_vtab_collation & co) in ../sql/where_vtab.c.
*/
#include "api_internal.h"
#include "../sql/vtab.h"
#include "../vm/value.h"
#include <stdarg.h>

int sqlite3_create_module_v2(sqlite3 *db, const char *name, const sqlite3_module *m, void *aux,
                             void (*destroy)(void *)) {
  if (!api_db_ok(db) || name == NULL) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = vtab_register_module(db, name, m, aux, destroy);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_create_module(sqlite3 *db, const char *name, const sqlite3_module *m, void *aux) {
  return sqlite3_create_module_v2(db, name, m, aux, NULL);
}

int sqlite3_drop_modules(sqlite3 *db, const char **keep) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = vtab_drop_modules(db, keep);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_declare_vtab(sqlite3 *db, const char *sql) {
  if (!api_db_ok(db) || sql == NULL) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = vtab_declare(db, sql);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_vtab_config(sqlite3 *db, int op, ...) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = SQLITE_OK;
  if (!vtab_declaring(db)) {
    rc = SQLITE_MISUSE;
  } else if (op == SQLITE_VTAB_CONSTRAINT_SUPPORT) {
    va_list ap;
    va_start(ap, op);
    rc = vtab_config_constraint_support(db, va_arg(ap, int));
    va_end(ap);
  } else if (op != SQLITE_VTAB_INNOCUOUS && op != SQLITE_VTAB_DIRECTONLY) {
    rc = SQLITE_MISUSE;
  }
  if (rc) db_error(db, rc, NULL);
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_vtab_on_conflict(sqlite3 *db) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  return db->vtab_on_conflict ? db->vtab_on_conflict : SQLITE_ABORT;
}

int sqlite3_vtab_nochange(sqlite3_context *ctx) { return ctx ? ctx->vtab_nochange : 0; }
