/**
 * OpenSSH client configuration (man 5 ssh_config), the parts Nodescope honours: Host blocks with
 * patterns (`*`, `?`, `!negation`, several per line), Match blocks on host, originalhost, user and
 * localuser (`all` too, each negatable with `!`), Include (globs; relative paths from ~/.ssh for the
 * user's file, /etc/ssh for the system's), and for each keyword the FIRST value obtained wins, across the
 * user's file then the system's. The files are read with the ssh-config library (its lines, quoting and
 * Match criteria); which blocks apply is decided here, because the library's own `compute` runs
 * `Match exec` commands and nslookup, and knows no Include. A Match criterion that needs a running ssh
 * (exec, canonical, final, localnetwork, tagged…) is not guessed at: its block is skipped and said so in
 * `unsupported`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as SshConfigLib from 'ssh-config' with { 'resolution-mode': 'import' };

// ssh-config is an ES module with a CommonJS build (its "require" export), which is what runs here;
// TypeScript's node16 resolution sees only its module types, so they are named for the import side.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sshConfigLib = require('ssh-config') as typeof SshConfigLib;
const { parse: parseConfigText, LineType } = sshConfigLib;

export interface SshTarget {
  host: string;
  port?: number;
  user?: string;
  identityFiles?: string[];
  knownHostsFiles?: string[];
  jump?: SshTarget[];
  /** ProxyCommand, tokens not yet expanded (proxyCommand.ts expands them for the hop it reaches). */
  proxyCommand?: string;
  alias?: string;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** ssh-agent socket; null = do not use an agent. */
  agentSocket?: string | null;
  identitiesOnly?: boolean;
  /** Nodescope's own store of host keys the user accepted (known_hosts format). */
  trustStorePath?: string;
}

/** One criterion of a Match line: its keyword (lower case, `!` kept) and its argument, if it takes one. */
type MatchCriterion = [keyword: string, argument: string | undefined];

/** When a block applies: a Host line's patterns, or a Match line's criteria (all of which must hold). */
interface Condition {
  /** Host patterns; none for a Match block. */
  patterns: string[];
  match?: MatchCriterion[];
}

interface Block extends Condition {
  /**
   * The blocks an Include was in, which must apply too: ssh reads a file included inside a block that
   * does not apply as one where nothing matches (its SSHCONF_NEVERMATCH).
   */
  within: Condition[];
  options: [string, string][];
  file: string;
}

export interface SshConfig {
  blocks: Block[];
  files: string[];
  /** Match lines whose blocks were skipped, one line each: where, and which criterion Nodescope cannot judge. */
  unsupported: string[];
}

const home = (): string => process.env.HOME || os.homedir();

export function defaultConfigFiles(): string[] {
  return [path.join(home(), '.ssh', 'config'), '/etc/ssh/ssh_config'];
}

export function expandTilde(p: string): string {
  return p === '~' ? home() : p.startsWith('~/') ? path.join(home(), p.slice(2)) : p;
}

function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2]);
  return out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
}

/** Expands `*` and `?` in the last path component (what Include lines use in practice). */
function expandGlob(p: string): string[] {
  if (!/[*?]/.test(p)) return fs.existsSync(p) ? [p] : [];
  const dir = path.dirname(p);
  const re = globToRegExp(path.basename(p));
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => re.test(n))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** A directive's value as one line of words: a quoted word keeps its quotes, for splitArgs. */
function valueText(value: Extract<SshConfigLib.Line, { param: string }>['value']): string {
  return typeof value === 'string' ? value : value.map((v) => (v.quoted ? `"${v.val}"` : v.val)).join(' ');
}

/** Match keywords that take no argument (ssh_config(5)). */
const BARE_CRITERIA = new Set(['all', 'canonical', 'final']);
/** The criteria judged here; the others need a running ssh (exec runs a command, final a second pass…). */
const JUDGED_CRITERIA = new Set(['all', 'host', 'originalhost', 'user', 'localuser']);

function criteriaOf(words: string[]): MatchCriterion[] {
  const out: MatchCriterion[] = [];
  for (let i = 0; i < words.length; i++) {
    const keyword = words[i].toLowerCase();
    out.push([keyword, BARE_CRITERIA.has(keyword.replace(/^!/, '')) ? undefined : words[++i]]);
  }
  return out;
}

interface ParseState {
  blocks: Block[];
  seen: Set<string>;
  unsupported: string[];
}

