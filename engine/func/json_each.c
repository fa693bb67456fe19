/*
** json_each.c — the json_each and json_tree table-valued functions
** (eponymous virtual tables), as SQLite 3.40.1 implements them.
**
** The document is parsed with json.c's parser and flattened into SQLite's
** node array (preorder, an object's member label being a node of its own),
** because the visible columns follow from that layout: `id` is the node's
** index, and json_tree's `key`/`fullkey` of array elements come from a
** per-array counter that the walk advances (SQLite's u.iKey), including
** its quirk that the path of an element below a `root` argument counts the
** enclosing arrays from 0.
**
** Uses only the public API (sqlite3_declare_vtab, sqlite3_result_*).
*/
#include "func_int.h"
#include "json_int.h"
#include "../util/printf.h"

enum { JE_KEY, JE_VALUE, JE_TYPE, JE_ATOM, JE_ID, JE_PARENT, JE_FULLKEY, JE_PATH, JE_JSON, JE_ROOT };

/* One node of the flattened document. */
typedef struct JEnt {
  JNode *x;
  u32 up;      /* index of the containing array/object */
  u32 n;       /* nodes below this one */
  u32 ikey;    /* arrays: the walk's current element number */
  u8 label;    /* an object member's label */
} JEnt;

typedef struct JEachCursor {
  sqlite3_vtab_cursor base;
  int recursive;   /* json_tree */
  u32 i, begin, end;
  u8 etype;        /* type of the container of the current row */
  i64 rowid;
  char *json;      /* copy of the document text (nodes point into it) */
  char *root;      /* the root path argument, or NULL */
  JParse parse;
  int parsed;
  JEnt *ent;
  u32 n_ent, a_ent;
} JEachCursor;

typedef struct JEachTab {
  sqlite3_vtab base;
  int recursive;
} JEachTab;

static int je_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  SHALE_UNUSED(argc);
  SHALE_UNUSED(argv);
  SHALE_UNUSED(err);
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(key,value,type,atom,id,parent,fullkey,path,json HIDDEN,root HIDDEN)");
  if (rc) return rc;
  JEachTab *t = sqlite3_malloc(sizeof(JEachTab));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  t->recursive = aux != NULL;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *pp = &t->base;
  return SQLITE_OK;
}

static int je_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* json, then root: usable equality constraints become the arguments; an
** unusable one on either makes the plan impossible (SQLITE_CONSTRAINT). */
static int je_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  SHALE_UNUSED(vt);
  int idx[2] = {-1, -1};
  int unusable = 0, usable = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (c->iColumn < JE_JSON) continue;
    int col = c->iColumn - JE_JSON, mask = 1 << col;
    if (!c->usable) {
      unusable |= mask;
    } else if (c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
      idx[col] = i;
      usable |= mask;
    }
  }
  if (unusable & ~usable) return SQLITE_CONSTRAINT;
  if (idx[0] < 0) {
    info->idxNum = 0;
    return SQLITE_OK;
  }
  info->estimatedCost = 1.0;
  info->aConstraintUsage[idx[0]].argvIndex = 1;
  info->aConstraintUsage[idx[0]].omit = 1;
  if (idx[1] < 0) {
    info->idxNum = 1;
  } else {
    info->aConstraintUsage[idx[1]].argvIndex = 2;
    info->aConstraintUsage[idx[1]].omit = 1;
    info->idxNum = 3;
  }
  return SQLITE_OK;
}

static int je_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **pp) {
  JEachCursor *c = sqlite3_malloc(sizeof(JEachCursor));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->recursive = ((JEachTab *)vt)->recursive;
  *pp = &c->base;
  return SQLITE_OK;
}

static void je_reset(JEachCursor *c) {
  if (c->parsed) json_parse_free(&c->parse);
  c->parsed = 0;
  sqlite3_free(c->json);
  sqlite3_free(c->root);
  sqlite3_free(c->ent);
  c->json = c->root = NULL;
  c->ent = NULL;
  c->n_ent = c->a_ent = 0;
  c->i = c->begin = c->end = 0;
  c->rowid = 0;
  c->etype = 0;
}

