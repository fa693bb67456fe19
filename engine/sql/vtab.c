/*
** vtab.c — virtual tables in the SQL layer: the connection's module
** registry (user modules, plus the built-in json_each / json_tree /
** pragma_* created on first lookup), sqlite3_declare_vtab, connecting a
** schema Table to its module, eponymous tables, table-valued function
** arguments, CREATE VIRTUAL TABLE and DROP TABLE of a virtual table.
**
** Async rule: nothing here does I/O.  xCreate / xConnect run at prepare time
** (connect) or in OP_VCreate; the schema rows are written by ordinary
** b-tree opcodes before them.
*/
#include "vtab.h"

typedef struct VtabRegistry {
  Hash modules; /* name -> VtabModule* (one reference) */
  u8 dropped;   /* json_each (1) / json_tree (2) removed by sqlite3_drop_modules:
                   SQLite registers them at open, so they stay gone */
} VtabRegistry;

/* The constructor running now (db->vtab_declaring). */
typedef struct DeclareCtx {
  Table *tab;
  VTable *vt;
  int declared;
} DeclareCtx;

/* ----------------------------------------------------------- registry -- */
static VtabRegistry *registry(sqlite3 *db, int create) {
  if (!db->vtab_modules && create) {
    VtabRegistry *r = shale_malloc_zero(sizeof(VtabRegistry));
    if (!r) return NULL;
    hash_init(&r->modules);
    db->vtab_modules = r;
  }
  return db->vtab_modules;
}

/* Drop a module from the registry: its eponymous table first (it holds a
** reference to the module through its VTable). */
static void module_release(VtabModule *m) {
  if (!m) return;
  if (m->epo) {
    Table *t = m->epo;
    m->epo = NULL;
    table_free(t);
  }
  vtab_module_unref(m);
}

int vtab_register_module(sqlite3 *db, const char *name, const sqlite3_module *mod, void *aux,
                         void (*destroy)(void *)) {
  VtabRegistry *r = registry(db, 1);
  VtabModule *m = r ? shale_malloc_zero(sizeof(VtabModule)) : NULL;
  if (!m || !(m->name = shale_strdup(name))) {
    sqlite3_free(m);
    if (destroy) destroy(aux);
    return SQLITE_NOMEM;
  }
  m->m = mod;
  m->aux = aux;
  m->destroy = destroy;
  m->ref = 1;
  if (!mod) {
    /* a NULL module deletes the name */
    module_release(hash_insert(&r->modules, name, NULL));
    vtab_module_unref(m);
    return SQLITE_OK;
  }
  module_release(hash_insert(&r->modules, m->name, m));
  return SQLITE_OK;
}

static int kept(const char **keep, const char *name) {
  for (int k = 0; keep && keep[k]; k++)
    if (!strcmp(keep[k], name)) return 1;
  return 0;
}

int vtab_drop_modules(sqlite3 *db, const char **keep) {
  VtabRegistry *r = registry(db, 1);
  if (!r) return SQLITE_NOMEM;
  if (!kept(keep, "json_each")) r->dropped |= 1;
  if (!kept(keep, "json_tree")) r->dropped |= 2;
  char *names[256];
  int n = 0;
  for (int b = 0; b < r->modules.n_bucket; b++)
    for (HashEntry *e = r->modules.buckets[b]; e && n < 256; e = e->next) {
      if (!kept(keep, e->key)) names[n++] = shale_strdup(e->key);
    }
  for (int i = 0; i < n; i++) {
    if (names[i]) module_release(hash_insert(&r->modules, names[i], NULL));
    sqlite3_free(names[i]);
  }
  return SQLITE_OK;
}

void vtab_registry_free(sqlite3 *db) {
  VtabRegistry *r = registry(db, 0);
  if (!r) return;
  for (int b = 0; b < r->modules.n_bucket; b++)
    for (HashEntry *e = r->modules.buckets[b]; e; e = e->next) {
      module_release(e->value);
      e->value = NULL;
    }
  hash_clear(&r->modules);
  sqlite3_free(r);
  db->vtab_modules = NULL;
}

