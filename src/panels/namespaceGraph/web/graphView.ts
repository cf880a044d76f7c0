/**
 * The drawing half of the page: cytoscape.js behind a small interface, so the page's DOM logic (toolbar,
 * search, details) runs in tests without a canvas (cytoscape `headless`) and the adapter is the one place
 * that knows cytoscape. Updates are in place: the same nodes and edges (a container's usage changed) only
 * restyle; a new layout runs only when nodes or edges come or go.
 */
import cytoscape from 'cytoscape';
import elk from 'cytoscape-elk';
import type { NsType } from '../../../../server/protocol';
import { structureKey, type ViewGraph } from './elements';
import { bandLayout } from './bandLayout';
import { graphStyle, type Palette } from './graphStyle';

cytoscape.use(elk);

/**
 * Which layout. Measured (bench/panels.ts, and screenshots of the rig's node): ELK layered took 35 s on
 * 600 nodes here and breadthfirst 3 s, cose longer; on the rig's ~50 nodes ELK's long layers drew the text
 * at 40 % zoom with edges crossing the whole graph. bandLayout.ts reads the same way (members, their
 * namespaces, owners) in linear time and wraps long columns, so it is used at every size; the others stay
 * selectable for the bench (`data-layout`). ELK_MAX_NODES is where ELK would be used: nowhere, by default.
 */
export type LayoutName = 'elk' | 'bands' | 'breadthfirst' | 'cose' | 'grid';
export const ELK_MAX_NODES = 0;

const FIT_PADDING = 24;
/** The least zoom a selected node is shown at: its label readable (11 px at 0.8). */
const READABLE_ZOOM = 0.8;
/**
 * Past this many elements the canvas draws at one canvas pixel per CSS pixel (a HiDPI screen would
 * otherwise draw four times the pixels; not measurable in the bench, which runs at ratio 1). Panning is
 * left to cytoscape's layered texture cache: its textureOnViewport and hideEdgesOnViewport made the pan
 * frame 10× slower on the 5,000-node graph here (bench/panels.ts, same run: 9 ms → 89 ms).
 */
const LARGE_GRAPH_ELEMENTS = 3000;

/**
 * cytoscape's canvas renderer reads this on every frame; its API sets it only when the instance is made,
 * before the graph's size is known, so the view sets it on the renderer when a graph comes.
 */
interface RendererFlags {
  forcedPixelRatio: number | null;
}

export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
}

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
  classes: string[];
}

export interface GraphView {
  /** Draws `g`; resolves after the layout settled. True when a layout ran (the structure changed). */
  setGraph(g: ViewGraph): Promise<boolean>;
  setHiddenTypes(types: ReadonlySet<NsType>): void;
  /** Selects one node (null: none); `centre` pans it into the middle. */
  select(id: string | null, centre: boolean): void;
  onSelect(fn: (id: string | null) => void): void;
  /** A node right-clicked (or its context menu asked for), at (x, y) in the window. */
  onContext(fn: (id: string, x: number, y: number) => void): void;
  viewport(): Viewport;
  setViewport(v: Viewport): void;
  onViewport(fn: (v: Viewport) => void): void;
  fit(): void;
  /** The visible nodes where they are drawn, and the visible edges (for the SVG export). */
  placed(): { nodes: PlacedNode[]; edges: { source: string; target: string; kind: string }[] };
  /** The whole graph as PNG, base64 without the data: prefix. */
  png(background: string): string;
  setPalette(p: Palette): void;
  has(id: string): boolean;
}

export interface CytoscapeViewOptions {
  /** Where to draw; null for a headless instance (tests, no canvas). */
  container: HTMLElement | null;
  palette: Palette;
  /** Forces one layout (bench, tests); else by size as above. */
  layout?: LayoutName;
}

export function layoutFor(nodes: number, forced?: LayoutName): LayoutName {
  return forced ?? (nodes <= ELK_MAX_NODES ? 'elk' : 'bands');
}

function layoutOptions(name: LayoutName, g: ViewGraph): cytoscape.LayoutOptions {
  switch (name) {
    case 'bands': {
      const at = bandLayout(g);
      return {
        name: 'preset',
        fit: true,
        padding: 24,
        animate: false,
        positions: (n: cytoscape.NodeSingular) => at.get(n.id()) ?? { x: 0, y: 0 },
      } as cytoscape.LayoutOptions;
    }
    case 'elk':
      return {
        name: 'elk',
        fit: true,
        padding: 24,
        animate: false,
        // Layered, left to right: containers and processes, their namespaces, then owners and parents.
        elk: {
          algorithm: 'layered',
          'elk.direction': 'RIGHT',
          'elk.spacing.nodeNode': 10,
          'elk.layered.spacing.nodeNodeBetweenLayers': 70,
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
          'elk.separateConnectedComponents': false,
        },
      } as cytoscape.LayoutOptions;
    case 'breadthfirst':
      return {
        name: 'breadthfirst',
        fit: true,
        padding: 24,
        animate: false,
        directed: true,
        spacingFactor: 1,
        avoidOverlap: false,
        grid: false,
      };
    case 'cose':
      return { name: 'cose', fit: true, padding: 24, animate: false, numIter: 1000 };
    case 'grid':
      return { name: 'grid', fit: true, padding: 24, animate: false, avoidOverlap: true };
  }
}

