/**
 * What a hostile container can plant for the root agent, on real kernel objects made here: a directory
 * swapped for a link to the host's /etc while the layer walkers run (through a real overlay mount, as a
 * container would), overlay redirect and opaque xattrs the container set itself, /proc/1/pagemap linked
 * as its /etc/passwd, and a device node and a FIFO in its root. Each is checked against the kernel's own
 * view (the mounted overlay, stat, getfattr) and the host's files the trap aims at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { walkTree } from '../../server/layers/walk';
import { scanLayer } from '../../server/layers/scan';
import { pageCacheOfLayers } from '../../server/layers/pagecache';
import { containerDiff } from '../../server/layers/diff';
import { whence } from '../../server/layers/whence';
import { parseMountinfo } from '../../server/discover/mountinfo';
import { rootfsOf } from '../../server/discover/overlay';
import { readInContainer } from '../../server/files/containerFiles';
import type { Problem, RootfsInfo } from '../../server/protocol';

const skip = skipUnlessReal(
  probes.root,
  probes.command('getfattr'),
  probes.command('setfattr'),
  probes.command('unshare'),
  probes.command('busybox'),
  probes.command('strace'),
);
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
const repo = path.resolve(__dirname, '..', '..');

/** The rootfs the agent's own discovery reads from the kernel's mountinfo for the overlay at `merged`. */
function rootfsAt(merged: string): RootfsInfo {
  const entry = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.mountPoint === merged)
    .pop();
  assert.ok(entry, `${merged} is mounted`);
  const r = rootfsOf([{ ...entry, mountPoint: '/' }]);
  assert.ok(r?.overlay, 'an overlay');
  return r;
}

function mountOverlay(dir: string, opts = ''): { low: string; up: string; merged: string } {
  const [low, up, work, merged] = ['low', 'up', 'work', 'merged'].map((n) => path.join(dir, n));
  for (const d of [low, up, work, merged]) fs.mkdirSync(d, { recursive: true });
  sh(`mount -t overlay nodescope-hostile -o lowerdir=${low},upperdir=${up},workdir=${work}${opts} ${merged}`);
  return { low, up, merged };
}

