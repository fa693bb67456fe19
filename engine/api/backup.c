/*
** backup.c — the online backup API (sqlite3_backup_init/step/finish/
** remaining/pagecount): copy a database page by page into another
** connection's database, as SQLite does.
**
** Each step takes a read transaction on the source (ended again before the
** step returns, unless the source connection had one already) and, from the
** first step until the copy is complete, a write transaction on the
** destination.  Pages are copied raw through the pagers; when the last page
** is in, the destination image is cut to the source's size, its schema
** cookie is bumped (other connections reload their schema) and it commits.
** If the source changes between steps (another commit seen through its
** change counter, size or data_version) the copy starts over.
**
** Limitations: the page sizes must match unless the destination is empty
** (then it takes the source's); otherwise SQLITE_READONLY, like SQLite for
** a WAL destination.  An empty source database is copied as a fresh empty
** database only into an empty destination.
*/
#include "api_internal.h"

struct sqlite3_backup {
  sqlite3 *dst_db, *src_db;
  char *dst_name, *src_name;
  Pgno next;          /* next page to copy (1-based) */
  Pgno src_npage;     /* source size at the last step */
  u32 dst_cookie;     /* destination schema cookie before the copy */
  u8 src_sig[8];      /* source change counter (24..27) and size (28..31) */
  u32 src_version;    /* source pager_data_version */
  int in_write;       /* destination write transaction open */
  int rc;             /* sticky error, or SQLITE_DONE */
};

static int db_slot(sqlite3 *db, const char *name) {
  if (name == NULL || *name == 0) return 0;
  for (int i = 0; i < db->n_db; i++)
    if (db->dbs[i].name && !shale_stricmp(name, db->dbs[i].name)) return i;
  return -1;
}

static Btree *backup_btree(sqlite3 *db, const char *name) {
  int i = db_slot(db, name);
  return i < 0 ? NULL : db->dbs[i].btree;
}

sqlite3_backup *sqlite3_backup_init(sqlite3 *dst, const char *dst_name, sqlite3 *src,
                                    const char *src_name) {
  if (!api_db_ok(dst) || !api_db_ok(src)) return NULL;
  sqlite3_mutex_enter(src->mutex);
  sqlite3_mutex_enter(dst->mutex);
  sqlite3_backup *p = NULL;
  if (src == dst) {
    db_error(dst, SQLITE_ERROR, "source and destination must be distinct");
  } else if (db_slot(src, src_name) < 0) {
    db_error(dst, SQLITE_ERROR, "unknown database %s", src_name);
  } else if (db_slot(dst, dst_name) < 0 || backup_btree(dst, dst_name) == NULL) {
    db_error(dst, SQLITE_ERROR, "unknown database %s", dst_name);
  } else if (!dst->autocommit || btree_txn_state(backup_btree(dst, dst_name)) != 0) {
    db_error(dst, SQLITE_ERROR, "destination database is in use");
  } else {
    p = shale_malloc_zero(sizeof(*p));
    if (p) {
      p->dst_name = shale_strdup(dst_name ? dst_name : "main");
      p->src_name = shale_strdup(src_name ? src_name : "main");
    }
    if (!p || !p->dst_name || !p->src_name) {
      if (p) sqlite3_free(p->dst_name), sqlite3_free(p->src_name);
      sqlite3_free(p);
      p = NULL;
      db_error(dst, SQLITE_NOMEM, NULL);
    } else {
      p->dst_db = dst;
      p->src_db = src;
      p->next = 1;
      src->n_backup++;
      db_error_clear(dst);
    }
  }
  sqlite3_mutex_leave(dst->mutex);
  sqlite3_mutex_leave(src->mutex);
  return p;
}

