/*
** ast.c — parse-tree constructors, deep copies and destructors.
** Every node and string is sqlite3_malloc'd; a parent owns its children.
** Dup functions return NULL on OOM (and on NULL input).
*/
#include "parse_int.h"

Expr *ast_expr_new(ExprOp op) {
  Expr *e = shale_malloc_zero(sizeof(Expr));
  if (e) e->op = op;
  return e;
}

/* ------------------------------------------------------------- free ---- */
void ast_free_expr(Expr *e) {
  if (e == NULL) return;
  ast_free_expr(e->left);
  ast_free_expr(e->right);
  ast_free_expr(e->extra);
  ast_free_expr_list(e->list);
  ast_free_select(e->select);
  ast_free_window(e->over);
  ast_free_expr_list(e->order_by);
  sqlite3_free(e->text);
  sqlite3_free(e->table);
  sqlite3_free(e->db);
  sqlite3_free(e);
}

void ast_free_expr_list(ExprList *l) {
  if (l == NULL) return;
  for (int i = 0; i < l->n; i++) {
    ast_free_expr(l->a[i].expr);
    sqlite3_free(l->a[i].alias);
    sqlite3_free(l->a[i].span);
    sqlite3_free(l->a[i].collate);
  }
  sqlite3_free(l->a);
  sqlite3_free(l);
}

void ast_free_id_list(IdList *l) {
  if (l == NULL) return;
  for (int i = 0; i < l->n; i++) sqlite3_free(l->names[i]);
  sqlite3_free(l->names);
  sqlite3_free(l);
}

void ast_free_src_item_content(SrcItem *it) {
  sqlite3_free(it->db);
  sqlite3_free(it->name);
  sqlite3_free(it->alias);
  ast_free_select(it->subquery);
  ast_free_expr_list(it->func_args);
  ast_free_expr(it->on);
  ast_free_id_list(it->using_);
  sqlite3_free(it->indexed_by);
}

void ast_free_src_list(SrcList *l) {
  if (l == NULL) return;
  for (int i = 0; i < l->n; i++) ast_free_src_item_content(&l->a[i]);
  sqlite3_free(l->a);
  sqlite3_free(l);
}

void ast_free_with(With *w) {
  if (w == NULL) return;
  for (int i = 0; i < w->n; i++) {
    sqlite3_free(w->a[i].name);
    ast_free_id_list(w->a[i].columns);
    ast_free_select(w->a[i].select);
  }
  sqlite3_free(w->a);
  sqlite3_free(w);
}

void ast_free_window(Window *w) {
  while (w) {
    Window *next = w->next;
    sqlite3_free(w->name);
    sqlite3_free(w->base);
    ast_free_expr_list(w->partition_by);
    ast_free_expr_list(w->order_by);
    ast_free_expr(w->start);
    ast_free_expr(w->end);
    sqlite3_free(w);
    w = next;
  }
}

void ast_free_select(Select *s) {
  while (s) {
    Select *prior = s->prior;
    ast_free_expr_list(s->result);
    ast_free_src_list(s->from);
    ast_free_expr(s->where);
    ast_free_expr_list(s->group_by);
    ast_free_expr(s->having);
    ast_free_window(s->windows);
    ast_free_expr_list(s->order_by);
    ast_free_expr(s->limit);
    ast_free_expr(s->offset);
    ast_free_with(s->with);
    sqlite3_free(s);
    s = prior;
  }
}

void ast_free_upsert(Upsert *u) {
  while (u) {
    Upsert *next = u->next;
    ast_free_expr_list(u->target);
    ast_free_expr(u->target_where);
    ast_free_expr_list(u->set);
    ast_free_expr(u->where);
    sqlite3_free(u);
    u = next;
  }
}

void ast_free_fk(ForeignKeyDef *fk) {
  if (fk == NULL) return;
  sqlite3_free(fk->to_table);
  ast_free_id_list(fk->to_columns);
  ast_free_id_list(fk->from_columns);
  sqlite3_free(fk);
}

