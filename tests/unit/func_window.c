/*
** func_window.c — the window-capable built-ins driven the way a code
** generator drives them (rows enter the frame through xStep from the
** partition start up to the frame end, leave through xInverse below the
** frame start; functions without an inverse are recomputed per row), over
** the frames SQLite forces for row_number, rank, ... and a few frames for
** the aggregates.  Results are compared with sqlite3 3.40.1 running the
** equivalent window queries.  This is also a reference for the codegen.
*/
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

#define NROW 10
static const int ord[NROW] = {1, 1, 2, 3, 3, 3, 5, 6, 6, 9};
static const char *const xs[NROW] = {"10", "'b'", "NULL", "2.5", "7", "'a'", "NULL", "-3", "4", "'c'"};

enum { F_ROWS, F_RANGE, F_GROUPS };
enum { B_UNB, B_PREC, B_CUR, B_FOLL };
typedef struct Frame {
  int type, st, sn, et, en;
  const char *sql;
} Frame;

static int group_of(int i) {
  int g = 0;
  for (int k = 1; k <= i; k++)
    if (ord[k] != ord[k - 1]) g++;
  return g;
}
static int first_of_group(int g) {
  for (int k = 0; k < NROW; k++)
    if (group_of(k) == g) return k;
  return g < 0 ? 0 : NROW;
}
static int last_of_group(int g) {
  int r = -1;
  for (int k = 0; k < NROW; k++)
    if (group_of(k) == g) r = k;
  if (r < 0) r = g < 0 ? -1 : NROW - 1;
  return r;
}

static void bounds(const Frame *f, int i, int *s, int *e) {
  int g = group_of(i), ng = group_of(NROW - 1) + 1;
  switch (f->st) {
    case B_UNB: *s = 0; break;
    case B_CUR: *s = f->type == F_ROWS ? i : first_of_group(g); break;
    case B_PREC: *s = f->type == F_ROWS ? i - f->sn : first_of_group(g - f->sn < 0 ? 0 : g - f->sn); break;
    default: *s = f->type == F_ROWS ? i + f->sn : (g + f->sn >= ng ? NROW : first_of_group(g + f->sn)); break;
  }
  switch (f->et) {
    case B_UNB: *e = NROW - 1; break;
    case B_CUR: *e = f->type == F_ROWS ? i : last_of_group(g); break;
    case B_PREC: *e = f->type == F_ROWS ? i - f->en : (g - f->en < 0 ? -1 : last_of_group(g - f->en)); break;
    default: *e = f->type == F_ROWS ? i + f->en : last_of_group(g + f->en >= ng ? ng - 1 : g + f->en); break;
  }
  if (*s < 0) *s = 0;
  if (*e > NROW - 1) *e = NROW - 1;
}

static void new_ctx(sqlite3_context *c, const FuncDef *f) {
  memset(c, 0, sizeof(*c));
  c->def = f;
  c->db = &mock_db;
  c->res.type = SQLITE_NULL;
}

static const char *arg0_override; /* ntile(N): the argument is N, not x */

static void step_row(const FuncDef *f, sqlite3_context *c, int r, const char *extra, int inverse) {
  sqlite3_value v[2];
  sqlite3_value *argv[2] = {&v[0], &v[1]};
  mock_literal(&v[0], arg0_override ? arg0_override : xs[r]);
  int argc = f->n_arg;
  if (argc == 2) mock_literal(&v[1], extra);
  if (inverse) f->x_inverse(c, argc, argv);
  else f->x_step(c, argc, argv);
  mv_clear(&v[0]);
  if (argc == 2) mv_clear(&v[1]);
}

/* Results for rows 0..NROW-1 joined with '|'. */
static char *drive(const char *name, int nargs, const char *extra, const Frame *fr) {
  const FuncDef *f = func_find(&mock_db, name, nargs, NULL);
  if (!f) return strdup("no function");
  char out[4096] = "";
  int recompute = f->x_inverse == NULL || !strcmp(name, "first_value") || !strcmp(name, "nth_value");
  sqlite3_context c;
  new_ctx(&c, f);
  int cs = 0, ce = -1;
  for (int i = 0; i < NROW; i++) {
    int s, e;
    bounds(fr, i, &s, &e);
    sqlite3_context *vc = &c;
    sqlite3_context rc;
    if (recompute) {
      new_ctx(&rc, f);
      for (int r = s; r <= e; r++) step_row(f, &rc, r, extra, 0);
      vc = &rc;
    } else {
      for (int r = ce + 1; r <= e; r++) step_row(f, &c, r, extra, 0);
      if (e > ce) ce = e;
      for (int r = cs; r < s && r <= ce; r++) step_row(f, &c, r, extra, 1);
      if (s > cs) cs = s;
    }
    mv_clear(&vc->res);
    vc->is_error = 0;
    f->x_value(vc);
    char *q = mock_quote(vc);
    strcat(out, i ? "|" : "");
    strcat(out, q);
    free(q);
    if (recompute) {
      f->x_final(&rc);
      mv_clear(&rc.res);
      free(rc.agg);
    }
  }
  f->x_final(&c);
  mv_clear(&c.res);
  free(c.agg);
  return strdup(out);
}

typedef struct WCase {
  const char *call; /* SQL text of the call */
  const char *name;
  int nargs;
  const char *extra;
  Frame frame;
  char *ours;
} WCase;

