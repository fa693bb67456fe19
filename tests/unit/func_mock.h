/*
** func_mock.h — a tiny stand-in for the VM's sqlite3_value / sqlite3_context
** API, so the func layer's unit tests can call built-in functions directly
** (the func layer sits below the VM and links without it).  Only what the
** built-ins use is implemented, with SQLite's conversion rules simplified.
** Included by exactly one test file per binary.
*/
#ifndef FUNC_MOCK_H
#define FUNC_MOCK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../engine/api/connection.h"
#include "../../engine/func/func_int.h"
#include "../../engine/util/printf.h"

struct sqlite3_value {
  int type;
  i64 i;
  double r;
  char *z; /* text/blob, NUL-terminated, malloc'd */
  int n;
  char *conv; /* cached text form of a number */
  unsigned subtype;
};

struct sqlite3_context {
  const FuncDef *def;
  sqlite3 *db;
  sqlite3_value res;
  int is_error;
  char errmsg[200];
  void *agg;
};

/* the limits like() and friends read from the connection (as sqlite3_limit below) */
static sqlite3 mock_db = {.limits = {[SQLITE_LIMIT_LENGTH] = 1000000000, [SQLITE_LIMIT_LIKE_PATTERN_LENGTH] = 50000}};
static i64 mock_now_ms = 1700000000123LL;
static CollSeq *mock_coll;
static i64 mock_changes = 3, mock_total = 42, mock_rowid = 7;

/* json_each.c (virtual table modules) is part of the layer; its calls into
** the SQL layer are never made by these tests. */
__attribute__((weak)) int sqlite3_declare_vtab(sqlite3 *db, const char *z) {
  (void)db;
  (void)z;
  return SQLITE_ERROR;
}
__attribute__((weak)) int sqlite3_vtab_config(sqlite3 *db, int op, ...) {
  (void)db;
  (void)op;
  return SQLITE_OK;
}

static void mv_clear(sqlite3_value *v) {
  free(v->z);
  free(v->conv);
  memset(v, 0, sizeof(*v));
  v->type = SQLITE_NULL;
}
static void mv_set_bytes(sqlite3_value *v, int type, const void *z, int n) {
  mv_clear(v);
  v->type = type;
  v->z = malloc((size_t)n + 1);
  if (n) memcpy(v->z, z, (size_t)n);
  v->z[n] = 0;
  v->n = n;
}
static const char *mv_conv(sqlite3_value *v) {
  if (v->conv == NULL) {
    char buf[64];
    if (v->type == SQLITE_INTEGER) snprintf(buf, sizeof buf, "%lld", (long long)v->i);
    else shale_format_double(v->r, buf, sizeof buf);
    v->conv = strdup(buf);
  }
  return v->conv;
}

/* Is z an integer / a real literal (as text affinity would convert it)? */
static int mv_numeric_kind(const char *z, i64 *iv, double *rv) {
  char *end;
  while (*z == ' ') z++;
  if (*z == 0) return 0;
  double d = strtod(z, &end);
  if (end == z) return 0;
  const char *e = end;
  while (*e == ' ') e++;
  if (*e) return 0;
  if (strpbrk(z, ".eE") == NULL && d >= -9.2e18 && d <= 9.2e18) {
    *iv = strtoll(z, NULL, 10);
    return 1;
  }
  if (strchr(z, 'x') || strchr(z, 'X') || strchr(z, 'n') || strchr(z, 'N')) return 0;
  *rv = d;
  return 2;
}

