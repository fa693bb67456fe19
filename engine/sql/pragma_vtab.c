/*
** pragma_vtab.c — the pragma_* eponymous virtual tables (pragma_table_info,
** pragma_index_list, ...), as SQLite's pragma.c builds them: the columns are
** the PRAGMA's result columns plus `arg HIDDEN` (pragmas taking an
** argument) and `schema HIDDEN` (pragmas taking a schema); xFilter runs
** "PRAGMA [schema.]name[=arg]" as a nested statement and keeps its rows.
**
** Async rule: the nested statement may meet SHALE_PENDING (schema load,
** lock); xFilter then returns SHALE_PENDING and OP_VFilter is re-executed,
** which resumes the same nested statement (its progress lives in the
** cursor), so nothing is done twice.
*/
#include "vtab.h"

#define PF_ARG 0x01     /* takes an argument: `arg HIDDEN` */
#define PF_SCHEMA 0x02  /* takes a schema: `schema HIDDEN` */

typedef struct PragmaDef {
  const char *name;
  int flags;
  const char *cols; /* result columns, comma separated (SQLite's names) */
} PragmaDef;

/* The row-returning pragmas this engine implements. */
static const PragmaDef pragma_defs[] = {
    {"collation_list", 0, "seq,name"},
    {"compile_options", 0, "compile_options"},
    {"database_list", 0, "seq,name,file"},
    {"foreign_key_list", PF_ARG | PF_SCHEMA, "id,seq,table,from,to,on_update,on_delete,match"},
    {"index_info", PF_ARG | PF_SCHEMA, "seqno,cid,name"},
    {"index_list", PF_ARG | PF_SCHEMA, "seq,name,unique,origin,partial"},
    {"index_xinfo", PF_ARG | PF_SCHEMA, "seqno,cid,name,desc,coll,key"},
    {"table_info", PF_ARG | PF_SCHEMA, "cid,name,type,notnull,dflt_value,pk"},
    {"table_list", PF_ARG, "schema,name,type,ncol,wr,strict"},
    {"table_xinfo", PF_ARG | PF_SCHEMA, "cid,name,type,notnull,dflt_value,pk,hidden"},
};

const void *pragma_vtab_find(const char *name) {
  for (size_t i = 0; i < SHALE_ARRAY_SIZE(pragma_defs); i++)
    if (!shale_stricmp(pragma_defs[i].name, name)) return &pragma_defs[i];
  return NULL;
}

typedef struct PragmaTab {
  sqlite3_vtab base;
  sqlite3 *db;
  const PragmaDef *def;
  int n_col;    /* result columns */
  int n_hidden;
} PragmaTab;

typedef struct PragmaCur {
  sqlite3_vtab_cursor base;
  char *arg[2];       /* arg, schema */
  Vdbe *stmt;         /* the nested PRAGMA while it runs */
  sqlite3_value **rows; /* n_row * n_col values */
  int n_row, a_row;
  int i;
  int running;        /* xFilter interrupted by PENDING: resume */
} PragmaCur;

static int pv_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  SHALE_UNUSED(err);
  const PragmaDef *d = aux;
  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  int n = 0;
  const char *c = d->cols;
  while (*c) {
    const char *e = strchr(c, ',');
    int len = e ? (int)(e - c) : (int)strlen(c);
    sqlite3_str_appendf(s, "%s\"%.*s\"", n ? "," : "", len, c);
    n++;
    c += len + (e ? 1 : 0);
  }
  int hidden = 0;
  if (d->flags & PF_ARG) sqlite3_str_appendall(s, ",arg HIDDEN"), hidden++;
  if (d->flags & PF_SCHEMA) sqlite3_str_appendall(s, ",schema HIDDEN"), hidden++;
  sqlite3_str_appendall(s, ")");
  char *sql = sqlite3_str_finish(s);
  if (!sql) return SQLITE_NOMEM;
  int rc = vtab_declare(db, sql);
  sqlite3_free(sql);
  if (rc) return rc;
  PragmaTab *t = shale_malloc_zero(sizeof(PragmaTab));
  if (!t) return SQLITE_NOMEM;
  t->db = db;
  t->def = d;
  t->n_col = n;
  t->n_hidden = hidden;
  *pp = &t->base;
  return SQLITE_OK;
}

static int pv_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* As SQLite: an equality on `arg` (then `schema`) becomes xFilter's
** arguments; without `arg` the pragma is very expensive (it has no rows). */
static int pv_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  PragmaTab *t = (PragmaTab *)vt;
  info->estimatedCost = 1;
  if (t->n_hidden == 0) return SQLITE_OK;
  int seen[2] = {0, 0};
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ || c->iColumn < t->n_col) continue;
    seen[c->iColumn - t->n_col] = i + 1;
  }
  if (seen[0] == 0) {
    info->estimatedCost = 2147483647.0;
    info->estimatedRows = 2147483647;
    return SQLITE_OK;
  }
  info->aConstraintUsage[seen[0] - 1].argvIndex = 1;
  info->aConstraintUsage[seen[0] - 1].omit = 1;
  if (seen[1] == 0) return SQLITE_OK;
  info->estimatedCost = 20;
  info->estimatedRows = 20;
  info->aConstraintUsage[seen[1] - 1].argvIndex = 2;
  info->aConstraintUsage[seen[1] - 1].omit = 1;
  return SQLITE_OK;
}

static int pv_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **pp) {
  SHALE_UNUSED(vt);
  PragmaCur *c = shale_malloc_zero(sizeof(PragmaCur));
  if (!c) return SQLITE_NOMEM;
  *pp = &c->base;
  return SQLITE_OK;
}

