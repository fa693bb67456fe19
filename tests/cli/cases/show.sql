.show
.mode csv
.headers on
.nullvalue xx
.show
.print hello  world "quoted arg"
.echo on
select 1;
.echo off
.changes on
create table t(a);
insert into t values(1),(2);
.changes off