export class CytoscapeView implements GraphView {
  readonly cy: cytoscape.Core;
  private key = '';
  private hiddenTypes: ReadonlySet<NsType> = new Set();
  private readonly selectListeners: ((id: string | null) => void)[] = [];
  private readonly viewportListeners: ((v: Viewport) => void)[] = [];
  private readonly contextListeners: ((id: string, x: number, y: number) => void)[] = [];
  /** Set while the page itself selects, so its own selection is not echoed back as a user's. */
  private quiet = false;

  constructor(private readonly options: CytoscapeViewOptions) {
    this.cy = cytoscape({
      container: options.container ?? undefined,
      headless: options.container === null,
      styleEnabled: true,
      style: graphStyle(options.palette),
      minZoom: 0.02,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      selectionType: 'single',
      boxSelectionEnabled: false,
    });
    this.cy.on('select unselect', 'node', () => {
      if (this.quiet) return;
      const sel = this.cy.$('node:selected');
      for (const fn of this.selectListeners) fn(sel.nonempty() ? sel.first().id() : null);
    });
    this.cy.on('viewport', () => {
      const v = this.viewport();
      for (const fn of this.viewportListeners) fn(v);
    });
    this.cy.on('cxttap', 'node', (e) => {
      const mouse = e.originalEvent as MouseEvent | undefined;
      for (const fn of this.contextListeners) fn((e.target as cytoscape.NodeSingular).id(), mouse?.clientX ?? 0, mouse?.clientY ?? 0);
    });
    const host = options.container;
    if (host) {
      // The page's menu, not the webview's Cut/Copy/Paste one, on the canvas.
      host.addEventListener('contextmenu', (e) => e.preventDefault());
      // cytoscape measures its box only on a window resize; the toolbar wrapping or the details pane
      // changing width moves the canvas' visible part, and a centred node would land off it.
      new ResizeObserver(() => this.cy.resize()).observe(host);
    }
  }

  async setGraph(g: ViewGraph): Promise<boolean> {
    const key = structureKey(g);
    const cy = this.cy;
    const relayout = key !== this.key;
    this.key = key;
    const name = layoutFor(g.nodes.length, this.options.layout);
    // The banded layout is computed, not run: its positions go in with the elements (one pass, no events).
    const at = relayout && name === 'bands' ? bandLayout(g) : null;
    cy.batch(() => {
      // One walk over what is drawn; a lookup per element (getElementById) makes a collection each time,
      // which at 17,000 elements was most of the time spent.
      const drawn = new Map<string, cytoscape.SingularElementReturnValue>();
      cy.elements().forEach((ele) => void drawn.set(ele.id(), ele));
      const want = new Set<string>();
      for (const n of g.nodes) want.add(n.id);
      for (const e of g.edges) want.add(e.id);
      for (const [id, ele] of drawn) if (!want.has(id)) ele.remove();
      const add: cytoscape.ElementDefinition[] = [];
      for (const n of g.nodes) {
        const classes = this.classesOf(n.classes, n.nsType);
        const ele = drawn.get(n.id);
        const position = at?.get(n.id);
        if (!ele) {
          add.push({ group: 'nodes', data: { id: n.id, label: n.label, w: n.w, h: n.h, nsType: n.nsType }, classes, position });
          continue;
        }
        // Only what changed is touched: each change restyles the element.
        if (ele.data('label') !== n.label) ele.data({ label: n.label, w: n.w, h: n.h });
        if (ele.classes().join(' ') !== classes.join(' ')) ele.classes(classes);
        if (position) ele.position(position);
      }
      for (const e of g.edges) {
        if (!drawn.has(e.id)) add.push({ group: 'edges', data: { id: e.id, source: e.source, target: e.target }, classes: [e.kind] });
      }
      if (add.length) cy.add(add);
    });
    if (!relayout) return false;
    this.drawAsLarge(g.nodes.length + g.edges.length > LARGE_GRAPH_ELEMENTS);
    if (at) {
      this.fit();
      return true;
    }
    await this.layout(g, name);
    return true;
  }

