/**
 * The agent's requests, each validated here before anything touches the node: the agent trusts no
 * client, so types (against the schemas generated from protocol.ts, paramsCheck.ts), absolute paths and
 * container references are checked on this side too.
 */
import * as fs from 'fs';
import * as os from 'os';
import {
  ErrorCodes,
  PROTOCOL_VERSION,
  type ContainerInfo,
  type InitializeResult,
  type MethodName,
  type Methods,
  type ParamsOf,
  type Snapshot,
} from './protocol';
import { observeNode } from './discover/snapshot';
import { storageRoots, type EngineOptions, type EngineRoots } from './discover/engines';
import { scanLayer } from './layers/scan';
import { whence } from './layers/whence';
import { pageCacheOfLayers } from './layers/pagecache';
import { containerDiff } from './layers/diff';
import { layerStackOf } from './layers/layerStack';
import { layerReport } from './layers/layerReport';
import { listLayerDir } from './layers/layerListing';
import { explore } from './layers/layerExplorer';
import { listInContainer, readInContainer, statInContainer } from './files/containerFiles';
import { layerFileHandlers } from './files/layerFiles';
import { enterOptions, liveTarget, planEnter } from './act/enter';
import { planDebug } from './act/debug';
import { cgroupLinesNow } from './act/limit';
import { LIMIT_MOST_MS, setLimitsKept } from './act/limitKept';
import { launchContainer, LAUNCH_MOST_MS, stopLaunched, STOP_MOST_MS } from './act/launch';
import { rootfsOnHost } from './discover/layerTrust';
import { recordAction } from './act/audit';
import { AGENT_VERSION } from './version';
import { refuse, echo } from './failure';
import { during } from './activity';
import { checkParams } from './paramsCheck';
import { Diagnoser, DIAGNOSE_MOST_MS } from './diagnose/diagnose';
import { AgentError } from './agentError';

/**
 * Methods answered later (a promise), and how long the agent lets each run before failing it (agent.ts):
 * a launch and a stop await their tools (mount, runc) as children, so the agent answers other requests
 * meanwhile. Their deadline is the longest they can take before settling by themselves (launch.ts), not
 * STUCK_MS: a launch failed earlier would go on to succeed, or to clean up, behind an answer saying it failed.
 */
export const ANSWERED_LATER_MS = {
  'launch.start': LAUNCH_MOST_MS,
  'launch.stop': STOP_MOST_MS,
  diagnose: DIAGNOSE_MOST_MS,
  'limit.set': LIMIT_MOST_MS,
} as const satisfies Partial<Record<MethodName, number>>;
type AnsweredLater = keyof typeof ANSWERED_LATER_MS;
/** What a method's handler returns: its result, or a promise of it for the methods answered later. */
export type AnswerOf<M extends MethodName> = M extends AnsweredLater ? Promise<Methods[M]['result']> : Methods[M]['result'];

/** A snapshot younger than this answers container lookups; older ones are retaken. */
const FRESH_MS = 1000;

/**
 * A container by full id, unique name or unique id prefix. Several matches are never settled by picking
 * one: names repeat across engines and pods (every pod may have an "app"), and an action on the wrong
 * container is worse than a question; the refusal lists each candidate by name, id and engine.
 */
export function resolveContainer(snapshot: Snapshot, ref: string): ContainerInfo {
  const cs = snapshot.containers;
  const byId = cs.find((c) => c.id === ref);
  if (byId) return byId;
  const byName = cs.filter((c) => c.name === ref);
  const matches = byName.length ? byName : ref.length >= 1 ? cs.filter((c) => c.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const shown = matches.map((c) => `${c.name} (id ${/^[0-9a-f]{64}$/.test(c.id) ? c.id.slice(0, 12) : c.id}, ${c.runtime})`).join(', ');
    throw refuse(
      ErrorCodes.Ambiguous,
      `"${echo(ref)}" ${byName.length ? 'names' : 'matches'} ${matches.length} containers: ${shown}; give more of the id`,
    );
  }
  throw refuse(ErrorCodes.NotFound, `no container "${echo(ref)}" on this node (give an id, a unique id prefix, or a name)`);
}

