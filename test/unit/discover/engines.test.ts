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
import type { EngineContext } from '../../../server/discover/engines';
import * as docker from '../../../server/discover/engines/docker';
import * as podman from '../../../server/discover/engines/podman';
import * as containerd from '../../../server/discover/engines/containerd';
import * as runc from '../../../server/discover/engines/runc';
import * as lxc from '../../../server/discover/engines/lxc';
import * as nspawn from '../../../server/discover/engines/nspawn';

const ID = 'a'.repeat(64);
/** A dockerd as the node runs it: root, in the agent's own mount namespace. */
const hostRoot = { uid: 0, namespaces: ownNamespaces() };

function fixture(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  return fixtureTree(t, 'ns-h2-eng-', files);
}

function ctx(cgroupPaths: string[], initPid = 4242, startTime: number | null = 777): EngineContext {
  const proc = { pid: initPid, ppid: 1, comm: 'init', startTime } as unknown as ProcRecord;
  return { initPid, proc, cgroupPaths, rootfs: null, problems: [] };
}

test('docker: id from cgroupfs and systemd cgroup paths', () => {
  assert.equal(docker.dockerIdFromCgroup([`/docker/${ID}`]), ID);
  assert.equal(docker.dockerIdFromCgroup([`/system.slice/docker-${ID}.scope`]), ID);
  assert.equal(docker.dockerIdFromCgroup(['/user.slice', `/docker/${ID.slice(1)}`]), null);
});

test('docker: config.v2.json gives name without slash, image, image id, labels; data root from flags/daemon.json', (t) => {
  const root = fixture(t, {
    [`containers/${ID}/config.v2.json`]: JSON.stringify({ Name: '/web', Image: 'sha256:beef', Config: { Image: 'nginx:1', Labels: { a: 'b', n: 1 } } }),
    'daemon.json': '{}',
  });
  assert.equal(docker.setDockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd --data-root ${root}` } as ProcRecord]), root);
  const c = ctx([`/docker/${ID}`]);
  assert.deepEqual(docker.claim(c), { runtime: 'docker', id: ID, name: 'web', image: 'nginx:1', imageId: 'sha256:beef', pod: null, labels: { a: 'b' } });
  fs.writeFileSync(path.join(root, 'daemon.json'), JSON.stringify({ 'data-root': '/srv/docker' }));
  assert.equal(docker.setDockerDataRoot([], path.join(root, 'daemon.json')), '/srv/docker');
  assert.equal(docker.setDockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: 'dockerd --data-root=/x' } as ProcRecord]), '/x');
  docker.setDockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd -g ${root}` } as ProcRecord]);
  assert.equal(docker.overlay2Root(), path.join(root, 'overlay2'));
  // A program named dockerd run by another user, or in another mount namespace, does not move the storage root.
  const impostors = [{ ...hostRoot, uid: 1000 }, { ...hostRoot, namespaces: { ...hostRoot.namespaces, mnt: 1 } }, { uid: null, namespaces: hostRoot.namespaces }];
  for (const who of impostors) assert.equal(docker.setDockerDataRoot([{ ...who, comm: 'dockerd', cmdline: 'dockerd --data-root=/tmp/evil' } as ProcRecord], path.join(root, 'daemon.json')), '/srv/docker');
  // Nor one whose mount namespace could not be read.
  const unread = { ...hostRoot, namespaces: { ...hostRoot.namespaces, mnt: null } };
  assert.equal(docker.setDockerDataRoot([{ ...unread, comm: 'dockerd', cmdline: 'dockerd --data-root=/tmp/evil' } as ProcRecord], path.join(root, 'daemon.json')), '/srv/docker');
  // A command line cut at 4 KiB may end inside the path: a cut last word is no data root.
  const cut = { ...hostRoot, comm: 'dockerd', cmdline: `dockerd ${'-D '.repeat(10)}--data-root /var/lib/dock`, cmdlineTruncated: true };
  assert.equal(docker.setDockerDataRoot([cut as ProcRecord], path.join(root, 'daemon.json')), '/srv/docker');
  assert.equal(docker.setDockerDataRoot([{ ...cut, cmdlineTruncated: false } as ProcRecord], path.join(root, 'daemon.json')), '/var/lib/dock');
});

