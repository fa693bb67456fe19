// The playground (examples/browser, built by `make playground` into
// build/playground/) driven end to end in headless Chromium from a plain
// static server: type SQL into the editor, run it with Ctrl-Enter, read the
// result table (names, types, values), an error with its position, run a
// selection, the query-plan tree, interrupt a never-ending query, reload and
// find the data again (persistent storage), open a .db made by the sqlite3
// CLI, download the database and check it with sqlite3.  Screenshots:
// build/browser-out/playground.png (and playground-dark.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchChromium, newPage, serveStatic, buildDir, outDir } from './lib/harness.mjs';

const root = path.join(buildDir, 'playground');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shale-playground-'));
const sqlite3 = (db, sql) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });

let browser, server, context, page;
const log = [];

before(async () => {
  assert.ok(fs.existsSync(path.join(root, 'index.html')), `${root} is missing: run make playground`);
  server = await serveStatic(root);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await newPage(context, log);
  await page.goto(server.url + '/');
  await page.evaluate(() => window.playground.ready);
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- helpers
const done = () => page.evaluate(() => Number(document.body.dataset.done || 0));
// Runs `action` and waits until the page finished one more action.
async function finish(action, timeout = 20000) {
  const before = await done();
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.done || 0) > n &&
    !document.body.classList.contains('busy'), before, { timeout });
}
// Replaces the editor's text by typing it (CodeMirror closes brackets and
// quotes as one types and steps over the closing ones; Escape closes the
// completion popup before each Enter so Enter inserts a line break).
async function typeSql(sql) {
  await page.click('.cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  const lines = sql.split('\n');
  for (let i = 0; i < lines.length; i++) {
    await page.keyboard.type(lines[i]);
    await page.keyboard.press('Escape');
    if (i < lines.length - 1) {
      await page.keyboard.press('Enter');
    }
  }
}
async function setSql(sql) { await page.evaluate((t) => window.playground.editor.setText(t), sql); }
async function editorText() { return page.evaluate(() => window.playground.editor.text()); }
const runKeys = async () => { await page.click('.cm-content'); await page.keyboard.press('ControlOrMeta+Enter'); };

// The result cards: [{ sql, meta, columns: [{ name, type }], rows: [[cell text]] , error }]
async function results() {
  return page.$$eval('#results .result', (cards) => cards.map((c) => ({
    cls: c.className,
    sql: c.querySelector('.res-sql')?.textContent ?? null,
    meta: c.querySelector('.res-meta')?.textContent ?? null,
    columns: [...c.querySelectorAll('thead th')].map((th) => ({
      name: th.querySelector('.col-name').textContent, type: th.querySelector('.col-type').textContent })),
    rows: [...c.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
    cellTypes: [...c.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.className)),
    error: c.querySelector('.err-message')?.textContent ?? null,
    code: c.querySelector('.err-code')?.textContent ?? null,
    excerpt: c.querySelector('.err-excerpt')?.textContent ?? null,
    text: c.textContent,
    plan: [...c.querySelectorAll('.plan-detail')].map((d) => d.textContent),
  })));
}
async function query(sql) {
  await setSql(sql);
  await finish(runKeys);
  return results();
}

// ---- the tests (in order: they share the page)
test('the page loads the engine in a worker, without cross-origin isolation', async () => {
  const info = await page.evaluate(() => window.playground.ready);
  assert.equal(info.version.split('.')[0], '3');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'undefined');
  assert.ok(info.available.memory);
});

test('persistent storage (OPFS) is offered and selected', async () => {
  const info = await page.evaluate(() => window.playground.client.info);
  assert.ok(info.available.opfs, `OPFS storage not available: ${JSON.stringify(info.available)}`);
  if (await page.evaluate(() => window.playground.client.storage) !== 'opfs') {
    await finish(() => page.click('[data-storage="opfs"]'));
  }
  assert.equal(await page.evaluate(() => window.playground.client.storage), 'opfs');
  assert.equal(await page.getAttribute('[data-storage="opfs"]', 'aria-checked'), 'true');
});