/**
 * The path `v` of params field `key`, when absolute. The params schema has made it a non-empty string
 * (paramsCheck.ts); where it may lead is for each method to check, from a root it pins.
 */
function absolutePath(key: string, v: string): string {
  if (!v.startsWith('/')) throw refuse(ErrorCodes.InvalidParams, `"${key}" must be an absolute path, got "${echo(v)}"`);
  return v;
}

/** An absolute path naming a directory that exists now (lstat: a link to a directory is not one). */
function existingDir(dir: string): string {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    throw refuse(ErrorCodes.NotFound, `no such directory: ${echo(dir)}`);
  }
  if (!st.isDirectory()) throw refuse(ErrorCodes.InvalidParams, `not a directory: ${echo(dir)}`);
  return dir;
}

export interface AgentOptions {
  /** Where engines keep their state; by default found on the node with each snapshot. */
  engines?: EngineOptions;
}

export class AgentMethods {
  /** The last snapshot, and the engine roots it found: requests about its containers look there. */
  private last: { snapshot: Snapshot; engineRoots: EngineRoots; at: number } | null = null;
  /** What the client said it is at the handshake, for the audit log. */
  private clientVersion: string | null = null;
  /** What diagnose remembers between looks: the kernel log's OOM kills, the last throttling counters. */
  private readonly diagnoser = new Diagnoser();

  constructor(private readonly options: AgentOptions = {}) {}

  initializeResult(clientVersion?: unknown): InitializeResult {
    this.clientVersion = typeof clientVersion === 'string' ? clientVersion : null;
    return {
      agentVersion: AGENT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      pid: process.pid,
      uid: process.getuid?.() ?? -1,
      hostname: os.hostname(),
      arch: os.arch(),
      nodeVersion: process.version,
    };
  }

  snapshot(): Snapshot {
    // The watcher's ticks come here too: a stuck one is named by the watchdog as a request is.
    const { snapshot, engineRoots } = during('taking a snapshot', () =>
      observeNode({ agentVersion: AGENT_VERSION, engines: this.options.engines }),
    );
    this.last = { snapshot, engineRoots, at: Date.now() };
    return snapshot;
  }

  /** The container by reference, from a fresh-enough snapshot (retaken once when not found). */
  container(ref: string): ContainerInfo {
    if (this.last && Date.now() - this.last.at < FRESH_MS) {
      try {
        return resolveContainer(this.last.snapshot, ref);
      } catch {
        /* maybe it started since: look again below */
      }
    }
    return resolveContainer(this.snapshot(), ref);
  }

  /** /proc/PID/root of the container's init: its root, with its mounts, as it sees them. */
  private rootOf(p: { container: string }): string {
    const c = this.container(p.container);
    const root = `/proc/${c.initPid}/root`;
    if (!fs.existsSync(root)) throw refuse(ErrorCodes.Gone, `${c.name}'s process ${c.initPid} is gone; refresh and try again`);
    return root;
  }

  /** Start times the last snapshot saw for the container's processes (the PID-reuse check of enter). */
  private startTimesOf(c: ContainerInfo): Map<number, number | null> {
    return new Map(this.last!.snapshot.processes.filter((q) => q.containerId === c.id).map((q) => [q.pid, q.startTime]));
  }

  /** The last snapshot's engine roots, taking one when there is none yet. */
  private engineRoots(): EngineRoots {
    if (!this.last) this.snapshot();
    return this.last!.engineRoots;
  }

  dispatch<M extends MethodName>(method: M, params: unknown): AnswerOf<M> {
    // Own properties only: through the prototype, "toString" would answer and "hasOwnProperty" throw.
    const run =
      typeof method === 'string' && Object.hasOwn(this.handlers, method)
        ? (this.handlers[method] as (p: ParamsOf<M>) => AnswerOf<M>)
        : undefined;
    if (!run) throw refuse(ErrorCodes.MethodNotFound, `unknown method "${echo(String(method))}"`);
    // Checked against the schema generated from protocol.ts: the handlers read their params as typed.
    const p = params ?? {};
    checkParams(method, p);
    return run(p as ParamsOf<M>);
  }

