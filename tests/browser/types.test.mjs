// The package's bundled types: a TypeScript consumer (fixtures/types/
// consumer.ts, with two @ts-expect-error lines that fail if the types are
// missing or `any`) type-checks against the installed tarball through the
// exports map, under Node's resolution and under a bundler's with the
// `browser` and the `workerd` condition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { here } from './lib/harness.mjs';
import { makeProject, removeProject, run, testsModules } from './lib/project.mjs';

const tsc = path.join(testsModules, 'typescript/bin/tsc');
let project;
before(() => {
  project = makeProject('types', {
    'consumer.ts': fs.readFileSync(path.join(here, '..', 'fixtures', 'types', 'consumer.ts'), 'utf8'),
  });
});
after(() => removeProject(project));

const base = { target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: false };
const configs = {
  'node (nodenext)': { ...base, module: 'nodenext', moduleResolution: 'nodenext' },
  'bundler, browser condition': { ...base, module: 'esnext', moduleResolution: 'bundler', customConditions: ['browser'] },
  'bundler, workerd condition': { ...base, module: 'esnext', moduleResolution: 'bundler', customConditions: ['workerd'] },
};

for (const [name, compilerOptions] of Object.entries(configs)) {
  test(`types resolve and check: ${name}`, () => {
    const cfg = path.join(project, `tsconfig.${name.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(cfg, JSON.stringify({ compilerOptions: { ...compilerOptions, traceResolution: false }, files: ['consumer.ts'] }));
    run(process.execPath, [tsc, '-p', cfg], { cwd: project });
    const listed = run(process.execPath, [tsc, '-p', cfg, '--listFiles'], { cwd: project });
    assert.match(listed, /node_modules\/shale-sql\/dist\/index\.d\.ts/);
  });
}

test('a type error in the consumer is reported (the check is real)', () => {
  const bad = path.join(project, 'bad.ts');
  fs.writeFileSync(bad, "import { open } from 'shale-sql';\nconst n: number = await open('x');\n");
  const cfg = path.join(project, 'tsconfig.bad.json');
  fs.writeFileSync(cfg, JSON.stringify({ compilerOptions: configs['node (nodenext)'], files: ['bad.ts'] }));
  assert.throws(() => run(process.execPath, [tsc, '-p', cfg], { cwd: project }), /TS2322|not assignable/);
});