void ast_free_column_def(ColumnDef *c) {
  sqlite3_free(c->name);
  sqlite3_free(c->type);
  ast_free_expr(c->default_value);
  sqlite3_free(c->default_text);
  ast_free_expr(c->check);
  sqlite3_free(c->collate);
  ast_free_fk(c->fk);
  ast_free_expr(c->generated);
}

void ast_free_trigger_steps(TriggerStep *t) {
  while (t) {
    TriggerStep *next = t->next;
    ast_free_stmt(t->stmt);
    sqlite3_free(t);
    t = next;
  }
}

static void free_src_item(SrcItem *it) {
  if (it == NULL) return;
  ast_free_src_item_content(it);
  sqlite3_free(it);
}

void ast_free_stmt(Stmt *s) {
  if (s == NULL) return;
  ast_free_with(s->with);
  switch (s->kind) {
    case ST_SELECT: ast_free_select(s->u.select); break;
    case ST_INSERT:
      sqlite3_free(s->u.insert.db);
      sqlite3_free(s->u.insert.table);
      sqlite3_free(s->u.insert.alias);
      ast_free_id_list(s->u.insert.columns);
      ast_free_select(s->u.insert.select);
      ast_free_upsert(s->u.insert.upsert);
      ast_free_expr_list(s->u.insert.returning);
      break;
    case ST_UPDATE:
      free_src_item(s->u.update.target);
      ast_free_expr_list(s->u.update.set);
      ast_free_src_list(s->u.update.from);
      ast_free_expr(s->u.update.where);
      ast_free_expr_list(s->u.update.order_by);
      ast_free_expr(s->u.update.limit);
      ast_free_expr(s->u.update.offset);
      ast_free_expr_list(s->u.update.returning);
      break;
    case ST_DELETE:
      free_src_item(s->u.del.target);
      ast_free_expr(s->u.del.where);
      ast_free_expr_list(s->u.del.order_by);
      ast_free_expr(s->u.del.limit);
      ast_free_expr(s->u.del.offset);
      ast_free_expr_list(s->u.del.returning);
      break;
    case ST_CREATE_TABLE:
      sqlite3_free(s->u.create_table.db);
      sqlite3_free(s->u.create_table.name);
      for (int i = 0; i < s->u.create_table.n_col; i++)
        ast_free_column_def(&s->u.create_table.cols[i]);
      sqlite3_free(s->u.create_table.cols);
      for (int i = 0; i < s->u.create_table.n_cons; i++) {
        TableConstraint *c = &s->u.create_table.cons[i];
        sqlite3_free(c->name);
        ast_free_expr_list(c->columns);
        ast_free_expr(c->check);
        ast_free_fk(c->fk);
      }
      sqlite3_free(s->u.create_table.cons);
      ast_free_select(s->u.create_table.as_select);
      break;
    case ST_CREATE_INDEX:
      sqlite3_free(s->u.create_index.db);
      sqlite3_free(s->u.create_index.name);
      sqlite3_free(s->u.create_index.table);
      ast_free_expr_list(s->u.create_index.columns);
      ast_free_expr(s->u.create_index.where);
      break;
    case ST_CREATE_VIEW:
      sqlite3_free(s->u.create_view.db);
      sqlite3_free(s->u.create_view.name);
      ast_free_id_list(s->u.create_view.columns);
      ast_free_select(s->u.create_view.select);
      break;
    case ST_CREATE_TRIGGER:
      sqlite3_free(s->u.create_trigger.db);
      sqlite3_free(s->u.create_trigger.name);
      sqlite3_free(s->u.create_trigger.table);
      ast_free_id_list(s->u.create_trigger.update_of);
      ast_free_expr(s->u.create_trigger.when);
      ast_free_trigger_steps(s->u.create_trigger.steps);
      sqlite3_free(s->u.create_trigger.table_db);
      break;
    case ST_CREATE_VIRTUAL_TABLE:
      sqlite3_free(s->u.create_vtab.db);
      sqlite3_free(s->u.create_vtab.name);
      sqlite3_free(s->u.create_vtab.module);
      for (int i = 0; i < s->u.create_vtab.n_arg; i++)
        sqlite3_free(s->u.create_vtab.args[i]);
      sqlite3_free(s->u.create_vtab.args);
      break;
    case ST_DROP_TABLE: case ST_DROP_INDEX: case ST_DROP_VIEW: case ST_DROP_TRIGGER:
      sqlite3_free(s->u.drop.db);
      sqlite3_free(s->u.drop.name);
      break;
    case ST_ALTER_TABLE:
      sqlite3_free(s->u.alter.db);
      sqlite3_free(s->u.alter.table);
      sqlite3_free(s->u.alter.new_name);
      sqlite3_free(s->u.alter.column);
      if (s->u.alter.add) {
        ast_free_column_def(s->u.alter.add);
        sqlite3_free(s->u.alter.add);
      }
      break;
    case ST_BEGIN: case ST_COMMIT: break;
    case ST_ROLLBACK: case ST_SAVEPOINT: case ST_RELEASE:
      sqlite3_free(s->u.trans.savepoint);
      break;
    case ST_PRAGMA:
      sqlite3_free(s->u.pragma.db);
      sqlite3_free(s->u.pragma.name);
      sqlite3_free(s->u.pragma.value);
      break;
    case ST_VACUUM:
      sqlite3_free(s->u.vacuum.db);
      ast_free_expr(s->u.vacuum.into);
      break;
    case ST_ANALYZE: case ST_REINDEX:
      sqlite3_free(s->u.target.db);
      sqlite3_free(s->u.target.name);
      break;
    case ST_ATTACH: case ST_DETACH:
      ast_free_expr(s->u.attach.file);
      ast_free_expr(s->u.attach.schema);
      ast_free_expr(s->u.attach.key);
      break;
  }
  sqlite3_free(s);
}

