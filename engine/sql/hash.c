/* hash.c — case-insensitive string-keyed hash map for schema names. */
#include "schema.h"

static unsigned hash_str(const char *z) {
  unsigned h = 0;
  for (; *z; z++) h = (h << 3) ^ h ^ shale_upper_to_lower[(u8)*z];
  return h;
}

void hash_init(Hash *h) {
  h->n = 0;
  h->n_bucket = 0;
  h->buckets = NULL;
}

void *hash_find(const Hash *h, const char *key) {
  if (h->n_bucket == 0 || key == NULL) return NULL;
  HashEntry *e = h->buckets[hash_str(key) % (unsigned)h->n_bucket];
  for (; e; e = e->next)
    if (shale_stricmp(e->key, key) == 0) return e->value;
  return NULL;
}

static void hash_resize(Hash *h, int nb) {
  HashEntry **nbk = shale_malloc_zero(sizeof(HashEntry *) * (size_t)nb);
  if (!nbk) return;
  for (int i = 0; i < h->n_bucket; i++) {
    HashEntry *e = h->buckets[i];
    while (e) {
      HashEntry *nx = e->next;
      unsigned b = hash_str(e->key) % (unsigned)nb;
      e->next = nbk[b];
      nbk[b] = e;
      e = nx;
    }
  }
  sqlite3_free(h->buckets);
  h->buckets = nbk;
  h->n_bucket = nb;
}

void *hash_insert(Hash *h, const char *key, void *value) {
  if (h->n_bucket) {
    HashEntry **pp = &h->buckets[hash_str(key) % (unsigned)h->n_bucket];
    for (; *pp; pp = &(*pp)->next) {
      if (shale_stricmp((*pp)->key, key) == 0) {
        HashEntry *e = *pp;
        void *old = e->value;
        if (value == NULL) {
          *pp = e->next;
          sqlite3_free(e->key);
          sqlite3_free(e);
          h->n--;
        } else {
          e->value = value;
        }
        return old;
      }
    }
  }
  if (value == NULL) return NULL;
  if (h->n >= h->n_bucket) hash_resize(h, h->n_bucket ? h->n_bucket * 2 : 16);
  if (h->n_bucket == 0) return NULL;
  HashEntry *e = shale_malloc_zero(sizeof(*e));
  if (!e) return NULL;
  e->key = shale_strdup(key);
  e->value = value;
  unsigned b = hash_str(key) % (unsigned)h->n_bucket;
  e->next = h->buckets[b];
  h->buckets[b] = e;
  h->n++;
  return NULL;
}

void hash_clear(Hash *h) {
  for (int i = 0; i < h->n_bucket; i++) {
    HashEntry *e = h->buckets[i];
    while (e) {
      HashEntry *nx = e->next;
      sqlite3_free(e->key);
      sqlite3_free(e);
      e = nx;
    }
  }
  sqlite3_free(h->buckets);
  hash_init(h);
}
