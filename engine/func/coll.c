/*
** coll.c — collating sequences: the built-in BINARY, NOCASE (ASCII-only
** folding) and RTRIM (trailing spaces ignored), and the per-connection
** registry filled by sqlite3_create_collation_v2.
*/
#include "func_int.h"
#include "../api/connection.h"
#include "../util/utf.h"

static int binary_cmp(void *arg, int na, const void *a, int nb, const void *b) {
  SHALE_UNUSED(arg);
  int n = na < nb ? na : nb;
  int rc = n > 0 ? memcmp(a, b, (size_t)n) : 0;
  if (rc == 0) rc = na - nb;
  return rc;
}

static int nocase_cmp(void *arg, int na, const void *a, int nb, const void *b) {
  SHALE_UNUSED(arg);
  int n = na < nb ? na : nb;
  const u8 *x = a, *y = b;
  for (int i = 0; i < n; i++) {
    int c = shale_upper_to_lower[x[i]] - shale_upper_to_lower[y[i]];
    if (c) return c;
  }
  return na - nb;
}

static int rtrim_cmp(void *arg, int na, const void *a, int nb, const void *b) {
  const u8 *x = a, *y = b;
  while (na > 0 && x[na - 1] == ' ') na--;
  while (nb > 0 && y[nb - 1] == ' ') nb--;
  return binary_cmp(arg, na, a, nb, b);
}

static const CollSeq builtin_colls[] = {
    {"BINARY", SQLITE_UTF8, NULL, binary_cmp, NULL, NULL},
    {"NOCASE", SQLITE_UTF8, NULL, nocase_cmp, NULL, NULL},
    {"RTRIM", SQLITE_UTF8, NULL, rtrim_cmp, NULL, NULL},
};

CollSeq *coll_find(sqlite3 *db, const char *name) {
  if (name == NULL) return (CollSeq *)&builtin_colls[0];
  if (db) {
    CollSeq *any = NULL;
    for (CollSeq *p = db->funcs.colls; p; p = p->next) {
      if (shale_stricmp(p->name, name) == 0) {
        if (p->enc == SQLITE_UTF8) return p;
        if (any == NULL) any = p;
      }
    }
    if (any) return any;
  }
  for (size_t i = 0; i < SHALE_ARRAY_SIZE(builtin_colls); i++) {
    if (shale_stricmp(builtin_colls[i].name, name) == 0) return (CollSeq *)&builtin_colls[i];
  }
  return NULL;
}

int coll_register(sqlite3 *db, const char *name, int enc, void *arg,
                  int (*x_cmp)(void *, int, const void *, int, const void *),
                  void (*x_destroy)(void *)) {
  if (db == NULL || name == NULL) return SQLITE_MISUSE;
  int e = enc;
  if (e == SQLITE_UTF16 || e == SQLITE_UTF16_ALIGNED) e = SQLITE_UTF16LE;
  if (e < SQLITE_UTF8 || e > SQLITE_UTF16BE) return SQLITE_MISUSE;
  CollSeq **pp = &db->funcs.colls;
  for (; *pp; pp = &(*pp)->next) {
    if ((*pp)->enc == e && shale_stricmp((*pp)->name, name) == 0) break;
  }
  if (*pp) {
    if (db->n_vdbe_active > 0) return SQLITE_BUSY;
    CollSeq *old = *pp;
    if (old->x_destroy) old->x_destroy(old->arg);
    if (x_cmp == NULL) {
      *pp = old->next;
      sqlite3_free(old);
      return SQLITE_OK;
    }
    old->arg = arg;
    old->x_cmp = x_cmp;
    old->x_destroy = x_destroy;
    return SQLITE_OK;
  }
  if (x_cmp == NULL) return SQLITE_OK;
  size_t nname = strlen(name);
  CollSeq *c = sqlite3_malloc64(sizeof(CollSeq) + nname + 1);
  if (c == NULL) return SQLITE_NOMEM;
  c->name = (char *)(c + 1);
  memcpy(c->name, name, nname + 1);
  c->enc = (u8)e;
  c->arg = arg;
  c->x_cmp = x_cmp;
  c->x_destroy = x_destroy;
  c->next = db->funcs.colls;
  db->funcs.colls = c;
  return SQLITE_OK;
}

int coll_compare(const CollSeq *coll, const void *a, int na, const void *b, int nb) {
  if (coll == NULL) return binary_cmp(NULL, na, a, nb, b);
  if (coll->enc == SQLITE_UTF16LE || coll->enc == SQLITE_UTF16BE) {
    u8 *a16 = NULL, *b16 = NULL;
    int n1 = 0, n2 = 0;
    if (shale_utf8_to16(a, na, coll->enc, &a16, &n1) ||
        shale_utf8_to16(b, nb, coll->enc, &b16, &n2)) {
      sqlite3_free(a16);
      return binary_cmp(NULL, na, a, nb, b);
    }
    int rc = coll->x_cmp(coll->arg, n1, a16, n2, b16);
    sqlite3_free(a16);
    sqlite3_free(b16);
    return rc;
  }
  return coll->x_cmp(coll->arg, na, a, nb, b);
}

void coll_registry_clear(sqlite3 *db) {
  CollSeq *p = db->funcs.colls;
  db->funcs.colls = NULL;
  while (p) {
    CollSeq *next = p->next;
    if (p->x_destroy) p->x_destroy(p->arg);
    sqlite3_free(p);
    p = next;
  }
}
