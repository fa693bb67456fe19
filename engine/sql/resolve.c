/*
** resolve.c — name resolution: turns identifiers in expressions into
** column references (EX_COLUMN: cursor + column + Table*), checks
** functions (existence, arity, aggregate use), expands `*`, sets up the
** FROM clause of a SELECT (cursors, views, CTEs, subqueries), and maps
** ORDER BY / GROUP BY terms to result columns.
*/
#include "select_int.h"
#include "vtab.h"

/* ------------------------------------------------------------ Q state -- */
QState *q_state(Parse *p) {
  if (!p->query) p->query = shale_malloc_zero(sizeof(QState));
  return (QState *)p->query;
}

static void pseudo_table_free(Table *t) {
  if (!t) return;
  for (int i = 0; i < t->n_col; i++) {
    sqlite3_free(t->cols[i].name);
    sqlite3_free(t->cols[i].type);
    sqlite3_free(t->cols[i].collate);
    sqlite3_free(t->cols[i].src_table);
  }
  sqlite3_free(t->cols);
  sqlite3_free(t->name);
  sqlite3_free(t);
}

Table *q_pseudo_table(Parse *p, int n_col) {
  QState *q = q_state(p);
  if (!q) return NULL;
  if (q->n_tabs >= q->alloc_tabs) {
    int na = q->alloc_tabs ? q->alloc_tabs * 2 : 8;
    Table **nt = sqlite3_realloc64(q->tabs, sizeof(Table *) * (u64)na);
    if (!nt) return NULL;
    q->tabs = nt;
    q->alloc_tabs = na;
  }
  Table *t = shale_malloc_zero(sizeof(Table));
  if (!t) return NULL;
  t->cols = shale_malloc_zero(sizeof(Column) * (size_t)(n_col > 0 ? n_col : 1));
  if (!t->cols) {
    sqlite3_free(t);
    return NULL;
  }
  t->n_col = n_col;
  t->ipk = -1;
  t->db_index = -1;
  t->n_row_est = 1000;
  q->tabs[q->n_tabs++] = t;
  return t;
}

void *q_alloc(Parse *p, size_t n) {
  QState *q = q_state(p);
  if (!q) return NULL;
  if (q->n_allocs >= q->alloc_allocs) {
    int na = q->alloc_allocs ? q->alloc_allocs * 2 : 16;
    void **nv = sqlite3_realloc64(q->allocs, sizeof(void *) * (u64)na);
    if (!nv) return NULL;
    q->allocs = nv;
    q->alloc_allocs = na;
  }
  void *m = shale_malloc_zero(n);
  if (m) q->allocs[q->n_allocs++] = m;
  return m;
}

void codegen_query_cleanup(Parse *p) {
  QState *q = (QState *)p->query;
  if (!q) return;
  for (int i = 0; i < q->n_allocs; i++) sqlite3_free(q->allocs[i]);
  sqlite3_free(q->allocs);
  for (int i = 0; i < q->n_tabs; i++) pseudo_table_free(q->tabs[i]);
  sqlite3_free(q->tabs);
  sqlite3_free(q);
  p->query = NULL;
}

int q_remap_find(Parse *p, int cursor, int column, int *idx_column) {
  QState *q = (QState *)p->query;
  if (!q) return -1;
  for (int i = q->n_remap - 1; i >= 0; i--) {
    if (q->remap[i].table_cursor != cursor) continue;
    Index *ix = q->remap[i].index;
    Table *t = ix->table;
    int want = column;
    if (want >= 0 && t && want == t->ipk) want = -1;
    for (int j = 0; j < ix->n_column; j++) {
      if (ix->columns[j] == want) {
        *idx_column = j;
        return q->remap[i].index_cursor;
      }
    }
    return -1;
  }
  return -1;
}

/* ------------------------------------------------------------ helpers -- */
int resolve_is_rowid_name(const char *z) {
  return z && (!shale_stricmp(z, "rowid") || !shale_stricmp(z, "oid") || !shale_stricmp(z, "_rowid_"));
}

static int find_column(const Table *t, const char *name) {
  for (int i = 0; i < t->n_col; i++)
    if (t->cols[i].name && !shale_stricmp(t->cols[i].name, name)) return i;
  return -1;
}

static const char *item_name(const SrcItem *it) { return it->alias ? it->alias : it->name; }

static int idlist_has(const IdList *l, const char *name) {
  if (!l) return 0;
  for (int i = 0; i < l->n; i++)
    if (!shale_stricmp(l->names[i], name)) return 1;
  return 0;
}

/* Does an earlier item (0..i-1) of src have column `name`? */
static int earlier_has(SrcList *src, int i, const char *name) {
  for (int k = 0; k < i; k++) {
    Table *t = (Table *)src->a[k].res_ptr;
    if (t && find_column(t, name) >= 0) return 1;
  }
  return 0;
}

/* Is column `name` of item i a USING/NATURAL join column merged with an
** earlier item (so an unqualified reference means the left one)? */
static int nested_find(const Table *t, const char *zTab, const char *zCol, int *n_match, int *tab_match);

static int is_merged_join_col(SrcList *src, int i, const char *name) {
  if (i == 0) return 0;
  SrcItem *it = &src->a[i];
  if (it->using_ && idlist_has(it->using_, name)) return 1;
  if ((it->join_type & JT_NATURAL) && earlier_has(src, i, name)) return 1;
  return 0;
}

/* For an unqualified column of item i merged by a later RIGHT/FULL JOIN
** USING/NATURAL item: that item and its column (else -1). */
static int right_partner(SrcList *src, int i, const char *name, int *col) {
  for (int j = i + 1; j < src->n; j++) {
    SrcItem *it = &src->a[j];
    if (!(it->join_type & (JT_RIGHT | JT_FULL))) continue;
    if (!is_merged_join_col(src, j, name)) continue;
    Table *t = (Table *)it->res_ptr;
    int c = t ? find_column(t, name) : -1;
    if (c >= 0) {
      *col = c;
      return j;
    }
  }
  return -1;
}

static void make_column(Expr *e, int cursor, int col, Table *t, int depth);
/* Turn e (a resolved column of item i) into coalesce(e, partner column). */
static void make_coalesce(Parse *p, Expr *e, SrcItem *partner, int pcol) {
  int wrong = 0;
  const FuncDef *f = func_find(p->db, "coalesce", 2, &wrong);
  if (!f) return;
  Expr *a = ast_expr_new(EX_COLUMN);
  Expr *b = ast_expr_new(EX_COLUMN);
  if (!a || !b) {
    ast_free_expr(a);
    ast_free_expr(b);
    return;
  }
  *a = *e;
  a->text = e->text ? shale_strdup(e->text) : NULL;
  a->left = a->right = a->extra = NULL;
  a->list = NULL;
  a->select = NULL;
  a->over = NULL;
  a->order_by = NULL;
  a->table = a->db = NULL;
  Table *pt = (Table *)partner->res_ptr;
  b->text = shale_strdup(pt->cols[pcol].name);
  make_column(b, partner->res_cursor, pcol, pt, a->res_depth);
  ExprList *l = ast_expr_list_append(NULL, a);
  l = l ? ast_expr_list_append(l, b) : NULL;
  if (!l) return;
  e->op = EX_FUNCTION;
  e->list = l;
  e->res_ptr = (void *)f;
  sqlite3_free(e->text);
  e->text = shale_strdup("coalesce");
}

static void make_column(Expr *e, int cursor, int col, Table *t, int depth) {
  e->op = EX_COLUMN;
  e->res_cursor = cursor;
  e->res_column = col;
  e->res_ptr = t;
  e->res_depth = depth;
  if (col >= 0 && col < t->n_col) {
    e->res_affinity = t->cols[col].affinity;
    if (!e->res_affinity) e->res_affinity = SQLITE_AFF_BLOB;
  } else {
    e->res_affinity = SQLITE_AFF_INTEGER;
  }
}

static int expr_has_agg(Parse *p, Expr *e);

static int list_has_agg(Parse *p, ExprList *l) {
  if (!l) return 0;
  for (int i = 0; i < l->n; i++)
    if (expr_has_agg(p, l->a[i].expr)) return 1;
  return 0;
}

static int expr_has_agg(Parse *p, Expr *e) {
  if (!e) return 0;
  if (expr_is_agg_func(p, e)) return 1;
  if (e->op == EX_SUBQUERY || e->op == EX_EXISTS || e->op == EX_IN_SELECT) return expr_has_agg(p, e->left);
  return expr_has_agg(p, e->left) || expr_has_agg(p, e->right) || expr_has_agg(p, e->extra) ||
         list_has_agg(p, e->list);
}

