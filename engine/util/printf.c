/*
** printf.c — the printf engine: sqlite3_mprintf, sqlite3_snprintf, the
** sqlite3_str_* accumulator, and the formatting core shared with the SQL
** printf()/format() function (which passes SQL values through
** ShalePrintfArgs) and with the VM's REAL -> TEXT conversion
** (shale_format_double, "%!.15g").
**
** Conversions (as SQLite documents in printf.html): d i u o x X p c s z q Q w
** f e E g G n % and r (ordinal).  Flags: - + space # 0 ! ,.  Width and
** precision may be '*'.  Length modifiers l and ll.  Floating point output
** uses its own digit generation with long double arithmetic and at most 16
** significant digits (26 with '!'), so results match SQLite exactly.
**
** No global mutable state.
*/
#include "printf.h"
#include <math.h>
#include <stdlib.h>

extern int sqlite3_limit(sqlite3 *, int, int) __attribute__((weak));

#define BUFSIZE 70 /* size of the on-stack conversion buffer */
#define FP_PRECISION_LIMIT 100000000
#define DEFAULT_MAX_LENGTH 1000000000

/* ---------------------------------------------------------------------------
** The accumulator.
*/
void shale_str_init(sqlite3_str *s, char *buf, int n, int mx) {
  s->db = NULL;
  s->z = buf;
  s->n = 0;
  s->alloc = buf ? (u32)n : 0;
  s->mx = (u32)mx;
  s->err = SQLITE_OK;
  s->malloced = 0;
}

static void str_set_error(sqlite3_str *s, int err) {
  s->err = (u8)err;
  if (s->mx) {
    if (s->malloced) sqlite3_free(s->z);
    s->z = NULL;
    s->malloced = 0;
    s->alloc = 0;
  }
  s->n = 0;
}

/* Make room for N more bytes (plus a NUL).  Returns how many of the N bytes
** may be written (less than N only for a fixed buffer). */
static i64 str_enlarge(sqlite3_str *s, i64 N) {
  if (s->err) return 0;
  if (s->mx == 0) {
    /* Fixed buffer: truncate. */
    i64 room = (i64)s->alloc - (i64)s->n - 1;
    if (room < 0) room = 0;
    s->err = SQLITE_TOOBIG;
    return room;
  }
  i64 need = (i64)s->n + N + 1;
  if (need > (i64)s->mx) {
    str_set_error(s, SQLITE_TOOBIG);
    return 0;
  }
  i64 sz = need;
  if (sz + (i64)s->n <= (i64)s->mx) sz += s->n; /* grow geometrically */
  char *zNew;
  if (s->malloced) {
    zNew = sqlite3_realloc64(s->z, (u64)sz);
  } else {
    zNew = sqlite3_malloc64((u64)sz);
    if (zNew && s->n) memcpy(zNew, s->z, s->n);
  }
  if (zNew == NULL) {
    str_set_error(s, SQLITE_NOMEM);
    return 0;
  }
  s->z = zNew;
  s->malloced = 1;
  s->alloc = (u32)sz;
  return N;
}

void sqlite3_str_append(sqlite3_str *s, const char *z, int N) {
  if (s == NULL || N < 0 || (z == NULL && N > 0)) return;
  /* Like SQLite, even a zero-length append allocates an empty buffer, so
  ** that printf('%s') gives '' while printf('') gives NULL. */
  if ((i64)s->n + N >= (i64)s->alloc) {
    N = (int)str_enlarge(s, N);
    if (N <= 0) return;
  }
  if (N == 0) return;
  memcpy(s->z + s->n, z, (size_t)N);
  s->n += (u32)N;
}

void sqlite3_str_appendall(sqlite3_str *s, const char *z) {
  if (z) sqlite3_str_append(s, z, (int)strlen(z));
}

void sqlite3_str_appendchar(sqlite3_str *s, int N, char c) {
  if (s == NULL || N <= 0) return;
  if ((i64)s->n + N >= (i64)s->alloc) {
    N = (int)str_enlarge(s, N);
    if (N <= 0) return;
  }
  memset(s->z + s->n, c, (size_t)N);
  s->n += (u32)N;
}

