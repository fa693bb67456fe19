/*
** func_random.c — randomized differential test of built-in functions: a few
** thousand calls with generated arguments (substr, instr, replace, trim,
** round, quote of random reals, char/unicode, soundex, printf, and the date
** functions over random julian days and modifiers), each compared with the
** sqlite3 CLI (3.40.1) through quote() — one script, one CLI run.
** Arguments are chosen so the mock API's simplified conversions agree with
** SQLite's (numeric parameters get numbers, text parameters text).
*/
#include <math.h>
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

#define NCASE 6000
typedef struct RCase {
  char name[24];
  int argc;
  char args[4][64];
  char *ours;
} RCase;
static RCase rc[NCASE];

/* Aggregates over generated rows. */
#define NAGG 400
#define NROWS 8
typedef struct ACase {
  char name[24];
  int nrow;
  char rows[NROWS][48];
  const char *extra;
  char *ours;
} ACase;
static ACase ac[NAGG];

static unsigned long long rng = 0x1234567887654321ULL;
static unsigned long long r64(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static int rnd(int n) { return (int)(r64() % (unsigned long long)n); }

static void rand_text(char *out, int maxlen) {
  static const char *const pieces[] = {"a", "b", "A", " ", "x", "é", "€", "''", "%", "_", "1", "."};
  int n = rnd(maxlen + 1), k = 1;
  out[0] = '\'';
  for (int i = 0; i < n; i++) {
    const char *p = pieces[rnd(12)];
    size_t l = strlen(p);
    memcpy(out + k, p, l);
    k += (int)l;
  }
  out[k++] = '\'';
  out[k] = 0;
}
static void rand_int(char *out, int lo, int hi) { sprintf(out, "%d", lo + rnd(hi - lo + 1)); }
static void rand_real(char *out) {
  double d;
  switch (rnd(4)) {
    case 0: {
      unsigned long long b = r64();
      memcpy(&d, &b, 8);
      if (d != d || isinf(d)) d = 1.5;
      break;
    }
    case 1: d = (double)(rnd(2000000) - 1000000) / 1000.0; break;
    case 2: d = (double)rnd(100000) / 8.0 + 0.005 * rnd(3); break;
    default: d = ldexp((double)(r64() >> 11), rnd(200) - 150); break;
  }
  /* 17 digits: the mock parses literals with shale_atof_sqlite, like sqlite3. */
  sprintf(out, "%.17g", d);
  if (!strpbrk(out, ".e")) strcat(out, ".0");
}

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  if (getenv("FUNC_RANDOM_SEED")) rng = strtoull(getenv("FUNC_RANDOM_SEED"), NULL, 10) | 1;
  static const char *const mods[] = {"'+1 day'", "'-3 days'", "'+1.5 days'", "'+7 hours'",
                                     "'-90 minutes'", "'+45 seconds'", "'+1 month'", "'-13 months'",
                                     "'+2 years'", "'-1.5 years'", "'start of month'",
                                     "'start of year'", "'start of day'", "'weekday 0'",
                                     "'weekday 4'", "'+12:30'", "'-01:00:30'", "'+0.75 months'"};
  static const char *const sfmt[] = {"'%Y-%m-%d %H:%M:%f'", "'%j %W %w'", "'%s %J'", "'%d/%m %S'"};
  static const char *const pfmt[] = {"'%d'", "'%5.2f'", "'%e'", "'%g'", "'%.3s|'", "'%x'", "'%-8s|'",
                                     "'%q'", "'%Q'", "'%c'", "'%+.1e'", "'%!.15g'", "'%,d'", "'%08.3f'"};
  for (int i = 0; i < NCASE; i++) {
    RCase *c = &rc[i];
    char a[64], b[64], d[64];
    switch (rnd(18)) {
      case 0:
        strcpy(c->name, rnd(2) ? "substr" : "substring");
        rand_text(a, 6);
        c->argc = rnd(2) ? 3 : 2;
        strcpy(c->args[0], rnd(5) == 0 ? "X'0102030405'" : a);
        rand_int(c->args[1], -8, 8);
        rand_int(c->args[2], -8, 8);
        break;
      case 1:
        strcpy(c->name, "instr");
        c->argc = 2;
        rand_text(c->args[0], 6);
        rand_text(c->args[1], 2);
        break;
      case 2:
        strcpy(c->name, "replace");
        c->argc = 3;
        rand_text(c->args[0], 8);
        rand_text(c->args[1], 2);
        rand_text(c->args[2], 3);
        break;
      case 3: {
        static const char *const tn[] = {"trim", "ltrim", "rtrim"};
        strcpy(c->name, tn[rnd(3)]);
        c->argc = rnd(3) ? 2 : 1;
        rand_text(c->args[0], 6);
        rand_text(c->args[1], 2);
        break;
      }
      case 4:
        strcpy(c->name, "round");
        c->argc = rnd(3) ? 2 : 1;
        rand_real(c->args[0]);
        rand_int(c->args[1], -2, 20);
        break;
      case 5:
      case 6:
        strcpy(c->name, "quote");
        c->argc = 1;
        rand_real(c->args[0]);
        break;
      case 7:
        strcpy(c->name, "char");
        c->argc = 3;
        rand_int(c->args[0], 14, 0x2000); /* no newline: one output line per case */
        rand_int(c->args[1], 32, 127);
        sprintf(c->args[2], "%d", rnd(0x110000));
        break;
      case 8:
        strcpy(c->name, rnd(2) ? "unicode" : "length");
        c->argc = 1;
        rand_text(c->args[0], 4);
        break;
      case 9:
        strcpy(c->name, rnd(2) ? "soundex" : "upper");
        c->argc = 1;
        rand_text(c->args[0], 8);
        break;
      case 10:
        strcpy(c->name, "printf");
        c->argc = 2;
        strcpy(c->args[0], pfmt[rnd(14)]);
        if (rnd(2)) rand_real(c->args[1]);
        else if (rnd(2)) rand_int(c->args[1], -100000, 100000);
        else rand_text(c->args[1], 4);
        if (strstr(c->args[0], "%c") && c->args[1][0] == '\'' && c->args[1][1] == '\'')
          strcpy(c->args[1], "'z'");
        break;
      case 11:
      case 12: {
        static const char *const dn[] = {"date", "time", "datetime", "julianday", "unixepoch"};
        strcpy(c->name, dn[rnd(5)]);
        sprintf(a, "%.6f", (double)rnd(5373484) + (double)rnd(1000000) / 1000000.0);
        strcpy(c->args[0], a);
        c->argc = 1 + rnd(3);
        strcpy(c->args[1], mods[rnd(18)]);
        strcpy(c->args[2], mods[rnd(18)]);
        break;
      }
      case 13: {
        strcpy(c->name, "strftime");
        c->argc = 2 + rnd(2);
        strcpy(c->args[0], sfmt[rnd(4)]);
        sprintf(b, "'%04d-%02d-%02d %02d:%02d:%02d.%03d'", rnd(10000), 1 + rnd(12), 1 + rnd(31),
                rnd(24), rnd(60), rnd(60), rnd(1000));
        strcpy(c->args[1], b);
        strcpy(c->args[2], mods[rnd(18)]);
        break;
      }
      case 15: {
        /* random time strings, valid and not */
        static const char *const dn[] = {"datetime", "julianday", "time", "date", "unixepoch"};
        strcpy(c->name, dn[rnd(5)]);
        c->argc = 1;
        char t[60];
        int k = 0;
        t[k++] = '\'';
        if (rnd(8) == 0) t[k++] = ' ';
        if (rnd(4)) {
          if (rnd(10) == 0) t[k++] = '-';
          k += sprintf(t + k, rnd(8) ? "%04d-%02d-%02d" : "%d-%d-%d", rnd(10000), rnd(14), rnd(33));
          if (rnd(3)) t[k++] = rnd(4) ? ' ' : 'T';
        }
        if (rnd(3)) {
          k += sprintf(t + k, rnd(8) ? "%02d:%02d" : "%d:%d", rnd(26), rnd(62));
          if (rnd(2)) k += sprintf(t + k, ":%02d", rnd(62));
          if (rnd(2)) k += sprintf(t + k, ".%0*d", 1 + rnd(5), rnd(10000));
          int z = rnd(6);
          if (z == 0) t[k++] = 'Z';
          else if (z == 1) k += sprintf(t + k, "%s%c%02d:%02d", rnd(2) ? " " : "", rnd(2) ? '+' : '-', rnd(16), rnd(61));
        }
        if (rnd(8) == 0) t[k++] = ' ';
        if (rnd(15) == 0) t[k++] = 'x';
        t[k++] = '\'';
        t[k] = 0;
        strcpy(c->args[0], t);
        break;
      }
      case 14:
        strcpy(c->name, "datetime");
        c->argc = 2;
        sprintf(d, "%d", rnd(2000000000) - 1000000000);
        strcpy(c->args[0], d);
        strcpy(c->args[1], rnd(2) ? "'unixepoch'" : "'auto'");
        break;
      case 16: {
        /* random printf formats */
        static const char alpha[] = "%%%%-+ #0!,*.123456789lldiufeEgGxXoscqQwzrnT";
        strcpy(c->name, "printf");
        c->argc = 4;
        char t[40];
        int k = 0, n = 1 + rnd(12);
        t[k++] = '\'';
        for (int q = 0; q < n; q++) t[k++] = alpha[rnd(sizeof(alpha) - 1)];
        t[k++] = '\'';
        t[k] = 0;
        strcpy(c->args[0], t);
        for (int q = 1; q < 4; q++) {
          int w = rnd(4);
          if (w == 0) rand_int(c->args[q], -20, 20);
          else if (w == 1) rand_real(c->args[q]);
          else if (w == 2) rand_text(c->args[q], 3);
          else strcpy(c->args[q], "NULL");
        }
        break;
      }
      case 17:
      default:
        strcpy(c->name, rnd(2) ? "abs" : "sign");
        c->argc = 1;
        if (rnd(2)) rand_real(c->args[0]);
        else rand_int(c->args[0], -1000, 1000);
        break;
    }
    const char *lits[4] = {c->args[0], c->args[1], c->args[2], c->args[3]};
    c->ours = mock_call(c->name, c->argc, lits);
  }
  static const char *const aggs[] = {"sum", "total", "avg", "count", "min", "max", "group_concat"};
  for (int i = 0; i < NAGG; i++) {
    ACase *a = &ac[i];
    strcpy(a->name, aggs[rnd(7)]);
    int numeric_only = !strcmp(a->name, "sum") || !strcmp(a->name, "total") || !strcmp(a->name, "avg");
    a->nrow = rnd(NROWS + 1);
    for (int r = 0; r < a->nrow; r++) {
      int k = rnd(numeric_only ? 4 : 6);
      if (k == 0) strcpy(a->rows[r], "NULL");
      else if (k == 1) sprintf(a->rows[r], "%d", rnd(2000) - 1000);
      else if (k == 2) rand_real(a->rows[r]);
      else if (k == 3) strcpy(a->rows[r], rnd(4) ? "9223372036854775807" : "-9223372036854775808");
      else if (k == 4) rand_text(a->rows[r], 3);
      else strcpy(a->rows[r], rnd(2) ? "X'00'" : "X'ff01'");
    }
    a->extra = !strcmp(a->name, "group_concat") && rnd(2) ? "'; '" : NULL;
    const char *rows[NROWS];
    for (int r = 0; r < a->nrow; r++) rows[r] = a->rows[r];
    a->ours = mock_agg(a->name, a->nrow, rows, a->extra);
  }
  char path[] = "/tmp/shale_frand_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < NCASE; i++) {
    fprintf(f, "SELECT '#%d';\nSELECT quote(%s(", i, rc[i].name);
    for (int k = 0; k < rc[i].argc; k++) fprintf(f, "%s%s", k ? "," : "", rc[i].args[k]);
    fprintf(f, "));\n");
  }
  for (int i = 0; i < NAGG; i++) {
    ACase *a = &ac[i];
    fprintf(f, "SELECT '#%d';\nSELECT quote(%s(x%s%s)) FROM (SELECT NULL AS x WHERE 0", NCASE + i,
            a->name, a->extra ? ", " : "", a->extra ? a->extra : "");
    for (int r = 0; r < a->nrow; r++) fprintf(f, " UNION ALL SELECT %s", a->rows[r]);
    fprintf(f, ");\n");
  }
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  static char *vals[NCASE + NAGG];
  static char line[1 << 17];
  int cur = -1, seen = 0;
  while (p && fgets(line, sizeof line, p)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (line[0] == '#' && line[1] >= '0' && line[1] <= '9') {
      cur = atoi(line + 1);
      seen++;
      continue;
    }
    if (cur >= 0 && cur < NCASE + NAGG && !vals[cur]) vals[cur] = strdup(line);
  }
  if (p) pclose(p);
  unlink(path);
  int shown = 0;
  if (seen < NCASE + NAGG) {
    printf("func_random: sqlite3 CLI missing? (%d markers)\n", seen);
  } else {
    for (int i = 0; i < NCASE; i++) {
      int ok = vals[i] ? strcmp(vals[i], rc[i].ours) == 0 : strncmp(rc[i].ours, "ERROR", 5) == 0;
      if (ok) testlib_passed++;
      else if (shown++ < 25)
        testlib_fail(__FILE__, __LINE__, "%s(%s, %s, %s) argc %d: ours %s sqlite3 %s", rc[i].name,
                     rc[i].args[0], rc[i].args[1], rc[i].args[2], rc[i].argc, rc[i].ours,
                     vals[i] ? vals[i] : "(error)");
      else testlib_failed++;
    }
    for (int i = 0; i < NAGG; i++) {
      char *v = vals[NCASE + i];
      int ok = v ? strcmp(v, ac[i].ours) == 0 : strncmp(ac[i].ours, "ERROR", 5) == 0;
      if (ok) testlib_passed++;
      else if (shown++ < 25) {
        char rows[512] = "";
        for (int r = 0; r < ac[i].nrow; r++) {
          strcat(rows, ac[i].rows[r]);
          strcat(rows, " ");
        }
        testlib_fail(__FILE__, __LINE__, "%s over [%s]: ours %s sqlite3 %s", ac[i].name, rows,
                     ac[i].ours, v ? v : "(error)");
      } else testlib_failed++;
    }
  }
  for (int i = 0; i < NCASE; i++) {
    free(rc[i].ours);
    free(vals[i]);
  }
  for (int i = 0; i < NAGG; i++) {
    free(ac[i].ours);
    free(vals[NCASE + i]);
  }
  return testlib_finish("func_random");
}
