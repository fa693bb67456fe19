/*
** runner.c — a sqllogictest runner written against the SQLite C API.
**
** Built twice: linked with libshale (the engine under test) and linked with
** the system libsqlite3 (the oracle: `-complete` regenerates the expected
** results of our own test files from sqlite3, and running the corpus through
** the oracle build proves the files themselves are right).
**
** Usage: slt-runner [-vfs NAME] [-memory] [-v] [-complete] [-known LIST] FILE...
**   -vfs NAME   open the database with that VFS (e.g. "pending")
**   -memory     use an in-memory database instead of a temporary file
**   -complete   print the file with every query's expected results replaced
**               by this engine's results (use with the sqlite3 build)
**   -known LIST records listed as "sqltest <key>" in LIST (tests/known-failures.txt)
**               that fail are counted as known failures, not as passes
** Record format: ../shared/tests/slt/README.md.  Extension used by our own
** files: `statement error <text>` requires <text> in the error message.
** Prints "<file>: N passed, M failed, K skipped" per file and a total line.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "md5.h"
#include "sqlite3.h"

typedef struct Buf {
  char *z;
  size_t n, cap;
} Buf;

static void buf_add(Buf *b, const char *z, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->z = realloc(b->z, b->cap);
    if (!b->z) abort();
  }
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}

typedef struct Opts {
  const char *vfs;
  int memory, verbose, complete;
  char **known; /* "slt/FILE:LINE" keys of records expected to fail */
  int n_known;
} Opts;

typedef struct Counts {
  int passed, failed, skipped, known;
} Counts;

/* The key of a record in tests/known-failures.txt: its path from the last
** "tests/" on ("slt/select1.test:12", "sql/func_core.test:40"), a colon and
** the line of its head. */
static int is_known_failure(const Opts *o, const char *path, int line) {
  const char *p = path, *q;
  while ((q = strstr(p, "tests/")) != NULL) p = q + 6;
  char key[600];
  snprintf(key, sizeof key, "%s:%d", p, line);
  for (int i = 0; i < o->n_known; i++)
    if (strcmp(o->known[i], key) == 0) return 1;
  return 0;
}

static void load_known(Opts *o, const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char key[600];
    if (sscanf(line, "sqltest %599s", key) != 1) continue;
    o->known = realloc(o->known, sizeof(char *) * (size_t)(o->n_known + 1));
    o->known[o->n_known++] = strdup(key);
  }
  fclose(f);
}

/* Split a file into lines (CRLF tolerated). Returns the array of lines. */
static char **read_lines(const char *path, int *n_out, char **text_out) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  Buf all = {0};
  char tmp[65536];
  size_t got;
  while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&all, tmp, got);
  fclose(f);
  if (!all.z) buf_add(&all, "", 0);
  int n = 0, cap = 1024;
  char **lines = malloc(sizeof(char *) * (size_t)cap);
  char *p = all.z;
  while (*p) {
    char *e = strchr(p, '\n');
    if (e) *e = 0;
    size_t len = strlen(p);
    if (len && p[len - 1] == '\r') p[len - 1] = 0;
    if (n == cap) lines = realloc(lines, sizeof(char *) * (size_t)(cap *= 2));
    lines[n++] = p;
    if (!e) break;
    p = e + 1;
  }
  *n_out = n;
  *text_out = all.z; /* the lines point into it; the caller frees both */
  return lines;
}

static int is_blank(const char *z) {
  while (*z && isspace((unsigned char)*z)) z++;
  return *z == 0;
}

