/**
 * The OCI runtime config (runtime-spec 1.0, config.md and config-linux.md) for a test container launched
 * next to an existing one: its own pid, mount, ipc, uts, network (loopback only) and cgroup namespaces (or
 * some joined of another container, launchShareNs.ts; a user namespace when asked), a root on an overlay of
 * the source container's image layers, Docker's default capabilities (or those asked for), no new
 * privileges, the /proc and /sys paths Docker masks, and the limits asked for. Pure: launch.ts writes it
 * to the bundle and runs runc on it.
 */
import { DOCKER_DEFAULT_CAPS } from '../discover/capabilities';

export interface LaunchSpecInput {
  /** The container's id for runc, its hostname and its cgroup name. */
  id: string;
  args: string[];
  cwd: string;
  user: { uid: number; gid: number };
  env: string[];
  readOnly: boolean;
  tmpfs: { path: string; sizeBytes: number }[];
  memoryBytes: number | null;
  pidsMax: number | null;
  /** CPU quota over a 100 ms period; null: no quota. */
  cpus: number | null;
  /** Annotations runc keeps in its state (as labels), which name the container as Nodescope's. */
  annotations: Record<string, string>;
  /** Default: the id. null: the uts namespace is another container's (runc sets none in a namespace it did not make). */
  hostname?: string | null;
  /** Bounding, effective and permitted alike; default Docker's default set. */
  capabilities?: readonly string[];
  /** Namespaces joined instead of made: the runtime-spec type → the path runc opens. Default: none. */
  joined?: Partial<Record<string, string>>;
  /** A user namespace of its own, root inside mapped to `outside` (gids alike); absent or null: none. */
  userNs?: { outside: number; count: number } | null;
}

export const CPU_PERIOD_US = 100_000;
/** Where a launched container's cgroups go, under each hierarchy's root. */
export const LAUNCH_CGROUP_PARENT = '/nodescope';

// Docker's lists (moby oci/defaults.go): kernel interfaces a container has no business reading or writing.
const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function launchSpec(i: LaunchSpecInput): Record<string, unknown> {
  const caps = [...(i.capabilities ?? DOCKER_DEFAULT_CAPS)];
  const joined = i.joined ?? {};
  const hostname = i.hostname === undefined ? i.id : i.hostname;
  const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  if (i.memoryBytes !== null) resources.memory = { limit: i.memoryBytes };
  if (i.pidsMax !== null) resources.pids = { limit: i.pidsMax };
  if (i.cpus !== null) resources.cpu = { quota: Math.round(i.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: i.user,
      args: i.args,
      env: i.env,
      cwd: i.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: i.readOnly },
    ...(hostname === null ? {} : { hostname }),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...i.tmpfs.map((t) => ({ destination: t.path, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', `size=${t.sizeBytes}`] })),
    ],
    annotations: i.annotations,
    linux: {
      cgroupsPath: `${LAUNCH_CGROUP_PARENT}/${i.id}`,
      resources,
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', ...(i.userNs ? ['user'] : [])].map((type) =>
        joined[type] ? { type, path: joined[type] } : { type },
      ),
      ...(i.userNs
        ? {
            uidMappings: [{ containerID: 0, hostID: i.userNs.outside, size: i.userNs.count }],
            gidMappings: [{ containerID: 0, hostID: i.userNs.outside, size: i.userNs.count }],
          }
        : {}),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
