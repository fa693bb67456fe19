/* vfs_basic.c — the registry, open flags, I/O contract (inline completion,
** short reads zero-filled, sizes including outstanding writes), temp files,
** delete-on-close, access/remove, and the faulty VFS's controls; storage
** cases run on "unix" and "pending". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "testlib.h"
#include "../../engine/vfs/vfs.h"
#include "../../engine/vfs/vfs_faulty.h"

static char g_path[256];

static void test_registry(void) {
  ShaleVfs *def = shale_vfs_find(NULL);
  CHECK(def != NULL);
  CHECK_STR(def->name, "unix");
  const char *names[] = {"unix", "memdb", "pending", "faulty"};
  for (int i = 0; i < 4; i++) {
    ShaleVfs *v = shale_vfs_find(names[i]);
    CHECK(v != NULL);
    if (v) CHECK_STR(v->name, names[i]);
  }
  CHECK(shale_vfs_find("nope") == NULL);
  static ShaleVfs mine;
  mine = *shale_vfs_find("memdb");
  mine.name = "mine";
  mine.next = NULL;
  CHECK_INT(shale_vfs_register(&mine, 0), SQLITE_OK);
  CHECK(shale_vfs_find("mine") == &mine);
  CHECK_STR(shale_vfs_find(NULL)->name, "unix");
  CHECK_INT(shale_vfs_register(&mine, 1), SQLITE_OK);
  CHECK(shale_vfs_find(NULL) == &mine);
  CHECK_INT(shale_vfs_unregister(&mine), SQLITE_OK);
  CHECK(shale_vfs_find("mine") == NULL);
  CHECK_STR(shale_vfs_find(NULL)->name, "unix");
}

static void test_files(ShaleVfs *v) {
  ShaleFile *f = NULL;
  int of = 0;
  unlink(g_path);
  /* no CREATE: cannot open a missing file */
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE, &f, &of), SQLITE_CANTOPEN);
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f, &of), SQLITE_OK);
  CHECK(of & SQLITE_OPEN_READWRITE);
  char buf[100];
  memset(buf, 'q', sizeof(buf));
  CHECK_INT(shale_file_write_blocking(f, "abcdef", 6, 10), SQLITE_OK);
  i64 sz = 0;
  CHECK_INT(f->methods->file_size(f, &sz), SQLITE_OK);
  CHECK_INT(sz, 16);
  CHECK_INT(shale_file_read_blocking(f, buf, 20, 0), SQLITE_IOERR_SHORT_READ);
  CHECK(buf[0] == 0 && memcmp(buf + 10, "abcdef", 6) == 0 && buf[16] == 0 && buf[19] == 0);
  CHECK_INT(shale_file_truncate_blocking(f, 12), SQLITE_OK);
  f->methods->file_size(f, &sz);
  CHECK_INT(sz, 12);
  CHECK_INT(shale_file_sync_blocking(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
  int lk = -1;
  CHECK_INT(f->methods->file_control(f, SQLITE_FCNTL_LOCKSTATE, &lk), SQLITE_OK);
  CHECK_INT(lk, SQLITE_LOCK_NONE);
  CHECK_INT(f->methods->file_control(f, 12345, NULL), SQLITE_NOTFOUND);
  CHECK(f->methods->sector_size(f) >= 512);
  f->methods->close(f);
  /* EXCLUSIVE on an existing file fails */
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE,
                    &f, &of), SQLITE_CANTOPEN);
  int ex = 0;
  CHECK_INT(v->access(v, g_path, SQLITE_ACCESS_EXISTS, &ex), SQLITE_OK);
  CHECK_INT(ex, 1);
  /* read-only fallback */
  chmod(g_path, 0444);
  if (geteuid() != 0) {
    CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE, &f, &of), SQLITE_OK);
    CHECK(of & SQLITE_OPEN_READONLY);
    f->methods->close(f);
  }
  chmod(g_path, 0644);
  CHECK_INT(v->remove(v, g_path, 1), SQLITE_OK);
  CHECK_INT(v->access(v, g_path, SQLITE_ACCESS_EXISTS, &ex), SQLITE_OK);
  CHECK_INT(ex, 0);
  CHECK_INT(v->remove(v, g_path, 0), SQLITE_IOERR_DELETE_NOENT);
  /* delete on close */
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE,
                    &f, &of), SQLITE_OK);
  CHECK_INT(shale_file_write_blocking(f, "x", 1, 0), SQLITE_OK);
  f->methods->close(f);
  CHECK(access(g_path, F_OK) != 0);
  /* anonymous temp file */
  CHECK_INT(v->open(v, NULL, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f, &of), SQLITE_OK);
  CHECK_INT(shale_file_write_blocking(f, "tmp", 3, 4096), SQLITE_OK);
  CHECK_INT(shale_file_read_blocking(f, buf, 3, 4096), SQLITE_OK);
  CHECK(memcmp(buf, "tmp", 3) == 0);
  f->methods->close(f);
  /* memory files through the wrapper */
  if (strcmp(v->name, "pending") == 0) {
    CHECK_INT(v->open(v, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f, &of), SQLITE_OK);
    CHECK_INT(shale_file_write_blocking(f, "mem", 3, 0), SQLITE_OK);
    f->methods->file_size(f, &sz);
    CHECK_INT(sz, 3);
    f->methods->close(f);
    CHECK(access(":memory:", F_OK) != 0);
  }
  /* misc */
  char full[512];
  CHECK_INT(v->full_pathname(v, "rel.db", sizeof(full), full), SQLITE_OK);
  CHECK(full[0] == '/' && strstr(full, "/rel.db") != NULL);
  char rnd[16] = {0};
  v->randomness(v, 16, rnd);
  int nz = 0;
  for (int i = 0; i < 16; i++) nz |= rnd[i];
  CHECK(nz != 0);
  i64 ms = 0;
  CHECK_INT(v->current_time_ms(v, &ms), SQLITE_OK);
  CHECK(ms > 1600000000000LL);
  CHECK(v->poll(v, 1) >= 0); /* nothing outstanding: returns at once */
}

