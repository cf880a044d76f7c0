/**
 * Bytes posted to a panel per update (issue 10): on the busy node of section 1, the first full post of the
 * snapshot against the delta posted when one container changes. The path is the extension's: the agent
 * started as the extension starts it, its `changed` notifications applied to a NodeModel, and each change
 * turned into the page's post by SnapshotDiffer exactly as NodePanels' feed does (src/panels/host/
 * nodePanels.ts, feedSnapshot). Bytes are the JSON of the envelope postMessage carries.
 *
 * The change: a container of this bench's own (`--network none`) gets a new memory limit with
 * `docker update`, which the agent's next watch pass sees. Goal: the delta under 1 % of the full post.
 *
 * The busy node's 200 namespace sets (bench/nsHost.ts) are 200 bare containers to the agent, and they
 * would sit in the cgroups of whatever started the bench, whose usage counters move with every process of
 * the session: every pass would then change 200 rows, and the figure would measure the session's noise,
 * not one container's change. So they are started in cgroups of their own (one per hierarchy) that only
 * sleeps use.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { countProcesses, startNsHost, type NsHost } from './nsHost';
import type { ChangedNotification } from '../server/protocol';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import { NodeModel } from '../src/model/nodeModel';
import { SnapshotDiffer, type SnapshotDelta } from '../src/panels/snapshotDelta';
import type { ToPage } from '../src/panels/protocol';

const NAME = `nodescope-bench-delta-${process.pid}`;
const WATCH_MS = 1000;

const postBytes = (method: 'snapshot' | 'delta', params: unknown): number =>
  Buffer.byteLength(JSON.stringify({ kind: 'notify', method, params } satisfies ToPage));

function parts(d: SnapshotDelta): string {
  const keyed = (['containers', 'namespaces', 'processes', 'layers'] as const)
    .filter((k) => d[k])
    .map((k) => `${k} ${d[k]!.upserted.length}+/${d[k]!.removed.length}-`);
  return [...keyed, d.host ? 'host' : '', d.problems ? 'problems' : ''].filter(Boolean).join(', ') || 'nothing';
}

/** This process's cgroup in each mounted hierarchy (v1 controllers, the v2 unified one). */
function ownCgroups(): { mount: string; path: string }[] {
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2');
  const out: { mount: string; path: string }[] = [];
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, controllers, ...rest] = line.split(':');
    const own = controllers.split(',');
    const m =
      controllers === ''
        ? mounts.find((f) => f[2] === 'cgroup2')
        : mounts.find((f) => f[2] === 'cgroup' && own.every((c) => f[3].split(',').includes(c)));
    if (m) out.push({ mount: m[1], path: rest.join(':') });
  }
  return out;
}

/** Starts the busy node's processes in fresh cgroups, this process back where it was before they run. */
async function quietBusyNode(): Promise<{ host: NsHost | null; cleanup: () => void }> {
  if (countProcesses() >= 2000) return { host: null, cleanup: () => undefined };
  // cpuset is left out: a new cpuset cgroup takes no process until its cpus and mems are set, and the agent reads none of it.
  const own = ownCgroups().filter((c) => !path.basename(c.mount).split(',').includes('cpuset'));
  const fresh = own.map((c) => path.join(c.mount, `nodescope-bench-quiet-${process.pid}`));
  const move = (dirs: string[]) => dirs.forEach((d) => fs.writeFileSync(path.join(d, 'cgroup.procs'), String(process.pid)));
  fresh.forEach((d) => fs.mkdirSync(d, { recursive: true }));
  let host: NsHost;
  try {
    move(fresh);
    host = await startNsHost(200, 11);
  } finally {
    move(own.map((c) => path.join(c.mount, c.path)));
  }
  return {
    host,
    cleanup: () => {
      host.stop();
      // The killed processes leave their cgroups as they are reaped: retry for a moment.
      for (const d of fresh)
        for (let i = 0; i < 50; i++) {
          try {
            fs.rmdirSync(d);
            break;
          } catch {
            execFileSync('sleep', ['0.1']);
          }
        }
    },
  };
}

export async function panelDeltaLines(repo: string): Promise<string[]> {
  const busy = await quietBusyNode();
  try {
    return await measure(repo);
  } finally {
    busy.cleanup();
  }
}

