/**
 * The node's record of what Nodescope was asked to do, as opposed to what it read: one JSON line per
 * action in /var/log/nodescope/audit.log (NODESCOPE_AUDIT_LOG overrides the path). For "enter" the agent
 * plans and the client runs the planned argv, so the plan is what is recorded; for "limit" the agent
 * writes the cgroup itself and records what was there before and what holds after.
 *
 * Each record is written with one append (O_APPEND), so concurrent agents never interleave lines. When the
 * log cannot be written (read-only /var, full disk) the action still goes ahead and the failure goes to
 * the agent's stderr, which the client logs: refusing a shell because /var/log is read-only would make
 * Nodescope useless on exactly the locked-down nodes people need to look into.
 *
 * The agent is root and the path is fixed, so whoever could plant something there could make root write
 * where they chose: a symlink at the log's name (to /etc/shadow, say) or a directory of theirs on the way.
 * So the directory must be root's and writable by root alone, and is opened first (not following a
 * symlink); the file is opened inside that very directory (through /proc/self/fd, as openat would) with
 * O_NOFOLLOW, O_NONBLOCK (a FIFO planted there cannot hang the agent) and mode 0600, and must then be a
 * regular root-owned file with one link and no write access for others. Anything else is not written to,
 * and the agent says why on stderr. The directories above the log's own (/var/log) are the system's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { escapeControls, escapeControlsInJson } from '../escapeControls';

export const DEFAULT_AUDIT_LOG = '/var/log/nodescope/audit.log';

export type AuditRecord =
  | { action: 'enter'; container: { id: string; name: string }; pid: number; startTime: number; argv: string[] }
  | {
      action: 'limit';
      container: { id: string; name: string };
      pid: number;
      /** `after`: as read back (null: unlimited, or not known when the write failed to be put back or read). */
      changes: { file: string; before: number | null; requested: number | null; after: number | null }[];
      /** "applied", or the one line the request was refused with after a write was tried. */
      outcome: string;
    }
  | {
      action: 'launch';
      container: { id: string; name: string };
      from: { id: string; name: string };
      argv: string[];
      limits: Record<string, number | null>;
      /** What else it was launched with: shared namespaces, hostname, capabilities, user namespace (never its environment). */
      shape?: Record<string, unknown>;
      outcome: string;
    }
  | { action: 'stop'; container: { id: string; name: string }; outcome: string };

export function auditLogPath(): string {
  return process.env.NODESCOPE_AUDIT_LOG || DEFAULT_AUDIT_LOG;
}

/** Why the log is not fit to be written; the caller says it on stderr. */
class Unfit extends Error {}

function checkOwnedByRootOnly(what: string, st: fs.Stats): void {
  if (st.uid !== 0) throw new Unfit(`${what} is owned by uid ${st.uid}, not root`);
  if (st.mode & 0o022)
    throw new Unfit(
      `${what} is writable by ${st.mode & 0o020 ? 'its group' : 'others'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`,
    );
}

/** Appends `text` to the log with one write, after the checks above. */
function appendToLog(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  let dirFd: number;
  try {
    dirFd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'ELOOP' || code === 'ENOTDIR' ? new Unfit(`${dir} is not a directory (a symlink is not followed)`) : err;
  }
  try {
    checkOwnedByRootOnly(dir, fs.fstatSync(dirFd));
    let fd: number;
    try {
      fd = fs.openSync(
        `/proc/self/fd/${dirFd}/${path.basename(file)}`,
        fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
        0o600,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new Unfit(`${file} is a symlink; not followed`);
      if (code === 'ENXIO') throw new Unfit(`${file} is a FIFO, not a file`);
      throw err;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new Unfit(`${file} is not a regular file`);
      checkOwnedByRootOnly(file, st);
      if (st.nlink !== 1) throw new Unfit(`${file} has ${st.nlink} hard links; it may be another file's`);
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    fs.closeSync(dirFd);
  }
}

export function recordAction(record: AuditRecord, client: { version: string | null }): void {
  const file = auditLogPath();
  const line = JSON.stringify({
    time: new Date().toISOString(),
    ...record,
    // Who asked: sudo records the invoking user; an agent started as root directly has none.
    sudoUser: process.env.SUDO_USER ?? null,
    sshClient: process.env.SSH_CLIENT ?? null,
    clientVersion: client.version,
    agentPid: process.pid,
  });
  try {
    appendToLog(file, `${line}\n`);
  } catch (err) {
    const why = err instanceof Unfit ? err.message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    // The record still reaches the client's log; JSON has escaped C0 already, this the rest (C1, bidi).
    process.stderr.write(
      `nodescope-agent: audit log ${escapeControls(file)} not written (${escapeControls(why)}): ${escapeControlsInJson(line)}\n`,
    );
  }
}
