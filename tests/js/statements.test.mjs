// statements.test.mjs — Database.statements(): a multi-statement string
// compiled one statement at a time (the playground's "run all"), on both
// builds, in memory and through delayed, reordered async storage.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builds, storages, tmpdir, tmpfile } from './helpers.mjs';

const dir = tmpdir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const chosen = storages.filter((s) => s.name === 'memory' || s.name === 'js MemoryStorage, delayed+reordered');

for (const build of builds) {
  for (const storage of chosen) {
    describe(`statements(): ${build.name} / ${storage.name}`, () => {
      let db;
      before(async () => {
        const api = await build.load();
        db = await api.open(tmpfile(dir), storage.setup(api)());
      });
      after(async () => { await db?.close(); });

      it('yields each statement with its text offsets; later ones see earlier schema changes', async () => {
        const sql = "CREATE TABLE t(a INTEGER, b TEXT);\n  INSERT INTO t VALUES (1, 'é'), (2, 'two');  SELECT a, b FROM t ORDER BY a; -- tail\n";
        const seen = [];
        for await (const { statement, start, end } of db.statements(sql)) {
          const text = sql.slice(start, end);
          assert.equal(statement.source, text);
          if (statement.reader) seen.push({ text, cols: statement.columns(), rows: await statement.all() });
          else seen.push({ text, changes: (await statement.run()).changes });
          statement.finalize();
        }
        assert.deepEqual(seen.map((s) => s.text.trim()), [
          'CREATE TABLE t(a INTEGER, b TEXT);',
          "INSERT INTO t VALUES (1, 'é'), (2, 'two');",
          'SELECT a, b FROM t ORDER BY a;',
        ]);
        assert.equal(seen[1].changes, 2);
        assert.deepEqual(seen[2].cols, [{ name: 'a', type: 'INTEGER' }, { name: 'b', type: 'TEXT' }]);
        assert.deepEqual(seen[2].rows, [{ a: 1, b: 'é' }, { a: 2, b: 'two' }]);
      });

      it('a compile error carries its character offset in the whole string', async () => {
        // (as in SQLite, "no such column" has a position, "no such table" not)
        const sql = "SELECT 'ééé';\nSELECT a, nosuch FROM t;";
        const ran = [];
        await assert.rejects(async () => {
          for await (const { statement } of db.statements(sql)) { ran.push(await statement.all()); statement.finalize(); }
        }, (err) => {
          assert.equal(err.code, 'SQLITE_ERROR');
          assert.match(err.message, /no such column: nosuch/);
          assert.equal(err.offset, sql.indexOf('nosuch'));
          return true;
        });
        assert.deepEqual(ran, [[{ "'ééé'": 'ééé' }]]);
      });

      it('readonly and rowTypes()', async () => {
        const ins = db.prepare('INSERT INTO t VALUES (3, NULL)');
        const sel = db.prepare("SELECT 1, 1.0, 'x', x'00', NULL, a FROM t WHERE a = 1");
        assert.equal(ins.readonly, false);
        assert.equal(sel.readonly, true);
        const types = [];
        for await (const row of sel.iterate()) types.push(sel.rowTypes(), row);
        assert.deepEqual(types[0], ['integer', 'real', 'text', 'blob', 'null', 'integer']);
        ins.finalize();
        sel.finalize();
      });

      it('stopping early finalizes nothing it did not yield and leaves the connection usable', async () => {
        for await (const { statement } of db.statements('SELECT 1; SELECT 2;')) { statement.finalize(); break; }
        assert.deepEqual(await db.prepare('SELECT 3 AS x').all(), [{ x: 3 }]);
      });
    });
  }
}
