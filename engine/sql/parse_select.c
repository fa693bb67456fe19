/*
** parse_select.c — SELECT: WITH clauses, compound selects, VALUES, result
** columns, FROM/joins, GROUP BY, HAVING, WINDOW, ORDER BY, LIMIT.
*/
#include "parse_int.h"

#define MAX_COMPOUND_SELECT 500

/* Type of the token two ahead (after the next one). */
static int peek2(Parser *p) {
  int pos, type;
  p_peek(p, &pos);
  int n = sql_get_token((const unsigned char *)p->z + pos, &type);
  pos += n;
  for (;;) {
    n = sql_get_token((const unsigned char *)p->z + pos, &type);
    if (type != TK_SPACE) break;
    pos += n;
  }
  return type;
}

/* --------------------------------------------------------------- lists -- */
IdList *p_idlist(Parser *p) {
  IdList *l = NULL;
  do {
    char *n = p_name(p);
    if (n == NULL) {
      ast_free_id_list(l);
      return NULL;
    }
    l = ast_id_list_append(l, n);
    if (l == NULL) {
      p_oom(p);
      return NULL;
    }
  } while (p_accept(p, TK_COMMA));
  return l;
}

IdList *p_eidlist_opt(Parser *p) {
  if (!p_accept(p, TK_LP)) return NULL;
  IdList *l = NULL;
  do {
    Token nt = p->t;
    char *n = p_name(p);
    if (n == NULL) goto fail;
    l = ast_id_list_append(l, n);
    if (l == NULL) {
      p_oom(p);
      return NULL;
    }
    int bad = 0;
    if (p_accept(p, TK_COLLATE)) {
      bad = 1;
      if (!tk_is_ids(p->t.type)) {
        p_syntax_error(p);
        goto fail;
      }
      p_next(p);
    }
    if (p_accept(p, TK_ASC) || p_accept(p, TK_DESC)) bad = 1;
    if (P_FAILED(p)) goto fail;
    if (bad) {
      if (p->t.type != TK_COMMA && p->t.type != TK_RP) {
        p_syntax_error(p);
        goto fail;
      }
      p_error(p, nt.pos, "syntax error after column name \"%.*s\"", nt.n, p->z + nt.pos);
      goto fail;
    }
  } while (p_accept(p, TK_COMMA));
  if (!p_expect(p, TK_RP)) goto fail;
  return l;
fail:
  ast_free_id_list(l);
  return NULL;
}

ExprList *p_sortlist(Parser *p) {
  ExprList *l = NULL;
  do {
    Expr *e = p_expr(p);
    if (e == NULL) goto fail;
    l = ast_expr_list_append(l, e);
    if (l == NULL) {
      p_oom(p);
      return NULL;
    }
    ExprListItem *it = &l->a[l->n - 1];
    if (e->op == EX_COLLATE && e->text) {
      it->collate = shale_strdup(e->text);
      if (it->collate == NULL) { p_oom(p); goto fail; }
    }
    if (p_accept(p, TK_ASC)) it->sort_desc = 0;
    else if (p_accept(p, TK_DESC)) it->sort_desc = 1;
    if (p_accept(p, TK_NULLS)) {
      if (p_accept(p, TK_FIRST)) it->nulls = 1;
      else if (p_accept(p, TK_LAST)) it->nulls = 2;
      else {
        p_syntax_error(p);
        goto fail;
      }
    }
    if (P_FAILED(p)) goto fail;
  } while (p_accept(p, TK_COMMA));
  return l;
fail:
  ast_free_expr_list(l);
  return NULL;
}

