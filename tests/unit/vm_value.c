/* vm_value.c — Mem conversions, affinity, comparison, record round trips.
** Expected values checked against the sqlite3 3.40 CLI. */
#include <math.h>
#include <string.h>
#include "testlib.h"
#include "vm_stubs.h"
#include "../../engine/vm/value.h"
#include "../../engine/vm/record.h"

static const char *txt(Mem *m) { return (const char *)sqlite3_value_text(m); }

static void test_cast(void) {
  Mem m;
  mem_init(&m, NULL);
  struct { const char *in; char aff; const char *out; int type; } cases[] = {
      {"12abc", SQLITE_AFF_INTEGER, "12", SQLITE_INTEGER},
      {"1e3", SQLITE_AFF_INTEGER, "1", SQLITE_INTEGER},
      {" 1e3x", SQLITE_AFF_REAL, "1000.0", SQLITE_FLOAT},
      {"9223372036854775808", SQLITE_AFF_INTEGER, "9223372036854775807", SQLITE_INTEGER},
      {"-9223372036854775809", SQLITE_AFF_INTEGER, "-9223372036854775808", SQLITE_INTEGER},
      {"0x10", SQLITE_AFF_INTEGER, "0", SQLITE_INTEGER},
      {"1e500", SQLITE_AFF_NUMERIC, "Inf", SQLITE_FLOAT},
      {"12abc", SQLITE_AFF_NUMERIC, "12", SQLITE_INTEGER},
      {"1.0", SQLITE_AFF_NUMERIC, "1", SQLITE_INTEGER},
      {"  3.5e2 ", SQLITE_AFF_NUMERIC, "350", SQLITE_INTEGER},
      {"9223372036854775808", SQLITE_AFF_NUMERIC, "9.22337203685478e+18", SQLITE_FLOAT},
      {"1e3", SQLITE_AFF_NUMERIC, "1000", SQLITE_INTEGER},
      {"-0", SQLITE_AFF_NUMERIC, "0", SQLITE_INTEGER},
      {".5", SQLITE_AFF_REAL, "0.5", SQLITE_FLOAT},
      {"5.", SQLITE_AFF_NUMERIC, "5", SQLITE_INTEGER},
      {"", SQLITE_AFF_NUMERIC, "0", SQLITE_INTEGER},
      {"-0.0", SQLITE_AFF_NUMERIC, "0", SQLITE_INTEGER},
      {"1.5e400", SQLITE_AFF_REAL, "Inf", SQLITE_FLOAT},
      {"12 ", SQLITE_AFF_NUMERIC, "12", SQLITE_INTEGER},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mem_set_str(&m, cases[i].in, -1, SQLITE_TRANSIENT);
    mem_cast(&m, cases[i].aff);
    CHECK_INT(sqlite3_value_type(&m), cases[i].type);
    CHECK_STR(txt(&m), cases[i].out);
  }
  double reals[] = {1.0, 1e20, 0.1, 0.1 + 0.2, 1e15, 1e16, 123456789012345678.0, 1.5e-7, -0.0, 1.5e300, 3.14159265358979323};
  const char *rs[] = {"1.0", "1.0e+20", "0.1", "0.3", "1.0e+15", "1.0e+16", "1.23456789012346e+17", "1.5e-07", "0.0", "1.5e+300", "3.14159265358979"};
  for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
    mem_set_real(&m, reals[i]);
    CHECK_STR(txt(&m), rs[i]);
  }
  mem_set_real(&m, 1e308 * 10);
  CHECK_STR(txt(&m), "Inf");
  mem_set_real(&m, -1e308 * 10);
  CHECK_STR(txt(&m), "-Inf");
  /* CAST(1e300 AS INTEGER) */
  mem_set_real(&m, 1e300);
  CHECK_INT(sqlite3_value_int64(&m), 9223372036854775807LL);
  mem_set_real(&m, -1.5);
  mem_cast(&m, SQLITE_AFF_INTEGER);
  CHECK_INT(sqlite3_value_int64(&m), -1);
  mem_set_real(&m, 3.9);
  mem_cast(&m, SQLITE_AFF_TEXT);
  CHECK_STR(txt(&m), "3.9");
  CHECK_INT(sqlite3_value_type(&m), SQLITE_TEXT);
  mem_release(&m);
}

static void test_affinity(void) {
  Mem m;
  mem_init(&m, NULL);
  /* create table t(a integer, b numeric, c real, d text, e blob) */
  mem_set_str(&m, " 5 ", -1, SQLITE_TRANSIENT);
  mem_apply_affinity(&m, SQLITE_AFF_INTEGER);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_INTEGER);
  CHECK_INT(sqlite3_value_int(&m), 5);
  mem_set_str(&m, "1e2", -1, SQLITE_TRANSIENT);
  mem_apply_affinity(&m, SQLITE_AFF_NUMERIC);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_INTEGER);
  CHECK_INT(sqlite3_value_int(&m), 100);
  mem_set_str(&m, "0x10", -1, SQLITE_TRANSIENT);
  mem_apply_affinity(&m, SQLITE_AFF_NUMERIC);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_TEXT);
  mem_set_str(&m, "9223372036854775808", -1, SQLITE_TRANSIENT);
  mem_apply_affinity(&m, SQLITE_AFF_INTEGER);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_FLOAT);
  mem_set_real(&m, 3.0);
  mem_apply_affinity(&m, SQLITE_AFF_INTEGER);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_INTEGER);
  mem_set_real(&m, 1.5e300);
  mem_apply_affinity(&m, SQLITE_AFF_TEXT);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_TEXT);
  CHECK_STR(txt(&m), "1.5e+300");
  mem_set_int(&m, 3);
  mem_apply_affinity(&m, SQLITE_AFF_BLOB);
  CHECK_INT(sqlite3_value_type(&m), SQLITE_INTEGER);
  mem_release(&m);
}

