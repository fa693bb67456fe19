/*
** parse_dml.c — INSERT / REPLACE (with upsert and RETURNING), UPDATE,
** DELETE; also used for the steps of a CREATE TRIGGER body
** (p->in_trigger set: SQLite's tighter trigger-step grammar applies).
*/
#include "parse_int.h"

int p_conflict_algo(Parser *p) {
  switch (p->t.type) {
    case TK_ROLLBACK: p_next(p); return OE_ROLLBACK;
    case TK_ABORT: p_next(p); return OE_ABORT;
    case TK_FAIL: p_next(p); return OE_FAIL;
    case TK_IGNORE: p_next(p); return OE_IGNORE;
    case TK_REPLACE: p_next(p); return OE_REPLACE;
    default: p_syntax_error(p); return OE_DEFAULT;
  }
}

/* setlist ::= nm = expr | (idlist) = expr, ... ; vectors are expanded:
** (a,b) = (x,y) gives a=x, b=y; (a,b) = (SELECT ...) gives one
** EX_SUBQUERY copy per column with sub_op = 1-based column number and
** u.i = the number of columns assigned. */
static int setlist_follow(int t) {
  switch (t) {
    case TK_COMMA: case TK_FROM: case TK_WHERE: case TK_RETURNING: case TK_ORDER:
    case TK_LIMIT: case TK_ON: case TK_SEMI: case TK_EOF:
      return 1;
    default:
      return 0;
  }
}

ExprList *p_setlist(Parser *p) {
  ExprList *l = NULL;
  do {
    if (p->t.type == TK_LP) {
      int pos = p->t.pos;
      p_next(p);
      IdList *cols = p_idlist(p);
      if (cols == NULL) goto fail;
      if (!p_expect(p, TK_RP) || !p_expect(p, TK_EQ)) {
        ast_free_id_list(cols);
        goto fail;
      }
      Expr *e = p_expr(p);
      if (e == NULL) {
        ast_free_id_list(cols);
        goto fail;
      }
      int n = e->op == EX_VECTOR ? e->list->n : 1;
      if (!setlist_follow(p->t.type)) {
        p_syntax_error(p);
        ast_free_id_list(cols);
        ast_free_expr(e);
        goto fail;
      }
      if (e->op != EX_SUBQUERY && n != cols->n) {
        p_error(p, pos, "%d columns assigned %d values", cols->n, n);
        ast_free_id_list(cols);
        ast_free_expr(e);
        goto fail;
      }
      for (int i = 0; i < cols->n; i++) {
        Expr *x;
        if (e->op == EX_VECTOR) {
          x = e->list->a[i].expr;
          e->list->a[i].expr = NULL;
        } else if (e->op == EX_SUBQUERY) {
          x = i + 1 == cols->n ? e : ast_dup_expr(e);
          if (x == NULL) {
            p_oom(p);
          } else {
            x->sub_op = i + 1;
            x->u.i = cols->n; /* columns assigned: checked against the subquery's */
          }
          if (x == e) e = NULL;
        } else {
          x = e;
          e = NULL;
        }
        if (x == NULL) break;
        l = ast_expr_list_append(l, x);
        if (l == NULL) {
          p_oom(p);
          break;
        }
        l->a[l->n - 1].alias = cols->names[i];
        cols->names[i] = NULL;
      }
      ast_free_id_list(cols);
      ast_free_expr(e);
      if (P_FAILED(p)) goto fail;
    } else {
      char *name = p_name(p);
      if (name == NULL) goto fail;
      if (!p_expect(p, TK_EQ)) {
        sqlite3_free(name);
        goto fail;
      }
      Expr *e = p_expr(p);
      if (e == NULL) {
        sqlite3_free(name);
        goto fail;
      }
      l = ast_expr_list_append(l, e);
      if (l == NULL) {
        sqlite3_free(name);
        p_oom(p);
        return NULL;
      }
      l->a[l->n - 1].alias = name;
    }
  } while (p_accept(p, TK_COMMA));
  return l;
fail:
  ast_free_expr_list(l);
  return NULL;
}