test('typed SQL runs with Ctrl-Enter; results show names, types and values', async () => {
  const sql = [
    'CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL, tag);',
    "INSERT INTO notes(body, score, tag) VALUES ('hello', 1.5, x'cafe'), ('wörld', 2, NULL);",
    'SELECT id, body, score, tag, typeof(score) AS t, id * 10 AS ten FROM notes ORDER BY id;',
  ].join('\n');
  await typeSql(sql);
  assert.equal((await editorText()).replace(/\s+/g, ' ').trim(), sql.replace(/\s+/g, ' ').trim());
  await finish(runKeys);
  const r = await results();
  assert.equal(r.length, 3, JSON.stringify(r));
  assert.match(r[0].meta, /^OK/);
  assert.match(r[1].meta, /^2 rows changed/);
  const sel = r[2];
  assert.match(sel.meta, /^2 rows · [\d.]+ (ms|s)$/);
  assert.deepEqual(sel.columns, [
    { name: 'id', type: 'INTEGER' }, { name: 'body', type: 'TEXT' }, { name: 'score', type: 'REAL' },
    { name: 'tag', type: 'blob' }, { name: 't', type: 'text' }, { name: 'ten', type: 'integer' },
  ]);
  assert.deepEqual(sel.rows, [
    ['1', 'hello', '1.5', "x'cafe'", 'real', '10'],
    ['2', 'wörld', '2.0', 'NULL', 'real', '20'],
  ]);
  assert.deepEqual(sel.cellTypes[1], ['t-integer', 't-text', 't-real', 't-null', 't-text', 't-integer']);
  assert.match(await page.textContent('#summary'), /^3 statements · /);
  // a header click sorts the rows shown (NULL first, as SQLite orders), again descending, then back
  const sortBy = async (col) => {
    await page.click(`#results .result:nth-child(3) th:nth-child(${col})`);
    return page.$$eval('#results .result:nth-child(3) tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
  };
  assert.deepEqual(await sortBy(4), ['wörld', 'hello']);
  assert.equal(await page.getAttribute('#results .result:nth-child(3) th:nth-child(4)', 'aria-sort'), 'ascending');
  assert.deepEqual(await sortBy(4), ['hello', 'wörld']);
  assert.deepEqual(await sortBy(4), ['hello', 'wörld']);
  assert.deepEqual(await sortBy(3), ['hello', 'wörld']);
  assert.deepEqual(await sortBy(3), ['wörld', 'hello']);
  await sortBy(3);
  // Copy puts the rows on the clipboard as tab-separated text
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.click('#results .result:nth-child(3) .copy');
  await page.waitForFunction(() => document.querySelector('#results .result:nth-child(3) .copy').textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
    "id\tbody\tscore\ttag\tt\tten\n1\thello\t1.5\tx'cafe'\treal\t10\n2\twörld\t2.0\t\treal\t20\n");
  // the schema sidebar shows the new table, its row count and columns
  const side = await page.innerText('#schema');
  assert.match(side, /notes/);
  assert.match(side, /2 rows/);
});

test('an error shows its message and position, and marks the editor', async () => {
  await setSql('SELECT 1;\nSELECT body,\n       nosuch FROM notes;');
  await finish(runKeys);
  const r = await results();
  assert.equal(r.length, 2);
  assert.deepEqual(r[0].rows, [['1']]);
  assert.equal(r[1].error, 'no such column: nosuch');
  assert.equal(r[1].code, 'SQLITE_ERROR');
  assert.equal(r[1].meta, 'line 3, column 8');
  assert.match(r[1].excerpt, /nosuch FROM notes;\n {7}\^/);
  await page.waitForSelector('.cm-lintRange-error');
  assert.equal(await page.textContent('.cm-lintRange-error'), 'nosuch');
  assert.match(await page.textContent('#status'), /Error/);
  // a run-time error (no position from the engine) marks its whole statement
  await setSql("SELECT 2;\n  INSERT INTO notes(id, body) VALUES (1, 'duplicate');\nSELECT 3;");
  await finish(runKeys);
  const r2 = await results();
  assert.equal(r2.length, 2, 'the run stops at the failing statement');
  assert.equal(r2[1].error, 'UNIQUE constraint failed: notes.id');
  assert.equal(r2[1].code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.equal(r2[1].meta, 'line 2, column 3');
  await page.waitForSelector('.cm-lintRange-error');
  assert.equal(await page.textContent('.cm-lintRange-error'), "INSERT INTO notes(id, body) VALUES (1, 'duplicate');");
  // editing clears the mark
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' ');
  await page.waitForSelector('.cm-lintRange-error', { state: 'detached' });
});

test('Ctrl-Enter with a selection runs only the selection', async () => {
  const text = "SELECT 'first' AS which;\nSELECT 'second' AS which;\nSELECT 'third' AS which;";
  await setSql(text);
  const from = text.indexOf("SELECT 'second'");
  await page.evaluate(([a, b]) => {
    const v = window.playground.editor.view;
    v.dispatch({ selection: { anchor: a, head: b } });
    v.focus();
  }, [from, from + "SELECT 'second' AS which;".length]);
  assert.match(await page.textContent('#run'), /Run selection/);
  await finish(() => page.keyboard.press('ControlOrMeta+Enter'));
  const r = await results();
  assert.equal(r.length, 1);
  assert.deepEqual(r[0].rows, [['second']]);
  assert.match(await page.textContent('#status'), /selection/);
});

test('the query plan shows as a tree', async () => {
  await setSql(`CREATE INDEX IF NOT EXISTS notes_body ON notes(body);
SELECT n.body, (SELECT count(*) FROM notes AS m WHERE m.score < n.score) AS below
FROM notes AS n WHERE n.body = 'hello' ORDER BY n.score;`);
  await finish(() => page.click('#explain'));
  let r = await results();
  assert.equal(r.length, 2, 'one plan per statement');
  assert.ok(r[1].plan.some((d) => /^SCAN n/.test(d)), 'no index yet: ' + r[1].plan.join(' | '));
  // run it, then the plan uses the index
  await finish(runKeys);
  await finish(() => page.click('#explain'));
  r = await results();
  const plan = r.at(-1).plan;
  assert.ok(plan.some((d) => /^SEARCH n USING INDEX notes_body/.test(d)), plan.join(' | '));
  assert.ok(plan.some((d) => /SCALAR SUBQUERY/.test(d)), plan.join(' | '));
  // nested: the subquery's scan is drawn inside the subquery's node
  const nested = await page.$$eval('.plan-tree li li .plan-detail', (els) => els.map((e) => e.textContent));
  assert.ok(nested.some((d) => /SCAN m/.test(d)), nested.join(' | '));
  // EXPLAIN QUERY PLAN typed as SQL is drawn as a tree too
  r = await query('EXPLAIN QUERY PLAN SELECT * FROM notes WHERE id = 1;');
  assert.deepEqual(r[0].plan, ['SEARCH notes USING INTEGER PRIMARY KEY (rowid=?)']);
});

test('Stop interrupts a query that never ends; the data is still there', async () => {
  await setSql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;');
  const before = await done();
  await runKeys();
  await page.waitForTimeout(1500);
  assert.equal(await done(), before, 'the query is still running after 1.5 s');
  assert.ok(await page.evaluate(() => document.body.classList.contains('busy')));
  // the page stays responsive while the worker computes
  assert.match(await page.textContent('#status'), /Running… /);
  const t0 = Date.now();
  await finish(() => page.click('#stop'), 10000);
  assert.ok(Date.now() - t0 < 8000, `stopping took ${Date.now() - t0} ms`);
  const r = await results();
  assert.match(r.at(-1).text, /Interrupted after/);
  assert.equal(await page.evaluate(() => window.playground.client.restarts), 1);
  const after = await query('SELECT count(*) AS n FROM notes;');
  assert.deepEqual(after[0].rows, [['2']]);
});

test('after a reload the data is still there', async () => {
  await query("INSERT INTO notes(body) VALUES ('written before the reload');");
  await page.reload();
  await page.evaluate(() => window.playground.ready);
  assert.equal(await page.evaluate(() => window.playground.client.storage), 'opfs');
  // the editor keeps its text too
  assert.match(await editorText(), /written before the reload/);
  await page.waitForFunction(() => /notes/.test(document.getElementById('schema').textContent));
  const r = await query('SELECT id, body FROM notes ORDER BY id;');
  assert.deepEqual(r[0].rows, [['1', 'hello'], ['2', 'wörld'], ['3', 'written before the reload']]);
  // it really is a file in the origin-private file system
  const size = await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const f = await (await root.getFileHandle('playground.db')).getFile();
    return f.size;
  });
  assert.ok(size >= 2 * 4096, `playground.db in OPFS has ${size} bytes`);
});

