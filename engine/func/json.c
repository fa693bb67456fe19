/*
** json.c — the JSON functions built into SQLite 3.40 (json1): json,
** json_array, json_array_length, json_extract, -> and ->>, json_insert,
** json_object, json_patch, json_quote, json_remove, json_replace, json_set,
** json_type, json_valid, json_group_array, json_group_object.
** (json_each / json_tree are table-valued and not provided.)
**
** Semantics follow 3.40: strict RFC 8259 input (no JSON5), output minified
** with every string and number kept exactly as written in the input, path
** syntax $ .key ."key" [N] [#] [#-N], the JSON subtype ('J') marking values
** that are JSON text, error messages as SQLite's.
**
** A document is parsed into a tree of JNode (children in arrays; object
** children alternate label, value).  Edits mark nodes (REMOVE, REPLACE with
** an argument index, PATCH with a pointer to a patch node) or append
** children, and rendering honours the marks, as SQLite's node array does.
*/
#include <stdlib.h>
#include "func_int.h"
#include "../util/printf.h"
#include "../util/utf.h"

#define JSON_SUBTYPE 74 /* 'J' */
#define JSON_MAX_DEPTH 2000

#include "json_int.h"

static const char *const jtype_names[] = {"null", "true", "false", "integer",
                                          "real", "text", "array", "object"};

static JNode *jnew(JParse *p, u8 type, const char *z, u32 n) {
  if (p->blocks == NULL || p->blocks->used == JBLOCK) {
    JBlock *b = sqlite3_malloc64(sizeof(JBlock));
    if (b == NULL) {
      p->oom = 1;
      return NULL;
    }
    b->next = p->blocks;
    b->used = 0;
    p->blocks = b;
  }
  JNode *x = &p->blocks->nodes[p->blocks->used++];
  memset(x, 0, sizeof(*x));
  x->type = type;
  x->z = z;
  x->n = n;
  return x;
}

static int jadd(JParse *p, JNode *parent, JNode *kid) {
  if (kid == NULL) return 1;
  if (parent->nkid == parent->akid) {
    int na = parent->akid ? parent->akid * 2 : 4;
    JNode **k = sqlite3_realloc64(parent->kid, (u64)na * sizeof(JNode *));
    if (k == NULL) {
      p->oom = 1;
      return 1;
    }
    parent->kid = k;
    parent->akid = na;
  }
  parent->kid[parent->nkid++] = kid;
  return 0;
}

