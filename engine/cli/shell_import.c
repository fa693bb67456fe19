/* shell_import.c — .import FILE TABLE: CSV (RFC 4180) or separator-delimited
** text into a table, creating it from the header row when it is missing. */
#include <stdlib.h>
#include <string.h>
#include "shell.h"

typedef struct Reader {
  FILE *in;
  const char *file;
  int line;
  int col_sep, row_sep;
  int csv;        /* quotes are special */
  char *field;
  size_t n, cap;
  int term;       /* what ended the last field: col_sep, row_sep or EOF */
} Reader;

static void put(Reader *r, int c) {
  if (r->n + 1 >= r->cap) {
    r->cap = r->cap ? r->cap * 2 : 128;
    r->field = realloc(r->field, r->cap);
    if (!r->field) abort();
  }
  r->field[r->n++] = (char)c;
}

/* Read one field; NULL at end of input. */
static char *read_field(Reader *r) {
  r->n = 0;
  int c = fgetc(r->in);
  if (c == EOF) {
    r->term = EOF;
    return NULL;
  }
  if (r->csv && c == '"') {
    int start_line = r->line;
    for (;;) {
      c = fgetc(r->in);
      if (c == '\n') r->line++;
      if (c == EOF) {
        fprintf(stderr, "%s:%d: unterminated \"-quoted field\n", r->file, start_line);
        r->term = EOF;
        break;
      }
      if (c == '"') {
        int d = fgetc(r->in);
        if (d == '"') {
          put(r, '"');
          continue;
        }
        if (d == '\r') d = fgetc(r->in);
        if (d == r->col_sep || d == r->row_sep || d == EOF) {
          r->term = d;
          if (d == r->row_sep) r->line++;
          break;
        }
        put(r, '"');
        c = d;
      }
      put(r, c);
    }
  } else {
    while (c != EOF && c != r->col_sep && c != r->row_sep) {
      put(r, c);
      c = fgetc(r->in);
    }
    if (c == r->row_sep) {
      r->line++;
      if (r->n > 0 && r->field[r->n - 1] == '\r' && r->csv) r->n--;
    }
    r->term = c;
  }
  put(r, 0);
  return r->field;
}

