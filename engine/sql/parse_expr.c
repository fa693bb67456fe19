/*
** parse_expr.c — expressions, by precedence climbing over SQLite's
** operator levels (lang_expr.html), lowest first:
**   1 OR   2 AND   3 NOT (prefix)
**   4 = == != <> IS [NOT] IN LIKE GLOB MATCH REGEXP BETWEEN ISNULL NOTNULL
**   5 < <= > >=   6 ESCAPE   7 & | << >>   8 + -   9 * / %
**   10 || -> ->>  11 COLLATE  12 unary - + ~
** Binary operators are left-associative.  Prefix operators parse their
** operand at their own level wherever they appear (as an LALR parser does).
*/
#include "parse_int.h"
#include "../util/printf.h"
#include <stdlib.h>

#define MAX_EXPR_DEPTH 1000
#define MAX_FUNCTION_ARG 127
#define MAX_VARIABLE_NUMBER 250000 /* as the reference sqlite3 build */

static Expr *expr_h(Parser *p, int min, int *h);

static Expr *new_expr(Parser *p, ExprOp op, int pos) {
  Expr *e = ast_expr_new(op);
  if (e == NULL) p_oom(p);
  else e->pos = pos;
  return e;
}

/* Height bookkeeping: SQLite limits expression trees to depth 1000. */
static int check_h(Parser *p, int h) {
  if (h > MAX_EXPR_DEPTH) {
    p_error(p, p->t.pos, "Expression tree is too large (maximum depth %d)", MAX_EXPR_DEPTH);
    return 0;
  }
  return 1;
}

static int max_i(int a, int b) { return a > b ? a : b; }


static char *tok_copy(Parser *p, const Token *t) {
  char *r = shale_strndup(p->z + t->pos, t->n);
  if (r == NULL) p_oom(p);
  return r;
}

/* ------------------------------------------------------------ literals -- */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

static Expr *integer_literal(Parser *p, int neg_before) {
  Token t = p->t;
  Expr *e = new_expr(p, EX_INTEGER, t.pos);
  if (e == NULL) return NULL;
  e->text = tok_copy(p, &t);
  e->n_text = t.n;
  const char *z = p->z + t.pos;
  if (t.n > 2 && z[0] == '0' && (z[1] == 'x' || z[1] == 'X')) {
    u64 v = 0;
    int digits = 0;
    e->flags |= EXPR_F_HEX;
    for (int i = 2; i < t.n; i++) {
      if (digits == 0 && z[i] == '0') continue;
      digits++;
      v = (v << 4) | (u64)hexval(z[i]);
    }
    if (digits > 16) {
      p_error(p, t.pos, "hex literal too big: %s%.*s", neg_before ? "-" : "", t.n, z);
      ast_free_expr(e);
      return NULL;
    }
    e->u.i = (i64)v;
  } else {
    u64 v = 0;
    int big = 0;
    for (int i = 0; i < t.n; i++) {
      int d = z[i] - '0';
      if (v > (UINT64_MAX - (u64)d) / 10) { big = 1; break; }
      v = v * 10 + (u64)d;
    }
    if (big || v > (u64)INT64_MAX) {
      e->flags |= EXPR_F_BIGNUM;
      if (e->text) shale_atof_sqlite(e->text, &e->u.r, e->n_text);
    } else {
      e->u.i = (i64)v;
    }
  }
  p_next(p);
  return e;
}

static Expr *string_literal(Parser *p, ExprOp op) {
  Token t = p->t;
  Expr *e = new_expr(p, op, t.pos);
  if (e == NULL) return NULL;
  if (op == EX_BLOB) {
    int nhex = t.n - 3;
    e->n_text = nhex / 2;
    e->text = sqlite3_malloc64((u64)e->n_text + 1);
    if (e->text == NULL) {
      p_oom(p);
      ast_free_expr(e);
      return NULL;
    }
    const char *z = p->z + t.pos + 2;
    for (int i = 0; i < e->n_text; i++)
      e->text[i] = (char)((hexval(z[2 * i]) << 4) | hexval(z[2 * i + 1]));
    e->text[e->n_text] = 0;
  } else {
    e->text = p_token_name(p, &t);
    if (e->text) e->n_text = (int)strlen(e->text);
  }
  p_next(p);
  return e;
}

static void grow_vars(Parser *p, int n) {
  if (n <= p->var_alloc) return;
  int na = p->var_alloc ? p->var_alloc : 8;
  while (na < n) na *= 2;
  char **a = sqlite3_realloc64(p->var_names, sizeof(char *) * (u64)na);
  if (a == NULL) {
    p_oom(p);
    return;
  }
  for (int i = p->var_alloc; i < na; i++) a[i] = NULL;
  p->var_names = a;
  p->var_alloc = na;
}

static u32 name_hash(const char *z, int n) {
  u32 h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (u8)z[i]) * 16777619u;
  return h;
}

/* Find a named parameter's number (0 if new). */
static int var_lookup(Parser *p, const char *z, int n) {
  if (p->var_hash_size == 0) return 0;
  u32 mask = (u32)p->var_hash_size - 1;
  for (u32 i = name_hash(z, n) & mask;; i = (i + 1) & mask) {
    int k = p->var_hash[i];
    if (k == 0) return 0;
    const char *nm = p->var_names[k - 1];
    if ((int)strlen(nm) == n && memcmp(nm, z, (size_t)n) == 0) return k;
  }
}

