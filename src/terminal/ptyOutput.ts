/**
 * Bytes from a pty to text for a terminal: UTF-8 is decoded in stream mode, because a multi-byte
 * character can be split across two chunks; and the line shown when the process ends. No vscode import.
 */
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

export function exitLine(code: number | null, signal: string | null): string {
  const how = code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'a signal'}`;
  return `\r\n\x1b[2m[process ${how}; press any key to close]\x1b[0m\r\n`;
}
