/*
** api_delete_loop.c — DELETE statements run while a SELECT on the same
** table is mid-step on the same connection: the reader must go on from
** where it stands, never seeing deleted rows and never losing one that is
** still there, whether the DELETE walks the table (one pass through its own
** write cursor), an index, or the rowid, and whether it deletes rows ahead
** of the reader, behind it, or the very row it sits on.
** Runs on "unix" and "pending" (file database).  The expected transcript is
** what this same program prints when linked with the system libsqlite3
** (make api-oracle; that build runs the "unix" pass only).
*/
#include "testlib.h"
#include "api_util.h"
#if defined(__has_include)
#if __has_include("shale.h")
#include "shale.h"
#endif
#endif
#include <stdarg.h>

typedef struct Buf {
  char z[16384];
  size_t n;
} Buf;

static void out(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(b->z + b->n, sizeof(b->z) - b->n, fmt, ap);
  va_end(ap);
  if (w > 0) b->n += (size_t)w;
  if (b->n >= sizeof(b->z)) b->n = sizeof(b->z) - 1;
}

static void ex(Buf *b, sqlite3 *db, const char *sql) {
  char *e = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
  if (rc) out(b, "exec rc=%d %s\n", rc, e ? e : "");
  sqlite3_free(e);
}

/* Run del (one integer parameter) and report its changes(). */
static void del(Buf *b, sqlite3 *db, sqlite3_stmt *st, long long x) {
  sqlite3_bind_int64(st, 1, x);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) out(b, "delete(%lld) rc=%d %s\n", x, rc, sqlite3_errmsg(db));
  else out(b, "-%lld:%d", x, sqlite3_changes(db));
  sqlite3_reset(st);
}

static void state(Buf *b, sqlite3 *db) {
  char res[256];
  au_query(db, "SELECT count(*), total(id), total(b) FROM t; PRAGMA integrity_check", res, sizeof(res));
  for (char *p = res; *p; p++)
    if (*p == '\n') *p = ' ';
  out(b, "state %s\n", res);
}

/* Step reader to the end; after each row call the action for it. */
typedef void (*Action)(Buf *, sqlite3 *, sqlite3_stmt *del, long long id, long long b);

static void scan(Buf *b, sqlite3 *db, const char *tag, const char *sel, const char *delsql, Action act) {
  sqlite3_stmt *r = NULL, *d = NULL;
  if (sqlite3_prepare_v2(db, sel, -1, &r, NULL) || sqlite3_prepare_v2(db, delsql, -1, &d, NULL)) {
    out(b, "%s prepare: %s\n", tag, sqlite3_errmsg(db));
    sqlite3_finalize(r);
    return;
  }
  out(b, "%s:", tag);
  int rc, n = 0;
  while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
    long long id = sqlite3_column_int64(r, 0), bv = sqlite3_column_int64(r, 1);
    out(b, " %lld", id);
    act(b, db, d, id, bv);
    n++;
  }
  out(b, "\n%s end rc=%d rows=%d\n", tag, rc, n);
  sqlite3_finalize(r);
  sqlite3_finalize(d);
  state(b, db);
}

/* rowid scan, deleting the rows two ahead by rowid */
static void ahead(Buf *b, sqlite3 *db, sqlite3_stmt *d, long long id, long long bv) {
  (void)bv;
  if (id % 3 == 0) del(b, db, d, id + 2);
}
/* deleting the row the reader sits on, through a full-scan predicate */
static void self_row(Buf *b, sqlite3 *db, sqlite3_stmt *d, long long id, long long bv) {
  (void)bv;
  if (id % 4 == 1) del(b, db, d, id);
}
/* index scan of b, deleting through the same index: b values ahead, behind */
static void by_index(Buf *b, sqlite3 *db, sqlite3_stmt *d, long long id, long long bv) {
  (void)id;
  if (bv % 5 == 0) del(b, db, d, bv + 7);
  if (bv % 11 == 0) del(b, db, d, bv - 3);
}
/* a multi-row one-pass DELETE (full scan) from inside the loop */
static void many(Buf *b, sqlite3 *db, sqlite3_stmt *d, long long id, long long bv) {
  (void)bv;
  if (id % 50 == 7) del(b, db, d, id % 9);
}