/* "%.3f", but with at most 16 significant digits, correctly rounded, as the
** corpus's expected results were produced (e.g. -2^63 prints as
** -9223372036854776000.000).  Done here with libc, independent of the
** engine under test. */
static void format_real(double v, char *out, size_t n) {
  double a = v < 0 ? -v : v;
  if (!(a >= 1e16) || a > 1e300) {
    snprintf(out, n, "%.3f", v);
    return;
  }
  char e[40];
  snprintf(e, sizeof e, "%.15e", a); /* d.ddddddddddddddde+XX */
  int exp10 = atoi(strchr(e, 'e') + 1);
  char digits[20];
  int nd = 0;
  for (const char *p = e; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') digits[nd++] = *p;
  size_t k = 0;
  if (v < 0) out[k++] = '-';
  for (int d = 0; d <= exp10 && k + 5 < n; d++) out[k++] = d < nd ? digits[d] : '0';
  snprintf(out + k, n - k, ".000");
}

/* Format one value the way sqllogictest's SQLite driver does. */
static void format_value(sqlite3_stmt *st, int i, char type, Buf *out) {
  char tmp[64];
  if (sqlite3_column_type(st, i) == SQLITE_NULL) {
    buf_add(out, "NULL", 4);
    return;
  }
  switch (type) {
    case 'I':
      snprintf(tmp, sizeof tmp, "%d", sqlite3_column_int(st, i));
      buf_add(out, tmp, strlen(tmp));
      break;
    case 'R':
      format_real(sqlite3_column_double(st, i), tmp, sizeof tmp);
      buf_add(out, tmp, strlen(tmp));
      break;
    default: {
      const unsigned char *z = sqlite3_column_text(st, i);
      if (!z || !z[0]) {
        buf_add(out, "(empty)", 7);
        break;
      }
      for (; *z; z++) {
        char c = (*z < ' ' || *z > '~') ? '@' : (char)*z;
        buf_add(out, &c, 1);
      }
    }
  }
}

/* Execute every statement in sql. Returns SQLITE_OK or an error code with
** *err set (malloc'd). */
static int exec_all(sqlite3 *db, const char *sql, char **err) {
  const char *tail = sql;
  while (tail && *tail) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
    if (rc != SQLITE_OK) {
      *err = strdup(sqlite3_errmsg(db));
      return rc;
    }
    if (!st) continue;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      *err = strdup(sqlite3_errmsg(db));
      sqlite3_finalize(st);
      return rc;
    }
    sqlite3_finalize(st);
  }
  return SQLITE_OK;
}

typedef struct Values {
  char **v;
  int n, cap;
} Values;

static void values_add(Values *vs, char *z) {
  if (vs->n == vs->cap) {
    vs->cap = vs->cap ? vs->cap * 2 : 64;
    vs->v = realloc(vs->v, sizeof(char *) * (size_t)vs->cap);
  }
  vs->v[vs->n++] = z;
}

static int n_col_sort;
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}
static int cmp_row(const void *a, const void *b) {
  char *const *x = a, *const *y = b;
  for (int i = 0; i < n_col_sort; i++) {
    int c = strcmp(x[i], y[i]);
    if (c) return c;
  }
  return 0;
}

/* Run a query; fills vals (flattened) and *ncol. Returns 0 or an error. */
static int run_query(sqlite3 *db, const char *sql, const char *types, Values *vals,
                     int *ncol, char **err) {
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
  if (rc != SQLITE_OK || !st) {
    *err = strdup(rc ? sqlite3_errmsg(db) : "no statement");
    return rc ? rc : SQLITE_ERROR;
  }
  *ncol = sqlite3_column_count(st);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int i = 0; i < *ncol; i++) {
      Buf b = {0};
      char t = i < (int)strlen(types) ? types[i] : 'T';
      format_value(st, i, t, &b);
      if (!b.z) buf_add(&b, "", 0);
      values_add(vals, b.z);
    }
  }
  if (rc != SQLITE_DONE) {
    *err = strdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
  }
  sqlite3_finalize(st);
  return SQLITE_OK;
}

static void hash_values(const Values *vs, char out[80]) {
  Md5 m;
  char hex[33];
  md5_init(&m);
  for (int i = 0; i < vs->n; i++) {
    md5_update(&m, vs->v[i], strlen(vs->v[i]));
    md5_update(&m, "\n", 1);
  }
  md5_final_hex(&m, hex);
  snprintf(out, 80, "%d values hashing to %s", vs->n, hex);
}

static int open_db(const Opts *o, const char *path, sqlite3 **db) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  return sqlite3_open_v2(path, db, flags, o->vfs);
}

static void remove_db_files(const char *path) {
  static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
  char name[512];
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
    unlink(name);
  }
}

