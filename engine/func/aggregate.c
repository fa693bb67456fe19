/*
** aggregate.c — count, sum, total, avg, min, max, group_concat
** (lang_aggfunc.html), with window-function xValue/xInverse where SQLite has
** them.  State lives in sqlite3_aggregate_context(); no per-row allocation
** except when a text/blob min/max or group_concat buffer must grow.
*/
#include "func_int.h"
#include "../util/printf.h"

/* ---- count ---- */
typedef struct CountCtx {
  i64 n;
} CountCtx;

void fn_count_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CountCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if ((argc == 0 || sqlite3_value_type(argv[0]) != SQLITE_NULL) && p) p->n++;
}
void fn_count_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CountCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if ((argc == 0 || sqlite3_value_type(argv[0]) != SQLITE_NULL) && p) p->n--;
}
void fn_count_final(sqlite3_context *ctx) {
  CountCtx *p = sqlite3_aggregate_context(ctx, 0);
  sqlite3_result_int64(ctx, p ? p->n : 0);
}

/* ---- sum / total / avg ---- */
typedef struct SumCtx {
  double rsum;
  i64 isum;
  i64 cnt;
  u8 overflow;
  u8 approx;
} SumCtx;

void fn_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SumCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  int t = sqlite3_value_numeric_type(argv[0]);
  if (p && t != SQLITE_NULL) {
    p->cnt++;
    if (t == SQLITE_INTEGER) {
      i64 v = sqlite3_value_int64(argv[0]);
      p->rsum += (double)v;
      if ((p->approx | p->overflow) == 0) {
        i64 r;
        if (__builtin_add_overflow(p->isum, v, &r)) p->approx = p->overflow = 1;
        else p->isum = r;
      }
    } else {
      p->rsum += sqlite3_value_double(argv[0]);
      p->approx = 1;
    }
  }
}

void fn_sum_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SumCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  int t = sqlite3_value_numeric_type(argv[0]);
  if (p && t != SQLITE_NULL) {
    p->cnt--;
    if (t == SQLITE_INTEGER && p->approx == 0) {
      i64 v = sqlite3_value_int64(argv[0]);
      p->rsum -= (double)v;
      p->isum -= v;
    } else {
      p->rsum -= sqlite3_value_double(argv[0]);
    }
  }
}

void fn_sum_final(sqlite3_context *ctx) {
  SumCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->cnt > 0) {
    if (p->overflow) sqlite3_result_error(ctx, "integer overflow", -1);
    else if (p->approx) sqlite3_result_double(ctx, p->rsum);
    else sqlite3_result_int64(ctx, p->isum);
  }
}

void fn_avg_final(sqlite3_context *ctx) {
  SumCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p && p->cnt > 0) sqlite3_result_double(ctx, p->rsum / (double)p->cnt);
}

void fn_total_final(sqlite3_context *ctx) {
  SumCtx *p = sqlite3_aggregate_context(ctx, 0);
  sqlite3_result_double(ctx, p ? p->rsum : 0.0);
}

/* ---- min / max (aggregate; user_data NULL = min) ----
** The best value is kept in the aggregate context in its own buffer, which
** only grows, so no allocation happens per row. */
typedef struct MinMaxCtx {
  int type; /* 0 = nothing yet */
  i64 i;
  double r;
  u8 *z;
  int n;
  int alloc;
} MinMaxCtx;

static void mm_view(const MinMaxCtx *p, ValView *v) {
  v->type = p->type;
  v->i = p->i;
  v->r = p->r;
  v->z = p->z;
  v->n = p->n;
}

static int mm_store(MinMaxCtx *p, const ValView *v) {
  if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB) {
    if (v->n + 1 > p->alloc) {
      int na = v->n + 1 < 32 ? 32 : v->n + 1;
      u8 *z = sqlite3_realloc64(p->z, (u64)na);
      if (z == NULL) return SQLITE_NOMEM;
      p->z = z;
      p->alloc = na;
    }
    if (v->n) memcpy(p->z, v->z, (size_t)v->n);
    p->z[v->n] = 0;
    p->n = v->n;
  }
  p->type = v->type;
  p->i = v->i;
  p->r = v->r;
  return SQLITE_OK;
}

void fn_minmax_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  MinMaxCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p == NULL) return;
  /* func_context_skip: "this row is not the new extreme", so the VM keeps
  ** the bare columns of the row that was (SQLite's SkipAccumulatorLoad). */
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    if (p->type) func_context_skip(ctx);
    return;
  }
  ValView cur;
  func_view(argv[0], &cur);
  if (p->type) {
    int is_max = sqlite3_user_data(ctx) != NULL;
    ValView best;
    mm_view(p, &best);
    int cmp = func_view_compare(&best, &cur, func_context_collseq(ctx));
    if ((is_max && cmp < 0) || (!is_max && cmp > 0)) {
      if (mm_store(p, &cur)) sqlite3_result_error_nomem(ctx);
    } else {
      func_context_skip(ctx);
    }
  } else {
    if (mm_store(p, &cur)) sqlite3_result_error_nomem(ctx);
  }
}

