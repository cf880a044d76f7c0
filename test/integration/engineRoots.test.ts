// Engine roots are passed in, not set as module state: a snapshot given a Docker root looks only there,
// and one given none finds the root the running dockerd uses. Checked against the rig's real dockerd:
// `docker info` for its data root and `docker inspect` for the container's id and name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { observeNode } from '../../server/discover/snapshot';
import { inCI, probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker);
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describe('engine roots for a snapshot', { skip }, () => {
  it("found from the running dockerd when not given; a given one is the only place Docker's state is read", () => {
    rigUp();
    const [id, name] = docker('inspect', '--format', '{{.Id}} {{.Name}}', 'nodescope-rig-limited').split(' ');

    const found = observeNode();
    assert.equal(found.engineRoots.docker, docker('info', '--format', '{{.DockerRootDir}}'));
    const named = found.snapshot.containers.find((c) => c.id === id);
    assert.equal(named?.name, name.replace(/^\//, ''));

    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-roots-'));
    try {
      const given = observeNode({ engines: { roots: { docker: elsewhere } } });
      assert.equal(given.engineRoots.docker, elsewhere);
      // Still Docker's by its cgroup, but named by its id: the config is looked for under the given root only.
      const c = given.snapshot.containers.find((x) => x.id === id);
      assert.equal(c?.runtime, 'docker');
      assert.equal(c?.name, id.slice(0, 12));
      assert.ok(given.snapshot.problems.some((p) => p.source === path.join(elsewhere, 'containers', id, 'config.v2.json')));
      // And its layers are not under any engine's storage root any more: not verified.
      assert.ok(
        c?.rootfs?.layers.every((l) => l.hostPath === null),
        JSON.stringify(c?.rootfs?.layers.map((l) => l.hostPath)),
      );
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

if (inCI && skip) throw new Error(`engine roots suite cannot run in CI: ${skip}`);
