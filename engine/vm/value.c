/*
** value.c — Mem (struct sqlite3_value): storage, conversions with SQLite's
** rules (CAST, affinity, arithmetic views), comparison, UTF-16 conversion.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "value.h"
#include "../api/connection.h"
#include "../util/printf.h"

#define LARGEST_INT64 ((i64)0x7fffffffffffffffLL)
#define SMALLEST_INT64 ((i64)(-LARGEST_INT64 - 1))

char *vm_mprintf(const char *fmt, ...) {
  va_list ap;
  char tmp[256];
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *z = sqlite3_malloc64((u64)n + 1);
  if (!z) return NULL;
  if (n < (int)sizeof tmp) {
    memcpy(z, tmp, (size_t)n + 1);
  } else {
    va_start(ap, fmt);
    vsnprintf(z, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  return z;
}

/* ------------------------------------------------------------ storage -- */
void mem_init(Mem *m, sqlite3 *db) {
  memset(m, 0, sizeof(*m));
  m->flags = MEM_Null;
  m->db = db;
}

#define MEM_NEEDS_CLEAR(m) /* MEM_Agg: see mem_finalize_agg */ \
  (((m)->flags & (MEM_Dyn | MEM_Agg | MEM_Obj | MEM_Ptr)) || (m)->z16)

/* An accumulator dropped before its OP_AggFinal (a window function's state
** at a partition change or at the end of the program, a statement reset
** mid-aggregate) still owns whatever its xStep allocated: run xFinal into a
** throwaway result so the function frees it, as SQLite's
** sqlite3VdbeMemFinalize does when a register holding MEM_Agg is released. */
static void mem_finalize_agg(Mem *m) {
  const FuncDef *def = m->u.def;
  if (!def || !def->x_final) return;
  sqlite3_context ctx;
  memset(&ctx, 0, sizeof ctx);
  Mem out;
  mem_init(&out, m->db);
  ctx.out = &out;
  ctx.def = def;
  ctx.agg = m;
  ctx.db = m->db;
  def->x_final(&ctx);
  mem_release(&out);
  sqlite3_free(ctx.err);
}

static void mem_clear_slow(Mem *m) {
  if (m->flags & MEM_Agg) {
    mem_finalize_agg(m);
    m->u.def = NULL;
  }
  if ((m->flags & MEM_Dyn) && m->xDel && m->z) m->xDel(m->z);
  if ((m->flags & (MEM_Obj | MEM_Ptr)) && m->xDel && m->u.p) m->xDel(m->u.p);
  if (m->z16) {
    sqlite3_free(m->z16);
    m->z16 = NULL;
  }
  m->xDel = NULL;
  m->flags = MEM_Null;
}

static inline void mem_clear(Mem *m) {
  if (MEM_NEEDS_CLEAR(m)) mem_clear_slow(m);
  m->flags = MEM_Null;
  m->z = NULL;
  m->n = 0;
  m->subtype = 0;
  m->nochange = 0;
}

void mem_release(Mem *m) {
  mem_clear(m);
  if (m->zMalloc) sqlite3_free(m->zMalloc);
  m->zMalloc = NULL;
  m->szMalloc = 0;
}

void mem_clear_extras(Mem *m) { mem_clear_slow(m); }

void mem_set_real(Mem *m, double v) {
  mem_clear(m);
  if (isnan(v)) return;
  m->r = v;
  m->flags = MEM_Real;
}

int mem_grow(Mem *m, int n, int preserve) {
  if (n < 32) n = 32;
  if (m->szMalloc < n) {
    char *p;
    if (preserve && m->z == m->zMalloc && m->zMalloc) {
      p = sqlite3_realloc64(m->zMalloc, (u64)n);
      if (!p) return SQLITE_NOMEM;
      m->zMalloc = p;
      m->z = p;
    } else {
      p = sqlite3_malloc64((u64)n);
      if (!p) return SQLITE_NOMEM;
      if (preserve && m->z && m->n > 0) memcpy(p, m->z, (size_t)m->n);
      if (m->zMalloc) sqlite3_free(m->zMalloc);
      m->zMalloc = p;
    }
    m->szMalloc = (int)sqlite3_msize(m->zMalloc);
  } else if (preserve && m->z && m->z != m->zMalloc && m->n > 0) {
    memmove(m->zMalloc, m->z, (size_t)m->n);
  }
  if ((m->flags & MEM_Dyn) && m->xDel && m->z && m->z != m->zMalloc) {
    m->xDel(m->z);
    m->xDel = NULL;
  }
  m->z = m->zMalloc;
  m->flags &= (u16)~(MEM_Dyn | MEM_Static | MEM_Ephem);
  return SQLITE_OK;
}

static int mem_set_bytes(Mem *m, const void *z, i64 n, void (*xDel)(void *), u16 type) {
  if (z == NULL) {
    mem_clear(m);
    return SQLITE_OK;
  }
  if (n < 0) n = (i64)strlen((const char *)z);
  if (n > 0x7ffffff0) {
    if (xDel && xDel != SQLITE_TRANSIENT) xDel((void *)z);
    mem_clear(m);
    return SQLITE_TOOBIG;
  }
  if (xDel == SQLITE_TRANSIENT) {
    if (MEM_NEEDS_CLEAR(m)) mem_clear_slow(m);
    if (mem_grow(m, (int)n + 2, 0)) {
      mem_clear(m);
      return SQLITE_NOMEM;
    }
    if (n) memcpy(m->z, z, (size_t)n);
    m->z[n] = 0;
    m->z[n + 1] = 0;
    m->n = (int)n;
    m->flags = type | MEM_Term;
  } else {
    mem_clear(m);
    m->z = (char *)z;
    m->n = (int)n;
    if (xDel == SQLITE_STATIC) {
      m->flags = type | MEM_Static;
    } else {
      m->flags = type | MEM_Dyn;
      m->xDel = xDel;
    }
  }
  m->subtype = 0;
  return SQLITE_OK;
}

