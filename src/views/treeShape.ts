/**
 * What the Nodes tree shows, as plain descriptors built from a snapshot. No vscode import: the view
 * adapter (nodesView.ts) turns descriptors into TreeItems, and unit tests check the shape directly on
 * snapshots recorded from the real rig.
 *
 * Ids are stable paths (node/container/section/...), so expansion state survives refreshes and deltas.
 */
import { describeHolders } from '../namespaceHolders';
import type { ContainerInfo, LayerRef, LayerScan, MountInfo, NamespaceInfo, NsType, Problem, Snapshot } from '../../server/protocol';
import { problemWords } from './problemWords';
import { DOCKER_DEFAULT_CAPS } from '../../server/discover/capabilities';
import { formatBytes, formatCpuQuota, formatLimitBytes, plural } from '../../server/units';

export type ItemKind =
  | 'containers' | 'runtime' | 'container' | 'section' | 'fact' | 'namespace' | 'layer' | 'layerPart'
  | 'capability' | 'mount' | 'process' | 'nodeNamespaces' | 'nsType' | 'nodeLayers' | 'user' | 'message'
  | 'problems' | 'problem';

export interface ItemDesc {
  id: string;
  kind: ItemKind;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** A codicon name. */
  icon?: string;
  contextValue?: string;
  expandable: boolean;
  /** What commands act on: ids, paths, the raw JSON shown by Inspect. */
  containerId?: string;
  pid?: number;
  layerPath?: string;
  namespace?: { type: NsType; inode: number };
  copyText?: string;
  inspect?: unknown;
}

/** Layer scans fetched on demand when a layer is expanded; an error is kept as its message. */
export type ScanState = LayerScan | { error: string } | 'loading';

const SECTIONS = ['overview', 'namespaces', 'layers', 'cgroup', 'capabilities', 'mounts', 'processes'] as const;
type Section = (typeof SECTIONS)[number];

export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

function percent(part: number | null, whole: number | null): string {
  return part !== null && whole ? ` (${Math.round((part / whole) * 100)}%)` : '';
}

export function memoryLine(c: ContainerInfo): string | null {
  const m = c.cgroup?.memory;
  return m ? `${formatBytes(m.usageBytes)} / ${formatLimitBytes(m.limitBytes)}${percent(m.usageBytes, m.limitBytes)}` : null;
}

export function pidsLine(c: ContainerInfo): string | null {
  const p = c.cgroup?.pids;
  return p ? `${p.current ?? '?'} / ${p.max ?? 'unlimited'}` : null;
}

/** Effective set compared with Docker's default: "+CAP_SYS_PTRACE −CAP_NET_RAW". */
export function capabilityDiff(c: ContainerInfo): { added: string[]; dropped: string[] } {
  const eff = (c.capabilities?.effective ?? []).map(String);
  return {
    added: eff.filter((x) => !DOCKER_DEFAULT_CAPS.includes(x)),
    dropped: DOCKER_DEFAULT_CAPS.filter((x) => !eff.includes(x)),
  };
}

/** Every capability a container holds, in words, for a hover where the table or tree shows only the difference. */
export function capabilityList(c: ContainerInfo): string {
  const caps = c.capabilities;
  if (!caps) return 'capabilities unknown';
  const diff = capabilityDiff(c);
  return [
    `${plural(caps.effective.length, 'effective capability', 'effective capabilities')}: ${caps.effective.join(', ') || 'none'}`,
    diff.added.length ? `added to Docker's default: ${diff.added.join(', ')}` : null,
    diff.dropped.length ? `dropped from Docker's default: ${diff.dropped.join(', ')}` : null,
  ]
    .filter((x) => x !== null)
    .join('\n');
}

function containerUsers(s: Snapshot, path: string): string[] {
  return s.layers.find((l) => l.path === path)?.usedBy ?? [];
}

