/**
 * Issue 8, escape 1: an unprivileged user makes a user and mount namespace, covers a host directory with
 * a tmpfs of its own there, and mounts an overlay whose lowerdir names that directory. The string in its
 * mountinfo then reads like a host path, and launch used to mount the host's directory (root's 0600
 * secret included) under a container running the user's command as uid 0. Here the trap is set for real
 * (setpriv to uid 65534, unshare -Urm, tmpfs, overlay, chroot), once naming a directory under /root and
 * once naming a real Docker layer directory, a path under a trusted storage root that the attacker covers
 * in its own namespace. Facts are read here from the kernel (mountinfo, ns links, mount table) and from
 * `docker inspect`, never from the agent's own answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { ErrorCodes } from '../../server/protocol';
import { LAUNCH_ROOT } from '../../server/act/launchBundle';
import { containerLayers } from '../../server/discover/engines/docker';
import { renderLaunch } from '../../src/cli/render';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { refusal, refusalLater } from '../support/refusal';

const skip = skipUnlessReal(
  probes.root,
  probes.docker,
  probes.command('runc'),
  probes.command('unshare'),
  probes.command('setpriv'),
  probes.command('busybox'),
);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NOBODY = 65534;
const nsInode = (pid: number | 'self', type: string): number => fs.statSync(`/proc/${pid}/ns/${type}`).ino;
const lowerdirOf = (pid: number): string | null => {
  for (const line of fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (left?.split(' ')[4] === '/' && right?.startsWith('overlay ')) return /lowerdir=([^,]+)/.exec(right)?.[1] ?? null;
  }
  return null;
};
const mountedAt = (dir: string): boolean =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inspect = (name: string): any => JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
/** Docker's data root as dockerd reports it, for reading its record of a container's layers. */
const dockerRoot = (): string => execFileSync('docker', ['info', '--format', '{{.DockerRootDir}}'], { encoding: 'utf8' }).trim();

interface Trap {
  child: ChildProcess;
  pid: number;
  id: string;
  work: string;
}

/**
 * The trap as uid 65534: `cover` is the directory it mounts a tmpfs on in its own namespace,
 * `named` the directory it creates there and puts under its busybox layer. Resolves once the init has
 * exec'd into the chroot and its root is that overlay.
 */
async function setTrap(cover: string, named: string): Promise<Trap> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-trap-'));
  fs.chmodSync(work, 0o755);
  for (const d of ['bb', 'mnt']) fs.mkdirSync(path.join(work, d));
  fs.copyFileSync(execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim(), path.join(work, 'bb', 'busybox'));
  fs.chmodSync(path.join(work, 'bb', 'busybox'), 0o755);
  for (const d of ['', 'bb', 'mnt']) fs.chownSync(path.join(work, d), NOBODY, NOBODY);
  const script = [
    `mount -t tmpfs t ${cover}`,
    `mkdir -p ${named}`,
    `echo attacker > ${named}/mine`,
    `mount -t overlay o -o lowerdir=${work}/bb:${named} ${work}/mnt`,
    `exec chroot ${work}/mnt /busybox sh -c "while :; do /busybox sleep 5; done"`,
  ].join('; ');
  const child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'unshare', '-Urm', 'sh', '-c', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const pid = child.pid!;
  for (let i = 0; i < 100; i++) {
    if (lowerdirOf(pid)?.endsWith(`:${named}`) && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'busybox') break;
    await sleep(50);
  }
  assert.equal(lowerdirOf(pid), `${work}/bb:${named}`, `the trap is set (stderr: ${stderr})`);
  return { child, pid, id: `bare-${pid}-${nsInode(pid, 'pid')}`, work };
}

function removeTrap(t: Trap | undefined): void {
  if (!t) return;
  t.child.kill('SIGKILL');
  fs.rmSync(t.work, { recursive: true, force: true });
}

