// The npm tarball in the Cloudflare Workers runtime (npm `workerd`): a
// worker bundled wrangler-style (esbuild with the `workerd` condition, the
// .wasm kept as a wasm module) answers HTTP requests with query results from
// an in-memory database, from a Durable Object whose database lives in its
// storage through PageStorage (kept on disk across a workerd restart), and
// from a database read over HTTP Range requests from another service; a
// second worker loads the edge entry and passes the wasm module itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { here } from './lib/harness.mjs';
import { makeProject, removeProject, run, esbuildBin, workerdBin, freePort } from './lib/project.mjs';

const fixtures = path.join(here, '..', 'fixtures', 'workerd');
let project, out, dbhost, workerd, ports;

// A plain HTTP server with Range support serving one sqlite3-made database.
async function startDbHost(bytes) {
  const server = http.createServer((req, res) => {
    if (req.url !== '/served.db') { res.writeHead(404); res.end(); return; }
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range || '');
    if (m) {
      const a = Number(m[1]), b = Math.min(Number(m[2]), bytes.length - 1);
      res.writeHead(206, { 'content-length': b - a + 1, 'content-range': `bytes ${a}-${b}/${bytes.length}` });
      res.end(req.method === 'HEAD' ? undefined : bytes.subarray(a, b + 1));
    } else {
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function startWorkerd() {
  const cfg = path.join(out, 'config.capnp');
  const proc = spawn(workerdBin, ['serve', cfg, '--experimental'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  proc.stdout.on('data', (d) => { logs += d; });
  proc.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`workerd exited (${proc.exitCode}):\n${logs}`);
    try {
      const r = await fetch(`http://127.0.0.1:${ports.main}/query?sql=SELECT%201`);
      await r.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`workerd did not answer:\n${logs}`); }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { proc, exited, logs: () => logs };
}

async function stopWorkerd(w) {
  if (!w || w.proc.exitCode !== null) return;
  w.proc.kill('SIGTERM');
  const t = setTimeout(() => w.proc.kill('SIGKILL'), 5000);
  await w.exited;
  clearTimeout(t);
}

const get = async (port, route, sql) => {
  const res = await fetch(`http://127.0.0.1:${port}${route}?sql=${encodeURIComponent(sql)}`);
  const text = await res.text();
  try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
};

before(async () => {
  project = makeProject('workerd', {
    'worker.js': fs.readFileSync(path.join(fixtures, 'worker.js'), 'utf8'),
    'binding-worker.js': fs.readFileSync(path.join(fixtures, 'binding-worker.js'), 'utf8'),
  });
  out = path.join(project, 'out');
  fs.mkdirSync(path.join(out, 'do'), { recursive: true });
  // What wrangler does: bundle with the workerd condition, keep *.wasm as modules.
  const workerFlags = ['--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker',
    '--main-fields=module,main', '--external:*.wasm', '--external:node:*', '--log-level=warning'];
  run(esbuildBin, ['worker.js', ...workerFlags, `--outfile=${path.join(out, 'worker.js')}`], { cwd: project });
  run(esbuildBin, ['binding-worker.js', ...workerFlags, `--outfile=${path.join(out, 'binding-worker.js')}`], { cwd: project });
  fs.copyFileSync(path.join(project, 'node_modules/shale-sql/dist/shale-edge.wasm'), path.join(out, 'shale-edge.wasm'));

  const dbFile = path.join(project, 'served.db');
  execFileSync('sqlite3', [dbFile], { input: `PRAGMA page_size=1024;
    CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 2000)
    INSERT INTO t SELECT i, 'v' || i FROM c;` });
  dbhost = await startDbHost(fs.readFileSync(dbFile));
  workerd = await startOnFreePorts();
});

// Writes the config with fresh free ports and starts workerd; a port taken
// in between (another process) makes workerd exit: try again.
async function startOnFreePorts() {
  for (let attempt = 1; ; attempt++) {
    ports = { main: await freePort(), edge: await freePort() };
    const cfg = fs.readFileSync(path.join(fixtures, 'config.capnp.in'), 'utf8')
      .replaceAll('@DBHOST_PORT@', String(dbhost.address().port))
      .replaceAll('@MAIN_PORT@', String(ports.main))
      .replaceAll('@EDGE_PORT@', String(ports.edge))
      .replaceAll('@DO_DIR@', path.join(out, 'do'));
    fs.writeFileSync(path.join(out, 'config.capnp'), cfg);
    try {
      return await startWorkerd();
    } catch (e) {
      if (attempt >= 3 || !/exited/.test(e.message)) throw e;
    }
  }
}

after(async () => {
  await stopWorkerd(workerd);
  await new Promise((r) => (dbhost ? dbhost.close(r) : r()));
  removeProject(project);
});

test('the bundled worker resolved the package through its workerd condition', () => {
  const bundle = fs.readFileSync(path.join(out, 'worker.js'), 'utf8');
  assert.match(bundle, /from\s*["']\.\/shale-edge\.wasm["']/);
  assert.doesNotMatch(bundle, /createShaleModule/, 'the emscripten build is not in the worker');
});

test('workerd answers HTTP requests with query results (in-memory database)', async () => {
  assert.deepEqual(await get(ports.main, '/query', 'SELECT name, pop FROM city WHERE pop > 200000 ORDER BY pop DESC'),
    { status: 200, body: { rows: [{ name: 'Lisbon', pop: 545000 }, { name: 'Porto', pop: 232000 }] } });
  assert.deepEqual(await get(ports.main, '/query', 'SELECT count(*) AS n, sum(pop) AS total FROM city'),
    { status: 200, body: { rows: [{ n: 3, total: 970000 }] } });
  const bad = await get(ports.main, '/query', 'SELECT * FROM nowhere');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'SQLITE_ERROR');
  assert.match(bad.body.message, /no such table: nowhere/);
});

test('the edge entry with the app-imported wasm module passed as { module }', async () => {
  assert.deepEqual(await get(ports.edge, '/', "SELECT upper('ok') AS s, 6 * 7 AS n"),
    { status: 200, body: { rows: [{ s: 'OK', n: 42 }] } });
});

test('database read through HTTP Range requests from another service', async () => {
  const r = await get(ports.main, '/range', 'SELECT count(*) AS n, max(v) AS mx FROM t');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rows, [{ n: 2000, mx: 'v999' }]);
  assert.ok(r.body.requests >= 2, `requests: ${r.body.requests}`);
  const ro = await get(ports.main, '/range', "INSERT INTO t(v) VALUES ('x') RETURNING k");
  assert.equal(ro.status, 400);
  assert.equal(ro.body.error, 'SQLITE_READONLY');
});

test('Durable Object storage as a page store; the data survive a workerd restart', async () => {
  const steps = [
    'CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)',
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10) INSERT INTO notes(body) SELECT 'note ' || i || ' ' || hex(zeroblob(200)) FROM c",
    'CREATE INDEX nb ON notes(body)',
  ];
  for (const sql of steps) {
    const r = await get(ports.main, '/kv', sql);
    assert.equal(r.status, 200, `${sql}: ${JSON.stringify(r.body)}`);
  }
  for (let i = 0; i < 30; i++) {
    const r = await get(ports.main, '/kv', `INSERT INTO notes(body) VALUES ('more ${i} ' || hex(randomblob(300)))`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const check = async () => {
    assert.deepEqual(await get(ports.main, '/kv', "SELECT count(*) AS n, sum(body LIKE 'more %') AS more FROM notes"),
      { status: 200, body: { rows: [{ n: 40, more: 30 }] } });
    assert.deepEqual(await get(ports.main, '/kv', 'PRAGMA integrity_check'),
      { status: 200, body: { rows: [{ integrity_check: 'ok' }] } });
  };
  await check();
  await stopWorkerd(workerd);
  workerd = await startWorkerd();
  await check();
});