static void var_hash_insert(Parser *p, int x) {
  if ((p->n_named + 1) * 2 > p->var_hash_size) {
    int ns = p->var_hash_size ? p->var_hash_size * 2 : 64;
    int *nh = shale_malloc_zero(sizeof(int) * (size_t)ns);
    if (nh == NULL) {
      p_oom(p);
      return;
    }
    for (int i = 0; i < p->var_hash_size; i++) {
      int k = p->var_hash[i];
      if (k == 0) continue;
      const char *nm = p->var_names[k - 1];
      u32 j = name_hash(nm, (int)strlen(nm)) & (u32)(ns - 1);
      while (nh[j]) j = (j + 1) & (u32)(ns - 1);
      nh[j] = k;
    }
    sqlite3_free(p->var_hash);
    p->var_hash = nh;
    p->var_hash_size = ns;
  }
  const char *nm = p->var_names[x - 1];
  u32 mask = (u32)p->var_hash_size - 1;
  u32 j = name_hash(nm, (int)strlen(nm)) & mask;
  while (p->var_hash[j]) j = (j + 1) & mask;
  p->var_hash[j] = x;
  p->n_named++;
}

static Expr *variable(Parser *p) {
  Token t = p->t;
  const char *z = p->z + t.pos;
  Expr *e = new_expr(p, EX_VARIABLE, t.pos);
  if (e == NULL) return NULL;
  e->text = tok_copy(p, &t);
  e->n_text = t.n;
  int x = 0;
  if (z[0] == '#' && t.n > 1 && z[1] >= '0' && z[1] <= '9') {
    /* #NNN is reserved for SQLite-internal use: a syntax error */
    ast_free_expr(e);
    p_syntax_error(p);
    return NULL;
  }
  if (t.n == 1) {
    x = ++p->n_vars;
    if (x > MAX_VARIABLE_NUMBER) {
      p_error(p, t.pos, "too many SQL variables");
      ast_free_expr(e);
      return NULL;
    }
    grow_vars(p, x);
  } else if (z[0] == '?') {
    i64 v = 0;
    int ok = t.n <= 11;
    for (int i = 1; ok && i < t.n; i++) v = v * 10 + (z[i] - '0');
    if (!ok || v < 1 || v > MAX_VARIABLE_NUMBER) {
      p_error(p, t.pos, "variable number must be between ?1 and ?%d", MAX_VARIABLE_NUMBER);
      ast_free_expr(e);
      return NULL;
    }
    x = (int)v;
    if (x > p->n_vars) p->n_vars = x;
    grow_vars(p, p->n_vars);
    if (!P_FAILED(p) && p->var_names[x - 1] == NULL) p->var_names[x - 1] = tok_copy(p, &t);
  } else {
    x = var_lookup(p, z, t.n);
    if (x == 0) {
      x = ++p->n_vars;
      if (x > MAX_VARIABLE_NUMBER) {
        p_error(p, t.pos, "too many SQL variables");
        ast_free_expr(e);
        return NULL;
      }
      grow_vars(p, x);
      if (!P_FAILED(p)) p->var_names[x - 1] = tok_copy(p, &t);
      if (!P_FAILED(p)) var_hash_insert(p, x);
    }
  }
  e->u.var_index = x;
  if (P_FAILED(p)) {
    ast_free_expr(e);
    return NULL;
  }
  p_next(p);
  return e;
}

/* ------------------------------------------------------------ type name -- */
/* typetoken ::= typename [ ( signed [, signed] ) ]; typename ::= ids+.
** Returns the declared type as SQLite stores it: the source text from the
** first to the last token, dequoted if it begins with a quote. */
char *p_typetoken(Parser *p) {
  if (!tk_is_ids(p->t.type)) return NULL;
  int start = p->t.pos;
  while (tk_is_ids(p->t.type)) p_next(p);
  if (p->t.type == TK_LP) {
    p_next(p);
    for (int k = 0; k < 2; k++) {
      if (p->t.type == TK_PLUS || p->t.type == TK_MINUS) p_next(p);
      if (p->t.type != TK_INTEGER && p->t.type != TK_FLOAT) {
        p_syntax_error(p);
        return NULL;
      }
      p_next(p);
      if (k == 0 && !p_accept(p, TK_COMMA)) break;
    }
    if (!p_expect(p, TK_RP)) return NULL;
  }
  if (P_FAILED(p)) return NULL;
  int end = p->prev_end;
  const char *z = p->z + start;
  int n = end - start;
  char *r = sqlite3_malloc64((u64)n + 1);
  if (r == NULL) {
    p_oom(p);
    return NULL;
  }
  char q = z[0];
  if (q == '"' || q == '\'' || q == '`' || q == '[') {
    char close = q == '[' ? ']' : q;
    int j = 0;
    for (int i = 1; i < n; i++) {
      if (z[i] == close) {
        if (q != '[' && i + 1 < n && z[i + 1] == close) {
          r[j++] = close;
          i++;
        } else {
          break;
        }
      } else {
        r[j++] = z[i];
      }
    }
    r[j] = 0;
  } else {
    memcpy(r, z, (size_t)n);
    r[n] = 0;
  }
  return r;
}

/* ------------------------------------------------------------- helpers -- */
static Expr *binary(Parser *p, int op, Expr *l, Expr *r, int pos) {
  Expr *e = new_expr(p, EX_BINARY, pos);
  if (e == NULL) {
    ast_free_expr(l);
    ast_free_expr(r);
    return NULL;
  }
  e->sub_op = op;
  e->left = l;
  e->right = r;
  return e;
}

