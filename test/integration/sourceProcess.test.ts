/**
 * Where launch reads how a source container was started: a bundle's config.json in its parent's working
 * directory is believed only when that parent is root in the agent's own mount namespace and root, and
 * the file is opened without blocking. Real processes here: a parent as root and as uid 65534, in the
 * host's mount namespace and in one of its own, each with a directory named for the "container".
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ContainerInfo } from '../../server/protocol';
import { sourceProcess } from '../../server/act/sourceProcess';
import { probes, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.command('setpriv'), probes.command('unshare'), probes.command('mkfifo'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ID = `nodescope-src-${process.pid}`;
const container = { id: ID, labels: {} } as unknown as ContainerInfo;

describe("launch believes a bundle only from a root parent in the host's mount namespace", { skip }, () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-src-'));
  fs.chmodSync(base, 0o755);
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(base, { recursive: true, force: true });
  });

  /** A parent (`prefix` runs it: setpriv, unshare) with its cwd in `<base>/<name>/<ID>`, and its `sleep` child's pid. */
  async function parentIn(name: string, prefix: string[], config: 'file' | 'fifo'): Promise<number> {
    const dir = path.join(base, name, ID);
    fs.mkdirSync(dir, { recursive: true });
    for (const d of [path.dirname(dir), dir]) fs.chmodSync(d, 0o755);
    if (config === 'fifo') execFileSync('mkfifo', [path.join(dir, 'config.json')]);
    else
      fs.writeFileSync(
        path.join(dir, 'config.json'),
        JSON.stringify({ process: { args: ['from-bundle', name], cwd: '/b', user: { uid: 7, gid: 7 } } }),
      );
    const sh = spawn(prefix[0], [...prefix.slice(1), 'sh', '-c', 'sleep 600 & wait'], { cwd: dir, stdio: 'ignore' });
    children.push(sh);
    for (let i = 0; i < 100; i++) {
      const kids = fs.readFileSync(`/proc/${sh.pid}/task/${sh.pid}/children`, 'utf8').trim();
      const pid = Number(kids.split(' ')[0]);
      if (pid && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') return pid;
      await sleep(50);
    }
    throw new Error(`no sleep under ${name}`);
  }

  it("a root parent in the host's namespace: its bundle is read", async () => {
    const pid = await parentIn('root', ['env'], 'file');
    const src = sourceProcess(container, pid);
    assert.deepEqual(src?.args, ['from-bundle', 'root']);
    assert.equal(src?.source, path.join(base, 'root', ID, 'config.json'));
  });

  it("a parent of another user: its directory is not believed, the kernel's cmdline is used", async () => {
    const pid = await parentIn('nobody', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], 'file');
    const src = sourceProcess(container, pid);
    assert.deepEqual(src, { args: ['sleep', '600'], cwd: '/', uid: 0, gid: 0, path: src!.path, source: `/proc/${pid}/cmdline` });
  });

  it('a root parent in a mount namespace of its own: its cwd names no host path', async () => {
    const pid = await parentIn('ownns', ['unshare', '-m'], 'file');
    assert.notEqual(fs.statSync(`/proc/${pid}/ns/mnt`).ino, fs.statSync('/proc/self/ns/mnt').ino);
    assert.equal(sourceProcess(container, pid)?.source, `/proc/${pid}/cmdline`);
  });

  it('a FIFO as config.json does not block the reader', async () => {
    const pid = await parentIn('fifo', ['env'], 'fifo');
    // In a child of its own: a blocked open would never return, and the test must fail rather than hang.
    const script = `const { sourceProcess } = require(${JSON.stringify(path.resolve(__dirname, '../../server/act/sourceProcess.ts'))}); console.log(JSON.stringify(sourceProcess({ id: ${JSON.stringify(ID)}, labels: {} }, ${pid})));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'it returned (not killed at the timeout)');
    assert.equal(JSON.parse(r.stdout).source, `/proc/${pid}/cmdline`);
  });
});
