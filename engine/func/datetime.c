/*
** datetime.c — date(), time(), datetime(), julianday(), unixepoch(),
** strftime() and CURRENT_* (lang_datefunc.html), with SQLite 3.40's exact
** algorithm: the instant is kept as a julian day number in milliseconds
** (iJD), civil fields are derived from it and back with SQLite's formulas.
** 'now' is the statement time from func_context_now_ms() (Unix ms).
*/
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include "func_int.h"
#include "../util/printf.h"

#define UNIX_EPOCH_JD_MS 210866760000000LL

typedef struct DateTime {
  i64 iJD;       /* julian day number times 86400000 */
  int Y, M, D;   /* year, month, day */
  int h, m;      /* hour, minute */
  int tz;        /* timezone offset in minutes */
  double s;      /* seconds */
  char validJD;
  char rawS;     /* raw numeric value stored in s */
  char validYMD;
  char validHMS;
  char validTZ;
  char tzSet;
  char isError;
} DateTime;

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* getDigits: zFormat is groups of 4 chars: digit count, minimum, maximum
** code (a=12 b=14 c=24 d=31 e=59 f=14712), separator (0 = last). */
static int get_digits(const char *z, const char *fmt, int *out[]) {
  static const u16 mx[] = {12, 14, 24, 31, 59, 14712};
  int cnt = 0;
  char next;
  do {
    int N = fmt[0] - '0';
    int min = fmt[1] - '0';
    int max = mx[fmt[2] - 'a'];
    next = fmt[3];
    int val = 0;
    while (N--) {
      if (!is_digit((u8)*z)) return cnt;
      val = val * 10 + *z - '0';
      z++;
    }
    if (val < min || val > max || (next != 0 && next != *z)) return cnt;
    *out[cnt] = val;
    z++;
    cnt++;
    fmt += 4;
  } while (next);
  return cnt;
}

static void datetime_error(DateTime *p) {
  memset(p, 0, sizeof(*p));
  p->isError = 1;
}

static int valid_jd(i64 j) { return j >= 0 && j <= 464269060799999LL; }

static void compute_jd(DateTime *p) {
  int Y, M, D, A, B, X1, X2;
  if (p->validJD) return;
  if (p->validYMD) {
    Y = p->Y;
    M = p->M;
    D = p->D;
  } else {
    Y = 2000;
    M = 1;
    D = 1;
  }
  if (Y < -4713 || Y > 9999 || p->rawS) {
    datetime_error(p);
    return;
  }
  if (M <= 2) {
    Y--;
    M += 12;
  }
  A = Y / 100;
  B = 2 - A + (A / 4);
  X1 = 36525 * (Y + 4716) / 100;
  X2 = 306001 * (M + 1) / 10000;
  p->iJD = (i64)((X1 + X2 + D + B - 1524.5) * 86400000);
  p->validJD = 1;
  if (p->validHMS) {
    p->iJD += p->h * 3600000 + p->m * 60000 + (i64)(p->s * 1000 + 0.5);
    if (p->validTZ) {
      p->iJD -= p->tz * 60000;
      p->validYMD = 0;
      p->validHMS = 0;
      p->validTZ = 0;
    }
  }
}

static int parse_timezone(const char *z, DateTime *p) {
  int sgn = 0, nhr, nmn;
  while (is_space((u8)*z)) z++;
  p->tz = 0;
  int c = *z;
  if (c == '-') {
    sgn = -1;
  } else if (c == '+') {
    sgn = +1;
  } else if (c == 'Z' || c == 'z') {
    z++;
    goto zulu;
  } else {
    return c != 0;
  }
  z++;
  {
    int *outs[2] = {&nhr, &nmn};
    if (get_digits(z, "20b:20e", outs) != 2) return 1;
  }
  z += 5;
  p->tz = sgn * (nmn + nhr * 60);
zulu:
  while (is_space((u8)*z)) z++;
  p->tzSet = 1;
  return *z != 0;
}

static int parse_hhmmss(const char *z, DateTime *p) {
  int h, m, s;
  double ms = 0.0;
  int *outs[2] = {&h, &m};
  if (get_digits(z, "20c:20e", outs) != 2) return 1;
  z += 5;
  if (*z == ':') {
    z++;
    int *o1[1] = {&s};
    if (get_digits(z, "20e", o1) != 1) return 1;
    z += 2;
    if (*z == '.' && is_digit((u8)z[1])) {
      double scale = 1.0;
      z++;
      while (is_digit((u8)*z)) {
        ms = ms * 10.0 + *z - '0';
        scale *= 10.0;
        z++;
      }
      ms /= scale;
    }
  } else {
    s = 0;
  }
  p->validJD = 0;
  p->rawS = 0;
  p->validHMS = 1;
  p->h = h;
  p->m = m;
  p->s = s + ms;
  if (parse_timezone(z, p)) return 1;
  p->validTZ = (p->tz != 0) ? 1 : 0;
  return 0;
}