/* selcollist: expr [[AS] alias] | * | nm.* */
ExprList *p_result_columns(Parser *p) {
  ExprList *l = NULL;
  do {
    int start = p->t.pos;
    Expr *e;
    if (p->t.type == TK_STAR) {
      e = ast_expr_new(EX_STAR);
      if (e == NULL) { p_oom(p); goto fail; }
      e->pos = start;
      p_next(p);
      l = ast_expr_list_append(l, e);
      if (l == NULL) { p_oom(p); return NULL; }
      continue;
    }
    if (tk_is_nm(p->t.type) && p_peek(p, NULL) == TK_DOT && peek2(p) == TK_STAR) {
      e = ast_expr_new(EX_STAR);
      if (e == NULL) { p_oom(p); goto fail; }
      e->pos = start;
      e->table = p_token_name(p, &p->t);
      p_next(p);
      p_next(p);
      p_next(p);
      l = ast_expr_list_append(l, e);
      if (l == NULL) { p_oom(p); return NULL; }
      if (P_FAILED(p)) goto fail;
      continue;
    }
    e = p_expr(p);
    if (e == NULL) goto fail;
    int end = p->t.pos;
    l = ast_expr_list_append(l, e);
    if (l == NULL) { p_oom(p); return NULL; }
    ExprListItem *it = &l->a[l->n - 1];
    it->span = p_text(p, start, end);
    if (p_accept(p, TK_AS)) {
      it->alias = p_name(p);
      if (it->alias == NULL) goto fail;
    } else if (tk_is_ids(p->t.type)) {
      it->alias = p_token_name(p, &p->t);
      p_next(p);
    }
    if (P_FAILED(p)) goto fail;
  } while (p_accept(p, TK_COMMA));
  return l;
fail:
  ast_free_expr_list(l);
  return NULL;
}

/* ---------------------------------------------------------------- FROM -- */
static const struct { const char *kw; int n; int bits; } join_words[] = {
    {"natural", 7, JT_NATURAL},
    {"left", 4, JT_LEFT | JT_OUTER},
    {"outer", 5, JT_OUTER},
    {"right", 5, JT_RIGHT | JT_OUTER},
    {"full", 4, JT_LEFT | JT_RIGHT | JT_OUTER | JT_FULL},
    {"inner", 5, JT_INNER},
    {"cross", 5, JT_INNER | JT_CROSS},
};

/* joinop after the first JOIN_KW (current token).  Returns JT_* or -1. */
static int join_op(Parser *p) {
  Token w[3];
  int nw = 0;
  while (p->t.type != TK_JOIN) {
    if (nw == 3 || (nw == 0 ? !tk_is_join_kw(p->t.type) : !tk_is_nm(p->t.type))) {
      p_syntax_error(p);
      return -1;
    }
    w[nw++] = p->t;
    p_next(p);
    if (P_FAILED(p)) return -1;
  }
  int start = p->t.pos;
  p_next(p); /* JOIN */
  if (P_FAILED(p)) return -1;
  if (!tk_is_nm(p->t.type) && p->t.type != TK_LP) {
    p_syntax_error(p);
    return -1;
  }
  int bits = 0, bad = 0;
  for (int i = 0; i < nw; i++) {
    int found = 0;
    for (unsigned j = 0; j < SHALE_ARRAY_SIZE(join_words); j++) {
      if (w[i].n == join_words[j].n &&
          shale_strnicmp(p->z + w[i].pos, join_words[j].kw, w[i].n) == 0) {
        bits |= join_words[j].bits;
        found = 1;
        break;
      }
    }
    if (!found) bad = 1;
  }
  if (bad || (bits & (JT_INNER | JT_OUTER)) == (JT_INNER | JT_OUTER) ||
      (bits & (JT_OUTER | JT_LEFT | JT_RIGHT)) == JT_OUTER) {
    char msg[200];
    int k = 0;
    for (int i = 0; i < nw; i++) {
      int n = w[i].n < 60 ? w[i].n : 60;
      if (i) msg[k++] = ' ';
      memcpy(msg + k, p->z + w[i].pos, (size_t)n);
      k += n;
    }
    msg[k] = 0;
    p_error(p, start, "unknown join type: %s", msg);
    return -1;
  }
  if (bits == 0) bits = JT_INNER;
  return bits;
}

static int src_item(Parser *p, SrcList **plist, int join_type, int nested);
static SrcList *from_list(Parser *p, int nested);

