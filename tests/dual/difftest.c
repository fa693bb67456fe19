/*
** difftest.c — differential tester: random schemas, data and queries run in
** Shale and in the system SQLite (both loaded in this process, see
** dual_api.h); any difference in results or in success/failure is reported
** with a minimal reproducer (the data is shrunk while the difference stays).
**
** Queries with parameters run twice on one prepared statement, binding
** ?1..?3 to random integers, reals, texts or NULL each time.
**
** Usage: difftest [-seed S] [-count N] [-queries Q] [-v] LIBSHALE LIBSQLITE3
** Prints "difftest: N passed, M failed" (one case = one query).  Each
** scenario also gets random DELETEs (queries/4 of them), compared by the
** table they leave behind and its integrity_check.
*/
#include <stdarg.h>
#include <string.h>
#include "dual_api.h"

typedef struct Rng {
  unsigned long long s;
} Rng;

static unsigned rnd(Rng *r, unsigned n) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return n ? (unsigned)(r->s % n) : 0;
}

typedef struct Str {
  char *z;
  size_t n, cap;
} Str;

static void sadd(Str *s, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    size_t room = s->cap - s->n;
    va_start(ap, fmt);
    int k = vsnprintf(s->z ? s->z + s->n : NULL, s->z ? room : 0, fmt, ap);
    va_end(ap);
    if (s->z && (size_t)k < room) {
      s->n += (size_t)k;
      return;
    }
    s->cap = (s->cap + (size_t)k + 64) * 2;
    s->z = realloc(s->z, s->cap);
    if (!s->z) abort();
  }
}

/* ---------------------------------------------------------- generation -- */
typedef struct Table {
  char name[8];
  int ncol;
  char cols[5][4];
} Table;

typedef struct Scenario {
  int ntab;
  Table tabs[3];
  char *schema;     /* CREATE statements */
  char **inserts;   /* one INSERT per row */
  int ninsert;
} Scenario;

static const char *const col_types[] = {"INTEGER", "TEXT", "REAL", "", "NUMERIC", "BLOB"};

static void gen_value(Rng *r, Str *s) {
  switch (rnd(r, 10)) {
    case 0: sadd(s, "NULL"); break;
    case 1: sadd(s, "%d", (int)rnd(r, 11) - 5); break;
    case 2: sadd(s, "%d", (int)rnd(r, 2000) - 1000); break;
    case 3: sadd(s, "%d.5", (int)rnd(r, 20) - 10); break;
    case 4: {
      static const char *const t[] = {"'a'", "'B'", "'abc'", "''", "'10'", "' 7'", "'x%y'", "'2.50'", "'A'"};
      sadd(s, "%s", t[rnd(r, 9)]);
      break;
    }
    case 5: sadd(s, "x'%02x'", rnd(r, 256)); break;
    case 6: sadd(s, "%lld", (long long)rnd(r, 1u << 30) * 7919LL); break;
    default: sadd(s, "%d", (int)rnd(r, 6)); break;
  }
}

