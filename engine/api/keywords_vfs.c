/* keywords_vfs.c — the keyword API and the SQLite VFS registry calls.
**
** Shale's engine speaks its own submit/complete VFS (engine/vfs/vfs.h).
** sqlite3_vfs_find() describes a Shale VFS with a sqlite3_vfs whose name and
** sizes are right but whose methods are absent (programs use it to list or
** name VFSes).  Registering a user's synchronous sqlite3_vfs is not supported
** yet and reports SQLITE_ERROR. */
#include "api_internal.h"
#include "../sql/ast.h"

int sqlite3_keyword_count(void) { return sql_keyword_count(); }

int sqlite3_keyword_name(int i, const char **name, int *n) {
  const char *z = sql_keyword_at(i, n);
  if (z == NULL) return SQLITE_ERROR;
  if (name) *name = z;
  return SQLITE_OK;
}

int sqlite3_keyword_check(const char *z, int n) { return sql_is_keyword(z, n); }

/* One descriptor per Shale VFS, built on first use; the descriptors live as
** long as the process (like the VFS objects they describe) and are kept in a
** mutex-protected list. */
typedef struct VfsDescriptor {
  sqlite3_vfs desc;
  ShaleVfs *vfs;
  struct VfsDescriptor *next;
} VfsDescriptor;

#include <pthread.h>
static pthread_mutex_t descriptor_mutex = PTHREAD_MUTEX_INITIALIZER;
static VfsDescriptor *descriptors; /* guarded by descriptor_mutex */

static sqlite3_vfs *describe(ShaleVfs *v) {
  if (v == NULL) return NULL;
  pthread_mutex_lock(&descriptor_mutex);
  VfsDescriptor *d;
  for (d = descriptors; d; d = d->next)
    if (d->vfs == v) break;
  if (d == NULL) {
    d = shale_malloc_zero(sizeof(*d));
    if (d) {
      d->vfs = v;
      d->desc.iVersion = 3;
      d->desc.szOsFile = (int)sizeof(sqlite3_file);
      d->desc.mxPathname = v->max_pathname ? v->max_pathname : 512;
      d->desc.zName = v->name;
      d->desc.pAppData = v;
      d->next = descriptors;
      descriptors = d;
    }
  }
  /* Keep pNext in the registry's order so programs can walk the list. */
  if (d) d->desc.pNext = NULL;
  pthread_mutex_unlock(&descriptor_mutex);
  if (d && v->next) d->desc.pNext = describe(v->next);
  return d ? &d->desc : NULL;
}

sqlite3_vfs *sqlite3_vfs_find(const char *name) { return describe(shale_vfs_find(name)); }

int sqlite3_vfs_register(sqlite3_vfs *vfs, int make_default) {
  (void)vfs;
  (void)make_default;
  return SQLITE_ERROR;
}

int sqlite3_vfs_unregister(sqlite3_vfs *vfs) {
  (void)vfs;
  return SQLITE_ERROR;
}
