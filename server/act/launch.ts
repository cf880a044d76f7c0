/**
 * Launching a test container next to an existing one, and removing it again: an overlay of the source
 * container's image layers (its lower layers; its own writes stay its own) with a fresh upper layer,
 * limits of the person's choosing, run by runc (runtime-spec bundle: launchSpec.ts). The person can
 * then try a tighter limit, a read-only root or a different command against the same image on the
 * node where the problem is, without touching the container that has it.
 *
 * Nothing is half-made: every step of a launch that fails is undone (runc's state, the overlay mount,
 * the bundle, the cgroups), and the answer says if anything could not be. Only containers whose bundle
 * is under LAUNCH_ROOT (Nodescope's) can be removed here; an engine's containers are its own business.
 * runc only: crun refuses hybrid cgroup hosts ("cgroups in hybrid mode not supported").
 *
 * Both run their tools as children the agent awaits (launchBundle.ts), so a launch answers later (a
 * promise) and the agent answers other requests meanwhile. Everything up to the first await is checked
 * and claimed in one turn of the loop; a name being launched or stopped is refused to a second request
 * until the first has settled.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { ErrorCodes, type ContainerInfo, type LaunchParams, type LaunchResult, type StopResult } from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { CPU_PERIOD_US, LAUNCH_CGROUP_PARENT, launchSpec } from './launchSpec';
import { checkLimitValue, requestedLimit } from './limit';
import {
  bundleOf,
  lastLine,
  LAUNCH_ROOT,
  LAUNCH_TOOL_RUNS,
  launchCgroups,
  makeBundle,
  tearDown,
  teardownSteps,
  tool,
  TOOL_TIMEOUT_MS,
  toolToFile,
  UPPER_BYTES,
} from './launchBundle';
import { formatBytes, plural } from '../units';
import { hostLayerDirProblem, notVerified } from '../discover/layerTrust';
import { DEFAULT_PATH, LAUNCH_CMDLINE_MAX_BYTES, sourceProcess } from './sourceProcess';
import { checkedShareTypes, holdNamespaces, OCI_NS_TYPE, type HeldNamespaces } from './launchShareNs';
import { capabilitiesOf, checkedHostname, environmentOf, freeUserRange } from './launchOptions';
import { DOCKER_DEFAULT_CAPS } from '../discover/capabilities';

export const LAUNCHED_LABEL = 'nodescope.launched';
const RUNC_CANDIDATES = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** How long stop waits for runc to see the killed container stopped. */
const STOP_DEADLINE_MS = 10_000;
/** Room for what runs between the tools (bundle files, mount table reads, the audit line). */
const BETWEEN_TOOLS_MS = 10_000;
/**
 * The longest a launch can take before it settles by itself: every tool it runs one after another (two
 * mounts, runc run, then a failed launch's teardown: runc delete, two umounts) killed at its timeout.
 * The agent's deadline for it (methods.ts) is this, not STUCK_MS: failed earlier, the answer would say
 * "no answer" while the launch went on to succeed, or to clean up, behind it.
 */
export const LAUNCH_MOST_MS = LAUNCH_TOOL_RUNS * TOOL_TIMEOUT_MS + BETWEEN_TOOLS_MS;
/**
 * The same for a stop: runc state and kill, STOP_DEADLINE_MS watching the process go (and the look that
 * ends it), then the teardown's three tools. Usually a second or two; the process's own exit can take
 * most of those 10 s (a container in the kernel on a slow disk), which is why STUCK_MS cannot be its deadline.
 */
export const STOP_MOST_MS = 6 * TOOL_TIMEOUT_MS + STOP_DEADLINE_MS + BETWEEN_TOOLS_MS;

/**
 * Names with a launch or a stop under way. A stop arriving while runc starts the container, or a launch
 * while a stop takes it apart, would work on pieces the other is making or removing: refused, said so.
 */
const busy = new Set<string>();

/** Claims `name` for the caller's launch or stop (release in a finally); refused when it is taken. */
function claim(name: string): void {
  if (busy.has(name))
    throw refuse(ErrorCodes.InvalidParams, `${name} is being launched or removed right now; try again when that has finished`);
  busy.add(name);
}

function runcBinary(): string {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((d) => path.join(d, 'runc'));
  const found = [...RUNC_CANDIDATES, ...onPath].find((f) => fs.existsSync(f));
  if (!found) throw refuse(ErrorCodes.Unsupported, 'no runc on this node: install runc to launch test containers');
  return found;
}

