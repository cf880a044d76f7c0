/** Building DOM in page code: elements with attributes and children, text always as text (never HTML). */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A codicon (the font is loaded by every panel page). */
export function icon(name: string, title?: string): HTMLElement {
  const i = el('span', { class: `codicon codicon-${name}`, 'aria-hidden': title ? 'false' : 'true' });
  if (title) i.title = title;
  return i;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svgEl(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Offers `content` as a download (SVG, PNG, JSON, CSV exports) from inside the webview. */
export function download(filename: string, content: Blob | string, type = 'application/octet-stream'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const a = el('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}
