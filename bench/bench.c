/*
** bench.c — the same workloads against Shale and against the system SQLite
** in one process: both libraries are dlopen()ed with RTLD_LOCAL (they export
** the same sqlite3_* names) and called through function-pointer tables.
** Prints per-step milliseconds for each and the shale/sqlite ratio.
**
** Usage: bench [-n ROWS] [-reps N] [-only memory|wal] LIBSHALE.so LIBSQLITE3.so
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../tests/dual/dual_api.h"

static void load(Api *a, const char *name, const char *path) { dual_load(a, name, path); }

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int failed;

static void must(const Api *a, sqlite3 *db, int rc, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "%s: %s failed: %s\n", a->name, what, a->errmsg(db));
    failed = 1;
  }
}

static void run_sql(const Api *a, sqlite3 *db, const char *sql) {
  char *err = NULL;
  int rc = a->exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "%s: %s: %s\n", a->name, sql, err ? err : "?");
    failed = 1;
  }
  if (err) a->free(err);
}

/* Run a statement once per key; sums column 0 of every row. */
static long long run_keyed(const Api *a, sqlite3 *db, const char *sql, int n, long long (*key)(int),
                           int two_keys) {
  sqlite3_stmt *st = NULL;
  long long sum = 0;
  must(a, db, a->prepare(db, sql, -1, &st, NULL), sql);
  if (!st) return 0;
  for (int i = 0; i < n; i++) {
    if (key) a->bind_int64(st, 1, key(i));
    if (key && two_keys) a->bind_int64(st, 2, key(i) + 100);
    int rc;
    while ((rc = a->step(st)) == SQLITE_ROW) sum += a->column_int64(st, 0);
    must(a, db, rc, sql);
    a->reset(st);
  }
  a->finalize(st);
  return sum;
}

static long long query_sum(const Api *a, sqlite3 *db, const char *sql) {
  return run_keyed(a, db, sql, 1, NULL, 0);
}

static int n_rows = 100000;
static long long key_spread(int i) { return (long long)((i * 7919L) % n_rows) + 1; }
static long long key_b(int i) { return (long long)((i * 104729L) % n_rows); }

typedef struct Step {
  const char *name;
  double ms[2];
  long long check[2];
} Step;

#define MAX_STEPS 32
static Step steps[MAX_STEPS];
static int n_steps;

static void record(int which, const char *name, double ms, long long check) {
  int i;
  for (i = 0; i < n_steps; i++)
    if (strcmp(steps[i].name, name) == 0) break;
  if (i == MAX_STEPS) return;
  if (i == n_steps) {
    steps[n_steps].name = name;
    steps[n_steps].ms[0] = steps[n_steps].ms[1] = -1;
    n_steps++;
  }
  if (steps[i].ms[which] < 0 || ms < steps[i].ms[which]) steps[i].ms[which] = ms;
  steps[i].check[which] = check;
}

/* One workload step: returns a checksum that must agree between engines. */
typedef long long (*StepFn)(const Api *, sqlite3 *);

static long long step_bulk_insert(const Api *a, sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  char d[64];
  run_sql(a, db, "BEGIN");
  must(a, db, a->prepare(db, "INSERT INTO t(a,b,c,d) VALUES(?,?,?,?)", -1, &st, NULL), "insert");
  for (int i = 0; i < n_rows && st; i++) {
    a->bind_int64(st, 1, i);
    a->bind_int64(st, 2, key_b(i));
    a->bind_int64(st, 3, i % 100);
    snprintf(d, sizeof d, "row %d text %x", i, (unsigned)(i * 2654435761u));
    a->bind_text(st, 4, d, -1, SQLITE_TRANSIENT);
    must(a, db, a->step(st), "insert step");
    a->reset(st);
  }
  if (st) a->finalize(st);
  for (int i = 0; i < 100; i++) {
    char q[80];
    snprintf(q, sizeof q, "INSERT INTO u VALUES(%d, 'name%d')", i, i);
    run_sql(a, db, q);
  }
  run_sql(a, db, "COMMIT");
  return query_sum(a, db, "SELECT count(*) FROM t");
}
static long long step_rowid_lookups(const Api *a, sqlite3 *db) {
  return run_keyed(a, db, "SELECT a FROM t WHERE id=?", n_rows / 2, key_spread, 0);
}
static long long step_create_index(const Api *a, sqlite3 *db) {
  run_sql(a, db, "CREATE INDEX tb ON t(b)");
  return 0;
}
static long long step_index_lookups(const Api *a, sqlite3 *db) {
  return run_keyed(a, db, "SELECT a FROM t WHERE b=?", n_rows / 2, key_spread, 0);
}
static long long step_range_scans(const Api *a, sqlite3 *db) {
  return run_keyed(a, db, "SELECT count(*) FROM t WHERE b BETWEEN ? AND ?", 2000, key_spread, 1);
}
static long long step_group_by(const Api *a, sqlite3 *db) {
  return query_sum(a, db, "SELECT sum(a) FROM t GROUP BY c");
}
static long long step_like(const Api *a, sqlite3 *db) {
  return query_sum(a, db, "SELECT count(*) FROM t WHERE d LIKE '%text 1%'");
}
static long long step_join(const Api *a, sqlite3 *db) {
  return query_sum(a, db, "SELECT count(*) FROM t JOIN u ON t.c = u.id WHERE u.name LIKE 'name1%'");
}
static long long step_order_by(const Api *a, sqlite3 *db) {
  return query_sum(a, db, "SELECT a FROM (SELECT a FROM t ORDER BY d LIMIT 10)");
}
static long long step_update(const Api *a, sqlite3 *db) {
  run_sql(a, db, "BEGIN");
  long long r = run_keyed(a, db, "UPDATE t SET a=a+1 WHERE id=?", n_rows / 4, key_spread, 0);
  run_sql(a, db, "COMMIT");
  return r + query_sum(a, db, "SELECT sum(a) FROM t");
}
static long long step_delete(const Api *a, sqlite3 *db) {
  run_sql(a, db, "DELETE FROM t WHERE a % 10 = 0");
  return query_sum(a, db, "SELECT count(*) FROM t");
}

