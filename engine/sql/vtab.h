/*
** vtab.h — virtual tables in the SQL layer (vtab.c, vtab_dml.c,
** where_vtab.c, pragma_vtab.c): the module registry of a connection,
** CREATE VIRTUAL TABLE / DROP TABLE, connecting a schema Table to its
** module (xCreate / xConnect + sqlite3_declare_vtab), eponymous tables and
** table-valued function arguments, and INSERT / UPDATE / DELETE through
** xUpdate.  The VM half (VTable, VtabModule, the V* opcodes) is
** ../vm/vdbe_vtab.h.
*/
#ifndef SHALE_SQL_VTAB_H
#define SHALE_SQL_VTAB_H

#include "build_int.h"
#include "../vm/vdbe_vtab.h"

/* Table.vt of a virtual table (Table.is_virtual == 1). */
typedef struct VtabInfo {
  char *module;        /* module name as written */
  int n_arg;
  char **args;         /* module arguments as written */
  VTable *vtable;      /* connected instance, or NULL until first use */
  VtabModule *epo_of;  /* eponymous table: its module (not a reference) */
} VtabInfo;

/* Registry (the api layer's sqlite3_create_module* / drop_modules). */
int vtab_register_module(sqlite3 *, const char *name, const sqlite3_module *, void *aux, void (*destroy)(void *));
int vtab_drop_modules(sqlite3 *, const char **keep);
void vtab_registry_free(sqlite3 *);   /* at close, after the schemas */
VtabModule *vtab_find_module(sqlite3 *, const char *name);

/* The body of sqlite3_declare_vtab / sqlite3_vtab_config (inside xCreate
** or xConnect). */
int vtab_declare(sqlite3 *, const char *sql);
int vtab_config_constraint_support(sqlite3 *, int on);
int vtab_declaring(sqlite3 *);

/* Schema objects. */
Table *vtab_table_from_create(sqlite3 *, Stmt *, int idb);
void vtab_info_free(VtabInfo *);
static inline VTable *vtab_table_vtable(const Table *t) { return t->vt ? t->vt->vtable : NULL; }
/* Connect t (a virtual table) if it is not yet: errors in p. */
int vtab_connect(Parse *, Table *t);
/* The eponymous virtual table `name` (module name), or NULL. */
Table *vtab_eponymous(Parse *, const char *db_name, const char *name);
/* FROM item `mod(args)`: the arguments become `hidden_col = arg` terms of
** the item's ON clause. */
int vtab_add_func_args(Parse *, SrcItem *it, Table *t);

/* Statements. */
int codegen_create_vtab(Parse *, Stmt *);
int vtab_code_drop(Parse *, Table *, int idb);
int vtab_code_insert(Parse *, Stmt *, Table *);
int vtab_code_update(Parse *, Stmt *, Table *);
int vtab_code_delete(Parse *, Stmt *, Table *);
/* OP_VBegin for a statement writing t. */
void vtab_code_begin(Parse *, Table *);

/* OP_VCreate / OP_VDestroy callbacks (db->vtab_create / vtab_destroy). */
int vtab_create_callback(sqlite3 *, int idb, const char *name, char **err);
int vtab_destroy_callback(sqlite3 *, int idb, const char *name, char **err);

/* pragma_vtab.c: the pragma_* eponymous tables. */
extern const sqlite3_module pragma_vtab_module;
const void *pragma_vtab_find(const char *pragma_name); /* descriptor or NULL */

#endif
