/**
 * The one contract between the agent (server/) and its clients (the extension, the CLI, the tests).
 *
 * Everything that crosses the JSON-RPC channel is declared here: method names, parameter and result
 * shapes, notifications and error codes. Both sides import this module; nothing else is shared.
 *
 * Conventions, because an inspection tool must never guess:
 * - A number that could not be read is `null`, never 0. "Unlimited" is also `null` for limits, and the
 *   reason a value is missing is recorded in `problems` (snapshot-wide) or `unknown` (per container).
 * - Inodes are namespace inodes on the nsfs device (what `stat /proc/PID/ns/X` gives as st_ino).
 * - Paths are host paths unless a field says otherwise.
 */

export const PROTOCOL_VERSION = 1;
export const SCHEMA_VERSION = 1 as const;

export const NS_TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;
export type NsType = (typeof NS_TYPES)[number];
export type NsInodes = Record<NsType, number | null>;

/** Something the agent could not read; the snapshot still stands, with this fact marked unknown. */
export interface Problem {
  /** What was being read, e.g. `/proc/1/ns/net` or `docker:config.v2.json`. */
  source: string;
  /** One line a person can act on, e.g. `permission denied (EACCES)`. */
  message: string;
}

// ---------------------------------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------------------------------

export interface Snapshot {
  schemaVersion: typeof SCHEMA_VERSION;
  /** ISO-8601 time the snapshot was taken. */
  takenAt: string;
  agentVersion: string;
  host: HostInfo;
  processes: ProcessInfo[];
  namespaces: NamespaceInfo[];
  containers: ContainerInfo[];
  layers: LayerInfo[];
  problems: Problem[];
}

export type CgroupVersion = 'v1' | 'v2' | 'hybrid';

export interface HostInfo {
  hostname: string;
  kernel: string;
  arch: string;
  cgroupVersion: CgroupVersion;
  /** The namespaces taken as "the host's": the agent's own (PID 1's are often unreadable). */
  namespaces: NsInodes;
  /** Number of processes seen in this snapshot. */
  processCount: number;
}

export interface ThreadNamespaces {
  tid: number;
  /** Only the types in which this thread differs from its process. */
  namespaces: Partial<NsInodes>;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** argv joined with spaces; `null` when unreadable (kernel threads have an empty one: ""). */
  cmdline: string | null;
  /** Real uid as seen from the host. */
  uid: number | null;
  namespaces: NsInodes;
  /** PID in each nested PID namespace, outermost (host) first; from `NSpid:` in status. */
  nspid: number[];
  /** Container this process belongs to, or null for the host. */
  containerId: string | null;
  /** Threads whose namespaces differ from the process's (rare, but real: setns from a thread). */
  threads: ThreadNamespaces[];
  /** Process start time in clock ticks since boot (field 22 of stat): tells a reused PID apart. */
  startTime: number | null;
  /** `cmdline` is only its first 4 KiB: the agent reads no more of a command line (absent when whole). */
  truncated?: boolean;
}

export type NsHolder = 'process' | 'fd' | 'bindmount';

export interface NamespaceInfo {
  type: NsType;
  inode: number;
  /** Processes (not threads) whose /proc/PID/ns/<type> is this namespace. */
  processCount: number;
  /** Owning user namespace inode (NS_GET_USERNS); null if unknown or not permitted. */
  ownerUserNs: number | null;
  /** Parent namespace inode (NS_GET_PARENT), for pid and user namespaces only; null at the top. */
  parent: number | null;
  /** Owner uid of a user namespace (NS_GET_OWNER_UID); null for other types. */
  ownerUid: number | null;
  isHost: boolean;
  containerIds: string[];
  /** How this namespace is kept alive. A namespace with no process is held only by fds or bind mounts. */
  heldBy: NsHolder[];
  /** Bind-mount targets holding it (e.g. `/run/netns/foo`), as seen in any mount namespace. */
  bindMounts: string[];
  /** Open file descriptors holding it. */
  fdHolders: { pid: number; fd: number }[];
  /** "Ealdorman": the top-most, oldest process in the namespace; null when held only by fds/mounts. */
  ealdorman: number | null;
  /** `bindMounts` lists only the first 64, or has a path cut at 4 KiB (absent when whole). */
  truncated?: boolean;
}

export type Runtime = 'docker' | 'containerd' | 'kubernetes' | 'podman' | 'cri-o' | 'runc' | 'lxc' | 'nspawn' | 'bare';

export interface PodInfo {
  name: string;
  namespace: string;
  uid: string | null;
  containerName: string | null;
}