export function nodeChildren(nodeId: string, s: Snapshot): ItemDesc[] {
  const hidden = s.namespaces.filter((n) => n.processCount === 0).length;
  return [
    { id: `${nodeId}/containers`, kind: 'containers', label: 'Containers', description: `${s.containers.length}`, icon: 'package', expandable: true },
    { id: `${nodeId}/namespaces`, kind: 'nodeNamespaces', label: 'Namespaces', description: `${s.namespaces.length}${hidden ? ` (${hidden} without processes)` : ''}`, icon: 'symbol-namespace', expandable: true },
    { id: `${nodeId}/layers`, kind: 'nodeLayers', label: 'Layers', description: `${s.layers.length}`, icon: 'layers', expandable: true },
    // What the agent could not read: the facts it left unknown say why here, rather than nowhere.
    ...(s.problems.length
      ? [{
          id: `${nodeId}/problems`,
          kind: 'problems' as const,
          label: 'Problems',
          description: `${s.problems.length}`,
          tooltip: 'What the agent could not read in the last full snapshot (Refresh takes a new one). The facts they concern are shown as unknown.',
          icon: 'warning',
          expandable: true,
        }]
      : []),
  ];
}

export function problemItems(id: string, problems: Problem[]): ItemDesc[] {
  return problems.map((p, i) => ({
    id: `${id}/${i}:${p.source}`,
    kind: 'problem' as const,
    label: p.source,
    // What the agent could not read, then what that leaves unknown and (in the tooltip) why.
    description: [p.message, problemWords(p)?.effect].filter(Boolean).join(': '),
    tooltip: [`\`${p.source}\`: ${p.message}`, problemWords(p)?.why].filter(Boolean).join('\n\n'),
    icon: 'warning',
    expandable: false,
    copyText: `${p.source}: ${p.message}`,
  }));
}

export function runtimeGroups(nodeId: string, s: Snapshot): ItemDesc[] {
  const runtimes = [...new Set(s.containers.map((c) => c.runtime))].sort();
  if (!runtimes.length) return [{ id: `${nodeId}/containers/none`, kind: 'message', label: 'No containers on this node', expandable: false, icon: 'info' }];
  return runtimes.map((r) => ({
    id: `${nodeId}/containers/${r}`,
    kind: 'runtime',
    label: r,
    description: `${s.containers.filter((c) => c.runtime === r).length}`,
    icon: r === 'kubernetes' ? 'server-environment' : 'server-process',
    expandable: true,
  }));
}

export function containerItem(nodeId: string, c: ContainerInfo): ItemDesc {
  const mem = memoryLine(c);
  const label = c.pod ? `${c.pod.namespace}/${c.pod.name}${c.pod.containerName ? ` · ${c.pod.containerName}` : ''}` : c.name;
  const tooltip = [
    `**${c.name}** (${c.runtime})`,
    '',
    `- id: \`${c.id}\``,
    c.image ? `- image: \`${c.image}\`` : null,
    `- init pid: ${c.initPid}, ${plural(c.pids.length, 'process', 'processes')}`,
    `- hostname: ${c.hostname ?? 'unknown'}`,
    mem ? `- memory: ${mem}` : null,
    pidsLine(c) ? `- pids: ${pidsLine(c)}` : null,
    c.rootfs ? `- root: ${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}, ${plural(c.rootfs.layers.length, 'layer')}` : null,
  ]
    .filter((x) => x !== null)
    .join('\n');
  return {
    id: `${nodeId}/c/${c.id}`,
    kind: 'container',
    label,
    description: [shortId(c.id), mem ? `mem ${mem}` : null].filter(Boolean).join(' · '),
    tooltip,
    icon: 'vm-running',
    // `.launched`: one Nodescope launched, which it may also stop and remove.
    contextValue: `container.running.${c.runtime}${c.labels['nodescope.launched'] === '1' ? '.launched' : ''}`,
    expandable: true,
    containerId: c.id,
    copyText: c.id,
    inspect: c,
  };
}

export function containersOf(nodeId: string, s: Snapshot, runtime: string): ItemDesc[] {
  return s.containers
    .filter((c) => c.runtime === runtime)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => containerItem(nodeId, c));
}