static Counts run_file(const Opts *o, const char *path) {
  Counts c = {0, 0, 0, 0};
  int n_lines;
  char *text = NULL;
  char **L = read_lines(path, &n_lines, &text);
  if (!L) {
    fprintf(stderr, "%s: cannot read\n", path);
    c.failed = 1;
    return c;
  }
  char dbpath[512];
  if (o->memory) snprintf(dbpath, sizeof dbpath, ":memory:");
  else snprintf(dbpath, sizeof dbpath, "/tmp/slt-%d.db", (int)getpid());
  if (!o->memory) remove_db_files(dbpath);
  sqlite3 *db = NULL;
  if (open_db(o, dbpath, &db) != SQLITE_OK) {
    fprintf(stderr, "%s: cannot open database: %s\n", path, db ? sqlite3_errmsg(db) : "?");
    c.failed = 1;
    return c;
  }
  int hash_threshold = 0;
  int i = 0;
  while (i < n_lines) {
    if (is_blank(L[i]) || L[i][0] == '#') {
      if (o->complete) printf("%s\n", L[i]);
      i++;
      continue;
    }
    int start = i, skip = 0;
    /* Conditions. */
    while (i < n_lines && (!strncmp(L[i], "skipif ", 7) || !strncmp(L[i], "onlyif ", 7))) {
      char eng[64] = {0};
      sscanf(L[i] + 7, "%63s", eng);
      int is_sqlite = strcmp(eng, "sqlite") == 0;
      if (L[i][0] == 's' ? is_sqlite : !is_sqlite) skip = 1;
      i++;
    }
    if (i >= n_lines) break;
    char *head = L[i];
    int line_no = i + 1;
    /* -complete rewrites a statement's head from the engine's verdict
    ** ("statement ok" / "statement error <message>"), so it is printed, with
    ** the SQL, after running it. */
    int defer = o->complete && !skip && !strncmp(head, "statement", 9);
    if (o->complete)
      for (int k = start; k <= (defer ? i - 1 : i); k++) printf("%s\n", L[k]);
    i++;
    if (!strncmp(head, "halt", 4)) {
      if (!skip) break;
      continue;
    }
    if (!strncmp(head, "hash-threshold", 14)) {
      hash_threshold = atoi(head + 14);
      continue;
    }
    /* SQL text: until blank line or "----". */
    Buf sql = {0};
    while (i < n_lines && !is_blank(L[i]) && strcmp(L[i], "----") != 0) {
      buf_add(&sql, L[i], strlen(L[i]));
      buf_add(&sql, "\n", 1);
      if (o->complete && !defer) printf("%s\n", L[i]);
      i++;
    }
    if (!sql.z) buf_add(&sql, "", 0);
    /* Expected results. */
    Values expect = {0};
    int has_sep = 0;
    if (i < n_lines && strcmp(L[i], "----") == 0) {
      has_sep = 1;
      i++;
      while (i < n_lines && !is_blank(L[i])) values_add(&expect, L[i++]);
    }
    if (!strncmp(head, "statement", 9)) {
      if (skip) {
        c.skipped++;
        free(sql.z);
        free(expect.v);
        continue;
      }
      int want_error = strncmp(head + 10, "error", 5) == 0;
      const char *want_text = want_error ? head + 15 : NULL;
      while (want_text && *want_text == ' ') want_text++;
      char *err = NULL;
      int rc = exec_all(db, sql.z, &err);
      if (defer) {
        if (rc == SQLITE_OK) printf("statement ok\n%s", sql.z);
        else printf("statement error %s\n%s", err ? err : "", sql.z);
      }
      int ok = want_error ? rc != SQLITE_OK : rc == SQLITE_OK;
      if (ok && want_error && want_text && *want_text && (!err || !strstr(err, want_text))) ok = 0;
      if (!ok && is_known_failure(o, path, line_no)) c.known++;
      else if (ok) c.passed++;
      else {
        c.failed++;
        if (c.failed <= 10)
          fprintf(stderr, "%s:%d: statement %s: %s\n  %s\n", path, line_no,
                  want_error ? "should have failed" : "failed", err ? err : "", sql.z);
      }
      free(err);
    } else if (!strncmp(head, "query", 5)) {
      char types[64] = {0}, sort[32] = {0}, label[128] = {0};
      sscanf(head + 5, "%63s %31s %127s", types, sort, label);
      if (skip) {
        c.skipped++;
        if (o->complete && has_sep) {
          printf("----\n");
          for (int k = 0; k < expect.n; k++) printf("%s\n", expect.v[k]);
        }
        free(sql.z);
        free(expect.v);
        continue;
      }
      Values got = {0};
      int ncol = 0;
      char *err = NULL;
      int rc = run_query(db, sql.z, types, &got, &ncol, &err);
      if (rc == SQLITE_OK && ncol > 0 && got.n > 0) {
        if (!strcmp(sort, "rowsort") && got.n % ncol == 0) {
          n_col_sort = ncol;
          qsort(got.v, (size_t)(got.n / ncol), sizeof(char *) * (size_t)ncol, cmp_row);
        } else if (!strcmp(sort, "valuesort")) {
          qsort(got.v, (size_t)got.n, sizeof(char *), cmp_str);
        }
      }
      char hash[80];
      hash_values(&got, hash);
      int use_hash = hash_threshold > 0 && got.n > hash_threshold;
      if (o->complete) {
        printf("----\n");
        if (use_hash) printf("%s\n", hash);
        else
          for (int k = 0; k < got.n; k++) printf("%s\n", got.v[k]);
      }
      /* A query that raises an error matches an empty expected result (the
      ** corpus records e.g. sum() overflow this way). */
      int ok = rc == SQLITE_OK || (has_sep && expect.n == 0 && got.n == 0);
      if (rc == SQLITE_OK && (int)strlen(types) != ncol) ok = 0;
      if (ok && has_sep) {
        if (expect.n == 1 && strstr(expect.v[0], " values hashing to ")) {
          ok = strcmp(expect.v[0], hash) == 0;
        } else if (expect.n != got.n) {
          ok = 0;
        } else {
          for (int k = 0; k < got.n && ok; k++) ok = strcmp(expect.v[k], got.v[k]) == 0;
        }
      }
      if (!ok && is_known_failure(o, path, line_no)) c.known++;
      else if (ok) c.passed++;
      else {
        c.failed++;
        if (c.failed <= 10) {
          fprintf(stderr, "%s:%d: query failed%s%s\n  %s", path, line_no, err ? ": " : "",
                  err ? err : "", sql.z);
          if (rc == SQLITE_OK) {
            fprintf(stderr, "  expected %d values, got %d (%d columns, types %s)", expect.n,
                    got.n, ncol, types);
            for (int k = 0; k < got.n && k < 8; k++)
              fprintf(stderr, "%s %s", k ? "," : ":", got.v[k]);
            fputc('\n', stderr);
          }
        }
      }
      for (int k = 0; k < got.n; k++) free(got.v[k]);
      free(got.v);
      free(err);
    } else {
      fprintf(stderr, "%s:%d: unknown record: %s\n", path, line_no, head);
      c.failed++;
    }
    free(sql.z);
    free(expect.v);
    /* (blank separator lines are echoed from the file itself) */
  }
  sqlite3_close(db);
  if (!o->memory) remove_db_files(dbpath);
  free(L);
  free(text);
  return c;
}

