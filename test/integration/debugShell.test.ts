/**
 * The debug shell and entering a subset of namespaces, for real: the rig's distroless container (one
 * static binary, FROM scratch: no shell, no tools) and its busybox container. The agent plans
 * (server/act/debug.ts, server/act/enter.ts); the plan's argv runs here as the local transport runs it.
 *
 * What is checked comes from the node, not from the agent: the hostname from `docker inspect`, `/` from
 * /proc/PID/root, the container's mount table from /proc/PID/mountinfo, namespace inodes from stat of
 * /proc/PID/ns/* and of this process's own (the node's), exit codes from the process itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { AgentMethods } from '../../server/methods';
import { NS_TYPES, type DebugPlan, type EnterPlan, type NsType, type Snapshot } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { childrenOf, hello, repo, within } from '../support/agentProcess';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('nsenter'), () =>
  fs.existsSync('/bin/busybox') ? null : 'needs /bin/busybox (Debian busybox-static; scripts/provision.sh installs it)',
);
const DISTROLESS = 'nodescope-rig-distroless';
const LIMITED = 'nodescope-rig-limited';

const initPid = (name: string): number =>
  Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', name], { encoding: 'utf8' }).trim());
const nsInode = (pid: number | 'self', t: NsType): number => fs.statSync(`/proc/${pid}/ns/${t}`).ino;

/** `ls -la /` of the container as the node sees it through /proc/PID/root: every entry's lstat, `.` included. */
function rootListing(pid: number): string[] {
  const root = `/proc/${pid}/root`;
  return ['.', ...fs.readdirSync(root).sort()].map((n) => {
    const st = fs.lstatSync(path.join(root, n));
    return `${n} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.ino} ${st.mtimeMs} ${st.ctimeMs}`;
  });
}
/** Processes in `pid`'s pid namespace other than it (the container's init here), from /proc. */
function othersInPidNs(pid: number): number[] {
  const ns = nsInode(pid, 'pid');
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && Number(n) !== pid)
    .filter((n) => {
      try {
        return fs.statSync(`/proc/${n}/ns/pid`).ino === ns;
      } catch {
        return false;
      }
    })
    .map(Number);
}
const mountinfo = (pid: number): string => fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8');