static const char *expected =
    "state 300|45150.0|45150.0 ok\n"
    "ahead: 1 2 3-5:1 4 6-8:1 7 9-11:1 10 12-14:1 13 15-17:1 16 18-20:1 19 21-23:1 22 24-26:1 25 27-29:1 "
    "28 30-32:1 31 33-35:1 34 36-38:1 37 39-41:1 40 42-44:1 43 45-47:1 46 48-50:1 49 51-53:1 52 54-56:1 "
    "55 57-59:1 58 60-62:1 61 63-65:1 64 66-68:1 67 69-71:1 70 72-74:1 73 75-77:1 76 78-80:1 79 81-83:1 "
    "82 84-86:1 85 87-89:1 88 90-92:1 91 93-95:1 94 96-98:1 97 99-101:1 100\n"
    "ahead end rc=101 rows=68\n"
    "state 267|43401.0|40035.0 ok\n"
    "self: 102 103 104 105-105:1 106 107 108 109-109:1 110 111 112 113-113:1 114 115 116 117-117:1 118 "
    "119 120 121-121:1 122 123 124 125-125:1 126 127 128 129-129:1 130 131 132 133-133:1 134 135 136 "
    "137-137:1 138 139 140 141-141:1 142 143 144 145-145:1 146 147 148 149-149:1 150 151 152 153-153:1 "
    "154 155 156 157-157:1 158 159 160 161-161:1 162 163 164 165-165:1 166 167 168 169-169:1 170 171 172 "
    "173-173:1 174 175 176 177-177:1 178 179 180 181-181:1 182 183 184 185-185:1 186 187 188 189-189:1 "
    "190 191 192 193-193:1 194 195 196 197-197:1 198 199 200\n"
    "self end rc=101 rows=99\n"
    "state 243|39777.0|35979.0 ok\n"
    "index: 147 25-19:1 204 82 261-32:1 139 196 253-37:1 131 188-30:1 66 245-42:1 123 180 58 237-47:1 "
    "115 172 229-52:1 107 164 42 221-57:1 99 156 34 213-62:1-52:0 91 148 205-67:1 140 18 75-63:1 132 10 "
    "67 246 124 2 238-74:1 116 295 51 230 108 287 43 222 100-85:0 279 214 271 27 206 84 263-96:1 19 198 "
    "76 255 190 247 3 182 60 239 296 174 52 231 288-118:1 166 223 280 158 36 215 93-137:1 272 150-129:1 "
    "28 207 85-142:1 264 199 256 12-140:0 191 69-152:1 248 126 4 183 61-157:1 240 297 175-151:1 232 289 "
    "167 45-167:1 224 102 281 159 37-172:0-162:1 216 273 151 208 265 143 21-182:1 200-173:1 78 257 135 "
    "13-187:0 192 249 127 184 241 119 298-197:1 176 54 233 111 290-202:0 168 225-195:1 103 282-207:1 160 "
    "217 274-212:1 152 209 87-206:1 266-217:0 144 201 79 258-222:1 136 250-227:1-217:0 128 63 242-232:1 "
    "120 55 234-237:1 112-228:0 226-242:1 104 39 218-247:1 96 31 210-252:1 88 202-257:1 15 194-262:1 72 "
    "7 186-267:1 64 300-261:1 178-272:1 292 170-277:1 48 284 162-282:1-272:0 40 97 276 154-287:1 268 "
    "146-292:1 24-283:0 81 260 138-297:1 16 73 252 130-302:0 244 122-307:0\n"
    "index end rc=101 rows=192\n"
    "state 197|31814.0|28201.0 ok\n"
    "many: 179 57-3:28 236 114 293 171 49 106 285 163 220 277 155 33 212 269 25 204 82 261 139 196 131 "
    "188 245 123 180 58 115 172 229 107-8:0 164 42 221 99 34 213 91 148 205 18 132 10 67 124 238 116 295 "
    "51 230 108 287 43 222 100 279 214 271 206 263 19 198 76 190 247 182 60 239 296 231 288 166 223 280 "
    "158 36 272 150 28 207-0:25 85 199 256 191 69 248 4 61 175 232 289 167 224 281 159 37 151 208 143 "
    "200 78 257-5:0 13 249 127 184 241 119 298 176 233 168 103 160 217 274 209 87 266 79 258 136 250 128 "
    "242 55 112 226 104 218 96 31 88 202 15 194 7-7:0 186 178 292 170 284 40 97 276 154 268 146 24 260 "
    "16 73 130 244 122\n"
    "many end rc=101 rows=156\n"
    "state 144|23648.0|20437.0 ok\n";

static void run(const char *vfs) {
  char path[256];
  snprintf(path, sizeof(path), "/tmp/shale_api_delete_loop_%d.db", (int)getpid());
  au_unlink_db(path);
  Buf b = {{0}, 0};
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  CHECK_INT(rc, SQLITE_OK);
  if (rc) {
    sqlite3_close(db);
    return;
  }
  ex(&b, db, "PRAGMA cache_size=10");
  ex(&b, db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INT, b INT, c TEXT);"
             "CREATE INDEX t_b ON t(b); CREATE INDEX t_a ON t(a, c);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<300)"
             " INSERT INTO t SELECT i, i % 9, (i * 37) % 301, printf('%0*d', 200 + i % 700, i) FROM n");
  state(&b, db);
  scan(&b, db, "ahead", "SELECT id, b FROM t WHERE id <= 100", "DELETE FROM t WHERE id = ?", ahead);
  scan(&b, db, "self", "SELECT id, b FROM t WHERE id > 100 AND id <= 200", "DELETE FROM t WHERE id + 0 = ?",
       self_row);
  scan(&b, db, "index", "SELECT id, b FROM t WHERE b > 20 ORDER BY b", "DELETE FROM t WHERE b = ?", by_index);
  ex(&b, db, "BEGIN");
  scan(&b, db, "many", "SELECT id, b FROM t", "DELETE FROM t WHERE a = ? AND id % 3 = 0", many);
  ex(&b, db, "COMMIT");
  sqlite3_close(db);
  CHECK_STR(b.z, expected);
  if (strcmp(b.z, expected) != 0) fprintf(stderr, "--- %s got:\n%s", vfs, b.z);
  au_unlink_db(path);
}

/* linked with the system libsqlite3 (make api-oracle) only "unix" exists */
#ifdef SHALE_H
#define N_VFS 2
#else
#define N_VFS 1
#endif

int main(void) {
  for (int i = 0; i < N_VFS; i++) run(testlib_vfs_names[i]);
  return testlib_finish("api_delete_loop");
}
