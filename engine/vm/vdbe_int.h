/*
** vdbe_int.h — the VM private structures: struct Vdbe (= sqlite3_stmt),
** cursors, trigger frames.  Used by the engine/vm files and the statement API
** (engine/api/stmt.c), nobody else.
*/
#ifndef SHALE_VDBE_INT_H
#define SHALE_VDBE_INT_H

#include "vdbe.h"
#include "value.h"
#include "record.h"
#include "sorter.h"
#include "../btree/btree.h"
#include "../api/connection.h"
#include "vdbe_vtab.h"

enum { CURTYPE_BTREE = 0, CURTYPE_SORTER, CURTYPE_PSEUDO, CURTYPE_VTAB };

/* An ephemeral b-tree database shared by a cursor and its OpenDup copies. */
typedef struct EphemDb {
  Btree *bt;
  Pgno root;
  int ref;
} EphemDb;

typedef struct VacState VacState; /* vacuum.c */
int vdbe_vacuum_step(struct Vdbe *, Btree *src, VacState **);
void vdbe_vacuum_free(VacState *);

typedef struct VdbeCursor {
  u8 type;
  u8 is_table;     /* intkey b-tree (or pseudo/sorter: rows) */
  u8 null_row;     /* OP_NullRow: every column reads NULL */
  u8 deferred;     /* OP_DeferredSeek pending */
  u8 cache_ok;     /* header parse below is valid */
  u8 is_writer;
  u8 seek_eq;
  u8 enc;          /* the database text encoding when opened (OP_Column) */
  int idb;
  int n_field;
  Pgno root;
  BtCursor *bt;
  EphemDb *ephem;  /* ephemeral storage (owned reference) */
  KeyInfo *key_info;
  /* deferred seek */
  struct VdbeCursor *alt;
  int *alt_map;
  i64 moveto_rowid;
  /* pseudo */
  int pseudo_reg;
  /* sorter */
  Sorter *sorter;
  i64 seq;
  int seek_result;
  /* cached row */
  u32 cache_ctr;
  const u8 *rec;
  u32 rec_n;
  u8 *rec_buf;
  u32 rec_buf_sz;
  u32 hdr_size;
  u32 hdr_pos;     /* next header byte to parse */
  int n_parsed;    /* header entries parsed */
  int n_hdr_alloc;
  u32 *types;
  u32 *offsets;    /* offsets[i] = start of field i; offsets[n_parsed] end */
  /* pseudo cursors: the header bytes the parse above came from (when
  ** hdr_copy_n > 0), so a register still holding the same header (and
  ** length) is not parsed again */
  u8 hdr_copy_n;
  u8 hdr_copy[23];
  struct VdbeCursor *pool_next; /* in Vdbe.csr_pool once closed */
  /* virtual table (CURTYPE_VTAB) */
  sqlite3_vtab_cursor *vcsr;
  VTable *vtable;
} VdbeCursor;

/* A running trigger program. */
typedef struct VdbeFrame {
  struct VdbeFrame *parent;
  VdbeOp *ops;          /* caller's program */
  int n_op;
  int pc;               /* OP_Program address in the caller */
  Mem *mem;             /* caller's registers */
  int n_mem;
  VdbeCursor **csr;     /* caller's cursors */
  int n_csr;
  SubProgram *prog;     /* program running in this frame */
  i64 last_rowid;
  i64 n_change;
  /* this frame's storage */
  Mem *my_mem;
  VdbeCursor **my_csr;
  u8 *once;             /* OP_Once flags for the sub-program */
  int n_once;
} VdbeFrame;

/* SAVEPOINT stack entry (db->savepoints). */
typedef struct VdbeSavepoint {
  char *name;
  int is_txn;           /* this savepoint started the transaction */
  struct VdbeSavepoint *next; /* older */
} VdbeSavepoint;

enum { VDBE_READY = 0, VDBE_RUN, VDBE_HALT, VDBE_DEAD };