/* -------------------------------------------------------------- dup ---- */
/* Dup helpers record OOM in *oom and keep going; the caller frees the
** partial copy if *oom is set. */
static char *dup_str(const char *z, int *oom) {
  if (z == NULL) return NULL;
  char *r = shale_strdup(z);
  if (r == NULL) *oom = 1;
  return r;
}

static char *dup_bytes(const char *z, int n, int *oom) {
  if (z == NULL) return NULL;
  char *r = sqlite3_malloc64((u64)n + 1);
  if (r == NULL) {
    *oom = 1;
    return NULL;
  }
  memcpy(r, z, (size_t)n);
  r[n] = 0;
  return r;
}

static Expr *dup_expr(const Expr *e, int *oom);
static ExprList *dup_expr_list(const ExprList *l, int *oom);
static Select *dup_select(const Select *s, int *oom);
static Window *dup_window(const Window *w, int *oom);

static void *dup_mem(const void *src, size_t n, int *oom) {
  void *r = sqlite3_malloc64(n ? n : 1);
  if (r == NULL) {
    *oom = 1;
    return NULL;
  }
  memcpy(r, src, n);
  return r;
}

static IdList *dup_id_list(const IdList *l, int *oom) {
  if (l == NULL) return NULL;
  IdList *r = shale_malloc_zero(sizeof(IdList));
  if (r == NULL) { *oom = 1; return NULL; }
  if (l->n > 0) {
    r->names = shale_malloc_zero(sizeof(char *) * (size_t)l->n);
    if (r->names == NULL) { *oom = 1; return r; }
    r->alloc = l->n;
    for (int i = 0; i < l->n; i++) r->names[i] = dup_str(l->names[i], oom);
    r->n = l->n;
  }
  return r;
}