test('a second tab shares the OPFS database with the first', async () => {
  const other = await newPage(context, log);
  try {
    await other.goto(server.url + '/');
    const info = await other.evaluate(() => window.playground.ready);
    assert.equal(info.storage, 'opfs');
    const run = (p, sql) => p.evaluate(async (q) => {
      const rows = [];
      await window.playground.client.request('run', { sql: q }, (m) => rows.push(m.rows ?? m.message));
      return rows;
    }, sql);
    assert.deepEqual(await run(other, "SELECT body FROM notes WHERE id = 3; INSERT INTO notes(body) VALUES ('from the second tab');"),
      [[['written before the reload']], undefined]);
    assert.deepEqual(await run(page, 'SELECT body FROM notes WHERE id = 4;'), [[['from the second tab']]]);
    assert.deepEqual(await run(page, 'DELETE FROM notes WHERE id = 4; SELECT count(*) FROM notes;'), [undefined, [[3]]]);
  } finally {
    await other.close();
  }
});

test('the storage switch keeps one database per storage', async () => {
  await finish(() => page.click('[data-storage="memory"]'));
  assert.equal(await page.evaluate(() => window.playground.client.storage), 'memory');
  let r = await query("SELECT count(*) FROM sqlite_schema WHERE name = 'notes';");
  assert.deepEqual(r[0].rows, [['0']]);
  await query('CREATE TABLE only_in_memory(x); INSERT INTO only_in_memory VALUES (1);');
  await finish(() => page.click('[data-storage="idb"]'));
  assert.equal(await page.evaluate(() => window.playground.client.storage), 'idb');
  r = await query("CREATE TABLE IF NOT EXISTS in_idb(x); INSERT INTO in_idb VALUES ('kept'); SELECT count(*) FROM in_idb;");
  assert.deepEqual(r[2].rows, [['1']]);
  await finish(() => page.click('[data-storage="memory"]'));
  r = await query('SELECT x FROM only_in_memory;');
  assert.deepEqual(r[0].rows, [['1']], 'the memory database survives a switch away and back');
  // Stop on a memory database: the new worker starts from the snapshot
  // taken before the long statement, so the INSERT before it is kept
  await setSql('INSERT INTO only_in_memory VALUES (2);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;');
  const restarts = await page.evaluate(() => window.playground.client.restarts);
  await runKeys();
  await page.waitForFunction(() => document.querySelectorAll('#results .result').length === 1);
  await page.waitForTimeout(500);
  await finish(() => page.click('#stop'), 10000);
  assert.equal(await page.evaluate(() => window.playground.client.restarts), restarts + 1);
  r = await query('SELECT x FROM only_in_memory ORDER BY x;');
  assert.deepEqual(r[0].rows, [['1'], ['2']]);
  await query('DELETE FROM only_in_memory WHERE x = 2;');
  // a file that is not a database leaves the memory database as it was
  const junk = path.join(tmp, 'junk2.db');
  fs.writeFileSync(junk, 'SQLite format 3\0'.padEnd(4096, 'x'));
  await finish(() => page.setInputFiles('#open-file', junk));
  r = await results();
  assert.match(r[0].error, /junk2\.db: file is not a database/);
  r = await query('SELECT x FROM only_in_memory;');
  assert.deepEqual(r[0].rows, [['1']]);
  // a database sqlite3 left in WAL mode opens in memory too
  const wal = path.join(tmp, 'wal.db');
  sqlite3(wal, "PRAGMA journal_mode=WAL; CREATE TABLE w(a, b); INSERT INTO w VALUES (1, 'one'), (2, 'two');");
  await finish(() => page.setInputFiles('#open-file', wal));
  r = await results();
  assert.match(r[0].text, /Opened wal\.db .*tables w\..*WAL mode/);
  r = await query('SELECT a, b FROM w ORDER BY a; PRAGMA journal_mode; PRAGMA integrity_check;');
  assert.deepEqual(r[0].rows, [['1', 'one'], ['2', 'two']]);
  assert.deepEqual(r[2].rows, [['ok']]);
  await finish(() => page.click('[data-storage="opfs"]'));
  r = await query('SELECT count(*) FROM notes;');
  assert.deepEqual(r[0].rows, [['3']]);
});

