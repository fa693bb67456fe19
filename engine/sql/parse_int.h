/*
** parse_int.h — private to the tokenizer and parser (tokenize.c, parse*.c).
** Not an interface: the code generator uses ast.h only.
*/
#ifndef SHALE_PARSE_INT_H
#define SHALE_PARSE_INT_H

#include "ast.h"

/* Keywords: name, fallback-to-identifier flag (SQLite's %fallback ID list:
** where the keyword has no meaning at a position, it is an identifier). */
#define SQL_KEYWORDS(X)                                                        \
  X(ABORT, 1) X(ACTION, 1) X(ADD, 0) X(AFTER, 1) X(ALL, 0) X(ALTER, 0)         \
  X(ALWAYS, 1) X(ANALYZE, 1) X(AND, 0) X(AS, 0) X(ASC, 1) X(ATTACH, 1)         \
  X(AUTOINCREMENT, 0) X(BEFORE, 1) X(BEGIN, 1) X(BETWEEN, 0) X(BY, 1)          \
  X(CASCADE, 1) X(CASE, 0) X(CAST, 1) X(CHECK, 0) X(COLLATE, 0)                \
  X(COLUMN, 1) X(COMMIT, 0) X(CONFLICT, 1) X(CONSTRAINT, 0) X(CREATE, 0)       \
  X(CROSS, 0) X(CURRENT, 1) X(CURRENT_DATE, 1) X(CURRENT_TIME, 1)              \
  X(CURRENT_TIMESTAMP, 1) X(DATABASE, 1) X(DEFAULT, 0) X(DEFERRABLE, 0)        \
  X(DEFERRED, 1) X(DELETE, 0) X(DESC, 1) X(DETACH, 1) X(DISTINCT, 0)           \
  X(DO, 1) X(DROP, 0) X(EACH, 1) X(ELSE, 0) X(END, 1) X(ESCAPE, 0)             \
  X(EXCEPT, 0) X(EXCLUDE, 1) X(EXCLUSIVE, 1) X(EXISTS, 0) X(EXPLAIN, 1)        \
  X(FAIL, 1) X(FILTER, 0) X(FIRST, 1) X(FOLLOWING, 1) X(FOR, 1)                \
  X(FOREIGN, 0) X(FROM, 0) X(FULL, 0) X(GENERATED, 1) X(GLOB, 1) X(GROUP, 0)   \
  X(GROUPS, 1) X(HAVING, 0) X(IF, 1) X(IGNORE, 1) X(IMMEDIATE, 1) X(IN, 0)     \
  X(INDEX, 0) X(INDEXED, 0) X(INITIALLY, 1) X(INNER, 0) X(INSERT, 0)           \
  X(INSTEAD, 1) X(INTERSECT, 0) X(INTO, 0) X(IS, 0) X(ISNULL, 0) X(JOIN, 0)    \
  X(KEY, 1) X(LAST, 1) X(LEFT, 0) X(LIKE, 1) X(LIMIT, 0) X(MATCH, 1)           \
  X(MATERIALIZED, 1) X(NATURAL, 0) X(NO, 1) X(NOT, 0) X(NOTHING, 0)            \
  X(NOTNULL, 0) X(NULL, 0) X(NULLS, 1) X(OF, 1) X(OFFSET, 1) X(ON, 0) X(OR, 0) \
  X(ORDER, 0) X(OTHERS, 1) X(OUTER, 0) X(OVER, 0) X(PARTITION, 1) X(PLAN, 1)   \
  X(PRAGMA, 1) X(PRECEDING, 1) X(PRIMARY, 0) X(QUERY, 1) X(RAISE, 1)           \
  X(RANGE, 1) X(RECURSIVE, 1) X(REFERENCES, 0) X(REGEXP, 1) X(REINDEX, 1)      \
  X(RELEASE, 1) X(RENAME, 1) X(REPLACE, 1) X(RESTRICT, 1) X(RETURNING, 0)      \
  X(RIGHT, 0) X(ROLLBACK, 1) X(ROW, 1) X(ROWS, 1) X(SAVEPOINT, 1) X(SELECT, 0) \
  X(SET, 0) X(TABLE, 0) X(TEMP, 1) X(TEMPORARY, 1) X(THEN, 0) X(TIES, 1)       \
  X(TO, 0) X(TRANSACTION, 0) X(TRIGGER, 1) X(UNBOUNDED, 1) X(UNION, 0)         \
  X(UNIQUE, 0) X(UPDATE, 0) X(USING, 0) X(VACUUM, 1) X(VALUES, 0) X(VIEW, 1)   \
  X(VIRTUAL, 1) X(WHEN, 0) X(WHERE, 0) X(WINDOW, 0) X(WITH, 1) X(WITHOUT, 1)