int mem_set_str(Mem *m, const char *z, i64 n, void (*xDel)(void *)) {
  int rc = mem_set_bytes(m, z, n, xDel, MEM_Str);
  if (rc == SQLITE_OK && (m->flags & MEM_Str) && n < 0 && !(m->flags & MEM_Term))
    m->flags |= MEM_Term;
  return rc;
}

int mem_set_blob(Mem *m, const void *z, i64 n, void (*xDel)(void *)) {
  if (z == NULL && n == 0) {
    /* empty blob */
    mem_clear(m);
    m->flags = MEM_Blob;
    m->z = NULL;
    m->n = 0;
    return SQLITE_OK;
  }
  return mem_set_bytes(m, z, n < 0 ? 0 : n, xDel, MEM_Blob);
}

void mem_set_zeroblob(Mem *m, int n) {
  mem_clear(m);
  if (n < 0) n = 0;
  m->flags = MEM_Blob | MEM_Zero;
  m->n = 0;
  m->u.nzero = n;
  m->z = NULL;
}

int mem_expand_zero(Mem *m) {
  if (!(m->flags & MEM_Zero)) return SQLITE_OK;
  int nz = m->u.nzero, n = m->n;
  if (mem_grow(m, n + nz + 1, 1)) return SQLITE_NOMEM;
  memset(m->z + n, 0, (size_t)nz);
  m->n = n + nz;
  m->flags &= (u16)~(MEM_Zero | MEM_Term);
  return SQLITE_OK;
}

int mem_make_writable(Mem *m) {
  if (m->flags & MEM_Zero) return mem_expand_zero(m);
  if ((m->flags & (MEM_Str | MEM_Blob)) && m->z != m->zMalloc) {
    u16 f = m->flags;
    if (mem_grow(m, m->n + 2, 1)) return SQLITE_NOMEM;
    m->z[m->n] = 0;
    m->z[m->n + 1] = 0;
    m->flags = (u16)((f & ~(MEM_Dyn | MEM_Static | MEM_Ephem)) | MEM_Term);
  }
  return SQLITE_OK;
}

int mem_nul_terminate(Mem *m) {
  if (m->flags & MEM_Term) return SQLITE_OK;
  if (m->flags & MEM_Zero) {
    if (mem_expand_zero(m)) return SQLITE_NOMEM;
  }
  if (m->z == m->zMalloc && m->szMalloc >= m->n + 2 && m->z) {
    m->z[m->n] = 0;
    m->z[m->n + 1] = 0;
    m->flags |= MEM_Term;
    return SQLITE_OK;
  }
  u16 f = m->flags;
  if (mem_grow(m, m->n + 2, 1)) return SQLITE_NOMEM;
  m->z[m->n] = 0;
  m->z[m->n + 1] = 0;
  m->flags = (u16)((f & ~(MEM_Dyn | MEM_Static | MEM_Ephem)) | MEM_Term);
  return SQLITE_OK;
}

int mem_copy_slow(Mem *to, const Mem *from) {
  if (to == from) return SQLITE_OK;
  if (MEM_NEEDS_CLEAR(to)) mem_clear_slow(to);
  u16 f = from->flags;
  if (f & (MEM_Agg | MEM_Obj | MEM_Ptr)) {
    /* objects are not copied; pointers copy as plain NULL-with-pointer
    ** without ownership */
    to->flags = MEM_Null;
    to->z = NULL;
    to->n = 0;
    if (f & MEM_Ptr) {
      to->flags = MEM_Null | MEM_Ptr;
      to->u.p = from->u.p;
      to->ptype = from->ptype;
      to->xDel = NULL;
    }
    return SQLITE_OK;
  }
  to->i = from->i;
  to->r = from->r;
  to->subtype = from->subtype;
  to->nochange = from->nochange;
  if (f & (MEM_Str | MEM_Blob)) {
    if (f & MEM_Static) {
      to->z = from->z;
      to->n = from->n;
      to->u = from->u;
      to->flags = f;
      return SQLITE_OK;
    }
    int n = from->n;
    if (to->szMalloc < n + 2) {
      if (mem_grow(to, n + 2, 0)) {
        to->flags = MEM_Null;
        return SQLITE_NOMEM;
      }
    }
    to->z = to->zMalloc;
    if (n) memcpy(to->z, from->z, (size_t)n);
    to->z[n] = 0;
    to->z[n + 1] = 0;
    to->n = n;
    to->u = from->u;
    to->flags = (u16)((f & ~(MEM_Dyn | MEM_Ephem | MEM_Static)) | MEM_Term);
  } else {
    to->flags = f;
    to->z = NULL;
    to->n = 0;
  }
  return SQLITE_OK;
}

void mem_set_static_ref(Mem *to, const Mem *from) {
  if (MEM_NEEDS_CLEAR(to)) mem_clear_slow(to);
  to->z = from->z;
  to->n = from->n;
  to->i = from->i;
  to->r = from->r;
  to->u = from->u;
  to->subtype = from->subtype;
  to->nochange = 0;
  to->flags = (u16)((from->flags & ~(MEM_Dyn | MEM_Ephem | MEM_FromBind)) | MEM_Static);
}

