// Engine parsers on fixture files in each engine's documented on-disk format (none of containerd,
// podman/CRI-O, LXC or nspawn runs on this machine; Docker's real files are checked in the
// integration test). Pure logic: the ProcRecord below is a stand-in built by the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Problem } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';
import { ownNamespaces, type ProcRecord } from '../../../server/discover/procfs';
import {
  DEFAULT_ENGINE_ROOTS,
  ENGINES,
  claimContainer,
  resolveEngineRoots,
  storageRoots,
  type EngineContext,
  type EngineRoots,
} from '../../../server/discover/engines';
import { docker, dockerDataRoot, dockerIdFromCgroup, overlay2Root } from '../../../server/discover/engines/docker';
import { podman } from '../../../server/discover/engines/podman';
import { containerd } from '../../../server/discover/engines/containerd';
import { runc } from '../../../server/discover/engines/runc';
import { lxc } from '../../../server/discover/engines/lxc';
import { nspawn } from '../../../server/discover/engines/nspawn';

const ID = 'a'.repeat(64);
/** A dockerd as the node runs it: root, in the agent's own mount namespace. */
const hostRoot = { uid: 0, namespaces: ownNamespaces() };

function fixture(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  return fixtureTree(t, 'ns-h2-eng-', files);
}

/** The engines pointed at fixture trees: a root no test gives is one that does not exist. */
function rootsAt(roots: Partial<EngineRoots>): EngineRoots {
  const nowhere = '/nonexistent/nodescope-engines-test';
  return {
    docker: nowhere,
    containersStorage: nowhere,
    containerdTasks: nowhere,
    containerdSnapshots: nowhere,
    runc: [nowhere],
    containerdRunc: nowhere,
    ...roots,
  };
}

function ctx(cgroupPaths: string[], initPid = 4242, startTime: number | null = 777, roots: EngineRoots = rootsAt({})): EngineContext {
  const proc = { pid: initPid, ppid: 1, comm: 'init', startTime } as unknown as ProcRecord;
  return { initPid, proc, cgroupPaths, rootfs: null, problems: [], roots };
}

test('docker: id from cgroupfs and systemd cgroup paths', () => {
  assert.equal(dockerIdFromCgroup([`/docker/${ID}`]), ID);
  assert.equal(dockerIdFromCgroup([`/system.slice/docker-${ID}.scope`]), ID);
  assert.equal(dockerIdFromCgroup(['/user.slice', `/docker/${ID.slice(1)}`]), null);
});

test('docker: config.v2.json gives name without slash, image, image id, labels; data root from flags/daemon.json', (t) => {
  const root = fixture(t, {
    [`containers/${ID}/config.v2.json`]: JSON.stringify({
      Name: '/web',
      Image: 'sha256:beef',
      Config: { Image: 'nginx:1', Labels: { a: 'b', n: 1 } },
    }),
    'daemon.json': '{}',
  });
  assert.equal(dockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd --data-root ${root}` } as ProcRecord]), root);
  const c = ctx([`/docker/${ID}`], 4242, 777, rootsAt({ docker: root }));
  assert.deepEqual(docker.claim(c), {
    runtime: 'docker',
    id: ID,
    name: 'web',
    image: 'nginx:1',
    imageId: 'sha256:beef',
    pod: null,
    labels: { a: 'b' },
  });
  fs.writeFileSync(path.join(root, 'daemon.json'), JSON.stringify({ 'data-root': '/srv/docker' }));
  assert.equal(dockerDataRoot([], path.join(root, 'daemon.json')), '/srv/docker');
  assert.equal(dockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: 'dockerd --data-root=/x' } as ProcRecord]), '/x');
  assert.equal(dockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd -g ${root}` } as ProcRecord]), root);
  assert.equal(overlay2Root(root), path.join(root, 'overlay2'));
  // A program named dockerd run by another user, or in another mount namespace, does not move the storage root.
  const impostors = [
    { ...hostRoot, uid: 1000 },
    { ...hostRoot, namespaces: { ...hostRoot.namespaces, mnt: 1 } },
    { uid: null, namespaces: hostRoot.namespaces },
  ];
  for (const who of impostors)
    assert.equal(
      dockerDataRoot([{ ...who, comm: 'dockerd', cmdline: 'dockerd --data-root=/tmp/evil' } as ProcRecord], path.join(root, 'daemon.json')),
      '/srv/docker',
    );
  // Nor one whose mount namespace could not be read.
  const unread = { ...hostRoot, namespaces: { ...hostRoot.namespaces, mnt: null } };
  assert.equal(
    dockerDataRoot(
      [{ ...unread, comm: 'dockerd', cmdline: 'dockerd --data-root=/tmp/evil' } as ProcRecord],
      path.join(root, 'daemon.json'),
    ),
    '/srv/docker',
  );
  // A command line cut at 4 KiB may end inside the path: a cut last word is no data root.
  const cut = { ...hostRoot, comm: 'dockerd', cmdline: `dockerd ${'-D '.repeat(10)}--data-root /var/lib/dock`, cmdlineTruncated: true };
  assert.equal(dockerDataRoot([cut as ProcRecord], path.join(root, 'daemon.json')), '/srv/docker');
  assert.equal(dockerDataRoot([{ ...cut, cmdlineTruncated: false } as ProcRecord], path.join(root, 'daemon.json')), '/var/lib/dock');
});

