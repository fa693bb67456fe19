/*
** vdbe.h — the bytecode program: how the code generator builds one (the
** builder calls) and how the API layer runs one (exec/reset/finalize).
** A Vdbe *is* a prepared statement (sqlite3_stmt).
**
** Instruction semantics: see opcodes.h.
*/
#ifndef SHALE_VDBE_H
#define SHALE_VDBE_H

#include "../util/common.h"
#include "opcodes.h"

typedef struct Vdbe Vdbe;
typedef struct VdbeOp VdbeOp;
typedef struct KeyInfo KeyInfo;
typedef struct SubProgram SubProgram;
typedef struct FuncDef FuncDef;   /* func/func.h */
typedef struct CollSeq CollSeq;   /* func/func.h */

/* P4 operand kinds. */
enum {
  P4_NOTUSED = 0,
  P4_STATIC,     /* const char*, not freed */
  P4_DYNAMIC,    /* char* owned by the op (sqlite3_free) */
  P4_INT32,      /* p4.i */
  P4_INT64,      /* i64* owned */
  P4_REAL,       /* double* owned */
  P4_MEM,        /* sqlite3_value* owned (a default value, a blob literal) */
  P4_KEYINFO,    /* KeyInfo* (ref-counted) */
  P4_COLLSEQ,    /* CollSeq* (owned by the connection) */
  P4_FUNCDEF,    /* FuncDef* (owned by the registry) */
  P4_FUNCCTX,    /* VM private, built from P4_FUNCDEF on first run */
  P4_SUBPROGRAM, /* SubProgram* (owned) */
  P4_TABLE,      /* void* Table (codegen's, not freed; OP_Insert names) */
  P4_INTARRAY,   /* int* owned: first element is the count */
  P4_BLOB,       /* P4_DYNAMIC holding raw bytes; length in p1 or p3 */
  P4_VTAB,       /* VTable* (vdbe_vtab.h), one reference owned by the op */
};

struct VdbeOp {
  u8 opcode;
  signed char p4type;
  u16 p5;
  int p1, p2, p3;
  union {
    int i;
    void *p;
    char *z;
    i64 *pI64;
    double *pReal;
    KeyInfo *pKeyInfo;
    CollSeq *pColl;
    FuncDef *pFunc;
    SubProgram *pProgram;
    int *ai;
  } p4;
  const char *comment; /* optional, for EXPLAIN (static string) */
};

/* How to compare index keys / sort keys: one entry per key column. */
struct KeyInfo {
  int ref;           /* reference count */
  u8 enc;            /* SQLITE_UTF8 etc. */
  u16 n_key_field;   /* columns that are part of the key proper */
  u16 n_all_field;   /* total columns (key + extra, e.g. rowid) */
  u8 *sort_flags;    /* per column: KEYINFO_ORDER_DESC | KEYINFO_ORDER_BIGNULL */
  CollSeq **coll;    /* per column: NULL = BINARY */
};
#define KEYINFO_ORDER_DESC 0x01
#define KEYINFO_ORDER_BIGNULL 0x02 /* NULLS LAST for ASC / NULLS FIRST for DESC */

KeyInfo *keyinfo_alloc(int n_key, int n_extra);
KeyInfo *keyinfo_ref(KeyInfo *);
void keyinfo_unref(KeyInfo *);

/* A trigger program: its own ops, registers and cursors. */
struct SubProgram {
  VdbeOp *ops;
  int n_op;
  int n_mem;
  int n_csr;
  void *token;       /* identity for recursion checks */
  SubProgram *next;
};

/* ------------------------------------------------------------- builder -- */
Vdbe *vdbe_create(sqlite3 *db);
int vdbe_add_op0(Vdbe *, int op);
int vdbe_add_op1(Vdbe *, int op, int p1);
int vdbe_add_op2(Vdbe *, int op, int p1, int p2);
int vdbe_add_op3(Vdbe *, int op, int p1, int p2, int p3);
/* p4type tells who owns p4 (see P4_*); for P4_DYNAMIC/P4_STATIC strings,
** n = -1 means NUL-terminated, >= 0 means copy n bytes (becomes DYNAMIC). */
int vdbe_add_op4(Vdbe *, int op, int p1, int p2, int p3, const void *p4, int p4type);
int vdbe_add_op4_int(Vdbe *, int op, int p1, int p2, int p3, int p4);
int vdbe_add_op4_dup8(Vdbe *, int op, int p1, int p2, int p3, const void *p8, int p4type);
void vdbe_change_p1(Vdbe *, int addr, int v);
void vdbe_change_p2(Vdbe *, int addr, int v);
void vdbe_change_p3(Vdbe *, int addr, int v);
void vdbe_change_p5(Vdbe *, u16 p5); /* on the last op added */
void vdbe_change_p4(Vdbe *, int addr, const void *p4, int p4type); /* addr -1: last */
void vdbe_change_to_noop(Vdbe *, int addr);
void vdbe_comment(Vdbe *, const char *static_comment); /* on the last op */
VdbeOp *vdbe_get_op(Vdbe *, int addr); /* addr -1: last */
int vdbe_current_addr(Vdbe *);
void vdbe_jump_here(Vdbe *, int addr); /* set P2 of op at addr to the next address */
/* Labels: negative numbers resolved when the program is finished. */
int vdbe_make_label(Vdbe *);
void vdbe_resolve_label(Vdbe *, int label);
/* Finish building: resolve labels, size registers/cursors. */
void vdbe_make_ready(Vdbe *, int n_mem, int n_cursor, int n_var);
/* Result columns.  which: 0 name, 1 decltype, 2 database, 3 table, 4 origin. */
void vdbe_set_num_cols(Vdbe *, int n);
void vdbe_set_col_name(Vdbe *, int col, int which, const char *name); /* copied */
/* Statement text and parameter names (for sqlite3_sql, bind_parameter_*). */
void vdbe_set_sql(Vdbe *, const char *z, int n, int prep_flags);
void vdbe_set_var_names(Vdbe *, int n, char **names); /* takes ownership */
/* Flags set by the code generator. */
void vdbe_set_readonly(Vdbe *, int readonly);
void vdbe_set_explain(Vdbe *, int mode); /* 1 EXPLAIN, 2 EXPLAIN QUERY PLAN */
/* The statement writes at most one row of one table and runs every check
** that can fail (constraints, expressions, record sizes) before its first
** b-tree write, so an error never leaves half a statement behind: it needs
** no statement journal (SQLite's usesStmtJournal == 0).  If an error does
** follow a write anyway, the VM rolls back the whole transaction. */
void vdbe_set_single_write(Vdbe *);
/* Add a sub-program (trigger) to the statement; it frees it. */
void vdbe_link_subprogram(Vdbe *, SubProgram *);
/* Steal the ops as a SubProgram (used to compile trigger bodies). */
SubProgram *vdbe_take_subprogram(Vdbe *, int n_mem, int n_cursor);
void vdbe_delete(Vdbe *); /* discard an unfinished program */

/* EXPLAIN QUERY PLAN rows are emitted by OP_Explain (p1 = id, p2 = parent id,
** p4 = text); the VM turns them into (id, parent, notused, detail) rows. */

/* ------------------------------------------------------------- running -- */
/* Run until a row (SQLITE_ROW), the end (SQLITE_DONE), an error, or
** SHALE_PENDING (I/O outstanding: call again, nothing half done). */
int vdbe_exec(Vdbe *);
int vdbe_reset(Vdbe *);
int vdbe_finalize(Vdbe *);

#endif
