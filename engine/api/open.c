/* open.c — opening and closing connections. */
#include <stdlib.h>
#include "api_internal.h"
#include "../sql/codegen.h"
#include "../sql/vtab.h"

int api_db_ok(sqlite3 *db) { return db != NULL && db->magic == DB_MAGIC_OPEN; }

int api_result(sqlite3 *db, int rc) {
  if (db && !db->extended_errcodes) return rc & 0xff;
  return rc;
}

static const int default_limits[12] = {
    1000000000, /* LENGTH */
    1000000000, /* SQL_LENGTH */
    2000,       /* COLUMN */
    1000,       /* EXPR_DEPTH */
    500,        /* COMPOUND_SELECT */
    250000000,  /* VDBE_OP */
    127,        /* FUNCTION_ARG */
    10,         /* ATTACHED */
    50000,      /* LIKE_PATTERN_LENGTH */
    32766,      /* VARIABLE_NUMBER */
    1000,       /* TRIGGER_DEPTH */
    0,          /* WORKER_THREADS */
};

/* Parse "file:" URIs (when allowed): path, and the mode/vfs parameters. */
static int parse_uri(const char *uri, int *flags, char **path, char **vfs_name, char **err) {
  const char *p = uri + 5;
  if (p[0] == '/' && p[1] == '/') { /* authority: only empty or localhost */
    p += 2;
    if (strncmp(p, "localhost", 9) == 0) p += 9;
    if (*p != '/' && *p != 0) {
      *err = sqlite3_mprintf("invalid uri authority: %.*s", (int)strcspn(p, "/?#"), p);
      return SQLITE_ERROR;
    }
  }
  size_t n = strcspn(p, "?#");
  char *out = sqlite3_malloc64(n + 1);
  if (!out) return SQLITE_NOMEM;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) { /* %HH decoding */
    if (p[i] == '%' && i + 2 < n + 1 && p[i + 1] && p[i + 2]) {
      char hx[3] = {p[i + 1], p[i + 2], 0};
      out[k++] = (char)strtol(hx, NULL, 16);
      i += 2;
    } else {
      out[k++] = p[i];
    }
  }
  out[k] = 0;
  *path = out;
  if (p[n] == '?') {
    const char *q = p + n + 1;
    while (*q && *q != '#') {
      size_t len = strcspn(q, "&#");
      const char *eq = memchr(q, '=', len);
      if (eq) {
        size_t kl = (size_t)(eq - q), vl = len - kl - 1;
        const char *v = eq + 1;
        if (kl == 4 && !strncmp(q, "mode", 4)) {
          int m = 0;
          if (vl == 2 && !strncmp(v, "ro", 2)) m = SQLITE_OPEN_READONLY;
          else if (vl == 2 && !strncmp(v, "rw", 2)) m = SQLITE_OPEN_READWRITE;
          else if (vl == 3 && !strncmp(v, "rwc", 3)) m = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
          else if (vl == 6 && !strncmp(v, "memory", 6)) m = -1;
          else {
            *err = sqlite3_mprintf("no such access mode: %.*s", (int)vl, v);
            return SQLITE_ERROR;
          }
          if (m == -1) {
            *flags |= SQLITE_OPEN_MEMORY;
          } else {
            *flags &= ~(SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            *flags |= m;
          }
        } else if (kl == 3 && !strncmp(q, "vfs", 3)) {
          sqlite3_free(*vfs_name);
          *vfs_name = shale_strndup(v, (int)vl);
        }
      }
      q += len;
      if (*q == '&') q++;
    }
  }
  return SQLITE_OK;
}

