/**
 * A DOM for testing panel page code outside a browser (happy-dom), with a fake `acquireVsCodeApi` that
 * records what the page posts and keeps its state. `deliver` posts a message to the page as the host would.
 */
import { Window } from 'happy-dom';

export interface FakePage {
  window: Window;
  posted: unknown[];
  state: unknown;
  deliver(message: unknown): void;
  close(): Promise<void>;
}

export function installPageDom(initialState?: unknown): FakePage {
  const window = new Window({ url: 'https://webview.test/' });
  const page: FakePage = {
    window,
    posted: [],
    state: initialState,
    deliver: (data) => void window.dispatchEvent(new window.MessageEvent('message', { data })),
    close: async () => {
      await window.happyDOM.close();
      for (const [k, d] of saved) {
        if (d) Object.defineProperty(globalThis, k, d);
        else delete (globalThis as Record<string, unknown>)[k];
      }
      delete (globalThis as Record<string, unknown>).acquireVsCodeApi;
    },
  };
  const g = globalThis as Record<string, unknown>;
  const w = window as unknown as Record<string, unknown>;
  saved.clear();
  // What page code and the custom elements it imports (Lit) reach for as globals; the old values come back on close.
  for (const k of FROM_WINDOW) {
    saved.set(k, Object.getOwnPropertyDescriptor(globalThis, k));
    Object.defineProperty(globalThis, k, { value: k === 'window' ? window : w[k], configurable: true, writable: true });
  }
  // happy-dom has no ElementInternals; @vscode-elements' form controls ask for one when they connect.
  const proto = window.HTMLElement.prototype as unknown as Record<string, unknown>;
  if (typeof proto.attachInternals !== 'function')
    proto.attachInternals = () => ({
      setFormValue() {},
      setValidity() {},
      checkValidity: () => true,
      reportValidity: () => true,
      form: null,
      labels: [],
      validity: { valid: true },
      validationMessage: '',
      willValidate: false,
      states: new Set(),
    });
  g.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => void page.posted.push(m),
    getState: () => page.state,
    setState: (s: unknown) => void (page.state = s),
  });
  return page;
}

const FROM_WINDOW = [
  'window',
  'document',
  'navigator',
  'customElements',
  'HTMLElement',
  'Element',
  'Node',
  'Text',
  'Document',
  'DocumentFragment',
  'ShadowRoot',
  'CSSStyleSheet',
  'MutationObserver',
  'ResizeObserver',
  'Event',
  'CustomEvent',
  'MessageEvent',
  'KeyboardEvent',
  'MouseEvent',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'Blob',
  'URL',
];
const saved = new Map<string, PropertyDescriptor | undefined>();
