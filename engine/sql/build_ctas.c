/*
** build_ctas.c — CREATE TABLE ... AS SELECT: the columns are named and
** typed from the SELECT's result (names as SQLite names subquery columns,
** declared types from affinities: "", TEXT, NUM, INT, REAL), the stored text
** is generated the way SQLite writes it, and the rows are copied through a
** coroutine.  Uses the query half's resolve_column_name (select_int.h).
*/
#include "build_int.h"
#include "select_int.h"

static void ident_put(sqlite3_str *s, const char *z) {
  int plain = z[0] && !(z[0] >= '0' && z[0] <= '9');
  for (const char *q = z; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
      plain = 0;
  if (plain && sql_is_keyword(z, (int)strlen(z))) plain = 0;
  if (plain) {
    sqlite3_str_appendall(s, z);
  } else {
    sqlite3_str_appendchar(s, 1, '"');
    for (const char *q = z; *q; q++) {
      if (*q == '"') sqlite3_str_appendchar(s, 1, '"');
      sqlite3_str_appendchar(s, 1, *q);
    }
    sqlite3_str_appendchar(s, 1, '"');
  }
}

static int ident_length(const char *z) {
  int n = 0;
  for (; *z; z++, n++)
    if (*z == '"') n++;
  return n + 2;
}

int build_create_table_as(Parse *p, Stmt *st, int idb) {
  Vdbe *v = p->v;
  Select *sel = st->u.create_table.as_select;
  int n = select_result_column_count(p, sel);
  if (p->rc || n < 0) return p->rc;
  Select *first = sel;
  while (first->prior) first = first->prior;
  ExprList *r = first->result;
  const char *tname = st->u.create_table.name;
  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendall(s, "CREATE TABLE ");
  ident_put(s, tname);
  sqlite3_str_appendchar(s, 1, '(');
  const char *sep1 = "\n  ", *sep2 = ",\n  ", *send = "\n)";
  char **names = shale_malloc_zero(sizeof(char *) * (size_t)(n ? n : 1));
  char *aff = sqlite3_malloc64((u64)n + 1);
  if (!names || !aff) {
    sqlite3_free(names);
    sqlite3_free(aff);
    sqlite3_free(sqlite3_str_finish(s));
    parse_error(p, "out of memory");
    return p->rc;
  }
  for (int i = 0; i < n; i++) {
    char *nm = resolve_column_name(p, &r->a[i], 1);
    if (!nm) nm = shale_strdup("?");
    int suffix = 0;
    for (;;) {
      int dup = 0;
      for (int k = 0; k < i; k++)
        if (!shale_stricmp(names[k], nm)) dup = 1;
      if (!dup) break;
      char *base = nm;
      char *colon = strrchr(base, ':');
      int blen = (int)strlen(base);
      if (colon && suffix > 0) blen = (int)(colon - base);
      nm = sqlite3_mprintf("%.*s:%d", blen, base, ++suffix);
      sqlite3_free(base);
    }
    names[i] = nm;
    char a = expr_affinity(p, r->a[i].expr);
    if (a == 0 || a == SQLITE_AFF_NONE) a = SQLITE_AFF_BLOB;
    aff[i] = a;
  }
  {
    /* SQLite's layout: one line when short */
    int len = ident_length(tname);
    for (int i = 0; i < n; i++) len += ident_length(names[i]) + 5;
    if (len < 50) sep1 = "", sep2 = ",", send = ")";
  }
  for (int i = 0; i < n; i++) {
    char a = aff[i];
    const char *nm = names[i];
    sqlite3_str_appendall(s, i ? sep2 : sep1);
    ident_put(s, nm);
    const char *ty = a == SQLITE_AFF_TEXT ? " TEXT" : a == SQLITE_AFF_NUMERIC ? " NUM"
                     : a == SQLITE_AFF_INTEGER ? " INT" : a == SQLITE_AFF_REAL ? " REAL" : "";
    sqlite3_str_appendall(s, ty);
  }
  aff[n] = 0;
  sqlite3_str_appendall(s, send);
  char *sql = sqlite3_str_finish(s);
  for (int i = 0; i < n; i++) sqlite3_free(names[i]);
  sqlite3_free(names);

  int rroot = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_CreateBtree, idb, rroot, BTREE_INTKEY);
  int cur = parse_alloc_cursor(p);
  vdbe_add_op4_int(v, OP_OpenWrite, cur, rroot, idb, n);
  vdbe_change_p5(v, OPFLAG_P2ISREG);
  int reg_yield = parse_alloc_regs(p, n + 1);
  int a = vdbe_add_op3(v, OP_InitCoroutine, reg_yield, 0, vdbe_current_addr(v) + 1);
  SelectDest dest;
  memset(&dest, 0, sizeof(dest));
  dest.kind = SD_COROUTINE;
  dest.reg = reg_yield;
  dest.n_reg = n;
  select_code(p, sel, &dest, NULL);
  vdbe_add_op1(v, OP_EndCoroutine, reg_yield);
  vdbe_jump_here(v, a);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  int top = vdbe_current_addr(v);
  int y = vdbe_add_op1(v, OP_Yield, reg_yield);
  vdbe_add_op4(v, OP_MakeRecord, reg_yield + 1, n, rec, aff, P4_DYNAMIC);
  vdbe_add_op2(v, OP_NewRowid, cur, rid);
  vdbe_add_op3(v, OP_Insert, cur, rec, rid);
  vdbe_change_p5(v, OPFLAG_APPEND);
  vdbe_add_op2(v, OP_Goto, 0, top);
  vdbe_jump_here(v, y);
  vdbe_add_op1(v, OP_Close, cur);
  build_emit_schema_row(p, idb, "table", tname, tname, rroot, sql);
  sqlite3_free(sql);
  build_change_cookie(p, idb);
  build_reload_schema(p, idb);
  return p->rc;
}

