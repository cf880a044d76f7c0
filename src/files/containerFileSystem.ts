/**
 * A container's files in the editor, read-only, named `/<container name>/<path>` wherever VS Code shows a
 * file's name (containerFileUri.ts says how the URI carries the node and container). Every call goes to the node's agent (files.stat/list/read), which opens each path inside the container's
 * root (openat2 RESOLVE_IN_ROOT): what the editor shows is what the container sees, mounts included, and
 * a symlink of the container's never leads to a file of the node. Nodescope never writes a container.
 *
 * A URI with a layer view (`/<container name> (layer 3)/<path>`, `… (up to layer 3)/…`) reads one layer
 * alone or the merged view up to it (layerFiles.*: the agent resolves each path inside the layers'
 * verified host directories); the file decorations show the marks it answers with (layerDecorations.ts).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ContainerFileEntry, ContainerFileStat } from '../../server/protocol';
import type { AgentClient } from '../connection/agentClient';
import type { NodeRegistry } from '../nodes/registry';
import {
  containerFileParts,
  parseContainerFile,
  rootSegment,
  switchView,
  type ContainerFileRef,
  type LayerViewRef,
} from './containerFileUri';

export const FILES_SCHEME = 'nodescope-files';

/** The URI of `file` (absolute, inside the container) of a container on a node; with `view`, of a layer view of its stack. */
export function containerFileUri(nodeId: string, container: { id: string; name: string }, file = '/', view?: LayerViewRef): vscode.Uri {
  return vscode.Uri.from({ scheme: FILES_SCHEME, ...containerFileParts(nodeId, container.id, container.name, file, view) });
}

/** The same file in another view of the same container (`view` undefined: the container's own). */
export function inView(uri: vscode.Uri, view: LayerViewRef | undefined): vscode.Uri {
  const parts = switchView(uri.authority, uri.path, view);
  if (!parts) throw vscode.FileSystemError.FileNotFound(uri);
  return vscode.Uri.from({ scheme: FILES_SCHEME, ...parts });
}

/** The node, container, file and view a URI of this scheme names; FileNotFound for anything else. */
export function parseFileUri(uri: vscode.Uri): ContainerFileRef {
  const ref = parseContainerFile(uri.authority, uri.path);
  if (!ref) throw vscode.FileSystemError.FileNotFound(uri);
  return ref;
}

const TYPE: Record<ContainerFileStat['type'], vscode.FileType> = {
  file: vscode.FileType.File,
  dir: vscode.FileType.Directory,
  symlink: vscode.FileType.SymbolicLink,
  other: vscode.FileType.Unknown,
};

interface Target {
  client: AgentClient;
  container: string;
  file: string;
  view?: LayerViewRef;
}

/** lstat of `path` in the target's view. */
async function statIn(t: Target, path: string): Promise<ContainerFileStat> {
  return t.view
    ? t.client.request('layerFiles.stat', { target: t.container, ...t.view, path })
    : t.client.request('files.stat', { container: t.container, path });
}

export class ContainerFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  constructor(private readonly nodes: NodeRegistry) {}

  private agent(uri: vscode.Uri): Target {
    const { nodeId, containerId, file, view } = parseFileUri(uri);
    const session = this.nodes.all.find((s) => s.id === nodeId);
    const client = session?.agent;
    if (!client) throw vscode.FileSystemError.Unavailable(`${session?.label ?? nodeId} is not connected`);
    // Above the container's root there is only the folder named after it (see readDirectory).
    if (file === undefined) throw vscode.FileSystemError.FileNotFound(uri);
    return { client, container: containerId, file, ...(view ? { view } : {}) };
  }

  /** The URI's root, above the container's own: one folder, named after the container. */
  private aboveRoot(uri: vscode.Uri): { name: string } | undefined {
    const ref = parseFileUri(uri);
    if (ref.file !== undefined) return undefined;
    const c = this.nodes.get(ref.nodeId)?.model.container(ref.containerId);
    return { name: rootSegment(c?.name ?? ref.containerId, ref.view) };
  }

  /** The agent's one-line refusal, as the error VS Code shows for a file. */
  private async call<T>(uri: vscode.Uri, fn: (a: Target) => Promise<T>): Promise<T> {
    const a = this.agent(uri);
    try {
      return await fn(a);
    } catch (err) {
      const msg = (err as Error).message;
      if (/no such file|no container/.test(msg)) throw vscode.FileSystemError.FileNotFound(uri);
      throw vscode.FileSystemError.Unavailable(msg);
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (this.aboveRoot(uri))
      return { type: vscode.FileType.Directory, size: 0, mtime: 0, ctime: 0, permissions: vscode.FilePermission.Readonly };
    return this.call(uri, async (t) => {
      const st = await statIn(t, t.file);
      let type = TYPE[st.type];
      // VS Code wants a link's type OR'd with what it points to: follow it, inside the container, a few times.
      let target: ContainerFileStat = st;
      for (let hops = 0; target.type === 'symlink' && target.target !== undefined && hops < 8; hops++) {
        const next = path.posix.resolve(path.posix.dirname(target.path), target.target);
        target = await statIn(t, next).catch(() => ({ ...target, type: 'other' as const }));
      }
      if (st.type === 'symlink') type |= target.type === 'symlink' ? vscode.FileType.Unknown : TYPE[target.type];
      const seen = st.type === 'symlink' ? target : st;
      return { type, size: seen.size, mtime: seen.mtimeMs, ctime: seen.ctimeMs, permissions: vscode.FilePermission.Readonly };
    });
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const above = this.aboveRoot(uri);
    if (above) return [[above.name, vscode.FileType.Directory]];
    return this.call(uri, async ({ client, container, file, view }) => {
      const r: { entries: ContainerFileEntry[] } = view
        ? await client.request('layerFiles.list', { target: container, ...view, path: file })
        : await client.request('files.list', { container, path: file });
      return r.entries.map((e) => [e.name, TYPE[e.type]] as [string, vscode.FileType]);
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.call(uri, async ({ client, container, file, view }) => {
      const r = view
        ? await client.request('layerFiles.read', { target: container, ...view, path: file })
        : await client.request('files.read', { container, path: file });
      return Buffer.from(r.base64, 'base64');
    });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  private readOnly(): never {
    throw vscode.FileSystemError.NoPermissions('Nodescope shows containers read-only; it never writes to them');
  }
  createDirectory(): void {
    this.readOnly();
  }
  writeFile(): void {
    this.readOnly();
  }
  delete(): void {
    this.readOnly();
  }
  rename(): void {
    this.readOnly();
  }
}
