/**
 * ProxyCommand and ProxyJump chains against real nodes: test nodes in network + PID + mount namespaces
 * of their own (test/support/testNodes.ts), each with its own sshd and host key on ITS 127.0.0.1:22,
 * reachable only through a ProxyCommand that runs `ip netns exec`; and loopback sshds as jump hosts.
 * What the agent reports is checked against the host's own view of each node: the inodes of its
 * network and PID namespaces and its marker process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startSshd, type Sshd } from '../support/sshd';
import { descendsFrom } from '../support/processWatch';
import { startTestNodes, type TestNode } from '../support/testNodes';
import { openSshTransport } from '../../src/connection/sshTransport';
import { connectAgent } from '../../src/connection/agentClient';
import { readSshConfig, resolveHost, type SshTarget } from '../../src/connection/sshConfig';
import type { Interaction } from '../../src/connection/transport';
import type { Snapshot } from '../../server/protocol';

const repo = path.resolve(__dirname, '..', '..');
const built = (): string | null =>
  fs.existsSync(path.join(repo, 'dist', 'agent-bundle', 'manifest.json')) ? null : 'needs dist/agent-bundle (npm run build)';
const skip = skipUnlessReal(probes.root, probes.command('sshd'), probes.command('ip'), probes.command('unshare'), built);

function quiet(trust = false): { interaction: Interaction; logs: string[] } {
  const logs: string[] = [];
  return {
    logs,
    interaction: {
      confirmHostKey: async () => trust,
      askPassword: async () => undefined,
      askPassphrase: async () => undefined,
      keyboardInteractive: async () => undefined,
      log: (_l, m) => void logs.push(m),
    },
  };
}

/** Host pids whose command line names `needle` (read from /proc on the host, not from the agent). */
function pidsWith(needle: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Host pids owning established TCP connections to 127.0.0.1:port (from `ss -tnp`). */
function connectionOwners(port: number): number[] {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' });
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

const listenerPid = (s: Sshd): number => Number(fs.readFileSync(path.join(s.dir, 'sshd.pid'), 'utf8'));

async function snapshotThrough(target: SshTarget): Promise<Snapshot> {
  const client = await connectAgent(await openSshTransport(target, quiet().interaction));
  try {
    return await client.request('snapshot', {});
  } finally {
    await client.close();
  }
}

describe('ProxyCommand and ProxyJump to test nodes in their own namespaces', { skip }, () => {
  let set: Awaited<ReturnType<typeof startTestNodes>>;
  let tmp: string;
  let nodes: TestNode[];
  /** A node's target as the SSH config file resolves it (its Host block: ProxyCommand, key, user). */
  const fromConfig = (n: TestNode, extra: Partial<SshTarget> = {}): SshTarget => ({
    ...resolveHost(readSshConfig([set.sshConfig]), n.name),
    knownHostsFiles: [set.knownHosts],
    trustStorePath: path.join(tmp, 'trust'),
    agentSocket: null,
    ...extra,
  });

  before(async () => {
    rigUp();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-proxy-'));
    set = await startTestNodes(3, { prefix: 'pnode', unreachable: [2] });
    nodes = set.nodes;
  });

  after(() => {
    set?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ProxyCommand from the SSH config reaches each node, and each agent sees its own node', async () => {
    const t = fromConfig(nodes[0]);
    assert.match(t.proxyCommand ?? '', /^ip netns exec /, 'the config file gave the ProxyCommand');
    for (const n of nodes.slice(0, 2)) {
      const s = await snapshotThrough(fromConfig(n));
      assert.equal(s.host.namespaces.net, n.netnsInode, `${n.name}: the network namespace of /run/netns/${n.netns}`);
      assert.equal(s.host.namespaces.pid, n.pidnsInode, `${n.name}: the PID namespace its sshd runs in`);
      const cmdlines = s.processes.map((p) => p.cmdline);
      assert.ok(cmdlines.includes(`sleep ${n.marker}`), `${n.name}'s marker is among its processes`);
      for (const other of nodes.filter((o) => o !== n)) assert.ok(!cmdlines.includes(`sleep ${other.marker}`), `not ${other.name}'s`);
      assert.match(fs.readFileSync(n.sshdLog, 'utf8'), /Accepted publickey for root/);
    }
  });

  it('the proxy process ends with the connection', async () => {
    const n = nodes[0];
    const relay = path.join(n.dir, 'relay.js');
    const transport = await openSshTransport(fromConfig(n), quiet().interaction);
    assert.equal(pidsWith(relay).length, 1, 'one relay runs while connected');
    await transport.close();
    await until('the relay to exit', () => pidsWith(relay).length === 0);
  });

  it('host keys are checked per node: a changed key and an unknown one are refused, the right one accepted', async () => {
    // tnode2's name with tnode1's key: the key tnode2 offers is not the one known.
    const swapped = path.join(tmp, 'swapped_known_hosts');
    fs.writeFileSync(swapped, `${nodes[1].name} ${nodes[0].hostKeyPub}\n${nodes[0].knownHostsLine}\n`);
    await assert.rejects(openSshTransport(fromConfig(nodes[1], { knownHostsFiles: [swapped] }), quiet().interaction), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`^host key for ${nodes[1].name} changed \\(known SHA256:\\S+ in .*swapped_known_hosts:1, offered SHA256:`),
      );
      return true;
    });
    const ok = await openSshTransport(fromConfig(nodes[0], { knownHostsFiles: [swapped] }), quiet().interaction);
    await ok.close();
    const empty = path.join(tmp, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    await assert.rejects(
      openSshTransport(
        fromConfig(nodes[1], { knownHostsFiles: [empty], trustStorePath: path.join(tmp, 'fresh-trust') }),
        quiet().interaction,
      ),
      new RegExp(`unknown host key SHA256:\\S+ for ${nodes[1].name} not trusted`),
    );
    // Every relay started for a refused node has ended too.
    await until('refused relays to exit', () => pidsWith(path.join(nodes[1].dir, 'relay.js')).length === 0);
  });

  it("an unreachable node fails in one line carrying the proxy's own words, without waiting for a deadline", async () => {
    const started = process.hrtime.bigint();
    await assert.rejects(openSshTransport(fromConfig(nodes[2]), quiet().interaction), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^cannot connect to root@${nodes[2].name}: .*ProxyCommand exited with 1: relay: connect ECONNREFUSED 127\\.0\\.0\\.1:22\\)$`,
        ),
      );
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    // Not a speed claim: the 20 s connect deadline did not have to fire for the failure to be known.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 15, 'failed on the proxy exit, not on the deadline');
    await assert.rejects(
      openSshTransport(fromConfig(nodes[0], { proxyCommand: `sh -c 'echo "no route to the bastion" >&2; exit 3'` }), quiet().interaction),
      /ProxyCommand exited with 3: no route to the bastion\)$/,
    );
  });

  it('a ProxyCommand hop then a ProxyJump: the jump reached through the proxy, the final host key verified for the final host', async () => {
    const n = nodes[1];
    // The final host is the node's own 127.0.0.1:22, reached through a channel of the node's sshd.
    const kh = path.join(tmp, 'final_known_hosts');
    fs.writeFileSync(kh, `127.0.0.1 ${n.hostKeyPub}\n`);
    const target: SshTarget = {
      host: '127.0.0.1',
      port: 22,
      user: 'root',
      identityFiles: [set.clientKey],
      knownHostsFiles: [kh],
      agentSocket: null,
      trustStorePath: path.join(tmp, 'trust'),
      jump: [fromConfig(n)],
    };
    const s = await snapshotThrough(target);
    assert.equal(s.host.namespaces.net, n.netnsInode);
    assert.match(fs.readFileSync(n.sshdLog, 'utf8'), /direct-tcpip|connect from 127\.0\.0\.1/);
    // The same chain where the final host's key is another node's: refused for the final host.
    fs.writeFileSync(kh, `127.0.0.1 ${nodes[0].hostKeyPub}\n`);
    await assert.rejects(openSshTransport(target, quiet().interaction), /host key for 127\.0\.0\.1 changed/);
  });

  describe('a two-hop ProxyJump (-J a,b)', () => {
    let a: Sshd, b: Sshd, c: Sshd;
    before(async () => {
      [a, b, c] = [await startSshd(), await startSshd(), await startSshd()];
    });
    after(() => [a, b, c].forEach((s) => s?.dispose()));
    const hop = (s: Sshd, known = s.knownHosts): SshTarget => ({
      host: '127.0.0.1',
      port: s.port,
      user: 'root',
      identityFiles: [s.clientKey],
      knownHostsFiles: [known],
      agentSocket: null,
    });

    it('goes a → b → c, each hop authenticated and its key verified', async () => {
      const target = { ...hop(c), jump: [hop(a), hop(b)] };
      const transport = await openSshTransport(target, quiet().interaction);
      try {
        // Who holds each TCP connection (ss, the kernel's socket table): this process holds a's,
        // a session of a's sshd holds b's, a session of b's sshd holds c's.
        assert.deepEqual(connectionOwners(a.port), [process.pid]);
        const viaA = connectionOwners(b.port);
        const viaB = connectionOwners(c.port);
        assert.equal(viaA.length, 1);
        assert.equal(viaB.length, 1);
        assert.ok(descendsFrom(viaA[0], listenerPid(a)), "b is reached from a session of a's sshd");
        assert.ok(descendsFrom(viaB[0], listenerPid(b)), "c is reached from a session of b's sshd");
      } finally {
        await transport.close();
      }
      const log = (x: Sshd): string => fs.readFileSync(x.log, 'utf8');
      for (const x of [a, b, c]) assert.match(log(x), /Accepted publickey for root/);
      // b's key wrong: refused at b, c never reached.
      const cBefore = (log(c).match(/Accepted publickey/g) ?? []).length;
      await assert.rejects(
        openSshTransport({ ...hop(c), jump: [hop(a), hop(b, a.knownHosts)] }, quiet().interaction),
        new RegExp(`host key for \\[127\\.0\\.0\\.1\\]:${b.port} changed|unknown host key .* for \\[127\\.0\\.0\\.1\\]:${b.port}`),
      );
      assert.equal((log(c).match(/Accepted publickey/g) ?? []).length, cBefore, 'c was not reached');
    });
  });
});
