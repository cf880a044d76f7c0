/**
 * The layer graph on a cytoscape canvas, laid out by ELK's layered algorithm (containers on top, each
 * stack going down, shared layers where stacks meet). A new snapshot updates boxes in place; only a
 * change of nodes or edges runs the layout again. Without a canvas (tests) cytoscape runs headless.
 */
import cytoscape from 'cytoscape';
import elk from 'cytoscape-elk';
import { boxNodeStyle } from '../../web/graphBoxStyle';
import { shapeOf, type DrawnGraph } from './layerElements';

cytoscape.use(elk);

/** Colours resolved from the theme's variables: a canvas cannot read CSS. */
export interface LayerPalette {
  background: string;
  foreground: string;
  box: string;
  border: string;
  container: string;
  shared: string;
  writable: string;
  warning: string;
  focus: string;
  lines: string;
  font: string;
}

export function readLayerPalette(): LayerPalette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground: v('--vscode-editor-foreground', '#cccccc'),
    box: v('--vscode-editorWidget-background', '#252526'),
    border: v('--vscode-editorWidget-border', '#454545'),
    container: v('--vscode-charts-blue', '#3794ff'),
    shared: v('--vscode-charts-purple', '#b180d7'),
    writable: v('--vscode-charts-orange', '#d18616'),
    warning: v('--vscode-editorWarning-foreground', '#cca700'),
    focus: v('--vscode-focusBorder', '#007fd4'),
    lines: v('--vscode-charts-lines', '#808080'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

function stylesheet(p: LayerPalette): cytoscape.StylesheetJson {
  return [
    boxNodeStyle({ font: p.font, foreground: p.foreground, fill: p.box, border: p.border }),
    {
      selector: 'node.container',
      style: { 'border-color': p.container, 'border-width': 2, 'background-color': p.container, 'background-opacity': 0.18 },
    },
    { selector: 'node.shared', style: { 'border-color': p.shared, 'border-width': 3 } },
    { selector: 'node.writable', style: { 'border-color': p.writable, 'border-style': 'dashed', 'border-width': 2 } },
    { selector: 'node.unverified', style: { 'border-color': p.warning, 'border-style': 'dotted', 'border-width': 2 } },
    { selector: 'node.subject', style: { 'background-color': p.container, 'background-opacity': 0.35 } },
    { selector: 'node:selected', style: { 'border-color': p.focus, 'border-width': 4, 'border-style': 'solid' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': p.lines,
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'target-arrow-color': p.lines,
        'arrow-scale': 0.7,
      },
    },
  ];
}

export class LayerCanvas {
  readonly cy: cytoscape.Core;
  private shape = '';
  private laidOut = false;

  constructor(container: HTMLElement | null, palette: LayerPalette) {
    this.cy = cytoscape({
      container: container ?? undefined,
      headless: container === null,
      styleEnabled: true,
      style: stylesheet(palette),
      minZoom: 0.05,
      maxZoom: 3,
      selectionType: 'single',
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
  }

  /** Draws `g`; resolves once laid out. True when the layout ran (nodes or edges changed). */
  async show(g: DrawnGraph, subject: string | null): Promise<boolean> {
    const cy = this.cy;
    const shape = shapeOf(g);
    cy.batch(() => {
      const keep = new Set([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
      cy.elements()
        .filter((e) => !keep.has(e.id()))
        .remove();
      for (const n of g.nodes) {
        const classes = n.id === subject ? [...n.classes, 'subject'] : n.classes;
        const known = cy.getElementById(n.id);
        if (known.empty()) cy.add({ group: 'nodes', data: { id: n.id, label: n.label, w: n.w, h: n.h }, classes });
        else known.data({ label: n.label, w: n.w, h: n.h }).classes(classes);
      }
      for (const e of g.edges) if (cy.getElementById(e.id).empty()) cy.add({ group: 'edges', data: { ...e } });
    });
    if (shape === this.shape) return false;
    this.shape = shape;
    await this.layout(!this.laidOut);
    this.laidOut = true;
    return true;
  }

  private layout(fit: boolean): Promise<void> {
    const layout = this.cy.layout({
      name: 'elk',
      fit,
      padding: 24,
      nodeDimensionsIncludeLabels: false,
      elk: {
        algorithm: 'layered',
        'elk.direction': 'DOWN',
        'elk.layered.spacing.nodeNodeBetweenLayers': 36,
        'elk.spacing.nodeNode': 18,
        'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
        'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      },
    } as cytoscape.LayoutOptions);
    const done = new Promise<void>((resolve) => layout.one('layoutstop', () => resolve()));
    layout.run();
    return done;
  }

  setPalette(p: LayerPalette): void {
    this.cy.style(stylesheet(p));
  }

  select(id: string | null): void {
    this.cy.$(':selected').unselect();
    if (id) this.cy.getElementById(id).select();
  }

  centre(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.nonempty()) this.cy.animate({ center: { eles: n } }, { duration: 200 });
  }

  onSelect(fn: (id: string | null) => void): void {
    this.cy.on('tap', (e) =>
      fn(
        e.target === this.cy
          ? null
          : (e.target as cytoscape.SingularElementArgument).isNode()
            ? (e.target as cytoscape.NodeSingular).id()
            : null,
      ),
    );
  }
}
