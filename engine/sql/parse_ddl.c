/*
** parse_ddl.c — CREATE TABLE / VIEW / INDEX / TRIGGER / VIRTUAL TABLE,
** DROP, ALTER TABLE.
*/
#include "parse_int.h"

static int if_not_exists(Parser *p) {
  if (p->t.type != TK_IF) return 0;
  p_next(p);
  if (!p_expect(p, TK_NOT) || !p_expect(p, TK_EXISTS)) return 0;
  return 1;
}

static int if_exists(Parser *p) {
  if (p->t.type != TK_IF) return 0;
  p_next(p);
  return p_expect(p, TK_EXISTS);
}

/* ON CONFLICT resolvetype, or OE_DEFAULT */
static int onconf(Parser *p) {
  if (p->t.type != TK_ON) return OE_DEFAULT;
  p_next(p);
  if (!p_expect(p, TK_CONFLICT)) return OE_DEFAULT;
  return p_conflict_algo(p);
}

static int refact(Parser *p) {
  if (p_accept(p, TK_SET)) {
    if (p_accept(p, TK_NULL)) return 1;
    if (p_accept(p, TK_DEFAULT)) return 2;
    p_syntax_error(p);
    return 0;
  }
  if (p_accept(p, TK_CASCADE)) return 3;
  if (p_accept(p, TK_RESTRICT)) return 4;
  if (p_accept(p, TK_NO)) {
    p_expect(p, TK_ACTION);
    return 5;
  }
  p_syntax_error(p);
  return 0;
}

/* REFERENCES consumed: nm eidlist_opt refargs */
static ForeignKeyDef *references(Parser *p) {
  ForeignKeyDef *fk = shale_malloc_zero(sizeof(ForeignKeyDef));
  if (fk == NULL) {
    p_oom(p);
    return NULL;
  }
  fk->to_table = p_name(p);
  if (fk->to_table == NULL) goto fail;
  if (p->t.type == TK_LP) {
    fk->to_columns = p_eidlist_opt(p);
    if (fk->to_columns == NULL) goto fail;
  }
  for (;;) {
    if (p_accept(p, TK_MATCH)) {
      char *n = p_name(p);
      if (n == NULL) goto fail;
      sqlite3_free(n);
    } else if (p->t.type == TK_ON) {
      p_next(p);
      int which = p->t.type;
      if (which != TK_INSERT && which != TK_DELETE && which != TK_UPDATE) {
        p_syntax_error(p);
        goto fail;
      }
      p_next(p);
      int a = refact(p);
      if (P_FAILED(p)) goto fail;
      if (which == TK_DELETE) fk->on_delete = a;
      else if (which == TK_UPDATE) fk->on_update = a;
    } else {
      break;
    }
  }
  if (P_FAILED(p)) goto fail;
  return fk;
fail:
  ast_free_fk(fk);
  return NULL;
}

/* [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE] (NOT/DEFERRABLE current) */
static int defer_subclause(Parser *p) {
  int not = p_accept(p, TK_NOT);
  if (!p_expect(p, TK_DEFERRABLE)) return 0;
  int deferred = 0;
  if (p_accept(p, TK_INITIALLY)) {
    if (p_accept(p, TK_DEFERRED)) deferred = 1;
    else if (!p_expect(p, TK_IMMEDIATE)) return 0;
  }
  return !not && deferred;
}

static Expr *and_expr(Parser *p, Expr *a, Expr *b) {
  if (a == NULL) return b;
  Expr *e = ast_expr_new(EX_BINARY);
  if (e == NULL) {
    p_oom(p);
    ast_free_expr(a);
    ast_free_expr(b);
    return NULL;
  }
  e->sub_op = OP_AND_;
  e->left = a;
  e->right = b;
  e->pos = b->pos;
  return e;
}

