/*
** sorter.c — external merge sort for OP_Sorter*.  In-memory records are
** sorted with a merge sort under the KeyInfo; past mem_limit bytes a sorted
** run is written to an anonymous temp file (varint length + record, one
** after the other); sorter_sort() then k-way merges the runs (plus what is
** still in memory).  All I/O is submitted through the VFS; a PENDING write
** or read keeps its progress here and the call is simply repeated.
*/
#include "sorter.h"
#include "record.h"
#include "vdbe.h"

#define SORTER_BLOCK 65536

typedef struct SRec {
  u8 *p;
  int n;
  u8 kt;  /* first key field: 0 other (full compare), 1 integer, 2 binary text */
  i64 k;  /* integer value, or (offset << 32 | length) of the text */
} SRec;

typedef struct SRun {
  i64 start, end;   /* byte range in the file */
  i64 off;          /* next file offset to read */
  u8 *buf;          /* read buffer */
  int buf_sz;
  int buf_n;        /* valid bytes */
  int buf_pos;      /* parse position */
  int cur_n;        /* current record (at cur_off in buf), -1 = eof */
  int cur_off;
  int reading;      /* a read is outstanding into buf+buf_n */
  int read_n;
  ShaleIo io;
} SRun;

typedef struct SBlock {
  struct SBlock *next;
  size_t used, size;
  u8 data[];
} SBlock;

struct Sorter {
  SBlock *blocks;   /* arena for in-memory records */
  ShaleVfs *vfs;
  KeyInfo *ki;
  u8 enc;
  i64 mem_limit;
  /* in-memory records */
  SRec *recs;
  int n_rec, n_alloc;
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
  /* output */
  int sorted;
  int mem_pos;      /* next in-memory record (in merge: the memory source) */
  int cur_src;      /* -1 memory, else run index; -2 none */
  const u8 *cur;
  int cur_n;
  int advance_src;  /* source to advance before choosing (-3 none) */
  int started;
};

Sorter *sorter_new(ShaleVfs *vfs, KeyInfo *ki, u8 enc, i64 mem_limit) {
  Sorter *s = shale_malloc_zero(sizeof(Sorter));
  if (!s) return NULL;
  s->vfs = vfs;
  s->ki = keyinfo_ref(ki);
  s->enc = enc ? enc : SQLITE_UTF8;
  s->mem_limit = mem_limit > 0 ? mem_limit : 8 * 1024 * 1024;
  s->advance_src = -3;
  s->cur_src = -2;
  return s;
}

static void free_recs(Sorter *s) {
  while (s->blocks) {
    SBlock *b = s->blocks;
    s->blocks = b->next;
    sqlite3_free(b);
  }
  s->n_rec = 0;
  s->mem_used = 0;
}

void sorter_reset(Sorter *s) {
  if (!s) return;
  free_recs(s);
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
  s->sorted = 0;
  s->mem_pos = 0;
  s->cur_src = -2;
  s->cur = NULL;
  s->advance_src = -3;
  s->started = 0;
}

void sorter_free(Sorter *s) {
  if (!s) return;
  sorter_reset(s);
  sqlite3_free(s->recs);
  keyinfo_unref(s->ki);
  sqlite3_free(s);
}

int sorter_n_runs(Sorter *s) { return s ? s->n_run : 0; }

static int cmp(Sorter *s, const u8 *a, int na, const u8 *b, int nb) {
  return record_compare_records(s->ki, a, na, b, nb, s->enc);
}