export interface ContainerInfo {
  /** Engine id (Docker: the full 64-hex id). A bare container gets `bare-<initPid>-<pidns inode>`. */
  id: string;
  /** Engine name (Docker: without the leading slash); bare: the init process's comm. */
  name: string;
  runtime: Runtime;
  image: string | null;
  imageId: string | null;
  pod: PodInfo | null;
  labels: Record<string, string>;
  initPid: number;
  pids: number[];
  /** Read from the container's uts namespace. */
  hostname: string | null;
  namespaces: NsInodes;
  /** Namespace types the container shares with the host (e.g. `pid` for `--pid host`). */
  sharesHostNamespaces: NsType[];
  cgroup: CgroupInfo | null;
  capabilities: CapabilitySets | null;
  noNewPrivs: boolean | null;
  seccomp: 'disabled' | 'strict' | 'filter' | null;
  seccompFilters: number | null;
  /** AppArmor or SELinux label from /proc/PID/attr/current; null if none or unreadable. */
  lsmLabel: string | null;
  uidMap: IdMapEntry[] | null;
  gidMap: IdMapEntry[] | null;
  rootfs: RootfsInfo | null;
  mounts: MountInfo[];
  /** Fields that could not be read for this container, with why. */
  unknown: Problem[];
  /**
   * A field the node controls was cut (names, labels, mount paths at 4 KiB each; at most 256 labels and
   * 4,096 mounts): `unknown` says which. Absent when everything is whole.
   */
  truncated?: boolean;
}

export interface IdMapEntry {
  inside: number;
  outside: number;
  count: number;
}

export interface CapabilitySets {
  /** Decoded names, `CAP_*`; bits the agent does not know by name are listed as numbers. */
  effective: (string | number)[];
  permitted: (string | number)[];
  inheritable: (string | number)[];
  bounding: (string | number)[];
  ambient: (string | number)[];
  /** The raw hex masks as in /proc/PID/status, for whoever wants to check the decoding. */
  masks: { effective: string; permitted: string; inheritable: string; bounding: string; ambient: string };
}

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  total: number;
}
export interface Pressure {
  some: PressureLine;
  full: PressureLine | null;
}

export interface CgroupInfo {
  /** Which hierarchy the limits below were read from for this container. */
  version: 'v1' | 'v2';
  /** The cgroup path (v2 path, or the memory controller's path on v1), relative to the hierarchy root. */
  path: string;
  /** v1: controller → path; v2: {"": path}. */
  paths: Record<string, string>;
  memory: {
    limitBytes: number | null;
    usageBytes: number | null;
    peakBytes: number | null;
    /** Page cache charged to this cgroup (v1 `total_cache`/`cache`, v2 `file`). */
    fileBytes: number | null;
    /** Anonymous memory (v1 `total_rss`/`rss`, v2 `anon`). */
    anonBytes: number | null;
    oomEvents: number | null;
    oomKills: number | null;
    stat: Record<string, number>;
  } | null;
  cpu: {
    quotaUs: number | null;
    periodUs: number | null;
    shares: number | null;
    weight: number | null;
    usageUsec: number | null;
  } | null;
  pids: { max: number | null; current: number | null } | null;
  io: {
    /** One entry per device with a limit; each value null when unlimited. */
    limits: { device: string; rbps: number | null; wbps: number | null; riops: number | null; wiops: number | null }[];
    /**
     * Bytes read and written since the cgroup was made, summed over devices: v2 io.stat rbytes/wbytes; v1
     * blkio.throttle.io_service_bytes_recursive, which the kernel keeps only for a cgroup with a throttle
     * rule (null without one: unknown, not 0). Optional: older agents do not send them.
     */
    readBytes?: number | null;
    writeBytes?: number | null;
  } | null;
  pressure: { cpu: Pressure | null; memory: Pressure | null; io: Pressure | null } | null;
}

export type LayerRole = 'upper' | 'lower' | 'data';

export interface LayerRef {
  /**
   * The directory as the overlay's mount options name it (Docker's relative `l/` links resolved). For a
   * container's layer this is a string in the mount namespace that made the overlay, not necessarily a
   * host path: read `hostPath`.
   */
  path: string;
  role: LayerRole;
  /** 0 = the upper (or the top-most lower when there is no upper); increasing downwards. */
  index: number;
  /**
   * A container's layer only (absent for a directory named directly): the directory on the host once
   * verified there (server/discover/layerTrust.ts), else null, and `path` must not be opened on the host.
   */
  hostPath?: string | null;
  /** Why hostPath is null ("not under an engine's storage root", ...); null when verified. */
  unverified?: string | null;
}

export interface OverlayInfo {
  /** Top-most first, absolute, with Docker's relative `l/` links resolved to their target dirs. */
  lowerdirs: string[];
  /** Data-only lower layers (after `::`), in order. */
  dataLowerdirs: string[];
  upperdir: string | null;
  workdir: string | null;
  index: boolean | null;
  redirectDir: string | null;
  metacopy: boolean | null;
  xino: string | null;
  volatile: boolean;
  userxattr: boolean;
}

export interface RootfsInfo {
  fstype: string;
  source: string;
  readOnly: boolean;
  overlay: OverlayInfo | null;
  /** Upper first, then lowers top-most first, then data-only lowers. Empty when not an overlay. */
  layers: LayerRef[];
}

export interface MountInfo {
  mountId: number;
  parentId: number;
  /** Mount point as seen inside the container. */
  target: string;
  fstype: string;
  source: string;
  /** Root of the mount within its filesystem. */
  root: string;
  readOnly: boolean;
  options: string;
  superOptions: string;
  /** tmpfs `size=` in bytes; null when not a sized tmpfs. */
  sizeBytes: number | null;
}

