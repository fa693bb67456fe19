/*
** pager.c — page cache, locking and atomic commit for one database file.
**
** Async design (DESIGN.md):
**   - pager_get() on a miss inserts a LOADING page (invisible to callers),
**     submits the read and returns SHALE_PENDING; the retry finds it.
**   - pager_write() never waits: the journal record (original page image) is
**     copied into a buffer the pager owns and its write is submitted and
**     tracked ("fire and forget"); commit waits for all of them before the
**     journal sync.
**   - begin_read (lock, hot-journal rollback, header read), commit (journal
**     sync, db writes, db sync, journal finalize), rollback (journal
**     playback) and cache spilling are explicit state machines whose progress
**     lives in the Pager struct; each may return SHALE_PENDING any number of
**     times and is resumed by calling the same function again.
**
** Rollback journal: SQLite's format exactly (fileformat2.html): header of
** magic d9d505f920a163d7, nRec, nonce, initial db size, sector size, page
** size, padded to the sector size; then records (pgno, page, checksum).
*/
#include "pager.h"
#include "../wal/wal.h"
#include <stdlib.h>

#define PENDING_BYTE_OFS 0x40000000
/* Readable bytes after each page's data (and extra): the b-tree parses a
** cell header (up to 22 bytes of varints) from any cell pointer at least 4
** bytes before the end before it checks the cell's extent. */
#define PAGE_SLACK 32

/* Page flags */
#define PG_DIRTY 0x01
#define PG_LOADING 0x02 /* read outstanding; not visible */
#define PG_STALE 0x04   /* content must be reloaded before use */

struct DbPage {
  u8 *data;      /* data, extra, pgno first: pager.h reads them inline */
  void *extra;
  Pgno pgno;
  Pager *pager;
  u32 cap;       /* page_size this buffer was allocated for */
  int nRef;
  int flags;
  DbPage *hash_next;
  DbPage *lru_prev, *lru_next;     /* clean, unreferenced pages */
  DbPage *dirty_prev, *dirty_next; /* dirty pages */
  ShaleIo io;                      /* the load in flight */
};

/* A fire-and-forget write the pager owns (journal records, spill copies). */
typedef struct OwnedWrite {
  ShaleIo io;
  struct OwnedWrite *next;
  int n;
  /* followed by the data */
} OwnedWrite;

typedef struct JSeg {
  i64 rec_start; /* offset of the first record */
  i64 hdr_off;   /* offset of this segment's header */
  u32 nrec;      /* records in this segment */
} JSeg;

typedef struct Savepoint {
  Pgno db_size;  /* image size when the savepoint began */
  u8 *done;      /* bitmap: pages already saved in the sub-journal */
  u32 done_bits;
  i64 sub_off;   /* sub-journal length when it began */
} Savepoint;

/* Pager states */
#define PS_OPEN 0   /* no lock */
#define PS_READER 1 /* SHARED (or WAL snapshot) */
#define PS_WRITER 2 /* RESERVED+ (or WAL write lock) */
#define PS_ERROR 3

/* Commit / rollback / read / spill sub-states */
enum {
  CS_IDLE = 0, CS_PAGE1, CS_JTRUNC, CS_JWAIT, CS_JSYNC, CS_LOCK, CS_WRITE, CS_TRUNC,
  CS_SYNC, CS_FINAL, CS_CKPT, CS_DONE
};
enum { RB_IDLE = 0, RB_PLAY, RB_TRUNC, RB_SYNC, RB_FINAL };
enum { BR_IDLE = 0, BR_LOCKED, BR_HOT, BR_HDR, BR_SETVER, BR_SETVER_RB, BR_WAL };
enum { SP_IDLE = 0, SP_JWAIT, SP_JSYNC, SP_LOCK, SP_WRITE };
enum { JS_IDLE = 0, JS_SYNC1, JS_ZAP, JS_HDR, JS_SYNC2, JS_NEWHDR };

struct Pager {
  ShaleVfs *vfs;
  ShaleFile *fd;
  char *path;
  char *jpath;
  char *wpath;
  int pager_flags;
  int open_flags;
  int readonly;
  int memory;
  /* A ":memory:" database: the cache is the database (as in SQLite).
  ** Pages are never evicted or written to the (memdb) file, whose image
  ** stays empty; commit only marks them clean. */
  int cache_only;
  int extra;
  u32 page_size;
  int reserved;
  int page_size_fixed; /* read from the file: no more changes */
  int cache_size;      /* PRAGMA value */
  int cache_max;       /* in pages */
  int cache_reserve;   /* pager_cache_reserve: the cache may hold this many pages */
  int sync_level;      /* 0..3 */
  int exclusive_mode;
  int journal_mode;
  int (*busy)(void *, int);
  void *busy_arg;
  /* Deferred busy waits (pager_set_busy_defer): instead of calling the
  ** handler, a lock wait returns SHALE_PENDING with busy_waiting set; the
  ** caller runs the handler (pager_busy_answer) and re-executes. */
  u8 busy_defer, busy_waiting, busy_declined;
  int busy_level;      /* lock level being waited for */
  int busy_count;      /* handler calls so far for this wait */
  u32 data_version;
  int hit, miss, nwrite;
  u32 autockpt;

  int state;
  int err;            /* sticky error (PS_ERROR) */
  int lock;           /* our lock level on fd */
  Pgno db_size;       /* image size now (pages) */
  Pgno db_orig_size;  /* at the start of the write transaction */
  Pgno db_file_size;  /* pages in the file */
  u8 hdr[100];        /* first 100 bytes as last read */
  u8 cc[16];          /* change counter bytes 24..39 of our cache */
  int cc_valid;

  /* cache */
  DbPage **hash;
  u32 nhash;
  int npage;
  DbPage *lru_head, *lru_tail;
  DbPage *dirty_head;
  int ndirty;
  DbPage *free_list; /* recycled page structs (current page size) */
  Pgno max_pgno;     /* no cached page has a larger number */

  /* journal */
  ShaleFile *jfd;
  int jopen_mode;     /* journal_mode used when jfd was opened */
  i64 journal_off;
  u32 nonce;
  u32 sector;         /* journal header size */
  int journal_needs_sync;
  int db_modified;    /* db file written during this write transaction */
  JSeg *seg;
  int nseg, aseg;
  u8 *in_journal;
  u32 in_journal_bits;
  OwnedWrite *owned;  /* outstanding owned writes */
  OwnedWrite *spare;  /* one completed buffer kept for reuse */
  ShaleFile *jprobe;  /* journal opened to probe for a hot journal */
  u8 probe_byte;
  int owned_err;
  u8 jhdr[32];        /* header bytes being written */

  /* savepoints */
  Savepoint *sp;
  int nsp;
  u8 *sub;            /* sub-journal: records of (pgno, page) */
  i64 sub_len, sub_alloc;
  int sp_state;       /* rollback-to-savepoint progress */
  i64 sp_pos;
  u8 *sp_done;
  u32 sp_done_bits;

  /* single async op in flight for state machines */
  ShaleIo op_io;
  int op_active;
  /* batch of page writes */
  ShaleIo *batch;
  DbPage **batch_pg;
  int nbatch, batch_next;

  int cstate, rbstate, brstate, spstate, jsstate;
  int lock_tries;
  DbPage **clist; /* commit list (sorted dirty pages) */
  int nclist;
  u8 *rb_buf;     /* playback record buffer */
  int rb_hot;
  int rb_seg;
  u32 rb_rec;
  i64 rb_hdr_off;
  u32 rb_nrec, rb_nonce, rb_sector, rb_psize;
  Pgno rb_mxpg;
  int rb_first;
  i64 rb_jsize;
  int ws_set_version; /* header bytes 18/19 must be rewritten */
  Pgno trunc_next;    /* commit: next cut-off page to journal */
  int ckpt_due;       /* WAL auto-checkpoint pending */
  u32 wal_cb_frames;  /* WAL size after our last commit, for the wal hook (0: none) */
  u32 own_frame;      /* log size right after our own last commit */
  Pgno wal_spill_max; /* highest page spilled to the WAL in this txn */
  int own_frame_valid;
  int setver_done, setver_mode, setver_rc; /* begin_read: header 18/19 rewrite */

  /* WAL */
  Wal *wal;
  WalPage *wframes;
};

static int pager_busy_wait(Pager *p, int level);

/* ------------------------------------------------------------ helpers --- */

static u32 rec_size(Pager *p) { return p->page_size + 8; }

static int bit_test(const u8 *bits, u32 nbits, u32 i) {
  return i < nbits && (bits[i >> 3] >> (i & 7)) & 1;
}

static int bit_set(u8 **bits, u32 *nbits, u32 i) {
  if (i >= *nbits) {
    u32 nb = *nbits ? *nbits : 1024;
    while (nb <= i) nb *= 2;
    u8 *b = sqlite3_realloc64(*bits, nb / 8);
    if (b == NULL) return SQLITE_NOMEM;
    memset(b + *nbits / 8, 0, (nb - *nbits) / 8);
    *bits = b;
    *nbits = nb;
  }
  (*bits)[i >> 3] |= (u8)(1 << (i & 7));
  return SQLITE_OK;
}

static void bits_clear(u8 **bits, u32 *nbits) {
  sqlite3_free(*bits);
  *bits = NULL;
  *nbits = 0;
}

static u32 journal_cksum(Pager *p, const u8 *data) {
  u32 ck = p->nonce;
  int i = (int)p->page_size - 200;
  while (i > 0) {
    ck += data[i];
    i -= 200;
  }
  return ck;
}

static const u8 journal_magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};

/* Run one async operation kept in p->op_io.  kind: 'r','w','t','s'. */
static int op_run(Pager *p, int kind, ShaleFile *f, void *buf, int n, i64 off) {
  if (!p->op_active) {
    int rc;
    shale_io_init(&p->op_io);
    switch (kind) {
      case 'r': rc = f->methods->read(f, buf, n, off, &p->op_io); break;
      case 'w': rc = f->methods->write(f, buf, n, off, &p->op_io); break;
      case 't': rc = f->methods->truncate(f, off, &p->op_io); break;
      default: rc = f->methods->sync(f, n, &p->op_io); break;
    }
    if (rc == SHALE_PENDING) {
      p->op_active = 1;
      return SHALE_PENDING;
    }
    if (rc == SQLITE_OK) rc = p->op_io.rc;
    if (rc == SQLITE_IOERR_SHORT_READ) rc = SQLITE_OK;
    return rc;
  }
  if (!p->op_io.done) return SHALE_PENDING;
  p->op_active = 0;
  int rc = p->op_io.rc;
  if (rc == SQLITE_IOERR_SHORT_READ) rc = SQLITE_OK;
  return rc;
}

/* Reap finished owned writes; PENDING if wait and some are outstanding. */
static int owned_reap(Pager *p, int wait) {
  OwnedWrite **pp = &p->owned;
  int outstanding = 0;
  while (*pp) {
    OwnedWrite *w = *pp;
    if (w->io.done) {
      if (w->io.rc != SQLITE_OK && p->owned_err == SQLITE_OK) p->owned_err = w->io.rc;
      *pp = w->next;
      sqlite3_free(w);
    } else {
      outstanding++;
      pp = &w->next;
    }
  }
  if (wait && outstanding) return SHALE_PENDING;
  return p->owned_err;
}

static int owned_submit(Pager *p, ShaleFile *f, const void *a, int na, const void *b,
                        int nb, const void *c, int nc, i64 off) {
  int n = na + nb + nc;
  OwnedWrite *w;
  if (p->spare && p->spare->n >= n) {
    /* reuse the buffer of the last write that completed inline */
    w = p->spare;
    p->spare = NULL;
  } else {
    w = sqlite3_malloc64(sizeof(OwnedWrite) + (u64)n);
    if (w == NULL) return SQLITE_NOMEM;
    w->n = n;
  }
  int cap = w->n;
  u8 *d = (u8 *)(w + 1);
  if (na) memcpy(d, a, (size_t)na);
  if (nb) memcpy(d + na, b, (size_t)nb);
  if (nc) memcpy(d + na + nb, c, (size_t)nc);
  shale_io_init(&w->io);
  w->n = cap;
  int rc = f->methods->write(f, d, n, off, &w->io);
  if (rc == SHALE_PENDING) {
    w->next = p->owned;
    p->owned = w;
    return SQLITE_OK;
  }
  if (rc == SQLITE_OK) rc = w->io.rc;
  if (p->spare == NULL) p->spare = w;
  else sqlite3_free(w);
  if (rc != SQLITE_OK && p->owned_err == SQLITE_OK) p->owned_err = rc;
  return rc;
}

