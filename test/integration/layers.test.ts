/**
 * Layer scan, whence and page cache against independent sources: find, getfattr, stat in a real overlay
 * mount the test makes, docker inspect's GraphDriver dirs, and util-linux fincore.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { scanLayer } from '../../server/layers/scan';
import { whence } from '../../server/layers/whence';
import { pageCacheOfLayers } from '../../server/layers/pagecache';
import { residentBytes } from '../../server/sys/pagecache';
import type { LayerRef, RootfsInfo } from '../../server/protocol';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('getfattr'), probes.command('fincore'));
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

function rootfsOf(layers: string[], upper: string | null): RootfsInfo {
  const refs: LayerRef[] = [];
  if (upper) refs.push({ path: upper, role: 'upper', index: 0 });
  layers.forEach((p) => refs.push({ path: p, role: 'lower', index: refs.length }));
  return { fstype: 'overlay', source: 'overlay', readOnly: false, overlay: null, layers: refs };
}

describe('layers on real overlay directories', { skip }, () => {
  let dir = '';
  let low = '';
  let mid = '';
  let up = '';
  let merged = '';

  before(() => {
    rigUp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-layers-'));
    [low, mid, up, merged] = ['low', 'mid', 'up', 'merged'].map((n) => path.join(dir, n));
    sh(`mkdir -p ${dir}/work ${merged} ${low}/etc ${low}/old/sub ${low}/keep ${mid}/etc ${mid}/old ${up}
        echo base >${low}/etc/a; echo base >${low}/etc/b; echo base >${low}/etc/c; echo deep >${low}/old/sub/x; echo k >${low}/keep/k
        printf 12345 >${mid}/etc/a; echo new >${mid}/old/fresh
        mknod ${mid}/etc/b c 0 0
        : >${mid}/etc/c && setfattr -n trusted.overlay.whiteout -v y ${mid}/etc/c && setfattr -n trusted.overlay.opaque -v x ${mid}/etc
        setfattr -n trusted.overlay.opaque -v y ${mid}/old
        : >${mid}/.wh.aufs-gone; mkdir ${mid}/aufsdir; : >${mid}/aufsdir/.wh..wh..opq
        ln -s /etc/passwd ${mid}/abs-link; ln -s ../../../../.. ${mid}/up-link`);
    sh(`mount -t overlay nodescope-test -o lowerdir=${mid}:${low},upperdir=${up},workdir=${dir}/work ${merged}`);
  });

  after(() => {
    sh(`umount ${merged} 2>/dev/null || true`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scan: whiteouts, opaque dirs and counts agree with find and getfattr, and symlinks are not followed', () => {
    const s = scanLayer(mid);
    const chardevs = sh(`cd ${mid} && find . -type c`)
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice(2));
    assert.deepEqual(
      s.whiteouts
        .filter((w) => w.kind === 'chardev')
        .map((w) => w.path)
        .sort(),
      chardevs.sort(),
    );
    const xattrs = sh(`getfattr -R -h -d -m '^trusted.overlay' --absolute-names ${mid} 2>/dev/null`);
    const filesWith = (name: string, value: string) =>
      [...xattrs.matchAll(/^# file: (.*)\n((?:[^#\n].*\n?)*)/gm)]
        .filter((m) => m[2].includes(`${name}="${value}"`))
        .map((m) => path.relative(mid, m[1]));
    assert.deepEqual(
      s.whiteouts.filter((w) => w.kind === 'xattr').map((w) => w.path),
      filesWith('trusted.overlay.whiteout', 'y'),
    );
    assert.deepEqual(
      s.opaqueDirs.filter((o) => o.kind === 'xattr').map((o) => o.path),
      filesWith('trusted.overlay.opaque', 'y'),
    );
    assert.ok(!s.opaqueDirs.some((o) => o.path === 'etc'), 'opaque="x" only marks a dir holding xattr whiteouts');
    assert.deepEqual(
      s.whiteouts.filter((w) => w.kind === 'wh-file').map((w) => w.path),
      ['aufs-gone'],
    );
    assert.deepEqual(
      s.opaqueDirs.filter((o) => o.kind === 'wh-opq').map((o) => o.path),
      ['aufsdir'],
    );
    assert.equal(s.files, Number(sh(`find ${mid} -type f ! -name '.wh.*' | wc -l`)) - 1, 'regular files, less the xattr whiteout');
    assert.equal(s.bytes, Number(sh(`find ${mid} -type f -printf '%s\\n' | awk '{s+=$1} END {print s+0}'`)));
    assert.equal(s.symlinks, 2);
    assert.equal(s.dirs, Number(sh(`find ${mid} -mindepth 1 -type d | wc -l`)));
  });

  it('scan: a missing or non-directory path is a one-line error', () => {
    assert.throws(() => scanLayer(`${dir}/nope`), /^Error: no such directory: /);
    assert.throws(() => scanLayer(`${low}/etc/a`), /^Error: not a directory: /);
  });

  it('whence: provider, whiteouts of both kinds and opaque dirs agree with the mounted overlay', () => {
    const rootfs = rootfsOf([mid, low], up);
    const visible = (p: string) => fs.existsSync(merged + p);
    const a = whence(rootfs, 't', '/etc/a', null);
    assert.equal(a.visible, visible('/etc/a'));
    assert.equal(a.provider?.path, mid);
    assert.equal(fs.readFileSync(`${merged}/etc/a`, 'utf8'), '12345', 'the mount shows the mid copy');
    assert.deepEqual(
      a.shadowed.map((l) => l.path),
      [low],
    );
    for (const gone of ['/etc/b', '/etc/c']) {
      const w = whence(rootfs, 't', gone, null);
      assert.equal(visible(gone), false);
      assert.equal(w.visible, false);
      assert.equal(w.deletedBy?.path, mid, `${gone} deleted by mid's whiteout`);
    }
    const hidden = whence(rootfs, 't', '/old/sub/x', null);
    assert.equal(visible('/old/sub/x'), false);
    assert.equal(hidden.visible, false);
    assert.equal(hidden.hiddenByOpaque?.path, mid);
    assert.equal(whence(rootfs, 't', '/old/fresh', null).provider?.path, mid);
    const keep = whence(rootfs, 't', '/keep/../keep/k', null);
    assert.equal(keep.path, '/keep/k');
    assert.equal(keep.provider?.path, low);
    assert.equal(whence(rootfs, 't', '/nothing/here', null).visible, false);
  });

  it('whence: a copy-up shows in the upper layer, with the three inodes', () => {
    fs.appendFileSync(`${merged}/keep/k`, 'more');
    const rootfs = rootfsOf([mid, low], up);
    const w = whence(rootfs, 't', '/keep/k', null);
    assert.equal(w.provider?.role, 'upper');
    assert.ok(w.copiedUp);
    const byRole = Object.fromEntries(w.inodes.layers.map((l) => [l.path, l.inode]));
    assert.equal(byRole[up], fs.statSync(`${up}/keep/k`).ino);
    assert.equal(w.shadowed[0]?.path, low);
    assert.notEqual(fs.statSync(`${up}/keep/k`).ino, fs.statSync(`${low}/keep/k`).ino);
  });

  it('whence on the rig image: the whiteout layer deleted /data/gone and an opaque dir hides /opq/old', () => {
    const g = JSON.parse(sh(`docker inspect -f '{{json .GraphDriver.Data}}' nodescope-rig-limited`));
    const pid = Number(sh(`docker inspect -f '{{.State.Pid}}' nodescope-rig-limited`));
    const rootfs = rootfsOf(g.LowerDir.split(':'), g.UpperDir);
    const gone = whence(rootfs, 'x', '/data/gone', pid);
    assert.equal(gone.visible, false);
    assert.ok(gone.deletedBy);
    assert.match(sh(`find ${gone.deletedBy.path}/data -maxdepth 1 -type c`), /\/data\/gone\n/, 'the layer named holds the 0/0 device');
    assert.equal(sh(`docker exec nodescope-rig-limited sh -c 'test -e /data/gone && echo yes || echo no'`).trim(), 'no');
    const old = whence(rootfs, 'x', '/opq/old', pid);
    assert.equal(old.visible, false);
    assert.equal(sh(`getfattr -h --only-values -n trusted.overlay.opaque ${old.hiddenByOpaque!.path}/opq`), 'y');
    const fresh = whence(rootfs, 'x', '/opq/new', pid);
    assert.equal(fresh.inodes.merged, Number(sh(`docker exec nodescope-rig-limited stat -c %i /opq/new`)));
    for (const w of [gone, old, fresh]) assert.equal(w.problems, undefined, `layers and the container agree on ${w.path}`);
    // /proc/1 lives in the procfs mounted over the image: the container sees it, no layer has it.
    assert.equal(sh(`docker exec nodescope-rig-limited sh -c 'test -d /proc/1 && echo yes'`).trim(), 'yes');
    const procOne = whence(rootfs, 'x', '/proc/1', pid);
    assert.equal(procOne.visible, false);
    assert.match(procOne.problems?.[0]?.message ?? '', /no layer provides it \(a volume or bind mount covers it\)/);
    // A symlinked component is followed as the container's kernel follows it (against the container's
    // root), never on the host's side of /proc/PID/root: the inode is the one `docker exec stat` sees.
    fs.symlinkSync('/etc', `${g.UpperDir}/nodescope-layers-link`);
    try {
      const through = whence(rootfs, 'x', '/nodescope-layers-link/passwd', pid);
      assert.equal(through.resolvedPath, '/etc/passwd');
      assert.equal(through.visible, true);
      const inContainer = Number(sh(`docker exec nodescope-rig-limited stat -L -c %i /nodescope-layers-link/passwd`));
      assert.equal(through.inodes.merged, inContainer);
      assert.notEqual(through.inodes.merged, fs.statSync('/etc/passwd').ino, "not the host's /etc/passwd");
      assert.ok(fs.existsSync(`${through.provider!.path}/etc/passwd`), 'the provider layer holds etc/passwd');
      assert.equal(through.problems, undefined, 'layers and the container agree');
    } finally {
      fs.unlinkSync(`${g.UpperDir}/nodescope-layers-link`);
    }
  });

  it('scan: memory stays flat as a layer grows (peak RSS, 20k vs 300k files)', () => {
    const peakRss = (files: number): number => {
      const d = path.join(dir, `many-${files}`);
      // 500 files per directory, like a real image's /usr trees; names are short, content empty.
      const script = `const fs=require('fs');for(let i=0;i<${files};i++){const s='${d}/d'+Math.floor(i/500);if(i%500===0)fs.mkdirSync(s,{recursive:true});fs.writeFileSync(s+'/f'+i,'')}`;
      execFileSync(process.execPath, ['-e', script]);
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const {scanLayer}=require('${path.resolve(__dirname, '../../server/layers/scan')}');const r=scanLayer('${d}');if(r.files!==${files})throw new Error('counted '+r.files);console.log(process.resourceUsage().maxRSS)`,
        ],
        { encoding: 'utf8' },
      );
      fs.rmSync(d, { recursive: true, force: true });
      return Number(out.trim()) * 1024;
    };
    const small = peakRss(20_000);
    const large = peakRss(300_000);
    // Keeping one small object per file would cost 280k × ~100 B ≈ 28 MB more; streaming costs ~nothing.
    assert.ok(large - small < 12 * 1024 * 1024, `peak RSS grew by ${((large - small) / 1048576).toFixed(1)} MiB for 280k more files`);
  });

  it('page cache: resident bytes agree with fincore, cold and warm', () => {
    const file = path.join(dir, 'cache.bin');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024 + 100, 7));
    // Drop this file's pages (POSIX_FADV_DONTNEED after fdatasync) so the cold number is really 0.
    sh(`dd if=${file} iflag=nocache count=0 2>/dev/null; dd of=${file} oflag=nocache conv=notrunc,fdatasync count=0 2>/dev/null`);
    const fincore = () => JSON.parse(sh(`fincore --json --bytes ${file}`)).fincore[0].res as number;
    assert.equal(residentBytes(file)?.resident, fincore());
    sh(`cat ${file} >/dev/null`);
    const warm = residentBytes(file)!;
    assert.equal(warm.resident, fincore());
    assert.ok(warm.resident >= 3 * 1024 * 1024, 'read pages are resident');
    const viaMincore = residentBytes(file, 'mincore')!;
    assert.equal(viaMincore.method, 'mincore');
    assert.equal(viaMincore.resident, fincore(), 'the mmap + mincore fallback agrees too');
    sh(`dd if=${file} iflag=nocache count=0 2>/dev/null`);
    assert.equal(residentBytes(file, 'mincore')?.resident, fincore(), 'mincore after eviction');
    sh(`cat ${file} >/dev/null`);
    const report = pageCacheOfLayers(dir, 'dir', [{ path: dir, role: 'lower', index: 0 }], null, 3);
    assert.equal(report.layers[0].topFiles[0].path, 'cache.bin');
    assert.equal(report.layers[0].topFiles[0].residentBytes, fincore());
  });
});