export interface LayerIdentity {
  engine: 'docker' | 'containerd' | 'containers-storage';
  /** Docker layerdb chain id / containers-storage layer id / containerd snapshot id. */
  id: string | null;
  /** Docker layerdb diff id (content digest of the uncompressed layer). */
  diffId: string | null;
  /** Docker overlay2 cache id (directory name under overlay2/). */
  cacheId: string | null;
}

export interface LayerInfo {
  /** The layer directory on the host (overlay2 `.../diff`, containerd `.../fs`): verified layers only. */
  path: string;
  usedBy: string[];
  /** Role per user container (a dir may be the upper of one and a lower of others). */
  roles: Record<string, LayerRole>;
  /** Bytes on disk as recorded by the engine (layerdb `size`), else null; the scan gives the real count. */
  sizeBytes: number | null;
  identity: LayerIdentity | null;
}

// ---------------------------------------------------------------------------------------------------
// Layer scan, whence, page cache
// ---------------------------------------------------------------------------------------------------

export interface LayerScan {
  /** The scanned directory, as given (absolute). All other paths are relative to it, no leading slash. */
  path: string;
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  /** path is always the DELETED path: for 'wh-file' (`dir/.wh.name`) it is `dir/name`, without the prefix. */
  whiteouts: { path: string; kind: 'chardev' | 'xattr' | 'wh-file' }[];
  /** path is the opaque directory itself, also for 'wh-opq' (the dir holding `.wh..wh..opq`); '' = the layer root. */
  opaqueDirs: { path: string; kind: 'xattr' | 'wh-opq' }[];
  redirects: { path: string; target: string }[];
  metacopy: string[];
  problems: Problem[];
  /** The walk stopped at a limit (entries or depth, see problems): the figures cover only what was walked. */
  truncated?: boolean;
}

export interface Whence {
  container: string;
  /** Absolute path inside the container, as asked (normalised). */
  path: string;
  /** The path looked up after following symlinks on the way (`/bin/sh` → `/usr/bin/sh`); absent when none. */
  resolvedPath?: string;
  visible: boolean;
  fileType: 'file' | 'dir' | 'symlink' | 'other' | null;
  provider: LayerRef | null;
  deletedBy: LayerRef | null;
  hiddenByOpaque: LayerRef | null;
  /**
   * Lower copies of the path that the provider hides, top-most first; for a path that is not visible, the
   * lower layers that still hold it under the whiteout (deletedBy) or the opaque directory (hiddenByOpaque).
   */
  shadowed: LayerRef[];
  /** True when the upper layer holds a copy of a path that also exists in a lower layer. */
  copiedUp: boolean;
  inodes: { merged: number | null; layers: { path: string; role: LayerRole; index: number; inode: number }[] };
  /** Why a figure is missing, or where the layers and the container's own view disagree (e.g. a mount covers the path). */
  problems?: Problem[];
}

/** One change of a running container against its image, as `docker diff` names them: Added, Changed, Deleted. */
export interface ContainerChange {
  /** Absolute path inside the container. */
  path: string;
  kind: 'A' | 'C' | 'D';
  /** What the writable layer holds there now; null for a deletion. */
  fileType: 'file' | 'dir' | 'symlink' | 'other' | null;
  /** A directory made opaque: everything the image had below it is gone (only its new content shows). */
  opaque?: boolean;
}

/** What a container wrote, from its upper (writable) layer, checked against the image's layers. */
export interface ContainerDiff {
  container: string;
  /** The upper layer directory read. */
  upper: string;
  /** Sorted by path. */
  changes: ContainerChange[];
  /** More changes than `limit` were found; `changes` holds `limit` of them (the first the walk met). */
  truncated: boolean;
  problems: Problem[];
}

// Layer report and listing (`nodescope layers`, `nodescope ls`): a container's or an image's layers as dive shows them.

/** What a layer of the stack is: the container's writable layer, Docker's init layer, an image layer, or not known. */
export type LayerOrigin = 'container' | 'init' | 'image' | null;

export interface ReportLayer {
  /** 0 = top-most (the upper of a container), increasing downwards, as LayerRef.index. */
  index: number;
  /** The layer directory on the host (verified). */
  path: string;
  role: LayerRole;
  origin: LayerOrigin;
  /** The image history's command for this layer (Docker's image config); null when not known (imported, writable, init). */
  createdBy: string | null;
  /** History entries that made no layer (`empty_layer`: ENV, LABEL...) just before this one, in order. */
  emptyHistory: string[];
  /** On the top-most image layer: empty history entries after it (a final CMD, LABEL). */
  trailingHistory?: string[];
  /** Regular file content, a hard-linked file once (as docker history sizes count it, with symlinkBytes). */
  bytes: number;
  /** Lengths of the symlinks' targets: docker history sizes count these too (bytes + symlinkBytes = its size). */
  symlinkBytes: number;
  files: number;
  whiteouts: number;
  opaqueDirs: number;
  /** Directories carrying an `overlay.redirect` mark (a directory renamed with redirect_dir=on: its content lives at the path the mark names). */
  redirects: number;
  /** Containers (ids) whose overlay uses this directory, from the snapshot. */
  usedBy: string[];
}

