/*
** api_crash.c — crash safety through the public SQL API.
**
** A SQL workload (CREATE TABLE + index, multi-row INSERTs in explicit
** transactions, UPDATE/DELETE, an autocommit statement, a transaction far
** larger than PRAGMA cache_size=10 so dirty pages spill) runs on the
** "faulty" VFS in journal modes DELETE, TRUNCATE, PERSIST and WAL.  The
** operations of a clean run are counted; power is then cut before each
** write/sync/truncate in turn (a deterministic sample when there are many),
** unsynced writes are dropped (or, alternately, randomly kept/torn), and
** the database is reopened with a plain VFS ("unix", or "pending" on odd
** points): integrity_check must be "ok" and the content must be the state
** after the last step whose COMMIT returned SQLITE_OK, or after the next
** one (a commit whose reply was lost) — never anything in between.  For a
** sample of points the crashed files are also copied and checked with the
** sqlite3 CLI (its own recovery, integrity_check, same content).
**
** Every 5th point tears the write instead (partial sector, then power loss).
** Also kill -9 of a forked writer mid-workload (8 rounds per mode): the
** recovered database (sqlite3 on a copy, then Shale) holds every reported
** commit.
** Then injected EIO / ENOSPC / short writes and EIO on syncs: the failing
** statement returns SQLITE_IOERR* or SQLITE_FULL, ROLLBACK restores the last
** committed state in the same connection, the failed step succeeds when
** retried, and the final database holds every step.
**
** Known engine bugs (each check runs when its macro is defined):
**  (none at the moment; a failed journal sync after the commit point once
**   corrupted journal_mode=TRUNCATE databases: now reported, not rolled back)
*/
#include "testlib.h"
#include "api_util.h"
#include "../../engine/vfs/vfs_faulty.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define NSTEP_MAX 12
#define SAMPLE 200

typedef struct Workload {
  char *steps[NSTEP_MAX];
  int nstep;
  char states[NSTEP_MAX + 1][256]; /* states[i]: digest after step i (0: empty) */
} Workload;

typedef struct Mode {
  const char *name;    /* journal mode */
  int wal;
} Mode;

static const Mode kModes[] = {{"DELETE", 0}, {"TRUNCATE", 0}, {"PERSIST", 0}, {"WAL", 1}};

static char g_db[256], g_copy[256];

/* b text of length 40..239, deterministic in i. */
static char *rows_sql(int first, int n, int salt) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendf(s, "INSERT INTO t1(b,c) VALUES");
  for (int i = 0; i < n; i++) {
    int id = first + i;
    int len = 40 + (id * 37 + salt) % 200;
    sqlite3_str_appendf(s, "%s('r%d-%.*c',%d)", i ? "," : "", id, len, 'a' + (id + salt) % 26,
                        (id * 7919 + salt) % 1000);
  }
  sqlite3_str_appendf(s, ";");
  return sqlite3_str_finish(s);
}

