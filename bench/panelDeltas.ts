/**
 * Bytes posted to a panel per update (issue 10): on the busy node of section 1, the first full post of the
 * snapshot against what one watch pass posts when one container changes. The agent is started as the
 * extension starts it, and each pass is turned into the page's posts by the feed NodePanels uses
 * (src/panels/host/snapshotFeed.ts), for a panel that shows live numbers (overview, layer graph: a structure
 * `delta` and a `counters` message) and for one that does not (namespace graph, security: the `delta`
 * alone). Bytes are the JSON of the envelope postMessage carries.
 *
 * A pass here is a `snapshot` request after the change, not the watcher's next `changed`: the feed diffs
 * what it is given against what it posted, so a whole new snapshot makes the same posts as the model's
 * copy updated in place, and the watcher's pace is not what is measured (on a loaded machine it backs off
 * to a share of a core: minutes between passes over 2,000 processes).
 *
 * The changes, each on a container of this bench's own (`--network none`): a new memory limit (`docker
 * update`), a container started, a container stopped and removed. Goal: the structure delta under 1 % of the
 * full post; the counters message, whatever moved in the pass, is printed beside it.
 *
 * The busy node's 200 namespace sets (bench/nsHost.ts) are 200 bare containers to the agent, and they
 * would sit in the cgroups of whatever started the bench, whose usage counters move with every process of
 * the session: every pass would then move 200 rows' counters, and the figure would measure the session's
 * noise, not one container's change. So they are started in cgroups of their own (one per hierarchy) that
 * only sleeps use.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { countProcesses, startNsHost, type NsHost } from './nsHost';
import type { Snapshot } from '../server/protocol';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import { initialCounterColumns, type CounterUpdate } from '../src/panels/containerCounters';
import { feedSnapshot, type FeedHost } from '../src/panels/host/snapshotFeed';
import type { SnapshotDelta } from '../src/panels/snapshotDelta';
import type { ToPage } from '../src/panels/protocol';

const NAME = `nodescope-bench-delta-${process.pid}`;
const WATCH_MS = 1000;

const postBytes = (method: string, params: unknown): number =>
  Buffer.byteLength(JSON.stringify({ kind: 'notify', method, params } satisfies ToPage));

function parts(d: SnapshotDelta | undefined): string {
  if (!d) return 'nothing';
  const keyed = (['containers', 'namespaces', 'processes', 'layers'] as const)
    .filter((k) => d[k])
    .map((k) => `${k} ${d[k]!.upserted.length}+/${d[k]!.removed.length}-`);
  return [...keyed, d.host ? 'host' : '', d.problems ? 'problems' : ''].filter(Boolean).join(', ') || 'nothing';
}

/** What one watch pass posted to one page: the structure delta and the counters message, each if any. */
interface PassPosts {
  delta?: { bytes: number; params: SnapshotDelta };
  counters?: { bytes: number; params: CounterUpdate };
}

/** The node's snapshot as the extension's model holds it; `pass` replaces it as a watch pass would change it. */
class PassModel {
  private readonly listeners: ((c: { full: boolean }) => void)[] = [];
  constructor(public snapshot: Snapshot) {}
  onDidChange(l: (c: { full: boolean }) => void): () => void {
    this.listeners.push(l);
    return () => undefined;
  }
  pass(s: Snapshot): void {
    this.snapshot = s;
    for (const l of this.listeners) l({ full: false });
  }
}

