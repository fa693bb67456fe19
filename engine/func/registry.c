/*
** registry.c — the built-in function table (static const data) and the
** per-connection registry of application-defined functions
** (sqlite3_create_function_v2 semantics: replace, delete, xDestroy).
**
** Lookup (func_find): user-defined functions first, then built-ins; among
** candidates of one name the best match wins: an exact argument count beats
** a variable one (n_arg -1), and the connection's encoding beats another.
*/
#include <math.h>
#include "func_int.h"
#include "../api/connection.h"

#define DET (SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define INN SQLITE_INNOCUOUS
#define JDET SQLITE_DETERMINISTIC
#define BI (FUNC_BUILTIN | SQLITE_UTF8)

#define SCALAR(name, n, fl, ud, fn) {name, n, (fl) | BI, (void *)(ud), fn, NULL, NULL, NULL, NULL, NULL, NULL}
#define AGG(name, n, fl, ud, step, fin, val, inv) \
  {name, n, (fl) | BI | FUNC_AGGREGATE, (void *)(ud), NULL, step, fin, val, inv, NULL, NULL}

#define WIN(name, n, step, fin, val, inv) \
  {name, n, INN | BI | FUNC_AGGREGATE | FUNC_WINDOW, NULL, NULL, step, fin, val, inv, NULL, NULL}

static double deg_to_rad(double x) { return x * (3.14159265358979323846 / 180.0); }
static double rad_to_deg(double x) { return x * (180.0 / 3.14159265358979323846); }

#define MATH1(name, f) SCALAR(name, 1, DET, (uintptr_t)(f), fn_math1)
#define MATH2(name, f) SCALAR(name, 2, DET, (uintptr_t)(f), fn_math2)

