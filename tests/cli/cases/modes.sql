create table t(a,b,c);
insert into t values(1,'x y',NULL),(2.5,'he said "hi", ok',x'01ff'),(-3,'line1
line2',''),(NULL,'tab	here','ünï'),(1e100, 0.1, -0.0);
.mode list
select * from t;
.headers on
select * from t;
.mode csv
select * from t;
.mode tabs
select * from t;
.mode json
select * from t;
select 1 where 0;
.mode line
select * from t;
.mode column
select * from t;
.mode box
select * from t;
.mode table
select * from t;
.mode markdown
select * from t;
.mode quote
select * from t;
.mode insert
select * from t;
.mode insert "my tab"
select * from t;
.mode html
select * from t;
.mode tcl
select * from t;
.mode ascii
select * from t;
.headers off
.mode column
select 1 as abcdef, 'x';
.width 3 -5
select 1,2, 'long text here';
.mode list
.separator ; ##
select 1, 2;
.nullvalue NIL
select null, 1;
.mode insert
select 21.0, 2.1, -0.0, 1e300*1e300, -9223372036854775808.0, 9e15, 1e100;
.mode quote
select 21.0, 2.1, -0.0, 1e300*1e300;
.mode json
select 21.0, 2.1, -0.0, 1e300*1e300;