function checkedTmpfs(v: unknown): { path: string; sizeBytes: number }[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 8) throw refuse(ErrorCodes.InvalidParams, '"tmpfs" must be a list of at most 8 {path, sizeBytes}');
  return v.map((t) => {
    const { path: raw, sizeBytes } = (t ?? {}) as { path?: unknown; sizeBytes?: unknown };
    const p = typeof raw === 'string' ? path.posix.normalize(raw) : null;
    if (p === null || !p.startsWith('/') || p === '/' || p.split('/').includes('..') || /[\0,]/.test(p)) {
      throw refuse(ErrorCodes.InvalidParams, `a tmpfs path must be absolute, not /, without ".." or commas: got ${JSON.stringify(raw)}`);
    }
    const most = Math.floor(os.totalmem() / 2);
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes > most) {
      throw refuse(
        ErrorCodes.InvalidParams,
        `the tmpfs at ${p} needs a size in bytes, at most half the node's memory (${formatBytes(most)})`,
      );
    }
    return { path: p, sizeBytes };
  });
}

/**
 * The source's image layers as mount options take them: directories verified on the host (the snapshot's
 * `hostPath`, layerTrust.ts), checked again now, absolute, with no separators inside. A layer path is a
 * string of the source's mount namespace until verified: mounting it as it reads could hand the host's
 * own files to whoever chose that string, so a container with an unverified layer is refused.
 */
function checkedLowers(from: ContainerInfo, roots: string[]): string[] {
  const lowers = (from.rootfs?.layers ?? []).filter((l) => l.role === 'lower');
  if (!lowers.length || from.rootfs?.overlay?.dataLowerdirs.length) {
    throw refuse(
      ErrorCodes.Unsupported,
      `${from.name}'s root is ${from.rootfs?.overlay ? 'an overlay with data-only layers' : `${from.rootfs?.fstype ?? 'unknown'}, not an overlay`}: there are no image layers to launch from`,
    );
  }
  const unverified = lowers.find((l) => !l.hostPath);
  if (unverified) {
    throw refuse(ErrorCodes.NotPermitted, `refusing to launch from ${from.name}: ${notVerified(unverified)}`);
  }
  return lowers.map((l) => {
    const d = l.hostPath!;
    if (/[,:]/.test(d))
      throw refuse(ErrorCodes.Unsupported, `${from.name}'s layer ${JSON.stringify(d)} cannot be named in an overlay mount`);
    const problem = hostLayerDirProblem(d, roots);
    if (problem) throw refuse(ErrorCodes.Gone, `${from.name}'s layer ${d} is ${problem} now; refresh and try again`);
    return d;
  });
}

export interface LaunchContext {
  /** The source's init, checked to be alive and the snapshot's (not a reused PID). */
  initPid: number;
  /** Names already taken on the node (containers in the snapshot). */
  taken: Set<string>;
  audit: (record: { name: string; outcome: string; argv: string[]; shape: Record<string, unknown> }) => void;
  /** Where engines keep layer directories (engines/index.ts storageRoots): a layer must still be under one. */
  storageRoots: string[];
  /** The container of `shareNs`, its init checked alive and the snapshot's, with the start time it had then. */
  shareTarget?: { container: ContainerInfo; pid: number; startTime: number };
}

/** How the plan says which capabilities differ from Docker's default set. */
function capabilityNote(caps: string[]): string {
  const dropped = DOCKER_DEFAULT_CAPS.filter((c) => !caps.includes(c));
  const added = caps.filter((c) => !DOCKER_DEFAULT_CAPS.includes(c));
  if (!dropped.length && !added.length) return "Docker's default capabilities";
  return `Docker's default capabilities${dropped.length ? ` without ${dropped.join(', ')}` : ''}${added.length ? `${dropped.length ? ' and' : ''} with ${added.join(', ')}` : ''}`;
}

/**
 * What a launch would do (dry run) or did, after checking everything a person could get wrong. The checks,
 * the claim of the name and the bundle's directory happen before the first await, in one turn of the loop.
 */
