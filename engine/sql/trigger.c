/*
** trigger.c — CREATE TRIGGER, and firing triggers: each trigger body is
** compiled into a sub-program run by OP_Program.  The parent passes its
** registers [OLD rowid, OLD cols..., NEW rowid, NEW cols...] (P1 of
** OP_Program = the first); the sub-program copies what it needs with
** OP_Param into its own registers (Parse.old_base / new_base), so NEW.x and
** OLD.x resolve to plain registers.  RAISE(IGNORE) halts the sub-program
** and the parent continues at P2 (the next row).
**
** A trigger already being compiled further up does not fire again
** (recursive triggers are treated as off).
*/
#include "build_int.h"
#include "vtab.h"

typedef struct TrigFrame {
  const void *tr; /* the Trigger, or another key (foreign key actions) */
  SubProgram *shell; /* the program being compiled (recursive references) */
  struct TrigFrame *parent;
} TrigFrame;

/* ------------------------------------------------------ CREATE TRIGGER -- */
int codegen_create_trigger(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *name = st->u.create_trigger.name;
  int temp = st->u.create_trigger.temp;
  const char *dbn = st->u.create_trigger.db;
  int idb = 0;
  if (temp) {
    idb = 1;
  } else if (dbn) {
    idb = schema_db_index(db, dbn);
    if (idb < 0) {
      parse_error(p, "unknown database %s", dbn);
      return p->rc;
    }
  }
  Table *t = schema_find_table(db, temp ? NULL : dbn, st->u.create_trigger.table, NULL);
  if (!t) t = vtab_eponymous(p, temp ? NULL : dbn, st->u.create_trigger.table);
  if (t && t->vt) {
    parse_error(p, "cannot create triggers on virtual tables");
    return p->rc;
  }
  if (!t) {
    parse_error(p, "no such table: %s%s%s", dbn && !temp ? dbn : "", dbn && !temp ? "." : "",
                st->u.create_trigger.table);
    return p->rc;
  }
  if (!temp && !dbn) {
    idb = t->db_index;
    if (idb == 1) temp = 1;
  }
  if (t->db_index == 1 && idb != 1) {
    parse_error(p, "trigger %s cannot reference objects in database temp", name);
    return p->rc;
  }
  if (shale_strnicmp(name, "sqlite_", 7) == 0 && !(db->flags & SQLITE_WriteSchema)) {
    parse_error(p, "object name reserved for internal use: %s", name);
    return p->rc;
  }
  if (shale_strnicmp(t->name, "sqlite_", 7) == 0) {
    parse_error(p, "cannot create trigger on system table");
    return p->rc;
  }
  if (t->is_view && st->u.create_trigger.time != 2) {
    parse_error(p, "cannot create %s trigger on view: %s", st->u.create_trigger.time == 0 ? "BEFORE" : "AFTER",
                t->name);
    return p->rc;
  }
  if (!t->is_view && st->u.create_trigger.time == 2) {
    parse_error(p, "cannot create INSTEAD OF trigger on table: %s", t->name);
    return p->rc;
  }
  parse_begin_write(p, idb);
  if (schema_find_trigger(db, db->dbs[idb].name, name, NULL)) {
    if (st->u.create_trigger.if_not_exists) return SQLITE_OK;
    parse_error(p, "trigger %s already exists", name);
    return p->rc;
  }
  char *sql = build_stored_sql(p, st, "TRIGGER", 1);
  /* sqlite_schema row: ('trigger', name, table, 0, sql) */
  Vdbe *v = p->v;
  int cur = parse_alloc_cursor(p);
  int r = parse_alloc_regs(p, 5);
  int rrec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op4_int(v, OP_OpenWrite, cur, 1, idb, 5);
  vdbe_add_op2(v, OP_NewRowid, cur, rid);
  vdbe_add_op4(v, OP_String8, 0, r, 0, "trigger", P4_STATIC);
  vdbe_add_op4(v, OP_String8, 0, r + 1, 0, shale_strdup(name), P4_DYNAMIC);
  vdbe_add_op4(v, OP_String8, 0, r + 2, 0, shale_strdup(t->name), P4_DYNAMIC);
  vdbe_add_op2(v, OP_Integer, 0, r + 3);
  vdbe_add_op4(v, OP_String8, 0, r + 4, 0, sql, P4_DYNAMIC);
  vdbe_add_op4(v, OP_MakeRecord, r, 5, rrec, "BBBDB", P4_STATIC);
  vdbe_add_op3(v, OP_Insert, cur, rrec, rid);
  vdbe_add_op1(v, OP_Close, cur);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  return p->rc;
}