test('docker: a malformed config.v2.json is a Problem naming the file, not a crash', (t) => {
  const root = fixture(t, { [`containers/${ID}/config.v2.json`]: '{"Name": "/half' });
  const c = ctx([`/docker/${ID}`], 4242, 777, rootsAt({ docker: root }));
  const claim = docker.claim(c);
  assert.equal(claim?.id, ID);
  assert.equal(claim?.name, ID.slice(0, 12));
  assert.ok(c.problems.some((p: Problem) => p.source.endsWith(`${ID}/config.v2.json`) && /malformed JSON/.test(p.message)));
});

test('docker: layerdb chain → overlay2/<cache-id>/diff with diff id and size; container layers from mounts/', (t) => {
  const root = fixture(t, {
    'image/overlay2/layerdb/sha256/c1/cache-id': 'cache1',
    'image/overlay2/layerdb/sha256/c1/diff': 'sha256:d1',
    'image/overlay2/layerdb/sha256/c1/size': '12345',
    [`image/overlay2/layerdb/mounts/${ID}/mount-id`]: 'm1',
    [`image/overlay2/layerdb/mounts/${ID}/init-id`]: 'm1-init',
  });
  const ids = docker.layerIdentities!(rootsAt({ docker: root }), []);
  assert.deepEqual(ids.get(path.join(root, 'overlay2/cache1/diff')), {
    identity: { engine: 'docker', id: 'sha256:c1', diffId: 'sha256:d1', cacheId: 'cache1' },
    sizeBytes: 12345,
  });
  assert.equal(ids.get(path.join(root, 'overlay2/m1-init/diff'))?.identity.cacheId, 'm1-init');
  assert.equal(ids.get(path.join(root, 'overlay2/m1/diff'))?.sizeBytes, null);
});

test('containerd + Kubernetes: task config.json annotations → pod; matched by cgroup or init.pid', (t) => {
  const ann = {
    'io.kubernetes.cri.sandbox-name': 'web-0',
    'io.kubernetes.cri.sandbox-namespace': 'prod',
    'io.kubernetes.cri.sandbox-uid': 'uid-1',
    'io.kubernetes.cri.container-name': 'nginx',
    'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1',
  };
  const root = fixture(t, {
    [`k8s.io/${ID}/config.json`]: JSON.stringify({ ociVersion: '1.0.2', annotations: ann }),
    [`k8s.io/${ID}/init.pid`]: '999',
    'default/plain/config.json': JSON.stringify({ ociVersion: '1.0.2' }),
    'default/plain/init.pid': '4242',
  });
  const roots = rootsAt({ containerdTasks: root });
  const k = containerd.claim(ctx([`/kubepods/besteffort/poduid-1/${ID}`], 1, 777, roots));
  assert.deepEqual(k, {
    runtime: 'kubernetes',
    id: ID,
    name: 'nginx',
    image: 'docker.io/library/nginx:1',
    imageId: null,
    pod: { name: 'web-0', namespace: 'prod', uid: 'uid-1', containerName: 'nginx' },
    labels: {},
  });
  assert.equal(containerd.claim(ctx([`/system.slice/cri-containerd-${ID}.scope`], 1, 777, roots))?.runtime, 'kubernetes');
  const plain = containerd.claim(ctx(['/'], 4242, 777, roots));
  assert.equal(plain?.runtime, 'containerd');
  assert.equal(plain?.id, 'plain');
  assert.equal(containerd.claim(ctx(['/'], 5, 777, roots)), null);
});

test('podman and CRI-O: containers.json names, metadata and cgroup scopes', (t) => {
  const crioId = 'b'.repeat(64);
  const root = fixture(t, {
    'overlay-containers/containers.json': JSON.stringify([
      {
        id: ID,
        names: ['db'],
        image: 'img1',
        layer: 'l1',
        metadata: JSON.stringify({ 'image-name': 'docker.io/library/postgres:16', name: 'db' }),
      },
      {
        id: crioId,
        names: ['k8s_app'],
        image: 'img2',
        metadata: JSON.stringify({
          'pod-name': 'app-7',
          'pod-id': 'p1',
          'metadata-name': 'app',
          'metadata-namespace': 'ns1',
          'image-name': 'quay.io/app:1',
        }),
      },
    ]),
    'overlay-layers/layers.json': JSON.stringify([{ id: 'L1', 'diff-digest': 'sha256:dd', 'diff-size': 2048 }]),
  });
  const roots = rootsAt({ containersStorage: root });
  assert.deepEqual(podman.claim(ctx([`/machine.slice/libpod-${ID}.scope/container`], 4242, 777, roots)), {
    runtime: 'podman',
    id: ID,
    name: 'db',
    image: 'docker.io/library/postgres:16',
    imageId: 'img1',
    pod: null,
    labels: {},
  });
  const crio = podman.claim(ctx([`/kubepods.slice/crio-${crioId}.scope`], 4242, 777, roots));
  assert.equal(crio?.runtime, 'cri-o');
  assert.deepEqual(crio?.pod, { name: 'app-7', namespace: 'ns1', uid: 'p1', containerName: 'app' });
  assert.deepEqual(podman.layerIdentities!(roots, []).get(path.join(root, 'overlay/L1/diff')), {
    identity: { engine: 'containers-storage', id: 'L1', diffId: 'sha256:dd', cacheId: null },
    sizeBytes: 2048,
  });
  assert.equal(podman.claim(ctx([`/docker/${ID}`], 4242, 777, roots)), null);
});