static const struct {
  const char *name;
  StepFn fn;
} workload_steps[] = {
    {"bulk insert", step_bulk_insert},     {"rowid lookups", step_rowid_lookups},
    {"create index", step_create_index},   {"index lookups", step_index_lookups},
    {"index range scans", step_range_scans}, {"group by", step_group_by},
    {"like scan", step_like},              {"join", step_join},
    {"order by unindexed", step_order_by}, {"update by key", step_update},
    {"delete by predicate", step_delete},
};

static void workload(const Api *a, int which, const char *kind) {
  char path[256];
  sqlite3 *db = NULL;
  int wal = strcmp(kind, "wal") == 0;
  if (wal) {
    char extra[300];
    snprintf(path, sizeof path, "/tmp/shale-bench-%d-%s.db", (int)getpid(), a->name);
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
  } else {
    snprintf(path, sizeof path, ":memory:");
  }
  if (a->open(path, &db) != SQLITE_OK) {
    fprintf(stderr, "%s: cannot open %s\n", a->name, path);
    failed = 1;
    return;
  }
  if (wal) run_sql(a, db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  run_sql(a, db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d TEXT)");
  run_sql(a, db, "CREATE TABLE u(id INTEGER PRIMARY KEY, name TEXT)");
  for (size_t i = 0; i < sizeof(workload_steps) / sizeof(workload_steps[0]); i++) {
    char label[64];
    snprintf(label, sizeof label, "%s %s", kind, workload_steps[i].name);
    double t0 = now_ms();
    long long check = workload_steps[i].fn(a, db);
    record(which, strdup(label), now_ms() - t0, check);
  }
  a->close(db);
  if (wal) unlink(path);
}

int main(int argc, char **argv) {
  const char *paths[2] = {NULL, NULL};
  const char *only = NULL;
  int reps = 3, np = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) n_rows = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-only") && i + 1 < argc) only = argv[++i];
    else if (np < 2) paths[np++] = argv[i];
  }
  if (np != 2) {
    fprintf(stderr, "usage: %s [-n ROWS] [-reps N] [-only memory|wal] LIBSHALE LIBSQLITE3\n", argv[0]);
    return 2;
  }
  Api apis[2];
  load(&apis[0], "shale", paths[0]);
  load(&apis[1], "sqlite", paths[1]);
  const char *kinds[2] = {"memory", "wal"};
  for (int r = 0; r < reps; r++) /* alternate to share the machine's noise */
    for (int k = 0; k < 2; k++) {
      if (only && strcmp(only, kinds[k])) continue;
      for (int w = 0; w < 2; w++) workload(&apis[(w + r) % 2], (w + r) % 2, kinds[k]);
    }
  printf("%-28s %12s %12s %8s\n", "step", "shale ms", "sqlite ms", "ratio");
  double worst = 0;
  for (int i = 0; i < n_steps; i++) {
    double ratio = steps[i].ms[1] > 0 ? steps[i].ms[0] / steps[i].ms[1] : 0;
    if (ratio > worst) worst = ratio;
    printf("%-28s %12.2f %12.2f %7.2fx%s\n", steps[i].name, steps[i].ms[0], steps[i].ms[1], ratio,
           steps[i].check[0] != steps[i].check[1] ? "  RESULTS DIFFER" : "");
    if (steps[i].check[0] != steps[i].check[1]) failed = 1;
  }
  printf("worst ratio: %.2fx (rows: %d)\n", worst, n_rows);
  return failed;
}