static int is_term_start(int t) {
  return t == TK_NULL || t == TK_FLOAT || t == TK_BLOB || t == TK_STRING ||
         t == TK_INTEGER || t == TK_CURRENT_TIME || t == TK_CURRENT_DATE ||
         t == TK_CURRENT_TIMESTAMP;
}

/* DEFAULT consumed */
static int default_value(Parser *p, ColumnDef *c) {
  int t = p->t.type, start = p->t.pos;
  if (t == TK_LP) {
    p_next(p);
    int inner = p->t.pos;
    c->default_value = p_expr(p);
    if (c->default_value == NULL) return 0;
    int end = p->t.pos;
    if (!p_expect(p, TK_RP)) return 0;
    c->default_text = p_text(p, inner, end);
    return !P_FAILED(p);
  }
  if (t == TK_PLUS || t == TK_MINUS) {
    p_next(p);
    if (!is_term_start(p->t.type)) {
      p_syntax_error(p);
      return 0;
    }
    Expr *x = p_expr_prec(p, 13);
    if (x == NULL) return 0;
    if (t == TK_MINUS) {
      Expr *e = ast_expr_new(EX_UNARY);
      if (e == NULL) {
        ast_free_expr(x);
        p_oom(p);
        return 0;
      }
      e->sub_op = UN_NEG;
      e->pos = start;
      e->left = x;
      x = e;
    }
    c->default_value = x;
    c->default_text = p_text(p, start, p->prev_end);
    return !P_FAILED(p);
  }
  if (is_term_start(t)) {
    if (t == TK_STRING && p_peek(p, NULL) == TK_DOT) { /* a term, not a name */
      p_next(p);
      p_syntax_error(p);
      return 0;
    }
    c->default_value = p_expr_prec(p, 13);
    if (c->default_value == NULL) return 0;
    c->default_text = p_text(p, start, p->prev_end);
    return !P_FAILED(p);
  }
  if (tk_is_id(t)) {
    Expr *e = ast_expr_new(EX_STRING);
    if (e == NULL) {
      p_oom(p);
      return 0;
    }
    e->pos = start;
    e->text = p_token_name(p, &p->t);
    if (e->text) e->n_text = (int)strlen(e->text);
    if (p->t.type == TK_ID && p->z[start] != '"' && e->text) {
      if (shale_stricmp(e->text, "true") == 0) e->op = EX_TRUE;
      else if (shale_stricmp(e->text, "false") == 0) e->op = EX_FALSE;
    }
    c->default_value = e;
    p_next(p);
    c->default_text = p_text(p, start, p->prev_end);
    return !P_FAILED(p);
  }
  p_syntax_error(p);
  return 0;
}

/* Tokens that may follow a column constraint. */
static int ccons_follow(int t) {
  switch (t) {
    case TK_COMMA: case TK_RP: case TK_CONSTRAINT: case TK_DEFAULT: case TK_NULL:
    case TK_NOT: case TK_PRIMARY: case TK_UNIQUE: case TK_CHECK: case TK_REFERENCES:
    case TK_DEFERRABLE: case TK_COLLATE: case TK_GENERATED: case TK_AS:
      return 1;
    default:
      return 0;
  }
}

