/*
** shell.h — the `shale` command-line shell: state shared by its files.
**
** The shell is an ordinary program written against the public SQLite C API
** (sqlite3.h), so it builds against libshale and, for comparison, against
** the system libsqlite3; its output is meant to be byte-identical to the
** sqlite3 3.40 shell for scripts.
*/
#ifndef SHALE_SHELL_H
#define SHALE_SHELL_H
#include <stdio.h>
#include "sqlite3.h"

enum {
  MODE_LINE, MODE_COLUMN, MODE_LIST, MODE_SEMI, MODE_HTML, MODE_INSERT,
  MODE_QUOTE, MODE_TCL, MODE_CSV, MODE_EXPLAIN, MODE_ASCII, MODE_PRETTY,
  MODE_EQP, MODE_JSON, MODE_MARKDOWN, MODE_TABLE, MODE_BOX, MODE_COUNT
};

#define SEP_COLUMN "|"
#define SEP_ROW "\n"
#define SEP_TAB "\t"
#define SEP_COMMA ","
#define SEP_CRLF "\r\n"
#define SEP_UNIT "\x1F"
#define SEP_RECORD "\x1E"

#define MAX_WIDTHS 100

typedef struct Shell {
  sqlite3 *db;
  char *db_filename;      /* as given ("" or ":memory:" = in-memory) */
  char open_filename[4096]; /* storage for the name given to .open */
  const char *vfs_name;
  int open_flags;         /* extra SQLITE_OPEN_* (readonly) */
  int mode;
  int mode_before_explain;
  int show_header;
  int header_set;         /* .headers given explicitly */
  char col_sep[20], row_sep[20];
  char null_value[20];
  char *insert_table;     /* .mode insert TABLE; NULL = "table" */
  int widths[MAX_WIDTHS], n_widths;
  int actual_widths[MAX_WIDTHS];
  FILE *out;
  char out_file[4096];    /* "" = stdout */
  int once;               /* .once: revert after the next command */
  int bail, echo, timer, changes;
  int interactive;        /* reading from a terminal */
  int line_no;            /* of the current input */
  int n_errors;
  int row_count;          /* rows output by the current statement */
  int explain_auto;       /* .explain auto */
  int autoeqp;            /* .eqp: 0 off, 1 on, 2 trigger, 3 full */
  sqlite3_stmt *stmt;     /* statement being output */
  int dump_mode;          /* .dump in progress: insert rows, no header */
} Shell;

/* shell_output.c */
int shell_exec(Shell *, const char *sql, char **err_out);
void shell_set_mode(Shell *, int mode);
extern const char *const shell_mode_names[MODE_COUNT];
void output_quoted_string(FILE *, const char *);
int shell_needs_quote(const char *);

/* shell_commands.c */
int shell_do_command(Shell *, char *line); /* 0 ok, 1 error, 2 exit */
int shell_open_db(Shell *, int keep_alive);
/* shell_series.c: generate_series, built into the shell as in sqlite3 */
int shell_register_series(sqlite3 *);
void shell_show_help(Shell *, const char *pattern);
void shell_close_out(Shell *);

/* shell_params.c: .parameter and binding from temp.sqlite_parameters */
int shell_parameter_command(Shell *, int argc, char **argv);
void shell_bind_parameters(Shell *, sqlite3_stmt *);

/* shell_dump.c */
int shell_dump(Shell *, const char *like);

/* shell_import.c */
int shell_import(Shell *, int argc, char **argv);

/* shell_backup.c */
int shell_backup(Shell *, int argc, char **argv);  /* .backup / .save */
int shell_restore(Shell *, int argc, char **argv); /* .restore */

/* shell_lineedit.c: interactive line editing and history */
char *shell_edit_line(const char *prompt);
void shell_history_load(void);
void shell_history_save(void);

/* shell_main.c */
int shell_process_file(Shell *, FILE *in, const char *name);
int shell_str_eq(const char *a, const char *b);

#endif
