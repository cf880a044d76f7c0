/**
 * The `nodescope` CLI and the agent process as users run them (dist/ bundles), checked against docker
 * inspect, find and the JSON Schema; plus the agent's lifetime and its change notifications.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { inCI, probes, rigUp, skipUnlessReal } from '../support/real';
import { openLocalTransport } from '../../src/connection/localTransport';
import { connectAgent } from '../../src/connection/agentClient';
import type { ChangedNotification, LayerScan, Snapshot, Whence } from '../../server/protocol';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const agent = path.join(repo, 'dist', 'agent.js');
const built = (): string | null => (fs.existsSync(cli) && fs.existsSync(agent) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);

function nodescope(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28, timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
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

describe('the agent process', { skip }, () => {
  const started: string[] = [];
  after(() => {
    for (const name of started) spawnSync('docker', ['rm', '-f', name]);
  });

  it('exits when its stdin closes, leaving no root process behind', async () => {
    const child = spawn(process.execPath, [agent], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise((r) => child.stderr.once('data', r));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdin.end();
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 3000))]);
    assert.equal(code, 0);
    assert.equal(fs.existsSync(`/proc/${child.pid}`), false);
  });

  it('refuses requests before the handshake and answers a version mismatch with one line', async () => {
    const t = await openLocalTransport({ agentPath: agent });
    const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = await import('vscode-jsonrpc/node');
    const c = createMessageConnection(new StreamMessageReader(t.reader), new StreamMessageWriter(t.writer));
    c.listen();
    await assert.rejects(c.sendRequest('snapshot', {}), /call initialize before snapshot/);
    await assert.rejects(c.sendRequest('initialize', { protocolVersion: 999, clientVersion: 'x' }), /agent speaks protocol 1, client 999/);
    c.dispose();
    await t.close();
  });

  it('pushes a change notification when a container starts, without being asked', async () => {
    const client = await connectAgent(await openLocalTransport({ agentPath: agent }), { watchIntervalMs: 300 });
    const name = `nodescope-cli-watch-${process.pid}`;
    started.push(name);
    const seen = new Promise<ChangedNotification>((resolve) =>
      client.onChanged((n) => {
        if (n.containersUpserted.some((c) => c.name === name)) resolve(n);
      }),
    );
    execFileSync('docker', ['run', '-d', '--name', name, '--network', 'none', '--label', 'nodescope.test=1', 'nodescope-rig/base:1', 'sleep', '300']);
    const n = await Promise.race([seen, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    assert.ok(n, 'no notification within 15 s');
    assert.equal(n.containersUpserted.find((c) => c.name === name)!.id, inspect(name, '{{.Id}}'));
    execFileSync('docker', ['rm', '-f', name]);
    const gone = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 15_000);
      client.onChanged((m) => {
        if (m.containersRemoved.includes(n.containersUpserted.find((c) => c.name === name)!.id)) {
          clearTimeout(t);
          resolve(true);
        }
      });
    });
    assert.ok(gone, 'removal notified');
    await client.close();
  });
});

if (inCI && skip) throw new Error(`CLI suite cannot run in CI: ${skip}`);
