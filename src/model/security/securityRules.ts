/**
 * What the security matrix says about a container: its facts in the matrix's columns and the flags raised
 * on them, each with a one-line reason. Pure (no vscode, no Node module): the panel's page and the CLI
 * import it as it is, and the rules are unit-tested on their own (test/unit/model/securityRules.test.ts).
 *
 * The reference is Docker's default capability set (moby oci/caps/defaults.go) with its default seccomp
 * profile: a container is judged by what it holds beyond that, and by combinations that hand it the host.
 */
import type { ContainerInfo, NsType } from '../../../server/protocol';
import { CAPABILITY_NAMES, DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';

export type Severity = 'critical' | 'warning' | 'info';

export interface SecurityFlag {
  /** Stable id of the rule (for tests, CSV, and sorting). */
  rule: string;
  severity: Severity;
  /** One line a person can act on. */
  reason: string;
  /** A few words for a tag where the reason is the hover (the info flags, which nearly every container has). */
  short: string;
}

export type UserNamespace = 'mapped' | 'host' | 'unknown';

export interface SecurityRow {
  id: string;
  name: string;
  /** Effective capabilities as names (unknown bits as `CAP_<n>`); null when unreadable. */
  capabilities: string[] | null;
  added: string[];
  dropped: string[];
  seccomp: ContainerInfo['seccomp'];
  noNewPrivs: boolean | null;
  lsmLabel: string | null;
  userNamespace: UserNamespace;
  hostNamespaces: NsType[];
  flags: SecurityFlag[];
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** Highest severity first, then more flags: the order "sort by risk" uses. */
export function riskScore(row: SecurityRow): number {
  return row.flags.reduce((n, f) => n + 10 ** SEVERITY_RANK[f.severity], 0);
}

/** A uid map that sends 0 to 0 over the whole range is no user namespace at all: root inside is root outside. */
export function userNamespaceOf(c: ContainerInfo): UserNamespace {
  if (c.sharesHostNamespaces.includes('user')) return 'host';
  const map = c.uidMap;
  if (!map) return 'unknown';
  const identity = map.length === 1 && map[0].inside === 0 && map[0].outside === 0 && map[0].count >= 4294967295;
  return identity ? 'host' : 'mapped';
}

const capName = (c: string | number): string => (typeof c === 'number' ? `CAP_${c}` : c);

interface Facts {
  caps: Set<string>;
  known: boolean;
  seccomp: ContainerInfo['seccomp'];
  noNewPrivs: boolean | null;
  lsm: string | null;
  userns: UserNamespace;
  host: Set<NsType>;
}

/** Each rule looks at the facts and returns its flag, or null. Order: most serious first. */
const RULES: ((f: Facts) => SecurityFlag | null)[] = [
  (f) =>
    f.known && CAPABILITY_NAMES.every((c) => f.caps.has(c))
      ? {
          rule: 'all-capabilities',
          short: 'every capability',
          severity: 'critical',
          reason: 'holds every capability, as --privileged does: nothing a root process on the host can do is withheld',
        }
      : null,
  (f) =>
    f.caps.has('CAP_SYS_ADMIN') && f.seccomp === 'disabled'
      ? {
          rule: 'sys-admin-no-seccomp',
          short: 'SYS_ADMIN, no seccomp',
          severity: 'critical',
          reason: 'CAP_SYS_ADMIN with seccomp off: mount, bpf, unshare and keyctl are all open, the usual way out of a container',
        }
      : null,
  (f) =>
    f.host.has('pid') && f.caps.has('CAP_SYS_PTRACE')
      ? {
          rule: 'host-pid-ptrace',
          short: 'host pid + SYS_PTRACE',
          severity: 'critical',
          reason: "shares the host's pid namespace and holds CAP_SYS_PTRACE: can read and write any host process's memory",
        }
      : null,
  (f) =>
    f.caps.has('CAP_SYS_MODULE')
      ? { rule: 'sys-module', short: 'SYS_MODULE', severity: 'critical', reason: 'CAP_SYS_MODULE: can load code into the host kernel' }
      : null,
  (f) =>
    f.host.has('mnt')
      ? {
          rule: 'host-mnt',
          short: 'host mounts',
          severity: 'critical',
          reason: "shares the host's mount namespace: sees and changes the host's mounts",
        }
      : null,
  (f) =>
    f.caps.has('CAP_DAC_READ_SEARCH')
      ? {
          rule: 'dac-read-search',
          short: 'DAC_READ_SEARCH',
          severity: 'critical',
          reason: 'CAP_DAC_READ_SEARCH: open_by_handle_at can open any file of a host filesystem by inode (the "shocker" escape)',
        }
      : null,
  (f) =>
    f.caps.has('CAP_SYS_ADMIN') && f.seccomp !== 'disabled'
      ? {
          rule: 'sys-admin',
          short: 'SYS_ADMIN',
          severity: 'warning',
          reason: 'CAP_SYS_ADMIN: mounts, namespaces and many device ioctls; only the seccomp filter stands between it and the host',
        }
      : null,
  (f) =>
    f.host.has('net') && f.caps.has('CAP_NET_ADMIN')
      ? {
          rule: 'host-net-admin',
          short: 'host net + NET_ADMIN',
          severity: 'warning',
          reason: "shares the host's network namespace and holds CAP_NET_ADMIN: can change the host's interfaces, routes and firewall",
        }
      : null,
  (f) =>
    f.seccomp === 'disabled'
      ? { rule: 'no-seccomp', short: 'no seccomp', severity: 'warning', reason: 'no seccomp filter: every system call reaches the kernel' }
      : null,
  (f) => {
    // user: its own rule; mnt: its own rule; time, and cgroup on a v1 host: Docker shares them by default,
    // and they hand a container little (the clocks' offsets; the host's cgroup paths, read-only).
    const shared = [...f.host].filter((t) => t === 'pid' || t === 'net' || t === 'ipc' || t === 'uts');
    return shared.length
      ? {
          rule: 'host-namespaces',
          short: 'host namespaces',
          severity: 'warning',
          reason: `shares the host's ${shared.join(', ')} namespace${shared.length > 1 ? 's' : ''}`,
        }
      : null;
  },
  (f) =>
    f.userns === 'host' && f.caps.size > 0
      ? {
          rule: 'no-userns',
          short: 'root is host root',
          severity: 'info',
          reason: "no user namespace of its own: its root is the host's root, its capabilities count on the host",
        }
      : null,
  (f) =>
    f.noNewPrivs === false
      ? {
          rule: 'new-privs',
          short: 'no_new_privs off',
          severity: 'info',
          reason: 'no_new_privs off: a setuid file inside can raise a process to more capabilities',
        }
      : null,
  (f) =>
    f.lsm === null || /^unconfined\b/.test(f.lsm)
      ? {
          rule: 'no-lsm',
          short: 'no LSM',
          severity: 'info',
          reason:
            f.lsm === null ? 'no AppArmor or SELinux label: no mandatory access control confines it' : 'its LSM profile is unconfined',
        }
      : null,
];

export function securityRow(c: ContainerInfo): SecurityRow {
  const caps = c.capabilities ? c.capabilities.effective.map(capName) : null;
  const facts: Facts = {
    caps: new Set(caps ?? []),
    known: caps !== null,
    seccomp: c.seccomp,
    noNewPrivs: c.noNewPrivs,
    lsm: c.lsmLabel,
    userns: userNamespaceOf(c),
    host: new Set(c.sharesHostNamespaces),
  };
  const flags = RULES.map((r) => r(facts)).filter((f): f is SecurityFlag => f !== null);
  return {
    id: c.id,
    name: c.name,
    capabilities: caps,
    added: caps ? caps.filter((x) => !DOCKER_DEFAULT_CAPS.includes(x)) : [],
    dropped: caps ? DOCKER_DEFAULT_CAPS.filter((x) => !facts.caps.has(x)) : [],
    seccomp: c.seccomp,
    noNewPrivs: c.noNewPrivs,
    lsmLabel: c.lsmLabel,
    userNamespace: facts.userns,
    hostNamespaces: [...c.sharesHostNamespaces].sort(),
    flags,
  };
}

/** The capability rows of the matrix: Docker's default set first (the reference), then every other one any container holds, in bit order. */
export function matrixCapabilities(rows: SecurityRow[]): string[] {
  const held = new Set(rows.flatMap((r) => r.capabilities ?? []));
  const others = [...CAPABILITY_NAMES, ...[...held].filter((c) => !CAPABILITY_NAMES.includes(c)).sort()].filter(
    (c) => held.has(c) && !DOCKER_DEFAULT_CAPS.includes(c),
  );
  return [...DOCKER_DEFAULT_CAPS, ...others];
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function csvField(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line per container: its facts, its flags, then one column per capability (1 = held). */
export function securityCsv(rows: SecurityRow[]): string {
  const caps = matrixCapabilities(rows);
  const head = ['name', 'id', 'seccomp', 'no_new_privs', 'lsm_label', 'user_namespace', 'host_namespaces', 'flags', ...caps];
  const lines = rows.map((r) => [
    r.name,
    r.id,
    r.seccomp ?? 'unknown',
    r.noNewPrivs === null ? 'unknown' : String(r.noNewPrivs),
    r.lsmLabel ?? '',
    r.userNamespace,
    r.hostNamespaces.join(' '),
    r.flags.map((f) => `${f.severity}: ${f.reason}`).join('; '),
    ...caps.map((c) => (r.capabilities === null ? '' : r.capabilities.includes(c) ? '1' : '0')),
  ]);
  return [head, ...lines].map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
