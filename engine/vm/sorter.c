/*
** sorter.c — external merge sort for OP_Sorter*.
**
** In memory: each record is copied into an arena as (varint length, record
** bytes), nothing else.  What is sorted are small entries: the record's
** address and order-preserving 64-bit images of its first two key fields
** (an integer with the sign bit flipped, or the first 8 bytes of a BINARY
** text; NULL is 0).  While every record agrees on the kind of a field, most
** comparisons are decided by the images alone and never touch the records;
** the rest compares the records field by field from the first undecided
** field.
**
** Entries are kept in chunks of at most CHUNK_N (the first one grows from
** small); a full chunk is sorted at once, while it is still in the cache
** (stable merge sort, half a chunk of scratch, runs already in order left
** alone).  Nothing is ever reallocated and copied as the sort grows.
**
** Past mem_limit bytes the chunks are merged into a run written to an
** anonymous temp file (the same varint length + record, one after the
** other).  sorter_sort() then merges the runs and the chunks still in memory
** through a binary heap (ties go to the earlier source: the sort is stable).
** All I/O is submitted through the VFS; a PENDING write or read keeps its
** progress in the Sorter and the call is simply repeated.
*/
#include "sorter.h"
#include "record.h"
#include "vdbe.h"

#define SORTER_READ 16384   /* initial read buffer of a run */
#define SORTER_ARENA 65536  /* arena block size */
#define CHUNK_N 16384        /* entries per chunk (192 KiB: sorted in L2) */
#define CHUNK_FIRST 64      /* the first chunk starts this small */

/* Cached key field kinds (heap merges that involve spilled runs). */
#define KT_SLOW 0 /* compare through the records */
#define KT_INT 1  /* k = the integer */
#define KT_TEXT 2 /* BINARY text: k = offset << 32 | length */

typedef struct SKey {
  i64 k[2];
  u8 t[2];
} SKey;

/* Field classes of the in-memory entries' images. */
#define KC_ANY 0   /* no record seen with a typed value yet (all NULL) */
#define KC_INT 1   /* integers; image = value ^ sign bit (NULL: 0) */
#define KC_TEXT 2  /* BINARY text; image = first 8 bytes (NULL: 0) */
#define KC_MIXED 3 /* anything else, or classes differ: images unused */

/* What is sorted.  rec points at the varint length before the record. */
typedef struct SEnt {
  u64 img[2];
  const u8 *rec;
} SEnt;

/* Entries in insertion order, sorted once full (or at sorter_sort). */
typedef struct SChunk {
  SEnt *ents;
  int n, cap;
  int sorted;
  int pos;      /* output position */
  int key_pos;  /* key is the key cache of ents[key_pos] (-1: none) */
  SKey key;
} SChunk;

typedef struct SRun {
  i64 start, end;   /* byte range in the file */
  i64 off;          /* next file offset to read */
  u8 *buf;          /* read buffer */
  int buf_sz;
  int buf_n;        /* valid bytes */
  int buf_pos;      /* parse position */
  int cur_n;        /* current record (at cur_off in buf); -1 eof, -2 not loaded */
  int cur_off;
  int reading;      /* a read is outstanding into buf+buf_n */
  int read_n;
  SKey key;         /* key cache of the current record */
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
  u8 flip[2];       /* key field i is DESC */
  u64 img_xor[2];   /* ~0 for a DESC field: images compare ascending */
  u8 null_ok[2];    /* NULL sorts first in field i (its image 0 is right) */
  /* in-memory records */
  SBlock *blocks;   /* arena in use */
  SBlock *spare;    /* emptied blocks, reused */
  SChunk *chunks;   /* chunks[0..n_chunk) in use; up to a_chunk keep their arrays */
  int n_chunk, a_chunk;
  SEnt *tmp;        /* merge scratch: CHUNK_N / 2 entries */
  int n_rec;        /* entries in memory */
  u8 cls[2];        /* KC_* of fields 0 and 1 over the records in memory */
  i64 mem_used;
  /* spill */
  ShaleFile *file;
  i64 file_end;
  SRun *runs;
  int n_run;
  u8 *wbuf;         /* run being written */
  i64 wbuf_n;
  int writing;
  ShaleIo wio;
  /* output: a heap of sources (0..n_run: runs, then the chunks) */
  int started, sorted;
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
    s->flip[i] = (sf & KEYINFO_ORDER_DESC) != 0;
    s->img_xor[i] = s->flip[i] ? ~(u64)0 : 0;
    s->null_ok[i] = !(sf & KEYINFO_ORDER_BIGNULL);
  }
  cls_reset(s);
  return s;
}

