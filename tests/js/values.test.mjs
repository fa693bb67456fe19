// values.test.mjs — values through the fast paths of the glue (parameters
// encoded into a reused buffer, rows read with one shale_w_row call): the
// boundaries of each path, checked against what SQL itself sees (length,
// hex, typeof), on both builds.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { builds } from './helpers.mjs';

const hexOf = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

for (const build of builds) {
  describe(`${build.name} / values`, () => {
    let api, db;
    before(async () => {
      api = await build.load();
      db = await api.open(':memory:', { storage: 'memory' });
    });
    after(async () => { await db?.close(); });

    it('integers at the 32-bit and 2^53 boundaries', async () => {
      const q = db.prepare('SELECT ? AS v, typeof(?1) AS t, printf(\'%d\', ?1) AS s');
      for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1,
        2 ** 53 - 1, -(2 ** 53 - 1), 123456789012345]) {
        assert.deepEqual(await q.get(v), { v, t: 'integer', s: String(v) });
      }
      for (const sql of ['SELECT 9007199254740992 AS v', 'SELECT -9007199254740992 AS v',
        'SELECT 9223372036854775807 AS v', 'SELECT -9223372036854775808 AS v', 'SELECT 4294967296 * 2097152 AS v']) {
        await assert.rejects(db.prepare(sql).get(), RangeError, sql);
        const big = BigInt(sql.includes('*') ? 4294967296 * 2097152 : sql.slice(7, -5));
        assert.deepEqual(await db.prepare(sql).safeIntegers().get(), { v: big }, sql);
      }
      assert.deepEqual(await db.prepare('SELECT -4294967297 AS v').safeIntegers().get(), { v: -4294967297n });
      assert.deepEqual(await db.prepare('SELECT ? AS v').raw().get(-(2 ** 53 - 1)), [-(2 ** 53 - 1)]);
    });

    it('lastInsertRowid: negative, above 2^32, BigInt mode', async () => {
      await db.exec('CREATE TABLE r(id INTEGER PRIMARY KEY, x)');
      const ins = db.prepare('INSERT INTO r VALUES (?, ?)');
      assert.deepEqual(await ins.run(-5, 'a'), { changes: 1, lastInsertRowid: -5 });
      assert.deepEqual(await ins.run(2 ** 40 + 7, 'b'), { changes: 1, lastInsertRowid: 2 ** 40 + 7 });
      assert.deepEqual(await ins.run(-(2 ** 40) - 7, 'c'), { changes: 1, lastInsertRowid: -(2 ** 40) - 7 });
      const big = 2n ** 62n + 1n;
      assert.deepEqual(await ins.safeIntegers().run(big, 'd'), { changes: 1, lastInsertRowid: big });
      // beyond 2^53 without BigInt: rounded like Number(BigInt)
      ins.safeIntegers(false);
      assert.deepEqual(await ins.run(big + 2n, 'e'), { changes: 1, lastInsertRowid: Number(big + 2n) });
    });

    it('text: empty, ASCII and non-ASCII around the short-string paths, lone surrogates', async () => {
      const q = db.prepare('SELECT ? AS v, length(?1) AS n, hex(?1) AS h');
      const texts = ['', 'a', 'p'.repeat(16), 'o'.repeat(17), 'x'.repeat(15) + 'é', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), 'q'.repeat(64), 'w'.repeat(65),
        'é', 'caf\u00e9', 'a'.repeat(40) + '€', '€' + 'b'.repeat(70), '😀 emoji', 'x'.repeat(31) + 'é',
        '中文字符'.repeat(50), 'tab\tnew\nline', 'x'.repeat(100000)];
      for (const s of texts) {
        const r = await q.get(s);
        assert.equal(r.v, s);
        assert.equal(r.n, [...s].length);
        assert.equal(r.h, hexOf(s));
      }
      // a lone surrogate is encoded as U+FFFD (as TextEncoder does)
      assert.deepEqual(await q.get('a\ud800b'), { v: 'a\ufffdb', n: 3, h: hexOf('a\ufffdb') });
      // many parameters in one statement (the buffer is reused per parameter)
      const m = await db.prepare('SELECT ? || ? || ? AS v').get('é'.repeat(10), 'b'.repeat(300), 'c');
      assert.equal(m.v, 'é'.repeat(10) + 'b'.repeat(300) + 'c');
      // blobs below and above the reused buffer's limit (64 KiB)
      const bq = db.prepare('SELECT ? AS v, length(?1) AS n, hex(substr(?1, -2)) AS h');
      for (const len of [1, 65536, 65537, 300000]) {
        const bytes = new Uint8Array(len).map((_, i) => (i * 13) & 255);
        const r = await bq.get(bytes);
        assert.equal(r.n, len);
        assert.deepEqual(r.v, bytes);
        assert.equal(r.h, Buffer.from(bytes.subarray(-2)).toString('hex').toUpperCase());
      }
    });

    it('rows: every storage class, in object and raw mode, many columns', async () => {
      await db.exec(`CREATE TABLE v(i, r, t, b, n);
        INSERT INTO v VALUES (-7, -0.5, 'text', x'0001ff', NULL), (2147483648, 1e300, '', x'', NULL);`);
      const rows = await db.prepare('SELECT * FROM v ORDER BY rowid').all();
      assert.deepEqual(rows, [
        { i: -7, r: -0.5, t: 'text', b: new Uint8Array([0, 1, 255]), n: null },
        { i: 2147483648, r: 1e300, t: '', b: new Uint8Array(0), n: null }, // x'' is an empty blob
      ]);
      const raw = await db.prepare('SELECT * FROM v ORDER BY rowid').raw().all();
      assert.deepEqual(raw[0], [-7, -0.5, 'text', new Uint8Array([0, 1, 255]), null]);
      const cols = Array.from({ length: 40 }, (_, i) => `${i} AS c${i}`).join(', ');
      const wide = await db.prepare(`SELECT ${cols}, 'é' AS last`).get();
      assert.equal(Object.keys(wide).length, 41);
      assert.equal(wide.c39, 39);
      assert.equal(wide.last, 'é');
    });

    it('memory storage never yields for I/O; calls issued together on several statements run in order', async () => {
      await db.exec('CREATE TABLE s(a INTEGER PRIMARY KEY, b)');
      const before = db.ioWaits;
      const ins = db.prepare('INSERT INTO s(b) VALUES (?)');
      const sel = db.prepare('SELECT count(*) AS n FROM s');
      const ins2 = db.prepare('INSERT INTO s(b) VALUES (?)');
      const sel2 = db.prepare('SELECT count(*) AS n FROM s');
      const results = await Promise.all([ins.run('a'), sel.get(), ins2.run('b'), sel2.get()]);
      assert.deepEqual(results.map((r) => r.n ?? r.lastInsertRowid), [1, 1, 2, 2]);
      const it = db.prepare('SELECT b FROM s ORDER BY a').iterate();
      assert.deepEqual((await it.next()).value, { b: 'a' });
      await ins.run('c'); // another statement while the iterator holds a row
      assert.deepEqual((await it.next()).value, { b: 'b' });
      await it.return();
      assert.equal(db.ioWaits, before);
    });
  });
}