export interface ReportTarget {
  kind: 'container' | 'image';
  id: string;
  name: string;
  /** Whose image store the history came from: Docker's (image/overlay2) or containerd's (content store + snapshotter). Absent for a container. */
  engine?: 'docker' | 'containerd';
}

export interface WastedEntry {
  /** Absolute in the merged view. */
  path: string;
  bytes: number;
  /** Index of the layer holding the unseen copy. */
  layer: number;
}

export interface LayerReport {
  target: ReportTarget;
  /** Upper first. Data-only lowers are left out (never looked up by name). */
  layers: ReportLayer[];
  /** 1 − wastedBytes / totalBytes; 1 when the layers hold no file content. */
  efficiency: number;
  /** Bytes in regular files the merged view never shows (overwritten, removed, hidden by an opaque dir). */
  wastedBytes: number;
  /** Regular file content of all layers. */
  totalBytes: number;
  /** Largest first, at most `top` of them; wastedFiles counts them all. */
  wasted: WastedEntry[];
  wastedFiles: number;
  /** A walk stopped at the request's limit: the figures cover only what was walked (problems say where). */
  truncated: boolean;
  problems: Problem[];
}

/** Against the layers below the listed one: Added, Modified, Removed (a whiteout or an opaque dir hides it), Unmodified. */
export type ListingMark = 'A' | 'M' | 'R' | 'U';

export interface ListingEntry {
  name: string;
  /** What it is now; for R, what the layers below had. */
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Regular file size; 0 otherwise. */
  bytes: number;
  mark: ListingMark;
  /** The layer whose copy is listed (for R: the layer below that had it). */
  layer: number;
  /** R because the listed layer holds a whiteout for it. */
  whiteout?: boolean;
  /** R because the listed layer made the directory opaque. */
  hiddenByOpaque?: boolean;
  /** A directory the listed layer made opaque. */
  opaque?: boolean;
}

export interface LayerListing {
  target: ReportTarget;
  /** Absolute directory listed. */
  path: string;
  layer: number;
  /** true: the merged view of `layer` and those below; false: `layer` alone. */
  merged: boolean;
  /** The listed layer made this directory opaque (or one above it). */
  opaque: boolean;
  /** Sorted by name. */
  entries: ListingEntry[];
  /** More entries than the listing's limit. */
  truncated: boolean;
  problems: Problem[];
}

// Layer explorer (`layers.explore`): one page of one directory, for a tree that loads lazily.

/** An entry of an explorer page: a listing entry and whether expanding it shows anything. */
export interface ExplorerEntry extends ListingEntry {
  /**
   * A directory (not R) whose view holds at least one entry: the same view as the page (the layer alone, or
   * merged up to the layer), before filters. False for anything else and for R entries (what a removal
   * hid is listed by asking for the layer below).
   */
  hasChildren: boolean;
}

export interface LayerExploreParams {
  /** Container (id, unique prefix, name) or image (id, prefix, repository[:tag]; Docker's or containerd's). */
  target: Subject;
  /** The report's layer index: 0 = top-most. Default 0. */
  layer?: number;
  /** Absolute directory in the container's file system; default "/". No `.` or `..` components. */
  path?: string;
  /** true (default): the merged view up to and including `layer` (dive's "aggregated"); false: the layer alone. */
  merged?: boolean;
  /** Index of the first entry returned, in the filtered list sorted by name (byte order); default 0. */
  offset?: number;
  /** Entries per page, 1 to 5000; default 500. */
  limit?: number;
  /** Leave out U entries (dive's "changes only"): what the listed layer does not touch. */
  changesOnly?: boolean;
  /**
   * Path filter, at most 1024 characters. With any of `* ? [` it is a glob: `*` and `?` within one
   * component, `**` across components, `[abc]`/`[a-z]`/`[!x]` a class; a glob holding `/` is matched
   * against the entry's whole absolute path (`/usr/**.so`), one without against its name
   * (`*.so`). Otherwise it is a case-sensitive substring of the absolute path. Only non-directories are
   * filtered: directories always stay listed, so the tree below them stays reachable.
   */
  pattern?: string;
}

export interface LayerExplorePage {
  target: ReportTarget;
  /** Absolute directory listed. */
  path: string;
  layer: number;
  merged: boolean;
  /** The listed layer made this directory opaque (or one above it). */
  opaque: boolean;
  /** Entries after the filters, in the whole directory (the page holds `entries.length` of them from `offset`). */
  total: number;
  /** Entries of the directory before the filters. */
  unfiltered: number;
  /** Per mark, after the filters. */
  marks: Record<ListingMark, number>;
  offset: number;
  /** Sorted by name (byte order), `limit` at most. */
  entries: ExplorerEntry[];
  /** A layer's directory held more names than one listing reads (LIST_MAX): the listing covers only those. */
  truncated: boolean;
  problems: Problem[];
}

export interface PageCacheFile {
  path: string;
  bytes: number;
  residentBytes: number;
}

