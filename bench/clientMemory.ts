/**
 * Memory on both sides of one snapshot of a busy node (issue 8: 500 huge command lines once grew the
 * extension host to 3.2 GB). A fresh Node.js process plays the extension host: it starts the agent as the
 * extension does (localTransport + agentClient, the same code), takes one snapshot into a NodeModel, and
 * reports its own heap and peak RSS, and the agent's peak RSS (VmHWM in /proc/PID/status).
 *
 * A process of its own, so that nothing else the bench did sits in the figures.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import { NodeModel } from '../src/model/nodeModel';

export interface SnapshotMemory {
  processes: number;
  containers: number;
  /** The snapshot as JSON, in bytes (what crosses the channel). */
  jsonBytes: number;
  /** The client's heap (used) before connecting and with the snapshot held in its model, after a GC. */
  clientHeapBefore: number;
  clientHeapAfter: number;
  /** The client's peak RSS over the whole run. */
  clientPeakRss: number;
  /** The agent's peak RSS, read before it is closed. */
  agentPeakRss: number;
  ms: number;
}

const MiB = 1024 * 1024;

/** Runs the measurement in a child Node.js process and returns its figures. */
export function measureSnapshotMemory(repo: string): SnapshotMemory {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', repo], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(`client memory run failed (${r.status}): ${(r.stderr || line).trim().split('\n').pop()}`);
  return JSON.parse(line) as SnapshotMemory;
}

export function memoryLines(m: SnapshotMemory): string[] {
  const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
  return [
    `snapshot: ${m.processes} processes, ${m.containers} containers, ${mib(m.jsonBytes)} of JSON, ${m.ms.toFixed(0)} ms`,
    `client (as the extension host): heap ${mib(m.clientHeapBefore)} → ${mib(m.clientHeapAfter)} holding it, peak RSS ${mib(m.clientPeakRss)}`,
    `agent: peak RSS ${mib(m.agentPeakRss)}`,
  ];
}

function vmHwm(pid: number | 'self'): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

async function child(repo: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const clientHeapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const client = await connectAgent(await openLocalTransport({ agentPath: path.join(repo, 'dist', 'agent-bundle', 'agent.js') }), {
    clientVersion: 'bench',
  });
  const model = new NodeModel();
  model.setSnapshot(await client.request('snapshot', {}));
  const ms = performance.now() - started;
  const agentPeakRss = vmHwm(client.info.pid);
  await client.close();
  gc();
  const clientHeapAfter = process.memoryUsage().heapUsed;
  const s = model.snapshot!;
  const out: SnapshotMemory = {
    processes: s.processes.length,
    containers: s.containers.length,
    jsonBytes: Buffer.byteLength(JSON.stringify(s)),
    clientHeapBefore,
    clientHeapAfter,
    clientPeakRss: vmHwm('self'),
    agentPeakRss,
    ms,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
