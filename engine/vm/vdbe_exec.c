/*
** vdbe_exec.c — the interpreter: registers, cursors, the opcode loop, and
** statement/transaction end (commit, statement rollback).
**
** Async rule: every b-tree/pager/sorter call that can answer SHALE_PENDING is
** made before any output register is written or pc moves; on PENDING we
** return it with pc unchanged and the same opcode runs again next time.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "vdbe_int.h"

/* Provided by the b-tree layer (btree_int.h): the record comparator used to
** position index inserts. */
void btree_cursor_set_record_compare(BtCursor *c,
                                     int (*cmp)(void *, const void *, int, const void *, int),
                                     void *ctx);

#define LARGEST_INT64 ((i64)0x7fffffffffffffffLL)
#define SMALLEST_INT64 ((i64)(-LARGEST_INT64 - 1))

enum { OE_None = 0, OE_Rollback, OE_Abort, OE_Fail, OE_Ignore, OE_Replace };

const char *vdbe_errstr(int rc) {
  if (rc == SQLITE_ABORT_ROLLBACK) return "abort due to ROLLBACK";
  switch (rc & 0xff) {
    case SQLITE_OK: return "not an error";
    case SQLITE_ERROR: return "SQL logic error";
    case SQLITE_INTERNAL: return "internal error";
    case SQLITE_PERM: return "access permission denied";
    case SQLITE_ABORT: return "query aborted";
    case SQLITE_BUSY: return "database is locked";
    case SQLITE_LOCKED: return "database table is locked";
    case SQLITE_NOMEM: return "out of memory";
    case SQLITE_READONLY: return "attempt to write a readonly database";
    case SQLITE_INTERRUPT: return "interrupted";
    case SQLITE_IOERR: return "disk I/O error";
    case SQLITE_CORRUPT: return "database disk image is malformed";
    case SQLITE_NOTFOUND: return "unknown operation";
    case SQLITE_FULL: return "database or disk is full";
    case SQLITE_CANTOPEN: return "unable to open database file";
    case SQLITE_PROTOCOL: return "locking protocol";
    case SQLITE_SCHEMA: return "database schema has changed";
    case SQLITE_TOOBIG: return "string or blob too big";
    case SQLITE_CONSTRAINT: return "constraint failed";
    case SQLITE_MISMATCH: return "datatype mismatch";
    case SQLITE_MISUSE: return "bad parameter or other API misuse";
    case SQLITE_RANGE: return "column index out of range";
    case SQLITE_NOTADB: return "file is not a database";
    case SQLITE_ROW: return "another row available";
    case SQLITE_DONE: return "no more rows available";
    default: return "unknown error";
  }
}

/* ------------------------------------------------------------- RowSet -- */
typedef struct RowSet {
  i64 *v;          /* values added by RowSetAdd (read in sorted order) */
  int n, alloc, pos, sorted;
  i64 *h;          /* hash set for RowSetTest */
  int hn, halloc;
  u8 *hused;
} RowSet;

static void rowset_free(void *p) {
  RowSet *r = p;
  if (!r) return;
  sqlite3_free(r->v);
  sqlite3_free(r->h);
  sqlite3_free(r->hused);
  sqlite3_free(r);
}

static RowSet *rowset_of(Mem *m) {
  if ((m->flags & MEM_Obj) && m->xDel == rowset_free) return m->u.p;
  RowSet *r = shale_malloc_zero(sizeof(RowSet));
  if (!r) return NULL;
  mem_set_null(m);
  m->flags = MEM_Null | MEM_Obj;
  m->u.p = r;
  m->xDel = rowset_free;
  return r;
}

static int rowset_add(RowSet *r, i64 x) {
  if (r->n >= r->alloc) {
    int na = r->alloc ? r->alloc * 2 : 64;
    i64 *nv = sqlite3_realloc64(r->v, sizeof(i64) * (u64)na);
    if (!nv) return SQLITE_NOMEM;
    r->v = nv;
    r->alloc = na;
  }
  r->v[r->n++] = x;
  r->sorted = 0;
  return SQLITE_OK;
}

static int cmp_i64(const void *a, const void *b) {
  i64 x = *(const i64 *)a, y = *(const i64 *)b;
  return x < y ? -1 : x > y;
}

