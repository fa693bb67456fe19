/*
** wal.c — the write-ahead log: SQLite's -wal file format, the wal-index in
** SQLite's -shm layout and SQLite's WAL locking protocol, so that sqlite3
** processes and Shale connections can share a WAL database.
**
** Layout reminders (see fileformat2.html "The Write-Ahead Log" and
** walformat.html):
**   -wal: 32-byte header, then frames of (24-byte header + page image).
**   wal-index region 0: two copies of the 48-byte WalIndexHdr, the 40-byte
**   checkpoint info (nBackfill, aReadMark[5], 8 lock bytes,
**   nBackfillAttempted, unused), then page numbers; every 32 KiB region
**   ends with 8192 u16 hash slots, and holds 4096 page numbers (4062 in the
**   first region because of the 136-byte header).
**
** Async: all file I/O goes through vfs.h submit/complete.  Recovery,
** wal_frames, wal_checkpoint and wal_close are state machines kept in the
** Wal object; they return SHALE_PENDING and resume on the next call.
*/
#include "wal.h"

#include <stdlib.h>

#define WAL_MAGIC 0x377f0682u
#define WAL_VERSION 3007000u
#define WAL_HDRSIZE 32
#define WAL_FRAME_HDRSIZE 24

#define WALINDEX_PGSZ 32768
#define WALINDEX_HDR_SIZE 136 /* 2 * 48 + 40 */
#define HASHTABLE_NPAGE 4096
#define HASHTABLE_NSLOT 8192
#define HASHTABLE_HASH_1 383
#define HASHTABLE_NPAGE_ONE (HASHTABLE_NPAGE - WALINDEX_HDR_SIZE / 4)

#define WAL_WRITE_LOCK 0
#define WAL_CKPT_LOCK 1
#define WAL_RECOVER_LOCK 2
#define WAL_READ_LOCK(i) (3 + (i))
#define WAL_NREADER 5
#define READMARK_NOT_USED 0xffffffffu

#define WAL_RETRY (-1)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WAL_BIGENDIAN 1
#else
#define WAL_BIGENDIAN 0
#endif

/* The wal-index header, in native byte order (48 bytes). */
typedef struct WalIndexHdr {
  u32 iVersion;
  u32 unused;
  u32 iChange;
  u8 isInit;
  u8 bigEndCksum;
  u16 szPage;
  u32 mxFrame;
  u32 nPage;
  u32 aFrameCksum[2];
  u32 aSalt[2]; /* raw bytes of the -wal header's salts */
  u32 aCksum[2];
} WalIndexHdr;

typedef struct WalCkptInfo {
  u32 nBackfill;
  u32 aReadMark[WAL_NREADER];
  u8 aLock[SQLITE_SHM_NLOCK];
  u32 nBackfillAttempted;
  u32 notUsed0;
} WalCkptInfo;

_Static_assert(sizeof(WalIndexHdr) == 48, "WalIndexHdr layout");
_Static_assert(sizeof(WalCkptInfo) == 40, "WalCkptInfo layout");

typedef struct WalSeg {
  volatile u16 *hash;
  volatile u32 *pgno; /* pgno[k]: page of frame zero + 1 + k */
  u32 zero;
  int npage; /* capacity of pgno[] */
} WalSeg;

/* Owners of the single in-flight I/O slot. */
enum { IO_NONE, IO_RECOVER, IO_FRAMES, IO_CKPT };

struct Wal {
  ShaleVfs *vfs;
  ShaleFile *db;
  ShaleFile *wal_fd;
  char *wal_path;
  u8 heap;      /* wal-index in heap memory (exclusive locking mode) */
  u8 lock_noop; /* no shm locking (exclusive) */
  u8 persist;
  u8 readonly;        /* the -wal could only be opened read-only */
  u8 trunc_on_commit; /* this write transaction started a new log */
  i64 size_limit;     /* journal_size_limit (-1: none) */
  u8 write_lock;
  u8 ckpt_lock;
  i16 read_lock; /* -1: none; 0..4 */
  int n_wi;
  volatile u32 **wi;
  WalIndexHdr hdr; /* this connection's snapshot (writer: plus own frames) */
  u32 min_frame;
  u32 nckpt;
  u32 sz_page;

  /* the one outstanding I/O */
  ShaleIo io;
  int io_owner;
  int io_busy;

  /* begin_read progress */
  int rd_active, rd_cnt, rd_changed;

  /* recovery */
  struct {
    int state;
    u8 took_write;
    u8 took_locks; /* first lock index taken exclusively */
    u8 native;
    u8 whdr[WAL_HDRSIZE];
    i64 wal_size;
    u32 frame_sz, max_frame, iframe, chunk;
    u32 chain[2];
    u8 *buf;
    int rc;
  } rec;

  /* wal_frames */
  struct {
    int state;
    u8 whdr[WAL_HDRSIZE];
    u32 salt[2];
    u32 chain[2];
    u8 bigend, new_hdr;
    u32 first;    /* frame number of pages[0] */
    int i;        /* next page to build */
    int batch_n;  /* frames in buf not yet written (0: none) */
    u32 frame_sz;
  } fr;
  u8 *fbuf;
  size_t fbuf_sz;

  /* checkpoint */
  struct {
    int state;
    int mode, mode2;
    int (*busy)(void *, int);
    void *busy_arg;
    int busy_cnt;
    u8 took_write;
    int changed;
    u32 mx_safe, mx_page, nbackfill0;
    u64 *list;
    int nlist, pos, sub;
    int rc;
    u8 restore; /* run inside a read transaction: keep its snapshot */
    u8 hold_r0; /* READ0 held exclusively (backfill in progress) */
    u8 hold_r14; /* READ1..4 held exclusively (TRUNCATE in progress) */
    WalIndexHdr saved_hdr;
    u32 saved_min;
  } ck;
  u8 *pbuf;
  size_t pbuf_sz;

  /* close */
  struct {
    int state;
    u8 do_ckpt, is_delete, got_excl;
  } cl;
};

/* ------------------------------------------------------------ helpers --- */

static u32 decode_pgsz(u16 v) { return (u32)(v & 0xfe00) + ((u32)(v & 1) << 16); }
static u16 encode_pgsz(u32 sz) { return (u16)((sz & 0xff00) | (sz >> 16)); }

/* SQLite's WAL checksum over n bytes (n a multiple of 8). */
static void wal_cksum(int native, const u8 *a, int n, const u32 *in, u32 *out) {
  u32 s1 = in ? in[0] : 0, s2 = in ? in[1] : 0;
  const u8 *end = a + n;
  if (native) {
    do {
      u32 x0, x1;
      memcpy(&x0, a, 4);
      memcpy(&x1, a + 4, 4);
      s1 += x0 + s2;
      s2 += x1 + s1;
      a += 8;
    } while (a < end);
  } else {
    do {
      s1 += get4byte(a) + s2;
      s2 += get4byte(a + 4) + s1;
      a += 8;
    } while (a < end);
  }
  out[0] = s1;
  out[1] = s2;
}

