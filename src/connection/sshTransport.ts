/**
 * The agent on another node, over SSH (ssh2). The order matters and is:
 *  1. TCP (directly, or through each ProxyJump hop's forwarded channel, hop by hop), or a ProxyCommand's
 *     stdio (proxyCommand.ts) for the first hop, killed when that hop's connection ends;
 *  2. the host key, verified during the handshake, BEFORE any authentication is attempted: known →
 *     go on; changed or revoked → refuse; unknown → ask (or refuse without a way to ask);
 *  3. authentication in OpenSSH's order: agent keys, key files (passphrase asked), password, then
 *     keyboard-interactive; answers are used once and never stored or logged;
 *  4. deploy (deploy.ts): upload the agent bundle once per version, then start it as root;
 *  5. the exec channel's stdio carries JSON-RPC; closing it ends the agent (it exits on stdin EOF).
 */
import * as os from 'os';
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import type { Duplex, Readable } from 'stream';
import {
  defaultKnownHostsFiles,
  defaultTrustStore,
  fingerprint,
  hostKeyAlgorithmsFor,
  hostName,
  keyTypeOf,
  trustHostKey,
  verifyHostKey,
} from './knownHosts';
import type { SshTarget } from './sshConfig';
import { deployAgent, probeNode, type NodeFacts } from './deploy';
import { authHandler } from './sshAuth';
import { HandshakeDeadline } from './handshakeDeadline';
import { shellQuote } from './localTransport';
import { answerSudo, sudoMarker, sudoWithPrompt } from './sudoPrompt';
import { AgentStderr } from './agentStderr';
import { expandProxyCommand, startProxyCommand, type ProxyProcess } from './proxyCommand';
import type { AgentTransport, ExecChannel, ExecOptions, Interaction } from './transport';

export type { SshTarget } from './sshConfig';
export { parseSshDestination } from './sshConfig';

export interface SshOptions {
  /** Directory of the agent bundle to deploy (dist/agent-bundle). */
  agentBundleDir?: string;
  version?: string;
  /** Trust an unknown host key without asking (the CLI's --accept-new-host-key). */
  acceptNewHostKey?: boolean;
  /** Node.js on the node, when `node` is not on its PATH. */
  remoteNodePath?: string;
  /** A local Node.js binary to upload when the node has no usable one. */
  nodeRuntime?: string;
}

function label(t: SshTarget): string {
  return `${t.user ? `${t.user}@` : ''}${hostName(t.host, t.port ?? 22)}`;
}

/** Refusals are errors with a message people can act on; the handshake error ssh2 gives is not. */
class HostKeyRefused extends Error {}

/** Where a hop's host keys are looked up: the user's known_hosts files, then Nodescope's own store. */
function hostKeyFiles(t: SshTarget): string[] {
  return [...(t.knownHostsFiles ?? defaultKnownHostsFiles()), t.trustStorePath ?? defaultTrustStore()];
}

function hostVerifier(t: SshTarget, interaction: Interaction, opts: SshOptions, refusal: { error?: Error }) {
  const port = t.port ?? 22;
  const files = hostKeyFiles(t);
  return (key: Buffer, done: (ok: boolean) => void): void => {
    const fp = fingerprint(key);
    const verdict = verifyHostKey(files, t.host, port, key);
    const refuse = (msg: string): void => {
      refusal.error = new HostKeyRefused(msg);
      done(false);
    };
    if (verdict.status === 'known') return done(true);
    if (verdict.status === 'revoked')
      return refuse(`host key ${fp} for ${hostName(t.host, port)} is revoked (${verdict.file}:${verdict.line}); refusing to connect`);
    if (verdict.status === 'changed') {
      return refuse(
        `host key for ${hostName(t.host, port)} changed (known ${verdict.knownFingerprint} in ${verdict.file}:${verdict.line}, offered ${fp}); refusing to connect`,
      );
    }
    if (verdict.certAuthority) {
      interaction.log(
        'warn',
        `${verdict.certAuthority}: a @cert-authority line names ${hostName(t.host, port)}, but Nodescope cannot check host certificates; treating its key as unknown`,
      );
    }
    const trust = (): void => {
      trustHostKey(t.trustStorePath ?? defaultTrustStore(), t.host, port, key);
      interaction.log('info', `trusted ${keyTypeOf(key)} key ${fp} for ${hostName(t.host, port)} (in Nodescope's store, not known_hosts)`);
      done(true);
    };
    if (opts.acceptNewHostKey) return trust();
    interaction.confirmHostKey({ host: t.host, port, keyType: keyTypeOf(key), fingerprint: fp }).then(
      (yes) =>
        yes
          ? trust()
          : refuse(`unknown host key ${fp} for ${hostName(t.host, port)} not trusted; pass --accept-new-host-key or accept it when asked`),
      () => refuse(`unknown host key ${fp} for ${hostName(t.host, port)}`),
    );
  };
}

