/* pager_random.c — randomized transactions against an in-memory model:
** page writes, sequential growth, truncation, nested savepoints (rollback /
** release), commit or rollback, tiny caches (spills), several page sizes
** and journal modes, a second connection reading between transactions.
** Runs the same seeds on "unix" and "pending"; every state is checked.
** Seed: env PAGER_RANDOM_SEED (default fixed), rounds: PAGER_RANDOM_ROUNDS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../engine/pager/pager.h"
#include "../../engine/vfs/vfs_faulty.h"

#define MAXPG 400
#define MAXSP 4

static ShaleVfs *g_vfs;
static char g_db[256];
static u32 g_ps;
static long g_pending;

#define DRIVE(rc, call)                                                        \
  do {                                                                         \
    while (((rc) = (call)) == SHALE_PENDING) g_pending++, g_vfs->poll(g_vfs, 1); \
  } while (0)

typedef struct State {
  u32 gen[MAXPG + 1];
  Pgno n;
} State;

static u64 rng;
static u32 rnd(u32 n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (u32)(rng % n);
}

static void fill(u8 *d, Pgno pg, u32 gen) {
  if (pg == 1) {
    memset(d, 0, 100);
    memcpy(d, "SQLite format 3", 16);
    put2byte(d + 16, g_ps == 65536 ? 1 : g_ps);
    d[18] = d[19] = 1;
    d[21] = 64;
    d[22] = d[23] = 32;
    put4byte(d + 60, gen);
    for (u32 i = 100; i < g_ps; i++) d[i] = (u8)(i * 3 + gen);
    return;
  }
  u32 x = pg * 2654435761u ^ gen * 40503u;
  for (u32 i = 0; i < g_ps; i += 4) {
    x = x * 1664525u + 1013904223u;
    put4byte(d + i, x);
  }
}

static int check_all(Pager *p, const State *s) {
  int rc, bad = 0;
  if (pager_page_count(p) != s->n) return 1000000 + (int)pager_page_count(p);
  static u8 want[65536];
  for (Pgno i = 1; i <= s->n; i++) {
    DbPage *pg;
    DRIVE(rc, pager_get(p, i, &pg, 0));
    if (rc) return -rc;
    fill(want, i, s->gen[i]);
    u8 *d = pager_data(pg);
    if (i == 1) {
      memcpy(want + 24, d + 24, 8);
      memcpy(want + 92, d + 92, 8);
    }
    if (memcmp(d, want, g_ps) != 0) {
      bad++;
      if (getenv("DBG")) {
        u32 found = 0xffffffff;
        static u8 t2[65536];
        for (u32 gg = 0; gg < 100 && found == 0xffffffff; gg++)
          for (u32 kk = 0; kk < 100; kk++) {
            fill(t2, i, gg * 1000 + kk);
            if (memcmp(t2, d, g_ps) == 0) { found = gg * 1000 + kk; break; }
          }
        int zero = 1;
        for (u32 z = 0; z < g_ps; z++) zero &= d[z] == 0;
        fprintf(stderr, "  page %u differs (want gen %u, has %d zero %d)\n", i, s->gen[i], (int)found, zero);
      }
    }
    pager_unref(pg);
  }
  return bad;
}

static int wpage(Pager *p, Pgno pgno, u32 gen) {
  DbPage *pg;
  int rc;
  DRIVE(rc, pager_get(p, pgno, &pg, 0));
  if (rc) return rc;
  DRIVE(rc, pager_write(pg));
  if (rc == SQLITE_OK) {
    /* like the B-tree: never touch the pager-maintained header fields */
    u8 keep[16], *d = pager_data(pg);
    memcpy(keep, d + 24, 8);
    memcpy(keep + 8, d + 92, 8);
    fill(d, pgno, gen);
    if (pgno == 1) {
      memcpy(d + 24, keep, 8);
      memcpy(d + 92, keep + 8, 8);
    }
  }
  pager_unref(pg);
  return rc;
}

static int close_pager(Pager *p) {
  int rc;
  DRIVE(rc, pager_close(p));
  return rc;
}

