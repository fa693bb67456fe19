/*
** shell_commands.c — the dot-commands (.mode, .tables, .open, ...).
*/
#include <stdlib.h>
#include <string.h>
#include "shell.h"

#define MAX_ARGS 50

static const char *const help_text[] = {
    ".backup ?DB? FILE        Backup DB (default \"main\") to FILE\n"
    "   Options:\n"
    "       --append            Use the appendvfs\n"
    "       --async             Write to FILE without journal and fsync()",
    ".bail on|off             Stop after hitting an error.  Default OFF",
    ".changes on|off          Show number of rows changed by SQL",
    ".databases               List names and files of attached databases",
    ".dump ?OBJECTS?          Render database content as SQL",
    ".echo on|off             Turn command echo on or off",
    ".eqp on|off|full|...     Enable or disable automatic EXPLAIN QUERY PLAN\n"
    "   Other Modes:\n"
    "      trigger               Like \"full\" but also show trigger bytecode",
    ".exit ?CODE?             Exit this program with return-code CODE",
    ".explain ?on|off|auto?   Change the EXPLAIN formatting mode.  Default: auto",
    ".headers on|off          Turn display of headers on or off",
    ".help ?PATTERN?          Show help text for PATTERN",
    ".import FILE TABLE       Import data from FILE into TABLE",
    ".indexes ?TABLE?         Show names of indexes",
    ".load FILE ?ENTRY?       Load an extension library",
    ".mode MODE ?TABLE?       Set output mode",
    ".nullvalue STRING        Use STRING in place of NULL values",
    ".once ?FILE?             Output for the next SQL command only to FILE",
    ".open ?OPTIONS? ?FILE?   Close existing database and reopen FILE",
    ".output ?FILE?           Send output to FILE or stdout if FILE is omitted",
    ".parameter CMD ...       Manage SQL parameter bindings\n"
    "   clear                   Erase all bindings\n"
    "   init                    Initialize the TEMP table that holds bindings\n"
    "   list                    List the current parameter bindings\n"
    "   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE\n"
    "                           PARAMETER should start with one of: $ : @ ?\n"
    "   unset PARAMETER         Remove PARAMETER from the binding table",
    ".print STRING...         Print literal STRING",
    ".quit                    Exit this program",
    ".read FILE               Read input from FILE",
    ".restore ?DB? FILE       Restore content of DB (default \"main\") from FILE",
    ".save ?OPTIONS? FILE     Write database to FILE (an alias for .backup ...)",
    ".schema ?PATTERN?        Show the CREATE statements matching PATTERN",
    ".separator COL ?ROW?     Change the column and row separators",
    ".show                    Show the current values for various settings",
    ".tables ?TABLE?          List names of tables matching LIKE pattern TABLE",
    ".timeout MS              Try opening locked tables for MS milliseconds",
    ".timer on|off            Turn SQL timer on or off",
    ".vfsinfo ?AUX?           Information about the top-level VFS",
    ".vfslist                 List all available VFSes",
    ".vfsname ?AUX?           Print the name of the VFS stack",
    ".width NUM1 NUM2 ...     Set minimum column widths for columnar output",
};

/* Split a command line into arguments: whitespace separated, '...' taken
** literally, "..." with C escapes. */
static int split_args(char *line, char **argv) {
  int n = 0;
  char *z = line;
  while (*z && n < MAX_ARGS) {
    while (*z == ' ' || (*z >= '\t' && *z <= '\r')) z++;
    if (*z == 0) break;
    if (*z == '\'' || *z == '"') {
      char q = *z++;
      argv[n++] = z;
      char *o = z;
      while (*z && *z != q) {
        if (q == '"' && *z == '\\' && z[1]) {
          z++;
          switch (*z) {
            case 'n': *o++ = '\n'; break;
            case 't': *o++ = '\t'; break;
            case 'r': *o++ = '\r'; break;
            case '\\': *o++ = '\\'; break;
            default: *o++ = *z;
          }
          z++;
        } else {
          *o++ = *z++;
        }
      }
      if (*z) z++;
      *o = 0;
    } else {
      argv[n++] = z;
      while (*z && !(*z == ' ' || (*z >= '\t' && *z <= '\r'))) z++;
      if (*z) *z++ = 0;
    }
  }
  return n;
}

