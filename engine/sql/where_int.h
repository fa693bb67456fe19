/*
** where_int.h — private interface of the planner files (where*.c): the
** WHERE-clause terms, the per-FROM-item loop plans and the WhereInfo that
** where_begin() returns.  Not for other files.
*/
#ifndef SHALE_WHERE_INT_H
#define SHALE_WHERE_INT_H

#include "select_int.h"

#define MAX_LEVELS 64
#define MAX_TERMS 256

typedef struct WTerm {
  Expr *e;
  u64 mask;          /* FROM items referenced */
  int on_level;      /* LEFT JOIN ON term: the item index that owns it, else -1 */
  int done;
  int is_where;      /* from the WHERE clause (not an ON clause) */
  int virt;          /* synthesized (see below): never coded itself */
  int child;         /* index of the first of its virtual terms, or -1: an OR of
                     ** equalities has one (col IN (...)), a BETWEEN two
                     ** (col >= lo, col <= hi); the term is implied once all
                     ** of them drove lookups */
  int n_child;
} WTerm;

/* Operators of a term that can drive a lookup, seen from the column side. */
enum { WO_EQ = 1, WO_IN, WO_IS, WO_ISNULL, WO_LT, WO_LE, WO_GT, WO_GE };
#define WO_IS_EQ(op) ((op) >= WO_EQ && (op) <= WO_ISNULL)
#define WO_IS_LO(op) ((op) == WO_GT || (op) == WO_GE)   /* lower bound */
#define WO_IS_HI(op) ((op) == WO_LT || (op) == WO_LE)   /* upper bound */
#define WO_NULL_OK(op) ((op) == WO_IS || (op) == WO_ISNULL) /* a NULL key matches NULLs */

enum { PLAN_SCAN, PLAN_ROWID_EQ, PLAN_ROWID_RANGE, PLAN_INDEX, PLAN_PSEUDO, PLAN_ONEROW, PLAN_MULTI_OR, PLAN_VTAB };
#define VT_MAX_ARG 16

typedef struct WLevel {
  int from;            /* index in the SrcList */
  SrcItem *item;
  Table *tab;
  int cursor;
  int plan;
  Index *idx;
  int idx_cursor;
  int covering;
  int n_eq;
  WTerm *eq[16];       /* equality terms, one per leading index column */
  int eq_col_is_left[16];
  int eq_op[16];       /* WO_EQ, WO_IN, WO_IS or WO_ISNULL */
  WTerm *lo, *hi;      /* range bounds: lo is WO_GT/WO_GE, hi WO_LT/WO_LE */
  int lo_left, hi_left;
  int lo_op, hi_op;
  int desc;            /* walk backwards */
  int left_join;
  int reg_match;
  int reg_nullpass;    /* 1 while the LEFT JOIN NULL row is being processed */
  int addr_first;      /* label: after the ON terms (match flag set) */
  int cont, brk;       /* labels */
  int top;             /* address of the loop body start */
  int next_op;         /* OP_Next / OP_Prev / 0 */
  int auto_idx;        /* idx is a transient automatic index */
  int pk_seek;         /* WITHOUT ROWID: find the row by the PK columns of the index entry */
  int n_in;            /* IN operators driving this loop (outer loops over value sets) */
  int in_cur[16], in_top[16];
  int in_exit;         /* label after the IN loops */
  int next_cursor;
  double cost;         /* the planner's estimate for the chosen plan */
  /* PLAN_MULTI_OR: one sub-plan per disjunct of or_term (where_or.c) */
  WTerm *or_term;
  u64 or_avail;        /* tables available when it was planned */
  struct WhereInfo **or_sub;
  int n_or;
  int reg_or_ret;      /* the loop body is a subroutine returning here */
  int or_sub_level;    /* a disjunct's loop: seek the table row even from a
                       ** covering index; EXPLAIN as a LEFT JOIN if or_left_join */
  int or_left_join;
  /* PLAN_VTAB: what xBestIndex chose (where_vtab.c) */
  int vt_idx_num;
  const char *vt_idx_str;   /* module's string (owned by WhereInfo.vt_strs when it must be freed) */
  int vt_n_arg;
  WTerm *vt_arg[VT_MAX_ARG]; /* argv of xFilter, in argvIndex order */
  int vt_arg_left[VT_MAX_ARG];
  u8 vt_omit[VT_MAX_ARG];
  int vt_order;             /* orderByConsumed */
  int vt_impossible;        /* xBestIndex said SQLITE_CONSTRAINT */
  double vt_rows;
} WLevel;