int expr_is_agg_func(Parse *p, const Expr *e) {
  SHALE_UNUSED(p);
  if (!e || e->op != EX_FUNCTION || !e->res_ptr || e->over) return 0;
  const FuncDef *f = (const FuncDef *)e->res_ptr;
  return (f->flags & FUNC_AGGREGATE) != 0;
}

static const char *db_name_of(Parse *p, int idb) {
  if (idb < 0 || idb >= p->db->n_db) return NULL;
  return p->db->dbs[idb].name;
}

/* Replace *dst's content by a deep copy of src (keeping dst's pos). */
static void expr_replace_with_copy(Expr *dst, const Expr *src) {
  Expr *c = ast_dup_expr(src);
  if (!c) return;
  Expr tmp = *dst;
  *dst = *c;
  *c = tmp;
  ast_free_expr(c);
}

/* ----------------------------------------------------- column lookup -- */
static int lookup_name(Parse *p, NameContext *nc, Expr *e) {
  const char *zCol = e->text;
  const char *zTab = e->op == EX_DOT ? e->table : NULL;
  const char *zDb = e->op == EX_DOT ? e->db : NULL;
  int depth = 0;
  for (NameContext *n = nc; n; n = n->outer, depth++) {
    int cnt = 0, cnt_tab = 0;
    SrcItem *match = NULL;
    int subq_rowid = 0;
    Table *match_tab = NULL;
    int match_cursor = 0, match_col = -1;
    if (n->nc_flags & NC_NOCOLS) continue;
    SrcList *src = n->src;
    if (src) {
      for (int i = 0; i < src->n; i++) {
        SrcItem *it = &src->a[i];
        Table *t = (Table *)it->res_ptr;
        if (!t) continue;
        if (it->nested) {
          int n_match = 0, tab_match = 0;
          int c = zDb ? -1 : nested_find(t, zTab, zCol, &n_match, &tab_match);
          if (zDb || (zTab && !tab_match)) continue;
          cnt_tab++;
          if (!match_tab) {
            match_tab = t;
            match = it;
            match_cursor = it->res_cursor;
          }
          if (c >= 0) {
            if (!zTab && is_merged_join_col(src, i, zCol) && cnt > 0) continue;
            cnt += n_match;
            match = it;
            match_tab = t;
            match_cursor = it->res_cursor;
            match_col = c;
          }
          continue;
        }
        if (zTab) {
          const char *nm = item_name(it);
          if (!nm || shale_stricmp(nm, zTab)) continue;
          if (zDb) {
            if (it->subquery) continue;
            const char *dn = db_name_of(p, t->db_index);
            if (!dn || shale_stricmp(dn, zDb)) continue;
          }
        }
        cnt_tab++;
        if (!match_tab) {
          match_tab = t;
          match = it;
          match_cursor = it->res_cursor;
        }
        int c = find_column(t, zCol);
        if (c >= 0) {
          if (!zTab && is_merged_join_col(src, i, zCol) && cnt > 0) continue;
          cnt++;
          match = it;
          match_tab = t;
          match_cursor = it->res_cursor;
          match_col = c;
        }
      }
    } else if (n->table) {
      Table *t = n->table;
      if (!zTab || !shale_stricmp(zTab, t->name)) {
        cnt_tab = 1;
        match_tab = t;
        match_cursor = n->table_cursor;
        int c = find_column(t, zCol);
        if (c >= 0) {
          cnt = 1;
          match_col = c;
        }
      }
    }
    /* Trigger NEW / OLD */
    if (cnt == 0 && zTab && !zDb && p->trigger_table &&
        (!shale_stricmp(zTab, "new") || !shale_stricmp(zTab, "old"))) {
      int is_new = !shale_stricmp(zTab, "new");
      Table *t = p->trigger_table;
      int base = is_new ? p->new_base : p->old_base;
      int c = find_column(t, zCol);
      if (c < 0 && !resolve_is_rowid_name(zCol)) {
        parse_error_at(p, e->pos, "no such column: %s.%s", zTab, zCol);
        return p->rc;
      }
      if ((is_new && p->trigger_op == ST_DELETE) || (!is_new && p->trigger_op == ST_INSERT)) {
        parse_error_at(p, e->pos, "no such column: %s.%s", zTab, zCol);
        return p->rc;
      }
      e->op = EX_AGG_COLUMN;
      if (c < 0 || c == t->ipk) {
        e->res_agg = base;
        e->res_affinity = SQLITE_AFF_INTEGER;
      } else {
        e->res_agg = base + 1 + c;
        e->res_affinity = t->cols[c].affinity ? t->cols[c].affinity : SQLITE_AFF_BLOB;
      }
      e->res_ptr = NULL;
      e->res_column = c;
      return SQLITE_OK;
    }
    if (cnt == 0 && cnt_tab == 1 && match_tab && resolve_is_rowid_name(zCol) && !match_tab->without_rowid &&
        !match_tab->hidden_rowid && (match || n->table != NULL)) {
      cnt = 1;
      match_col = -1;
      /* The rowid of a FROM subquery (or view) is SQLite's accident: NULL
      ** when it is flattened (flat_subst) or run as a co-routine (the first
      ** FROM item, alone or before an outer/cross join), else the row
      ** number in the table it is materialized into. */
      if (match && match->subquery && src) {
        /* SQLite's rowid column never "can be NULL": x IS NULL folds to 0 */
        int outer = 0;
        for (int i = 0; i < src->n; i++)
          if ((src->a[i].join_type & JT_RIGHT) || (&src->a[i] == match && (match->join_type & JT_LEFT))) outer = 1;
        if (!outer) subq_rowid = 1;
        if (match == &src->a[0] && (src->n == 1 || (src->a[1].join_type & (JT_OUTER | JT_CROSS)))) {
          e->op = EX_NULL;
          if (subq_rowid) e->flags |= EXPR_F_NOTNULL_ROWID;
          return SQLITE_OK;
        }
      }
    }
    /* result-column aliases */
    if (cnt == 0 && !zTab && n->result && (n->nc_flags & NC_ALIAS)) {
      for (int j = 0; j < n->result->n; j++) {
        const char *al = n->result->a[j].alias;
        if (al && !shale_stricmp(al, zCol)) {
          Expr *orig = n->result->a[j].expr;
          if (depth > 0) break; /* aliases of outer queries are not visible */
          if (expr_has_agg(p, orig) && !n->allow_agg) {
            parse_error_at(p, e->pos, "misuse of aliased aggregate %s", zCol);
            return p->rc;
          }
          if (orig->op == EX_FUNCTION && expr_is_agg_func(p, orig) && (n->nc_flags & NC_GROUPBY)) {
            parse_error(p, "aggregate functions are not allowed in the GROUP BY clause");
            return p->rc;
          }
          expr_replace_with_copy(e, orig);
          if (expr_has_agg(p, e)) n->has_agg = 1;
          return SQLITE_OK;
        }
      }
    }
    if (cnt > 1) {
      if (zTab)
        parse_error_at(p, e->pos, "ambiguous column name: %s.%s", zTab, zCol);
      else
        parse_error_at(p, e->pos, "ambiguous column name: %s", zCol);
      return p->rc;
    }
    if (cnt == 1) {
      make_column(e, match_cursor, match_col, match_tab, depth);
      if (subq_rowid) e->flags |= EXPR_F_NOTNULL_ROWID;
      if (!zTab && src && match && match_col >= 0) {
        int pc = -1;
        int pj = right_partner(src, (int)(match - src->a), zCol, &pc);
        if (pj >= 0) make_coalesce(p, e, &src->a[pj], pc);
      }
      for (NameContext *m = nc; m && m != n; m = m->outer) m->correlated = 1;
      return SQLITE_OK;
    }
  }
  if (e->op == EX_ID && (e->flags & EXPR_F_QUOTED)) {
    e->op = EX_STRING;
    e->n_text = e->text ? (int)strlen(e->text) : 0;
    return SQLITE_OK;
  }
  if (zDb)
    parse_error_at(p, e->pos, "no such column: %s.%s.%s", zDb, zTab, zCol);
  else if (zTab)
    parse_error_at(p, e->pos, "no such column: %s.%s", zTab, zCol);
  else
    parse_error_at(p, e->pos, "no such column: %s", zCol);
  return p->rc;
}