static int wal_lock_shared(Wal *w, int idx) {
  if (w->lock_noop) return SQLITE_OK;
  return w->db->methods->shm_lock(w->db, idx, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED);
}
static void wal_unlock_shared(Wal *w, int idx) {
  if (w->lock_noop) return;
  w->db->methods->shm_lock(w->db, idx, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_SHARED);
}
static int wal_lock_excl(Wal *w, int idx, int n) {
  if (w->lock_noop) return SQLITE_OK;
  return w->db->methods->shm_lock(w->db, idx, n, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE);
}
static void wal_unlock_excl(Wal *w, int idx, int n) {
  if (w->lock_noop) return;
  w->db->methods->shm_lock(w->db, idx, n, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
}
static void wal_barrier(Wal *w) {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (!w->heap && w->db->methods->shm_barrier) w->db->methods->shm_barrier(w->db);
}

/* Lock exclusively, invoking the busy handler while BUSY. */
static int wal_busy_lock(Wal *w, int (*busy)(void *, int), void *arg, int *cnt,
                         int idx, int n) {
  int rc;
  do {
    rc = wal_lock_excl(w, idx, n);
  } while (rc == SQLITE_BUSY && busy && busy(arg, (*cnt)++));
  return rc;
}

/* Get wal-index region ipage. */
static int wi_page(Wal *w, int ipage, volatile u32 **out) {
  if (ipage < w->n_wi && w->wi[ipage]) {
    *out = w->wi[ipage];
    return SQLITE_OK;
  }
  if (ipage >= w->n_wi) {
    int nn = ipage + 8;
    volatile u32 **a = sqlite3_realloc64((void *)w->wi, sizeof(*a) * (u64)nn);
    if (!a) return SQLITE_NOMEM;
    for (int i = w->n_wi; i < nn; i++) a[i] = NULL;
    w->wi = a;
    w->n_wi = nn;
  }
  if (w->heap) {
    void *p = shale_malloc_zero(WALINDEX_PGSZ);
    if (!p) return SQLITE_NOMEM;
    w->wi[ipage] = p;
  } else {
    void volatile *p = NULL;
    int rc = w->db->methods->shm_map(w->db, ipage, WALINDEX_PGSZ, 1, &p);
    if (rc != SQLITE_OK) return rc;
    if (p == NULL) return SQLITE_IOERR_SHMMAP;
    w->wi[ipage] = p;
  }
  *out = w->wi[ipage];
  return SQLITE_OK;
}

static volatile WalIndexHdr *wi_hdr(Wal *w) { return (volatile WalIndexHdr *)w->wi[0]; }
static volatile WalCkptInfo *wi_ckpt(Wal *w) {
  return (volatile WalCkptInfo *)((volatile u8 *)w->wi[0] + 2 * sizeof(WalIndexHdr));
}

/* Copies to/from shared memory (n <= 48, a multiple of 4). */
static void vcopy(void *dst, const volatile void *src, size_t n) {
  const volatile u32 *s = src;
  u32 t[12];
  for (size_t i = 0; i < n / 4; i++) t[i] = s[i];
  memcpy(dst, t, n);
}
static void vstore(volatile void *dst, const void *src, size_t n) {
  volatile u32 *d = dst;
  u32 t[12];
  memcpy(t, src, n);
  for (size_t i = 0; i < n / 4; i++) d[i] = t[i];
}
static int hdr_differs(Wal *w) {
  WalIndexHdr h;
  vcopy(&h, wi_hdr(w), sizeof(h));
  return memcmp(&h, &w->hdr, sizeof(h)) != 0;
}

static int wal_frame_page(u32 iframe) {
  return (int)((iframe + HASHTABLE_NPAGE - HASHTABLE_NPAGE_ONE - 1) / HASHTABLE_NPAGE);
}
static int wal_hash(Pgno p) { return (int)((p * HASHTABLE_HASH_1) & (HASHTABLE_NSLOT - 1)); }
static int wal_next_hash(int k) { return (k + 1) & (HASHTABLE_NSLOT - 1); }

static int wal_seg(Wal *w, int ihash, WalSeg *s) {
  volatile u32 *p;
  SHALE_TRY(wi_page(w, ihash, &p));
  s->hash = (volatile u16 *)&p[HASHTABLE_NPAGE];
  if (ihash == 0) {
    s->pgno = &p[WALINDEX_HDR_SIZE / 4];
    s->zero = 0;
    s->npage = HASHTABLE_NPAGE_ONE;
  } else {
    s->pgno = p;
    s->zero = HASHTABLE_NPAGE_ONE + (u32)(ihash - 1) * HASHTABLE_NPAGE;
    s->npage = HASHTABLE_NPAGE;
  }
  return SQLITE_OK;
}

/* Remove hash entries for frames beyond w->hdr.mxFrame. */
static int wal_cleanup_hash(Wal *w) {
  if (w->hdr.mxFrame == 0) return SQLITE_OK;
  WalSeg s;
  SHALE_TRY(wal_seg(w, wal_frame_page(w->hdr.mxFrame), &s));
  u32 limit = w->hdr.mxFrame - s.zero;
  for (int i = 0; i < HASHTABLE_NSLOT; i++)
    if (s.hash[i] > limit) s.hash[i] = 0;
  for (int k = (int)limit; k < s.npage; k++) s.pgno[k] = 0;
  return SQLITE_OK;
}

static int wal_index_append(Wal *w, u32 iframe, Pgno pgno) {
  WalSeg s;
  SHALE_TRY(wal_seg(w, wal_frame_page(iframe), &s));
  u32 idx = iframe - s.zero;
  if (idx == 1) {
    for (int k = 0; k < s.npage; k++) s.pgno[k] = 0;
    for (int k = 0; k < HASHTABLE_NSLOT; k++) s.hash[k] = 0;
  }
  if (s.pgno[idx - 1]) SHALE_TRY(wal_cleanup_hash(w));
  int ncollide = (int)idx;
  int key;
  for (key = wal_hash(pgno); s.hash[key]; key = wal_next_hash(key)) {
    if (ncollide-- == 0) return SQLITE_CORRUPT;
  }
  s.pgno[idx - 1] = pgno;
  s.hash[key] = (u16)idx;
  return SQLITE_OK;
}

static void wal_write_index_hdr(Wal *w) {
  volatile WalIndexHdr *a = wi_hdr(w);
  w->hdr.isInit = 1;
  w->hdr.iVersion = WAL_VERSION;
  wal_cksum(1, (const u8 *)&w->hdr, offsetof(WalIndexHdr, aCksum), NULL, w->hdr.aCksum);
  vstore(&a[1], &w->hdr, sizeof(WalIndexHdr));
  wal_barrier(w);
  vstore(&a[0], &w->hdr, sizeof(WalIndexHdr));
}

/* 0: header valid (copied into w->hdr); 1: must recover. */
static int wal_try_hdr(Wal *w, int *changed) {
  WalIndexHdr h1, h2;
  volatile WalIndexHdr *a = wi_hdr(w);
  vcopy(&h1, &a[0], sizeof(h1));
  wal_barrier(w);
  vcopy(&h2, &a[1], sizeof(h2));
  if (memcmp(&h1, &h2, sizeof(h1)) != 0) return 1;
  if (h1.isInit == 0) return 1;
  if (memcmp(&w->hdr, &h1, sizeof(h1)) != 0) {
    /* the checksum only for a header we have not verified before (as
    ** SQLite's walIndexTryHdr): ours was checked when we adopted it */
    u32 ck[2];
    wal_cksum(1, (const u8 *)&h1, offsetof(WalIndexHdr, aCksum), NULL, ck);
    if (ck[0] != h1.aCksum[0] || ck[1] != h1.aCksum[1]) return 1;
    *changed = 1;
    w->hdr = h1;
    w->sz_page = decode_pgsz(h1.szPage);
  }
  return 0;
}

static i64 frame_offset(u32 iframe, u32 szpage) {
  return WAL_HDRSIZE + (i64)(iframe - 1) * (szpage + WAL_FRAME_HDRSIZE);
}

/* Run one I/O step for `owner`: submit it (once) and report its completion.
** Returns SQLITE_OK (done, success), SHALE_PENDING, or the error. */
enum { OP_READ, OP_WRITE, OP_SYNC, OP_TRUNC };
static int wio(Wal *w, int owner, ShaleFile *f, int op, void *buf, int n, i64 off) {
  if (w->io_busy) {
    if (!w->io.done) return SHALE_PENDING;
    w->io_busy = 0;
    if (w->io_owner == owner) return w->io.rc;
    /* stale completion of an abandoned operation: drop it */
  }
  int rc;
  shale_io_init(&w->io);
  switch (op) {
    case OP_READ: rc = f->methods->read(f, buf, n, off, &w->io); break;
    case OP_WRITE: rc = f->methods->write(f, buf, n, off, &w->io); break;
    case OP_SYNC: rc = f->methods->sync(f, n, &w->io); break;
    default: rc = f->methods->truncate(f, off, &w->io); break;
  }
  if (rc == SHALE_PENDING) {
    w->io_busy = 1;
    w->io_owner = owner;
    return SHALE_PENDING;
  }
  return rc;
}

static int wal_random(Wal *w, int n, void *out) {
  return w->vfs->randomness ? (w->vfs->randomness(w->vfs, n, out), SQLITE_OK) : SQLITE_OK;
}

/* ------------------------------------------------------------ open/close */

int wal_open(ShaleVfs *vfs, ShaleFile *db, const char *wal_path, int exclusive,
             Wal **out) {
  *out = NULL;
  if (!exclusive && db->methods->shm_map == NULL) return SQLITE_CANTOPEN;
  Wal *w = shale_malloc_zero(sizeof(*w));
  if (!w) return SQLITE_NOMEM;
  w->vfs = vfs;
  w->db = db;
  w->read_lock = -1;
  w->size_limit = -1;
  w->heap = (u8)(exclusive != 0);
  w->lock_noop = (u8)(exclusive != 0);
  w->wal_path = shale_strdup(wal_path);
  if (!w->wal_path) {
    sqlite3_free(w);
    return SQLITE_NOMEM;
  }
  int oflags = 0;
  int rc = vfs->open(vfs, wal_path,
                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_WAL,
                     &w->wal_fd, &oflags);
  if (rc != SQLITE_OK) {
    /* a read-only -wal (read-only directory or file): readers only */
    rc = vfs->open(vfs, wal_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_WAL, &w->wal_fd, &oflags);
    if (rc == SQLITE_OK) w->readonly = 1;
  } else if (oflags & SQLITE_OPEN_READONLY) {
    w->readonly = 1;
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(w->wal_path);
    sqlite3_free(w);
    return rc;
  }
  *out = w;
  return SQLITE_OK;
}

void wal_set_persist(Wal *w, int persist) { w->persist = (u8)(persist != 0); }
void wal_set_size_limit(Wal *w, i64 limit) { w->size_limit = limit < 0 ? -1 : limit; }

int wal_exclusive_mode(Wal *w, int op) {
  if (op > 0) {
    if (!w->lock_noop) {
      if (w->read_lock >= 0) wal_unlock_shared(w, WAL_READ_LOCK(w->read_lock));
      w->lock_noop = 1;
    }
  } else if (op == 0 && w->lock_noop && !w->heap) {
    w->lock_noop = 0;
    if (w->read_lock >= 0 && wal_lock_shared(w, WAL_READ_LOCK(w->read_lock)) != SQLITE_OK)
      w->lock_noop = 1;
  }
  return w->lock_noop;
}

static void wal_free(Wal *w) {
  if (w->heap) {
    for (int i = 0; i < w->n_wi; i++) sqlite3_free((void *)w->wi[i]);
  }
  sqlite3_free((void *)w->wi);
  sqlite3_free(w->rec.buf);
  sqlite3_free(w->fbuf);
  sqlite3_free(w->pbuf);
  sqlite3_free(w->ck.list);
  sqlite3_free(w->wal_path);
  sqlite3_free(w);
}

static void wal_ckpt_release(Wal *w);

/* Drop the progress (and locks) of operations the caller gave up on after
** a PENDING: an interrupted recovery, checkpoint or frame append. */
static void wal_abandon(Wal *w) {
  if (w->io_busy) {
    /* the outstanding I/O still references our buffers */
    while (!w->io.done) {
      if (w->vfs->poll(w->vfs, 1) < 0) break;
    }
    w->io_busy = 0;
  }
  if (w->rec.state) {
    wal_unlock_excl(w, w->rec.took_locks, WAL_READ_LOCK(0) - w->rec.took_locks);
    w->rec.state = 0;
    memset(&w->hdr, 0, sizeof(w->hdr));
  }
  if (w->rec.took_write) {
    wal_unlock_excl(w, WAL_WRITE_LOCK, 1);
    w->write_lock = 0;
    w->rec.took_write = 0;
  }
  if (w->ck.state) wal_ckpt_release(w);
  w->fr.state = 0;
  w->rd_active = 0;
}

int wal_close(Wal *w, int sync_flags, u32 page_size) {
  int rc = SQLITE_OK;
  if (w == NULL) return SQLITE_OK;
  if (w->cl.state == 0) {
    wal_abandon(w);
    wal_end_read(w);
    w->cl.do_ckpt = 0;
    w->cl.is_delete = 0;
    if (w->readonly) {
      w->cl.do_ckpt = 0;
    } else if (w->heap) {
      w->cl.do_ckpt = 1;
    } else if (w->db->methods->lock(w->db, SQLITE_LOCK_EXCLUSIVE) == SQLITE_OK) {
      w->cl.got_excl = 1;
      w->cl.do_ckpt = 1;
      w->lock_noop = 1; /* we are the only connection */
    } else {
      /* not the last connection; drop a PENDING lock the attempt may hold */
      w->db->methods->unlock(w->db, SQLITE_LOCK_SHARED);
    }
    w->cl.state = 1;
  }
  if (w->cl.state == 1) {
    if (w->cl.do_ckpt) {
      rc = wal_checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL, sync_flags,
                          page_size, NULL, NULL);
      if (rc == SHALE_PENDING) return rc;
      if (rc == SQLITE_OK && !w->persist) w->cl.is_delete = 1;
      if (rc == SQLITE_OK && w->persist && w->size_limit >= 0) w->cl.state = 3;
    }
    if (w->cl.state == 1) w->cl.state = 2;
  }
  if (w->cl.state == 3) {
    int r2 = wio(w, IO_CKPT, w->wal_fd, OP_TRUNC, NULL, 0, 0);
    if (r2 == SHALE_PENDING) return r2;
    w->cl.state = 2;
  }
  if (w->io_busy) {
    /* an abandoned I/O still references our buffers: let it finish */
    while (!w->io.done) {
      if (w->vfs->poll(w->vfs, 1) < 0) break;
    }
    w->io_busy = 0;
  }
  if (!w->heap && w->db->methods->shm_unmap) w->db->methods->shm_unmap(w->db, w->cl.is_delete);
  w->wal_fd->methods->close(w->wal_fd);
  if (w->cl.is_delete) w->vfs->remove(w->vfs, w->wal_path, 0);
  if (w->cl.got_excl) w->db->methods->unlock(w->db, SQLITE_LOCK_SHARED);
  wal_free(w);
  return rc == SHALE_PENDING ? SQLITE_OK : rc;
}

