/* str.c — ASCII case folding as SQLite does it (only A-Z fold). */
#include "common.h"

const unsigned char shale_upper_to_lower[256] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, \
               b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
    R16(0), R16(16), R16(32), R16(48),
    64, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91, 92, 93, 94, 95,
    R16(96), R16(112), R16(128), R16(144), R16(160), R16(176), R16(192),
    R16(208), R16(224), R16(240)
#undef R16
};

int shale_stricmp(const char *a, const char *b) {
  const u8 *x = (const u8 *)a, *y = (const u8 *)b;
  for (;;) {
    int c = shale_upper_to_lower[*x] - shale_upper_to_lower[*y];
    if (c || *x == 0) return c;
    x++;
    y++;
  }
}

int shale_strnicmp(const char *a, const char *b, int n) {
  const u8 *x = (const u8 *)a, *y = (const u8 *)b;
  for (; n > 0; n--, x++, y++) {
    int c = shale_upper_to_lower[*x] - shale_upper_to_lower[*y];
    if (c || *x == 0) return c;
  }
  return 0;
}

int sqlite3_stricmp(const char *a, const char *b) {
  if (a == NULL) return b ? -1 : 0;
  if (b == NULL) return 1;
  return shale_stricmp(a, b);
}

int sqlite3_strnicmp(const char *a, const char *b, int n) {
  if (a == NULL) return b ? -1 : 0;
  if (b == NULL) return 1;
  return shale_strnicmp(a, b, n);
}

char *shale_strdup(const char *z) {
  if (z == NULL) return NULL;
  return shale_strndup(z, (int)strlen(z));
}

char *shale_strndup(const char *z, int n) {
  if (z == NULL) return NULL;
  char *p = sqlite3_malloc64((u64)n + 1);
  if (p) {
    memcpy(p, z, (size_t)n);
    p[n] = 0;
  }
  return p;
}