/* ---------------------------------------------------------- expressions -- */
static int resolve_walk(Parse *p, NameContext *nc, Expr *e);

int resolve_expr_list(Parse *p, NameContext *nc, ExprList *l) {
  if (!l) return SQLITE_OK;
  for (int i = 0; i < l->n && p->rc == SQLITE_OK; i++) resolve_walk(p, nc, l->a[i].expr);
  return p->rc;
}

static int resolve_function(Parse *p, NameContext *nc, Expr *e) {
  int n_arg = e->list ? e->list->n : 0;
  int wrong = 0;
  const FuncDef *f = func_find(p->db, e->text, n_arg, &wrong);
  if (!f) {
    if (wrong)
      parse_error_at(p, e->pos, "wrong number of arguments to function %s()", e->text);
    else
      parse_error_at(p, e->pos, "no such function: %s", e->text);
    return p->rc;
  }
  e->res_ptr = (void *)f;
  int is_agg = (f->flags & FUNC_AGGREGATE) != 0;
#ifdef FUNC_WINDOW
  if (!e->over && (f->flags & FUNC_WINDOW)) {
    parse_error_at(p, e->pos, "misuse of window function %s()", e->text);
    return p->rc;
  }
#endif
  if (e->over) {
    if (!is_agg && !f->x_value) {
      parse_error_at(p, e->pos, "%s() may not be used as a window function", e->text);
      return p->rc;
    }
    if (!nc->allow_agg || (nc->nc_flags & (NC_INAGG | NC_GROUPBY | NC_NOWIN))) {
      parse_error_at(p, e->pos, "misuse of window function %s()", e->text);
      return p->rc;
    }
    if (e->flags & EXPR_F_DISTINCT) {
      parse_error_at(p, e->pos, "DISTINCT is not supported for window functions");
      return p->rc;
    }
    if (e->extra && (f->flags & FUNC_WINDOW)) {
      parse_error(p, "FILTER clause may only be used with aggregate window functions");
      return p->rc;
    }
    /* window functions: arguments resolved like ordinary expressions (no
    ** window function inside) */
    int saved = nc->nc_flags;
    nc->nc_flags |= NC_NOWIN;
    resolve_expr_list(p, nc, e->list);
    if (e->extra) resolve_walk(p, nc, e->extra);
    if (e->over) {
      resolve_expr_list(p, nc, e->over->partition_by);
      resolve_expr_list(p, nc, e->over->order_by);
    }
    nc->nc_flags = saved;
    return p->rc;
  }
  if (!is_agg) {
    if (e->flags & EXPR_F_DISTINCT) {
      parse_error_at(p, e->pos, "DISTINCT aggregates must have exactly one argument");
      return p->rc;
    }
    if (e->extra) {
      parse_error_at(p, e->pos, "FILTER may not be used with non-aggregate %s()", e->text);
      return p->rc;
    }
    int saved_f = nc->nc_flags;
    nc->nc_flags |= NC_INFUNC;
    resolve_expr_list(p, nc, e->list);
    nc->nc_flags = saved_f;
    return p->rc;
  }
  if ((e->flags & EXPR_F_DISTINCT) && n_arg != 1) {
    parse_error_at(p, e->pos, "DISTINCT aggregates must have exactly one argument");
    return p->rc;
  }
  if (nc->nc_flags & NC_INAGG) {
    parse_error_at(p, e->pos, "misuse of aggregate function %s()", e->text);
    return p->rc;
  }
  if (nc->nc_flags & NC_GROUPBY) {
    parse_error(p, "aggregate functions are not allowed in the GROUP BY clause");
    return p->rc;
  }
  if (!nc->allow_agg) {
    if (nc->nc_flags & NC_INFUNC)
      parse_error_at(p, e->pos, "misuse of aggregate function %s()", e->text);
    else
      parse_error_at(p, e->pos, "misuse of aggregate: %s()", e->text);
    return p->rc;
  }
  nc->has_agg = 1;
  int saved = nc->nc_flags;
  nc->nc_flags |= NC_INAGG;
  resolve_expr_list(p, nc, e->list);
  if (e->extra) resolve_walk(p, nc, e->extra);
  resolve_expr_list(p, nc, e->order_by);
  nc->nc_flags = saved;
  return p->rc;
}

static int resolve_walk(Parse *p, NameContext *nc, Expr *e) {
  if (!e || p->rc) return p->rc;
  switch (e->op) {
    case EX_ID:
    case EX_DOT:
      return lookup_name(p, nc, e);
    case EX_COLUMN:
    case EX_AGG_COLUMN:
      return SQLITE_OK;
    case EX_FUNCTION:
      return resolve_function(p, nc, e);
    case EX_SUBQUERY:
    case EX_EXISTS:
      return resolve_select(p, e->select, nc);
    case EX_IN_TABLE: {
      /* x IN table  ==  x IN (SELECT * FROM table) */
      if (e->list) {
        parse_error_at(p, e->pos, "no such table-valued function: %s", e->text ? e->text : "");
        return p->rc;
      }
      Select *s = shale_malloc_zero(sizeof(Select));
      if (!s) return SQLITE_NOMEM;
      s->from = ast_src_list_append(NULL);
      Expr *star = ast_expr_new(EX_STAR);
      s->result = star ? ast_expr_list_append(NULL, star) : NULL;
      if (!s->from || !s->result) {
        ast_free_select(s);
        return SQLITE_NOMEM;
      }
      s->from->a[0].name = shale_strdup(e->text ? e->text : "");
      s->from->a[0].db = e->db ? shale_strdup(e->db) : NULL;
      e->select = s;
      e->op = EX_IN_SELECT;
    }
      /* fall through */
    case EX_IN_SELECT:
      resolve_walk(p, nc, e->left);
      if (p->rc) return p->rc;
      return resolve_select(p, e->select, nc);
    case EX_CAST:
      e->res_affinity = schema_affinity_of_type(e->text);
      return resolve_walk(p, nc, e->left);
    case EX_RAISE:
      if (!p->trigger_table) {
        parse_error_at(p, e->pos, "RAISE() may only be used within a trigger-program");
        return p->rc;
      }
      return SQLITE_OK;
    case EX_STAR:
      parse_error_at(p, e->pos, "near \"*\": syntax error");
      return p->rc;
    case EX_ISNULL:
    case EX_NOTNULL: {
      /* SQLite's "NOT NULL strength reduction" on a subquery's rowid (its
      ** only case here whose result differs): the test folds to a constant */
      if (resolve_walk(p, nc, e->left)) return p->rc;
      const Expr *x = e->left;
      while (x && x->op == EX_UNARY && (x->sub_op == UN_PLUS || x->sub_op == UN_NEG)) x = x->left;
      if (x && (x->flags & EXPR_F_NOTNULL_ROWID)) {
        e->op = e->op == EX_NOTNULL ? EX_TRUE : EX_FALSE;
        ast_free_expr(e->left);
        e->left = NULL;
      }
      return p->rc;
    }
    default:
      break;
  }
  resolve_walk(p, nc, e->left);
  resolve_walk(p, nc, e->right);
  resolve_walk(p, nc, e->extra);
  resolve_expr_list(p, nc, e->list);
  return p->rc;
}

int resolve_expr(Parse *p, NameContext *nc, Expr *e) {
  NameContext tmp;
  if (!nc) {
    memset(&tmp, 0, sizeof(tmp));
    nc = &tmp;
  }
  return resolve_walk(p, nc, e);
}

/* -------------------------------------------------------- column names -- */
const char *resolve_expr_decltype(const Expr *e) {
  while (e && (e->op == EX_COLLATE)) e = e->left;
  if (!e || e->op != EX_COLUMN || !e->res_ptr) return NULL;
  const Table *t = (const Table *)e->res_ptr;
  int c = e->res_column;
  if (c < 0) c = t->ipk;
  if (c < 0) return "INTEGER";
  return t->cols[c].type;
}

char *resolve_column_name(Parse *p, ExprListItem *it, int idx) {
  SHALE_UNUSED(p);
  if (it->alias) return shale_strdup(it->alias);
  const Expr *e = it->expr;
  while (e && e->op == EX_COLLATE && 0) e = e->left;
  if (e && e->op == EX_COLUMN && e->res_ptr) {
    const Table *t = (const Table *)e->res_ptr;
    int c = e->res_column;
    if (c < 0) c = t->ipk;
    if (c < 0) return shale_strdup("rowid");
    return shale_strdup(t->cols[c].name);
  }
  if (it->span) return shale_strdup(it->span);
  return sqlite3_mprintf("column%d", idx + 1);
}