/* Tokens that may follow a FROM-clause term (an LALR parser detects a bad
** token here before it reduces the term). */
static int from_follow(int t, int nested) {
  if (nested) return t == TK_RP || t == TK_COMMA || t == TK_JOIN || tk_is_join_kw(t);
  switch (t) {
    case TK_COMMA: case TK_JOIN: case TK_WHERE: case TK_GROUP: case TK_HAVING:
    case TK_WINDOW: case TK_ORDER: case TK_LIMIT: case TK_RP: case TK_SEMI:
    case TK_EOF: case TK_UNION: case TK_EXCEPT: case TK_INTERSECT:
    case TK_RETURNING:
      return 1;
    default:
      return tk_is_join_kw(t);
  }
}

/* seltablist (after FROM) */
SrcList *p_from(Parser *p) { return from_list(p, 0); }

static SrcList *from_list(Parser *p, int nested) {
  SrcList *l = NULL;
  int jt = 0;
  for (;;) {
    if (!src_item(p, &l, jt, nested)) {
      ast_free_src_list(l);
      return NULL;
    }
    int t = p->t.type;
    if (t == TK_COMMA) {
      p_next(p);
      jt = JT_INNER;
    } else if (t == TK_JOIN) {
      p_next(p);
      jt = JT_INNER;
    } else if (tk_is_join_kw(t)) {
      jt = join_op(p);
      if (jt < 0) {
        ast_free_src_list(l);
        return NULL;
      }
    } else {
      break;
    }
  }
  return l;
}

static int src_item(Parser *p, SrcList **plist, int join_type, int nested) {
  SrcList *l = ast_src_list_append(*plist);
  *plist = l;
  if (l == NULL) {
    p_oom(p);
    return 0;
  }
  SrcItem *it = &l->a[l->n - 1];
  it->join_type = join_type;
  int allow_indexed = 0;
  if (p_accept(p, TK_LP)) {
    int t = p->t.type;
    if (t == TK_SELECT || t == TK_VALUES || t == TK_WITH) {
      if (!p_enter(p, 4)) return 0;
      it->subquery = p_select(p);
      p_leave(p, 4);
      if (it->subquery == NULL) return 0;
    } else {
      if (!p_enter(p, 2)) return 0;
      SrcList *inner = from_list(p, 1);
      p_leave(p, 2);
      if (inner == NULL) return 0;
      it = &l->a[l->n - 1];
      if (inner->n == 1) {
        SrcItem *o = &inner->a[0];
        it->db = o->db; o->db = NULL;
        it->name = o->name; o->name = NULL;
        it->subquery = o->subquery; o->subquery = NULL;
        it->func_args = o->func_args; o->func_args = NULL;
        it->indexed_by = o->indexed_by; o->indexed_by = NULL;
        it->not_indexed = o->not_indexed;
        ast_free_src_list(inner);
      } else {
        Select *s = shale_malloc_zero(sizeof(Select));
        Expr *star = ast_expr_new(EX_STAR);
        if (s == NULL || star == NULL) {
          sqlite3_free(s);
          ast_free_expr(star);
          ast_free_src_list(inner);
          p_oom(p);
          return 0;
        }
        s->from = inner;
        s->result = ast_expr_list_append(NULL, star);
        s->sel_id = ++p->n_select;
        it->subquery = s;
        if (s->result == NULL) {
          p_oom(p);
          return 0;
        }
      }
    }
    if (!p_expect(p, TK_RP)) return 0;
  } else {
    char *db, *name;
    int ok = p_fullname(p, &db, &name);
    it = &l->a[l->n - 1];
    it->db = db;
    it->name = name;
    if (!ok) return 0;
    if (p_accept(p, TK_LP)) {
      if (!p_enter(p, 3)) return 0;
      if (p->t.type != TK_RP) {
        it->func_args = p_expr_list(p, NULL, 0);
        if (it->func_args == NULL) { p_leave(p, 3); return 0; }
      } else {
        it->func_args = shale_malloc_zero(sizeof(ExprList));
        if (it->func_args == NULL) { p_oom(p); p_leave(p, 3); return 0; }
      }
      p_leave(p, 3);
      if (!p_expect(p, TK_RP)) return 0;
    } else {
      allow_indexed = 1;
    }
  }
  it = &l->a[l->n - 1];
  if (p_accept(p, TK_AS)) {
    it->alias = p_name(p);
    if (it->alias == NULL) return 0;
  } else if (tk_is_ids(p->t.type)) {
    it->alias = p_token_name(p, &p->t);
    p_next(p);
  }
  if (allow_indexed) {
    if (p_accept(p, TK_INDEXED)) {
      if (!p_expect(p, TK_BY)) return 0;
      it->indexed_by = p_name(p);
      if (it->indexed_by == NULL) return 0;
    } else if (p->t.type == TK_NOT) {
      p_next(p);
      if (!p_expect(p, TK_INDEXED)) return 0;
      it->not_indexed = 1;
    }
  }
  int on_pos = p->t.pos;
  if (p_accept(p, TK_ON)) {
    if (l->n == 1) {
      /* SQLite reports this once the ON expression is parsed */
      Expr *e = p_expr(p);
      ast_free_expr(e);
      if (P_FAILED(p)) return 0;
      if (!from_follow(p->t.type, nested)) {
        p_syntax_error(p);
        return 0;
      }
      p_error(p, on_pos, "a JOIN clause is required before ON");
      return 0;
    }
    p->nest += 3;
    it->on = p_expr(p);
    p->nest -= 3;
    if (it->on == NULL) return 0;
  } else if (p_accept(p, TK_USING)) {
    if (!p_expect(p, TK_LP)) return 0;
    it->using_ = p_idlist(p);
    if (it->using_ == NULL || !p_expect(p, TK_RP)) return 0;
    if (l->n == 1) {
      if (!from_follow(p->t.type, nested)) {
        p_syntax_error(p);
        return 0;
      }
      p_error(p, on_pos, "a JOIN clause is required before USING");
      return 0;
    }
  }
  return !P_FAILED(p);
}

