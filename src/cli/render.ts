/**
 * The readable (non-JSON) output of the CLI. JSON output is the protocol's documents as they are.
 */
import type { ContainerDiff, ContainerInfo, LaunchResult, LayerScan, LimitResult, PageCacheReport, Snapshot, Whence } from '../../server/protocol';
import { formatBytes, formatCpuQuota, formatLimit, formatLimitBytes } from '../../server/units';
import { describeHolders } from '../namespaceHolders';

/** Engine ids are 64 hex digits: 12 identify them, as docker ps shows; other ids are short already. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

function limitsLine(c: ContainerInfo): string {
  const cg = c.cgroup;
  if (!cg) return 'cgroup: unknown';
  const parts: string[] = [];
  if (cg.memory) parts.push(`memory ${formatBytes(cg.memory.usageBytes)} / ${formatLimitBytes(cg.memory.limitBytes)}`);
  if (cg.pids) parts.push(`pids ${cg.pids.current ?? '?'} / ${cg.pids.max ?? 'unlimited'}`);
  if (cg.cpu) parts.push(`cpu ${formatCpuQuota(cg.cpu.quotaUs, cg.cpu.periodUs)}`);
  return `cgroup ${cg.version} ${cg.path}: ${parts.join(', ')}`;
}

export function renderSnapshot(s: Snapshot): string {
  const out: string[] = [];
  out.push(`${s.host.hostname} — kernel ${s.host.kernel} ${s.host.arch}, cgroup ${s.host.cgroupVersion}, ${s.host.processCount} processes, ${s.namespaces.length} namespaces`);
  const byRuntime = new Map<string, ContainerInfo[]>();
  for (const c of s.containers) byRuntime.set(c.runtime, [...(byRuntime.get(c.runtime) ?? []), c]);
  out.push(`containers (${s.containers.length})`);
  for (const [runtime, cs] of [...byRuntime].sort()) {
    out.push(`  ${runtime}`);
    for (const c of cs.sort((a, b) => a.name.localeCompare(b.name))) {
      const ro = c.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}, ${c.rootfs.layers.length} layers` : 'root unknown';
      out.push(`    ${c.name}  ${shortId(c.id)}  pid ${c.initPid}  host ${c.hostname ?? '?'}  ${c.image ?? ''}`.trimEnd());
      out.push(`      ${limitsLine(c)}`);
      out.push(`      root: ${ro}; caps: ${c.capabilities?.effective.length ?? '?'} effective; seccomp ${c.seccomp ?? '?'}; no_new_privs ${c.noNewPrivs ?? '?'}`);
      if (c.sharesHostNamespaces.length) out.push(`      shares host namespaces: ${c.sharesHostNamespaces.join(', ')}`);
    }
  }
  const hidden = s.namespaces.filter((n) => n.processCount === 0);
  out.push(`namespaces: ${s.namespaces.length} (${hidden.length} held only by fds or bind mounts)`);
  for (const n of hidden) out.push(`  ${n.type}:[${n.inode}] held by ${describeHolders(n)}`);
  const shared = s.layers.filter((l) => l.usedBy.length > 1);
  out.push(`layers: ${s.layers.length} (${shared.length} shared by several containers)`);
  for (const l of shared) out.push(`  ${l.path}  used by ${l.usedBy.length}`);
  if (s.problems.length) {
    out.push(`problems (${s.problems.length})`);
    for (const p of s.problems.slice(0, 20)) out.push(`  ${p.source}: ${p.message}`);
  }
  return out.join('\n');
}

export function renderLayer(l: LayerScan): string {
  const out = [`${l.path}: ${l.files} files, ${l.dirs} dirs, ${l.symlinks} symlinks, ${formatBytes(l.bytes)}`];
  out.push(`whiteouts (${l.whiteouts.length})`, ...l.whiteouts.map((w) => `  ${w.path}  [${w.kind}]`));
  out.push(`opaque dirs (${l.opaqueDirs.length})`, ...l.opaqueDirs.map((o) => `  ${o.path || '.'}  [${o.kind}]`));
  if (l.redirects.length) out.push(`redirects (${l.redirects.length})`, ...l.redirects.map((r) => `  ${r.path} → ${r.target}`));
  if (l.metacopy.length) out.push(`metacopy (${l.metacopy.length})`, ...l.metacopy.map((m) => `  ${m}`));
  for (const p of l.problems) out.push(`problem: ${p.source}: ${p.message}`);
  return out.join('\n');
}

export function renderWhence(w: Whence): string {
  const ref = (r: { path: string; role: string; index: number } | null): string => (r ? `${r.role} #${r.index} ${r.path}` : '—');
  const out = [`${w.path} in ${shortId(w.container)}: ${w.visible ? `visible (${w.fileType})` : 'not visible'}`];
  if (w.resolvedPath) out.push(`  resolves to  ${w.resolvedPath} (symlinks followed in the container)`);
  if (w.provider) out.push(`  provided by  ${ref(w.provider)}${w.copiedUp ? '  (copied up)' : ''}`);
  if (w.deletedBy) out.push(`  deleted by   ${ref(w.deletedBy)} (whiteout)`);
  if (w.hiddenByOpaque) out.push(`  hidden by    ${ref(w.hiddenByOpaque)} (opaque directory)`);
  for (const s of w.shadowed) out.push(`  shadows      ${ref(s)}`);
  out.push(`  inodes: merged ${w.inodes.merged ?? '?'}${w.inodes.layers.map((l) => `, ${l.role} #${l.index} ${l.inode}`).join('')}`);
  for (const p of w.problems ?? []) out.push(`  problem: ${p.source}: ${p.message}`);
  return out.join('\n');
}

/** `docker diff`'s lines, then what was left out and why. */
export function renderDiff(d: ContainerDiff): string {
  const out = d.changes.map((c) => `${c.kind} ${c.path}${c.opaque ? '  (opaque: the image\'s content below is hidden)' : ''}`);
  if (!d.changes.length) out.push(`no changes in ${shortId(d.container)}'s writable layer`);
  if (d.truncated) out.push(`… more changes than the ${d.changes.length} shown`);
  for (const p of d.problems) out.push(`problem: ${p.source}: ${p.message}`);
  return out.join('\n');
}

