/** A container's cgroup: its path, each limit next to what is in use, pressure. */
import type { ContainerInfo } from '../../../server/protocol';
import { formatBytes, formatCpuQuota, formatLimitBytes } from '../../../server/units';
import { memoryLine, pidsLine } from '../../model/format/container';
import { fact } from './fact';
import type { ItemOf } from './item';

export function cgroupFacts(base: string, c: ContainerInfo): ItemOf<'fact'>[] {
  const cg = c.cgroup;
  if (!cg) return [fact(`${base}/none`, 'cgroup', null)];
  const out = [fact(`${base}/path`, `path (${cg.version})`, cg.path)];
  if (cg.memory) {
    out.push(fact(`${base}/memory`, 'memory', memoryLine(c)));
    out.push(fact(`${base}/memory.peak`, 'memory peak', formatBytes(cg.memory.peakBytes)));
    out.push(
      fact(
        `${base}/memory.file`,
        'page cache charged',
        formatBytes(cg.memory.fileBytes),
        'Page cache is charged to the cgroup that first touched the page.',
      ),
    );
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
  for (const l of cg.io?.limits ?? [])
    out.push(fact(`${base}/io/${l.device}`, `io ${l.device}`, `read ${formatLimitBytes(l.rbps)}/s, write ${formatLimitBytes(l.wbps)}/s`));
  for (const [k, p] of Object.entries(cg.pressure ?? {})) {
    if (p)
      out.push(
        fact(
          `${base}/psi/${k}`,
          `${k} pressure`,
          `some ${p.some.avg10}% (10 s), ${p.some.avg60}% (60 s)`,
          'PSI: share of time at least one task stalled waiting for this resource.',
        ),
      );
  }
  return out;
}