function parseFile(file: string, baseDir: string, state: ParseState, depth: number, within: Condition[]): void {
  if (depth > 16 || state.seen.has(file)) return;
  state.seen.add(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  // Lines before any Host apply to every host.
  let current: Block = { patterns: ['*'], within, options: [], file };
  state.blocks.push(current);
  const take = (line: SshConfigLib.Line): void => {
    if (line.type !== LineType.DIRECTIVE) return;
    const key = line.param.toLowerCase();
    const value = valueText(line.value).trim();
    if (key === 'host' || key === 'match') {
      const words = typeof line.value === 'string' ? splitArgs(line.value) : line.value.map((v) => v.val);
      if (key === 'host') current = { patterns: words, within, options: [], file };
      else {
        current = { patterns: [], match: criteriaOf(words), within, options: [], file };
        const unjudged = current.match!.find(([k]) => !JUDGED_CRITERIA.has(k.replace(/^!/, '')));
        if (unjudged) state.unsupported.push(`${file}: "Match ${value}" skipped: Nodescope does not evaluate "${unjudged[0]}"`);
      }
      state.blocks.push(current);
      if ('config' in line) for (const sub of line.config) take(sub);
    } else if (key === 'include') {
      for (const inc of splitArgs(value)) {
        const p = expandTilde(inc);
        for (const f of expandGlob(path.isAbsolute(p) ? p : path.join(baseDir, p))) {
          // Every block of the included file applies only where the block that includes it applies.
          parseFile(f, baseDir, state, depth + 1, [...within, { patterns: current.patterns, match: current.match }]);
        }
      }
      current = { patterns: current.patterns, match: current.match, within, options: [], file };
      state.blocks.push(current);
    } else {
      current.options.push([key, value]);
    }
  };
  for (const line of parseConfigText(text)) take(line);
}

export function readSshConfig(files: string[] = defaultConfigFiles()): SshConfig {
  const state: ParseState = { blocks: [], seen: new Set(), unsupported: [] };
  for (const f of files) {
    const file = expandTilde(f);
    const baseDir = file.startsWith('/etc/ssh') ? '/etc/ssh' : path.join(home(), '.ssh');
    parseFile(file, baseDir, state, 0, []);
  }
  return { blocks: state.blocks, files, unsupported: state.unsupported };
}

export function hostMatches(patterns: string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(host)) return false;
    } else if (globToRegExp(p).test(host)) {
      matched = true;
    }
  }
  return matched;
}

/** Host aliases a person can pick: concrete names only (no wildcard or negated patterns). */
export function listConfiguredHosts(cfg: SshConfig): string[] {
  const out: string[] = [];
  for (const b of cfg.blocks) for (const p of b.patterns) if (!/[*?!]/.test(p) && !out.includes(p)) out.push(p);
  return out;
}

/** What a Match line is judged against, as ssh does it: the values obtained so far. */
interface MatchContext {
  /** HostName obtained so far (%h expanded), else the alias. */
  host: string;
  originalHost: string;
  /** User obtained so far, else the local user. */
  user: string;
  localUser: string;
}

/** Every criterion holds; one Nodescope cannot judge holds never (its block was reported as skipped). */
function matchHolds(criteria: MatchCriterion[], ctx: MatchContext): boolean {
  return criteria.every(([keyword, arg]) => {
    const negated = keyword.startsWith('!');
    const against = { host: ctx.host, originalhost: ctx.originalHost, user: ctx.user, localuser: ctx.localUser }[keyword.replace(/^!/, '')];
    let hit: boolean;
    if (keyword.replace(/^!/, '') === 'all') hit = true;
    else if (against === undefined || arg === undefined) return false;
    else hit = hostMatches(arg.split(','), against);
    return hit !== negated;
  });
}

