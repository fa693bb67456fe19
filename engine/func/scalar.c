/*
** scalar.c — the core scalar SQL functions (lang_corefunc.html), written
** only against the public sqlite3_value_* / sqlite3_result_* API, with
** SQLite 3.40's exact semantics and error messages.
*/
#include <math.h>
#include <stdlib.h>
#include "func_int.h"
#include "../util/printf.h"
#include "../util/utf.h"

#define LARGEST_INT64 ((i64)0x7fffffffffffffffLL)
#define SMALLEST_INT64 ((i64)(-LARGEST_INT64 - 1))

int func_max_length(sqlite3_context *ctx) {
  int lim = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1);
  return lim > 0 ? lim : 1000000000;
}

void *func_ctx_malloc(sqlite3_context *ctx, i64 n) {
  if (n > func_max_length(ctx)) {
    sqlite3_result_error_toobig(ctx);
    return NULL;
  }
  void *z = sqlite3_malloc64((u64)(n > 0 ? n : 1));
  if (z == NULL) sqlite3_result_error_nomem(ctx);
  return z;
}

/* ---- value comparison (SQLite's sqlite3MemCompare over public values) ---- */
void func_view(sqlite3_value *v, ValView *o) {
  o->type = sqlite3_value_type(v);
  o->z = NULL;
  o->n = 0;
  o->i = 0;
  o->r = 0.0;
  switch (o->type) {
    case SQLITE_INTEGER: o->i = sqlite3_value_int64(v); break;
    case SQLITE_FLOAT: o->r = sqlite3_value_double(v); break;
    case SQLITE_TEXT:
      o->z = sqlite3_value_text(v);
      o->n = sqlite3_value_bytes(v);
      break;
    case SQLITE_BLOB:
      o->z = sqlite3_value_blob(v);
      o->n = sqlite3_value_bytes(v);
      break;
    default: break;
  }
}

static int int_float_cmp(i64 i, double r) {
  long double x = (long double)i;
  if (x < r) return -1;
  if (x > r) return 1;
  return 0;
}

int func_view_compare(const ValView *a, const ValView *b, const CollSeq *coll) {
  int ta = a->type, tb = b->type;
  if (ta == SQLITE_NULL || tb == SQLITE_NULL) {
    return (tb == SQLITE_NULL) - (ta == SQLITE_NULL);
  }
  int na = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT;
  int nb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT;
  if (na || nb) {
    if (!na) return 1;
    if (!nb) return -1;
    if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) return a->i < b->i ? -1 : a->i > b->i;
    if (ta == SQLITE_FLOAT && tb == SQLITE_FLOAT) return a->r < b->r ? -1 : a->r > b->r;
    if (ta == SQLITE_INTEGER) return int_float_cmp(a->i, b->r);
    return -int_float_cmp(b->i, a->r);
  }
  if (ta == SQLITE_TEXT || tb == SQLITE_TEXT) {
    if (ta != SQLITE_TEXT) return 1;
    if (tb != SQLITE_TEXT) return -1;
    return coll_compare(coll, a->z ? (const void *)a->z : "", a->n,
                        b->z ? (const void *)b->z : "", b->n);
  }
  int n = a->n < b->n ? a->n : b->n;
  int c = n > 0 ? memcmp(a->z, b->z, (size_t)n) : 0;
  return c ? c : a->n - b->n;
}

/* ---- functions ---- */
void fn_abs(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER: {
      i64 v = sqlite3_value_int64(argv[0]);
      if (v < 0) {
        if (v == SMALLEST_INT64) {
          sqlite3_result_error(ctx, "integer overflow", -1);
          return;
        }
        v = -v;
      }
      sqlite3_result_int64(ctx, v);
      break;
    }
    case SQLITE_NULL: sqlite3_result_null(ctx); break;
    default: {
      double r = sqlite3_value_double(argv[0]);
      if (r < 0) r = -r;
      sqlite3_result_double(ctx, r);
      break;
    }
  }
}

void fn_changes(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_int64(ctx, sqlite3_changes64(sqlite3_context_db_handle(ctx)));
}

void fn_total_changes(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_int64(ctx, sqlite3_total_changes64(sqlite3_context_db_handle(ctx)));
}

void fn_last_insert_rowid(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_int64(ctx, sqlite3_last_insert_rowid(sqlite3_context_db_handle(ctx)));
}