static void gen_scenario(Rng *r, Scenario *sc) {
  Str schema = {0};
  sc->ntab = 1 + (int)rnd(r, 3);
  for (int t = 0; t < sc->ntab; t++) {
    Table *tb = &sc->tabs[t];
    snprintf(tb->name, sizeof tb->name, "t%d", t + 1);
    tb->ncol = 2 + (int)rnd(r, 3);
    sadd(&schema, "CREATE TABLE %s(", tb->name);
    for (int c = 0; c < tb->ncol; c++) {
      snprintf(tb->cols[c], sizeof tb->cols[c], "%c", 'a' + c);
      const char *type = col_types[rnd(r, 6)];
      if (c == 0 && rnd(r, 4) == 0) type = "INTEGER PRIMARY KEY";
      sadd(&schema, "%s%s %s", c ? ", " : "", tb->cols[c], type);
      /* columns with a collation: they decide the collation of DISTINCT,
      ** of compounds and of comparisons */
      if (rnd(r, 5) == 0) sadd(&schema, " COLLATE %s", rnd(r, 2) ? "NOCASE" : "RTRIM");
    }
    sadd(&schema, ");\n");
    int nidx = (int)rnd(r, 3);
    for (int i = 0; i < nidx; i++) {
      int c1 = (int)rnd(r, (unsigned)tb->ncol), c2 = (int)rnd(r, (unsigned)tb->ncol);
      if (c2 != c1 && rnd(r, 2))
        sadd(&schema, "CREATE INDEX %s_i%d ON %s(%s%s, %s);\n", tb->name, i, tb->name, tb->cols[c1],
             rnd(r, 2) ? " DESC" : "", tb->cols[c2]);
      else
        sadd(&schema, "CREATE INDEX %s_i%d ON %s(%s);\n", tb->name, i, tb->name, tb->cols[c1]);
    }
  }
  sc->schema = schema.z;
  sc->ninsert = 0;
  sc->inserts = NULL;
  for (int t = 0; t < sc->ntab; t++) {
    int nrow = (int)rnd(r, 25);
    for (int i = 0; i < nrow; i++) {
      Str ins = {0};
      sadd(&ins, "INSERT INTO %s VALUES(", sc->tabs[t].name);
      for (int c = 0; c < sc->tabs[t].ncol; c++) {
        if (c) sadd(&ins, ",");
        if (c == 0 && strstr(sc->schema, "a INTEGER PRIMARY KEY") && rnd(r, 3)) sadd(&ins, "NULL");
        else gen_value(r, &ins);
      }
      sadd(&ins, ");");
      sc->inserts = realloc(sc->inserts, sizeof(char *) * (size_t)(sc->ninsert + 1));
      sc->inserts[sc->ninsert++] = ins.z;
    }
  }
}

static void gen_expr(Rng *r, Str *s, const Table *const *from, int nfrom, int depth);

/* Values bound to ?1..?3 of a query (unbound ones are NULL). */
typedef struct Params { /* two sets: the statement runs once with each */
  int type[6]; /* 0 NULL, 1 integer, 2 real, 3 text */
  long long i[6];
  double f[6];
  char t[6][8];
} Params;

static void gen_params(Rng *r, Params *pp) {
  static const char *const texts[] = {"5", " 7", "2.5", "abc", "a", "10", "-3", ""};
  for (int k = 0; k < 6; k++) {
    pp->type[k] = (int)rnd(r, 4);
    pp->i[k] = (int)rnd(r, 13) - 4;
    pp->f[k] = ((int)rnd(r, 20) - 6) / 2.0;
    snprintf(pp->t[k], sizeof pp->t[k], "%s", texts[rnd(r, 8)]);
  }
}

static void gen_column(Rng *r, Str *s, const Table *const *from, int nfrom) {
  const Table *t = from[rnd(r, (unsigned)nfrom)];
  sadd(s, "%s.%s", t->name, t->cols[rnd(r, (unsigned)t->ncol)]);
}

