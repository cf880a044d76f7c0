/**
 * Getting the agent onto a node and running it as root:
 *  - one probe round trip learns the architecture, uid, Node.js version, whether `sudo -n` works, and
 *    whether ~/.cache/nodescope/<version>/ holds exactly this bundle (its tree digest, below);
 *  - the bundle (dist/agent-bundle, scripts/bundle-agent.js) is uploaded over SFTP when it does not,
 *    then checked file by file with `sha256sum -c` on the node; `.bundle-hash` is written last, so a
 *    broken upload is never taken as complete;
 *  - the cache is in the login user's home, and a marker file there says nothing about the files next
 *    to it: what starts as root is checked again, as root, in the same shell that then execs node
 *    (startScript), against the digest computed here from the local bundle, never against anything
 *    the node holds. A file changed, added, or made a link since is refused in one line;
 *  - the agent starts directly when the login is root, else through `sudo -n`, else through `sudo -S`
 *    with a password asked once and held in memory for this connection only.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { shellQuote } from './localTransport';
import { plural } from '../../server/units';
import { answerSudo, sudoMarker, sudoWithPrompt } from './sudoPrompt';
import type { Interaction } from './transport';
import type { Readable } from 'stream';

export interface NodeFacts {
  arch: string;
  uid: number;
  home: string;
  node: string | null;
  nodeVersion: string | null;
  sudoWithoutPassword: boolean;
  cachedHash: string | null;
  cacheDir: string;
  version: string;
}

const MIN_NODE_MAJOR = 18;

export function defaultBundleDir(): string {
  const candidates = [
    path.join(__dirname, 'agent-bundle'),
    path.join(__dirname, '..', 'dist', 'agent-bundle'),
    path.join(__dirname, '..', '..', 'dist', 'agent-bundle'),
  ];
  return candidates.find((p) => fs.existsSync(path.join(p, 'manifest.json'))) ?? candidates[0];
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function bundleVersion(dir: string): { version: string; hash: string; natives: string[]; files: string[]; digest: string } {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`agent bundle not found at ${dir}; run \`npm run build\``);
  const text = fs.readFileSync(manifestPath);
  const m = JSON.parse(text.toString()) as { version: string; natives: string[]; files: Record<string, string> };
  const hash = sha256(text);
  // Every file the complete cache directory holds, with the hash its content must have.
  const tree: Record<string, string> = {
    ...m.files,
    'manifest.json': hash,
    SHA256SUMS: sha256(fs.readFileSync(path.join(dir, 'SHA256SUMS'))),
    '.bundle-hash': sha256(hash),
  };
  return { version: m.version, hash, natives: m.natives, files: Object.keys(m.files), digest: treeDigest(tree) };
}

/**
 * The digest DIGEST_SH prints for a directory holding exactly `tree` (path → sha256): sha256sum's line
 * for each file, `./path` in byte order as `LC_ALL=C sort` puts them, hashed together. One value stands
 * for every file's content and for the set of files, so nothing can be added (node resolves `x` before
 * `x.js`) or changed without the digest changing.
 */
export function treeDigest(tree: Record<string, string>): string {
  const lines = Object.entries(tree).map(([p, h]) => ({ key: Buffer.from(`./${p}`), line: `${h}  ./${p}\n` }));
  lines.sort((a, b) => Buffer.compare(a.key, b.key));
  return sha256(lines.map((l) => l.line).join(''));
}

/**
 * Prints the digest of the current directory's tree, or nothing when it holds anything but directories
 * and regular files (a symlink could be swapped to point elsewhere; a FIFO would hang sha256sum). POSIX
 * sh with find, sort -z, xargs -0 and sha256sum: GNU coreutils and busybox both have them.
 */
const DIGEST_SH =
  '[ -z "$(find . ! -type d ! -type f)" ] && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64';

/** The digest of the directory `dirWord` (a shell word) as a shell expression; empty when it is missing or not plain files. */
const digestOf = (dirWord: string): string => `"$(cd ${dirWord} 2>/dev/null && { ${DIGEST_SH}; })"`;

/**
 * What runs as root: the cache is checked against `digest` and node is exec'd by the same shell, so
 * nothing is left to swap between the check and the start but the few milliseconds in which only the
 * cache's owner (the login user, who could run sudo anyway) can write there.
 */
export function startScript(cacheDir: string, digest: string, node: string): string {
  const refusal = `nodescope: the agent in ${cacheDir} is not the bundle this Nodescope checked (changed on the node since); not starting it as root`;
  return `if [ ${digestOf(shellQuote(cacheDir))} != ${digest} ]; then echo ${shellQuote(refusal)} >&2; exit 1; fi; exec ${shellQuote(node)} ${shellQuote(`${cacheDir}/agent.js`)}`;
}

