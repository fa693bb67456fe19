/*
** api_vfs.c — user VFSes through sqlite3_vfs_register(), as SQLite programs
** write them:
**  (a) a "counting" shim that wraps the default VFS (found with
**      sqlite3_vfs_find(NULL) before registering, or the "pending" backend),
**      counting every method call, used by name in sqlite3_open_v2 and by
**      `file:x?vfs=name` URIs; the database it writes is read back by the
**      plain default VFS;
**  (b) a pure in-memory VFS (its own files, locks and a fixed clock) whose
**      xCurrentTimeInt64 — or, for an iVersion 1 VFS, xCurrentTime — drives
**      date('now');
**  (c) the registry: find/register/unregister/make-default, pNext walks,
**      unknown names ("no such vfs: x"), sqlite3_file_control's
**      SQLITE_FCNTL_FILE_POINTER giving the user's own sqlite3_file.
*/
#include "testlib.h"
#include "api_util.h"
#if defined(__has_include)
#if __has_include("shale.h")
#include "shale.h"
#endif
#endif
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------- (a) counting shim */
typedef struct Counts {
  int open, close, read, write, truncate, sync, file_size, lock, unlock, check_reserved,
      file_control, sector_size, devchar, del, access, full_pathname, current_time;
} Counts;

static Counts g_counts;
static sqlite3_vfs *g_base; /* the wrapped VFS */

typedef struct ShimFile {
  sqlite3_file base;
  sqlite3_file *real; /* g_base->szOsFile bytes after this struct */
} ShimFile;

static sqlite3_file *real_of(sqlite3_file *f) { return ((ShimFile *)f)->real; }

static int shim_close(sqlite3_file *f) {
  g_counts.close++;
  return real_of(f)->pMethods->xClose(real_of(f));
}
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) {
  g_counts.read++;
  return real_of(f)->pMethods->xRead(real_of(f), b, n, o);
}
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) {
  g_counts.write++;
  return real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 s) {
  g_counts.truncate++;
  return real_of(f)->pMethods->xTruncate(real_of(f), s);
}
static int shim_sync(sqlite3_file *f, int fl) {
  g_counts.sync++;
  return real_of(f)->pMethods->xSync(real_of(f), fl);
}
static int shim_file_size(sqlite3_file *f, sqlite3_int64 *s) {
  g_counts.file_size++;
  return real_of(f)->pMethods->xFileSize(real_of(f), s);
}
static int shim_lock(sqlite3_file *f, int l) {
  g_counts.lock++;
  return real_of(f)->pMethods->xLock(real_of(f), l);
}
static int shim_unlock(sqlite3_file *f, int l) {
  g_counts.unlock++;
  return real_of(f)->pMethods->xUnlock(real_of(f), l);
}
static int shim_check_reserved(sqlite3_file *f, int *o) {
  g_counts.check_reserved++;
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), o);
}
static int shim_file_control(sqlite3_file *f, int op, void *a) {
  g_counts.file_control++;
  return real_of(f)->pMethods->xFileControl(real_of(f), op, a);
}
static int shim_sector_size(sqlite3_file *f) {
  g_counts.sector_size++;
  return real_of(f)->pMethods->xSectorSize(real_of(f));
}
static int shim_devchar(sqlite3_file *f) {
  g_counts.devchar++;
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
static int shim_shm_map(sqlite3_file *f, int r, int sz, int ext, void volatile **pp) {
  return real_of(f)->pMethods->xShmMap(real_of(f), r, sz, ext, pp);
}
static int shim_shm_lock(sqlite3_file *f, int o, int n, int fl) {
  return real_of(f)->pMethods->xShmLock(real_of(f), o, n, fl);
}
static void shim_shm_barrier(sqlite3_file *f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
static int shim_shm_unmap(sqlite3_file *f, int d) {
  return real_of(f)->pMethods->xShmUnmap(real_of(f), d);
}

static const sqlite3_io_methods shim_io_v1 = {
    1, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_file_size, shim_lock,
    shim_unlock, shim_check_reserved, shim_file_control, shim_sector_size, shim_devchar,
    NULL, NULL, NULL, NULL, NULL, NULL};
static const sqlite3_io_methods shim_io_v2 = {
    2, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_file_size, shim_lock,
    shim_unlock, shim_check_reserved, shim_file_control, shim_sector_size, shim_devchar,
    shim_shm_map, shim_shm_lock, shim_shm_barrier, shim_shm_unmap, NULL, NULL};

static int shim_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f, int flags, int *oflags) {
  (void)v;
  ShimFile *s = (ShimFile *)f;
  g_counts.open++;
  s->real = (sqlite3_file *)(s + 1);
  int rc = g_base->xOpen(g_base, name, s->real, flags, oflags);
  if (rc != SQLITE_OK) {
    s->base.pMethods = NULL;
    return rc;
  }
  s->base.pMethods = s->real->pMethods->iVersion >= 2 && s->real->pMethods->xShmMap ? &shim_io_v2
                                                                                      : &shim_io_v1;
  return SQLITE_OK;
}
static int shim_delete(sqlite3_vfs *v, const char *n, int d) {
  (void)v;
  g_counts.del++;
  return g_base->xDelete(g_base, n, d);
}
static int shim_access(sqlite3_vfs *v, const char *n, int fl, int *o) {
  (void)v;
  g_counts.access++;
  return g_base->xAccess(g_base, n, fl, o);
}
static int shim_full_pathname(sqlite3_vfs *v, const char *n, int no, char *o) {
  (void)v;
  g_counts.full_pathname++;
  return g_base->xFullPathname(g_base, n, no, o);
}
static int shim_randomness(sqlite3_vfs *v, int n, char *o) {
  (void)v;
  return g_base->xRandomness(g_base, n, o);
}
static int shim_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return g_base->xSleep(g_base, us);
}
static int shim_current_time(sqlite3_vfs *v, double *t) {
  (void)v;
  g_counts.current_time++;
  return g_base->xCurrentTime(g_base, t);
}
static int shim_current_time64(sqlite3_vfs *v, sqlite3_int64 *t) {
  (void)v;
  g_counts.current_time++;
  return g_base->xCurrentTimeInt64(g_base, t);
}

