// A fresh consumer project in os.tmpdir() with the npm tarball installed,
// as a user would have it: `npm install <tarball>` with no network
// (--offline; the package has no dependencies).  The bundlers come from
// this folder's node_modules (run with `node <bin>` in the project).
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { here, packageTarball } from './harness.mjs';

export const testsModules = path.resolve(here, '../node_modules');
export const viteBin = path.join(testsModules, 'vite/bin/vite.js');
export const esbuildBin = path.join(testsModules, 'esbuild/bin/esbuild');
export const workerdBin = path.join(testsModules, 'workerd/bin/workerd');

// makeProject(prefix, files) -> dir: package.json, the tarball installed,
// and `files` ({ relative path: text }) written.
export function makeProject(prefix, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shale-${prefix}-`));
  fs.writeFileSync(path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${prefix}`, private: true, type: 'module' }, null, 2));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', packageTarball()],
    { cwd: dir, stdio: 'pipe' });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

// run(cmd, args, opts) -> stdout; throws with stdout+stderr on failure.
export function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: 'pipe', timeout: 120000, ...opts });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout || ''}\n${e.stderr || ''}`);
  }
}

export function removeProject(dir) {
  if (dir && !process.env.SHALE_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
}

// freePort() -> a loopback port free right now (for servers that take --port).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export { spawn };
