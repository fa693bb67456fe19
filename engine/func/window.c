/*
** window.c — the built-in window functions (lang_windowfunc.html):
** row_number, rank, dense_rank, percent_rank, cume_dist, ntile,
** first_value, last_value, nth_value, lag, lead.
**
** They are aggregate-style callbacks (xStep/xInverse/xValue/xFinal) with
** SQLite's semantics, which assume the code generator forces these frames
** (as SQLite's sqlite3WindowUpdate does), whatever the OVER clause says:
**   row_number    ROWS   BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
**   rank          RANGE  BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
**   dense_rank    RANGE  BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
**   percent_rank  GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
**   cume_dist     GROUPS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
**   ntile         ROWS   BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
**   lead          ROWS   BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
**   lag           ROWS   BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
** Driving protocol (validated against sqlite3 in tests/unit/func_window.c,
** which is a small reference implementation): per partition, rows enter
** through xStep from the partition start up to the frame end (a frame that
** starts after the current row still steps the rows before it), rows below
** the frame start leave through xInverse, then xValue gives the current
** row's result; xFinal once at the end.  Functions without a real inverse
** (min, max, first_value, nth_value) are recomputed over the frame for
** sliding frames, as SQLite does.
** lag/lead: like SQLite, the value comes from the code generator (it reads
** the partition's rows); the callbacks here are no-ops.
*/
#include "func_int.h"

typedef struct CallCount {
  i64 n_value;
  i64 n_step;
  i64 n_total;
} CallCount;

void fn_win_noop_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(ctx);
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
}
void fn_win_noop_value(sqlite3_context *ctx) { SHALE_UNUSED(ctx); }

/* row_number() */
void fn_row_number_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  i64 *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) (*p)++;
}
void fn_row_number_value(sqlite3_context *ctx) {
  i64 *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  sqlite3_result_int64(ctx, p ? *p : 0);
}

/* dense_rank() */
void fn_dense_rank_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) p->n_step = 1;
}
void fn_dense_rank_value(sqlite3_context *ctx) {
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    if (p->n_step) {
      p->n_value++;
      p->n_step = 0;
    }
    sqlite3_result_int64(ctx, p->n_value);
  }
}

/* rank(): the first row stepped after a value was returned starts a new
** peer group (n_total is used as the "value returned" flag, so repeated
** xValue calls for the rows of one peer group give the same rank). */
void fn_rank_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    p->n_step++;
    if (p->n_value == 0 || p->n_total) {
      p->n_value = p->n_step;
      p->n_total = 0;
    }
  }
}
void fn_rank_value(sqlite3_context *ctx) {
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    sqlite3_result_int64(ctx, p->n_value);
    p->n_total = 1;
  }
}

/* percent_rank() */
void fn_percent_rank_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) p->n_total++;
}
void fn_percent_rank_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) p->n_step++;
}
void fn_percent_rank_value(sqlite3_context *ctx) {
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    p->n_value = p->n_step;
    if (p->n_total > 1) sqlite3_result_double(ctx, (double)p->n_value / (double)(p->n_total - 1));
    else sqlite3_result_double(ctx, 0.0);
  }
}

/* cume_dist() */
void fn_cume_dist_value(sqlite3_context *ctx) {
  CallCount *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) sqlite3_result_double(ctx, (double)p->n_step / (double)p->n_total);
}

/* ntile(N) */
typedef struct NtileCtx {
  i64 n_total;
  i64 n_param;
  i64 i_row;
} NtileCtx;

void fn_ntile_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  NtileCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    if (p->n_total == 0) {
      p->n_param = sqlite3_value_int64(argv[0]);
      if (p->n_param <= 0) {
        sqlite3_result_error(ctx, "argument of ntile must be a positive integer", -1);
      }
    }
    p->n_total++;
  }
}
void fn_ntile_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  NtileCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) p->i_row++;
}
void fn_ntile_value(sqlite3_context *ctx) {
  NtileCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p && p->n_param > 0) {
    i64 size = p->n_total / p->n_param;
    if (size == 0) {
      sqlite3_result_int64(ctx, p->i_row + 1);
    } else {
      i64 n_large = p->n_total - p->n_param * size;
      i64 i_small = n_large * (size + 1);
      i64 row = p->i_row;
      if (row < i_small) sqlite3_result_int64(ctx, 1 + row / (size + 1));
      else sqlite3_result_int64(ctx, 1 + n_large + (row - i_small) / size);
    }
  }
}

/* first_value(X) / nth_value(X, N) */
typedef struct NthValueCtx {
  i64 n_step;
  sqlite3_value *value;
} NthValueCtx;

void fn_first_value_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  NthValueCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p && p->value == NULL) {
    p->value = sqlite3_value_dup(argv[0]);
    if (p->value == NULL) sqlite3_result_error_nomem(ctx);
  }
}

void fn_nth_value_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  NthValueCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p == NULL) return;
  i64 ival;
  switch (sqlite3_value_numeric_type(argv[1])) {
    case SQLITE_INTEGER: ival = sqlite3_value_int64(argv[1]); break;
    case SQLITE_FLOAT: {
      double f = sqlite3_value_double(argv[1]);
      if ((double)(i64)f != f) goto error_out;
      ival = (i64)f;
      break;
    }
    default: goto error_out;
  }
  if (ival <= 0) goto error_out;
  p->n_step++;
  if (ival == p->n_step) {
    p->value = sqlite3_value_dup(argv[0]);
    if (p->value == NULL) sqlite3_result_error_nomem(ctx);
  }
  return;
error_out:
  sqlite3_result_error(ctx, "second argument to nth_value must be a positive integer", -1);
}

void fn_nth_value_value(sqlite3_context *ctx) {
  NthValueCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->value) sqlite3_result_value(ctx, p->value);
}
void fn_nth_value_final(sqlite3_context *ctx) {
  NthValueCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->value) {
    sqlite3_result_value(ctx, p->value);
    sqlite3_value_free(p->value);
    p->value = NULL;
  }
}

/* last_value(X) */
typedef struct LastValueCtx {
  sqlite3_value *val;
  int n_val;
} LastValueCtx;

void fn_last_value_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  LastValueCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    sqlite3_value_free(p->val);
    p->val = sqlite3_value_dup(argv[0]);
    if (p->val == NULL) sqlite3_result_error_nomem(ctx);
    else p->n_val++;
  }
}
void fn_last_value_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  LastValueCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p) {
    p->n_val--;
    if (p->n_val == 0) {
      sqlite3_value_free(p->val);
      p->val = NULL;
    }
  }
}
void fn_last_value_value(sqlite3_context *ctx) {
  LastValueCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->val) sqlite3_result_value(ctx, p->val);
}
void fn_last_value_final(sqlite3_context *ctx) {
  LastValueCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->val) {
    sqlite3_result_value(ctx, p->val);
    sqlite3_value_free(p->val);
    p->val = NULL;
  }
}