struct WhereInfo {
  Parse *p;
  SrcList *src;
  int n_level;
  WLevel lv[MAX_LEVELS];
  int n_term;
  int n_level_planned;
  WTerm terms[MAX_TERMS];
  int brk;             /* break out of everything */
  int cont;            /* continue the innermost loop */
  int order_ok;
  int remap_base;
  int right;           /* level index of a RIGHT/FULL JOIN item (the last), or -1 */
  int reg_ret;         /* RIGHT JOIN: the loop body is a subroutine */
  int body;            /* label of the body */
  int body_ret;        /* label: Return */
  int match_cur;       /* ephemeral index of matched right-table rowids */
  int flags;           /* WHERE_* from the caller */
  int onepass_idx_base; /* WHERE_ONE_PASS: first of the caller's index write cursors */
  Select *sel;         /* the statement (column usage for covering checks), or NULL */
  Expr *synth[64];     /* synthesized expressions, freed by where_end */
  u8 synth_shallow[64]; /* a node over the parent's operands: free the node only */
  int n_synth;
  ExprList *order_by;  /* the caller's ORDER BY (offered to xBestIndex) */
  struct VtStr *vt_strs; /* idxStr strings to free (where_vtab.c) */
};

/* Column usage of one cursor across the statement, for covering checks. */
typedef struct ColUse {
  int cursor;
  u64 cols;     /* bit c: column c used (c >= 63 -> bit 63 = "many") */
  int rowid;
} ColUse;

/* where.c: analysis */
void wh_add_terms(WhereInfo *w, Expr *e, int on_level, int is_where);
void wh_free(Parse *p, WhereInfo *w);
int wh_children_done(WhereInfo *w, const WTerm *t);
u64 wh_expr_mask(SrcList *src, const Expr *e);
u64 wh_list_mask(SrcList *src, const ExprList *l);
u64 wh_select_mask(SrcList *src, const Select *s);
void wh_col_use_expr(ColUse *u, const Expr *e);
void wh_col_use_list(ColUse *u, const ExprList *l);
void wh_col_use_select(ColUse *u, const Select *s);

/* where_plan.c: choosing a plan per level */
int wh_is_in_term(const Expr *e);
int wh_term_on_column(const Expr *e, int cur, int *col, int *op, int *col_is_left);
int wh_aff_ok_for_index(Parse *p, const Expr *e, char col_aff);
int wh_coll_ok_for_index(Parse *p, const Expr *e, const char *idx_coll);
Expr *wh_term_value(const WTerm *t, int col_is_left);
u64 wh_value_mask(WhereInfo *w, const WTerm *t, int col_is_left);
int wh_term_usable(WhereInfo *w, WTerm *t, int li, u64 avail, u64 self);
void wh_plan_level_one(WhereInfo *w, int li, u64 avail, Select *sel); /* no MULTI-INDEX OR */
void wh_plan_level(WhereInfo *w, int li, u64 avail, Select *sel);
void wh_plan_order_by(WhereInfo *w, ExprList *ob, Select *sel);
void wh_try_autoindex(WhereInfo *w, int li, u64 avail, Select *sel);

/* where_code.c: EXPLAIN QUERY PLAN rows and the loop code of each level */
void wh_explain_level(WhereInfo *w, WLevel *lv);
void wh_open_level(WhereInfo *w, WLevel *lv);
void wh_code_terms(WhereInfo *w, int li, u64 avail, int only_on);
void wh_begin_level(WhereInfo *w, int li, u64 avail_before);

/* where_vtab.c: virtual tables (xBestIndex, VOpen/VFilter/VNext) */
void wh_plan_vtab(WhereInfo *w, int li, u64 avail);
void wh_code_vtab_level(WhereInfo *w, WLevel *lv);
void wh_explain_vtab(WhereInfo *w, WLevel *lv, const char *name, const char *lj);
void wh_free_vtab(WhereInfo *w);

/* where_or.c: MULTI-INDEX OR (one index or rowid lookup per disjunct,
** rowids de-duplicated in a RowSet, the loop body as a subroutine) */
void wh_plan_or(WhereInfo *w, int li, u64 avail);
void wh_open_or_level(WhereInfo *w, WLevel *lv);
void wh_code_or_level(WhereInfo *w, WLevel *lv);
void wh_free_or(WhereInfo *w);

#endif
