/*
** record.c — the record format: serial types, encoding (OP_MakeRecord),
** decoding (OP_Column, schema loading) and key comparison (index seeks,
** sorter, ephemeral indexes).
*/
#include <math.h>
#include "record.h"
#include "../func/func.h"

#define MAX_6BYTE ((((i64)0x00008000) << 32) - 1)

/* Bounded varint read: never reads past end. Returns bytes or 0 on error. */
static inline int get_varint_b(const u8 *p, const u8 *end, u64 *v) {
  if (p >= end) return 0;
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  if (end - p >= 9) return varint_get(p, v);
  u8 tmp[9] = {0};
  memcpy(tmp, p, (size_t)(end - p));
  int n = varint_get(tmp, v);
  if (n > end - p) return 0;
  return n;
}

u32 record_serial_len(u32 t) {
  static const u8 lens[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  if (t >= 12) return (t - 12) / 2;
  return lens[t];
}

static inline u32 int_serial_type(i64 i, int file_format) {
  if (file_format >= 4 && (i == 0 || i == 1)) return 8 + (u32)i;
  u64 u = i < 0 ? ~(u64)i : (u64)i;
  if (u <= 127) return 1;
  if (u <= 32767) return 2;
  if (u <= 8388607) return 3;
  if (u <= 2147483647) return 4;
  if (u <= (u64)MAX_6BYTE) return 5;
  return 6;
}

static inline u32 serial_type_of(const Mem *m, int file_format) {
  u16 f = m->flags;
  if (f & MEM_Null) return 0;
  if (f & MEM_Int) return int_serial_type(m->i, file_format);
  if (f & MEM_IntReal) return int_serial_type(m->i, 1); /* never 8/9: keep a payload */
  if (f & MEM_Real) return 7;
  int n = m->n + ((f & MEM_Zero) ? m->u.nzero : 0);
  if (f & MEM_Str) return (u32)n * 2 + 13;
  if (f & MEM_Blob) return (u32)n * 2 + 12;
  return 0;
}

u32 record_serial_type(const Mem *m, int file_format) { return serial_type_of(m, file_format); }

static int field_get(const u8 *buf, u32 avail, u32 t, u8 enc, Mem *out, int copy) {
  u32 len = record_serial_len(t);
  if (len > avail) return -1;
  switch (t) {
    case 0:
    case 10:
    case 11:
      mem_set_null(out);
      return 0;
    case 8:
    case 9:
      mem_set_int(out, (i64)t - 8);
      return 0;
    case 7: {
      u64 x = 0;
      for (int k = 0; k < 8; k++) x = (x << 8) | buf[k];
      double r;
      memcpy(&r, &x, 8);
      if (isnan(r)) mem_set_null(out);
      else mem_set_real(out, r);
      return 8;
    }
    case 1: case 2: case 3: case 4: case 5: case 6: {
      u64 x = (buf[0] & 0x80) ? ~(u64)0 : 0;
      for (u32 k = 0; k < len; k++) x = (x << 8) | buf[k];
      mem_set_int(out, (i64)x);
      return (int)len;
    }
    default:
      if (!copy && (enc == SQLITE_UTF8 || enc == 0 || !(t & 1))) {
        mem_set_null(out);
        out->flags = ((t & 1) ? MEM_Str : MEM_Blob) | MEM_Static;
        out->z = (char *)buf;
        out->n = (int)len;
        return (int)len;
      }
      if (t & 1) {
        if (enc == SQLITE_UTF8 || enc == 0) {
          mem_set_str(out, (const char *)buf, len, SQLITE_TRANSIENT);
        } else {
          mem_set_text16(out, buf, len, enc, SQLITE_TRANSIENT);
        }
      } else {
        mem_set_blob(out, buf, len, SQLITE_TRANSIENT);
        if (len == 0) {
          mem_set_blob(out, NULL, 0, SQLITE_STATIC);
        }
      }
      return (int)len;
  }
}

int record_field_get(const u8 *buf, u32 avail, u32 t, u8 enc, Mem *out) {
  return field_get(buf, avail, t, enc, out, 1);
}

/* Length of UTF-8 text when written in UTF-16. */
static int utf16_len(const char *z, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    u8 c = (u8)z[i];
    if ((c & 0xc0) == 0x80) continue;
    k += (c >= 0xf0) ? 4 : 2;
  }
  return k;
}

