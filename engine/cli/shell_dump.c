/* shell_dump.c — .dump: the database as SQL text, the way sqlite3 3.40
** writes it (tables with their rows, then indexes, triggers and views). */
#include <stdlib.h>
#include <string.h>
#include "shell.h"

/* Rows of one table as INSERT statements. */
static int dump_rows(Shell *p, const char *table) {
  char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
  char *dest = shell_needs_quote(table) ? sqlite3_mprintf("\"%w\"", table) : sqlite3_mprintf("%s", table);
  char *saved_table = p->insert_table;
  int saved_mode = p->mode;
  p->insert_table = dest;
  p->mode = MODE_INSERT;
  char *err = NULL;
  int rc = shell_exec(p, sql, &err);
  p->mode = saved_mode;
  p->insert_table = saved_table;
  if (err) {
    fprintf(p->out, "/****** %s ******/\n", err);
    sqlite3_free(err);
  }
  sqlite3_free(dest);
  sqlite3_free(sql);
  return rc;
}

int shell_dump(Shell *p, const char *like) {
  int errors = 0;
  int saved_header = p->show_header;
  p->show_header = 0;
  p->dump_mode = 1;
  fputs("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", p->out);
  const char *filter = like ? " AND name LIKE ?1 ESCAPE '\\'" : "";
  char *q = sqlite3_mprintf("SELECT name, type, sql FROM sqlite_schema AS o WHERE type=='table'"
                            " AND sql NOT NULL%s ORDER BY tbl_name='sqlite_sequence', rowid", filter);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(p->db, q, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    errors++;
    st = NULL;
  }
  sqlite3_free(q);
  if (st && like) sqlite3_bind_text(st, 1, like, -1, SQLITE_TRANSIENT);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    char *name = strdup((const char *)sqlite3_column_text(st, 0));
    const char *sql = (const char *)sqlite3_column_text(st, 2);
    int dump_data = 1;
    if (strcmp(name, "sqlite_sequence") == 0) {
      fputs("DELETE FROM sqlite_sequence;\n", p->out);
    } else if (sqlite3_strglob("sqlite_stat?", name) == 0) {
      fputs("ANALYZE sqlite_schema;\n", p->out);
    } else if (strncmp(name, "sqlite_", 7) == 0) {
      dump_data = 0;
    } else if (sqlite3_strglob("CREATE TABLE ['\"]*", sql) == 0) {
      fprintf(p->out, "CREATE TABLE IF NOT EXISTS %s;\n", sql + 13);
    } else {
      fprintf(p->out, "%s;\n", sql);
    }
    if (dump_data && dump_rows(p, name) != SQLITE_OK) errors++;
    free(name);
  }
  if (st) sqlite3_finalize(st);
  q = sqlite3_mprintf("SELECT sql FROM sqlite_schema AS o WHERE sql NOT NULL%s"
                      " AND type IN ('index','trigger','view')", filter);
  if (sqlite3_prepare_v2(p->db, q, -1, &st, NULL) == SQLITE_OK) {
    if (like) sqlite3_bind_text(st, 1, like, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) fprintf(p->out, "%s;\n", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  } else {
    errors++;
  }
  sqlite3_free(q);
  fputs(errors ? "ROLLBACK; -- due to errors\n" : "COMMIT;\n", p->out);
  p->show_header = saved_header;
  p->dump_mode = 0;
  return errors ? 1 : 0;
}
