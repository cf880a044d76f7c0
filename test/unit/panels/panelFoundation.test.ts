/**
 * The panel foundation's logic: the host queues posts until the page is ready, checks and answers requests;
 * the page's bridge settles requests and keeps node + view state for restore. The host runs against an
 * object shaped like a WebviewPanel (its vscode import is types only); the page runs in happy-dom.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PanelHost } from '../../../src/panels/host/panelHost';
import { check } from '../../../src/panels/protocol';
import { installPageDom } from '../../support/pageDom';

type Contract = {
  requests: { add: { params: { a: number; b: number }; result: number }; boom: { params: null; result: null } };
  notifications: { hello: string };
};

function fakePanel() {
  const posted: unknown[] = [];
  let receive: (m: unknown) => void = () => undefined;
  let disposed: () => void = () => undefined;
  const panel = {
    viewType: 'nodescope.test',
    webview: {
      postMessage: (m: unknown) => (posted.push(m), Promise.resolve(true)),
      onDidReceiveMessage: (fn: (m: unknown) => void) => ((receive = fn), { dispose: () => undefined }),
    },
    onDidDispose: (fn: () => void) => ((disposed = fn), { dispose: () => undefined }),
    dispose: () => disposed(),
  };
  return { panel, posted, send: (m: unknown) => receive(m), close: () => disposed() };
}

function hostFor(f: ReturnType<typeof fakePanel>) {
  return new PanelHost<Contract>(f.panel as never, {
    add: { check: check.object({ a: check.integer(), b: check.integer() }), run: ({ a, b }) => a + b },
    boom: { check: check.none(), run: () => Promise.reject(new Error('it broke')) },
  });
}

const settle = () => new Promise((r) => setImmediate(r));

test('posts wait for ready, in order; a second ready (page reload) does not replay them', async () => {
  const f = fakePanel();
  const host = hostFor(f);
  host.notify('hello', 'one');
  host.notify('hello', 'two');
  assert.equal(f.posted.length, 0, 'nothing reaches a page that has not said ready');
  let readies = 0;
  host.onReady(() => readies++);
  f.send({ kind: 'ready' });
  assert.deepEqual(f.posted, [
    { kind: 'notify', method: 'hello', params: 'one' },
    { kind: 'notify', method: 'hello', params: 'two' },
  ]);
  f.send({ kind: 'ready' });
  assert.equal(f.posted.length, 2);
  assert.equal(readies, 2, 'ready listeners run for every page load, so a reloaded page is fed again');
});

test('requests are checked: bad params, unknown methods and malformed envelopes are refused', async () => {
  const f = fakePanel();
  hostFor(f);
  f.send({ kind: 'ready' });
  f.send({ kind: 'request', id: 1, method: 'add', params: { a: 2, b: 3 } });
  f.send({ kind: 'request', id: 2, method: 'add', params: { a: 2, b: '3' } });
  f.send({ kind: 'request', id: 3, method: 'add', params: { a: 2, b: 3, c: 1 } });
  f.send({ kind: 'request', id: 4, method: 'constructor', params: {} });
  f.send({ kind: 'request', id: 5, method: 'boom', params: null });
  f.send({ kind: 'request', id: -1, method: 'add', params: { a: 1, b: 1 } });
  f.send('ready');
  await settle();
  // Answers come as handlers finish; the id says which request each one answers.
  const byId = [...(f.posted as { id: number }[])].sort((a, b) => a.id - b.id);
  assert.deepEqual(byId, [
    { kind: 'response', id: 1, result: 5 },
    { kind: 'response', id: 2, error: 'add: bad or missing field b' },
    { kind: 'response', id: 3, error: 'add: unknown field c' },
    { kind: 'response', id: 4, error: 'unknown request constructor' },
    { kind: 'response', id: 5, error: 'it broke' },
  ]);
});

test('what the host tracks is disposed with the panel, and nothing is posted after', async () => {
  const f = fakePanel();
  const host = hostFor(f);
  let detached = 0;
  host.track(() => detached++);
  host.track({ dispose: () => detached++ });
  f.send({ kind: 'ready' });
  f.close();
  assert.equal(detached, 2);
  host.notify('hello', 'late');
  assert.equal(f.posted.length, 0);
  host.track(() => detached++);
  assert.equal(detached, 3, 'a listener tracked after disposal is disposed at once');
});

test('the page bridge: notifications reach listeners, requests settle by id, init and view state persist', async () => {
  const page = installPageDom({ nodeId: 'n1', subject: null, view: { filter: 'net' } });
  try {
    const { NodePanelBridge } = await import('../../../src/panels/web/bridge');
    const bridge = new NodePanelBridge();
    const seen: string[] = [];
    bridge.on('connection', (c) => seen.push(String(c.connected)));
    bridge.ready();
    assert.deepEqual(page.posted, [{ kind: 'ready' }]);
    page.deliver({ kind: 'notify', method: 'init', params: { nodeId: 'n1', nodeLabel: 'This machine', subject: null } });
    page.deliver({ kind: 'notify', method: 'connection', params: { connected: true, reason: null } });
    assert.deepEqual(seen, ['true']);
    assert.deepEqual(bridge.viewState, { filter: 'net' }, 'the view state from before a reload survives init of the same node');
    bridge.saveView({ filter: 'pid' });
    assert.deepEqual(page.state, { nodeId: 'n1', subject: null, view: { filter: 'pid' } });

    const answer = bridge.request('openPanel', { panel: 'security' });
    const failed = bridge.request('openPanel', { panel: 'overview' });
    const [, r1, r2] = page.posted as unknown as { id: number }[];
    page.deliver({ kind: 'response', id: r2.id, error: 'no such panel' });
    page.deliver({ kind: 'response', id: r1.id, result: null });
    assert.equal(await answer, null);
    await assert.rejects(failed, /no such panel/);
  } finally {
    await page.close();
  }
});
