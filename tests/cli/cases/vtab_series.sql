-- args: :memory:
-- generate_series is built into the sqlite3 shell (not the library)
select value,start,stop,step,rowid from generate_series(1,10,3);
select * from generate_series(10,1,-3);
select * from generate_series(1,10,-3);
select * from generate_series(5) limit 3;
select * from generate_series(1,3) order by value desc;
select * from generate_series(1,NULL);
select * from generate_series(1,3,0);
explain query plan select * from generate_series(1,3) order by value desc;
explain query plan select value from generate_series(1,3) order by rowid desc;
select * from generate_series(-9223372036854775808, -9223372036854775806);
select a.value, b.value from generate_series(1,3) a, generate_series(a.value, 3) b;
select * from generate_series;
select * from generate_series(1,2,3,4);
select * from generate_series(0,100,25) where value > 30;
.mode box
select * from json_tree('{"a":[1,{"b":null}]}');
select name, type, pk from pragma_table_info('sqlite_schema');
