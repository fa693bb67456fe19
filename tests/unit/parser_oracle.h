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

static inline int oracle_available(void) { return access("/usr/bin/sqlite3", X_OK) == 0; }

/* Returns a malloc'd message ("" when the statement succeeded).  The
** statement is written to a temporary file and fed on stdin, so the CLI
** prints "Parse error near line 1: MSG" for prepare-time errors. */
static inline char *oracle_error(const char *schema, const char *sql) {
  char path[] = "/tmp/shale_parser_oracle_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return strdup("");
  FILE *f = fdopen(fd, "w");
  if (schema && *schema) fprintf(f, "%s\n", schema);
  fprintf(f, "%s\n", sql);
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

/* Run n statements (each already complete for sqlite3_complete) through
** one sqlite3 process; msgs[i] receives a malloc'd message ("" if none). */
static inline void oracle_batch(const char *schema, const char *const *sqls, int n, char **msgs) {
  char path[] = "/tmp/shale_parser_oracle_XXXXXX";
  int fd = mkstemp(path);
  int *start = calloc((size_t)n + 1, sizeof(int));
  for (int i = 0; i < n; i++) msgs[i] = NULL;
  if (fd < 0) return;
  FILE *f = fdopen(fd, "w");
  int line = 1;
  if (schema && *schema) {
    fprintf(f, "%s\n", schema);
    line++;
  }
  for (int i = 0; i < n; i++) {
    start[i] = line;
    fprintf(f, "%s\n", sqls[i]);
    line++;
    for (const char *c = sqls[i]; *c; c++) line += *c == '\n';
  }
  fclose(f);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "/usr/bin/sqlite3 :memory: < %s 2>&1", path);
  FILE *p = popen(cmd, "r");
  char buf[8192];
  while (p && fgets(buf, sizeof buf, p)) {
    const char *key = "error near line ";
    char *k = strstr(buf, key);
    if (!k) continue;
    int ln = atoi(k + strlen(key));
    char *m = strstr(k, ": ");
    if (!m) continue;
    m += 2;
    m[strcspn(m, "\n")] = 0;
    for (int i = 0; i < n; i++)
      if (start[i] == ln && msgs[i] == NULL) msgs[i] = strdup(m);
  }
  if (p) pclose(p);
  unlink(path);
  for (int i = 0; i < n; i++)
    if (msgs[i] == NULL) msgs[i] = strdup("");
  free(start);
}

/* Messages that only the parse stage produces. */
static inline int is_syntax_class(const char *m) {
  return strncmp(m, "near \"", 6) == 0 || strcmp(m, "incomplete input") == 0 ||
         strncmp(m, "unrecognized token", 18) == 0;
}
#endif
