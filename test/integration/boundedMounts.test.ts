/**
 * A container with CAP_SYS_ADMIN in its mount namespace can make up to mount.max (100,000) mounts, each of
 * whose lines in /proc/PID/mountinfo may hold two paths of kilobytes (issue 8, "Bounded everything"). Real
 * mount namespaces here (`unshare --mount --pid --fork`), filled by recursive bind mounts of a tmpfs
 * directory into a directory under itself: each `mount --rbind d d/x` copies every mount below d, so 15
 * of them make 2^15 mounts in a fraction of a second. Everything is in the namespace, which goes with its
 * last process: killing it cleans up.
 *
 *  - 32,768 short mounts (~2 MB of table): the snapshot answers, keeps the container's first 4,096 and says
 *    how many there were.
 *  - 32,768 mounts with paths up to ~3 KB (~50 MB of table): the table is read to 16 MiB and no further,
 *    and the snapshot says "mount table of pid N cut after X entries".
 *
 * The snapshot runs in a child (as the agent would, same code), killed if it takes more than a minute.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';

const repo = path.resolve(__dirname, '..', '..');
const skip = skipUnlessReal(probes.root, probes.command('unshare'));

const DOUBLINGS = 15;
const MOUNTS_MAX = 4096;
const MOUNTINFO_MAX_BYTES = 16 * 1024 * 1024;

interface Filled {
  child: ChildProcess;
  /** The namespace's pid 1 (sleep), as the host sees it. */
  init: number;
  dir: string;
}

/** A bare container whose mount namespace holds 2^DOUBLINGS bind mounts named `name` deep. */
async function filledNamespace(name: string): Promise<Filled> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-mounts-'));
  const script = [
    'set -e',
    `mount -t tmpfs nodescope-mounts ${dir}`,
    `mkdir -p ${dir}/d/${name}`,
    `mount --bind ${dir}/d ${dir}/d`,
    `i=0; while [ $i -lt ${DOUBLINGS} ]; do mount --rbind ${dir}/d ${dir}/d/${name}; i=$((i+1)); done`,
    'echo ready',
    'exec sleep 100000',
  ].join('\n');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the namespace's shell exited (${code}) before its mounts were made`)));
  });
  // unshare --fork waits for its child, the namespace's pid 1.
  const init = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
  assert.ok(init > 0, 'the namespace has its pid 1');
  return { child, init, dir };
}

function cleanUp(f: Filled | undefined): void {
  if (!f) return;
  // pid 1 of a pid namespace ignores SIGTERM from outside; its death ends the namespace and its mounts.
  try {
    process.kill(f.init, 'SIGKILL');
  } catch {
    /* gone already */
  }
  f.child.kill('SIGKILL');
  fs.rmSync(f.dir, { recursive: true, force: true });
}

/** What the snapshot said of the container whose init is `init`, and of its mount table. */
function snapshotAbout(init: number): { ms: number; mounts: number; truncated: boolean; unknown: string[]; problems: string[] } {
  const code = `const { takeSnapshot } = require('./server/discover/snapshot.ts');
    const t = Date.now(); const s = takeSnapshot(); const ms = Date.now() - t;
    const c = s.containers.find((x) => x.initPid === ${init});
    if (!c) throw new Error('no container with init pid ${init}');
    console.log(JSON.stringify({ ms, mounts: c.mounts.length, truncated: c.truncated === true, unknown: c.unknown.map((u) => u.message),
      problems: s.problems.filter((p) => p.source === '/proc/${init}/mountinfo').map((p) => p.message) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(r.signal, null, `the snapshot answered within 60 s (${r.stderr.slice(-400)})`);
  assert.equal(r.status, 0, r.stderr.slice(-1000));
  return JSON.parse(r.stdout);
}

/** Lines and bytes of the namespace's table, read here whole with no cap (the independent count). */
function tableSize(init: number): { lines: number; bytes: number } {
  const text = fs.readFileSync(`/proc/${init}/mountinfo`);
  let lines = 0;
  for (const b of text) if (b === 0x0a) lines++;
  return { lines, bytes: text.length };
}

describe('a mount namespace with tens of thousands of mounts', { skip, timeout: 300_000 }, () => {
  let filled: Filled | undefined;
  after(() => cleanUp(filled));

  it('32,768 short mounts: the snapshot answers, keeps the first 4,096 of the container and says so', async () => {
    filled = await filledNamespace('a');
    const size = tableSize(filled.init);
    assert.ok(size.lines > 2 ** DOUBLINGS && size.bytes < MOUNTINFO_MAX_BYTES, `${size.lines} lines in ${size.bytes} bytes`);
    const got = snapshotAbout(filled.init);
    assert.equal(got.mounts, MOUNTS_MAX);
    assert.equal(got.truncated, true);
    assert.ok(
      got.unknown.some((m) => m.includes(`mounts (${size.lines}, the first ${MOUNTS_MAX} kept)`)),
      got.unknown.join('\n'),
    );
    assert.deepEqual(got.problems, [], 'the whole table was read');
    cleanUp(filled);
    filled = undefined;
  });

  it('a table over 16 MiB: read to 16 MiB, cut at a whole line, and said', async () => {
    filled = await filledNamespace('n'.repeat(200));
    const size = tableSize(filled.init);
    assert.ok(size.bytes > MOUNTINFO_MAX_BYTES, `the table is ${size.bytes} bytes`);
    // The entries in the first 16 MiB, counted here from the whole table.
    const whole = fs.readFileSync(`/proc/${filled.init}/mountinfo`);
    const kept = whole
      .subarray(0, whole.lastIndexOf(0x0a, MOUNTINFO_MAX_BYTES - 1) + 1)
      .toString()
      .split('\n')
      .filter(Boolean).length;
    const got = snapshotAbout(filled.init);
    assert.deepEqual(got.problems, [
      `mount table of pid ${filled.init} cut after ${kept} entries (16.0 MiB read): the mounts after them are not listed`,
    ]);
    assert.equal(got.mounts, Math.min(kept, MOUNTS_MAX));
    assert.equal(got.truncated, true);
  });

  it("the agent's own table over 16 MiB: what launch acts on is refused, not read in part", () => {
    assert.ok(filled, 'the namespace of the test before is still up');
    // The agent's code run as a process of that namespace, where /proc/self/mountinfo is the long table.
    const probe = `const { readOwnMountinfo } = require(${JSON.stringify(path.join(repo, 'server', 'discover', 'mountinfo.ts'))});
      try { readOwnMountinfo(); console.log('read whole'); } catch (err) { console.log(err.message); }`;
    const r = spawnSync('nsenter', ['-t', String(filled.init), '-m', `--wd=${repo}`, process.execPath, '--import', 'tsx', '-e', probe], {
      encoding: 'utf8',
      cwd: repo,
      timeout: 60_000,
    });
    assert.equal(r.stdout.trim(), "the agent's own mount table is over 16.0 MiB: not acting on part of it", r.stderr);
  });
});
