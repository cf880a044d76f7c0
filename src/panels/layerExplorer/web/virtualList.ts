/**
 * A list that renders only the rows in view (plus a margin), so a tree of 100,000 entries scrolls as fast
 * as one of 100: a spacer gives the scroll box its full height and the visible rows are absolutely placed.
 * `@vscode-elements`' tree renders every item, which is why this exists.
 */
import { el } from '../../web/dom';

export interface VirtualListOptions<T> {
  rowHeight: number;
  render(row: T, index: number): HTMLElement;
  /** Rows now in view (after each render): the explorer loads a directory's next page when its "more" row is seen. */
  onVisible?(rows: T[]): void;
}

export class VirtualList<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: T[] = [];
  private frame = 0;
  private readonly overscan = 10;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.spacer = el('div', { class: 'vlist-spacer' });
    this.element = el('div', { class: 'vlist', role: 'tree', tabindex: '0' }, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.render();
  }

  /** How many row elements are in the DOM now (bounded by the view, not the data). */
  get renderedCount(): number {
    return this.spacer.childElementCount;
  }

  scrollToIndex(i: number): void {
    this.element.scrollTop = Math.max(0, i * this.options.rowHeight - this.element.clientHeight / 2);
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: () => void) => setTimeout(f, 16);
    this.frame = raf(() => {
      this.frame = 0;
      this.render();
    }) as unknown as number;
  }

  render(): void {
    const h = this.options.rowHeight;
    this.spacer.style.height = `${this.rows.length * h}px`;
    // Before layout (a hidden page, a test DOM) the box has no height: render a screenful anyway.
    const view = this.element.clientHeight || 800;
    const first = Math.max(0, Math.floor(this.element.scrollTop / h) - this.overscan);
    const last = Math.min(this.rows.length, Math.ceil((this.element.scrollTop + view) / h) + this.overscan);
    const nodes: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const n = this.options.render(this.rows[i], i);
      n.style.top = `${i * h}px`;
      n.style.height = `${h}px`;
      nodes.push(n);
    }
    this.spacer.replaceChildren(...nodes);
    this.options.onVisible?.(this.rows.slice(first, last));
  }
}
