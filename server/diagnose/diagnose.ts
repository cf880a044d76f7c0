/**
 * `diagnose`: why a container is broken, in one report (issue 13). Each section comes from its own module
 * and source: OOM kills (cgroup counters, the kernel log), exits and restarts (the engine), memory by
 * process (smaps_rollup, memory.stat), CPU throttling (cpu.stat), what it wrote (its upper layer) and its
 * network namespace (/proc/PID/net). A section that cannot be read is null or unknown, with why; the
 * others still answer.
 *
 * A container that has stopped is no longer in the snapshot (it has no processes): for Docker the engine
 * still knows it, and the kernel log still names its cgroup, so why it died is still answered.
 */
import type { CgroupInfo, ContainerInfo, DiagnoseReport, Problem } from '../protocol';
import { controllerDir, readCgroup } from '../discover/cgroups';
import { parseCgroupFile } from '../discover/procfs';
import { rootfsOnHost } from '../discover/layerTrust';
import { headlineOf } from './headline';
import { killIn, killOfId, OomHistory } from './kmsgOom';
import { exitsFromInspect, inspectDocker, unknownExits, type InspectAnswer } from './dockerState';
import { memoryOf } from './memoryByProcess';
import { parseCpuStat, ThrottleHistory } from './throttling';
import { diskOf } from './diskWriters';
import { networkOf } from './network';
import { readProcText } from './procText';

/** The longest a diagnosis takes: the engine's answer (5 s), the upper layer's walk (5 s), `ip` (3 s), with room. */
export const DIAGNOSE_MOST_MS = 30_000;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The agent's memory across diagnoses: kills the kernel log has since dropped, and the last throttling counters. */
export class Diagnoser {
  constructor(
    private readonly oom = new OomHistory(),
    private readonly throttle = new ThrottleHistory(),
    private readonly inspect: (ref: string) => Promise<InspectAnswer> = (ref) => inspectDocker(ref),
  ) {}

  /** A running container, from the snapshot. */
  async running(c: ContainerInfo): Promise<DiagnoseReport> {
    const unknown: Problem[] = [];
    // The engine is asked first: its answer is awaited while the node is read below.
    const engine = c.runtime === 'docker' ? this.inspect(c.id) : null;
    const cgroupText = readProcText(`/proc/${c.initPid}/cgroup`);
    const lines = cgroupText === null ? null : parseCgroupFile(cgroupText);
    if (!lines) unknown.push({ source: `/proc/${c.initPid}/cgroup`, message: 'unreadable: the container stopped while it was diagnosed' });
    const cgroup = readCgroup(lines, unknown);
    const memDir = lines ? controllerDir(lines, 'memory') : null;

    const { kills, note } = this.oom.look();
    const mine = kills.filter((k) => (memDir && killIn(k, memDir.path)) || killOfId(k, c.id));

    const memory = this.section(unknown, 'memory', () => memoryOf(c.pids, cgroup, memDir ? v1Kmem(cgroup, memDir.dir) : null));
    const cpu = this.section(unknown, 'cpu', () => this.cpuOf(c, lines, cgroup));
    const disk = this.section(unknown, 'disk', () => {
      const upper = c.rootfs?.overlay ? rootfsOnHost(c).layers.find((l) => l.role === 'upper') : undefined;
      if (!upper?.hostPath) {
        unknown.push({ source: 'disk', message: `${c.name} has no writable overlay layer on the host: what it wrote is not kept apart` });
        return null;
      }
      return diskOf(upper.hostPath, unknown);
    });
    let network: DiagnoseReport['network'] = null;
    try {
      network = await networkOf(c.initPid, c.pids, c.namespaces.net, c.sharesHostNamespaces.includes('net'), unknown);
    } catch (err) {
      unknown.push({ source: 'network', message: `unknown: ${message(err)}` });
    }
    const exits = engine
      ? await this.exitsOf(engine)
      : unknownExits(`${c.runtime}: its engine's state is not read (Docker's only, so far)`);
    return this.report(
      { id: c.id, name: c.name, runtime: c.runtime, running: true, initPid: c.initPid },
      { count: cgroup?.memory?.oomKills ?? null, events: cgroup?.memory?.oomEvents ?? null, kills: mine, note },
      { exits, memory, cpu, disk, network, unknown },
    );
  }

  /**
   * A container the snapshot does not have: a stopped Docker container, by id, id prefix or name as the
   * engine resolves it. null when the engine does not know it either (the caller says "no container").
   */
  async stopped(ref: string): Promise<DiagnoseReport | null> {
    const answer = await this.inspect(ref);
    if (answer.notFound || !answer.doc || typeof answer.doc !== 'object') return null;
    const doc = answer.doc as Record<string, unknown>;
    const id = typeof doc.Id === 'string' ? doc.Id : ref;
    const name = typeof doc.Name === 'string' ? doc.Name.replace(/^\//, '') : id.slice(0, 12);
    const exits = exitsFromInspect(doc);
    const { kills, note } = this.oom.look();
    const gone = 'not running: nothing of it left on the node to read';
    return this.report(
      { id, name, runtime: 'docker', running: exits.running === true, initPid: null },
      {
        count: null,
        events: null,
        kills: kills.filter((k) => killOfId(k, id)),
        note: note ?? "the cgroup's own count went with the container: these are the kills the kernel log names",
      },
      { exits, memory: null, cpu: null, disk: null, network: null, unknown: [{ source: 'container', message: gone }] },
    );
  }

  close(): void {
    this.oom.close();
  }

  private report(
    container: DiagnoseReport['container'],
    oom: DiagnoseReport['oom'],
    rest: Pick<DiagnoseReport, 'exits' | 'memory' | 'cpu' | 'disk' | 'network' | 'unknown'>,
  ): DiagnoseReport {
    const r: DiagnoseReport = { container, takenAt: new Date().toISOString(), headline: '', oom, ...rest };
    r.headline = headlineOf(r);
    return r;
  }

  private async exitsOf(engine: Promise<InspectAnswer>): Promise<DiagnoseReport['exits']> {
    const a = await engine;
    return a.doc ? exitsFromInspect(a.doc) : unknownExits(a.why ?? 'the engine did not answer');
  }

  /** A section's reading, or null with why: one failing source must not take the report with it. */
  private section<T>(unknown: Problem[], name: string, read: () => T | null): T | null {
    try {
      return read();
    } catch (err) {
      unknown.push({ source: name, message: `unknown: ${message(err)}` });
      return null;
    }
  }

  private cpuOf(c: ContainerInfo, lines: ReturnType<typeof parseCgroupFile> | null, cgroup: CgroupInfo | null) {
    const dir = lines ? controllerDir(lines, 'cpu') : null;
    const text = dir ? readProcText(`${dir.dir}/cpu.stat`) : null;
    if (text === null) throw new Error('cpu.stat unreadable (no cpu controller for this cgroup)');
    return this.throttle.see(c.id, parseCpuStat(text), { quotaUs: cgroup?.cpu?.quotaUs ?? null, periodUs: cgroup?.cpu?.periodUs ?? null });
  }
}

/** v1 keeps kernel memory in its own counter (memory.kmem.usage_in_bytes, gone in kernels that dropped kmem accounting). */
function v1Kmem(cgroup: CgroupInfo | null, memDir: string): number | null {
  if (cgroup?.version !== 'v1') return null;
  const t = readProcText(`${memDir}/memory.kmem.usage_in_bytes`, 64)?.trim();
  return t && /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : null;
}
