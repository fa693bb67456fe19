/*
** pthread.h — single-threaded shim for the non-threaded WebAssembly builds.
** The engine guards its few process-wide tables with pthread mutexes; in a
** single-threaded wasm instance there is nothing to guard, so every mutex
** operation succeeds at once.  Found before the sysroot's pthread.h because
** the wasm builds compile with -I wasm/include.  No engine file is changed.
*/
#ifndef SHALE_WASM_PTHREAD_SHIM_H
#define SHALE_WASM_PTHREAD_SHIM_H

typedef struct { int unused; } pthread_mutex_t;
typedef struct { int type; } pthread_mutexattr_t;

#define PTHREAD_MUTEX_INITIALIZER {0}
#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_DEFAULT 0

static inline int pthread_mutexattr_init(pthread_mutexattr_t *a) { a->type = 0; return 0; }
static inline int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }
static inline int pthread_mutexattr_settype(pthread_mutexattr_t *a, int t) { a->type = t; return 0; }
static inline int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) { (void)m; (void)a; return 0; }
static inline int pthread_mutex_destroy(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_lock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_trylock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { (void)m; return 0; }

#endif