static void run(u64 seed, int rounds) {
  static State committed, cur, sp[MAXSP];
  int nsp = 0;
  rng = seed * 0x9E3779B97F4A7C15ULL + 1;
  static const u32 sizes[] = {512, 1024, 4096, 8192};
  g_ps = sizes[rnd(4)];
  static const int modes[] = {PAGER_JOURNALMODE_DELETE, PAGER_JOURNALMODE_TRUNCATE,
                              PAGER_JOURNALMODE_PERSIST, PAGER_JOURNALMODE_MEMORY,
                              PAGER_JOURNALMODE_WAL};
  int jmode = modes[rnd(5)];
  unlink(g_db);
  char jp[300];
  snprintf(jp, sizeof(jp), "%s-journal", g_db);
  unlink(jp);
  Pager *p = NULL, *q = NULL;
  CHECK_INT(pager_open(g_vfs, g_db, 0, 0, 8, &p), SQLITE_OK);
  CHECK_INT(pager_open(g_vfs, g_db, 0, 0, 0, &q), SQLITE_OK);
  pager_set_page_size(p, g_ps, 0);
  pager_journal_mode(p, jmode);
  /* locking_mode=EXCLUSIVE now and then (q cannot read then) */
  int excl = jmode != PAGER_JOURNALMODE_WAL && rnd(4) == 0;
  if (excl) pager_set_locking_mode(p, 1);
  memset(&committed, 0, sizeof(committed));
  int rc, fails = 0;
  if (jmode == PAGER_JOURNALMODE_WAL) {
    /* switching to WAL writes page 1 (as SQLite does): start from a
    ** committed one-page database */
    DRIVE(rc, pager_begin_read(p));
    DRIVE(rc, pager_begin_write(p, 0));
    CHECK_INT(wpage(p, 1, 0), SQLITE_OK);
    DRIVE(rc, pager_commit(p));
    CHECK_INT(rc, SQLITE_OK);
    pager_end_read(p);
    committed.n = 1;
  }
  for (int r = 0; r < rounds && fails < 3; r++) {
    pager_set_cache_size(p, 10 + (int)rnd(40));
    DRIVE(rc, pager_begin_read(p));
    CHECK_INT(rc, SQLITE_OK);
    DRIVE(rc, pager_begin_write(p, (int)rnd(2)));
    CHECK_INT(rc, SQLITE_OK);
    cur = committed;
    nsp = 0;
    u32 gen = (u32)r + 1;
    if (cur.n == 0) {
      CHECK_INT(wpage(p, 1, gen), SQLITE_OK);
      cur.gen[1] = gen;
      cur.n = 1;
    }
    int nops = 1 + (int)rnd(60);
    for (int k = 0; k < nops; k++) {
      u32 what = rnd(100);
      if (what < 60) {
        Pgno pg = 1 + rnd(cur.n);
        CHECK_INT(wpage(p, pg, gen * 1000 + (u32)k), SQLITE_OK);
        cur.gen[pg] = gen * 1000 + (u32)k;
        if (getenv("DBG") && pg == 169) fprintf(stderr, " write 169 gen %u\n", cur.gen[pg]);
      } else if (what < 80) {
        int grow = 1 + (int)rnd(20);
        for (int g = 0; g < grow && cur.n < MAXPG; g++) {
          Pgno pg = cur.n + 1;
          CHECK_INT(wpage(p, pg, gen * 1000 + (u32)k), SQLITE_OK);
          cur.gen[pg] = gen * 1000 + (u32)k;
          cur.n = pg;
          if (getenv("DBG") && pg == 169) fprintf(stderr, " grow-write 169 gen %u\n", cur.gen[pg]);
        }
      } else if (what < 84 && cur.n > 2) {
        Pgno nn = 2 + rnd(cur.n - 1);
        pager_truncate_image(p, nn);
        if (getenv("DBG")) fprintf(stderr, " truncate %u -> %u\n", cur.n, nn);
        cur.n = nn;
      } else if (what < 91 && nsp < MAXSP) {
        CHECK_INT(pager_savepoint(p, SAVEPOINT_BEGIN, nsp), SQLITE_OK);
        if (getenv("DBG")) fprintf(stderr, " sp begin %d at n %u\n", nsp, cur.n);
        sp[nsp++] = cur;
      } else if (what < 96 && nsp > 0) {
        int i = (int)rnd((u32)nsp);
        if (getenv("DBG")) fprintf(stderr, " sp rollback %d\n", i);
        DRIVE(rc, pager_savepoint(p, SAVEPOINT_ROLLBACK, i));
        CHECK_INT(rc, SQLITE_OK);
        cur = sp[i];
        nsp = i + 1;
      } else if (nsp > 0) {
        int i = (int)rnd((u32)nsp);
        CHECK_INT(pager_savepoint(p, SAVEPOINT_RELEASE, i), SQLITE_OK);
        if (getenv("DBG")) fprintf(stderr, " sp release %d\n", i);
        nsp = i;
      }
    }
    int bad = check_all(p, &cur);
    if (bad) {
      fprintf(stderr, "seed %llu round %d: in-txn state differs (%d)\n", (unsigned long long)seed, r, bad);
      fails++;
    }
    if (getenv("DBG")) fprintf(stderr, "round %d ops %d n %u\n", r, nops, cur.n);
    if (rnd(4) == 0) {
      if (getenv("DBG")) fprintf(stderr, " rollback\n");
      DRIVE(rc, pager_rollback(p));
      CHECK_INT(rc, SQLITE_OK);
    } else {
      DRIVE(rc, pager_commit(p));
      CHECK_INT(rc, SQLITE_OK);
      committed = cur;
    }
    pager_end_read(p);
    /* both connections see the committed state */
    DRIVE(rc, pager_begin_read(p));
    bad = check_all(p, &committed);
    pager_end_read(p);
    int badq = 0;
    if (!excl) {
      DRIVE(rc, pager_begin_read(q));
      badq = check_all(q, &committed);
      pager_end_read(q);
    }
    if (bad || badq) {
      fprintf(stderr, "seed %llu round %d (ps %u jmode %d): committed state differs p=%d q=%d\n",
              (unsigned long long)seed, r, g_ps, jmode, bad, badq);
      fails++;
    }
  }
  CHECK_INT(fails, 0);
  close_pager(p);
  close_pager(q);
  unlink(g_db);
  unlink(jp);
}

