/**
 * A node session against the real local agent and Docker engine: the model follows containers started
 * and removed (checked against docker inspect), a killed agent is reconnected to (a new agent process,
 * checked in /proc), and Disconnect ends the agent process.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { openLocalTransport } from '../../src/connection/localTransport';
import { NodeSession } from '../../src/model/nodeSession';

const agentPath = path.resolve(__dirname, '..', '..', 'dist', 'agent-bundle', 'agent.js');
const built = (): string | null => (fs.existsSync(agentPath) ? null : 'needs dist/agent-bundle (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);
const NAME = `nodescope-ext-session-${process.pid}`;

const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(safeRead(`/proc/${pid}/status`));
function safeRead(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('node session on this machine', { skip, timeout: 90_000 }, () => {
  const states: string[] = [];
  const session = new NodeSession('local', 'This machine', 'local', () => openLocalTransport({ agentPath, useSudo: 'never' }), {
    watchIntervalMs: 300,
    maxReconnectAttempts: 3,
    clientVersion: 'test',
    baseDelayMs: 100,
  });
  session.onDidChangeState(() => states.push(session.state));
  after(async () => {
    execFileSync('docker', ['rm', '-f', NAME], { stdio: 'ignore' });
    await session.disconnect();
  });

  it('connects and follows a container started and removed after the first snapshot', async () => {
    await session.connect();
    assert.equal(session.state, 'connected');
    const agentPid = session.agent!.info.pid;
    assert.match(safeRead(`/proc/${agentPid}/cmdline`), /agent\.js/, 'the agent is a real process on this machine');

    const id = execFileSync('docker', ['run', '-d', '--network', 'none', '--name', NAME, 'nodescope-rig/base:1', 'sleep', '300'], {
      encoding: 'utf8',
    }).trim();
    await until('the started container in the model', () => session.model.container(id) !== undefined);
    const initPid = Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', id], { encoding: 'utf8' }).trim());
    assert.equal(session.model.container(id)!.initPid, initPid);
    assert.equal(session.model.container(id)!.name, NAME);

    execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    await until('the removed container leaving the model', () => session.model.container(id) === undefined);
  });

  it('reconnects to a new agent when the agent dies, and Disconnect ends the agent', async () => {
    const first = session.agent!.info.pid;
    states.length = 0;
    process.kill(first, 'SIGKILL');
    await until('a reconnect', () => session.state === 'connected' && session.agent !== null && session.agent.info.pid !== first);
    assert.deepEqual(states.slice(0, 2), ['disconnected', 'reconnecting'], 'the drop is shown before the retry');
    assert.ok(!alive(first));
    assert.ok(session.model.snapshot!.containers.length > 0, 'a fresh snapshot came with the new agent');

    const second = session.agent!.info.pid;
    await session.disconnect();
    assert.equal(session.state, 'disconnected');
    assert.equal(session.reason, null, 'a disconnect the user asked for is not a failure');
    await until('the agent to exit', () => !alive(second), 5000);
  });
});
