/*
** printf.h — Shale's printf engine (util layer; no VM dependency).
**
** sqlite3_mprintf & co, the sqlite3_str_* accumulator API, and the hooks the
** upper layers use: shale_format_double() (SQLite's text form of a REAL, used
** by the VM for REAL -> TEXT conversion) and shale_str_vappendf_args() (the
** SQL printf()/format() function, whose arguments are SQL values reached
** through a small callback table so this file never calls the VM).
*/
#ifndef SHALE_PRINTF_H
#define SHALE_PRINTF_H

#include <stdarg.h>
#include "common.h"

/* The accumulator behind the public opaque sqlite3_str.  Exposed so callers
** can put one on the stack with a fixed buffer (shale_str_init). */
struct sqlite3_str {
  sqlite3 *db;    /* unused by util; kept for API symmetry */
  char *z;        /* text (not always NUL terminated until finish/value) */
  u32 n;          /* bytes used */
  u32 alloc;      /* bytes allocated (or size of the fixed buffer) */
  u32 mx;         /* maximum size; 0 = fixed buffer, truncate */
  u8 err;         /* SQLITE_OK, SQLITE_NOMEM or SQLITE_TOOBIG */
  u8 malloced;    /* z is from sqlite3_malloc */
};

/* Initialise: buf/n is an optional initial (caller-owned) buffer; mx is the
** maximum length (0 = never grow beyond buf: truncate, like snprintf). */
void shale_str_init(sqlite3_str *s, char *buf, int n, int mx);
/* NUL-terminate and return a sqlite3_malloc'd copy (or the malloc'd buffer
** itself); NULL on error.  The accumulator is left empty. */
char *shale_str_finish(sqlite3_str *s);

/* SQLite's REAL -> TEXT ("%!.15g"): 1.0, 1.0e+20, 0.1, -0.5, Inf, -Inf.
** Writes at most n bytes including the NUL; returns the length.  n >= 32
** is always enough. */
int shale_format_double(double r, char *buf, int n);

/* Text -> REAL with SQLite 3.40's exact algorithm (sqlite3AtoF, UTF-8):
** parses the first `length` bytes of z into *out.  Returns 1 for a pure
** integer, 2 for a real with "." or an exponent, 3 with both, -1 when
** a number is followed by other text, 0 when z is not a number. */
int shale_atof_sqlite(const char *z, double *out, int length);

/* Arguments for the SQL printf()/format(): each call consumes the next
** argument; when arguments run out the engine uses 0 / 0.0 / NULL. */
typedef struct ShalePrintfArgs {
  void *p;
  int n_arg;
  int i_arg;
  i64 (*get_int)(void *p, int i);
  double (*get_double)(void *p, int i);
  const char *(*get_text)(void *p, int i); /* NULL for SQL NULL */
} ShalePrintfArgs;

/* The printf engine over SQL values (SQLite's SQL printf() rules). */
void shale_str_appendf_sql(sqlite3_str *s, const char *fmt, ShalePrintfArgs *args);

#endif
