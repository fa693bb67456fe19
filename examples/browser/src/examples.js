// examples.js — the editor's first text and the Examples menu.
export const WELCOME = `-- Welcome to the Shale playground: SQLite-compatible SQL, running in your browser.
-- Ctrl/⌘-Enter runs everything (or just the selection); Ctrl/⌘-Shift-Enter shows query plans.
CREATE TABLE IF NOT EXISTS planets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT,
  moons INTEGER,
  radius_km REAL
);
INSERT OR IGNORE INTO planets(name, kind, moons, radius_km) VALUES
  ('Mercury', 'rocky', 0, 2439.7), ('Venus', 'rocky', 0, 6051.8),
  ('Earth', 'rocky', 1, 6371.0), ('Mars', 'rocky', 2, 3389.5),
  ('Jupiter', 'gas giant', 95, 69911.0), ('Saturn', 'gas giant', 146, 58232.0),
  ('Uranus', 'ice giant', 28, 25362.0), ('Neptune', 'ice giant', 16, 24622.0);

SELECT kind, count(*) AS planets, sum(moons) AS moons, round(avg(radius_km), 1) AS avg_radius
FROM planets GROUP BY kind ORDER BY moons DESC;
`;

export const EXAMPLES = [
  ['Planets (the welcome script)', WELCOME],
  ['Joins and an index', `CREATE TABLE IF NOT EXISTS authors(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS books(id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors, title TEXT, year INTEGER);
CREATE INDEX IF NOT EXISTS books_author ON books(author_id);
INSERT INTO authors(name) VALUES ('Le Guin'), ('Lem');
INSERT INTO books(author_id, title, year) VALUES (1, 'The Dispossessed', 1974), (1, 'The Lathe of Heaven', 1971), (2, 'Solaris', 1961);

SELECT a.name, b.title, b.year
FROM books AS b JOIN authors AS a ON a.id = b.author_id
WHERE b.year < 1975 ORDER BY b.year;

EXPLAIN QUERY PLAN
SELECT a.name, count(*) FROM authors AS a JOIN books AS b ON b.author_id = a.id GROUP BY a.name;
`],
  ['Recursive CTE: Fibonacci', `WITH RECURSIVE fib(n, a, b) AS (
  SELECT 1, 0, 1
  UNION ALL
  SELECT n + 1, b, a + b FROM fib WHERE n < 40
)
SELECT n, a AS fibonacci FROM fib;
`],
  ['Window functions', `WITH sales(region, month, amount) AS (
  VALUES ('north', 1, 120), ('north', 2, 90), ('north', 3, 160),
         ('south', 1, 70), ('south', 2, 110), ('south', 3, 95)
)
SELECT region, month, amount,
       sum(amount) OVER (PARTITION BY region ORDER BY month) AS running_total,
       rank() OVER (PARTITION BY month ORDER BY amount DESC) AS rank_in_month
FROM sales ORDER BY region, month;
`],
  ['JSON', `SELECT json_extract('{"user": {"name": "ada", "langs": ["en", "fr"]}}', '$.user.name') AS name,
       json_array_length('[1, 2, 3, 4]') AS n,
       json_object('a', 1, 'b', 2.5, 'c', NULL) AS obj;
`],
  ['Types and typeof()', `SELECT 1 AS int, 1.0 AS real, 'one' AS text, x'01ff' AS blob, NULL AS missing,
       typeof(1), typeof(1.0), typeof('1'), typeof(x'01'), typeof(NULL),
       9223372036854775807 AS big_int;
`],
  ['A long query (press Stop)', `-- Counts forever: press Stop (or Ctrl/⌘-.) to interrupt it.
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
SELECT count(*) FROM c;
`],
  ['An error with its position', `WITH planets(name, moons) AS (VALUES ('Earth', 1), ('Mars', 2))
SELECT name, moons FROM planets
WHERE moonz > 1;
`],
];