  private drawAsLarge(large: boolean): void {
    const r = (this.cy as unknown as { renderer(): Partial<RendererFlags> | null }).renderer();
    if (!r || this.options.container === null) return;
    r.forcedPixelRatio = large ? 1 : null;
  }

  private classesOf(classes: string[], nsType: NsType | undefined): string[] {
    return nsType && this.hiddenTypes.has(nsType) ? [...classes, 'filtered'] : classes;
  }

  private layout(g: ViewGraph, name: LayoutName): Promise<void> {
    const layout = this.cy.layout(layoutOptions(name, g));
    const done = new Promise<void>((resolve) => layout.one('layoutstop', () => resolve()));
    layout.run();
    return done;
  }

  setHiddenTypes(types: ReadonlySet<NsType>): void {
    this.hiddenTypes = types;
    this.cy.batch(() => {
      this.cy.nodes('.namespace').forEach((n) => {
        n.toggleClass('filtered', types.has(n.data('nsType') as NsType));
      });
    });
  }

  select(id: string | null, centre: boolean): void {
    this.quiet = true;
    try {
      this.cy.$(':selected').unselect();
      if (id === null) return;
      const n = this.cy.getElementById(id);
      if (n.empty()) return;
      n.select();
      if (centre) this.centre(n);
    } finally {
      this.quiet = false;
    }
  }

  onSelect(fn: (id: string | null) => void): void {
    this.selectListeners.push(fn);
  }

  onContext(fn: (id: string, x: number, y: number) => void): void {
    this.contextListeners.push(fn);
  }

  /**
   * Puts a node in the middle of the canvas as it is now (measured again first, see the ResizeObserver),
   * zoomed in far enough to read it: a match in a fitted 5,000-node graph is otherwise a speck.
   */
  private centre(n: cytoscape.NodeSingular): void {
    this.cy.resize();
    const zoom = Math.max(this.cy.zoom(), Math.min(READABLE_ZOOM, this.cy.maxZoom()));
    const p = n.position();
    this.cy.viewport({ zoom, pan: { x: this.cy.width() / 2 - zoom * p.x, y: this.cy.height() / 2 - zoom * p.y } });
  }

  viewport(): Viewport {
    const p = this.cy.pan();
    return { zoom: this.cy.zoom(), pan: { x: p.x, y: p.y } };
  }

  setViewport(v: Viewport): void {
    this.cy.viewport({ zoom: v.zoom, pan: v.pan });
  }

  onViewport(fn: (v: Viewport) => void): void {
    this.viewportListeners.push(fn);
  }

  /**
   * Fits the shown boxes from their positions and sizes. cytoscape's own fit (`cy.fit(eles)`) matched the
   * `:visible` selector against every element's style and measured every label for the bounding box: 11 s
   * of the 5,000-node graph's 13 s first draw here (bench/panels.ts, Chromium profile).
   */
  fit(): void {
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    this.cy.nodes().forEach((n) => {
      if (n.hasClass('filtered')) return;
      const p = n.position();
      const w = (n.data('w') as number) / 2;
      const h = (n.data('h') as number) / 2;
      x1 = Math.min(x1, p.x - w);
      y1 = Math.min(y1, p.y - h);
      x2 = Math.max(x2, p.x + w);
      y2 = Math.max(y2, p.y + h);
    });
    const width = this.cy.width();
    const height = this.cy.height();
    if (x1 > x2 || !width || !height) return;
    const zoom = Math.min(
      this.cy.maxZoom(),
      Math.max(this.cy.minZoom(), Math.min((width - 2 * FIT_PADDING) / (x2 - x1 || 1), (height - 2 * FIT_PADDING) / (y2 - y1 || 1))),
    );
    this.cy.viewport({ zoom, pan: { x: width / 2 - zoom * ((x1 + x2) / 2), y: height / 2 - zoom * ((y1 + y2) / 2) } });
  }

  placed(): ReturnType<GraphView['placed']> {
    const nodes: PlacedNode[] = [];
    this.cy.nodes(':visible').forEach((n) => {
      const p = n.position();
      nodes.push({
        id: n.id(),
        x: p.x,
        y: p.y,
        w: n.data('w') as number,
        h: n.data('h') as number,
        label: n.data('label') as string,
        classes: n.classes(),
      });
    });
    const edges = this.cy.edges(':visible').map((e) => ({ source: e.source().id(), target: e.target().id(), kind: e.classes()[0] ?? '' }));
    return { nodes, edges };
  }

  png(background: string): string {
    return this.cy.png({ output: 'base64', full: true, bg: background, scale: 2, maxWidth: 8000, maxHeight: 8000 });
  }

  setPalette(p: Palette): void {
    this.cy.style(graphStyle(p));
  }

  has(id: string): boolean {
    return this.cy.getElementById(id).nonempty();
  }
}