void sqlite3_str_reset(sqlite3_str *s) {
  if (s == NULL) return;
  if (s->malloced) sqlite3_free(s->z);
  s->z = NULL;
  s->malloced = 0;
  s->alloc = 0;
  s->n = 0;
}

char *shale_str_finish(sqlite3_str *s) {
  char *z = NULL;
  if (s->err == SQLITE_OK || (s->mx == 0 && s->err == SQLITE_TOOBIG)) {
    if (s->z) {
      s->z[s->n] = 0;
      if (s->mx > 0 && !s->malloced) {
        z = sqlite3_malloc64((u64)s->n + 1);
        if (z) memcpy(z, s->z, (size_t)s->n + 1);
        else s->err = SQLITE_NOMEM;
      } else {
        z = s->z;
      }
    }
  } else if (s->malloced) {
    sqlite3_free(s->z);
  }
  s->z = NULL;
  s->malloced = 0;
  s->alloc = 0;
  s->n = 0;
  return z;
}

sqlite3_str *sqlite3_str_new(sqlite3 *db) {
  sqlite3_str *s = sqlite3_malloc64(sizeof(*s));
  if (s == NULL) return NULL; /* sqlite3_str_* all accept NULL */
  int mx = DEFAULT_MAX_LENGTH;
  /* sqlite3_limit lives in the api layer, above util: reference it weakly so
  ** util links on its own (then the default limit applies). */
  if (db && sqlite3_limit) {
    int lim = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1);
    if (lim > 0) mx = lim;
  }
  shale_str_init(s, NULL, 0, mx);
  s->db = db;
  return s;
}

char *sqlite3_str_finish(sqlite3_str *s) {
  if (s == NULL) return NULL;
  char *z = shale_str_finish(s);
  sqlite3_free(s);
  return z;
}

int sqlite3_str_errcode(sqlite3_str *s) { return s ? s->err : SQLITE_NOMEM; }
int sqlite3_str_length(sqlite3_str *s) { return s ? (int)s->n : 0; }
char *sqlite3_str_value(sqlite3_str *s) {
  if (s == NULL || s->n == 0 || s->z == NULL) return NULL;
  s->z[s->n] = 0;
  return s->z;
}

/* ---------------------------------------------------------------------------
** The formatting engine.
*/
enum {
  T_RADIX = 1, T_FLOAT, T_EXP, T_GENERIC, T_SIZE, T_STRING, T_DYNSTRING,
  T_PERCENT, T_CHARX, T_SQLESC, T_SQLESC2, T_SQLESC3, T_POINTER, T_ORDINAL
};

typedef struct ConvInfo {
  char fmt;
  u8 base;
  u8 is_signed;
  u8 type;
  u8 charset; /* offset into digits[] */
  u8 prefix;  /* offset into prefixes[] (0 = none) */
} ConvInfo;

static const char digits[] = "0123456789ABCDEF0123456789abcdef";
static const char prefixes[] = "-x0\000X0"; /* reversed "0x" / "0X" */

static const ConvInfo conv_table[] = {
    {'d', 10, 1, T_RADIX, 0, 0},   {'s', 0, 0, T_STRING, 0, 0},
    {'g', 0, 1, T_GENERIC, 30, 0}, {'z', 0, 0, T_DYNSTRING, 0, 0},
    {'q', 0, 0, T_SQLESC, 0, 0},   {'Q', 0, 0, T_SQLESC2, 0, 0},
    {'w', 0, 0, T_SQLESC3, 0, 0},  {'c', 0, 0, T_CHARX, 0, 0},
    {'o', 8, 0, T_RADIX, 0, 2},    {'u', 10, 0, T_RADIX, 0, 0},
    {'x', 16, 0, T_RADIX, 16, 1},  {'X', 16, 0, T_RADIX, 0, 4},
    {'f', 0, 1, T_FLOAT, 0, 0},    {'e', 0, 1, T_EXP, 30, 0},
    {'E', 0, 1, T_EXP, 14, 0},     {'G', 0, 1, T_GENERIC, 14, 0},
    {'i', 10, 1, T_RADIX, 0, 0},   {'n', 0, 0, T_SIZE, 0, 0},
    {'%', 0, 0, T_PERCENT, 0, 0},  {'p', 16, 0, T_POINTER, 0, 1},
    {'r', 10, 1, T_ORDINAL, 0, 0},
};

