// Shared pieces of the browser tests: a headless Debian Chromium driven by
// playwright-core, and a plain static file server (no COOP/COEP or any other
// special header: the product must work without them).
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
// Build outputs (set SHALE_BUILD to use another build directory).
export const buildDir = path.resolve(repoRoot, process.env.SHALE_BUILD || 'build');
// Where tests write screenshots and logs.
export const outDir = path.join(buildDir, 'browser-out');

export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const chromiumArgs = ['--headless=new', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// launchChromium() -> playwright Browser. Each call starts its own process;
// close it in an after() hook.
export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

// Opens a page that forwards the page's console errors and uncaught
// exceptions to `log` (an array), so a test can assert none happened.
export async function newPage(context, log = []) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') log.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return page;
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.db': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
};

// serveStatic(rootDir) -> { url, close() }: serves files under rootDir on a
// free loopback port; directories serve their index.html.
export async function serveStatic(rootDir) {
  const root = path.resolve(rootDir);
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, urlPath);
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const body = fs.readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream',
                           'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

// The npm tarball made by `make npm-pack` (newest shale-sql-*.tgz in the build dir).
export function packageTarball() {
  const tgz = fs.readdirSync(buildDir).filter((f) => /^shale-sql-.*\.tgz$/.test(f)).sort();
  if (!tgz.length) throw new Error(`no npm tarball in ${buildDir}: run make npm-pack`);
  return path.join(buildDir, tgz[tgz.length - 1]);
}
