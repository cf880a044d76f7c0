/**
 * Makes this host look like a busy node: `sets` groups of fresh namespaces (pid, mnt, uts, ipc, net), each
 * with `perSet` processes, so a snapshot has thousands of processes in hundreds of namespace sets to walk.
 * Everything runs in one process group per set and is killed by `stop()`; the sleeps also end on their own.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';

export interface NsHost {
  processes: number;
  stop(): void;
}

export async function startNsHost(sets: number, perSet: number, lifetimeSec = 600): Promise<NsHost> {
  const children: ChildProcess[] = [];
  // Inside each set: `unshare --fork` makes PID 1 a sh that starts perSet-2 sleeps (unshare + sh count too).
  const inner = `for i in $(seq 1 ${perSet - 2}); do sleep ${lifetimeSec} & done; wait`;
  for (let i = 0; i < sets; i++) {
    const child = spawn('unshare', ['--pid', '--mount', '--uts', '--ipc', '--net', '--fork', '--kill-child', 'sh', '-c', inner], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(child);
  }
  const expected = sets * perSet;
  // Wait until the processes exist, so the first timed run sees the whole population.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && countProcesses() < expected) await new Promise((r) => setTimeout(r, 200));
  return {
    processes: countProcesses(),
    stop() {
      for (const child of children) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}

export function countProcesses(): number {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}
