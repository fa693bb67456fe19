/*
** parser_params.c — parameter numbering and names exactly as SQLite
** assigns them (expectations taken from sqlite3 3.40's
** sqlite3_bind_parameter_count / sqlite3_bind_parameter_name).
*/
#include "testlib.h"
#include "parser_dump.h"

/* names: '|'-separated, "-" for a nameless slot */
static void params(const char *sql, int n, const char *names) {
  ParseResult r;
  int rc = sql_parse(sql, -1, &r);
  CHECK_INT(rc, SQLITE_OK);
  if (rc != SQLITE_OK) {
    parse_result_clear(&r);
    return;
  }
  CHECK_INT(r.n_vars, n);
  char buf[512] = "";
  for (int i = 0; i < r.n_vars; i++) {
    if (i) strcat(buf, "|");
    strcat(buf, r.var_names && r.var_names[i] ? r.var_names[i] : "-");
  }
  if (strcmp(buf, names) != 0)
    testlib_fail(__FILE__, __LINE__, "%s: names %s, expected %s", sql, buf, names);
  else testlib_passed++;
  parse_result_clear(&r);
}

static void var_index(const char *sql, const char *want) {
  ParseResult r;
  CHECK_INT(sql_parse(sql, -1, &r), SQLITE_OK);
  char *d = dump_stmt(r.stmt);
  CHECK_STR(d, want);
  free(d);
  parse_result_clear(&r);
}

static void error(const char *sql, const char *msg) {
  ParseResult r;
  CHECK_INT(sql_parse(sql, -1, &r), SQLITE_ERROR);
  CHECK_STR(r.err, msg);
  parse_result_clear(&r);
}

int main(void) {
  params("select ?, ?5, :a, @b, $c::d(e), :a, ?", 9, "-|-|-|-|?5|:a|@b|$c::d(e)|-");
  params("select ?1, :a, ?", 3, "?1|:a|-");
  params("select :a, ?1, ?", 2, ":a|-");
  params("select ?3, ?", 4, "-|-|?3|-");
  params("select ?007, ?7, :x, ?", 9, "-|-|-|-|-|-|?007|:x|-");
  params("select $a, :a, @a, $a", 3, "$a|:a|@a");
  params("select ?2, ?2, ?1", 2, "?1|?2");
  params("select ?, ?, ?1", 2, "?1|-");
  params("select :a, :b, ?2, :a", 2, ":a|:b");
  params("select #a, $a(b), :a::b", 3, "#a|$a(b)|:a::b");
  params("select 1", 0, "");
  params("insert into t values(?, ?) on conflict do update set a = :x returning ?", 4, "-|-|:x|-");
  params("create trigger t after insert on x when :w begin select ?; end", 2, ":w|-");
  var_index("select :a, ?, :a, ?", "{SELECT (:a#1 ?#2 :a#1 ?#3)}");
  error("select ?0", "variable number must be between ?1 and ?250000");
  error("select ?250001", "variable number must be between ?1 and ?250000");
  error("select ?99999999999999999999", "variable number must be between ?1 and ?250000");
  error("select #1", "near \"#1\": syntax error");
  error("select $", "unrecognized token: \"$\"");
  error("select :", "unrecognized token: \":\"");
  error("select $a(b", "unrecognized token: \"$a(b\"");
  return testlib_finish("parser_params");
}