/* Random transactions on "faulty" with power lost at a random operation:
** after recovery the file holds the last committed state, or the state of
** the transaction whose commit was in flight. */
static int state_is(Pager *p, const State *s) { return check_all(p, s) == 0; }

static void run_crash(u64 seed) {
  static State committed, cur, attempt, sp[MAXSP];
  rng = seed * 0xD1B54A32D192ED03ULL + 7;
  static const u32 sizes[] = {512, 1024, 4096};
  g_ps = sizes[rnd(3)];
  static const int modes[] = {PAGER_JOURNALMODE_DELETE, PAGER_JOURNALMODE_TRUNCATE,
                              PAGER_JOURNALMODE_PERSIST, PAGER_JOURNALMODE_WAL};
  int jmode = modes[rnd(4)];
  char wp[300], sp2[300];
  snprintf(wp, sizeof(wp), "%s-wal", g_db);
  snprintf(sp2, sizeof(sp2), "%s-shm", g_db);
  unlink(wp);
  unlink(sp2);
  char jp[300];
  snprintf(jp, sizeof(jp), "%s-journal", g_db);
  unlink(g_db);
  unlink(jp);
  shale_faulty_reset();
  shale_faulty_power_loss_at(20 + (int)rnd(600));
  g_vfs = shale_vfs_find("faulty");
  Pager *p = NULL;
  int rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) return;
  pager_set_page_size(p, g_ps, 0);
  pager_journal_mode(p, jmode);
  pager_set_cache_size(p, 10 + (int)rnd(20));
  memset(&committed, 0, sizeof(committed));
  int in_commit = 0;
  if (jmode == PAGER_JOURNALMODE_WAL) {
    shale_faulty_power_loss_at(0);
    DRIVE(rc, pager_begin_read(p));
    DRIVE(rc, pager_begin_write(p, 0));
    CHECK_INT(wpage(p, 1, 0), SQLITE_OK);
    DRIVE(rc, pager_commit(p));
    CHECK_INT(rc, SQLITE_OK);
    pager_end_read(p);
    committed.n = 1;
    shale_faulty_power_loss_at(shale_faulty_op_count() + 20 + (int)rnd(600));
  }
  for (int r = 0; r < 200; r++) {
    int nsp = 0;
    DRIVE(rc, pager_begin_read(p));
    if (rc) break;
    DRIVE(rc, pager_begin_write(p, 0));
    if (rc) break;
    cur = committed;
    u32 gen = (u32)r + 1;
    if (cur.n == 0) {
      if ((rc = wpage(p, 1, gen)) != 0) break;
      cur.gen[1] = gen;
      cur.n = 1;
    }
    int nops = 1 + (int)rnd(40);
    for (int k = 0; k < nops && rc == 0; k++) {
      u32 what = rnd(100);
      if (what < 60) {
        Pgno pg = 1 + rnd(cur.n);
        rc = wpage(p, pg, gen * 1000 + (u32)k);
        cur.gen[pg] = gen * 1000 + (u32)k;
      } else if (what < 85) {
        int grow = 1 + (int)rnd(15);
        for (int g = 0; g < grow && cur.n < MAXPG && rc == 0; g++) {
          Pgno pg = cur.n + 1;
          rc = wpage(p, pg, gen * 1000 + (u32)k);
          cur.gen[pg] = gen * 1000 + (u32)k;
          cur.n = pg;
        }
      } else if (what < 88 && cur.n > 2) {
        Pgno nn = 2 + rnd(cur.n - 1);
        pager_truncate_image(p, nn);
        cur.n = nn;
      } else if (what < 94 && nsp < MAXSP) {
        rc = pager_savepoint(p, SAVEPOINT_BEGIN, nsp);
        sp[nsp++] = cur;
      } else if (nsp > 0) {
        int i = (int)rnd((u32)nsp);
        DRIVE(rc, pager_savepoint(p, SAVEPOINT_ROLLBACK, i));
        cur = sp[i];
        nsp = i + 1;
      }
    }
    if (rc) break;
    if (rnd(5) == 0) {
      if (getenv("DBG")) fprintf(stderr, "crash run round %d: rollback\n", r);
      DRIVE(rc, pager_rollback(p));
      if (rc) break;
    } else {
      if (getenv("DBG")) fprintf(stderr, "crash run round %d: commit n %u\n", r, cur.n);
      attempt = cur;
      in_commit = 1;
      DRIVE(rc, pager_commit(p));
      if (rc) break;
      in_commit = 0;
      committed = cur;
    }
    pager_end_read(p);
  }
  int crashed = shale_faulty_crashed();
  if (getenv("DBG")) fprintf(stderr, "crash run: stopped with rc %d at op count %d\n", rc, shale_faulty_op_count());
  DRIVE(rc, pager_rollback(p));
  pager_end_read(p);
  close_pager(p);
  int rmode = (int)rnd(2);
  shale_faulty_power_restore(rmode, (u32)seed);
  if (getenv("DBG")) fprintf(stderr, "restore mode %d\n", rmode);
  if (getenv("DBG_STOP") && seed == strtoull(getenv("DBG_STOP"), NULL, 0)) exit(3);
  g_vfs = shale_vfs_find(rnd(2) ? "pending" : "unix");
  rc = pager_open(g_vfs, g_db, 0, 0, 0, &p);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) return;
  DRIVE(rc, pager_begin_read(p));
  CHECK_INT(rc, SQLITE_OK);
  int ok = state_is(p, &committed) || (in_commit && state_is(p, &attempt));
  if (!ok)
    fprintf(stderr, "crash seed %llu (ps %u jmode %d, crashed %d, in_commit %d): state lost (%d; n %u, committed n %u)\n",
            (unsigned long long)seed, g_ps, jmode, crashed, in_commit, check_all(p, &committed),
            pager_page_count(p), committed.n);
  CHECK(ok);
  pager_end_read(p);
  close_pager(p);
  shale_faulty_reset();
  unlink(g_db);
  unlink(jp);
  unlink(wp);
  unlink(sp2);
}

int main(void) {
  const char *z = getenv("PAGER_RANDOM_SEED");
  const char *zr = getenv("PAGER_RANDOM_ROUNDS");
  u64 seed0 = z ? strtoull(z, NULL, 0) : 1;
  int rounds = zr ? atoi(zr) : 25;
  int nseeds = z ? 1 : 6;
  for (int v = 0; v < 2; v++) {
    g_vfs = shale_vfs_find(testlib_vfs_names[v]);
    snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_random_%d_%s.db", (int)getpid(),
             testlib_vfs_names[v]);
    g_pending = 0;
    for (int s = 0; s < nseeds; s++) run(seed0 + (u64)s, rounds);
    if (v == 1) CHECK(g_pending > 0);
  }
  snprintf(g_db, sizeof(g_db), "/tmp/shale_pager_random_%d_crash.db", (int)getpid());
  int ncrash = z ? 1 : 12;
  for (int b = 0; b < 2; b++) {
    shale_faulty_set_base(testlib_vfs_names[b]);
    for (int s = 0; s < ncrash; s++) run_crash(seed0 + (u64)s + 1000u * (u64)b);
  }
  shale_faulty_set_base(NULL);
  return testlib_finish("pager_random");
}