  private readonly handlers: { [M in MethodName]?: (p: ParamsOf<M>) => AnswerOf<M> } = {
    snapshot: () => this.snapshot(),
    'layer.scan': (p) => scanLayer(existingDir(absolutePath('path', p.path))),
    whence: (p) => {
      const c = this.container(p.container);
      const path = absolutePath('path', p.path);
      if (!c.rootfs?.overlay)
        throw refuse(ErrorCodes.Unsupported, `${c.name}'s root is ${c.rootfs?.fstype ?? 'unknown'}, not an overlay: it has no layers`);
      return whence(rootfsOnHost(c), c.id, path, c.initPid);
    },
    pagecache: (p) => {
      const target = p.target;
      const top = p.top ?? 10;
      if (target.startsWith('/')) {
        return pageCacheOfLayers(existingDir(target), 'dir', [{ path: target, role: 'lower', index: 0 }], null, top);
      }
      const c = this.container(target);
      if (!c.rootfs?.layers.length) throw refuse(ErrorCodes.Unsupported, `${c.name}'s root is not an overlay: no layers to measure`);
      return pageCacheOfLayers(c.id, 'container', rootfsOnHost(c).layers, c.cgroup?.memory?.fileBytes ?? null, top);
    },
    'container.diff': (p) => {
      const c = this.container(p.container);
      const limit = p.limit ?? 10_000;
      if (limit < 1 || limit > 1_000_000) throw refuse(ErrorCodes.InvalidParams, '"limit" must be from 1 to 1000000');
      if (!c.rootfs?.layers.some((l) => l.role === 'upper')) {
        throw refuse(
          ErrorCodes.Unsupported,
          `${c.name}'s root is ${c.rootfs?.overlay ? 'an overlay without a writable layer' : `${c.rootfs?.fstype ?? 'unknown'}, not an overlay`}: its changes are not kept apart from the image`,
        );
      }
      return containerDiff(rootfsOnHost(c), c.id, limit);
    },
    // A container (any engine's overlay) or a Docker image; the snapshot the lookup took says who uses each layer.
    'layers.report': (p) =>
      layerReport(
        layerStackOf(
          p.target,
          (r) => this.container(r),
          () => this.last?.snapshot ?? null,
          () => this.engineRoots(),
        ),
        p.top ?? 100,
      ),
    'layers.list': (p) => {
      const path = p.path === undefined ? '/' : absolutePath('path', p.path);
      const stack = layerStackOf(
        p.target,
        (r) => this.container(r),
        () => null,
        () => this.engineRoots(),
      );
      return listLayerDir(stack, path, p.layer ?? 0, p.merged === true);
    },
    // The layer explorer's pages: parameters checked in explore(), the target resolved as for layers.list.
    'layers.explore': (p) =>
      explore(p, () =>
        layerStackOf(
          p.target,
          (r) => this.container(r),
          () => null,
          () => this.engineRoots(),
        ),
      ),
    'files.stat': (p) => statInContainer(this.rootOf(p), absolutePath('path', p.path)),
    'files.list': (p) => listInContainer(this.rootOf(p), absolutePath('path', p.path)),
    // Every layer's files and the merged view up to any layer (server/files/layerFiles.ts), of a stack found as layers.list finds it.
    ...layerFileHandlers((t) => {
      const stack = layerStackOf(
        t,
        (r) => this.container(r),
        () => null,
        () => this.engineRoots(),
      );
      return { stack, rootfs: stack.target.kind === 'container' ? this.container(stack.target.id).rootfs : null };
    }),
    'files.read': (p) => {
      const path = absolutePath('path', p.path);
      // Base64 only here, for the JSON-RPC answer: the agent's own readers take the bytes.
      const data = readInContainer(this.rootOf(p), path);
      return { path, size: data.length, base64: data.toString('base64') };
    },
    'enter.options': (p) => {
      const c = this.container(p.container);
      return enterOptions(c, this.startTimesOf(c), p.pid);
    },
    'enter.plan': (p) => {
      const c = this.container(p.container);
      // A passwd name (POSIX portable characters, as useradd allows) or a numeric uid: nothing else reaches nsenter.
      if (p.user !== undefined && !/^(\d{1,10}|[A-Za-z_][A-Za-z0-9_.-]{0,63}\$?)$/.test(p.user)) {
        throw refuse(ErrorCodes.InvalidParams, '"user" must be a user name or a numeric uid');
      }
      const plan = planEnter(c, this.startTimesOf(c), {
        pid: p.pid,
        shell: p.shell,
        user: p.user,
        command: p.command,
        namespaces: p.namespaces,
      });
      recordAction(
        { action: 'enter', container: { id: c.id, name: c.name }, pid: plan.pid, startTime: plan.startTime, argv: plan.argv },
        { version: this.clientVersion },
      );
      return plan;
    },
    // Audited as an enter: its argv says the toolbox, the directory it covers and every step (server/act/debug.ts).
    'debug.plan': (p) => {
      const c = this.container(p.container);
      const plan = planDebug(c, this.startTimesOf(c), { pid: p.pid, toolbox: p.toolbox, command: p.command });
      recordAction(
        { action: 'enter', container: { id: c.id, name: c.name }, pid: plan.pid, startTime: plan.startTime, argv: plan.argv },
        { version: this.clientVersion },
      );
      return plan;
    },
    // Async from the first line: a refusal of the lookup comes as the launch's own do, a rejected promise.
    'launch.start': async (p) => {
      const from = this.container(p.from);
      const taken = new Set(this.last!.snapshot.containers.map((c) => c.name));
      // The container whose namespaces it joins: its init alive and the snapshot's, as for enter.
      const share = p.shareNs && this.container(p.shareNs.container);
      const shareInit = share && liveTarget(share, this.startTimesOf(share));
      return launchContainer(from, p, {
        // Its command is read from its init: alive, and the process the snapshot saw.
        initPid: liveTarget(from, this.startTimesOf(from)).target,
        taken,
        shareTarget: share && shareInit ? { container: share, pid: shareInit.target, startTime: shareInit.startTime } : undefined,
        storageRoots: storageRoots(this.last!.engineRoots),
        audit: (a) =>
          recordAction(
            {
              action: 'launch',
              container: { id: a.name, name: a.name },
              from: { id: from.id, name: from.name },
              argv: a.argv,
              limits: { memoryBytes: p.memoryBytes ?? null, pidsMax: p.pidsMax ?? null, cpus: p.cpus ?? null },
              shape: a.shape,
              outcome: a.outcome,
            },
            { version: this.clientVersion },
          ),
      });
    },
    'launch.stop': async (p) => {
      const name = p.container;
      return stopLaunched(name, p.dryRun === true, (outcome) =>
        recordAction({ action: 'stop', container: { id: name, name }, outcome }, { version: this.clientVersion }),
      );
    },
    // A running container from the snapshot; one that stopped, from its engine (a Docker container's exit and OOM kills outlive it).
    diagnose: async (p) => {
      let c: ContainerInfo;
      try {
        c = this.container(p.container);
      } catch (err) {
        if (!(err instanceof AgentError) || err.code !== ErrorCodes.NotFound) throw err;
        const report = await this.diagnoser.stopped(p.container);
        if (!report) throw err;
        return report;
      }
      return this.diagnoser.running(c);
    },
    // Async from the first line: a Docker container's limits go through its engine (limitKept.ts).
    'limit.set': async (p) => {
      const c = this.container(p.container);
      // The init process as it is now (alive, not a reused PID): its /proc/PID/cgroup says where to write.
      const { target } = liveTarget(c, this.startTimesOf(c));
      return setLimitsKept(c, cgroupLinesNow(c, target), p, {
        audit: (a) =>
          recordAction(
            { action: 'limit', container: { id: c.id, name: c.name }, pid: target, changes: a.changes, outcome: a.outcome },
            { version: this.clientVersion },
          ),
      });
    },
  };
}
