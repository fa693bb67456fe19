-- EXPLAIN QUERY PLAN of compound SELECTs: temporary b-trees without ORDER
-- BY, SQLite's MERGE of sorted arms (LEFT/RIGHT co-routines) with one.
create table d(v collate nocase, w);
create index di on d(v);
create table e(v, w);
create index ei on e(v);
EXPLAIN QUERY PLAN select v from d union select v from e;
EXPLAIN QUERY PLAN select v from d union select v from e order by 1;
EXPLAIN QUERY PLAN select v from e union select v from d order by 1;
EXPLAIN QUERY PLAN select v from e union all select v from d order by 1;
EXPLAIN QUERY PLAN select v from e intersect select v from d order by 1 desc;
EXPLAIN QUERY PLAN select v from e except select v from d order by 1;
EXPLAIN QUERY PLAN select 1 union all select 2 union all select 3 order by 1;
EXPLAIN QUERY PLAN select v from d union select w from e union all select 'x' order by 1;
select v from d union select v from e order by 1;