export interface PageCacheLayer {
  layer: LayerRef;
  files: number;
  bytes: number;
  residentBytes: number;
  /** Files with the most resident bytes, at most `top` of them. */
  topFiles: PageCacheFile[];
  /** The walk of this layer stopped at a limit (see the report's problems): its figures cover only what was walked. */
  truncated?: boolean;
}

export interface PageCacheReport {
  target: string;
  kind: 'container' | 'dir';
  method: 'cachestat' | 'mincore';
  pageSize: number;
  layers: PageCacheLayer[];
  residentBytes: number;
  /** The container's memory cgroup file charge, for comparison: shared pages go to first toucher. */
  cgroupFileBytes: number | null;
  problems: Problem[];
  /** Some layer's walk stopped at the request's limit (entries or depth): see the layers and problems. */
  truncated?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Enter
// ---------------------------------------------------------------------------------------------------

/** A file of a container as the container sees it (lstat: a symlink is described, not followed). */
export interface ContainerFileStat {
  /** Absolute path inside the container. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits (st_mode & 07777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  ctimeMs: number;
  /** A symlink's target, as written. */
  target?: string;
}

export interface ContainerFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
}

/**
 * Which files the layerFiles.* methods read: the layer `layer` of `target` (a container or a Docker image,
 * as layers.list takes it; 0 = top-most, as LayerRef.index) alone, or with `merged` the overlay of that
 * layer and every layer below it, as the kernel merges them (the image as it stood when the layer was made).
 */
export interface LayerView {
  target: Subject;
  layer: Count;
  merged: boolean;
}

/** What the file decorations show: the layer that serves an entry, and the overlay marks on it. */
export interface LayerFileMarks {
  /** The layer whose copy is shown. */
  layer: number;
  /** A whiteout (a layer's own view only: the merged view does not show deleted names). */
  whiteout?: true;
  /** A directory the serving layer made opaque. */
  opaque?: true;
  /** Served by the writable layer while a lower layer holds it too: the container changed the image's copy. */
  copiedUp?: true;
}

export interface LayerFileStat extends ContainerFileStat {
  marks: LayerFileMarks;
  /** The stack around the view, for comparisons: its top-most image layer (null: none known), its bottom layer. */
  imageLayer: number | null;
  bottomLayer: number;
}

export interface LayerFileEntry extends ContainerFileEntry {
  marks: LayerFileMarks;
}

/** An account from the container's own /etc/passwd (not the node's). */
export interface ContainerUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** What "Enter as…" can offer for a container: its shells and its users, read from its own root. */
export interface EnterOptions {
  container: string;
  pid: number;
  /** Shells that exist in the container's root (its /etc/shells, then the usual places); the default first. */
  shells: string[];
  users: ContainerUser[];
  /** Why a list is short or empty (no /etc/passwd in the image, unreadable, too large). */
  problems?: Problem[];
}

export interface EnterPlan {
  container: string;
  pid: number;
  /** The start time that identified the process; the launcher re-checks it just before exec. */
  startTime: number;
  /** Shell found in the container's root filesystem, e.g. `/bin/bash`; null when there is none. */
  shell: string | null;
  /** Who the command runs as; null = root, as the namespaces' owner (nsenter's default). */
  user: { name: string | null; uid: number; gid: number } | null;
  /** argv to run on the node (as root) to enter: `nsenter --target PID --all ... -- SHELL`. */
  argv: string[];
}

/**
 * A debug shell (server/act/debug.ts): in all of the container's namespaces, its files at `/`, a static
 * busybox of the node on PATH, mounted over `toolboxAt` in a private copy of its mount namespace (the
 * container sees no change). `shell`: the toolbox's sh, or null when a command runs instead.
 */
export interface DebugPlan extends EnterPlan {
  /** The node's file the toolbox was copied from. */
  toolbox: string;
  /** The directory of the container that the toolbox covers, in the debug shell's view only. */
  toolboxAt: string;
}

export type LimitResource = 'memory' | 'pids' | 'cpu';

/**
 * New limits for a container's cgroup; an absent key is left as it is, null lifts the limit. A limit
 * below what the container uses now is refused (the kernel would reclaim, OOM-kill or refuse forks).
 */
export interface LimitParams {
  container: Subject;
  memoryBytes?: number | null;
  pidsMax?: number | null;
  /** CPUs' worth of time per period, e.g. 0.5; written as the CFS quota over the cgroup's own period. */
  cpus?: number | null;
  /** Check everything and say what would change, writing nothing. */
  dryRun?: boolean;
}

export interface LimitChange {
  resource: LimitResource;
  /** The cgroupfs file written (or that would be). */
  file: string;
  unit: 'bytes' | 'pids' | 'cpus';
  /** The limit as the kernel reported it before; null = unlimited. */
  before: number | null;
  /** Applied: read back from the kernel after writing (it rounds memory to whole pages). Dry run: what would be written. */
  after: number | null;
  /** true when `after` was read back from the kernel; false for a dry run, or when reading back failed (a note says so). */
  readBack: boolean;
  /** What the container uses now (bytes; tasks, i.e. processes and threads); null for cpu, which is not a level. */
  usage: number | null;
}

