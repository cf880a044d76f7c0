/**
 * The CLI on a fleet: three test nodes (test/support/testNodes.ts: each its own network, PID and mount
 * namespaces and sshd, reached by ProxyCommand from the SSH config), the third unreachable. Each node's
 * answer is checked against that node's own truth read on the host (its namespace inodes, its marker
 * process), the unreachable one's failure kept to its own entry, and the exit code given after all answered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startTestNodes, type TestNode } from '../support/testNodes';
import type { Snapshot } from '../../server/protocol';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const built = (): string | null =>
  fs.existsSync(path.join(repo, 'dist', 'agent-bundle', 'manifest.json')) && fs.existsSync(cli) ? null : 'needs dist/ (npm run build)';
const skip = skipUnlessReal(probes.root, probes.command('sshd'), probes.command('ip'), probes.command('unshare'), built);

type FleetDoc = { nodes: ({ target: string; snapshot: Snapshot } | { target: string; error: string })[] };

describe('nodescope on a fleet of test nodes', { skip }, () => {
  let set: Awaited<ReturnType<typeof startTestNodes>>;
  let nodes: TestNode[];
  let home: string;

  /** The CLI with HOME holding the nodes' SSH config (as ~/.ssh/config) and an empty trust store. */
  function nodescope(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: repo,
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SSH_AUTH_SOCK: '' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });
  }

  before(async () => {
    rigUp();
    set = await startTestNodes(3, { prefix: 'fnode', unreachable: [2] });
    nodes = set.nodes;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-fleet-home-'));
    fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
    fs.copyFileSync(set.sshConfig, path.join(home, '.ssh', 'config'));
  });

  after(() => {
    set?.dispose();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('--hosts PATTERN: snapshot --json gives every node its entry, in config order; the unreachable one its error; exit 1', async () => {
    const r = await nodescope(['--hosts', 'fnode*', 'snapshot', '--json']);
    assert.equal(r.code, 1, r.err);
    const doc = JSON.parse(r.out) as FleetDoc;
    assert.deepEqual(
      doc.nodes.map((n) => n.target),
      ['fnode1', 'fnode2', 'fnode3'],
    );
    for (const [i, n] of nodes.slice(0, 2).entries()) {
      const entry = doc.nodes[i];
      assert.deepEqual(Object.keys(entry).sort(), ['snapshot', 'target']);
      const s = (entry as { snapshot: Snapshot }).snapshot;
      assert.equal(s.host.namespaces.net, n.netnsInode, `${n.name}: its own network namespace`);
      assert.equal(s.host.namespaces.pid, n.pidnsInode, `${n.name}: its own PID namespace`);
      const cmdlines = s.processes.map((p) => p.cmdline);
      assert.ok(cmdlines.includes(`sleep ${n.marker}`), `${n.name}: its marker`);
      for (const o of nodes.filter((x) => x !== n)) assert.ok(!cmdlines.includes(`sleep ${o.marker}`), `${n.name}: not ${o.name}'s marker`);
    }
    const failed = doc.nodes[2];
    assert.deepEqual(Object.keys(failed).sort(), ['error', 'target']);
    assert.match((failed as { error: string }).error, /ProxyCommand exited with 1: relay: connect ECONNREFUSED 127\.0\.0\.1:22/);
    assert.match(r.err, /^nodescope: fnode3: cannot connect to root@fnode3: /m);
    assert.doesNotMatch(r.err, /fnode[12]:/, 'nothing said about the nodes that answered');
  });

  it('--ssh given several times: sections in the order given, exit 0 when all answer', async () => {
    const r = await nodescope(['--ssh', 'fnode2', '--ssh', 'fnode1', 'snapshot']);
    assert.equal(r.code, 0, r.err);
    const heads = [...r.out.matchAll(/^==> (\S+) <==$/gm)].map((m) => m[1]);
    assert.deepEqual(heads, ['fnode2', 'fnode1']);
    // Each section is that node's: its hostname line is the node's own (the host's: no UTS namespace).
    const sections = r.out.split(/^==> \S+ <==$/m).slice(1);
    assert.equal(sections.length, 2);
    for (const s of sections) assert.ok(s.trim().length > 0, 'a section holds the node output');
  });

  it('a text run with the unreachable node: its section says why, the others print, exit 1 after all answered', async () => {
    const r = await nodescope(['--ssh', 'fnode3', '--ssh', 'fnode1', 'snapshot']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^==> fnode3 <==\nerror: cannot connect to root@fnode3: .*ECONNREFUSED/m);
    assert.match(r.out, /^==> fnode1 <==\n\S/m);
  });

  it('a verb that changes a node is refused on a fleet, before connecting anywhere', async () => {
    const r = await nodescope(['--hosts', 'fnode*', 'stop', 'x', '--yes']);
    assert.equal(r.code, 2);
    assert.match(r.err, /stop changes or enters one node: give one --ssh/);
    const none = await nodescope(['--hosts', 'nomatch-*', 'snapshot']);
    assert.equal(none.code, 2);
    assert.match(none.err, /--hosts nomatch-\* matches no Host name in the SSH config/);
  });
});
