/*
** parser_dump.h — renders a parse tree as a compact S-expression, for the
** parser tests (structure checks) and the fuzz target (dump(dup(x)) ==
** dump(x)).  Included by tests/unit/parser_*.c and tests/fuzz/fuzz_parser.c.
*/
#ifndef PARSER_DUMP_H
#define PARSER_DUMP_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../engine/sql/ast.h"

typedef struct Dump {
  char *z;
  size_t n, cap;
} Dump;

static void d_put(Dump *d, const char *s, size_t n) {
  if (d->n + n + 1 > d->cap) {
    size_t nc = (d->cap + n + 1) * 2;
    char *z = realloc(d->z, nc);
    if (!z) abort();
    d->z = z;
    d->cap = nc;
  }
  memcpy(d->z + d->n, s, n);
  d->n += n;
  d->z[d->n] = 0;
}
static void d_s(Dump *d, const char *s) { d_put(d, s ? s : "NULL", strlen(s ? s : "NULL")); }
static void d_f(Dump *d, const char *fmt, long long v) {
  char b[64];
  snprintf(b, sizeof b, fmt, v);
  d_s(d, b);
}

static void d_expr(Dump *d, const Expr *e);
static void d_select(Dump *d, const Select *s);
static void d_list(Dump *d, const ExprList *l) {
  if (!l) { d_s(d, "()"); return; }
  d_s(d, "(");
  for (int i = 0; i < l->n; i++) {
    if (i) d_s(d, " ");
    d_expr(d, l->a[i].expr);
    if (l->a[i].alias) { d_s(d, " AS "); d_s(d, l->a[i].alias); }
    if (l->a[i].sort_desc) d_s(d, " DESC");
    if (l->a[i].nulls) d_s(d, l->a[i].nulls == 1 ? " NULLSFIRST" : " NULLSLAST");
  }
  d_s(d, ")");
}
static void d_ids(Dump *d, const IdList *l) {
  if (!l) { d_s(d, "-"); return; }
  d_s(d, "[");
  for (int i = 0; i < l->n; i++) { if (i) d_s(d, ","); d_s(d, l->names[i]); }
  d_s(d, "]");
}
static void d_window(Dump *d, const Window *w) {
  for (; w; w = w->next) {
    d_s(d, "{win ");
    if (w->name) d_s(d, w->name);
    if (w->base) { d_s(d, " base="); d_s(d, w->base); }
    if (w->partition_by) { d_s(d, " part="); d_list(d, w->partition_by); }
    if (w->order_by) { d_s(d, " order="); d_list(d, w->order_by); }
    if (w->frame_type) {
      d_f(d, " frame=%lld", w->frame_type);
      d_f(d, ":%lld", w->start_type);
      if (w->start) { d_s(d, ":"); d_expr(d, w->start); }
      d_f(d, ":%lld", w->end_type);
      if (w->end) { d_s(d, ":"); d_expr(d, w->end); }
      d_f(d, " excl=%lld", w->exclude);
    }
    d_s(d, "}");
  }
}

static const char *const binop_names[] = {"OR", "AND", "=", "!=", "<", "<=", ">", ">=",
                                          "&", "|", "<<", ">>", "+", "-", "*", "/", "%",
                                          "||", "->", "->>"};
static const char *const unop_names[] = {"neg", "pos", "bitnot", "not"};
static const char *const like_names[] = {"LIKE", "GLOB", "REGEXP", "MATCH"};

