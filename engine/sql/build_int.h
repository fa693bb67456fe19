/*
** build_int.h — private declarations shared by the statement half of the
** code generator (prepare, schema, build, insert/update/delete, trigger,
** pragma, trans, ...).  Not for use outside engine/sql.
*/
#ifndef SHALE_BUILD_INT_H
#define SHALE_BUILD_INT_H

#include "codegen.h"

/* schema.c: object construction / destruction. */
void table_free(Table *);
void index_free(Index *);
void trigger_free(Trigger *);
/* Build a Table from a parsed CREATE TABLE.  Automatic indexes for PRIMARY
** KEY / UNIQUE are attached (root 0).  *err gets a message on failure. */
Table *table_from_create(sqlite3 *, Stmt *, int idb, char **err);
/* Build an Index from CREATE INDEX against tab.  err as above. */
Index *index_from_create(sqlite3 *, Stmt *, Table *tab, char **err);
Table *view_from_create(sqlite3 *, Stmt *, int idb, char **err);
Trigger *trigger_from_create(sqlite3 *, Stmt *, int idb, char **err);
/* Triggers on tab matching the event (ST_INSERT/UPDATE/DELETE), time (-1 any).
** Fills arr (up to max), returns the count. */
int schema_triggers_for(sqlite3 *, Table *, int event, int time, Trigger **arr, int max);
/* Printf into a new sqlite3_malloc'd string. */
char *build_mprintf(const char *fmt, ...);
/* Quote an identifier the way SQLite does in generated SQL ("x"). */

/* prepare.c helpers */
Vdbe *parse_vdbe(Parse *);            /* the program being built */
void parse_begin_write(Parse *, int idb); /* mark db written (OP_Transaction write) */
void parse_begin_read(Parse *, int idb);
/* Open all indexes of tab for writing on consecutive cursors starting at
** *first; returns the number opened. */
int build_open_indexes(Parse *, Table *, int op, int first_cursor);
/* String in a register */
void build_string(Parse *, const char *z, int reg);

/* schema.c: give an index of a WITHOUT ROWID table its PRIMARY KEY suffix
** (or, for the PRIMARY KEY index itself, all the other columns). */
void schema_without_rowid_index(Table *, Index *);
/* build.c: open a table for reading/writing (WITHOUT ROWID: its PK b-tree) */
void build_open_table(Parse *, Table *, int cur, int op);
/* delete.c: remove the index entries of a WITHOUT ROWID row in registers */
void wr_delete_entries(Parse *, Table *, int icur, int reg_old, int with_pk);

/* schema.c: SQL text scanning (skips whitespace/comments; a token is a
** word, a quoted string/identifier, or one punctuation char).  *n = 0 at end. */
const char *build_scan_token(const char *z, const char **tok, int *n);
char *build_dequote_ident(const char *z, int n);

/* build.c */
void build_emit_schema_row(Parse *, int idb, const char *type, const char *name, const char *tbl,
                           int reg_root, const char *sql);
int build_create_table_as(Parse *, Stmt *, int idb); /* build_ctas.c */
int build_view_columns(Parse *, Table *view);       /* build_ctas.c: fill a view's columns */
/* trigger_view.c: UPDATE / DELETE on a view through INSTEAD OF triggers */
int trigger_view_update(Parse *, Stmt *, Table *view);
int trigger_view_delete(Parse *, Stmt *, Table *view);
int check_name_reserved(Parse *, const char *name); /* errors, returns 1 */
const char *build_name_start(const char *z, const char *end);
char *build_stored_sql(Parse *, Stmt *, const char *kind, int trim);
void build_change_cookie(Parse *, int idb);
void build_reload_schema(Parse *, int idb);
void build_delete_schema_rows(Parse *, int idb, int col, const char *name, const char *type);
void build_index_key(Parse *, Index *, int cur, int reg_rowid, int regs, int skip_label);
char *build_index_colnames(Index *);
void build_fill_index(Parse *, Index *, int tcur, int icur);
/* insert.c: a copy of e resolved against t's columns held in registers
** (rowid at base, column i at base+1+i); caller frees. */
Expr *build_expr_on_regs(Parse *, const Expr *e, Table *t, int base);
char *build_table_affinity(Table *);

/* insert.c: constraint checks and record writing (shared by UPDATE). */
typedef struct WriteCtx {
  Table *tab;
  int idb;
  int data_cur;        /* table cursor (open for writing) */
  int idx_cur;         /* first index cursor */
  int n_idx;
  int reg_rowid;       /* new rowid */
  int reg_data;        /* first column register (n_col of them) */
  int reg_old_rowid;   /* UPDATE: the row's current rowid, else 0 */
  int on_error;        /* statement-level OR conflict algorithm (OE_DEFAULT) */
  int *idx_regs;       /* per index: first register of its key (n_column) */
  int reg_record;      /* assembled table record */
  int ignore_label;    /* jump here when a row is skipped (OR IGNORE) */
  int is_update;
  u8 *chng;            /* UPDATE: per column changed flag (NULL = all) */
  int rowid_changed;
  int rowid_is_new;    /* INSERT: the rowid came from OP_NewRowid (no conflict possible) */
  const u8 *idx_unchanged; /* UPDATE: per index, 1 = no key column changes: not rewritten */
  Upsert *upsert;
  int upsert_cur;      /* excluded pseudo */
  ExprList *returning; /* INSERT ... RETURNING (for UPSERT-updated rows) */
} WriteCtx;
void insert_affinity(Parse *, Table *, int reg_data);
void insert_compute_generated(Parse *, Table *, int base); /* STORED generated columns */
void insert_check_constraints(Parse *, WriteCtx *);
void insert_complete(Parse *, WriteCtx *, int is_update, int append);
void insert_delete_index_entries(Parse *, Table *, int data_cur, int idx_cur, int reg_rowid);
void insert_delete_index_entries_skip(Parse *, Table *, int data_cur, int idx_cur, int reg_rowid,
                                      const u8 *skip_idx);
int insert_may_replace(Table *, int on_error); /* REPLACE could delete other rows */
/* Column value of data_cur into reg (handles IPK and missing/defaults). */
void build_column_value(Parse *, Table *, int cur, int col, int reg);

/* trigger.c */
void trigger_code_all(Parse *, Table *, int event, int time, IdList *changed_cols_unused,
                      u8 *chng, int reg_new, int reg_old, int on_error, int ignore_label);
int trigger_exists(Parse *, Table *, int event, u8 *chng);
void trigger_code_one(Parse *, Trigger *, Table *, int base, int on_error, int ignore_label, const void *key);

/* fkey.c (active only with PRAGMA foreign_keys=ON).  Row registers as in
** WriteCtx: rowid at base, column i at base+1+i. */
int fkey_active(Parse *, Table *);                     /* t is a child or a parent */
void fkey_child_check(Parse *, Table *, int base, u8 *chng, int incr);
void fkey_parent_check(Parse *, Table *, int reg_old, int reg_new, u8 *chng);
void fkey_parent_actions(Parse *, Table *, int reg_old, u8 *chng);
void fkey_statement_end(Parse *);
void fkey_check_pragma(Parse *, int idb, Table *only); /* PRAGMA foreign_key_check */

/* RETURNING */
void returning_setup(Parse *, ExprList *, Table *);
void returning_row(Parse *, ExprList *, Table *, int reg_rowid, int reg_data);
void returning_finish(Parse *, ExprList *, Table *); /* emit the buffered rows */

#endif