/* Rounding constants 0.5, 0.05, ... 0.5e-9 */
static const double round_table[] = {5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
                                     5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10};

/* Next decimal digit of *val (1.0 <= *val < 10.0), at most *cnt digits. */
static char next_digit(long double *val, int *cnt) {
  if (*cnt <= 0) return '0';
  (*cnt)--;
  int d = (int)*val;
  *val = (*val - (long double)d) * 10.0L;
  return (char)('0' + d);
}

static i64 arg_int(ShalePrintfArgs *a) {
  if (a->i_arg >= a->n_arg) return 0;
  return a->get_int(a->p, a->i_arg++);
}
static double arg_double(ShalePrintfArgs *a) {
  if (a->i_arg >= a->n_arg) return 0.0;
  return a->get_double(a->p, a->i_arg++);
}
static const char *arg_text(ShalePrintfArgs *a) {
  if (a->i_arg >= a->n_arg) return NULL;
  return a->get_text(a->p, a->i_arg++);
}

/* A temporary buffer for conversions wider than BUFSIZE. */
static char *temp_buf(sqlite3_str *s, i64 n) {
  if (s->err) return NULL;
  if (s->mx && n > (i64)s->mx) {
    str_set_error(s, SQLITE_TOOBIG);
    return NULL;
  }
  char *z = sqlite3_malloc64((u64)n);
  if (z == NULL) str_set_error(s, SQLITE_NOMEM);
  return z;
}

