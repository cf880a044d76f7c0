/**
 * The Host block "Add Node…" adds to the user's SSH config. The block is made by the ssh-config library
 * (its `append`: indented as the file's own blocks are, values with blanks quoted) and added after the
 * file's text as it was: the library's stringify would re-emit lines it reads differently (a trailing
 * `# comment` loses the blank before it), so the existing text is never rewritten.
 */
import type * as SshConfigLib from 'ssh-config' with { 'resolution-mode': 'import' };
import type { SshCommandLine } from './sshConfig';

// The CommonJS build of an ES module package; see src/connection/sshConfig.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse, SSHConfig, stringify } = require('ssh-config') as typeof SshConfigLib;

/** `Host alias` with what the destination says, in ssh_config's words; `existing`: the file it goes into. */
export function hostBlockFor(alias: string, d: Omit<SshCommandLine, 'ignored'>, existing = ''): string {
  if (!/^[\w.-]+$/.test(alias)) throw new Error(`"${alias}" cannot be a Host alias (letters, digits, . _ - only)`);
  const fields: Record<string, string> = { Host: alias, HostName: d.host };
  if (d.user) fields.User = d.user;
  if (d.port && d.port !== 22) fields.Port = String(d.port);
  if (d.identityFile) fields.IdentityFile = d.identityFile;
  if (d.jump) fields.ProxyJump = d.jump;
  if (d.proxyCommand) fields.ProxyCommand = d.proxyCommand;
  // Appended to the parsed file, so the library indents it as the file's blocks are; then printed alone.
  const config = parse(existing);
  config.append(fields);
  const block = config[config.length - 1];
  const alone = new SSHConfig();
  alone.push({ ...block, before: '' });
  return stringify(alone).replace(/\n+$/, '');
}

/** The file's text with the block for `alias` after it, a blank line between; the text before is kept byte for byte. */
export function withHostBlock(existing: string, alias: string, d: Omit<SshCommandLine, 'ignored'>): string {
  const block = hostBlockFor(alias, d, existing);
  if (!existing) return `${block}\n`;
  return `${existing}${existing.endsWith('\n') ? '' : '\n'}\n${block}\n`;
}