/* ----------------------------------------------------------- SELECT -- */
static const char *ordinal_suffix(int n) {
  int m = n % 100;
  if (m >= 11 && m <= 13) return "th";
  switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
  }
  return "th";
}

/* Build the pseudo table describing a subquery's result. */
static Table *subquery_table(Parse *p, Select *sub, IdList *names, const char *tname) {
  Select *first = sub;
  while (first->prior) first = first->prior;
  ExprList *r = first->result;
  int n = r ? r->n : 0;
  if (names && names->n != n) {
    parse_error(p, "table %s has %d values for %d columns", tname ? tname : "?", n, names->n);
    return NULL;
  }
  Table *t = q_pseudo_table(p, n);
  if (!t) return NULL;
  t->name = tname ? shale_strdup(tname) : NULL;
  t->is_view = 0;
  for (int i = 0; i < n; i++) {
    Column *c = &t->cols[i];
    char *nm = names ? shale_strdup(names->names[i]) : resolve_column_name(p, &r->a[i], i);
    if (!nm) nm = shale_strdup("?");
    /* de-duplicate as SQLite does: name:1, name:2 ... */
    int suffix = 0;
    for (;;) {
      int dup = 0;
      for (int k = 0; k < i; k++)
        if (!shale_stricmp(t->cols[k].name, nm)) dup = 1;
      if (!dup) break;
      char *base = nm;
      char *colon = strrchr(base, ':');
      int blen = (int)strlen(base);
      if (colon && suffix > 0) blen = (int)(colon - base);
      nm = sqlite3_mprintf("%.*s:%d", blen, base, ++suffix);
      sqlite3_free(base);
    }
    c->name = nm;
    char aff = expr_affinity(p, r->a[i].expr);
    c->affinity = aff ? aff : SQLITE_AFF_BLOB;
    if (aff == SQLITE_AFF_NONE) c->affinity = SQLITE_AFF_BLOB;
    const char *dt = resolve_expr_decltype(r->a[i].expr);
    c->type = dt ? shale_strdup(dt) : NULL;
    const char *coll = expr_collation_name(p, r->a[i].expr);
    c->collate = coll ? shale_strdup(coll) : NULL;
  }
  return t;
}

static Cte *find_cte(Parse *p, const char *name, With **w_out) {
  for (int i = p->n_with - 1; i >= 0; i--) {
    With *w = p->with_stack[i];
    for (int j = 0; j < w->n; j++)
      if (w->a[j].name && !shale_stricmp(w->a[j].name, name)) {
        *w_out = w;
        return &w->a[j];
      }
  }
  return NULL;
}

/* Does select (any arm, FROM items recursively) reference table `name`? */
static int select_refs_name(const Select *s, const char *name) {
  for (; s; s = s->prior) {
    if (!s->from) continue;
    for (int i = 0; i < s->from->n; i++) {
      const SrcItem *it = &s->from->a[i];
      if (it->name && !it->db && !shale_stricmp(it->name, name)) return 1;
      if (it->subquery && select_refs_name(it->subquery, name)) return 1;
    }
  }
  return 0;
}

/* Marker stored in SrcItem.res_cursor's companion: recursive CTE reference
** items get a pseudo table whose `is_virtual` is 2 and `root` 0. */

/* The planner runs a RIGHT or FULL JOIN only as the last FROM item.  Joins
** are left-associative, so `a RIGHT JOIN b ON … JOIN c …` is `(a RIGHT JOIN
** b ON …) JOIN c …`: the items up to such a join move into a nested FROM
** subquery (SrcItem.nested) whose columns keep their table names. */
static int nest_right_joins(Select *s) {
  SrcList *src = s->from;
  while (src && src->n > 2) {
    int cut = -1;
    for (int i = 1; i < src->n - 1 && cut < 0; i++)
      if (src->a[i].join_type & (JT_RIGHT | JT_FULL)) cut = i;
    if (cut < 0) break;
    Select *sub = shale_malloc_zero(sizeof(Select));
    SrcList *in = shale_malloc_zero(sizeof(SrcList));
    SrcItem *items = shale_malloc_zero(sizeof(SrcItem) * (size_t)(cut + 1));
    if (!sub || !in || !items) {
      sqlite3_free(sub);
      sqlite3_free(in);
      sqlite3_free(items);
      return SQLITE_NOMEM;
    }
    memcpy(items, src->a, sizeof(SrcItem) * (size_t)(cut + 1));
    in->a = items;
    in->n = in->alloc = cut + 1;
    sub->from = in;
    memset(&src->a[0], 0, sizeof(SrcItem));
    src->a[0].subquery = sub;
    src->a[0].nested = 1;
    memmove(&src->a[1], &src->a[cut + 1], sizeof(SrcItem) * (size_t)(src->n - cut - 1));
    src->n -= cut;
  }
  /* a WITHOUT ROWID right operand (the planner's unmatched-row pass needs
  ** rowids): the item alone is nested, the join stays outside */
  SrcItem *last = src && src->n > 1 ? &src->a[src->n - 1] : NULL;
  Table *lt = last ? (Table *)last->res_ptr : NULL;
  if (last && (last->join_type & (JT_RIGHT | JT_FULL)) && lt && lt->without_rowid && !last->nested) {
    Select *sub = shale_malloc_zero(sizeof(Select));
    SrcList *in = shale_malloc_zero(sizeof(SrcList));
    SrcItem *items = shale_malloc_zero(sizeof(SrcItem));
    if (!sub || !in || !items) {
      sqlite3_free(sub);
      sqlite3_free(in);
      sqlite3_free(items);
      return SQLITE_NOMEM;
    }
    *items = *last;
    items->join_type = 0;
    items->on = NULL;
    items->using_ = NULL;
    in->a = items;
    in->n = in->alloc = 1;
    sub->from = in;
    last->db = last->name = last->alias = last->indexed_by = NULL;
    last->func_args = NULL;
    last->subquery = sub;
    last->nested = 1;
    last->res_ptr = NULL;
  }
  return SQLITE_OK;
}

static int setup_from(Parse *p, Select *s, NameContext *outer);
static int is_merged_join_col(SrcList *src, int i, const char *name);

/* The pseudo table of a nested FROM item: every column of every inner item
** (as <item>.<column>), preceded by one unqualified column per USING /
** NATURAL merged name (resolved inside, so a RIGHT/FULL partner coalesces). */
static Table *setup_nested(Parse *p, SrcItem *it, NameContext *outer) {
  Select *sub = it->subquery;
  if (setup_from(p, sub, outer)) return NULL;
  SrcList *in = sub->from;
  ExprList *r = NULL;
  int n_merged = 0;
  const char *merged[64];
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; k < in->n; k++) {
      Table *t = (Table *)in->a[k].res_ptr;
      for (int c = 0; t && c < t->n_col; c++) {
        const char *nm = t->cols[c].name;
        if (pass == 0) {
          /* a USING/NATURAL merged name: the left-most column of that name,
          ** coalesced with a RIGHT/FULL partner (what an unqualified
          ** reference means in the flat join) */
          int dup = 0;
          for (int j = 0; j < n_merged; j++)
            if (!shale_stricmp(merged[j], nm)) dup = 1;
          if (dup || n_merged >= 64 || !is_merged_join_col(in, k, nm)) continue;
          int k0 = -1, c0 = -1;
          for (int kk = 0; kk < k && k0 < 0; kk++) {
            Table *lt = (Table *)in->a[kk].res_ptr;
            int nmatch = 0, tmatch = 0;
            int cc = !lt ? -1 : in->a[kk].nested ? nested_find(lt, NULL, nm, &nmatch, &tmatch) : find_column(lt, nm);
            if (cc >= 0) k0 = kk, c0 = cc;
          }
          if (k0 < 0) continue;
          Expr *e = ast_expr_new(EX_COLUMN);
          if (!e) return NULL;
          e->text = shale_strdup(nm);
          make_column(e, in->a[k0].res_cursor, c0, (Table *)in->a[k0].res_ptr, 0);
          int pc = -1;
          int pj = right_partner(in, k0, nm, &pc);
          if (pj >= 0) make_coalesce(p, e, &in->a[pj], pc);
          merged[n_merged++] = nm;
          r = ast_expr_list_append(r, e);
          if (!r) return NULL;
          continue;
        }
        Expr *e = ast_expr_new(EX_COLUMN);
        if (!e) return NULL;
        e->text = shale_strdup(nm);
        make_column(e, in->a[k].res_cursor, c, t, 0);
        r = ast_expr_list_append(r, e);
        if (!r) return NULL;
      }
    }
  sub->result = r;
  if (resolve_select(p, sub, outer)) return NULL;
  int n = r ? r->n : 0;
  Table *nt = q_pseudo_table(p, n);
  if (!nt) return NULL;
  nt->hidden_rowid = 1;
  nt->n_merged = n_merged;
  int i = n_merged;
  for (int k = 0; k < in->n; k++) {
    Table *t = (Table *)in->a[k].res_ptr;
    const char *tn = item_name(&in->a[k]);
    for (int c = 0; t && c < t->n_col; c++, i++) {
      /* an inner nested item's columns keep their own table names (its
      ** merged columns stay unqualified) */
      const char *st = in->a[k].nested ? t->cols[c].src_table : (tn ? tn : "");
      nt->cols[i].src_table = st ? shale_strdup(st) : NULL;
      nt->cols[i].hidden = t->cols[c].hidden;
    }
  }
  for (i = 0; i < n; i++) {
    Column *c = &nt->cols[i];
    Expr *e = r->a[i].expr;
    c->name = shale_strdup(i < n_merged ? merged[i] : (e->text ? e->text : "?"));
    char aff = expr_affinity(p, e);
    c->affinity = aff && aff != SQLITE_AFF_NONE ? aff : SQLITE_AFF_BLOB;
    const char *dt = resolve_expr_decltype(e);
    c->type = dt ? shale_strdup(dt) : NULL;
    const char *coll = expr_collation_name(p, e);
    c->collate = coll ? shale_strdup(coll) : NULL;
  }
  return nt;
}

