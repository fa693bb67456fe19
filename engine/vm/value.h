/*
** value.h — struct sqlite3_value ("Mem"): the VM's register type and the
** value the public sqlite3_value_* / sqlite3_result_* API works on.
**
** Text inside a Mem is always UTF-8 (converted at the record boundary for
** UTF-16 databases and on demand for the *_text16 APIs).
*/
#ifndef SHALE_VALUE_H
#define SHALE_VALUE_H

#include "../util/common.h"
#include "../func/func.h"
#include "opcodes.h"

/* Mem.flags */
#define MEM_Null 0x0001
#define MEM_Str 0x0002
#define MEM_Int 0x0004
#define MEM_Real 0x0008
#define MEM_Blob 0x0010
#define MEM_IntReal 0x0020 /* real stored as integer (REAL affinity column) */
#define MEM_TypeMask 0x003f
#define MEM_Zero 0x0040    /* blob: u.nzero zero bytes follow z[0..n) */
#define MEM_Term 0x0080    /* z[n] == 0 */
#define MEM_Static 0x0100  /* z is static (never freed) */
#define MEM_Ephem 0x0200   /* z points into memory owned by someone else (transient) */
#define MEM_Dyn 0x0400     /* z must be freed with xDel */
#define MEM_Agg 0x0800     /* aggregate accumulator: u.def, z = context */
#define MEM_Subtype 0x1000
#define MEM_FromBind 0x2000
#define MEM_Ptr 0x4000     /* NULL with a pointer (sqlite3_bind_pointer) */
#define MEM_Obj 0x8000     /* VM object in u.p with xDel (RowSet, frame) */
#define MEM_Undefined 0    /* after release: reads as NULL */

struct sqlite3_value {
  u16 flags;
  u8 subtype;
  u8 nochange;     /* sqlite3_value_nochange() */
  int n;           /* bytes in z (not counting the terminator) */
  char *z;         /* text or blob bytes */
  i64 i;           /* MEM_Int */
  double r;        /* MEM_Real */
  union {
    int nzero;     /* MEM_Zero */
    FuncDef *def;  /* MEM_Agg */
    void *p;       /* MEM_Ptr / MEM_Obj */
  } u;
  const char *ptype; /* MEM_Ptr type name */
  void (*xDel)(void *);
  char *zMalloc;   /* owned buffer (z may point into it) */
  int szMalloc;
  char *z16;       /* cached UTF-16 conversion (sqlite3_malloc) */
  int n16;
  u8 enc16;
  sqlite3 *db;
};
typedef struct sqlite3_value Mem;

/* sqlite3_context as functions see it. */
struct sqlite3_context {
  Mem *out;           /* result */
  const FuncDef *def;
  Mem *agg;           /* aggregate accumulator (OP_AggStep/Final) */
  sqlite3 *db;
  struct Vdbe *vdbe;
  int op_index;       /* for auxdata */
  int is_error;       /* rc set by result_error* */
  char *err;          /* error message (UTF-8), owned */
  CollSeq *coll;
  int arg_count;
  i64 now_ms;         /* used only when vdbe is NULL */
  u8 skip;
  u8 vtab_nochange;   /* OP_VColumn with OPFLAG_NOCHNG: sqlite3_vtab_nochange() */
};

/* AuxData kept per statement: one per (op, arg). */
typedef struct AuxData {
  int op;
  int arg;
  void *p;
  void (*xDel)(void *);
  struct AuxData *next;
} AuxData;

