/**
 * A read verb on several nodes: `--ssh` given more than once, or `--hosts PATTERN` (the SSH config's
 * Host names it matches). Nodes are connected and asked FLEET_CONCURRENCY at a time; each node's
 * output is kept and printed in the order the nodes were named, once all have answered:
 *  - `--json`: one document, {nodes: [{target, snapshot} | {target, result} | {target, error}]}
 *    (`snapshot` for the snapshot verb, `result` for the others);
 *  - text: a section a node, `==> target <==` (as `tail` heads files), its error there if it failed.
 * Exit 1 when any node failed; else the worst exit a node's run gave (`layers --ci` can give 1).
 * Nobody is asked anything on a fleet: a node that needs a password or an unknown key's confirmation
 * fails with that as its error, rather than prompts from eight nodes racing on one terminal.
 */
import { connectAgent } from '../connection/agentClient';
import { FLEET_CONCURRENCY, fanOut, hostsMatching } from '../connection/fleet';
import { readSshConfig } from '../connection/sshConfig';
import type { AgentClient } from '../connection/agentClient';
import type { Interaction } from '../connection/transport';
import { escapeControls, escapeControlsInJson } from '../../server/escapeControls';
import { AGENT_VERSION } from '../../server/version';
import { UsageError, type Command, type GlobalFlags } from './args';
import { openTransportFor } from './transportFor';

type ReadCommand = Exclude<Command, { name: 'help' | 'version' }>;

/** What a fleet may run: verbs that only read. A change goes to one node at a time, confirmed there. */
const FLEET_VERBS = new Set(['snapshot', 'layer', 'whence', 'diff', 'diagnose', 'pagecache', 'layers', 'ls', 'graph']);

/** The nodes the flags name: every --ssh, then the Host names --hosts matches, each once. */
export function fleetTargets(global: GlobalFlags): string[] {
  const named = [...(global.ssh ? [global.ssh] : []), ...(global.alsoSsh ?? [])];
  const matched = global.hosts === undefined ? [] : hostsMatching(readSshConfig(), global.hosts);
  if (global.hosts !== undefined && !matched.length)
    throw new UsageError(`--hosts ${global.hosts} matches no Host name in the SSH config (~/.ssh/config, /etc/ssh/ssh_config)`);
  return [...new Set([...named, ...matched])];
}

/** Asks nobody; logs go to stderr with the node's name in front. */
function fleetInteraction(target: string, verbose: boolean): Interaction {
  return {
    confirmHostKey: async () => false,
    askPassword: async () => undefined,
    askPassphrase: async () => undefined,
    keyboardInteractive: async () => undefined,
    log: (level, message) => {
      if (verbose || level !== 'info') process.stderr.write(`nodescope: ${escapeControls(`${target}: ${message}`)}\n`);
    },
  };
}

/**
 * Runs `cmd` on every node of the fleet through `runOne` (the CLI's own verb runner, writing to the
 * `out` it is given); prints the results as said above and returns the exit code.
 */
export async function runFleet(
  global: GlobalFlags,
  targets: string[],
  cmd: ReadCommand,
  runOne: (client: AgentClient, cmd: ReadCommand, out: (text: string) => void) => Promise<number>,
): Promise<number> {
  if (!FLEET_VERBS.has(cmd.name)) throw new UsageError(`${cmd.name} changes or enters one node: give one --ssh`, cmd.name);
  if (cmd.name === 'layers' && cmd.ci) throw new UsageError('--ci runs on one node: give one --ssh', cmd.name);
  const verbose = process.env.NODESCOPE_VERBOSE === '1';
  const results = await fanOut(targets, FLEET_CONCURRENCY, async (target) => {
    const transport = await openTransportFor(
      { ...global, ssh: target, alsoSsh: undefined, hosts: undefined },
      fleetInteraction(target, verbose),
    );
    const client = await connectAgent(transport, { clientVersion: AGENT_VERSION });
    try {
      let text = '';
      const code = await runOne(client, cmd, (t) => (text += t));
      return { code, text };
    } finally {
      await client.close();
    }
  });
  const json = 'json' in cmd && cmd.json;
  if (json) {
    const key = cmd.name === 'snapshot' ? 'snapshot' : 'result';
    // Each node's document was printed (escaped) by runOne; parsed back, it goes in whole.
    const nodes = results.map((r) => ('error' in r ? r : { target: r.target, [key]: JSON.parse(r.value.text) as unknown }));
    process.stdout.write(`${escapeControlsInJson(JSON.stringify({ nodes }, null, 2))}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(`==> ${escapeControls(r.target)} <==\n`);
      process.stdout.write('error' in r ? `error: ${escapeControls(r.error)}\n` : r.value.text);
      process.stdout.write('\n');
    }
  }
  for (const r of results) if ('error' in r) process.stderr.write(`nodescope: ${escapeControls(`${r.target}: ${r.error}`)}\n`);
  if (results.some((r) => 'error' in r)) return 1;
  return Math.max(0, ...results.map((r) => ('value' in r ? r.value.code : 1)));
}
