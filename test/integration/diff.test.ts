// A running container's changes against its image (`nodescope diff`), checked line for line against
// `docker diff` on a container of the rig's layered image that the test changes: files added, appended to,
// deleted from a lower layer, a directory replaced (opaque), a symlink; and on the rig's own containers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerDiff } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startChangedContainer } from '../support/changedContainer';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);
const NAME = `nodescope-diff-${process.pid}`;

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' });
const lines = (text: string): string[] => text.split('\n').filter(Boolean).sort();

describe('nodescope diff against docker diff', { skip }, () => {
  before(() => {
    rigUp();
    startChangedContainer(NAME, [
      'ln -s /etc /lnk',
      'mkdir /root/gone && rmdir /root/gone', // copies /root up, leaves nothing changed in it
    ]);
  });
  after(() => void spawnSync('docker', ['rm', '-f', NAME]));

  it('prints the same A/C/D lines as docker diff', () => {
    const ours = spawnSync(bin, ['diff', NAME], { encoding: 'utf8' });
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = lines(docker('diff', NAME));
    assert.ok(theirs.length >= 10, `docker diff saw the changes: ${theirs.join(', ')}`);
    assert.deepEqual(lines(ours.stdout.replace(/ {2}\(opaque[^)]*\)/g, '')), theirs);
  });

  it('--json says what each entry is now, and which directory is opaque', () => {
    const d = JSON.parse(spawnSync(bin, ['diff', NAME, '--json'], { encoding: 'utf8' }).stdout) as ContainerDiff;
    const at = (p: string) => d.changes.find((c) => c.path === p);
    assert.equal(at('/lnk')?.fileType, 'symlink');
    assert.equal(at('/newdir')?.fileType, 'dir');
    assert.equal(at('/data/blob')?.fileType, null);
    assert.equal(at('/opq')?.opaque, true);
    assert.equal(d.upper, JSON.parse(docker('inspect', '-f', '{{json .GraphDriver.Data}}', NAME)).UpperDir);
    assert.equal(d.truncated, false);
    assert.deepEqual(d.problems, []);
  });

  it("agrees with docker diff on the rig's own containers too", () => {
    for (const c of ['nodescope-rig-limited', 'nodescope-rig-readonly', 'nodescope-rig-hostpid']) {
      const ours = spawnSync(bin, ['diff', c], { encoding: 'utf8' });
      assert.equal(ours.status, 0, ours.stderr);
      const theirs = lines(docker('diff', c));
      if (theirs.length) assert.deepEqual(lines(ours.stdout), theirs, c);
      else assert.match(ours.stdout, /^no changes in \S+'s writable layer\n$/, c);
    }
  });

  it('a container that is not there is one line and exit 1', () => {
    const r = spawnSync(bin, ['diff', 'no-such-container'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^nodescope: no container "no-such-container" on this node/);
  });
});