/* exprlist inside ( ... ): returns list (possibly NULL when empty and
** allowed); *h receives the max height. */
static ExprList *expr_list_h(Parser *p, int allow_empty, int *h) {
  ExprList *l = NULL;
  *h = 0;
  if (allow_empty && p->t.type == TK_RP) return NULL;
  do {
    int hh;
    Expr *e = expr_h(p, 1, &hh);
    if (e == NULL) {
      ast_free_expr_list(l);
      return NULL;
    }
    *h = max_i(*h, hh);
    l = ast_expr_list_append(l, e);
    if (l == NULL) {
      p_oom(p);
      return NULL;
    }
  } while (p_accept(p, TK_COMMA));
  return l;
}

ExprList *p_expr_list(Parser *p, ExprList *list, int allow_empty) {
  int h;
  if (list == NULL) return expr_list_h(p, allow_empty, &h);
  do {
    Expr *e = p_expr(p);
    if (e == NULL) {
      ast_free_expr_list(list);
      return NULL;
    }
    list = ast_expr_list_append(list, e);
    if (list == NULL) {
      p_oom(p);
      return NULL;
    }
  } while (p_accept(p, TK_COMMA));
  return list;
}

/* Parse a SELECT inside parentheses ('(' consumed); *h receives its
** height (the max height of the expressions in it). */
static Select *sub_select(Parser *p, int *h) {
  int saved = p->sel_h;
  p->sel_h = 0;
  Select *s = p_select(p);
  *h = p->sel_h;
  p->sel_h = saved;
  return s;
}

/* ------------------------------------------------------------- windows -- */
static int frame_bound(Parser *p, int is_start, int *type, Expr **e) {
  if (p_accept(p, TK_UNBOUNDED)) {
    if (is_start) {
      if (!p_expect(p, TK_PRECEDING)) return 0;
      *type = 1;
    } else {
      if (!p_expect(p, TK_FOLLOWING)) return 0;
      *type = 5;
    }
    return 1;
  }
  if (p_accept(p, TK_CURRENT)) {
    if (!p_expect(p, TK_ROW)) return 0;
    *type = 3;
    return 1;
  }
  *e = p_expr(p);
  if (*e == NULL) return 0;
  if (p_accept(p, TK_PRECEDING)) *type = 2;
  else if (p_accept(p, TK_FOLLOWING)) *type = 4;
  else {
    p_syntax_error(p);
    return 0;
  }
  return 1;
}

/* window ::= [base] [PARTITION BY ...] [ORDER BY ...] [frame]; the
** caller consumed '(' and consumes ')'. */
Window *p_window_spec(Parser *p) {
  Window *w = shale_malloc_zero(sizeof(Window));
  if (w == NULL) {
    p_oom(p);
    return NULL;
  }
  int t = p->t.type;
  if (tk_is_nm(t) && t != TK_PARTITION && t != TK_RANGE && t != TK_ROWS && t != TK_GROUPS) {
    w->base = p_name(p);
    if (w->base == NULL) goto fail;
  }
  if (p_accept(p, TK_PARTITION)) {
    if (!p_expect(p, TK_BY)) goto fail;
    w->partition_by = p_expr_list(p, NULL, 0);
    if (w->partition_by == NULL) goto fail;
  }
  if (p_accept(p, TK_ORDER)) {
    if (!p_expect(p, TK_BY)) goto fail;
    w->order_by = p_sortlist(p);
    if (w->order_by == NULL) goto fail;
  }
  t = p->t.type;
  if (t == TK_RANGE || t == TK_ROWS || t == TK_GROUPS) {
    int pos = p->t.pos;
    w->frame_type = t == TK_ROWS ? 1 : t == TK_RANGE ? 2 : 3;
    p_next(p);
    if (p_accept(p, TK_BETWEEN)) {
      if (!frame_bound(p, 1, &w->start_type, &w->start)) goto fail;
      if (!p_expect(p, TK_AND)) goto fail;
      if (!frame_bound(p, 0, &w->end_type, &w->end)) goto fail;
    } else {
      if (!frame_bound(p, 1, &w->start_type, &w->start)) goto fail;
      w->end_type = 3;
    }
    if ((w->start_type == 3 && w->end_type == 2) ||
        (w->start_type == 4 && (w->end_type == 2 || w->end_type == 3))) {
      p_error(p, pos, "unsupported frame specification");
      goto fail;
    }
    if (p_accept(p, TK_EXCLUDE)) {
      if (p_accept(p, TK_NO)) {
        if (!p_expect(p, TK_OTHERS)) goto fail;
        w->exclude = 0;
      } else if (p_accept(p, TK_CURRENT)) {
        if (!p_expect(p, TK_ROW)) goto fail;
        w->exclude = 1;
      } else if (p_accept(p, TK_GROUP)) {
        w->exclude = 2;
      } else if (p_accept(p, TK_TIES)) {
        w->exclude = 3;
      } else {
        p_syntax_error(p);
        goto fail;
      }
    }
  }
  if (P_FAILED(p)) goto fail;
  return w;
fail:
  ast_free_window(w);
  return NULL;
}

