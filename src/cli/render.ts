/**
 * The readable (non-JSON) output of the CLI. JSON output is the protocol's documents as they are.
 *
 * Names in these lines come from the node (files, processes, containers, hostnames), so every line is
 * escaped as a whole before the lines are joined (asLines): a newline or terminal escape inside a name
 * shows as `\n` or `\x1b` and can never start a line of its own, whichever field it arrived in.
 */
import type {
  ContainerDiff,
  ContainerInfo,
  LaunchResult,
  LayerScan,
  LimitResult,
  PageCacheReport,
  Snapshot,
  Whence,
} from '../../server/protocol';
import { formatBytes, formatCpuQuota, formatLimit, formatLimitBytes, plural } from '../../server/units';
import { escapeControls } from '../../server/escapeControls';
import { describeHolders } from '../namespaceHolders';

/** The renderer's lines, each escaped, one per line: the only newlines are the ones put here. */
function asLines(out: string[]): string {
  return out.map(escapeControls).join('\n');
}

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
  out.push(
    `${s.host.hostname} — kernel ${s.host.kernel} ${s.host.arch}, cgroup ${s.host.cgroupVersion}, ${plural(s.host.processCount, 'process', 'processes')}, ${plural(s.namespaces.length, 'namespace')}`,
  );
  const byRuntime = new Map<string, ContainerInfo[]>();
  for (const c of s.containers) byRuntime.set(c.runtime, [...(byRuntime.get(c.runtime) ?? []), c]);
  out.push(`containers (${s.containers.length})`);
  for (const [runtime, cs] of [...byRuntime].sort()) {
    out.push(`  ${runtime}`);
    for (const c of cs.sort((a, b) => a.name.localeCompare(b.name))) {
      const ro = c.rootfs
        ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}, ${plural(c.rootfs.layers.length, 'layer')}`
        : 'root unknown';
      out.push(`    ${c.name}  ${shortId(c.id)}  pid ${c.initPid}  host ${c.hostname ?? '?'}  ${c.image ?? ''}`.trimEnd());
      out.push(`      ${limitsLine(c)}`);
      out.push(
        `      root: ${ro}; caps: ${c.capabilities?.effective.length ?? '?'} effective; seccomp ${c.seccomp ?? '?'}; no_new_privs ${c.noNewPrivs ?? '?'}`,
      );
      if (c.sharesHostNamespaces.length) out.push(`      shares host namespaces: ${c.sharesHostNamespaces.join(', ')}`);
      // The agent cut some of what the node gave (a name, labels, mounts, cgroup paths): say which.
      if (c.truncated) out.push(`      cut: ${c.unknown.find((u) => u.source === 'snapshot')?.message ?? 'some fields were cut at 4 KiB'}`);
    }
  }
  const hidden = s.namespaces.filter((n) => n.processCount === 0);
  out.push(`namespaces: ${s.namespaces.length} (${hidden.length} held only by fds or bind mounts)`);
  for (const n of hidden) out.push(`  ${n.type}:[${n.inode}] held by ${describeHolders(n)}${n.truncated ? ', …' : ''}`);
  const shared = s.layers.filter((l) => l.usedBy.length > 1);
  out.push(`layers: ${s.layers.length} (${shared.length} shared by several containers)`);
  for (const l of shared) out.push(`  ${l.path}  used by ${l.usedBy.length}`);
  if (s.problems.length) {
    out.push(`problems (${s.problems.length})`);
    for (const p of s.problems.slice(0, 20)) out.push(`  ${p.source}: ${p.message}`);
  }
  return asLines(out);
}

export function renderLayer(l: LayerScan): string {
  const out = [
    `${l.path}: ${plural(l.files, 'file')}, ${plural(l.dirs, 'dir')}, ${plural(l.symlinks, 'symlink')}, ${formatBytes(l.bytes)}`,
  ];
  out.push(`whiteouts (${l.whiteouts.length})`, ...l.whiteouts.map((w) => `  ${w.path}  [${w.kind}]`));
  out.push(`opaque dirs (${l.opaqueDirs.length})`, ...l.opaqueDirs.map((o) => `  ${o.path || '.'}  [${o.kind}]`));
  if (l.redirects.length) out.push(`redirects (${l.redirects.length})`, ...l.redirects.map((r) => `  ${r.path} → ${r.target}`));
  if (l.metacopy.length) out.push(`metacopy (${l.metacopy.length})`, ...l.metacopy.map((m) => `  ${m}`));
  for (const p of l.problems) out.push(`problem: ${p.source}: ${p.message}`);
  return asLines(out);
}

/**
 * The inode the container itself sees at the path (lstat through /proc/PID/root), said in words: it
 * is the check on the layers' answer, so when there is none the line says why.
 */
function mergedInode(w: Whence): string {
  const view = "in the container's own view";
  if (w.inodes.merged !== null) return `${w.inodes.merged} ${view}`;
  if (w.problems?.length) return `not known ${view}: it could not be looked at (problems below)`;
  return `none ${view}: the container does not see this path`;
}

/** `name`: the container's name, when the caller knows it (the editor does); the short id says which one. */
export function renderWhence(w: Whence, name?: string): string {
  const ref = (r: { path: string; role: string; index: number } | null): string => (r ? `${r.role} #${r.index} ${r.path}` : '—');
  const gone = w.deletedBy || w.hiddenByOpaque;
  const inNone = !w.visible && !gone && !w.shadowed.length;
  const out = [
    `${w.path} in ${name ? `${name} (${shortId(w.container)})` : shortId(w.container)}: ${w.visible ? `visible (${w.fileType})` : `not visible${inNone ? ': not in any layer' : ''}`}`,
  ];
  if (w.resolvedPath) out.push(`  resolves to  ${w.resolvedPath} (symlinks followed in the container)`);
  if (w.provider) out.push(`  provided by  ${ref(w.provider)}${w.copiedUp ? '  (copied up)' : ''}`);
  if (w.deletedBy) out.push(`  deleted by   ${ref(w.deletedBy)} (whiteout)`);
  if (w.hiddenByOpaque) out.push(`  hidden by    ${ref(w.hiddenByOpaque)} (opaque directory)`);
  // Below a whiteout or an opaque directory the older copies are still in their layers, only unseen.
  for (const s of w.shadowed) out.push(`  ${gone ? 'still in    ' : 'shadows     '} ${ref(s)}`);
  out.push(`  inode        ${mergedInode(w)}`);
  if (w.inodes.layers.length) out.push(`  in layers    ${w.inodes.layers.map((l) => `${l.role} #${l.index} inode ${l.inode}`).join(', ')}`);
  for (const p of w.problems ?? []) out.push(`  problem: ${p.source}: ${p.message}`);
  return asLines(out);
}

/** `docker diff`'s lines, then what was left out and why. */
export function renderDiff(d: ContainerDiff): string {
  const out = d.changes.map((c) => `${c.kind} ${c.path}${c.opaque ? "  (opaque: the image's content below is hidden)" : ''}`);
  if (!d.changes.length) out.push(`no changes in ${shortId(d.container)}'s writable layer`);
  if (d.truncated) out.push(`… more changes than the ${d.changes.length} shown`);
  for (const p of d.problems) out.push(`problem: ${p.source}: ${p.message}`);
  return asLines(out);
}

export function renderPageCache(r: PageCacheReport): string {
  const out = [`${r.target}: ${formatBytes(r.residentBytes)} resident (${r.method}); cgroup file charge ${formatBytes(r.cgroupFileBytes)}`];
  for (const l of r.layers) {
    out.push(
      `  ${l.layer.role} #${l.layer.index} ${l.layer.path}: ${formatBytes(l.residentBytes)} of ${formatBytes(l.bytes)} in ${plural(l.files, 'file')}`,
    );
    for (const f of l.topFiles) out.push(`      ${formatBytes(f.residentBytes).padStart(10)}  ${f.path}`);
  }
  for (const p of r.problems) out.push(`problem: ${p.source}: ${p.message}`);
  return asLines(out);
}

/** A limit change, planned or applied: one line per limit, before → after, and what is in use now. */
export function renderLimit(r: LimitResult): string {
  const out = [`${r.name} (cgroup ${r.cgroup.version} ${r.cgroup.path})${r.applied ? '' : ': would change'}`];
  for (const c of r.changes) {
    const use = c.usage === null ? '' : `   (${c.unit === 'bytes' ? `uses ${formatBytes(c.usage)}` : `${c.usage} now`})`;
    out.push(`  ${c.resource.padEnd(7)}${formatLimit(c.unit, c.before)} → ${formatLimit(c.unit, c.after)}${use}`);
  }
  for (const n of r.notes) out.push(`  note: ${n}`);
  return asLines(out);
}

/** An argument as sh would take it back: bare when plain, else in single quotes. */
function quoteWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/** A launch, planned or done: from which container, which layers, what runs, with which limits. */
export function renderLaunch(r: LaunchResult): string {
  const l = r.limits;
  const out = [
    `${r.name}${r.started ? ` started, pid ${r.pid}` : ': would start'} (runc, bundle ${r.bundle})`,
    `  from     ${r.from.name}: ${plural(r.lowerdirs.length, 'image layer')}, a fresh writable layer ${r.upperdir}${r.readOnly ? ' (root read-only)' : ''}`,
    `  command  ${r.command.map(quoteWord).join(' ')} as uid ${r.runAs.uid} gid ${r.runAs.gid} in ${r.runAs.cwd}`,
    `  limits   memory ${formatLimit('bytes', l.memoryBytes)}, pids ${formatLimit('pids', l.pidsMax)}, cpu ${formatLimit('cpus', l.cpus)}; cgroup ${r.cgroupPath}`,
  ];
  // The host directories the overlay is made of, top-most first: what the person agrees to mount.
  r.lowerdirs.forEach((d, i) => out.push(`  layer ${String(i).padEnd(3)}${d}`));
  for (const t of r.tmpfs) out.push(`  tmpfs    ${t.path} ${formatBytes(t.sizeBytes)}`);
  // The namespaces it joins, by inode: what the person agrees it will share with another container.
  if (r.sharedNs) {
    const joined = r.sharedNs.namespaces.map((n) => `${n.type}:[${n.inode}]`).join(' ');
    out.push(`  joins    ${r.sharedNs.container.name} (pid ${r.sharedNs.pid}): ${joined}`);
  }
  out.push(`  hostname ${r.hostname ?? `${r.sharedNs?.container.name ?? 'another container'}'s`}`);
  out.push(`  caps     ${r.capabilities.map((c) => c.replace(/^CAP_/, '')).join(' ') || 'none'}`);
  if (r.userNs) out.push(`  userns   root inside is ${r.userNs.outside} outside (${r.userNs.count} ids)`);
  // Names only: a value passed in may be a secret, and the plan is shown and logged.
  out.push(`  env      ${r.env.map((e) => e.slice(0, e.indexOf('='))).join(' ')}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  return asLines(out);
}
