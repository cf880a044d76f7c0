/**
 * The agent's entry: JSON-RPC 2.0 over stdio (vscode-jsonrpc), nothing else on stdout.
 *
 * Lifetime: the agent runs as root, so it must never outlive its client. It exits when stdin closes
 * (the SSH exec channel or the local pipe), on `shutdown`, and on SIGHUP/SIGTERM. Those need a main
 * thread that runs; for one stuck in a system call, the kernel kills the agent when its parent dies
 * (sys/parentDeath.ts) and a watchdog thread ends it when its channel closes (agentWatchdog.ts).
 *
 * Deadlines: each request runs under a label (activity.ts). One still running after STUCK_MS gets a line
 * on stderr from the watchdog naming what it is doing; after EXIT_MS the agent exits (EX_TEMPFAIL) so the
 * client starts a new one. A request answered by a promise fails at STUCK_MS with that label instead, or
 * at its own longer deadline (methods.ts ANSWERED_LATER_MS: a launch, a stop).
 */
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CHANGED_NOTIFICATION, ErrorCodes, PROTOCOL_VERSION, type InitializeParams, type MethodName, type Snapshot } from './protocol';
import { AgentMethods, ANSWERED_LATER_MS } from './methods';
import { Watcher, watchInterval } from './watch';
import { nodeEventSources } from './events/nodeEvents';
import { AGENT_VERSION } from './version';
import { during } from './activity';
import { startWatchdog } from './agentWatchdog';
import { refuse, echo, oneLine } from './failure';
import { AgentError } from './agentError';
import { dieWithParent } from './sys/parentDeath';
import { CheckedMessageReader } from './rpcInput';
import { withDeadline } from './requestDeadline';
import { chunkedJsonEncoder } from './jsonChunks';

// Read first: by the time prctl runs, a parent that already died has been replaced by init or a subreaper.
const startedBy = process.ppid;

// Anything a library prints must not corrupt the JSON-RPC stream.
console.log = console.info = console.warn = console.debug = (...args: unknown[]) => process.stderr.write(args.join(' ') + '\n');

/** Milliseconds from the environment (tests shorten them), else the default. */
function msFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
const STUCK_MS = msFromEnv('NODESCOPE_AGENT_STUCK_MS', 10_000);
const EXIT_MS = Math.max(STUCK_MS, msFromEnv('NODESCOPE_AGENT_EXIT_MS', 60_000));

const parentWatch = dieWithParent(startedBy);
if (parentWatch === 'orphaned') {
  process.stderr.write(`nodescope-agent: the process that started it (pid ${startedBy}) is gone; exiting\n`);
  process.exit(1);
}
if (parentWatch) process.stderr.write(`nodescope-agent: not tied to its parent's life (${parentWatch}); relying on its channel\n`);
startWatchdog({ stuckMs: STUCK_MS, exitMs: EXIT_MS, requireFrom: __filename });

// Replies are written as chunks of bytes, never as one string the size of the node (jsonChunks.ts).
const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: chunkedJsonEncoder });
const connection = createMessageConnection(
  new CheckedMessageReader(new StreamMessageReader(process.stdin), (reply) => void writer.write(reply)),
  writer,
);
const methods = new AgentMethods();
let initialized = false;
let watcher: Watcher | null = null;

function exit(code: number): never {
  watcher?.stop();
  process.exit(code);
}

connection.onRequest((method: string, params: unknown) => {
  const label = `answering ${echo(method, 60)}${aboutParams(params)}`;
  let result: unknown;
  try {
    result = during(label, () => answer(method, params));
  } catch (err) {
    throw asResponseError(method, err);
  }
  return isPromise(result) ? withRequestDeadline(result, method, label) : result;
});

