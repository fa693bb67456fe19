/* steps_callgrind.c — bench.c's workload against ONE engine, for instruction counts:
** each step runs between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT(step),
** so callgrind writes one profile per step.  Built twice by bench/callgrind.sh
** (libshale, system libsqlite3).  Usage: steps_callgrind [ROWS] [DBFILE (WAL)] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

static int n_rows = 20000;
static sqlite3 *db;
static void run_sql(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, err); exit(1); }
}
static long long run_keyed(const char *sql, int n, long long (*key)(int), int two) {
  sqlite3_stmt *st; long long sum = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); exit(1); }
  for (int i = 0; i < n; i++) {
    if (key) sqlite3_bind_int64(st, 1, key(i));
    if (key && two) sqlite3_bind_int64(st, 2, key(i) + 100);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) sum += sqlite3_column_int64(st, 0);
    if (rc != SQLITE_DONE) { fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db)); exit(1); }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return sum;
}
static long long query_sum(const char *sql) { return run_keyed(sql, 1, NULL, 0); }
static long long key_spread(int i) { return (long long)((i * 7919L) % n_rows) + 1; }
static long long key_b(int i) { return (long long)((i * 104729L) % n_rows); }

static long long bulk_insert(void) {
  sqlite3_stmt *st; char d[64];
  run_sql("BEGIN");
  sqlite3_prepare_v2(db, "INSERT INTO t(a,b,c,d) VALUES(?,?,?,?)", -1, &st, NULL);
  for (int i = 0; i < n_rows; i++) {
    sqlite3_bind_int64(st, 1, i); sqlite3_bind_int64(st, 2, key_b(i)); sqlite3_bind_int64(st, 3, i % 100);
    snprintf(d, sizeof d, "row %d text %x", i, (unsigned)(i * 2654435761u));
    sqlite3_bind_text(st, 4, d, -1, SQLITE_TRANSIENT);
    sqlite3_step(st); sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  for (int i = 0; i < 100; i++) { char q[80]; snprintf(q, sizeof q, "INSERT INTO u VALUES(%d, 'name%d')", i, i); run_sql(q); }
  run_sql("COMMIT");
  return query_sum("SELECT count(*) FROM t");
}
static long long rowid_lookups(void) { return run_keyed("SELECT a FROM t WHERE id=?", n_rows / 2, key_spread, 0); }
static long long create_index(void) { run_sql("CREATE INDEX tb ON t(b)"); return 0; }
static long long index_lookups(void) { return run_keyed("SELECT a FROM t WHERE b=?", n_rows / 2, key_spread, 0); }
static long long range_scans(void) { return run_keyed("SELECT count(*) FROM t WHERE b BETWEEN ? AND ?", 2000, key_spread, 1); }
static long long group_by(void) { return query_sum("SELECT sum(a) FROM t GROUP BY c"); }
static long long like_scan(void) { return query_sum("SELECT count(*) FROM t WHERE d LIKE '%text 1%'"); }
static long long join(void) { return query_sum("SELECT count(*) FROM t JOIN u ON t.c = u.id WHERE u.name LIKE 'name1%'"); }
static long long order_by(void) { return query_sum("SELECT a FROM (SELECT a FROM t ORDER BY d LIMIT 10)"); }
static long long update_key(void) {
  run_sql("BEGIN"); long long r = run_keyed("UPDATE t SET a=a+1 WHERE id=?", n_rows / 4, key_spread, 0); run_sql("COMMIT");
  return r + query_sum("SELECT sum(a) FROM t");
}
static long long delete_pred(void) { run_sql("DELETE FROM t WHERE a % 10 = 0"); return query_sum("SELECT count(*) FROM t"); }

static const struct { const char *name; long long (*fn)(void); } steps[] = {
  {"bulk_insert", bulk_insert}, {"rowid_lookups", rowid_lookups}, {"create_index", create_index},
  {"index_lookups", index_lookups}, {"range_scans", range_scans}, {"group_by", group_by},
  {"like_scan", like_scan}, {"join", join}, {"order_by", order_by}, {"update_key", update_key},
  {"delete_pred", delete_pred}};

int main(int argc, char **argv) {
  if (argc > 1) n_rows = atoi(argv[1]);
  const char *path = argc > 2 ? argv[2] : ":memory:";
  if (sqlite3_open(path, &db)) return 1;
  if (strcmp(path, ":memory:")) run_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  run_sql("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d TEXT)");
  run_sql("CREATE TABLE u(id INTEGER PRIMARY KEY, name TEXT)");
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    CALLGRIND_ZERO_STATS;
    long long c = steps[i].fn();
    CALLGRIND_DUMP_STATS_AT(steps[i].name);
    printf("%s %lld\n", steps[i].name, c);
  }
  sqlite3_close(db);
  return 0;
}