/* ------------------------------------------------------------ recovery */

/* Rebuild the wal-index from the -wal file.  Caller holds the WRITE lock. */
static int wal_recover_step(Wal *w) {
  int rc = SQLITE_OK;
  enum { R_START = 1, R_HDR, R_CHUNK, R_FINISH };
  for (;;) {
    switch (w->rec.state) {
      case R_START: {
        int first = WAL_CKPT_LOCK + w->ckpt_lock;
        rc = wal_lock_excl(w, first, WAL_READ_LOCK(0) - first);
        if (rc != SQLITE_OK) {
          w->rec.state = 0;
          return rc;
        }
        w->rec.took_locks = (u8)first;
        memset(&w->hdr, 0, sizeof(w->hdr));
        rc = w->wal_fd->methods->file_size(w->wal_fd, &w->rec.wal_size);
        if (rc != SQLITE_OK) goto fail;
        w->rec.state = w->rec.wal_size >= WAL_HDRSIZE ? R_HDR : R_FINISH;
        break;
      }
      case R_HDR: {
        rc = wio(w, IO_RECOVER, w->wal_fd, OP_READ, w->rec.whdr, WAL_HDRSIZE, 0);
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail;
        const u8 *h = w->rec.whdr;
        u32 magic = get4byte(h);
        u32 szpage = get4byte(h + 8);
        w->rec.state = R_FINISH;
        if ((magic & 0xfffffffeu) != WAL_MAGIC || (szpage & (szpage - 1)) != 0 ||
            szpage < 512 || szpage > 65536)
          break;
        if (get4byte(h + 4) != WAL_VERSION) {
          rc = SQLITE_CANTOPEN;
          goto fail;
        }
        u8 bigend = (u8)(magic & 1);
        w->rec.native = (u8)(bigend == WAL_BIGENDIAN);
        u32 ck[2];
        wal_cksum(w->rec.native, h, 24, NULL, ck);
        if (ck[0] != get4byte(h + 24) || ck[1] != get4byte(h + 28)) break;
        w->hdr.bigEndCksum = bigend;
        w->hdr.szPage = encode_pgsz(szpage);
        w->hdr.aFrameCksum[0] = ck[0];
        w->hdr.aFrameCksum[1] = ck[1];
        memcpy(w->hdr.aSalt, h + 16, 8);
        w->nckpt = get4byte(h + 12);
        w->sz_page = szpage;
        w->rec.chain[0] = ck[0];
        w->rec.chain[1] = ck[1];
        w->rec.frame_sz = szpage + WAL_FRAME_HDRSIZE;
        w->rec.max_frame = (u32)((w->rec.wal_size - WAL_HDRSIZE) / w->rec.frame_sz);
        w->rec.iframe = 1;
        w->rec.chunk = 262144 / w->rec.frame_sz;
        if (w->rec.chunk < 1) w->rec.chunk = 1;
        sqlite3_free(w->rec.buf);
        w->rec.buf = sqlite3_malloc64((u64)w->rec.chunk * w->rec.frame_sz);
        if (!w->rec.buf) {
          rc = SQLITE_NOMEM;
          goto fail;
        }
        w->rec.state = R_CHUNK;
        break;
      }
      case R_CHUNK: {
        if (w->rec.iframe > w->rec.max_frame) {
          w->rec.state = R_FINISH;
          break;
        }
        u32 n = w->rec.max_frame - w->rec.iframe + 1;
        if (n > w->rec.chunk) n = w->rec.chunk;
        rc = wio(w, IO_RECOVER, w->wal_fd, OP_READ, w->rec.buf, (int)(n * w->rec.frame_sz),
                 frame_offset(w->rec.iframe, w->sz_page));
        if (rc == SHALE_PENDING) return rc;
        if (rc == SQLITE_IOERR_SHORT_READ) {
          rc = SQLITE_OK; /* size changed under us: the zero tail is invalid */
        } else if (rc != SQLITE_OK) {
          goto fail;
        }
        int stop = 0;
        for (u32 k = 0; k < n && !stop; k++) {
          const u8 *f = w->rec.buf + (size_t)k * w->rec.frame_sz;
          Pgno pgno = get4byte(f);
          u32 ncommit = get4byte(f + 4);
          u32 ck[2];
          if (pgno == 0 || memcmp(f + 8, w->hdr.aSalt, 8) != 0) {
            stop = 1;
            break;
          }
          wal_cksum(w->rec.native, f, 8, w->rec.chain, ck);
          wal_cksum(w->rec.native, f + WAL_FRAME_HDRSIZE, (int)w->sz_page, ck, ck);
          if (ck[0] != get4byte(f + 16) || ck[1] != get4byte(f + 20)) {
            stop = 1;
            break;
          }
          w->rec.chain[0] = ck[0];
          w->rec.chain[1] = ck[1];
          rc = wal_index_append(w, w->rec.iframe, pgno);
          if (rc != SQLITE_OK) goto fail;
          if (ncommit) {
            w->hdr.mxFrame = w->rec.iframe;
            w->hdr.nPage = ncommit;
            w->hdr.aFrameCksum[0] = ck[0];
            w->hdr.aFrameCksum[1] = ck[1];
          }
          w->rec.iframe++;
        }
        if (stop) w->rec.state = R_FINISH;
        break;
      }
      case R_FINISH: {
        rc = wal_cleanup_hash(w);
        if (rc != SQLITE_OK) goto fail;
        wal_write_index_hdr(w);
        volatile WalCkptInfo *ci = wi_ckpt(w);
        ci->nBackfill = 0;
        ci->nBackfillAttempted = w->hdr.mxFrame;
        ci->aReadMark[0] = 0;
        for (int i = 1; i < WAL_NREADER; i++) {
          rc = wal_lock_excl(w, WAL_READ_LOCK(i), 1);
          if (rc == SQLITE_OK) {
            ci->aReadMark[i] = (i == 1 && w->hdr.mxFrame) ? w->hdr.mxFrame : READMARK_NOT_USED;
            wal_unlock_excl(w, WAL_READ_LOCK(i), 1);
          } else if (rc != SQLITE_BUSY) {
            goto fail;
          }
        }
        rc = SQLITE_OK;
        sqlite3_free(w->rec.buf);
        w->rec.buf = NULL;
        wal_unlock_excl(w, w->rec.took_locks, WAL_READ_LOCK(0) - w->rec.took_locks);
        w->rec.state = 0;
        return SQLITE_OK;
      }
      default:
        return SQLITE_MISUSE;
    }
  }
fail:
  sqlite3_free(w->rec.buf);
  w->rec.buf = NULL;
  wal_unlock_excl(w, w->rec.took_locks, WAL_READ_LOCK(0) - w->rec.took_locks);
  w->rec.state = 0;
  return rc;
}

