/*
** sorter.c — external merge sort for OP_Sorter*.
**
** Records arrive in an arena as (varint length, record bytes), nothing else.
** What is sorted are small entries: the record's address and
** order-preserving 64-bit images of its first two key fields (an integer
** with the sign bit flipped, or the first 8 bytes of a BINARY text; NULL is
** 0; complemented for a DESC field).  While every record agrees on the kind
** of a field, most comparisons are decided by the images alone and never
** touch the records; the rest compares the records field by field from the
** first undecided field.
**
** One chunk of at most CHUNK_N entries is filled at a time (the first grows
** from small).  A full chunk is sorted while it is still in the cache
** (stable merge sort, half a chunk of scratch, runs already in order left
** alone) and its records are copied out in order into a memory run; the
** entries and the arena are then reused.  So memory grows by the record
** bytes only, written once, in order.
**
** A run is a byte string of (varint length, record), in memory or in an
** anonymous temp file (past mem_limit bytes the memory runs and the chunk
** are merged into one file run).  sorter_sort() merges the runs and the
** last chunk through a binary heap; ties go to the earlier source, so the
** sort is stable.  All I/O is submitted through the VFS; a PENDING write or
** read keeps its progress in the Sorter and the call is simply repeated.
*/
#include "sorter.h"
#include "record.h"
#include "vdbe.h"

#define SORTER_READ 16384   /* initial read buffer of a file run */
#define SORTER_ARENA 65536  /* arena block size */
#define CHUNK_N 16384       /* entries per chunk (384 KiB) */
#define CHUNK_FIRST 64      /* the first chunk starts this small */

/* Field classes of the images (Sorter.cls). */
#define KC_ANY 0   /* no typed value seen yet (all NULL) */
#define KC_INT 1   /* integers; image = value ^ sign bit (NULL: 0) */
#define KC_TEXT 2  /* BINARY text; image = first 8 bytes (NULL: 0) */
#define KC_MIXED 3 /* anything else, or classes differ: images unused */

/* What is sorted.  rec points at the varint length before the record. */
typedef struct SEnt {
  u64 img[2];
  const u8 *rec;
} SEnt;

/* A sorted run: in memory (buf holds all of it) or a byte range of the temp
** file read through buf. */
typedef struct SRun {
  int in_file;
  i64 start, end;   /* file: byte range */
  i64 off;          /* file: next offset to read */
  u8 *buf;
  int buf_sz;
  int buf_n;        /* valid bytes */
  int buf_pos;      /* parse position */
  int cur;          /* 1: head is the current record; 0 not loaded; -1 eof */
  int reading;      /* a read is outstanding into buf+buf_n */
  int read_n;
  SEnt head;        /* the current record */
  ShaleIo io;
} SRun;

typedef struct SBlock {
  struct SBlock *next;
  size_t used, size;
  u8 data[];
} SBlock;

struct Sorter {
  ShaleVfs *vfs;
  KeyInfo *ki;
  u8 enc;
  i64 mem_limit;
  int n_cmp;        /* fields compared */
  u8 fast[2];       /* key field i may be cached (BINARY text allowed) */
  u8 null_ok[2];    /* NULL sorts first in field i (its image is right) */
  u64 img_xor[2];   /* ~0 for a DESC field: images compare ascending */
  u8 cls[2];        /* KC_* of fields 0 and 1 over every record seen */
  /* the chunk being filled: entries into the arena */
  SBlock *blocks;   /* arena in use */
  SBlock *free_blocks;
  SEnt *ents, *tmp; /* tmp: merge scratch, CHUNK_N / 2 entries */
  int n_ent, cap_ent;
  int sorted;       /* the chunk is sorted */
  int pos;          /* output position in the chunk */
  i64 chunk_bytes;  /* arena bytes of the chunk */
  i64 mem_used;     /* record bytes in memory (chunk and memory runs) */
  /* runs, in the order their records arrived */
  SRun *runs;
  int n_run, a_run;
  ShaleFile *file;
  i64 file_end;
  u8 *wbuf;         /* file run being written */
  i64 wbuf_n;
  int writing;
  ShaleIo wio;
  /* output: a heap of sources (0..n_run-1: runs, n_run: the chunk) */
  int sorted_all;
  int *heap;
  int n_heap, a_heap;
};