/* Describe the first key field of a record for the fast comparison. */
static void first_key(Sorter *s, SRec *r) {
  r->kt = 0;
  const u8 *p = r->p;
  int n = r->n;
  if (n < 2 || p[0] >= 0x80 || p[0] < 2 || p[1] >= 0x80 || p[0] > n) return;
  u32 t = p[1];
  u32 off = p[0];
  if (t >= 1 && t <= 6) {
    u32 len = record_serial_len(t);
    if (off + len > (u32)n) return;
    u64 x = (p[off] & 0x80) ? ~(u64)0 : 0;
    for (u32 k = 0; k < len; k++) x = (x << 8) | p[off + k];
    r->k = (i64)x;
    r->kt = 1;
  } else if (t == 8 || t == 9) {
    r->k = (i64)t - 8;
    r->kt = 1;
  } else if (t >= 13 && (t & 1) &&
             (!s->ki || !s->ki->coll || !s->ki->coll[0] || !s->ki->coll[0]->x_cmp ||
              (s->ki->coll[0]->name && shale_stricmp(s->ki->coll[0]->name, "BINARY") == 0))) {
    u32 len = (t - 13) / 2;
    if (off + len > (u32)n) return;
    r->k = ((i64)off << 32) | (i64)len;
    r->kt = 2;
  }
}

static int cmp_rec(Sorter *s, const SRec *a, const SRec *b) {
  if (a->kt && a->kt == b->kt) {
    int c;
    if (a->kt == 1) {
      c = a->k < b->k ? -1 : a->k > b->k;
    } else {
      u32 la = (u32)(a->k & 0xffffffff), lb = (u32)(b->k & 0xffffffff);
      u32 m = la < lb ? la : lb;
      c = m ? memcmp(a->p + (a->k >> 32), b->p + (b->k >> 32), m) : 0;
      if (!c) c = la < lb ? -1 : la > lb;
    }
    if (c) {
      if (s->ki && s->ki->sort_flags && (s->ki->sort_flags[0] & KEYINFO_ORDER_DESC)) c = -c;
      return c;
    }
  }
  return cmp(s, a->p, a->n, b->p, b->n);
}

/* Stable merge sort of s->recs. */
static int sort_mem(Sorter *s) {
  int n = s->n_rec;
  if (n < 2) return SQLITE_OK;
  SRec *tmp = sqlite3_malloc64(sizeof(SRec) * (u64)n);
  if (!tmp) return SQLITE_NOMEM;
  SRec *a = s->recs, *b = tmp;
  for (int w = 1; w < n; w *= 2) {
    for (int lo = 0; lo < n; lo += 2 * w) {
      int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (cmp_rec(s, &a[j], &a[i]) < 0) b[k++] = a[j++];
        else b[k++] = a[i++];
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    SRec *t = a;
    a = b;
    b = t;
  }
  if (a != s->recs) {
    memcpy(s->recs, a, sizeof(SRec) * (u64)n);
  }
  sqlite3_free(tmp);
  return SQLITE_OK;
}

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
  r->cur_n = -1;
  s->file_end = r->end;
  free_recs(s);
  return SQLITE_OK;
}

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
  rc = sort_mem(s);
  if (rc) return rc;
  i64 total = 0;
  for (int i = 0; i < s->n_rec; i++) total += varint_len((u64)s->recs[i].n) + s->recs[i].n;
  s->wbuf = sqlite3_malloc64((u64)total + 1);
  if (!s->wbuf) return SQLITE_NOMEM;
  i64 k = 0;
  for (int i = 0; i < s->n_rec; i++) {
    k += varint_put(s->wbuf + k, (u64)s->recs[i].n);
    memcpy(s->wbuf + k, s->recs[i].p, (size_t)s->recs[i].n);
    k += s->recs[i].n;
  }
  s->wbuf_n = total;
  SRun *nr = sqlite3_realloc64(s->runs, sizeof(SRun) * (u64)(s->n_run + 1));
  if (!nr) return SQLITE_NOMEM;
  s->runs = nr;
  shale_io_init(&s->wio);
  s->writing = 1;
  rc = s->file->methods->write(s->file, s->wbuf, (int)total, s->file_end, &s->wio);
  if (rc == SHALE_PENDING) return SHALE_PENDING;
  if (rc != SQLITE_OK && !s->wio.done) {
    s->writing = 0;
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
  if (s->n_rec > 0 && s->mem_used + n > s->mem_limit) {
    int rc = spill(s);
    if (rc) return rc;
  }
  if (s->n_rec >= s->n_alloc) {
    int na = s->n_alloc ? s->n_alloc * 2 : 64;
    SRec *r = sqlite3_realloc64(s->recs, sizeof(SRec) * (u64)na);
    if (!r) return SQLITE_NOMEM;
    s->recs = r;
    s->n_alloc = na;
  }
  size_t need = ((size_t)n + 7) & ~(size_t)7;
  if (!s->blocks || s->blocks->size - s->blocks->used < need) {
    size_t bs = need > 65536 ? need : 65536;
    SBlock *b = sqlite3_malloc64(sizeof(SBlock) + bs);
    if (!b) return SQLITE_NOMEM;
    b->next = s->blocks;
    b->used = 0;
    b->size = bs;
    s->blocks = b;
  }
  u8 *p = s->blocks->data + s->blocks->used;
  s->blocks->used += need;
  memcpy(p, rec, (size_t)n);
  s->recs[s->n_rec].p = p;
  s->recs[s->n_rec].n = n;
  first_key(s, &s->recs[s->n_rec]);
  s->n_rec++;
  s->mem_used += n + 32;
  return SQLITE_OK;
}

