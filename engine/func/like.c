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

/* ---- patterns analysed once per statement ----
** like(P, S) with the same P row after row (a constant pattern) keeps a
** LikePlan as P's auxdata.  The common shapes, an ASCII literal with
** wildcards-for-everything only at its ends ('abc', 'abc%', '%abc',
** '%abc%', '%'), are answered by a direct compare of the literal, folded as
** pattern_compare folds (ASCII only); anything else (one-character
** wildcards, sets, ESCAPE, wildcards inside, non-ASCII literals) keeps the
** general matcher.  The plan holds a copy of the pattern it was made from
** and is rebuilt when the pattern differs. */
enum { SHAPE_GENERAL, SHAPE_EXACT, SHAPE_PREFIX, SHAPE_SUFFIX, SHAPE_CONTAINS, SHAPE_ANY };

typedef struct LikePlan {
  const LikeInfo *info;
  int npat;   /* bytes of the pattern (copied after the literal) */
  int shape;
  int nlit;
  u8 lit[];   /* the literal (lower case when nocase), NUL, the pattern */
} LikePlan;

static LikePlan *plan_build(const u8 *pat, int npat, const LikeInfo *info) {
  int n = (int)strlen((const char *)pat); /* the matcher stops at a NUL */
  if (n > npat) n = npat;
  int lead = 0, trail = 0;
  while (lead < n && pat[lead] == info->match_all) lead++;
  while (trail < n - lead && pat[n - 1 - trail] == info->match_all) trail++;
  int nlit = n - lead - trail;
  LikePlan *pl = sqlite3_malloc64(sizeof(LikePlan) + (u64)nlit + 1 + (u64)npat);
  if (!pl) return NULL;
  pl->info = info;
  pl->npat = npat;
  pl->nlit = nlit;
  memcpy(pl->lit + nlit + 1, pat, (size_t)npat);
  pl->lit[nlit] = 0;
  pl->shape = nlit == 0 && lead + trail > 0 ? SHAPE_ANY
              : lead ? (trail ? SHAPE_CONTAINS : SHAPE_SUFFIX)
              : trail ? SHAPE_PREFIX : SHAPE_EXACT;
  for (int i = 0; i < nlit; i++) {
    u8 c = pat[lead + i];
    if (c >= 0x80 || c == info->match_all || c == info->match_one || (info->match_set && c == info->match_set)) {
      pl->shape = SHAPE_GENERAL;
      break;
    }
    pl->lit[i] = info->nocase ? shale_upper_to_lower[c] : c;
  }
  return pl;
}

/* The first n bytes of s equal lit (folded); stops at s's NUL. */
static inline int lit_eq(const u8 *s, const u8 *lit, int n, int nocase) {
  if (!nocase) return strncmp((const char *)s, (const char *)lit, (size_t)n) == 0;
  for (int i = 0; i < n; i++)
    if (shale_upper_to_lower[s[i]] != lit[i]) return 0;
  return 1;
}

/* 1 match, 0 no match, -1 the plan does not apply. */
static int plan_match(const LikePlan *pl, const u8 *s) {
  int nocase = pl->info->nocase, m = pl->nlit;
  const u8 *lit = pl->lit;
  switch (pl->shape) {
    case SHAPE_ANY:
      return 1;
    case SHAPE_EXACT:
      return lit_eq(s, lit, m, nocase) && s[m] == 0;
    case SHAPE_PREFIX:
      return lit_eq(s, lit, m, nocase);
    case SHAPE_SUFFIX: {
      size_t n = strlen((const char *)s);
      return n >= (size_t)m && lit_eq(s + n - (size_t)m, lit, m, nocase);
    }
    case SHAPE_CONTAINS: {
      size_t n = strlen((const char *)s);
      if (n < (size_t)m) return 0;
      const u8 *last = s + n - m;
      if (!nocase) {
        for (const u8 *p = s; p <= last; p++)
          if (*p == lit[0] && memcmp(p + 1, lit + 1, (size_t)m - 1) == 0) return 1;
        return 0;
      }
      for (const u8 *p = s; p <= last; p++)
        if (shale_upper_to_lower[*p] == lit[0] && lit_eq(p + 1, lit + 1, m - 1, 1)) return 1;
      return 0;
    }
    default:
      return -1;
  }
}

/* The plan of pattern zB (npat bytes) for this call site, made or reused. */
static const LikePlan *plan_for(sqlite3_context *ctx, const u8 *zB, int npat, const LikeInfo *info) {
  const LikePlan *pl = sqlite3_get_auxdata(ctx, 0);
  if (pl && pl->info == info && pl->npat == npat && memcmp(pl->lit + pl->nlit + 1, zB, (size_t)npat) == 0)
    return pl;
  LikePlan *np = plan_build(zB, npat, info);
  if (!np) return NULL;
  sqlite3_set_auxdata(ctx, 0, np, sqlite3_free);
  return sqlite3_get_auxdata(ctx, 0);
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
  sqlite3 *db = sqlite3_context_db_handle(ctx); /* read per call, as SQLite (no API call per row) */
  int limit = db ? db->limits[SQLITE_LIMIT_LIKE_PATTERN_LENGTH] : 50000;
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
    if (zA && zB) {
      const LikePlan *pl = plan_for(ctx, zB, npat, info);
      int m = pl ? plan_match(pl, zA) : -1;
      if (m >= 0) {
        sqlite3_result_int(ctx, m);
        return;
      }
    }
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
