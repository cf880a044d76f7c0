/**
 * `nodescope`: the command line. The same connection code as the extension (src/connection/), so what
 * the CLI prints is what the extension shows.
 *
 * Exit codes: 0 success, 2 usage error (an ambiguous CONTAINER too: the person must say which), 1
 * anything else; errors are one line on stderr, with a pointer to the verb's usage for usage errors. A
 * stack trace appears only with NODESCOPE_DEBUG=1. Everything printed that came from the node goes
 * through escapeControls (text) or escapeControlsInJson (--json): names there are the node's to choose.
 */
import * as path from 'path';
import { isRelativeDir, parseArgs, usageOf, UsageError, type Command, type GlobalFlags } from './cli/args';
import { renderDiff, renderLaunch, renderLayer, renderLimit, renderPageCache, renderSnapshot, renderWhence } from './cli/render';
import { pinLaunch } from './cli/launchPin';
import { askYesNo } from './cli/interaction';
import { renderLayerReport, renderListing } from './cli/renderLayers';
import { renderDiagnose } from './cli/renderDiagnose';
import { watchNode } from './cli/watchNode';
import { brokenRules } from './cli/layerOptions';
import { formatBytes } from '../server/units';
import { buildLayerGraph } from './model/graph/layerGraph';
import { buildNamespaceGraph } from './model/graph/namespaceGraph';
import { toDot } from './model/graph/dot';
import { shellExitCode } from './terminal/ptyOutput';
import type { AgentClient } from './connection/agentClient';
import { AgentError } from '../server/agentError';
import { escapeControls, escapeControlsInJson } from '../server/escapeControls';
import { ErrorCodes } from '../server/protocol';
import { AGENT_VERSION } from '../server/version';
import type { EnterPlan, NsType, ParamsOf, ResultOf } from '../server/protocol';

