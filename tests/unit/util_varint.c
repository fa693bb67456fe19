/* Varints round-trip at every length boundary, and match the file format's
** known encodings. */
#include <string.h>
#include "testlib.h"
#include "../../engine/util/common.h"

int main(void) {
  u64 samples[] = {0, 1, 127, 128, 16383, 16384, 2097151, 2097152,
                   0xffffffffULL, 0x00ffffffffffffffULL, 0x0100000000000000ULL,
                   0xffffffffffffffffULL, 0x8000000000000000ULL};
  for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
    u8 buf[10];
    u64 back = 0;
    int n = varint_put(buf, samples[i]);
    CHECK_INT(n, varint_len(samples[i]));
    CHECK_INT(varint_get(buf, &back), n);
    CHECK(back == samples[i]);
  }
  u8 two[2] = {0x81, 0x00};
  u64 v;
  CHECK_INT(varint_get(two, &v), 2);
  CHECK_INT(v, 128);
  u32 v32;
  CHECK_INT(varint_get32(two, &v32), 2);
  CHECK_INT(v32, 128);
  CHECK_INT(sqlite3_stricmp("ABC", "abc"), 0);
  CHECK(sqlite3_strnicmp("ABCx", "abcy", 3) == 0);
  return testlib_finish("util_varint");
}
