/*
** parser_oracle.h — run one SQL statement through the sqlite3 CLI (a
** separate process; a test binary cannot link libsqlite3 next to our
** engine) and return the error message it prints, or "" if none.
** Included by tests/unit/parser_*.c.
*/
#ifndef PARSER_ORACLE_H
#define PARSER_ORACLE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int oracle_available(void) { return access("/usr/bin/sqlite3", X_OK) == 0; }

/* Returns a malloc'd message ("" when the statement succeeded).  The
** statement is written to a temporary file and fed on stdin, so the CLI
** prints "Parse error near line 1: MSG" for prepare-time errors. */
static char *oracle_error(const char *schema, const char *sql) {
  char path[] = "/tmp/shale_parser_oracle_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return strdup("");
  FILE *f = fdopen(fd, "w");
  if (schema && *schema) fprintf(f, "%s\n", schema);
  fprintf(f, "%s\n;\n", sql);
  fclose(f);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "/usr/bin/sqlite3 :memory: < %s 2>&1", path);
  FILE *p = popen(cmd, "r");
  char *out = NULL;
  size_t n = 0, cap = 0;
  if (p) {
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) {
      if (n + k + 1 > cap) {
        cap = (n + k + 1) * 2;
        out = realloc(out, cap);
      }
      memcpy(out + n, buf, k);
      n += k;
    }
    pclose(p);
  }
  unlink(path);
  if (out == NULL) return strdup("");
  out[n] = 0;
  const char *key = "error near line ";
  char *s = strstr(out, key);
  char *msg;
  if (s && (s = strstr(s, ": ")) != NULL) {
    s += 2;
    char *e = strchr(s, '\n');
    msg = strndup(s, e ? (size_t)(e - s) : strlen(s));
  } else {
    msg = strdup("");
  }
  free(out);
  return msg;
}

/* Messages that only the parse stage produces. */
static int is_syntax_class(const char *m) {
  return strncmp(m, "near \"", 6) == 0 || strcmp(m, "incomplete input") == 0 ||
         strncmp(m, "unrecognized token", 18) == 0;
}
#endif
