/**
 * SVG export from where the nodes are drawn: boxes, their label lines and straight edges, coloured from the
 * same palette as the canvas. Written here rather than with cytoscape-svg (not a dependency): the graph
 * draws only rounded boxes and straight lines, which is a few lines of SVG.
 */
import type { PlacedNode } from './graphView';
import type { Palette } from './graphStyle';

const LINE_PX = 15;
const MARGIN = 24;

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function boxStyle(n: PlacedNode, p: Palette): { fill: string; opacity: number; stroke: string; width: number; dash: string } {
  const c = new Set(n.classes);
  let style = { fill: p.nodeFill, opacity: 1, stroke: p.border, width: 1, dash: '' };
  if (c.has('container')) style = { fill: p.container, opacity: 0.22, stroke: p.container, width: 2, dash: '' };
  if (c.has('group') || c.has('process')) style = { fill: p.processes, opacity: 0.16, stroke: p.processes, width: 1, dash: '' };
  if (c.has('host')) style = { fill: p.host, opacity: 0.14, stroke: p.host, width: 3, dash: '' };
  if (c.has('shared')) style = { ...style, stroke: p.shared, width: 3 };
  if (c.has('hidden')) style = { ...style, stroke: p.hidden, width: 2, dash: '6 3' };
  return style;
}

/** Where the line from a box's centre towards (tx, ty) leaves the box. */
function exit(n: PlacedNode, tx: number, ty: number): [number, number] {
  const dx = tx - n.x;
  const dy = ty - n.y;
  if (!dx && !dy) return [n.x, n.y];
  const s = Math.min(dx ? n.w / 2 / Math.abs(dx) : Infinity, dy ? n.h / 2 / Math.abs(dy) : Infinity);
  return [n.x + dx * s, n.y + dy * s];
}

export function toSvg(placed: { nodes: PlacedNode[]; edges: { source: string; target: string; kind: string }[] }, p: Palette): string {
  const byId = new Map(placed.nodes.map((n) => [n.id, n]));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of placed.nodes) {
    minX = Math.min(minX, n.x - n.w / 2);
    minY = Math.min(minY, n.y - n.h / 2);
    maxX = Math.max(maxX, n.x + n.w / 2);
    maxY = Math.max(maxY, n.y + n.h / 2);
  }
  if (!placed.nodes.length) minX = minY = maxX = maxY = 0;
  const width = maxX - minX + 2 * MARGIN;
  const height = maxY - minY + 2 * MARGIN;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="${minX - MARGIN} ${minY - MARGIN} ${width} ${height}" font-family="${escapeXml(p.font)}" font-size="11">`,
    `<defs><marker id="owner" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="${p.owner}"/></marker>` +
      `<marker id="parent" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="${p.parent}"/></marker></defs>`,
    `<rect x="${minX - MARGIN}" y="${minY - MARGIN}" width="${width}" height="${height}" fill="${p.background}"/>`,
  ];
  for (const e of placed.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const [x1, y1] = exit(s, t.x, t.y);
    const [x2, y2] = exit(t, s.x, s.y);
    const look =
      e.kind === 'owner'
        ? `stroke="${p.owner}" stroke-dasharray="5 3" marker-end="url(#owner)"`
        : e.kind === 'parent'
          ? `stroke="${p.parent}" stroke-width="2" marker-end="url(#parent)"`
          : `stroke="${p.lines}" stroke-opacity="0.7"`;
    out.push(`<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${look}/>`);
  }
  for (const n of placed.nodes) {
    const s = boxStyle(n, p);
    const x = n.x - n.w / 2;
    const y = n.y - n.h / 2;
    out.push(`<g data-id="${escapeXml(n.id)}">`);
    out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.w}" height="${n.h}" rx="4" fill="${p.background}"/>`);
    out.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.w}" height="${n.h}" rx="4" fill="${s.fill}" fill-opacity="${s.opacity}" stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    const lines = n.label.split('\n');
    const top = n.y - ((lines.length - 1) * LINE_PX) / 2;
    lines.forEach((line, i) =>
      out.push(
        `<text x="${n.x.toFixed(1)}" y="${(top + i * LINE_PX).toFixed(1)}" text-anchor="middle" dominant-baseline="central" fill="${p.foreground}">${escapeXml(line)}</text>`,
      ),
    );
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