/* Built-in modules, registered in a connection the first time they are
** looked up (as SQLite registers json_each at open and pragma_* on demand). */
static int builtin_module(sqlite3 *db, const char *name) {
  VtabRegistry *r = registry(db, 0);
  int dropped = r ? r->dropped : 0;
  if (!shale_stricmp(name, "json_each") && !(dropped & 1)) return vtab_register_module(db, "json_each", &json_each_module, NULL, NULL);
  if (!shale_stricmp(name, "json_tree") && !(dropped & 2))
    return vtab_register_module(db, "json_tree", &json_each_module, (void *)&json_each_module, NULL);
  if (!shale_strnicmp(name, "pragma_", 7)) {
    const void *d = pragma_vtab_find(name + 7);
    if (d) return vtab_register_module(db, name, &pragma_vtab_module, (void *)d, NULL);
  }
  return SQLITE_NOTFOUND;
}

VtabModule *vtab_find_module(sqlite3 *db, const char *name) {
  VtabRegistry *r = registry(db, 0);
  VtabModule *m = r ? hash_find(&r->modules, name) : NULL;
  if (m) return m;
  if (builtin_module(db, name) != SQLITE_OK) return NULL;
  r = registry(db, 0);
  return r ? hash_find(&r->modules, name) : NULL;
}

/* ------------------------------------------------- declare / construct -- */
int vtab_declaring(sqlite3 *db) { return db->vtab_declaring != NULL; }

int vtab_config_constraint_support(sqlite3 *db, int on) {
  DeclareCtx *ctx = db->vtab_declaring;
  if (!ctx) return SQLITE_MISUSE;
  ctx->vt->constraint_support = (u8)(on != 0);
  return SQLITE_OK;
}

/* SQLite's rule: the word HIDDEN in a declared type marks the column hidden
** and is removed from the type. */
static void strip_hidden(Column *c) {
  char *z = c->type;
  if (!z) return;
  int n = (int)strlen(z), i;
  for (i = 0; i < n; i++)
    if (shale_strnicmp(z + i, "hidden", 6) == 0 && (i == 0 || z[i - 1] == ' ') && (z[i + 6] == 0 || z[i + 6] == ' '))
      break;
  if (i >= n) return;
  int del = 6 + (z[i + 6] ? 1 : 0);
  memmove(z + i, z + i + del, (size_t)(n - i - del + 1));
  if (z[i] == 0 && i > 0) z[i - 1] = 0;
  c->hidden = 1;
  if (z[0] == 0) {
    sqlite3_free(c->type);
    c->type = NULL;
  }
  c->affinity = schema_affinity_of_type(c->type);
}

int vtab_declare(sqlite3 *db, const char *sql) {
  DeclareCtx *ctx = db->vtab_declaring;
  if (!ctx || ctx->declared || !sql) {
    db_error(db, SQLITE_MISUSE, NULL);
    return SQLITE_MISUSE;
  }
  ParseResult pr;
  memset(&pr, 0, sizeof(pr));
  int rc = sql_parse(sql, -1, &pr);
  if (rc != SQLITE_OK || !pr.stmt || pr.stmt->kind != ST_CREATE_TABLE || pr.stmt->u.create_table.as_select) {
    db_error(db, SQLITE_ERROR, pr.err ? "%s" : NULL, pr.err);
    parse_result_clear(&pr);
    return SQLITE_ERROR;
  }
  char *err = NULL;
  Table *nt = table_from_create(db, pr.stmt, ctx->tab->db_index, &err);
  parse_result_clear(&pr);
  if (!nt) {
    db_error(db, SQLITE_ERROR, err ? "%s" : NULL, err);
    sqlite3_free(err);
    return SQLITE_ERROR;
  }
  sqlite3_free(err);
  Table *t = ctx->tab;
  for (int i = 0; i < t->n_col; i++) {
    sqlite3_free(t->cols[i].name);
    sqlite3_free(t->cols[i].type);
    sqlite3_free(t->cols[i].collate);
  }
  sqlite3_free(t->cols);
  t->cols = nt->cols;
  t->n_col = nt->n_col;
  for (int i = 0; i < t->n_col; i++) {
    strip_hidden(&t->cols[i]);
    t->cols[i].is_pk = 0;
  }
  nt->cols = NULL;
  nt->n_col = 0;
  table_free(nt);
  ctx->declared = 1;
  db_error_clear(db);
  return SQLITE_OK;
}

