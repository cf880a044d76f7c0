/**
 * The `nodescope` CLI as users run it (dist/ bundles), checked against docker inspect, find and the JSON
 * Schema. The agent process itself (lifetime, validation, notifications, enter checks): agent.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { inCI, probes, rigUp, skipUnlessReal } from '../support/real';
import type { LayerScan, Snapshot, Whence } from '../../server/protocol';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
/** The command package.json's bin installs: a launcher for dist/cli.js. */
const bin = path.join(repo, 'bin', 'nodescope');
const agent = path.join(repo, 'dist', 'agent.js');
const built = (): string | null => (fs.existsSync(cli) && fs.existsSync(agent) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);

function nodescope(args: string[], input?: string, env?: NodeJS.ProcessEnv): { code: number; out: string; err: string; pid: number } {
  const r = spawnSync(bin, args, { encoding: 'utf8', input, maxBuffer: 1 << 28, timeout: 60_000, env: env ?? process.env });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, pid: r.pid };
}
const inspect = (name: string, fmt: string): string => execFileSync('docker', ['inspect', '-f', fmt, name], { encoding: 'utf8' }).trim();

describe('the nodescope CLI on this machine', { skip }, () => {
  before(() => rigUp());

  it('snapshot --json is valid against docs/snapshot.schema.json and names the rig containers as docker does', () => {
    const r = nodescope(['snapshot', '--json']);
    assert.equal(r.code, 0, r.err);
    const snap = JSON.parse(r.out) as Snapshot;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(repo, 'docs', 'snapshot.schema.json'), 'utf8')));
    assert.ok(validate(snap), JSON.stringify(validate.errors?.slice(0, 5)));
    for (const name of ['nodescope-rig-limited', 'nodescope-rig-readonly', 'nodescope-rig-hostpid']) {
      const c = snap.containers.find((x) => x.id === inspect(name, '{{.Id}}'));
      assert.ok(c, `${name} missing`);
      assert.equal(c.name, name);
      assert.equal(c.initPid, Number(inspect(name, '{{.State.Pid}}')));
    }
  });

  it('as root runs the agent\'s methods in its own process, and answers as the spawned agent does', () => {
    const own = nodescope(['snapshot', '--json']);
    const spawned = nodescope(['snapshot', '--json'], undefined, { ...process.env, NODESCOPE_IN_PROCESS: '0' });
    assert.equal(own.code, 0, own.err);
    assert.equal(spawned.code, 0, spawned.err);
    const a = JSON.parse(own.out) as Snapshot;
    const b = JSON.parse(spawned.out) as Snapshot;
    // bin/nodescope execs node, so the CLI keeps the launcher's pid; the agent, when spawned, is its child.
    const agentChild = (s: Snapshot, cliPid: number) => s.processes.find((p) => p.ppid === cliPid && /agent\.js/.test(p.cmdline ?? ''));
    assert.ok(a.processes.some((p) => p.pid === own.pid && /cli\.js/.test(p.cmdline ?? '')), 'the CLI read itself');
    assert.equal(agentChild(a, own.pid), undefined, 'no agent process was started');
    assert.ok(agentChild(b, spawned.pid), 'NODESCOPE_IN_PROCESS=0 starts the agent as a child');
    const rig = (s: Snapshot) => s.containers.filter((c) => c.name.startsWith('nodescope-rig-')).map((c) => [c.id, c.initPid, c.hostname]).sort();
    assert.deepEqual(rig(a), rig(b));
    assert.ok(rig(a).length >= 3);
  });

  it('snapshot without --json prints a readable tree', () => {
    const r = nodescope(['snapshot']);
    assert.equal(r.code, 0);
    assert.match(r.out, /containers \(\d+\)/);
    assert.match(r.out, /nodescope-rig-limited .* host limited-host/);
    assert.match(r.out, /memory .* \/ 64\.0 MiB, pids \d+ \/ 50, cpu 0\.5 CPU/);
  });

  it('layer --json finds the whiteout in the rig image layer that find finds', () => {
    const lowers = inspect('nodescope-rig-limited', '{{.GraphDriver.Data.LowerDir}}').split(':');
    const withDev = lowers.find((d) => execFileSync('find', [d, '-type', 'c'], { encoding: 'utf8' }).trim());
    assert.ok(withDev, 'the rig image has a whiteout layer');
    const r = nodescope(['layer', withDev, '--json']);
    assert.equal(r.code, 0, r.err);
    const scan = JSON.parse(r.out) as LayerScan;
    const found = execFileSync('find', ['.', '-type', 'c'], { cwd: withDev, encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.slice(2));
    assert.deepEqual(scan.whiteouts.map((w) => w.path).sort(), found.sort());
  });

  it('whence --json by name and by id prefix', () => {
    const id = inspect('nodescope-rig-limited', '{{.Id}}');
    for (const ref of ['nodescope-rig-limited', id.slice(0, 10)]) {
      const r = nodescope(['whence', ref, '/data/gone', '--json']);
      assert.equal(r.code, 0, r.err);
      const w = JSON.parse(r.out) as Whence;
      assert.equal(w.container, id);
      assert.equal(w.visible, false);
      assert.ok(w.deletedBy);
    }
  });

  it('usage errors exit 2, failures exit 1, each with one line and no stack trace', () => {
    for (const [args, code, msg] of [
      [['bogus'], 2, /unknown command "bogus"/],
      [['whence', 'x'], 2, /whence needs a container and a path/],
      [['whence', 'x', 'relative'], 2, /must be absolute/],
      [['--identity', 'k', 'snapshot'], 2, /go with --ssh/],
      [['whence', 'no-such-container', '/etc'], 1, /no container "no-such-container"/],
      [['layer', '/no/such/dir'], 1, /no such directory/],
      [['pagecache', 'nodescope-rig-readonly', '--top', 'x'], 2, /--top needs a whole number/],
    ] as [string[], number, RegExp][]) {
      const r = nodescope(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      const first = r.err.split('\n')[0];
      assert.match(first, /^nodescope: /);
      assert.match(first, msg);
      assert.doesNotMatch(r.err, /^\s+at /m, 'no stack trace');
    }
  });

  it('as a user sudo would ask for a password, says so in one line instead of hanging', () => {
    // nobody is not root, so the agent goes through `sudo -n`, which refuses without a password.
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath, cli, 'snapshot'], {
      cwd: '/tmp', encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'nodescope: agent on this machine stopped answering: sudo needs a password to run the agent as root; run `sudo -v` in a terminal first, or run as root\n');
  });

  it('enter runs a command in the container, passing stdin, stdout and the exit code', () => {
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'hostname']).out.trim(), 'limited-host');
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'cat'], 'through stdin\n').out, 'through stdin\n');
    const bare = nodescope(['enter', 'sleep', '--', 'cat', '/etc/which']);
    assert.equal(bare.out.trim(), 'lower2', 'the bare container sees its own overlay root');
    const wrongPid = nodescope(['enter', 'nodescope-rig-limited', '--pid', String(process.pid), '--', 'true']);
    assert.equal(wrongPid.code, 1);
    assert.match(wrongPid.err, /is not in nodescope-rig-limited/);
  });

  it('enter without a command opens the container\'s shell on a terminal and exits with its code', () => {
    // util-linux script gives the CLI a terminal, so it takes the interactive path (raw mode, pty exec).
    const r = spawnSync('script', ['-qfec', `${process.execPath} ${cli} enter nodescope-rig-limited`, '/dev/null'], {
      input: 'hostname\nexit 3\n', encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /hostname\r?\r\n\s*limited-host\r?\r\n/, JSON.stringify(r.stdout.slice(-300)));
  });

  it('pagecache reports per layer next to the cgroup file charge', () => {
    const r = nodescope(['pagecache', 'nodescope-rig-limited', '--json']);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out);
    assert.equal(rep.layers.length, inspect('nodescope-rig-limited', '{{.GraphDriver.Data.LowerDir}}').split(':').length + 1);
    assert.ok(rep.residentBytes >= 0);
    const cg = `/sys/fs/cgroup/memory/docker/${inspect('nodescope-rig-limited', '{{.Id}}')}/memory.stat`;
    if (fs.existsSync(cg)) assert.equal(typeof rep.cgroupFileBytes, 'number');
  });
});

if (inCI && skip) throw new Error(`CLI suite cannot run in CI: ${skip}`);
