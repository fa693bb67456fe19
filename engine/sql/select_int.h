/*
** select_int.h — private interface between the query half of the code
** generator: resolve.c, expr*.c, select*.c, where*.c.  Not for other files.
*/
#ifndef SHALE_SELECT_INT_H
#define SHALE_SELECT_INT_H

#include "codegen.h"
#include "../func/func.h"

/* Per-Parse state of the query half (Parse.query). */
typedef struct QRemap {
  int table_cursor;   /* column reads on this cursor ... */
  int index_cursor;   /* ... go to this covering index cursor */
  Index *index;
} QRemap;

typedef struct QState {
  Table **tabs;       /* pseudo tables (subqueries, views, CTEs) to free */
  int n_tabs, alloc_tabs;
  QRemap remap[64];
  int n_remap;
  void **allocs;      /* other allocations freed with the state */
  int n_allocs, alloc_allocs;
} QState;
void *q_alloc(Parse *, size_t n); /* zeroed, freed by codegen_query_cleanup */

QState *q_state(Parse *);
Table *q_pseudo_table(Parse *, int n_col);   /* freed by codegen_query_cleanup */
int q_remap_find(Parse *, int cursor, int column, int *idx_column); /* index cursor or -1 */

/* NameContext.nc_flags */
#define NC_ALIAS 0x01     /* result-column aliases may be referenced */
#define NC_GROUPBY 0x02   /* resolving GROUP BY */
#define NC_INAGG 0x04     /* inside an aggregate's arguments */
#define NC_NOCOLS 0x08    /* LIMIT/OFFSET: no columns */
#define NC_INFUNC 0x10    /* inside a scalar function's arguments */
#define NC_NOWIN 0x20     /* window functions not allowed (HAVING, WINDOW clause, inside a window) */

/* resolve.c */
int resolve_select(Parse *, Select *, NameContext *outer);
int resolve_is_rowid_name(const char *z);
int resolve_expr_list(Parse *, NameContext *, ExprList *);
/* result column name as SQLite computes it (for output / subquery columns) */
char *resolve_column_name(Parse *, ExprListItem *, int idx); /* idx: 0-based position */
const char *resolve_expr_decltype(const Expr *);
int resolve_expr_equal(const Expr *, const Expr *);

/* expr.c */
int expr_is_agg_func(Parse *, const Expr *);
KeyInfo *expr_keyinfo_for_list(Parse *, ExprList *, int n_extra, int with_sort);
CollSeq *expr_collseq(Parse *, const Expr *);
char expr_compare_affinity(Parse *, const Expr *l, const Expr *r);
void expr_code_list(Parse *, ExprList *, int target); /* consecutive regs */
int expr_subquery_is_correlated(const Select *);
char *expr_affinity_string(Parse *, ExprList *);

/* where.c: loops over a FROM clause. */
typedef struct WhereInfo WhereInfo;
#define WHERE_ORDERBY_MIN 0x01
#define WHERE_ONE_PASS 0x02
WhereInfo *where_begin(Parse *, SrcList *, Expr *where, ExprList *order_by,
                       int flags);
WhereInfo *where_begin_sel(Parse *, Select *sel, SrcList *, Expr *where,
                           ExprList *order_by, int flags);
/* One-pass DELETE (SQLite's ONEPASS_MULTI): the loop over the single FROM
** item runs on the caller's cursors, so rows are deleted as they are
** visited.  The table cursor (the item's res_cursor) is opened here with
** OpenWrite; an index the plan walks is walked on the caller's write cursor
** idx_cur_base + (position of the index in Table.indexes), already open.
** where_onepass_index_cursor(): that index cursor, or -1 when the loop
** walks no index (the caller deletes the entry through it, OP_Delete with
** SAVEPOSITION, instead of seeking it). */
WhereInfo *where_begin_onepass(Parse *, SrcList *, Expr *where, int idx_cur_base);
int where_onepass_index_cursor(WhereInfo *);
int where_continue_label(WhereInfo *);
int where_break_label(WhereInfo *);
int where_order_satisfied(WhereInfo *); /* rows come out in ORDER BY order */
void where_end(WhereInfo *);

/* select.c */
void select_explain(Parse *, const char *fmt, ...);
int select_eqp_id(Parse *, const Select *); /* "SCALAR SUBQUERY N": SQLite's select id */
int select_src_eqp_id(const SrcItem *);     /* "(subquery-N)" of a FROM subquery */

#endif