static void test_compare(void) {
  Mem a, b;
  mem_init(&a, NULL);
  mem_init(&b, NULL);
  /* '10' < 9 is false: text > numbers */
  mem_set_str(&a, "10", -1, SQLITE_STATIC);
  mem_set_int(&b, 9);
  CHECK(mem_compare(&a, &b, NULL) > 0);
  mem_set_null(&a);
  CHECK(mem_compare(&a, &b, NULL) < 0);
  mem_set_blob(&a, "a", 1, SQLITE_STATIC);
  mem_set_str(&b, "b", -1, SQLITE_STATIC);
  CHECK(mem_compare(&a, &b, NULL) > 0);
  mem_set_int(&a, 9007199254740993LL);
  mem_set_real(&b, 9007199254740992.0);
  CHECK(mem_compare(&a, &b, NULL) > 0);
  mem_set_int(&a, 1);
  mem_set_real(&b, 1.0);
  CHECK_INT(mem_compare(&a, &b, NULL), 0);
  mem_set_str(&a, "abc", -1, SQLITE_STATIC);
  mem_set_str(&b, "abd", -1, SQLITE_STATIC);
  CHECK(mem_compare(&a, &b, NULL) < 0);
  mem_set_str(&b, "ab", -1, SQLITE_STATIC);
  CHECK(mem_compare(&a, &b, NULL) > 0);
  mem_set_zeroblob(&a, 3);
  mem_set_blob(&b, "\0\0\0", 3, SQLITE_STATIC);
  CHECK_INT(mem_compare(&a, &b, NULL), 0);
  mem_release(&a);
  mem_release(&b);
}

static void test_utf16(void) {
  Mem m;
  mem_init(&m, NULL);
  mem_set_str(&m, "h\xc3\xa9\xf0\x9f\x98\x80", -1, SQLITE_TRANSIENT);
  const unsigned char *z = sqlite3_value_text16le(&m);
  CHECK_INT(sqlite3_value_bytes16(&m), 8);
  CHECK(z[0] == 'h' && z[1] == 0 && z[2] == 0xe9 && z[4] == 0x3d && z[5] == 0xd8);
  Mem n;
  mem_init(&n, NULL);
  mem_set_text16(&n, z, 8, SQLITE_UTF16LE, SQLITE_TRANSIENT);
  CHECK_STR(txt(&n), "h\xc3\xa9\xf0\x9f\x98\x80");
  const unsigned char *be = sqlite3_value_text16be(&m);
  CHECK(be[0] == 0 && be[1] == 'h');
  mem_release(&m);
  mem_release(&n);
}

static void test_record(void) {
  Mem v[7], out, dec[7];
  for (int i = 0; i < 7; i++) {
    mem_init(&v[i], NULL);
    mem_init(&dec[i], NULL);
  }
  mem_init(&out, NULL);
  mem_set_null(&v[0]);
  mem_set_int(&v[1], 0);
  mem_set_int(&v[2], 1);
  mem_set_int(&v[3], -129);
  mem_set_int(&v[4], 140737488355328LL);
  mem_set_real(&v[5], 2.5);
  mem_set_str(&v[6], "hello", -1, SQLITE_STATIC);
  CHECK_INT(record_make(v, 7, 4, SQLITE_UTF8, &out), SQLITE_OK);
  /* header: size 8, types 0 8 9 2 6 7 23; body 2+8+8+5 */
  const u8 expect_hdr[8] = {8, 0, 8, 9, 2, 6, 7, 23};
  CHECK(out.n == 8 + 2 + 8 + 8 + 5);
  CHECK(memcmp(out.z, expect_hdr, 8) == 0);
  int nf = 0;
  CHECK_INT(record_decode((const u8 *)out.z, out.n, SQLITE_UTF8, dec, 7, &nf), SQLITE_OK);
  CHECK_INT(nf, 7);
  CHECK_INT(sqlite3_value_type(&dec[0]), SQLITE_NULL);
  CHECK_INT(sqlite3_value_int64(&dec[3]), -129);
  CHECK_INT(sqlite3_value_int64(&dec[4]), 140737488355328LL);
  CHECK(sqlite3_value_double(&dec[5]) == 2.5);
  CHECK_STR(txt(&dec[6]), "hello");
  /* comparison against an unpacked key */
  UnpackedRecord key;
  memset(&key, 0, sizeof key);
  key.fields = dec;
  key.n_field = 7;
  key.enc = SQLITE_UTF8;
  CHECK_INT(record_compare((const u8 *)out.z, out.n, &key), 0);
  mem_set_str(&dec[6], "hellp", -1, SQLITE_STATIC);
  CHECK(record_compare((const u8 *)out.z, out.n, &key) < 0);
  KeyInfo *ki = keyinfo_alloc(7, 0);
  ki->sort_flags[6] = KEYINFO_ORDER_DESC;
  key.key_info = ki;
  CHECK(record_compare((const u8 *)out.z, out.n, &key) > 0);
  keyinfo_unref(ki);
  /* a corrupt record is an error, not a crash */
  u8 bad[3] = {0x85, 0x80, 0x01};
  CHECK(record_decode(bad, 3, SQLITE_UTF8, dec, 7, &nf) == SQLITE_CORRUPT);
  for (int i = 0; i < 7; i++) {
    mem_release(&v[i]);
    mem_release(&dec[i]);
  }
  mem_release(&out);
}

