/*
** analyze.c — ANALYZE [schema | table | index]: writes sqlite_stat1 rows
** (tbl, idx, "nRow avg1 avg2 ...") the way SQLite computes them: for each
** index, the number of rows and, for each key prefix, the average number of
** rows per distinct prefix, rounded up; a table without indexes gets
** (tbl, NULL, nRow).  Tables or indexes with no rows get no row.
*/
#include "build_int.h"

static void stat_index(Parse *p, Table *t, Index *ix, int idb, int stat_cur, int reg_tname) {
  Vdbe *v = p->v;
  int n = ix->n_key_col;
  int icur = parse_alloc_cursor(p);
  int r_nrow = parse_alloc_reg(p);
  int r_d = parse_alloc_regs(p, n);
  int r_prev = parse_alloc_regs(p, n);
  int r_tmp = parse_alloc_reg(p);
  vdbe_add_op4(v, OP_OpenRead, icur, (int)ix->root, idb, build_index_keyinfo(p, ix), P4_KEYINFO);
  vdbe_add_op2(v, OP_Integer, 0, r_nrow);
  for (int k = 0; k < n; k++) vdbe_add_op2(v, OP_Integer, 0, r_d + k);
  int done = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Rewind, icur, done);
  int top = vdbe_current_addr(v);
  int lbl[64];
  for (int k = 0; k < 64; k++) lbl[k] = k < n || k == 0 ? vdbe_make_label(v) : 0;
  vdbe_add_op2(v, OP_AddImm, r_nrow, 1);
  /* first row: every prefix is new */
  int not_first = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Integer, 1, r_tmp);
  vdbe_add_op3(v, OP_Ne, r_tmp, not_first, r_nrow);
  vdbe_change_p5(v, SQLITE_AFF_INTEGER);
  vdbe_add_op2(v, OP_Goto, 0, lbl[0]);
  vdbe_resolve_label(v, not_first);
  for (int k = 0; k < n && k < 64; k++) {
    vdbe_add_op3(v, OP_Column, icur, k, r_tmp);
    const char *cn = ix->collate[k];
    CollSeq *coll = parse_collseq(p, cn);
    if (coll)
      vdbe_add_op4(v, OP_Ne, r_prev + k, lbl[k], r_tmp, coll, P4_COLLSEQ);
    else
      vdbe_add_op3(v, OP_Ne, r_prev + k, lbl[k], r_tmp);
    vdbe_change_p5(v, SQLITE_NULLEQ);
  }
  int lnext = vdbe_make_label(v);
  vdbe_add_op2(v, OP_Goto, 0, lnext);
  for (int k = 0; k < n && k < 64; k++) {
    vdbe_resolve_label(v, lbl[k]);
    vdbe_add_op2(v, OP_AddImm, r_d + k, 1);
  }
  for (int k = 0; k < n; k++) vdbe_add_op3(v, OP_Column, icur, k, r_prev + k);
  vdbe_resolve_label(v, lnext);
  vdbe_add_op2(v, OP_Next, icur, top);
  vdbe_resolve_label(v, done);
  vdbe_add_op1(v, OP_Close, icur);
  /* no rows: no stat row */
  int skip = vdbe_add_op1(v, OP_IfNot, r_nrow);
  int r_stat = parse_alloc_reg(p);
  int r_sp = parse_alloc_reg(p);
  vdbe_add_op4(v, OP_String8, 0, r_sp, 0, " ", P4_STATIC);
  vdbe_add_op2(v, OP_SCopy, r_nrow, r_stat);
  vdbe_add_op4(v, OP_String8, 0, r_tmp, 0, "", P4_STATIC);
  vdbe_add_op3(v, OP_Concat, r_stat, r_tmp, r_stat); /* to text */
  for (int k = 0; k < n; k++) {
    int r_a = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_Add, r_nrow, r_d + k, r_a);
    vdbe_add_op2(v, OP_AddImm, r_a, -1);
    vdbe_add_op3(v, OP_Divide, r_d + k, r_a, r_a);
    vdbe_add_op3(v, OP_Concat, r_sp, r_stat, r_stat);
    vdbe_add_op3(v, OP_Concat, r_a, r_stat, r_stat);
  }
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  int r3 = parse_alloc_regs(p, 3);
  vdbe_add_op2(v, OP_SCopy, reg_tname, r3);
  vdbe_add_op4(v, OP_String8, 0, r3 + 1, 0, shale_strdup(ix->name), P4_DYNAMIC);
  vdbe_add_op2(v, OP_SCopy, r_stat, r3 + 2);
  vdbe_add_op3(v, OP_MakeRecord, r3, 3, rec);
  vdbe_add_op2(v, OP_NewRowid, stat_cur, rid);
  vdbe_add_op3(v, OP_Insert, stat_cur, rec, rid);
  vdbe_jump_here(v, skip);
  (void)t;
}

