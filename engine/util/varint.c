/* varint.c — SQLite's variable-length integers: 1 to 9 bytes, big-endian,
** 7 bits per byte with the high bit meaning "more", except that a 9th byte
** contributes all 8 of its bits. */
#include "common.h"

int varint_get(const u8 *p, u64 *v) {
  u64 x = 0;
  for (int i = 0; i < 8; i++) {
    x = (x << 7) | (p[i] & 0x7f);
    if ((p[i] & 0x80) == 0) {
      *v = x;
      return i + 1;
    }
  }
  *v = (x << 8) | p[8];
  return 9;
}

int varint_get32(const u8 *p, u32 *v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  if (p[1] < 0x80) {
    *v = ((u32)(p[0] & 0x7f) << 7) | p[1];
    return 2;
  }
  u64 x;
  int n = varint_get(p, &x);
  *v = x > 0xffffffffu ? 0xffffffffu : (u32)x;
  return n;
}

int varint_len(u64 v) {
  int n = 1;
  if (v > 0x00ffffffffffffffULL) return 9;
  while (v > 0x7f) {
    v >>= 7;
    n++;
  }
  return n;
}

int varint_put(u8 *p, u64 v) {
  if (v <= 0x7f) {
    p[0] = (u8)v;
    return 1;
  }
  if (v > 0x00ffffffffffffffULL) {
    /* 9 bytes: the last byte holds the low 8 bits. */
    p[8] = (u8)v;
    v >>= 8;
    for (int i = 7; i >= 0; i--) {
      p[i] = (u8)((v & 0x7f) | 0x80);
      v >>= 7;
    }
    return 9;
  }
  u8 tmp[10];
  int n = 0;
  while (v) {
    tmp[n++] = (u8)((v & 0x7f) | 0x80);
    v >>= 7;
  }
  tmp[0] &= 0x7f;
  for (int i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
  return n;
}