/* Fill in the columns of a view (names as SQLite names them, affinities)
** on first use.  Returns 0, or an error code (parse error set). */
int build_view_columns(Parse *p, Table *v) {
  if (!v->is_view || v->n_col > 0 || !v->view_select) return p->rc;
  Select *sel = ast_dup_select(v->view_select);
  if (!sel) return SQLITE_NOMEM;
  int n = select_result_column_count(p, sel);
  if (p->rc || n <= 0) {
    ast_free_select(sel);
    return p->rc;
  }
  if (v->view_columns && v->view_columns->n != n) {
    parse_error(p, "expected %d columns for '%s' but got %d", v->view_columns->n, v->name, n);
    ast_free_select(sel);
    return p->rc;
  }
  Select *first = sel;
  while (first->prior) first = first->prior;
  Column *cols = shale_malloc_zero(sizeof(Column) * (size_t)n);
  if (!cols) {
    ast_free_select(sel);
    return SQLITE_NOMEM;
  }
  for (int i = 0; i < n; i++) {
    char *nm = v->view_columns ? shale_strdup(v->view_columns->names[i])
                               : resolve_column_name(p, &first->result->a[i], 1);
    if (!nm) nm = shale_strdup("?");
    int suffix = 0;
    for (;;) {
      int dup = 0;
      for (int k = 0; k < i; k++)
        if (!shale_stricmp(cols[k].name, nm)) dup = 1;
      if (!dup) break;
      char *base = nm;
      char *colon = strrchr(base, ':');
      int blen = (int)strlen(base);
      if (colon && suffix > 0) blen = (int)(colon - base);
      nm = sqlite3_mprintf("%.*s:%d", blen, base, ++suffix);
      sqlite3_free(base);
    }
    cols[i].name = nm;
    char a = expr_affinity(p, first->result->a[i].expr);
    cols[i].affinity = (a == 0 || a == SQLITE_AFF_NONE) ? SQLITE_AFF_BLOB : a;
    const char *dt = resolve_expr_decltype(first->result->a[i].expr);
    cols[i].type = dt ? shale_strdup(dt) : NULL;
  }
  ast_free_select(sel);
  v->cols = cols;
  v->n_col = n;
  return p->rc;
}
