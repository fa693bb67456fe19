// compat.test.mjs — files cross between the JS API and the sqlite3 CLI.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { builds, tmpdir, tmpfile, delayed } from './helpers.mjs';

const dir = tmpdir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const sqlite3 = (file, sql) => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();

for (const build of builds) {
  describe(`${build.name} / sqlite3 compatibility`, () => {
    it('a database written by JS and exported passes integrity_check in sqlite3', async () => {
      const { open } = await build.load();
      const db = await open('x', { storage: 'memory' });
      await db.exec(`CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, pic BLOB);
                     CREATE INDEX ps ON p(score);`);
      await db.transaction(async () => {
        const ins = db.prepare('INSERT INTO p(name, score, pic) VALUES (?, ?, ?)');
        for (let i = 0; i < 500; i++) await ins.run(`n${i}`, i / 3, new Uint8Array(i % 300));
      });
      const f = tmpfile(dir, 'export');
      fs.writeFileSync(f, await db.export());
      await db.close();
      assert.equal(sqlite3(f, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(f, 'SELECT count(*), sum(length(pic)), max(name) FROM p'), '500|64750|n99');
    });

    it('a file database written through storage file (delayed) passes integrity_check', async () => {
      const { open } = await build.load();
      const f = tmpfile(dir, 'file');
      const db = await open(f, { storage: 'file', wrapStorage: (s) => delayed(s, 7) });
      await db.exec('CREATE TABLE k(a, b); CREATE INDEX kb ON k(b)');
      for (let r = 0; r < 3; r++) {
        await db.transaction(async () => {
          const ins = db.prepare('INSERT INTO k VALUES (?, ?)');
          for (let i = 0; i < 200; i++) await ins.run(r * 1000 + i, 'x'.repeat(i));
        });
      }
      await db.exec('DELETE FROM k WHERE a % 3 = 0');
      await db.close();
      assert.equal(sqlite3(f, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(f, 'SELECT count(*) FROM k'), '400');
    });

    it('WAL mode through storage file (delayed): sqlite3 reads the -wal frames, then the checkpointed file', async () => {
      const { open } = await build.load();
      const f = tmpfile(dir, 'wal');
      const db = await open(f, { storage: 'file', wrapStorage: (s) => delayed(s, 3) });
      assert.deepEqual(await db.prepare('PRAGMA journal_mode=WAL').get(), { journal_mode: 'wal' });
      await db.exec('CREATE TABLE w(a INTEGER PRIMARY KEY, b)');
      await db.transaction(async () => {
        const ins = db.prepare('INSERT INTO w(b) VALUES (?)');
        for (let i = 0; i < 300; i++) await ins.run('v'.repeat(i % 97));
      });
      assert.ok(fs.statSync(f + '-wal').size > 0, 'frames are in the -wal file');
      // a copy of the database + its -wal, as a crash would leave them
      const copy = tmpfile(dir, 'walcopy');
      fs.copyFileSync(f, copy);
      fs.copyFileSync(f + '-wal', copy + '-wal');
      assert.equal(sqlite3(copy, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(copy, 'SELECT count(*) FROM w'), '300');
      await db.close();
      assert.equal(sqlite3(f, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(f, 'SELECT count(*), sum(length(b)) FROM w'), `300|${[...Array(300).keys()].reduce((a, i) => a + (i % 97), 0)}`);
      const again = await open(f, { storage: 'file' });
      assert.deepEqual(await again.prepare('SELECT count(*) AS n FROM w').get(), { n: 300 });
      await again.close();
    });

    it('a file made by sqlite3 opens in JS (file storage and data)', async () => {
      const { open } = await build.load();
      const f = tmpfile(dir, 'cli');
      sqlite3(f, `PRAGMA page_size=1024; CREATE TABLE c(x INTEGER PRIMARY KEY, y TEXT);
                  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<1000)
                  INSERT INTO c SELECT i, printf('row %d', i) FROM s;`);
      const db = await open(f, { storage: 'file' });
      assert.deepEqual(await db.prepare('SELECT count(*) AS n, max(y) AS m FROM c').get(), { n: 1000, m: 'row 999' });
      await db.exec("INSERT INTO c(y) VALUES ('from js')");
      await db.close();
      assert.equal(sqlite3(f, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(f, 'SELECT y FROM c WHERE x = 1001'), 'from js');
      const mem = await open('img', { storage: 'memory', data: fs.readFileSync(f) });
      assert.deepEqual(await mem.prepare('SELECT count(*) AS n FROM c').get(), { n: 1001 });
      await mem.close();
    });
  });
}