static int binary_coll(const CollSeq *c) {
  return !c || !c->x_cmp || (c->name && shale_stricmp(c->name, "BINARY") == 0);
}

/* No records yet: every field class open, except fields not compared. */
static void cls_reset(Sorter *s) {
  for (int i = 0; i < 2; i++) s->cls[i] = i < s->n_cmp ? KC_ANY : KC_MIXED;
}

Sorter *sorter_new(ShaleVfs *vfs, KeyInfo *ki, u8 enc, i64 mem_limit) {
  Sorter *s = shale_malloc_zero(sizeof(Sorter));
  if (!s) return NULL;
  s->vfs = vfs;
  s->ki = keyinfo_ref(ki);
  s->enc = enc ? enc : SQLITE_UTF8;
  s->mem_limit = mem_limit > 0 ? mem_limit : 8 * 1024 * 1024;
  s->n_cmp = ki ? ki->n_all_field : 0x7fff;
  for (int i = 0; i < 2; i++) {
    u8 sf = ki && i < ki->n_all_field && ki->sort_flags ? ki->sort_flags[i] : 0;
    s->fast[i] = !ki || i >= ki->n_all_field || !ki->coll || binary_coll(ki->coll[i]);
    s->img_xor[i] = (sf & KEYINFO_ORDER_DESC) ? ~(u64)0 : 0;
    s->null_ok[i] = !(sf & KEYINFO_ORDER_BIGNULL);
  }
  cls_reset(s);
  return s;
}

static void free_block_list(SBlock *b) {
  while (b) {
    SBlock *n = b->next;
    sqlite3_free(b);
    b = n;
  }
}

/* Empty the chunk; its arena blocks are kept for the next one. */
static void chunk_clear(Sorter *s) {
  while (s->blocks) {
    SBlock *b = s->blocks;
    s->blocks = b->next;
    if (b->size == SORTER_ARENA) {
      b->next = s->free_blocks;
      s->free_blocks = b;
    } else {
      sqlite3_free(b);
    }
  }
  s->mem_used -= s->chunk_bytes;
  s->chunk_bytes = 0;
  s->n_ent = 0;
  s->sorted = 0;
}

void sorter_reset(Sorter *s) {
  if (!s) return;
  chunk_clear(s);
  for (int i = 0; i < s->n_run; i++) sqlite3_free(s->runs[i].buf);
  s->n_run = 0;
  s->mem_used = 0;
  sqlite3_free(s->wbuf);
  s->wbuf = NULL;
  s->writing = 0;
  if (s->file) s->file->methods->close(s->file);
  s->file = NULL;
  s->file_end = 0;
  s->sorted_all = 0;
  s->n_heap = 0;
  cls_reset(s);
}

void sorter_free(Sorter *s) {
  if (!s) return;
  sorter_reset(s);
  free_block_list(s->free_blocks);
  sqlite3_free(s->runs);
  sqlite3_free(s->ents);
  sqlite3_free(s->tmp);
  sqlite3_free(s->heap);
  keyinfo_unref(s->ki);
  sqlite3_free(s);
}

int sorter_n_runs(Sorter *s) {
  int n = 0;
  if (s)
    for (int i = 0; i < s->n_run; i++) n += s->runs[i].in_file;
  return n;
}

/* A varint inside a record (one byte almost always). */
static inline int hdr_varint(const u8 *p, u32 *v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  return varint_get32(p, v);
}

/* An entry's record: its bytes and length. */
static inline const u8 *ent_rec(const SEnt *e, int *n) {
  u32 len;
  int k = hdr_varint(e->rec, &len);
  *n = (int)len;
  return e->rec + k;
}

