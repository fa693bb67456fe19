-- ANALYZE writes sqlite_stat1 and the planner uses it (rows per value of
-- each index prefix, table sizes; no STAT4): the plans must be sqlite3's.
-- A schema change reloads the statistics with the schema; a file written
-- by ANALYZE is read back with its statistics after .open.
create table t(a, b, c, d);
create index ta on t(a);
create index tb on t(b);
create index tcd on t(c, d);
with recursive n(i) as (select 1 union all select i+1 from n where i<3000) insert into t select i%2, i, i%300, i%7 from n;
create table u(x integer primary key, y);
create index uy on u(y);
with recursive n(i) as (select 1 union all select i+1 from n where i<50) insert into u select i, i%5 from n;
EXPLAIN QUERY PLAN select * from t where a=1 and b>5;
analyze;
select tbl, idx, stat from sqlite_stat1 order by tbl, idx;
EXPLAIN QUERY PLAN select * from t where a=1 and b>5;
EXPLAIN QUERY PLAN select * from t where a=1 and b=5;
EXPLAIN QUERY PLAN select * from t where a=1 and c=5;
EXPLAIN QUERY PLAN select * from t where a=0 and c=5 and d=2;
EXPLAIN QUERY PLAN select * from t where a=1 and b between 10 and 20;
select count(*) from t where a=1 and b>5;
create table v(z);
EXPLAIN QUERY PLAN select * from t where a=1 and b>5;
EXPLAIN QUERY PLAN select * from t, u where t.c = u.y and u.x = 3;
.backup stats.db
.open stats.db
EXPLAIN QUERY PLAN select * from t where a=1 and b>5;
select count(*) from sqlite_stat1;
