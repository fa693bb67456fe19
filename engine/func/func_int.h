/*
** func_int.h — private declarations of the func layer: the built-in
** function implementations (spread over several files, gathered into the
** static const table in registry.c) and shared helpers.
*/
#ifndef SHALE_FUNC_INT_H
#define SHALE_FUNC_INT_H

#include "func.h"

/* LIKE / GLOB matching parameters (user_data of like/glob). */
typedef struct LikeInfo {
  u8 match_all; /* '%' or '*' (0 when it is the ESCAPE character) */
  u8 match_one; /* '_' or '?' */
  u8 match_set; /* '[' or 0 */
  u8 nocase;    /* 1: fold ASCII case */
} LikeInfo;
extern const LikeInfo func_like_info_nocase, func_like_info_case, func_glob_info;

/* A read-only view of an SQL value, for comparisons (min, max, nullif). */
typedef struct ValView {
  int type;
  i64 i;
  double r;
  const u8 *z;
  int n;
} ValView;
void func_view(sqlite3_value *v, ValView *out);
int func_view_compare(const ValView *a, const ValView *b, const CollSeq *coll);
/* contextMalloc: checks SQLITE_LIMIT_LENGTH, reports TOOBIG / NOMEM. */
void *func_ctx_malloc(sqlite3_context *ctx, i64 n);
int func_max_length(sqlite3_context *ctx);

void coll_registry_clear(sqlite3 *db);

/* like.c */
void func_like(sqlite3_context *, int, sqlite3_value **);

/* scalar.c */
#define X(n) void n(sqlite3_context *, int, sqlite3_value **);
X(fn_abs) X(fn_changes) X(fn_char) X(fn_coalesce) X(fn_hex) X(fn_iif) X(fn_instr)
X(fn_last_insert_rowid) X(fn_length) X(fn_lower) X(fn_upper) X(fn_minmax)
X(fn_nullif) X(fn_printf) X(fn_quote) X(fn_random) X(fn_randomblob) X(fn_replace)
X(fn_round) X(fn_trim) X(fn_sign) X(fn_soundex) X(fn_compileoption_get)
X(fn_compileoption_used) X(fn_source_id) X(fn_version) X(fn_substr)
X(fn_total_changes) X(fn_typeof) X(fn_unicode) X(fn_zeroblob) X(fn_first_arg)
X(fn_unhex) X(fn_concat) X(fn_concat_ws) X(fn_octet_length) X(fn_load_extension) X(fn_subtype) X(fn_sqlite_log)
/* math */
X(fn_math1) X(fn_math2) X(fn_ceil) X(fn_log) X(fn_pi)
/* aggregate.c */
X(fn_count_step) X(fn_count_inverse) X(fn_sum_step) X(fn_sum_inverse)
X(fn_minmax_step) X(fn_group_concat_step) X(fn_group_concat_inverse)
/* datetime.c */
X(fn_julianday) X(fn_unixepoch) X(fn_date) X(fn_time) X(fn_datetime) X(fn_strftime)
X(fn_current_time) X(fn_current_date) X(fn_current_timestamp) X(fn_timediff)
/* window.c */
X(fn_win_noop_step) X(fn_row_number_step) X(fn_dense_rank_step) X(fn_rank_step)
X(fn_percent_rank_step) X(fn_percent_rank_inverse) X(fn_ntile_step) X(fn_ntile_inverse)
X(fn_first_value_step) X(fn_nth_value_step) X(fn_last_value_step) X(fn_last_value_inverse)
/* json.c */
X(fn_json) X(fn_json_valid) X(fn_json_type) X(fn_json_array_length) X(fn_json_extract)
X(fn_json_quote) X(fn_json_array) X(fn_json_object) X(fn_json_remove) X(fn_json_replace)
X(fn_json_set) X(fn_json_patch) X(fn_json_group_array_step) X(fn_json_group_object_step)
X(fn_json_group_inverse)
#undef X
void fn_json_group_array_value(sqlite3_context *);
void fn_json_group_array_final(sqlite3_context *);
void fn_json_group_object_value(sqlite3_context *);
void fn_json_group_object_final(sqlite3_context *);
void fn_win_noop_value(sqlite3_context *);
void fn_row_number_value(sqlite3_context *);
void fn_dense_rank_value(sqlite3_context *);
void fn_rank_value(sqlite3_context *);
void fn_percent_rank_value(sqlite3_context *);
void fn_cume_dist_value(sqlite3_context *);
void fn_ntile_value(sqlite3_context *);
void fn_nth_value_value(sqlite3_context *);
void fn_nth_value_final(sqlite3_context *);
void fn_last_value_value(sqlite3_context *);
void fn_last_value_final(sqlite3_context *);
void fn_count_final(sqlite3_context *);
void fn_sum_final(sqlite3_context *);
void fn_total_final(sqlite3_context *);
void fn_avg_final(sqlite3_context *);
void fn_minmax_final(sqlite3_context *);
void fn_minmax_value(sqlite3_context *);
void fn_group_concat_final(sqlite3_context *);
void fn_group_concat_value(sqlite3_context *);

#endif
