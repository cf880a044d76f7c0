/**
 * Namespaces, hostnames and capabilities against independent sources: lsns -J (util-linux), readlink and
 * stat of /proc and nsfs paths done here, nsenter, capsh --decode (libcap), docker inspect.
 * The test makes its own kernel objects: a nested user namespace with a pid namespace, a user namespace
 * created by an unprivileged uid, a network namespace held only by an open fd, one held only by a bind
 * mount inside a private mount namespace, a thread in a UTS namespace of its own; and uses the rig's netns
 * held only by a bind mount on the host.
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

interface LsnsRow {
  ns: number;
  type: string;
  nprocs: number;
  pid: number;
  pns: number;
  ons: number;
}
const lsns = (): LsnsRow[] => JSON.parse(execFileSync('lsns', ['-J', '-o', 'NS,TYPE,NPROCS,PID,PNS,ONS'], { encoding: 'utf8' })).namespaces;
const inodeOf = (p: string): number => fs.statSync(p).ino;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function snapshotNamespaces(): { all: NamespaceInfo[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const procs = readProcesses(problems);
  return { all: buildNamespaces(procs, ownNamespaces(), readMountTables(procs, problems), problems), problems };
}

/** PIDs whose /proc/PID/ns/TYPE link reads `type:[inode]`: the test's own count, by readlink, not stat. */
function membersByReadlink(type: string, inode: number): Set<number> {
  const out = new Set<number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readlinkSync(`/proc/${name}/ns/${type}`) === `${type}:[${inode}]`) out.add(Number(name));
    } catch {
      /* exited, or a zombie */
    }
  }
  return out;
}