void mem_shallow_copy(Mem *to, const Mem *from) {
  mem_copy(to, from);
}

void mem_move(Mem *to, Mem *from) {
  if (to == from) return;
  /* keep to's buffer alive by handing it to `from` (no malloc churn);
  ** callers release `from` when it is a temporary */
  mem_clear(to);
  char *keep = to->zMalloc;
  int keep_sz = to->szMalloc;
  sqlite3 *db = to->db;
  *to = *from;
  if (!to->db) to->db = db;
  from->flags = MEM_Null;
  from->z = NULL;
  from->n = 0;
  from->zMalloc = keep;
  from->szMalloc = keep_sz;
  from->z16 = NULL;
  from->xDel = NULL;
}

/* ---------------------------------------------------- text <-> number -- */
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

int shale_atoi64(const char *z, int n, i64 *out) {
  int i = 0, neg = 0;
  while (i < n && is_space((u8)z[i])) i++;
  if (i < n && (z[i] == '-' || z[i] == '+')) {
    neg = z[i] == '-';
    i++;
  }
  int start = i;
  while (i < n && z[i] == '0') i++;
  int dstart = i;
  u64 u = 0;
  int nd = 0;
  while (i < n && is_digit((u8)z[i])) {
    if (nd < 20) u = u * 10 + (u64)(z[i] - '0');
    nd++;
    i++;
  }
  int had_digits = i > start;
  int j = i;
  while (j < n && is_space((u8)z[j])) j++;
  int rc = (j < n) ? 1 : 0;
  if (!had_digits) {
    *out = 0;
    return -1;
  }
  (void)dstart;
  if (nd > 19 || (nd == 19 && u > (u64)LARGEST_INT64 + (u64)neg) ||
      (nd == 19 && u < 1000000000000000000ULL)) {
    *out = neg ? SMALLEST_INT64 : LARGEST_INT64;
    return 2;
  }
  if (neg) *out = (i64)(0 - u);
  else *out = (i64)u;
  return rc;
}

/* Parse the longest numeric prefix.  Returns 1 if the whole string (allowing
** surrounding whitespace) is a number; *is_int if it had neither '.' nor an
** exponent.  *out = the prefix's value (0.0 if none). */
int shale_atof(const char *z, int n, double *out, int *is_int) {
  int i = 0;
  char buf[400];
  int nb = 0;
  int nint = 1;
  int ndig = 0;
  while (i < n && is_space((u8)z[i])) i++;
  if (i < n && (z[i] == '-' || z[i] == '+')) {
    buf[nb++] = z[i];
    i++;
  }
  while (i < n && is_digit((u8)z[i])) {
    if (nb < 350) buf[nb++] = z[i];
    else nint = 0; /* very long: fall back below */
    ndig++;
    i++;
  }
  int int_digits = ndig;
  if (i < n && z[i] == '.') {
    int k = i + 1;
    int fd = 0;
    while (k < n && is_digit((u8)z[k])) k++, fd++;
    if (ndig > 0 || fd > 0) {
      nint = 0;
      if (nb < 380) buf[nb++] = '.';
      for (int t = i + 1; t < k; t++)
        if (nb < 380) buf[nb++] = z[t];
      ndig += fd;
      i = k;
    }
  }
  if (ndig > 0 && i < n && (z[i] == 'e' || z[i] == 'E')) {
    int k = i + 1;
    if (k < n && (z[k] == '-' || z[k] == '+')) k++;
    if (k < n && is_digit((u8)z[k])) {
      nint = 0;
      int e0 = nb;
      buf[nb++] = 'e';
      for (int t = i + 1; t < k; t++) buf[nb++] = z[t];
      int ed = 0;
      while (k < n && is_digit((u8)z[k])) {
        if (ed < 8) buf[nb++] = z[k];
        ed++;
        k++;
      }
      if (ed >= 8) { /* huge exponent */
        nb = e0;
        buf[nb++] = 'e';
        buf[nb++] = (z[i + 1] == '-') ? '-' : '+';
        memcpy(buf + nb, "99999", 5);
        nb += 5;
      }
      i = k;
    }
  }
  buf[nb] = 0;
  if (ndig == 0) {
    *out = 0.0;
    if (is_int) *is_int = 1;
    return 0;
  }
  if (int_digits > 340) {
    /* absurdly long integer part: approximate */
    *out = (buf[0] == '-') ? -HUGE_VAL : HUGE_VAL;
  } else {
    *out = strtod(buf, NULL);
  }
  if (is_int) *is_int = nint;
  while (i < n && is_space((u8)z[i])) i++;
  return i >= n;
}

static i64 double_to_int64(double r) {
  if (isnan(r)) return 0;
  if (r <= (double)SMALLEST_INT64) return SMALLEST_INT64;
  if (r >= (double)LARGEST_INT64) return LARGEST_INT64;
  return (i64)r;
}

/* SQLite's REAL -> TEXT ("%!.15g", SQLite's own rounding), from util. */
void shale_format_real(double r, char *buf) {
  if (isinf(r)) {
    strcpy(buf, r < 0 ? "-Inf" : "Inf");
    return;
  }
  if (r == 0.0) {
    strcpy(buf, "0.0");
    return;
  }
  shale_format_double(r, buf, 40);
}