/** Runs a command, collecting stdout; rejects with stderr's last line on a non-zero exit. */
export function run(client: Client, command: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      const outChunks: Buffer[] = [];
      let errText = '';
      ch.on('data', (d: Buffer) => outChunks.push(d)); // decoded once at the end: chunks may split characters
      ch.stderr.on('data', (d: Buffer) => (errText += d.toString()));
      // 'exit' can arrive while output is still buffered in the stream: settle on 'close', after all of it.
      let code: number | null = null;
      ch.on('exit', (c: number | null) => (code = c));
      ch.on('close', () => {
        if (code === 0) resolve(Buffer.concat(outChunks).toString('utf8'));
        else reject(new Error(errText.trim().split('\n').pop() || (code === null ? 'killed by a signal' : `exit code ${code}`)));
      });
      if (input !== undefined) ch.end(input);
    });
  });
}

export async function probeNode(client: Client, remoteNodePath?: string, bundleDir = defaultBundleDir()): Promise<NodeFacts> {
  const { version, hash, digest } = bundleVersion(bundleDir);
  const nodeCmd = remoteNodePath ? shellQuote(remoteNodePath) : '$(command -v node || true)';
  const script = [
    'uname -m',
    'id -u',
    'echo "$HOME"',
    `N=${nodeCmd}; echo "$N"`,
    '[ -n "$N" ] && [ -x "$N" ] && "$N" -v || echo none',
    'sudo -n true 2>/dev/null && echo sudo-ok || echo sudo-no',
    // Not the marker alone: the cached tree's digest, so a changed or added file means a new upload.
    `D=${digestOf(`"$HOME/.cache/nodescope/${version}"`)}; [ "$D" = ${digest} ] && echo ${hash} || echo none`,
  ].join('; ');
  const lines = (await run(client, `sh -c ${shellQuote(script)}`)).split('\n');
  if (lines.length < 7)
    throw new Error(
      `the node's shell answered the probe with ${lines.length} lines instead of 7 (is the login shell printing a banner, or not POSIX?)`,
    );
  const [arch, uid, home, node, nodeVersion, sudo, cached] = lines;
  return {
    arch: arch.trim(),
    uid: Number(uid),
    home: home.trim(),
    node: node.trim() || null,
    nodeVersion: nodeVersion?.trim() === 'none' ? null : (nodeVersion?.trim() ?? null),
    sudoWithoutPassword: sudo?.trim() === 'sudo-ok',
    cachedHash: cached?.trim() === 'none' ? null : (cached?.trim() ?? null),
    cacheDir: `${home.trim()}/.cache/nodescope/${version}`,
    version,
  };
}

const ARCH: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' };

function sftpOf(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/**
 * Uploads into a staging directory of its own, checks it, marks it complete, and only then moves it to
 * `dest`: two connections deploying to the same node at once (the extension and the CLI, say) never
 * write into the same files, and an agent is never started from a half-written directory.
 */
async function upload(client: Client, bundleDir: string, files: string[], dest: string, hash: string, digest: string): Promise<void> {
  const staging = `${dest}.part-${randomBytes(6).toString('hex')}`;
  const dirs = [...new Set(files.map((f) => path.posix.dirname(`${staging}/${f}`)))];
  await run(client, `mkdir -p ${dirs.map(shellQuote).join(' ')}`);
  try {
    const sftp = await sftpOf(client);
    try {
      for (const f of [...files, 'manifest.json', 'SHA256SUMS']) {
        await new Promise<void>((resolve, reject) =>
          sftp.fastPut(path.join(bundleDir, f), `${staging}/${f}`, (err) =>
            err ? reject(new Error(`upload of ${f} failed: ${err.message}`)) : resolve(),
          ),
        );
      }
    } finally {
      sftp.end();
    }
    // Verified on the node before it is marked complete: a truncated or altered upload never runs.
    try {
      await run(client, `cd ${shellQuote(staging)} && sha256sum -c --quiet SHA256SUMS`);
    } catch (err) {
      throw new Error(`the uploaded agent failed its checksum check on the node (${(err as Error).message}); not starting it`, {
        cause: err,
      });
    }
    // If another connection completed the same bundle meanwhile, keep theirs (it may be running); a
    // cache that only says it is complete (.bundle-hash) but holds other files is replaced.
    const [q, qs] = [shellQuote(dest), shellQuote(staging)];
    await run(
      client,
      `printf %s ${hash} > ${qs}/.bundle-hash && if [ ${digestOf(q)} = ${digest} ]; then rm -rf ${qs}; else rm -rf ${q} && mv ${qs} ${q}; fi`,
    );
  } finally {
    await run(client, `rm -rf ${shellQuote(staging)}`).catch(() => undefined);
  }
}

/**
 * Uploads a Node.js binary (nodescope.nodeRuntime) for a node that has none, once per content hash, and
 * checks that it runs there and is new enough before the agent is started with it.
 */
async function uploadRuntime(client: Client, local: string, facts: NodeFacts, interaction: Interaction): Promise<string> {
  if (!fs.existsSync(local)) throw new Error(`nodescope.nodeRuntime: ${local} does not exist`);
  const hash = createHash('sha256').update(fs.readFileSync(local)).digest('hex');
  const dest = `${path.posix.dirname(facts.cacheDir)}/node-${hash.slice(0, 16)}`;
  const present = await run(client, `test -x ${shellQuote(dest)} && echo yes || echo no`);
  if (present.trim() !== 'yes') {
    interaction.log('info', `uploading the Node.js runtime ${local} to ${dest}`);
    await run(client, `mkdir -p ${shellQuote(path.posix.dirname(dest))}`);
    // A name of its own, then an atomic rename: a concurrent upload of the same runtime cannot interleave.
    const part = `${dest}.part-${randomBytes(6).toString('hex')}`;
    const sftp = await sftpOf(client);
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(local, part, (err) => (err ? reject(new Error(`upload of the Node.js runtime failed: ${err.message}`)) : resolve())),
      );
    } finally {
      sftp.end();
    }
    await run(client, `chmod 755 ${shellQuote(part)} && mv -f ${shellQuote(part)} ${shellQuote(dest)}`);
  }
  let version: string;
  try {
    version = (await run(client, `${shellQuote(dest)} -v`)).trim();
  } catch (err) {
    throw new Error(
      `the uploaded Node.js runtime does not run on this ${facts.arch} node (${(err as Error).message}); give one built for linux-${ARCH[facts.arch] ?? facts.arch}`,
      { cause: err },
    );
  }
  if (Number(/^v(\d+)/.exec(version)?.[1] ?? 0) < MIN_NODE_MAJOR)
    throw new Error(`the uploaded Node.js runtime is ${version}; the agent needs ${MIN_NODE_MAJOR}+`);
  return dest;
}

