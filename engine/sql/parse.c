/*
** parse.c — the recursive-descent parser's core: token stream, errors,
** names, statement dispatch and the small statements (transactions,
** PRAGMA, VACUUM, ANALYZE, REINDEX, ATTACH, DETACH).  Expressions live in
** parse_expr.c, SELECT in parse_select.c, INSERT/UPDATE/DELETE in
** parse_dml.c, CREATE/DROP/ALTER in parse_ddl.c.
*/
#include <limits.h>
#include "parse_int.h"
#include <stdarg.h>
#include <stdio.h>

/* ------------------------------------------------------------ errors ---- */
void p_oom(Parser *p) {
  if (p->rc == SQLITE_OK || p->rc == SQLITE_ERROR) {
    sqlite3_free(p->err);
    p->err = shale_strdup("out of memory");
    p->rc = SQLITE_NOMEM;
  }
}

void p_error(Parser *p, int pos, const char *fmt, ...) {
  if (P_FAILED(p)) return;
  va_list ap;
  va_start(ap, fmt);
  char buf[64];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap2);
  va_end(ap2);
  char *m = sqlite3_malloc64((u64)(n < 0 ? 1 : n) + 1);
  if (m) vsnprintf(m, (size_t)n + 1, fmt, ap);
  va_end(ap);
  p->rc = SQLITE_ERROR;
  p->err = m;
  p->err_pos = pos;
  if (m == NULL) p_oom(p);
}

void p_syntax_error(Parser *p) {
  if (P_FAILED(p)) return;
  if (p->t.type == TK_EOF) p_error(p, -1, "incomplete input"); /* SQLite gives no offset */
  else p_error(p, p->t.pos, "near \"%.*s\": syntax error", p->t.n, p->z + p->t.pos);
}

int p_enter(Parser *p, int cost) {
  if (P_FAILED(p)) return 0;
  if (p->nest + cost > PARSE_MAX_NEST) {
    p_error(p, p->t.pos, "parser stack overflow");
    return 0;
  }
  p->nest += cost;
  return 1;
}

void p_leave(Parser *p, int cost) { p->nest -= cost; }

/* ------------------------------------------------------------ tokens ---- */
static int raw_token(const Parser *p, int pos, int *type) {
  const unsigned char *z = (const unsigned char *)p->z;
  int n;
  for (;;) {
    n = sql_get_token(z + pos, type);
    if (*type != TK_SPACE) break;
    pos += n;
  }
  return pos;
}

/* Token type after the token at (pos,n) without analysing context; used for
** WINDOW/OVER/FILTER.  Identifier-like tokens report TK_ID. */
static int look_type(const Parser *p, int pos, int *next_pos) {
  int type;
  pos = raw_token(p, pos, &type);
  int n = sql_get_token((const unsigned char *)p->z + pos, &type);
  if (next_pos) *next_pos = pos + n;
  if (type == TK_ID || type == TK_STRING || tk_is_join_kw(type) ||
      type == TK_WINDOW || type == TK_OVER || sql_token_fallback(type))
    return TK_ID;
  return type;
}

void p_next(Parser *p) {
  if (P_FAILED(p)) return;
  if (p->t.type != TK_EOF || p->t.n > 0) {
    p->prev_type = p->t.type;
    p->prev_end = p->t.pos + p->t.n;
  }
  int pos = p->t.pos + p->t.n, type;
  pos = raw_token(p, pos, &type);
  int n = sql_get_token((const unsigned char *)p->z + pos, &type);
  p->t.type = type;
  p->t.pos = pos;
  p->t.n = n;
  if (type == TK_WINDOW) {
    int np;
    if (look_type(p, pos + n, &np) != TK_ID || look_type(p, np, NULL) != TK_AS)
      p->t.type = TK_ID;
  } else if (type == TK_OVER) {
    int t2;
    if (p->prev_type != TK_RP || ((t2 = look_type(p, pos + n, NULL)) != TK_LP && t2 != TK_ID))
      p->t.type = TK_ID;
  } else if (type == TK_FILTER) {
    if (p->prev_type != TK_RP || look_type(p, pos + n, NULL) != TK_LP)
      p->t.type = TK_ID;
  } else if (type == TK_ILLEGAL) {
    p_error(p, pos, "unrecognized token: \"%.*s\"", n, p->z + pos);
  }
}

/* The type of the token after the current one (no context analysis except
** that identifier-like tokens keep their own type). */
int p_peek(Parser *p, int *pos_out) {
  int type;
  int pos = raw_token(p, p->t.pos + p->t.n, &type);
  if (pos_out) *pos_out = pos;
  return type;
}

int p_accept(Parser *p, int type) {
  if (P_FAILED(p) || p->t.type != type) return 0;
  p_next(p);
  return 1;
}

