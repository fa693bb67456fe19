/*
** stmt.c — the statement-level C API: step (blocking and async), reset,
** finalize, bindings, result columns, statement introspection.  A
** sqlite3_stmt is a Vdbe (engine/vm/vdbe_int.h).
*/
#include <stdio.h>
#include "api_internal.h"
#include "../vm/vdbe_int.h"
#include "../sql/codegen.h"

static Vdbe *stmt_ok(sqlite3_stmt *p) {
  Vdbe *v = (Vdbe *)p;
  if (!v || v->magic != VDBE_MAGIC_LIVE || !v->db) return NULL;
  return v;
}

/* ------------------------------------------------------------ stepping -- */
/* Replace v's program with a freshly compiled one, keeping the bindings. */
static int reprepare(Vdbe *v, int blocking) {
  sqlite3 *db = v->db;
  Vdbe *nv = NULL;
  int rc;
  if (!v->sql) return SQLITE_SCHEMA;
  if (blocking) {
    API_DRIVE(db, rc, sql_prepare(db, v->sql, -1, (unsigned)v->prep_flags, &nv, NULL));
  } else {
    rc = sql_prepare(db, v->sql, -1, (unsigned)v->prep_flags, &nv, NULL);
  }
  if (rc != SQLITE_OK) return rc;
  if (!nv) return SQLITE_SCHEMA;
  vdbe_reset(v);
  /* swap everything except identity, list links and bindings */
  Vdbe tmp = *v;
  *v = *nv;
  *nv = tmp;
  Vdbe *p1 = v->prev, *n1 = v->next;
  v->prev = nv->prev;
  v->next = nv->next;
  nv->prev = p1;
  nv->next = n1;
  /* the list now has v where v was and nv where nv was */
  int n = v->n_var < nv->n_var ? v->n_var : nv->n_var;
  for (int i = 0; i < n; i++) {
    mem_copy(&v->vars[i], &nv->vars[i]);
  }
  memcpy(v->stmt_status, nv->stmt_status, sizeof v->stmt_status);
  v->stmt_status[5]++; /* SQLITE_STMTSTATUS_REPREPARE */
  vdbe_delete(nv);
  return SQLITE_OK;
}

static int step_common(sqlite3_stmt *p, int blocking) {
  Vdbe *v = stmt_ok(p);
  if (!v) return SQLITE_MISUSE;
  sqlite3 *db = v->db;
  sqlite3_mutex_enter(db->mutex);
  int rc;
  int schema_retries = 0;
  if (v->state == VDBE_HALT && !v->counted_active && !v->want_commit && !v->need_reprepare) {
    vdbe_reset(v); /* auto-reset after DONE or an error */
  }
  if (v->state == VDBE_READY) {
    db->interrupted = db->n_vdbe_active > 0 ? db->interrupted : 0;
    if (db->n_db > 2) api_apply_busy_handler(db); /* ATTACHed databases too */
    if (API_TRACING(db)) api_trace_start(v);
  }
  for (;;) {
    if (v->need_reprepare) {
      rc = reprepare(v, blocking);
      if (rc == SHALE_PENDING) break;
      v->need_reprepare = 0;
      if (rc != SQLITE_OK) {
        if (db->err_code == SQLITE_OK) db_error(db, rc, NULL);
        break;
      }
    }
    rc = vdbe_exec(v);
    if (rc == SHALE_PENDING) {
      if (!blocking) break;
      int idle = 0;
      int w = api_wait_io(db, &idle);
      if (w != SQLITE_OK) {
        rc = w;
        break;
      }
      continue;
    }
    if ((rc & 0xff) == SQLITE_SCHEMA && schema_retries < 50 && v->sql) {
      schema_retries++;
      vdbe_reset(v);
      v->need_reprepare = 1;
      continue;
    }
    break;
  }
  if (rc == SQLITE_DONE && db->autocommit) api_run_wal_hooks(db, &rc);
  if (rc == SQLITE_ROW) {
    if (db->trace) api_trace_row(v);
  } else if (rc != SHALE_PENDING && v->trace_start_ms) {
    api_trace_end(v);
  }
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
    /* like SQLite: errcode/errmsg report "another row available" etc. */
    if (db->err_msg) db_error_clear(db);
    db->err_code = rc;
  } else if (rc != SHALE_PENDING && rc != SQLITE_OK) {
    if (db->err_code == SQLITE_OK || (db->err_code & 0xff) != (rc & 0xff))
      db_error(db, rc, "%s", v->err_msg ? v->err_msg : sqlite3_errstr(rc));
  }
  sqlite3_mutex_leave(db->mutex);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE || rc == SHALE_PENDING) return rc;
  return api_result(db, rc);
}