static sqlite3_vfs shim_vfs = {
    2, 0, 0, NULL, "counting", NULL, shim_open, shim_delete, shim_access, shim_full_pathname,
    NULL, NULL, NULL, NULL, shim_randomness, shim_sleep, shim_current_time, NULL,
    shim_current_time64, NULL, NULL, NULL};

static void test_counting_shim(const char *base_name) {
  char out[4096];
  char path[256];
  snprintf(path, sizeof(path), "/tmp/shale_api_vfs_%d.db", (int)getpid());
  au_unlink_db(path);
  g_base = sqlite3_vfs_find(base_name);
  CHECK(g_base != NULL);
  if (!g_base) return;
  CHECK(g_base->xOpen != NULL);
  CHECK(g_base->szOsFile > 0);
  shim_vfs.szOsFile = (int)sizeof(ShimFile) + g_base->szOsFile;
  shim_vfs.mxPathname = g_base->mxPathname;
  CHECK_INT(sqlite3_vfs_register(&shim_vfs, 0), SQLITE_OK);
  CHECK(sqlite3_vfs_find("counting") == &shim_vfs);
  CHECK(sqlite3_vfs_find(NULL) != &shim_vfs); /* not made the default */
  memset(&g_counts, 0, sizeof(g_counts));

  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "counting");
  CHECK_INT(rc, SQLITE_OK);
  CHECK_INT(au_query(db,
                     "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                     "INSERT INTO t(b) VALUES('one'),('two'),(hex(randomblob(3000)));"
                     "BEGIN; UPDATE t SET b=b||'!' WHERE a<3; ROLLBACK;"
                     "SELECT a, substr(b,1,5) FROM t ORDER BY a;",
                     out, sizeof(out)),
            SQLITE_OK);
  CHECK(strncmp(out, "1|one\n2|two\n3|", 14) == 0);
  CHECK(g_counts.open >= 2); /* db + journal */
  CHECK(g_counts.read > 0);
  CHECK(g_counts.write > 0);
  CHECK(g_counts.sync > 0);
  CHECK(g_counts.lock > 0);
  CHECK(g_counts.unlock > 0);
  CHECK(g_counts.file_size > 0);
  CHECK(g_counts.full_pathname > 0);
  CHECK(g_counts.access > 0 || g_counts.del > 0);
  /* SQLITE_FCNTL_FILE_POINTER is the user's own file object */
  sqlite3_file *fp = NULL;
  CHECK_INT(sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &fp), SQLITE_OK);
  CHECK(fp != NULL && (fp->pMethods == &shim_io_v1 || fp->pMethods == &shim_io_v2));
  /* date('now') comes from the VFS clock */
  int ct = g_counts.current_time;
  CHECK_INT(au_query(db, "SELECT date('now') = date('now')", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "1");
  CHECK(g_counts.current_time > ct);
  /* WAL through the shim (shared memory forwarded) */
  CHECK_INT(au_query(db, "PRAGMA journal_mode=WAL; INSERT INTO t(b) VALUES('wal');"
                         "SELECT count(*) FROM t;", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "wal\n4");
  int closes = g_counts.close;
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
  CHECK(g_counts.close > closes);
  CHECK_INT(g_counts.open, g_counts.close); /* every file closed */

  /* read back through the plain default VFS */
  CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT count(*), max(length(b)) FROM t; PRAGMA integrity_check",
                     out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "4|6000\nok");
  CHECK_INT(au_query(db, "PRAGMA journal_mode=DELETE", out, sizeof(out)), SQLITE_OK);
  sqlite3_close(db);

  /* a URI names the VFS */
  int opens = g_counts.open;
  char uri[300];
  snprintf(uri, sizeof(uri), "file:%s?vfs=counting", path);
  CHECK_INT(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL), SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT b FROM t WHERE a=1", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "one");
  CHECK(g_counts.open > opens);
  sqlite3_close(db);

  /* make it the default: a plain open goes through it */
  CHECK_INT(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
  CHECK(sqlite3_vfs_find(NULL) == &shim_vfs);
  /* pNext walks every registered VFS, the base among them */
  int seen_base = 0, n = 0;
  for (sqlite3_vfs *v = sqlite3_vfs_find(NULL); v && n < 50; v = v->pNext, n++)
    if (v == g_base) seen_base = 1;
  CHECK(seen_base);
  CHECK(n < 50);
  opens = g_counts.open;
  CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "4");
  CHECK(g_counts.open > opens);
  sqlite3_close(db);

  CHECK_INT(sqlite3_vfs_unregister(&shim_vfs), SQLITE_OK);
  CHECK(sqlite3_vfs_find("counting") == NULL);
  CHECK(sqlite3_vfs_find(NULL) != &shim_vfs);
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "counting");
  CHECK_INT(rc, SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "no such vfs: counting");
  sqlite3_close(db);
  au_unlink_db(path);
}