static u64 hash_i64(i64 x) {
  u64 h = (u64)x * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

static int rowset_hash_insert(RowSet *r, i64 x);
static int rowset_hash_grow(RowSet *r) {
  int na = r->halloc ? r->halloc * 2 : 64;
  i64 *oh = r->h;
  u8 *ou = r->hused;
  int on = r->halloc;
  r->h = sqlite3_malloc64(sizeof(i64) * (u64)na);
  r->hused = shale_malloc_zero((size_t)na);
  if (!r->h || !r->hused) {
    sqlite3_free(r->h);
    sqlite3_free(r->hused);
    r->h = oh;
    r->hused = ou;
    return SQLITE_NOMEM;
  }
  r->halloc = na;
  r->hn = 0;
  for (int i = 0; i < on; i++)
    if (ou[i]) rowset_hash_insert(r, oh[i]);
  sqlite3_free(oh);
  sqlite3_free(ou);
  return SQLITE_OK;
}
static int rowset_hash_find(RowSet *r, i64 x) {
  if (!r->halloc) return 0;
  u64 m = (u64)r->halloc - 1;
  for (u64 i = hash_i64(x) & m;; i = (i + 1) & m) {
    if (!r->hused[i]) return 0;
    if (r->h[i] == x) return 1;
  }
}
static int rowset_hash_insert(RowSet *r, i64 x) {
  if ((r->hn + 1) * 2 > r->halloc) {
    if (rowset_hash_grow(r)) return SQLITE_NOMEM;
  }
  u64 m = (u64)r->halloc - 1;
  for (u64 i = hash_i64(x) & m;; i = (i + 1) & m) {
    if (!r->hused[i]) {
      r->hused[i] = 1;
      r->h[i] = x;
      r->hn++;
      return SQLITE_OK;
    }
    if (r->h[i] == x) return SQLITE_OK;
  }
}

/* ------------------------------------------------------------ cursors -- */
static int csr_compare_records(void *ctx, const void *a, int na, const void *b, int nb) {
  VdbeCursor *c = ctx;
  return record_compare_records(c->key_info, a, na, b, nb, c->key_info ? c->key_info->enc : SQLITE_UTF8);
}

void vdbe_cursor_close(Vdbe *v, VdbeCursor *c) {
  if (!c) return;
  if (c->vcsr || c->vtable) vdbe_vtab_cursor_close(c);
  if (c->bt) btree_cursor_close(c->bt);
  if (c->ephem && --c->ephem->ref <= 0) {
    btree_close(c->ephem->bt);
    sqlite3_free(c->ephem);
  }
  if (c->sorter) sorter_free(c->sorter);
  keyinfo_unref(c->key_info);
  if (v && v->n_csr_pool < 8 && c->rec_buf_sz <= 4096) {
    /* keep it (and its header arrays) for the next csr_new */
    c->pool_next = v->csr_pool;
    v->csr_pool = c;
    v->n_csr_pool++;
    return;
  }
  sqlite3_free(c->rec_buf);
  sqlite3_free(c->types);
  sqlite3_free(c->offsets);
  sqlite3_free(c);
}

void vdbe_cursor_pool_free(Vdbe *v) {
  while (v->csr_pool) {
    VdbeCursor *c = v->csr_pool;
    v->csr_pool = c->pool_next;
    sqlite3_free(c->rec_buf);
    sqlite3_free(c->types);
    sqlite3_free(c->offsets);
    sqlite3_free(c);
  }
  v->n_csr_pool = 0;
}

static u8 db_enc(Vdbe *v) { return v->db && v->db->enc ? v->db->enc : SQLITE_UTF8; }

static VdbeCursor *csr_new(Vdbe *v, int i, int type) {
  if (i < 0 || i >= v->n_csr) return NULL;
  if (v->csr[i]) {
    vdbe_cursor_close(v, v->csr[i]);
    v->csr[i] = NULL;
  }
  VdbeCursor *c = v->csr_pool;
  if (c) {
    v->csr_pool = c->pool_next;
    v->n_csr_pool--;
    u8 *rec_buf = c->rec_buf;
    u32 rec_buf_sz = c->rec_buf_sz;
    u32 *types = c->types, *offsets = c->offsets;
    int n_hdr_alloc = c->n_hdr_alloc;
    memset(c, 0, sizeof(*c));
    c->rec_buf = rec_buf;
    c->rec_buf_sz = rec_buf_sz;
    c->types = types;
    c->offsets = offsets;
    c->n_hdr_alloc = n_hdr_alloc;
  } else {
    c = shale_malloc_zero(sizeof(VdbeCursor));
    if (!c) return NULL;
  }
  c->type = (u8)type;
  c->enc = db_enc(v);
  v->csr[i] = c;
  return c;
}

VdbeCursor *vdbe_cursor_new(Vdbe *v, int i, int type) { return csr_new(v, i, type); }

static i64 max_len(sqlite3 *db) {
  return db && db->limits[SQLITE_LIMIT_LENGTH] > 0 ? db->limits[SQLITE_LIMIT_LENGTH] : 1000000000;
}


/* Bytes of the body for serial type t (record_serial_len, inlined). */
static inline u32 serial_len(u32 t) {
  static const u8 lens[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  return t >= 12 ? (t - 12) / 2 : lens[t];
}

/* Load the current row's record bytes (c->rec, c->rec_n). may PENDING. */
static int csr_load_row(Vdbe *v, VdbeCursor *c) {
  /* pseudo cursors re-read their register every time: it may have been
  ** rewritten in place by any opcode (the header parse is kept while the
  ** header bytes are the same) */
  if (c->cache_ok && c->cache_ctr == v->cache_ctr && c->type != CURTYPE_PSEUDO) return SQLITE_OK;
  const u8 *rec;
  u32 n;
  if (c->type == CURTYPE_PSEUDO) {
    Mem *r = &v->mem[c->pseudo_reg];
    if (r->flags & MEM_Zero) mem_expand_zero(r);
    rec = (const u8 *)r->z;
    n = (u32)r->n;
    if (!(r->flags & (MEM_Blob | MEM_Str))) {
      rec = NULL;
      n = 0;
    }
    /* the parse depends only on the header bytes and the length */
    if (c->cache_ok && c->hdr_copy_n && rec && n == c->rec_n && memcmp(rec, c->hdr_copy, c->hdr_copy_n) == 0) {
      c->rec = rec;
      return SQLITE_OK;
    }
    c->hdr_copy_n = 0;
  } else if (c->type == CURTYPE_SORTER) {
    int nn;
    rec = sorter_data(c->sorter, &nn);
    n = (u32)nn;
  } else {
    u32 nl = 0;
    rec = btree_payload_view(c->bt, &n, &nl);
    if (nl < n) {
      if (c->rec_buf_sz < n + 8) {
        u8 *b = sqlite3_realloc64(c->rec_buf, (u64)n + 64);
        if (!b) return SQLITE_NOMEM;
        c->rec_buf = b;
        c->rec_buf_sz = n + 64;
      }
      int rc = btree_payload_read(c->bt, 0, n, c->rec_buf);
      if (rc) return rc;
      rec = c->rec_buf;
    }
  }
  c->n_parsed = 0;
  c->rec = rec;
  c->rec_n = n;
  if (!rec || n == 0) {
    c->hdr_size = 0;
    c->hdr_pos = 0;
  } else {
    u64 h;
    if (rec[0] < 0x80) {
      h = rec[0];
      c->hdr_pos = 1;
    } else {
      u8 tmp[9] = {0};
      memcpy(tmp, rec, n < 9 ? n : 9);
      c->hdr_pos = (u32)varint_get(tmp, &h);
    }
    if (h > n || h < c->hdr_pos) return SQLITE_CORRUPT;
    c->hdr_size = (u32)h;
    if (c->type == CURTYPE_PSEUDO && h <= sizeof c->hdr_copy) {
      memcpy(c->hdr_copy, rec, (size_t)h);
      c->hdr_copy_n = (u8)h;
    }
  }
  if (c->n_hdr_alloc < 1) {
    int na = 16;
    c->types = sqlite3_malloc64(sizeof(u32) * (u64)na);
    c->offsets = sqlite3_malloc64(sizeof(u32) * (u64)(na + 1));
    if (!c->types || !c->offsets) return SQLITE_NOMEM;
    c->n_hdr_alloc = na;
  }
  c->offsets[0] = c->hdr_size;
  c->cache_ok = 1;
  c->cache_ctr = v->cache_ctr;
  /* A small header (the common row) is parsed here in one tight loop
  ** rather than entry by entry in csr_parse_to; a multi-byte serial type or
  ** a field past the end stops it and is left to csr_parse_to. */
  u32 hsz = c->hdr_size;
  if (rec && hsz <= (u32)c->n_hdr_alloc) {
    u32 pos = c->hdr_pos, off = hsz, *types = c->types, *offsets = c->offsets;
    u32 np = 0;
    for (; pos < hsz; pos++, np++) {
      u32 t = rec[pos];
      if (t >= 0x80) break;
      off += serial_len(t); /* at most 57 per entry: no overflow */
      types[np] = t;
      offsets[np + 1] = off;
    }
    if (off <= n) { /* else csr_parse_to finds the bad entry */
      c->n_parsed = (int)np;
      c->hdr_pos = pos;
    }
  }
  return SQLITE_OK;
}


/* Make room for n header entries (types[n], offsets[n + 1]). */
static int csr_hdr_grow(VdbeCursor *c, u64 n) {
  u64 na = (u64)c->n_hdr_alloc * 2;
  if (na < n) na = n;
  u32 *t = sqlite3_realloc64(c->types, sizeof(u32) * na);
  if (!t) return SQLITE_NOMEM;
  c->types = t;
  u32 *o = sqlite3_realloc64(c->offsets, sizeof(u32) * (na + 1));
  if (!o) return SQLITE_NOMEM;
  c->offsets = o;
  c->n_hdr_alloc = (int)na;
  return SQLITE_OK;
}

/* A multi-byte serial type of a header with `left` bytes to go: its
** length, or 0 if it runs past the header or is out of range. */
SHALE_NOINLINE static u32 hdr_varint(const u8 *p, u32 left, u32 *t) {
  u8 tmp[9] = {0};
  u64 t64;
  memcpy(tmp, p, left < 9 ? left : 9);
  u32 k = (u32)varint_get(tmp, &t64);
  if (k > left || t64 > 0x7fffffff) return 0;
  *t = (u32)t64;
  return k;
}

/* Parse header entries until field `col` is known (or the header ends).
** The arrays are sized first (a header entry takes at least one byte), so
** the loop itself only decodes: one-byte serial types inline. */
static int csr_parse_to(VdbeCursor *c, int col) {
  static const u8 lens[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  int np = c->n_parsed;
  u32 pos = c->hdr_pos, hsz = c->hdr_size;
  if (np > col || pos >= hsz) return SQLITE_OK;
  u64 stop = (u64)col + 1;
  if (stop > (u64)np + (hsz - pos)) stop = (u64)np + (hsz - pos);
  if (stop > (u64)c->n_hdr_alloc && csr_hdr_grow(c, stop)) return SQLITE_NOMEM;
  const u8 *rec = c->rec;
  u32 *types = c->types, *offsets = c->offsets;
  u64 off = offsets[np], rec_n = c->rec_n;
  int rc = SQLITE_OK;
  while ((u64)np < stop && pos < hsz) {
    u32 t = rec[pos];
    u32 k = 1;
    if (t >= 0x80) {
      k = hdr_varint(rec + pos, hsz - pos, &t);
      if (!k) {
        rc = SQLITE_CORRUPT;
        break;
      }
    }
    u64 end = off + (t >= 12 ? (t - 12) / 2 : lens[t]);
    if (end > rec_n) {
      rc = SQLITE_CORRUPT;
      break;
    }
    pos += k;
    types[np] = t;
    offsets[++np] = (u32)end;
    off = end;
  }
  c->n_parsed = np;
  c->hdr_pos = pos;
  return rc;
}

/* Perform a pending deferred seek.  may PENDING. */
static int csr_finish_seek(Vdbe *v, VdbeCursor *c) {
  if (!c->deferred) return SQLITE_OK;
  int res = 0;
  int rc = btree_table_moveto(c->bt, c->moveto_rowid, &res);
  if (rc) return rc;
  if (res != 0) return SQLITE_CORRUPT;
  c->deferred = 0;
  c->cache_ok = 0;
  c->null_row = 0;
  (void)v;
  return SQLITE_OK;
}

/* Decode field col of the cached row into out.  Numbers, NULL, and
** text/blob that fits out's buffer are set inline (as SQLite's OP_Column:
** text is copied, never left pointing into the page); the rest goes
** through record_field_get. */
static inline int csr_decode(Vdbe *v, VdbeCursor *c, int col, Mem *out) {
  u32 t = c->types[col];
  u32 off = c->offsets[col];
  const u8 *buf = c->rec + off;
  if (!(out->flags & (MEM_Dyn | MEM_Agg | MEM_Obj | MEM_Ptr)) && !out->z16) {
    if (t < 12) {
      u16 flags = MEM_Int;
      switch (t) {
        case 1: out->i = (int8_t)buf[0]; break;
        case 2: out->i = (i16)(((u32)buf[0] << 8) | buf[1]); break;
        case 3: out->i = ((int32_t)(((u32)buf[0] << 24) | ((u32)buf[1] << 16) | ((u32)buf[2] << 8))) >> 8; break;
        case 4: out->i = (int32_t)(((u32)buf[0] << 24) | ((u32)buf[1] << 16) | ((u32)buf[2] << 8) | buf[3]); break;
        case 5:
          out->i = (i64)((u64)(i64)(i16)(((u32)buf[0] << 8) | buf[1]) << 32 |
                         (((u32)buf[2] << 24) | ((u32)buf[3] << 16) | ((u32)buf[4] << 8) | buf[5]));
          break;
        case 6:
        case 7: {
          u64 x = ((u64)(((u32)buf[0] << 24) | ((u32)buf[1] << 16) | ((u32)buf[2] << 8) | buf[3]) << 32) |
                  (((u32)buf[4] << 24) | ((u32)buf[5] << 16) | ((u32)buf[6] << 8) | buf[7]);
          if (t == 6) {
            out->i = (i64)x;
          } else {
            double r;
            memcpy(&r, &x, 8);
            if (isnan(r)) flags = MEM_Null;
            else {
              out->r = r;
              flags = MEM_Real;
            }
          }
          break;
        }
        case 8:
        case 9: out->i = (i64)t - 8; break;
        default: flags = MEM_Null; break; /* 0, and the reserved 10, 11 */
      }
      out->flags = flags;
      out->z = NULL;
      out->n = 0;
      out->subtype = 0;
      out->nochange = 0;
      return SQLITE_OK;
    }
    u32 len = (t - 12) / 2;
    int is_text = t & 1;
    if ((!is_text || c->enc == SQLITE_UTF8) && len > 0 && (u32)out->szMalloc >= len + 2) {
      memcpy(out->zMalloc, buf, len);
      out->zMalloc[len] = 0;
      out->zMalloc[len + 1] = 0;
      out->z = out->zMalloc;
      out->n = (int)len;
      out->flags = (u16)((is_text ? MEM_Str : MEM_Blob) | MEM_Term);
      out->subtype = 0;
      out->nochange = 0;
      return SQLITE_OK;
    }
  }
  if (record_field_get(buf, c->rec_n - off, t, db_enc(v), out) < 0) return SQLITE_CORRUPT;
  return SQLITE_OK;
}

/* Read column col of cursor c into out (NULL if missing). may PENDING. */
static int csr_column(Vdbe *v, VdbeCursor *c, int col, Mem *out, const Mem *dflt) {
  int rc;
  /* fast path: the row is cached and the field's header entry parsed */
  if (c->cache_ok && c->cache_ctr == v->cache_ctr && col < c->n_parsed && !c->deferred && !c->null_row &&
      c->type != CURTYPE_PSEUDO)
    return csr_decode(v, c, col, out);
  if (c->deferred) {
    if (c->alt && c->alt_map && col + 1 <= c->alt_map[0] && c->alt_map[col + 1] > 0) {
      return csr_column(v, c->alt, c->alt_map[col + 1] - 1, out, dflt);
    }
    rc = csr_finish_seek(v, c);
    if (rc) return rc;
  }
  if (c->null_row) {
    mem_set_null(out);
    return SQLITE_OK;
  }
  if (c->type == CURTYPE_BTREE && (!c->bt || btree_eof(c->bt))) {
    mem_set_null(out);
    return SQLITE_OK;
  }
  rc = csr_load_row(v, c);
  if (rc) return rc;
  if (col >= c->n_parsed) {
    rc = csr_parse_to(c, col);
    if (rc) return rc;
  }
  if (col >= c->n_parsed) {
    if (dflt) mem_copy(out, dflt);
    else mem_set_null(out);
    return SQLITE_OK;
  }
  return csr_decode(v, c, col, out);
}

static Btree *db_btree(Vdbe *v, int idb) {
  sqlite3 *db = v->db;
  if (!db || idb < 0 || idb >= db->n_db) return NULL;
  if (!db->dbs[idb].btree && idb == 1 && db->vfs) {
    /* the temp database is opened on first use (kept in memory) */
    Btree *bt = NULL;
    if (btree_open(db->vfs, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, &bt) ==
        SQLITE_OK)
      db->dbs[idb].btree = bt;
  }
  return db->dbs[idb].btree;
}

/* ----------------------------------------------------------- EXPLAIN -- */
static int explain_step(Vdbe *v) {
  static const char *const cols[8] = {"addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"};
  (void)cols;
  for (;;) {
    if (v->explain_pc >= v->n_op) {
      v->state = VDBE_HALT;
      v->rc = SQLITE_DONE;
      vdbe_halt(v);
      return SQLITE_DONE;
    }
    VdbeOp *op = &v->ops[v->explain_pc];
    int addr = v->explain_pc++;
    char buf[256];
    if (v->explain == 2) {
      if (op->opcode != OP_Explain) continue;
      mem_set_int(&v->explain_mem[0], op->p1);
      mem_set_int(&v->explain_mem[1], op->p2);
      mem_set_int(&v->explain_mem[2], 0);
      mem_set_str(&v->explain_mem[3], vdbe_p4_text(op, buf, sizeof buf), -1, SQLITE_TRANSIENT);
      v->result = v->explain_mem;
      v->n_result = 4;
      return SQLITE_ROW;
    }
    mem_set_int(&v->explain_mem[0], addr);
    mem_set_str(&v->explain_mem[1], op->opcode < OP__COUNT ? shale_opcode_names[op->opcode] : "?", -1, SQLITE_STATIC);
    mem_set_int(&v->explain_mem[2], op->p1);
    mem_set_int(&v->explain_mem[3], op->p2);
    mem_set_int(&v->explain_mem[4], op->p3);
    mem_set_str(&v->explain_mem[5], vdbe_p4_text(op, buf, sizeof buf), -1, SQLITE_TRANSIENT);
    mem_set_int(&v->explain_mem[6], op->p5);
    if (op->comment) mem_set_str(&v->explain_mem[7], op->comment, -1, SQLITE_STATIC);
    else mem_set_null(&v->explain_mem[7]);
    v->result = v->explain_mem;
    v->n_result = 8;
    return SQLITE_ROW;
  }
}

static void frame_pop(Vdbe *v);

/* ------------------------------------------------- transaction control -- */
static void set_error(Vdbe *v, int rc, char *msg) {
  sqlite3_free(v->err_msg);
  v->err_msg = msg;
  v->rc = rc;
}

/* Forget the SAVEPOINT stack (the transaction it belonged to has ended). */
static void savepoints_clear(sqlite3 *db) {
  VdbeSavepoint *s = db->savepoints;
  while (s) {
    VdbeSavepoint *n = s->next;
    sqlite3_free(s->name);
    sqlite3_free(s);
    s = n;
  }
  db->savepoints = NULL;
  db->n_savepoint = 0;
}

/* Roll back every b-tree's transaction.  Loops on PENDING (rollback must
** finish; it only touches the journal/cache).  Like SQLite's
** sqlite3RollbackAll(db, SQLITE_ABORT_ROLLBACK): other statements' write
** cursors (all cursors if the transaction changed a schema) fail their
** next step with SQLITE_ABORT_ROLLBACK; readers go on.
** v->rb_had_write bits: 1 a write transaction was rolled back, 2 the
** schema check was done, 4 it found a schema change. */
static int rollback_all(Vdbe *v) {
  sqlite3 *db = v->db;
  int rc = SQLITE_OK;
  int had_write = 0;
  if (!(v->rb_had_write & 2)) {
    v->rb_had_write |= 2;
    for (int i = 0; i < db->n_db; i++)
      if (db->dbs[i].btree && btree_schema_changed(db->dbs[i].btree)) v->rb_had_write |= 4;
  }
  int write_only = !(v->rb_had_write & 4);
  for (int i = 0; i < db->n_db; i++) {
    Btree *bt = db->dbs[i].btree;
    if (!bt || btree_txn_state(bt) == 0) continue;
    if (btree_txn_state(bt) == 2) had_write = 1;
    int r = btree_rollback_trip(bt, SQLITE_ABORT_ROLLBACK, write_only);
    if (r == SHALE_PENDING) {
      v->rb_had_write |= (u8)had_write;
      return SHALE_PENDING; /* called again; finished b-trees are skipped */
    }
    if (r && !rc) rc = r;
  }
  had_write |= v->rb_had_write & 1;
  v->rb_had_write = 0;
  vdbe_vtab_end(db, 0);
  db->autocommit = 1;
  db->n_statement = 0;
  db->n_deferred_fk = 0;
  savepoints_clear(db); /* savepoints end with the transaction */
  if (had_write && db->rollback_hook) db->rollback_hook(db->rollback_arg);
  return rc;
}

static int stmt_savepoint(Vdbe *v, int op) {
  sqlite3 *db = v->db;
  int rc = SQLITE_OK;
  for (int i = 0; i < db->n_db; i++) {
    Btree *bt = db->dbs[i].btree;
    if (!bt || btree_txn_state(bt) != 2) continue;
    int r = btree_savepoint(bt, op, v->stmt_index);
    if (r == SHALE_PENDING) return r; /* the pager keeps its progress */
    if (r && !rc) rc = r;
  }
  return rc;
}

static int commit_all(Vdbe *v) {
  sqlite3 *db = v->db;
  if (!v->committing) {
    char *verr = NULL;
    int vrc = vdbe_vtab_sync(db, &verr);
    if (vrc) {
      set_error(v, vrc, verr);
      return vrc;
    }
    v->committing = 1;
    if (db->commit_hook) {
      int any_write = 0;
      for (int i = 0; i < db->n_db; i++)
        if (db->dbs[i].btree && btree_txn_state(db->dbs[i].btree) == 2) any_write = 1;
      if (any_write && db->commit_hook(db->commit_arg)) {
        /* vdbe_halt rolls back (want_commit == 2), through PENDING */
        v->committing = 0;
        return SQLITE_CONSTRAINT_COMMITHOOK;
      }
    }
  }
  for (int i = 0; i < db->n_db; i++) {
    Btree *bt = db->dbs[i].btree;
    if (!bt || btree_txn_state(bt) == 0) continue;
    int rc = btree_commit(bt);
    if (rc == SHALE_PENDING) return rc;
    if (rc) {
      v->committing = 0;
      return rc;
    }
  }
  v->committing = 0;
  vdbe_vtab_end(db, 1);
  return SQLITE_OK;
}

/* Statement end.  v->rc holds the outcome (SQLITE_OK/DONE or an error).
** May PENDING (auto-commit); called again until it returns something else. */
int vdbe_halt(Vdbe *v) {
  sqlite3 *db = v->db;
  int rc = SQLITE_OK;
  if (!v->halted) {
    enum { PLAN_NONE = 0, PLAN_ROLLBACK_ALL, PLAN_STMT_ROLLBACK, PLAN_STMT_RELEASE };
    if (v->halt_stage == 0) {
      int err = v->rc != SQLITE_OK && v->rc != SQLITE_DONE && v->rc != SQLITE_ROW;
      /* like SQLite: cursors close before the transaction ends */
      while (v->frame) frame_pop(v);
      for (int i = 0; i < v->n_csr; i++) {
        if (v->csr && v->csr[i]) {
          vdbe_cursor_close(v, v->csr[i]);
          v->csr[i] = NULL;
        }
      }
      if (!err && v->fk_constraints > 0) {
        /* immediate foreign key violations: the statement fails (ABORT) */
        set_error(v, SQLITE_CONSTRAINT_FOREIGNKEY, shale_strdup("FOREIGN KEY constraint failed"));
        v->halt_action = OE_Abort;
        err = 1;
      }
      if (!err && db->autocommit && db->n_deferred_fk > 0) {
        set_error(v, SQLITE_CONSTRAINT_FOREIGNKEY, shale_strdup("FOREIGN KEY constraint failed"));
        err = 1;
        if (v->is_commit) {
          /* COMMIT fails; the transaction stays open */
          db->autocommit = 0;
          v->halt_action = OE_Fail;
        } else {
          v->halt_action = OE_Rollback;
        }
      }
      u8 plan = PLAN_NONE;
      if (err) {
        int action = v->halt_action ? v->halt_action : OE_Abort;
        int prim = v->rc & 0xff;
        if (prim == SQLITE_NOMEM || prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_INTERRUPT ||
            prim == SQLITE_CORRUPT)
          action = OE_Rollback;
        v->halt_action = (u8)action;
        if (action == OE_Rollback) {
          if (!db->autocommit || v->stmt_open || !v->readonly) plan = PLAN_ROLLBACK_ALL;
        } else if (action == OE_Fail) {
          if (v->stmt_open) plan = PLAN_STMT_RELEASE;
        } else if (v->stmt_open) {
          plan = PLAN_STMT_ROLLBACK;
        } else if (db->autocommit && !v->readonly) {
          plan = PLAN_ROLLBACK_ALL;
        }
      } else if (v->stmt_open) {
        plan = PLAN_STMT_RELEASE;
      }
      /* a statement without a journal that fails after writing: undo it all
      ** rather than leave a half-written row (should not happen: see
      ** vdbe_set_single_write) */
      if (err && v->single_write && v->wrote && !v->stmt_open && plan != PLAN_ROLLBACK_ALL) {
        plan = PLAN_ROLLBACK_ALL;
        v->halt_action = OE_Rollback;
      }
      v->halt_plan = plan;
      v->halt_err = (u8)err;
      v->halt_stage = 1;
    }
    if (v->halt_stage == 1) {
      /* each step may PENDING and is simply repeated */
      if (v->halt_plan == PLAN_ROLLBACK_ALL) {
        rc = rollback_all(v);
        if (rc == SHALE_PENDING) return rc;
      } else if (v->halt_plan == PLAN_STMT_ROLLBACK) {
        rc = stmt_savepoint(v, SAVEPOINT_ROLLBACK);
        if (rc == SHALE_PENDING) return rc;
        stmt_savepoint(v, SAVEPOINT_RELEASE);
        db->n_deferred_fk -= v->fk_deferred;
      } else if (v->halt_plan == PLAN_STMT_RELEASE) {
        stmt_savepoint(v, SAVEPOINT_RELEASE);
      }
      rc = SQLITE_OK;
      v->stmt_open = 0;
      v->halt_stage = 2;
    }
    int err = v->halt_err;
    if (v->stmt_index_taken) {
      if (db->n_statement > 0) db->n_statement--;
      v->stmt_index_taken = 0;
    }
    if (v->count_changes && (!err || v->halt_action == OE_Fail)) {
      db->n_change = v->n_change;
      db->n_total_change += v->n_change + v->n_change_sub;
      v->n_change_sub = 0;
    }
    v->halted = 1;
    v->want_commit = (u8)(db->autocommit != 0);
  }
  if (v->want_commit == 1) {
    /* end the transaction if no other statement needs it */
    int others = db->n_vdbe_active - (v->counted_active ? 1 : 0);
    int other_writers = db->n_vdbe_write - (v->is_writer_counted ? 1 : 0);
    int any_write = 0;
    for (int i = 0; i < db->n_db; i++)
      if (db->dbs[i].btree && btree_txn_state(db->dbs[i].btree) == 2) any_write = 1;
    if ((any_write && other_writers == 0) || others == 0) {
      rc = commit_all(v);
      if (rc == SHALE_PENDING) return rc;
      if (rc && (v->rc == SQLITE_OK || v->rc == SQLITE_DONE)) {
        if ((rc & 0xff) == SQLITE_BUSY && v->is_commit) {
          /* Like SQLite: a COMMIT that cannot get its lock fails with BUSY
          ** and the transaction stays open, to be committed by a retry. */
          db->autocommit = 0;
          v->want_commit = 0;
          set_error(v, rc, NULL);
          if (db) db_error(db, rc, NULL);
          return rc;
        }
        if ((rc & 0xff) == SQLITE_BUSY && v->readonly) return rc; /* retry the step */
        /* Anything else, BUSY included for a writing statement in
        ** auto-commit mode: the statement fails and its changes roll back. */
        set_error(v, rc, NULL);
        v->want_commit = 2; /* roll back instead */
      } else if (rc == SQLITE_CONSTRAINT_COMMITHOOK) {
        v->want_commit = 2;
      }
    }
    if (v->want_commit == 1) v->want_commit = 0;
  }
  if (v->want_commit == 2) {
    /* the failed commit's rollback; a PENDING brings us back here */
    rc = rollback_all(v);
    if (rc == SHALE_PENDING) return rc;
    v->want_commit = 0;
  }
  if (v->counted_active) {
    db->n_vdbe_active--;
    v->counted_active = 0;
  }
  if (v->is_writer_counted) {
    db->n_vdbe_write--;
    v->is_writer_counted = 0;
  }
  return SQLITE_OK;
}

/* ----------------------------------------------------- trigger frames -- */
static void frame_free_storage(Vdbe *v, VdbeFrame *f) {
  if (f->my_mem) {
    for (int i = 0; i <= f->prog->n_mem; i++) mem_release(&f->my_mem[i]);
    sqlite3_free(f->my_mem);
  }
  if (f->my_csr) {
    for (int i = 0; i < f->prog->n_csr; i++) vdbe_cursor_close(v, f->my_csr[i]);
    sqlite3_free(f->my_csr);
  }
  sqlite3_free(f->once);
}

static void frame_pop(Vdbe *v) {
  VdbeFrame *f = v->frame;
  if (!f) return;
  v->ops = f->ops;
  v->n_op = f->n_op;
  v->mem = f->mem;
  v->n_mem = f->n_mem;
  v->csr = f->csr;
  v->n_csr = f->n_csr;
  v->pc = f->pc;
  v->db->last_rowid = f->last_rowid;
  v->frame = f->parent;
  v->n_frame--;
  frame_free_storage(v, f);
  sqlite3_free(f);
}

void vdbe_cleanup_run(Vdbe *v) {
  while (v->frame) frame_pop(v);
  for (int i = 0; i < v->n_csr; i++) {
    if (v->csr && v->csr[i]) {
      vdbe_cursor_close(v, v->csr[i]);
      v->csr[i] = NULL;
    }
  }
  AuxData *a = v->aux;
  while (a) {
    AuxData *n = a->next;
    if (a->xDel) a->xDel(a->p);
    sqlite3_free(a);
    a = n;
  }
  v->aux = NULL;
  if (v->vac.f) {
    if (v->vac.writing && !v->vac.io.done && v->db && v->db->vfs && v->db->vfs->poll) {
      while (!v->vac.io.done) v->db->vfs->poll(v->db->vfs, 1);
    }
    v->vac.f->methods->close(v->vac.f);
    v->vac.f = NULL;
  }
  sqlite3_free(v->vac.buf);
  v->vac.buf = NULL;
  v->vac.writing = 0;
  vdbe_vacuum_free(v->vacuum);
  v->vacuum = NULL;
  if (v->mem) {
    for (int i = 0; i <= v->n_mem; i++) {
      Mem *m = &v->mem[i];
      /* MEM_Static: no register keeps a reference to bound values */
      if (m->flags & (MEM_Agg | MEM_Obj | MEM_Dyn | MEM_Ptr | MEM_Static)) mem_set_null(m);
    }
  }
  if (v->once) memset(v->once, 0, (size_t)v->n_op + 1);
}

/* --------------------------------------------------------- auxdata -- */
void *sqlite3_get_auxdata(sqlite3_context *c, int n) {
  if (!c || !c->vdbe) return NULL;
  for (AuxData *a = c->vdbe->aux; a; a = a->next)
    if (a->op == c->op_index && a->arg == n) return a->p;
  return NULL;
}

void sqlite3_set_auxdata(sqlite3_context *c, int n, void *p, void (*xDel)(void *)) {
  if (!c || !c->vdbe) {
    if (xDel) xDel(p);
    return;
  }
  AuxData *a;
  for (a = c->vdbe->aux; a; a = a->next)
    if (a->op == c->op_index && a->arg == n) break;
  if (!a) {
    a = shale_malloc_zero(sizeof(AuxData));
    if (!a) {
      if (xDel) xDel(p);
      return;
    }
    a->op = c->op_index;
    a->arg = n;
    a->next = c->vdbe->aux;
    c->vdbe->aux = a;
  } else if (a->xDel) {
    a->xDel(a->p);
  }
  a->p = p;
  a->xDel = xDel;
}

/* ----------------------------------------------------- arithmetic ---- */
/* mem_set_int without the call when the register owns nothing to free
** (value.c's MEM_NEEDS_CLEAR test). */
static inline void set_int(Mem *m, i64 x) {
  if ((m->flags & (MEM_Dyn | MEM_Agg | MEM_Obj | MEM_Ptr)) || m->z16) {
    mem_set_int(m, x);
    return;
  }
  m->flags = MEM_Int;
  m->i = x;
  m->z = NULL;
  m->n = 0;
  m->subtype = 0;
  m->nochange = 0;
}

static int arith(int opcode, Mem *a /*P1*/, Mem *b /*P2*/, Mem *out) {
  /* result = b OP a for Subtract/Divide/Remainder (P2 - P1) */
  if ((a->flags | b->flags) & MEM_Null) {
    mem_set_null(out);
    return SQLITE_OK;
  }
  i64 ia = 0, ib = 0;
  double ra = 0, rb = 0;
  int ta, tb;
  if ((a->flags & MEM_TypeMask) == MEM_Int && (b->flags & MEM_TypeMask) == MEM_Int) {
    ia = a->i;
    ib = b->i;
    ta = tb = MEM_Int;
  } else {
    ta = mem_numeric_type(a, &ia, &ra);
    tb = mem_numeric_type(b, &ib, &rb);
  }
  if (ta == MEM_Int && tb == MEM_Int) {
    i64 r;
    switch (opcode) {
      case OP_Add:
        if (__builtin_add_overflow(ib, ia, &r)) goto fp;
        break;
      case OP_Subtract:
        if (__builtin_sub_overflow(ib, ia, &r)) goto fp;
        break;
      case OP_Multiply:
        if (__builtin_mul_overflow(ib, ia, &r)) goto fp;
        break;
      case OP_Divide:
        if (ia == 0) {
          mem_set_null(out);
          return SQLITE_OK;
        }
        if (ia == -1 && ib == SMALLEST_INT64) goto fp;
        r = ib / ia;
        break;
      default: /* Remainder */
        if (ia == 0) {
          mem_set_null(out);
          return SQLITE_OK;
        }
        if (ia == -1) ia = 1;
        r = ib % ia;
        break;
    }
    set_int(out, r);
    return SQLITE_OK;
  }
fp:
  if (ta == MEM_Int) ra = (double)ia;
  if (tb == MEM_Int) rb = (double)ib;
  double r;
  switch (opcode) {
    case OP_Add: r = rb + ra; break;
    case OP_Subtract: r = rb - ra; break;
    case OP_Multiply: r = rb * ra; break;
    case OP_Divide:
      if (ra == 0.0) {
        mem_set_null(out);
        return SQLITE_OK;
      }
      r = rb / ra;
      break;
    default: {
      /* like SQLite: the integer value of each operand as stored (a text
      ** operand gives its integer prefix: '1e3' % 2.5 is 1 % 2) */
      i64 x = mem_int_value(a);
      i64 y = mem_int_value(b);
      if (x == 0) {
        mem_set_null(out);
        return SQLITE_OK;
      }
      if (x == -1) x = 1;
      r = (double)(y % x);
      break;
    }
  }
  if (isnan(r)) mem_set_null(out);
  else mem_set_real(out, r);
  return SQLITE_OK;
}

/* Shallow, non-owning view of a Mem for comparisons. */
static void mem_view(Mem *t, const Mem *m) {
  memset(t, 0, sizeof(*t));
  t->flags = (u16)((m->flags & (MEM_Null | MEM_Str | MEM_Int | MEM_Real | MEM_IntReal | MEM_Blob | MEM_Zero)) |
                   ((m->flags & (MEM_Str | MEM_Blob)) ? MEM_Static : 0));
  t->z = m->z;
  t->n = m->n;
  t->i = m->i;
  t->r = m->r;
  t->u = m->u;
  t->db = m->db; /* text comparisons follow the database encoding */
}

static int compare_with_affinity(Mem *p1, Mem *p3, int p5, const CollSeq *coll) {
  Mem a, b;
  char aff = (char)(p5 & SQLITE_AFF_MASK);
  if ((u8)aff >= SQLITE_AFF_NUMERIC) {
    const u16 num = MEM_Int | MEM_Real | MEM_IntReal;
    int s1 = (p1->flags & (num | MEM_Str)) == MEM_Str, s3 = (p3->flags & (num | MEM_Str)) == MEM_Str;
    if (!s1 && !s3) return mem_compare(p3, p1, coll); /* nothing to convert */
    /* convert views, never the registers (no allocation happens here) */
    const Mem *x = p1, *y = p3;
    if (s1) {
      mem_view(&a, p1);
      mem_apply_numeric_affinity(&a, 0);
      x = &a;
    }
    if (s3) {
      mem_view(&b, p3);
      mem_apply_numeric_affinity(&b, 0);
      y = &b;
    }
    return mem_compare(y, x, coll);
  }
  if ((u8)aff == SQLITE_AFF_TEXT) {
    if (!(p1->flags & MEM_Str) && (p1->flags & (MEM_Int | MEM_Real | MEM_IntReal))) mem_stringify(p1);
    if (!(p3->flags & MEM_Str) && (p3->flags & (MEM_Int | MEM_Real | MEM_IntReal))) mem_stringify(p3);
    mem_view(&a, p1);
    mem_view(&b, p3);
    if (a.flags & MEM_Str) a.flags &= (u16)~(MEM_Int | MEM_Real | MEM_IntReal);
    if (b.flags & MEM_Str) b.flags &= (u16)~(MEM_Int | MEM_Real | MEM_IntReal);
    return mem_compare(&b, &a, coll);
  }
  return mem_compare(p3, p1, coll);
}

static int int_float_compare(i64 i, double r) {
  Mem a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.flags = MEM_Int;
  a.i = i;
  b.flags = MEM_Real;
  b.r = r;
  return mem_compare(&a, &b, NULL);
}

/* Table name for update hooks: P4 is the code generator's Table (whose
** first field is its name) or the name as a string. */
static const char *op_table_name(const VdbeOp *op) {
  if (op->p4type == P4_TABLE && op->p4.p) return *(char *const *)op->p4.p;
  if ((op->p4type == P4_STATIC || op->p4type == P4_DYNAMIC) && op->p4.z) return op->p4.z;
  return NULL;
}

/* ------------------------------------------------------ function calls -- */
static sqlite3_context *func_ctx(Vdbe *v, VdbeOp *op) {
  if (op->p4type == P4_FUNCCTX) return op->p4.p;
  if (op->p4type != P4_FUNCDEF) return NULL;
  sqlite3_context *c = shale_malloc_zero(sizeof(sqlite3_context));
  if (!c) return NULL;
  c->def = op->p4.pFunc;
  c->db = v->db;
  c->arg_count = op->p5 ? op->p5 : (c->def && c->def->n_arg > 0 ? c->def->n_arg : 0);
  op->p4type = P4_FUNCCTX;
  op->p4.p = c;
  return c;
}

/* ------------------------------------------------------ the main loop -- */
#define ERR(code, ...)                                    \
  do {                                                    \
    set_error(v, (code), sqlite3_mprintf(__VA_ARGS__));   \
    goto abort_due_to_error;                              \
  } while (0)
/* Write the loop's locals back to the statement (every exit). */
#define SAVE_PC() (v->pc = pc)
#define CHECK_RC(x)                                       \
  do {                                                    \
    rc = (x);                                             \
    if (rc) goto io_or_error;                             \
  } while (0)

static int start_run(Vdbe *v) {
  sqlite3 *db = v->db;
  v->stmt_status[6]++; /* SQLITE_STMTSTATUS_RUN */
  v->state = VDBE_RUN;
  v->pc = 0;
  v->rc = SQLITE_OK;
  sqlite3_free(v->err_msg);
  v->err_msg = NULL;
  v->n_change = 0;
  v->n_change_sub = 0;
  v->halted = 0;
  v->halt_stage = 0;
  v->halt_plan = 0;
  v->halt_err = 0;
  v->want_commit = 0;
  v->halt_action = 0;
  v->committing = 0;
  v->cache_ctr++;
  v->fk_constraints = 0;
  v->fk_deferred = 0;
  v->is_commit = 0;
  v->explain_pc = 0;
  v->wrote = 0;
  if (db) {
    db->n_vdbe_active++;
    v->counted_active = 1;
    if (!v->readonly) {
      db->n_vdbe_write++;
      v->is_writer_counted = 1;
    }
    v->have_start_time = 0; /* the clock is read when 'now' is first needed */
  }
  return SQLITE_OK;
}

/* The statement's time ('now' for date functions): read from the VFS once
** per run, on first use (as SQLite does), not at every statement start. */
i64 vdbe_statement_time_ms(Vdbe *v) {
  if (!v->have_start_time) {
    i64 t = 0;
    if (v->db && v->db->vfs && v->db->vfs->current_time_ms) v->db->vfs->current_time_ms(v->db->vfs, &t);
    v->start_time_ms = t;
    v->have_start_time = 1;
  }
  return v->start_time_ms;
}

static int seek_table(VdbeCursor *c, int oc, Mem *key, int *jump) {
  /* returns rc; *jump set if no row */
  Mem x;
  mem_view(&x, key);
  if ((x.flags & (MEM_Int | MEM_Real | MEM_IntReal | MEM_Str)) == MEM_Str) mem_apply_numeric_affinity(&x, 0);
  i64 ikey = mem_int_value(&x);
  int rc, res = 0;
  *jump = 0;
  if (!(x.flags & (MEM_Int | MEM_IntReal))) {
    if (!(x.flags & MEM_Real)) {
      if ((x.flags & MEM_Null) || oc == OP_SeekGE || oc == OP_SeekGT) {
        *jump = 1;
        return SQLITE_OK;
      }
      int empty;
      rc = btree_last(c->bt, &empty);
      if (rc) return rc;
      *jump = empty;
      return SQLITE_OK;
    }
    int cmp = int_float_compare(ikey, x.r);
    if (cmp > 0) {
      if (oc == OP_SeekGT) oc = OP_SeekGE;
      else if (oc == OP_SeekLE) oc = OP_SeekLT;
    } else if (cmp < 0) {
      if (oc == OP_SeekGE) oc = OP_SeekGT;
      else if (oc == OP_SeekLT) oc = OP_SeekLE;
    }
  }
  rc = btree_table_moveto(c->bt, ikey, &res);
  if (rc) return rc;
  if (oc == OP_SeekGE || oc == OP_SeekGT) {
    if (res < 0 || (res == 0 && oc == OP_SeekGT) || btree_eof(c->bt)) {
      if (btree_eof(c->bt) && res >= 0) {
        *jump = 1;
        return SQLITE_OK;
      }
      rc = btree_next(c->bt);
      if (rc == SQLITE_DONE) {
        *jump = 1;
        return SQLITE_OK;
      }
      if (rc) return rc;
    }
  } else {
    if (res > 0 || (res == 0 && oc == OP_SeekLT)) {
      rc = btree_prev(c->bt);
      if (rc == SQLITE_DONE) {
        *jump = 1;
        return SQLITE_OK;
      }
      if (rc) return rc;
    } else if (btree_eof(c->bt)) {
      *jump = 1;
    }
  }
  return SQLITE_OK;
}

/* Opcodes whose P1 must be an open cursor (a code generator bug must give
** an error, never a crash): which kinds of cursor each accepts.  256
** entries, so any opcode byte indexes it. */
enum { NC_BTREE = 1, NC_SORTER = 2, NC_ANY = 3 };
static const u8 needs_cursor[256] = {
    [OP_Rewind] = NC_ANY, [OP_Next] = NC_ANY, [OP_Prev] = NC_BTREE, [OP_Last] = NC_BTREE,
    [OP_SeekEnd] = NC_BTREE, [OP_SeekLT] = NC_BTREE, [OP_SeekLE] = NC_BTREE, [OP_SeekGE] = NC_BTREE,
    [OP_SeekGT] = NC_BTREE, [OP_Found] = NC_BTREE, [OP_NotFound] = NC_BTREE, [OP_NoConflict] = NC_BTREE,
    [OP_SeekRowid] = NC_BTREE, [OP_NotExists] = NC_BTREE, [OP_Sequence] = NC_ANY,
    [OP_SequenceTest] = NC_ANY, [OP_NewRowid] = NC_BTREE, [OP_Insert] = NC_BTREE,
    [OP_Delete] = NC_BTREE, [OP_SorterCompare] = NC_SORTER, [OP_SorterData] = NC_SORTER,
    [OP_RowData] = NC_BTREE, [OP_SorterSort] = NC_ANY, [OP_Sort] = NC_ANY, [OP_SorterNext] = NC_ANY,
    [OP_SorterInsert] = NC_ANY, [OP_IdxInsert] = NC_BTREE, [OP_IdxDelete] = NC_BTREE,
    [OP_DeferredSeek] = NC_BTREE, [OP_IdxRowid] = NC_BTREE, [OP_FinishSeek] = NC_BTREE,
    [OP_IdxLE] = NC_BTREE, [OP_IdxGT] = NC_BTREE, [OP_IdxLT] = NC_BTREE, [OP_IdxGE] = NC_BTREE,
    [OP_ResetSorter] = NC_ANY, [OP_Count] = NC_BTREE,
};

int vdbe_exec(Vdbe *v) {
  if (!v) return SQLITE_MISUSE;
  sqlite3 *db = v->db;
  int rc = SQLITE_OK;
  if (v->state == VDBE_HALT) {
    if (v->counted_active || v->want_commit) {
      rc = vdbe_halt(v);
      if (rc == SHALE_PENDING || rc == SQLITE_BUSY) return rc;
      if (v->rc == SQLITE_OK || v->rc == SQLITE_DONE) return SQLITE_DONE;
      if (db) db_error(db, v->rc, "%s", v->err_msg ? v->err_msg : vdbe_errstr(v->rc));
      return v->rc;
    }
    return SQLITE_MISUSE;
  }
  if (v->state == VDBE_READY) {
    if (!v->ops || v->n_op == 0) {
      v->state = VDBE_HALT;
      return SQLITE_DONE;
    }
    start_run(v);
  }
  if (v->explain) return explain_step(v);
  VdbeOp *ops = v->ops;
  Mem *mem = v->mem;
  int pc = v->pc;
  /* As in SQLite, interrupts and the progress handler are checked on entry
  ** and at every jump (every `continue` below), never per opcode:
  ** straight-line code is bounded, every loop jumps. */
  const u32 step_base = (u32)v->stmt_status[SQLITE_STMTSTATUS_VM_STEP];
  u64 progress_limit = ~(u64)0; /* steps of this call before the next callback */
  if (db && db->progress && db->progress_ops > 0)
    progress_limit = (u64)db->progress_ops - (u64)(step_base % (u32)db->progress_ops);
  v->result = NULL;
  v->n_result = 0;

  for (;;) {
    /* a jump (or the first opcode of this call) */
    if (db) {
      if (db->interrupted) {
        set_error(v, SQLITE_INTERRUPT, shale_strdup("interrupted"));
        goto abort_due_to_error;
      }
      while ((u32)v->stmt_status[SQLITE_STMTSTATUS_VM_STEP] - step_base >= progress_limit && db->progress &&
             db->progress_ops > 0) {
        progress_limit += (u64)db->progress_ops;
        if (db->progress(db->progress_arg)) {
          progress_limit = ~(u64)0;
          set_error(v, SQLITE_INTERRUPT, shale_strdup("interrupted"));
          goto abort_due_to_error;
        }
      }
    }
  next_op:
    if ((unsigned)pc >= (unsigned)v->n_op) {
      /* falling off the end = Halt */
      if (v->frame) {
        int ppc = v->frame->pc;
        frame_pop(v);
        ops = v->ops;
        mem = v->mem;
        pc = ppc + 1;
        continue;
      }
      v->rc = SQLITE_DONE;
      goto halt;
    }
    VdbeOp *op = &ops[pc];
    v->stmt_status[SQLITE_STMTSTATUS_VM_STEP]++;
    Mem *in1, *in2, *in3, *out;
    VdbeCursor *c;
    u8 need = needs_cursor[op->opcode];
    if (need) {
      if ((unsigned)op->p1 >= (unsigned)v->n_csr || !(c = v->csr[op->p1]))
        ERR(SQLITE_INTERNAL, "cursor %d is not open (%s)", op->p1, shale_opcode_names[op->opcode]);
      int ok = c->type == CURTYPE_BTREE ? ((need & NC_BTREE) && c->bt != NULL)
               : c->type == CURTYPE_SORTER ? ((need & NC_SORTER) && c->sorter != NULL)
                                            : 0;
      if (!ok) ERR(SQLITE_INTERNAL, "cursor %d cannot do %s", op->p1, shale_opcode_names[op->opcode]);
    }
    switch (op->opcode) {
      case OP_Noop:
      case OP_Explain:
      case OP_ColumnsUsed:
      case OP_SeekScan:
      case OP_SeekHit:
      case OP_IfNoHope:
      case OP_IfSmaller:
      case OP_Abortable:
      case OP_ReleaseReg:
      case OP_Trace:
      case OP_CursorHint:
      case OP_VarCheck:
      case OP_Expire:
      case OP_TypeCheck:
        break;

      case OP_Init:
        if (op->p2 > 0) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_Goto:
        pc = op->p2;
        continue;
      case OP_Gosub:
        mem_set_int(&mem[op->p1], pc);
        pc = op->p2;
        continue;
      case OP_Return:
        in1 = &mem[op->p1];
        if (in1->flags & MEM_Int) {
          pc = (int)in1->i + 1;
          continue;
        }
        break;
      case OP_InitCoroutine:
        mem_set_int(&mem[op->p1], op->p3 - 1);
        if (op->p2) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_EndCoroutine: {
        in1 = &mem[op->p1];
        int yaddr = (int)in1->i;
        mem_set_null(in1);
        pc = ops[yaddr].p2;
        continue;
      }
      case OP_Yield: {
        in1 = &mem[op->p1];
        int dest = (int)in1->i;
        mem_set_int(in1, pc);
        pc = dest + 1;
        continue;
      }
      case OP_HaltIfNull:
        if (!(mem[op->p3].flags & MEM_Null)) break;
        /* fall through */
      case OP_Halt: {
        if (v->frame && op->p1 == SQLITE_OK) {
          /* end of a trigger program */
          VdbeFrame *f = v->frame;
          int ppc = f->pc;
          int jump = op->p2 == OE_Ignore;
            frame_pop(v);
          ops = v->ops;
          mem = v->mem;
          pc = jump ? ops[ppc].p2 : ppc + 1;
          continue;
        }
        if (op->p1 != SQLITE_OK) {
          char *msg = NULL;
          static const char *const kinds[] = {NULL, "NOT NULL", "UNIQUE", "CHECK", "FOREIGN KEY"};
          if (op->p5 >= 1 && op->p5 <= 4) {
            if (op->p4type != P4_NOTUSED && op->p4.z)
              msg = sqlite3_mprintf("%s constraint failed: %s", kinds[op->p5], op->p4.z);
            else
              msg = sqlite3_mprintf("%s constraint failed", kinds[op->p5]);
          } else if ((op->p4type == P4_STATIC || op->p4type == P4_DYNAMIC) && op->p4.z) {
            msg = shale_strdup(op->p4.z);
          }
          set_error(v, op->p1, msg);
          v->halt_action = (u8)op->p2;
            while (v->frame) frame_pop(v);
          ops = v->ops;
          mem = v->mem;
          goto halt_error;
        }
        v->rc = SQLITE_DONE;
        goto halt;
      }
      case OP_Once: {
        u8 *once = v->frame ? v->frame->once : v->once;
        if (once[pc]) {
          pc = op->p2;
          continue;
        }
        once[pc] = 1;
        break;
      }
      case OP_If:
      case OP_IfNot: {
        in1 = &mem[op->p1];
        int jump;
        if (in1->flags & MEM_Null) jump = op->p3 != 0;
        else {
          int t = mem_is_true(in1, 0);
          jump = op->opcode == OP_If ? t : !t;
        }
        if (jump) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_IfPos:
        in1 = &mem[op->p1];
        if (in1->i > 0 && (in1->flags & MEM_Int)) {
          in1->i -= op->p3;
          pc = op->p2;
          continue;
        }
        break;
      case OP_IfNotZero:
        in1 = &mem[op->p1];
        if (in1->i != 0) {
          if (in1->i > 0) in1->i--;
          pc = op->p2;
          continue;
        }
        break;
      case OP_DecrJumpZero:
        in1 = &mem[op->p1];
        if (in1->i > SMALLEST_INT64) in1->i--;
        if (in1->i == 0) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_IsNull:
        if (mem[op->p1].flags & MEM_Null) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_NotNull:
        if (!(mem[op->p1].flags & MEM_Null)) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_IfNullRow:
        c = (op->p1 >= 0 && op->p1 < v->n_csr) ? v->csr[op->p1] : NULL;
        if (c && c->null_row) {
          mem_set_null(&mem[op->p3]);
          pc = op->p2;
          continue;
        }
        break;
      case OP_ZeroOrNull:
        if ((mem[op->p1].flags & MEM_Null) || (mem[op->p3].flags & MEM_Null)) mem_set_null(&mem[op->p2]);
        else mem_set_int(&mem[op->p2], 0);
        break;
      case OP_Jump:
        if (v->icompare < 0) pc = op->p1;
        else if (v->icompare == 0) pc = op->p2;
        else pc = op->p3;
        continue;
      case OP_Integer:
        set_int(&mem[op->p2], op->p1);
        break;
      case OP_Int64:
        mem_set_int(&mem[op->p2], *op->p4.pI64);
        break;
      case OP_Real:
        mem_set_real(&mem[op->p2], *op->p4.pReal);
        break;
      case OP_String8:
      case OP_String:
        if (op->p4type == P4_MEM) mem_copy(&mem[op->p2], op->p4.p);
        else if (op->opcode == OP_String && op->p1 > 0) mem_set_str(&mem[op->p2], op->p4.z ? op->p4.z : "", op->p1, SQLITE_STATIC);
        else mem_set_str(&mem[op->p2], op->p4.z ? op->p4.z : "", -1, SQLITE_STATIC);
        break;
      case OP_BeginSubrtn:
      case OP_Null: {
        int lo = op->p2, hi = op->p3 > op->p2 ? op->p3 : op->p2;
        for (int i = lo; i <= hi; i++) mem_set_null(&mem[i]);
        break;
      }
      case OP_SoftNull:
        mem_set_null(&mem[op->p1]);
        break;
      case OP_Blob:
        if (op->p4type == P4_MEM) mem_copy(&mem[op->p2], op->p4.p);
        else mem_set_blob(&mem[op->p2], op->p4.z, op->p1, SQLITE_STATIC);
        if (op->p1 == 0 && !(mem[op->p2].flags & MEM_Blob)) mem_set_blob(&mem[op->p2], NULL, 0, SQLITE_STATIC);
        break;
      case OP_Variable:
        if (op->p1 >= 1 && op->p1 <= v->n_var && (v->vars[op->p1 - 1].flags & (MEM_Str | MEM_Blob)) &&
            !(v->vars[op->p1 - 1].flags & (MEM_Zero | MEM_Ptr | MEM_Agg | MEM_Obj))) {
          /* as SQLite: a reference to the bound bytes, which cannot change
          ** while the statement runs (binding needs a reset, and reset
          ** drops such references: vdbe_cleanup_run) */
          mem_set_static_ref(&mem[op->p2], &v->vars[op->p1 - 1]);
        } else if (op->p1 >= 1 && op->p1 <= v->n_var) {
          mem_copy(&mem[op->p2], &v->vars[op->p1 - 1]);
          mem[op->p2].flags &= (u16)~MEM_FromBind;
          if (mem[op->p2].flags & MEM_Static) mem_make_writable(&mem[op->p2]);
          if (v->vars[op->p1 - 1].flags & MEM_Ptr) {
            mem[op->p2].flags = MEM_Null | MEM_Ptr;
          }
        } else {
          mem_set_null(&mem[op->p2]);
        }
        break;
      case OP_Move:
        for (int i = 0; i < op->p3; i++) {
          mem_move(&mem[op->p2 + i], &mem[op->p1 + i]);
          mem[op->p1 + i].db = db;
        }
        break;
      case OP_Copy:
        for (int i = 0; i <= op->p3; i++) mem_copy(&mem[op->p2 + i], &mem[op->p1 + i]);
        if (op->p5 & 2) /* a co-routine's column read: no subtype, as from a record (SQLite) */
          for (int i = 0; i <= op->p3; i++) mem[op->p2 + i].flags &= (u16)~MEM_Subtype;
        break;
      case OP_SCopy:
        mem_copy(&mem[op->p2], &mem[op->p1]);
        break;
      case OP_IntCopy:
        mem_set_int(&mem[op->p2], mem_int_value(&mem[op->p1]));
        break;
      case OP_ResultRow: {
        for (int i = 0; i < op->p2; i++) {
          Mem *m = &mem[op->p1 + i];
          if (m->flags & MEM_Zero) mem_expand_zero(m);
          if ((m->flags & (MEM_Str | MEM_Blob)) && !(m->flags & MEM_Term)) mem_nul_terminate(m);
        }
        v->result = &mem[op->p1];
        v->n_result = op->p2;
        pc++;
        SAVE_PC();
        if (db) {
          /* the statement's changes become visible to sqlite3_changes at the end */
        }
        return SQLITE_ROW;
      }
      case OP_Concat: {
        in1 = &mem[op->p1];
        in2 = &mem[op->p2];
        out = &mem[op->p3];
        if ((in1->flags | in2->flags) & MEM_Null) {
          mem_set_null(out);
          break;
        }
        if (!(in1->flags & (MEM_Str | MEM_Blob))) mem_stringify(in1);
        if (!(in2->flags & (MEM_Str | MEM_Blob))) mem_stringify(in2);
        if (in1->flags & MEM_Zero) mem_expand_zero(in1);
        if (in2->flags & MEM_Zero) mem_expand_zero(in2);
        i64 n = (i64)in1->n + in2->n;
        if (n > max_len(db)) ERR(SQLITE_TOOBIG, "string or blob too big");
        Mem tmp;
        mem_init(&tmp, db);
        Mem *dst = (out == in1 || out == in2) ? &tmp : out;
        if (dst == out) mem_set_null(out);
        if (mem_grow(dst, (int)n + 2, 0)) ERR(SQLITE_NOMEM, "out of memory");
        if (in2->n) memcpy(dst->z, in2->z, (size_t)in2->n);
        if (in1->n) memcpy(dst->z + in2->n, in1->z, (size_t)in1->n);
        dst->z[n] = 0;
        dst->z[n + 1] = 0;
        dst->n = (int)n;
        dst->flags = MEM_Str | MEM_Term;
        if (dst == &tmp) mem_move(out, &tmp);
        mem_release(&tmp);
        break;
      }
      case OP_Add:
      case OP_Subtract:
      case OP_Multiply:
      case OP_Divide:
      case OP_Remainder:
        arith(op->opcode, &mem[op->p1], &mem[op->p2], &mem[op->p3]);
        break;
      case OP_CollSeq:
        v->pending_coll = op->p4type == P4_COLLSEQ ? op->p4.pColl : NULL;
        v->pending_coll_reg = op->p1;
        if (op->p1) mem_set_int(&mem[op->p1], 0);
        break;
      case OP_BitAnd:
      case OP_BitOr:
      case OP_ShiftLeft:
      case OP_ShiftRight: {
        in1 = &mem[op->p1];
        in2 = &mem[op->p2];
        out = &mem[op->p3];
        if ((in1->flags | in2->flags) & MEM_Null) {
          mem_set_null(out);
          break;
        }
        i64 a = mem_int_value(in2), b = mem_int_value(in1);
        /* note: for shifts, P2 is the value and P1 the amount */
        i64 r;
        if (op->opcode == OP_BitAnd) r = a & b;
        else if (op->opcode == OP_BitOr) r = a | b;
        else {
          int left = op->opcode == OP_ShiftLeft;
          i64 sh = b;
          if (sh < 0) {
            left = !left;
            sh = sh >= -64 ? -sh : 64;
          }
          if (sh >= 64) {
            r = (!left && a < 0) ? -1 : 0;
          } else if (left) {
            r = (i64)((u64)a << sh);
          } else {
            r = (i64)((u64)a >> sh);
            if (a < 0) r |= (i64)(((u64)0xffffffffffffffffULL) << (64 - sh));
            if (sh == 0) r = a;
          }
        }
        mem_set_int(out, r);
        break;
      }
      case OP_AddImm:
        in1 = &mem[op->p1];
        mem_set_int(in1, mem_int_value(in1) + op->p2);
        break;
      case OP_MustBeInt: {
        in1 = &mem[op->p1];
        if (!(in1->flags & MEM_Int)) {
          mem_apply_affinity(in1, SQLITE_AFF_NUMERIC);
          if (!(in1->flags & MEM_Int)) {
            if (op->p2 == 0) ERR(SQLITE_MISMATCH, "datatype mismatch");
            pc = op->p2;
            continue;
          }
        }
        break;
      }
      case OP_RealAffinity:
        in1 = &mem[op->p1];
        if (in1->flags & (MEM_Int | MEM_IntReal)) mem_set_real(in1, (double)in1->i);
        break;
      case OP_Cast:
        mem_cast(&mem[op->p1], (char)op->p2);
        break;
      case OP_Eq:
      case OP_Ne:
      case OP_Lt:
      case OP_Le:
      case OP_Gt:
      case OP_Ge: {
        in1 = &mem[op->p1];
        in3 = &mem[op->p3];
        int res;
        int jump;
        if ((in1->flags | in3->flags) & MEM_Null) {
          if (op->p5 & SQLITE_NULLEQ) {
            if ((in1->flags & MEM_Null) && (in3->flags & MEM_Null)) res = 0;
            else res = (in3->flags & MEM_Null) ? -1 : 1;
          } else {
            v->icompare = 1; /* ElseEq does not jump */
            v->cmp_null = 1;
            if (op->p5 & SQLITE_JUMPIFNULL) {
              pc = op->p2;
              continue;
            }
            break;
          }
        } else if ((in1->flags & MEM_TypeMask) == MEM_Int && (in3->flags & MEM_TypeMask) == MEM_Int &&
                   (op->p5 & SQLITE_AFF_MASK) != SQLITE_AFF_TEXT) {
          /* two integers: numeric affinity changes nothing, collations do not apply */
          res = in3->i < in1->i ? -1 : in3->i > in1->i;
        } else {
          res = compare_with_affinity(in1, in3, op->p5, op->p4type == P4_COLLSEQ ? op->p4.pColl : NULL);
        }
        v->cmp_null = 0;
        v->icompare = res;
        switch (op->opcode) {
          case OP_Eq: jump = res == 0; break;
          case OP_Ne: jump = res != 0; break;
          case OP_Lt: jump = res < 0; break;
          case OP_Le: jump = res <= 0; break;
          case OP_Gt: jump = res > 0; break;
          default: jump = res >= 0; break;
        }
        if (jump) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_ElseEq:
        if (!v->cmp_null && v->icompare == 0) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_Permutation:
        v->permutation = op->p4.ai;
        break;
      case OP_Compare: {
        KeyInfo *ki = op->p4type == P4_KEYINFO ? op->p4.pKeyInfo : NULL;
        const int *perm = (op->p5 & OPFLAG_PERMUTE) ? v->permutation : NULL;
        int res = 0;
        for (int i = 0; i < op->p3; i++) {
          int idx = perm ? perm[i + 1] : i;
          const CollSeq *coll = ki && i < ki->n_all_field ? ki->coll[i] : NULL;
          res = mem_compare(&mem[op->p1 + idx], &mem[op->p2 + idx], coll);
          if (res) {
            u8 sf = ki && i < ki->n_all_field ? ki->sort_flags[i] : 0;
            if (sf) {
              int anull = (mem[op->p1 + idx].flags | mem[op->p2 + idx].flags) & MEM_Null ? 1 : 0;
              if (!(sf & KEYINFO_ORDER_BIGNULL) || ((sf & KEYINFO_ORDER_DESC) ? 1 : 0) != anull) res = -res;
            }
            break;
          }
        }
        v->icompare = res;
        v->permutation = NULL;
        break;
      }
      case OP_And:
      case OP_Or: {
        int a = (mem[op->p1].flags & MEM_Null) ? 2 : mem_is_true(&mem[op->p1], 0);
        int b = (mem[op->p2].flags & MEM_Null) ? 2 : mem_is_true(&mem[op->p2], 0);
        int r;
        if (op->opcode == OP_And) {
          static const u8 and_tab[9] = {0, 0, 0, 0, 1, 2, 0, 2, 2};
          r = and_tab[a * 3 + b];
        } else {
          static const u8 or_tab[9] = {0, 1, 2, 1, 1, 1, 2, 1, 2};
          r = or_tab[a * 3 + b];
        }
        if (r == 2) mem_set_null(&mem[op->p3]);
        else mem_set_int(&mem[op->p3], r);
        break;
      }
      case OP_IsTrue: {
        in1 = &mem[op->p1];
        int t = (in1->flags & MEM_Null) ? op->p3 : mem_is_true(in1, 0);
        mem_set_int(&mem[op->p2], (t ? 1 : 0) ^ (op->p4.i ? 1 : 0));
        break;
      }
      case OP_Not:
        in1 = &mem[op->p1];
        if (in1->flags & MEM_Null) mem_set_null(&mem[op->p2]);
        else mem_set_int(&mem[op->p2], !mem_is_true(in1, 0));
        break;
      case OP_BitNot:
        in1 = &mem[op->p1];
        if (in1->flags & MEM_Null) mem_set_null(&mem[op->p2]);
        else mem_set_int(&mem[op->p2], ~mem_int_value(in1));
        break;
      case OP_Function:
      case OP_PureFunc: {
        sqlite3_context *ctx = func_ctx(v, op);
        if (!ctx) ERR(SQLITE_NOMEM, "out of memory");
        Mem *args[128];
        int n = ctx->arg_count;
        if (n > 127) n = 127;
        for (int i = 0; i < n; i++) args[i] = &mem[op->p2 + i];
        out = &mem[op->p3];
        Mem result;
        int direct = !(op->p3 >= op->p2 && op->p3 < op->p2 + n);
        if (!direct) mem_init(&result, db);
        if (direct) mem_set_null(out);
        ctx->out = direct ? out : &result;
        ctx->vdbe = v;
        ctx->op_index = pc;
        ctx->is_error = 0;
        ctx->coll = v->pending_coll;
        ctx->now_ms = v->start_time_ms;
        ctx->agg = NULL;
        ctx->def->x_func(ctx, n, args);
        v->pending_coll = NULL;
        if (ctx->is_error) {
          char *msg = ctx->err ? ctx->err : sqlite3_mprintf("%s", vdbe_errstr(ctx->is_error));
          ctx->err = NULL;
          if (!direct) mem_release(&result);
          set_error(v, ctx->is_error, msg);
          goto abort_due_to_error;
        }
        if (!direct) {
          mem_move(out, &result);
          mem_release(&result);
        }
        out->db = db;
        if ((out->flags & (MEM_Str | MEM_Blob)) &&
            (i64)out->n + ((out->flags & MEM_Zero) ? out->u.nzero : 0) > max_len(db))
          ERR(SQLITE_TOOBIG, "string or blob too big");
        break;
      }
      case OP_AggStep:
      case OP_AggInverse: {
        sqlite3_context *ctx = func_ctx(v, op);
        if (!ctx) ERR(SQLITE_NOMEM, "out of memory");
        Mem *args[128];
        int n = ctx->arg_count;
        if (n > 127) n = 127;
        for (int i = 0; i < n; i++) args[i] = &mem[op->p2 + i];
        Mem *result = &v->agg_scratch; /* a step's result is ignored */
        ctx->out = result;
        ctx->agg = &mem[op->p3];
        ctx->vdbe = v;
        ctx->op_index = pc;
        ctx->is_error = 0;
        ctx->skip = 0;
        ctx->coll = v->pending_coll;
        ctx->now_ms = v->start_time_ms;
        /* 3.40: OP_AggStep with P1 != 0 runs xInverse (window frames) */
        if (op->opcode == OP_AggInverse || op->p1) {
          if (ctx->def->x_inverse) ctx->def->x_inverse(ctx, n, args);
        } else if (ctx->def->x_step) {
          ctx->def->x_step(ctx, n, args);
        }
        v->pending_coll = NULL;
        if (ctx->is_error) {
          char *msg = ctx->err ? ctx->err : sqlite3_mprintf("%s", vdbe_errstr(ctx->is_error));
          ctx->err = NULL;
          mem_set_null(result);
          set_error(v, ctx->is_error, msg);
          goto abort_due_to_error;
        }
        if (result->flags != MEM_Null) mem_set_null(result);
        if (v->pending_coll_reg && ctx->skip) mem_set_int(&mem[v->pending_coll_reg], 1);
        v->pending_coll_reg = 0;
        break;
      }
      case OP_AggValue:
      case OP_AggFinal: {
        FuncDef *def = op->p4type == P4_FUNCDEF ? op->p4.pFunc
                       : op->p4type == P4_FUNCCTX ? (FuncDef *)((sqlite3_context *)op->p4.p)->def : NULL;
        if (!def) ERR(SQLITE_INTERNAL, "bad aggregate");
        sqlite3_context ctx;
        memset(&ctx, 0, sizeof ctx);
        Mem result;
        mem_init(&result, db);
        ctx.out = &result;
        ctx.def = def;
        ctx.db = db;
        ctx.vdbe = v;
        ctx.agg = &mem[op->p1];
        ctx.op_index = pc;
        ctx.now_ms = v->start_time_ms;
        if (op->opcode == OP_AggValue) {
          if (def->x_value) def->x_value(&ctx);
        } else if (def->x_final) {
          def->x_final(&ctx);
        }
        if (op->opcode != OP_AggValue && (mem[op->p1].flags & MEM_Agg)) {
          /* xFinal consumed the state: releasing it must not finalize again */
          mem[op->p1].flags = MEM_Null;
          mem[op->p1].u.def = NULL;
        }
        if (ctx.is_error) {
          char *msg = ctx.err ? ctx.err : sqlite3_mprintf("%s", vdbe_errstr(ctx.is_error));
          mem_release(&result);
          set_error(v, ctx.is_error, msg);
          goto abort_due_to_error;
        }
        if (op->opcode == OP_AggValue) {
          mem_move(&mem[op->p3], &result);
        } else {
          mem_move(&mem[op->p1], &result);
        }
        mem_release(&result);
        break;
      }
      case OP_Column: {
        c = (op->p1 >= 0 && op->p1 < v->n_csr) ? v->csr[op->p1] : NULL;
        out = &mem[op->p3];
        if (!c) {
          mem_set_null(out);
          break;
        }
        CHECK_RC(csr_column(v, c, op->p2, out, op->p4type == P4_MEM ? (const Mem *)op->p4.p : NULL));
        break;
      }
      case OP_Affinity: {
        const char *aff = op->p4.z;
        for (int i = 0; i < op->p2 && aff && aff[i]; i++) mem_apply_affinity(&mem[op->p1 + i], aff[i]);
        break;
      }
      case OP_MakeRecord: {
        const char *aff = (op->p4type == P4_STATIC || op->p4type == P4_DYNAMIC) ? op->p4.z : NULL;
        int n = op->p2;
        Mem *f = &mem[op->p1];
        if (aff) {
          for (int i = 0; i < n && aff[i]; i++) {
            Mem *m = &f[i];
            mem_apply_affinity(m, aff[i]);
            if ((u8)aff[i] == SQLITE_AFF_REAL && (m->flags & MEM_Int)) {
              if (m->i <= 140737488355327LL && m->i >= -140737488355327LL) {
                m->flags = (u16)((m->flags & ~MEM_Int) | MEM_IntReal);
              } else {
                mem_set_real(m, (double)m->i);
              }
            }
          }
        }
        int ff = 4;
        if (db && db->n_db > 0 && db->dbs[0].schema == NULL) ff = 4;
        int overlap = op->p3 >= op->p1 && op->p3 < op->p1 + n;
        Mem tmp;
        mem_init(&tmp, db);
        Mem *dst = overlap ? &tmp : &mem[op->p3];
        rc = record_make(f, n, ff, db_enc(v), dst);
        /* IntReal is a storage trick only: turn registers back into reals */
        for (int i = 0; i < n; i++)
          if (f[i].flags & MEM_IntReal) mem_set_real(&f[i], (double)f[i].i);
        if (rc) {
          mem_release(&tmp);
          ERR(rc, "%s", vdbe_errstr(rc));
        }
        if (overlap) mem_move(&mem[op->p3], &tmp);
        mem_release(&tmp);
        if (mem[op->p3].n > max_len(db)) ERR(SQLITE_TOOBIG, "string or blob too big");
        break;
      }
      case OP_Count: {
        c = v->csr[op->p1];
        i64 n = 0;
        CHECK_RC(btree_count(c->bt, &n));
        mem_set_int(&mem[op->p2], n);
        break;
      }
      case OP_Savepoint: {
        int p1 = op->p1;
        const char *name = op->p4.z ? op->p4.z : "";
        if (p1 == 0) {
          if (db->n_vdbe_write > 1 && 0) ERR(SQLITE_BUSY, "cannot open savepoint - SQL statements in progress");
          VdbeSavepoint *s = shale_malloc_zero(sizeof(VdbeSavepoint));
          if (!s) ERR(SQLITE_NOMEM, "out of memory");
          s->name = shale_strdup(name);
          if (db->autocommit) {
            db->autocommit = 0;
            s->is_txn = 1;
          }
          s->next = db->savepoints;
          db->savepoints = s;
          db->n_savepoint++;
          for (int i = 0; i < db->n_db; i++) {
            Btree *bt = db->dbs[i].btree;
            if (bt && btree_txn_state(bt) == 2) btree_savepoint(bt, SAVEPOINT_BEGIN, db->n_savepoint - 1);
          }
        } else {
          int idx = db->n_savepoint - 1;
          VdbeSavepoint *s;
          for (s = db->savepoints; s; s = s->next, idx--)
            if (shale_stricmp(s->name, name) == 0) break;
          if (!s) ERR(SQLITE_ERROR, "no such savepoint: %s", name);
          if (p1 == 1 && s->is_txn && !s->next) {
            /* RELEASE of the outermost transaction savepoint = COMMIT */
            if (db->n_vdbe_write > (v->is_writer_counted ? 1 : 0))
              ERR(SQLITE_BUSY, "cannot release savepoint - SQL statements in progress");
            db->autocommit = 1;
            while (db->savepoints) {
              VdbeSavepoint *x = db->savepoints;
              db->savepoints = x->next;
              sqlite3_free(x->name);
              sqlite3_free(x);
            }
            db->n_savepoint = 0;
            v->rc = SQLITE_DONE;
            goto halt;
          }
          for (int i = 0; i < db->n_db; i++) {
            Btree *bt = db->dbs[i].btree;
            if (!bt || btree_txn_state(bt) != 2) continue;
            if (p1 == 2) {
              rc = btree_savepoint(bt, SAVEPOINT_ROLLBACK, idx);
              if (rc == SHALE_PENDING) goto io_or_error;
              if (rc) goto io_or_error;
            }
          }
          for (int i = 0; i < db->n_db; i++) {
            Btree *bt = db->dbs[i].btree;
            if (!bt || btree_txn_state(bt) != 2) continue;
            btree_savepoint(bt, SAVEPOINT_RELEASE, p1 == 2 ? idx + 1 : idx);
          }
          /* pop savepoints newer than s; RELEASE pops s too */
          while (db->savepoints != s) {
            VdbeSavepoint *x = db->savepoints;
            db->savepoints = x->next;
            sqlite3_free(x->name);
            sqlite3_free(x);
            db->n_savepoint--;
          }
          if (p1 == 1) {
            db->savepoints = s->next;
            if (s->is_txn) db->autocommit = 1;
            sqlite3_free(s->name);
            sqlite3_free(s);
            db->n_savepoint--;
          } else if (p1 == 2) {
            if (db->schema_reload) db->schema_stale = 1;
          }
        }
        break;
      }
      case OP_AutoCommit: {
        int desired = op->p1, rollback = op->p2;
        if (desired == db->autocommit) {
          if (!desired) ERR(SQLITE_ERROR, "cannot start a transaction within a transaction");
          else if (rollback) ERR(SQLITE_ERROR, "cannot rollback - no transaction is active");
          else ERR(SQLITE_ERROR, "cannot commit - no transaction is active");
        }
        if (rollback) {
          CHECK_RC(rollback_all(v));
          db->autocommit = 1;
        } else if (desired) {
          if (db->n_vdbe_write > (v->is_writer_counted ? 1 : 0))
            ERR(SQLITE_BUSY, "cannot commit transaction - SQL statements in progress");
          db->autocommit = 1;
          v->is_commit = 1;
          savepoints_clear(db);
        } else {
          db->autocommit = 0;
        }
        v->rc = SQLITE_DONE;
        goto halt;
      }
      case OP_Transaction: {
        Btree *bt = db_btree(v, op->p1);
        if (!bt) break;
        int need = op->p2 ? 2 : 1;
        int cookie = 0;
        if (btree_txn_state(bt) < need) {
          int wr = op->p2;
          rc = btree_begin_trans(bt, wr, &cookie);
          if (rc) goto io_or_error;
          if (need == 2 && db->n_savepoint > 0) btree_savepoint(bt, SAVEPOINT_BEGIN, db->n_savepoint - 1);
        } else {
          u32 ck = 0;
          CHECK_RC(btree_get_meta(bt, BTREE_SCHEMA_VERSION, &ck));
          cookie = (int)ck;
        }
        if (op->p2 && !v->stmt_open && !v->single_write && (!db->autocommit || db->n_vdbe_active > 1)) {
          if (!v->stmt_index_taken) {
            v->stmt_index = db->n_savepoint + db->n_statement;
            db->n_statement++;
            v->stmt_index_taken = 1;
          }
          for (int i = 0; i < db->n_db; i++) {
            Btree *b = db->dbs[i].btree;
            if (b && btree_txn_state(b) == 2) btree_savepoint(b, SAVEPOINT_BEGIN, v->stmt_index);
          }
          v->stmt_open = 1;
        } else if (op->p2 && v->stmt_open) {
          btree_savepoint(bt, SAVEPOINT_BEGIN, v->stmt_index);
        }
        if (op->p5 && cookie != op->p3) {
          db->schema_stale = 1;
          ERR(SQLITE_SCHEMA, "database schema has changed");
        }
        break;
      }
      case OP_ReadCookie: {
        Btree *bt = db_btree(v, op->p1);
        u32 val = 0;
        if (bt) CHECK_RC(btree_get_meta(bt, op->p3, &val));
        mem_set_int(&mem[op->p2], (i64)(int)val);
        break;
      }
      case OP_SetCookie: {
        Btree *bt = db_btree(v, op->p1);
        if (bt) CHECK_RC(btree_update_meta(bt, op->p2, (u32)op->p3));
        v->cache_ctr++;
        break;
      }
      case OP_ReopenIdx:
        c = (op->p1 >= 0 && op->p1 < v->n_csr) ? v->csr[op->p1] : NULL;
        if (c && c->root == (Pgno)op->p2 && c->type == CURTYPE_BTREE && c->bt) {
          c->null_row = 0;
          break;
        }
        /* fall through */
      case OP_OpenRead:
      case OP_OpenWrite: {
        Pgno root = (Pgno)op->p2;
        if (op->p5 & OPFLAG_P2ISREG) root = (Pgno)mem_int_value(&mem[op->p2]);
        Btree *bt = db_btree(v, op->p3);
        if (!bt) ERR(SQLITE_ERROR, "no such database");
        BtCursor *bc = NULL;
        CHECK_RC(btree_cursor_open(bt, root, op->opcode == OP_OpenWrite, &bc));
        c = csr_new(v, op->p1, CURTYPE_BTREE);
        if (!c) {
          btree_cursor_close(bc);
          ERR(SQLITE_NOMEM, "out of memory");
        }
        c->bt = bc;
        c->root = root;
        c->idb = op->p3;
        c->is_writer = op->opcode == OP_OpenWrite;
        if (op->p4type == P4_KEYINFO) {
          c->key_info = keyinfo_ref(op->p4.pKeyInfo);
          c->key_info->enc = db_enc(v);
          c->is_table = 0;
          c->n_field = c->key_info->n_all_field;
          btree_cursor_set_record_compare(bc, csr_compare_records, c);
        } else {
          c->is_table = 1;
          c->n_field = op->p4type == P4_INT32 ? op->p4.i : 0;
        }
        break;
      }
      case OP_OpenDup: {
        VdbeCursor *orig = (op->p2 >= 0 && op->p2 < v->n_csr) ? v->csr[op->p2] : NULL;
        if (!orig || !orig->ephem) ERR(SQLITE_INTERNAL, "OpenDup on a non-ephemeral cursor");
        BtCursor *bc = NULL;
        CHECK_RC(btree_cursor_open(orig->ephem->bt, orig->ephem->root, 1, &bc));
        c = csr_new(v, op->p1, CURTYPE_BTREE);
        if (!c) {
          btree_cursor_close(bc);
          ERR(SQLITE_NOMEM, "out of memory");
        }
        c->bt = bc;
        c->ephem = orig->ephem;
        c->ephem->ref++;
        c->root = orig->root;
        c->is_table = orig->is_table;
        c->n_field = orig->n_field;
        c->key_info = keyinfo_ref(orig->key_info);
        if (c->key_info) btree_cursor_set_record_compare(bc, csr_compare_records, c);
        break;
      }
      case OP_OpenAutoindex:
      case OP_OpenEphemeral: {
        if (op->p1 < 0 || op->p1 >= v->n_csr) ERR(SQLITE_INTERNAL, "bad cursor %d", op->p1);
        c = v->csr[op->p1];
        if (c && c->ephem && c->type == CURTYPE_BTREE) {
          /* already open: clear it */
          i64 nd = 0;
          CHECK_RC(btree_clear_table(c->ephem->bt, c->ephem->root, &nd));
          v->cache_ctr++;
          c->null_row = 0;
          c->cache_ok = 0;
          c->seq = 0;
          break;
        }
        /* build storage first (memory b-tree: no real I/O, but be retry-safe) */
        EphemDb *e = shale_malloc_zero(sizeof(EphemDb));
        if (!e) ERR(SQLITE_NOMEM, "out of memory");
        int flags = op->p4type == P4_KEYINFO ? BTREE_BLOBKEY : BTREE_INTKEY;
        rc = btree_open(db->vfs, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, &e->bt);
        if (rc == SQLITE_OK) {
          int ck;
          while ((rc = btree_begin_trans(e->bt, 1, &ck)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        }
        if (rc == SQLITE_OK) {
          while ((rc = btree_create_table(e->bt, &e->root, flags)) == SHALE_PENDING) db->vfs->poll(db->vfs, 1);
        }
        BtCursor *bc = NULL;
        if (rc == SQLITE_OK) rc = btree_cursor_open(e->bt, e->root, 1, &bc);
        if (rc) {
          if (e->bt) btree_close(e->bt);
          sqlite3_free(e);
          ERR(rc, "cannot open ephemeral table");
        }
        e->ref = 1;
        c = csr_new(v, op->p1, CURTYPE_BTREE);
        if (!c) {
          btree_cursor_close(bc);
          btree_close(e->bt);
          sqlite3_free(e);
          ERR(SQLITE_NOMEM, "out of memory");
        }
        c->bt = bc;
        c->ephem = e;
        c->root = e->root;
        c->n_field = op->p2;
        c->is_writer = 1;
        if (op->p4type == P4_KEYINFO) {
          c->key_info = keyinfo_ref(op->p4.pKeyInfo);
          c->key_info->enc = db_enc(v);
          c->is_table = 0;
          btree_cursor_set_record_compare(bc, csr_compare_records, c);
        } else {
          c->is_table = 1;
        }
        break;
      }
      case OP_SorterOpen: {
        c = csr_new(v, op->p1, CURTYPE_SORTER);
        if (!c) ERR(SQLITE_NOMEM, "out of memory");
        c->key_info = keyinfo_ref(op->p4.pKeyInfo);
        if (c->key_info) c->key_info->enc = db_enc(v);
        c->n_field = op->p2;
        /* as in SQLite: the cache size (KiB if negative, else pages) bounds
        ** the records kept in memory; at least 10 pages */
        i64 limit = db->sorter_mem_limit;
        if (limit <= 0) {
          i64 cs = db->cache_size ? db->cache_size : -2000;
          i64 pg = db->n_db > 0 && db->dbs[0].btree ? btree_get_page_size(db->dbs[0].btree) : 4096;
          limit = cs < 0 ? -cs * 1024 : cs * pg;
          if (limit < 10 * pg) limit = 10 * pg;
          if (limit > ((i64)1 << 29)) limit = (i64)1 << 29;
        }
        c->sorter = sorter_new(db->vfs, c->key_info, db_enc(v), limit);
        if (!c->sorter) ERR(SQLITE_NOMEM, "out of memory");
        v->stmt_status[SQLITE_STMTSTATUS_SORT]++;
        break;
      }
      case OP_SequenceTest:
        c = v->csr[op->p1];
        if (c->seq++ == 0) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_OpenPseudo:
        c = csr_new(v, op->p1, CURTYPE_PSEUDO);
        if (!c) ERR(SQLITE_NOMEM, "out of memory");
        c->pseudo_reg = op->p2;
        c->n_field = op->p3;
        c->is_table = 1;
        break;
      case OP_Close:
        if (op->p1 >= 0 && op->p1 < v->n_csr && v->csr[op->p1]) {
          vdbe_cursor_close(v, v->csr[op->p1]);
          v->csr[op->p1] = NULL;
        }
        break;
      case OP_SeekLT:
      case OP_SeekLE:
      case OP_SeekGE:
      case OP_SeekGT: {
        c = v->csr[op->p1];
        int oc = op->opcode;
        int jump = 0;
        if (c->is_table) {
          CHECK_RC(seek_table(c, oc, &mem[op->p3], &jump));
        } else {
          UnpackedRecord r;
          memset(&r, 0, sizeof r);
          r.key_info = c->key_info;
          r.fields = &mem[op->p3];
          r.n_field = (u16)op->p4.i;
          r.enc = db_enc(v);
          r.default_rc = (oc == OP_SeekGE || oc == OP_SeekLT) ? 1 : -1;
          /* SeekGE: equal prefix counts as larger (land on first);
          ** SeekGT: as smaller (land after); SeekLE: smaller→ +1? */
          if (oc == OP_SeekLE) r.default_rc = -1;
          if (oc == OP_SeekLT) r.default_rc = 1;
          int res = 0;
          CHECK_RC(btree_index_moveto(c->bt, record_compare_cb, &r, &res));
          if (r.corrupt) ERR(SQLITE_CORRUPT, "database disk image is malformed");
          if (oc == OP_SeekGE || oc == OP_SeekGT) {
            if (res < 0 && !btree_eof(c->bt)) {
              rc = btree_next(c->bt);
              if (rc == SQLITE_DONE) jump = 1;
              else if (rc) goto io_or_error;
            } else if (btree_eof(c->bt)) {
              jump = 1;
            }
          } else {
            if (res > 0 || btree_eof(c->bt)) {
              if (btree_eof(c->bt) && res <= 0) {
                jump = 1;
              } else {
                rc = btree_prev(c->bt);
                if (rc == SQLITE_DONE) jump = 1;
                else if (rc) goto io_or_error;
              }
            }
          }
        }
        c->null_row = 0;
        c->deferred = 0;
        c->cache_ok = 0;
        if (jump || btree_eof(c->bt)) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_IfNotOpen:
        if (op->p1 >= v->n_csr || !v->csr[op->p1]) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_NoConflict:
      case OP_NotFound:
      case OP_Found: {
        c = v->csr[op->p1];
        UnpackedRecord r;
        memset(&r, 0, sizeof r);
        r.key_info = c->key_info;
        r.enc = db_enc(v);
        r.default_rc = 0;
        Mem stackf[16];
        Mem *fields = NULL;
        int nf_alloc = 0;
        int has_null = 0;
        if (op->p4.i > 0) {
          r.fields = &mem[op->p3];
          r.n_field = (u16)op->p4.i;
          for (int i = 0; i < r.n_field; i++)
            if (mem[op->p3 + i].flags & MEM_Null) has_null = 1;
        } else {
          in3 = &mem[op->p3];
          nf_alloc = c->key_info ? c->key_info->n_all_field : 16;
          if (nf_alloc < 1) nf_alloc = 1;
          fields = nf_alloc <= 16 ? stackf : sqlite3_malloc64(sizeof(Mem) * (u64)nf_alloc);
          if (!fields) ERR(SQLITE_NOMEM, "out of memory");
          for (int i = 0; i < nf_alloc; i++) mem_init(&fields[i], db);
          int nf = 0;
          record_decode_static((const u8 *)in3->z, in3->n, r.enc, fields, nf_alloc, &nf);
          r.fields = fields;
          r.n_field = (u16)(nf < nf_alloc ? nf : nf_alloc);
          for (int i = 0; i < r.n_field; i++)
            if (fields[i].flags & MEM_Null) has_null = 1;
        }
        int res = 0;
        if (op->opcode == OP_NoConflict && has_null) {
          res = 1;
          rc = SQLITE_OK;
        } else {
          rc = btree_index_moveto(c->bt, record_compare_cb, &r, &res);
        }
        if (fields) {
          for (int i = 0; i < nf_alloc; i++) mem_release(&fields[i]);
          if (fields != stackf) sqlite3_free(fields);
        }
        if (rc) goto io_or_error;
        c->null_row = 0;
        c->deferred = 0;
        c->cache_ok = 0;
        c->seek_result = res;
        int found = (res == 0);
        int jump = op->opcode == OP_Found ? found : !found;
        if (jump) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_SeekRowid:
      case OP_NotExists: {
        c = v->csr[op->p1];
        in3 = &mem[op->p3];
        i64 key;
        if (in3->flags & (MEM_Int | MEM_IntReal)) {
          key = in3->i;
        } else if (op->opcode == OP_SeekRowid) {
          Mem x;
          mem_view(&x, in3);
          mem_apply_affinity(&x, SQLITE_AFF_NUMERIC);
          if (!(x.flags & MEM_Int)) {
            pc = op->p2;
            continue;
          }
          key = x.i;
        } else {
          key = mem_int_value(in3);
        }
        int res = 0;
        CHECK_RC(btree_table_moveto(c->bt, key, &res));
        c->null_row = 0;
        c->deferred = 0;
        c->cache_ok = 0;
        c->seek_result = res;
        if (res != 0) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_Sequence:
        c = v->csr[op->p1];
        mem_set_int(&mem[op->p2], c->seq++);
        break;
      case OP_NewRowid: {
        c = v->csr[op->p1];
        i64 newid = 1;
        int empty = 0;
        CHECK_RC(btree_last(c->bt, &empty));
        if (!empty) {
          i64 last = btree_rowid(c->bt);
          if (last == LARGEST_INT64) {
            newid = LARGEST_INT64; /* search for a free one below */
            if (op->p3) ERR(SQLITE_FULL, "database or disk is full");
            /* random probe */
            int found = 0;
            for (int tries = 0; tries < 100 && !found; tries++) {
              u64 rnd = 0;
              sqlite3_randomness(sizeof(rnd), &rnd);
              i64 cand = (i64)(rnd & 0x3fffffffffffffffULL) + 1;
              int res;
              CHECK_RC(btree_table_moveto(c->bt, cand, &res));
              if (res != 0) {
                newid = cand;
                found = 1;
                c->seek_result = res;
              }
            }
            if (!found) ERR(SQLITE_FULL, "database or disk is full");
          } else {
            newid = last + 1;
            c->seek_result = -1; /* the cursor is on the row just below newid */
          }
        } else {
          c->seek_result = 0;
        }
        if (op->p3) {
          Mem *mx = v->frame ? &v->main_mem[op->p3] : &mem[op->p3];
          i64 m = mem_int_value(mx);
          if (m == LARGEST_INT64) ERR(SQLITE_FULL, "database or disk is full");
          if (newid <= m) newid = m + 1;
          mem_set_int(mx, newid);
        }
        c->cache_ok = 0;
        mem_set_int(&mem[op->p2], newid);
        break;
      }
      case OP_Insert: {
        c = v->csr[op->p1];
        in2 = &mem[op->p2];
        i64 rowid = mem_int_value(&mem[op->p3]);
        BtreePayload pl;
        memset(&pl, 0, sizeof pl);
        pl.n_key = rowid;
        if (in2->flags & MEM_Null) {
          pl.data = NULL;
          pl.n_data = 0;
        } else {
          pl.data = in2->z;
          pl.n_data = in2->n;
          if (in2->flags & MEM_Zero) pl.n_zero = in2->u.nzero;
        }
        int seek = (op->p5 & OPFLAG_USESEEKRESULT) ? c->seek_result : 0;
        int flags = (op->p5 & OPFLAG_APPEND) ? BTREE_APPEND : 0;
        if (op->p5 & OPFLAG_SAVEPOSITION) flags |= BTREE_SAVEPOSITION;
        CHECK_RC(btree_insert(c->bt, &pl, flags, seek));
        if (!c->ephem) v->wrote = 1;
        v->cache_ctr++;
        c->cache_ok = 0;
        c->deferred = 0;
        c->seek_result = 0;
        if (op->p5 & OPFLAG_NCHANGE) {
          if (v->frame) v->n_change_sub++; /* trigger changes: total_changes only */
          else v->n_change++;
        }
        if (op->p5 & OPFLAG_LASTROWID) db->last_rowid = rowid;
        if (db->update_hook && op_table_name(op) && !c->ephem) {
          db->update_hook(db->update_arg, (op->p5 & OPFLAG_ISUPDATE) ? SQLITE_UPDATE : SQLITE_INSERT,
                          db->dbs[c->idb].name, op_table_name(op), rowid);
        }
        break;
      }
      case OP_Delete: {
        c = v->csr[op->p1];
        i64 rowid = 0;
        if (c->is_table && !btree_eof(c->bt)) rowid = btree_rowid(c->bt);
        int flags = (op->p5 & OPFLAG_SAVEPOSITION) ? BTREE_SAVEPOSITION : 0;
        CHECK_RC(btree_delete(c->bt, flags));
        if (!c->ephem) v->wrote = 1;
        v->cache_ctr++;
        c->cache_ok = 0;
        c->seek_result = 0;
        /* SQLite puts OPFLAG_NCHANGE in P2; accept it in P5 too */
        if ((op->p2 | op->p5) & OPFLAG_NCHANGE) {
          if (v->frame) v->n_change_sub++;
          else v->n_change++;
          if (db->update_hook && op_table_name(op) && c->is_table && !c->ephem)
            db->update_hook(db->update_arg, SQLITE_DELETE, db->dbs[c->idb].name, op_table_name(op), rowid);
        }
        break;
      }
      case OP_ResetCount:
        db->n_change = v->n_change;
        db->n_total_change += v->n_change + v->n_change_sub;
        v->n_change = 0;
        v->n_change_sub = 0;
        v->n_change_reset = 1;
        break;
      case OP_SorterCompare: {
        c = v->csr[op->p1];
        int n = 0;
        const u8 *a = sorter_data(c->sorter, &n);
        in3 = &mem[op->p3];
        KeyInfo *ki = c->key_info;
        int nf = op->p4.i;
        int res;
        if (ki && nf < ki->n_all_field) {
          u16 save = ki->n_all_field;
          Mem f[32];
          int mx = nf < 32 ? nf : 32;
          for (int i = 0; i < mx; i++) mem_init(&f[i], db);
          int got = 0;
          record_decode_static(a, n, db_enc(v), f, mx, &got);
          UnpackedRecord r;
          memset(&r, 0, sizeof r);
          r.key_info = ki;
          r.fields = f;
          r.n_field = (u16)(got < mx ? got : mx);
          r.enc = db_enc(v);
          res = record_compare((const u8 *)in3->z, in3->n, &r);
          /* as in SQLite: a NULL key field never equals anything (UNIQUE) */
          for (int i = 0; i < r.n_field && res == 0; i++)
            if (f[i].flags & MEM_Null) res = -1;
          for (int i = 0; i < mx; i++) mem_release(&f[i]);
          (void)save;
        } else {
          res = record_compare_records(ki, (const u8 *)in3->z, in3->n, a, n, db_enc(v));
        }
        if (res) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_SorterData: {
        c = v->csr[op->p1];
        int n = 0;
        const void *d = sorter_data(c->sorter, &n);
        mem_set_blob(&mem[op->p2], d, n, SQLITE_TRANSIENT);
        if (op->p3 >= 0 && op->p3 < v->n_csr && v->csr[op->p3]) v->csr[op->p3]->cache_ok = 0;
        break;
      }
      case OP_RowData: {
        c = v->csr[op->p1];
        CHECK_RC(csr_finish_seek(v, c));
        if (c->null_row || btree_eof(c->bt)) {
          mem_set_null(&mem[op->p2]);
          break;
        }
        /* the row cache holds the whole record (page pointer or the cursor's
        ** own buffer): copy it into the register without a fresh malloc */
        CHECK_RC(csr_load_row(v, c));
        if (mem_set_blob(&mem[op->p2], c->rec ? c->rec : (const u8 *)"", c->rec_n, SQLITE_TRANSIENT))
          ERR(SQLITE_NOMEM, "out of memory");
        break;
      }
      case OP_Rowid: {
        c = (op->p1 >= 0 && op->p1 < v->n_csr) ? v->csr[op->p1] : NULL;
        out = &mem[op->p2];
        if (!c || c->null_row) {
          mem_set_null(out);
        } else if (c->deferred) {
          mem_set_int(out, c->moveto_rowid);
        } else if (c->type == CURTYPE_PSEUDO) {
          mem_set_int(out, mem_int_value(&mem[c->pseudo_reg]));
        } else if (c->type == CURTYPE_VTAB) {
          char *msg = NULL;
          rc = vdbe_vtab_rowid(c, out, &msg);
          if (rc) {
            set_error(v, rc, msg);
            goto abort_due_to_error;
          }
        } else if (btree_eof(c->bt)) {
          mem_set_null(out);
        } else {
          mem_set_int(out, btree_rowid(c->bt));
        }
        break;
      }
      case OP_NullRow:
        if (op->p1 < 0 || op->p1 >= v->n_csr) ERR(SQLITE_INTERNAL, "bad cursor %d", op->p1);
        c = v->csr[op->p1];
        if (!c) {
          /* SQLite opens a pseudo cursor here */
          c = csr_new(v, op->p1, CURTYPE_PSEUDO);
          if (!c) ERR(SQLITE_NOMEM, "out of memory");
          c->pseudo_reg = 0;
        }
        c->null_row = 1;
        c->cache_ok = 0;
        c->deferred = 0;
        break;
      case OP_SeekEnd:
      case OP_Last: {
        c = v->csr[op->p1];
        int empty = 0;
        if (op->opcode == OP_SeekEnd && !btree_eof(c->bt) && !c->null_row) {
          /* as in SQLite: a cursor used only for appending is already at
          ** the end (or needs a re-seek, which btree_insert does itself) */
          c->seek_result = -1;
          break;
        }
        CHECK_RC(btree_last(c->bt, &empty));
        c->null_row = (u8)empty;
        c->deferred = 0;
        c->cache_ok = 0;
        /* OP_SeekEnd: the next OP_IdxInsert/Insert (USESEEKRESULT) appends */
        c->seek_result = op->opcode == OP_SeekEnd && !empty ? -1 : 0;
        if (op->opcode == OP_Last && empty && op->p2) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_SorterSort:
      case OP_Sort:
      case OP_Rewind: {
        c = v->csr[op->p1];
        int empty = 0;
        if (c->type == CURTYPE_SORTER) {
          CHECK_RC(sorter_sort(c->sorter, &empty));
        } else {
          CHECK_RC(btree_first(c->bt, &empty));
        }
        if (op->opcode == OP_Sort) v->stmt_status[SQLITE_STMTSTATUS_SORT]++;
        c->null_row = (u8)empty;
        c->deferred = 0;
        c->cache_ok = 0;
        if (empty) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_SorterNext:
      case OP_Next:
      case OP_Prev: {
        c = v->csr[op->p1];
        if (c->type == CURTYPE_SORTER) rc = sorter_next(c->sorter);
        else if (op->opcode == OP_Prev) rc = btree_prev(c->bt);
        else rc = btree_next(c->bt);
        if (rc == SHALE_PENDING) goto io_or_error;
        c->cache_ok = 0;
        c->deferred = 0;
        if (rc == SQLITE_OK) {
          c->null_row = 0;
          if (c->type != CURTYPE_SORTER) v->stmt_status[SQLITE_STMTSTATUS_FULLSCAN_STEP]++;
          pc = op->p2;
          continue;
        }
        if (rc != SQLITE_DONE) goto io_or_error;
        c->null_row = 1;
        rc = SQLITE_OK;
        break;
      }
      case OP_SorterInsert:
      case OP_IdxInsert: {
        c = v->csr[op->p1];
        in2 = &mem[op->p2];
        if (in2->flags & MEM_Zero) mem_expand_zero(in2);
        if (c->type == CURTYPE_SORTER) {
          CHECK_RC(sorter_insert(c->sorter, in2->z, in2->n));
          break;
        }
        BtreePayload pl;
        memset(&pl, 0, sizeof pl);
        pl.key = in2->z;
        pl.n_key = in2->n;
        int seek = (op->p5 & OPFLAG_USESEEKRESULT) ? c->seek_result : 0;
        int flags = (op->p5 & OPFLAG_APPEND) ? BTREE_APPEND : 0;
        if (op->p5 & OPFLAG_SAVEPOSITION) flags |= BTREE_SAVEPOSITION;
        CHECK_RC(btree_insert(c->bt, &pl, flags, seek));
        if (!c->ephem) v->wrote = 1;
        v->cache_ctr++;
        c->cache_ok = 0;
        c->seek_result = 0;
        if (op->p5 & OPFLAG_NCHANGE) v->n_change++;
        break;
      }
      case OP_IdxDelete: {
        c = v->csr[op->p1];
        UnpackedRecord r;
        memset(&r, 0, sizeof r);
        r.key_info = c->key_info;
        r.fields = &mem[op->p2];
        r.n_field = (u16)op->p3;
        r.enc = db_enc(v);
        r.default_rc = 0;
        int res = 0;
        CHECK_RC(btree_index_moveto(c->bt, record_compare_cb, &r, &res));
        if (res == 0 && !btree_eof(c->bt)) {
          /* nothing steps this cursor afterwards (SQLite leaves it without a
          ** position): SAVEPOSITION spares saving the key */
          CHECK_RC(btree_delete(c->bt, BTREE_SAVEPOSITION));
          if (!c->ephem) v->wrote = 1;
          v->cache_ctr++;
        } else if (op->p5) {
          ERR(SQLITE_CORRUPT_INDEX, "database disk image is malformed");
        }
        c->cache_ok = 0;
        c->seek_result = 0;
        break;
      }
      case OP_DeferredSeek:
      case OP_IdxRowid: {
        c = v->csr[op->p1];
        CHECK_RC(csr_finish_seek(v, c));
        i64 rowid = 0;
        int isnull = c->null_row || btree_eof(c->bt);
        if (!isnull) {
          Mem t;
          mem_init(&t, db);
          rc = csr_load_row(v, c);
          if (!rc) rc = csr_parse_to(c, 1 << 30);
          if (rc) goto io_or_error;
          if (c->n_parsed == 0) ERR(SQLITE_CORRUPT, "database disk image is malformed");
          int last = c->n_parsed - 1;
          if (record_field_get(c->rec + c->offsets[last], c->rec_n - c->offsets[last], c->types[last], db_enc(v), &t) < 0)
            ERR(SQLITE_CORRUPT, "database disk image is malformed");
          rowid = mem_int_value(&t);
          mem_release(&t);
        }
        if (op->opcode == OP_IdxRowid) {
          if (isnull) mem_set_null(&mem[op->p2]);
          else mem_set_int(&mem[op->p2], rowid);
        } else {
          VdbeCursor *tc = v->csr[op->p3];
          if (isnull) {
            tc->null_row = 1;
            break;
          }
          tc->deferred = 1;
          tc->null_row = 0;
          tc->moveto_rowid = rowid;
          tc->alt = c;
          tc->alt_map = op->p4type == P4_INTARRAY ? op->p4.ai : NULL;
          tc->cache_ok = 0;
        }
        break;
      }
      case OP_FinishSeek:
        c = v->csr[op->p1];
        CHECK_RC(csr_finish_seek(v, c));
        break;
      case OP_IdxLE:
      case OP_IdxGT:
      case OP_IdxLT:
      case OP_IdxGE: {
        c = v->csr[op->p1];
        UnpackedRecord r;
        r.key_info = c->key_info;
        r.fields = &mem[op->p3];
        r.n_field = (u16)op->p4.i;
        r.enc = c->enc;
        r.corrupt = 0;
        r.default_rc = (op->opcode == OP_IdxLE || op->opcode == OP_IdxGT) ? -1 : 0;
        CHECK_RC(csr_load_row(v, c));
        int res = record_compare(c->rec, (int)c->rec_n, &r);
        if (r.corrupt) ERR(SQLITE_CORRUPT, "database disk image is malformed");
        int jump;
        switch (op->opcode) {
          case OP_IdxLE: jump = res < 0; break; /* equal counts as less */
          case OP_IdxLT: jump = res < 0; break;
          case OP_IdxGT: jump = res > 0; break;
          default: jump = res >= 0; break;
        }
        if (jump) {
          pc = op->p2;
          continue;
        }
        break;
      }
      case OP_Destroy: {
        Btree *bt = db_btree(v, op->p3);
        Pgno moved = 0;
        if (db->n_vdbe_active > 1 && 0) ERR(SQLITE_LOCKED, "database table is locked");
        CHECK_RC(btree_drop_table(bt, (Pgno)op->p1, &moved));
        v->cache_ctr++;
        mem_set_int(&mem[op->p2], moved);
        break;
      }
      case OP_Clear: {
        Btree *bt = db_btree(v, op->p2);
        i64 nd = 0;
        CHECK_RC(btree_clear_table(bt, (Pgno)op->p1, &nd));
        v->cache_ctr++;
        if (op->p3) {
          v->n_change += nd;
          if (op->p3 > 0) mem_set_int(&mem[op->p3], mem_int_value(&mem[op->p3]) + nd);
        }
        break;
      }
      case OP_ResetSorter: {
        c = v->csr[op->p1];
        if (c->type == CURTYPE_SORTER) sorter_reset(c->sorter);
        else if (c->ephem) {
          i64 nd;
          CHECK_RC(btree_clear_table(c->ephem->bt, c->ephem->root, &nd));
          v->cache_ctr++;
        }
        c->cache_ok = 0;
        break;
      }
      case OP_CreateBtree: {
        Btree *bt = db_btree(v, op->p1);
        Pgno root = 0;
        CHECK_RC(btree_create_table(bt, &root, op->p3 ? op->p3 : BTREE_INTKEY));
        mem_set_int(&mem[op->p2], root);
        break;
      }
      case OP_SqlExec:
        ERR(SQLITE_ERROR, "OP_SqlExec is not supported");
      case OP_LoadAnalysis:
        if (db->stats_reload) {
          rc = db->stats_reload(db, op->p1);
          if (rc) {
            if (rc == SHALE_PENDING) goto io_or_error;
            ERR(rc, "%s", vdbe_errstr(rc));
          }
        }
        break;
      case OP_ParseSchema:
      case OP_DropTable:
      case OP_DropIndex:
      case OP_DropTrigger: {
        if (db->schema_reload) {
          const char *where = op->opcode == OP_ParseSchema ? op->p4.z : NULL;
          rc = db->schema_reload(db, op->p1, where);
          if (rc) {
            if (rc == SHALE_PENDING) goto io_or_error;
            ERR(rc, "%s", db->err_msg ? db->err_msg : vdbe_errstr(rc));
          }
        }
        break;
      }
      case OP_IntegrityCk: {
        int *roots = op->p4.ai;
        int n = roots ? roots[0] : 0;
        Btree *bt = db_btree(v, op->p5);
        Pgno *pr = sqlite3_malloc64(sizeof(Pgno) * (u64)(n + 1));
        if (!pr) ERR(SQLITE_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) pr[i] = (Pgno)roots[i + 1];
        int nerr = 0;
        char *msg = NULL;
        i64 maxerr = mem_int_value(&mem[op->p3]);
        rc = btree_integrity_check(bt, pr, n, (int)(maxerr + 1), &nerr, &msg);
        sqlite3_free(pr);
        if (rc) {
          sqlite3_free(msg);
          goto io_or_error;
        }
        mem_set_int(&mem[op->p3], maxerr - nerr);
        if (msg && nerr) mem_set_str(&mem[op->p1], msg, -1, sqlite3_free);
        else {
          sqlite3_free(msg);
          mem_set_null(&mem[op->p1]);
        }
        break;
      }
      case OP_RowSetAdd: {
        RowSet *r = rowset_of(&mem[op->p1]);
        if (!r || rowset_add(r, mem_int_value(&mem[op->p2]))) ERR(SQLITE_NOMEM, "out of memory");
        break;
      }
      case OP_RowSetRead: {
        in1 = &mem[op->p1];
        RowSet *r = (in1->flags & MEM_Obj) ? in1->u.p : NULL;
        if (!r || r->pos >= r->n) {
          mem_set_null(in1);
          pc = op->p2;
          continue;
        }
        if (!r->sorted) {
          /* sort the unread tail and drop duplicates */
          i64 *base = r->v + r->pos;
          int cnt = r->n - r->pos;
          qsort(base, (size_t)cnt, sizeof(i64), cmp_i64);
          int k = 0;
          for (int i = 0; i < cnt; i++)
            if (k == 0 || base[i] != base[k - 1]) base[k++] = base[i];
          r->n = r->pos + k;
          r->sorted = 1;
        }
        mem_set_int(&mem[op->p3], r->v[r->pos++]);
        break;
      }
      case OP_RowSetTest: {
        RowSet *r = rowset_of(&mem[op->p1]);
        if (!r) ERR(SQLITE_NOMEM, "out of memory");
        i64 x = mem_int_value(&mem[op->p3]);
        if (rowset_hash_find(r, x)) {
          pc = op->p2;
          continue;
        }
        if (op->p4.i >= 0 && rowset_hash_insert(r, x)) ERR(SQLITE_NOMEM, "out of memory");
        break;
      }
      case OP_Program: {
        SubProgram *prog = op->p4.pProgram;
        if (v->n_frame >= 1000 || (db->limits[10] > 0 && v->n_frame >= db->limits[10]))
          ERR(SQLITE_ERROR, "too many levels of trigger recursion");
        if (op->p5) {
          for (VdbeFrame *f = v->frame; f; f = f->parent)
            if (f->prog->token == prog->token) goto program_skip;
        }
        VdbeFrame *f = shale_malloc_zero(sizeof(VdbeFrame));
        if (!f) ERR(SQLITE_NOMEM, "out of memory");
        f->my_mem = sqlite3_malloc64(sizeof(Mem) * (u64)(prog->n_mem + 1));
        f->my_csr = shale_malloc_zero(sizeof(VdbeCursor *) * (size_t)(prog->n_csr + 1));
        f->once = shale_malloc_zero((size_t)prog->n_op + 1);
        f->prog = prog;
        if (!f->my_mem || !f->my_csr || !f->once) {
          sqlite3_free(f->my_mem);
          f->my_mem = NULL;
          frame_free_storage(v, f);
          sqlite3_free(f);
          ERR(SQLITE_NOMEM, "out of memory");
        }
        for (int i = 0; i <= prog->n_mem; i++) mem_init(&f->my_mem[i], db);
        f->parent = v->frame;
        f->ops = v->ops;
        f->n_op = v->n_op;
        f->pc = pc;
        f->mem = v->mem;
        f->n_mem = v->n_mem;
        f->csr = v->csr;
        f->n_csr = v->n_csr;
        f->last_rowid = db->last_rowid;
        v->frame = f;
        v->n_frame++;
        v->ops = prog->ops;
        v->n_op = prog->n_op;
        v->mem = f->my_mem;
        v->n_mem = prog->n_mem;
        v->csr = f->my_csr;
        v->n_csr = prog->n_csr;
        ops = v->ops;
        mem = v->mem;
        pc = 0;
        continue;
      program_skip:
        break;
      }
      case OP_Param: {
        VdbeFrame *f = v->frame;
        if (!f) break;
        Mem *src = &f->mem[f->ops[f->pc].p1 + op->p1];
        mem_copy(&mem[op->p2], src);
        break;
      }
      case OP_FkCounter:
        if (op->p1) {
          db->n_deferred_fk += op->p2;
          v->fk_deferred += op->p2;
        } else {
          v->fk_constraints += op->p2;
        }
        break;
      case OP_FkIfZero:
        if (op->p1 ? db->n_deferred_fk == 0 : v->fk_constraints == 0) {
          pc = op->p2;
          continue;
        }
        break;
      case OP_MemMax: {
        Mem *m1 = v->frame ? &v->main_mem[op->p1] : &mem[op->p1];
        i64 a = mem_int_value(m1), b = mem_int_value(&mem[op->p2]);
        if (b > a) mem_set_int(m1, b);
        else mem_set_int(m1, a);
        break;
      }
      case OP_OffsetLimit: {
        i64 lim = mem_int_value(&mem[op->p1]);
        i64 off = mem_int_value(&mem[op->p3]);
        if (lim <= 0) mem_set_int(&mem[op->p2], -1);
        else {
          i64 x;
          if (__builtin_add_overflow(lim, off > 0 ? off : 0, &x)) x = -1;
          mem_set_int(&mem[op->p2], x);
        }
        break;
      }
      case OP_Checkpoint: {
        int nlog = -1, nck = -1;
        int busy = 0;
        for (int i = 0; i < db->n_db; i++) {
          if (op->p1 < db->n_db && i != op->p1) continue; /* P1 >= n_db: all */
          Btree *bt = db->dbs[i].btree;
          if (!bt) continue;
          int a = -1, b = -1;
          rc = pager_checkpoint(btree_pager(bt), op->p2, &a, &b);
          if (rc == SHALE_PENDING) goto io_or_error;
          if (rc == SQLITE_BUSY) busy = 1;
          else if (rc) goto io_or_error;
          if (a >= 0) nlog = nlog < 0 ? a : nlog + a;
          if (b >= 0) nck = nck < 0 ? b : nck + b;
        }
        mem_set_int(&mem[op->p3], busy);
        mem_set_int(&mem[op->p3 + 1], nlog);
        mem_set_int(&mem[op->p3 + 2], nck);
        rc = SQLITE_OK;
        break;
      }
      case OP_JournalMode: {
        static const char *const names[] = {"delete", "persist", "off", "truncate", "memory", "wal"};
        Btree *bt = db_btree(v, op->p1);
        int mode = PAGER_JOURNALMODE_DELETE;
        if (bt) {
          int want = op->p3;
          if (want >= 0 && btree_txn_state(bt) == 2)
            ERR(SQLITE_ERROR, "cannot change %s wal mode from within a transaction", want == 5 ? "into" : "out of");
          mode = pager_journal_mode(btree_pager(bt), want);
          if (mode < 0) mode = PAGER_JOURNALMODE_DELETE;
        }
        mem_set_str(&mem[op->p2], names[mode >= 0 && mode <= 5 ? mode : 0], -1, SQLITE_STATIC);
        break;
      }
      case OP_Vacuum: {
        /* plain VACUUM: the file is left as it is (valid, not compacted).
        ** VACUUM INTO: a page-by-page copy of the committed image. */
        Btree *bt = db_btree(v, op->p1);
        if (!bt) ERR(SQLITE_ERROR, "no such database");
        if (op->p2 <= 0) {
          if (!v->vacuum) {
            if (!db->autocommit) ERR(SQLITE_ERROR, "cannot VACUUM from within a transaction");
            if (db->n_vdbe_active > 1) ERR(SQLITE_ERROR, "cannot VACUUM - SQL statements in progress");
          }
          if (btree_txn_state(bt) < 2) {
            int ck;
            CHECK_RC(btree_begin_trans(bt, 1, &ck));
          }
          /* this statement writes: errors roll it back */
          v->readonly = 0;
          if (!v->is_writer_counted) {
            db->n_vdbe_write++;
            v->is_writer_counted = 1;
          }
          rc = vdbe_vacuum_step(v, bt, &v->vacuum);
          if (rc) goto io_or_error;
          vdbe_vacuum_free(v->vacuum);
          v->vacuum = NULL;
          v->cache_ctr++;
          db->schema_stale = 1;
          break;
        }
        if (!v->vac.f) {
          in2 = &mem[op->p2];
          const char *path = (const char *)sqlite3_value_text(in2);
          if (!path) ERR(SQLITE_ERROR, "non-text filename");
          int exists = 0;
          if (db->vfs->access) db->vfs->access(db->vfs, path, SQLITE_ACCESS_EXISTS, &exists);
          if (exists) ERR(SQLITE_ERROR, "output file already exists");
          if (btree_txn_state(bt) == 0) {
            int ck;
            CHECK_RC(btree_begin_trans(bt, 0, &ck));
          }
          u32 pgsz = btree_get_page_size(bt);
          v->vac.buf = sqlite3_malloc64(pgsz ? pgsz : 4096);
          if (!v->vac.buf) ERR(SQLITE_NOMEM, "out of memory");
          int oflags = 0;
          rc = db->vfs->open(db->vfs, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB,
                             &v->vac.f, &oflags);
          if (rc) {
            v->vac.f = NULL;
            ERR(SQLITE_CANTOPEN, "unable to open database: %s", path);
          }
          v->vac.next = 1;
          v->vac.n_page = pager_page_count(btree_pager(bt));
          v->vac.writing = 0;
        }
        u32 pgsz = btree_get_page_size(bt);
        while (v->vac.next <= v->vac.n_page) {
          if (v->vac.writing) {
            if (!v->vac.io.done) {
              SAVE_PC();
              return SHALE_PENDING;
            }
            v->vac.writing = 0;
            if (v->vac.io.rc) {
              rc = v->vac.io.rc;
              goto io_or_error;
            }
            v->vac.next++;
            continue;
          }
          DbPage *pg = NULL;
          CHECK_RC(pager_get(btree_pager(bt), v->vac.next, &pg, PAGER_GET_READONLY));
          memcpy(v->vac.buf, pager_data(pg), pgsz);
          pager_unref(pg);
          if (v->vac.next == 1) {
            v->vac.buf[18] = 1; /* rollback-journal file (not WAL) */
            v->vac.buf[19] = 1;
          }
          shale_io_init(&v->vac.io);
          v->vac.writing = 1;
          rc = v->vac.f->methods->write(v->vac.f, v->vac.buf, (int)pgsz, (i64)(v->vac.next - 1) * pgsz, &v->vac.io);
          if (rc == SHALE_PENDING) {
            SAVE_PC();
            return SHALE_PENDING;
          }
          if (!v->vac.io.done) {
            v->vac.io.done = 1;
            v->vac.io.rc = rc;
          }
        }
        shale_file_sync_blocking(v->vac.f, SQLITE_SYNC_NORMAL);
        v->vac.f->methods->close(v->vac.f);
        v->vac.f = NULL;
        sqlite3_free(v->vac.buf);
        v->vac.buf = NULL;
        break;
      }
      case OP_IncrVacuum: {
        Btree *bt = db_btree(v, op->p1);
        rc = bt ? btree_incr_vacuum(bt, 1) : SQLITE_DONE;
        if (rc == SQLITE_DONE) {
          rc = SQLITE_OK;
          pc = op->p2;
          continue;
        }
        if (rc) goto io_or_error;
        v->cache_ctr++;
        break;
      }
      case OP_Pagecount:
      case OP_MaxPgcnt: {
        Btree *bt = db_btree(v, op->p1);
        i64 n = bt ? (i64)pager_page_count(btree_pager(bt)) : 0;
        if (op->opcode == OP_MaxPgcnt) n = 1073741823;
        mem_set_int(&mem[op->p2], n);
        break;
      }
      case OP_ClrSubtype:
        mem[op->p1].flags &= (u16)~MEM_Subtype;
        mem[op->p1].subtype = 0;
        break;
      case OP_VBegin:
      case OP_VCreate:
      case OP_VDestroy:
      case OP_VOpen:
      case OP_VFilter:
      case OP_VColumn:
      case OP_VNext:
      case OP_VRowid:
      case OP_VUpdate: {
        int jump = 0;
        char *msg = NULL;
        rc = vdbe_vtab_op(v, op, &jump, &msg);
        if (rc == SHALE_PENDING) goto io_or_error; /* a pragma_* table's nested statement */
        if (rc) {
          set_error(v, rc, msg ? msg : shale_strdup(vdbe_errstr(rc)));
          goto abort_due_to_error;
        }
        if (jump) {
          pc = op->p2;
          continue;
        }
        break;
      }
      default:
        ERR(SQLITE_INTERNAL, "unsupported opcode %s", op->opcode < OP__COUNT ? shale_opcode_names[op->opcode] : "?");
    }
    pc++;
    goto next_op;

  io_or_error:
    if (rc == SHALE_PENDING) {
      SAVE_PC();
      return SHALE_PENDING;
    }
    if (rc == SQLITE_DONE || rc == SQLITE_OK) {
      set_error(v, SQLITE_INTERNAL, NULL);
    } else {
      set_error(v, rc, NULL);
    }
    goto abort_due_to_error;
  }

abort_due_to_error:
  SAVE_PC();
  if (!v->err_msg) v->err_msg = shale_strdup(vdbe_errstr(v->rc));
  v->halt_action = OE_Abort;
  while (v->frame) frame_pop(v);
halt_error:
  SAVE_PC();
  v->state = VDBE_HALT;
  {
    int saved = v->rc;
    rc = vdbe_halt(v);
    if (v->rc == SQLITE_OK || v->rc == SQLITE_DONE) v->rc = saved;
    if (rc == SHALE_PENDING) return rc;
  }
  if (db) db_error(db, v->rc, "%s", v->err_msg ? v->err_msg : vdbe_errstr(v->rc));
  return v->rc;

halt:
  SAVE_PC();
  v->state = VDBE_HALT;
  rc = vdbe_halt(v);
  if (rc == SHALE_PENDING || rc == SQLITE_BUSY) return rc;
  if (v->rc != SQLITE_OK && v->rc != SQLITE_DONE) {
    if (db) db_error(db, v->rc, "%s", v->err_msg ? v->err_msg : vdbe_errstr(v->rc));
    return v->rc;
  }
  v->rc = SQLITE_DONE;
  return SQLITE_DONE;
}

int vdbe_reset(Vdbe *v) {
  if (!v) return SQLITE_OK;
  int rc = SQLITE_OK;
  if (v->state == VDBE_RUN) {
    /* abandoned mid-run: finish like SQLite (commit what is done) */
    v->rc = SQLITE_OK;
    v->state = VDBE_HALT;
    while (v->frame) frame_pop(v);
  }
  if (v->state == VDBE_HALT && (v->counted_active || v->want_commit)) {
    while ((rc = vdbe_halt(v)) == SHALE_PENDING) {
      sqlite3 *db = v->db;
      int lock_wait = 0;
      /* a lock wait handed back by a pager (busy defer): the busy handler
      ** decides here, as the API layer's wait loop would */
      for (int i = 0; db && i < db->n_db; i++) {
        int n;
        if (!db->dbs[i].btree || !pager_busy_waiting(btree_pager(db->dbs[i].btree), &n)) continue;
        lock_wait = 1;
        pager_busy_answer(btree_pager(db->dbs[i].btree),
                          db->busy_handler ? db->busy_handler(db->busy_arg, n) : 0);
      }
      if (!lock_wait && db && db->vfs && db->vfs->poll) db->vfs->poll(db->vfs, 1);
    }
  }
  rc = (v->rc == SQLITE_DONE || v->rc == SQLITE_ROW) ? SQLITE_OK : v->rc;
  vdbe_cleanup_run(v);
  v->state = VDBE_READY;
  v->pc = 0;
  v->result = NULL;
  v->n_result = 0;
  v->rc = SQLITE_OK;
  return rc;
}

int vdbe_finalize(Vdbe *v) {
  if (!v) return SQLITE_OK;
  int rc = vdbe_reset(v);
  vdbe_delete(v);
  return rc;
}