int sqlite3_step(sqlite3_stmt *p) { return step_common(p, 1); }
int shale_step_async(sqlite3_stmt *p) { return step_common(p, 0); }

int sqlite3_reset(sqlite3_stmt *p) {
  if (!p) return SQLITE_OK;
  Vdbe *v = stmt_ok(p);
  if (!v) return SQLITE_MISUSE;
  sqlite3 *db = v->db;
  sqlite3_mutex_enter(db->mutex);
  if (v->trace_start_ms) api_trace_end(v);
  int rc = vdbe_reset(v);
  v->need_reprepare = 0;
  if (rc == SQLITE_OK) {
    if (db->err_msg) db_error_clear(db);
    db->err_code = SQLITE_OK;
  } else {
    db_error(db, rc, "%s", v->err_msg ? v->err_msg : sqlite3_errstr(rc));
  }
  sqlite3_mutex_leave(db->mutex);
  return api_result(db, rc);
}

int sqlite3_finalize(sqlite3_stmt *p) {
  if (!p) return SQLITE_OK;
  Vdbe *v = stmt_ok(p);
  if (!v) return SQLITE_MISUSE;
  sqlite3 *db = v->db;
  sqlite3_mutex_enter(db->mutex);
  if (v->trace_start_ms) api_trace_end(v);
  int rc = vdbe_reset(v);
  vdbe_delete(v);
  rc = api_result(db, rc);
  api_close_zombie_and_leave(db);
  return rc;
}

/* ------------------------------------------------------------ bindings -- */
static Mem *bind_slot(sqlite3_stmt *p, int i, int *rc) {
  Vdbe *v = stmt_ok(p);
  if (!v) {
    *rc = SQLITE_MISUSE;
    return NULL;
  }
  if (v->state != VDBE_READY) {
    db_error(v->db, SQLITE_MISUSE, "bad parameter or other API misuse");
    *rc = SQLITE_MISUSE;
    return NULL;
  }
  if (i < 1 || i > v->n_var) {
    db_error(v->db, SQLITE_RANGE, "column index out of range");
    *rc = SQLITE_RANGE;
    return NULL;
  }
  *rc = SQLITE_OK;
  return &v->vars[i - 1];
}

#define BIND_PROLOGUE(dtor_arg, data_arg)                                            \
  int rc;                                                                            \
  Mem *m = bind_slot(p, i, &rc);                                                     \
  if (!m) {                                                                          \
    if ((dtor_arg) && (dtor_arg) != SQLITE_TRANSIENT && (data_arg)) (dtor_arg)((void *)(data_arg)); \
    return rc;                                                                       \
  }