function answer(method: string, params: unknown): unknown {
  if (method === 'initialize') return initialize(params as InitializeParams);
  if (!initialized) throw refuse(ErrorCodes.InvalidParams, `call initialize before ${echo(method)}`);
  if (method === 'shutdown') {
    setImmediate(() => exit(0));
    return null;
  }
  if (process.env.NODESCOPE_AGENT_TEST_STALL === method) stallForTests();
  const result = methods.dispatch(method as MethodName, params);
  // The snapshot a client was answered is what it will apply the next change to (watch.ts rebase).
  if (method === 'snapshot') watcher?.rebase(result as Snapshot);
  return result;
}

/** The request's subject in its label: "answering whence (container web, path /etc/passwd)". */
function aboutParams(params: unknown): string {
  if (!params || typeof params !== 'object') return '';
  const o = params as Record<string, unknown>;
  const parts = ['container', 'from', 'target', 'path']
    .filter((k) => typeof o[k] === 'string')
    .map((k) => `${k} ${echo(o[k] as string, 80)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function asResponseError(method: string, err: unknown): ResponseError<void> {
  // oneLine again: every refusal is made one line by refuse(), and nothing else reaches the wire longer.
  if (err instanceof AgentError) return new ResponseError(err.code, oneLine(err.message));
  // An unexpected failure still answers with one line; the stack goes to stderr for the log (bounded:
  // its first line repeats the message, which may quote a huge input).
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`nodescope-agent: ${echo(method)}: ${oneLine(e.message)}\n${(e.stack ?? '').split('\n').slice(1, 12).join('\n')}\n`);
  return new ResponseError(ErrorCodes.InternalError, oneLine(`${echo(method)} failed: ${e.message}`));
}

const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

/** A request answered later: failed at its deadline with what it was doing, if it has not settled by then. */
function withRequestDeadline(work: Promise<unknown>, method: string, label: string): Promise<unknown> {
  const ms = Math.max(STUCK_MS, Object.hasOwn(ANSWERED_LATER_MS, method) ? ANSWERED_LATER_MS[method as keyof typeof ANSWERED_LATER_MS] : 0);
  return withDeadline(work, ms, label).catch((err: unknown) => {
    throw asResponseError(method, err);
  });
}

/**
 * Test hook (NODESCOPE_AGENT_TEST_STALL=<method>): the main thread blocks in a futex wait that nothing
 * ends, as it would in a FIFO's open, so that tests can check the watchdog, the deadlines and the parent
 * death signal against a really stuck agent. It only ever makes this agent wait.
 */
function stallForTests(): never {
  during('stalling on purpose (NODESCOPE_AGENT_TEST_STALL)', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
  throw new Error('unreachable: a stall ended');
}

/**
 * Checked by hand, not by the params schema: any client, of any protocol version, must get the version
 * mismatch answered, whatever else its params hold; the rest is read leniently (watch.ts watchInterval).
 */
function initialize(params: InitializeParams) {
  if (!params || typeof params.protocolVersion !== 'number') throw refuse(ErrorCodes.InvalidParams, 'initialize needs protocolVersion');
  if (params.protocolVersion !== PROTOCOL_VERSION) {
    throw refuse(
      ErrorCodes.VersionMismatch,
      `agent speaks protocol ${PROTOCOL_VERSION}, client ${params.protocolVersion}: redeploy the agent from this client`,
    );
  }
  initialized = true;
  // Clamped to [250 ms, 1 h]; 0, absent or not a number: off (1e12 once overflowed the timer to 1 ms).
  const interval = watchInterval(params.watchIntervalMs);
  if (interval > 0 && !watcher) {
    watcher = new Watcher(methods, interval, (n) => connection.sendNotification(CHANGED_NOTIFICATION, n), {
      keyed: params.keyedChanges === true,
      sources: nodeEventSources,
    });
    watcher.start();
  }
  return methods.initializeResult(params.clientVersion);
}

connection.onClose(() => exit(0));
process.stdin.on('end', () => exit(0));
process.stdin.on('close', () => exit(0));
for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(sig, () => exit(0));
connection.listen();
process.stderr.write(`nodescope-agent ${AGENT_VERSION} ready (pid ${process.pid})\n`);