/* ------------------------------------------------------------- cache --- */

static u32 hash_of(Pager *p, Pgno pgno) { return (pgno * 2654435761u) & (p->nhash - 1); }

static DbPage *hash_find(Pager *p, Pgno pgno) {
  if (p->nhash == 0) return NULL;
  DbPage *pg = p->hash[hash_of(p, pgno)];
  while (pg && pg->pgno != pgno) pg = pg->hash_next;
  return pg;
}

static int hash_insert(Pager *p, DbPage *pg) {
  if ((u32)p->npage + 1 > p->nhash) {
    u32 nn = p->nhash ? p->nhash * 2 : 256;
    DbPage **nh = sqlite3_malloc64(sizeof(DbPage *) * (u64)nn);
    if (nh == NULL) return SQLITE_NOMEM;
    memset(nh, 0, sizeof(DbPage *) * nn);
    for (u32 i = 0; i < p->nhash; i++) {
      DbPage *x = p->hash[i];
      while (x) {
        DbPage *nx = x->hash_next;
        u32 h = (x->pgno * 2654435761u) & (nn - 1);
        x->hash_next = nh[h];
        nh[h] = x;
        x = nx;
      }
    }
    sqlite3_free(p->hash);
    p->hash = nh;
    p->nhash = nn;
  }
  u32 h = hash_of(p, pg->pgno);
  pg->hash_next = p->hash[h];
  p->hash[h] = pg;
  p->npage++;
  if (pg->pgno > p->max_pgno) p->max_pgno = pg->pgno;
  return SQLITE_OK;
}

static void hash_remove(Pager *p, DbPage *pg) {
  DbPage **pp = &p->hash[hash_of(p, pg->pgno)];
  while (*pp && *pp != pg) pp = &(*pp)->hash_next;
  if (*pp) {
    *pp = pg->hash_next;
    p->npage--;
  }
}

static void lru_remove(Pager *p, DbPage *pg) {
  if (pg->lru_prev) pg->lru_prev->lru_next = pg->lru_next;
  else if (p->lru_head == pg) p->lru_head = pg->lru_next;
  else return; /* not on the list */
  if (pg->lru_next) pg->lru_next->lru_prev = pg->lru_prev;
  else p->lru_tail = pg->lru_prev;
  pg->lru_prev = pg->lru_next = NULL;
}

static void lru_append(Pager *p, DbPage *pg) {
  pg->lru_next = NULL;
  pg->lru_prev = p->lru_tail;
  if (p->lru_tail) p->lru_tail->lru_next = pg;
  else p->lru_head = pg;
  p->lru_tail = pg;
}

static int on_lru(Pager *p, DbPage *pg) { return pg->lru_prev || p->lru_head == pg; }

static void dirty_add(Pager *p, DbPage *pg) {
  if (pg->flags & PG_DIRTY) return;
  pg->flags |= PG_DIRTY;
  pg->dirty_prev = NULL;
  pg->dirty_next = p->dirty_head;
  if (p->dirty_head) p->dirty_head->dirty_prev = pg;
  p->dirty_head = pg;
  p->ndirty++;
}

static void dirty_remove(Pager *p, DbPage *pg) {
  if (!(pg->flags & PG_DIRTY)) return;
  pg->flags &= ~PG_DIRTY;
  if (pg->dirty_prev) pg->dirty_prev->dirty_next = pg->dirty_next;
  else p->dirty_head = pg->dirty_next;
  if (pg->dirty_next) pg->dirty_next->dirty_prev = pg->dirty_prev;
  pg->dirty_prev = pg->dirty_next = NULL;
  p->ndirty--;
}

static void page_free(Pager *p, DbPage *pg) {
  /* caller removed it from hash/lru/dirty */
  if (pg->flags & PG_LOADING) {
    /* never happens (loading pages are not freed before their read
    ** completes); kept as a safety net */
    shale_vfs_wait_io(p->fd->vfs, &pg->io, SHALE_PENDING);
  }
  if (pg->cap != p->page_size) {
    sqlite3_free(pg); /* from before a page-size change */
    return;
  }
  pg->hash_next = p->free_list;
  p->free_list = pg;
}

static void page_discard(Pager *p, DbPage *pg) {
  hash_remove(p, pg);
  lru_remove(p, pg);
  dirty_remove(p, pg);
  page_free(p, pg);
}

static DbPage *page_alloc(Pager *p) {
  DbPage *pg = p->free_list;
  if (pg) {
    p->free_list = pg->hash_next;
  } else {
    size_t sz = sizeof(DbPage) + p->page_size + (size_t)p->extra + PAGE_SLACK;
    pg = sqlite3_malloc64(sz);
    if (pg == NULL) return NULL;
  }
  u8 *data = (u8 *)(pg + 1);
  memset(pg, 0, sizeof(*pg));
  pg->cap = p->page_size;
  pg->pager = p;
  pg->data = data;
  pg->extra = p->extra ? data + p->page_size : NULL;
  /* the data is filled by the read, or zeroed by the caller for a page
  ** that is not read; only the B-tree's extra space is cleared here */
  if (p->extra) memset(pg->extra, 0, (size_t)p->extra);
  return pg;
}

static void free_list_release(Pager *p) {
  while (p->free_list) {
    DbPage *pg = p->free_list;
    p->free_list = pg->hash_next;
    sqlite3_free(pg);
  }
}

/* Drop every unreferenced page; referenced ones become STALE. */
static void cache_drop(Pager *p) {
  for (u32 i = 0; i < p->nhash; i++) {
    DbPage *pg = p->hash[i];
    while (pg) {
      DbPage *nx = pg->hash_next;
      if (pg->nRef == 0 && !(pg->flags & PG_LOADING)) {
        page_discard(p, pg);
      } else {
        /* referenced, or a read still in flight into it: reload later */
        dirty_remove(p, pg);
        pg->flags |= PG_STALE;
      }
      pg = nx;
    }
  }
  p->cc_valid = 0;
}

/* Drop the unreferenced pages past the end of the image (zeroing the
** referenced ones if `zero_held`).  Only when some cached page lies past
** the end: not a walk over the whole cache at every commit. */
static void drop_past_end(Pager *p, int zero_held) {
  if (p->max_pgno <= p->db_size) return;
  Pgno keep = p->db_size;
  for (u32 i = 0; i < p->nhash; i++) {
    DbPage *pg = p->hash[i];
    while (pg) {
      DbPage *nx = pg->hash_next;
      if (pg->pgno > p->db_size) {
        if (pg->nRef == 0 && !(pg->flags & PG_LOADING)) {
          page_discard(p, pg);
        } else {
          if (zero_held && !(pg->flags & PG_LOADING)) memset(pg->data, 0, p->page_size);
          if (pg->pgno > keep) keep = pg->pgno;
        }
      }
      pg = nx;
    }
  }
  p->max_pgno = keep;
}

static void compute_cache_max(Pager *p) {
  int n = p->cache_size;
  if (p->memory) {
    /* an in-memory database lives in the cache, as in SQLite: evicting a
    ** page would only copy it back from the memdb image and validate it
    ** again on every touch */
    p->cache_max = 0x7fffffff;
    return;
  }
  if (n < 0) {
    i64 per = (i64)p->page_size + p->extra + (i64)sizeof(DbPage);
    i64 m = (-(i64)n * 1024) / per;
    n = m > 0x7fffffff ? 0x7fffffff : (int)m;
  }
  if (n < 10) n = 10;
  p->cache_max = n;
}

/* -------------------------------------------------------------- open --- */

int pager_open(ShaleVfs *vfs, const char *path, int pager_flags, int open_flags,
               int extra, Pager **out) {
  Pager *p;
  int rc;
  *out = NULL;
  if (vfs == NULL) vfs = shale_vfs_find(NULL);
  if (vfs == NULL) return SQLITE_ERROR;
  p = shale_malloc_zero(sizeof(*p));
  if (p == NULL) return SQLITE_NOMEM;
  int is_mem = (pager_flags & PAGER_MEMORY) || (path && strcmp(path, ":memory:") == 0);
  if (is_mem) {
    ShaleVfs *m = shale_vfs_find("memdb");
    /* The pending test VFS routes ":memory:" to memdb itself. */
    if (vfs != shale_vfs_find("pending") && vfs != shale_vfs_find("faulty")) vfs = m;
    path = ":memory:";
    p->memory = 1;
  }
  p->vfs = vfs;
  p->pager_flags = pager_flags;
  p->extra = (extra + 7) & ~7;
  p->page_size = 4096;
  p->cache_size = -2000;
  p->sync_level = 2;
  p->autockpt = 1000;
  p->journal_mode = p->memory ? PAGER_JOURNALMODE_MEMORY
                              : (pager_flags & PAGER_OMIT_JOURNAL) ? PAGER_JOURNALMODE_OFF
                                                                   : PAGER_JOURNALMODE_DELETE;
  if (open_flags == 0) open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  open_flags |= SQLITE_OPEN_MAIN_DB;
  int anon = (path == NULL || path[0] == 0);
  if (!anon) {
    char *full = sqlite3_malloc(vfs->max_pathname + 1);
    if (full == NULL) {
      sqlite3_free(p);
      return SQLITE_NOMEM;
    }
    rc = vfs->full_pathname(vfs, path, vfs->max_pathname + 1, full);
    if (rc != SQLITE_OK) {
      sqlite3_free(full);
      sqlite3_free(p);
      return rc;
    }
    size_t n = strlen(full);
    p->path = full;
    p->jpath = sqlite3_malloc64(n + 9);
    p->wpath = sqlite3_malloc64(n + 5);
    if (p->jpath == NULL || p->wpath == NULL) {
      pager_close(p);
      return SQLITE_NOMEM;
    }
    memcpy(p->jpath, full, n);
    memcpy(p->jpath + n, "-journal", 9);
    memcpy(p->wpath, full, n);
    memcpy(p->wpath + n, "-wal", 5);
  } else {
    p->path = shale_strdup("");
    open_flags |= SQLITE_OPEN_DELETEONCLOSE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    p->exclusive_mode = 1;
  }
  int outf = 0;
  rc = vfs->open(vfs, anon ? NULL : p->path, open_flags, &p->fd, &outf);
  if (rc != SQLITE_OK) {
    p->fd = NULL;
    pager_close(p);
    return rc;
  }
  p->open_flags = outf;
  p->readonly = (outf & SQLITE_OPEN_READONLY) != 0;
  if (p->memory) p->exclusive_mode = 1;
  p->cache_only = p->memory;
  compute_cache_max(p);
  *out = p;
  return SQLITE_OK;
}

static void journal_close(Pager *p) {
  owned_reap(p, 0);
  if (p->jfd) {
    while (p->owned) {
      /* writes into the journal still outstanding: finish them first */
      OwnedWrite *w = p->owned;
      shale_vfs_wait_io(p->jfd->vfs, &w->io, SHALE_PENDING);
      owned_reap(p, 0);
    }
    p->jfd->methods->close(p->jfd);
    p->jfd = NULL;
  }
}

static void txn_reset(Pager *p) {
  bits_clear(&p->in_journal, &p->in_journal_bits);
  sqlite3_free(p->seg);
  p->seg = NULL;
  p->nseg = p->aseg = 0;
  for (int i = 0; i < p->nsp; i++) sqlite3_free(p->sp[i].done);
  sqlite3_free(p->sp);
  p->sp = NULL;
  p->nsp = 0;
  sqlite3_free(p->sub);
  p->sub = NULL;
  p->sub_len = p->sub_alloc = 0;
  sqlite3_free(p->clist);
  p->clist = NULL;
  p->nclist = 0;
  sqlite3_free(p->wframes);
  p->wframes = NULL;
  p->db_modified = 0;
  p->wal_spill_max = 0;
  p->journal_needs_sync = 0;
  p->owned_err = SQLITE_OK;
}

static void pager_unlock_to(Pager *p, int level) {
  if (p->lock > level) {
    p->fd->methods->unlock(p->fd, level);
    p->lock = level;
  }
}

