/**
 * Over SSH, on loopback against a real sshd: connect + deploy + first snapshot with nothing cached on the
 * node, the same with the agent already deployed, and a snapshot round trip over SSH against the same
 * request to a local agent (both clients already connected).
 */
import * as fs from 'fs';
import * as path from 'path';
import { startSshd } from '../test/support/sshd';
import { openSshTransport } from '../src/connection/sshTransport';
import { openLocalTransport } from '../src/connection/localTransport';
import { connectAgent } from '../src/connection/agentClient';
import type { Interaction } from '../src/connection/transport';
import { timeAsync, report, ratioLine } from './measure';

const quiet: Interaction = {
  confirmHostKey: async () => false,
  askPassword: async () => undefined,
  askPassphrase: async () => undefined,
  keyboardInteractive: async () => undefined,
  log: () => undefined,
};

export async function benchSsh(repo: string, runs: number): Promise<void> {
  const bundle = path.join(repo, 'dist', 'agent-bundle');
  const { version } = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as { version: string };
  const sshd = await startSshd();
  try {
    const target = {
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      identityFiles: [sshd.clientKey],
      knownHostsFiles: [sshd.knownHosts],
      agentSocket: null,
    };
    const session = async (): Promise<void> => {
      const c = await connectAgent(await openSshTransport(target, quiet, { agentBundleDir: bundle }));
      await c.request('snapshot', {});
      await c.close();
    };
    const cold = await timeAsync(
      'ssh: connect + deploy + first snapshot (cold)',
      async () => {
        fs.rmSync(`/root/.cache/nodescope/${version}`, { recursive: true, force: true });
        await session();
      },
      runs,
      false,
    );
    const warm = await timeAsync('ssh: connect + first snapshot (agent deployed)', session, runs);
    console.log(report(cold));
    console.log(report(warm));

    const remote = await connectAgent(await openSshTransport(target, quiet, { agentBundleDir: bundle }));
    const local = await connectAgent(await openLocalTransport({ agentPath: path.join(bundle, 'agent.js') }));
    const overSsh = await timeAsync('snapshot round trip over SSH', async () => void (await remote.request('snapshot', {})), runs);
    const onNode = await timeAsync('snapshot round trip, local agent', async () => void (await local.request('snapshot', {})), runs);
    await remote.close();
    await local.close();
    console.log(report(overSsh));
    console.log(report(onNode));
    console.log(ratioLine('snapshot over SSH / local', overSsh, onNode));
  } finally {
    sshd.dispose();
  }
}