int mem_stringify(Mem *m) {
  char buf[48];
  int n;
  if (m->flags & MEM_Int) {
    n = snprintf(buf, sizeof buf, "%lld", (long long)m->i);
  } else if (m->flags & (MEM_Real | MEM_IntReal)) {
    shale_format_real((m->flags & MEM_IntReal) ? (double)m->i : m->r, buf);
    n = (int)strlen(buf);
  } else {
    return SQLITE_OK;
  }
  if (MEM_NEEDS_CLEAR(m)) {
    u16 f = m->flags;
    mem_clear_slow(m);
    m->flags = f;
  }
  if (m->szMalloc < n + 2) {
    u16 f = m->flags;
    if (mem_grow(m, n + 2, 0)) return SQLITE_NOMEM;
    m->flags = f;
  }
  m->z = m->zMalloc;
  memcpy(m->z, buf, (size_t)n + 1);
  m->z[n + 1] = 0;
  m->n = n;
  m->flags = (u16)((m->flags & ~(MEM_Dyn | MEM_Static | MEM_Ephem)) | MEM_Str | MEM_Term);
  return SQLITE_OK;
}

int mem_type(const Mem *m) {
  u16 f = m->flags;
  if (f & MEM_Null) return SQLITE_NULL;
  if (f & MEM_Int) return SQLITE_INTEGER;
  if (f & (MEM_Real | MEM_IntReal)) return SQLITE_FLOAT;
  if (f & MEM_Str) return SQLITE_TEXT;
  if (f & MEM_Blob) return SQLITE_BLOB;
  return SQLITE_NULL;
}

i64 mem_int_value(const Mem *m) {
  u16 f = m->flags;
  if (f & (MEM_Int | MEM_IntReal)) return m->i;
  if (f & MEM_Real) return double_to_int64(m->r);
  if ((f & (MEM_Str | MEM_Blob)) && m->z) {
    i64 v;
    shale_atoi64(m->z, m->n, &v);
    return v;
  }
  return 0;
}

double mem_real_value(const Mem *m) {
  u16 f = m->flags;
  if (f & MEM_Real) return m->r;
  if (f & (MEM_Int | MEM_IntReal)) return (double)m->i;
  if ((f & (MEM_Str | MEM_Blob)) && m->z) {
    double r;
    shale_atof(m->z, m->n, &r, NULL);
    return r;
  }
  return 0.0;
}

int mem_is_true(const Mem *m, int if_null) {
  if (m->flags & MEM_Null) return if_null;
  if (m->flags & MEM_Int) return m->i != 0;
  return mem_real_value(m) != 0.0;
}

int mem_numeric_type(const Mem *m, i64 *pi, double *pr) {
  u16 f = m->flags;
  if (f & (MEM_Int | MEM_IntReal)) {
    *pi = m->i;
    return MEM_Int;
  }
  if (f & MEM_Real) {
    *pr = m->r;
    return MEM_Real;
  }
  if ((f & (MEM_Str | MEM_Blob)) && m->z) {
    int is_int;
    double r;
    shale_atof(m->z, m->n, &r, &is_int);
    if (is_int) {
      i64 v;
      int rc = shale_atoi64(m->z, m->n, &v);
      if (rc <= 1) {
        *pi = v;
        return MEM_Int;
      }
    }
    *pr = r;
    return MEM_Real;
  }
  *pi = 0;
  return MEM_Int;
}

static int real_same_as_int(double r, i64 i) {
  return r == 0.0 || (r == (double)i && i >= -2251799813685248LL && i < 2251799813685248LL);
}

void mem_apply_numeric_affinity(Mem *m, int try_for_int) {
  if ((m->flags & (MEM_Int | MEM_Real | MEM_IntReal)) || !(m->flags & MEM_Str)) return;
  double r;
  int is_int;
  if (!shale_atof(m->z, m->n, &r, &is_int)) return;
  i64 v;
  if (is_int && shale_atoi64(m->z, m->n, &v) == 0) {
    mem_set_int(m, v);
    return;
  }
  if (try_for_int) {
    i64 ix = double_to_int64(r);
    if (r == (double)ix && ix > SMALLEST_INT64 && ix < LARGEST_INT64) {
      mem_set_int(m, ix);
      return;
    }
  }
  mem_set_real(m, r);
}

void mem_numerify(Mem *m) {
  if (m->flags & (MEM_Int | MEM_Real | MEM_IntReal | MEM_Null)) {
    if (m->flags & MEM_IntReal) mem_set_real(m, (double)m->i);
    else m->flags &= (u16)(MEM_Int | MEM_Real | MEM_Null);
    return;
  }
  if (!(m->flags & (MEM_Str | MEM_Blob)) || !m->z) {
    mem_set_int(m, 0);
    return;
  }
  double r;
  int is_int;
  shale_atof(m->z, m->n, &r, &is_int);
  i64 v;
  int arc = shale_atoi64(m->z, m->n, &v);
  if (is_int && arc <= 1) {
    mem_set_int(m, v);
    return;
  }
  i64 ix = double_to_int64(r);
  if (real_same_as_int(r, ix)) {
    mem_set_int(m, ix);
  } else {
    mem_set_real(m, r);
  }
}

static void mem_to_blob(Mem *m) {
  if (m->flags & (MEM_Int | MEM_Real | MEM_IntReal)) mem_stringify(m);
  if (m->flags & MEM_Str) {
    m->flags = (u16)((m->flags & ~(MEM_Str | MEM_Int | MEM_Real | MEM_IntReal)) | MEM_Blob);
  }
}

