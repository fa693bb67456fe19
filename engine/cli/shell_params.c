/*
** shell_params.c — `.parameter` and the binding of SQL parameters from the
** table temp.sqlite_parameters(key, value), as the sqlite3 shell does: every
** statement's parameters are looked up by name ("?N" for nameless ones) and
** bound to the stored value, or to NULL when absent.  Nothing is bound while
** the table does not exist.
*/
#include <stdlib.h>
#include <string.h>
#include "shell.h"

static int run(Shell *p, const char *sql);

static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS temp.sqlite_parameters(key TEXT PRIMARY KEY, value) "
    "WITHOUT ROWID;";

/* The name is reserved (sqlite_*): like the sqlite3 shell, allow it for the
** moment of creation with writable_schema, defensive mode off. */
static int create_table(Shell *p) {
  int defensive = 0, writable = 0;
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)0);
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, -1, &writable);
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, (int *)0);
  int rc = run(p, create_sql);
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, writable, (int *)0);
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, defensive, (int *)0);
  return rc;
}

static int table_exists(Shell *p) {
  return sqlite3_table_column_metadata(p->db, "temp", "sqlite_parameters", "key", 0, 0, 0, 0, 0) ==
         SQLITE_OK;
}

void shell_bind_parameters(Shell *p, sqlite3_stmt *st) {
  int n = sqlite3_bind_parameter_count(st);
  if (n == 0 || !table_exists(p)) return;
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(p->db, "SELECT value FROM temp.sqlite_parameters WHERE key=?1", -1, &q, 0) !=
      SQLITE_OK)
    return;
  for (int i = 1; i <= n; i++) {
    char nameless[32];
    const char *name = sqlite3_bind_parameter_name(st, i);
    if (!name) {
      snprintf(nameless, sizeof nameless, "?%d", i);
      name = nameless;
    }
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) sqlite3_bind_value(st, i, sqlite3_column_value(q, 0));
    else sqlite3_bind_null(st, i);
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
}

static int run(Shell *p, const char *sql) {
  char *err = NULL;
  int rc = sqlite3_exec(p->db, sql, 0, 0, &err);
  if (rc != SQLITE_OK) fprintf(stderr, "Error: %s\n", err ? err : sqlite3_errmsg(p->db));
  sqlite3_free(err);
  return rc != SQLITE_OK;
}

static void list(Shell *p) {
  sqlite3_stmt *st = NULL;
  int width = 0;
  if (sqlite3_prepare_v2(p->db, "SELECT max(length(key)) FROM temp.sqlite_parameters", -1, &st, 0) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    width = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  st = NULL;
  if (width == 0) return;
  if (sqlite3_prepare_v2(p->db, "SELECT key, quote(value) FROM temp.sqlite_parameters", -1, &st, 0) !=
      SQLITE_OK)
    return;
  while (sqlite3_step(st) == SQLITE_ROW)
    fprintf(p->out, "%-*s %s\n", width, sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
  sqlite3_finalize(st);
}

/* .parameter set KEY VALUE: VALUE is an SQL expression when it is one
** (`3+4` stores 7), else it is stored as text. */
static int set(Shell *p, const char *key, const char *value) {
  if (create_table(p)) return 1;
  char *sql = sqlite3_mprintf("REPLACE INTO temp.sqlite_parameters(key,value) VALUES(%Q,%s);", key,
                              value);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(p->db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    st = NULL;
    sql = sqlite3_mprintf("REPLACE INTO temp.sqlite_parameters(key,value) VALUES(%Q,%Q);", key,
                          value);
    rc = sqlite3_prepare_v2(p->db, sql, -1, &st, 0);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
      fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
      sqlite3_finalize(st);
      return 1;
    }
  }
  sqlite3_step(st);
  rc = sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  return 0;
}

int shell_parameter_command(Shell *p, int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "init") == 0) return create_table(p);
  if (argc == 2 && strcmp(argv[1], "list") == 0) {
    if (table_exists(p)) list(p);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "clear") == 0) {
    return table_exists(p) ? run(p, "DELETE FROM temp.sqlite_parameters;") : 0;
  }
  if (argc == 4 && strcmp(argv[1], "set") == 0) return set(p, argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "unset") == 0) {
    if (!table_exists(p)) return 0;
    char *sql = sqlite3_mprintf("DELETE FROM temp.sqlite_parameters WHERE key=%Q", argv[2]);
    int rc = run(p, sql);
    sqlite3_free(sql);
    return rc;
  }
  shell_show_help(p, "parameter");
  return 0;
}
