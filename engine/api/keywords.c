/* keywords.c — the keyword API (sqlite3_keyword_count/_name/_check). */
#include "api_internal.h"
#include "../sql/ast.h"

int sqlite3_keyword_count(void) { return sql_keyword_count(); }

int sqlite3_keyword_name(int i, const char **name, int *n) {
  const char *z = sql_keyword_at(i, n);
  if (z == NULL) return SQLITE_ERROR;
  if (name) *name = z;
  return SQLITE_OK;
}

int sqlite3_keyword_check(const char *z, int n) { return sql_is_keyword(z, n); }