static void jparse_free(JParse *p) {
  JBlock *b = p->blocks;
  while (b) {
    JBlock *next = b->next;
    for (int i = 0; i < b->used; i++) sqlite3_free(b->nodes[i].kid);
    sqlite3_free(b);
    b = next;
  }
  p->blocks = NULL;
  p->root = NULL;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_4hex(const char *z) { return is_hex(z[0]) && is_hex(z[1]) && is_hex(z[2]) && is_hex(z[3]); }
static int is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Parse one value at z[i]; returns the index after it, -1 on error.
** *out receives the node. */
static int jparse_value(JParse *p, const char *z, int i, JNode **out) {
  char c;
  *out = NULL;
  while (is_ws(z[i])) i++;
  c = z[i];
  if (c == '{') {
    JNode *obj = jnew(p, J_OBJECT, NULL, 0);
    if (obj == NULL) return -1;
    if (++p->depth > JSON_MAX_DEPTH) return -1;
    int j = i + 1;
    for (;;) {
      while (is_ws(z[j])) j++;
      if (obj->nkid == 0 && z[j] == '}') break; /* {} */
      JNode *label;
      int x = jparse_value(p, z, j, &label);
      if (x < 0) return -1;
      if (label == NULL || label->type != J_STRING) return -1;
      label->flags |= JF_LABEL;
      if (jadd(p, obj, label)) return -1;
      j = x;
      while (is_ws(z[j])) j++;
      if (z[j] != ':') return -1;
      j++;
      JNode *val;
      x = jparse_value(p, z, j, &val);
      if (x < 0) return -1;
      if (jadd(p, obj, val)) return -1;
      j = x;
      while (is_ws(z[j])) j++;
      c = z[j];
      if (c == ',') {
        j++;
        continue;
      }
      if (c != '}') return -1;
      break;
    }
    p->depth--;
    *out = obj;
    return j + 1;
  } else if (c == '[') {
    JNode *arr = jnew(p, J_ARRAY, NULL, 0);
    if (arr == NULL) return -1;
    if (++p->depth > JSON_MAX_DEPTH) return -1;
    int j = i + 1;
    for (;;) {
      while (is_ws(z[j])) j++;
      if (arr->nkid == 0 && z[j] == ']') break; /* [] */
      JNode *val;
      int x = jparse_value(p, z, j, &val);
      if (x < 0) return -1;
      if (jadd(p, arr, val)) return -1;
      j = x;
      while (is_ws(z[j])) j++;
      c = z[j];
      if (c == ',') {
        j++;
        continue;
      }
      if (c != ']') return -1;
      break;
    }
    p->depth--;
    *out = arr;
    return j + 1;
  } else if (c == '"') {
    u8 flags = 0;
    int j = i + 1;
    for (;;) {
      c = z[j];
      if ((c & ~0x1f) == 0) return -1; /* control characters, and the NUL */
      if (c == '\\') {
        c = z[++j];
        if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
            c == 't' || (c == 'u' && is_4hex(z + j + 1))) {
          flags = JF_ESCAPE;
        } else {
          return -1;
        }
      } else if (c == '"') {
        break;
      }
      j++;
    }
    JNode *s = jnew(p, J_STRING, &z[i], (u32)(j + 1 - i));
    if (s == NULL) return -1;
    s->flags = flags;
    *out = s;
    return j + 1;
  } else if (c == 'n' && strncmp(z + i, "null", 4) == 0 && !is_alnum(z[i + 4])) {
    *out = jnew(p, J_NULL, NULL, 0);
    return *out ? i + 4 : -1;
  } else if (c == 't' && strncmp(z + i, "true", 4) == 0 && !is_alnum(z[i + 4])) {
    *out = jnew(p, J_TRUE, NULL, 0);
    return *out ? i + 4 : -1;
  } else if (c == 'f' && strncmp(z + i, "false", 5) == 0 && !is_alnum(z[i + 5])) {
    *out = jnew(p, J_FALSE, NULL, 0);
    return *out ? i + 5 : -1;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    int seen_dp = 0, seen_e = 0, j;
    if (c <= '0') {
      j = c == '-' ? i + 1 : i;
      if (z[j] == '0' && z[j + 1] >= '0' && z[j + 1] <= '9') return -1;
    }
    j = i + 1;
    for (;; j++) {
      c = z[j];
      if (c >= '0' && c <= '9') continue;
      if (c == '.') {
        if (z[j - 1] == '-') return -1;
        if (seen_dp) return -1;
        seen_dp = 1;
        continue;
      }
      if (c == 'e' || c == 'E') {
        if (z[j - 1] < '0') return -1;
        if (seen_e) return -1;
        seen_dp = seen_e = 1;
        c = z[j + 1];
        if (c == '+' || c == '-') {
          j++;
          c = z[j + 1];
        }
        if (c < '0' || c > '9') return -1;
        continue;
      }
      break;
    }
    if (z[j - 1] < '0') return -1;
    *out = jnew(p, seen_dp ? J_REAL : J_INT, &z[i], (u32)(j - i));
    return *out ? j : -1;
  }
  return -1;
}

/* Parse a whole document.  Returns 0 on success.  On failure reports
** "malformed JSON" through ctx (if not NULL). */
static int jparse(JParse *p, const char *z, sqlite3_context *ctx) {
  memset(p, 0, sizeof(*p));
  p->json = z;
  JNode *root;
  int i = jparse_value(p, z, 0, &root);
  if (i > 0 && root) {
    while (is_ws(z[i])) i++;
    if (z[i] == 0) {
      p->root = root;
      return 0;
    }
  }
  if (ctx) {
    if (p->oom) sqlite3_result_error_nomem(ctx);
    else sqlite3_result_error(ctx, "malformed JSON", -1);
  }
  jparse_free(p);
  return 1;
}

/* ---- output ---- */
static void jappend_string(sqlite3_str *s, const char *z, u32 n) {
  static const char special[32] = {0, 0, 0, 0, 0, 0, 0, 0, 'b', 't', 'n', 0, 'f', 'r', 0, 0,
                                   0, 0, 0, 0, 0, 0, 0, 0, 0,   0,   0,   0, 0,   0,   0, 0};
  if (z == NULL) return;
  sqlite3_str_appendchar(s, 1, '"');
  u32 start = 0;
  for (u32 i = 0; i < n; i++) {
    u8 c = (u8)z[i];
    if (c == '"' || c == '\\' || c <= 0x1f) {
      if (i > start) sqlite3_str_append(s, z + start, (int)(i - start));
      start = i + 1;
      if (c == '"' || c == '\\') {
        char e[2] = {'\\', (char)c};
        sqlite3_str_append(s, e, 2);
      } else if (special[c]) {
        char e[2] = {'\\', special[c]};
        sqlite3_str_append(s, e, 2);
      } else {
        char e[6] = {'\\', 'u', '0', '0', (char)('0' + (c >> 4)), "0123456789abcdef"[c & 0xf]};
        sqlite3_str_append(s, e, 6);
      }
    }
  }
  if (n > start) sqlite3_str_append(s, z + start, (int)(n - start));
  sqlite3_str_appendchar(s, 1, '"');
}