export async function launchContainer(from: ContainerInfo, p: LaunchParams, ctx: LaunchContext): Promise<LaunchResult> {
  const lowerdirs = checkedLowers(from, ctx.storageRoots);
  if (p.lowerdirs !== undefined) {
    // What is mounted is what was confirmed: a source restarted on other layers since the plan is refused.
    if (!Array.isArray(p.lowerdirs) || !p.lowerdirs.every((d) => typeof d === 'string'))
      throw refuse(ErrorCodes.InvalidParams, '"lowerdirs" must be an array of strings');
    if (p.lowerdirs.length !== lowerdirs.length || p.lowerdirs.some((d, i) => d !== lowerdirs[i])) {
      throw refuse(
        ErrorCodes.Gone,
        `${from.name}'s layers are not the ones the plan showed (it was restarted or recreated); look at the new plan and confirm again`,
      );
    }
  }
  const name =
    p.name ??
    `${
      from.name
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 50) || 'container'
    }-test`;
  if (!NAME.test(name))
    throw refuse(
      ErrorCodes.InvalidParams,
      `"${name}" is not a name runc takes: letters, digits, _ . - (at most 63), starting with a letter or digit`,
    );
  const bundle = bundleOf(name);
  // A cgroup left by an earlier launch of that name would be reused with its old limits: refused too.
  if (
    busy.has(name) ||
    ctx.taken.has(name) ||
    fs.existsSync(bundle) ||
    fs.existsSync(path.join('/run/runc', name)) ||
    launchCgroups(name).length
  ) {
    throw refuse(
      ErrorCodes.InvalidParams,
      `a container named "${name}" is already on this node (or its cgroups ${LAUNCH_CGROUP_PARENT}/${name} are); choose another name`,
    );
  }
  if (
    p.command !== undefined &&
    !(Array.isArray(p.command) && p.command.length && p.command.every((a) => typeof a === 'string' && !a.includes('\0')))
  ) {
    throw refuse(ErrorCodes.InvalidParams, '"command" must be a non-empty array of strings');
  }
  if (p.readOnly !== undefined && typeof p.readOnly !== 'boolean')
    throw refuse(ErrorCodes.InvalidParams, '"readOnly" must be true or false');
  const limits = {
    memoryBytes: requestedLimit(p, 'memoryBytes') ?? null,
    pidsMax: requestedLimit(p, 'pidsMax') ?? null,
    cpus: requestedLimit(p, 'cpus') ?? null,
  };
  checkLimitValue('memory', limits.memoryBytes, null, CPU_PERIOD_US, name);
  checkLimitValue('cpu', limits.cpus, null, CPU_PERIOD_US, name);
  // Started as the source was (its bundle's args, cwd and user), unless a command is given: then as root in /.
  const source = sourceProcess(from, ctx.initPid);
  if (!p.command && !source) throw refuse(ErrorCodes.InvalidParams, `cannot read how ${from.name} was started; give a command`);
  if (!p.command && source?.truncated) {
    throw refuse(
      ErrorCodes.InvalidParams,
      `${from.name}'s command line (${source.source}) is longer than ${formatBytes(LAUNCH_CMDLINE_MAX_BYTES)}, more than is read of it; give a command`,
    );
  }
  const argv = p.command ?? source!.args;
  const as = p.command || !source ? { cwd: '/', uid: 0, gid: 0, path: source?.path ?? DEFAULT_PATH } : source;
  const tmpfs = checkedTmpfs(p.tmpfs);
  const shareTypes = p.shareNs === undefined ? [] : checkedShareTypes(p.shareNs);
  if (shareTypes.length && !ctx.shareTarget) throw refuse(ErrorCodes.InvalidParams, '"shareNs.container" names no container');
  if (p.userNs !== undefined && typeof p.userNs !== 'boolean') throw refuse(ErrorCodes.InvalidParams, '"userNs" must be true or false');
  if (p.userNs && shareTypes.length) {
    // The target's namespaces belong to the host's user namespace: from a user namespace of its own the
    // container could not mount its /proc, /sys or mqueue over them (runc fails halfway).
    throw refuse(ErrorCodes.Unsupported, 'a user namespace of its own and shared namespaces do not go together; choose one');
  }
  if (shareTypes.includes('uts') && p.hostname !== undefined) {
    throw refuse(
      ErrorCodes.InvalidParams,
      `it shares ${ctx.shareTarget!.container.name}'s uts namespace, so its hostname is that one's; drop the hostname`,
    );
  }
  const hostname = shareTypes.includes('uts') ? null : (checkedHostname(p.hostname) ?? name);
  const capabilities = capabilitiesOf(p.capAdd, p.capDrop);
  // HOME as runc would set it for root (it adds one when absent), so the plan shows the whole environment.
  const base = [`PATH=${as.path}`, ...(hostname === null ? [] : [`HOSTNAME=${hostname}`]), ...(as.uid === 0 ? ['HOME=/root'] : [])];
  const env = environmentOf(base, p.env);
  const bin = runcBinary();
  // Opened and checked now, in the dry run too (the plan shows their inodes); closed again before answering.
  let held: HeldNamespaces | null = null;
  if (ctx.shareTarget && shareTypes.length) {
    const t = ctx.shareTarget;
    held = holdNamespaces(t.container, t.pid, t.startTime, shareTypes, p.shareNs?.inodes);
  }
  const range = p.userNs ? freeUserRange(LAUNCH_ROOT) : null;
  try {
    return await launchWith(from, p, ctx, {
      name,
      bundle,
      bin,
      lowerdirs,
      argv,
      as,
      source,
      tmpfs,
      limits,
      held,
      hostname,
      capabilities,
      env,
      range,
    });
  } finally {
    held?.close();
    range?.release();
  }
}

