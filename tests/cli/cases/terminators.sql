select 1
go
select 2
/
-- comment only

/* block */
select 3; select 4;
select 5; -- trailing
# hash comment line
select 'a;b';
