/**
 * What a container (or an image's author) can plant for the layer explorer's readers, on real
 * directories standing in for a layer: each trap checked against the kernel's own answer for the same
 * tree (a static busybox chrooted into the layer resolves the path as the container's kernel would).
 *
 * Symlink chains: Linux follows at most 40 links in one lookup, counting the links in the middle of the
 * path and the one at its end together (include/linux/namei.h MAXSYMLINKS, fs/namei.c total_link_count).
 * layerFiles.read gave 40 to each lookup and 40 again to the links at the end, 1,600 in all: a chain
 * through a 1,000-deep directory, planted once, held the agent's one thread six minutes.
 *
 * Big directories: layerFiles.list looks at every entry of the directory in every layer it merges (an
 * lstat each, an xattr read for each empty file, an open for each directory); 100,000 empty files a
 * container made took 13 s here, in five layers 57 s, past the client's 30 s deadline and the agent's
 * 60 s watchdog. One budget per request now bounds all of it (walk.ts: entries and time).
 *
 * Deep directories: layers.explore says of each directory on a page whether it holds anything, and walked
 * from the layer's root to each of them: a page of 500 directories 1,000 levels down took 81 s. The
 * directory listed is now walked to once per layer (1.6 s); what each says is checked against find.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { listInLayers, readInLayers, type ViewSource } from '../../server/files/layerFiles';
import { WalkBudget } from '../../server/layers/walk';
import { explore } from '../../server/layers/layerExplorer';

const skip = skipUnlessReal(probes.root, probes.command('busybox'), probes.command('chroot'));

/** A view of directories `dirs` (top-most first) as an image's layers, as layerStack.ts makes it. */
function viewOf(...dirs: string[]): ViewSource {
  return {
    stack: {
      target: { kind: 'image', id: 'planted', name: 'planted' },
      layers: dirs.map((dir, index) => ({ index, dir, role: 'lower', origin: 'image', createdBy: null, emptyHistory: [], usedBy: [] })),
      prefixes: ['trusted.overlay.'],
      problems: [],
    },
    rootfs: null,
  };
}

/** What the kernel makes of `file` inside `root`: its content, or the error busybox cat prints. */
function kernelCat(root: string, file: string): { ok: true; data: string } | { ok: false; err: string } {
  const r = spawnSync('chroot', [root, '/busybox', 'cat', file], { encoding: 'utf8' });
  return r.status === 0 ? { ok: true, data: r.stdout } : { ok: false, err: r.stderr };
}

function agentRead(root: string, file: string): { ok: true; data: string } | { ok: false; err: string } {
  try {
    return { ok: true, data: readInLayers(viewOf(root), { layer: 0, merged: true }, file).data.toString() };
  } catch (err) {
    return { ok: false, err: (err as Error).message };
  }
}

/**
 * In `root`: `/<name>0` a link to `/<name>1/` … `/<name>{inner}` a directory (`inner` links in the middle
 * of a path), holding `end`.
 */
function dirLinks(root: string, name: string, inner: number): string {
  for (let i = 0; i < inner; i++) fs.symlinkSync(`/${name}${i + 1}`, path.join(root, `${name}${i}`));
  fs.mkdirSync(path.join(root, `${name}${inner}`));
  return `/${name}0`;
}