/* ------------------------------------------------------------ comparison */

/* The images of a record's first two fields; folds their classes into
** s->cls (a record that disagrees makes the field KC_MIXED for good). */
static void ent_images(Sorter *s, const u8 *p, int n, SEnt *e) {
  e->img[0] = s->img_xor[0];
  e->img[1] = s->img_xor[1];
  u32 hend, h, off;
  int c[2] = {KC_MIXED, KC_MIXED};
  if (n < 1) goto fold;
  h = (u32)hdr_varint(p, &hend);
  if (hend > (u32)n) goto fold;
  off = hend;
  for (int i = 0; i < 2 && h < hend; i++) {
    u32 t;
    h += (u32)hdr_varint(p + h, &t);
    if (h > hend) break;
    u32 len = record_serial_len(t);
    if (off + len > (u32)n) break;
    const u8 *z = p + off;
    if (t == 0) {
      c[i] = s->null_ok[i] ? KC_ANY : KC_MIXED;
    } else if (t <= 6) {
      u64 x = (z[0] & 0x80) ? ~(u64)0 : 0;
      for (u32 j = 0; j < len; j++) x = (x << 8) | z[j];
      e->img[i] = x ^ ((u64)1 << 63) ^ s->img_xor[i];
      c[i] = KC_INT;
    } else if (t == 8 || t == 9) {
      e->img[i] = (u64)(t - 8) ^ ((u64)1 << 63) ^ s->img_xor[i];
      c[i] = KC_INT;
    } else if (t >= 13 && (t & 1) && s->fast[i]) {
      u64 x = 0;
      for (u32 j = 0; j < 8; j++) x = (x << 8) | (j < len ? z[j] : 0);
      e->img[i] = x ^ s->img_xor[i];
      c[i] = KC_TEXT;
    } else {
      break;
    }
    off += len;
  }
fold:
  for (int i = 0; i < 2; i++) {
    if (c[i] == KC_ANY || c[i] == s->cls[i]) continue;
    s->cls[i] = s->cls[i] == KC_ANY ? (u8)c[i] : KC_MIXED;
  }
}

static int cmp_recs(const Sorter *s, const SEnt *a, const SEnt *b, int from) {
  int na, nb;
  const u8 *pa = ent_rec(a, &na), *pb = ent_rec(b, &nb);
  return record_compare_records_from(s->ki, pa, na, pb, nb, s->enc, from);
}

/* The sort's comparison.  An image decides when the two differ; equal
** integer images other than the NULL one (also the smallest integer's) are
** equal fields; anything else (equal text prefixes, NULL) goes to the
** records.  Valid for records whose images were folded into s->cls. */
static inline int cmp_ent(const Sorter *s, const SEnt *a, const SEnt *b) {
  if (s->cls[0] != KC_MIXED) {
    if (a->img[0] != b->img[0]) return a->img[0] < b->img[0] ? -1 : 1;
    if (s->cls[0] != KC_INT || a->img[0] == s->img_xor[0]) return cmp_recs(s, a, b, 0);
    if (s->n_cmp <= 1) return 0;
    if (s->cls[1] != KC_MIXED) {
      if (a->img[1] != b->img[1]) return a->img[1] < b->img[1] ? -1 : 1;
      if (s->cls[1] == KC_INT && a->img[1] != s->img_xor[1]) return s->n_cmp <= 2 ? 0 : cmp_recs(s, a, b, 2);
    }
    return cmp_recs(s, a, b, 1);
  }
  return cmp_recs(s, a, b, 0);
}

/* a < b?  Branch-free when the first images differ (the usual case). */
static inline int ent_less(const Sorter *s, const SEnt *a, const SEnt *b) {
  if (s->cls[0] != KC_MIXED && a->img[0] != b->img[0]) return a->img[0] < b->img[0];
  return cmp_ent(s, a, b) < 0;
}