int mem_cast(Mem *m, char aff) {
  if (m->flags & MEM_Null) return SQLITE_OK;
  switch ((u8)aff) {
    case SQLITE_AFF_BLOB:
      mem_to_blob(m);
      break;
    case SQLITE_AFF_NUMERIC:
      mem_numerify(m);
      break;
    case SQLITE_AFF_INTEGER:
      mem_set_int(m, mem_int_value(m));
      break;
    case SQLITE_AFF_REAL:
      mem_set_real(m, mem_real_value(m));
      if (m->flags & MEM_Null) mem_set_real(m, 0.0);
      break;
    default: /* TEXT */
      if (m->flags & (MEM_Int | MEM_Real | MEM_IntReal)) {
        mem_stringify(m);
        m->flags &= (u16)~(MEM_Int | MEM_Real | MEM_IntReal);
      } else if (m->flags & MEM_Blob) {
        if (m->flags & MEM_Zero) mem_expand_zero(m);
        m->flags = (u16)((m->flags & ~MEM_Blob) | MEM_Str);
        mem_nul_terminate(m);
      }
      break;
  }
  return SQLITE_OK;
}

void mem_apply_affinity(Mem *m, char aff) {
  u8 a = (u8)aff;
  if (a >= SQLITE_AFF_NUMERIC) {
    if (!(m->flags & MEM_Int)) {
      if (!(m->flags & (MEM_Real | MEM_IntReal))) {
        if (m->flags & MEM_Str) mem_apply_numeric_affinity(m, 1);
      } else if (a <= SQLITE_AFF_REAL && (m->flags & MEM_Real)) {
        double r = m->r;
        if (r >= -9223372036854775808.0 && r < 9223372036854775808.0) {
          i64 ix = (i64)r;
          if (r == (double)ix && ix > SMALLEST_INT64 && ix < LARGEST_INT64) mem_set_int(m, ix);
        }
      }
    }
  } else if (a == SQLITE_AFF_TEXT) {
    if (m->flags & (MEM_Int | MEM_Real | MEM_IntReal)) {
      if (!(m->flags & MEM_Str)) mem_stringify(m);
      m->flags &= (u16)~(MEM_Int | MEM_Real | MEM_IntReal);
    }
  }
}

/* ---------------------------------------------------------- compare -- */
static int int_real_compare(i64 i, double r) {
  if (isnan(r)) return 1;
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  i64 y = (i64)r;
  if (i < y) return -1;
  if (i > y) return 1;
  double s = (double)i;
  if (s < r) return -1;
  if (s > r) return 1;
  return 0;
}

static int blob_compare(const Mem *a, const Mem *b) {
  int na = a->n + ((a->flags & MEM_Zero) ? a->u.nzero : 0);
  int nb = b->n + ((b->flags & MEM_Zero) ? b->u.nzero : 0);
  int n = na < nb ? na : nb;
  for (int k = 0; k < n; k++) {
    int ca = k < a->n ? (u8)a->z[k] : 0;
    int cb = k < b->n ? (u8)b->z[k] : 0;
    if (ca != cb) return ca - cb;
    if (k >= a->n && k >= b->n) break; /* both in zero tails */
  }
  return na - nb;
}

int mem_compare(const Mem *a, const Mem *b, const CollSeq *coll) {
  u16 fa = a->flags, fb = b->flags;
  if ((fa | fb) & MEM_Null) {
    if (fa & fb & MEM_Null) return 0;
    return (fa & MEM_Null) ? -1 : 1;
  }
  if ((fa | fb) & (MEM_Int | MEM_Real | MEM_IntReal)) {
    int an = (fa & (MEM_Int | MEM_Real | MEM_IntReal)) != 0;
    int bn = (fb & (MEM_Int | MEM_Real | MEM_IntReal)) != 0;
    if (an && bn) {
      int ai = (fa & (MEM_Int | MEM_IntReal)) != 0;
      int bi = (fb & (MEM_Int | MEM_IntReal)) != 0;
      if (ai && bi) return a->i < b->i ? -1 : a->i > b->i;
      if (!ai && !bi) return a->r < b->r ? -1 : a->r > b->r;
      if (ai) return int_real_compare(a->i, b->r);
      return -int_real_compare(b->i, a->r);
    }
    return an ? -1 : 1;
  }
  if ((fa | fb) & MEM_Str) {
    if (!(fa & MEM_Str)) return 1;
    if (!(fb & MEM_Str)) return -1;
    if (coll && coll->x_cmp && !(coll->name && shale_stricmp(coll->name, "BINARY") == 0))
      return coll_compare(coll, a->z, a->n, b->z, b->n);
    u8 enc = a->db && a->db->enc ? a->db->enc : b->db && b->db->enc ? b->db->enc : SQLITE_UTF8;
    if (enc == SQLITE_UTF16LE || enc == SQLITE_UTF16BE) {
      /* like SQLite: BINARY compares the bytes of the database encoding */
      char *xa = NULL, *xb = NULL;
      int na = 0, nb = 0;
      if (shale_utf8_to_utf16(a->z, a->n, enc, &xa, &na) == SQLITE_OK &&
          shale_utf8_to_utf16(b->z, b->n, enc, &xb, &nb) == SQLITE_OK) {
        int m = na < nb ? na : nb;
        int c = m ? memcmp(xa, xb, (size_t)m) : 0;
        sqlite3_free(xa);
        sqlite3_free(xb);
        return c ? c : na - nb;
      }
      sqlite3_free(xa);
      sqlite3_free(xb);
    }
    int n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->z, b->z, (size_t)n) : 0;
    return c ? c : a->n - b->n;
  }
  return blob_compare(a, b);
}