/* ------------------------------------------------------------- firing -- */
static int update_of_matches(Trigger *tr, Table *t, u8 *chng) {
  if (!tr->update_of || !chng) return 1;
  for (int i = 0; i < tr->update_of->n; i++) {
    int c = table_column_index(t, tr->update_of->names[i]);
    if (c >= 0 && chng[c]) return 1;
    if (c == -2 && t->ipk >= 0 && chng[t->ipk]) return 1;
  }
  return 0;
}

static TrigFrame *on_stack(Parse *p, const void *tr) {
  for (TrigFrame *f = p->extra; f; f = f->parent)
    if (f->tr == tr) return f;
  return NULL;
}

/* A recursive firing: OP_Program on the program still being compiled.  The
** outermost OP_Program owns it (P4_SUBPROGRAM); this reference does not
** (P4_NOTUSED), so the statement frees it once. */
static void code_recursive(Parse *p, TrigFrame *f, int base, int ignore_label) {
  vdbe_add_op4(p->v, OP_Program, base, ignore_label, parse_alloc_reg(p), f->shell, P4_NOTUSED);
}

int trigger_exists(Parse *p, Table *t, int event, u8 *chng) {
  if (p->nested == 2) return 0; /* implicit DELETE of DROP TABLE: no triggers */
  Trigger *trs[64];
  int n = schema_triggers_for(p->db, t, event, -1, trs, 64);
  int mask = 0;
  for (int i = 0; i < n; i++) {
    if (event == ST_UPDATE && !update_of_matches(trs[i], t, chng)) continue;
    if (on_stack(p, trs[i]) && !(p->db->flags & SQLITE_RecTriggers)) continue;
    mask |= trs[i]->time == 0 ? 1 : trs[i]->time == 1 ? 2 : 4;
  }
  return mask;
}

/* Compile one trigger into a SubProgram. */
static SubProgram *compile_trigger(Parse *p, Trigger *tr, Table *t, int on_error, const void *key) {
  sqlite3 *db = p->db;
  Parse sub;
  memset(&sub, 0, sizeof(sub));
  sub.db = db;
  sub.sql = tr->sql;
  sub.err_offset = -1;
  sub.v = vdbe_create(db);
  if (!sub.v) {
    parse_error(p, "out of memory");
    return NULL;
  }
  TrigFrame frame;
  frame.tr = key;
  frame.parent = p->extra;
  frame.shell = shale_malloc_zero(sizeof(SubProgram));
  if (!frame.shell) {
    vdbe_delete(sub.v);
    parse_error(p, "out of memory");
    return NULL;
  }
  frame.shell->token = frame.shell;
  sub.extra = &frame;
  sub.toplevel = p->toplevel ? p->toplevel : p;
  sub.trigger_table = t;
  sub.trigger_op = tr->event;
  sub.nested = 1;
  int n = t->n_col + 1;
  Vdbe *v = sub.v;
  if (tr->event != ST_INSERT) {
    sub.old_base = parse_alloc_regs(&sub, n);
    for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_Param, i, sub.old_base + i);
  }
  if (tr->event != ST_DELETE) {
    sub.new_base = parse_alloc_regs(&sub, n);
    for (int i = 0; i < n; i++) vdbe_add_op2(v, OP_Param, n + i, sub.new_base + i);
  }
  int end = vdbe_make_label(v);
  if (tr->when) {
    Expr *w = ast_dup_expr(tr->when);
    NameContext nc;
    memset(&nc, 0, sizeof(nc));
    if (resolve_expr(&sub, &nc, w) == SQLITE_OK) expr_code_jump_if_false(&sub, w, end, 1);
    ast_free_expr(w);
  }
  /* each step is compiled from a copy: resolving writes into the tree
  ** (cursors, table-valued function arguments), and the trigger is compiled
  ** again for every statement that fires it */
  Stmt *copies[64];
  int n_copies = 0;
  for (TriggerStep *s = tr->steps; s && sub.rc == SQLITE_OK; s = s->next) {
    if (!s->stmt) continue;
    Stmt *st = n_copies < 64 ? ast_dup_stmt(s->stmt) : s->stmt;
    if (!st) {
      sub.rc = SQLITE_NOMEM;
      break;
    }
    if (st != s->stmt) copies[n_copies++] = st;
    /* ON CONFLICT of the outer statement applies to the steps by default */
    if (on_error != OE_DEFAULT) {
      if (st->kind == ST_INSERT && st->u.insert.or_conflict == OE_DEFAULT) st->u.insert.or_conflict = on_error;
      if (st->kind == ST_UPDATE && st->u.update.or_conflict == OE_DEFAULT) st->u.update.or_conflict = on_error;
    }
    /* the step's target table lives in the trigger's database */
    char **pdb = st->kind == ST_INSERT ? &st->u.insert.db
                 : st->kind == ST_UPDATE ? (st->u.update.target ? &st->u.update.target->db : NULL)
                 : st->kind == ST_DELETE ? (st->u.del.target ? &st->u.del.target->db : NULL) : NULL;
    int set_db = pdb && !*pdb && tr->db_index != 1;
    if (set_db) *pdb = db->dbs[tr->db_index].name;
    switch (st->kind) {
      case ST_INSERT: codegen_insert(&sub, st); break;
      case ST_UPDATE: codegen_update(&sub, st); break;
      case ST_DELETE: codegen_delete(&sub, st); break;
      case ST_SELECT: {
        SelectDest d;
        memset(&d, 0, sizeof(d));
        d.kind = SD_DISCARD;
        select_code(&sub, st->u.select, &d, NULL);
        break;
      }
      default: break;
    }
    if (set_db) *pdb = NULL;
    if (on_error != OE_DEFAULT) {
      if (st->kind == ST_INSERT && st->u.insert.or_conflict == on_error) st->u.insert.or_conflict = OE_DEFAULT;
      if (st->kind == ST_UPDATE && st->u.update.or_conflict == on_error) st->u.update.or_conflict = OE_DEFAULT;
    }
    /* reset the result column count possibly set by RETURNING */
  }
  vdbe_resolve_label(v, end);
  vdbe_add_op0(v, OP_Halt);
  codegen_query_cleanup(&sub);
  for (int i = 0; i < n_copies; i++) ast_free_stmt(copies[i]);
  if (sub.rc != SQLITE_OK) {
    if (p->rc == SQLITE_OK) {
      p->rc = sub.rc;
      p->err = sub.err;
      sub.err = NULL;
    }
    sqlite3_free(sub.err);
    vdbe_delete(v);
    sqlite3_free(frame.shell);
    return NULL;
  }
  p->cookie_mask |= sub.cookie_mask;
  p->write_mask |= sub.write_mask;
  SubProgram *sp = vdbe_take_subprogram(v, sub.n_mem, sub.n_cursor);
  vdbe_delete(v);
  if (!sp) {
    sqlite3_free(frame.shell);
    return NULL;
  }
  SubProgram *shell = frame.shell;
  shell->ops = sp->ops;
  shell->n_op = sp->n_op;
  shell->n_mem = sp->n_mem;
  shell->n_csr = sp->n_csr;
  shell->token = shell;
  shell->next = NULL;
  sqlite3_free(sp);
  return shell;
}

