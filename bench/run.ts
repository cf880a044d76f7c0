/**
 * `npm run bench`: Nodescope's speed, as ratios against the anchor tools measured in the same run.
 *
 *   1. Whole-host snapshot: `nodescope snapshot --json` vs `lsns -J`, on a host with at least 2,000
 *      processes in 200 sets of namespaces (made here if the host has fewer). Target: ≤ 1.0× (issue 14). Beside it
 *      the floor any Node.js agent stands on here: Node's start-up, and start-up plus the per-process
 *      /proc reads alone (procReadFloor.cjs), so a ratio can be read against what is possible at all.
 *   2. Layer scan: `nodescope layer DIR --json` vs `find DIR -type c` (which finds only the 0/0 whiteouts,
 *      while the scan also counts bytes and reads opaque/redirect xattrs).
 *   3. SSH (bench/ssh.ts): connect + deploy + first snapshot on loopback, again with the agent deployed,
 *      and a snapshot round trip over SSH against the same snapshot run locally.
 *      Fleet (bench/fleet.ts): 10 test nodes connected together against one after another, and a
 *      fanned-out snapshot of all 10 against a for loop of `ssh NODE lsns -J`.
 *   4. Launch (bench/launch.ts): `nodescope launch` + `stop` against `runc run -d` + `runc delete` of
 *      the same container on a bundle made beforehand.
 *   5. Layers (bench/layers.ts): `nodescope layers` on a 20-layer image against `dive --ci` where installed,
 *      else `find` + `du` over the same directories; layers.explore's pages of a 100,000-entry directory.
 *   Memory (bench/clientMemory.ts), on the busy host of 1: one snapshot taken as the extension takes it,
 *   with the client's heap and peak RSS (the extension host's side) and the agent's peak RSS.
 *   Panel posts (bench/panelDeltas.ts), on a busy host like 1's: a panel's first full post against the delta
 *   posted when one container changes (goal: under 1 %).
 *
 *   6. Namespace graph panel (bench/panels.ts), in Chromium: a synthetic 5,000-node namespace graph from
 *      the snapshot message to a stable layout (target ≤ 1 s) and the frame time while panning (≤ 16 ms).
 * Needs root and a built dist/ (`npm run build`). Prints; asserts nothing about wall time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startNsHost, countProcesses } from './nsHost';
import { makeLargeLayer } from './largeLayer';
import { timeCommand, report, ratioLine } from './measure';
import { benchSsh } from './ssh';
import { benchFleet } from './fleet';
import { benchLaunch } from './launch';
import { benchDebug } from './debug';
import { benchNamespaceGraph } from './panels';
import { benchLayers } from './layers';
import { benchLayerExplorer } from './layerExplorer';
import { measureSnapshotMemory, memoryLines } from './clientMemory';
import { panelDeltaLines } from './panelDeltas';
import { liveUpdateLines } from './liveUpdates';

const repo = path.resolve(__dirname, '..');
const cli = path.join(repo, 'dist', 'cli.js');
/** What users run (package.json bin): the launcher of dist/cli.js. */
const bin = path.join(repo, 'bin', 'nodescope');
/** The launcher's environment, for the floor measurements (it drops NODE_EXTRA_CA_CERTS, see bin/nodescope). */
const { NODE_EXTRA_CA_CERTS: _caCerts, ...launcherEnv } = process.env;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) fail('needs root (the agent reads every process)');
  if (!fs.existsSync(cli)) fail('dist/cli.js is missing: run `npm run build` first');

  console.log(`nodescope bench — ${new Date().toISOString()}, ${RUNS} runs each, medians\n`);

  // 1. Snapshot vs lsns on a namespace-heavy host.
  const have = countProcesses();
  const host = have >= 2000 ? null : await startNsHost(200, 11);
  try {
    console.log(`host: ${countProcesses()} processes (${host ? 'made 200 namespace sets for this run' : 'as found'})`);
    const lsns = timeCommand('lsns -J', ['lsns', '-J'], RUNS);
    const snap = timeCommand('nodescope snapshot --json', [bin, 'snapshot', '--json'], RUNS);
    // The floor: what a Node.js agent pays before it has done anything but read /proc (procReadFloor.cjs).
    const start = timeCommand('floor: node -e 0', [process.execPath, '-e', '0'], RUNS, launcherEnv);
    const reads = timeCommand(
      'floor: node + the /proc reads, unparsed',
      [process.execPath, path.join(__dirname, 'procReadFloor.cjs')],
      RUNS,
      launcherEnv,
    );
    console.log(report(lsns));
    console.log(report(snap));
    console.log(report(start));
    console.log(report(reads));
    console.log(ratioLine('snapshot / lsns -J', snap, lsns, 1.0));
    console.log(ratioLine('floor (node + reads) / lsns -J', reads, lsns));
    const left = lsns.medianMs * 0.5 - reads.medianMs;
    console.log(`under the 0.5× target, ${left.toFixed(1)} ms would be left for namespaces, mounts, containers and JSON`);
    // Memory on both sides of one snapshot of this host, as the extension host and its agent hold it.
    console.log('');
    for (const line of memoryLines(measureSnapshotMemory(repo))) console.log(line);
    // Live updates on the same busy host (bench/liveUpdates.ts): resident refresh, docker run/rm → seen, idle CPU, bytes per change.
    console.log('');
    for (const line of await liveUpdateLines(repo, lsns, RUNS)) console.log(line);
  } finally {
    host?.stop();
  }
  // Scale (issue 14): 10,000 processes in 1,000 namespace sets; snapshot time and the agent's peak memory.
  console.log('');
  const big = await startNsHost(1000, 10);
  try {
    console.log(`scale: ${countProcesses()} processes, 1,000 namespace sets made for this run`);
    console.log(report(timeCommand('nodescope snapshot --json (scale)', [bin, 'snapshot', '--json'], Math.min(RUNS, 3))));
    for (const line of memoryLines(measureSnapshotMemory(repo))) console.log(line);
  } finally {
    big.stop();
  }
  // Bytes a panel is posted per update, on a busy node of its own (bench/panelDeltas.ts).
  console.log('');
  for (const line of await panelDeltaLines(repo)) console.log(line);

  // 2. Layer scan vs find.
  console.log('');
  const files = Number(process.env.BENCH_LAYER_FILES ?? 200_000);
  const layer = makeLargeLayer(files, 1000);
  try {
    console.log(`layer: ${files} files, 1000 whiteouts, 1 opaque dir at ${layer}`);
    const find = timeCommand('find DIR -type c', ['find', layer, '-type', 'c'], RUNS);
    const scan = timeCommand('nodescope layer DIR --json', [bin, 'layer', layer, '--json'], RUNS);
    console.log(report(find));
    console.log(report(scan));
    console.log(ratioLine('layer scan / find -type c', scan, find));
    console.log(`scan rate: ${Math.round(files / (scan.medianMs / 1000)).toLocaleString('en')} files/s`);
  } finally {
    fs.rmSync(layer, { recursive: true, force: true });
  }

  // 3. Over SSH.
  console.log('');
  await benchSsh(repo, RUNS);
  console.log('');
  await benchFleet(RUNS);

  // 4. Launch against runc alone.
  console.log('');
  benchLaunch(bin, RUNS);
  benchDebug(bin, RUNS);

  // 5. Layers against find + du (or dive), and the explorer's pages of a large directory.
  console.log('');
  await benchLayers(repo, bin, RUNS);

  // 6. The namespace graph panel in Chromium.
  console.log('');
  await benchNamespaceGraph();

  // 7. The layer explorer's page in Chromium: first paint on a 100,000-file layer.
  console.log('');
  await benchLayerExplorer();
}

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
