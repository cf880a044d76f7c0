/**
 * A container's facts in the short words every view uses: the tree's rows, the overview panel's cells
 * and their hovers. No vscode import and no Node module: the browser bundle of the panels
 * (src/webview-ui/) imports this as the extension host does.
 */
import type { ContainerInfo } from '../../../server/protocol';
import { DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';
import { formatBytes, formatLimitBytes, plural } from '../../../server/units';

/** An engine's 64-digit id cut to the 12 digits docker prints; any other id as it is. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

function percent(part: number | null, whole: number | null): string {
  return part !== null && whole ? ` (${Math.round((part / whole) * 100)}%)` : '';
}

/** "12.0 MiB / 64.0 MiB (19%)"; null when the cgroup's memory is unknown. */
export function memoryLine(c: ContainerInfo): string | null {
  const m = c.cgroup?.memory;
  return m ? `${formatBytes(m.usageBytes)} / ${formatLimitBytes(m.limitBytes)}${percent(m.usageBytes, m.limitBytes)}` : null;
}

/** "3 / 50"; null when the cgroup's pids controller is unknown. */
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