/** Resolves with the child's first stdout line. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`test helper exited (${code}) before it was ready`)));
  });
}

// A worker thread unshares its UTS namespace: the process's other threads stay in the host's.
const THREAD_UNSHARE = `
const { Worker } = require('worker_threads');
const w = new Worker("const unshare = require('koffi').load('libc.so.6').func('int unshare(int flags)');" +
  "if (unshare(0x04000000) !== 0) process.exit(3);" +
  "require('worker_threads').parentPort.postMessage(require('worker_threads').threadId); setInterval(() => {}, 1000);", { eval: true });
w.on('message', () => process.stdout.write('ready\\n'));
`;

/** The newest descendant of `root` whose comm is `comm`. */
function descendant(root: number, comm: string): number {
  const kids = execFileSync('sh', ['-c', `pgrep -P ${root} || true`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
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
  let nobodyUserPid = 0;
  let privateMountPid = 0;
  let privateBindPath = '';
  let threadedPid = 0;
  let rig: Record<string, string> = {};
  // Unique per run: several engineers and CI jobs share the machine's /run/netns.
  const fdNetns = `nodescope-ns-fd-${process.pid}`;

  before(async () => {
    rig = rigUp();
    // Outer user namespace (root mapped), inside it another user namespace with its own pid namespace.
    const nested = spawn('unshare', ['--user', '--map-root-user', '--fork', 'unshare', '--user', '--pid', '--fork', 'sleep', '300'], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(nested);
    // A network namespace that only an open fd keeps alive: the bind mount is removed after fd 3 opens it.
    execFileSync('ip', ['netns', 'add', fdNetns]);
    const holder = spawn('sh', ['-c', `exec 3</run/netns/${fdNetns}; ip netns delete ${fdNetns}; exec sleep 300`], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(holder);
    // A user namespace created by uid 65534: NS_GET_OWNER_UID must say 65534, not a zero-filled buffer's 0.
    const nobody = spawn('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'unshare', '--user', 'sleep', '300'], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(nobody);
    // A network namespace bind-mounted inside a private mount namespace only; its creator exits at once,
    // so that bind mount in that one mount table is all that keeps it. (unshare and sh exec: the spawned
    // pid ends up as the sleep that keeps the mount namespace alive.)
    const priv = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'd=$(mktemp -d /tmp/nodescope-ns-bind.XXXXXX) && touch $d/net && unshare --net sh -c "mount --bind /proc/self/ns/net $d/net" && echo $d && exec sleep 300',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], detached: true },
    );
    children.push(priv);
    privateBindPath = (await firstLine(priv)) + '/net';
    privateMountPid = priv.pid!;
    const threaded = spawn(process.execPath, ['-e', THREAD_UNSHARE], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
      cwd: process.cwd(),
    });
    children.push(threaded);
    await firstLine(threaded);
    threadedPid = threaded.pid!;
    for (let i = 0; i < 50 && !(nestedPid && fdHolderPid); i++) {
      await sleep(100);
      nestedPid ||= descendant(nested.pid!, 'sleep');
      if (!nobodyUserPid && fs.readFileSync(`/proc/${nobody.pid}/comm`, 'utf8').trim() === 'sleep') nobodyUserPid = nobody.pid!;
      if (
        !fdHolderPid &&
        fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep' &&
        !fs.existsSync('/run/netns/nodescope-test-fd')
      )
        fdHolderPid = holder.pid!;
    }
    assert.ok(nestedPid && fdHolderPid && nobodyUserPid, 'test processes did not start');
  });

  after(async () => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // Wait until they are really gone: a dying pid namespace still shows as a container to the suites
    // that follow, which then find its init vanished under them.
    const pids = [...children.map((c) => c.pid!), nestedPid, fdHolderPid, nobodyUserPid, privateMountPid, threadedPid].filter(Boolean);
    for (let i = 0; i < 100 && pids.some((p) => fs.existsSync(`/proc/${p}`)); i++) await sleep(50);
    execFileSync('sh', ['-c', `ip netns delete ${fdNetns} 2>/dev/null || true`]);
    // The bind mount went with its mount namespace; only the empty host-side directory is left.
    if (privateBindPath.startsWith('/tmp/nodescope-ns-bind.'))
      fs.rmSync(privateBindPath.replace(/\/net$/, ''), { recursive: true, force: true });
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
    const [dev, fdIno] = execFileSync('stat', ['-L', '-c', '%d %i', `/proc/${fdHolderPid}/fd/3`], { encoding: 'utf8' })
      .trim()
      .split(' ')
      .map(Number);
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
    for (const pid of [
      Number(rig.BARE_PID),
      Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', 'nodescope-rig-limited'], { encoding: 'utf8' })),
    ]) {
      const expected = execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim();
      assert.equal(hostnameOf(pid), expected);
    }
    assert.equal(hostnameOf(999_999_999), null, 'a missing process has no hostname');
    assert.equal(
      hostnameOf(process.pid),
      execFileSync('hostname', { encoding: 'utf8' }).trim(),
      'and the agent is back in its own UTS namespace',
    );
  });

  it('decodes capability sets as capsh does, and as docker inspect configured them', () => {
    const pid = Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', 'nodescope-rig-limited'], { encoding: 'utf8' }));
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = (k: string) => new RegExp(`^${k}:\\s*([0-9a-f]+)`, 'm').exec(status)![1];
    const sets = capabilitySets({
      capInh: mask('CapInh'),
      capPrm: mask('CapPrm'),
      capEff: mask('CapEff'),
      capBnd: mask('CapBnd'),
      capAmb: mask('CapAmb'),
    });
    const capsh = (m: string) => {
      const names =
        execFileSync('capsh', [`--decode=${m}`], { encoding: 'utf8' })
          .trim()
          .split('=')[1] ?? '';
      return names
        ? names
            .split(',')
            .map((n) => n.toUpperCase())
            .sort()
        : [];
    };
    assert.deepEqual([...sets.effective].map(String).sort(), capsh(mask('CapEff')));
    assert.deepEqual([...sets.bounding].map(String).sort(), capsh(mask('CapBnd')));
    const hc = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .HostConfig}}', 'nodescope-rig-limited'], { encoding: 'utf8' }));
    for (const added of hc.CapAdd as string[])
      assert.ok(sets.effective.includes(added.startsWith('CAP_') ? added : `CAP_${added}`), `${added} added`);
    for (const dropped of hc.CapDrop as string[])
      assert.ok(!sets.effective.includes(dropped.startsWith('CAP_') ? dropped : `CAP_${dropped}`), `${dropped} dropped`);
  });

  it('counts the processes of each namespace the test made as readlink of /proc/*/ns/* does', () => {
    const { all } = snapshotNamespaces();
    const ours = new Map(all.map((n) => [`${n.type}:${n.inode}`, n]));
    const made: [string, number][] = [
      ['user', inodeOf(`/proc/${nestedPid}/ns/user`)],
      ['pid', inodeOf(`/proc/${nestedPid}/ns/pid`)],
      ['user', inodeOf(`/proc/${nobodyUserPid}/ns/user`)],
      ['mnt', inodeOf(`/proc/${privateMountPid}/ns/mnt`)],
      ['uts', inodeOf(`/proc/${rig.BARE_PID}/ns/uts`)],
      ['pid', inodeOf(`/proc/${rig.BARE_PID}/ns/pid`)],
    ];
    for (const [type, ino] of made) {
      const pids = membersByReadlink(type, ino);
      const n = ours.get(`${type}:${ino}`);
      assert.ok(n, `${type}:[${ino}] missing`);
      assert.equal(n.processCount, pids.size, `${type}:[${ino}] has ${[...pids].join(',')}`);
      assert.ok(n.ealdorman !== null && pids.has(n.ealdorman), `ealdorman of ${type}:[${ino}] is a member`);
      assert.deepEqual(n.heldBy, ['process']);
    }
  });

  it('reads the owner uid of a user namespace an unprivileged uid created', () => {
    const { all } = snapshotNamespaces();
    const ino = inodeOf(`/proc/${nobodyUserPid}/ns/user`);
    const uid = Number(/^Uid:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${nobodyUserPid}/status`, 'utf8'))![1]);
    assert.equal(uid, 65534);
    const n = all.find((x) => x.type === 'user' && x.inode === ino)!;
    assert.equal(n.ownerUid, uid);
    assert.equal(n.parent, ownNamespaces().user, 'made from the host user namespace');
  });

  it('finds a namespace bind-mounted only inside another mount namespace, reachable through that process', () => {
    const { all } = snapshotNamespaces();
    // Independent: stat inside that mount namespace via nsenter; and the host's own table lacks the mount.
    const ino = Number(
      execFileSync('nsenter', ['-t', String(privateMountPid), '-m', 'stat', '-L', '-c', '%i', privateBindPath], {
        encoding: 'utf8',
      }).trim(),
    );
    assert.ok(
      !fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(privateBindPath),
      'the bind mount is private to that mount namespace',
    );
    assert.notEqual(ino, fs.statSync(privateBindPath).ino, 'on the host the path is the plain empty file');
    const n = all.find((x) => x.inode === ino)!;
    assert.ok(n, `net:[${ino}] missing`);
    assert.equal(n.type, 'net');
    assert.equal(n.processCount, 0);
    assert.deepEqual(n.heldBy, ['bindmount']);
    assert.deepEqual(n.bindMounts, [`/proc/${privateMountPid}/root${privateBindPath}`]);
    assert.equal(fs.statSync(n.bindMounts[0]).ino, ino, 'the listed path opens the namespace from the host');
    assert.equal(n.ownerUserNs, ownNamespaces().user, 'ioctls went through that path');
  });

  it("lists a thread whose UTS namespace differs from its process's, and the namespace only it is in", () => {
    const problems: Problem[] = [];
    const procs = readProcesses(problems);
    const p = procs.find((x) => x.pid === threadedPid)!;
    // Independent: readlink of every task's ns/uts.
    const odd = fs
      .readdirSync(`/proc/${threadedPid}/task`)
      .map((tid) => ({ tid: Number(tid), link: fs.readlinkSync(`/proc/${threadedPid}/task/${tid}/ns/uts`) }))
      .filter((t) => t.link !== fs.readlinkSync(`/proc/${threadedPid}/ns/uts`));
    assert.equal(odd.length, 1);
    const ino = Number(/\[(\d+)\]/.exec(odd[0].link)![1]);
    assert.deepEqual(p.threads, [{ tid: odd[0].tid, namespaces: { uts: ino } }]);
    const n = buildNamespaces(procs, ownNamespaces(), readMountTables(procs, problems), problems).find(
      (x) => x.type === 'uts' && x.inode === ino,
    )!;
    assert.ok(n, `uts:[${ino}] missing`);
    assert.equal(n.processCount, 0, 'no process has it as its own: only a thread is in it');
    assert.deepEqual(n.heldBy, ['process']);
  });
});
