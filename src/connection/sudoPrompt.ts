/**
 * Feeding a sudo password over an SSH channel without it ever showing up anywhere.
 *
 * sudo is given a random prompt (`-p MARKER`), which we watch for and cut out of the stream it appears
 * in (stdout with a pty, where stderr is merged; stderr without). When to write the password:
 *  - with a pty, only when the prompt appears: the terminal echoes whatever arrives before sudo turns
 *    echo off, and written early the password would be printed in the person's terminal. sudo's order
 *    is: echo off on its input, THEN print the prompt (tgetpass.c), so at the marker nothing echoes;
 *  - without a pty, at once: nothing echoes, and the caller may write to stdin before sudo prompts
 *    (the agent client sends `initialize` immediately), which sudo would otherwise read as the password.
 * A second prompt means the password was refused: it is never answered again (the command's next stdin
 * would be taken as a password); `refused` is called and the caller ends the channel.
 */
import { randomBytes } from 'crypto';
import { Transform, type Readable, type TransformCallback, type Writable } from 'stream';

/** A prompt no program prints: control characters around a random word. */
export function sudoMarker(): string {
  return `\u0001nodescope-sudo-${randomBytes(6).toString('hex')}\u0002`;
}

/**
 * Passes a stream through with every `marker` removed, calling `onPrompt` at each one. Bytes that could
 * be the start of a marker are held back, but never for more than 100 ms, so a terminal stays live.
 */
export class PromptWatch extends Transform {
  private held = '';
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly marker: string,
    private readonly onPrompt: (nth: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.timer) clearTimeout(this.timer);
    // latin1 maps bytes 1:1 to chars, so slicing never splits or alters a multi-byte character.
    let text = this.held + chunk.toString('latin1');
    let at: number;
    while ((at = text.indexOf(this.marker)) >= 0) {
      if (at > 0) this.push(Buffer.from(text.slice(0, at), 'latin1'));
      text = text.slice(at + this.marker.length);
      this.onPrompt(++this.count);
    }
    let keep = 0;
    for (let k = Math.min(this.marker.length - 1, text.length); k > 0; k--) {
      if (this.marker.startsWith(text.slice(text.length - k))) {
        keep = k;
        break;
      }
    }
    if (text.length > keep) this.push(Buffer.from(text.slice(0, text.length - keep), 'latin1'));
    this.held = text.slice(text.length - keep);
    if (this.held) this.timer = setTimeout(() => this.release(), 100);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.release();
    done();
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held) this.push(Buffer.from(this.held, 'latin1'));
    this.held = '';
  }
}

/**
 * The shell words that run a command through `sudo -S` with `marker` as its prompt. `--` keeps argv
 * from being read as sudo options.
 */
export function sudoWithPrompt(marker: string, command: string): string {
  return `sudo -S -p '${marker}' -- ${command}`;
}

/**
 * Answers sudo: `source` is the stream sudo prints its prompt on (read the returned stream instead: it
 * is `source` without the marker); `atPrompt` = wait for the prompt before writing (with a pty).
 */
export function answerSudo(
  source: Readable,
  marker: string,
  stdin: Writable,
  password: string,
  opts: { atPrompt: boolean; refused: () => void },
): Readable {
  if (!opts.atPrompt) stdin.write(`${password}\n`);
  const watch = new PromptWatch(marker, (nth) => {
    if (nth === 1 && opts.atPrompt) stdin.write(`${password}\n`);
    else if (nth > 1) opts.refused();
  });
  return source.pipe(watch);
}