int p_expect(Parser *p, int type) {
  if (P_FAILED(p)) return 0;
  if (p->t.type != type) {
    p_syntax_error(p);
    return 0;
  }
  p_next(p);
  return 1;
}

int tk_is_join_kw(int t) {
  return t == TK_NATURAL || t == TK_LEFT || t == TK_RIGHT || t == TK_FULL ||
         t == TK_OUTER || t == TK_INNER || t == TK_CROSS;
}
int tk_is_like_kw(int t) { return t == TK_LIKE || t == TK_GLOB || t == TK_REGEXP; }
int tk_is_id(int t) { return t == TK_ID || t == TK_INDEXED || sql_token_fallback(t); }
int tk_is_nm(int t) { return tk_is_id(t) || t == TK_STRING || tk_is_join_kw(t); }
int tk_is_ids(int t) { return t == TK_ID || t == TK_STRING || sql_token_fallback(t); }

/* ------------------------------------------------------------- names ---- */
static char *dequote(Parser *p, const char *z, int n) {
  char *r = sqlite3_malloc64((u64)n + 1);
  if (r == NULL) {
    p_oom(p);
    return NULL;
  }
  char q = z[0];
  if (n >= 2 && (q == '"' || q == '\'' || q == '`' || q == '[')) {
    char close = q == '[' ? ']' : q;
    int j = 0;
    for (int i = 1; i < n - 1; i++) {
      r[j++] = z[i];
      if (z[i] == close && q != '[' && i + 1 < n - 1 && z[i + 1] == close) i++;
    }
    r[j] = 0;
  } else {
    memcpy(r, z, (size_t)n);
    r[n] = 0;
  }
  return r;
}

char *p_token_name(Parser *p, const Token *t) { return dequote(p, p->z + t->pos, t->n); }

char *p_name(Parser *p) {
  if (P_FAILED(p)) return NULL;
  if (!tk_is_nm(p->t.type)) {
    p_syntax_error(p);
    return NULL;
  }
  char *r = p_token_name(p, &p->t);
  p_next(p);
  if (P_FAILED(p)) {
    sqlite3_free(r);
    return NULL;
  }
  return r;
}

int p_name_eq(Parser *p, const Token *t, const char *lit) {
  char *n = p_token_name(p, t);
  int r = n && shale_stricmp(n, lit) == 0;
  sqlite3_free(n);
  return r;
}

static int is_sp(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v';
}

char *p_text(Parser *p, int from, int to) {
  while (from < to && is_sp(p->z[from])) from++;
  while (to > from && is_sp(p->z[to - 1])) to--;
  char *r = shale_strndup(p->z + from, to - from);
  if (r == NULL) p_oom(p);
  return r;
}

/* nm [DOT nm] */
int p_fullname(Parser *p, char **db, char **name) {
  *db = NULL;
  *name = p_name(p);
  if (*name == NULL) return 0;
  if (p_accept(p, TK_DOT)) {
    *db = *name;
    *name = p_name(p);
    if (*name == NULL) return 0;
  }
  return !P_FAILED(p);
}

/* ------------------------------------------------------ small commands -- */
static void p_trans_opt(Parser *p, Stmt *s) {
  (void)s;
  if (p_accept(p, TK_TRANSACTION)) {
    if (tk_is_nm(p->t.type)) p_next(p);
  }
}

static int p_begin(Parser *p, Stmt *s) {
  s->kind = ST_BEGIN;
  if (p_accept(p, TK_DEFERRED)) s->u.begin.mode = 0;
  else if (p_accept(p, TK_IMMEDIATE)) s->u.begin.mode = 1;
  else if (p_accept(p, TK_EXCLUSIVE)) s->u.begin.mode = 2;
  else if (p->t.type == TK_ID && p->t.n == 10 &&
           shale_strnicmp(p->z + p->t.pos, "CONCURRENT", 10) == 0) {
    /* Shale extension: BEGIN CONCURRENT */
    s->u.begin.mode = 3;
    p_next(p);
  }
  p_trans_opt(p, s);
  return !P_FAILED(p);
}

static int p_rollback(Parser *p, Stmt *s) {
  s->kind = ST_ROLLBACK;
  p_trans_opt(p, s);
  if (p_accept(p, TK_TO)) {
    p_accept(p, TK_SAVEPOINT);
    s->u.trans.savepoint = p_name(p);
  }
  return !P_FAILED(p);
}

