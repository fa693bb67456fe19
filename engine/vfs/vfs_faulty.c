/* vfs_faulty.c — placeholder: forwards to "unix" until the real backend lands. */
#include "vfs_int.h"

static int fwd_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out,
                    int *out_flags) {
  SHALE_UNUSED(vfs);
  ShaleVfs *u = shale_vfs_path_is_memory(path) ? shale_vfs_memdb_object()
                                               : shale_vfs_unix_object();
  return u->open(u, path, flags, out, out_flags);
}
static int fwd_remove(ShaleVfs *v, const char *p, int s) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_path_is_memory(p) ? shale_vfs_memdb_object() : shale_vfs_unix_object();
  return u->remove(u, p, s);
}
static int fwd_access(ShaleVfs *v, const char *p, int f, int *o) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_path_is_memory(p) ? shale_vfs_memdb_object() : shale_vfs_unix_object();
  return u->access(u, p, f, o);
}
static int fwd_full(ShaleVfs *v, const char *p, int n, char *o) {
  SHALE_UNUSED(v);
  ShaleVfs *u = shale_vfs_path_is_memory(p) ? shale_vfs_memdb_object() : shale_vfs_unix_object();
  return u->full_pathname(u, p, n, o);
}
static int fwd_rand(ShaleVfs *v, int n, char *o) { SHALE_UNUSED(v); return shale_vfs_unix_object()->randomness(shale_vfs_unix_object(), n, o); }
static int fwd_sleep(ShaleVfs *v, int us) { SHALE_UNUSED(v); return shale_vfs_unix_object()->sleep(shale_vfs_unix_object(), us); }
static int fwd_time(ShaleVfs *v, i64 *ms) { SHALE_UNUSED(v); return shale_vfs_unix_object()->current_time_ms(shale_vfs_unix_object(), ms); }
static int fwd_poll(ShaleVfs *v, int w) { SHALE_UNUSED(v); SHALE_UNUSED(w); return 0; }

static ShaleVfs the_vfs = {"faulty", NULL, 4096, fwd_open, fwd_remove, fwd_access, fwd_full,
                           fwd_rand, fwd_sleep, fwd_time, fwd_poll, NULL};
ShaleVfs *shale_vfs_faulty_object(void) { return &the_vfs; }