int pager_close(Pager *p) {
  if (p == NULL) return SQLITE_OK;
  if (p->state == PS_WRITER) {
    int rc = pager_rollback(p);
    if (rc == SHALE_PENDING) return rc;
  }
  if (p->wal) {
    int rc = wal_close(p->wal, p->sync_level >= 1 ? SQLITE_SYNC_NORMAL : 0, p->page_size);
    if (rc == SHALE_PENDING) return rc;
    p->wal = NULL;
  }
  /* Nothing may be freed while the VFS still owns one of our buffers:
  ** report PENDING until every request has completed. */
  if (p->batch) {
    for (int i = 0; i < p->batch_next; i++) {
      if (!p->batch[i].done) return SHALE_PENDING;
    }
  }
  if (p->op_active && !p->op_io.done) return SHALE_PENDING;
  for (OwnedWrite *w = p->owned; w; w = w->next) {
    if (!w->io.done) return SHALE_PENDING;
  }
  for (u32 i = 0; i < p->nhash; i++) {
    for (DbPage *pg = p->hash[i]; pg; pg = pg->hash_next) {
      if ((pg->flags & PG_LOADING) && !pg->io.done) return SHALE_PENDING;
    }
  }
  p->op_active = 0;
  if (p->jprobe) {
    p->jprobe->methods->close(p->jprobe);
    p->jprobe = NULL;
  }
  journal_close(p);
  for (u32 i = 0; i < p->nhash; i++) {
    DbPage *pg = p->hash[i];
    while (pg) {
      DbPage *nx = pg->hash_next;
      sqlite3_free(pg);
      pg = nx;
    }
  }
  free_list_release(p);
  sqlite3_free(p->hash);
  txn_reset(p);
  if (p->fd) {
    pager_unlock_to(p, SQLITE_LOCK_NONE);
    p->fd->methods->close(p->fd);
  }
  sqlite3_free(p->spare);
  sqlite3_free(p->batch);
  sqlite3_free(p->batch_pg);
  sqlite3_free(p->rb_buf);
  sqlite3_free(p->sp_done);
  sqlite3_free(p->path);
  sqlite3_free(p->jpath);
  sqlite3_free(p->wpath);
  sqlite3_free(p);
  return SQLITE_OK;
}

/* ---------------------------------------------------------- settings --- */

int pager_set_page_size(Pager *p, u32 page_size, int reserved) {
  if (page_size >= 512 && page_size <= 65536 && (page_size & (page_size - 1)) == 0 &&
      !p->page_size_fixed && p->npage == 0 && p->state != PS_WRITER) {
    if (page_size != p->page_size) {
      free_list_release(p);
      p->page_size = page_size;
      compute_cache_max(p);
    }
  }
  if (reserved >= 0 && reserved < 256 && !p->page_size_fixed) p->reserved = reserved;
  return SQLITE_OK;
}

u32 pager_page_size(Pager *p) { return p->page_size; }
int pager_reserved(Pager *p) { return p->reserved; }

void pager_set_cache_size(Pager *p, int n) {
  p->cache_size = n;
  compute_cache_max(p);
}
int pager_get_cache_size(Pager *p) { return p->cache_size; }
void pager_cache_reserve(Pager *p, int n_pages) { p->cache_reserve = n_pages > 0 ? n_pages : 0; }
void pager_set_synchronous(Pager *p, int level) {
  if (level < 0) level = 0;
  if (level > 3) level = 3;
  p->sync_level = level;
}

int pager_set_locking_mode(Pager *p, int exclusive) {
  if (exclusive >= 0 && !p->memory) p->exclusive_mode = exclusive ? 1 : 0;
  return p->exclusive_mode;
}

void pager_set_busy_handler(Pager *p, int (*handler)(void *, int), void *arg) {
  p->busy = handler;
  p->busy_arg = arg;
}

void pager_set_autocheckpoint(Pager *p, int n) { p->autockpt = n > 0 ? (u32)n : 0; }

int pager_wal_callback(Pager *p) {
  int n = (int)p->wal_cb_frames;
  p->wal_cb_frames = 0;
  return n;
}

void pager_checkpoint_soon(Pager *p) {
  if (p->wal) p->ckpt_due = 1;
}

u32 pager_data_version(Pager *p) { return p->data_version; }
const char *pager_filename(Pager *p) { return p->path; }
ShaleFile *pager_file(Pager *p) { return p->fd; }
ShaleVfs *pager_vfs(Pager *p) { return p->vfs; }
int pager_is_readonly(Pager *p) { return p->readonly; }
int pager_is_memory(Pager *p) { return p->memory; }
int pager_in_write_trans(Pager *p) { return p->state == PS_WRITER; }

void pager_cache_stats(Pager *p, int *hit, int *miss, int *write, int reset) {
  if (hit) *hit = p->hit;
  if (miss) *miss = p->miss;
  if (write) *write = p->nwrite;
  if (reset) p->hit = p->miss = p->nwrite = 0;
}

Pgno pager_page_count(Pager *p) { return p->db_size; }

void pager_truncate_image(Pager *p, Pgno n) {
  if (p->state == PS_WRITER && n < p->db_size) {
    p->db_size = n;
    /* pages past the end are simply not written at commit */
  }
}

/* --------------------------------------------------------- lock wait --- */

/* A wait for `level` succeeded: the next wait counts from 0 again. */
static void busy_done(Pager *p, int level) {
  if (p->busy_level == level) {
    p->busy_level = 0;
    p->busy_count = 0;
    p->busy_declined = 0;
  }
}

int pager_busy_step(Pager *p, int level, int count) {
  if (p->busy == NULL) return SQLITE_BUSY;
  if (!p->busy_defer) return p->busy(p->busy_arg, count) ? SQLITE_OK : SQLITE_BUSY;
  if (p->busy_declined) {
    p->busy_declined = 0;
    p->busy_waiting = 0;
    p->busy_count = 0;
    p->busy_level = 0;
    return SQLITE_BUSY;
  }
  p->busy_waiting = 1;
  p->busy_level = level;
  return SHALE_PENDING;
}

void pager_set_busy_defer(Pager *p, int on) { p->busy_defer = (u8)(on != 0); }

int pager_busy_waiting(Pager *p, int *count) {
  if (count) *count = p->busy_count;
  return p->busy_waiting;
}

void pager_busy_answer(Pager *p, int retry) {
  if (!p->busy_waiting) return;
  p->busy_waiting = 0;
  if (retry) p->busy_count++;
  else p->busy_declined = 1;
}

static int pager_busy_wait(Pager *p, int level) {
  for (;;) {
    int rc = p->fd->methods->lock(p->fd, level);
    if (rc == SQLITE_OK) {
      p->lock = level;
      p->lock_tries = 0;
      busy_done(p, level);
      return SQLITE_OK;
    }
    if (rc != SQLITE_BUSY) return rc;
    int got;
    p->fd->methods->file_control(p->fd, SQLITE_FCNTL_LOCKSTATE, &got);
    if (got > p->lock) p->lock = got;
    rc = pager_busy_step(p, level, p->lock_tries++);
    if (rc != SQLITE_OK) {
      p->lock_tries = 0;
      return rc; /* SQLITE_BUSY, or SHALE_PENDING: the caller waits, then retries */
    }
  }
}

/* ------------------------------------------------------ journal mode --- */

static int wal_available(void) { return 1; }

int pager_journal_mode(Pager *p, int mode) {
  if (mode < 0 || mode > PAGER_JOURNALMODE_WAL) return p->journal_mode;
  if (p->memory) {
    if (mode == PAGER_JOURNALMODE_MEMORY || mode == PAGER_JOURNALMODE_OFF) p->journal_mode = mode;
    return p->journal_mode;
  }
  if (p->state == PS_WRITER) return p->journal_mode;
  if (mode == PAGER_JOURNALMODE_WAL) {
    if (!wal_available() || p->path[0] == 0) return p->journal_mode;
    if (p->journal_mode != PAGER_JOURNALMODE_WAL) {
      p->journal_mode = PAGER_JOURNALMODE_WAL;
      p->ws_set_version = 2;
    }
    return p->journal_mode;
  }
  if (p->journal_mode == PAGER_JOURNALMODE_WAL) {
    /* leaving WAL: checkpoint and close the log */
    if (p->wal) {
      if (p->state == PS_READER) {
        wal_end_read(p->wal);
      }
      int rc = wal_close(p->wal, p->sync_level ? SQLITE_SYNC_NORMAL : 0, p->page_size);
      if (rc != SQLITE_OK) return PAGER_JOURNALMODE_WAL;
      p->wal = NULL;
      p->state = PS_OPEN;
      pager_unlock_to(p, SQLITE_LOCK_NONE);
      cache_drop(p);
    }
    p->ws_set_version = 1;
  }
  if (p->jfd && p->jopen_mode != mode) journal_close(p);
  /* A persisted/truncated journal left from the old mode goes away. */
  if (p->journal_mode == PAGER_JOURNALMODE_PERSIST || p->journal_mode == PAGER_JOURNALMODE_TRUNCATE) {
    if (mode != PAGER_JOURNALMODE_PERSIST && mode != PAGER_JOURNALMODE_TRUNCATE && p->jpath &&
        p->state != PS_OPEN) {
      /* only if no one else can be using it: we hold at least SHARED; a
      ** zeroed/empty journal is never hot, so deleting is safe */
      int ex = 0;
      p->vfs->access(p->vfs, p->jpath, SQLITE_ACCESS_EXISTS, &ex);
      if (ex && p->lock >= SQLITE_LOCK_RESERVED) p->vfs->remove(p->vfs, p->jpath, 0);
    }
  }
  p->journal_mode = mode;
  return mode;
}

/* --------------------------------------------------------- playback --- */

/* Apply one journal record in p->rb_buf to the cache (and the db file if
** to_db).  Returns OK or PENDING (db write in flight). */
static int playback_apply(Pager *p, Pgno pgno, int to_db) {
  const u8 *data = p->rb_buf + 4;
  DbPage *pg = hash_find(p, pgno);
  if (pg && !(pg->flags & PG_LOADING)) {
    memcpy(pg->data, data, p->page_size);
    if (p->extra) memset(pg->extra, 0, (size_t)p->extra);
    dirty_remove(p, pg);
    pg->flags &= ~PG_STALE;
    if (pg->nRef == 0 && !on_lru(p, pg)) lru_append(p, pg);
  } else if (pg) {
    /* loading: let the read finish, then drop it (it may hold new data) */
    pg->flags |= PG_STALE;
  }
  if (to_db) {
    return op_run(p, 'w', p->fd, (void *)data, (int)p->page_size,
                  (i64)(pgno - 1) * p->page_size);
  }
  return SQLITE_OK;
}

/* Own rollback playback: records described by p->seg.  Returns OK when all
** records have been applied. */
static int playback_own(Pager *p) {
  int rc;
  while (p->rb_seg < p->nseg) {
    JSeg *s = &p->seg[p->rb_seg];
    u32 nrec = s->nrec;
    while (p->rb_rec < nrec) {
      i64 off = s->rec_start + (i64)p->rb_rec * rec_size(p);
      if (p->rbstate == RB_PLAY) { /* read phase */
        rc = op_run(p, 'r', p->jfd, p->rb_buf, (int)rec_size(p), off);
        if (rc != SQLITE_OK) return rc;
        p->rbstate = RB_PLAY + 100; /* apply phase */
      }
      Pgno pgno = get4byte(p->rb_buf);
      if (pgno != 0 && pgno <= p->db_orig_size) {
        rc = playback_apply(p, pgno, p->db_modified);
        if (rc != SQLITE_OK) return rc;
      }
      p->rbstate = RB_PLAY;
      p->rb_rec++;
    }
    p->rb_seg++;
    p->rb_rec = 0;
  }
  return SQLITE_OK;
}