static void test_faulty(void) {
  ShaleVfs *v = shale_vfs_find("faulty");
  ShaleFile *f = NULL;
  unlink(g_path);
  shale_faulty_reset();
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f, NULL), SQLITE_OK);
  if (!f) return;
  CHECK_INT(shale_file_write_blocking(f, "AAAA", 4, 0), SQLITE_OK);       /* op 1 */
  CHECK_INT(shale_file_sync_blocking(f, SQLITE_SYNC_NORMAL), SQLITE_OK);  /* op 2 */
  shale_faulty_fail_write(3, SQLITE_FULL, 0);
  CHECK_INT(shale_file_write_blocking(f, "BBBB", 4, 0), SQLITE_FULL);     /* op 3 */
  CHECK_INT(shale_file_write_blocking(f, "CCCC", 4, 0), SQLITE_OK);       /* op 4 */
  shale_faulty_fail_sync(5, SQLITE_IOERR_FSYNC, 0);
  CHECK_INT(shale_file_sync_blocking(f, SQLITE_SYNC_NORMAL), SQLITE_IOERR_FSYNC);
  shale_faulty_short_write(6);
  CHECK_INT(shale_file_write_blocking(f, "DDDDDDDD", 8, 0), SQLITE_FULL);
  char b[8];
  CHECK_INT(shale_file_read_blocking(f, b, 8, 0), SQLITE_IOERR_SHORT_READ);
  CHECK(memcmp(b, "DDDD", 4) == 0 && b[4] == 0);
  CHECK_INT(shale_faulty_op_count(), 6);
  /* power loss: unsynced writes vanish */
  shale_faulty_power_loss_at(8);
  CHECK_INT(shale_file_write_blocking(f, "EEEE", 4, 100), SQLITE_OK);      /* op 7 */
  CHECK_INT(shale_file_sync_blocking(f, SQLITE_SYNC_NORMAL), SQLITE_IOERR_FSYNC); /* op 8 */
  CHECK(shale_faulty_crashed());
  CHECK_INT(shale_file_write_blocking(f, "FFFF", 4, 0), SQLITE_IOERR_WRITE);
  f->methods->close(f);
  CHECK_INT(shale_faulty_power_restore(0, 1), SQLITE_OK);
  FILE *fp = fopen(g_path, "rb");
  char all[200] = {0};
  size_t n = fp ? fread(all, 1, sizeof(all), fp) : 0;
  if (fp) fclose(fp);
  CHECK_INT(n, 4);
  CHECK(memcmp(all, "AAAA", 4) == 0);
  /* torn write then crash */
  shale_faulty_reset();
  CHECK_INT(v->open(v, g_path, SQLITE_OPEN_READWRITE, &f, NULL), SQLITE_OK);
  char big[2048];
  memset(big, 'T', sizeof(big));
  shale_faulty_torn_write(1);
  CHECK_INT(shale_file_write_blocking(f, big, 2048, 0), SQLITE_IOERR_WRITE);
  CHECK(shale_faulty_crashed());
  f->methods->close(f);
  CHECK_INT(shale_faulty_power_restore(1, 7), SQLITE_OK);
  struct stat st;
  CHECK(stat(g_path, &st) == 0 && st.st_size >= 4 && st.st_size < 2048);
  shale_faulty_reset();
  unlink(g_path);
}

int main(void) {
  snprintf(g_path, sizeof(g_path), "/tmp/shale_vfs_basic_%d.bin", (int)getpid());
  test_registry();
  for (int i = 0; i < 2; i++) test_files(shale_vfs_find(testlib_vfs_names[i]));
  test_faulty();
  unlink(g_path);
  return testlib_finish("vfs_basic");
}