test('opens a .db file made by the sqlite3 CLI', async () => {
  const file = path.join(tmp, 'cities.db');
  sqlite3(file, `PRAGMA page_size=1024;
    CREATE TABLE cities(name TEXT PRIMARY KEY, country TEXT, population INTEGER, area REAL) WITHOUT ROWID;
    CREATE INDEX cities_country ON cities(country);
    CREATE VIEW big AS SELECT name FROM cities WHERE population > 1000000;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
      INSERT INTO cities SELECT 'town' || i, 'C' || (i % 7), i * 1000, i * 0.5 FROM n;
    INSERT INTO cities VALUES ('Lyon', 'FR', 522250, 47.87), ('São Paulo', 'BR', 12325232, 1521.11);`);
  await finish(() => page.setInputFiles('#open-file', file));
  let r = await results();
  assert.match(r[0].text, /Opened cities\.db .*tables cities\./);
  const side = await page.innerText('#schema');
  assert.match(side, /cities/);
  assert.match(side, /502 rows/);
  assert.match(side, /big/);
  assert.match(side, /cities_country/);
  r = await query(`SELECT name, population, area FROM cities WHERE country IN ('FR', 'BR') ORDER BY name;
SELECT count(*), sum(population) FROM cities;
SELECT * FROM big;
PRAGMA integrity_check;`);
  assert.deepEqual(r[0].rows, [['Lyon', '522250', '47.87'], ['São Paulo', '12325232', '1521.11']]);
  const sum = sqlite3(file, 'SELECT count(*), sum(population) FROM cities;').trim().split('|');
  assert.deepEqual(r[1].rows, [sum]);
  assert.deepEqual(r[2].rows, [['São Paulo']]);
  assert.deepEqual(r[3].rows, [['ok']]);
  // a file that is not a database is refused with SQLite's message
  const junk = path.join(tmp, 'junk.db');
  fs.writeFileSync(junk, 'this is not a database, just some text that is long enough '.repeat(20));
  await finish(() => page.setInputFiles('#open-file', junk));
  r = await results();
  assert.match(r[0].error, /junk\.db: file is not a database/);
  // a file with a good header but a corrupt b-tree page is refused before
  // the stored database is touched: the cities are still there
  const bad = path.join(tmp, 'bad.db');
  const image = fs.readFileSync(file);
  image.fill(0x55, 1024, 2048); // page 2 (page_size 1024)
  fs.writeFileSync(bad, image);
  await finish(() => page.setInputFiles('#open-file', bad));
  r = await results();
  assert.match(r[0].error, /bad\.db: .*malformed/);
  r = await query('SELECT count(*) FROM cities; PRAGMA integrity_check;');
  assert.deepEqual(r[0].rows, [['502']]);
  assert.deepEqual(r[1].rows, [['ok']]);
});