/* columnname carglist; fills c.  Returns 0 on error. */
static int column_def(Parser *p, ColumnDef *c) {
  c->name = p_name(p);
  if (c->name == NULL) return 0;
  c->type = p_typetoken(p);
  if (P_FAILED(p)) return 0;
  for (;;) {
    int t = p->t.type;
    if (t == TK_CONSTRAINT) {
      p_next(p);
      char *n = p_name(p);
      if (n == NULL) return 0;
      sqlite3_free(n);
    } else if (t == TK_DEFAULT) {
      p_next(p);
      if (c->default_value) {
        ast_free_expr(c->default_value);
        sqlite3_free(c->default_text);
        c->default_value = NULL;
        c->default_text = NULL;
      }
      p->nest += 2;
      int ok = default_value(p, c);
      p->nest -= 2;
      if (!ok) return 0;
    } else if (t == TK_NULL) {
      p_next(p);
      onconf(p);
    } else if (t == TK_NOT) {
      if (p_peek(p, NULL) == TK_DEFERRABLE) {
        int d = defer_subclause(p);
        if (c->fk) c->fk->deferrable = d;
      } else {
        p_next(p);
        if (!p_expect(p, TK_NULL)) return 0;
        c->not_null = 1 + onconf(p);
      }
    } else if (t == TK_PRIMARY) {
      p_next(p);
      if (!p_expect(p, TK_KEY)) return 0;
      if (p_accept(p, TK_DESC)) c->pk_desc = 1;
      else p_accept(p, TK_ASC);
      c->primary_key = 1 + onconf(p);
      if (p_accept(p, TK_AUTOINCREMENT)) c->autoincrement = 1;
    } else if (t == TK_UNIQUE) {
      p_next(p);
      c->unique = 1 + onconf(p);
    } else if (t == TK_CHECK) {
      p_next(p);
      if (!p_expect(p, TK_LP)) return 0;
      p->nest += 2;
      Expr *e = p_expr(p);
      p->nest -= 2;
      if (e == NULL) return 0;
      c->check = and_expr(p, c->check, e);
      if (!p_expect(p, TK_RP)) return 0;
    } else if (t == TK_REFERENCES) {
      p_next(p);
      ForeignKeyDef *fk = references(p);
      if (fk == NULL) return 0;
      ast_free_fk(c->fk);
      c->fk = fk;
    } else if (t == TK_DEFERRABLE) {
      int d = defer_subclause(p);
      if (c->fk) c->fk->deferrable = d;
    } else if (t == TK_COLLATE) {
      p_next(p);
      if (!tk_is_ids(p->t.type)) {
        p_syntax_error(p);
        return 0;
      }
      sqlite3_free(c->collate);
      c->collate = p_token_name(p, &p->t);
      p_next(p);
    } else if (t == TK_GENERATED || t == TK_AS) {
      if (t == TK_GENERATED) {
        p_next(p);
        if (!p_expect(p, TK_ALWAYS)) return 0;
      }
      if (!p_expect(p, TK_AS) || !p_expect(p, TK_LP)) return 0;
      Expr *e = p_expr(p);
      if (e == NULL) return 0;
      ast_free_expr(c->generated);
      c->generated = e;
      if (!p_expect(p, TK_RP)) return 0;
      c->generated_stored = 0;
      if (tk_is_id(p->t.type) && p->t.type != TK_INDEXED) {
        Token kw = p->t;
        p_next(p);
        if (kw.n == 6 && shale_strnicmp(p->z + kw.pos, "stored", 6) == 0) {
          c->generated_stored = 1;
        } else if (!(kw.n == 7 && shale_strnicmp(p->z + kw.pos, "virtual", 7) == 0)) {
          if (!ccons_follow(p->t.type)) p_syntax_error(p);
          p_error(p, kw.pos, "error in generated column \"%s\"", c->name);
          return 0;
        }
      }
    } else {
      break;
    }
    if (P_FAILED(p)) return 0;
  }
  return !P_FAILED(p);
}

