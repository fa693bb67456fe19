/*
** dual_api.h — load two SQLite-API libraries into one process (libshale.so and
** the system libsqlite3.so.0 export the same names) with dlopen(RTLD_LOCAL)
** and call each through a table of function pointers.  Used by the benchmark
** and the differential tester.
*/
#ifndef SHALE_DUAL_API_H
#define SHALE_DUAL_API_H
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_INTEGER 1
#define SQLITE_FLOAT 2
#define SQLITE_TEXT 3
#define SQLITE_BLOB 4
#define SQLITE_NULL 5
#define SQLITE_TRANSIENT ((void (*)(void *))-1)

typedef struct Api {
  const char *name;
  int (*open)(const char *, sqlite3 **);
  int (*close)(sqlite3 *);
  int (*exec)(sqlite3 *, const char *, void *, void *, char **);
  int (*prepare)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
  int (*step)(sqlite3_stmt *);
  int (*reset)(sqlite3_stmt *);
  int (*finalize)(sqlite3_stmt *);
  int (*bind_int64)(sqlite3_stmt *, int, long long);
  int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
  int (*bind_double)(sqlite3_stmt *, int, double);
  int (*column_count)(sqlite3_stmt *);
  int (*column_type)(sqlite3_stmt *, int);
  long long (*column_int64)(sqlite3_stmt *, int);
  double (*column_double)(sqlite3_stmt *, int);
  const unsigned char *(*column_text)(sqlite3_stmt *, int);
  int (*column_bytes)(sqlite3_stmt *, int);
  const char *(*errmsg)(sqlite3 *);
  void (*free)(void *);
} Api;

static void *dual_sym(void *h, const char *lib, const char *name) {
  void *p = dlsym(h, name);
  if (!p) {
    fprintf(stderr, "%s: missing %s\n", lib, name);
    exit(2);
  }
  return p;
}

static void dual_load(Api *a, const char *name, const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
    exit(2);
  }
  a->name = name;
#define DUAL_LOAD(field, sym) *(void **)&a->field = dual_sym(h, path, sym)
  DUAL_LOAD(open, "sqlite3_open");
  DUAL_LOAD(close, "sqlite3_close");
  DUAL_LOAD(exec, "sqlite3_exec");
  DUAL_LOAD(prepare, "sqlite3_prepare_v2");
  DUAL_LOAD(step, "sqlite3_step");
  DUAL_LOAD(reset, "sqlite3_reset");
  DUAL_LOAD(finalize, "sqlite3_finalize");
  DUAL_LOAD(bind_int64, "sqlite3_bind_int64");
  DUAL_LOAD(bind_text, "sqlite3_bind_text");
  DUAL_LOAD(bind_double, "sqlite3_bind_double");
  DUAL_LOAD(column_count, "sqlite3_column_count");
  DUAL_LOAD(column_type, "sqlite3_column_type");
  DUAL_LOAD(column_int64, "sqlite3_column_int64");
  DUAL_LOAD(column_double, "sqlite3_column_double");
  DUAL_LOAD(column_text, "sqlite3_column_text");
  DUAL_LOAD(column_bytes, "sqlite3_column_bytes");
  DUAL_LOAD(errmsg, "sqlite3_errmsg");
  DUAL_LOAD(free, "sqlite3_free");
#undef DUAL_LOAD
}
#endif
