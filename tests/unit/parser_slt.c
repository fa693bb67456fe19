/*
** parser_slt.c — parse every SQL statement of the sqllogictest corpus
** (/work/shared/tests/slt, or $SLT_DIR).  `statement ok` and `query`
** records must parse; `statement error` records are classified with the
** sqlite3 CLI: if sqlite3's error is a parse-stage one, our parser must fail
** with the same message, otherwise it must accept the statement.
** Every parsed statement is also deep-copied and freed (ast_dup_stmt).
*/
#include <dirent.h>
#include <sys/stat.h>
#include "testlib.h"
#include "parser_dump.h"
#include "parser_oracle.h"

static int n_files, n_ok, n_err_checked, n_skipped;

static void parse_all(const char *sql, const char *where, int must_pass) {
  const char *z = sql;
  int guard = 0;
  while (*z && guard++ < 100) {
    ParseResult r;
    int rc = sql_parse(z, -1, &r);
    if (rc != SQLITE_OK) {
      if (must_pass) {
        testlib_fail(__FILE__, __LINE__, "%s: parse failed: %s\n  SQL: %s", where, r.err, z);
      }
      parse_result_clear(&r);
      return;
    }
    if (r.stmt) {
      n_ok++;
      Stmt *c = ast_dup_stmt(r.stmt);
      char *a = dump_stmt(r.stmt), *b = dump_stmt(c);
      if (strcmp(a, b) != 0) testlib_fail(__FILE__, __LINE__, "%s: dup differs", where);
      else testlib_passed++;
      free(a);
      free(b);
      ast_free_stmt(c);
    }
    const char *tail = r.tail;
    parse_result_clear(&r);
    if (tail == NULL || tail == z) break;
    z = tail;
  }
}

static void check_error_stmt(const char *sql, const char *where) {
  ParseResult r;
  int rc = sql_parse(sql, -1, &r);
  if (!oracle_available()) {
    parse_result_clear(&r);
    return;
  }
  char *m = oracle_error(NULL, sql);
  n_err_checked++;
  if (rc != SQLITE_OK) {
    if (strcmp(m, r.err) != 0)
      testlib_fail(__FILE__, __LINE__, "%s: error differs: ours \"%s\" sqlite3 \"%s\"\n  SQL: %s",
                   where, r.err, m, sql);
    else testlib_passed++;
  } else {
    if (is_syntax_class(m))
      testlib_fail(__FILE__, __LINE__, "%s: we accept, sqlite3 says \"%s\"\n  SQL: %s", where, m, sql);
    else testlib_passed++;
  }
  free(m);
  parse_result_clear(&r);
}

static void run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  buf[n] = 0;
  fclose(f);
  n_files++;
  /* split into lines (CRLF tolerant) */
  char **lines = NULL;
  int nl = 0, cap = 0;
  for (char *s = buf; *s;) {
    char *e = strchr(s, '\n');
    if (e) *e = 0;
    size_t len = strlen(s);
    if (len && s[len - 1] == '\r') s[len - 1] = 0;
    if (nl == cap) {
      cap = cap ? cap * 2 : 1024;
      lines = realloc(lines, sizeof(char *) * (size_t)cap);
    }
    lines[nl++] = s;
    if (!e) break;
    s = e + 1;
  }
  int skip = 0;
  for (int i = 0; i < nl; i++) {
    char *l = lines[i];
    if (l[0] == 0) { skip = 0; continue; }
    if (strncmp(l, "skipif", 6) == 0) {
      if (strstr(l, "sqlite")) skip = 1;
      continue;
    }
    if (strncmp(l, "onlyif", 6) == 0) {
      if (!strstr(l, "sqlite")) skip = 1;
      continue;
    }
    int is_stmt = strncmp(l, "statement", 9) == 0;
    int is_query = strncmp(l, "query", 5) == 0;
    if (!is_stmt && !is_query) continue;
    int is_error = is_stmt && strstr(l, "error") != NULL;
    int line_no = i + 1;
    /* collect SQL */
    size_t total = 0;
    int j = i + 1;
    while (j < nl && lines[j][0] && strcmp(lines[j], "----") != 0) total += strlen(lines[j++]) + 1;
    char *sql = malloc(total + 1);
    sql[0] = 0;
    for (int k = i + 1; k < j; k++) {
      strcat(sql, lines[k]);
      strcat(sql, "\n");
    }
    /* skip the rest of the record */
    while (j < nl && lines[j][0]) j++;
    char where[1200];
    snprintf(where, sizeof where, "%s:%d", path, line_no);
    if (skip) n_skipped++;
    else if (is_error) check_error_stmt(sql, where);
    else parse_all(sql, where, 1);
    free(sql);
    i = j;
    skip = 0;
  }
  free(lines);
  free(buf);
}

static void walk(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char **names = NULL;
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    names = realloc(names, sizeof(char *) * (size_t)(n + 1));
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  for (int i = 0; i < n; i++) {
    char path[512];
    if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) { free(names[i]); continue; }
    struct stat st;
    if (stat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode)) walk(path);
      else if (strstr(names[i], ".test")) run_file(path);
    }
    free(names[i]);
  }
  free(names);
}

int main(void) {
  const char *dir = getenv("SLT_DIR");
  if (!dir) dir = access("../shared/tests/slt", R_OK) == 0 ? "../shared/tests/slt" : "/work/shared/tests/slt";
  walk(dir);
  printf("parser_slt: %d files, %d statements parsed, %d error records checked against sqlite3, %d skipped\n",
         n_files, n_ok, n_err_checked, n_skipped);
  CHECK(n_files > 0);
  return testlib_finish("parser_slt");
}
