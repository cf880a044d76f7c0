/** The OCI config a launch hands runc (runtime-spec config.md, config-linux.md); runc runs it for real in test/integration/launch.test.ts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchSpec } from '../../../server/act/launchSpec';

/** Docker's default set, as moby's oci/caps/defaults.go lists it (not the agent's own constant). */
const MOBY_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];
const base = {
  id: 'web-test',
  args: ['sleep', '60'],
  cwd: '/data',
  user: { uid: 1000, gid: 1000 },
  env: ['PATH=/bin'],
  readOnly: false,
  tmpfs: [],
  memoryBytes: null,
  pidsMax: null,
  cpus: null,
  annotations: { 'nodescope.launched': '1' },
};

describe('the OCI config of a launched test container', () => {
  it("has every namespace of its own but the user one, Docker's default capabilities and no new privileges", () => {
    const spec = launchSpec(base) as {
      process: Record<string, unknown>;
      linux: Record<string, unknown>;
      hostname: string;
      annotations: unknown;
    };
    assert.deepEqual((spec.linux.namespaces as { type: string }[]).map((n) => n.type).sort(), [
      'cgroup',
      'ipc',
      'mount',
      'network',
      'pid',
      'uts',
    ]);
    const caps = spec.process.capabilities as Record<string, string[]>;
    for (const set of ['bounding', 'effective', 'permitted']) assert.deepEqual([...caps[set]].sort(), [...MOBY_DEFAULT_CAPS].sort(), set);
    assert.deepEqual(caps.ambient, []);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.equal(spec.hostname, 'web-test');
    assert.deepEqual([spec.process.cwd, spec.process.user], ['/data', { uid: 1000, gid: 1000 }]);
    assert.equal(spec.linux.cgroupsPath, '/nodescope/web-test');
    assert.deepEqual(spec.annotations, { 'nodescope.launched': '1' });
    assert.ok((spec.linux.maskedPaths as string[]).includes('/proc/kcore'));
  });

  it('sets only the limits asked for, CPUs as a quota over a 100 ms period', () => {
    assert.deepEqual((launchSpec(base) as { linux: { resources: object } }).linux.resources, {
      devices: [{ allow: false, access: 'rwm' }],
    });
    const spec = launchSpec({ ...base, memoryBytes: 64 * 2 ** 20, pidsMax: 50, cpus: 0.25 }) as {
      linux: { resources: Record<string, unknown> };
    };
    assert.deepEqual(spec.linux.resources.memory, { limit: 64 * 2 ** 20 });
    assert.deepEqual(spec.linux.resources.pids, { limit: 50 });
    assert.deepEqual(spec.linux.resources.cpu, { quota: 25_000, period: 100_000 });
  });

  it('a read-only root and sized tmpfs mounts', () => {
    const spec = launchSpec({ ...base, readOnly: true, tmpfs: [{ path: '/tmp', sizeBytes: 16 * 2 ** 20 }] }) as {
      root: { readonly: boolean };
      mounts: { destination: string; options?: string[] }[];
    };
    assert.equal(spec.root.readonly, true);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/tmp')?.options, ['nosuid', 'nodev', `size=${16 * 2 ** 20}`]);
  });
});
