/**
 * The enter terminal's session (src/terminal/enterSession.ts, what the VS Code terminal runs) over real
 * transports into the rig's nodescope-rig-limited: this machine (a `script` pty) and a real sshd on
 * loopback (an SSH pty, which also carries resizes). Facts are checked against docker inspect and the
 * host's own /proc, never against the agent's output.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startSshd, type Sshd } from '../support/sshd';
import { connectAgent, type AgentClient } from '../../src/connection/agentClient';
import { openLocalTransport } from '../../src/connection/localTransport';
import { openSshTransport } from '../../src/connection/sshTransport';
import type { Interaction } from '../../src/connection/transport';
import { EnterSession } from '../../src/terminal/enterSession';

const repo = path.resolve(__dirname, '..', '..');
const bundle = path.join(repo, 'dist', 'agent-bundle');
const built = (): string | null => (fs.existsSync(path.join(bundle, 'agent.js')) ? null : 'needs dist/agent-bundle (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('sshd'), probes.command('nsenter'), built);
const CONTAINER = 'nodescope-rig-limited';

const inspect = (format: string): string => execFileSync('docker', ['inspect', '-f', format, CONTAINER], { encoding: 'utf8' }).trim();

const refuseAll: Interaction = {
  confirmHostKey: async () => false,
  askPassword: async () => undefined,
  askPassphrase: async () => undefined,
  keyboardInteractive: async () => undefined,
  log: () => undefined,
};

/** A session as the terminal runs it, with what it wrote collected (escape sequences stripped). */
async function enter(client: AgentClient, dims = { cols: 80, rows: 24 }, pid?: number) {
  const snap = await client.request('snapshot', {});
  const c = snap.containers.find((x) => x.name === CONTAINER);
  assert.ok(c, `${CONTAINER} is in the snapshot`);
  let raw = '';
  const errors: string[] = [];
  let closed = false;
  const session = new EnterSession(
    { name: c.name, plan: () => client.request('enter.plan', { container: c.id, pid }), exec: (argv, o) => client.transport.exec(argv, o) },
    { write: (t) => (raw += t), close: () => (closed = true), error: (m) => errors.push(m) },
  );
  await session.open(dims);
  const text = () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const lines = () =>
    text()
      .split('\n')
      .map((l) => l.trim());
  async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; terminal shows:\n${text().slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Types a command that prints a marker-delimited answer and returns the answer. */
  async function ask(command: string): Promise<string> {
    const tag = `m${Math.random().toString(36).slice(2, 8)}`;
    // The shell echoes the typed line; the markers are built by printf so the echo does not contain them.
    session.input(`printf '%s-begin\\n' ${tag}; ${command}; printf '%s-end\\n' ${tag}\r`);
    await until(`${command}`, () => lines().includes(`${tag}-end`));
    const ls = lines();
    return ls.slice(ls.lastIndexOf(`${tag}-begin`) + 1, ls.lastIndexOf(`${tag}-end`)).join('\n');
  }
  return { session, text, lines, until, ask, errors, closed: () => closed };
}

for (const via of ['this machine', 'ssh'] as const) {
  describe(`enter terminal via ${via}`, { skip, timeout: 120_000 }, () => {
    let sshd: Sshd | undefined;
    let client: AgentClient;
    let tmp: string;

    before(async () => {
      rigUp();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-enter-'));
      if (via === 'ssh') {
        sshd = await startSshd();
        const target = {
          host: '127.0.0.1',
          port: sshd.port,
          user: 'root',
          identityFiles: [sshd.clientKey],
          knownHostsFiles: [sshd.knownHosts],
          agentSocket: null,
          trustStorePath: path.join(tmp, 'trust'),
        };
        client = await connectAgent(await openSshTransport(target, refuseAll, { agentBundleDir: bundle }));
      } else {
        client = await connectAgent(await openLocalTransport({ agentPath: path.join(bundle, 'agent.js') }));
      }
    });

    after(async () => {
      await client?.close();
      sshd?.dispose();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('lands in the container: its hostname and its namespaces, in a pty of the terminal size', async () => {
      const t = await enter(client, { cols: 101, rows: 33 });
      assert.deepEqual(t.errors, []);
      assert.equal(await t.ask('hostname'), inspect('{{.Config.Hostname}}'));
      // The shell's namespaces are the container's: compare with the container's init on the host.
      const hostPid = inspect('{{.State.Pid}}');
      for (const ns of ['net', 'uts', 'pid', 'mnt', 'ipc']) {
        assert.equal(await t.ask(`readlink /proc/self/ns/${ns}`), fs.readlinkSync(`/proc/${hostPid}/ns/${ns}`), ns);
      }
      assert.equal(await t.ask('stty size'), '33 101');
      t.session.input('exit\r');
      await t.until('the exit line', () => t.text().includes('[process exited with code 0; press any key to close]'));
    });

    it('Ctrl-C interrupts the foreground command inside, not the shell; UTF-8 output arrives whole', async () => {
      const t = await enter(client);
      await t.ask('true'); // the shell is ready
      const started = Date.now();
      t.session.input('sleep 30\r');
      await new Promise((r) => setTimeout(r, 500));
      t.session.input('\x03');
      assert.equal(await t.ask('echo still-here'), 'still-here');
      assert.ok(Date.now() - started < 10_000, 'the sleep was interrupted');
      // → (e2 86 92) and ü (c3 bc), written by the container's printf as octal escapes.
      assert.equal(await t.ask("printf '\\342\\206\\222 \\303\\274\\n'"), '→ ü');
      assert.ok(!t.text().includes('\ufffd'), 'no replacement characters');
      t.session.input('exit 7\r');
      await t.until('the exit code', () => t.text().includes('[process exited with code 7'));
      t.session.input('x');
      assert.ok(t.closed(), 'a key after the exit closes the terminal');
    });

    it('a PID that is not the container’s is refused with one line, in the terminal and as a notification', async () => {
      const t = await enter(client, undefined, process.pid);
      assert.equal(t.errors.length, 1);
      assert.match(t.errors[0], new RegExp(`process ${process.pid} is not in ${CONTAINER}`));
      assert.doesNotMatch(t.errors[0], /\n| {4}at /);
      assert.match(t.text(), /is not in/);
    });

    if (via === 'ssh') {
      it('a resize reaches the pty inside the container', async () => {
        const t = await enter(client, { cols: 80, rows: 24 });
        assert.equal(await t.ask('stty size'), '24 80');
        t.session.resize(123, 45);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await t.ask('stty size'), '45 123');
        t.session.close();
      });

      // Last: it drops every session of this sshd.
      it('a connection dropped under the shell ends the terminal saying so', async () => {
        const t = await enter(client);
        await t.ask('true');
        sshd!.stop();
        await t.until('the end line', () =>
          /\[process was ended by SIGHUP \(the terminal hung up, or the connection to the node closed\)/.test(t.text()),
        );
      });
    }
  });
}
