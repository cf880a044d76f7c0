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
      for (const k of GLOBALS) delete (globalThis as Record<string, unknown>)[k];
    },
  };
  const g = globalThis as Record<string, unknown>;
  g.window = window;
  g.document = window.document;
  g.HTMLElement = window.HTMLElement;
  g.Node = window.Node;
  g.MessageEvent = window.MessageEvent;
  g.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => void page.posted.push(m),
    getState: () => page.state,
    setState: (s: unknown) => void (page.state = s),
  });
  return page;
}

const GLOBALS = ['window', 'document', 'HTMLElement', 'Node', 'MessageEvent', 'acquireVsCodeApi'];
