#include "vtab.h"
const sqlite3_module pragma_vtab_module = {0};
const void *pragma_vtab_find(const char *name) { (void)name; return NULL; }