void fn_char(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  u8 *z = sqlite3_malloc64((u64)argc * 4 + 1);
  if (z == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  u8 *o = z;
  for (int i = 0; i < argc; i++) {
    i64 x = sqlite3_value_int64(argv[i]);
    if (x < 0 || x > 0x10ffff) x = 0xfffd;
    o += shale_utf8_write(o, (u32)(x & 0x1fffff));
  }
  *o = 0;
  sqlite3_result_text64(ctx, (char *)z, (u64)(o - z), sqlite3_free, SQLITE_UTF8);
}

void fn_coalesce(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  for (int i = 0; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) != SQLITE_NULL) {
      sqlite3_result_value(ctx, argv[i]);
      return;
    }
  }
}

/* likely(X), unlikely(X), likelihood(X,P): X itself. */
void fn_first_arg(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  sqlite3_result_value(ctx, argv[0]);
}

static int value_truth(sqlite3_value *v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return 0;
    case SQLITE_INTEGER: return sqlite3_value_int64(v) != 0;
    default: return sqlite3_value_double(v) != 0.0;
  }
}

void fn_iif(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  sqlite3_result_value(ctx, value_truth(argv[0]) ? argv[1] : argv[2]);
}

void fn_hex(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char hexdig[] = "0123456789ABCDEF";
  SHALE_UNUSED(argc);
  const u8 *p = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  char *z = func_ctx_malloc(ctx, (i64)n * 2 + 1);
  if (z == NULL) return;
  for (int i = 0; i < n; i++) {
    z[2 * i] = hexdig[(p[i] >> 4) & 0xf];
    z[2 * i + 1] = hexdig[p[i] & 0xf];
  }
  z[n * 2] = 0;
  sqlite3_result_text(ctx, z, n * 2, sqlite3_free);
}

static int hex_val(u8 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* unhex(X [, Y]) — SQLite 3.41; not registered for 3.40 compatibility. */
void fn_unhex(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const u8 *pass = (const u8 *)"";
  int npass = 0;
  const u8 *in = sqlite3_value_text(argv[0]);
  int nin = sqlite3_value_bytes(argv[0]);
  if (argc == 2) {
    pass = sqlite3_value_text(argv[1]);
    npass = sqlite3_value_bytes(argv[1]);
  }
  if (in == NULL || pass == NULL) return;
  u8 *out = func_ctx_malloc(ctx, (nin + 1) / 2 + 1);
  if (out == NULL) return;
  const u8 *end = in + nin;
  u8 *o = out;
  while (in < end) {
    u8 c = *in;
    if (hex_val(c) < 0) {
      u32 ch = shale_utf8_read_n(&in, end);
      int ok = 0;
      const u8 *pp = pass, *pe = pass + npass;
      while (pp < pe) {
        if (shale_utf8_read_n(&pp, pe) == ch) {
          ok = 1;
          break;
        }
      }
      if (!ok) goto unhex_null;
      continue;
    }
    if (in + 1 >= end || hex_val(in[1]) < 0) goto unhex_null;
    *(o++) = (u8)(hex_val(in[0]) << 4 | hex_val(in[1]));
    in += 2;
  }
  sqlite3_result_blob(ctx, out, (int)(o - out), sqlite3_free);
  return;
unhex_null:
  sqlite3_free(out);
}

void fn_instr(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  int th = sqlite3_value_type(argv[0]);
  int tn = sqlite3_value_type(argv[1]);
  int N = 1;
  int is_text;
  const u8 *hay, *needle;
  sqlite3_value *c1 = NULL, *c2 = NULL;
  if (th == SQLITE_NULL || tn == SQLITE_NULL) return;
  int nh = sqlite3_value_bytes(argv[0]);
  int nn = sqlite3_value_bytes(argv[1]);
  if (nn > 0) {
    if (th == SQLITE_BLOB && tn == SQLITE_BLOB) {
      hay = sqlite3_value_blob(argv[0]);
      needle = sqlite3_value_blob(argv[1]);
      is_text = 0;
    } else if (th != SQLITE_BLOB && tn != SQLITE_BLOB) {
      hay = sqlite3_value_text(argv[0]);
      needle = sqlite3_value_text(argv[1]);
      is_text = 1;
    } else {
      c1 = sqlite3_value_dup(argv[0]);
      hay = c1 ? sqlite3_value_text(c1) : NULL;
      if (hay == NULL) goto oom;
      nh = sqlite3_value_bytes(c1);
      c2 = sqlite3_value_dup(argv[1]);
      needle = c2 ? sqlite3_value_text(c2) : NULL;
      if (needle == NULL) goto oom;
      nn = sqlite3_value_bytes(c2);
      is_text = 1;
    }
    if (needle == NULL || (nh && hay == NULL)) goto oom;
    u8 first = needle[0];
    while (nn <= nh && (hay[0] != first || memcmp(hay, needle, (size_t)nn) != 0)) {
      N++;
      do {
        nh--;
        hay++;
      } while (is_text && (hay[0] & 0xc0) == 0x80);
    }
    if (nn > nh) N = 0;
  }
  sqlite3_result_int(ctx, N);
  sqlite3_value_free(c1);
  sqlite3_value_free(c2);
  return;
oom:
  sqlite3_result_error_nomem(ctx);
  sqlite3_value_free(c1);
  sqlite3_value_free(c2);
}

void fn_length(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_BLOB:
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0]));
      break;
    case SQLITE_TEXT: {
      const u8 *z = sqlite3_value_text(argv[0]);
      if (z == NULL) return;
      const u8 *z0 = z;
      u8 c;
      while ((c = *z) != 0) {
        z++;
        if (c >= 0xc0) {
          while ((*z & 0xc0) == 0x80) {
            z++;
            z0++;
          }
        }
      }
      sqlite3_result_int(ctx, (int)(z - z0));
      break;
    }
    default: sqlite3_result_null(ctx); break;
  }
}