/** The plan's argv run as the local transport runs it (no pty): stdout, stderr, exit code. */
function run(plan: EnterPlan, input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(plan.argv[0], plan.argv.slice(1), { encoding: 'utf8', input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Each namespace type and its inode, as a shell inside prints them. */
const NS_SCRIPT = `for t in ${NS_TYPES.join(' ')}; do echo "$t $(stat -L -c %i /proc/self/ns/$t)"; done`;
const parseNs = (out: string): Record<string, number> =>
  Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter((l) => /^[a-z]+ \d+$/.test(l))
      .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
  );

describe('debug shell', { skip, timeout: 240_000 }, () => {
  const agent = new AgentMethods();
  const debugPlan = (command?: string[], container = DISTROLESS): DebugPlan => agent.dispatch('debug.plan', { container, command });
  let pid: number;

  before(() => {
    rigUp();
    pid = initPid(DISTROLESS);
  });

  it('the distroless container has no shell: enter says that debug exists', () => {
    assert.throws(
      () => agent.dispatch('enter.plan', { container: DISTROLESS }),
      (err: Error) => /no shell in nodescope-rig-distroless's root .*nodescope debug nodescope-rig-distroless/.test(err.message),
    );
  });

  it("sees the container's hostname and its own files at /", () => {
    const r = run(debugPlan(['sh', '-c', 'hostname; echo ---; ls -a /']));
    assert.equal(r.status, 0, r.stderr);
    const [hostname, listing] = r.stdout.split('---\n');
    assert.equal(
      hostname.trim(),
      execFileSync('docker', ['inspect', '-f', '{{.Config.Hostname}}', DISTROLESS], { encoding: 'utf8' }).trim(),
    );
    assert.deepEqual(listing.trim().split('\n').sort(), ['.', '..', ...fs.readdirSync(`/proc/${pid}/root`)].sort());
  });

  it("is in every one of the container's namespaces but a private copy of its mount namespace", () => {
    const r = run(debugPlan(['sh', '-c', NS_SCRIPT]));
    assert.equal(r.status, 0, r.stderr);
    const inside = parseNs(r.stdout);
    for (const t of NS_TYPES) {
      if (t === 'mnt') continue;
      assert.equal(inside[t], nsInode(pid, t), `${t}: the container's`);
    }
    assert.notEqual(inside.mnt, nsInode(pid, 'mnt'), "mnt: not the container's own (a copy)");
    assert.notEqual(inside.mnt, nsInode('self', 'mnt'), "mnt: not the node's");
  });

  it("leaves the container's mount table and root listing exactly as they were, during and after", async () => {
    const before = { mounts: mountinfo(pid), root: rootListing(pid) };
    const plan = debugPlan(['sh', '-c', 'echo ready; read line; echo "got $line"; ls /dev/mqueue | grep -c . ; exit 5']);
    const shell: ChildProcessWithoutNullStreams = spawn(plan.argv[0], plan.argv.slice(1));
    let out = '';
    shell.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    shell.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => shell.on('exit', (code) => r(code)));
    const ready = await within(30_000, new Promise<true>((r) => shell.stdout.on('data', () => out.includes('ready') && r(true))), false);
    assert.ok(ready, `the debug shell started (${err})`);
    // During: the shell (a process of the container's pid namespace now) has the toolbox mounted; the container does not.
    const shellPid = othersInPidNs(pid);
    assert.equal(shellPid.length, 1, 'one process joined the container besides its own: the debug shell');
    assert.equal(mountinfo(pid), before.mounts, "the container's mountinfo while the debug shell runs");
    assert.deepEqual(rootListing(pid), before.root, "the container's / while the debug shell runs");
    assert.match(mountinfo(shellPid[0]), / - tmpfs nodescope-debug /, "the debug shell's own mount table has the toolbox");
    shell.stdin.end('hello\n');
    assert.equal(await exited, 5, 'the exit code passes through');
    assert.match(out, /got hello\n/, 'stdin reaches the shell');
    assert.ok(Number(out.trim().split('\n').pop()) > 100, 'the toolbox has its applets (busybox --install)');
    assert.equal(mountinfo(pid), before.mounts, "the container's mountinfo after");
    assert.deepEqual(rootListing(pid), before.root, "the container's / after");
  });

  it('passes exit codes through: a command that fails, one that is not there', () => {
    assert.equal(run(debugPlan(['sh', '-c', 'exit 42'])).status, 42);
    assert.equal(run(debugPlan(['false'])).status, 1);
    const missing = run(debugPlan(['no-such-tool']));
    assert.equal(missing.status, 127, missing.stderr);
  });

  it('works on a container that has a shell too: its tools and the toolbox, its own files', () => {
    const limited = initPid(LIMITED);
    const r = run(debugPlan(['sh', '-c', 'hostname; cat /data/keep/k'], LIMITED));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `limited-host\n${fs.readFileSync(`/proc/${limited}/root/data/keep/k`, 'utf8')}`);
  });

  describe('the toolbox must be a static binary of root, writable by nobody else', () => {
    // Not under /tmp: a directory others may write (sticky or not) is refused for the toolbox too.
    const dir = fs.mkdtempSync('/run/nodescope-toolbox-');
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const refusal = (toolbox: string): string => {
      try {
        agent.dispatch('debug.plan', { container: DISTROLESS, toolbox });
        return 'planned';
      } catch (err) {
        return (err as Error).message;
      }
    };

    it('refuses a dynamic binary, one others may write, a symlink, a missing file', () => {
      assert.match(refusal('/usr/bin/ls'), /^toolbox \/usr\/bin\/ls is not static \(it needs \/lib.*ld-linux.*\); install busybox-static$/);
      fs.chmodSync(dir, 0o755);
      const copy = path.join(dir, 'busybox');
      fs.copyFileSync('/bin/busybox', copy);
      fs.chmodSync(copy, 0o755);
      assert.equal(refusal(copy), 'planned', 'a root-owned static copy in a root-owned directory is taken');
      fs.chmodSync(copy, 0o777);
      assert.equal(refusal(copy), `toolbox ${copy} must be owned by root and writable by nobody else`);
      fs.chmodSync(copy, 0o755);
      fs.symlinkSync(copy, path.join(dir, 'link'));
      assert.equal(refusal(path.join(dir, 'link')), `toolbox ${path.join(dir, 'link')} is a symlink: give the file it points to`);
      assert.equal(
        refusal('/nonexistent/busybox'),
        'toolbox /nonexistent/busybox does not exist on this node (Debian/Ubuntu: apt-get install busybox-static)',
      );
    });
  });
});

