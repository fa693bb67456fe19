/*
** tokenize.c — the SQL tokenizer, keyword table, sql_complete() and
** sql_is_keyword().  Token rules follow SQLite's documented lexical
** structure (lang_keywords.html, lang_expr.html literals).
*/
#include "parse_int.h"

typedef struct Keyword {
  const char *name;
  unsigned char len;
  unsigned char fallback;
  short type;
} Keyword;

/* Sorted by name (the X-macro list is alphabetical). */
static const Keyword keywords[] = {
#define KW_ENTRY(name, fb) {#name, (unsigned char)(sizeof(#name) - 1), fb, TK_##name},
    SQL_KEYWORDS(KW_ENTRY)
#undef KW_ENTRY
};

static int kw_cmp(const char *z, int n, const Keyword *k) {
  int m = n < k->len ? n : k->len;
  for (int i = 0; i < m; i++) {
    int a = shale_upper_to_lower[(u8)z[i]];
    int b = shale_upper_to_lower[(u8)k->name[i]];
    if (a != b) return a - b;
  }
  return n - k->len;
}

int sql_keyword_code(const char *z, int n) {
  int lo = 0, hi = (int)SHALE_ARRAY_SIZE(keywords) - 1;
  if (n < 2 || n > 17) return TK_ID;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = kw_cmp(z, n, &keywords[mid]);
    if (c == 0) return keywords[mid].type;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return TK_ID;
}

int sql_token_fallback(int type) {
  if (type < TK_FIRST_KEYWORD || type >= TK_N_TOKENS) return 0;
  return keywords[type - TK_FIRST_KEYWORD].fallback;
}

int sql_is_keyword(const char *z, int n) {
  if (z == NULL) return 0;
  if (n < 0) n = (int)strlen(z);
  return sql_keyword_code(z, n) != TK_ID;
}

