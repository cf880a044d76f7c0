// "Enter as": the shells and users a container offers, read from its own root, and entering as one of
// them, checked against what `docker exec` reads and runs in the same container.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { readInside } from '../../server/act/enter';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);
const LIMITED = 'nodescope-rig-limited';

const dockerExec = (...args: string[]): string => execFileSync('docker', ['exec', ...args], { encoding: 'utf8' });

describe('enter as a user of the container', { skip }, () => {
  before(() => rigUp());

  it("offers the users of the container's /etc/passwd and the shells its root has", () => {
    const o = new AgentMethods().dispatch('enter.options', { container: LIMITED });
    const passwd = dockerExec(LIMITED, 'cat', '/etc/passwd')
      .trim()
      .split('\n')
      .map((l) => l.split(':'));
    assert.deepEqual(
      o.users.map((u) => [u.name, u.uid, u.gid, u.home, u.shell]),
      passwd.map((f) => [f[0], Number(f[2]), Number(f[3]), f[5], f[6]]),
    );
    for (const sh of dockerExec(LIMITED, 'cat', '/etc/shells').trim().split('\n'))
      assert.ok(o.shells.includes(sh), `${sh} from /etc/shells`);
    for (const sh of o.shells)
      assert.equal(spawnSync('docker', ['exec', LIMITED, 'test', '-x', sh]).status, 0, `${sh} is executable in the container`);
    assert.ok(!o.shells.includes('/bin/bash'), 'busybox has no bash, and none is offered');
    assert.equal(o.problems, undefined);
  });

  it('runs as that user, with the uid, gid and HOME docker exec -u gives it', () => {
    const ours = spawnSync(bin, ['enter', LIMITED, '--user', 'app', '--', 'sh', '-c', 'echo $(id -u) $(id -g) $HOME'], {
      encoding: 'utf8',
    });
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = dockerExec('-u', 'app', LIMITED, 'sh', '-c', 'echo $(id -u) $(id -g) $HOME');
    assert.equal(ours.stdout, theirs);
    // A uid the container does not know runs with gid 0, as docker exec -u does.
    const numeric = spawnSync(bin, ['enter', LIMITED, '--user', '4242', '--', 'sh', '-c', 'echo $(id -u) $(id -g)'], { encoding: 'utf8' });
    assert.equal(numeric.stdout, dockerExec('-u', '4242', LIMITED, 'sh', '-c', 'echo $(id -u) $(id -g)'));
    const unknown = spawnSync(bin, ['enter', LIMITED, '--user', 'nobody', '--', 'id'], { encoding: 'utf8' });
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, `nodescope: no user "nobody" in ${LIMITED}'s /etc/passwd; give a name from it or a numeric uid\n`);
  });

  describe('reading a file of the container never reads one of the host', () => {
    let root: string;
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-root-'));
      fs.mkdirSync(path.join(root, 'etc'));
      fs.writeFileSync(path.join(root, 'etc', 'group'), 'inside\n');
      // Absolute and climbing links name files the host has and this root has not.
      fs.symlinkSync('/etc/hostname', path.join(root, 'etc', 'passwd'));
      fs.symlinkSync('../../../../etc/hostname', path.join(root, 'etc', 'shells'));
      fs.symlinkSync('/etc/group', path.join(root, 'etc', 'alias'));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('resolves every link inside the root (openat2 RESOLVE_IN_ROOT)', () => {
      assert.ok(fs.existsSync('/etc/hostname'), 'the host file the links aim at exists');
      for (const f of ['/etc/passwd', '/etc/shells']) {
        const problems: { source: string; message: string }[] = [];
        assert.equal(readInside(root, f, problems), null, f);
        assert.deepEqual(problems, [{ source: f, message: "not in the container's root" }]);
      }
      assert.equal(readInside(root, '/etc/alias', []), 'inside\n', "an absolute link lands on the root's own file");
    });
  });
});