static void d_expr(Dump *d, const Expr *e) {
  if (!e) { d_s(d, "NULLPTR"); return; }
  switch (e->op) {
    case EX_NULL: d_s(d, "NULL"); break;
    case EX_INTEGER:
      if (e->flags & EXPR_F_BIGNUM) { d_s(d, "big:"); d_s(d, e->text); }
      else d_f(d, "%lld", e->u.i);
      break;
    case EX_FLOAT: d_s(d, "f:"); d_s(d, e->text); break;
    case EX_STRING: d_s(d, "'"); d_s(d, e->text); d_s(d, "'"); break;
    case EX_BLOB: d_f(d, "blob%lld", e->n_text); break;
    case EX_TRUE: d_s(d, "TRUE"); break;
    case EX_FALSE: d_s(d, "FALSE"); break;
    case EX_VARIABLE: d_s(d, e->text); d_f(d, "#%lld", e->u.var_index); break;
    case EX_ID: d_s(d, e->text); if (e->flags & EXPR_F_QUOTED) d_s(d, "\""); break;
    case EX_DOT:
      if (e->db) { d_s(d, e->db); d_s(d, "."); }
      d_s(d, e->table); d_s(d, "."); d_s(d, e->text);
      break;
    case EX_STAR: if (e->table) { d_s(d, e->table); d_s(d, "."); } d_s(d, "*"); break;
    case EX_FUNCTION:
      d_s(d, "(call "); d_s(d, e->text);
      if (e->flags & EXPR_F_DISTINCT) d_s(d, " DISTINCT");
      if (e->flags & EXPR_F_STAR_ARG) d_s(d, " *");
      if (e->list) { d_s(d, " "); d_list(d, e->list); }
      if (e->order_by) { d_s(d, " order="); d_list(d, e->order_by); }
      if (e->extra) { d_s(d, " filter="); d_expr(d, e->extra); }
      if (e->over) { d_s(d, " over="); d_window(d, e->over); }
      d_s(d, ")");
      break;
    case EX_CAST: d_s(d, "(cast "); d_expr(d, e->left); d_s(d, " "); d_s(d, e->text ? e->text : ""); d_s(d, ")"); break;
    case EX_COLLATE: d_s(d, "(collate "); d_expr(d, e->left); d_s(d, " "); d_s(d, e->text); d_s(d, ")"); break;
    case EX_UNARY: d_s(d, "("); d_s(d, unop_names[e->sub_op]); d_s(d, " "); d_expr(d, e->left); d_s(d, ")"); break;
    case EX_BINARY:
      d_s(d, "("); d_s(d, binop_names[e->sub_op]); d_s(d, " "); d_expr(d, e->left);
      d_s(d, " "); d_expr(d, e->right); d_s(d, ")");
      break;
    case EX_IS: case EX_ISNOT:
      d_s(d, e->op == EX_IS ? "(is " : "(isnot "); d_expr(d, e->left); d_s(d, " ");
      d_expr(d, e->right); d_s(d, ")");
      break;
    case EX_ISNULL: case EX_NOTNULL:
      d_s(d, e->op == EX_ISNULL ? "(isnull " : "(notnull "); d_expr(d, e->left); d_s(d, ")");
      break;
    case EX_BETWEEN:
      d_s(d, e->flags & EXPR_F_NOT ? "(notbetween " : "(between "); d_expr(d, e->left);
      d_s(d, " "); d_expr(d, e->list->a[0].expr); d_s(d, " "); d_expr(d, e->list->a[1].expr);
      d_s(d, ")");
      break;
    case EX_IN_LIST: case EX_IN_SELECT: case EX_IN_TABLE:
      d_s(d, e->flags & EXPR_F_NOT ? "(notin " : "(in "); d_expr(d, e->left); d_s(d, " ");
      if (e->op == EX_IN_LIST) d_list(d, e->list);
      else if (e->op == EX_IN_SELECT) d_select(d, e->select);
      else { d_s(d, "table:"); d_s(d, e->text); if (e->list) d_list(d, e->list); }
      d_s(d, ")");
      break;
    case EX_LIKE:
      d_s(d, "("); if (e->flags & EXPR_F_NOT) d_s(d, "NOT"); d_s(d, like_names[e->sub_op]);
      d_s(d, " "); d_expr(d, e->left); d_s(d, " "); d_expr(d, e->right);
      if (e->extra) { d_s(d, " esc="); d_expr(d, e->extra); }
      d_s(d, ")");
      break;
    case EX_CASE:
      d_s(d, "(case ");
      if (e->left) { d_expr(d, e->left); d_s(d, " "); }
      d_list(d, e->list);
      if (e->extra) { d_s(d, " else "); d_expr(d, e->extra); }
      d_s(d, ")");
      break;
    case EX_EXISTS: d_s(d, "(exists "); d_select(d, e->select); d_s(d, ")"); break;
    case EX_SUBQUERY: d_s(d, "(subq "); d_select(d, e->select); d_s(d, ")"); break;
    case EX_VECTOR: d_s(d, "(vec "); d_list(d, e->list); d_s(d, ")"); break;
    case EX_RAISE: d_f(d, "(raise %lld ", e->sub_op); d_s(d, e->text ? e->text : ""); d_s(d, ")"); break;
    default: d_s(d, "?"); break;
  }
}

