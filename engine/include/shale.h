/*
** shale.h — Shale's own C API, for what SQLite's API has no words for.
**
** The engine never blocks on I/O.  sqlite3_step() is the blocking form: it
** drives the VFS itself until the statement can go on.  shale_step_async() is
** the non-blocking form: when the statement needs I/O that is not complete it
** returns SHALE_IO with the statement intact; the host runs the VFS
** (shale_io_wait(), or in JavaScript by completing requests) and calls
** shale_step_async() again, which resumes exactly where it stopped.
*/
#ifndef SHALE_H
#define SHALE_H

#ifdef __cplusplus
extern "C" {
#endif

struct sqlite3;
struct sqlite3_stmt;

/* Result code: I/O was submitted and is outstanding; call again later.
** Distinct from every SQLite primary result code. */
#define SHALE_IO 90

/* Like sqlite3_step(), but returns SHALE_IO instead of blocking. */
int shale_step_async(struct sqlite3_stmt *);

/* Like sqlite3_prepare_v2(), but returns SHALE_IO when the schema must be
** read first and that read is outstanding.  Retry with the same arguments. */
int shale_prepare_async(struct sqlite3 *, const char *zSql, int nByte,
                        struct sqlite3_stmt **ppStmt, const char **pzTail);

/* Run the connection's VFS until at least one outstanding I/O completes.
** SHALE_IO also covers a lock wait: when a busy handler is set and a lock
** SQLite would wait for is held by another connection, the step returns
** SHALE_IO (never sleeping inside the engine); shale_io_wait() then runs
** the busy handler once (it may sleep) and the next step retries the lock,
** or gets SQLITE_BUSY if the handler gave up.  Without a busy handler the
** step returns SQLITE_BUSY at once, as sqlite3_step does.
** Returns SQLITE_OK, or an error code from the VFS. */
int shale_io_wait(struct sqlite3 *);

/* Run completions that are ready without waiting; returns how many ran. */
int shale_io_poll(struct sqlite3 *);

/* Version of Shale itself (sqlite3_libversion() reports SQLite's). */
const char *shale_version(void);

#ifdef __cplusplus
}
#endif
#endif
