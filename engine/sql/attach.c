/*
** attach.c — ATTACH / DETACH.  As in SQLite, the statement calls an
** internal SQL function (sqlite_attach / sqlite_detach) so the work happens
** when the statement runs: the new database's b-tree is opened and a DbSlot
** appended; its schema is read by the next prepare (which may PENDING).
*/
#include "build_int.h"

#define MAX_ATTACHED 10

static void attach_impl(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *file = (const char *)sqlite3_value_text(argv[0]);
  const char *name = (const char *)sqlite3_value_text(argv[1]);
  if (!file) file = "";
  if (!name) name = "";
  if (db->n_db >= MAX_ATTACHED + 2) {
    char *m = sqlite3_mprintf("too many attached databases - max %d", MAX_ATTACHED);
    sqlite3_result_error(ctx, m, -1);
    sqlite3_free(m);
    return;
  }
  for (int i = 0; i < db->n_db; i++) {
    if (db->dbs[i].name && shale_stricmp(db->dbs[i].name, name) == 0) {
      char *m = sqlite3_mprintf("database %s is already in use", name);
      sqlite3_result_error(ctx, m, -1);
      sqlite3_free(m);
      return;
    }
  }
  Btree *bt = NULL;
  int flags = (db->open_flags & (SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  if (!flags) flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_MAIN_DB;
  int rc = btree_open(db->vfs, file[0] ? file : NULL, flags, &bt);
  if (rc != SQLITE_OK || !bt) {
    char *m = sqlite3_mprintf("unable to open database: %s", file);
    sqlite3_result_error(ctx, m, -1);
    sqlite3_free(m);
    return;
  }
  DbSlot *nd = sqlite3_realloc64(db->dbs, sizeof(DbSlot) * (u64)(db->n_db + 1));
  if (!nd) {
    btree_close(bt);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  db->dbs = nd;
  DbSlot *s = &db->dbs[db->n_db];
  memset(s, 0, sizeof(*s));
  s->name = shale_strdup(name);
  s->btree = bt;
  s->safety_level = 3;
  db->n_db++;
  char *err = NULL;
  rc = schema_ensure_loaded(db, db->n_db - 1, &err);
  if (rc != SQLITE_OK && rc != SHALE_PENDING) {
    /* not a database: undo */
    db->n_db--;
    if (db->dbs[db->n_db].schema) schema_free(db->dbs[db->n_db].schema);
    sqlite3_free(db->dbs[db->n_db].name);
    btree_close(bt);
    sqlite3_result_error(ctx, err ? err : sqlite3_errstr(rc), -1);
    sqlite3_result_error_code(ctx, rc);
  }
  sqlite3_free(err);
}

static void detach_impl(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *name = (const char *)sqlite3_value_text(argv[0]);
  if (!name) name = "";
  int i;
  for (i = 0; i < db->n_db; i++)
    if (db->dbs[i].name && shale_stricmp(db->dbs[i].name, name) == 0) break;
  char *m = NULL;
  if (i >= db->n_db) {
    m = sqlite3_mprintf("no such database: %s", name);
  } else if (i < 2) {
    m = sqlite3_mprintf("cannot detach database %s", name);
  } else if (db->dbs[i].btree && btree_txn_state(db->dbs[i].btree) != 0) {
    m = sqlite3_mprintf("database %s is locked", name);
  }
  if (m) {
    sqlite3_result_error(ctx, m, -1);
    sqlite3_free(m);
    return;
  }
  DbSlot *s = &db->dbs[i];
  if (s->btree) btree_close(s->btree);
  if (s->schema) schema_free(s->schema);
  sqlite3_free(s->name);
  for (int k = i; k < db->n_db - 1; k++) db->dbs[k] = db->dbs[k + 1];
  db->n_db--;
  /* database numbers after i changed: their schemas are reloaded */
  for (int k = i; k < db->n_db; k++) {
    if (db->dbs[k].schema) schema_free(db->dbs[k].schema);
    db->dbs[k].schema = NULL;
    db->dbs[k].schema_loaded = 0;
  }
  /* temp triggers may refer to the detached database: reload temp too */
  if (db->dbs[1].schema && db->dbs[1].btree) {
    schema_free(db->dbs[1].schema);
    db->dbs[1].schema = NULL;
    db->dbs[1].schema_loaded = 0;
  }
}

static const FuncDef attach_def = {
    .name = "sqlite_attach", .n_arg = 3, .flags = SQLITE_UTF8, .x_func = attach_impl};
static const FuncDef detach_def = {
    .name = "sqlite_detach", .n_arg = 1, .flags = SQLITE_UTF8, .x_func = detach_impl};

/* Identifiers in ATTACH/DETACH are names, not columns. */
static Expr *arg_expr(Expr *e) {
  Expr *d = ast_dup_expr(e);
  if (d && d->op == EX_ID) {
    d->op = EX_STRING;
    d->n_text = d->text ? (int)strlen(d->text) : 0;
  }
  return d;
}

int codegen_attach(Parse *p, Stmt *st) {
  Vdbe *v = p->v;
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  if (st->kind == ST_ATTACH) {
    int r = parse_alloc_regs(p, 3);
    Expr *es[3] = {arg_expr(st->u.attach.file), arg_expr(st->u.attach.schema),
                   st->u.attach.key ? arg_expr(st->u.attach.key) : NULL};
    for (int i = 0; i < 3; i++) {
      if (es[i] && resolve_expr(p, &nc, es[i]) == SQLITE_OK)
        expr_code(p, es[i], r + i);
      else if (!es[i])
        vdbe_add_op2(v, OP_Null, 0, r + i);
      ast_free_expr(es[i]);
    }
    if (p->rc) return p->rc;
    int out = parse_alloc_reg(p);
    vdbe_add_op4(v, OP_Function, 0, r, out, &attach_def, P4_FUNCDEF);
    vdbe_change_p5(v, 3);
    vdbe_add_op0(v, OP_Expire);
  } else {
    int r = parse_alloc_reg(p);
    Expr *e = arg_expr(st->u.attach.file ? st->u.attach.file : st->u.attach.schema);
    if (e && resolve_expr(p, &nc, e) == SQLITE_OK) expr_code(p, e, r);
    ast_free_expr(e);
    if (p->rc) return p->rc;
    int out = parse_alloc_reg(p);
    vdbe_add_op4(v, OP_Function, 0, r, out, &detach_def, P4_FUNCDEF);
    vdbe_change_p5(v, 1);
    vdbe_add_op0(v, OP_Expire);
  }
  return p->rc;
}