static int bool_value(const char *z) {
  if (!sqlite3_stricmp(z, "on") || !sqlite3_stricmp(z, "yes") || !sqlite3_stricmp(z, "true")) return 1;
  if (!sqlite3_stricmp(z, "off") || !sqlite3_stricmp(z, "no") || !sqlite3_stricmp(z, "false")) return 0;
  char *end;
  long v = strtol(z, &end, 0);
  if (*end == 0 && end != z) return v != 0;
  fprintf(stderr, "ERROR: Not a boolean value: \"%s\". Assuming \"no\".\n", z);
  return 0;
}

void shell_close_out(Shell *p) {
  if (p->out && p->out != stdout) fclose(p->out);
  p->out = stdout;
  p->out_file[0] = 0;
  p->once = 0;
}

int shell_open_db(Shell *p, int keep_alive) {
  (void)keep_alive;
  if (p->db) {
    sqlite3_close(p->db);
    p->db = NULL;
  }
  int flags = (p->open_flags & SQLITE_OPEN_READONLY) ? SQLITE_OPEN_READONLY
                                                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(p->db_filename, &p->db, flags | SQLITE_OPEN_URI, p->vfs_name);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: unable to open database \"%s\": %s\n", p->db_filename,
            p->db ? sqlite3_errmsg(p->db) : "out of memory");
    if (p->db) sqlite3_close(p->db);
    p->db = NULL;
    return rc;
  }
  shell_register_series(p->db);
  return SQLITE_OK;
}

/* Print names in columns across an 80-character line, like .tables. */
static void print_name_columns(Shell *p, char **names, int n) {
  int maxlen = 0;
  for (int i = 0; i < n; i++) {
    int len = (int)strlen(names[i]);
    if (len > maxlen) maxlen = len;
  }
  int ncol = 80 / (maxlen + 2);
  if (ncol < 1) ncol = 1;
  int nrow = (n + ncol - 1) / ncol;
  for (int i = 0; i < nrow; i++) {
    for (int j = i; j < n; j += nrow)
      fprintf(p->out, "%s%-*s", j < nrow ? "" : "  ", maxlen, names[j]);
    fputc('\n', p->out);
  }
}

/* Collect the first column of a query (with an optional ?1 pattern). */
static int collect_names(Shell *p, const char *sql, const char *pattern, char ***out, int *n) {
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  if (pattern) sqlite3_bind_text(st, 1, pattern, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW) {
    *out = realloc(*out, sizeof(char *) * (size_t)(*n + 1));
    if (!*out) abort();
    const char *z = (const char *)sqlite3_column_text(st, 0);
    (*out)[(*n)++] = strdup(z ? z : "");
  }
  return sqlite3_finalize(st);
}

