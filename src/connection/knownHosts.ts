/**
 * Host key verification against OpenSSH known_hosts files (man 8 sshd, "SSH_KNOWN_HOSTS FILE FORMAT"):
 *   [@revoked|@cert-authority] patterns keytype base64-key [comment]
 * patterns: comma list; `*`/`?` wildcards; `!` negation; `[host]:port` for non-22 ports; or one hashed
 * entry `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
 *
 * Decisions, like OpenSSH with StrictHostKeyChecking: a matching key → known; a revoked key → refused;
 * the host known with any other key → changed (refused, never asked); otherwise unknown (asked).
 * OpenSSH would ask when only keys of ANOTHER type are known; we refuse, because hostKeyAlgorithmsFor()
 * already makes the server present a known type when it has one, so reaching that case means the host
 * lost the key it was known by. Nodescope never writes the user's known_hosts: accepted keys go to its
 * own store. `@cert-authority` lines are not used: ssh2 does not verify host certificates, so such a
 * host is unknown (the verdict says so, for the message).
 */
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface KnownHostLine {
  marker: '' | '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'known'; file: string }
  /** certAuthority: a `@cert-authority` line names this host (file:line), which we cannot use. */
  | { status: 'unknown'; certAuthority?: string }
  | { status: 'changed'; knownFingerprint: string; file: string; line: number }
  | { status: 'revoked'; file: string; line: number };

const home = (): string => process.env.HOME || os.homedir();

export function defaultKnownHostsFiles(): string[] {
  return [
    path.join(home(), '.ssh', 'known_hosts'),
    path.join(home(), '.ssh', 'known_hosts2'),
    '/etc/ssh/ssh_known_hosts',
    '/etc/ssh/ssh_known_hosts2',
  ];
}

export function defaultTrustStore(): string {
  return path.join(process.env.XDG_CONFIG_HOME || path.join(home(), '.config'), 'nodescope', 'known_hosts');
}

/** OpenSSH's SHA256 fingerprint: base64 of the key blob's SHA-256, without padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string {
  const n = blob.readUInt32BE(0);
  return blob.toString('latin1', 4, 4 + n);
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostLine['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostLine['marker'];
    if (fields.length < 3) return;
    out.push({ marker, patterns: fields[0], keyType: fields[1], key: Buffer.from(fields[2], 'base64'), file, line: i + 1 });
  });
  return out;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

/** Whether a line's host field names `name` (already in `[host]:port` form when not port 22). */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) {
      matched = true;
    }
  }
  return matched;
}

function readLines(files: string[]): KnownHostLine[] {
  return files.flatMap((f) => {
    try {
      return parseKnownHosts(fs.readFileSync(f, 'utf8'), f);
    } catch {
      return [];
    }
  });
}

export function verifyHostKey(files: string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = hostName(host, port);
  const lines = readLines(files).filter((l) => patternsMatch(l.patterns, name) || (l.marker === '@revoked' && l.patterns === '*'));
  const revoked = lines.find((l) => l.marker === '@revoked' && l.key.equals(key));
  if (revoked) return { status: 'revoked', file: revoked.file, line: revoked.line };
  const plain = lines.filter((l) => l.marker === '');
  const same = plain.find((l) => l.key.equals(key));
  if (same) return { status: 'known', file: same.file };
  // Report a known key of the offered type when there is one: that is the key that "changed".
  const type = keyTypeOf(key);
  const other = plain.find((l) => l.keyType === type) ?? plain[0];
  if (other) return { status: 'changed', knownFingerprint: fingerprint(other.key), file: other.file, line: other.line };
  const ca = lines.find((l) => l.marker === '@cert-authority');
  return ca ? { status: 'unknown', certAuthority: `${ca.file}:${ca.line}` } : { status: 'unknown' };
}

/** ssh2's host key algorithms (its defaults) and the known_hosts key type each one presents. */
const HOST_KEY_ALGORITHMS: [algorithm: string, keyType: string][] = [
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'ssh-rsa'],
  ['rsa-sha2-256', 'ssh-rsa'],
  ['ssh-rsa', 'ssh-rsa'],
];

/**
 * The host key algorithms to offer, those whose key type is already known for the host first, as
 * OpenSSH orders them: otherwise a server with an ed25519 and an RSA key, known by its RSA key, would
 * show its ed25519 key and look unknown. undefined = nothing known, keep ssh2's defaults.
 */
export function hostKeyAlgorithmsFor(files: string[], host: string, port: number): string[] | undefined {
  const name = hostName(host, port);
  const known = new Set(
    readLines(files)
      .filter((l) => l.marker === '' && patternsMatch(l.patterns, name))
      .map((l) => l.keyType),
  );
  if (known.size === 0) return undefined;
  const first = HOST_KEY_ALGORITHMS.filter(([, type]) => known.has(type)).map(([algo]) => algo);
  return [...first, ...HOST_KEY_ALGORITHMS.map(([algo]) => algo).filter((a) => !first.includes(a))];
}

/** Records a key the user accepted in Nodescope's own store (never the user's known_hosts). */
export function trustHostKey(store: string, host: string, port: number, key: Buffer): void {
  fs.mkdirSync(path.dirname(store), { recursive: true, mode: 0o700 });
  fs.appendFileSync(store, `${hostName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
