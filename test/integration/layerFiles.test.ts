/**
 * Every layer's files (layerFiles.stat/list/read) against independent sources: the merged view up to a
 * layer against `docker run` of the intermediate image whose top layer it is (the legacy builder keeps
 * one per step), a layer alone against that image's layer directory as `docker image inspect` names it
 * (GraphDriver.Data.UpperDir, read here with find/stat), a container's copy-up against `docker diff`.
 * Then links a container plants toward the node's files, from inside it and straight into its layer
 * directory on the host, and a FIFO: each stays inside the view or is refused in one line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { layerStackOf } from '../../server/layers/layerStack';
import {
  layerFileHandlers,
  listInLayers,
  readInLayers,
  statInLayers,
  type ViewParams,
  type ViewSource,
} from '../../server/files/layerFiles';
import type { StackLayer } from '../../server/layers/layerStack';
import { DEFAULT_ENGINE_ROOTS } from '../../server/discover/engines/engine';
import type { ContainerInfo, LayerFileEntry, LayerFileStat } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('getfattr'));
const WASTE = 'nodescope-rig/waste:1';
const LAYERS = 'nodescope-rig/layers:1';
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' });
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
/** What a fresh container of `image` has at `file` (null: nothing), and its directory listing. */
const catIn = (image: string, file: string): string | null => {
  const r = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'cat', image, file], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
};
const lsIn = (image: string, dir: string): string[] =>
  docker('run', '--rm', '--network', 'none', '--entrypoint', 'ls', image, '-A', dir).split('\n').filter(Boolean).sort();

type Method = 'layerFiles.stat' | 'layerFiles.list' | 'layerFiles.read';