static Expr *dup_expr(const Expr *e, int *oom) {
  if (e == NULL) return NULL;
  Expr *r = dup_mem(e, sizeof(Expr), oom);
  if (r == NULL) return NULL;
  r->left = r->right = r->extra = NULL;
  r->list = r->order_by = NULL;
  r->select = NULL;
  r->over = NULL;
  r->text = r->table = r->db = NULL;
  r->left = dup_expr(e->left, oom);
  r->right = dup_expr(e->right, oom);
  r->extra = dup_expr(e->extra, oom);
  r->list = dup_expr_list(e->list, oom);
  r->select = dup_select(e->select, oom);
  r->over = dup_window(e->over, oom);
  r->order_by = dup_expr_list(e->order_by, oom);
  r->text = dup_bytes(e->text, e->n_text, oom);
  r->table = dup_str(e->table, oom);
  r->db = dup_str(e->db, oom);
  return r;
}

static ExprList *dup_expr_list(const ExprList *l, int *oom) {
  if (l == NULL) return NULL;
  ExprList *r = shale_malloc_zero(sizeof(ExprList));
  if (r == NULL) { *oom = 1; return NULL; }
  if (l->n > 0) {
    r->a = shale_malloc_zero(sizeof(ExprListItem) * (size_t)l->n);
    if (r->a == NULL) { *oom = 1; return r; }
    r->alloc = l->n;
    for (int i = 0; i < l->n; i++) {
      const ExprListItem *s = &l->a[i];
      ExprListItem *d = &r->a[i];
      *d = *s;
      d->expr = dup_expr(s->expr, oom);
      d->alias = dup_str(s->alias, oom);
      d->span = dup_str(s->span, oom);
      d->collate = dup_str(s->collate, oom);
    }
    r->n = l->n;
  }
  return r;
}

static Window *dup_window(const Window *w, int *oom) {
  Window *head = NULL, **tail = &head;
  for (; w; w = w->next) {
    Window *r = dup_mem(w, sizeof(Window), oom);
    if (r == NULL) break;
    r->next = NULL;
    r->name = dup_str(w->name, oom);
    r->base = dup_str(w->base, oom);
    r->partition_by = dup_expr_list(w->partition_by, oom);
    r->order_by = dup_expr_list(w->order_by, oom);
    r->start = dup_expr(w->start, oom);
    r->end = dup_expr(w->end, oom);
    *tail = r;
    tail = &r->next;
  }
  return head;
}

static void dup_src_item(SrcItem *d, const SrcItem *s, int *oom) {
  *d = *s;
  d->db = dup_str(s->db, oom);
  d->name = dup_str(s->name, oom);
  d->alias = dup_str(s->alias, oom);
  d->subquery = dup_select(s->subquery, oom);
  d->func_args = dup_expr_list(s->func_args, oom);
  d->on = dup_expr(s->on, oom);
  d->using_ = dup_id_list(s->using_, oom);
  d->indexed_by = dup_str(s->indexed_by, oom);
}

static SrcList *dup_src_list(const SrcList *l, int *oom) {
  if (l == NULL) return NULL;
  SrcList *r = shale_malloc_zero(sizeof(SrcList));
  if (r == NULL) { *oom = 1; return NULL; }
  if (l->n > 0) {
    r->a = shale_malloc_zero(sizeof(SrcItem) * (size_t)l->n);
    if (r->a == NULL) { *oom = 1; return r; }
    r->alloc = l->n;
    for (int i = 0; i < l->n; i++) dup_src_item(&r->a[i], &l->a[i], oom);
    r->n = l->n;
  }
  return r;
}

static With *dup_with(const With *w, int *oom) {
  if (w == NULL) return NULL;
  With *r = shale_malloc_zero(sizeof(With));
  if (r == NULL) { *oom = 1; return NULL; }
  r->recursive = w->recursive;
  if (w->n > 0) {
    r->a = shale_malloc_zero(sizeof(Cte) * (size_t)w->n);
    if (r->a == NULL) { *oom = 1; return r; }
    for (int i = 0; i < w->n; i++) {
      r->a[i].name = dup_str(w->a[i].name, oom);
      r->a[i].columns = dup_id_list(w->a[i].columns, oom);
      r->a[i].select = dup_select(w->a[i].select, oom);
      r->a[i].materialized = w->a[i].materialized;
    }
    r->n = w->n;
  }
  return r;
}