test('runc: state.json matched by init pid and confirmed by start time', (t) => {
  const root = fixture(t, {
    'box/state.json': JSON.stringify({
      id: 'box',
      init_process_pid: 4242,
      init_process_start: 777,
      config: { labels: ['bundle=/srv/box'] },
    }),
    'bad/state.json': '{',
  });
  const roots = rootsAt({ runc: [root] });
  const c = ctx(['/'], 4242, 777, roots);
  assert.deepEqual(runc.claim(c), {
    runtime: 'runc',
    id: 'box',
    name: 'box',
    image: null,
    imageId: null,
    pod: null,
    labels: { bundle: '/srv/box' },
  });
  assert.ok(c.problems.some((p) => p.source === path.join(root, 'bad/state.json')));
  assert.equal(runc.claim(ctx(['/'], 4242, 778, roots)), null, 'same pid, other start time: a reused PID');
});

test('LXC and nspawn names from cgroup paths', () => {
  assert.equal(lxc.claim(ctx(['/lxc/web1']))?.name, 'web1');
  assert.equal(lxc.claim(ctx(['/lxc.payload.web2/init.scope']))?.name, 'web2');
  assert.equal(lxc.claim(ctx(['/lxc.payload/web3']))?.runtime, 'lxc');
  assert.equal(lxc.claim(ctx(['/system.slice'])), null);
  assert.equal(nspawn.claim(ctx(['/machine.slice/machine-my\\x2dbox.scope/payload']))?.name, 'my-box');
  assert.equal(nspawn.claim(ctx(['/machine.slice/machine-deb.scope']))?.runtime, 'nspawn');
});

test('one list: every engine is asked in order, the most specific first, with the roots it is given', (t) => {
  // A Docker container also has runc state (containerd's runc root); Docker, first in the list, names it.
  const dockerRoot = fixture(t, { [`containers/${ID}/config.v2.json`]: JSON.stringify({ Name: '/web' }) });
  const runcRoot = fixture(t, { [`${ID}/state.json`]: JSON.stringify({ id: ID, init_process_pid: 4242, init_process_start: 777 }) });
  const roots = rootsAt({ docker: dockerRoot, runc: [runcRoot] });
  assert.equal(claimContainer(ctx([`/docker/${ID}`], 4242, 777, roots))?.runtime, 'docker');
  assert.equal(claimContainer(ctx(['/'], 4242, 777, roots))?.runtime, 'runc');
  assert.equal(claimContainer(ctx(['/'], 4242, 777, rootsAt({}))), null);
  assert.deepEqual(
    ENGINES.map((e) => e.runtimes[0]),
    ['docker', 'podman', 'containerd', 'runc', 'lxc', 'nspawn'],
  );
  // Layer storage comes from the roots passed in, not from whatever the last snapshot saw.
  assert.deepEqual(storageRoots(roots), [
    path.join(dockerRoot, 'overlay2'),
    '/nonexistent/nodescope-engines-test/overlay',
    '/nonexistent/nodescope-engines-test',
  ]);
});

test("roots for a snapshot: given ones win; Docker's is looked for only when not given", (t) => {
  const root = fixture(t, { 'daemon.json': JSON.stringify({ 'data-root': '/srv/docker' }) });
  const daemonJson = path.join(root, 'daemon.json');
  assert.deepEqual(resolveEngineRoots([], { dockerDaemonJson: daemonJson }), { ...DEFAULT_ENGINE_ROOTS, docker: '/srv/docker' });
  const dockerd = { ...hostRoot, comm: 'dockerd', cmdline: 'dockerd --data-root=/x' } as ProcRecord;
  assert.equal(resolveEngineRoots([dockerd], { dockerDaemonJson: daemonJson }).docker, '/x');
  assert.equal(resolveEngineRoots([dockerd], { roots: { docker: '/given' } }).docker, '/given');
  assert.deepEqual(resolveEngineRoots([], { roots: { runc: ['/r'] }, dockerDaemonJson: daemonJson }).runc, ['/r']);
});