/* Random and mutated records: decoding/comparing is an error or a value,
** never a crash (run under ASan by make asan). */
static void test_record_fuzz(void) {
  u64 seed = 0x9e3779b97f4a7c15ULL;
  Mem vals[4], dec[8], out;
  for (int i = 0; i < 8; i++) mem_init(&dec[i], NULL);
  for (int i = 0; i < 4; i++) mem_init(&vals[i], NULL);
  mem_init(&out, NULL);
  mem_set_int(&vals[0], 123456);
  mem_set_str(&vals[1], "hello world", -1, SQLITE_STATIC);
  mem_set_real(&vals[2], 3.25);
  mem_set_blob(&vals[3], "\x01\x02\x03", 3, SQLITE_STATIC);
  record_make(vals, 4, 4, SQLITE_UTF8, &out);
  u8 buf[64];
  int ok = 0, bad = 0;
  for (int iter = 0; iter < 20000; iter++) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    int n = (int)(seed % 40);
    if (iter & 1) {
      memcpy(buf, out.z, (size_t)out.n);
      n = out.n;
      buf[seed % (u64)n] ^= (u8)(seed >> 24);
      if ((seed >> 40) & 1) n = (int)((seed >> 8) % (u64)out.n);
    } else {
      for (int k = 0; k < n; k++) buf[k] = (u8)(seed >> ((k % 8) * 8)) ^ (u8)k;
    }
    int nf = 0;
    int rc = record_decode(buf, n, SQLITE_UTF8, dec, 8, &nf);
    if (rc == SQLITE_OK) ok++;
    else bad++;
    rc = record_decode(buf, n, SQLITE_UTF16LE, dec, 8, &nf);
    UnpackedRecord key;
    memset(&key, 0, sizeof key);
    key.fields = vals;
    key.n_field = 4;
    key.enc = SQLITE_UTF8;
    (void)record_compare(buf, n, &key);
    (void)record_compare_records(NULL, buf, n, (const u8 *)out.z, out.n, SQLITE_UTF8);
  }
  CHECK(ok > 0);
  CHECK(bad > 0);
  for (int i = 0; i < 8; i++) mem_release(&dec[i]);
  for (int i = 0; i < 4; i++) mem_release(&vals[i]);
  mem_release(&out);
}

/* UTF-16 databases: BINARY compares the bytes of the stored encoding, like
** SQLite (U+0100 sorts before 'z' in UTF-16LE, after it in UTF-8). */
static void test_utf16_order(void) {
  Mem v, out, key;
  mem_init(&v, NULL);
  mem_init(&out, NULL);
  mem_init(&key, NULL);
  mem_set_str(&v, "\xc4\x80", -1, SQLITE_STATIC); /* U+0100 */
  CHECK_INT(record_make(&v, 1, 4, SQLITE_UTF16LE, &out), SQLITE_OK);
  mem_set_str(&key, "z", -1, SQLITE_STATIC);
  UnpackedRecord r;
  memset(&r, 0, sizeof r);
  r.fields = &key;
  r.n_field = 1;
  r.enc = SQLITE_UTF16LE;
  CHECK(record_compare((const u8 *)out.z, out.n, &r) < 0);
  r.enc = SQLITE_UTF8;
  Mem out8;
  mem_init(&out8, NULL);
  record_make(&v, 1, 4, SQLITE_UTF8, &out8);
  CHECK(record_compare((const u8 *)out8.z, out8.n, &r) > 0);
  /* record vs record in UTF-16LE agrees */
  Mem kz;
  mem_init(&kz, NULL);
  record_make(&key, 1, 4, SQLITE_UTF16LE, &kz);
  CHECK(record_compare_records(NULL, (const u8 *)out.z, out.n, (const u8 *)kz.z, kz.n, SQLITE_UTF16LE) < 0);
  mem_release(&v);
  mem_release(&out);
  mem_release(&out8);
  mem_release(&key);
  mem_release(&kz);
}

int main(void) {
  test_cast();
  test_affinity();
  test_compare();
  test_utf16();
  test_record();
  test_record_fuzz();
  test_utf16_order();
  return testlib_finish("vm_value");
}
