/**
 * The agent's entry: JSON-RPC 2.0 over stdio (vscode-jsonrpc), nothing else on stdout.
 *
 * Lifetime: the agent runs as root, so it must never outlive its client. It exits when stdin closes
 * (the SSH exec channel or the local pipe), on `shutdown`, and on SIGHUP/SIGTERM.
 */
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CHANGED_NOTIFICATION, ErrorCodes, PROTOCOL_VERSION, type InitializeParams, type MethodName } from './protocol';
import { AgentMethods, AgentFailure } from './methods';
import { Watcher, watchInterval } from './watch';
import { AGENT_VERSION } from './version';

// Anything a library prints must not corrupt the JSON-RPC stream.
console.log = console.info = console.warn = console.debug = (...args: unknown[]) => process.stderr.write(args.join(' ') + '\n');

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
const methods = new AgentMethods();
let initialized = false;
let watcher: Watcher | null = null;

function exit(code: number): never {
  watcher?.stop();
  process.exit(code);
}

connection.onRequest((method: string, params: unknown) => {
  try {
    if (method === 'initialize') return initialize(params as InitializeParams);
    if (!initialized) throw new AgentFailure(ErrorCodes.InvalidParams, `call initialize before ${method}`);
    if (method === 'shutdown') {
      setImmediate(() => exit(0));
      return null;
    }
    return methods.dispatch(method as MethodName, params);
  } catch (err) {
    if (err instanceof AgentFailure) throw new ResponseError(err.code, err.message);
    // An unexpected failure still answers with one line; the stack goes to stderr for the log.
    process.stderr.write(`nodescope-agent: ${method}: ${(err as Error).stack ?? err}\n`);
    throw new ResponseError(-32603, `${method} failed: ${(err as Error).message}`);
  }
});

function initialize(params: InitializeParams) {
  if (!params || typeof params.protocolVersion !== 'number') throw new AgentFailure(ErrorCodes.InvalidParams, 'initialize needs protocolVersion');
  if (params.protocolVersion !== PROTOCOL_VERSION) {
    throw new AgentFailure(
      ErrorCodes.VersionMismatch,
      `agent speaks protocol ${PROTOCOL_VERSION}, client ${params.protocolVersion}: redeploy the agent from this client`,
    );
  }
  initialized = true;
  // Clamped to [250 ms, 1 h]; 0, absent or not a number: off (1e12 once overflowed the timer to 1 ms).
  const interval = watchInterval(params.watchIntervalMs);
  if (interval > 0 && !watcher) {
    watcher = new Watcher(methods, interval, (n) => connection.sendNotification(CHANGED_NOTIFICATION, n));
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
