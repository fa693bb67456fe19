/*
** ast.h — the parse tree: what the parser (parse.c) produces and the code
** generator consumes.  Pure data: no schema pointers here; name resolution
** results live in the code generator's own fields (marked "resolver").
**
** Memory: every node is sqlite3_malloc'd and owned by its parent; ast_free_*
** frees a whole subtree; ast_dup_* deep-copies (views, triggers, CTEs are
** expanded from copies).  Identifiers are stored dequoted, as written (case
** preserved); Token-level text such as a column's declared type is kept
** verbatim.
*/
#ifndef SHALE_AST_H
#define SHALE_AST_H

#include "../util/common.h"

typedef struct Expr Expr;
typedef struct ExprList ExprList;
typedef struct Select Select;
typedef struct SrcList SrcList;
typedef struct IdList IdList;
typedef struct With With;
typedef struct Window Window;
typedef struct Upsert Upsert;
typedef struct Stmt Stmt;

/* ---------------------------------------------------------------- Expr -- */
typedef enum ExprOp {
  EX_NULL, EX_INTEGER, EX_FLOAT, EX_STRING, EX_BLOB, /* literals */
  EX_TRUE, EX_FALSE,           /* TRUE/FALSE keywords (integers 1/0) */
  EX_VARIABLE,                 /* ?, ?NNN, :name, @name, $name */
  EX_ID,                       /* bare identifier: column, or "string" fallback */
  EX_DOT,                      /* [schema.]table.column: u.name + tab/db */
  EX_STAR,                     /* * or table.* in result lists */
  EX_COLUMN,                   /* resolver: a resolved column reference */
  EX_FUNCTION,                 /* name(args) [FILTER] [OVER] */
  EX_CAST,                     /* CAST(left AS type) */
  EX_COLLATE,                  /* left COLLATE name */
  EX_UNARY,                    /* op: '-', '+', '~', NOT */
  EX_BINARY,                   /* op: see BinOp */
  EX_IS, EX_ISNOT,             /* IS / IS NOT (incl. IS [NOT] DISTINCT FROM) */
  EX_ISNULL, EX_NOTNULL,       /* x ISNULL / x NOTNULL / x IS NULL ... */
  EX_BETWEEN,                  /* left BETWEEN list[0] AND list[1]; not flag */
  EX_IN_LIST,                  /* left [NOT] IN (list) */
  EX_IN_SELECT,                /* left [NOT] IN (select) */
  EX_IN_TABLE,                 /* left [NOT] IN table / table-function */
  EX_LIKE,                     /* left [NOT] LIKE|GLOB|REGEXP|MATCH right [ESCAPE e] */
  EX_CASE,                     /* CASE [left] WHEN.. THEN.. [ELSE] END */
  EX_EXISTS,                   /* [NOT] EXISTS (select) */
  EX_SUBQUERY,                 /* (select) scalar */
  EX_VECTOR,                   /* (a, b, ...) row value */
  EX_RAISE,                    /* RAISE(IGNORE|ROLLBACK|ABORT|FAIL, msg) */
  EX_AGG_COLUMN,               /* resolver/codegen: reference to an aggregate result */
} ExprOp;

typedef enum BinOp {
  OP_OR_, OP_AND_,
  OP_EQ_, OP_NE_, OP_LT_, OP_LE_, OP_GT_, OP_GE_,
  OP_BITAND_, OP_BITOR_, OP_LSHIFT_, OP_RSHIFT_,
  OP_PLUS_, OP_MINUS_, OP_STAR_, OP_SLASH_, OP_REM_,
  OP_CONCAT_,                  /* || */
  OP_JSON_ARROW_, OP_JSON_ARROW2_, /* -> and ->> */
} BinOp;

typedef enum UnOp { UN_NEG, UN_PLUS, UN_BITNOT, UN_NOT } UnOp;
typedef enum LikeOp { LIKE_LIKE, LIKE_GLOB, LIKE_REGEXP, LIKE_MATCH } LikeOp;
typedef enum RaiseKind { RAISE_IGNORE, RAISE_ROLLBACK, RAISE_ABORT, RAISE_FAIL } RaiseKind;