static void gen_expr(Rng *r, Str *s, const Table *const *from, int nfrom, int depth) {
  unsigned k = depth > 2 ? rnd(r, 3) : rnd(r, 16);
  switch (k) {
    case 0:
    case 1: gen_column(r, s, from, nfrom); break;
    case 2: gen_value(r, s); break;
    case 3:
    case 4: {
      static const char *const ops[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=",
                                        ">", ">=", "AND", "OR", "IS", "IS NOT", "&", "|"};
      sadd(s, "(");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, " %s ", ops[rnd(r, 18)]);
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, ")");
      break;
    }
    case 5: {
      static const char *const f1[] = {"abs", "length", "lower", "upper", "typeof", "hex", "quote",
                                       "round", "trim", "unicode", "sign"};
      sadd(s, "%s(", f1[rnd(r, 11)]);
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, ")");
      break;
    }
    case 6: {
      static const char *const f2[] = {"coalesce", "ifnull", "nullif", "max", "min", "instr", "substr"};
      sadd(s, "%s(", f2[rnd(r, 7)]);
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, ", ");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, ")");
      break;
    }
    case 7:
      sadd(s, "CASE WHEN ");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, " THEN ");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, " ELSE ");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, " END");
      break;
    case 8:
      gen_column(r, s, from, nfrom);
      sadd(s, rnd(r, 2) ? " BETWEEN " : " NOT BETWEEN ");
      gen_value(r, s);
      sadd(s, " AND ");
      gen_value(r, s);
      break;
    case 9:
      gen_column(r, s, from, nfrom);
      sadd(s, rnd(r, 2) ? " IN (" : " NOT IN (");
      for (int i = 0, n = 1 + (int)rnd(r, 4); i < n; i++) {
        if (i) sadd(s, ",");
        gen_value(r, s);
      }
      sadd(s, ")");
      break;
    case 10:
      gen_column(r, s, from, nfrom);
      sadd(s, rnd(r, 2) ? " IS NULL" : " IS NOT NULL");
      break;
    case 11: {
      static const char *const pats[] = {"'a%'", "'%b%'", "'_'", "'A'", "'%'", "'1%'"};
      /* "+": SQLite 3.40 drops outer rows when its LIKE optimization meets
      ** an INTEGER PRIMARY KEY in a LEFT JOIN's ON clause; keep away from
      ** that known bug of the oracle. */
      sadd(s, "+");
      gen_column(r, s, from, nfrom);
      sadd(s, " %s %s", rnd(r, 2) ? "LIKE" : "GLOB", pats[rnd(r, 6)]);
      break;
    }
    case 12: {
      static const char *const types[] = {"INTEGER", "TEXT", "REAL", "NUMERIC", "BLOB"};
      sadd(s, "CAST(");
      gen_expr(r, s, from, nfrom, depth + 1);
      sadd(s, " AS %s)", types[rnd(r, 5)]);
      break;
    }
    case 13:
      sadd(s, "NOT ");
      gen_expr(r, s, from, nfrom, depth + 1);
      break;
    case 14:
      sadd(s, "-");
      gen_column(r, s, from, nfrom);
      break;
    default:
      gen_column(r, s, from, nfrom);
      sadd(s, " COLLATE %s", rnd(r, 2) ? "NOCASE" : "RTRIM");
      sadd(s, " = ");
      gen_value(r, s);
      break;
  }
}

/* A value that does not depend on the table it bounds: a literal, a bound
** parameter, a column of the other table in the FROM clause, a subquery or
** an expression over a literal. */
static void gen_bound(Rng *r, Str *s, const Table *t, const Table *const *from, int nfrom) {
  switch (rnd(r, 8)) {
    case 0: sadd(s, "?%d", 1 + (int)rnd(r, 3)); break;
    case 1:
      if (nfrom == 2) {
        const Table *o = from[0] == t ? from[1] : from[0];
        sadd(s, "%s.%s", o->name, o->cols[rnd(r, (unsigned)o->ncol)]);
      } else {
        sadd(s, "?%d", 1 + (int)rnd(r, 3));
      }
      break;
    case 2: sadd(s, "(SELECT "); gen_value(r, s); sadd(s, ")"); break;
    case 3:
      sadd(s, "abs(");
      if (rnd(r, 2)) sadd(s, "?%d", 1 + (int)rnd(r, 3));
      else gen_value(r, s);
      sadd(s, ")");
      break;
    case 4:
      if (rnd(r, 2)) sadd(s, "?%d", 1 + (int)rnd(r, 3));
      else gen_value(r, s);
      sadd(s, "||''");
      break;
    case 5: {
      static const char *const types[] = {"INTEGER", "TEXT", "REAL"};
      sadd(s, "CAST(");
      gen_value(r, s);
      sadd(s, " AS %s)", types[rnd(r, 3)]);
      break;
    }
    default: gen_value(r, s); break;
  }
}

/* Conjunctions of range / equality constraints on columns of one table,
** the shapes the planner turns into rowid and index seeks. */
static void gen_range(Rng *r, Str *s, const Table *const *from, int nfrom) {
  const Table *t = from[rnd(r, (unsigned)nfrom)];
  int n = 1 + (int)rnd(r, 3);
  sadd(s, "(");
  for (int i = 0; i < n; i++) {
    const char *c = t->cols[rnd(r, (unsigned)t->ncol)];
    if (i) sadd(s, " AND ");
    switch (rnd(r, 9)) {
      case 0:
        sadd(s, "%s.%s BETWEEN ", t->name, c);
        gen_bound(r, s, t, from, nfrom);
        sadd(s, " AND ");
        gen_bound(r, s, t, from, nfrom);
        break;
      case 1:
        gen_bound(r, s, t, from, nfrom);
        sadd(s, " %s %s.%s", rnd(r, 2) ? "<" : ">=", t->name, c);
        break;
      case 2: sadd(s, "%s.%s IS ", t->name, c); gen_bound(r, s, t, from, nfrom); break;
      case 3: sadd(s, "%s.%s IS NULL", t->name, c); break;
      case 4:
        sadd(s, "%s.%s IN (", t->name, c);
        gen_bound(r, s, t, from, nfrom);
        sadd(s, ", ");
        gen_bound(r, s, t, from, nfrom);
        sadd(s, ")");
        break;
      default: {
        static const char *const ops[] = {"=", "<", "<=", ">", ">=", "=="};
        sadd(s, "%s.%s %s ", t->name, c, ops[rnd(r, 6)]);
        gen_bound(r, s, t, from, nfrom);
        break;
      }
    }
  }
  sadd(s, ")");
}