/* Column of a nested pseudo table named by [zTab.]zCol: the merged column
** first for an unqualified name; *n_match counts the candidates (more than
** one: ambiguous); *tab_match tells whether zTab names an inner item. */
static int nested_find(const Table *t, const char *zTab, const char *zCol, int *n_match, int *tab_match) {
  int found = -1;
  *n_match = 0;
  *tab_match = 0;
  for (int c = 0; c < t->n_col; c++) {
    const Column *col = &t->cols[c];
    if (zTab) {
      if (!col->src_table || shale_stricmp(col->src_table, zTab)) continue;
      *tab_match = 1;
    } else if (!col->src_table) {
      if (!shale_stricmp(col->name, zCol)) {
        *n_match = 1;
        return c;
      }
      continue;
    }
    if (shale_stricmp(col->name, zCol)) continue;
    if (found < 0) found = c;
    (*n_match)++;
  }
  return found;
}

/* Does item i or a later one use `name` in its USING (or NATURAL) join? */
static int in_later_using(SrcList *src, int i, const char *name) {
  for (int j = i; j < src->n; j++) {
    Table *t = (Table *)src->a[j].res_ptr;
    if (j > 0 && t && find_column(t, name) >= 0 && is_merged_join_col(src, j, name)) return 1;
  }
  return 0;
}

static int has_right_join(const SrcList *src, int from) {
  for (int j = from; src && j < src->n; j++)
    if (src->a[j].join_type & (JT_RIGHT | JT_FULL)) return 1;
  return 0;
}

/* With a RIGHT or FULL JOIN in the FROM clause, SQLite 3.40 requires every
** further left-hand table holding a USING column to be USING-joined on it. */
static int check_right_join_using(Parse *p, SrcList *src) {
  for (int i = 1; i < src->n; i++) {
    SrcItem *it = &src->a[i];
    Table *t = (Table *)it->res_ptr;
    if (!t || !(it->using_ || (it->join_type & JT_NATURAL))) continue;
    for (int c = 0; c < t->n_col; c++) {
      const char *name = t->cols[c].name;
      if (!is_merged_join_col(src, i, name)) continue;
      int seen = 0;
      for (int k = 0; k < i; k++) {
        Table *lt = (Table *)src->a[k].res_ptr;
        if (!lt || find_column(lt, name) < 0) continue;
        if (seen && !is_merged_join_col(src, k, name)) {
          parse_error(p, "ambiguous reference to %s in USING()", name);
          return p->rc;
        }
        seen = 1;
      }
    }
  }
  return SQLITE_OK;
}

static int setup_from(Parse *p, Select *s, NameContext *outer) {
  SrcList *from = s->from;
  if (!from) return SQLITE_OK;
  int flat = 1;
  for (int i = 0; i < from->n; i++)
    if (from->a[i].nested) flat = 0;
  for (int i = 0; i < from->n && !p->rc; i++) {
    SrcItem *it = &from->a[i];
    if (it->res_ptr) continue;
    it->res_cursor = parse_alloc_cursor(p);
    if (it->func_args) {
      /* FROM mod(args): an eponymous (or named) virtual table */
      Table *tab = it->name ? schema_find_table(p->db, it->db, it->name, NULL) : NULL;
      if (!tab && it->name) tab = vtab_eponymous(p, it->db, it->name);
      if (p->rc) return p->rc;
      if (!tab || !tab->vt) {
        if (tab)
          parse_error(p, "'%s' is not a function", it->name);
        else if (it->db)
          parse_error(p, "no such table: %s.%s", it->db, it->name ? it->name : "");
        else
          parse_error(p, "no such table: %s", it->name ? it->name : "");
        return p->rc;
      }
      if (vtab_connect(p, tab) || vtab_add_func_args(p, it, tab)) return p->rc;
      if (tab->db_index >= 0 && tab->db_index < 32) p->cookie_mask |= (u32)1 << tab->db_index;
      it->res_ptr = tab;
      continue;
    }
    if (it->nested) {
      Table *t = setup_nested(p, it, outer);
      if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
      it->res_ptr = t;
      continue;
    }
    if (it->subquery) {
      resolve_select(p, it->subquery, outer);
      if (p->rc) return p->rc;
      Table *t = subquery_table(p, it->subquery, NULL, it->alias);
      if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
      it->res_ptr = t;
      continue;
    }
    With *w = NULL;
    Cte *cte = it->db ? NULL : find_cte(p, it->name, &w);
    if (cte) {
      if (cte->select == NULL) {
        /* recursive self reference being set up (see select.c) */
        parse_error(p, "circular reference: %s", cte->name);
        return p->rc;
      }
      if (select_refs_name(cte->select, cte->name)) {
        /* recursive CTE: the item keeps a copy; select.c codes the queue. */
        it->subquery = ast_dup_select(cte->select);
        if (!it->subquery) return SQLITE_NOMEM;
        /* resolve: the non-recursive arms first give the column names */
        Select *arms[64];
        int na = 0;
        for (Select *a = it->subquery; a && na < 64; a = a->prior) arms[na++] = a;
        Select *first = arms[na - 1];
        /* Column names from the initial arm (resolved alone). */
        Select *save_prior = first->prior;
        SHALE_UNUSED(save_prior);
        resolve_select(p, first, outer);
        if (p->rc) return p->rc;
        Table *t = subquery_table(p, first, cte->columns, cte->name);
        if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
        t->is_virtual = 2; /* marks a recursive CTE result */
        t->hidden_rowid = 1;
        it->res_ptr = t;
        /* recursive arms: the self reference reads the "current row" table */
        for (int k = na - 2; k >= 0; k--) {
          Select *a = arms[k];
          if (a->from)
            for (int m = 0; m < a->from->n; m++) {
              SrcItem *si = &a->from->a[m];
              if (si->name && !si->db && !si->subquery && !shale_stricmp(si->name, cte->name)) {
                si->res_cursor = parse_alloc_cursor(p);
                Table *ct = q_pseudo_table(p, t->n_col);
                if (!ct) return SQLITE_NOMEM;
                for (int c = 0; c < t->n_col; c++) {
                  ct->cols[c].name = shale_strdup(t->cols[c].name);
                  ct->cols[c].affinity = t->cols[c].affinity;
                  ct->cols[c].type = t->cols[c].type ? shale_strdup(t->cols[c].type) : NULL;
                }
                ct->name = shale_strdup(cte->name);
                ct->is_virtual = 3; /* recursive reference: reads the queue row */
                ct->hidden_rowid = 1;
                si->res_ptr = ct;
              }
            }
        }
        /* now resolve the whole compound (first arm already resolved) */
        Cte saved = *cte;
        cte->select = NULL; /* any further reference is an error */
        Select *last = it->subquery;
        for (int k = na - 2; k >= 0 && !p->rc; k--) {
          Select *a = arms[k];
          Select *pr = a->prior;
          a->prior = NULL;
          resolve_select(p, a, outer);
          a->prior = pr;
          if (!p->rc && a->result && first->result && a->result->n != first->result->n)
            parse_error(p, "SELECTs to the left and right of %s do not have the same number of result columns",
                        a->op == CO_UNION_ALL ? "UNION ALL" : a->op == CO_UNION ? "UNION" : a->op == CO_EXCEPT ? "EXCEPT" : "INTERSECT");
        }
        *cte = saved;
        last->flags |= SELECT_F_RESOLVED;
        continue;
      }
      it->subquery = ast_dup_select(cte->select);
      if (!it->subquery) return SQLITE_NOMEM;
      {
        /* the body sees only the CTEs defined before it in scope */
        Select *saved_sel = cte->select;
        cte->select = NULL;
        resolve_select(p, it->subquery, outer);
        cte->select = saved_sel;
      }
      if (p->rc) return p->rc;
      Table *t = subquery_table(p, it->subquery, cte->columns, cte->name);
      if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
      t->hidden_rowid = 1;
      it->res_ptr = t;
      continue;
    }
    Table *tab = schema_locate_table(p, it->db, it->name, 1);
    if (!tab) return p->rc ? p->rc : SQLITE_ERROR;
    if (tab->is_view) {
      if (!tab->view_select) {
        parse_error(p, "view %s is circularly defined", tab->name);
        return p->rc;
      }
      it->subquery = ast_dup_select(tab->view_select);
      if (!it->subquery) return SQLITE_NOMEM;
      /* a view's body is resolved without the outer context and WITH */
      int saved_n_with = p->n_with;
      p->n_with = 0;
      resolve_select(p, it->subquery, NULL);
      p->n_with = saved_n_with;
      if (p->rc) return p->rc;
      Table *t = subquery_table(p, it->subquery, tab->view_columns, tab->name);
      if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
      it->res_ptr = t;
      if (!it->alias) it->alias = shale_strdup(tab->name);
      continue;
    }
    if (tab->db_index >= 0 && tab->db_index < 32) p->cookie_mask |= (u32)1 << tab->db_index;
    it->res_ptr = tab;
  }
  if (p->rc || !has_right_join(from, 1)) return p->rc;
  if (flat && check_right_join_using(p, from)) return p->rc;
  if (nest_right_joins(s)) return SQLITE_NOMEM;
  for (int i = 0; i < s->from->n; i++) {
    SrcItem *it = &s->from->a[i];
    if (!it->nested || it->res_ptr) continue;
    it->res_cursor = parse_alloc_cursor(p);
    Table *t = setup_nested(p, it, outer);
    if (!t) return p->rc ? p->rc : SQLITE_NOMEM;
    it->res_ptr = t;
  }
  return p->rc;
}

