// A container's files as the container sees them (files.stat / files.list / files.read), against what
// `docker exec` sees in the same container; and a link the container plants toward the node's files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import type { ContainerFileStat } from '../../server/protocol';
import { AgentMethods } from '../../server/methods';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker);
const LIMITED = 'nodescope-rig-limited';
const exec = (...args: string[]): string => execFileSync('docker', ['exec', LIMITED, ...args], { encoding: 'utf8' });

describe("a container's files, read inside its root", { skip }, () => {
  const m = new AgentMethods();
  const call = <T>(method: 'files.stat' | 'files.list' | 'files.read', path: string): T =>
    m.dispatch(method, { container: LIMITED, path }) as T;
  const refusal = (method: 'files.stat' | 'files.list' | 'files.read', path: string): string => {
    try {
      call(method, path);
    } catch (err) {
      return (err as Error).message;
    }
    assert.fail(`${method} ${path} answered`);
  };

  before(() => {
    rigUp();
    // Links the container itself makes toward paths the node has and it does not.
    exec(
      'sh',
      '-c',
      'ln -sfn /usr/lib/os-release /tmp/to-host-abs && ln -sfn ../../../../../../usr/lib/os-release /tmp/to-host-rel && ln -sfn /etc /tmp/etc-link',
    );
  });
  after(() => void spawnSync('docker', ['exec', LIMITED, 'rm', '-f', '/tmp/to-host-abs', '/tmp/to-host-rel', '/tmp/etc-link']));

  it('stat, list and read agree with docker exec', () => {
    const st = call<ContainerFileStat>('files.stat', '/etc/passwd');
    const [size, mode, uid, mtime] = exec('stat', '-c', '%s %a %u %Y', '/etc/passwd').trim().split(' ');
    assert.deepEqual(
      [st.type, st.size, st.mode.toString(8), st.uid, Math.floor(st.mtimeMs / 1000)],
      ['file', Number(size), mode, Number(uid), Number(mtime)],
    );
    const ls = exec('ls', '-A', '/etc').split('\n').filter(Boolean).sort();
    assert.deepEqual(
      call<{ entries: { name: string }[] }>('files.list', '/etc').entries.map((e) => e.name),
      ls,
    );
    assert.equal(
      Buffer.from(call<{ base64: string }>('files.read', '/etc/hostname').base64, 'base64').toString(),
      exec('cat', '/etc/hostname'),
    );
    const sh = call<ContainerFileStat>('files.stat', '/bin/sh');
    assert.equal(sh.type, 'symlink');
    assert.equal(sh.target, exec('readlink', '/bin/sh').trim());
    // The container's mounts are part of what it sees: /proc here is its own.
    assert.equal(
      Buffer.from(call<{ base64: string }>('files.read', '/proc/1/comm').base64, 'base64').toString(),
      exec('cat', '/proc/1/comm'),
    );
  });

  it("a link toward the node's files stays inside the container", () => {
    assert.ok(fs.existsSync('/usr/lib/os-release'), 'the node has the file the links aim at');
    assert.notEqual(spawnSync('docker', ['exec', LIMITED, 'test', '-e', '/usr/lib/os-release']).status, 0, 'the container has not');
    for (const p of ['/tmp/to-host-abs', '/tmp/to-host-rel']) assert.match(refusal('files.read', p), /^no such file in the container: /, p);
    // A link to the container's own /etc lands there.
    assert.deepEqual(
      call<{ entries: { name: string }[] }>('files.list', '/tmp/etc-link').entries.map((e) => e.name),
      exec('ls', '-A', '/etc').split('\n').filter(Boolean).sort(),
    );
    // /proc/PID/root inside the container is a magic link: refused rather than followed out of the root.
    assert.match(refusal('files.list', '/proc/1/root'), /ELOOP/);
  });

  it('refuses what it cannot show, in one line', () => {
    assert.equal(refusal('files.read', '/etc'), 'not a regular file in the container: /etc');
    assert.equal(refusal('files.list', '/etc/passwd'), 'not a directory in the container: /etc/passwd');
    assert.equal(refusal('files.stat', '/no/such'), 'no such file in the container: /no/such');
    assert.equal(refusal('files.read', 'etc/passwd'), '"path" must be an absolute path, got "etc/passwd"');
  });
});
