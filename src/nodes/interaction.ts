/**
 * The connection layer's questions, answered with VS Code UI: an unknown host key is confirmed as OpenSSH
 * does it, by typing "yes" or the fingerprint (hostKeyAnswer.ts), so Enter alone never trusts a key;
 * password boxes that are never saved; and the log channel.
 */
import * as vscode from 'vscode';
import { hostName } from '../connection/knownHosts';
import type { Interaction } from '../connection/transport';
import { readHostKeyAnswer } from './hostKeyAnswer';

export function vscodeInteraction(nodeLabel: string, log: vscode.LogOutputChannel): Interaction {
  return {
    async confirmHostKey({ host, port, keyType, fingerprint }) {
      const who = hostName(host, port);
      const typed = await vscode.window.showInputBox({
        title: `Nodescope: the authenticity of ${who} (${nodeLabel}) can't be established`,
        prompt: `${keyType} key fingerprint is ${fingerprint}. Trust it only if you know it is this node's key: type yes (or paste the fingerprint you expect) to trust it and connect; Enter on the empty box refuses. A trusted key is kept in Nodescope's own store; your known_hosts is not changed.`,
        placeHolder: 'yes / no / the fingerprint',
        ignoreFocusOut: true,
        validateInput: (v) => {
          const a = readHostKeyAnswer(v, fingerprint);
          return 'askAgain' in a ? a.askAgain : null;
        },
      });
      const answer = readHostKeyAnswer(typed ?? '', fingerprint);
      const trust = 'trust' in answer && answer.trust;
      if (!trust)
        log.info(
          `${nodeLabel}: ${keyType} host key ${fingerprint} of ${who} not trusted (${typed === undefined ? 'the question was dismissed' : 'answered no'})`,
        );
      return trust;
    },
    askPassword: async (prompt) =>
      vscode.window.showInputBox({ title: `Nodescope: ${nodeLabel}`, prompt, password: true, ignoreFocusOut: true }),
    askPassphrase: async (keyPath) =>
      vscode.window.showInputBox({
        title: `Nodescope: ${nodeLabel}`,
        prompt: `Passphrase for ${keyPath}`,
        password: true,
        ignoreFocusOut: true,
      }),
    async keyboardInteractive(name, instructions, prompts) {
      const answers: string[] = [];
      for (const p of prompts) {
        const a = await vscode.window.showInputBox({
          title: name || `Nodescope: ${nodeLabel}`,
          prompt: [instructions, p.prompt].filter(Boolean).join(' '),
          password: !p.echo,
          ignoreFocusOut: true,
        });
        if (a === undefined) return undefined;
        answers.push(a);
      }
      return answers;
    },
    log(level, message) {
      log[level](`${nodeLabel}: ${message}`);
    },
  };
}