struct Vdbe {
  sqlite3 *db;
  Vdbe *prev, *next;    /* db->stmts */
  u32 magic;
  VdbeOp *ops;          /* current program (a trigger's while in a frame) */
  int n_op;
  VdbeOp *main_ops;     /* the statement's own program */
  int n_main_op;
  int n_op_alloc;
  int *labels;
  int n_label;
  int n_label_alloc;
  Mem *mem;             /* registers [0..n_mem] (0 unused) */
  int n_mem;
  Mem *main_mem;
  int n_main_mem;
  VdbeCursor **csr;
  int n_csr;
  VdbeCursor **main_csr;
  int n_main_csr;
  VdbeCursor *csr_pool; /* closed cursors kept for reuse (with their buffers) */
  int n_csr_pool;
  u8 *once;             /* OP_Once flags by address */
  Mem *vars;            /* [n_var] */
  int n_var;
  char **var_names;     /* [n_var] or NULL */
  int n_res_col;
  char **col_names;     /* [5 * n_res_col] */
  Mem *result;          /* current result row (registers) */
  int n_result;
  char *sql;
  int prep_flags;
  int pc;
  int rc;               /* result of the last run */
  char *err_msg;
  u8 state;             /* VDBE_* */
  i64 trace_start_ms;   /* sqlite3_trace_v2 PROFILE: when this run began (0: not timed) */
  u8 readonly;
  u8 explain;
  u8 committing;        /* halted OK, auto-commit in progress */
  u8 rollingback;
  u8 is_writer_counted;
  u8 counted_active;
  u8 stmt_open;         /* statement savepoint open */
  u8 halted;            /* Halt logic done, waiting for commit */
  u8 expired;
  u8 halt_action;       /* OE_* of the failing Halt */
  u8 want_commit;       /* halted in auto-commit mode: end the transaction */
  u8 stmt_index_taken;  /* counted in db->n_statement */
  u8 count_changes;     /* has Insert/Delete with OPFLAG_NCHANGE */
  u8 cmp_null;          /* last comparison saw a NULL (OP_ElseEq) */
  u8 n_change_reset;
  int icompare;         /* result of the last OP_Compare / comparison */
  int *permutation;     /* OP_Permutation for the next OP_Compare */
  u8 halt_stage;        /* vdbe_halt progress: 0 decide, 1 undo, 2 done */
  u8 halt_plan;
  u8 halt_err;
  u8 rb_had_write;
  u8 is_commit;         /* ran OP_AutoCommit to COMMIT */
  u8 need_reprepare;    /* SQLITE_SCHEMA seen: recompile before running */
  u8 single_write;      /* codegen: at most one row written, all checks first:
                           no statement journal (vdbe_set_single_write) */
  u8 wrote;             /* this run changed a b-tree (safety net for the above) */
  Mem *name16;          /* UTF-16 column names (api), n_name16 entries */
  struct {              /* VACUUM INTO progress (OP_Vacuum) */
    ShaleFile *f;
    Pgno next, n_page;
    u8 *buf;
    int writing;
    ShaleIo io;
  } vac;
  int n_name16;
  int stmt_index;       /* savepoint index of the statement journal */
  u32 cache_ctr;
  i64 n_change;
  i64 n_change_sub;     /* changes made by trigger programs */
  i64 start_time_ms;     /* read lazily: see vdbe_statement_time_ms() */
  u8 have_start_time;
  int stmt_status[8];
  VdbeFrame *frame;     /* current trigger frame */
  int n_frame;
  SubProgram *subprograms;
  AuxData *aux;
  CollSeq *pending_coll;
  int pending_coll_reg;
  int halt_pc;
  i64 fk_constraints;   /* immediate FK counter */
  i64 fk_deferred;
  /* EXPLAIN output */
  Mem explain_mem[8];
  Mem agg_scratch;
  VacState *vacuum;     /* plain VACUUM progress */      /* where OP_AggStep points a step's (ignored) result */
  int explain_pc;
  /* i64 for OP_Init's trace / OffsetLimit etc. */
  i64 last_rowid_at_start;
};

#define VDBE_MAGIC_LIVE 0x5d6b1e01u
#define VDBE_MAGIC_DEAD 0x5d6b0dedu

/* vdbe_build.c */
void vdbe_cleanup_run(Vdbe *);   /* close cursors, frames, aux data */
void vdbe_free_op_p4(VdbeOp *);
const char *vdbe_p4_text(VdbeOp *op, char *buf, int n);
/* vdbe_exec.c */
void vdbe_cursor_close(Vdbe *, VdbeCursor *);
void vdbe_cursor_pool_free(Vdbe *);
VdbeCursor *vdbe_cursor_new(Vdbe *, int i, int type); /* replaces cursor i */
int vdbe_halt(Vdbe *);           /* finish: commit/rollback; may PENDING */
/* Text of a result code (SQLite's words). */
const char *vdbe_errstr(int rc);

#endif
