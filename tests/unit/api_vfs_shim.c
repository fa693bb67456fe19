/*
** api_vfs_shim.c — a user VFS written the usual way: a shim over the default
** VFS that copies its clock/randomness/sleep methods (so they are called with
** the shim as argument) and can make every write fail with SQLITE_FULL.
** Checks: the copied methods work (date('now'), randomness), a failed
** autocommit write leaves the connection usable and the file intact.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
static sqlite3_vfs *base; static int full;
typedef struct { sqlite3_file f; sqlite3_file *real; } F;
static int xClose(sqlite3_file*f){F*p=(F*)f;int rc=p->real->pMethods->xClose(p->real);sqlite3_free(p->real);return rc;}
static int xRead(sqlite3_file*f,void*b,int n,sqlite3_int64 o){F*p=(F*)f;return p->real->pMethods->xRead(p->real,b,n,o);}
static int xWrite(sqlite3_file*f,const void*b,int n,sqlite3_int64 o){F*p=(F*)f;if(full)return SQLITE_FULL;return p->real->pMethods->xWrite(p->real,b,n,o);}
static int xTrunc(sqlite3_file*f,sqlite3_int64 s){F*p=(F*)f;return p->real->pMethods->xTruncate(p->real,s);}
static int xSync(sqlite3_file*f,int fl){F*p=(F*)f;return p->real->pMethods->xSync(p->real,fl);}
static int xSize(sqlite3_file*f,sqlite3_int64*s){F*p=(F*)f;return p->real->pMethods->xFileSize(p->real,s);}
static int xLock(sqlite3_file*f,int l){F*p=(F*)f;return p->real->pMethods->xLock(p->real,l);}
static int xUnlock(sqlite3_file*f,int l){F*p=(F*)f;return p->real->pMethods->xUnlock(p->real,l);}
static int xCRL(sqlite3_file*f,int*r){F*p=(F*)f;return p->real->pMethods->xCheckReservedLock(p->real,r);}
static int xFC(sqlite3_file*f,int op,void*a){F*p=(F*)f;return p->real->pMethods->xFileControl(p->real,op,a);}
static int xSS(sqlite3_file*f){F*p=(F*)f;return p->real->pMethods->xSectorSize(p->real);}
static int xDC(sqlite3_file*f){F*p=(F*)f;return p->real->pMethods->xDeviceCharacteristics(p->real);}
static const sqlite3_io_methods M={1,xClose,xRead,xWrite,xTrunc,xSync,xSize,xLock,xUnlock,xCRL,xFC,xSS,xDC,0,0,0,0,0,0};
static int xOpen(sqlite3_vfs*v,const char*n,sqlite3_file*f,int fl,int*o){(void)v;F*p=(F*)f;p->real=sqlite3_malloc(base->szOsFile);memset(p->real,0,base->szOsFile);int rc=base->xOpen(base,n,p->real,fl,o);if(rc){sqlite3_free(p->real);p->f.pMethods=0;return rc;}p->f.pMethods=&M;return 0;}
static int xDelete(sqlite3_vfs*v,const char*n,int s){(void)v;return base->xDelete(base,n,s);}
static int xAccess(sqlite3_vfs*v,const char*n,int fl,int*r){(void)v;return base->xAccess(base,n,fl,r);}
static int xFull(sqlite3_vfs*v,const char*n,int k,char*o){(void)v;return base->xFullPathname(base,n,k,o);}
static const char *query_text(sqlite3 *db, const char *sql, char *buf, size_t n) {
  sqlite3_stmt *s = NULL;
  buf[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &s, 0) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_text(s, 0))
    snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return buf;
}

int main(void) {
  char path[256], buf[256];
  snprintf(path, sizeof path, "/tmp/shale_api_vfs_shim_%d.db", (int)getpid());
  base = sqlite3_vfs_find(0);
  CHECK(base != NULL);
  static sqlite3_vfs v;
  v.iVersion = 1;
  v.szOsFile = sizeof(F);
  v.mxPathname = base->mxPathname;
  v.zName = "shimvfs";
  v.xOpen = xOpen;
  v.xDelete = xDelete;
  v.xAccess = xAccess;
  v.xFullPathname = xFull;
  v.xRandomness = base->xRandomness;
  v.xSleep = base->xSleep;
  v.xCurrentTime = base->xCurrentTime;
  CHECK_INT(sqlite3_vfs_register(&v, 0), SQLITE_OK);
  remove(path);
  sqlite3 *db = NULL;
  CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "shimvfs"), SQLITE_OK);
  /* the copied clock, called with the shim as its argument */
  CHECK(strlen(query_text(db, "SELECT date('now')", buf, sizeof buf)) == 10);
  CHECK(strncmp(buf, "20", 2) == 0);
  CHECK_STR(query_text(db, "SELECT length(randomblob(8))", buf, sizeof buf), "8");
  CHECK_INT(sqlite3_exec(db, "CREATE TABLE t(x)", 0, 0, 0), SQLITE_OK);
  full = 1;
  CHECK_INT(sqlite3_exec(db, "INSERT INTO t VALUES('a')", 0, 0, 0), SQLITE_FULL);
  CHECK_STR(sqlite3_errmsg(db), "database or disk is full");
  CHECK_INT(sqlite3_get_autocommit(db), 1);
  full = 0;
  CHECK_INT(sqlite3_exec(db, "INSERT INTO t VALUES('b')", 0, 0, 0), SQLITE_OK);
  CHECK_STR(query_text(db, "SELECT group_concat(x) FROM t", buf, sizeof buf), "b");
  /* the same inside an explicit transaction: the failed statement is undone,
  ** the transaction goes on (SQLite keeps it open after SQLITE_FULL) */
  CHECK_INT(sqlite3_exec(db, "PRAGMA cache_size=1; BEGIN; INSERT INTO t VALUES('c')", 0, 0, 0), SQLITE_OK);
  full = 1;
  int rc = sqlite3_exec(db, "INSERT INTO t SELECT randomblob(3000) FROM t, t, t, t", 0, 0, 0);
  CHECK(rc == SQLITE_FULL || rc == SQLITE_OK);
  full = 0;
  sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  CHECK_INT(sqlite3_get_autocommit(db), 1);
  CHECK_STR(query_text(db, "SELECT group_concat(x) FROM t", buf, sizeof buf), "b");
  CHECK_STR(query_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok");
  CHECK_INT(sqlite3_close(db), SQLITE_OK);
  CHECK_INT(sqlite3_vfs_unregister(&v), SQLITE_OK);
  remove(path);
  return testlib_finish("api_vfs_shim");
}