/* ------------------------------------------------------------ the chunk */

/* Merge a[lo..mid) and a[mid..hi), both sorted, through tmp (which holds
** the shorter side).  Stable: on ties the left element comes first.  The
** element taken is chosen without a branch: on random keys a branch would
** be mispredicted half the time. */
static void merge_runs(const Sorter *s, SEnt *a, SEnt *tmp, int lo, int mid, int hi) {
  if (mid - lo <= hi - mid) {
    int nl = mid - lo, i = 0, j = mid, k = lo;
    memcpy(tmp, a + lo, sizeof(SEnt) * (size_t)nl);
    while (i < nl && j < hi) {
      int r = ent_less(s, &a[j], &tmp[i]);
      a[k++] = *(r ? &a[j] : &tmp[i]);
      j += r;
      i += 1 - r;
    }
    while (i < nl) a[k++] = tmp[i++];
  } else {
    int nr = hi - mid, i = mid - 1, j = nr - 1, k = hi - 1;
    memcpy(tmp, a + mid, sizeof(SEnt) * (size_t)nr);
    while (j >= 0 && i >= lo) {
      int r = ent_less(s, &tmp[j], &a[i]);
      a[k--] = *(r ? &a[i] : &tmp[j]);
      i -= r;
      j -= 1 - r;
    }
    while (j >= 0) a[k--] = tmp[j--];
  }
}