export function containerSections(nodeId: string, c: ContainerInfo): ItemDesc[] {
  const base = `${nodeId}/c/${c.id}`;
  const diff = capabilityDiff(c);
  const describe: Record<Section, [string, string | undefined, string]> = {
    overview: ['Overview', c.image ?? c.runtime, 'info'],
    namespaces: ['Namespaces', c.sharesHostNamespaces.length ? `shares host ${c.sharesHostNamespaces.join(', ')}` : 'all own', 'symbol-namespace'],
    layers: ['Layers', c.rootfs ? `${c.rootfs.layers.length}${c.rootfs.readOnly ? ', read-only root' : ''}` : 'unknown', 'layers'],
    cgroup: ['cgroup', [memoryLine(c) && `mem ${memoryLine(c)}`, pidsLine(c) && `pids ${pidsLine(c)}`].filter(Boolean).join(' · ') || undefined, 'dashboard'],
    capabilities: [
      'Capabilities',
      c.capabilities ? `${c.capabilities.effective.length} effective${diff.added.length || diff.dropped.length ? ` · ${[...diff.added.map((x) => `+${x.slice(4)}`), ...diff.dropped.map((x) => `−${x.slice(4)}`)].join(' ')} vs Docker default` : ''}` : 'unknown',
      'shield',
    ],
    mounts: ['Mounts', `${c.mounts.length}`, 'folder-library'],
    processes: ['Processes', `${c.pids.length}`, 'list-tree'],
  };
  return SECTIONS.map((sec) => ({
    id: `${base}/${sec}`,
    kind: 'section',
    label: describe[sec][0],
    description: describe[sec][1],
    icon: describe[sec][2],
    expandable: true,
    containerId: c.id,
    contextValue: `section.${sec}`,
  }));
}

function fact(id: string, label: string, value: string | number | boolean | null | undefined, tooltip?: string): ItemDesc {
  const text = value === null || value === undefined ? 'unknown' : String(value);
  return { id, kind: 'fact', label, description: text, tooltip, expandable: false, copyText: text };
}