describe("every layer's files, merged up to a layer or alone", { skip }, () => {
  const m = new AgentMethods();
  const call = <T>(method: Method, target: string, layer: number, merged: boolean, path: string): T =>
    m.dispatch(method, { target, layer, merged, path }) as T;
  const read = (target: string, layer: number, merged: boolean, path: string): string =>
    Buffer.from(call<{ base64: string }>('layerFiles.read', target, layer, merged, path).base64, 'base64').toString();
  const names = (target: string, layer: number, merged: boolean, path: string): string[] =>
    call<{ entries: LayerFileEntry[] }>('layerFiles.list', target, layer, merged, path).entries.map((e) => e.name);
  const refusal = (method: Method, target: string, layer: number, merged: boolean, path: string): string => {
    try {
      call(method, target, layer, merged, path);
    } catch (err) {
      return (err as Error).message;
    }
    assert.fail(`${method} ${path} answered`);
  };
  /** The image's steps, top-most layer first: the intermediate image whose top layer each is, and that layer's directory. */
  let steps: { index: number; image: string; dir: string }[] = [];
  const ctr = `nodescope-layerfiles-${process.pid}`;

  before(() => {
    rigUp();
    const total = JSON.parse(docker('image', 'inspect', '-f', '{{json .RootFS.Layers}}', WASTE)).length as number;
    const seen = new Set<number>();
    for (const id of docker('history', '-q', '--no-trunc', WASTE)
      .split('\n')
      .filter((l) => l.startsWith('sha256:'))) {
      const index = total - (JSON.parse(docker('image', 'inspect', '-f', '{{json .RootFS.Layers}}', id)).length as number);
      if (seen.has(index)) continue; // an ENV or LABEL step: same layers as the step below it
      seen.add(index);
      steps.push({ index, image: id, dir: docker('image', 'inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', id).trim() });
    }
    steps = steps.sort((a, b) => a.index - b.index);
    assert.equal(steps.length, total, 'one intermediate image per layer (the legacy builder keeps them)');
    docker('run', '-d', '--name', ctr, '--network', 'none', '--label', 'nodescope.test=1', LAYERS, 'sleep', '600');
    docker(
      'exec',
      ctr,
      'sh',
      '-c',
      'echo changed >/data/keep/k && echo mine >/mine && mkfifo /tmp/fifo && ln -s /usr/lib/os-release /tmp/to-host-abs && ln -s ../../../../../../usr/lib/os-release /tmp/to-host-rel && ln -s /etc /tmp/etc-link',
    );
  });
  after(() => void spawnSync('docker', ['rm', '-f', ctr]));

  it('the merged view up to each layer reads and lists as docker run of the image at that step', () => {
    const conf = steps.map((s) => catIn(s.image, '/etc/app/conf'));
    for (const s of steps) {
      const gone = (p: string): void =>
        assert.equal(refusal('layerFiles.read', WASTE, s.index, true, p), `no such file in ${WASTE} up to layer ${s.index}: ${p}`);
      if (conf[s.index] === null) gone('/etc/app/conf');
      else assert.equal(read(WASTE, s.index, true, '/etc/app/conf'), conf[s.index], `conf up to layer ${s.index}`);
      const big = catIn(s.image, '/big');
      if (big === null) gone('/big');
      else
        assert.equal(call<LayerFileStat>('layerFiles.stat', WASTE, s.index, true, '/big').size, big.length, `big up to layer ${s.index}`);
      if (conf[s.index] !== null)
        assert.deepEqual(names(WASTE, s.index, true, '/opqw'), lsIn(s.image, '/opqw'), `/opqw up to layer ${s.index}`);
      // docker run adds its own mount points and marker at the root; the image's layers have the rest.
      const ours = (list: string[]): string[] => list.filter((n) => !['.dockerenv', 'dev', 'proc', 'sys'].includes(n));
      assert.deepEqual(ours(names(WASTE, s.index, true, '/')), ours(lsIn(s.image, '/')), `/ up to layer ${s.index}`);
    }
    // Who serves: the layer that last wrote the file, the first one up from the bottom whose content is the top's.
    const served = call<LayerFileStat>('layerFiles.stat', WASTE, 0, true, '/etc/app/conf').marks.layer;
    assert.equal(conf[served], 'v2\n');
    assert.notEqual(conf[served + 1], 'v2\n');
  });

  it('a layer alone holds what its directory on the host holds: its files, whiteouts and opaque dirs', () => {
    for (const s of steps) {
      const own = (p: string): string[] =>
        fs.existsSync(s.dir + p) && fs.lstatSync(s.dir + p).isDirectory() ? fs.readdirSync(s.dir + p).sort() : [];
      for (const dir of ['/', '/etc/app', '/opqw']) {
        if (!own(dir).length && dir !== '/') continue;
        assert.deepEqual(names(WASTE, s.index, false, dir), own(dir), `layer ${s.index} ${dir}`);
      }
      if (fs.existsSync(`${s.dir}/etc/app/conf`))
        assert.equal(read(WASTE, s.index, false, '/etc/app/conf'), fs.readFileSync(`${s.dir}/etc/app/conf`, 'utf8'));
      const whiteouts = sh(`cd ${s.dir} && find . -type c`)
        .split('\n')
        .filter(Boolean)
        .map((p) => p.slice(1));
      for (const w of whiteouts) {
        const st = call<LayerFileStat>('layerFiles.stat', WASTE, s.index, false, w);
        assert.deepEqual([st.type, st.marks], ['other', { layer: s.index, whiteout: true }], `whiteout ${w} in layer ${s.index}`);
        assert.match(refusal('layerFiles.read', WASTE, s.index, true, w), /^no such file in /, `${w} is gone up to layer ${s.index}`);
      }
      const opaque = sh(`getfattr -R -h --absolute-names -n trusted.overlay.opaque ${s.dir} 2>/dev/null | sed -n 's/^# file: //p'`)
        .split('\n')
        .filter(Boolean)
        .map((p) => p.slice(s.dir.length));
      for (const o of opaque)
        assert.equal(
          call<LayerFileStat>('layerFiles.stat', WASTE, s.index, false, o).marks.opaque,
          true,
          `opaque ${o} in layer ${s.index}`,
        );
      assert.equal(
        names(WASTE, s.index, false, '/').filter(
          (n) => call<LayerFileStat>('layerFiles.stat', WASTE, s.index, false, `/${n}`).marks.whiteout,
        ).length,
        whiteouts.filter((w) => w.split('/').length === 2).length,
      );
    }
    // The steps that removed /big and made /opqw opaque are among them (the rig's known marks).
    assert.ok(
      steps.some((s) => fs.existsSync(`${s.dir}/big`) && fs.lstatSync(`${s.dir}/big`).isCharacterDevice()),
      'a whiteout of /big',
    );
  });

  it("a container's writable layer: a copy-up marked, the image's copy one comparison away", () => {
    assert.match(docker('diff', ctr), /^C \/data\/keep\/k$/m, 'docker diff sees the change');
    const st = call<LayerFileStat>('layerFiles.stat', ctr, 0, true, '/data/keep/k');
    assert.deepEqual(
      [st.marks, read(ctr, 0, true, '/data/keep/k')],
      [{ layer: 0, copiedUp: true }, docker('exec', ctr, 'cat', '/data/keep/k')],
    );
    assert.equal(call<LayerFileStat>('layerFiles.stat', ctr, 0, true, '/mine').marks.copiedUp, undefined, 'added, not copied up');
    assert.ok(st.imageLayer !== null && st.imageLayer > 0);
    assert.equal(read(ctr, st.imageLayer, true, '/data/keep/k'), catIn(LAYERS, '/data/keep/k'), "Compare with Image's left side");
    assert.equal(read(ctr, 1, true, '/data/keep/k'), catIn(LAYERS, '/data/keep/k'), "Compare with Layer Below's left side");
    const upper = docker('inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', ctr).trim();
    assert.deepEqual(names(ctr, 0, false, '/data/keep'), fs.readdirSync(`${upper}/data/keep`).sort());
    const own = call<{ entries: LayerFileEntry[] }>('layerFiles.list', ctr, 0, false, '/data/keep').entries.find((e) => e.name === 'k');
    assert.deepEqual(own?.marks, { layer: 0, copiedUp: true });
  });

  it("links toward the node's files stay inside the view; . and .., a FIFO and a bad layer are refused in one line", () => {
    assert.ok(fs.existsSync('/usr/lib/os-release'), 'the node has the file the links aim at');
    const upper = docker('inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', ctr).trim();
    // Planted straight into the layer directory on the host, as a hostile engine or image would.
    sh(`ln -sfn /etc ${upper}/tmp/host-etc && ln -sfn ../../../../../../../../etc/passwd ${upper}/tmp/host-passwd`);
    for (const merged of [true, false]) {
      for (const p of ['/tmp/to-host-abs', '/tmp/to-host-rel'])
        assert.match(refusal('layerFiles.read', ctr, 0, merged, p), /^no such file in /, `${p} merged=${merged}`);
      // Resolved in the view's own root: the container's passwd (merged) or none (the upper alone has no /etc/passwd).
      for (const p of ['/tmp/host-etc/passwd', '/tmp/host-passwd']) {
        if (merged) assert.equal(read(ctr, 0, true, p), docker('exec', ctr, 'cat', '/etc/passwd'), p);
        else assert.match(refusal('layerFiles.read', ctr, 0, false, p), /^no such file in layer 0 of /, p);
      }
    }
    assert.notEqual(read(ctr, 0, true, '/tmp/host-etc/passwd'), fs.readFileSync('/etc/passwd', 'utf8'), "not the node's passwd");
    assert.deepEqual(names(ctr, 0, true, '/tmp/etc-link'), names(ctr, 0, true, '/etc'));
    assert.deepEqual(names(ctr, 0, true, '/tmp/host-etc'), names(ctr, 0, true, '/etc'));
    assert.equal(
      refusal('layerFiles.read', ctr, 0, true, '/tmp/../../etc/passwd'),
      '"path" must not hold . or .. components, got "/tmp/../../etc/passwd"',
    );
    const started = Date.now();
    assert.equal(refusal('layerFiles.read', ctr, 0, true, '/tmp/fifo'), `/tmp/fifo is a FIFO in ${ctr} up to layer 0: not opened`);
    assert.ok(Date.now() - started < 10_000, 'never waits on the FIFO');
    assert.match(refusal('layerFiles.list', ctr, 99, true, '/'), /^no layer 99 in nodescope-layerfiles-\d+ \(its layers are 0 to \d+\)$/);
    assert.equal(refusal('layerFiles.read', ctr, 0, true, '/etc'), `/etc is a directory in ${ctr} up to layer 0: not opened`);
    assert.equal(refusal('layerFiles.list', ctr, 0, true, '/mine'), `not a directory in ${ctr} up to layer 0: /mine`);
  });

  it('a container whose layers are not verified on the host is refused in one line', () => {
    // Its rootfs as discovery would report it had a layer path failed the host check (layerTrust.ts).
    const c = JSON.parse(JSON.stringify(m.container(ctr))) as ContainerInfo;
    c.rootfs!.layers[1].hostPath = null;
    c.rootfs!.layers[1].unverified = "not under an engine's storage root";
    const handlers = layerFileHandlers((t) => ({
      stack: layerStackOf(
        t,
        () => c,
        () => null,
        () => DEFAULT_ENGINE_ROOTS,
      ),
      rootfs: c.rootfs,
    }));
    assert.throws(
      () => handlers['layerFiles.read']({ target: ctr, layer: 0, merged: true, path: '/etc/passwd' }),
      (err: Error) =>
        /layers are not read here: its layer ".*" is not verified as a directory on the host \(not under an engine's storage root\)$/.test(
          err.message,
        ) && !err.message.includes('\n'),
    );
  });
});