#define ROWS_UNB_CUR {F_ROWS, B_UNB, 0, B_CUR, 0, "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"}
#define RANGE_UNB_CUR {F_RANGE, B_UNB, 0, B_CUR, 0, "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"}
#define ROWS_1_1 {F_ROWS, B_PREC, 1, B_FOLL, 1, "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING"}
#define ROWS_2_0 {F_ROWS, B_PREC, 2, B_CUR, 0, "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW"}
#define GROUPS_1_0 {F_GROUPS, B_PREC, 1, B_CUR, 0, "GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW"}
#define ROWS_F {F_ROWS, B_FOLL, 1, B_FOLL, 3, "ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING"}
#define ALL {F_ROWS, B_UNB, 0, B_UNB, 0, "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"}

static WCase wc[] = {
    {"row_number()", "row_number", 0, NULL, ROWS_UNB_CUR, NULL},
    {"rank()", "rank", 0, NULL, RANGE_UNB_CUR, NULL},
    {"dense_rank()", "dense_rank", 0, NULL, RANGE_UNB_CUR, NULL},
    {"percent_rank()", "percent_rank", 0, NULL, {F_GROUPS, B_CUR, 0, B_UNB, 0, NULL}, NULL},
    {"cume_dist()", "cume_dist", 0, NULL, {F_GROUPS, B_FOLL, 1, B_UNB, 0, NULL}, NULL},
    {"ntile(3)", "ntile", 1, NULL, {F_ROWS, B_CUR, 0, B_UNB, 0, NULL}, NULL},
    {"ntile(4)", "ntile", 1, NULL, {F_ROWS, B_CUR, 0, B_UNB, 0, NULL}, NULL},
    {"ntile(20)", "ntile", 1, NULL, {F_ROWS, B_CUR, 0, B_UNB, 0, NULL}, NULL},
};
static const char *const aggs[][3] = {{"count", "1", NULL}, {"sum", "1", NULL}, {"total", "1", NULL},
                                      {"avg", "1", NULL},   {"min", "1", NULL}, {"max", "1", NULL},
                                      {"group_concat", "1", NULL}, {"group_concat", "2", "'-'"},
                                      {"first_value", "1", NULL}, {"last_value", "1", NULL},
                                      {"nth_value", "2", "2"}, {"json_group_array", "1", NULL}};
static const Frame frames[] = {ROWS_UNB_CUR, RANGE_UNB_CUR, ROWS_1_1, ROWS_2_0, GROUPS_1_0, ROWS_F, ALL};

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  enum { NW = sizeof(wc) / sizeof(wc[0]), NA = sizeof(aggs) / sizeof(aggs[0]),
         NF = sizeof(frames) / sizeof(frames[0]) };
  static WCase all[NW + NA * NF];
  static char calls[NA * NF][64];
  int n = 0;
  for (int i = 0; i < NW; i++) all[n++] = wc[i];
  for (int a = 0; a < NA; a++)
    for (int fi = 0; fi < NF; fi++) {
      WCase *w = &all[n];
      snprintf(calls[n - NW], sizeof calls[0], "%s(x%s%s)", aggs[a][0], aggs[a][2] ? ", " : "",
               aggs[a][2] ? aggs[a][2] : "");
      w->call = calls[n - NW];
      w->name = aggs[a][0];
      w->nargs = atoi(aggs[a][1]);
      w->extra = aggs[a][2];
      w->frame = frames[fi];
      n++;
    }
  for (int i = 0; i < n; i++) {
    char ex[8];
    arg0_override = NULL;
    if (!strncmp(all[i].call, "ntile(", 6)) {
      snprintf(ex, sizeof ex, "%d", atoi(all[i].call + 6));
      arg0_override = ex;
    }
    all[i].ours = drive(all[i].name, all[i].nargs, all[i].extra, &all[i].frame);
  }
  char path[] = "/tmp/shale_win_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "CREATE TABLE t(o, x);\nINSERT INTO t VALUES ");
  for (int r = 0; r < NROW; r++) fprintf(f, "%s(%d, %s)", r ? "," : "", ord[r], xs[r]);
  fprintf(f, ";\n");
  for (int i = 0; i < n; i++) {
    fprintf(f, "SELECT group_concat(v, '|') FROM (SELECT quote(%s OVER (ORDER BY o%s%s)) AS v FROM t ORDER BY o, rowid);\n",
            all[i].call, all[i].frame.sql ? " " : "", all[i].frame.sql ? all[i].frame.sql : "");
  }
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>&1", path);
  FILE *p = popen(cmd, "r");
  char line[8192];
  int i = 0;
  while (p && fgets(line, sizeof line, p) && i < n) {
    line[strcspn(line, "\r\n")] = 0;
    if (strcmp(line, all[i].ours) == 0) testlib_passed++;
    else
      testlib_fail(__FILE__, __LINE__, "%s OVER (%s): ours %s sqlite3 %s", all[i].call,
                   all[i].frame.sql ? all[i].frame.sql : "default", all[i].ours, line);
    i++;
  }
  if (p) pclose(p);
  unlink(path);
  if (i != n) printf("func_window: sqlite3 answered %d of %d\n", i, n);
  for (i = 0; i < n; i++) free(all[i].ours);
  return testlib_finish("func_window");
}
