/*
** util_mem.c — the allocator wrapper's statistics: sqlite3_memory_used is
** exact (also with many threads allocating and freeing at once),
** sqlite3_memory_highwater keeps the peak until reset, sqlite3_msize and
** realloc keep the byte count right, and the block count returns to where
** it was.
*/
#include <pthread.h>
#include <string.h>
#include "testlib.h"
#include "../../engine/util/common.h"

long long shale_mem_block_count(void);

static void *churn(void *arg) {
  int seed = *(int *)arg;
  void *keep[64] = {0};
  for (int i = 0; i < 20000; i++) {
    int k = (i * 7 + seed) % 64;
    if (keep[k]) {
      if (i % 3 == 0) {
        void *p = sqlite3_realloc(keep[k], 1 + (i % 500));
        if (p) keep[k] = p;
        continue;
      }
      sqlite3_free(keep[k]);
      keep[k] = NULL;
    } else {
      keep[k] = sqlite3_malloc(1 + (i + seed) % 300);
    }
  }
  for (int k = 0; k < 64; k++) sqlite3_free(keep[k]);
  return NULL;
}

int main(void) {
  long long base = sqlite3_memory_used();
  long long blocks = shale_mem_block_count();
  void *p = sqlite3_malloc(1000);
  CHECK(p != NULL);
  CHECK_INT(sqlite3_msize(p), 1000);
  CHECK_INT(sqlite3_memory_used() - base, 1000);
  CHECK_INT(shale_mem_block_count() - blocks, 1);
  CHECK(sqlite3_memory_highwater(0) >= base + 1000);
  p = sqlite3_realloc(p, 3000);
  CHECK_INT(sqlite3_msize(p), 3000);
  CHECK_INT(sqlite3_memory_used() - base, 3000);
  p = sqlite3_realloc(p, 10);
  CHECK_INT(sqlite3_memory_used() - base, 10);
  CHECK(sqlite3_memory_highwater(0) >= base + 3000);
  sqlite3_free(p);
  CHECK_INT(sqlite3_memory_used(), base);
  CHECK_INT(shale_mem_block_count(), blocks);
  /* reset: the mark drops to the current use, then follows new peaks */
  sqlite3_memory_highwater(1);
  CHECK_INT(sqlite3_memory_highwater(0), base);
  void *q = sqlite3_malloc(5000);
  sqlite3_free(q);
  CHECK_INT(sqlite3_memory_highwater(0), base + 5000);
  CHECK(sqlite3_malloc(0) == NULL);
  CHECK(sqlite3_malloc(-5) == NULL);
  CHECK_INT(sqlite3_msize(NULL), 0);
  sqlite3_free(NULL);
  /* four threads allocating, reallocating and freeing together */
  pthread_t th[4];
  int seeds[4] = {1, 2, 3, 4};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, churn, &seeds[i]);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  CHECK_INT(sqlite3_memory_used(), base);
  CHECK_INT(shale_mem_block_count(), blocks);
  CHECK(sqlite3_memory_highwater(0) > base + 5000);
  return testlib_finish("util_mem");
}
