/*
** vdbe_build.c — building a program (the calls the code generator makes),
** KeyInfo, P4 ownership, labels, and freeing a statement.
*/
#include <stdio.h>
#include "vdbe_int.h"

const char *const shale_opcode_names[OP__COUNT] = {
#define SHALE_OPCODE_NAME(name) #name,
    SHALE_OPCODE_LIST(SHALE_OPCODE_NAME)
#undef SHALE_OPCODE_NAME
};

/* ------------------------------------------------------------ KeyInfo -- */
KeyInfo *keyinfo_alloc(int n_key, int n_extra) {
  int n = n_key + n_extra;
  if (n < 0) n = 0;
  size_t sz = sizeof(KeyInfo) + (size_t)n * (sizeof(CollSeq *) + 1) + 8;
  KeyInfo *k = shale_malloc_zero(sz);
  if (!k) return NULL;
  k->ref = 1;
  k->enc = SQLITE_UTF8;
  k->n_key_field = (u16)n_key;
  k->n_all_field = (u16)n;
  k->coll = (CollSeq **)(k + 1);
  k->sort_flags = (u8 *)(k->coll + n);
  return k;
}

KeyInfo *keyinfo_ref(KeyInfo *k) {
  if (k) k->ref++;
  return k;
}

void keyinfo_unref(KeyInfo *k) {
  if (k && --k->ref <= 0) sqlite3_free(k);
}

/* ------------------------------------------------------------ creation -- */
Vdbe *vdbe_create(sqlite3 *db) {
  Vdbe *v = shale_malloc_zero(sizeof(Vdbe));
  if (!v) return NULL;
  v->db = db;
  v->magic = VDBE_MAGIC_LIVE;
  v->state = VDBE_READY;
  for (int i = 0; i < 8; i++) mem_init(&v->explain_mem[i], db);
  mem_init(&v->agg_scratch, db);
  if (db) {
    v->next = db->stmts;
    if (db->stmts) db->stmts->prev = v;
    db->stmts = v;
  }
  return v;
}

static int grow_ops(Vdbe *v) {
  int n = v->n_op_alloc ? v->n_op_alloc * 2 : 64;
  VdbeOp *o = sqlite3_realloc64(v->ops, sizeof(VdbeOp) * (u64)n);
  if (!o) return SQLITE_NOMEM;
  v->ops = o;
  v->n_op_alloc = n;
  return SQLITE_OK;
}

int vdbe_add_op3(Vdbe *v, int op, int p1, int p2, int p3) {
  if (!v) return 0;
  if (v->n_op >= v->n_op_alloc && grow_ops(v)) return v->n_op ? v->n_op - 1 : 0;
  int a = v->n_op++;
  VdbeOp *o = &v->ops[a];
  memset(o, 0, sizeof(*o));
  o->opcode = (u8)op;
  o->p1 = p1;
  o->p2 = p2;
  o->p3 = p3;
  o->p4type = P4_NOTUSED;
  return a;
}
int vdbe_add_op0(Vdbe *v, int op) { return vdbe_add_op3(v, op, 0, 0, 0); }
int vdbe_add_op1(Vdbe *v, int op, int p1) { return vdbe_add_op3(v, op, p1, 0, 0); }
int vdbe_add_op2(Vdbe *v, int op, int p1, int p2) { return vdbe_add_op3(v, op, p1, p2, 0); }

static void set_p4(Vdbe *v, VdbeOp *o, const void *p4, int p4type, int n) {
  vdbe_free_op_p4(o);
  o->p4type = (signed char)p4type;
  switch (p4type) {
    case P4_INT32:
      o->p4.i = (int)(intptr_t)p4;
      break;
    case P4_STATIC:
      if (n >= 0 && p4) {
        o->p4.z = shale_strndup(p4, n);
        o->p4type = P4_DYNAMIC;
      } else {
        o->p4.z = (char *)p4;
      }
      break;
    case P4_DYNAMIC:
      if (n >= 0 && p4) o->p4.z = shale_strndup(p4, n);
      else o->p4.z = (char *)p4;
      break;
    case P4_KEYINFO:
      o->p4.pKeyInfo = (KeyInfo *)p4; /* takes the caller's reference */
      break;
    case P4_SUBPROGRAM:
      o->p4.pProgram = (SubProgram *)p4;
      (void)v;
      break;
    default:
      o->p4.p = (void *)p4;
      break;
  }
}