/* ------------------------------------------------- (b) in-memory user VFS */
typedef struct MemBlob {
  char name[128];
  char *data;
  sqlite3_int64 size, cap;
  int used;
} MemBlob;

#define MAX_BLOBS 16
static MemBlob g_blobs[MAX_BLOBS];
static sqlite3_int64 g_fixed_jd_ms; /* the clock of the memory VFS */
static int g_mem_time_calls;

typedef struct MemFile {
  sqlite3_file base;
  MemBlob *blob;
  int delete_on_close;
} MemFile;

static MemBlob *blob_find(const char *name) {
  for (int i = 0; i < MAX_BLOBS; i++)
    if (g_blobs[i].used && strcmp(g_blobs[i].name, name) == 0) return &g_blobs[i];
  return NULL;
}
static void blob_free(MemBlob *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}

static int mem_close(sqlite3_file *f) {
  MemFile *m = (MemFile *)f;
  if (m->delete_on_close) blob_free(m->blob);
  return SQLITE_OK;
}
static int mem_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
  MemBlob *b = ((MemFile *)f)->blob;
  sqlite3_int64 have = off >= b->size ? 0 : b->size - off;
  if (have > n) have = n;
  if (have > 0) memcpy(buf, b->data + off, (size_t)have);
  if (have < n) {
    memset((char *)buf + have, 0, (size_t)(n - have));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}
static int mem_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off) {
  MemBlob *b = ((MemFile *)f)->blob;
  if (off + n > b->cap) {
    sqlite3_int64 cap = (off + n) * 2;
    char *d = realloc(b->data, (size_t)cap);
    if (!d) return SQLITE_IOERR_NOMEM;
    memset(d + b->cap, 0, (size_t)(cap - b->cap));
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + off, buf, (size_t)n);
  if (off + n > b->size) b->size = off + n;
  return SQLITE_OK;
}
static int mem_truncate(sqlite3_file *f, sqlite3_int64 size) {
  MemBlob *b = ((MemFile *)f)->blob;
  if (size < b->size) {
    memset(b->data + size, 0, (size_t)(b->size - size));
    b->size = size;
  }
  return SQLITE_OK;
}
static int mem_sync(sqlite3_file *f, int fl) {
  (void)f, (void)fl;
  return SQLITE_OK;
}
static int mem_file_size(sqlite3_file *f, sqlite3_int64 *s) {
  *s = ((MemFile *)f)->blob->size;
  return SQLITE_OK;
}
static int mem_lock(sqlite3_file *f, int l) {
  (void)f, (void)l;
  return SQLITE_OK;
}
static int mem_check_reserved(sqlite3_file *f, int *o) {
  (void)f;
  *o = 0;
  return SQLITE_OK;
}
static int mem_file_control(sqlite3_file *f, int op, void *a) {
  (void)f, (void)op, (void)a;
  return SQLITE_NOTFOUND;
}
static int mem_sector_size(sqlite3_file *f) {
  (void)f;
  return 512;
}
static int mem_devchar(sqlite3_file *f) {
  (void)f;
  return 0;
}
static const sqlite3_io_methods mem_io = {
    1, mem_close, mem_read, mem_write, mem_truncate, mem_sync, mem_file_size, mem_lock,
    mem_lock, mem_check_reserved, mem_file_control, mem_sector_size, mem_devchar,
    NULL, NULL, NULL, NULL, NULL, NULL};