int main(int argc, char **argv) {
  Opts o = {0};
  Counts total = {0, 0, 0, 0};
  int files_failed = 0, files = 0;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "-vfs") && a + 1 < argc) o.vfs = argv[++a];
    else if (!strcmp(argv[a], "-memory")) o.memory = 1;
    else if (!strcmp(argv[a], "-v")) o.verbose = 1;
    else if (!strcmp(argv[a], "-complete")) o.complete = 1;
    else if (!strcmp(argv[a], "-known") && a + 1 < argc) load_known(&o, argv[++a]);
    else {
      Counts c = run_file(&o, argv[a]);
      files++;
      if (c.failed) files_failed++;
      if (!o.complete || o.verbose)
        fprintf(o.complete ? stderr : stdout, "%s%s%s: %d passed, %d failed, %d skipped%s\n",
                argv[a], o.vfs ? " vfs=" : "", o.vfs ? o.vfs : "", c.passed, c.failed,
                c.skipped, c.known ? " (+ known failures)" : "");
      total.passed += c.passed, total.failed += c.failed, total.skipped += c.skipped;
      total.known += c.known;
      fflush(stdout); /* a sanitizer may _exit() at the end: keep the counts */
    }
  }
  if (!o.complete)
    printf("records: %d passed, %d failed, %d skipped, %d known failures (%d of %d files failed)\n",
           total.passed, total.failed, total.skipped, total.known, files_failed, files);
  for (int i = 0; i < o.n_known; i++) free(o.known[i]);
  free(o.known);
  fflush(stdout);
  return total.failed ? 1 : 0;
}
