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
  int virt;          /* synthesized (OR of equalities -> IN): never coded itself */
  int child;         /* OR term: index of its virtual IN term, or -1 */
} WTerm;

enum { PLAN_SCAN, PLAN_ROWID_EQ, PLAN_ROWID_RANGE, PLAN_INDEX, PLAN_PSEUDO, PLAN_ONEROW };

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
  WTerm *lo, *hi;      /* range bounds */
  int lo_left, hi_left;
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
  Expr *synth[32];     /* synthesized expressions, freed by where_end */
  int n_synth;
};

/* Column usage of one cursor across the statement, for covering checks. */
typedef struct ColUse {
  int cursor;
  u64 cols;     /* bit c: column c used (c >= 63 -> bit 63 = "many") */
  int rowid;
} ColUse;

/* where.c: analysis */
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
void wh_plan_level(WhereInfo *w, int li, u64 avail, Select *sel);
void wh_plan_order_by(WhereInfo *w, ExprList *ob, Select *sel);
void wh_try_autoindex(WhereInfo *w, int li, u64 avail, Select *sel);

/* where_code.c: EXPLAIN QUERY PLAN rows and the loop code of each level */
int wh_term_op(const WTerm *t, int col_is_left);
void wh_explain_level(WhereInfo *w, WLevel *lv);
KeyInfo *wh_build_index_keyinfo_q(Parse *p, Index *ix);
void wh_open_level(WhereInfo *w, WLevel *lv);
void wh_code_terms(WhereInfo *w, int li, u64 avail, int only_on);
void wh_begin_level(WhereInfo *w, int li, u64 avail_before);

#endif