struct Expr {
  ExprOp op;
  int sub_op;      /* BinOp, UnOp, LikeOp, RaiseKind as the node needs;
                      EX_SUBQUERY of UPDATE SET (a, b) = (SELECT …): the
                      1-based column (u.i = number of columns assigned) */
  int flags;       /* EXPR_F_* */
  int pos;         /* byte offset in the SQL text (sqlite3_error_offset) */
  Expr *left;      /* operand / CASE base / CAST operand / IN lhs ... */
  Expr *right;     /* binary rhs / LIKE pattern / ESCAPE in `extra` */
  Expr *extra;     /* LIKE escape; CASE ELSE; FILTER clause of a function */
  ExprList *list;  /* function args, IN list, CASE when/then pairs (flat:
                      w1,t1,w2,t2,...), BETWEEN bounds, vector elements */
  Select *select;  /* EXISTS / IN / scalar subquery */
  Window *over;    /* function OVER (...) */
  ExprList *order_by; /* aggregate(... ORDER BY ...) */
  union {
    i64 i;         /* EX_INTEGER (already range-checked; see EXPR_F_BIGNUM) */
    double r;      /* EX_FLOAT */
    int var_index; /* EX_VARIABLE: 1-based parameter number (parser assigns) */
  } u;
  char *text;      /* literal text as written (numbers), string/blob value
                      (blob: raw bytes, n_text long), identifier / column
                      name, function name, type name for CAST, collation
                      name, variable name ("?3", ":x"), RAISE message */
  int n_text;      /* length of text in bytes (blobs may contain NULs) */
  char *table;     /* EX_DOT / EX_STAR: table qualifier, or NULL */
  char *db;        /* EX_DOT / EX_STAR: schema qualifier, or NULL */

  /* Resolver/codegen scratch, zero from the parser. */
  int res_cursor;  /* EX_COLUMN: VDBE cursor / FROM-item */
  int res_column;  /* EX_COLUMN: column index, -1 for rowid */
  int res_agg;     /* aggregate slot */
  int res_depth;   /* correlated subquery nesting */
  char res_affinity;
  void *res_ptr;   /* codegen private (e.g. Table*, FuncDef*) */
};

#define EXPR_F_NOT 0x0001       /* NOT IN / NOT BETWEEN / NOT LIKE / NOT EXISTS */
#define EXPR_F_DISTINCT 0x0002  /* count(DISTINCT x) */
#define EXPR_F_STAR_ARG 0x0004  /* count(*) */
#define EXPR_F_QUOTED 0x0008    /* identifier was "double-quoted" (may fall back to string) */
#define EXPR_F_BIGNUM 0x0010    /* integer literal out of i64 range: use u.r */
#define EXPR_F_HEX 0x0020       /* 0x... literal */
#define EXPR_F_PAREN 0x0040     /* written in parentheses */
#define EXPR_F_FROM_JOIN 0x0080 /* resolver: term came from ON/USING */
#define EXPR_F_NOTNULL_ROWID 0x0100 /* resolver: rowid of a FROM subquery (SQLite folds IS [NOT] NULL on it) */

typedef struct ExprListItem {
  Expr *expr;
  char *alias;     /* AS name (result column), or NULL */
  char *span;      /* result columns: the expression text as written (column
                      name when no alias, as SQLite names it) */
  int sort_desc;   /* ORDER BY: 1 DESC */
  int nulls;       /* ORDER BY: 0 default, 1 NULLS FIRST, 2 NULLS LAST */
  char *collate;   /* CREATE INDEX columns: COLLATE name, else NULL */
  int res_order_by_col; /* resolver scratch */
} ExprListItem;

struct ExprList {
  int n, alloc;
  ExprListItem *a;
};

/* -------------------------------------------------------------- Select -- */
typedef enum JoinType {
  JT_INNER = 0x01, JT_CROSS = 0x02, JT_NATURAL = 0x04, JT_LEFT = 0x08,
  JT_RIGHT = 0x10, JT_OUTER = 0x20, JT_FULL = 0x40 /* = LEFT|RIGHT */
} JoinType;

typedef struct SrcItem {
  char *db;        /* schema qualifier */
  char *name;      /* table or view name, or table-valued function name */
  char *alias;
  Select *subquery; /* FROM (SELECT ...) */
  ExprList *func_args; /* table-valued function arguments */
  int join_type;   /* JT_* flags for the join between this and the previous item */
  Expr *on;        /* ON expression */
  IdList *using_;  /* USING (a, b) */
  char *indexed_by; /* INDEXED BY name */
  int not_indexed;  /* NOT INDEXED */
  void *res_ptr;   /* codegen private */
  int res_cursor;
  int tvf_on;      /* resolver: `on` holds table-valued function arguments
                      (hidden column = argument terms, sql/vtab.c) */
  int nested;      /* resolver: FROM items nested into `subquery` (a RIGHT/FULL
                      JOIN that was not the last item); columns keep their
                      table names (Column.src_table) */
  int res_co_reg;  /* codegen: a FROM subquery run as a co-routine: its yield
                      register (rows in the registers after it), else 0 */
  int res_co_addr; /* codegen: the co-routine's first instruction */
} SrcItem;