/* octet_length(X) — SQLite 3.43; not registered for 3.40 compatibility. */
void fn_octet_length(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL: break;
    default: sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0])); break;
  }
}

static void case_map(sqlite3_context *ctx, sqlite3_value *v, int upper) {
  const u8 *z2 = sqlite3_value_text(v);
  int n = sqlite3_value_bytes(v);
  if (z2 == NULL) return;
  u8 *z1 = func_ctx_malloc(ctx, (i64)n + 1);
  if (z1 == NULL) return;
  for (int i = 0; i < n; i++) {
    u8 c = z2[i];
    if (upper) z1[i] = (c >= 'a' && c <= 'z') ? (u8)(c - 32) : c;
    else z1[i] = shale_upper_to_lower[c];
  }
  z1[n] = 0;
  sqlite3_result_text(ctx, (char *)z1, n, sqlite3_free);
}
void fn_lower(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  case_map(ctx, argv[0], 0);
}
void fn_upper(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  case_map(ctx, argv[0], 1);
}

/* Scalar min(...)/max(...): user_data NULL for min, non-NULL for max. */
void fn_minmax(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  int mask = sqlite3_user_data(ctx) == NULL ? 0 : -1;
  const CollSeq *coll = func_context_collseq(ctx);
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  ValView best, cur;
  int ibest = 0;
  func_view(argv[0], &best);
  for (int i = 1; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return;
    func_view(argv[i], &cur);
    if ((func_view_compare(&best, &cur, coll) ^ mask) >= 0) {
      ibest = i;
      best = cur;
    }
  }
  sqlite3_result_value(ctx, argv[ibest]);
}

void fn_nullif(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  const CollSeq *coll = func_context_collseq(ctx);
  ValView a, b;
  func_view(argv[0], &a);
  func_view(argv[1], &b);
  if (func_view_compare(&a, &b, coll) != 0) sqlite3_result_value(ctx, argv[0]);
}

/* printf(FORMAT, ...) / format(FORMAT, ...) */
static i64 pa_int(void *p, int i) { return sqlite3_value_int64(((sqlite3_value **)p)[i]); }
static double pa_double(void *p, int i) { return sqlite3_value_double(((sqlite3_value **)p)[i]); }
static const char *pa_text(void *p, int i) {
  return (const char *)sqlite3_value_text(((sqlite3_value **)p)[i]);
}