static void d_src(Dump *d, const SrcList *l) {
  if (!l) return;
  d_s(d, " FROM");
  for (int i = 0; i < l->n; i++) {
    const SrcItem *it = &l->a[i];
    if (i) d_f(d, " j%lld", it->join_type);
    d_s(d, " ");
    if (it->db) { d_s(d, it->db); d_s(d, "."); }
    if (it->name) d_s(d, it->name);
    if (it->subquery) d_select(d, it->subquery);
    if (it->func_args) d_list(d, it->func_args);
    if (it->alias) { d_s(d, "/"); d_s(d, it->alias); }
    if (it->indexed_by) { d_s(d, " idx:"); d_s(d, it->indexed_by); }
    if (it->not_indexed) d_s(d, " noidx");
    if (it->on) { d_s(d, " ON "); d_expr(d, it->on); }
    if (it->using_) { d_s(d, " USING"); d_ids(d, it->using_); }
  }
}

static void d_with(Dump *d, const With *w) {
  if (!w) return;
  d_s(d, w->recursive ? "WITH RECURSIVE" : "WITH");
  for (int i = 0; i < w->n; i++) {
    d_s(d, " "); d_s(d, w->a[i].name);
    if (w->a[i].columns) d_ids(d, w->a[i].columns);
    d_f(d, " m%lld ", w->a[i].materialized);
    d_select(d, w->a[i].select);
  }
  d_s(d, " ");
}

static const char *const co_names[] = {"", "UNION", "UNION ALL", "INTERSECT", "EXCEPT"};

static void d_select_arm(Dump *d, const Select *s);
/* Compound chains can be long (VALUES rows): render them iteratively. */
static void d_select(Dump *d, const Select *s) {
  if (!s) { d_s(d, "NULLSEL"); return; }
  int n = 0;
  for (const Select *q = s; q; q = q->prior) n++;
  const Select **arms = malloc(sizeof(*arms) * (size_t)n);
  int k = n;
  for (const Select *q = s; q; q = q->prior) arms[--k] = q;
  for (int i = n - 1; i >= 0; i--) {
    d_s(d, "{");
    d_with(d, arms[i]->with);
  }
  for (int i = 0; i < n; i++) {
    if (i) { d_s(d, " "); d_s(d, co_names[arms[i]->op]); d_s(d, " "); }
    d_select_arm(d, arms[i]);
  }
  free(arms);
}
static void d_select_arm(Dump *d, const Select *s) {
  d_s(d, s->flags & SELECT_F_VALUES ? "VALUES " : "SELECT ");
  if (s->flags & SELECT_F_DISTINCT) d_s(d, "DISTINCT ");
  d_list(d, s->result);
  d_src(d, s->from);
  if (s->where) { d_s(d, " WHERE "); d_expr(d, s->where); }
  if (s->group_by) { d_s(d, " GROUP "); d_list(d, s->group_by); }
  if (s->having) { d_s(d, " HAVING "); d_expr(d, s->having); }
  if (s->windows) { d_s(d, " WINDOW "); d_window(d, s->windows); }
  if (s->order_by) { d_s(d, " ORDER "); d_list(d, s->order_by); }
  if (s->limit) { d_s(d, " LIMIT "); d_expr(d, s->limit); }
  if (s->offset) { d_s(d, " OFFSET "); d_expr(d, s->offset); }
  d_s(d, "}");
}

static void d_coldef(Dump *d, const ColumnDef *c) {
  d_s(d, c->name);
  if (c->type) { d_s(d, ":"); d_s(d, c->type); }
  if (c->not_null) d_f(d, " notnull%lld", c->not_null);
  if (c->primary_key) d_f(d, " pk%lld", c->primary_key);
  if (c->pk_desc) d_s(d, " desc");
  if (c->autoincrement) d_s(d, " autoinc");
  if (c->unique) d_f(d, " unique%lld", c->unique);
  if (c->default_value) { d_s(d, " default="); d_expr(d, c->default_value); d_s(d, "["); d_s(d, c->default_text); d_s(d, "]"); }
  if (c->check) { d_s(d, " check="); d_expr(d, c->check); }
  if (c->collate) { d_s(d, " collate="); d_s(d, c->collate); }
  if (c->fk) { d_s(d, " fk="); d_s(d, c->fk->to_table); d_ids(d, c->fk->to_columns); d_f(d, " del%lld", c->fk->on_delete); d_f(d, " upd%lld", c->fk->on_update); d_f(d, " def%lld", c->fk->deferrable); }
  if (c->generated) { d_s(d, " gen="); d_expr(d, c->generated); if (c->generated_stored) d_s(d, " stored"); }
}