struct SrcList {
  int n, alloc;
  SrcItem *a;
};

struct IdList {
  int n, alloc;
  char **names;
};

typedef enum CompoundOp { CO_NONE, CO_UNION, CO_UNION_ALL, CO_INTERSECT, CO_EXCEPT } CompoundOp;

typedef struct Cte {
  char *name;
  IdList *columns;  /* optional column names */
  Select *select;
  int materialized; /* 0 default, 1 MATERIALIZED, 2 NOT MATERIALIZED */
} Cte;

struct With {
  int recursive;
  int n;
  Cte *a;
};

struct Window {
  char *name;        /* WINDOW name AS (...) / OVER name */
  char *base;        /* OVER (base ...) */
  ExprList *partition_by;
  ExprList *order_by;
  int frame_type;    /* 0 none, 1 ROWS, 2 RANGE, 3 GROUPS */
  int start_type, end_type; /* 1 UNBOUNDED PRECEDING, 2 n PRECEDING, 3 CURRENT ROW,
                               4 n FOLLOWING, 5 UNBOUNDED FOLLOWING */
  Expr *start, *end;
  int exclude;       /* 0 none/NO OTHERS, 1 CURRENT ROW, 2 GROUP, 3 TIES */
  Window *next;      /* WINDOW clause list */
};

/* A SELECT, or one arm of a compound: `prior` points to the arm before
** (a UNION b UNION c  =>  c.prior = b, b.prior = a; c.op = op between b,c).
** VALUES (...),(...) parses as a compound of SELECTs without FROM,
** flagged SELECT_F_VALUES. */
struct Select {
  int flags;          /* SELECT_F_* */
  ExprList *result;   /* result columns */
  SrcList *from;
  Expr *where;
  ExprList *group_by;
  Expr *having;
  Window *windows;    /* WINDOW clause */
  ExprList *order_by; /* belongs to the whole compound: set on the last arm */
  Expr *limit, *offset;
  CompoundOp op;      /* how this arm combines with `prior` */
  Select *prior;
  With *with;         /* on the last arm */
  int pos;
  int sel_id;         /* SQLite's select id (numbered as its parser completes each
                         SELECT, inner ones first): EXPLAIN QUERY PLAN's
                         "(subquery-N)" and "SCALAR SUBQUERY N" */
};

#define SELECT_F_DISTINCT 0x01
#define SELECT_F_ALL 0x02
#define SELECT_F_VALUES 0x04
#define SELECT_F_RESOLVED 0x100   /* resolver: names resolved, cursors assigned */
#define SELECT_F_CORRELATED 0x200 /* resolver: refers to an outer query */

/* ------------------------------------------------------------ Schema DDL -- */
typedef enum ConflictAlgo {
  OE_DEFAULT = 0, OE_ROLLBACK, OE_ABORT, OE_FAIL, OE_IGNORE, OE_REPLACE
} ConflictAlgo;

typedef struct ForeignKeyDef {
  char *to_table;
  IdList *to_columns; /* may be NULL (references the PK) */
  IdList *from_columns; /* table constraint: the child columns; column constraint: NULL */
  int on_delete, on_update; /* 0 none, 1 SET NULL, 2 SET DEFAULT, 3 CASCADE, 4 RESTRICT, 5 NO ACTION */
  int deferrable;     /* 1 DEFERRABLE INITIALLY DEFERRED */
} ForeignKeyDef;

typedef struct ColumnDef {
  char *name;
  char *type;         /* declared type text, normalized as SQLite stores it
                         (tokens joined by single spaces), or NULL */
  int not_null;       /* 1 + ConflictAlgo, 0 if absent */
  int primary_key;    /* 1 + ConflictAlgo, 0 if absent */
  int pk_desc;
  int autoincrement;
  int unique;         /* 1 + ConflictAlgo, 0 if absent */
  Expr *default_value;
  char *default_text; /* the DEFAULT expression as written */
  Expr *check;        /* column CHECK (ANDed if several) */
  char *collate;
  ForeignKeyDef *fk;
  Expr *generated;    /* GENERATED ALWAYS AS (expr) */
  int generated_stored;
  int hidden;
} ColumnDef;

