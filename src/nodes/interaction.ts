/**
 * The connection layer's questions, answered with VS Code UI: a modal for an unknown host key (with the
 * SHA256 fingerprint), password boxes that are never saved, and the log channel.
 */
import * as vscode from 'vscode';
import type { Interaction } from '../connection/transport';

export function vscodeInteraction(nodeLabel: string, log: vscode.LogOutputChannel): Interaction {
  return {
    async confirmHostKey({ host, port, keyType, fingerprint }) {
      const trust = 'Trust and Connect';
      const answer = await vscode.window.showWarningMessage(
        `The authenticity of ${port === 22 ? host : `[${host}]:${port}`} (${nodeLabel}) can't be established.`,
        { modal: true, detail: `${keyType} key fingerprint is ${fingerprint}.\n\nTrust it only if you know it is this node's key. It will be kept in Nodescope's own store; your known_hosts is not changed.` },
        trust,
      );
      return answer === trust;
    },
    askPassword: async (prompt) => vscode.window.showInputBox({ title: `Nodescope: ${nodeLabel}`, prompt, password: true, ignoreFocusOut: true }),
    askPassphrase: async (keyPath) => vscode.window.showInputBox({ title: `Nodescope: ${nodeLabel}`, prompt: `Passphrase for ${keyPath}`, password: true, ignoreFocusOut: true }),
    async keyboardInteractive(name, instructions, prompts) {
      const answers: string[] = [];
      for (const p of prompts) {
        const a = await vscode.window.showInputBox({ title: name || `Nodescope: ${nodeLabel}`, prompt: [instructions, p.prompt].filter(Boolean).join(' '), password: !p.echo, ignoreFocusOut: true });
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
