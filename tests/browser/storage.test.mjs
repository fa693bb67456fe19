// Persistent browser storage (wasm/opfs_vfs/): 'opfs' and 'idb' in headless
// Chromium, served as plain files.  Data survives a reload; exported bytes
// pass sqlite3's integrity_check; a file made by sqlite3 imports; a COMMIT
// resolves only after the storage confirmed it; storage errors reject.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, newPage, serveStatic } from './lib/harness.mjs';
import { makeStorageSite, loadApi, sqlite3, sqlite3Made } from './lib/storage-site.mjs';

let browser, server, context;
before(async () => {
  server = await serveStatic(makeStorageSite('browser-storage'));
  browser = await launchChromium();
  context = await browser.newContext();
});
after(async () => { await context?.close(); await browser?.close(); await server?.close(); });

async function apiPage(log = []) {
  const page = await newPage(context, log);
  await loadApi(page, server.url);
  return page;
}

for (const storage of ['opfs', 'idb']) {
  describe(`storage '${storage}'`, () => {
    test('data survives a page reload (no close before it)', async () => {
      const log = [];
      const page = await apiPage(log);
      const kind = await page.evaluate(async (storage) => {
        const db = await shale.open('reload.db', { storage });
        await db.exec('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)');
        const ins = db.prepare('INSERT INTO t(b) VALUES (?)');
        await db.transaction(async () => {
          for (let i = 0; i < 300; i++) await ins.run('row ' + i + ' ' + 'x'.repeat(i % 50));
        });
        await ins.run('last');
        return db.storage;
      }, storage);
      assert.equal(kind, storage);
      await page.reload();
      await page.waitForFunction(() => window.shaleReady === true);
      const got = await page.evaluate(async (storage) => {
        const db = await shale.open('reload.db', { storage });
        const r = await db.prepare('SELECT count(*) AS n, max(b) AS mx FROM t').get();
        const ic = await db.prepare('PRAGMA integrity_check').get();
        const last = await db.prepare('SELECT b FROM t ORDER BY a DESC LIMIT 1').get();
        await db.close();
        return { ...r, ic: ic.integrity_check, last: last.b };
      }, storage);
      assert.deepEqual(got, { n: 301, mx: 'row 99 ' + 'x'.repeat(49), ic: 'ok', last: 'last' });
      assert.deepEqual(log, []);
      await page.close();
    });

    test('exported bytes pass sqlite3 integrity_check and read back identically', async () => {
      const page = await apiPage();
      const bytes = await page.evaluate(async (storage) => {
        const db = await shale.open('export.db', { storage });
        await db.exec(`CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB);
          CREATE INDEX tb ON t(b);`);
        await db.transaction(async () => {
          const ins = db.prepare('INSERT INTO t(b, c) VALUES (?, randomblob(?))');
          for (let i = 0; i < 500; i++) await ins.run('v' + (i * 7919 % 1000), i % 3 === 0 ? 3000 : 20);
        });
        await db.exec('DELETE FROM t WHERE a % 5 = 0');
        const out = await db.export();
        await db.close();
        return Array.from(out);
      }, storage);
      const buf = Buffer.from(bytes);
      assert.equal(sqlite3(buf, 'PRAGMA integrity_check'), 'ok');
      let sum = 0;
      for (let a = 1; a <= 500; a++) if (a % 5) sum += (a - 1) % 3 === 0 ? 3000 : 20;
      assert.equal(sqlite3(buf, 'SELECT count(*), sum(length(c)) FROM t'), `400|${sum}`);
    });

    test('a database made by sqlite3 imports with { data } and persists', async () => {
      const made = sqlite3Made(`CREATE TABLE k(id INTEGER PRIMARY KEY, v TEXT);
        WITH RECURSIVE s(i) AS (VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i < 2000)
        INSERT INTO k(v) SELECT printf('value-%05d', i) FROM s;
        PRAGMA journal_mode=WAL;`);
      const page = await apiPage();
      const first = await page.evaluate(async ([storage, data]) => {
        const db = await shale.open('imported.db', { storage, data: new Uint8Array(data) });
        const r = await db.prepare('SELECT count(*) AS n, max(v) AS mx FROM k').get();
        await db.exec("INSERT INTO k(v) VALUES ('added')");
        await db.close();
        return r;
      }, [storage, Array.from(made)]);
      assert.deepEqual(first, { n: 2000, mx: 'value-02000' });
      await page.reload();
      await page.waitForFunction(() => window.shaleReady === true);
      const again = await page.evaluate(async (storage) => {
        const db = await shale.open('imported.db', { storage });
        const r = await db.prepare("SELECT count(*) AS n, (SELECT v FROM k ORDER BY id DESC LIMIT 1) AS last FROM k").get();
        const mode = await db.prepare('PRAGMA journal_mode').get();
        const out = await db.export();
        await db.close();
        return { ...r, mode: mode.journal_mode, bytes: Array.from(out) };
      }, storage);
      assert.equal(again.n, 2001);
      assert.equal(again.last, 'added');
      assert.equal(again.mode, 'delete'); // a WAL image becomes a rollback-journal database
      assert.equal(sqlite3(Buffer.from(again.bytes), 'PRAGMA integrity_check'), 'ok');
    });

    test('a COMMIT resolves only after the storage confirmed it (page closed at once, then reopened)', async () => {
      const page = await apiPage();
      await page.evaluate(async (storage) => {
        const db = await shale.open('durable.db', { storage });
        await db.exec('CREATE TABLE IF NOT EXISTS d(x)');
        await db.exec('BEGIN; INSERT INTO d VALUES (1); INSERT INTO d VALUES (2); COMMIT');
        await db.prepare('INSERT INTO d VALUES (?)').run(3);
        // no close(): the page goes away right after the promise resolved
      }, storage);
      await page.close();
      const other = await apiPage();
      const got = await other.evaluate(async (storage) => {
        const db = await shale.open('durable.db', { storage });
        const r = await db.prepare('SELECT group_concat(x) AS xs FROM d').get();
        await db.close();
        return r.xs;
      }, storage);
      assert.equal(got, '1,2,3');
      await other.close();
    });

    test('journal_mode=WAL is refused with a clear error; the rollback journal works', async () => {
      const page = await apiPage();
      const got = await page.evaluate(async (storage) => {
        const db = await shale.open('nowal.db', { storage });
        let err = null;
        try { await db.exec('PRAGMA journal_mode = WAL'); } catch (e) { err = { code: e.code, msg: e.message }; }
        const mode = await db.prepare('PRAGMA journal_mode').get();
        await db.exec('CREATE TABLE t(a); INSERT INTO t VALUES (1)');
        const n = await db.prepare('SELECT count(*) AS n FROM t').get();
        await db.close();
        return { err, mode: mode.journal_mode, n: n.n };
      }, storage);
      assert.equal(got.err.code, 'SQLITE_ERROR');
      assert.match(got.err.msg, /journal_mode=WAL is not supported/);
      assert.equal(got.mode, 'delete');
      assert.equal(got.n, 1);
      await page.close();
    });
  });
}

