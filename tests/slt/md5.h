#ifndef SHALE_TEST_MD5_H
#define SHALE_TEST_MD5_H
#include <stddef.h>
#include <stdint.h>
typedef struct Md5 {
  uint32_t h[4];
  uint64_t len;
  unsigned char buf[64];
} Md5;
void md5_init(Md5 *);
void md5_update(Md5 *, const void *, size_t);
void md5_final_hex(Md5 *, char out[33]);
#endif
