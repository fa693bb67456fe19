/*
** codegen.h — the code generator's shared state and the calls its files make
** to each other.  One Parse per statement being compiled.
**
** Files (all in engine/sql/):
**   prepare.c   sql_prepare(): parse, dispatch by statement kind, EXPLAIN
**   schema.c    load sqlite_schema into Schema; lookups; affinity of types
**   build.c     CREATE/DROP TABLE, INDEX, VIEW; sqlite_schema maintenance
**   resolve.c   name resolution of expressions against FROM items
**   expr.c      expression code generation
**   select.c    SELECT (joins, aggregates, compound, subqueries, CTEs, views)
**   where.c     the planner: loops over tables/indexes, EXPLAIN QUERY PLAN
**   insert.c update.c delete.c   DML with constraints and index upkeep
**   trigger.c   CREATE/DROP TRIGGER and firing
**   pragma.c trans.c attach.c vacuum.c analyze.c alter.c
*/
#ifndef SHALE_CODEGEN_H
#define SHALE_CODEGEN_H

#include "../util/common.h"
#include "../api/connection.h"
#include "../vm/vdbe.h"
#include "ast.h"
#include "schema.h"

typedef struct Parse Parse;

struct Parse {
  sqlite3 *db;
  Vdbe *v;
  const char *sql;       /* the statement's text */
  int rc;                /* SQLITE_OK, or the first error */
  char *err;             /* first error message (sqlite3_malloc'd) */
  int err_offset;        /* -1 if unknown */
  int n_mem;             /* registers used so far (1-based: next is n_mem+1) */
  int n_cursor;          /* VDBE cursors used so far */
  int n_var;             /* parameters */
  u32 cookie_mask;       /* databases whose schema cookie must be verified */
  u32 write_mask;        /* databases written */
  int may_abort;         /* needs a statement journal */
  int nested;            /* compiling a nested statement (e.g. for DDL) */
  int explain;           /* 0, 1 EXPLAIN, 2 EXPLAIN QUERY PLAN */
  int eqp_id;            /* next EXPLAIN QUERY PLAN node id */
  int eqp_parent;        /* current parent node id */
  Table *trigger_table;  /* compiling a trigger body: its table */
  int trigger_op;        /* ... and the event */
  int new_base, old_base;/* registers of NEW.* / OLD.* (rowid first) */
  With *with_stack[32];  /* CTEs in scope, innermost last */
  int n_with;
  void *extra;           /* per-file private state */
  void *query;           /* query half's state (select_int.h); freed by codegen_query_cleanup */
  int returning_cur1;    /* statement half: RETURNING buffer cursor + 1 (0 = none) */
  int factor_const;      /* expr_code computes row-independent subexpressions once (OP_Once) */
  int const_ok;          /* top-level program: factored constants may go to the prologue */
  /* AUTOINCREMENT (insert.c): the maximum rowid of each table is held in a
  ** register of the top-level program, as in SQLite, so that trigger
  ** programs (whose NewRowid/MemMax read the root frame) share it; it is
  ** loaded in the prologue and saved to sqlite_sequence at the end. */
  Parse *toplevel;       /* a trigger program's: the statement's Parse */
  int ainc_ok;           /* set by prepare.c: this Parse has a prologue */
  int ainc_saved;        /* the saves were emitted (end of a top-level INSERT) */
  struct AutoIncEntry *ainc;
  int n_ainc, a_ainc;
  struct PrologueConst *consts; /* ... those constants (expr_code_prologue codes them) */
  int n_consts, a_consts;
};

/* Errors: record the first one (printf-style, SQLite's wording). */
void parse_error(Parse *, const char *fmt, ...);
void parse_error_at(Parse *, int offset, const char *fmt, ...);

/* Registers and cursors. */
/* The collation `name` for generated code: NULL for BINARY (the VM's
** default).  An unknown name asks the collation-needed callback, then
** fails the statement: "no such collation sequence: X". */
CollSeq *parse_collseq(Parse *, const char *name);

int parse_alloc_reg(Parse *);            /* one register */
int parse_alloc_regs(Parse *, int n);    /* n consecutive, returns the first */
int parse_alloc_cursor(Parse *);

/* Schema (schema.c). */
int schema_ensure_loaded(sqlite3 *, int idb, char **err); /* may PENDING */
int schema_reload_callback(sqlite3 *, int idb, const char *where);
int schema_stats_reload_callback(sqlite3 *, int idb); /* ANALYZE: sqlite_stat1 again */
Table *schema_find_table(sqlite3 *, const char *db_name, const char *name, int *idb);
Index *schema_find_index(sqlite3 *, const char *db_name, const char *name, int *idb);
Trigger *schema_find_trigger(sqlite3 *, const char *db_name, const char *name, int *idb);
Table *schema_locate_table(Parse *, const char *db_name, const char *name, int is_view_ok); /* errors "no such table: x" */
char schema_affinity_of_type(const char *type);  /* SQLite's rules */
int schema_db_index(sqlite3 *, const char *db_name); /* -1 if no such database */
void schema_free(Schema *);
Schema *schema_new(void);
Table *schema_table_for_sqlite_schema(sqlite3 *, int idb); /* the built-in sqlite_schema Table */
int table_column_index(const Table *, const char *name); /* -1 none; rowid names give -2 */
int table_col_is_virtual(const Table *, int col); /* VIRTUAL generated: not in the record */
int table_has_virtual(const Table *);
int table_storage_col(const Table *, int col);    /* record field of a stored column */
/* A VIRTUAL generated column of the row at cursor cur, computed into reg
** with the column's affinity (expr.c). */
void expr_code_virtual_column(Parse *, Table *, int cur, int col, int reg);
void build_column_value(Parse *, Table *, int cur, int col, int reg);
KeyInfo *build_index_keyinfo(Parse *, Index *); /* the comparison of an index's records */
Index *table_primary_key_index(const Table *);

