/**
 * The whole agent against a hostile node (issue 8): every read verb of the protocol, and the CLI, run
 * against real containers of nodescope-rig/hostile:1 (test/rig/hostile.sh) with CAP_SYS_ADMIN — 220
 * processes of 1 MB command lines named with a newline and a colour escape, a fork/exit loop, a directory
 * swapped for a link to the node's /etc in a loop, 200,000-entry and 10,000-deep trees in its image and
 * writable layers, symlink loops, links at the node's /etc/shadow and /proc/1/root, a FIFO and device
 * nodes, and, one per container, a FIFO, /dev/zero or /proc/1/pagemap where /etc/passwd or /etc/shells
 * should be, and a namespace held by a bind mount covered by a FIFO.
 *
 * What the agent promises, each checked from outside:
 *  - every request is answered (a result or an error) within DEADLINE_MS: "finished", never a speed;
 *  - its memory stays bounded: VmHWM from /proc/PID/status under MEMORY_BOUND_KIB;
 *  - no node file reaches an answer through a container's path: compared with stat and the bytes of the
 *    node's own /etc/shadow, and with the names in the node's / and /etc the container does not have;
 *  - the CLI's text has no raw control character and no line a hostile name forged;
 *  - a client killed mid-request leaves no agent (agents found by their argv and a mark in their
 *    environment, in /proc).
 * Layer paths and the container's identity come from docker inspect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { built, hello, repo, sleepMs, spawnAgent, within, type AgentChild } from '../support/agentProcess';
import {
  FORGED,
  HOSTILE_NAME,
  hostileImage,
  namesInside,
  removeHostile,
  removeLeftoverHostiles,
  startHostile,
  type HostileContainer,
  type HostileVariant,
} from '../support/hostileContainer';
import { markedProcesses, peakRssKiB, runWatched } from '../support/processWatch';
import type {
  ContainerDiff,
  ContainerFileEntry,
  ContainerFileStat,
  LayerExplorePage,
  LayerListing,
  LayerReport,
  LayerScan,
  LaunchResult,
  PageCacheReport,
  Snapshot,
  Whence,
} from '../../server/protocol';

/** Every request, and every CLI command, must have finished by then. */
const DEADLINE_MS = 60_000;
/** Peak resident memory of the agent (and of the CLI, which serves the methods itself as root). */
const MEMORY_BOUND_KIB = 512 * 1024;
const bin = path.join(repo, 'bin', 'nodescope');
const H = HOSTILE_NAME;
const deep = (n: number): string => '/d'.repeat(n);

const skip = skipUnlessReal(probes.root, probes.docker, built, hostileImage);

/** A raw control character a terminal would act on (tab and newline are the text's own). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORGED_LINE = new RegExp(`^[^\\S\\n]*${FORGED}`, 'm');

/** The node's files a trap aims at, read here. */
interface NodeFacts {
  shadow: { ino: number; size: number; mtimeMs: number; bytes: Buffer };
  /** Names in the node's / and /etc that the main container's / and /etc do not have. */
  nodeOnlyNames: Set<string>;
}

type Answer<T> = { ok: true; value: T } | { ok: false; code: number; message: string };

/**
 * Agents started for one test, each request raced against the deadline. An agent that misses it is
 * killed (by its pid) and the next request gets a fresh one, so one hang does not hide the next fault.
 */
class Agents {
  private current: AgentChild | null = null;
  private readonly started: AgentChild[] = [];
  /** The first request after which an agent's VmHWM was over the bound, with the figure. */
  overBound: string | null = null;
  peakKiB = 0;

  constructor(private readonly faults: string[]) {}

  private async agent(): Promise<AgentChild> {
    if (this.current && this.current.child.exitCode === null && this.current.child.signalCode === null) return this.current;
    const a = spawnAgent({ ...process.env, NODESCOPE_HOSTILE_MARK: mark });
    this.started.push(a);
    const hi = await within(DEADLINE_MS, hello(a.rpc), 'late' as const);
    if (hi === 'late') throw new Error(`the agent did not answer initialize within ${DEADLINE_MS / 1000} s: ${a.stderr().slice(-300)}`);
    this.current = a;
    return a;
  }

