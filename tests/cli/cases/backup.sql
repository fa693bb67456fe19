create table t(a, b); insert into t values(1, 'one'), (2, 'two');
create index tb on t(b);
.backup b1.db
.backup main b2.db
.save b3.db
.backup --async b4.db
.backup nosuch b5.db
.backup
.backup a b c
.backup --bogus b6.db
.backup no/such/dir/x.db
attach 'b2.db' as aux;
select * from aux.t;
insert into t values(3, 'three');
.backup aux b7.db
.restore b1.db
select * from t;
.restore aux b3.db
.restore nosuch b1.db
.restore
.restore a b c
.restore no/such/dir/x.db
.restore notthere.db
select count(*) from t;
.open b7.db
select * from t;
pragma integrity_check;
.open b4.db
select * from t;
.open --new main.db
create table t(a);
insert into t values(1);
.restore notthere.db
select count(*) from t;
pragma integrity_check;
.ba on
.bac again.db
.sa x.db
.sav x.db
.res x.db