test('downloads the current database; sqlite3 reads it', async () => {
  await query("CREATE TABLE fresh(a INTEGER, b TEXT); INSERT INTO fresh VALUES (7, 'seven');");
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'shale-playground.db');
  const file = path.join(tmp, 'downloaded.db');
  await download.saveAs(file);
  assert.equal(sqlite3(file, 'PRAGMA integrity_check;').trim(), 'ok');
  assert.equal(sqlite3(file, 'SELECT a, b FROM fresh;').trim(), '7|seven');
});

test('every example of the Examples menu runs (the error example fails where it should)', async () => {
  const names = await page.$$eval('#examples option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(names.length >= 6, names.join(', '));
  for (const name of names) {
    if (/long query/i.test(name)) continue; // never ends: the Stop test runs it
    await page.selectOption('#examples', name);
    assert.match(await editorText(), /\S/);
    await finish(runKeys);
    const r = await results();
    const errors = r.filter((c) => c.error);
    if (/typeof/.test(name)) {
      assert.deepEqual(r[0].rows, [['1', '1.0', 'one', "x'01ff'", 'NULL', 'integer', 'real', 'text', 'blob', 'null',
        '9223372036854775807']]);
    }
    if (/error/i.test(name)) {
      assert.equal(errors.length, 1, name);
      assert.match(errors[0].meta, /^line \d+, column \d+$/, name);
    } else {
      assert.deepEqual(errors.map((e) => e.error), [], name);
      assert.ok(r.some((c) => c.rows.length > 0 || c.plan.length > 0), `${name}: some result rows`);
    }
  }
});

test('Reset empties the database after a second click', async () => {
  await page.click('#reset');
  assert.equal(await page.textContent('#reset'), 'Really reset?');
  await finish(() => page.click('#reset'));
  assert.match(await page.innerText('#schema'), /No tables yet/);
  const r = await query('SELECT count(*) FROM sqlite_schema;');
  assert.deepEqual(r[0].rows, [['0']]);
});

test('a screenshot of the playground', async () => {
  await setSql(`-- Planets by kind
CREATE TABLE IF NOT EXISTS planets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT, moons INTEGER, radius_km REAL);
DELETE FROM planets;
INSERT INTO planets(name, kind, moons, radius_km) VALUES ('Mercury', 'rocky', 0, 2439.7), ('Venus', 'rocky', 0, 6051.8),
  ('Earth', 'rocky', 1, 6371.0), ('Mars', 'rocky', 2, 3389.5), ('Jupiter', 'gas giant', 95, 69911.0),
  ('Saturn', 'gas giant', 146, 58232.0), ('Uranus', 'ice giant', 28, 25362.0), ('Neptune', 'ice giant', 16, 24622.0);
SELECT kind, count(*) AS planets, sum(moons) AS moons, round(avg(radius_km), 1) AS avg_radius
FROM planets GROUP BY kind ORDER BY moons DESC;
EXPLAIN QUERY PLAN SELECT p.name FROM planets AS p WHERE p.kind = 'rocky' AND p.moons > (SELECT avg(moons) FROM planets);`);
  await finish(runKeys);
  const r = await results();
  assert.equal(r.length, 5);
  assert.deepEqual(r[3].rows[0], ['gas giant', '2', '241', '64071.5']);
  fs.mkdirSync(outDir, { recursive: true });
  const shot = path.join(outDir, 'playground.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 10000);
  // dark mode follows the system
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(21, 24, 31)');
  assert.ok(await page.$('.cm-editor .cm-content'));
  await page.screenshot({ path: path.join(outDir, 'playground-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('no console errors', () => {
  assert.deepEqual(log, []);
});
