-- args: -csv -header
select 1 as a, 'x,y' as b;
select 'plain' as c;