static int table_constraint(Parser *p, TableConstraint *k) {
  if (p_accept(p, TK_CONSTRAINT)) {
    k->name = p_name(p);
    if (k->name == NULL) return 0;
    int t = p->t.type;
    /* "CONSTRAINT name" alone is a (no-op) table constraint in SQLite */
    if (t != TK_PRIMARY && t != TK_UNIQUE && t != TK_CHECK && t != TK_FOREIGN) return 2;
  }
  int t = p->t.type;
  if (t == TK_PRIMARY || t == TK_UNIQUE) {
    p_next(p);
    k->type = t == TK_PRIMARY ? TC_PRIMARY_KEY : TC_UNIQUE;
    if (t == TK_PRIMARY && !p_expect(p, TK_KEY)) return 0;
    if (!p_expect(p, TK_LP)) return 0;
    k->columns = p_sortlist(p);
    if (k->columns == NULL) return 0;
    if (t == TK_PRIMARY && p_accept(p, TK_AUTOINCREMENT)) k->autoincrement = 1;
    if (!p_expect(p, TK_RP)) return 0;
    k->on_conflict = onconf(p);
  } else if (t == TK_CHECK) {
    p_next(p);
    k->type = TC_CHECK;
    if (!p_expect(p, TK_LP)) return 0;
    k->check = p_expr(p);
    if (k->check == NULL || !p_expect(p, TK_RP)) return 0;
    k->on_conflict = onconf(p);
  } else if (t == TK_FOREIGN) {
    p_next(p);
    k->type = TC_FOREIGN_KEY;
    if (!p_expect(p, TK_KEY)) return 0;
    if (p->t.type != TK_LP) {
      p_syntax_error(p);
      return 0;
    }
    IdList *from = p_eidlist_opt(p);
    if (from == NULL) return 0;
    if (!p_expect(p, TK_REFERENCES)) {
      ast_free_id_list(from);
      return 0;
    }
    k->fk = references(p);
    if (k->fk == NULL) {
      ast_free_id_list(from);
      return 0;
    }
    k->fk->from_columns = from;
    if (p->t.type == TK_DEFERRABLE || p->t.type == TK_NOT)
      k->fk->deferrable = defer_subclause(p);
  } else {
    p_syntax_error(p);
    return 0;
  }
  return !P_FAILED(p);
}

static int is_tcons_start(int t) {
  return t == TK_CONSTRAINT || t == TK_PRIMARY || t == TK_UNIQUE || t == TK_CHECK ||
         t == TK_FOREIGN;
}

static int create_table(Parser *p, Stmt *s) {
  s->kind = ST_CREATE_TABLE;
  s->u.create_table.if_not_exists = if_not_exists(p);
  if (P_FAILED(p)) return 0;
  if (!p_fullname(p, &s->u.create_table.db, &s->u.create_table.name)) return 0;
  if (p_accept(p, TK_AS)) {
    s->u.create_table.as_select = p_select(p);
    return s->u.create_table.as_select != NULL;
  }
  if (!p_expect(p, TK_LP)) return 0;
  int col_alloc = 0, cons_alloc = 0;
  int in_cons = 0;
  for (;;) {
    if (!in_cons) {
      if (s->u.create_table.n_col >= col_alloc) {
        int na = col_alloc ? col_alloc * 2 : 8;
        ColumnDef *a = sqlite3_realloc64(s->u.create_table.cols, sizeof(ColumnDef) * (u64)na);
        if (a == NULL) { p_oom(p); return 0; }
        s->u.create_table.cols = a;
        col_alloc = na;
      }
      ColumnDef *c = &s->u.create_table.cols[s->u.create_table.n_col++];
      memset(c, 0, sizeof(*c));
      if (!column_def(p, c)) return 0;
      if (!p_accept(p, TK_COMMA)) break;
      if (is_tcons_start(p->t.type)) in_cons = 1;
      continue;
    }
    if (s->u.create_table.n_cons >= cons_alloc) {
      int na = cons_alloc ? cons_alloc * 2 : 4;
      TableConstraint *a = sqlite3_realloc64(s->u.create_table.cons, sizeof(TableConstraint) * (u64)na);
      if (a == NULL) { p_oom(p); return 0; }
      s->u.create_table.cons = a;
      cons_alloc = na;
    }
    TableConstraint *k = &s->u.create_table.cons[s->u.create_table.n_cons++];
    memset(k, 0, sizeof(*k));
    int rc = table_constraint(p, k);
    if (!rc) return 0;
    if (rc == 2) { /* name only: nothing to record */
      sqlite3_free(k->name);
      s->u.create_table.n_cons--;
    }
    if (p_accept(p, TK_COMMA)) continue;
    if (is_tcons_start(p->t.type)) continue;
    break;
  }
  if (!p_expect(p, TK_RP)) return 0;
  /* table options: [WITHOUT] nm {, [WITHOUT] nm}; a leading comma is
  ** accepted as SQLite's grammar does */
  int more = p->t.type == TK_WITHOUT || tk_is_nm(p->t.type) || p_accept(p, TK_COMMA);
  while (more) {
    int without = p_accept(p, TK_WITHOUT);
    Token t = p->t;
    if (!tk_is_nm(t.type)) {
      p_syntax_error(p);
      return 0;
    }
    p_next(p);
    if (P_FAILED(p)) return 0;
    if (p->t.type != TK_COMMA && p->t.type != TK_SEMI && p->t.type != TK_EOF) {
      p_syntax_error(p);
      return 0;
    }
    if (without && p_name_eq(p, &t, "rowid")) {
      s->u.create_table.without_rowid = 1;
    } else if (!without && p_name_eq(p, &t, "strict")) {
      s->u.create_table.strict = 1;
    } else {
      p_error(p, t.pos, "unknown table option: %.*s", t.n, p->z + t.pos);
      return 0;
    }
    more = p_accept(p, TK_COMMA);
  }
  return !P_FAILED(p);
}

