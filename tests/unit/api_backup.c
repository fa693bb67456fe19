/*
** api_backup.c — the online backup API and sqlite3_serialize /
** sqlite3_deserialize, through the public API only (the same program links
** with the system libsqlite3 and passes there: the expectations are
** SQLite's):
**   cc -Itests/unit tests/unit/api_backup.c tests/unit/testlib.c -lsqlite3
**  (a) :memory: -> file in one step, file -> :memory:, both readable by the
**      sqlite3 CLI (integrity_check);
**  (b) step by step: remaining/pagecount, the destination locked during the
**      copy and unchanged until the last step, a write to the source by
**      another connection between steps restarts the copy; finish early
**      leaves the destination as it was;
**  (b2) an empty source empties the destination;
**  (c) errors: same connection, unknown database, close with an
**      unfinished backup (SQLITE_BUSY), close_v2 then finish;
**  (d) serialize/deserialize round trip, an image written by sqlite3 (WAL
**      mode) deserialized and queried, the serialized image checked by
**      sqlite3.
** The file databases run on the default VFS ("unix"); the source also on
** "pending" when this is Shale (SHALE_BUILD).
*/
#include "testlib.h"
#include "api_util.h"
#if defined(__has_include)
#if __has_include("shale.h")
#include "shale.h"
#endif
#endif

static char g_a[256], g_b[256];

static sqlite3 *open_path(const char *path, const char *vfs) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

static const char *q(sqlite3 *db, const char *sql) {
  static char out[8192];
  au_query(db, sql, out, sizeof(out));
  return out;
}

static void fill(sqlite3 *db, int rows) {
  char sql[512];
  snprintf(sql, sizeof(sql),
           "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX tb ON t(b);"
           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d)"
           " INSERT INTO t SELECT i, printf('%%0300d', i) FROM c;",
           rows);
  CHECK_INT(au_query(db, sql, (char[64]){0}, 64), SQLITE_OK);
}