/**
 * The first hop's ProxyCommand, started. A hop reached through a previous hop's channel does not run
 * its own: there, as in OpenSSH, the jump given for the chain wins.
 */
function proxyFor(t: SshTarget, interaction: Interaction, sock: Duplex | undefined): ProxyProcess | undefined {
  if (sock || !t.proxyCommand) return undefined;
  const command = expandProxyCommand(t.proxyCommand, {
    host: t.host,
    port: t.port ?? 22,
    user: t.user ?? os.userInfo().username,
    alias: t.alias,
  });
  interaction.log('info', `connecting to ${label(t)} through ProxyCommand ${command}`);
  return startProxyCommand(command);
}

function connectHop(t: SshTarget, interaction: Interaction, opts: SshOptions, sock?: Duplex): Promise<Client> {
  return new Promise((resolve, reject) => {
    let proxy: ProxyProcess | undefined;
    try {
      proxy = proxyFor(t, interaction, sock);
    } catch (err) {
      return reject(err instanceof Error ? err : new Error(String(err)));
    }
    // What the proxy said is the likelier cause of a failed handshake than ssh2's words for it.
    const viaProxy = (): string => {
      if (!proxy) return '';
      const why = proxy.failure() ?? proxy.lastStderrLine();
      return why ? ` (ProxyCommand ${why})` : ' (through its ProxyCommand)';
    };
    const client = new Client();
    // The proxy lives as long as this hop's connection, however that ends.
    if (proxy) client.on('close', () => proxy.kill());
    const refusal: { error?: Error } = {};
    let settled = false;
    const deadline = new HandshakeDeadline(t.connectTimeoutMs ?? 20_000, () => {
      if (settled) return;
      settled = true;
      client.destroy();
      proxy?.kill();
      reject(new Error(`connecting to ${label(t)} timed out${viaProxy()}`));
    });
    // Questions to a person stop the clock (handshakeDeadline.ts).
    interaction = deadline.pausingDuring(interaction);
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port ?? 22,
      username: t.user ?? os.userInfo().username,
      sock: sock ?? proxy?.sock,
      readyTimeout: 0, // the deadline above replaces it
      keepaliveInterval: t.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: hostVerifier(t, interaction, opts, refusal),
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(hostKeyFiles(t), t.host, t.port ?? 22) as ServerHostKeyAlgorithm[] | undefined },
      authHandler: authHandler(t, interaction) as ConnectConfig['authHandler'],
    };
    client.once('ready', () => {
      settled = true;
      deadline.cancel();
      resolve(client);
    });
    // Always listened to: ssh2 can emit more errors after the first (or on a jump hop later, when
    // nobody else listens), and an unheard 'error' would take the whole process down. After the
    // connection is up, losing it is reported through 'close' (openSshTransport's finish()).
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      client.end();
      if (refusal.error) return reject(refusal.error);
      if (err.level === 'client-authentication')
        return reject(new Error(`authentication to ${label(t)} failed (tried ${describeAuth(t)})`));
      const timedOut = err.level === 'client-timeout' || /Timed out/.test(err.message);
      const fail = (): void =>
        reject(
          new Error(
            timedOut ? `connecting to ${label(t)} timed out${viaProxy()}` : `cannot connect to ${label(t)}: ${err.message}${viaProxy()}`,
          ),
        );
      // The proxy's own exit and last words may come a moment after the stream broke.
      if (proxy) void proxy.settled(1000).then(fail);
      else fail();
    });
    // A proxy that exits before the handshake closes the stream without an error from ssh2: without
    // this the hop would wait for its deadline.
    client.on('close', () => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      if (refusal.error) return reject(refusal.error);
      const closedEarly = (): void =>
        reject(new Error(`cannot connect to ${label(t)}: the connection closed before the handshake${viaProxy()}`));
      if (proxy) void proxy.settled(1000).then(closedEarly);
      else closedEarly();
    });
    client.connect(cfg);
  });
}

function describeAuth(t: SshTarget): string {
  return [
    t.identitiesOnly ? 'agent (given keys only)' : 'agent',
    t.identityFiles?.length ? 'given keys' : 'default keys',
    'password',
    'keyboard-interactive',
  ].join(', ');
}

function forward(client: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
      err ? reject(new Error(`jump to ${hostName(host, port)} failed: ${err.message}`)) : resolve(stream),
    ),
  );
}

export function execChannel(client: Client, command: string, pty?: ExecOptions['pty']): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.exec(command, pty ? { pty: { cols: pty.cols, rows: pty.rows, term: pty.term ?? 'xterm-256color' } } : {}, (err, ch) =>
      err ? reject(err) : resolve(ch),
    ),
  );
}

