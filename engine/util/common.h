/*
** common.h — the few definitions every layer of the engine shares.
**
** Result codes are SQLite's (from our own sqlite3.h) everywhere inside the
** engine, plus one of Shale's: SHALE_PENDING, "an I/O was submitted and is
** outstanding; nothing was changed; call me again after the VFS has completed
** it".  It travels unchanged from the VFS up to the public non-blocking step,
** where the host sees it as SHALE_IO.
*/
#ifndef SHALE_COMMON_H
#define SHALE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../include/sqlite3.h"
#include "../include/shale.h"

typedef uint8_t u8;
typedef int16_t i16;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int64_t i64;
typedef uint64_t u64;
typedef u32 Pgno;

/* Returned by any internal function that submitted I/O and must be retried. */
#define SHALE_PENDING SHALE_IO

/* Propagate any non-OK status (PENDING included) to the caller. */
#define SHALE_TRY(expr)                                                        \
  do {                                                                         \
    int rc_ = (expr);                                                          \
    if (rc_ != SQLITE_OK) return rc_;                                          \
  } while (0)

#define SHALE_UNUSED(x) ((void)(x))
#define SHALE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Keep a rarely taken path out of its (hot) caller: its locals and calls
** would otherwise cost the caller registers and a bigger frame. */
#if defined(__GNUC__) || defined(__clang__)
#define SHALE_NOINLINE __attribute__((noinline))
#else
#define SHALE_NOINLINE
#endif

/* Big-endian helpers used by the file format. */
static inline u32 get2byte(const u8 *p) { return ((u32)p[0] << 8) | p[1]; }
static inline u32 get4byte(const u8 *p) {
  return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}
static inline void put2byte(u8 *p, u32 v) {
  p[0] = (u8)(v >> 8);
  p[1] = (u8)v;
}
static inline void put4byte(u8 *p, u32 v) {
  p[0] = (u8)(v >> 24);
  p[1] = (u8)(v >> 16);
  p[2] = (u8)(v >> 8);
  p[3] = (u8)v;
}

/* SQLite varints (1..9 bytes, big-endian, high bit = more). util/varint.c */
int varint_get(const u8 *p, u64 *v);         /* returns bytes consumed */
int varint_get32(const u8 *p, u32 *v);       /* fast path; saturates */
int varint_put(u8 *p, u64 v);                /* returns bytes written */
int varint_len(u64 v);

/* Memory: all engine allocations go through sqlite3_malloc & co (util/mem.c)
** so that sqlite3_memory_used() and OOM injection see them. */
void *shale_malloc_zero(size_t n);
char *shale_strdup(const char *z);
char *shale_strndup(const char *z, int n);

/* Case-insensitive ASCII compare, like SQLite's (util/str.c). */
int shale_stricmp(const char *a, const char *b);
int shale_strnicmp(const char *a, const char *b, int n);
extern const unsigned char shale_upper_to_lower[256]; /* read-only table */

#endif