export interface LimitResult {
  container: string;
  name: string;
  cgroup: { version: 'v1' | 'v2'; path: string };
  /** false for a dry run. */
  applied: boolean;
  changes: LimitChange[];
  /** What the person should know: the engine still records the old limit, swap allowance, … */
  notes: string[];
}

/**
 * A test container launched next to an existing one: an overlay of `from`'s image (lower) layers with a
 * fresh upper layer, run by runc with its own namespaces and the limits given (absent or null: none).
 */
export interface LaunchParams {
  from: Subject;
  /** runc's id and the container's hostname; default "<from>-test". */
  name?: string;
  /** Default: the argv of `from`'s init process. */
  command?: string[];
  memoryBytes?: number | null;
  pidsMax?: number | null;
  cpus?: number | null;
  readOnly?: boolean;
  tmpfs?: { path: string; sizeBytes: number }[];
  dryRun?: boolean;
  /** The layer directories of the plan the person confirmed: refused when the source's differ now. */
  lowerdirs?: string[];
  /**
   * Join these namespaces of a running container (as `kubectl debug --target`); the root and the mount
   * namespace stay the launch's own. `inodes`: those of the plan the person confirmed, refused when they differ now.
   */
  shareNs?: { container: Subject; types: ShareableNs[]; inodes?: Partial<Record<ShareableNs, number>> };
  /** Default: the name. Not with a shared uts namespace (the target's is the one it has). */
  hostname?: string;
  /** Capability names, with or without `CAP_`, taken from or added to Docker's default set; `ALL` drops or adds every one. */
  capDrop?: string[];
  capAdd?: string[];
  /** A user namespace of its own: root inside is an unprivileged range of uids and gids outside. */
  userNs?: boolean;
  /** `KEY=VALUE`, after PATH and HOSTNAME (which they may override). */
  env?: string[];
}

/** The namespaces a launch can join instead of making its own. */
export const SHAREABLE_NS = ['net', 'pid', 'ipc', 'uts'] as const;
export type ShareableNs = (typeof SHAREABLE_NS)[number];

export interface LaunchResult {
  container: string;
  name: string;
  from: { id: string; name: string };
  /** false for a dry run. */
  started: boolean;
  pid: number | null;
  bundle: string;
  /** Top-most first, as the overlay stacks them. */
  lowerdirs: string[];
  upperdir: string;
  cgroupPath: string;
  command: string[];
  /** Who and where the command runs: as the source's bundle says, or root in / for a command given. */
  runAs: { uid: number; gid: number; cwd: string };
  readOnly: boolean;
  tmpfs: { path: string; sizeBytes: number }[];
  limits: { memoryBytes: number | null; pidsMax: number | null; cpus: number | null };
  /** The namespaces it joins instead of making its own: whose (init pid) and which, by inode. */
  sharedNs: { container: { id: string; name: string }; pid: number; namespaces: { type: ShareableNs; inode: number }[] } | null;
  /** null: the target's (a shared uts namespace). */
  hostname: string | null;
  /** The capabilities it holds (bounding, effective, permitted), `CAP_*`. */
  capabilities: string[];
  /** Its own user namespace: root inside is `outside` … `outside + count - 1`; null: none. */
  userNs: { outside: number; count: number } | null;
  /** Its environment as runc is given it (runc adds HOME from the image's passwd when it is absent). */
  env: string[];
  notes: string[];
}

