// containerd and Kubernetes containers as a real containerd runs them (the rig starts one at the default
// paths and runs two containers with ctr; test/rig/up.sh). Every fact is checked against ctr's own
// answers (task list, container info with its OCI spec, the snapshotter's mounts) or lsns, never against
// the agent's output.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import type { ContainerInfo, Snapshot } from '../../server/protocol';
import { takeSnapshot } from '../../server/discover/snapshot';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('ctr'), probes.command('containerd'));

const ctr = (ns: string, ...args: string[]): string =>
  execFileSync('ctr', ['--address', '/run/containerd/containerd.sock', '-n', ns, ...args], { encoding: 'utf8', timeout: 30_000 });

function taskPid(ns: string, id: string): number {
  const line = ctr(ns, 'task', 'ls')
    .split('\n')
    .find((l) => l.split(/\s+/)[0] === id);
  assert.ok(line, `ctr -n ${ns} task ls has no ${id}`);
  return Number(line.split(/\s+/)[1]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const info = (ns: string, id: string): any => JSON.parse(ctr(ns, 'containers', 'info', id));

/** The overlay a snapshot key mounts, as the snapshotter itself states it (`ctr snapshots mounts`). */
function snapshotterMount(ns: string, snapshotter: string, key: string): { upper: string; lowers: string[] } {
  const cmd = ctr(ns, 'snapshots', '--snapshotter', snapshotter, 'mounts', '/mnt', key);
  const opts = /-o (\S+)/.exec(cmd)![1].split(',');
  const opt = (k: string) => opts.find((o) => o.startsWith(`${k}=`))?.slice(k.length + 1);
  return { upper: opt('upperdir')!, lowers: opt('lowerdir')!.split(':') };
}

describe('containerd and Kubernetes on a real containerd', { skip }, () => {
  let snap: Snapshot;
  const byId = (id: string): ContainerInfo => {
    const c = snap.containers.find((x) => x.id === id);
    assert.ok(c, `container ${id} missing; have ${snap.containers.map((x) => `${x.runtime}:${x.id}`).join(', ')}`);
    return c;
  };

  before(() => {
    rigUp();
    snap = takeSnapshot();
  });

  test('a container the CRI plugin annotated is Kubernetes: pod, container name and image from its spec', () => {
    const c = byId('nodescope-rig-k8s');
    const ann = info('k8s.io', 'nodescope-rig-k8s').Spec.annotations;
    assert.equal(c.runtime, 'kubernetes');
    assert.equal(c.name, ann['io.kubernetes.cri.container-name']);
    assert.deepEqual(c.pod, {
      name: ann['io.kubernetes.cri.sandbox-name'],
      namespace: ann['io.kubernetes.cri.sandbox-namespace'],
      uid: ann['io.kubernetes.cri.sandbox-uid'],
      containerName: ann['io.kubernetes.cri.container-name'],
    });
    assert.equal(c.image, ann['io.kubernetes.cri.image-name']);
    assert.equal(c.initPid, taskPid('k8s.io', 'nodescope-rig-k8s'));
  });

  test('a plain containerd container is named by its id, with no pod', () => {
    const c = byId('nodescope-rig-ctr');
    assert.equal(c.runtime, 'containerd');
    assert.equal(c.name, 'nodescope-rig-ctr');
    assert.equal(c.pod, null);
    assert.equal(c.initPid, taskPid('default', 'nodescope-rig-ctr'));
  });

  test('memory limit as the spec asked, hostname and namespaces as the container itself and lsns see them', () => {
    const c = byId('nodescope-rig-k8s');
    assert.equal(c.cgroup?.memory?.limitBytes, info('k8s.io', 'nodescope-rig-k8s').Spec.linux.resources.memory.limit);
    assert.equal(c.hostname, ctr('k8s.io', 'task', 'exec', '--exec-id', `h${process.pid}`, 'nodescope-rig-k8s', 'hostname').trim());
    const lsns = JSON.parse(execFileSync('lsns', ['-J', '-p', String(c.initPid), '-o', 'NS,TYPE'], { encoding: 'utf8' })).namespaces as {
      ns: number;
      type: string;
    }[];
    for (const n of lsns) assert.equal(c.namespaces[n.type as keyof typeof c.namespaces], Number(n.ns), n.type);
    assert.ok(!c.sharesHostNamespaces.includes('net'), 'ctr gives it a network namespace of its own');
  });

  test("root filesystem layers are the snapshotter's, top first, with containerd snapshot ids as identity", () => {
    for (const [ns, id] of [
      ['k8s.io', 'nodescope-rig-k8s'],
      ['default', 'nodescope-rig-ctr'],
    ]) {
      const c = byId(id);
      const i = info(ns, id);
      const mount = snapshotterMount(ns, i.Snapshotter, i.SnapshotKey);
      assert.deepEqual(
        c.rootfs?.layers.map((l) => [l.role, l.path]),
        [['upper', mount.upper], ...mount.lowers.map((p) => ['lower', p])],
      );
      for (const l of c.rootfs.layers) {
        const inv = snap.layers.find((x) => x.path === l.path);
        assert.ok(inv?.usedBy.includes(id), `${l.path} lists ${id}`);
        // The snapshot id is the directory under snapshots/: .../snapshots/<id>/fs.
        assert.deepEqual(inv?.identity, {
          engine: 'containerd',
          id: /\/snapshots\/([^/]+)\/fs$/.exec(l.path)![1],
          diffId: null,
          cacheId: null,
        });
      }
    }
  });
});