describe('a container that swaps a directory for a link to the host while the layer walkers run', { skip }, () => {
  let dir = '';
  let o: { low: string; up: string; merged: string };
  let racer: ChildProcess | null = null;
  const hostEtc = new Set(fs.readdirSync('/etc'));
  const RUNS = 30;
  const PER_RUN = 5;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-race-'));
    o = mountOverlay(dir);
    assert.ok(hostEtc.has('passwd'), "the host's /etc the container's link aims at");
    sh(
      `cd ${o.merged} && mkdir d && for i in $(seq 0 49); do echo mine >d/mine-$i; done && for i in $(seq 0 299); do echo root >f-$i; done`,
    );
    // The container's loop, through the overlay mount as the container would make it: between two reads of
    // the walker, `d` may be a directory, gone, or a symlink to the host's /etc.
    const loop = `const fs=require('fs');process.chdir(${JSON.stringify(o.merged)});for(;;){try{fs.renameSync('d','d2');fs.symlinkSync('/etc','d');fs.unlinkSync('d');fs.renameSync('d2','d')}catch{}}`;
    racer = spawn(process.execPath, ['-e', loop], { stdio: 'ignore' });
  });

  after(async () => {
    // Its working directory is in the mount: gone before the umount.
    if (racer && racer.exitCode === null) await new Promise((r) => racer!.once('exit', r).kill('SIGKILL'));
    spawnSync('sh', ['-c', `umount ${o.merged}`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ours = /^(f-\d+|d2?|d2?\/mine-\d+)$/;
  const leaked = (rels: string[]): string[] => rels.filter((r) => !ours.test(r));

  it(`the walk, the scan and the page cache never list the host's /etc (${RUNS} runs of ${PER_RUN} each)`, async () => {
    // The racer is running once the directory has been renamed at least once.
    for (let i = 0; i < 100 && !fs.existsSync(`${o.up}/d2`); i++) await new Promise((r) => setTimeout(r, 20));
    let sawD = 0;
    for (let run = 0; run < RUNS; run++) {
      // One walk in ~40 lands in the window on this machine (2 cores, racer included): PER_RUN of each per run.
      for (let k = 0; k < PER_RUN; k++) {
        const rels: string[] = [];
        walkTree(o.up, ({ rel }) => void rels.push(rel), []);
        assert.deepEqual(leaked(rels), [], `run ${run}: the walk listed host entries`);
        if (rels.some((r) => /^d2?\/mine-/.test(r))) sawD++;
        const scan = scanLayer(o.up);
        assert.ok(
          scan.files <= 350 && scan.dirs <= 2,
          `run ${run}: the scan counted ${scan.files} files and ${scan.dirs} dirs, the layer has at most 350 and 2`,
        );
        const pc = pageCacheOfLayers('c', 'container', [{ path: o.up, role: 'upper', index: 0 }], null, 10_000);
        assert.deepEqual(leaked(pc.layers[0].topFiles.map((f) => f.path)), [], `run ${run}: the page cache listed host files`);
        assert.ok(pc.layers[0].files <= 350, `run ${run}: the page cache counted ${pc.layers[0].files} files`);
      }
    }
    assert.ok(sawD > 0, 'the walks did go into the directory the container swaps');
  });

  it(`diff and whence never report a host file (${RUNS} runs)`, () => {
    const rootfs = rootfsAt(o.merged);
    const passwdIno = fs.lstatSync('/etc/passwd').ino;
    for (let run = 0; run < RUNS; run++) {
      const d = containerDiff(rootfs, 'c', 100_000);
      assert.deepEqual(leaked(d.changes.map((c) => c.path.slice(1))), [], `run ${run}: diff listed host entries`);
      for (let i = 0; i < 100; i++) {
        const w = whence(rootfs, 'c', '/d/passwd', null);
        assert.equal(w.visible, false, `run ${run}: whence found /d/passwd, which only the host's /etc has`);
        assert.ok(!w.inodes.layers.some((l) => l.inode === passwdIno), "the host's /etc/passwd inode");
      }
    }
  });
});

describe('overlay marks the container set itself', { skip }, () => {
  let dir = '';
  const shadowIno = fs.lstatSync('/etc/shadow').ino;
  let trusted: { low: string; up: string; merged: string };
  let userx: { low: string; up: string; merged: string };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-marks-'));
    // Layers made before mounting (overlayfs reads its xattrs at lookup and caches them).
    for (const sub of ['t', 'u']) {
      const base = path.join(dir, sub);
      sh(`mkdir -p ${base}/low/old ${base}/low/keep ${base}/up/esc ${base}/up/conf ${base}/up/good ${base}/up/keep
          echo inside >${base}/low/old/inside; echo lower >${base}/low/keep/lower`);
    }
    const t = path.join(dir, 't');
    // trusted.overlay.* as only the host can set them: a climbing absolute redirect and a valid one.
    sh(`setfattr -n trusted.overlay.redirect -v /../../../../etc ${t}/up/conf; setfattr -n trusted.overlay.redirect -v /old ${t}/up/good`);
    trusted = mountOverlay(t);
    // What a container can set through its own mount on a trusted-xattr overlay: user.* xattrs.
    sh(`mkdir ${trusted.merged}/mine; setfattr -n user.overlay.redirect -v ../../../../etc ${trusted.merged}/mine
        setfattr -n user.overlay.opaque -v y ${trusted.merged}/keep`);
    const u = path.join(dir, 'u');
    sh(`setfattr -n user.overlay.opaque -v y ${u}/up/keep; setfattr -n trusted.overlay.redirect -v /old ${u}/up/good`);
    userx = mountOverlay(u, ',userxattr');
  });

  after(() => {
    spawnSync('sh', ['-c', `umount ${trusted.merged}; umount ${userx.merged}`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a user.overlay.redirect on a trusted-xattr overlay is not followed: no host inode', () => {
    assert.equal(
      sh(`getfattr -h --only-values -n user.overlay.redirect ${trusted.up}/mine`),
      '../../../../etc',
      'the container set it on its layer',
    );
    assert.equal(fs.existsSync(`${trusted.merged}/mine/shadow`), false, 'the kernel does not follow it');
    const rootfs = rootfsAt(trusted.merged);
    assert.equal(rootfs.overlay?.userxattr, false);
    const w = whence(rootfs, 'c', '/mine/shadow', null);
    assert.equal(w.visible, false);
    assert.ok(!w.inodes.layers.some((l) => l.inode === shadowIno), "not the host's /etc/shadow");
    // Nor is its user.overlay.opaque: the kernel merges /keep, and so does whence.
    assert.equal(fs.readFileSync(`${trusted.merged}/keep/lower`, 'utf8'), 'lower\n');
    assert.equal(whence(rootfs, 'c', '/keep/lower', null).provider?.path, trusted.low);
  });

  it('a trusted.overlay.redirect that climbs out of the layer is reported, not followed; a valid one is', () => {
    const rootfs = rootfsAt(trusted.merged);
    assert.throws(() => fs.statSync(`${trusted.merged}/conf/shadow`), 'the kernel refuses the climbing redirect');
    const esc = whence(rootfs, 'c', '/conf/shadow', null);
    assert.equal(esc.visible, false);
    assert.ok(!esc.inodes.layers.some((l) => l.inode === shadowIno), "not the host's /etc/shadow");
    assert.match((esc.problems ?? []).map((p: Problem) => p.message).join('\n'), /redirect.*\/\.\.\/\.\.\/\.\.\/\.\.\/etc.*not followed/);
    // The valid absolute redirect, resolved from the lower layer's root, agrees with the kernel.
    assert.equal(fs.readFileSync(`${trusted.merged}/good/inside`, 'utf8'), 'inside\n');
    const good = whence(rootfs, 'c', '/good/inside', null);
    assert.equal(good.provider?.path, trusted.low);
    assert.equal(good.inodes.layers[0]?.inode, fs.statSync(`${trusted.low}/old/inside`).ino);
  });

  it('on a userxattr overlay, user.overlay.* marks count and trusted.overlay.* do not', () => {
    const rootfs = rootfsAt(userx.merged);
    assert.equal(rootfs.overlay?.userxattr, true);
    // Opaque by user.overlay.opaque: the kernel hides the lower /keep/lower.
    assert.equal(fs.existsSync(`${userx.merged}/keep/lower`), false);
    const hidden = whence(rootfs, 'c', '/keep/lower', null);
    assert.equal(hidden.visible, false);
    assert.equal(hidden.hiddenByOpaque?.path, userx.up);
    // The trusted.overlay.redirect means nothing here (the kernel lists /good as the upper's empty dir).
    assert.deepEqual(fs.readdirSync(`${userx.merged}/good`), []);
    assert.equal(whence(rootfs, 'c', '/good/inside', null).visible, false);
  });
});

describe("a container's root with a pagemap link, a device node and a FIFO", { skip }, () => {
  let root = '';
  let box: ChildProcess | null = null;
  let pid = 0;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-hostile-root-'));
    sh(`mkdir -p ${root}/bin ${root}/etc ${root}/proc ${root}/dev ${root}/tmp && cp /usr/bin/busybox ${root}/bin/busybox
        ln -s /proc/1/pagemap ${root}/etc/passwd; ln -s /proc/1/pagemap ${root}/etc/shells
        mknod ${root}/dev/zeroish c 1 5; mkfifo ${root}/tmp/fifo`);
    // A bare container: its own pid and mount namespaces, its own /proc, chrooted into the root.
    box = spawn(
      'unshare',
      [
        '--pid',
        '--mount',
        '--fork',
        '--kill-child',
        'sh',
        '-c',
        `mount -t proc proc ${root}/proc && exec chroot ${root} /bin/busybox sleep 600`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const child = sh(`ps -o pid= --ppid ${box.pid} || true`).trim();
      if (child && fs.readlinkSync(`/proc/${child}/root`) === root) pid = Number(child);
    }
    assert.ok(pid, 'the container runs');
  });

  after(() => {
    box?.kill('SIGKILL');
    if (pid) spawnSync('kill', ['-9', String(pid)]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs `code` in a fresh agent process (bounded: a reader that does not stop must not take the test runner down). */
  function inAgent(code: string): { out: string; rssMiB: number; ms: number } {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `${code};console.log('RSS='+process.resourceUsage().maxRSS)`], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const ms = Date.now() - started;
    assert.equal(r.signal, null, `the agent process was killed after ${ms} ms (${r.signal}): it kept reading`);
    assert.equal(r.status, 0, r.stderr);
    const m = /RSS=(\d+)\n$/.exec(r.stdout);
    return { out: r.stdout.slice(0, m!.index), rssMiB: Number(m![1]) / 1024, ms };
  }

  it('the pagemap link as /etc/passwd: Enter and files.read stop at their caps (bytes read, not fstat)', () => {
    assert.equal(fs.statSync(`/proc/${pid}/root/proc/1/pagemap`).size, 0, 'fstat says 0 bytes for pagemap');
    const enter = inAgent(
      `const {readInside}=require('./server/act/enter');const p=[];const t=readInside('/proc/${pid}/root','/etc/passwd',p);console.log(JSON.stringify({t,p}))`,
    );
    const { t, p } = JSON.parse(enter.out) as { t: string | null; p: Problem[] };
    assert.equal(t, null);
    assert.match(p[0].message, /more than 1\.0 MiB/);
    assert.ok(enter.rssMiB < 300, `agent peak RSS ${enter.rssMiB.toFixed(0)} MiB`);
    const read = inAgent(
      `const {readInContainer}=require('./server/files/containerFiles');try{readInContainer('/proc/${pid}/root','/etc/passwd');console.log('read')}catch(e){console.log(e.message)}`,
    );
    assert.match(read.out, /^\/etc\/passwd: more than 16\.0 MiB; files above 16\.0 MiB are not opened\n$/);
    assert.ok(read.rssMiB < 300, `agent peak RSS ${read.rssMiB.toFixed(0)} MiB`);
  });

  it('a device node is refused without being opened for reading', () => {
    assert.equal(sh(`stat -c %F ${root}/dev/zeroish`).trim(), 'character special file');
    assert.throws(() => readInContainer(`/proc/${pid}/root`, '/dev/zeroish'), {
      message: '/dev/zeroish is a character device in the container: not opened',
    });
    // Every open the agent made, as strace saw them: the node only ever as an O_PATH handle.
    const log = path.join(root, '..', `${path.basename(root)}.strace`);
    try {
      const r = spawnSync(
        'strace',
        [
          '-f',
          '-qq',
          '-e',
          'trace=openat,openat2',
          '-o',
          log,
          process.execPath,
          '--import',
          'tsx',
          '-e',
          `const {readInContainer}=require('./server/files/containerFiles');try{readInContainer('/proc/${pid}/root','/dev/zeroish')}catch(e){}`,
        ],
        { cwd: repo, encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const opens = fs.readFileSync(log, 'utf8').split('\n');
      const ofNode = opens.filter((l) => l.includes('dev/zeroish'));
      assert.equal(ofNode.length, 1, ofNode.join('\n'));
      assert.match(ofNode[0], /O_PATH/);
      const fd = /= (\d+)$/.exec(ofNode[0])?.[1];
      assert.ok(!opens.some((l) => l.includes(`"/proc/self/fd/${fd}"`)), 'its O_PATH handle is never reopened');
    } finally {
      fs.rmSync(log, { force: true });
    }
  });

  it('a FIFO is refused without being opened: a writer waiting for a reader stays waiting', async () => {
    const writer = spawn('sh', ['-c', `echo x >${root}/tmp/fifo`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.throws(() => readInContainer(`/proc/${pid}/root`, '/tmp/fifo'), {
        message: '/tmp/fifo is a FIFO in the container: not opened',
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(writer.exitCode, null, 'no reader ever opened the FIFO');
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
