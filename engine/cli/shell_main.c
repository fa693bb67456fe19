/*
** shell_main.c — the `shale` shell: command-line options, reading input
** (stdin, .read files, command-line arguments) and running it.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef SHELL_AGAINST_SQLITE /* test build linked with the system libsqlite3 */
#define shale_version() "(system sqlite3)"
#else
#include "shale.h"
#endif
#include "shell.h"

int shell_str_eq(const char *a, const char *b) { return sqlite3_stricmp(a, b) == 0; }

static int all_whitespace(const char *z) {
  for (; *z; z++) {
    if (*z == ' ' || (*z >= '\t' && *z <= '\r')) continue;
    if (z[0] == '-' && z[1] == '-') { /* a -- comment runs to the end of line */
      while (*z && *z != '\n') z++;
      if (*z == 0) break;
      continue;
    }
    if (z[0] == '/' && z[1] == '*') {
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/')) z++;
      if (*z == 0) return 0;
      z++;
      continue;
    }
    return 0;
  }
  return 1;
}

/* A line that is just "/" or "go" (SQL Server / Oracle habits) ends a
** statement. */
static int is_terminator_line(const char *z) {
  while (*z == ' ' || (*z >= '\t' && *z <= '\r')) z++;
  if (z[0] == '/' ) z++;
  else if ((z[0] == 'g' || z[0] == 'G') && (z[1] == 'o' || z[1] == 'O')) z += 2;
  else return 0;
  return all_whitespace(z);
}

/* Read one line (without its newline); NULL at end of input.  On a terminal
** the line editor reads it. */
static char *read_line(FILE *in, char **buf, size_t *cap, const char *prompt) {
  if (prompt && in == stdin && isatty(0) && isatty(1)) {
    char *z = shell_edit_line(prompt);
    if (z == NULL) return NULL;
    size_t n = strlen(z);
    if (n + 1 > *cap) {
      *cap = n + 1;
      *buf = realloc(*buf, *cap);
      if (!*buf) abort();
    }
    memcpy(*buf, z, n + 1);
    free(z);
    return *buf;
  }
  if (prompt) {
    fputs(prompt, stdout);
    fflush(stdout);
  }
  ssize_t n = getline(buf, cap, in);
  if (n < 0) return NULL;
  if (n > 0 && (*buf)[n - 1] == '\n') (*buf)[--n] = 0;
  if (n > 0 && (*buf)[n - 1] == '\r') (*buf)[--n] = 0;
  return *buf;
}

/* Run one complete piece of SQL read from a script; report errors the way
** the sqlite3 shell does.  Returns 1 on error. */
static int run_sql(Shell *p, const char *sql, int from_terminal, int start_line) {
  char *err = NULL;
  int rc = shell_exec(p, sql, &err);
  if (rc == SQLITE_OK && err == NULL) return 0;
  const char *type = "Error", *tail = err ? err : sqlite3_errmsg(p->db);
  if (err && strncmp(err, "in prepare, ", 12) == 0) type = "Parse error", tail = err + 12;
  else if (err && strncmp(err, "stepping, ", 10) == 0) type = "Runtime error", tail = err + 10;
  fflush(p->out);
  if (from_terminal) fprintf(stderr, "%s: %s\n", type, tail);
  else fprintf(stderr, "%s near line %d: %s\n", type, start_line, tail);
  sqlite3_free(err);
  return 1;
}

