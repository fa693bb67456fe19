create table t(a integer primary key autoincrement, b);
create table "odd name"(x integer primary key, y);
create index ti on t(b);
create view v as select a from t;
create trigger tr after insert on t begin select 1; end;
insert into t(b) values(1),('two'),(x'00ff'),(3.5),(NULL);
insert into "odd name" values(5, 'it''s');
.tables
.tables t%
.indexes
.schema
.schema t
.dump
.dump t