static void compute_ymd(DateTime *p) {
  int Z, A, B, C, D, E, X1;
  if (p->validYMD) return;
  if (!p->validJD) {
    p->Y = 2000;
    p->M = 1;
    p->D = 1;
  } else if (!valid_jd(p->iJD)) {
    datetime_error(p);
    return;
  } else {
    Z = (int)((p->iJD + 43200000) / 86400000);
    A = (int)((Z - 1867216.25) / 36524.25);
    A = Z + 1 + A - (A / 4);
    B = A + 1524;
    C = (int)((B - 122.1) / 365.25);
    D = (36525 * (C & 32767)) / 100;
    E = (int)((B - D) / 30.6001);
    X1 = (int)(30.6001 * E);
    p->D = B - D - X1;
    p->M = E < 14 ? E - 1 : E - 13;
    p->Y = p->M > 2 ? C - 4716 : C - 4715;
  }
  p->validYMD = 1;
}

static void compute_hms(DateTime *p) {
  int s;
  if (p->validHMS) return;
  compute_jd(p);
  s = (int)((p->iJD + 43200000) % 86400000);
  p->s = s / 1000.0;
  s = (int)p->s;
  p->s -= s;
  p->h = s / 3600;
  s -= p->h * 3600;
  p->m = s / 60;
  p->s += s - p->m * 60;
  p->rawS = 0;
  p->validHMS = 1;
}

static void compute_ymd_hms(DateTime *p) {
  compute_ymd(p);
  compute_hms(p);
}

static void clear_ymd_hms_tz(DateTime *p) {
  p->validYMD = 0;
  p->validHMS = 0;
  p->validTZ = 0;
}

static int parse_yyyymmdd(const char *z, DateTime *p) {
  int Y, M, D, neg;
  if (z[0] == '-') {
    z++;
    neg = 1;
  } else {
    neg = 0;
  }
  int *outs[3] = {&Y, &M, &D};
  if (get_digits(z, "40f-21a-21d", outs) != 3) return 1;
  z += 10;
  while (is_space((u8)*z) || 'T' == *(const u8 *)z) z++;
  if (parse_hhmmss(z, p) == 0) {
    /* got the time */
  } else if (*z == 0) {
    p->validHMS = 0;
  } else {
    return 1;
  }
  p->validJD = 0;
  p->validYMD = 1;
  p->Y = neg ? -Y : Y;
  p->M = M;
  p->D = D;
  if (p->validTZ) compute_jd(p);
  return 0;
}

static int set_to_now(sqlite3_context *ctx, DateTime *p) {
  i64 now = func_context_now_ms(ctx);
  p->iJD = now + UNIX_EPOCH_JD_MS;
  if (p->iJD > 0) {
    p->validJD = 1;
    return 0;
  }
  return 1;
}

static void set_raw_number(DateTime *p, double r) {
  p->s = r;
  p->rawS = 1;
  if (r >= 0.0 && r < 5373484.5) {
    p->iJD = (i64)(r * 86400000.0 + 0.5);
    p->validJD = 1;
  }
}

/* SQLite's sqlite3AtoF(...) > 0: the first n bytes are one well-formed
** number (optional surrounding spaces).  *r receives the value. */
static int atof_pure(const char *z, int n, double *r) { return shale_atof_sqlite(z, r, n) > 0; }

static int parse_date_or_time(sqlite3_context *ctx, const char *z, DateTime *p) {
  double r;
  if (parse_yyyymmdd(z, p) == 0) return 0;
  if (parse_hhmmss(z, p) == 0) return 0;
  if (shale_stricmp(z, "now") == 0) return set_to_now(ctx, p);
  if (atof_pure(z, (int)strlen(z), &r)) {
    set_raw_number(p, r);
    return 0;
  }
  return 1;
}

