/**
 * `nodescope graph` (dist/ bundles, as users run it) against independent sources on the real rig:
 * lsns -J (util-linux) for namespaces, their types, owners and parents; readlink of /proc/PID/ns/* done
 * here for the containers' processes (docker top lists them); stat of nsfs paths for hidden namespaces;
 * docker inspect GraphDriver for layer stacks; Graphviz's own parser for the DOT output.
 * The test makes its own kernel objects: a Docker container sharing the host's pid namespace, a
 * network namespace held only by an fd (its unshare has exited), and a pid namespace owned by a nested
 * user namespace (so owner and parent edges point elsewhere than at the host's). The rig's netns held only by a bind
 * mount is used as it is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { probes, requireReal, rigUp, skipUnlessReal } from '../support/real';
import { NS_TYPES } from '../../server/protocol';
import type { Graph } from '../../src/model/graph/graphModel';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('lsns'), probes.command('unshare'), built);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nodescope(args: string[]): string {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  assert.equal(r.status, 0, `nodescope ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface LsnsRow {
  ns: number;
  type: string;
  pns: number;
  ons: number;
}

/**
 * lsns's namespaces keyed `type:[inode]`. lsns exits 1 without a word while a process whose comm holds
 * a newline runs (the hostile-node suite starts such ones): it is asked again until it answers.
 */