export async function openSshTransport(target: SshTarget, interaction: Interaction, opts: SshOptions = {}): Promise<AgentTransport> {
  const hops: Client[] = [];
  const closeAll = (): void => hops.reverse().forEach((c) => c.end());
  let facts: NodeFacts;
  let channel: ClientChannel;
  let channelStderr: Readable;
  let sudoRefused: () => boolean;
  let sudoPassword: string | undefined;
  try {
    let sock: Duplex | undefined;
    // A hop may have jumps of its own (ProxyJump in its Host block): those come first, as with ssh -J.
    const hopsOf = (t: SshTarget): SshTarget[] => [...(t.jump ?? []).flatMap(hopsOf), t];
    const chain = hopsOf(target);
    for (let i = 0; i < chain.length; i++) {
      interaction.log('info', `connecting to ${label(chain[i])}${sock ? ' through the jump host' : ''}`);
      const client = await connectHop(chain[i], interaction, opts, sock);
      hops.push(client);
      // Each next hop is reached through a channel of this one, and verified on its own.
      if (i < chain.length - 1) sock = await forward(client, chain[i + 1].host, chain[i + 1].port ?? 22);
    }
    const client = hops[hops.length - 1];
    facts = await probeNode(client, opts.remoteNodePath);
    const started = await deployAgent(client, facts, interaction, opts);
    channel = started.channel;
    channelStderr = started.stderr;
    sudoRefused = started.sudoRefused;
    sudoPassword = started.sudoPassword;
  } catch (err) {
    closeAll();
    throw err;
  }
  const client = hops[hops.length - 1];
  const listeners: ((reason: string | null) => void)[] = [];
  let closedByUs = false;
  let closed = false;
  let stderr = '';
  const agentStderr = new AgentStderr();
  channelStderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
    agentStderr.feed(d);
  });
  const finish = (reason: string | null): void => {
    if (closed) return;
    closed = true;
    closeAll();
    const last = sudoRefused()
      ? `sudo on ${label(target)} did not accept the password`
      : stderr
          .trim()
          .split('\n')
          .filter((l) => !/ready \(pid/.test(l))
          .pop();
    listeners.forEach((l) => l(closedByUs ? null : (reason ?? (last ? `agent stopped: ${last}` : 'the connection closed'))));
  };
  channel.on('close', () => finish(null));
  client.on('error', (err: Error) => finish(`connection to ${label(target)} lost: ${err.message}`));
  client.on('close', () => finish(`connection to ${label(target)} closed`));

  // Root needs no sudo; sudo -n when it asks no password; else sudo -S, answered when it prompts.
  const needsPassword = facts.uid !== 0 && sudoPassword !== undefined;
  const asRoot = (argv: string[], marker: string): string => {
    const cmd = argv.map(shellQuote).join(' ');
    if (facts.uid === 0) return cmd;
    return needsPassword ? sudoWithPrompt(marker, cmd) : `sudo -n -- ${cmd}`;
  };

  return {
    reader: channel,
    writer: channel,
    description: label(target),
    agentStderr,
    onClose: (l) => void listeners.push(l),
    async exec(argv, execOpts): Promise<ExecChannel> {
      const marker = sudoMarker();
      const ch = await execChannel(client, asRoot(argv, marker), execOpts?.pty);
      let stdout: Readable = ch;
      let stderr: Readable = ch.stderr;
      if (needsPassword) {
        // With a pty sudo prompts on the terminal (stdout) and the password waits for the prompt;
        // without one it prompts on stderr and the password goes first (sudoPrompt.ts says why).
        const answer = { atPrompt: execOpts?.pty !== undefined, refused: () => ch.close() };
        if (execOpts?.pty) stdout = answerSudo(ch, marker, ch, sudoPassword!, answer);
        else stderr = answerSudo(ch.stderr, marker, ch, sudoPassword!, answer);
      }
      return {
        stdin: ch,
        stdout,
        stderr,
        resize: (cols, rows) => ch.setWindow(rows, cols, 0, 0),
        onExit: (l) => {
          // Reported at 'close', after the last output: 'exit' can overtake output still buffered
          // in the stream, and a caller that stops at exit would lose the command's last lines.
          let status: [number | null, string | null] = [null, 'SIGHUP']; // closed without an exit status
          ch.on('exit', (code: number | null, signal?: string) => (status = [code ?? null, signal ?? null]));
          ch.on('close', () => l(...status));
        },
        kill: () => ch.close(),
      };
    },
    async close() {
      if (closed) return;
      closedByUs = true;
      channel.end();
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1500);
        channel.once('close', () => {
          clearTimeout(t);
          r();
        });
      });
      finish(null);
    },
  };
}
