/**
 * Before a limit is written, every cgroup below the container's is read (whose processes would it reach?).
 * A container with CAP_SYS_ADMIN in its cgroup namespace can make as many child cgroups as it likes: the
 * walk stops at 4,096 and refuses, rather than reading them all. Real cgroups here, made in the v1 pids
 * hierarchy (or the cgroup2 mount on a pure v2 host), empty, and removed again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { checkOwnCgroup } from '../../server/act/cgroupOwnership';
import type { ContainerInfo } from '../../server/protocol';

const hierarchy = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup'].find((d) => fs.existsSync(path.join(d, 'cgroup.procs')));
const cgroupfs = (): string | null => (hierarchy ? null : 'needs a cgroup hierarchy at /sys/fs/cgroup/pids or /sys/fs/cgroup');
const skip = skipUnlessReal(probes.root, cgroupfs);

/** Only what checkOwnCgroup reads of a container; it holds no process, so no membership is asked. */
const container = { name: 'wide', namespaces: { pid: null, mnt: null }, sharesHostNamespaces: [] } as unknown as ContainerInfo;

describe("the walk of the cgroups below a container's", { skip, timeout: 120_000 }, () => {
  const top = path.join(hierarchy ?? '/nonexistent', `nodescope-wide-${process.pid}`);
  const made: string[] = [];
  const mkdir = (d: string) => {
    fs.mkdirSync(d);
    made.push(d);
  };

  before(() => {
    mkdir(top);
    for (const name of ['narrow', 'wide']) mkdir(path.join(top, name));
    for (let i = 0; i < 10; i++) mkdir(path.join(top, 'narrow', `c${i}`));
    for (let i = 0; i < 4100; i++) mkdir(path.join(top, 'wide', `c${i}`));
  });

  after(() => {
    // Children before parents: rmdir of a cgroup with children fails (EBUSY).
    for (const d of made.reverse()) fs.rmdirSync(d);
  });

  it('reads ten empty children and finds nothing foreign', () => {
    assert.doesNotThrow(() => checkOwnCgroup(container, 'pids', { path: '/narrow', dir: path.join(top, 'narrow') }));
  });

  it('refuses past 4,096 cgroups, saying why', () => {
    assert.equal(fs.readdirSync(path.join(top, 'wide'), { withFileTypes: true }).filter((e) => e.isDirectory()).length, 4100);
    assert.throws(
      () => checkOwnCgroup(container, 'pids', { path: '/wide', dir: path.join(top, 'wide') }),
      /has more than 4096 cgroups below it; not limiting what was not looked at/,
    );
  });
});