/* Store the low `len` bytes of v big-endian (len is a serial type's
** integer size: 1, 2, 3, 4, 6 or 8). */
static inline void put_be(u8 *p, u32 len, u64 v) {
  switch (len) {
    case 8: p[0] = (u8)(v >> 56); p[1] = (u8)(v >> 48); p += 2; /* fall through */
    case 6: p[0] = (u8)(v >> 40); p[1] = (u8)(v >> 32); p += 2; /* fall through */
    case 4: p[0] = (u8)(v >> 24); p++; /* fall through */
    case 3: p[0] = (u8)(v >> 16); p++; /* fall through */
    case 2: p[0] = (u8)(v >> 8); p++; /* fall through */
    case 1: p[0] = (u8)v; break;
    default: break;
  }
}

int record_make(const Mem *vals, int n, int file_format, u8 enc, Mem *out) {
  static const u8 lens[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  u64 hdr = 0, body = 0;
  u32 types_stack[64];
  u32 *types = n <= 64 ? types_stack : sqlite3_malloc64(sizeof(u32) * (u64)n);
  if (!types) return SQLITE_NOMEM;
  int utf16 = enc == SQLITE_UTF16LE || enc == SQLITE_UTF16BE;
  for (int i = 0; i < n; i++) {
    const Mem *m = &vals[i];
    u32 t;
    if (utf16 && (m->flags & MEM_Str)) {
      t = (u32)utf16_len(m->z, m->n) * 2 + 13;
    } else {
      t = serial_type_of(m, file_format);
    }
    types[i] = t;
    hdr += t < 0x80 ? 1 : (u64)varint_len(t);
    body += t < 12 ? lens[t] : (t - 12) / 2;
  }
  /* header size includes its own varint */
  int nh = 1;
  while (varint_len(hdr + (u64)nh) > nh) nh++;
  u64 h = hdr + (u64)nh;
  u64 total = h + body;
  if (total > 1000000000) {
    if (types != types_stack) sqlite3_free(types);
    return SQLITE_TOOBIG;
  }
  if ((out->flags & (MEM_Dyn | MEM_Agg | MEM_Obj | MEM_Ptr)) || out->z16) mem_set_null(out);
  if (out->szMalloc < (int)total + 1 && mem_grow(out, (int)total + 1, 0)) {
    mem_set_null(out);
    if (types != types_stack) sqlite3_free(types);
    return SQLITE_NOMEM;
  }
  u8 *p = (u8 *)out->zMalloc;
  int k = h < 0x80 ? (p[0] = (u8)h, 1) : varint_put(p, h);
  for (int i = 0; i < n; i++) {
    u32 t = types[i];
    if (t < 0x80) p[k++] = (u8)t;
    else k += varint_put(p + k, t);
  }
  for (int i = 0; i < n; i++) {
    const Mem *m = &vals[i];
    u32 t = types[i];
    if (t < 12) {
      if (t == 7) {
        u64 x;
        memcpy(&x, &m->r, 8);
        put_be(p + k, 8, x);
      } else {
        put_be(p + k, lens[t], (u64)m->i);
      }
      k += lens[t];
      continue;
    }
    u32 len = (t - 12) / 2;
    if (utf16 && (m->flags & MEM_Str)) {
      char *z16;
      int n16;
      if (shale_utf8_to_utf16(m->z, m->n, enc, &z16, &n16)) {
        if (types != types_stack) sqlite3_free(types);
        mem_set_null(out);
        return SQLITE_NOMEM;
      }
      memcpy(p + k, z16, (size_t)n16);
      sqlite3_free(z16);
    } else {
      if (m->n) memcpy(p + k, m->z, (size_t)m->n);
      if (m->flags & MEM_Zero) memset(p + k + m->n, 0, (size_t)m->u.nzero);
    }
    k += (int)len;
  }
  if (types != types_stack) sqlite3_free(types);
  out->z = out->zMalloc;
  out->n = (int)total;
  out->flags = MEM_Blob;
  out->subtype = 0;
  out->nochange = 0;
  return SQLITE_OK;
}

static int decode(const u8 *rec, int n, u8 enc, Mem *out, int max_fields, int *n_out, int copy) {
  const u8 *end = rec + n;
  u64 hsz;
  int k = get_varint_b(rec, end, &hsz);
  if (!k || hsz > (u64)n || hsz < (u64)k) return SQLITE_CORRUPT;
  const u8 *hp = rec + k, *hend = rec + hsz;
  u32 off = (u32)hsz;
  int i = 0;
  while (hp < hend) {
    u64 t;
    int m = get_varint_b(hp, hend, &t);
    if (!m || t > 0xffffffffu) return SQLITE_CORRUPT;
    hp += m;
    u32 len = record_serial_len((u32)t);
    if ((u64)off + len > (u64)n) return SQLITE_CORRUPT;
    if (i < max_fields) {
      if (field_get(rec + off, (u32)n - off, (u32)t, enc, &out[i], copy) < 0) return SQLITE_CORRUPT;
    }
    off += len;
    i++;
  }
  if (n_out) *n_out = i;
  return SQLITE_OK;
}

int record_decode(const u8 *rec, int n, u8 enc, Mem *out, int max_fields, int *n_out) {
  return decode(rec, n, enc, out, max_fields, n_out, 1);
}

int record_decode_static(const u8 *rec, int n, u8 enc, Mem *out, int max_fields, int *n_out) {
  return decode(rec, n, enc, out, max_fields, n_out, 0);
}

/* Compare a stored field against a Mem without copying when possible. */
static int is_binary(const CollSeq *coll) {
  return !coll || !coll->x_cmp || (coll->name && shale_stricmp(coll->name, "BINARY") == 0);
}

SHALE_NOINLINE static int field_compare(const u8 *p, u32 t, u8 enc, const Mem *b, const CollSeq *coll,
                                        u8 *corrupt) {
  Mem a;
  memset(&a, 0, sizeof a);
  if (t >= 13 && (t & 1) && (enc == SQLITE_UTF16LE || enc == SQLITE_UTF16BE) && (b->flags & MEM_Str) &&
      !(b->flags & (MEM_Int | MEM_Real | MEM_IntReal | MEM_Null)) && is_binary(coll)) {
    /* like SQLite: BINARY compares the bytes of the database encoding */
    int nb = 0;
    const u8 *zb = mem_text16((Mem *)b, enc, &nb);
    if (zb) {
      int na = (int)record_serial_len(t);
      int m = na < nb ? na : nb;
      int c = m ? memcmp(p, zb, (size_t)m) : 0;
      return c ? c : na - nb;
    }
  }
  if (t >= 12 && (enc == SQLITE_UTF8 || enc == 0 || !(t & 1))) {
    a.flags = (t & 1) ? MEM_Str : MEM_Blob;
    a.z = (char *)p;
    a.n = (int)record_serial_len(t);
    a.flags |= MEM_Static;
    return mem_compare(&a, b, coll);
  }
  a.flags = MEM_Null;
  if (record_field_get(p, 0x7fffffff, t, enc, &a) < 0) {
    *corrupt = 1;
    return 0;
  }
  int c = mem_compare(&a, b, coll);
  mem_release(&a);
  return c;
}

static inline i64 get_int_field(const u8 *p, u32 t) {
  switch (t) {
    case 1: return (int8_t)p[0];
    case 2: return (i16)(((u32)p[0] << 8) | p[1]);
    case 3: return ((int32_t)(((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8))) >> 8;
    case 4: return (int32_t)(((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]);
    case 5:
      return (i64)((u64)(i64)(i16)(((u32)p[0] << 8) | p[1]) << 32 |
                   (((u32)p[2] << 24) | ((u32)p[3] << 16) | ((u32)p[4] << 8) | p[5]));
    case 6:
      return (i64)(((u64)(((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]) << 32) |
                   (((u32)p[4] << 24) | ((u32)p[5] << 16) | ((u32)p[6] << 8) | p[7]));
    case 9: return 1;
    default: return 0; /* 8 */
  }
}

/* The sign a field comparison takes under the key's sort flags. */
SHALE_NOINLINE static int apply_sort_flags(int rc, const KeyInfo *ki, int i, u32 t, const Mem *b) {
  u8 sf = ki && i < ki->n_all_field && ki->sort_flags ? ki->sort_flags[i] : 0;
  if (sf) {
    int anull = (t == 0) || (b->flags & MEM_Null);
    if (!(sf & KEYINFO_ORDER_BIGNULL) || ((sf & KEYINFO_ORDER_DESC) ? 1 : 0) != anull) rc = -rc;
  }
  return rc;
}

static int record_compare_fields(const u8 *rec, int n, UnpackedRecord *key);

/* The common index probe first (as SQLite's vdbeRecordCompareInt): a
** one-byte header, an integer first field against an integer key.  Only
** a decided first field, or an equal one that ends the key, returns here;
** everything else is the general loop. */
int record_compare(const u8 *rec, int n, UnpackedRecord *key) {
  const Mem *b = key->fields;
  if (n >= 2 && rec[0] < 0x80 && rec[0] >= 2 && key->n_field >= 1 &&
      (b->flags & (MEM_Int | MEM_Real | MEM_IntReal | MEM_Str | MEM_Blob | MEM_Null)) == MEM_Int) {
    static const u8 ilens[10] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};
    u32 t = rec[1], hsz = rec[0];
    if (t >= 1 && t <= 9 && t != 7 && hsz + ilens[t] <= (u32)n) {
      i64 x = get_int_field(rec + hsz, t);
      const KeyInfo *ki = key->key_info;
      if (x != b->i) {
        int rc = x < b->i ? -1 : 1;
        if (ki && ki->sort_flags && ki->n_all_field > 0 && ki->sort_flags[0]) rc = apply_sort_flags(rc, ki, 0, t, b);
        return rc;
      }
      if (key->n_field == 1) return key->default_rc;
    }
  }
  return record_compare_fields(rec, n, key);
}

SHALE_NOINLINE static int record_compare_fields(const u8 *rec, int n, UnpackedRecord *key) {
  static const u8 lens[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  const u8 *end = rec + n;
  u64 hsz;
  int k;
  if (n > 0 && rec[0] < 0x80) {
    hsz = rec[0];
    k = 1;
  } else {
    k = get_varint_b(rec, end, &hsz);
  }
  if (!k || hsz > (u64)n || hsz < (u64)k) {
    key->corrupt = 1;
    return 0;
  }
  const u8 *hp = rec + k, *hend = rec + hsz;
  u32 off = (u32)hsz;
  KeyInfo *ki = key->key_info;
  const Mem *b = key->fields;
  int nf = key->n_field;
  for (int i = 0; i < nf && hp < hend; i++, b++) {
    u32 t = hp[0];
    if (t < 0x80) {
      hp++;
    } else {
      u64 t64;
      int m = get_varint_b(hp, hend, &t64);
      if (!m || t64 > 0xffffffffu) {
        key->corrupt = 1;
        return 0;
      }
      hp += m;
      t = (u32)t64;
    }
    u32 len = t >= 12 ? (t - 12) / 2 : lens[t];
    if ((u64)off + len > (u64)n) {
      key->corrupt = 1;
      return 0;
    }
    int rc;
    u16 bf = b->flags & (MEM_Int | MEM_Real | MEM_IntReal | MEM_Str | MEM_Blob | MEM_Null);
    if (bf == MEM_Int && t <= 9 && t != 7 && t != 0) {
      i64 x = get_int_field(rec + off, t);
      rc = x < b->i ? -1 : x > b->i;
    } else if (t == 0) {
      /* NULL sorts first */
      rc = (bf & MEM_Null) ? 0 : -1;
    } else {
      const CollSeq *coll = ki && i < ki->n_all_field && ki->coll ? ki->coll[i] : NULL;
      if (bf == MEM_Str && t >= 13 && (t & 1) && !coll && (key->enc == SQLITE_UTF8 || key->enc == 0) &&
          !(b->flags & MEM_Zero)) {
        u32 m = len < (u32)b->n ? len : (u32)b->n;
        rc = m ? memcmp(rec + off, b->z, m) : 0;
        if (!rc) rc = len < (u32)b->n ? -1 : len > (u32)b->n;
      } else {
        rc = field_compare(rec + off, t, key->enc, b, coll, &key->corrupt);
      }
    }
    if (rc != 0) {
      if (ki && ki->sort_flags && i < ki->n_all_field && ki->sort_flags[i]) rc = apply_sort_flags(rc, ki, i, t, b);
      return rc;
    }
    off += len;
  }
  return key->default_rc;
}

int record_compare_cb(void *arg, const void *entry_key, int n_entry_key) {
  return record_compare(entry_key, n_entry_key, (UnpackedRecord *)arg);
}

int record_unpack(const u8 *rec, int n, u8 enc, UnpackedRecord *key, int max) {
  int nf = 0;
  int rc = record_decode(rec, n, enc, key->fields, max, &nf);
  key->n_field = (u16)(nf < max ? nf : max);
  key->enc = enc;
  return rc;
}

static int is_int_type(u32 t) { return (t >= 1 && t <= 6) || t == 8 || t == 9; }

/* Slow path for one field pair: decode both and use mem_compare. */
static int field_pair_compare(const u8 *pa, u32 ta, const u8 *pb, u32 tb, u8 enc, const CollSeq *coll) {
  Mem a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.flags = b.flags = MEM_Null;
  field_get(pa, 0x7fffffff, ta, enc, &a, 0);
  field_get(pb, 0x7fffffff, tb, enc, &b, 0);
  int c = mem_compare(&a, &b, coll);
  mem_release(&a);
  mem_release(&b);
  return c;
}

int record_compare_records(KeyInfo *ki, const u8 *a, int na, const u8 *b, int nb, u8 enc) {
  return record_compare_records_from(ki, a, na, b, nb, enc, 0);
}

int record_compare_records_from(KeyInfo *ki, const u8 *a, int na, const u8 *b, int nb, u8 enc, int first) {
  const u8 *ea = a + na, *eb = b + nb;
  u64 ha, hb;
  int ka = get_varint_b(a, ea, &ha), kb = get_varint_b(b, eb, &hb);
  if (!ka || !kb || ha > (u64)na || hb > (u64)nb) return 0;
  const u8 *hpa = a + ka, *hpb = b + kb, *hea = a + ha, *heb = b + hb;
  u32 oa = (u32)ha, ob = (u32)hb;
  int nf = ki ? ki->n_all_field : 0x7fff;
  int utf8 = enc == SQLITE_UTF8 || enc == 0;
  for (int i = 0; i < nf && hpa < hea && hpb < heb; i++) {
    u64 ta64, tb64;
    int ma = get_varint_b(hpa, hea, &ta64), mb = get_varint_b(hpb, heb, &tb64);
    if (!ma || !mb || ta64 > 0x7fffffff || tb64 > 0x7fffffff) return 0;
    hpa += ma;
    hpb += mb;
    u32 ta = (u32)ta64, tb = (u32)tb64;
    u32 la = record_serial_len(ta), lb = record_serial_len(tb);
    if ((u64)oa + la > (u64)na || (u64)ob + lb > (u64)nb) return 0;
    if (i < first) { /* already known equal: skip */
      oa += la;
      ob += lb;
      continue;
    }
    const CollSeq *coll = ki && ki->coll ? ki->coll[i] : NULL;
    int rc;
    if (is_int_type(ta) && is_int_type(tb)) {
      i64 x = get_int_field(a + oa, ta), y = get_int_field(b + ob, tb);
      rc = x < y ? -1 : x > y;
    } else if (ta >= 13 && tb >= 13 && (ta & 1) && (tb & 1) && (is_binary(coll) || (utf8 && !coll->x_cmp))) {
      u32 m = la < lb ? la : lb;
      rc = m ? memcmp(a + oa, b + ob, m) : 0;
      if (!rc) rc = (int)la - (int)lb;
    } else if (ta == 0 || tb == 0) {
      rc = (ta == 0 ? (tb == 0 ? 0 : -1) : 1);
    } else {
      rc = field_pair_compare(a + oa, ta, b + ob, tb, enc, coll);
    }
    if (rc) {
      u8 sf = ki && ki->sort_flags ? ki->sort_flags[i] : 0;
      if (sf) {
        int anull = (ta == 0) || (tb == 0);
        if (!(sf & KEYINFO_ORDER_BIGNULL) || ((sf & KEYINFO_ORDER_DESC) ? 1 : 0) != anull) rc = -rc;
      }
      return rc;
    }
    oa += la;
    ob += lb;
  }
  return 0;
}
