/*
** shell_backup.c — .backup/.save (copy a database to a file) and .restore
** (replace a database with a file's content), through the online-backup
** API, with the sqlite3 shell's arguments, messages and exit codes.
*/
#include <string.h>
#include "shell.h"

/* .backup ?DB? ?OPTIONS? FILE  (also .save) */
int shell_backup(Shell *p, int argc, char **argv) {
  const char *db_name = NULL, *dest_file = NULL, *vfs = NULL;
  int async = 0;
  for (int i = 1; i < argc; i++) {
    const char *z = argv[i];
    if (z[0] == '-') {
      if (z[1] == '-') z++;
      if (strcmp(z, "-append") == 0) {
        vfs = "apndvfs"; /* not built in: the open below reports it */
      } else if (strcmp(z, "-async") == 0) {
        async = 1;
      } else {
        fprintf(stderr, "unknown option: %s\n", argv[i]);
        return 1;
      }
    } else if (dest_file == NULL) {
      dest_file = z;
    } else if (db_name == NULL) {
      db_name = dest_file;
      dest_file = z;
    } else {
      fprintf(stderr, "Usage: .backup ?DB? ?OPTIONS? FILENAME\n");
      return 1;
    }
  }
  if (dest_file == NULL) {
    fprintf(stderr, "missing FILENAME argument on .backup\n");
    return 1;
  }
  if (db_name == NULL) db_name = "main";
  sqlite3 *dest = NULL;
  int rc = sqlite3_open_v2(dest_file, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "Error: cannot open \"%s\"\n", dest_file);
    sqlite3_close(dest);
    return 1;
  }
  if (async) sqlite3_exec(dest, "PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF;", NULL, NULL, NULL);
  sqlite3_backup *b = sqlite3_backup_init(dest, "main", p->db, db_name);
  if (b == NULL) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(dest));
    sqlite3_close(dest);
    return 1;
  }
  while ((rc = sqlite3_backup_step(b, 100)) == SQLITE_OK) {
  }
  sqlite3_backup_finish(b);
  if (rc == SQLITE_DONE) {
    rc = 0;
  } else {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(dest));
    rc = 1;
  }
  sqlite3_close(dest);
  return rc;
}

/* .restore ?DB? FILE */
int shell_restore(Shell *p, int argc, char **argv) {
  const char *src_file, *db_name = "main";
  if (argc == 2) {
    src_file = argv[1];
  } else if (argc == 3) {
    db_name = argv[1];
    src_file = argv[2];
  } else {
    fprintf(stderr, "Usage: .restore ?DB? FILE\n");
    return 1;
  }
  sqlite3 *src = NULL;
  if (sqlite3_open(src_file, &src) != SQLITE_OK) {
    fprintf(stderr, "Error: cannot open \"%s\"\n", src_file);
    sqlite3_close(src);
    return 1;
  }
  sqlite3_backup *b = sqlite3_backup_init(p->db, db_name, src, "main");
  if (b == NULL) {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    sqlite3_close(src);
    return 1;
  }
  int rc, busy_tries = 0;
  while ((rc = sqlite3_backup_step(b, 100)) == SQLITE_OK || rc == SQLITE_BUSY) {
    if (rc == SQLITE_BUSY) {
      if (busy_tries++ >= 3) break;
      sqlite3_sleep(100);
    }
  }
  sqlite3_backup_finish(b);
  if (rc == SQLITE_DONE) {
    rc = 0;
  } else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    fprintf(stderr, "Error: source database is busy\n");
    rc = 1;
  } else {
    fprintf(stderr, "Error: %s\n", sqlite3_errmsg(p->db));
    rc = 1;
  }
  sqlite3_close(src);
  return rc;
}
