// api.test.mjs — the JS API on both wasm builds and every storage (memory,
// Node file, and file with delayed, reordered completions).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builds, storages, tmpdir, tmpfile } from './helpers.mjs';

const dir = tmpdir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const build of builds) {
  for (const storage of storages) {
    describe(`${build.name} / ${storage.name}`, () => {
      let api, db, name, opts;
      const openDb = (extra = {}) => api.open(name, { ...opts(), ...extra });
      before(async () => {
        api = await build.load();
        opts = storage.setup(api);
        name = tmpfile(dir);
        db = await openDb();
      });
      after(async () => { await db?.close(); });

      it('exec and all/get', async () => {
        await db.exec(`CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB);
                       INSERT INTO t(b, c, d) VALUES ('one', 1.5, x'00ff'), ('two', NULL, NULL);`);
        const rows = await db.prepare('SELECT * FROM t ORDER BY a').all();
        assert.deepEqual(rows, [
          { a: 1, b: 'one', c: 1.5, d: new Uint8Array([0, 255]) },
          { a: 2, b: 'two', c: null, d: null },
        ]);
        assert.deepEqual(await db.prepare('SELECT b FROM t WHERE a = ?').get(2), { b: 'two' });
        assert.equal(await db.prepare('SELECT b FROM t WHERE a = ?').get(99), undefined);
      });

      it('run returns changes and lastInsertRowid', async () => {
        const ins = db.prepare('INSERT INTO t(b) VALUES (?)');
        const r = await ins.run('three');
        assert.deepEqual(r, { changes: 1, lastInsertRowid: 3 });
        const u = await db.prepare('UPDATE t SET c = 2 WHERE a >= ?').run(2);
        assert.equal(u.changes, 2);
      });

      it('positional, numbered and named parameters', async () => {
        const q = (sql, ...p) => db.prepare(sql).get(...p);
        assert.deepEqual(await q('SELECT ? AS x, ? AS y', 1, 'a'), { x: 1, y: 'a' });
        assert.deepEqual(await q('SELECT ?2 AS x, ?1 AS y', 'first', 'second'), { x: 'second', y: 'first' });
        assert.deepEqual(await q('SELECT :a AS a, @b AS b, $c AS c', { a: 1, b: 2, c: 3 }), { a: 1, b: 2, c: 3 });
        assert.deepEqual(await q('SELECT ? AS x, ? AS y', [5, 6]), { x: 5, y: 6 });
        assert.deepEqual(await q('SELECT ? AS t, ? AS f, ? AS n', true, false, null), { t: 1, f: 0, n: null });
      });

      it('wrong parameter count rejects with SqliteError', async () => {
        await assert.rejects(db.prepare('SELECT ?, ?').get(1), { name: 'SqliteError', code: 'SQLITE_RANGE' });
        await assert.rejects(db.prepare('SELECT ?').get(1, 2), { name: 'SqliteError', code: 'SQLITE_RANGE' });
        await assert.rejects(db.prepare('SELECT :a').get({ b: 1 }), { name: 'SqliteError', code: 'SQLITE_RANGE' });
      });

      it('64-bit integers: safe check, BigInt mode', async () => {
        const big = 2n ** 62n + 3n;
        await db.exec('CREATE TABLE big(v INTEGER)');
        await db.prepare('INSERT INTO big VALUES (?)').run(big);
        await assert.rejects(db.prepare('SELECT v FROM big').get(), RangeError);
        assert.deepEqual(await db.prepare('SELECT v FROM big').safeIntegers().get(), { v: big });
        assert.deepEqual(await db.prepare('SELECT -9223372036854775808 AS m').safeIntegers().get(),
          { m: -(2n ** 63n) });
        assert.deepEqual(await db.prepare('SELECT ? AS v').get(-42), { v: -42 });
        assert.deepEqual(await db.prepare('SELECT ? AS v').get(2 ** 40 + 1), { v: 2 ** 40 + 1 });
        const bdb = await api.open(':memory:', { storage: 'memory', bigint: true });
        assert.deepEqual(await bdb.prepare('SELECT 7 AS v').get(), { v: 7n });
        await bdb.close();
      });

      it('blobs round-trip as Uint8Array', async () => {
        const bytes = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
        await db.exec('CREATE TABLE bl(x BLOB)');
        await db.prepare('INSERT INTO bl VALUES (?)').run(bytes);
        const row = await db.prepare('SELECT x, length(x) AS n FROM bl').get();
        assert.equal(row.n, 5000);
        assert.deepEqual(row.x, bytes);
        assert.deepEqual((await db.prepare("SELECT x'' AS e").get()).e, new Uint8Array(0));
      });

      it('raw() and columns()', async () => {
        const st = db.prepare('SELECT a, b AS name FROM t ORDER BY a LIMIT 2');
        assert.deepEqual(st.columns(), [{ name: 'a', type: 'INTEGER' }, { name: 'name', type: 'TEXT' }]);
        assert.deepEqual(await st.raw().all(), [[1, 'one'], [2, 'two']]);
      });

      it('iterate is an async iterator', async () => {
        const seen = [];
        for await (const row of db.prepare('SELECT a FROM t ORDER BY a').iterate()) seen.push(row.a);
        assert.deepEqual(seen, [1, 2, 3]);
      });

      it('tagged template binds safely', async () => {
        const evil = "x'; DROP TABLE t; --";
        const rows = await db.sql`SELECT ${evil} AS s, ${2} + 3 AS n`;
        assert.deepEqual(rows, [{ s: evil, n: 5 }]);
        assert.equal((await db.sql`SELECT count(*) AS c FROM t`)[0].c, 3);
      });

      it('transaction commits, and rolls back on throw', async () => {
        await db.exec('CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER)');
        await db.transaction(async (tx) => {
          await tx.exec('INSERT INTO acct VALUES (1, 100), (2, 0)');
          await tx.prepare('UPDATE acct SET bal = bal + ? WHERE id = ?').run(5, 2);
        });
        await assert.rejects(db.transaction(async (tx) => {
          await tx.exec('UPDATE acct SET bal = 0');
          throw new Error('boom');
        }), /boom/);
        assert.deepEqual(await db.prepare('SELECT bal FROM acct ORDER BY id').raw().all(), [[100], [5]]);
        assert.equal(db.inTransaction, false);
        // many writes in one transaction (several pages, journal traffic)
        await db.transaction(async () => {
          const ins = db.prepare('INSERT INTO acct(bal) VALUES (?)');
          for (let i = 0; i < 300; i++) await ins.run(i);
        });
        assert.equal((await db.prepare('SELECT count(*) AS c, sum(bal) AS s FROM acct').get()).s, 105 + 299 * 150);
      });

      it('errors carry SQLite codes and messages', async () => {
        await db.exec('CREATE TABLE u(x UNIQUE NOT NULL)');
        await db.exec('INSERT INTO u VALUES (1)');
        await assert.rejects(db.exec('INSERT INTO u VALUES (1)'),
          { name: 'SqliteError', code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: u.x' });
        await assert.rejects(db.exec('INSERT INTO u VALUES (NULL)'), { code: 'SQLITE_CONSTRAINT_NOTNULL' });
        assert.throws(() => db.prepare('SELEC 1'), { name: 'SqliteError', code: 'SQLITE_ERROR', message: /syntax error/ });
        assert.throws(() => db.prepare('SELECT * FROM nope'), { message: 'no such table: nope' });
        assert.throws(() => db.prepare('SELECT 1; SELECT 2'), /more than one statement/);
        await assert.rejects(db.exec('SELECT 1; SELEC 2'), { code: 'SQLITE_ERROR', offset: 10 });
        await assert.rejects(db.exec('SELECT 1; SELECT nocol FROM sqlite_schema'), { message: 'no such column: nocol', offset: 17 });
      });

      it('export() gives the database bytes; open({ data }) reads them', async () => {
        const bytes = await db.export();
        assert.equal(new TextDecoder().decode(bytes.subarray(0, 15)), 'SQLite format 3');
        const copy = await api.open(name + '-copy', { ...opts(), data: bytes });
        assert.deepEqual(await copy.prepare('SELECT count(*) AS c FROM acct').get(), { c: 302 });
        await copy.close();
      });

      it('large table: many pages, index, reopen', async () => {
        await db.exec('CREATE TABLE big2(k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX big2v ON big2(v)');
        await db.transaction(async () => {
          const ins = db.prepare('INSERT INTO big2(v) VALUES (?)');
          for (let i = 0; i < 2000; i++) await ins.run('value-' + (i * 7919 % 2000).toString().padStart(5, '0') + '-'.repeat(50));
        });
        assert.deepEqual(await db.prepare('SELECT count(*) AS c, count(DISTINCT v) AS d FROM big2').get(), { c: 2000, d: 2000 });
        if (storage.name !== 'memory') {
          await db.close();
          db = await openDb();
          assert.deepEqual(await db.prepare('SELECT count(*) AS c FROM big2 WHERE v > ?').get('value-01000'), { c: 1000 });
          assert.deepEqual(await db.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
        }
      });

      it('concurrent calls on one connection', async () => {
        const stmts = Array.from({ length: 8 }, (_, i) => db.prepare(`SELECT count(*) + ${i} AS n FROM big2 WHERE k % 8 = ${i}`));
        const got = await Promise.all(stmts.map((st) => st.get()));
        assert.deepEqual(got.map((r) => r.n), [250, 251, 252, 253, 254, 255, 256, 257]);
        const [a, b] = await Promise.all([
          db.prepare('SELECT sum(length(v)) AS s FROM big2').get(),
          (async () => { const rows = []; for await (const r of db.prepare('SELECT k FROM big2 WHERE k <= 3').iterate()) rows.push(r.k); return rows; })(),
        ]);
        assert.equal(a.s, 2000 * 61);
        assert.deepEqual(b, [1, 2, 3]);
      });

            it('the I/O yield path was used (file storages)', () => {
        if (storage.name === 'memory') assert.equal(db.ioWaits, 0);
        else assert.ok(db.ioWaits > 0, `ioWaits = ${db.ioWaits}`);
      });

      // (not for memory databases: they end with close())
      if (storage.name !== 'memory') it('close() inside an open transaction rolls it back', async () => {
        const d = await api.open(name + '-rb', opts());
        await d.exec('CREATE TABLE r(x); INSERT INTO r VALUES (1)');
        await d.exec('BEGIN; INSERT INTO r VALUES (2)');
        for (let i = 0; i < 200; i++) await d.exec('INSERT INTO r VALUES (randomblob(400))');
        await d.close();
        const d2 = await api.open(name + '-rb', opts());
        assert.deepEqual(await d2.prepare('SELECT count(*) AS c FROM r').get(), { c: 1 });
        assert.deepEqual(await d2.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
        await d2.close();
      });

      it('closed database rejects with SqliteError', async () => {
        const d2 = await openDb();
        const st = d2.prepare('SELECT 1');
        await d2.close();
        await assert.rejects(d2.exec('SELECT 1'), { name: 'SqliteError', code: 'SQLITE_MISUSE' });
        await assert.rejects(st.all(), { name: 'SqliteError', code: 'SQLITE_MISUSE' });
        assert.throws(() => d2.prepare('SELECT 1'), { name: 'SqliteError' });
      });
    });
  }

  describe(`${build.name} / engine: async read of page 1`, () => {
    // Without the host VFS's header mirror every read, page 1 included, is
    // asynchronous (this once gave SQLITE_CORRUPT: btree_begin_trans kept a
    // half-begun transaction when page 1's read was PENDING).
    it('opens an existing file with every read deferred', async () => {
      const api = await build.load();
      const f = tmpfile(dir, 'nomirror');
      const a = await api.open(f, { storage: 'file' });
      await a.exec('CREATE TABLE m(x); INSERT INTO m VALUES (42)');
      await a.close();
      const b = await api.open(f, { storage: 'file', mirrorHeader: false });
      try {
        assert.deepEqual(await b.prepare('SELECT x FROM m').get(), { x: 42 });
      } finally {
        await b.close();
      }
    });
  });

  describe(`${build.name} / bad files`, () => {
    it('a file that is not a database rejects with SQLITE_NOTADB', async () => {
      const api = await build.load();
      const f = tmpfile(dir, 'junk');
      fs.writeFileSync(f, Buffer.alloc(4096, 'this is not a database '));
      await assert.rejects(api.open(f, { storage: 'file' }), { name: 'SqliteError', code: 'SQLITE_NOTADB' });
      await assert.rejects(api.open('junk', { storage: 'memory', data: new Uint8Array(4096).fill(65) }),
        { name: 'SqliteError', code: 'SQLITE_NOTADB' });
    });
  });
}