/** What launchContainer checked, for the plan and the launch itself. */
interface Checked {
  name: string;
  bundle: string;
  bin: string;
  lowerdirs: string[];
  argv: string[];
  as: { cwd: string; uid: number; gid: number };
  /** How the source was started (null: a command was given, or it could not be read). */
  source: ReturnType<typeof sourceProcess>;
  tmpfs: { path: string; sizeBytes: number }[];
  limits: LaunchResult['limits'];
  held: HeldNamespaces | null;
  hostname: string | null;
  capabilities: string[];
  env: string[];
  range: { outside: number; count: number } | null;
}

async function launchWith(from: ContainerInfo, p: LaunchParams, ctx: LaunchContext, c: Checked): Promise<LaunchResult> {
  const { name, bundle, bin, lowerdirs, argv, as, source, tmpfs, limits, held, hostname, capabilities, env, range } = c;
  const shared = held?.namespaces.map((n) => n.type) ?? [];
  const own = ['pid', 'net', 'ipc', 'uts'].filter((t) => !(shared as string[]).includes(t));
  const plan: LaunchResult = {
    container: name,
    name,
    from: { id: from.id, name: from.name },
    started: false,
    pid: null,
    bundle,
    lowerdirs,
    upperdir: path.join(bundle, 'rw', 'upper'),
    cgroupPath: `${LAUNCH_CGROUP_PARENT}/${name}`,
    command: argv,
    runAs: { uid: as.uid, gid: as.gid, cwd: as.cwd },
    readOnly: p.readOnly ?? false,
    tmpfs,
    limits,
    sharedNs: held && {
      container: held.container,
      pid: held.pid,
      namespaces: held.namespaces.map((n) => ({ type: n.type, inode: n.inode })),
    },
    hostname,
    capabilities,
    userNs: range && { outside: range.outside, count: range.count },
    env,
    notes: [
      `the image layers are ${from.name}'s lower layers, shared with it read-only; what it wrote itself is not there`,
      `its writable layer is a tmpfs of at most ${formatBytes(UPPER_BYTES)} (memory): it goes when removed, or at the next boot`,
      ...(p.command
        ? []
        : source!.source.endsWith('/cmdline')
          ? [`no bundle of ${from.name} was found: the command is what ${source!.source} shows (a process may rewrite it), as root in /`]
          : [`started as ${from.name} was, from ${source!.source}: its args, working directory and user`]),
      `its environment is PATH, HOSTNAME, HOME${p.env?.length ? ' and what was given' : ' only'}, not the image's (which may hold secrets)`,
      ...(held
        ? [
            `it joins ${held.container.name}'s ${shared.join(', ')} namespace${shared.length > 1 ? 's' : ''} (pid ${held.pid})${shared.includes('pid') ? `: it sees ${held.container.name}'s processes and can signal them` : ''}${shared.includes('net') ? `; it shares ${held.container.name}'s network and ports` : ''}`,
          ]
        : []),
      `its own ${[...own, 'mount', 'cgroup'].join(', ')} namespaces${shared.includes('net') ? '' : ', the network with a loopback only'}; ${capabilityNote(capabilities)} and no new privileges, but no seccomp filter or AppArmor profile`,
      range
        ? `its own user namespace: root inside is uid and gid ${range.outside} outside (${range.count} ids), so the image's files owned by root are nobody's to it`
        : 'no user namespace: root inside is root outside',
      ...(limits.memoryBytes !== null ? ["swap is not limited beyond the kernel's own (memory+swap stays unlimited)"] : []),
    ],
  };
  if (p.dryRun) return plan;

  claim(name);
  const audit = (outcome: string): void => {
    try {
      const shape = { sharedNs: plan.sharedNs, hostname, capabilities, userNs: plan.userNs, readOnly: plan.readOnly };
      ctx.audit({ name, outcome, argv, shape });
    } catch {
      /* recordAction reports its own failures; the answer must not be lost to the log */
    }
  };
  try {
    try {
      await makeBundle(name, lowerdirs, range !== null);
    } catch (err) {
      throw refuse(
        ErrorCodes.NotPermitted,
        `the overlay of ${from.name}'s ${plural(lowerdirs.length, 'layer')} could not be mounted: ${lastLine(err)}`,
      );
    }
    const spec = launchSpec({
      id: name,
      args: argv,
      cwd: as.cwd,
      user: { uid: as.uid, gid: as.gid },
      env,
      readOnly: plan.readOnly,
      hostname,
      capabilities,
      joined: Object.fromEntries(held?.namespaces.map((n) => [OCI_NS_TYPE[n.type], held.pathOf(n.type)]) ?? []),
      userNs: range,
      tmpfs,
      ...limits,
      annotations: { [LAUNCHED_LABEL]: '1', 'nodescope.from': from.name },
    });
    // Its environment may hold what the person passed in confidence: root's to read only.
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2), { mode: 0o600 });
    // runc returns once the container has started. Detached without a terminal, the container keeps
    // runc's stdout and stderr: a file in its bundle, never a pipe the agent would wait on. runc's own
    // complaints land there too.
    const logFile = path.join(bundle, 'output.log');
    const log = fs.openSync(logFile, 'a', 0o600);
    try {
      // The last look before runc joins them: a target that stopped meanwhile fails the launch here, undone.
      held?.recheck();
      await toolToFile(bin, ['run', '--detach', '--bundle', bundle, '--pid-file', path.join(bundle, 'pid'), name], log);
    } catch (err) {
      throw refuse(
        ErrorCodes.NotPermitted,
        `runc could not start ${name}: ${lastLine({ stderr: fs.readFileSync(logFile, 'utf8'), message: (err as Error).message })}`,
      );
    } finally {
      fs.closeSync(log);
    }
    plan.pid = Number(fs.readFileSync(path.join(bundle, 'pid'), 'utf8').trim());
    plan.started = true;
    audit('started');
    return plan;
  } catch (err) {
    // Every failure comes here, a tool killed at its timeout too: what was made is taken away again.
    const left = await tearDown(teardownSteps(bin, name));
    const message = `${(err as Error).message}; ${left.length ? `NOT cleaned up: ${left.join(', ')}` : 'nothing was left behind'}`;
    audit(message);
    throw refuse(err instanceof AgentError ? err.code : ErrorCodes.NotPermitted, message);
  } finally {
    busy.delete(name);
  }
}