/* ---------------------------------------------------------------- WITH -- */
With *p_with(Parser *p) {
  With *w = shale_malloc_zero(sizeof(With));
  if (w == NULL) {
    p_oom(p);
    return NULL;
  }
  if (p_accept(p, TK_RECURSIVE)) w->recursive = 1;
  int alloc = 0;
  do {
    if (w->n >= alloc) {
      int na = alloc ? alloc * 2 : 4;
      Cte *a = sqlite3_realloc64(w->a, sizeof(Cte) * (u64)na);
      if (a == NULL) {
        p_oom(p);
        goto fail;
      }
      w->a = a;
      alloc = na;
    }
    Cte *c = &w->a[w->n++];
    memset(c, 0, sizeof(*c));
    c->name = p_name(p);
    if (c->name == NULL) goto fail;
    if (p->t.type == TK_LP) {
      c->columns = p_eidlist_opt(p);
      if (c->columns == NULL) goto fail;
    }
    if (!p_expect(p, TK_AS)) goto fail;
    if (p_accept(p, TK_MATERIALIZED)) c->materialized = 1;
    else if (p_accept(p, TK_NOT)) {
      if (!p_expect(p, TK_MATERIALIZED)) goto fail;
      c->materialized = 2;
    }
    if (!p_expect(p, TK_LP)) goto fail;
    if (!p_enter(p, 5)) goto fail;
    c->select = p_select(p);
    p_leave(p, 5);
    if (c->select == NULL || !p_expect(p, TK_RP)) goto fail;
  } while (p_accept(p, TK_COMMA));
  return w;
fail:
  ast_free_with(w);
  return NULL;
}

/* ------------------------------------------------------------- SELECT --- */
static Select *new_select(Parser *p) {
  Select *s = shale_malloc_zero(sizeof(Select));
  if (s == NULL) p_oom(p);
  else s->pos = p->t.pos;
  return s;
}

static int order_limit2(Parser *p, Select *s);

static int order_limit(Parser *p, Select *s) {
  p->nest += 5;
  int ok = order_limit2(p, s);
  p->nest -= 5;
  return ok;
}

static int order_limit2(Parser *p, Select *s) {
  if (p_accept(p, TK_ORDER)) {
    if (!p_expect(p, TK_BY)) return 0;
    s->order_by = p_sortlist(p);
    if (s->order_by == NULL) return 0;
  }
  if (p_accept(p, TK_LIMIT)) {
    s->limit = p_expr(p);
    if (s->limit == NULL) return 0;
    if (p_accept(p, TK_OFFSET)) {
      s->offset = p_expr(p);
      if (s->offset == NULL) return 0;
    } else if (p_accept(p, TK_COMMA)) {
      s->offset = s->limit;
      s->limit = p_expr(p);
      if (s->limit == NULL) return 0;
    }
  }
  return !P_FAILED(p);
}