test('docker: a malformed config.v2.json is a Problem naming the file, not a crash', (t) => {
  const root = fixture(t, { [`containers/${ID}/config.v2.json`]: '{"Name": "/half' });
  docker.setDockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd --data-root ${root}` } as ProcRecord]);
  const c = ctx([`/docker/${ID}`]);
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
  docker.setDockerDataRoot([{ ...hostRoot, comm: 'dockerd', cmdline: `dockerd --data-root ${root}` } as ProcRecord]);
  const ids = docker.layerIdentities([]);
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
  containerd.setTaskRoot(root);
  t.after(() => containerd.setTaskRoot('/run/containerd/io.containerd.runtime.v2.task'));
  const k = containerd.claim(ctx([`/kubepods/besteffort/poduid-1/${ID}`], 1));
  assert.deepEqual(k, {
    runtime: 'kubernetes', id: ID, name: 'nginx', image: 'docker.io/library/nginx:1', imageId: null,
    pod: { name: 'web-0', namespace: 'prod', uid: 'uid-1', containerName: 'nginx' }, labels: {},
  });
  assert.equal(containerd.claim(ctx([`/system.slice/cri-containerd-${ID}.scope`], 1))?.runtime, 'kubernetes');
  const plain = containerd.claim(ctx(['/'], 4242));
  assert.equal(plain?.runtime, 'containerd');
  assert.equal(plain?.id, 'plain');
  assert.equal(containerd.claim(ctx(['/'], 5)), null);
});

test('podman and CRI-O: containers.json names, metadata and cgroup scopes', (t) => {
  const crioId = 'b'.repeat(64);
  const root = fixture(t, {
    'overlay-containers/containers.json': JSON.stringify([
      { id: ID, names: ['db'], image: 'img1', layer: 'l1', metadata: JSON.stringify({ 'image-name': 'docker.io/library/postgres:16', name: 'db' }) },
      { id: crioId, names: ['k8s_app'], image: 'img2', metadata: JSON.stringify({ 'pod-name': 'app-7', 'pod-id': 'p1', 'metadata-name': 'app', 'metadata-namespace': 'ns1', 'image-name': 'quay.io/app:1' }) },
    ]),
    'overlay-layers/layers.json': JSON.stringify([{ id: 'L1', 'diff-digest': 'sha256:dd', 'diff-size': 2048 }]),
  });
  podman.setStorageRoot(root);
  t.after(() => podman.setStorageRoot('/var/lib/containers/storage'));
  assert.deepEqual(podman.claim(ctx([`/machine.slice/libpod-${ID}.scope/container`])), {
    runtime: 'podman', id: ID, name: 'db', image: 'docker.io/library/postgres:16', imageId: 'img1', pod: null, labels: {},
  });
  const crio = podman.claim(ctx([`/kubepods.slice/crio-${crioId}.scope`]));
  assert.equal(crio?.runtime, 'cri-o');
  assert.deepEqual(crio?.pod, { name: 'app-7', namespace: 'ns1', uid: 'p1', containerName: 'app' });
  assert.deepEqual(podman.layerIdentities([]).get(path.join(root, 'overlay/L1/diff')), {
    identity: { engine: 'containers-storage', id: 'L1', diffId: 'sha256:dd', cacheId: null }, sizeBytes: 2048,
  });
  assert.equal(podman.claim(ctx([`/docker/${ID}`])), null);
});

test('runc: state.json matched by init pid and confirmed by start time', (t) => {
  const root = fixture(t, {
    'box/state.json': JSON.stringify({ id: 'box', init_process_pid: 4242, init_process_start: 777, config: { labels: ['bundle=/srv/box'] } }),
    'bad/state.json': '{',
  });
  runc.setStateRoots([root]);
  t.after(() => runc.setStateRoots(['/run/runc']));
  const c = ctx(['/'], 4242, 777);
  assert.deepEqual(runc.claim(c), { runtime: 'runc', id: 'box', name: 'box', image: null, imageId: null, pod: null, labels: { bundle: '/srv/box' } });
  assert.ok(c.problems.some((p) => p.source === path.join(root, 'bad/state.json')));
  assert.equal(runc.claim(ctx(['/'], 4242, 778)), null, 'same pid, other start time: a reused PID');
});

test('LXC and nspawn names from cgroup paths', () => {
  assert.equal(lxc.claim(ctx(['/lxc/web1']))?.name, 'web1');
  assert.equal(lxc.claim(ctx(['/lxc.payload.web2/init.scope']))?.name, 'web2');
  assert.equal(lxc.claim(ctx(['/lxc.payload/web3']))?.runtime, 'lxc');
  assert.equal(lxc.claim(ctx(['/system.slice'])), null);
  assert.equal(nspawn.claim(ctx(['/machine.slice/machine-my\\x2dbox.scope/payload']))?.name, 'my-box');
  assert.equal(nspawn.claim(ctx(['/machine.slice/machine-deb.scope']))?.runtime, 'nspawn');
});