static void test_whole(const char *vfs) {
  au_unlink_db(g_a);
  sqlite3 *mem = open_path(":memory:", NULL);
  fill(mem, 300);
  sqlite3 *file = open_path(g_a, vfs);
  CHECK(file != NULL);
  if (!file) return;
  CHECK_STR(q(file, "CREATE TABLE old(x); INSERT INTO old VALUES(1); SELECT count(*) FROM old"), "1");
  sqlite3_backup *b = sqlite3_backup_init(file, "main", mem, "main");
  CHECK(b != NULL);
  CHECK_INT(sqlite3_backup_step(b, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_remaining(b), 0);
  CHECK(sqlite3_backup_pagecount(b) > 20);
  CHECK_INT(sqlite3_backup_finish(b), SQLITE_OK);
  /* the destination connection sees the new schema at once */
  CHECK_STR(q(file, "SELECT count(*), sum(a) FROM t"), "300|45150");
  CHECK_STR(q(file, "SELECT count(*) FROM sqlite_schema WHERE name='old'"), "0");
  CHECK_STR(q(file, "PRAGMA integrity_check"), "ok");
  sqlite3_close(file);
  char out[4096];
  au_cli(g_a, "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b LIKE '%299';", out, sizeof(out));
  CHECK_STR(out, "ok\n1");

  /* file -> a fresh :memory: */
  file = open_path(g_a, vfs);
  sqlite3 *mem2 = open_path(":memory:", NULL);
  b = sqlite3_backup_init(mem2, "main", file, "main");
  CHECK(b != NULL);
  CHECK_INT(sqlite3_backup_step(b, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_finish(b), SQLITE_OK);
  CHECK_STR(q(mem2, "SELECT count(*), max(b) = printf('%0300d', 300) FROM t; PRAGMA integrity_check"),
            "300|1\nok");
  /* into a different page size: an empty destination takes the source's */
  sqlite3 *mem3 = open_path(":memory:", NULL);
  CHECK_STR(q(mem3, "PRAGMA page_size=1024"), "");
  CHECK_STR(q(mem, "SELECT 1"), "1");
  b = sqlite3_backup_init(mem3, "main", mem, "main");
  CHECK_INT(sqlite3_backup_step(b, 5), SQLITE_OK);
  CHECK_INT(sqlite3_backup_step(b, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_finish(b), SQLITE_OK);
  CHECK_STR(q(mem3, "PRAGMA page_size; SELECT count(*) FROM t"), "4096\n300");
  sqlite3_close(mem3);
  sqlite3_close(mem2);
  sqlite3_close(file);
  sqlite3_close(mem);
}

static void test_incremental(const char *vfs) {
  au_unlink_db(g_a);
  au_unlink_db(g_b);
  sqlite3 *src = open_path(g_a, vfs);
  fill(src, 400);
  sqlite3 *src2 = open_path(g_a, NULL);
  sqlite3 *dst = open_path(g_b, NULL);
  sqlite3 *dst_reader = open_path(g_b, NULL);
  CHECK_STR(q(dst, "CREATE TABLE keep(x); INSERT INTO keep VALUES('before')"), "");
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
  CHECK(b != NULL);
  CHECK_INT(sqlite3_backup_step(b, 3), SQLITE_OK);
  int total = sqlite3_backup_pagecount(b);
  CHECK(total > 10);
  CHECK_INT(sqlite3_backup_remaining(b), total - 3);
  /* the destination is locked while the copy runs */
  char out[256];
  CHECK_INT(au_query(dst_reader, "SELECT x FROM keep", out, sizeof(out)), SQLITE_BUSY);
  CHECK_INT(sqlite3_backup_step(b, 3), SQLITE_OK);
  CHECK_INT(sqlite3_backup_remaining(b), total - 6);
  /* another connection writes the source: the copy starts over */
  CHECK_STR(q(src2, "INSERT INTO t VALUES(1000, 'late')"), "");
  CHECK_INT(sqlite3_backup_step(b, 2), SQLITE_OK);
  CHECK_INT(sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b) - 2);
  CHECK_INT(sqlite3_backup_step(b, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_finish(b), SQLITE_OK);
  CHECK_STR(q(dst_reader, "SELECT count(*), max(a) FROM t; PRAGMA integrity_check"), "401|1000\nok");
  CHECK_STR(q(dst, "SELECT count(*) FROM sqlite_schema WHERE name='keep'"), "0");

  /* finish before the end: the destination is unchanged */
  CHECK_STR(q(dst, "CREATE TABLE keep(x); INSERT INTO keep VALUES('again')"), "");
  CHECK_STR(q(src, "DELETE FROM t WHERE a > 100"), "");
  b = sqlite3_backup_init(dst, "main", src, "main");
  CHECK_INT(sqlite3_backup_step(b, 2), SQLITE_OK);
  CHECK_INT(sqlite3_backup_finish(b), SQLITE_OK);
  CHECK_STR(q(dst_reader, "SELECT x FROM keep; SELECT count(*) FROM t"), "again\n401");
  sqlite3_close(dst_reader);
  sqlite3_close(dst);
  sqlite3_close(src2);
  sqlite3_close(src);
}

static void test_errors(void) {
  sqlite3 *a = open_path(":memory:", NULL), *b = open_path(":memory:", NULL);
  fill(a, 10);
  CHECK(sqlite3_backup_init(a, "main", a, "main") == NULL);
  CHECK_STR(sqlite3_errmsg(a), "source and destination must be distinct");
  CHECK(sqlite3_backup_init(b, "main", a, "nope") == NULL);
  CHECK_STR(sqlite3_errmsg(b), "unknown database nope");
  CHECK(sqlite3_backup_init(b, "nope", a, "main") == NULL);
  CHECK_STR(sqlite3_errmsg(b), "unknown database nope");
  CHECK_STR(q(b, "BEGIN; CREATE TABLE x(y)"), "");
  CHECK(sqlite3_backup_init(b, "main", a, "main") == NULL);
  CHECK_STR(sqlite3_errmsg(b), "destination database is in use");
  CHECK_STR(q(b, "ROLLBACK"), "");
  sqlite3_backup *bk = sqlite3_backup_init(b, "main", a, "main");
  CHECK(bk != NULL);
  CHECK_INT(sqlite3_close(a), SQLITE_BUSY);
  CHECK_STR(sqlite3_errmsg(a), "unable to close due to unfinalized statements or unfinished backups");
  CHECK_INT(sqlite3_close_v2(a), SQLITE_OK); /* a zombie until the backup ends */
  CHECK_INT(sqlite3_backup_step(bk, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_finish(bk), SQLITE_OK);
  CHECK_STR(q(b, "SELECT count(*) FROM t"), "10");
  sqlite3_close(b);
}

/* An empty source (a file never written) makes the destination an empty,
** valid database: its old tables are gone, the cookie moved on. */
static void test_empty_source(const char *vfs) {
  au_unlink_db(g_a);
  au_unlink_db(g_b);
  sqlite3 *dst = open_path(g_a, vfs), *src = open_path(g_b, vfs);
  fill(dst, 20);
  sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
  CHECK(bk != NULL);
  CHECK_INT(sqlite3_backup_step(bk, -1), SQLITE_DONE);
  CHECK_INT(sqlite3_backup_finish(bk), SQLITE_OK);
  CHECK_STR(q(dst, "SELECT count(*) FROM sqlite_schema"), "0");
  CHECK_STR(q(dst, "PRAGMA integrity_check"), "ok");
  CHECK_STR(q(dst, "PRAGMA page_count"), "1");
  CHECK_STR(q(dst, "CREATE TABLE n(x); INSERT INTO n VALUES(7); SELECT x FROM n"), "7");
  sqlite3_close(src);
  sqlite3_close(dst);
}

static void test_serialize(void) {
  sqlite3 *a = open_path(":memory:", NULL);
  fill(a, 200);
  sqlite3_int64 n = 0;
  unsigned char *img = sqlite3_serialize(a, "main", &n, 0);
  CHECK(img != NULL);
  CHECK(n > 0 && n % 4096 == 0);
  sqlite3_int64 n_bad = 0;
  CHECK_INT(sqlite3_serialize(a, "nope", &n_bad, 0) == NULL, 1);
  /* the image is a database file sqlite3 accepts */
  au_unlink_db(g_b);
  FILE *f = fopen(g_b, "wb");
  sqlite3_int64 n2 = 0;
  unsigned char *img2 = sqlite3_serialize(a, NULL, &n2, 0);
  if (f && img2) fwrite(img2, 1, (size_t)n2, f);
  if (f) fclose(f);
  sqlite3_free(img2);
  char out[4096];
  au_cli(g_b, "PRAGMA integrity_check; SELECT count(*) FROM t;", out, sizeof(out));
  CHECK_STR(out, "ok\n200");

  /* deserialize into another connection's main */
  sqlite3 *b = open_path(":memory:", NULL);
  CHECK_INT(sqlite3_deserialize(b, "main", img, n, n, SQLITE_DESERIALIZE_FREEONCLOSE |
                                                          SQLITE_DESERIALIZE_RESIZEABLE),
            SQLITE_OK);
  CHECK_STR(q(b, "SELECT count(*) FROM t; PRAGMA integrity_check"), "200\nok");
  CHECK_STR(q(b, "INSERT INTO t(b) VALUES('new'); SELECT count(*) FROM t"), "201");
  CHECK_STR(q(a, "SELECT count(*) FROM t"), "200");
  CHECK_INT(sqlite3_deserialize(b, "temp", NULL, 0, 0, 0), SQLITE_ERROR);
  sqlite3_close(b);

  /* an image written by sqlite3 in WAL mode */
  au_unlink_db(g_b);
  au_cli(g_b, "PRAGMA journal_mode=WAL; CREATE TABLE w(x); INSERT INTO w VALUES(1),(2),(3);"
              " PRAGMA wal_checkpoint(TRUNCATE);", out, sizeof(out));
  f = fopen(g_b, "rb");
  unsigned char buf[65536];
  size_t got = f ? fread(buf, 1, sizeof(buf), f) : 0;
  if (f) fclose(f);
  CHECK(got > 0);
  buf[18] = buf[19] = 1; /* an in-memory database cannot be in WAL mode */
  unsigned char *copy = sqlite3_malloc64(got);
  memcpy(copy, buf, got);
  b = open_path(":memory:", NULL);
  CHECK_INT(sqlite3_deserialize(b, "main", copy, (sqlite3_int64)got, (sqlite3_int64)got,
                                SQLITE_DESERIALIZE_FREEONCLOSE), SQLITE_OK);
  CHECK_STR(q(b, "SELECT sum(x) FROM w"), "6");
  sqlite3_close(b);
  sqlite3_close(a);
  au_unlink_db(g_b);
}

int main(void) {
  snprintf(g_a, sizeof(g_a), "/tmp/shale_api_backup_a_%d.db", (int)getpid());
  snprintf(g_b, sizeof(g_b), "/tmp/shale_api_backup_b_%d.db", (int)getpid());
#ifdef SHALE_H
  const int n_vfs = 2;
#else
  const int n_vfs = 1; /* the system libsqlite3 has no "pending" */
#endif
  for (int i = 0; i < n_vfs; i++) {
    test_whole(testlib_vfs_names[i]);
    test_incremental(testlib_vfs_names[i]);
    test_empty_source(testlib_vfs_names[i]);
  }
  test_errors();
  test_serialize();
  au_unlink_db(g_a);
  au_unlink_db(g_b);
  return testlib_finish("api_backup");
}