static int create_view(Parser *p, Stmt *s) {
  s->kind = ST_CREATE_VIEW;
  s->u.create_view.if_not_exists = if_not_exists(p);
  if (P_FAILED(p)) return 0;
  if (!p_fullname(p, &s->u.create_view.db, &s->u.create_view.name)) return 0;
  if (p->t.type == TK_LP) {
    s->u.create_view.columns = p_eidlist_opt(p);
    if (s->u.create_view.columns == NULL) return 0;
  }
  if (!p_expect(p, TK_AS)) return 0;
  s->u.create_view.select = p_select(p);
  return s->u.create_view.select != NULL;
}

static int create_index(Parser *p, Stmt *s) {
  s->kind = ST_CREATE_INDEX;
  s->u.create_index.if_not_exists = if_not_exists(p);
  if (P_FAILED(p)) return 0;
  if (!p_fullname(p, &s->u.create_index.db, &s->u.create_index.name)) return 0;
  if (!p_expect(p, TK_ON)) return 0;
  s->u.create_index.table = p_name(p);
  if (s->u.create_index.table == NULL) return 0;
  if (!p_expect(p, TK_LP)) return 0;
  p->nest += 5;
  s->u.create_index.columns = p_sortlist(p);
  p->nest -= 5;
  if (s->u.create_index.columns == NULL || !p_expect(p, TK_RP)) return 0;
  if (p_accept(p, TK_WHERE)) {
    s->u.create_index.where = p_expr(p);
    if (s->u.create_index.where == NULL) return 0;
  }
  return !P_FAILED(p);
}

static TriggerStep *trigger_step(Parser *p) {
  TriggerStep *ts = shale_malloc_zero(sizeof(TriggerStep));
  Stmt *s = shale_malloc_zero(sizeof(Stmt));
  if (ts == NULL || s == NULL) {
    sqlite3_free(ts);
    sqlite3_free(s);
    p_oom(p);
    return NULL;
  }
  ts->stmt = s;
  s->pos = p->t.pos;
  int ok;
  switch (p->t.type) {
    case TK_UPDATE: ok = p_update(p, s); break;
    case TK_INSERT: case TK_REPLACE: ok = p_insert(p, s); break;
    case TK_DELETE: ok = p_delete(p, s); break;
    case TK_SELECT: case TK_VALUES: case TK_WITH:
      s->kind = ST_SELECT;
      s->u.select = p_select(p);
      ok = s->u.select != NULL;
      break;
    default:
      p_syntax_error(p);
      ok = 0;
      break;
  }
  ts->kind = s->kind;
  s->end = p->prev_end;
  if (!ok || P_FAILED(p)) {
    if (!P_FAILED(p)) p_syntax_error(p);
    ast_free_trigger_steps(ts);
    return NULL;
  }
  return ts;
}

