/*
** util_printf.c — the printf engine against the oracle.
**
** Most expectations come from the sqlite3 CLI (3.40.1) at test time: the test
** writes one SQL script of `SELECT printf(fmt, value);` lines, runs
**   sqlite3 :memory: < script
** once, and compares line by line with sqlite3_mprintf(fmt, value).  A few
** expectations are baked in (produced by the same command) so the test still
** checks something when sqlite3 is missing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/util/printf.h"

typedef struct Case {
  char fmt[40];
  int kind; /* 0 double, 1 int64, 2 text, 3 numeric literal (shale_atof_sqlite) */
  double d;
  long long i;
  char t[40];
  char *ours;
} Case;

static Case cases[8000];
static int ncase;

static void add_d(const char *fmt, double d) {
  Case *c = &cases[ncase++];
  snprintf(c->fmt, sizeof(c->fmt), "%s", fmt);
  c->kind = 0;
  c->d = d;
}
static void add_i(const char *fmt, long long i) {
  Case *c = &cases[ncase++];
  snprintf(c->fmt, sizeof(c->fmt), "%s", fmt);
  c->kind = 1;
  c->i = i;
}
static void add_t(const char *fmt, const char *t) {
  Case *c = &cases[ncase++];
  snprintf(c->fmt, sizeof(c->fmt), "%s", fmt);
  c->kind = 2;
  snprintf(c->t, sizeof(c->t), "%s", t);
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void run_oracle(void) {
  char path[] = "/tmp/shale_printf_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return;
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < ncase; i++) {
    Case *c = &cases[i];
    /* '|' delimits so trailing spaces are visible; hex() guards odd bytes. */
    if (c->kind == 0) {
      if (c->d != c->d) fprintf(f, "SELECT '|' || printf('%s', 0.0) || '|';\n", c->fmt);
      else fprintf(f, "SELECT '|' || printf('%s', %.17g) || '|';\n", c->fmt, c->d);
    } else if (c->kind == 3) {
      fprintf(f, "SELECT '|' || printf('%s', %s) || '|';\n", c->fmt, c->t);
    } else if (c->kind == 1) {
      fprintf(f, "SELECT '|' || printf('%s', %lld) || '|';\n", c->fmt, c->i);
    } else {
      fprintf(f, "SELECT '|' || printf('%s', '%s') || '|';\n", c->fmt, c->t);
    }
  }
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof(cmd), "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  if (p == NULL) {
    unlink(path);
    return;
  }
  char line[4096];
  int i = 0, shown = 0;
  while (fgets(line, sizeof(line), p) && i < ncase) {
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    char ours[4200];
    snprintf(ours, sizeof(ours), "|%s|", cases[i].ours ? cases[i].ours : "");
    /* An empty line is SQL NULL: printf() whose format stops at an unknown
    ** conversion before any output; sqlite3_mprintf gives "" there. */
    if (strcmp(ours, line) == 0 || (line[0] == 0 && strcmp(ours, "||") == 0)) {
      testlib_passed++;
    } else {
      if (shown++ < 30)
        testlib_fail(__FILE__, __LINE__, "fmt %s value(%.17g|%lld|%s): ours %s sqlite3 %s",
                     cases[i].fmt, cases[i].d, cases[i].i, cases[i].t, ours, line);
      else
        testlib_failed++;
    }
    i++;
  }
  pclose(p);
  unlink(path);
  if (i != ncase) printf("util_printf: sqlite3 CLI answered %d of %d cases (missing?)\n", i, ncase);
}

