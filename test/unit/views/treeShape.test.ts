/**
 * The tree's shape on a snapshot recorded from the real rig (test/fixtures/rig-snapshot.json, made with
 * `node dist/cli.js snapshot --json` while test/rig/up.sh was up). The real rendering is checked in the
 * end-to-end suite; this checks what each item says and which menus it gets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../../../server/protocol';
import { capabilityDiff, capabilityList } from '../../../src/model/format/container';
import type { ScanState } from '../../../src/views/tree/item';
import { nodeChildren } from '../../../src/views/tree/node';
import { containerSections, containersOf, runtimeGroups } from '../../../src/views/tree/container';
import { layerItem, layerParts, nodeLayers } from '../../../src/views/tree/layer';
import { namespacesOfType } from '../../../src/views/tree/namespace';
import { problemItems } from '../../../src/views/tree/problem';
import { sectionChildren } from '../../../src/views/tree/section';
import { SnapshotIndex } from '../../../src/views/tree/snapshotIndex';
import { tooltipOf } from '../../../src/views/tree/tooltip';

const snap = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rig-snapshot.json'), 'utf8')) as Snapshot;
const ix = new SnapshotIndex(snap);
const limited = snap.containers.find((c) => c.name === 'nodescope-rig-limited')!;
const scans = new Map<string, ScanState>();

describe('tree shape on a real rig snapshot', () => {
  it('node → containers, namespaces, layers with counts', () => {
    const kids = nodeChildren('n', ix);
    assert.deepEqual(
      kids.map((k) => k.label),
      ['Containers', 'Namespaces', 'Layers', 'Problems'],
    );
    assert.equal(kids[0].description, String(snap.containers.length));
    assert.match(kids[1].description!, /\(1 without processes\)/);
  });

  it('what the agent could not read is listed, and only when there is something', () => {
    const problems = nodeChildren('n', ix).find((k) => k.kind === 'problems')!;
    assert.equal(problems.description, `${snap.problems.length}`);
    assert.deepEqual(
      problemItems(problems.id, snap.problems).map((p) => p.label),
      snap.problems.map((p) => p.source),
    );
    for (const [i, item] of problemItems(problems.id, snap.problems).entries())
      assert.ok(item.description!.startsWith(snap.problems[i].message), item.description);
    assert.ok(!nodeChildren('n', new SnapshotIndex({ ...snap, problems: [] })).some((k) => k.kind === 'problems'));
  });

  it("a problem says what it leaves unknown, and why root can be refused (the rig's /proc/1/ns: EACCES)", () => {
    const [ns] = problemItems('p', [{ source: '/proc/1/ns', message: 'permission denied (EACCES)' }]);
    assert.equal(ns.description, 'permission denied (EACCES): which namespaces process 1 is in is unknown');
    assert.match(tooltipOf(ns, ix)!, /ptrace read check/);
    assert.match(tooltipOf(ns, ix)!, /host's namespaces from the agent's own process, not from PID 1/);
    const [one] = problemItems('p', [{ source: '/proc/42/ns/net', message: 'permission denied (EPERM)' }]);
    assert.match(one.description!, /which net namespace process 42 is in is unknown$/);
    const [other] = problemItems('p', [{ source: 'docker:config.v2.json', message: 'not valid JSON' }]);
    assert.equal(other.description, 'not valid JSON', 'a problem that explains itself is shown as the agent said it');
  });

  it('a bind mount names the path it shows, not only the disk it is on', () => {
    const mounts = sectionChildren('n', ix, limited, 'mounts', scans);
    const hosts = mounts.find((m) => m.label === '/etc/hosts')!;
    const id = limited.id;
    assert.equal(hosts.description, `ext4 · from /var/lib/docker/containers/${id.slice(0, 12)}…/hosts`);
    assert.match(tooltipOf(hosts, ix)!, new RegExp(`shows \`/var/lib/docker/containers/${id}/hosts\` of the ext4 filesystem \`/dev/vda\``));
    const root = mounts.find((m) => m.label === '/')!;
    assert.equal(root.description, 'overlay');
    assert.match(tooltipOf(root, ix)!, /shows the whole overlay filesystem `overlay`/);
  });

  it('containers grouped by runtime, with the menu context and the memory line', () => {
    assert.deepEqual(
      runtimeGroups('n', ix).map((g) => `${g.label} ${g.description}`),
      ['bare 1', 'docker 3'],
    );
    const docker = containersOf('n', ix, 'docker');
    assert.deepEqual(
      docker.map((d) => d.label),
      ['nodescope-rig-hostpid', 'nodescope-rig-limited', 'nodescope-rig-readonly'],
    );
    const item = docker.find((d) => d.label === 'nodescope-rig-limited')!;
    assert.equal(item.contextValue, 'container.running.docker');
    assert.match(item.description!, /^66303c713965|^[0-9a-f]{12} · mem .* \/ 64\.0 MiB/);
  });

  it("a container: sections, limits next to usage, capabilities against Docker's default", () => {
    const sections = containerSections('n', limited);
    assert.deepEqual(
      sections.map((s) => s.label),
      ['Overview', 'Namespaces', 'Layers', 'cgroup', 'Capabilities', 'Mounts', 'Processes'],
    );
    assert.match(sections[4].description!, /\+SYS_PTRACE −NET_RAW vs Docker default/);
    assert.deepEqual(capabilityDiff(limited), { added: ['CAP_SYS_PTRACE'], dropped: ['CAP_NET_RAW'] });
    const list = capabilityList(limited).split('\n');
    assert.equal(
      list[0],
      `${limited.capabilities!.effective.length} effective capabilities: ${limited.capabilities!.effective.join(', ')}`,
    );
    assert.deepEqual(list.slice(1), ["added to Docker's default: CAP_SYS_PTRACE", "dropped from Docker's default: CAP_NET_RAW"]);
    assert.equal(capabilityList({ ...limited, capabilities: null }), 'capabilities unknown');
    const cg = sectionChildren('n', ix, limited, 'cgroup', scans);
    const byLabel = Object.fromEntries(cg.map((c) => [c.label, c.description]));
    assert.match(byLabel.memory!, /\/ 64\.0 MiB/);
    assert.match(byLabel.pids!, /\/ 50$/);
    assert.equal(byLabel['cpu limit'], '0.5 CPU (50000/100000 µs)');
  });

  it("namespaces say whether they are the host's, own, or shared; held-only ones are marked", () => {
    const ns = sectionChildren('n', ix, limited, 'namespaces', scans);
    const byType = Object.fromEntries(ns.map((n) => [n.label, n.description]));
    assert.match(byType.user!, /shared with the host$/);
    assert.match(byType.net!, /own$/);
    assert.equal(ns.find((n) => n.label === 'net')!.contextValue, 'namespace.net');
    const held = namespacesOfType('n', ix, 'net').find((n) => n.contextValue === 'namespace.net.held')!;
    assert.match(held.description!, /held by bind mount \/run\/netns\/nodescope-rig-held/);
  });

  it('layers top-most first, shared ones marked with their users; scan results when expanded', () => {
    const layers = sectionChildren('n', ix, limited, 'layers', scans);
    assert.equal(layers[0].label, 'upper (writable)');
    assert.deepEqual(
      layers.slice(1).map((l) => l.label),
      limited.rootfs!.layers.slice(1).map((l) => `lower #${l.index}`),
    );
    assert.ok(
      layers.some((l) => /shared by 3 containers/.test(l.description!)),
      'the busybox base layer',
    );
    const parts = layerParts('x', {
      path: '/l',
      files: 1,
      dirs: 1,
      symlinks: 0,
      bytes: 4,
      whiteouts: [{ path: 'data/gone', kind: 'chardev' }],
      opaqueDirs: [{ path: 'opq', kind: 'xattr' }],
      redirects: [],
      metacopy: [],
      problems: [],
    });
    assert.deepEqual(
      parts.map((p) => `${p.label} ${p.description}`),
      ['content 1 file, 1 dir, 4 B', '/data/gone deleted (whiteout, chardev)', '/opq opaque directory (xattr)'],
    );
    assert.equal(layerParts('x', { error: 'permission denied' })[0].label, 'permission denied');
    const one = {
      path: '/l',
      files: 1,
      dirs: 1,
      symlinks: 0,
      bytes: 4,
      whiteouts: [{ path: 'data/gone', kind: 'chardev' as const }],
      opaqueDirs: [],
      redirects: [],
      metacopy: [],
      problems: [],
    };
    assert.match(layerItem('x', ix, limited.rootfs!.layers[1], one).description!, /\b1 whiteout, 0 opaque/, 'counts read as English');
    const partial = layerParts('x', {
      path: '/l',
      files: 0,
      dirs: 1,
      symlinks: 0,
      bytes: 0,
      whiteouts: [],
      opaqueDirs: [],
      redirects: [],
      metacopy: [],
      problems: [{ source: '/l/secret', message: 'permission denied (EACCES)' }],
    });
    assert.deepEqual(
      partial.slice(1).map((p) => `${p.label} ${p.description}`),
      ['/l/secret permission denied (EACCES): what it holds is unknown'],
      'an incomplete walk says where',
    );
    const all = nodeLayers('n', ix, scans);
    assert.equal(all.length, snap.layers.length);
    assert.match(all[0].description!, /shared by 3 containers/, 'most shared first');
  });
});
