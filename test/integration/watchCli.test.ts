/**
 * `nodescope watch` (issue 14): one line per change, as `docker events` prints them but for the whole node.
 * Its loop (src/cli/watchNode.ts) runs here against a real agent from source, while this test changes the
 * node with the real tools: docker run, docker update (a limit), docker rm, ip netns add and delete. Each
 * line is checked against what the tool was told or what docker inspect and stat(2) say, in text and JSON.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { openLocalTransport } from '../../src/connection/localTransport';
import { connectAgent, type AgentConnection } from '../../src/connection/agentClient';
import { watchNode } from '../../src/cli/watchNode';
import type { WatchEvent } from '../../src/cli/watchEvents';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('ip'));
const repo = path.resolve(__dirname, '..', '..');
const tag = `h6w${process.pid}`;
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function watching(json: boolean): Promise<{ client: AgentConnection; lines: string[] }> {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim();
  const transport = await openLocalTransport({ agentPath: path.join(repo, 'server', 'agent.ts'), useSudo: 'never' });
  // The agent from source compiles as it starts: on a loaded machine that takes longer than a bundle's start.
  const client = await connectAgent(transport, { watchIntervalMs: 2000, deadlines: { initialize: 120_000, snapshot: 120_000 } });
  const lines: string[] = [];
  await new Promise<void>((ready) => void watchNode(client, json, { line: (l) => lines.push(l), ready }));
  return { client, lines };
}

describe('nodescope watch', { skip, timeout: 300_000 }, () => {
  const clients: AgentConnection[] = [];

  after(async () => {
    for (const name of [`${tag}-text`, `${tag}-json`]) {
      try {
        execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      } catch {
        /* gone */
      }
    }
    try {
      execFileSync('ip', ['netns', 'delete', tag], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
    for (const c of clients) await c.close();
  });

  it('prints a line for a container started, a limit changed, a container stopped, a netns added and deleted', async () => {
    const { client, lines } = await watching(false);
    clients.push(client);
    const name = `${tag}-text`;
    const id = docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      name,
      '--label',
      'nodescope.rig=1',
      'nodescope-rig/base:1',
      'sleep',
      '600',
    );
    const short = id.slice(0, 12);
    const started = await until('a start line', () => lines.find((l) => l.includes('container started') && l.includes(name)));
    assert.match(
      started,
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d+ container started  ${name} \\(${short}, docker\\) image nodescope-rig/base:1$`),
    );
    docker('update', '--memory', '64m', '--memory-swap', '64m', id);
    const limitLine = await until('a limit line', () => lines.find((l) => l.includes('limit changed') && l.includes(name)), 60_000);
    assert.match(limitLine, /memory unlimited -> 64\.0 MiB$/);
    docker('rm', '-f', id);
    await until('a stop line', () => lines.find((l) => l.includes('container stopped') && l.includes(name)));
    execFileSync('ip', ['netns', 'add', tag]);
    const ino = fs.statSync(`/run/netns/${tag}`).ino;
    const nsLine = await until('a netns line', () => lines.find((l) => l.includes(`namespace appeared net:[${ino}]`)));
    assert.match(nsLine, new RegExp(`held by .*/run/netns/${tag}`));
    execFileSync('ip', ['netns', 'delete', tag]);
    await until('a netns gone line', () => lines.find((l) => l.includes(`namespace vanished net:[${ino}]`)));
  });

  it('--json: one object a line, with the container as docker names it', async () => {
    const { client, lines } = await watching(true);
    clients.push(client);
    const name = `${tag}-json`;
    const id = docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      name,
      '--label',
      'nodescope.rig=1',
      'nodescope-rig/base:1',
      'sleep',
      '600',
    );
    const events = (): WatchEvent[] => lines.map((l) => JSON.parse(l) as WatchEvent);
    const start = await until('a start event', () => events().find((e) => e.kind === 'container.start' && e.container?.id === id));
    assert.equal(start.container!.name, name);
    assert.equal(start.container!.runtime, 'docker');
    assert.ok(!Number.isNaN(Date.parse(start.time)));
    docker('rm', '-f', id);
    await until('a stop event', () => events().find((e) => e.kind === 'container.stop' && e.container?.id === id));
  });
});
