import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  listConfiguredHosts,
  parseSshCommandLine,
  parseSshDestination,
  readSshConfig,
  resolveHost,
  settingTarget,
} from '../../../src/connection/sshConfig';
import { hostBlockFor } from '../../../src/connection/sshConfigWrite';

function configDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-sshcfg-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('ssh_config', () => {
  // Relative Includes resolve from ~/.ssh (as in OpenSSH), so the test gets its own HOME.
  const dir = configDir({
    '.ssh/config': [
      'Include conf.d/*.conf',
      'Host web1 web2',
      '  HostName 10.9.9.%h', // unusual but legal: %h expands to the alias
      '  User deploy',
      'Host *.prod !bastion.prod',
      '  ProxyJump bastion.prod',
      '  Port 2200',
      'Host bastion.prod',
      '  User jump',
      'Host *',
      '  User fallback',
      '  IdentityFile ~/.ssh/id_test',
      '  ServerAliveInterval 15',
      '  ConnectTimeout=7',
    ].join('\n'),
    '.ssh/conf.d/a.conf': 'Host db1\n  HostName db1.internal\n  Port 2222\n',
  });
  const savedHome = process.env.HOME;
  process.env.HOME = dir;
  const cfg = readSshConfig([path.join(dir, '.ssh', 'config')]);
  process.env.HOME = savedHome;

  it('lists concrete hosts, including those of included files, not wildcard patterns', () => {
    assert.deepEqual(listConfiguredHosts(cfg).sort(), ['bastion.prod', 'db1', 'web1', 'web2']);
  });

  it('first value wins, like ssh -G', () => {
    const t = resolveHost(cfg, 'web1');
    assert.equal(t.user, 'deploy');
    assert.equal(t.host, '10.9.9.web1');
    assert.equal(t.keepaliveIntervalMs, 15_000);
    assert.equal(t.connectTimeoutMs, 7000);
    assert.equal(t.port, 22);
  });

  it('Include is followed, relative to ~/.ssh', () => {
    const t = resolveHost(cfg, 'db1');
    assert.equal(t.host, 'db1.internal');
    assert.equal(t.port, 2222);
  });

  it('negated patterns exclude a host; ProxyJump becomes a resolved chain', () => {
    const t = resolveHost(cfg, 'api.prod');
    assert.equal(t.port, 2200);
    assert.equal(t.jump?.[0].host, 'bastion.prod');
    assert.equal(t.jump?.[0].user, 'jump');
    assert.equal(t.jump?.[0].port, 22, 'the bastion itself is excluded from *.prod');
  });

  it('parses destinations and ssh command lines, rejecting nonsense', () => {
    assert.deepEqual(parseSshDestination('root@10.0.0.5:2222'), { user: 'root', host: '10.0.0.5', port: 2222 });
    assert.deepEqual(parseSshDestination('[fe80::1]:22'), { user: undefined, host: 'fe80::1', port: 22 });
    assert.deepEqual(parseSshCommandLine('ssh -p 2201 -i ~/.ssh/k -o Foo=bar admin@n1'), {
      user: 'admin',
      host: 'n1',
      port: 2201,
      identityFile: '~/.ssh/k',
      jump: undefined,
      ignored: ['-o Foo=bar'],
    });
    assert.deepEqual(parseSshCommandLine('root@n2:2200'), { user: 'root', host: 'n2', port: 2200, ignored: [] });
    assert.throws(() => parseSshDestination('root@host:abc'), /port must be a number/);
    assert.throws(() => parseSshDestination('h:70000'), /out of range/);
    assert.equal(
      hostBlockFor('n1', { host: '10.0.0.5', user: 'root', port: 2222 }),
      'Host n1\n  HostName 10.0.0.5\n  User root\n  Port 2222',
    );
  });

  it('a kept ssh command line in nodescope.hosts wins over the config, and its jump hops resolve through it', () => {
    const d = parseSshCommandLine('ssh -J bastion.prod -i ~/.ssh/special -p 2022 ops@api.prod');
    const t = settingTarget(d, resolveHost(cfg, d.host), cfg);
    assert.deepEqual([t.host, t.user, t.port], ['api.prod', 'ops', 2022], 'the command line over "Host *.prod" and "Host *"');
    assert.deepEqual(t.identityFiles, [path.join(process.env.HOME || os.homedir(), '.ssh', 'special')]);
    assert.deepEqual(
      t.jump?.map((h) => [h.host, h.user, h.port]),
      [['bastion.prod', 'jump', 22]],
    );
    // A plain destination leaves the config's keys and jumps alone.
    const plain = settingTarget(parseSshCommandLine('web1'), resolveHost(cfg, 'web1'), cfg);
    assert.equal(plain.user, 'deploy');
    assert.equal(plain.jump, undefined);
    assert.ok(plain.identityFiles?.[0].endsWith('/.ssh/id_test'));
  });

  it('ssh command lines keep their jump hosts, keys, ports and users, in every spelling ssh takes', () => {
    const d = parseSshCommandLine('ssh -4 -J jump@bastion:2200,inner -i id_ed25519 -vv root@10.0.0.5');
    assert.equal(d.jump, 'jump@bastion:2200,inner');
    assert.equal(d.identityFile, 'id_ed25519');
    assert.deepEqual([d.user, d.host, d.port], ['root', '10.0.0.5', undefined]);
    assert.deepEqual(d.ignored, []);
    // -o Key=Value, -o "Key Value", -oKey=Value, -p2222, -lname; the first value given wins, as in ssh.
    const o = parseSshCommandLine('ssh -oProxyJump=b1 -o "Port 2022" -o User=u1 -l u2 -o IdentityFile=/k -p2999 n3 uptime');
    assert.deepEqual([o.jump, o.port, o.user, o.identityFile, o.host], ['b1', 2022, 'u1', '/k', 'n3']);
    assert.deepEqual(o.ignored, ['uptime'], 'a remote command is not carried over, and the person is told');
    assert.equal(parseSshCommandLine('ssh -J none n4').jump, undefined);
    assert.deepEqual(parseSshCommandLine('ssh -L 8080:localhost:80 -F /cfg n5').ignored, ['-L 8080:localhost:80', '-F /cfg']);
    assert.throws(() => parseSshCommandLine('ssh -p'), /-p needs a value/);
    assert.throws(() => parseSshCommandLine('ssh -Z n6'), /unknown ssh option -Z/);
    assert.throws(() => parseSshCommandLine('ssh -p 99999 n7'), /port must be a number from 1 to 65535/);
    assert.throws(() => parseSshCommandLine('ssh -J root@b:abc n8'), /port must be a number/);
    assert.equal(
      hostBlockFor('n9', { host: '10.0.0.5', user: 'root', identityFile: '~/.ssh/k', jump: 'bastion' }),
      'Host n9\n  HostName 10.0.0.5\n  User root\n  IdentityFile ~/.ssh/k\n  ProxyJump bastion',
    );
  });

  it('IdentityAgent: none, SSH_AUTH_SOCK, $VAR and paths; UserKnownHostsFile keeps the global files', () => {
    const d = configDir({
      '.ssh/config': [
        'Host a1',
        '  IdentityAgent none',
        'Host a2',
        '  IdentityAgent SSH_AUTH_SOCK',
        'Host a3',
        '  IdentityAgent $NODESCOPE_TEST_AGENT',
        'Host a4',
        '  IdentityAgent ~/agent-%h.sock',
        '  UserKnownHostsFile ~/.ssh/kh_%h /tmp/kh2',
        'Match host a5',
        '  User from-match',
        'Host a5',
        '  GlobalKnownHostsFile none',
        '  UserKnownHostsFile /tmp/only',
      ].join('\n'),
    });
    const saved = {
      HOME: process.env.HOME,
      SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK,
      NODESCOPE_TEST_AGENT: process.env.NODESCOPE_TEST_AGENT,
    };
    Object.assign(process.env, { HOME: d, SSH_AUTH_SOCK: '/run/agent.sock', NODESCOPE_TEST_AGENT: '/run/other.sock' });
    try {
      const c = readSshConfig([path.join(d, '.ssh', 'config')]);
      assert.equal(resolveHost(c, 'a1').agentSocket, null);
      assert.equal(resolveHost(c, 'a2').agentSocket, '/run/agent.sock');
      assert.equal(resolveHost(c, 'a3').agentSocket, '/run/other.sock');
      const a4 = resolveHost(c, 'a4');
      assert.equal(a4.agentSocket, path.join(d, 'agent-a4.sock'));
      assert.deepEqual(a4.knownHostsFiles, [
        path.join(d, '.ssh', 'kh_a4'),
        '/tmp/kh2',
        '/etc/ssh/ssh_known_hosts',
        '/etc/ssh/ssh_known_hosts2',
      ]);
      const a5 = resolveHost(c, 'a5');
      assert.deepEqual(a5.knownHostsFiles, ['/tmp/only']);
      assert.equal(a5.user, 'from-match', 'a Match host block applies, as in ssh');
      assert.equal(resolveHost(c, 'other').knownHostsFiles, undefined, 'nothing set: the defaults apply');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