  /** The answer, or null (recorded as a fault) when there was none within the deadline. */
  async call<T>(what: string, method: string, params: object): Promise<Answer<T> | null> {
    const a = await this.agent();
    const answer = await within(
      DEADLINE_MS,
      a.rpc.sendRequest(method, params).then(
        (value) => ({ ok: true as const, value: value as T }),
        (e: { code?: number; message?: string }) => ({ ok: false as const, code: e.code ?? 0, message: String(e.message) }),
      ),
      null,
    );
    const peak = peakRssKiB(a.child.pid!);
    if (peak !== null) {
      this.peakKiB = Math.max(this.peakKiB, peak);
      if (peak > MEMORY_BOUND_KIB && this.overBound === null) {
        this.overBound = `${what}: agent peak RSS ${mib(peak)} over ${mib(MEMORY_BOUND_KIB)}`;
        this.faults.push(this.overBound);
      }
    }
    if (answer === null) {
      this.faults.push(`${what}: no answer within ${DEADLINE_MS / 1000} s`);
      this.stop(a);
      return null;
    }
    if (a.child.exitCode !== null || a.child.signalCode !== null)
      this.faults.push(`${what}: the agent exited (${a.child.exitCode ?? a.child.signalCode}): ${a.stderr().slice(-300)}`);
    if (!answer.ok && /\n/.test(answer.message)) this.faults.push(`${what}: error message of several lines`);
    return answer;
  }

  private stop(a: AgentChild): void {
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
    if (this.current === a) this.current = null;
  }

  async close(): Promise<void> {
    for (const a of this.started) {
      a.rpc.dispose();
      this.stop(a);
      await within(5000, a.exited, null);
    }
  }
}

const mib = (kib: number): string => `${Math.round(kib / 1024)} MiB`;
/** Marks this run's agents and CLIs in their environment, so only they are counted (others run tests too). */
const mark = `nodescope-hostile-${process.pid}`;
const markEnv = { ...process.env, NODESCOPE_HOSTILE_MARK: mark };

/** Runs a test body with its own agents; what went wrong is collected, then asserted at once. */
async function sweep(body: (agents: Agents, faults: string[]) => Promise<void>): Promise<void> {
  const faults: string[] = [];
  const agents = new Agents(faults);
  try {
    await body(agents, faults);
  } finally {
    await agents.close();
  }
  assert.deepEqual(faults, [], `${faults.length} fault(s); agent peak RSS ${mib(agents.peakKiB)}`);
}

