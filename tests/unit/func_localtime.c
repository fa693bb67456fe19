/*
** func_localtime.c — the 'localtime' and 'utc' date modifiers under a
** non-UTC time zone (TZ=America/New_York, set for this process and the
** sqlite3 CLI it runs), around DST changes and outside 1970-2037 (where
** SQLite maps the year into that range).  Compared with sqlite3 3.40.1.
*/
#include <time.h>
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  setenv("TZ", "America/New_York", 1);
  tzset();
  static const char *const times[] = {
      "'2020-07-01 12:00'", "'2020-03-08 06:59:59'", "'2020-03-08 07:00:00'", "'2020-03-08 07:30'",
      "'2020-11-01 05:30'", "'2020-11-01 06:30'", "'2020-01-01 12:00:00.250'", "'1900-06-01 12:00'",
      "'2050-06-01 12:00'", "'1969-12-31 23:00'", "'2038-01-19 03:14:08'", "'0001-01-01 00:00'",
      "'9999-12-31 12:00'", "'2000-02-29 04:59'"};
  static const char *const mods[][2] = {{"'localtime'", NULL}, {"'utc'", NULL},
                                        {"'localtime'", "'utc'"}, {"'utc'", "'localtime'"},
                                        {"'localtime'", "'start of day'"}, {"'utc'", "'utc'"}};
  enum { N = sizeof(times) / sizeof(times[0]) * (sizeof(mods) / sizeof(mods[0])) };
  char *ours[N];
  char sqls[N][128];
  int k = 0;
  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    for (size_t j = 0; j < sizeof(mods) / sizeof(mods[0]); j++, k++) {
      const char *lits[3] = {times[i], mods[j][0], mods[j][1]};
      int argc = mods[j][1] ? 3 : 2;
      ours[k] = mock_call("datetime", argc, lits);
      snprintf(sqls[k], sizeof sqls[k], "SELECT quote(datetime(%s, %s%s%s));", times[i],
               mods[j][0], mods[j][1] ? ", " : "", mods[j][1] ? mods[j][1] : "");
    }
  }
  char path[] = "/tmp/shale_lt_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < N; i++) fprintf(f, "%s\n", sqls[i]);
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  char line[256];
  int i = 0;
  while (p && fgets(line, sizeof line, p) && i < N) {
    line[strcspn(line, "\r\n")] = 0;
    if (strcmp(line, ours[i]) == 0) testlib_passed++;
    else testlib_fail(__FILE__, __LINE__, "%s ours %s sqlite3 %s", sqls[i], ours[i], line);
    i++;
  }
  if (p) pclose(p);
  unlink(path);
  if (i != N) printf("func_localtime: sqlite3 answered %d of %d\n", i, N);
  for (i = 0; i < N; i++) free(ours[i]);
  return testlib_finish("func_localtime");
}
