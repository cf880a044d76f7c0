/**
 * How a client reaches an agent. Two implementations: the local one (spawn the agent on this machine,
 * through sudo when not root) and the SSH one (upload once, start over an exec channel). The extension,
 * the CLI and the tests all go through this interface, so they all run the same code.
 *
 * No `vscode` import anywhere under src/connection/.
 */
import type { Readable, Writable } from 'stream';
import type { AgentStderr } from './agentStderr';

export interface AgentTransport {
  /** JSON-RPC from the agent (its stdout). */
  readonly reader: Readable;
  /** JSON-RPC to the agent (its stdin). */
  readonly writer: Writable;
  /** For people: `this machine`, `root@node1:22`. */
  readonly description: string;
  /** The agent's stderr lines that explain a silence (stuck, watch failed); absent when there is no stderr. */
  readonly agentStderr?: AgentStderr;
  /** Called once when the agent's channel closes; `reason` is null for a close we asked for. */
  onClose(listener: (reason: string | null) => void): void;
  /** Run argv on the node as root, with a pty or with piped stdio (used by "enter"). */
  exec(argv: string[], options?: ExecOptions): Promise<ExecChannel>;
  /** Close the agent's channel (the agent exits when it closes) and anything opened for it. */
  close(): Promise<void>;
}

export interface ExecOptions {
  pty?: { cols: number; rows: number; term?: string };
}

export interface ExecChannel {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** With a pty, stderr is merged into stdout and this stream stays empty. */
  readonly stderr: Readable;
  resize?(cols: number, rows: number): void;
  /** Exit code, or null with the signal name when killed by a signal. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/**
 * What the connection layer may ask a person. The extension answers with modals and input boxes, the CLI
 * from its flags and TTY, tests programmatically. Answers are used once and never stored.
 */
export interface Interaction {
  /** An unknown host key: return true to trust it (the caller records it in Nodescope's own store). */
  confirmHostKey(info: { host: string; port: number; keyType: string; fingerprint: string }): Promise<boolean>;
  /** A password for `user@host`; undefined = the person declined. */
  askPassword(prompt: string): Promise<string | undefined>;
  /** The passphrase of an encrypted key file. */
  askPassphrase(keyPath: string): Promise<string | undefined>;
  /** keyboard-interactive prompts; one answer per prompt. */
  keyboardInteractive(name: string, instructions: string, prompts: { prompt: string; echo: boolean }[]): Promise<string[] | undefined>;
  /** Progress and diagnostics for the log. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
}
