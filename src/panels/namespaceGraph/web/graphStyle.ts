/**
 * How the graph looks, from the theme: cytoscape draws on a canvas and cannot read CSS variables, so the
 * page resolves the --vscode-* colours it needs into a palette (again when the theme changes) and both the
 * canvas style and the SVG export use it.
 */
import type cytoscape from 'cytoscape';
import { boxNodeStyle } from '../../web/graphBoxStyle';

/** Below this size on screen, in px, a node's label is not drawn. */
const MIN_READABLE_PX = 6;

export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  nodeFill: string;
  border: string;
  focus: string;
  host: string;
  shared: string;
  hidden: string;
  container: string;
  processes: string;
  owner: string;
  parent: string;
  lines: string;
  font: string;
}

/** Each palette colour: the theme variable it comes from, and a fallback when the variable is unset. */
const SOURCES: { [K in Exclude<keyof Palette, 'font'>]: [string, string] } = {
  background: ['--vscode-editor-background', '#1e1e1e'],
  foreground: ['--vscode-editor-foreground', '#cccccc'],
  muted: ['--vscode-descriptionForeground', '#9d9d9d'],
  nodeFill: ['--vscode-editorWidget-background', '#252526'],
  border: ['--vscode-editorWidget-border', '#454545'],
  focus: ['--vscode-focusBorder', '#007fd4'],
  host: ['--vscode-charts-blue', '#3794ff'],
  shared: ['--vscode-charts-orange', '#d18616'],
  hidden: ['--vscode-charts-red', '#f14c4c'],
  container: ['--vscode-charts-green', '#89d185'],
  processes: ['--vscode-charts-purple', '#b180d7'],
  owner: ['--vscode-charts-yellow', '#cca700'],
  parent: ['--vscode-charts-foreground', '#cccccc'],
  lines: ['--vscode-charts-lines', '#808080'],
};

export function readPalette(root: Element): Palette {
  const style = window.getComputedStyle(root);
  const p = { font: style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif' } as Palette;
  for (const [k, [variable, fallback]] of Object.entries(SOURCES))
    p[k as keyof typeof SOURCES] = style.getPropertyValue(variable).trim() || fallback;
  return p;
}

export function graphStyle(p: Palette): cytoscape.StylesheetJson {
  return [
    boxNodeStyle({ font: p.font, foreground: p.foreground, fill: p.nodeFill, border: p.border }),
    // Labels too small to read are not drawn (a 5,000-node graph fitted to the window is at ~5 % zoom).
    { selector: 'node', style: { 'min-zoomed-font-size': MIN_READABLE_PX } },
    {
      selector: 'node.container',
      style: { 'background-color': p.container, 'background-opacity': 0.22, 'border-color': p.container, 'border-width': 2 },
    },
    {
      selector: 'node.group, node.process',
      style: { shape: 'rectangle', 'background-color': p.processes, 'background-opacity': 0.16, 'border-color': p.processes },
    },
    { selector: 'node.host', style: { 'border-color': p.host, 'border-width': 3, 'background-color': p.host, 'background-opacity': 0.14 } },
    { selector: 'node.shared', style: { 'border-color': p.shared, 'border-width': 3 } },
    { selector: 'node.hidden', style: { 'border-color': p.hidden, 'border-style': 'dashed', 'border-width': 2 } },
    { selector: 'node:selected', style: { 'border-color': p.focus, 'border-width': 4, 'border-style': 'solid' } },
    { selector: '.filtered', style: { display: 'none' } },
    { selector: 'edge', style: { width: 1, 'line-color': p.lines, 'curve-style': 'straight', opacity: 0.7 } },
    // Member edges (most of them) have no arrow: haystack lines, which cytoscape draws without computing
    // endpoints on the boxes' outlines.
    { selector: 'edge.member', style: { 'curve-style': 'haystack', 'haystack-radius': 0 } },
    // Owner and parent point at the user or pid namespace above; member edges need no arrow (always container → namespace).
    {
      selector: 'edge.owner',
      style: {
        'line-color': p.owner,
        'line-style': 'dashed',
        'target-arrow-shape': 'triangle',
        'target-arrow-color': p.owner,
        'arrow-scale': 0.8,
      },
    },
    {
      selector: 'edge.parent',
      style: { 'line-color': p.parent, width: 2, 'target-arrow-shape': 'triangle', 'target-arrow-color': p.parent },
    },
  ];
}
