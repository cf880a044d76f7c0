/**
 * A fleet (issue 15), on 10 test nodes (test/support/testNodes.ts: each its own network, PID and mount
 * namespaces and sshd, reached by ProxyCommand):
 *  - connecting all 10 (connect + agent start, deployed already) FLEET_CONCURRENCY at a time, against one
 *    after another;
 *  - a snapshot from each of the 10 fanned out over connected agents, against the anchor a person would
 *    script: a `for` loop of `ssh NODE lsns -J` (OpenSSH through the same ProxyCommand and key).
 */
import { execFileSync } from 'child_process';
import { startTestNodes } from '../test/support/testNodes';
import { openSshTransport } from '../src/connection/sshTransport';
import { connectAgent, type AgentClient } from '../src/connection/agentClient';
import { FLEET_CONCURRENCY, fanOut, type FleetResult } from '../src/connection/fleet';
import { readSshConfig, resolveHost } from '../src/connection/sshConfig';
import type { Interaction } from '../src/connection/transport';
import { timeAsync, report, ratioLine } from './measure';

const quiet: Interaction = {
  confirmHostKey: async () => false,
  askPassword: async () => undefined,
  askPassphrase: async () => undefined,
  keyboardInteractive: async () => undefined,
  log: () => undefined,
};

const NODES = 10;

export async function benchFleet(runs: number): Promise<void> {
  const set = await startTestNodes(NODES, { prefix: 'bnode' });
  try {
    const cfg = readSshConfig([set.sshConfig]);
    const names = set.nodes.map((n) => n.name);
    const connect = async (name: string): Promise<AgentClient> =>
      connectAgent(await openSshTransport({ ...resolveHost(cfg, name), agentSocket: null }, quiet));
    const closeAll = async (clients: AgentClient[]): Promise<void> => void (await Promise.all(clients.map((c) => c.close())));
    const failed = (r: FleetResult<unknown>[]): string[] => r.flatMap((x) => ('error' in x ? [`${x.target}: ${x.error}`] : []));

    const together = await timeAsync(
      `fleet: connect ${NODES} nodes, ${FLEET_CONCURRENCY} at a time`,
      async () => {
        const r = await fanOut(names, FLEET_CONCURRENCY, connect);
        if (failed(r).length) throw new Error(`could not connect ${failed(r).join('; ')}`);
        await closeAll(r.map((x) => (x as { value: AgentClient }).value));
      },
      runs,
    );
    const inTurn = await timeAsync(
      `fleet: connect ${NODES} nodes one after another`,
      async () => {
        const clients: AgentClient[] = [];
        for (const n of names) clients.push(await connect(n));
        await closeAll(clients);
      },
      runs,
    );
    console.log(report(together));
    console.log(report(inTurn));
    console.log(ratioLine(`connect ${NODES}: together / one after another`, together, inTurn));

    const clients = (await fanOut(names, FLEET_CONCURRENCY, connect)).map((x) => (x as { value: AgentClient }).value);
    try {
      const fanned = await timeAsync(
        `fleet: snapshot of ${NODES} nodes, fanned out`,
        async () => void (await fanOut(names, FLEET_CONCURRENCY, (n) => clients[names.indexOf(n)].request('snapshot', {}))),
        runs,
      );
      const ssh = ['-F', set.sshConfig, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
      const loop = await timeAsync(
        `anchor: for NODE in ${NODES} nodes; ssh NODE lsns -J`,
        async () => {
          for (const n of names) execFileSync('ssh', [...ssh, n, 'lsns', '-J'], { stdio: ['ignore', 'ignore', 'pipe'] });
        },
        runs,
      );
      console.log(report(fanned));
      console.log(report(loop));
      console.log(ratioLine(`snapshot fan-out / for-loop of ssh lsns -J`, fanned, loop));
    } finally {
      await closeAll(clients);
    }
  } finally {
    set.dispose();
  }
}
