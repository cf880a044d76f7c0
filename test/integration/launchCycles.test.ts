/**
 * Launch and stop, many times over (with and without --share-ns), leave the node's mount table and cgroup
 * directories exactly as they were, with real runc. The node's own records are compared before and after:
 * every line of /proc/self/mountinfo (mount ids aside: a mount made and removed again comes back with
 * another id only if something is left) and every directory of every cgroup hierarchy. Other suites may
 * start and remove Docker or containerd containers meanwhile; a difference is allowed only when it is
 * one of theirs by path (their engines' directories), and every other one fails the test by name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { assertNothingLeft, read, removeLaunches } from '../support/launchFacts';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('runc'));
const FROM = 'nodescope-rig-limited';
const CYCLES = Number(process.env.NODESCOPE_LAUNCH_CYCLES ?? 50);
/** Paths others make and remove while this suite runs (Docker, containerd, their shims, netns, the VM supervisor's process_api). */
const OTHERS =
  /\/process_api\/|\/docker\b|\/var\/lib\/docker|containerd|\/run\/netns|\/kubepods|moby|\/run\/docker|\/system\.slice\/|\/user\.slice\//;

/** Mount table lines without their ids (fields 1 and 2), as a multiset. */
const mountTable = (): string[] =>
  read('/proc/self/mountinfo')
    .split('\n')
    .map((l) => l.split(' ').slice(2).join(' '))
    .sort();

/** Every directory of every cgroup hierarchy mounted (v1 controllers, named ones, cgroup2). */
function cgroupTree(): string[] {
  const out: string[] = [];
  const roots = read('/proc/self/mountinfo')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]);
  const walk = (d: string): void => {
    out.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const r of roots) walk(r);
  return out.sort();
}

/** What is in `after` and not `before` and the other way round, without what other engines did. */
function differences(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const count = (xs: string[]): Map<string, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const [b, a] = [count(before), count(after)];
  const added = [...a].filter(([x, n]) => n > (b.get(x) ?? 0)).map(([x]) => x);
  const removed = [...b].filter(([x, n]) => n > (a.get(x) ?? 0)).map(([x]) => x);
  const ours = (x: string): boolean => !OTHERS.test(x);
  return { added: added.filter(ours), removed: removed.filter(ours) };
}

describe(`${CYCLES} launch/stop cycles, every other one with --share-ns, with real runc`, { skip }, () => {
  const NAME = `nodescope-cycle-${process.pid}`;
  const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-cycle-audit-'));
  const agent = new AgentMethods();

  before(() => {
    rigUp();
    process.env.NODESCOPE_AUDIT_LOG = path.join(auditDir, 'audit.log');
  });
  after(() => {
    removeLaunches([NAME]);
    delete process.env.NODESCOPE_AUDIT_LOG;
    fs.rmSync(auditDir, { recursive: true, force: true });
  });

  it('leave mountinfo and the cgroup directories exactly as before', { timeout: CYCLES * 60_000 }, async () => {
    agent.snapshot();
    const mountsBefore = mountTable();
    const cgroupsBefore = cgroupTree();
    // Every other one joins the source's namespaces (it is running: the rig keeps it so).
    for (let i = 0; i < CYCLES; i++) {
      const share = i % 2 === 1;
      const r = await agent.dispatch('launch.start', {
        from: FROM,
        name: NAME,
        command: ['sleep', '600'],
        ...(share ? { shareNs: { container: FROM, types: ['net', 'pid', 'ipc', 'uts'] } } : {}),
      });
      assert.ok(r.pid && fs.existsSync(`/proc/${r.pid}`), `cycle ${i}${share ? ' share-ns' : ''} started`);
      await agent.dispatch('launch.stop', { container: NAME });
      assertNothingLeft(NAME);
    }
    const mounts = differences(mountsBefore, mountTable());
    const cgroups = differences(cgroupsBefore, cgroupTree());
    assert.deepEqual(mounts, { added: [], removed: [] }, 'mountinfo');
    assert.deepEqual(cgroups, { added: [], removed: [] }, 'cgroup directories');
  });
});