/* nmnum / plus_num / minus_num for PRAGMA values */
static int p_pragma(Parser *p, Stmt *s) {
  s->kind = ST_PRAGMA;
  if (!p_fullname(p, &s->u.pragma.db, &s->u.pragma.name)) return 0;
  int paren = 0;
  if (p_accept(p, TK_EQ)) paren = 0;
  else if (p_accept(p, TK_LP)) paren = 1;
  else return 1;
  s->u.pragma.has_value = 1;
  int t = p->t.type;
  if (t == TK_PLUS || t == TK_MINUS) {
    p_next(p);
    if (p->t.type != TK_INTEGER && p->t.type != TK_FLOAT) {
      p_syntax_error(p);
      return 0;
    }
    int n = p->t.n;
    char *v = sqlite3_malloc64((u64)n + 2);
    if (v == NULL) { p_oom(p); return 0; }
    int k = 0;
    if (t == TK_MINUS) v[k++] = '-';
    memcpy(v + k, p->z + p->t.pos, (size_t)n);
    v[k + n] = 0;
    s->u.pragma.value = v;
    p_next(p);
  } else if (t == TK_INTEGER || t == TK_FLOAT || t == TK_ON || t == TK_DELETE ||
             t == TK_DEFAULT) {
    s->u.pragma.value = shale_strndup(p->z + p->t.pos, p->t.n);
    if (s->u.pragma.value == NULL) { p_oom(p); return 0; }
    p_next(p);
  } else if (tk_is_nm(t)) {
    s->u.pragma.value = p_name(p);
  } else {
    p_syntax_error(p);
    return 0;
  }
  if (paren) p_expect(p, TK_RP);
  return !P_FAILED(p);
}

static int p_attach(Parser *p, Stmt *s) {
  s->kind = ST_ATTACH;
  p_accept(p, TK_DATABASE);
  p->nest -= 2;
  s->u.attach.file = p_expr(p);
  p->nest += 2;
  if (s->u.attach.file == NULL) return 0;
  if (!p_expect(p, TK_AS)) return 0;
  if ((s->u.attach.schema = p_expr(p)) == NULL) return 0;
  if (p_accept(p, TK_KEY)) {
    if ((s->u.attach.key = p_expr(p)) == NULL) return 0;
  }
  return 1;
}

static Stmt *new_stmt(Parser *p) {
  Stmt *s = shale_malloc_zero(sizeof(Stmt));
  if (s == NULL) p_oom(p);
  return s;
}

/* One statement (after any EXPLAIN).  Returns NULL on error. */
Stmt *p_statement(Parser *p) {
  Stmt *s = new_stmt(p);
  if (s == NULL) return NULL;
  s->kind = ST_SELECT;
  int ok = 1;
  int t = p->t.type;
  switch (t) {
    case TK_SELECT: case TK_VALUES: case TK_LP:
      s->kind = ST_SELECT;
      s->u.select = p_select_body(p, NULL);
      ok = s->u.select != NULL;
      break;
    case TK_WITH: {
      p_next(p);
      With *w = p_with(p);
      if (w == NULL) { ok = 0; break; }
      if (p->t.type == TK_SELECT || p->t.type == TK_VALUES) {
        s->kind = ST_SELECT;
        s->u.select = p_select_body(p, w);
        ok = s->u.select != NULL;
      } else {
        s->with = w;
        if (p->t.type == TK_INSERT || p->t.type == TK_REPLACE) ok = p_insert(p, s);
        else if (p->t.type == TK_UPDATE) ok = p_update(p, s);
        else if (p->t.type == TK_DELETE) ok = p_delete(p, s);
        else { p_syntax_error(p); ok = 0; }
      }
      break;
    }
    case TK_INSERT: case TK_REPLACE: ok = p_insert(p, s); break;
    case TK_UPDATE: ok = p_update(p, s); break;
    case TK_DELETE: ok = p_delete(p, s); break;
    case TK_CREATE: p_next(p); ok = p_create(p, s); break;
    case TK_DROP: p_next(p); ok = p_drop(p, s); break;
    case TK_ALTER: p_next(p); ok = p_alter(p, s); break;
    case TK_BEGIN: p_next(p); ok = p_begin(p, s); break;
    case TK_COMMIT: case TK_END:
      p_next(p);
      s->kind = ST_COMMIT;
      p_trans_opt(p, s);
      break;
    case TK_ROLLBACK: p_next(p); ok = p_rollback(p, s); break;
    case TK_SAVEPOINT:
      p_next(p);
      s->kind = ST_SAVEPOINT;
      ok = (s->u.trans.savepoint = p_name(p)) != NULL;
      break;
    case TK_RELEASE:
      p_next(p);
      s->kind = ST_RELEASE;
      p_accept(p, TK_SAVEPOINT);
      ok = (s->u.trans.savepoint = p_name(p)) != NULL;
      break;
    case TK_PRAGMA: p_next(p); ok = p_pragma(p, s); break;
    case TK_VACUUM:
      p_next(p);
      s->kind = ST_VACUUM;
      if (tk_is_nm(p->t.type)) ok = (s->u.vacuum.db = p_name(p)) != NULL;
      if (ok && p_accept(p, TK_INTO)) ok = (s->u.vacuum.into = p_expr(p)) != NULL;
      break;
    case TK_ANALYZE: case TK_REINDEX:
      p_next(p);
      s->kind = t == TK_ANALYZE ? ST_ANALYZE : ST_REINDEX;
      if (tk_is_nm(p->t.type)) {
        ok = p_fullname(p, &s->u.target.db, &s->u.target.name);
      }
      break;
    case TK_ATTACH: p_next(p); ok = p_attach(p, s); break;
    case TK_DETACH:
      p_next(p);
      s->kind = ST_DETACH;
      p_accept(p, TK_DATABASE);
      ok = (s->u.attach.file = p_expr(p)) != NULL;
      break;
    default:
      p_syntax_error(p);
      ok = 0;
      break;
  }
  if (!ok || P_FAILED(p)) {
    if (!P_FAILED(p)) p_syntax_error(p);
    ast_free_stmt(s);
    return NULL;
  }
  return s;
}