static int returning(Parser *p, ExprList **out) {
  int pos = p->t.pos;
  if (!p_accept(p, TK_RETURNING)) return !P_FAILED(p);
  *out = p_result_columns(p);
  if (*out == NULL) return 0;
  if (p->in_trigger) {
    p_error(p, pos, "cannot use RETURNING in a trigger");
    return 0;
  }
  return 1;
}

/* Table name of a DML statement: xfullname at top level, trnm in a
** trigger body. */
static int trnm_follow(int kind, int t) {
  switch (kind) {
    case ST_INSERT: return t == TK_LP || t == TK_SELECT || t == TK_VALUES || t == TK_WITH;
    case ST_UPDATE: return t == TK_SET || t == TK_INDEXED || t == TK_NOT;
    default: return t == TK_WHERE || t == TK_SEMI || t == TK_INDEXED || t == TK_NOT;
  }
}

static int dml_target(Parser *p, int kind, char **db, char **name, char **alias) {
  int pos = p->t.pos;
  if (!p_fullname(p, db, name)) return 0;
  if (p->in_trigger) {
    if (*db) {
      if (!trnm_follow(kind, p->t.type)) {
        p_syntax_error(p);
        return 0;
      }
      p_error(p, pos, "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers");
      return 0;
    }
    return 1;
  }
  if (alias && p_accept(p, TK_AS)) {
    *alias = p_name(p);
    if (*alias == NULL) return 0;
  }
  return 1;
}

static int indexed_opt(Parser *p, SrcItem *it) {
  int pos = p->t.pos;
  if (p_accept(p, TK_INDEXED)) {
    if (!p_expect(p, TK_BY)) return 0;
    it->indexed_by = p_name(p);
    if (it->indexed_by == NULL) return 0;
    if (p->in_trigger) {
      p_error(p, pos, "the INDEXED BY clause is not allowed on UPDATE or DELETE statements within triggers");
      return 0;
    }
  } else if (p->t.type == TK_NOT) {
    p_next(p);
    if (!p_expect(p, TK_INDEXED)) return 0;
    it->not_indexed = 1;
    if (p->in_trigger) {
      p_error(p, pos, "the NOT INDEXED clause is not allowed on UPDATE or DELETE statements within triggers");
      return 0;
    }
  }
  return !P_FAILED(p);
}

static int where_opt(Parser *p, Expr **out) {
  if (p_accept(p, TK_WHERE)) {
    *out = p_expr(p);
    return *out != NULL;
  }
  return !P_FAILED(p);
}

static int order_limit(Parser *p, ExprList **order_by, Expr **limit, Expr **offset) {
  if (p->in_trigger) return 1;
  if (p_accept(p, TK_ORDER)) {
    if (!p_expect(p, TK_BY)) return 0;
    *order_by = p_sortlist(p);
    if (*order_by == NULL) return 0;
  }
  if (p_accept(p, TK_LIMIT)) {
    *limit = p_expr(p);
    if (*limit == NULL) return 0;
    if (p_accept(p, TK_OFFSET)) {
      *offset = p_expr(p);
      if (*offset == NULL) return 0;
    } else if (p_accept(p, TK_COMMA)) {
      *offset = *limit;
      *limit = p_expr(p);
      if (*limit == NULL) return 0;
    }
  }
  return !P_FAILED(p);
}

static Upsert *upsert_clause(Parser *p, int *more) {
  /* ON CONFLICT consumed */
  Upsert *u = shale_malloc_zero(sizeof(Upsert));
  if (u == NULL) {
    p_oom(p);
    return NULL;
  }
  *more = 0;
  if (p_accept(p, TK_LP)) {
    u->target = p_sortlist(p);
    if (u->target == NULL || !p_expect(p, TK_RP)) goto fail;
    if (!where_opt(p, &u->target_where)) goto fail;
    *more = 1;
  }
  if (!p_expect(p, TK_DO)) goto fail;
  if (p_accept(p, TK_NOTHING)) {
    u->do_nothing = 1;
  } else {
    if (!p_expect(p, TK_UPDATE) || !p_expect(p, TK_SET)) goto fail;
    p->nest += 9;
    u->set = p_setlist(p);
    p->nest -= 9;
    if (u->set == NULL) goto fail;
    if (!where_opt(p, &u->where)) goto fail;
  }
  return u;
fail:
  ast_free_upsert(u);
  return NULL;
}