/* Source signature: header bytes 24..31 of page 1 and the pager's
** data_version; a change between steps restarts the copy. */
static int read_signature(sqlite3 *db, Pager *sp, u8 sig[8], u32 *version) {
  memset(sig, 0, 8);
  *version = pager_data_version(sp);
  if (pager_page_count(sp) == 0) return SQLITE_OK;
  DbPage *pg = NULL;
  int rc;
  API_DRIVE(db, rc, pager_get(sp, 1, &pg, PAGER_GET_READONLY));
  if (rc) return rc;
  memcpy(sig, (u8 *)pager_data(pg) + 24, 8);
  pager_unref(pg);
  return SQLITE_OK;
}

/* I/O on each side is driven through its own connection's VFS. */
static int copy_page(sqlite3 *sdb, sqlite3 *db, Pager *sp, Pager *dp, Pgno pgno, int dst_wal) {
  DbPage *from = NULL, *to = NULL;
  int rc;
  API_DRIVE(sdb, rc, pager_get(sp, pgno, &from, PAGER_GET_READONLY));
  if (rc) return rc;
  API_DRIVE(db, rc, pager_get(dp, pgno, &to, 0));
  if (rc == SQLITE_OK) API_DRIVE(db, rc, pager_write(to));
  if (rc == SQLITE_OK) {
    memcpy(pager_data(to), pager_data(from), pager_page_size(sp));
    if (pgno == 1 && dst_wal) memset((u8 *)pager_data(to) + 18, 2, 2);
  }
  if (to) pager_unref(to);
  pager_unref(from);
  return rc;
}

/* One step; called with both mutexes held. */
static int backup_step(sqlite3_backup *p, int n_page) {
  sqlite3 *db = p->dst_db, *sdb = p->src_db;
  Btree *sb = backup_btree(p->src_db, p->src_name), *db_bt = backup_btree(db, p->dst_name);
  if (db_bt == NULL) return SQLITE_ERROR;
  if (sb == NULL) return SQLITE_DONE; /* an unopened temp database: empty */
  int rc;
  Pager *sp = btree_pager(sb), *dp = btree_pager(db_bt);
  int src_had_txn = btree_txn_state(sb) != 0;
  if (!src_had_txn) {
    API_DRIVE(sdb, rc, btree_begin_trans(sb, 0, NULL));
    if (rc) return rc;
  }
  if (!p->in_write) {
    if (pager_page_size(sp) != pager_page_size(dp)) {
      if (pager_page_count(dp) == 0 && btree_txn_state(db_bt) == 0) {
        rc = btree_set_page_size(db_bt, pager_page_size(sp), pager_reserved(sp));
        if (rc == SQLITE_OK && pager_page_size(sp) != pager_page_size(dp)) rc = SQLITE_READONLY;
      } else {
        rc = SQLITE_READONLY;
      }
      if (rc) goto end_src;
    }
    API_DRIVE(db, rc, btree_begin_trans(db_bt, 2, NULL));
    if (rc) goto end_src;
    API_DRIVE(db, rc, btree_get_meta(db_bt, BTREE_SCHEMA_VERSION, &p->dst_cookie));
    if (rc) {
      API_DRIVE(db, rc, btree_rollback(db_bt));
      goto end_src;
    }
    p->in_write = 1;
    p->next = 1;
  }
  {
    u8 sig[8];
    u32 version;
    rc = read_signature(sdb, sp, sig, &version);
    if (rc) goto end_src;
    if (p->next > 1 && (memcmp(sig, p->src_sig, 8) || version != p->src_version ||
                        pager_page_count(sp) != p->src_npage))
      p->next = 1; /* the source changed: start over */
    memcpy(p->src_sig, sig, 8);
    p->src_version = version;
  }
  p->src_npage = pager_page_count(sp);
  int dst_wal = pager_journal_mode(dp, PAGER_JOURNALMODE_QUERY) == PAGER_JOURNALMODE_WAL;
  Pgno pending = (Pgno)(0x40000000u / pager_page_size(sp)) + 1;
  for (int i = 0; (n_page < 0 || i < n_page) && p->next <= p->src_npage; i++) {
    if (p->next != pending) {
      rc = copy_page(sdb, db, sp, dp, p->next, dst_wal);
      if (rc) goto end_src;
    }
    p->next++;
  }
  if (p->next > p->src_npage) {
    /* complete: the destination becomes the source's image */
    if (p->src_npage) {
      btree_image_replaced(db_bt, p->src_npage);
    } else {
      API_DRIVE(db, rc, btree_make_empty(db_bt)); /* an empty source: a new empty database */
      if (rc) goto end_src;
    }
    API_DRIVE(db, rc, btree_update_meta(db_bt, BTREE_SCHEMA_VERSION, p->dst_cookie + 1));
    if (rc == SQLITE_OK) API_DRIVE(db, rc, btree_commit(db_bt));
    if (rc) goto end_src;
    p->in_write = 0;
    db->schema_stale = 1; /* the destination's schema is the source's now */
    for (int i = 0; i < db->n_db; i++)
      if (db->dbs[i].btree == db_bt) db->dbs[i].schema_loaded = 0;
    rc = SQLITE_DONE;
  } else {
    rc = SQLITE_OK;
  }
end_src:
  if (!src_had_txn && btree_txn_state(sb) != 0) {
    int rc2;
    API_DRIVE(sdb, rc2, btree_commit(sb)); /* ends the read transaction */
    (void)rc2;
  }
  return rc;
}