/* Offset in ms between local time and UTC at instant p (UTC). */
static i64 localtime_offset(DateTime *p, sqlite3_context *ctx, int *rc) {
  DateTime x, y;
  time_t t;
  struct tm loc;
  int year_diff;
  memset(&loc, 0, sizeof(loc));
  x = *p;
  compute_ymd_hms(&x);
  if (x.Y < 1971 || x.Y >= 2038) {
    year_diff = (2000 + x.Y % 4) - x.Y;
    x.Y += year_diff;
    x.validJD = 0;
    compute_jd(&x);
    t = (time_t)(x.iJD / 1000 - 21086676 * (i64)10000);
  } else {
    year_diff = 0;
    t = (time_t)(x.iJD / 1000 - 21086676 * (i64)10000);
  }
  if (localtime_r(&t, &loc) == NULL) {
    sqlite3_result_error(ctx, "local time unavailable", -1);
    *rc = SQLITE_ERROR;
    return 0;
  }
  memset(&y, 0, sizeof(y));
  /* Both instants are in the mapped year: their difference is the offset. */
  y.Y = loc.tm_year + 1900;
  y.M = loc.tm_mon + 1;
  y.D = loc.tm_mday;
  y.h = loc.tm_hour;
  y.m = loc.tm_min;
  y.s = loc.tm_sec + (double)(x.iJD % 1000) * 0.001;
  y.validYMD = 1;
  y.validHMS = 1;
  compute_jd(&y);
  *rc = SQLITE_OK;
  return y.iJD - x.iJD;
}

static const struct {
  u8 n;
  char name[7];
  float limit;
  float xform;
} xform_types[] = {
    {6, "second", 4.6427e+14f, 1.0f},  {6, "minute", 7.7379e+12f, 60.0f},
    {4, "hour", 1.2897e+11f, 3600.0f}, {3, "day", 5373485.0f, 86400.0f},
    {5, "month", 176546.0f, 2592000.0f}, {4, "year", 14713.0f, 31536000.0f},
};

static int parse_modifier(sqlite3_context *ctx, const char *z, int n, DateTime *p, int idx) {
  int rc = 1;
  double r;
  switch (shale_upper_to_lower[(u8)z[0]]) {
    case 'a':
      if (shale_stricmp(z, "auto") == 0) {
        if (idx > 1) return 1;
        if (!p->rawS || p->validJD) {
          rc = 0;
          p->rawS = 0;
        } else if (p->s >= -21086676 * (i64)10000 && p->s <= (25340230 * (i64)10000) + 799) {
          r = p->s * 1000.0 + 210866760000000.0;
          clear_ymd_hms_tz(p);
          p->iJD = (i64)(r + 0.5);
          p->validJD = 1;
          p->rawS = 0;
          rc = 0;
        }
      }
      break;
    case 'j':
      if (shale_stricmp(z, "julianday") == 0) {
        if (idx > 1) return 1;
        if (p->validJD && p->rawS) {
          rc = 0;
          p->rawS = 0;
        }
      }
      break;
    case 'l':
      if (shale_stricmp(z, "localtime") == 0) {
        compute_jd(p);
        p->iJD += localtime_offset(p, ctx, &rc);
        clear_ymd_hms_tz(p);
      }
      break;
    case 'u':
      if (shale_stricmp(z, "unixepoch") == 0 && p->rawS) {
        if (idx > 1) return 1;
        r = p->s * 1000.0 + 210866760000000.0;
        if (r >= 0.0 && r < 464269060800000.0) {
          clear_ymd_hms_tz(p);
          p->iJD = (i64)(r + 0.5);
          p->validJD = 1;
          p->rawS = 0;
          rc = 0;
        }
      } else if (shale_stricmp(z, "utc") == 0) {
        if (p->tzSet == 0) {
          compute_jd(p);
          i64 c1 = localtime_offset(p, ctx, &rc);
          if (rc == SQLITE_OK) {
            p->iJD -= c1;
            clear_ymd_hms_tz(p);
            p->iJD += c1 - localtime_offset(p, ctx, &rc);
          }
          p->tzSet = 1;
        } else {
          rc = SQLITE_OK;
        }
      }
      break;
    case 'w':
      if (shale_strnicmp(z, "weekday ", 8) == 0 &&
          atof_pure(&z[8], (int)strlen(&z[8]), &r) && (n = (int)r) == r && n >= 0 &&
          r < 7) {
        compute_ymd_hms(p);
        p->validTZ = 0;
        p->validJD = 0;
        compute_jd(p);
        i64 Z = ((p->iJD + 129600000) / 86400000) % 7;
        if (Z > n) Z -= 7;
        p->iJD += (n - Z) * 86400000;
        clear_ymd_hms_tz(p);
        rc = 0;
      }
      break;
    case 's':
      if (shale_strnicmp(z, "start of ", 9) != 0) break;
      if (!p->validJD && !p->validYMD && !p->validHMS) break;
      z += 9;
      compute_ymd(p);
      p->validHMS = 1;
      p->h = p->m = 0;
      p->s = 0.0;
      p->rawS = 0;
      p->validTZ = 0;
      p->validJD = 0;
      if (shale_stricmp(z, "month") == 0) {
        p->D = 1;
        rc = 0;
      } else if (shale_stricmp(z, "year") == 0) {
        p->M = 1;
        p->D = 1;
        rc = 0;
      } else if (shale_stricmp(z, "day") == 0) {
        rc = 0;
      }
      break;
    case '+': case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
      double rounder;
      for (n = 1; z[n] && z[n] != ':' && !is_space((u8)z[n]); n++) {
      }
      if (!atof_pure(z, n, &r)) {
        rc = 1;
        break;
      }
      if (z[n] == ':') {
        const char *z2 = z;
        DateTime tx;
        if (!is_digit((u8)*z2)) z2++;
        memset(&tx, 0, sizeof(tx));
        if (parse_hhmmss(z2, &tx)) break;
        compute_jd(&tx);
        tx.iJD -= 43200000;
        i64 day = tx.iJD / 86400000;
        tx.iJD -= day * 86400000;
        if (z[0] == '-') tx.iJD = -tx.iJD;
        compute_jd(p);
        clear_ymd_hms_tz(p);
        p->iJD += tx.iJD;
        rc = 0;
        break;
      }
      z += n;
      while (is_space((u8)*z)) z++;
      n = (int)strlen(z);
      if (n > 10 || n < 3) break;
      if (shale_upper_to_lower[(u8)z[n - 1]] == 's') n--;
      compute_jd(p);
      rc = 1;
      rounder = r < 0 ? -0.5 : +0.5;
      for (int i = 0; i < (int)SHALE_ARRAY_SIZE(xform_types); i++) {
        if (xform_types[i].n == n && shale_strnicmp(xform_types[i].name, z, n) == 0 &&
            r > -(double)xform_types[i].limit && r < (double)xform_types[i].limit) {
          switch (i) {
            case 4: {
              compute_ymd_hms(p);
              p->M += (int)r;
              int x = p->M > 0 ? (p->M - 1) / 12 : (p->M - 12) / 12;
              p->Y += x;
              p->M -= x * 12;
              p->validJD = 0;
              r -= (int)r;
              break;
            }
            case 5: {
              int y = (int)r;
              compute_ymd_hms(p);
              p->Y += y;
              p->validJD = 0;
              r -= (int)r;
              break;
            }
          }
          compute_jd(p);
          p->iJD += (i64)(r * 1000.0 * (double)xform_types[i].xform + rounder);
          rc = 0;
          break;
        }
      }
      clear_ymd_hms_tz(p);
      break;
    }
    default: break;
  }
  return rc;
}

