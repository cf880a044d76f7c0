/**
 * The check that runs as root before the agent starts (deploy.ts startScript), run here by the real sh,
 * find, sort, xargs and sha256sum against real files: the digest computed in TypeScript from a bundle's
 * hashes must be the one the node's shell computes, and anything changed, added, linked or made a FIFO
 * must refuse the start. Over real SSH with a real login user: test/integration/ssh.test.ts.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startScript, treeDigest } from '../../../src/connection/deploy';

const sha256 = (d: string | Buffer): string => createHash('sha256').update(d).digest('hex');

describe("the cached agent's tree digest, checked by the node's shell", () => {
  let dir = '';
  let digest = '';
  const files: Record<string, string> = {
    'agent.js': 'console.log("agent")\n',
    'node_modules/koffi/index.js': 'module.exports = 1;\n',
    'node_modules/koffi/package.json': '{"main":"index.js"}\n',
    '.bundle-hash': 'abc',
  };
  /** startScript with `echo` standing in for node: what it prints is what would have been exec'd. */
  const start = (): { code: number | null; out: string; err: string } => {
    const r = spawnSync('sh', ['-c', startScript(dir, digest, '/bin/echo')], { encoding: 'utf8', timeout: 10_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-digest-'));
    for (const [p, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), text);
    }
    digest = treeDigest(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, sha256(t)])));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the digest sha256sum computes over the tree, and the start goes ahead', () => {
    const shell = execFileSync('sh', ['-c', 'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(shell.slice(0, 64), digest);
    assert.deepEqual(start(), { code: 0, out: `${dir}/agent.js\n`, err: '' });
  });

  const refused = (): void => {
    const r = start();
    assert.equal(r.code, 1);
    assert.equal(r.out, '', 'nothing was started');
    assert.equal(
      r.err,
      `nodescope: the agent in ${dir} is not the bundle this Nodescope checked (changed on the node since); not starting it as root\n`,
    );
  };

  it('refuses a changed file', () => {
    fs.appendFileSync(path.join(dir, 'agent.js'), 'require("child_process").execSync("id")\n');
    refused();
  });

  it('refuses an added file (node would load `index` before `index.js`)', () => {
    fs.writeFileSync(path.join(dir, 'node_modules', 'koffi', 'index'), 'evil');
    refused();
  });

  it('refuses a file replaced by a symlink to the same content', () => {
    fs.copyFileSync(path.join(dir, 'agent.js'), path.join(dir, '..', `${path.basename(dir)}-agent.js`));
    fs.rmSync(path.join(dir, 'agent.js'));
    fs.symlinkSync(path.join(dir, '..', `${path.basename(dir)}-agent.js`), path.join(dir, 'agent.js'));
    try {
      refused();
    } finally {
      fs.rmSync(path.join(dir, '..', `${path.basename(dir)}-agent.js`));
    }
  });

  it('refuses a directory replaced by a symlink to a copy of it', () => {
    const copy = `${dir}-koffi`;
    fs.cpSync(path.join(dir, 'node_modules', 'koffi'), copy, { recursive: true });
    fs.rmSync(path.join(dir, 'node_modules', 'koffi'), { recursive: true });
    fs.symlinkSync(copy, path.join(dir, 'node_modules', 'koffi'));
    try {
      refused();
    } finally {
      fs.rmSync(copy, { recursive: true });
    }
  });

  it('refuses a FIFO without hanging on it', () => {
    fs.rmSync(path.join(dir, '.bundle-hash'));
    execFileSync('mkfifo', [path.join(dir, '.bundle-hash')]);
    refused();
  });

  it('refuses a missing directory', () => {
    fs.rmSync(dir, { recursive: true });
    refused();
  });
});
