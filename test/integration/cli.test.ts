/**
 * The `nodescope` CLI as users run it (dist/ bundles), checked against docker inspect, find and the JSON
 * Schema. The agent process itself (lifetime, validation, notifications, enter checks): agent.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
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
  let rig: Record<string, string> = {};
  before(() => (rig = rigUp()));

  it('snapshot --json is valid against docs/snapshot.schema.json and names the rig containers as docker does', () => {
    const r = nodescope(['snapshot', '--json']);
    assert.equal(r.code, 0, r.err);
    const snap = JSON.parse(r.out) as Snapshot;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(
      JSON.parse(fs.readFileSync(path.join(repo, 'docs', 'snapshot.schema.json'), 'utf8')),
    );
    assert.ok(validate(snap), JSON.stringify(validate.errors?.slice(0, 5)));
    for (const name of ['nodescope-rig-limited', 'nodescope-rig-readonly', 'nodescope-rig-hostpid']) {
      const c = snap.containers.find((x) => x.id === inspect(name, '{{.Id}}'));
      assert.ok(c, `${name} missing`);
      assert.equal(c.name, name);
      assert.equal(c.initPid, Number(inspect(name, '{{.State.Pid}}')));
    }
  });

  it("as root runs the agent's methods in its own process, and answers as the spawned agent does", () => {
    const own = nodescope(['snapshot', '--json']);
    const spawned = nodescope(['snapshot', '--json'], undefined, { ...process.env, NODESCOPE_IN_PROCESS: '0' });
    assert.equal(own.code, 0, own.err);
    assert.equal(spawned.code, 0, spawned.err);
    const a = JSON.parse(own.out) as Snapshot;
    const b = JSON.parse(spawned.out) as Snapshot;
    // bin/nodescope execs node, so the CLI keeps the launcher's pid; the agent, when spawned, is its child.
    const agentChild = (s: Snapshot, cliPid: number) => s.processes.find((p) => p.ppid === cliPid && /agent\.js/.test(p.cmdline ?? ''));
    assert.ok(
      a.processes.some((p) => p.pid === own.pid && /cli\.js/.test(p.cmdline ?? '')),
      'the CLI read itself',
    );
    assert.equal(agentChild(a, own.pid), undefined, 'no agent process was started');
    assert.ok(agentChild(b, spawned.pid), 'NODESCOPE_IN_PROCESS=0 starts the agent as a child');
    const rig = (s: Snapshot) =>
      s.containers
        .filter((c) => c.name.startsWith('nodescope-rig-'))
        .map((c) => [c.id, c.initPid, c.hostname])
        .sort();
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
    const found = execFileSync('find', ['.', '-type', 'c'], { cwd: withDev, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice(2));
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

  it('usage errors exit 2 with the one error and where the right form is; failures exit 1; one line each, no stack trace', () => {
    for (const [args, code, line] of [
      [['bogus'], 2, 'nodescope: unknown command "bogus"; see `nodescope --help`'],
      [['whence'], 2, 'nodescope whence: missing CONTAINER and PATH; see `nodescope whence --help`'],
      [['whence', 'x'], 2, 'nodescope whence: missing PATH; see `nodescope whence --help`'],
      [
        ['whence', 'x', 'relative'],
        2,
        'nodescope whence: PATH must be absolute inside the container, got "relative"; see `nodescope whence --help`',
      ],
      [
        ['--identity', 'k', 'snapshot'],
        2,
        'nodescope: --identity, --known-hosts, --jump and --accept-new-host-key go with --ssh or --hosts; see `nodescope --help`',
      ],
      [
        ['pagecache', 'nodescope-rig-readonly', '--top', 'x'],
        2,
        'nodescope pagecache: --top needs a whole number; see `nodescope pagecache --help`',
      ],
      [
        ['whence', 'no-such-container', '/etc'],
        1,
        'nodescope: no container "no-such-container" on this node (give an id, a unique id prefix, or a name)',
      ],
      [['layer', '/no/such/dir'], 1, 'nodescope: no such directory: /no/such/dir'],
    ] as [string[], number, string][]) {
      const r = nodescope(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.err, `${line}\n`, 'one line, not the usage text');
      assert.equal(r.out, '');
    }
  });

  it('a reader that stops early (| head) ends the output quietly: exit 0, no EPIPE stack trace', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${bin}" snapshot --json | head -c 10 >/dev/null`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('every verb takes --help and prints its own usage, exit 0', () => {
    const verbs = ['snapshot', 'watch', 'layer', 'whence', 'diff', 'pagecache', 'diagnose', 'enter', 'debug', 'limit', 'launch', 'stop'];
    for (const verb of verbs) {
      const r = nodescope([verb, '--help']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      assert.match(r.out, new RegExp(`^usage: nodescope \\[global options\\]\n  ${verb} `));
      // Its own usage only: no other verb's line (a verb's line starts two spaces in, its name, a space).
      for (const other of verbs.filter((v) => v !== verb))
        assert.doesNotMatch(r.out, new RegExp(`^  ${other} `, 'm'), `${verb}: its own usage only:\n${r.out}`);
    }
    assert.equal(nodescope(['help', 'whence']).out, nodescope(['whence', '--help']).out);
  });

  it('an id prefix of several containers lists them (name, id, engine) and exits 2; none is picked', () => {
    // The rig's containerd and Kubernetes containers both have ids starting "nodescope-rig-".
    const snap = JSON.parse(nodescope(['snapshot', '--json']).out) as Snapshot;
    const matching = snap.containers.filter((c) => c.id.startsWith('n'));
    assert.ok(matching.length >= 2, `the rig has ${matching.length} ids starting with n`);
    const r = nodescope(['whence', 'n', '/etc/passwd']);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '', 'nothing answered for a container picked at random');
    assert.match(r.err, new RegExp(`^nodescope: "n" matches ${matching.length} containers: .*; give more of the id\n$`));
    for (const c of matching) assert.ok(r.err.includes(`${c.name} (id ${c.id}, ${c.runtime})`), `${c.name} not listed: ${r.err}`);
  });

  it('whence says what its merged inode is, checked against stat in the container', () => {
    const w = nodescope(['whence', 'nodescope-rig-limited', '/etc/passwd']);
    assert.equal(w.code, 0, w.err);
    const ino = execFileSync('stat', ['-c', '%i', `/proc/${inspect('nodescope-rig-limited', '{{.State.Pid}}')}/root/etc/passwd`], {
      encoding: 'utf8',
    }).trim();
    assert.match(w.out, new RegExp(`^  inode +${ino} in the container's own view$`, 'm'));
    const gone = nodescope(['whence', 'nodescope-rig-limited', '/data/gone']);
    assert.match(gone.out, /^ {2}inode +none in the container's own view: the container does not see this path$/m);
    assert.match(gone.out, /^ {2}deleted by +lower #\d+ .*\(whiteout\)\n {2}still in +lower #\d+ /m);
    assert.doesNotMatch(gone.out + w.out, /\?/);
  });

  it('as a user sudo would ask for a password, says so in one line instead of hanging', () => {
    // nobody is not root, so the agent goes through `sudo -n`, which refuses without a password.
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath, cli, 'snapshot'],
      {
        cwd: '/tmp',
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stderr,
      'nodescope: agent on this machine stopped answering: sudo needs a password to run the agent as root; run `sudo -v` in a terminal first, or run as root\n',
    );
  });

  it('enter runs a command in the container, passing stdin, stdout and the exit code', () => {
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'hostname']).out.trim(), 'limited-host');
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(nodescope(['enter', 'nodescope-rig-limited', '--', 'cat'], 'through stdin\n').out, 'through stdin\n');
    // By id: a bare container is named by its command, and more than one "sleep" is about (a name two
    // containers share is refused as ambiguous).
    const bareId = (JSON.parse(nodescope(['snapshot', '--json']).out) as Snapshot).containers.find(
      (c) => c.initPid === Number(rig.BARE_PID),
    )?.id;
    assert.ok(bareId, `the rig's bare container (pid ${rig.BARE_PID})`);
    const bare = nodescope(['enter', bareId, '--', 'cat', '/etc/which']);
    assert.equal(bare.out.trim(), 'lower2', 'the bare container sees its own overlay root');
    const wrongPid = nodescope(['enter', 'nodescope-rig-limited', '--pid', String(process.pid), '--', 'true']);
    assert.equal(wrongPid.code, 1);
    assert.match(wrongPid.err, /is not in nodescope-rig-limited/);
  });

  it("enter without a command opens the container's shell on a terminal and exits with its code", () => {
    // util-linux script gives the CLI a terminal, so it takes the interactive path (raw mode, pty exec).
    const r = spawnSync('script', ['-qfec', `${process.execPath} ${cli} enter nodescope-rig-limited`, '/dev/null'], {
      input: 'hostname\nexit 3\n',
      encoding: 'utf8',
      timeout: 30_000,
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

/**
 * A bare container whose names are hostile, made here from real kernel objects: its init is a static
 * binary whose file name is EVIL (so its comm, and the container's name, is EVIL), started with
 * `exec -a EVIL` (its argv[0]), in a uts namespace whose hostname is one too; its image layer holds a
 * file named EVIL and one it deletes (a whiteout named EVIL in its upper layer), and it adds another.
 */