static Select *dup_select(const Select *s, int *oom) {
  Select *head = NULL, **link = &head;
  for (; s; s = s->prior) {
    Select *r = dup_mem(s, sizeof(Select), oom);
    if (r == NULL) break;
    r->prior = NULL;
    r->result = dup_expr_list(s->result, oom);
    r->from = dup_src_list(s->from, oom);
    r->where = dup_expr(s->where, oom);
    r->group_by = dup_expr_list(s->group_by, oom);
    r->having = dup_expr(s->having, oom);
    r->windows = dup_window(s->windows, oom);
    r->order_by = dup_expr_list(s->order_by, oom);
    r->limit = dup_expr(s->limit, oom);
    r->offset = dup_expr(s->offset, oom);
    r->with = dup_with(s->with, oom);
    *link = r;
    link = &r->prior;
  }
  return head;
}

static Upsert *dup_upsert(const Upsert *u, int *oom) {
  Upsert *head = NULL, **tail = &head;
  for (; u; u = u->next) {
    Upsert *r = dup_mem(u, sizeof(Upsert), oom);
    if (r == NULL) break;
    r->next = NULL;
    r->set_vector = NULL;
    r->target = dup_expr_list(u->target, oom);
    r->target_where = dup_expr(u->target_where, oom);
    r->set = dup_expr_list(u->set, oom);
    r->where = dup_expr(u->where, oom);
    *tail = r;
    tail = &r->next;
  }
  return head;
}

static ForeignKeyDef *dup_fk(const ForeignKeyDef *f, int *oom) {
  if (f == NULL) return NULL;
  ForeignKeyDef *r = dup_mem(f, sizeof(*f), oom);
  if (r == NULL) return NULL;
  r->to_table = dup_str(f->to_table, oom);
  r->to_columns = dup_id_list(f->to_columns, oom);
  r->from_columns = dup_id_list(f->from_columns, oom);
  return r;
}

static void dup_column_def(ColumnDef *d, const ColumnDef *s, int *oom) {
  *d = *s;
  d->name = dup_str(s->name, oom);
  d->type = dup_str(s->type, oom);
  d->default_value = dup_expr(s->default_value, oom);
  d->default_text = dup_str(s->default_text, oom);
  d->check = dup_expr(s->check, oom);
  d->collate = dup_str(s->collate, oom);
  d->fk = dup_fk(s->fk, oom);
  d->generated = dup_expr(s->generated, oom);
}

static Stmt *dup_stmt(const Stmt *s, int *oom);

static SrcItem *dup_src_item_ptr(const SrcItem *s, int *oom) {
  if (s == NULL) return NULL;
  SrcItem *r = shale_malloc_zero(sizeof(SrcItem));
  if (r == NULL) { *oom = 1; return NULL; }
  dup_src_item(r, s, oom);
  return r;
}

