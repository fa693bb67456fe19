/*
** parser_errors.c — error messages in SQLite's words: every statement below
** is run through our parser and through the sqlite3 CLI (a subprocess, with a
** small schema so that name-resolution errors don't interfere).  When our
** parser rejects a statement the message must be identical; when it accepts
** it, sqlite3's error must be a later-stage one (not a syntax error).
** A few parse-stage messages are also checked directly.
*/
#include "testlib.h"
#include "parser_dump.h"
#include "parser_oracle.h"

static const char *const schema =
    "create table t(a,b,c); create index i on t(a); create table log(a); create table p(x);"
    " create table q(a); create view v as select 1 as a;";

static const char *const bad[] = {
    "select",
    "select 1 from",
    "select * from t where",
    "select 1 +",
    "select (1",
    "select (select 1",
    "select 1 1",
    "select 1 ^ 2",
    "select 'abc",
    "select \"abc",
    "select [abc",
    "select x'abc'",
    "select x'zz'",
    "select 0x",
    "select 12abc",
    "select 1.5e",
    "select $",
    "select @",
    "select :",
    "select ?abc",
    "select #1",
    "select 1 not 5",
    "select count(distinct *) from t",
    "select * from t where a like b escape c escape d",
    "select * from t order by 1 union select 1",
    "select * from t limit 1 union select 1",
    "select 1 from t natural outer join t",
    "select * from t cross outer join t",
    "select * from t inner outer join t",
    "select * from t join join t",
    "select 1 from t on 1",
    "select 1 from t using (a)",
    "select 1 from t join t b using (a) on 1",
    "insert into t select * from t on conflict do nothing",
    "insert into t values(1,2,3) on conflict do nothing on conflict do nothing",
    "create table",
    "create table zz(",
    "create table zz(a,",
    "create table zz(a) without x",
    "create table zz(a) foo",
    "create table if(x)",
    "create view v(a collate nocase) as select 1",
    "create view v(a desc) as select 1",
    "create trigger tr after insert on t begin insert into main.t values(1); end",
    "create trigger tr after insert on t begin update t indexed by i set a=1; end",
    "create trigger tr after insert on t begin update t not indexed set a=1; end",
    "create trigger tr after insert on t begin insert into t values(1) returning *; end",
    "create trigger tr after insert on t begin update t set a=1 returning *; end",
    "create trigger tr after insert on t begin insert into t default values; end",
    "create trigger tr after insert on t begin with x as (select 1) insert into t select * from x; end",
    "create trigger tr after insert on t begin select 1 end",
    "create trigger tr after insert on t begin end",
    "with recursive(x) as (select 1) select 1",
    "with x as select 1",
    "select sum(a) over (rows between current row and 1 preceding) from t",
    "select sum(a) over (rows between 1 following and current row) from t",
    "select sum(a) over (rows unbounded following) from t",
    "select sum(a) over (rows between unbounded preceding and unbounded preceding) from t",
    "select cast(1 as) from t",
    "select cast from t",
    "select raise from t",
    "select raise(ignore) from t",
    "select raise(abort) from t",
    "select case end",
    "select case when end",
    "select 1 is",
    "select 1 between 2",
    "select 1 in",
    "select exists 1",
    "select f(",
    "select f(distinct)",
    "select t.*.a from t",
    "select * from t as",
    "select a as from t",
    "update t set a",
    "update t set (a,b) = (1)",
    "update t set (a,b) = (1,2,3)",
    "delete t",
    "delete from",
    "drop table",
    "drop table if t",
    "drop foo x",
    "alter table t rename column to x",
    "alter table t add",
    "alter table t foo",
    "begin foo",
    "rollback to",
    "savepoint",
    "release",
    "pragma",
    "pragma a = ",
    "pragma a = -x",
    "attach 'x'",
    "attach 'x' as",
    "detach",
    "vacuum into",
    "analyze t.",
    "reindex t.",
    "explain",
    "explain query",
    "explain query plan",
    "values",
    "values 1",
    "values ()",
    "select 1 from t where a not",
    "select 1 from t group by",
    "select 1 from t having",
    "select 1 from t order by",
    "select 1 from t limit",
    "select 1 from t limit 1 offset",
    "select 1 from t window",
    "select 1 from t window w",
    "select 1 from t window w as",
    "select 1 from t window w as (",
    "select ?0",
    "select ?99999999999999999",
    "select 0x1FFFFFFFFFFFFFFFFF",
    "select -0x1FFFFFFFFFFFFFFFFF",
    "select 1 collate",
    "select - ",
    "select ~",
    "create index on t(a)",
    "create index i on t",
    "create index i on t()",
    "create unique i on t(a)",
    "create temp index i on t(a)",
    "create virtual table vt using",
    "create virtual table vt using m(",
    "create table zz(a int generated always as (1) foo)",
    "create table zz(a default -abc)",
    "create table zz(a primary key asc desc)",
    "create table zz(a references)",
    "create table zz(a, primary key)",
    "create table zz(a, foreign key (a) references)",
    "create table zz(a check)",
    "select 1;;",
    ";",
    "select a.b.c.d from t",
    "select 1 as 'x' 'y'",
    "select * from (select 1) as",
    "select * from t indexed",
    "select * from t indexed by",
    "select * from t not",
    "select * from f(1",
    "select * from t, ",
    "select (1,2",
    "select (1,)",
    "select 1 is distinct 2",
    "select 1 is not distinct 2",
    "select a from t where a glob",
    "select 1 from t where a isnull notnull",
    "select 1 -> ",
    "select 1 ->> ",
    "select 'a' || ",
    "insert into t",
    "insert into t(a",
    "insert into t values",
    "insert into t values(",
    "insert into t default",
    "insert or foo into t values(1)",
    "replace t values(1)",
    "update or into t set a=1",
    "select * from t natural",
    "select * from t left",
    "select * from t left outer",
    "select * from t foo bar join t",
    "select * from t left foo join t",
    "select * from t full outer join t",
    "select * from t right outer join t",
    "with x(a desc) as (select 1) select 1",
    "with x as (select 1),",
    "with x as materialized (select 1) select 1",
    "with x as not (select 1) select 1",
    "select 1 from t where x in ()",
    "select 1 from t where x in t()",
    "select 1 from t where x in main.t",
    "select 1 from t where x in main.",
    "select 1 filter (where 1)",
    "select f(1) filter (where 1) over w",
    "select f(1) over",
    "select f(1) over (",
    "select f(1) over (partition)",
    "select f(1) over (order by)",
    "select f(1) over (rows)",
    "select f(1) over (rows between)",
    "select f(1) over (rows 1)",
    "select f(1) over (rows 1 preceding exclude)",
    "select f(1) over (rows 1 preceding exclude no)",
    "select f(1) over (w w)",
    "select 1 from t where a = 1 and",
    "select * from t t1 join t t2 on t1.a = t2.a join",
    "select a from t where b in (select",
    "select 1 + + + ",
    "select x from t where a not like",
    "select count(*) from t group by a having count(*) >",
    "select (select 1 from t limit 1 offset",
    "select abs(-1) filter",
    "select 1 from t order by a collate nocase desc nulls",
    "select * from t where a between 1 and",
    "select a from t where a is not distinct from",
    "select * from t as x, (select 1) as",
    "insert into t(a, b) values (1, 2), (3",
    "insert into t select 1 returning",
    "update t set a = 1 where a = 1 returning",
    "delete from t where a = 1 order by",
    "create table zz(a int, b text, primary key (a, b) on conflict",
    "create table zz(a, b, foreign key (a) references t(a) on delete",
    "create table zz(a, b, foreign key (a) references t(a) on delete set",
    "create table zz(a integer primary key autoincrement autoincrement)",
    "create table zz(a as (1) stored stored)",
    "create index ii on t(a) where",
    "create view vv as",
    "create view vv as select",
    "with x as (select 1) select * from x where",
    "with x as (select 1)",
    "with x as (select 1) values",
    "select 1 from t where exists (select 1 from t where",
    "select case a when 1 then 2 else",
    "select cast(a as int",
    "select 'a' 'b'",
    "select 1 2 3",
    "select * from t where a = 'x",
    "select * from t where a = x'1'",
    "select * from t where a = 0x",
    "select 1 from t where a in (1, 2,)",
    "select 1 from t where a in (select 1 union select)",
    "select 1 union",
    "select 1 union all",
    "select 1 except select",
    "select 1 intersect select 2 order by",
    "select 1 as",
    "select * from t natural join",
    "select * from t cross join t using",
    "select * from t join t on",
    "alter table",
    "alter table t rename",
    "alter table t rename to",
    "alter table t add column",
    "alter table t drop column",
    "pragma foo.",
    "pragma foo = (1)",
    "pragma foo(",
    "attach",
    "begin transaction x y",
    "commit x",
    "savepoint x y",
    "release savepoint",
    "rollback transaction to savepoint",
    "vacuum x y",
    "reindex x.y.z",
    "analyze x y",
    "drop index if exists",
    "drop trigger x.",
    "create virtual table vt using x(a",
    "create virtual table vt",
    "create trigger trx after insert on t begin select 1; end x",
    "create trigger trx insert on t begin delete from t; end",
    "create trigger trx after insert t begin delete from t; end",
    "create trigger trx after insert on t for each begin delete from t; end",
    "create trigger trx after insert on t for each statement begin delete from t; end",
    "create trigger trx after insert on t when begin delete from t; end",
    "create trigger trx after update of on t begin delete from t; end",
    "select sum(a) over (partition by a rows between unbounded preceding and unbounded preceding) from t",
    "select sum(a) over (groups between 1 following and 1 preceding) from t",
    "select sum(a) over (range between current row and 2 preceding) from t",
    "select * from t where a like",
    "select * from t where a glob 'x' escape",
    "select 1 is not",
    "select 1 not in",
    "select 1 not between 1 and",
    "select 1 notnull isnull notnull isnull not",
    "select -",
    "select 1 = = 1",
    "select 1 from t where a == ",
    "select 1 from t where a <>",
    "select 1 from t where a != ",
    "select 1 from t where a !",
    "select 1 from t where a ! = 1",
    "select 1 from t where a >> ",
    "select {1}",
    "select 1 from t where a = @",
    "select 1 from [t",
    "select 1 from `t",
    "select 1 from \"t",
    "select 1.5.5",
    "select 1e",
    "select 1e+",
    "select 1x",
    "select 0x1g",
    "select x'1g'",
    "select x'12",
    "select 'x'x",
    "select '\\0'",
    "select a. from t",
    "select .a from t",
    "select t.* .a from t",
    "select * . from t",
    "values (1),",
    "values (1) (2)",
    "values (1), (2,)",
};