/* WINDOW b AS (a ...): as SQLite does while parsing, inherit PARTITION BY
** and ORDER BY from an earlier window `a` of the same clause (or report
** what may not be overridden); the base name is then dropped. */
static int window_chain(Parser *p, Window *list, Window *w) {
  Window *x;
  for (x = list; x && x != w; x = x->next) {
    if (x->name && shale_stricmp(x->name, w->base) == 0) break;
  }
  if (x && x != w) {
    const char *what = NULL;
    if (w->partition_by) what = "PARTITION clause";
    else if (x->order_by && w->order_by) what = "ORDER BY clause";
    else if (x->frame_type) what = "frame specification";
    if (what) {
      p_error(p, p->prev_end, "cannot override %s of window: %s", what, w->base);
      return 0;
    }
    if (x->partition_by) {
      w->partition_by = ast_dup_expr_list(x->partition_by);
      if (w->partition_by == NULL) { p_oom(p); return 0; }
    }
    if (x->order_by) {
      w->order_by = ast_dup_expr_list(x->order_by);
      if (w->order_by == NULL) { p_oom(p); return 0; }
    }
  }
  sqlite3_free(w->base);
  w->base = NULL;
  return 1;
}

static Window *window_clause(Parser *p) {
  Window *head = NULL, **tail = &head;
  do {
    char *name = p_name(p);
    if (name == NULL) goto fail;
    if (!p_expect(p, TK_AS) || !p_expect(p, TK_LP)) {
      sqlite3_free(name);
      goto fail;
    }
    Window *w = p_window_spec(p);
    if (w == NULL) {
      sqlite3_free(name);
      goto fail;
    }
    w->name = name;
    *tail = w;
    tail = &w->next;
    if (!p_expect(p, TK_RP)) goto fail;
    if (w->base && !window_chain(p, head, w)) goto fail;
  } while (p_accept(p, TK_COMMA));
  return head;
fail:
  ast_free_window(head);
  return NULL;
}

/* oneselect (SELECT ... or VALUES ...); for VALUES returns the chain of
** rows (last row first). */
static Select *one_select(Parser *p) {
  if (p->t.type == TK_VALUES) {
    p_next(p);
    Select *last = NULL;
    do {
      int pos = p->t.pos;
      if (!p_expect(p, TK_LP)) goto vfail;
      Select *s = new_select(p);
      if (s) s->pos = pos;
      if (s == NULL) goto vfail;
      s->flags = SELECT_F_VALUES;
      s->prior = last;
      s->op = last ? CO_UNION_ALL : CO_NONE;
      int base = last ? -1 : -2;
      last = s;
      p->nest += base;
      s->result = p_expr_list(p, NULL, 0);
      p->nest -= base;
      if (s->result == NULL || !p_expect(p, TK_RP)) goto vfail;
      s->sel_id = ++p->n_select;
    } while (p_accept(p, TK_COMMA));
    return last;
  vfail:
    ast_free_select(last);
    return NULL;
  }
  int pos = p->t.pos;
  if (!p_expect(p, TK_SELECT)) return NULL;
  Select *s = new_select(p);
  if (s == NULL) return NULL;
  s->pos = pos;
  if (p_accept(p, TK_DISTINCT)) s->flags |= SELECT_F_DISTINCT;
  else if (p_accept(p, TK_ALL)) s->flags |= SELECT_F_ALL;
  s->result = p_result_columns(p);
  if (s->result == NULL) goto fail;
  /* p->nest adjustments model the LALR stack below each clause (only
  ** used for SQLite's "parser stack overflow" limit) */
  if (p_accept(p, TK_FROM)) {
    p->nest += 2;
    s->from = p_from(p);
    p->nest -= 2;
    if (s->from == NULL) goto fail;
  }
  if (p_accept(p, TK_WHERE)) {
    p->nest += 1;
    s->where = p_expr(p);
    p->nest -= 1;
    if (s->where == NULL) goto fail;
  }
  if (p_accept(p, TK_GROUP)) {
    if (!p_expect(p, TK_BY)) goto fail;
    p->nest += 3;
    s->group_by = p_expr_list(p, NULL, 0);
    p->nest -= 3;
    if (s->group_by == NULL) goto fail;
  }
  if (p_accept(p, TK_HAVING)) {
    p->nest += 3;
    s->having = p_expr(p);
    p->nest -= 3;
    if (s->having == NULL) goto fail;
  }
  if (p_accept(p, TK_WINDOW)) {
    p->nest += 9;
    s->windows = window_clause(p);
    p->nest -= 9;
    if (s->windows == NULL) goto fail;
  }
  if (!order_limit(p, s)) goto fail;
  s->sel_id = ++p->n_select;
  return s;
fail:
  ast_free_select(s);
  return NULL;
}

