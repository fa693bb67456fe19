/* utf.c — UTF-8 / UTF-16 helpers (see utf.h).  No global mutable state. */
#include "utf.h"

static u32 lead_bits(u32 c) {
  if (c < 0xe0) return c & 0x1f;
  if (c < 0xf0) return c & 0x0f;
  if (c < 0xf8) return c & 0x07;
  if (c < 0xfc) return c & 0x03;
  if (c < 0xfe) return c & 0x01;
  return 0;
}

static u32 fix(u32 c) {
  if (c < 0x80 || (c & 0xFFFFF800) == 0xD800 || (c & 0xFFFFFFFE) == 0xFFFE) return 0xFFFD;
  return c;
}

u32 shale_utf8_read(const u8 **pz) {
  const u8 *z = *pz;
  u32 c = *(z++);
  if (c >= 0xc0) {
    c = lead_bits(c);
    while ((*z & 0xc0) == 0x80) c = (c << 6) + (0x3f & *(z++));
    c = fix(c);
  }
  *pz = z;
  return c;
}

u32 shale_utf8_read_n(const u8 **pz, const u8 *end) {
  const u8 *z = *pz;
  if (z >= end) return 0;
  u32 c = *(z++);
  if (c >= 0xc0) {
    c = lead_bits(c);
    while (z < end && (*z & 0xc0) == 0x80) c = (c << 6) + (0x3f & *(z++));
    c = fix(c);
  }
  *pz = z;
  return c;
}

int shale_utf8_charlen(const u8 *z, int n) {
  const u8 *end = n < 0 ? (const u8 *)-1 : z + n;
  int r = 0;
  while (z < end && *z) {
    r++;
    SHALE_SKIP_UTF8(z);
  }
  return r;
}

int shale_utf8_write(u8 *out, u32 c) {
  if (c < 0x80) {
    out[0] = (u8)c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = (u8)(0xc0 + ((c >> 6) & 0x1f));
    out[1] = (u8)(0x80 + (c & 0x3f));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (u8)(0xe0 + ((c >> 12) & 0x0f));
    out[1] = (u8)(0x80 + ((c >> 6) & 0x3f));
    out[2] = (u8)(0x80 + (c & 0x3f));
    return 3;
  }
  out[0] = (u8)(0xf0 + ((c >> 18) & 0x07));
  out[1] = (u8)(0x80 + ((c >> 12) & 0x3f));
  out[2] = (u8)(0x80 + ((c >> 6) & 0x3f));
  out[3] = (u8)(0x80 + (c & 0x3f));
  return 4;
}

static void put16(u8 *p, u32 v, int be) {
  if (be) {
    p[0] = (u8)(v >> 8);
    p[1] = (u8)v;
  } else {
    p[0] = (u8)v;
    p[1] = (u8)(v >> 8);
  }
}

int shale_utf8_to16(const u8 *z, int n, int enc, u8 **out, int *nout) {
  int be = enc == SQLITE_UTF16BE;
  if (n < 0) n = (int)strlen((const char *)z);
  u8 *o = sqlite3_malloc64((u64)n * 2 + 2);
  if (o == NULL) return SQLITE_NOMEM;
  const u8 *p = z, *end = z + n;
  int k = 0;
  while (p < end) {
    u32 c = shale_utf8_read_n(&p, end);
    if (c <= 0xffff) {
      put16(o + k, c, be);
      k += 2;
    } else {
      c -= 0x10000;
      put16(o + k, 0xD800 + (c >> 10), be);
      put16(o + k + 2, 0xDC00 + (c & 0x3ff), be);
      k += 4;
    }
  }
  o[k] = o[k + 1] = 0;
  *out = o;
  *nout = k;
  return SQLITE_OK;
}

int shale_utf16_to8(const u8 *z, int n, int enc, u8 **out, int *nout) {
  int be = enc == SQLITE_UTF16BE;
  if (n < 0) {
    n = 0;
    while (z[n] || z[n + 1]) n += 2;
  }
  n &= ~1;
  u8 *o = sqlite3_malloc64((u64)n * 2 + 1);
  if (o == NULL) return SQLITE_NOMEM;
  int i = 0, k = 0;
  while (i < n) {
    u32 c = be ? ((u32)z[i] << 8 | z[i + 1]) : (z[i] | (u32)z[i + 1] << 8);
    i += 2;
    if (c >= 0xD800 && c < 0xE000) {
      if (c < 0xDC00 && i + 1 < n) {
        u32 c2 = be ? ((u32)z[i] << 8 | z[i + 1]) : (z[i] | (u32)z[i + 1] << 8);
        if (c2 >= 0xDC00 && c2 < 0xE000) {
          i += 2;
          c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
        } else {
          c = 0xFFFD;
        }
      } else {
        c = 0xFFFD;
      }
    }
    k += shale_utf8_write(o + k, c);
  }
  o[k] = 0;
  *out = o;
  *nout = k;
  return SQLITE_OK;
}