/* Read the wal-index header into w->hdr, recovering if it is invalid.
** `changed` must point to storage that survives a PENDING return. */
static int wal_read_hdr(Wal *w, int *changed) {
  int rc;
  if (w->rec.state == 0) {
    volatile u32 *p0;
    SHALE_TRY(wi_page(w, 0, &p0));
    if (!wal_try_hdr(w, changed)) goto check;
    w->rec.took_write = 0;
    if (!w->write_lock) {
      rc = wal_lock_excl(w, WAL_WRITE_LOCK, 1);
      if (rc != SQLITE_OK) return rc;
      w->write_lock = 1;
      w->rec.took_write = 1;
    }
    if (!wal_try_hdr(w, changed)) {
      rc = SQLITE_OK;
      goto release;
    }
    w->rec.state = 1;
  }
  rc = wal_recover_step(w);
  if (rc == SHALE_PENDING) return rc;
  *changed = 1;
release:
  if (w->rec.took_write) {
    wal_unlock_excl(w, WAL_WRITE_LOCK, 1);
    w->write_lock = 0;
    w->rec.took_write = 0;
  }
  if (rc != SQLITE_OK) return rc;
check:
  if (w->hdr.iVersion != WAL_VERSION) return SQLITE_CANTOPEN;
  return SQLITE_OK;
}

/* ------------------------------------------------------------ readers */