static void free_blocks(SBlock *b) {
  while (b) {
    SBlock *n = b->next;
    sqlite3_free(b);
    b = n;
  }
}

/* Forget the in-memory records; keep one arena block and the chunk arrays
** for reuse. */
static void clear_recs(Sorter *s) {
  while (s->blocks) {
    SBlock *b = s->blocks;
    s->blocks = b->next;
    if (!s->spare && b->size == SORTER_ARENA) {
      b->next = NULL;
      s->spare = b;
    } else {
      sqlite3_free(b);
    }
  }
  for (int i = 0; i < s->n_chunk; i++) s->chunks[i].n = 0;
  s->n_chunk = 0;
  s->n_rec = 0;
  s->mem_used = 0;
  cls_reset(s);
}

void sorter_reset(Sorter *s) {
  if (!s) return;
  clear_recs(s);
  for (int i = 0; i < s->n_run; i++) sqlite3_free(s->runs[i].buf);
  sqlite3_free(s->runs);
  s->runs = NULL;
  s->n_run = 0;
  sqlite3_free(s->wbuf);
  s->wbuf = NULL;
  s->writing = 0;
  if (s->file) s->file->methods->close(s->file);
  s->file = NULL;
  s->file_end = 0;
  s->started = 0;
  s->sorted = 0;
  s->n_heap = 0;
}

void sorter_free(Sorter *s) {
  if (!s) return;
  sorter_reset(s);
  free_blocks(s->spare);
  for (int i = 0; i < s->a_chunk; i++) sqlite3_free(s->chunks[i].ents);
  sqlite3_free(s->chunks);
  sqlite3_free(s->tmp);
  sqlite3_free(s->heap);
  keyinfo_unref(s->ki);
  sqlite3_free(s);
}

int sorter_n_runs(Sorter *s) { return s ? s->n_run : 0; }

/* A varint inside a record header (one byte almost always). */
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

/* Fill the key cache from the record header (anything unusual: KT_SLOW). */
static void key_make(const Sorter *s, const u8 *p, int n, SKey *k) {
  k->t[0] = k->t[1] = KT_SLOW;
  if (n < 2 || p[0] >= 0x80 || p[0] > n) return;
  u32 hend = p[0], off = hend, h = 1;
  for (int i = 0; i < 2 && h < hend; i++) {
    u32 t;
    h += (u32)hdr_varint(p + h, &t);
    if (h > hend) return;
    u32 len = record_serial_len(t);
    if (off + len > (u32)n) return;
    if (t >= 1 && t <= 6) {
      u64 x = (p[off] & 0x80) ? ~(u64)0 : 0;
      for (u32 j = 0; j < len; j++) x = (x << 8) | p[off + j];
      k->k[i] = (i64)x;
      k->t[i] = KT_INT;
    } else if (t == 8 || t == 9) {
      k->k[i] = (i64)t - 8;
      k->t[i] = KT_INT;
    } else if (t >= 13 && (t & 1) && s->fast[i]) {
      k->k[i] = ((i64)off << 32) | (i64)len;
      k->t[i] = KT_TEXT;
    } else {
      return;
    }
    off += len;
  }
}

/* Compare two records with their key caches, fields before `from` being
** known equal: <0, 0, >0. */
static int cmp_keyed(const Sorter *s, const SKey *ka, const u8 *pa, int na, const SKey *kb, const u8 *pb,
                     int nb, int from) {
  int i = from;
  for (; i < 2 && i < s->n_cmp; i++) {
    u8 t = ka->t[i];
    if (t == KT_SLOW || t != kb->t[i]) break;
    int c;
    if (t == KT_INT) {
      c = ka->k[i] < kb->k[i] ? -1 : ka->k[i] > kb->k[i];
    } else {
      u32 la = (u32)ka->k[i], lb = (u32)kb->k[i];
      u32 m = la < lb ? la : lb;
      c = m ? memcmp(pa + (ka->k[i] >> 32), pb + (kb->k[i] >> 32), m) : 0;
      if (!c) c = la < lb ? -1 : la > lb;
    }
    if (c) return s->flip[i] ? -c : c;
  }
  if (i >= s->n_cmp) return 0;
  return record_compare_records_from(s->ki, pa, na, pb, nb, s->enc, i);
}