static void stat_table(Parse *p, Table *t, int idb, int stat_cur) {
  Vdbe *v = p->v;
  int r_tname = parse_alloc_reg(p);
  vdbe_add_op4(v, OP_String8, 0, r_tname, 0, shale_strdup(t->name), P4_DYNAMIC);
  if (t->indexes) {
    for (Index *ix = t->indexes; ix; ix = ix->next) stat_index(p, t, ix, idb, stat_cur, r_tname);
    return;
  }
  int tcur = parse_alloc_cursor(p);
  int r_n = parse_alloc_reg(p);
  vdbe_add_op3(v, OP_OpenRead, tcur, (int)t->root, idb);
  vdbe_add_op2(v, OP_Count, tcur, r_n);
  vdbe_add_op1(v, OP_Close, tcur);
  int skip = vdbe_add_op1(v, OP_IfNot, r_n);
  int r3 = parse_alloc_regs(p, 3);
  int rec = parse_alloc_reg(p), rid = parse_alloc_reg(p);
  vdbe_add_op2(v, OP_SCopy, r_tname, r3);
  vdbe_add_op2(v, OP_Null, 0, r3 + 1);
  vdbe_add_op4(v, OP_String8, 0, r3 + 2, 0, "", P4_STATIC);
  vdbe_add_op3(v, OP_Concat, r3 + 2, r_n, r3 + 2);
  vdbe_add_op3(v, OP_MakeRecord, r3, 3, rec);
  vdbe_add_op2(v, OP_NewRowid, stat_cur, rid);
  vdbe_add_op3(v, OP_Insert, stat_cur, rec, rid);
  vdbe_jump_here(v, skip);
}

static int analyzable(Table *t) {
  return !t->is_view && !t->is_virtual && t->root > 1 && shale_strnicmp(t->name, "sqlite_", 7) != 0 &&
         !t->without_rowid;
}

/* Analyze one database: the given table (NULL = all). */
static void analyze_db(Parse *p, int idb, Table *only) {
  sqlite3 *db = p->db;
  Vdbe *v = p->v;
  Schema *s = db->dbs[idb].schema;
  if (!s) return;
  parse_begin_write(p, idb);
  Table *stat = schema_find_table(db, db->dbs[idb].name, "sqlite_stat1", NULL);
  int stat_cur = parse_alloc_cursor(p);
  int created = 0;
  if (!stat) {
    int r = parse_alloc_reg(p);
    vdbe_add_op3(v, OP_CreateBtree, idb, r, BTREE_INTKEY);
    build_emit_schema_row(p, idb, "table", "sqlite_stat1", "sqlite_stat1", r,
                          "CREATE TABLE sqlite_stat1(tbl,idx,stat)");
    vdbe_add_op4_int(v, OP_OpenWrite, stat_cur, r, idb, 3);
    vdbe_change_p5(v, OPFLAG_P2ISREG);
    created = 1;
  } else {
    vdbe_add_op4_int(v, OP_OpenWrite, stat_cur, (int)stat->root, idb, 3);
    /* remove the old rows of the analyzed tables */
    int r = parse_alloc_regs(p, 2);
    if (only) vdbe_add_op4(v, OP_String8, 0, r, 0, shale_strdup(only->name), P4_DYNAMIC);
    int rw = vdbe_add_op1(v, OP_Rewind, stat_cur);
    int top = vdbe_current_addr(v);
    int lnext = vdbe_make_label(v);
    if (only) {
      vdbe_add_op3(v, OP_Column, stat_cur, 0, r + 1);
      vdbe_add_op3(v, OP_Ne, r, lnext, r + 1);
    }
    vdbe_add_op1(v, OP_Delete, stat_cur);
    vdbe_resolve_label(v, lnext);
    vdbe_add_op2(v, OP_Next, stat_cur, top);
    vdbe_jump_here(v, rw);
  }
  if (only) {
    stat_table(p, only, idb, stat_cur);
  } else {
    for (int b = 0; b < s->tables.n_bucket; b++)
      for (HashEntry *e = s->tables.buckets[b]; e; e = e->next)
        if (analyzable(e->value)) stat_table(p, e->value, idb, stat_cur);
  }
  vdbe_add_op1(v, OP_Close, stat_cur);
  if (created) {
    build_change_cookie(p, idb);
    build_reload_schema(p, idb);
  }
  vdbe_add_op1(v, OP_LoadAnalysis, idb);
}

int codegen_analyze(Parse *p, Stmt *st) {
  sqlite3 *db = p->db;
  const char *dbn = st->u.target.db, *name = st->u.target.name;
  if (!name && !dbn) {
    for (int i = 0; i < db->n_db; i++)
      if (i != 1) analyze_db(p, i, NULL);
    return p->rc;
  }
  if (!dbn && name) {
    int i = schema_db_index(db, name);
    if (i >= 0) {
      analyze_db(p, i, NULL);
      return p->rc;
    }
  }
  int idb = 0;
  Table *t = schema_find_table(db, dbn, name, &idb);
  if (!t) {
    Index *ix = schema_find_index(db, dbn, name, &idb);
    if (ix) t = ix->table;
  }
  if (!t) {
    parse_error(p, "no such table: %s%s%s", dbn ? dbn : "", dbn ? "." : "", name);
    return p->rc;
  }
  if (analyzable(t)) analyze_db(p, idb, t);
  return p->rc;
}