void trigger_code_all(Parse *p, Table *t, int event, int time, IdList *unused, u8 *chng, int reg_new,
                      int reg_old, int on_error, int ignore_label) {
  (void)unused;
  Trigger *trs[64];
  int n = schema_triggers_for(p->db, t, event, time, trs, 64);
  /* SQLite fires triggers in the reverse order of creation (newest first). */
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (trs[j]->seq > trs[i]->seq) {
        Trigger *x = trs[i];
        trs[i] = trs[j];
        trs[j] = x;
      }
  int base = reg_old ? reg_old : reg_new - (t->n_col + 1);
  for (int i = 0; i < n && p->rc == SQLITE_OK; i++) {
    Trigger *tr = trs[i];
    if (event == ST_UPDATE && !update_of_matches(tr, t, chng)) continue;
    TrigFrame *f = on_stack(p, tr);
    if (f) {
      if (p->db->flags & SQLITE_RecTriggers) code_recursive(p, f, base, ignore_label);
      continue;
    }
    SubProgram *sp = compile_trigger(p, tr, t, on_error, tr);
    if (!sp) return;
    vdbe_add_op4(p->v, OP_Program, base, ignore_label, parse_alloc_reg(p), sp, P4_SUBPROGRAM);
  }
}

/* Fire one (synthetic) trigger program: foreign key actions.  key
** identifies it for the recursion guard; base is the first register of the
** OLD block (NEW follows it). */
void trigger_code_one(Parse *p, Trigger *tr, Table *t, int base, int on_error, int ignore_label, const void *key) {
  TrigFrame *f = on_stack(p, key);
  if (f) {
    code_recursive(p, f, base, ignore_label); /* foreign key actions recurse */
    return;
  }
  SubProgram *sp = compile_trigger(p, tr, t, on_error, key);
  if (!sp) return;
  vdbe_add_op4(p->v, OP_Program, base, ignore_label, parse_alloc_reg(p), sp, P4_SUBPROGRAM);
}