static int wal_try_begin_read(Wal *w, int *changed, int use_wal, int cnt) {
  int rc;
  if (cnt > 5) {
    if (cnt > 100) return SQLITE_PROTOCOL;
    int delay = cnt >= 10 ? (cnt - 9) * (cnt - 9) * 39 : 1;
    if (w->vfs->sleep) w->vfs->sleep(w->vfs, delay);
  }
  if (!use_wal) {
    rc = wal_read_hdr(w, changed);
    if (rc == SQLITE_BUSY) {
      if (w->n_wi == 0 || w->wi[0] == NULL) return WAL_RETRY;
      rc = wal_lock_shared(w, WAL_RECOVER_LOCK);
      if (rc == SQLITE_OK) {
        wal_unlock_shared(w, WAL_RECOVER_LOCK);
        return WAL_RETRY;
      }
      return rc == SQLITE_BUSY ? SQLITE_BUSY_RECOVERY : rc;
    }
    if (rc != SQLITE_OK) return rc;
  }
  volatile WalCkptInfo *ci = wi_ckpt(w);
  if (!use_wal && ci->nBackfill == w->hdr.mxFrame) {
    rc = wal_lock_shared(w, WAL_READ_LOCK(0));
    wal_barrier(w);
    if (rc == SQLITE_OK) {
      if (hdr_differs(w)) {
        wal_unlock_shared(w, WAL_READ_LOCK(0));
        return WAL_RETRY;
      }
      w->read_lock = 0;
      return SQLITE_OK;
    } else if (rc != SQLITE_BUSY) {
      return rc;
    }
  }
  u32 mx_mark = 0, mx_frame = w->hdr.mxFrame;
  int mx_i = 0;
  for (int i = 1; i < WAL_NREADER; i++) {
    u32 m = ci->aReadMark[i];
    if (mx_mark <= m && m <= mx_frame) {
      mx_mark = m;
      mx_i = i;
    }
  }
  if (mx_mark < mx_frame || mx_i == 0) {
    for (int i = 1; i < WAL_NREADER; i++) {
      rc = wal_lock_excl(w, WAL_READ_LOCK(i), 1);
      if (rc == SQLITE_OK) {
        ci->aReadMark[i] = mx_frame;
        mx_mark = mx_frame;
        mx_i = i;
        wal_unlock_excl(w, WAL_READ_LOCK(i), 1);
        break;
      } else if (rc != SQLITE_BUSY) {
        return rc;
      }
    }
  }
  if (mx_i == 0) return WAL_RETRY;
  rc = wal_lock_shared(w, WAL_READ_LOCK(mx_i));
  if (rc != SQLITE_OK) return rc == SQLITE_BUSY ? WAL_RETRY : rc;
  w->min_frame = ci->nBackfill + 1;
  wal_barrier(w);
  if (ci->aReadMark[mx_i] != mx_mark || hdr_differs(w)) {
    wal_unlock_shared(w, WAL_READ_LOCK(mx_i));
    return WAL_RETRY;
  }
  w->read_lock = (i16)mx_i;
  return SQLITE_OK;
}

int wal_begin_read(Wal *w, int *changed) {
  int rc;
  if (!w->rd_active) {
    wal_end_read(w);
    w->rd_active = 1;
    w->rd_cnt = 0;
    w->rd_changed = 0;
  }
  do {
    rc = wal_try_begin_read(w, &w->rd_changed, 0, ++w->rd_cnt);
  } while (rc == WAL_RETRY);
  if (rc == SHALE_PENDING) return rc;
  w->rd_active = 0;
  if (changed) *changed = w->rd_changed;
  return rc;
}

void wal_end_read(Wal *w) {
  wal_end_write(w);
  if (w->read_lock >= 0) {
    wal_unlock_shared(w, WAL_READ_LOCK(w->read_lock));
    w->read_lock = -1;
  }
}

int wal_find_frame(Wal *w, Pgno pgno, u32 *frame) {
  u32 last = w->hdr.mxFrame;
  u32 found = 0;
  *frame = 0;
  if (last == 0 || w->read_lock == 0 || w->read_lock < 0) return SQLITE_OK;
  u32 minf = w->min_frame ? w->min_frame : 1;
  for (int ih = wal_frame_page(last); ih >= wal_frame_page(minf); ih--) {
    WalSeg s;
    SHALE_TRY(wal_seg(w, ih, &s));
    int ncollide = HASHTABLE_NSLOT;
    u16 h;
    for (int key = wal_hash(pgno); (h = s.hash[key]) != 0; key = wal_next_hash(key)) {
      u32 f = h + s.zero;
      if (f <= last && f >= minf && s.pgno[h - 1] == pgno) found = f;
      if (ncollide-- == 0) return SQLITE_CORRUPT;
    }
    if (found) break;
  }
  *frame = found;
  return SQLITE_OK;
}

int wal_read_frame(Wal *w, u32 frame, void *buf, int n, ShaleIo *io) {
  i64 off = frame_offset(frame, w->sz_page) + WAL_FRAME_HDRSIZE;
  if (n > (int)w->sz_page) n = (int)w->sz_page;
  return w->wal_fd->methods->read(w->wal_fd, buf, n, off, io);
}

Pgno wal_db_size(Wal *w) { return w->read_lock >= 0 ? w->hdr.nPage : 0; }

int wal_frame_count(Wal *w) { return (int)w->hdr.mxFrame; }

/* ------------------------------------------------------------ writers */

int wal_begin_write(Wal *w) {
  if (w->read_lock < 0) return SQLITE_MISUSE;
  if (w->readonly) return SQLITE_READONLY;
  if (w->write_lock) return SQLITE_OK;
  int rc = wal_lock_excl(w, WAL_WRITE_LOCK, 1);
  if (rc != SQLITE_OK) return rc;
  w->write_lock = 1;
  if (hdr_differs(w)) {
    WalIndexHdr h;
    vcopy(&h, wi_hdr(w), sizeof(h));
    if (w->read_lock == 0 && h.mxFrame == 0 && h.iChange == w->hdr.iChange) {
      /* Only a TRUNCATE checkpoint restarted the (fully backfilled) log
      ** since our snapshot, which reads everything from the database file
      ** under READ0: same content, so adopt the new header. */
      w->hdr = h;
      return SQLITE_OK;
    }
    wal_unlock_excl(w, WAL_WRITE_LOCK, 1);
    w->write_lock = 0;
    return SQLITE_BUSY_SNAPSHOT;
  }
  return SQLITE_OK;
}

int wal_end_write(Wal *w) {
  w->trunc_on_commit = 0;
  if (w->write_lock) {
    wal_unlock_excl(w, WAL_WRITE_LOCK, 1);
    w->write_lock = 0;
  }
  w->fr.state = 0;
  return SQLITE_OK;
}

static void wal_restart_hdr(Wal *w, u32 salt1) {
  volatile WalCkptInfo *ci = wi_ckpt(w);
  w->nckpt++;
  w->hdr.mxFrame = 0;
  u8 *s0 = (u8 *)&w->hdr.aSalt[0];
  put4byte(s0, get4byte(s0) + 1);
  memcpy(&w->hdr.aSalt[1], &salt1, 4);
  wal_write_index_hdr(w);
  ci->nBackfill = 0;
  ci->nBackfillAttempted = 0;
  ci->aReadMark[1] = 0;
  for (int i = 2; i < WAL_NREADER; i++) ci->aReadMark[i] = READMARK_NOT_USED;
}

