/*
** shell_series.c — generate_series(start, stop, step), the table-valued
** function the sqlite3 3.40 shell builds in (its ext/misc/series.c; the
** library itself has no such table, and neither has ours).  Written here
** against the public virtual-table API, with 3.40's behaviour: a descending
** walk (negative step or ORDER BY value DESC) starts from the last member
** at or below stop; a NULL argument gives no rows; step 0 means 1; the
** first argument is required.
*/
#include "shell.h"
#include <string.h>

enum { SER_VALUE, SER_START, SER_STOP, SER_STEP };

typedef struct SeriesCur {
  sqlite3_vtab_cursor base;
  int desc;
  sqlite3_int64 rowid, value, min, max, step;
} SeriesCur;

static int ser_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  (void)aux, (void)argc, (void)argv, (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(value,start hidden,stop hidden,step hidden)");
  if (rc) return rc;
  sqlite3_vtab *t = sqlite3_malloc(sizeof(*t));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *pp = t;
  return SQLITE_OK;
}

static int ser_disconnect(sqlite3_vtab *t) {
  sqlite3_free(t);
  return SQLITE_OK;
}

/* idxNum bits: 1 start, 2 stop, 4 step given; 8 descending, 16 ascending
** (ORDER BY value consumed). */
static int ser_best_index(sqlite3_vtab *t, sqlite3_index_info *info) {
  int idx = 0, start_seen = 0, unusable = 0, n_arg = 0, at[3] = {-1, -1, -1};
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (c->iColumn < SER_START) continue;
    int col = c->iColumn - SER_START, mask = 1 << col;
    if (col == 0) start_seen = 1;
    if (!c->usable) {
      unusable |= mask;
    } else if (c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
      idx |= mask;
      at[col] = i;
    }
  }
  for (int i = 0; i < 3; i++)
    if (at[i] >= 0) {
      info->aConstraintUsage[at[i]].argvIndex = ++n_arg;
      info->aConstraintUsage[at[i]].omit = 1;
    }
  if (!start_seen) {
    sqlite3_free(t->zErrMsg);
    t->zErrMsg = sqlite3_mprintf("first argument to \"generate_series()\" missing or unusable");
    return SQLITE_ERROR;
  }
  if (unusable & ~idx) return SQLITE_CONSTRAINT;
  if ((idx & 3) == 3) {
    info->estimatedCost = (double)(2 - ((idx & 4) != 0));
    info->estimatedRows = 1000;
    if (info->nOrderBy >= 1 && info->aOrderBy[0].iColumn == 0) {
      idx |= info->aOrderBy[0].desc ? 8 : 16;
      info->orderByConsumed = 1;
    }
  } else {
    info->estimatedRows = 2147483647;
  }
  info->idxNum = idx;
  return SQLITE_OK;
}

static int ser_open(sqlite3_vtab *t, sqlite3_vtab_cursor **pp) {
  (void)t;
  SeriesCur *c = sqlite3_malloc(sizeof(*c));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}

static int ser_close(sqlite3_vtab_cursor *c) {
  sqlite3_free(c);
  return SQLITE_OK;
}

static int ser_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc, sqlite3_value **argv) {
  (void)idx_str;
  SeriesCur *c = (SeriesCur *)cur;
  int i = 0;
  c->min = (idx & 1) ? sqlite3_value_int64(argv[i++]) : 0;
  c->max = (idx & 2) ? sqlite3_value_int64(argv[i++]) : 0xffffffff;
  if (idx & 4) {
    c->step = sqlite3_value_int64(argv[i++]);
    if (c->step == 0) {
      c->step = 1;
    } else if (c->step < 0) {
      c->step = -c->step;
      if (!(idx & 16)) idx |= 8;
    }
  } else {
    c->step = 1;
  }
  for (i = 0; i < argc; i++)
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
      c->min = 1;
      c->max = 0;
      break;
    }
  c->desc = (idx & 8) != 0;
  if (c->desc) {
    c->value = c->max;
    if (c->step > 0) c->value -= (c->max - c->min) % c->step;
  } else {
    c->value = c->min;
  }
  c->rowid = 1;
  return SQLITE_OK;
}

static int ser_next(sqlite3_vtab_cursor *cur) {
  SeriesCur *c = (SeriesCur *)cur;
  /* wrapping arithmetic, as the original's 64-bit walk */
  c->value = (sqlite3_int64)((sqlite3_uint64)c->value + (c->desc ? -(sqlite3_uint64)c->step : (sqlite3_uint64)c->step));
  c->rowid++;
  return SQLITE_OK;
}

static int ser_eof(sqlite3_vtab_cursor *cur) {
  SeriesCur *c = (SeriesCur *)cur;
  return c->desc ? c->value < c->min : c->value > c->max;
}

static int ser_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  SeriesCur *c = (SeriesCur *)cur;
  sqlite3_int64 x = col == SER_START ? c->min : col == SER_STOP ? c->max : col == SER_STEP ? c->step : c->value;
  sqlite3_result_int64(ctx, x);
  return SQLITE_OK;
}

static int ser_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((SeriesCur *)cur)->rowid;
  return SQLITE_OK;
}

static const sqlite3_module series_module = {0,        NULL,     ser_connect, ser_best_index, ser_disconnect, NULL,
                                             ser_open, ser_close, ser_filter, ser_next,       ser_eof,        ser_column,
                                             ser_rowid, NULL,    NULL,        NULL,           NULL,           NULL,
                                             NULL,     NULL,     NULL,        NULL,           NULL,           NULL};

int shell_register_series(sqlite3 *db) { return sqlite3_create_module(db, "generate_series", &series_module, NULL); }