static void build_workload(Workload *w, int wal) {
  int n = 0;
  w->steps[n++] = sqlite3_mprintf(
      "BEGIN; CREATE TABLE meta(k INTEGER PRIMARY KEY, t INT); INSERT INTO meta VALUES(1,1);"
      "CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT, c INT); CREATE INDEX t1c ON t1(c); COMMIT;");
  char *r = rows_sql(1, 60, 1);
  w->steps[n++] = sqlite3_mprintf("BEGIN; %s UPDATE meta SET t=2; COMMIT;", r);
  sqlite3_free(r);
  w->steps[n++] = sqlite3_mprintf(
      "BEGIN; UPDATE t1 SET c=c+1000, b=b||'u' WHERE a%%3=0; DELETE FROM t1 WHERE a%%5=0;"
      "UPDATE meta SET t=3; COMMIT;");
  if (wal) w->steps[n++] = sqlite3_mprintf("PRAGMA wal_checkpoint(PASSIVE);");
  /* the big one: ~120 KB of rows plus index pages, cache_size is 10 pages */
  char *a = rows_sql(1000, 200, 2), *b = rows_sql(1200, 200, 3), *c = rows_sql(1400, 200, 4);
  w->steps[n++] = sqlite3_mprintf("BEGIN; %s %s %s UPDATE meta SET t=4; COMMIT;", a, b, c);
  sqlite3_free(a);
  sqlite3_free(b);
  sqlite3_free(c);
  w->steps[n++] = sqlite3_mprintf("UPDATE t1 SET c=c*2 WHERE a BETWEEN 1100 AND 1300;");
  w->steps[n++] = sqlite3_mprintf(
      "BEGIN; DELETE FROM t1 WHERE a > 1500; INSERT INTO t1(b,c) VALUES('tail',7);"
      "UPDATE t1 SET b=substr(b,1,10) WHERE a%%7=0; UPDATE meta SET t=6; COMMIT;");
  if (wal) w->steps[n++] = sqlite3_mprintf("PRAGMA wal_checkpoint(TRUNCATE);");
  w->steps[n++] = sqlite3_mprintf("BEGIN; INSERT INTO t1(b,c) SELECT b||'z', c+1 FROM t1 WHERE a<40;"
                                  "UPDATE meta SET t=7; COMMIT;");
  w->nstep = n;
}

static void free_workload(Workload *w) {
  for (int i = 0; i < w->nstep; i++) sqlite3_free(w->steps[i]);
}

#define DIGEST_SQL                                                                     \
  "SELECT (SELECT t FROM meta), count(*), sum(a), sum(c), sum(length(b)), "           \
  "(SELECT count(*) FROM t1 WHERE c>=0) FROM t1;"

/* Digest of the database content ("empty" when no table exists yet). */
static void digest(sqlite3 *db, char *out, size_t n) {
  int rc = au_query(db, DIGEST_SQL, out, n);
  if (rc != SQLITE_OK && strstr(out, "no such table")) snprintf(out, n, "empty");
}

