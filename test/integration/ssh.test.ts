/**
 * SSH against real OpenSSH servers on loopback (test/support/sshd.ts): host keys, every auth method,
 * jump hosts, sudo, deploy-once, agent lifetime and reconnect. Keyboard-interactive runs against ssh2's
 * own server, because OpenSSH without PAM offers no keyboard-interactive device on Linux.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Server, utils } from 'ssh2';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startSshd, freePort, type Sshd } from '../support/sshd';
import { descendsFrom } from '../support/processWatch';
import { openSshTransport } from '../../src/connection/sshTransport';
import { connectAgent } from '../../src/connection/agentClient';
import { NodeSession } from '../../src/model/nodeSession';
import type { SshTarget } from '../../src/connection/sshConfig';
import type { AgentTransport, Interaction } from '../../src/connection/transport';
import type { Snapshot } from '../../server/protocol';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const bundle = path.join(repo, 'dist', 'agent-bundle');
const built = (): string | null => (fs.existsSync(path.join(bundle, 'manifest.json')) ? null : 'needs dist/agent-bundle (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('sshd'), probes.command('ssh-agent'), built);
const USER = 'nodescope-test-user';
const PASSWORD = 'correct horse battery staple';

/** An Interaction that answers from a script and records what it was asked. */
function scripted(
  answers: {
    password?: string;
    passwords?: string[];
    sudoPassword?: string;
    passphrase?: string;
    passphrases?: string[];
    trust?: boolean;
    kbd?: string[];
  } = {},
) {
  const asked: string[] = [];
  const logs: string[] = [];
  const interaction: Interaction = {
    confirmHostKey: async (i) => (asked.push(`hostkey ${i.fingerprint}`), answers.trust ?? false),
    askPassword: async (p) => (
      asked.push(`password ${p}`),
      p.startsWith('sudo') && answers.sudoPassword !== undefined ? answers.sudoPassword : (answers.passwords?.shift() ?? answers.password)
    ),
    askPassphrase: async (k) => (asked.push(`passphrase ${k}`), answers.passphrases?.shift() ?? answers.passphrase),
    keyboardInteractive: async (_n, _i, prompts) => (asked.push(`kbd ${prompts.map((p) => p.prompt).join('|')}`), answers.kbd),
    log: (_l, m) => void logs.push(m),
  };
  return { interaction, asked, logs };
}