/** A page's feed on the model, recording its posts pass by pass. */
function recordFeed(model: PassModel, counters: boolean): { full: number; passes: PassPosts[] } {
  const rec = { full: 0, passes: [] as PassPosts[] };
  let current: PassPosts = {};
  model.onDidChange(() => rec.passes.push((current = {})));
  const host: FeedHost = {
    onReady: (fn) => fn(),
    notify: (method, params) => {
      const bytes = postBytes(method, params);
      if (method === 'snapshot') rec.full = bytes;
      else if (method === 'delta') current.delta = { bytes, params: params as SnapshotDelta };
      else current.counters = { bytes, params: params as CounterUpdate };
    },
    track: () => undefined,
  };
  feedSnapshot(host, model, { counters });
  return rec;
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
  const second = `${NAME}-2`;
  spawnSync('docker', ['rm', '-f', NAME, second]);
  const run = (name: string) =>
    execFileSync('docker', ['run', '-d', '--name', name, '--network', 'none', '--memory', '64m', 'nodescope-rig/base:1', 'sleep', '600'], {
      encoding: 'utf8',
    }).trim();
  const id = run(NAME);
  const client = await connectAgent(await openLocalTransport({ agentPath: path.join(repo, 'dist', 'agent-bundle', 'agent.js') }), {
    clientVersion: 'bench',
    // A 2,000-process snapshot on a loaded machine can outlast the usual deadlines; a figure of bytes, not time.
    deadlines: { initialize: 120_000, snapshot: 120_000 },
  });
  try {
    const model = new PassModel(await client.request('snapshot', {}));
    const s = model.snapshot;
    /** One watch pass: the node as it is now. */
    const pass = async (): Promise<number> => {
      model.pass(await client.request('snapshot', {}));
      return live.passes.length - 1;
    };
    if (!s.containers.some((c) => c.id === id)) throw new Error(`the agent's snapshot has no ${NAME}`);
    const live = recordFeed(model, true);
    const plain = recordFeed(model, false);
    const pct = (b: number, full = live.full) => `${((b / full) * 100).toFixed(3)} %`;

    /** The pass's live delta must show the change, or the figure is of something else. */
    const check = (i: number, what: string, seen: (d: SnapshotDelta) => boolean): number => {
      const d = live.passes[i].delta?.params;
      if (!d || !seen(d)) throw new Error(`the pass after ${what} does not show it (its delta: ${parts(d)})`);
      return i;
    };
    const line = (label: string, i: number): string[] => {
      const l = live.passes[i];
      const p = plain.passes[i];
      const delta = l.delta?.bytes ?? 0;
      const counters = l.counters?.bytes ?? 0;
      return [
        `  ${label}: structure delta ${delta.toLocaleString('en')} B = ${pct(delta)} of the full post (goal < 1 %): ${parts(l.delta?.params)}`,
        `    counters message in the same pass: ${counters.toLocaleString('en')} B = ${pct(counters)} (${Object.keys(l.counters?.params.changed ?? {}).length} containers' counters moved)`,
        `    to a panel without counters: ${(p.delta?.bytes ?? 0).toLocaleString('en')} B = ${pct(p.delta?.bytes ?? 0, plain.full)} of its full post`,
      ];
    };

    // Idle passes first: what a panel pays per pass when nothing in particular changed.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, WATCH_MS));
      await pass();
    }
    const idle = live.passes.slice();
    const idlePlain = plain.passes.slice();

    execFileSync('docker', ['update', '--memory', '96m', '--memory-swap', '-1', NAME], { stdio: 'ignore' });
    const limited = check(await pass(), `${NAME}'s new limit`, (d) =>
      Boolean(d.containers?.upserted.some((c) => c.id === id && c.cgroup?.memory?.limitBytes === 96 * 2 ** 20)),
    );
    const secondId = run(second);
    const started = check(await pass(), `${second} started`, (d) => Boolean(d.containers?.upserted.some((c) => c.id === secondId)));
    execFileSync('docker', ['rm', '-f', second], { stdio: 'ignore' });
    const stopped = check(await pass(), `${second} removed`, (d) => Boolean(d.containers?.removed.includes(secondId)));

    const max = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), 0);
    // Which counters move on an idle pass, and in how many containers: where the counters message's bytes go.
    const moved = new Map<string, number>();
    const columns = initialCounterColumns();
    for (const p of idle) {
      const u = p.counters?.params;
      if (!u) continue;
      columns.push(...(u.columns ?? []));
      for (const pairs of Object.values(u.changed))
        for (let i = 0; i < pairs.length; i += 2) {
          const name = columns[pairs[i] as number];
          moved.set(name, (moved.get(name) ?? 0) + 1);
        }
    }
    const most = [...moved].sort((a, b) => b[1] - a[1]).slice(0, 8);
    const idleCounters = idle.map((p) => p.counters?.bytes ?? 0);
    const idleDelta = idle.map((p) => p.delta?.bytes ?? 0);
    return [
      `panel posts on this node (${s.processes.length} processes, ${s.containers.length} containers, ${s.namespaces.length} namespaces), through the panels' snapshot feed:`,
      `  first full post: ${live.full.toLocaleString('en')} B with live counters, ${plain.full.toLocaleString('en')} B without (counters null)`,
      ...line("one container's memory limit changed (docker update --memory)", limited),
      ...line('one container started (docker run)', started),
      ...line('one container stopped and removed (docker rm -f)', stopped),
      `  idle watch passes: ${idle.length}; structure delta largest ${max(idleDelta).toLocaleString('en')} B = ${pct(max(idleDelta))} (${idle.map((p) => parts(p.delta?.params)).join('; ') || 'none'}); counters largest ${max(idleCounters).toLocaleString('en')} B = ${pct(max(idleCounters))}; to a panel without counters ${idlePlain.filter((p) => p.delta).length} posts`,
      `    counters that moved most on idle passes (containers × passes): ${most.map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
    ];
  } finally {
    await client.close();
    spawnSync('docker', ['rm', '-f', NAME, second]);
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