int vdbe_add_op4(Vdbe *v, int op, int p1, int p2, int p3, const void *p4, int p4type) {
  int a = vdbe_add_op3(v, op, p1, p2, p3);
  if (v && a < v->n_op) set_p4(v, &v->ops[a], p4, p4type, -1);
  return a;
}

int vdbe_add_op4_int(Vdbe *v, int op, int p1, int p2, int p3, int p4) {
  int a = vdbe_add_op3(v, op, p1, p2, p3);
  if (v && a < v->n_op) {
    v->ops[a].p4type = P4_INT32;
    v->ops[a].p4.i = p4;
  }
  return a;
}

int vdbe_add_op4_dup8(Vdbe *v, int op, int p1, int p2, int p3, const void *p8, int p4type) {
  void *c = sqlite3_malloc64(8);
  if (c && p8) memcpy(c, p8, 8);
  return vdbe_add_op4(v, op, p1, p2, p3, c, p4type);
}

VdbeOp *vdbe_get_op(Vdbe *v, int addr) {
  if (!v || v->n_op == 0) return NULL;
  if (addr < 0) addr = v->n_op - 1;
  if (addr >= v->n_op) return NULL;
  return &v->ops[addr];
}

void vdbe_change_p1(Vdbe *v, int addr, int x) {
  if (v && addr >= 0 && addr < v->n_op) v->ops[addr].p1 = x;
}
void vdbe_change_p2(Vdbe *v, int addr, int x) {
  if (v && addr >= 0 && addr < v->n_op) v->ops[addr].p2 = x;
}
void vdbe_change_p3(Vdbe *v, int addr, int x) {
  if (v && addr >= 0 && addr < v->n_op) v->ops[addr].p3 = x;
}
void vdbe_change_p5(Vdbe *v, u16 p5) {
  if (v && v->n_op > 0) v->ops[v->n_op - 1].p5 = p5;
}
void vdbe_change_p4(Vdbe *v, int addr, const void *p4, int p4type) {
  if (!v || v->n_op == 0) return;
  if (addr < 0) addr = v->n_op - 1;
  if (addr >= v->n_op) return;
  if (p4type == P4_INT32) {
    vdbe_free_op_p4(&v->ops[addr]);
    v->ops[addr].p4type = P4_INT32;
    v->ops[addr].p4.i = (int)(intptr_t)p4;
    return;
  }
  set_p4(v, &v->ops[addr], p4, p4type, -1);
}
void vdbe_change_to_noop(Vdbe *v, int addr) {
  if (!v || addr < 0 || addr >= v->n_op) return;
  vdbe_free_op_p4(&v->ops[addr]);
  v->ops[addr].opcode = OP_Noop;
  v->ops[addr].p4type = P4_NOTUSED;
}
void vdbe_comment(Vdbe *v, const char *c) {
  if (v && v->n_op > 0) v->ops[v->n_op - 1].comment = c;
}
int vdbe_current_addr(Vdbe *v) { return v ? v->n_op : 0; }
void vdbe_jump_here(Vdbe *v, int addr) { vdbe_change_p2(v, addr, v ? v->n_op : 0); }

int vdbe_make_label(Vdbe *v) {
  if (v->n_label >= v->n_label_alloc) {
    int n = v->n_label_alloc ? v->n_label_alloc * 2 : 16;
    int *l = sqlite3_realloc64(v->labels, sizeof(int) * (u64)n);
    if (!l) return -1;
    v->labels = l;
    v->n_label_alloc = n;
  }
  v->labels[v->n_label] = -1;
  return -(++v->n_label) - 1; /* -2, -3, ... */
}

void vdbe_resolve_label(Vdbe *v, int label) {
  int j = -label - 2;
  if (j >= 0 && j < v->n_label) v->labels[j] = v->n_op;
}

static int resolve(Vdbe *v, int x) {
  if (x >= -1) return x;
  int j = -x - 2;
  if (j < v->n_label && v->labels[j] >= 0) return v->labels[j];
  return x;
}

