/**
 * Client authentication for one SSH hop, in OpenSSH's order (PreferredAuthentications without gssapi):
 * ssh-agent keys, key files (an encrypted one asks for its passphrase, three tries), password (three
 * tries, like NumberOfPasswordPrompts), then keyboard-interactive. Each method is built only when the
 * server still lists it, so nobody is asked for something the server would not take. Answers are
 * passed to ssh2 once and never stored or logged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OpenSSHAgent, utils, type AnyAuthMethod, type ParsedKey } from 'ssh2';
import type { SshTarget } from './sshConfig';
import type { Interaction } from './transport';

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const PASSWORD_TRIES = 3;

/** The auth methods to try, in OpenSSH's order, each built only when the server still offers it. */
export function authHandler(t: SshTarget, interaction: Interaction) {
  const username = t.user ?? os.userInfo().username;
  const agent = t.agentSocket === undefined ? process.env.SSH_AUTH_SOCK : t.agentSocket;
  const home = process.env.HOME || os.homedir();
  const keyFiles = t.identityFiles?.length ? t.identityFiles : DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k));
  // `offer` is the method name the server lists in its "methods that can continue".
  const steps: { offer: string; build: () => Promise<AnyAuthMethod | null> }[] = [];
  if (agent) {
    steps.push({
      offer: 'publickey',
      build: async () => ({ type: 'agent' as const, username, agent: t.identitiesOnly ? onlyAgentKeysOf(agent, keyFiles) : agent }),
    });
  }
  for (const file of keyFiles) steps.push({ offer: 'publickey', build: () => keyAuth(file, username, interaction) });
  // Three tries, as OpenSSH's NumberOfPasswordPrompts; a person who declines is not asked again.
  let declined = false;
  for (let attempt = 1; attempt <= PASSWORD_TRIES; attempt++) {
    steps.push({
      offer: 'password',
      build: async () => {
        if (declined) return null;
        const again = attempt > 1 ? ' (again: the last one was not accepted)' : '';
        const password = await interaction.askPassword(`Password for ${username}@${t.host}${again}`);
        declined = password === undefined;
        return declined ? null : { type: 'password' as const, username, password: password! };
      },
    });
  }
  steps.push({
    offer: 'keyboard-interactive',
    build: async () => ({
      type: 'keyboard-interactive' as const,
      username,
      prompt: (
        name: string,
        instructions: string,
        _lang: string,
        prompts: { prompt: string; echo?: boolean }[],
        finish: (answers: string[]) => void,
      ) => {
        interaction
          .keyboardInteractive(
            name,
            instructions,
            prompts.map((q) => ({ prompt: q.prompt, echo: q.echo ?? false })),
          )
          .then(
            (answers) => finish(answers ?? []),
            () => finish([]),
          );
      },
    }),
  });
  let next = 0;
  return (methodsLeft: string[] | null, _partial: boolean | null, callback: (a: AnyAuthMethod | false) => void): void => {
    void (async () => {
      while (next < steps.length) {
        const step = steps[next++];
        if (methodsLeft && !methodsLeft.includes(step.offer)) continue;
        const method = await step.build();
        if (method) return callback(method);
      }
      callback(false);
    })();
  };
}

/** A key file as an auth method; an encrypted one asks for its passphrase (three tries). */
async function keyAuth(file: string, username: string, interaction: Interaction): Promise<AnyAuthMethod | null> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return null; // absent default keys are normal
  }
  let passphrase: string | undefined;
  let parsed = utils.parseKey(data);
  for (let tries = 0; parsed instanceof Error && /encrypt|passphrase/i.test(parsed.message) && tries < 3; tries++) {
    passphrase = await interaction.askPassphrase(file);
    if (passphrase === undefined) return null;
    parsed = utils.parseKey(data, passphrase);
  }
  if (parsed instanceof Error) {
    interaction.log('warn', `skipping key ${file}: ${parsed.message}`);
    return null;
  }
  return { type: 'publickey' as const, username, key: data, passphrase };
}

/**
 * IdentitiesOnly, as ssh reads it: the agent may still sign, but only with the keys IdentityFile names
 * (so a key loaded in the agent is used without asking its passphrase), never with the others.
 */
function onlyAgentKeysOf(socket: string, files: string[]): OpenSSHAgent {
  const allowed = new Set(
    files
      .map(publicBlobOf)
      .filter((b): b is Buffer => b !== null)
      .map((b) => b.toString('base64')),
  );
  const agent = new OpenSSHAgent(socket);
  const all = agent.getIdentities.bind(agent);
  agent.getIdentities = (cb) =>
    all((err, keys) =>
      cb(
        err,
        keys?.filter((k) => 'getPublicSSH' in k && allowed.has(k.getPublicSSH().toString('base64'))),
      ),
    );
  return agent;
}

/** The public key blob of a key file: from FILE.pub, else from the file when it is not encrypted. */
function publicBlobOf(file: string): Buffer | null {
  for (const candidate of [`${file}.pub`, file]) {
    try {
      const parsed = utils.parseKey(fs.readFileSync(candidate));
      // ssh2 returns an array for a file of several keys, which its typings do not say.
      if (!(parsed instanceof Error)) return (Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed).getPublicSSH();
    } catch {
      /* absent or unreadable: try the next form */
    }
  }
  return null;
}