/* NATURAL / USING → ON terms */
static Expr *make_col_expr(SrcItem *it, int col) {
  Expr *e = ast_expr_new(EX_COLUMN);
  if (!e) return NULL;
  Table *t = (Table *)it->res_ptr;
  e->text = shale_strdup(t->cols[col].name);
  make_column(e, it->res_cursor, col, t, 0);
  return e;
}

static Expr *and_expr(Expr *a, Expr *b) {
  if (!a) return b;
  if (!b) return a;
  Expr *e = ast_expr_new(EX_BINARY);
  if (!e) return a;
  e->sub_op = OP_AND_;
  e->left = a;
  e->right = b;
  return e;
}

static int add_join_term(Parse *p, SrcList *src, int i, const char *name, int is_using) {
  SrcItem *right = &src->a[i];
  Table *rt = (Table *)right->res_ptr;
  int rc = find_column(rt, name);
  int li = -1, lc = -1;
  for (int k = 0; k < i; k++) {
    Table *t = (Table *)src->a[k].res_ptr;
    int c = t ? find_column(t, name) : -1;
    if (c >= 0) {
      li = k;
      lc = c;
      break;
    }
  }
  if (rc < 0 || li < 0) {
    if (is_using)
      parse_error(p, "cannot join using column %s - column not present in both tables", name);
    return p->rc;
  }
  Expr *eq = ast_expr_new(EX_BINARY);
  if (!eq) return SQLITE_NOMEM;
  eq->sub_op = OP_EQ_;
  eq->left = make_col_expr(&src->a[li], lc);
  eq->right = make_col_expr(right, rc);
  eq->flags |= EXPR_F_FROM_JOIN;
  right->on = and_expr(right->on, eq);
  return SQLITE_OK;
}

static int setup_joins(Parse *p, SrcList *src) {
  if (!src) return SQLITE_OK;
  for (int i = 1; i < src->n && !p->rc; i++) {
    SrcItem *it = &src->a[i];
    if (it->join_type & JT_NATURAL) {
      if (it->on || it->using_) {
        parse_error(p, "a NATURAL join may not have an ON or USING clause");
        return p->rc;
      }
      Table *t = (Table *)it->res_ptr;
      for (int c = 0; c < t->n_col; c++)
        if (earlier_has(src, i, t->cols[c].name)) add_join_term(p, src, i, t->cols[c].name, 0);
    } else if (it->using_) {
      if (it->on) {
        parse_error(p, "cannot have both ON and USING clauses in the same join");
        return p->rc;
      }
      for (int k = 0; k < it->using_->n; k++) add_join_term(p, src, i, it->using_->names[k], 1);
    }
  }
  if (src->n > 0 && ((src->a[0].on && !src->a[0].tvf_on) || src->a[0].using_)) {
    parse_error(p, "a JOIN clause is required before %s", src->a[0].on ? "ON" : "USING");
  }
  return p->rc;
}

/* `*` / `tab.*` over a nested FROM item (SrcItem.nested): the inner items'
** columns in order as the flat join would give them. */
typedef struct StarCtx {
  Parse *p;
  ExprList *nl;
  SrcItem *top;            /* the outermost nested item (its cursor is read) */
  const char *tab;         /* tab.*, or NULL */
  int found;
  struct {
    SrcList *src;
    int k;
  } lv[32];                /* enclosing FROM lists and the item of each */
  int n_lv;
} StarCtx;

static int star_append(StarCtx *x, Expr *e, const char *name) {
  x->nl = ast_expr_list_append(x->nl, e);
  if (!x->nl) return SQLITE_NOMEM;
  x->nl->a[x->nl->n - 1].span = shale_strdup(name);
  return SQLITE_OK;
}

static int star_nested(StarCtx *x, SrcItem *nit, int base) {
  Table *nt = (Table *)nit->res_ptr;
  SrcList *in = nit->subquery->from;
  int ci = nt->n_merged; /* this level's merged columns come first */
  if (x->n_lv >= 32) return SQLITE_OK;
  for (int q = 0; q < in->n; q++) {
    Table *qt = (Table *)in->a[q].res_ptr;
    int nq = qt ? qt->n_col : 0;
    x->lv[x->n_lv].src = in;
    x->lv[x->n_lv].k = q;
    x->n_lv++;
    if (in->a[q].nested) {
      int rc = star_nested(x, &in->a[q], base + ci);
      x->n_lv--;
      if (rc) return rc;
      ci += nq;
      continue;
    }
    const char *tn = item_name(&in->a[q]);
    int item_ok = !x->tab || (tn && !shale_stricmp(tn, x->tab));
    if (item_ok) x->found = 1;
    for (int c = 0; item_ok && c < nq; c++) {
      const char *name = qt->cols[c].name;
      if (qt->cols[c].hidden) continue;
      int merged = 0;
      for (int l = 0; l < x->n_lv; l++)
        if (is_merged_join_col(x->lv[l].src, x->lv[l].k, name)) merged = 1;
      if (!x->tab && merged) continue;
      /* SQLite: a column of a table left of a RIGHT JOIN that a later USING
      ** names expands to an unqualified reference */
      int ltorj = 0, using_ = 0;
      for (int l = 0; l < x->n_lv; l++) {
        if (has_right_join(x->lv[l].src, x->lv[l].k + 1)) ltorj = 1;
        if (in_later_using(x->lv[l].src, x->lv[l].k + 1, name)) using_ = 1;
      }
      Expr *ce = ast_expr_new(ltorj && using_ ? EX_ID : EX_COLUMN);
      if (!ce) return SQLITE_NOMEM;
      ce->text = shale_strdup(name);
      if (ce->op == EX_COLUMN) {
        make_column(ce, x->top->res_cursor, base + ci + c, (Table *)x->top->res_ptr, 0);
        if (!x->tab) {
          int pc = -1;
          int pj = right_partner(x->lv[0].src, x->lv[0].k, name, &pc);
          if (pj >= 0) make_coalesce(x->p, ce, &x->lv[0].src->a[pj], pc);
        }
      }
      if (star_append(x, ce, name)) return SQLITE_NOMEM;
    }
    x->n_lv--;
    ci += nq;
  }
  return SQLITE_OK;
}