static void d_stmt(Dump *d, const Stmt *s);
static void d_stmt_body(Dump *d, const Stmt *s) {
  if (s->with) d_with(d, s->with);
  switch (s->kind) {
    case ST_SELECT: d_select(d, s->u.select); break;
    case ST_INSERT:
      d_f(d, "INSERT or%lld ", s->u.insert.or_conflict);
      if (s->u.insert.db) { d_s(d, s->u.insert.db); d_s(d, "."); }
      d_s(d, s->u.insert.table);
      if (s->u.insert.alias) { d_s(d, "/"); d_s(d, s->u.insert.alias); }
      if (s->u.insert.columns) d_ids(d, s->u.insert.columns);
      if (s->u.insert.default_values) d_s(d, " DEFAULT VALUES");
      if (s->u.insert.select) { d_s(d, " "); d_select(d, s->u.insert.select); }
      for (const Upsert *u = s->u.insert.upsert; u; u = u->next) {
        d_s(d, " UPSERT");
        if (u->target) d_list(d, u->target);
        if (u->target_where) { d_s(d, " tw="); d_expr(d, u->target_where); }
        if (u->do_nothing) d_s(d, " NOTHING");
        if (u->set) { d_s(d, " SET"); d_list(d, u->set); }
        if (u->where) { d_s(d, " WHERE "); d_expr(d, u->where); }
      }
      if (s->u.insert.returning) { d_s(d, " RETURNING"); d_list(d, s->u.insert.returning); }
      break;
    case ST_UPDATE:
      d_f(d, "UPDATE or%lld ", s->u.update.or_conflict);
      d_s(d, s->u.update.target->name);
      if (s->u.update.target->alias) { d_s(d, "/"); d_s(d, s->u.update.target->alias); }
      d_s(d, " SET"); d_list(d, s->u.update.set);
      d_src(d, s->u.update.from);
      if (s->u.update.where) { d_s(d, " WHERE "); d_expr(d, s->u.update.where); }
      if (s->u.update.returning) { d_s(d, " RETURNING"); d_list(d, s->u.update.returning); }
      if (s->u.update.order_by) { d_s(d, " ORDER"); d_list(d, s->u.update.order_by); }
      if (s->u.update.limit) { d_s(d, " LIMIT "); d_expr(d, s->u.update.limit); }
      break;
    case ST_DELETE:
      d_s(d, "DELETE "); d_s(d, s->u.del.target->name);
      if (s->u.del.where) { d_s(d, " WHERE "); d_expr(d, s->u.del.where); }
      if (s->u.del.returning) { d_s(d, " RETURNING"); d_list(d, s->u.del.returning); }
      if (s->u.del.limit) { d_s(d, " LIMIT "); d_expr(d, s->u.del.limit); }
      break;
    case ST_CREATE_TABLE:
      d_s(d, "CREATE TABLE ");
      if (s->u.create_table.temp) d_s(d, "temp ");
      d_s(d, s->u.create_table.name);
      d_s(d, " (");
      for (int i = 0; i < s->u.create_table.n_col; i++) {
        if (i) d_s(d, ", ");
        d_coldef(d, &s->u.create_table.cols[i]);
      }
      for (int i = 0; i < s->u.create_table.n_cons; i++) {
        const TableConstraint *k = &s->u.create_table.cons[i];
        d_f(d, ", tc%lld", k->type);
        if (k->name) { d_s(d, " "); d_s(d, k->name); }
        if (k->columns) d_list(d, k->columns);
        if (k->check) d_expr(d, k->check);
        if (k->fk) { d_s(d, " fk="); d_ids(d, k->fk->from_columns); d_s(d, k->fk->to_table); d_ids(d, k->fk->to_columns); }
      }
      d_s(d, ")");
      if (s->u.create_table.without_rowid) d_s(d, " WITHOUT ROWID");
      if (s->u.create_table.strict) d_s(d, " STRICT");
      if (s->u.create_table.as_select) { d_s(d, " AS "); d_select(d, s->u.create_table.as_select); }
      break;
    case ST_CREATE_INDEX:
      d_s(d, s->u.create_index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
      d_s(d, s->u.create_index.name); d_s(d, " ON "); d_s(d, s->u.create_index.table);
      d_list(d, s->u.create_index.columns);
      if (s->u.create_index.where) { d_s(d, " WHERE "); d_expr(d, s->u.create_index.where); }
      break;
    case ST_CREATE_VIEW:
      d_s(d, "CREATE VIEW "); d_s(d, s->u.create_view.name);
      if (s->u.create_view.columns) d_ids(d, s->u.create_view.columns);
      d_s(d, " AS "); d_select(d, s->u.create_view.select);
      break;
    case ST_CREATE_TRIGGER:
      d_s(d, "CREATE TRIGGER "); d_s(d, s->u.create_trigger.name);
      d_f(d, " time%lld", s->u.create_trigger.time);
      d_f(d, " ev%lld", s->u.create_trigger.event);
      if (s->u.create_trigger.update_of) d_ids(d, s->u.create_trigger.update_of);
      d_s(d, " ON "); if (s->u.create_trigger.table_db) { d_s(d, s->u.create_trigger.table_db); d_s(d, "."); } d_s(d, s->u.create_trigger.table);
      if (s->u.create_trigger.for_each_row) d_s(d, " FOR EACH ROW");
      if (s->u.create_trigger.when) { d_s(d, " WHEN "); d_expr(d, s->u.create_trigger.when); }
      d_s(d, " BEGIN");
      for (const TriggerStep *t = s->u.create_trigger.steps; t; t = t->next) {
        d_s(d, " "); d_stmt(d, t->stmt); d_s(d, ";");
      }
      d_s(d, " END");
      break;
    case ST_CREATE_VIRTUAL_TABLE:
      d_s(d, "CREATE VIRTUAL TABLE "); d_s(d, s->u.create_vtab.name); d_s(d, " USING ");
      d_s(d, s->u.create_vtab.module);
      for (int i = 0; i < s->u.create_vtab.n_arg; i++) { d_s(d, " <"); d_s(d, s->u.create_vtab.args[i]); d_s(d, ">"); }
      break;
    case ST_DROP_TABLE: case ST_DROP_INDEX: case ST_DROP_VIEW: case ST_DROP_TRIGGER:
      d_f(d, "DROP%lld ", s->kind); if (s->u.drop.if_exists) d_s(d, "IF EXISTS ");
      if (s->u.drop.db) { d_s(d, s->u.drop.db); d_s(d, "."); }
      d_s(d, s->u.drop.name);
      break;
    case ST_ALTER_TABLE:
      d_f(d, "ALTER%lld ", s->u.alter.action); d_s(d, s->u.alter.table);
      if (s->u.alter.column) { d_s(d, " col="); d_s(d, s->u.alter.column); }
      if (s->u.alter.new_name) { d_s(d, " new="); d_s(d, s->u.alter.new_name); }
      if (s->u.alter.add) { d_s(d, " add="); d_coldef(d, s->u.alter.add); }
      break;
    case ST_BEGIN: d_f(d, "BEGIN%lld", s->u.begin.mode); break;
    case ST_COMMIT: d_s(d, "COMMIT"); break;
    case ST_ROLLBACK: case ST_SAVEPOINT: case ST_RELEASE:
      d_f(d, "TRANS%lld ", s->kind); if (s->u.trans.savepoint) d_s(d, s->u.trans.savepoint);
      break;
    case ST_PRAGMA:
      d_s(d, "PRAGMA ");
      if (s->u.pragma.db) { d_s(d, s->u.pragma.db); d_s(d, "."); }
      d_s(d, s->u.pragma.name);
      if (s->u.pragma.has_value) { d_s(d, "="); d_s(d, s->u.pragma.value); }
      break;
    case ST_VACUUM:
      d_s(d, "VACUUM"); if (s->u.vacuum.db) { d_s(d, " "); d_s(d, s->u.vacuum.db); }
      if (s->u.vacuum.into) { d_s(d, " INTO "); d_expr(d, s->u.vacuum.into); }
      break;
    case ST_ANALYZE: case ST_REINDEX:
      d_s(d, s->kind == ST_ANALYZE ? "ANALYZE" : "REINDEX");
      if (s->u.target.db) { d_s(d, " "); d_s(d, s->u.target.db); d_s(d, "."); }
      if (s->u.target.name) { d_s(d, " "); d_s(d, s->u.target.name); }
      break;
    case ST_ATTACH: case ST_DETACH:
      d_s(d, s->kind == ST_ATTACH ? "ATTACH " : "DETACH "); d_expr(d, s->u.attach.file);
      if (s->u.attach.schema) { d_s(d, " AS "); d_expr(d, s->u.attach.schema); }
      if (s->u.attach.key) { d_s(d, " KEY "); d_expr(d, s->u.attach.key); }
      break;
  }
}
static void d_stmt(Dump *d, const Stmt *s) {
  if (!s) { d_s(d, "EMPTY"); return; }
  if (s->explain) d_f(d, "EXPLAIN%lld ", s->explain);
  d_stmt_body(d, s);
}

/* Returns a malloc'd dump (caller frees with free()). */
static inline char *dump_stmt(const Stmt *s) {
  Dump d = {0, 0, 0};
  d_stmt(&d, s);
  if (!d.z) { d.z = malloc(1); d.z[0] = 0; }
  return d.z;
}
static inline char *dump_expr(const Expr *e) {
  Dump d = {0, 0, 0};
  d_expr(&d, e);
  return d.z;
}
#endif
