/*
** func_json.c — randomized differential test of the JSON functions: random
** documents (valid, and mutated into malformed ones), random paths and
** edits, each call compared through quote() with the sqlite3 CLI (3.40.1)
** in one script / one CLI run.  Seed with FUNC_JSON_SEED.
*/
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

#define NDOC 300
#define NCALL 8
static char docs[NDOC][512];
static unsigned long long rng = 0xDEADBEEFCAFEF00DULL;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

static int gen(char *o, int depth) {
  static const char *const atoms[] = {"1", "-2", "0", "3.25", "1e3", "-0.5E-2", "true", "false", "null",
                                      "\"s\"", "\"\"", "\"a\\\"b\"", "\"\\u00e9t\\u00e9\"", "\"x\\ny\"",
                                      "9223372036854775807", "18446744073709551616", "\"\\ud83d\\ude00\""};
  static const char *const keys[] = {"a", "b", "c", "a b", "d"};
  int k = 0;
  unsigned t = depth > 3 ? 0 : rnd(4);
  if (t <= 1) return sprintf(o, "%s", atoms[rnd(17)]);
  if (t == 2) {
    int n = (int)rnd(4);
    o[k++] = '[';
    for (int i = 0; i < n; i++) {
      if (i) o[k++] = rnd(3) ? ',' : ' ', o[k - 1] == ' ' ? (o[k++] = ',') : 0;
      k += gen(o + k, depth + 1);
    }
    o[k++] = ']';
    o[k] = 0;
    return k;
  }
  int n = (int)rnd(4);
  o[k++] = '{';
  for (int i = 0; i < n; i++) {
    if (i) o[k++] = ',';
    k += sprintf(o + k, "\"%s\"%s:", keys[rnd(5)], rnd(4) ? "" : " ");
    k += gen(o + k, depth + 1);
  }
  o[k++] = '}';
  o[k] = 0;
  return k;
}

typedef struct Call {
  const char *name;
  int argc;
  char args[4][600];
  char *ours;
} Call;
static Call calls[NDOC * NCALL];

static void sqlq(char *out, const char *in) { /* SQL string literal */
  int k = 0;
  out[k++] = '\'';
  for (; *in; in++) {
    out[k++] = *in;
    if (*in == '\'') out[k++] = '\'';
  }
  out[k++] = '\'';
  out[k] = 0;
}

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  if (getenv("FUNC_JSON_SEED")) rng = strtoull(getenv("FUNC_JSON_SEED"), NULL, 10) | 1;
  static const char *const paths[] = {"$", "$.a", "$.b", "$.\"a b\"", "$[0]", "$[1]", "$[#]", "$[#-1]",
                                      "$.a[0]", "$.a.b", "$[0].a", "$.c[#-2]", "$.d.a", "$[2][0]",
                                      "$x", "a", "$[", "$.", "$[0", "$.a[1].c"};
  static const char *const vals[] = {"1", "'txt'", "NULL", "2.5", "'[1]'"};
  static const char *const fns[] = {"json", "json_valid", "json_type", "json_extract", "json_set",
                                    "json_insert", "json_replace", "json_remove", "json_array_length",
                                    "json_patch", "->", "->>"};
  int nc = 0;
  for (int d = 0; d < NDOC; d++) {
    gen(docs[d], 0);
    if (rnd(5) == 0) { /* mutate */
      int n = (int)strlen(docs[d]);
      int pos = (int)rnd((unsigned)n + 1);
      if (rnd(2) && n > 0) memmove(docs[d] + pos, docs[d] + pos + 1, (size_t)(n - pos));
      else {
        memmove(docs[d] + pos + 1, docs[d] + pos, (size_t)(n - pos + 1));
        docs[d][pos] = "{}[],:\"\\ 0e-"[rnd(13)];
      }
    }
    for (int c = 0; c < NCALL; c++) {
      Call *x = &calls[nc++];
      x->name = fns[rnd(12)];
      sqlq(x->args[0], docs[d]);
      const char *path = paths[rnd(20)];
      x->argc = 2;
      if (!strcmp(x->name, "json") || !strcmp(x->name, "json_valid")) x->argc = 1;
      if (!strcmp(x->name, "->") || !strcmp(x->name, "->>")) {
        static const char *const ab[] = {"'a'", "0", "1", "'$.a'", "'[0]'", "'a.b'", "'$'"};
        strcpy(x->args[1], ab[rnd(7)]);
        continue;
      }
      sqlq(x->args[1], path);
      if (!strcmp(x->name, "json_patch")) {
        char other[512];
        gen(other, 1);
        sqlq(x->args[1], other);
      }
      if (!strcmp(x->name, "json_set") || !strcmp(x->name, "json_insert") ||
          !strcmp(x->name, "json_replace")) {
        x->argc = 3;
        strcpy(x->args[2], vals[rnd(5)]);
      }
      if (!strcmp(x->name, "json_type") && rnd(3) == 0) x->argc = 1;
    }
  }
  for (int i = 0; i < nc; i++) {
    const char *lits[4] = {calls[i].args[0], calls[i].args[1], calls[i].args[2], calls[i].args[3]};
    calls[i].ours = mock_call(calls[i].name, calls[i].argc, lits);
  }
  char path[] = "/tmp/shale_json_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < nc; i++) {
    Call *x = &calls[i];
    if (x->name[0] == '-') {
      fprintf(f, "SELECT '#%d';\nSELECT quote(%s %s %s);\n", i, x->args[0], x->name, x->args[1]);
      continue;
    }
    fprintf(f, "SELECT '#%d';\nSELECT quote(%s(", i, x->name);
    for (int k = 0; k < x->argc; k++) fprintf(f, "%s%s", k ? "," : "", x->args[k]);
    fprintf(f, "));\n");
  }
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  static char *got[NDOC * NCALL];
  static char line[8192];
  int cur = -1, seen = 0;
  while (p && fgets(line, sizeof line, p)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (line[0] == '#' && line[1] >= '0' && line[1] <= '9') {
      cur = atoi(line + 1);
      seen++;
      continue;
    }
    if (cur >= 0 && cur < nc) {
      if (got[cur]) { /* a value spanning lines (embedded newline) */
        char *z = malloc(strlen(got[cur]) + n + 2);
        sprintf(z, "%s\n%s", got[cur], line);
        free(got[cur]);
        got[cur] = z;
      } else {
        got[cur] = strdup(line);
      }
    }
  }
  if (p) pclose(p);
  unlink(path);
  int shown = 0;
  if (seen < nc) {
    printf("func_json: sqlite3 CLI missing? (%d markers)\n", seen);
  } else {
    for (int i = 0; i < nc; i++) {
      int ok = got[i] ? strcmp(got[i], calls[i].ours) == 0 : strncmp(calls[i].ours, "ERROR", 5) == 0;
      if (ok) testlib_passed++;
      else if (shown++ < 20)
        testlib_fail(__FILE__, __LINE__, "%s(%s, %s, %s): ours %s sqlite3 %s", calls[i].name,
                     calls[i].args[0], calls[i].args[1], calls[i].argc > 2 ? calls[i].args[2] : "",
                     calls[i].ours, got[i] ? got[i] : "(error)");
      else testlib_failed++;
    }
  }
  for (int i = 0; i < nc; i++) {
    free(calls[i].ours);
    free(got[i]);
  }
  return testlib_finish("func_json");
}