export interface StopResult {
  container: string;
  /** false for a dry run. */
  removed: boolean;
  /** Whether its process runs (dry run: before stopping it; after: false). */
  running: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------------
// diagnose (issue 13): why a container is broken, one section per source. A figure the agent could not
// read is null and a line in the section's `unknown` (or the report's) says why: never a guessed number.

/** One OOM kill, from the kernel's own report in /dev/kmsg. */
export interface OomKill {
  /** Wall time of the kill (the kernel log's monotonic stamp put on this clock); null when unknown. */
  at: string | null;
  /** The kernel log's sequence number: identifies the kill across reads. */
  seq: number;
  pid: number;
  /** The victim's command (the kernel's `task=`, its comm: 15 characters at most). */
  command: string;
  /** The victim's resident memory at the kill (anon + file + shmem rss), when the report said it. */
  rssBytes: number | null;
  /** The cgroup's usage and limit at the kill ("memory: usage …kB, limit …kB"). */
  usageBytes: number | null;
  limitBytes: number | null;
  /** The victim's memory cgroup (`task_memcg`) and the one whose limit was hit (`oom_memcg`). */
  cgroup: string;
  oomCgroup: string;
}
export interface DiagnoseOom {
  /** Kills the cgroup counted (v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill`); null when unknown. */
  count: number | null;
  /** Times the limit was hit (v2 memory.events `oom`); v1 counts none. */
  events: number | null;
  /** Oldest first: those the kernel log still held, or the agent saw while it ran, matched to this container's cgroup. */
  kills: OomKill[];
  /** Why `kills` may hold fewer than `count` (the log wrapped, /dev/kmsg unreadable). */
  note: string | null;
}
export interface DiagnoseExits {
  /** Where these came from: the Docker Engine API, or nothing that could say. */
  source: 'docker' | null;
  status: string | null;
  running: boolean | null;
  exitCode: number | null;
  /** The signal an exit code above 128 stands for ("SIGKILL"). */
  signal: string | null;
  oomKilled: boolean | null;
  restartCount: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The engine's error text for the last start, when any. */
  error: string | null;
  /** Why the fields above are null, when they are. */
  unknown: string | null;
}
export interface ProcessMemory {
  pid: number;
  command: string;
  rssBytes: number | null;
  pssBytes: number | null;
  swapBytes: number | null;
}
export interface DiagnoseMemory {
  limitBytes: number | null;
  usageBytes: number | null;
  anonBytes: number | null;
  fileBytes: number | null;
  kernelBytes: number | null;
  /** Largest PSS first (RSS where PSS is unknown); at most DIAGNOSE_PROCESSES_MAX. */
  processes: ProcessMemory[];
  /** More processes than were listed. */
  truncated?: boolean;
}
export interface DiagnoseThrottling {
  quotaUs: number | null;
  periodUs: number | null;
  /** cpu.stat's counters since the cgroup was made. */
  periods: number | null;
  throttledPeriods: number | null;
  throttledUsec: number | null;
  /** The same counters since this agent last diagnosed this container; null the first time. */
  sinceLast: { seconds: number; periods: number; throttledPeriods: number; throttledUsec: number } | null;
}
export interface DiskEntry {
  /** Path as the container sees it. */
  path: string;
  /** Bytes allocated on disk (st_blocks × 512, as du counts). */
  bytes: number;
}
export interface DiagnoseDisk {
  upperDir: string;
  /** Allocated bytes of everything the container wrote (its upper layer), hard links counted once. */
  usedBytes: number;
  files: number;
  biggestFiles: DiskEntry[];
  /** Directories by the bytes below them. */
  biggestDirs: DiskEntry[];
  /** The file system under the upper layer (statfs). */
  filesystem: { totalBytes: number; freeBytes: number; availableBytes: number } | null;
  /** The walk stopped at a limit: figures cover only what was walked. */
  truncated?: boolean;
}
export interface NetInterface {
  name: string;
  /** operstate ("UP", "DOWN", "UNKNOWN"), from the node's `ip` run in the namespace; null when it could not run. */
  state: string | null;
  mtu: number | null;
  /** CIDR notation. */
  addresses: string[];
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}
export interface NetRoute {
  family: 4 | 6;
  /** CIDR; "default" for 0.0.0.0/0 and ::/0. */
  destination: string;
  gateway: string | null;
  device: string;
}
export interface NetSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix';
  /** LISTEN, ESTABLISHED, …; UDP: UNCONN or ESTABLISHED; unix: LISTEN, CONNECTED, UNCONNECTED. */
  state: string;
  /** address:port, or a unix socket's path (null when unnamed; "@name" when abstract). */
  local: string | null;
  remote: string | null;
  inode: number;
  /** Processes of the container holding it open (socket inode → /proc/PID/fd). */
  owners: { pid: number; command: string }[];
}
export interface DiagnoseNetwork {
  /** The net namespace's inode. */
  netns: number | null;
  /** The container shares the host's net namespace: these are the host's. */
  sharesHost: boolean;
  interfaces: NetInterface[];
  routes: NetRoute[];
  sockets: NetSocket[];
  /** Lists were cut at their bounds. */
  truncated?: boolean;
}
export interface DiagnoseReport {
  container: { id: string; name: string; runtime: Runtime; running: boolean; initPid: number | null };
  takenAt: string;
  /** One line: the most telling fact ("OOM-killed 3 times, last at 14:02: java at 2.0 GiB of 2.0 GiB"). */
  headline: string;
  oom: DiagnoseOom;
  exits: DiagnoseExits;
  /** Null when the container is not running (nothing to read), with why in `unknown`. */
  memory: DiagnoseMemory | null;
  cpu: DiagnoseThrottling | null;
  disk: DiagnoseDisk | null;
  network: DiagnoseNetwork | null;
  unknown: Problem[];
}

// ---------------------------------------------------------------------------------------------------

/**
 * What a request is about: a container (id, unique id prefix or name), an image, or a path. Never empty.
 * The agent checks every request's params against schemas made from these types
 * (server/protocolParams.schema.json, `npm run schema`); the annotations below are part of them.
 * @minLength 1
 */
export type Subject = string;
/**
 * A count, a layer index or a process id.
 * @asType integer
 * @minimum 0
 */
export type Count = number;

export interface InitializeParams {
  clientVersion: string;
  protocolVersion: number;
  /** Push `nodescope/changed` notifications at this interval in ms (0 or absent: never). */
  watchIntervalMs?: number;
  /**
   * The client applies keyed changes (`processesUpserted`, `namespacesRemoved`, …) to the last snapshot it
   * was answered; without it the agent replaces namespaces, layers and processes wholesale, as before.
   */
  keyedChanges?: boolean;
}
export interface InitializeResult {
  agentVersion: string;
  protocolVersion: number;
  pid: number;
  uid: number;
  hostname: string;
  arch: string;
  nodeVersion: string;
}

