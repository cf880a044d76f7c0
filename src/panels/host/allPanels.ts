/**
 * Every node panel, registered once at activation (serializers must exist before VS Code restores panels).
 * A panel's folder exports `register<Name>Panel(context, nodes, panels)`, which registers its kind and its
 * commands; add one line here per panel.
 */
import type * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import { NodePanels } from './nodePanels';
import { registerNamespaceGraphPanel } from '../namespaceGraph/host';
import { registerOverviewPanel } from '../overview/host';
import { registerLayerGraphPanel } from '../layerGraph/host';
import { registerResourcesPanel } from '../resources/host';
import { registerSecurityPanel } from '../security/host';
import { registerLayerExplorerPanel } from '../layerExplorer/host';
import { registerDiagnosePanel } from '../diagnose/host';

export function registerPanels(context: vscode.ExtensionContext, nodes: NodeRegistry, log: vscode.LogOutputChannel): NodePanels {
  const panels = new NodePanels(context, nodes, log);
  context.subscriptions.push(panels);
  registerOverviewPanel(context, nodes, panels);
  registerLayerGraphPanel(context, nodes, panels);
  registerNamespaceGraphPanel(context, nodes, panels);
  registerResourcesPanel(context, nodes, panels);
  registerSecurityPanel(context, nodes, panels);
  registerLayerExplorerPanel(context, nodes, panels);
  registerDiagnosePanel(context, nodes, panels);
  return panels;
}
