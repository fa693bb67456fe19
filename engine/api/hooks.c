/* hooks.c — per-connection settings, callbacks and counters. */
#include "api_internal.h"

void *sqlite3_commit_hook(sqlite3 *db, int (*x)(void *), void *arg) {
  if (!api_db_ok(db)) return NULL;
  void *old = db->commit_arg;
  db->commit_hook = x, db->commit_arg = arg;
  return old;
}

void *sqlite3_rollback_hook(sqlite3 *db, void (*x)(void *), void *arg) {
  if (!api_db_ok(db)) return NULL;
  void *old = db->rollback_arg;
  db->rollback_hook = x, db->rollback_arg = arg;
  return old;
}

void *sqlite3_update_hook(sqlite3 *db,
                          void (*x)(void *, int, char const *, char const *, sqlite3_int64),
                          void *arg) {
  if (!api_db_ok(db)) return NULL;
  void *old = db->update_arg;
  db->update_hook = x, db->update_arg = arg;
  return old;
}

void *sqlite3_wal_hook(sqlite3 *db, int (*x)(void *, sqlite3 *, const char *, int), void *arg) {
  if (!api_db_ok(db)) return NULL;
  void *old = db->wal_arg;
  db->wal_hook = x, db->wal_arg = arg;
  return old;
}

int sqlite3_set_authorizer(sqlite3 *db,
                           int (*x)(void *, int, const char *, const char *, const char *,
                                    const char *),
                           void *arg) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  db->authorizer = x, db->auth_arg = arg;
  return SQLITE_OK;
}

/* The busy-timeout handler: sleep with SQLite's back-off until the total
** timeout has elapsed. */
static int timeout_handler(void *arg, int count) {
  static const unsigned char delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  sqlite3 *db = arg;
  int timeout = db->busy_timeout_ms, delay, prior;
  int n = (int)sizeof(delays);
  if (count < n) {
    delay = delays[count];
    prior = 0;
    for (int i = 0; i < count; i++) prior += delays[i];
  } else {
    delay = delays[n - 1];
    prior = 228 + delay * (count - (n - 1)); /* sum of the table + the rest */
  }
  if (prior + delay > timeout) {
    delay = timeout - prior;
    if (delay <= 0) return 0;
  }
  if (db->vfs && db->vfs->sleep) db->vfs->sleep(db->vfs, delay * 1000);
  return 1;
}

static int busy_dispatch(void *arg, int count) {
  sqlite3 *db = arg;
  if (db->busy_handler == NULL) return 0;
  return db->busy_handler(db->busy_arg, count);
}

void api_apply_busy_handler(sqlite3 *db) {
  for (int i = 0; i < db->n_db; i++) {
    if (!db->dbs[i].btree) continue;
    Pager *p = btree_pager(db->dbs[i].btree);
    /* busy waits come back up as SHALE_PENDING and are waited for by
    ** api_wait_io (the blocking API) or shale_io_wait (async hosts) */
    pager_set_busy_defer(p, 1);
    pager_set_busy_handler(p, db->busy_handler ? busy_dispatch : NULL, db);
    pager_set_autocheckpoint(p, 0); /* the connection's wal hook decides */
  }
}

int sqlite3_busy_handler(sqlite3 *db, int (*x)(void *, int), void *arg) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  db->busy_handler = x, db->busy_arg = arg, db->busy_timeout_ms = 0;
  api_apply_busy_handler(db);
  return SQLITE_OK;
}

int sqlite3_busy_timeout(sqlite3 *db, int ms) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  if (ms > 0) {
    sqlite3_busy_handler(db, timeout_handler, db);
    db->busy_timeout_ms = ms;
  } else {
    sqlite3_busy_handler(db, NULL, NULL);
  }
  return SQLITE_OK;
}

void sqlite3_progress_handler(sqlite3 *db, int n, int (*x)(void *), void *arg) {
  if (!api_db_ok(db)) return;
  if (n > 0 && x) db->progress = x, db->progress_ops = n, db->progress_arg = arg;
  else db->progress = NULL, db->progress_ops = 0, db->progress_arg = NULL;
}

void sqlite3_interrupt(sqlite3 *db) {
  if (db) db->interrupted = 1;
}

int sqlite3_is_interrupted(sqlite3 *db) { return db ? db->interrupted != 0 : 0; }

int sqlite3_get_autocommit(sqlite3 *db) { return api_db_ok(db) ? db->autocommit : 0; }

sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db) { return api_db_ok(db) ? db->last_rowid : 0; }

void sqlite3_set_last_insert_rowid(sqlite3 *db, sqlite3_int64 v) {
  if (api_db_ok(db)) db->last_rowid = v;
}

sqlite3_int64 sqlite3_changes64(sqlite3 *db) { return api_db_ok(db) ? db->n_change : 0; }
int sqlite3_changes(sqlite3 *db) { return (int)sqlite3_changes64(db); }
sqlite3_int64 sqlite3_total_changes64(sqlite3 *db) {
  return api_db_ok(db) ? db->n_total_change : 0;
}
int sqlite3_total_changes(sqlite3 *db) { return (int)sqlite3_total_changes64(db); }

/* Hard upper bounds for each limit (SQLite's compile-time maxima). */
static const int limit_max[12] = {1000000000, 1000000000, 32767, 1000, 500, 250000000,
                                  127, 125, 50000, 250000, 1000, 8};

int sqlite3_limit(sqlite3 *db, int id, int v) {
  if (!api_db_ok(db) || id < 0 || id >= 12) return -1;
  int old = db->limits[id];
  if (v >= 0) db->limits[id] = v > limit_max[id] ? limit_max[id] : v;
  return old;
}