/** `out`: where the verb's output goes (a fleet keeps each node's to print in sections). */
async function run(
  client: AgentClient,
  cmd: Exclude<Command, { name: 'help' | 'version' }>,
  out: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<number> {
  const print = (json: boolean, doc: unknown, text: () => string): void => {
    out(json ? `${escapeControlsInJson(JSON.stringify(doc, null, 2))}\n` : `${text()}\n`);
  };
  switch (cmd.name) {
    case 'snapshot': {
      const s = await client.request('snapshot', {});
      print(cmd.json, s, () => renderSnapshot(s));
      return 0;
    }
    case 'watch':
      return watchNode(client, cmd.json);
    case 'layer': {
      // Absolute paths are the node's and go as given (path.resolve would turn them into C:\… on Windows).
      const l = await client.request('layer.scan', { path: cmd.dir.startsWith('/') ? cmd.dir : path.resolve(cmd.dir) });
      print(cmd.json, l, () => renderLayer(l));
      return 0;
    }
    case 'whence': {
      const w = await client.request('whence', { container: cmd.container, path: cmd.path });
      print(cmd.json, w, () => renderWhence(w));
      return 0;
    }
    case 'diff': {
      const d = await client.request('container.diff', { container: cmd.container });
      print(cmd.json, d, () => renderDiff(d));
      return 0;
    }
    case 'diagnose': {
      const r = await client.request('diagnose', { container: cmd.container });
      print(cmd.json, r, () => renderDiagnose(r));
      return 0;
    }
    case 'pagecache': {
      const target = isRelativeDir(cmd.target) ? path.resolve(cmd.target) : cmd.target;
      const r = await client.request('pagecache', { target, top: cmd.top });
      print(cmd.json, r, () => renderPageCache(r));
      return 0;
    }
    case 'layers': {
      const r = await client.request('layers.report', { target: cmd.target });
      if (cmd.ci) {
        // dive's CI mode: one line per broken rule, exit 1; nothing printed and 0 when all hold.
        const broken = brokenRules(r, cmd, formatBytes);
        if (broken.length) out(`${broken.join('\n')}\n`);
        return broken.length ? 1 : 0;
      }
      print(cmd.json, r, () => renderLayerReport(r, process.stdout.isTTY ? process.stdout.columns : undefined));
      return 0;
    }
    case 'ls': {
      const l = await client.request('layers.list', { target: cmd.target, path: cmd.path, layer: cmd.layer, merged: cmd.merged });
      print(cmd.json, l, () => renderListing(l));
      return 0;
    }
    case 'enter':
    case 'debug':
      return runOnNode(client, await planOf(client, cmd), cmd.command);
    case 'limit':
      return dryRunThenApply(client, 'limit.set', { container: cmd.container, ...cmd.limits }, renderLimit, 'Apply? [y/N] ', cmd, print);
    case 'launch':
      // What runs is what was shown: the plan's name, command and layers go back with the request.
      return dryRunThenApply(
        client,
        'launch.start',
        { from: cmd.from, ...cmd.options, command: cmd.command.length ? cmd.command : undefined },
        renderLaunch,
        'Launch? [y/N] ',
        cmd,
        print,
        (plan) => pinLaunch(plan, cmd.options),
      );
    case 'graph': {
      // The same builders the panels use: what is printed is what they draw.
      const s = await client.request('snapshot', {});
      const graph = cmd.of === 'namespaces' ? buildNamespaceGraph(s) : buildLayerGraph(s);
      // toDot escapes every name itself (controls made visible, DOT quoting); its newlines are its own.
      if (cmd.format === 'dot') out(toDot(graph, cmd.of));
      else print(true, graph, () => '');
      return 0;
    }
    case 'stop': {
      // The agent checks first that it is one Nodescope launched, so the question can say what it is.
      const check = await client.request('launch.stop', { container: cmd.container, dryRun: true });
      const what = escapeControls(
        `stop and remove ${check.container}${check.running ? ' (running)' : ' (not running)'}, with what it wrote`,
      );
      if (!(await confirmed(cmd.yes, what, 'Stop? [y/N] '))) return 1;
      const r = await client.request('launch.stop', { container: cmd.container });
      print(cmd.json, r, () => escapeControls(`${r.container}: stopped and removed`));
      return 0;
    }
  }
}

/**
 * A change to the node goes ahead when the person said --yes, or answered yes on the terminal after
 * seeing `what`. Without a terminal there is no one to ask: nothing is changed (a usage error).
 */
async function confirmed(yes: boolean, what: string, question: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY)
    throw new UsageError('this changes the node and there is no terminal to ask on: nothing was changed; confirm with --yes');
  process.stderr.write(`${what}\n`);
  if (await askYesNo(question)) return true;
  process.stderr.write('nodescope: nothing was changed\n');
  return false;
}

/**
 * A change to the node: the agent checks the request and says what would change (a dry run); a person on
 * a terminal confirms it, a script passes --yes. Nothing is changed without one of the two.
 */
async function dryRunThenApply<M extends 'limit.set' | 'launch.start'>(
  client: AgentClient,
  method: M,
  request: ParamsOf<M>,
  render: (r: ResultOf<M>) => string,
  question: string,
  cmd: { dryRun: boolean; yes: boolean; json: boolean },
  print: (json: boolean, doc: unknown, text: () => string) => void,
  pin: (plan: ResultOf<M>) => Partial<ParamsOf<M>> = () => ({}),
): Promise<number> {
  const plan = await client.request(method, { ...request, dryRun: true });
  if (cmd.dryRun) {
    print(cmd.json, plan, () => render(plan));
    return 0;
  }
  if (!(await confirmed(cmd.yes, render(plan), question))) return 1;
  const done = await client.request(method, { ...request, ...pin(plan) });
  print(cmd.json, done, () => render(done));
  return 0;
}

/** The agent's plan for `enter` (enter.plan) or `debug` (debug.plan, server/act/debug.ts). */
function planOf(client: AgentClient, cmd: Extract<Command, { name: 'enter' | 'debug' }>): Promise<EnterPlan> {
  const command = cmd.command.length ? cmd.command : undefined;
  if (cmd.name === 'debug') return client.request('debug.plan', { container: cmd.container, pid: cmd.pid, toolbox: cmd.toolbox, command });
  const { container, pid, shell, user } = cmd;
  return client.request('enter.plan', { container, pid, shell, user, command, namespaces: cmd.namespaces as NsType[] | undefined });
}

