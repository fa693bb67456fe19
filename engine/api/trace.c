/*
** trace.c — the statement events of sqlite3_trace_v2 (STMT when a run
** starts, ROW for each row, PROFILE when it ends, with the time taken) and
** the legacy sqlite3_trace / sqlite3_profile callbacks built on them.
** CLOSE is sent by open.c.  Times come from the VFS clock (milliseconds,
** reported in nanoseconds as SQLite does).
*/
#include "api_internal.h"
#include "../vm/vdbe_int.h"

static i64 clock_ms(sqlite3 *db) {
  i64 t = 0;
  if (db->vfs && db->vfs->current_time_ms) db->vfs->current_time_ms(db->vfs, &t);
  return t > 0 ? t : 1; /* 0 means "not timing" */
}

void api_trace_start(Vdbe *v) {
  sqlite3 *db = v->db;
  if (db->trace && (db->trace_mask & SQLITE_TRACE_STMT)) {
    db->trace(SQLITE_TRACE_STMT, db->trace_arg, v, (void *)(v->sql ? v->sql : ""));
  } else if (db->legacy_trace) {
    char *z = sqlite3_expanded_sql((sqlite3_stmt *)v);
    db->legacy_trace(db->legacy_trace_arg, z ? z : (v->sql ? v->sql : ""));
    sqlite3_free(z);
  }
  if ((db->trace && (db->trace_mask & SQLITE_TRACE_PROFILE)) || db->legacy_profile)
    v->trace_start_ms = clock_ms(db);
}

void api_trace_row(Vdbe *v) {
  sqlite3 *db = v->db;
  if (db->trace && (db->trace_mask & SQLITE_TRACE_ROW)) db->trace(SQLITE_TRACE_ROW, db->trace_arg, v, NULL);
}

void api_trace_end(Vdbe *v) {
  sqlite3 *db = v->db;
  if (!v->trace_start_ms) return;
  i64 ns = (clock_ms(db) - v->trace_start_ms) * 1000000;
  v->trace_start_ms = 0;
  if (db->trace && (db->trace_mask & SQLITE_TRACE_PROFILE))
    db->trace(SQLITE_TRACE_PROFILE, db->trace_arg, v, &ns);
  if (db->legacy_profile) db->legacy_profile(db->legacy_profile_arg, v->sql ? v->sql : "", (sqlite3_uint64)ns);
}

/* How the three setters replace each other follows SQLite 3.40 as observed:
** trace_v2 replaces both legacy callbacks; sqlite3_trace replaces trace_v2
** and the profile callback; sqlite3_profile silences sqlite3_trace but runs
** alongside trace_v2. */
int sqlite3_trace_v2(sqlite3 *db, unsigned mask, int (*x)(unsigned, void *, void *, void *),
                     void *arg) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  if (x == NULL) mask = 0;
  sqlite3_mutex_enter(db->mutex);
  db->trace = x, db->trace_mask = mask, db->trace_arg = arg;
  db->legacy_trace = NULL, db->legacy_profile = NULL;
  sqlite3_mutex_leave(db->mutex);
  return SQLITE_OK;
}

void *sqlite3_trace(sqlite3 *db, void (*x)(void *, const char *), void *arg) {
  if (!api_db_ok(db)) return NULL;
  sqlite3_mutex_enter(db->mutex);
  void *old = db->legacy_trace_arg;
  db->trace = NULL, db->trace_mask = 0, db->legacy_profile = NULL;
  db->legacy_trace = x, db->legacy_trace_arg = arg;
  sqlite3_mutex_leave(db->mutex);
  return old;
}

void *sqlite3_profile(sqlite3 *db, void (*x)(void *, const char *, sqlite3_uint64), void *arg) {
  if (!api_db_ok(db)) return NULL;
  sqlite3_mutex_enter(db->mutex);
  void *old = db->legacy_profile_arg;
  db->legacy_trace = NULL;
  db->legacy_profile = x, db->legacy_profile_arg = arg;
  sqlite3_mutex_leave(db->mutex);
  return old;
}