static void resolve_ops(Vdbe *v, VdbeOp *ops, int n) {
  for (int i = 0; i < n; i++) {
    if (ops[i].p2 < -1) ops[i].p2 = resolve(v, ops[i].p2);
    /* a few opcodes keep a jump target in P3 or P1 (e.g. InitCoroutine P3, Yield-less) */
    if (ops[i].opcode == OP_InitCoroutine && ops[i].p3 < -1) ops[i].p3 = resolve(v, ops[i].p3);
    if (ops[i].opcode == OP_Jump) { /* all three targets may be labels */
      if (ops[i].p1 < -1) ops[i].p1 = resolve(v, ops[i].p1);
      if (ops[i].p3 < -1) ops[i].p3 = resolve(v, ops[i].p3);
    }
  }
}

void vdbe_make_ready(Vdbe *v, int n_mem, int n_cursor, int n_var) {
  if (!v) return;
  resolve_ops(v, v->ops, v->n_op);
  for (SubProgram *s = v->subprograms; s; s = s->next) resolve_ops(v, s->ops, s->n_op);
  /* registers: index 0 is never used; codegen numbers from 1 */
  if (n_mem < 0) n_mem = 0;
  n_mem += 1;
  v->mem = sqlite3_malloc64(sizeof(Mem) * (u64)(n_mem + 1));
  v->n_mem = v->mem ? n_mem : 0;
  for (int i = 0; i < v->n_mem + 1 && v->mem; i++) mem_init(&v->mem[i], v->db);
  if (n_cursor > 0) {
    v->csr = shale_malloc_zero(sizeof(VdbeCursor *) * (size_t)n_cursor);
    v->n_csr = v->csr ? n_cursor : 0;
  }
  if (n_var > 0) {
    v->vars = sqlite3_malloc64(sizeof(Mem) * (u64)n_var);
    v->n_var = v->vars ? n_var : 0;
    for (int i = 0; i < v->n_var; i++) {
      mem_init(&v->vars[i], v->db);
    }
  }
  v->once = shale_malloc_zero((size_t)v->n_op + 1);
  for (int i = 0; i < v->n_op; i++) {
    u8 o = v->ops[i].opcode;
    if ((o == OP_Insert || o == OP_Delete) && (v->ops[i].p5 & OPFLAG_NCHANGE)) v->count_changes = 1;
    if (o == OP_Delete && (v->ops[i].p2 & OPFLAG_NCHANGE)) v->count_changes = 1;
    if (o == OP_ResetCount) v->count_changes = 1;
    if (o == OP_Clear && v->ops[i].p3) v->count_changes = 1;
  }
  v->main_ops = v->ops;
  v->n_main_op = v->n_op;
  v->main_mem = v->mem;
  v->n_main_mem = v->n_mem;
  v->main_csr = v->csr;
  v->n_main_csr = v->n_csr;
  v->state = VDBE_READY;
  v->pc = 0;
}

void vdbe_set_num_cols(Vdbe *v, int n) {
  if (!v) return;
  if (v->col_names) {
    for (int i = 0; i < v->n_res_col * 5; i++) sqlite3_free(v->col_names[i]);
    sqlite3_free(v->col_names);
  }
  v->col_names = NULL;
  v->n_res_col = 0;
  if (n <= 0) return;
  v->col_names = shale_malloc_zero(sizeof(char *) * (size_t)n * 5);
  if (v->col_names) v->n_res_col = n;
}

void vdbe_set_col_name(Vdbe *v, int col, int which, const char *name) {
  if (!v || col < 0 || col >= v->n_res_col || which < 0 || which > 4) return;
  char **p = &v->col_names[which * v->n_res_col + col];
  sqlite3_free(*p);
  *p = name ? shale_strdup(name) : NULL;
}

void vdbe_set_sql(Vdbe *v, const char *z, int n, int prep_flags) {
  if (!v) return;
  sqlite3_free(v->sql);
  v->sql = z ? (n < 0 ? shale_strdup(z) : shale_strndup(z, n)) : NULL;
  v->prep_flags = prep_flags;
}

void vdbe_set_var_names(Vdbe *v, int n, char **names) {
  if (!v) return;
  if (v->var_names) {
    for (int i = 0; i < v->n_var; i++) sqlite3_free(v->var_names[i]);
    sqlite3_free(v->var_names);
  }
  v->var_names = names;
  if (n > v->n_var) {
    /* grow the variable array to match */
    Mem *nv = sqlite3_realloc64(v->vars, sizeof(Mem) * (u64)n);
    if (nv) {
      for (int i = v->n_var; i < n; i++) mem_init(&nv[i], v->db);
      v->vars = nv;
      v->n_var = n;
    }
  }
}