void fn_printf(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *fmt;
  if (argc >= 1 && (fmt = (const char *)sqlite3_value_text(argv[0])) != NULL) {
    ShalePrintfArgs a;
    a.p = argv + 1;
    a.n_arg = argc - 1;
    a.i_arg = 0;
    a.get_int = pa_int;
    a.get_double = pa_double;
    a.get_text = pa_text;
    sqlite3_str s;
    shale_str_init(&s, NULL, 0, func_max_length(ctx));
    shale_str_appendf_sql(&s, fmt, &a);
    int n = (int)s.n;
    int err = s.err;
    char *z = shale_str_finish(&s);
    if (err == SQLITE_TOOBIG) {
      /* SQLite 3.40: the accumulator is reset and the result is NULL */
      sqlite3_result_null(ctx);
    } else if (err == SQLITE_NOMEM) {
      sqlite3_result_error_nomem(ctx);
    } else if (z) {
      sqlite3_result_text(ctx, z, n, sqlite3_free);
    }
  }
}

/* quote(X) */
static void quote_value(sqlite3_str *s, sqlite3_value *v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_FLOAT: {
      double r1 = sqlite3_value_double(v);
      sqlite3_str_appendf(s, "%!.15g", r1);
      const char *z = sqlite3_str_value(s);
      if (z) {
        double r2;
        shale_atof_sqlite(z, &r2, (int)s->n);
        if (r1 != r2) {
          sqlite3_str_reset(s);
          sqlite3_str_appendf(s, "%!.20e", r1);
        }
      }
      break;
    }
    case SQLITE_INTEGER: sqlite3_str_appendf(s, "%lld", (long long)sqlite3_value_int64(v)); break;
    case SQLITE_BLOB: {
      static const char hexdig[] = "0123456789ABCDEF";
      const u8 *b = sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v);
      sqlite3_str_append(s, "X'", 2);
      for (int i = 0; i < n; i++) {
        char h[2] = {hexdig[(b[i] >> 4) & 0xf], hexdig[b[i] & 0xf]};
        sqlite3_str_append(s, h, 2);
      }
      sqlite3_str_append(s, "'", 1);
      break;
    }
    case SQLITE_TEXT: sqlite3_str_appendf(s, "%Q", sqlite3_value_text(v)); break;
    default: sqlite3_str_append(s, "NULL", 4); break;
  }
}