/** Runs an enter or debug plan's argv on the node; stdin, stdout and the exit code pass through, a pty when a shell is attached to one. */
async function runOnNode(client: AgentClient, plan: EnterPlan, command: string[]): Promise<number> {
  const interactive = !command.length && process.stdin.isTTY === true;
  const channel = await client.transport.exec(
    plan.argv,
    interactive ? { pty: { cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24, term: process.env.TERM } } : undefined,
  );
  if (interactive) process.stdin.setRawMode(true);
  process.stdin.pipe(channel.stdin);
  channel.stdout.pipe(process.stdout);
  channel.stderr.pipe(process.stderr);
  if (interactive) process.stdout.on('resize', () => channel.resize?.(process.stdout.columns, process.stdout.rows));
  const code = await new Promise<number>((resolve) => channel.onExit((c, signal) => resolve(shellExitCode(c, signal))));
  if (interactive) process.stdin.setRawMode(false);
  process.stdin.unpipe(channel.stdin);
  process.stdin.pause();
  return code;
}

/**
 * Root on this machine: the agent's methods run in this process (no second Node.js, no JSON-RPC).
 * Otherwise the agent runs as a child (through sudo) or on the node over SSH. Each path is required only
 * when taken: loading the SSH and JSON-RPC stacks for a local run cost more than the run itself.
 */
async function openClient(global: GlobalFlags, watch = false): Promise<AgentClient> {
  /* eslint-disable @typescript-eslint/no-require-imports -- each path loaded only when taken (above) */
  // Watching needs an agent of its own, whose watcher pushes changes (the in-process methods push none).
  if (!global.ssh && !watch) {
    const local = require('./connection/inProcessAgent') as typeof import('./connection/inProcessAgent');
    if (local.canRunAgentInProcess()) return local.inProcessAgent(AGENT_VERSION);
  }
  const { openTransportFor } = require('./cli/transportFor') as typeof import('./cli/transportFor');
  const { connectAgent } = require('./connection/agentClient') as typeof import('./connection/agentClient');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return connectAgent(await openTransportFor(global), {
    clientVersion: AGENT_VERSION,
    watchIntervalMs: watch ? WATCH_BACKSTOP_MS : undefined,
  });
}

/** `nodescope watch`'s polling interval: events come first (server/events/), this is only the backstop. */
const WATCH_BACKSTOP_MS = 2000;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      // The one thing that is wrong, and where the right form is: not the whole usage text.
      const verb = err.command ? `nodescope ${err.command}` : 'nodescope';
      process.stderr.write(`${escapeControls(`${verb}: ${err.message}`)}; see \`${verb} --help\`\n`);
      return 2;
    }
    throw err;
  }
  const { global, command } = parsed;
  if (command.name === 'help') {
    process.stdout.write(`${usageOf(command.topic)}\n`);
    return 0;
  }
  if (command.name === 'version') {
    process.stdout.write(`nodescope ${AGENT_VERSION}\n`);
    return 0;
  }
  if (global.alsoSsh?.length || global.hosts !== undefined) {
    // Several nodes: each connected on its own, their outputs in sections (src/cli/fleet.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SSH stack, loaded only when taken (openClient)
    const fleet = require('./cli/fleet') as typeof import('./cli/fleet');
    return fleet.runFleet(global, fleet.fleetTargets(global), command, run);
  }
  const client = await openClient(global, command.name === 'watch');
  try {
    return await run(client, command);
  } finally {
    await client.close();
  }
}

// A reader that stops early (`| head`) closes the pipe: that ends the output, as it does for any Unix
// tool, without a stack trace for an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    // The agent's refusals are one line by design: a newline in one came from a name it echoes, and is
    // escaped with the rest. Other errors (a lost channel's stderr, Node's own) may run on over lines:
    // their first says what happened.
    const text = err.message || String(err);
    const refusal = err instanceof AgentError && (Object.values(ErrorCodes) as number[]).includes(err.code);
    process.stderr.write(`nodescope: ${escapeControls(refusal ? text : text.split('\n')[0])}\n`);
    if (process.env.NODESCOPE_DEBUG === '1') process.stderr.write(`${err.stack}\n`);
    const ambiguous = err instanceof AgentError && err.code === ErrorCodes.Ambiguous;
    process.exitCode = err instanceof UsageError || ambiguous ? 2 : 1;
  },
);
