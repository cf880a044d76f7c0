/**
 * The answer to "trust this unknown host key?", read as OpenSSH reads it (sshconnect.c, confirm()):
 * "yes" (any case) or the key's own fingerprint trusts it; "no" or nothing at all refuses; anything else
 * ("y", a different fingerprint) is asked again. Enter on an empty answer is therefore the safe choice,
 * never the trusting one. No vscode import: the unit tests read answers directly.
 */

export type HostKeyAnswer = { trust: boolean } | { askAgain: string };

export function readHostKeyAnswer(typed: string, fingerprint: string): HostKeyAnswer {
  const answer = typed.trim();
  if (answer === '' || answer.toLowerCase() === 'no') return { trust: false };
  if (answer.toLowerCase() === 'yes' || answer === fingerprint) return { trust: true };
  if (/^(SHA256|MD5):/i.test(answer)) {
    return {
      askAgain: `that is not the fingerprint this node presented (${fingerprint}): type no, or Escape, unless you know why it differs`,
    };
  }
  return { askAgain: "type 'yes', 'no' or the fingerprint" };
}