/** All values of each keyword that apply to `alias`, in file order (first wins for single-valued ones). */
function optionsFor(cfg: SshConfig, alias: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const localUser = os.userInfo().username;
  for (const b of cfg.blocks) {
    const ctx = {
      host: out.get('hostname')?.[0].replace(/%h/g, alias) ?? alias,
      originalHost: alias,
      user: out.get('user')?.[0] ?? localUser,
      localUser,
    };
    const holds = (c: Condition): boolean => (c.match ? matchHolds(c.match, ctx) : hostMatches(c.patterns, alias));
    if (!holds(b) || !b.within.every(holds)) continue;
    for (const [k, v] of b.options) out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

function expandTokens(s: string, t: { host: string; user: string; port: number; alias: string }): string {
  return expandTilde(s).replace(
    /%([%hnpdur])/g,
    (_, c: string) => ({ '%': '%', h: t.host, n: t.alias, p: String(t.port), d: home(), u: os.userInfo().username, r: t.user })[c] ?? '',
  );
}

/**
 * IdentityAgent's forms (ssh_config(5)): `none`; `SSH_AUTH_SOCK` = that environment variable; `$VAR` =
 * another environment variable (unset → no agent); else a path with `~` and %-tokens.
 */
function agentSocketFrom(value: string, tokens: Parameters<typeof expandTokens>[1]): string | null {
  if (value.toLowerCase() === 'none') return null;
  if (value === 'SSH_AUTH_SOCK') return process.env.SSH_AUTH_SOCK || null;
  if (value.startsWith('$')) return process.env[value.slice(1).replace(/^\{(.*)\}$/, '$1')] || null;
  return expandTokens(value, tokens);
}

export function parseSshDestination(s: string): { user?: string; host: string; port?: number } {
  let rest = s.trim();
  if (rest.startsWith('ssh://')) rest = rest.slice(6);
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1];
    port = v6[2] ? Number(v6[2]) : undefined;
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    if (!/^\d+$/.test(p)) throw new Error(`"${s}": the port must be a number`);
    host = h;
    port = Number(p);
  }
  if (!host || /\s/.test(host) || (user !== undefined && !user)) throw new Error(`"${s}" is not user@host[:port]`);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`"${s}": port ${port} is out of range`);
  return { user, host, port };
}