/* The images of a record's first two fields; folds their classes into
** s->cls (a record that disagrees makes the field KC_MIXED). */
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

/* The sort's comparison.  An image decides when the two differ (DESC
** images are stored complemented); equal integer images other than the
** NULL one (also the smallest integer's) are equal fields; anything else
** (equal text prefixes, NULL) goes to the records.  cls[] is KC_MIXED for a
** field the images cannot decide. */
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

/* ------------------------------------------------------------ in memory */

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

/* Stable merge sort of a chunk: insertion sort of short runs, then
** bottom-up merges; neighbouring runs already in order are left alone. */
static int sort_chunk(Sorter *s, SChunk *c) {
  int n = c->n;
  c->sorted = 1;
  if (n < 2) return SQLITE_OK;
  SEnt *a = c->ents;
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
    if (!s->tmp) return SQLITE_NOMEM;
  }
  for (int w = W; w < n; w *= 2) {
    for (int lo = 0; lo + w < n; lo += 2 * w) {
      int mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
      if (cmp_ent(s, &a[mid - 1], &a[mid]) <= 0) continue;
      merge_runs(s, a, s->tmp, lo, mid, hi);
    }
  }
  return SQLITE_OK;
}

static void *arena_alloc(Sorter *s, size_t need) {
  if (!s->blocks || s->blocks->size - s->blocks->used < need) {
    SBlock *b;
    if (need <= SORTER_ARENA && s->spare) {
      b = s->spare;
      s->spare = NULL;
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

/* The chunk the next entry goes to (a full one is sorted first). */
static SChunk *chunk_for_insert(Sorter *s) {
  SChunk *c = s->n_chunk ? &s->chunks[s->n_chunk - 1] : NULL;
  if (c && c->n < c->cap) return c;
  if (c && c->cap < CHUNK_N && s->n_chunk == 1) {
    /* the first chunk grows while the sort is small */
    int nc = c->cap * 4 < CHUNK_N ? c->cap * 4 : CHUNK_N;
    SEnt *e = sqlite3_realloc64(c->ents, sizeof(SEnt) * (u64)nc);
    if (!e) return NULL;
    c->ents = e;
    c->cap = nc;
    return c;
  }
  if (c && sort_chunk(s, c)) return NULL;
  if (s->n_chunk == s->a_chunk) {
    int na = s->a_chunk ? s->a_chunk * 2 : 4;
    SChunk *nc = sqlite3_realloc64(s->chunks, sizeof(SChunk) * (u64)na);
    if (!nc) return NULL;
    memset(nc + s->a_chunk, 0, sizeof(SChunk) * (size_t)(na - s->a_chunk));
    s->chunks = nc;
    s->a_chunk = na;
  }
  c = &s->chunks[s->n_chunk];
  int want = s->n_chunk == 0 ? CHUNK_FIRST : CHUNK_N;
  if (c->cap < want) {
    sqlite3_free(c->ents);
    c->ents = sqlite3_malloc64(sizeof(SEnt) * (u64)want);
    c->cap = c->ents ? want : 0;
    if (!c->ents) return NULL;
  }
  c->n = 0;
  c->sorted = 0;
  s->n_chunk++;
  return c;
}

/* ------------------------------------------------------------ sources */

/* Heap sources: 0..n_run-1 are the runs, n_run + i is chunk i. */

/* Current record of source src (with its key cache when key != NULL). */
static const u8 *src_rec(Sorter *s, int src, int *n, const SKey **key) {
  if (src >= s->n_run) {
    SChunk *c = &s->chunks[src - s->n_run];
    const u8 *p = ent_rec(&c->ents[c->pos], n);
    if (key) {
      if (c->key_pos != c->pos) {
        key_make(s, p, *n, &c->key);
        c->key_pos = c->pos;
      }
      *key = &c->key;
    }
    return p;
  }
  const SRun *r = &s->runs[src];
  *n = r->cur_n;
  if (key) *key = &r->key;
  return r->buf + r->cur_off;
}

/* Heap order: smaller record first; on a tie the earlier source. */
static int src_less(Sorter *s, int x, int y) {
  int c;
  if (x >= s->n_run && y >= s->n_run) {
    const SChunk *a = &s->chunks[x - s->n_run], *b = &s->chunks[y - s->n_run];
    c = cmp_ent(s, &a->ents[a->pos], &b->ents[b->pos]);
  } else {
    int nx, ny;
    const SKey *kx, *ky;
    const u8 *px = src_rec(s, x, &nx, &kx), *py = src_rec(s, y, &ny, &ky);
    c = cmp_keyed(s, kx, px, nx, ky, py, ny, 0);
  }
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

static int heap_reserve(Sorter *s, int n) {
  if (n <= s->a_heap) return SQLITE_OK;
  int *h = sqlite3_realloc64(s->heap, sizeof(int) * (u64)n);
  if (!h) return SQLITE_NOMEM;
  s->heap = h;
  s->a_heap = n;
  return SQLITE_OK;
}

/* Sort the last chunk and put every chunk on the heap (after whatever is
** there already). */
static int heap_add_chunks(Sorter *s) {
  if (s->n_chunk && !s->chunks[s->n_chunk - 1].sorted) SHALE_TRY(sort_chunk(s, &s->chunks[s->n_chunk - 1]));
  SHALE_TRY(heap_reserve(s, s->n_run + s->n_chunk));
  for (int i = 0; i < s->n_chunk; i++) {
    SChunk *c = &s->chunks[i];
    c->pos = 0;
    c->key_pos = -1;
    if (c->n > 0) s->heap[s->n_heap++] = s->n_run + i;
  }
  return SQLITE_OK;
}

/* Advance a chunk source; 0 when it is exhausted. */
static int chunk_advance(Sorter *s, int src) {
  SChunk *c = &s->chunks[src - s->n_run];
  c->pos++;
#if defined(__GNUC__) || defined(__clang__)
  /* records are read in sorted order, i.e. all over the arena */
  if (c->pos + 8 < c->n) __builtin_prefetch(c->ents[c->pos + 8].rec);
#endif
  return c->pos < c->n;
}

/* ------------------------------------------------------------ spilling */

/* Finish (or continue) writing the current run. */
static int spill_finish(Sorter *s) {
  if (!s->wio.done) return SHALE_PENDING;
  int rc = s->wio.rc;
  s->writing = 0;
  sqlite3_free(s->wbuf);
  s->wbuf = NULL;
  if (rc != SQLITE_OK) return rc;
  SRun *r = &s->runs[s->n_run++];
  memset(r, 0, sizeof(*r));
  r->start = s->file_end;
  r->end = s->file_end + s->wbuf_n;
  r->off = r->start;
  r->cur_n = -2;
  s->file_end = r->end;
  clear_recs(s);
  return SQLITE_OK;
}

/* Merge the chunks into one run and write it. */
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
  i64 total = 0;
  for (int j = 0; j < s->n_chunk; j++) {
    const SChunk *c = &s->chunks[j];
    for (int i = 0; i < c->n; i++) {
      int n;
      total += ent_rec(&c->ents[i], &n) - c->ents[i].rec + n;
    }
  }
  SRun *nr = sqlite3_realloc64(s->runs, sizeof(SRun) * (u64)(s->n_run + 1));
  if (!nr) return SQLITE_NOMEM;
  s->runs = nr;
  s->n_heap = 0;
  SHALE_TRY(heap_add_chunks(s));
  s->wbuf = sqlite3_malloc64((u64)total + 1);
  if (!s->wbuf) return SQLITE_NOMEM;
  for (int i = s->n_heap / 2 - 1; i >= 0; i--) heap_down(s, i);
  i64 k = 0;
  while (s->n_heap > 0) {
    /* the arena already holds the run format: varint length, record */
    int src = s->heap[0], n;
    const SEnt *e = &s->chunks[src - s->n_run].ents[s->chunks[src - s->n_run].pos];
    size_t sz = (size_t)(ent_rec(e, &n) - e->rec) + (size_t)n;
    memcpy(s->wbuf + k, e->rec, sz);
    k += (i64)sz;
    if (!chunk_advance(s, src)) s->heap[0] = s->heap[--s->n_heap];
    if (s->n_heap > 1) heap_down(s, 0);
  }
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

int sorter_insert(Sorter *s, const void *rec, int n) {
  if (s->writing) {
    int rc = spill_finish(s);
    if (rc) return rc;
  }
  i64 cost = (i64)n + varint_len((u64)n); /* counted as SQLite does: the record */
  if (s->n_rec > 0 && s->mem_used + cost > s->mem_limit) {
    int rc = spill(s);
    if (rc) return rc;
  }
  SChunk *c = chunk_for_insert(s);
  if (!c) return SQLITE_NOMEM;
  int vl = varint_len((u64)n);
  u8 *p = arena_alloc(s, (size_t)vl + (size_t)n);
  if (!p) return SQLITE_NOMEM;
  varint_put(p, (u64)n);
  memcpy(p + vl, rec, (size_t)n);
  SEnt *e = &c->ents[c->n++];
  e->rec = p;
  ent_images(s, (const u8 *)rec, n, e);
  s->n_rec++;
  s->mem_used += cost;
  return SQLITE_OK;
}

/* ------------------------------------------------------------ merging */

/* Make the run's next record current.  may PENDING (call again). */
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
        r->cur_off = r->buf_pos + hl;
        r->cur_n = (int)len;
        r->buf_pos += hl + (int)len;
        key_make(s, r->buf + r->cur_off, r->cur_n, &r->key);
        return SQLITE_OK;
      }
      if (r->off >= r->end) return SQLITE_CORRUPT;
    } else if (r->off >= r->end) {
      r->cur_n = -1;
      return SQLITE_OK;
    }
    /* shift and read more */
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

int sorter_sort(Sorter *s, int *empty) {
  int rc;
  if (s->writing) {
    rc = spill_finish(s);
    if (rc) return rc;
  }
  if (!s->started) {
    if (s->n_chunk && !s->chunks[s->n_chunk - 1].sorted) {
      rc = sort_chunk(s, &s->chunks[s->n_chunk - 1]);
      if (rc) return rc;
    }
    s->started = 1;
  }
  for (int i = 0; i < s->n_run; i++) {
    if (s->runs[i].cur_n == -2 || s->runs[i].reading) {
      rc = run_load(s, &s->runs[i]);
      if (rc) return rc;
    }
  }
  s->n_heap = 0;
  SHALE_TRY(heap_reserve(s, s->n_run + s->n_chunk));
  for (int i = 0; i < s->n_run; i++)
    if (s->runs[i].cur_n >= 0) s->heap[s->n_heap++] = i;
  SHALE_TRY(heap_add_chunks(s));
  for (int i = s->n_heap / 2 - 1; i >= 0; i--) heap_down(s, i);
  s->sorted = 1;
  *empty = s->n_heap == 0;
  return SQLITE_OK;
}

int sorter_next(Sorter *s) {
  if (!s->sorted || s->n_heap == 0) return SQLITE_DONE;
  int src = s->heap[0], more;
  if (src >= s->n_run) {
    more = chunk_advance(s, src);
  } else {
    /* may PENDING: the heap is unchanged and the call is repeated */
    int rc = run_load(s, &s->runs[src]);
    if (rc) return rc;
    more = s->runs[src].cur_n >= 0;
  }
  if (!more) s->heap[0] = s->heap[--s->n_heap];
  if (s->n_heap > 1) heap_down(s, 0);
  return s->n_heap ? SQLITE_OK : SQLITE_DONE;
}

const void *sorter_data(Sorter *s, int *n) {
  if (!s->sorted || s->n_heap == 0) {
    *n = 0;
    return NULL;
  }
  return src_rec(s, s->heap[0], n, NULL);
}
