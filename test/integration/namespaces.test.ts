/**
 * Namespaces, hostnames and capabilities against independent sources: lsns -J (util-linux), readlink and
 * stat of /proc and nsfs paths done here, nsenter, capsh --decode (libcap), docker inspect.
 * The test makes its own kernel objects: a nested user namespace with a pid namespace, a network
 * namespace held only by an open fd, and uses the rig's netns held only by a bind mount.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { ownNamespaces, readProcesses } from '../../server/discover/procfs';
import { readMountTables } from '../../server/discover/mountinfo';
import { buildNamespaces } from '../../server/discover/namespaces';
import { capabilitySets } from '../../server/discover/capabilities';
import { hostnameOf } from '../../server/sys/nsfs';
import type { NamespaceInfo, Problem } from '../../server/protocol';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('lsns'), probes.command('capsh'));

interface LsnsRow { ns: number; type: string; nprocs: number; pid: number; pns: number; ons: number }
const lsns = (): LsnsRow[] => JSON.parse(execFileSync('lsns', ['-J', '-o', 'NS,TYPE,NPROCS,PID,PNS,ONS'], { encoding: 'utf8' })).namespaces;
const inodeOf = (p: string): number => fs.statSync(p).ino;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function snapshotNamespaces(): { all: NamespaceInfo[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const procs = readProcesses(problems);
  return { all: buildNamespaces(procs, ownNamespaces(), readMountTables(procs, problems), problems), problems };
}

/** The newest descendant of `root` whose comm is `comm`. */
function descendant(root: number, comm: string): number {
  const kids = execFileSync('sh', ['-c', `pgrep -P ${root} || true`], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  for (const k of kids) {
    if (fs.readFileSync(`/proc/${k}/comm`, 'utf8').trim() === comm) return k;
    const d = descendant(k, comm);
    if (d) return d;
  }
  return 0;
}

describe('namespaces on the real kernel', { skip }, () => {
  const children: ChildProcess[] = [];
  let nestedPid = 0;
  let fdHolderPid = 0;
  let rig: Record<string, string> = {};

  before(async () => {
    rig = rigUp();
    // Outer user namespace (root mapped), inside it another user namespace with its own pid namespace.
    const nested = spawn('unshare', ['--user', '--map-root-user', '--fork', 'unshare', '--user', '--pid', '--fork', 'sleep', '300'], { stdio: 'ignore', detached: true });
    children.push(nested);
    // A network namespace that only an open fd keeps alive: the bind mount is removed after fd 3 opens it.
    execFileSync('ip', ['netns', 'add', 'nodescope-test-fd']);
    const holder = spawn('sh', ['-c', 'exec 3</run/netns/nodescope-test-fd; ip netns delete nodescope-test-fd; exec sleep 300'], { stdio: 'ignore', detached: true });
    children.push(holder);
    for (let i = 0; i < 50 && !(nestedPid && fdHolderPid); i++) {
      await sleep(100);
      nestedPid ||= descendant(nested.pid!, 'sleep');
      if (!fdHolderPid && fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep' && !fs.existsSync('/run/netns/nodescope-test-fd')) fdHolderPid = holder.pid!;
    }
    assert.ok(nestedPid && fdHolderPid, 'test processes did not start');
  });

  after(() => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    execFileSync('sh', ['-c', 'ip netns delete nodescope-test-fd 2>/dev/null || true']);
  });

  it('lists every namespace lsns lists, with the same type, and the process counts of quiet namespaces', () => {
    const theirs = lsns();
    const { all } = snapshotNamespaces();
    const ours = new Map(all.map((n) => [n.inode, n]));
    for (const row of theirs) {
      const n = ours.get(row.ns);
      if (!n && !fs.existsSync(`/proc/${row.pid}`)) continue; // its last process exited between the two reads
      assert.ok(n, `lsns lists ${row.type}:[${row.ns}] (pid ${row.pid}); the agent does not`);
      assert.equal(n.type, row.type);
    }
    // Namespaces of the test's and the rig's sleeping processes do not churn: counts must agree exactly.
    const quiet = [nestedPid, Number(rig.BARE_PID)].flatMap((pid) => ['pid', 'user', 'uts'].map((t) => inodeOf(`/proc/${pid}/ns/${t}`)));
    for (const ino of new Set(quiet)) {
      const row = theirs.find((r) => r.ns === ino);
      if (!row || row.nprocs > 50) continue; // the host's namespaces churn with everything else on the machine
      assert.equal(ours.get(ino)?.processCount, row.nprocs, `process count of [${ino}]`);
    }
  });

  it('gives owner and parent user namespaces as lsns (ONS/PNS) does, for a nested user namespace', () => {
    const { all } = snapshotNamespaces();
    const theirs = lsns();
    const innerUser = inodeOf(`/proc/${nestedPid}/ns/user`);
    const innerPid = inodeOf(`/proc/${nestedPid}/ns/pid`);
    for (const ino of [innerUser, innerPid]) {
      const row = theirs.find((r) => r.ns === ino)!;
      const n = all.find((x) => x.inode === ino)!;
      assert.equal(n.ownerUserNs, row.ons || null, `owner of [${ino}]`);
      assert.equal(n.parent, row.pns || null, `parent of [${ino}]`);
    }
    const inner = all.find((x) => x.inode === innerUser)!;
    assert.notEqual(inner.parent, null, 'a nested user namespace has a parent');
    assert.notEqual(inner.parent, ownNamespaces().user, 'its parent is the outer unshare namespace, not the host');
    assert.equal(inner.ownerUid, 0, 'created by root');
  });

  it('finds a namespace held only by a bind mount, and one held only by an open fd', () => {
    const { all } = snapshotNamespaces();
    const bindIno = inodeOf(rig.NETNS);
    const bound = all.find((n) => n.inode === bindIno)!;
    assert.ok(bound, 'bind-mount-only netns missing');
    assert.equal(bound.processCount, 0);
    assert.deepEqual(bound.heldBy, ['bindmount']);
    assert.ok(bound.bindMounts.includes(rig.NETNS));

    // Opened through a bind mount that is gone now, the fd's link reads "/": stat tells the inode.
    const [dev, fdIno] = execFileSync('stat', ['-L', '-c', '%d %i', `/proc/${fdHolderPid}/fd/3`], { encoding: 'utf8' }).trim().split(' ').map(Number);
    assert.equal(dev, fs.statSync('/proc/self/ns/net').dev, 'fd 3 is on nsfs');
    const held = all.find((n) => n.inode === fdIno)!;
    assert.ok(held, `fd-only netns [${fdIno}] missing`);
    assert.equal(held.type, 'net');
    assert.deepEqual(held.heldBy, ['fd']);
    assert.deepEqual(held.fdHolders, [{ pid: fdHolderPid, fd: 3 }]);
  });

  it('marks the host namespaces and picks the oldest top-most process as ealdorman', () => {
    const { all } = snapshotNamespaces();
    const own = ownNamespaces();
    for (const n of all) assert.equal(n.isHost, own[n.type] === n.inode);
    const bareUts = all.find((n) => n.inode === inodeOf(`/proc/${rig.BARE_PID}/ns/uts`))!;
    // The bare container's uts namespace holds its unshare launcher (parent outside) and PID 1 inside.
    const launcher = Number(fs.readFileSync(`/proc/${rig.BARE_PID}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    assert.equal(bareUts.ealdorman, launcher);
  });

  it('reads a container hostname from its UTS namespace, as nsenter does', () => {
    for (const pid of [Number(rig.BARE_PID), Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', 'nodescope-rig-limited'], { encoding: 'utf8' }))]) {
      const expected = execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim();
      assert.equal(hostnameOf(pid), expected);
    }
    assert.equal(hostnameOf(999_999_999), null, 'a missing process has no hostname');
    assert.equal(hostnameOf(process.pid), execFileSync('hostname', { encoding: 'utf8' }).trim(), 'and the agent is back in its own UTS namespace');
  });

  it('decodes capability sets as capsh does, and as docker inspect configured them', () => {
    const pid = Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', 'nodescope-rig-limited'], { encoding: 'utf8' }));
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = (k: string) => new RegExp(`^${k}:\\s*([0-9a-f]+)`, 'm').exec(status)![1];
    const sets = capabilitySets({ capInh: mask('CapInh'), capPrm: mask('CapPrm'), capEff: mask('CapEff'), capBnd: mask('CapBnd'), capAmb: mask('CapAmb') });
    const capsh = (m: string) => {
      const names = execFileSync('capsh', [`--decode=${m}`], { encoding: 'utf8' }).trim().split('=')[1] ?? '';
      return names ? names.split(',').map((n) => n.toUpperCase()).sort() : [];
    };
    assert.deepEqual([...sets.effective].map(String).sort(), capsh(mask('CapEff')));
    assert.deepEqual([...sets.bounding].map(String).sort(), capsh(mask('CapBnd')));
    const hc = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .HostConfig}}', 'nodescope-rig-limited'], { encoding: 'utf8' }));
    for (const added of hc.CapAdd as string[]) assert.ok(sets.effective.includes(added.startsWith('CAP_') ? added : `CAP_${added}`), `${added} added`);
    for (const dropped of hc.CapDrop as string[]) assert.ok(!sets.effective.includes(dropped.startsWith('CAP_') ? dropped : `CAP_${dropped}`), `${dropped} dropped`);
  });
});