export function sectionChildren(nodeId: string, s: Snapshot, c: ContainerInfo, section: string, scans: Map<string, ScanState>): ItemDesc[] {
  const base = `${nodeId}/c/${c.id}/${section}`;
  switch (section) {
    case 'overview':
      return [
        fact(`${base}/id`, 'id', c.id),
        fact(`${base}/name`, 'name', c.name),
        fact(`${base}/runtime`, 'runtime', c.runtime),
        fact(`${base}/image`, 'image', c.image),
        ...(c.pod ? [fact(`${base}/pod`, 'pod', `${c.pod.namespace}/${c.pod.name}`)] : []),
        fact(`${base}/pid`, 'init pid', c.initPid),
        fact(`${base}/hostname`, 'hostname', c.hostname),
        fact(`${base}/root`, 'root filesystem', c.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}` : null),
        fact(`${base}/seccomp`, 'seccomp', c.seccomp === null ? null : `${c.seccomp}${c.seccompFilters ? ` (${c.seccompFilters} filters)` : ''}`),
        fact(`${base}/nnp`, 'no_new_privs', c.noNewPrivs),
        fact(`${base}/lsm`, 'LSM label', c.lsmLabel ?? 'none'),
        ...c.unknown.map((u, i) => ({ ...fact(`${base}/unknown/${i}`, 'unknown', `${u.source}: ${u.message}`), icon: 'warning' })),
      ];
    case 'namespaces':
      return (Object.entries(c.namespaces) as [NsType, number | null][]).map(([type, inode]) => {
        const ns = inode === null ? undefined : s.namespaces.find((n) => n.type === type && n.inode === inode);
        const others = (ns?.containerIds ?? []).filter((id) => id !== c.id);
        const sharing = ns?.isHost ? 'shared with the host' : others.length ? `shared with ${others.length} other container${others.length > 1 ? 's' : ''}` : ns ? 'own' : 'not in the snapshot';
        return {
          id: `${base}/${type}`,
          kind: 'namespace',
          label: type,
          description: inode === null ? 'unknown' : `[${inode}] · ${sharing}`,
          tooltip: ns ? namespaceTooltip(s, ns) : undefined,
          icon: ns?.isHost ? 'home' : 'symbol-namespace',
          contextValue: `namespace.${type}`,
          expandable: false,
          containerId: c.id,
          namespace: inode === null ? undefined : { type, inode },
          copyText: inode === null ? undefined : `${type}:[${inode}]`,
          inspect: ns,
        };
      });
    case 'layers':
      return (c.rootfs?.layers ?? []).map((l) => layerItem(`${base}/${l.index}`, s, l, scans.get(l.path), c.id));
    case 'cgroup':
      return cgroupFacts(base, c);
    case 'capabilities': {
      const caps = c.capabilities;
      if (!caps) return [fact(`${base}/unknown`, 'capabilities', null)];
      const diff = capabilityDiff(c);
      const items: ItemDesc[] = caps.effective.map((cap) => ({
        id: `${base}/eff/${cap}`,
        kind: 'capability',
        label: String(cap),
        description: diff.added.includes(String(cap)) ? 'added (not in Docker default)' : undefined,
        icon: diff.added.includes(String(cap)) ? 'diff-added' : 'pass',
        expandable: false,
        copyText: String(cap),
      }));
      for (const d of diff.dropped) items.push({ id: `${base}/dropped/${d}`, kind: 'capability', label: d, description: 'dropped (in Docker default)', icon: 'diff-removed', expandable: false });
      items.push(
        fact(`${base}/bounding`, 'bounding set', plural(caps.bounding.length, 'capability', 'capabilities'), caps.bounding.join(', ')),
        fact(`${base}/permitted`, 'permitted set', plural(caps.permitted.length, 'capability', 'capabilities')),
        fact(`${base}/inheritable`, 'inheritable set', caps.inheritable.length ? caps.inheritable.join(', ') : 'empty'),
        fact(`${base}/ambient`, 'ambient set', caps.ambient.length ? caps.ambient.join(', ') : 'empty'),
      );
      return items;
    }
    case 'mounts':
      return c.mounts.map((m) => ({
        id: `${base}/${m.mountId}`,
        kind: 'mount',
        label: m.target,
        description: [`${m.fstype}${m.readOnly ? ' ro' : ''}${m.sizeBytes !== null ? ` size ${formatBytes(m.sizeBytes)}` : ''}`, m.root !== '/' ? `from ${compactPath(m.root)}` : null].filter(Boolean).join(' · '),
        tooltip: mountTooltip(m),
        icon: m.readOnly ? 'lock' : 'folder',
        expandable: false,
        inspect: m,
      }));
    case 'processes':
      return s.processes
        .filter((p) => p.containerId === c.id)
        .map((p) => ({
          id: `${base}/${p.pid}`,
          kind: 'process',
          label: `${p.pid} ${p.comm}`,
          // A command line the agent cut at 4 KiB ends in "…": what is shown is not all of it.
          description: [p.nspid.length > 1 ? `pid ${p.nspid[p.nspid.length - 1]} inside` : null, p.truncated && p.cmdline ? `${p.cmdline}…` : p.cmdline].filter(Boolean).join(' · '),
          icon: p.pid === c.initPid ? 'star-full' : 'circle-small',
          contextValue: 'process',
          expandable: false,
          containerId: c.id,
          pid: p.pid,
          copyText: String(p.pid),
          inspect: p,
        }));
  }
  return [];
}

function cgroupFacts(base: string, c: ContainerInfo): ItemDesc[] {
  const cg = c.cgroup;
  if (!cg) return [fact(`${base}/none`, 'cgroup', null)];
  const out = [fact(`${base}/path`, `path (${cg.version})`, cg.path)];
  if (cg.memory) {
    out.push(fact(`${base}/memory`, 'memory', memoryLine(c)));
    out.push(fact(`${base}/memory.peak`, 'memory peak', formatBytes(cg.memory.peakBytes)));
    out.push(fact(`${base}/memory.file`, 'page cache charged', formatBytes(cg.memory.fileBytes), 'Page cache is charged to the cgroup that first touched the page.'));
    out.push(fact(`${base}/memory.anon`, 'anonymous memory', formatBytes(cg.memory.anonBytes)));
    if (cg.memory.oomKills !== null || cg.memory.oomEvents !== null) out.push(fact(`${base}/oom`, 'OOM kills', cg.memory.oomKills));
  }
  if (cg.pids) out.push(fact(`${base}/pids`, 'pids', pidsLine(c)));
  if (cg.cpu) {
    out.push(fact(`${base}/cpu`, 'cpu limit', formatCpuQuota(cg.cpu.quotaUs, cg.cpu.periodUs)));
    if (cg.cpu.shares !== null) out.push(fact(`${base}/cpu.shares`, 'cpu shares', cg.cpu.shares));
    if (cg.cpu.weight !== null) out.push(fact(`${base}/cpu.weight`, 'cpu weight', cg.cpu.weight));
    out.push(fact(`${base}/cpu.usage`, 'cpu used', cg.cpu.usageUsec === null ? null : `${(cg.cpu.usageUsec / 1e6).toFixed(2)} s`));
  }
  for (const l of cg.io?.limits ?? []) out.push(fact(`${base}/io/${l.device}`, `io ${l.device}`, `read ${formatLimitBytes(l.rbps)}/s, write ${formatLimitBytes(l.wbps)}/s`));
  for (const [k, p] of Object.entries(cg.pressure ?? {})) {
    if (p) out.push(fact(`${base}/psi/${k}`, `${k} pressure`, `some ${p.some.avg10}% (10 s), ${p.some.avg60}% (60 s)`, 'PSI: share of time at least one task stalled waiting for this resource.'));
  }
  return out;
}

export function layerItem(id: string, s: Snapshot, l: LayerRef, scan: ScanState | undefined, containerId?: string): ItemDesc {
  const label = l.role === 'upper' ? 'upper (writable)' : `${l.role} #${l.index}`;
  // Not verified on the host: only a string of the container's mount namespace, never scanned or opened there.
  if (l.hostPath === null) {
    return { id, kind: 'layer', label, description: `not verified on the host · ${l.path}`, tooltip: `\`${l.path}\` is what the container's overlay names, not a host directory: ${l.unverified ?? 'not verified'}`, icon: 'warning', expandable: false, containerId, copyText: l.path, inspect: l };
  }
  const users = containerUsers(s, l.path);
  const shared = users.length > 1 ? `shared by ${users.length} containers` : null;
  let scanned: string | null = null;
  if (scan === 'loading') scanned = 'scanning…';
  else if (scan && 'error' in scan) scanned = `scan failed: ${scan.error}`;
  else if (scan) scanned = `${plural(scan.whiteouts.length, 'whiteout')}, ${scan.opaqueDirs.length} opaque${scan.problems.length ? ` (incomplete: ${scan.problems.length} unreadable)` : ''}`;
  const info = s.layers.find((x) => x.path === l.path);
  return {
    id,
    kind: 'layer',
    label,
    description: [shared, scanned, compactPath(l.path)].filter(Boolean).join(' · '),
    tooltip: [`\`${l.path}\``, '', shared ?? 'used by this container only', info?.identity?.diffId ? `\n\ndiff id \`${info.identity.diffId}\`` : ''].join('\n'),
    icon: shared ? 'layers-active' : 'layers',
    contextValue: 'layer',
    expandable: true,
    layerPath: l.path,
    containerId,
    copyText: l.path,
    inspect: info ?? l,
  };
}

/**
 * `/var/lib/docker/overlay2/<64 hex>/diff` → `overlay2/0123456789ab…/diff`; any other 64-digit id in a
 * path (`/var/lib/docker/containers/<id>/hosts`) → its first 12 digits and `…`.
 */
function compactPath(p: string): string {
  return p.replace(/^.*\/(overlay2|overlay|snapshots)\/([0-9a-f]{12})[0-9a-f]{52}/, '$1/$2…').replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}

/**
 * Where a mount's content comes from. mountinfo's `source` is the filesystem's device or name, the same
 * for every bind mount from one disk (`/dev/vda`); its `root` is the directory or file of that filesystem
 * that the mount shows (proc(5), mountinfo field 4), which for a bind mount is what tells it apart.
 */
export function mountTooltip(m: MountInfo): string {
  const from =
    m.root === '/'
      ? `the whole ${m.fstype} filesystem \`${m.source}\``
      : `\`${m.root}\` of the ${m.fstype} filesystem \`${m.source}\` (only that part of it, as a bind mount or a cgroup namespace shows it, not the whole filesystem)`;
  return [`**${m.target}**${m.readOnly ? ' (read-only)' : ''}`, '', `shows ${from}`, '', `mount options: \`${m.options}\``, '', `filesystem options: \`${m.superOptions}\``].join('\n');
}

export function layerParts(id: string, scan: ScanState | undefined): ItemDesc[] {
  if (!scan || scan === 'loading') return [{ id: `${id}/loading`, kind: 'message', label: 'Scanning…', icon: 'loading~spin', expandable: false }];
  if ('error' in scan) return [{ id: `${id}/error`, kind: 'message', label: scan.error, icon: 'error', expandable: false }];
  const out: ItemDesc[] = [fact(`${id}/size`, 'content', `${plural(scan.files, 'file')}, ${plural(scan.dirs, 'dir')}, ${formatBytes(scan.bytes)}`)];
  for (const w of scan.whiteouts) out.push({ id: `${id}/wh/${w.path}`, kind: 'layerPart', label: `/${w.path}`, description: `deleted (whiteout, ${w.kind})`, icon: 'trash', expandable: false, copyText: `/${w.path}` });
  for (const o of scan.opaqueDirs) out.push({ id: `${id}/opq/${o.path}`, kind: 'layerPart', label: `/${o.path}`, description: `opaque directory (${o.kind})`, icon: 'eye-closed', expandable: false, copyText: `/${o.path}` });
  for (const r of scan.redirects) out.push({ id: `${id}/rd/${r.path}`, kind: 'layerPart', label: `/${r.path}`, description: `redirect → ${r.target}`, icon: 'arrow-right', expandable: false });
  if (scan.metacopy.length) out.push(fact(`${id}/metacopy`, 'metacopy files', scan.metacopy.length));
  // Counts above are only as complete as the walk: say which directories it could not read.
  out.push(...problemItems(`${id}/problems`, scan.problems));
  return out;
}

function namespaceTooltip(s: Snapshot, n: NamespaceInfo): string {
  const names = n.containerIds.map((id) => s.containers.find((c) => c.id === id)?.name ?? shortId(id));
  return [
    `**${n.type}:[${n.inode}]**${n.isHost ? ' (host)' : ''}`,
    '',
    `- processes: ${n.processCount}${n.ealdorman ? ` (eldest ${n.ealdorman})` : ''}`,
    `- held by: ${describeHolders(n)}`,
    n.ownerUserNs ? `- owner user namespace: [${n.ownerUserNs}]` : null,
    n.parent ? `- parent: [${n.parent}]` : null,
    names.length ? `- containers: ${names.join(', ')}` : null,
  ]
    .filter((x) => x !== null)
    .join('\n');
}

export function namespaceTypes(nodeId: string, s: Snapshot): ItemDesc[] {
  const types = [...new Set(s.namespaces.map((n) => n.type))].sort();
  return types.map((t) => ({ id: `${nodeId}/ns/${t}`, kind: 'nsType', label: t, description: `${s.namespaces.filter((n) => n.type === t).length}`, icon: 'symbol-namespace', expandable: true }));
}

export function namespacesOfType(nodeId: string, s: Snapshot, type: string): ItemDesc[] {
  return s.namespaces
    .filter((n) => n.type === type)
    .map((n) => {
      const names = n.containerIds.map((id) => s.containers.find((c) => c.id === id)?.name ?? shortId(id));
      const holder = n.processCount ? plural(n.processCount, 'process', 'processes') : `held by ${describeHolders(n)}`;
      return {
        id: `${nodeId}/ns/${type}/${n.inode}`,
        kind: 'namespace' as const,
        label: `[${n.inode}]`,
        description: [n.isHost ? 'host' : null, holder, names.length ? names.join(', ') : null].filter(Boolean).join(' · '),
        tooltip: namespaceTooltip(s, n),
        icon: n.isHost ? 'home' : n.processCount ? 'symbol-namespace' : 'pin',
        contextValue: `namespace.${type}${n.processCount ? '' : '.held'}`,
        expandable: false,
        containerId: n.containerIds[0],
        namespace: { type: n.type, inode: n.inode },
        copyText: `${type}:[${n.inode}]`,
        inspect: n,
      };
    });
}

export function nodeLayers(nodeId: string, s: Snapshot, scans: Map<string, ScanState>): ItemDesc[] {
  return [...s.layers]
    .sort((a, b) => b.usedBy.length - a.usedBy.length || a.path.localeCompare(b.path))
    .map((l, i) => layerItem(`${nodeId}/layers/${i}:${l.path}`, s, { path: l.path, role: Object.values(l.roles)[0] ?? 'lower', index: i }, scans.get(l.path)));
}

export function layerUsers(id: string, s: Snapshot, path: string): ItemDesc[] {
  const l = s.layers.find((x) => x.path === path);
  return (l?.usedBy ?? []).map((cid) => {
    const c = s.containers.find((x) => x.id === cid);
    return { id: `${id}/user/${cid}`, kind: 'user', label: c?.name ?? shortId(cid), description: l?.roles[cid], icon: 'vm', expandable: false, containerId: cid };
  });
}
