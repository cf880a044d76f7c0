/**
 * The context menu a panel shows when a container is right-clicked (a graph node, a table row): the
 * container actions of the Nodes view's context menu, run through the base requests (containerAction,
 * openPanel), so the host runs the tree's own commands. An in-page menu rather than VS Code's native
 * webview menu (contributes.menus "webview/context"): the native one runs a command with the element's
 * data-vscode-context and no answer comes back to the page, where a failure ("container … is no longer on
 * …") is shown; and the page tests can open this one in happy-dom.
 *
 * Keyboard: the context-menu key or Shift+F10 on a focused row opens it (the browser fires `contextmenu`);
 * arrows, Home and End move, Enter or Space runs, Escape closes and gives focus back.
 */
import type { ContainerAction, NodePanelContract, PanelLink } from '../nodePanelContract';
import type { NodePanelBridge } from './bridge';
import { el, icon } from './dom';

export interface ContainerMenuItem {
  /** `data-menu` of its row: the action or `panel:<name>`. */
  id: string;
  label: string;
  codicon: string;
  /** A separator goes before the first item of each group. */
  group: number;
  run: { action: ContainerAction } | { panel: PanelLink; perContainer: boolean };
}

/** The tree's container menu (package.json, view/item/context), in its order, as far as a page can ask for it. */
export const CONTAINER_MENU: readonly ContainerMenuItem[] = [
  { id: 'enter', label: 'Enter Namespaces…', codicon: 'terminal', group: 1, run: { action: 'enter' } },
  { id: 'reveal', label: 'Reveal in Tree', codicon: 'list-tree', group: 2, run: { action: 'reveal' } },
  { id: 'exploreLayers', label: 'Explore Layers', codicon: 'layers', group: 2, run: { action: 'exploreLayers' } },
  {
    id: 'panel:layerGraph',
    label: 'Show Layer Graph',
    codicon: 'type-hierarchy',
    group: 2,
    run: { panel: 'layerGraph', perContainer: true },
  },
  { id: 'panel:resources', label: 'Show Live Resources', codicon: 'pulse', group: 2, run: { panel: 'resources', perContainer: true } },
  { id: 'panel:security', label: 'Show Security Matrix', codicon: 'shield', group: 2, run: { panel: 'security', perContainer: false } },
  {
    id: 'panel:namespaceGraph',
    label: 'Show Namespace Graph',
    codicon: 'symbol-namespace',
    group: 2,
    run: { panel: 'namespaceGraph', perContainer: false },
  },
  { id: 'inspect', label: 'Inspect', codicon: 'json', group: 3, run: { action: 'inspect' } },
];

/**
 * Where to open the menu for a `contextmenu` event: at the pointer, or below `anchor` when the keyboard
 * asked (the context-menu key or Shift+F10 fire it with no pointer position).
 */
export function menuPoint(e: MouseEvent, anchor: Element): { x: number; y: number } {
  if (e.clientX || e.clientY) return { x: e.clientX, y: e.clientY };
  const r = anchor.getBoundingClientRect();
  return { x: r.left + 16, y: r.bottom };
}

export interface ContainerMenuOptions {
  /** The panel the menu is in: its own "Show …" item is left out. */
  self: PanelLink;
  /** Where a failed request is said, in one line. */
  report: (message: string) => void;
}

export class ContainerMenu {
  private menu: HTMLElement | null = null;
  private returnFocus: HTMLElement | null = null;
  private readonly items: readonly ContainerMenuItem[];
  private readonly closeOnOutside = (e: Event) => {
    if (this.menu && !this.menu.contains(e.target as Node)) this.close(false);
  };
  private readonly closeNow = () => this.close(false);

  constructor(
    private readonly bridge: NodePanelBridge<NodePanelContract>,
    private readonly options: ContainerMenuOptions,
  ) {
    this.items = CONTAINER_MENU.filter((i) => !('panel' in i.run && i.run.panel === options.self));
  }

  get isOpen(): boolean {
    return this.menu !== null;
  }

  /**
   * Opens the menu for a container at (x, y) in the window, kept inside it.
   * @param from what had focus (a table row), given it back when the menu closes with Escape
   */
  open(containerId: string, name: string, x: number, y: number, from: HTMLElement | null = null): void {
    this.close(false);
    this.returnFocus = from;
    const rows: HTMLButtonElement[] = [];
    const menu = el('div', { class: 'context-menu', role: 'menu', 'aria-label': `Container ${name}`, 'data-container': containerId });
    let group = this.items[0]?.group;
    for (const item of this.items) {
      if (item.group !== group) menu.append(el('div', { class: 'context-menu-separator', role: 'separator' }));
      group = item.group;
      const row = el(
        'button',
        { class: 'context-menu-item', role: 'menuitem', 'data-menu': item.id, tabindex: '-1' },
        icon(item.codicon),
        item.label,
      );
      row.addEventListener('click', () => {
        this.close(true);
        this.run(item, containerId);
      });
      rows.push(row);
      menu.append(row);
    }
    menu.addEventListener('keydown', (e) => this.onKey(e, rows));
    menu.addEventListener('contextmenu', (e) => e.preventDefault());
    document.body.append(menu);
    this.menu = menu;
    // Inside the window: flipped left or up when it would run off the right or bottom edge.
    const w = menu.offsetWidth;
    const h = menu.offsetHeight;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    menu.style.left = `${Math.max(0, x + w > vw ? x - w : x)}px`;
    menu.style.top = `${Math.max(0, y + h > vh ? y - h : y)}px`;
    document.addEventListener('mousedown', this.closeOnOutside, true);
    window.addEventListener('blur', this.closeNow);
    window.addEventListener('resize', this.closeNow);
    rows[0]?.focus();
  }

  /** @param keepFocus true when an item ran (the action moves focus itself) */
  close(keepFocus: boolean): void {
    if (!this.menu) return;
    this.menu.remove();
    this.menu = null;
    document.removeEventListener('mousedown', this.closeOnOutside, true);
    window.removeEventListener('blur', this.closeNow);
    window.removeEventListener('resize', this.closeNow);
    if (!keepFocus) this.returnFocus?.focus();
    this.returnFocus = null;
  }

  private onKey(e: KeyboardEvent, rows: HTMLButtonElement[]): void {
    const at = rows.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => rows[(i + rows.length) % rows.length]?.focus();
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at < 0 ? -1 : at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(-1);
    else if (e.key === 'Escape' || e.key === 'Tab') this.close(false);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private run(item: ContainerMenuItem, containerId: string): void {
    const asked =
      'action' in item.run
        ? this.bridge.request('containerAction', { action: item.run.action, containerId })
        : this.bridge.request(
            'openPanel',
            item.run.perContainer ? { panel: item.run.panel, subject: containerId } : { panel: item.run.panel },
          );
    asked.catch((e: unknown) => this.options.report(`${item.label}: ${e instanceof Error ? e.message : String(e)}`));
  }
}
