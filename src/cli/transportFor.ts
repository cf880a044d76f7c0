/**
 * Which transport the CLI's flags ask for: this machine by default, a node over SSH with --ssh.
 * SSH settings come from the user's ~/.ssh/config for that host, overridden by the flags.
 */
import type { GlobalFlags } from './args';
import { cliInteraction } from './interaction';
import { openLocalTransport } from '../connection/localTransport';
import { openSshTransport } from '../connection/sshTransport';
import { parseSshDestination, readSshConfig, resolveHost, type SshTarget } from '../connection/sshConfig';
import type { AgentTransport, Interaction } from '../connection/transport';

function targetFor(dest: string): SshTarget {
  const d = parseSshDestination(dest);
  const fromConfig = resolveHost(readSshConfig(), d.host);
  return { ...fromConfig, user: d.user ?? fromConfig.user, port: d.port ?? fromConfig.port };
}

/** `interaction`: how to ask and log; the terminal's by default (a fleet gives each node its own). */
export async function openTransportFor(
  global: GlobalFlags,
  interaction: Interaction = cliInteraction(process.env.NODESCOPE_VERBOSE === '1'),
): Promise<AgentTransport> {
  if (!global.ssh) return openLocalTransport();
  const target = targetFor(global.ssh);
  if (global.identity.length) target.identityFiles = global.identity;
  if (global.knownHosts.length) target.knownHostsFiles = global.knownHosts;
  if (global.jump.length) target.jump = global.jump.map(targetFor);
  return openSshTransport(target, interaction, {
    acceptNewHostKey: global.acceptNewHostKey,
    remoteNodePath: process.env.NODESCOPE_REMOTE_NODE,
    nodeRuntime: process.env.NODESCOPE_NODE_RUNTIME,
  });
}