static int create_trigger(Parser *p, Stmt *s) {
  s->kind = ST_CREATE_TRIGGER;
  s->u.create_trigger.if_not_exists = if_not_exists(p);
  if (P_FAILED(p)) return 0;
  if (!p_fullname(p, &s->u.create_trigger.db, &s->u.create_trigger.name)) return 0;
  if (p_accept(p, TK_BEFORE)) s->u.create_trigger.time = 0;
  else if (p_accept(p, TK_AFTER)) s->u.create_trigger.time = 1;
  else if (p_accept(p, TK_INSTEAD)) {
    if (!p_expect(p, TK_OF)) return 0;
    s->u.create_trigger.time = 2;
  }
  int t = p->t.type;
  if (t == TK_DELETE) s->u.create_trigger.event = ST_DELETE;
  else if (t == TK_INSERT) s->u.create_trigger.event = ST_INSERT;
  else if (t == TK_UPDATE) s->u.create_trigger.event = ST_UPDATE;
  else {
    p_syntax_error(p);
    return 0;
  }
  p_next(p);
  if (t == TK_UPDATE && p_accept(p, TK_OF)) {
    s->u.create_trigger.update_of = p_idlist(p);
    if (s->u.create_trigger.update_of == NULL) return 0;
  }
  if (!p_expect(p, TK_ON)) return 0;
  if (!p_fullname(p, &s->u.create_trigger.table_db, &s->u.create_trigger.table)) return 0;
  if (p_accept(p, TK_FOR)) {
    if (!p_expect(p, TK_EACH) || !p_expect(p, TK_ROW)) return 0;
    s->u.create_trigger.for_each_row = 1;
  }
  if (p_accept(p, TK_WHEN)) {
    s->u.create_trigger.when = p_expr(p);
    if (s->u.create_trigger.when == NULL) return 0;
  }
  if (!p_expect(p, TK_BEGIN)) return 0;
  TriggerStep **tail = &s->u.create_trigger.steps;
  p->in_trigger = 1;
  do {
    p->nest += 4;
    TriggerStep *ts = trigger_step(p);
    p->nest -= 4;
    if (ts == NULL) {
      p->in_trigger = 0;
      return 0;
    }
    *tail = ts;
    tail = &ts->next;
    if (!p_expect(p, TK_SEMI)) {
      p->in_trigger = 0;
      return 0;
    }
  } while (p->t.type != TK_END);
  p->in_trigger = 0;
  return p_expect(p, TK_END);
}

static int create_vtab(Parser *p, Stmt *s) {
  s->kind = ST_CREATE_VIRTUAL_TABLE;
  s->u.create_vtab.if_not_exists = if_not_exists(p);
  if (P_FAILED(p)) return 0;
  if (!p_fullname(p, &s->u.create_vtab.db, &s->u.create_vtab.name)) return 0;
  if (!p_expect(p, TK_USING)) return 0;
  s->u.create_vtab.module = p_name(p);
  if (s->u.create_vtab.module == NULL) return 0;
  if (!p_accept(p, TK_LP)) return !P_FAILED(p);
  int depth = 0, arg_start = -1, arg_end = -1, alloc = 0;
  for (;;) {
    int t = p->t.type;
    if (t == TK_EOF) {
      p_syntax_error(p);
      return 0;
    }
    if (depth == 0 && (t == TK_COMMA || t == TK_RP)) {
      if (arg_start >= 0) {
        if (s->u.create_vtab.n_arg >= alloc) {
          int na = alloc ? alloc * 2 : 4;
          char **a = sqlite3_realloc64(s->u.create_vtab.args, sizeof(char *) * (u64)na);
          if (a == NULL) { p_oom(p); return 0; }
          s->u.create_vtab.args = a;
          alloc = na;
        }
        char *arg = p_text(p, arg_start, arg_end);
        if (arg == NULL) return 0;
        s->u.create_vtab.args[s->u.create_vtab.n_arg++] = arg;
      }
      arg_start = -1;
      p_next(p);
      if (t == TK_RP) break;
      continue;
    }
    if (t == TK_LP) depth++;
    else if (t == TK_RP) depth--;
    if (arg_start < 0) arg_start = p->t.pos;
    arg_end = p->t.pos + p->t.n;
    p_next(p);
    if (P_FAILED(p)) return 0;
  }
  return !P_FAILED(p);
}