void vdbe_set_readonly(Vdbe *v, int ro) {
  if (v) v->readonly = (u8)(ro != 0);
}

void vdbe_set_single_write(Vdbe *v) {
  if (v) v->single_write = 1;
}

void vdbe_set_explain(Vdbe *v, int mode) {
  if (v) v->explain = (u8)mode;
}

void vdbe_link_subprogram(Vdbe *v, SubProgram *p) {
  if (!v || !p) return;
  p->next = v->subprograms;
  v->subprograms = p;
}

SubProgram *vdbe_take_subprogram(Vdbe *v, int n_mem, int n_cursor) {
  SubProgram *p = shale_malloc_zero(sizeof(SubProgram));
  if (!p) return NULL;
  resolve_ops(v, v->ops, v->n_op);
  p->ops = v->ops;
  p->n_op = v->n_op;
  p->n_mem = n_mem + 1;
  p->n_csr = n_cursor;
  p->token = p;
  v->ops = NULL;
  v->n_op = 0;
  v->n_op_alloc = 0;
  return p;
}

/* ----------------------------------------------------------- freeing -- */
void vdbe_free_op_p4(VdbeOp *o) {
  switch (o->p4type) {
    case P4_DYNAMIC:
    case P4_INT64:
    case P4_REAL:
    case P4_INTARRAY:
    case P4_BLOB:
      sqlite3_free(o->p4.p);
      break;
    case P4_MEM:
      if (o->p4.p) sqlite3_value_free((sqlite3_value *)o->p4.p);
      break;
    case P4_KEYINFO:
      keyinfo_unref(o->p4.pKeyInfo);
      break;
    case P4_VTAB:
      vtable_unref(o->p4.p);
      break;
    case P4_FUNCCTX:
      if (o->p4.p) {
        sqlite3_context *c = o->p4.p;
        sqlite3_free(c->err);
        sqlite3_free(c);
      }
      break;
    case P4_SUBPROGRAM: {
      SubProgram *s = o->p4.pProgram;
      if (s) {
        for (int i = 0; i < s->n_op; i++) vdbe_free_op_p4(&s->ops[i]);
        sqlite3_free(s->ops);
        sqlite3_free(s);
      }
      break;
    }
    default:
      break;
  }
  o->p4type = P4_NOTUSED;
  o->p4.p = NULL;
}

static void free_subprograms(Vdbe *v) {
  SubProgram *s = v->subprograms;
  while (s) {
    SubProgram *n = s->next;
    for (int i = 0; i < s->n_op; i++) vdbe_free_op_p4(&s->ops[i]);
    sqlite3_free(s->ops);
    sqlite3_free(s);
    s = n;
  }
  v->subprograms = NULL;
}

void vdbe_delete(Vdbe *v) {
  if (!v) return;
  vdbe_cleanup_run(v);
  vdbe_cursor_pool_free(v);
  sqlite3 *db = v->db;
  if (db) {
    if (v->prev) v->prev->next = v->next;
    else if (db->stmts == v) db->stmts = v->next;
    if (v->next) v->next->prev = v->prev;
  }
  VdbeOp *ops = v->main_ops ? v->main_ops : v->ops;
  int n_op = v->main_ops ? v->n_main_op : v->n_op;
  for (int i = 0; i < n_op; i++) vdbe_free_op_p4(&ops[i]);
  sqlite3_free(ops);
  free_subprograms(v);
  sqlite3_free(v->labels);
  Mem *mem = v->main_mem ? v->main_mem : v->mem;
  int n_mem = v->main_mem ? v->n_main_mem : v->n_mem;
  if (mem) {
    for (int i = 0; i < n_mem + 1; i++) mem_release(&mem[i]);
    sqlite3_free(mem);
  }
  sqlite3_free(v->main_csr ? v->main_csr : v->csr);
  if (v->vars) {
    for (int i = 0; i < v->n_var; i++) mem_release(&v->vars[i]);
    sqlite3_free(v->vars);
  }
  if (v->var_names) {
    for (int i = 0; i < v->n_var; i++) sqlite3_free(v->var_names[i]);
    sqlite3_free(v->var_names);
  }
  vdbe_set_num_cols(v, 0);
  for (int i = 0; i < 8; i++) mem_release(&v->explain_mem[i]);
  mem_release(&v->agg_scratch);
  for (int i = 0; v->name16 && i < v->n_name16; i++) mem_release(&v->name16[i]);
  sqlite3_free(v->name16);
  sqlite3_free(v->sql);
  sqlite3_free(v->err_msg);
  sqlite3_free(v->once);
  v->magic = VDBE_MAGIC_DEAD;
  sqlite3_free(v);
}

