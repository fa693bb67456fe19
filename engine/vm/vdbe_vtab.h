/*
** vdbe_vtab.h — virtual tables as the VM sees them: a registered module and
** one connected instance of a virtual table (VTable), both reference
** counted, and the V* opcodes (vdbe_vtab.c).
**
** The SQL layer owns the module registry and the schema's Table objects; it
** hands the VM a VTable through P4 (P4_VTAB, one reference per op).  The VM
** calls the module's methods directly (sqlite3_module in sqlite3.h).
*/
#ifndef SHALE_VDBE_VTAB_H
#define SHALE_VDBE_VTAB_H

#include "../util/common.h"

struct Vdbe;
struct VdbeOp;
struct VdbeCursor;

/* A module registered with sqlite3_create_module_v2 (or a built-in one). */
typedef struct VtabModule {
  char *name;
  const sqlite3_module *m;
  void *aux;                 /* pClientData */
  void (*destroy)(void *);   /* called on aux when the last reference goes */
  int ref;
  void *epo;                 /* sql layer: the eponymous Table, or NULL */
} VtabModule;

/* One xCreate/xConnect'ed instance of a virtual table. */
typedef struct VTable {
  sqlite3 *db;
  sqlite3_vtab *vtab;
  VtabModule *mod;
  int ref;
  u8 constraint_support;     /* sqlite3_vtab_config(SQLITE_VTAB_CONSTRAINT_SUPPORT) */
  u8 in_txn;                 /* xBegin called: in db->vtrans */
  u8 destroyed;              /* xDestroy ran: no xDisconnect */
} VTable;

VtabModule *vtab_module_ref(VtabModule *);
void vtab_module_unref(VtabModule *);
VTable *vtable_ref(VTable *);
void vtable_unref(VTable *);   /* xDisconnect at the last reference */

/* The module's error message (pVtab->zErrMsg, which is freed and
** cleared), or the text of rc; sqlite3_malloc'd. */
char *vtab_take_errmsg(sqlite3_vtab *, int rc);

/* The V* opcodes: *jump = 1 to take the branch to P2.  On error returns the
** code and a sqlite3_malloc'd message in *err. */
int vdbe_vtab_op(struct Vdbe *, struct VdbeOp *, int *jump, char **err);
/* OP_Rowid on a virtual-table cursor. */
int vdbe_vtab_rowid(struct VdbeCursor *, sqlite3_value *out, char **err);
void vdbe_vtab_cursor_close(struct VdbeCursor *);
/* The current result row of a statement (a nested PRAGMA run by the
** pragma_* virtual tables): value i, NULL past the end. */
sqlite3_value *vdbe_row_value(struct Vdbe *, int i);

/* Transaction end: xSync then xCommit (commit) or xRollback of every
** virtual table that joined the transaction (OP_VBegin). */
int vdbe_vtab_sync(sqlite3 *, char **err);
void vdbe_vtab_end(sqlite3 *, int commit);

#endif