/* The like() variants: the plain ones fold ASCII case; the FUNC_CASE_SENSITIVE
** ones are chosen when PRAGMA case_sensitive_like is on. */
static const FuncDef builtins[] = {
    SCALAR("abs", 1, DET, 0, fn_abs),
    SCALAR("changes", 0, INN, 0, fn_changes),
    SCALAR("char", -1, DET, 0, fn_char),
    SCALAR("coalesce", -1, DET | FUNC_COALESCE, 0, fn_coalesce),
    SCALAR("glob", 2, DET | FUNC_LIKE | FUNC_CASE_SENSITIVE, &func_glob_info, func_like),
    SCALAR("hex", 1, DET, 0, fn_hex),
    SCALAR("ifnull", 2, DET | FUNC_COALESCE, 0, fn_coalesce),
    SCALAR("iif", 3, DET, 0, fn_iif),
    SCALAR("instr", 2, DET, 0, fn_instr),
    SCALAR("last_insert_rowid", 0, INN, 0, fn_last_insert_rowid),
    SCALAR("length", 1, DET, 0, fn_length),
    SCALAR("like", 2, DET | FUNC_LIKE, &func_like_info_nocase, func_like),
    SCALAR("like", 3, DET | FUNC_LIKE, &func_like_info_nocase, func_like),
    SCALAR("like", 2, DET | FUNC_LIKE | FUNC_CASE_SENSITIVE, &func_like_info_case, func_like),
    SCALAR("like", 3, DET | FUNC_LIKE | FUNC_CASE_SENSITIVE, &func_like_info_case, func_like),
    SCALAR("likelihood", 2, DET | FUNC_UNLIKELY, 0, fn_first_arg),
    SCALAR("likely", 1, DET | FUNC_UNLIKELY, 0, fn_first_arg),
    SCALAR("lower", 1, DET, 0, fn_lower),
    SCALAR("ltrim", 1, DET, 1, fn_trim),
    SCALAR("ltrim", 2, DET, 1, fn_trim),
    SCALAR("max", -1, DET | FUNC_NEEDCOLL, 1, fn_minmax),
    SCALAR("min", -1, DET | FUNC_NEEDCOLL, 0, fn_minmax),
    SCALAR("nullif", 2, DET | FUNC_NEEDCOLL, 0, fn_nullif),
    SCALAR("printf", -1, DET, 0, fn_printf),
    SCALAR("format", -1, DET, 0, fn_printf),
    SCALAR("quote", 1, DET, 0, fn_quote),
    SCALAR("random", 0, INN, 0, fn_random),
    SCALAR("randomblob", 1, INN, 0, fn_randomblob),
    SCALAR("replace", 3, DET, 0, fn_replace),
    SCALAR("round", 1, DET, 0, fn_round),
    SCALAR("round", 2, DET, 0, fn_round),
    SCALAR("rtrim", 1, DET, 2, fn_trim),
    SCALAR("rtrim", 2, DET, 2, fn_trim),
    SCALAR("sign", 1, DET, 0, fn_sign),
    SCALAR("soundex", 1, DET, 0, fn_soundex),
    SCALAR("sqlite_compileoption_get", 1, INN, 0, fn_compileoption_get),
    SCALAR("sqlite_compileoption_used", 1, INN, 0, fn_compileoption_used),
    SCALAR("sqlite_source_id", 0, INN | FUNC_CONSTANT, 0, fn_source_id),
    SCALAR("sqlite_version", 0, INN | FUNC_CONSTANT, 0, fn_version),
    SCALAR("substr", 2, DET, 0, fn_substr),
    SCALAR("substr", 3, DET, 0, fn_substr),
    SCALAR("substring", 2, DET, 0, fn_substr),
    SCALAR("substring", 3, DET, 0, fn_substr),
    SCALAR("total_changes", 0, INN, 0, fn_total_changes),
    SCALAR("trim", 1, DET, 3, fn_trim),
    SCALAR("trim", 2, DET, 3, fn_trim),
    SCALAR("typeof", 1, DET, 0, fn_typeof),
    SCALAR("unicode", 1, DET, 0, fn_unicode),
    SCALAR("unlikely", 1, DET | FUNC_UNLIKELY, 0, fn_first_arg),
    SCALAR("upper", 1, DET, 0, fn_upper),
    SCALAR("zeroblob", 1, DET, 0, fn_zeroblob),
    SCALAR("subtype", 1, DET, 0, fn_subtype),
    SCALAR("sqlite_log", 2, DET, 0, fn_sqlite_log),
    SCALAR("load_extension", 1, SQLITE_DIRECTONLY, 0, fn_load_extension),
    SCALAR("load_extension", 2, SQLITE_DIRECTONLY, 0, fn_load_extension),
    /* date and time (deterministic within one statement) */
    SCALAR("julianday", -1, DET, 0, fn_julianday),
    SCALAR("unixepoch", -1, DET, 0, fn_unixepoch),
    SCALAR("date", -1, DET, 0, fn_date),
    SCALAR("time", -1, DET, 0, fn_time),
    SCALAR("datetime", -1, DET, 0, fn_datetime),
    SCALAR("strftime", -1, DET, 0, fn_strftime),
    SCALAR("current_time", 0, INN, 0, fn_current_time),
    SCALAR("current_timestamp", 0, INN, 0, fn_current_timestamp),
    SCALAR("current_date", 0, INN, 0, fn_current_date),
    /* math (SQLITE_ENABLE_MATH_FUNCTIONS) */
    SCALAR("ceil", 1, DET, (uintptr_t)ceil, fn_ceil),
    SCALAR("ceiling", 1, DET, (uintptr_t)ceil, fn_ceil),
    SCALAR("floor", 1, DET, (uintptr_t)floor, fn_ceil),
    SCALAR("trunc", 1, DET, (uintptr_t)trunc, fn_ceil),
    SCALAR("ln", 1, DET, 0, fn_log),
    SCALAR("log", 1, DET, 1, fn_log),
    SCALAR("log10", 1, DET, 1, fn_log),
    SCALAR("log2", 1, DET, 2, fn_log),
    SCALAR("log", 2, DET, 0, fn_log),
    MATH1("exp", exp), MATH2("pow", pow), MATH2("power", pow), MATH2("mod", fmod),
    MATH1("acos", acos), MATH1("asin", asin), MATH1("atan", atan), MATH2("atan2", atan2),
    MATH1("cos", cos), MATH1("sin", sin), MATH1("tan", tan), MATH1("cosh", cosh),
    MATH1("sinh", sinh), MATH1("tanh", tanh), MATH1("acosh", acosh), MATH1("asinh", asinh),
    MATH1("atanh", atanh), MATH1("sqrt", sqrt), MATH1("radians", deg_to_rad),
    MATH1("degrees", rad_to_deg),
    SCALAR("pi", 0, DET, 0, fn_pi),
    /* aggregates */
    AGG("count", 0, INN, 0, fn_count_step, fn_count_final, fn_count_final, fn_count_inverse),
    AGG("count", 1, INN, 0, fn_count_step, fn_count_final, fn_count_final, fn_count_inverse),
    AGG("sum", 1, INN, 0, fn_sum_step, fn_sum_final, fn_sum_final, fn_sum_inverse),
    AGG("total", 1, INN, 0, fn_sum_step, fn_total_final, fn_total_final, fn_sum_inverse),
    AGG("avg", 1, INN, 0, fn_sum_step, fn_avg_final, fn_avg_final, fn_sum_inverse),
    AGG("max", 1, INN | FUNC_NEEDCOLL, 1, fn_minmax_step, fn_minmax_final, fn_minmax_value, NULL),
    AGG("min", 1, INN | FUNC_NEEDCOLL, 0, fn_minmax_step, fn_minmax_final, fn_minmax_value, NULL),
    AGG("group_concat", 1, INN, 0, fn_group_concat_step, fn_group_concat_final,
        fn_group_concat_value, fn_group_concat_inverse),
    AGG("group_concat", 2, INN, 0, fn_group_concat_step, fn_group_concat_final,
        fn_group_concat_value, fn_group_concat_inverse),
    /* JSON (json.c); user_data of json_extract: 0, 1 = ->, 2 = ->> */
    SCALAR("json", 1, JDET, 0, fn_json),
    SCALAR("json_array", -1, JDET, 0, fn_json_array),
    SCALAR("json_array_length", 1, JDET, 0, fn_json_array_length),
    SCALAR("json_array_length", 2, JDET, 0, fn_json_array_length),
    SCALAR("json_extract", -1, JDET, 0, fn_json_extract),
    SCALAR("->", 2, JDET, 1, fn_json_extract),
    SCALAR("->>", 2, JDET, 2, fn_json_extract),
    SCALAR("json_insert", -1, JDET, 0, fn_json_set),
    SCALAR("json_object", -1, JDET, 0, fn_json_object),
    SCALAR("json_patch", 2, JDET, 0, fn_json_patch),
    SCALAR("json_quote", 1, JDET, 0, fn_json_quote),
    SCALAR("json_remove", -1, JDET, 0, fn_json_remove),
    SCALAR("json_replace", -1, JDET, 0, fn_json_replace),
    SCALAR("json_set", -1, JDET, 1, fn_json_set),
    SCALAR("json_type", 1, JDET, 0, fn_json_type),
    SCALAR("json_type", 2, JDET, 0, fn_json_type),
    SCALAR("json_valid", 1, JDET, 0, fn_json_valid),
    AGG("json_group_array", 1, JDET | SQLITE_SUBTYPE, 0, fn_json_group_array_step,
        fn_json_group_array_final, fn_json_group_array_value, fn_json_group_inverse),
    AGG("json_group_object", 2, JDET | SQLITE_SUBTYPE, 0, fn_json_group_object_step,
        fn_json_group_object_final, fn_json_group_object_value, fn_json_group_inverse),
    /* window functions (window.c) */
    WIN("row_number", 0, fn_row_number_step, fn_row_number_value, fn_row_number_value,
        fn_win_noop_step),
    WIN("dense_rank", 0, fn_dense_rank_step, fn_dense_rank_value, fn_dense_rank_value,
        fn_win_noop_step),
    WIN("rank", 0, fn_rank_step, fn_rank_value, fn_rank_value, fn_win_noop_step),
    WIN("percent_rank", 0, fn_percent_rank_step, fn_percent_rank_value, fn_percent_rank_value,
        fn_percent_rank_inverse),
    WIN("cume_dist", 0, fn_percent_rank_step, fn_cume_dist_value, fn_cume_dist_value,
        fn_percent_rank_inverse),
    WIN("ntile", 1, fn_ntile_step, fn_ntile_value, fn_ntile_value, fn_ntile_inverse),
    WIN("first_value", 1, fn_first_value_step, fn_nth_value_final, fn_nth_value_value,
        fn_win_noop_step),
    WIN("last_value", 1, fn_last_value_step, fn_last_value_final, fn_last_value_value,
        fn_last_value_inverse),
    WIN("nth_value", 2, fn_nth_value_step, fn_nth_value_final, fn_nth_value_value,
        fn_win_noop_step),
    WIN("lead", 1, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
    WIN("lead", 2, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
    WIN("lead", 3, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
    WIN("lag", 1, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
    WIN("lag", 2, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
    WIN("lag", 3, fn_win_noop_step, fn_win_noop_value, fn_win_noop_value, fn_win_noop_step),
};

/* Functions of later SQLite versions (3.41-3.44), kept out of the 3.40 table:
** 3.40 answers "no such function" for them.  Compile with
** -DSHALE_FUNC_POST_340 to enable. */
#ifdef SHALE_FUNC_POST_340
static const FuncDef builtins_post340[] = {
    SCALAR("unhex", 1, DET, 0, fn_unhex),
    SCALAR("unhex", 2, DET, 0, fn_unhex),
    SCALAR("concat", -1, DET, 0, fn_concat),
    SCALAR("concat_ws", -1, DET, 0, fn_concat_ws),
    SCALAR("octet_length", 1, DET, 0, fn_octet_length),
    AGG("string_agg", 2, INN, 0, fn_group_concat_step, fn_group_concat_final,
        fn_group_concat_value, fn_group_concat_inverse),
};
#endif

#define ENC_MASK 0x7u

/* SQLite's matchQuality: 0 = unusable; higher is better. */
static int match_quality(const FuncDef *p, int n_arg, int enc) {
  if (p->n_arg != n_arg) {
    if (n_arg == -2) return p->x_func || p->x_step ? 6 : 0;
    if (p->n_arg >= 0) return 0;
  }
  if (p->x_func == NULL && p->x_step == NULL) return 0;
  /* coalesce() and the scalar min()/max() need at least two arguments
  ** (one-argument min/max is the aggregate). */
  if (p->n_arg < 0 && n_arg >= 0 && n_arg < 2 && (p->flags & FUNC_BUILTIN) &&
      (p->x_func == fn_coalesce || p->x_func == fn_minmax))
    return 0;
  int m = p->n_arg == n_arg ? 4 : 1;
  int fenc = (int)(p->flags & ENC_MASK);
  if (enc == fenc) m += 2;
  else if ((enc & fenc & 2) != 0) m += 1;
  return m;
}

static const FuncDef *search_table(const FuncDef *tab, size_t n, const char *name, int n_arg,
                                   int enc, int cs_like, int *exists, int *best_score) {
  const FuncDef *best = NULL;
  for (size_t i = 0; i < n; i++) {
    const FuncDef *p = &tab[i];
    if (shale_stricmp(p->name, name) != 0) continue;
    if ((p->flags & FUNC_LIKE) && p->name[0] == 'l' &&
        ((p->flags & FUNC_CASE_SENSITIVE) != 0) != (cs_like != 0))
      continue;
    *exists = 1;
    int q = match_quality(p, n_arg, enc);
    if (q > *best_score) {
      *best_score = q;
      best = p;
    }
  }
  return best;
}

const FuncDef *func_find(sqlite3 *db, const char *name, int n_arg, int *wrong_args) {
  int exists = 0, score = 0;
  int enc = db && db->enc ? db->enc : SQLITE_UTF8;
  const FuncDef *best = NULL;
  if (wrong_args) *wrong_args = 0;
  if (name == NULL) return NULL;
  if (db) {
    for (const FuncDef *p = db->funcs.user; p; p = p->next) {
      if (shale_stricmp(p->name, name) != 0) continue;
      if (p->x_func || p->x_step) exists = 1;
      int q = match_quality(p, n_arg, enc);
      if (q > score) {
        score = q;
        best = p;
      }
    }
    if (best) return best;
  }
  int cs = db ? (db->flags & SQLITE_CaseSensitiveLike) != 0 : 0;
  best = search_table(builtins, SHALE_ARRAY_SIZE(builtins), name, n_arg, enc, cs, &exists, &score);
#ifdef SHALE_FUNC_POST_340
  if (best == NULL)
    best = search_table(builtins_post340, SHALE_ARRAY_SIZE(builtins_post340), name, n_arg, enc,
                        cs, &exists, &score);
#endif
  if (best == NULL && wrong_args) *wrong_args = exists;
  return best;
}

int func_register(sqlite3 *db, const char *name, int n_arg, int enc, u32 flags,
                  void *user_data, SqlScalarFn x_func, SqlScalarFn x_step,
                  SqlFinalFn x_final, SqlFinalFn x_value, SqlScalarFn x_inverse,
                  void (*x_destroy)(void *)) {
  if (db == NULL || name == NULL || (x_func != NULL && x_final != NULL) ||
      ((x_final == NULL) != (x_step == NULL)) || ((x_value == NULL) != (x_inverse == NULL)) ||
      n_arg < -1 || n_arg > 127 || strlen(name) > 255) {
    /* Like sqlite3_create_function_v2: on failure xDestroy is called. */
    if (x_destroy) x_destroy(user_data);
    return SQLITE_MISUSE;
  }
  int e = enc & 0x7;
  if (e == SQLITE_UTF16 || e == SQLITE_UTF16_ALIGNED) e = SQLITE_UTF16LE;
  else if (e == SQLITE_ANY || e < SQLITE_UTF8 || e > SQLITE_UTF16BE) e = SQLITE_UTF8;
  u32 extra = (u32)enc & (SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY | SQLITE_SUBTYPE |
                          SQLITE_INNOCUOUS);
  u32 fl = (flags & ~ENC_MASK) | extra | (u32)e;
  if (x_step) fl |= FUNC_AGGREGATE;

  FuncDef **pp = &db->funcs.user;
  for (; *pp; pp = &(*pp)->next) {
    FuncDef *p = *pp;
    if (p->n_arg == n_arg && (p->flags & ENC_MASK) == (u32)e && shale_stricmp(p->name, name) == 0)
      break;
  }
  if (*pp) {
    if (db->n_vdbe_active > 0) {
      /* "unable to delete/modify user-function due to active statements" */
      if (x_destroy) x_destroy(user_data);
      return SQLITE_BUSY;
    }
    FuncDef *old = *pp;
    *pp = old->next;
    if (old->x_destroy) old->x_destroy(old->user_data);
    sqlite3_free(old);
  }
  if (x_func == NULL && x_step == NULL) {
    /* Deletion: the destructor of the new (empty) registration runs now. */
    if (x_destroy) x_destroy(user_data);
    return SQLITE_OK;
  }
  size_t nname = strlen(name);
  FuncDef *f = sqlite3_malloc64(sizeof(FuncDef) + nname + 1);
  if (f == NULL) {
    if (x_destroy) x_destroy(user_data);
    return SQLITE_NOMEM;
  }
  char *zname = (char *)(f + 1);
  memcpy(zname, name, nname + 1);
  f->name = zname;
  f->n_arg = (signed char)n_arg;
  f->flags = fl;
  f->user_data = user_data;
  f->x_func = x_func;
  f->x_step = x_step;
  f->x_final = x_final;
  f->x_value = x_value;
  f->x_inverse = x_inverse;
  f->x_destroy = x_destroy;
  f->next = db->funcs.user;
  db->funcs.user = f;
  return SQLITE_OK;
}

void func_registry_clear(sqlite3 *db) {
  if (db == NULL) return;
  FuncDef *p = db->funcs.user;
  db->funcs.user = NULL;
  while (p) {
    FuncDef *next = p->next;
    if (p->x_destroy) p->x_destroy(p->user_data);
    sqlite3_free(p);
    p = next;
  }
  coll_registry_clear(db);
}

void func_list(sqlite3 *db, void (*cb)(void *arg, const FuncDef *f, int builtin), void *arg) {
  if (db) {
    for (const FuncDef *p = db->funcs.user; p; p = p->next) cb(arg, p, 0);
  }
  int cs = db ? (db->flags & SQLITE_CaseSensitiveLike) != 0 : 0;
  for (size_t i = 0; i < SHALE_ARRAY_SIZE(builtins); i++) {
    const FuncDef *p = &builtins[i];
    if ((p->flags & FUNC_LIKE) && p->name[0] == 'l' &&
        ((p->flags & FUNC_CASE_SENSITIVE) != 0) != (cs != 0))
      continue;
    cb(arg, p, 1);
  }
}
