/**
 * A process holding an fd on a FUSE filesystem whose server never answers (issue 8, "Never block"): the
 * pass over /proc looks at every fd whose link reads as a path, to find namespaces held through bind
 * mounts, and a plain stat of /proc/PID/fd/N asks the file's filesystem: FUSE_GETATTR, which waits for a
 * server that never replies. Any user who may mount FUSE (or a container with CAP_SYS_ADMIN and /dev/fuse)
 * could hang every snapshot that way; NFS with a dead server does the same.
 *
 * The filesystem here is a real FUSE mount whose /dev/fuse fd this test holds and never reads: the kernel's
 * INIT request stays unanswered, so every request that needs the server waits (fs/fuse/dev.c
 * fuse_get_req). The holder opens the mount's root with O_PATH, which asks the server nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';

const repo = path.resolve(__dirname, '..', '..');
const fuseDevice = (): string | null => (fs.existsSync('/dev/fuse') ? null : 'needs /dev/fuse (the fuse module)');
const skip = skipUnlessReal(probes.root, probes.command('mount'), fuseDevice);

/** open(2)'s O_PATH (x86-64 and arm64): Node has no constant for it. */
const O_PATH = 0o10000000;

/** Runs `code` (TypeScript, from the repo) in a child killed at `ms`: a blocked call cannot hang the test. */
function inChild(code: string, ms: number): { killed: boolean; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: repo,
    encoding: 'utf8',
    timeout: ms,
    killSignal: 'SIGKILL',
  });
  return { killed: r.signal === 'SIGKILL', stdout: r.stdout, stderr: r.stderr };
}

describe('an fd on a FUSE filesystem whose server never answers', { skip, timeout: 120_000 }, () => {
  let dir = '';
  let fuseFd = -1;
  let holder: ChildProcess | undefined;
  let fdPath = '';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-deadfuse-'));
    fuseFd = fs.openSync('/dev/fuse', 'r+');
    // -i: no mount.fuse helper; the fd is the server's end, passed as fd 3.
    const m = spawnSync('mount', ['-i', '-t', 'fuse', '-o', 'fd=3,rootmode=40000,user_id=0,group_id=0', 'nodescope-deadfuse', dir], {
      stdio: ['ignore', 'pipe', 'pipe', fuseFd],
      encoding: 'utf8',
    });
    assert.equal(m.status, 0, `mount -t fuse: ${m.stderr}`);
    holder = spawn(
      process.execPath,
      ['-e', `require('fs').openSync(${JSON.stringify(dir)}, ${O_PATH}); process.stdout.write('open\\n'); setInterval(() => {}, 1e6);`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.once('data', () => resolve());
      holder!.once('exit', (code) => reject(new Error(`the holder exited (${code}) before opening ${dir}`)));
    });
    // Found by the link text alone: readlink asks the FUSE server nothing.
    const fd = fs.readdirSync(`/proc/${holder.pid}/fd`).find((n) => fs.readlinkSync(`/proc/${holder!.pid}/fd/${n}`) === dir);
    assert.ok(fd, `the holder has ${dir} open`);
    fdPath = `/proc/${holder.pid}/fd/${fd}`;
  });

  after(() => {
    holder?.kill('SIGKILL');
    // Lazily: a child still blocked on the mount would keep it busy. Closing the server's end then aborts
    // the connection, which fails every request still waiting (ENOTCONN).
    if (dir) spawnSync('umount', ['-l', dir]);
    if (fuseFd >= 0) fs.closeSync(fuseFd);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the trap is real: a plain stat of /proc/PID/fd/N waits for the server', () => {
    const r = inChild(`require('fs').statSync(${JSON.stringify(fdPath)}); console.log('returned');`, 3_000);
    assert.equal(r.killed, true, `stat returned: ${r.stdout}${r.stderr}`);
  });

  it("statNoSync answers from the kernel's memory: the FUSE mount's device, its root inode", () => {
    const r = inChild(
      `const { statNoSync } = require('./server/sys/statNoSync.ts'); console.log(JSON.stringify(statNoSync(${JSON.stringify(fdPath)})));`,
      20_000,
    );
    assert.equal(r.killed, false, 'statNoSync returned');
    const got = JSON.parse(r.stdout) as { devMajor: number; devMinor: number; ino: number };
    // The mount's own line in mountinfo gives its device (major:minor), read here without asking the server.
    const line = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === dir);
    assert.ok(line, `${dir} is in this mount table`);
    assert.equal(`${got.devMajor}:${got.devMinor}`, line.split(' ')[2]);
    assert.equal(got.ino, 1, 'FUSE_ROOT_ID');
  });

  it('the pass over /proc returns, and counts no namespace for that fd', () => {
    const code = `const { readProcesses } = require('./server/discover/procfs.ts');
      const t = Date.now(); const procs = readProcesses([]);
      const h = procs.find((p) => p.pid === ${holder!.pid});
      console.log(JSON.stringify({ ms: Date.now() - t, found: !!h, nsFds: h ? h.nsFds : null }));`;
    const r = inChild(code, 60_000);
    assert.equal(r.killed, false, 'readProcesses returned before 60 s');
    const got = JSON.parse(r.stdout) as { ms: number; found: boolean; nsFds: unknown[] };
    assert.equal(got.found, true, 'the holder is listed');
    assert.deepEqual(got.nsFds, []);
  });
});
