/*
** schema.h — the in-memory schema of one database (main, temp or attached):
** tables, columns, indexes, views and triggers, loaded from sqlite_schema
** (schema.c) and changed by DDL (build.c).
*/
#ifndef SHALE_SCHEMA_H
#define SHALE_SCHEMA_H

#include "../util/common.h"
#include "ast.h"

typedef struct Table Table;
typedef struct Column Column;
typedef struct Index Index;
typedef struct Trigger Trigger;
typedef struct FKey FKey;

struct Column {
  char *name;
  char *type;          /* declared type or NULL */
  char affinity;       /* SQLITE_AFF_* from vm/opcodes.h */
  u8 not_null;         /* ConflictAlgo + 1, 0 if nullable */
  u8 is_pk;            /* part of the PRIMARY KEY */
  u8 hidden;           /* generated/hidden */
  char *collate;       /* NULL = BINARY */
  Expr *default_value; /* parsed DEFAULT expression or NULL */
  char *default_text;
  Expr *generated;     /* GENERATED ALWAYS AS */
  int generated_stored;
  char *src_table;     /* nested FROM pseudo table: the FROM item's name; NULL
                          for the merged (unqualified) USING/NATURAL column */
};

struct Index {
  char *name;
  Table *table;
  Pgno root;
  int n_key_col;        /* columns in the index key (before the rowid/PK suffix) */
  int n_column;         /* total stored columns (key + rowid, or key + PK for WITHOUT ROWID) */
  i16 *columns;         /* table column numbers; -1 rowid, -2 expression */
  ExprList *exprs;      /* for expression indexes: items where columns[i] == -2 */
  char **collate;       /* [n_column] collation names (NULL = BINARY) */
  u8 *sort_desc;        /* [n_column] */
  u8 unique;            /* UNIQUE or PRIMARY KEY index */
  u8 on_error;          /* ConflictAlgo for uniqueness violations */
  u8 origin;            /* 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' => 'p' */
  Expr *where;          /* partial index predicate */
  char *sql;            /* CREATE INDEX text, NULL for automatic indexes */
  i64 *stat_est;        /* sqlite_stat1: [0] rows, [k] rows per distinct
                        ** value of the first k key columns; or NULL */
  Index *next;          /* next index of the same table */
};

struct FKey {
  Table *from;
  char *to_table;
  int n_col;
  struct { int from_col; char *to_col; } *cols;
  u8 on_delete, on_update, deferred;
  FKey *next;
};

struct Table {
  char *name;
  char *sql;            /* CREATE statement text as stored in sqlite_schema */
  Pgno root;            /* 0 for views */
  int n_col;
  Column *cols;
  Index *indexes;
  FKey *fkeys;
  Expr *checks;         /* CHECK constraints ANDed, or NULL; names in check_names */
  ExprList *check_list; /* one item per CHECK (alias = constraint name) */
  int ipk;              /* column that is INTEGER PRIMARY KEY (rowid alias), -1 */
  u8 autoincrement;
  u8 without_rowid;
  u8 strict;
  u8 is_view;
  u8 hidden_rowid;      /* a CTE's pseudo table: "rowid" names no column (SQLite) */
  int n_merged;         /* nested FROM pseudo table: its leading USING-merged columns */
  u8 is_virtual;         /* 1 virtual table (vt set); 2/3 recursive CTE pseudo tables */
  struct VtabInfo *vt;   /* virtual table: module, arguments, connection (vtab.h) */
  u8 pk_on_conflict;    /* ConflictAlgo of the PRIMARY KEY */
  Select *view_select;  /* views: the SELECT */
  IdList *view_columns; /* views: column names list, or NULL */
  int db_index;         /* which DbSlot */
  i64 n_row_est;        /* from sqlite_stat1, or a default */
  int ref;
};

struct Trigger {
  char *name;
  char *table;
  char *sql;
  int time;             /* 0 BEFORE, 1 AFTER, 2 INSTEAD OF */
  StmtKind event;
  IdList *update_of;
  Expr *when;
  TriggerStep *steps;
  int db_index;         /* where the trigger lives */
  int table_db_index;   /* where its table lives */
  int seq;              /* load order (creation order); newest fires first */
  Trigger *next;        /* next trigger on the same table */
};

/* A simple string-keyed hash map (case-insensitive keys) used for names. */
typedef struct HashEntry {
  char *key;
  void *value;
  struct HashEntry *next;
} HashEntry;
typedef struct Hash {
  int n, n_bucket;
  HashEntry **buckets;
} Hash;
void hash_init(Hash *);
void *hash_find(const Hash *, const char *key);
void *hash_insert(Hash *, const char *key, void *value); /* returns old value; NULL value removes */
void hash_clear(Hash *);

struct Schema {
  u32 cookie;           /* schema cookie at load time */
  int file_format;
  u8 enc;
  Hash tables;          /* name -> Table* (tables and views) */
  Hash indexes;         /* name -> Index* */
  Hash triggers;        /* name -> Trigger* */
  int generation;       /* bumps on every change, for statement expiry */
};

#endif