static Stmt *dup_stmt(const Stmt *s, int *oom) {
  if (s == NULL) return NULL;
  Stmt *r = dup_mem(s, sizeof(Stmt), oom);
  if (r == NULL) return NULL;
  memset(&r->u, 0, sizeof(r->u));
  r->with = dup_with(s->with, oom);
  switch (s->kind) {
    case ST_SELECT: r->u.select = dup_select(s->u.select, oom); break;
    case ST_INSERT:
      r->u.insert.or_conflict = s->u.insert.or_conflict;
      r->u.insert.default_values = s->u.insert.default_values;
      r->u.insert.db = dup_str(s->u.insert.db, oom);
      r->u.insert.table = dup_str(s->u.insert.table, oom);
      r->u.insert.alias = dup_str(s->u.insert.alias, oom);
      r->u.insert.columns = dup_id_list(s->u.insert.columns, oom);
      r->u.insert.select = dup_select(s->u.insert.select, oom);
      r->u.insert.upsert = dup_upsert(s->u.insert.upsert, oom);
      r->u.insert.returning = dup_expr_list(s->u.insert.returning, oom);
      break;
    case ST_UPDATE:
      r->u.update.or_conflict = s->u.update.or_conflict;
      r->u.update.target = dup_src_item_ptr(s->u.update.target, oom);
      r->u.update.set = dup_expr_list(s->u.update.set, oom);
      r->u.update.from = dup_src_list(s->u.update.from, oom);
      r->u.update.where = dup_expr(s->u.update.where, oom);
      r->u.update.order_by = dup_expr_list(s->u.update.order_by, oom);
      r->u.update.limit = dup_expr(s->u.update.limit, oom);
      r->u.update.offset = dup_expr(s->u.update.offset, oom);
      r->u.update.returning = dup_expr_list(s->u.update.returning, oom);
      break;
    case ST_DELETE:
      r->u.del.target = dup_src_item_ptr(s->u.del.target, oom);
      r->u.del.where = dup_expr(s->u.del.where, oom);
      r->u.del.order_by = dup_expr_list(s->u.del.order_by, oom);
      r->u.del.limit = dup_expr(s->u.del.limit, oom);
      r->u.del.offset = dup_expr(s->u.del.offset, oom);
      r->u.del.returning = dup_expr_list(s->u.del.returning, oom);
      break;
    case ST_CREATE_TABLE: {
      r->u.create_table = s->u.create_table;
      r->u.create_table.db = dup_str(s->u.create_table.db, oom);
      r->u.create_table.name = dup_str(s->u.create_table.name, oom);
      r->u.create_table.cols = NULL;
      r->u.create_table.cons = NULL;
      r->u.create_table.n_col = r->u.create_table.n_cons = 0;
      r->u.create_table.as_select = dup_select(s->u.create_table.as_select, oom);
      int nc = s->u.create_table.n_col;
      if (nc > 0) {
        r->u.create_table.cols = shale_malloc_zero(sizeof(ColumnDef) * (size_t)nc);
        if (r->u.create_table.cols == NULL) { *oom = 1; break; }
        for (int i = 0; i < nc; i++)
          dup_column_def(&r->u.create_table.cols[i], &s->u.create_table.cols[i], oom);
        r->u.create_table.n_col = nc;
      }
      int nk = s->u.create_table.n_cons;
      if (nk > 0) {
        r->u.create_table.cons = shale_malloc_zero(sizeof(TableConstraint) * (size_t)nk);
        if (r->u.create_table.cons == NULL) { *oom = 1; break; }
        for (int i = 0; i < nk; i++) {
          const TableConstraint *a = &s->u.create_table.cons[i];
          TableConstraint *b = &r->u.create_table.cons[i];
          *b = *a;
          b->name = dup_str(a->name, oom);
          b->columns = dup_expr_list(a->columns, oom);
          b->check = dup_expr(a->check, oom);
          b->fk = dup_fk(a->fk, oom);
        }
        r->u.create_table.n_cons = nk;
      }
      break;
    }
    case ST_CREATE_INDEX:
      r->u.create_index = s->u.create_index;
      r->u.create_index.db = dup_str(s->u.create_index.db, oom);
      r->u.create_index.name = dup_str(s->u.create_index.name, oom);
      r->u.create_index.table = dup_str(s->u.create_index.table, oom);
      r->u.create_index.columns = dup_expr_list(s->u.create_index.columns, oom);
      r->u.create_index.where = dup_expr(s->u.create_index.where, oom);
      break;
    case ST_CREATE_VIEW:
      r->u.create_view = s->u.create_view;
      r->u.create_view.db = dup_str(s->u.create_view.db, oom);
      r->u.create_view.name = dup_str(s->u.create_view.name, oom);
      r->u.create_view.columns = dup_id_list(s->u.create_view.columns, oom);
      r->u.create_view.select = dup_select(s->u.create_view.select, oom);
      break;
    case ST_CREATE_TRIGGER: {
      r->u.create_trigger = s->u.create_trigger;
      r->u.create_trigger.db = dup_str(s->u.create_trigger.db, oom);
      r->u.create_trigger.name = dup_str(s->u.create_trigger.name, oom);
      r->u.create_trigger.table = dup_str(s->u.create_trigger.table, oom);
      r->u.create_trigger.update_of = dup_id_list(s->u.create_trigger.update_of, oom);
      r->u.create_trigger.when = dup_expr(s->u.create_trigger.when, oom);
      r->u.create_trigger.table_db = dup_str(s->u.create_trigger.table_db, oom);
      r->u.create_trigger.steps = NULL;
      TriggerStep **tail = &r->u.create_trigger.steps;
      for (const TriggerStep *t = s->u.create_trigger.steps; t; t = t->next) {
        TriggerStep *n = shale_malloc_zero(sizeof(TriggerStep));
        if (n == NULL) { *oom = 1; break; }
        n->kind = t->kind;
        n->stmt = dup_stmt(t->stmt, oom);
        *tail = n;
        tail = &n->next;
      }
      break;
    }
    case ST_CREATE_VIRTUAL_TABLE:
      r->u.create_vtab = s->u.create_vtab;
      r->u.create_vtab.db = dup_str(s->u.create_vtab.db, oom);
      r->u.create_vtab.name = dup_str(s->u.create_vtab.name, oom);
      r->u.create_vtab.module = dup_str(s->u.create_vtab.module, oom);
      r->u.create_vtab.args = NULL;
      r->u.create_vtab.n_arg = 0;
      if (s->u.create_vtab.n_arg > 0) {
        int n = s->u.create_vtab.n_arg;
        r->u.create_vtab.args = shale_malloc_zero(sizeof(char *) * (size_t)n);
        if (r->u.create_vtab.args == NULL) { *oom = 1; break; }
        for (int i = 0; i < n; i++)
          r->u.create_vtab.args[i] = dup_str(s->u.create_vtab.args[i], oom);
        r->u.create_vtab.n_arg = n;
      }
      break;
    case ST_DROP_TABLE: case ST_DROP_INDEX: case ST_DROP_VIEW: case ST_DROP_TRIGGER:
      r->u.drop.if_exists = s->u.drop.if_exists;
      r->u.drop.db = dup_str(s->u.drop.db, oom);
      r->u.drop.name = dup_str(s->u.drop.name, oom);
      break;
    case ST_ALTER_TABLE:
      r->u.alter.action = s->u.alter.action;
      r->u.alter.db = dup_str(s->u.alter.db, oom);
      r->u.alter.table = dup_str(s->u.alter.table, oom);
      r->u.alter.new_name = dup_str(s->u.alter.new_name, oom);
      r->u.alter.column = dup_str(s->u.alter.column, oom);
      if (s->u.alter.add) {
        r->u.alter.add = shale_malloc_zero(sizeof(ColumnDef));
        if (r->u.alter.add == NULL) { *oom = 1; break; }
        dup_column_def(r->u.alter.add, s->u.alter.add, oom);
      }
      break;
    case ST_BEGIN: case ST_COMMIT: r->u = s->u; break;
    case ST_ROLLBACK: case ST_SAVEPOINT: case ST_RELEASE:
      r->u.trans.savepoint = dup_str(s->u.trans.savepoint, oom);
      break;
    case ST_PRAGMA:
      r->u.pragma.has_value = s->u.pragma.has_value;
      r->u.pragma.db = dup_str(s->u.pragma.db, oom);
      r->u.pragma.name = dup_str(s->u.pragma.name, oom);
      r->u.pragma.value = dup_str(s->u.pragma.value, oom);
      break;
    case ST_VACUUM:
      r->u.vacuum.db = dup_str(s->u.vacuum.db, oom);
      r->u.vacuum.into = dup_expr(s->u.vacuum.into, oom);
      break;
    case ST_ANALYZE: case ST_REINDEX:
      r->u.target.db = dup_str(s->u.target.db, oom);
      r->u.target.name = dup_str(s->u.target.name, oom);
      break;
    case ST_ATTACH: case ST_DETACH:
      r->u.attach.file = dup_expr(s->u.attach.file, oom);
      r->u.attach.schema = dup_expr(s->u.attach.schema, oom);
      r->u.attach.key = dup_expr(s->u.attach.key, oom);
      break;
  }
  return r;
}