describe('enter a subset of namespaces', { skip, timeout: 120_000 }, () => {
  const agent = new AgentMethods();
  before(() => rigUp());

  it("net and uts only: those are the container's, every other the node's, and the node's files", () => {
    const pid = initPid(DISTROLESS);
    const types: NsType[] = ['net', 'uts'];
    const plan = agent.dispatch('enter.plan', { container: DISTROLESS, namespaces: types, command: ['sh', '-c', NS_SCRIPT] });
    const r = run(plan);
    assert.equal(r.status, 0, r.stderr);
    const inside = parseNs(r.stdout);
    for (const t of NS_TYPES) {
      const want = types.includes(t) ? nsInode(pid, t) : nsInode('self', t);
      assert.equal(inside[t], want, `${t}: ${types.includes(t) ? "the container's" : "the node's"}`);
    }
  });

  it("mnt, pid and net: those three are the container's, ipc and uts the node's", () => {
    const pid = initPid(LIMITED);
    const types: NsType[] = ['mnt', 'pid', 'net'];
    const plan = agent.dispatch('enter.plan', { container: LIMITED, namespaces: types, command: ['sh', '-c', NS_SCRIPT] });
    const r = run(plan);
    assert.equal(r.status, 0, r.stderr);
    const inside = parseNs(r.stdout);
    for (const t of ['mnt', 'pid', 'net', 'ipc', 'uts'] as NsType[])
      assert.equal(inside[t], types.includes(t) ? nsInode(pid, t) : nsInode('self', t), t);
  });

  it('refuses an empty set and unknown types', () => {
    assert.throws(() => agent.dispatch('enter.plan', { container: LIMITED, namespaces: [] }), /name at least one namespace type/);
    assert.throws(() => agent.dispatch('enter.plan', { container: LIMITED, namespaces: ['nett' as NsType] }), /must be one of "cgroup"/);
  });
});

describe('the agent answers while a debug shell starts', { skip, timeout: 400_000 }, () => {
  it('a snapshot request sent with debug.plan is answered; the agent starts no process for it', async () => {
    rigUp();
    const dir = fs.mkdtempSync('/run/nodescope-debug-audit-');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'server', 'agent.ts')], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODESCOPE_AUDIT_LOG: path.join(dir, 'audit.log') },
    });
    try {
      const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
      rpc.listen();
      await within(60_000, hello(rpc), null);
      await rpc.sendRequest<Snapshot>('snapshot');
      const planned = rpc.sendRequest<DebugPlan>('debug.plan', { container: DISTROLESS, command: ['sh', '-c', 'read line'] });
      const snapshot = rpc.sendRequest<Snapshot>('snapshot');
      const plan = await within(120_000, planned, null);
      assert.ok(plan, 'debug.plan answered');
      // The shell starts now, outside the agent (as the transport runs it); the agent answers meanwhile.
      const shell = spawn(plan.argv[0], plan.argv.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
      const exited = new Promise<number | null>((r) => shell.on('exit', (c) => r(c)));
      let ended = false;
      void exited.then(() => (ended = true));
      assert.ok(await within(120_000, snapshot, null), 'the snapshot sent with it is answered');
      assert.ok(await within(120_000, rpc.sendRequest<Snapshot>('snapshot'), null), 'and one sent while the shell starts');
      assert.equal(ended, false, 'the debug shell was still there (waiting for its input) when the snapshots were answered');
      // The agent may run children of its own (an engine's tool); none of them is the debug shell's.
      const comm = (p: number): string => {
        try {
          return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      assert.deepEqual(
        childrenOf(child.pid!).filter((p) => ['nsenter', 'busybox', 'sh', 'unshare'].includes(comm(p))),
        [],
        'the agent ran nothing of the debug shell',
      );
      shell.stdin.end('\n');
      assert.equal(await exited, 0);
      assert.match(
        fs.readFileSync(path.join(dir, 'audit.log'), 'utf8'),
        /"container":\{"id":"[0-9a-f]+","name":"nodescope-rig-distroless"\}/,
        'audited',
      );
      rpc.dispose();
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