static void mm_result(sqlite3_context *ctx, MinMaxCtx *p) {
  switch (p->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, p->i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, p->r); break;
    case SQLITE_TEXT:
      sqlite3_result_text(ctx, (const char *)p->z, p->n, SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB: sqlite3_result_blob(ctx, p->z, p->n, SQLITE_TRANSIENT); break;
    default: break;
  }
}

void fn_minmax_value(sqlite3_context *ctx) {
  MinMaxCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p) mm_result(ctx, p);
}

void fn_minmax_final(sqlite3_context *ctx) {
  MinMaxCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p) {
    mm_result(ctx, p);
    sqlite3_free(p->z);
    p->z = NULL;
    p->alloc = 0;
  }
}

/* ---- group_concat(X [, SEP]) ----
** For the window form (xInverse) the byte lengths of the separators are
** remembered so the oldest term can be removed. */
typedef struct GroupConcatCtx {
  sqlite3_str str;
  int n_accum;
  int n_first_sep;
  int *sep_lens;   /* separator length before term k+1 (window use only) */
  int n_sep_lens;
  int alloc_sep_lens;
} GroupConcatCtx;

void fn_group_concat_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  GroupConcatCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p == NULL) return;
  int first = p->str.mx == 0;
  p->str.mx = (u32)func_max_length(ctx);
  int nsep = 0;
  if (argc == 1) {
    if (!first) sqlite3_str_appendchar(&p->str, 1, ',');
    else p->n_first_sep = 1;
    nsep = 1;
  } else if (!first) {
    const char *sep = (const char *)sqlite3_value_text(argv[1]);
    nsep = sqlite3_value_bytes(argv[1]);
    if (sep) sqlite3_str_append(&p->str, sep, nsep);
    else nsep = 0;
  } else {
    p->n_first_sep = sqlite3_value_bytes(argv[1]);
  }
  if (!first) {
    /* remember this separator's length for the inverse */
    if (p->n_sep_lens >= p->alloc_sep_lens) {
      int na = p->alloc_sep_lens ? p->alloc_sep_lens * 2 : 16;
      int *nl = sqlite3_realloc64(p->sep_lens, (u64)na * sizeof(int));
      if (nl) {
        p->sep_lens = nl;
        p->alloc_sep_lens = na;
      }
    }
    if (p->n_sep_lens < p->alloc_sep_lens) p->sep_lens[p->n_sep_lens++] = nsep;
  }
  const char *val = (const char *)sqlite3_value_text(argv[0]);
  int nval = sqlite3_value_bytes(argv[0]);
  if (val) sqlite3_str_append(&p->str, val, nval);
  p->n_accum++;
}

void fn_group_concat_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  GroupConcatCtx *p = sqlite3_aggregate_context(ctx, sizeof(*p));
  if (p == NULL) return;
  int n = sqlite3_value_bytes(argv[0]);
  p->n_accum--;
  if (p->n_accum > 0 && p->n_sep_lens > 0) {
    n += p->sep_lens[0];
    memmove(p->sep_lens, p->sep_lens + 1, (size_t)(p->n_sep_lens - 1) * sizeof(int));
    p->n_sep_lens--;
  } else if (p->n_accum > 0) {
    n += p->n_first_sep;
  }
  if ((u32)n >= p->str.n) {
    p->str.n = 0;
  } else {
    p->str.n -= (u32)n;
    memmove(p->str.z, p->str.z + n, p->str.n);
  }
  if (p->str.n == 0) {
    p->str.mx = 0;
    p->n_sep_lens = 0;
  }
}

static void gc_result(sqlite3_context *ctx, GroupConcatCtx *p, int final) {
  if (p->str.err == SQLITE_TOOBIG) {
    sqlite3_result_error_toobig(ctx);
  } else if (p->str.err) {
    sqlite3_result_error_nomem(ctx);
  } else if (final) {
    /* final: '' even when empty (the context exists: a value was seen) */
    sqlite3_result_text(ctx, p->str.z ? p->str.z : "", (int)p->str.n, SQLITE_TRANSIENT);
  } else if (p->str.n > 0) {
    /* window value over an empty frame: NULL (sqlite3_str_value) */
    sqlite3_result_text(ctx, p->str.z, (int)p->str.n, SQLITE_TRANSIENT);
  }
  if (final) {
    sqlite3_str_reset(&p->str);
    sqlite3_free(p->sep_lens);
    p->sep_lens = NULL;
  }
}

void fn_group_concat_value(sqlite3_context *ctx) {
  GroupConcatCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p) gc_result(ctx, p, 0);
}

void fn_group_concat_final(sqlite3_context *ctx) {
  GroupConcatCtx *p = sqlite3_aggregate_context(ctx, 0);
  if (p) gc_result(ctx, p, 1);
}
