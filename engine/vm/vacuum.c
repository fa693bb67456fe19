/*
** vacuum.c — plain VACUUM: rebuild the database compactly.
**
** Like SQLite: every b-tree named in sqlite_schema is copied, in key order,
** into a fresh in-memory database (same page size, same header settings,
** roots allocated first), sqlite_schema is rewritten with the new root
** pages, and the new image then replaces the old one page by page inside
** the statement's write transaction; the file is truncated at commit.
**
** Every step that touches the source may return SHALE_PENDING; all progress
** lives in VacState (cursor positions included: a cursor move that hits
** PENDING leaves the cursor where it was), so the opcode is simply re-run.
*/
#include "vdbe_int.h"

void btree_cursor_set_record_compare(BtCursor *c,
                                     int (*cmp)(void *, const void *, int, const void *, int),
                                     void *ctx);

typedef struct VacRoot {
  Pgno old_root, new_root;
  int is_index;
} VacRoot;

struct VacState {
  int stage;
  Btree *src, *dst;
  BtCursor *scur, *dcur;
  VacRoot *roots;
  int n_roots, a_roots;
  int i_root;           /* copying roots[i_root] */
  int row_done;         /* current source row already copied */
  int positioned;       /* scur is on its first row (or empty) */
  int empty;
  u8 *buf;
  u32 buf_sz;
  Pgno next_page, n_pages;
  u8 hdr18[2];
};

/* Keys arrive in index order: every new key goes after the existing ones. */
static int append_cmp(void *ctx, const void *a, int na, const void *b, int nb) {
  (void)ctx;
  (void)a;
  (void)na;
  (void)b;
  (void)nb;
  return -1;
}

void vdbe_vacuum_free(VacState *s) {
  if (!s) return;
  if (s->scur) btree_cursor_close(s->scur);
  if (s->dcur) btree_cursor_close(s->dcur);
  if (s->dst) btree_close(s->dst);
  sqlite3_free(s->roots);
  sqlite3_free(s->buf);
  sqlite3_free(s);
}

static int grow_buf(VacState *s, u32 n) {
  if (s->buf_sz >= n + 8) return SQLITE_OK;
  u8 *b = sqlite3_realloc64(s->buf, (u64)n + 64);
  if (!b) return SQLITE_NOMEM;
  s->buf = b;
  s->buf_sz = n + 64;
  return SQLITE_OK;
}

/* Read the current source row into s->buf; returns its size via *n. */
static int read_row(VacState *s, u32 *n) {
  *n = btree_payload_size(s->scur);
  SHALE_TRY(grow_buf(s, *n));
  return btree_payload_read(s->scur, 0, *n, s->buf);
}

static int open_src(VacState *s, Pgno root) {
  if (s->scur) return SQLITE_OK;
  SHALE_TRY(btree_cursor_open(s->src, root, 0, &s->scur));
  s->positioned = 0;
  s->row_done = 0;
  return SQLITE_OK;
}

static void close_cursors(VacState *s) {
  if (s->scur) btree_cursor_close(s->scur);
  if (s->dcur) btree_cursor_close(s->dcur);
  s->scur = s->dcur = NULL;
}

/* Advance scur: 1 = on a row, 0 = done. may PENDING. */
static int src_step(VacState *s, int *more) {
  int rc;
  if (!s->positioned) {
    rc = btree_first(s->scur, &s->empty);
    if (rc) return rc;
    s->positioned = 1;
    s->row_done = 0;
    *more = !s->empty;
    return SQLITE_OK;
  }
  rc = btree_next(s->scur);
  if (rc == SQLITE_DONE) {
    *more = 0;
    return SQLITE_OK;
  }
  if (rc) return rc;
  s->row_done = 0;
  *more = 1;
  return SQLITE_OK;
}

enum { ST_INIT = 0, ST_ROOTS, ST_CREATE, ST_COPY, ST_SCHEMA, ST_META, ST_PAGES, ST_DONE };