static int is_date(sqlite3_context *ctx, int argc, sqlite3_value **argv, DateTime *p) {
  memset(p, 0, sizeof(*p));
  if (argc == 0) return set_to_now(ctx, p);
  int t = sqlite3_value_type(argv[0]);
  if (t == SQLITE_FLOAT || t == SQLITE_INTEGER) {
    set_raw_number(p, sqlite3_value_double(argv[0]));
  } else {
    const char *z = (const char *)sqlite3_value_text(argv[0]);
    if (z == NULL || parse_date_or_time(ctx, z, p)) return 1;
  }
  for (int i = 1; i < argc; i++) {
    const char *z = (const char *)sqlite3_value_text(argv[i]);
    int n = sqlite3_value_bytes(argv[i]);
    if (z == NULL || parse_modifier(ctx, z, n, p, i)) return 1;
  }
  compute_jd(p);
  if (p->isError || !valid_jd(p->iJD)) return 1;
  return 0;
}

/* YYYY-MM-DD with a leading '-' for negative years (date(), datetime());
** returns the length written (NUL terminated). */
static int put_ymd(char *buf, const DateTime *x) {
  int Y = x->Y < 0 ? -x->Y : x->Y;
  int k = 0;
  if (x->Y < 0) buf[k++] = '-';
  buf[k++] = (char)('0' + (Y / 1000) % 10);
  buf[k++] = (char)('0' + (Y / 100) % 10);
  buf[k++] = (char)('0' + (Y / 10) % 10);
  buf[k++] = (char)('0' + Y % 10);
  buf[k++] = '-';
  buf[k++] = (char)('0' + x->M / 10);
  buf[k++] = (char)('0' + x->M % 10);
  buf[k++] = '-';
  buf[k++] = (char)('0' + x->D / 10);
  buf[k++] = (char)('0' + x->D % 10);
  buf[k] = 0;
  return k;
}

