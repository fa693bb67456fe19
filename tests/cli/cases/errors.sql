create table t(a unique);
insert into t values(1);
insert into t values(1);
selec 1;
select * from nosuch;
select abs(-9223372036854775808);
  select 1,
  2 from
 nosuch2;
select 1 +;
.bogus
.mode foo
.headers
.nullvalue
select 'after errors';
select (1
.load
