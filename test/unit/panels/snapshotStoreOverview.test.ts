/**
 * The overview page (a panel that shows live numbers) fed by the host's real feed: a pass where only a
 * container's memory usage moved arrives as a `counters` message and redraws that row's usage and the
 * facts line's time, leaving the other rows' DOM as it was.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { installPageDom, type FakePage } from '../../support/pageDom';
import { container, snapshot } from './overviewFixtures';
import { fakeFeed } from './panelHostFeedHarness';

let page: FakePage;
const row = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-container="${id}"]`)!;

const web = container({ id: 'a'.repeat(64), name: 'web', lowers: ['base'], usage: 60 * 2 ** 20 });
const db = container({ id: 'b'.repeat(64), name: 'db', lowers: ['base'], usage: 10 * 2 ** 20 });

before(async () => {
  page = installPageDom();
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../../src/panels/overview/web/main');
});
after(() => page.close());

test('counters that moved redraw their row and the time; a row whose counters did not is the same DOM', () => {
  page.deliver({ kind: 'notify', method: 'init', params: { nodeId: 'local', nodeLabel: 'This machine', subject: null } });
  page.deliver({ kind: 'notify', method: 'connection', params: { connected: true, reason: null } });
  const feed = fakeFeed(snapshot([web, db]), true, (m) => page.deliver(m));
  feed.ready();
  assert.match(row(web.id).textContent, /60\.0 MiB \/ 64\.0 MiB \(94%\)/);
  const dbRow = row(db.id);

  const s = feed.model.snapshot!;
  s.takenAt = new Date(Date.parse(s.takenAt) + 3_600_000).toISOString();
  s.containers.find((c) => c.id === web.id)!.cgroup!.memory!.usageBytes = 32 * 2 ** 20;
  feed.take();
  feed.changed();
  assert.deepEqual(
    feed.take().map((m) => m.method),
    ['counters'],
  );
  assert.match(row(web.id).textContent, /32\.0 MiB \/ 64\.0 MiB \(50%\)/);
  assert.equal(row(db.id), dbRow, 'the row whose counters did not move is left alone');
  assert.match(document.querySelector('.facts')!.textContent, new RegExp(`as of ${new Date(s.takenAt).toLocaleTimeString()}`));
});