export async function deployAgent(
  client: Client,
  facts: NodeFacts,
  interaction: Interaction,
  opts: { agentBundleDir?: string; nodeRuntime?: string } = {},
): Promise<{ channel: ClientChannel; stderr: Readable; sudoPassword?: string; sudoRefused: () => boolean; uploaded: boolean }> {
  const bundleDir = opts.agentBundleDir ?? defaultBundleDir();
  const bundle = bundleVersion(bundleDir);
  const arch = ARCH[facts.arch] ?? facts.arch;
  const major = Number(/^v(\d+)/.exec(facts.nodeVersion ?? '')?.[1] ?? 0);
  let node = facts.node;
  if (!node || major < MIN_NODE_MAJOR) {
    const problem = !node
      ? 'no Node.js on the node'
      : !facts.nodeVersion
        ? `no Node.js at ${node} on the node`
        : `Node.js ${facts.nodeVersion} on the node is too old`;
    if (!opts.nodeRuntime) {
      throw new Error(
        `${problem}; the agent needs Node.js ${MIN_NODE_MAJOR}+: install it there, point nodescope.remoteNodePath at it, or set nodescope.nodeRuntime to a Node.js binary for linux-${arch} to upload`,
      );
    }
    node = await uploadRuntime(client, opts.nodeRuntime, facts, interaction);
  }
  if (!bundle.natives.includes(arch)) {
    interaction.log(
      'warn',
      `no native FFI build for ${facts.arch} in the bundle: namespace hierarchy, hostnames, xattrs and page cache will be reported unknown`,
    );
  }
  const uploaded = facts.cachedHash !== bundle.hash;
  if (uploaded) {
    interaction.log('info', `uploading the agent (${plural(bundle.files.length, 'file')}) to ${facts.cacheDir}`);
    await upload(client, bundleDir, bundle.files, facts.cacheDir, bundle.hash, bundle.digest);
  } else {
    interaction.log('info', `agent ${bundle.version} already on the node; reusing it`);
  }
  // Checked and started in one shell, as root (startScript).
  const argv = `sh -c ${shellQuote(startScript(facts.cacheDir, bundle.digest, node))}`;
  let sudoPassword: string | undefined;
  const marker = sudoMarker();
  let command: string;
  if (facts.uid === 0) command = `exec ${argv}`;
  else if (facts.sudoWithoutPassword) command = `exec sudo -n -- ${argv}`;
  else {
    sudoPassword = await interaction.askPassword('sudo password (to run the Nodescope agent as root; kept for this connection only)');
    if (sudoPassword === undefined) throw new Error('the agent needs root: sudo password not given');
    command = `exec ${sudoWithPrompt(marker, argv)}`;
  }
  const channel = await new Promise<ClientChannel>((resolve, reject) =>
    client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))),
  );
  // No pty: the password goes first, ahead of JSON-RPC; a second prompt means it was wrong (sudoPrompt.ts).
  let refused = false;
  const stderr =
    sudoPassword === undefined
      ? channel.stderr
      : answerSudo(channel.stderr, marker, channel, sudoPassword, {
          atPrompt: false,
          refused: () => {
            refused = true;
            channel.close();
          },
        });
  return { channel, stderr, sudoPassword, sudoRefused: () => refused, uploaded };
}
