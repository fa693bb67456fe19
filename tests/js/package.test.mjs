// package.test.mjs — the npm tarball (make npm-pack) installed into a fresh
// project and used from Node through the package's exports map.  Skipped
// when the tarball has not been built.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { repo, tmpdir } from './helpers.mjs';

const tarball = path.join(repo, 'build', 'shale-sql-0.1.0.tgz');

it('npm tarball installs into a fresh project and works from Node', { skip: !fs.existsSync(tarball) && 'run make npm-pack first' }, () => {
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
