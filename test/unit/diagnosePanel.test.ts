/**
 * The Diagnose page in a DOM (happy-dom): it asks for the report once it knows its container, shows the
 * headline in the viewer's time zone and a section per source, says "unknown" for what the agent could
 * not read, asks again on Refresh, and runs the tree's own commands through the base requests.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { DiagnoseReport } from '../../server/protocol';
import { unknownExits } from '../../server/diagnose/dockerState';
import { installPageDom, type FakePage } from '../support/pageDom';

let page: FakePage;
const ID = 'ea9868e0bf2f14a4454aa6fb95f5442bc2683a1b8fd0752cd292d5046d3ab86a';
const notify = (method: string, params: unknown) => page.deliver({ kind: 'notify', method, params });
type Request = { kind: 'request'; id: number; method: string; params: unknown };
const requests = () => page.posted.filter((m): m is Request => (m as { kind: string }).kind === 'request');
const answer = (id: number, result: unknown) => page.deliver({ kind: 'response', id, result });
const settle = () => new Promise((r) => setTimeout(r, 0));
const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';

const KILL_AT = '2026-12-02T13:50:35.000Z';
const report: DiagnoseReport = {
  container: { id: ID, name: 'h5-demo', runtime: 'docker', running: true, initPid: 17105 },
  takenAt: '2026-12-02T13:51:00.000Z',
  headline: 'OOM-killed once, last at 13:50 UTC: dd at 32.0 MiB of 32.0 MiB',
  oom: {
    count: 1,
    events: null,
    kills: [
      {
        at: KILL_AT,
        seq: 9,
        pid: 17180,
        command: 'dd',
        rssBytes: 33910784,
        usageBytes: 33554432,
        limitBytes: 33554432,
        cgroup: `/docker/${ID}`,
        oomCgroup: `/docker/${ID}`,
      },
    ],
    note: null,
  },
  exits: {
    ...unknownExits(''),
    source: 'docker',
    status: 'running',
    running: true,
    exitCode: 0,
    oomKilled: false,
    restartCount: 0,
    startedAt: '2026-12-02T13:50:34Z',
    unknown: null,
  },
  memory: {
    limitBytes: 33554432,
    usageBytes: 319488,
    anonBytes: 57344,
    fileBytes: 0,
    kernelBytes: 262144,
    processes: [{ pid: 17105, command: 'httpd', rssBytes: 1572864, pssBytes: 645120, swapBytes: 0 }],
  },
  cpu: { quotaUs: null, periodUs: 100000, periods: 0, throttledPeriods: 0, throttledUsec: 0, sinceLast: null },
  disk: {
    upperDir: '/var/lib/docker/overlay2/x/diff',
    usedBytes: 20971520,
    files: 1,
    biggestFiles: [{ path: '/data/big.bin', bytes: 20971520 }],
    biggestDirs: [{ path: '/data', bytes: 20971520 }],
    filesystem: null,
  },
  network: {
    netns: 4026532618,
    sharesHost: false,
    interfaces: [
      {
        name: 'lo',
        state: 'UNKNOWN',
        mtu: 65536,
        addresses: ['127.0.0.1/8'],
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      },
    ],
    routes: [],
    sockets: [
      { protocol: 'tcp', state: 'LISTEN', local: '127.0.0.1:8080', remote: null, inode: 1, owners: [{ pid: 17105, command: 'httpd' }] },
    ],
  },
  unknown: [{ source: 'disk', message: 'free space unknown: statfs failed (EACCES)' }],
};

before(async () => {
  page = installPageDom();
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../src/panels/diagnose/web/main');
});
after(() => page.close());

test('asks for the report once it knows its container, then shows the headline in local time and each section', async () => {
  assert.deepEqual(page.posted[0], { kind: 'ready' });
  notify('init', { nodeId: 'local', nodeLabel: 'This machine', subject: ID });
  const [ask] = requests();
  assert.equal(ask.method, 'report');
  assert.match(text('#root'), /Diagnosing…/);
  answer(ask.id, report);
  await settle();
  const local = new Date(KILL_AT);
  const hhmm = `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`;
  assert.equal(text('.headline').trim(), `OOM-killed once, last at ${hhmm}: dd at 32.0 MiB of 32.0 MiB`);
  assert.ok(document.querySelector('.headline.bad'));
  assert.match(text('#oom'), /dd.*17180.*32\.3 MiB.*32\.0 MiB of 32\.0 MiB/);
  assert.match(text('#memory'), /httpd/);
  assert.match(text('#disk'), /\/data\/big\.bin/);
  assert.match(text('#network'), /LISTEN.*127\.0\.0\.1:8080.*httpd \(17105\)/);
  assert.match(text('#cpu'), /Refresh to see throttling from now on/);
  assert.match(text('#unknown'), /statfs failed/);
});

test("Refresh asks again; links run the tree's commands for this container", async () => {
  const before = requests().length;
  const refresh = Array.from(document.querySelectorAll<HTMLButtonElement>('button')).find((b) => /Refresh/.test(b.textContent ?? ''))!;
  refresh.click();
  const again = requests().slice(before);
  assert.deepEqual(
    again.map((r) => r.method),
    ['report'],
  );
  answer(again[0].id, {
    ...report,
    cpu: { ...report.cpu!, sinceLast: { seconds: 30, periods: 300, throttledPeriods: 270, throttledUsec: 2_000_000 } },
  });
  await settle();
  assert.match(text('#cpu'), /Since the last look 30 s ago: 90 % of periods throttled/);
  const reveal = Array.from(document.querySelectorAll<HTMLButtonElement>('button')).find((b) =>
    /Reveal in Tree/.test(b.textContent ?? ''),
  )!;
  reveal.click();
  const last = requests().at(-1)!;
  assert.deepEqual([last.method, last.params], ['containerAction', { action: 'reveal', containerId: ID }]);
});