int sqlite3_bind_blob(sqlite3_stmt *p, int i, const void *z, int n, void (*d)(void *)) {
  BIND_PROLOGUE(d, z);
  if (!z) {
    mem_set_null(m);
    return SQLITE_OK;
  }
  if (n < 0) n = 0;
  rc = mem_set_blob(m, z, n, d);
  if (n == 0 && rc == SQLITE_OK && !(m->flags & MEM_Blob)) mem_set_blob(m, NULL, 0, SQLITE_STATIC);
  return rc;
}
int sqlite3_bind_blob64(sqlite3_stmt *p, int i, const void *z, sqlite3_uint64 n, void (*d)(void *)) {
  if (n > 0x7fffffff) {
    if (d && d != SQLITE_TRANSIENT && z) d((void *)z);
    return SQLITE_TOOBIG;
  }
  return sqlite3_bind_blob(p, i, z, (int)n, d);
}
int sqlite3_bind_double(sqlite3_stmt *p, int i, double r) {
  BIND_PROLOGUE((void (*)(void *))0, (void *)0);
  mem_set_real(m, r);
  return SQLITE_OK;
}
int sqlite3_bind_int(sqlite3_stmt *p, int i, int x) { return sqlite3_bind_int64(p, i, x); }
int sqlite3_bind_int64(sqlite3_stmt *p, int i, sqlite3_int64 x) {
  BIND_PROLOGUE((void (*)(void *))0, (void *)0);
  mem_set_int(m, x);
  return SQLITE_OK;
}
int sqlite3_bind_null(sqlite3_stmt *p, int i) {
  BIND_PROLOGUE((void (*)(void *))0, (void *)0);
  mem_set_null(m);
  return SQLITE_OK;
}
int sqlite3_bind_text(sqlite3_stmt *p, int i, const char *z, int n, void (*d)(void *)) {
  BIND_PROLOGUE(d, z);
  rc = mem_set_str(m, z, n, d);
  return rc;
}
int sqlite3_bind_text64(sqlite3_stmt *p, int i, const char *z, sqlite3_uint64 n, void (*d)(void *),
                        unsigned char enc) {
  if (n > 0x7fffffff && n != (sqlite3_uint64)-1) {
    if (d && d != SQLITE_TRANSIENT && z) d((void *)z);
    return SQLITE_TOOBIG;
  }
  if (enc == SQLITE_UTF8 || enc == 0) return sqlite3_bind_text(p, i, z, (int)(i64)n, d);
  BIND_PROLOGUE(d, z);
  return mem_set_text16(m, z, (i64)n == -1 ? -1 : (i64)n, enc, d);
}
int sqlite3_bind_text16(sqlite3_stmt *p, int i, const void *z, int n, void (*d)(void *)) {
  BIND_PROLOGUE(d, z);
  return mem_set_text16(m, z, n, SQLITE_UTF16LE, d);
}
int sqlite3_bind_value(sqlite3_stmt *p, int i, const sqlite3_value *val) {
  BIND_PROLOGUE((void (*)(void *))0, (void *)0);
  if (!val) {
    mem_set_null(m);
    return SQLITE_OK;
  }
  if (val->flags & MEM_Ptr) {
    mem_set_null(m);
    return SQLITE_OK;
  }
  rc = mem_copy(m, val);
  if (m->flags & MEM_Static) mem_make_writable(m);
  return rc;
}
int sqlite3_bind_pointer(sqlite3_stmt *p, int i, void *ptr, const char *type, void (*d)(void *)) {
  BIND_PROLOGUE(d, ptr);
  mem_set_null(m);
  m->flags = MEM_Null | MEM_Ptr;
  m->u.p = ptr;
  m->ptype = type;
  m->xDel = d;
  return SQLITE_OK;
}
int sqlite3_bind_zeroblob(sqlite3_stmt *p, int i, int n) {
  BIND_PROLOGUE((void (*)(void *))0, (void *)0);
  mem_set_zeroblob(m, n < 0 ? 0 : n);
  return SQLITE_OK;
}
int sqlite3_bind_zeroblob64(sqlite3_stmt *p, int i, sqlite3_uint64 n) {
  if (n > 1000000000) {
    Vdbe *v = stmt_ok(p);
    if (v) db_error(v->db, SQLITE_TOOBIG, "string or blob too big");
    return SQLITE_TOOBIG;
  }
  return sqlite3_bind_zeroblob(p, i, (int)n);
}

int sqlite3_bind_parameter_count(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? v->n_var : 0;
}
const char *sqlite3_bind_parameter_name(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  if (!v || i < 1 || i > v->n_var || !v->var_names) return NULL;
  return v->var_names[i - 1];
}
int sqlite3_bind_parameter_index(sqlite3_stmt *p, const char *name) {
  Vdbe *v = stmt_ok(p);
  if (!v || !name || !v->var_names) return 0;
  for (int i = 0; i < v->n_var; i++)
    if (v->var_names[i] && strcmp(v->var_names[i], name) == 0) return i + 1;
  return 0;
}
/* Registers refer to bound text/blob bytes while the statement runs
** (OP_Variable); before those bytes go away mid-run, give the registers
** their own copies. */
static void unshare_bound_bytes(Vdbe *v) {
  for (int i = 0; v->main_mem && i <= v->n_main_mem; i++)
    if (v->main_mem[i].flags & MEM_Static) mem_make_writable(&v->main_mem[i]);
  for (VdbeFrame *f = v->frame; f; f = f->parent)
    for (int i = 0; f->my_mem && i <= f->prog->n_mem; i++)
      if (f->my_mem[i].flags & MEM_Static) mem_make_writable(&f->my_mem[i]);
}