typedef enum TableConstraintType { TC_PRIMARY_KEY, TC_UNIQUE, TC_CHECK, TC_FOREIGN_KEY } TableConstraintType;

typedef struct TableConstraint {
  TableConstraintType type;
  char *name;         /* CONSTRAINT name */
  ExprList *columns;  /* PK/UNIQUE: indexed columns (with collate/desc) */
  int on_conflict;    /* ConflictAlgo */
  int autoincrement;
  Expr *check;
  ForeignKeyDef *fk;
} TableConstraint;

/* ----------------------------------------------------------- Statements -- */
typedef enum StmtKind {
  ST_SELECT, ST_INSERT, ST_UPDATE, ST_DELETE,
  ST_CREATE_TABLE, ST_CREATE_INDEX, ST_CREATE_VIEW, ST_CREATE_TRIGGER,
  ST_CREATE_VIRTUAL_TABLE,
  ST_DROP_TABLE, ST_DROP_INDEX, ST_DROP_VIEW, ST_DROP_TRIGGER,
  ST_ALTER_TABLE,
  ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
  ST_PRAGMA, ST_VACUUM, ST_ANALYZE, ST_REINDEX, ST_ATTACH, ST_DETACH,
} StmtKind;

struct Upsert {
  ExprList *target;   /* ON CONFLICT (cols) — NULL if none given */
  Expr *target_where;
  int do_nothing;
  ExprList *set;      /* DO UPDATE SET: item alias = column name */
  IdList **set_vector; /* reserved: (a,b) = (...) expanded by parser into set */
  Expr *where;
  Upsert *next;
};

typedef struct TriggerStep {
  StmtKind kind;      /* ST_INSERT, ST_UPDATE, ST_DELETE, ST_SELECT */
  Stmt *stmt;
  struct TriggerStep *next;
} TriggerStep;

struct Stmt {
  StmtKind kind;
  int explain;        /* 0, 1 EXPLAIN, 2 EXPLAIN QUERY PLAN */
  int pos;            /* start offset in SQL */
  int end;            /* end offset (exclusive, before ';') */
  With *with;         /* WITH on INSERT/UPDATE/DELETE */
  union {
    Select *select;   /* ST_SELECT */

    struct {          /* ST_INSERT (REPLACE INTO = or_conflict OE_REPLACE) */
      int or_conflict;
      char *db, *table, *alias;
      IdList *columns;
      Select *select; /* VALUES arrives as a SELECT_F_VALUES select */
      int default_values;
      Upsert *upsert;
      ExprList *returning;
    } insert;

    struct {          /* ST_UPDATE */
      int or_conflict;
      SrcItem *target; /* table (with alias / INDEXED BY) */
      ExprList *set;   /* item alias = column name; (a,b)=(x,y) expanded */
      SrcList *from;
      Expr *where;
      ExprList *order_by;
      Expr *limit, *offset;
      ExprList *returning;
    } update;

    struct {          /* ST_DELETE */
      SrcItem *target;
      Expr *where;
      ExprList *order_by;
      Expr *limit, *offset;
      ExprList *returning;
    } del;

    struct {          /* ST_CREATE_TABLE */
      int temp, if_not_exists;
      char *db, *name;
      int n_col;
      ColumnDef *cols;
      int n_cons;
      TableConstraint *cons;
      int without_rowid, strict;
      Select *as_select; /* CREATE TABLE ... AS SELECT */
    } create_table;

    struct {          /* ST_CREATE_INDEX */
      int unique, if_not_exists;
      char *db, *name, *table;
      ExprList *columns; /* expressions with collate / sort order */
      Expr *where;       /* partial index */
    } create_index;

    struct {          /* ST_CREATE_VIEW */
      int temp, if_not_exists;
      char *db, *name;
      IdList *columns;
      Select *select;
    } create_view;

    struct {          /* ST_CREATE_TRIGGER */
      int temp, if_not_exists;
      char *db, *name, *table;
      int time;        /* 0 BEFORE (default), 1 AFTER, 2 INSTEAD OF */
      StmtKind event;  /* ST_INSERT, ST_UPDATE, ST_DELETE */
      IdList *update_of;
      int for_each_row;
      Expr *when;
      TriggerStep *steps;
      char *table_db;  /* ON schema.table: the table's schema as written, or NULL
                          (additive; db above is the trigger's own schema) */
    } create_trigger;