/* A query whose result is compared as a multiset unless it has a total
** ORDER BY (then in order). Returns 1 if ordered. */
static int gen_query(Rng *r, const Scenario *sc, Str *q) {
  const Table *from[2];
  int nfrom = sc->ntab > 1 && rnd(r, 3) == 0 ? 2 : 1;
  from[0] = &sc->tabs[rnd(r, (unsigned)sc->ntab)];
  if (nfrom == 2) {
    from[1] = &sc->tabs[rnd(r, (unsigned)sc->ntab)];
    if (from[1] == from[0]) nfrom = 1;
  }
  int kind = (int)rnd(r, 5);
  if (kind == 0) { /* aggregate with GROUP BY */
    static const char *const aggs[] = {"count(*)", "count(%s)", "sum(%s)", "total(%s)", "min(%s)",
                                       "max(%s)", "avg(%s)"};
    Str g = {0};
    gen_column(r, &g, from, nfrom);
    sadd(q, "SELECT %s", g.z);
    for (int i = 0, n = 1 + (int)rnd(r, 3); i < n; i++) {
      Str c = {0};
      gen_column(r, &c, from, nfrom);
      sadd(q, ", ");
      sadd(q, aggs[rnd(r, 7)], c.z);
      free(c.z);
    }
    sadd(q, " FROM %s", from[0]->name);
    if (nfrom == 2) sadd(q, ", %s", from[1]->name);
    if (rnd(r, 2)) {
      sadd(q, " WHERE ");
      gen_expr(r, q, from, nfrom, 0);
    }
    sadd(q, " GROUP BY %s", g.z);
    if (rnd(r, 3) == 0) sadd(q, " HAVING count(*) > 1");
    free(g.z);
    return 0;
  }
  sadd(q, "SELECT %s", kind == 1 ? "DISTINCT " : "");
  int ncol = 1 + (int)rnd(r, 3);
  for (int i = 0; i < ncol; i++) {
    if (i) sadd(q, ", ");
    gen_expr(r, q, from, nfrom, 1);
  }
  sadd(q, " FROM %s", from[0]->name);
  if (nfrom == 2) {
    int left = rnd(r, 3) == 0;
    sadd(q, " %s %s ON ", left ? "LEFT JOIN" : "JOIN", from[1]->name);
    gen_expr(r, q, from, nfrom, 1);
  }
  if (rnd(r, 4)) {
    sadd(q, " WHERE ");
    if (rnd(r, 3) == 0) gen_range(r, q, from, nfrom);
    else gen_expr(r, q, from, nfrom, 0);
    if (rnd(r, 4) == 0) {
      sadd(q, " %s ", rnd(r, 3) ? "AND" : "OR");
      gen_range(r, q, from, nfrom);
    }
  }
  if (kind == 2) { /* ORDER BY every result column plus LIMIT: compared in order */
    sadd(q, " ORDER BY ");
    for (int i = 0; i < ncol; i++) sadd(q, "%s%d%s", i ? ", " : "", i + 1, rnd(r, 2) ? " DESC" : "");
    if (rnd(r, 2)) sadd(q, " LIMIT %d OFFSET %d", (int)rnd(r, 6), (int)rnd(r, 3));
    return 0; /* ties make the order of equal keys unspecified: compare as a set */
  }
  if (kind == 3 && sc->ntab >= 1) {
    /* compounds: which of several equal rows (2 and 2.0, 'a' and 'A' under
    ** NOCASE) survives, with and without ORDER BY (SQLite merges sorted
    ** arms then) */
    static const char *const ops[] = {" UNION ", " EXCEPT ", " INTERSECT ", " UNION ALL "};
    int narm = 1 + (rnd(r, 4) == 0);
    int last_all = 0;
    for (int a = 0; a < narm; a++) {
      const Table *t = &sc->tabs[rnd(r, (unsigned)sc->ntab)];
      int o = (int)rnd(r, 4);
      last_all = o == 3;
      sadd(q, "%sSELECT ", ops[o]);
      for (int i = 0; i < ncol; i++) {
        const char *c = t->cols[rnd(r, (unsigned)t->ncol)];
        switch (rnd(r, 6)) {
          case 0: sadd(q, "%s%s COLLATE NOCASE", i ? ", " : "", c); break;
          case 1: sadd(q, "%s%s||''", i ? ", " : "", c); break;
          default: sadd(q, "%s%s", i ? ", " : "", c); break;
        }
      }
      sadd(q, " FROM %s", t->name);
    }
    if (rnd(r, 2)) {
      sadd(q, " ORDER BY ");
      for (int i = 0; i < ncol; i++)
        sadd(q, "%s%d%s%s", i ? ", " : "", i + 1, rnd(r, 5) ? "" : " COLLATE NOCASE", rnd(r, 3) ? "" : " DESC");
      return !last_all; /* the last operator not UNION ALL: distinct rows, a total order */
    }
  }
  return 0;
}