static int is_space(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' ||
         c == '\v';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_xdigit(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_idchar(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         c == '_' || c == '$' || c >= 0x80;
}
static int is_idstart(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

int sql_get_token(const unsigned char *z, int *type) {
  int i, c;
  switch (z[0]) {
    case 0:
      *type = TK_EOF;
      return 0;
    case ' ': case '\t': case '\n': case '\f': case '\r': case '\v':
      for (i = 1; is_space(z[i]); i++) {
      }
      *type = TK_SPACE;
      return i;
    case '-':
      if (z[1] == '-') {
        for (i = 2; (c = z[i]) != 0 && c != '\n'; i++) {
        }
        *type = TK_SPACE;
        return i;
      }
      if (z[1] == '>') {
        *type = TK_PTR;
        return z[2] == '>' ? 3 : 2;
      }
      *type = TK_MINUS;
      return 1;
    case '(': *type = TK_LP; return 1;
    case ')': *type = TK_RP; return 1;
    case ';': *type = TK_SEMI; return 1;
    case '+': *type = TK_PLUS; return 1;
    case '*': *type = TK_STAR; return 1;
    case '/':
      if (z[1] != '*' || z[2] == 0) {
        *type = TK_SLASH;
        return 1;
      }
      for (i = 3, c = z[2]; (c != '*' || z[i] != '/') && (c = z[i]) != 0; i++) {
      }
      if (c) i++;
      *type = TK_SPACE;
      return i;
    case '%': *type = TK_REM; return 1;
    case '=': *type = TK_EQ; return 1 + (z[1] == '=');
    case '<':
      if (z[1] == '=') { *type = TK_LE; return 2; }
      if (z[1] == '>') { *type = TK_NE; return 2; }
      if (z[1] == '<') { *type = TK_LSHIFT; return 2; }
      *type = TK_LT;
      return 1;
    case '>':
      if (z[1] == '=') { *type = TK_GE; return 2; }
      if (z[1] == '>') { *type = TK_RSHIFT; return 2; }
      *type = TK_GT;
      return 1;
    case '!':
      if (z[1] != '=') { *type = TK_ILLEGAL; return 1; }
      *type = TK_NE;
      return 2;
    case '|':
      if (z[1] != '|') { *type = TK_BITOR; return 1; }
      *type = TK_CONCAT;
      return 2;
    case ',': *type = TK_COMMA; return 1;
    case '&': *type = TK_BITAND; return 1;
    case '~': *type = TK_BITNOT; return 1;
    case '`': case '\'': case '"': {
      int delim = z[0];
      for (i = 1; (c = z[i]) != 0; i++) {
        if (c == delim) {
          if (z[i + 1] == delim) i++;
          else break;
        }
      }
      if (c == '\'') { *type = TK_STRING; return i + 1; }
      if (c != 0) { *type = TK_ID; return i + 1; }
      *type = TK_ILLEGAL;
      return i;
    }
    case '.':
      if (!is_digit(z[1])) { *type = TK_DOT; return 1; }
      /* fall through: a number like .5 */
      /* FALLTHRU */
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      *type = TK_INTEGER;
      if (z[0] == '0' && (z[1] == 'x' || z[1] == 'X') && is_xdigit(z[2])) {
        for (i = 3; is_xdigit(z[i]); i++) {
        }
        return i; /* SQLite lets an identifier follow directly: 0x1g = 0x1 AS g */
      }
      for (i = 0; is_digit(z[i]); i++) {
      }
      if (z[i] == '.') {
        i++;
        while (is_digit(z[i])) i++;
        *type = TK_FLOAT;
      }
      if ((z[i] == 'e' || z[i] == 'E') &&
          (is_digit(z[i + 1]) ||
           ((z[i + 1] == '+' || z[i + 1] == '-') && is_digit(z[i + 2])))) {
        i += 2;
        while (is_digit(z[i])) i++;
        *type = TK_FLOAT;
      }
      while (is_idchar(z[i])) { *type = TK_ILLEGAL; i++; }
      return i;
    case '[':
      for (i = 1, c = z[0]; c != ']' && (c = z[i]) != 0; i++) {
      }
      *type = c == ']' ? TK_ID : TK_ILLEGAL;
      return i;
    case '?':
      *type = TK_VARIABLE;
      for (i = 1; is_digit(z[i]); i++) {
      }
      return i;
    case '$': case '@': case ':': case '#': {
      int n = 0;
      *type = TK_VARIABLE;
      for (i = 1; (c = z[i]) != 0; i++) {
        if (is_idchar(c)) {
          n++;
        } else if (c == '(' && n > 0) {
          do {
            i++;
          } while ((c = z[i]) != 0 && !is_space(c) && c != ')');
          if (c == ')') i++;
          else *type = TK_ILLEGAL;
          break;
        } else if (c == ':' && z[i + 1] == ':') {
          i++;
        } else {
          break;
        }
      }
      if (n == 0) *type = TK_ILLEGAL;
      return i;
    }
    case 'x': case 'X':
      if (z[1] == '\'') {
        *type = TK_BLOB;
        for (i = 2; is_xdigit(z[i]); i++) {
        }
        if (z[i] != '\'' || (i % 2) != 0) {
          *type = TK_ILLEGAL;
          while (z[i] && z[i] != '\'') i++;
        }
        if (z[i]) i++;
        return i;
      }
      /* FALLTHRU */
    default:
      if (!is_idstart(z[0])) {
        *type = TK_ILLEGAL;
        return 1;
      }
      for (i = 1; is_idchar(z[i]); i++) {
      }
      *type = sql_keyword_code((const char *)z, i);
      return i;
  }
}

/* ---------------------------------------------------------- completeness */
/* Token classes for the statement-completeness machine. */
enum { CT_SEMI, CT_WS, CT_OTHER, CT_EXPLAIN, CT_CREATE, CT_TEMP, CT_TRIGGER, CT_END };

/* States: 0 nothing yet, 1 between statements, 2 inside a statement,
** 3 after EXPLAIN, 4 after CREATE [TEMP], 5 inside a trigger body,
** 6 after ';' inside a trigger body, 7 after ';END' of a trigger body. */
static const u8 complete_next[8][8] = {
    /*            ;  ws oth exp cre tmp trg end */
    /* 0 */ {1, 0, 2, 3, 4, 2, 2, 2},
    /* 1 */ {1, 1, 2, 3, 4, 2, 2, 2},
    /* 2 */ {1, 2, 2, 2, 2, 2, 2, 2},
    /* 3 */ {1, 3, 3, 2, 4, 2, 2, 2},
    /* 4 */ {1, 4, 2, 2, 2, 4, 5, 2},
    /* 5 */ {6, 5, 5, 5, 5, 5, 5, 5},
    /* 6 */ {6, 6, 5, 5, 5, 5, 5, 7},
    /* 7 */ {1, 7, 5, 5, 5, 5, 5, 5},
};

int sql_complete(const char *zSql) {
  const unsigned char *z = (const unsigned char *)zSql;
  int state = 0, cls;
  if (z == NULL) return 0;
  while (*z) {
    switch (*z) {
      case ';': cls = CT_SEMI; z++; break;
      case ' ': case '\r': case '\t': case '\n': case '\f':
        cls = CT_WS;
        z++;
        break;
      case '/':
        if (z[1] != '*') { cls = CT_OTHER; z++; break; }
        z += 2;
        while (z[0] && (z[0] != '*' || z[1] != '/')) z++;
        if (z[0] == 0) return 0;
        z += 2;
        cls = CT_WS;
        break;
      case '-':
        if (z[1] != '-') { cls = CT_OTHER; z++; break; }
        while (*z && *z != '\n') z++;
        if (*z == 0) return state == 1;
        cls = CT_WS;
        break;
      case '[':
        z++;
        while (*z && *z != ']') z++;
        if (*z == 0) return 0;
        z++;
        cls = CT_OTHER;
        break;
      case '`': case '"': case '\'': {
        int c = *z++;
        while (*z && *z != c) z++;
        if (*z == 0) return 0;
        z++;
        cls = CT_OTHER;
        break;
      }
      default:
        if (is_idchar(*z)) {
          int n = 1;
          while (is_idchar(z[n])) n++;
          cls = CT_OTHER;
          switch (sql_keyword_code((const char *)z, n)) {
            case TK_CREATE: cls = CT_CREATE; break;
            case TK_TRIGGER: cls = CT_TRIGGER; break;
            case TK_TEMP: case TK_TEMPORARY: cls = CT_TEMP; break;
            case TK_END: cls = CT_END; break;
            case TK_EXPLAIN: cls = CT_EXPLAIN; break;
            default: break;
          }
          z += n;
        } else {
          cls = CT_OTHER;
          z++;
        }
        break;
    }
    state = complete_next[state][cls];
  }
  return state == 1;
}

/* The keyword table by index, for sqlite3_keyword_count/_name (api layer). */
int sql_keyword_count(void) { return (int)SHALE_ARRAY_SIZE(keywords); }

const char *sql_keyword_at(int i, int *n) {
  if (i < 0 || i >= (int)SHALE_ARRAY_SIZE(keywords)) return NULL;
  if (n) *n = keywords[i].len;
  return keywords[i].name;
}
