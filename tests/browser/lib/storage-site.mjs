// Shared by the storage tests: a static site with the browser build and a
// page that exposes the API as window.shale (tests drive it with
// page.evaluate), plus an engine-in-a-Worker page.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildDir } from './harness.mjs';

export function makeStorageSite(name) {
  const root = path.join(buildDir, name);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  for (const f of fs.readdirSync(path.join(buildDir, 'wasm'))) {
    if (/\.(js|wasm)$/.test(f)) fs.copyFileSync(path.join(buildDir, 'wasm', f), path.join(root, f));
  }
  fs.writeFileSync(path.join(root, 'index.html'), `<!doctype html><meta charset="utf-8"><title>storage</title><link rel="icon" href="data:,">
<script type="module">
import * as shale from './browser.js';
window.shale = shale;
window.shaleReady = true;
</script>`);
  // The engine in a dedicated Worker: messages { id, code } run `code` as
  // the body of an async function(shale) and answer { id, result | error }.
  fs.writeFileSync(path.join(root, 'engine-worker.js'), `import * as shale from './browser.js';
self.onmessage = async (ev) => {
  const { id, code } = ev.data;
  try {
    const f = new Function('shale', 'return (async () => {' + code + '})()');
    self.postMessage({ id, result: await f(shale) });
  } catch (e) {
    self.postMessage({ id, error: String(e && e.stack || e), code: e && e.code });
  }
};
self.postMessage({ ready: true });
`);
  return root;
}

// Opens the page and waits for the module to load.
export async function loadApi(page, url) {
  await page.goto(url + '/');
  await page.waitForFunction(() => window.shaleReady === true, null, { timeout: 20000 });
}

// sqlite3 CLI on bytes: writes them to a temp file and runs the SQL.
export function sqlite3(bytes, sql) {
  const dir = fs.mkdtempSync(path.join(buildDir, 'sqlite3-'));
  const file = path.join(dir, 'x.db');
  fs.writeFileSync(file, bytes);
  try {
    return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// A database made by the sqlite3 CLI, as bytes.
export function sqlite3Made(sql) {
  const dir = fs.mkdtempSync(path.join(buildDir, 'sqlite3-'));
  const file = path.join(dir, 'made.db');
  try {
    execFileSync('sqlite3', [file, sql], { encoding: 'utf8' });
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