static int cmd_tables_or_indexes(Shell *p, int argc, char **argv, int indexes) {
  if (argc > 2) {
    fprintf(stderr, indexes ? "Usage: .indexes ?LIKE-PATTERN?\n" : "Usage: .tables ?TABLE?\n");
    return 1;
  }
  char **names = NULL;
  int n = 0, rc = SQLITE_OK;
  sqlite3_stmt *dbs;
  if (sqlite3_prepare_v2(p->db, "PRAGMA database_list", -1, &dbs, NULL) != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  while (rc == SQLITE_OK && sqlite3_step(dbs) == SQLITE_ROW) {
    const char *schema = (const char *)sqlite3_column_text(dbs, 1);
    char *prefix = strcmp(schema, "main") ? sqlite3_mprintf("'%q.'||", schema) : sqlite3_mprintf("");
    char *sql;
    if (indexes)
      sql = sqlite3_mprintf("SELECT %s name FROM \"%w\".sqlite_schema WHERE type='index'"
                            " AND tbl_name LIKE ?1 ORDER BY 1",
                            prefix, schema);
    else
      sql = sqlite3_mprintf("SELECT %s name FROM \"%w\".sqlite_schema WHERE type IN ('table','view')"
                            " AND name NOT LIKE 'sqlite_%%' AND name LIKE ?1 ORDER BY 1",
                            prefix, schema);
    rc = collect_names(p, sql, argc > 1 ? argv[1] : "%", &names, &n);
    sqlite3_free(sql);
    sqlite3_free(prefix);
  }
  sqlite3_finalize(dbs);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  print_name_columns(p, names, n);
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
  return 0;
}

/* ", "-joined column names of a view, quoted where needed, as the sqlite3
** shell appends them to a view's CREATE statement in .schema. */
static char *view_columns_comment(Shell *p, const char *view) {
  char *q = sqlite3_mprintf("PRAGMA table_info(\"%w\")", view);
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(p->db, q, -1, &st, NULL);
  sqlite3_free(q);
  if (rc != SQLITE_OK) return NULL;
  sqlite3_str *s = sqlite3_str_new(p->db);
  const char *sep = "";
  if (shell_needs_quote(view)) sqlite3_str_appendf(s, "\"%w\"(", view);
  else sqlite3_str_appendf(s, "%s(", view);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *col = (const char *)sqlite3_column_text(st, 1);
    if (col == NULL) col = "";
    if (shell_needs_quote(col)) sqlite3_str_appendf(s, "%s\"%w\"", sep, col);
    else sqlite3_str_appendf(s, "%s%s", sep, col);
    sep = ",";
  }
  sqlite3_finalize(st);
  sqlite3_str_appendall(s, ")");
  return sqlite3_str_finish(s);
}

static int cmd_schema(Shell *p, int argc, char **argv) {
  const char *pattern = argc > 1 ? argv[1] : NULL;
  char *sql = sqlite3_mprintf(
      "SELECT sql, type, name FROM sqlite_schema WHERE sql IS NOT NULL%s ORDER BY rowid",
      pattern ? " AND lower(tbl_name) LIKE lower(?1)" : "");
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL);
  sqlite3_free(sql);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  if (pattern) sqlite3_bind_text(st, 1, pattern, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *text = (const char *)sqlite3_column_text(st, 0);
    const char *type = (const char *)sqlite3_column_text(st, 1);
    if (sqlite3_strglob("CREATE TABLE ['\"]*", text) == 0) {
      fprintf(p->out, "CREATE TABLE IF NOT EXISTS %s;\n", text + 13);
    } else if (type && strcmp(type, "view") == 0) {
      char *cols = view_columns_comment(p, (const char *)sqlite3_column_text(st, 2));
      if (cols) fprintf(p->out, "%s\n/* %s */;\n", text, cols);
      else fprintf(p->out, "%s;\n", text);
      sqlite3_free(cols);
    } else {
      fprintf(p->out, "%s;\n", text);
    }
  }
  if (sqlite3_finalize(st) != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  return 0;
}

static int cmd_mode(Shell *p, int argc, char **argv) {
  if (argc == 1) {
    fprintf(p->out, "current output mode: %s\n", shell_mode_names[p->mode]);
    return 0;
  }
  const char *m = argv[1];
  size_t n = strlen(m);
  static const struct {
    const char *name;
    int mode;
  } modes[] = {{"ascii", MODE_ASCII}, {"box", MODE_BOX},       {"column", MODE_COLUMN},
               {"csv", MODE_CSV},     {"html", MODE_HTML},     {"insert", MODE_INSERT},
               {"json", MODE_JSON},   {"line", MODE_LINE},     {"list", MODE_LIST},
               {"markdown", MODE_MARKDOWN}, {"quote", MODE_QUOTE}, {"table", MODE_TABLE},
               {"tabs", MODE_LIST},   {"tcl", MODE_TCL}};
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    if (strncmp(m, modes[i].name, n) != 0 || n == 0) continue;
    if (!strcmp(modes[i].name, "lines") && n < 2) continue;
    if (!strcmp(modes[i].name, "tabs")) {
      p->mode = MODE_LIST; /* the row separator stays as it was */
      strcpy(p->col_sep, SEP_TAB);
    } else {
      shell_set_mode(p, modes[i].mode);
    }
    if (modes[i].mode == MODE_INSERT) {
      free(p->insert_table);
      const char *t = argc > 2 ? argv[2] : "table";
      char *q = shell_needs_quote(t) ? sqlite3_mprintf("\"%w\"", t) : sqlite3_mprintf("%s", t);
      p->insert_table = strdup(q);
      sqlite3_free(q);
    }
    return 0;
  }
  fprintf(stderr, "Error: mode should be one of: ascii box column csv html insert json line "
                  "list markdown qbox quote table tabs tcl\n");
  return 1;
}