/* Expand * and t.* in the result list. */
static int expand_star(Parse *p, Select *s) {
  ExprList *r = s->result;
  if (!r) return SQLITE_OK;
  int any = 0;
  for (int i = 0; i < r->n; i++)
    if (r->a[i].expr && r->a[i].expr->op == EX_STAR) any = 1;
  if (!any) return SQLITE_OK;
  ExprList *nl = NULL;
  for (int i = 0; i < r->n; i++) {
    Expr *e = r->a[i].expr;
    if (!e || e->op != EX_STAR) {
      nl = ast_expr_list_append(nl, e);
      if (!nl) return SQLITE_NOMEM;
      ExprListItem *ni = &nl->a[nl->n - 1];
      ni->alias = r->a[i].alias;
      ni->span = r->a[i].span;
      r->a[i].expr = NULL;
      r->a[i].alias = NULL;
      r->a[i].span = NULL;
      continue;
    }
    int found = 0;
    SrcList *src = s->from;
    for (int k = 0; src && k < src->n; k++) {
      SrcItem *it = &src->a[k];
      Table *t = (Table *)it->res_ptr;
      if (!t) continue;
      if (it->nested) {
        StarCtx x;
        memset(&x, 0, sizeof(x));
        x.p = p;
        x.nl = nl;
        x.top = it;
        x.tab = e->table;
        x.lv[0].src = src;
        x.lv[0].k = k;
        x.n_lv = 1;
        int rc = star_nested(&x, it, 0);
        nl = x.nl;
        if (x.found) found = 1;
        if (rc) return rc;
        continue;
      }
      if (e->table) {
        const char *nm = item_name(it);
        if (!nm || shale_stricmp(nm, e->table)) continue;
      }
      found = 1;
      for (int c = 0; c < t->n_col; c++) {
        if (t->cols[c].hidden) continue;
        if (!e->table && is_merged_join_col(src, k, t->cols[c].name)) continue;
        if (has_right_join(src, k + 1) && in_later_using(src, k + 1, t->cols[c].name)) {
          /* SQLite: left of a RIGHT JOIN, a column a later USING names
          ** expands to an unqualified reference (coalesced, or ambiguous) */
          Expr *id = ast_expr_new(EX_ID);
          if (!id) return SQLITE_NOMEM;
          id->text = shale_strdup(t->cols[c].name);
          nl = ast_expr_list_append(nl, id);
          if (!nl) return SQLITE_NOMEM;
          nl->a[nl->n - 1].span = shale_strdup(t->cols[c].name);
          continue;
        }
        Expr *ce = ast_expr_new(EX_COLUMN);
        if (!ce) return SQLITE_NOMEM;
        ce->text = shale_strdup(t->cols[c].name);
        make_column(ce, it->res_cursor, c, t, 0);
        if (!e->table) {
          int pc = -1;
          int pj = right_partner(src, k, t->cols[c].name, &pc);
          if (pj >= 0) make_coalesce(p, ce, &src->a[pj], pc);
        }
        nl = ast_expr_list_append(nl, ce);
        if (!nl) return SQLITE_NOMEM;
        nl->a[nl->n - 1].span = shale_strdup(t->cols[c].name);
      }
    }
    if (!found) {
      if (e->table)
        parse_error(p, "no such table: %s", e->table);
      else
        parse_error(p, "no tables specified");
      ast_free_expr_list(nl);
      return p->rc;
    }
  }
  ast_free_expr_list(r);
  s->result = nl;
  return SQLITE_OK;
}

static int expr_equal(const Expr *a, const Expr *b);
int resolve_expr_equal(const Expr *a, const Expr *b) { return expr_equal(a, b); }
static int list_equal(const ExprList *a, const ExprList *b) {
  if (!a || !b) return a == b;
  if (a->n != b->n) return 0;
  for (int i = 0; i < a->n; i++)
    if (!expr_equal(a->a[i].expr, b->a[i].expr)) return 0;
  return 1;
}
static int expr_equal(const Expr *a, const Expr *b) {
  if (!a || !b) return a == b;
  if (a->op != b->op || a->sub_op != b->sub_op) return 0;
  if ((a->flags & ~(EXPR_F_PAREN | EXPR_F_FROM_JOIN)) != (b->flags & ~(EXPR_F_PAREN | EXPR_F_FROM_JOIN))) return 0;
  switch (a->op) {
    case EX_COLUMN:
      if (a->res_cursor != b->res_cursor || a->res_column != b->res_column) return 0;
      return 1;
    case EX_INTEGER:
      if (a->u.i != b->u.i) return 0;
      break;
    case EX_FLOAT:
      if (a->u.r != b->u.r) return 0;
      break;
    case EX_VARIABLE:
      if (a->u.var_index != b->u.var_index) return 0;
      break;
    default:
      break;
  }
  if (a->op != EX_INTEGER && a->op != EX_FLOAT) {
    if ((a->text == NULL) != (b->text == NULL)) return 0;
    if (a->text && (a->n_text != b->n_text || memcmp(a->text, b->text, (size_t)a->n_text))) {
      if (a->op == EX_STRING || a->op == EX_BLOB) return 0;
      if (shale_stricmp(a->text, b->text)) return 0;
    }
  }
  if (a->select || b->select) return 0;
  return expr_equal(a->left, b->left) && expr_equal(a->right, b->right) && expr_equal(a->extra, b->extra) &&
         list_equal(a->list, b->list);
}

/* Map ORDER BY / GROUP BY position terms; resolve the rest. */
static int resolve_order_by(Parse *p, NameContext *nc, Select *s, ExprList *ob, const char *what, int is_group) {
  if (!ob) return SQLITE_OK;
  ExprList *r = s->result;
  int n_res = r ? r->n : 0;
  for (int i = 0; i < ob->n && !p->rc; i++) {
    ExprListItem *it = &ob->a[i];
    Expr *e = it->expr;
    it->res_order_by_col = 0;
    Expr *inner = e;
    while (inner && inner->op == EX_COLLATE) inner = inner->left;
    if (inner && inner->op == EX_INTEGER) {
      i64 k = inner->u.i;
      if (k < 1 || k > n_res) {
        parse_error(p, "%d%s %s BY term out of range - should be between 1 and %d", i + 1, ordinal_suffix(i + 1),
                    what, n_res);
        return p->rc;
      }
      if (is_group) {
        if (expr_has_agg(p, r->a[k - 1].expr)) {
          parse_error(p, "aggregate functions are not allowed in the GROUP BY clause");
          return p->rc;
        }
      }
      /* replace the number by a copy of the result expression */
      expr_replace_with_copy(inner, r->a[k - 1].expr);
      it->res_order_by_col = (int)k;
      continue;
    }
    if (!is_group && inner && inner->op == EX_ID) {
      int hit = 0;
      for (int j = 0; j < n_res; j++) {
        if (r->a[j].alias && !shale_stricmp(r->a[j].alias, inner->text)) {
          expr_replace_with_copy(inner, r->a[j].expr);
          it->res_order_by_col = j + 1;
          hit = 1;
          break;
        }
      }
      if (hit) continue;
    }
    int saved = nc->nc_flags;
    int saved_agg = nc->allow_agg;
    if (is_group) {
      nc->nc_flags |= NC_GROUPBY;
      nc->allow_agg = 0;
    } else {
      nc->allow_agg = 1;
    }
    nc->nc_flags |= NC_ALIAS;
    resolve_walk(p, nc, e);
    nc->nc_flags = saved;
    nc->allow_agg = saved_agg;
    if (p->rc) return p->rc;
    if (!is_group) {
      for (int j = 0; j < n_res; j++)
        if (expr_equal(inner, r->a[j].expr)) {
          it->res_order_by_col = j + 1;
          break;
        }
    }
  }
  return p->rc;
}