enum TokenType {
  TK_EOF = 0, TK_SEMI, TK_LP, TK_RP, TK_COMMA, TK_DOT,
  TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_REM,
  TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
  TK_LSHIFT, TK_RSHIFT, TK_BITAND, TK_BITOR, TK_BITNOT, TK_CONCAT,
  TK_PTR, /* -> or ->> */
  TK_ID, TK_STRING, TK_INTEGER, TK_FLOAT, TK_BLOB, TK_VARIABLE,
  TK_ILLEGAL, TK_SPACE,
#define KW_ENUM(name, fb) TK_##name,
  SQL_KEYWORDS(KW_ENUM)
#undef KW_ENUM
  TK_N_TOKENS
};

#define TK_FIRST_KEYWORD TK_ABORT

/* tokenize.c */
/* Length of the token at z (z NUL-terminated); *type receives its type
** (keywords resolved; WINDOW/OVER/FILTER not yet context-analysed). */
int sql_get_token(const unsigned char *z, int *type);
int sql_keyword_code(const char *z, int n); /* TK_ID if not a keyword */
int sql_token_fallback(int type);           /* 1 if keyword falls back to ID */

typedef struct Token {
  int type;
  int pos; /* offset into Parser.z */
  int n;
} Token;

#define PARSE_MAX_DEPTH 1000 /* SQLITE_MAX_EXPR_DEPTH */
#define PARSE_MAX_NEST 93 /* SQLite's parser stack holds 100 entries */

typedef struct Parser {
  const char *z; /* the input, NUL-terminated (read in place or a copy) */
  int nz;
  Token t;       /* current (lookahead) token */
  int prev_type; /* type of the previously consumed token */
  int prev_end;  /* end offset of the previously consumed token */
  char *err;
  int err_pos;
  int rc;
  int nest;      /* modelled LALR stack depth (recursion guard) */
  int sel_h;     /* max expression height in the SELECT being parsed */
  int in_trigger;
  int n_vars;
  int var_alloc;
  char **var_names;
  int *var_hash;  /* open addressing over named parameters: index+1, 0 empty */
  int var_hash_size;
  int n_named;
  int n_select;   /* select ids given so far (Select.sel_id) */
} Parser;

/* parse.c: core helpers */
void p_next(Parser *p);
int p_peek(Parser *p, int *pos_out); /* type of token after the current one */
int p_accept(Parser *p, int type);
int p_expect(Parser *p, int type);
void p_syntax_error(Parser *p);
void p_error(Parser *p, int pos, const char *fmt, ...);
void p_oom(Parser *p);
int p_enter(Parser *p, int cost); /* LALR-stack-depth model */
void p_leave(Parser *p, int cost);
#define P_FAILED(p) ((p)->rc != SQLITE_OK)

int tk_is_id(int t);   /* ID, INDEXED or a fallback keyword */
int tk_is_nm(int t);   /* id | STRING | JOIN_KW */
int tk_is_ids(int t);  /* ID | STRING (with fallback) */
int tk_is_join_kw(int t);
int tk_is_like_kw(int t);
char *p_token_name(Parser *p, const Token *t); /* dequoted copy */
char *p_name(Parser *p);           /* expect nm, return dequoted name */
char *p_text(Parser *p, int from, int to); /* trimmed copy of source span */
int p_name_eq(Parser *p, const Token *t, const char *lit);

/* parse_expr.c */
Expr *p_expr(Parser *p);
Expr *p_expr_prec(Parser *p, int min_level);
ExprList *p_expr_list(Parser *p, ExprList *list, int allow_empty);
char *p_typetoken(Parser *p); /* type name as SQLite stores it, or NULL */
int expr_height(const Expr *e);

/* parse_select.c */
Select *p_select(Parser *p);          /* [WITH ...] select */
Select *p_select_body(Parser *p, With *with);
With *p_with(Parser *p);              /* after WITH consumed */
ExprList *p_sortlist(Parser *p);
ExprList *p_result_columns(Parser *p);
SrcList *p_from(Parser *p);           /* after FROM consumed */
Window *p_window_spec(Parser *p);     /* inside ( ... ) */
IdList *p_idlist(Parser *p);          /* nm, nm, ... (after LP) */
IdList *p_eidlist_opt(Parser *p);     /* optional (nm, ...) with checks */
void p_check_compound(Parser *p, Select *s);

/* parse_dml.c */
int p_insert(Parser *p, Stmt *s);
int p_update(Parser *p, Stmt *s);
int p_delete(Parser *p, Stmt *s);
ExprList *p_setlist(Parser *p);
int p_conflict_algo(Parser *p); /* after OR / ON CONFLICT: ROLLBACK|ABORT|... */

/* parse_ddl.c */
int p_create(Parser *p, Stmt *s);   /* after CREATE consumed */
int p_drop(Parser *p, Stmt *s);     /* after DROP consumed */
int p_alter(Parser *p, Stmt *s);    /* after ALTER consumed */
void ast_free_column_def(ColumnDef *c);

/* parse.c */
Stmt *p_statement(Parser *p);
int p_fullname(Parser *p, char **db, char **name);

/* ast.c internals shared with the parser */
void ast_free_fk(ForeignKeyDef *);
void ast_free_trigger_steps(TriggerStep *);
void ast_free_src_item_content(SrcItem *);

#endif