const char *sqlite3_db_filename(sqlite3 *db, const char *name) {
  if (!api_db_ok(db)) return NULL;
  for (int i = 0; i < db->n_db; i++) {
    if ((name == NULL && i == 0) || (name && db->dbs[i].name && !shale_stricmp(name, db->dbs[i].name))) {
      if (db->dbs[i].btree == NULL) return "";
      Pager *p = btree_pager(db->dbs[i].btree);
      return pager_is_memory(p) ? "" : pager_filename(p);
    }
  }
  return NULL;
}

const char *sqlite3_db_name(sqlite3 *db, int n) {
  if (!api_db_ok(db) || n < 0 || n >= db->n_db) return NULL;
  return db->dbs[n].name;
}

int sqlite3_db_readonly(sqlite3 *db, const char *name) {
  if (!api_db_ok(db)) return -1;
  for (int i = 0; i < db->n_db; i++) {
    if ((name == NULL && i == 0) || (name && db->dbs[i].name && !shale_stricmp(name, db->dbs[i].name))) {
      if (db->dbs[i].btree == NULL) return 0;
      return pager_is_readonly(btree_pager(db->dbs[i].btree));
    }
  }
  return -1;
}

sqlite3_mutex *sqlite3_db_mutex(sqlite3 *db) { return api_db_ok(db) ? db->mutex : NULL; }

int sqlite3_file_control(sqlite3 *db, const char *name, int op, void *arg) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  for (int i = 0; i < db->n_db; i++) {
    if ((name == NULL && i == 0) || (name && db->dbs[i].name && !shale_stricmp(name, db->dbs[i].name))) {
      if (db->dbs[i].btree == NULL) return SQLITE_NOTFOUND;
      Pager *p = btree_pager(db->dbs[i].btree);
      ShaleFile *f = pager_file(p);
      if (op == SQLITE_FCNTL_FILE_POINTER) {
        /* a user VFS's adapter answers with the user's own sqlite3_file */
        if (f && f->methods->file_control && f->methods->file_control(f, op, arg) == SQLITE_OK)
          return SQLITE_OK;
        *(void **)arg = f;
        return SQLITE_OK;
      }
      if (f == NULL || f->methods->file_control == NULL) return SQLITE_NOTFOUND;
      return f->methods->file_control(f, op, arg);
    }
  }
  return SQLITE_ERROR;
}

int sqlite3_wal_checkpoint_v2(sqlite3 *db, const char *name, int mode, int *pnLog, int *pnCkpt) {
  if (pnLog) *pnLog = -1;
  if (pnCkpt) *pnCkpt = -1;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  if (mode < SQLITE_CHECKPOINT_PASSIVE || mode > SQLITE_CHECKPOINT_TRUNCATE) return SQLITE_MISUSE;
  sqlite3_mutex_enter(db->mutex);
  int rc = SQLITE_OK, found = 0;
  for (int i = 0; i < db->n_db; i++) {
    if (name && *name && (db->dbs[i].name == NULL || shale_stricmp(name, db->dbs[i].name))) continue;
    found = 1;
    if (db->dbs[i].btree == NULL) continue;
    Pager *p = btree_pager(db->dbs[i].btree);
    int nl = 0, nc = 0;
    API_DRIVE(db, rc, pager_checkpoint(p, mode, &nl, &nc));
    if (pnLog) *pnLog = nl;
    if (pnCkpt) *pnCkpt = nc;
    if (rc != SQLITE_OK) break;
  }
  if (!found) {
    db_error(db, SQLITE_ERROR, "unknown database: %s", name);
    rc = SQLITE_ERROR;
  }
  sqlite3_mutex_leave(db->mutex);
  return rc;
}

int sqlite3_wal_checkpoint(sqlite3 *db, const char *name) {
  return sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* SQLite's default WAL hook is represented by wal_hook == NULL with
** wal_autockpt > 0 (so PRAGMA wal_autocheckpoint, in the sql layer, can
** install it too): once the WAL holds that many frames a PASSIVE checkpoint
** is requested from the pager, run at its next read transaction, so the
** hook never blocks (an async host's step returns at once). */
int sqlite3_wal_autocheckpoint(sqlite3 *db, int n) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  db->wal_hook = NULL;
  db->wal_arg = NULL;
  db->wal_autockpt = n > 0 ? n : 0;
  return SQLITE_OK;
}

int api_run_busy_waits(sqlite3 *db) {
  int any = 0;
  for (int i = 0; i < db->n_db; i++) {
    if (!db->dbs[i].btree) continue;
    Pager *p = btree_pager(db->dbs[i].btree);
    int count;
    if (!pager_busy_waiting(p, &count)) continue;
    any = 1;
    int retry = db->busy_handler ? db->busy_handler(db->busy_arg, count) : 0;
    pager_busy_answer(p, retry);
  }
  return any;
}

void api_run_wal_hooks(sqlite3 *db, int *rc) {
  for (int i = 0; i < db->n_db; i++) {
    if (!db->dbs[i].btree) continue;
    Pager *p = btree_pager(db->dbs[i].btree);
    int n = pager_wal_callback(p);
    if (n <= 0 || *rc != SQLITE_DONE) continue;
    if (db->wal_hook) {
      if (db->wal_hook(db->wal_arg, db, db->dbs[i].name, n) != SQLITE_OK) *rc = SQLITE_ERROR;
    } else if (db->wal_autockpt > 0 && n >= db->wal_autockpt) {
      pager_checkpoint_soon(p);
    }
  }
}