int p_insert(Parser *p, Stmt *s) {
  s->kind = ST_INSERT;
  if (p_accept(p, TK_REPLACE)) {
    s->u.insert.or_conflict = OE_REPLACE;
  } else {
    if (!p_expect(p, TK_INSERT)) return 0;
    if (p_accept(p, TK_OR)) {
      s->u.insert.or_conflict = p_conflict_algo(p);
      if (P_FAILED(p)) return 0;
    }
  }
  if (!p_expect(p, TK_INTO)) return 0;
  if (!dml_target(p, ST_INSERT, &s->u.insert.db, &s->u.insert.table, &s->u.insert.alias)) return 0;
  if (p_accept(p, TK_LP)) {
    s->u.insert.columns = p_idlist(p);
    if (s->u.insert.columns == NULL || !p_expect(p, TK_RP)) return 0;
  }
  if (!p->in_trigger && p_accept(p, TK_DEFAULT)) {
    if (!p_expect(p, TK_VALUES)) return 0;
    s->u.insert.default_values = 1;
    return returning(p, &s->u.insert.returning);
  }
  int t = p->t.type;
  if (t != TK_SELECT && t != TK_VALUES && t != TK_WITH) {
    p_syntax_error(p);
    return 0;
  }
  p->nest += 5;
  s->u.insert.select = p_select(p);
  p->nest -= 5;
  if (s->u.insert.select == NULL) return 0;
  Upsert **tail = &s->u.insert.upsert;
  while (p->t.type == TK_ON) {
    p_next(p);
    if (!p_expect(p, TK_CONFLICT)) return 0;
    int more;
    Upsert *u = upsert_clause(p, &more);
    if (u == NULL) return 0;
    *tail = u;
    tail = &u->next;
    if (!more) break;
  }
  return returning(p, &s->u.insert.returning);
}

static SrcItem *new_target(Parser *p) {
  SrcItem *it = shale_malloc_zero(sizeof(SrcItem));
  if (it == NULL) p_oom(p);
  return it;
}

int p_update(Parser *p, Stmt *s) {
  s->kind = ST_UPDATE;
  if (!p_expect(p, TK_UPDATE)) return 0;
  if (p_accept(p, TK_OR)) {
    s->u.update.or_conflict = p_conflict_algo(p);
    if (P_FAILED(p)) return 0;
  }
  SrcItem *it = s->u.update.target = new_target(p);
  if (it == NULL) return 0;
  if (!dml_target(p, ST_UPDATE, &it->db, &it->name, &it->alias)) return 0;
  if (!indexed_opt(p, it)) return 0;
  if (!p_expect(p, TK_SET)) return 0;
  p->nest += 4;
  s->u.update.set = p_setlist(p);
  p->nest -= 4;
  if (s->u.update.set == NULL) return 0;
  if (p_accept(p, TK_FROM)) {
    s->u.update.from = p_from(p);
    if (s->u.update.from == NULL) return 0;
  }
  if (!where_opt(p, &s->u.update.where)) return 0;
  if (!p->in_trigger && !returning(p, &s->u.update.returning)) return 0;
  return order_limit(p, &s->u.update.order_by, &s->u.update.limit, &s->u.update.offset);
}

int p_delete(Parser *p, Stmt *s) {
  s->kind = ST_DELETE;
  if (!p_expect(p, TK_DELETE) || !p_expect(p, TK_FROM)) return 0;
  SrcItem *it = s->u.del.target = new_target(p);
  if (it == NULL) return 0;
  if (!dml_target(p, ST_DELETE, &it->db, &it->name, &it->alias)) return 0;
  if (!indexed_opt(p, it)) return 0;
  p->nest += 2;
  int ok = where_opt(p, &s->u.del.where);
  p->nest -= 2;
  if (!ok) return 0;
  if (!p->in_trigger && !returning(p, &s->u.del.returning)) return 0;
  return order_limit(p, &s->u.del.order_by, &s->u.del.limit, &s->u.del.offset);
}
