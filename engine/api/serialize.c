/*
** serialize.c — sqlite3_serialize (a database image as one malloc'd block)
** and sqlite3_deserialize (a connection's database replaced by a private
** in-memory database holding a copy of an image).
**
** Differences from SQLite, none visible to SQL: deserialize copies the
** image (SQLITE_DESERIALIZE_FREEONCLOSE frees the caller's buffer at once,
** RESIZEABLE is implied); SQLITE_SERIALIZE_NOCOPY always answers NULL (no
** database lives in one contiguous block here).  A WAL image comes back in
** rollback mode (header bytes 18/19 = 1), as an in-memory database must.
*/
#include "api_internal.h"
#include "../sql/codegen.h"

static int slot_of(sqlite3 *db, const char *name) {
  if (name == NULL || *name == 0) return 0;
  for (int i = 0; i < db->n_db; i++)
    if (db->dbs[i].name && !shale_stricmp(name, db->dbs[i].name)) return i;
  return -1;
}

unsigned char *sqlite3_serialize(sqlite3 *db, const char *schema, sqlite3_int64 *size,
                                 unsigned int flags) {
  if (size) *size = -1;
  if (!api_db_ok(db)) return NULL;
  sqlite3_mutex_enter(db->mutex);
  unsigned char *out = NULL;
  int i = slot_of(db, schema);
  Btree *bt = i < 0 ? NULL : db->dbs[i].btree;
  if (bt == NULL || (flags & SQLITE_SERIALIZE_NOCOPY)) goto done;
  int rc, had_txn = btree_txn_state(bt) != 0;
  if (!had_txn) {
    API_DRIVE(db, rc, btree_begin_trans(bt, 0, NULL));
    if (rc) goto done;
  }
  Pager *p = btree_pager(bt);
  Pgno n = pager_page_count(p);
  u32 pgsz = pager_page_size(p);
  out = sqlite3_malloc64((u64)n * pgsz + 1);
  if (out) {
    for (Pgno pg = 1; pg <= n; pg++) {
      DbPage *dp = NULL;
      API_DRIVE(db, rc, pager_get(p, pg, &dp, PAGER_GET_READONLY));
      if (rc) {
        sqlite3_free(out);
        out = NULL;
        break;
      }
      memcpy(out + (size_t)(pg - 1) * pgsz, pager_data(dp), pgsz);
      pager_unref(dp);
    }
  }
  if (out && size) *size = (sqlite3_int64)n * pgsz;
  if (!had_txn) {
    API_DRIVE(db, rc, btree_commit(bt)); /* ends the read transaction */
    (void)rc;
  }
done:
  sqlite3_mutex_leave(db->mutex);
  return out;
}

/* Open a private in-memory b-tree holding a copy of the image. */
static int load_image(sqlite3 *db, const unsigned char *data, sqlite3_int64 n, Btree **out) {
  Btree *bt = NULL;
  int rc;
  *out = NULL;
  API_DRIVE(db, rc, btree_open(db->vfs, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &bt));
  if (rc) return rc;
  u32 pgsz = 4096;
  if (n >= 100 && memcmp(data, "SQLite format 3", 16) == 0) {
    u32 ps = ((u32)data[16] << 8) | data[17];
    if (ps == 1) ps = 65536;
    if (ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0) pgsz = ps;
    rc = btree_set_page_size(bt, pgsz, data[20]);
  }
  Pgno npage = (Pgno)(n / pgsz);
  if (rc == SQLITE_OK && npage > 0) {
    Pager *p = btree_pager(bt);
    API_DRIVE(db, rc, btree_begin_trans(bt, 2, NULL));
    for (Pgno pg = 1; rc == SQLITE_OK && pg <= npage; pg++) {
      DbPage *dp = NULL;
      API_DRIVE(db, rc, pager_get(p, pg, &dp, PAGER_GET_NOCONTENT));
      if (rc == SQLITE_OK) API_DRIVE(db, rc, pager_write(dp));
      if (rc == SQLITE_OK) {
        memcpy(pager_data(dp), data + (size_t)(pg - 1) * pgsz, pgsz);
        if (pg == 1 && ((u8 *)pager_data(dp))[18] == 2) memset((u8 *)pager_data(dp) + 18, 1, 2);
      }
      if (dp) pager_unref(dp);
    }
    if (rc == SQLITE_OK) {
      btree_image_replaced(bt, npage);
      API_DRIVE(db, rc, btree_commit(bt));
    }
  }
  if (rc) {
    int rc2;
    if (btree_txn_state(bt) == 2) API_DRIVE(db, rc2, btree_rollback(bt));
    API_DRIVE(db, rc2, btree_close(bt));
    (void)rc2;
    return rc;
  }
  *out = bt;
  return SQLITE_OK;
}

int sqlite3_deserialize(sqlite3 *db, const char *schema, unsigned char *data, sqlite3_int64 n,
                        sqlite3_int64 n_buf, unsigned flags) {
  (void)n_buf;
  if (!api_db_ok(db) || (data == NULL && n > 0) || n < 0) {
    if (data && (flags & SQLITE_DESERIALIZE_FREEONCLOSE)) sqlite3_free(data);
    return SQLITE_MISUSE;
  }
  sqlite3_mutex_enter(db->mutex);
  int rc = SQLITE_OK;
  int i = slot_of(db, schema);
  if (i < 0 || i == 1) {
    rc = SQLITE_ERROR;
    db_error(db, rc, NULL);
  } else if (!db->autocommit || db->n_vdbe_active > 0 || db->n_backup > 0 ||
             (db->dbs[i].btree && btree_txn_state(db->dbs[i].btree) != 0)) {
    rc = SQLITE_BUSY;
    db_error(db, rc, NULL);
  } else {
    Btree *nb = NULL;
    rc = load_image(db, data, n, &nb);
    if (rc == SQLITE_OK) {
      DbSlot *slot = &db->dbs[i];
      if (slot->btree) {
        int rc2;
        API_DRIVE(db, rc2, btree_close(slot->btree));
        (void)rc2;
      }
      slot->btree = nb;
      if (slot->schema) schema_free(slot->schema);
      slot->schema = NULL;
      slot->schema_loaded = 0;
      db->schema_stale = 1;
      pager_set_cache_size(btree_pager(nb), db->cache_size);
      api_apply_busy_handler(db);
      db_error_clear(db);
    } else {
      db_error(db, rc, NULL);
    }
  }
  if (data && (flags & SQLITE_DESERIALIZE_FREEONCLOSE)) sqlite3_free(data);
  sqlite3_mutex_leave(db->mutex);
  return api_result(db, rc);
}