static int open_connection(const char *filename, sqlite3 **out, int flags, const char *zVfs) {
  if (out == NULL) return SQLITE_MISUSE;
  *out = NULL;
  sqlite3_initialize();
  sqlite3 *db = shale_malloc_zero(sizeof(*db));
  if (db == NULL) return SQLITE_NOMEM;
  db->mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_RECURSIVE);
  db->err_offset = -1;
  memcpy(db->limits, default_limits, sizeof(default_limits));
  db->flags = SQLITE_ShortColNames | SQLITE_EnableTrigger | SQLITE_EnableView |
              SQLITE_DqsDML | SQLITE_DqsDDL;
  db->autocommit = 1;
  db->enc = SQLITE_UTF8;
  db->cache_size = -2000;
  db->schema_reload = schema_reload_callback;
  db->stats_reload = schema_stats_reload_callback;
  db->magic = DB_MAGIC_OPEN;
  db->open_flags = flags;
  *out = db;

  if (!(flags & (SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE))) {
    db_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
    return SQLITE_MISUSE;
  }
  char *path = NULL, *vfs_name = NULL, *err = NULL;
  if (filename == NULL) filename = "";
  int rc = SQLITE_OK;
  if (strncmp(filename, "file:", 5) == 0 && (flags & SQLITE_OPEN_URI)) {
    rc = parse_uri(filename, &flags, &path, &vfs_name, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(path);
      sqlite3_free(vfs_name);
      db_error_take(db, rc, err);
      return rc;
    }
    db->open_flags = flags;
  } else {
    path = shale_strdup(filename);
  }
  const char *use_vfs = vfs_name ? vfs_name : zVfs;
  db->vfs = shale_vfs_find(use_vfs);
  if (db->vfs == NULL) {
    db_error(db, SQLITE_ERROR, "no such vfs: %s", use_vfs);
    sqlite3_free(path);
    sqlite3_free(vfs_name);
    return SQLITE_ERROR;
  }
  sqlite3_free(vfs_name);
  if (flags & SQLITE_OPEN_MEMORY) {
    sqlite3_free(path);
    path = shale_strdup(":memory:");
  }

  db->dbs = shale_malloc_zero(sizeof(DbSlot) * 2);
  if (db->dbs == NULL) {
    sqlite3_free(path);
    return SQLITE_NOMEM;
  }
  db->n_db = 2;
  db->dbs[0].name = shale_strdup("main");
  db->dbs[1].name = shale_strdup("temp");
  db->dbs[0].safety_level = 3; /* synchronous=FULL, SQLite's default */
  db->dbs[1].safety_level = 1;
  API_DRIVE(db, rc, btree_open(db->vfs, path, flags, &db->dbs[0].btree));
  sqlite3_free(path);
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_NOMEM) db_error(db, rc, NULL);
    else if (db->err_code == SQLITE_OK)
      db_error(db, rc, "%s", sqlite3_errstr(rc));
    return rc;
  }
  api_apply_busy_handler(db);
  db->set_busy_timeout = sqlite3_busy_timeout;
  sqlite3_wal_autocheckpoint(db, 1000); /* SQLite's default */
  return SQLITE_OK;
}

int sqlite3_open_v2(const char *filename, sqlite3 **ppDb, int flags, const char *zVfs) {
  int rc = open_connection(filename, ppDb, flags, zVfs);
  if (rc != SQLITE_OK && ppDb && *ppDb && rc != SQLITE_MISUSE) (*ppDb)->err_code = rc;
  return rc & 0xff;
}

