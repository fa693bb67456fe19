/*
** extension.c — run-time loadable extensions are not supported (there is no
** sqlite3_api_routines table for them to call through): the entry points
** exist so that programs written against SQLite compile and link, and a
** load fails with a clear error, never a crash.
*/
#include "api_internal.h"

int sqlite3_enable_load_extension(sqlite3 *db, int onoff) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  db->load_extension_on = onoff != 0;
  return SQLITE_OK;
}

int sqlite3_load_extension(sqlite3 *db, const char *file, const char *proc, char **err) {
  (void)proc;
  if (err) *err = NULL;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  char *msg = db->load_extension_on
                  ? sqlite3_mprintf("%s: loadable extensions are not supported by Shale", file ? file : "")
                  : sqlite3_mprintf("not authorized");
  sqlite3_mutex_enter(db->mutex);
  db_error(db, SQLITE_ERROR, "%s", msg ? msg : "out of memory");
  sqlite3_mutex_leave(db->mutex);
  if (err) *err = msg;
  else sqlite3_free(msg);
  return SQLITE_ERROR;
}
