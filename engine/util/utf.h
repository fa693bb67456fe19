/*
** utf.h — UTF-8 / UTF-16 helpers with SQLite's rules (util layer).
**
** Decoding follows SQLite: a lead byte >= 0xC0 takes every following
** continuation byte; over-long forms, surrogates and U+FFFE/U+FFFF decode as
** U+FFFD.  Bytes 0x80-0xBF seen as a lead byte decode as themselves.
*/
#ifndef SHALE_UTF_H
#define SHALE_UTF_H

#include "common.h"

/* Decode one character at *pz (NUL-terminated text) and advance *pz. */
u32 shale_utf8_read(const u8 **pz);
/* Same, but never reads at or past end (returns 0 at end). */
u32 shale_utf8_read_n(const u8 **pz, const u8 *end);
/* Number of characters in the first n bytes of z (n < 0: up to the NUL). */
int shale_utf8_charlen(const u8 *z, int n);
/* Encode c as UTF-8 into out (room for 4 bytes); returns bytes written. */
int shale_utf8_write(u8 *out, u32 c);
/* Skip one character. */
#define SHALE_SKIP_UTF8(z)                                                   \
  do {                                                                       \
    if ((*(z)++) >= 0xc0) {                                                  \
      while ((*(z) & 0xc0) == 0x80) (z)++;                                   \
    }                                                                        \
  } while (0)

/* UTF-8 <-> UTF-16 (enc SQLITE_UTF16LE or SQLITE_UTF16BE).  *out is
** sqlite3_malloc'd and NUL terminated (two zero bytes for UTF-16); *nout is
** its length in bytes without the terminator.  Returns SQLITE_OK/NOMEM. */
int shale_utf8_to16(const u8 *z, int n, int enc, u8 **out, int *nout);
int shale_utf16_to8(const u8 *z, int n, int enc, u8 **out, int *nout);

#endif