describe(
  'a real overlay mounted here: a renamed directory (overlay.redirect) and a whiteout, against the mounted merged view',
  { skip },
  () => {
    let dir = '';
    let merged = '';
    let src: ViewSource;
    const view = (layer: number, merged: boolean): ViewParams => ({ layer, merged });

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-layerfiles-'));
      const [low, up, work] = ['low', 'up', 'work'].map((n) => path.join(dir, n));
      merged = path.join(dir, 'merged');
      sh(
        `mkdir -p ${low}/d/sub ${low}/keep ${up} ${work} ${merged} && echo low-a >${low}/d/a && echo x >${low}/d/sub/x && echo k >${low}/keep/k`,
      );
      sh(`mount -t overlay nodescope-layerfiles -o lowerdir=${low},upperdir=${up},workdir=${work},redirect_dir=on ${merged}`);
      // What a container does in its root: the kernel writes the redirect, the whiteouts and the copy-up.
      sh(`cd ${merged} && mv d renamed && echo new >renamed/b && rm keep/k`);
      assert.equal(sh(`getfattr --only-values -n trusted.overlay.redirect ${up}/renamed`), 'd', 'the kernel made a redirect');
      const layers: StackLayer[] = [
        { index: 0, dir: up, role: 'upper', origin: 'container', createdBy: null, emptyHistory: [], usedBy: [] },
        { index: 1, dir: low, role: 'lower', origin: 'image', createdBy: null, emptyHistory: [], usedBy: [] },
      ];
      src = {
        stack: { target: { kind: 'container', id: 'x', name: 'bare' }, layers, prefixes: ['trusted.overlay.'], problems: [] },
        rootfs: null,
      };
    });
    after(() => {
      sh(`umount ${merged} 2>/dev/null || true`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads and lists through the redirect as the kernel's merged view does", () => {
      assert.deepEqual(
        listInLayers(src, view(0, true), '/renamed').entries.map((e) => e.name),
        fs.readdirSync(`${merged}/renamed`).sort(),
      );
      assert.deepEqual(
        listInLayers(src, view(0, true), '/renamed/sub').entries.map((e) => e.name),
        fs.readdirSync(`${merged}/renamed/sub`).sort(),
      );
      const a = readInLayers(src, view(0, true), '/renamed/a');
      assert.deepEqual(
        [a.data.toString(), a.layer],
        [fs.readFileSync(`${merged}/renamed/a`, 'utf8'), 1],
        'served by the lower layer, at the path the redirect names',
      );
      assert.equal(readInLayers(src, view(0, true), '/renamed/b').data.toString(), fs.readFileSync(`${merged}/renamed/b`, 'utf8'));
      for (const p of ['/d', '/keep/k']) {
        assert.equal(fs.existsSync(merged + p), false);
        assert.throws(() => statInLayers(src, view(0, true), p), /^AgentError: no such file in bare up to layer 0: /);
      }
      assert.deepEqual(
        statInLayers(src, view(0, false), '/d').marks,
        { layer: 0, whiteout: true },
        'the renamed directory leaves a whiteout in the upper',
      );
      assert.deepEqual(statInLayers(src, view(0, false), '/keep/k').marks, { layer: 0, whiteout: true });
      // Below the upper, the lower layer alone: the directory under its old name.
      assert.deepEqual(
        listInLayers(src, view(1, true), '/d').entries.map((e) => e.name),
        ['a', 'sub'],
      );
    });
  },
);
