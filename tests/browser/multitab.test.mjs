// Multi-tab: two pages of one browser context (and a page plus a Worker) on
// the same persistent database, writing in interleaved transactions.  The
// Web Locks writer lock must prevent lost updates, the file-table refresh
// after a lock hand-over must prevent stale cached pages, and the file must
// stay a valid SQLite database.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, newPage, serveStatic } from './lib/harness.mjs';
import { makeStorageSite, loadApi, sqlite3 } from './lib/storage-site.mjs';

let browser, server, context;
before(async () => {
  server = await serveStatic(makeStorageSite('browser-multitab'));
  browser = await launchChromium();
  context = await browser.newContext();
});
after(async () => { await context?.close(); await browser?.close(); await server?.close(); });

async function apiPage(log) {
  const page = await newPage(context, log);
  await loadApi(page, server.url);
  return page;
}

// A participant: a page's main thread, or a dedicated Worker started by a
// page (the engine then runs in the Worker, OPFS handles in-process).
// run(code, arg) evaluates `code` (async function body; `shale`, `arg`,
// and `globalThis.db` persist between calls) and returns its result.
async function participant(kind, log) {
  const page = await apiPage(log);
  if (kind === 'page') {
    return {
      page,
      run: (code, arg) => page.evaluate(([code, arg]) => {
        const f = new Function('shale', 'arg', 'return (async () => {' + code + '})()');
        return f(window.shale, arg);
      }, [code, arg]),
    };
  }
  await page.evaluate(() => new Promise((resolve, reject) => {
    const w = new Worker('./engine-worker.js', { type: 'module' });
    const pending = new Map();
    let next = 1;
    w.onmessage = (ev) => {
      if (ev.data.ready) { resolve(); return; }
      const p = pending.get(ev.data.id);
      pending.delete(ev.data.id);
      if (ev.data.error) p.reject(new Error(ev.data.error)); else p.resolve(ev.data.result);
    };
    w.onerror = (e) => reject(new Error('worker: ' + e.message));
    window.inWorker = (code) => new Promise((res, rej) => {
      const id = next++;
      pending.set(id, { resolve: res, reject: rej });
      w.postMessage({ id, code });
    });
  }));
  return {
    page,
    run: (code, arg) => page.evaluate(([code, arg]) =>
      window.inWorker('const arg = ' + JSON.stringify(arg) + ';\n' + code), [code, arg]),
  };
}

const OPEN = 'globalThis.db = await shale.open(arg.name, arg.opts);';
const INCREMENT = `
  const db = globalThis.db;
  const order = [];
  for (let i = 0; i < arg.n; i++) {
    await db.transaction(async () => {
      const { n } = await db.prepare('SELECT n FROM counter').get();
      await db.prepare('UPDATE counter SET n = ?').run(n + 1);
      await db.prepare('INSERT INTO log(who, i, seen) VALUES (?, ?, ?)').run(arg.who, i, n);
    });
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, 1)); // let the other side in
  }
  return true;`;

const configs = [
  { title: "opfs ('readwrite-unsafe' handles), two pages", opts: { storage: 'opfs' }, kinds: ['page', 'page'] },
  { title: 'idb, two pages', opts: { storage: 'idb' }, kinds: ['page', 'page'] },
  { title: "opfs with exclusive handles ('readwrite'), two pages", opts: { storage: 'opfs', opfsMode: 'readwrite' }, kinds: ['page', 'page'] },
  { title: 'opfs, a page and a Worker of another page', opts: { storage: 'opfs' }, kinds: ['page', 'worker'] },
];

