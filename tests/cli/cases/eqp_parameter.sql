.eqp on
CREATE TABLE t(a,b);
CREATE INDEX ti ON t(a);
INSERT INTO t VALUES(1,2);
INSERT INTO t VALUES(3,4);
SELECT * FROM t WHERE a=1;
SELECT 1;
SELECT * FROM t ORDER BY b;
.show
.eqp off
SELECT 2;
.eqp
.eqp bogus
.show
.parameter list
SELECT :x;
.parameter init
.parameter set :x 5
.parameter set @y 'hello'
.parameter set $z 3+4
.parameter set :longer_name x'00ff'
.parameter list
SELECT :x, @y, $z, :missing, ?1, typeof(:longer_name);
.eqp on
SELECT * FROM t WHERE a = :x;
.eqp off
.parameter unset :x
.parameter list
SELECT :x;
.parameter clear
.parameter list
SELECT :x;
.parameter set :q abc
SELECT :q;
.parameter set ?2 22
SELECT ?1, ?2, ?;
.parameter
.parameter bogus
.parameter set :only
.help eqp
.help param
