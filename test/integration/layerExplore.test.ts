// The layer explorer's data (layers.explore) and containerd images in layers.report, on the rig's real
// Docker engine and containerd, each fact against an account the agent did not write:
//  - the merged view of a container, page by page, against `docker export` of that container (the tar of
//    its merged root, without its mounts), names and whether each directory has anything in it;
//  - the layer alone's A/M/R against `docker diff`, and the rig's known whiteout and opaque directory;
//  - filters against the same lists filtered by hand;
//  - a containerd image (nodescope-rig/layers:1 saved from Docker, imported with ctr into a namespace of
//    our own): createdBy against `docker history --no-trunc`, sizes against docker history, layer
//    directories against the overlay `ctr snapshots mounts` gives for a view of its top layer, its id
//    against Docker's (the same config blob);
//  - a containerd container's image layer and its CRI twin's against the snapshotter's mounts;
//  - overlay redirects on a real overlay mounted with redirect_dir=on, against getfattr.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayerExplorePage, LayerExploreParams, LayerReport } from '../../server/protocol';
import { AgentMethods } from '../../server/methods';
import { layerReport } from '../../server/layers/layerReport';
import { explore } from '../../server/layers/layerExplorer';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startChangedContainer } from '../support/changedContainer';
import { dockerHistory, historyRows } from '../support/dockerHistory';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('ctr'), probes.command('getfattr'));
const NAME = `nodescope-explore-${process.pid}`;
const NS = `nodescope-explore-${process.pid}`;
const LAYERED = 'nodescope-rig/layers:1';
const CTR_REF = `docker.io/${LAYERED}`;

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const ctr = (ns: string, ...args: string[]): string =>
  execFileSync('ctr', ['--address', '/run/containerd/containerd.sock', '-n', ns, ...args], { encoding: 'utf8', timeout: 60_000 });

/** Every page of a directory, concatenated, with the totals each page gave. */
function allPages(agent: AgentMethods, p: LayerExploreParams, limit = 37): { entries: LayerExplorePage['entries']; totals: number[] } {
  const entries: LayerExplorePage['entries'] = [];
  const totals: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = agent.dispatch('layers.explore', { ...p, offset, limit });
    totals.push(page.total);
    entries.push(...page.entries);
    if (page.entries.length < limit) return { entries, totals };
  }
}