/* ----------------------------------------------------------- execution -- */
typedef struct Result {
  int ok;
  char *text; /* rows, one per line, values "type:text" joined by '|' */
} Result;

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_lines(char *text) {
  if (!text || !*text) return;
  int n = 0;
  for (char *p = text; *p; p++)
    if (*p == '\n') n++;
  char **lines = malloc(sizeof(char *) * (size_t)(n + 1));
  char *copy = strdup(text);
  int k = 0;
  for (char *tok = strtok(copy, "\n"); tok; tok = strtok(NULL, "\n")) lines[k++] = tok;
  qsort(lines, (size_t)k, sizeof(char *), cmp_lines);
  char *o = text;
  for (int i = 0; i < k; i++) {
    size_t len = strlen(lines[i]);
    memcpy(o, lines[i], len);
    o += len;
    *o++ = '\n';
  }
  *o = 0;
  free(lines);
  free(copy);
}

static void bind_params(const Api *a, sqlite3_stmt *st, const Params *pp, int set) {
  for (int k = 0; k < 3 && pp; k++) {
    int i = set * 3 + k;
    if (pp->type[i] == 1) a->bind_int64(st, k + 1, pp->i[i]);
    else if (pp->type[i] == 2) a->bind_double(st, k + 1, pp->f[i]);
    else if (pp->type[i] == 3) a->bind_text(st, k + 1, pp->t[i], -1, SQLITE_TRANSIENT);
    else a->bind_text(st, k + 1, NULL, 0, SQLITE_TRANSIENT);
  }
}

/* Step st to the end: its rows as text (sorted unless ordered), or NULL
** after an error (message in *out). */
static int run_rows(const Api *a, sqlite3 *db, sqlite3_stmt *st, int ordered, Str *out) {
  Str rows = {0};
  sadd(&rows, "%s", "");
  int rc, ncol = a->column_count(st);
  while ((rc = a->step(st)) == SQLITE_ROW) {
    for (int i = 0; i < ncol; i++) {
      int t = a->column_type(st, i);
      if (t == SQLITE_BLOB) {
        const unsigned char *b = a->column_text(st, i);
        int n = a->column_bytes(st, i);
        sadd(&rows, "%sb:", i ? "|" : "");
        for (int k = 0; k < n; k++) sadd(&rows, "%02x", b[k]);
      } else {
        const unsigned char *z = a->column_text(st, i);
        sadd(&rows, "%s%c:%s", i ? "|" : "", "?ifstbn"[t], z ? (const char *)z : "");
      }
    }
    sadd(&rows, "\n");
  }
  if (rc != SQLITE_DONE) {
    free(out->z);
    out->z = NULL, out->n = out->cap = 0;
    sadd(out, "error: %s", a->errmsg(db));
    free(rows.z);
    return 0;
  }
  if (!ordered) sort_lines(rows.z);
  sadd(out, "%s", rows.z);
  free(rows.z);
  return 1;
}