test("storage 'opfs' with a missing worker script rejects open() with SQLITE_CANTOPEN (no hang)", async () => {
  const page = await apiPage();
  const got = await page.evaluate(async () => {
    let err = null;
    try {
      await shale.open('noworker.db', { storage: 'opfs', opfsWorkerURL: new URL('./missing-worker.js', location.href) });
    } catch (e) { err = { name: e.name, code: e.code, msg: e.message }; }
    // the default worker still works afterwards
    const db = await shale.open('afterwards.db', { storage: 'opfs' });
    await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const n = (await db.prepare('SELECT count(*) AS n FROM t').get()).n;
    await db.close();
    return { err, n };
  });
  assert.equal(got.err?.name, 'SqliteError');
  assert.equal(got.err.code, 'SQLITE_CANTOPEN');
  assert.match(got.err.msg, /opfs/);
  assert.equal(got.n, 1);
  await page.close();
});

test("'opfs' uses 'readwrite-unsafe' handles where Chromium has them, exclusive ones on request", async () => {
  const page = await apiPage();
  const got = await page.evaluate(async () => {
    const m = await import('./opfs-storage.js');
    const auto = await (await m.createOpfsStorage({})).info();
    const excl = await (await m.createOpfsStorage({ opfsMode: 'readwrite' })).info();
    return { auto: auto.unsafe, excl: excl.unsafe, available: m.opfsAvailable() };
  });
  assert.deepEqual(got, { auto: true, excl: false, available: true });
  await page.close();
});

test('one name in opfs, idb and memory at once: three separate databases', async () => {
  const page = await apiPage();
  const got = await page.evaluate(async () => {
    const dbs = {};
    for (const storage of ['opfs', 'idb', 'memory']) {
      dbs[storage] = await shale.open('same-name.db', { storage });
      await dbs[storage].exec(`CREATE TABLE t(s TEXT); INSERT INTO t VALUES ('${storage}')`);
    }
    const out = {};
    for (const [k, db] of Object.entries(dbs)) {
      out[k] = (await db.prepare('SELECT group_concat(s) AS s FROM t').get()).s;
      await db.close();
    }
    return out;
  });
  assert.deepEqual(got, { opfs: 'opfs', idb: 'idb', memory: 'memory' });
  await page.close();
});

test("'opfs' falls back to IndexedDB where OPFS is missing", async () => {
  const page = await newPage(context);
  await page.addInitScript(() => { delete StorageManager.prototype.getDirectory; });
  await loadApi(page, server.url);
  const got = await page.evaluate(async () => {
    const db = await shale.open('fallback.db', { storage: 'opfs' });
    await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const r = { storage: db.storage, n: (await db.prepare('SELECT count(*) AS n FROM t').get()).n };
    await db.close();
    let err = null;
    try { await shale.open('nofallback.db', { storage: 'opfs', opfsFallback: false }); } catch (e) { err = e.code; }
    return { ...r, err };
  });
  assert.deepEqual(got, { storage: 'idb', n: 1, err: 'SQLITE_CANTOPEN' });
  await page.close();
});