void fn_quote(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  quote_value(&s, argv[0]);
  int n = (int)s.n, err = s.err;
  char *z = shale_str_finish(&s);
  if (err == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
  else if (err) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_text64(ctx, z ? z : "", (u64)n, z ? sqlite3_free : SQLITE_STATIC, SQLITE_UTF8);
}

void fn_random(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  i64 r;
  sqlite3_randomness(sizeof(r), &r);
  if (r < 0) r = -(r & LARGEST_INT64);
  sqlite3_result_int64(ctx, r);
}

void fn_randomblob(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  i64 n = sqlite3_value_int64(argv[0]);
  if (n < 1) n = 1;
  u8 *p = func_ctx_malloc(ctx, n);
  if (p) {
    sqlite3_randomness((int)n, p);
    sqlite3_result_blob64(ctx, p, (u64)n, sqlite3_free);
  }
}

void fn_replace(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  const u8 *str = sqlite3_value_text(argv[0]);
  if (str == NULL) return;
  int nstr = sqlite3_value_bytes(argv[0]);
  const u8 *pat = sqlite3_value_text(argv[1]);
  if (pat == NULL) return;
  if (pat[0] == 0) {
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  int npat = sqlite3_value_bytes(argv[1]);
  const u8 *rep = sqlite3_value_text(argv[2]);
  if (rep == NULL) return;
  int nrep = sqlite3_value_bytes(argv[2]);
  /* Count matches first so the output is allocated once. */
  i64 count = 0;
  for (int i = 0; i <= nstr - npat; i++) {
    if (str[i] == pat[0] && memcmp(&str[i], pat, (size_t)npat) == 0) {
      count++;
      i += npat - 1;
    }
  }
  i64 nout = (i64)nstr + count * ((i64)nrep - npat);
  if (nout > func_max_length(ctx)) { /* a result of exactly the limit is fine */
    sqlite3_result_error_toobig(ctx);
    return;
  }
  u8 *out = sqlite3_malloc64((u64)nout + 1);
  if (out == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  i64 j = 0;
  int i;
  for (i = 0; i <= nstr - npat; i++) {
    if (str[i] != pat[0] || memcmp(&str[i], pat, (size_t)npat)) {
      out[j++] = str[i];
    } else {
      memcpy(&out[j], rep, (size_t)nrep);
      j += nrep;
      i += npat - 1;
    }
  }
  memcpy(&out[j], &str[i], (size_t)(nstr - i));
  j += nstr - i;
  out[j] = 0;
  sqlite3_result_text64(ctx, (char *)out, (u64)j, sqlite3_free, SQLITE_UTF8);
}

void fn_round(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  int n = 0;
  if (argc == 2) {
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) return;
    n = sqlite3_value_int(argv[1]);
    if (n > 30) n = 30;
    if (n < 0) n = 0;
  }
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  double r = sqlite3_value_double(argv[0]);
  if (r < -4503599627370496.0 || r > +4503599627370496.0) {
    /* no fractional part */
  } else if (n == 0) {
    r = (double)((i64)(r + (r < 0 ? -0.5 : +0.5)));
  } else {
    char *z = sqlite3_mprintf("%.*f", n, r);
    if (z == NULL) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    shale_atof_sqlite(z, &r, (int)strlen(z));
    sqlite3_free(z);
  }
  sqlite3_result_double(ctx, r);
}

/* trim/ltrim/rtrim: user_data 1 = left, 2 = right, 3 = both. */
void fn_trim(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  const u8 *in = sqlite3_value_text(argv[0]);
  if (in == NULL) return;
  int nin = sqlite3_value_bytes(argv[0]);
  const u8 *set;
  if (argc == 1) {
    set = (const u8 *)" ";
  } else if ((set = sqlite3_value_text(argv[1])) == NULL) {
    return;
  }
  /* Characters of the set, as (offset, length) pairs over `set`. */
  int nchar = 0;
  for (const u8 *z = set; *z;) {
    SHALE_SKIP_UTF8(z);
    nchar++;
  }
  if (nchar > 0) {
    const u8 *chars_stack[16];
    u8 len_stack[16];
    const u8 **chars = chars_stack;
    u8 *lens = len_stack;
    void *heap = NULL;
    if (nchar > 16) {
      heap = sqlite3_malloc64((u64)nchar * (sizeof(u8 *) + 1));
      if (heap == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
      chars = heap;
      lens = (u8 *)&chars[nchar];
    }
    int k = 0;
    for (const u8 *z = set; *z; k++) {
      chars[k] = z;
      SHALE_SKIP_UTF8(z);
      lens[k] = (u8)(z - chars[k]);
    }
    intptr_t flags = (intptr_t)sqlite3_user_data(ctx);
    if (flags & 1) {
      while (nin > 0) {
        int len = 0, i;
        for (i = 0; i < nchar; i++) {
          len = lens[i];
          if (len <= nin && memcmp(in, chars[i], (size_t)len) == 0) break;
        }
        if (i >= nchar) break;
        in += len;
        nin -= len;
      }
    }
    if (flags & 2) {
      while (nin > 0) {
        int len = 0, i;
        for (i = 0; i < nchar; i++) {
          len = lens[i];
          if (len <= nin && memcmp(&in[nin - len], chars[i], (size_t)len) == 0) break;
        }
        if (i >= nchar) break;
        nin -= len;
      }
    }
    sqlite3_free(heap);
  }
  sqlite3_result_text(ctx, (const char *)in, nin, SQLITE_TRANSIENT);
}

void fn_sign(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  int t = sqlite3_value_numeric_type(argv[0]);
  if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) return;
  double x = sqlite3_value_double(argv[0]);
  sqlite3_result_int(ctx, x < 0.0 ? -1 : x > 0.0 ? 1 : 0);
}

void fn_soundex(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  /* Codes for A..Z (same for a..z). */
  static const u8 code_az[26] = {0, 1, 2, 3, 0, 1, 2, 0, 0, 2, 2, 4, 5,
                                 5, 0, 1, 2, 6, 2, 3, 0, 1, 0, 2, 0, 2};
  SHALE_UNUSED(argc);
  const u8 *in = sqlite3_value_text(argv[0]);
  if (in == NULL) in = (const u8 *)"";
#define ISALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define CODE(c) (ISALPHA((c) & 0x7f) ? code_az[((c) & 0x1f) - 1] : 0)
  int i, j;
  char res[8];
  for (i = 0; in[i] && !ISALPHA(in[i]); i++) {
  }
  if (in[i]) {
    u8 prev = CODE(in[i]);
    res[0] = (char)((in[i] >= 'a' && in[i] <= 'z') ? in[i] - 32 : in[i]);
    for (j = 1; j < 4 && in[i]; i++) {
      u8 code = CODE(in[i]);
      if (code > 0) {
        if (code != prev) {
          prev = code;
          res[j++] = (char)(code + '0');
        }
      } else {
        prev = 0;
      }
    }
    while (j < 4) res[j++] = '0';
    res[j] = 0;
    sqlite3_result_text(ctx, res, 4, SQLITE_TRANSIENT);
  } else {
    sqlite3_result_text(ctx, "?000", 4, SQLITE_STATIC);
  }
#undef CODE
#undef ISALPHA
}

void fn_compileoption_used(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  const char *z = (const char *)sqlite3_value_text(argv[0]);
  if (z) sqlite3_result_int(ctx, sqlite3_compileoption_used(z));
}

void fn_compileoption_get(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  int n = sqlite3_value_int(argv[0]);
  sqlite3_result_text(ctx, sqlite3_compileoption_get(n), -1, SQLITE_STATIC);
}

void fn_source_id(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_text(ctx, sqlite3_sourceid(), -1, SQLITE_STATIC);
}

void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_text(ctx, sqlite3_libversion(), -1, SQLITE_STATIC);
}

void fn_substr(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const u8 *z, *z2;
  int len;
  i64 p1, p2;
  int negp2 = 0;
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL ||
      (argc == 3 && sqlite3_value_type(argv[2]) == SQLITE_NULL))
    return;
  int t0 = sqlite3_value_type(argv[0]);
  p1 = sqlite3_value_int(argv[1]);
  if (t0 == SQLITE_BLOB) {
    len = sqlite3_value_bytes(argv[0]);
    z = sqlite3_value_blob(argv[0]);
    if (z == NULL) return;
  } else {
    z = sqlite3_value_text(argv[0]);
    if (z == NULL) return;
    len = 0;
    if (p1 < 0) {
      for (z2 = z; *z2; len++) SHALE_SKIP_UTF8(z2);
    }
  }
  if (argc == 3) {
    p2 = sqlite3_value_int(argv[2]);
    if (p2 < 0) {
      p2 = -p2;
      negp2 = 1;
    }
  } else {
    p2 = func_max_length(ctx);
  }
  if (p1 < 0) {
    p1 += len;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    p1--;
  } else if (p2 > 0) {
    p2--;
  }
  if (negp2) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  if (t0 != SQLITE_BLOB) {
    while (*z && p1) {
      SHALE_SKIP_UTF8(z);
      p1--;
    }
    for (z2 = z; *z2 && p2; p2--) SHALE_SKIP_UTF8(z2);
    sqlite3_result_text64(ctx, (const char *)z, (u64)(z2 - z), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else {
    if (p1 + p2 > len) {
      p2 = len - p1;
      if (p2 < 0) p2 = 0;
    }
    sqlite3_result_blob64(ctx, p2 > 0 ? (const void *)&z[p1] : (const void *)"", (u64)p2,
                          SQLITE_TRANSIENT);
  }
}

void fn_typeof(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const names[] = {"integer", "real", "text", "blob", "null"};
  SHALE_UNUSED(argc);
  int t = sqlite3_value_type(argv[0]);
  if (t < 1 || t > 5) t = 5;
  sqlite3_result_text(ctx, names[t - 1], -1, SQLITE_STATIC);
}

void fn_unicode(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  const u8 *z = sqlite3_value_text(argv[0]);
  if (z && z[0]) sqlite3_result_int(ctx, (int)shale_utf8_read(&z));
}

void fn_zeroblob(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  i64 n = sqlite3_value_int64(argv[0]);
  if (n < 0) n = 0;
  int rc = sqlite3_result_zeroblob64(ctx, (u64)n);
  if (rc) sqlite3_result_error_code(ctx, rc);
}

/* concat(...) / concat_ws(SEP, ...) — SQLite 3.44; not registered for 3.40. */
static void concat_impl(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                        const char *sep, int nsep) {
  i64 n = 0;
  for (int i = 0; i < argc; i++) n += sqlite3_value_bytes(argv[i]) + nsep;
  char *z = func_ctx_malloc(ctx, n + 1);
  if (z == NULL) return;
  i64 j = 0;
  int first = 1;
  for (int i = 0; i < argc; i++) {
    const char *v = (const char *)sqlite3_value_text(argv[i]);
    if (v == NULL) continue;
    int k = sqlite3_value_bytes(argv[i]);
    if (!first && nsep) {
      memcpy(z + j, sep, (size_t)nsep);
      j += nsep;
    }
    first = 0;
    memcpy(z + j, v, (size_t)k);
    j += k;
  }
  z[j] = 0;
  sqlite3_result_text64(ctx, z, (u64)j, sqlite3_free, SQLITE_UTF8);
}
void fn_concat(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  concat_impl(ctx, argc, argv, "", 0);
}
void fn_concat_ws(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *sep = (const char *)sqlite3_value_text(argv[0]);
  if (sep == NULL) return;
  concat_impl(ctx, argc - 1, argv + 1, sep, sqlite3_value_bytes(argv[0]));
}

/* ---- math functions (SQLITE_ENABLE_MATH_FUNCTIONS, as in Debian's build) ---- */
typedef double (*MathFn1)(double);
typedef double (*MathFn2)(double, double);

void fn_math1(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  int t = sqlite3_value_numeric_type(argv[0]);
  if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) return;
  MathFn1 f = (MathFn1)(uintptr_t)sqlite3_user_data(ctx);
  sqlite3_result_double(ctx, f(sqlite3_value_double(argv[0])));
}

void fn_math2(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  int t0 = sqlite3_value_numeric_type(argv[0]);
  if (t0 != SQLITE_INTEGER && t0 != SQLITE_FLOAT) return;
  int t1 = sqlite3_value_numeric_type(argv[1]);
  if (t1 != SQLITE_INTEGER && t1 != SQLITE_FLOAT) return;
  MathFn2 f = (MathFn2)(uintptr_t)sqlite3_user_data(ctx);
  sqlite3_result_double(ctx, f(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}

/* ceil/ceiling/floor/trunc: integers pass through unchanged. */
void fn_ceil(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  switch (sqlite3_value_numeric_type(argv[0])) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0])); break;
    case SQLITE_FLOAT: {
      MathFn1 f = (MathFn1)(uintptr_t)sqlite3_user_data(ctx);
      sqlite3_result_double(ctx, f(sqlite3_value_double(argv[0])));
      break;
    }
    default: break;
  }
}