int main(void) {
  /* Baked-in expectations (from sqlite3 3.40.1 CLI:
  **   sqlite3 :memory: "SELECT printf('%.20f',0.1), CAST(1e20 AS TEXT), ...") */
  char buf[100];
  shale_format_double(1.0, buf, sizeof(buf));
  CHECK_STR(buf, "1.0");
  shale_format_double(1e20, buf, sizeof(buf));
  CHECK_STR(buf, "1.0e+20");
  shale_format_double(0.1, buf, sizeof(buf));
  CHECK_STR(buf, "0.1");
  shale_format_double(-0.0, buf, sizeof(buf));
  CHECK_STR(buf, "0.0");
  shale_format_double(0.1 + 0.2, buf, sizeof(buf));
  CHECK_STR(buf, "0.3");
  shale_format_double(1e15, buf, sizeof(buf));
  CHECK_STR(buf, "1.0e+15");
  shale_format_double(123456789012345678.0, buf, sizeof(buf));
  CHECK_STR(buf, "1.23456789012346e+17");
  shale_format_double(1.0 / 0.0, buf, sizeof(buf));
  CHECK_STR(buf, "Inf");
  shale_format_double(-1.0 / 0.0, buf, sizeof(buf));
  CHECK_STR(buf, "-Inf");
  char *z = sqlite3_mprintf("%.20f", 0.1);
  CHECK_STR(z, "0.10000000000000000000");
  sqlite3_free(z);
  z = sqlite3_mprintf("%q|%Q|%s|%w", (char *)0, (char *)0, (char *)0, (char *)0);
  CHECK_STR(z, "(NULL)|NULL||(NULL)");
  sqlite3_free(z);
  z = sqlite3_mprintf("%Q %q %w", "it's", "it's", "a\"b");
  CHECK_STR(z, "'it''s' it''s a\"\"b");
  sqlite3_free(z);
  z = sqlite3_mprintf("%,d|%5.2c|%!.3s|%lld|%r|%z", 1234567, 'x', "\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1",
                      -9223372036854775807LL - 1, 22, sqlite3_mprintf("dyn"));
  CHECK_STR(z, "1,234,567|   xx|\xc3\xb1\xc3\xb1\xc3\xb1|-9223372036854775808|22nd|dyn");
  sqlite3_free(z);
  snprintf(buf, sizeof(buf), "untouched");
  sqlite3_snprintf(5, buf, "%s", "abcdefgh");
  CHECK_STR(buf, "abcd");
  z = sqlite3_mprintf("");
  CHECK(z != NULL && z[0] == 0);
  sqlite3_free(z);
  sqlite3_str *s = sqlite3_str_new(NULL);
  CHECK(sqlite3_str_value(s) == NULL);
  sqlite3_str_appendf(s, "%d-%s", 42, "x");
  sqlite3_str_appendchar(s, 3, '.');
  sqlite3_str_appendall(s, "end");
  CHECK_INT(sqlite3_str_length(s), 10);
  CHECK_STR(sqlite3_str_value(s), "42-x...end");
  CHECK_INT(sqlite3_str_errcode(s), SQLITE_OK);
  z = sqlite3_str_finish(s);
  CHECK_STR(z, "42-x...end");
  sqlite3_free(z);
  s = sqlite3_str_new(NULL);
  CHECK(sqlite3_str_finish(s) == NULL);
  double dv;
  CHECK_INT(shale_atof_sqlite("12", &dv, 2), 1);
  CHECK_INT(shale_atof_sqlite(" 1.5 ", &dv, 5), 2);
  CHECK(dv == 1.5);
  CHECK_INT(shale_atof_sqlite("1e5", &dv, 3), 2);
  CHECK_INT(shale_atof_sqlite("1.5e5", &dv, 5), 3);
  CHECK_INT(shale_atof_sqlite("1.5x", &dv, 4), -1);
  CHECK_INT(shale_atof_sqlite("abc", &dv, 3), 0);
  CHECK_INT(shale_atof_sqlite("1e", &dv, 2), 0);
  shale_atof_sqlite("5.7343167482792519e-294", &dv, 23); /* sqlite3 3.40 is 1 ulp above strtod here */
  z = sqlite3_mprintf("%!.20e", dv);
  CHECK_STR(z, "5.73431674827925259158e-294");
  sqlite3_free(z);

  /* Differential cases against the CLI. */
  static const char *const dfmt[] = {
      "%!.15g", "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.20f", "%e",
      "%.3e", "%E", "%g", "%.3g", "%G", "%10.3f", "%-12.4e|", "%+f", "% f",
      "%012.3f", "%#g", "%!g", "%!.20e", "%!.30f", "%,.2f", "%#.0f", "%.15g",
      "%.17g", "%08.2e", "%!f", "%g%%"};
  static const double dvals[] = {
      0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, 0.15, 0.25, 0.35, 1.005, 9.995,
      99.95, 123.456, -123.456, 1e-5, 1e-10, 1.2345e-7, 3.14159265358979,
      2.718281828459045, 1e15, 1e16, 1e17, 9.999999999999999e22, 1e100, 1e300,
      1.7976931348623157e308, 4.9e-324, 2.2250738585072014e-308, 12345678.9,
      0.999999999, 0.9999999999999999, 123456789012345678.0, 1.0 / 3.0,
      2.0 / 3.0, 100.0, 1e21, 5e-324, 0.000123, 1e-300};
  for (size_t i = 0; i < sizeof(dfmt) / sizeof(dfmt[0]); i++)
    for (size_t j = 0; j < sizeof(dvals) / sizeof(dvals[0]); j++) add_d(dfmt[i], dvals[j]);
  /* Random doubles of every magnitude. */
  for (int k = 0; k < 1500; k++) {
    double d;
    unsigned long long r = next_rand();
    if (k % 3 == 0) {
      memcpy(&d, &r, sizeof(d));
      if (d != d || d - d != 0) continue; /* skip NaN / Inf */
    } else {
      d = (double)(r % 100000000ULL) / (double)(1 + next_rand() % 100000ULL);
      if (k % 2) d = -d * 1e-3;
    }
    add_d("%!.15g", d);
    add_d(k % 2 ? "%.6f" : "%.12e", d);
    if (k % 5 == 0) add_d("%!.20e", d);
  }
  static const char *const ifmt[] = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%x",
                                     "%X", "%#x", "%o", "%#o", "%u", "%,d", "%.3d", "%,r", "%,x", "%,u", "%,o",
                                     "%r", "%10r", "%c", "%lld", "%08,d", "%+.2d"};
  static const long long ivals[] = {0, 1, -1, 7, 11, 12, 13, 21, 22, 23, 101, 111, 112,
                                    1000, -1000, 123456789, -987654321,
                                    9223372036854775807LL, -9223372036854775807LL - 1};
  for (size_t i = 0; i < sizeof(ifmt) / sizeof(ifmt[0]); i++)
    for (size_t j = 0; j < sizeof(ivals) / sizeof(ivals[0]); j++) {
      if (ifmt[i][1] == 'c') continue;
      add_i(ifmt[i], ivals[j]);
    }
  static const char *const sfmt[] = {"%s", "%10s|", "%-10s|", "%.2s", "%!.2s", "%q",
                                     "%Q", "%w", "%c", "%5c", "%.3c", "%!10s|", "%.2q"};
  static const char *const svals[] = {"", "a", "hello", "it''s", "\xc3\xa9t\xc3\xa9",
                                      "\xe2\x82\xac uro", "x\"y"};
  for (size_t i = 0; i < sizeof(sfmt) / sizeof(sfmt[0]); i++)
    for (size_t j = 0; j < sizeof(svals) / sizeof(svals[0]); j++) {
      if (sfmt[i][strlen(sfmt[i]) - 1] == 'c' && svals[j][0] == 0) continue;
      add_t(sfmt[i], svals[j]);
    }

  /* Numeric literals: sqlite3 parses them with its own AtoF; shale_atof_sqlite
  ** must give the same double (printed with 20 digits to tell ulps apart). */
  for (int k = 0; k < 1200; k++) {
    Case *c = &cases[ncase++];
    snprintf(c->fmt, sizeof(c->fmt), "%%!.20e");
    c->kind = 3;
    char lit[40];
    int o = 0, nd = 1 + (int)(next_rand() % 22), dot = (int)(next_rand() % (unsigned)(nd + 2));
    for (int j = 0; j < nd; j++) {
      if (j == dot && j > 0) lit[o++] = '.';
      lit[o++] = (char)('0' + next_rand() % 10);
    }
    if (next_rand() % 3) o += snprintf(lit + o, sizeof(lit) - (size_t)o, "e%d", (int)(next_rand() % 660) - 330);
    lit[o] = 0;
    snprintf(c->t, sizeof(c->t), "%s", lit);
  }
  for (int i = 0; i < ncase; i++) {
    Case *c = &cases[i];
    if (c->kind == 3) {
      double d;
      shale_atof_sqlite(c->t, &d, (int)strlen(c->t));
      c->ours = sqlite3_mprintf(c->fmt, d);
      continue;
    }
    if (c->kind == 0) {
      c->ours = sqlite3_mprintf(c->fmt, c->d);
    } else if (c->kind == 1) {
      /* The SQL function passes every integer as 64 bits. */
      char f2[60];
      const char *p = c->fmt;
      int o = 0;
      for (; *p; p++) {
        if (strchr("dxXoucr", *p) && p[-1] != 'l') {
          f2[o++] = 'l';
          f2[o++] = 'l';
        }
        f2[o++] = *p;
      }
      f2[o] = 0;
      c->ours = sqlite3_mprintf(f2, c->i);
    } else {
      /* SQL text: '' in the SQL literal is one quote. */
      char t[40];
      int o = 0;
      for (const char *p = c->t; *p; p++) {
        t[o++] = *p;
        if (*p == '\'' && p[1] == '\'') p++;
      }
      t[o] = 0;
      snprintf(c->t, sizeof(c->t), "%s", t);
      if (strchr(c->fmt, 'c')) {
        /* %c of a text takes its first character: emulate with the C form. */
        unsigned cp = (unsigned char)t[0];
        if (cp >= 0xc0) {
          int n = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : 1;
          cp &= (0x3fu >> n);
          for (int k = 1; k <= n; k++) cp = (cp << 6) | ((unsigned char)t[k] & 0x3f);
        }
        c->ours = sqlite3_mprintf(c->fmt, cp);
      } else {
        c->ours = sqlite3_mprintf(c->fmt, t);
      }
      /* restore SQL form for the script */
      o = 0;
      char back[40];
      for (const char *p = t; *p && o < 38; p++) {
        back[o++] = *p;
        if (*p == '\'') back[o++] = '\'';
      }
      back[o] = 0;
      snprintf(c->t, sizeof(c->t), "%s", back);
    }
  }
  run_oracle();
  for (int i = 0; i < ncase; i++) sqlite3_free(cases[i].ours);
  return testlib_finish("util_printf");
}