/* Hot journal playback: parse headers from the file.  Applies every valid
** record to the db file; stops at the first invalid header or checksum. */
static int playback_hot(Pager *p) {
  int rc;
  for (;;) {
    if (p->rb_nrec == 0 && p->rb_rec == 0 && p->rbstate == RB_PLAY) {
      /* read the header at rb_hdr_off */
      if (p->rb_hdr_off + 28 > p->rb_jsize) return SQLITE_OK;
      rc = op_run(p, 'r', p->jfd, p->rb_buf, 28, p->rb_hdr_off);
      if (rc != SQLITE_OK) return rc;
      if (memcmp(p->rb_buf, journal_magic, 8) != 0) return SQLITE_OK;
      u32 nrec = get4byte(p->rb_buf + 8);
      p->rb_nonce = get4byte(p->rb_buf + 12);
      Pgno mx = get4byte(p->rb_buf + 16);
      u32 sector = get4byte(p->rb_buf + 20);
      u32 psize = get4byte(p->rb_buf + 24);
      if (psize < 512 || psize > 65536 || (psize & (psize - 1)) || sector < 32 ||
          sector > 65536 || (sector & (sector - 1))) {
        return SQLITE_OK;
      }
      if (p->rb_first) {
        p->rb_first = 0;
        p->rb_mxpg = mx;
        if (psize != p->page_size) {
          cache_drop(p);
          free_list_release(p);
          p->page_size = psize;
          compute_cache_max(p);
          sqlite3_free(p->rb_buf);
          p->rb_buf = sqlite3_malloc64(psize + 8);
          if (p->rb_buf == NULL) return SQLITE_NOMEM;
        }
      } else if (psize != p->page_size) {
        return SQLITE_OK;
      }
      p->rb_sector = sector;
      i64 rec_start = p->rb_hdr_off + sector;
      if (nrec == 0xffffffff) {
        nrec = (u32)((p->rb_jsize - rec_start) / rec_size(p));
      }
      if (nrec == 0) {
        /* an empty segment (a spill with nothing new): go on to the next */
        i64 sec = sector;
        p->rb_hdr_off = ((rec_start + sec - 1) / sec) * sec;
        continue;
      }
      p->rb_nrec = nrec;
      p->rb_rec = 0;
    }
    i64 rec_start = p->rb_hdr_off + p->rb_sector;
    while (p->rb_rec < p->rb_nrec) {
      i64 off = rec_start + (i64)p->rb_rec * rec_size(p);
      if (p->rbstate == RB_PLAY) {
        if (off + rec_size(p) > p->rb_jsize) return SQLITE_OK;
        rc = op_run(p, 'r', p->jfd, p->rb_buf, (int)rec_size(p), off);
        if (rc != SQLITE_OK) return rc;
        Pgno pgno = get4byte(p->rb_buf);
        u32 ck = get4byte(p->rb_buf + 4 + p->page_size);
        u32 save = p->nonce;
        p->nonce = p->rb_nonce;
        u32 want = journal_cksum(p, p->rb_buf + 4);
        p->nonce = save;
        if (pgno == 0 || ck != want) return SQLITE_OK; /* end of valid data */
        p->rbstate = RB_PLAY + 100;
      }
      Pgno pgno = get4byte(p->rb_buf);
      if (pgno <= p->rb_mxpg && pgno != (Pgno)(PENDING_BYTE_OFS / p->page_size) + 1) {
        rc = playback_apply(p, pgno, 1);
        if (rc != SQLITE_OK) return rc;
      }
      p->rbstate = RB_PLAY;
      p->rb_rec++;
    }
    /* next segment */
    i64 end = rec_start + (i64)p->rb_nrec * rec_size(p);
    i64 sec = p->rb_sector;
    p->rb_hdr_off = ((end + sec - 1) / sec) * sec;
    p->rb_nrec = 0;
    p->rb_rec = 0;
  }
}

/* Finalize the journal at the end of a transaction (commit or rollback). */
static int journal_finalize(Pager *p, int mode) {
  int rc = SQLITE_OK;
  if (p->jfd == NULL) return SQLITE_OK;
  switch (mode) {
    case PAGER_JOURNALMODE_TRUNCATE:
      rc = op_run(p, 't', p->jfd, NULL, 0, 0);
      break;
    case PAGER_JOURNALMODE_PERSIST:
      memset(p->jhdr, 0, 28);
      rc = op_run(p, 'w', p->jfd, p->jhdr, 28, 0);
      break;
    case PAGER_JOURNALMODE_DELETE:
      journal_close(p);
      if (p->jpath) {
        /* synchronous=EXTRA also makes the deletion durable (dir sync) */
        rc = p->vfs->remove(p->vfs, p->jpath, p->sync_level >= 3);
        if (rc == SQLITE_IOERR_DELETE_NOENT) rc = SQLITE_OK;
      }
      break;
    default: /* MEMORY, OFF */
      journal_close(p);
      break;
  }
  return rc;
}

/* ------------------------------------------------------- begin_read --- */

/* Page 1 of an empty database (what the B-tree would create): the
** 100-byte header and an empty table-leaf page for sqlite_schema. */
static void init_empty_page1(Pager *p, u8 *d) {
  u32 ps = p->page_size;
  u32 usable = ps - (u32)p->reserved;
  memset(d, 0, ps);
  memcpy(d, "SQLite format 3", 16);
  put2byte(d + 16, ps == 65536 ? 1 : ps);
  d[18] = d[19] = 1;
  d[20] = (u8)p->reserved;
  d[21] = 64;
  d[22] = 32;
  d[23] = 32;
  put4byte(d + 28, 1);
  put4byte(d + 44, 4);
  put4byte(d + 56, 1);
  put4byte(d + 96, SQLITE_VERSION_NUMBER);
  d[100] = 0x0d;
  put2byte(d + 105, usable == 65536 ? 0 : usable);
}

/* Is there a hot journal?  Async: the probe of its first byte is a read
** kept in p->op_io (the probe file stays open across retries). */
static int hot_journal_check(Pager *p, int *hot) {
  int rc;
  *hot = 0;
  if (p->memory || p->jpath == NULL) return SQLITE_OK;
  if (p->jprobe == NULL) {
    int exists = 0, reserved = 0;
    rc = p->vfs->access(p->vfs, p->jpath, SQLITE_ACCESS_EXISTS, &exists);
    if (rc != SQLITE_OK || !exists) return rc;
    rc = p->fd->methods->check_reserved_lock(p->fd, &reserved);
    if (rc != SQLITE_OK || reserved) return rc;
    i64 dbsz = 0;
    rc = p->fd->methods->file_size(p->fd, &dbsz);
    if (rc != SQLITE_OK) return rc;
    if (dbsz == 0) return SQLITE_OK;
    int of = 0;
    rc = p->vfs->open(p->vfs, p->jpath, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_JOURNAL,
                      &p->jprobe, &of);
    if (rc != SQLITE_OK) {
      p->jprobe = NULL;
      return SQLITE_OK; /* vanished: not hot */
    }
    p->probe_byte = 0;
  }
  /* a journal whose first byte is zero is not hot (SQLite's rule) */
  rc = op_run(p, 'r', p->jprobe, &p->probe_byte, 1, 0);
  if (rc == SHALE_PENDING) return rc;
  p->jprobe->methods->close(p->jprobe);
  p->jprobe = NULL;
  if (rc != SQLITE_OK) return rc;
  *hot = p->probe_byte != 0;
  return SQLITE_OK;
}

static int wal_enter_read(Pager *p) {
  int changed = 0;
  if (p->wal == NULL) {
    Wal *w = NULL;
    int rc = wal_open(p->vfs, p->fd, p->wpath, p->exclusive_mode, &w);
    if (rc != SQLITE_OK) return rc;
    p->wal = w;
  }
  int rc = wal_begin_read(p->wal, &changed);
  if (rc != SQLITE_OK) return rc;
  if (changed) {
    cache_drop(p);
    /* PRAGMA data_version moves for other connections' commits only */
    if (!(p->own_frame_valid && (u32)wal_frame_count(p->wal) == p->own_frame)) p->data_version++;
  }
  p->own_frame_valid = 0;
  Pgno n = wal_db_size(p->wal);
  if (n) {
    p->db_size = n;
  } else {
    /* an empty log: the database file has the size */
    i64 sz = 0;
    rc = p->fd->methods->file_size(p->fd, &sz);
    if (rc != SQLITE_OK) {
      wal_end_read(p->wal);
      return rc;
    }
    p->db_file_size = (Pgno)((sz + p->page_size - 1) / p->page_size);
    p->db_size = p->db_file_size;
  }
  return SQLITE_OK;
}

