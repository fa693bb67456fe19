/* vm_stubs.h — weak stand-ins for API-layer symbols that lower layers
** reference, so vm_* unit tests link without engine/api. */
#ifndef VM_STUBS_H
#define VM_STUBS_H
#include "../../engine/include/sqlite3.h"
#define WEAK __attribute__((weak))
WEAK int sqlite3_limit(sqlite3 *db, int id, int v) { (void)db; (void)id; (void)v; return 1000000000; }
WEAK sqlite3_int64 sqlite3_changes64(sqlite3 *db) { (void)db; return 0; }
WEAK sqlite3_int64 sqlite3_total_changes64(sqlite3 *db) { (void)db; return 0; }
WEAK sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db) { (void)db; return 0; }
WEAK int sqlite3_compileoption_used(const char *z) { (void)z; return 0; }
WEAK const char *sqlite3_compileoption_get(int n) { (void)n; return 0; }
WEAK const char *sqlite3_sourceid(void) { return ""; }
WEAK const char *sqlite3_libversion(void) { return "3.40.1"; }
/* func/json_each.c (a virtual-table module) declares its schema through the API */
WEAK int sqlite3_declare_vtab(sqlite3 *db, const char *z) { (void)db; (void)z; return SQLITE_ERROR; }
WEAK int sqlite3_vtab_config(sqlite3 *db, int op, ...) { (void)db; (void)op; return SQLITE_OK; }
#endif