#define DUP_WRAPPER(T, name, inner, freer)                                     \
  T *name(const T *x) {                                                        \
    int oom = 0;                                                               \
    T *r = inner(x, &oom);                                                     \
    if (oom) {                                                                 \
      freer(r);                                                                \
      return NULL;                                                             \
    }                                                                          \
    return r;                                                                  \
  }

DUP_WRAPPER(Expr, ast_dup_expr, dup_expr, ast_free_expr)
DUP_WRAPPER(ExprList, ast_dup_expr_list, dup_expr_list, ast_free_expr_list)
DUP_WRAPPER(Select, ast_dup_select, dup_select, ast_free_select)
DUP_WRAPPER(SrcList, ast_dup_src_list, dup_src_list, ast_free_src_list)
DUP_WRAPPER(IdList, ast_dup_id_list, dup_id_list, ast_free_id_list)
DUP_WRAPPER(With, ast_dup_with, dup_with, ast_free_with)
DUP_WRAPPER(Stmt, ast_dup_stmt, dup_stmt, ast_free_stmt)

/* ---------------------------------------------------------- appends ---- */
ExprList *ast_expr_list_append(ExprList *l, Expr *e) {
  if (l == NULL) {
    l = shale_malloc_zero(sizeof(ExprList));
    if (l == NULL) {
      ast_free_expr(e);
      return NULL;
    }
  }
  if (l->n >= l->alloc) {
    int na = l->alloc ? l->alloc * 2 : 4;
    ExprListItem *a = sqlite3_realloc64(l->a, sizeof(ExprListItem) * (u64)na);
    if (a == NULL) {
      ast_free_expr(e);
      ast_free_expr_list(l);
      return NULL;
    }
    l->a = a;
    l->alloc = na;
  }
  memset(&l->a[l->n], 0, sizeof(ExprListItem));
  l->a[l->n++].expr = e;
  return l;
}