int pager_begin_read(Pager *p) {
  int rc;
  if (p->state == PS_ERROR) return p->err;
  if (p->brstate == BR_IDLE && p->state >= PS_READER) return SQLITE_OK;
  if (p->brstate == BR_IDLE) {
    if (p->lock < SQLITE_LOCK_SHARED) {
      rc = pager_busy_wait(p, SQLITE_LOCK_SHARED);
      if (rc != SQLITE_OK) return rc;
    }
    p->brstate = BR_LOCKED;
  }
  if (p->brstate == BR_LOCKED) {
    int hot = 0;
    if (p->journal_mode != PAGER_JOURNALMODE_WAL && !p->memory) {
      rc = hot_journal_check(p, &hot);
      if (rc != SQLITE_OK) goto fail;
    }
    if (hot && p->readonly) {
      rc = SQLITE_READONLY_ROLLBACK; /* cannot roll it back: refuse to read */
      goto fail;
    }
    if (hot) {
      /* Take EXCLUSIVE (through PENDING) and roll the journal back. */
      rc = p->fd->methods->lock(p->fd, SQLITE_LOCK_EXCLUSIVE);
      if (rc != SQLITE_OK) {
        if (rc == SQLITE_BUSY) {
          pager_unlock_to(p, SQLITE_LOCK_NONE);
          p->fd->methods->unlock(p->fd, SQLITE_LOCK_NONE);
          p->lock = SQLITE_LOCK_NONE;
          p->brstate = BR_IDLE;
        }
        goto fail;
      }
      p->lock = SQLITE_LOCK_EXCLUSIVE;
      /* re-check under the exclusive lock */
      int ex = 0;
      p->vfs->access(p->vfs, p->jpath, SQLITE_ACCESS_EXISTS, &ex);
      if (ex) {
        int of = 0;
        rc = p->vfs->open(p->vfs, p->jpath,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_JOURNAL, &p->jfd, &of);
        if (rc != SQLITE_OK) {
          p->jfd = NULL;
          goto fail;
        }
        p->jopen_mode = p->journal_mode;
        cache_drop(p);
        p->rb_buf = sqlite3_realloc64(p->rb_buf, p->page_size + 8);
        if (p->rb_buf == NULL) {
          rc = SQLITE_NOMEM;
          goto fail;
        }
        p->jfd->methods->file_size(p->jfd, &p->rb_jsize);
        p->rb_hot = 1;
        p->rb_first = 1;
        p->rb_hdr_off = 0;
        p->rb_nrec = 0;
        p->rb_rec = 0;
        p->rb_mxpg = 0;
        p->rbstate = RB_PLAY;
        p->brstate = BR_HOT;
      } else {
        p->brstate = BR_HDR;
      }
    } else {
      p->brstate = BR_HDR;
    }
    if (p->brstate == BR_HDR && p->cache_only) {
      p->brstate = BR_WAL; /* no file: the size is the pager's own */
    } else if (p->brstate == BR_HDR && p->wal && p->journal_mode == PAGER_JOURNALMODE_WAL &&
               !p->ws_set_version) {
      /* The WAL is open, and with it our SHARED lock on the database file,
      ** so nobody can change the file outside the WAL: what the header
      ** would tell (page size, WAL mode, change counter) is known, and the
      ** size comes from the snapshot (wal_enter_read).  As SQLite, no
      ** header read and no file size per transaction. */
      p->brstate = BR_WAL;
    }
  }
  if (p->brstate == BR_HOT) {
    if (p->rbstate == RB_PLAY || p->rbstate == RB_PLAY + 100) {
      rc = playback_hot(p);
      if (rc != SQLITE_OK) goto fail_pending_ok;
      p->rbstate = RB_TRUNC;
    }
    if (p->rbstate == RB_TRUNC) {
      if (!p->rb_first) {
        rc = op_run(p, 't', p->fd, NULL, 0, (i64)p->rb_mxpg * p->page_size);
        if (rc != SQLITE_OK) goto fail_pending_ok;
      }
      p->rbstate = RB_SYNC;
    }
    if (p->rbstate == RB_SYNC) {
      if (p->sync_level > 0) {
        rc = op_run(p, 's', p->fd, NULL, SQLITE_SYNC_NORMAL, 0);
        if (rc != SQLITE_OK) goto fail_pending_ok;
      }
      p->rbstate = RB_FINAL;
    }
    if (p->rbstate == RB_FINAL) {
      int mode = p->journal_mode;
      if (mode != PAGER_JOURNALMODE_PERSIST && mode != PAGER_JOURNALMODE_TRUNCATE) {
        mode = PAGER_JOURNALMODE_DELETE;
      }
      rc = journal_finalize(p, mode);
      if (rc != SQLITE_OK) goto fail_pending_ok;
      journal_close(p);
      p->rbstate = RB_IDLE;
      cache_drop(p);
      p->data_version++;
      p->fd->methods->unlock(p->fd, SQLITE_LOCK_SHARED);
      p->lock = SQLITE_LOCK_SHARED;
      p->brstate = BR_HDR;
    }
  }
  if (p->brstate == BR_HDR) {
    i64 sz = 0;
    rc = p->fd->methods->file_size(p->fd, &sz);
    if (rc != SQLITE_OK) goto fail;
    if (sz >= 100 && !(p->exclusive_mode && p->cc_valid)) {
      rc = op_run(p, 'r', p->fd, p->hdr, 100, 0);
      if (rc != SQLITE_OK) goto fail_pending_ok;
      if (memcmp(p->hdr, "SQLite format 3", 16) == 0) {
        u32 ps = get2byte(p->hdr + 16);
        if (ps == 1) ps = 65536;
        if (ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0) {
          if (ps != p->page_size) {
            cache_drop(p);
            if (p->npage == 0) {
              free_list_release(p);
              p->page_size = ps;
              compute_cache_max(p);
            }
          }
          p->page_size_fixed = 1;
          p->reserved = p->hdr[20];
        }
        if (p->hdr[18] == 2 && p->journal_mode != PAGER_JOURNALMODE_WAL && wal_available() &&
            p->ws_set_version != 1) {
          p->journal_mode = PAGER_JOURNALMODE_WAL;
        }
      }
      if (p->cc_valid && memcmp(p->cc, p->hdr + 24, 16) != 0) {
        cache_drop(p);
        p->data_version++;
      } else if (!p->cc_valid && p->npage) {
        cache_drop(p);
      }
      memcpy(p->cc, p->hdr + 24, 16);
      p->cc_valid = 1;
    } else if (sz < 100) {
      if (p->npage && !p->exclusive_mode) cache_drop(p);
      p->cc_valid = 0;
    }
    p->db_file_size = (Pgno)((sz + p->page_size - 1) / p->page_size);
    p->db_size = p->db_file_size;
    if (p->journal_mode != PAGER_JOURNALMODE_WAL && p->ws_set_version == 0 && sz > 0 &&
        !p->memory && p->wpath) {
      /* a -wal file next to a non-empty database: it is in WAL mode (as
      ** SQLite's pagerOpenWalIfPresent decides) */
      int ex = 0;
      p->vfs->access(p->vfs, p->wpath, SQLITE_ACCESS_EXISTS, &ex);
      if (ex) p->journal_mode = PAGER_JOURNALMODE_WAL;
    }
    p->brstate = BR_WAL;
    if (p->ws_set_version && p->wal == NULL && !p->memory && !p->readonly) {
      /* The file-format bytes 18/19 change (rollback <-> WAL): written
      ** straight into the database file through a rollback-journal
      ** transaction, as SQLite does, so that the file itself says WAL
      ** before anything goes to the log (and a new database gets its
      ** page 1 here). */
      int v = p->ws_set_version;
      int need = (v == 2) ? (sz < 100 || p->hdr[18] != 2 || p->hdr[19] != 2)
                          : (sz >= 100 && (p->hdr[18] != 1 || p->hdr[19] != 1));
      if (need) {
        p->brstate = BR_SETVER;
        p->setver_done = 0;
      } else {
        p->ws_set_version = 0;
      }
    }
  }
  if (p->brstate == BR_SETVER) {
    if (p->state != PS_WRITER) {
      p->setver_mode = p->journal_mode;
      if (p->journal_mode == PAGER_JOURNALMODE_WAL) p->journal_mode = PAGER_JOURNALMODE_DELETE;
      p->state = PS_READER;
      rc = pager_begin_write(p, 0);
      if (rc != SQLITE_OK) {
        p->journal_mode = p->setver_mode;
        p->state = PS_OPEN;
        goto fail;
      }
    }
    if (!p->setver_done) {
      DbPage *pg;
      int fresh = p->db_size == 0;
      rc = pager_get(p, 1, &pg, fresh ? PAGER_GET_NOCONTENT : 0);
      if (rc == SHALE_PENDING) return rc;
      if (rc == SQLITE_OK) {
        rc = pager_write(pg);
        if (rc == SQLITE_OK) {
          u8 *d = pg->data;
          if (fresh) init_empty_page1(p, d);
          d[18] = d[19] = (u8)p->ws_set_version;
        }
        pager_unref(pg);
      }
      if (rc != SQLITE_OK) {
        p->setver_rc = rc;
        p->brstate = BR_SETVER_RB;
      } else {
        p->setver_done = 1;
      }
    }
    if (p->brstate == BR_SETVER) {
      rc = pager_commit(p);
      if (rc == SHALE_PENDING) return rc;
      if (rc != SQLITE_OK) {
        p->setver_rc = rc;
        p->brstate = BR_SETVER_RB;
      } else {
        p->journal_mode = p->setver_mode;
        p->ws_set_version = 0;
        p->state = PS_OPEN;
        p->brstate = BR_WAL;
      }
    }
  }
  if (p->brstate == BR_SETVER_RB) {
    rc = pager_rollback(p);
    if (rc == SHALE_PENDING) return rc;
    p->journal_mode = p->setver_mode;
    p->state = PS_OPEN;
    rc = p->setver_rc;
    goto fail;
  }
  if (p->brstate == BR_WAL) {
    if (p->journal_mode == PAGER_JOURNALMODE_WAL && wal_available()) {
      if (p->wal && p->ckpt_due) {
        int a, b;
        rc = wal_checkpoint(p->wal, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL,
                            p->sync_level ? SQLITE_SYNC_NORMAL : 0, p->page_size, &a, &b);
        if (rc == SHALE_PENDING) return rc;
        p->ckpt_due = 0;
      }
      rc = wal_enter_read(p);
      if (rc != SQLITE_OK) goto fail_pending_ok;
    }
  }
  p->brstate = BR_IDLE;
  p->state = PS_READER;
  return SQLITE_OK;

fail_pending_ok:
  if (rc == SHALE_PENDING) return rc;
fail:
  if (rc == SHALE_PENDING) return rc;
  p->brstate = BR_IDLE;
  p->rbstate = RB_IDLE;
  if (p->jprobe) {
    p->jprobe->methods->close(p->jprobe);
    p->jprobe = NULL;
  }
  if (p->jfd && p->rb_hot) journal_close(p);
  p->rb_hot = 0;
  if (!p->exclusive_mode || rc == SQLITE_BUSY) pager_unlock_to(p, SQLITE_LOCK_NONE);
  return rc;
}

void pager_end_read(Pager *p) {
  if (p->state != PS_READER) return;
  if (p->wal) {
    wal_end_read(p->wal);
    p->state = PS_OPEN;
    return; /* keep SHARED on the db file while the WAL is open */
  }
  p->state = PS_OPEN;
  if (!p->exclusive_mode) pager_unlock_to(p, SQLITE_LOCK_NONE);
}

/* ------------------------------------------------------ begin_write --- */

int pager_begin_write(Pager *p, int exclusive) {
  int rc;
  if (p->state == PS_ERROR) return p->err;
  if (p->state == PS_WRITER) return SQLITE_OK;
  if (p->state != PS_READER) return SQLITE_MISUSE;
  if (p->readonly) return SQLITE_READONLY;
  if (p->wal) {
    rc = wal_begin_write(p->wal);
    if (rc != SQLITE_OK) return rc;
    busy_done(p, SQLITE_LOCK_RESERVED);
  } else {
    if (p->lock < SQLITE_LOCK_RESERVED) {
      rc = p->fd->methods->lock(p->fd, SQLITE_LOCK_RESERVED);
      if (rc != SQLITE_OK) return rc;
      p->lock = SQLITE_LOCK_RESERVED;
      busy_done(p, SQLITE_LOCK_RESERVED);
    }
    if (exclusive || p->exclusive_mode) {
      rc = pager_busy_wait(p, SQLITE_LOCK_EXCLUSIVE);
      if (rc != SQLITE_OK) {
        if (!p->exclusive_mode) {
          p->fd->methods->unlock(p->fd, SQLITE_LOCK_SHARED);
          p->lock = SQLITE_LOCK_SHARED;
        }
        return rc;
      }
    }
  }
  txn_reset(p);
  p->db_orig_size = p->db_size;
  p->state = PS_WRITER;
  p->cstate = CS_IDLE;
  return SQLITE_OK;
}

/* --------------------------------------------------------- journal --- */

static u32 journal_sector(Pager *p) {
  ShaleFile *f = p->fd;
  int dc = f->methods->device_characteristics(f);
  int s = f->methods->sector_size(f);
  if ((dc & SQLITE_IOCAP_POWERSAFE_OVERWRITE) || p->memory) s = 512;
  if (s < 32) s = 512;
  if (s > 65536) s = 65536;
  return (u32)s;
}

static int journal_uses_sync(Pager *p) {
  return p->sync_level > 0 && p->journal_mode != PAGER_JOURNALMODE_MEMORY;
}

/* Write a new segment header at the next sector boundary. */
static int journal_new_header(Pager *p) {
  i64 off = p->journal_off;
  if (off % p->sector) off = (off / p->sector + 1) * p->sector;
  u8 h[28];
  memset(h, 0, sizeof(h));
  if (!journal_uses_sync(p)) {
    memcpy(h, journal_magic, 8);
    put4byte(h + 8, 0xffffffff);
  }
  put4byte(h + 12, p->nonce);
  put4byte(h + 16, p->db_orig_size);
  put4byte(h + 20, p->sector);
  put4byte(h + 24, p->page_size);
  if (p->nseg == p->aseg) {
    int na = p->aseg ? p->aseg * 2 : 4;
    JSeg *s = sqlite3_realloc64(p->seg, sizeof(JSeg) * (u64)na);
    if (s == NULL) return SQLITE_NOMEM;
    p->seg = s;
    p->aseg = na;
  }
  p->seg[p->nseg].hdr_off = off;
  p->seg[p->nseg].rec_start = off + p->sector;
  p->seg[p->nseg].nrec = 0;
  p->nseg++;
  /* even without records, the header (initial size) must be valid and
  ** durable before the db file is written */
  p->journal_needs_sync = 1;
  /* pad the header to the sector size with zeros */
  int rc = owned_submit(p, p->jfd, h, 28, NULL, 0, NULL, 0, off);
  if (rc == SQLITE_OK && p->sector > 28) {
    u8 *z = shale_malloc_zero(p->sector - 28);
    if (z == NULL) return SQLITE_NOMEM;
    rc = owned_submit(p, p->jfd, z, (int)(p->sector - 28), NULL, 0, NULL, 0, off + 28);
    sqlite3_free(z);
  }
  p->journal_off = off + p->sector;
  return rc;
}

static int journal_open(Pager *p) {
  int rc, of = 0;
  if (p->jfd) return SQLITE_OK;
  if (p->journal_mode == PAGER_JOURNALMODE_OFF) return SQLITE_OK;
  if (p->journal_mode == PAGER_JOURNALMODE_MEMORY || p->jpath == NULL || p->path[0] == 0) {
    ShaleVfs *m = shale_vfs_find("memdb");
    rc = m->open(m, NULL, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_JOURNAL,
                 &p->jfd, &of);
  } else {
    rc = p->vfs->open(p->vfs, p->jpath,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_JOURNAL,
                      &p->jfd, &of);
  }
  if (rc != SQLITE_OK) {
    p->jfd = NULL;
    return rc == SQLITE_CANTOPEN ? SQLITE_CANTOPEN : rc;
  }
  p->jopen_mode = p->journal_mode;
  return SQLITE_OK;
}

/* Start this transaction's journal (first pager_write). */
static int journal_begin(Pager *p) {
  int rc = journal_open(p);
  if (rc != SQLITE_OK || p->jfd == NULL) return rc;
  p->vfs->randomness(p->vfs, 4, (char *)&p->nonce);
  p->sector = journal_sector(p);
  p->journal_off = 0;
  p->nseg = 0;
  return journal_new_header(p);
}

/* ----------------------------------------------------------- pages --- */