describe('launch mounts no host directory an unprivileged user names (issue 8, escape 1)', { skip }, () => {
  const secretDir = `/root/nodescope-trap-${process.pid}`;
  const NAME = `nodescope-trap-${process.pid}`;
  const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-trap-audit-'));
  const agent = new AgentMethods();
  let trap: Trap | undefined;
  let forged: Trap | undefined;
  let dockerLayer: string;

  before(async () => {
    rigUp();
    process.env.NODESCOPE_AUDIT_LOG = path.join(auditDir, 'audit.log');
    fs.mkdirSync(path.join(secretDir, 's'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(secretDir, 's', 'secret.txt'), 'host secret\n', { mode: 0o600 });
    trap = await setTrap('/root', `${secretDir}/s`);
    // A real Docker layer directory, named by a string the attacker makes resolve to its own tmpfs.
    dockerLayer = inspect('nodescope-rig-limited').GraphDriver.Data.LowerDir.split(':').at(-1);
    forged = await setTrap('/var/lib/docker', dockerLayer);
  });
  after(() => {
    removeTrap(trap);
    removeTrap(forged);
    spawnSync('runc', ['delete', '--force', NAME]);
    if (mountedAt(path.join(LAUNCH_ROOT, NAME, 'rootfs'))) spawnSync('umount', [path.join(LAUNCH_ROOT, NAME, 'rootfs')]);
    if (mountedAt(path.join(LAUNCH_ROOT, NAME, 'rw'))) spawnSync('umount', [path.join(LAUNCH_ROOT, NAME, 'rw')]);
    fs.rmSync(path.join(LAUNCH_ROOT, NAME), { recursive: true, force: true });
    fs.rmSync(secretDir, { recursive: true, force: true });
    fs.rmSync(auditDir, { recursive: true, force: true });
    delete process.env.NODESCOPE_AUDIT_LOG;
  });

  it('the trap runs as uid 65534 in a user namespace of its own, and its overlay names the host directory', () => {
    const status = fs.readFileSync(`/proc/${trap!.pid}/status`, 'utf8');
    assert.match(status, new RegExp(`^Uid:\\s+${NOBODY}\\s`, 'm'));
    assert.notEqual(nsInode(trap!.pid, 'user'), nsInode('self', 'user'));
    assert.ok(fs.existsSync(`${secretDir}/s/secret.txt`), 'the host directory exists on the host');
  });

  it('the snapshot does not report the strings as host paths, and says why', () => {
    const snap = agent.snapshot();
    for (const t of [trap!, forged!]) {
      const c = snap.containers.find((x) => x.initPid === t.pid);
      assert.ok(c, `the trap ${t.pid} is listed`);
      assert.equal(c.id, t.id);
      assert.deepEqual(
        c.rootfs!.layers.map((l) => l.path),
        lowerdirOf(t.pid)!.split(':'),
        'the strings as its mountinfo shows them',
      );
      for (const l of c.rootfs!.layers) {
        assert.equal(l.hostPath, null, `${l.path} is not a host path`);
        assert.match(l.unverified ?? '', /user namespace of its own, and no engine's record of this container names its layers/);
      }
      assert.ok(!snap.layers.some((l) => l.usedBy.includes(c.id)), "none of its layers is in the node's layer list");
    }
    assert.ok(!snap.layers.some((l) => l.path.startsWith(secretDir)), `${secretDir}/s is not a layer of the node`);
  });

  it('launch is refused in one line, dry run or not, and nothing is left behind', async () => {
    for (const t of [trap!, forged!]) {
      for (const dryRun of [true, false]) {
        const r = await refusalLater(() =>
          agent.dispatch('launch.start', { from: t.id, name: NAME, command: ['/busybox', 'cat', '/secret.txt'], dryRun }),
        );
        assert.equal(r.code, ErrorCodes.NotPermitted);
        assert.match(
          r.message,
          new RegExp(`^refusing to launch from busybox: its layer "${t.work}/bb" is not verified as a directory on the host \\(.+\\)$`),
        );
        assert.ok(!r.message.includes('\n'), 'one line');
        assert.equal(fs.existsSync(path.join(LAUNCH_ROOT, NAME)), false, 'no bundle');
        assert.equal(mountedAt(path.join(LAUNCH_ROOT, NAME, 'rootfs')), false, 'no overlay mounted');
        assert.equal(spawnSync('runc', ['state', NAME]).status !== 0, true, 'no runc container');
        const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
        assert.ok(
          !mounts.includes(`${secretDir}/s`) && !mounts.includes(`lowerdir=${dockerLayer}`),
          'no mount of the named directories on the host',
        );
      }
    }
  });

  it('whence and the page cache do not read the named directories on the host either', () => {
    for (const t of [trap!, forged!]) {
      for (const [method, params] of [
        ['whence', { container: t.id, path: '/secret.txt' }],
        ['pagecache', { target: t.id }],
      ] as const) {
        const r = refusal(() => agent.dispatch(method, params));
        assert.equal(r.code, ErrorCodes.NotPermitted, method);
        assert.match(
          r.message,
          new RegExp(`^busybox's layers are not read here: its layer "${t.work}/bb" is not verified as a directory on the host \\(.+\\)$`),
          method,
        );
      }
    }
  });

  it('the forged Docker path is a real Docker layer on the host: the storage root alone does not make it trusted', () => {
    assert.ok(fs.statSync(dockerLayer).isDirectory(), 'it exists on the host');
    // Docker's own record of a container answers only for its own process, not for a process that claims it.
    const limited = inspect('nodescope-rig-limited');
    assert.equal(containerLayers(dockerRoot(), limited.Id, forged!.pid), null);
  });
});

describe("a real Docker container's layers are verified, and launch mounts exactly those", { skip }, () => {
  const agent = new AgentMethods();
  before(() => rigUp());

  it("each rig container's layers are its GraphDriver directories (docker inspect), verified on the host", () => {
    const snap = agent.snapshot();
    for (const name of ['nodescope-rig-limited', 'nodescope-rig-readonly', 'nodescope-rig-hostpid']) {
      const di = inspect(name);
      const graph = [di.GraphDriver.Data.UpperDir, ...di.GraphDriver.Data.LowerDir.split(':')];
      const c = snap.containers.find((x) => x.id === di.Id);
      assert.ok(c, name);
      assert.deepEqual(
        c.rootfs!.layers.map((l) => l.hostPath),
        graph,
        `${name}: every layer verified, as Docker names them`,
      );
      assert.ok(c.rootfs!.layers.every((l) => l.unverified === null));
      for (const dir of graph)
        assert.ok(
          snap.layers.some((l) => l.path === dir && l.usedBy.includes(di.Id)),
          `${dir} in the node's layers`,
        );
      // Docker's record as read for a container in a user namespace: the same directories, for its own pid only.
      assert.deepEqual(containerLayers(dockerRoot(), di.Id, di.State.Pid), {
        layers: graph,
        source: `${path.dirname(di.GraphDriver.Data.UpperDir)}/lower`,
      });
      assert.equal(containerLayers(dockerRoot(), di.Id, di.State.Pid + 1), null);
    }
  });

  it("the launch plan shows the layer directories it will mount: the source's lower layers (docker inspect)", async () => {
    const di = inspect('nodescope-rig-limited');
    const plan = await agent.dispatch('launch.start', {
      from: 'nodescope-rig-limited',
      name: `nodescope-trapcheck-${process.pid}`,
      dryRun: true,
      command: ['true'],
    });
    assert.deepEqual(plan.lowerdirs, di.GraphDriver.Data.LowerDir.split(':'));
    const text = renderLaunch(plan);
    for (const [i, d] of plan.lowerdirs.entries())
      assert.ok(text.split('\n').includes(`  layer ${String(i).padEnd(3)}${d}`), `plan shows ${d}`);
    // The confirmed plan's layers go back with the launch: other layers than those shown are refused.
    const again = { from: 'nodescope-rig-limited', name: plan.name, dryRun: true, command: ['true'] };
    assert.deepEqual((await agent.dispatch('launch.start', { ...again, lowerdirs: plan.lowerdirs })).lowerdirs, plan.lowerdirs);
    const moved = await refusalLater(() => agent.dispatch('launch.start', { ...again, lowerdirs: [...plan.lowerdirs].reverse() }));
    assert.equal(moved.code, ErrorCodes.Gone);
    assert.match(moved.message, /^nodescope-rig-limited's layers are not the ones the plan showed/);
  });
});

describe("a bare overlay root made outside the engines' storage roots (the rig's)", { skip }, () => {
  const agent = new AgentMethods();
  let pid: number;
  before(() => {
    pid = Number(rigUp().BARE_PID);
  });

  it('is not launched from, and says why; its layers are still read, as root set them up', async () => {
    const c = agent.snapshot().containers.find((x) => x.initPid === pid)!;
    assert.equal(nsInode(pid, 'user'), nsInode('self', 'user'), 'the initial user namespace');
    const upper = /upperdir=([^,]+)/.exec(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'))![1];
    assert.equal(c.rootfs!.layers[0].path, upper);
    assert.ok(c.rootfs!.layers.every((l) => l.hostPath === null && l.unverified === "not under an engine's storage root"));
    const r = await refusalLater(() => agent.dispatch('launch.start', { from: c.id, dryRun: true, command: ['true'] }));
    assert.equal(
      r.message,
      `refusing to launch from ${c.name}: its layer ${JSON.stringify(c.rootfs!.layers[1].path)} is not verified as a directory on the host (not under an engine's storage root)`,
    );
    assert.equal(agent.dispatch('whence', { container: c.id, path: '/etc/which' }).container, c.id, 'answered, not refused');
  });
});
