/**
 * ProxyCommand: token expansion as OpenSSH does it, which of ProxyJump/ProxyCommand a config gives
 * (the first one wins), Add Node's `-o ProxyCommand=`, and the process: its stdio as the stream, its
 * stderr and exit status in the failure, its whole process group ended by kill().
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandProxyCommand, startProxyCommand } from '../../../src/connection/proxyCommand';
import { parseSshCommandLine, readSshConfig, resolveHost, settingTarget } from '../../../src/connection/sshConfig';
import { withHostBlock } from '../../../src/connection/sshConfigWrite';

describe('ProxyCommand', () => {
  const tokens = { host: 'db.internal', port: 2222, user: 'ops', alias: 'db' };

  it('expands %h %p %r %n %% and refuses an unknown token', () => {
    assert.equal(expandProxyCommand('nc %h %p # %r@%n 100%%', tokens), 'nc db.internal 2222 # ops@db 100%');
    assert.equal(expandProxyCommand('id -un >/dev/null; echo %u', tokens), `id -un >/dev/null; echo ${os.userInfo().username}`);
    assert.throws(() => expandProxyCommand('nc %h %x', tokens), /unknown token %x/);
    assert.throws(() => expandProxyCommand('nc %h %', tokens), /unknown token %/);
  });

  it('from the SSH config: whichever of ProxyJump and ProxyCommand comes first wins; none is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-proxycfg-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      [
        'Host viaproxy',
        '  ProxyCommand ssh -W %h:%p bastion',
        'Host both1',
        '  ProxyCommand nc %h %p',
        '  ProxyJump bastion',
        'Host both2',
        '  ProxyJump bastion',
        '  ProxyCommand nc %h %p',
        'Host off',
        '  ProxyCommand none',
        'Host *',
        '  ProxyCommand nc fallback %p',
      ].join('\n'),
    );
    try {
      const cfg = readSshConfig([file]);
      assert.equal(resolveHost(cfg, 'viaproxy').proxyCommand, 'ssh -W %h:%p bastion');
      assert.equal(resolveHost(cfg, 'both1').proxyCommand, 'nc %h %p');
      assert.equal(resolveHost(cfg, 'both1').jump, undefined);
      assert.equal(resolveHost(cfg, 'both2').proxyCommand, undefined);
      assert.equal(resolveHost(cfg, 'both2').jump?.[0].host, 'bastion');
      assert.equal(resolveHost(cfg, 'off').proxyCommand, undefined, 'the first value, none, wins over Host *');
      assert.equal(resolveHost(cfg, 'other').proxyCommand, 'nc fallback %p');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Add Node carries -o ProxyCommand= over, and it replaces the config's jump", () => {
    const d = parseSshCommandLine('ssh -o "ProxyCommand=ip netns exec n1 nc 127.0.0.1 %p" root@n1');
    assert.equal(d.proxyCommand, 'ip netns exec n1 nc 127.0.0.1 %p');
    assert.deepEqual(d.ignored, []);
    const t = settingTarget(d, { host: 'n1', jump: [{ host: 'bastion' }] }, undefined);
    assert.equal(t.proxyCommand, 'ip netns exec n1 nc 127.0.0.1 %p');
    assert.equal(t.jump, undefined);
    assert.throws(() => parseSshCommandLine('ssh -J b -o ProxyCommand=nc root@n1'), /not both/);
    // Written as a Host block, it reads back the same.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-proxyblock-'));
    try {
      fs.writeFileSync(path.join(dir, 'config'), withHostBlock('', 'n1', d));
      assert.equal(resolveHost(readSshConfig([path.join(dir, 'config')]), 'n1').proxyCommand, 'ip netns exec n1 nc 127.0.0.1 %p');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("carries bytes both ways over the command's stdio", async () => {
    const p = startProxyCommand('cat');
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      p.sock.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\n')) resolve(got);
      });
    });
    p.sock.write('SSH-2.0-hello\n');
    assert.equal(await echoed, 'SSH-2.0-hello\n');
    p.kill();
    await p.settled(5000);
    assert.equal(p.failure(), null, 'ended by us: not a failure');
  });

  it('reports the exit status and the last stderr line of a failed command', async () => {
    const p = startProxyCommand(`sh -c 'echo warming up >&2; echo "bastion refused" >&2; exit 7'`);
    await p.settled(5000);
    assert.equal(p.failure(), 'exited with 7: bastion refused');
  });

  it("kill() ends the command's whole process group, a pipeline's members too", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-proxykill-'));
    const pids = path.join(dir, 'pids');
    try {
      const p = startProxyCommand(`sh -c 'sleep 300 & echo $! > ${pids}; cat'`);
      const deadline = Date.now() + 5000;
      while (!fs.existsSync(pids) || !fs.readFileSync(pids, 'utf8').trim()) {
        if (Date.now() > deadline) throw new Error('the pipeline did not start');
        await new Promise((r) => setTimeout(r, 20));
      }
      const sleeper = Number(fs.readFileSync(pids, 'utf8'));
      p.kill();
      await p.settled(5000);
      const gone = Date.now() + 5000;
      while (fs.existsSync(`/proc/${sleeper}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${sleeper}/status`, 'utf8'))) {
        if (Date.now() > gone) assert.fail('the background member of the group outlived kill()');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