static void vappendf(sqlite3_str *s, const char *fmt, va_list *ap,
                     ShalePrintfArgs *args) {
  char buf[BUFSIZE];
  for (; *fmt; fmt++) {
    int c = (u8)*fmt;
    if (c != '%') {
      const char *start = fmt;
      while (fmt[1] && fmt[1] != '%') fmt++;
      sqlite3_str_append(s, start, (int)(fmt - start + 1));
      continue;
    }
    c = (u8)*++fmt;
    if (c == 0) {
      sqlite3_str_append(s, "%", 1);
      break;
    }
    int left = 0, zeropad = 0, alt = 0, alt2 = 0, is_long = 0;
    char sign_prefix = 0, thousands = 0;
    int width = 0, precision = -1;
    int done = 0;
    do {
      switch (c) {
        case '-': left = 1; break;
        case '+': sign_prefix = '+'; break;
        case ' ': sign_prefix = ' '; break;
        case '#': alt = 1; break;
        case '!': alt2 = 1; break;
        case '0': zeropad = 1; break;
        case ',': thousands = ','; break;
        case 'l':
          is_long = 1;
          c = (u8)*++fmt;
          if (c == 'l') {
            c = (u8)*++fmt;
            is_long = 2;
          }
          done = 1;
          break;
        case '1': case '2': case '3': case '4': case '5':
        case '6': case '7': case '8': case '9': {
          unsigned wx = (unsigned)(c - '0');
          while ((c = (u8)*++fmt) >= '0' && c <= '9') wx = wx * 10 + (unsigned)(c - '0');
          width = (int)(wx & 0x7fffffff);
          if (c != '.' && c != 'l') done = 1;
          else fmt--;
          break;
        }
        case '*': {
          if (args) width = (int)arg_int(args);
          else width = va_arg(*ap, int);
          if (width < 0) {
            left = 1;
            width = width >= -2147483647 ? -width : 0;
          }
          if ((c = (u8)fmt[1]) != '.' && c != 'l') {
            c = (u8)*++fmt;
            done = 1;
          }
          break;
        }
        case '.': {
          c = (u8)*++fmt;
          if (c == '*') {
            if (args) precision = (int)arg_int(args);
            else precision = va_arg(*ap, int);
            if (precision < 0) precision = precision >= -2147483647 ? -precision : -1;
            c = (u8)*++fmt;
          } else {
            unsigned px = 0;
            while (c >= '0' && c <= '9') {
              px = px * 10 + (unsigned)(c - '0');
              c = (u8)*++fmt;
            }
            precision = (int)(px & 0x7fffffff);
          }
          if (c == 'l') {
            --fmt;
          } else {
            done = 1;
          }
          break;
        }
        default: done = 1; break;
      }
    } while (!done && (c = (u8) * ++fmt) != 0);

    const ConvInfo *info = NULL;
    for (size_t i = 0; i < SHALE_ARRAY_SIZE(conv_table); i++) {
      if (c == conv_table[i].fmt) {
        info = &conv_table[i];
        break;
      }
    }
    if (info == NULL) return; /* unknown conversion: stop, as SQLite does */
    int type = info->type;
    char *bufpt = buf;
    int length = 0;
    char *extra = NULL;
    char prefix;

    switch (type) {
      case T_POINTER:
        is_long = sizeof(char *) == sizeof(i64) ? 2 : 1;
        /* fall through */
      case T_ORDINAL:
      case T_RADIX: {
        u64 v;
        /* The ',' flag only applies to %d, %i and %u (not %r, %x, %o). */
        if (type != T_RADIX || info->base != 10) thousands = 0;
        if (info->is_signed) {
          i64 sv;
          if (args) sv = arg_int(args);
          else if (is_long == 2) sv = va_arg(*ap, long long);
          else if (is_long) sv = va_arg(*ap, long);
          else sv = va_arg(*ap, int);
          if (sv < 0) {
            v = ~(u64)sv + 1;
            prefix = '-';
          } else {
            v = (u64)sv;
            prefix = sign_prefix;
          }
        } else {
          if (args) v = (u64)arg_int(args);
          else if (type == T_POINTER) v = (u64)(uintptr_t)va_arg(*ap, void *);
          else if (is_long == 2) v = va_arg(*ap, unsigned long long);
          else if (is_long) v = va_arg(*ap, unsigned long);
          else v = va_arg(*ap, unsigned int);
          prefix = 0;
        }
        if (v == 0) alt = 0;
        if (zeropad && precision < width - (prefix != 0)) precision = width - (prefix != 0);
        int nout;
        char *zout;
        if (precision < BUFSIZE - 10 - BUFSIZE / 3) {
          nout = BUFSIZE;
          zout = buf;
        } else {
          i64 nn = (i64)precision + 10;
          if (thousands) nn += precision / 3;
          zout = extra = temp_buf(s, nn);
          if (zout == NULL) return;
          nout = (int)nn;
        }
        bufpt = &zout[nout - 1];
        if (type == T_ORDINAL) {
          static const char ord[] = "thstndrd";
          int x = (int)(v % 10);
          if (x >= 4 || (v / 10) % 10 == 1) x = 0;
          *(--bufpt) = ord[x * 2 + 1];
          *(--bufpt) = ord[x * 2];
        }
        {
          const char *cset = &digits[info->charset];
          u8 base = info->base;
          do {
            *(--bufpt) = cset[v % base];
            v /= base;
          } while (v > 0);
        }
        length = (int)(&zout[nout - 1] - bufpt);
        while (precision > length) {
          *(--bufpt) = '0';
          length++;
        }
        if (thousands) {
          int nn = (length - 1) / 3;
          int ix = (length - 1) % 3 + 1;
          bufpt -= nn;
          for (int idx = 0; nn > 0; idx++) {
            bufpt[idx] = bufpt[idx + nn];
            ix--;
            if (ix == 0) {
              bufpt[++idx] = thousands;
              nn--;
              ix = 3;
            }
          }
        }
        if (prefix) *(--bufpt) = prefix;
        if (alt && info->prefix) {
          const char *pre = &prefixes[info->prefix];
          for (char x; (x = *pre) != 0; pre++) *(--bufpt) = x;
        }
        length = (int)(&zout[nout - 1] - bufpt);
        break;
      }
      case T_FLOAT:
      case T_EXP:
      case T_GENERIC: {
        long double rv;
        if (args) rv = arg_double(args);
        else rv = va_arg(*ap, double);
        if (precision < 0) precision = 6;
        if (precision > FP_PRECISION_LIMIT) precision = FP_PRECISION_LIMIT;
        if (rv < 0.0L) {
          rv = -rv;
          prefix = '-';
        } else {
          prefix = sign_prefix;
        }
        if (type == T_GENERIC && precision > 0) precision--;
        int idx = precision & 0xfff;
        double rounder = round_table[idx % 10];
        while (idx >= 10) {
          rounder *= 1.0e-10;
          idx -= 10;
        }
        if (type == T_FLOAT) {
          double rx = (double)rv;
          u64 u;
          memcpy(&u, &rx, sizeof(u));
          int ex = -1023 + (int)((u >> 52) & 0x7ff);
          if (precision + (ex / 3) < 15) rounder = (double)(rounder + rv * 3e-16);
          rv += rounder;
        }
        int exp = 0;
        if (isnan((double)rv)) {
          bufpt = "NaN";
          length = 3;
          break;
        }
        if (rv > 0.0L) {
          long double scale = 1.0L;
          while (rv >= 1e100 * scale && exp <= 350) {
            scale *= 1e100;
            exp += 100;
          }
          while (rv >= 1e10 * scale && exp <= 350) {
            scale *= 1e10;
            exp += 10;
          }
          while (rv >= 10.0 * scale && exp <= 350) {
            scale *= 10.0;
            exp++;
          }
          rv /= scale;
          while (rv < 1e-8) {
            rv *= 1.0e8;
            exp -= 8;
          }
          while (rv < 1.0L) {
            rv *= 10.0L;
            exp--;
          }
          if (exp > 350) {
            bufpt = buf;
            buf[0] = prefix;
            memcpy(buf + (prefix != 0), "Inf", 4);
            length = 3 + (prefix != 0);
            break;
          }
        }
        bufpt = buf;
        if (type != T_FLOAT) {
          rv += rounder;
          if (rv >= 10.0L) {
            rv *= 0.1;
            exp++;
          }
        }
        int rtz;
        if (type == T_GENERIC) {
          rtz = !alt;
          if (exp < -4 || exp > precision) {
            type = T_EXP;
          } else {
            precision = precision - exp;
            type = T_FLOAT;
          }
        } else {
          rtz = alt2;
        }
        int e2 = type == T_EXP ? 0 : exp;
        {
          i64 need = (i64)(e2 > 0 ? e2 : 0) + (i64)precision + (i64)width + 15;
          if (need > BUFSIZE) {
            bufpt = extra = temp_buf(s, need);
            if (bufpt == NULL) return;
          }
        }
        char *zout = bufpt;
        int nsd = 16 + alt2 * 10;
        int dp = (precision > 0 ? 1 : 0) | alt | alt2;
        if (prefix) *(bufpt++) = prefix;
        if (e2 < 0) {
          *(bufpt++) = '0';
        } else {
          for (; e2 >= 0; e2--) *(bufpt++) = next_digit(&rv, &nsd);
        }
        if (dp) *(bufpt++) = '.';
        for (e2++; e2 < 0 && precision > 0; precision--, e2++) *(bufpt++) = '0';
        while ((precision--) > 0) *(bufpt++) = next_digit(&rv, &nsd);
        if (rtz && dp) {
          while (bufpt[-1] == '0') *(--bufpt) = 0;
          if (bufpt[-1] == '.') {
            if (alt2) *(bufpt++) = '0';
            else *(--bufpt) = 0;
          }
        }
        if (type == T_EXP) {
          *(bufpt++) = digits[info->charset];
          if (exp < 0) {
            *(bufpt++) = '-';
            exp = -exp;
          } else {
            *(bufpt++) = '+';
          }
          if (exp >= 100) {
            *(bufpt++) = (char)((exp / 100) + '0');
            exp %= 100;
          }
          *(bufpt++) = (char)(exp / 10 + '0');
          *(bufpt++) = (char)(exp % 10 + '0');
        }
        *bufpt = 0;
        length = (int)(bufpt - zout);
        bufpt = zout;
        if (zeropad && !left && length < width) {
          int npad = width - length;
          for (int i = width; i >= npad; i--) bufpt[i] = bufpt[i - npad];
          int i = prefix != 0;
          while (npad--) bufpt[i++] = '0';
          length = width;
        }
        break;
      }
      case T_SIZE:
        if (!args) *(va_arg(*ap, int *)) = (int)s->n;
        length = width = 0;
        break;
      case T_PERCENT:
        buf[0] = '%';
        bufpt = buf;
        length = 1;
        break;
      case T_CHARX: {
        if (args) {
          const char *t = arg_text(args);
          length = 1;
          if (t) {
            buf[0] = (char)(c = (u8)*(t++));
            if ((c & 0xc0) == 0xc0) {
              while (length < 4 && (t[0] & 0xc0) == 0x80) buf[length++] = *(t++);
            }
          } else {
            buf[0] = 0;
          }
        } else {
          unsigned ch = va_arg(*ap, unsigned int);
          if (ch < 0x80) {
            buf[0] = (char)(ch & 0xff);
            length = 1;
          } else if (ch < 0x800) {
            buf[0] = (char)(0xc0 + (u8)((ch >> 6) & 0x1f));
            buf[1] = (char)(0x80 + (u8)(ch & 0x3f));
            length = 2;
          } else if (ch < 0x10000) {
            buf[0] = (char)(0xe0 + (u8)((ch >> 12) & 0x0f));
            buf[1] = (char)(0x80 + (u8)((ch >> 6) & 0x3f));
            buf[2] = (char)(0x80 + (u8)(ch & 0x3f));
            length = 3;
          } else {
            buf[0] = (char)(0xf0 + (u8)((ch >> 18) & 0x07));
            buf[1] = (char)(0x80 + (u8)((ch >> 12) & 0x3f));
            buf[2] = (char)(0x80 + (u8)((ch >> 6) & 0x3f));
            buf[3] = (char)(0x80 + (u8)(ch & 0x3f));
            length = 4;
          }
        }
        if (precision > 1) {
          i64 nprior = 1;
          width -= precision - 1;
          if (width > 1 && !left) {
            sqlite3_str_appendchar(s, width - 1, ' ');
            width = 0;
          }
          sqlite3_str_append(s, buf, length);
          precision--;
          while (precision > 1) {
            if (nprior > precision - 1) nprior = precision - 1;
            i64 ncopy = length * nprior;
            if (ncopy + (i64)s->n >= (i64)s->alloc) str_enlarge(s, ncopy);
            if (s->err) break;
            sqlite3_str_append(s, &s->z[s->n - ncopy], (int)ncopy);
            precision -= (int)nprior;
            nprior *= 2;
          }
        }
        bufpt = buf;
        alt2 = 1;
        goto adjust_width_for_utf8;
      }
      case T_STRING:
      case T_DYNSTRING: {
        if (args) {
          bufpt = (char *)arg_text(args);
          type = T_STRING;
        } else {
          bufpt = va_arg(*ap, char *);
        }
        if (bufpt == NULL) {
          bufpt = "";
        } else if (type == T_DYNSTRING) {
          extra = bufpt;
        }
        if (precision >= 0) {
          if (alt2) {
            const u8 *z = (const u8 *)bufpt;
            while (precision-- > 0 && z[0]) {
              if (*(z++) >= 0xc0) {
                while ((*z & 0xc0) == 0x80) z++;
              }
            }
            length = (int)(z - (const u8 *)bufpt);
          } else {
            for (length = 0; length < precision && bufpt[length]; length++) {
            }
          }
        } else {
          length = 0x7fffffff & (int)strlen(bufpt);
        }
      adjust_width_for_utf8:
        if (alt2 && width > 0) {
          int ii = length - 1;
          while (ii >= 0)
            if ((bufpt[ii--] & 0xc0) == 0x80) width++;
        }
        break;
      }
      case T_SQLESC:
      case T_SQLESC2:
      case T_SQLESC3: {
        char q = type == T_SQLESC3 ? '"' : '\'';
        const char *esc;
        if (args) esc = arg_text(args);
        else esc = va_arg(*ap, char *);
        int isnull = esc == NULL;
        if (isnull) esc = type == T_SQLESC2 ? "NULL" : "(NULL)";
        i64 i, n = 0;
        int k = precision;
        char ch;
        for (i = 0; k != 0 && (ch = esc[i]) != 0; i++, k--) {
          if (ch == q) n++;
          if (alt2 && (ch & 0xc0) == 0xc0) {
            while ((esc[i + 1] & 0xc0) == 0x80) i++;
          }
        }
        int need_quote = !isnull && type == T_SQLESC2;
        n += i + 3;
        if (n > BUFSIZE) {
          bufpt = extra = temp_buf(s, n);
          if (bufpt == NULL) return;
        } else {
          bufpt = buf;
        }
        i64 j = 0;
        if (need_quote) bufpt[j++] = q;
        i64 kk = i;
        for (i = 0; i < kk; i++) {
          bufpt[j++] = ch = esc[i];
          if (ch == q) bufpt[j++] = ch;
        }
        if (need_quote) bufpt[j++] = q;
        bufpt[j] = 0;
        length = (int)j;
        goto adjust_width_for_utf8;
      }
      default:
        return;
    }
    width -= length;
    if (width > 0) {
      if (!left) sqlite3_str_appendchar(s, width, ' ');
      sqlite3_str_append(s, bufpt, length);
      if (left) sqlite3_str_appendchar(s, width, ' ');
    } else {
      sqlite3_str_append(s, bufpt, length);
    }
    if (extra) sqlite3_free(extra);
  }
}