static const char *op_name(CompoundOp op) {
  switch (op) {
    case CO_UNION: return "UNION";
    case CO_UNION_ALL: return "UNION ALL";
    case CO_INTERSECT: return "INTERSECT";
    case CO_EXCEPT: return "EXCEPT";
    default: return "";
  }
}

void p_check_compound(Parser *p, Select *s) {
  if (s == NULL || s->prior == NULL) return;
  int cnt = 1, values_only = 1;
  Select *next = s;
  for (Select *q = s->prior; q; next = q, q = q->prior) {
    cnt++;
    if (!(next->flags & SELECT_F_VALUES) || !(q->flags & SELECT_F_VALUES)) values_only = 0;
    if (q->order_by || q->limit) {
      p_error(p, next->pos, "%s clause should come after %s not before",
              q->order_by ? "ORDER BY" : "LIMIT", op_name(next->op));
      return;
    }
  }
  if (!values_only && cnt > MAX_COMPOUND_SELECT) {
    p_error(p, s->pos, "too many terms in compound SELECT");
  }
}

Select *p_select_body(Parser *p, With *with) {
  Select *s = one_select(p);
  if (s == NULL) {
    ast_free_with(with);
    return NULL;
  }
  for (;;) {
    int t = p->t.type;
    CompoundOp op;
    if (t == TK_UNION) {
      p_next(p);
      op = p_accept(p, TK_ALL) ? CO_UNION_ALL : CO_UNION;
    } else if (t == TK_INTERSECT) {
      p_next(p);
      op = CO_INTERSECT;
    } else if (t == TK_EXCEPT) {
      p_next(p);
      op = CO_EXCEPT;
    } else {
      break;
    }
    p->nest += 2;
    Select *r = one_select(p);
    p->nest -= 2;
    if (r == NULL) {
      ast_free_select(s);
      ast_free_with(with);
      return NULL;
    }
    if (r->prior) {
      /* a multi-row VALUES on the right becomes SELECT * FROM (VALUES ...) */
      Select *w = new_select(p);
      Expr *star = ast_expr_new(EX_STAR);
      SrcList *f = ast_src_list_append(NULL);
      if (w == NULL || star == NULL || f == NULL) {
        sqlite3_free(w);
        ast_free_expr(star);
        ast_free_src_list(f);
        ast_free_select(r);
        ast_free_select(s);
        ast_free_with(with);
        p_oom(p);
        return NULL;
      }
      w->pos = r->pos;
      w->sel_id = ++p->n_select;
      f->a[0].subquery = r;
      w->from = f;
      w->result = ast_expr_list_append(NULL, star);
      r = w;
      if (w->result == NULL) {
        ast_free_select(r);
        ast_free_select(s);
        ast_free_with(with);
        p_oom(p);
        return NULL;
      }
    }
    r->prior = s;
    r->op = op;
    s = r;
  }
  s->with = with;
  if (P_FAILED(p)) {
    ast_free_select(s);
    return NULL;
  }
  p_check_compound(p, s);
  if (P_FAILED(p)) {
    ast_free_select(s);
    return NULL;
  }
  return s;
}

Select *p_select(Parser *p) {
  With *w = NULL;
  if (p_accept(p, TK_WITH)) {
    w = p_with(p);
    if (w == NULL) return NULL;
  }
  return p_select_body(p, w);
}