static int cmd_output(Shell *p, int argc, char **argv, int once) {
  shell_close_out(p);
  if (argc < 2) return 0;
  const char *file = argv[argc - 1];
  if (!strcmp(file, "stdout")) return 0;
  p->out = fopen(file, "wb");
  if (p->out == NULL) {
    p->out = stdout;
    fprintf(stderr, "Error: cannot write to \"%s\"\n", file);
    return 1;
  }
  snprintf(p->out_file, sizeof p->out_file, "%s", file);
  p->once = once;
  return 0;
}

static void cmd_show(Shell *p) {
  FILE *o = p->out;
  fprintf(o, "%12.12s: %s\n", "echo", p->echo ? "on" : "off");
  static const char *const eqp_names[] = {"off", "on", "trigger", "full"};
  fprintf(o, "%12.12s: %s\n", "eqp", eqp_names[p->autoeqp]);
  fprintf(o, "%12.12s: %s\n", "explain", p->explain_auto ? "auto" : "off");
  fprintf(o, "%12.12s: %s\n", "headers", p->show_header ? "on" : "off");
  fprintf(o, "%12.12s: %s\n", "mode", shell_mode_names[p->mode]);
  const char *seps[3] = {p->null_value, p->col_sep, p->row_sep};
  const char *labels[3] = {"nullvalue", "colseparator", "rowseparator"};
  for (int k = 0; k < 3; k++) {
    if (k == 1) fprintf(o, "%12.12s: %s\n", "output", p->out_file[0] ? p->out_file : "stdout");
    fprintf(o, "%12.12s: \"", labels[k]);
    for (const char *z = seps[k]; *z; z++) {
      if (*z == '\n') fputs("\\n", o);
      else if (*z == '\r') fputs("\\r", o);
      else if (*z == '\t') fputs("\\t", o);
      else if (*z == '"' || *z == '\\') fputc('\\', o), fputc(*z, o);
      else if ((unsigned char)*z < ' ') fprintf(o, "\\%03o", (unsigned char)*z);
      else fputc(*z, o);
    }
    fputs("\"\n", o);
  }
  fprintf(o, "%12.12s: %s\n", "stats", "off");
  fprintf(o, "%12.12s: ", "width");
  for (int i = 0; i < p->n_widths; i++) fprintf(o, "%d ", p->widths[i]);
  fputc('\n', o);
  fprintf(o, "%12.12s: %s\n", "filename", p->db_filename);
}

static int cmd_databases(Shell *p) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(p->db, "PRAGMA database_list", -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    return 1;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *file = (const char *)sqlite3_column_text(st, 2);
    int ro = sqlite3_db_readonly(p->db, name);
    fprintf(p->out, "%s: %s %s\n", name, file ? file : "", ro ? "r/o" : "r/w");
  }
  sqlite3_finalize(st);
  return 0;
}

typedef int (*CommandFn)(Shell *, int, char **);

static int on_off(Shell *p, int argc, char **argv, int *flag, const char *usage) {
  (void)p;
  if (argc != 2) {
    fprintf(stderr, "Usage: %s\n", usage);
    return 1;
  }
  *flag = bool_value(argv[1]);
  return 0;
}

