/**
 * The diagnosis's one line (server/diagnose/headline.ts), from reports built here: what it names first,
 * how it writes counts, times and memory, and that it never claims what the report does not hold.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DiagnoseReport, OomKill } from '../../server/protocol';
import { headlineOf } from '../../server/diagnose/headline';
import { unknownExits } from '../../server/diagnose/dockerState';

const GiB = 2 ** 30;
const kill = (over: Partial<OomKill> = {}): OomKill => ({
  at: '2026-12-02T14:02:31.000Z',
  seq: 1,
  pid: 4242,
  command: 'java',
  rssBytes: 1.9 * GiB,
  usageBytes: 2 * GiB,
  limitBytes: 2 * GiB,
  cgroup: '/docker/x',
  oomCgroup: '/docker/x',
  ...over,
});

function report(over: Partial<DiagnoseReport> = {}): DiagnoseReport {
  return {
    container: { id: 'x', name: 'web', runtime: 'docker', running: true, initPid: 1 },
    takenAt: '2026-12-02T14:05:00.000Z',
    headline: '',
    oom: { count: 0, events: 0, kills: [], note: null },
    exits: { ...unknownExits('test'), source: 'docker', running: true, status: 'running', exitCode: 0, restartCount: 0, unknown: null },
    memory: null,
    cpu: null,
    disk: null,
    network: null,
    unknown: [],
    ...over,
  };
}

describe('the diagnosis headline', () => {
  it('names OOM kills first: how many, when the last was, whose and at how much of the limit', () => {
    const r = report({
      oom: { count: 3, events: 3, kills: [kill({ command: 'sh' }), kill({ at: '2026-12-02T13:00:00Z' }), kill()], note: null },
    });
    assert.equal(headlineOf(r), 'OOM-killed 3 times, last at 14:02 UTC: java at 2.0 GiB of 2.0 GiB');
  });

  it('says "once", and writes the time as the caller asks (the viewer\'s zone)', () => {
    const r = report({ oom: { count: 1, events: 1, kills: [kill()], note: null } });
    assert.equal(
      headlineOf(r, () => '15:02'),
      'OOM-killed once, last at 15:02: java at 2.0 GiB of 2.0 GiB',
    );
  });

  it('counts the kills the cgroup counted even when the kernel log no longer has them', () => {
    assert.equal(
      headlineOf(report({ oom: { count: 2, events: 2, kills: [], note: 'wrapped' } })),
      'OOM-killed 2 times (the kernel log no longer has the details)',
    );
  });

  it("falls back to the victim's own memory when the cgroup's was not in the report", () => {
    const r = report({
      oom: { count: null, events: null, kills: [kill({ usageBytes: null, limitBytes: null, rssBytes: 512 * 2 ** 20 })], note: null },
    });
    assert.equal(headlineOf(r), 'OOM-killed once, last at 14:02 UTC: java using 512 MiB');
  });

  it('names an exit with its signal and restarts, after the OOM kill that caused it', () => {
    const exits = {
      ...report().exits,
      running: false,
      status: 'exited',
      exitCode: 137,
      signal: 'SIGKILL',
      finishedAt: '2026-12-02T14:02:32Z',
      restartCount: 4,
    };
    assert.equal(
      headlineOf(report({ container: { ...report().container, running: false }, exits })),
      'Exited with code 137 (SIGKILL) at 14:02 UTC, restarted 4 times',
    );
    const both = report({ exits, oom: { count: 1, events: 1, kills: [kill()], note: null } });
    assert.equal(
      headlineOf(both),
      'OOM-killed once, last at 14:02 UTC: java at 2.0 GiB of 2.0 GiB; exited with code 137 (SIGKILL) at 14:02 UTC, restarted 4 times',
    );
  });

  it('names throttling since the last look, and memory near its limit', () => {
    const cpu = {
      quotaUs: 10_000,
      periodUs: 100_000,
      periods: 1000,
      throttledPeriods: 900,
      throttledUsec: 1,
      sinceLast: { seconds: 29.6, periods: 300, throttledPeriods: 255, throttledUsec: 1 },
    };
    assert.equal(headlineOf(report({ cpu })), 'CPU-throttled in 85 % of periods over the last 30 s');
    const quiet = { ...cpu, sinceLast: { seconds: 30, periods: 300, throttledPeriods: 3, throttledUsec: 1 } };
    assert.equal(
      headlineOf(report({ cpu: quiet })),
      'Nothing wrong found: no OOM kills, no restarts, not throttled',
      'the rate since the last look, not the total, decides',
    );
    const memory = { limitBytes: 100, usageBytes: 95, anonBytes: 90, fileBytes: 5, kernelBytes: 0, processes: [] };
    assert.equal(headlineOf(report({ memory })), 'Memory at 95 % of its 100 B limit');
  });

  it('says so when the engine did not say why a container is not running', () => {
    assert.equal(
      headlineOf(report({ container: { ...report().container, running: false }, exits: unknownExits('no engine') })),
      'Not running; the engine did not say why',
    );
  });
});
