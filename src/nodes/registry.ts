/**
 * The nodes the Nodes view lists: "This machine" (Linux only), the hosts of the user's SSH config, and
 * hosts added with "Add Node…" and kept in settings. Each is a NodeSession; several connect at once.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { NodeSession } from '../model/nodeSession';
import type { ModelChange } from '../model/nodeModel';
import { openLocalTransport } from '../connection/localTransport';
import { openSshTransport } from '../connection/sshTransport';
import {
  defaultConfigFiles,
  listConfiguredHosts,
  parseSshCommandLine,
  readSshConfig,
  resolveHost,
  settingTarget,
  type SshConfig,
  type SshTarget,
} from '../connection/sshConfig';
import type { AgentTransport } from '../connection/transport';
import { vscodeInteraction } from './interaction';
import { watchInterval } from '../../server/watch';

export const LOCAL_ID = 'local';

function settings() {
  const c = vscode.workspace.getConfiguration('nodescope');
  return {
    showThisMachine: c.get<boolean>('showThisMachine', true),
    sshConfigFile: c.get<string>('sshConfigFile', ''),
    extraSshConfigFiles: c.get<string[]>('extraSshConfigFiles', []),
    hosts: c.get<string[]>('hosts', []),
    hiddenHosts: c.get<string[]>('hiddenHosts', []),
    // Clamped as the agent clamps it (250 ms to 1 h, 0 off): the setting is sent as it is typed.
    watchIntervalMs: watchInterval(c.get<number>('watchIntervalMs', 2000)),
    maxReconnectAttempts: c.get<number>('reconnect.maxAttempts', 5),
    connectTimeoutSeconds: c.get<number>('connectTimeoutSeconds', 20),
    remoteNodePath: c.get<string>('remoteNodePath', ''),
    nodeRuntime: c.get<string>('nodeRuntime', ''),
  };
}

/**
 * The SSH config files in the order ssh would weigh them (first value wins): the user's file, then the
 * extra ones, then the system-wide one. The first is where "Add Node…" writes Host blocks.
 */
export function sshConfigFiles(): string[] {
  const s = settings();
  const [user, system] = defaultConfigFiles();
  return [s.sshConfigFile || user, ...s.extraSshConfigFiles, system];
}

/**
 * Where a node in the list comes from, which is what removing it has to undo: a line of `nodescope.hosts`,
 * a Host of the SSH config (hidden through `nodescope.hiddenHosts`, the SSH config is left alone), or
 * This machine (`nodescope.showThisMachine`).
 */
export type NodeOrigin = { kind: 'local' } | { kind: 'setting'; dest: string } | { kind: 'sshConfig'; alias: string };

export class NodeRegistry implements vscode.Disposable {
  private sessions = new Map<string, NodeSession>();
  private readonly origins = new Map<string, NodeOrigin>();
  private readonly changed = new vscode.EventEmitter<NodeSession | undefined>();
  /** A node's state changed, or its model wholesale (undefined: the list of nodes itself). */
  readonly onDidChange = this.changed.event;
  private readonly modelChanged = new vscode.EventEmitter<{ session: NodeSession; change: ModelChange }>();
  /** What changed in a node's model, for views that refresh only that. */
  readonly onDidChangeModel = this.modelChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.reload();
  }

  get all(): NodeSession[] {
    return [...this.sessions.values()];
  }

  get(id: string): NodeSession | undefined {
    return this.sessions.get(id);
  }

  origin(id: string): NodeOrigin | undefined {
    return this.origins.get(id);
  }

  /** Re-reads settings and the SSH config; keeps existing sessions (and their connections). */
  reload(): void {
    const s = settings();
    const wanted = new Map<string, { label: string; origin: NodeOrigin; open: () => Promise<AgentTransport> }>();
    if (s.showThisMachine && process.platform === 'linux') {
      const agentPath = path.join(this.context.extensionPath, 'dist', 'agent-bundle', 'agent.js');
      wanted.set(LOCAL_ID, { label: 'This machine', origin: { kind: 'local' }, open: () => openLocalTransport({ agentPath }) });
    }
    let cfg: SshConfig | undefined;
    try {
      cfg = readSshConfig(sshConfigFiles());
      for (const skipped of cfg.unsupported) this.log.warn(`SSH config: ${skipped}`);
    } catch (err) {
      this.log.error(`cannot read the SSH config: ${(err as Error).message}`);
    }
    const sshTarget = (alias: string, extra: Partial<SshTarget> = {}): SshTarget => {
      const t = { ...(cfg ? resolveHost(cfg, alias) : { host: alias }), ...extra };
      t.connectTimeoutMs ??= s.connectTimeoutSeconds * 1000;
      return t;
    };
    // The target is resolved at each connect, so edits to the SSH config apply without a reload.
    const sshOpen = (label: string, target: () => SshTarget) => () =>
      openSshTransport(target(), vscodeInteraction(label, this.log), {
        remoteNodePath: s.remoteNodePath || undefined,
        nodeRuntime: s.nodeRuntime || undefined,
        agentBundleDir: path.join(this.context.extensionPath, 'dist', 'agent-bundle'),
      });
    const hidden = new Set(s.hiddenHosts);
    for (const alias of cfg ? listConfiguredHosts(cfg) : []) {
      if (!hidden.has(alias))
        wanted.set(`ssh:${alias}`, { label: alias, origin: { kind: 'sshConfig', alias }, open: sshOpen(alias, () => sshTarget(alias)) });
    }
    for (const dest of s.hosts) {
      try {
        const d = parseSshCommandLine(dest);
        const label = `${d.user ? `${d.user}@` : ''}${d.host}${d.port ? `:${d.port}` : ''}`;
        wanted.set(`ssh:${dest}`, {
          label,
          origin: { kind: 'setting', dest },
          open: sshOpen(label, () => settingTarget(d, sshTarget(d.host), cfg)),
        });
      } catch (err) {
        this.log.warn(`nodescope.hosts: ${(err as Error).message}`);
      }
    }
    for (const [id, session] of this.sessions) {
      if (!wanted.has(id)) {
        void session.disconnect();
        this.sessions.delete(id);
      }
    }
    this.origins.clear();
    for (const [id, w] of wanted) {
      this.origins.set(id, w.origin);
      if (this.sessions.has(id)) continue;
      const session = new NodeSession(id, w.label, id === LOCAL_ID ? 'local' : 'ssh', w.open, {
        watchIntervalMs: s.watchIntervalMs,
        maxReconnectAttempts: s.maxReconnectAttempts,
        clientVersion: String((this.context.extension.packageJSON as { version: unknown }).version),
        log: (level, msg) => this.log[level](msg),
      });
      // A session dropped by reload() may still report its last close: it is no longer in the tree.
      session.onDidChangeState(() => this.sessions.get(id) === session && this.changed.fire(session));
      session.model.onDidChange((change) => this.modelChanged.fire({ session, change }));
      this.sessions.set(id, session);
    }
    this.changed.fire(undefined);
  }

  /** Connects with a progress notification; errors become one notification line. */
  async connect(session: NodeSession): Promise<boolean> {
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Nodescope: connecting to ${session.label}…`, cancellable: false },
        () => session.connect(),
      );
      return true;
    } catch (err) {
      void vscode.window.showErrorMessage(`Nodescope: ${session.label}: ${(err as Error).message.split('\n')[0]}`);
      return false;
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) void s.disconnect();
    this.changed.dispose();
    this.modelChanged.dispose();
  }
}
