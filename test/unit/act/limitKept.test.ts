/**
 * Who keeps a limit: a Docker container's go to its engine's API (a recorder stands in for the engine here;
 * the real one is in test/integration/limit.test.ts against docker inspect), a pod's container is refused
 * with how to resize it, others are written to cgroup files. The cgroup is a v2 file tree in the kernel's format.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { setLimitsKept, type EngineCall } from '../../../server/act/limitKept';
import { ErrorCodes, type ContainerInfo } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';
import { refusalLater } from '../../support/refusal';

const own = (type: string): number => fs.statSync(`/proc/self/ns/${type}`).ino;
const lines = [{ id: 0, controllers: [], path: '/web' }];

function container(over: Partial<ContainerInfo> = {}): ContainerInfo {
  const namespaces = { pid: own('pid'), mnt: own('mnt') };
  return { id: 'c1', name: 'web', runtime: 'docker', pod: null, sharesHostNamespaces: [], namespaces, ...over } as unknown as ContainerInfo;
}

function tree(t: TestContext): string {
  return fixtureTree(t, 'nodescope-limit-kept-', {
    'cgroup.controllers': 'pids\n',
    'web/cgroup.controllers': 'pids\n',
    'web/cgroup.procs': `${process.pid}\n`,
    'web/pids.max': '50\n',
    'web/pids.current': '3\n',
  });
}

/** An engine that records what it was asked and, when it accepts, writes pids.max as runc update would. */
function engine(root: string, status: number, message = ''): { call: EngineCall; asked: unknown[] } {
  const asked: unknown[] = [];
  const call: EngineCall = (method, apiPath, body) => {
    asked.push([method, apiPath, body]);
    if (method === 'POST' && status === 200)
      fs.writeFileSync(path.join(root, 'web', 'pids.max'), `${(body as { PidsLimit: number }).PidsLimit}\n`);
    return Promise.resolve({ status, doc: status === 200 ? { Warnings: null } : { message }, why: null });
  };
  return { call, asked };
}

describe('limits the engine keeps', () => {
  it("a Docker container's go to POST /containers/{id}/update; what holds is read back from the cgroup", async (t) => {
    const root = tree(t);
    const e = engine(root, 200);
    const audits: unknown[] = [];
    const r = await setLimitsKept(container(), lines, { container: 'web', pidsMax: 20 }, { root, audit: (a) => audits.push(a) }, e.call);
    assert.deepEqual(e.asked, [['POST', '/containers/c1/update', { PidsLimit: 20 }]]);
    assert.deepEqual(
      r.changes.map((c) => [c.before, c.after, c.readBack]),
      [[50, 20, true]],
    );
    assert.match(r.notes[0], /^changed through the Docker Engine API/);
    assert.deepEqual(audits, [
      {
        changes: [{ file: path.join(root, 'web', 'pids.max'), before: 50, requested: 20, after: 20 }],
        outcome: 'applied through the Docker Engine API',
      },
    ]);
  });

  it("the engine's refusal in its own words, and that nothing changed (read back)", async (t) => {
    const root = tree(t);
    const r = await refusalLater(() =>
      setLimitsKept(container(), lines, { container: 'web', pidsMax: 20 }, { root }, engine(root, 409, 'container is paused\nmore').call),
    );
    assert.equal(r.code, ErrorCodes.NotPermitted);
    assert.equal(r.message, 'the Docker engine refused the update of web: container is paused; nothing was changed');
  });

  it('a dry run asks the engine nothing', async (t) => {
    const root = tree(t);
    const e = engine(root, 200);
    const r = await setLimitsKept(container(), lines, { container: 'web', pidsMax: 20, dryRun: true }, { root }, e.call);
    assert.deepEqual(e.asked, []);
    assert.equal(r.applied, false);
    assert.equal(fs.readFileSync(path.join(root, 'web', 'pids.max'), 'utf8'), '50\n');
  });

  it("a pod's container: the kubelet owns its limits, and how to resize it", async (t) => {
    const root = tree(t);
    const pod = { name: 'api-7f9', namespace: 'shop', uid: null, containerName: 'api' };
    const r = await refusalLater(() =>
      setLimitsKept(container({ runtime: 'kubernetes', pod }), lines, { container: 'web', pidsMax: 20 }, { root }, engine(root, 200).call),
    );
    assert.equal(r.code, ErrorCodes.NotPermitted);
    assert.match(r.message, /pod shop\/api-7f9: the kubelet owns its limits .*kubectl patch pod api-7f9 -n shop --subresource resize/);
    assert.equal(fs.readFileSync(path.join(root, 'web', 'pids.max'), 'utf8'), '50\n');
  });

  it('any other engine: written to the cgroup file, with the note that it lasts while the cgroup does', async (t) => {
    const root = tree(t);
    const e = engine(root, 200);
    const r = await setLimitsKept(container({ runtime: 'containerd' }), lines, { container: 'web', pidsMax: 20 }, { root }, e.call);
    assert.deepEqual(e.asked, []);
    assert.equal(fs.readFileSync(path.join(root, 'web', 'pids.max'), 'utf8'), '20');
    assert.ok(r.notes.some((n) => n.startsWith('containerd still records the old limits')));
  });
});
