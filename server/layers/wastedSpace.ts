/**
 * Wasted space in a layer stack, as dive means it: bytes a layer holds that the merged view never shows,
 * because a later (higher) layer overwrote the file, removed it (a whiteout at the path or at a directory
 * above it), replaced a directory above it with something else, or made a directory above it opaque.
 * Efficiency is 1 − wasted / total, over the regular file content of every layer.
 *
 * Overlay lookup (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories"): a name in
 * a higher layer hides the same name in every lower one, except that two directories merge; a lower
 * directory's content is hidden once a higher layer has a non-directory or an opaque directory at that
 * name. So a lower regular file at `p` is unseen exactly when some higher layer has any entry at `p`, or a
 * non-directory (file, symlink, whiteout, device) or an opaque directory at an ancestor of `p`.
 *
 * Pure and streamed: layers are fed top-most first, each entry once, so a layer is read in one walk and
 * only what the layers above hold is kept (one small record per path). Redirects (renamed directories,
 * redirect_dir=on) are not followed here: engines do not make them in image layers.
 */

export type EntryKind = 'file' | 'dir' | 'opaqueDir' | 'whiteout' | 'other';

export interface StackEntry {
  /** Path inside the layer, no leading slash: `etc/passwd`. For a whiteout, the path it deletes. */
  path: string;
  kind: EntryKind;
  /** Regular file content; 0 for anything else. */
  bytes: number;
}

export interface WastedFile {
  /** Absolute in the image: `/data/blob`. */
  path: string;
  bytes: number;
  /** The report's index of the layer holding the unseen copy (0 = top-most). */
  layer: number;
}

/** What the layers above hold at a path: anything hides the same path; `hidesBelow` hides what lies under it. */
const PRESENT = 1;
const HIDES_BELOW = 2;

export class WasteCounter {
  /** Paths of the layers already fed (above the current one), with PRESENT / HIDES_BELOW bits. */
  private readonly above = new Map<string, number>();
  /** The current layer's entries, merged into `above` when the layer ends (a layer never hides its own files). */
  private current = new Map<string, number>();
  private layer = -1;
  readonly wasted: WastedFile[] = [];
  wastedBytes = 0;
  totalBytes = 0;

  /** Starts the next layer down; `index` is what the report calls it. */
  beginLayer(index: number): void {
    this.endLayer();
    this.layer = index;
  }

  add(e: StackEntry): void {
    const hidesBelow = e.kind === 'dir' ? 0 : HIDES_BELOW;
    this.current.set(e.path, (this.current.get(e.path) ?? 0) | PRESENT | hidesBelow);
    if (e.kind !== 'file') return;
    this.totalBytes += e.bytes;
    if (e.bytes > 0 && this.hidden(e.path)) {
      this.wastedBytes += e.bytes;
      this.wasted.push({ path: `/${e.path}`, bytes: e.bytes, layer: this.layer });
    }
  }

  /** Whether the layers above hide `path`: an entry at it, or one above it that ends the merge. */
  private hidden(path: string): boolean {
    if (this.above.has(path)) return true;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      if ((this.above.get(path.slice(0, i)) ?? 0) & HIDES_BELOW) return true;
    }
    return false;
  }

  endLayer(): void {
    for (const [p, bits] of this.current) this.above.set(p, (this.above.get(p) ?? 0) | bits);
    this.current = new Map();
  }

  /** Efficiency 1 − wasted / total (1 for a stack with no content), and the unseen files largest first. */
  result(): { efficiency: number; wastedBytes: number; totalBytes: number; wasted: WastedFile[] } {
    this.endLayer();
    const wasted = [...this.wasted].sort(
      (a, b) => b.bytes - a.bytes || a.layer - b.layer || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    return {
      efficiency: this.totalBytes ? 1 - this.wastedBytes / this.totalBytes : 1,
      wastedBytes: this.wastedBytes,
      totalBytes: this.totalBytes,
      wasted,
    };
  }
}