/* xCreate (create) or xConnect with argv = module, database, table, args. */
static int construct(sqlite3 *db, Table *t, VtabModule *mod, int create, char **err) {
  VtabInfo *vi = t->vt;
  int argc = 3 + vi->n_arg;
  const char **argv = sqlite3_malloc64(sizeof(char *) * (u64)argc);
  VTable *vt = shale_malloc_zero(sizeof(VTable));
  if (!argv || !vt) {
    sqlite3_free(argv);
    sqlite3_free(vt);
    return SQLITE_NOMEM;
  }
  argv[0] = mod->name;
  argv[1] = db->dbs[t->db_index].name;
  argv[2] = t->name;
  for (int i = 0; i < vi->n_arg; i++) argv[3 + i] = vi->args[i];
  vt->db = db;
  vt->ref = 1;
  vt->mod = vtab_module_ref(mod);
  DeclareCtx ctx = {t, vt, 0};
  void *saved = db->vtab_declaring;
  db->vtab_declaring = &ctx;
  int (*x)(sqlite3 *, void *, int, const char *const *, sqlite3_vtab **, char **) =
      create ? mod->m->xCreate : mod->m->xConnect;
  sqlite3_vtab *pv = NULL;
  char *zerr = NULL;
  int rc = x(db, mod->aux, argc, argv, &pv, &zerr);
  db->vtab_declaring = saved;
  sqlite3_free(argv);
  if (rc != SQLITE_OK) {
    *err = zerr ? sqlite3_mprintf("%s", zerr) : sqlite3_mprintf("vtable constructor failed: %s", t->name);
    sqlite3_free(zerr);
    vtable_unref(vt);
    return rc == SQLITE_NOMEM ? rc : SQLITE_ERROR;
  }
  sqlite3_free(zerr);
  vt->vtab = pv;
  if (pv) {
    pv->pModule = mod->m;
    pv->zErrMsg = NULL;
  }
  if (!ctx.declared || !pv) {
    *err = sqlite3_mprintf("vtable constructor did not declare schema: %s", t->name);
    vtable_unref(vt);
    return SQLITE_ERROR;
  }
  vtable_unref(vi->vtable);
  vi->vtable = vt;
  return SQLITE_OK;
}

int vtab_connect(Parse *p, Table *t) {
  VtabInfo *vi = t->vt;
  if (!vi) return SQLITE_OK;
  if (vi->vtable) return SQLITE_OK;
  VtabModule *mod = vtab_find_module(p->db, vi->module);
  if (!mod || !mod->m->xConnect) {
    parse_error(p, "no such module: %s", vi->module);
    return p->rc;
  }
  char *err = NULL;
  int rc = construct(p->db, t, mod, 0, &err);
  if (rc) {
    parse_error(p, "%s", err ? err : "out of memory");
    if (rc == SQLITE_NOMEM) p->rc = SQLITE_NOMEM;
  }
  sqlite3_free(err);
  return p->rc;
}

/* -------------------------------------------------------- schema rows -- */
void vtab_info_free(VtabInfo *vi) {
  if (!vi) return;
  vtable_unref(vi->vtable);
  sqlite3_free(vi->module);
  for (int i = 0; i < vi->n_arg; i++) sqlite3_free(vi->args[i]);
  sqlite3_free(vi->args);
  sqlite3_free(vi);
}