describe('symlink chains planted in a layer', { skip }, () => {
  let root = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-hostile-explorer-'));
    fs.copyFileSync(spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim(), path.join(root, 'busybox'));
    fs.chmodSync(path.join(root, 'busybox'), 0o755);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('40 links in all, middle and end counted together, as the kernel counts them', () => {
    // 30 links: 14 in the middle of the first path, the one at its end, 15 in the middle of where it points.
    const a = dirLinks(root, 'a', 14);
    const b = dirLinks(root, 'b', 15);
    fs.writeFileSync(path.join(root, 'b15', 'file'), 'reached\n');
    fs.symlinkSync(`${b}/file`, path.join(root, 'a14', 'end'));
    assert.deepEqual(kernelCat(root, `${a}/end`), { ok: true, data: 'reached\n' });
    assert.deepEqual(agentRead(root, `${a}/end`), { ok: true, data: 'reached\n' });

    // 45 links: 22 + 1 + 22. Each lookup alone stays under 40, the whole does not: the kernel refuses.
    const c = dirLinks(root, 'c', 22);
    const d = dirLinks(root, 'd', 22);
    fs.writeFileSync(path.join(root, 'd22', 'file'), 'reached\n');
    fs.symlinkSync(`${d}/file`, path.join(root, 'c22', 'end'));
    const kernel = kernelCat(root, `${c}/end`);
    assert.ok(!kernel.ok && /too many (levels of )?symbolic links|ELOOP/i.test(kernel.err), JSON.stringify(kernel));
    const agent = agentRead(root, `${c}/end`);
    assert.ok(!agent.ok && /more than 40 symlinks.*ELOOP/.test(agent.err), JSON.stringify(agent));
    assert.ok(!agent.err.includes('\n'), 'one line');
  });

  it('a chain that loops through a deep directory is refused after 40 links, not 40 × 40 lookups', () => {
    // s0 → /deep…/s1, …, /deep…/s38 → /deep…/s39 (a directory) whose `x` → /s0/x: a loop, each hop 200 levels deep.
    const deep = Array.from({ length: 200 }, () => 'q').join('/');
    fs.mkdirSync(path.join(root, deep, 's39'), { recursive: true });
    fs.symlinkSync(`/${deep}/s1`, path.join(root, 's0'));
    for (let i = 1; i < 39; i++) fs.symlinkSync(`/${deep}/s${i + 1}`, path.join(root, deep, `s${i}`));
    fs.symlinkSync('/s0/x', path.join(root, deep, 's39', 'x'));
    const kernel = kernelCat(root, '/s0/x');
    assert.ok(!kernel.ok, JSON.stringify(kernel));
    const agent = agentRead(root, '/s0/x');
    assert.ok(!agent.ok && /ELOOP/.test(agent.err), JSON.stringify(agent));
  });
});

describe('a big directory in every layer', { skip }, () => {
  let top = '';
  after(() => fs.rmSync(top, { recursive: true, force: true }));

  it('one budget for the whole listing: the layers together stop at it, and the answer says it is cut', () => {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-hostile-big-'));
    const layers = ['l0', 'l1', 'l2'].map((l) => {
      fs.mkdirSync(path.join(top, l, 'big'), { recursive: true });
      for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(top, l, 'big', `${l}-${i}`), '');
      return path.join(top, l);
    });
    // Independent count: what find sees in the three layers' directories.
    const onDisk = spawnSync('sh', ['-c', `find ${top}/l0/big ${top}/l1/big ${top}/l2/big -type f | wc -l`], { encoding: 'utf8' });
    assert.equal(onDisk.stdout.trim(), '3000');
    const whole = listInLayers(viewOf(...layers), { layer: 0, merged: true }, '/big');
    assert.equal(whole.entries.length, 3000);
    assert.equal(whole.truncated, false);
    const cut = listInLayers(viewOf(...layers), { layer: 0, merged: true }, '/big', new WalkBudget({ maxEntries: 1500, maxDepth: 256 }));
    assert.equal(cut.truncated, true);
    assert.ok(cut.entries.length <= 1500, `${cut.entries.length} entries`);
  });
});

describe('a page of directories deep down', { skip }, () => {
  let top = '';
  after(() => fs.rmSync(top, { recursive: true, force: true }));

  it('says which hold anything as find does, the deep path walked once', () => {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-hostile-deep-'));
    const deep = Array.from({ length: 300 }, () => 'd').join('/');
    for (let i = 0; i < 60; i++) {
      fs.mkdirSync(path.join(top, deep, `s${i}`), { recursive: true });
      if (i % 3 === 0) fs.writeFileSync(path.join(top, deep, `s${i}`, 'f'), '');
      if (i % 3 === 1) fs.mkdirSync(path.join(top, deep, `s${i}`, 'sub'));
    }
    const found = spawnSync('find', ['.', '-mindepth', '1', '-maxdepth', '1', '-type', 'd', '-not', '-empty'], {
      cwd: path.join(top, deep),
      encoding: 'utf8',
    });
    const notEmpty = found.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(2))
      .sort();
    assert.equal(notEmpty.length, 40);
    const page = explore({ target: 'planted', path: `/${deep}`, limit: 100 }, () => viewOf(top).stack);
    assert.equal(page.entries.length, 60);
    assert.deepEqual(
      page.entries
        .filter((e) => e.hasChildren)
        .map((e) => e.name)
        .sort(),
      notEmpty,
    );
  });
});