/* Expressions (expr.c). */
int expr_code(Parse *, Expr *, int target);   /* value into target, returns target */
int expr_code_temp(Parse *, Expr *);          /* value into some register */
void expr_code_jump_if_true(Parse *, Expr *, int dest, int jump_if_null);
void expr_code_jump_if_false(Parse *, Expr *, int dest, int jump_if_null);
char expr_affinity(Parse *, const Expr *);
const char *expr_collation_name(Parse *, const Expr *); /* NULL = BINARY */
const char *expr_compare_collation(Parse *, const Expr *l, const Expr *r); /* of "l OP r" */
void expr_code_set_subqueries(Parse *, ExprList *set); /* SET (a, b) = (SELECT …): once per row */
int expr_is_constant(const Expr *);
void expr_code_prologue(Parse *); /* prepare.c: the factored constants, after OP_Transaction */
void codegen_autoinc_prologue(Parse *); /* prepare.c: load the AUTOINCREMENT maxima */
void codegen_autoinc_save(Parse *);     /* ... and save them (once, before the end) */
void codegen_autoinc_free(Parse *);
void expr_prologue_free(Parse *);

/* Name resolution (resolve.c).  A NameContext chains outward for correlated
** subqueries. */
typedef struct NameContext NameContext;
struct NameContext {
  SrcList *src;          /* FROM items visible here */
  ExprList *result;      /* result columns (for ORDER BY / alias lookup) */
  int allow_agg;         /* aggregates allowed in this context */
  int has_agg;           /* set when an aggregate was found */
  int is_check;          /* CHECK / index / default expression context */
  Table *table;          /* single-table contexts (DML, CHECK) */
  int table_cursor;
  NameContext *outer;
  int nc_flags;          /* resolver: NC_* (select_int.h) */
  int correlated;        /* resolver: a reference resolved outside this context */
};
int resolve_expr(Parse *, NameContext *, Expr *);

/* SELECT (select.c).  Destinations for results. */
typedef enum SelectDestKind {
  SD_OUTPUT,      /* ResultRow to the caller */
  SD_MEM,         /* first row into registers reg..reg+n-1 (scalar subquery) */
  SD_EXISTS,      /* set reg to 1 if any row */
  SD_SET,         /* insert into ephemeral index cursor (IN subquery) */
  SD_TABLE,       /* insert into ephemeral/real table cursor as rows */
  SD_COROUTINE,   /* yield each row (INSERT ... SELECT, FROM subquery) */
  SD_DISCARD
} SelectDestKind;
typedef struct SelectDest {
  SelectDestKind kind;
  int reg;        /* SD_MEM/SD_EXISTS/SD_COROUTINE: first register / yield reg */
  int n_reg;
  int cursor;     /* SD_SET/SD_TABLE */
  char *affinity; /* SD_SET: affinity string for the key */
} SelectDest;
int select_code(Parse *, Select *, SelectDest *, NameContext *outer);
int select_result_column_count(Parse *, Select *);
/* Free the query half's per-Parse state (Parse.query).  prepare.c calls it
** when it is done with a Parse; safe to call more than once. */
void codegen_query_cleanup(Parse *);

/* Statement entry points (one per file). */
int codegen_select_stmt(Parse *, Stmt *);
int codegen_insert(Parse *, Stmt *);
int codegen_update(Parse *, Stmt *);
int codegen_delete(Parse *, Stmt *);
int codegen_create_table(Parse *, Stmt *);
int codegen_create_index(Parse *, Stmt *);
int codegen_create_view(Parse *, Stmt *);
int codegen_create_trigger(Parse *, Stmt *);
int codegen_drop(Parse *, Stmt *);
int codegen_alter(Parse *, Stmt *);
int codegen_transaction(Parse *, Stmt *);
int codegen_pragma(Parse *, Stmt *);
int codegen_vacuum(Parse *, Stmt *);
int codegen_analyze(Parse *, Stmt *);
int codegen_reindex(Parse *, Stmt *);
int codegen_attach(Parse *, Stmt *);

/* prepare.c: compile the first statement of zSql into *out (NULL for an
** empty statement).  may PENDING (schema read).  The entry point the API
** layer calls from sqlite3_prepare*. */
int sql_prepare(sqlite3 *, const char *zSql, int nBytes, unsigned prep_flags,
                Vdbe **out, const char **tail);

#endif