void sqlite3_str_vappendf(sqlite3_str *s, const char *fmt, va_list ap) {
  if (s == NULL || fmt == NULL) return;
  va_list cp;
  va_copy(cp, ap);
  vappendf(s, fmt, &cp, NULL);
  va_end(cp);
}

void sqlite3_str_appendf(sqlite3_str *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlite3_str_vappendf(s, fmt, ap);
  va_end(ap);
}

void shale_str_appendf_sql(sqlite3_str *s, const char *fmt, ShalePrintfArgs *args) {
  if (s == NULL || fmt == NULL) return;
  vappendf(s, fmt, NULL, args);
}

char *sqlite3_vmprintf(const char *fmt, va_list ap) {
  if (fmt == NULL) return NULL;
  char base[BUFSIZE];
  sqlite3_str s;
  shale_str_init(&s, base, sizeof(base), DEFAULT_MAX_LENGTH);
  sqlite3_str_vappendf(&s, fmt, ap);
  return shale_str_finish(&s);
}

char *sqlite3_mprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return z;
}

char *sqlite3_vsnprintf(int n, char *buf, const char *fmt, va_list ap) {
  if (n <= 0 || buf == NULL) return buf;
  if (fmt == NULL) {
    buf[0] = 0;
    return buf;
  }
  sqlite3_str s;
  shale_str_init(&s, buf, n, 0);
  sqlite3_str_vappendf(&s, fmt, ap);
  buf[s.n] = 0;
  return buf;
}

