/**
 * The layer graph as SVG, from the boxes where the canvas placed them, edges as straight segments between
 * them. Colours are the palette's, resolved from the theme when the export was made.
 */
import type cytoscape from 'cytoscape';
import type { LayerPalette } from './layerCanvas';

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f = (n: number): string => n.toFixed(1);

function strokeOf(classes: string[], p: LayerPalette): { stroke: string; width: number; dash: string; fill: string } {
  if (classes.includes('unverified')) return { stroke: p.warning, width: 2, dash: '2 3', fill: p.box };
  if (classes.includes('writable')) return { stroke: p.writable, width: 2, dash: '6 3', fill: p.box };
  if (classes.includes('shared')) return { stroke: p.shared, width: 3, dash: '', fill: p.box };
  if (classes.includes('container')) return { stroke: p.container, width: 2, dash: '', fill: p.box };
  return { stroke: p.border, width: 1, dash: '', fill: p.box };
}

export function layerGraphSvg(cy: cytoscape.Core, p: LayerPalette): string {
  const bb = cy.elements().boundingBox();
  const pad = 16;
  const [x0, y0, w, h] = cy.nodes().empty() ? [0, 0, 1, 1] : [bb.x1 - pad, bb.y1 - pad, bb.w + 2 * pad, bb.h + 2 * pad];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(w)}" height="${Math.ceil(h)}" viewBox="${f(x0)} ${f(y0)} ${f(w)} ${f(h)}" font-family="${xml(p.font)}" font-size="11">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="${p.lines}"/></marker></defs>`,
    `<rect x="${f(x0)}" y="${f(y0)}" width="${f(w)}" height="${f(h)}" fill="${p.background}"/>`,
  ];
  // ELK lays the stacks out downwards, so an edge leaves the bottom of the box above and enters the top
  // of the box below (a headless instance, as in tests, has no routed end points to ask for).
  const rim = (n: cytoscape.NodeSingular, side: 1 | -1) => ({ x: n.position().x, y: n.position().y + (side * Number(n.data('h'))) / 2 });
  cy.edges().forEach((e) => {
    const down = e.source().position().y <= e.target().position().y;
    const a = rim(e.source(), down ? 1 : -1);
    const b = rim(e.target(), down ? -1 : 1);
    parts.push(
      `<line x1="${f(a.x)}" y1="${f(a.y)}" x2="${f(b.x)}" y2="${f(b.y)}" stroke="${p.lines}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
  });
  cy.nodes().forEach((n) => {
    const { x, y } = n.position();
    const nw = Number(n.data('w'));
    const nh = Number(n.data('h'));
    const s = strokeOf(n.classes(), p);
    parts.push(
      `<rect x="${f(x - nw / 2)}" y="${f(y - nh / 2)}" width="${nw}" height="${nh}" rx="5" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    const lines = String(n.data('label')).split('\n');
    lines.forEach((line, i) =>
      parts.push(
        `<text x="${f(x)}" y="${f(y + (i - (lines.length - 1) / 2) * 15)}" text-anchor="middle" dominant-baseline="central" fill="${p.foreground}">${xml(line)}</text>`,
      ),
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