static sqlite3 *open_work(const Mode *m) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "faulty");
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  char sql[256];
  snprintf(sql, sizeof(sql),
           "PRAGMA cache_size=10; PRAGMA synchronous=FULL; PRAGMA journal_mode=%s;%s", m->name,
           m->wal ? " PRAGMA wal_autocheckpoint=24;" : "");
  char out[256];
  if (au_query(db, sql, out, sizeof(out)) != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* Runs the steps until one fails; returns how many succeeded. */
static int run_steps(sqlite3 *db, Workload *w) {
  int i = 0;
  if (db == NULL) return 0;
  for (; i < w->nstep; i++) {
    if (sqlite3_exec(db, w->steps[i], NULL, NULL, NULL) != SQLITE_OK) break;
  }
  return i;
}

/* Opens with a plain VFS; returns the step whose state is found, -1 if the
** content matches none, -2 if integrity_check fails, -3 on open failure. */
static int verify(Workload *w, const char *vfs, char *dg, size_t n) {
  sqlite3 *db = NULL;
  dg[0] = 0;
  if (sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK) {
    snprintf(dg, n, "open: %s", db ? sqlite3_errmsg(db) : "?");
    sqlite3_close(db);
    return -3;
  }
  char ic[1024];
  au_query(db, "PRAGMA integrity_check;", ic, sizeof(ic));
  digest(db, dg, n);
  sqlite3_close(db);
  if (strcmp(ic, "ok") != 0) {
    snprintf(dg, n, "integrity: %.200s", ic);
    return -2;
  }
  for (int i = w->nstep; i >= 0; i--)
    if (strcmp(dg, w->states[i]) == 0) return i;
  return -1;
}

/* sqlite3 CLI on a copy of the crashed files: integrity + digest. */
static int cli_verify(Workload *w, char *out, size_t n) {
  au_copy_db(g_db, g_copy);
  char buf[2048];
  au_cli(g_copy, "PRAGMA integrity_check;", buf, sizeof(buf));
  if (strcmp(buf, "ok") != 0) {
    snprintf(out, n, "cli integrity: %.200s", buf);
    au_unlink_db(g_copy);
    return -2;
  }
  au_cli(g_copy, DIGEST_SQL, out, n);
  if (strstr(out, "no such table")) snprintf(out, n, "empty");
  au_unlink_db(g_copy);
  for (int i = w->nstep; i >= 0; i--)
    if (strcmp(out, w->states[i]) == 0) return i;
  return -1;
}

static void crash_sweep(const Mode *m, int *total_points, int *cli_points) {
  Workload w;
  build_workload(&w, m->wal);
  /* clean run: count operations and record the state after each step */
  au_unlink_db(g_db);
  shale_faulty_reset();
  sqlite3 *db = open_work(m);
  CHECK(db != NULL);
  snprintf(w.states[0], sizeof(w.states[0]), "empty");
  for (int i = 0; i < w.nstep; i++) {
    int rc = sqlite3_exec(db, w.steps[i], NULL, NULL, NULL);
    CHECK_INT(rc, SQLITE_OK);
    digest(db, w.states[i + 1], sizeof(w.states[i + 1]));
  }
  sqlite3_close(db);
  int nops = shale_faulty_op_count();
  CHECK(nops > 20);
  char dg[512];
  CHECK_INT(verify(&w, "unix", dg, sizeof(dg)), w.nstep);
  CHECK_INT(cli_verify(&w, dg, sizeof(dg)), w.nstep);

  int npts = nops + 1 <= SAMPLE ? nops + 1 : SAMPLE;
  int bad = 0;
  for (int j = 0; j < npts; j++) {
    /* deterministic spread over 1..nops+1 (the last point: no crash) */
    int k = npts == nops + 1 ? j + 1 : 1 + (int)((long long)j * nops / (npts - 1));
    int restore_mode = (j / 2) & 1;
    const char *vfs = testlib_vfs_names[j & 1];
    au_unlink_db(g_db);
    shale_faulty_reset();
    /* every 5th point: the write at k is torn (partial sector) and power
    ** goes right there; otherwise power is lost before op k */
    if (j % 5 == 4) shale_faulty_torn_write(k);
    else shale_faulty_power_loss_at(k);
    db = open_work(m);
    int committed = run_steps(db, &w);
    sqlite3_close_v2(db);
    shale_faulty_power_restore(restore_mode, (u32)k * 2654435761u + 17u);
    (*total_points)++;
    if (j % 10 == 3 || k == nops + 1) {
      (*cli_points)++;
      char cd[512];
      int cf = cli_verify(&w, cd, sizeof(cd));
      if (!(cf == committed || cf == committed + 1)) {
        if (bad++ < 5)
          fprintf(stderr, "api_crash %s: CLI after power loss at op %d/%d: committed %d, found %d (%s)\n",
                  m->name, k, nops, committed, cf, cd);
      }
    }
    int found = verify(&w, vfs, dg, sizeof(dg));
    if (!(found == committed || found == committed + 1)) {
      if (bad++ < 5)
        fprintf(stderr,
                "api_crash %s: power loss at op %d/%d (restore %d, verify %s): committed %d, found %d (%s)\n",
                m->name, k, nops, restore_mode, vfs, committed, found, dg);
    }
    if (k == nops + 1) CHECK_INT(found, w.nstep);
  }
  CHECK_INT(bad, 0);
  free_workload(&w);
}

static int is_io_error(int rc) {
  rc &= 0xff;
  return rc == SQLITE_IOERR || rc == SQLITE_FULL;
}

/* kind 0: EIO on a write, 1: ENOSPC on a write, 2: EIO on a sync,
** 3: short write (half written, SQLITE_FULL). */
static void error_sweep(const Mode *m, int kind, int *total_points) {
  Workload w;
  build_workload(&w, m->wal);
  au_unlink_db(g_db);
  shale_faulty_reset();
  sqlite3 *db = open_work(m);
  snprintf(w.states[0], sizeof(w.states[0]), "empty");
  for (int i = 0; i < w.nstep; i++) {
    sqlite3_exec(db, w.steps[i], NULL, NULL, NULL);
    digest(db, w.states[i + 1], sizeof(w.states[i + 1]));
  }
  sqlite3_close(db);
  int nops = shale_faulty_op_count();
  int npts = nops < 40 ? nops : 40;
  int bad = 0;
  for (int j = 0; j < npts; j++) {
    int k = 1 + (int)((long long)j * (nops - 1) / (npts > 1 ? npts - 1 : 1));
    au_unlink_db(g_db);
    shale_faulty_reset();
    if (kind == 0) shale_faulty_fail_write(k, SQLITE_IOERR_WRITE, 0);
    else if (kind == 1) shale_faulty_fail_write(k, SQLITE_FULL, 0);
    else if (kind == 2) shale_faulty_fail_sync(k, SQLITE_IOERR_FSYNC, 0);
    else shale_faulty_short_write(k);
    db = open_work(m);
    if (db == NULL) {
      /* the fault hit the journal_mode pragma: try again, must work now */
      db = open_work(m);
    }
    (*total_points)++;
    if (db == NULL) {
      if (bad++ < 5) fprintf(stderr, "api_crash %s err%d at op %d: reopen failed\n", m->name, kind, k);
      continue;
    }
    int failures = 0;
    for (int i = 0; i < w.nstep && bad < 6; i++) {
      char *err = NULL;
      int rc = sqlite3_exec(db, w.steps[i], NULL, NULL, &err);
      if (rc == SQLITE_OK) {
        sqlite3_free(err);
        continue;
      }
      failures++;
      /* an autocommit statement that fails with an I/O error is rolled back
      ** by SQLite: the connection is in autocommit mode again */
      if (strncmp(w.steps[i], "BEGIN", 5) != 0 && !sqlite3_get_autocommit(db)) {
        if (bad++ < 5)
          fprintf(stderr, "api_crash %s err%d at op %d: autocommit step %d failed, still in a transaction\n",
                  m->name, kind, k, i);
      }
      if (!is_io_error(rc)) {
        if (bad++ < 5)
          fprintf(stderr, "api_crash %s err%d at op %d: step %d rc %d (%s), want IOERR/FULL\n", m->name,
                  kind, k, i, rc, err ? err : "");
      }
      sqlite3_free(err);
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      char dg[512];
      digest(db, dg, sizeof(dg));
      /* a sync failing after the commit point may leave the step committed */
      if (strcmp(dg, w.states[i + 1]) == 0 && strcmp(dg, w.states[i]) != 0) continue;
      if (strcmp(dg, w.states[i]) != 0) {
        if (bad++ < 5)
          fprintf(stderr, "api_crash %s err%d at op %d: after failed step %d + ROLLBACK: '%s' want '%s'\n",
                  m->name, kind, k, i, dg, w.states[i]);
      }
      /* the connection stays usable: retry the step */
      rc = sqlite3_exec(db, w.steps[i], NULL, NULL, &err);
      if (rc != SQLITE_OK) {
        if (bad++ < 5)
          fprintf(stderr, "api_crash %s err%d at op %d: retry of step %d failed: %d %s\n", m->name, kind,
                  k, i, rc, err ? err : "");
        sqlite3_free(err);
        break;
      }
    }
    sqlite3_close_v2(db);
    shale_faulty_reset();
    char dg[512];
    int found = verify(&w, "unix", dg, sizeof(dg));
    if (found != w.nstep) {
      if (bad++ < 5)
        fprintf(stderr, "api_crash %s err%d at op %d (%d failures): final state %d (%s)\n", m->name, kind,
                k, failures, found, dg);
    }
  }
  CHECK_INT(bad, 0);
  free_workload(&w);
}

/* kill -9 mid-workload: a forked child commits numbered transactions
** (each one inserts 1..3 rows and bumps meta.n) and reports each COMMIT
** that returned SQLITE_OK on a pipe; the parent kills it after a few ms,
** then the database (recovered by a new connection) must hold exactly
** the reported count, or one more (the reply lost in the kill). */
static void kill_sweep(const Mode *m, int rounds, int *kills) {
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    au_unlink_db(g_db);
    sqlite3 *db = NULL;
    char out[512], sql[256];
    sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "unix");
    snprintf(sql, sizeof(sql),
             "PRAGMA journal_mode=%s; CREATE TABLE meta(n INT); INSERT INTO meta VALUES(0);"
             "CREATE TABLE k(a INTEGER PRIMARY KEY, b TEXT, t INT); CREATE INDEX kt ON k(t);",
             m->name);
    CHECK_INT(au_query(db, sql, out, sizeof(out)), SQLITE_OK);
    sqlite3_close(db);
    int fds[2];
    if (pipe(fds) != 0) return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      sqlite3 *c = NULL;
      sqlite3_open_v2(g_db, &c, SQLITE_OPEN_READWRITE, "unix");
      snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s; PRAGMA cache_size=10;", m->name);
      au_query(c, sql, out, sizeof(out));
      for (int t = 1; t < 100000; t++) {
        char *q = sqlite3_mprintf(
            "BEGIN; INSERT INTO k(b,t) SELECT printf('%%.*c', 100+%d%%300, 'k'), %d FROM "
            "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) LIMIT %d;"
            "UPDATE meta SET n=n+1; COMMIT;",
            t, t, 1 + t % 3);
        int rc = sqlite3_exec(c, q, NULL, NULL, NULL);
        sqlite3_free(q);
        if (rc != SQLITE_OK) _exit(3);
        if (write(fds[1], &t, sizeof(t)) != (ssize_t)sizeof(t)) _exit(4);
      }
      _exit(0);
    }
    close(fds[1]);
    struct timespec ts = {0, (long)(2 + (r * 7) % 25) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    int last = 0, t;
    while (read(fds[0], &t, sizeof(t)) == (ssize_t)sizeof(t)) last = t;
    close(fds[0]);
    (*kills)++;
    /* sqlite3 first, on a copy (its own recovery), then Shale */
    char cli[512];
    au_copy_db(g_db, g_copy);
    au_cli(g_copy, "PRAGMA integrity_check; SELECT n, (SELECT count(*) FROM k) FROM meta;", cli, sizeof(cli));
    au_unlink_db(g_copy);
    const char *vfs = testlib_vfs_names[r & 1];
    sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE, vfs);
    au_query(db, "PRAGMA integrity_check; SELECT n, (SELECT count(*) FROM k) FROM meta;", out, sizeof(out));
    sqlite3_close(db);
    int n = -1, rows = -1, cn = -1, crows = -1;
    int ok = sscanf(out, "ok\n%d|%d", &n, &rows) == 2 && sscanf(cli, "ok\n%d|%d", &cn, &crows) == 2;
    int want_rows = 0;
    for (int i = 1; i <= n; i++) want_rows += 1 + i % 3;
    if (!ok || !(n == last || n == last + 1) || rows != want_rows || cn != n || crows != rows) {
      if (bad++ < 5)
        fprintf(stderr, "api_crash %s kill -9 round %d: reported %d, shale '%s', sqlite3 '%s'\n", m->name, r,
                last, out, cli);
    }
  }
  CHECK_INT(bad, 0);
}

int main(void) {
  snprintf(g_db, sizeof(g_db), "/tmp/shale_api_crash_%d.db", (int)getpid());
  snprintf(g_copy, sizeof(g_copy), "/tmp/shale_api_crash_%d_copy.db", (int)getpid());
  const char *only = getenv("API_CRASH_MODE");
  int points = 0, cli = 0, epoints = 0, kills = 0;
  for (size_t i = 0; i < sizeof(kModes) / sizeof(kModes[0]); i++) {
    if (only && strcmp(only, kModes[i].name) != 0) continue;
    crash_sweep(&kModes[i], &points, &cli);
    kill_sweep(&kModes[i], 8, &kills);
    for (int kind = 0; kind < 4; kind++) {
      error_sweep(&kModes[i], kind, &epoints);
    }
  }
  printf("api_crash: %d power-loss points (%d also checked by sqlite3), %d I/O-error points, %d kill -9\n",
         points, cli, epoints, kills);
  shale_faulty_reset();
  au_unlink_db(g_db);
  au_unlink_db(g_copy);
  return testlib_finish("api_crash");
}