export interface Methods {
  initialize: { params: InitializeParams; result: InitializeResult };
  snapshot: { params: Record<string, never>; result: Snapshot };
  'layer.scan': { params: { path: Subject }; result: LayerScan };
  whence: { params: { container: Subject; path: Subject }; result: Whence };
  pagecache: { params: { target: Subject; top?: Count }; result: PageCacheReport };
  'container.diff': { params: { container: Subject; limit?: Count }; result: ContainerDiff };
  'layers.report': { params: { target: Subject; top?: Count }; result: LayerReport };
  'layers.list': { params: { target: Subject; path?: Subject; layer?: Count; merged?: boolean }; result: LayerListing };
  'layers.explore': { params: LayerExploreParams; result: LayerExplorePage };
  'files.stat': { params: { container: Subject; path: Subject }; result: ContainerFileStat };
  'files.list': {
    params: { container: Subject; path: Subject };
    result: { path: string; entries: ContainerFileEntry[]; truncated: boolean };
  };
  'files.read': { params: { container: Subject; path: Subject }; result: { path: string; size: number; base64: string } };
  'layerFiles.stat': { params: LayerView & { path: string }; result: LayerFileStat };
  'layerFiles.list': { params: LayerView & { path: string }; result: { path: string; entries: LayerFileEntry[]; truncated: boolean } };
  'layerFiles.read': { params: LayerView & { path: string }; result: { path: string; size: number; base64: string; layer: number } };
  'enter.options': { params: { container: Subject; pid?: Count }; result: EnterOptions };
  'enter.plan': {
    params: { container: Subject; pid?: Count; shell?: string; user?: string; command?: string[]; namespaces?: NsType[] };
    result: EnterPlan;
  };
  'debug.plan': { params: { container: Subject; pid?: Count; toolbox?: string; command?: string[] }; result: DebugPlan };
  'limit.set': { params: LimitParams; result: LimitResult };
  'launch.start': { params: LaunchParams; result: LaunchResult };
  'launch.stop': { params: { container: Subject; dryRun?: boolean }; result: StopResult };
  diagnose: { params: { container: Subject }; result: DiagnoseReport };
  shutdown: { params: Record<string, never>; result: null };
}
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

/** Pushed by the agent when a new snapshot differs from the last one it sent. */
export interface ChangedNotification {
  seq: number;
  /** Containers that appeared or whose facts changed, in full. */
  containersUpserted: ContainerInfo[];
  containersRemoved: string[];
  /**
   * The whole list after this change, when it changed. The agent sends these only to a client that did
   * not ask for keyed changes; a keyed client (agentClient.ts) fills them in from its copy for its listeners.
   */
  namespaces?: NamespaceInfo[];
  layers?: LayerInfo[];
  processes?: ProcessInfo[];
  /**
   * Keyed changes against the snapshot last sent, or last answered to a `snapshot` request (which the agent
   * takes as the new base): entries that appeared or changed, in full, and the keys of those gone. Processes
   * are keyed by pid and start time (a reused pid is another process), namespaces by type and inode, layers
   * by path. Absent: none of that kind changed.
   */
  processesUpserted?: ProcessInfo[];
  processesRemoved?: ProcessKey[];
  namespacesUpserted?: NamespaceInfo[];
  namespacesRemoved?: NamespaceKey[];
  layersUpserted?: LayerInfo[];
  layersRemoved?: string[];
  /** Every container id in the snapshot's order, when that order is not the old one minus removed plus new at the end. */
  containerOrder?: string[];
  /** The host's facts, when they changed (processCount does whenever a process comes or goes). */
  host?: HostInfo;
  /** The snapshot's `problems`, whole, when they changed. */
  snapshotProblems?: Problem[];
  takenAt: string;
  /** A pass of the watcher failed (a change with nothing else in it): the state last sent, of `takenAt`, stands. */
  problems?: Problem[];
}
export const CHANGED_NOTIFICATION = 'nodescope/changed';
/** A process's identity across snapshots: its pid, and its start time (null when it was unreadable). */
export interface ProcessKey {
  pid: number;
  startTime: number | null;
}
export interface NamespaceKey {
  type: NsType;
  inode: number;
}

/** JSON-RPC error codes beyond the standard ones. `message` is always one line a person can act on. */
export const ErrorCodes = {
  /** JSON-RPC 2.0's own: the body is not JSON, or the message is not a request. */
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  /** An unexpected failure in the agent (its stack went to the agent's stderr). */
  InternalError: -32603,
  NotFound: -32001,
  Ambiguous: -32002,
  NotPermitted: -32003,
  Unsupported: -32004,
  Gone: -32005,
  VersionMismatch: -32006,
  /** The agent gave up on a request past its deadline; the message says what it was doing. */
  Timeout: -32007,
} as const;

/**
 * The client's own codes, never sent by the agent (the CLI prints these, unlike the agent's one-line
 * refusals, by their first line). In JSON-RPC's server-error range, where vscode-jsonrpc puts its own.
 */
export const ClientErrorCodes = {
  /** The channel to the agent closed or broke: nothing more will be answered on it. */
  ChannelLost: -32099,
  /** The agent did not answer within the request's deadline; it may still be working, or be stuck. */
  NoAnswer: -32098,
} as const;