static void jappend_sep(sqlite3_str *s) {
  if (s->n == 0) return;
  char c = s->z[s->n - 1];
  if (c != '[' && c != '{') sqlite3_str_appendchar(s, 1, ',');
}

/* SQL value -> JSON.  Returns 1 (and reports) for a BLOB. */
static int jappend_value(sqlite3_str *s, sqlite3_value *v, sqlite3_context *ctx) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: sqlite3_str_append(s, "null", 4); break;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: {
      const char *z = (const char *)sqlite3_value_text(v);
      int n = sqlite3_value_bytes(v);
      sqlite3_str_append(s, z, n);
      break;
    }
    case SQLITE_TEXT: {
      const char *z = (const char *)sqlite3_value_text(v);
      int n = sqlite3_value_bytes(v);
      if (sqlite3_value_subtype(v) == JSON_SUBTYPE) sqlite3_str_append(s, z, n);
      else jappend_string(s, z, (u32)n);
      break;
    }
    default:
      sqlite3_result_error(ctx, "JSON cannot hold BLOB values", -1);
      return 1;
  }
  return 0;
}

static int jrender(JNode *x, sqlite3_str *s, sqlite3_value **repl, sqlite3_context *ctx) {
  if (x->flags & (JF_REPLACE | JF_PATCH)) {
    if ((x->flags & JF_REPLACE) && repl) return jappend_value(s, repl[x->i_replace], ctx);
    if (x->flags & JF_PATCH) x = x->patch;
  }
  switch (x->type) {
    case J_NULL: sqlite3_str_append(s, "null", 4); break;
    case J_TRUE: sqlite3_str_append(s, "true", 4); break;
    case J_FALSE: sqlite3_str_append(s, "false", 5); break;
    case J_STRING:
      if (x->flags & JF_RAW) {
        jappend_string(s, x->z, x->n);
        break;
      }
      /* fall through */
    case J_INT:
    case J_REAL: sqlite3_str_append(s, x->z, (int)x->n); break;
    case J_ARRAY:
      sqlite3_str_appendchar(s, 1, '[');
      for (int i = 0; i < x->nkid; i++) {
        if (x->kid[i]->flags & JF_REMOVE) continue;
        jappend_sep(s);
        if (jrender(x->kid[i], s, repl, ctx)) return 1;
      }
      sqlite3_str_appendchar(s, 1, ']');
      break;
    case J_OBJECT:
      sqlite3_str_appendchar(s, 1, '{');
      for (int i = 0; i + 1 < x->nkid; i += 2) {
        if (x->kid[i + 1]->flags & JF_REMOVE) continue;
        jappend_sep(s);
        if (jrender(x->kid[i], s, repl, ctx)) return 1;
        sqlite3_str_appendchar(s, 1, ':');
        if (jrender(x->kid[i + 1], s, repl, ctx)) return 1;
      }
      sqlite3_str_appendchar(s, 1, '}');
      break;
  }
  return 0;
}