    struct {          /* ST_CREATE_VIRTUAL_TABLE */
      int if_not_exists;
      char *db, *name, *module;
      int n_arg;
      char **args;     /* module arguments as written */
    } create_vtab;

    struct {          /* ST_DROP_TABLE / INDEX / VIEW / TRIGGER */
      int if_exists;
      char *db, *name;
    } drop;

    struct {          /* ST_ALTER_TABLE */
      int action;      /* 1 RENAME TO, 2 RENAME COLUMN, 3 ADD COLUMN, 4 DROP COLUMN */
      char *db, *table;
      char *new_name;  /* RENAME TO / RENAME COLUMN new name */
      char *column;    /* RENAME COLUMN old name / DROP COLUMN */
      ColumnDef *add;  /* ADD COLUMN definition */
    } alter;

    struct {          /* ST_BEGIN: 0 DEFERRED, 1 IMMEDIATE, 2 EXCLUSIVE, 3 CONCURRENT */
      int mode;
    } begin;

    struct {          /* ST_ROLLBACK [TO savepoint] / ST_SAVEPOINT / ST_RELEASE */
      char *savepoint;
    } trans;

    struct {          /* ST_PRAGMA [db.]name [= value | (value)] */
      char *db, *name;
      char *value;     /* as written: identifier, number (with sign) or string */
      int has_value;
    } pragma;

    struct {          /* ST_VACUUM [schema] [INTO expr] */
      char *db;
      Expr *into;
    } vacuum;

    struct {          /* ST_ANALYZE / ST_REINDEX [db.]name, or all */
      char *db, *name;
    } target;

    struct {          /* ST_ATTACH expr AS expr [KEY expr] / ST_DETACH expr */
      Expr *file, *schema, *key;
    } attach;
  } u;
};

/* ----------------------------------------------------------- Functions -- */
/* parse.c: parse ONE statement starting at zSql.  On success *out is the
** statement (NULL for an empty statement, e.g. ";" or only comments) and
** *tail points past its terminating ';' (or at the end).  On a syntax error
** returns SQLITE_ERROR with *err set to SQLite's wording (e.g. `near "x":
** syntax error`, `incomplete input`, `unrecognized token: "..."`) and
** *err_pos to the offset of the offending token.  n_vars/var_names report
** parameters seen so far (the parser numbers ?, ?NNN and named ones the way
** SQLite does across the statement). */
typedef struct ParseResult {
  Stmt *stmt;
  const char *tail;
  char *err;        /* sqlite3_malloc'd */
  int err_pos;
  int n_vars;       /* highest parameter number */
  char **var_names; /* [n_vars] names ("?1", ":x", ...) or NULL entries for bare ? */
} ParseResult;

int sql_parse(const char *zSql, int nBytes, ParseResult *out);
void parse_result_clear(ParseResult *);

/* tokenize.c */
int sql_complete(const char *zSql); /* sqlite3_complete semantics */
/* Keyword check for identifiers needing quotes (.dump, quote()). */
int sql_is_keyword(const char *z, int n);
int sql_keyword_count(void);
const char *sql_keyword_at(int i, int *n); /* NULL if out of range */

/* ast.c: constructors, deep copy, free. */
Expr *ast_expr_new(ExprOp op);
void ast_free_expr(Expr *);
void ast_free_expr_list(ExprList *);
void ast_free_select(Select *);
void ast_free_src_list(SrcList *);
void ast_free_id_list(IdList *);
void ast_free_with(With *);
void ast_free_window(Window *);
void ast_free_upsert(Upsert *);
void ast_free_stmt(Stmt *);
Expr *ast_dup_expr(const Expr *);
ExprList *ast_dup_expr_list(const ExprList *);
Select *ast_dup_select(const Select *);
SrcList *ast_dup_src_list(const SrcList *);
IdList *ast_dup_id_list(const IdList *);
With *ast_dup_with(const With *);
Stmt *ast_dup_stmt(const Stmt *);
ExprList *ast_expr_list_append(ExprList *, Expr *); /* NULL list => new */
IdList *ast_id_list_append(IdList *, char *name);  /* takes ownership */
SrcList *ast_src_list_append(SrcList *);           /* appends a zeroed item */

#endif
