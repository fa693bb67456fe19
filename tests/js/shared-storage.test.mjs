// The glue's multi-context logic (js-glue/core.js: _takeLock, _maybeRelease,
// the file-table refresh after a lock hand-over) in Node: two engine
// instances (the edge and the browser build, each with its own host VFS file
// table and page cache) on one in-memory storage that offers a lock, the
// way wasm/opfs_vfs/ storages offer a Web Locks TabLock.  The browser tests
// (tests/browser/multitab.test.mjs) do the same with real tabs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { builds, delayed } from './helpers.mjs';

// An in-process stand-in for TabLock: one holder, a FIFO of waiters; a
// waiter marks the holder `wanted` (as the BroadcastChannel 'want' does).
class Hub {
  constructor() { this.holder = null; this.queue = []; this.handovers = 0; }
}
class FakeLock {
  constructor(hub) {
    this.hub = hub;
    this.held = false;
    this.wanted = false;
    this.onWanted = null;
  }
  _want() {
    const h = this.hub.holder;
    if (h && !h.wanted) { h.wanted = true; h.onWanted?.(); }
  }
  async acquire(timeoutMs) {
    if (this.held) return false;
    if (!this.hub.holder) {
      this.hub.holder = this;
      this.held = true;
      return true;
    }
    await new Promise((resolve, reject) => {
      const w = { lock: this, resolve };
      this.hub.queue.push(w);
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          this.hub.queue = this.hub.queue.filter((x) => x !== w);
          reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
        }, timeoutMs);
      }
      this._want();
    });
    return true;
  }
  release() {
    if (!this.held) return;
    this.held = false;
    this.wanted = false;
    this.hub.holder = null;
    const next = this.hub.queue.shift();
    if (next) {
      clearTimeout(next.timer);
      this.hub.handovers++;
      this.hub.holder = next.lock;
      next.lock.held = true;
      if (this.hub.queue.length) next.lock.wanted = true;
      next.resolve();
    }
  }
  close() { this.release(); }
}

// A MemoryStorage seen through a lock-offering view (one per connection).
function sharedView(mem, hub, wrap) {
  const base = wrap ? wrap(mem) : mem;
  const v = Object.create(base);
  v.lock = () => new FakeLock(hub);
  return v;
}