const unsigned char *sqlite3_value_text(sqlite3_value *v) {
  switch (v->type) {
    case SQLITE_NULL: return NULL;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: return (const unsigned char *)mv_conv(v);
    default: return (const unsigned char *)v->z;
  }
}
const void *sqlite3_value_blob(sqlite3_value *v) {
  if (v->type == SQLITE_BLOB && v->n == 0) return NULL;
  return sqlite3_value_text(v);
}
int sqlite3_value_bytes(sqlite3_value *v) {
  switch (v->type) {
    case SQLITE_NULL: return 0;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: return (int)strlen(mv_conv(v));
    default: return v->n;
  }
}
int sqlite3_value_type(sqlite3_value *v) { return v->type; }
sqlite3_int64 sqlite3_value_int64(sqlite3_value *v) {
  switch (v->type) {
    case SQLITE_INTEGER: return v->i;
    case SQLITE_FLOAT:
      if (v->r <= -9.223372036854775808e18) return INT64_MIN;
      if (v->r >= 9.223372036854775807e18) return INT64_MAX;
      return (i64)v->r;
    case SQLITE_NULL: return 0;
    default: return strtoll(v->z, NULL, 10);
  }
}
int sqlite3_value_int(sqlite3_value *v) { return (int)sqlite3_value_int64(v); }
double sqlite3_value_double(sqlite3_value *v) {
  switch (v->type) {
    case SQLITE_INTEGER: return (double)v->i;
    case SQLITE_FLOAT: return v->r;
    case SQLITE_NULL: return 0.0;
    default: {
      double d;
      shale_atof_sqlite(v->z, &d, v->n);
      return d;
    }
  }
}
int sqlite3_value_numeric_type(sqlite3_value *v) {
  if (v->type == SQLITE_TEXT) {
    i64 iv;
    double rv;
    int k = mv_numeric_kind(v->z, &iv, &rv);
    if (k == 1) {
      mv_clear(v);
      v->type = SQLITE_INTEGER;
      v->i = iv;
    } else if (k == 2) {
      mv_clear(v);
      v->type = SQLITE_FLOAT;
      v->r = rv;
    }
  }
  return v->type;
}
sqlite3_value *sqlite3_value_dup(const sqlite3_value *v) {
  sqlite3_value *d = calloc(1, sizeof(*d));
  d->type = v->type;
  d->i = v->i;
  d->r = v->r;
  if (v->z) mv_set_bytes(d, v->type, v->z, v->n);
  return d;
}
void sqlite3_value_free(sqlite3_value *v) {
  if (v) {
    mv_clear(v);
    free(v);
  }
}

/* ---- results ---- */
static void mr_destroy(const void *z, void (*d)(void *)) {
  if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT && d) d((void *)z);
}
void sqlite3_result_null(sqlite3_context *c) { mv_clear(&c->res); }
void sqlite3_result_int64(sqlite3_context *c, sqlite3_int64 v) {
  mv_clear(&c->res);
  c->res.type = SQLITE_INTEGER;
  c->res.i = v;
}
void sqlite3_result_int(sqlite3_context *c, int v) { sqlite3_result_int64(c, v); }
void sqlite3_result_double(sqlite3_context *c, double v) {
  mv_clear(&c->res);
  if (v != v) return; /* NaN is NULL */
  c->res.type = SQLITE_FLOAT;
  c->res.r = v;
}
void sqlite3_result_text64(sqlite3_context *c, const char *z, sqlite3_uint64 n,
                           void (*d)(void *), unsigned char enc) {
  (void)enc;
  if (z == NULL) {
    mv_clear(&c->res);
    return;
  }
  mv_set_bytes(&c->res, SQLITE_TEXT, z, (int)n);
  mr_destroy(z, d);
}
void sqlite3_result_text(sqlite3_context *c, const char *z, int n, void (*d)(void *)) {
  if (z && n < 0) n = (int)strlen(z);
  sqlite3_result_text64(c, z, (u64)n, d, SQLITE_UTF8);
}
void sqlite3_result_blob64(sqlite3_context *c, const void *z, sqlite3_uint64 n, void (*d)(void *)) {
  mv_set_bytes(&c->res, SQLITE_BLOB, z ? z : "", (int)n);
  mr_destroy(z, d);
}
void sqlite3_result_blob(sqlite3_context *c, const void *z, int n, void (*d)(void *)) {
  sqlite3_result_blob64(c, z, (u64)n, d);
}
int sqlite3_result_zeroblob64(sqlite3_context *c, sqlite3_uint64 n) {
  char *z = calloc(1, (size_t)n + 1);
  mv_set_bytes(&c->res, SQLITE_BLOB, z, (int)n);
  free(z);
  return SQLITE_OK;
}
void sqlite3_result_value(sqlite3_context *c, sqlite3_value *v) {
  sqlite3_value *d = sqlite3_value_dup(v);
  mv_clear(&c->res);
  c->res = *d;
  free(d);
}
void sqlite3_result_error(sqlite3_context *c, const char *z, int n) {
  c->is_error = 1;
  snprintf(c->errmsg, sizeof c->errmsg, "%.*s", n < 0 ? (int)strlen(z) : n, z);
}
void sqlite3_result_error_code(sqlite3_context *c, int rc) {
  c->is_error = 1;
  snprintf(c->errmsg, sizeof c->errmsg, "error code %d", rc);
}
void sqlite3_result_error_nomem(sqlite3_context *c) { sqlite3_result_error(c, "out of memory", -1); }
void sqlite3_result_error_toobig(sqlite3_context *c) {
  sqlite3_result_error(c, "string or blob too big", -1);
}

