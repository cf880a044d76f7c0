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
 */
import * as fs from 'fs';
import * as path from 'path';

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
  | { action: 'launch'; container: { id: string; name: string }; from: { id: string; name: string }; argv: string[]; limits: Record<string, number | null>; outcome: string }
  | { action: 'stop'; container: { id: string; name: string }; outcome: string };

export function auditLogPath(): string {
  return process.env.NODESCOPE_AUDIT_LOG || DEFAULT_AUDIT_LOG;
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
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
    fs.appendFileSync(file, `${line}\n`, { mode: 0o640 });
  } catch (err) {
    process.stderr.write(`nodescope-agent: audit log ${file} not written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${line}\n`);
  }
}