static Table *vtab_table_new(const char *name, const char *module, int n_arg, char **args, int idb) {
  Table *t = shale_malloc_zero(sizeof(Table));
  VtabInfo *vi = shale_malloc_zero(sizeof(VtabInfo));
  if (!t || !vi) {
    sqlite3_free(t);
    sqlite3_free(vi);
    return NULL;
  }
  t->vt = vi;
  t->name = shale_strdup(name);
  vi->module = shale_strdup(module);
  vi->args = n_arg ? shale_malloc_zero(sizeof(char *) * (size_t)n_arg) : NULL;
  vi->n_arg = n_arg;
  for (int i = 0; i < n_arg && vi->args; i++) vi->args[i] = shale_strdup(args[i]);
  t->ipk = -1;
  t->is_virtual = 1;
  t->db_index = idb;
  t->n_row_est = 1000000;
  if (!t->name || !vi->module || (n_arg && !vi->args)) {
    table_free(t);
    return NULL;
  }
  return t;
}

Table *vtab_table_from_create(sqlite3 *db, Stmt *st, int idb) {
  SHALE_UNUSED(db);
  return vtab_table_new(st->u.create_vtab.name, st->u.create_vtab.module, st->u.create_vtab.n_arg,
                        st->u.create_vtab.args, idb);
}

/* -------------------------------------------------------- eponymous -- */
Table *vtab_eponymous(Parse *p, const char *db_name, const char *name) {
  sqlite3 *db = p->db;
  SHALE_UNUSED(db_name); /* SQLite ignores the schema of an eponymous table */
  VtabModule *mod = vtab_find_module(db, name);
  if (!mod || !mod->m->xConnect) return NULL;
  /* eponymous: xCreate missing (eponymous-only) or the same as xConnect */
  if (mod->m->xCreate && mod->m->xCreate != mod->m->xConnect) return NULL;
  if (mod->epo) return mod->epo;
  Table *t = vtab_table_new(mod->name, mod->name, 0, NULL, 0);
  if (!t) {
    p->rc = SQLITE_NOMEM;
    return NULL;
  }
  t->vt->epo_of = mod;
  char *err = NULL;
  int rc = construct(db, t, mod, 0, &err);
  if (rc) {
    parse_error(p, "%s", err ? err : "out of memory");
    sqlite3_free(err);
    table_free(t);
    return NULL;
  }
  mod->epo = t;
  return t;
}

/* FROM mod(a, b): hidden column k = argument k, in the item's ON clause
** (for a LEFT JOIN item this keeps the NULL row semantics, as SQLite). */
int vtab_add_func_args(Parse *p, SrcItem *it, Table *t) {
  ExprList *args = it->func_args;
  if (!args) return SQLITE_OK;
  int k = 0;
  for (int i = 0; i < args->n; i++) {
    while (k < t->n_col && !t->cols[k].hidden) k++;
    if (k >= t->n_col) {
      parse_error(p, "too many arguments on %s() - max %d", t->name, i);
      return p->rc;
    }
    Expr *col = ast_expr_new(EX_COLUMN);
    Expr *eq = ast_expr_new(EX_BINARY);
    if (!col || !eq) {
      ast_free_expr(col);
      ast_free_expr(eq);
      return SQLITE_NOMEM;
    }
    col->text = shale_strdup(t->cols[k].name);
    col->res_cursor = it->res_cursor;
    col->res_column = k;
    col->res_ptr = t;
    eq->sub_op = OP_EQ_;
    eq->left = col;
    eq->right = args->a[i].expr;
    args->a[i].expr = NULL;
    if (it->on) {
      Expr *a = ast_expr_new(EX_BINARY);
      if (!a) {
        ast_free_expr(eq);
        return SQLITE_NOMEM;
      }
      a->sub_op = OP_AND_;
      a->left = it->on;
      a->right = eq;
      it->on = a;
    } else {
      it->on = eq;
    }
    k++;
  }
  ast_free_expr_list(args);
  it->func_args = NULL;
  it->tvf_on = 1;
  return SQLITE_OK;
}

