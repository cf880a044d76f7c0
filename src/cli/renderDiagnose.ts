/**
 * `nodescope diagnose CONTAINER`: the report as text, headline first (written again in the reader's time
 * zone), then a block per section. An unknown figure prints as "unknown", never as 0. Pure.
 */
import type { DiagnoseReport, NetSocket } from '../../server/protocol';
import { headlineOf, localClock } from '../../server/diagnose/headline';
import { formatBytes, formatCpuQuota, plural } from '../../server/units';

/** A full time for a section line: local date and time to the second. */
const stamp = (iso: string | null): string => {
  if (!iso) return 'unknown';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('sv-SE');
};

const n = (v: number | null | undefined): string => (v === null || v === undefined ? 'unknown' : String(v));
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(whole && part / whole < 0.1 ? 1 : 0)} %`;

function oomBlock(r: DiagnoseReport, out: string[]): void {
  const o = r.oom;
  out.push('', `OOM kills: ${n(o.count)}${o.events !== null ? ` (limit hit ${plural(o.events, 'time')})` : ''}`);
  for (const k of o.kills) {
    const mem = k.usageBytes !== null ? `, cgroup at ${formatBytes(k.usageBytes)} of ${formatBytes(k.limitBytes)}` : '';
    out.push(`  ${stamp(k.at)}  ${k.command} (pid ${k.pid}) rss ${formatBytes(k.rssBytes)}${mem}  ${k.cgroup}`);
  }
  if (o.note) out.push(`  note: ${o.note}`);
}

function exitsBlock(r: DiagnoseReport, out: string[]): void {
  const e = r.exits;
  out.push('', `Exits (${e.source ?? 'unknown'}):`);
  if (e.unknown) {
    out.push(`  unknown: ${e.unknown}`);
    return;
  }
  out.push(
    `  status ${e.status ?? 'unknown'}, exit code ${n(e.exitCode)}${e.signal ? ` (${e.signal})` : ''}, restarts ${n(e.restartCount)}`,
  );
  out.push(`  OOM-killed (engine): ${e.oomKilled === null ? 'unknown' : e.oomKilled ? 'yes' : 'no'}`);
  out.push(`  started ${stamp(e.startedAt)}, finished ${e.finishedAt ? stamp(e.finishedAt) : '-'}`);
  if (e.error) out.push(`  error: ${e.error}`);
}

function memoryBlock(r: DiagnoseReport, out: string[]): void {
  const m = r.memory;
  if (!m) return;
  out.push(
    '',
    `Memory: ${formatBytes(m.usageBytes)} of ${m.limitBytes === null ? 'no limit' : formatBytes(m.limitBytes)}` +
      ` (anon ${formatBytes(m.anonBytes)}, file ${formatBytes(m.fileBytes)}, kernel ${formatBytes(m.kernelBytes)})`,
  );
  out.push(`  ${'PID'.padStart(8)}  ${'PSS'.padStart(10)}  ${'RSS'.padStart(10)}  ${'SWAP'.padStart(10)}  COMMAND`);
  for (const p of m.processes) {
    out.push(
      `  ${String(p.pid).padStart(8)}  ${formatBytes(p.pssBytes).padStart(10)}  ${formatBytes(p.rssBytes).padStart(10)}  ${formatBytes(p.swapBytes).padStart(10)}  ${p.command}`,
    );
  }
  if (m.truncated) out.push('  (more processes not listed)');
}

function cpuBlock(r: DiagnoseReport, out: string[]): void {
  const c = r.cpu;
  if (!c) return;
  const total =
    c.periods && c.throttledPeriods !== null
      ? `throttled in ${c.throttledPeriods} of ${c.periods} periods (${pct(c.throttledPeriods, c.periods)}), ${((c.throttledUsec ?? 0) / 1e6).toFixed(1)} s in all`
      : 'no periods counted (no quota, or not run yet)';
  out.push('', `CPU: quota ${formatCpuQuota(c.quotaUs, c.periodUs)}; ${total}`);
  const s = c.sinceLast;
  if (s) {
    out.push(
      `  since the last look (${s.seconds.toFixed(0)} s): ${s.throttledPeriods} of ${s.periods} periods throttled` +
        `${s.periods ? ` (${pct(s.throttledPeriods, s.periods)})` : ''}, ${(s.throttledUsec / 1e6).toFixed(2)} s`,
    );
  } else out.push('  rate: look again to see throttling since now');
}

function diskBlock(r: DiagnoseReport, out: string[]): void {
  const d = r.disk;
  if (!d) return;
  out.push(
    '',
    `Disk: wrote ${formatBytes(d.usedBytes)} in ${plural(d.files, 'file')}${d.truncated ? ' (walk cut short: at least)' : ''}  ${d.upperDir}`,
  );
  if (d.filesystem) {
    const f = d.filesystem;
    out.push(`  file system: ${formatBytes(f.availableBytes)} available of ${formatBytes(f.totalBytes)}`);
  }
  for (const e of d.biggestFiles) out.push(`  ${formatBytes(e.bytes).padStart(10)}  ${e.path}`);
  if (d.biggestDirs.length) out.push('  directories:');
  for (const e of d.biggestDirs) out.push(`  ${formatBytes(e.bytes).padStart(10)}  ${e.path}/`);
}

const owners = (s: NetSocket): string => s.owners.map((o) => `${o.command}(${o.pid})`).join(',') || '-';

function networkBlock(r: DiagnoseReport, out: string[]): void {
  const net = r.network;
  if (!net) return;
  out.push('', `Network (net namespace ${n(net.netns)}${net.sharesHost ? ", the host's" : ''}):`);
  for (const i of net.interfaces) {
    out.push(
      `  ${i.name} ${i.state ?? 'state unknown'} mtu ${n(i.mtu)} ${i.addresses.join(' ') || '-'}` +
        `  rx ${formatBytes(i.rxBytes)} (${i.rxErrors} err, ${i.rxDropped} drop)  tx ${formatBytes(i.txBytes)} (${i.txErrors} err, ${i.txDropped} drop)`,
    );
  }
  for (const rt of net.routes) out.push(`  route ${rt.destination}${rt.gateway ? ` via ${rt.gateway}` : ''} dev ${rt.device}`);
  for (const s of net.sockets) {
    out.push(`  ${s.protocol.padEnd(5)} ${s.state.padEnd(11)} ${(s.local ?? '-').padEnd(24)} ${(s.remote ?? '-').padEnd(24)} ${owners(s)}`);
  }
  if (net.truncated) out.push('  (more sockets not listed)');
}

export function renderDiagnose(r: DiagnoseReport): string {
  const c = r.container;
  const out = [`${c.name} (${c.runtime}, ${c.running ? `running, init pid ${c.initPid}` : 'not running'})`, headlineOf(r, localClock)];
  oomBlock(r, out);
  exitsBlock(r, out);
  memoryBlock(r, out);
  cpuBlock(r, out);
  diskBlock(r, out);
  networkBlock(r, out);
  if (r.unknown.length) {
    out.push('', 'Unknown:');
    for (const p of r.unknown) out.push(`  ${p.source}: ${p.message}`);
  }
  return out.join('\n');
}