static void direct(const char *sql, const char *msg) {
  ParseResult r;
  int rc = sql_parse(sql, -1, &r);
  CHECK(rc != SQLITE_OK);
  CHECK_STR(r.err, msg);
  parse_result_clear(&r);
}

static void compare(const char *text, const char *m, int *rejected) {
  ParseResult r;
  int rc = sql_parse(text, -1, &r);
  if (rc != SQLITE_OK) {
    (*rejected)++;
    if (strcmp(m, r.err) != 0)
      testlib_fail(__FILE__, __LINE__, "ours \"%s\", sqlite3 \"%s\"\n  SQL: %s", r.err, m, text);
    else testlib_passed++;
  } else if (is_syntax_class(m)) {
    testlib_fail(__FILE__, __LINE__, "we accept, sqlite3 says \"%s\"\n  SQL: %s", m, text);
  } else {
    testlib_passed++;
  }
  parse_result_clear(&r);
}

int main(void) {
  int compared = 0, rejected = 0;
  enum { N = (int)SHALE_ARRAY_SIZE(bad) };
  if (oracle_available()) {
    /* statements that are complete once ";" is appended run in one sqlite3
    ** process (both sides see the same text); the others run one by one */
    static char *texts[N];
    static const char *batch[N];
    static char *msgs[N];
    int nb = 0;
    for (int i = 0; i < N; i++) {
      size_t len = strlen(bad[i]);
      texts[i] = malloc(len + 3);
      memcpy(texts[i], bad[i], len);
      memcpy(texts[i] + len, "\n;", 3);
      if (sql_complete(texts[i])) batch[nb++] = texts[i];
    }
    oracle_batch(schema, batch, nb, msgs);
    for (int i = 0; i < nb; i++) {
      compare(batch[i], msgs[i], &rejected);
      compared++;
      free(msgs[i]);
    }
    for (int i = 0; i < N; i++) {
      if (!sql_complete(texts[i])) {
        char *m = oracle_error(schema, bad[i]);
        compare(bad[i], m, &rejected);
        compared++;
        free(m);
      }
      free(texts[i]);
    }
  }
  printf("parser_errors: %d statements compared with sqlite3 (%d rejected by our parser)\n",
         compared, rejected);
  direct("select 1 +", "incomplete input");
  direct("select 1 + ;", "near \";\": syntax error");
  direct("select 'abc", "unrecognized token: \"'abc\"");
  direct("select 1 ^ 2", "unrecognized token: \"^\"");
  direct("SELECT 1 FROM t ORDER BY 1 UNION SELECT 2", "ORDER BY clause should come after UNION not before");
  direct("SELECT 1 FROM t LIMIT 1 UNION ALL SELECT 2", "LIMIT clause should come after UNION ALL not before");
  direct("SELECT * FROM t NATURAL OUTER JOIN u", "unknown join type: NATURAL OUTER");
  direct("SELECT sum(a) OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t", "unsupported frame specification");
  direct("CREATE TABLE x(a) WITHOUT foo", "unknown table option: foo");
  direct("CREATE TABLE x(a AS (1) foo)", "error in generated column \"a\"");
  direct("CREATE VIEW x(a DESC) AS SELECT 1", "syntax error after column name \"a\"");
  direct("SELECT 0x10000000000000000", "hex literal too big: 0x10000000000000000");
  direct("SELECT -0x10000000000000000", "hex literal too big: -0x10000000000000000");
  direct("UPDATE t SET (a, b) = (1, 2, 3)", "2 columns assigned 3 values");
  direct("CREATE TRIGGER r AFTER INSERT ON t BEGIN INSERT INTO t VALUES(1) RETURNING *; END",
         "cannot use RETURNING in a trigger");
  return testlib_finish("parser_errors");
}