let dbn = 0;
for (const cfg of configs) {
  describe(cfg.title, () => {
    test('interleaved read-modify-write transactions lose no update', async () => {
      const log = [];
      const name = `counter-${++dbn}.db`;
      const [a, b] = [await participant(cfg.kinds[0], log), await participant(cfg.kinds[1], log)];
      await a.run(OPEN + `await db.exec('CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0); CREATE TABLE log(who TEXT, i INTEGER, seen INTEGER)');`, { name, opts: cfg.opts });
      await b.run(OPEN, { name, opts: cfg.opts });
      const N = 50;
      await Promise.all([a.run(INCREMENT, { n: N, who: 'a' }), b.run(INCREMENT, { n: N, who: 'b' })]);
      const check = `const db = globalThis.db;
        const c = await db.prepare('SELECT n FROM counter').get();
        const l = await db.prepare('SELECT count(*) AS k, count(DISTINCT seen) AS d FROM log').get();
        const who = (await db.prepare('SELECT who FROM log ORDER BY seen').all()).map((r) => r.who).join('');
        const ic = await db.prepare('PRAGMA integrity_check').get();
        return { n: c.n, k: l.k, distinctSeen: l.d, who, ic: ic.integrity_check };`;
      const ra = await a.run(check, {});
      const rb = await b.run(check, {});
      assert.equal(ra.n, 2 * N, 'no lost update');
      assert.equal(ra.k, 2 * N);
      assert.equal(ra.distinctSeen, 2 * N, 'every transaction saw the previous one');
      assert.equal(ra.ic, 'ok');
      assert.deepEqual(rb, ra, 'both sides see the same database');
      const switches = [...ra.who].filter((ch, i, s) => i > 0 && ch !== s[i - 1]).length;
      assert.ok(switches > 0, `the two sides interleaved (order ${ra.who})`);
      const bytes = await b.run('const out = await globalThis.db.export(); return Array.from(out);', {});
      assert.equal(sqlite3(Buffer.from(bytes), 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite3(Buffer.from(bytes), 'SELECT n FROM counter'), String(2 * N));
      await a.run('await globalThis.db.close(); return true;', {});
      await b.run('await globalThis.db.close(); return true;', {});
      assert.deepEqual(log, []);
      await a.page.close();
      await b.page.close();
    });

    test('a reader sees the other side\'s commit at once (no stale cached pages)', async () => {
      const name = `stale-${++dbn}.db`;
      const [a, b] = [await participant(cfg.kinds[0]), await participant(cfg.kinds[1])];
      await a.run(OPEN + `await db.exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT); INSERT INTO kv VALUES ('x', 'one')");
        await db.transaction(async () => {
          for (let i = 0; i < 200; i++) await db.prepare('INSERT INTO kv VALUES (?, ?)').run('k' + i, 'v' + i);
        });`, { name, opts: cfg.opts });
      await b.run(OPEN, { name, opts: cfg.opts });
      const read = `return (await globalThis.db.prepare("SELECT v FROM kv WHERE k = ?").get(arg.k))?.v ?? null;`;
      assert.equal(await b.run(read, { k: 'x' }), 'one'); // b caches the pages
      assert.equal(await b.run(read, { k: 'k150' }), 'v150');
      for (const [i, v] of ['two', 'three', 'four'].entries()) {
        await a.run(`await globalThis.db.exec("UPDATE kv SET v = '${v}' WHERE k = 'x'; DELETE FROM kv WHERE k = 'k${i}'; INSERT INTO kv VALUES ('new${i}', '${v}')");`, {});
        assert.equal(await b.run(read, { k: 'x' }), v);
        assert.equal(await b.run(read, { k: `k${i}` }), null);
        assert.equal(await b.run(read, { k: `new${i}` }), v);
        // and the other way round
        await b.run(`await globalThis.db.exec("UPDATE kv SET v = 'b${i}' WHERE k = 'k150'");`, {});
        assert.equal(await a.run(read, { k: 'k150' }), `b${i}`);
      }
      await a.run('await globalThis.db.close(); return true;', {});
      await b.run('await globalThis.db.close(); return true;', {});
      await a.page.close();
      await b.page.close();
    });
  });
}

test('a lock held by another page times out as SQLITE_BUSY, not a hung promise', async () => {
  const [a, b] = [await participant('page'), await participant('page')];
  const name = 'busy.db';
  await a.run(OPEN + "await db.exec('CREATE TABLE t(x)');", { name, opts: { storage: 'opfs' } });
  await b.run(OPEN, { name, opts: { storage: 'opfs', busyTimeout: 500 } });
  // a keeps a write transaction open
  await a.run("await globalThis.db.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');", {});
  const err = await b.run(`try { await globalThis.db.prepare('SELECT count(*) AS n FROM t').get(); return null; }
    catch (e) { return { code: e.code, name: e.name }; }`, {});
  assert.deepEqual(err, { code: 'SQLITE_BUSY', name: 'SqliteError' });
  await a.run("await globalThis.db.exec('COMMIT');", {});
  assert.equal(await b.run("return (await globalThis.db.prepare('SELECT count(*) AS n FROM t').get()).n;", {}), 1);
  await a.page.close();
  await b.page.close();
});

for (const storage of ['opfs', 'idb']) {
  test(`two connections of one page on one ${storage} database interleave; closing one leaves the other working`, async () => {
    const log = [];
    const page = await apiPage(log);
    const got = await page.evaluate(async (storage) => {
      const name = 'two-conns.db';
      const d1 = await shale.open(name, { storage });
      await d1.exec('CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)');
      const d2 = await shale.open(name, { storage });
      const work = async (db) => {
        for (let i = 0; i < 30; i++) {
          await db.transaction(async () => {
            const { n } = await db.prepare('SELECT n FROM counter').get();
            await db.prepare('UPDATE counter SET n = ?').run(n + 1);
          });
          await new Promise((r) => setTimeout(r, 0));
        }
      };
      await Promise.all([work(d1), work(d2)]);
      const n1 = (await d1.prepare('SELECT n FROM counter').get()).n;
      await d1.close();
      await d2.exec('UPDATE counter SET n = n + 1');
      const n2 = (await d2.prepare('SELECT n FROM counter').get()).n;
      const ic = (await d2.prepare('PRAGMA integrity_check').get()).integrity_check;
      await d2.close();
      return { n1, n2, ic };
    }, storage);
    assert.deepEqual(got, { n1: 60, n2: 61, ic: 'ok' });
    assert.deepEqual(log, []);
    await page.close();
  });
}

for (const storage of ['opfs', 'idb']) {
  test(`${storage}: a tab that dies mid-transaction leaves a hot journal; the next tab rolls it back`, async () => {
    const name = 'crash.db';
    const a = await apiPage();
    const before = await a.evaluate(async ([storage, name]) => {
      const db = await shale.open(name, { storage });
      await db.exec(`CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
        WITH RECURSIVE s(i) AS (VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i < 2000)
        INSERT INTO t(b) SELECT printf('row-%04d-%s', i, hex(randomblob(20))) FROM s;`);
      const sum = (await db.prepare('SELECT sum(length(b)) AS s, count(*) AS n FROM t').get());
      // a transaction big enough to spill pages into the database file
      await db.exec('PRAGMA cache_size = 5; BEGIN; UPDATE t SET b = b || hex(randomblob(30)); DELETE FROM t WHERE a % 3 = 0');
      await db.export(); // a barrier: every request issued so far was performed
      const mod = storage === 'opfs' ? await import('./opfs-storage.js') : await import('./idb-storage.js');
      const st = storage === 'opfs' ? await mod.createOpfsStorage({}) : await mod.createIdbStorage();
      return { ...sum, journal: await st.size(name + '-journal') };
    }, [storage, name]);
    assert.ok(before.journal > 0, 'a journal exists when the tab dies');
    await a.close(); // no COMMIT, no close(): the tab is gone, its lock released
    const b = await apiPage();
    const after = await b.evaluate(async ([storage, name]) => {
      const db = await shale.open(name, { storage });
      const r = await db.prepare('SELECT sum(length(b)) AS s, count(*) AS n FROM t').get();
      const ic = (await db.prepare('PRAGMA integrity_check').get()).integrity_check;
      const bytes = Array.from(await db.export());
      await db.close();
      return { ...r, ic, bytes };
    }, [storage, name]);
    assert.deepEqual({ s: after.s, n: after.n, ic: after.ic }, { s: before.s, n: before.n, ic: 'ok' });
    assert.equal(sqlite3(Buffer.from(after.bytes), 'PRAGMA integrity_check'), 'ok');
    await b.close();
  });
}