/* A query with parameters runs twice on one prepared statement, with two
** sets of values (a re-bound statement must not reuse the first run's
** seek keys or computed constants). */
/* A random DELETE on one table (its WHERE may read any table, itself too,
** through subqueries): run_query then compares the table left behind. */
static void gen_delete(Rng *r, const Scenario *sc, Str *q) {
  const Table *from[1] = {&sc->tabs[rnd(r, (unsigned)sc->ntab)]};
  sadd(q, "DELETE FROM %s WHERE ", from[0]->name);
  gen_expr(r, q, from, 1, 2);
}

/* Run a DELETE (twice when it has parameters, as queries) and dump its table
** in rowid order with PRAGMA integrity_check. */
static Result run_delete(const Api *a, sqlite3 *db, const char *sql, const Params *pp) {
  Result res = {1, NULL};
  Str out = {0};
  sadd(&out, "%s", "");
  char tab[32] = {0};
  sscanf(sql, "DELETE FROM %31[a-z0-9]", tab);
  sqlite3_stmt *st = NULL;
  if (a->prepare(db, sql, -1, &st, NULL) != SQLITE_OK || !st) {
    sadd(&out, "error: %s", a->errmsg(db));
    res.ok = 0;
    res.text = out.z;
    return res;
  }
  int runs = strchr(sql, '?') ? 2 : 1;
  for (int set = 0; set < runs; set++) {
    if (set) a->reset(st);
    if (runs > 1) bind_params(a, st, pp, set);
    int rc = a->step(st);
    if (rc != SQLITE_DONE) {
      sadd(&out, "error: %s\n", a->errmsg(db));
      res.ok = 0;
    }
  }
  a->finalize(st);
  char dump[96];
  snprintf(dump, sizeof dump, "SELECT rowid, * FROM %s ORDER BY rowid", tab);
  const char *checks[2] = {dump, "PRAGMA integrity_check"};
  for (int k = 0; k < 2; k++) {
    st = NULL;
    if (a->prepare(db, checks[k], -1, &st, NULL) != SQLITE_OK || !st) {
      sadd(&out, "error: %s\n", a->errmsg(db));
      continue;
    }
    run_rows(a, db, st, 1, &out);
    a->finalize(st);
  }
  res.text = out.z;
  return res;
}

static Result run_query(const Api *a, sqlite3 *db, const char *sql, const Params *pp, int ordered) {
  if (!strncmp(sql, "DELETE ", 7)) return run_delete(a, db, sql, pp);
  Result res = {0, NULL};
  Str out = {0};
  sadd(&out, "%s", "");
  sqlite3_stmt *st = NULL;
  if (a->prepare(db, sql, -1, &st, NULL) != SQLITE_OK || !st) {
    sadd(&out, "error: %s", a->errmsg(db));
    res.text = out.z;
    return res;
  }
  int runs = strchr(sql, '?') ? 2 : 1;
  res.ok = 1;
  for (int set = 0; set < runs && res.ok; set++) {
    if (set) {
      a->reset(st);
      sadd(&out, "-- rebound:\n");
    }
    if (runs > 1) bind_params(a, st, pp, set);
    res.ok = run_rows(a, db, st, ordered, &out);
  }
  a->finalize(st);
  res.text = out.z;
  return res;
}

/* Set up a database with the scenario; keep[i] selects inserts. */
static sqlite3 *setup(const Api *a, const Scenario *sc, const char *keep) {
  sqlite3 *db = NULL;
  if (a->open(":memory:", &db) != SQLITE_OK) return NULL;
  a->exec(db, sc->schema, NULL, NULL, NULL);
  for (int i = 0; i < sc->ninsert; i++)
    if (!keep || keep[i]) a->exec(db, sc->inserts[i], NULL, NULL, NULL);
  return db;
}

static int differs(const Api *apis, const Scenario *sc, const char *keep, const char *q, const Params *pp,
                   int ordered, Result *out) {
  Result r[2];
  for (int k = 0; k < 2; k++) {
    sqlite3 *db = setup(&apis[k], sc, keep);
    r[k] = db ? run_query(&apis[k], db, q, pp, ordered) : (Result){0, strdup("error: open failed")};
    if (db) apis[k].close(db);
  }
  /* Both failing counts as agreement (messages are checked elsewhere). */
  int diff = r[0].ok != r[1].ok || (r[0].ok && strcmp(r[0].text, r[1].text) != 0);
  if (out) {
    out[0] = r[0], out[1] = r[1];
  } else {
    free(r[0].text);
    free(r[1].text);
  }
  return diff;
}

