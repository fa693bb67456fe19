// package.test.mjs — the npm tarball (make npm-pack) installed into a fresh
// project and used from Node through the package's exports map.  Needs the
// tarball (make jstest builds it; a missing tarball fails the tests).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { repo, tmpdir } from './helpers.mjs';

const tarball = path.join(repo, 'build', 'shale-sql-0.1.0.tgz');

it('npm tarball installs into a fresh project and works from Node', () => {
  assert.ok(fs.existsSync(tarball), `${tarball} missing: run make npm-pack first`);
  const dir = tmpdir();
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', tarball], { cwd: dir, stdio: 'pipe' });
    fs.writeFileSync(path.join(dir, 'main.js'), `
      import { open, SqliteError } from 'shale-sql';
      import { open as openBrowserBuild } from 'shale-sql/browser';
      const db = await open('app.db', { storage: 'file' });
      await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (41)');
      const row = await db.prepare('SELECT x + 1 AS y FROM t').get();
      await db.close();
      const b = await openBrowserBuild(':memory:');
      const r2 = (await b.sql\`SELECT \${'ok'} AS s\`)[0];
      let code = null;
      try { await b.exec('SELECT * FROM missing'); } catch (e) { code = e instanceof SqliteError ? e.code : 'other'; }
      console.log(JSON.stringify({ y: row.y, s: r2.s, code }));
    `);
    const out = execFileSync('node', ['main.js'], { cwd: dir, encoding: 'utf8' }).trim();
    assert.deepEqual(JSON.parse(out), { y: 42, s: 'ok', code: 'SQLITE_ERROR' });
    assert.equal(execFileSync('sqlite3', [path.join(dir, 'app.db'), 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('exports map: types first, workerd before browser, every target is in the tarball', () => {
  assert.ok(fs.existsSync(tarball), `${tarball} missing: run make npm-pack first`);
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)
    .map((f) => f.replace(/^package\//, './'));
  const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  assert.equal(pkg.type, 'module');
  const targets = [];
  for (const [sub, entry] of Object.entries(pkg.exports)) {
    if (typeof entry === 'string') { targets.push(entry); continue; }
    const conds = Object.keys(entry);
    assert.equal(conds[0], 'types', `${sub}: types first`);
    assert.equal(conds[conds.length - 1], 'default', `${sub}: default last`);
    targets.push(...Object.values(entry));
  }
  const root = pkg.exports['.'];
  assert.deepEqual(Object.keys(root), ['types', 'workerd', 'browser', 'node', 'default']);
  for (const t of targets) assert.ok(listing.includes(t), `${t} is in the tarball`);
  // every relative import of every shipped module resolves inside the tarball
  for (const f of listing.filter((x) => x.endsWith('.js') && x !== './dist/shale-browser.js')) {
    const src = execFileSync('tar', ['xzOf', tarball, f.replace(/^\.\//, 'package/')], { encoding: 'utf8' })
      .split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n'); // not comments
    for (const [, spec] of src.matchAll(/(?:from|import|importNodeOnly)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const target = './' + path.posix.join(path.posix.dirname(f), spec);
      assert.ok(listing.includes(target), `${f} imports ${spec}: in the tarball`);
    }
  }
});
