/*
** json_int.h — the JSON parse tree of json.c, shared with json_each.c
** (json_each / json_tree).  Private to engine/func.
*/
#ifndef SHALE_JSON_INT_H
#define SHALE_JSON_INT_H

#include "../util/common.h"

enum { J_NULL, J_TRUE, J_FALSE, J_INT, J_REAL, J_STRING, J_ARRAY, J_OBJECT };

#define JF_RAW 0x01     /* string content is raw text (escape when rendering) */
#define JF_ESCAPE 0x02  /* string contains backslash escapes */
#define JF_REMOVE 0x04
#define JF_REPLACE 0x08
#define JF_PATCH 0x10
#define JF_LABEL 0x20

typedef struct JNode JNode;
struct JNode {
  u8 type;
  u8 flags;
  int i_replace;       /* argument index for JF_REPLACE */
  JNode *patch;        /* JF_PATCH: render this instead */
  const char *z;       /* token text (strings with their quotes unless RAW) */
  u32 n;
  JNode **kid;         /* arrays / objects */
  int nkid, akid;
};

/* Node arena: blocks never move, so JNode pointers stay valid. */
#define JBLOCK 64
typedef struct JBlock {
  struct JBlock *next;
  int used;
  JNode nodes[JBLOCK];
} JBlock;

typedef struct JParse {
  JBlock *blocks;
  JNode *root;
  const char *json; /* the text being parsed */
  int oom;
  int n_err;        /* path errors reported */
  int depth;
} JParse;

/* Parse a whole document (0 = ok, else malformed or out of memory: p->oom). */
int json_parse_text(JParse *p, const char *z);
void json_parse_free(JParse *p);
/* A node as an SQL value (containers as JSON text with the JSON subtype). */
void json_node_result(JNode *x, sqlite3_context *ctx);
const char *json_type_name(int type); /* "null" ... "object" */
/* The node at a path ("$..."), NULL if none; *err = where a bad path fails. */
JNode *json_lookup_root(JParse *p, const char *path, const char **err);

#endif