int sqlite3_open(const char *filename, sqlite3 **ppDb) {
  return sqlite3_open_v2(filename, ppDb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
}

int sqlite3_open16(const void *filename, sqlite3 **ppDb) {
  if (filename == NULL) return sqlite3_open(NULL, ppDb);
  char *z = api_utf16_to_utf8(filename); /* the path, UTF-16 in the machine's order */
  if (z == NULL) return SQLITE_NOMEM;
  int rc = sqlite3_open(z, ppDb);
  sqlite3_free(z);
  return rc;
}

/* Close db for good: roll back, close every database, free everything.
** Called with db->mutex held; leaves and frees it. */
static void close_now_and_leave(sqlite3 *db) {
  for (int i = 0; i < db->n_db; i++) {
    DbSlot *slot = &db->dbs[i];
    int rc;
    if (slot->btree) {
      if (btree_txn_state(slot->btree) == 2) {
        API_DRIVE(db, rc, btree_rollback(slot->btree));
      }
      API_DRIVE(db, rc, btree_close(slot->btree));
      (void)rc;
    }
    if (slot->schema) schema_free(slot->schema);
    sqlite3_free(slot->name);
  }
  if (!db->autocommit && db->rollback_hook) db->rollback_hook(db->rollback_arg);
  sqlite3_free(db->dbs);
  vdbe_vtab_end(db, 0);     /* virtual tables still in a transaction: xRollback */
  vtab_registry_free(db);   /* after the schemas: their tables hold modules */
  func_registry_clear(db);
  if (db->trace && (db->trace_mask & SQLITE_TRACE_CLOSE))
    db->trace(SQLITE_TRACE_CLOSE, db->trace_arg, db, NULL);
  db_error_clear(db);
  db->magic = DB_MAGIC_CLOSED;
  sqlite3_mutex_leave(db->mutex);
  sqlite3_mutex_free(db->mutex);
  sqlite3_free(db);
}

/* sqlite3_close (v2 = 0): SQLITE_BUSY while statements are unfinalized.
** sqlite3_close_v2: the connection becomes a zombie instead, unusable
** except through its statements, and closes when the last one is
** finalized (api_close_zombie_and_leave). */
static int close_connection(sqlite3 *db, int v2) {
  if (db == NULL) return SQLITE_OK;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  if (db->stmts != NULL || db->n_backup > 0) {
    if (v2) {
      db->magic = DB_MAGIC_ZOMBIE;
      sqlite3_mutex_leave(db->mutex);
      return SQLITE_OK;
    }
    db_error(db, SQLITE_BUSY, "unable to close due to unfinalized statements or unfinished backups");
    sqlite3_mutex_leave(db->mutex);
    return SQLITE_BUSY;
  }
  close_now_and_leave(db);
  return SQLITE_OK;
}

void api_close_zombie_and_leave(sqlite3 *db) {
  if (db->magic == DB_MAGIC_ZOMBIE && db->stmts == NULL && db->n_backup == 0)
    close_now_and_leave(db);
  else sqlite3_mutex_leave(db->mutex);
}

int sqlite3_close(sqlite3 *db) { return close_connection(db, 0); }
int sqlite3_close_v2(sqlite3 *db) { return close_connection(db, 1); }

int shale_io_wait(sqlite3 *db) {
  if (db == NULL || db->vfs == NULL) return SQLITE_MISUSE;
  if (api_run_busy_waits(db)) return SQLITE_OK; /* a lock wait, not I/O */
  int n = db->vfs->poll ? db->vfs->poll(db->vfs, 1) : 0;
  return n < 0 ? -n : SQLITE_OK;
}

int api_wait_io(sqlite3 *db, int *idle_rounds) {
  if (api_run_busy_waits(db)) {
    *idle_rounds = 0;
    return SQLITE_OK;
  }
  int n = db->vfs && db->vfs->poll ? db->vfs->poll(db->vfs, 1) : 0;
  if (n < 0) return -n;
  if (n == 0 && ++*idle_rounds > 1000) {
    db_error(db, SQLITE_INTERNAL, "I/O reported pending but none is outstanding");
    return SQLITE_INTERNAL;
  }
  if (n > 0) *idle_rounds = 0;
  return SQLITE_OK;
}

int shale_io_poll(sqlite3 *db) {
  if (db == NULL || db->vfs == NULL || db->vfs->poll == NULL) return 0;
  int n = db->vfs->poll(db->vfs, 0);
  return n < 0 ? 0 : n;
}

const char *shale_version(void) { return "0.1.0"; }
