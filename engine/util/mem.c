/* mem.c — sqlite3_malloc and friends.  Each block carries an 8-byte size
** prefix so sqlite3_msize() and sqlite3_memory_used() work.
**
** Documented global state: the process-wide memory statistics below, kept
** with C11 atomics (SQLite's sqlite3_memory_used() is process-wide too).
** They are statistics, so every access is memory_order_relaxed: no other
** memory is published through them.  One read-modify-write per malloc and
** per free for the byte count, one for the block count (SQLite takes a
** mutex for the same bookkeeping); the high-water mark is only written when
** it is exceeded.  Allocation is rare on the per-row paths (registers and
** cursors keep their buffers), so this is not where time goes. */
#include "common.h"
#include <stdatomic.h>
#include <stdlib.h>

static _Atomic long long mem_used;      /* bytes currently allocated */
static _Atomic long long mem_highwater; /* largest mem_used seen */
static _Atomic long long mem_count;     /* blocks currently allocated */

#define HDR 8
#define RELAXED memory_order_relaxed

static void note_alloc(long long n) {
  long long now = atomic_fetch_add_explicit(&mem_used, n, RELAXED) + n;
  long long hi = atomic_load_explicit(&mem_highwater, RELAXED);
  while (now > hi && !atomic_compare_exchange_weak_explicit(&mem_highwater, &hi, now, RELAXED, RELAXED)) {
  }
}
void *sqlite3_malloc64(sqlite3_uint64 n) {
  if (n == 0 || n > 0x7fffff00ULL * 2) return NULL;
  u8 *p = malloc((size_t)n + HDR);
  if (p == NULL) return NULL;
  memcpy(p, &n, sizeof(n));
  note_alloc((long long)n);
  atomic_fetch_add_explicit(&mem_count, 1, RELAXED);
  return p + HDR;
}

void *sqlite3_malloc(int n) { return n <= 0 ? NULL : sqlite3_malloc64((u64)n); }

sqlite3_uint64 sqlite3_msize(void *p) {
  if (p == NULL) return 0;
  u64 n;
  memcpy(&n, (u8 *)p - HDR, sizeof(n));
  return n;
}

void sqlite3_free(void *p) {
  if (p == NULL) return;
  u64 n = sqlite3_msize(p);
  atomic_fetch_sub_explicit(&mem_used, (long long)n, RELAXED);
  atomic_fetch_sub_explicit(&mem_count, 1, RELAXED);
  free((u8 *)p - HDR);
}

void *sqlite3_realloc64(void *old, sqlite3_uint64 n) {
  if (old == NULL) return sqlite3_malloc64(n);
  if (n == 0) {
    sqlite3_free(old);
    return NULL;
  }
  if (n > 0x7fffff00ULL * 2) return NULL;
  u64 before = sqlite3_msize(old);
  u8 *p = realloc((u8 *)old - HDR, (size_t)n + HDR);
  if (p == NULL) return NULL;
  memcpy(p, &n, sizeof(n));
  note_alloc((long long)n - (long long)before);
  return p + HDR;
}

void *sqlite3_realloc(void *old, int n) {
  if (n <= 0) {
    sqlite3_free(old);
    return NULL;
  }
  return sqlite3_realloc64(old, (u64)n);
}

void *shale_malloc_zero(size_t n) {
  void *p = sqlite3_malloc64(n ? n : 1);
  if (p) memset(p, 0, n ? n : 1);
  return p;
}

sqlite3_int64 sqlite3_memory_used(void) { return atomic_load_explicit(&mem_used, RELAXED); }

sqlite3_int64 sqlite3_memory_highwater(int reset) {
  long long hi = atomic_load_explicit(&mem_highwater, RELAXED);
  if (reset) atomic_store_explicit(&mem_highwater, atomic_load_explicit(&mem_used, RELAXED), RELAXED);
  return hi;
}

long long shale_mem_block_count(void) { return atomic_load_explicit(&mem_count, RELAXED); }