unsigned int sqlite3_value_subtype(sqlite3_value *v) { return v->subtype; }
void sqlite3_result_subtype(sqlite3_context *c, unsigned int t) { c->res.subtype = t; }

/* ---- context / connection ---- */
void *sqlite3_user_data(sqlite3_context *c) { return c->def->user_data; }
sqlite3 *sqlite3_context_db_handle(sqlite3_context *c) { return c->db; }
/* no auxdata is kept (SQLite may drop it at any time too) */
void *sqlite3_get_auxdata(sqlite3_context *c, int n) {
  (void)c;
  (void)n;
  return NULL;
}
void sqlite3_set_auxdata(sqlite3_context *c, int n, void *p, void (*xDel)(void *)) {
  (void)c;
  (void)n;
  if (xDel) xDel(p);
}
void *sqlite3_aggregate_context(sqlite3_context *c, int n) {
  if (c->agg == NULL && n > 0) c->agg = calloc(1, (size_t)n);
  return c->agg;
}
CollSeq *func_context_collseq(sqlite3_context *c) {
  (void)c;
  return mock_coll;
}
void func_context_skip(sqlite3_context *c) { (void)c; }
i64 func_context_now_ms(sqlite3_context *c) {
  (void)c;
  return mock_now_ms;
}
int sqlite3_limit(sqlite3 *db, int id, int v) {
  (void)db;
  (void)v;
  return id == SQLITE_LIMIT_LENGTH ? 1000000000 : id == SQLITE_LIMIT_LIKE_PATTERN_LENGTH ? 50000 : -1;
}
sqlite3_int64 sqlite3_changes64(sqlite3 *db) {
  (void)db;
  return mock_changes;
}
sqlite3_int64 sqlite3_total_changes64(sqlite3 *db) {
  (void)db;
  return mock_total;
}
sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db) {
  (void)db;
  return mock_rowid;
}
const char *sqlite3_libversion(void) { return "3.40.1"; }
const char *sqlite3_sourceid(void) { return "mock"; }
const char *sqlite3_compileoption_get(int n) { return n == 0 ? "THREADSAFE=1" : NULL; }
int sqlite3_compileoption_used(const char *z) { return strcmp(z, "THREADSAFE=1") == 0; }

/* ---- helpers for tests ---- */

