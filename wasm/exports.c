/*
** exports.c — the one small C surface both JavaScript glues use (the
** emscripten browser build and the wasi edge build).  Every export is named
** shale_w_*.  Only i32 and f64 cross the boundary: 64-bit integers travel as
** two 32-bit halves, and out-parameters go through a small scratch area
** (shale_w_scratch(): eight 64-bit slots) that the glue reads after a call.
** Stepping and preparing are non-blocking: they return SHALE_IO (90) while
** the host VFS has requests outstanding; the glue completes them and calls
** again.
*/
#include "sqlite3.h"
#include "shale.h"
#include "vfs.h"
#include "host_vfs.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Out-parameter slots (single-threaded instance). */
static int64_t scratch[8];

static void put64(int slot, int64_t v) { scratch[slot] = v; }

int64_t *EXPORT(shale_w_scratch)(void) { return scratch; }

void *EXPORT(shale_w_malloc)(int n) { return sqlite3_malloc(n > 0 ? n : 1); }
void EXPORT(shale_w_free)(void *p) { sqlite3_free(p); }

/* ------------------------------------------------------- connection -- */
/* Registers the host VFS as the default once (vfs_unix.c is absent). */
static void ensure_host_vfs(void) {
  ShaleVfs *h = shale_vfs_host_object();
  if (shale_vfs_find(NULL) != h) shale_vfs_register(h, 1);
}

/* rc; the connection (also on error, for errmsg) in scratch[0]. */
int EXPORT(shale_w_open)(const char *name, int flags, const char *vfs) {
  sqlite3 *db = NULL;
  ensure_host_vfs();
  if (flags == 0) flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(name, &db, flags, vfs && vfs[0] ? vfs : NULL);
  put64(0, (int64_t)(uintptr_t)db);
  return rc;
}

int EXPORT(shale_w_close)(sqlite3 *db) { return sqlite3_close_v2(db); }

const char *EXPORT(shale_w_errmsg)(sqlite3 *db) { return sqlite3_errmsg(db); }
int EXPORT(shale_w_errcode)(sqlite3 *db) { return sqlite3_errcode(db); }
int EXPORT(shale_w_extended_errcode)(sqlite3 *db) { return sqlite3_extended_errcode(db); }
int EXPORT(shale_w_error_offset)(sqlite3 *db) { return sqlite3_error_offset(db); }
const char *EXPORT(shale_w_errstr)(int rc) { return sqlite3_errstr(rc); }
double EXPORT(shale_w_changes64)(sqlite3 *db) { return (double)sqlite3_changes64(db); }
int EXPORT(shale_w_get_autocommit)(sqlite3 *db) { return sqlite3_get_autocommit(db); }

/* low half returned, both halves in scratch[0] */
int EXPORT(shale_w_last_insert_rowid)(sqlite3 *db) {
  int64_t v = sqlite3_last_insert_rowid(db);
  put64(0, v);
  return (int)(uint32_t)v;
}

/* Run completions the host already posted; returns how many. */
int EXPORT(shale_w_poll)(sqlite3 *db) { return shale_io_poll(db); }

/* ------------------------------------------------------- statements -- */
/* rc (SHALE_IO: retry later with the same arguments); the statement in
** scratch[0] (0 for blank SQL), the tail's byte offset in scratch[1]. */
int EXPORT(shale_w_prepare)(sqlite3 *db, const char *sql, int nbytes) {
  sqlite3_stmt *st = NULL;
  const char *tail = sql;
  shale_io_poll(db);
  int rc = shale_prepare_async(db, sql, nbytes, &st, &tail);
  put64(0, (int64_t)(uintptr_t)st);
  put64(1, tail ? (int64_t)(tail - sql) : 0);
  return rc;
}

int EXPORT(shale_w_step)(sqlite3_stmt *st) {
  sqlite3 *db = sqlite3_db_handle(st);
  if (db) shale_io_poll(db);
  return shale_step_async(st);
}

int EXPORT(shale_w_reset)(sqlite3_stmt *st) { return sqlite3_reset(st); }
int EXPORT(shale_w_finalize)(sqlite3_stmt *st) { return sqlite3_finalize(st); }
int EXPORT(shale_w_clear_bindings)(sqlite3_stmt *st) { return sqlite3_clear_bindings(st); }
int EXPORT(shale_w_stmt_readonly)(sqlite3_stmt *st) { return sqlite3_stmt_readonly(st); }

int EXPORT(shale_w_bind_null)(sqlite3_stmt *st, int i) { return sqlite3_bind_null(st, i); }
int EXPORT(shale_w_bind_int64)(sqlite3_stmt *st, int i, int lo, int hi) {
  int64_t v = (int64_t)(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
  return sqlite3_bind_int64(st, i, v);
}
int EXPORT(shale_w_bind_double)(sqlite3_stmt *st, int i, double v) {
  return sqlite3_bind_double(st, i, v);
}
int EXPORT(shale_w_bind_text)(sqlite3_stmt *st, int i, const char *p, int n) {
  return sqlite3_bind_text(st, i, p, n, SQLITE_TRANSIENT);
}
int EXPORT(shale_w_bind_blob)(sqlite3_stmt *st, int i, const void *p, int n) {
  if (n == 0) return sqlite3_bind_zeroblob(st, i, 0);
  return sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT);
}
int EXPORT(shale_w_bind_parameter_count)(sqlite3_stmt *st) { return sqlite3_bind_parameter_count(st); }
int EXPORT(shale_w_bind_parameter_index)(sqlite3_stmt *st, const char *name) {
  return sqlite3_bind_parameter_index(st, name);
}
const char *EXPORT(shale_w_bind_parameter_name)(sqlite3_stmt *st, int i) {
  return sqlite3_bind_parameter_name(st, i);
}