export function renderPageCache(r: PageCacheReport): string {
  const out = [`${r.target}: ${formatBytes(r.residentBytes)} resident (${r.method}); cgroup file charge ${formatBytes(r.cgroupFileBytes)}`];
  for (const l of r.layers) {
    out.push(`  ${l.layer.role} #${l.layer.index} ${l.layer.path}: ${formatBytes(l.residentBytes)} of ${formatBytes(l.bytes)} in ${l.files} files`);
    for (const f of l.topFiles) out.push(`      ${formatBytes(f.residentBytes).padStart(10)}  ${f.path}`);
  }
  return out.join('\n');
}

/** A limit change, planned or applied: one line per limit, before → after, and what is in use now. */
export function renderLimit(r: LimitResult): string {
  const out = [`${r.name} (cgroup ${r.cgroup.version} ${r.cgroup.path})${r.applied ? '' : ': would change'}`];
  for (const c of r.changes) {
    const use = c.usage === null ? '' : `   (${c.unit === 'bytes' ? `uses ${formatBytes(c.usage)}` : `${c.usage} now`})`;
    out.push(`  ${c.resource.padEnd(7)}${formatLimit(c.unit, c.before)} → ${formatLimit(c.unit, c.after)}${use}`);
  }
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out.join('\n');
}

/** A launch, planned or done: from which container, which layers, what runs, with which limits. */
export function renderLaunch(r: LaunchResult): string {
  const l = r.limits;
  const out = [
    `${r.name}${r.started ? ` started, pid ${r.pid}` : ': would start'} (runc, bundle ${r.bundle})`,
    `  from     ${r.from.name}: ${r.lowerdirs.length} image layers, a fresh writable layer ${r.upperdir}${r.readOnly ? ' (root read-only)' : ''}`,
    `  command  ${JSON.stringify(r.command)} as uid ${r.runAs.uid} gid ${r.runAs.gid} in ${r.runAs.cwd}`,
    `  limits   memory ${formatLimit('bytes', l.memoryBytes)}, pids ${formatLimit('pids', l.pidsMax)}, cpu ${formatLimit('cpus', l.cpus)}; cgroup ${r.cgroupPath}`,
  ];
  for (const t of r.tmpfs) out.push(`  tmpfs    ${t.path} ${formatBytes(t.sizeBytes)}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out.join('\n');
}