/* Make the run's current record available.  may PENDING. */
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
    int need = SORTER_BLOCK;
    if (r->buf_n + need > r->buf_sz || !r->buf) {
      int ns = r->buf_sz ? r->buf_sz * 2 : SORTER_BLOCK * 2;
      while (ns < r->buf_n + need) ns *= 2;
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

static void choose(Sorter *s) {
  const u8 *best = NULL;
  int bn = 0, bsrc = -2;
  if (s->mem_pos < s->n_rec) {
    best = s->recs[s->mem_pos].p;
    bn = s->recs[s->mem_pos].n;
    bsrc = -1;
  }
  for (int i = 0; i < s->n_run; i++) {
    SRun *r = &s->runs[i];
    if (r->cur_n < 0) continue;
    const u8 *p = r->buf + r->cur_off;
    if (!best || cmp(s, p, r->cur_n, best, bn) < 0) {
      best = p;
      bn = r->cur_n;
      bsrc = i;
    }
  }
  s->cur_src = bsrc;
  s->cur = best;
  s->cur_n = bn;
}

int sorter_sort(Sorter *s, int *empty) {
  int rc;
  if (s->writing) {
    rc = spill_finish(s);
    if (rc) return rc;
  }
  if (!s->started) {
    rc = sort_mem(s);
    if (rc) return rc;
    s->started = 1;
    s->mem_pos = 0;
    for (int i = 0; i < s->n_run; i++) s->runs[i].cur_n = -2; /* not loaded */
  }
  for (int i = 0; i < s->n_run; i++) {
    if (s->runs[i].cur_n == -2 || s->runs[i].reading) {
      rc = run_load(s, &s->runs[i]);
      if (rc) return rc;
    }
  }
  s->sorted = 1;
  s->advance_src = -3;
  choose(s);
  *empty = s->cur_src == -2;
  return SQLITE_OK;
}

int sorter_next(Sorter *s) {
  if (!s->sorted || s->cur_src == -2) return SQLITE_DONE;
  if (s->advance_src == -3) s->advance_src = s->cur_src;
  if (s->advance_src == -1) {
    s->mem_pos++;
  } else if (s->advance_src >= 0) {
    int rc = run_load(s, &s->runs[s->advance_src]);
    if (rc) return rc;
  }
  s->advance_src = -3;
  choose(s);
  return s->cur_src == -2 ? SQLITE_DONE : SQLITE_OK;
}

const void *sorter_data(Sorter *s, int *n) {
  *n = s->cur ? s->cur_n : 0;
  return s->cur;
}
