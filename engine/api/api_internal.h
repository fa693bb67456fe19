/* api_internal.h — helpers shared by the files of the API layer. */
#ifndef SHALE_API_INTERNAL_H
#define SHALE_API_INTERNAL_H
#include "connection.h"

#define DB_MAGIC_OPEN 0x5a1e0001
#define DB_MAGIC_CLOSED 0x5a1e0dea
#define DB_MAGIC_ZOMBIE 0x5a1e0b0e /* close_v2 called, statements remain */

/* 1 if db is a usable open connection (misuse checks). */
int api_db_ok(sqlite3 *db);
/* Run the connection's VFS until `rc` is no longer SHALE_PENDING, retrying
** `again` each time: the blocking form of any non-blocking call. */
#define API_DRIVE(db, rc, call)                                                \
  do {                                                                         \
    int idle_ = 0;                                                             \
    (rc) = (call);                                                             \
    while ((rc) == SHALE_PENDING) {                                            \
      if ((rc = api_wait_io(db, &idle_)) != SQLITE_OK) break;                  \
      (rc) = (call);                                                           \
    }                                                                          \
  } while (0)
/* One round of waiting for I/O.  Counts rounds in which nothing completed;
** a call that keeps answering PENDING with no I/O outstanding is an engine
** bug, reported as SQLITE_INTERNAL instead of spinning forever. */
int api_wait_io(sqlite3 *db, int *idle_rounds);
/* Leave db->mutex; a zombie connection (sqlite3_close_v2 with statements
** open) whose last statement is gone is closed first. */
void api_close_zombie_and_leave(sqlite3 *db);
/* After a statement that ended in auto-commit mode: call the connection's
** WAL hook for each database that committed to its WAL; a hook that
** fails turns *rc (SQLITE_DONE) into SQLITE_ERROR, as in SQLite. */
void api_run_wal_hooks(sqlite3 *db, int *rc);
/* Lock waits the pagers handed back (SHALE_PENDING with a busy wait):
** run the connection's busy handler for each and report its answer.
** Returns 1 if there was any (the caller then re-executes). */
int api_run_busy_waits(sqlite3 *db);
/* Give every attached database's pager the connection's busy handler. */
void api_apply_busy_handler(sqlite3 *db);
/* Finish a public API call: the value to return to the caller (primary code
** unless extended result codes are on). */
int api_result(sqlite3 *db, int rc);

/* A NUL-terminated UTF-16 string in the machine's byte order as UTF-8
** (sqlite3_malloc'd; NULL for NULL or out of memory). */
char *api_utf16_to_utf8(const void *z16);

/* trace.c: sqlite3_trace_v2 (and legacy trace/profile) events of a run */
#define API_TRACING(db) ((db)->trace || (db)->legacy_trace || (db)->legacy_profile)
void api_trace_start(Vdbe *v); /* a run begins: STMT, and start timing */
void api_trace_row(Vdbe *v);   /* ROW */
void api_trace_end(Vdbe *v);   /* the run ended (done, error or reset): PROFILE */
#endif