/* ------------------------------------------------------------- entry ---- */
static void free_vars(Parser *p) {
  for (int i = 0; i < p->var_alloc; i++) sqlite3_free(p->var_names[i]);
  sqlite3_free(p->var_names);
  p->var_names = NULL;
  sqlite3_free(p->var_hash);
  p->var_hash = NULL;
}

void parse_result_clear(ParseResult *r) {
  if (r == NULL) return;
  ast_free_stmt(r->stmt);
  sqlite3_free(r->err);
  if (r->var_names) {
    for (int i = 0; i < r->n_vars; i++) sqlite3_free(r->var_names[i]);
    sqlite3_free(r->var_names);
  }
  memset(r, 0, sizeof(*r));
}

int sql_parse(const char *zSql, int nBytes, ParseResult *out) {
  Parser P;
  Parser *p = &P;
  memset(out, 0, sizeof(*out));
  memset(p, 0, sizeof(*p));
  if (zSql == NULL) zSql = "";
  /* A NUL-terminated text is read in place: no length, no copy, so that
  ** preparing a long script statement by statement stays linear.  A text
  ** with an explicit length is copied to add the terminator. */
  int n = INT_MAX;
  char *copy = NULL;
  if (nBytes >= 0) {
    n = 0;
    while (n < nBytes && zSql[n]) n++;
    copy = sqlite3_malloc64((u64)n + 1);
    if (copy == NULL) {
      out->err = shale_strdup("out of memory");
      out->tail = zSql;
      return SQLITE_NOMEM;
    }
    memcpy(copy, zSql, (size_t)n);
    copy[n] = 0;
  }
  p->z = copy ? copy : zSql;
  p->nz = n;
  p->t.type = TK_EOF;
  p->t.pos = 0;
  p->t.n = 0;
  p->prev_type = TK_SEMI;
  p_next(p);

  Stmt *s = NULL;
  int explain = 0;
  int start = p->t.pos;
  if (!P_FAILED(p)) {
    while (p->t.type == TK_SEMI) p_next(p); /* empty statements */
    start = p->t.pos;
    if (P_FAILED(p)) goto failed;
    if (p->t.type == TK_EOF) {
      out->tail = zSql + p->t.pos;
      sqlite3_free(copy);
      return SQLITE_OK;
    }
    if (p_accept(p, TK_EXPLAIN)) {
      explain = 1;
      if (p_accept(p, TK_QUERY)) {
        if (p_expect(p, TK_PLAN)) explain = 2;
      }
    }
    if (!P_FAILED(p)) s = p_statement(p);
  }
  if (s && !P_FAILED(p)) {
    s->explain = explain;
    s->pos = start;
    s->end = p->prev_end;
    if (p->t.type == TK_SEMI) {
      out->tail = zSql + p->t.pos + 1;
    } else if (p->t.type == TK_EOF) {
      out->tail = zSql + p->t.pos;
    } else {
      p_syntax_error(p);
    }
  }
  if (P_FAILED(p)) {
  failed:
    ast_free_stmt(s);
    s = NULL;
    out->err = p->err;
    p->err = NULL;
    out->err_pos = p->err_pos;
    out->tail = zSql + (p->t.pos + p->t.n <= n ? p->t.pos + p->t.n : n);
    free_vars(p);
    sqlite3_free(copy);
    return p->rc;
  }
  out->stmt = s;
  out->n_vars = p->n_vars;
  out->var_names = p->var_names;
  if (out->var_names && p->var_alloc > p->n_vars) {
    for (int i = p->n_vars; i < p->var_alloc; i++) sqlite3_free(p->var_names[i]);
  }
  p->var_names = NULL;
  sqlite3_free(p->var_hash);
  sqlite3_free(copy);
  return SQLITE_OK;
}