/* ------------------------------------------------------------ EXPLAIN -- */
const char *vdbe_p4_text(VdbeOp *op, char *buf, int n) {
  buf[0] = 0;
  switch (op->p4type) {
    case P4_STATIC:
    case P4_DYNAMIC:
      return op->p4.z ? op->p4.z : "";
    case P4_INT32:
      snprintf(buf, (size_t)n, "%d", op->p4.i);
      break;
    case P4_INT64:
      snprintf(buf, (size_t)n, "%lld", (long long)*op->p4.pI64);
      break;
    case P4_REAL:
      snprintf(buf, (size_t)n, "%.16g", *op->p4.pReal);
      break;
    case P4_KEYINFO: {
      KeyInfo *k = op->p4.pKeyInfo;
      int j = snprintf(buf, (size_t)n, "k(%d", k->n_all_field);
      for (int i = 0; i < k->n_all_field && j < n - 20; i++) {
        const char *cn = k->coll[i] && k->coll[i]->name ? k->coll[i]->name : "";
        if (strcmp(cn, "BINARY") == 0) cn = "";
        j += snprintf(buf + j, (size_t)(n - j), ",%s%s%s", (k->sort_flags[i] & KEYINFO_ORDER_DESC) ? "-" : "",
                      (k->sort_flags[i] & KEYINFO_ORDER_BIGNULL) ? "N." : "", cn);
      }
      if (j < n - 1) snprintf(buf + j, (size_t)(n - j), ")");
      break;
    }
    case P4_COLLSEQ: {
      static const char *const encnames[] = {"?", "8", "16LE", "16BE"};
      const CollSeq *c = op->p4.pColl;
      snprintf(buf, (size_t)n, "%.18s-%s", c && c->name ? c->name : "BINARY", encnames[c && c->enc <= 3 ? c->enc : 1]);
      break;
    }
    case P4_FUNCDEF:
      snprintf(buf, (size_t)n, "%s(%d)", op->p4.pFunc ? op->p4.pFunc->name : "?", op->p4.pFunc ? op->p4.pFunc->n_arg : 0);
      break;
    case P4_FUNCCTX: {
      sqlite3_context *c = op->p4.p;
      snprintf(buf, (size_t)n, "%s(%d)", c && c->def ? c->def->name : "?", c ? c->arg_count : 0);
      break;
    }
    case P4_MEM: {
      Mem *m = op->p4.p;
      if (m->flags & MEM_Str) return m->z;
      if (m->flags & MEM_Int) snprintf(buf, (size_t)n, "%lld", (long long)m->i);
      else if (m->flags & MEM_Real) snprintf(buf, (size_t)n, "%.16g", m->r);
      else if (m->flags & MEM_Null) snprintf(buf, (size_t)n, "NULL");
      else snprintf(buf, (size_t)n, "(blob)");
      break;
    }
    case P4_SUBPROGRAM:
      snprintf(buf, (size_t)n, "program");
      break;
    case P4_VTAB:
      snprintf(buf, (size_t)n, "vtab:%llX", (unsigned long long)(uintptr_t)(op->p4.p ? (void *)((VTable *)op->p4.p)->vtab : NULL));
      break;
    case P4_INTARRAY: {
      int *a = op->p4.ai;
      int j = 0;
      for (int i = 1; a && i <= a[0] && j < n - 12; i++) j += snprintf(buf + j, (size_t)(n - j), "%s%d", i == 1 ? "[" : ",", a[i]);
      if (j < n - 2) snprintf(buf + j, (size_t)(n - j), "]");
      break;
    }
    case P4_TABLE:
      /* the code generator's Table starts with its name */
      if (op->p4.p && *(char *const *)op->p4.p) return *(char *const *)op->p4.p;
      break;
    default:
      break;
  }
  return buf;
}