/** The container's merged root as `docker export` writes it: directory → its children's names. */
function exported(container: string): Map<string, Set<string>> {
  const tar = execFileSync('sh', ['-c', 'docker export "$1" | tar -t', 'sh', container], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const children = new Map<string, Set<string>>([['/', new Set()]]);
  for (const raw of tar.split('\n').filter(Boolean)) {
    const p = `/${raw.replace(/\/$/, '')}`;
    if (raw.endsWith('/') && !children.has(p)) children.set(p, new Set());
    const parent = path.posix.dirname(p);
    if (!children.has(parent)) children.set(parent, new Set());
    children.get(parent)!.add(path.posix.basename(p));
  }
  return children;
}

describe('layers.explore and containerd images on the real rig', { skip }, () => {
  const agent = new AgentMethods();

  before(() => {
    rigUp();
    startChangedContainer(NAME);
    execFileSync(
      'sh',
      ['-c', `docker save "$1" | ctr --address /run/containerd/containerd.sock -n "$2" images import -`, 'sh', LAYERED, NS],
      { stdio: 'ignore', timeout: 120_000 },
    );
  });
  after(() => {
    spawnSync('docker', ['rm', '-f', NAME]);
    spawnSync('ctr', ['--address', '/run/containerd/containerd.sock', '-n', NS, 'images', 'rm', '--sync', CTR_REF]);
    spawnSync('ctr', ['--address', '/run/containerd/containerd.sock', 'namespaces', 'rm', NS]);
  });

  it("pages through every directory of a container's merged view as docker export has it, with hasChildren", () => {
    const truth = exported(NAME);
    assert.ok(truth.size > 10, `docker export listed ${truth.size} directories`);
    for (const [dir, names] of truth) {
      const { entries, totals } = allPages(agent, { target: NAME, path: dir });
      const shown = entries.filter((e) => e.mark !== 'R');
      assert.deepEqual(shown.map((e) => e.name).sort(), [...names].sort(), dir);
      assert.ok(
        totals.every((t) => t === entries.length),
        `${dir}: every page gives the same total`,
      );
      for (const e of shown.filter((x) => x.type === 'dir')) {
        const child = path.posix.join(dir, e.name);
        assert.equal(e.hasChildren, (truth.get(child)?.size ?? 0) > 0, child);
      }
    }
  });

  it('marks the writable layer alone as docker diff does, and changes only keeps just those in the merged view', () => {
    const theirs = docker('diff', NAME)
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ kind: l[0], path: l.slice(2) }));
    const want = { A: 'A', C: 'M', D: 'R' } as Record<string, string>;
    const dirs = new Set(theirs.map((t) => path.posix.dirname(t.path)));
    for (const dir of dirs) {
      const expected = theirs
        .filter((t) => path.posix.dirname(t.path) === dir)
        .map((t) => `${want[t.kind]} ${path.posix.basename(t.path)}`)
        .sort();
      const alone = allPages(agent, { target: NAME, path: dir, merged: false })
        .entries.map((e) => `${e.mark} ${e.name}`)
        .sort();
      assert.deepEqual(alone, expected, `layer 0 alone at ${dir}`);
      const changes = agent.dispatch('layers.explore', { target: NAME, path: dir, changesOnly: true, limit: 5000 });
      assert.deepEqual(changes.entries.map((e) => `${e.mark} ${e.name}`).sort(), expected, `changes only at ${dir}`);
      assert.equal(changes.marks.U, 0);
    }
  });

  it("marks the rig's whiteout and opaque directory in the image's own layers, in Docker's store and containerd's", () => {
    for (const target of [LAYERED, CTR_REF]) {
      const gone = agent.dispatch('layers.explore', { target, layer: 1, merged: false, path: '/data' });
      assert.deepEqual(
        gone.entries.map((e) => [e.name, e.mark, e.whiteout, e.layer]),
        [['gone', 'R', true, 2]],
        target,
      );
      const opq = agent.dispatch('layers.explore', { target, layer: 0, merged: false, path: '/opq' });
      assert.equal(opq.opaque, true, target);
      assert.deepEqual(
        opq.entries.map((e) => [e.name, e.mark, e.hiddenByOpaque ?? false, e.hasChildren]),
        [
          ['new', 'A', false, false],
          ['old', 'R', true, false],
          ['sub', 'R', true, false],
        ],
        target,
      );
      // Merged up to layer 2, before the removal, /data still has gone: dive's aggregated view of that layer.
      const before = agent.dispatch('layers.explore', { target, layer: 2, path: '/data' });
      assert.deepEqual(
        before.entries.map((e) => `${e.mark} ${e.name}${e.hasChildren ? '/' : ''}`),
        ['A blob', 'A gone', 'A keep/'],
        target,
      );
    }
  });

  it("sizes the page's files as stat in the container does, and marks a directory made opaque as getfattr sees it", () => {
    const sizes = new Map(
      docker('exec', NAME, 'sh', '-c', 'cd /data/keep && stat -c "%n %s" * && cd /bin && stat -c "%n %s" busybox')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
    );
    const page = (dir: string, name: string) =>
      agent.dispatch('layers.explore', { target: NAME, path: dir, limit: 5000 }).entries.find((e) => e.name === name)!;
    assert.equal(page('/data/keep', 'k').bytes, sizes.get('k'));
    assert.equal(page('/bin', 'busybox').bytes, sizes.get('busybox'));
    assert.ok(sizes.get('busybox')! > 100_000);
    const upper = JSON.parse(docker('inspect', '-f', '{{json .GraphDriver.Data}}', NAME)).UpperDir as string;
    const mark = execFileSync('getfattr', ['-h', '-n', 'trusted.overlay.opaque', '--only-values', path.join(upper, 'opq')], {
      encoding: 'utf8',
    });
    assert.equal(mark, 'y');
    const opq = page('/', 'opq');
    assert.deepEqual([opq.mark, opq.layer, opq.opaque], ['M', 0, true]);
    assert.equal(page('/', 'data').opaque, undefined);
  });

  it('filters by glob and by substring as the same list filtered by hand', () => {
    const bin = docker('exec', NAME, 'ls', '-A', '/bin').split('\n').filter(Boolean);
    const glob = allPages(agent, { target: NAME, path: '/bin', pattern: '*sh' }).entries.map((e) => e.name);
    assert.deepEqual(glob.sort(), bin.filter((n) => /sh$/.test(n)).sort());
    const sub = agent.dispatch('layers.explore', { target: NAME, path: '/bin', pattern: 'bin/ch', limit: 5000 });
    assert.deepEqual(sub.entries.map((e) => e.name).sort(), bin.filter((n) => n.startsWith('ch')).sort());
    assert.equal(sub.unfiltered, bin.length);
  });

  it('reads a containerd image: createdBy and sizes as docker history gives them, layers as ctr mounts them', () => {
    const r = agent.dispatch('layers.report', { target: CTR_REF });
    assert.equal(r.target.engine, 'containerd');
    // Saved from Docker and imported: the same config blob, so the same id.
    assert.equal(r.target.id, docker('image', 'inspect', '-f', '{{.Id}}', LAYERED).trim());
    const theirs = dockerHistory(LAYERED);
    assert.ok(r.layers.every((l) => l.origin === 'image'));
    assert.deepEqual(historyRows(r.layers), theirs);
    // A view of the top layer's snapshot (named by its chain id) mounts every layer: lowerdir is top first.
    const key = `nodescope-explore-view-${process.pid}`;
    const top = topChainId(docker('image', 'inspect', '-f', '{{json .RootFS.Layers}}', LAYERED));
    ctr(NS, 'snapshots', '--snapshotter', 'overlayfs', 'view', key, top);
    try {
      const mount = ctr(NS, 'snapshots', '--snapshotter', 'overlayfs', 'mounts', '/mnt', key);
      const lowers = /lowerdir=([^,\s]+)/.exec(mount)![1].split(':');
      assert.deepEqual(
        r.layers.map((l) => l.path),
        lowers,
      );
    } finally {
      ctr(NS, 'snapshots', '--snapshotter', 'overlayfs', 'rm', key);
    }
    // The same marks and the same waste as the Docker copy of the image.
    const d = agent.dispatch('layers.report', { target: LAYERED });
    assert.deepEqual(
      r.layers.map((l) => [l.files, l.whiteouts, l.opaqueDirs, l.bytes]),
      d.layers.map((l) => [l.files, l.whiteouts, l.opaqueDirs, l.bytes]),
    );
    assert.equal(r.wastedBytes, 14);
  });

  it('gives a containerd container and its Kubernetes twin their image layer, as the snapshotter mounts them', () => {
    for (const [ns, id] of [
      ['k8s.io', 'nodescope-rig-k8s'],
      ['default', 'nodescope-rig-ctr'],
    ]) {
      const info = JSON.parse(ctr(ns, 'containers', 'info', id)) as { Snapshotter: string; SnapshotKey: string; Image: string };
      const mount = ctr(ns, 'snapshots', '--snapshotter', info.Snapshotter, 'mounts', '/mnt', info.SnapshotKey);
      const lowers = /lowerdir=([^,\s]+)/.exec(mount)![1].split(':');
      const r = agent.dispatch('layers.report', { target: id });
      assert.deepEqual(
        r.layers.slice(1).map((l) => [l.path, l.origin]),
        lowers.map((p) => [p, 'image']),
        id,
      );
      assert.ok(r.layers[0].usedBy.includes(id), `${id} uses its upper`);
    }
  });

  it('an unknown image, a bad layer index, a bad page: refused in one line', () => {
    assert.throws(
      () => agent.dispatch('layers.explore', { target: `no-such-image-${process.pid}` }),
      /no container or image "no-such-image-\d+" on this node, in Docker or containerd/,
    );
    assert.throws(
      () => agent.dispatch('layers.explore', { target: CTR_REF, layer: 4 }),
      /no layer 4 in docker\.io\/nodescope-rig\/layers:1: its layers are 0 to 3$/,
    );
    assert.throws(() => agent.dispatch('layers.explore', { target: NAME, limit: 5001 }), /"limit" must be an integer from 1 to 5000/);
  });

  it('lists an xattr whiteout as readdir of the mounted overlay does (only in a directory marked opaque=x), and counts it as lookups do', (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-xwhiteout-'));
    const merged = path.join(tmp, 'merged');
    t.after(() => {
      spawnSync('umount', [merged]);
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    for (const d of ['low/etc', 'low/plain', 'mid/etc', 'mid/plain', 'up', 'work', 'merged'])
      fs.mkdirSync(path.join(tmp, d), { recursive: true });
    for (const f of ['low/etc/c', 'low/etc/keep', 'low/plain/d', 'low/plain/keep']) fs.writeFileSync(path.join(tmp, f), 'lower');
    // The same zero-size file with the whiteout xattr in both; only etc is marked as holding such whiteouts.
    for (const f of ['mid/etc/c', 'mid/plain/d']) {
      fs.writeFileSync(path.join(tmp, f), '');
      execFileSync('setfattr', ['-n', 'trusted.overlay.whiteout', '-v', 'y', path.join(tmp, f)]);
    }
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'x', path.join(tmp, 'mid/etc')]);
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${tmp}/mid:${tmp}/low,upperdir=${tmp}/up,workdir=${tmp}/work`,
      merged,
    ]);
    const layer = (index: number, dir: string) => ({
      index,
      dir: path.join(tmp, dir),
      role: index ? ('lower' as const) : ('upper' as const),
      origin: null,
      createdBy: null,
      emptyHistory: [],
      usedBy: [],
    });
    const stack = {
      target: { kind: 'container' as const, id: `x-${tmp}`, name: 'x' },
      layers: [layer(0, 'up'), layer(1, 'mid'), layer(2, 'low')],
      prefixes: ['trusted.overlay.' as const],
      problems: [],
    };
    for (const dir of ['/etc', '/plain']) {
      const page = explore({ target: stack.target.id, path: dir }, () => stack);
      assert.deepEqual(
        page.entries.filter((e) => e.mark !== 'R').map((e) => e.name),
        fs.readdirSync(merged + dir).sort(),
        dir,
      );
      const alone = explore({ target: stack.target.id, path: dir, layer: 1, merged: false }, () => stack);
      assert.deepEqual(
        alone.entries.map((e) => `${e.mark} ${e.name}`),
        dir === '/etc' ? ['R c'] : ['M d'],
        `${dir} in the middle layer alone`,
      );
    }
    // The kernel's lookup, unlike its readdir, takes the unmarked one for a whiteout too: the layer report
    // counts what lookups see (the copy below is unreachable), the listing what readdir shows.
    assert.equal(fs.existsSync(path.join(merged, 'plain/d')), false);
    const r = layerReport(stack, 10);
    assert.deepEqual(
      r.layers.map((l) => [l.whiteouts, l.files]),
      [
        [0, 0],
        [2, 0],
        [0, 4],
      ],
    );
    assert.deepEqual(r.wasted.map((w) => w.path).sort(), ['/etc/c', '/plain/d']);
  });

  it('counts overlay redirects as getfattr sees them, on an overlay mounted with redirect_dir=on', (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-redirect-'));
    t.after(() => {
      spawnSync('umount', [path.join(tmp, 'merged')]);
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    for (const d of ['lower/a/b', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'lower/a/b/f'), 'f');
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${tmp}/lower,upperdir=${tmp}/upper,workdir=${tmp}/work,redirect_dir=on`,
      path.join(tmp, 'merged'),
    ]);
    // A rename of a lower directory: with redirect_dir=on the kernel makes the new name a redirect to the old.
    fs.renameSync(path.join(tmp, 'merged/a/b'), path.join(tmp, 'merged/a/c'));
    execFileSync('umount', [path.join(tmp, 'merged')]);
    const marks = execFileSync(
      'sh',
      [
        '-c',
        'getfattr -R -h -n trusted.overlay.redirect --absolute-names "$1" 2>/dev/null | grep -c "^trusted.overlay.redirect=" || true',
        'sh',
        path.join(tmp, 'upper'),
      ],
      { encoding: 'utf8' },
    );
    assert.ok(Number(marks.trim()) >= 1, 'the kernel made a redirect');
    const layer = (index: number, dir: string) => ({
      index,
      dir,
      role: index ? ('lower' as const) : ('upper' as const),
      origin: null,
      createdBy: null,
      emptyHistory: [],
      usedBy: [],
    });
    const r: LayerReport = layerReport(
      {
        target: { kind: 'container', id: 'x', name: 'x' },
        layers: [layer(0, path.join(tmp, 'upper')), layer(1, path.join(tmp, 'lower'))],
        prefixes: ['trusted.overlay.'],
        problems: [],
      },
      10,
    );
    assert.deepEqual(
      r.layers.map((l) => l.redirects),
      [Number(marks.trim()), 0],
    );
  });
});

/** The chain id of an image's top layer from its diff ids (bottom-up), as the OCI image spec defines it. */
function topChainId(diffIdsJson: string): string {
  const diffIds = JSON.parse(diffIdsJson) as string[];
  let chain = diffIds[0];
  for (const d of diffIds.slice(1))
    chain = `sha256:${execFileSync('sh', ['-c', 'printf %s "$1" | sha256sum', 'sh', `${chain} ${d}`], { encoding: 'utf8' }).split(' ')[0]}`;
  return chain;
}