static void report(const Api *apis, const Scenario *sc, const char *query, const Params *pp, int ordered,
                   unsigned long long seed) {
  char *keep = malloc((size_t)sc->ninsert + 1);
  memset(keep, 1, (size_t)sc->ninsert + 1);
  for (int i = 0; i < sc->ninsert; i++) { /* shrink the data */
    keep[i] = 0;
    if (!differs(apis, sc, keep, query, pp, ordered, NULL)) keep[i] = 1;
  }
  Result r[2];
  differs(apis, sc, keep, query, pp, ordered, r);
  printf("---- difference (seed %llu); reproducer:\n%s", seed, sc->schema);
  for (int i = 0; i < sc->ninsert; i++)
    if (keep[i]) printf("%s\n", sc->inserts[i]);
  printf("%s;\n", query);
  for (int k = 0; k < 6 && strchr(query, '?'); k++) {
    const char *run = k < 3 ? "first run" : "second run";
    if (pp->type[k] == 1) printf("-- %s: ?%d = %lld\n", run, k % 3 + 1, pp->i[k]);
    else if (pp->type[k] == 2) printf("-- %s: ?%d = %g\n", run, k % 3 + 1, pp->f[k]);
    else if (pp->type[k] == 3) printf("-- %s: ?%d = '%s' (text)\n", run, k % 3 + 1, pp->t[k]);
    else printf("-- %s: ?%d = NULL\n", run, k % 3 + 1);
  }
  printf("-- shale:\n%s\n-- sqlite:\n%s\n", r[0].text, r[1].text);
  free(r[0].text);
  free(r[1].text);
  free(keep);
}

int main(int argc, char **argv) {
  unsigned long long seed = 1;
  int count = 100, queries = 20, np = 0, verbose = 0;
  const char *paths[2] = {NULL, NULL};
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-count") && i + 1 < argc) count = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-queries") && i + 1 < argc) queries = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-v")) verbose = 1;
    else if (np < 2) paths[np++] = argv[i];
  }
  if (np != 2) {
    fprintf(stderr, "usage: %s [-seed S] [-count N] [-queries Q] [-v] LIBSHALE LIBSQLITE3\n", argv[0]);
    return 2;
  }
  Api apis[2];
  dual_load(&apis[0], "shale", paths[0]);
  dual_load(&apis[1], "sqlite", paths[1]);
  int pass = 0, fail = 0, reported = 0;
  for (int c = 0; c < count; c++) {
    Rng r = {(seed + (unsigned long long)c) * 0x9E3779B97F4A7C15ULL | 1};
    Scenario sc;
    gen_scenario(&r, &sc);
    for (int qi = 0; qi < queries; qi++) {
      Str q = {0};
      int ordered = gen_query(&r, &sc, &q);
      Params pp;
      gen_params(&r, &pp);
      if (verbose) printf("%s\n", q.z);
      if (differs(apis, &sc, NULL, q.z, &pp, ordered, NULL)) {
        fail++;
        if (reported++ < 5) report(apis, &sc, q.z, &pp, ordered, seed + (unsigned long long)c);
      } else {
        pass++;
      }
      free(q.z);
    }
    /* DELETEs, with a generator of their own (the queries above stay the
    ** same for a given seed) */
    Rng rd = {(seed + (unsigned long long)c) * 0xD1B54A32D192ED03ULL | 1};
    for (int di = 0; di < queries / 4; di++) {
      Str q = {0};
      gen_delete(&rd, &sc, &q);
      Params pp;
      gen_params(&rd, &pp);
      if (verbose) printf("%s\n", q.z);
      if (differs(apis, &sc, NULL, q.z, &pp, 1, NULL)) {
        fail++;
        if (reported++ < 5) report(apis, &sc, q.z, &pp, 1, seed + (unsigned long long)c);
      } else {
        pass++;
      }
      free(q.z);
    }
    free(sc.schema);
    for (int i = 0; i < sc.ninsert; i++) free(sc.inserts[i]);
    free(sc.inserts);
  }
  printf("difftest: %d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
