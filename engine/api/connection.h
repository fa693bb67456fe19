/*
** connection.h — struct sqlite3: one database connection.  Every layer above
** the B-tree may read it; fields are grouped by the layer that owns them.
** Add fields to your own layer's group.
**
** A connection is used by one thread at a time (SQLite's "multi-thread"
** mode per connection; the API takes db->mutex around each call).
*/
#ifndef SHALE_CONNECTION_H
#define SHALE_CONNECTION_H

#include "../util/common.h"
#include "../btree/btree.h"
#include "../func/func.h"
#include "../vfs/vfs.h"

typedef struct Schema Schema; /* sql/schema.h */
typedef struct Vdbe Vdbe;

/* One attached database: 0 "main", 1 "temp", then ATTACHed ones. */
typedef struct DbSlot {
  char *name;          /* "main", "temp", or the ATTACH name */
  Btree *btree;        /* NULL for a temp database not yet opened */
  Schema *schema;      /* sql layer's; NULL until loaded */
  int schema_loaded;
  u8 safety_level;     /* PRAGMA synchronous + 1 */
} DbSlot;

/* db->flags (SQLite's names where SQLite has the flag). */
#define SQLITE_ShortColNames 0x00000040
#define SQLITE_CountRows 0x00000080       /* PRAGMA count_changes */
#define SQLITE_NullCallback 0x00000100
#define SQLITE_LegacyFileFmt 0x00000002
#define SQLITE_ForeignKeys 0x00004000
#define SQLITE_RecTriggers 0x00002000
#define SQLITE_ReverseOrder 0x00001000
#define SQLITE_CaseSensitiveLike 0x08000000 /* Shale: PRAGMA case_sensitive_like */
#define SQLITE_EnableTrigger 0x00040000
#define SQLITE_EnableView 0x80000000
#define SQLITE_DqsDML 0x40000000
#define SQLITE_DqsDDL 0x20000000
#define SQLITE_WriteSchema 0x00000001
#define SQLITE_IgnoreChecks 0x00000200

struct sqlite3 {
  /* ---- api layer ---- */
  ShaleVfs *vfs;
  void *mutex;               /* sqlite3_mutex*, recursive */
  int open_flags;
  u32 flags;                 /* SQLITE_* flags above */
  int err_code;              /* most recent error (extended) */
  int err_offset;            /* sqlite3_error_offset, -1 if none */
  char *err_msg;             /* sqlite3_malloc'd, or NULL (=> sqlite3_errstr) */
  void *err_msg16;           /* UTF-16 copy made by sqlite3_errmsg16() */
  int extended_errcodes;
  int magic;                 /* open / closed / busy, for misuse checks */
  Vdbe *stmts;               /* all prepared statements (sqlite3_next_stmt) */
  i64 last_rowid;
  i64 n_change;              /* sqlite3_changes64 */
  i64 n_total_change;
  volatile int interrupted;  /* sqlite3_interrupt; read by the VM */
  int busy_timeout_ms;
  int (*busy_handler)(void *, int);
  void *busy_arg;
  int (*set_busy_timeout)(sqlite3 *, int); /* sqlite3_busy_timeout, for PRAGMA
                             ** busy_timeout (the sql layer may not call api) */
  int (*progress)(void *);
  void *progress_arg;
  int progress_ops;
  int limits[12];            /* SQLITE_LIMIT_* */
  int (*commit_hook)(void *);
  void *commit_arg;
  void (*rollback_hook)(void *);
  void *rollback_arg;
  void (*update_hook)(void *, int, const char *, const char *, sqlite3_int64);
  void *update_arg;
  int (*trace)(unsigned, void *, void *, void *);
  unsigned trace_mask;
  void *trace_arg;
  void (*legacy_trace)(void *, const char *);                  /* sqlite3_trace */
  void *legacy_trace_arg;
  void (*legacy_profile)(void *, const char *, sqlite3_uint64); /* sqlite3_profile */
  void *legacy_profile_arg;
  int (*authorizer)(void *, int, const char *, const char *, const char *, const char *);
  /* sqlite3_collation_needed(16): asked for a collation the code needs */
  void (*coll_needed)(void *, sqlite3 *, int, const char *);
  void (*coll_needed16)(void *, sqlite3 *, int, const void *);
  void *coll_needed_arg;
  int load_extension_on;     /* sqlite3_enable_load_extension (loading always fails) */
  void *auth_arg;
  int (*wal_hook)(void *, sqlite3 *, const char *, int); /* after each WAL commit */
  void *wal_arg;
  int n_backup;              /* unfinished sqlite3_backup objects reading this db */
  int wal_autockpt;          /* SQLite's default WAL hook while wal_hook is NULL:
                             ** checkpoint at this many frames (0 = off); set by
                             ** sqlite3_wal_autocheckpoint and PRAGMA wal_autocheckpoint */

  /* ---- databases (sql + vm) ---- */
  int n_db;
  DbSlot *dbs;               /* [n_db]; dbs[0] main, dbs[1] temp */
  int autocommit;            /* 1 unless inside BEGIN ... COMMIT */
  int n_vdbe_active;         /* statements currently running */
  int n_vdbe_write;          /* ... of which writing */
  int n_savepoint;           /* SAVEPOINT stack depth */
  void *savepoints;          /* sql layer's savepoint list */
  int schema_stale;          /* set by the VM on a schema-cookie mismatch */
  /* Called by OP_ParseSchema: reload the schema of db `idb` (where: NULL =
  ** all, else a WHERE clause on sqlite_schema).  Set by the sql layer. */
  int (*schema_reload)(sqlite3 *, int idb, const char *where);
  /* Called by OP_LoadAnalysis: re-read sqlite_stat1 of db `idb` into the
  ** loaded schema's estimates.  Set by the sql layer. */
  int (*stats_reload)(sqlite3 *, int idb);
  u8 enc;                    /* text encoding of main: SQLITE_UTF8 ... */
  int n_statement;           /* vm: open statement savepoints */
  i64 n_deferred_fk;         /* vm: deferred foreign key violations */
  i64 sorter_mem_limit;      /* vm: sorter bytes in memory before spilling (0 = default) */
  int cache_size;            /* PRAGMA cache_size for new attachments */
  /* virtual tables: the sql layer's module registry (sql/vtab.c), the
  ** table whose xCreate/xConnect runs (for sqlite3_declare_vtab), and the
  ** OP_VCreate / OP_VDestroy callbacks the sql layer installs */
  void *vtab_modules;
  void *vtab_declaring;
  int (*vtab_create)(sqlite3 *, int idb, const char *name, char **err);
  int (*vtab_destroy)(sqlite3 *, int idb, const char *name, char **err);
  void **vtrans;             /* vm: VTables in the transaction (xBegin called) */
  int n_vtrans;
  u8 vtab_on_conflict;       /* vm: sqlite3_vtab_on_conflict during xUpdate */
  int temp_store;

  /* ---- func layer ---- */
  FuncRegistry funcs;
};

/* Set the connection's error state (code + printf-style message in SQLite's
** words; fmt NULL = the code's standard text).  Every layer reports errors
** to the user through these (engine/util/dberror.c). */
void db_error(sqlite3 *, int rc, const char *fmt, ...);
void db_error_clear(sqlite3 *);
/* Frees *pz_err (sqlite3_malloc'd) after copying it into the connection. */
void db_error_take(sqlite3 *, int rc, char *z_err);

#endif