/* ------------------------------------------------------------ functions -- */
static Expr *function_call(Parser *p, int *h) {
  Token name = p->t;
  Expr *e = new_expr(p, EX_FUNCTION, name.pos);
  if (e == NULL) return NULL;
  e->text = p_token_name(p, &name);
  if (e->text) e->n_text = (int)strlen(e->text);
  p_next(p); /* name */
  p_next(p); /* ( */
  if (!p_enter(p, 3)) goto fail;
  *h = 1;
  if (p_accept(p, TK_STAR)) {
    e->flags |= EXPR_F_STAR_ARG;
  } else {
    if (p_accept(p, TK_DISTINCT)) e->flags |= EXPR_F_DISTINCT;
    else p_accept(p, TK_ALL);
    if (P_FAILED(p)) goto fail_leave;
    if (p->t.type != TK_RP) {
      int lh = 0;
      do {
        int ah;
        int extra = e->list ? 2 : 0;
        p->nest += extra;
        Expr *a = expr_h(p, 1, &ah);
        p->nest -= extra;
        if (a == NULL) goto fail_leave;
        if (ah > lh) lh = ah;
        e->list = ast_expr_list_append(e->list, a);
        if (e->list == NULL) { p_oom(p); goto fail_leave; }
      } while (p_accept(p, TK_COMMA));
      *h = lh + 1;
      if (e->list->n > MAX_FUNCTION_ARG) {
        p_error(p, name.pos, "too many arguments on function %.*s", name.n, p->z + name.pos);
        goto fail_leave;
      }
      if (p_accept(p, TK_ORDER)) { /* aggregate ORDER BY (SQLite 3.44+) */
        if (!p_expect(p, TK_BY)) goto fail_leave;
        e->order_by = p_sortlist(p);
        if (e->order_by == NULL) goto fail_leave;
      }
    }
  }
  if (!p_expect(p, TK_RP)) goto fail_leave;
  p_leave(p, 3);
  if (p->t.type == TK_FILTER) {
    p_next(p);
    if (!p_expect(p, TK_LP) || !p_expect(p, TK_WHERE)) goto fail;
    int fh;
    if (!p_enter(p, 8)) goto fail;
    e->extra = expr_h(p, 1, &fh);
    p_leave(p, 8);
    if (e->extra == NULL || !p_expect(p, TK_RP)) goto fail;
    *h = max_i(*h, fh + 1);
  }
  if (p->t.type == TK_OVER) {
    p_next(p);
    if (p_accept(p, TK_LP)) {
      if (!p_enter(p, 9)) goto fail;
      e->over = p_window_spec(p);
      p_leave(p, 9);
      if (e->over == NULL || !p_expect(p, TK_RP)) goto fail;
    } else {
      e->over = shale_malloc_zero(sizeof(Window));
      if (e->over == NULL) {
        p_oom(p);
        goto fail;
      }
      e->over->name = p_name(p);
      if (e->over->name == NULL) goto fail;
    }
  }
  if (P_FAILED(p) || !check_h(p, *h)) goto fail;
  return e;
fail_leave:
  p_leave(p, 3);
fail:
  ast_free_expr(e);
  return NULL;
}

/* ---------------------------------------------------------------- terms -- */
static Expr *id_expr(Parser *p, int *h) {
  Token a = p->t;
  *h = 1;
  if (p_peek(p, NULL) == TK_DOT) {
    p_next(p);
    p_next(p); /* . */
    if (!tk_is_nm(p->t.type)) {
      p_syntax_error(p);
      return NULL;
    }
    Token b = p->t;
    p_next(p);
    Expr *e = new_expr(p, EX_DOT, a.pos);
    if (e == NULL) return NULL;
    if (p->t.type == TK_DOT) {
      p_next(p);
      if (!tk_is_nm(p->t.type)) {
        p_syntax_error(p);
        ast_free_expr(e);
        return NULL;
      }
      Token c = p->t;
      p_next(p);
      e->db = p_token_name(p, &a);
      e->table = p_token_name(p, &b);
      e->text = p_token_name(p, &c);
    } else {
      e->table = p_token_name(p, &a);
      e->text = p_token_name(p, &b);
    }
    if (e->text) e->n_text = (int)strlen(e->text);
    if (P_FAILED(p)) {
      ast_free_expr(e);
      return NULL;
    }
    return e;
  }
  Expr *e = new_expr(p, EX_ID, a.pos);
  if (e == NULL) return NULL;
  e->text = p_token_name(p, &a);
  if (e->text) e->n_text = (int)strlen(e->text);
  if (p->z[a.pos] == '"') e->flags |= EXPR_F_QUOTED;
  else if (a.type == TK_ID && a.n == 4 && shale_strnicmp(p->z + a.pos, "true", 4) == 0)
    e->op = EX_TRUE;
  else if (a.type == TK_ID && a.n == 5 && shale_strnicmp(p->z + a.pos, "false", 5) == 0)
    e->op = EX_FALSE;
  p_next(p);
  if (P_FAILED(p)) {
    ast_free_expr(e);
    return NULL;
  }
  return e;
}

static int is_select_start(int t) { return t == TK_SELECT || t == TK_VALUES || t == TK_WITH; }