int vdbe_vacuum_step(Vdbe *v, Btree *src, VacState **ps) {
  sqlite3 *db = v->db;
  u8 enc = db->enc ? db->enc : SQLITE_UTF8;
  VacState *s = *ps;
  int rc;
  if (!s) {
    if (btree_get_auto_vacuum(src)) return SQLITE_OK; /* not rebuilt by this version */
    s = shale_malloc_zero(sizeof(VacState));
    if (!s) return SQLITE_NOMEM;
    s->src = src;
    *ps = s;
  }
  for (;;) {
    switch (s->stage) {
      case ST_INIT: {
        int rc2 = btree_open(db->vfs, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY,
                             &s->dst);
        if (rc2) return rc2;
        btree_set_page_size(s->dst, btree_get_page_size(src), pager_reserved(btree_pager(src)));
        int ck;
        while ((rc2 = btree_begin_trans(s->dst, 1, &ck)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        if (rc2) return rc2;
        s->stage = ST_ROOTS;
        break;
      }
      case ST_ROOTS: {
        /* collect (root, kind) from sqlite_schema */
        SHALE_TRY(open_src(s, 1));
        int more = 1;
        if (!s->positioned || s->row_done) SHALE_TRY(src_step(s, &more));
        if (!more) {
          close_cursors(s);
          s->stage = ST_CREATE;
          s->i_root = 0;
          break;
        }
        u32 n;
        SHALE_TRY(read_row(s, &n));
        Mem f[5];
        for (int i = 0; i < 5; i++) mem_init(&f[i], db);
        int nf = 0;
        rc = record_decode_static(s->buf, (int)n, enc, f, 5, &nf);
        int is_index = (f[0].flags & MEM_Str) && f[0].n == 5 && memcmp(f[0].z, "index", 5) == 0;
        Pgno root = (nf >= 4 && (f[3].flags & MEM_Int) && f[3].i > 1) ? (Pgno)f[3].i : 0;
        for (int i = 0; i < 5; i++) mem_release(&f[i]);
        if (rc) return SQLITE_CORRUPT;
        if (root) {
          if (s->n_roots >= s->a_roots) {
            int na = s->a_roots ? s->a_roots * 2 : 16;
            VacRoot *r = sqlite3_realloc64(s->roots, sizeof(VacRoot) * (u64)na);
            if (!r) return SQLITE_NOMEM;
            s->roots = r;
            s->a_roots = na;
          }
          VacRoot *r = &s->roots[s->n_roots++];
          r->old_root = root;
          r->new_root = 0;
          r->is_index = is_index;
        }
        s->row_done = 1;
        break;
      }
      case ST_CREATE:
        /* all roots first (as SQLite's VACUUM leaves them) */
        for (; s->i_root < s->n_roots; s->i_root++) {
          Pgno r = 0;
          int flags = s->roots[s->i_root].is_index ? BTREE_BLOBKEY : BTREE_INTKEY;
          while ((rc = btree_create_table(s->dst, &r, flags)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
          if (rc) return rc;
          s->roots[s->i_root].new_root = r;
        }
        s->i_root = 0;
        s->stage = ST_COPY;
        break;
      case ST_COPY: {
        if (s->i_root >= s->n_roots) {
          s->stage = ST_SCHEMA;
          break;
        }
        VacRoot *vr = &s->roots[s->i_root];
        SHALE_TRY(open_src(s, vr->old_root));
        if (!s->dcur) {
          SHALE_TRY(btree_cursor_open(s->dst, vr->new_root, 1, &s->dcur));
          if (vr->is_index) btree_cursor_set_record_compare(s->dcur, append_cmp, NULL);
        }
        int more = 1;
        if (!s->positioned || s->row_done) SHALE_TRY(src_step(s, &more));
        if (!more) {
          close_cursors(s);
          s->i_root++;
          break;
        }
        u32 n;
        SHALE_TRY(read_row(s, &n));
        BtreePayload pl;
        memset(&pl, 0, sizeof pl);
        if (vr->is_index) {
          pl.key = s->buf;
          pl.n_key = n;
        } else {
          pl.n_key = btree_rowid(s->scur);
          pl.data = s->buf;
          pl.n_data = (int)n;
        }
        while ((rc = btree_insert(s->dcur, &pl, BTREE_APPEND, 0)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        if (rc) return rc;
        s->row_done = 1;
        break;
      }
      case ST_SCHEMA: {
        /* sqlite_schema with the new root pages, same rowids */
        SHALE_TRY(open_src(s, 1));
        if (!s->dcur) SHALE_TRY(btree_cursor_open(s->dst, 1, 1, &s->dcur));
        int more = 1;
        if (!s->positioned || s->row_done) SHALE_TRY(src_step(s, &more));
        if (!more) {
          close_cursors(s);
          s->stage = ST_META;
          break;
        }
        u32 n;
        SHALE_TRY(read_row(s, &n));
        Mem f[8], out;
        for (int i = 0; i < 8; i++) mem_init(&f[i], db);
        mem_init(&out, db);
        int nf = 0;
        if (record_decode_static(s->buf, (int)n, enc, f, 8, &nf) || nf > 8) {
          for (int i = 0; i < 8; i++) mem_release(&f[i]);
          return SQLITE_CORRUPT;
        }
        if (nf >= 4 && (f[3].flags & MEM_Int)) {
          for (int k = 0; k < s->n_roots; k++)
            if (s->roots[k].old_root == (Pgno)f[3].i) {
              mem_set_int(&f[3], s->roots[k].new_root);
              break;
            }
        }
        rc = record_make(f, nf, 4, enc, &out);
        for (int i = 0; i < 8; i++) mem_release(&f[i]);
        if (rc) {
          mem_release(&out);
          return rc;
        }
        BtreePayload pl;
        memset(&pl, 0, sizeof pl);
        pl.n_key = btree_rowid(s->scur);
        pl.data = out.z;
        pl.n_data = out.n;
        while ((rc = btree_insert(s->dcur, &pl, BTREE_APPEND, 0)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        mem_release(&out);
        if (rc) return rc;
        s->row_done = 1;
        break;
      }
      case ST_META: {
        /* everything that may PENDING first, then the in-memory updates */
        static const int copy[] = {BTREE_DEFAULT_CACHE_SIZE, BTREE_TEXT_ENCODING, BTREE_USER_VERSION,
                                   BTREE_APPLICATION_ID};
        u32 vals[4], cookie;
        for (int i = 0; i < 4; i++) SHALE_TRY(btree_get_meta(src, copy[i], &vals[i]));
        SHALE_TRY(btree_get_meta(src, BTREE_SCHEMA_VERSION, &cookie));
        DbPage *p1;
        SHALE_TRY(pager_get(btree_pager(src), 1, &p1, PAGER_GET_READONLY));
        memcpy(s->hdr18, (u8 *)pager_data(p1) + 18, 2); /* WAL stays WAL */
        pager_unref(p1);
        for (int i = 0; i < 4; i++) {
          while ((rc = btree_update_meta(s->dst, copy[i], vals[i])) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
          if (rc) return rc;
        }
        while ((rc = btree_update_meta(s->dst, BTREE_SCHEMA_VERSION, cookie + 1)) == SHALE_PENDING)
          db->vfs->poll(db->vfs, 1);
        if (rc) return rc;
        while ((rc = btree_commit(s->dst)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        if (rc) return rc;
        int ck;
        while ((rc = btree_begin_trans(s->dst, 0, &ck)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        if (rc) return rc;
        s->n_pages = pager_page_count(btree_pager(s->dst));
        s->next_page = 1;
        s->stage = ST_PAGES;
        break;
      }
      case ST_PAGES: {
        Pager *sp = btree_pager(src), *dp = btree_pager(s->dst);
        u32 pgsz = btree_get_page_size(src);
        while (s->next_page <= s->n_pages) {
          DbPage *from = NULL, *to = NULL;
          while ((rc = pager_get(dp, s->next_page, &from, PAGER_GET_READONLY)) == SHALE_PENDING)
            db->vfs->poll(db->vfs, 1);
          if (rc) return rc;
          rc = pager_get(sp, s->next_page, &to, 0);
          if (rc == SQLITE_OK) rc = pager_write(to);
          if (rc) {
            if (to) pager_unref(to);
            pager_unref(from);
            return rc; /* PENDING: this page again next time */
          }
          memcpy(pager_data(to), pager_data(from), pgsz);
          if (s->next_page == 1) memcpy((u8 *)pager_data(to) + 18, s->hdr18, 2);
          pager_unref(from);
          pager_unref(to);
          s->next_page++;
        }
        pager_truncate_image(sp, s->n_pages);
        s->stage = ST_DONE;
        break;
      }
      default:
        return SQLITE_OK;
    }
  }
}
