/**
 * The namespace graph page: the snapshot in, the graph drawn with cytoscape, search / filter / details
 * from page.ts. `data-layout` on #root forces a layout (bench/panels.ts measures them against each other).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { NodePanelBridge } from '../../web/bridge';
import { el } from '../../web/dom';
import { SnapshotStore } from '../../web/snapshotStore';
import type { NamespaceGraphContract } from '../contract';
import { readPalette } from './graphStyle';
import { CytoscapeView, type LayoutName } from './graphView';
import { NamespaceGraphPage } from './page';

const LAYOUTS: LayoutName[] = ['elk', 'bands', 'breadthfirst', 'cose', 'grid'];

const root = document.getElementById('root')!;
const forced = LAYOUTS.find((l) => l === root.dataset.layout);
const bridge = new NodePanelBridge<NamespaceGraphContract>();
const store = new SnapshotStore(bridge);
const graphHost = el('div', { class: 'ng-graph' });
const palette = () => readPalette(document.body);
// The page lays out the graph host first: cytoscape measures its container when it starts.
const page = new NamespaceGraphPage(root, graphHost, bridge, store, palette);
const view = new CytoscapeView({ container: graphHost, palette: palette(), layout: forced });
page.attach(view);
// VS Code swaps the body's theme class (vscode-dark, vscode-light, vscode-high-contrast) on a theme change.
new MutationObserver(() => view.setPalette(palette())).observe(document.body, { attributes: true, attributeFilter: ['class'] });
bridge.ready();