int sqlite3_backup_step(sqlite3_backup *p, int n_page) {
  if (p == NULL) return SQLITE_MISUSE;
  if (p->rc == SQLITE_DONE || (p->rc && (p->rc & 0xff) != SQLITE_BUSY && (p->rc & 0xff) != SQLITE_LOCKED))
    return p->rc & 0xff;
  sqlite3_mutex_enter(p->src_db->mutex);
  sqlite3_mutex_enter(p->dst_db->mutex);
  int rc = backup_step(p, n_page);
  if (rc != SQLITE_OK && rc != SQLITE_DONE && p->in_write) {
    /* a failed copy leaves the destination as it was */
    Btree *db_bt = backup_btree(p->dst_db, p->dst_name);
    int rc2;
    if (db_bt) API_DRIVE(p->dst_db, rc2, btree_rollback(db_bt));
    (void)rc2;
    p->in_write = 0;
    p->next = 1;
  }
  p->rc = rc;
  sqlite3_mutex_leave(p->dst_db->mutex);
  sqlite3_mutex_leave(p->src_db->mutex);
  return rc & 0xff;
}

int sqlite3_backup_finish(sqlite3_backup *p) {
  if (p == NULL) return SQLITE_OK;
  sqlite3 *dst = p->dst_db;
  sqlite3_mutex_enter(p->src_db->mutex);
  sqlite3_mutex_enter(dst->mutex);
  if (p->in_write) {
    Btree *db_bt = backup_btree(dst, p->dst_name);
    int rc2;
    if (db_bt) API_DRIVE(dst, rc2, btree_rollback(db_bt));
    (void)rc2;
  }
  p->src_db->n_backup--;
  int rc = p->rc == SQLITE_DONE ? SQLITE_OK : p->rc;
  if (rc) db_error(dst, rc, NULL);
  else db_error_clear(dst);
  sqlite3_mutex_leave(dst->mutex);
  sqlite3 *src = p->src_db;
  sqlite3_free(p->dst_name);
  sqlite3_free(p->src_name);
  sqlite3_free(p);
  api_close_zombie_and_leave(src);
  return rc & 0xff;
}

int sqlite3_backup_remaining(sqlite3_backup *p) {
  if (p == NULL) return 0;
  return p->src_npage >= p->next ? (int)(p->src_npage - p->next + 1) : 0;
}

int sqlite3_backup_pagecount(sqlite3_backup *p) { return p ? (int)p->src_npage : 0; }