i64 vdbe_statement_time_ms(struct Vdbe *); /* vdbe_exec.c */
void mem_init(Mem *, sqlite3 *db);
void mem_release(Mem *);              /* frees; leaves NULL */
/* What a Mem owns besides its buffer (a destructor's bytes, an aggregate
** state, an object, a UTF-16 copy) must go before it is overwritten. */
#define MEM_HAS_EXTRAS(m) (((m)->flags & (MEM_Dyn | MEM_Agg | MEM_Obj | MEM_Ptr)) || (m)->z16)
void mem_clear_extras(Mem *);         /* frees those; leaves NULL */
/* The per-row setters are inline: one test, then plain stores. */
static inline void mem_set_null(Mem *m) {
  if (MEM_HAS_EXTRAS(m)) mem_clear_extras(m);
  m->flags = MEM_Null;
  m->z = NULL;
  m->n = 0;
  m->subtype = 0;
  m->nochange = 0;
}
static inline void mem_set_int(Mem *m, i64 v) {
  mem_set_null(m);
  m->i = v;
  m->flags = MEM_Int;
}
void mem_set_real(Mem *, double);     /* NaN -> NULL */
int mem_set_str(Mem *, const char *z, i64 n, void (*xDel)(void *)); /* UTF-8; n<0: strlen */
int mem_set_blob(Mem *, const void *z, i64 n, void (*xDel)(void *));
void mem_set_zeroblob(Mem *, int n);
int mem_set_text16(Mem *, const void *z, i64 n, u8 enc, void (*xDel)(void *));
int mem_grow(Mem *, int n, int preserve); /* z = zMalloc with room for n bytes */
int mem_copy_slow(Mem *to, const Mem *from);
/* Deep copy (numbers and NULL inline). */
static inline int mem_copy(Mem *to, const Mem *from) {
  if (!(from->flags & (MEM_Str | MEM_Blob | MEM_Agg | MEM_Obj | MEM_Ptr)) && !MEM_HAS_EXTRAS(to)) {
    to->flags = from->flags;
    to->i = from->i;
    to->r = from->r;
    to->subtype = from->subtype;
    to->nochange = from->nochange;
    to->z = NULL;
    to->n = 0;
    return SQLITE_OK;
  }
  return mem_copy_slow(to, from);
}
void mem_shallow_copy(Mem *to, const Mem *from); /* strings become Ephem */
/* to refers to from's text/blob bytes (MEM_Static) without copying: valid
** while from's bytes are (OP_Variable: until the statement is reset). */
void mem_set_static_ref(Mem *to, const Mem *from);
void mem_move(Mem *to, Mem *from);        /* from becomes NULL */
int mem_make_writable(Mem *);             /* own the bytes (copy Ephem/Static) */
int mem_expand_zero(Mem *);               /* materialise MEM_Zero */
int mem_nul_terminate(Mem *);

int mem_type(const Mem *);                /* SQLITE_INTEGER ... */
int mem_stringify(Mem *);
/* The text of m in UTF-16 (enc LE/BE), cached in the Mem; *n bytes. */
const void *mem_text16(Mem *m, u8 enc, int *n);                 /* int/real -> also text */
i64 mem_int_value(const Mem *);           /* sqlite3_value_int64 rules */
double mem_real_value(const Mem *);
int mem_is_true(const Mem *, int if_null);

/* Affinity (SQLITE_AFF_*). */
void mem_apply_affinity(Mem *, char aff);
void mem_apply_numeric_affinity(Mem *, int try_for_int);
void mem_numerify(Mem *);                 /* CAST AS NUMERIC */
int mem_cast(Mem *, char aff);            /* CAST(x AS ...) */
/* Numeric view for arithmetic: returns MEM_Int or MEM_Real with *pi / *pr. */
int mem_numeric_type(const Mem *, i64 *pi, double *pr);

/* sqlite3MemCompare semantics. */
int mem_compare(const Mem *a, const Mem *b, const CollSeq *coll);

/* Text helpers. */
int shale_atoi64(const char *z, int n, i64 *out); /* 0 ok, 1 not pure int, 2 overflow, -1 none */
int shale_atof(const char *z, int n, double *out, int *is_int); /* returns 1 if whole string numeric */
void shale_format_real(double r, char *buf); /* "%!.15g"; buf >= 32 bytes */
int shale_utf8_to_utf16(const char *z, int n, u8 enc, char **out, int *nout);
int shale_utf16_to_utf8(const void *z, int n, u8 enc, char **out, int *nout);
char *vm_mprintf(const char *fmt, ...);

#endif
