/* config.c — library-wide calls: versions, initialize/shutdown, config and
** status.  The engine keeps no global configuration: sqlite3_config accepts
** SQLite's options and reports success for those that make sense here. */
#include <stdarg.h>
#include <time.h>
#include "api_internal.h"

const char sqlite3_version[] = SQLITE_VERSION;
const char *sqlite3_libversion(void) { return SQLITE_VERSION; }
const char *sqlite3_sourceid(void) { return SQLITE_SOURCE_ID; }
int sqlite3_libversion_number(void) { return SQLITE_VERSION_NUMBER; }
int sqlite3_threadsafe(void) { return 1; }

int sqlite3_initialize(void) { return SQLITE_OK; }
int sqlite3_shutdown(void) { return SQLITE_OK; }

int sqlite3_config(int op, ...) {
  switch (op) {
    case SQLITE_CONFIG_SINGLETHREAD:
    case SQLITE_CONFIG_MULTITHREAD:
    case SQLITE_CONFIG_SERIALIZED:
    case SQLITE_CONFIG_MEMSTATUS:
    case SQLITE_CONFIG_URI:
    case SQLITE_CONFIG_LOG:
      return SQLITE_OK;
    default:
      return SQLITE_ERROR;
  }
}

int sqlite3_db_config(sqlite3 *db, int op, ...) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  va_list ap;
  va_start(ap, op);
  int rc = SQLITE_OK;
  static const struct {
    int op;
    u32 flag;
  } flag_ops[] = {
      {SQLITE_DBCONFIG_ENABLE_FKEY, SQLITE_ForeignKeys},
      {SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_EnableTrigger},
      {SQLITE_DBCONFIG_ENABLE_VIEW, SQLITE_EnableView},
      {SQLITE_DBCONFIG_DQS_DML, SQLITE_DqsDML},
      {SQLITE_DBCONFIG_DQS_DDL, SQLITE_DqsDDL},
      {SQLITE_DBCONFIG_WRITABLE_SCHEMA, SQLITE_WriteSchema},
      {SQLITE_DBCONFIG_LEGACY_FILE_FORMAT, SQLITE_LegacyFileFmt},
  };
  if (op == SQLITE_DBCONFIG_MAINDBNAME) {
    (void)va_arg(ap, const char *);
  } else if (op == SQLITE_DBCONFIG_LOOKASIDE) {
    (void)va_arg(ap, void *);
    (void)va_arg(ap, int);
    (void)va_arg(ap, int);
  } else {
    int onoff = va_arg(ap, int);
    int *out = va_arg(ap, int *);
    int found = 0;
    for (size_t i = 0; i < SHALE_ARRAY_SIZE(flag_ops); i++) {
      if (flag_ops[i].op != op) continue;
      found = 1;
      if (onoff > 0) db->flags |= flag_ops[i].flag;
      else if (onoff == 0) db->flags &= ~flag_ops[i].flag;
      if (out) *out = (db->flags & flag_ops[i].flag) != 0;
    }
    if (!found && op == SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION) {
      found = 1;
      if (onoff >= 0) db->load_extension_on = onoff != 0;
      if (out) *out = db->load_extension_on;
    }
    if (!found) {
      if (op >= SQLITE_DBCONFIG_MAINDBNAME && op <= 1020) {
        if (out) *out = 0; /* accepted; not tracked */
      } else {
        rc = SQLITE_ERROR;
      }
    }
  }
  va_end(ap);
  return rc;
}

long long shale_mem_block_count(void);

int sqlite3_status64(int op, sqlite3_int64 *cur, sqlite3_int64 *hi, int reset) {
  if (cur == NULL || hi == NULL) return SQLITE_MISUSE;
  switch (op) {
    case SQLITE_STATUS_MEMORY_USED:
      *cur = sqlite3_memory_used();
      *hi = sqlite3_memory_highwater(reset);
      return SQLITE_OK;
    case SQLITE_STATUS_MALLOC_COUNT:
      *cur = *hi = shale_mem_block_count();
      return SQLITE_OK;
    default:
      *cur = *hi = 0; /* not tracked */
      return op >= 0 && op <= 9 ? SQLITE_OK : SQLITE_ERROR;
  }
}

int sqlite3_status(int op, int *cur, int *hi, int reset) {
  sqlite3_int64 c = 0, h = 0;
  int rc = sqlite3_status64(op, &c, &h, reset);
  if (rc == SQLITE_OK) {
    if (cur) *cur = (int)c;
    if (hi) *hi = (int)h;
  }
  return rc;
}

int sqlite3_db_status(sqlite3 *db, int op, int *cur, int *hi, int reset) {
  if (!api_db_ok(db) || cur == NULL || hi == NULL) return SQLITE_MISUSE;
  *cur = *hi = 0;
  if (op == SQLITE_DBSTATUS_CACHE_HIT || op == SQLITE_DBSTATUS_CACHE_MISS ||
      op == SQLITE_DBSTATUS_CACHE_WRITE) {
    for (int i = 0; i < db->n_db; i++) {
      if (!db->dbs[i].btree) continue;
      int h = 0, m = 0, w = 0;
      pager_cache_stats(btree_pager(db->dbs[i].btree), &h, &m, &w, reset);
      *cur += op == SQLITE_DBSTATUS_CACHE_HIT ? h : op == SQLITE_DBSTATUS_CACHE_MISS ? m : w;
    }
  }
  if (op == SQLITE_DBSTATUS_DEFERRED_FKS) *cur = db->n_deferred_fk > 0;
  return op >= 0 && op <= 12 ? SQLITE_OK : SQLITE_ERROR;
}

int sqlite3_sleep(int ms) {
  ShaleVfs *vfs = shale_vfs_find(NULL);
  if (vfs == NULL || vfs->sleep == NULL) return 0;
  return vfs->sleep(vfs, ms * 1000) / 1000;
}

static const char *const compile_options[] = {"ATOMIC_INTRINSICS=1", "SHALE", "THREADSAFE=1"};

int sqlite3_compileoption_used(const char *name) {
  if (name == NULL) return 0;
  if (!shale_strnicmp(name, "SQLITE_", 7)) name += 7;
  size_t n = strlen(name);
  for (size_t i = 0; i < SHALE_ARRAY_SIZE(compile_options); i++) {
    const char *o = compile_options[i];
    if (!shale_strnicmp(o, name, (int)n) && (o[n] == 0 || o[n] == '=')) return 1;
  }
  return 0;
}

const char *sqlite3_compileoption_get(int n) {
  if (n < 0 || n >= (int)SHALE_ARRAY_SIZE(compile_options)) return NULL;
  return compile_options[n];
}

sqlite3_int64 sqlite3_soft_heap_limit64(sqlite3_int64 n) {
  (void)n;
  return 0;
}
/* No heap limit is enforced (like soft_heap_limit64): reported as none. */
sqlite3_int64 sqlite3_hard_heap_limit64(sqlite3_int64 n) {
  (void)n;
  return 0;
}
int sqlite3_release_memory(int n) {
  (void)n;
  return 0;
}
int sqlite3_db_cacheflush(sqlite3 *db) { return api_db_ok(db) ? SQLITE_OK : SQLITE_MISUSE; }
int sqlite3_db_release_memory(sqlite3 *db) { return api_db_ok(db) ? SQLITE_OK : SQLITE_MISUSE; }