/** runc's record of `name`, or null when it has none. */
async function runcState(
  bin: string,
  name: string,
): Promise<{ status: string; bundle: string; annotations?: Record<string, string> } | null> {
  try {
    return JSON.parse(await tool(bin, ['state', name])) as { status: string; bundle: string; annotations?: Record<string, string> };
  } catch {
    return null;
  }
}

/**
 * Stops and removes a container Nodescope launched: its process, runc state, cgroups, overlay, bundle.
 * Only when its bundle is Nodescope's and runc's record of that name points at that bundle; a dry run
 * checks that much and says whether it runs.
 */
export async function stopLaunched(name: string, dryRun: boolean, audit: (outcome: string) => void): Promise<StopResult> {
  if (!NAME.test(name)) throw refuse(ErrorCodes.InvalidParams, `"${name}" is not a container name`);
  const bundle = bundleOf(name);
  if (!fs.existsSync(path.join(bundle, 'config.json'))) {
    throw refuse(
      ErrorCodes.NotPermitted,
      `${name} was not launched by Nodescope (no bundle in ${path.dirname(bundle)}); remove it with the engine that made it`,
    );
  }
  const bin = runcBinary();
  claim(name);
  try {
    const state = await runcState(bin, name);
    if (state && (state.bundle !== bundle || (state.annotations && state.annotations[LAUNCHED_LABEL] !== '1'))) {
      throw refuse(
        ErrorCodes.NotPermitted,
        `runc's container ${name} runs from ${state.bundle}, not the bundle Nodescope launched; remove it with the engine that made it`,
      );
    }
    const running = state?.status === 'running';
    if (dryRun) return { container: name, removed: false, running };
    try {
      await tool(bin, ['kill', name, 'KILL']);
    } catch {
      /* already stopped */
    }
    // Looked at every 50 ms, a timer between looks: the agent answers other requests while it waits.
    const deadline = Date.now() + STOP_DEADLINE_MS;
    while ((await runcState(bin, name))?.status === 'running' && Date.now() < deadline) await sleep(50);
    const left = await tearDown(teardownSteps(bin, name));
    const outcome = left.length ? `NOT cleaned up: ${left.join(', ')}` : 'removed';
    try {
      audit(outcome);
    } catch {
      /* as for launch */
    }
    if (left.length) throw refuse(ErrorCodes.NotPermitted, `${name} was killed, but ${outcome}`);
    return { container: name, removed: true, running: false };
  } finally {
    busy.delete(name);
  }
}