int shell_process_file(Shell *p, FILE *in, const char *name) {
  (void)name;
  char *line = NULL, *sql = NULL;
  size_t cap = 0, n_sql = 0, sql_cap = 0;
  int errors = 0, start_line = 0;
  int saved_line = p->line_no;
  int interactive = in == stdin && p->interactive;
  p->line_no = 0;
  for (;;) {
    const char *prompt = interactive ? (n_sql ? "   ...> " : "shale> ") : NULL;
    if (!read_line(in, &line, &cap, prompt)) break;
    p->line_no++;
    if (n_sql == 0 && all_whitespace(line)) {
      if (p->echo) printf("%s\n", line);
      continue;
    }
    if (n_sql == 0 && (line[0] == '.' || line[0] == '#')) {
      if (p->echo) printf("%s\n", line);
      if (line[0] == '.') {
        int rc = shell_do_command(p, line);
        if (rc == 2) break;
        if (rc) {
          errors++;
          if (p->bail) break;
        }
      }
      continue;
    }
    const char *text = line;
    if (is_terminator_line(line) && n_sql && sqlite3_complete(sql ? sql : "")) text = ";";
    else if (is_terminator_line(line) && n_sql) text = ";";
    size_t len = strlen(text);
    if (n_sql + len + 2 > sql_cap) {
      sql_cap = (n_sql + len + 2) * 2;
      sql = realloc(sql, sql_cap);
      if (!sql) abort();
    }
    if (n_sql == 0) {
      while (*text == ' ' || (*text >= '\t' && *text <= '\r')) text++;
      len = strlen(text);
      start_line = p->line_no;
      memcpy(sql, text, len + 1);
      n_sql = len;
    } else {
      sql[n_sql++] = '\n';
      memcpy(sql + n_sql, text, len + 1);
      n_sql += len;
    }
    if (sqlite3_complete(sql)) {
      errors += run_sql(p, sql, interactive, start_line);
      fflush(p->out); /* output reaches a pipe as each statement finishes, as in sqlite3 */
      n_sql = 0;
      if (errors && p->bail) break;
      if (p->once) shell_close_out(p);
    }
  }
  if (n_sql && !all_whitespace(sql) && !(errors && p->bail)) {
    errors += run_sql(p, sql, interactive, start_line);
  }
  free(line);
  free(sql);
  p->line_no = saved_line;
  return errors;
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "Usage: %s [OPTIONS] FILENAME [SQL]\n"
          "FILENAME is the name of an SQLite database. A new database is created\n"
          "if the file does not previously exist. Defaults to :memory:.\n"
          "OPTIONS include:\n"
          "   -ascii               set output mode to 'ascii'\n"
          "   -bail                stop after hitting an error\n"
          "   -batch               force batch I/O\n"
          "   -box                 set output mode to 'box'\n"
          "   -column              set output mode to 'column'\n"
          "   -cmd COMMAND         run \"COMMAND\" before reading stdin\n"
          "   -csv                 set output mode to 'csv'\n"
          "   -echo                print commands before execution\n"
          "   -[no]header          turn headers on or off\n"
          "   -help                show this message\n"
          "   -html                set output mode to HTML\n"
          "   -interactive         force interactive I/O\n"
          "   -json                set output mode to 'json'\n"
          "   -line                set output mode to 'line'\n"
          "   -list                set output mode to 'list'\n"
          "   -markdown            set output mode to 'markdown'\n"
          "   -newline SEP         set output row separator. Default: '\\n'\n"
          "   -nullvalue TEXT      set text string for NULL values. Default ''\n"
          "   -quote               set output mode to 'quote'\n"
          "   -readonly            open the database read-only\n"
          "   -separator SEP       set output column separator. Default: '|'\n"
          "   -table               set output mode to 'table'\n"
          "   -tabs                set output mode to 'tabs'\n"
          "   -version             show SQLite version\n"
          "   -vfs NAME            use NAME as the default VFS\n",
          argv0);
}