async function measure(repo: string): Promise<string[]> {
  spawnSync('docker', ['rm', '-f', NAME]);
  const id = execFileSync(
    'docker',
    ['run', '-d', '--name', NAME, '--network', 'none', '--memory', '64m', 'nodescope-rig/base:1', 'sleep', '600'],
    { encoding: 'utf8' },
  ).trim();
  const client = await connectAgent(await openLocalTransport({ agentPath: path.join(repo, 'dist', 'agent-bundle', 'agent.js') }), {
    clientVersion: 'bench',
    watchIntervalMs: WATCH_MS,
  });
  try {
    const model = new NodeModel();
    const differ = new SnapshotDiffer();
    const deltas: { bytes: number; delta: SnapshotDelta }[] = [];
    model.onDidChange((change) => {
      const s = model.snapshot!;
      if (change.full) return differ.full(s);
      const d = differ.diff(s);
      if (d) deltas.push({ bytes: postBytes('delta', d), delta: d });
    });
    const pending: ChangedNotification[] = [];
    client.onChanged((n) => (model.snapshot ? model.apply(n) : pending.push(n)));
    model.setSnapshot(await client.request('snapshot', {}));
    for (const n of pending) model.apply(n);
    const s = model.snapshot!;
    const fullBytes = postBytes('snapshot', s);
    if (!s.containers.some((c) => c.id === id)) throw new Error(`the agent's snapshot has no ${NAME}`);

    // Idle passes first: what a panel pays per update when nothing in particular changed.
    await new Promise((r) => setTimeout(r, 3 * WATCH_MS + 500));
    const idle = deltas.splice(0);
    execFileSync('docker', ['update', '--memory', '96m', '--memory-swap', '-1', NAME], { stdio: 'ignore' });
    const deadline = Date.now() + 90_000;
    let changed: { bytes: number; delta: SnapshotDelta } | undefined;
    while (!changed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      changed = deltas.find((d) => d.delta.containers?.upserted.some((c) => c.id === id && c.cgroup?.memory?.limitBytes === 96 * 2 ** 20));
    }
    if (!changed)
      throw new Error(
        `no delta with ${NAME}'s new limit within 90 s (deltas seen: ${deltas.map((d) => parts(d.delta)).join('; ') || 'none'})`,
      );
    const pct = (b: number) => `${((b / fullBytes) * 100).toFixed(3)} %`;
    const idleMax = idle.reduce((m, d) => Math.max(m, d.bytes), 0);
    // Other containers' rows in the same delta changed too: their cgroups' live figures (PSI averages,
    // memory.stat counters, cpu usage) move on every pass. What the one change costs by itself is the
    // delta without them: its own row plus whatever else of the node changed (processes, namespaces).
    const others = changed.delta.containers!.upserted.filter((c) => c.id !== id);
    const alone: SnapshotDelta = {
      ...changed.delta,
      containers: { upserted: changed.delta.containers!.upserted.filter((c) => c.id === id), removed: changed.delta.containers!.removed },
    };
    const aloneBytes = postBytes('delta', alone);
    return [
      `panel posts on this node (${s.processes.length} processes, ${s.containers.length} containers, ${s.namespaces.length} namespaces), through NodeModel + SnapshotDiffer:`,
      `  first full post: ${fullBytes.toLocaleString('en')} B`,
      `  the delta posted when one container changed (docker update --memory): ${changed.bytes.toLocaleString('en')} B = ${pct(changed.bytes)} of the full post: ${parts(changed.delta)}`,
      `    of which ${others.length} other containers' rows whose live cgroup figures moved meanwhile: ${(changed.bytes - aloneBytes).toLocaleString('en')} B`,
      `  the change alone (its row, with the node's process and namespace changes): ${aloneBytes.toLocaleString('en')} B = ${pct(aloneBytes)} of the full post (goal < 1 %)`,
      `  idle watch passes: ${idle.length}, largest ${idleMax.toLocaleString('en')} B = ${pct(idleMax)}${idle.length ? ` (${idle.map((d) => parts(d.delta)).join('; ')})` : ''}`,
    ];
  } finally {
    await client.close();
    spawnSync('docker', ['rm', '-f', NAME]);
  }
}

// `node --import tsx bench/panelDeltas.ts` alone (needs root, a built dist/ and the rig's base image).
if (require.main === module) {
  panelDeltaLines(path.resolve(__dirname, '..')).then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(`bench: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
