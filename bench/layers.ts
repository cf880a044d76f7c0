/**
 * The layer view against its anchors, on images built here from the rig's base image (kept between runs
 * under the nodescope-bench/ repository: building them takes a minute):
 *
 *   1. `nodescope layers IMAGE --json` on an image of 20 layers (files added, overwritten and deleted in
 *      each, so there is waste to find) against `dive --ci` where it is installed, else against `find` and
 *      `du` over the same 20 directories: the file count and the bytes per layer, which is the least any
 *      tool reading the layers from disk must do (nodescope also reads whiteouts, opaque and redirect
 *      marks and works out the waste).
 *   2. layers.explore over a 100,000-entry directory, through a real agent over its pipes as the editor
 *      talks to it: the first page (which reads the whole directory's names, and looks the target up),
 *      a page further down (served from that read), all 200 pages of 500 in order, and a filtered first
 *      page; against `ls -f` (getdents alone, as the explorer reads the names) and `find -maxdepth 1
 *      -printf` (an lstat per entry, what sizing every entry would cost) over the same layer directory.
 *   3. The same directory listed whole as the editor's file system provider asks for it (layerFiles.list),
 *      against the same `find`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import { ratioLine, report, timeAsync, timeCommand, type Timing } from './measure';

const BASE = 'nodescope-rig/base:1';
const LAYERS20 = 'nodescope-bench/layers20:1';
const BIGDIR = 'nodescope-bench/bigdir:1';
const BIG_ENTRIES = 100_000;

function haveImage(ref: string): boolean {
  return spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0;
}

/** `docker build` of a Dockerfile text (legacy builder: no registry is reachable, BASE is local). */
function build(ref: string, dockerfile: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-bench-build-'));
  try {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    execFileSync('docker', ['build', '-q', '--network', 'none', '--label', 'nodescope.bench=1', '-t', ref, dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      timeout: 600_000,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** 19 RUN layers on the base: each adds 300 files of 1-64 KiB, overwrites some of the layer before's, deletes others. */
function layers20Dockerfile(): string {
  const runs = Array.from({ length: 19 }, (_, i) => {
    const add = `mkdir -p /l${i} && cd /l${i} && i=0 && while [ $i -lt 300 ]; do head -c $(( (i % 64 + 1) * 1024 )) /dev/zero > f$i; i=$((i+1)); done`;
    const churn = i ? ` && rm -f /l${i - 1}/f1* && cp /l${i - 1}/f2 /l${i - 1}/f3` : '';
    return `RUN ${add}${churn}`;
  });
  return [`FROM ${BASE}`, ...runs, ''].join('\n');
}

function graphDirs(ref: string): string[] {
  const d = JSON.parse(execFileSync('docker', ['image', 'inspect', '-f', '{{json .GraphDriver.Data}}', ref], { encoding: 'utf8' })) as {
    UpperDir: string;
    LowerDir?: string;
  };
  return [d.UpperDir, ...(d.LowerDir ? d.LowerDir.split(':') : [])];
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export async function benchLayers(repo: string, bin: string, runs: number): Promise<void> {
  if (!haveImage(BASE)) {
    console.log(`layers: skipped (no ${BASE}; bash test/rig/up.sh makes it)`);
    return;
  }
  // 1. A 20-layer image.
  if (!haveImage(LAYERS20)) build(LAYERS20, layers20Dockerfile());
  const dirs = graphDirs(LAYERS20);
  console.log(`image ${LAYERS20}: ${dirs.length} layers`);
  const ours = timeCommand('nodescope layers IMAGE --json (20 layers)', [bin, 'layers', LAYERS20, '--json'], runs);
  const anchor = have('dive')
    ? timeCommand('dive --ci IMAGE', ['dive', '--ci', '--source', 'docker', LAYERS20], runs)
    : timeCommand(
        'find -type f | wc + du -sb over the 20 layer dirs',
        ['sh', '-c', 'for d; do find "$d" -type f | wc -l; done >/dev/null; du -sb "$@" >/dev/null', 'sh', ...dirs],
        runs,
      );
  if (!have('dive')) console.log('dive: not installed here (no package in the reachable registries): find + du stand in for it');
  console.log(report(anchor));
  console.log(report(ours));
  console.log(ratioLine(`nodescope layers / ${have('dive') ? 'dive --ci' : 'find + du'}`, ours, anchor));

  // 2. A directory of 100,000 entries, paged through a real agent.
  console.log('');
  if (!haveImage(BIGDIR)) build(BIGDIR, `FROM ${BASE}\nRUN mkdir /big && cd /big && seq ${BIG_ENTRIES} | xargs touch\n`);
  const top = graphDirs(BIGDIR)[0];
  const client = await connectAgent(await openLocalTransport({ agentPath: path.join(repo, 'dist', 'agent-bundle', 'agent.js') }), {
    clientVersion: 'bench',
  });
  try {
    const page = (offset: number) => client.request('layers.explore', { target: BIGDIR, path: '/big', offset, limit: 500 });
    const first = await page(0);
    if (first.total !== BIG_ENTRIES) throw new Error(`layers.explore counted ${first.total} entries in /big, not ${BIG_ENTRIES}`);
    const find = timeCommand(
      'find DIR -maxdepth 1 -printf "%y %s %f" (100,000)',
      ['find', path.join(top, 'big'), '-maxdepth', '1', '-printf', '%y %s %f\n'],
      runs,
    );
    const ls = timeCommand('ls -f DIR (names only, 100,000)', ['ls', '-f', path.join(top, 'big')], runs);
    const firstPage = await timeAsync('layers.explore first page of 500 (reads all 100,000)', async () => void (await page(0)), runs);
    const laterPage = await timeAsync('layers.explore a later page (offset 50,000)', async () => void (await page(50_000)), runs);
    const all: Timing = await timeAsync(
      'layers.explore all 200 pages of 500, in order',
      async () => {
        for (let offset = 0; offset < BIG_ENTRIES; offset += 500) await page(offset);
      },
      Math.max(1, Math.min(runs, 3)),
    );
    const filtered = await timeAsync(
      'layers.explore first page, pattern "*99*"',
      async () => void (await client.request('layers.explore', { target: BIGDIR, path: '/big', pattern: '*99*', limit: 500 })),
      runs,
    );
    for (const t of [ls, find, firstPage, laterPage, all, filtered]) console.log(report(t));
    console.log(ratioLine('explore first page / ls -f', firstPage, ls));
    console.log(ratioLine('explore first page / find -maxdepth 1 -printf', firstPage, find));
    console.log(ratioLine('explore later page / first page', laterPage, firstPage));

    // 3. The same directory as the editor's file system provider lists it (readDirectory → layerFiles.list).
    const provider = await timeAsync(
      'layerFiles.list of the 100,000-entry dir (file system provider)',
      async () => {
        const r = await client.request('layerFiles.list', { target: BIGDIR, layer: 0, merged: true, path: '/big' });
        if (r.entries.length !== BIG_ENTRIES && !r.truncated)
          throw new Error(`layerFiles.list listed ${r.entries.length} entries in /big, not ${BIG_ENTRIES}`);
      },
      runs,
    );
    console.log(report(provider));
    console.log(ratioLine('file system provider listing / find -maxdepth 1 -printf', provider, find));
  } finally {
    await client.close();
  }
}