/* Output-mode options: unlike .mode, they set only the mode and (for some)
** the column separator, as the sqlite3 shell does. */
static int mode_option(Shell *sh, const char *z) {
  static const struct {
    const char *opt;
    int mode;
    const char *col_sep, *row_sep;
  } opts[] = {{"-ascii", MODE_ASCII, SEP_UNIT, SEP_RECORD}, {"-box", MODE_BOX, NULL, NULL},
              {"-column", MODE_COLUMN, NULL, NULL},          {"-csv", MODE_CSV, SEP_COMMA, NULL},
              {"-html", MODE_HTML, NULL, NULL},              {"-json", MODE_JSON, NULL, NULL},
              {"-line", MODE_LINE, NULL, NULL},              {"-list", MODE_LIST, NULL, NULL},
              {"-markdown", MODE_MARKDOWN, NULL, NULL},      {"-quote", MODE_QUOTE, SEP_COMMA, SEP_ROW},
              {"-table", MODE_TABLE, NULL, NULL},            {"-tabs", MODE_LIST, SEP_TAB, SEP_ROW}};
  for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
    if (strcmp(z, opts[k].opt) != 0) continue;
    sh->mode = opts[k].mode;
    if (opts[k].col_sep) snprintf(sh->col_sep, sizeof sh->col_sep, "%s", opts[k].col_sep);
    if (opts[k].row_sep) snprintf(sh->row_sep, sizeof sh->row_sep, "%s", opts[k].row_sep);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  Shell sh;
  memset(&sh, 0, sizeof sh);
  sh.out = stdout;
  sh.explain_auto = 1;
  shell_set_mode(&sh, MODE_LIST);
  sh.interactive = isatty(0);
  char **cmds = calloc((size_t)argc + 1, sizeof(char *)), **pre = calloc((size_t)argc + 1, sizeof(char *));
  int n_cmds = 0, n_pre = 0;
  if (!cmds || !pre) return 1;
  for (int i = 1; i < argc; i++) {
    char *z = argv[i];
    if (z[0] != '-' || (z[1] == 0)) {
      if (sh.db_filename == NULL) sh.db_filename = z;
      else cmds[n_cmds++] = z;
      continue;
    }
    if (z[1] == '-') z++; /* --option works too */
    if (mode_option(&sh, z)) continue;
    if (!strcmp(z, "-bail")) sh.bail = 1;
    else if (!strcmp(z, "-batch")) sh.interactive = 0;
    else if (!strcmp(z, "-interactive")) sh.interactive = 1;
    else if (!strcmp(z, "-echo")) sh.echo = 1;
    else if (!strcmp(z, "-header")) sh.show_header = 1, sh.header_set = 1;
    else if (!strcmp(z, "-noheader")) sh.show_header = 0, sh.header_set = 1;
    else if (!strcmp(z, "-readonly")) sh.open_flags |= SQLITE_OPEN_READONLY;
    else if (!strcmp(z, "-version")) {
      printf("%s %s (shale %s)\n", sqlite3_libversion(), sqlite3_sourceid(), shale_version());
      return 0;
    } else if (!strcmp(z, "-help")) {
      usage(argv[0]);
      return 0;
    } else if (i + 1 < argc && !strcmp(z, "-vfs")) {
      sh.vfs_name = argv[++i];
      if (sqlite3_vfs_find(sh.vfs_name) == NULL) {
        fprintf(stderr, "no such VFS: \"%s\"\n", sh.vfs_name);
        return 1;
      }
    } else if (i + 1 < argc && !strcmp(z, "-cmd")) pre[n_pre++] = argv[++i];
    else if (i + 1 < argc && !strcmp(z, "-separator")) snprintf(sh.col_sep, sizeof sh.col_sep, "%s", argv[++i]);
    else if (i + 1 < argc && !strcmp(z, "-newline")) snprintf(sh.row_sep, sizeof sh.row_sep, "%s", argv[++i]);
    else if (i + 1 < argc && !strcmp(z, "-nullvalue")) snprintf(sh.null_value, sizeof sh.null_value, "%s", argv[++i]);
    else if (i + 1 < argc && !strcmp(z, "-init")) ++i; /* no init file support */
    else {
      fprintf(stderr, "%s: Error: unknown option: %s\nUse -help for a list of options.\n", argv[0], argv[i]);
      return 1;
    }
  }
  if (sh.db_filename == NULL) sh.db_filename = ":memory:";
  if (n_cmds > 0) sh.interactive = 0;
  if (shell_open_db(&sh, 0) != SQLITE_OK) return 1;
  int rc = 0;
  for (int i = 0; i < n_pre; i++) {
    if (pre[i][0] == '.') {
      rc = shell_do_command(&sh, pre[i]);
      if (rc && sh.bail) return rc == 2 ? 0 : rc;
    } else {
      char *err = NULL;
      rc = shell_exec(&sh, pre[i], &err);
      if (err) {
        fprintf(stderr, "Error: %s\n", err);
        sqlite3_free(err);
        if (sh.bail) return rc ? rc : 1;
      }
    }
  }
  if (n_cmds > 0) {
    for (int i = 0; i < n_cmds; i++) {
      if (cmds[i][0] == '.') {
        rc = shell_do_command(&sh, cmds[i]);
        if (rc) {
          free(cmds);
          free(pre);
          return rc == 2 ? 0 : rc;
        }
      } else {
        char *err = NULL;
        rc = shell_exec(&sh, cmds[i], &err);
        if (err || rc) {
          fflush(sh.out);
          if (err) fprintf(stderr, "Error: %s\n", err);
          else fprintf(stderr, "Error: unable to process SQL: %s\n", cmds[i]);
          sqlite3_free(err);
          free(cmds);
          free(pre);
          return rc ? rc : 1;
        }
      }
    }
    rc = 0;
  } else {
    if (sh.interactive) {
      printf("Shale %s (SQLite %s compatible)\n"
             "Enter \".help\" for usage hints.\n",
             shale_version(), sqlite3_libversion());
      if (strcmp(sh.db_filename, ":memory:") == 0)
        printf("Connected to a transient in-memory database.\n"
               "Use \".open FILENAME\" to reopen on a persistent database.\n");
    }
    if (sh.interactive) shell_history_load();
    rc = shell_process_file(&sh, stdin, "<stdin>") > 0;
    if (sh.interactive) shell_history_save();
  }
  shell_close_out(&sh);
  if (sh.db) sqlite3_close(sh.db);
  free(sh.insert_table);
  free(cmds);
  free(pre);
  return rc;
}