/* Sync the journal and publish nRec (sub-machine of commit and spill).
** newhdr: start a new segment afterwards. */
static int journal_sync(Pager *p, int newhdr) {
  int rc;
  if (p->jsstate == JS_IDLE) {
    if (p->jfd == NULL || !p->journal_needs_sync) return SQLITE_OK;
    if (!journal_uses_sync(p)) {
      p->journal_needs_sync = 0;
      return SQLITE_OK;
    }
    p->jsstate = JS_SYNC1;
  }
  if (p->jsstate == JS_SYNC1) {
    rc = owned_reap(p, 1);
    if (rc != SQLITE_OK) return rc;
    if (p->sync_level >= 2) {
      rc = op_run(p, 's', p->jfd, NULL, SQLITE_SYNC_NORMAL, 0);
      if (rc != SQLITE_OK) return rc;
    }
    JSeg *s = &p->seg[p->nseg - 1];
    memcpy(p->jhdr, journal_magic, 8);
    put4byte(p->jhdr + 8, s->nrec);
    p->jsstate = JS_ZAP;
  }
  if (p->jsstate == JS_ZAP) {
    /* A journal kept by PERSIST may hold an old valid header right where
    ** our next one would go: clobber its first byte so a hot rollback
    ** cannot wander into stale records (SQLite does the same). */
    i64 next = p->journal_off, jsz = 0;
    if (next % p->sector) next = (next / p->sector + 1) * p->sector;
    p->jfd->methods->file_size(p->jfd, &jsz);
    if (jsz > next) {
      p->jhdr[16] = 0;
      rc = op_run(p, 'w', p->jfd, p->jhdr + 16, 1, next);
      if (rc != SQLITE_OK) return rc;
    }
    p->jsstate = JS_HDR;
  }
  if (p->jsstate == JS_HDR) {
    JSeg *s = &p->seg[p->nseg - 1];
    rc = op_run(p, 'w', p->jfd, p->jhdr, 12, s->hdr_off);
    if (rc != SQLITE_OK) return rc;
    p->jsstate = JS_SYNC2;
  }
  if (p->jsstate == JS_SYNC2) {
    rc = op_run(p, 's', p->jfd, NULL, SQLITE_SYNC_NORMAL, 0);
    if (rc != SQLITE_OK) return rc;
    p->jsstate = JS_NEWHDR;
  }
  if (p->jsstate == JS_NEWHDR) {
    p->journal_needs_sync = 0;
    p->jsstate = JS_IDLE;
    if (newhdr) {
      rc = journal_new_header(p);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

/* Submit writes of pages p->batch_pg[0..nbatch) (data copied for spills
** when copy != 0) and wait for all.  */
static int batch_prepare(Pager *p, DbPage **pages, int n) {
  sqlite3_free(p->batch);
  sqlite3_free(p->batch_pg);
  p->batch = NULL;
  p->batch_pg = NULL;
  p->nbatch = p->batch_next = 0;
  if (n == 0) return SQLITE_OK;
  p->batch = sqlite3_malloc64(sizeof(ShaleIo) * (u64)n);
  p->batch_pg = sqlite3_malloc64(sizeof(DbPage *) * (u64)n);
  if (p->batch == NULL || p->batch_pg == NULL) return SQLITE_NOMEM;
  memcpy(p->batch_pg, pages, sizeof(DbPage *) * (size_t)n);
  p->nbatch = n;
  return SQLITE_OK;
}

static int batch_run(Pager *p) {
  while (p->batch_next < p->nbatch) {
    DbPage *pg = p->batch_pg[p->batch_next];
    ShaleIo *io = &p->batch[p->batch_next];
    shale_io_init(io);
    int rc = p->fd->methods->write(p->fd, pg->data, (int)p->page_size,
                                   (i64)(pg->pgno - 1) * p->page_size, io);
    p->nwrite++;
    if (rc != SQLITE_OK && rc != SHALE_PENDING) {
      if (!io->done) io->done = 1, io->rc = rc;
    }
    p->batch_next++;
  }
  int err = SQLITE_OK;
  for (int i = 0; i < p->nbatch; i++) {
    if (!p->batch[i].done) return SHALE_PENDING;
    if (p->batch[i].rc != SQLITE_OK && err == SQLITE_OK) err = p->batch[i].rc;
  }
  p->nbatch = p->batch_next = 0;
  return err;
}

static int cmp_pgno(const void *a, const void *b) {
  Pgno x = (*(DbPage *const *)a)->pgno, y = (*(DbPage *const *)b)->pgno;
  return x < y ? -1 : x > y;
}

/* Spill unreferenced dirty pages to the db file (rollback modes). */
static int spill(Pager *p) {
  int rc;
  if (p->spstate == SP_IDLE) {
    int n = 0;
    for (DbPage *d = p->dirty_head; d; d = d->dirty_next) {
      if (d->nRef == 0 && d->pgno <= p->db_size) n++;
    }
    if (n == 0) return SQLITE_OK;
    DbPage **arr = sqlite3_malloc64(sizeof(DbPage *) * (u64)n);
    if (arr == NULL) return SQLITE_NOMEM;
    n = 0;
    for (DbPage *d = p->dirty_head; d; d = d->dirty_next) {
      if (d->nRef == 0 && d->pgno <= p->db_size) arr[n++] = d;
    }
    qsort(arr, (size_t)n, sizeof(DbPage *), cmp_pgno);
    rc = batch_prepare(p, arr, n);
    sqlite3_free(arr);
    if (rc != SQLITE_OK) return rc;
    p->nbatch = 0; /* armed below */
    p->spstate = SP_JWAIT;
    p->batch_next = 0;
    /* keep count in batch_next? store n in nclist temporarily */
    p->nclist = n;
  }
  if (p->spstate == SP_JWAIT) {
    rc = owned_reap(p, 1);
    if (rc != SQLITE_OK) return rc;
    p->spstate = SP_JSYNC;
  }
  if (p->spstate == SP_JSYNC) {
    rc = journal_sync(p, 1);
    if (rc != SQLITE_OK) return rc;
    p->spstate = SP_LOCK;
  }
  if (p->spstate == SP_LOCK) {
    if (p->lock < SQLITE_LOCK_EXCLUSIVE) {
      rc = pager_busy_wait(p, SQLITE_LOCK_EXCLUSIVE);
      if (rc != SQLITE_OK) return rc;
    }
    p->nbatch = p->nclist;
    p->nclist = 0;
    p->batch_next = 0;
    p->db_modified = 1; /* from the first write on, rollback must replay */
    p->spstate = SP_WRITE;
  }
  if (p->spstate == SP_WRITE) {
    int n = p->nbatch;
    rc = batch_run(p);
    if (rc != SQLITE_OK) return rc;
    p->db_modified = 1;
    for (int i = 0; i < n; i++) {
      DbPage *pg = p->batch_pg[i];
      if (pg->pgno > p->db_file_size) p->db_file_size = pg->pgno;
      dirty_remove(p, pg);
      if (pg->nRef == 0) lru_append(p, pg);
    }
    p->spstate = SP_IDLE;
  }
  return SQLITE_OK;
}

/* WAL mode: spill unreferenced dirty pages as non-commit frames (they are
** found again through wal_find_frame; rollback is wal_undo). */
static int spill_wal(Pager *p) {
  int rc;
  if (p->spstate == SP_IDLE) {
    int n = 0;
    for (DbPage *d = p->dirty_head; d; d = d->dirty_next) {
      if (d->nRef == 0 && d->pgno <= p->db_size) n++;
    }
    if (n == 0) return SQLITE_OK;
    DbPage **arr = sqlite3_malloc64(sizeof(DbPage *) * (u64)n);
    WalPage *wf = sqlite3_malloc64(sizeof(WalPage) * (u64)n);
    if (arr == NULL || wf == NULL) {
      sqlite3_free(arr);
      sqlite3_free(wf);
      return SQLITE_NOMEM;
    }
    n = 0;
    for (DbPage *d = p->dirty_head; d; d = d->dirty_next) {
      if (d->nRef == 0 && d->pgno <= p->db_size) arr[n++] = d;
    }
    qsort(arr, (size_t)n, sizeof(DbPage *), cmp_pgno);
    for (int i = 0; i < n; i++) {
      wf[i].pgno = arr[i]->pgno;
      wf[i].data = arr[i]->data;
    }
    rc = batch_prepare(p, arr, n);
    sqlite3_free(arr);
    if (rc != SQLITE_OK) {
      sqlite3_free(wf);
      return rc;
    }
    sqlite3_free(p->wframes);
    p->wframes = wf;
    p->spstate = SP_WRITE;
  }
  rc = wal_frames(p->wal, p->page_size, p->wframes, p->nbatch, 0, 0, 0);
  if (rc != SQLITE_OK) return rc;
  for (int i = 0; i < p->nbatch; i++) {
    DbPage *pg = p->batch_pg[i];
    if (pg->pgno > p->wal_spill_max) p->wal_spill_max = pg->pgno;
    dirty_remove(p, pg);
    if (pg->nRef == 0) lru_append(p, pg);
  }
  p->nbatch = p->batch_next = 0;
  sqlite3_free(p->wframes);
  p->wframes = NULL;
  p->spstate = SP_IDLE;
  return SQLITE_OK;
}

/* Make room for one more page.  May PENDING (spill). */
static int cache_make_room(Pager *p) {
  if (p->npage < p->cache_max || p->npage < p->cache_reserve) return SQLITE_OK;
  if (p->lru_head) {
    page_discard(p, p->lru_head);
    return SQLITE_OK;
  }
  if (p->state == PS_WRITER) {
    int rc = p->wal ? spill_wal(p) : spill(p);
    if (rc == SHALE_PENDING) return rc;
    if (rc != SQLITE_OK) {
      p->spstate = SP_IDLE;
      p->state = PS_ERROR;
      p->err = rc;
      return rc;
    }
    if (p->lru_head) page_discard(p, p->lru_head);
  }
  return SQLITE_OK; /* over budget: the cache grows */
}

static int load_finish(Pager *p, DbPage *pg) {
  int rc = pg->io.rc;
  pg->flags &= ~PG_LOADING;
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
    hash_remove(p, pg);
    page_free(p, pg);
    return rc;
  }
  if (pg->flags & PG_STALE) {
    /* content superseded while loading (rollback): reload */
    pg->flags &= ~PG_STALE;
    hash_remove(p, pg);
    page_free(p, pg);
    return SQLITE_ABORT_ROLLBACK; /* caller retries */
  }
  if (pg->pgno == 1 && p->journal_mode != PAGER_JOURNALMODE_WAL) {
    memcpy(p->cc, pg->data + 24, 16);
  }
  return SQLITE_OK;
}

static int submit_load(Pager *p, DbPage *pg) {
  int rc;
  i64 off = (i64)(pg->pgno - 1) * p->page_size;
  shale_io_init(&pg->io);
  pg->flags |= PG_LOADING;
  u32 frame = 0;
  if (p->wal && wal_find_frame(p->wal, pg->pgno, &frame) == SQLITE_OK && frame) {
    rc = wal_read_frame(p->wal, frame, pg->data, (int)p->page_size, &pg->io);
  } else if (pg->pgno > p->db_file_size && p->wal == NULL) {
    memset(pg->data, 0, p->page_size);
    rc = SQLITE_OK;
    pg->io.done = 1;
    pg->io.rc = SQLITE_OK;
  } else {
    rc = p->fd->methods->read(p->fd, pg->data, (int)p->page_size, off, &pg->io);
  }
  if (rc != SQLITE_OK && rc != SHALE_PENDING && !pg->io.done) {
    pg->io.done = 1;
    pg->io.rc = rc;
  }
  return rc == SHALE_PENDING ? SHALE_PENDING : SQLITE_OK;
}

int pager_get(Pager *p, Pgno pgno, DbPage **out, int flags) {
  int rc;
  *out = NULL;
  if (pgno == 0) return SQLITE_CORRUPT;
  if (p->state == PS_ERROR) return p->err;
  if (p->state == PS_OPEN) return SQLITE_MISUSE;
  for (;;) {
    DbPage *pg = hash_find(p, pgno);
    if (pg) {
      if (pg->flags & PG_LOADING) {
        if (!pg->io.done) return SHALE_PENDING;
        rc = load_finish(p, pg);
        if (rc == SQLITE_ABORT_ROLLBACK) continue;
        if (rc != SQLITE_OK) return rc;
        p->miss++;
      } else if (pg->flags & PG_STALE) {
        if (pg->nRef > 0 || (pg->flags & PG_DIRTY)) {
          /* Still referenced: detach it (the holder keeps valid memory,
          ** freed at its last unref) and load a fresh struct. */
          hash_remove(p, pg);
          lru_remove(p, pg);
          dirty_remove(p, pg);
          pg->pgno = 0;
          DbPage *np = page_alloc(p);
          if (np == NULL) return SQLITE_NOMEM;
          np->pgno = pgno;
          rc = hash_insert(p, np);
          if (rc != SQLITE_OK) {
            page_free(p, np);
            return rc;
          }
          if (pgno > p->db_size || (flags & PAGER_GET_NOCONTENT)) {
            memset(np->data, 0, p->page_size);
            np->nRef = 1;
            *out = np;
            return SQLITE_OK;
          }
          submit_load(p, np);
          continue;
        } else {
          page_discard(p, pg);
          continue;
        }
      } else {
        p->hit++;
      }
      if (pg->nRef == 0) lru_remove(p, pg);
      pg->nRef++;
      *out = pg;
      return SQLITE_OK;
    }
    /* miss */
    rc = cache_make_room(p);
    if (rc != SQLITE_OK) return rc;
    pg = page_alloc(p);
    if (pg == NULL) return SQLITE_NOMEM;
    pg->pgno = pgno;
    rc = hash_insert(p, pg);
    if (rc != SQLITE_OK) {
      page_free(p, pg);
      return rc;
    }
    /* Beyond the end there is nothing to read, except in a write
    ** transaction after pager_truncate_image: the file still holds those
    ** pages, whose original content the journal may need (and a savepoint
    ** rollback may bring back). */
    Pgno have = p->db_file_size; /* pages that exist somewhere */
    if (p->wal) {
      if (p->db_orig_size > have) have = p->db_orig_size;
      if (p->wal_spill_max > have) have = p->wal_spill_max;
    }
    int beyond = pgno > p->db_size && !(p->state == PS_WRITER && pgno <= have);
    if (beyond || (flags & PAGER_GET_NOCONTENT)) {
      /* beyond the end, or the caller overwrites everything: no read */
      memset(pg->data, 0, p->page_size);
      if ((flags & PAGER_GET_NOCONTENT) && p->state == PS_WRITER) {
        /* A page reused from the freelist: its old content does not matter
        ** to a rollback, so it needs no journal or sub-journal record (as
        ** in SQLite). */
        if (pgno <= p->db_orig_size) bit_set(&p->in_journal, &p->in_journal_bits, pgno);
        for (int i = 0; i < p->nsp; i++) {
          if (pgno <= p->sp[i].db_size) bit_set(&p->sp[i].done, &p->sp[i].done_bits, pgno);
        }
      }
      pg->nRef = 1;
      *out = pg;
      p->miss++;
      return SQLITE_OK;
    }
    rc = submit_load(p, pg);
    if (rc == SHALE_PENDING) return rc;
    /* completed inline: loop picks it up */
  }
}

DbPage *pager_lookup(Pager *p, Pgno pgno) {
  DbPage *pg = hash_find(p, pgno);
  if (pg == NULL || (pg->flags & (PG_LOADING | PG_STALE))) return NULL;
  if (pg->nRef == 0) lru_remove(p, pg);
  pg->nRef++;
  return pg;
}

void pager_ref(DbPage *pg) { pg->nRef++; }

void pager_unref(DbPage *pg) {
  if (pg == NULL) return;
  Pager *p = pg->pager;
  if (--pg->nRef > 0) return;
  if (pg->pgno == 0) { /* detached stale struct (maybe of an older page size) */
    sqlite3_free(pg);
    return;
  }
  if (!(pg->flags & PG_DIRTY)) {
    if (pg->flags & PG_STALE) {
      page_discard(p, pg);
    } else {
      lru_append(p, pg);
    }
  }
}

static int subjournal_page(Pager *p, DbPage *pg) {
  int need = 0;
  for (int i = 0; i < p->nsp; i++) {
    Savepoint *s = &p->sp[i];
    if (pg->pgno <= s->db_size && !bit_test(s->done, s->done_bits, pg->pgno)) need = 1;
  }
  if (!need) return SQLITE_OK;
  i64 rs = 4 + p->page_size;
  if (p->sub_len + rs > p->sub_alloc) {
    i64 na = p->sub_alloc ? p->sub_alloc * 2 : rs * 16;
    while (na < p->sub_len + rs) na *= 2;
    u8 *b = sqlite3_realloc64(p->sub, (u64)na);
    if (b == NULL) return SQLITE_NOMEM;
    p->sub = b;
    p->sub_alloc = na;
  }
  put4byte(p->sub + p->sub_len, pg->pgno);
  memcpy(p->sub + p->sub_len + 4, pg->data, p->page_size);
  p->sub_len += rs;
  for (int i = 0; i < p->nsp; i++) {
    Savepoint *s = &p->sp[i];
    if (pg->pgno <= s->db_size) {
      int rc = bit_set(&s->done, &s->done_bits, pg->pgno);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

/* Append the page's current (original) image to the journal if needed. */
static int journal_page(Pager *p, DbPage *pg) {
  int rc;
  if (p->wal != NULL || p->journal_mode == PAGER_JOURNALMODE_OFF) return SQLITE_OK;
  /* The journal starts with the first change, even one that needs no
  ** record (a new page): its header carries the original size, so a
  ** rollback after a spill can cut the file back. */
  if (p->jfd == NULL || p->nseg == 0) {
    rc = journal_begin(p);
    if (rc != SQLITE_OK) return rc;
  }
  if (pg->pgno <= p->db_orig_size && !bit_test(p->in_journal, p->in_journal_bits, pg->pgno)) {
    if (p->jfd) {
      u8 pg4[4], ck4[4];
      put4byte(pg4, pg->pgno);
      put4byte(ck4, journal_cksum(p, pg->data));
      rc = owned_submit(p, p->jfd, pg4, 4, pg->data, (int)p->page_size, ck4, 4,
                        p->journal_off);
      if (rc != SQLITE_OK) return rc;
      p->journal_off += rec_size(p);
      p->seg[p->nseg - 1].nrec++;
      p->journal_needs_sync = 1;
      rc = bit_set(&p->in_journal, &p->in_journal_bits, pg->pgno);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

int pager_write(DbPage *pg) {
  Pager *p = pg->pager;
  int rc;
  if (p->state == PS_ERROR) return p->err;
  if (p->state != PS_WRITER) return p->readonly ? SQLITE_READONLY : SQLITE_MISUSE;
  if (p->nsp) {
    rc = subjournal_page(p, pg);
    if (rc != SQLITE_OK) return rc;
  }
  rc = journal_page(p, pg);
  if (rc != SQLITE_OK) return rc;
  dirty_add(p, pg);
  if (pg->pgno > p->db_size) p->db_size = pg->pgno;
  return SQLITE_OK;
}

int pager_is_writable(DbPage *pg) { return (pg->flags & PG_DIRTY) != 0; }

int pager_invoke_busy(Pager *p, int count) {
  return p->busy ? p->busy(p->busy_arg, count) : 0;
}
_Static_assert(offsetof(DbPage, data) == PAGER_HEAD_DATA && offsetof(DbPage, extra) == PAGER_HEAD_EXTRA &&
                   offsetof(DbPage, pgno) == PAGER_HEAD_PGNO,
               "pager.h reads these fields inline");
Pager *pager_of(DbPage *pg) { return pg->pager; }

/* ------------------------------------------------------------ commit --- */

static void end_transaction(Pager *p) {
  /* all dirty pages are now clean */
  while (p->dirty_head) {
    DbPage *pg = p->dirty_head;
    dirty_remove(p, pg);
    if (pg->pgno > p->db_size) {
      if (pg->nRef == 0) {
        page_discard(p, pg);
        continue;
      }
    }
    if (pg->nRef == 0) lru_append(p, pg);
  }
  /* pages beyond the end of a shrunk image */
  drop_past_end(p, 0);
  txn_reset(p);
  p->cstate = CS_IDLE;
  p->state = PS_READER;
  p->db_orig_size = p->db_size;
  if (p->wal == NULL && !p->exclusive_mode) {
    p->fd->methods->unlock(p->fd, SQLITE_LOCK_SHARED);
    p->lock = SQLITE_LOCK_SHARED;
  }
}

static int build_commit_list(Pager *p) {
  int n = 0;
  sqlite3_free(p->clist);
  p->clist = sqlite3_malloc64(sizeof(DbPage *) * (u64)(p->ndirty + 1));
  if (p->clist == NULL) return SQLITE_NOMEM;
  for (DbPage *d = p->dirty_head; d; d = d->dirty_next) {
    if (d->pgno <= p->db_size) p->clist[n++] = d;
  }
  qsort(p->clist, (size_t)n, sizeof(DbPage *), cmp_pgno);
  p->nclist = n;
  return SQLITE_OK;
}

static int commit_wal(Pager *p) {
  int rc;
  if (p->cstate == CS_PAGE1) {
    rc = build_commit_list(p);
    if (rc != SQLITE_OK) return rc;
    int n = p->nclist;
    sqlite3_free(p->wframes);
    p->wframes = sqlite3_malloc64(sizeof(WalPage) * (u64)(n + 1));
    if (p->wframes == NULL) return SQLITE_NOMEM;
    for (int i = 0; i < n; i++) {
      p->wframes[i].pgno = p->clist[i]->pgno;
      p->wframes[i].data = p->clist[i]->data;
    }
    p->cstate = CS_WRITE;
  }
  if (p->cstate == CS_WRITE) {
    if (p->nclist > 0) {
      rc = wal_frames(p->wal, p->page_size, p->wframes, p->nclist, p->db_size, 1,
                      p->sync_level >= 2 ? SQLITE_SYNC_NORMAL : 0);
      if (rc != SQLITE_OK) return rc;
    }
    wal_end_write(p->wal);
    p->own_frame = (u32)wal_frame_count(p->wal);
    p->own_frame_valid = 1;
    if (p->nclist > 0) p->wal_cb_frames = p->own_frame;
    end_transaction(p);
    /* Auto-checkpoint: run by the next begin_read, before it takes a
    ** snapshot (our own read mark would otherwise hold the backfill). */
    if (p->autockpt && wal_frame_count(p->wal) >= (int)p->autockpt) p->ckpt_due = 1;
  }
  return SQLITE_OK;
}

/* Set the change counter, version-valid-for, SQLite version and size in
** page 1 (rollback modes) or the WAL version bytes. */
static int update_page1(Pager *p) {
  DbPage *pg1;
  if (p->db_size == 0) return SQLITE_OK;
  int rc = pager_get(p, 1, &pg1, 0);
  if (rc != SQLITE_OK) return rc;
  rc = pager_write(pg1);
  if (rc == SQLITE_OK) {
    u8 *d = pg1->data;
    if (memcmp(d, "SQLite format 3", 16) == 0) {
      if (p->wal == NULL) {
        u32 cc = get4byte(d + 24) + 1;
        put4byte(d + 24, cc);
        put4byte(d + 92, cc);
        put4byte(d + 96, SQLITE_VERSION_NUMBER);
      }
      put4byte(d + 28, p->db_size);
      if (p->ws_set_version) {
        d[18] = d[19] = (u8)p->ws_set_version;
      }
    }
  }
  pager_unref(pg1);
  return rc;
}

int pager_commit(Pager *p) {
  int rc;
  if (p->state == PS_ERROR) return p->err;
  if (p->state != PS_WRITER) return SQLITE_OK;
  if (p->cstate == CS_IDLE) {
    if (p->ndirty == 0 && p->db_size == p->db_orig_size && !p->db_modified &&
        !p->ws_set_version && !p->wal_spill_max) {
      /* nothing changed */
      if (p->wal) wal_end_write(p->wal);
      rc = SQLITE_OK;
      if (p->jfd && p->wal == NULL && p->nseg > 0) {
        p->cstate = CS_FINAL;
      } else {
        end_transaction(p);
        return SQLITE_OK;
      }
    } else {
      p->cstate = CS_PAGE1;
    }
  }
  if (p->wal) {
    if (p->cstate == CS_PAGE1) {
      /* always: page 1 carries the size, and it guarantees a commit frame
      ** even when every change was already spilled */
      rc = update_page1(p);
      if (rc != SQLITE_OK) goto fail;
      p->ws_set_version = 0;
    }
    rc = commit_wal(p);
    if (rc != SQLITE_OK) goto fail;
    return SQLITE_OK;
  }
  if (p->cstate == CS_PAGE1) {
    rc = update_page1(p);
    if (rc != SQLITE_OK) goto fail;
    p->ws_set_version = 0;
    p->trunc_next = p->db_size + 1;
    p->cstate = CS_JTRUNC;
    if (p->cache_only) {
      /* the cache is the database: committed once its pages are clean */
      journal_close(p);
      p->db_file_size = p->db_size;
      end_transaction(p);
      return SQLITE_OK;
    }
  }
  if (p->cstate == CS_JTRUNC) {
    /* The image shrank: pages cut off must be in the journal, or a
    ** rollback after the truncation could not bring them back. */
    while (p->trunc_next <= p->db_orig_size && p->journal_mode != PAGER_JOURNALMODE_OFF) {
      Pgno i = p->trunc_next;
      if (!bit_test(p->in_journal, p->in_journal_bits, i) &&
          i != (Pgno)(PENDING_BYTE_OFS / p->page_size) + 1) {
        DbPage *pg;
        Pgno save = p->db_size;
        p->db_size = p->db_orig_size;
        rc = pager_get(p, i, &pg, 0);
        p->db_size = save;
        if (rc != SQLITE_OK) goto fail;
        rc = journal_page(p, pg);
        pager_unref(pg);
        if (rc != SQLITE_OK) goto fail;
      }
      p->trunc_next++;
    }
    p->cstate = CS_JWAIT;
  }
  if (p->cstate == CS_JWAIT) {
    rc = owned_reap(p, 1);
    if (rc != SQLITE_OK) goto fail;
    p->cstate = CS_JSYNC;
  }
  if (p->cstate == CS_JSYNC) {
    rc = journal_sync(p, 0);
    if (rc != SQLITE_OK) goto fail;
    p->cstate = CS_LOCK;
  }
  if (p->cstate == CS_LOCK) {
    if (p->lock < SQLITE_LOCK_EXCLUSIVE) {
      rc = pager_busy_wait(p, SQLITE_LOCK_EXCLUSIVE);
      if (rc != SQLITE_OK) goto fail;
    }
    rc = build_commit_list(p);
    if (rc != SQLITE_OK) goto fail;
    rc = batch_prepare(p, p->clist, p->nclist);
    if (rc != SQLITE_OK) goto fail;
    if (p->nclist) p->db_modified = 1;
    p->cstate = CS_WRITE;
  }
  if (p->cstate == CS_WRITE) {
    rc = batch_run(p);
    if (rc != SQLITE_OK) goto fail;
    if (p->nclist) p->db_modified = 1;
    p->cstate = CS_TRUNC;
  }
  if (p->cstate == CS_TRUNC) {
    i64 sz = 0;
    rc = p->fd->methods->file_size(p->fd, &sz);
    if (rc != SQLITE_OK) goto fail;
    if (sz > (i64)p->db_size * p->page_size) {
      p->db_modified = 1;
      rc = op_run(p, 't', p->fd, NULL, 0, (i64)p->db_size * p->page_size);
      if (rc != SQLITE_OK) goto fail;
    }
    p->cstate = CS_SYNC;
  }
  if (p->cstate == CS_SYNC) {
    if (p->sync_level > 0 && p->db_modified) {
      rc = op_run(p, 's', p->fd, NULL, SQLITE_SYNC_NORMAL, 0);
      if (rc != SQLITE_OK) goto fail;
    }
    p->cstate = CS_FINAL;
  }
  if (p->cstate == CS_FINAL) {
    rc = journal_finalize(p, p->jopen_mode);
    if (rc != SQLITE_OK) goto fail;
    if (p->jfd && ((p->jopen_mode == PAGER_JOURNALMODE_TRUNCATE && p->sync_level >= 2) ||
                   (p->jopen_mode == PAGER_JOURNALMODE_PERSIST && p->sync_level >= 1))) {
      p->cstate = CS_DONE;
    } else {
      p->cstate = CS_CKPT;
    }
  }
  int done_rc = SQLITE_OK;
  if (p->cstate == CS_DONE) {
    rc = op_run(p, 's', p->jfd, NULL, SQLITE_SYNC_NORMAL, 0);
    if (rc == SHALE_PENDING) return rc;
    /* The journal is already finalized: the transaction is committed and an
    ** (empty) journal could not undo it.  Like SQLite, a failure to make
    ** that durable is reported, but nothing is rolled back. */
    done_rc = rc;
  }
  /* committed */
  {
    DbPage *pg1 = hash_find(p, 1);
    if (pg1 && !(pg1->flags & PG_LOADING)) memcpy(p->cc, pg1->data + 24, 16);
    p->cc_valid = pg1 != NULL;
  }
  p->db_file_size = p->db_size;
  end_transaction(p);
  return done_rc;
fail:
  if (rc == SHALE_PENDING) return rc;
  /* BUSY (the EXCLUSIVE lock, or the WAL) may be retried; anything else
  ** is an error that only a rollback clears. */
  if ((rc & 0xff) == SQLITE_BUSY) return rc;
  p->err = rc;
  p->state = PS_ERROR;
  p->jsstate = JS_IDLE;
  return rc;
}

/* ---------------------------------------------------------- rollback --- */

int pager_rollback(Pager *p) {
  int rc;
  if (p->state == PS_READER || p->state == PS_OPEN) return SQLITE_OK;
  if (p->state == PS_ERROR && p->err == SQLITE_OK) p->err = SQLITE_IOERR;
  /* drain anything in flight */
  if (p->nbatch) {
    for (int i = 0; i < p->batch_next; i++) {
      if (!p->batch[i].done) return SHALE_PENDING;
    }
    p->nbatch = p->batch_next = 0;
  }
  if (p->op_active && p->rbstate == RB_IDLE) {
    if (!p->op_io.done) return SHALE_PENDING;
    p->op_active = 0;
  }
  p->cstate = CS_IDLE;
  p->spstate = SP_IDLE;
  p->jsstate = JS_IDLE;
  if (p->wal) {
    wal_undo(p->wal);
    wal_end_write(p->wal);
    while (p->dirty_head) {
      DbPage *pg = p->dirty_head;
      dirty_remove(p, pg);
      if (pg->nRef == 0) page_discard(p, pg);
      else pg->flags |= PG_STALE;
    }
    /* pages spilled as frames are clean in the cache but hold changes
    ** that wal_undo just discarded */
    if (p->wal_spill_max) cache_drop(p);
    p->db_size = p->db_orig_size;
    txn_reset(p);
    p->state = PS_READER;
    p->err = SQLITE_OK;
    return SQLITE_OK;
  }
  if (p->rbstate == RB_IDLE) {
    rc = owned_reap(p, 1);
    if (rc == SHALE_PENDING) return rc;
    p->owned_err = SQLITE_OK;
    if (p->jfd == NULL || p->nseg == 0) {
      p->rbstate = RB_TRUNC;
    } else {
      /* last segment's record count is exact in our bookkeeping */
      p->rb_buf = sqlite3_realloc64(p->rb_buf, p->page_size + 8);
      if (p->rb_buf == NULL) return SQLITE_NOMEM;
      p->rb_seg = 0;
      p->rb_rec = 0;
      p->rbstate = RB_PLAY;
    }
  }
  if (p->rbstate == RB_PLAY || p->rbstate == RB_PLAY + 100) {
    rc = playback_own(p);
    if (rc != SQLITE_OK) goto fail;
    p->rbstate = RB_TRUNC;
  }
  if (p->rbstate == RB_TRUNC) {
    if (p->db_modified) {
      i64 sz = 0;
      p->fd->methods->file_size(p->fd, &sz);
      if (sz > (i64)p->db_orig_size * p->page_size) {
        rc = op_run(p, 't', p->fd, NULL, 0, (i64)p->db_orig_size * p->page_size);
        if (rc != SQLITE_OK) goto fail;
      }
    }
    p->rbstate = RB_SYNC;
  }
  if (p->rbstate == RB_SYNC) {
    if (p->db_modified && p->sync_level > 0) {
      rc = op_run(p, 's', p->fd, NULL, SQLITE_SYNC_NORMAL, 0);
      if (rc != SQLITE_OK) goto fail;
    }
    p->rbstate = RB_FINAL;
  }
  if (p->rbstate == RB_FINAL) {
    rc = journal_finalize(p, p->jopen_mode);
    if (rc != SQLITE_OK) goto fail;
  }
  p->rbstate = RB_IDLE;
  if (p->cache_only && p->journal_mode == PAGER_JOURNALMODE_OFF) {
    /* No journal and no file image to go back to: the changes stay, as
    ** with SQLite's in-memory databases (ROLLBACK does nothing). */
    while (p->dirty_head) {
      DbPage *pg = p->dirty_head;
      dirty_remove(p, pg);
      if (pg->nRef == 0) lru_append(p, pg);
    }
    p->db_orig_size = p->db_size;
  }
  /* whatever is still dirty: new pages, or pages we could not restore */
  while (p->dirty_head) {
    DbPage *pg = p->dirty_head;
    dirty_remove(p, pg);
    if (pg->nRef == 0) page_discard(p, pg);
    else pg->flags |= PG_STALE;
  }
  p->db_size = p->db_orig_size;
  drop_past_end(p, 1); /* pages beyond the original end */
  if (p->state == PS_ERROR && !p->cache_only) cache_drop(p);
  txn_reset(p);
  p->err = SQLITE_OK;
  p->state = PS_READER;
  if (!p->exclusive_mode) {
    p->fd->methods->unlock(p->fd, SQLITE_LOCK_SHARED);
    p->lock = SQLITE_LOCK_SHARED;
  }
  return SQLITE_OK;
fail:
  if (rc == SHALE_PENDING) return rc;
  /* Could not roll back: leave the journal (it is hot for the next
  ** reader) and drop everything. */
  p->rbstate = RB_IDLE;
  journal_close(p);
  if (!p->cache_only) cache_drop(p);
  txn_reset(p);
  p->state = PS_OPEN;
  pager_unlock_to(p, SQLITE_LOCK_NONE);
  p->err = SQLITE_OK;
  return rc;
}

/* --------------------------------------------------------- savepoints --- */

int pager_savepoint(Pager *p, int op, int index) {
  int rc;
  if (p->state != PS_WRITER) {
    return op == SAVEPOINT_BEGIN ? SQLITE_MISUSE : SQLITE_OK;
  }
  if (op == SAVEPOINT_BEGIN) {
    if (index < 0) return SQLITE_MISUSE;
    if (index + 1 > p->nsp) {
      Savepoint *s = sqlite3_realloc64(p->sp, sizeof(Savepoint) * (u64)(index + 1));
      if (s == NULL) return SQLITE_NOMEM;
      p->sp = s;
      for (int i = p->nsp; i <= index; i++) {
        memset(&s[i], 0, sizeof(Savepoint));
        s[i].db_size = p->db_size;
        s[i].sub_off = p->sub_len;
      }
      p->nsp = index + 1;
    }
    return SQLITE_OK;
  }
  if (index >= p->nsp) return SQLITE_OK;
  if (op == SAVEPOINT_RELEASE) {
    if (index < 0) index = 0;
    for (int i = index; i < p->nsp; i++) sqlite3_free(p->sp[i].done);
    p->nsp = index;
    if (p->nsp == 0) p->sub_len = 0;
    return SQLITE_OK;
  }
  /* ROLLBACK to savepoint `index` (it stays open) */
  if (index < 0) return SQLITE_MISUSE;
  Savepoint *s = &p->sp[index];
  if (p->sp_state == 0) {
    p->sp_pos = s->sub_off;
    bits_clear(&p->sp_done, &p->sp_done_bits);
    p->sp_state = 1;
  }
  i64 rs = 4 + p->page_size;
  while (p->sp_pos < p->sub_len) {
    Pgno pgno = get4byte(p->sub + p->sp_pos);
    if (!bit_test(p->sp_done, p->sp_done_bits, pgno) && pgno <= s->db_size) {
      DbPage *pg;
      rc = pager_get(p, pgno, &pg, 0);
      if (rc != SQLITE_OK) return rc;
      /* journal it if needed (it is, since it was written), then restore */
      dirty_add(p, pg);
      memcpy(pg->data, p->sub + p->sp_pos + 4, p->page_size);
      if (p->extra) memset(pg->extra, 0, (size_t)p->extra);
      pager_unref(pg);
      rc = bit_set(&p->sp_done, &p->sp_done_bits, pgno);
      if (rc != SQLITE_OK) return rc;
    }
    p->sp_pos += rs;
  }
  p->sp_state = 0;
  bits_clear(&p->sp_done, &p->sp_done_bits);
  /* Pages past the restored end keep their content: an outer savepoint
  ** may still need it; commit never writes beyond db_size. */
  p->db_size = s->db_size;
  /* The sub-journal keeps its records and the savepoint its bitmap (as in
  ** SQLite): a page restored here and changed again needs no new record
  ** (the first one after sub_off still holds its image at the savepoint),
  ** and records past sub_off may still serve outer savepoints. */
  for (int i = index + 1; i < p->nsp; i++) sqlite3_free(p->sp[i].done);
  p->nsp = index + 1;
  return SQLITE_OK;
}

/* -------------------------------------------------------- checkpoint --- */

int pager_checkpoint(Pager *p, int mode, int *n_log, int *n_ckpt) {
  if (n_log) *n_log = -1;
  if (n_ckpt) *n_ckpt = -1;
  if (p->wal == NULL) return SQLITE_OK;
  int a = 0, b = 0;
  int rc = wal_checkpoint(p->wal, mode, p->busy, p->busy_arg,
                          p->sync_level ? SQLITE_SYNC_NORMAL : 0, p->page_size, &a, &b);
  if (n_log) *n_log = a;
  if (n_ckpt) *n_ckpt = b;
  return rc;
}
