/* errors.c — reading a connection's error state. */
#include "api_internal.h"

int sqlite3_errcode(sqlite3 *db) {
  if (db == NULL) return SQLITE_NOMEM;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  return db->err_code & 0xff;
}

int sqlite3_extended_errcode(sqlite3 *db) {
  if (db == NULL) return SQLITE_NOMEM;
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  return db->err_code;
}

const char *sqlite3_errmsg(sqlite3 *db) {
  if (db == NULL) return sqlite3_errstr(SQLITE_NOMEM);
  if (!api_db_ok(db)) return sqlite3_errstr(SQLITE_MISUSE);
  if (db->err_msg) return db->err_msg;
  return sqlite3_errstr(db->err_code);
}

/* UTF-16 (native byte order) copy of the message, kept until the next call. */
const void *sqlite3_errmsg16(sqlite3 *db) {
  static const unsigned short nomem[] = {'o', 'u', 't', ' ', 'o', 'f', ' ', 'm',
                                         'e', 'm', 'o', 'r', 'y', 0};
  if (db == NULL || !api_db_ok(db)) return nomem;
  const unsigned char *z = (const unsigned char *)sqlite3_errmsg(db);
  size_t n = strlen((const char *)z);
  unsigned short *w = sqlite3_malloc64((n + 1) * 2 * 2);
  if (w == NULL) return nomem;
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    unsigned c = z[i++];
    if (c >= 0xf0 && i + 2 < n + 1) c = ((c & 7) << 18) | ((z[i] & 0x3fu) << 12) | ((z[i + 1] & 0x3fu) << 6) | (z[i + 2] & 0x3fu), i += 3;
    else if (c >= 0xe0 && i + 1 < n + 1) c = ((c & 15) << 12) | ((z[i] & 0x3fu) << 6) | (z[i + 1] & 0x3fu), i += 2;
    else if (c >= 0xc0 && i < n + 1) c = ((c & 31) << 6) | (z[i] & 0x3fu), i += 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      w[k++] = (unsigned short)(0xd800 + (c >> 10));
      w[k++] = (unsigned short)(0xdc00 + (c & 0x3ff));
    } else {
      w[k++] = (unsigned short)c;
    }
  }
  w[k] = 0;
  sqlite3_free(db->err_msg16); /* lives until the error state changes */
  db->err_msg16 = w;
  return w;
}

int sqlite3_error_offset(sqlite3 *db) {
  if (!api_db_ok(db) || db->err_code == SQLITE_OK) return -1;
  return db->err_offset;
}

int sqlite3_extended_result_codes(sqlite3 *db, int onoff) {
  if (!api_db_ok(db)) return SQLITE_MISUSE;
  db->extended_errcodes = onoff != 0;
  return SQLITE_OK;
}
