/**
 * Which transport the CLI's flags ask for: this machine by default, a node over SSH with --ssh.
 */
import type { GlobalFlags } from './args';
import { openLocalTransport } from '../connection/localTransport';
import type { AgentTransport } from '../connection/transport';

export async function openTransportFor(global: GlobalFlags): Promise<AgentTransport> {
  if (!global.ssh) return openLocalTransport();
  throw new Error('--ssh is not available in this build');
}