int sqlite3_clear_bindings(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  if (!v) return SQLITE_MISUSE;
  if (v->state == VDBE_RUN) unshare_bound_bytes(v);
  for (int i = 0; i < v->n_var; i++) mem_set_null(&v->vars[i]);
  return SQLITE_OK;
}

/* ------------------------------------------------------------- columns -- */
static Mem *col_mem(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  if (!v) return NULL;
  if (!v->result || i < 0 || i >= v->n_result) {
    db_error(v->db, SQLITE_RANGE, "column index out of range");
    return NULL;
  }
  return &v->result[i];
}

const void *sqlite3_column_blob(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_blob(m) : NULL;
}
double sqlite3_column_double(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_double(m) : 0.0;
}
int sqlite3_column_int(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_int(m) : 0;
}
sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_int64(m) : 0;
}
const unsigned char *sqlite3_column_text(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_text(m) : NULL;
}
const void *sqlite3_column_text16(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_text16(m) : NULL;
}
sqlite3_value *sqlite3_column_value(sqlite3_stmt *p, int i) {
  return col_mem(p, i);
}
int sqlite3_column_bytes(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_bytes(m) : 0;
}
int sqlite3_column_bytes16(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_bytes16(m) : 0;
}
int sqlite3_column_type(sqlite3_stmt *p, int i) {
  Mem *m = col_mem(p, i);
  return m ? sqlite3_value_type(m) : SQLITE_NULL;
}

int sqlite3_column_count(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  if (!v) return 0;
  if (v->explain == 1) return 8;
  if (v->explain == 2) return 4;
  return v->n_res_col;
}
int sqlite3_data_count(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  if (!v || !v->result || v->state != VDBE_RUN) return 0;
  return v->n_result;
}

static const char *col_name_any(Vdbe *v, int i, int which) {
  static const char *const ex1[8] = {"addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"};
  static const char *const ex2[4] = {"id", "parent", "notused", "detail"};
  if (v->explain) {
    int n = v->explain == 1 ? 8 : 4;
    if (i < 0 || i >= n) return NULL;
    return which == 0 ? (v->explain == 1 ? ex1[i] : ex2[i]) : NULL;
  }
  if (i < 0 || i >= v->n_res_col || !v->col_names) return NULL;
  return v->col_names[which * v->n_res_col + i];
}

const char *sqlite3_column_name(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  return v ? col_name_any(v, i, 0) : NULL;
}
const char *sqlite3_column_decltype(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  return v ? col_name_any(v, i, 1) : NULL;
}
const char *sqlite3_column_database_name(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  return v ? col_name_any(v, i, 2) : NULL;
}
const char *sqlite3_column_table_name(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  return v ? col_name_any(v, i, 3) : NULL;
}
const char *sqlite3_column_origin_name(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  return v ? col_name_any(v, i, 4) : NULL;
}
const void *sqlite3_column_name16(sqlite3_stmt *p, int i) {
  Vdbe *v = stmt_ok(p);
  if (!v) return NULL;
  const char *z = col_name_any(v, i, 0);
  if (!z) return NULL;
  int n = v->explain ? 8 : v->n_res_col;
  if (!v->name16) {
    v->name16 = sqlite3_malloc64(sizeof(Mem) * (u64)(n + 1));
    if (!v->name16) return NULL;
    v->n_name16 = n + 1;
    for (int k = 0; k < n + 1; k++) mem_init(&v->name16[k], v->db);
  }
  if (i >= v->n_name16) return NULL;
  Mem *m = &v->name16[i];
  mem_set_str(m, z, -1, SQLITE_TRANSIENT);
  return sqlite3_value_text16(m);
}

/* ------------------------------------------------------- introspection -- */
const char *sqlite3_sql(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? v->sql : NULL;
}

static void append(char **buf, size_t *n, size_t *cap, const char *z, size_t len) {
  if (!*buf) return;
  if (*n + len + 1 > *cap) {
    size_t nc = (*cap + len) * 2 + 64;
    char *nb = sqlite3_realloc64(*buf, nc);
    if (!nb) {
      sqlite3_free(*buf);
      *buf = NULL;
      return;
    }
    *buf = nb;
    *cap = nc;
  }
  memcpy(*buf + *n, z, len);
  *n += len;
  (*buf)[*n] = 0;
}