/* Start the log over if a checkpoint copied everything and no reader uses
** it (the writer's snapshot came through read mark 0). */
static int wal_restart_log(Wal *w) {
  int rc;
  if (w->read_lock != 0) return SQLITE_OK;
  volatile WalCkptInfo *ci = wi_ckpt(w);
  if (ci->nBackfill > 0) {
    u32 salt1 = 0;
    wal_random(w, 4, &salt1);
    rc = wal_lock_excl(w, WAL_READ_LOCK(1), WAL_NREADER - 1);
    if (rc == SQLITE_OK) {
      wal_restart_hdr(w, salt1);
      wal_unlock_excl(w, WAL_READ_LOCK(1), WAL_NREADER - 1);
    } else if (rc != SQLITE_BUSY) {
      return rc;
    }
  }
  wal_unlock_shared(w, WAL_READ_LOCK(0));
  w->read_lock = -1;
  int cnt = 0, unused = 0;
  do {
    rc = wal_try_begin_read(w, &unused, 1, ++cnt);
  } while (rc == WAL_RETRY);
  return rc;
}

/* After our commit the connection's snapshot is the newest one: move its
** read lock to a read mark at the new mxFrame (an ordinary reader step of
** the protocol, done while we hold the WRITE lock), so that a checkpoint
** run before the read transaction ends is not held back by the
** pre-commit mark.  Best effort: on any contention keep the old mark. */
static void wal_advance_mark(Wal *w) {
  if (w->lock_noop || w->read_lock < 1) return;
  volatile WalCkptInfo *ci = wi_ckpt(w);
  u32 mx = w->hdr.mxFrame;
  if (ci->aReadMark[w->read_lock] == mx) return;
  for (int i = 1; i < WAL_NREADER; i++) {
    if (i == w->read_lock) continue;
    if (ci->aReadMark[i] != mx) {
      if (wal_lock_excl(w, WAL_READ_LOCK(i), 1) != SQLITE_OK) continue;
      ci->aReadMark[i] = mx;
      wal_unlock_excl(w, WAL_READ_LOCK(i), 1);
    }
    if (wal_lock_shared(w, WAL_READ_LOCK(i)) != SQLITE_OK) continue;
    wal_barrier(w);
    if (ci->aReadMark[i] != mx) {
      wal_unlock_shared(w, WAL_READ_LOCK(i));
      continue;
    }
    wal_unlock_shared(w, WAL_READ_LOCK(w->read_lock));
    w->read_lock = (i16)i;
    return;
  }
}

int wal_frames(Wal *w, u32 page_size, const WalPage *pages, int n, Pgno db_size,
               int is_commit, int sync_flags) {
  int rc;
  enum { F_HDR = 1, F_HDR_SYNC, F_BODY, F_SYNC, F_LIMIT, F_PUBLISH };
  if (!w->write_lock) return SQLITE_MISUSE;
  if (w->fr.state == 0) {
    if (n <= 0) return SQLITE_OK;
    rc = wal_restart_log(w);
    if (rc != SQLITE_OK) return rc;
    u32 fsz = page_size + WAL_FRAME_HDRSIZE;
    if (w->hdr.mxFrame && decode_pgsz(w->hdr.szPage) != page_size) return SQLITE_CORRUPT;
    size_t want = (size_t)fsz * (262144 / fsz > 0 ? 262144 / fsz : 1);
    if (w->fbuf_sz < want) {
      sqlite3_free(w->fbuf);
      w->fbuf = sqlite3_malloc64(want);
      w->fbuf_sz = w->fbuf ? want : 0;
      if (!w->fbuf) return SQLITE_NOMEM;
    }
    w->fr.frame_sz = fsz;
    w->fr.first = w->hdr.mxFrame + 1;
    w->fr.i = 0;
    w->fr.batch_n = 0;
    w->fr.chain[0] = w->hdr.aFrameCksum[0];
    w->fr.chain[1] = w->hdr.aFrameCksum[1];
    memcpy(w->fr.salt, w->hdr.aSalt, 8);
    w->fr.bigend = w->hdr.bigEndCksum;
    w->fr.new_hdr = 0;
    if (w->hdr.mxFrame == 0) {
      u8 *h = w->fr.whdr;
      w->fr.new_hdr = 1;
      w->fr.bigend = WAL_BIGENDIAN;
      put4byte(h, WAL_MAGIC | WAL_BIGENDIAN);
      put4byte(h + 4, WAL_VERSION);
      put4byte(h + 8, page_size);
      put4byte(h + 12, w->nckpt);
      if (w->nckpt == 0) wal_random(w, 8, w->fr.salt);
      memcpy(h + 16, w->fr.salt, 8);
      wal_cksum(1, h, 24, NULL, w->fr.chain);
      put4byte(h + 24, w->fr.chain[0]);
      put4byte(h + 28, w->fr.chain[1]);
      w->fr.state = F_HDR;
    } else {
      w->fr.state = F_BODY;
    }
  }
  int native = (w->fr.bigend == WAL_BIGENDIAN);
  for (;;) {
    switch (w->fr.state) {
      case F_HDR:
        rc = wio(w, IO_FRAMES, w->wal_fd, OP_WRITE, w->fr.whdr, WAL_HDRSIZE, 0);
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail;
        w->fr.state = sync_flags ? F_HDR_SYNC : F_BODY;
        break;
      case F_HDR_SYNC:
        rc = wio(w, IO_FRAMES, w->wal_fd, OP_SYNC, NULL, sync_flags, 0);
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail;
        w->fr.state = F_BODY;
        break;
      case F_BODY: {
        if (w->fr.batch_n == 0) {
          if (w->fr.i >= n) {
            w->fr.state = F_SYNC;
            break;
          }
          int cap = (int)(w->fbuf_sz / w->fr.frame_sz);
          int k = 0;
          while (k < cap && w->fr.i + k < n) {
            int pi = w->fr.i + k;
            u8 *f = w->fbuf + (size_t)k * w->fr.frame_sz;
            put4byte(f, pages[pi].pgno);
            put4byte(f + 4, (is_commit && pi == n - 1) ? db_size : 0);
            memcpy(f + 8, w->fr.salt, 8);
            memcpy(f + WAL_FRAME_HDRSIZE, pages[pi].data, page_size);
            wal_cksum(native, f, 8, w->fr.chain, w->fr.chain);
            wal_cksum(native, f + WAL_FRAME_HDRSIZE, (int)page_size, w->fr.chain, w->fr.chain);
            put4byte(f + 16, w->fr.chain[0]);
            put4byte(f + 20, w->fr.chain[1]);
            k++;
          }
          w->fr.batch_n = k;
        }
        rc = wio(w, IO_FRAMES, w->wal_fd, OP_WRITE, w->fbuf,
                 (int)(w->fr.batch_n * w->fr.frame_sz),
                 frame_offset(w->fr.first + (u32)w->fr.i, page_size));
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail;
        w->fr.i += w->fr.batch_n;
        w->fr.batch_n = 0;
        break;
      }
      case F_SYNC:
        if (is_commit && sync_flags) {
          rc = wio(w, IO_FRAMES, w->wal_fd, OP_SYNC, NULL, sync_flags, 0);
          if (rc == SHALE_PENDING) return rc;
          if (rc != SQLITE_OK) goto fail;
        }
        w->fr.state = F_LIMIT;
        break;
      case F_LIMIT: {
        /* journal_size_limit: a transaction that started a new log trims
        ** stale frames of the previous generation beyond the limit */
        if (is_commit && (w->trunc_on_commit || w->fr.new_hdr) && w->size_limit >= 0) {
          i64 sz = 0, want = frame_offset(w->fr.first + (u32)n, page_size);
          if (want < w->size_limit) want = w->size_limit;
          if (w->wal_fd->methods->file_size(w->wal_fd, &sz) == SQLITE_OK && sz > want) {
            rc = wio(w, IO_FRAMES, w->wal_fd, OP_TRUNC, NULL, 0, want);
            if (rc == SHALE_PENDING) return rc;
            if (rc != SQLITE_OK) goto fail;
          }
        }
        w->fr.state = F_PUBLISH;
        break;
      }
      case F_PUBLISH: {
        w->fr.state = 0;
        if (w->fr.new_hdr) w->trunc_on_commit = 1;
        if (is_commit) w->trunc_on_commit = 0;
        if (w->fr.new_hdr) {
          memcpy(w->hdr.aSalt, w->fr.salt, 8);
          w->hdr.bigEndCksum = w->fr.bigend;
        }
        for (int k = 0; k < n; k++) {
          rc = wal_index_append(w, w->fr.first + (u32)k, pages[k].pgno);
          if (rc != SQLITE_OK) return rc;
        }
        w->hdr.mxFrame = w->fr.first + (u32)n - 1;
        w->hdr.aFrameCksum[0] = w->fr.chain[0];
        w->hdr.aFrameCksum[1] = w->fr.chain[1];
        w->hdr.szPage = encode_pgsz(page_size);
        w->sz_page = page_size;
        if (is_commit) {
          w->hdr.iChange++;
          w->hdr.nPage = db_size;
          wal_write_index_hdr(w);
          wal_advance_mark(w);
        }
        return SQLITE_OK;
      }
      default:
        return SQLITE_MISUSE;
    }
  }
fail:
  w->fr.state = 0;
  return rc;
}