/* Parse one SQL literal: NULL, 'text' (with ''), X'hex', integer, real. */
__attribute__((unused)) static void mock_literal(sqlite3_value *v, const char *lit) {
  memset(v, 0, sizeof(*v));
  v->type = SQLITE_NULL;
  if (strcmp(lit, "NULL") == 0) return;
  if (lit[0] == '\'') {
    char *buf = malloc(strlen(lit) + 1);
    int n = 0;
    for (const char *p = lit + 1; *p; p++) {
      if (*p == '\'') {
        if (p[1] == '\'') {
          buf[n++] = '\'';
          p++;
          continue;
        }
        break;
      }
      buf[n++] = *p;
    }
    mv_set_bytes(v, SQLITE_TEXT, buf, n);
    free(buf);
    return;
  }
  if ((lit[0] == 'X' || lit[0] == 'x') && lit[1] == '\'') {
    char buf[512];
    int n = 0;
    for (const char *p = lit + 2; p[0] && p[0] != '\'' && p[1]; p += 2) {
      unsigned x;
      sscanf(p, "%2x", &x);
      buf[n++] = (char)x;
    }
    mv_set_bytes(v, SQLITE_BLOB, buf, n);
    return;
  }
  if (strpbrk(lit, ".eE")) {
    v->type = SQLITE_FLOAT;
    shale_atof_sqlite(lit, &v->r, (int)strlen(lit)); /* as sqlite3's parser */
  } else {
    double d = strtod(lit, NULL);
    if (d > 9.223372036854775807e18 || d < -9.223372036854775808e18) {
      v->type = SQLITE_FLOAT;
      v->r = d;
    } else {
      v->type = SQLITE_INTEGER;
      v->i = strtoll(lit, NULL, 10);
    }
  }
}

/* quote() of the result, or "ERROR: msg". Caller frees. */
__attribute__((unused)) static char *mock_quote(sqlite3_context *c) {
  if (c->is_error) {
    char *z = malloc(strlen(c->errmsg) + 8);
    sprintf(z, "ERROR: %s", c->errmsg);
    return z;
  }
  const FuncDef *q = func_find(NULL, "quote", 1, NULL);
  sqlite3_context qc;
  memset(&qc, 0, sizeof qc);
  qc.def = q;
  qc.db = &mock_db;
  qc.res.type = SQLITE_NULL;
  sqlite3_value *argv[1] = {&c->res};
  q->x_func(&qc, 1, argv);
  char *z = strdup(qc.res.z ? qc.res.z : "?");
  mv_clear(&qc.res);
  return z;
}

/* Call scalar function `name` with literal args; returns quote() of result. */
__attribute__((unused)) static char *mock_call(const char *name, int argc, const char *const *lits) {
  int wrong = 0;
  const FuncDef *f = func_find(&mock_db, name, argc, &wrong);
  if (f == NULL) return strdup(wrong ? "ERROR: wrong number of arguments" : "ERROR: no such function");
  sqlite3_value vals[16];
  sqlite3_value *argv[16];
  for (int i = 0; i < argc; i++) {
    mock_literal(&vals[i], lits[i]);
    argv[i] = &vals[i];
  }
  sqlite3_context c;
  memset(&c, 0, sizeof c);
  c.def = f;
  c.db = &mock_db;
  c.res.type = SQLITE_NULL;
  f->x_func(&c, argc, argv);
  char *z = mock_quote(&c);
  mv_clear(&c.res);
  for (int i = 0; i < argc; i++) mv_clear(&vals[i]);
  return z;
}

/* Aggregate `name` over rows (one literal per row, argc 1 or 2 with `extra`). */
__attribute__((unused)) static char *mock_agg(const char *name, int nrow, const char *const *rows, const char *extra) {
  int argc = extra ? 2 : 1;
  const FuncDef *f = func_find(&mock_db, name, argc, NULL);
  if (f == NULL) return strdup("ERROR: no such function");
  sqlite3_context c;
  memset(&c, 0, sizeof c);
  c.def = f;
  c.db = &mock_db;
  c.res.type = SQLITE_NULL;
  for (int r = 0; r < nrow; r++) {
    sqlite3_value v[2];
    sqlite3_value *argv[2] = {&v[0], &v[1]};
    mock_literal(&v[0], rows[r]);
    if (extra) mock_literal(&v[1], extra);
    f->x_step(&c, argc, argv);
    mv_clear(&v[0]);
    if (extra) mv_clear(&v[1]);
  }
  f->x_final(&c);
  char *z = mock_quote(&c);
  mv_clear(&c.res);
  free(c.agg);
  return z;
}
#endif