static Expr *case_expr(Parser *p, int *h) {
  Expr *e = new_expr(p, EX_CASE, p->t.pos);
  if (e == NULL) return NULL;
  p_next(p);
  if (!p_enter(p, 3)) goto fail;
  int hh;
  *h = 1;
  if (p->t.type != TK_WHEN) {
    e->left = expr_h(p, 1, &hh);
    if (e->left == NULL) goto fail_leave;
    *h = max_i(*h, hh + 1);
  }
  if (p->t.type != TK_WHEN) {
    p_syntax_error(p);
    goto fail_leave;
  }
  while (p_accept(p, TK_WHEN)) {
    Expr *w = expr_h(p, 1, &hh);
    if (w == NULL) goto fail_leave;
    *h = max_i(*h, hh + 1);
    e->list = ast_expr_list_append(e->list, w);
    if (e->list == NULL) { p_oom(p); goto fail_leave; }
    if (!p_expect(p, TK_THEN)) goto fail_leave;
    p->nest += 2;
    Expr *t = expr_h(p, 1, &hh);
    p->nest -= 2;
    if (t == NULL) goto fail_leave;
    *h = max_i(*h, hh + 1);
    e->list = ast_expr_list_append(e->list, t);
    if (e->list == NULL) { p_oom(p); goto fail_leave; }
  }
  if (p_accept(p, TK_ELSE)) {
    p->nest += 1;
    e->extra = expr_h(p, 1, &hh);
    p->nest -= 1;
    if (e->extra == NULL) goto fail_leave;
    *h = max_i(*h, hh + 1);
  }
  if (!p_expect(p, TK_END)) goto fail_leave;
  p_leave(p, 3);
  if (!check_h(p, *h)) goto fail;
  return e;
fail_leave:
  p_leave(p, 3);
fail:
  ast_free_expr(e);
  return NULL;
}

static Expr *primary(Parser *p, int *h) {
  int t = p->t.type, pos = p->t.pos;
  Expr *e;
  *h = 1;
  switch (t) {
    case TK_INTEGER: return integer_literal(p, 0);
    case TK_FLOAT:
      e = new_expr(p, EX_FLOAT, pos);
      if (e == NULL) return NULL;
      e->text = tok_copy(p, &p->t);
      e->n_text = p->t.n;
      if (e->text) shale_atof_sqlite(e->text, &e->u.r, e->n_text);
      p_next(p);
      return e;
    case TK_STRING:
      if (p_peek(p, NULL) == TK_DOT) return id_expr(p, h);
      return string_literal(p, EX_STRING);
    case TK_BLOB: return string_literal(p, EX_BLOB);
    case TK_NULL:
      e = new_expr(p, EX_NULL, pos);
      p_next(p);
      return e;
    case TK_VARIABLE: return variable(p);
    case TK_CURRENT_TIME: case TK_CURRENT_DATE: case TK_CURRENT_TIMESTAMP:
      e = new_expr(p, EX_FUNCTION, pos);
      if (e == NULL) return NULL;
      e->text = sqlite3_malloc64((u64)p->t.n + 1);
      if (e->text == NULL) { p_oom(p); ast_free_expr(e); return NULL; }
      for (int i = 0; i < p->t.n; i++)
        e->text[i] = (char)shale_upper_to_lower[(u8)p->z[pos + i]];
      e->text[p->t.n] = 0;
      e->n_text = p->t.n;
      p_next(p);
      return e;
    case TK_LP: {
      p_next(p);
      if (!p_enter(p, 1)) return NULL;
      if (is_select_start(p->t.type)) {
        e = new_expr(p, EX_SUBQUERY, pos);
        if (e == NULL) { p_leave(p, 1); return NULL; }
        int sh;
        if (!p_enter(p, 4)) { p_leave(p, 1); ast_free_expr(e); return NULL; }
        e->select = sub_select(p, &sh);
        p_leave(p, 4);
        *h = sh + 1;
        if (e->select == NULL || !p_expect(p, TK_RP) || !check_h(p, *h)) {
          p_leave(p, 1);
          ast_free_expr(e);
          return NULL;
        }
        p_leave(p, 1);
        return e;
      }
      int hh;
      Expr *first = expr_h(p, 1, &hh);
      if (first == NULL) { p_leave(p, 1); return NULL; }
      if (p->t.type == TK_COMMA) {
        e = new_expr(p, EX_VECTOR, pos);
        if (e == NULL) { ast_free_expr(first); p_leave(p, 1); return NULL; }
        e->list = ast_expr_list_append(NULL, first);
        if (e->list == NULL) { p_oom(p); ast_free_expr(e); p_leave(p, 1); return NULL; }
        *h = hh;
        while (p_accept(p, TK_COMMA)) {
          p->nest += 2;
          Expr *x = expr_h(p, 1, &hh);
          p->nest -= 2;
          if (x == NULL) { ast_free_expr(e); p_leave(p, 1); return NULL; }
          *h = max_i(*h, hh);
          e->list = ast_expr_list_append(e->list, x);
          if (e->list == NULL) { p_oom(p); ast_free_expr(e); p_leave(p, 1); return NULL; }
        }
        *h += 1;
      } else {
        e = first;
        e->flags |= EXPR_F_PAREN;
        *h = hh;
      }
      p_leave(p, 1);
      if (!p_expect(p, TK_RP) || !check_h(p, *h)) {
        ast_free_expr(e);
        return NULL;
      }
      return e;
    }
    case TK_CAST: {
      p_next(p);
      if (!p_expect(p, TK_LP)) return NULL;
      if (!p_enter(p, 2)) return NULL;
      e = new_expr(p, EX_CAST, pos);
      int hh;
      if (e) e->left = expr_h(p, 1, &hh);
      if (e == NULL || e->left == NULL || !p_expect(p, TK_AS)) goto cast_fail;
      if (!p_enter(p, 2)) goto cast_fail;
      p_leave(p, 2);
      e->text = p_typetoken(p);
      if (P_FAILED(p)) goto cast_fail;
      if (e->text) e->n_text = (int)strlen(e->text);
      if (!p_expect(p, TK_RP)) goto cast_fail;
      p_leave(p, 2);
      *h = hh + 1;
      if (!check_h(p, *h)) { ast_free_expr(e); return NULL; }
      return e;
    cast_fail:
      p_leave(p, 2);
      ast_free_expr(e);
      return NULL;
    }
    case TK_EXISTS: {
      p_next(p);
      if (!p_expect(p, TK_LP)) return NULL;
      if (!p_enter(p, 6)) return NULL;
      e = new_expr(p, EX_EXISTS, pos);
      int sh = 0;
      if (e) e->select = sub_select(p, &sh);
      p_leave(p, 6);
      if (e == NULL || e->select == NULL || !p_expect(p, TK_RP)) {
        ast_free_expr(e);
        return NULL;
      }
      *h = sh + 1;
      if (!check_h(p, *h)) { ast_free_expr(e); return NULL; }
      return e;
    }
    case TK_CASE: return case_expr(p, h);
    case TK_RAISE: {
      p_next(p);
      if (!p_expect(p, TK_LP)) return NULL;
      e = new_expr(p, EX_RAISE, pos);
      if (e == NULL) return NULL;
      if (p_accept(p, TK_IGNORE)) {
        e->sub_op = RAISE_IGNORE;
      } else {
        int k = p->t.type;
        if (k == TK_ROLLBACK) e->sub_op = RAISE_ROLLBACK;
        else if (k == TK_ABORT) e->sub_op = RAISE_ABORT;
        else if (k == TK_FAIL) e->sub_op = RAISE_FAIL;
        else { p_syntax_error(p); ast_free_expr(e); return NULL; }
        p_next(p);
        if (!p_expect(p, TK_COMMA)) { ast_free_expr(e); return NULL; }
        e->text = p_name(p);
        if (e->text == NULL) { ast_free_expr(e); return NULL; }
        e->n_text = (int)strlen(e->text);
      }
      if (!p_expect(p, TK_RP)) { ast_free_expr(e); return NULL; }
      return e;
    }
    default:
      if (tk_is_id(t) || tk_is_join_kw(t)) {
        if (tk_is_id(t) && p_peek(p, NULL) == TK_LP) return function_call(p, h);
        return id_expr(p, h);
      }
      p_syntax_error(p);
      return NULL;
  }
}