void wal_undo(Wal *w) {
  if (!w->write_lock) return;
  u32 old = w->hdr.mxFrame;
  vcopy(&w->hdr, wi_hdr(w), sizeof(w->hdr));
  w->fr.state = 0;
  if (old != w->hdr.mxFrame) wal_cleanup_hash(w);
}

void wal_savepoint(Wal *w, u32 *s) {
  s[0] = w->hdr.mxFrame;
  s[1] = w->hdr.aFrameCksum[0];
  s[2] = w->hdr.aFrameCksum[1];
  s[3] = w->nckpt;
}

int wal_savepoint_undo(Wal *w, const u32 *s) {
  u32 mx = s[0];
  if (s[3] != w->nckpt) mx = 0;
  w->fr.state = 0;
  if (mx < w->hdr.mxFrame) {
    w->hdr.mxFrame = mx;
    w->hdr.aFrameCksum[0] = s[1];
    w->hdr.aFrameCksum[1] = s[2];
    return wal_cleanup_hash(w);
  }
  return SQLITE_OK;
}

/* ------------------------------------------------------------ checkpoint */

static int cmp_u64(const void *a, const void *b) {
  u64 x = *(const u64 *)a, y = *(const u64 *)b;
  return x < y ? -1 : x > y;
}

/* Collect the newest frame <= mx_safe of every page with a frame after
** nBackfill, sorted by page number. */
static int wal_ckpt_list(Wal *w, u32 from, u32 to) {
  sqlite3_free(w->ck.list);
  w->ck.list = NULL;
  w->ck.nlist = 0;
  w->ck.pos = 0;
  if (to < from) return SQLITE_OK;
  u64 *a = sqlite3_malloc64(sizeof(u64) * (u64)(to - from + 1));
  if (!a) return SQLITE_NOMEM;
  int n = 0;
  for (u32 f = from; f <= to;) {
    WalSeg s;
    int rc = wal_seg(w, wal_frame_page(f), &s);
    if (rc != SQLITE_OK) {
      sqlite3_free(a);
      return rc;
    }
    u32 end = s.zero + (u32)s.npage;
    if (end > to) end = to;
    for (; f <= end; f++) a[n++] = ((u64)s.pgno[f - s.zero - 1] << 32) | f;
  }
  qsort(a, (size_t)n, sizeof(u64), cmp_u64);
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (i + 1 < n && (a[i + 1] >> 32) == (a[i] >> 32)) continue;
    a[m++] = a[i];
  }
  w->ck.list = a;
  w->ck.nlist = m;
  return SQLITE_OK;
}

static void wal_ckpt_release(Wal *w) {
  if (w->ck.hold_r0) {
    wal_unlock_excl(w, WAL_READ_LOCK(0), 1);
    w->ck.hold_r0 = 0;
  }
  if (w->ck.hold_r14) {
    wal_unlock_excl(w, WAL_READ_LOCK(1), WAL_NREADER - 1);
    w->ck.hold_r14 = 0;
  }
  if (w->ck.took_write) {
    wal_unlock_excl(w, WAL_WRITE_LOCK, 1);
    w->write_lock = 0;
    w->ck.took_write = 0;
  }
  if (w->ckpt_lock) {
    wal_unlock_excl(w, WAL_CKPT_LOCK, 1);
    w->ckpt_lock = 0;
  }
  sqlite3_free(w->ck.list);
  w->ck.list = NULL;
  w->ck.state = 0;
  if (w->ck.restore) {
    w->hdr = w->ck.saved_hdr;
    w->min_frame = w->ck.saved_min;
    w->sz_page = decode_pgsz(w->hdr.szPage);
    w->ck.restore = 0;
    w->ck.changed = 0;
  }
}