IdList *ast_id_list_append(IdList *l, char *name) {
  if (l == NULL) {
    l = shale_malloc_zero(sizeof(IdList));
    if (l == NULL) {
      sqlite3_free(name);
      return NULL;
    }
  }
  if (l->n >= l->alloc) {
    int na = l->alloc ? l->alloc * 2 : 4;
    char **a = sqlite3_realloc64(l->names, sizeof(char *) * (u64)na);
    if (a == NULL) {
      sqlite3_free(name);
      ast_free_id_list(l);
      return NULL;
    }
    l->names = a;
    l->alloc = na;
  }
  l->names[l->n++] = name;
  return l;
}

SrcList *ast_src_list_append(SrcList *l) {
  if (l == NULL) {
    l = shale_malloc_zero(sizeof(SrcList));
    if (l == NULL) return NULL;
  }
  if (l->n >= l->alloc) {
    int na = l->alloc ? l->alloc * 2 : 4;
    SrcItem *a = sqlite3_realloc64(l->a, sizeof(SrcItem) * (u64)na);
    if (a == NULL) {
      ast_free_src_list(l);
      return NULL;
    }
    l->a = a;
    l->alloc = na;
  }
  memset(&l->a[l->n], 0, sizeof(SrcItem));
  l->n++;
  return l;
}
