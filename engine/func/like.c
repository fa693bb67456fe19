/*
** like.c — LIKE and GLOB pattern matching (UTF-8 aware, ESCAPE), shared by
** the SQL like()/glob() functions, sqlite3_strlike/sqlite3_strglob and the
** planner.  Matching follows SQLite's rules exactly: LIKE folds ASCII case
** only (unless case-sensitive), GLOB supports [...] sets with ranges and ^.
*/
#include "func_int.h"
#include "../api/connection.h"
#include "../util/utf.h"

enum { MATCH = 0, NOMATCH = 1, NOWILDCARDMATCH = 2 };

static inline u32 rd(const u8 **pz) {
  if (**pz < 0x80) return *((*pz)++);
  return shale_utf8_read(pz);
}

static inline u32 to_lower(u32 c) { return c < 0x80 ? shale_upper_to_lower[c] : c; }
static inline u32 to_upper(u32 c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

static int pattern_compare(const u8 *pat, const u8 *str, const LikeInfo *info, u32 match_other) {
  u32 c, c2;
  u32 match_one = info->match_one;
  u32 match_all = info->match_all;
  int nocase = info->nocase;
  const u8 *escaped = NULL;
  while ((c = rd(&pat)) != 0) {
    if (c == match_all) {
      while ((c = rd(&pat)) == match_all || (c == match_one && match_one != 0)) {
        if (c == match_one && shale_utf8_read(&str) == 0) return NOWILDCARDMATCH;
      }
      if (c == 0) return MATCH;
      if (c == match_other) {
        if (info->match_set == 0) {
          c = shale_utf8_read(&pat);
          if (c == 0) return NOWILDCARDMATCH;
        } else {
          /* "[...]" right after "*": slow recursive search. */
          while (*str) {
            int m = pattern_compare(&pat[-1], str, info, match_other);
            if (m != NOMATCH) return m;
            SHALE_SKIP_UTF8(str);
          }
          return NOWILDCARDMATCH;
        }
      }
      if (c < 0x80) {
        char stop[3];
        if (nocase) {
          stop[0] = (char)to_upper(c);
          stop[1] = (char)to_lower(c);
          stop[2] = 0;
        } else {
          stop[0] = (char)c;
          stop[1] = 0;
        }
        for (;;) {
          str += strcspn((const char *)str, stop);
          if (str[0] == 0) break;
          str++;
          int m = pattern_compare(pat, str, info, match_other);
          if (m != NOMATCH) return m;
        }
      } else {
        while ((c2 = rd(&str)) != 0) {
          if (c2 != c) continue;
          int m = pattern_compare(pat, str, info, match_other);
          if (m != NOMATCH) return m;
        }
      }
      return NOWILDCARDMATCH;
    }
    if (c == match_other) {
      if (info->match_set == 0) {
        c = shale_utf8_read(&pat);
        if (c == 0) return NOMATCH;
        escaped = pat;
      } else {
        u32 prior = 0;
        int seen = 0, invert = 0;
        c = shale_utf8_read(&str);
        if (c == 0) return NOMATCH;
        c2 = shale_utf8_read(&pat);
        if (c2 == '^') {
          invert = 1;
          c2 = shale_utf8_read(&pat);
        }
        if (c2 == ']') {
          if (c == ']') seen = 1;
          c2 = shale_utf8_read(&pat);
        }
        while (c2 && c2 != ']') {
          if (c2 == '-' && pat[0] != ']' && pat[0] != 0 && prior > 0) {
            c2 = shale_utf8_read(&pat);
            if (c >= prior && c <= c2) seen = 1;
            prior = 0;
          } else {
            if (c == c2) seen = 1;
            prior = c2;
          }
          c2 = shale_utf8_read(&pat);
        }
        if (c2 == 0 || (seen ^ invert) == 0) return NOMATCH;
        continue;
      }
    }
    c2 = rd(&str);
    if (c == c2) continue;
    if (nocase && to_lower(c) == to_lower(c2) && c < 0x80 && c2 < 0x80) continue;
    if (c == match_one && pat != escaped && c2 != 0) continue;
    return NOMATCH;
  }
  return *str == 0 ? MATCH : NOMATCH;
}

const LikeInfo func_like_info_nocase = {'%', '_', 0, 1};
const LikeInfo func_like_info_case = {'%', '_', 0, 0};
const LikeInfo func_glob_info = {'*', '?', '[', 0};

int func_like_match(const u8 *pattern, const u8 *str, u32 escape, int case_sensitive) {
  const LikeInfo *info = case_sensitive ? &func_like_info_case : &func_like_info_nocase;
  LikeInfo tmp;
  if (escape && (escape == info->match_all || escape == info->match_one)) {
    tmp = *info;
    if (escape == tmp.match_all) tmp.match_all = 0;
    if (escape == tmp.match_one) tmp.match_one = 0;
    info = &tmp;
  }
  return pattern_compare(pattern, str, info, escape) == MATCH;
}

int func_glob_match(const u8 *pattern, const u8 *str) {
  return pattern_compare(pattern, str, &func_glob_info, '[') == MATCH;
}

int sqlite3_strglob(const char *zGlob, const char *zStr) {
  if (zStr == NULL) return zGlob != NULL;
  if (zGlob == NULL) return 1;
  return pattern_compare((const u8 *)zGlob, (const u8 *)zStr, &func_glob_info, '[');
}

int sqlite3_strlike(const char *zPattern, const char *zStr, unsigned int esc) {
  if (zStr == NULL) return zPattern != NULL;
  if (zPattern == NULL) return 1;
  return pattern_compare((const u8 *)zPattern, (const u8 *)zStr, &func_like_info_nocase, esc);
}

/* like(P, S [, E]) and glob(P, S): user_data is the LikeInfo. */
void func_like(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const LikeInfo *info = sqlite3_user_data(ctx);
  LikeInfo backup;
  u32 escape;
  /* SQLITE_LIKE_DOESNT_MATCH_BLOBS, as in the reference (Debian) build. */
  if (sqlite3_value_type(argv[0]) == SQLITE_BLOB || sqlite3_value_type(argv[1]) == SQLITE_BLOB) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  const u8 *zB = sqlite3_value_text(argv[0]);
  const u8 *zA = sqlite3_value_text(argv[1]);
  int npat = sqlite3_value_bytes(argv[0]);
  int limit = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1);
  if (limit < 0) limit = 50000;
  if (npat > limit) {
    sqlite3_result_error(ctx, "LIKE or GLOB pattern too complex", -1);
    return;
  }
  if (argc == 3) {
    const u8 *zEsc = sqlite3_value_text(argv[2]);
    if (zEsc == NULL) return;
    if (shale_utf8_charlen(zEsc, -1) != 1) {
      sqlite3_result_error(ctx, "ESCAPE expression must be a single character", -1);
      return;
    }
    escape = shale_utf8_read(&zEsc);
    if (escape == info->match_all || escape == info->match_one) {
      backup = *info;
      info = &backup;
      if (escape == backup.match_all) backup.match_all = 0;
      if (escape == backup.match_one) backup.match_one = 0;
    }
  } else {
    escape = info->match_set;
  }
  if (zA && zB) sqlite3_result_int(ctx, pattern_compare(zB, zA, info, escape) == MATCH);
}

int func_like_info(const FuncDef *f, int *nocase, char wc[3]) {
  if (f == NULL || (f->flags & (FUNC_LIKE | FUNC_BUILTIN)) != (FUNC_LIKE | FUNC_BUILTIN)) return 0;
  const LikeInfo *info = f->user_data;
  if (info == NULL) return 0;
  if (nocase) *nocase = info->nocase;
  if (wc) {
    wc[0] = (char)info->match_all;
    wc[1] = (char)info->match_one;
    wc[2] = (char)info->match_set;
  }
  return 1;
}
