/**
 * The layer explorer's page in a DOM (happy-dom): a report in → the stack with each layer's history command;
 * a page of entries in → rows with their marks; a 100,000-entry directory → a bounded number of row
 * elements; later pages asked for only when the "more" row comes into view.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ExplorerEntry, LayerExplorePage, LayerReport } from '../../../server/protocol';
import { installPageDom, type FakePage } from '../../support/pageDom';

function report(): LayerReport {
  const layer = (index: number, role: 'upper' | 'lower', createdBy: string | null, extra = {}) => ({
    index,
    path: `/var/lib/docker/overlay2/l${index}/diff`,
    role,
    origin: 'docker',
    createdBy,
    emptyHistory: [],
    bytes: 1000 * (index + 1),
    symlinkBytes: 0,
    files: 10 + index,
    whiteouts: 0,
    opaqueDirs: 0,
    redirects: 0,
    usedBy: ['c1'],
    ...extra,
  });
  return {
    target: { kind: 'container', id: 'c1'.padEnd(64, '0'), name: 'web' },
    layers: [
      layer(0, 'upper', null),
      layer(1, 'lower', 'RUN /bin/sh -c rm /etc/motd && mkdir -p /opt/app', {
        whiteouts: 1,
        opaqueDirs: 1,
        emptyHistory: ['ENV A=1', 'LABEL x=y'],
      }),
      layer(2, 'lower', 'ADD rootfs.tar.xz / # buildkit', { usedBy: ['c1', 'c2', 'c3'] }),
    ],
    efficiency: 0.9,
    wastedBytes: 100,
    totalBytes: 1000,
    wasted: [{ path: '/opt/big', bytes: 100, layer: 2 }],
    wastedFiles: 1,
    truncated: false,
    problems: [],
  } as unknown as LayerReport;
}

function entry(name: string, mark: ExplorerEntry['mark'], extra: Partial<ExplorerEntry> = {}): ExplorerEntry {
  return { name, type: 'file', bytes: 5, mark, layer: 1, hasChildren: false, ...extra };
}

function pageOf(path: string, entries: ExplorerEntry[], offset = 0, total = entries.length): LayerExplorePage {
  return {
    target: report().target,
    path,
    layer: 1,
    merged: false,
    opaque: false,
    total,
    unfiltered: total,
    marks: { A: 0, M: 0, R: 0, U: 0 },
    offset,
    entries,
    truncated: false,
    problems: [],
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Answers the page's requests the way the host would, with `answer` picking the result. */
async function answerAll(
  page: FakePage,
  answer: (method: string, params: Record<string, unknown>) => unknown,
  seen: { method: string; params: Record<string, unknown> }[],
) {
  await tick();
  for (const m of page.posted.splice(0) as { kind: string; id: number; method: string; params: Record<string, unknown> }[]) {
    if (m.kind !== 'request') continue;
    seen.push({ method: m.method, params: m.params });
    page.deliver({ kind: 'response', id: m.id, result: answer(m.method, m.params) });
  }
  await tick();
}

test('the explorer page: stack with history commands, marks on rows, a bounded DOM for 100,000 entries, pages loaded as scrolled to', async () => {
  const page = installPageDom();
  try {
    page.window.document.body.innerHTML = '<main id="root"></main>';
    await import('../../../src/panels/layerExplorer/web/main');
    const doc = page.window.document as unknown as Document;
    assert.deepEqual(page.posted.splice(0), [{ kind: 'ready' }]);
    page.deliver({ kind: 'notify', method: 'init', params: { nodeId: 'local', nodeLabel: 'This machine', subject: 'c1' } });
    page.deliver({ kind: 'notify', method: 'connection', params: { connected: true, reason: null } });

    const big = Array.from({ length: 500 }, (_, i) => entry(`f${String(i).padStart(6, '0')}`, 'A'));
    const seen: { method: string; params: Record<string, unknown> }[] = [];
    const answer = (method: string, p: Record<string, unknown>) => {
      if (method === 'report') return report();
      if (p.path === '/')
        return pageOf('/', [
          entry('etc', 'M', { type: 'dir', hasChildren: true }),
          entry('motd', 'R', { whiteout: true }),
          entry('big', 'A', { type: 'dir', hasChildren: true }),
        ]);
      if (p.path === '/big')
        return pageOf(
          '/big',
          big.map((e, i) => ({ ...e, name: `f${String(Number(p.offset) + i).padStart(6, '0')}` })),
          Number(p.offset),
          100_000,
        );
      return pageOf(String(p.path), []);
    };
    await answerAll(page, answer, seen); // report
    await answerAll(page, answer, seen); // explore /
    assert.deepEqual(
      seen.map((s) => s.method),
      ['report', 'explore'],
    );
    assert.deepEqual(
      seen[1].params,
      { layer: 0, path: '/', merged: false, offset: 0, limit: 500, changesOnly: false, pattern: '' },
      'the writable layer alone first: what the container changed',
    );

    const cards = [...doc.querySelectorAll<HTMLElement>('li.layer')];
    assert.equal(cards.length, 3);
    assert.match(cards[1].textContent, /RUN \/bin\/sh -c rm \/etc\/motd/);
    assert.match(cards[1].textContent, /1 whiteout.*1 opaque dir/);
    assert.match(cards[1].textContent, /2 history entries without a layer/);
    assert.match(cards[2].textContent, /shared by 3/);
    assert.match(cards[0].textContent, /writable.*what the container changed/);

    const rows = () => [...doc.querySelectorAll('.row.entry')].map((r) => `${r.getAttribute('data-path')} ${r.getAttribute('data-mark')}`);
    assert.deepEqual(rows(), ['/etc M', '/motd R', '/big A']);
    assert.match(doc.querySelector('.row[data-path="/motd"]')!.textContent, /whiteout/);

    // Select layer 1: the tree starts over for that layer.
    cards[1].click();
    await answerAll(page, answer, seen);
    assert.equal(seen.at(-1)!.params.layer, 1);

    // Expand /big: 100,000 entries, loaded 500 at a time, rendered a screenful at a time.
    doc.querySelector<HTMLElement>('.row[data-path="/big"]')!.click();
    await answerAll(page, answer, seen);
    const bigRequests = () => seen.filter((s) => s.params?.path === '/big').map((s) => s.params.offset);
    assert.deepEqual(bigRequests(), [0]);
    const rendered = doc.querySelectorAll('.vlist-spacer > .row').length;
    assert.ok(rendered > 0 && rendered < 120, `${rendered} row elements for 100,000 entries`);
    assert.equal(
      doc
        .querySelector('.vlist-spacer')!
        .getAttribute('style')
        ?.match(/height: (\d+)px/)?.[1],
      String((3 + 500 + 1) * 22),
      'the spacer holds every loaded row and the "more" row',
    );

    // Scroll to the end of what is loaded: the "more" row comes into view and the next page is asked for, once.
    const box = doc.querySelector<HTMLElement>('.vlist')!;
    box.scrollTop = 500 * 22;
    box.dispatchEvent(new page.window.Event('scroll') as unknown as Event);
    await new Promise((r) => setTimeout(r, 40));
    await answerAll(page, answer, seen);
    assert.deepEqual(bigRequests(), [0, 500]);
  } finally {
    await page.close();
  }
});
