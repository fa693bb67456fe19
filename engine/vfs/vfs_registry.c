/*
** vfs_registry.c — the process-wide registry of VFS backends (the one
** documented piece of global mutable state, protected by a mutex), plus
** the helpers that drive a submitted request to completion.
*/
#include "vfs_int.h"
#include <pthread.h>

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static ShaleVfs *registry_head;
static int registry_ready;

static void link_vfs(ShaleVfs *v, int make_default) {
  /* caller holds the mutex */
  ShaleVfs **pp = &registry_head;
  while (*pp) {
    if (*pp == v) {
      *pp = v->next;
      break;
    }
    pp = &(*pp)->next;
  }
  if (make_default || registry_head == NULL) {
    v->next = registry_head;
    registry_head = v;
  } else {
    v->next = registry_head->next;
    registry_head->next = v;
  }
}

static void ensure_builtins(void) {
  /* caller holds the mutex */
  if (registry_ready) return;
  registry_ready = 1;
  link_vfs(shale_vfs_faulty_object(), 0);
  link_vfs(shale_vfs_pending_object(), 0);
  link_vfs(shale_vfs_memdb_object(), 0);
  link_vfs(shale_vfs_unix_object(), 1);
}

ShaleVfs *shale_vfs_find(const char *name) {
  ShaleVfs *v;
  pthread_mutex_lock(&registry_mutex);
  ensure_builtins();
  v = registry_head;
  if (name) {
    while (v && strcmp(v->name, name) != 0) v = v->next;
  }
  pthread_mutex_unlock(&registry_mutex);
  return v;
}

int shale_vfs_register(ShaleVfs *v, int make_default) {
  if (v == NULL) return SQLITE_MISUSE;
  pthread_mutex_lock(&registry_mutex);
  ensure_builtins();
  link_vfs(v, make_default);
  pthread_mutex_unlock(&registry_mutex);
  return SQLITE_OK;
}

int shale_vfs_unregister(ShaleVfs *v) {
  pthread_mutex_lock(&registry_mutex);
  ensure_builtins();
  ShaleVfs **pp = &registry_head;
  while (*pp) {
    if (*pp == v) {
      *pp = v->next;
      v->next = NULL;
      break;
    }
    pp = &(*pp)->next;
  }
  pthread_mutex_unlock(&registry_mutex);
  return SQLITE_OK;
}

int shale_vfs_path_is_memory(const char *path) {
  if (path == NULL) return 0;
  if (strcmp(path, ":memory:") == 0) return 1;
  if (strncmp(path, ":memdb:", 7) == 0) return 1;
  if (strncmp(path, "file::memory:", 13) == 0) return 1;
  return 0;
}

int shale_vfs_wait_io(ShaleVfs *vfs, ShaleIo *io, int submit_rc) {
  if (submit_rc == SQLITE_OK) return io->rc;
  if (submit_rc != SHALE_PENDING) return submit_rc;
  while (!io->done) {
    int n = vfs->poll(vfs, 1);
    if (n < 0) return n;
  }
  return io->rc;
}

int shale_file_read_blocking(ShaleFile *f, void *buf, int n, i64 off) {
  ShaleIo io;
  shale_io_init(&io);
  return shale_vfs_wait_io(f->vfs, &io, f->methods->read(f, buf, n, off, &io));
}

int shale_file_write_blocking(ShaleFile *f, const void *buf, int n, i64 off) {
  ShaleIo io;
  shale_io_init(&io);
  return shale_vfs_wait_io(f->vfs, &io, f->methods->write(f, buf, n, off, &io));
}

int shale_file_sync_blocking(ShaleFile *f, int flags) {
  ShaleIo io;
  shale_io_init(&io);
  return shale_vfs_wait_io(f->vfs, &io, f->methods->sync(f, flags, &io));
}

int shale_file_truncate_blocking(ShaleFile *f, i64 size) {
  ShaleIo io;
  shale_io_init(&io);
  return shale_vfs_wait_io(f->vfs, &io, f->methods->truncate(f, size, &io));
}