static void pv_reset(PragmaCur *c, int n_col) {
  if (c->stmt) vdbe_finalize(c->stmt);
  c->stmt = NULL;
  for (int i = 0; i < c->n_row * n_col; i++) sqlite3_value_free(c->rows[i]);
  sqlite3_free(c->rows);
  c->rows = NULL;
  c->n_row = c->a_row = 0;
  c->i = 0;
  c->running = 0;
  sqlite3_free(c->arg[0]);
  sqlite3_free(c->arg[1]);
  c->arg[0] = c->arg[1] = NULL;
}

static int pv_close(sqlite3_vtab_cursor *cur) {
  pv_reset((PragmaCur *)cur, ((PragmaTab *)cur->pVtab)->n_col);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int pv_keep_row(PragmaCur *c, int n_col) {
  if (c->n_row == c->a_row) {
    int na = c->a_row ? c->a_row * 2 : 16;
    sqlite3_value **a = sqlite3_realloc64(c->rows, sizeof(sqlite3_value *) * (u64)na * (u64)(n_col ? n_col : 1));
    if (!a) return SQLITE_NOMEM;
    c->rows = a;
    c->a_row = na;
  }
  for (int j = 0; j < n_col; j++) {
    sqlite3_value *v = vdbe_row_value(c->stmt, j);
    sqlite3_value *d = v ? sqlite3_value_dup(v) : NULL;
    if (v && !d) {
      for (int k = 0; k < j; k++) sqlite3_value_free(c->rows[c->n_row * n_col + k]);
      return SQLITE_NOMEM;
    }
    c->rows[c->n_row * n_col + j] = d;
  }
  c->n_row++;
  return SQLITE_OK;
}

static int pv_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(idx_num);
  SHALE_UNUSED(idx_str);
  PragmaCur *c = (PragmaCur *)cur;
  PragmaTab *t = (PragmaTab *)cur->pVtab;
  sqlite3 *db = t->db;
  int rc;
  if (!c->running) {
    pv_reset(c, t->n_col);
    for (int i = 0; i < argc && i < 2; i++) {
      const char *z = (const char *)sqlite3_value_text(argv[i]);
      if (z && !(c->arg[i] = shale_strdup(z))) return SQLITE_NOMEM;
    }
    c->running = 1;
  }
  if (!c->stmt) {
    if (c->arg[1] && schema_db_index(db, c->arg[1]) < 0) {
      /* SQLite names the schema as its PRAGMA text has it: quoted */
      c->running = 0;
      sqlite3_free(cur->pVtab->zErrMsg);
      cur->pVtab->zErrMsg = sqlite3_mprintf("unknown database %Q", c->arg[1]);
      return SQLITE_ERROR;
    }
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendall(s, "PRAGMA ");
    if (c->arg[1]) sqlite3_str_appendf(s, "%Q.", c->arg[1]);
    sqlite3_str_appendall(s, t->def->name);
    if (c->arg[0]) sqlite3_str_appendf(s, "=%Q", c->arg[0]);
    char *sql = sqlite3_str_finish(s);
    if (!sql) return SQLITE_NOMEM;
    rc = sql_prepare(db, sql, -1, 0, &c->stmt, NULL);
    sqlite3_free(sql);
    if (rc == SHALE_PENDING) return rc; /* re-executed: prepared again */
    if (rc) {
      c->running = 0;
      sqlite3_free(cur->pVtab->zErrMsg);
      cur->pVtab->zErrMsg = sqlite3_mprintf("%s", db->err_msg ? db->err_msg : "SQL logic error");
      return rc;
    }
  }
  while (c->stmt && (rc = vdbe_exec(c->stmt)) == SQLITE_ROW) {
    if (pv_keep_row(c, t->n_col)) return SQLITE_NOMEM;
  }
  if (c->stmt && rc == SHALE_PENDING) return rc; /* re-executed: the nested statement resumes */
  c->running = 0;
  if (c->stmt) {
    vdbe_finalize(c->stmt);
    c->stmt = NULL;
    if (rc != SQLITE_DONE) {
      sqlite3_free(cur->pVtab->zErrMsg);
      cur->pVtab->zErrMsg = sqlite3_mprintf("%s", db->err_msg ? db->err_msg : "SQL logic error");
      return rc;
    }
  }
  c->i = 0;
  return SQLITE_OK;
}

static int pv_next(sqlite3_vtab_cursor *cur) {
  ((PragmaCur *)cur)->i++;
  return SQLITE_OK;
}

static int pv_eof(sqlite3_vtab_cursor *cur) {
  PragmaCur *c = (PragmaCur *)cur;
  return c->i >= c->n_row;
}

static int pv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  PragmaCur *c = (PragmaCur *)cur;
  PragmaTab *t = (PragmaTab *)cur->pVtab;
  if (col < t->n_col) {
    sqlite3_value *v = c->rows[c->i * t->n_col + col];
    if (v) sqlite3_result_value(ctx, v);
  } else if (col - t->n_col < 2 && c->arg[col - t->n_col]) {
    sqlite3_result_text(ctx, c->arg[col - t->n_col], -1, SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

static int pv_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((PragmaCur *)cur)->i;
  return SQLITE_OK;
}

const sqlite3_module pragma_vtab_module = {0,         NULL,      pv_connect, pv_best_index, pv_disconnect, NULL,
                                           pv_open,   pv_close,  pv_filter,  pv_next,       pv_eof,        pv_column,
                                           pv_rowid,  NULL,      NULL,       NULL,          NULL,          NULL,
                                           NULL,      NULL,      NULL,       NULL,          NULL,          NULL};
