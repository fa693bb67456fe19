/* dberror.c — a connection's error state (code, message, offset) and
** sqlite3_errstr().  Lives in util because every layer reports errors. */
#include <stdarg.h>
#include "common.h"
#include "../api/connection.h"

const char *sqlite3_errstr(int rc) {
  static const char *const msgs[] = {
      "not an error", "SQL logic error", "internal logic error",
      "access permission denied", "query aborted", "database is locked",
      "database table is locked", "out of memory",
      "attempt to write a readonly database", "interrupted", "disk I/O error",
      "database disk image is malformed", "unknown operation",
      "database or disk is full", "unable to open database file",
      "locking protocol", NULL, "database schema has changed",
      "string or blob too big", "constraint failed", "datatype mismatch",
      "bad parameter or other API misuse", NULL, "authorization denied", NULL,
      "column index out of range", "file is not a database",
      "notification message", "warning message"};
  switch (rc) {
    case SQLITE_ABORT_ROLLBACK: return "abort due to ROLLBACK";
    case SQLITE_ROW: return "another row available";
    case SQLITE_DONE: return "no more rows available";
    case SHALE_IO: return "I/O pending";
  }
  rc &= 0xff;
  if (rc >= 0 && rc < (int)SHALE_ARRAY_SIZE(msgs) && msgs[rc]) return msgs[rc];
  return "unknown error";
}

void db_error_clear(sqlite3 *db) {
  if (db == NULL) return;
  db->err_code = SQLITE_OK;
  db->err_offset = -1;
  sqlite3_free(db->err_msg);
  db->err_msg = NULL;
  sqlite3_free(db->err_msg16);
  db->err_msg16 = NULL;
}

void db_error(sqlite3 *db, int rc, const char *fmt, ...) {
  if (db == NULL) return;
  db_error_clear(db);
  db->err_code = rc;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    db->err_msg = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
  }
}

void db_error_take(sqlite3 *db, int rc, char *z_err) {
  if (db == NULL) {
    sqlite3_free(z_err);
    return;
  }
  db_error_clear(db);
  db->err_code = rc;
  db->err_msg = z_err;
}
