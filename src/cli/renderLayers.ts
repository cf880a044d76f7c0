/**
 * The readable output of `nodescope layers` and `nodescope ls`. Commands and names come from the node
 * (an image's history is whatever its author wrote), so every line is escaped with escapeControls before
 * it is cut to the terminal's width: an escape can then never be cut in half into a live control.
 */
import type { LayerListing, LayerReport, ReportLayer } from '../../server/protocol';
import { escapeControls } from '../../server/escapeControls';
import { formatBytes, plural } from '../../server/units';
import { shortId } from './render';

/** A line cut to `width` characters with an ellipsis; whole when width is undefined (not a terminal). */
function cut(line: string, width: number | undefined): string {
  if (width === undefined || line.length <= width) return line;
  return width > 1 ? `${line.slice(0, width - 1)}…` : line.slice(0, width);
}

/** What the CREATED BY column says where the history has nothing: which kind of layer it is. */
function madeBy(l: ReportLayer): string {
  if (l.createdBy) return l.emptyHistory.length ? `${l.createdBy}  (+${l.emptyHistory.length} without a layer)` : l.createdBy;
  if (l.origin === 'container') return "(the container's writable layer)";
  if (l.origin === 'init') return "(Docker's init layer: /etc/hosts, /etc/resolv.conf)";
  return l.origin === 'image' ? '(no command in the history: imported)' : '(no history known)';
}

/** The stack, top first, as a table cut to `width`; then efficiency and the largest wasted files. */
export function renderLayerReport(r: LayerReport, width?: number, wastedShown = 10): string {
  const engine = r.target.engine ? ` (${r.target.engine})` : '';
  const lines: string[] = [`${r.target.kind} ${escapeControls(r.target.name)}${engine}  ${shortId(r.target.id.replace(/^sha256:/, ''))}`];
  // Redirects and users get a column only where some layer has them: the command keeps the width.
  const optional = [
    { head: 'REDIRECTS', cell: (l: ReportLayer) => String(l.redirects), shown: r.layers.some((l) => l.redirects > 0) },
    { head: 'CONTAINERS', cell: (l: ReportLayer) => String(l.usedBy.length), shown: r.layers.some((l) => l.usedBy.length > 0) },
  ].filter((c) => c.shown);
  const head = ['#', 'ROLE', 'SIZE', 'FILES', 'WHITEOUTS', 'OPAQUE', ...optional.map((c) => c.head), 'CREATED BY'];
  const rows = r.layers.map((l) => [
    String(l.index),
    l.origin === 'init' ? 'init' : l.role,
    formatBytes(l.bytes),
    String(l.files),
    String(l.whiteouts),
    String(l.opaqueDirs),
    ...optional.map((c) => c.cell(l)),
    madeBy(l),
  ]);
  const widths = head.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const row = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? escapeControls(c) : i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  lines.push(row(head), ...rows.map(row));
  lines.push(
    '',
    `efficiency ${(r.efficiency * 100).toFixed(2)}%, ${formatBytes(r.wastedBytes)} wasted of ${formatBytes(r.totalBytes)} in ${plural(r.wastedFiles, 'file')} the merged view never shows`,
  );
  for (const w of r.wasted.slice(0, wastedShown))
    lines.push(`  ${formatBytes(w.bytes).padStart(10)}  layer ${String(w.layer).padEnd(3)} ${escapeControls(w.path)}`);
  if (r.wastedFiles > Math.min(wastedShown, r.wasted.length))
    lines.push(`  … ${r.wastedFiles - Math.min(wastedShown, r.wasted.length)} more (--json lists ${r.wasted.length})`);
  if (r.truncated) lines.push("truncated: a walk stopped at the request's limit; the figures cover only what was walked");
  for (const p of r.problems) lines.push(`problem: ${escapeControls(`${p.source}: ${p.message}`)}`);
  return lines.map((l) => cut(l, width)).join('\n');
}

const MARK_WORD = { A: 'added', M: 'modified', R: 'removed', U: 'unmodified' } as const;

/** One line per entry: mark, type, size, name, and why a removal is one. */
export function renderListing(l: LayerListing): string {
  const view = l.merged ? `merged view up to layer ${l.layer}` : `layer ${l.layer} alone`;
  const lines = [
    `${escapeControls(l.path)} in ${escapeControls(l.target.name)}, ${view}${l.opaque ? ' (opaque in this layer: nothing below shows)' : ''}: ${plural(l.entries.length, 'entry', 'entries')}`,
  ];
  for (const e of l.entries) {
    const why = e.whiteout ? '  (whiteout)' : e.hiddenByOpaque ? '  (hidden by the opaque directory)' : e.opaque ? '  (opaque)' : '';
    const from = e.mark === 'U' || e.mark === 'R' ? `  [layer ${e.layer}]` : '';
    lines.push(
      `${e.mark} ${MARK_WORD[e.mark].padEnd(10)} ${e.type.padEnd(7)} ${(e.type === 'file' ? formatBytes(e.bytes) : '').padStart(10)}  ${escapeControls(e.name)}${why}${from}`,
    );
  }
  if (l.truncated) lines.push(`… more entries than the ${l.entries.length} listed`);
  for (const p of l.problems) lines.push(`problem: ${escapeControls(`${p.source}: ${p.message}`)}`);
  return lines.join('\n');
}
