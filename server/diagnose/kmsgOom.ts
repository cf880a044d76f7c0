/**
 * OOM kills from the kernel's own report, read from /dev/kmsg (Documentation/ABI/testing/dev-kmsg).
 *
 * Each read(2) of /dev/kmsg returns one record, "PRIO,SEQ,USEC,FLAGS;text\n" plus " KEY=value"
 * continuation lines; a fresh open starts at the oldest record the ring buffer still holds, and O_NONBLOCK
 * makes the read past the newest fail with EAGAIN instead of waiting. EPIPE means records were overwritten
 * under the reader: it is told once and the next read goes on from the oldest kept.
 *
 * An OOM kill (mm/oom_kill.c dump_header, oom_kill_process) writes, in order: "memory: usage NkB, limit
 * NkB, failcnt N" (mm/memcontrol.c, for a cgroup OOM), the task table, then
 * "oom-kill:constraint=…,oom_memcg=/…,task_memcg=/…,task=COMM,pid=N,uid=N" and "Memory cgroup out of
 * memory: Killed process N (COMM) total-vm:NkB, anon-rss:NkB, file-rss:NkB, shmem-rss:NkB, …" (or "Out of
 * memory: Killed process …" for the whole system). Parsing is pure (parseOomRecords); the reader keeps its
 * fd open for the agent's life, so each look reads only what the kernel logged since, and the kills it saw
 * stay in the agent's history after the ring buffer has wrapped past them.
 */
import * as fs from 'fs';
import type { OomKill } from '../protocol';

/** The longest record the kernel hands out (CONSOLE_LOG_MAX is 1 KiB; PRINTK_MESSAGE_MAX 2 KiB): 8 KiB is room to spare. */
const RECORD_MAX_BYTES = 8192;
/** Records read per look: a busy ring buffer holds tens of thousands; past this the rest waits for the next look. */
export const KMSG_RECORDS_PER_LOOK = 200_000;
/** Kills kept in the agent's history (oldest dropped first). */
export const OOM_HISTORY_MAX = 1000;

export interface KmsgRecord {
  seq: number;
  /** Microseconds since boot, on the kernel's monotonic clock. */
  usec: number;
  text: string;
}

/** One record as read(2) returns it; null when it is not in the documented shape. */
export function parseKmsgRecord(raw: string): KmsgRecord | null {
  const semi = raw.indexOf(';');
  if (semi < 0) return null;
  const [prio, seq, usec] = raw.slice(0, semi).split(',');
  if (![prio, seq, usec].every((f) => /^\d+$/.test(f ?? ''))) return null;
  const nl = raw.indexOf('\n', semi);
  return { seq: Number(seq), usec: Number(usec), text: raw.slice(semi + 1, nl < 0 ? undefined : nl) };
}

const KB = 1024;
const USAGE = /^memory: usage (\d+)kB, limit (\d+)kB/;
const OOM_KILL = /^oom-kill:(.*)$/;
const KILLED = /Killed process (\d+) \((.*)\) total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/;

/** The fields of an oom-kill line: comma separated key=value, where only `task=` (a comm) may hold odd text. */
function oomKillFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  // task= comes after task_memcg= and before pid=: read it as the text between them, commas and all.
  const task = /,task=(.*),pid=(\d+),uid=(\d+)$/.exec(body);
  const head = task ? body.slice(0, task.index) : body;
  for (const kv of head.split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (task) Object.assign(out, { task: task[1], pid: task[2], uid: task[3] });
  return out;
}

/** Parser state carried between looks: a report may straddle two reads. */
export interface OomParseState {
  usage: { usageBytes: number; limitBytes: number } | null;
  pending: OomKill | null;
}
export const freshOomState = (): OomParseState => ({ usage: null, pending: null });

/**
 * The kills in these records, in order. `at` turns a record's monotonic stamp into wall time. A kill is
 * complete at its "Killed process" line (which carries its RSS); one whose line never came (the log
 * dropped it) is still a kill, without its RSS.
 */