describe('the agent and the CLI on a hostile node', { skip }, () => {
  let main: HostileContainer;
  const variants = new Map<HostileVariant, HostileContainer>();
  let node: NodeFacts;
  let layerSet: Set<string>;

  before(async () => {
    rigUp();
    removeLeftoverHostiles();
    main = await startHostile('main');
    for (const v of ['fifo-passwd', 'zero-shells', 'pagemap-passwd'] as const) variants.set(v, await startHostile(v));
    const st = fs.statSync('/etc/shadow');
    const nodeOnly = (dir: string): string[] => {
      const inside = new Set(namesInside(main, dir));
      return fs.readdirSync(dir).filter((n) => !inside.has(n));
    };
    node = {
      shadow: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, bytes: fs.readFileSync('/etc/shadow') },
      nodeOnlyNames: new Set([...nodeOnly('/'), ...nodeOnly('/etc')]),
    };
    assert.ok(node.nodeOnlyNames.has('shadow'), 'the node has an /etc/shadow the container lacks: the leak checks can fail');
    layerSet = new Set([...main.lowerDirs, main.upperDir]);
  });

  after(() => {
    removeHostile(main);
    for (const c of variants.values()) removeHostile(c);
    // Agents of this run still alive (one stuck in a trap outlives its client): ended by their pid.
    for (const p of markedProcesses(`NODESCOPE_HOSTILE_MARK=${mark}`)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  /** Paths under the swapped directory or a link to the node's root that name what only the node has. */
  function leakedPaths(what: string, paths: string[], faults: string[]): void {
    for (const p of paths) {
      const parts = p.split('/').filter(Boolean);
      const i = parts.findIndex((x, k) => (x === 'd' && parts[k - 1] === 'race') || x === 'hostroot' || x === 'hostshadow');
      if (i >= 0 && parts.slice(i + 1).some((x) => node.nodeOnlyNames.has(x)))
        faults.push(`${what}: lists the node's ${JSON.stringify(p)}`);
    }
  }

  /** Layer paths the agent names for the main container must be the ones docker inspect names. */
  function foreignLayers(what: string, paths: string[], faults: string[]): void {
    for (const p of paths) if (!layerSet.has(p)) faults.push(`${what}: names ${p}, not a layer of the container (docker inspect)`);
  }

  it('snapshot: answers, lists the hostile container and its processes, names only its own layers', () =>
    sweep(async (agents, faults) => {
      const a = await agents.call<Snapshot>('snapshot', 'snapshot', {});
      if (!a) return;
      if (!a.ok) return void faults.push(`snapshot: failed: ${a.message}`);
      const c = a.value.containers.find((x) => x.id === main.id);
      if (!c) return void faults.push('snapshot: the hostile container is missing');
      assert.equal(c.initPid, main.pid);
      const procs = a.value.processes.filter((p) => p.containerId === main.id);
      if (procs.length < 220) faults.push(`snapshot: ${procs.length} processes of the hostile container, it runs over 440`);
      foreignLayers('snapshot', c.rootfs?.layers.map((l) => l.path) ?? [], faults);
    }));

  it('whence: every hostile path answered, no node inode, only its own layers', () =>
    sweep(async (agents, faults) => {
      const paths = [
        '/hostile/wide/100000',
        `/hostile/deep${deep(1900)}`,
        `/upper/deep${deep(10_000)}`,
        '/shadowlink',
        '/hostroot/etc/shadow',
        '/hostile/links/hostshadow',
        '/hostile/links/relshadow',
        '/upper/links/relshadow',
        '/hostile/links/loop1/x',
        '/hostile/links/self/x',
        '/race/d/shadow',
        `/hostile/names/${H}`,
        `/hostile/gone-${H}`,
        '/hostile/fifo',
        '/hostile/zero',
      ];
      let answered = 0;
      for (const p of paths) {
        const what = `whence ${JSON.stringify(p.slice(0, 60))}`;
        const a = await agents.call<Whence>(what, 'whence', { container: main.id, path: p });
        if (!a?.ok) continue;
        answered++;
        const w = a.value;
        const inodes = [w.inodes.merged, ...w.inodes.layers.map((l) => l.inode)];
        if (inodes.includes(node.shadow.ino)) faults.push(`${what}: reports the inode of the node's /etc/shadow (${node.shadow.ino})`);
        foreignLayers(
          what,
          [w.provider, w.deletedBy, w.hiddenByOpaque, ...w.shadowed].filter((r) => r !== null).map((r) => r.path),
          faults,
        );
      }
      // A control: the plain paths do get answers (else the checks above looked at nothing).
      if (answered < 2) faults.push(`whence: only ${answered} of ${paths.length} paths answered`);
    }));

  it('container.diff: answers, run after run, and never lists the node /etc the swap points at', () =>
    sweep(async (agents, faults) => {
      for (const limit of [undefined, undefined, undefined, 1_000_000]) {
        const what = `container.diff limit ${limit ?? 'default'}`;
        const a = await agents.call<ContainerDiff>(what, 'container.diff', { container: main.id, ...(limit ? { limit } : {}) });
        if (!a) continue;
        if (!a.ok) {
          faults.push(`${what}: failed: ${a.message}`);
          continue;
        }
        if (!a.value.changes.length) faults.push(`${what}: no changes, the container made 400,000`);
        if (a.value.upper !== main.upperDir) faults.push(`${what}: read ${a.value.upper}, docker's upper is ${main.upperDir}`);
        leakedPaths(
          what,
          a.value.changes.map((c) => c.path),
          faults,
        );
      }
    }));

  it('layer.scan: each layer of the container answered, whiteouts with hostile names found', () =>
    sweep(async (agents, faults) => {
      for (const dir of [main.upperDir, ...main.lowerDirs]) {
        const what = `layer.scan ${dir}`;
        const a = await agents.call<LayerScan>(what, 'layer.scan', { path: dir });
        if (!a) continue;
        if (!a.ok) {
          faults.push(`${what}: failed: ${a.message}`);
          continue;
        }
        const s = a.value;
        leakedPaths(what, [...s.whiteouts.map((w) => w.path), ...s.opaqueDirs.map((o) => o.path), ...s.metacopy], faults);
        // Controls, from the image's own making: the whiteout of the image layer, the one the container made.
        if (dir === main.upperDir && !s.whiteouts.some((w) => w.path === `hostile/names/${H}`))
          faults.push(`${what}: the upper's whiteout of hostile/names/<hostile> is missing`);
        if (isWhiteout(path.join(dir, `hostile/gone-${H}`)) && !s.whiteouts.some((w) => w.path === `hostile/gone-${H}`))
          faults.push(`${what}: the image's whiteout of hostile/gone-<hostile> is missing`);
      }
    }));

  it("pagecache: answers, run after run, within the container's layers", () =>
    sweep(async (agents, faults) => {
      for (let run = 1; run <= 3; run++) {
        const what = `pagecache run ${run}`;
        const a = await agents.call<PageCacheReport>(what, 'pagecache', { target: main.id, top: 50 });
        if (!a) continue;
        if (!a.ok) {
          faults.push(`${what}: failed: ${a.message}`);
          continue;
        }
        foreignLayers(
          what,
          a.value.layers.map((l) => l.layer.path),
          faults,
        );
        leakedPaths(
          what,
          a.value.layers.flatMap((l) => l.topFiles.map((f) => f.path)),
          faults,
        );
      }
    }));

  it("layers.report, layers.list and layers.explore: answered, bounded, only its own layers, never the node's / or /etc", () =>
    sweep(async (agents, faults) => {
      const r = await agents.call<LayerReport>('layers.report', 'layers.report', { target: main.id, top: 50 });
      if (r?.ok) {
        foreignLayers(
          'layers.report',
          r.value.layers.map((l) => l.path),
          faults,
        );
        leakedPaths(
          'layers.report',
          r.value.wasted.map((w) => w.path),
          faults,
        );
      } else if (r) faults.push(`layers.report: failed: ${r.message}`);
      const lists: [string, object][] = [
        ['merged /hostile/wide', { path: '/hostile/wide' }],
        ['merged /race/d', { path: '/race/d' }],
        ['merged /hostile/links/hostroot', { path: '/hostile/links/hostroot' }],
        ['merged /hostroot/etc', { path: '/hostroot/etc' }],
        ['upper alone, 1,000 deep in /upper/deep', { path: `/upper/deep${deep(1000)}`, layer: 0, merged: false }],
        ['upper alone /upper/wide', { path: '/upper/wide', layer: 0, merged: false }],
      ];
      for (const [title, params] of lists) {
        const what = `layers.list ${title}`;
        const a = await agents.call<LayerListing>(what, 'layers.list', { target: main.id, ...params });
        if (!a?.ok) continue;
        const leaked = a.value.entries.map((e) => e.name).filter((n) => node.nodeOnlyNames.has(n));
        if (leaked.length) faults.push(`${what}: lists the node's ${leaked.slice(0, 5).join(', ')}`);
      }
      // The explorer's pages of the same directories, a later page and a filter too: the same guarantee.
      for (const [title, params] of lists) {
        for (const extra of [{}, { offset: 500, limit: 500 }, { changesOnly: true, pattern: '*sh*' }]) {
          const what = `layers.explore ${title} ${JSON.stringify(extra)}`;
          const a = await agents.call<LayerExplorePage>(what, 'layers.explore', { target: main.id, merged: true, ...params, ...extra });
          if (!a?.ok) continue;
          const leaked = a.value.entries.map((e) => e.name).filter((n) => node.nodeOnlyNames.has(n));
          if (leaked.length) faults.push(`${what}: lists the node's ${leaked.slice(0, 5).join(', ')}`);
        }
      }
    }));

  const trapPaths = [
    '/shadowlink',
    '/hostroot/etc/shadow',
    '/hostile/links/hostshadow',
    '/hostile/links/relshadow',
    '/upper/links/relshadow',
    '/race/d/shadow',
    '/hostile/fifo',
    '/upper/fifo',
    '/hostile/zero',
    '/upper/zero',
    '/dev/zero',
    '/hostile/links/loop1',
    '/hostile/links/self',
  ];

  it('files.read: no node file, no endless read; a hostile-named file reads as its layer holds it', () =>
    sweep(async (agents, faults) => {
      for (const p of trapPaths) {
        const what = `files.read ${p}`;
        const a = await agents.call<{ size: number; base64: string }>(what, 'files.read', { container: main.id, path: p });
        if (a?.ok && Buffer.from(a.value.base64, 'base64').equals(node.shadow.bytes))
          faults.push(`${what}: returned the node's /etc/shadow`);
      }
      const named = `/hostile/names/${H}.dir/${H}`;
      const a = await agents.call<{ size: number; base64: string }>('files.read <hostile name>', 'files.read', {
        container: main.id,
        path: named,
      });
      const layer = main.lowerDirs.find((d) => fs.existsSync(path.join(d, named)));
      assert.ok(layer, 'the image layer holds the hostile-named file');
      if (a && !(a.ok && Buffer.from(a.value.base64, 'base64').equals(fs.readFileSync(path.join(layer, named)))))
        faults.push(`files.read <hostile name>: not the layer's bytes (${a.ok ? `${a.value.size} bytes` : a.message})`);
    }));

  it("files.stat: every trap answered, none described as the node's /etc/shadow", () =>
    sweep(async (agents, faults) => {
      for (const p of [...trapPaths, `/upper/deep${deep(10_000)}`, `/hostile/deep${deep(1900)}`]) {
        const what = `files.stat ${JSON.stringify(p.slice(0, 60))}`;
        const a = await agents.call<ContainerFileStat>(what, 'files.stat', { container: main.id, path: p });
        if (a?.ok && a.value.type === 'file' && a.value.size === node.shadow.size && a.value.mtimeMs === node.shadow.mtimeMs)
          faults.push(`${what}: describes the node's /etc/shadow`);
      }
    }));

  it("files.list: bounded on 200,000 entries, never the node's / or /etc", () =>
    sweep(async (agents, faults) => {
      for (const p of [
        '/hostroot',
        '/hostroot/etc',
        '/hostile/links/hostroot',
        '/race/d',
        '/hostile/wide',
        '/upper/wide',
        `/upper/deep${deep(1000)}`,
        '/hostile/links/loop1',
        '/hostile/names',
      ]) {
        const what = `files.list ${JSON.stringify(p.slice(0, 60))}`;
        const a = await agents.call<{ entries: ContainerFileEntry[]; truncated: boolean }>(what, 'files.list', {
          container: main.id,
          path: p,
        });
        if (!a?.ok) continue;
        const names = a.value.entries.map((e) => e.name);
        const leaked = names.filter((n) => node.nodeOnlyNames.has(n));
        if (leaked.length) faults.push(`${what}: lists the node's ${leaked.slice(0, 5).join(', ')}`);
        if (p.endsWith('/wide') && !(a.value.truncated && names.length > 0))
          faults.push(`${what}: ${names.length} entries, truncated ${a.value.truncated}: 200,000 are there`);
      }
    }));

  it("enter, limit and launch dry runs: answered; launch plans only the image's own layers", () =>
    sweep(async (agents, faults) => {
      await agents.call('enter.options', 'enter.options', { container: main.id });
      await agents.call('enter.plan as root', 'enter.plan', { container: main.id, command: ['true'] });
      await agents.call('enter.plan as app', 'enter.plan', { container: main.id, user: 'app', command: ['true'] });
      await agents.call('limit.set dry run', 'limit.set', { container: main.id, memoryBytes: 1 << 30, dryRun: true });
      const l = await agents.call<LaunchResult>('launch.start dry run', 'launch.start', {
        from: main.id,
        name: `hostile-dry-${process.pid}`,
        dryRun: true,
      });
      if (l?.ok) {
        if (l.value.started) faults.push('launch.start dry run: started a container');
        if (JSON.stringify(l.value.lowerdirs) !== JSON.stringify(main.lowerDirs))
          faults.push(
            `launch.start dry run: lower layers ${JSON.stringify(l.value.lowerdirs)}, docker inspect says ${JSON.stringify(main.lowerDirs)}`,
          );
      } else if (l) faults.push(`launch.start dry run: refused: ${l.message}`);
    }));

  for (const v of ['fifo-passwd', 'zero-shells', 'pagemap-passwd'] as const) {
    it(`${v}: enter's checks and files.read answer, and stay bounded`, () =>
      sweep(async (agents, faults) => {
        const c = variants.get(v)!;
        await agents.call(`${v} enter.options`, 'enter.options', { container: c.id });
        await agents.call(`${v} enter.plan as app`, 'enter.plan', { container: c.id, user: 'app', command: ['true'] });
        for (const f of ['/etc/passwd', '/etc/shells']) {
          const a = await agents.call<{ size: number }>(`${v} files.read ${f}`, 'files.read', { container: c.id, path: f });
          if (a?.ok && a.value.size > 16 << 20) faults.push(`${v} files.read ${f}: ${a.value.size} bytes`);
        }
      }));
  }

  describe('the CLI', () => {
    const cliRuns: [string, () => string[], boolean][] = [
      ['snapshot', () => ['snapshot'], true],
      ['snapshot --json', () => ['snapshot', '--json'], false],
      ['whence of a deleted hostile name', () => ['whence', main.id, `/hostile/gone-${H}`], true],
      ['whence of a hostile link', () => ['whence', main.id, `/hostile/links/${H}`], true],
      // The main container's diff is cut at 10,000 of its 400,000 changes, in the walk's order: which
      // names make it is the file system's choice, so the names are looked for in a small container's.
      ['diff', () => ['diff', main.id], false],
      ['diff of a small writable layer', () => ['diff', variants.get('zero-shells')!.id], true],
      ['layer of the writable layer', () => ['layer', main.upperDir], true],
      [
        'layer of the image layer with a hostile whiteout',
        () => ['layer', main.lowerDirs.find((d) => isWhiteout(path.join(d, `hostile/gone-${H}`)))!],
        true,
      ],
      ['pagecache', () => ['pagecache', main.id, '--top', '50'], true],
      ['launch --dry-run', () => ['launch', main.id, '--name', `hostile-dry-${process.pid}`, '--dry-run'], true],
      ['limit --dry-run', () => ['limit', main.id, '--memory', '1g', '--dry-run'], false],
      ['layers', () => ['layers', main.id], false],
      ['ls of hostile names', () => ['ls', main.id, '/hostile/names'], true],
      ['ls of the writable layer alone', () => ['ls', main.id, '--layer', '0', '/upper/names'], true],
      ['graph namespaces', () => ['graph', 'namespaces'], false],
      ['graph layers', () => ['graph', 'layers'], false],
    ];
    for (const [title, args, showsNames] of cliRuns) {
      it(`${title}: finishes, bounded, and prints no raw control character nor a forged line`, async () => {
        const r = await runWatched([bin, ...args()], { env: markEnv, deadlineMs: DEADLINE_MS });
        const faults: string[] = [];
        if (!r.finished) faults.push(`no answer within ${DEADLINE_MS / 1000} s (killed)`);
        else if (r.code !== 0) faults.push(`exit ${r.code ?? r.signal}: ${r.err.trim().slice(0, 300)}`);
        if (r.peakKiB > MEMORY_BOUND_KIB) faults.push(`peak RSS ${mib(r.peakKiB)} over ${mib(MEMORY_BOUND_KIB)}`);
        const text = r.out + r.err;
        const raw = RAW_CONTROL.exec(text);
        if (raw)
          faults.push(
            `raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} in the output, near ${JSON.stringify(text.slice(Math.max(0, raw.index - 40), raw.index + 20))}`,
          );
        const forged = FORGED_LINE.exec(text);
        if (forged) faults.push(`a forged line: ${JSON.stringify(text.slice(forged.index, forged.index + 40))}`);
        // A control: the hostile names did reach the output (escaped), else the checks above saw nothing.
        if (r.finished && r.code === 0 && showsNames && !text.includes(FORGED)) faults.push('the output shows no hostile name at all');
        assert.deepEqual(faults, []);
      });
    }
  });

  describe('a killed client', () => {
    /** Starts the CLI's snapshot, SIGKILLs it once it is under way, and says which of its processes remain after `graceMs`. */
    async function killMidSnapshot(
      env: NodeJS.ProcessEnv,
      started: () => boolean,
      graceMs = 5000,
    ): Promise<{ pid: number; argv: string }[]> {
      const cli = spawn(bin, ['snapshot', '--json'], {
        env: { ...env, NODESCOPE_HOSTILE_MARK: mark },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const exited = new Promise((r) => cli.on('exit', r));
      const end = Date.now() + 20_000;
      while (!started() && Date.now() < end) await sleepMs(20);
      assert.ok(started(), 'the snapshot got under way');
      await sleepMs(300);
      cli.kill('SIGKILL');
      await exited;
      await sleepMs(graceMs);
      return markedProcesses(`NODESCOPE_HOSTILE_MARK=${mark}`);
    }
    const agentArgv = /dist\/agent\.js/;

    it('the CLI with its agent as a child, killed mid-snapshot: no agent remains after 5 s', async () => {
      const left = await killMidSnapshot(
        { ...process.env, NODESCOPE_IN_PROCESS: '0' },
        () => markedProcesses(`NODESCOPE_HOSTILE_MARK=${mark}`, agentArgv).length > 0,
      );
      assert.deepEqual(
        left.filter((p) => agentArgv.test(p.argv)),
        [],
      );
    });

    it('the CLI serving the methods itself, killed mid-snapshot: nothing of it remains', async () => {
      const left = await killMidSnapshot(process.env, () => markedProcesses(`NODESCOPE_HOSTILE_MARK=${mark}`, /cli\.js/).length > 0);
      assert.deepEqual(left, []);
    });
  });

  describe('a namespace held by a bind mount a FIFO now covers (CAP_SYS_ADMIN)', () => {
    let trap: HostileContainer | undefined;
    before(async () => {
      trap = await startHostile('nsfs-fifo');
    });
    after(() => removeHostile(trap));

    it('snapshot is answered within the deadline', () =>
      sweep(async (agents, faults) => {
        const a = await agents.call<Snapshot>('snapshot with the nsfs FIFO trap', 'snapshot', {});
        if (a && !a.ok) faults.push(`snapshot: failed: ${a.message}`);
      }));

    it('the CLI snapshot finishes; killed while stuck, its agent does not stay', async () => {
      const r = await runWatched([bin, 'snapshot'], { env: markEnv, deadlineMs: DEADLINE_MS });
      const cli = spawn(bin, ['snapshot'], { env: { ...markEnv, NODESCOPE_IN_PROCESS: '0' }, stdio: 'ignore' });
      await sleepMs(3000);
      cli.kill('SIGKILL');
      await sleepMs(5000);
      const left = markedProcesses(`NODESCOPE_HOSTILE_MARK=${mark}`, /dist\/agent\.js/);
      assert.deepEqual({ finished: r.finished, code: r.code, agentsLeft: left }, { finished: true, code: 0, agentsLeft: [] });
    });
  });
});

/** A whiteout as overlayfs writes one: a character device 0/0 (lstat, so the check is the kernel's). */
function isWhiteout(p: string): boolean {
  try {
    const st = fs.lstatSync(p);
    return st.isCharacterDevice() && st.rdev === 0;
  } catch {
    return false;
  }
}
