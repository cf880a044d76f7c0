import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/import-cycles.ts run as `npm run lint` runs it, on small trees of real files planted here.
const script = path.join(__dirname, '..', '..', 'scripts', 'import-cycles.ts');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function plant(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-cycles-'));
  dirs.push(dir);
  const tsconfig = { compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true }, include: ['src'] };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function check(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('scripts/import-cycles.ts', () => {
  it('passes a tree whose imports only go one way, with a shared leaf reached twice', () => {
    const dir = plant({
      'src/a.ts': "import { b } from './b';\nimport { leaf } from './lib/leaf';\nexport const a = b + leaf;\n",
      'src/b.ts': "import { leaf } from './lib/leaf';\nexport const b = leaf;\n",
      'src/lib/leaf.ts': 'export const leaf = 1;\n',
    });
    const r = check(dir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /no import cycles among 3 files/);
  });

  it('fails on a circle made only of type imports, and names its path', () => {
    // The shape issue 9 found in server/discover/engines: an index imports each engine, each engine
    // imports its types back from the index.
    const dir = plant({
      'src/engines/index.ts':
        "import { docker } from './docker';\nexport interface Engine { name: string }\nexport const all = [docker];\n",
      'src/engines/docker.ts': "import type { Engine } from './index';\nexport const docker: Engine = { name: 'docker' };\n",
    });
    const r = check(dir);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /import cycle: src\/engines\/docker\.ts -> src\/engines\/index\.ts -> src\/engines\/docker\.ts/);
  });

  it('finds a longer circle through re-exports, dynamic import() and require()', () => {
    const dir = plant({
      'src/one.ts': "export * from './two';\n",
      'src/two.ts': "export async function load() { return import('./three'); }\n",
      'src/three.ts': "export const x = require('./one');\n",
      'src/apart.ts': "import './one';\n",
    });
    const r = check(dir);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /import cycle: src\/one\.ts -> src\/two\.ts -> src\/three\.ts -> src\/one\.ts/);
    assert.doesNotMatch(r.out, /apart\.ts/);
    assert.match(r.out, /1 import cycle among 4 files/);
  });

  it('fails on a file that imports itself', () => {
    const dir = plant({ 'src/self.ts': "import * as me from './self';\nexport const n = 1;\nexport const again = me;\n" });
    const r = check(dir);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /import cycle: src\/self\.ts -> src\/self\.ts/);
  });
});
