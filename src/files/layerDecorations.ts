/**
 * Decorations of layer views' files (URIs with a layer view, containerFileUri.ts): a whiteout, an opaque
 * directory, a file the writable layer copied up, and in a merged view which layer serves each entry
 * ("from layer N", its number as the badge). What each entry is comes from the agent's listing of its
 * directory (layerFiles.list answers every entry's marks), asked once per directory and kept for a short
 * while: the explorer asks about every row it shows, and one request per row would queue on the agent.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LayerFileMarks } from '../../server/protocol';
import type { NodeRegistry } from '../nodes/registry';
import { FILES_SCHEME, parseFileUri } from './containerFileSystem';
import type { LayerViewRef } from './containerFileUri';
import { decorationOf } from './layerMarkWords';

/** How long a directory's marks are reused: the layers of an image do not change; a container's upper may. */
const FRESH_MS = 10_000;
/** Directories whose marks are kept at once. */
const KEPT = 200;

export class LayerDecorations implements vscode.FileDecorationProvider {
  private readonly listings = new Map<string, { at: number; marks: Promise<Map<string, LayerFileMarks>> }>();

  constructor(private readonly nodes: NodeRegistry) {}

  async provideFileDecoration(uri: vscode.Uri): Promise<vscode.FileDecoration | undefined> {
    if (uri.scheme !== FILES_SCHEME) return undefined;
    let ref;
    try {
      ref = parseFileUri(uri);
    } catch {
      return undefined;
    }
    if (!ref.view || ref.file === undefined || ref.file === '/') return undefined;
    const marks = (await this.marksOf(ref.nodeId, ref.containerId, ref.view, path.posix.dirname(ref.file)).catch(() => undefined))?.get(
      path.posix.basename(ref.file),
    );
    const d = marks && decorationOf(marks, ref.view);
    if (!d) return undefined;
    const out = new vscode.FileDecoration(d.badge || undefined, d.tooltip, d.color ? new vscode.ThemeColor(d.color) : undefined);
    out.propagate = false;
    return out;
  }

  private marksOf(nodeId: string, target: string, view: LayerViewRef, dir: string): Promise<Map<string, LayerFileMarks>> {
    const key = JSON.stringify([nodeId, target, view.layer, view.merged, dir]);
    const kept = this.listings.get(key);
    if (kept && Date.now() - kept.at < FRESH_MS) return kept.marks;
    const client = this.nodes.get(nodeId)?.agent;
    if (!client) return Promise.reject(new Error('not connected'));
    const marks = client
      .request('layerFiles.list', { target, ...view, path: dir })
      .then((r) => new Map(r.entries.map((e) => [e.name, e.marks])));
    this.listings.delete(key);
    this.listings.set(key, { at: Date.now(), marks });
    // The oldest go first (a Map iterates in insertion order).
    for (const old of this.listings.keys()) {
      if (this.listings.size <= KEPT) break;
      this.listings.delete(old);
    }
    marks.catch(() => this.listings.delete(key));
    return marks;
  }
}
