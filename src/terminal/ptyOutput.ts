/**
 * Bytes from a pty to text for a terminal: UTF-8 is decoded in stream mode, because a multi-byte
 * character can be split across two chunks; and the line shown when the process ends. No vscode import.
 */
import * as os from 'os';

export class PtyOutput {
  private readonly decoder = new TextDecoder('utf-8');

  text(chunk: Uint8Array): string {
    return this.decoder.decode(chunk, { stream: true });
  }

  /** What is left of an incomplete character at the end (shown as U+FFFD, as a terminal would). */
  flush(): string {
    return this.decoder.decode();
  }
}

/** An exit as a shell reports it: the code, or 128 + N when signal N ended the process (1 if unknown). */
export function shellExitCode(code: number | null, signal: string | null): number {
  if (code !== null) return code;
  const n = signal ? (os.constants.signals as Record<string, number>)[signal.startsWith('SIG') ? signal : `SIG${signal}`] : undefined;
  return n ? 128 + n : 1;
}

export function exitLine(code: number | null, signal: string | null): string {
  // SIGHUP is also what a transport reports when the connection to the node closed under the shell
  // (no exit status arrives): say both, since from here the two cannot be told apart.
  const hangup = signal === 'SIGHUP' ? ' (the terminal hung up, or the connection to the node closed)' : '';
  const how = code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'a signal'}${hangup}`;
  return `\r\n\x1b[2m[process ${how}; press any key to close]\x1b[0m\r\n`;
}

/**
 * The code handed to VS Code when the person closes a terminal whose command ended. VS Code shows any
 * non-zero code as an error notification ("The terminal process terminated with exit code: 7"), but a
 * shell that exits with the status of its last command has not failed: the exit line already shows the
 * code in the terminal (and the log records it). So 0 is passed on, and any other code is not: VS Code
 * then records the terminal as closed without an exit code (exitStatus.code undefined), which is true of
 * what it was told, where a non-zero code would be an error that never happened and 0 would be a lie.
 */
export function exitCodeForVsCode(code: number | undefined): number | undefined {
  return code === 0 ? 0 : undefined;
}
