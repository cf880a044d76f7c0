// `nodescope layers` and `nodescope ls` on real Docker images and containers built by the rig, each fact
// against Docker's own account: layer order and directories against `docker inspect` GraphDriver, the
// commands against `docker history --no-trunc`, sizes against `docker history --human=false`, whiteouts
// and opaque dirs against find and getfattr on the layer directories, A/M/R marks against `docker diff`;
// wasted space on nodescope-rig/waste:1, built to waste 1,049,600 bytes; dive's CI exit codes on both
// sides of each threshold; a containerd container's base layer against the Docker image it came from,
// and containerd's own copy of that image read by the name ctr lists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { LayerListing, LayerReport } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startChangedContainer } from '../support/changedContainer';
import { dockerHistory, historyRows } from '../support/dockerHistory';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('getfattr'), built);
const NAME = `nodescope-layers-${process.pid}`;
const WASTE = 'nodescope-rig/waste:1';
const LAYERED = 'nodescope-rig/layers:1';

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' });
const cli = (...args: string[]) => spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 });
const json = <T>(...args: string[]): T => {
  const r = cli(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};
const graphDriver = (ref: string): string[] => {
  const d = JSON.parse(docker('inspect', '-f', '{{json .GraphDriver.Data}}', ref)) as { UpperDir: string; LowerDir?: string };
  return [d.UpperDir, ...(d.LowerDir ? d.LowerDir.split(':') : [])];
};

describe('nodescope layers and ls against Docker', { skip }, () => {
  before(() => {
    rigUp();
    startChangedContainer(NAME);
  });
  after(() => void spawnSync('docker', ['rm', '-f', NAME]));

  it("lists a container's layers upper first, as docker inspect's GraphDriver names them", () => {
    for (const c of [NAME, 'nodescope-rig-limited', 'nodescope-rig-readonly']) {
      const r = json<LayerReport>('layers', c);
      assert.deepEqual(
        r.layers.map((l) => l.path),
        graphDriver(c),
        c,
      );
      assert.deepEqual(
        r.layers.map((l) => l.index),
        r.layers.map((_, i) => i),
      );
      assert.deepEqual(
        r.layers.map((l) => l.role),
        ['upper', ...r.layers.slice(1).map(() => 'lower')],
      );
      assert.deepEqual(
        r.layers.map((l) => l.origin),
        ['container', 'init', ...r.layers.slice(2).map(() => 'image')],
      );
      assert.ok(r.layers[0].usedBy.includes(docker('inspect', '-f', '{{.Id}}', c).trim()), 'its container uses its upper');
    }
  });

  it("lists an image's layers top-most first, as docker image inspect names them", () => {
    for (const image of [WASTE, LAYERED]) {
      const r = json<LayerReport>('layers', image);
      assert.equal(r.target.kind, 'image');
      assert.equal(r.target.id, docker('image', 'inspect', '-f', '{{.Id}}', image).trim());
      assert.deepEqual(
        r.layers.map((l) => l.path),
        graphDriver(image),
        image,
      );
    }
  });

  it("gives each layer the command that made it, folded as docker history lists them, and docker history's size", () => {
    for (const ref of [WASTE, LAYERED, NAME]) {
      const r = json<LayerReport>('layers', ref);
      const image = ref === NAME ? LAYERED : ref;
      const ours = historyRows(r.layers);
      const theirs = dockerHistory(image);
      assert.deepEqual(
        ours.map((o) => o.createdBy),
        theirs.map((t) => t.createdBy),
        ref,
      );
      assert.deepEqual(
        ours.map((o) => o.size),
        theirs.map((t) => t.size),
        ref,
      );
    }
    // The waste image's ENV and LABEL made no layer: folded onto the next layer and onto the top-most one.
    const w = json<LayerReport>('layers', WASTE);
    assert.deepEqual(w.layers[2].emptyHistory, ['/bin/sh -c #(nop)  ENV WASTE=1']);
    assert.deepEqual(w.layers[0].trailingHistory, ['/bin/sh -c #(nop)  LABEL nodescope.waste=1']);
  });

  it('counts files, whiteouts and opaque dirs as find and getfattr see them in each layer directory', () => {
    const r = json<LayerReport>('layers', NAME);
    for (const l of r.layers) {
      const count = (...args: string[]) =>
        execFileSync('find', [l.path, ...args], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean).length;
      assert.equal(l.files, count('-type', 'f'), l.path);
      assert.equal(l.whiteouts, count('-type', 'c'), l.path);
      const opaque = execFileSync(
        'sh',
        ['-c', 'getfattr -R -h -n trusted.overlay.opaque --only-values --absolute-names "$1" 2>/dev/null | tr -cd y | wc -c', 'sh', l.path],
        { encoding: 'utf8' },
      );
      assert.equal(l.opaqueDirs, Number(opaque.trim()), l.path);
      const redirects = execFileSync(
        'sh',
        [
          '-c',
          'getfattr -R -h -n trusted.overlay.redirect --absolute-names "$1" 2>/dev/null | grep -c "^trusted.overlay.redirect=" || true',
          'sh',
          l.path,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(l.redirects, Number(redirects.trim()), l.path);
    }
    // The rig's known marks: the whiteout of /data/gone, /opq opaque in the image and again in the container.
    assert.deepEqual(r.layers.map((l) => [l.whiteouts, l.opaqueDirs]).slice(0, 1), [[1, 1]]);
    assert.deepEqual(
      r.layers.slice(2, 4).map((l) => [l.whiteouts, l.opaqueDirs]),
      [
        [0, 1],
        [1, 0],
      ],
    );
  });

  it('finds exactly the bytes the waste image was built to waste, largest first', () => {
    const r = json<LayerReport>('layers', WASTE);
    assert.equal(r.wastedBytes, 1_049_600);
    assert.deepEqual(
      r.wasted.map((w) => [w.path, w.bytes, w.layer]),
      [
        ['/big', 1_048_576, 3],
        ['/opqw/a', 1000, 3],
        ['/etc/app/conf', 24, 3],
      ],
    );
    assert.equal(
      r.totalBytes,
      r.layers.reduce((n, l) => n + l.bytes, 0),
    );
    assert.equal(r.efficiency, 1 - 1_049_600 / r.totalBytes);
    assert.equal(r.truncated, false);
    // The layered image: /data/gone (5 B) removed, /opq/old (4 B) and /opq/sub/deep (5 B) under an opaque dir.
    assert.equal(json<LayerReport>('layers', LAYERED).wastedBytes, 14);
  });

  it("marks the writable layer's entries as docker diff does (A added, C changed = M, D deleted = R)", () => {
    const theirs = docker('diff', NAME)
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ kind: l[0], path: l.slice(2) }));
    assert.ok(theirs.length >= 8, theirs.map((t) => `${t.kind} ${t.path}`).join(', '));
    const want = { A: 'A', C: 'M', D: 'R' } as Record<string, string>;
    const listings = new Map<string, LayerListing>();
    for (const t of theirs) {
      const dir = path.posix.dirname(t.path);
      if (!listings.has(dir)) listings.set(dir, json<LayerListing>('ls', NAME, '--layer', '0', dir));
      const e = listings.get(dir)!.entries.find((x) => x.name === path.posix.basename(t.path));
      assert.equal(e?.mark, want[t.kind], `${t.kind} ${t.path}`);
    }
    // And nothing added or removed here that docker diff does not list.
    for (const [dir, l] of listings) {
      for (const e of l.entries.filter((x) => x.mark === 'A' || x.mark === 'R')) {
        assert.ok(
          theirs.some((t) => t.path === path.posix.join(dir, e.name)),
          `${e.mark} ${dir}/${e.name}`,
        );
      }
    }
  });

  it("marks the rig's whiteout and opaque dir in the image's own layers, and the merged view as each layer leaves it", () => {
    const gone = json<LayerListing>('ls', LAYERED, '--layer', '1', '/data');
    assert.deepEqual(
      gone.entries.map((e) => [e.name, e.mark, e.whiteout]),
      [['gone', 'R', true]],
    );
    const opq = json<LayerListing>('ls', LAYERED, '--layer', '0', '/opq');
    assert.equal(opq.opaque, true);
    assert.deepEqual(
      opq.entries.map((e) => [e.name, e.mark, e.hiddenByOpaque ?? false]),
      [
        ['new', 'A', false],
        ['old', 'R', true],
        ['sub', 'R', true],
      ],
    );
    // Merged up to layer 2 (before the removal) /data still has gone; up to the top it does not.
    const names = (l: LayerListing) => l.entries.filter((e) => e.mark !== 'R').map((e) => e.name);
    assert.deepEqual(names(json<LayerListing>('ls', LAYERED, '--layer', '2', '--merged', '/data')), ['blob', 'gone', 'keep']);
    assert.deepEqual(names(json<LayerListing>('ls', LAYERED, '/data')), ['blob', 'keep']);
    // The merged view is what the container itself sees.
    assert.deepEqual(names(json<LayerListing>('ls', NAME, '/opq')), docker('exec', NAME, 'ls', '-A', '/opq').split('\n').filter(Boolean));
    assert.deepEqual(names(json<LayerListing>('ls', NAME, '/data')), docker('exec', NAME, 'ls', '-A', '/data').split('\n').filter(Boolean));
  });

  it('--ci exits 1 with one line per broken rule, 0 with nothing when the rules hold', () => {
    const e = json<LayerReport>('layers', WASTE).efficiency;
    const pass = cli(
      'layers',
      WASTE,
      '--ci',
      '--lowest-efficiency',
      (Math.floor(e * 1000) / 1000).toString(),
      '--highest-wasted-bytes',
      '1049600',
    );
    assert.deepEqual([pass.status, pass.stdout, pass.stderr], [0, '', '']);
    const fail = cli(
      'layers',
      WASTE,
      '--ci',
      '--lowest-efficiency',
      (Math.ceil(e * 1000) / 1000).toString(),
      '--highest-wasted-bytes',
      '1049599',
    );
    assert.equal(fail.status, 1, fail.stderr);
    assert.deepEqual(
      fail.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
      ['FAIL lowest-efficiency', 'FAIL highest-wasted-bytes'],
    );
    const one = cli('layers', WASTE, '--ci', '--highest-wasted-bytes', '1m');
    assert.deepEqual([one.status, one.stdout.split('\n').filter(Boolean).length], [1, 1]);
    // dive's default rule, efficiency 0.9: the layered image passes, the waste image does not.
    assert.equal(cli('layers', LAYERED, '--ci').status, 0);
    assert.equal(cli('layers', WASTE, '--ci').status, 1);
  });

  it("reads a containerd container's layers: its base layer holds what the Docker image it was imported from holds", () => {
    const r = json<LayerReport>('layers', 'nodescope-rig-ctr');
    const base = r.layers[r.layers.length - 1];
    assert.equal(base.bytes + base.symlinkBytes, dockerHistory('nodescope-rig/base:1').at(-1)!.size);
    assert.equal(base.origin, 'image', "its image found in containerd's records");
  });

  it("reads a containerd image by the name ctr lists it under: containerd's copy of the rig's base image, gated by --ci", () => {
    const ref = 'docker.io/nodescope-rig/base:1';
    assert.ok(execFileSync('ctr', ['-n', 'default', 'images', 'ls', '-q'], { encoding: 'utf8' }).split('\n').includes(ref));
    const r = json<LayerReport>('layers', ref);
    assert.deepEqual([r.target.kind, r.target.engine, r.target.name], ['image', 'containerd', ref]);
    assert.match(r.layers[0].path, /^\/var\/lib\/containerd\/io\.containerd\.snapshotter\.v1\.overlayfs\/snapshots\/\d+\/fs$/);
    assert.deepEqual(
      r.layers.map((l) => l.bytes + l.symlinkBytes),
      [dockerHistory('nodescope-rig/base:1').at(-1)!.size],
    );
    assert.equal(cli('layers', ref, '--ci', '--highest-wasted-bytes', '0').status, 0);
    const table = cli('layers', ref);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0], /^image docker\.io\/nodescope-rig\/base:1 \(containerd\) {2}[0-9a-f]{12}$/);
  });

  it('an unknown container or image, a bad layer index: one line, exit 1, nothing on stdout', () => {
    for (const [args, msg] of [
      [['layers', 'no-such-thing'], /^nodescope: no container or image "no-such-thing" on this node, in Docker or containerd/],
      [['ls', 'no-such-thing'], /^nodescope: no container or image "no-such-thing"/],
      [['layers', 'docker.io/no-such/image:1'], /^nodescope: no container or image "docker\.io\/no-such\/image:1"/],
      [
        ['ls', 'docker.io/nodescope-rig/base:1', '--layer', '1'],
        /^nodescope: no layer 1 in docker\.io\/nodescope-rig\/base:1: its layers are 0 to 0$/,
      ],
      [['ls', NAME, '--layer', '99'], /^nodescope: no layer 99 in nodescope-layers-\d+: its layers are 0 to 5$/],
      [['ls', NAME, '/no/such/dir'], /^nodescope: no directory \/no\/such\/dir in nodescope-layers-\d+ up to layer 0$/],
    ] as [string[], RegExp][]) {
      const r = cli(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), msg);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
    }
  });
});