// Four digits of this run's pid keep two runs of this suite apart and the name within comm's 15 bytes.
const TAG = String(process.pid % 10000).padStart(4, '0');
const EVIL = `${TAG}\n\x1b[31mFAKE`;
/** How the CLI must show EVIL: escaped in place, on the line it belongs to. */
const SHOWN = `${TAG}\\n\\x1b[31mFAKE`;
/** Raw C0 (other than the lines' own newlines), DEL, C1 and bidi characters: none may reach the terminal. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertNoForgery(what: string, out: string): void {
  assert.doesNotMatch(out, RAW, `${what}: ${JSON.stringify(out.slice(0, 400))}`);
  // A forged line would begin with what followed the name's newline.
  for (const line of out.split('\n'))
    assert.ok(!line.includes('FAKE') || line.includes(SHOWN), `${what}: a line of its own: ${JSON.stringify(line)}`);
}

describe(
  'names from the node with newlines and terminal escapes',
  { skip: skip ?? skipUnlessReal(probes.command('gcc'), probes.command('busybox')) },
  () => {
    const dir = fs.mkdtempSync('/tmp/nodescope-cli-evil-');
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => path.join(dir, d));
    let launcher: ChildProcess | null = null;
    let id = '';
    let initPid = 0;

    before(async () => {
      for (const d of [lower, upper, work, merged]) fs.mkdirSync(d);
      for (const d of ['bin', 'proc', 'etc', 'tmp']) fs.mkdirSync(path.join(lower, d));
      fs.copyFileSync(execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim(), path.join(lower, 'bin', 'busybox'));
      fs.chmodSync(path.join(lower, 'bin', 'busybox'), 0o755);
      for (const a of ['sh', 'hostname', 'rm']) fs.symlinkSync('busybox', path.join(lower, 'bin', a));
      fs.writeFileSync(path.join(dir, 'pause.c'), '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n');
      execFileSync('gcc', ['-static', '-O2', '-o', path.join(lower, 'bin', EVIL), path.join(dir, 'pause.c')]);
      fs.writeFileSync(path.join(lower, 'etc', EVIL), 'in the image\n'.repeat(1000));
      fs.writeFileSync(path.join(lower, 'etc', `gone${EVIL}`), 'deleted by the container\n');
      execFileSync('mount', ['-t', 'overlay', 'nodescope-cli-evil', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
      const script = 'hostname "h$EVIL" && rm "/etc/gone$EVIL" && echo added > "/etc/new$EVIL" && exec -a "$EVIL" "/bin/$EVIL"';
      launcher = spawn(
        'unshare',
        ['--pid', '--mount', '--uts', '--ipc', '--fork', '--kill-child', `--root=${merged}`, '/bin/sh', '-c', script],
        {
          stdio: 'ignore',
          detached: true,
          env: { PATH: '/bin', EVIL },
        },
      );
      // Its init is unshare's child: found by its parent, not by its name (another run's may be about).
      const ppidOf = (pid: string): string | undefined => {
        try {
          return fs
            .readFileSync(`/proc/${pid}/stat`, 'utf8')
            .replace(/^.*\) /s, '')
            .split(' ')[1];
        } catch {
          return undefined; // exited meanwhile
        }
      };
      const childOf = (ppid: number): number =>
        Number(fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && ppidOf(p) === String(ppid)) ?? 0);
      for (let i = 0; i < 100 && !id; i++) {
        await new Promise((r) => setTimeout(r, 100));
        initPid ||= childOf(launcher.pid!);
        if (!initPid || fs.readFileSync(`/proc/${initPid}/comm`, 'utf8') !== `${EVIL}\n`) continue; // not exec'd yet
        const snap = JSON.parse(nodescope(['snapshot', '--json']).out) as Snapshot;
        id = snap.containers.find((x) => x.initPid === initPid)?.id ?? '';
      }
      assert.ok(id, `the container with the hostile name (init ${initPid}) did not show up`);
    });

    after(() => {
      // The init first (unshare --kill-child would also take it), then unshare's whole process group.
      for (const target of [initPid, -(launcher?.pid ?? 0)].filter(Boolean)) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      for (let i = 0; i < 50 && spawnSync('umount', [merged]).status !== 0; i++) execFileSync('sleep', ['0.1']);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the names are really there: the kernel holds them as given (comm, argv[0], hostname, the layers' file names)", () => {
      assert.equal(fs.readFileSync(`/proc/${initPid}/comm`, 'utf8'), `${EVIL}\n`);
      assert.equal(fs.readFileSync(`/proc/${initPid}/cmdline`, 'utf8'), `${EVIL}\0`);
      assert.equal(execFileSync('nsenter', ['-t', String(initPid), '--uts', 'hostname'], { encoding: 'utf8' }), `h${EVIL}\n`);
      assert.ok(fs.statSync(path.join(upper, 'etc', `gone${EVIL}`)).isCharacterDevice(), 'the whiteout');
    });

    it("snapshot: the container's name and hostname are shown escaped, in place", () => {
      const r = nodescope(['snapshot']);
      assert.equal(r.code, 0, r.err);
      assertNoForgery('snapshot', r.out);
      assert.ok(r.out.includes(`    ${SHOWN}  ${id}  pid ${initPid}  host h${SHOWN}`), r.out);
    });

    it('snapshot --json: the same names exactly, with nothing raw for a terminal', () => {
      const r = nodescope(['snapshot', '--json']);
      assert.equal(r.code, 0, r.err);
      assert.doesNotMatch(r.out, RAW);
      const c = (JSON.parse(r.out) as Snapshot).containers.find((x) => x.id === id)!;
      assert.deepEqual([c.name, c.hostname], [EVIL, `h${EVIL}`]);
    });

    it('diff, whence, layer and pagecache: file names escaped on their own lines', () => {
      const diff = nodescope(['diff', id]);
      assert.equal(diff.code, 0, diff.err);
      assertNoForgery('diff', diff.out);
      assert.ok(diff.out.split('\n').includes(`D /etc/gone${SHOWN}`), diff.out);
      assert.ok(diff.out.split('\n').includes(`A /etc/new${SHOWN}`), diff.out);

      const whence = nodescope(['whence', id, `/etc/${EVIL}`]);
      assert.equal(whence.code, 0, whence.err);
      assertNoForgery('whence', whence.out);
      assert.match(whence.out.split('\n')[0], new RegExp(`^/etc/${SHOWN.replace(/[\\[]/g, '\\$&')} in ${id}: visible \\(file\\)$`));

      const layer = nodescope(['layer', upper]);
      assert.equal(layer.code, 0, layer.err);
      assertNoForgery('layer', layer.out);
      assert.ok(layer.out.split('\n').includes(`  etc/gone${SHOWN}  [chardev]`), layer.out);

      execFileSync('cat', [path.join(merged, 'etc', EVIL)], { stdio: 'ignore' }); // resident in the page cache
      const pc = nodescope(['pagecache', id]);
      assert.equal(pc.code, 0, pc.err);
      assertNoForgery('pagecache', pc.out);
      assert.ok(pc.out.includes(SHOWN), pc.out);
    });

    it('launch --dry-run: the plan (or the refusal) shows argv[0] and the name escaped', () => {
      const r = nodescope(['launch', id, '--dry-run']);
      assertNoForgery('launch', r.out + r.err);
      assert.ok((r.out + r.err).includes(SHOWN), r.out + r.err);
    });

    it('an error that echoes a name prints it escaped, on one line', () => {
      const r = nodescope(['whence', `${EVIL}-nope`, '/etc']);
      assert.equal(r.code, 1);
      assert.equal(r.err, `nodescope: no container "${SHOWN}-nope" on this node (give an id, a unique id prefix, or a name)\n`);
      const u = nodescope([`${EVIL}`]);
      assert.equal(u.code, 2);
      assert.equal(u.err, `nodescope: unknown command "${SHOWN}"; see \`nodescope --help\`\n`);
    });
  },
);

if (inCI && skip) throw new Error(`CLI suite cannot run in CI: ${skip}`);
