/* mutex.c — sqlite3_mutex_* over pthreads.  Every mutex is recursive-capable:
** SQLITE_MUTEX_RECURSIVE ones are recursive, FAST ones are plain. */
#include "common.h"
#include <pthread.h>
#include <stdlib.h>

struct sqlite3_mutex {
  pthread_mutex_t m;
};

sqlite3_mutex *sqlite3_mutex_alloc(int kind) {
  if (kind != SQLITE_MUTEX_FAST && kind != SQLITE_MUTEX_RECURSIVE) return NULL;
  sqlite3_mutex *p = sqlite3_malloc(sizeof(*p));
  if (p == NULL) return NULL;
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  if (kind == SQLITE_MUTEX_RECURSIVE) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&p->m, &a);
  pthread_mutexattr_destroy(&a);
  return p;
}

void sqlite3_mutex_free(sqlite3_mutex *p) {
  if (p == NULL) return;
  pthread_mutex_destroy(&p->m);
  sqlite3_free(p);
}

void sqlite3_mutex_enter(sqlite3_mutex *p) {
  if (p) pthread_mutex_lock(&p->m);
}

int sqlite3_mutex_try(sqlite3_mutex *p) {
  if (p == NULL) return SQLITE_OK;
  return pthread_mutex_trylock(&p->m) == 0 ? SQLITE_OK : SQLITE_BUSY;
}

void sqlite3_mutex_leave(sqlite3_mutex *p) {
  if (p) pthread_mutex_unlock(&p->m);
}
