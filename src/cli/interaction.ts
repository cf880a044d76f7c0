/**
 * How the CLI answers the connection layer. Like ssh with StrictHostKeyChecking=yes it never trusts an
 * unknown host key by itself (--accept-new-host-key does); passwords and passphrases are read from the
 * terminal without echo, and only when there is a terminal: a script gets an auth failure, not a hang.
 */
import type { Interaction } from '../connection/transport';
import { escapeControls } from '../../server/escapeControls';

function readHidden(prompt: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.resolve(undefined);
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0003') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(ch === '\u0003' ? undefined : text);
        }
        text = ch === '\u007f' ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A yes/no question on the terminal (stderr); only "y" or "yes" is a yes, and end of input is a no. */
export function askYesNo(prompt: string): Promise<boolean> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  return new Promise((resolve) => {
    const done = (answer: boolean): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(answer);
    };
    const onData = (d: Buffer | string): void => done(/^\s*y(es)?\s*$/i.test(d.toString()));
    const onEnd = (): void => done(false);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

export function cliInteraction(verbose: boolean): Interaction {
  return {
    confirmHostKey: async () => false,
    askPassword: (prompt) => readHidden(`${prompt}: `),
    askPassphrase: (keyPath) => readHidden(`Passphrase for ${keyPath}: `),
    keyboardInteractive: async (_name, _instructions, prompts) => {
      const answers: string[] = [];
      for (const p of prompts) {
        const a = await readHidden(escapeControls(p.prompt)); // the server's words
        if (a === undefined) return undefined;
        answers.push(a);
      }
      return answers;
    },
    log: (level, message) => {
      // Messages carry what the node said (its agent's stderr, a host's banner): escaped like all output.
      if (verbose || level !== 'info') process.stderr.write(`nodescope: ${escapeControls(message)}\n`);
    },
  };
}