char *sqlite3_snprintf(int n, char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vsnprintf(n, buf, fmt, ap);
  va_end(ap);
  return z;
}

int shale_format_double(double r, char *buf, int n) {
  if (n <= 0) return 0;
  sqlite3_str s;
  shale_str_init(&s, buf, n, 0);
  sqlite3_str_appendf(&s, "%!.15g", r);
  buf[s.n] = 0;
  return (int)s.n;
}

/* ---------------------------------------------------------------------------
** Text -> REAL exactly as SQLite 3.40's sqlite3AtoF: a 64-bit significand
** (digits beyond ~18 are dropped), a decimal exponent, then one long double
** multiplication or division by a power of ten computed by repeated
** squaring.  Not always correctly rounded — and that is the point: results
** must match SQLite's bit for bit.
*/
static long double pow10_ld(int E) {
  long double x = 10.0L, r = 1.0L;
  for (;;) {
    if (E & 1) r *= x;
    E >>= 1;
    if (E == 0) break;
    x *= x;
  }
  return r;
}

static int is_space_c(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v'; }

int shale_atof_sqlite(const char *z, double *out, int length) {
  const char *end = z + length;
  int sign = 1, d = 0, esign = 1, e = 0, e_valid = 1, ndigit = 0, etype = 1;
  i64 s = 0;
  double result;
  const i64 largest = (i64)0x7fffffffffffffffLL;
  *out = 0.0;
  if (length <= 0) return 0;
  while (z < end && is_space_c(*z)) z++;
  if (z >= end) return 0;
  if (*z == '-') {
    sign = -1;
    z++;
  } else if (*z == '+') {
    z++;
  }
  while (z < end && *z >= '0' && *z <= '9') {
    s = s * 10 + (*z - '0');
    z++;
    ndigit++;
    if (s >= ((largest - 9) / 10)) {
      while (z < end && *z >= '0' && *z <= '9') {
        z++;
        d++;
      }
    }
  }
  if (z >= end) goto calc;
  if (*z == '.') {
    z++;
    etype++;
    while (z < end && *z >= '0' && *z <= '9') {
      if (s < ((largest - 9) / 10)) {
        s = s * 10 + (*z - '0');
        d--;
        ndigit++;
      }
      z++;
    }
  }
  if (z >= end) goto calc;
  if (*z == 'e' || *z == 'E') {
    z++;
    e_valid = 0;
    etype++;
    if (z >= end) goto calc;
    if (*z == '-') {
      esign = -1;
      z++;
    } else if (*z == '+') {
      z++;
    }
    while (z < end && *z >= '0' && *z <= '9') {
      e = e < 10000 ? (e * 10 + (*z - '0')) : 10000;
      z++;
      e_valid = 1;
    }
  }
  while (z < end && is_space_c(*z)) z++;
calc:
  e = (e * esign) + d;
  if (e < 0) {
    esign = -1;
    e *= -1;
  } else {
    esign = 1;
  }
  if (s == 0) {
    result = sign < 0 ? -(double)0 : (double)0;
  } else {
    while (e > 0) {
      if (esign > 0) {
        if (s >= (largest / 10)) break;
        s *= 10;
      } else {
        if (s % 10 != 0) break;
        s /= 10;
      }
      e--;
    }
    s = sign < 0 ? -s : s;
    if (e == 0) {
      result = (double)s;
    } else if (e > 307) {
      if (e < 342) {
        long double scale = pow10_ld(e - 308);
        if (esign < 0) {
          result = (double)(s / scale);
          result /= 1.0e+308;
        } else {
          result = (double)(s * scale);
          result *= 1.0e+308;
        }
      } else {
        if (esign < 0) result = 0.0 * (double)s;
        else result = __builtin_inf() * (double)s;
      }
    } else {
      long double scale = pow10_ld(e);
      if (esign < 0) result = (double)(s / scale);
      else result = (double)(s * scale);
    }
  }
  *out = result;
  if (z == end && ndigit > 0 && e_valid && etype > 0) return etype;
  if (etype >= 2 && (etype == 3 || e_valid) && ndigit > 0) return -1;
  return 0;
}
