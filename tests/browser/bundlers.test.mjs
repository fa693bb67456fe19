// The npm tarball, installed into a fresh project, bundled as a user would:
// a plain `vite build` (no vite config) and esbuild (two documented recipes:
// copy the .wasm next to the bundle, or `--loader:.wasm=file`), then run in
// headless Chromium from a plain static server (no COOP/COEP headers).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, newPage, serveStatic, here } from './lib/harness.mjs';
import { makeProject, removeProject, run, viteBin, esbuildBin, freePort, spawn } from './lib/project.mjs';

const fixture = (f) => fs.readFileSync(path.join(here, '..', 'fixtures', 'bundle', f), 'utf8');
const expected = {
  rows: [{ a: 1, b: 'one', ta: 'integer' }, { a: 2, b: 'two', ta: 'integer' }],
  viaStorage: ['one,two,three', 'one,two,three'],
  browserStorages: ['opfs:1', 'idb:1'], // each run is a new origin (port): empty storages
  error: 'SQLITE_ERROR',
  crossOriginIsolated: false,
};

let browser, project;
before(async () => {
  project = makeProject('bundle', {
    'index.html': fixture('index.html'),
    'main.js': fixture('main.js'),
    // esbuild recipe 2: the .wasm imported as a file URL, handed to open()
    'set-wasm-url.js': "import url from 'shale-sql/shale-browser.wasm';\nglobalThis.SHALE_WASM_URL = url;\n",
    'main-wasm-url.js': "import './set-wasm-url.js';\nimport './main.js';\n",
    // vite dev pre-bundles dependencies into node_modules/.vite, away from
    // the .wasm: the one line the README documents for the dev server
    'vite.dev.config.js': "export default { optimizeDeps: { exclude: ['shale-sql'] } };\n",
  });
  browser = await launchChromium();
});
after(async () => { await browser?.close(); removeProject(project); });

async function runPage(rootDir, serverUrl = null) {
  const server = serverUrl ? { url: serverUrl, close: async () => {} } : await serveStatic(rootDir);
  const log = [];
  const page = await newPage(browser, log);
  const wasmRequests = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmRequests.push(r.url()); });
  try {
    await page.goto(server.url + '/');
    const result = await page.waitForFunction(() => window.result, null, { timeout: 30000 }).then((h) => h.jsonValue());
    return { result, log, wasmRequests };
  } finally {
    await page.close();
    await server.close();
  }
}

function check({ result, log, wasmRequests }) {
  assert.equal(result.error && !result.rows ? result.error : undefined, undefined);
  assert.deepEqual(result, expected);
  assert.deepEqual(log, []);
  assert.equal(wasmRequests.length, 1, `wasm fetched: ${wasmRequests}`);
}

test('vite build with no config: the page runs queries in Chromium', async () => {
  run(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: project });
  const dist = path.join(project, 'dist');
  const assets = fs.readdirSync(path.join(dist, 'assets'));
  assert.ok(assets.some((f) => /^shale-browser-.*\.wasm$/.test(f)), `vite emitted the wasm: ${assets}`);
  assert.ok(!assets.some((f) => /edge/.test(f)), `the edge build is not bundled for the browser: ${assets}`);
  check(await runPage(dist));
});

test('esbuild, recipe 1: bundle, then copy the .wasm next to the bundle', async () => {
  const out = path.join(project, 'out-copy');
  run(esbuildBin, ['main.js', '--bundle', '--format=esm', `--outdir=${out}`, '--log-level=warning'], { cwd: project });
  fs.copyFileSync(path.join(project, 'node_modules/shale-sql/dist/shale-browser.wasm'), path.join(out, 'shale-browser.wasm'));
  fs.writeFileSync(path.join(out, 'index.html'), fixture('index.html'));
  check(await runPage(out));
});

test('esbuild, recipe 2: --loader:.wasm=file and { wasmURL }', async () => {
  const out = path.join(project, 'out-loader');
  run(esbuildBin, ['main-wasm-url.js', '--bundle', '--format=esm', '--loader:.wasm=file',
    `--outfile=${path.join(out, 'main.js')}`, '--log-level=warning'], { cwd: project });
  assert.ok(fs.readdirSync(out).some((f) => /^shale-browser-.*\.wasm$/.test(f)));
  fs.writeFileSync(path.join(out, 'index.html'), fixture('index.html'));
  check(await runPage(out));
});

// Runs `vite` (the dev server) in the project on a free port; returns { url, stop() }.
async function viteDev(args) {
  const port = await freePort();
  const proc = spawn(process.execPath, [viteBin, '--port', String(port), '--strictPort', '--host', '127.0.0.1',
    '--force', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  proc.stdout.on('data', (d) => { logs += d; });
  proc.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  const stop = async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; } };
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30000; ;) {
    if (proc.exitCode !== null) throw new Error(`vite exited:\n${logs}`);
    try { await (await fetch(url + '/')).text(); break; } catch {
      if (Date.now() > deadline) { await stop(); throw new Error(`vite dev did not answer:\n${logs}`); }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { url, stop };
}

test('vite dev with the documented optimizeDeps.exclude line: the page runs queries', async () => {
  const dev = await viteDev(['--config', 'vite.dev.config.js']);
  try {
    check(await runPage(null, dev.url));
  } finally {
    await dev.stop();
  }
});

test('vite dev without it: open() fails with a message that names the fix', async () => {
  const dev = await viteDev([]);
  try {
    const { result } = await runPage(null, dev.url);
    assert.match(result.error ?? '', /is not a WebAssembly file/);
    assert.match(result.error, /optimizeDeps: \{ exclude: \['shale-sql'\] \}/);
  } finally {
    await dev.stop();
  }
});