/* ORDER BY of a compound: every term must name a result column. */
static int resolve_compound_order_by(Parse *p, Select *last, Select *first) {
  ExprList *ob = last->order_by;
  ExprList *r = first->result;
  int n_res = r ? r->n : 0;
  for (int i = 0; i < ob->n && !p->rc; i++) {
    ExprListItem *it = &ob->a[i];
    Expr *inner = it->expr;
    while (inner && inner->op == EX_COLLATE) inner = inner->left;
    int k = 0;
    if (inner && inner->op == EX_INTEGER) {
      if (inner->u.i < 1 || inner->u.i > n_res) {
        parse_error(p, "%d%s ORDER BY term out of range - should be between 1 and %d", i + 1,
                    ordinal_suffix(i + 1), n_res);
        return p->rc;
      }
      k = (int)inner->u.i;
    } else if (inner && (inner->op == EX_ID || inner->op == EX_DOT)) {
      for (int j = 0; j < n_res && !k; j++) {
        if (r->a[j].alias && !shale_stricmp(r->a[j].alias, inner->text)) k = j + 1;
      }
      for (int j = 0; j < n_res && !k; j++) {
        Expr *re = r->a[j].expr;
        if (re && re->op == EX_COLUMN && re->text && !shale_stricmp(re->text, inner->text) && !r->a[j].alias)
          k = j + 1;
        else if (re && re->op == EX_COLUMN && re->res_ptr && !r->a[j].alias) {
          const Table *t = re->res_ptr;
          if (re->res_column >= 0 && !shale_stricmp(t->cols[re->res_column].name, inner->text)) k = j + 1;
        }
      }
    }
    if (!k && inner && inner->op != EX_INTEGER) {
      /* an expression identical to a result column of any arm */
      for (Select *a = last; a && !k; a = a->prior) {
        NameContext nc;
        memset(&nc, 0, sizeof(nc));
        nc.src = a->from;
        Expr *c = ast_dup_expr(inner);
        if (!c) return SQLITE_NOMEM;
        int save_rc = p->rc;
        char *save_err = p->err;
        resolve_walk(p, &nc, c);
        if (p->rc) {
          sqlite3_free(p->err);
          p->rc = save_rc;
          p->err = save_err;
        } else {
          for (int j = 0; j < n_res && a->result && j < a->result->n; j++)
            if (expr_equal(c, a->result->a[j].expr)) {
              k = j + 1;
              break;
            }
        }
        ast_free_expr(c);
      }
    }
    if (!k) {
      parse_error(p, "%d%s ORDER BY term does not match any column in the result set", i + 1,
                  ordinal_suffix(i + 1));
      return p->rc;
    }
    it->res_order_by_col = k;
  }
  return p->rc;
}

static const char *compound_name(CompoundOp op) {
  switch (op) {
    case CO_UNION_ALL: return "UNION ALL";
    case CO_INTERSECT: return "INTERSECT";
    case CO_EXCEPT: return "EXCEPT";
    default: return "UNION";
  }
}

static int resolve_one(Parse *p, Select *s, NameContext *outer, int is_last_of_compound, int has_prior) {
  if (s->flags & SELECT_F_RESOLVED) return SQLITE_OK;
  setup_from(p, s, outer);
  if (p->rc) return p->rc;
  setup_joins(p, s->from);
  if (p->rc) return p->rc;
  expand_star(p, s);
  if (p->rc) return p->rc;
  NameContext nc;
  memset(&nc, 0, sizeof(nc));
  nc.src = s->from;
  nc.outer = outer;
  /* result columns */
  nc.allow_agg = 1;
  resolve_expr_list(p, &nc, s->result);
  int agg_in_result = nc.has_agg;
  /* WINDOW clause definitions */
  nc.nc_flags |= NC_NOWIN;
  for (Window *w = s->windows; w && !p->rc; w = w->next) {
    resolve_expr_list(p, &nc, w->partition_by);
    resolve_expr_list(p, &nc, w->order_by);
  }
  nc.nc_flags &= ~NC_NOWIN;
  /* ON clauses */
  nc.allow_agg = 0;
  if (s->from)
    for (int i = 0; i < s->from->n && !p->rc; i++)
      if (s->from->a[i].on) resolve_walk(p, &nc, s->from->a[i].on);
  /* WHERE: aliases allowed, no aggregates */
  nc.result = s->result;
  nc.nc_flags = NC_ALIAS;
  nc.allow_agg = 0;
  if (s->where) resolve_walk(p, &nc, s->where);
  if (p->rc) return p->rc;
  /* GROUP BY */
  resolve_order_by(p, &nc, s, s->group_by, "GROUP", 1);
  if (p->rc) return p->rc;
  /* HAVING */
  nc.allow_agg = 1;
  nc.nc_flags = NC_ALIAS | NC_NOWIN;
  if (s->having) {
    resolve_walk(p, &nc, s->having);
    if (!p->rc && !s->group_by && !agg_in_result) {
      /* SQLite 3.40: HAVING without GROUP BY needs an aggregate result */
      parse_error(p, "HAVING clause on a non-aggregate query");
      return p->rc;
    }
  }
  if (p->rc) return p->rc;
  nc.nc_flags &= ~NC_NOWIN;
  /* ORDER BY of a simple select */
  if (s->order_by && !has_prior) resolve_order_by(p, &nc, s, s->order_by, "ORDER", 0);
  SHALE_UNUSED(is_last_of_compound);
  if (p->rc) return p->rc;
  /* LIMIT / OFFSET: constant expressions */
  if (s->limit || s->offset) {
    NameContext lnc;
    memset(&lnc, 0, sizeof(lnc));
    lnc.nc_flags = NC_NOCOLS;
    lnc.outer = outer;
    if (s->limit) resolve_walk(p, &lnc, s->limit);
    if (s->offset) resolve_walk(p, &lnc, s->offset);
    if (lnc.correlated) nc.correlated = 1;
  }
  if (nc.correlated) {
    s->flags |= SELECT_F_CORRELATED;
    if (outer)
      for (NameContext *m = outer; m; m = m->outer) {
        /* propagate: an outer reference deeper than `outer` marks it too */
        break;
      }
  }
  s->flags |= SELECT_F_RESOLVED;
  return p->rc;
}

int resolve_select(Parse *p, Select *sel, NameContext *outer) {
  if (!sel || (sel->flags & SELECT_F_RESOLVED)) return p->rc;
  int pushed = 0;
  if (sel->with) {
    if (p->n_with >= (int)SHALE_ARRAY_SIZE(p->with_stack)) {
      parse_error(p, "too many nested WITH clauses");
      return p->rc;
    }
    p->with_stack[p->n_with++] = sel->with;
    pushed = 1;
  }
  /* arms, first to last */
  Select *arms[512];
  int na = 0;
  for (Select *a = sel; a; a = a->prior) {
    if (na >= 512) {
      parse_error(p, "too many terms in compound SELECT");
      break;
    }
    arms[na++] = a;
  }
  int any_corr = 0;
  for (int k = na - 1; k >= 0 && !p->rc; k--) {
    Select *a = arms[k];
    resolve_one(p, a, outer, k == 0, na > 1);
    if (a->flags & SELECT_F_CORRELATED) any_corr = 1;
    if (!p->rc && k < na - 1) {
      Select *first = arms[na - 1];
      int n1 = first->result ? first->result->n : 0;
      int n2 = a->result ? a->result->n : 0;
      if (n1 != n2) {
        if (a->flags & SELECT_F_VALUES)
          parse_error(p, "all VALUES must have the same number of terms");
        else
          parse_error(p, "SELECTs to the left and right of %s do not have the same number of result columns",
                      compound_name(a->op));
      }
    }
  }
  if (!p->rc && na > 1) {
    for (int k = na - 2; k >= 0 && !p->rc; k--) {
      if (arms[k + 1]->order_by) {
        parse_error(p, "ORDER BY clause should come after %s not before", compound_name(arms[k]->op));
      } else if (arms[k + 1]->limit) {
        parse_error(p, "LIMIT clause should come after %s not before", compound_name(arms[k]->op));
      }
    }
    if (!p->rc && sel->order_by) resolve_compound_order_by(p, sel, arms[na - 1]);
  }
  if (any_corr) sel->flags |= SELECT_F_CORRELATED;
  if (pushed) p->n_with--;
  return p->rc;
}

int select_result_column_count(Parse *p, Select *s) {
  if (resolve_select(p, s, NULL)) return -1;
  Select *first = s;
  while (first->prior) first = first->prior;
  return first->result ? first->result->n : 0;
}