/* ------------------------------------------------------------ UTF-16 -- */
static int utf8_decode(const u8 *z, int n, int *i) {
  int c = z[(*i)++];
  if (c < 0x80) return c;
  int extra, min;
  if (c >= 0xf0) { c &= 0x07; extra = 3; min = 0x10000; }
  else if (c >= 0xe0) { c &= 0x0f; extra = 2; min = 0x800; }
  else if (c >= 0xc0) { c &= 0x1f; extra = 1; min = 0x80; }
  else return 0xfffd;
  while (extra-- > 0 && *i < n && (z[*i] & 0xc0) == 0x80) c = (c << 6) | (z[(*i)++] & 0x3f);
  if (c < min || (c & 0xfffff800) == 0xd800 || c > 0x10ffff) c = 0xfffd;
  return c;
}

int shale_utf8_to_utf16(const char *z, int n, u8 enc, char **out, int *nout) {
  u8 *o = sqlite3_malloc64((u64)n * 2 + 4);
  if (!o) return SQLITE_NOMEM;
  int i = 0, k = 0;
  const u8 *s = (const u8 *)z;
  while (i < n) {
    int c = utf8_decode(s, n, &i);
    unsigned units[2];
    int nu = 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      units[0] = 0xd800 | ((unsigned)c >> 10);
      units[1] = 0xdc00 | ((unsigned)c & 0x3ff);
      nu = 2;
    } else {
      units[0] = (unsigned)c;
    }
    for (int t = 0; t < nu; t++) {
      if (enc == SQLITE_UTF16BE) {
        o[k++] = (u8)(units[t] >> 8);
        o[k++] = (u8)units[t];
      } else {
        o[k++] = (u8)units[t];
        o[k++] = (u8)(units[t] >> 8);
      }
    }
  }
  o[k] = 0;
  o[k + 1] = 0;
  *out = (char *)o;
  *nout = k;
  return SQLITE_OK;
}

int shale_utf16_to_utf8(const void *z, int n, u8 enc, char **out, int *nout) {
  const u8 *s = z;
  n &= ~1;
  u8 *o = sqlite3_malloc64((u64)n * 2 + 4);
  if (!o) return SQLITE_NOMEM;
  int i = 0, k = 0;
  while (i + 1 < n) {
    unsigned c = enc == SQLITE_UTF16BE ? ((unsigned)s[i] << 8 | s[i + 1]) : (s[i] | (unsigned)s[i + 1] << 8);
    i += 2;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      unsigned c2 = enc == SQLITE_UTF16BE ? ((unsigned)s[i] << 8 | s[i + 1]) : (s[i] | (unsigned)s[i + 1] << 8);
      if (c2 >= 0xdc00 && c2 < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
        i += 2;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xd800 && c < 0xe000) {
      c = 0xfffd;
    }
    if (c < 0x80) o[k++] = (u8)c;
    else if (c < 0x800) {
      o[k++] = (u8)(0xc0 | (c >> 6));
      o[k++] = (u8)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      o[k++] = (u8)(0xe0 | (c >> 12));
      o[k++] = (u8)(0x80 | ((c >> 6) & 0x3f));
      o[k++] = (u8)(0x80 | (c & 0x3f));
    } else {
      o[k++] = (u8)(0xf0 | (c >> 18));
      o[k++] = (u8)(0x80 | ((c >> 12) & 0x3f));
      o[k++] = (u8)(0x80 | ((c >> 6) & 0x3f));
      o[k++] = (u8)(0x80 | (c & 0x3f));
    }
  }
  o[k] = 0;
  *out = (char *)o;
  *nout = k;
  return SQLITE_OK;
}

int mem_set_text16(Mem *m, const void *z, i64 n, u8 enc, void (*xDel)(void *)) {
  if (!z) {
    mem_clear(m);
    return SQLITE_OK;
  }
  if (enc == SQLITE_UTF16 || enc == SQLITE_UTF16_ALIGNED) enc = SQLITE_UTF16LE;
  if (n < 0) {
    const u8 *s = z;
    n = 0;
    while (s[n] || s[n + 1]) n += 2;
  }
  char *u;
  int nu;
  int rc = shale_utf16_to_utf8(z, (int)n, enc, &u, &nu);
  if (xDel && xDel != SQLITE_TRANSIENT) xDel((void *)z);
  if (rc) {
    mem_clear(m);
    return rc;
  }
  return mem_set_str(m, u, nu, sqlite3_free);
}

/* ------------------------------------------------ sqlite3_value_* API -- */
const void *sqlite3_value_blob(sqlite3_value *m) {
  if (!m) return NULL;
  if (m->flags & (MEM_Blob | MEM_Str)) {
    if (m->flags & MEM_Zero) mem_expand_zero(m);
    if (m->flags & MEM_Str) {
      /* SQLite converts the value to a blob in place */
    }
    return m->n ? m->z : NULL;
  }
  if (m->flags & MEM_Null) return NULL;
  mem_stringify(m);
  return m->n ? m->z : NULL;
}