int EXPORT(shale_w_column_count)(sqlite3_stmt *st) { return sqlite3_column_count(st); }
const char *EXPORT(shale_w_column_name)(sqlite3_stmt *st, int i) { return sqlite3_column_name(st, i); }
const char *EXPORT(shale_w_column_decltype)(sqlite3_stmt *st, int i) {
  return sqlite3_column_decltype(st, i);
}
int EXPORT(shale_w_column_type)(sqlite3_stmt *st, int i) { return sqlite3_column_type(st, i); }
/* low half returned, the value in scratch[0] */
int EXPORT(shale_w_column_int64)(sqlite3_stmt *st, int i) {
  int64_t v = sqlite3_column_int64(st, i);
  put64(0, v);
  return (int)(uint32_t)v;
}
double EXPORT(shale_w_column_double)(sqlite3_stmt *st, int i) { return sqlite3_column_double(st, i); }
const unsigned char *EXPORT(shale_w_column_text)(sqlite3_stmt *st, int i) {
  return sqlite3_column_text(st, i);
}
const void *EXPORT(shale_w_column_blob)(sqlite3_stmt *st, int i) { return sqlite3_column_blob(st, i); }
int EXPORT(shale_w_column_bytes)(sqlite3_stmt *st, int i) { return sqlite3_column_bytes(st, i); }

/* The current row's columns 0..n-1 in one call (the glue reads a row with
** this instead of 2-3 calls per column).  `out` holds n 16-byte entries:
** i32 type (SQLITE_INTEGER…SQLITE_NULL), i32 byte count (text/blob), then
** 8 bytes: the i64 (integer), the f64 (real) or the i32 pointer (text/blob;
** valid until the next step/reset).  Returns n. */
int EXPORT(shale_w_row)(sqlite3_stmt *st, int n, unsigned char *out) {
  for (int i = 0; i < n; i++, out += 16) {
    int32_t type = sqlite3_column_type(st, i), len = 0;
    int64_t iv = 0;
    double dv = 0;
    const void *p = NULL;
    if (type == SQLITE_INTEGER) {
      iv = sqlite3_column_int64(st, i);
      memcpy(out + 8, &iv, 8);
    } else if (type == SQLITE_FLOAT) {
      dv = sqlite3_column_double(st, i);
      memcpy(out + 8, &dv, 8);
    } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
      p = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i) : sqlite3_column_blob(st, i);
      len = sqlite3_column_bytes(st, i);
      int32_t addr = (int32_t)(uintptr_t)p;
      memcpy(out + 8, &addr, 4);
    }
    memcpy(out, &type, 4);
    memcpy(out + 4, &len, 4);
  }
  return n;
}

/* ------------------------------------------------- in-memory images -- */
/* Load bytes into the named in-memory ("memdb") file `path` before opening
** it.  Returns a handle that keeps the file alive (release it after the
** connection closed), or 0 on error. */
void *EXPORT(shale_w_memdb_load)(const char *path, const void *data, int n) {
  ShaleVfs *m = shale_vfs_find("memdb");
  ShaleFile *f = NULL;
  if (!m || m->open(m, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB,
                    &f, NULL) != SQLITE_OK)
    return NULL;
  if (shale_file_truncate_blocking(f, 0) != SQLITE_OK ||
      (n > 0 && shale_file_write_blocking(f, data, n, 0) != SQLITE_OK)) {
    f->methods->close(f);
    return NULL;
  }
  return f;
}

void EXPORT(shale_w_memdb_release)(void *handle) {
  ShaleFile *f = handle;
  if (f) f->methods->close(f);
}

/* Copy of the named in-memory file's bytes (sqlite3_free it), size in
** scratch[0]; NULL with scratch[0] = -1 if the file does not exist. */
void *EXPORT(shale_w_memdb_export)(const char *path) {
  ShaleVfs *m = shale_vfs_find("memdb");
  ShaleFile *f = NULL;
  i64 size = 0;
  put64(0, -1);
  if (!m || m->open(m, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, &f, NULL) != SQLITE_OK)
    return NULL;
  f->methods->file_size(f, &size);
  void *buf = sqlite3_malloc64(size > 0 ? (u64)size : 1);
  if (buf && size > 0 && shale_file_read_blocking(f, buf, (int)size, 0) != SQLITE_OK) {
    sqlite3_free(buf);
    buf = NULL;
  }
  f->methods->close(f);
  if (buf) put64(0, size);
  return buf;
}

const char *EXPORT(shale_w_libversion)(void) { return sqlite3_libversion(); }