char *sqlite3_expanded_sql(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  if (!v || !v->sql) return NULL;
  size_t cap = strlen(v->sql) * 2 + 64, n = 0;
  char *out = sqlite3_malloc64(cap);
  if (!out) return NULL;
  out[0] = 0;
  const char *z = v->sql;
  int next_anon = 1;
  while (*z) {
    char c = *z;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      const char *s = z++;
      while (*z && *z != close) z++;
      if (*z) z++;
      append(&out, &n, &cap, s, (size_t)(z - s));
    } else if (c == '-' && z[1] == '-') {
      const char *s = z;
      while (*z && *z != '\n') z++;
      append(&out, &n, &cap, s, (size_t)(z - s));
    } else if (c == '/' && z[1] == '*') {
      const char *s = z;
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/')) z++;
      if (*z) z += 2;
      append(&out, &n, &cap, s, (size_t)(z - s));
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
      const char *s = z++;
      int idx = 0;
      if (c == '?') {
        if (*z >= '0' && *z <= '9') {
          while (*z >= '0' && *z <= '9') idx = idx * 10 + (*z++ - '0');
        } else {
          idx = next_anon;
        }
      } else {
        while (*z && ((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') || (*z >= '0' && *z <= '9') ||
                      *z == '_' || (unsigned char)*z >= 0x80))
          z++;
        char name[256];
        size_t len = (size_t)(z - s) < sizeof name - 1 ? (size_t)(z - s) : sizeof name - 1;
        memcpy(name, s, len);
        name[len] = 0;
        idx = sqlite3_bind_parameter_index(p, name);
      }
      if (idx >= next_anon) next_anon = idx + 1;
      if (idx < 1 || idx > v->n_var) {
        append(&out, &n, &cap, s, (size_t)(z - s));
        continue;
      }
      Mem *m = &v->vars[idx - 1];
      char buf[64];
      switch (mem_type(m)) {
        case SQLITE_NULL:
          append(&out, &n, &cap, "NULL", 4);
          break;
        case SQLITE_INTEGER:
          snprintf(buf, sizeof buf, "%lld", (long long)m->i);
          append(&out, &n, &cap, buf, strlen(buf));
          break;
        case SQLITE_FLOAT:
          shale_format_real(m->r, buf);
          append(&out, &n, &cap, buf, strlen(buf));
          break;
        case SQLITE_TEXT: {
          append(&out, &n, &cap, "'", 1);
          for (int k = 0; k < m->n; k++) {
            if (m->z[k] == '\'') append(&out, &n, &cap, "''", 2);
            else append(&out, &n, &cap, m->z + k, 1);
          }
          append(&out, &n, &cap, "'", 1);
          break;
        }
        default: {
          append(&out, &n, &cap, "x'", 2);
          int nb = sqlite3_value_bytes(m);
          const u8 *b = sqlite3_value_blob(m);
          for (int k = 0; k < nb; k++) {
            snprintf(buf, sizeof buf, "%02x", b[k]);
            append(&out, &n, &cap, buf, 2);
          }
          append(&out, &n, &cap, "'", 1);
          break;
        }
      }
    } else {
      append(&out, &n, &cap, z, 1);
      z++;
    }
    if (!out) return NULL;
  }
  return out;
}

int sqlite3_stmt_readonly(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? v->readonly : 1;
}
int sqlite3_stmt_isexplain(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? v->explain : 0;
}
int sqlite3_stmt_busy(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? (v->state == VDBE_RUN) : 0;
}
sqlite3 *sqlite3_db_handle(sqlite3_stmt *p) {
  Vdbe *v = stmt_ok(p);
  return v ? v->db : NULL;
}
sqlite3_stmt *sqlite3_next_stmt(sqlite3 *db, sqlite3_stmt *p) {
  if (!db) return NULL;
  if (!p) return (sqlite3_stmt *)db->stmts;
  Vdbe *v = stmt_ok(p);
  return v ? (sqlite3_stmt *)v->next : NULL;
}
int sqlite3_stmt_status(sqlite3_stmt *p, int op, int reset) {
  Vdbe *v = stmt_ok(p);
  if (!v || op < 0 || op >= 8) return 0;
  int x = v->stmt_status[op];
  if (reset) v->stmt_status[op] = 0;
  return x;
}