static int g_temp_counter;
static int mem_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f, int flags, int *oflags) {
  (void)v;
  MemFile *m = (MemFile *)f;
  char tmp[64];
  if (name == NULL) {
    snprintf(tmp, sizeof(tmp), "temp-%d", ++g_temp_counter);
    name = tmp;
  }
  MemBlob *b = blob_find(name);
  if (b == NULL) {
    if (!(flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
    for (int i = 0; i < MAX_BLOBS && !b; i++)
      if (!g_blobs[i].used) b = &g_blobs[i];
    if (b == NULL) return SQLITE_CANTOPEN;
    b->used = 1;
    snprintf(b->name, sizeof(b->name), "%s", name);
  }
  m->blob = b;
  m->delete_on_close = (flags & SQLITE_OPEN_DELETEONCLOSE) != 0;
  m->base.pMethods = &mem_io;
  if (oflags) *oflags = flags;
  return SQLITE_OK;
}
static int mem_delete(sqlite3_vfs *v, const char *name, int d) {
  (void)v, (void)d;
  MemBlob *b = blob_find(name);
  if (b) blob_free(b);
  return SQLITE_OK;
}
static int mem_access(sqlite3_vfs *v, const char *name, int fl, int *o) {
  (void)v, (void)fl;
  MemBlob *b = blob_find(name);
  *o = b != NULL && b->size > 0;
  return SQLITE_OK;
}
static int mem_full_pathname(sqlite3_vfs *v, const char *name, int n, char *o) {
  (void)v;
  snprintf(o, (size_t)n, "%s", name);
  return SQLITE_OK;
}
static int mem_randomness(sqlite3_vfs *v, int n, char *o) {
  (void)v;
  for (int i = 0; i < n; i++) o[i] = (char)(i * 7 + 1);
  return n;
}
static int mem_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return us;
}
static int mem_current_time64(sqlite3_vfs *v, sqlite3_int64 *t) {
  (void)v;
  g_mem_time_calls++;
  *t = g_fixed_jd_ms;
  return SQLITE_OK;
}
static int mem_current_time(sqlite3_vfs *v, double *t) {
  (void)v;
  g_mem_time_calls++;
  *t = (double)g_fixed_jd_ms / 86400000.0;
  return SQLITE_OK;
}

static sqlite3_vfs mem_vfs = {
    2, (int)sizeof(MemFile), 128, NULL, "usermem", NULL, mem_open, mem_delete, mem_access,
    mem_full_pathname, NULL, NULL, NULL, NULL, mem_randomness, mem_sleep, mem_current_time,
    NULL, mem_current_time64, NULL, NULL, NULL};
/* iVersion 1: only xCurrentTime (a double) drives 'now' */
static sqlite3_vfs mem_vfs_v1 = {
    1, (int)sizeof(MemFile), 128, NULL, "usermem1", NULL, mem_open, mem_delete, mem_access,
    mem_full_pathname, NULL, NULL, NULL, NULL, mem_randomness, mem_sleep, mem_current_time,
    NULL, NULL, NULL, NULL, NULL};

static void test_memory_vfs(void) {
  char out[4096];
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_vfs_register(&mem_vfs, 0), SQLITE_OK);
  CHECK_INT(sqlite3_vfs_register(&mem_vfs_v1, 0), SQLITE_OK);
  /* 2001-02-03 04:05:06.789 UTC as a Julian day in ms */
  g_fixed_jd_ms = 210866760000000LL + 981173106789LL;

  CHECK_INT(sqlite3_open_v2("mem.db", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "usermem"),
            SQLITE_OK);
  CHECK_INT(au_query(db,
                     "CREATE TABLE t(x); BEGIN;"
                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<500)"
                     " INSERT INTO t SELECT printf('%0200d', i) FROM c; COMMIT;"
                     "CREATE INDEX tx ON t(x);"
                     "SELECT count(*), count(DISTINCT x) FROM t; PRAGMA integrity_check;",
                     out, sizeof(out)),
            SQLITE_OK);
  CHECK_STR(out, "500|500\nok");
  MemBlob *b = blob_find("mem.db");
  CHECK(b != NULL && b->size > 100000);
  CHECK(blob_find("mem.db-journal") == NULL || blob_find("mem.db-journal")->size == 0);
  g_mem_time_calls = 0;
  CHECK_INT(au_query(db, "SELECT date('now'), datetime('now'), strftime('%f','now')",
                     out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "2001-02-03|2001-02-03 04:05:06|06.789");
  /* the clock is read once per statement run, when 'now' is first needed
  ** (SQLite reads it lazily too), and not by statements that need no 'now' */
  CHECK_INT(g_mem_time_calls, 1);
  g_mem_time_calls = 0;
  CHECK_INT(au_query(db, "SELECT count(*), max(length(x)) FROM t; SELECT date('2000-01-01')",
                     out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "500|200\n2000-01-01");
  CHECK_INT(g_mem_time_calls, 0);
  /* a rollback restores through the user's journal file */
  CHECK_INT(au_query(db, "BEGIN; DELETE FROM t; ROLLBACK; SELECT count(*) FROM t",
                     out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "500");
  /* temp tables use anonymous files of the same VFS */
  CHECK_INT(au_query(db, "CREATE TEMP TABLE tt(y); INSERT INTO tt SELECT x FROM t;"
                         "SELECT count(*) FROM tt", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "500");
  CHECK_INT(sqlite3_close(db), SQLITE_OK);

  /* the same file reopened (by URI) still holds the data */
  CHECK_INT(sqlite3_open_v2("file:mem.db?vfs=usermem", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI,
                            NULL), SQLITE_OK);
  CHECK_INT(au_query(db, "SELECT count(*) FROM t", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "500");
  sqlite3_close(db);

  /* an iVersion 1 VFS: xCurrentTime */
  CHECK_INT(sqlite3_open_v2("mem1.db", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "usermem1"),
            SQLITE_OK);
  g_mem_time_calls = 0;
  CHECK_INT(au_query(db, "SELECT datetime('now')", out, sizeof(out)), SQLITE_OK);
  CHECK_STR(out, "2001-02-03 04:05:06");
  CHECK(g_mem_time_calls > 0);
  /* a missing file without CREATE */
  sqlite3 *db2 = NULL;
  CHECK_INT(sqlite3_open_v2("nope.db", &db2, SQLITE_OPEN_READWRITE, "usermem"), SQLITE_CANTOPEN);
  sqlite3_close(db2);
  sqlite3_close(db);

  CHECK_INT(sqlite3_vfs_unregister(&mem_vfs), SQLITE_OK);
  CHECK_INT(sqlite3_vfs_unregister(&mem_vfs_v1), SQLITE_OK);
  CHECK(sqlite3_vfs_find("usermem") == NULL);
  for (int i = 0; i < MAX_BLOBS; i++)
    if (g_blobs[i].used) blob_free(&g_blobs[i]);
}

/* ---------------------------------------------------------- (c) registry */
static void test_registry(void) {
  sqlite3_vfs *dflt = sqlite3_vfs_find(NULL);
  CHECK(dflt != NULL);
  CHECK_STR(dflt->zName, "unix");
  CHECK(sqlite3_vfs_find("unix") == dflt);
  CHECK(sqlite3_vfs_find("no-such-vfs") == NULL);
  /* re-registering a built-in as the default is allowed */
  CHECK_INT(sqlite3_vfs_register(dflt, 1), SQLITE_OK);
  CHECK(sqlite3_vfs_find(NULL) == dflt);
  /* the native descriptor's clock */
  sqlite3_int64 t = 0;
  double d = 0;
  CHECK_INT(dflt->xCurrentTimeInt64(dflt, &t), SQLITE_OK);
  CHECK_INT(dflt->xCurrentTime(dflt, &d), SQLITE_OK);
  CHECK(t > 210866760000000LL + 1600000000000LL);
  CHECK(d > 2459000.0 && d < 2600000.0);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, "bogus"), SQLITE_ERROR);
  CHECK_STR(sqlite3_errmsg(db), "no such vfs: bogus");
  sqlite3_close(db);
}

/* linked with the system libsqlite3 (make api-oracle) only "unix" exists */
#ifdef SHALE_H
#define N_VFS 2
#else
#define N_VFS 1
#endif

int main(void) {
  test_registry();
  for (int i = 0; i < N_VFS; i++) test_counting_shim(testlib_vfs_names[i]);
  test_memory_vfs();
  return testlib_finish("api_vfs");
}