function nodescope(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
    maxBuffer: 1 << 28,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function agentsRunning(): string[] {
  return execFileSync('sh', ['-c', "pgrep -af 'nodescope/[^ ]*/agent.js' || true"], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Runs argv through the transport's exec; everything it printed, and how it ended. */
async function execOut(
  t: AgentTransport,
  argv: string[],
  pty?: { cols: number; rows: number },
): Promise<{ out: string; err: string; code: number | null }> {
  const ch = await t.exec(argv, pty ? { pty } : {});
  let out = '';
  let err = '';
  ch.stdout.on('data', (d: Buffer) => (out += d.toString()));
  ch.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => ch.onExit((c) => r(c)));
  return { out, err, code }; // no wait: onExit comes after the last output
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SSH to real sshd on loopback', { skip }, () => {
  let sshd: Sshd;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const root = (extra: Partial<SshTarget> = {}): SshTarget => ({
    host: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    identityFiles: [sshd.clientKey],
    knownHostsFiles: [sshd.knownHosts],
    agentSocket: null,
    trustStorePath: path.join(tmp, 'trust'),
    ...extra,
  });

  before(async () => {
    rigUp();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-ssh-'));
    // The CLI's trust store lives under XDG_CONFIG_HOME: point it at the test's directory.
    env = { XDG_CONFIG_HOME: tmp, SSH_AUTH_SOCK: '' };
    sshd = await startSshd({ extraConfig: ['PasswordAuthentication yes', 'PermitEmptyPasswords no'] });
    spawnSync('userdel', ['-r', USER]);
    execFileSync('useradd', ['-m', '-s', '/bin/sh', USER]);
    execFileSync('chpasswd', { input: `${USER}:${PASSWORD}\n` });
  });

  after(() => {
    sshd?.dispose();
    spawnSync('userdel', ['-r', USER]);
    fs.rmSync('/etc/sudoers.d/nodescope-test', { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('CLI: key auth to a known host prints the same containers as the local agent', () => {
    const remote = nodescope(
      ['--ssh', `root@127.0.0.1:${sshd.port}`, '--identity', sshd.clientKey, '--known-hosts', sshd.knownHosts, 'snapshot', '--json'],
      env,
    );
    assert.equal(remote.code, 0, remote.err);
    const local = JSON.parse(nodescope(['snapshot', '--json']).out) as Snapshot;
    const ids = (s: Snapshot) => s.containers.map((c) => `${c.id} ${c.name} ${c.hostname}`).sort();
    assert.deepEqual(ids(JSON.parse(remote.out)), ids(local));
  });

  it('CLI: an unknown host key is refused without the flag, trusted with it, never written to known_hosts', () => {
    const empty = path.join(tmp, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const args = ['--ssh', `root@127.0.0.1:${sshd.port}`, '--identity', sshd.clientKey, '--known-hosts', empty];
    const refused = nodescope([...args, 'snapshot'], env);
    assert.equal(refused.code, 1);
    assert.equal(refused.out, '');
    assert.match(refused.err, /^nodescope: unknown host key SHA256:[A-Za-z0-9+/]{43} for \[127\.0\.0\.1\]:\d+ .*--accept-new-host-key/);
    const fp = execFileSync('ssh-keygen', ['-lf', `${sshd.dir}/host_key.pub`], { encoding: 'utf8' }).split(' ')[1];
    assert.ok(refused.err.includes(fp), 'the fingerprint is the one ssh-keygen computes');
    const accepted = nodescope([...args, '--accept-new-host-key', 'snapshot'], env);
    assert.equal(accepted.code, 0, accepted.err);
    assert.equal(fs.readFileSync(empty, 'utf8'), '', 'known_hosts untouched');
    const store = fs.readFileSync(path.join(tmp, 'nodescope', 'known_hosts'), 'utf8');
    assert.ok(store.includes(sshd.hostKeyPub), "accepted key is in Nodescope's own store");
    assert.equal(nodescope([...args, 'snapshot'], env).code, 0, 'and is trusted next time without the flag');
  });

  it('CLI: a changed host key is refused with both fingerprints, printing nothing, known_hosts unchanged', () => {
    const other = path.join(tmp, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = path.join(tmp, 'wrong_known_hosts');
    const line = `[127.0.0.1]:${sshd.port} ${fs.readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    fs.writeFileSync(wrong, line);
    const r = nodescope(
      ['--ssh', `root@127.0.0.1:${sshd.port}`, '--identity', sshd.clientKey, '--known-hosts', wrong, '--accept-new-host-key', 'snapshot'],
      { XDG_CONFIG_HOME: path.join(tmp, 'fresh') },
    );
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    const known = execFileSync('ssh-keygen', ['-lf', `${other}.pub`], { encoding: 'utf8' }).split(' ')[1];
    const offered = execFileSync('ssh-keygen', ['-lf', `${sshd.dir}/host_key.pub`], { encoding: 'utf8' }).split(' ')[1];
    assert.match(r.err, /host key for \[127\.0\.0\.1\]:\d+ changed/);
    assert.ok(r.err.includes(known) && r.err.includes(offered), r.err);
    assert.equal(fs.readFileSync(wrong, 'utf8'), line);
  });

  it('hashed known_hosts entries match; @revoked keys are refused', async () => {
    const hashed = path.join(tmp, 'hashed_known_hosts');
    fs.copyFileSync(sshd.knownHosts, hashed);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    assert.match(fs.readFileSync(hashed, 'utf8'), /^\|1\|/);
    const t = await openSshTransport(root({ knownHostsFiles: [hashed] }), scripted().interaction);
    await t.close();
    const revoked = path.join(tmp, 'revoked_known_hosts');
    fs.writeFileSync(revoked, `@revoked * ${sshd.hostKeyPub}\n${sshd.knownHostsLine}\n`);
    await assert.rejects(openSshTransport(root({ knownHostsFiles: [revoked] }), scripted({ trust: true }).interaction), /is revoked/);
  });

  it('a host known by its ECDSA key is verified by that key although it also has ed25519; known only by another type is refused', async () => {
    // The second server has two host keys; ssh2 alone would pick ed25519, which known_hosts does not list.
    const ecdsa = path.join(tmp, 'ecdsa_host_key');
    fs.rmSync(ecdsa, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', ecdsa]);
    const two = await startSshd({ extraConfig: [`HostKey ${ecdsa}`] });
    try {
      const known = path.join(tmp, 'ecdsa_known_hosts');
      fs.writeFileSync(known, `[127.0.0.1]:${two.port} ${fs.readFileSync(`${ecdsa}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
      const target = {
        ...root(),
        port: two.port,
        identityFiles: [two.clientKey],
        knownHostsFiles: [known],
        trustStorePath: path.join(tmp, 'ecdsa-trust'),
      };
      const s = scripted({ trust: true });
      const t = await openSshTransport(target, s.interaction);
      await t.close();
      assert.deepEqual(s.asked, [], 'nothing asked: the known ECDSA key was the one presented');
      assert.ok(!fs.existsSync(target.trustStorePath), 'nothing added to the trust store');
      // Known only by an RSA key the server does not have: its key changed, whatever the type.
      const rsa = path.join(tmp, 'rsa_key');
      fs.rmSync(rsa, { force: true });
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', rsa]);
      fs.writeFileSync(known, `[127.0.0.1]:${two.port} ${fs.readFileSync(`${rsa}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
      const rsaFp = execFileSync('ssh-keygen', ['-lf', `${rsa}.pub`], { encoding: 'utf8' }).split(' ')[1];
      const s2 = scripted({ trust: true });
      await assert.rejects(
        openSshTransport(target, s2.interaction, { acceptNewHostKey: true }),
        (e: Error) => /changed/.test(e.message) && e.message.includes(rsaFp),
      );
      assert.deepEqual(s2.asked, [], 'a changed key is never asked about');
    } finally {
      two.dispose();
    }
  });

  it('an unknown key is asked about in the UI and a refusal stops before authentication', async () => {
    const s = scripted({ trust: false });
    await assert.rejects(
      openSshTransport(root({ knownHostsFiles: [], trustStorePath: path.join(tmp, 'ui-trust') }), s.interaction),
      /not trusted/,
    );
    assert.deepEqual(
      s.asked.map((a) => a.split(' ')[0]),
      ['hostkey'],
      'nothing else was asked: no authentication was attempted',
    );
  });

  it('a person slower than ConnectTimeout to accept the key is not cut off: only machine time counts', async () => {
    const s = scripted();
    const slow: Interaction = { ...s.interaction, confirmHostKey: async () => (await new Promise((r) => setTimeout(r, 1500)), true) };
    const started = Date.now();
    const t = await openSshTransport(
      root({ knownHostsFiles: [], trustStorePath: path.join(tmp, 'slow-trust'), connectTimeoutMs: 1000 }),
      slow,
    );
    await t.close();
    assert.ok(Date.now() - started > 1500, 'the decision took longer than the timeout');
  });

  it('password auth for a non-root login, then the agent through sudo with a password, held only in memory', async () => {
    fs.writeFileSync('/etc/sudoers.d/nodescope-test', `${USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
    const s = scripted({ password: PASSWORD });
    const t = await openSshTransport(root({ user: USER, identityFiles: ['/nonexistent'] }), s.interaction);
    const client = await connectAgent(t);
    assert.equal(client.info.uid, 0, 'the agent runs as root');
    assert.equal(s.asked.filter((a) => a.startsWith('password')).length, 2, 'login password, then sudo password');
    // exec goes through sudo with the same password; with a pty the terminal must not echo it back.
    const piped = await execOut(t, ['sh', '-c', 'id -u; cat /proc/self/status | grep -c NoNewPrivs; seq 1 20000 | tail -c 6; exit 3']);
    assert.deepEqual([piped.code, piped.out], [3, '0\n1\n20000\n'], piped.err);
    assert.ok(!piped.err.includes(PASSWORD) && !piped.err.includes('nodescope-sudo'), 'no password and no prompt marker on stderr');
    const tty = await execOut(t, ['sh', '-c', 'id -u; tty'], { cols: 80, rows: 24 });
    assert.equal(tty.code, 0);
    assert.match(tty.out, /^\s*0\r\n\/dev\/pts\/\d+\r\n$/, JSON.stringify(tty.out));
    assert.ok(!tty.out.includes(PASSWORD), 'the password is not echoed into the terminal');
    await client.close();
    // A wrong sudo password: answered once, never again; the agent does not start, and the reason says why.
    const wrong = scripted({ password: PASSWORD, sudoPassword: 'not the password' });
    const t2 = await openSshTransport(root({ user: USER, identityFiles: ['/nonexistent'] }), wrong.interaction);
    const reason = new Promise<string | null>((r) => t2.onClose(r));
    await assert.rejects(connectAgent(t2));
    assert.match((await reason) ?? '', /sudo on nodescope-test-user@\[127\.0\.0\.1\]:\d+ did not accept the password/);
    assert.equal(agentsRunning().length, 0);
    assert.ok(!fs.readFileSync(path.join(tmp, 'trust'), { encoding: 'utf8', flag: 'a+' }).includes(PASSWORD));
  });

  it('a non-root login with passwordless sudo starts the agent with sudo -n', async () => {
    fs.writeFileSync('/etc/sudoers.d/nodescope-test', `${USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    // A mistyped login password is asked again, as ssh does.
    const s = scripted({ passwords: ['mistyped', PASSWORD] });
    const client = await connectAgent(await openSshTransport(root({ user: USER, identityFiles: ['/nonexistent'] }), s.interaction));
    assert.equal(client.info.uid, 0);
    assert.deepEqual(
      s.asked.filter((a) => a.startsWith('password')).map((a) => /again/.test(a)),
      [false, true],
      'two login prompts, no sudo prompt',
    );
    await client.close();
  });

  it("a cached agent changed in the login user's home is not started as root: the probe sees it and uploads again", async () => {
    fs.writeFileSync('/etc/sudoers.d/nodescope-test', `${USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    const cache = `/home/${USER}/.cache/nodescope/${manifest.version}`;
    const mark = path.join(tmp, 'tampered-agent-ran');
    const login = () => root({ user: USER, identityFiles: ['/nonexistent'] });
    fs.rmSync(cache, { recursive: true, force: true });
    const first = scripted({ password: PASSWORD });
    await (await connectAgent(await openSshTransport(login(), first.interaction))).close();
    assert.ok(
      first.logs.some((l) => l.startsWith('uploading the agent')),
      first.logs.join('\n'),
    );
    // Only agents started from this cache: other suites may run agents of their own meanwhile.
    await until('agent exit after close', () => !agentsRunning().some((a) => a.includes(cache)));

    // What the login user (or anything running as them) could do: change a file; the marker stays.
    assert.equal(
      fs.readFileSync(path.join(cache, '.bundle-hash'), 'utf8'),
      createHash('sha256')
        .update(fs.readFileSync(path.join(bundle, 'manifest.json')))
        .digest('hex'),
    );
    fs.appendFileSync(
      path.join(cache, 'agent.js'),
      `\n;require('fs').writeFileSync(${JSON.stringify(mark)}, 'ran as uid ' + process.getuid());\n`,
    );
    const second = scripted({ password: PASSWORD });
    const client = await connectAgent(await openSshTransport(login(), second.interaction));
    try {
      assert.equal(client.info.uid, 0);
      assert.ok(
        second.logs.some((l) => l.startsWith('uploading the agent')),
        `uploaded again: ${second.logs.join('\n')}`,
      );
      assert.equal(fs.existsSync(mark), false, 'the changed agent.js never ran');
      assert.ok(
        fs.readFileSync(path.join(cache, 'agent.js')).equals(fs.readFileSync(path.join(bundle, 'agent.js'))),
        'the cache holds the bundle again',
      );
    } finally {
      await client.close();
    }
  });

  it('a cached agent changed after the probe checked it (while sudo asks its password) is refused as root, in one line', async () => {
    fs.writeFileSync('/etc/sudoers.d/nodescope-test', `${USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    const cache = `/home/${USER}/.cache/nodescope/${manifest.version}`;
    const mark = path.join(tmp, 'late-tampered-agent-ran');
    const s = scripted({ password: PASSWORD });
    const ask = s.interaction.askPassword;
    s.interaction.askPassword = async (prompt) => {
      // The probe found the cache complete and unchanged; between that and the start, a file is added
      // where node looks first (a `require('./x')` finds `x` before `x.js`).
      if (prompt.startsWith('sudo'))
        fs.writeFileSync(
          path.join(cache, 'node_modules', 'koffi', 'index'),
          `require('fs').writeFileSync(${JSON.stringify(mark)}, 'ran');\n`,
        );
      return ask(prompt);
    };
    const t = await openSshTransport(root({ user: USER, identityFiles: ['/nonexistent'] }), s.interaction);
    assert.ok(
      s.logs.some((l) => l.includes('already on the node; reusing it')),
      s.logs.join('\n'),
    );
    const reason = new Promise<string | null>((r) => t.onClose(r));
    await assert.rejects(connectAgent(t));
    assert.equal(
      await reason,
      `agent stopped: nodescope: the agent in ${cache} is not the bundle this Nodescope checked (changed on the node since); not starting it as root`,
    );
    assert.equal(fs.existsSync(mark), false);
    assert.deepEqual(
      agentsRunning().filter((a) => a.includes(cache)),
      [],
    );
    fs.rmSync(path.join(cache, 'node_modules', 'koffi', 'index'));
  });

  it('an encrypted key asks for its passphrase', async () => {
    const key = path.join(tmp, 'enc_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-f', key]);
    fs.appendFileSync(path.join(sshd.dir, 'authorized_keys'), `\n${fs.readFileSync(`${key}.pub`, 'utf8')}`);
    const s = scripted({ passphrases: ['mistyped', 'open sesame'] });
    const t = await openSshTransport(root({ identityFiles: [key] }), s.interaction);
    await t.close();
    assert.deepEqual(s.asked, [`passphrase ${key}`, `passphrase ${key}`], 'asked again after a wrong passphrase');
    // Three wrong answers: the key is skipped (no fourth question) and authentication fails in one line.
    const never = scripted({ passphrase: 'wrong' });
    await assert.rejects(
      openSshTransport(root({ identityFiles: [key] }), never.interaction),
      /^Error: authentication to root@\[127\.0\.0\.1\]:\d+ failed/,
    );
    assert.equal(never.asked.filter((a) => a.startsWith('passphrase')).length, 3);
  });

  it('ssh-agent keys are tried first', async () => {
    const sock = path.join(tmp, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    try {
      execFileSync('ssh-add', [sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const s = scripted();
      const t = await openSshTransport(root({ identityFiles: ['/nonexistent'], agentSocket: sock }), s.interaction);
      await t.close();
      assert.deepEqual(s.asked, [], 'no password or passphrase needed');
      // IdentitiesOnly: the agent's key is not used when IdentityFile does not name it…
      const only = scripted();
      await assert.rejects(
        openSshTransport(root({ identityFiles: ['/nonexistent'], agentSocket: sock, identitiesOnly: true }), only.interaction),
        /authentication to .* failed/,
      );
      // …and is used, without asking its passphrase, when it does (a key loaded, then encrypted on disk).
      const key = path.join(tmp, 'agent_only_key');
      fs.rmSync(key, { force: true });
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      execFileSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'on disk only', '-f', key]);
      fs.appendFileSync(path.join(sshd.dir, 'authorized_keys'), `\n${fs.readFileSync(`${key}.pub`, 'utf8')}`);
      const named = scripted();
      const t2 = await openSshTransport(root({ identityFiles: [key], agentSocket: sock, identitiesOnly: true }), named.interaction);
      await t2.close();
      assert.deepEqual(named.asked, [], 'signed by the agent: no passphrase asked');
    } finally {
      process.kill(pid);
    }
  });

  it("keyboard-interactive answers come from the interaction (against ssh2's own server)", async () => {
    const hostKey = path.join(tmp, 'kbd_host');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const port = await freePort();
    let answered: string[] = [];
    const server = new Server({ hostKeys: [fs.readFileSync(hostKey)] }, (conn) => {
      conn.on('authentication', (ctx) => {
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        ctx.prompt([{ prompt: 'Verification code: ', echo: false }], (answers) => {
          answered = answers;
          if (answers[0] === '424242') ctx.accept();
          else ctx.reject();
        });
      });
      conn.on('error', () => undefined);
    }).listen(port, '127.0.0.1');
    try {
      const kh = path.join(tmp, 'kbd_known');
      const pub = utils.parseKey(fs.readFileSync(`${hostKey}.pub`)) as { getPublicSSH(): Buffer; type: string };
      fs.writeFileSync(kh, `[127.0.0.1]:${port} ${pub.type} ${pub.getPublicSSH().toString('base64')}\n`);
      const s = scripted({ kbd: ['424242'] });
      // The server accepts the login but runs no commands: the failure must come after authentication.
      await assert.rejects(
        openSshTransport(
          { host: '127.0.0.1', port, user: 'root', identityFiles: ['/nonexistent'], knownHostsFiles: [kh], agentSocket: null },
          s.interaction,
        ),
        (e: Error) => !/authentication .* failed/.test(e.message),
      );
      assert.deepEqual(answered, ['424242']);
      assert.ok(s.asked.includes('kbd Verification code: '));
    } finally {
      server.close();
    }
  });

  it('a jump host: each hop verified, a wrong key on the jump refused', async () => {
    const jump = await startSshd();
    try {
      const target = root({
        jump: [
          {
            host: '127.0.0.1',
            port: jump.port,
            user: 'root',
            identityFiles: [jump.clientKey],
            knownHostsFiles: [jump.knownHosts],
            agentSocket: null,
          },
        ],
      });
      const client = await connectAgent(await openSshTransport(target, scripted().interaction));
      assert.equal(client.info.uid, 0);
      await client.close();
      assert.match(fs.readFileSync(jump.log, 'utf8'), /direct-tcpip|Accepted publickey/, 'the jump sshd carried the connection');
      // A hop with a jump of its own (ProxyJump in its Host block): jump → this sshd → this sshd again.
      const accepted = (log: string): number => (fs.readFileSync(log, 'utf8').match(/Accepted publickey for root/g) ?? []).length;
      const [viaJump, viaMain] = [accepted(jump.log), accepted(sshd.log)];
      const nested = root({ jump: [{ ...root(), jump: target.jump }] });
      const t = await openSshTransport(nested, scripted().interaction);
      await t.close();
      assert.equal(accepted(jump.log) - viaJump, 1, 'the inner jump was used once');
      assert.equal(accepted(sshd.log) - viaMain, 2, 'then this sshd as a hop and as the target');
      const badJump = { ...target, jump: [{ ...target.jump![0], knownHostsFiles: [sshd.knownHosts] }] };
      await assert.rejects(openSshTransport(badJump, scripted().interaction), /changed|not trusted/);
    } finally {
      jump.dispose();
    }
  });

  it('deploys the agent once and reuses it; no agent outlives its connection or a dropped connection', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    fs.rmSync(`/root/.cache/nodescope/${manifest.version}`, { recursive: true, force: true });
    const first = scripted();
    const c1 = await connectAgent(await openSshTransport(root(), first.interaction));
    assert.ok(
      first.logs.some((l) => l.startsWith('uploading the agent')),
      first.logs.join('\n'),
    );
    await c1.close();
    await until('agent exit after close', () => agentsRunning().length === 0);
    const second = scripted();
    const c2 = await connectAgent(await openSshTransport(root(), second.interaction));
    assert.ok(second.logs.some((l) => l.includes('already on the node; reusing it')));
    assert.ok(!second.logs.some((l) => l.startsWith('uploading')));
    assert.equal(agentsRunning().length, 1);
    const closed = new Promise<string | null>((r) => c2.onClose(r));
    sshd.stop(); // drops every session, as a network failure would
    assert.match((await closed) ?? '', /closed|lost|stopped/);
    await until('agent exit after the connection dropped', () => agentsRunning().length === 0);
    await sshd.start();
  });

  it('two connections deploying to the same node at once both start, and leave one complete copy', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    const cache = `/root/.cache/nodescope/${manifest.version}`;
    fs.rmSync(cache, { recursive: true, force: true });
    const [a, b] = [scripted(), scripted()];
    const clients = await Promise.all([a, b].map(async (s) => connectAgent(await openSshTransport(root(), s.interaction))));
    try {
      assert.deepEqual(
        clients.map((c) => c.info.uid),
        [0, 0],
      );
      assert.ok(
        [a, b].every((s) => s.logs.some((l) => l.startsWith('uploading the agent'))),
        'both found nothing cached and uploaded',
      );
      const siblings = fs.readdirSync(path.dirname(cache)).filter((n) => n.startsWith(`${manifest.version}.part-`));
      assert.deepEqual(siblings, [], 'no staging directory left behind');
      assert.deepEqual(
        fs.readdirSync(cache).filter((n) => n.includes('.part-')),
        [],
      );
      execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: cache }); // throws on any mismatch
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('a node without Node.js gets a one-line remedy, and a runtime to upload fixes it', async () => {
    // remoteNodePath naming nothing is what a node without Node.js looks like to the probe.
    const missing = { remoteNodePath: '/nonexistent/node' };
    await assert.rejects(openSshTransport(root(), scripted().interaction, missing), (e: Error) =>
      /^no Node\.js at \/nonexistent\/node on the node; the agent needs Node\.js 18\+: .*nodescope\.nodeRuntime to a Node\.js binary for linux-x64 to upload$/.test(
        e.message,
      ),
    );
    // A runtime left by an earlier run would be reused and nothing uploaded: start from none.
    const runtimeHash = createHash('sha256').update(fs.readFileSync(process.execPath)).digest('hex');
    fs.rmSync(`/root/.cache/nodescope/node-${runtimeHash.slice(0, 16)}`, { force: true });
    const s = scripted();
    const client = await connectAgent(await openSshTransport(root(), s.interaction, { ...missing, nodeRuntime: process.execPath }));
    try {
      assert.equal(client.info.nodeVersion, process.version, 'the agent runs on the uploaded runtime');
      assert.ok(
        s.logs.some((l) => l.startsWith('uploading the Node.js runtime')),
        s.logs.join('\n'),
      );
    } finally {
      await client.close();
    }
  });

  it('an upload that does not match its checksums is refused on the node and never started', async () => {
    const tampered = fs.mkdtempSync(path.join(tmp, 'bundle-'));
    fs.cpSync(bundle, tampered, { recursive: true });
    fs.appendFileSync(path.join(tampered, 'agent.js'), '\n// altered after the checksums were taken\n');
    // A different manifest hash forces an upload; SHA256SUMS still lists the original agent.js.
    fs.appendFileSync(path.join(tampered, 'manifest.json'), ' ');
    await assert.rejects(
      openSshTransport(root(), scripted().interaction, { agentBundleDir: tampered }),
      /failed its checksum check on the node/,
    );
    assert.equal(agentsRunning().length, 0);
  });

  it('a silent drop (no FIN: the server frozen) is noticed by keepalive, and the agent then goes', async () => {
    const quiet = await startSshd();
    const sshdPids = (): number[] =>
      execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`sshd: `) && !l.includes('[listener]') && /root@notty|root \[priv\]|sshd-session/.test(l))
        .map((l) => Number(l.trim().split(/\s+/)[0]))
        .filter((pid) => descendsFrom(pid, Number(fs.readFileSync(path.join(quiet.dir, 'sshd.pid'), 'utf8'))));
    try {
      const before = agentsRunning().length;
      const t = await openSshTransport(
        { ...root(), port: quiet.port, identityFiles: [quiet.clientKey], knownHostsFiles: [quiet.knownHosts], keepaliveIntervalMs: 300 },
        scripted().interaction,
      );
      const client = await connectAgent(t);
      const closed = new Promise<string | null>((r) => client.onClose(r));
      const frozen = sshdPids();
      assert.ok(frozen.length > 0, 'found the session processes to freeze');
      const started = Date.now();
      frozen.forEach((pid) => process.kill(pid, 'SIGSTOP')); // the TCP connection stays open, nothing answers
      assert.match((await closed) ?? '', /lost|closed|timed out|keepalive/i);
      assert.ok(Date.now() - started < 5000, `noticed after ${Date.now() - started} ms (3 × 300 ms keepalives)`);
      frozen.forEach((pid) => process.kill(pid, 'SIGKILL'));
      await until('agent exit once its session is gone', () => agentsRunning().length <= before);
    } finally {
      quiet.dispose();
    }
  });

  it('a node session shows the drop with its reason and reconnects when sshd is back', async () => {
    const session = new NodeSession('n', 'test node', 'ssh', () => openSshTransport(root(), scripted().interaction), {
      watchIntervalMs: 0,
      maxReconnectAttempts: 8,
      clientVersion: 'test',
      baseDelayMs: 200,
    });
    await session.connect();
    assert.equal(session.state, 'connected');
    sshd.stop();
    await until('disconnected state', () => session.state !== 'connected');
    assert.match(session.reason ?? '', /connection lost|cannot connect|closed/);
    const restarted = Date.now();
    await sshd.start();
    await until('reconnected', () => session.state === 'connected', 20_000);
    // A fresh snapshot from the new agent (the rig's containers may be being recreated meanwhile, so
    // their count is not the point; the processes of this machine are).
    const snap = session.model.snapshot;
    assert.ok(snap && Date.parse(snap.takenAt) >= restarted - 1000, `snapshot taken at ${snap?.takenAt}`);
    assert.ok(
      snap.processes.some((p) => p.pid === process.pid),
      'it lists this test process',
    );
    await session.disconnect();
  });
});

describe('SSH connect timeout', () => {
  it('a server that accepts TCP but never speaks fails within ConnectTimeout, in one line', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((sock) => void sockets.push(sock)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      await assert.rejects(
        openSshTransport(
          {
            host: '127.0.0.1',
            port,
            user: 'root',
            identityFiles: ['/nonexistent'],
            knownHostsFiles: [],
            agentSocket: null,
            connectTimeoutMs: 700,
          },
          scripted().interaction,
        ),
        (e: Error) => e.message === `connecting to root@[127.0.0.1]:${port} timed out`,
      );
      const took = Date.now() - started;
      assert.ok(took >= 600 && took < 3000, `gave up after ${took} ms`);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });
});