const unsigned char *sqlite3_value_text(sqlite3_value *m) {
  if (!m || (m->flags & MEM_Null)) return NULL;
  if (m->flags & (MEM_Int | MEM_Real | MEM_IntReal)) {
    if (!(m->flags & MEM_Str)) mem_stringify(m);
    return (const unsigned char *)m->z;
  }
  if (m->flags & (MEM_Str | MEM_Blob)) {
    if (mem_nul_terminate(m)) return NULL;
    if (!m->z) {
      /* empty blob */
      if (mem_grow(m, 2, 0)) return NULL;
      m->z[0] = 0;
      m->flags |= MEM_Term;
    }
    return (const unsigned char *)m->z;
  }
  return NULL;
}

int sqlite3_value_bytes(sqlite3_value *m) {
  if (!m) return 0;
  if (m->flags & (MEM_Str | MEM_Blob)) return m->n + ((m->flags & MEM_Zero) ? m->u.nzero : 0);
  if (m->flags & MEM_Null) return 0;
  mem_stringify(m);
  return m->n;
}

static const void *value_text16_enc(sqlite3_value *m, u8 enc) {
  if (!m || (m->flags & MEM_Null)) return NULL;
  const unsigned char *z = sqlite3_value_text(m);
  if (!z) return NULL;
  if (m->z16 && m->enc16 == enc) return m->z16;
  if (m->z16) sqlite3_free(m->z16);
  m->z16 = NULL;
  if (shale_utf8_to_utf16(m->z, m->n, enc, &m->z16, &m->n16)) return NULL;
  m->enc16 = enc;
  return m->z16;
}

const void *mem_text16(Mem *m, u8 enc, int *n) {
  const void *z = value_text16_enc(m, enc);
  *n = z ? m->n16 : 0;
  return z;
}

const void *sqlite3_value_text16(sqlite3_value *m) { return value_text16_enc(m, SQLITE_UTF16LE); }
const void *sqlite3_value_text16le(sqlite3_value *m) { return value_text16_enc(m, SQLITE_UTF16LE); }
const void *sqlite3_value_text16be(sqlite3_value *m) { return value_text16_enc(m, SQLITE_UTF16BE); }
int sqlite3_value_bytes16(sqlite3_value *m) {
  if (!value_text16_enc(m, SQLITE_UTF16LE)) return 0;
  return m->n16;
}

double sqlite3_value_double(sqlite3_value *m) { return m ? mem_real_value(m) : 0.0; }
int sqlite3_value_int(sqlite3_value *m) { return m ? (int)mem_int_value(m) : 0; }
sqlite3_int64 sqlite3_value_int64(sqlite3_value *m) { return m ? mem_int_value(m) : 0; }
int sqlite3_value_type(sqlite3_value *m) { return m ? mem_type(m) : SQLITE_NULL; }
int sqlite3_value_nochange(sqlite3_value *m) { return m ? m->nochange : 0; }
int sqlite3_value_frombind(sqlite3_value *m) { return m ? (m->flags & MEM_FromBind) != 0 : 0; }
unsigned int sqlite3_value_subtype(sqlite3_value *m) {
  return m && (m->flags & MEM_Subtype) ? m->subtype : 0;
}
void *sqlite3_value_pointer(sqlite3_value *m, const char *type) {
  if (m && (m->flags & MEM_Ptr) && type && m->ptype && strcmp(type, m->ptype) == 0) return m->u.p;
  return NULL;
}

int sqlite3_value_numeric_type(sqlite3_value *m) {
  if (!m) return SQLITE_NULL;
  int t = mem_type(m);
  if (t == SQLITE_TEXT) {
    mem_apply_numeric_affinity(m, 0);
    t = mem_type(m);
  }
  return t;
}

sqlite3_value *sqlite3_value_dup(const sqlite3_value *m) {
  if (!m) return NULL;
  Mem *d = sqlite3_malloc64(sizeof(Mem));
  if (!d) return NULL;
  mem_init(d, m->db);
  if (m->flags & MEM_Ptr) {
    d->flags = MEM_Null;
    return d;
  }
  if (mem_copy(d, m)) {
    sqlite3_free(d);
    return NULL;
  }
  if (d->flags & MEM_Static) mem_make_writable(d);
  d->flags &= (u16)~MEM_FromBind;
  return d;
}

void sqlite3_value_free(sqlite3_value *m) {
  if (!m) return;
  mem_release(m);
  sqlite3_free(m);
}