/** An alias resolved like `ssh -G alias` would: HostName, Port, User, keys, jumps, timeouts. */
export function resolveHost(cfg: SshConfig, alias: string, depth = 0): SshTarget {
  if (depth > 8) throw new Error(`ProxyJump chain through ${alias} is too long or loops`);
  const o = optionsFor(cfg, alias);
  const first = (k: string): string | undefined => o.get(k)?.[0];
  const host = first('hostname') ? first('hostname')!.replace(/%h/g, alias) : alias;
  const port = first('port') ? Number(first('port')) : 22;
  const user = first('user') ?? os.userInfo().username;
  const tokens = { host, user, port, alias };
  const target: SshTarget = { host, port, user, alias };
  const ids = o.get('identityfile');
  if (ids) target.identityFiles = ids.map((f) => expandTokens(f, tokens));
  if (first('identitiesonly')?.toLowerCase() === 'yes') target.identitiesOnly = true;
  // UserKnownHostsFile replaces only the user's files: the global ones are still read, as by ssh.
  const kh = first('userknownhostsfile');
  const globalKh = first('globalknownhostsfile');
  if ((kh && kh.toLowerCase() !== 'none') || globalKh) {
    const files = (v: string | undefined, dflt: string[]): string[] =>
      v === undefined ? dflt : v.toLowerCase() === 'none' ? [] : splitArgs(v).map((f) => expandTokens(f, tokens));
    target.knownHostsFiles = [
      ...files(kh, [path.join(home(), '.ssh', 'known_hosts'), path.join(home(), '.ssh', 'known_hosts2')]),
      ...files(globalKh, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']),
    ];
  }
  const ct = first('connecttimeout');
  if (ct) target.connectTimeoutMs = Number(ct) * 1000;
  const ka = first('serveraliveinterval');
  if (ka) target.keepaliveIntervalMs = Number(ka) * 1000;
  const agent = first('identityagent');
  if (agent) target.agentSocket = agentSocketFrom(agent, tokens);
  // ProxyJump and ProxyCommand compete: whichever the config gives first wins (ssh_config(5)); the
  // map holds keywords in the order they were first seen.
  const seen = [...o.keys()];
  const jump = first('proxyjump');
  const proxy = first('proxycommand');
  const jumpFirst = !proxy || (jump !== undefined && seen.indexOf('proxyjump') < seen.indexOf('proxycommand'));
  if (jump && jumpFirst && jump.toLowerCase() !== 'none') target.jump = jumpHops(cfg, jump, depth + 1);
  else if (proxy && !jumpFirst && proxy.toLowerCase() !== 'none') target.proxyCommand = proxy;
  return target;
}

/** A ProxyJump value (`bastion,admin@inner:2222`): each hop resolved through the config as ssh does. */
export function jumpHops(cfg: SshConfig, spec: string, depth = 1): SshTarget[] {
  return spec.split(',').map((hop) => {
    const d = parseSshDestination(hop);
    const viaConfig = resolveHost(cfg, d.host, depth);
    return { ...viaConfig, user: d.user ?? viaConfig.user, port: d.port ?? viaConfig.port };
  });
}

/** What "Add Node…" takes from a destination or an ssh command line. */
export interface SshCommandLine {
  user?: string;
  host: string;
  port?: number;
  identityFile?: string;
  /** ProxyJump, from -J or -o ProxyJump=. */
  jump?: string;
  /** ProxyCommand, from -o ProxyCommand=. */
  proxyCommand?: string;
  /** Options given that Nodescope does not carry over (to tell the person, not to drop silently). */
  ignored: string[];
}

/**
 * The target of a `nodescope.hosts` entry: user@host[:port], or the ssh command line "Add Node…" kept
 * because it named a key or jump hosts. `base` is the host as the SSH config resolves it; what the entry
 * says wins, as ssh's command line wins over its config. Jump hops resolve through the config too.
 */
export function settingTarget(d: SshCommandLine, base: SshTarget, cfg: SshConfig | undefined): SshTarget {
  return {
    ...base,
    user: d.user ?? base.user,
    port: d.port ?? base.port,
    identityFiles: d.identityFile ? [expandTilde(d.identityFile)] : base.identityFiles,
    jump: d.jump ? jumpHops(cfg ?? { blocks: [], files: [], unsupported: [] }, d.jump) : d.proxyCommand ? undefined : base.jump,
    proxyCommand: d.proxyCommand ?? (d.jump ? undefined : base.proxyCommand),
  };
}

/** ssh's flags that take no value (man 1 ssh), which may be bundled: `-4A`, `-vvv`. */
const SSH_BARE_FLAGS = /^-[1246AaCfGgKkMNnqsTtVvXxYy]+$/;
/** ssh's flags that take a value, as `-p 22` or `-p22`. */
const SSH_VALUE_FLAGS = new Set([
  '-B',
  '-b',
  '-c',
  '-D',
  '-E',
  '-e',
  '-F',
  '-I',
  '-i',
  '-J',
  '-L',
  '-l',
  '-m',
  '-O',
  '-o',
  '-P',
  '-p',
  '-Q',
  '-R',
  '-S',
  '-W',
  '-w',
]);
/** -o options Nodescope carries into the node's settings, by ssh_config keyword (lower case). */
const CARRIED_OPTIONS = new Set(['port', 'user', 'identityfile', 'proxyjump', 'proxycommand']);

/**
 * `ssh -p 2222 -i key -J bastion root@h` or `user@host:port` → a destination with what Nodescope carries
 * over (port, user, key, ProxyJump, also as -o Key=Value); anything else given is listed in `ignored`.
 */
export function parseSshCommandLine(line: string): SshCommandLine {
  const args = splitArgs(line.trim());
  if (args[0] !== 'ssh') return { ...parseSshDestination(line), ignored: [] };
  // As ssh does with options, the first value given wins.
  const given: Record<string, string> = {};
  const ignored: string[] = [];
  let dest: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (SSH_BARE_FLAGS.test(a)) continue;
    const flag = a.slice(0, 2);
    if (a.startsWith('-') && SSH_VALUE_FLAGS.has(flag)) {
      const value = a.length > 2 ? a.slice(2) : args[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '-o') {
        const m = /^\s*(\w+)\s*(?:=|\s)\s*(.+)$/.exec(value);
        if (m && CARRIED_OPTIONS.has(m[1].toLowerCase())) given[m[1].toLowerCase()] ??= m[2].trim();
        else ignored.push(`-o ${value}`);
      } else if (flag === '-p') given.port ??= value;
      else if (flag === '-l') given.user ??= value;
      else if (flag === '-i') given.identityfile ??= value;
      else if (flag === '-J') given.proxyjump ??= value;
      else ignored.push(`${flag} ${value}`);
    } else if (a.startsWith('-')) throw new Error(`unknown ssh option ${a}`);
    else if (!dest) dest = a;
    else ignored.push(a); // a remote command: Nodescope runs its own
  }
  if (!dest) throw new Error('no destination in the ssh command');
  const d = parseSshDestination(dest);
  const port = given.port !== undefined ? Number(given.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error(`port must be a number from 1 to 65535, got "${given.port}"`);
  const jump = given.proxyjump && given.proxyjump.toLowerCase() !== 'none' ? given.proxyjump : undefined;
  if (jump) jump.split(',').forEach((hop) => parseSshDestination(hop)); // a bad hop is an error now, not at connect
  const proxyCommand = given.proxycommand && given.proxycommand.toLowerCase() !== 'none' ? given.proxycommand : undefined;
  if (jump && proxyCommand) throw new Error('ProxyJump (-J) or ProxyCommand, not both');
  return {
    ...d,
    user: d.user ?? given.user,
    port: d.port ?? port,
    identityFile: given.identityfile,
    jump,
    ...(proxyCommand ? { proxyCommand } : {}),
    ignored,
  };
}