async function lsns(): Promise<Map<string, LsnsRow>> {
  for (let i = 0; ; i++) {
    const r = spawnSync('lsns', ['-J', '-o', 'NS,TYPE,PNS,ONS'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status === 0) return new Map((JSON.parse(r.stdout).namespaces as LsnsRow[]).map((n) => [`${n.type}:[${n.ns}]`, n]));
    if (i >= 180) throw new Error(`lsns -J failed for three minutes (exit ${r.status}): ${r.stderr.trim() || 'no message'}`);
    await sleep(1000);
  }
}

/** The namespace `type:[inode]` a node id names (`ns:net:4026531833`). */
const nsText = (id: string): string => {
  const [, type, inode] = id.split(':');
  return `${type}:[${inode}]`;
};

/** `type:[inode]` of every /proc/PID/ns link of these processes, read here with readlink. */
function nsLinksOf(pids: number[]): Set<string> {
  const out = new Set<string>();
  for (const pid of pids) for (const t of NS_TYPES) out.add(fs.readlinkSync(`/proc/${pid}/ns/${t}`));
  return out;
}

/** The processes of a Docker container, as the engine lists them (its cgroup). */
function dockerPids(name: string): number[] {
  return execFileSync('docker', ['top', name, '-o', 'pid'], { encoding: 'utf8' }).split('\n').slice(1).filter(Boolean).map(Number);
}

describe('nodescope graph on the real rig', { skip }, () => {
  const hostpid = `nodescope-graph-hostpid-${process.pid}`;
  let unshared: ChildProcess | undefined;
  let holder: ChildProcess | undefined;
  let nested: ChildProcess | undefined;
  let nestedNs: { user: string; pid: string } | undefined;
  let fdNs = '';
  let graph: Graph;
  /**
   * lsns before and after a graph of its own: only namespaces listed both times are compared, as others'
   * tests make and remove namespaces while this one runs. Taken once, when a test first needs it.
   */
  let around: Promise<{ before: Map<string, LsnsRow>; graph: Graph; after: Map<string, LsnsRow> }> | undefined;
  const lsnsAround = () =>
    (around ??= (async () => {
      const b = await lsns();
      const g: Graph = JSON.parse(nodescope(['graph', 'namespaces']));
      return { before: b, graph: g, after: await lsns() };
    })());

  before(async () => {
    rigUp();
    execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--name',
        hostpid,
        '--label',
        'nodescope.test=graph',
        '--pid',
        'host',
        '--network',
        'none',
        'nodescope-rig/layers:1',
        'sleep',
        '1000000',
      ],
      { stdio: 'ignore' },
    );
    // A netns that only an fd keeps: unshare makes it, a shell opens it as fd 3, then unshare exits.
    unshared = spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !fdNs; i++) {
      await sleep(50);
      try {
        const link = fs.readlinkSync(`/proc/${unshared.pid}/ns/net`);
        if (link !== fs.readlinkSync('/proc/self/ns/net') && fs.readFileSync(`/proc/${unshared.pid}/comm`, 'utf8').trim() === 'sleep')
          fdNs = link;
      } catch {
        /* not started yet */
      }
    }
    assert.ok(fdNs, 'unshare --net did not start');
    holder = spawn('sh', ['-c', `exec 3</proc/${unshared.pid}/ns/net; exec sleep 300`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      await sleep(50);
      try {
        if (fs.readlinkSync(`/proc/${holder.pid}/fd/3`) === fdNs && fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep')
          break;
      } catch {
        /* not yet */
      }
    }
    assert.equal(fs.readlinkSync(`/proc/${holder.pid}/fd/3`), fdNs, 'the holder did not open the netns');
    unshared.kill('SIGKILL');
    await new Promise((r) => (unshared!.exitCode !== null || unshared!.signalCode !== null ? r(null) : unshared!.once('exit', r)));
    // unshare stays in the host's pid namespace; its child is PID 1 of the new one (killed with unshare).
    nested = spawn('unshare', ['--user', '--pid', '--fork', '--kill-child', 'sleep', '300'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !nestedNs; i++) {
      await sleep(50);
      const child = execFileSync('sh', ['-c', `pgrep -P ${nested.pid} || true`], { encoding: 'utf8' }).trim();
      if (child && fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'sleep')
        nestedNs = { user: fs.readlinkSync(`/proc/${child}/ns/user`), pid: fs.readlinkSync(`/proc/${child}/ns/pid`) };
    }
    assert.ok(nestedNs, 'unshare --user --pid did not start');
    graph = JSON.parse(nodescope(['graph', 'namespaces']));
  });

  after(() => {
    holder?.kill('SIGKILL');
    unshared?.kill('SIGKILL');
    nested?.kill('SIGKILL');
    spawnSync('docker', ['rm', '-f', hostpid], { stdio: 'ignore' });
  });

  const stable = async (): Promise<{ rows: LsnsRow[]; graph: Graph }> => {
    const a = await lsnsAround();
    return { rows: [...a.before.values()].filter((n) => a.after.has(`${n.type}:[${n.ns}]`)), graph: a.graph };
  };
  const nodeIn = (g: Graph, text: string) => g.nodes.find((n) => n.kind === 'namespace' && `${n.type}:[${n.inode}]` === text);
  const nodeOf = (text: string) => nodeIn(graph, text);

  it('has every namespace lsns lists as a node with its type', async () => {
    const { rows, graph } = await stable();
    assert.ok(rows.length >= 20, `lsns listed ${rows.length}`);
    for (const row of rows) {
      const n = nodeIn(graph, `${row.type}:[${row.ns}]`);
      assert.ok(n, `${row.type}:[${row.ns}] is not in the graph`);
      assert.equal(n.type, row.type);
      assert.equal(n.id, `ns:${row.type}:${row.ns}`);
    }
  });

  it('draws owner and parent edges exactly as lsns ONS and PNS', async () => {
    const { rows, graph } = await stable();
    const listed = new Set(rows.map((r) => `${r.type}:[${r.ns}]`));
    assert.ok(listed.has(nestedNs!.user) && listed.has(nestedNs!.pid), 'the nested user and pid namespaces are compared');
    for (const row of rows) {
      const id = `ns:${row.type}:${row.ns}`;
      const owners = graph.edges.filter((e) => e.kind === 'owner' && e.source === id).map((e) => e.target);
      assert.deepEqual(owners, row.ons ? [`ns:user:${row.ons}`] : [], `owner of ${id}`);
      const parents = graph.edges.filter((e) => e.kind === 'parent' && e.source === id).map((e) => e.target);
      assert.deepEqual(parents, row.pns ? [`ns:${row.type}:${row.pns}`] : [], `parent of ${id}`);
    }
  });

  it("makes each Docker container a member of exactly the namespaces its processes' /proc/PID/ns links name", () => {
    const names = ['nodescope-rig-limited', 'nodescope-rig-readonly', 'nodescope-rig-hostpid', hostpid];
    for (const name of names) {
      const c = graph.nodes.find((n) => n.kind === 'container' && n.label === name);
      assert.ok(c, `${name} is not in the graph`);
      const members = graph.edges.filter((e) => e.kind === 'member' && e.source === c.id).map((e) => nsText(e.target));
      assert.deepEqual(new Set(members), nsLinksOf(dockerPids(name)), name);
      assert.equal(members.length, new Set(members).size, 'each member edge once');
    }
  });

  it("makes a --pid host container a member of the host's pid namespace, which is marked the host's", () => {
    const hostPidNs = fs.readlinkSync('/proc/self/ns/pid');
    const c = graph.nodes.find((n) => n.kind === 'container' && n.label === hostpid)!;
    assert.ok(graph.edges.some((e) => e.kind === 'member' && e.source === c.id && nsText(e.target) === hostPidNs));
    assert.ok(c.sharesHost?.includes('pid'));
    const ns = nodeOf(hostPidNs)!;
    assert.equal(ns.host, true);
    assert.ok((ns.shared ?? 0) >= 2, 'the rig container and this one share it');
  });

  it('marks a namespace held only by an fd hidden, with its holder; one held only by a bind mount with its mount', () => {
    const held = nodeOf(fdNs);
    assert.ok(held, `${fdNs} is not in the graph`);
    assert.equal(held.hidden, true);
    assert.deepEqual(held.holders, [{ kind: 'fd', pid: holder!.pid, fd: 3 }]);
    const mounted = nodeOf(`net:[${fs.statSync('/run/netns/nodescope-rig-held').ino}]`);
    assert.ok(mounted, 'the rig netns is not in the graph');
    assert.equal(mounted.hidden, true);
    assert.ok(mounted.holders!.some((h) => h.kind === 'bindmount' && h.path === '/run/netns/nodescope-rig-held'));
  });

  it('marks hidden none of the namespaces lsns lists (each has a process), and lsns does not list the fd-held one', async () => {
    const { rows, graph } = await stable();
    for (const row of rows) assert.equal(nodeIn(graph, `${row.type}:[${row.ns}]`)!.hidden, undefined, `${row.type}:[${row.ns}]`);
    assert.ok(!rows.some((r) => `${r.type}:[${r.ns}]` === fdNs), 'lsns lists the fd-held netns: it has a process, the test is wrong');
    assert.equal(nodeIn(graph, fdNs)?.hidden, true);
  });

  it("follows each rig Docker container's layers as docker inspect's GraphDriver stacks them, a shared layer as one node", () => {
    const layers: Graph = JSON.parse(nodescope(['graph', 'layers']));
    for (const name of ['nodescope-rig-limited', 'nodescope-rig-readonly', hostpid]) {
      const [upper, lower] = execFileSync(
        'docker',
        ['inspect', '-f', '{{.GraphDriver.Data.UpperDir}} {{.GraphDriver.Data.LowerDir}}', name],
        { encoding: 'utf8' },
      )
        .trim()
        .split(' ');
      const expected = [upper, ...lower.split(':')].map((d) => fs.realpathSync(d));
      let at = layers.nodes.find((n) => n.kind === 'container' && n.label === name)!.id;
      const got: string[] = [];
      for (;;) {
        const next = layers.edges.filter((e) => e.kind === 'layer' && e.source === at);
        if (!next.length) break;
        assert.equal(next.length, 1);
        at = next[0].target;
        got.push(layers.nodes.find((n) => n.id === at)!.path!);
      }
      assert.deepEqual(got, expected, name);
    }
    // The image's bottom layer is under all three: one node, used by each of them.
    const lowers = ['nodescope-rig-limited', 'nodescope-rig-readonly', hostpid].map((n) =>
      execFileSync('docker', ['inspect', '-f', '{{.GraphDriver.Data.LowerDir}}', n], { encoding: 'utf8' }).trim().split(':').at(-1)!,
    );
    assert.equal(new Set(lowers).size, 1);
    const base = layers.nodes.filter((n) => n.path === fs.realpathSync(lowers[0]));
    assert.equal(base.length, 1);
    const ids = ['nodescope-rig-limited', 'nodescope-rig-readonly', hostpid].map((n) =>
      execFileSync('docker', ['inspect', '-f', '{{.Id}}', n], { encoding: 'utf8' }).trim(),
    );
    for (const id of ids) assert.ok(base[0].usedBy!.includes(id));
  });

  it('writes DOT that Graphviz parses, one drawn node per node of the JSON', (t) => {
    for (const of of ['namespaces', 'layers']) {
      const dot = nodescope(['graph', of, '--format', 'dot']);
      const json: Graph = JSON.parse(nodescope(['graph', of]));
      assert.match(dot, new RegExp(`^digraph "${of}" \\{\\n`));
      // The structure without Graphviz: a statement per node and per edge (counts drift by a few
      // processes between the two runs on a busy node, so only a rough check).
      assert.ok(Math.abs(dot.split('\n').filter((l) => l.includes(' -> ')).length - json.edges.length) < 50);
      if (!requireReal(t, probes.command('dot'))) continue;
      const svg = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(svg.status, 0, svg.stderr);
      assert.equal(svg.stderr, '', 'dot warns about nothing');
      const drawn = (svg.stdout.match(/<g id="node\d+" class="node">/g) ?? []).length;
      const declared = dot.split('\n').filter((l) => l.startsWith('  "') && !l.includes('" -> "')).length;
      assert.equal(drawn, declared, 'every node statement is drawn');
    }
  });
});