/* Stable merge sort of the chunk: insertion sort of short runs, then
** bottom-up merges; neighbouring runs already in order are left alone. */
static int chunk_sort(Sorter *s) {
  int n = s->n_ent;
  s->sorted = 1;
  if (n < 2) return SQLITE_OK;
  SEnt *a = s->ents;
  const int W = 8;
  for (int lo = 0; lo < n; lo += W) {
    int hi = lo + W < n ? lo + W : n;
    for (int i = lo + 1; i < hi; i++) {
      SEnt x = a[i];
      int j = i;
      while (j > lo && ent_less(s, &x, &a[j - 1])) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  if (n <= W) return SQLITE_OK;
  if (!s->tmp) {
    s->tmp = sqlite3_malloc64(sizeof(SEnt) * (u64)(CHUNK_N / 2 + 1));
    if (!s->tmp) {
      s->sorted = 0;
      return SQLITE_NOMEM;
    }
  }
  for (int w = W; w < n; w *= 2) {
    for (int lo = 0; lo + w < n; lo += 2 * w) {
      int mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
      if (!ent_less(s, &a[mid], &a[mid - 1])) continue;
      merge_runs(s, a, s->tmp, lo, mid, hi);
    }
  }
  return SQLITE_OK;
}

static void *arena_alloc(Sorter *s, size_t need) {
  if (!s->blocks || s->blocks->size - s->blocks->used < need) {
    SBlock *b;
    if (need <= SORTER_ARENA && s->free_blocks) {
      b = s->free_blocks;
      s->free_blocks = b->next;
    } else {
      size_t bs = need > SORTER_ARENA ? need : SORTER_ARENA;
      b = sqlite3_malloc64(sizeof(SBlock) + bs);
      if (!b) return NULL;
      b->size = bs;
    }
    b->used = 0;
    b->next = s->blocks;
    s->blocks = b;
  }
  void *p = s->blocks->data + s->blocks->used;
  s->blocks->used += need;
  return p;
}

static SRun *run_add(Sorter *s) {
  if (s->n_run == s->a_run) {
    int na = s->a_run ? s->a_run * 2 : 8;
    SRun *r = sqlite3_realloc64(s->runs, sizeof(SRun) * (u64)na);
    if (!r) return NULL;
    s->runs = r;
    s->a_run = na;
  }
  SRun *r = &s->runs[s->n_run++];
  memset(r, 0, sizeof(*r));
  return r;
}

/* The chunk is full: sort it and copy its records, in order, into a new
** memory run; the entries and the arena are then free for the next. */
static int chunk_flush(Sorter *s) {
  SHALE_TRY(chunk_sort(s));
  u8 *buf = sqlite3_malloc64((u64)s->chunk_bytes + 1);
  if (!buf) return SQLITE_NOMEM;
  SRun *r = run_add(s);
  if (!r) {
    sqlite3_free(buf);
    return SQLITE_NOMEM;
  }
  i64 k = 0;
  for (int i = 0; i < s->n_ent; i++) {
    int n;
    size_t sz = (size_t)(ent_rec(&s->ents[i], &n) - s->ents[i].rec) + (size_t)n;
    memcpy(buf + k, s->ents[i].rec, sz);
    k += (i64)sz;
  }
  r->buf = buf;
  r->buf_sz = r->buf_n = (int)k;
  i64 bytes = s->chunk_bytes;
  chunk_clear(s);
  s->mem_used += bytes; /* still in memory, now in the run */
  return SQLITE_OK;
}

/* ------------------------------------------------------------ runs */

/* Make the run's next record its head.  may PENDING (call again). */
static int run_load(Sorter *s, SRun *r) {
  for (;;) {
    if (r->reading) {
      if (!r->io.done) return SHALE_PENDING;
      r->reading = 0;
      if (r->io.rc != SQLITE_OK && r->io.rc != SQLITE_IOERR_SHORT_READ) return r->io.rc;
      r->buf_n += r->read_n;
      r->off += r->read_n;
    }
    /* try to parse a record at buf_pos */
    int avail = r->buf_n - r->buf_pos;
    if (avail > 0) {
      u64 len;
      int hl = 0;
      if (avail >= 9 || r->off >= r->end) {
        u8 tmp[9] = {0};
        memcpy(tmp, r->buf + r->buf_pos, (size_t)(avail < 9 ? avail : 9));
        hl = varint_get(tmp, &len);
        if (hl > avail) hl = 0;
      }
      if (hl && (i64)hl + (i64)len <= avail) {
        r->head.rec = r->buf + r->buf_pos;
        r->buf_pos += hl + (int)len;
        r->cur = 1;
        ent_images(s, r->head.rec + hl, (int)len, &r->head);
        return SQLITE_OK;
      }
      if (r->off >= r->end) return SQLITE_CORRUPT;
    } else if (r->off >= r->end) {
      r->cur = -1;
      return SQLITE_OK;
    }
    /* file run: shift and read more */
    if (r->buf_pos > 0) {
      memmove(r->buf, r->buf + r->buf_pos, (size_t)(r->buf_n - r->buf_pos));
      r->buf_n -= r->buf_pos;
      r->buf_pos = 0;
    }
    if (!r->buf || r->buf_n * 2 > r->buf_sz) {
      /* a record longer than half the buffer: grow it */
      int ns = r->buf_sz ? r->buf_sz * 2 : SORTER_READ;
      u8 *nb = sqlite3_realloc64(r->buf, (u64)ns);
      if (!nb) return SQLITE_NOMEM;
      r->buf = nb;
      r->buf_sz = ns;
    }
    i64 left = r->end - r->off;
    r->read_n = (int)(left < r->buf_sz - r->buf_n ? left : r->buf_sz - r->buf_n);
    shale_io_init(&r->io);
    r->reading = 1;
    int rc = s->file->methods->read(s->file, r->buf + r->buf_n, r->read_n, r->off, &r->io);
    if (rc == SHALE_PENDING) return SHALE_PENDING;
    if (!r->io.done) {
      r->io.done = 1;
      r->io.rc = rc;
    }
  }
}

/* ------------------------------------------------------------ the heap */

static inline const SEnt *src_head(const Sorter *s, int src) {
  return src < s->n_run ? &s->runs[src].head : &s->ents[s->pos];
}

/* Heap order: smaller record first; on a tie the earlier source. */
static int src_less(const Sorter *s, int x, int y) {
  int c = cmp_ent(s, src_head(s, x), src_head(s, y));
  return c < 0 || (c == 0 && x < y);
}

static void heap_down(Sorter *s, int i) {
  int n = s->n_heap;
  for (;;) {
    int l = 2 * i + 1, m = i;
    if (l < n && src_less(s, s->heap[l], s->heap[m])) m = l;
    if (l + 1 < n && src_less(s, s->heap[l + 1], s->heap[m])) m = l + 1;
    if (m == i) return;
    int t = s->heap[i];
    s->heap[i] = s->heap[m];
    s->heap[m] = t;
    i = m;
  }
}

/* A heap of the runs from `first` on whose head is loaded and of the chunk
** (sorted here). */
static int heap_build(Sorter *s, int first) {
  if (!s->sorted) SHALE_TRY(chunk_sort(s));
  int need = s->n_run + 1;
  if (need > s->a_heap) {
    int *h = sqlite3_realloc64(s->heap, sizeof(int) * (u64)need);
    if (!h) return SQLITE_NOMEM;
    s->heap = h;
    s->a_heap = need;
  }
  s->n_heap = 0;
  for (int i = first; i < s->n_run; i++)
    if (s->runs[i].cur > 0) s->heap[s->n_heap++] = i;
  s->pos = 0;
  if (s->n_ent > 0) s->heap[s->n_heap++] = s->n_run;
  for (int i = s->n_heap / 2 - 1; i >= 0; i--) heap_down(s, i);
  return SQLITE_OK;
}

/* Advance the heap's first source (a memory source, or a file run whose
** next record is ready); may PENDING with nothing changed. */
static int heap_advance(Sorter *s) {
  int src = s->heap[0], more;
  if (src == s->n_run) {
    more = ++s->pos < s->n_ent;
#if defined(__GNUC__) || defined(__clang__)
    /* the chunk's records are read in sorted order, all over the arena */
    if (s->pos + 8 < s->n_ent) __builtin_prefetch(s->ents[s->pos + 8].rec);
#endif
  } else {
    SHALE_TRY(run_load(s, &s->runs[src]));
    more = s->runs[src].cur > 0;
  }
  if (!more) s->heap[0] = s->heap[--s->n_heap];
  if (s->n_heap > 1) heap_down(s, 0);
  return SQLITE_OK;
}

/* ------------------------------------------------------------ spilling */

/* Finish (or continue) writing the file run. */
static int spill_finish(Sorter *s) {
  if (!s->wio.done) return SHALE_PENDING;
  int rc = s->wio.rc;
  s->writing = 0;
  sqlite3_free(s->wbuf);
  s->wbuf = NULL;
  if (rc != SQLITE_OK) return rc;
  SRun *r = run_add(s);
  if (!r) return SQLITE_NOMEM;
  r->in_file = 1;
  r->start = s->file_end;
  r->end = s->file_end + s->wbuf_n;
  r->off = r->start;
  s->file_end = r->end;
  return SQLITE_OK;
}

/* Merge the memory runs and the chunk into one file run and write it.  The
** memory runs are the last runs (everything before them is in the file). */
static int spill(Sorter *s) {
  if (s->writing) return spill_finish(s);
  int rc;
  if (!s->file) {
    int out_flags = 0;
    rc = s->vfs->open(s->vfs, NULL,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE |
                          SQLITE_OPEN_DELETEONCLOSE | SQLITE_OPEN_TEMP_JOURNAL,
                      &s->file, &out_flags);
    if (rc) return rc;
  }
  int first_mem = s->n_run;
  while (first_mem > 0 && !s->runs[first_mem - 1].in_file) first_mem--;
  i64 total = s->chunk_bytes;
  for (int i = first_mem; i < s->n_run; i++) {
    SRun *r = &s->runs[i];
    total += r->buf_n;
    r->buf_pos = 0;
    SHALE_TRY(run_load(s, r)); /* in memory: no I/O */
  }
  s->wbuf = sqlite3_malloc64((u64)total + 1);
  if (!s->wbuf) return SQLITE_NOMEM;
  SHALE_TRY(heap_build(s, first_mem));
  i64 k = 0;
  while (s->n_heap > 0) {
    const SEnt *e = src_head(s, s->heap[0]);
    int n;
    size_t sz = (size_t)(ent_rec(e, &n) - e->rec) + (size_t)n;
    memcpy(s->wbuf + k, e->rec, sz);
    k += (i64)sz;
    SHALE_TRY(heap_advance(s));
  }
  for (int i = first_mem; i < s->n_run; i++) sqlite3_free(s->runs[i].buf);
  s->n_run = first_mem;
  chunk_clear(s);
  s->mem_used = 0;
  s->wbuf_n = total;
  shale_io_init(&s->wio);
  s->writing = 1;
  rc = s->file->methods->write(s->file, s->wbuf, (int)total, s->file_end, &s->wio);
  if (rc == SHALE_PENDING) return SHALE_PENDING;
  if (rc != SQLITE_OK && !s->wio.done) {
    s->writing = 0;
    sqlite3_free(s->wbuf);
    s->wbuf = NULL;
    return rc;
  }
  s->wio.done = 1;
  s->wio.rc = rc;
  return spill_finish(s);
}

/* ------------------------------------------------------------ the API */

int sorter_insert(Sorter *s, const void *rec, int n) {
  int rc;
  if (s->writing) SHALE_TRY(spill_finish(s));
  i64 cost = (i64)n + varint_len((u64)n); /* counted as SQLite does: the record */
  if (s->mem_used > 0 && s->mem_used + cost > s->mem_limit) SHALE_TRY(spill(s));
  if (s->n_ent == s->cap_ent) {
    if (s->cap_ent < CHUNK_N) {
      /* the first chunk grows while the sort is small */
      int nc = s->cap_ent ? (s->cap_ent * 4 < CHUNK_N ? s->cap_ent * 4 : CHUNK_N) : CHUNK_FIRST;
      SEnt *e = sqlite3_realloc64(s->ents, sizeof(SEnt) * (u64)nc);
      if (!e) return SQLITE_NOMEM;
      s->ents = e;
      s->cap_ent = nc;
    } else {
      rc = chunk_flush(s);
      if (rc) return rc;
    }
  }
  u8 *p = arena_alloc(s, (size_t)cost);
  if (!p) return SQLITE_NOMEM;
  int vl = varint_put(p, (u64)n);
  memcpy(p + vl, rec, (size_t)n);
  SEnt *e = &s->ents[s->n_ent++];
  e->rec = p;
  ent_images(s, (const u8 *)rec, n, e);
  s->chunk_bytes += cost;
  s->mem_used += cost;
  return SQLITE_OK;
}

int sorter_sort(Sorter *s, int *empty) {
  int rc;
  if (s->writing) SHALE_TRY(spill_finish(s));
  /* load every run's first record (file runs may PENDING; memory runs and
  ** runs already loaded are not touched again) */
  for (int i = 0; i < s->n_run; i++) {
    SRun *r = &s->runs[i];
    if (r->cur == 0 || r->reading) {
      rc = run_load(s, r);
      if (rc) return rc;
    }
  }
  SHALE_TRY(heap_build(s, 0));
  s->sorted_all = 1;
  *empty = s->n_heap == 0;
  return SQLITE_OK;
}

int sorter_next(Sorter *s) {
  if (!s->sorted_all || s->n_heap == 0) return SQLITE_DONE;
  SHALE_TRY(heap_advance(s));
  return s->n_heap ? SQLITE_OK : SQLITE_DONE;
}

const void *sorter_data(Sorter *s, int *n) {
  if (!s->sorted_all || s->n_heap == 0) {
    *n = 0;
    return NULL;
  }
  return ent_rec(src_head(s, s->heap[0]), n);
}