export function parseOomRecords(records: KmsgRecord[], state: OomParseState, at: (usec: number) => string | null): OomKill[] {
  const kills: OomKill[] = [];
  const flush = () => {
    if (state.pending) kills.push(state.pending);
    state.pending = null;
  };
  for (const r of records) {
    const usage = USAGE.exec(r.text);
    if (usage) {
      state.usage = { usageBytes: Number(usage[1]) * KB, limitBytes: Number(usage[2]) * KB };
      continue;
    }
    const oom = OOM_KILL.exec(r.text);
    if (oom) {
      flush();
      const f = oomKillFields(oom[1]);
      if (!/^\d+$/.test(f.pid ?? '')) continue;
      // A system-wide OOM has no usage line of its own: a cgroup's from an earlier report must not stick.
      const cgroupOom = f.constraint === 'CONSTRAINT_MEMCG';
      state.pending = {
        at: at(r.usec),
        seq: r.seq,
        pid: Number(f.pid),
        command: f.task ?? '',
        rssBytes: null,
        usageBytes: cgroupOom ? (state.usage?.usageBytes ?? null) : null,
        limitBytes: cgroupOom ? (state.usage?.limitBytes ?? null) : null,
        cgroup: f.task_memcg ?? '',
        oomCgroup: f.oom_memcg ?? '',
      };
      state.usage = null;
      continue;
    }
    // The kernel writes "Killed process" right after its oom-kill line: anything else between ends the kill without it.
    const killed = KILLED.exec(r.text);
    if (killed && state.pending && Number(killed[1]) === state.pending.pid) {
      state.pending.rssBytes = (Number(killed[3]) + Number(killed[4]) + Number(killed[5])) * KB;
    }
    flush();
  }
  return kills;
}

/** Whether a kill's victim was in `cgroup` (a memory cgroup path) or below it. */
export function killIn(kill: OomKill, cgroup: string): boolean {
  const base = cgroup.replace(/\/+$/, '');
  return kill.cgroup === cgroup || kill.cgroup.startsWith(`${base}/`);
}

/** Whether a kill's victim was in a cgroup named for this engine id (a container gone, its cgroup with it). */
export function killOfId(kill: OomKill, id: string): boolean {
  return id.length >= 12 && kill.cgroup.split('/').some((part) => part.includes(id));
}

/** The kernel log as one reader: the agent's history of OOM kills, topped up at each look. */
export class OomHistory {
  private fd: number | null = null;
  private readonly state = freshOomState();
  private readonly kills: OomKill[] = [];
  private lost = false;
  private unreadable: string | null = null;

  constructor(private readonly path = '/dev/kmsg') {}

  /**
   * Reads what the kernel logged since the last look (from the oldest kept record, the first time) and
   * returns every kill known: those read now and those kept from before. `note` says what may be missing.
   */
  look(): { kills: OomKill[]; note: string | null } {
    this.readNew();
    const note = this.unreadable
      ? `the kernel log was not read (${this.unreadable}): kill details unknown`
      : this.lost
        ? 'the kernel log wrapped while it was read: older kills may be missing'
        : null;
    // A kill whose last line may come with the next look is shown already (its RSS unknown until then).
    return { kills: this.state.pending ? [...this.kills, this.state.pending] : [...this.kills], note };
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private readNew(): void {
    if (this.fd === null) {
      try {
        // O_NONBLOCK: past the newest record a read fails with EAGAIN rather than waiting for the next.
        this.fd = fs.openSync(this.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        this.unreadable = null;
      } catch (err) {
        this.unreadable = (err as NodeJS.ErrnoException).code ?? 'open failed';
        return;
      }
    }
    const buf = Buffer.allocUnsafe(RECORD_MAX_BYTES);
    const records: KmsgRecord[] = [];
    const at = wallClockOfKmsg();
    for (let i = 0; i < KMSG_RECORDS_PER_LOOK; i++) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        // Overwritten under the reader: the next read goes on from the oldest record kept.
        if (code === 'EPIPE') {
          this.lost = true;
          continue;
        }
        this.unreadable = code ?? 'read failed';
        this.close();
        break;
      }
      if (n === 0) break;
      const r = parseKmsgRecord(buf.toString('utf8', 0, n));
      if (r) records.push(r);
    }
    this.kills.push(...parseOomRecords(records, this.state, at));
    if (this.kills.length > OOM_HISTORY_MAX) this.kills.splice(0, this.kills.length - OOM_HISTORY_MAX);
  }
}

/**
 * Wall time of a kmsg stamp. The stamp is the kernel's local_clock, which follows CLOCK_MONOTONIC (Node's
 * hrtime): now minus the age of the record. Off by whatever the machine spent suspended since.
 */
export function wallClockOfKmsg(nowMs = Date.now(), monoUsec = Number(process.hrtime.bigint() / 1000n)): (usec: number) => string | null {
  return (usec) => {
    const ageMs = (monoUsec - usec) / 1000;
    return ageMs < 0 || !Number.isFinite(ageMs) ? null : new Date(nowMs - ageMs).toISOString();
  };
}