/* Prefix operators, then a primary. */
static Expr *unary(Parser *p, int *h) {
  int t = p->t.type, pos = p->t.pos;
  if (t == TK_NOT || t == TK_MINUS || t == TK_PLUS || t == TK_BITNOT) {
    p_next(p);
    /* one LALR stack entry per prefix operator, and one more fits than for
    ** parentheses (the operand needs no reduction first) */
    if (P_FAILED(p)) return NULL;
    if (p->nest + 1 > PARSE_MAX_NEST + 1) {
      p_error(p, p->t.pos, "parser stack overflow");
      return NULL;
    }
    p->nest += 1;
    int hh;
    if (t == TK_MINUS && p->t.type == TK_INTEGER) {
      /* -9223372036854775808 is an integer; a too-big hex literal reports
      ** its sign */
      const char *z = p->z + p->t.pos;
      int nt = p->t.n;
      int is_min = nt == 19 && memcmp(z, "9223372036854775808", 19) == 0;
      if (is_min) {
        Expr *e = new_expr(p, EX_INTEGER, pos);
        if (e) {
          e->u.i = INT64_MIN;
          e->text = shale_strdup("-9223372036854775808");
          if (e->text == NULL) p_oom(p);
          e->n_text = 20;
          p_next(p);
        }
        p_leave(p, 1);
        if (P_FAILED(p)) { ast_free_expr(e); return NULL; }
        *h = 1;
        return e;
      }
      if (nt > 2 && z[0] == '0' && (z[1] == 'x' || z[1] == 'X')) {
        Expr *lit = integer_literal(p, 1);
        if (lit == NULL) { p_leave(p, 1); return NULL; }
        Expr *e = new_expr(p, EX_UNARY, pos);
        if (e == NULL) { ast_free_expr(lit); p_leave(p, 1); return NULL; }
        e->sub_op = UN_NEG;
        /* continue with postfix operators binding tighter than unary: none */
        e->left = lit;
        p_leave(p, 1);
        *h = 2;
        return e;
      }
    }
    Expr *operand = expr_h(p, t == TK_NOT ? 4 : 12, &hh);
    p_leave(p, 1);
    if (operand == NULL) return NULL;
    Expr *e = new_expr(p, EX_UNARY, pos);
    if (e == NULL) {
      ast_free_expr(operand);
      return NULL;
    }
    e->sub_op = t == TK_NOT ? UN_NOT : t == TK_MINUS ? UN_NEG : t == TK_PLUS ? UN_PLUS : UN_BITNOT;
    e->left = operand;
    *h = hh + 1;
    if (!check_h(p, *h)) {
      ast_free_expr(e);
      return NULL;
    }
    return e;
  }
  return primary(p, h);
}

