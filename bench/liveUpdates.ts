/**
 * Live updates on a busy node (issue 14), for bench/run.ts part 1, on the host it made busy:
 *   - the resident agent's refresh (a `snapshot` request to an agent already running, what the extension
 *     waits for) against `lsns -J` (target ≤ 0.5×);
 *   - `docker run` → the container in the client's copy, and `docker rm` → gone (target ≤ 1 s each), with
 *     a backstop interval of two minutes, so what comes sooner came through an event;
 *   - the watching agent's CPU while the node is idle, from its own /proc/PID/stat over IDLE_MS (≤ 2 %);
 *   - bytes of the change sent when one container starts, against the full snapshot's (≤ 1 %).
 * Prints; asserts nothing. BENCH_AGENT names another agent (the source: server/agent.ts with tsx).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import { applyChanges } from '../src/connection/snapshotChanges';
import type { ChangedNotification, Snapshot } from '../server/protocol';
import { timeAsync, report, ratioLine, type Timing } from './measure';

const IDLE_MS = 20_000;
const BACKSTOP_MS = 120_000;

/**
 * The notification as the agent sent it: a keyed agent sends no whole lists, which the client fills in for
 * its listeners (snapshotChanges.ts SnapshotMirror); these are the bytes that cross the channel, SSH's too.
 */
function asSent(n: ChangedNotification): ChangedNotification {
  const { processes: _p, namespaces: _n, layers: _l, ...sent } = n;
  return sent;
}

/** utime + stime of `pid` in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export async function liveUpdateLines(repo: string, lsns: Timing, runs: number): Promise<string[]> {
  const agentPath = process.env.BENCH_AGENT ?? path.join(repo, 'dist', 'agent-bundle', 'agent.js');
  if (agentPath.endsWith('.ts')) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim();
  const transport = await openLocalTransport({ agentPath, useSudo: 'never' });
  const client = await connectAgent(transport, { watchIntervalMs: BACKSTOP_MS, deadlines: { initialize: 120_000, snapshot: 120_000 } });
  const out: string[] = [];
  const name = `nodescope-bench-live-${process.pid}`;
  try {
    let copy: Snapshot = await client.request('snapshot', {});
    const wireBytes: number[] = [];
    client.onChanged((n) => {
      copy = applyChanges(copy, n);
      wireBytes.push(Buffer.byteLength(JSON.stringify(asSent(n))));
    });

    const refresh = await timeAsync(
      'resident agent: snapshot request',
      async () => void (copy = await client.request('snapshot', {})),
      runs,
    );
    out.push(report(refresh));
    out.push(ratioLine('resident refresh / lsns -J', refresh, lsns, 0.5));
    const fullBytes = Buffer.byteLength(JSON.stringify(copy));

    const until = async (probe: () => boolean, ms = 30_000): Promise<number> => {
      const start = performance.now();
      while (!probe()) {
        if (performance.now() - start > ms) return Number.NaN;
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - start;
    };

    // Idle first, before anything of ours changes: the agent's own CPU while it watches.
    await new Promise((r) => setTimeout(r, 3000));
    const pid = client.info.pid;
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const before = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const share = (cpuTicks(pid) - before) / hz / (IDLE_MS / 1000);
    out.push(
      `watching an idle busy node: agent CPU ${(share * 100).toFixed(2)} % of a core over ${IDLE_MS / 1000} s  target ≤ 2 %: ${share <= 0.02 ? 'met' : 'NOT met'}`,
    );

    wireBytes.length = 0;
    const id = execFileSync('docker', ['run', '-d', '--network', 'none', '--name', name, 'nodescope-rig/base:1', 'sleep', '600'], {
      encoding: 'utf8',
    }).trim();
    const seen = await until(() => copy.containers.some((c) => c.id === id), 60_000);
    if (Number.isNaN(seen)) {
      out.push('docker run returned → container in the copy: not seen within 60 s  target ≤ 1000 ms: NOT met');
    } else {
      out.push(`docker run returned → container in the copy: ${seen.toFixed(0)} ms  target ≤ 1000 ms: ${seen <= 1000 ? 'met' : 'NOT met'}`);
      const sent = wireBytes.reduce((a, b) => a + b, 0);
      const pct = ((sent / fullBytes) * 100).toFixed(2);
      out.push(
        `bytes sent until it was in: ${sent.toLocaleString('en')} B of a ${fullBytes.toLocaleString('en')} B snapshot = ${pct} %  target ≤ 1 %: ${sent <= fullBytes * 0.01 ? 'met' : 'NOT met'}`,
      );
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      const gone = await until(() => !copy.containers.some((c) => c.id === id), 60_000);
      out.push(
        `docker rm returned → container gone from the copy: ${Number.isNaN(gone) ? 'not within 60 s' : `${gone.toFixed(0)} ms`}  target ≤ 1000 ms: ${gone <= 1000 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    try {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
    await client.close();
  }
  return out;
}