/* ln(X), log(X)=log10, log10(X), log2(X), log(B,X).  user_data: 0 ln, 1 log10, 2 log2 */
void fn_log(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  double x, b;
  switch (sqlite3_value_numeric_type(argv[0])) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      x = sqlite3_value_double(argv[0]);
      if (x <= 0.0) return;
      break;
    default: return;
  }
  if (argc == 2) {
    switch (sqlite3_value_numeric_type(argv[0])) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT:
        b = log(x);
        if (b <= 0.0) return;
        x = sqlite3_value_double(argv[1]);
        if (x <= 0.0) return;
        x = log(x) / b;
        break;
      default: return;
    }
  } else {
    /* As SQLite: natural log divided by ln 10 / ln 2 (so log10(1000) is 2.9999999999999996). */
    x = log(x);
    switch ((intptr_t)sqlite3_user_data(ctx)) {
      case 1: x /= 2.302585092994045684017991454684364208; break;
      case 2: x /= 0.693147180559945309417232121458176568; break;
      default: break;
    }
  }
  sqlite3_result_double(ctx, x);
}

void fn_pi(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_double(ctx, 3.14159265358979323846);
}

/* load_extension(X [, Y]): Shale loads no extensions; SQLite answers this
** way too unless sqlite3_enable_load_extension() was called. */
void fn_load_extension(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  sqlite3_result_error(ctx, "not authorized", -1);
}

/* subtype(X): the subtype of X (0 if none). */
void fn_subtype(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  sqlite3_result_int(ctx, (int)sqlite3_value_subtype(argv[0]));
}

/* sqlite_log(E, M): writes to the error log (sqlite3_log); Shale's API has
** no error log callback, so this only evaluates its arguments.  NULL. */
void fn_sqlite_log(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  (void)sqlite3_value_int(argv[0]);
  (void)sqlite3_value_text(argv[1]);
  sqlite3_result_null(ctx);
}