static int je_close(sqlite3_vtab_cursor *cur) {
  je_reset((JEachCursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int je_push(JEachCursor *c, JNode *x, u32 up, int label) {
  if (c->n_ent == c->a_ent) {
    u32 na = c->a_ent ? c->a_ent * 2 : 32;
    JEnt *a = sqlite3_realloc64(c->ent, sizeof(JEnt) * (u64)na);
    if (!a) return -1;
    c->ent = a;
    c->a_ent = na;
  }
  u32 k = c->n_ent++;
  c->ent[k].x = x;
  c->ent[k].up = up;
  c->ent[k].n = 0;
  c->ent[k].ikey = 0;
  c->ent[k].label = (u8)label;
  return (int)k;
}

/* Preorder flattening; returns 0, or -1 when out of memory. */
static int je_flatten(JEachCursor *c, JNode *x, u32 up) {
  int k = je_push(c, x, up, 0);
  if (k < 0) return -1;
  if (x->type == J_OBJECT) {
    for (int j = 0; j + 1 < x->nkid; j += 2) {
      if (je_push(c, x->kid[j], (u32)k, 1) < 0) return -1;
      if (je_flatten(c, x->kid[j + 1], (u32)k)) return -1;
    }
  } else if (x->type == J_ARRAY) {
    for (int j = 0; j < x->nkid; j++)
      if (je_flatten(c, x->kid[j], (u32)k)) return -1;
  }
  c->ent[k].n = c->n_ent - (u32)k - 1;
  return 0;
}

static u32 je_size(const JEnt *e) { return e->x->type >= J_ARRAY ? e->n + 1 : 1; }

static int je_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv) {
  JEachCursor *c = (JEachCursor *)cur;
  SHALE_UNUSED(idx_str);
  SHALE_UNUSED(argc);
  je_reset(c);
  if (idx_num == 0) return SQLITE_OK;
  const char *z = (const char *)sqlite3_value_text(argv[0]);
  if (!z) return SQLITE_OK;
  int n = sqlite3_value_bytes(argv[0]);
  c->json = sqlite3_malloc64((u64)n + 1);
  if (!c->json) return SQLITE_NOMEM;
  memcpy(c->json, z, (size_t)n + 1);
  if (json_parse_text(&c->parse, c->json)) {
    int oom = c->parse.oom;
    je_reset(c);
    if (oom) return SQLITE_NOMEM;
    sqlite3_free(cur->pVtab->zErrMsg);
    cur->pVtab->zErrMsg = sqlite3_mprintf("malformed JSON");
    return cur->pVtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  c->parsed = 1;
  if (je_flatten(c, c->parse.root, 0)) {
    je_reset(c);
    return SQLITE_NOMEM;
  }
  u32 at = 0;
  if (idx_num == 3) {
    const char *root = (const char *)sqlite3_value_text(argv[1]);
    if (!root) return SQLITE_OK;
    c->root = shale_strdup(root);
    if (!c->root) return SQLITE_NOMEM;
    const char *err = NULL;
    JNode *x = json_lookup_root(&c->parse, c->root, &err);
    if (err) {
      sqlite3_free(cur->pVtab->zErrMsg);
      cur->pVtab->zErrMsg = sqlite3_mprintf("JSON path error near '%q'", err);
      je_reset(c);
      return cur->pVtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if (!x) return SQLITE_OK; /* no such node: no rows (end == 0) */
    for (at = 0; at < c->n_ent; at++)
      if (c->ent[at].x == x && !c->ent[at].label) break;
  }
  c->begin = c->i = at;
  JEnt *e = &c->ent[at];
  c->etype = e->x->type;
  if (c->etype >= J_ARRAY) {
    e->ikey = 0;
    c->end = at + e->n + 1;
    if (c->recursive) {
      c->etype = c->ent[c->ent[at].up].x->type;
      if (at > 0 && c->ent[at - 1].label) c->i--;
    } else {
      c->i++;
    }
  } else {
    c->end = at + 1;
  }
  return SQLITE_OK;
}

static int je_next(sqlite3_vtab_cursor *cur) {
  JEachCursor *c = (JEachCursor *)cur;
  if (c->recursive) {
    if (c->ent[c->i].label) c->i++;
    c->i++;
    c->rowid++;
    if (c->i < c->end) {
      u32 up = c->ent[c->i].up;
      JEnt *pu = &c->ent[up];
      c->etype = pu->x->type;
      if (pu->x->type == J_ARRAY) {
        if (up == c->i - 1) pu->ikey = 0;
        else pu->ikey++;
      }
    }
    return SQLITE_OK;
  }
  switch (c->etype) {
    case J_ARRAY:
      c->i += je_size(&c->ent[c->i]);
      c->rowid++;
      break;
    case J_OBJECT:
      c->i += 1 + je_size(&c->ent[c->i + 1]);
      c->rowid++;
      break;
    default:
      c->i = c->end;
      break;
  }
  return SQLITE_OK;
}

static int je_eof(sqlite3_vtab_cursor *cur) {
  JEachCursor *c = (JEachCursor *)cur;
  return c->i >= c->end;
}

static int is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int is_alnum_ch(char ch) { return is_alpha(ch) || (ch >= '0' && ch <= '9'); }

/* ".label": bare when it is an identifier, else the label as written
** (with its quotes and escapes), as SQLite 3.40 prints it. */
static void je_append_label(sqlite3_str *s, const JNode *label) {
  const char *z = label->z;
  u32 n = label->n;
  if (n > 2 && is_alpha(z[1])) {
    u32 j = 2;
    while (j < n - 1 && is_alnum_ch(z[j])) j++;
    if (j == n - 1) {
      z++;
      n -= 2;
    }
  }
  sqlite3_str_appendf(s, ".%.*s", (int)n, z);
}

static void je_path(JEachCursor *c, sqlite3_str *s, u32 i) {
  if (i == 0) {
    sqlite3_str_appendchar(s, 1, '$');
    return;
  }
  u32 up = c->ent[i].up;
  je_path(c, s, up);
  if (c->ent[up].x->type == J_ARRAY) {
    sqlite3_str_appendf(s, "[%u]", c->ent[up].ikey);
  } else {
    u32 k = c->ent[i].label ? i : i - 1;
    je_append_label(s, c->ent[k].x);
  }
}

static void je_result_str(sqlite3_context *ctx, sqlite3_str *s) {
  int err = sqlite3_str_errcode(s);
  char *z = sqlite3_str_finish(s);
  if (err || !z) {
    sqlite3_free(z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

static int je_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  JEachCursor *c = (JEachCursor *)cur;
  JEnt *e = &c->ent[c->i];
  JEnt *val = e->label ? e + 1 : e;
  switch (col) {
    case JE_KEY:
      if (c->i == 0) break;
      if (c->etype == J_OBJECT) {
        json_node_result(e->x, ctx);
      } else if (c->etype == J_ARRAY) {
        if (c->recursive) {
          if (c->rowid == 0) break;
          sqlite3_result_int64(ctx, (i64)c->ent[e->up].ikey);
        } else {
          sqlite3_result_int64(ctx, c->rowid);
        }
      }
      break;
    case JE_VALUE:
      json_node_result(val->x, ctx);
      break;
    case JE_TYPE:
      sqlite3_result_text(ctx, json_type_name(val->x->type), -1, SQLITE_STATIC);
      break;
    case JE_ATOM:
      if (val->x->type >= J_ARRAY) break;
      json_node_result(val->x, ctx);
      break;
    case JE_ID:
      sqlite3_result_int64(ctx, (i64)c->i + (e->label ? 1 : 0));
      break;
    case JE_PARENT:
      if (c->i > c->begin && c->recursive) sqlite3_result_int64(ctx, (i64)e->up);
      break;
    case JE_FULLKEY: {
      sqlite3_str *s = sqlite3_str_new(NULL);
      if (c->recursive) {
        je_path(c, s, c->i);
      } else {
        sqlite3_str_appendall(s, c->root ? c->root : "$");
        if (c->etype == J_ARRAY) sqlite3_str_appendf(s, "[%lld]", (long long)c->rowid);
        else if (c->etype == J_OBJECT) je_append_label(s, e->x);
      }
      je_result_str(ctx, s);
      break;
    }
    case JE_PATH:
      if (c->recursive) {
        sqlite3_str *s = sqlite3_str_new(NULL);
        je_path(c, s, e->up);
        je_result_str(ctx, s);
        break;
      }
      /* json_each: path is the root */
      /* fall through */
    case JE_ROOT:
      sqlite3_result_text(ctx, c->root ? c->root : "$", -1, SQLITE_TRANSIENT);
      break;
    case JE_JSON:
      sqlite3_result_text(ctx, c->json, -1, SQLITE_TRANSIENT);
      break;
  }
  return SQLITE_OK;
}

static int je_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((JEachCursor *)cur)->rowid;
  return SQLITE_OK;
}

#define JE_MODULE                                                                               \
  0, NULL, je_connect, je_best_index, je_disconnect, NULL, je_open, je_close, je_filter, je_next, \
      je_eof, je_column, je_rowid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL

const sqlite3_module json_each_module = {JE_MODULE};