int p_create(Parser *p, Stmt *s) {
  int temp = 0;
  if (p_accept(p, TK_TEMP) || p_accept(p, TK_TEMPORARY)) temp = 1;
  int t = p->t.type;
  if (t == TK_TABLE) {
    p_next(p);
    s->kind = ST_CREATE_TABLE;
    s->u.create_table.temp = temp;
    return create_table(p, s);
  }
  if (t == TK_VIEW) {
    p_next(p);
    s->kind = ST_CREATE_VIEW;
    s->u.create_view.temp = temp;
    return create_view(p, s);
  }
  if (t == TK_TRIGGER) {
    p_next(p);
    s->kind = ST_CREATE_TRIGGER;
    s->u.create_trigger.temp = temp;
    return create_trigger(p, s);
  }
  if (!temp) {
    if (t == TK_UNIQUE) {
      p_next(p);
      s->kind = ST_CREATE_INDEX;
      s->u.create_index.unique = 1;
      if (!p_expect(p, TK_INDEX)) return 0;
      return create_index(p, s);
    }
    if (t == TK_INDEX) {
      p_next(p);
      return create_index(p, s);
    }
    if (t == TK_VIRTUAL) {
      p_next(p);
      if (!p_expect(p, TK_TABLE)) return 0;
      return create_vtab(p, s);
    }
  }
  p_syntax_error(p);
  return 0;
}

int p_drop(Parser *p, Stmt *s) {
  switch (p->t.type) {
    case TK_TABLE: s->kind = ST_DROP_TABLE; break;
    case TK_VIEW: s->kind = ST_DROP_VIEW; break;
    case TK_INDEX: s->kind = ST_DROP_INDEX; break;
    case TK_TRIGGER: s->kind = ST_DROP_TRIGGER; break;
    default: p_syntax_error(p); return 0;
  }
  p_next(p);
  s->u.drop.if_exists = if_exists(p);
  if (P_FAILED(p)) return 0;
  return p_fullname(p, &s->u.drop.db, &s->u.drop.name);
}

int p_alter(Parser *p, Stmt *s) {
  s->kind = ST_ALTER_TABLE;
  if (!p_expect(p, TK_TABLE)) return 0;
  if (!p_fullname(p, &s->u.alter.db, &s->u.alter.table)) return 0;
  if (p_accept(p, TK_RENAME)) {
    if (p_accept(p, TK_TO)) {
      s->u.alter.action = 1;
      s->u.alter.new_name = p_name(p);
      return s->u.alter.new_name != NULL;
    }
    p_accept(p, TK_COLUMN);
    s->u.alter.action = 2;
    s->u.alter.column = p_name(p);
    if (s->u.alter.column == NULL || !p_expect(p, TK_TO)) return 0;
    s->u.alter.new_name = p_name(p);
    return s->u.alter.new_name != NULL;
  }
  if (p_accept(p, TK_ADD)) {
    p_accept(p, TK_COLUMN);
    s->u.alter.action = 3;
    s->u.alter.add = shale_malloc_zero(sizeof(ColumnDef));
    if (s->u.alter.add == NULL) {
      p_oom(p);
      return 0;
    }
    return column_def(p, s->u.alter.add);
  }
  if (p_accept(p, TK_DROP)) {
    p_accept(p, TK_COLUMN);
    s->u.alter.action = 4;
    s->u.alter.column = p_name(p);
    return s->u.alter.column != NULL;
  }
  p_syntax_error(p);
  return 0;
}