for (const wrapName of ['immediate', 'delayed+reordered']) {
  describe(`two engine instances on one shared storage (${wrapName})`, () => {
    const wrap = wrapName === 'immediate' ? null : (s) => delayed(s, 7);

    test('interleaved read-modify-write transactions lose no update; both see every commit', async () => {
      const [edge, browser] = [await builds[0].load(), await builds[1].load()];
      const mem = new edge.MemoryStorage();
      const hub = new Hub();
      const a = await edge.open('c.db', { storage: sharedView(mem, hub, wrap) });
      await a.exec('CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0); CREATE TABLE log(who, seen)');
      const b = await browser.open('c.db', { storage: sharedView(mem, hub, wrap) });
      const N = 30;
      const work = async (db, who) => {
        for (let i = 0; i < N; i++) {
          await db.transaction(async () => {
            const { n } = await db.prepare('SELECT n FROM counter').get();
            await db.prepare('UPDATE counter SET n = ?').run(n + 1);
            await db.prepare('INSERT INTO log VALUES (?, ?)').run(who, n);
          });
          await new Promise((r) => setImmediate(r));
        }
      };
      await Promise.all([work(a, 'a'), work(b, 'b')]);
      for (const db of [a, b]) {
        assert.deepEqual(await db.prepare('SELECT n FROM counter').get(), { n: 2 * N });
        assert.deepEqual(await db.prepare('SELECT count(DISTINCT seen) AS d FROM log').get(), { d: 2 * N });
        assert.deepEqual(await db.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
      }
      assert.ok(hub.handovers >= 2, `the lock changed hands (${hub.handovers})`);
      // stale pages: b reads (caches), a writes, b reads again
      assert.deepEqual(await b.prepare('SELECT count(*) AS k FROM log').get(), { k: 2 * N });
      await a.exec('DELETE FROM log WHERE seen < 10');
      assert.deepEqual(await b.prepare('SELECT count(*) AS k FROM log').get(), { k: 2 * N - 10 });
      await b.exec("CREATE TABLE t2(x); INSERT INTO t2 VALUES ('from b')");
      assert.deepEqual(await a.prepare('SELECT x FROM t2').get(), { x: 'from b' });
      await a.close();
      await b.close();
      assert.equal(hub.holder, null, 'close released the lock');
    });
  });
}

test('shared storage: journal_mode=WAL and locking_mode=EXCLUSIVE are refused, the lock times out as SQLITE_BUSY', async () => {
  const edge = await builds[0].load();
  const browser = await builds[1].load();
  const mem = new edge.MemoryStorage();
  const hub = new Hub();
  const a = await edge.open('w.db', { storage: sharedView(mem, hub) });
  await assert.rejects(a.exec('PRAGMA journal_mode = wal'), { code: 'SQLITE_ERROR', message: /journal_mode=WAL is not supported/ });
  assert.throws(() => a.prepare("PRAGMA main.journal_mode='WAL'"), { code: 'SQLITE_ERROR' });
  assert.throws(() => a.prepare('PRAGMA locking_mode = EXCLUSIVE'), { code: 'SQLITE_ERROR' });
  assert.deepEqual(await a.prepare('PRAGMA journal_mode').get(), { journal_mode: 'delete' });
  await a.exec('CREATE TABLE t(x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
  const b = await browser.open('w.db', { storage: sharedView(mem, hub), busyTimeout: 100 }).catch((e) => e);
  assert.equal(b.code, 'SQLITE_BUSY');
  await a.exec('COMMIT');
  const b2 = await browser.open('w.db', { storage: sharedView(mem, hub), busyTimeout: 2000 });
  assert.deepEqual(await b2.prepare('SELECT count(*) AS n FROM t').get(), { n: 1 });
  await b2.close();
  await a.close();
});

test('an imported WAL-mode image becomes a rollback-journal database on shared storage', async () => {
  const edge = await builds[0].load();
  const src = await edge.open(':memory:');
  await src.exec('CREATE TABLE t(x); INSERT INTO t VALUES (42)');
  const img = await src.export();
  await src.close();
  img[18] = 2; img[19] = 2;
  const mem = new edge.MemoryStorage();
  await mem.writeAll('i.db-journal', new Uint8Array(512).fill(7)); // a stale journal must not roll the import back
  const db = await edge.open('i.db', { storage: sharedView(mem, new Hub()), data: img });
  assert.deepEqual(await db.prepare('SELECT x FROM t').get(), { x: 42 });
  assert.deepEqual(await db.prepare('PRAGMA journal_mode').get(), { journal_mode: 'delete' });
  assert.equal(await mem.size('i.db-journal'), -1);
  await db.close();
});

// A storage whose database-file writes fail with a quota error while `full`.
function quotaView(api, mem) {
  const view = sharedView(mem, new Hub());
  view.full = false;
  view.write = async (p, off, bytes) => {
    if (view.full && !p.endsWith('-journal')) {
      throw Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    }
    return mem.write(p, off, bytes);
  };
  return view;
}

test('storage errors become SqliteError: a quota error is SQLITE_FULL; nothing of the failed commit remains', async () => {
  for (const b of builds) {
    const api = await b.load();
    const mem = new api.MemoryStorage({ syncMethods: false });
    const view = quotaView(api, mem);
    const db = await api.open('q.db', { storage: view });
    await db.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('before')");
    view.full = true;
    await assert.rejects(db.exec("INSERT INTO t VALUES ('a')"),
      (e) => e.name === 'SqliteError' && e.code.startsWith('SQLITE_FULL'), b.name);
    view.full = false;
    await db.close();
    const again = await api.open('q.db', { storage: quotaView(api, mem) });
    assert.deepEqual(await again.prepare('SELECT group_concat(x) AS xs FROM t').get(), { xs: 'before' }, b.name);
    assert.deepEqual(await again.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
    await again.close();
  }
});

// SQLite rolls the failed autocommit transaction back at once, so the next
// statement works (the rollback itself goes through the async storage).
test('after a failed commit the next statement on the connection succeeds', async () => {
  for (const b of builds) {
    const api = await b.load();
    const mem = new api.MemoryStorage({ syncMethods: false });
    const view = quotaView(api, mem);
    const db = await api.open('q2.db', { storage: view });
    await db.exec('CREATE TABLE t(x)');
    view.full = true;
    await assert.rejects(db.exec("INSERT INTO t VALUES ('a')"),
      (e) => e.name === 'SqliteError' && e.code.startsWith('SQLITE_FULL'), b.name);
    view.full = false;
    try {
      await db.exec("INSERT INTO t VALUES ('b')");
      assert.deepEqual(await db.prepare('SELECT group_concat(x) AS xs FROM t').get(), { xs: 'b' }, b.name);
    } finally {
      await db.close();
    }
  }
});