/* .help: with no pattern the first line of every command, else every
** entry containing the pattern, whole. */
void shell_show_help(Shell *p, const char *pattern) {
  for (size_t i = 0; i < sizeof(help_text) / sizeof(help_text[0]); i++) {
    const char *h = help_text[i];
    if (!pattern) fprintf(p->out, "%.*s\n", (int)strcspn(h, "\n"), h);
    else if (strstr(h, pattern)) fprintf(p->out, "%s\n", h);
  }
}

static int cmd_eqp(Shell *p, int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "Usage: .eqp off|on|trace|trigger|full\n");
    return 1;
  }
  if (strcmp(argv[1], "full") == 0) p->autoeqp = 3;
  else if (strcmp(argv[1], "trigger") == 0) p->autoeqp = 2;
  else if (strcmp(argv[1], "trace") == 0) p->autoeqp = 3; /* SQLite's debug builds only */
  else p->autoeqp = bool_value(argv[1]);
  return 0;
}

/* .load FILE ?ENTRY?: Shale loads no extensions; the error is the library's. */
static int cmd_load(Shell *p, int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: .load FILE ?ENTRYPOINT?\n");
    return 1;
  }
  char *err = NULL;
  sqlite3_enable_load_extension(p->db, 1);
  if (sqlite3_load_extension(p->db, argv[1], argc > 2 ? argv[2] : NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", err ? err : sqlite3_errmsg(p->db));
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

/* Dispatch.  Like sqlite3, a command may be abbreviated to any prefix; the
** first command in this order that matches wins. */
int shell_do_command(Shell *p, char *line) {
  char *argv[MAX_ARGS + 1];
  char *copy = strdup(line + 1);
  if (!copy) return 1;
  int argc = split_args(copy, argv);
  int rc = 0;
  if (argc == 0) {
    free(copy);
    return 0;
  }
  const char *c = argv[0];
  size_t n = strlen(c);
#define IS(name, minlen) (n >= (minlen) && strncmp(c, name, n) == 0)
  if (IS("backup", 3) || IS("save", 3)) rc = shell_backup(p, argc, argv);
  else if (IS("bail", 3)) rc = on_off(p, argc, argv, &p->bail, ".bail on|off");
  else if (IS("changes", 3)) rc = on_off(p, argc, argv, &p->changes, ".changes on|off");
  else if (IS("databases", 2)) rc = cmd_databases(p);
  else if (IS("dump", 2)) rc = shell_dump(p, argc > 1 ? argv[1] : NULL);
  else if (IS("echo", 2)) rc = on_off(p, argc, argv, &p->echo, ".echo on|off");
  else if (IS("eqp", 2)) rc = cmd_eqp(p, argc, argv);
  else if (IS("exit", 2) || IS("quit", 1)) {
    int code = argc > 1 && c[0] == 'e' ? atoi(argv[1]) : 0;
    free(copy);
    if (code) exit(code);
    return 2;
  } else if (IS("explain", 3)) {
    p->explain_auto = argc > 1 ? (strcmp(argv[1], "auto") == 0 || bool_value(argv[1])) : 1;
  } else if (IS("headers", 1)) {
    if (argc != 2) {
      fprintf(stderr, "Usage: .headers on|off\n");
      rc = 1;
    } else {
      p->show_header = bool_value(argv[1]);
      p->header_set = 1;
    }
  } else if (IS("help", 1)) {
    shell_show_help(p, argc > 1 ? argv[1] : NULL);
  } else if (IS("import", 2)) rc = shell_import(p, argc, argv);
  else if (IS("indexes", 3) || IS("indices", 3)) rc = cmd_tables_or_indexes(p, argc, argv, 1);
  else if (IS("load", 2)) rc = cmd_load(p, argc, argv);
  else if (IS("mode", 1)) rc = cmd_mode(p, argc, argv);
  else if (IS("nullvalue", 1)) {
    if (argc != 2) {
      fprintf(stderr, "Usage: .nullvalue STRING\n");
      rc = 1;
    } else {
      snprintf(p->null_value, sizeof p->null_value, "%s", argv[1]);
    }
  } else if (IS("once", 2)) rc = cmd_output(p, argc, argv, 1);
  else if (IS("open", 2)) {
    const char *file = NULL;
    int ro = 0;
    for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--readonly") || !strcmp(argv[i], "-readonly")) ro = 1;
      else if (!strcmp(argv[i], "--new") || !strcmp(argv[i], "-new")) {
        if (i + 1 < argc) remove(argv[i + 1]);
      } else if (argv[i][0] == '-' && argv[i][1] == '-') {
        fprintf(stderr, "unknown option: %s\n", argv[i]);
        rc = 1;
      } else file = argv[i];
    }
    if (rc == 0) {
      snprintf(p->open_filename, sizeof p->open_filename, "%s", file ? file : ":memory:");
      p->db_filename = p->open_filename;
      p->open_flags = ro ? SQLITE_OPEN_READONLY : 0;
      rc = shell_open_db(p, 0) != SQLITE_OK;
    }
  } else if (IS("output", 1)) rc = cmd_output(p, argc, argv, 0);
  else if (IS("parameter", 4)) rc = shell_parameter_command(p, argc, argv);
  else if (IS("print", 2)) {
    for (int i = 1; i < argc; i++) fprintf(p->out, "%s%s", i > 1 ? " " : "", argv[i]);
    fputc('\n', p->out);
  } else if (IS("read", 3)) {
    if (argc != 2) {
      fprintf(stderr, "Usage: .read FILE\n");
      rc = 1;
    } else {
      FILE *in = fopen(argv[1], "rb");
      if (in == NULL) {
        fprintf(stderr, "Error: cannot open \"%s\"\n", argv[1]);
        rc = 1;
      } else {
        int saved = p->interactive;
        p->interactive = 0;
        rc = shell_process_file(p, in, argv[1]) > 0;
        p->interactive = saved;
        fclose(in);
      }
    }
  } else if (IS("restore", 3)) rc = shell_restore(p, argc, argv);
  else if (IS("schema", 2)) rc = cmd_schema(p, argc, argv);
  else if (IS("separator", 3)) {
    if (argc < 2 || argc > 3) {
      fprintf(stderr, "Usage: .separator COL ?ROW?\n");
      rc = 1;
    } else {
      snprintf(p->col_sep, sizeof p->col_sep, "%s", argv[1]);
      if (argc > 2) snprintf(p->row_sep, sizeof p->row_sep, "%s", argv[2]);
    }
  } else if (IS("show", 2)) cmd_show(p);
  else if (IS("tables", 2)) rc = cmd_tables_or_indexes(p, argc, argv, 0);
  else if (IS("timeout", 4)) sqlite3_busy_timeout(p->db, argc > 1 ? atoi(argv[1]) : 0);
  else if (IS("timer", 2)) rc = on_off(p, argc, argv, &p->timer, ".timer on|off");
  else if (IS("vfsinfo", 3) || IS("vfsname", 4) || IS("vfslist", 4)) {
    if (IS("vfslist", 4)) {
      for (sqlite3_vfs *v = sqlite3_vfs_find(NULL); v; v = v->pNext)
        fprintf(p->out, "vfs.zName      = \"%s\"\n", v->zName);
    } else {
      sqlite3_vfs *v = NULL;
      sqlite3_file_control(p->db, "main", SQLITE_FCNTL_VFS_POINTER, &v);
      const char *name = v ? v->zName : p->vfs_name ? p->vfs_name : "unix";
      if (IS("vfsname", 4)) fprintf(p->out, "%s\n", name);
      else fprintf(p->out, "vfs.zName      = \"%s\"\n", name);
    }
  } else if (IS("width", 1)) {
    p->n_widths = 0;
    for (int i = 1; i < argc && i <= MAX_WIDTHS; i++) p->widths[p->n_widths++] = atoi(argv[i]);
  } else {
    fprintf(stderr, "Error: unknown command or invalid arguments:  \"%s\". Enter \".help\" for help\n",
            argv[0]);
    rc = 1;
  }
#undef IS
  free(copy);
  return rc;
}