void fn_julianday(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (is_date(ctx, argc, argv, &x) == 0) {
    compute_jd(&x);
    sqlite3_result_double(ctx, x.iJD / 86400000.0);
  }
}

void fn_unixepoch(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (is_date(ctx, argc, argv, &x) == 0) {
    compute_jd(&x);
    sqlite3_result_int64(ctx, x.iJD / 1000 - 21086676 * (i64)10000);
  }
}

void fn_datetime(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (is_date(ctx, argc, argv, &x) == 0) {
    char buf[32];
    compute_ymd_hms(&x);
    int n = put_ymd(buf, &x);
    buf[n] = ' ';
    sqlite3_snprintf(sizeof(buf) - (size_t)n - 1, buf + n + 1, "%02d:%02d:%02d", x.h, x.m,
                     (int)x.s);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
  }
}

void fn_time(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (is_date(ctx, argc, argv, &x) == 0) {
    char buf[100];
    compute_hms(&x);
    sqlite3_snprintf(sizeof(buf), buf, "%02d:%02d:%02d", x.h, x.m, (int)x.s);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
  }
}

void fn_date(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (is_date(ctx, argc, argv, &x) == 0) {
    char buf[32];
    compute_ymd(&x);
    put_ymd(buf, &x);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
  }
}

/* strftime(FORMAT, TIMEVALUE, MODIFIER...): 3.40 supports %d %f %H %j %J
** %m %M %s %S %w %W %Y %%; any other conversion gives NULL. */
void fn_strftime(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  DateTime x;
  if (argc == 0) return;
  const char *fmt = (const char *)sqlite3_value_text(argv[0]);
  if (fmt == NULL || is_date(ctx, argc - 1, argv + 1, &x)) return;
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  compute_jd(&x);
  compute_ymd_hms(&x);
  size_t i, j;
  for (i = j = 0; fmt[i]; i++) {
    if (fmt[i] != '%') continue;
    if (j < i) sqlite3_str_append(&s, fmt + j, (int)(i - j));
    i++;
    j = i + 1;
    switch (fmt[i]) {
      case 'd': sqlite3_str_appendf(&s, "%02d", x.D); break;
      case 'f': {
        double sec = x.s;
        if (sec > 59.999) sec = 59.999;
        sqlite3_str_appendf(&s, "%06.3f", sec);
        break;
      }
      case 'H': sqlite3_str_appendf(&s, "%02d", x.h); break;
      case 'W':
      case 'j': {
        DateTime y = x;
        y.validJD = 0;
        y.M = 1;
        y.D = 1;
        compute_jd(&y);
        int nday = (int)((x.iJD - y.iJD + 43200000) / 86400000);
        if (fmt[i] == 'W') {
          int wd = (int)(((x.iJD + 43200000) / 86400000) % 7);
          sqlite3_str_appendf(&s, "%02d", (nday + 7 - wd) / 7);
        } else {
          sqlite3_str_appendf(&s, "%03d", nday + 1);
        }
        break;
      }
      case 'J': sqlite3_str_appendf(&s, "%.16g", x.iJD / 86400000.0); break;
      case 'm': sqlite3_str_appendf(&s, "%02d", x.M); break;
      case 'M': sqlite3_str_appendf(&s, "%02d", x.m); break;
      case 's':
        sqlite3_str_appendf(&s, "%lld", (long long)(x.iJD / 1000 - 21086676 * (i64)10000));
        break;
      case 'S': sqlite3_str_appendf(&s, "%02d", (int)x.s); break;
      case 'w':
        sqlite3_str_appendchar(&s, 1, (char)((((x.iJD + 129600000) / 86400000) % 7) + '0'));
        break;
      case 'Y': sqlite3_str_appendf(&s, "%04d", x.Y); break;
      case '%': sqlite3_str_appendchar(&s, 1, '%'); break;
      default:
        sqlite3_str_reset(&s);
        return;
    }
  }
  if (j < i) sqlite3_str_append(&s, fmt + j, (int)(i - j));
  int n = (int)s.n, err = s.err;
  char *z = shale_str_finish(&s);
  if (err == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
  else if (err) sqlite3_result_error_nomem(ctx);
  else if (z) sqlite3_result_text(ctx, z, n, sqlite3_free);
  else sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
}

void fn_current_time(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  fn_time(ctx, 0, NULL);
}
void fn_current_date(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  fn_date(ctx, 0, NULL);
}
void fn_current_timestamp(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  fn_datetime(ctx, 0, NULL);
}

/* timediff() is SQLite 3.43; 3.40 has no such function. Not registered. */
void fn_timediff(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_null(ctx);
}