static int binop_level(int t, int *op) {
  switch (t) {
    case TK_OR: *op = OP_OR_; return 1;
    case TK_AND: *op = OP_AND_; return 2;
    case TK_EQ: *op = OP_EQ_; return 4;
    case TK_NE: *op = OP_NE_; return 4;
    case TK_LT: *op = OP_LT_; return 5;
    case TK_LE: *op = OP_LE_; return 5;
    case TK_GT: *op = OP_GT_; return 5;
    case TK_GE: *op = OP_GE_; return 5;
    case TK_BITAND: *op = OP_BITAND_; return 7;
    case TK_BITOR: *op = OP_BITOR_; return 7;
    case TK_LSHIFT: *op = OP_LSHIFT_; return 7;
    case TK_RSHIFT: *op = OP_RSHIFT_; return 7;
    case TK_PLUS: *op = OP_PLUS_; return 8;
    case TK_MINUS: *op = OP_MINUS_; return 8;
    case TK_STAR: *op = OP_STAR_; return 9;
    case TK_SLASH: *op = OP_SLASH_; return 9;
    case TK_REM: *op = OP_REM_; return 9;
    case TK_CONCAT: *op = OP_CONCAT_; return 10;
    case TK_PTR: *op = OP_JSON_ARROW_; return 10;
    default: return 0;
  }
}

static int like_op(int t) {
  switch (t) {
    case TK_LIKE: return LIKE_LIKE;
    case TK_GLOB: return LIKE_GLOB;
    case TK_REGEXP: return LIKE_REGEXP;
    case TK_MATCH: return LIKE_MATCH;
    default: return -1;
  }
}

/* Level-4 operators that may follow NOT. */
static int not_op_follows(int t) {
  return like_op(t) >= 0 || t == TK_IN || t == TK_BETWEEN || t == TK_NULL;
}

/* Constant as the parser sees it (SQLite's rule for the IN rewrite below):
** no column names, functions or subqueries; parameters count as constant. */
static int parse_time_constant(const Expr *e) {
  if (!e) return 1;
  switch (e->op) {
    case EX_ID: case EX_DOT: case EX_FUNCTION: case EX_SUBQUERY: case EX_EXISTS:
    case EX_IN_SELECT: case EX_IN_TABLE: case EX_RAISE: case EX_STAR: case EX_VECTOR:
      return 0;
    default:
      break;
  }
  if (!parse_time_constant(e->left) || !parse_time_constant(e->right) || !parse_time_constant(e->extra))
    return 0;
  if (e->list)
    for (int i = 0; i < e->list->n; i++)
      if (!parse_time_constant(e->list->a[i].expr)) return 0;
  return 1;
}

/* [NOT] IN ... after IN consumed */
static Expr *in_expr(Parser *p, Expr *left, int lh, int not, int pos, int *h) {
  Expr *e = new_expr(p, EX_IN_LIST, pos);
  if (e == NULL) {
    ast_free_expr(left);
    return NULL;
  }
  e->left = left;
  if (not) e->flags |= EXPR_F_NOT;
  *h = lh + 1;
  if (p_accept(p, TK_LP)) {
    if (!p_enter(p, 7)) goto fail;
    if (is_select_start(p->t.type)) {
      int sh;
      e->op = EX_IN_SELECT;
      e->select = sub_select(p, &sh);
      if (e->select == NULL) goto fail_leave;
      *h = max_i(*h, sh + 1);
    } else if (p->t.type != TK_RP) {
      int hh;
      e->list = expr_list_h(p, 0, &hh);
      if (e->list == NULL) goto fail_leave;
      *h = max_i(*h, hh + 1);
    }
    p_leave(p, 7);
    if (!p_expect(p, TK_RP)) goto fail;
  } else {
    e->op = EX_IN_TABLE;
    char *db, *name;
    int ok = p_fullname(p, &db, &name);
    e->db = db;
    e->text = name;
    if (!ok) goto fail;
    e->n_text = (int)strlen(name);
    if (p_accept(p, TK_LP)) {
      if (p->t.type != TK_RP) {
        int hh;
        e->list = expr_list_h(p, 0, &hh);
        if (e->list == NULL) goto fail;
        *h = max_i(*h, hh + 1);
      } else {
        e->list = shale_malloc_zero(sizeof(ExprList));
        if (e->list == NULL) { p_oom(p); goto fail; }
      }
      if (!p_expect(p, TK_RP)) goto fail;
    }
  }
  if (!check_h(p, *h)) goto fail;
  if (e->op == EX_IN_LIST && e->list && e->list->n == 1 && e->left->op != EX_VECTOR &&
      parse_time_constant(e->list->a[0].expr)) {
    /* x IN (constant) is x == constant, as in SQLite: the comparison's
    ** affinity and collation rules are those of "=" */
    Expr *right = e->list->a[0].expr;
    e->list->a[0].expr = NULL;
    ast_free_expr_list(e->list);
    e->list = NULL;
    e->op = EX_BINARY;
    e->sub_op = (e->flags & EXPR_F_NOT) ? OP_NE_ : OP_EQ_;
    e->flags &= ~EXPR_F_NOT;
    e->right = right;
  }
  return e;
fail_leave:
  p_leave(p, 7);
fail:
  ast_free_expr(e);
  return NULL;
}