static void jresult_str(sqlite3_context *ctx, sqlite3_str *s, int subtype) {
  int n = (int)s->n, err = s->err;
  char *z = shale_str_finish(s);
  if (err == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
  else if (err) sqlite3_result_error_nomem(ctx);
  else {
    sqlite3_result_text(ctx, z ? z : "", n, z ? sqlite3_free : SQLITE_STATIC);
    if (subtype) sqlite3_result_subtype(ctx, JSON_SUBTYPE);
    return;
  }
  sqlite3_free(z);
}

static void jreturn_json(JNode *x, sqlite3_context *ctx, sqlite3_value **repl) {
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  if (jrender(x, &s, repl, ctx)) {
    sqlite3_str_reset(&s);
    return;
  }
  jresult_str(ctx, &s, 1);
}

static u32 hex4(const char *z) {
  u32 v = 0;
  for (int i = 0; i < 4; i++) {
    char c = z[i];
    v = v * 16 + (u32)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

/* JSON node -> SQL value. */
static void jreturn(JNode *x, sqlite3_context *ctx, sqlite3_value **repl) {
  switch (x->type) {
    case J_NULL: sqlite3_result_null(ctx); break;
    case J_TRUE: sqlite3_result_int(ctx, 1); break;
    case J_FALSE: sqlite3_result_int(ctx, 0); break;
    case J_INT: {
      i64 i = 0;
      const char *z = x->z, *end = x->z + x->n;
      int neg = z[0] == '-';
      if (neg) z++;
      while (z < end && z[0] >= '0' && z[0] <= '9') {
        unsigned v = (unsigned)(*(z++) - '0');
        if (i >= 0x7fffffffffffffffLL / 10) {
          if (i > 0x7fffffffffffffffLL / 10) goto as_real;
          if (z < end && z[0] >= '0' && z[0] <= '9') goto as_real;
          if (v == 9) goto as_real;
          if (v == 8) {
            if (neg) {
              sqlite3_result_int64(ctx, (i64)(-0x7fffffffffffffffLL - 1));
              return;
            }
            goto as_real;
          }
        }
        i = i * 10 + v;
      }
      sqlite3_result_int64(ctx, neg ? -i : i);
      return;
    }
    as_real:
      /* fall through */
    case J_REAL: {
      double r;
      shale_atof_sqlite(x->z, &r, (int)x->n);
      sqlite3_result_double(ctx, r);
      break;
    }
    case J_STRING: {
      if (x->flags & JF_RAW) {
        sqlite3_result_text(ctx, x->z, (int)x->n, SQLITE_TRANSIENT);
      } else if ((x->flags & JF_ESCAPE) == 0) {
        sqlite3_result_text(ctx, x->z + 1, (int)x->n - 2, SQLITE_TRANSIENT);
      } else {
        const char *z = x->z;
        u32 n = x->n;
        char *out = sqlite3_malloc64((u64)n + 1);
        if (out == NULL) {
          sqlite3_result_error_nomem(ctx);
          return;
        }
        u32 j = 0;
        for (u32 i = 1; i < n - 1; i++) {
          char c = z[i];
          if (c != '\\') {
            out[j++] = c;
            continue;
          }
          c = z[++i];
          if (c == 'u') {
            u32 v = hex4(z + i + 1);
            i += 4;
            if (v == 0) break;
            if (v <= 0x7f) {
              out[j++] = (char)v;
            } else if (v <= 0x7ff) {
              out[j++] = (char)(0xc0 | (v >> 6));
              out[j++] = (char)(0x80 | (v & 0x3f));
            } else {
              u32 vlo;
              if ((v & 0xfc00) == 0xd800 && i < n - 6 && z[i + 1] == '\\' && z[i + 2] == 'u' &&
                  ((vlo = hex4(&z[i + 3])) & 0xfc00) == 0xdc00) {
                v = ((v & 0x3ff) << 10) + (vlo & 0x3ff) + 0x10000;
                i += 6;
                out[j++] = (char)(0xf0 | (v >> 18));
                out[j++] = (char)(0x80 | ((v >> 12) & 0x3f));
                out[j++] = (char)(0x80 | ((v >> 6) & 0x3f));
                out[j++] = (char)(0x80 | (v & 0x3f));
              } else {
                out[j++] = (char)(0xe0 | (v >> 12));
                out[j++] = (char)(0x80 | ((v >> 6) & 0x3f));
                out[j++] = (char)(0x80 | (v & 0x3f));
              }
            }
          } else {
            if (c == 'b') c = '\b';
            else if (c == 'f') c = '\f';
            else if (c == 'n') c = '\n';
            else if (c == 'r') c = '\r';
            else if (c == 't') c = '\t';
            out[j++] = c;
          }
        }
        out[j] = 0;
        sqlite3_result_text(ctx, out, (int)j, sqlite3_free);
      }
      break;
    }
    default: jreturn_json(x, ctx, repl); break;
  }
}

/* ---- paths ---- */
static int label_eq(JNode *label, const char *key, u32 nkey) {
  if (label->flags & JF_RAW) return label->n == nkey && strncmp(label->z, key, nkey) == 0;
  return label->n == nkey + 2 && strncmp(label->z + 1, key, nkey) == 0;
}

static JNode *lookup_step(JParse *p, JNode *root, const char *path, int *apnd, const char **err);

/* Create the container the rest of the path needs (json_set / json_insert):
** returns it, not yet linked into the document; last_leaf() finds the new
** leaf inside.  NULL when the path cannot be created (e.g. "[1]"). */
static JNode *lookup_append(JParse *p, const char *path, int *apnd, const char **err) {
  *apnd = 1;
  JNode *x;
  if (path[0] == '.') x = jnew(p, J_OBJECT, NULL, 0);
  else if (strncmp(path, "[0]", 3) == 0) x = jnew(p, J_ARRAY, NULL, 0);
  else return NULL;
  if (x == NULL) return NULL;
  return lookup_step(p, x, path, apnd, err) ? x : NULL;
}

static JNode *last_leaf(JNode *x) {
  while ((x->type == J_ARRAY || x->type == J_OBJECT) && x->nkid > 0) x = x->kid[x->nkid - 1];
  return x;
}

static JNode *lookup_step(JParse *p, JNode *root, const char *path, int *apnd, const char **err) {
  if (path[0] == 0) return root;
  if (root->flags & JF_REPLACE) return NULL;
  if (path[0] == '.') {
    const char *key;
    u32 nkey;
    int i;
    if (root->type != J_OBJECT) return NULL;
    path++;
    if (path[0] == '"') {
      key = path + 1;
      for (i = 1; path[i] && path[i] != '"'; i++) {
      }
      nkey = (u32)(i - 1);
      if (path[i]) {
        i++;
      } else {
        *err = path;
        return NULL;
      }
    } else {
      key = path;
      for (i = 0; path[i] && path[i] != '.' && path[i] != '['; i++) {
      }
      nkey = (u32)i;
      if (nkey == 0) {
        *err = path;
        return NULL;
      }
    }
    for (int j = 0; j + 1 < root->nkid; j += 2) {
      if (label_eq(root->kid[j], key, nkey))
        return lookup_step(p, root->kid[j + 1], &path[i], apnd, err);
    }
    if (apnd) {
      JNode *label = jnew(p, J_STRING, key, nkey);
      if (label == NULL) return NULL;
      label->flags |= JF_RAW | JF_LABEL;
      JNode *val;
      if (path[i] == 0) {
        *apnd = 1;
        val = jnew(p, J_NULL, NULL, 0);
        if (val == NULL) return NULL;
        if (jadd(p, root, label) || jadd(p, root, val)) return NULL;
        return val;
      }
      val = lookup_append(p, &path[i], apnd, err);
      if (val == NULL) return NULL;
      if (jadd(p, root, label) || jadd(p, root, val)) return NULL;
      return last_leaf(val);
    }
    return NULL;
  } else if (path[0] == '[') {
    int i = 0, j = 1;
    while (path[j] >= '0' && path[j] <= '9') {
      i = i * 10 + path[j] - '0';
      j++;
    }
    if (j < 2 || path[j] != ']') {
      if (path[1] == '#') {
        if (root->type != J_ARRAY) return NULL;
        i = 0;
        for (int k = 0; k < root->nkid; k++)
          if ((root->kid[k]->flags & JF_REMOVE) == 0) i++;
        j = 2;
        if (path[2] == '-' && path[3] >= '0' && path[3] <= '9') {
          unsigned x = 0;
          j = 3;
          do {
            x = x * 10 + (unsigned)(path[j] - '0');
            j++;
          } while (path[j] >= '0' && path[j] <= '9');
          if (x > (unsigned)i) return NULL;
          i -= (int)x;
        }
        if (path[j] != ']') {
          *err = path;
          return NULL;
        }
      } else {
        *err = path;
        return NULL;
      }
    }
    if (root->type != J_ARRAY) return NULL;
    path += j + 1;
    int k = 0;
    while (k < root->nkid && (i > 0 || (root->kid[k]->flags & JF_REMOVE) != 0)) {
      if ((root->kid[k]->flags & JF_REMOVE) == 0) i--;
      k++;
    }
    if (k < root->nkid) return lookup_step(p, root->kid[k], path, apnd, err);
    if (i == 0 && apnd) {
      JNode *val;
      if (path[0] == 0) {
        *apnd = 1;
        val = jnew(p, J_NULL, NULL, 0);
        if (val == NULL || jadd(p, root, val)) return NULL;
        return val;
      }
      val = lookup_append(p, path, apnd, err);
      if (val == NULL) return NULL;
      if (jadd(p, root, val)) return NULL;
      return last_leaf(val);
    }
    return NULL;
  }
  *err = path;
  return NULL;
}

/* Returns the node at zPath, NULL if none.  Reports path errors through
** ctx and counts them in p->n_err. */
static JNode *jlookup(JParse *p, const char *path, int *apnd, sqlite3_context *ctx) {
  const char *err = NULL;
  JNode *x = NULL;
  if (path == NULL) return NULL;
  if (path[0] != '$') {
    err = path;
  } else {
    x = lookup_step(p, p->root, path + 1, apnd, &err);
    if (err == NULL) return x;
  }
  p->n_err++;
  char *msg = sqlite3_mprintf("JSON path error near '%q'", err);
  if (msg) {
    sqlite3_result_error(ctx, msg, -1);
    sqlite3_free(msg);
  } else {
    sqlite3_result_error_nomem(ctx);
  }
  return NULL;
}

/* Parse argv[0]; NULL input gives NULL (0 returned, no error). */
static int jparse_arg(JParse *p, sqlite3_value *v, sqlite3_context *ctx) {
  const char *z = (const char *)sqlite3_value_text(v);
  if (z == NULL) {
    memset(p, 0, sizeof(*p));
    return 1;
  }
  return jparse(p, z, ctx);
}

/* ---- SQL functions ---- */
void fn_json(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  JParse p;
  if (jparse_arg(&p, argv[0], ctx)) return;
  jreturn_json(p.root, ctx, NULL);
  jparse_free(&p);
}

void fn_json_valid(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  JParse p;
  int bad = jparse_arg(&p, argv[0], NULL);
  if (p.oom) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_int(ctx, !bad);
  if (!bad) jparse_free(&p);
}

void fn_json_type(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  JParse p;
  if (jparse_arg(&p, argv[0], ctx)) return;
  JNode *x = p.root;
  if (argc == 2) x = jlookup(&p, (const char *)sqlite3_value_text(argv[1]), NULL, ctx);
  if (x) sqlite3_result_text(ctx, jtype_names[x->type], -1, SQLITE_STATIC);
  jparse_free(&p);
}

void fn_json_array_length(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  JParse p;
  if (jparse_arg(&p, argv[0], ctx)) return;
  JNode *x = p.root;
  if (argc == 2) x = jlookup(&p, (const char *)sqlite3_value_text(argv[1]), NULL, ctx);
  if (x) {
    i64 n = 0;
    if (x->type == J_ARRAY)
      for (int i = 0; i < x->nkid; i++)
        if ((x->kid[i]->flags & JF_REMOVE) == 0) n++;
    sqlite3_result_int64(ctx, n);
  }
  jparse_free(&p);
}

#define JSON_JSON 1   /* -> : result is JSON */
#define JSON_SQL 2    /* ->> : result is an SQL value */
#define JSON_ABPATH 3 /* abbreviated paths allowed */

void fn_json_extract(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  int flags = (int)(intptr_t)sqlite3_user_data(ctx);
  JParse p;
  if (argc < 2) return;
  if (jparse_arg(&p, argv[0], ctx)) return;
  if (argc == 2) {
    const char *path = (const char *)sqlite3_value_text(argv[1]);
    if (path == NULL) goto done;
    if (flags & JSON_ABPATH) {
      JNode *x;
      if (path[0] != '$') {
        char *full;
        if (path[0] >= '0' && path[0] <= '9') full = sqlite3_mprintf("$[%s]", path);
        else full = sqlite3_mprintf(path[0] == '[' ? "$%s" : "$.%s", path);
        if (full == NULL) {
          sqlite3_result_error_nomem(ctx);
          goto done;
        }
        x = jlookup(&p, full, NULL, ctx);
        sqlite3_free(full);
      } else {
        x = jlookup(&p, path, NULL, ctx);
      }
      if (x) {
        if (flags == JSON_JSON) {
          jreturn_json(x, ctx, NULL);
        } else {
          jreturn(x, ctx, NULL);
          sqlite3_result_subtype(ctx, 0);
        }
      }
    } else {
      JNode *x = jlookup(&p, path, NULL, ctx);
      if (p.n_err == 0 && x) jreturn(x, ctx, NULL);
    }
  } else {
    sqlite3_str s;
    shale_str_init(&s, NULL, 0, func_max_length(ctx));
    sqlite3_str_appendchar(&s, 1, '[');
    int i;
    for (i = 1; i < argc; i++) {
      JNode *x = jlookup(&p, (const char *)sqlite3_value_text(argv[i]), NULL, ctx);
      if (p.n_err) break;
      jappend_sep(&s);
      if (x) jrender(x, &s, NULL, ctx);
      else sqlite3_str_append(&s, "null", 4);
    }
    if (i == argc) {
      sqlite3_str_appendchar(&s, 1, ']');
      jresult_str(ctx, &s, 1);
    } else {
      sqlite3_str_reset(&s);
    }
  }
done:
  jparse_free(&p);
}

void fn_json_quote(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  if (jappend_value(&s, argv[0], ctx)) {
    sqlite3_str_reset(&s);
    return;
  }
  jresult_str(ctx, &s, 1);
}

void fn_json_array(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  sqlite3_str_appendchar(&s, 1, '[');
  for (int i = 0; i < argc; i++) {
    jappend_sep(&s);
    if (jappend_value(&s, argv[i], ctx)) {
      sqlite3_str_reset(&s);
      return;
    }
  }
  sqlite3_str_appendchar(&s, 1, ']');
  jresult_str(ctx, &s, 1);
}

void fn_json_object(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (argc & 1) {
    sqlite3_result_error(ctx, "json_object() requires an even number of arguments", -1);
    return;
  }
  sqlite3_str s;
  shale_str_init(&s, NULL, 0, func_max_length(ctx));
  sqlite3_str_appendchar(&s, 1, '{');
  for (int i = 0; i < argc; i += 2) {
    if (sqlite3_value_type(argv[i]) != SQLITE_TEXT) {
      sqlite3_result_error(ctx, "json_object() labels must be TEXT", -1);
      sqlite3_str_reset(&s);
      return;
    }
    jappend_sep(&s);
    const char *z = (const char *)sqlite3_value_text(argv[i]);
    jappend_string(&s, z, (u32)sqlite3_value_bytes(argv[i]));
    sqlite3_str_appendchar(&s, 1, ':');
    if (jappend_value(&s, argv[i + 1], ctx)) {
      sqlite3_str_reset(&s);
      return;
    }
  }
  sqlite3_str_appendchar(&s, 1, '}');
  jresult_str(ctx, &s, 1);
}

void fn_json_remove(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  JParse p;
  if (argc < 1) return;
  if (jparse_arg(&p, argv[0], ctx)) return;
  for (int i = 1; i < argc; i++) {
    const char *path = (const char *)sqlite3_value_text(argv[i]);
    if (path == NULL) goto done;
    JNode *x = jlookup(&p, path, NULL, ctx);
    if (p.n_err) goto done;
    if (x) x->flags |= JF_REMOVE;
  }
  if ((p.root->flags & JF_REMOVE) == 0) jreturn_json(p.root, ctx, NULL);
done:
  jparse_free(&p);
}

static void wrong_num_args(sqlite3_context *ctx, const char *name) {
  char *msg = sqlite3_mprintf("json_%s() needs an odd number of arguments", name);
  sqlite3_result_error(ctx, msg ? msg : "out of memory", -1);
  sqlite3_free(msg);
}

void fn_json_replace(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  JParse p;
  if (argc < 1) return;
  if ((argc & 1) == 0) {
    wrong_num_args(ctx, "replace");
    return;
  }
  if (jparse_arg(&p, argv[0], ctx)) return;
  for (int i = 1; i < argc; i += 2) {
    JNode *x = jlookup(&p, (const char *)sqlite3_value_text(argv[i]), NULL, ctx);
    if (p.n_err) goto done;
    if (x) {
      x->flags |= JF_REPLACE;
      x->i_replace = i + 1;
    }
  }
  if (p.root->flags & JF_REPLACE) sqlite3_result_value(ctx, argv[p.root->i_replace]);
  else jreturn_json(p.root, ctx, argv);
done:
  jparse_free(&p);
}

/* json_set (user_data 1) and json_insert (0) */
void fn_json_set(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  int is_set = sqlite3_user_data(ctx) != NULL;
  JParse p;
  if (argc < 1) return;
  if ((argc & 1) == 0) {
    wrong_num_args(ctx, is_set ? "set" : "insert");
    return;
  }
  if (jparse_arg(&p, argv[0], ctx)) return;
  for (int i = 1; i < argc; i += 2) {
    const char *path = (const char *)sqlite3_value_text(argv[i]);
    int apnd = 0;
    JNode *x = jlookup(&p, path, &apnd, ctx);
    if (p.oom) {
      sqlite3_result_error_nomem(ctx);
      goto done;
    }
    if (p.n_err) goto done;
    if (x && (apnd || is_set)) {
      x->flags |= JF_REPLACE;
      x->i_replace = i + 1;
    }
  }
  if (p.root->flags & JF_REPLACE) sqlite3_result_value(ctx, argv[p.root->i_replace]);
  else jreturn_json(p.root, ctx, argv);
done:
  jparse_free(&p);
}

static void remove_all_nulls(JNode *x) {
  for (int i = 1; i < x->nkid; i += 2) {
    JNode *v = x->kid[i];
    if (v->type == J_NULL) v->flags |= JF_REMOVE;
    else if (v->type == J_OBJECT) remove_all_nulls(v);
  }
}

/* RFC 7396 MergePatch, as SQLite 3.40 does it. */
static JNode *merge_patch(JParse *p, JNode *target, JNode *patch) {
  if (patch->type != J_OBJECT) return patch;
  if (target->type != J_OBJECT) {
    remove_all_nulls(patch);
    return patch;
  }
  /* Members appended below are not searched again (SQLite scans only the
  ** target's original members), so a key repeated in the patch is added
  ** twice. */
  int n_orig = target->nkid;
  for (int i = 0; i + 1 < patch->nkid; i += 2) {
    JNode *pk = patch->kid[i], *pv = patch->kid[i + 1];
    int j;
    for (j = 0; j + 1 < n_orig; j += 2) {
      JNode *tk = target->kid[j];
      if (tk->n == pk->n && strncmp(tk->z, pk->z, pk->n) == 0) {
        JNode *tv = target->kid[j + 1];
        if (tv->flags & (JF_REMOVE | JF_PATCH)) break;
        if (pv->type == J_NULL) {
          tv->flags |= JF_REMOVE;
        } else {
          JNode *nv = merge_patch(p, tv, pv);
          if (nv == NULL) return NULL;
          if (nv != tv) {
            tv->patch = nv;
            tv->flags |= JF_PATCH;
          }
        }
        break;
      }
    }
    if (j + 1 >= n_orig && pv->type != J_NULL) {
      JNode *label = jnew(p, J_STRING, pk->z, pk->n);
      JNode *val = jnew(p, J_TRUE, NULL, 0);
      if (label == NULL || val == NULL) return NULL;
      label->flags = pk->flags;
      if (pv->type == J_OBJECT) remove_all_nulls(pv);
      val->flags |= JF_PATCH;
      val->patch = pv;
      if (jadd(p, target, label) || jadd(p, target, val)) return NULL;
    }
  }
  return target;
}

void fn_json_patch(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  JParse x, y;
  if (jparse_arg(&x, argv[0], ctx)) return;
  if (jparse_arg(&y, argv[1], ctx)) {
    jparse_free(&x);
    return;
  }
  /* Patch nodes live in y's arena; target edits in x's. */
  JNode *r = merge_patch(&x, x.root, y.root);
  if (r) jreturn_json(r, ctx, NULL);
  else sqlite3_result_error_nomem(ctx);
  jparse_free(&x);
  jparse_free(&y);
}

/* ---- aggregates ---- */
typedef struct JAgg {
  sqlite3_str s;
  int started;
} JAgg;

static void jagg_step_common(sqlite3_context *ctx, JAgg *a, char open) {
  if (!a->started) {
    shale_str_init(&a->s, NULL, 0, func_max_length(ctx));
    sqlite3_str_appendchar(&a->s, 1, open);
    a->started = 1;
  } else if (a->s.n > 1) {
    sqlite3_str_appendchar(&a->s, 1, ',');
  }
}

void fn_json_group_array_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  JAgg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
  if (a == NULL) return;
  jagg_step_common(ctx, a, '[');
  jappend_value(&a->s, argv[0], ctx);
}

void fn_json_group_object_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  JAgg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
  if (a == NULL) return;
  jagg_step_common(ctx, a, '{');
  const char *z = (const char *)sqlite3_value_text(argv[0]);
  jappend_string(&a->s, z, (u32)sqlite3_value_bytes(argv[0]));
  sqlite3_str_appendchar(&a->s, 1, ':');
  jappend_value(&a->s, argv[1], ctx);
}

/* Window inverse: drop the first element (up to the first top-level ','). */
void fn_json_group_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  JAgg *a = sqlite3_aggregate_context(ctx, 0);
  if (a == NULL || !a->started || a->s.n < 2) return;
  char *z = a->s.z;
  int in_str = 0, nest = 0;
  u32 i;
  for (i = 1; i < a->s.n; i++) {
    char c = z[i];
    if (c == ',' && !in_str && nest == 0) break;
    if (c == '"') in_str = !in_str;
    else if (c == '\\') i++;
    else if (!in_str) {
      if (c == '{' || c == '[') nest++;
      if (c == '}' || c == ']') nest--;
    }
  }
  if (i < a->s.n) {
    a->s.n -= i;
    memmove(&z[1], &z[i + 1], (size_t)a->s.n - 1);
  } else {
    a->s.n = 1;
  }
}