/* ------------------------------------------------ sqlite3_result_* API -- */
void sqlite3_result_blob(sqlite3_context *c, const void *z, int n, void (*xDel)(void *)) {
  if (!c) return;
  if (n < 0) {
    if (xDel && xDel != SQLITE_TRANSIENT) xDel((void *)z);
    sqlite3_result_error(c, "misuse: negative blob length", -1);
    return;
  }
  if (!z) {
    mem_set_blob(c->out, NULL, 0, SQLITE_STATIC);
    if (n > 0) mem_set_zeroblob(c->out, n);
    return;
  }
  if (mem_set_blob(c->out, z, n, xDel) == SQLITE_TOOBIG) sqlite3_result_error_toobig(c);
}
void sqlite3_result_blob64(sqlite3_context *c, const void *z, sqlite3_uint64 n, void (*xDel)(void *)) {
  if (n > 0x7fffffff) {
    if (xDel && xDel != SQLITE_TRANSIENT) xDel((void *)z);
    sqlite3_result_error_toobig(c);
    return;
  }
  sqlite3_result_blob(c, z, (int)n, xDel);
}
void sqlite3_result_double(sqlite3_context *c, double r) {
  if (c) mem_set_real(c->out, r);
}
static void ctx_set_error(sqlite3_context *c, int code, const char *z, int n) {
  c->is_error = code ? code : SQLITE_ERROR;
  if (c->err) sqlite3_free(c->err);
  c->err = NULL;
  if (z) c->err = n < 0 ? shale_strdup(z) : shale_strndup(z, n);
  mem_set_null(c->out);
}
void sqlite3_result_error(sqlite3_context *c, const char *z, int n) {
  if (c) ctx_set_error(c, SQLITE_ERROR, z, n);
}
void sqlite3_result_error16(sqlite3_context *c, const void *z, int n) {
  if (!c) return;
  char *u = NULL;
  int nu = 0;
  if (z) {
    if (n < 0) {
      const u8 *s = z;
      n = 0;
      while (s[n] || s[n + 1]) n += 2;
    }
    shale_utf16_to_utf8(z, n, SQLITE_UTF16LE, &u, &nu);
  }
  ctx_set_error(c, SQLITE_ERROR, u, nu);
  sqlite3_free(u);
}
void sqlite3_result_error_toobig(sqlite3_context *c) {
  if (c) ctx_set_error(c, SQLITE_TOOBIG, "string or blob too big", -1);
}
void sqlite3_result_error_nomem(sqlite3_context *c) {
  if (c) ctx_set_error(c, SQLITE_NOMEM, NULL, 0);
}
void sqlite3_result_error_code(sqlite3_context *c, int code) {
  if (!c) return;
  c->is_error = code ? code : SQLITE_ERROR;
  mem_set_null(c->out);
}
void sqlite3_result_int(sqlite3_context *c, int v) {
  if (c) mem_set_int(c->out, v);
}
void sqlite3_result_int64(sqlite3_context *c, sqlite3_int64 v) {
  if (c) mem_set_int(c->out, v);
}
void sqlite3_result_null(sqlite3_context *c) {
  if (c) mem_set_null(c->out);
}
void sqlite3_result_text(sqlite3_context *c, const char *z, int n, void (*xDel)(void *)) {
  if (!c) return;
  if (mem_set_str(c->out, z, n, xDel) == SQLITE_TOOBIG) sqlite3_result_error_toobig(c);
}
void sqlite3_result_text64(sqlite3_context *c, const char *z, sqlite3_uint64 n, void (*xDel)(void *),
                           unsigned char enc) {
  if (!c) return;
  if (n > 0x7fffffff) {
    if (xDel && xDel != SQLITE_TRANSIENT) xDel((void *)z);
    sqlite3_result_error_toobig(c);
    return;
  }
  if (enc == SQLITE_UTF8) sqlite3_result_text(c, z, (int)n, xDel);
  else mem_set_text16(c->out, z, (i64)n, enc, xDel);
}
void sqlite3_result_text16(sqlite3_context *c, const void *z, int n, void (*xDel)(void *)) {
  if (c) mem_set_text16(c->out, z, n, SQLITE_UTF16LE, xDel);
}
void sqlite3_result_value(sqlite3_context *c, sqlite3_value *v) {
  if (!c) return;
  if (!v) {
    mem_set_null(c->out);
    return;
  }
  mem_copy(c->out, v);
  c->out->flags &= (u16)~MEM_FromBind;
}
void sqlite3_result_pointer(sqlite3_context *c, void *p, const char *type, void (*xDel)(void *)) {
  if (!c) return;
  mem_set_null(c->out);
  c->out->flags = MEM_Null | MEM_Ptr;
  c->out->u.p = p;
  c->out->ptype = type;
  c->out->xDel = xDel;
}
void sqlite3_result_zeroblob(sqlite3_context *c, int n) {
  if (c) mem_set_zeroblob(c->out, n < 0 ? 0 : n);
}
int sqlite3_result_zeroblob64(sqlite3_context *c, sqlite3_uint64 n) {
  if (!c) return SQLITE_MISUSE;
  if (n > 1000000000) {
    sqlite3_result_error_toobig(c);
    return SQLITE_TOOBIG;
  }
  mem_set_zeroblob(c->out, (int)n);
  return SQLITE_OK;
}
void sqlite3_result_subtype(sqlite3_context *c, unsigned int t) {
  if (!c) return;
  c->out->subtype = (u8)t;
  c->out->flags |= MEM_Subtype;
}

void *sqlite3_aggregate_context(sqlite3_context *c, int nBytes) {
  if (!c || !c->agg) return NULL;
  Mem *m = c->agg;
  if (!(m->flags & MEM_Agg)) {
    if (nBytes <= 0) return NULL;
    mem_set_null(m);
    if (mem_grow(m, nBytes, 0)) return NULL;
    memset(m->zMalloc, 0, (size_t)nBytes);
    m->z = m->zMalloc;
    m->n = nBytes;
    m->flags = MEM_Agg;
    m->u.def = (FuncDef *)c->def;
  }
  return m->z;
}

void *sqlite3_user_data(sqlite3_context *c) { return c && c->def ? c->def->user_data : NULL; }
sqlite3 *sqlite3_context_db_handle(sqlite3_context *c) { return c ? c->db : NULL; }
CollSeq *func_context_collseq(sqlite3_context *c) { return c ? c->coll : NULL; }
void func_context_skip(sqlite3_context *c) {
  if (c) c->skip = 1;
}
i64 func_context_now_ms(sqlite3_context *c) {
  if (c && c->vdbe) return vdbe_statement_time_ms(c->vdbe);
  return c ? c->now_ms : 0;
}