static Expr *expr_h(Parser *p, int min, int *h) {
  if (P_FAILED(p)) return NULL;
  int lh;
  Expr *left = unary(p, &lh);
  if (left == NULL) return NULL;
  while (!P_FAILED(p)) {
    int t = p->t.type, pos = p->t.pos, op = 0;
    int level = binop_level(t, &op);
    if (level) {
      if (level < min) break;
      if (t == TK_PTR && p->t.n == 3) op = OP_JSON_ARROW2_;
      p_next(p);
      if (!p_enter(p, 2)) break;
      int rh;
      Expr *right = expr_h(p, level + 1, &rh);
      p_leave(p, 2);
      if (right == NULL) break;
      left = binary(p, op, left, right, pos);
      lh = max_i(lh, rh) + 1;
      if (left == NULL || !check_h(p, lh)) break;
      continue;
    }
    if (t == TK_COLLATE) {
      if (11 < min) break;
      p_next(p);
      if (!tk_is_ids(p->t.type)) {
        p_syntax_error(p);
        break;
      }
      Expr *e = new_expr(p, EX_COLLATE, pos);
      if (e == NULL) break;
      e->left = left;
      left = e;
      e->text = p_token_name(p, &p->t);
      if (e->text) e->n_text = (int)strlen(e->text);
      p_next(p);
      lh++;
      if (!check_h(p, lh)) break;
      continue;
    }
    if (4 < min) break;
    int not = 0;
    if (t == TK_NOT) {
      int nt = p_peek(p, NULL);
      p_next(p);
      if (!not_op_follows(nt)) {
        p_syntax_error(p);
        break;
      }
      not = 1;
      t = p->t.type;
    }
    if (t == TK_ISNULL || t == TK_NOTNULL || (not && t == TK_NULL)) {
      Expr *e = new_expr(p, t == TK_ISNULL ? EX_ISNULL : EX_NOTNULL, pos);
      if (e == NULL) break;
      e->left = left;
      left = e;
      p_next(p);
      lh++;
      if (!check_h(p, lh)) break;
      continue;
    }
    if (t == TK_IS) {
      p_next(p);
      ExprOp kind = EX_IS;
      if (p_accept(p, TK_NOT)) kind = EX_ISNOT;
      if (p_accept(p, TK_DISTINCT)) {
        if (!p_expect(p, TK_FROM)) break;
        kind = kind == EX_IS ? EX_ISNOT : EX_IS;
      }
      if (P_FAILED(p)) break;
      if (!p_enter(p, 2)) break;
      int rh;
      Expr *right = expr_h(p, 5, &rh);
      p_leave(p, 2);
      if (right == NULL) break;
      Expr *e = new_expr(p, kind, pos);
      if (e == NULL) { ast_free_expr(right); break; }
      e->left = left;
      left = e;
      if (right->op == EX_NULL) {
        e->op = kind == EX_IS ? EX_ISNULL : EX_NOTNULL;
        ast_free_expr(right);
        lh++;
      } else {
        e->right = right;
        lh = max_i(lh, rh) + 1;
      }
      if (!check_h(p, lh)) break;
      continue;
    }
    int lk = like_op(t);
    if (lk >= 0) {
      p_next(p);
      if (!p_enter(p, 2)) break;
      int rh;
      Expr *right = expr_h(p, 5, &rh);
      if (right == NULL) { p_leave(p, 2); break; }
      Expr *e = new_expr(p, EX_LIKE, pos);
      if (e == NULL) { ast_free_expr(right); p_leave(p, 2); break; }
      e->sub_op = lk;
      if (not) e->flags |= EXPR_F_NOT;
      e->left = left;
      e->right = right;
      left = e;
      lh = max_i(lh, rh) + 1;
      if (p_accept(p, TK_ESCAPE)) {
        int eh;
        e->extra = expr_h(p, 5, &eh);
        if (e->extra == NULL) { p_leave(p, 2); break; }
        lh = max_i(lh, eh + 1);
      }
      p_leave(p, 2);
      if (!check_h(p, lh)) break;
      continue;
    }
    if (t == TK_BETWEEN) {
      p_next(p);
      if (!p_enter(p, 2)) break;
      int ah, bh;
      Expr *lo = expr_h(p, 3, &ah);
      Expr *hi = NULL;
      if (lo && p_expect(p, TK_AND)) hi = expr_h(p, 5, &bh);
      p_leave(p, 2);
      if (hi == NULL) { ast_free_expr(lo); break; }
      Expr *e = new_expr(p, EX_BETWEEN, pos);
      if (e == NULL) { ast_free_expr(lo); ast_free_expr(hi); break; }
      e->left = left;
      left = e;
      if (not) e->flags |= EXPR_F_NOT;
      e->list = ast_expr_list_append(NULL, lo);
      if (e->list) e->list = ast_expr_list_append(e->list, hi);
      else ast_free_expr(hi);
      if (e->list == NULL) { p_oom(p); break; }
      lh = max_i(lh, max_i(ah, bh)) + 1;
      if (!check_h(p, lh)) break;
      continue;
    }
    if (t == TK_IN) {
      p_next(p);
      int nh = 0;
      left = in_expr(p, left, lh, not, pos, &nh);
      lh = nh;
      if (left == NULL) break;
      continue;
    }
    if (not) {
      p_syntax_error(p);
    }
    break;
  }
  if (P_FAILED(p)) {
    ast_free_expr(left);
    return NULL;
  }
  *h = lh;
  return left;
}

Expr *p_expr_prec(Parser *p, int min_level) {
  int h;
  Expr *e = expr_h(p, min_level, &h);
  if (e && h > p->sel_h) p->sel_h = h;
  return e;
}

Expr *p_expr(Parser *p) { return p_expr_prec(p, 1); }