static void jagg_result(sqlite3_context *ctx, int final, char close, const char *empty) {
  JAgg *a = sqlite3_aggregate_context(ctx, 0);
  if (a == NULL || !a->started) {
    sqlite3_result_text(ctx, empty, 2, SQLITE_STATIC);
    sqlite3_result_subtype(ctx, JSON_SUBTYPE);
    return;
  }
  if (a->s.err) {
    if (a->s.err == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
    else sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_str_appendchar(&a->s, 1, close);
    if (a->s.err == 0) {
      sqlite3_result_text(ctx, a->s.z, (int)a->s.n, SQLITE_TRANSIENT);
      sqlite3_result_subtype(ctx, JSON_SUBTYPE);
    }
    a->s.n--;
  }
  if (final) {
    sqlite3_str_reset(&a->s);
    a->started = 0;
  }
}

void fn_json_group_array_value(sqlite3_context *ctx) { jagg_result(ctx, 0, ']', "[]"); }
void fn_json_group_array_final(sqlite3_context *ctx) { jagg_result(ctx, 1, ']', "[]"); }
void fn_json_group_object_value(sqlite3_context *ctx) { jagg_result(ctx, 0, '}', "{}"); }
void fn_json_group_object_final(sqlite3_context *ctx) { jagg_result(ctx, 1, '}', "{}"); }

/* ---- the parser as json_each.c uses it (json_int.h) ---- */
int json_parse_text(JParse *p, const char *z) { return jparse(p, z, NULL); }
void json_parse_free(JParse *p) { jparse_free(p); }
void json_node_result(JNode *x, sqlite3_context *ctx) { jreturn(x, ctx, NULL); }
const char *json_type_name(int type) { return jtype_names[type]; }
JNode *json_lookup_root(JParse *p, const char *path, const char **err) {
  *err = NULL;
  if (path[0] != '$') {
    *err = path;
    return NULL;
  }
  return lookup_step(p, p->root, path + 1, NULL, err);
}
