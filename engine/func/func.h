/*
** func.h — SQL functions and collating sequences: the built-in library
** (scalar, aggregate, date/time, printf) and the per-connection registries
** that sqlite3_create_function_v2 / sqlite3_create_collation_v2 fill.
**
** Built-in functions are written against the public sqlite3_value_* /
** sqlite3_result_* API only (implemented by the VM), so they are ordinary
** functions as a user would write them.  The built-in table is static const
** data: no mutable globals.
*/
#ifndef SHALE_FUNC_H
#define SHALE_FUNC_H

#include "../util/common.h"

typedef void (*SqlScalarFn)(sqlite3_context *, int, sqlite3_value **);
typedef void (*SqlFinalFn)(sqlite3_context *);

struct FuncDef {
  const char *name;   /* lower-case for built-ins */
  signed char n_arg;  /* -1: any number */
  u32 flags;          /* SQLITE_DETERMINISTIC, SQLITE_INNOCUOUS, FUNC_* */
  void *user_data;
  SqlScalarFn x_func; /* scalar */
  SqlScalarFn x_step; /* aggregate / window */
  SqlFinalFn x_final;
  SqlFinalFn x_value;   /* window */
  SqlScalarFn x_inverse; /* window */
  void (*x_destroy)(void *); /* user functions: called when replaced/closed */
  struct FuncDef *next; /* registry chain */
};
typedef struct FuncDef FuncDef;

/* FUNC_* flags (beyond the public SQLITE_* ones). */
#define FUNC_AGGREGATE 0x01000000
#define FUNC_NEEDCOLL 0x02000000   /* uses the collating sequence (min, max) */
#define FUNC_LIKE 0x04000000       /* like/glob: may be optimized by the planner */
#define FUNC_CASE_SENSITIVE 0x08000000
#define FUNC_COALESCE 0x10000000   /* coalesce/ifnull: codegen short-circuits */
#define FUNC_UNLIKELY 0x20000000   /* likely/unlikely/likelihood: codegen unwraps */
#define FUNC_CONSTANT 0x40000000   /* sqlite_version etc. */
#define FUNC_BUILTIN 0x80000000
/* Built-in window-only function (row_number, rank, dense_rank, percent_rank,
** cume_dist, ntile, lag, lead, first_value, last_value, nth_value): "misuse
** of window function X()" without OVER.  The frames SQLite forces for some
** of them, and lag/lead (computed by the code generator), are described in
** func/window.c. */
#define FUNC_WINDOW 0x00800000

struct CollSeq {
  char *name;
  u8 enc;
  void *arg;
  int (*x_cmp)(void *, int, const void *, int, const void *);
  void (*x_destroy)(void *);
  struct CollSeq *next;
};
typedef struct CollSeq CollSeq;

/* Per-connection registries live in struct sqlite3 (api/connection.h). */
typedef struct FuncRegistry {
  FuncDef *user;      /* user-defined, searched first */
  CollSeq *colls;     /* user-defined collations */
} FuncRegistry;

/* Find the best function for name/n_arg: user-defined first, then built-in.
** Returns NULL if none; *wrong_args set to 1 if the name exists with another
** argument count (for "wrong number of arguments to function X()"). */
const FuncDef *func_find(sqlite3 *db, const char *name, int n_arg, int *wrong_args);
int func_register(sqlite3 *db, const char *name, int n_arg, int enc, u32 flags,
                  void *user_data, SqlScalarFn x_func, SqlScalarFn x_step,
                  SqlFinalFn x_final, SqlFinalFn x_value, SqlScalarFn x_inverse,
                  void (*x_destroy)(void *));
/* Collations: BINARY, NOCASE, RTRIM built in; NULL name = BINARY. */
CollSeq *coll_find(sqlite3 *db, const char *name);
int coll_register(sqlite3 *db, const char *name, int enc, void *arg,
                  int (*x_cmp)(void *, int, const void *, int, const void *),
                  void (*x_destroy)(void *));
int coll_compare(const CollSeq *, const void *a, int na, const void *b, int nb);
void func_registry_clear(sqlite3 *db); /* on close: runs destructors */
/* Every function visible on db (user-defined, then built-in; the like()
** variant not selected by case_sensitive_like is skipped), for PRAGMA
** function_list.  builtin: 1 for built-ins. */
void func_list(sqlite3 *db, void (*cb)(void *arg, const FuncDef *f, int builtin), void *arg);

/* Internal hooks the VM provides to functions that need more than the public
** API (implemented in vm/): the collation chosen by OP_CollSeq, and the
** statement's time for 'now' (fixed for the duration of one sqlite3_step). */
CollSeq *func_context_collseq(sqlite3_context *);
i64 func_context_now_ms(sqlite3_context *); /* ms since 1970 (Unix epoch) */
/* min()/max() step: "this row is not the new extreme" (SQLite's
** sqlite3SkipAccumulatorLoad; drives bare columns in aggregate queries). */
void func_context_skip(sqlite3_context *);

/* LIKE / GLOB matching, shared with sqlite3_strlike/strglob and the planner.
** Returns 1 on match. */
int func_like_match(const u8 *pattern, const u8 *str, u32 escape, int case_sensitive);
int func_glob_match(const u8 *pattern, const u8 *str);
/* For the planner's LIKE/GLOB optimization (SQLite's sqlite3IsLikeFunction):
** if f is the built-in like() or glob(), returns 1 and sets *nocase (1 when
** ASCII case is folded) and wc[0..2] = the "any string" wildcard ('%' / '*'),
** the "one character" wildcard ('_' / '?') and the set opener (0 / '[').
** Returns 0 for anything else (including user overrides). */
int func_like_info(const FuncDef *f, int *nocase, char wc[3]);

/* json_each / json_tree (json_each.c): eponymous-only virtual table
** modules; json_tree is json_each_module with a non-NULL pClientData. */
extern const sqlite3_module json_each_module;

#endif
