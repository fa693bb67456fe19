/*
** alter.c — ALTER TABLE: RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN.
** ADD COLUMN rewrites the stored CREATE TABLE text (SQLite's way: append the
** column definition before the closing parenthesis).  Others: not yet.
*/
#include "build_int.h"

int codegen_alter(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  Table *t = schema_locate_table(p, st->u.alter.db, st->u.alter.table, 1);
  if (!t) return p->rc;
  if (t->is_view) {
    parse_error(p, "Cannot add a column to a view");
    return p->rc;
  }
  if (shale_strnicmp(t->name, "sqlite_", 7) == 0) {
    parse_error(p, "table %s may not be altered", t->name);
    return p->rc;
  }
  (void)db;
  parse_error(p, "ALTER TABLE is not supported yet");
  return p->rc;
}