int wal_checkpoint(Wal *w, int mode, int (*busy)(void *, int), void *busy_arg,
                   int sync_flags, u32 page_size, int *n_log, int *n_ckpt) {
  int rc = SQLITE_OK;
  enum { C_HDR = 1, C_PLAN, C_SYNC_WAL, C_COPY, C_TRUNC_DB, C_SYNC_DB, C_PUBLISH,
         C_FINAL, C_TRUNC_WAL, C_DONE };
  if (w->ck.state == 0) {
    if (w->readonly) return SQLITE_READONLY;
    /* Inside a read transaction (e.g. an auto-checkpoint right after a
    ** commit) only PASSIVE/FULL are allowed; the snapshot is preserved and
    ** its read mark / READ0 lock are never taken over. */
    w->ck.restore = 0;
    if (w->read_lock >= 0) {
      if (mode >= SQLITE_CHECKPOINT_RESTART) return SQLITE_LOCKED;
      w->ck.restore = 1;
      w->ck.saved_hdr = w->hdr;
      w->ck.saved_min = w->min_frame;
    }
    volatile u32 *p0;
    rc = wi_page(w, 0, &p0); /* attach the wal-index before locking it */
    if (rc == SQLITE_OK) rc = wal_lock_excl(w, WAL_CKPT_LOCK, 1);
    if (rc != SQLITE_OK) {
      w->ck.restore = 0;
      return rc;
    }
    w->ckpt_lock = 1;
    w->ck.mode = w->ck.mode2 = mode;
    w->ck.busy = busy;
    w->ck.busy_arg = busy_arg;
    w->ck.busy_cnt = 0;
    w->ck.took_write = 0;
    w->ck.changed = 0;
    w->ck.rc = SQLITE_OK;
    if (mode != SQLITE_CHECKPOINT_PASSIVE) {
      if (!w->write_lock) {
        rc = wal_busy_lock(w, busy, busy_arg, &w->ck.busy_cnt, WAL_WRITE_LOCK, 1);
        if (rc == SQLITE_OK) {
          w->write_lock = 1;
          w->ck.took_write = 1;
        } else if (rc == SQLITE_BUSY) {
          w->ck.mode2 = SQLITE_CHECKPOINT_PASSIVE;
          rc = SQLITE_OK;
        } else {
          wal_ckpt_release(w);
          return rc;
        }
      }
    }
    if (w->ck.mode2 == SQLITE_CHECKPOINT_PASSIVE) w->ck.busy = NULL;
    w->ck.state = C_HDR;
  }
  volatile WalCkptInfo *ci = NULL;
  for (;;) {
    if (w->n_wi > 0 && w->wi[0]) ci = wi_ckpt(w);
    switch (w->ck.state) {
      case C_HDR:
        rc = wal_read_hdr(w, &w->ck.changed);
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail;
        if (w->hdr.mxFrame && decode_pgsz(w->hdr.szPage) != page_size) {
          rc = SQLITE_CORRUPT;
          goto fail;
        }
        w->ck.state = C_PLAN;
        break;
      case C_PLAN: {
        ci = wi_ckpt(w);
        w->ck.state = C_FINAL;
        if (ci->nBackfill >= w->hdr.mxFrame) break;
        u32 mx_safe = w->hdr.mxFrame;
        w->ck.mx_page = w->hdr.nPage;
        for (int i = 1; i < WAL_NREADER; i++) {
          u32 y = ci->aReadMark[i];
          if (mx_safe > y && i == w->read_lock) {
            mx_safe = y; /* our own snapshot */
          } else if (mx_safe > y) {
            rc = wal_busy_lock(w, w->ck.busy, w->ck.busy_arg, &w->ck.busy_cnt,
                               WAL_READ_LOCK(i), 1);
            if (rc == SQLITE_OK) {
              ci->aReadMark[i] = (i == 1) ? mx_safe : READMARK_NOT_USED;
              wal_unlock_excl(w, WAL_READ_LOCK(i), 1);
            } else if (rc == SQLITE_BUSY) {
              mx_safe = y;
              w->ck.busy = NULL;
            } else {
              goto fail;
            }
          }
        }
        rc = SQLITE_OK;
        w->ck.mx_safe = mx_safe;
        if (ci->nBackfill >= mx_safe) break;
        w->ck.nbackfill0 = ci->nBackfill;
        rc = wal_ckpt_list(w, ci->nBackfill + 1, mx_safe);
        if (rc != SQLITE_OK) goto fail;
        rc = w->read_lock == 0 ? SQLITE_BUSY
                               : wal_busy_lock(w, w->ck.busy, w->ck.busy_arg, &w->ck.busy_cnt,
                                               WAL_READ_LOCK(0), 1);
        if (rc == SQLITE_BUSY) {
          rc = SQLITE_OK;
          break;
        }
        if (rc != SQLITE_OK) goto fail;
        w->ck.hold_r0 = 1;
        ci->nBackfillAttempted = mx_safe;
        if (w->pbuf_sz < page_size) {
          sqlite3_free(w->pbuf);
          w->pbuf = sqlite3_malloc64(page_size);
          w->pbuf_sz = w->pbuf ? page_size : 0;
          if (!w->pbuf) {
            rc = SQLITE_NOMEM;
            wal_unlock_excl(w, WAL_READ_LOCK(0), 1);
            goto fail;
          }
        }
        w->ck.sub = 0;
        w->ck.state = C_SYNC_WAL;
        break;
      }
      case C_SYNC_WAL:
        if (sync_flags) {
          rc = wio(w, IO_CKPT, w->wal_fd, OP_SYNC, NULL, sync_flags, 0);
          if (rc == SHALE_PENDING) return rc;
          if (rc != SQLITE_OK) goto fail_r0;
        }
        w->ck.state = C_COPY;
        break;
      case C_COPY: {
        if (w->ck.pos >= w->ck.nlist) {
          w->ck.state = C_TRUNC_DB;
          break;
        }
        u64 e = w->ck.list[w->ck.pos];
        Pgno pg = (Pgno)(e >> 32);
        u32 f = (u32)e;
        if (pg > w->ck.mx_page || f <= w->ck.nbackfill0 || f > w->ck.mx_safe) {
          w->ck.pos++;
          break;
        }
        if (w->ck.sub == 0) {
          rc = wio(w, IO_CKPT, w->wal_fd, OP_READ, w->pbuf, (int)page_size,
                   frame_offset(f, page_size) + WAL_FRAME_HDRSIZE);
          if (rc == SHALE_PENDING) return rc;
          if (rc != SQLITE_OK) goto fail_r0;
          w->ck.sub = 1;
        }
        rc = wio(w, IO_CKPT, w->db, OP_WRITE, w->pbuf, (int)page_size,
                 (i64)(pg - 1) * page_size);
        if (rc == SHALE_PENDING) return rc;
        if (rc != SQLITE_OK) goto fail_r0;
        w->ck.sub = 0;
        w->ck.pos++;
        break;
      }
      case C_TRUNC_DB: {
        if (w->ck.mx_safe == wi_hdr(w)->mxFrame) {
          i64 sz = 0, want = (i64)w->hdr.nPage * page_size;
          w->db->methods->file_size(w->db, &sz);
          if (sz > want) {
            rc = wio(w, IO_CKPT, w->db, OP_TRUNC, NULL, 0, want);
            if (rc == SHALE_PENDING) return rc;
            if (rc != SQLITE_OK) goto fail_r0;
          }
        }
        w->ck.state = C_SYNC_DB;
        break;
      }
      case C_SYNC_DB:
        if (sync_flags) {
          rc = wio(w, IO_CKPT, w->db, OP_SYNC, NULL, sync_flags, 0);
          if (rc == SHALE_PENDING) return rc;
          if (rc != SQLITE_OK) goto fail_r0;
        }
        w->ck.state = C_PUBLISH;
        break;
      case C_PUBLISH:
        ci->nBackfill = w->ck.mx_safe;
        wal_unlock_excl(w, WAL_READ_LOCK(0), 1);
        w->ck.hold_r0 = 0;
        w->ck.state = C_FINAL;
        break;
      case C_FINAL:
        w->ck.state = C_DONE;
        if (w->ck.mode2 != SQLITE_CHECKPOINT_PASSIVE) {
          if (ci->nBackfill < w->hdr.mxFrame) {
            w->ck.rc = SQLITE_BUSY;
          } else if (w->ck.mode2 >= SQLITE_CHECKPOINT_RESTART) {
            u32 salt1 = 0;
            wal_random(w, 4, &salt1);
            rc = wal_busy_lock(w, w->ck.busy, w->ck.busy_arg, &w->ck.busy_cnt,
                               WAL_READ_LOCK(1), WAL_NREADER - 1);
            if (rc == SQLITE_OK) {
              if (w->ck.mode2 == SQLITE_CHECKPOINT_TRUNCATE) {
                wal_restart_hdr(w, salt1);
                w->ck.hold_r14 = 1;
                w->ck.state = C_TRUNC_WAL;
              } else {
                wal_unlock_excl(w, WAL_READ_LOCK(1), WAL_NREADER - 1);
              }
            } else if (rc == SQLITE_BUSY) {
              w->ck.rc = SQLITE_BUSY;
            } else {
              goto fail;
            }
          }
        }
        break;
      case C_TRUNC_WAL:
        rc = wio(w, IO_CKPT, w->wal_fd, OP_TRUNC, NULL, 0, 0);
        if (rc == SHALE_PENDING) return rc;
        wal_unlock_excl(w, WAL_READ_LOCK(1), WAL_NREADER - 1);
        w->ck.hold_r14 = 0;
        if (rc != SQLITE_OK) goto fail;
        w->ck.state = C_DONE;
        break;
      case C_DONE:
        rc = w->ck.rc;
        if (rc == SQLITE_OK && w->ck.mode2 != w->ck.mode) rc = SQLITE_BUSY;
        if (n_log) *n_log = (int)w->hdr.mxFrame;
        if (n_ckpt) *n_ckpt = (int)ci->nBackfill;
        if (w->ck.changed && !w->ck.restore) memset(&w->hdr, 0, sizeof(w->hdr));
        wal_ckpt_release(w);
        return rc;
      default:
        return SQLITE_MISUSE;
    }
  }
fail_r0:
  wal_unlock_excl(w, WAL_READ_LOCK(0), 1);
  w->ck.hold_r0 = 0;
fail:
  if (w->ck.changed && !w->ck.restore) memset(&w->hdr, 0, sizeof(w->hdr));
  wal_ckpt_release(w);
  return rc;
}