int shell_import(Shell *p, int argc, char **argv) {
  const char *file = NULL, *table = NULL;
  int skip = 0, force_csv = -1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--skip") && i + 1 < argc) skip = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--csv")) force_csv = 1;
    else if (!strcmp(argv[i], "--ascii")) force_csv = 0;
    else if (argv[i][0] == '-' && argv[i][1] == '-') {
      fprintf(stderr, "ERROR: unknown option: \"%s\".  Usage:\n.import FILE TABLE\n", argv[i]);
      return 1;
    } else if (!file) file = argv[i];
    else if (!table) table = argv[i];
    else {
      fprintf(stderr, "ERROR: extra argument: \"%s\".  Usage:\n.import FILE TABLE\n", argv[i]);
      return 1;
    }
  }
  if (!file || !table) {
    fprintf(stderr, "ERROR: missing %s argument. Usage:\n.import FILE TABLE\n", file ? "TABLE" : "FILE");
    return 1;
  }
  Reader r = {0};
  r.file = file;
  r.line = 1;
  if (force_csv == 1 || (force_csv < 0 && p->mode == MODE_CSV)) {
    r.csv = 1, r.col_sep = ',', r.row_sep = '\n';
  } else if (force_csv == 0 || p->mode == MODE_ASCII) {
    r.col_sep = 0x1f, r.row_sep = 0x1e;
  } else {
    r.csv = 1;
    r.col_sep = (unsigned char)p->col_sep[0];
    r.row_sep = (unsigned char)p->row_sep[0];
    if (strlen(p->col_sep) != 1 || strlen(p->row_sep) != 1) {
      fprintf(stderr, "Error: multi-character column or row separators are not allowed for import\n");
      return 1;
    }
  }
  r.in = fopen(file, "rb");
  if (!r.in) {
    fprintf(stderr, "Error: cannot open \"%s\"\n", file);
    return 1;
  }
  for (int s = 0; s < skip; s++) {
    while (read_field(&r) && r.term == r.col_sep) {
    }
  }
  /* Does the table exist?  How many columns? */
  char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
  sqlite3_stmt *st = NULL;
  int ncol = -1;
  if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) == SQLITE_OK) ncol = sqlite3_column_count(st);
  sqlite3_finalize(st);
  sqlite3_free(sql);
  if (ncol < 0) { /* create it from the header row */
    sqlite3_str *s = sqlite3_str_new(p->db);
    sqlite3_str_appendf(s, "CREATE TABLE \"%w\"", table);
    char sep = '(';
    ncol = 0;
    char *f;
    while ((f = read_field(&r)) != NULL) {
      sqlite3_str_appendf(s, "%c\n  \"%w\" TEXT", sep, f);
      sep = ',';
      ncol++;
      if (r.term != r.col_sep) break;
    }
    if (ncol == 0) {
      sqlite3_free(sqlite3_str_finish(s));
      fprintf(stderr, "%s: empty file\n", file);
      fclose(r.in);
      free(r.field);
      return 1;
    }
    sqlite3_str_appendall(s, "\n)");
    char *create = sqlite3_str_finish(s);
    char *err = NULL;
    int rc = sqlite3_exec(p->db, create, NULL, NULL, &err);
    sqlite3_free(create);
    if (rc != SQLITE_OK) {
      fprintf(stderr, "CREATE TABLE \"%s\"(...) failed: %s\n", table, err ? err : "");
      sqlite3_free(err);
      fclose(r.in);
      free(r.field);
      return 1;
    }
  }
  sqlite3_str *s = sqlite3_str_new(p->db);
  sqlite3_str_appendf(s, "INSERT INTO \"%w\" VALUES(?", table);
  for (int i = 1; i < ncol; i++) sqlite3_str_appendall(s, ",?");
  sqlite3_str_appendall(s, ")");
  char *ins = sqlite3_str_finish(s);
  int rc = sqlite3_prepare_v2(p->db, ins, -1, &st, NULL);
  sqlite3_free(ins);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    fclose(r.in);
    free(r.field);
    return 1;
  }
  int need_commit = sqlite3_get_autocommit(p->db);
  if (need_commit) sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL);
  int errors = 0;
  long long rows = 0;
  for (;;) {
    int start_line = r.line, i = 0;
    char *f = read_field(&r);
    if (f == NULL) break;
    for (;;) {
      if (i < ncol) sqlite3_bind_text(st, i + 1, f, -1, SQLITE_TRANSIENT);
      i++;
      if (r.term != r.col_sep) break;
      f = read_field(&r);
      if (f == NULL) break;
    }
    if (i == 1 && r.field[0] == 0 && ncol > 1) continue; /* blank line */
    if (i < ncol) {
      fprintf(stderr, "%s:%d: expected %d columns but found %d - filling the rest with NULL\n",
              file, start_line, ncol, i);
      for (; i < ncol; i++) sqlite3_bind_null(st, i + 1);
    } else if (i > ncol) {
      fprintf(stderr, "%s:%d: expected %d columns but found %d - extras ignored\n", file,
              start_line, ncol, i);
    }
    sqlite3_step(st);
    if (sqlite3_reset(st) != SQLITE_OK) {
      fprintf(stderr, "%s:%d: INSERT failed: %s\n", file, start_line, sqlite3_errmsg(p->db));
      errors++;
    }
    rows++;
    if (p->interactive && rows % 100000 == 0) fprintf(stderr, "\r... %lld rows", rows);
  }
  if (p->interactive && rows >= 100000) fprintf(stderr, "\r... %lld rows imported\n", rows);
  sqlite3_finalize(st);
  if (need_commit) sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
  fclose(r.in);
  free(r.field);
  return errors ? 1 : 0;
}