/* --------------------------------------------------- CREATE / DROP -- */
int codegen_create_vtab(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *dbn = st->u.create_vtab.db, *name = st->u.create_vtab.name;
  int idb = dbn ? schema_db_index(db, dbn) : 0;
  if (idb < 0) {
    parse_error(p, "unknown database %s", dbn);
    return p->rc;
  }
  if (check_name_reserved(p, name)) return p->rc;
  if (schema_find_table(db, db->dbs[idb].name, name, NULL)) {
    if (st->u.create_vtab.if_not_exists) return SQLITE_OK;
    parse_error(p, "table %s already exists", name);
    return p->rc;
  }
  if (schema_find_index(db, db->dbs[idb].name, name, NULL)) {
    parse_error(p, "there is already an index named %s", name);
    return p->rc;
  }
  VtabModule *mod = vtab_find_module(db, st->u.create_vtab.module);
  if (!mod) {
    parse_error(p, "no such module: %s", st->u.create_vtab.module);
    return p->rc;
  }
  if (!mod->m->xCreate) {
    /* eponymous-only modules cannot back a named table */
    parse_error(p, "no such module: %s", st->u.create_vtab.module);
    return p->rc;
  }
  char *sql = build_stored_sql(p, st, "VIRTUAL TABLE", 1);
  if (!sql) return SQLITE_NOMEM;
  Vdbe *v = p->v;
  parse_begin_write(p, idb);
  build_emit_schema_row(p, idb, "table", name, name, 0, sql);
  sqlite3_free(sql);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  int r = parse_alloc_reg(p);
  vdbe_add_op4(v, OP_String8, 0, r, 0, shale_strdup(name), P4_DYNAMIC);
  vdbe_add_op2(v, OP_VCreate, idb, r);
  return p->rc;
}

int vtab_code_drop(Parse *p, Table *t, int idb) {
  if (vtab_connect(p, t)) return p->rc;
  if (t->vt->epo_of) {
    parse_error(p, "table %s may not be dropped", t->name);
    return p->rc;
  }
  parse_begin_write(p, idb);
  build_delete_schema_rows(p, idb, 2, t->name, NULL);
  vdbe_add_op4(p->v, OP_VDestroy, idb, 0, 0, shale_strdup(t->name), P4_DYNAMIC);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  return p->rc;
}

void vtab_code_begin(Parse *p, Table *t) {
  if (t->vt && t->vt->vtable) vdbe_add_op4(p->v, OP_VBegin, 0, 0, 0, vtable_ref(t->vt->vtable), P4_VTAB);
}

/* ------------------------------------------- OP_VCreate / OP_VDestroy -- */
static Table *find_in(sqlite3 *db, int idb, const char *name) {
  if (idb < 0 || idb >= db->n_db || !db->dbs[idb].schema) return NULL;
  Table *t = hash_find(&db->dbs[idb].schema->tables, name);
  return t && t->vt ? t : NULL;
}

int vtab_create_callback(sqlite3 *db, int idb, const char *name, char **err) {
  Table *t = find_in(db, idb, name);
  if (!t) {
    *err = sqlite3_mprintf("no such table: %s", name);
    return SQLITE_ERROR;
  }
  VtabModule *mod = vtab_find_module(db, t->vt->module);
  if (!mod || !mod->m->xCreate) {
    *err = sqlite3_mprintf("no such module: %s", t->vt->module);
    return SQLITE_ERROR;
  }
  vtable_unref(t->vt->vtable);
  t->vt->vtable = NULL;
  return construct(db, t, mod, 1, err);
}

int vtab_destroy_callback(sqlite3 *db, int idb, const char *name, char **err) {
  Table *t = find_in(db, idb, name);
  if (!t || !t->vt->vtable) return SQLITE_OK;
  VTable *vt = t->vt->vtable;
  /* leaves the transaction: no xSync/xCommit on a destroyed table */
  for (int i = 0; i < db->n_vtrans; i++)
    if (db->vtrans[i] == vt) {
      db->vtrans[i] = db->vtrans[--db->n_vtrans];
      vt->in_txn = 0;
      vtable_unref(vt);
      break;
    }
  int (*x)(sqlite3_vtab *) = vt->vtab->pModule->xDestroy ? vt->vtab->pModule->xDestroy : vt->vtab->pModule->xDisconnect;
  int rc = x ? x(vt->vtab) : SQLITE_OK;
  if (rc) {
    *err = vtab_take_errmsg(vt->vtab, rc);
    return rc;
  }
  vt->destroyed = 1;
  t->vt->vtable = NULL;
  vtable_unref(vt);
  return SQLITE_OK;
}
